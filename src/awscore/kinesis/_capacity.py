"""Capacity analysis: which shards a traffic mix overloads, and where to split them.

Limits (Kinesis Data Streams quotas and limits; PutRecord, PutRecords): each shard
accepts writes of up to 1 MiB (1,048,576 bytes) per second *or* 1,000 records per
second, whichever is reached first. A record's size counts its data blob plus its
partition key (its UTF-8 bytes); an ``ExplicitHashKey`` only routes the record and
is not counted.

The analysis works on exact rationals (:class:`fractions.Fraction`, which holds
every float exactly), so a load does not depend on the order keys are summed in:
the load a :class:`SplitSuggestion` predicts for each child is bit-for-bit the load
:func:`analyze` reports for that child once the split is applied.
"""

from __future__ import annotations

import csv
import io
import itertools
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction

from awscore._inputs import shown
from awscore.errors import InvalidTrafficError, KinesisInputError
from awscore.kinesis._hashing import hash_key, parse_explicit_hash_key
from awscore.kinesis._stream import Shard, Stream

__all__ = [
    "MAX_RATE",
    "MAX_TRAFFIC_ROWS",
    "SHARD_BYTES_PER_SECOND",
    "SHARD_RECORDS_PER_SECOND",
    "CapacityReport",
    "KeyLoad",
    "KeyTraffic",
    "ShardLoad",
    "SplitSuggestion",
    "analyze",
    "read_traffic_csv",
    "shards_needed",
]

#: A shard's write limit in bytes per second: 1 MiB, data plus partition keys.
SHARD_BYTES_PER_SECOND = 1_048_576
#: A shard's write limit in records per second.
SHARD_RECORDS_PER_SECOND = 1_000
#: The largest rate (records/s or bytes/s) a key or a total may have: 10**15, a
#: million times a 10,000-shard stream's limit, so sums of any realistic number of
#: keys stay far inside the float range the report is given in.
MAX_RATE = 10**15
#: The most rows :func:`read_traffic_csv` reads (its ``max_rows`` default).
MAX_TRAFFIC_ROWS = 1_000_000

_CSV_COLUMNS = ("partition_key", "records_per_second", "bytes_per_second")
_CSV_OPTIONAL = ("explicit_hash_key",)


def _rate(value: object, what: str, partition_key: str) -> Fraction:
    # bool is an int subclass, but True records per second is a caller's bug.
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidTrafficError(
            f"{what} {shown(value)} for partition key {partition_key[:40]!r} is not "
            f"a number: it must be a finite number 0..{MAX_RATE:.0e}"
        )
    # Compared before anything converts it: a 400-digit int has no float.
    if (isinstance(value, float) and not math.isfinite(value)) or not (
        0 <= value <= MAX_RATE
    ):
        raise InvalidTrafficError(
            f"{what} {shown(value)} for partition key {partition_key[:40]!r} is out "
            f"of range: it must be a finite number 0..{MAX_RATE:.0e} (MAX_RATE)"
        )
    return Fraction(value)


@dataclass(frozen=True, slots=True, kw_only=True)
class KeyTraffic:
    """The write rate of one partition key (optionally with an ExplicitHashKey).

    ``bytes_per_second`` counts the data blobs only; :func:`analyze` adds the
    partition key's UTF-8 bytes once per record, as Kinesis does. Raises
    :class:`InvalidTrafficError` for a negative or non-finite rate,
    :class:`~awscore.errors.InvalidPartitionKeyError` for a key Kinesis refuses
    and :class:`~awscore.errors.InvalidHashKeyError` for a bad explicit hash key.
    """

    partition_key: str
    records_per_second: float
    bytes_per_second: float
    explicit_hash_key: str | None = None
    #: the 128-bit hash key the records are routed by
    hash_key: int = field(init=False, repr=False, compare=False)
    #: the partition key's UTF-8 length, which every record also carries
    key_bytes: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Hashing the key validates it (length, encodable as UTF-8) even when an
        # explicit hash key routes the record: Kinesis still requires and counts it.
        partition_hash = hash_key(self.partition_key)
        _rate(self.records_per_second, "records_per_second", self.partition_key)
        _rate(self.bytes_per_second, "bytes_per_second", self.partition_key)
        key = (
            partition_hash
            if self.explicit_hash_key is None
            else parse_explicit_hash_key(self.explicit_hash_key)
        )
        object.__setattr__(self, "hash_key", key)
        object.__setattr__(self, "key_bytes", len(self.partition_key.encode()))


