"""Kinesis consumers: an hour of 100 shards through a Lambda event source mapping.

Workload **kinesis-consumer-1h-100-shards**: 360,000 writes (one a second per shard
on average, 2,000 partition keys, 100-byte payloads, seeded) into a 100-shard
stream, consumed by :func:`awscore.kinesis.simulate_consumer` with BatchSize 100,
a 1-second batching window and ParallelizationFactor 2, a 0.2-second function and
one record in 10,000 a poison record (ReportBatchItemFailures with bisect, three
retries). Reported as ``extra_info["records_per_second"]``: simulated records per
wall-clock second. The floor is the work any consumer model pays per record:
routing it to its shard (``Stream.shards_for``) and building Lambda's event
record for it (base64 of the data and the record's JSON).

Implementations (``benchmark.extra_info["implementation"]``): ``floor``,
``awscore``. No peer models an event source mapping (moto runs none), so there is
no peer row. Target (reported, not asserted): an hour of 100 shards in seconds.
"""

from __future__ import annotations

import base64
import json
import random
from typing import Any

import pytest

from awscore.kinesis import (
    EventSourceMapping,
    Stream,
    Write,
    failing_handler,
    simulate_consumer,
)

SHARDS = 100
SECONDS = 3600
WRITES = SHARDS * SECONDS


def _writes() -> list[Write]:
    rng = random.Random(20_261_204)  # noqa: S311 - reproducible load, not crypto
    payload = b"x" * 100
    return [
        Write(
            time=rng.uniform(0, SECONDS),
            partition_key=f"device-{rng.randrange(2000)}",
            data=payload,
        )
        for _ in range(WRITES)
    ]


def _poison(record: dict[str, object]) -> bool:
    kinesis = record["kinesis"]
    assert isinstance(kinesis, dict)
    return int(kinesis["sequenceNumber"]) % 10_000 == 7


@pytest.fixture(scope="module")
def writes() -> list[Write]:
    return _writes()


@pytest.mark.parametrize("impl", ["floor", "awscore"])
def test_consume_an_hour(benchmark: Any, impl: str, writes: list[Write]) -> None:
    stream = Stream.create(SHARDS)
    mapping = EventSourceMapping(
        batch_size=100,
        maximum_batching_window=1,
        parallelization_factor=2,
        function_response_types=("ReportBatchItemFailures",),
        bisect_batch_on_function_error=True,
        maximum_retry_attempts=3,
    )
    if impl == "floor":

        def run() -> Any:
            shards = stream.shards_for(w.partition_key for w in writes)
            return [
                json.dumps(
                    {
                        "shard": shard.shard_id,
                        "partitionKey": w.partition_key,
                        "data": base64.b64encode(w.data).decode(),
                    }
                )
                for w, shard in zip(writes, shards, strict=True)
            ]

    else:
        handler = failing_handler(_poison, report_failures=True)

        def run() -> Any:
            return simulate_consumer(stream, writes, mapping, handler, duration=0.2)

    benchmark.group = "kinesis-consumer-1h-100-shards"
    benchmark.extra_info["implementation"] = impl
    benchmark.extra_info["workload"] = (
        f"{WRITES:,} writes, {SHARDS} shards, 1 h, factor 2, batch 100"
    )
    # one round: a run takes seconds, and the workload is the same every time
    result = benchmark.pedantic(run, rounds=1, iterations=1, warmup_rounds=0)
    if impl == "awscore":
        assert not result.pending
        settled = len(result.acknowledged)
        settled += sum(len(d.records) for d in result.discarded)
        assert settled == len(writes)
        benchmark.extra_info["invocations"] = len(result.invocations)
    if benchmark.stats is not None:  # None under --benchmark-disable
        median = benchmark.stats.stats.median
        benchmark.extra_info["records_per_second"] = round(WRITES / median)
