"""S3 ``aws-chunked`` streaming bodies: the official example, properties and peers.

* The AWS S3 documentation's chunked-upload example (as aws-c-auth tests it) is
  reproduced byte for byte: seed, three chunk signatures, framed length, the
  request headers our signer turns into the example's canonical request, and
  the trailer signature.
* Properties: encoder and decoder round-trip any data in any chunk size and any
  split, for the three modes and each checksum; one flipped byte, a truncation
  or hostile bytes are rejected with awscore errors only; signed data comes out
  only once verified.
* Peers: CRC-32C and CRC-64/NVME against awscrt (the CRT the AWS SDKs use), the
  checksums against botocore's, and botocore's own ``AwsChunkedWrapper`` bodies
  (``STREAMING-UNSIGNED-PAYLOAD-TRAILER``) against our encoder and decoder.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import re
import zlib
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import assume, event, given
from hypothesis import strategies as st

from awscore.errors import (
    InvalidHeaderError,
    InvalidOptionError,
    SigV4Error,
    SigV4InputError,
    SigV4VerificationError,
)
from awscore.sigv4 import Credentials, HttpRequest, derive_signing_key, sign_details
from awscore.sigv4._checksums import (
    CHECKSUMS,
    Crc32,
    Crc32c,
    Crc64Nvme,
    Sha1,
    Sha256,
    checksum_class,
    checksum_header,
    crc32c,
    crc64nvme,
)
from awscore.sigv4._chunked import (
    ChecksumMismatchError,
    ChunkedDecoder,
    ChunkedEncoder,
    ChunkedPayloadError,
    ChunkSignatureMismatchError,
    DecodedLengthMismatchError,
    MalformedChunkError,
    MalformedTrailerError,
    StreamingMode,
    TrailerSignatureMismatchError,
    canonical_trailers,
    parse_trailer_names,
)
from tests.conftest import require_peer, vector_dir
from tests.strategies import sigv4_chunked as cst

SIGNED = StreamingMode.SIGNED
SIGNED_TRAILER = StreamingMode.SIGNED_TRAILER
UNSIGNED_TRAILER = StreamingMode.UNSIGNED_TRAILER
SIGNED_MODES = (SIGNED, SIGNED_TRAILER)


def _feed_all(decoder: ChunkedDecoder, pieces: Iterable[bytes]) -> bytes:
    out = bytearray()
    for piece in pieces:
        for data in decoder.feed(piece):
            out += data
    return bytes(out)


def _feed_into(
    decoder: ChunkedDecoder, pieces: Iterable[bytes], out: bytearray
) -> None:
    """Feed every piece, collecting what comes out in ``out`` until an error."""
    for piece in pieces:
        for data in decoder.feed(piece):
            out += data


def _run(
    decoder: ChunkedDecoder, pieces: Iterable[bytes]
) -> tuple[bytes, dict[str, str]]:
    data = _feed_all(decoder, pieces)
    return data, decoder.finish()


def _decode(
    case: cst.ChunkedCase, pieces: Iterable[bytes]
) -> tuple[bytes, dict[str, str]]:
    return _run(case.decoder(), pieces)


# --- the AWS S3 example ------------------------------------------------------


@pytest.fixture(scope="module")
def example() -> dict[str, Any]:
    """The S3 documentation's chunked-upload example (shared vectors)."""
    path = vector_dir("sigv4") / "chunked-s3-example.json"
    loaded: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return loaded


def _example_data(description: str) -> bytes:
    """The vector describes each chunk's data as ``'a' * 65536`` (or ``""``)."""
    if description == "":
        return b""
    match = re.fullmatch(r"'(.)' \* (\d+)", description)
    assert match is not None, description
    return match[1].encode("ascii") * int(match[2])


def _example_key(example: dict[str, Any]) -> bytes:
    return derive_signing_key(
        example["credentials"]["secret_access_key"],
        example["amz_date"][:8],
        example["region"],
        example["service"],
    )


def _example_scope(example: dict[str, Any]) -> str:
    date, region, service = (
        example["amz_date"][:8],
        example["region"],
        example["service"],
    )
    return f"{date}/{region}/{service}/aws4_request"


def _example_codec_args(example: dict[str, Any]) -> dict[str, Any]:
    return {
        "signing_key": _example_key(example),
        "amz_date": example["amz_date"],
        "scope": _example_scope(example),
        "seed_signature": example["seed_signature"],
    }


def _canonical_header(canonical_request: str, name: str) -> str:
    for line in canonical_request.split("\n"):
        if line.startswith(name + ":"):
            return line[len(name) + 1 :]
    raise AssertionError(f"{name} is not in the canonical request")


