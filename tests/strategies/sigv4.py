"""Hypothesis strategies for SigV4 requests, shaped as real clients send them.

Paths and queries are generated as *decoded* text (unicode, spaces, reserved
characters, dot segments, ``//``, ``+``, ``=``) and put on the wire the way
botocore's serializer does: each query key and value URI-encoded, the path encoded
except for ``/`` (and sometimes with the RFC 3986 sub-delims, ``:`` and ``@`` left
raw, which the path grammar allows and curl, botocore and awscrt sign as sent).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import quote

from hypothesis import strategies as st

from awscore.sigv4 import UNSIGNED_HEADERS, Credentials, HttpRequest
from awscore.sigv4._signer import _PRESIGN_PARAMS

METHODS = ("GET", "PUT", "POST", "DELETE", "HEAD", "PATCH", "OPTIONS")
HOSTS = (
    "example.amazonaws.com",
    "iam.amazonaws.com",
    "examplebucket.s3.us-west-2.amazonaws.com",
    "127.0.0.1:8080",
    "localhost:4566",
)
# Headers the signer sets itself, or that a peer treats specially, are not
# generated: comparing them would test the fixture, not the signer.
RESERVED_HEADERS = frozenset(
    {
        "host",
        "date",
        "authorization",
        "x-amz-date",
        "x-amz-security-token",
        "x-amz-content-sha256",
        "x-amz-region-set",
        "content-md5",
        "content-type",
        "baggage",
        "traceparent",
        "tracestate",
    }
    | UNSIGNED_HEADERS
)
# A presigned URL's own parameters, lower-cased: the signer's to set.
PRESIGN_PARAMETERS = _PRESIGN_PARAMS
COMMON_HEADERS = (
    "X-Amz-Meta-Color",
    "x-amz-meta-color",
    "X-Custom",
    "Content-Language",
    "Cache-Control",
    "x-amz-target",
    "X-Amz-Acl",
    "If-None-Match",
)

_text = st.text(
    alphabet=st.characters(
        codec="utf-8",
        exclude_categories=["Cs"],  # lone surrogates cannot be UTF-8 encoded
    ),
    max_size=12,
)
_path_text = st.one_of(
    _text,
    st.sampled_from(
        [".", "..", "", "a b", "a+b", "~user", "x=y", "ሴ", "%", "é", "!$&'()*,;:@"]
    ),
)
_query_text = st.one_of(
    _text, st.sampled_from(["", "+", "a+b", "=", "a=b", " ", "ሴ", "%41", "&"])
)
_token = st.text(
    alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.!#$%&'*+^`|~",
    min_size=1,
    max_size=16,
)
_header_value = st.lists(
    # Printable ASCII plus runs of spaces and tabs: botocore trims any Unicode
    # whitespace, AWS and awscore only spaces and tabs; outside ASCII the two
    # legitimately differ, so the peer comparison stays inside it.
    st.sampled_from([chr(c) for c in range(0x21, 0x7F)] + [" ", "  ", "\t", " \t  "]),
    max_size=24,
).map("".join)


@st.composite
def header_names(draw: st.DrawFn) -> str:
    name = draw(st.one_of(st.sampled_from(COMMON_HEADERS), _token))
    if name.lower() in RESERVED_HEADERS or name.lower().startswith("proxy-"):
        return "X-Other"
    return name


@dataclass(frozen=True, slots=True, kw_only=True)
class GeneratedRequest:
    """A generated request and what it was built from."""

    request: HttpRequest
    segments: tuple[str, ...]
    query: tuple[tuple[str, str | None], ...]


def wire_path(segments: tuple[str, ...], *, raw_subdelims: bool) -> str:
    """Put decoded path segments on the wire as a client would.

    RFC 3986 lets sub-delims, ':' and '@' appear raw in a path: some clients send
    them so, others (botocore's serializer) encode them.
    """
    safe = "!$'()*,;:@" if raw_subdelims else ""
    return "/" + "/".join(quote(s, safe=safe) for s in segments)


def wire_query(pairs: tuple[tuple[str, str | None], ...]) -> str:
    """Put decoded query pairs on the wire; a ``None`` value is a bare key."""
    return "&".join(
        quote(k, safe="") if v is None else f"{quote(k, safe='')}={quote(v, safe='')}"
        for k, v in pairs
    )


@st.composite
def requests(draw: st.DrawFn, *, unique_query_keys: bool = False) -> GeneratedRequest:
    """A request a real client could send, in wire form."""
    scheme = draw(st.sampled_from(["https", "http"]))
    host = draw(st.sampled_from(HOSTS))
    segments = tuple(draw(st.lists(_path_text, max_size=5)))
    keys = st.lists(
        st.tuples(_query_text, st.one_of(st.none(), _query_text)),
        max_size=5,
        unique_by=(lambda kv: kv[0]) if unique_query_keys else None,
    )
    pairs = tuple(
        (k, v)
        for k, v in draw(keys)
        # "&&" holds no parameter; a presigned URL's own parameters are the
        # signer's to set (a peer refuses or replaces them)
        if (k or v) and k.lower() not in PRESIGN_PARAMETERS
    )
    if unique_query_keys:
        # a bare key and `key=` are the same parameter to a dict-based peer
        pairs = tuple((k, "" if v is None else v) for k, v in pairs if k)
    query = wire_query(pairs)
    path = wire_path(segments, raw_subdelims=draw(st.booleans()))
    url = f"{scheme}://{host}{path}"
    if query:
        url += "?" + query
    headers = draw(st.lists(st.tuples(header_names(), _header_value), max_size=6))
    if draw(st.booleans()) and headers:
        # repeat one name with another value, in another case
        name, _ = headers[0]
        headers.append((name.swapcase(), draw(_header_value)))
    body = draw(st.binary(max_size=64))
    method = draw(st.sampled_from(METHODS))
    return GeneratedRequest(
        request=HttpRequest(method, url, headers, body),
        segments=segments,
        query=pairs,
    )


def s3_key_encoded(generated: GeneratedRequest) -> HttpRequest:
    """``generated`` with its path segments wholly percent-encoded, as SDKs send keys.

    botocore, awscrt and the AWS SDKs sign an S3 path exactly as given, and encode
    an object key (every byte but the unreserved set) before they sign: this is
    the URL they sign, which S3's canonical URI of the raw form must equal.
    """
    request = generated.request
    base, _, rest = request.url.partition("://")
    authority = rest.split("/", 1)[0].split("?", 1)[0]
    query = request.url.partition("?")[2]
    url = f"{base}://{authority}{wire_path(generated.segments, raw_subdelims=False)}"
    if query:
        url += "?" + query
    return HttpRequest(request.method, url, request.headers, request.body)


credentials = st.builds(
    Credentials,
    access_key_id=st.text(
        alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", min_size=16, max_size=20
    ),
    secret_access_key=st.text(
        alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+/",
        min_size=40,
        max_size=40,
    ),
    session_token=st.one_of(
        st.none(),
        st.text(
            alphabet="abcdefghijklmnopqrstuvwxyz0123456789+/=", min_size=8, max_size=64
        ),
    ),
)

signing_times = st.datetimes(
    min_value=datetime(2000, 1, 1),
    max_value=datetime(2099, 12, 31),
    timezones=st.just(UTC),
).map(lambda d: d.replace(microsecond=0))

regions = st.sampled_from(["us-east-1", "eu-west-3", "ap-southeast-2", "us-gov-west-1"])
