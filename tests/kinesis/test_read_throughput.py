"""Shard read throughput (shared vs enhanced fan-out) and the mapping's AWS JSON.

Quotas from the Kinesis Data Streams Developer Guide, "Quotas and limits" and
"Develop enhanced fan-out consumers with dedicated throughput".
"""

from __future__ import annotations

import json

import pytest

from awscore.errors import EventSourceMappingError, KinesisInputError
from awscore.kinesis import (
    SHARD_READ_BYTES_PER_SECOND,
    iterator_age,
    mapping_from_aws_json,
    read_throughput,
)

MB = 1024 * 1024


def test_three_shared_consumers_split_two_mb_a_second() -> None:
    """The seed's case: 3 standard consumers of one shard get about 0.67 MB/s each."""
    consumers = read_throughput(shared_consumers=3)
    assert [c.bytes_per_second for c in consumers] == [2 * MB / 3] * 3
    assert [c.calls_per_second for c in consumers] == [5 / 3] * 3
    assert {c.mode for c in consumers} == {"shared"}


def test_each_enhanced_fan_out_consumer_has_its_own_two_mb() -> None:
    consumers = read_throughput(shared_consumers=0, enhanced_consumers=3)
    assert [c.bytes_per_second for c in consumers] == [2 * MB] * 3
    assert all(c.calls_per_second is None for c in consumers)
    assert [c.propagation_ms for c in consumers] == [70.0] * 3


def test_more_pollers_than_calls_wait_longer_between_polls() -> None:
    (one,) = read_throughput(shared_consumers=1)
    assert one.propagation_ms == 200.0
    ten = read_throughput(shared_consumers=10)
    assert ten[0].propagation_ms == 2000.0  # 5 calls/s shared by 10: one each 2 s


def test_a_consumer_keeping_up_has_only_its_propagation_delay() -> None:
    (consumer,) = read_throughput(shared_consumers=1)
    samples = iterator_age([MB] * 10, consumer)
    assert all(s.iterator_age_ms == 0 for s in samples)
    assert all(s.backlog_bytes == 0 for s in samples)


def test_a_consumer_reading_slower_than_the_writes_falls_behind_every_second() -> None:
    """Three shared consumers of a shard written at 1 MB/s read 0.67 MB/s each."""
    consumer = read_throughput(shared_consumers=3)[0]
    samples = iterator_age([MB] * 60, consumer)
    ages = [s.iterator_age_ms for s in samples]
    assert ages == sorted(ages)
    assert ages[-1] > 20_000
    # the backlog grows by the difference, a third of a MB a second
    assert samples[-1].backlog_bytes == pytest.approx(60 * (MB - 2 * MB / 3))
    # with enhanced fan-out the same consumer keeps up
    (fan_out,) = read_throughput(shared_consumers=0, enhanced_consumers=1)
    assert all(s.iterator_age_ms == 0 for s in iterator_age([MB] * 60, fan_out))


def test_a_slow_handler_is_the_bottleneck_and_catches_up_after_a_burst() -> None:
    (consumer,) = read_throughput(shared_consumers=1)
    samples = iterator_age([3 * MB, 0, 0, 0], consumer, processing_bytes_per_second=MB)
    assert [s.backlog_bytes for s in samples] == [2 * MB, MB, 0, 0]
    assert [s.iterator_age_ms for s in samples] == [1200.0, 2200.0, 0.0, 0.0]


@pytest.mark.parametrize(
    "call",
    [
        lambda: read_throughput(shared_consumers=-1),
        lambda: read_throughput(enhanced_consumers=21),
        lambda: read_throughput(shared_propagation_ms=float("inf")),
        lambda: iterator_age([1.0], "consumer"),  # type: ignore[arg-type]
        lambda: iterator_age([-1.0], read_throughput()[0]),
        lambda: iterator_age([1e400], read_throughput()[0]),
        lambda: iterator_age(
            [1.0], read_throughput()[0], processing_bytes_per_second=True
        ),
    ],
)
def test_bad_throughput_arguments_are_typed_errors(call: object) -> None:
    with pytest.raises(KinesisInputError):
        call()  # type: ignore[operator]


def test_read_quota_is_two_mebibytes() -> None:
    assert SHARD_READ_BYTES_PER_SECOND == 2_097_152


# --- the mapping as AWS writes it ----------------------------------------------