@pytest.mark.vectors
def test_s3_example_framed_exactly(example: dict[str, Any]) -> None:
    """Seed -> three chunk signatures, in the exact framing and Content-Length."""
    chunks = [_example_data(c["data"]) for c in example["chunks"]]
    data = b"".join(chunks)
    encoder = ChunkedEncoder(
        mode=SIGNED, chunk_size=65536, **_example_codec_args(example)
    )
    framed = b"".join([*encoder.feed(data), *encoder.finish()])

    expected = b"".join(
        b"%x;chunk-signature=%s\r\n%s\r\n"
        % (len(chunk), c["signature"].encode("ascii"), chunk)
        for chunk, c in zip(chunks, example["chunks"], strict=True)
    )
    # The final chunk is the vector's last, empty one; its data CRLF ends the body.
    assert chunks[-1] == b""
    assert framed == expected
    canonical = example["canonical_request"]
    assert len(framed) == int(_canonical_header(canonical, "content-length")) == 66824
    assert len(data) == int(
        _canonical_header(canonical, "x-amz-decoded-content-length")
    )


@pytest.mark.vectors
def test_s3_example_request_headers_sign_to_the_seed(example: dict[str, Any]) -> None:
    """request_headers() plus our signer give the example's canonical request and
    seed signature: the framed length is part of what the seed signs."""
    data_length = sum(len(_example_data(c["data"])) for c in example["chunks"])
    headers = ChunkedEncoder.request_headers(data_length, mode=SIGNED, chunk_size=65536)
    assert dict(headers) == {
        "Content-Encoding": "aws-chunked",
        "Content-Length": "66824",
        "x-amz-decoded-content-length": "66560",
    }
    details = sign_details(
        HttpRequest(
            "PUT",
            "https://s3.amazonaws.com/examplebucket/chunkObject.txt",
            [*headers, ("x-amz-storage-class", "REDUCED_REDUNDANCY")],
        ),
        Credentials(
            example["credentials"]["access_key_id"],
            example["credentials"]["secret_access_key"],
        ),
        region=example["region"],
        service=example["service"],
        when=datetime.strptime(example["amz_date"], "%Y%m%dT%H%M%SZ").replace(
            tzinfo=UTC
        ),
        payload=SIGNED,
    )
    assert details.canonical_request == example["canonical_request"]
    assert details.signature == example["seed_signature"]


@pytest.mark.vectors
def test_s3_example_decodes_one_byte_at_a_time(example: dict[str, Any]) -> None:
    """The example verifies, fed one byte at a time; with another seed it fails."""
    data = b"".join(_example_data(c["data"]) for c in example["chunks"])
    args = _example_codec_args(example)
    encoder = ChunkedEncoder(mode=SIGNED, **args)
    framed = b"".join([*encoder.feed(data), *encoder.finish()])

    decoder = ChunkedDecoder(mode=SIGNED, decoded_length=len(data), **args)
    assert _feed_all(decoder, (framed[i : i + 1] for i in range(len(framed)))) == data
    assert decoder.finish() == {}

    other = ChunkedDecoder(
        mode=SIGNED, decoded_length=len(data), **(args | {"seed_signature": "f" * 64})
    )
    with pytest.raises(ChunkSignatureMismatchError, match="chunk 1 "):
        _feed_all(other, [framed])


@pytest.mark.vectors
def test_s3_example_trailer_signature(example: dict[str, Any]) -> None:
    """The trailer signature chains from the final chunk's signature and signs
    the canonical trailers, in the order sent."""
    trailer = example["trailer"]
    trailers = [("first", "1st"), ("second", "2nd"), ("third", "3rd")]
    assert (
        canonical_trailers(trailers) == trailer["canonical_trailing_headers"].encode()
    )
    assert trailer["previous_signature"] == example["chunks"][-1]["signature"]

    data = b"".join(_example_data(c["data"]) for c in example["chunks"])
    args = _example_codec_args(example)
    encoder = ChunkedEncoder(mode=SIGNED_TRAILER, **args)
    framed = b"".join([*encoder.feed(data), *encoder.finish(trailers)])
    tail = (
        b"0;chunk-signature=%s\r\nfirst:1st\r\nsecond:2nd\r\nthird:3rd\r\n"
        b"x-amz-trailer-signature:%s\r\n\r\n"
        % (trailer["previous_signature"].encode(), trailer["signature"].encode())
    )
    assert framed.endswith(b"\r\n" + tail)
    assert len(framed) == ChunkedEncoder.framed_length(
        len(data), mode=SIGNED_TRAILER, extra_trailers=trailers
    )
    decoder = ChunkedDecoder(
        mode=SIGNED_TRAILER,
        decoded_length=len(data),
        expected_trailers=["first", "second", "third"],
        **args,
    )
    assert _feed_all(decoder, [framed]) == data
    assert decoder.finish() == dict(trailers)


# --- checksums -----------------------------------------------------------------


def test_crc_check_values() -> None:
    """The CRC catalogue's check values, over b"123456789"."""
    assert crc32c(b"123456789") == 0xE3069283
    assert crc64nvme(b"123456789") == 0xAE8B14860A799888
    assert crc32c(b"") == 0
    assert crc64nvme(b"") == 0


