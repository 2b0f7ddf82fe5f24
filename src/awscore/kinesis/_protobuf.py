"""A minimal protobuf wire codec for the three KPL aggregation messages.

Only what ``AggregatedRecord``, ``Record`` and ``Tag`` need (KPL
``aggregation-format.md``, ``messages.proto``): base-128 varints, field keys and
length-delimited fields, as the Protocol Buffers encoding guide defines them
(https://protobuf.dev/programming-guides/encoding/). The messages are small and
fixed, so a hand-written codec beats a dependency on ``protobuf`` and lets the
decoder be strict and bounded:

* a varint is at most 10 bytes and its value below 2**64 (uint64);
* every length is checked against the bytes that remain, so a hostile length
  never reads past the end or allocates more than the input;
* a known field with the wrong wire type, a field number 0, a group (wire types
  3 and 4, deprecated, declared by none of these messages) or an unknown wire
  type (6, 7) is an error; so is a missing required field, a string that is not
  UTF-8, or a table index out of range;
* unknown fields of wire types 0, 1, 2 and 5 are skipped, as every protobuf
  parser must (encoding guide, "Unknown fields"), so that a newer producer's
  extra fields do not break us;
* a singular field seen twice keeps its last value (encoding guide, "Last One
  Wins").

Nesting is fixed at three levels, so nothing recurses on attacker input. Errors
are :class:`WireFormatError`, which the aggregation layer turns into
:class:`~awscore.errors.MalformedAggregateError`; this module never raises
``IndexError``, ``struct.error`` or ``UnicodeDecodeError``.

The encoder writes fields in field-number order, as the reference
implementations do, so its bytes equal those of ``protobuf``'s
``SerializeToString`` for the same message.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeAlias

__all__ = [
    "RawRecord",
    "RawTag",
    "WireFormatError",
    "decode_aggregated_record",
    "encode_aggregated_record",
    "len_field_size",
    "varint",
    "varint_size",
]

_WIRE_VARINT = 0
_WIRE_I64 = 1
_WIRE_LEN = 2
_WIRE_I32 = 5
_UINT64_LIMIT = 1 << 64
# A field key is a uint32 varint: ``(field_number << 3) | wire_type``.
_KEY_LIMIT = 1 << 32

#: A decoded ``Tag``: key and optional value.
RawTag: TypeAlias = tuple[str, str | None]
#: A decoded ``Record``: partition key index, explicit hash key index (None if
#: absent), data, tags.
RawRecord: TypeAlias = tuple[int, int | None, bytes, tuple[RawTag, ...]]


class WireFormatError(Exception):
    """The bytes are not a well-formed message; the text says what and where."""


# --- encoding -----------------------------------------------------------------


def varint_size(value: int) -> int:
    """How many bytes the varint of ``value`` (0 <= value < 2**64) takes."""
    return max(1, (value.bit_length() + 6) // 7)


def len_field_size(length: int) -> int:
    """Bytes of a length-delimited field of number < 16 holding ``length`` bytes.

    One key byte (field numbers 1..15 fit in one), the length varint, the bytes.
    """
    return 1 + varint_size(length) + length


def varint(value: int) -> bytes:
    """The base-128 varint of ``value``, least significant group first."""
    if value < 0x80:
        # Nearly every index and short length: skip the loop.
        return bytes((value,))
    out = bytearray()
    while value >= 0x80:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def _len_field(key: int, payload: bytes) -> bytes:
    return bytes((key,)) + varint(len(payload)) + payload


def encode_aggregated_record(
    partition_key_table: Sequence[bytes],
    explicit_hash_key_table: Sequence[bytes],
    records: Sequence[
        tuple[int, int | None, bytes, Sequence[tuple[bytes, bytes | None]]]
    ],
) -> bytes:
    """Serialize an ``AggregatedRecord`` from UTF-8 tables and raw records.

    Each record is ``(partition_key_index, explicit_hash_key_index or None,
    data, tags)``; each tag ``(key, value or None)``, as UTF-8 bytes. Fields go
    in field-number order; required ``data`` is written even when empty, as a
    proto2 field with presence is.
    """
    parts: list[bytes] = []
    append = parts.append
    for pk in partition_key_table:
        append(_len_field(0x0A, pk))  # field 1, length-delimited
    for ehk in explicit_hash_key_table:
        append(_len_field(0x12, ehk))  # field 2, length-delimited
    for pk_index, ehk_index, data, tags in records:
        inner = [b"\x08", varint(pk_index)]  # field 1, varint
        if ehk_index is not None:
            inner += (b"\x10", varint(ehk_index))  # field 2, varint
        inner.append(_len_field(0x1A, data))  # field 3, length-delimited
        for key, value in tags:
            tag = _len_field(0x0A, key)
            if value is not None:
                tag += _len_field(0x12, value)
            inner.append(_len_field(0x22, tag))  # field 4, length-delimited
        append(_len_field(0x1A, b"".join(inner)))  # field 3 of AggregatedRecord
    return b"".join(parts)


# --- decoding -----------------------------------------------------------------


def _read_varint(buf: bytes, pos: int, end: int, what: str) -> tuple[int, int]:
    """Decode the varint at ``pos``; return its value and the position after it."""
    result = 0
    shift = 0
    while True:
        if pos >= end:
            raise WireFormatError(f"{what}: varint truncated at byte {pos}")
        byte = buf[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if byte < 0x80:
            if result >= _UINT64_LIMIT:
                raise WireFormatError(
                    f"{what}: varint ending at byte {pos} exceeds 64 bits"
                )
            return result, pos
        shift += 7
        if shift >= 70:
            raise WireFormatError(
                f"{what}: varint at byte {pos - 10} is longer than 10 bytes"
            )


def _read_key(buf: bytes, pos: int, end: int, what: str) -> tuple[int, int]:
    byte = buf[pos]
    if byte < 0x80:
        key, pos = byte, pos + 1
    else:
        key, pos = _read_varint(buf, pos, end, what)
        if key >= _KEY_LIMIT:
            raise WireFormatError(
                f"{what}: field key {key} ending at byte {pos} exceeds 32 bits"
            )
    if key >> 3 == 0:
        raise WireFormatError(
            f"{what}: field number 0 at byte {pos - 1} is not allowed"
        )
    return key, pos


def _read_length(buf: bytes, pos: int, end: int, what: str) -> tuple[int, int]:
    """Read a length prefix and check that many bytes remain before ``end``."""
    if pos < end and buf[pos] < 0x80:
        length, pos = buf[pos], pos + 1
    else:
        length, pos = _read_varint(buf, pos, end, what)
    if length > end - pos:
        raise WireFormatError(
            f"{what}: length {length} at byte {pos} runs past the end "
            f"({end - pos} bytes remain)"
        )
    return length, pos


def _skip(buf: bytes, pos: int, end: int, key: int, what: str) -> int:
    """Skip an unknown field's value; return the position after it."""
    wire_type = key & 7
    if wire_type == _WIRE_VARINT:
        return _read_varint(buf, pos, end, what)[1]
    if wire_type == _WIRE_LEN:
        length, pos = _read_length(buf, pos, end, what)
        return pos + length
    if wire_type in (_WIRE_I64, _WIRE_I32):
        size = 8 if wire_type == _WIRE_I64 else 4
        if size > end - pos:
            raise WireFormatError(
                f"{what}: fixed-width field at byte {pos} is truncated"
            )
        return pos + size
    raise WireFormatError(
        f"{what}: field {key >> 3} at byte {pos} has wire type {wire_type}; "
        "accepted: 0, 1, 2, 5 (groups are not supported)"
    )


