"""Unit tests of the SigV4 signer: rules, options and bad input."""

from __future__ import annotations

import hashlib
import hmac
import threading
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from awscore.errors import (
    InvalidExpiresError,
    InvalidHeaderError,
    InvalidOptionError,
    InvalidScopeError,
    InvalidTimeError,
    InvalidUrlError,
    SigV4Error,
    SigV4InputError,
)
from awscore.sigv4 import (
    EMPTY_SHA256,
    Credentials,
    HttpRequest,
    derive_signing_key,
    presign,
    sign,
    sign_details,
)
from awscore.sigv4._uri import canonical_path, canonical_query, normalize_path

SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
TOKEN = "session-token-value"
CREDS = Credentials("AKIDEXAMPLE", SECRET)
WHEN = datetime(2015, 8, 30, 12, 36, tzinfo=UTC)
GET = HttpRequest("GET", "https://example.amazonaws.com/")


def _canonical(request: HttpRequest, **options: object) -> list[str]:
    details = sign_details(
        request,
        CREDS,
        region="us-east-1",
        service="service",
        when=WHEN,
        **options,  # type: ignore[arg-type]
    )
    return details.canonical_request.split("\n")


# --- secrets ---------------------------------------------------------------


def test_secrets_never_appear_in_repr_or_str() -> None:
    creds = Credentials("AKIDEXAMPLE", SECRET, TOKEN)
    for text in (repr(creds), str(creds)):
        assert SECRET not in text
        assert TOKEN not in text
        assert "AKIDEXAMPLE" in text
    details = sign_details(GET, creds, region="us-east-1", service="s", when=WHEN)
    assert details.signing_key is not None
    assert details.signing_key.hex() not in repr(details)
    assert SECRET not in repr(details)


def test_credentials_are_frozen() -> None:
    with pytest.raises(AttributeError):
        CREDS.secret_access_key = "x"  # type: ignore[misc]


# --- the signing key ---------------------------------------------------------


def test_signing_key_matches_the_aws_documentation_example() -> None:
    # AWS's SigV4 documentation derives this key for the example secret on
    # 2015-08-30 in us-east-1 for IAM.
    key = derive_signing_key(SECRET, "20150830", "us-east-1", "iam")
    assert key.hex() == (
        "c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9"
    )


def test_signing_key_cache_is_safe_across_threads() -> None:
    results: list[bytes] = []

    def work() -> None:
        for day in range(1, 29):
            results.append(
                derive_signing_key(SECRET, f"201502{day:02d}", "us-east-1", "s3")
            )

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 4 * 28
    assert len(set(results)) == 28


def test_signature_is_hmac_of_string_to_sign() -> None:
    details = sign_details(GET, CREDS, region="us-east-1", service="x", when=WHEN)
    assert details.signing_key is not None
    expected = hmac.new(
        details.signing_key, details.string_to_sign.encode(), hashlib.sha256
    ).hexdigest()
    assert details.signature == expected
    assert details.string_to_sign.endswith(
        hashlib.sha256(details.canonical_request.encode()).hexdigest()
    )


# --- path rules --------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("", "/"),
        ("/", "/"),
        ("/a/./b", "/a/b"),
        ("/a/../b", "/b"),
        ("/../a", "/a"),
        ("/a//b//", "/a/b/"),
        ("/a/b/..", "/a"),
        ("/a/..", "/"),
        ("//", "/"),
        ("/a.b/c", "/a.b/c"),
    ],
)
def test_normalize_path(path: str, expected: str) -> None:
    assert normalize_path(path) == expected


def test_non_s3_paths_are_double_encoded() -> None:
    assert _canonical(HttpRequest("GET", "https://h/a%20b/c d"))[1] == "/a%2520b/c%20d"