@pytest.mark.parametrize(
    ("header", "digest"),
    [
        ("x-amz-checksum-crc32", (0xCBF43926).to_bytes(4, "big")),
        ("x-amz-checksum-crc32c", (0xE3069283).to_bytes(4, "big")),
        ("x-amz-checksum-crc64nvme", (0xAE8B14860A799888).to_bytes(8, "big")),
        ("x-amz-checksum-sha1", hashlib.sha1(b"123456789").digest()),  # noqa: S324
        ("x-amz-checksum-sha256", hashlib.sha256(b"123456789").digest()),
    ],
)
def test_checksum_registry(header: str, digest: bytes) -> None:
    """Each checksum is registered by its header; the value is base64 of the
    big-endian digest, whose length is known up front."""
    cls = CHECKSUMS[header]
    assert checksum_class(header.upper()) is cls
    assert checksum_header(cls.algorithm.upper()) == header
    checksum = cls()
    assert checksum.header == header
    checksum.update(b"1234")
    checksum.update(memoryview(b"56789"))
    assert checksum.digest() == digest
    assert checksum.b64() == base64.b64encode(digest).decode()
    assert len(checksum.b64()) == cls.b64_length()


def test_unknown_checksums() -> None:
    assert checksum_header("md5") is None
    assert checksum_class("x-amz-checksum-md5") is None
    assert checksum_class("content-md5") is None


@pytest.mark.peer
@given(data=st.binary(max_size=600), cuts=st.lists(st.integers(0, 600), max_size=5))
def test_crcs_match_awscrt(data: bytes, cuts: list[int]) -> None:
    """CRC-32C and CRC-64/NVME equal the CRT's (awscrt.checksums), for any data
    fed in any split, continuing from the previous value as the CRT does."""
    crt = require_peer("awscrt.checksums")
    pieces = cst.cut(data, sorted(min(c, len(data)) for c in cuts))
    ours32 = ours64 = theirs32 = theirs64 = 0
    for piece in pieces:
        ours32, theirs32 = crc32c(piece, ours32), crt.crc32c(piece, theirs32)
        ours64, theirs64 = crc64nvme(piece, ours64), crt.crc64nvme(piece, theirs64)
    assert ours32 == theirs32 == crt.crc32c(data)
    assert ours64 == theirs64 == crt.crc64nvme(data)


def _botocore_checksums() -> dict[str, Any]:
    require_peer("awscrt")  # botocore's CRC-32C and CRC-64/NVME are the CRT's
    httpchecksum = require_peer("botocore.httpchecksum")
    return {
        "crc32": httpchecksum.Crc32Checksum,
        "crc32c": httpchecksum.CrtCrc32cChecksum,
        "crc64nvme": httpchecksum.CrtCrc64NvmeChecksum,
        "sha1": httpchecksum.Sha1Checksum,
        "sha256": httpchecksum.Sha256Checksum,
    }


@pytest.mark.peer
@given(
    algorithm=st.sampled_from(cst.ALGORITHMS),
    data=st.binary(max_size=600),
    cuts=st.lists(st.integers(0, 600), max_size=4),
)
def test_checksums_match_botocore(algorithm: str, data: bytes, cuts: list[int]) -> None:
    """Each checksum's b64 value equals botocore's b64digest, for any split."""
    theirs = _botocore_checksums()[algorithm]()
    header = checksum_header(algorithm)
    assert header is not None
    cls = checksum_class(header)
    assert cls is not None
    ours = cls()
    for piece in cst.cut(data, sorted(min(c, len(data)) for c in cuts)):
        ours.update(piece)
        theirs.update(piece)
    assert ours.b64() == theirs.b64digest()


def test_checksum_classes_are_the_registered_ones() -> None:
    assert set(CHECKSUMS.values()) == {Crc32, Crc32c, Crc64Nvme, Sha1, Sha256}
    assert Crc32().b64() == "AAAAAA=="  # botocore's empty-body value


# --- lengths and headers -----------------------------------------------------


@given(case=cst.chunked_cases(), data=st.data())
def test_framed_length_is_the_encoded_length(
    case: cst.ChunkedCase, data: st.DataObject
) -> None:
    """Content-Length is known before the data is: framed_length() equals the
    length of what the encoder sends, and the output does not depend on how
    the data was fed."""
    whole = case.encode()
    assert case.encode(data.draw(cst.splits(case.data))) == whole
    names = (checksum_header(case.checksum),) if case.checksum else ()
    headers = dict(
        ChunkedEncoder.request_headers(
            len(case.data),
            mode=case.mode,
            chunk_size=case.chunk_size,
            trailer_names=[n for n in names if n],
            extra_trailers=case.extra_trailers,
        )
    )
    assert headers["Content-Length"] == str(len(whole))
    assert headers["x-amz-decoded-content-length"] == str(len(case.data))
    assert headers["Content-Encoding"] == "aws-chunked"
    if case.trailer_names:
        assert parse_trailer_names(headers["x-amz-trailer"]) == case.trailer_names
    else:
        assert "x-amz-trailer" not in headers