def _wrong_type(what: str, key: int, pos: int, expected: int) -> WireFormatError:
    return WireFormatError(
        f"{what}: field {key >> 3} before byte {pos} has wire type {key & 7}, "
        f"expected {expected}"
    )


def _utf8(buf: bytes, start: int, stop: int, what: str) -> str:
    try:
        return buf[start:stop].decode()
    except UnicodeDecodeError as exc:
        raise WireFormatError(
            f"{what}: string at bytes {start}..{stop} is not UTF-8 ({exc.reason})"
        ) from None


def _decode_tag(buf: bytes, pos: int, end: int, where: str) -> RawTag:
    key_text: str | None = None
    value: str | None = None
    what = f"{where} Tag"
    while pos < end:
        key, pos = _read_key(buf, pos, end, what)
        field = key >> 3
        if field in (1, 2):
            if key & 7 != _WIRE_LEN:
                raise _wrong_type(what, key, pos, _WIRE_LEN)
            length, pos = _read_length(buf, pos, end, what)
            text = _utf8(buf, pos, pos + length, what)
            pos += length
            if field == 1:
                key_text = text
            else:
                value = text
        else:
            pos = _skip(buf, pos, end, key, what)
    if key_text is None:
        raise WireFormatError(f"{what}: required field 1 (key) is missing")
    return key_text, value


