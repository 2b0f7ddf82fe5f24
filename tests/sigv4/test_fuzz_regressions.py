"""``scripts/fuzz.py --modules sigv4`` findings, one regression test per cause.

The rule the fuzzer enforces (issue #22): hostile input only ever raises an
awscore error naming the argument, and a refused argument changes no state. The
hostile values are the fuzzer's: an integer past Python's 4,300-digit
int-to-string limit (whose ``repr`` raises ``ValueError``) and a list nested
3,000 deep (whose ``repr`` raises ``RecursionError``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from awscore.errors import (
    ArgumentTypeError,
    DecodedLengthMismatchError,
    InvalidHeaderError,
    InvalidOptionError,
    MalformedChunkError,
    SigV4InputError,
)
from awscore.sigv4 import (
    ChunkedDecoder,
    ChunkedEncoder,
    Credentials,
    HttpRequest,
    ReplayGuard,
    StreamingMode,
    Verifier,
    derive_signing_key,
    format_amz_date,
    parse_raw_request,
    sign_chunked,
)

BIG = 10**5000  # str()/repr() of it raises ValueError
DEEP: list[Any] = []
for _ in range(3000):  # repr() of it raises RecursionError
    DEEP = [DEEP]
DEEP_DICT: dict[str, Any] = {}
for _ in range(3000):
    DEEP_DICT = {"a": DEEP_DICT}

KEY = derive_signing_key("secret", "20130524", "us-east-1", "s3")
SEED = "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9"
SCOPE = "20130524/us-east-1/s3/aws4_request"
CREDS = Credentials("AKIDEXAMPLE", "secret")
REQUEST = HttpRequest("PUT", "https://examplebucket.s3.amazonaws.com/k")
AT: dict[str, Any] = {
    "region": "us-east-1",
    "service": "s3",
    "when": datetime(2013, 5, 24, tzinfo=UTC),
    "data_length": 10,
}
RAW = b"GET / HTTP/1.1\r\nHost: example.amazonaws.com\r\n\r\n"


def _encoder(**changes: Any) -> ChunkedEncoder:
    options: dict[str, Any] = {
        "mode": StreamingMode.SIGNED_TRAILER,
        "signing_key": KEY,
        "amz_date": "20130524T000000Z",
        "scope": SCOPE,
        "seed_signature": SEED,
    }
    return ChunkedEncoder(**(options | changes))


def _decoder(**changes: Any) -> ChunkedDecoder:
    options: dict[str, Any] = {
        "mode": StreamingMode.UNSIGNED_TRAILER,
        "signing_key": None,
        "amz_date": "20130524T000000Z",
        "scope": SCOPE,
        "seed_signature": "",
        "decoded_length": None,
    }
    return ChunkedDecoder(**(options | changes))


ALL = (BIG, -BIG, DEEP, DEEP_DICT)
NEGATIVE_OR_NESTED = (-BIG, DEEP, DEEP_DICT)  # a huge positive count is accepted
SIGNED = StreamingMode.SIGNED


def _verifier(**options: Any) -> Verifier:
    return Verifier(lambda _: None, regions={"us-east-1"}, services={"s3"}, **options)


CASES: list[tuple[str, Callable[[Any], object], tuple[object, ...]]] = [
    ("encoder mode", lambda v: _encoder(mode=v), ALL),
    ("decoder mode", lambda v: _decoder(mode=v), ALL),
    ("framed_length mode", lambda v: ChunkedEncoder.framed_length(10, mode=v), ALL),
    ("request_headers mode", lambda v: ChunkedEncoder.request_headers(10, mode=v), ALL),
    ("chunk_size", lambda v: _encoder(chunk_size=v), ALL),
    (
        "data_length",
        lambda v: ChunkedEncoder.framed_length(v, mode=SIGNED),
        NEGATIVE_OR_NESTED,
    ),
    (
        "framed chunk_size",
        lambda v: ChunkedEncoder.framed_length(10, mode=SIGNED, chunk_size=v),
        ALL,
    ),
    ("trailer_checksum", lambda v: _encoder(trailer_checksum=v), ALL),
    ("decoded_length", lambda v: _decoder(decoded_length=v), NEGATIVE_OR_NESTED),
    ("header", lambda v: HttpRequest("GET", "https://example.com/", [v]), ALL),
    ("headers", lambda v: HttpRequest("GET", "https://example.com/", v), ALL),
    ("body", lambda v: HttpRequest("GET", "https://example.com/", (), v), ALL),
    ("access key id", lambda v: Credentials(v, "secret"), ALL),
    ("max_entries", lambda v: ReplayGuard(max_entries=v), NEGATIVE_OR_NESTED),
    ("max_presign_expires", lambda v: _verifier(max_presign_expires=v), ALL),
    ("max_skew", lambda v: _verifier(max_skew=v), ALL),
    ("signing time", format_amz_date, ALL),
    ("sign_chunked mode", lambda v: sign_chunked(REQUEST, CREDS, mode=v, **AT), ALL),
    ("secret", lambda v: derive_signing_key(v, "20130524", "us-east-1", "s3"), ALL),
]


@pytest.mark.parametrize(
    ("call", "hostile"),
    [
        pytest.param(call, value, id=f"{name}-{index}")
        for name, call, values in CASES
        for index, value in enumerate(values)
    ],
)
def test_a_hostile_value_in_an_error_message_is_shown_safely(
    call: Callable[[object], object], hostile: object
) -> None:
    """Building the message that names a refused value never raises: the value
    is quoted with ``shown()`` (a described size, a "nested too deeply"), and an
    Enum lookup (which reprs what it refuses) is not tried on a non-string."""
    with pytest.raises(SigV4InputError) as caught:
        call(hostile)
    assert len(str(caught.value)) < 1000


@pytest.mark.parametrize(
    "name", [0, {}, None, b"host", DEEP], ids=["0", "dict", "none", "bytes", "deep"]
)
def test_header_lookups_refuse_a_name_that_is_not_text(name: object) -> None:
    """``HttpRequest.get``/``get_all`` called ``name.lower()`` on any value."""
    request = HttpRequest("GET", "https://example.com/", [("Host", "example.com")])
    for lookup in (request.get, request.get_all):
        with pytest.raises(InvalidHeaderError, match="header name must be text"):
            lookup(name)  # type: ignore[arg-type]
    assert request.get("HOST") == "example.com"


@pytest.mark.parametrize(
    "data",
    [0.0, "text", None, [1, 2], DEEP],
    ids=["float", "text", "none", "list", "deep"],
)
def test_feeding_something_that_is_not_bytes_is_refused_and_changes_nothing(
    data: object,
) -> None:
    """``memoryview(data)`` raised a bare TypeError; now an ArgumentTypeError
    before the stream is touched, so the decoder and encoder go on as before."""
    decoder = _decoder()
    with pytest.raises(ArgumentTypeError, match="data must be bytes"):
        decoder.feed(data)  # type: ignore[arg-type]
    assert b"".join(decoder.feed(b"3\r\nabc\r\n0\r\n\r\n")) == b"abc"
    assert decoder.finish() == {}
    encoder = _encoder(mode=StreamingMode.SIGNED)
    with pytest.raises(ArgumentTypeError, match="data must be bytes"):
        encoder.feed(data)  # type: ignore[arg-type]
    assert b"".join(encoder.feed(b"abc")) == b""  # held until a chunk fills


def test_a_strided_view_is_refused_with_a_typed_error() -> None:
    """A non-contiguous memoryview cannot be cast to flat bytes."""
    strided = memoryview(b"abcdef")[::2]
    with pytest.raises(ArgumentTypeError, match="contiguous"):
        _decoder().feed(strided)
    with pytest.raises(ArgumentTypeError, match="contiguous"):
        _encoder().feed(strided)


@pytest.mark.parametrize(
    ("keyword", "value"),
    [("trailer_names", 1e-320), ("trailer_names", None), ("extra_trailers", 7)],
)
def test_trailer_lists_that_are_not_lists_are_refused(keyword: str, value: Any) -> None:
    """Iterating a float or None for trailer names raised a bare TypeError."""
    for method in (ChunkedEncoder.framed_length, ChunkedEncoder.request_headers):
        with pytest.raises(ArgumentTypeError, match=f"{keyword} must be a list"):
            method(10, mode=StreamingMode.SIGNED_TRAILER, **{keyword: value})


@pytest.mark.parametrize("value", [None, 5, 2.5])
def test_expected_trailers_that_are_not_a_list_are_refused(value: object) -> None:
    with pytest.raises(ArgumentTypeError, match="expected_trailers must be a list"):
        _decoder(expected_trailers=value)


def test_encoder_finish_refuses_extra_trailers_that_are_not_a_list() -> None:
    encoder = _encoder()
    with pytest.raises(ArgumentTypeError, match="extra_trailers must be a list"):
        encoder.finish(3)  # type: ignore[arg-type]
    assert b"".join(encoder.finish()).endswith(b"\r\n\r\n")  # still open


NOW = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
LATER = NOW + timedelta(minutes=15)


@pytest.mark.parametrize(
    ("access_key_id", "signature", "until", "now"),
    [
        ({}, "sig", LATER, NOW),
        ("AKID", ["unhashable"], LATER, NOW),
        ("AKID", "sig", 12, NOW),
        ("AKID", "sig", LATER, "now"),
        ("AKID", "sig", LATER.replace(tzinfo=None), NOW),
        ("AKID", "sig", LATER, NOW.replace(tzinfo=None)),
    ],
)
def test_replay_guard_refuses_wrong_arguments_and_changes_nothing(
    access_key_id: Any, signature: Any, until: Any, now: Any
) -> None:
    """A list in the key (unhashable), a naive datetime compared with an aware
    one: bare TypeErrors. Now an ArgumentTypeError before the guard is touched."""
    guard = ReplayGuard(max_entries=10)
    guard.check_and_remember("AKID", "old", until=NOW, now=NOW - timedelta(hours=1))
    with pytest.raises(ArgumentTypeError, match="must be"):
        guard.check_and_remember(access_key_id, signature, until=until, now=now)
    assert len(guard) == 1  # the old entry is still there: nothing was swept


@pytest.mark.parametrize(
    "scheme",
    [DEEP_DICT, BIG, None, "ftp", "HTTPS "],
    ids=["deep-dict", "big", "none", "ftp", "spaced"],
)
def test_parse_raw_request_refuses_a_scheme_it_cannot_put_in_a_url(
    scheme: object,
) -> None:
    """An f-string of a 3,000-deep dict as the URL's scheme raised RecursionError."""
    with pytest.raises(SigV4InputError, match="scheme must be 'http' or 'https'"):
        parse_raw_request(RAW, scheme=scheme)  # type: ignore[arg-type]
    assert parse_raw_request(RAW, scheme="http").url == "http://example.amazonaws.com/"


def test_a_failed_decoder_stays_failed_as_documented() -> None:
    """The fuzzer's one exempt state change (STATE_OUTCOMES in
    scripts/fuzz_targets.py): after a ChunkedPayloadError the decoder raises the
    same error on every later call; the body is rejected as a whole."""
    decoder = _decoder()
    with pytest.raises(MalformedChunkError) as first:
        decoder.feed(b"GET / HTTP/1.1\r\n")
    with pytest.raises(MalformedChunkError) as again:
        decoder.feed(b"0\r\n\r\n")
    assert again.value is first.value
    with pytest.raises(MalformedChunkError) as at_finish:
        decoder.finish()
    assert at_finish.value is first.value


def test_an_unknown_mode_is_still_refused_by_name() -> None:
    with pytest.raises(InvalidOptionError, match="streaming mode 'nope'"):
        _encoder(mode="nope")


def test_a_huge_declared_decoded_length_is_named_safely_on_mismatch() -> None:
    """A 5,000-digit decoded_length is a valid count, but the mismatch message
    printed it with an f-string (ValueError); it is described instead."""
    decoder = _decoder(decoded_length=BIG)
    with pytest.raises(DecodedLengthMismatchError, match="an integer of about"):
        decoder.feed(b"0\r\n\r\n")