def test_framed_length_examples() -> None:
    """Unsigned: hex(size) CRLF data CRLF ... 0 CRLF trailers CRLF."""
    assert ChunkedEncoder.framed_length(0, mode=UNSIGNED_TRAILER) == len(b"0\r\n\r\n")
    assert ChunkedEncoder.framed_length(
        5, mode=UNSIGNED_TRAILER, trailer_names=["x-amz-checksum-crc32"]
    ) == len(b"5\r\nhello\r\n0\r\nx-amz-checksum-crc32:NhCmhg==\r\n\r\n")
    assert ChunkedEncoder.framed_length(0, mode=SIGNED) == 86


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"mode": "UNSIGNED-PAYLOAD"}, InvalidOptionError),
        ({"mode": "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD"}, InvalidOptionError),
        ({"mode": SIGNED, "chunk_size": 0}, InvalidOptionError),
        (
            {"mode": SIGNED, "trailer_names": ["x-amz-checksum-crc32"]},
            InvalidOptionError,
        ),
        ({"mode": SIGNED_TRAILER, "trailer_names": ["x-custom"]}, InvalidOptionError),
        (
            {
                "mode": SIGNED_TRAILER,
                "trailer_names": ["x-amz-checksum-crc32", "X-Amz-Checksum-CRC32"],
            },
            InvalidOptionError,
        ),
        (
            {"mode": SIGNED_TRAILER, "extra_trailers": [("bad name", "v")]},
            InvalidHeaderError,
        ),
        (
            {"mode": SIGNED_TRAILER, "extra_trailers": [("a", "v\r\n")]},
            InvalidHeaderError,
        ),
        (
            {
                "mode": SIGNED_TRAILER,
                "extra_trailers": [("x-amz-trailer-signature", "")],
            },
            InvalidOptionError,
        ),
    ],
)
def test_framed_length_rejects(kwargs: dict[str, Any], error: type[Exception]) -> None:
    with pytest.raises(error):
        ChunkedEncoder.framed_length(10, **kwargs)


def test_parse_trailer_names() -> None:
    assert parse_trailer_names("X-Amz-Checksum-CRC32") == ("x-amz-checksum-crc32",)
    assert parse_trailer_names("a, b ,c") == ("a", "b", "c")
    for bad in ("", "a,,b", "a b", "a,"):
        with pytest.raises(MalformedTrailerError):
            parse_trailer_names(bad)


# --- encoder misuse ----------------------------------------------------------


def _encoder(**overrides: Any) -> ChunkedEncoder:
    args: dict[str, Any] = {
        "mode": SIGNED_TRAILER,
        "signing_key": cst.SIGNING_KEY,
        "amz_date": cst.AMZ_DATE,
        "scope": cst.SCOPE,
        "seed_signature": "0" * 64,
    }
    return ChunkedEncoder(**(args | overrides))


@pytest.mark.parametrize(
    "overrides",
    [
        {"mode": "STREAMING-AWS4-HMAC-SHA256"},
        {"chunk_size": 0},
        {"chunk_size": 16 * 1024 * 1024 + 1},
        {"chunk_size": True},
        {"trailer_checksum": "md5"},
        {"mode": SIGNED, "trailer_checksum": "crc32"},
        {"signing_key": b"short"},
        {"amz_date": "2015-08-30T12:36:00Z"},
        {"scope": "20150830/us-east-1/s3"},
        {"seed_signature": "0" * 63},
        {"seed_signature": "A" * 64},
    ],
)
def test_encoder_rejects_bad_options(overrides: dict[str, Any]) -> None:
    with pytest.raises(InvalidOptionError):
        _encoder(**overrides)


def test_unsigned_encoder_ignores_signing_values() -> None:
    encoder = _encoder(
        mode=UNSIGNED_TRAILER, signing_key=b"", amz_date="", scope="", seed_signature=""
    )
    assert (
        b"".join([*encoder.feed(b"hi"), *encoder.finish()]) == b"2\r\nhi\r\n0\r\n\r\n"
    )


def test_encoder_trailer_misuse() -> None:
    with pytest.raises(InvalidOptionError, match="trailer mode"):
        _encoder(mode=SIGNED).finish([("a", "b")])
    with pytest.raises(InvalidOptionError, match="twice"):
        _encoder(trailer_checksum="crc32").finish([("x-amz-checksum-crc32", "x")])
    with pytest.raises(InvalidOptionError, match="twice"):
        _encoder().finish([("a", "1"), ("A", "2")])
    with pytest.raises(InvalidHeaderError):
        _encoder().finish([("a", "é")])
    encoder = _encoder()
    list(encoder.finish())
    with pytest.raises(SigV4InputError):
        encoder.feed(b"late")
    with pytest.raises(SigV4InputError):
        encoder.finish()


def test_encoder_holds_less_than_a_chunk() -> None:
    """feed() returns every complete chunk at once, as its line, its data and
    CRLF, and keeps only the rest; whole chunks are views of the input."""
    encoder = _encoder(mode=UNSIGNED_TRAILER, chunk_size=4)
    assert list(encoder.feed(b"abc")) == []
    pieces = list(encoder.feed(b"defghij"))
    assert [bytes(p) for p in pieces] == [
        b"4\r\n",
        b"abcd",
        b"\r\n",
        b"4\r\n",
        b"efgh",
        b"\r\n",
    ]
    assert isinstance(pieces[4], memoryview)  # uncopied
    assert encoder.data_length == 10
    assert b"".join(encoder.finish()) == b"2\r\nij\r\n0\r\n\r\n"


