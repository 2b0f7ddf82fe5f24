"""S3 ``aws-chunked`` streaming payloads: encoding and verified decoding, sans-I/O.

A request whose ``x-amz-content-sha256`` is a ``STREAMING-*`` value sends its body
in chunks (AWS S3 documentation, "Signature Calculations for the Authorization
Header: Transferring Payload in Multiple Chunks (Chunked Upload) (AWS Signature
Version 4)" and "... Including Trailing Headers"):

``STREAMING-AWS4-HMAC-SHA256-PAYLOAD``
    every chunk signed, ``hex(size);chunk-signature=<sig>\\r\\n<data>\\r\\n``; a
    final zero-length chunk ``0;chunk-signature=<sig>\\r\\n`` and ``\\r\\n`` end it.
``STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER``
    the same chunks, then trailing headers ``name:value\\r\\n``, then
    ``x-amz-trailer-signature:<sig>\\r\\n`` and ``\\r\\n``.
``STREAMING-UNSIGNED-PAYLOAD-TRAILER``
    plain chunks ``hex(size)\\r\\n<data>\\r\\n``, ``0\\r\\n``, trailing headers (a
    flexible checksum, typically) and ``\\r\\n``; nothing in the body is signed.

A chunk signature is the hex HMAC-SHA256, under the request's signing key, of::

    AWS4-HMAC-SHA256-PAYLOAD \\n <amz-date> \\n <scope> \\n <previous signature> \\n
    <hex SHA-256 of ""> \\n <hex SHA-256 of the chunk data>

where the first chunk's previous signature is the seed (the request's own
``Authorization`` signature), so the chunks form a chain that fixes their order
and number. The trailer signature is::

    AWS4-HMAC-SHA256-TRAILER \\n <amz-date> \\n <scope> \\n
    <final chunk's signature> \\n <hex SHA-256 of the canonical trailers>

with canonical trailers ``name:value\\n`` per trailer: lower-case names, values
trimmed of spaces and tabs, in the order sent (aws-c-auth, and the vector
``first:1st\\nsecond:2nd\\nthird:3rd\\n``; some third-party servers sort them,
which agrees whenever there is one trailer, as every AWS SDK sends).

The request also carries ``Content-Encoding: aws-chunked``,
``x-amz-decoded-content-length`` (the data length), ``Content-Length`` (the framed
length, known up front since signatures and checksums have fixed lengths) and,
with trailers, ``x-amz-trailer`` (their names): :meth:`ChunkedEncoder.request_headers`.

Where AWS documents nothing, we chose: chunk sizes are hex digits in either case
(RFC 9112 §7.1 ``chunk-size = 1*HEXDIG``), at most 16 digits and 16 MiB; no chunk
extensions but ``chunk-signature``; trailer names are case-insensitive; every
trailer received must be declared in ``x-amz-trailer`` and every declared one
received, once; a trailer mode may carry no trailers (the signed one then signs
the empty canonical block); S3's minimum of 8 KiB per signed chunk
(:data:`S3_MIN_CHUNK_SIZE`) is S3 policy, not framing, and is not enforced.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Iterable, Iterator, Sequence
from enum import StrEnum
from typing import Final, TypeVar

from awscore._inputs import shown
from awscore.errors import (
    ArgumentTypeError,
    ChecksumMismatchError,
    ChunkedPayloadError,
    ChunkSignatureMismatchError,
    DecodedLengthMismatchError,
    InvalidHeaderError,
    InvalidOptionError,
    MalformedChunkError,
    MalformedTrailerError,
    SigV4InputError,
    TrailerSignatureMismatchError,
)
from awscore.sigv4._checksums import (
    CHECKSUM_HEADER_PREFIX,
    Checksum,
    checksum_class,
    checksum_header,
)
from awscore.sigv4._keys import hmac_sha256_hex
from awscore.sigv4._model import is_text_pair, kind_of

__all__ = [
    "CHUNK_SIGNATURE_ALGORITHM",
    "DEFAULT_CHUNK_SIZE",
    "MAX_CHUNK_SIZE",
    "S3_MIN_CHUNK_SIZE",
    "TRAILER_SIGNATURE_ALGORITHM",
    "ChecksumMismatchError",
    "ChunkSignatureMismatchError",
    "ChunkedDecoder",
    "ChunkedEncoder",
    "ChunkedPayloadError",
    "DecodedLengthMismatchError",
    "MalformedChunkError",
    "MalformedTrailerError",
    "StreamingMode",
    "TrailerSignatureMismatchError",
    "canonical_trailers",
    "parse_trailer_names",
]


class StreamingMode(StrEnum):
    """The ``x-amz-content-sha256`` values of the SigV4 ``aws-chunked`` modes."""

    SIGNED = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"
    SIGNED_TRAILER = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER"
    UNSIGNED_TRAILER = "STREAMING-UNSIGNED-PAYLOAD-TRAILER"


CHUNK_SIGNATURE_ALGORITHM: Final = "AWS4-HMAC-SHA256-PAYLOAD"
TRAILER_SIGNATURE_ALGORITHM: Final = "AWS4-HMAC-SHA256-TRAILER"
#: What the AWS SDKs and the S3 example use.
DEFAULT_CHUNK_SIZE: Final = 64 * 1024
#: S3 rejects signed chunks (all but the last) smaller than this; not enforced here.
S3_MIN_CHUNK_SIZE: Final = 8 * 1024
#: The largest chunk the decoder accepts (and the encoder makes): a signed chunk
#: is held until its signature checks, so this bounds the decoder's memory.
MAX_CHUNK_SIZE: Final = 16 * 1024 * 1024

_TRAILER_SIGNATURE: Final = "x-amz-trailer-signature"
_EMPTY_SHA256: Final = hashlib.sha256(b"").hexdigest().encode("ascii")
_CRLF: Final = b"\r\n"
# ";chunk-signature=" and 64 hex digits: every signed chunk header has this tail.
_SIGNATURE_EXT: Final = b";chunk-signature="
_SIGNED_HEADER_EXTRA: Final = len(_SIGNATURE_EXT) + 64
_TRAILER_SIGNATURE_LINE: Final = len(_TRAILER_SIGNATURE) + 1 + 64 + 2
# Bounds on what the decoder buffers for a line it has not seen the end of. A
# signed chunk header is at most 16 + 17 + 64 = 97 bytes.
_MAX_CHUNK_LINE: Final = 128
_MAX_TRAILER_LINE: Final = 1024

_SIGNED_CHUNK_LINE = re.compile(rb"([0-9A-Fa-f]{1,16});chunk-signature=([0-9a-f]{64})")
_UNSIGNED_CHUNK_LINE = re.compile(rb"[0-9A-Fa-f]{1,16}")
_HEX64 = re.compile(r"[0-9a-f]{64}")
_AMZ_DATE = re.compile(r"[0-9]{8}T[0-9]{6}Z")
# RFC 9110 §5.6.2 token; values: visible ASCII, spaces and tabs (RFC 9110 §5.5,
# without obs-text, which no AWS trailer uses).
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_FIELD_VALUE = re.compile(r"[\t\x20-\x7e]*")
_SCOPE = re.compile(r"[0-9]{8}/[^\s/]+/[^\s/]+/aws4_request")
_WHITESPACE: Final = " \t"
_T = TypeVar("_T")


def _parse_mode(mode: str) -> StreamingMode:
    try:
        # A text check first: an Enum lookup reprs what it refuses, and the repr
        # of a hostile value (nested 3,000 deep) raises.
        if isinstance(mode, str):
            return StreamingMode(mode)
        raise ValueError
    except ValueError:
        accepted = ", ".join(repr(str(m)) for m in StreamingMode)
        raise InvalidOptionError(
            f"streaming mode {shown(mode, 80)} is not supported: use one of "
            f"{accepted} (the SigV4A ECDSA modes are not implemented)"
        ) from None


def _byte_view(data: object) -> memoryview:
    """``data`` as a flat view of bytes; a typed error for anything else.

    Checked before the stream is touched, so a refused piece changes nothing.
    """
    if not isinstance(data, bytes | bytearray | memoryview):
        raise ArgumentTypeError(
            f"data must be bytes (bytes, bytearray or memoryview), not {kind_of(data)}"
        )
    try:
        return memoryview(data).cast("B")
    except (TypeError, ValueError):
        # A strided or multi-dimensional view has no flat byte form.
        raise ArgumentTypeError(
            "data must be a contiguous buffer of bytes, not a strided or "
            "multi-dimensional view"
        ) from None


def _signed(mode: StreamingMode) -> bool:
    return mode is not StreamingMode.UNSIGNED_TRAILER


def _has_trailer(mode: StreamingMode) -> bool:
    return mode is not StreamingMode.SIGNED


def canonical_trailers(trailers: Iterable[tuple[str, str]]) -> bytes:
    """The block the trailer signature hashes: ``name:value\\n`` per trailer.

    Names lower-cased, values trimmed of spaces and tabs, in the order given.
    """
    return "".join(
        f"{name.lower()}:{value.strip(_WHITESPACE)}\n" for name, value in trailers
    ).encode("ascii")


def parse_trailer_names(header_value: str) -> tuple[str, ...]:
    """The trailer names an ``x-amz-trailer`` header declares, lower-cased.

    The value is a comma-separated list (botocore sends one name; RFC 9110 §6.6.2
    allows several, with optional whitespace). Raises
    :class:`MalformedTrailerError` for an empty element or a name that is not an
    HTTP token.
    """
    names = []
    for element in header_value.split(","):
        name = element.strip(_WHITESPACE)
        if not _TOKEN.fullmatch(name):
            raise MalformedTrailerError(
                f"x-amz-trailer {header_value[:200]!r} is malformed: it must be a "
                "comma-separated list of header names, e.g. 'x-amz-checksum-crc32'"
            )
        names.append(name.lower())
    return tuple(names)


class _ChainSigner:
    """Chunk and trailer signatures, with the constant part of each string to sign
    built once: a chunk then costs one SHA-256 of its data and one HMAC."""

    __slots__ = ("_chunk_prefix", "_key", "_trailer_prefix", "previous")

    def __init__(
        self, signing_key: bytes, amz_date: str, scope: str, seed_signature: str
    ) -> None:
        # UTF-8, as the seed's string to sign: a scope may name any service
        # (botocore and sign() accept a non-ASCII one).
        common = f"\n{amz_date}\n{scope}\n".encode()
        self._key = signing_key
        self._chunk_prefix = CHUNK_SIGNATURE_ALGORITHM.encode("ascii") + common
        self._trailer_prefix = TRAILER_SIGNATURE_ALGORITHM.encode("ascii") + common
        self.previous = seed_signature.encode("ascii")

    def chunk(self, data_sha256_hex: bytes) -> bytes:
        """Sign the next chunk, given its data's hex SHA-256, and advance the chain."""
        message = b"".join(
            (
                self._chunk_prefix,
                self.previous,
                b"\n",
                _EMPTY_SHA256,
                b"\n",
                data_sha256_hex,
            )
        )
        self.previous = hmac_sha256_hex(self._key, message).encode("ascii")
        return self.previous

    def trailer(self, canonical: bytes) -> bytes:
        """Sign the canonical trailers after the final chunk (the chain's end)."""
        digest = hashlib.sha256(canonical).hexdigest().encode("ascii")
        message = b"".join((self._trailer_prefix, self.previous, b"\n", digest))
        return hmac_sha256_hex(self._key, message).encode("ascii")