def test_s3_paths_are_single_encoded_and_not_normalized() -> None:
    request = HttpRequest("GET", "https://b.s3.amazonaws.com/my-object//ex/../a%20b c")
    lines = sign_details(
        request, CREDS, region="us-east-1", service="s3", when=WHEN
    ).canonical_request.split("\n")
    # already-encoded escapes pass; the raw space is encoded once
    assert lines[1] == "/my-object//ex/../a%20b%20c"


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/a%2fb", "/a%2Fb"),  # an escape is kept, its hex upper-cased
        ("/a%2Fb", "/a%2Fb"),
        ("/100%", "/100%25"),
        ("/%zz", "/%25zz"),
        ("/%4", "/%254"),
        ("/é", "/%C3%A9"),
        ("/%c3%a9", "/%C3%A9"),
        ("/test$file.text", "/test%24file.text"),  # the S3 PUT Object example
        ("/test%24file.text", "/test%24file.text"),
        ("/a b", "/a%20b"),
        ('/a"b', "/a%22b"),
        ("/~a-b_c.d/", "/~a-b_c.d/"),
        ("//a/./b/../", "//a/./b/../"),  # no normalisation
        # every RFC 3986 sub-delim, ':' and '@': encoded, as S3 signs them
        ("/!$&'()*+,;=:@", "/%21%24%26%27%28%29%2A%2B%2C%3B%3D%3A%40"),
    ],
)
def test_s3_single_encoding_encodes_all_but_unreserved_and_slash(
    path: str, expected: str
) -> None:
    assert canonical_path(path, normalize=False, double_encode=False) == expected


# --- query rules -------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("b=2&a=1", "a=1&b=2"),
        ("a=2&a=1&a=10", "a=1&a=10&a=2"),
        ("a+b=c+d", "a%2Bb=c%2Bd"),  # '+' is a plus, not a space
        ("flag", "flag="),
        ("a=b=c", "a=b%3Dc"),  # split on the first '='
        ("a=%7e&b=~", "a=~&b=~"),  # decode, then re-encode
        ("a=x/y:z", "a=x%2Fy%3Az"),
        ("a=%e1%88%b4", "a=%E1%88%B4"),
        ("a=1&&b=2", "a=1&b=2"),  # an empty piece holds no parameter
        ("=v", "=v"),
        ("a=%zz", "a=%25zz"),
    ],
)
def test_canonical_query(query: str, expected: str) -> None:
    assert canonical_query(query) == expected


# --- headers -----------------------------------------------------------------


def test_headers_are_trimmed_grouped_and_sorted() -> None:
    request = HttpRequest(
        "GET",
        "https://example.amazonaws.com/",
        [("X-B", "  two   words\t "), ("x-a", '"a   b"'), ("X-b", "second")],
    )
    lines = _canonical(request)
    assert lines[3:7] == [
        "host:example.amazonaws.com",
        'x-a:"a b"',
        "x-amz-date:20150830T123600Z",
        "x-b:two words,second",
    ]


@pytest.mark.parametrize(
    "name",
    [
        "Connection",
        "Expect",
        "Keep-Alive",
        "Proxy-Authorization",
        "proxy-foo",
        "TE",
        "Trailer",
        "Transfer-Encoding",
        "Upgrade",
        "User-Agent",
        "X-Amzn-Trace-Id",
    ],
)
def test_hop_by_hop_headers_are_not_signed(name: str) -> None:
    request = HttpRequest("GET", "https://example.amazonaws.com/", [(name, "v")])
    details = sign_details(request, CREDS, region="r", service="s", when=WHEN)
    assert name.lower() not in details.signed_headers
    assert (name, "v") in details.request.headers  # still sent


@pytest.mark.parametrize(
    ("url", "host"),
    [
        ("https://Example.com:443/", "example.com"),
        ("http://example.com:80/", "example.com"),
        ("https://example.com:8443/", "example.com:8443"),
        ("https://user:pw@example.com/", "example.com"),
        ("http://[::1]:8080/", "[::1]:8080"),
        ("http://[::1]:80/", "[::1]"),
    ],
)
def test_host_is_derived_from_the_url(url: str, host: str) -> None:
    assert f"host:{host}" in _canonical(HttpRequest("GET", url))


def test_an_explicit_host_header_wins() -> None:
    request = HttpRequest("GET", "http://127.0.0.1:9000/", [("Host", "bucket.local")])
    assert "host:bucket.local" in _canonical(request)


# --- options -----------------------------------------------------------------


def test_session_token_is_signed_by_default() -> None:
    creds = Credentials("AKIDEXAMPLE", SECRET, TOKEN)
    signed = sign(GET, creds, region="us-east-1", service="s", when=WHEN)
    assert signed.get("X-Amz-Security-Token") == TOKEN
    assert "x-amz-security-token" in (signed.get("Authorization") or "")