# --- properties ----------------------------------------------------------------


@given(case=cst.chunked_cases(), data=st.data())
def test_round_trip(case: cst.ChunkedCase, data: st.DataObject) -> None:
    """Whatever the data, chunk size, mode, checksum and trailers, the decoder
    returns exactly the data and trailers the encoder sent, however the
    received bytes are split (one byte at a time included)."""
    stream = case.encode(data.draw(cst.splits(case.data), label="feed"))
    pieces = data.draw(
        st.one_of(
            cst.splits(stream), st.just([stream[i : i + 1] for i in range(len(stream))])
        ),
        label="receive",
    )
    assert _decode(case, pieces) == (case.data, case.trailers)


@given(
    case=st.one_of(
        cst.chunked_cases(modes=SIGNED_MODES),
        # Unsigned trailers other than the checksum are protected by nothing.
        cst.chunked_cases(
            modes=(UNSIGNED_TRAILER,), require_checksum=True, extra_trailers=False
        ),
    ),
    data=st.data(),
)
def test_any_flipped_byte_is_detected(
    case: cst.ChunkedCase, data: st.DataObject
) -> None:
    """Changing any one byte of a framed body makes the decoder raise, unless the
    change only alters letter case where HTTP ignores it (a hex chunk size, a
    trailer name) and the body still means the same data and trailers.

    Signed modes: chunk signatures chain over every chunk's data and position
    and the trailer signature over the trailers, so a flip in data, a signature
    or a size (which moves the chunk boundaries) fails a signature, and a flip in
    the fixed framing fails the parser. Unsigned mode with a checksum trailer: a
    flip in the data fails the checksum (a CRC catches every burst up to its
    width, the SHAs any change), a flip in the framing fails the parser or, if
    it reframes, the decoded length or the checksum.
    """
    stream = case.encode()
    position = data.draw(st.integers(0, len(stream) - 1), label="position")
    flipped = bytearray(stream)
    flipped[position] ^= data.draw(st.integers(1, 255), label="xor")
    pieces = data.draw(cst.splits(bytes(flipped), max_pieces=5), label="receive")
    try:
        decoded = _decode(case, pieces)
    except ChunkedPayloadError as error:
        event(type(error).__name__)
        return
    event("case-only change accepted")
    assert (
        bytes(flipped[position : position + 1]).lower()
        == bytes(stream[position : position + 1]).lower()
    )
    assert decoded == (case.data, case.trailers)


@given(case=cst.chunked_cases(), data=st.data())
def test_truncated_stream_is_an_error(
    case: cst.ChunkedCase, data: st.DataObject
) -> None:
    """Every strict prefix of a body is accepted by feed() (it could go on) and
    rejected by finish() as truncated."""
    stream = case.encode()
    cut = data.draw(st.integers(0, len(stream) - 1), label="cut")
    decoder = case.decoder()
    _feed_all(decoder, data.draw(cst.splits(stream[:cut], max_pieces=5)))
    with pytest.raises(MalformedChunkError, match="truncated"):
        decoder.finish()


@given(case=cst.chunked_cases(modes=SIGNED_MODES), data=st.data())
def test_signed_data_is_released_only_when_verified(
    case: cst.ChunkedCase, data: st.DataObject
) -> None:
    """A signed chunk's data comes out only after its signature checks: alter one
    data byte, and what came out before the error is whole chunks before it
    (those fed in earlier calls: a call that raises returns nothing)."""
    assume(case.data)
    index = data.draw(st.integers(0, len(case.data) - 1), label="data byte")
    chunk, offset = divmod(index, case.chunk_size)
    stream = bytearray(case.encode())
    # Walk the framing to the chunk holding that data byte.
    position = 0
    for _ in range(chunk):
        position = stream.index(b"\r\n", position) + 2 + case.chunk_size + 2
    position = stream.index(b"\r\n", position) + 2 + offset
    stream[position] ^= 0x01
    decoder = case.decoder()
    released = bytearray()
    pieces = data.draw(cst.splits(bytes(stream), max_pieces=8))
    with pytest.raises(ChunkSignatureMismatchError, match=f"chunk {chunk + 1} "):
        _feed_into(decoder, pieces, released)
    assert released == case.data[: len(released)]
    assert len(released) % case.chunk_size == 0
    assert len(released) <= chunk * case.chunk_size


@given(case=cst.chunked_cases(modes=(UNSIGNED_TRAILER,)), data=st.data())
def test_unsigned_data_is_released_as_it_arrives(
    case: cst.ChunkedCase, data: st.DataObject
) -> None:
    """Unsigned mode holds nothing back: after any prefix of the body, every data
    byte received so far has come out."""
    stream = case.encode()
    decoder = case.decoder()
    cut = data.draw(st.integers(0, len(stream)), label="cut")
    released = _feed_all(decoder, data.draw(cst.splits(stream[:cut], max_pieces=5)))
    assert released == case.data[: decoder.decoded_bytes]


