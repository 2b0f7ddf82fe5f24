"""The SigV4 verifier: each check, its boundaries, and sign/verify round trips."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from awscore.errors import (
    ChecksumMismatchError,
    ChunkSignatureMismatchError,
    ContentSha256MismatchError,
    CredentialScopeError,
    DecodedLengthMismatchError,
    MalformedAuthorizationError,
    MalformedPresignError,
    MissingAuthenticationError,
    PresignExpiredError,
    ReplayedRequestError,
    RequestTimeTooSkewedError,
    SignatureMismatchError,
    SigV4VerificationError,
    StreamingNotSupportedError,
    UnknownAccessKeyError,
    UnsignedHeaderError,
)
from awscore.sigv4 import (
    Credentials,
    HttpRequest,
    ReplayGuard,
    StreamingMode,
    Verifier,
    presign,
    sign,
    sign_chunked,
    sign_details,
)
from tests.strategies import sigv4 as sst

SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
CREDS = Credentials("AKIDEXAMPLE", SECRET)
WHEN = datetime(2015, 8, 30, 12, 36, tzinfo=UTC)
SKEW = timedelta(minutes=15)
PUT = HttpRequest(
    "PUT",
    "https://examplebucket.s3.amazonaws.com/a%20key?x=1",
    [("Content-Type", "text/plain"), ("X-Amz-Meta-Color", "blue")],
    b"hello",
)


def _verifier(**kwargs: object) -> Verifier:
    known = {CREDS.access_key_id: CREDS}
    return Verifier(
        known.get,
        regions={"us-east-1"},
        services={"service", "s3", "iam"},
        **kwargs,  # type: ignore[arg-type]
    )


def _signed(
    request: HttpRequest = PUT, service: str = "s3", **options: Any
) -> HttpRequest:
    return sign(
        request, CREDS, region="us-east-1", service=service, when=WHEN, **options
    )


def _with_header(request: HttpRequest, name: str, value: str) -> HttpRequest:
    kept = [(n, v) for n, v in request.headers if n.lower() != name.lower()]
    return replace(request, headers=(*kept, (name, value)))


def _rejects(
    error: type[SigV4VerificationError],
    request: HttpRequest,
    now: datetime = WHEN,
    verifier: Verifier | None = None,
) -> str:
    with pytest.raises(error) as info:
        (verifier or _verifier()).verify(request, now=now)
    return str(info.value)


# --- acceptance --------------------------------------------------------------


def test_a_signed_request_verifies_with_its_identity() -> None:
    verified = _verifier().verify(_signed(), now=WHEN)
    assert verified.access_key_id == "AKIDEXAMPLE"
    assert (verified.region, verified.service) == ("us-east-1", "s3")
    assert verified.signing_date == "20150830"
    assert verified.signed_at == WHEN
    assert verified.presigned is False
    assert verified.payload_mode == "signed"
    assert "x-amz-meta-color" in verified.signed_headers


def test_a_presigned_url_verifies() -> None:
    url = presign(PUT, CREDS, region="us-east-1", service="s3", when=WHEN)
    verified = _verifier().verify(
        replace(PUT, url=url), now=WHEN + timedelta(seconds=60)
    )
    assert verified.presigned is True
    assert verified.payload_mode == "unsigned"


def test_unsigned_payload_is_accepted() -> None:
    signed = _signed(payload="UNSIGNED-PAYLOAD")
    verified = _verifier().verify(replace(signed, body=b"anything"), now=WHEN)
    assert verified.payload_mode == "unsigned"


def test_session_token_is_reported() -> None:
    creds = Credentials("AKIDEXAMPLE", SECRET, "token-value")
    signed = sign(PUT, creds, region="us-east-1", service="s3", when=WHEN)
    verified = _verifier().verify(signed, now=WHEN)
    assert verified.session_token == "token-value"
    assert "token-value" not in repr(verified)


# --- each check --------------------------------------------------------------


def test_no_authentication() -> None:
    _rejects(MissingAuthenticationError, PUT)


def test_both_mechanisms_at_once() -> None:
    url = presign(PUT, CREDS, region="us-east-1", service="s3", when=WHEN)
    _rejects(MalformedAuthorizationError, replace(_signed(), url=url))


@pytest.mark.parametrize(
    "mangle",
    [
        lambda a: a.replace("AWS4-HMAC-SHA256", "AWS4-HMAC-SHA1"),
        lambda a: a.replace("Credential=", "Credentials="),
        lambda a: a.replace("/aws4_request", "/aws5_request"),
        lambda a: a.replace(
            "SignedHeaders=content-type;", "SignedHeaders=Content-Type;"
        ),
        lambda a: a.replace(
            "SignedHeaders=content-type;host", "SignedHeaders=host;content-type"
        ),
        lambda a: a.replace(
            "SignedHeaders=content-type;", "SignedHeaders=content-type;content-type;"
        ),
        lambda a: a[:-1],
        lambda a: a[:-64] + a[-64:].upper(),
        lambda a: a + ", Signature=" + "0" * 64,
        lambda a: a.split(", Signature=")[0],
        lambda a: a.replace("/20150830/", "/2015083/"),
    ],
)
def test_malformed_authorization_header(mangle: Callable[[str], str]) -> None:
    signed = _signed()
    value = signed.get("Authorization")
    assert value is not None
    _rejects(
        MalformedAuthorizationError,
        _with_header(signed, "Authorization", mangle(value)),
    )


def test_parts_in_another_order_and_spacing_are_accepted() -> None:
    signed = _signed()
    value = signed.get("Authorization")
    assert value is not None
    algorithm, rest = value.split(" ", 1)
    credential, headers, signature = rest.split(", ")
    reordered = f"{algorithm} {signature},{credential} ,  {headers}"
    _verifier().verify(_with_header(signed, "Authorization", reordered), now=WHEN)


@pytest.mark.parametrize(
    ("param", "value"),
    [
        ("X-Amz-Algorithm", "AWS4-HMAC-SHA1"),
        ("X-Amz-Credential", "AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fs3"),
        ("X-Amz-Date", "2015-08-30T12:36:00Z"),
        ("X-Amz-Expires", "soon"),
        ("X-Amz-Expires", "604801"),
        ("X-Amz-Expires", "0"),
        ("X-Amz-SignedHeaders", "Host"),
        ("X-Amz-Signature", "abc"),
    ],
)
def test_malformed_presign_parameters(param: str, value: str) -> None:
    url = presign(PUT, CREDS, region="us-east-1", service="s3", when=WHEN)
    pieces = [
        p if not p.startswith(param + "=") else f"{param}={value}"
        for p in url.split("?", 1)[1].split("&")
    ]
    mangled = url.split("?", 1)[0] + "?" + "&".join(pieces)
    _rejects(MalformedPresignError, replace(PUT, url=mangled))


def test_missing_presign_parameter() -> None:
    url = presign(PUT, CREDS, region="us-east-1", service="s3", when=WHEN)
    mangled = "&".join(p for p in url.split("&") if not p.startswith("X-Amz-Expires"))
    message = _rejects(MalformedPresignError, replace(PUT, url=mangled))
    assert "X-Amz-Expires" in message


def test_unknown_access_key() -> None:
    other = Credentials("AKIDUNKNOWN", SECRET)
    signed = sign(PUT, other, region="us-east-1", service="s3", when=WHEN)
    assert "AKIDUNKNOWN" in _rejects(UnknownAccessKeyError, signed)


def test_scope_date_must_match_x_amz_date() -> None:
    signed = _signed()
    message = _rejects(
        CredentialScopeError,
        _with_header(signed, "X-Amz-Date", "20150831T000000Z"),
        now=datetime(2015, 8, 31, tzinfo=UTC),
    )
    assert "20150830" in message


@pytest.mark.parametrize(
    ("region", "service"), [("eu-west-1", "s3"), ("us-east-1", "sqs")]
)
def test_region_and_service_must_be_accepted(region: str, service: str) -> None:
    signed = sign(PUT, CREDS, region=region, service=service, when=WHEN)
    _rejects(CredentialScopeError, signed)


def test_host_must_be_signed() -> None:
    details = sign_details(PUT, CREDS, region="us-east-1", service="s3", when=WHEN)
    forged = details.request
    value = forged.get("Authorization")
    assert value is not None
    forged = _with_header(forged, "Authorization", value.replace(";host;", ";"))
    assert "host" in _rejects(UnsignedHeaderError, forged)


def test_unsigned_amz_headers_are_rejected_unless_configured() -> None:
    extra = _with_header(_signed(), "X-Amz-Acl", "public-read")
    assert "x-amz-acl" in _rejects(UnsignedHeaderError, extra)
    _verifier(require_signed_amz_headers=False).verify(extra, now=WHEN)


def test_ecdsa_streaming_payloads_are_not_supported() -> None:
    signed = _signed(payload="STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD")
    assert "supports the aws-chunked payloads" in _rejects(
        StreamingNotSupportedError, signed
    )


def test_content_sha256_must_match_the_body() -> None:
    tampered = replace(_signed(), body=b"HELLO")
    _rejects(ContentSha256MismatchError, tampered)


def test_signature_mismatch_carries_the_servers_view() -> None:
    wrong = sign(
        PUT,
        Credentials("AKIDEXAMPLE", "not-the-secret"),
        region="us-east-1",
        service="s3",
        when=WHEN,
    )
    with pytest.raises(SignatureMismatchError) as info:
        _verifier().verify(wrong, now=WHEN)
    expected = sign_details(PUT, CREDS, region="us-east-1", service="s3", when=WHEN)
    assert info.value.canonical_request == expected.canonical_request
    assert info.value.string_to_sign == expected.string_to_sign
    assert SECRET not in str(info.value)


# --- time --------------------------------------------------------------------


@pytest.mark.parametrize("offset", [SKEW, -SKEW, timedelta(0)])
def test_skew_limit_is_inclusive(offset: timedelta) -> None:
    _verifier().verify(_signed(), now=WHEN + offset)


@pytest.mark.parametrize(
    "offset", [SKEW + timedelta(seconds=1), -SKEW - timedelta(seconds=1)]
)
def test_beyond_the_skew_limit(offset: timedelta) -> None:
    _rejects(RequestTimeTooSkewedError, _signed(), now=WHEN + offset)


def test_presigned_url_lifetime_boundaries() -> None:
    url = presign(PUT, CREDS, region="us-east-1", service="s3", when=WHEN, expires=60)
    request = replace(PUT, url=url)
    _verifier().verify(request, now=WHEN + timedelta(seconds=60))
    assert _rejects(PresignExpiredError, request, now=WHEN + timedelta(seconds=61)) == (
        "Request has expired"
    )
    _verifier().verify(request, now=WHEN - SKEW)
    message = _rejects(
        PresignExpiredError, request, now=WHEN - SKEW - timedelta(seconds=1)
    )
    assert "not valid yet" in message


def test_max_presign_expires_is_configurable() -> None:
    url = presign(PUT, CREDS, region="us-east-1", service="s3", when=WHEN, expires=3600)
    _rejects(
        MalformedPresignError,
        replace(PUT, url=url),
        verifier=_verifier(max_presign_expires=600),
    )


# --- replay guard ------------------------------------------------------------


def test_replay_guard_rejects_a_second_use_within_the_window() -> None:
    verifier = _verifier(replay_guard=ReplayGuard(max_entries=10))
    signed = _signed()
    verifier.verify(signed, now=WHEN)
    _rejects(ReplayedRequestError, signed, verifier=verifier)
    # a different request is not a replay
    verifier.verify(_signed(replace(PUT, body=b"other")), now=WHEN)


def test_replay_guard_forgets_after_the_window_and_stays_bounded() -> None:
    guard = ReplayGuard(max_entries=3)
    for i in range(10):
        guard.check_and_remember("AKID", f"sig{i}", until=WHEN + SKEW, now=WHEN)
    assert len(guard) == 3
    guard.check_and_remember(
        "AKID", "sig9x", until=WHEN + 2 * SKEW, now=WHEN + SKEW + timedelta(seconds=1)
    )
    assert len(guard) == 1


# --- properties --------------------------------------------------------------


@given(
    generated=sst.requests(),
    creds=sst.credentials,
    when=sst.signing_times,
    service=st.sampled_from(["service", "s3", "iam"]),
    presigned=st.booleans(),
)
def test_everything_signed_verifies_at_the_same_now(
    generated: sst.GeneratedRequest,
    creds: Credentials,
    when: datetime,
    service: str,
    presigned: bool,
) -> None:
    """Every request made by sign() or presign() verifies at the signing time."""
    verifier = Verifier(
        {creds.access_key_id: creds}.get, regions={"us-east-1"}, services={service}
    )
    request = generated.request
    if presigned:
        url = presign(request, creds, region="us-east-1", service=service, when=when)
        signed = replace(request, url=url)
    else:
        signed = sign(request, creds, region="us-east-1", service=service, when=when)
    verified = verifier.verify(signed, now=when)
    assert verified.access_key_id == creds.access_key_id
    assert verified.presigned is presigned


def _mutations(signed: HttpRequest) -> list[tuple[str, HttpRequest, type[Exception]]]:
    value = signed.get("Authorization")
    assert value is not None
    signature = value[-64:]
    flipped = signature[:10] + ("0" if signature[10] != "0" else "1") + signature[11:]
    out = [
        ("method", replace(signed, method="DELETE"), SignatureMismatchError),
        (
            "path",
            replace(signed, url=signed.url.replace("/a%20key", "/b%20key")),
            SignatureMismatchError,
        ),
        (
            "query",
            replace(signed, url=signed.url.replace("x=1", "x=2")),
            SignatureMismatchError,
        ),
        (
            "signed header",
            _with_header(signed, "X-Amz-Meta-Color", "red"),
            SignatureMismatchError,
        ),
        (
            "x-amz-date",
            _with_header(signed, "X-Amz-Date", "20150830T123601Z"),
            SignatureMismatchError,
        ),
        (
            "signature",
            _with_header(signed, "Authorization", value[:-64] + flipped),
            SignatureMismatchError,
        ),
        ("body", replace(signed, body=signed.body + b"!"), ContentSha256MismatchError),
    ]
    return out


@pytest.mark.parametrize("index", range(7))
def test_changing_any_signed_element_fails_with_the_right_error(index: int) -> None:
    """Changing one signed element (method, path, a query parameter, a signed
    header, X-Amz-Date, one signature character, the signed body) is rejected."""
    _, mutated, error = _mutations(_signed())[index]
    with pytest.raises(error):
        _verifier().verify(mutated, now=WHEN)


def test_a_changed_body_without_the_hash_header_is_a_mismatch() -> None:
    signed = _signed(replace(PUT, url="https://example.amazonaws.com/"), "service")
    assert signed.get("x-amz-content-sha256") is None
    _rejects(SignatureMismatchError, replace(signed, body=b"changed"))


@given(
    name=st.sampled_from(["User-Agent", "X-Amzn-Trace-Id", "Connection"]),
    value=st.text(alphabet="abcdefghij ;=/", max_size=20),
)
def test_unsigned_headers_may_change_freely(name: str, value: str) -> None:
    """Headers outside SignedHeaders can be added or changed without breaking
    the signature."""
    _verifier().verify(_with_header(_signed(), name, value), now=WHEN)


ELEMENTS = ["method", "path", "query", "header", "x-amz-date", "signature", "body"]


def _mutate(  # noqa: PLR0911 - one return per element reads best
    signed: HttpRequest, element: str
) -> HttpRequest | None:
    """``signed`` with one signed element changed, or None if it has none such."""
    value = signed.get("Authorization") or ""
    if element == "method":
        return replace(signed, method="PATCH" if signed.method != "PATCH" else "PUT")
    if element == "path":
        base, _, query = signed.url.partition("?")
        return replace(signed, url=base + "x" + (f"?{query}" if query else ""))
    if element == "query":
        joiner = "&" if "?" in signed.url else "?"
        return replace(signed, url=signed.url + joiner + "added=1")
    if element == "header":
        signed_names = value.split("SignedHeaders=")[1].split(",")[0].split(";")
        for name, header_value in signed.headers:
            if name.lower() in signed_names and name.lower() not in (
                "x-amz-date",
                "x-amz-content-sha256",
                "host",
            ):
                return _with_header(signed, name, header_value + "x")
        return None
    if element == "x-amz-date":
        date = signed.get("X-Amz-Date") or ""
        second = "1" if date[-2] != "1" else "2"
        return _with_header(signed, "X-Amz-Date", date[:-2] + second + "Z")
    if element == "signature":
        flip = "0" if value[-1] != "0" else "1"
        return _with_header(signed, "Authorization", value[:-1] + flip)
    return replace(signed, body=signed.body + b"!")


@given(
    generated=sst.requests(),
    when=sst.signing_times,
    service=st.sampled_from(["service", "s3"]),
    element=st.sampled_from(ELEMENTS),
)
def test_any_one_signed_element_changed_is_rejected(
    generated: sst.GeneratedRequest, when: datetime, service: str, element: str
) -> None:
    """Changing any one signed element of a signed request (method, path, a query
    parameter, a signed header's value, X-Amz-Date, one character of the
    signature, the body when its hash is signed) makes verification fail: with
    XAmzContentSHA256Mismatch for a body under x-amz-content-sha256, else with
    SignatureDoesNotMatch."""
    signed = sign(
        generated.request, CREDS, region="us-east-1", service=service, when=when
    )
    mutated = _mutate(signed, element)
    if mutated is None:
        return
    expected: type[Exception] = SignatureMismatchError
    if element == "body" and signed.get("x-amz-content-sha256") is not None:
        expected = ContentSha256MismatchError
    verifier = Verifier(
        {CREDS.access_key_id: CREDS}.get, regions={"us-east-1"}, services={service}
    )
    with pytest.raises(expected):
        verifier.verify(mutated, now=when)


# --- aws-chunked bodies ------------------------------------------------------


@pytest.mark.parametrize("mode", list(StreamingMode))
@pytest.mark.parametrize(
    "checksum", [None, "crc32", "crc32c", "crc64nvme", "sha1", "sha256"]
)
def test_aws_chunked_uploads_verify_and_decode(
    mode: StreamingMode, checksum: str | None
) -> None:
    """sign_chunked and its encoder make a body the verifier accepts, de-frames
    and checks (every chunk, the declared length, the checksum trailer)."""
    if mode is StreamingMode.SIGNED:
        checksum = None  # this mode has no trailer
    data = bytes(range(256)) * 300
    request, encoder = sign_chunked(
        HttpRequest("PUT", "https://examplebucket.s3.amazonaws.com/big"),
        CREDS,
        region="us-east-1",
        service="s3",
        when=WHEN,
        data_length=len(data),
        mode=mode,
        chunk_size=8192,
        trailer_checksum=checksum,
    )
    body = b"".join(
        [*encoder.feed(data[:1000]), *encoder.feed(data[1000:]), *encoder.finish()]
    )
    assert request.get("Content-Length") == str(len(body))
    verified = _verifier().verify(replace(request, body=body), now=WHEN)
    assert verified.payload_mode == "streaming"
    assert verified.decoded_body == data
    expected = set() if checksum is None else {f"x-amz-checksum-{checksum}"}
    assert set(verified.trailers) == expected


def _chunked(data: bytes, **options: object) -> tuple[HttpRequest, bytes]:
    request, encoder = sign_chunked(
        HttpRequest("PUT", "https://examplebucket.s3.amazonaws.com/k"),
        CREDS,
        region="us-east-1",
        service="s3",
        when=WHEN,
        **options,  # type: ignore[arg-type]
    )
    return request, b"".join([*encoder.feed(data), *encoder.finish()])


def test_a_tampered_chunk_is_rejected() -> None:
    request, body = _chunked(b"a" * 20000, data_length=20000, chunk_size=8192)
    tampered = bytearray(body)
    tampered[tampered.index(b"aaaa") + 10] ^= 1
    _rejects(ChunkSignatureMismatchError, replace(request, body=bytes(tampered)))


def test_a_wrong_decoded_length_is_rejected() -> None:
    request, body = _chunked(
        b"b" * 5000,
        data_length=5000,
        mode=StreamingMode.UNSIGNED_TRAILER,
        trailer_checksum="crc32",
    )
    lying = _with_header(request, "x-amz-decoded-content-length", "5001")
    # the declared length is signed, so a changed value is a signature mismatch...
    _rejects(SignatureMismatchError, replace(lying, body=body))
    # ...and a body one byte short of the signed declaration fails the decoder
    assert b"1388\r\n" in body  # 5000 bytes in one chunk
    short = body.replace(b"1388\r\n", b"1387\r\n", 1).replace(
        b"b\r\n0\r\n", b"\r\n0\r\n"
    )
    _rejects(DecodedLengthMismatchError, replace(request, body=short))


def test_a_wrong_checksum_trailer_is_rejected() -> None:
    request, body = _chunked(
        b"c" * 3000,
        data_length=3000,
        mode=StreamingMode.UNSIGNED_TRAILER,
        trailer_checksum="sha256",
    )
    tampered = body.replace(b"c" * 10, b"d" * 10, 1)
    _rejects(ChecksumMismatchError, replace(request, body=tampered))


# --- SigV4A region sets --------------------------------------------------------


@pytest.mark.parametrize(
    ("region_set", "accepted"),
    [
        ("*", "us-east-1"),
        ("us-*", "us-east-1"),
        ("*-1", "us-east-1"),
        ("us-*-1", "us-east-1"),
        ("eu-west-1,us-east-1", "us-east-1"),
        ("eu-*", None),
        ("us-east-2", None),
        ("us-east-1x", None),
        ("u*s*1", "us-east-1"),
        ("u*x*1", None),
        ("us-*east*east*", None),
    ],
)
def test_region_set_patterns(region_set: str, accepted: str | None) -> None:
    """A region set covers a region when one of its names equals it or, with
    ``*`` as any run of characters, matches it."""
    from awscore.sigv4._verifier import _accepted_region

    assert _accepted_region(region_set, frozenset({"us-east-1"})) == accepted


@pytest.mark.parametrize("region_set", ["us-east-?", "[u]s-east-1", "a b", "", ","])
def test_malformed_region_sets_are_rejected(region_set: str) -> None:
    """Only names and ``*`` are accepted: no other glob syntax, no empty names."""
    signed = _signed(algorithm="AWS4-ECDSA-P256-SHA256", region_set=["us-east-1"])
    forged = _with_header(signed, "X-Amz-Region-Set", region_set)
    with pytest.raises((MalformedAuthorizationError, CredentialScopeError)):
        _verifier().verify(forged, now=WHEN)


def test_sigv2_is_refused_by_name() -> None:
    from awscore.errors import MalformedRequestError

    legacy = _with_header(PUT, "Authorization", "AWS AKIDEXAMPLE:c2lnbmF0dXJl")
    assert "Signature Version 2" in _rejects(MalformedRequestError, legacy)
    url = PUT.url + "&AWSAccessKeyId=AKIDEXAMPLE&Expires=1&Signature=abc"
    assert "AWS4-HMAC-SHA256" in _rejects(MalformedRequestError, replace(PUT, url=url))


@given(
    when=sst.signing_times,
    offset=st.integers(min_value=-902, max_value=902),
)
def test_skew_limit_holds_exactly(when: datetime, offset: int) -> None:
    """A header-signed request is accepted exactly when the server's clock is
    within 15 minutes (900 s) of X-Amz-Date, either way, the limit included."""
    signed = sign(PUT, CREDS, region="us-east-1", service="s3", when=when)
    now = when + timedelta(seconds=offset)
    if abs(offset) <= 900:
        _verifier().verify(signed, now=now)
    else:
        _rejects(RequestTimeTooSkewedError, signed, now=now)


@given(
    when=sst.signing_times,
    expires=st.integers(min_value=1, max_value=604800),
    data=st.data(),
)
def test_presign_lifetime_holds_exactly(
    when: datetime, expires: int, data: st.DataObject
) -> None:
    """A presigned URL is accepted exactly from 15 minutes before its X-Amz-Date
    (clock skew) until X-Amz-Expires seconds after it, both limits included."""
    url = presign(
        PUT, CREDS, region="us-east-1", service="s3", when=when, expires=expires
    )
    offset = data.draw(
        st.one_of(
            st.sampled_from([-901, -900, 0, expires, expires + 1]),
            st.integers(min_value=-1000, max_value=expires + 100),
        )
    )
    now = when + timedelta(seconds=offset)
    if -900 <= offset <= expires:
        _verifier().verify(replace(PUT, url=url), now=now)
    else:
        _rejects(PresignExpiredError, replace(PUT, url=url), now=now)
