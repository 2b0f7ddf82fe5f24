"""Lambda's event source mapping on Kinesis: the developer guide's examples and rules.

Pages named in the tests are the AWS Lambda Developer Guide's:
"Lambda event source mappings" (batching behavior), "Using Lambda with Kinesis
Data Streams" (the example event, polling and ParallelizationFactor),
"Configuring partial batch response with Kinesis Data Streams and Lambda",
"Retain discarded batch records for a Kinesis Data Streams event source",
"Using tumbling windows" and "Lambda function scaling" (reserved concurrency).
"""

from __future__ import annotations

import base64
import json

import pytest

from awscore.errors import EventSourceMappingError, KinesisInputError
from awscore.kinesis import (
    MAX_INVOCATION_PAYLOAD,
    ConcurrencyPool,
    EventContext,
    EventSourceMapping,
    StartingPosition,
    Stream,
    UserRecord,
    Write,
    aggregate,
    failing_handler,
    hash_key,
    simulate_consumer,
)

RBIF = ("ReportBatchItemFailures",)
ONE = Stream.create(1)
DLQ = "arn:aws:sqs:us-east-1:123456789012:dlq"


def ok(event: dict[str, object]) -> None:
    del event


def spread(count: int, seconds: float, key: str = "") -> list[Write]:
    """``count`` writes evenly over ``seconds``, each its own key unless one given."""
    step = seconds / count
    return [
        Write(time=i * step, partition_key=key or f"k{i}", data=str(i).encode())
        for i in range(count)
    ]


def datas(event: dict[str, object]) -> list[str]:
    records = event["Records"]
    assert isinstance(records, list)
    return [base64.b64decode(r["kinesis"]["data"]).decode() for r in records]


# --- batching: "Lambda event source mappings", batching behavior --------------


def test_batch_size_reached_before_the_window_invokes_at_the_hundredth_record() -> None:
    """150 records in 30 s, BatchSize 100, window 30 s: invoke when 100 are in."""
    mapping = EventSourceMapping(batch_size=100, maximum_batching_window=30)
    run = simulate_consumer(ONE, spread(150, 30), mapping, ok, propagation_delay=0.0)
    first = run.invocations[0]
    assert len(first.records) == 100
    assert first.time == pytest.approx(99 * 0.2)
    # the other 50 wait for the window, which opened with the 101st record
    assert [len(i.records) for i in run.invocations] == [100, 50]
    assert run.invocations[1].time == pytest.approx(100 * 0.2 + 30)


def test_window_passing_first_invokes_with_what_is_there() -> None:
    """50 records in 30 s, BatchSize 100, window 30 s: invoke at 30 s with 50."""
    mapping = EventSourceMapping(batch_size=100, maximum_batching_window=30)
    run = simulate_consumer(ONE, spread(50, 30), mapping, ok, propagation_delay=0.0)
    assert [(i.time, len(i.records)) for i in run.invocations] == [(30.0, 50)]


def test_no_records_no_invocation() -> None:
    """0 records: the window passing alone never invokes the function."""
    mapping = EventSourceMapping(batch_size=100, maximum_batching_window=30)
    assert simulate_consumer(ONE, [], mapping, ok).invocations == ()


def test_without_a_window_lambda_invokes_as_soon_as_records_are_readable() -> None:
    """Window 0: each record is readable after the propagation delay and goes."""
    run = simulate_consumer(
        ONE, spread(3, 3), EventSourceMapping(), ok, propagation_delay=0.2
    )
    assert [round(i.time, 3) for i in run.invocations] == [0.2, 1.2, 2.2]


def test_records_arriving_while_the_lane_is_busy_share_the_next_batch() -> None:
    """A lane runs one batch at a time; what arrived meanwhile is the next batch."""
    run = simulate_consumer(
        ONE, spread(10, 1, key="k"), EventSourceMapping(), ok, duration=5.0
    )
    assert [len(i.records) for i in run.invocations] == [1, 9]
    assert run.invocations[1].time == pytest.approx(0.2 + 5.0)