@given(
    mode=st.sampled_from(list(StreamingMode)),
    stream=cst.hostile_bytes,
    decoded_length=st.one_of(st.none(), st.integers(0, 400)),
    expected=st.sampled_from(
        [(), ("x-amz-checksum-crc32",), ("a", "x-amz-checksum-sha256")]
    ),
    data=st.data(),
)
def test_hostile_bytes_raise_only_chunked_errors(
    mode: StreamingMode,
    stream: bytes,
    decoded_length: int | None,
    expected: tuple[str, ...],
    data: st.DataObject,
) -> None:
    """Random bytes, in any split, either decode or raise a ChunkedPayloadError;
    never IndexError, ValueError, UnicodeError... (DESIGN.md: hostile input only
    ever raises awscore errors)."""
    decoder = ChunkedDecoder(
        mode=mode,
        signing_key=cst.SIGNING_KEY,
        amz_date=cst.AMZ_DATE,
        scope=cst.SCOPE,
        seed_signature="0" * 64,
        decoded_length=decoded_length,
        expected_trailers=expected if mode is not SIGNED else (),
    )
    try:
        _feed_all(decoder, data.draw(cst.splits(stream, max_pieces=6)))
        decoder.finish()
    except ChunkedPayloadError as error:
        event(type(error).__name__)


@given(case=cst.chunked_cases(), data=st.data())
def test_mutated_streams(case: cst.ChunkedCase, data: st.DataObject) -> None:
    """A valid body with hostile edits (flips, insertions, deletions, repeats,
    cuts) raises only ChunkedPayloadError, and one that is accepted in a signed
    mode carries exactly the signer's data and trailers."""
    stream = data.draw(cst.mutated_streams(case), label="mutated")
    try:
        decoded = _decode(case, data.draw(cst.splits(stream, max_pieces=4)))
    except ChunkedPayloadError as error:
        event(type(error).__name__)
        return
    event("accepted")
    if case.mode in SIGNED_MODES:
        assert decoded == (case.data, case.trailers)


# --- decoder faults, one by one ------------------------------------------------


def _signed_case(**overrides: Any) -> cst.ChunkedCase:
    args: dict[str, Any] = {
        "mode": SIGNED_TRAILER,
        "data": b"hello world",
        "chunk_size": 4,
        "checksum": "crc32",
    }
    return cst.ChunkedCase(**(args | overrides))


def _expect(
    case: cst.ChunkedCase,
    stream: bytes,
    error: type[ChunkedPayloadError],
    match: str,
    *,
    decoder: ChunkedDecoder | None = None,
) -> None:
    decoder = decoder or case.decoder()
    with pytest.raises(error, match=match):
        _run(decoder, [stream])
    # A failed decoder stays failed.
    with pytest.raises(error):
        decoder.finish()
    with pytest.raises(error):
        decoder.feed(b"")


def _replace(stream: bytes, old: bytes, new: bytes) -> bytes:
    assert old in stream, old
    return stream.replace(old, new, 1)


def test_bad_chunk_signature() -> None:
    case = _signed_case()
    stream = case.encode()
    signature = re.findall(rb"chunk-signature=([0-9a-f]{64})", stream)[1]
    bad = _replace(
        stream, signature, signature[:-1] + (b"0" if signature[-1:] != b"0" else b"1")
    )
    _expect(case, bad, ChunkSignatureMismatchError, "chunk 2 ")


def test_chunks_cannot_be_reordered_or_dropped() -> None:
    """The chain fixes order and number: swapping or dropping a chunk fails."""
    case = _signed_case(mode=SIGNED, checksum=None, data=b"aaaabbbb")
    stream = case.encode()
    lines = stream.split(b"\r\n")
    one = b"\r\n".join(lines[0:2]) + b"\r\n"
    two = b"\r\n".join(lines[2:4]) + b"\r\n"
    rest = stream[len(one) + len(two) :]
    assert one + two + rest == stream
    _expect(case, two + one + rest, ChunkSignatureMismatchError, "chunk 1 ")
    _expect(
        case,
        two + rest,
        ChunkSignatureMismatchError,
        "chunk 1 ",
        decoder=case.decoder(decoded_length=None),
    )


@pytest.mark.parametrize(
    ("old", "new", "match"),
    [
        (b"4;chunk-signature=", b"4;chunk-signaturE=", "header"),
        (b"4;chunk-signature=", b"4 ;chunk-signature=", "header"),
        (b"4;chunk-signature=", b"+4;chunk-signature=", "header"),
        (b"4;chunk-signature=", b"0x4;chunk-signature=", "header"),
        (b"\r\n0;", b"\n0;", "CRLF"),
        (b"hell\r\n", b"hell\n\n", "CRLF"),
    ],
)
def test_malformed_framing(old: bytes, new: bytes, match: str) -> None:
    case = _signed_case()
    _expect(case, _replace(case.encode(), old, new), MalformedChunkError, match)


