"""What the SigV4 signing side refuses, and the small promises its types make.

Each refusal is a typed error from :mod:`awscore.errors`, checked by type and by
what its message names; each acceptance is checked against a value worked out
by hand (or from the AWS SigV4 documentation: a scope part may not hold ``/``;
SigV4A's region set is a comma-joined list; an aws-chunked upload's modes are
S3's three ``STREAMING-*`` constants).
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

import awscore.sigv4
from awscore.errors import (
    InvalidHeaderError,
    InvalidOptionError,
    InvalidTimeError,
    InvalidUrlError,
    SigV4InputError,
)
from awscore.sigv4 import (
    ALGORITHM,
    ALGORITHM_V4A,
    ChunkedEncoder,
    Credentials,
    HttpRequest,
    derive_signing_key,
    derive_v4a_public_key,
    format_amz_date,
    presign,
    sign,
    sign_chunked,
    sign_details,
    signing_key_cache_clear,
)
from awscore.sigv4._sigv4a import ecdsa_verify_hex
from awscore.sigv4._uri import canonical_path, canonical_query, split_url

SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
CREDS = Credentials("AKIDEXAMPLE", SECRET)
WHEN = datetime(2015, 8, 30, 12, 36, tzinfo=UTC)
GET = HttpRequest("GET", "https://example.amazonaws.com/")
SCOPE: dict[str, Any] = {"region": "us-east-1", "service": "service", "when": WHEN}


# --- HttpRequest -----------------------------------------------------------------


def test_request_body_may_be_a_bytearray_or_memoryview_and_is_kept_as_bytes() -> None:
    for body in (bytearray(b"abc"), memoryview(b"abc")):
        request = HttpRequest("PUT", "https://h/", (), body)  # type: ignore[arg-type]
        assert request.body == b"abc"
        assert type(request.body) is bytes


def test_request_body_of_another_type_is_refused() -> None:
    with pytest.raises(SigV4InputError, match="body must be bytes, not text"):
        HttpRequest("PUT", "https://h/", (), "abc")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "header",
    [("Host",), ("Host", b"h"), ["Host", "h"], ("Host", "h", "x")],
)
def test_header_that_is_not_a_pair_of_strings_is_refused(header: Any) -> None:
    with pytest.raises(InvalidHeaderError, match="headers are \\(name, value\\) pairs"):
        HttpRequest("GET", "https://h/", [header])


@pytest.mark.parametrize(("method", "url"), [(b"GET", "https://h/"), ("GET", None)])
def test_method_and_url_must_be_strings(method: Any, url: Any) -> None:
    with pytest.raises(SigV4InputError, match="method and url must be strings"):
        HttpRequest(method, url)


def test_request_iterates_over_its_headers_in_order() -> None:
    request = HttpRequest("GET", "https://h/", [("B", "2"), ("a", "1"), ("B", "3")])
    assert list(request) == [("B", "2"), ("a", "1"), ("B", "3")]
    assert request.get("b") == "2,3"
    assert request.get("missing", "none") == "none"


# --- sign, presign, sign_details: what they refuse -------------------------------


def test_signing_time_must_be_a_datetime() -> None:
    with pytest.raises(InvalidTimeError, match="must be a datetime, not text"):
        format_amz_date("2015-08-30T12:36:00Z")  # type: ignore[arg-type]


def test_signing_time_that_is_not_utc_is_converted() -> None:
    # 08:36 at UTC-4 is 12:36 UTC.
    eastern = datetime(2015, 8, 30, 8, 36, tzinfo=timezone(timedelta(hours=-4)))
    assert format_amz_date(eastern) == "20150830T123600Z"


def test_signing_time_that_cannot_be_expressed_in_utc_is_refused() -> None:
    # 23:00 on 9999-12-31 at UTC-5 is in the year 10000, past datetime's range.
    late = datetime(9999, 12, 31, 23, tzinfo=timezone(timedelta(hours=-5)))
    with pytest.raises(InvalidTimeError, match="out of range"):
        sign(GET, CREDS, region="us-east-1", service="service", when=late)


def test_credentials_must_be_credentials() -> None:
    with pytest.raises(SigV4InputError, match="not a list"):
        sign(GET, ("AKIDEXAMPLE", SECRET), **SCOPE)  # type: ignore[arg-type]


def test_request_must_be_an_http_request() -> None:
    with pytest.raises(SigV4InputError, match="HttpRequest, not a mapping"):
        sign({"method": "GET"}, CREDS, **SCOPE)  # type: ignore[arg-type]


def test_region_set_is_for_sigv4a_only() -> None:
    with pytest.raises(InvalidOptionError, match="region_set applies to"):
        sign(GET, CREDS, **SCOPE, algorithm=ALGORITHM, region_set=["*"])


def test_unknown_algorithm_is_refused_naming_both_supported_ones() -> None:
    with pytest.raises(InvalidOptionError, match="'AWS4-HMAC-SHA512'") as caught:
        sign(GET, CREDS, **SCOPE, algorithm="AWS4-HMAC-SHA512")
    assert ALGORITHM in str(caught.value)
    assert ALGORITHM_V4A in str(caught.value)


@pytest.mark.parametrize("region_set", ["us-east-1", []])
def test_region_set_must_be_a_non_empty_list(region_set: Any) -> None:
    with pytest.raises(InvalidOptionError, match="non-empty list of regions"):
        sign(GET, CREDS, **SCOPE, algorithm=ALGORITHM_V4A, region_set=region_set)


@pytest.mark.parametrize("bad", ["us east", "-us", "", 7])
def test_region_set_entries_must_be_region_names_or_patterns(bad: Any) -> None:
    with pytest.raises(InvalidOptionError, match="in region_set is invalid"):
        sign(GET, CREDS, **SCOPE, algorithm=ALGORITHM_V4A, region_set=["us-*", bad])


def test_region_set_is_signed_comma_joined() -> None:
    signed = sign(
        GET, CREDS, **SCOPE, algorithm=ALGORITHM_V4A, region_set=["us-*", "eu-west-1"]
    )
    assert signed.get("X-Amz-Region-Set") == "us-*,eu-west-1"


# A lone surrogate is a str that no wire can carry: it has no UTF-8 form.
LONE = "\udc80"


def test_sign_refuses_text_that_is_not_unicode() -> None:
    request = HttpRequest("GET", "https://h/", [("X-Amz-Meta-A", LONE)])
    with pytest.raises(SigV4InputError, match="not valid Unicode"):
        sign(request, CREDS, **SCOPE)


def test_sign_details_refuses_text_that_is_not_unicode() -> None:
    request = HttpRequest("GET", f"https://h/{LONE}")
    with pytest.raises(SigV4InputError, match="not valid Unicode"):
        sign_details(request, CREDS, **SCOPE)


def test_presign_refuses_text_that_is_not_unicode() -> None:
    request = HttpRequest("GET", f"https://h/?a={LONE}")
    with pytest.raises(SigV4InputError, match="cannot be signed as UTF-8"):
        presign(request, CREDS, **SCOPE)


def test_many_distinct_scopes_are_all_signed_correctly() -> None:
    # The signer remembers scopes it has checked; past its bound it forgets
    # them, which must not change any signature. The key is derived by hand as
    # the SigV4 documentation describes, for the last of the scopes.
    for n in range(1100):
        region = f"region-{n}"
        details = sign_details(GET, CREDS, region=region, service="svc", when=WHEN)
    key = b"AWS4" + SECRET.encode()
    for part in ("20150830", "region-1099", "svc", "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    assert details.signature == (
        hmac.new(key, details.string_to_sign.encode(), hashlib.sha256).hexdigest()
    )


def test_repeated_signing_header_goes_out_once_with_the_new_value() -> None:
    request = HttpRequest(
        "GET",
        "https://h/",
        [("X-Amz-Date", "old"), ("Accept", "*/*"), ("x-amz-date", "older")],
    )
    signed = sign(request, CREDS, **SCOPE)
    assert signed.get_all("x-amz-date") == ["20150830T123600Z"]
    # It stays where the caller put it, before Accept.
    assert [n for n, _ in signed.headers][:2] == ["X-Amz-Date", "Accept"]


# --- URLs and paths ------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "what"),
    [
        ("https://[::1/", "unterminated IPv6 host"),
        ("https://[::1]x/", "junk after its IPv6 host"),
    ],
)
def test_malformed_ipv6_hosts_are_refused(url: str, what: str) -> None:
    with pytest.raises(InvalidUrlError, match=what):
        split_url(url)


@pytest.mark.parametrize(
    ("url", "host"),
    [
        ("https://[2001:db8::1]:8443/p", "[2001:db8::1]:8443"),
        # The scheme's default port is left out of the signed Host, as SDKs do.
        ("https://[2001:db8::1]:443/p", "[2001:db8::1]"),
    ],
)
def test_ipv6_host_and_port_are_split_at_the_bracket(url: str, host: str) -> None:
    parts = split_url(url)
    assert (parts.host, parts.path) == (host, "/p")


@pytest.mark.parametrize(
    ("path", "expected"), [("", "/"), ("a/b", "/a/b"), ("/a//b", "/a//b")]
)
def test_unnormalized_canonical_path_is_rooted(path: str, expected: str) -> None:
    # S3's rule: the path is signed as sent, but a canonical URI starts with "/".
    assert canonical_path(path, normalize=False, double_encode=False) == expected


def test_s3_url_without_a_path_is_signed_with_slash() -> None:
    details = sign_details(
        HttpRequest("GET", "https://bucket.s3.amazonaws.com?list-type=2"),
        CREDS,
        region="us-east-1",
        service="s3",
        when=WHEN,
    )
    assert details.canonical_request.split("\n")[1] == "/"


# --- keys ------------------------------------------------------------------------


def test_signing_key_cache_clear_keeps_keys_right() -> None:
    # AWS's documented derivation, by hand.
    expected = b"AWS4" + SECRET.encode()
    for part in ("20150830", "us-east-1", "iam", "aws4_request"):
        expected = hmac.new(expected, part.encode(), hashlib.sha256).digest()
    assert derive_signing_key(SECRET, "20150830", "us-east-1", "iam") == expected
    signing_key_cache_clear()
    assert derive_signing_key(SECRET, "20150830", "us-east-1", "iam") == expected


def test_sigv4a_signature_that_is_not_hex_does_not_verify() -> None:
    key = derive_v4a_public_key("AKIDEXAMPLE", SECRET)
    assert ecdsa_verify_hex(key, "not hex", b"message") is False


# --- aws-chunked -----------------------------------------------------------------


def test_sign_chunked_refuses_a_mode_that_is_not_aws_chunked() -> None:
    with pytest.raises(InvalidOptionError, match="not an aws-chunked mode") as caught:
        sign_chunked(GET, CREDS, **SCOPE, data_length=1, mode="UNSIGNED-PAYLOAD")
    assert "STREAMING-UNSIGNED-PAYLOAD-TRAILER" in str(caught.value)


def test_sign_chunked_refuses_an_unknown_trailer_checksum() -> None:
    with pytest.raises(InvalidOptionError, match="'md5' is not supported"):
        sign_chunked(
            GET,
            CREDS,
            **SCOPE,
            data_length=1,
            mode="STREAMING-UNSIGNED-PAYLOAD-TRAILER",
            trailer_checksum="md5",
        )


@pytest.mark.parametrize(
    ("length", "what"),
    [(True, "not an integer"), ("10", "not an integer"), (-1, "is negative")],
)
def test_framed_length_needs_a_non_negative_integer(length: Any, what: str) -> None:
    with pytest.raises(InvalidOptionError, match=what):
        ChunkedEncoder.framed_length(length, mode="STREAMING-AWS4-HMAC-SHA256-PAYLOAD")


def test_extra_trailer_that_is_not_a_pair_of_strings_is_refused() -> None:
    with pytest.raises(InvalidHeaderError, match="pairs of strings"):
        ChunkedEncoder.framed_length(
            1,
            mode="STREAMING-UNSIGNED-PAYLOAD-TRAILER",
            extra_trailers=[("x-a", 1)],  # type: ignore[list-item]
        )


# --- the package -----------------------------------------------------------------


def test_unknown_attribute_of_the_package_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="has no attribute 'Signer'"):
        awscore.sigv4.Signer  # noqa: B018 - the lookup is the test


def test_adapter_refuses_credentials_of_another_type() -> None:
    from awscore.sigv4._adapter import SigningAdapter

    with pytest.raises(SigV4InputError, match="not a mapping"):
        SigningAdapter(
            {"access_key_id": "AKIDEXAMPLE"},  # type: ignore[arg-type]
            region="us-east-1",
            service="s3",
        )


def test_host_with_whitespace_is_refused() -> None:
    with pytest.raises(InvalidUrlError, match="whitespace in its host"):
        split_url("https://ex ample.com/")


def test_query_needing_encoding_skips_its_empty_pieces() -> None:
    # "%41" is "A", unreserved, so it is decoded; the space is encoded as %20;
    # the empty piece between "&&" is no parameter (AWS drops it).
    assert canonical_query("b=c d&&a=%41") == "a=A&b=c%20d"


@pytest.mark.parametrize("name", ["X-A:B", "X-A:", ":authority"])
def test_header_name_holding_a_colon_is_refused(name: str) -> None:
    """A colon ends a field name on the wire (RFC 9112 §5.1), so ``X-A:B: v``
    would arrive as header ``X-A`` with value ``B: v``; RFC 9110 §5.6.2 keeps it
    out of tokens. Signing it would also put ``x-a:b`` into SignedHeaders and
    make the canonical line ``x-a:b:v``, which reads as header ``x-a``."""
    with pytest.raises(InvalidHeaderError, match="is not an HTTP token"):
        sign(HttpRequest("GET", "https://h/", [(name, "v")]), CREDS, **SCOPE)
