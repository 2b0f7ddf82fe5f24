"""The JSON Lambda hands a Kinesis consumer, and the JSON it sends on failure.

Shapes from the Lambda developer guide: "Using Lambda with Kinesis Data Streams"
(the example event: ``kinesis.kinesisSchemaVersion``, ``partitionKey``,
``sequenceNumber``, ``data`` in base64, ``approximateArrivalTimestamp`` in Unix
seconds; ``eventID`` ``shardId-...:sequence``), "Tumbling windows" (``window``,
``state``, ``isFinalInvokeForWindow``, ``isWindowTerminatedEarly``) and "Retain
discarded batch records" (the on-failure invocation record with
``KinesisBatchInfo``). A KPL aggregate is handed over as the bytes that were put:
Lambda does not deaggregate.
"""

from __future__ import annotations

import base64
import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

__all__ = ["EventContext", "StreamRecord"]


@dataclass(frozen=True, slots=True, kw_only=True)
class StreamRecord:
    """One record as a shard holds it: what Lambda puts in ``Records[i].kinesis``."""

    shard_id: str
    sequence_number: str
    partition_key: str
    data: bytes
    #: the simulation clock's time (seconds) Kinesis received the record
    arrival: float
    #: the lane of its shard the record is processed in (ParallelizationFactor)
    lane: int


@dataclass(frozen=True, slots=True, kw_only=True)
class EventContext:
    """The account, Region, stream and function an event names, and the clock."""

    region: str = "us-east-1"
    account: str = "123456789012"
    stream_name: str = "stream"
    function_name: str = "function"
    role_name: str = "lambda-role"
    #: time 0 of the simulation clock
    origin: datetime = datetime(2024, 1, 1, tzinfo=UTC)

    @property
    def stream_arn(self) -> str:
        """The stream's ARN, as ``eventSourceARN``."""
        return f"arn:aws:kinesis:{self.region}:{self.account}:stream/{self.stream_name}"

    @property
    def function_arn(self) -> str:
        """The function's ARN, as the failure record's ``functionArn``."""
        return (
            f"arn:aws:lambda:{self.region}:{self.account}:function:{self.function_name}"
        )

    def unix(self, time: float) -> float:
        """A simulation time as Unix seconds (``approximateArrivalTimestamp``)."""
        return round(self.origin.timestamp() + time, 3)

    def iso(self, time: float) -> str:
        """A simulation time as the ISO 8601 text Lambda writes (milliseconds, Z)."""
        moment = self.origin + timedelta(seconds=time)
        millis = moment.microsecond // 1000
        return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{millis:03d}Z"

    def record(self, record: StreamRecord) -> dict[str, object]:
        """One element of the event's ``Records``."""
        return {
            "kinesis": {
                "kinesisSchemaVersion": "1.0",
                "partitionKey": record.partition_key,
                "sequenceNumber": record.sequence_number,
                "data": base64.b64encode(record.data).decode("ascii"),
                "approximateArrivalTimestamp": self.unix(record.arrival),
            },
            "eventSource": "aws:kinesis",
            "eventVersion": "1.0",
            "eventID": f"{record.shard_id}:{record.sequence_number}",
            "eventName": "aws:kinesis:record",
            "invokeIdentityArn": f"arn:aws:iam::{self.account}:role/{self.role_name}",
            "awsRegion": self.region,
            "eventSourceARN": self.stream_arn,
        }

    def record_size(self, record: StreamRecord) -> int:
        """The bytes the record adds to an invocation's payload (compact JSON)."""
        return len(json.dumps(self.record(record), separators=(",", ":"))) + 1

    def failure_record(
        self,
        *,
        records: tuple[StreamRecord, ...],
        time: float,
        condition: str,
        invoke_count: int,
    ) -> dict[str, object]:
        """The JSON sent to the OnFailure destination for discarded ``records``."""
        first, last = records[0], records[-1]
        # Deterministic, so two runs of one simulation send the same documents.
        request_id = uuid.uuid5(
            uuid.NAMESPACE_URL,
            f"{self.function_arn}/{first.shard_id}/{first.sequence_number}/{time}",
        )
        document: dict[str, object] = {
            "requestContext": {
                "requestId": str(request_id),
                "functionArn": self.function_arn,
                "condition": condition,
                "approximateInvokeCount": invoke_count,
            },
            "version": "1.0",
            "timestamp": self.iso(time),
            "KinesisBatchInfo": {
                "shardId": first.shard_id,
                "startSequenceNumber": first.sequence_number,
                "endSequenceNumber": last.sequence_number,
                "approximateArrivalOfFirstRecord": self.iso(first.arrival),
                "approximateArrivalOfLastRecord": self.iso(last.arrival),
                "batchSize": len(records),
                "streamArn": self.stream_arn,
            },
        }
        if invoke_count:
            document["responseContext"] = {
                "statusCode": 200,
                "executedVersion": "$LATEST",
                "functionError": "Unhandled",
            }
        return document