def test_the_six_mb_payload_cuts_a_batch_short() -> None:
    """A synchronous invocation carries at most 6 MB: the batch stops before it."""
    big = b"x" * (1024 * 1024)  # base64 makes each about 1.33 MiB of JSON
    writes = [Write(time=0, partition_key="k", data=big) for _ in range(10)]
    run = simulate_consumer(ONE, writes, EventSourceMapping(batch_size=10), ok)
    sizes = [len(i.records) for i in run.invocations]
    assert sizes == [4, 4, 2]
    for invocation in run.invocations:
        event = {"Records": [EventContext().record(r) for r in invocation.records]}
        assert len(json.dumps(event, separators=(",", ":"))) <= MAX_INVOCATION_PAYLOAD


# --- the event: "Using Lambda with Kinesis Data Streams", example event ---------


def test_the_event_is_lambdas_kinesis_event_shape() -> None:
    seen: list[dict[str, object]] = []
    writes = [Write(time=1.5, partition_key="1", data=b"Hello, this is a test.")]
    simulate_consumer(ONE, writes, EventSourceMapping(), seen.append)
    records = seen[0]["Records"]
    assert isinstance(records, list)
    (record,) = records
    sequence = record["kinesis"]["sequenceNumber"]
    assert record == {
        "kinesis": {
            "kinesisSchemaVersion": "1.0",
            "partitionKey": "1",
            "sequenceNumber": sequence,
            "data": "SGVsbG8sIHRoaXMgaXMgYSB0ZXN0Lg==",
            "approximateArrivalTimestamp": 1704067201.5,
        },
        "eventSource": "aws:kinesis",
        "eventVersion": "1.0",
        "eventID": f"shardId-000000000000:{sequence}",
        "eventName": "aws:kinesis:record",
        "invokeIdentityArn": "arn:aws:iam::123456789012:role/lambda-role",
        "awsRegion": "us-east-1",
        "eventSourceARN": "arn:aws:kinesis:us-east-1:123456789012:stream/stream",
    }
    assert len(sequence) == 56
    assert sequence.isdigit()


def test_a_kpl_aggregate_reaches_the_handler_as_the_aggregate() -> None:
    """Lambda does not deaggregate: the handler gets the bytes that were put."""
    (aggregated,) = aggregate(
        [UserRecord(partition_key=f"u{i}", data=b"d") for i in range(3)]
    )
    seen: list[dict[str, object]] = []
    writes = [
        Write(time=0, partition_key=aggregated.partition_key, data=aggregated.data)
    ]
    simulate_consumer(ONE, writes, EventSourceMapping(), seen.append)
    records = seen[0]["Records"]
    assert isinstance(records, list)
    assert base64.b64decode(records[0]["kinesis"]["data"]) == aggregated.data
    assert len(records) == 1


def test_sequence_numbers_grow_within_a_shard() -> None:
    run = simulate_consumer(Stream.create(2), spread(20, 2), EventSourceMapping(), ok)
    by_shard: dict[str, list[int]] = {}
    for record in run.records:
        by_shard.setdefault(record.shard_id, []).append(int(record.sequence_number))
    assert all(numbers == sorted(numbers) for numbers in by_shard.values())
    assert len({r.sequence_number for r in run.records}) == 20


# --- starting position ---------------------------------------------------------


def test_latest_skips_what_was_written_before_the_mapping() -> None:
    writes = [Write(time=-0.0, partition_key="a"), Write(time=5, partition_key="b")]
    mapping = EventSourceMapping(starting_position=StartingPosition.LATEST)
    run = simulate_consumer(ONE, writes, mapping, ok)
    assert [r.partition_key for i in run.invocations for r in i.records] == ["a", "b"]
    at = EventSourceMapping(
        starting_position=StartingPosition.AT_TIMESTAMP, starting_position_timestamp=3
    )
    run = simulate_consumer(ONE, writes, at, ok)
    assert [r.partition_key for i in run.invocations for r in i.records] == ["b"]
    assert run.pending == ()


# --- ParallelizationFactor and concurrency: "Lambda function scaling" -----------


def test_factor_three_over_two_shards_runs_six_instances() -> None:
    """Each shard has up to ParallelizationFactor batches in flight: 2 x 3 = 6."""
    writes = [Write(time=0, partition_key=f"key-{i}") for i in range(300)]
    run = simulate_consumer(
        Stream.create(2),
        writes,
        EventSourceMapping(parallelization_factor=3),
        ok,
        duration=10.0,
    )
    assert run.peak_concurrency == 6
    assert len({(i.shard_id, i.lane) for i in run.invocations}) == 6