def test_omit_session_token_attaches_it_unsigned() -> None:
    creds = Credentials("AKIDEXAMPLE", SECRET, TOKEN)
    signed = sign(
        GET, creds, region="us-east-1", service="s", when=WHEN, omit_session_token=True
    )
    assert signed.get("X-Amz-Security-Token") == TOKEN
    assert "x-amz-security-token" not in (signed.get("Authorization") or "")


def test_s3_adds_the_content_sha256_header() -> None:
    request = HttpRequest("PUT", "https://b.s3.amazonaws.com/k", body=b"hello")
    signed = sign(request, CREDS, region="us-east-1", service="s3", when=WHEN)
    assert signed.get("x-amz-content-sha256") == hashlib.sha256(b"hello").hexdigest()


def test_unsigned_payload() -> None:
    request = HttpRequest("PUT", "https://b.s3.amazonaws.com/k", body=b"hello")
    details = sign_details(
        request,
        CREDS,
        region="us-east-1",
        service="s3",
        when=WHEN,
        payload="UNSIGNED-PAYLOAD",
    )
    assert details.canonical_request.endswith("\nUNSIGNED-PAYLOAD")
    assert details.request.get("x-amz-content-sha256") == "UNSIGNED-PAYLOAD"


def test_s3_presign_signs_unsigned_payload() -> None:
    details = sign_details(
        HttpRequest("GET", "https://b.s3.amazonaws.com/k"),
        CREDS,
        region="us-east-1",
        service="s3",
        when=WHEN,
        presigned=True,
    )
    assert details.canonical_request.endswith("\nUNSIGNED-PAYLOAD")


def test_resigning_replaces_the_old_signature() -> None:
    once = sign(GET, CREDS, region="us-east-1", service="s", when=WHEN)
    twice = sign(
        once, CREDS, region="us-east-1", service="s", when=WHEN + timedelta(hours=1)
    )
    assert len(twice.get_all("Authorization")) == 1
    assert twice.get_all("X-Amz-Date") == ["20150830T133600Z"]
    url = presign(GET, CREDS, region="us-east-1", service="s", when=WHEN)
    again = presign(
        HttpRequest("GET", url), CREDS, region="us-east-1", service="s", when=WHEN
    )
    assert again == url


def test_aware_times_in_any_zone_sign_as_utc() -> None:
    paris = WHEN.astimezone(timezone(timedelta(hours=2)))
    assert sign(GET, CREDS, region="r", service="s", when=paris) == sign(
        GET, CREDS, region="r", service="s", when=WHEN
    )


def test_request_is_not_modified() -> None:
    request = HttpRequest("GET", "https://example.amazonaws.com/", [("A", "1")])
    sign(request, CREDS, region="r", service="s", when=WHEN)
    assert request.headers == (("A", "1"),)


# --- bad input ---------------------------------------------------------------

BAD_INPUT: list[tuple[dict[str, object], type[SigV4Error], str]] = [
    ({"headers": [("X-A", "a\r\nInjected: 1")]}, InvalidHeaderError, "CR, LF or NUL"),
    ({"headers": [("X-A", "a\nb")]}, InvalidHeaderError, "CR, LF or NUL"),
    ({"headers": [("X-A", "a\0b")]}, InvalidHeaderError, "CR, LF or NUL"),
    ({"headers": [("Bad Name", "v")]}, InvalidHeaderError, "not an HTTP token"),
    ({"headers": [("X-A\r\n", "v")]}, InvalidHeaderError, "not an HTTP token"),
    ({"headers": [("", "v")]}, InvalidHeaderError, "not an HTTP token"),
    ({"headers": [("Naïve", "v")]}, InvalidHeaderError, "not an HTTP token"),
    ({"region": ""}, InvalidScopeError, "region"),
    ({"region": "us/east"}, InvalidScopeError, "region"),
    ({"region": "us east"}, InvalidScopeError, "region"),
    ({"service": ""}, InvalidScopeError, "service"),
    ({"service": "s3\t"}, InvalidScopeError, "service"),
    ({"when": datetime(2015, 8, 30)}, InvalidTimeError, "naive"),
    ({"url": "example.amazonaws.com/path"}, InvalidUrlError, "no scheme"),
    ({"url": "https:///path"}, InvalidUrlError, "no host"),
    ({"url": "https://"}, InvalidUrlError, "no host"),
    ({"url": "https://h/a\r\nb"}, InvalidUrlError, "CR, LF or NUL"),
    ({"url": "https://h:port/"}, InvalidUrlError, "non-numeric port"),
    ({"payload": "deadbeef"}, InvalidOptionError, "64 lower-case hex"),
    ({"method": "GE T"}, InvalidOptionError, "method"),
]


