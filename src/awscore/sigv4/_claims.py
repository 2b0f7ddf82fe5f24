"""Reading what a signed request claims: its Authorization header or presigned
query, parsed strictly into who signed it, for which scope, over which headers.

Nothing here checks a signature: :mod:`awscore.sigv4._verifier` does that with
what these functions return. The forms are AWS's (SigV4 documentation, "Signature
Version 4 request elements"; S3 API reference, "Authenticating Requests").
"""

from __future__ import annotations

import functools
import re
from typing import NamedTuple
from urllib.parse import unquote

from awscore.errors import (
    MalformedAuthorizationError,
    MalformedPresignError,
    MalformedRequestError,
    SigV4VerificationError,
    UnsignedHeaderError,
)
from awscore.sigv4._headers import trim_value
from awscore.sigv4._model import HttpRequest
from awscore.sigv4._signer import ALGORITHM
from awscore.sigv4._sigv4a import ALGORITHM_V4A

__all__ = [
    "Parsed",
    "header_map",
    "parse_authorization",
    "parse_presigned",
    "query_value",
    "reject_sigv2",
]

_HEX64 = re.compile(r"[0-9a-f]{64}")
_SCOPE = re.compile(r"([^/\s]+)/(\d{8})/([^/\s]+)/([^/\s]+)/aws4_request")
_SCOPE_V4A = re.compile(r"([^/\s]+)/(\d{8})/([^/\s]+)/aws4_request")
# A DER ECDSA P-256 signature is 8 to 72 bytes.
_DER_HEX = re.compile(r"[0-9a-f]{16,144}")
_NAME = r"[a-z0-9!#$%&'*+\-.^_`|~]+"
_SIGNED_HEADERS = re.compile(rf"{_NAME}(?:;{_NAME})*")
_AUTHORIZATION = re.compile(
    r"AWS4-HMAC-SHA256 Credential=([^/\s,]+)/(\d{8})/([^/\s,]+)/([^/\s,]+)/"
    rf"aws4_request, ?SignedHeaders=({_NAME}(?:;{_NAME})*), ?Signature=([0-9a-f]{{64}})"
)
_AUTHORIZATION_V4A = re.compile(
    r"AWS4-ECDSA-P256-SHA256 Credential=([^/\s,]+)/(\d{8})/([^/\s,]+)/aws4_request, ?"
    rf"SignedHeaders=({_NAME}(?:;{_NAME})*), ?Signature=([0-9a-f]{{16,144}})"
)
_AUTH_PART = re.compile(r"\s*(Credential|SignedHeaders|Signature)=([^,\s]*)\s*")


class Parsed(NamedTuple):
    """What the client claims: from the Authorization header or the query.

    A NamedTuple rather than a frozen dataclass: it is built on every request,
    and a tuple is several times cheaper to make.
    """

    access_key_id: str
    date: str
    region: str
    service: str
    signed_headers: tuple[str, ...]
    signature: str
    amz_date: str
    presigned: bool
    expires: int
    query_without_signature: str
    algorithm: str = ALGORITHM
    #: SigV4A's X-Amz-Region-Set, None for SigV4
    region_set: str | None = None


def reject_sigv2(authorization: str | None, query: str) -> None:
    """Signature Version 2 is refused by name, as S3 does, not as "unsigned"."""
    sigv2 = (authorization is not None and authorization.startswith("AWS ")) or (
        "AWSAccessKeyId=" in query and "Signature=" in query
    )
    if sigv2:
        raise MalformedRequestError(
            "the authorization mechanism you have provided (Signature Version 2) is "
            "not supported: please use AWS4-HMAC-SHA256"
        )


def header_map(request: HttpRequest) -> dict[str, str]:
    """Canonical values of every header, by lower-cased name."""
    values: dict[str, str] = {}
    for name, value in request.headers:
        lname = name.lower()
        if "  " in value or "\t" in value or value[:1] == " " or value[-1:] == " ":
            value = trim_value(value)  # noqa: PLW2901 - the canonical form replaces it
        values[lname] = f"{values[lname]},{value}" if lname in values else value
    return values


