"""Verifier refusals not reached by the round-trip tests: bad configuration,
SigV4A requests that lack or leave unsigned their region set, aws-chunked
headers that cannot be read, and :func:`claimed_scope` on unreadable requests.

Error types and their wording follow ``awscore.errors`` and the AWS messages
they mirror; every signed request is made at a fixed time by hand-chosen
inputs.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from awscore.errors import (
    ContentSha256MismatchError,
    CredentialScopeError,
    MalformedAuthorizationError,
    MalformedChunkError,
    MalformedPresignError,
    SigV4Error,
    StreamingNotSupportedError,
    UnsignedHeaderError,
)
from awscore.sigv4 import (
    ALGORITHM_V4A,
    MAX_PRESIGN_EXPIRES,
    Credentials,
    CredentialScope,
    HttpRequest,
    ReplayGuard,
    Verifier,
    claimed_scope,
    presign,
    sign,
)

CREDS = Credentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
WHEN = datetime(2015, 8, 30, 12, 36, tzinfo=UTC)
PUT = HttpRequest(
    "PUT", "https://examplebucket.s3.amazonaws.com/k", [("Host", "examplebucket")]
)


def _verifier(**options: object) -> Verifier:
    return Verifier(
        {CREDS.access_key_id: CREDS}.get,
        regions={"us-east-1"},
        services={"s3"},
        **options,  # type: ignore[arg-type]
    )


def _v4a(request: HttpRequest = PUT, **options: object) -> HttpRequest:
    return sign(
        request,
        CREDS,
        region="us-east-1",
        service="s3",
        when=WHEN,
        algorithm=ALGORITHM_V4A,
        **options,  # type: ignore[arg-type]
    )


# --- configuration ---------------------------------------------------------------


def test_replay_guard_needs_room_for_one_entry() -> None:
    with pytest.raises(SigV4Error, match="max_entries must be at least 1"):
        ReplayGuard(0)


@pytest.mark.parametrize("expires", [0, MAX_PRESIGN_EXPIRES + 1])
def test_max_presign_expires_must_be_within_seven_days(expires: int) -> None:
    with pytest.raises(SigV4Error, match=f"in 1..604800, not {expires}"):
        _verifier(max_presign_expires=expires)


def test_now_must_be_aware() -> None:
    signed = sign(PUT, CREDS, region="us-east-1", service="s3", when=WHEN)
    with pytest.raises(SigV4Error, match="aware datetime"):
        _verifier().verify(signed, now=datetime(2015, 8, 30, 12, 36))


# --- SigV4A region sets ----------------------------------------------------------


def test_sigv4a_header_signature_without_region_set_header_is_malformed() -> None:
    signed = _v4a(region_set=["us-east-1"])
    stripped = replace(
        signed,
        headers=tuple(
            (n, v) for n, v in signed.headers if n.lower() != "x-amz-region-set"
        ),
    )
    with pytest.raises(
        MalformedAuthorizationError, match="must carry X-Amz-Region-Set"
    ):
        _verifier().verify(stripped, now=WHEN)


def test_sigv4a_region_set_left_out_of_signed_headers_is_refused() -> None:
    # A region set that is sent but not signed could be widened in transit.
    signed = _v4a(region_set=["us-east-1"])
    auth = str(signed.get("Authorization"))
    unsigned = auth.replace(";x-amz-region-set", "")
    assert unsigned != auth
    forged = replace(
        signed,
        headers=tuple(
            (n, unsigned if n == "Authorization" else v) for n, v in signed.headers
        ),
    )
    with pytest.raises(UnsignedHeaderError, match="X-Amz-Region-Set must be signed"):
        _verifier().verify(forged, now=WHEN)


@pytest.mark.parametrize("region_set", [["eu-*"], ["us-*-9*"], ["us-west-2"]])
def test_sigv4a_region_set_covering_none_of_the_endpoints_regions_is_refused(
    region_set: list[str],
) -> None:
    signed = _v4a(region_set=region_set)
    with pytest.raises(CredentialScopeError, match="includes none of this endpoint"):
        _verifier().verify(signed, now=WHEN)


def test_sigv4a_region_pattern_with_a_middle_part_is_accepted() -> None:
    signed = _v4a(region_set=["us-*st*1"])
    verified = _verifier().verify(signed, now=WHEN)
    assert verified.region == "us-east-1"
    assert verified.region_set == ("us-*st*1",)


def test_sigv4a_presigned_url_without_region_set_is_malformed() -> None:
    url = presign(
        PUT,
        CREDS,
        region="us-east-1",
        service="s3",
        when=WHEN,
        algorithm=ALGORITHM_V4A,
        region_set=["us-east-1"],
    )
    assert "X-Amz-Region-Set=us-east-1&" in url
    stripped = url.replace("X-Amz-Region-Set=us-east-1&", "")
    with pytest.raises(MalformedPresignError, match="must carry X-Amz-Region-Set"):
        _verifier().verify(replace(PUT, url=stripped), now=WHEN)


# --- aws-chunked headers ---------------------------------------------------------


def _streaming(mode: str, decoded_length: str, **options: object) -> HttpRequest:
    request = HttpRequest(
        PUT.method,
        PUT.url,
        [
            *PUT.headers,
            ("Content-Encoding", "aws-chunked"),
            ("x-amz-decoded-content-length", decoded_length),
        ],
        b"0\r\n\r\n",
    )
    return sign(
        request,
        CREDS,
        region="us-east-1",
        service="s3",
        when=WHEN,
        payload=mode,
        content_sha256_header=True,
        **options,  # type: ignore[arg-type]
    )


def test_decoded_content_length_that_is_not_a_number_is_refused() -> None:
    signed = _streaming("STREAMING-UNSIGNED-PAYLOAD-TRAILER", "ten")
    with pytest.raises(MalformedChunkError, match="'ten' is not a number of bytes"):
        _verifier().verify(signed, now=WHEN)


def test_hmac_chunk_chain_cannot_follow_a_sigv4a_seed() -> None:
    # STREAMING-AWS4-HMAC-SHA256-PAYLOAD chains HMAC chunk signatures from the
    # seed; a SigV4A seed is an ECDSA signature with no HMAC key to chain from.
    signed = _streaming(
        "STREAMING-AWS4-HMAC-SHA256-PAYLOAD",
        "0",
        algorithm=ALGORITHM_V4A,
        region_set=["us-east-1"],
    )
    with pytest.raises(StreamingNotSupportedError, match="cannot follow a SigV4A"):
        _verifier().verify(signed, now=WHEN)


# --- claimed_scope ---------------------------------------------------------------


def test_claimed_scope_reads_the_authorization_header_without_verifying() -> None:
    signed = sign(PUT, CREDS, region="eu-west-3", service="s3", when=WHEN)
    scope = claimed_scope(signed)
    assert isinstance(scope, CredentialScope)
    assert (scope.access_key_id, scope.region, scope.service) == (
        "AKIDEXAMPLE",
        "eu-west-3",
        "s3",
    )


@pytest.mark.parametrize(
    "request_",
    [
        HttpRequest("GET", "https://h/", [("Authorization", "Bearer token")]),
        HttpRequest("GET", "https://h/?X-Amz-Algorithm=AWS4-HMAC-SHA256"),
        HttpRequest("GET", "https://h/"),
    ],
)
def test_claimed_scope_of_an_unreadable_request_is_none(request_: HttpRequest) -> None:
    assert claimed_scope(request_) is None


# --- checks the property tests reach only by chance --------------------------------


def _signed_put() -> HttpRequest:
    request = HttpRequest(
        PUT.method, PUT.url, [*PUT.headers, ("X-Amz-Meta-Color", "b")]
    )
    return sign(request, CREDS, region="us-east-1", service="s3", when=WHEN)


def _set(request: HttpRequest, name: str, value: str) -> HttpRequest:
    return replace(
        request,
        headers=tuple(
            (n, value if n.lower() == name.lower() else v) for n, v in request.headers
        ),
    )


def test_x_amz_date_of_a_day_that_does_not_exist_is_refused() -> None:
    # The basic format matches, but there is no 30 February.
    forged = _set(_signed_put(), "X-Amz-Date", "20150230T123600Z")
    with pytest.raises(MalformedAuthorizationError, match="is not a valid time"):
        _verifier().verify(forged, now=WHEN)


def test_signed_header_missing_from_the_request_is_named() -> None:
    signed = _signed_put()
    dropped = replace(
        signed,
        headers=tuple((n, v) for n, v in signed.headers if n != "X-Amz-Meta-Color"),
    )
    with pytest.raises(UnsignedHeaderError, match="x-amz-meta-color are not in"):
        _verifier().verify(dropped, now=WHEN)


def test_content_sha256_that_is_not_lower_case_hex_is_refused() -> None:
    forged = _set(_signed_put(), "x-amz-content-sha256", "E3B0C442")
    with pytest.raises(ContentSha256MismatchError, match="neither a lower-case hex"):
        _verifier().verify(forged, now=WHEN)


def test_sigv4a_authorization_parts_in_another_order_still_verify() -> None:
    # RFC 9110 gives auth-params no order; the verifier's fast path expects the
    # SDKs' order, and the general parser must accept any other.
    signed = _v4a(region_set=["us-east-1"])
    algorithm, _, rest = str(signed.get("Authorization")).partition(" ")
    credential, signed_headers, signature = rest.split(", ")
    reordered = f"{algorithm} {signature}, {credential}, {signed_headers}"
    verified = _verifier().verify(_set(signed, "Authorization", reordered), now=WHEN)
    assert verified.algorithm == ALGORITHM_V4A
    assert verified.region_set == ("us-east-1",)


def test_sigv4a_credential_with_a_region_is_malformed() -> None:
    # A SigV4A scope is <key>/<date>/<service>/aws4_request: the region set
    # travels in its own header, not in the scope.
    signed = _v4a(region_set=["us-east-1"])
    auth = str(signed.get("Authorization"))
    forged = auth.replace("/20150830/s3/", "/20150830/us-east-1/s3/")
    assert forged != auth
    with pytest.raises(
        MalformedAuthorizationError, match=r"credential .* is malformed"
    ):
        _verifier().verify(_set(signed, "Authorization", forged), now=WHEN)