@dataclass(frozen=True, slots=True, kw_only=True)
class KeyLoad:
    """One key's load on its shard: records/s and bytes/s including key bytes."""

    partition_key: str
    explicit_hash_key: str | None
    hash_key: int
    records_per_second: float
    #: data plus partition-key bytes
    bytes_per_second: float
    #: the fraction of one shard's capacity the key alone uses (max of the two)
    utilization: float


@dataclass(frozen=True, slots=True, kw_only=True)
class SplitSuggestion:
    """A SplitShard for a hot shard: the NewStartingHashKey and what it achieves.

    ``lower_utilization`` is the child [StartingHashKey, K - 1],
    ``upper_utilization`` the child [K, EndingHashKey]. ``fixes`` says whether both
    children end up within capacity; ``reason`` says why or why not.
    """

    new_starting_hash_key: int
    lower_utilization: float
    upper_utilization: float
    fixes: bool
    reason: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ShardLoad:
    """The load the traffic puts on one open shard."""

    shard: Shard
    records_per_second: float
    #: data plus partition-key bytes
    bytes_per_second: float
    record_utilization: float
    byte_utilization: float
    #: the larger of the two: the limit reached first
    utilization: float
    #: over capacity (utilization > 1.0): Kinesis would throttle writes
    hot: bool
    #: the keys routed here, by hash key
    keys: tuple[KeyLoad, ...]
    #: for a hot shard, the best split (None if the shard is not hot, or too
    #: narrow to split at all)
    split: SplitSuggestion | None


@dataclass(frozen=True, slots=True, kw_only=True)
class CapacityReport:
    """Per-shard loads of a traffic mix on a stream's open shards."""

    #: one per open shard, in hash-key order
    shards: tuple[ShardLoad, ...]
    records_per_second: float
    #: data plus partition-key bytes
    bytes_per_second: float
    #: the shards the total needs if spread perfectly evenly: a lower bound,
    #: since a key cannot be spread over shards
    shards_needed: int

    @property
    def hot_shards(self) -> tuple[ShardLoad, ...]:
        """The shards over capacity, hottest first."""
        return tuple(
            sorted((s for s in self.shards if s.hot), key=lambda s: -s.utilization)
        )


def _utilization(records: Fraction, size: Fraction) -> Fraction:
    return max(records / SHARD_RECORDS_PER_SECOND, size / SHARD_BYTES_PER_SECOND)


def shards_needed(records_per_second: float, bytes_per_second: float) -> int:
    """The fewest shards that can take this total: ceil(max(r/1000, b/1MiB)), >= 1.

    ``bytes_per_second`` must already include partition-key bytes. Assumes the
    load can be spread evenly; hot keys need more (see :func:`analyze`). Raises
    :class:`InvalidTrafficError` for a rate that is negative, not finite or above
    :data:`MAX_RATE`.
    """
    records = _rate(records_per_second, "records_per_second", "(total)")
    size = _rate(bytes_per_second, "bytes_per_second", "(total)")
    return max(1, math.ceil(_utilization(records, size)))


@dataclass(frozen=True, slots=True)
class _Group:
    """The exact load of every key sharing one hash key (no split separates them)."""

    hash_key: int
    records: Fraction
    size: Fraction
    names: tuple[str, ...]


def _groups(keys: Sequence[tuple[KeyTraffic, Fraction, Fraction]]) -> list[_Group]:
    groups: list[_Group] = []
    for traffic, records, size in keys:
        if groups and groups[-1].hash_key == traffic.hash_key:
            last = groups[-1]
            groups[-1] = _Group(
                last.hash_key,
                last.records + records,
                last.size + size,
                (*last.names, traffic.partition_key),
            )
        else:
            groups.append(
                _Group(traffic.hash_key, records, size, (traffic.partition_key,))
            )
    return groups