def parse_authorization(value: str, headers: dict[str, str]) -> Parsed:
    amz_date = headers.get("x-amz-date")
    if amz_date is None:
        raise MalformedAuthorizationError(
            "the request has no X-Amz-Date header: a SigV4 signed request must carry "
            "its signing time"
        )
    # The form every SDK sends, in one match; anything else takes the long way,
    # which accepts the parts in any order and names what is wrong.
    match = _AUTHORIZATION.fullmatch(value)
    if match is not None:
        akid, date, region, service, signed, signature = match.groups()
        names = _sorted_names(signed)
        if names is not None:
            return Parsed(
                akid, date, region, service, names, signature, amz_date, False, 0, ""
            )
    match = _AUTHORIZATION_V4A.fullmatch(value)
    region_set = headers.get("x-amz-region-set")
    if match is not None and region_set is not None:
        akid, date, service, signed, signature = match.groups()
        names = _sorted_names(signed)
        if names is not None and "x-amz-region-set" in names and not len(signature) % 2:
            return Parsed(
                akid,
                date,
                "",
                service,
                names,
                signature,
                amz_date,
                False,
                0,
                "",
                ALGORITHM_V4A,
                region_set,
            )
    algorithm, _, rest = value.partition(" ")
    if algorithm not in (ALGORITHM, ALGORITHM_V4A):
        raise MalformedAuthorizationError(
            f"the authorization header's algorithm {algorithm[:40]!r} is not "
            f"supported: expected {ALGORITHM} or {ALGORITHM_V4A}"
        )
    parts: dict[str, str] = {}
    for piece in rest.split(","):
        match = _AUTH_PART.fullmatch(piece)
        if match is None or match.group(1) in parts:
            raise MalformedAuthorizationError(
                f"the authorization header is malformed near {piece.strip()[:60]!r}: "
                "expected 'Credential=..., SignedHeaders=..., Signature=...'"
            )
        parts[match.group(1)] = match.group(2)
    missing = {"Credential", "SignedHeaders", "Signature"} - parts.keys()
    if missing:
        raise MalformedAuthorizationError(
            f"the authorization header is missing {', '.join(sorted(missing))}"
        )
    akid, date, region, service = _parse_scope(
        parts["Credential"], MalformedAuthorizationError, algorithm
    )
    signed = _parse_signed_headers(parts["SignedHeaders"], MalformedAuthorizationError)
    signature = _check_signature(
        parts["Signature"], algorithm, MalformedAuthorizationError
    )
    region_set = None
    if algorithm == ALGORITHM_V4A:
        region_set = headers.get("x-amz-region-set")
        if region_set is None:
            raise MalformedAuthorizationError(
                f"an {ALGORITHM_V4A} request must carry X-Amz-Region-Set"
            )
        if "x-amz-region-set" not in signed:
            raise UnsignedHeaderError("X-Amz-Region-Set must be signed")
    return Parsed(
        akid,
        date,
        region,
        service,
        signed,
        signature,
        amz_date,
        False,
        0,
        "",
        algorithm,
        region_set,
    )


def _check_signature(
    signature: str, algorithm: str, error: type[SigV4VerificationError]
) -> str:
    if algorithm == ALGORITHM:
        if not _HEX64.fullmatch(signature):
            raise error("the signature must be 64 lower-case hex digits")
    elif not _DER_HEX.fullmatch(signature) or len(signature) % 2:
        raise error("the signature must be the lower-case hex of a DER ECDSA signature")
    return signature


def _parse_scope(
    credential: str, error: type[SigV4VerificationError], algorithm: str
) -> tuple[str, str, str, str]:
    """``(access key id, date, region, service)``; region is "" for SigV4A."""
    if algorithm == ALGORITHM_V4A:
        match = _SCOPE_V4A.fullmatch(credential)
        if match is None:
            raise error(
                f"credential {credential[:120]!r} is malformed: expected "
                "'<access key id>/YYYYMMDD/<service>/aws4_request'"
            )
        akid, date, service = match.groups()
        return akid, date, "", service
    match = _SCOPE.fullmatch(credential)
    if match is None:
        raise error(
            f"credential {credential[:120]!r} is malformed: expected "
            "'<access key id>/YYYYMMDD/<region>/<service>/aws4_request'"
        )
    akid, date, region, service = match.groups()
    return akid, date, region, service


