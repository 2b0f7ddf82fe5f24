"""Properties every simulated event source mapping keeps, whatever its settings."""

from __future__ import annotations

import base64
import contextlib
import random

from hypothesis import given, settings
from hypothesis import strategies as st

from awscore.kinesis import (
    ConcurrencyPool,
    ConsumerRun,
    EventSourceMapping,
    Stream,
    Write,
    failing_handler,
    simulate_consumer,
)
from tests.strategies.kinesis_consumer import mappings, writes


def _poison(seed: int, rate: float) -> object:
    """A deterministic choice of poison records: by their data and the seed."""

    def is_poison(record: dict[str, object]) -> bool:
        kinesis = record["kinesis"]
        assert isinstance(kinesis, dict)
        key = f"{seed}:{kinesis['sequenceNumber']}"
        return random.Random(key).random() < rate  # noqa: S311 - a test's choice

    return is_poison


def _run(
    stream_shards: int,
    items: list[Write],
    mapping: EventSourceMapping,
    seed: int,
    rate: float,
) -> ConsumerRun:
    handler = failing_handler(
        _poison(seed, rate),  # type: ignore[arg-type]
        report_failures=mapping.reports_batch_item_failures,
    )
    return simulate_consumer(
        Stream.create(stream_shards),
        items,
        mapping,
        handler,
        duration=0.5,
        concurrency=ConcurrencyPool().reserve("function", 3),
    )


@settings(max_examples=200)
@given(
    st.integers(1, 3),
    writes(),
    mappings(),
    st.integers(0, 10**6),
    st.sampled_from((0.0, 0.1, 0.5)),
)
def test_every_record_is_acknowledged_or_discarded_never_both_never_lost(
    shards: int, items: list[Write], mapping: EventSourceMapping, seed: int, rate: float
) -> None:
    """With bounded retries each record ends acknowledged or discarded, never both."""
    run = _run(shards, items, mapping, seed, rate)
    discarded = [
        (r.shard_id, r.sequence_number) for d in run.discarded for r in d.records
    ]
    assert len(discarded) == len(set(discarded))
    assert not run.acknowledged & set(discarded)
    every = {(r.shard_id, r.sequence_number) for r in run.records}
    assert run.acknowledged | set(discarded) == every
    assert run.pending == ()


@settings(max_examples=200)
@given(st.integers(1, 3), writes(), mappings(bounded_retries=False))
def test_without_failures_every_record_is_delivered_exactly_once(
    shards: int, items: list[Write], mapping: EventSourceMapping
) -> None:
    """No failures: each record reaches the handler once, and all are acknowledged."""
    run = _run(shards, items, mapping, 0, 0.0)
    delivered = [
        (r.shard_id, r.sequence_number) for i in run.invocations for r in i.records
    ]
    assert len(delivered) == len(set(delivered)) == len(items)
    assert run.discarded == ()


@settings(max_examples=200)
@given(
    st.integers(1, 3),
    writes(),
    mappings(),
    st.integers(0, 10**6),
    st.sampled_from((0.1, 0.5)),
)
def test_a_keys_records_reach_the_handler_in_sequence_order(
    shards: int, items: list[Write], mapping: EventSourceMapping, seed: int, rate: float
) -> None:
    """Per partition key, first deliveries follow sequence order, as does each batch."""
    run = _run(shards, items, mapping, seed, rate)
    first_seen: dict[str, list[int]] = {}
    seen: set[str] = set()
    for invocation in sorted(run.invocations, key=lambda i: i.time):
        numbers = [int(r.sequence_number) for r in invocation.records]
        assert numbers == sorted(numbers)
        for record in invocation.records:
            if record.sequence_number not in seen:
                seen.add(record.sequence_number)
                first_seen.setdefault(record.partition_key, []).append(
                    int(record.sequence_number)
                )
    for numbers in first_seen.values():
        assert numbers == sorted(numbers)


@settings(max_examples=200)
@given(
    st.integers(1, 3), writes(), mappings(), st.integers(0, 10**6), st.integers(0, 8)
)
def test_lanes_and_concurrency_never_exceed_their_limits(
    shards: int,
    items: list[Write],
    mapping: EventSourceMapping,
    seed: int,
    reserved: int,
) -> None:
    """Lanes per shard <= ParallelizationFactor; running <= reserved concurrency."""
    handler = failing_handler(_poison(seed, 0.2))  # type: ignore[arg-type]
    run = simulate_consumer(
        Stream.create(shards),
        items,
        mapping,
        handler,
        duration=1.0,
        concurrency=ConcurrencyPool().reserve("function", reserved),
    )
    lanes: dict[str, set[int]] = {}
    for invocation in run.invocations:
        lanes.setdefault(invocation.shard_id, set()).add(invocation.lane)
        assert 0 <= invocation.lane < mapping.parallelization_factor
    assert all(len(used) <= mapping.parallelization_factor for used in lanes.values())
    assert run.peak_concurrency <= min(
        reserved, shards * mapping.parallelization_factor
    )
    # recount from the invocations themselves: never more at once than allowed
    edges = sorted(
        [(i.time, 1) for i in run.invocations] + [(i.end, -1) for i in run.invocations]
    )
    running = peak = 0
    for _, change in edges:
        running += change
        peak = max(peak, running)
    assert peak <= max(reserved, 0)
    if reserved == 0:
        assert run.invocations == ()


@settings(max_examples=100)
@given(writes(max_size=20))
def test_the_handler_sees_the_bytes_that_were_written(items: list[Write]) -> None:
    """Each event record's base64 data decodes to the write's data."""
    got: list[bytes] = []

    def handler(event: dict[str, object]) -> None:
        records = event["Records"]
        assert isinstance(records, list)
        got.extend(base64.b64decode(r["kinesis"]["data"]) for r in records)

    simulate_consumer(Stream.create(1), items, EventSourceMapping(), handler)
    assert sorted(got) == sorted(w.data for w in items)


@settings(max_examples=300)
@given(st.one_of(st.text(max_size=300), st.binary(max_size=300)))
def test_hostile_mapping_and_writes_documents_raise_only_typed_errors(
    text: str | bytes,
) -> None:
    """Any bytes as a mapping document or writes CSV: an answer or a typed error."""
    from awscore.errors import AwsCoreError
    from awscore.kinesis import mapping_from_aws_json, read_writes_csv

    for call in (
        lambda: mapping_from_aws_json(text),
        lambda: read_writes_csv(
            text if isinstance(text, str) else text.decode("latin-1")
        ),
    ):
        with contextlib.suppress(AwsCoreError):
            call()
