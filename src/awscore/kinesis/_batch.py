"""PutRecords: one batch routed onto shards, per-key order kept.

PutRecords limits (Kinesis API reference): at most 500 records a call; a record's
data plus its partition key's UTF-8 bytes at most 1 MiB; the whole call at most
5 MiB. Kinesis keeps the order of records with the same partition key within a
shard; routing a batch therefore keeps each shard's records in request order.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from awscore._inputs import shown
from awscore.errors import KinesisInputError
from awscore.kinesis._hashing import (
    check_partition_key,
    hash_key,
    parse_explicit_hash_key,
)
from awscore.kinesis._stream import Stream

__all__ = ["MAX_PUT_RECORDS", "MAX_RECORD_BYTES", "PutRecordsEntry", "route_batch"]

#: The most records one PutRecords call accepts (Kinesis API reference).
MAX_PUT_RECORDS = 500
#: The largest record, data plus partition key, in bytes (1 MiB).
MAX_RECORD_BYTES = 1024 * 1024
MAX_BATCH_BYTES = 5 * 1024 * 1024


@dataclass(frozen=True, slots=True, kw_only=True)
class PutRecordsEntry:
    """One record of a PutRecords call.

    Raises :class:`~awscore.errors.KinesisInputError` for a partition key Kinesis
    refuses, data that is not bytes or an explicit hash key that is not one.
    """

    partition_key: str
    data: bytes = b""
    explicit_hash_key: str | None = None

    def __post_init__(self) -> None:
        hash_key(self.partition_key)  # length and UTF-8, as Kinesis checks them
        data: object = self.data  # checked: callers may not be type-checked
        if not isinstance(data, bytes):
            raise KinesisInputError(f"record data must be bytes, not {shown(data)}")
        if self.explicit_hash_key is not None:
            parse_explicit_hash_key(self.explicit_hash_key)

    @property
    def size(self) -> int:
        """What counts against the 1 MiB limit: data plus partition-key bytes."""
        return len(self.data) + len(self.partition_key.encode())


def route_batch(
    stream: Stream, records: Sequence[PutRecordsEntry]
) -> dict[str, list[PutRecordsEntry]]:
    """Each shard id with the batch's records it receives, in request order.

    Raises :class:`~awscore.errors.KinesisInputError` (naming the record) for a
    batch of more than 500 records, a record over 1 MiB or a batch over 5 MiB.
    """
    if not isinstance(stream, Stream):
        raise KinesisInputError(f"stream={shown(stream)} must be a Stream")
    given: object = records  # checked: callers may not be type-checked
    if isinstance(given, str | bytes) or not isinstance(given, Sequence):
        raise KinesisInputError(
            f"records={shown(given)} must be a sequence of PutRecordsEntry"
        )
    strays = [
        r for r in records[:MAX_PUT_RECORDS] if not isinstance(r, PutRecordsEntry)
    ]
    if strays:
        raise KinesisInputError(
            f"records must be PutRecordsEntry values, not {shown(strays[0])}"
        )
    if not 1 <= len(records) <= MAX_PUT_RECORDS:
        raise KinesisInputError(
            f"a PutRecords call takes 1..{MAX_PUT_RECORDS} records, not {len(records)}"
        )
    routed: dict[str, list[PutRecordsEntry]] = {}
    total = 0
    for index, record in enumerate(records):
        check_partition_key(record.partition_key)
        size = record.size
        if size > MAX_RECORD_BYTES:
            raise KinesisInputError(
                f"record {index} is {size} bytes (data plus partition key): the "
                f"limit is {MAX_RECORD_BYTES}"
            )
        total += size
        shard = stream.shard_for(
            record.partition_key, explicit_hash_key=record.explicit_hash_key
        )
        routed.setdefault(shard.shard_id, []).append(record)
    if total > MAX_BATCH_BYTES:
        raise KinesisInputError(
            f"the batch is {total} bytes: a PutRecords call takes at most "
            f"{MAX_BATCH_BYTES}"
        )
    return routed