def _check_signing_inputs(
    signing_key: object, amz_date: object, scope: object, seed_signature: object
) -> None:
    if not isinstance(signing_key, bytes) or len(signing_key) != 32:
        raise InvalidOptionError(
            "signing_key must be the 32-byte SigV4 signing key "
            "(awscore.sigv4.derive_signing_key)"
        )
    if not isinstance(amz_date, str) or not _AMZ_DATE.fullmatch(amz_date):
        raise InvalidOptionError(
            f"amz_date {shown(amz_date, 40)} is invalid: it must be the request's "
            "X-Amz-Date, YYYYMMDD'T'HHMMSS'Z'"
        )
    if not isinstance(scope, str) or not _SCOPE.fullmatch(scope):
        raise InvalidOptionError(
            f"scope {shown(scope, 120)} is invalid: it must be the credential scope "
            "YYYYMMDD/region/service/aws4_request"
        )
    if not isinstance(seed_signature, str) or not _HEX64.fullmatch(seed_signature):
        raise InvalidOptionError(
            f"seed_signature {shown(seed_signature, 80)} is invalid: it must be the "
            "request's signature, 64 lower-case hex digits"
        )


def _check_chunk_size(chunk_size: object) -> int:
    if (
        isinstance(chunk_size, bool)
        or not isinstance(chunk_size, int)
        or not 1 <= chunk_size <= MAX_CHUNK_SIZE
    ):
        raise InvalidOptionError(
            f"chunk_size {shown(chunk_size)} is out of range: must be "
            f"1..{MAX_CHUNK_SIZE} "
            f"bytes (S3 wants at least {S3_MIN_CHUNK_SIZE}; SDKs use "
            f"{DEFAULT_CHUNK_SIZE})"
        )
    return chunk_size


