"""An incremental multipart/form-data reader for S3 POST uploads (sans-I/O).

RFC 7578 (multipart/form-data) over RFC 2046 §5.1 (the multipart framing): an
optional preamble, then ``--boundary``, and for each part its header lines, an
empty line and its content up to ``CRLF--boundary``; ``--`` after the last
boundary closes the body. S3 reads the fields before the part named ``file``,
stores that part's content, and ignores whatever follows it ("The file or text
content must be the last field in the form").

The reader is fed the body in pieces of any size and hands the file's content
back as it goes, holding at most one boundary's length of it, so a caller can
stream an upload of any size. Everything before the file is bounded: the fields
together (with their part headers) by ``max_fields_size``.
"""

from __future__ import annotations

import re

from awscore.errors import (
    InvalidPostArgumentError,
    MalformedPostRequestError,
    PostFieldsTooLargeError,
    SigV4InputError,
)
from awscore.sigv4._post import PostForm

__all__ = ["DEFAULT_MAX_FIELDS_SIZE", "PostFormReader", "boundary_of"]

#: The default bound on the bytes before the file part: 20 KiB, S3's own limit
#: (its MaxPostPreDataLengthExceeded error names 20480 bytes).
DEFAULT_MAX_FIELDS_SIZE = 20 * 1024
# One part's header block; a browser writes two short lines.
_MAX_PART_HEADERS = 8 * 1024
# RFC 2046 §5.1.1: 1 to 70 characters from this set, not ending in a space.
_BOUNDARY = re.compile(r"[0-9A-Za-z'()+_,\-./:=? ]{0,69}[0-9A-Za-z'()+_,\-./:=?]")
_PARAM = re.compile(
    r';\s*([A-Za-z0-9_\-*]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^;\s"]*)\s*', re.DOTALL
)
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")

_PREAMBLE, _AFTER_BOUNDARY, _HEADERS, _FIELD, _FILE, _SKIP, _DONE = range(7)


def _params(value: str) -> tuple[str, dict[str, str]]:
    """A header value's main token and its ``; name=value`` parameters."""
    main, _, rest = value.partition(";")
    params: dict[str, str] = {}
    position = 0
    rest = ";" + rest if rest or value.endswith(";") else ""
    while position < len(rest):
        match = _PARAM.match(rest, position)
        if match is None:
            raise MalformedPostRequestError(
                f"the header value {value[:120]!r} has malformed parameters"
            )
        name, raw = match.groups()
        if raw[:1] == '"':
            raw = re.sub(r"\\(.)", r"\1", raw[1:-1], flags=re.DOTALL)
        params.setdefault(name.lower(), raw)
        position = match.end()
    return main.strip().lower(), params


def boundary_of(content_type: str) -> str:
    """The boundary of a ``multipart/form-data`` content type.

    Raises :class:`MalformedPostRequestError` for another type, or a missing or
    malformed boundary.
    """
    if not isinstance(content_type, str):
        raise SigV4InputError("content_type must be a string")
    kind, params = _params(content_type)
    if kind != "multipart/form-data":
        raise MalformedPostRequestError(
            "The body of your POST request is not well-formed multipart/form-data: "
            f"its content type is {content_type[:80]!r}"
        )
    boundary = params.get("boundary")
    if boundary is None or not _BOUNDARY.fullmatch(boundary):
        raise MalformedPostRequestError(
            "The body of your POST request is not well-formed multipart/form-data: "
            "the content type has no valid boundary (1 to 70 characters, RFC 2046)"
        )
    return boundary