def test_unsigned_chunk_with_extension_is_malformed() -> None:
    case = _signed_case(mode=UNSIGNED_TRAILER)
    stream = _replace(case.encode(), b"4\r\n", b"4;x=y\r\n")
    _expect(case, stream, MalformedChunkError, "expected hex")


def test_oversized_chunk_and_long_lines_are_rejected_early() -> None:
    """Memory stays bounded: a huge size or an endless line fails before the
    bytes it announces are buffered."""
    case = _signed_case(mode=UNSIGNED_TRAILER, data=b"")
    decoder = case.decoder(decoded_length=None)
    with pytest.raises(MalformedChunkError, match="16 MiB"):
        decoder.feed(b"1000001\r\n")
    decoder = case.decoder(decoded_length=None)
    with pytest.raises(MalformedChunkError, match="longer than 128"):
        _feed_all(decoder, [b"0"] * 200)
    decoder = case.decoder(decoded_length=None)
    with pytest.raises(MalformedTrailerError, match="longer than 1024"):
        decoder.feed(b"0\r\n" + b"x" * 2000)


def test_bytes_after_the_end_are_rejected() -> None:
    case = _signed_case()
    _expect(case, case.encode() + b"\r\n", MalformedChunkError, "follow the end")


@pytest.mark.parametrize("delta", [-1, 1])
def test_decoded_length_mismatch(delta: int) -> None:
    case = _signed_case()
    decoder = case.decoder(decoded_length=len(case.data) + delta)
    _expect(
        case,
        case.encode(),
        DecodedLengthMismatchError,
        "decoded-content-length",
        decoder=decoder,
    )


def test_trailer_faults() -> None:
    case = _signed_case(mode=UNSIGNED_TRAILER, extra_trailers=(("x-extra", "v"),))
    stream = case.encode()
    _expect(
        case, _replace(stream, b"x-extra:v\r\n", b""), MalformedTrailerError, "not sent"
    )
    _expect(
        case,
        _replace(stream, b"x-extra:v\r\n", b"x-extra:v\r\nx-extra:w\r\n"),
        MalformedTrailerError,
        "twice",
    )
    _expect(
        case,
        _replace(stream, b"x-extra:v\r\n", b"x-other:v\r\n"),
        MalformedTrailerError,
        "not declared",
    )
    _expect(
        case,
        _replace(stream, b"x-extra:v", b"x-extra v"),
        MalformedTrailerError,
        "malformed",
    )
    _expect(
        case,
        _replace(stream, b"x-extra:v", b"x-extra:\xff"),
        MalformedTrailerError,
        "malformed",
    )
    _expect(
        case,
        _replace(
            stream,
            b"x-extra:v\r\n",
            b"x-extra:v\r\nx-amz-trailer-signature:" + b"0" * 64 + b"\r\n",
        ),
        MalformedTrailerError,
        "not signed",
    )


def test_checksum_mismatch() -> None:
    case = _signed_case(mode=UNSIGNED_TRAILER)
    stream = _replace(case.encode(), b"hell", b"jell")
    _expect(case, stream, ChecksumMismatchError, "x-amz-checksum-crc32")
    # Base64 that decodes to the same bytes is still not the value sent:
    # "hello world" has CRC-32 0x0D4A1185, base64 "DUoRhQ==".
    case = _signed_case(mode=UNSIGNED_TRAILER, chunk_size=64)
    assert case.trailers == {"x-amz-checksum-crc32": "DUoRhQ=="}
    _expect(
        case,
        _replace(case.encode(), b"DUoRhQ==", b"DUoRhR=="),
        ChecksumMismatchError,
        "crc32",
    )


def test_trailer_signature_faults() -> None:
    case = _signed_case(extra_trailers=(("x-extra", "v"),))
    stream = case.encode()
    _expect(
        case,
        _replace(stream, b"x-extra:v", b"x-extra:w"),
        TrailerSignatureMismatchError,
        "does not match",
    )
    signature_line = re.search(rb"x-amz-trailer-signature:[0-9a-f]{64}\r\n", stream)
    assert signature_line is not None
    _expect(
        case,
        _replace(stream, signature_line[0], b""),
        MalformedTrailerError,
        "without x-amz-trailer-signature",
    )
    _expect(
        case,
        _replace(stream, signature_line[0], signature_line[0] + b"x-late:1\r\n"),
        MalformedTrailerError,
        "must be the last",
    )
    _expect(
        case,
        _replace(stream, signature_line[0], signature_line[0].upper()),
        MalformedTrailerError,
        "64 lower-case hex",
    )
    # A trailer the sender signed but did not declare is still refused.
    undeclared = cst.ChunkedCase(
        mode=SIGNED_TRAILER, data=b"x", chunk_size=4, extra_trailers=(("x-extra", "v"),)
    )
    decoder = cst.ChunkedCase(mode=SIGNED_TRAILER, data=b"x", chunk_size=4).decoder()
    _expect(
        undeclared,
        undeclared.encode(),
        MalformedTrailerError,
        "not declared",
        decoder=decoder,
    )


