"""A Lambda event source mapping reading a Kinesis stream, simulated in time.

:func:`simulate_consumer` plays writes into a :class:`~awscore.kinesis.Stream`
and hands batches to a handler exactly as the mapping's settings say (the Lambda
developer guide's Kinesis pages; :mod:`awscore.kinesis._esm` names each
setting's source):

* **Batching.** A lane invokes when ``batch_size`` records are waiting, when the
  batching window has passed since the first waiting record became readable, or
  when the next record would take the payload past 6 MB, whichever comes first.
* **Lanes.** ParallelizationFactor N gives each shard N lanes; a partition key
  always goes to the same lane (awscore's rule: the key's 128-bit MD5 hash key
  modulo N, since AWS guarantees per-key order but does not publish its rule), so
  a key's records reach the handler in sequence order. A lane runs one batch at a
  time and a failed batch blocks its lane, not the others.
* **Concurrency.** Invocations at once never exceed the function's reserved
  concurrency or, without one, the account's unreserved pool; reserved
  concurrency 0 throttles every invocation.
* **Failures.** A raised exception fails the whole batch. With
  ReportBatchItemFailures the response's ``batchItemFailures`` checkpoint at the
  lowest sequence number reported; an empty or null list (or response) is a
  success; an identifier that is empty, null, under the wrong key or not in the
  batch fails the whole batch. BisectBatchOnFunctionError splits a failed batch in
  two (splitting does not consume the retry quota); MaximumRetryAttempts and
  MaximumRecordAgeInSeconds discard to the OnFailure destination.
* **Tumbling windows.** A batch never spans two windows; the handler's returned
  ``state`` is handed to the next invocation of the window, and the window's last
  invocation says ``isFinalInvokeForWindow``.

The simulation is sans-I/O: the handler is a plain function of the event, time
is the writes' clock, and nothing random happens unless the handler does it.
"""

from __future__ import annotations

import bisect
import heapq
import json
import math
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal

from awscore._inputs import shown
from awscore.errors import EventSourceMappingError, KinesisInputError
from awscore.kinesis._esm import (
    MAX_INVOCATION_PAYLOAD,
    ConcurrencyPool,
    EventSourceMapping,
    StartingPosition,
)
from awscore.kinesis._hashing import hash_key
from awscore.kinesis._lambda_event import EventContext, StreamRecord
from awscore.kinesis._stream import Stream

__all__ = [
    "MAX_SIMULATED_INVOCATIONS",
    "MAX_SIMULATED_WRITES",
    "MAX_WINDOW_STATE",
    "ConsumerRun",
    "Discard",
    "Invocation",
    "Write",
    "failing_handler",
    "simulate_consumer",
]

#: the most writes one simulation takes (a bound, so a run's memory is bounded)
MAX_SIMULATED_WRITES = 5_000_000
#: the most invocations one simulation makes before it refuses to go on
MAX_SIMULATED_INVOCATIONS = 2_000_000
#: a tumbling window's state limit ("Tumbling windows": 1 MB)
MAX_WINDOW_STATE = 1024 * 1024
#: the longest simulated span, a year of seconds
_MAX_TIME = 366 * 24 * 3600.0