def test_one_key_stays_in_one_lane() -> None:
    writes = spread(30, 3, key="same")
    run = simulate_consumer(
        ONE, writes, EventSourceMapping(parallelization_factor=10), ok
    )
    assert {i.lane for i in run.invocations} == {hash_key("same") % 10}


def test_reserved_concurrency_splits_the_account_pool() -> None:
    """1,000 in the account; 100 and 200 reserved leave 700 for everyone else."""
    pool = ConcurrencyPool().reserve("orders", 100).reserve("billing", 200)
    assert pool.limit_for("orders") == 100
    assert pool.limit_for("billing") == 200
    assert pool.unreserved == pool.limit_for("anything-else") == 700
    with pytest.raises(EventSourceMappingError, match="at least 100 must stay"):
        pool.reserve("reports", 601)
    assert pool.reserve("reports", 600).unreserved == 100


def test_reserved_concurrency_caps_the_lanes() -> None:
    writes = [Write(time=0, partition_key=f"key-{i}") for i in range(300)]
    run = simulate_consumer(
        Stream.create(4),
        writes,
        EventSourceMapping(parallelization_factor=10),
        ok,
        duration=1.0,
        concurrency=ConcurrencyPool().reserve("function", 5),
    )
    assert run.peak_concurrency == 5
    assert len(run.acknowledged) == 300


def test_reserved_concurrency_zero_throttles_until_the_records_age_out() -> None:
    """Throttled before invocation: retried until MaximumRecordAgeInSeconds."""
    mapping = EventSourceMapping(maximum_record_age=60, destination_on_failure=DLQ)
    run = simulate_consumer(
        ONE,
        spread(5, 5),
        mapping,
        ok,
        concurrency=ConcurrencyPool().reserve("function", 0),
    )
    assert run.invocations == ()
    assert {d.condition for d in run.discarded} == {"RecordAgeExceeded"}
    assert sum(len(d.records) for d in run.discarded) == 5
    document = run.discarded[0].destination_record
    assert document is not None
    assert document["requestContext"]["approximateInvokeCount"] == 0  # type: ignore[index]
    assert "responseContext" not in document


def test_reserved_concurrency_zero_without_an_age_limit_leaves_records_waiting() -> (
    None
):
    run = simulate_consumer(
        ONE,
        spread(3, 3),
        EventSourceMapping(),
        ok,
        concurrency=ConcurrencyPool().reserve("function", 0),
    )
    assert run.invocations == ()
    assert len(run.pending) == 3


# --- partial batch response ------------------------------------------------------


def _partial(response: object) -> list[list[str]]:
    """The batches the handler sees when its first response is ``response``."""
    seen: list[list[str]] = []

    def handler(event: dict[str, object]) -> object:
        seen.append(datas(event))
        return response if len(seen) == 1 else None

    writes = [
        Write(time=0, partition_key="k", data=str(i).encode()) for i in (1, 2, 3, 4, 5)
    ]
    run = simulate_consumer(
        ONE,
        writes,
        EventSourceMapping(batch_size=5, function_response_types=RBIF),
        handler,
    )
    sequences = [r.sequence_number for r in run.records]
    del sequences
    return seen


def _seq(position: int) -> str:
    return f"49{0:010d}{position:044d}"


def test_report_batch_item_failures_retries_from_the_failed_record() -> None:
    """[1..5] with 3 failing: Lambda checkpoints before 3 and retries [3, 4, 5]."""
    seen = _partial({"batchItemFailures": [{"itemIdentifier": _seq(2)}]})
    assert seen == [["1", "2", "3", "4", "5"], ["3", "4", "5"]]


def test_the_lowest_failed_sequence_number_is_the_checkpoint() -> None:
    response = {
        "batchItemFailures": [{"itemIdentifier": _seq(3)}, {"itemIdentifier": _seq(1)}]
    }
    assert _partial(response)[1] == ["2", "3", "4", "5"]