def test_trailer_names_are_case_insensitive() -> None:
    """HTTP field names are case-insensitive (RFC 9110 §5.1); the signature is
    over lower-case names, so a sender that capitalizes still verifies."""
    case = _signed_case()
    stream = _replace(case.encode(), b"x-amz-checksum-crc32:", b"X-Amz-Checksum-CRC32:")
    assert _decode(case, [stream]) == (case.data, case.trailers)


@pytest.mark.parametrize(
    ("overrides", "error"),
    [
        ({"mode": "nope"}, InvalidOptionError),
        ({"signing_key": None}, InvalidOptionError),
        ({"decoded_length": -1}, InvalidOptionError),
        ({"decoded_length": True}, InvalidOptionError),
        ({"expected_trailers": "x-amz-checksum-crc32"}, InvalidOptionError),
        ({"expected_trailers": ["a", "A"]}, MalformedTrailerError),
        ({"expected_trailers": ["x-amz-checksum-md5"]}, MalformedTrailerError),
        ({"expected_trailers": ["x-amz-trailer-signature"]}, MalformedTrailerError),
        ({"mode": SIGNED, "expected_trailers": ["a"]}, MalformedTrailerError),
    ],
)
def test_decoder_rejects_bad_options(
    overrides: dict[str, Any], error: type[Exception]
) -> None:
    args: dict[str, Any] = {
        "mode": SIGNED_TRAILER,
        "signing_key": cst.SIGNING_KEY,
        "amz_date": cst.AMZ_DATE,
        "scope": cst.SCOPE,
        "seed_signature": "0" * 64,
        "decoded_length": 0,
    }
    with pytest.raises(error):
        ChunkedDecoder(**(args | overrides))


def test_unsigned_decoder_needs_no_key() -> None:
    decoder = ChunkedDecoder(
        mode=UNSIGNED_TRAILER,
        signing_key=None,
        amz_date="",
        scope="",
        seed_signature="",
        decoded_length=None,
    )
    assert (
        _feed_all(decoder, [b"3\r\nabc\r\nA\r\n0123456789\r\n0\r\n\r\n"])
        == b"abc0123456789"
    )
    assert decoder.finish() == {}


def test_error_classes() -> None:
    """Each fault has its own class under SigV4VerificationError, with the code
    and status S3 answers with."""
    leaves = {
        ChunkSignatureMismatchError: ("SignatureDoesNotMatch", 403),
        MalformedChunkError: ("IncompleteBody", 400),
        DecodedLengthMismatchError: ("IncompleteBody", 400),
        MalformedTrailerError: ("MalformedTrailerError", 400),
        TrailerSignatureMismatchError: ("SignatureDoesNotMatch", 403),
        ChecksumMismatchError: ("BadDigest", 400),
    }
    for cls, (s3_code, status) in leaves.items():
        assert issubclass(cls, ChunkedPayloadError)
        assert issubclass(cls, SigV4VerificationError)
        assert issubclass(cls, SigV4Error)
        assert (cls.s3_code, cls.status) == (s3_code, status)


# --- botocore's aws-chunked bodies -----------------------------------------------


def _read_in(wrapper: Any, sizes: list[int]) -> Iterator[bytes]:
    for size in sizes:
        yield wrapper.read(size)
    yield wrapper.read()


@pytest.mark.peer
@given(
    algorithm=st.one_of(st.none(), st.sampled_from(cst.ALGORITHMS)),
    data=cst.data_bytes,
    chunk_size=cst.chunk_sizes,
    reads=st.lists(st.integers(1, 64), max_size=6),
)
def test_botocore_aws_chunked_wrapper(
    algorithm: str | None, data: bytes, chunk_size: int, reads: list[int]
) -> None:
    """botocore's AwsChunkedWrapper (the STREAMING-UNSIGNED-PAYLOAD-TRAILER body
    boto3 sends with flexible checksums) is byte for byte what our encoder
    makes, and our decoder returns its data and verifies its checksum."""
    httpchecksum = require_peer("botocore.httpchecksum")
    header = checksum_header(algorithm) if algorithm else None
    wrapper = httpchecksum.AwsChunkedWrapper(
        io.BytesIO(data),
        checksum_cls=_botocore_checksums()[algorithm] if algorithm else None,
        checksum_name=header or "x-amz-checksum",
        chunk_size=chunk_size,
    )
    body = b"".join(_read_in(wrapper, reads))
    case = cst.ChunkedCase(
        mode=UNSIGNED_TRAILER, data=data, chunk_size=chunk_size, checksum=algorithm
    )
    assert body == case.encode()
    assert _decode(case, [body]) == (data, case.trailers)


def test_crc32_is_zlibs() -> None:
    crc = Crc32()
    crc.update(b"abc")
    assert crc.digest() == zlib.crc32(b"abc").to_bytes(4, "big")