def _checksum_for(algorithm: str | None, mode: StreamingMode) -> type[Checksum] | None:
    if algorithm is None:
        return None
    header = checksum_header(algorithm) if isinstance(algorithm, str) else None
    if header is None:
        raise InvalidOptionError(
            f"trailer_checksum {shown(algorithm, 40)} is not supported: use crc32, "
            "crc32c, crc64nvme, sha1 or sha256"
        )
    if not _has_trailer(mode):
        raise InvalidOptionError(
            f"trailer_checksum needs a trailer mode, not {str(mode)!r}: use "
            f"{str(StreamingMode.SIGNED_TRAILER)!r} or "
            f"{str(StreamingMode.UNSIGNED_TRAILER)!r}"
        )
    return checksum_class(header)


def _sequence(value: Iterable[_T], what: str) -> Iterable[_T]:
    """``value`` if it is a list or tuple (of trailers or names), else a typed error."""
    if not isinstance(value, list | tuple):
        raise ArgumentTypeError(f"{what} must be a list or tuple, not {kind_of(value)}")
    return value


def _checked_trailers(
    trailers: Iterable[tuple[str, str]], taken: Iterable[str]
) -> list[tuple[str, str]]:
    """Trailers as they go on the wire: names lower-cased, values trimmed."""
    seen = set(taken) | {_TRAILER_SIGNATURE}
    out = []
    for pair in _sequence(trailers, "extra_trailers"):
        if not is_text_pair(pair):
            raise InvalidHeaderError(
                f"trailer {shown(pair)} is invalid: trailers are (name, value) "
                "pairs of strings"
            )
        name, value = pair[0].lower(), pair[1].strip(_WHITESPACE)
        if not _TOKEN.fullmatch(name):
            raise InvalidHeaderError(
                f"trailer name {pair[0][:100]!r} is not an HTTP token: use letters, "
                "digits and !#$%&'*+-.^_`|~"
            )
        if not _FIELD_VALUE.fullmatch(value):
            raise InvalidHeaderError(
                f"trailer {name!r} value {value[:100]!r} is invalid: use visible "
                "ASCII, spaces and tabs"
            )
        if name in seen:
            raise InvalidOptionError(
                f"trailer {name!r} is sent twice, or is the checksum trailer or "
                "x-amz-trailer-signature, which the encoder writes itself"
            )
        seen.add(name)
        out.append((name, value))
    return out