def _suggest_split(shard: Shard, groups: list[_Group]) -> SplitSuggestion | None:
    """The legal NewStartingHashKey minimising the hotter child's utilization.

    Only a boundary between two consecutive hash keys changes which keys go where,
    and every K in (h_i, h_(i+1)] gives the same children; the smallest legal one
    is taken, h_i + 1, or StartingHashKey + 2 when h_i is the StartingHashKey
    itself (SplitShard requires StartingHashKey + 1 < K < EndingHashKey). Ties go
    to the smallest K, so the answer is deterministic.
    """
    low, high = shard.starting_hash_key, shard.ending_hash_key
    if high - low < 3:
        return None  # no K satisfies low + 1 < K < high
    total_records = sum((g.records for g in groups), Fraction(0))
    total_size = sum((g.size for g in groups), Fraction(0))
    best: tuple[Fraction, int, Fraction, Fraction] | None = None
    below_records, below_size = Fraction(0), Fraction(0)
    for this, after in itertools.pairwise(groups):
        below_records += this.records
        below_size += this.size
        key = max(this.hash_key + 1, low + 2)
        if not (key <= after.hash_key and key < high):
            continue
        lower = _utilization(below_records, below_size)
        upper = _utilization(total_records - below_records, total_size - below_size)
        if best is None or max(lower, upper) < best[0]:
            best = (max(lower, upper), key, lower, upper)
    heavy = [g for g in groups if _utilization(g.records, g.size) > 1]
    if best is None:
        # All the load is on one hash key: any split leaves it whole on one side.
        # Suggest the middle of the range, which at least halves the key space.
        key = (low + high + 1) // 2
        whole = _utilization(total_records, total_size)
        lower, upper = (
            (whole, Fraction(0))
            if groups[0].hash_key < key
            else (
                Fraction(0),
                whole,
            )
        )
        best = (whole, key, lower, upper)
    worst, key, lower, upper = best
    fixes = worst <= 1
    if heavy:
        names = ", ".join(repr(n[:40]) for g in heavy for n in g.names)
        need = max(_utilization(g.records, g.size) for g in heavy)
        reason = (
            f"hash key {heavy[0].hash_key} alone (partition key {names}) needs "
            f"{float(need):.0%} of a shard's 1,000 records/s or 1 MiB/s: no split can "
            "fix it; spread its records over more partition keys"
        )
    elif fixes:
        reason = (
            f"splitting at {key} leaves the lower child at {float(lower):.0%} and "
            f"the upper at {float(upper):.0%} of capacity"
        )
    else:
        reason = (
            f"the most even split, at {key}, still leaves a child at "
            f"{float(worst):.0%} of capacity: split that child again"
        )
    return SplitSuggestion(
        new_starting_hash_key=key,
        lower_utilization=float(lower),
        upper_utilization=float(upper),
        fixes=fixes,
        reason=reason,
    )


def analyze(stream: Stream, traffic: Iterable[KeyTraffic]) -> CapacityReport:
    """The load ``traffic`` puts on each open shard of ``stream``, and fixes.

    Each key is routed as :meth:`Stream.shard_for` routes it; a record's size is
    its data plus its partition key's UTF-8 bytes. A shard is hot when either
    limit (1,000 records/s, 1 MiB/s) is exceeded; each hot shard gets a
    :class:`SplitSuggestion`. Raises :class:`InvalidTrafficError` for anything in
    ``traffic`` that is not a :class:`KeyTraffic`, or for traffic whose total
    exceeds :data:`MAX_RATE`; :class:`~awscore.errors.KinesisInputError` when
    ``stream`` is not a :class:`Stream`.
    """
    if not isinstance(stream, Stream):
        raise KinesisInputError(f"stream={shown(stream)} must be a Stream")
    given: object = traffic  # checked: callers may not be type-checked
    if isinstance(given, str | bytes) or not isinstance(given, Iterable):
        raise InvalidTrafficError(
            f"traffic={shown(given)} must be an iterable of KeyTraffic"
        )
    per_shard: list[list[tuple[KeyTraffic, Fraction, Fraction]]] = [
        [] for _ in stream.open_shards
    ]
    index = {s.shard_id: i for i, s in enumerate(stream.open_shards)}
    for item in traffic:
        if not isinstance(item, KeyTraffic):
            raise InvalidTrafficError(
                f"traffic items must be KeyTraffic, not {shown(item)}"
            )
        records = Fraction(item.records_per_second)
        size = Fraction(item.bytes_per_second) + records * item.key_bytes
        shard = stream.shard_for_hash_key(item.hash_key)
        per_shard[index[shard.shard_id]].append((item, records, size))
    loads: list[ShardLoad] = []
    all_records, all_size = Fraction(0), Fraction(0)
    for shard, keys in zip(stream.open_shards, per_shard, strict=True):
        keys.sort(key=lambda k: k[0].hash_key)
        records = sum((r for _, r, _ in keys), Fraction(0))
        size = sum((b for _, _, b in keys), Fraction(0))
        all_records += records
        all_size += size
        if all_records > MAX_RATE or all_size > MAX_RATE:
            raise InvalidTrafficError(
                f"the traffic's total rate is above {MAX_RATE:.0e} (MAX_RATE) "
                "records or bytes per second"
            )
        utilization = _utilization(records, size)
        hot = utilization > 1
        loads.append(
            ShardLoad(
                shard=shard,
                records_per_second=float(records),
                bytes_per_second=float(size),
                record_utilization=float(records / SHARD_RECORDS_PER_SECOND),
                byte_utilization=float(size / SHARD_BYTES_PER_SECOND),
                utilization=float(utilization),
                hot=hot,
                keys=tuple(
                    KeyLoad(
                        partition_key=t.partition_key,
                        explicit_hash_key=t.explicit_hash_key,
                        hash_key=t.hash_key,
                        records_per_second=float(r),
                        bytes_per_second=float(b),
                        utilization=float(_utilization(r, b)),
                    )
                    for t, r, b in keys
                ),
                split=_suggest_split(shard, _groups(keys)) if hot else None,
            )
        )
    return CapacityReport(
        shards=tuple(loads),
        records_per_second=float(all_records),
        bytes_per_second=float(all_size),
        shards_needed=max(1, math.ceil(_utilization(all_records, all_size))),
    )


