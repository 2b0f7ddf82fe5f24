"""Writes to a stream, from CSV, for :func:`~awscore.kinesis.simulate_consumer`."""

from __future__ import annotations

import contextlib
import csv
import io
import math

from awscore.errors import EventSourceMappingError, KinesisInputError
from awscore.kinesis._consumer import MAX_SIMULATED_WRITES, Write
from awscore.kinesis._hashing import check_partition_key

__all__ = ["MAX_WRITE_SIZE", "read_writes_csv"]

#: the most data one write may carry: Kinesis's 1 MiB record limit
MAX_WRITE_SIZE = 1024 * 1024
_COLUMNS = ("time", "partition_key")
_OPTIONAL = ("data", "size")
#: a time cell's most characters: seconds to the microsecond need far fewer
_MAX_NUMBER_TEXT = 32


def _number(text: str, line: int, column: str, high: float) -> float:
    stripped = text.strip()
    value = math.nan
    if len(stripped) <= _MAX_NUMBER_TEXT:
        with contextlib.suppress(ValueError):  # not a number: nan, refused below
            value = float(stripped)
    if not math.isfinite(value) or not 0 <= value <= high:
        raise EventSourceMappingError(
            f"writes CSV line {line}, column {column}: {text[:40]!r} must be a "
            f"number from 0 to {high:g}",
            field=f"line {line}",
        )
    return value


def read_writes_csv(text: str) -> list[Write]:
    """Parse writes: a header naming ``time,partition_key`` and ``data`` or ``size``.

    ``time`` is seconds on the simulation's clock, ``data`` the record's data as
    UTF-8 text (a CSV cell holds at most 128 KiB, the csv module's limit), ``size``
    a byte count of filler data instead (at most 1 MiB, the Kinesis record
    limit). Blank lines are skipped. Raises
    :class:`~awscore.errors.EventSourceMappingError` naming the line and column.

    >>> from awscore.kinesis import read_writes_csv
    >>> parsed = read_writes_csv("time,partition_key\\n0,a\\n1.5,b\\n")
    >>> [(w.time, w.partition_key) for w in parsed]
    [(0.0, 'a'), (1.5, 'b')]
    """
    if not isinstance(text, str):
        raise EventSourceMappingError("the writes CSV must be text", field="writes")
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff")), strict=True)
    writes: list[Write] = []
    try:
        header = [name.strip() for name in next(reader, [])]
        allowed = set(_COLUMNS + _OPTIONAL)
        if (
            any(c not in allowed for c in header)
            or any(c not in header for c in _COLUMNS)
            or len(set(header)) != len(header)
            or {"data", "size"} <= set(header)
        ):
            raise EventSourceMappingError(
                f"writes CSV line 1: header {','.join(header)!r} is not accepted: it "
                "must name time and partition_key, and data or size, each once",
                field="line 1",
            )
        for row in reader:
            if not row:
                continue
            line = reader.line_num
            if len(writes) >= MAX_SIMULATED_WRITES:
                raise EventSourceMappingError(
                    f"writes CSV: more than {MAX_SIMULATED_WRITES} writes",
                    field=f"line {line}",
                )
            if len(row) != len(header):
                raise EventSourceMappingError(
                    f"writes CSV line {line}: {len(row)} fields, but the header has "
                    f"{len(header)}",
                    field=f"line {line}",
                )
            cells = dict(zip(header, row, strict=True))
            try:
                check_partition_key(cells["partition_key"])
            except KinesisInputError as error:
                raise EventSourceMappingError(
                    f"writes CSV line {line}, column partition_key: {error}",
                    field=f"line {line}",
                ) from None
            data = cells.get("data", "").encode("utf-8", "surrogatepass")
            if "size" in cells:
                size = _number(cells["size"], line, "size", MAX_WRITE_SIZE)
                if size != int(size):
                    raise EventSourceMappingError(
                        f"writes CSV line {line}, column size: must be whole bytes",
                        field=f"line {line}",
                    )
                data = b"x" * int(size)
            writes.append(
                Write(
                    time=_number(cells["time"], line, "time", 366 * 24 * 3600),
                    partition_key=cells["partition_key"],
                    data=data,
                )
            )
    except csv.Error as error:
        raise EventSourceMappingError(
            f"writes CSV line {reader.line_num}: {error}",
            field=f"line {reader.line_num}",
        ) from None
    return writes