@pytest.mark.parametrize(
    "response",
    [None, {}, {"batchItemFailures": None}, {"batchItemFailures": []}],
    ids=["null response", "empty response", "null list", "empty list"],
)
def test_these_responses_are_a_complete_success(response: object) -> None:
    assert _partial(response) == [["1", "2", "3", "4", "5"]]


@pytest.mark.parametrize(
    "response",
    [
        {"batchItemFailures": [{"itemIdentifier": ""}]},
        {"batchItemFailures": [{"itemIdentifier": None}]},
        {"batchItemFailures": [{"itemIdentifer": _seq(2)}]},
        {"batchItemFailures": [{"itemIdentifier": "49000"}]},
        {"batchItemFailures": "3"},
        "not an object",
    ],
    ids=["empty id", "null id", "wrong key", "not in the batch", "not a list", "text"],
)
def test_these_responses_are_a_complete_failure(response: object) -> None:
    assert _partial(response) == [["1", "2", "3", "4", "5"]] * 2


def test_partial_responses_are_ignored_without_the_setting() -> None:
    """Without ReportBatchItemFailures a returned list means nothing: success."""
    seen: list[list[str]] = []

    def handler(event: dict[str, object]) -> object:
        seen.append(datas(event))
        return {"batchItemFailures": [{"itemIdentifier": _seq(0)}]}

    writes = [Write(time=0, partition_key="k", data=b"1")]
    run = simulate_consumer(ONE, writes, EventSourceMapping(), handler)
    assert seen == [["1"]]
    assert len(run.acknowledged) == 1


# --- errors, bisect, retries and the destination ------------------------------


def poison_on(value: str) -> object:
    return lambda record: base64.b64decode(record["kinesis"]["data"]) == value.encode()


def _digits(count: int) -> list[Write]:
    return [
        Write(time=0, partition_key="k", data=str(i).encode())
        for i in range(1, count + 1)
    ]


def test_a_function_error_retries_the_whole_batch_until_the_quota() -> None:
    """MaximumRetryAttempts 2: the first try and two retries, then discarded."""
    mapping = EventSourceMapping(
        batch_size=4, maximum_retry_attempts=2, destination_on_failure=DLQ
    )
    handler = failing_handler(poison_on("3"))  # type: ignore[arg-type]
    run = simulate_consumer(ONE, _digits(4), mapping, handler)
    assert [i.retry for i in run.invocations] == [0, 1, 2]
    assert all(i.outcome == "error" for i in run.invocations)
    (discard,) = run.discarded
    assert discard.condition == "RetryAttemptsExhausted"
    assert [r.data for r in discard.records] == [b"1", b"2", b"3", b"4"]
    document = discard.destination_record
    assert document is not None
    assert document["requestContext"]["condition"] == "RetryAttemptsExhausted"  # type: ignore[index]
    assert document["requestContext"]["approximateInvokeCount"] == 3  # type: ignore[index]
    assert document["responseContext"]["functionError"] == "Unhandled"  # type: ignore[index]
    info = document["KinesisBatchInfo"]
    assert info["batchSize"] == 4  # type: ignore[index]
    assert info["shardId"] == "shardId-000000000000"  # type: ignore[index]
    assert info["startSequenceNumber"] == discard.records[0].sequence_number  # type: ignore[index]
    assert info["endSequenceNumber"] == discard.records[-1].sequence_number  # type: ignore[index]
    assert info["streamArn"] == "arn:aws:kinesis:us-east-1:123456789012:stream/stream"  # type: ignore[index]


def test_zero_retries_discards_after_the_first_try_and_without_a_destination() -> None:
    mapping = EventSourceMapping(maximum_retry_attempts=0)
    handler = failing_handler(poison_on("1"))  # type: ignore[arg-type]
    run = simulate_consumer(ONE, _digits(1), mapping, handler)
    assert len(run.invocations) == 1
    assert run.discarded[0].destination_record is None