def read_traffic_csv(
    text: str, *, max_rows: int = MAX_TRAFFIC_ROWS
) -> list[KeyTraffic]:
    """Parse a traffic CSV: one row per partition key.

    The header is ``partition_key,records_per_second,bytes_per_second`` and
    optionally ``explicit_hash_key`` (any order; an empty cell means none).
    Blank lines are skipped. Raises :class:`InvalidTrafficError` naming the line
    (1-based, the header is line 1) and column of the first bad cell, or when
    there are more than ``max_rows`` rows (:data:`MAX_TRAFFIC_ROWS`).
    """
    if not isinstance(text, str):
        raise InvalidTrafficError(f"traffic CSV must be text, not {shown(text)}")
    if isinstance(max_rows, bool) or not isinstance(max_rows, int) or max_rows < 0:
        raise KinesisInputError(f"max_rows={shown(max_rows)} must be an integer >= 0")
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff")), strict=True)
    try:
        header = next(reader, None)
        if header is None:
            raise InvalidTrafficError(
                "traffic CSV line 1: empty; it needs the header "
                "'partition_key,records_per_second,bytes_per_second"
                "[,explicit_hash_key]'",
                line=1,
            )
        columns = [name.strip() for name in header]
        unknown = [c for c in columns if c not in _CSV_COLUMNS + _CSV_OPTIONAL]
        missing = [c for c in _CSV_COLUMNS if c not in columns]
        if unknown or missing or len(set(columns)) != len(columns):
            raise InvalidTrafficError(
                f"traffic CSV line 1: header {shown(','.join(columns))} is not "
                "accepted: "
                f"it must name {', '.join(_CSV_COLUMNS)} and optionally "
                f"{_CSV_OPTIONAL[0]}, each once",
                line=1,
            )
        rows: list[KeyTraffic] = []
        for row in reader:
            if not row:
                continue
            if len(rows) == max_rows:
                raise InvalidTrafficError(
                    f"traffic CSV line {reader.line_num}: more than {max_rows:,} "
                    "rows; max_rows allows at most that many",
                    line=reader.line_num,
                )
            rows.append(_row(row, columns, reader.line_num))
    except csv.Error as exc:
        raise InvalidTrafficError(
            f"traffic CSV line {reader.line_num}: {exc}", line=reader.line_num
        ) from None
    return rows


def _row(row: list[str], columns: list[str], line: int) -> KeyTraffic:
    if len(row) != len(columns):
        raise InvalidTrafficError(
            f"traffic CSV line {line}: {len(row)} fields, but the header has "
            f"{len(columns)} ({','.join(columns)})",
            line=line,
        )
    cells = dict(zip(columns, row, strict=True))
    rates: dict[str, float] = {}
    for column in ("records_per_second", "bytes_per_second"):
        try:
            rates[column] = float(cells[column])
        except ValueError:
            raise InvalidTrafficError(
                f"traffic CSV line {line}, column {column}: {shown(cells[column])} "
                "is not a number: it must be a finite number >= 0",
                line=line,
                column=column,
            ) from None
        if not math.isfinite(rates[column]) or not 0 <= rates[column] <= MAX_RATE:
            raise InvalidTrafficError(
                f"traffic CSV line {line}, column {column}: {shown(cells[column])} "
                f"is out of range: it must be a finite number 0..{MAX_RATE:.0e}",
                line=line,
                column=column,
            )
    explicit = cells.get("explicit_hash_key", "").strip() or None
    # Check each cell on its own first, so the error names the right column.
    column = "partition_key"
    try:
        hash_key(cells[column])
        column = "explicit_hash_key"
        if explicit is not None:
            parse_explicit_hash_key(explicit)
    except KinesisInputError as exc:
        raise InvalidTrafficError(
            f"traffic CSV line {line}, column {column}: {exc}",
            line=line,
            column=column,
        ) from exc
    return KeyTraffic(
        partition_key=cells["partition_key"],
        records_per_second=rates["records_per_second"],
        bytes_per_second=rates["bytes_per_second"],
        explicit_hash_key=explicit,
    )