GET_EVENT_SOURCE_MAPPING = {
    # the shape `aws lambda get-event-source-mapping` prints
    "UUID": "a1b2c3d4-5678-90ab-cdef-11111EXAMPLE",
    "StartingPosition": "LATEST",
    "BatchSize": 100,
    "MaximumBatchingWindowInSeconds": 5,
    "ParallelizationFactor": 2,
    "EventSourceArn": "arn:aws:kinesis:us-east-2:123456789012:stream/lambda-stream",
    "FunctionArn": "arn:aws:lambda:us-east-2:123456789012:function:my-function",
    "LastModified": 1569284520.333,
    "LastProcessingResult": "No records processed",
    "State": "Enabled",
    "StateTransitionReason": "User action",
    "DestinationConfig": {
        "OnFailure": {"Destination": "arn:aws:sqs:us-east-2:123456789012:dlq"}
    },
    "MaximumRecordAgeInSeconds": 604800,
    "BisectBatchOnFunctionError": True,
    "MaximumRetryAttempts": 10000,
    "FunctionResponseTypes": ["ReportBatchItemFailures"],
    "TumblingWindowInSeconds": 0,
}


def test_the_cli_output_of_get_event_source_mapping_reads_as_a_mapping() -> None:
    mapping = mapping_from_aws_json(json.dumps(GET_EVENT_SOURCE_MAPPING))
    assert mapping.batch_size == 100
    assert mapping.parallelization_factor == 2
    assert mapping.maximum_batching_window == 5
    assert mapping.starting_position == "LATEST"
    assert mapping.destination_on_failure == "arn:aws:sqs:us-east-2:123456789012:dlq"
    assert mapping.bisect_batch_on_function_error
    assert mapping.reports_batch_item_failures
    assert mapping.maximum_retry_attempts == 10000
    assert mapping.window == 0


def test_an_empty_destination_config_means_none() -> None:
    text = json.dumps({"DestinationConfig": {"OnFailure": {}}})
    assert mapping_from_aws_json(text.encode()).destination_on_failure is None
    assert (
        mapping_from_aws_json('{"DestinationConfig": {}}').destination_on_failure
        is None
    )


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ('{"BatchSize": 100, "Surprise": 1}', "Surprise"),
        ('{"BatchSize": 20000}', "BatchSize"),
        ('{"BatchSize": "100"}', "BatchSize"),
        ("[1, 2]", "document"),
        ("{", "document"),
        ('{"BatchSize": ' + "9" * 5000 + "}", "document"),
        ("[" * 5000 + "]" * 5000, "document"),
        (b"\xff\xfe", "document"),
        (
            '{"DestinationConfig": {"OnFailure": {"Destination": 5}}}',
            "DestinationConfig",
        ),
        (
            '{"DestinationConfig": {"OnFailure": {"Destination": "q"}}}',
            "DestinationConfig",
        ),
        ("{}" + " " * 70_000, "document"),
    ],
)
def test_bad_mapping_documents_are_typed_errors(text: str | bytes, field: str) -> None:
    with pytest.raises(EventSourceMappingError) as caught:
        mapping_from_aws_json(text)
    assert caught.value.field == field


def test_a_mapping_document_that_is_not_text_is_refused() -> None:
    with pytest.raises(EventSourceMappingError, match="JSON text"):
        mapping_from_aws_json(5)  # type: ignore[arg-type]


def test_iterator_age_is_bounded_to_a_week(monkeypatch: pytest.MonkeyPatch) -> None:
    import awscore.kinesis._throughput as throughput

    monkeypatch.setattr(throughput, "MAX_AGE_SECONDS", 5)
    with pytest.raises(KinesisInputError, match="at most 5 seconds"):
        iterator_age([0.0] * 6, read_throughput()[0])


def test_fuzz_findings_are_typed_errors() -> None:
    """Calls the fuzzer found raising untyped errors now raise awscore's."""
    from awscore.kinesis import ConcurrencyPool

    with pytest.raises(EventSourceMappingError, match="function name"):
        ConcurrencyPool().limit_for(["x"])  # type: ignore[arg-type]
    with pytest.raises(EventSourceMappingError, match="function name"):
        ConcurrencyPool().reserve({}, 1)  # type: ignore[arg-type]
    with pytest.raises(EventSourceMappingError, match="out of range"):
        ConcurrencyPool(account_limit=10**5000)
    with pytest.raises(KinesisInputError, match="sequence of numbers"):
        iterator_age(5, read_throughput()[0])  # type: ignore[arg-type]
    with pytest.raises(KinesisInputError):
        iterator_age([10**400], read_throughput()[0])