def test_bisect_isolates_the_poison_record_without_using_retries() -> None:
    """Splitting a batch doesn't consume the retry quota ("Retain discarded ...")."""
    mapping = EventSourceMapping(
        batch_size=8, bisect_batch_on_function_error=True, maximum_retry_attempts=0
    )
    handler = failing_handler(poison_on("6"))  # type: ignore[arg-type]
    seen: list[list[str]] = []

    def recording(event: dict[str, object]) -> object:
        seen.append(datas(event))
        return handler(event)

    run = simulate_consumer(ONE, _digits(8), mapping, recording)
    assert seen == [
        ["1", "2", "3", "4", "5", "6", "7", "8"],
        ["1", "2", "3", "4"],
        ["5", "6", "7", "8"],
        ["5", "6"],
        ["5"],
        ["6"],
        ["7", "8"],
    ]
    assert [r.data for d in run.discarded for r in d.records] == [b"6"]
    assert len(run.acknowledged) == 7


def test_bisect_with_a_partial_response_splits_at_the_returned_record() -> None:
    """Both settings on: the batch splits at the checkpoint, only the rest retried."""
    mapping = EventSourceMapping(
        batch_size=5,
        bisect_batch_on_function_error=True,
        function_response_types=RBIF,
        maximum_retry_attempts=0,
    )
    handler = failing_handler(poison_on("4"), report_failures=True)  # type: ignore[arg-type]
    seen: list[list[str]] = []

    def recording(event: dict[str, object]) -> object:
        seen.append(datas(event))
        return handler(event)

    run = simulate_consumer(ONE, _digits(5), mapping, recording)
    assert seen == [["1", "2", "3", "4", "5"], ["4", "5"], ["4"], ["5"]]
    assert [r.data for d in run.discarded for r in d.records] == [b"4"]


def test_a_blocked_lane_does_not_hold_up_the_others() -> None:
    """A failing batch blocks its lane (iterator age grows); other lanes go on."""
    keys = [f"key-{i}" for i in range(40)]
    poison_key = keys[0]
    lanes = {k: hash_key(k) % 2 for k in keys}
    other = next(k for k in keys if lanes[k] != lanes[poison_key])
    writes = [Write(time=0, partition_key=poison_key, data=b"bad")] + [
        Write(time=t, partition_key=other, data=b"good") for t in range(1, 6)
    ]
    mapping = EventSourceMapping(parallelization_factor=2, maximum_retry_attempts=-1)
    handler = failing_handler(lambda r: r["kinesis"]["data"] == "YmFk")  # type: ignore[index]
    run = simulate_consumer(ONE, writes, mapping, handler, duration=1.0, until=30)
    good = [i for i in run.invocations if i.lane == lanes[other]]
    assert sum(len(i.records) for i in good) == 5
    assert all(i.outcome == "success" for i in good)
    bad = [i for i in run.invocations if i.lane == lanes[poison_key]]
    assert len(bad) >= 25
    ages = [i.iterator_age_ms for i in bad]
    assert ages == sorted(ages)
    assert ages[-1] > 25_000
    assert len(run.pending) == 1


def test_maximum_record_age_discards_a_blocked_batch() -> None:
    mapping = EventSourceMapping(maximum_record_age=60, destination_on_failure=DLQ)
    handler = failing_handler(poison_on("1"))  # type: ignore[arg-type]
    run = simulate_consumer(ONE, _digits(1), mapping, handler, duration=1.0)
    assert run.discarded[0].condition == "RecordAgeExceeded"
    assert run.invocations[-1].time <= 60.2
    assert len(run.invocations) == 60


# --- tumbling windows -----------------------------------------------------------


def test_tumbling_window_state_is_carried_and_the_last_call_is_final() -> None:
    """State passes between a window's invocations; the final one says so."""
    calls: list[tuple[list[str], object, bool, str]] = []

    def count(event: dict[str, object]) -> object:
        state = event["state"]
        assert isinstance(state, dict)
        calls.append(
            (
                datas(event),
                dict(state),
                bool(event["isFinalInvokeForWindow"]),
                event["window"]["start"],  # type: ignore[index]
            )
        )
        return {"state": {"total": state.get("total", 0) + len(datas(event))}}

    writes = [
        Write(time=t, partition_key="k", data=str(t).encode()) for t in (1, 2, 31, 32)
    ]
    mapping = EventSourceMapping(tumbling_window=30, batch_size=1)
    simulate_consumer(ONE, writes, mapping, count, propagation_delay=0.0)
    assert calls == [
        (["1"], {}, False, "2024-01-01T00:00:00.000Z"),
        (["2"], {"total": 1}, False, "2024-01-01T00:00:00.000Z"),
        ([], {"total": 2}, True, "2024-01-01T00:00:00.000Z"),
        (["31"], {}, False, "2024-01-01T00:00:30.000Z"),
        (["32"], {"total": 1}, False, "2024-01-01T00:00:30.000Z"),
        ([], {"total": 2}, True, "2024-01-01T00:00:30.000Z"),
    ]