# One flat loop per message with the known single-byte keys first, and the
# one-byte varint and length inlined: this is the hot path of deaggregation, and a
# helper call per field would cost more than the branches. Messages for errors are
# built only when raising.
def _decode_record(  # noqa: PLR0912
    buf: bytes, pos: int, end: int, index: int
) -> RawRecord:
    pk_index = -1
    ehk_index: int | None = None
    data: bytes | None = None
    tags: list[RawTag] = []
    while pos < end:
        key = buf[pos]
        if key < 0x80:
            pos += 1
        else:
            key, pos = _read_key(buf, pos, end, f"Record {index}")
        if key == 0x1A:  # data
            length = buf[pos] if pos < end else 0x80
            if length < 0x80 and length < end - pos:
                pos += 1
            else:
                length, pos = _read_length(buf, pos, end, f"Record {index}")
            data = buf[pos : pos + length]
            pos += length
        elif key in (0x08, 0x10):  # partition_key_index / explicit_hash_key_index
            value = buf[pos] if pos < end else 0x80
            if value < 0x80:
                pos += 1
            else:
                value, pos = _read_varint(buf, pos, end, f"Record {index}")
            if key == 0x08:
                pk_index = value
            else:
                ehk_index = value
        elif key == 0x22:  # tags
            length, pos = _read_length(buf, pos, end, f"Record {index}")
            tags.append(_decode_tag(buf, pos, pos + length, f"Record {index}"))
            pos += length
        elif key >> 3 in (1, 2):
            raise _wrong_type(f"Record {index}", key, pos, _WIRE_VARINT)
        elif key >> 3 in (3, 4):
            raise _wrong_type(f"Record {index}", key, pos, _WIRE_LEN)
        elif key < 0x08:
            raise WireFormatError(f"Record {index}: field number 0 at byte {pos - 1}")
        else:
            pos = _skip(buf, pos, end, key, f"Record {index}")
    if pk_index < 0:
        raise WireFormatError(
            f"Record {index}: required field 1 (partition_key_index) is missing"
        )
    if data is None:
        raise WireFormatError(f"Record {index}: required field 3 (data) is missing")
    return pk_index, ehk_index, data, tuple(tags) if tags else ()


def decode_aggregated_record(  # noqa: PLR0912 (flat hot loop, see above)
    buf: bytes,
) -> tuple[list[str], list[str], list[RawRecord]]:
    """Parse an ``AggregatedRecord``: partition key table, hash key table, records.

    Indices are returned as decoded; checking them against the tables is the
    caller's job (it knows which record it reports). Raises
    :class:`WireFormatError` for anything malformed (see the module docstring).
    """
    pks: list[str] = []
    ehks: list[str] = []
    records: list[RawRecord] = []
    pos = 0
    end = len(buf)
    what = "AggregatedRecord"
    try:
        while pos < end:
            key = buf[pos]
            if key < 0x80:
                pos += 1
            else:
                key, pos = _read_key(buf, pos, end, what)
            if key in (0x1A, 0x0A, 0x12):
                length = buf[pos] if pos < end else 0x80
                if length < 0x80 and length < end - pos:
                    pos += 1
                else:
                    length, pos = _read_length(buf, pos, end, what)
                stop = pos + length
                if key == 0x1A:  # records
                    records.append(_decode_record(buf, pos, stop, len(records)))
                elif key == 0x0A:  # partition_key_table
                    pks.append(buf[pos:stop].decode())
                else:  # explicit_hash_key_table
                    ehks.append(buf[pos:stop].decode())
                pos = stop
            elif key >> 3 in (1, 2, 3):
                raise _wrong_type(what, key, pos, _WIRE_LEN)
            elif key < 0x08:
                raise WireFormatError(
                    f"{what}: field number 0 at byte {pos - 1} is not allowed"
                )
            else:
                pos = _skip(buf, pos, end, key, what)
    except UnicodeDecodeError as exc:
        # Caught once around the loop, not per string: a try block costs nothing
        # until it raises, a helper call per string does.
        table = "partition_key_table" if key == 0x0A else "explicit_hash_key_table"
        raise WireFormatError(
            f"{what}: {table} entry ending at byte {pos + exc.end} is not UTF-8 "
            f"({exc.reason})"
        ) from None
    return pks, ehks, records