class PostFormReader:
    """Read a multipart/form-data POST upload piece by piece.

    ``feed(data)`` returns the file part's content found in ``data`` (a list of
    byte strings, possibly empty); ``finish()``, once the body has ended, returns
    the :class:`PostForm` to verify. Errors are
    :class:`~awscore.errors.MalformedPostRequestError` (bad framing, a truncated
    body), :class:`~awscore.errors.PostFieldsTooLargeError` (the fields exceed
    ``max_fields_size``) and :class:`~awscore.errors.InvalidPostArgumentError`
    (no file part). After an error the reader refuses further input.

    Args:
        content_type: the request's ``Content-Type`` (with its boundary).
        bucket: the bucket the form is posted to (for the ``bucket`` condition).
        max_fields_size: the bound on every byte before the file's content.
    """

    def __init__(
        self,
        content_type: str,
        *,
        bucket: str,
        max_fields_size: int = DEFAULT_MAX_FIELDS_SIZE,
    ) -> None:
        if not isinstance(bucket, str):
            raise SigV4InputError("bucket must be a string")
        if (
            isinstance(max_fields_size, bool)
            or not isinstance(max_fields_size, int)
            or max_fields_size < 1
        ):
            raise SigV4InputError("max_fields_size must be a positive integer")
        boundary = boundary_of(content_type).encode("ascii")
        self._bucket = bucket
        self._max = max_fields_size
        # The first boundary may open the body without a CRLF before it.
        self._delimiter = b"\r\n--" + boundary
        self._buffer = b"\r\n"
        self._state = _PREAMBLE
        self._seen = 0
        self._fields: list[tuple[str, str]] = []
        self._field_name = ""
        self._value = b""
        self._file_size = 0
        self._has_file = False
        self._filename: str | None = None
        self._file_type: str | None = None
        self._failed = False

    def feed(self, data: bytes) -> list[bytes]:
        """Take the next piece of the body; return the file content it holds."""
        if self._failed:
            raise MalformedPostRequestError("the form upload was already refused")
        if not isinstance(data, bytes | bytearray | memoryview):
            raise SigV4InputError("feed() takes bytes")
        try:
            return self._feed(bytes(data))
        except Exception:
            self._failed = True
            raise

    def finish(self) -> PostForm:
        """The form, once the body has ended; raise if it ended too soon."""
        if self._failed:
            raise MalformedPostRequestError("the form upload was already refused")
        if self._state != _DONE:
            self._failed = True
            raise MalformedPostRequestError(
                "The body of your POST request is not well-formed "
                "multipart/form-data: it ends before its closing boundary "
                "(truncated)"
            )
        if not self._has_file:
            raise InvalidPostArgumentError(
                "POST requires exactly one file upload per request: the form has "
                "no part named 'file'"
            )
        return PostForm(
            bucket=self._bucket,
            fields=tuple(self._fields),
            file_size=self._file_size,
            filename=self._filename,
            file_content_type=self._file_type,
        )

    # --- the state machine --------------------------------------------------

    def _count(self, size: int) -> None:
        """Charge ``size`` bytes of what precedes the file to the bound."""
        if self._has_file:
            return
        self._seen += size
        if self._seen > self._max:
            raise PostFieldsTooLargeError(
                "Your POST request fields preceding the upload file were too large: "
                f"more than {self._max} bytes"
            )

    def _feed(self, data: bytes) -> list[bytes]:
        out: list[bytes] = []
        buffer = self._buffer + data
        delimiter = self._delimiter
        while True:
            state = self._state
            if state == _DONE:
                buffer = b""  # the epilogue is ignored
                break
            if state in (_PREAMBLE, _FIELD, _FILE, _SKIP):
                at = buffer.find(delimiter)
                if at < 0:
                    # Keep what could be the start of a delimiter split in two.
                    keep = len(delimiter) - 1
                    cut = max(len(buffer) - keep, 0)
                    self._content(buffer[:cut], out)
                    buffer = buffer[cut:]
                    break
                self._content(buffer[:at], out)
                self._end_part()
                buffer = buffer[at + len(delimiter) :]
                self._state = _AFTER_BOUNDARY
                continue
            rest = (
                self._after_boundary(buffer)
                if state == _AFTER_BOUNDARY
                else self._headers(buffer)
            )
            if rest is None:
                break
            buffer = rest
        self._buffer = buffer
        return out

    def _after_boundary(self, buffer: bytes) -> bytes | None:
        """What follows a boundary: ``--`` (the end) or a line end; None: wait."""
        if len(buffer) < 2:
            return None
        if buffer[:2] == b"--":
            self._state = _DONE
            return buffer
        # RFC 2046: linear whitespace may follow the boundary.
        end = buffer.find(b"\r\n")
        if end < 0:
            if len(buffer) > 256:
                raise self._malformed("junk after a boundary")
            return None
        if buffer[:end].strip(b" \t"):
            raise self._malformed("junk after a boundary")
        self._count(end + 2)
        self._state = _HEADERS
        return buffer[end + 2 :]

    def _headers(self, buffer: bytes) -> bytes | None:
        """A part's header block, once whole; None: wait for more."""
        end = buffer.find(b"\r\n\r\n")
        if end < 0:
            if len(buffer) > _MAX_PART_HEADERS:
                raise self._too_large_headers()
            return None
        if end > _MAX_PART_HEADERS:
            raise self._too_large_headers()
        self._count(end + 4)
        self._start_part(buffer[:end])
        return buffer[end + 4 :]

    def _malformed(self, what: str) -> MalformedPostRequestError:
        return MalformedPostRequestError(
            f"The body of your POST request is not well-formed multipart/form-data: "
            f"{what}"
        )

    def _too_large_headers(self) -> MalformedPostRequestError:
        if self._has_file:
            return self._malformed(f"a part's headers exceed {_MAX_PART_HEADERS} bytes")
        return PostFieldsTooLargeError(
            "Your POST request fields preceding the upload file were too large: a "
            f"part's headers exceed {_MAX_PART_HEADERS} bytes"
        )

    def _content(self, piece: bytes, out: list[bytes]) -> None:
        if not piece:
            return
        state = self._state
        if state == _FILE:
            self._file_size += len(piece)
            out.append(piece)
        elif state == _FIELD:
            self._count(len(piece))
            self._value += piece
        elif state == _PREAMBLE:
            # The preamble precedes every field: it counts toward the bound.
            self._count(len(piece))

    def _start_part(self, block: bytes) -> None:
        try:
            text = block.decode("utf-8")
        except UnicodeDecodeError:
            raise self._malformed("a part's headers are not UTF-8") from None
        disposition = None
        content_type = None
        for line in text.split("\r\n"):
            name, colon, value = line.partition(":")
            if not colon or not _TOKEN.fullmatch(name):
                raise self._malformed(f"malformed part header {line[:80]!r}")
            lname = name.lower()
            if lname == "content-disposition":
                disposition = value.strip()
            elif lname == "content-type":
                content_type = value.strip()
        if self._has_file:
            self._state = _SKIP  # S3 ignores what follows the file
            return
        if disposition is None:
            raise self._malformed("a part has no Content-Disposition")
        kind, params = _params(disposition)
        if kind != "form-data" or "name" not in params:
            raise self._malformed(
                f"a part's Content-Disposition {disposition[:80]!r} is not "
                "form-data with a name"
            )
        name = params["name"]
        if name.lower() == "file":
            self._has_file = True
            self._filename = params.get("filename")
            self._file_type = content_type
            self._state = _FILE
            return
        self._field_name = name
        self._value = b""
        self._state = _FIELD

    def _end_part(self) -> None:
        if self._state == _FIELD:
            try:
                value = self._value.decode("utf-8")
            except UnicodeDecodeError:
                raise self._malformed(
                    f"the value of field {self._field_name[:80]!r} is not UTF-8"
                ) from None
            self._fields.append((self._field_name, value))
            self._value = b""