def test_a_batch_never_spans_two_windows() -> None:
    writes = [Write(time=t, partition_key="k") for t in (1, 2, 31, 32)]
    mapping = EventSourceMapping(tumbling_window=30, maximum_batching_window=300)
    run = simulate_consumer(ONE, writes, mapping, lambda e: None)
    with_records = [i for i in run.invocations if i.records]
    assert [len(i.records) for i in with_records] == [2, 2]
    assert all(i.final_for_window for i in with_records)
    assert [i.window for i in with_records] == [(0, 30), (30, 60)]


def test_an_oversized_state_fails_the_invocation() -> None:
    def huge(event: dict[str, object]) -> object:
        del event
        return {"state": {"blob": "x" * (1024 * 1024)}}

    mapping = EventSourceMapping(tumbling_window=30, maximum_retry_attempts=0)
    run = simulate_consumer(ONE, [Write(time=1, partition_key="k")], mapping, huge)
    assert run.invocations[0].outcome == "error"
    assert len(run.discarded) == 1


# --- the arguments -------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"batch_size": 0}, "BatchSize"),
        ({"batch_size": 10_001}, "BatchSize"),
        ({"batch_size": True}, "BatchSize"),
        ({"maximum_batching_window": 301}, "MaximumBatchingWindowInSeconds"),
        ({"maximum_batching_window": -1}, "MaximumBatchingWindowInSeconds"),
        ({"parallelization_factor": 0}, "ParallelizationFactor"),
        ({"parallelization_factor": 11}, "ParallelizationFactor"),
        ({"maximum_retry_attempts": -2}, "MaximumRetryAttempts"),
        ({"maximum_retry_attempts": 10_001}, "MaximumRetryAttempts"),
        ({"maximum_record_age": 59}, "MaximumRecordAgeInSeconds"),
        ({"maximum_record_age": 0}, "MaximumRecordAgeInSeconds"),
        ({"maximum_record_age": 604_801}, "MaximumRecordAgeInSeconds"),
        ({"tumbling_window": 901}, "TumblingWindowInSeconds"),
        ({"starting_position": "NOW"}, "StartingPosition"),
        ({"starting_position": "AT_TIMESTAMP"}, "StartingPositionTimestamp"),
        ({"starting_position_timestamp": 5.0}, "StartingPositionTimestamp"),
        (
            {"starting_position": "AT_TIMESTAMP", "starting_position_timestamp": "x"},
            "StartingPositionTimestamp",
        ),
        ({"function_response_types": ("Everything",)}, "FunctionResponseTypes"),
        ({"bisect_batch_on_function_error": 1}, "BisectBatchOnFunctionError"),
        ({"destination_on_failure": "my-queue"}, "DestinationConfig"),
    ],
)
def test_settings_lambda_refuses(kwargs: dict[str, object], field: str) -> None:
    with pytest.raises(EventSourceMappingError) as caught:
        EventSourceMapping(**kwargs)  # type: ignore[arg-type]
    assert caught.value.field == field
    assert isinstance(caught.value, ValueError)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"batch_size": 1},
        {"batch_size": 10_000},
        {"maximum_batching_window": 300},
        {"parallelization_factor": 10},
        {"maximum_retry_attempts": 10_000},
        {"maximum_record_age": 60},
        {"maximum_record_age": 604_800},
        {"tumbling_window": 900},
        {"tumbling_window": 0},
    ],
)
def test_settings_at_their_edges_are_accepted(kwargs: dict[str, object]) -> None:
    EventSourceMapping(**kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda: simulate_consumer(ONE, [1], EventSourceMapping(), ok), "writes[0]"),  # type: ignore[list-item]
        (
            lambda: simulate_consumer(
                ONE, [Write(time=-1, partition_key="k")], EventSourceMapping(), ok
            ),
            "writes[0].time",
        ),
        (
            lambda: simulate_consumer(
                ONE, [Write(time=1e300, partition_key="k")], EventSourceMapping(), ok
            ),
            "writes[0].time",
        ),
        (
            lambda: simulate_consumer(
                ONE,
                [Write(time=0, partition_key="k", data="x")],  # type: ignore[arg-type]
                EventSourceMapping(),
                ok,
            ),
            "writes[0].data",
        ),
        (lambda: simulate_consumer(ONE, [], {}, ok), "mapping"),  # type: ignore[arg-type]
        (lambda: simulate_consumer(ONE, [], EventSourceMapping(), 5), "handler"),  # type: ignore[arg-type]
        (
            lambda: simulate_consumer(ONE, [], EventSourceMapping(), ok, duration="1"),  # type: ignore[arg-type]
            "duration",
        ),
        (
            lambda: simulate_consumer(
                ONE, [], EventSourceMapping(), ok, propagation_delay=float("nan")
            ),
            "propagation_delay",
        ),
        (
            lambda: simulate_consumer(ONE, [], EventSourceMapping(), ok, until=2**63),
            "until",
        ),
        (
            lambda: simulate_consumer(
                ONE, [], EventSourceMapping(), ok, max_invocations=0
            ),
            "max_invocations",
        ),
        (
            lambda: simulate_consumer(
                ONE,
                [],
                EventSourceMapping(),
                ok,
                concurrency=5,  # type: ignore[arg-type]
            ),
            "concurrency",
        ),
    ],
)
def test_bad_arguments_are_typed_errors_naming_them(call: object, field: str) -> None:
    with pytest.raises(EventSourceMappingError) as caught:
        call()  # type: ignore[operator]
    assert caught.value.field == field