Handler = Callable[[dict[str, object]], object]
Outcome = Literal["success", "partial", "error", "expired"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Write:
    """One PutRecord: when it reached Kinesis, its key and its data."""

    time: float
    partition_key: str
    data: bytes = b""
    explicit_hash_key: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Invocation:
    """One call of the handler: when, for which lane, with which records, and how."""

    time: float
    shard_id: str
    lane: int
    records: tuple[StreamRecord, ...]
    #: 0 for a batch's first try, then the retries it has used
    retry: int
    outcome: Outcome
    #: ReportBatchItemFailures: the lowest failed sequence number
    checkpoint: str | None = None
    #: Lambda's IteratorAge metric: invocation time minus the last record's arrival
    iterator_age_ms: float = 0.0
    #: tumbling windows: the window's start and end on the simulation clock
    window: tuple[float, float] | None = None
    final_for_window: bool = False
    #: the invocation ended (its instance free again)
    end: float = 0.0


@dataclass(frozen=True, slots=True, kw_only=True)
class Discard:
    """Records Lambda gave up on, and what it sent to the OnFailure destination."""

    time: float
    shard_id: str
    lane: int
    records: tuple[StreamRecord, ...]
    condition: Literal["RetryAttemptsExhausted", "RecordAgeExceeded"]
    #: the invocation record sent, or None when no destination is configured
    destination_record: Mapping[str, object] | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ConsumerRun:
    """Everything a simulated mapping did, in time order."""

    invocations: tuple[Invocation, ...]
    discarded: tuple[Discard, ...]
    #: every record, in each shard's sequence order
    records: tuple[StreamRecord, ...]
    #: (shard id, sequence number) of each record the function finished
    acknowledged: frozenset[tuple[str, str]]
    #: the most invocations that ran at the same time
    peak_concurrency: int
    #: per shard: (time, IteratorAge ms) at each invocation
    iterator_age: Mapping[str, tuple[tuple[float, float], ...]] = field(
        default_factory=dict
    )
    #: records neither acknowledged nor discarded when the simulation stopped
    pending: tuple[StreamRecord, ...] = ()


@dataclass(slots=True)
class _Batch:
    records: tuple[StreamRecord, ...]
    retry: int
    not_before: float
    invokes: int = 0
    #: the last invocation of its tumbling window
    final: bool = False


@dataclass(slots=True)
class _Lane:
    shard_id: str
    lane: int
    records: list[StreamRecord]
    visible: list[float]
    #: prefix sums of the records' payload sizes
    sizes: list[int]
    windows: list[int]
    pos: int = 0
    busy_until: float = 0.0
    pending: deque[_Batch] = field(default_factory=deque)
    state: dict[str, object] = field(default_factory=dict)
    open_window: int | None = None


def _check_number(value: object, name: str, low: float, high: float) -> float:
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not math.isfinite(value)
        or not low <= value <= high
    ):
        raise EventSourceMappingError(
            f"{name} must be a number from {low:g} to {high:g}, got {shown(value)}",
            field=name,
        )
    return float(value)


