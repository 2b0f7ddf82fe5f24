"""How fast consumers can read a shard, and how far behind they fall.

Kinesis Data Streams quotas ("Quotas and limits"; "Develop enhanced fan-out
consumers"): a shard serves reads at up to 2 MB per second and 5 GetRecords calls
per second, shared by every shared-throughput consumer; each enhanced fan-out
consumer gets its own 2 MB per second per shard, pushed over SubscribeToShard.
Here MB is the quota's 1,048,576 bytes. The propagation delays (about 200 ms for
GetRecords polling, about 70 ms with enhanced fan-out) are AWS's typical
figures, not guarantees: they are parameters.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from awscore._inputs import shown
from awscore.errors import KinesisInputError

__all__ = [
    "SHARD_READ_BYTES_PER_SECOND",
    "SHARD_READ_CALLS_PER_SECOND",
    "ConsumerThroughput",
    "IteratorAgeSample",
    "iterator_age",
    "read_throughput",
]

#: a shard's read quota, shared by shared-throughput consumers (2 MB/s)
SHARD_READ_BYTES_PER_SECOND = 2 * 1024 * 1024
#: GetRecords calls a shard serves per second, shared likewise
SHARD_READ_CALLS_PER_SECOND = 5
#: the most seconds :func:`iterator_age` simulates (a week)
MAX_AGE_SECONDS = 7 * 24 * 3600

Mode = Literal["shared", "enhanced"]


@dataclass(frozen=True, slots=True, kw_only=True)
class ConsumerThroughput:
    """What one consumer of a shard can read."""

    mode: Mode
    #: bytes per second this consumer can read from the shard
    bytes_per_second: float
    #: GetRecords calls per second it may make (None: pushed, no polling)
    calls_per_second: float | None
    #: typical time from a write to this consumer seeing it, in milliseconds
    propagation_ms: float


def _count(value: object, name: str, high: int = 10_000) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= high:
        raise KinesisInputError(
            f"{name} must be a whole number 0..{high}, got {shown(value)}"
        )
    return value


def _rate(value: object, name: str) -> float:
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or (isinstance(value, int) and value.bit_length() > 64)
        or not math.isfinite(value)
        or value < 0
        or value > 1e15
    ):
        raise KinesisInputError(
            f"{name} must be a finite number 0..1e15, got {shown(value)}"
        )
    return float(value)


def read_throughput(
    *,
    shared_consumers: int = 1,
    enhanced_consumers: int = 0,
    shared_propagation_ms: float = 200.0,
    enhanced_propagation_ms: float = 70.0,
) -> tuple[ConsumerThroughput, ...]:
    """Each consumer's share of one shard: shared consumers first, then enhanced.

    Shared-throughput consumers split the shard's 2 MB/s and 5 calls/s evenly;
    each enhanced fan-out consumer (at most 20 per stream) has 2 MB/s of its own.

    >>> from awscore.kinesis import read_throughput
    >>> consumers = read_throughput(shared_consumers=3)
    >>> [round(c.bytes_per_second / 2**20, 2) for c in consumers]
    [0.67, 0.67, 0.67]
    """
    shared = _count(shared_consumers, "shared_consumers")
    enhanced = _count(enhanced_consumers, "enhanced_consumers", 20)
    slow = _rate(shared_propagation_ms, "shared_propagation_ms")
    fast = _rate(enhanced_propagation_ms, "enhanced_propagation_ms")
    result = [
        ConsumerThroughput(
            mode="shared",
            bytes_per_second=SHARD_READ_BYTES_PER_SECOND / shared,
            calls_per_second=SHARD_READ_CALLS_PER_SECOND / shared,
            # with more pollers than calls, each waits longer between polls
            propagation_ms=max(slow, 1000 * shared / SHARD_READ_CALLS_PER_SECOND),
        )
        for _ in range(shared)
    ]
    result += [
        ConsumerThroughput(
            mode="enhanced",
            bytes_per_second=float(SHARD_READ_BYTES_PER_SECOND),
            calls_per_second=None,
            propagation_ms=fast,
        )
        for _ in range(enhanced)
    ]
    return tuple(result)


@dataclass(frozen=True, slots=True, kw_only=True)
class IteratorAgeSample:
    """The consumer's position at the end of one second."""

    second: int
    #: GetRecords.MillisBehindLatest / IteratorAgeMilliseconds: age of the next
    #: unread byte (0 when caught up)
    iterator_age_ms: float
    #: bytes written but not yet read
    backlog_bytes: float


def iterator_age(
    write_bytes_per_second: Iterable[float],
    consumer: ConsumerThroughput,
    *,
    processing_bytes_per_second: float | None = None,
) -> tuple[IteratorAgeSample, ...]:
    """A consumer's iterator age, second by second, for the shard's write rates.

    Each second's writes are read first in, first out, at the consumer's read
    rate (or the slower ``processing_bytes_per_second`` the consumer can keep up
    with). The age is how long the oldest unread byte has waited, plus the
    consumer's propagation delay; a consumer reading slower than the stream is
    written falls further behind every second.
    """
    if not isinstance(consumer, ConsumerThroughput):
        raise KinesisInputError("consumer must be a ConsumerThroughput")
    rate = consumer.bytes_per_second
    if processing_bytes_per_second is not None:
        processing = _rate(processing_bytes_per_second, "processing_bytes_per_second")
        rate = min(rate, processing)
    queue: deque[list[float]] = deque()  # [second written, bytes left]
    backlog = 0.0
    samples: list[IteratorAgeSample] = []
    if isinstance(write_bytes_per_second, str | bytes) or not hasattr(
        write_bytes_per_second, "__iter__"
    ):
        raise KinesisInputError("write_bytes_per_second must be a sequence of numbers")
    for second, written in enumerate(write_bytes_per_second):
        if second >= MAX_AGE_SECONDS:
            raise KinesisInputError(
                f"iterator_age simulates at most {MAX_AGE_SECONDS} seconds"
            )
        amount = _rate(written, f"write_bytes_per_second[{second}]")
        if amount:
            queue.append([float(second), amount])
            backlog += amount
        budget = rate
        while queue and budget > 0:
            head = queue[0]
            used = min(head[1], budget)
            head[1] -= used
            budget -= used
            backlog -= used
            if head[1] <= 0:
                queue.popleft()
        age = 0.0
        if queue:
            age = (second + 1 - queue[0][0]) * 1000 + consumer.propagation_ms
        samples.append(
            IteratorAgeSample(
                second=second, iterator_age_ms=age, backlog_bytes=max(backlog, 0.0)
            )
        )
    return tuple(samples)