def test_a_stream_that_is_not_a_stream_is_refused() -> None:
    with pytest.raises(KinesisInputError, match="Stream"):
        simulate_consumer(4, [], EventSourceMapping(), ok)  # type: ignore[arg-type]


def test_a_run_past_its_invocation_bound_stops_with_a_typed_error() -> None:
    handler = failing_handler(poison_on("1"))  # type: ignore[arg-type]
    with pytest.raises(EventSourceMappingError, match="10 invocations"):
        simulate_consumer(
            ONE, _digits(1), EventSourceMapping(), handler, max_invocations=10
        )


def test_a_duration_function_sets_each_invocations_length() -> None:
    run = simulate_consumer(
        ONE,
        spread(3, 0.01, key="k"),
        EventSourceMapping(batch_size=1),
        ok,
        duration=lambda records: 2.0 * len(records),
    )
    assert [round(i.end - i.time, 6) for i in run.invocations] == [2.0, 2.0, 2.0]


def test_writes_past_the_bound_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    import awscore.kinesis._consumer as consumer

    monkeypatch.setattr(consumer, "MAX_SIMULATED_WRITES", 3)
    with pytest.raises(EventSourceMappingError, match="more than 3 writes"):
        simulate_consumer(ONE, spread(4, 1), EventSourceMapping(), ok)


def test_an_explicit_hash_key_picks_the_shard() -> None:
    stream = Stream.create(2)
    top = stream.shards[1].starting_hash_key
    writes = [Write(time=0, partition_key="k", explicit_hash_key=top)]
    run = simulate_consumer(stream, writes, EventSourceMapping(), ok)
    assert run.records[0].shard_id == "shardId-000000000001"


def test_a_window_state_that_is_not_an_object_fails_the_invocation() -> None:
    mapping = EventSourceMapping(tumbling_window=30, maximum_retry_attempts=0)
    run = simulate_consumer(
        ONE, [Write(time=1, partition_key="k")], mapping, lambda e: {"state": [1]}
    )
    assert run.invocations[0].outcome == "error"


@pytest.mark.parametrize(
    "reserved",
    [{"": 1}, {5: 1}, {"f": -1}, {"f": True}, [("f", 1)]],
)
def test_bad_reservations_are_refused(reserved: object) -> None:
    with pytest.raises(EventSourceMappingError):
        ConcurrencyPool(reserved=reserved)  # type: ignore[arg-type]