def _place(
    stream: Stream,
    writes: Iterable[Write],
    mapping: EventSourceMapping,
    propagation_delay: float,
    context: EventContext,
) -> tuple[list[StreamRecord], dict[tuple[int, int], _Lane]]:
    """Route the writes to shards and lanes, numbering them per shard."""
    counters: dict[str, int] = {}
    shard_index = {shard.shard_id: i for i, shard in enumerate(stream.shards)}
    factor = mapping.parallelization_factor
    placed: list[StreamRecord] = []
    checked: list[Write] = []
    for index, write in enumerate(writes):
        if index >= MAX_SIMULATED_WRITES:
            raise EventSourceMappingError(
                f"more than {MAX_SIMULATED_WRITES} writes", field="writes"
            )
        if not isinstance(write, Write):
            raise EventSourceMappingError(
                f"writes[{index}] is not a Write", field=f"writes[{index}]"
            )
        _check_number(write.time, f"writes[{index}].time", 0, _MAX_TIME)
        if not isinstance(write.data, bytes):
            raise EventSourceMappingError(
                f"writes[{index}].data must be bytes", field=f"writes[{index}].data"
            )
        checked.append(write)
    # Kinesis numbers a shard's records in the order it receives them.
    checked.sort(key=lambda w: w.time)
    for write in checked:
        if write.explicit_hash_key is None:
            shard = stream.shard_for(write.partition_key)
        else:
            shard = stream.shard_for_hash_key(write.explicit_hash_key)
        count = counters.get(shard.shard_id, 0)
        counters[shard.shard_id] = count + 1
        index = shard_index[shard.shard_id]
        # 56 digits, like real sequence numbers; increasing within a shard.
        sequence = f"49{index:010d}{count:044d}"
        placed.append(
            StreamRecord(
                shard_id=shard.shard_id,
                sequence_number=sequence,
                partition_key=write.partition_key,
                data=write.data,
                arrival=float(write.time),
                lane=hash_key(write.partition_key) % factor,
            )
        )
    start = _start_time(mapping)
    window = mapping.window
    lanes: dict[tuple[int, int], _Lane] = {}
    for record in placed:
        if record.arrival < start:
            continue
        key = (shard_index[record.shard_id], record.lane)
        lane = lanes.get(key)
        if lane is None:
            lane = lanes[key] = _Lane(record.shard_id, record.lane, [], [], [0], [])
        lane.records.append(record)
        lane.visible.append(record.arrival + propagation_delay)
        lane.sizes.append(lane.sizes[-1] + context.record_size(record))
        lane.windows.append(int(record.arrival // window) if window else 0)
    return placed, lanes


def _start_time(mapping: EventSourceMapping) -> float:
    if mapping.starting_position is StartingPosition.AT_TIMESTAMP:
        assert mapping.starting_position_timestamp is not None  # checked by mapping
        return mapping.starting_position_timestamp
    # LATEST reads what arrives after the mapping is created, at time 0.
    return 0.0 if mapping.starting_position is StartingPosition.LATEST else -math.inf


class _Simulation:
    def __init__(
        self,
        *,
        mapping: EventSourceMapping,
        handler: Handler,
        context: EventContext,
        limit: int,
        duration: Callable[[tuple[StreamRecord, ...]], float],
        retry_delay: float,
        until: float,
        max_invocations: int,
    ) -> None:
        self.mapping = mapping
        self.handler = handler
        self.context = context
        self.limit = limit
        self.duration = duration
        self.retry_delay = retry_delay
        self.until = until
        self.max_invocations = max_invocations
        self.invocations: list[Invocation] = []
        self.discarded: list[Discard] = []
        self.acknowledged: set[tuple[str, str]] = set()
        self.running: list[float] = []
        self.peak = 0

    # -- when a lane can act next ------------------------------------------------

    def ready_at(self, lane: _Lane) -> float:
        if lane.pending:
            return max(lane.busy_until, lane.pending[0].not_before)
        window = self.mapping.window
        end = len(lane.records)
        if lane.open_window is not None and (
            lane.pos == end or lane.windows[lane.pos] != lane.open_window
        ):
            # every record of the open window is done: its final invocation
            return max(lane.busy_until, (lane.open_window + 1) * window)
        if lane.pos == end:
            return math.inf
        count, full, closes = self._batch_limit(lane)
        last = lane.visible[lane.pos + count - 1]
        trigger = lane.visible[lane.pos] + self.mapping.maximum_batching_window
        if full:
            trigger = min(trigger, last)
        if closes:
            trigger = min(trigger, max(last, (lane.windows[lane.pos] + 1) * window))
        return max(lane.busy_until, trigger)

    def _batch_limit(self, lane: _Lane) -> tuple[int, bool, bool]:
        """The next batch's size limit, whether it is full, whether it ends a window.

        A batch is full at BatchSize records or when one more would take the
        payload past 6 MB; with a tumbling window it also ends with the window's
        last record.
        """
        pos = lane.pos
        end = len(lane.records)
        count = min(self.mapping.batch_size, end - pos)
        full = count == self.mapping.batch_size
        budget = lane.sizes[pos] + MAX_INVOCATION_PAYLOAD - _ENVELOPE
        fits = bisect.bisect_right(lane.sizes, budget, pos + 1, pos + count + 1)
        fits -= pos + 1
        if fits < count:
            # a record too large even alone still goes, alone (PutRecord caps it)
            count, full = max(1, fits), True
        closes = False
        if self.mapping.window:
            window_end = bisect.bisect_right(lane.windows, lane.windows[pos], pos, end)
            if window_end - pos <= count:
                full = full and window_end - pos == count
                count, closes = window_end - pos, True
        return count, full, closes

    # -- one step of a lane ---------------------------------------------------------

    def act(self, lane: _Lane, now: float) -> None:
        if lane.pending:
            self.invoke(lane, now, lane.pending.popleft())
        elif lane.open_window is not None and (
            lane.pos == len(lane.records) or lane.windows[lane.pos] != lane.open_window
        ):
            self.invoke(lane, now, _Batch((), 0, now, final=True))
        else:
            self.invoke(lane, now, self.take(lane, now))

    def take(self, lane: _Lane, now: float) -> _Batch:
        """The lane's next batch: the readable records the limits allow."""
        count, _, closes = self._batch_limit(lane)
        taken = bisect.bisect_right(lane.visible, now, lane.pos, lane.pos + count)
        window = self.mapping.window
        final = (
            closes
            and taken == lane.pos + count
            and now >= (lane.windows[lane.pos] + 1) * window
        )
        records = tuple(lane.records[lane.pos : taken])
        lane.pos = taken
        return _Batch(records, 0, now, final=final)

    def expire(self, lane: _Lane, batch: _Batch, now: float) -> _Batch:
        """Discard the records older than MaximumRecordAgeInSeconds."""
        age = self.mapping.maximum_record_age
        if age == -1:
            return batch
        keep = 0
        while keep < len(batch.records) and now - batch.records[keep].arrival > age:
            keep += 1
        if keep:
            self.discard(
                lane, batch.records[:keep], now, "RecordAgeExceeded", batch.invokes
            )
            batch = _Batch(
                batch.records[keep:], batch.retry, now, batch.invokes, batch.final
            )
        return batch

    def discard(
        self,
        lane: _Lane,
        records: tuple[StreamRecord, ...],
        now: float,
        condition: Literal["RetryAttemptsExhausted", "RecordAgeExceeded"],
        invokes: int,
    ) -> None:
        document = None
        if self.mapping.destination_on_failure is not None:
            document = self.context.failure_record(
                records=records, time=now, condition=condition, invoke_count=invokes
            )
        self.discarded.append(
            Discard(
                time=now,
                shard_id=lane.shard_id,
                lane=lane.lane,
                records=records,
                condition=condition,
                destination_record=document,
            )
        )

    def invoke(self, lane: _Lane, now: float, batch: _Batch) -> None:
        batch = self.expire(lane, batch, now)
        final = batch.final
        if not batch.records and not final:
            return
        if len(self.invocations) >= self.max_invocations:
            raise EventSourceMappingError(
                f"the simulation made {self.max_invocations} invocations before "
                "its end: raise max_invocations or shorten until",
                field="max_invocations",
            )
        window = self.mapping.window
        bounds: tuple[float, float] | None = None
        event: dict[str, object] = {
            "Records": [self.context.record(r) for r in batch.records]
        }
        if window:
            index = (
                int(batch.records[0].arrival // window)
                if batch.records
                else lane.open_window
            )
            assert index is not None  # a final invocation has an open window
            bounds = (index * window, (index + 1) * window)
            if lane.open_window != index:
                lane.state = {}
            lane.open_window = index
            event.update(
                {
                    "window": {
                        "start": self.context.iso(bounds[0]),
                        "end": self.context.iso(bounds[1]),
                    },
                    "state": lane.state,
                    "shardId": lane.shard_id,
                    "eventSourceARN": self.context.stream_arn,
                    "isFinalInvokeForWindow": final,
                    "isWindowTerminatedEarly": False,
                }
            )
        outcome, checkpoint, state = self.call(event, batch.records)
        took = _check_number(self.duration(batch.records), "duration", 0, 900)
        end = now + took
        batch.invokes += 1
        heapq.heappush(self.running, end)
        self.peak = max(self.peak, len(self.running))
        lane.busy_until = end
        age = (now - batch.records[-1].arrival) * 1000 if batch.records else 0.0
        self.invocations.append(
            Invocation(
                time=now,
                shard_id=lane.shard_id,
                lane=lane.lane,
                records=batch.records,
                retry=batch.retry,
                outcome=outcome,
                checkpoint=checkpoint,
                iterator_age_ms=age,
                window=bounds,
                final_for_window=final,
                end=end,
            )
        )
        if outcome == "success":
            self.done(batch.records)
            if window:
                lane.state = state
                if final:
                    lane.open_window = None
            return
        self.failed(lane, batch, end, checkpoint)

    def call(
        self, event: dict[str, object], records: tuple[StreamRecord, ...]
    ) -> tuple[Outcome, str | None, dict[str, object]]:
        try:
            response = self.handler(event)
        except Exception:
            return "error", None, {}
        state: dict[str, object] = {}
        if self.mapping.window and isinstance(response, dict):
            returned = response.get("state")
            if returned is not None:
                if not isinstance(returned, dict) or (
                    len(json.dumps(returned, default=str)) > MAX_WINDOW_STATE
                ):
                    return "error", None, {}
                state = returned
        if not self.mapping.reports_batch_item_failures:
            return "success", None, state
        checkpoint = _checkpoint(response, records)
        if checkpoint is None:
            return "success", None, state
        if checkpoint == "":
            return "error", None, {}
        return "partial", checkpoint, state

    def done(self, records: Iterable[StreamRecord]) -> None:
        self.acknowledged.update((r.shard_id, r.sequence_number) for r in records)

    def failed(
        self, lane: _Lane, batch: _Batch, end: float, checkpoint: str | None
    ) -> None:
        records = batch.records
        again = end + self.retry_delay
        if checkpoint is not None:
            cut = next(
                i for i, r in enumerate(records) if r.sequence_number == checkpoint
            )
            if cut:
                self.done(records[:cut])
                # With bisect on, Lambda splits at the checkpoint: a split, not a
                # retry. Without it the remaining records are the batch retried.
                retry = batch.retry + (not self.mapping.bisect_batch_on_function_error)
                rest = _Batch(records[cut:], retry, again, batch.invokes, batch.final)
                self.retry_or_discard(lane, rest, end)
                return
        if self.mapping.bisect_batch_on_function_error and len(records) > 1:
            half = (len(records) + 1) // 2
            lane.pending.appendleft(
                _Batch(records[half:], batch.retry, again, batch.invokes, batch.final)
            )
            lane.pending.appendleft(
                _Batch(records[:half], batch.retry, again, batch.invokes)
            )
            return
        retried = _Batch(records, batch.retry + 1, again, batch.invokes, batch.final)
        self.retry_or_discard(lane, retried, end)

    def retry_or_discard(self, lane: _Lane, batch: _Batch, end: float) -> None:
        limit = self.mapping.maximum_retry_attempts
        if limit != -1 and batch.retry > limit:
            if batch.records:
                self.discard(
                    lane, batch.records, end, "RetryAttemptsExhausted", batch.invokes
                )
            if batch.final:
                # the window's last call gave up: the window closes with it
                lane.open_window = None
            return
        lane.pending.appendleft(batch)

    # -- the clock ------------------------------------------------------------------

    def run(self, lanes: list[_Lane]) -> None:
        queue = [(self.ready_at(lane), i) for i, lane in enumerate(lanes)]
        heapq.heapify(queue)
        while queue:
            when, index = heapq.heappop(queue)
            lane = lanes[index]
            ready = self.ready_at(lane)
            if ready == math.inf or ready > self.until:
                continue
            if ready > when:
                heapq.heappush(queue, (ready, index))
                continue
            while self.running and self.running[0] <= when:
                heapq.heappop(self.running)
            if len(self.running) >= self.limit:
                retry_at = self.throttled(lane, when)
                if retry_at is not None:
                    heapq.heappush(queue, (retry_at, index))
                continue
            self.act(lane, when)
            after = self.ready_at(lane)
            if after != math.inf:
                heapq.heappush(queue, (max(after, when), index))

    def throttled(self, lane: _Lane, now: float) -> float | None:
        """A lane that cannot invoke: when to look again, if ever."""
        if self.running:
            return self.running[0]
        # Reserved concurrency 0: nothing ever runs; records only age out.
        age = self.mapping.maximum_record_age
        if age == -1:
            return None
        batch = lane.pending.popleft() if lane.pending else self.take(lane, now)
        if not batch.records:
            return None
        oldest = batch.records[0].arrival
        if now - oldest > age:
            batch = self.expire(lane, batch, now)
            if batch.records:
                lane.pending.appendleft(batch)
            return now
        lane.pending.appendleft(batch)
        return math.nextafter(oldest + age, math.inf)


_ENVELOPE = len('{"Records":[]}')


def _checkpoint(response: object, records: tuple[StreamRecord, ...]) -> str | None:
    """The lowest failed sequence number; None for success, "" for a whole failure."""
    if response is None:
        return None
    if not isinstance(response, dict):
        return ""
    failures = response.get("batchItemFailures")
    if failures is None:
        return None
    if not isinstance(failures, list):
        return ""
    in_batch = {r.sequence_number for r in records}
    lowest: str | None = None
    for item in failures:
        identifier = item.get("itemIdentifier") if isinstance(item, dict) else None
        if not isinstance(identifier, str) or identifier not in in_batch:
            return ""
        if lowest is None or int(identifier) < int(lowest):
            lowest = identifier
    return lowest


def simulate_consumer(
    stream: Stream,
    writes: Iterable[Write],
    mapping: EventSourceMapping,
    handler: Handler,
    *,
    concurrency: ConcurrencyPool | None = None,
    context: EventContext | None = None,
    duration: float | Callable[[tuple[StreamRecord, ...]], float] = 0.1,
    propagation_delay: float = 0.2,
    retry_delay: float = 0.0,
    until: float | None = None,
    max_invocations: int = MAX_SIMULATED_INVOCATIONS,
) -> ConsumerRun:
    """Simulate ``mapping`` reading ``stream`` while ``writes`` arrive.

    ``handler`` gets each invocation's event, exactly the JSON Lambda sends
    (``Records`` with base64 ``data``...), and returns the function's response
    (a ``batchItemFailures`` document with ReportBatchItemFailures, a ``state``
    with a tumbling window) or raises to fail the batch. ``duration`` is how long
    an invocation runs (seconds, or a function of the batch); ``propagation_delay``
    how long a record takes to become readable (about 0.2 s for a shared-throughput
    consumer and 0.07 s with enhanced fan-out: figures, not guarantees);
    ``retry_delay`` the pause before a retry. The run stops at ``until`` (default:
    the last write plus ten minutes). Raises
    :class:`~awscore.errors.EventSourceMappingError` for a bad write or argument,
    or past ``max_invocations``.
    """
    if not isinstance(stream, Stream):
        raise KinesisInputError("stream must be a kinesis Stream")
    if not isinstance(mapping, EventSourceMapping):
        raise EventSourceMappingError(
            "mapping must be an EventSourceMapping", field="mapping"
        )
    if not callable(handler):
        raise EventSourceMappingError("handler must be callable", field="handler")
    concurrency = concurrency or ConcurrencyPool()
    context = context or EventContext()
    if not isinstance(concurrency, ConcurrencyPool) or not isinstance(
        context, EventContext
    ):
        raise EventSourceMappingError(
            "concurrency and context must be a ConcurrencyPool and an EventContext",
            field="concurrency",
        )
    delay = _check_number(propagation_delay, "propagation_delay", 0, 60)
    pause = _check_number(retry_delay, "retry_delay", 0, 3600)
    duration_of: Callable[[tuple[StreamRecord, ...]], float]
    if isinstance(duration, int | float):
        fixed = _check_number(duration, "duration", 0, 900)
        duration_of = lambda records: fixed  # noqa: E731 - the one fixed duration
    elif callable(duration):
        duration_of = duration
    else:
        raise EventSourceMappingError(
            "duration must be seconds or a function of the batch", field="duration"
        )
    if (
        isinstance(max_invocations, bool)
        or not isinstance(max_invocations, int)
        or max_invocations < 1
    ):
        raise EventSourceMappingError(
            "max_invocations must be a positive whole number", field="max_invocations"
        )
    placed, lanes = _place(stream, writes, mapping, delay, context)
    if until is None:
        until = (placed[-1].arrival if placed else 0.0) + 600.0
    end = _check_number(until, "until", 0, _MAX_TIME)
    simulation = _Simulation(
        mapping=mapping,
        handler=handler,
        context=context,
        limit=concurrency.limit_for(context.function_name),
        duration=duration_of,
        retry_delay=pause,
        until=end,
        max_invocations=max_invocations,
    )
    ordered = [lanes[key] for key in sorted(lanes)]
    simulation.run(ordered)
    discarded = {
        (r.shard_id, r.sequence_number) for d in simulation.discarded for r in d.records
    }
    settled = simulation.acknowledged | discarded
    ages: dict[str, list[tuple[float, float]]] = {}
    for invocation in simulation.invocations:
        if invocation.records:
            ages.setdefault(invocation.shard_id, []).append(
                (invocation.time, invocation.iterator_age_ms)
            )
    start = _start_time(mapping)
    return ConsumerRun(
        invocations=tuple(simulation.invocations),
        discarded=tuple(simulation.discarded),
        records=tuple(placed),
        acknowledged=frozenset(simulation.acknowledged),
        peak_concurrency=simulation.peak,
        iterator_age={shard: tuple(points) for shard, points in ages.items()},
        pending=tuple(
            r
            for r in placed
            if r.arrival >= start and (r.shard_id, r.sequence_number) not in settled
        ),
    )


def failing_handler(
    is_poison: Callable[[dict[str, object]], bool], *, report_failures: bool = False
) -> Handler:
    """A scripted function that fails on every "poison" record, every time.

    ``is_poison`` gets each event record (``Records[i]``). Without
    ``report_failures`` a batch holding a poison record raises; with it the
    function returns the poison records' sequence numbers as
    ``batchItemFailures``, as a partial-batch function would.
    """

    def handler(event: dict[str, object]) -> object:
        records = event.get("Records")
        assert isinstance(records, list)
        poison = [r for r in records if is_poison(r)]
        if not poison:
            return {"batchItemFailures": []} if report_failures else None
        if not report_failures:
            raise RuntimeError("poison record")
        return {
            "batchItemFailures": [
                {"itemIdentifier": r["kinesis"]["sequenceNumber"]} for r in poison
            ]
        }

    return handler