def _trailer_lengths(
    trailer_names: Sequence[str], extra_trailers: Sequence[tuple[str, str]]
) -> tuple[list[str], int]:
    """The trailer names in sending order, and the length of their lines."""
    names: list[str] = []
    length = 0
    for name in _sequence(trailer_names, "trailer_names"):
        cls = checksum_class(name) if isinstance(name, str) else None
        if cls is None:
            raise InvalidOptionError(
                f"trailer {shown(name, 100)} has no length known up front: "
                "trailer_names takes x-amz-checksum-* names; pass other trailers "
                "with their values in extra_trailers"
            )
        if name.lower() in names:
            raise InvalidOptionError(f"trailer {name.lower()!r} is sent twice")
        names.append(name.lower())
        length += len(name) + 1 + cls.b64_length() + 2
    for name, value in _checked_trailers(extra_trailers, names):
        names.append(name)
        length += len(name) + 1 + len(value) + 2
    return names, length


class ChunkedEncoder:
    """Frame (and sign) a body as ``aws-chunked``, incrementally.

    Create it after signing the request (the seed is that signature), with the
    signing key, ``X-Amz-Date`` and credential scope it used; :meth:`feed` the
    data in any pieces and send what comes back, then send what :meth:`finish`
    returns. The encoder holds less than one chunk between calls. Sign the request
    with the headers from :meth:`request_headers` (they include the framed
    ``Content-Length``, which is part of the seed signature).

    ``trailer_checksum`` (``"crc32"``, ``"crc32c"``, ``"crc64nvme"``, ``"sha1"``,
    ``"sha256"``) adds an ``x-amz-checksum-*`` trailer over the data; trailer modes
    only. In ``STREAMING-UNSIGNED-PAYLOAD-TRAILER`` mode nothing is signed and the
    signing arguments are ignored.

    Raises :class:`~awscore.errors.InvalidOptionError` for an unknown mode or
    checksum, a chunk size outside 1..16 MiB, or malformed signing inputs.
    """

    def __init__(
        self,
        *,
        mode: str,
        signing_key: bytes,
        amz_date: str,
        scope: str,
        seed_signature: str,
        chunk_size: int = DEFAULT_CHUNK_SIZE,
        trailer_checksum: str | None = None,
    ) -> None:
        self._mode = _parse_mode(mode)
        self._chunk_size = _check_chunk_size(chunk_size)
        checksum_cls = _checksum_for(trailer_checksum, self._mode)
        self._checksum = checksum_cls() if checksum_cls is not None else None
        self._signer: _ChainSigner | None = None
        if _signed(self._mode):
            _check_signing_inputs(signing_key, amz_date, scope, seed_signature)
            self._signer = _ChainSigner(signing_key, amz_date, scope, seed_signature)
        self._pending = bytearray()
        self._data_length = 0
        self._finished = False

    @property
    def data_length(self) -> int:
        """How many data bytes were fed so far."""
        return self._data_length

    def feed(
        self, data: bytes | bytearray | memoryview
    ) -> Iterator[bytes | memoryview]:
        """Take the next piece of the body; returns the framed chunks now complete.

        Send the pieces in order: each chunk is its line, its data and CRLF. The
        data pieces are views of the buffer passed in, not copies (copying would
        cost as much as hashing), so send them before reusing that buffer. The
        work is done before this returns (the iterator is over finished pieces),
        so a caller that drops it loses no state.
        """
        if self._finished:
            raise SigV4InputError("feed() after finish(): the stream is complete")
        view = _byte_view(data)
        self._data_length += len(view)
        size = self._chunk_size
        out: list[bytes | memoryview] = []
        if self._pending:
            need = size - len(self._pending)
            self._pending += view[:need]
            if len(self._pending) < size:
                return iter(out)
            self._frame(bytes(self._pending), out)
            self._pending = bytearray()
            view = view[need:]
        # Whole chunks are framed straight from the caller's buffer, uncopied.
        whole = len(view) - len(view) % size
        for start in range(0, whole, size):
            self._frame(view[start : start + size], out)
        self._pending += view[whole:]
        return iter(out)

    def finish(
        self, extra_trailers: Sequence[tuple[str, str]] = ()
    ) -> Iterator[bytes | memoryview]:
        """End the body: the last partial chunk, the final chunk and the trailer.

        ``extra_trailers`` are ``(name, value)`` trailers sent after the checksum
        one (trailer modes only; names lower-cased, values trimmed). Their names,
        like the checksum's, must be the ones :meth:`request_headers` declared.
        """
        if self._finished:
            raise SigV4InputError("finish() called twice: the stream is complete")
        trailers = _checked_trailers(
            extra_trailers, () if self._checksum is None else (self._checksum.header,)
        )
        if trailers and not _has_trailer(self._mode):
            raise InvalidOptionError(
                f"extra_trailers need a trailer mode, not {str(self._mode)!r}"
            )
        self._finished = True
        out: list[bytes | memoryview] = []
        if self._pending:
            self._frame(bytes(self._pending), out)
            self._pending = bytearray()
        tail = bytearray()
        if self._signer is not None:
            signature = self._signer.chunk(_EMPTY_SHA256)
            tail += b"0;chunk-signature=" + signature + _CRLF
        else:
            tail += b"0\r\n"
        if _has_trailer(self._mode):
            if self._checksum is not None:
                trailers.insert(0, (self._checksum.header, self._checksum.b64()))
            for name, value in trailers:
                tail += f"{name}:{value}\r\n".encode("ascii")
            if self._signer is not None:
                signature = self._signer.trailer(canonical_trailers(trailers))
                tail += _TRAILER_SIGNATURE.encode("ascii") + b":" + signature + _CRLF
        tail += _CRLF
        out.append(bytes(tail))
        return iter(out)

    def _frame(self, chunk: bytes | memoryview, out: list[bytes | memoryview]) -> None:
        # The chunk line, the data and CRLF go out as three pieces: copying the
        # data into one framed bytes object would cost as much as hashing it.
        if self._checksum is not None:
            self._checksum.update(chunk)
        if self._signer is None:
            header = b"%x\r\n" % len(chunk)
        else:
            digest = hashlib.sha256(chunk).hexdigest().encode("ascii")
            signature = self._signer.chunk(digest)
            header = b"%x;chunk-signature=%b\r\n" % (len(chunk), signature)
        out += (header, chunk, _CRLF)

    @staticmethod
    def framed_length(
        data_length: int,
        *,
        mode: str,
        chunk_size: int = DEFAULT_CHUNK_SIZE,
        trailer_names: Sequence[str] = (),
        extra_trailers: Sequence[tuple[str, str]] = (),
    ) -> int:
        """The ``Content-Length`` of ``data_length`` bytes framed as the encoder does.

        ``trailer_names`` are ``x-amz-checksum-*`` trailers (whose values have a
        fixed length); ``extra_trailers`` other ``(name, value)`` trailers.
        Matches the S3 example: 66560 bytes in 64 KiB signed chunks frame to 66824.
        """
        parsed = _parse_mode(mode)
        size = _check_chunk_size(chunk_size)
        if isinstance(data_length, bool) or not isinstance(data_length, int):
            raise InvalidOptionError(
                f"data_length {shown(data_length)} is not an integer"
            )
        if data_length < 0:
            raise InvalidOptionError(f"data_length {shown(data_length)} is negative")
        names, trailer_length = _trailer_lengths(trailer_names, extra_trailers)
        if names and not _has_trailer(parsed):
            raise InvalidOptionError(f"trailers need a trailer mode, not {shown(mode)}")
        per_chunk = 4 + (_SIGNED_HEADER_EXTRA if _signed(parsed) else 0)
        full, rest = divmod(data_length, size)
        length = data_length + full * (len(f"{size:x}") + per_chunk)
        if rest:
            length += len(f"{rest:x}") + per_chunk
        # The final chunk "0" + its header extra + CRLF, then the closing CRLF.
        length += 1 + per_chunk
        if _has_trailer(parsed):
            length += trailer_length
            if _signed(parsed):
                length += _TRAILER_SIGNATURE_LINE
        return length

    @staticmethod
    def request_headers(
        data_length: int,
        *,
        mode: str,
        chunk_size: int = DEFAULT_CHUNK_SIZE,
        trailer_names: Sequence[str] = (),
        extra_trailers: Sequence[tuple[str, str]] = (),
    ) -> list[tuple[str, str]]:
        """The headers an ``aws-chunked`` request carries, to sign and send.

        ``Content-Encoding: aws-chunked``, ``Content-Length`` (the framed length),
        ``x-amz-decoded-content-length`` and, with trailers, ``x-amz-trailer``.
        The ``x-amz-content-sha256`` value is ``mode``, which the signer sets from
        its ``payload`` argument. Arguments as for :meth:`framed_length`.
        """
        framed = ChunkedEncoder.framed_length(
            data_length,
            mode=mode,
            chunk_size=chunk_size,
            trailer_names=trailer_names,
            extra_trailers=extra_trailers,
        )
        headers = [
            ("Content-Encoding", "aws-chunked"),
            ("Content-Length", str(framed)),
            ("x-amz-decoded-content-length", str(data_length)),
        ]
        names, _ = _trailer_lengths(trailer_names, extra_trailers)
        if names:
            headers.append(("x-amz-trailer", ",".join(names)))
        return headers


