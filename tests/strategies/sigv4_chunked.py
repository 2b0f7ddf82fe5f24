"""Hypothesis strategies for S3 ``aws-chunked`` streaming bodies.

A :class:`ChunkedCase` is everything one streaming upload needs: the mode, the
data, the chunk size, the trailing checksum and other trailers, and the signing
values (a signing key, ``X-Amz-Date``, scope and seed signature). Data is small
and chunk sizes are small so that one example holds many chunks, empty and
partial ones included; sizes whose hex has letters (``a``-``f``) are common, so
that the case of hex digits is exercised. :func:`splits` cuts any byte string
into pieces, as a network would deliver it.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field

from hypothesis import strategies as st

from awscore.sigv4 import derive_signing_key
from awscore.sigv4._checksums import CHECKSUMS, checksum_class, checksum_header
from awscore.sigv4._chunked import (
    ChunkedDecoder,
    ChunkedEncoder,
    StreamingMode,
)

SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
AMZ_DATE = "20150830T123600Z"
SCOPE = "20150830/us-east-1/s3/aws4_request"
SIGNING_KEY = derive_signing_key(SECRET, "20150830", "us-east-1", "s3")
#: Algorithm names as the encoder takes them, one per supported checksum.
ALGORITHMS = tuple(sorted(header.rpartition("-")[2] for header in CHECKSUMS))
TRAILER_MODES = (StreamingMode.SIGNED_TRAILER, StreamingMode.UNSIGNED_TRAILER)

_HEX = "0123456789abcdef"
_TOKEN_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789-_.!#$%&'*+^`|~"
_VALUE_CHARS = "".join(chr(c) for c in range(0x21, 0x7F)) + " \t"


@dataclass(frozen=True, slots=True, kw_only=True)
class ChunkedCase:
    """One streaming upload: what the client sends and how it is framed."""

    mode: StreamingMode
    data: bytes
    chunk_size: int
    checksum: str | None = None
    extra_trailers: tuple[tuple[str, str], ...] = ()
    seed_signature: str = "0" * 64
    signing_key: bytes = field(default=SIGNING_KEY, repr=False)

    @property
    def trailer_names(self) -> tuple[str, ...]:
        """What ``x-amz-trailer`` declares, in sending order."""
        header = checksum_header(self.checksum) if self.checksum else None
        first = (header,) if header else ()
        return first + tuple(name for name, _ in self.extra_trailers)

    @property
    def trailers(self) -> dict[str, str]:
        """What the decoder returns: the checksum over the data, then the others."""
        out = {}
        header = checksum_header(self.checksum) if self.checksum else None
        cls = checksum_class(header) if header else None
        if header and cls:
            checksum = cls()
            checksum.update(self.data)
            out[header] = checksum.b64()
        return out | dict(self.extra_trailers)

    def encoder(self) -> ChunkedEncoder:
        """A fresh encoder for this upload."""
        return ChunkedEncoder(
            mode=self.mode,
            signing_key=self.signing_key,
            amz_date=AMZ_DATE,
            scope=SCOPE,
            seed_signature=self.seed_signature,
            chunk_size=self.chunk_size,
            trailer_checksum=self.checksum,
        )

    def decoder(self, *, decoded_length: int | None = -1) -> ChunkedDecoder:
        """A fresh decoder for this upload (``decoded_length`` -1: the true one)."""
        return ChunkedDecoder(
            mode=self.mode,
            signing_key=self.signing_key,
            amz_date=AMZ_DATE,
            scope=SCOPE,
            seed_signature=self.seed_signature,
            decoded_length=len(self.data) if decoded_length == -1 else decoded_length,
            expected_trailers=self.trailer_names,
        )

    def encode(self, pieces: Sequence[bytes] | None = None) -> bytes:
        """The framed body, the data fed in ``pieces`` (default: all at once)."""
        encoder = self.encoder()
        out = bytearray()
        for piece in [self.data] if pieces is None else pieces:
            for framed in encoder.feed(piece):
                out += framed
        for framed in encoder.finish(self.extra_trailers):
            out += framed
        return bytes(out)


def splits(data: bytes, *, max_pieces: int = 40) -> st.SearchStrategy[list[bytes]]:
    """``data`` cut into pieces (empty ones included) at drawn offsets."""
    return st.lists(st.integers(0, len(data)), max_size=max_pieces).map(
        lambda cuts: cut(data, sorted(cuts))
    )


def cut(data: bytes, cuts: Sequence[int]) -> list[bytes]:
    """``data`` cut at the sorted offsets ``cuts``."""
    return [data[a:b] for a, b in itertools.pairwise([0, *cuts, len(data)])]


data_bytes = st.one_of(
    st.binary(max_size=200),
    # Runs of framing bytes: data that looks like chunk headers and CRLFs.
    st.lists(st.sampled_from([b"\r\n", b"0", b";", b":", b"a", b"\r", b"\n"])).map(
        b"".join
    ),
)
chunk_sizes = st.one_of(
    st.integers(1, 40),
    st.sampled_from([10, 11, 15, 26, 171, 255, 4096, 65536]),
)
seed_signatures = st.text(_HEX, min_size=64, max_size=64)
extra_trailer_lists = st.lists(
    st.tuples(
        st.text(_TOKEN_CHARS, min_size=1, max_size=12).filter(
            lambda n: not n.startswith(("x-amz-checksum-", "x-amz-trailer-signature"))
        ),
        # Trimmed as the encoder sends them: no leading or trailing whitespace.
        st.text(_VALUE_CHARS, max_size=20).map(lambda v: v.strip(" \t")),
    ),
    max_size=3,
    unique_by=lambda pair: pair[0],
).map(tuple)


@st.composite
def chunked_cases(
    draw: st.DrawFn,
    *,
    modes: Sequence[StreamingMode] = tuple(StreamingMode),
    checksums: Sequence[str | None] = (None, *ALGORITHMS),
    require_checksum: bool = False,
    extra_trailers: bool = True,
) -> ChunkedCase:
    """An upload in one of ``modes``, with a checksum from ``checksums`` in
    trailer modes (always one if ``require_checksum``) and, if
    ``extra_trailers``, maybe other trailers."""
    mode = draw(st.sampled_from(modes))
    checksum: str | None = None
    extra: tuple[tuple[str, str], ...] = ()
    if mode in TRAILER_MODES:
        choices = [c for c in checksums if c is not None or not require_checksum]
        checksum = draw(st.sampled_from(choices))
        extra = draw(extra_trailer_lists) if extra_trailers else ()
        if checksum is not None:
            # Any case the caller likes: botocore spells them "CRC32".
            checksum = draw(st.sampled_from([checksum, checksum.upper()]))
    return ChunkedCase(
        mode=mode,
        data=draw(data_bytes),
        chunk_size=draw(chunk_sizes),
        checksum=checksum,
        extra_trailers=extra,
        seed_signature=draw(seed_signatures),
    )


@st.composite
def mutated_streams(draw: st.DrawFn, case: ChunkedCase) -> bytes:
    """The framed body of ``case`` with one to three hostile edits."""
    stream = bytearray(case.encode())
    for _ in range(draw(st.integers(1, 3))):
        position = draw(st.integers(0, len(stream)))
        edit = draw(st.sampled_from(["flip", "insert", "delete", "repeat", "cut"]))
        if edit == "flip" and position < len(stream):
            stream[position] ^= draw(st.integers(1, 255))
        elif edit == "insert":
            stream[position:position] = draw(
                st.one_of(
                    st.binary(min_size=1, max_size=8),
                    st.sampled_from([b"\r\n", b"0\r\n", b";", b"ffffffff", b":"]),
                )
            )
        elif edit == "delete":
            del stream[position : position + draw(st.integers(1, 8))]
        elif edit == "repeat":
            stream[position:position] = stream[position : position + 16]
        else:
            del stream[position:]
    return bytes(stream)


hostile_bytes = st.one_of(
    st.binary(max_size=300),
    st.lists(
        st.sampled_from(
            [
                b"\r\n",
                b"0",
                b"1",
                b"a",
                b"F",
                b";chunk-signature=",
                b"0" * 64,
                b"x-amz-checksum-crc32:",
                b"x-amz-trailer-signature:",
                b"AAAAAA==",
                b":",
                b" ",
                b"\xff",
                b"\r",
                b"\n",
                b"ffffffffffffffffff",
            ]
        ),
        max_size=40,
    ).map(b"".join),
)