def _parse_signed_headers(
    value: str, error: type[SigV4VerificationError]
) -> tuple[str, ...]:
    if not _SIGNED_HEADERS.fullmatch(value):
        raise error(
            f"SignedHeaders {value[:120]!r} is malformed: expected lower-case header "
            "names joined with ';'"
        )
    names = tuple(value.split(";"))
    if list(names) != sorted(set(names)):
        raise error(
            f"SignedHeaders {value[:120]!r} must be sorted and hold each name once"
        )
    return names


_PRESIGN_OPTIONAL = ("X-Amz-Security-Token", "X-Amz-Region-Set")
_PRESIGN_REQUIRED = (
    "X-Amz-Algorithm",
    "X-Amz-Credential",
    "X-Amz-Date",
    "X-Amz-Expires",
    "X-Amz-SignedHeaders",
    "X-Amz-Signature",
)


def query_value(query: str, name: str) -> str | None:
    for piece in query.split("&"):
        key, _, value = piece.partition("=")
        if key == name:
            return unquote(value)
    return None


def parse_presigned(query: str, max_expires: int) -> Parsed:
    found: dict[str, str] = {}
    kept: list[str] = []
    for piece in query.split("&"):
        key, _, value = piece.partition("=")
        if key in _PRESIGN_REQUIRED or key in _PRESIGN_OPTIONAL:
            if key in found:
                raise MalformedPresignError(f"query parameter {key} appears twice")
            found[key] = unquote(value)
        if key != "X-Amz-Signature":
            kept.append(piece)
    missing = [k for k in _PRESIGN_REQUIRED if k not in found]
    if missing:
        raise MalformedPresignError(
            "query-string authentication requires the X-Amz-Algorithm, "
            "X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders and "
            f"X-Amz-Expires parameters; missing: {', '.join(missing)}"
        )
    algorithm = found["X-Amz-Algorithm"]
    if algorithm not in (ALGORITHM, ALGORITHM_V4A):
        raise MalformedPresignError(
            f"X-Amz-Algorithm {algorithm[:40]!r} is not supported: expected "
            f"{ALGORITHM} or {ALGORITHM_V4A}"
        )
    akid, date, region, service = _parse_scope(
        found["X-Amz-Credential"], MalformedPresignError, algorithm
    )
    signed = _parse_signed_headers(found["X-Amz-SignedHeaders"], MalformedPresignError)
    signature = _check_signature(
        found["X-Amz-Signature"], algorithm, MalformedPresignError
    )
    region_set = found.get("X-Amz-Region-Set")
    if algorithm == ALGORITHM_V4A and region_set is None:
        raise MalformedPresignError(
            f"an {ALGORITHM_V4A} presigned URL must carry X-Amz-Region-Set"
        )
    expires_text = found["X-Amz-Expires"]
    if (
        not expires_text.isascii()
        or not expires_text.isdigit()
        or len(expires_text) > 9
    ):
        raise MalformedPresignError(
            f"X-Amz-Expires {expires_text[:20]!r} should be a number of seconds"
        )
    expires = int(expires_text)
    if expires > max_expires:
        raise MalformedPresignError(
            f"X-Amz-Expires must be less than a week (in seconds) that is "
            f"{max_expires}: got {expires}"
        )
    if expires < 1:
        raise MalformedPresignError("X-Amz-Expires must be non-negative and not 0")
    return Parsed(
        akid,
        date,
        region,
        service,
        signed,
        signature,
        found["X-Amz-Date"],
        True,
        expires,
        "&".join(kept),
        algorithm,
        region_set,
    )


# Clients send the same few SignedHeaders lists again and again: remember the
# checked form of each (bounded, since the strings come from the request).
@functools.lru_cache(maxsize=512)
def _sorted_names(signed: str) -> tuple[str, ...] | None:
    """The names of a SignedHeaders value if sorted without repeats, else None."""
    names = tuple(signed.split(";"))
    return names if list(names) == sorted(set(names)) else None