# Decoder states.
_CHUNK_LINE: Final = 0  # reading "hex(size)[;chunk-signature=...]\r\n"
_DATA: Final = 1  # reading a chunk's data
_DATA_CRLF: Final = 2  # reading the CRLF after a chunk's data
_TRAILER_LINE: Final = 3  # reading trailer lines up to the empty one
_FINAL_CRLF: Final = 4  # reading the CRLF after the final chunk (no trailer)
_DONE: Final = 5

_WHERE = {
    _CHUNK_LINE: "in a chunk header",
    _DATA: "in a chunk's data",
    _DATA_CRLF: "before the CRLF that ends a chunk's data",
    _TRAILER_LINE: "in the trailer",
    _FINAL_CRLF: "before the CRLF that follows the final chunk",
}


class ChunkedDecoder:
    """Parse and verify an ``aws-chunked`` body, incrementally, in bounded memory.

    Give it the values of the request it belongs to, as the header verification
    established them: the signing key, ``X-Amz-Date``, credential scope and the
    request's signature (the seed), ``x-amz-decoded-content-length`` (``None`` if
    absent) and the names ``x-amz-trailer`` declares (:func:`parse_trailer_names`).
    :meth:`feed` the received bytes in any split, even one byte at a time; it
    returns data that is safe to use: a signed chunk's data only once its
    signature checks, so at most one chunk (:data:`MAX_CHUNK_SIZE`) is held. In
    ``STREAMING-UNSIGNED-PAYLOAD-TRAILER`` mode data comes out as it arrives and
    nothing vouches for it until the checksum trailer checks: discard it if
    :meth:`finish` raises. :meth:`finish` returns the trailers.

    Every fault in the received bytes raises a :class:`ChunkedPayloadError`:
    :class:`ChunkSignatureMismatchError`, :class:`MalformedChunkError` (framing, a
    chunk over 16 MiB, a truncated stream, bytes after the end),
    :class:`DecodedLengthMismatchError`, :class:`MalformedTrailerError` (and its
    :class:`TrailerSignatureMismatchError`) and :class:`ChecksumMismatchError`.
    After one, the decoder raises it again on every call. Bad arguments raise
    :class:`~awscore.errors.InvalidOptionError`; a piece of data that is not bytes
    raises :class:`~awscore.errors.ArgumentTypeError` and changes nothing.
    """

    def __init__(
        self,
        *,
        mode: str,
        signing_key: bytes | None,
        amz_date: str,
        scope: str,
        seed_signature: str,
        decoded_length: int | None,
        expected_trailers: Sequence[str] = (),
    ) -> None:
        self._mode = _parse_mode(mode)
        self._signer: _ChainSigner | None = None
        if _signed(self._mode):
            if signing_key is None:
                raise InvalidOptionError(
                    f"mode {str(self._mode)!r} signs every chunk: pass the signing key"
                )
            _check_signing_inputs(signing_key, amz_date, scope, seed_signature)
            self._signer = _ChainSigner(signing_key, amz_date, scope, seed_signature)
        if decoded_length is not None and (
            isinstance(decoded_length, bool)
            or not isinstance(decoded_length, int)
            or decoded_length < 0
        ):
            raise InvalidOptionError(
                f"decoded_length {shown(decoded_length)} is invalid: pass None or the "
                "x-amz-decoded-content-length as a non-negative integer"
            )
        self._decoded_length = decoded_length
        self._expected = self._check_expected(expected_trailers)
        self._checksums: dict[str, Checksum] = {}
        for name in self._expected:
            cls = checksum_class(name)
            if cls is not None:
                self._checksums[name] = cls()
        self._state = _CHUNK_LINE
        self._line = bytearray()  # a line (or CRLF) not complete yet
        self._consumed = 0  # stream offset of the current feed's first byte
        self._received = 0  # data bytes in the chunks announced so far
        self._chunks = 0  # chunks started so far
        self._remaining = 0  # data bytes the current chunk still owes
        self._claimed = b""  # the current chunk's chunk-signature
        self._hash = hashlib.sha256()
        self._held = bytearray()  # the current signed chunk's data, if split
        self._trailers: dict[str, str] = {}
        self._canonical: list[tuple[str, str]] = []
        self._trailer_signed = False
        self._error: ChunkedPayloadError | None = None

    def _check_expected(self, expected: Sequence[str]) -> tuple[str, ...]:
        if isinstance(expected, str):
            raise InvalidOptionError(
                "expected_trailers is a sequence of names: use parse_trailer_names() "
                "on the x-amz-trailer header"
            )
        names: list[str] = []
        for raw in _sequence(expected, "expected_trailers"):
            name = raw.lower() if isinstance(raw, str) else ""
            if (
                not _TOKEN.fullmatch(name)
                or name in names
                or name == _TRAILER_SIGNATURE
            ):
                raise MalformedTrailerError(
                    f"declared trailer {shown(raw, 100)} is invalid: trailer names "
                    "are distinct HTTP tokens, other than x-amz-trailer-signature"
                )
            if name.startswith(CHECKSUM_HEADER_PREFIX) and checksum_class(name) is None:
                raise MalformedTrailerError(
                    f"declared trailer {name!r} is not a supported checksum: use "
                    "x-amz-checksum-crc32, -crc32c, -crc64nvme, -sha1 or -sha256"
                )
            names.append(name)
        if names and not _has_trailer(self._mode):
            raise MalformedTrailerError(
                f"x-amz-trailer declares {', '.join(names)!r} but mode "
                f"{str(self._mode)!r} has no trailer: use a *-TRAILER mode"
            )
        return tuple(names)

    @property
    def decoded_bytes(self) -> int:
        """How many data bytes were received so far (verified or not)."""
        return self._received - self._remaining

    def feed(
        self, data: bytes | bytearray | memoryview
    ) -> Iterator[bytes | memoryview]:
        """Take the next received bytes; returns the data now verified.

        A chunk that arrived within one fed buffer comes back as a view of that
        buffer, not a copy: use it (or ``bytes()`` it) before reusing the buffer.
        The work is done before this returns, so errors are raised here and not
        when the result is iterated, and a decoder cannot be skipped by not
        iterating. A call that raises returns nothing, not even the chunks that
        verified before the fault: the body is rejected as a whole.
        """
        if self._error is not None:
            raise self._error
        view = _byte_view(data)
        try:
            out = self._feed(view)
        except ChunkedPayloadError as error:
            self._error = error
            raise
        return iter(out)

    def finish(self) -> dict[str, str]:
        """End of the received bytes: check the stream is complete, return trailers.

        The trailers are keyed by lower-case name (``x-amz-trailer-signature``
        left out). Raises :class:`MalformedChunkError` if the stream stops before
        its end.
        """
        if self._error is not None:
            raise self._error
        if self._state != _DONE:
            where = _WHERE[self._state]
            if self._state == _DATA:
                where = f"in chunk {self._chunks}'s data, {self._remaining} bytes short"
            self._error = MalformedChunkError(
                f"aws-chunked body truncated: it ends at byte "
                f"{self._consumed} {where}; a complete body ends with the final "
                "zero-length chunk"
                + (" and the trailer" if _has_trailer(self._mode) else " and CRLF")
            )
            raise self._error
        return dict(self._trailers)

    def _feed(self, view: memoryview) -> list[bytes | memoryview]:
        out: list[bytes | memoryview] = []
        pos, end = 0, len(view)
        while pos < end:
            state = self._state
            if state == _DATA:
                pos = self._take_data(view, pos, out)
            elif state in (_DATA_CRLF, _FINAL_CRLF):
                pos = self._expect_crlf(view, pos)
            elif state == _DONE:
                raise MalformedChunkError(
                    f"{end - pos} bytes follow the end of the aws-chunked body at "
                    f"byte {self._consumed + pos}"
                )
            else:
                line, pos = self._read_line(view, pos)
                if line is None:
                    continue
                if state == _CHUNK_LINE:
                    self._on_chunk_line(line, pos)
                else:
                    self._on_trailer_line(line, pos)
        self._consumed += end
        return out

    def _take_data(
        self, view: memoryview, pos: int, out: list[bytes | memoryview]
    ) -> int:
        take = min(self._remaining, len(view) - pos)
        piece = view[pos : pos + take]
        pos += take
        self._remaining -= take
        for checksum in self._checksums.values():
            checksum.update(piece)
        if self._signer is None:
            out.append(piece)
            if self._remaining == 0:
                self._state = _DATA_CRLF
            return pos
        self._hash.update(piece)
        if self._remaining and not self._held:
            self._held = bytearray(piece)
        elif self._held:
            # One growing buffer, not a list of pieces: fed a byte at a time, a
            # 16 MiB chunk must not cost 16 million objects.
            self._held += piece
        if self._remaining == 0:
            digest = self._hash.hexdigest().encode("ascii")
            self._verify_chunk(self._signer, digest, pos)
            # A chunk that came in one piece goes out as a view of it, uncopied.
            out.append(bytes(self._held) if self._held else piece)
            self._held = bytearray()
            self._state = _DATA_CRLF
        return pos

    def _expect_crlf(self, view: memoryview, pos: int) -> int:
        take = min(2 - len(self._line), len(view) - pos)
        self._line += view[pos : pos + take]
        # Checked as the bytes come, so a wrong byte fails now, not a call later.
        if self._line != _CRLF[: len(self._line)]:
            start = self._consumed + pos + take - len(self._line)
            raise MalformedChunkError(
                f"expected CRLF at byte {start} {_WHERE[self._state]}, found "
                f"{bytes(self._line)!r}"
            )
        if len(self._line) == 2:
            self._line.clear()
            self._state = _CHUNK_LINE if self._state == _DATA_CRLF else _DONE
        return pos + take

    def _read_line(self, view: memoryview, pos: int) -> tuple[bytes | None, int]:
        """The next CRLF-terminated line (without CRLF), or None if incomplete."""
        limit = _MAX_CHUNK_LINE if self._state == _CHUNK_LINE else _MAX_TRAILER_LINE
        # Look no further than the line may reach, so a missing LF costs O(limit).
        room = limit + 2 - len(self._line)
        window = bytes(view[pos : pos + room])
        newline = window.find(b"\n")
        if newline < 0:
            if len(window) == room:
                raise self._malformed(
                    f"a line longer than {limit} bytes starts at byte "
                    f"{self._consumed + pos - len(self._line)}",
                )
            self._line += window
            return None, pos + len(window)
        self._line += window[: newline + 1]
        line = bytes(self._line)
        self._line.clear()
        pos += newline + 1
        if not line.endswith(_CRLF) or b"\r" in line[:-2]:
            raise self._malformed(
                f"the line ending at byte {self._consumed + pos} is not terminated "
                "by CRLF alone"
            )
        return line[:-2], pos

    def _malformed(self, message: str) -> ChunkedPayloadError:
        if self._state == _TRAILER_LINE:
            return MalformedTrailerError(f"malformed trailer: {message}")
        return MalformedChunkError(f"malformed chunk header: {message}")

    def _on_chunk_line(self, line: bytes, pos: int) -> None:
        pattern = _UNSIGNED_CHUNK_LINE if self._signer is None else _SIGNED_CHUNK_LINE
        match = pattern.fullmatch(line)
        if match is None:
            shape = (
                "hex(size)"
                if self._signer is None
                else ("hex(size);chunk-signature=<64 lower-case hex digits>")
            )
            raise MalformedChunkError(
                f"chunk {self._chunks + 1} header {line[:100]!r} (ending at byte "
                f"{self._consumed + pos}) is malformed: expected {shape}"
            )
        size = int(match[1] if self._signer is not None else match[0], 16)
        self._chunks += 1
        if size > MAX_CHUNK_SIZE:
            raise MalformedChunkError(
                f"chunk {self._chunks} declares {size} bytes: at most "
                f"{MAX_CHUNK_SIZE} (16 MiB) are accepted"
            )
        total = self._received + size
        if self._decoded_length is not None and (
            total > self._decoded_length
            or (size == 0 and total != self._decoded_length)
        ):
            raise DecodedLengthMismatchError(
                f"the body holds {'more than ' if size else ''}{total} bytes of data "
                f"but x-amz-decoded-content-length is {shown(self._decoded_length)}"
            )
        self._received = total
        if self._signer is not None:
            self._claimed = match[2]
        if size:
            self._remaining = size
            self._hash = hashlib.sha256()
            self._state = _DATA
            return
        if self._signer is not None:
            self._verify_chunk(self._signer, _EMPTY_SHA256, pos)
        self._state = _TRAILER_LINE if _has_trailer(self._mode) else _FINAL_CRLF

    def _verify_chunk(
        self, signer: _ChainSigner, data_sha256_hex: bytes, pos: int
    ) -> None:
        expected = signer.chunk(data_sha256_hex)
        if not hmac.compare_digest(expected, self._claimed):
            raise ChunkSignatureMismatchError(
                f"chunk {self._chunks} (ending at byte {self._consumed + pos}) has "
                f"chunk-signature {self._claimed.decode('ascii')}, which does not "
                "match its data and position in the chain"
            )

    def _on_trailer_line(self, line: bytes, pos: int) -> None:
        if not line:
            self._end_trailer()
            return
        if self._trailer_signed:
            raise MalformedTrailerError(
                f"trailer line ending at byte {self._consumed + pos} follows "
                "x-amz-trailer-signature, which must be the last trailer"
            )
        text = line.decode("latin-1")  # any byte decodes; the checks below judge
        name, colon, value = text.partition(":")
        name = name.lower()
        value = value.strip(_WHITESPACE)
        if not colon or not _TOKEN.fullmatch(name) or not _FIELD_VALUE.fullmatch(value):
            raise MalformedTrailerError(
                f"trailer line {line[:100]!r} (ending at byte {self._consumed + pos}) "
                "is malformed: expected name:value in visible ASCII"
            )
        if name == _TRAILER_SIGNATURE:
            self._verify_trailer(value)
            return
        if name not in self._expected:
            declared = ", ".join(self._expected) or "nothing"
            raise MalformedTrailerError(
                f"trailer {name!r} was not declared: x-amz-trailer declares {declared}"
            )
        if name in self._trailers:
            raise MalformedTrailerError(f"trailer {name!r} is sent twice")
        self._trailers[name] = value
        self._canonical.append((name, value))

    def _verify_trailer(self, claimed: str) -> None:
        if self._signer is None:
            raise MalformedTrailerError(
                f"x-amz-trailer-signature in a {str(self._mode)!r} body, whose "
                "trailer is not signed"
            )
        if not _HEX64.fullmatch(claimed):
            raise MalformedTrailerError(
                f"x-amz-trailer-signature {claimed[:100]!r} is malformed: expected 64 "
                "lower-case hex digits"
            )
        expected = self._signer.trailer(canonical_trailers(self._canonical))
        if not hmac.compare_digest(expected, claimed.encode("ascii")):
            raise TrailerSignatureMismatchError(
                f"x-amz-trailer-signature {claimed} does not match the trailers "
                f"({', '.join(self._trailers) or 'none'}) and the chunk chain"
            )
        self._trailer_signed = True

    def _end_trailer(self) -> None:
        if self._signer is not None and not self._trailer_signed:
            raise MalformedTrailerError(
                "the trailer ends without x-amz-trailer-signature, which a "
                f"{str(self._mode)!r} body must carry last"
            )
        missing = [name for name in self._expected if name not in self._trailers]
        if missing:
            raise MalformedTrailerError(
                f"trailer {', '.join(missing)} declared in x-amz-trailer was not sent"
            )
        for name, checksum in self._checksums.items():
            computed = checksum.b64()
            if not hmac.compare_digest(computed, self._trailers[name]):
                raise ChecksumMismatchError(
                    f"{name} {self._trailers[name][:100]!r} does not match the "
                    f"{self._received} bytes of data received, whose {name} is "
                    f"{computed!r}"
                )
        self._state = _DONE
