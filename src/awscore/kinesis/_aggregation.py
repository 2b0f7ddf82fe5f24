"""KPL record aggregation: pack user records into Kinesis records, and unpack them.

The Kinesis Producer Library packs many small *user records* into one Kinesis
record (KPL ``aggregation-format.md``): the record's data is

* the magic bytes ``F3 89 9A C2``,
* the protobuf serialization of ``AggregatedRecord`` (``messages.proto``): a
  table of partition keys, a table of explicit hash keys (each key stored
  once), and the records, each pointing into the tables by index, with its data
  and optional tags,
* the 16-byte MD5 digest of that protobuf.

Consumers (the KCL, ``aws_kinesis_agg``) treat a record whose data lacks the
magic, is too short, or whose digest does not match, as an ordinary record.

Choices where the producers differ, and what we follow:

* The aggregate's own partition key and explicit hash key are those of its
  first user record, as ``aws_kinesis_agg``'s ``AggRecord`` does (it sets them
  when the first record is added). The KPL's C++ core
  (``kinesis_record.cc``) instead sends the partition key ``"a"`` with the first
  record's *hash key* as the explicit hash key; both route the aggregate to the
  first record's shard.
* One user record still makes an aggregate, as in ``aws_kinesis_agg``; the KPL's
  core sends a lone record unaggregated (``KinesisRecord::serialize``).
* A user record without its own ``explicit_hash_key_index`` has no explicit
  hash key, and its effective hash key is the MD5 of its partition key, as the
  KCL computes it when it filters records by shard. ``aws_kinesis_agg``'s
  ``deaggregate_records`` reads the absent index as 0 and gives such a record
  the *first* explicit hash key of the table: we do not.
* A protobuf that is corrupt behind a valid magic and digest raises
  :class:`~awscore.errors.MalformedAggregateError`; ``aws_kinesis_agg`` passes
  such a record through as if it were not aggregated, which hides data loss.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from awscore._inputs import shown
from awscore.errors import (
    AggregationError,
    KinesisInputError,
    MalformedAggregateError,
)
from awscore.kinesis._hashing import (
    MAX_HASH_KEY,
    hash_key,
    md5,
    parse_explicit_hash_key,
)
from awscore.kinesis._protobuf import (
    WireFormatError,
    decode_aggregated_record,
    encode_aggregated_record,
    len_field_size,
    varint_size,
)

__all__ = [
    "DIGEST_SIZE",
    "MAGIC",
    "MAX_AGGREGATE_SIZE",
    "AggregatedRecord",
    "DeaggregatedRecord",
    "UserRecord",
    "aggregate",
    "deaggregate",
]

#: The first four bytes of an aggregated record's data (KPL aggregation-format.md).
MAGIC = b"\xf3\x89\x9a\xc2"
#: The MD5 digest of the protobuf that ends an aggregated record.
DIGEST_SIZE = 16
#: The largest Kinesis record data, 1 MiB (Kinesis API reference, PutRecord).
MAX_AGGREGATE_SIZE = 1024 * 1024

_OVERHEAD = len(MAGIC) + DIGEST_SIZE

#: A tag: key and optional value (``messages.proto`` ``Tag``).
Tag = tuple[str, str | None]


@dataclass(frozen=True, slots=True, kw_only=True)
class UserRecord:
    """One record as the producer's caller put it, before aggregation.

    ``partition_key`` is 1..256 characters, ``explicit_hash_key`` (optional) a
    decimal ``0..2**128-1`` without sign or leading zeros, as Kinesis PutRecord
    accepts them; ``tags`` are the ``Tag`` messages of the aggregation format
    (the KPL reserves them and sets none). Raises
    :class:`~awscore.errors.KinesisInputError` (or its leaves
    ``InvalidPartitionKeyError``, ``InvalidHashKeyError``) for anything else.
    """

    partition_key: str
    data: bytes = field(repr=False)  # up to 1 MiB: keep reprs readable
    explicit_hash_key: str | None = None
    tags: tuple[Tag, ...] = ()

    def __post_init__(self) -> None:
        hash_key(self.partition_key)  # checks the length and that UTF-8 can encode it
        if not isinstance(self.data, bytes):
            raise KinesisInputError(
                f"user record data must be bytes, not {type(self.data).__name__}"
            )
        if self.explicit_hash_key is not None:
            parse_explicit_hash_key(self.explicit_hash_key)
        if not isinstance(self.tags, tuple):
            raise KinesisInputError(
                f"tags must be a tuple of (key, value) pairs, not "
                f"{type(self.tags).__name__}"
            )
        for position, tag in enumerate(self.tags):
            _check_tag(position, tag)


def _check_tag(position: int, tag: object) -> None:
    if not (
        isinstance(tag, tuple)
        and len(tag) == 2
        and isinstance(tag[0], str)
        and (tag[1] is None or isinstance(tag[1], str))
    ):
        raise KinesisInputError(
            f"tag {position} is {shown(tag)}: a tag must be a (str, str | None) pair"
        )
    for text in tag:
        if text is not None and not _encodable(text):
            raise KinesisInputError(
                f"tag {position} holds {text[:40]!r}, which is not valid Unicode "
                "(a lone surrogate) and has no UTF-8 form"
            )


def _encodable(text: str) -> bool:
    try:
        text.encode()
    except UnicodeEncodeError:
        return False
    return True


@dataclass(frozen=True, slots=True, kw_only=True)
class AggregatedRecord:
    """A Kinesis record to put: an aggregate of ``records``.

    ``partition_key`` and ``explicit_hash_key`` are the first user record's (see
    the module docstring); pass them, with ``data``, to PutRecord(s).
    """

    partition_key: str
    explicit_hash_key: str | None
    data: bytes = field(repr=False)  # up to 1 MiB
    records: tuple[UserRecord, ...] = field(repr=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class DeaggregatedRecord:
    """A user record read back from a Kinesis record, or the record itself.

    ``aggregated`` says which: for a user record of an aggregate,
    ``sequence_number`` is the parent's and ``sub_sequence_number`` its index in
    the aggregate; for a record that is not an aggregate it is ``None``.
    ``effective_hash_key`` is the explicit hash key's value, or else the MD5 of
    the partition key, as a 128-bit integer: the key Kinesis routed by.
    ``in_range`` says whether it falls in the shard's ``hash_range`` given to
    :func:`deaggregate` (``True`` when none was given); the KCL drops records
    that do not, after a reshard, while we report them.
    """

    partition_key: str
    explicit_hash_key: str | None
    data: bytes = field(repr=False)
    sequence_number: str | None
    sub_sequence_number: int | None
    aggregated: bool
    effective_hash_key: int
    in_range: bool
    tags: tuple[Tag, ...] = ()


def aggregate(
    records: Iterable[UserRecord], *, max_size: int = MAX_AGGREGATE_SIZE
) -> list[AggregatedRecord]:
    """Pack ``records``, in order, into as few aggregates of ``max_size`` as fit.

    Each aggregate is filled greedily: a record that would take it past
    ``max_size`` bytes (magic and digest included) starts the next one, so
    order is kept and every aggregate but the last is full. One record makes an
    aggregate too (as in ``aws_kinesis_agg``). Partition keys and explicit hash
    keys are stored once per aggregate, in order of first use.

    Raises :class:`~awscore.errors.AggregationError` if a record does not fit
    even alone, and :class:`~awscore.errors.KinesisInputError` if ``max_size``
    is not in ``1..1048576`` or a record is not a :class:`UserRecord`.

    Kinesis counts the aggregate's partition key with its data against the
    1 MiB PutRecord limit; pass a ``max_size`` below 1 MiB by the partition key's
    UTF-8 length if aggregates may fill up (``aws_kinesis_agg`` and the KPL also
    size only the data).
    """
    if (
        isinstance(max_size, bool)
        or not isinstance(max_size, int)
        or not 0 < max_size <= MAX_AGGREGATE_SIZE
    ):
        raise KinesisInputError(
            f"max_size {shown(max_size)} is not accepted: it must be an int in "
            f"1..{MAX_AGGREGATE_SIZE}"
        )
    given: object = records  # checked: callers may not be type-checked
    if isinstance(given, str | bytes) or not isinstance(given, Iterable):
        raise KinesisInputError(
            f"records={shown(given)} must be an iterable of UserRecord"
        )
    builder = _Builder(max_size)
    out: list[AggregatedRecord] = []
    for position, record in enumerate(records):
        if not isinstance(record, UserRecord):
            raise KinesisInputError(
                f"record {position} is a {type(record).__name__}, not a UserRecord"
            )
        if not builder.add(record):
            if builder.members:
                out.append(builder.build())
                builder = _Builder(max_size)
            if not builder.add(record):
                raise AggregationError(
                    f"record {position} (partition key {record.partition_key[:40]!r}, "
                    f"{len(record.data)} bytes of data) does not fit in an aggregate "
                    f"of max_size {max_size} bytes even alone"
                )
    if builder.members:
        out.append(builder.build())
    return out


class _Builder:
    """One aggregate being filled; tracks its exact serialized size."""

    __slots__ = ("ehk_index", "max_size", "members", "pk_index", "raw", "size")

    def __init__(self, max_size: int) -> None:
        self.max_size = max_size
        self.size = _OVERHEAD
        self.pk_index: dict[str, int] = {}
        self.ehk_index: dict[str, int] = {}
        self.raw: list[tuple[int, int | None, bytes, list[tuple[bytes, bytes | None]]]]
        self.raw = []
        self.members: list[UserRecord] = []

    def add(self, record: UserRecord) -> bool:
        """Add ``record`` if it fits; say whether it did."""
        growth = 0
        pk = record.partition_key
        pk_i = self.pk_index.get(pk)
        if pk_i is None:
            pk_i = len(self.pk_index)
            growth += len_field_size(len(pk.encode()))
        inner = 1 + varint_size(pk_i) + len_field_size(len(record.data))
        ehk = record.explicit_hash_key
        ehk_i: int | None = None
        if ehk is not None:
            ehk_i = self.ehk_index.get(ehk)
            if ehk_i is None:
                ehk_i = len(self.ehk_index)
                growth += len_field_size(len(ehk))  # ASCII digits: chars == bytes
            inner += 1 + varint_size(ehk_i)
        tags: list[tuple[bytes, bytes | None]] = []
        for key, value in record.tags:
            key_b = key.encode()
            value_b = None if value is None else value.encode()
            tag_size = len_field_size(len(key_b))
            if value_b is not None:
                tag_size += len_field_size(len(value_b))
            inner += len_field_size(tag_size)
            tags.append((key_b, value_b))
        growth += len_field_size(inner)
        if self.size + growth > self.max_size:
            return False
        self.size += growth
        self.pk_index.setdefault(pk, pk_i)
        if ehk is not None and ehk_i is not None:
            self.ehk_index.setdefault(ehk, ehk_i)
        self.raw.append((pk_i, ehk_i, record.data, tags))
        self.members.append(record)
        return True

    def build(self) -> AggregatedRecord:
        body = encode_aggregated_record(
            [pk.encode() for pk in self.pk_index],  # dicts keep insertion order
            [ehk.encode() for ehk in self.ehk_index],
            self.raw,
        )
        first = self.members[0]
        return AggregatedRecord(
            partition_key=first.partition_key,
            explicit_hash_key=first.explicit_hash_key,
            data=b"".join((MAGIC, body, md5(body).digest())),
            records=tuple(self.members),
        )


def deaggregate(
    data: bytes,
    *,
    partition_key: str,
    explicit_hash_key: str | None = None,
    sequence_number: str | None = None,
    hash_range: tuple[int, int] | None = None,
) -> list[DeaggregatedRecord]:
    """The user records in a Kinesis record's ``data``, or the record itself.

    ``partition_key``, ``explicit_hash_key`` and ``sequence_number`` are the
    Kinesis record's own. If ``data`` starts with the magic, holds more than the
    digest after it, and the digest matches, each user record of the aggregate
    is returned in order, with the parent's sequence number and its index as
    ``sub_sequence_number``. Otherwise the record comes back alone, with
    ``aggregated=False`` (as the KCL and ``aws_kinesis_agg`` do). A valid
    aggregate with no records gives an empty list.

    ``hash_range`` is a shard's inclusive ``(StartingHashKey, EndingHashKey)``;
    each result's ``in_range`` says whether its effective hash key is in it.

    Raises :class:`~awscore.errors.MalformedAggregateError` when the protobuf
    behind a valid magic and digest is corrupt (truncated, a bad varint, a
    missing required field, a wrong wire type, a table index out of range, text
    that is not UTF-8, an explicit hash key that is not one), and
    :class:`~awscore.errors.KinesisInputError` (or a leaf) for bad arguments.
    """
    data = _as_bytes(data)
    if not isinstance(partition_key, str):
        raise KinesisInputError(
            f"partition key must be a str, not {type(partition_key).__name__}"
        )
    if sequence_number is not None and not isinstance(sequence_number, str):
        raise KinesisInputError(
            f"sequence number must be a str, not {type(sequence_number).__name__}"
        )
    start, end = _check_range(hash_range)
    parent_ehk = (
        None
        if explicit_hash_key is None
        else parse_explicit_hash_key(explicit_hash_key)
    )
    if len(data) > _OVERHEAD and data[:4] == MAGIC:
        body = data[4:-DIGEST_SIZE]
        if md5(body).digest() == data[-DIGEST_SIZE:]:
            return _unpack(body, sequence_number, start, end)
    effective = hash_key(partition_key) if parent_ehk is None else parent_ehk
    return [
        DeaggregatedRecord(
            partition_key=partition_key,
            explicit_hash_key=explicit_hash_key,
            data=data,
            sequence_number=sequence_number,
            sub_sequence_number=None,
            aggregated=False,
            effective_hash_key=effective,
            in_range=start <= effective <= end,
        )
    ]


def _as_bytes(data: object) -> bytes:
    """``data`` as bytes: bytes as is, other buffers copied (a memoryview of a
    bigger buffer, say), anything else an error."""
    if isinstance(data, bytes):
        return data
    if isinstance(data, bytearray | memoryview):
        return bytes(data)
    raise KinesisInputError(f"record data must be bytes, not {type(data).__name__}")


def _check_range(hash_range: tuple[int, int] | None) -> tuple[int, int]:
    if hash_range is None:
        return 0, MAX_HASH_KEY
    if (
        isinstance(hash_range, tuple)
        and len(hash_range) == 2
        and all(type(key) is int for key in hash_range)
        and 0 <= hash_range[0] <= hash_range[1] <= MAX_HASH_KEY
    ):
        return hash_range
    raise KinesisInputError(
        f"hash_range {shown(hash_range)} is not accepted: it must be a pair of ints "
        f"(start, end) with 0 <= start <= end <= {MAX_HASH_KEY}"
    )


def _descriptor_setters() -> tuple[Callable[[object, object], None], ...]:
    """The slot setters of :class:`DeaggregatedRecord`, in field order."""
    return tuple(
        getattr(DeaggregatedRecord, name).__set__
        for name in DeaggregatedRecord.__slots__
    )


(
    _SET_PK,
    _SET_EHK,
    _SET_DATA,
    _SET_SEQ,
    _SET_SUB,
    _SET_AGGREGATED,
    _SET_EFFECTIVE,
    _SET_IN_RANGE,
    _SET_TAGS,
) = _descriptor_setters()
_new = object.__new__


@functools.lru_cache(maxsize=4096)
def _partition_hash_key(partition_key: str) -> int:
    # Producers reuse partition keys across aggregates; the cache saves the MD5.
    return int.from_bytes(md5(partition_key.encode()).digest(), "big")


def _unpack(
    body: bytes, sequence_number: str | None, start: int, end: int
) -> list[DeaggregatedRecord]:
    try:
        pks, ehks, raws = decode_aggregated_record(body)
    except WireFormatError as exc:
        raise MalformedAggregateError(f"{_where(sequence_number)}: {exc}") from None
    # Resolve each table entry once: aggregates repeat keys by design.
    pk_hashes: list[int | None] = [None] * len(pks)
    ehk_values: list[int | None] = [None] * len(ehks)
    out: list[DeaggregatedRecord] = []
    append = out.append
    full_range = start == 0 and end == MAX_HASH_KEY
    for index, (pk_i, ehk_i, payload, tags) in enumerate(raws):
        try:
            pk = pks[pk_i]
        except IndexError:
            raise MalformedAggregateError(
                f"{_where(sequence_number)}: record {index} has partition_key_index "
                f"{pk_i}, but the partition key table has {len(pks)} entries"
            ) from None
        ehk: str | None = None
        if ehk_i is None:
            effective = pk_hashes[pk_i]
            if effective is None:
                effective = pk_hashes[pk_i] = _partition_hash_key(pk)
        else:
            if ehk_i >= len(ehks):
                raise MalformedAggregateError(
                    f"{_where(sequence_number)}: record {index} has "
                    f"explicit_hash_key_index {ehk_i}, but the explicit hash key "
                    f"table has {len(ehks)} entries"
                )
            ehk = ehks[ehk_i]
            effective = ehk_values[ehk_i]
            if effective is None:
                effective = ehk_values[ehk_i] = _table_hash_key(
                    ehk, ehk_i, sequence_number
                )
        # The dataclass __init__ of a frozen class goes through object.__setattr__
        # once per field; the slot descriptors set the same fields 2.5x faster, and
        # deaggregation builds one record per user record.
        record = _new(DeaggregatedRecord)
        _SET_PK(record, pk)
        _SET_EHK(record, ehk)
        _SET_DATA(record, payload)
        _SET_SEQ(record, sequence_number)
        _SET_SUB(record, index)
        _SET_AGGREGATED(record, True)
        _SET_EFFECTIVE(record, effective)
        _SET_IN_RANGE(record, full_range or start <= effective <= end)
        _SET_TAGS(record, tags)
        append(record)
    return out


def _where(sequence_number: str | None) -> str:
    if sequence_number is None:
        return "aggregated record"
    return f"aggregated record {sequence_number}"


def _table_hash_key(text: str, index: int, sequence_number: str | None) -> int:
    # The rule of parse_explicit_hash_key (0|[1-9][0-9]{0,38}, at most 2**128-1)
    # without its regex, which costs more than the int() on this hot path; any
    # failure goes to parse_explicit_hash_key for its message.
    if (
        text.isascii()
        and text.isdigit()
        and len(text) <= 39
        and (text[0] != "0" or text == "0")
    ):
        value = int(text)
        if value <= MAX_HASH_KEY:
            return value
    try:
        return parse_explicit_hash_key(text)
    except KinesisInputError as exc:
        raise MalformedAggregateError(
            f"{_where(sequence_number)}: explicit hash key table entry {index}: {exc}"
        ) from None