@pytest.mark.parametrize(("change", "error", "fragment"), BAD_INPUT)
def test_bad_input_raises_a_typed_error(
    change: dict[str, object], error: type[SigV4Error], fragment: str
) -> None:
    arguments: dict[str, object] = {
        "region": "us-east-1",
        "service": "service",
        "when": WHEN,
    }
    request_parts: dict[str, object] = {
        "method": "GET",
        "url": "https://example.amazonaws.com/",
        "headers": [],
    }
    for key, value in change.items():
        (request_parts if key in request_parts else arguments)[key] = value

    def attempt() -> None:
        request = HttpRequest(**request_parts)  # type: ignore[arg-type]
        sign(request, CREDS, **arguments)  # type: ignore[arg-type]

    with pytest.raises(error) as info:
        attempt()
    assert fragment in str(info.value)
    assert isinstance(info.value, ValueError)
    assert SECRET not in str(info.value)


@pytest.mark.parametrize("expires", [0, -1, 604801, True, 1.5, "60"])
def test_presign_expires_must_be_in_range(expires: object) -> None:
    with pytest.raises(InvalidExpiresError, match=r"1\.\.604800"):
        presign(GET, CREDS, region="r", service="s", when=WHEN, expires=expires)  # type: ignore[arg-type]


@pytest.mark.parametrize("expires", [1, 604800])
def test_presign_expires_bounds_are_accepted(expires: int) -> None:
    url = presign(GET, CREDS, region="r", service="s", when=WHEN, expires=expires)
    assert f"X-Amz-Expires={expires}&" in url


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (("", SECRET), "access key id"),
        (("AKID/X", SECRET), "may not contain"),
        (("AKID", ""), "secret access key"),
        (("AKID", SECRET, ""), "session token"),
        (("AKID", SECRET, "a\nb"), "CR, LF or NUL"),
    ],
)
def test_bad_credentials(args: tuple[str, ...], fragment: str) -> None:
    with pytest.raises(SigV4InputError, match=fragment) as info:
        Credentials(*args)
    assert SECRET not in str(info.value)


_any_text = st.text(max_size=40)


@given(
    method=_any_text,
    url=_any_text,
    headers=st.lists(st.tuples(_any_text, _any_text), max_size=4),
    region=_any_text,
    service=_any_text,
    presigned=st.booleans(),
)
def test_hostile_input_only_raises_sigv4_errors(
    method: str,
    url: str,
    headers: list[tuple[str, str]],
    region: str,
    service: str,
    presigned: bool,
) -> None:
    """Whatever the strings, signing succeeds or raises a SigV4Error subclass."""
    try:
        request = HttpRequest(method, "https://example.amazonaws.com/" + url, headers)
        sign_details(
            request,
            CREDS,
            region=region,
            service=service,
            when=WHEN,
            presigned=presigned,
        )
        sign_details(HttpRequest("GET", url), CREDS, region="r", service="s", when=WHEN)
    except SigV4Error:
        pass


# The S3 API reference's worked examples ("Signature Calculations for the
# Authorization Header" and "Authenticating Requests: Using Query Parameters"),
# which use their own example key and date.
S3_DOC_CREDS = Credentials(
    "AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
)
S3_DOC_WHEN = datetime(2013, 5, 24, tzinfo=UTC)


def test_s3_documentation_get_object_example() -> None:
    request = HttpRequest(
        "GET",
        "https://examplebucket.s3.amazonaws.com/test.txt",
        [("Range", "bytes=0-9")],
    )
    signed = sign(
        request, S3_DOC_CREDS, region="us-east-1", service="s3", when=S3_DOC_WHEN
    )
    assert signed.get("Authorization") == (
        "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/"
        "aws4_request, SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
        "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"
    )


def test_s3_documentation_presigned_url_example() -> None:
    url = presign(
        HttpRequest("GET", "https://examplebucket.s3.amazonaws.com/test.txt"),
        S3_DOC_CREDS,
        region="us-east-1",
        service="s3",
        when=S3_DOC_WHEN,
        expires=86400,
    )
    assert url.endswith(
        "X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404"
    )


def test_empty_body_hash_constant() -> None:
    assert hashlib.sha256(b"").hexdigest() == EMPTY_SHA256
