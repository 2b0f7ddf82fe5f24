"""SigV4 request signing: header signatures and presigned URLs.

The four steps (AWS SigV4 documentation, "Create a signed AWS API request"):

1. the canonical request: method, canonical URI, canonical query, canonical
   headers, signed-header list and payload hash, one per line;
2. the string to sign: algorithm, timestamp, credential scope
   (``YYYYMMDD/region/service/aws4_request``) and the hex SHA-256 of step 1;
3. the signing key (see :mod:`awscore.sigv4._keys`);
4. the signature: hex HMAC-SHA256 of step 2 under the signing key.

S3 (and ``s3-object-lambda``, ``s3-outposts``, ``s3express``) differs by default:
no path normalization, single encoding, ``x-amz-content-sha256`` always sent, and
presigned URLs sign ``UNSIGNED-PAYLOAD``.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime

from awscore._inputs import shown
from awscore.errors import (
    InvalidExpiresError,
    InvalidOptionError,
    InvalidScopeError,
    InvalidTimeError,
    SigV4InputError,
)
from awscore.sigv4._headers import outgoing_headers
from awscore.sigv4._keys import derive_signing_key, hmac_sha256_hex
from awscore.sigv4._model import (
    Credentials,
    Header,
    HttpRequest,
    SigningDetails,
    kind_of,
)
from awscore.sigv4._sigv4a import ALGORITHM_V4A, derive_v4a_private_key, ecdsa_sign_hex
from awscore.sigv4._uri import (
    canonical_path,
    canonical_query,
    encode_query_component,
    split_url,
)

__all__ = [
    "ALGORITHM",
    "EMPTY_SHA256",
    "MAX_PRESIGN_EXPIRES",
    "S3_SERVICES",
    "UNSIGNED_PAYLOAD",
    "format_amz_date",
    "presign",
    "sign",
    "sign_details",
]

#: The SigV4 algorithm name, first in the string to sign and the Authorization header.
ALGORITHM = "AWS4-HMAC-SHA256"
#: The payload hash of a request whose body is not signed (S3 presigned URLs).
UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD"
#: The hex SHA-256 of an empty body, the payload hash of most GET requests.
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()
#: Seven days: the longest lifetime AWS accepts for a presigned URL.
MAX_PRESIGN_EXPIRES = 604800
#: Services whose requests follow S3's signing rules by default.
S3_SERVICES = frozenset({"s3", "s3-object-lambda", "s3-outposts", "s3express"})
#: Payload values that stand for the body instead of its hash.
PAYLOAD_CONSTANTS = frozenset(
    {
        UNSIGNED_PAYLOAD,
        "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
        "STREAMING-AWS4-HMAC-SHA256-PAYLOAD",
        "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER",
        "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD",
        "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER",
    }
)
# Query parameters a presigned URL carries; an old set is replaced when re-signing.
_PRESIGN_PARAMS = frozenset(
    {
        "x-amz-algorithm",
        "x-amz-credential",
        "x-amz-date",
        "x-amz-expires",
        "x-amz-signedheaders",
        "x-amz-signature",
        "x-amz-security-token",
        "x-amz-region-set",
    }
)
_HEX64 = re.compile(r"[0-9a-f]{64}")
# RFC 9110 §9.1: a method is a token.
_METHOD = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_SCOPE_PART = re.compile(r"[^\s/]+")
_REGION_IN_SET = re.compile(r"[A-Za-z0-9*][A-Za-z0-9\-*]*")
_valid_scopes: set[tuple[str, str]] = set()


def _check_scope(region: str, service: str) -> None:
    if (region, service) in _valid_scopes:
        return
    for what, value in (("region", region), ("service", service)):
        if not isinstance(value, str) or not _SCOPE_PART.fullmatch(value):
            raise InvalidScopeError(
                f"{what} {value!r} is invalid: it must be non-empty and hold no '/' "
                "or whitespace (e.g. 'us-east-1', 's3')"
            )
        if not value.isprintable():
            raise InvalidScopeError(f"{what} {value!r} holds control characters")
    # Callers use a handful of scopes; the bound only guards against misuse.
    if len(_valid_scopes) > 1024:
        _valid_scopes.clear()
    _valid_scopes.add((region, service))


def format_amz_date(when: datetime) -> str:
    """``when`` as SigV4's ``X-Amz-Date`` (``YYYYMMDD'T'HHMMSS'Z'``, UTC).

    Raises :class:`InvalidTimeError` for a naive datetime: signing with the
    machine's local time would be wrong by its UTC offset.
    """
    if not isinstance(when, datetime):
        raise InvalidTimeError(f"signing time must be a datetime, not {kind_of(when)}")
    if when.tzinfo is None or when.utcoffset() is None:
        raise InvalidTimeError(
            f"signing time {when.isoformat()} is naive: pass an aware datetime, "
            "e.g. datetime.now(timezone.utc)"
        )
    if when.tzinfo is not UTC:
        try:
            when = when.astimezone(UTC)
        except OverflowError as exc:
            raise InvalidTimeError(
                f"signing time {shown(when)} is out of range"
            ) from exc
    return "%04d%02d%02dT%02d%02d%02dZ" % (  # noqa: UP031 - fastest form here
        when.year,
        when.month,
        when.day,
        when.hour,
        when.minute,
        when.second,
    )


def _check_payload(payload: str) -> None:
    if payload in PAYLOAD_CONSTANTS or (
        isinstance(payload, str) and _HEX64.fullmatch(payload)
    ):
        return
    raise InvalidOptionError(
        f"payload {shown(payload, 80)} is not accepted: pass None (hash the body), "
        "'UNSIGNED-PAYLOAD', a STREAMING-* constant or 64 lower-case hex digits"
    )


def _check_expires(expires: int) -> None:
    if (
        isinstance(expires, bool)
        or not isinstance(expires, int)
        or not 1 <= expires <= MAX_PRESIGN_EXPIRES
    ):
        raise InvalidExpiresError(
            f"expires {shown(expires)} is out of range: must be an integer number of "
            f"seconds in 1..{MAX_PRESIGN_EXPIRES} (7 days)"
        )


def _resolve_payload(
    request: HttpRequest, payload: str | None, *, s3: bool, presigned: bool
) -> str:
    if payload is not None:
        _check_payload(payload)
        return payload
    if s3 and presigned:
        # The body of a presigned S3 request is unknown when the URL is made.
        return UNSIGNED_PAYLOAD
    return hashlib.sha256(request.body).hexdigest() if request.body else EMPTY_SHA256


def _header_section(values: dict[str, str], host: str) -> tuple[list[str], str]:
    """The sorted signed-header names and the canonical header lines."""
    if "host" not in values:
        values["host"] = host
    names = sorted(values)
    return names, "".join([f"{n}:{values[n]}\n" for n in names])


def _without_presign_params(query: str) -> str:
    # Re-presigning a presigned URL replaces its signature instead of signing it.
    if "x-amz-" not in query.lower():
        return query
    return "&".join(
        piece
        for piece in query.split("&")
        if piece.partition("=")[0].lower() not in _PRESIGN_PARAMS
    )


def _check_inputs(
    request: HttpRequest, credentials: Credentials, region: str, service: str
) -> None:
    if not isinstance(credentials, Credentials):
        raise SigV4InputError(
            f"credentials must be awscore.sigv4.Credentials, not {kind_of(credentials)}"
        )
    if not isinstance(request, HttpRequest):
        raise SigV4InputError(
            f"request must be awscore.sigv4.HttpRequest, not {kind_of(request)}"
        )
    _check_scope(region, service)
    method = request.method
    if not _METHOD.fullmatch(method):
        raise InvalidOptionError(
            f"HTTP method {method[:40]!r} is invalid: expected a token such as 'GET'"
        )


def _presign_params(
    *,
    algorithm: str,
    credential: str,
    amz_date: str,
    expires: int,
    signed_headers: str,
    region_set: str | None,
    token: str | None,
) -> list[tuple[str, str]]:
    """The signing parameters of a presigned URL, encoded, before the signature."""
    params = [
        ("X-Amz-Algorithm", algorithm),
        ("X-Amz-Credential", encode_query_component(credential)),
        ("X-Amz-Date", amz_date),
        ("X-Amz-Expires", str(expires)),
        ("X-Amz-SignedHeaders", encode_query_component(signed_headers)),
    ]
    if region_set is not None:
        params.append(("X-Amz-Region-Set", encode_query_component(region_set)))
    if token is not None:
        params.append(("X-Amz-Security-Token", encode_query_component(token)))
    return params


def _region_set(
    algorithm: str, region_set: Sequence[str] | None, region: str
) -> str | None:
    """SigV4A's X-Amz-Region-Set value (regions joined with ','), None for SigV4."""
    if algorithm == ALGORITHM:
        if region_set is not None:
            raise InvalidOptionError(f"region_set applies to {ALGORITHM_V4A} only")
        return None
    if algorithm != ALGORITHM_V4A:
        raise InvalidOptionError(
            f"algorithm {shown(algorithm, 40)} is not supported: use {ALGORITHM!r} "
            f"or {ALGORITHM_V4A!r}"
        )
    if region_set is not None and (
        isinstance(region_set, str) or not isinstance(region_set, Iterable)
    ):
        region_set = ()
    names = [region] if region_set is None else list(region_set)
    if not names:
        raise InvalidOptionError(
            "region_set must be a non-empty list of regions, e.g. ['*'] or "
            "['us-east-1', 'us-west-2']"
        )
    for name in names:
        if not isinstance(name, str) or not _REGION_IN_SET.fullmatch(name):
            raise InvalidOptionError(
                f"region {name!r} in region_set is invalid: a region name, or '*'"
            )
    return ",".join(names)


def _signature(
    credentials: Credentials,
    string_to_sign: str,
    *,
    v4a: bool,
    date: str,
    region: str,
    service: str,
) -> tuple[bytes | None, str]:
    """The signing key (None for SigV4A) and the signature of ``string_to_sign``."""
    if v4a:
        private_key = derive_v4a_private_key(
            credentials.access_key_id, credentials.secret_access_key
        )
        return None, ecdsa_sign_hex(private_key, string_to_sign.encode())
    key = derive_signing_key(credentials.secret_access_key, date, region, service)
    return key, hmac_sha256_hex(key, string_to_sign.encode())


def _signing_headers(
    *,
    token: str | None,
    amz_date: str,
    regions: str | None,
    payload: str | None,
) -> dict[str, Header]:
    """The headers a header signature adds, by lower-cased name, in AWS's order."""
    updates: dict[str, Header] = {}
    if token is not None:
        updates["x-amz-security-token"] = ("X-Amz-Security-Token", token)
    updates["x-amz-date"] = ("X-Amz-Date", amz_date)
    if regions is not None:
        updates["x-amz-region-set"] = ("X-Amz-Region-Set", regions)
    if payload is not None:
        updates["x-amz-content-sha256"] = ("x-amz-content-sha256", payload)
    return updates


def _unencodable(exc: UnicodeEncodeError) -> SigV4InputError:
    # Only a str holding a lone surrogate fails to encode as UTF-8, and no request
    # on the wire can carry one. Checking every string up front would cost every
    # signature, so the encoding steps find it and the callers translate.
    return SigV4InputError(
        f"the request holds text that is not valid Unicode ({exc.reason} at "
        f"position {exc.start}) and cannot be signed as UTF-8"
    )


def _compute(
    request: HttpRequest,
    credentials: Credentials,
    *,
    region: str,
    service: str,
    when: datetime,
    presigned: bool,
    expires: int,
    normalize_path: bool | None,
    double_encode: bool | None,
    payload: str | None,
    content_sha256_header: bool | None,
    omit_session_token: bool,
    algorithm: str = ALGORITHM,
    region_set: Sequence[str] | None = None,
) -> tuple[HttpRequest, Callable[[], SigningDetails]]:
    _check_inputs(request, credentials, region, service)
    regions = _region_set(algorithm, region_set, region)
    v4a = regions is not None
    amz_date = format_amz_date(when)
    method = request.method
    url = split_url(request.url)
    s3 = service in S3_SERVICES
    payload = _resolve_payload(request, payload, s3=s3, presigned=presigned)
    if presigned:
        _check_expires(expires)
    date = amz_date[:8]
    # SigV4A's scope names no region: the region set says where it is valid.
    scope = (
        f"{date}/{service}/aws4_request"
        if v4a
        else f"{date}/{region}/{service}/aws4_request"
    )
    token = credentials.session_token
    sign_token = token is not None and not omit_session_token

    updates: dict[str, Header] = {}
    if not presigned:
        content_header = s3 if content_sha256_header is None else content_sha256_header
        updates = _signing_headers(
            token=token,
            amz_date=amz_date,
            regions=regions,
            payload=payload if content_header else None,
        )
    out_headers, values = outgoing_headers(
        request.headers,
        updates,
        # An omitted token still travels as a header, unsigned.
        unsigned_extra="x-amz-security-token"
        if token is not None and not sign_token and not presigned
        else "",
    )
    names, header_block = _header_section(values, url.host)
    signed_headers = ";".join(names)

    query = url.query
    auth_params: list[tuple[str, str]] = []
    if presigned:
        query = _without_presign_params(query)
        auth_params = _presign_params(
            algorithm=algorithm,
            credential=f"{credentials.access_key_id}/{scope}",
            amz_date=amz_date,
            expires=expires,
            signed_headers=signed_headers,
            region_set=regions,
            token=token if sign_token else None,
        )
    path = canonical_path(
        url.path,
        normalize=not s3 if normalize_path is None else normalize_path,
        double_encode=not s3 if double_encode is None else double_encode,
    )
    canonical_request = (
        f"{method}\n{path}\n{canonical_query(query, auth_params)}\n"
        f"{header_block}\n{signed_headers}\n{payload}"
    )
    string_to_sign = (
        f"{algorithm}\n{amz_date}\n{scope}\n"
        f"{hashlib.sha256(canonical_request.encode()).hexdigest()}"
    )
    key, signature = _signature(
        credentials, string_to_sign, v4a=v4a, date=date, region=region, service=service
    )

    authorization = None
    if presigned:
        auth_params.append(("X-Amz-Signature", signature))
        if token is not None and not sign_token:
            auth_params.append(("X-Amz-Security-Token", encode_query_component(token)))
        encoded = "&".join([f"{k}={v}" for k, v in auth_params])
        out_url = f"{url.base}{url.path}?{f'{query}&' if query else ''}{encoded}"
        signed = HttpRequest._trusted(method, out_url, out_headers, request.body)
    else:
        authorization = (
            f"{algorithm} Credential={credentials.access_key_id}/{scope}, "
            f"SignedHeaders={signed_headers}, Signature={signature}"
        )
        out_url = request.url
        signed = HttpRequest._trusted(
            method,
            out_url,
            (*out_headers, ("Authorization", authorization)),
            request.body,
        )

    def details() -> SigningDetails:
        return SigningDetails(
            algorithm=algorithm,
            amz_date=amz_date,
            credential_scope=scope,
            canonical_request=canonical_request,
            string_to_sign=string_to_sign,
            signing_key=key,
            signature=signature,
            signed_headers=tuple(names),
            payload_hash=payload,
            presigned=presigned,
            request=signed,
            url=out_url,
            authorization=authorization,
        )

    # sign() and presign() only need the request; building the details record
    # is left to sign_details(), which calls this.
    return signed, details


def sign_details(
    request: HttpRequest,
    credentials: Credentials,
    *,
    region: str,
    service: str,
    when: datetime,
    presigned: bool = False,
    expires: int = 3600,
    normalize_path: bool | None = None,
    double_encode: bool | None = None,
    payload: str | None = None,
    content_sha256_header: bool | None = None,
    omit_session_token: bool = False,
    algorithm: str = ALGORITHM,
    region_set: Sequence[str] | None = None,
) -> SigningDetails:
    """Sign ``request`` and return every intermediate result.

    Takes the arguments of :func:`sign` (or, with ``presigned=True``, of
    :func:`presign`). The result's ``request`` is the signed request and ``url``
    the presigned URL; ``canonical_request`` and ``string_to_sign`` are what to
    compare with AWS's ``SignatureDoesNotMatch`` message.
    """
    try:
        computed = _compute(
            request,
            credentials,
            region=region,
            service=service,
            when=when,
            presigned=presigned,
            expires=expires,
            normalize_path=normalize_path,
            double_encode=double_encode,
            payload=payload,
            content_sha256_header=content_sha256_header,
            omit_session_token=omit_session_token,
            algorithm=algorithm,
            region_set=region_set,
        )
    except UnicodeEncodeError as exc:
        raise _unencodable(exc) from None
    return computed[1]()


def sign(
    request: HttpRequest,
    credentials: Credentials,
    *,
    region: str,
    service: str,
    when: datetime,
    normalize_path: bool | None = None,
    double_encode: bool | None = None,
    payload: str | None = None,
    content_sha256_header: bool | None = None,
    omit_session_token: bool = False,
    algorithm: str = ALGORITHM,
    region_set: Sequence[str] | None = None,
) -> HttpRequest:
    """Sign ``request`` with an ``Authorization`` header (SigV4, header mode).

    Args:
        request: the request as it will be sent.
        credentials: the signer's credentials.
        region: the signing region, e.g. ``us-east-1``.
        service: the signing name of the service, e.g. ``s3``, ``dynamodb``.
        when: the signing time, an aware :class:`~datetime.datetime`.
        normalize_path: remove dot segments and ``//`` from the path (default:
            True, False for S3).
        double_encode: URI-encode the wire path again (default: True, False for S3).
        payload: ``None`` hashes the body; ``"UNSIGNED-PAYLOAD"``, a ``STREAMING-*``
            constant or a 64-digit lower-case hex hash are signed as given.
        content_sha256_header: add and sign ``x-amz-content-sha256`` (default:
            False, True for S3).
        omit_session_token: attach ``X-Amz-Security-Token`` after signing, unsigned
            (some services want it so).
        algorithm: ``"AWS4-HMAC-SHA256"`` (SigV4, the default) or
            ``"AWS4-ECDSA-P256-SHA256"`` (SigV4A: an ECDSA signature valid in every
            region of ``region_set``, with no region in the credential scope).
        region_set: SigV4A only: the regions the signature is valid in, sent as
            ``X-Amz-Region-Set`` (``["*"]`` for all; default ``[region]``).

    Returns:
        A new request with ``X-Amz-Date``, ``X-Amz-Security-Token`` (with a session
        token), ``x-amz-content-sha256`` (when asked) and ``Authorization``.

    Raises:
        SigV4InputError: a subclass naming what cannot be signed: a header with CR,
            LF or NUL, a header name that is not a token, an invalid region or
            service, a naive ``when``, a URL without scheme or host.
    """
    try:
        computed = _compute(
            request,
            credentials,
            region=region,
            service=service,
            when=when,
            presigned=False,
            expires=0,
            normalize_path=normalize_path,
            double_encode=double_encode,
            payload=payload,
            content_sha256_header=content_sha256_header,
            omit_session_token=omit_session_token,
            algorithm=algorithm,
            region_set=region_set,
        )
    except UnicodeEncodeError as exc:
        raise _unencodable(exc) from None
    return computed[0]


def presign(
    request: HttpRequest,
    credentials: Credentials,
    *,
    region: str,
    service: str,
    when: datetime,
    expires: int = 3600,
    normalize_path: bool | None = None,
    double_encode: bool | None = None,
    payload: str | None = None,
    omit_session_token: bool = False,
    algorithm: str = ALGORITHM,
    region_set: Sequence[str] | None = None,
) -> str:
    """A presigned URL for ``request`` (SigV4, query mode).

    The signature and its parameters (``X-Amz-Algorithm``, ``-Credential``,
    ``-Date``, ``-Expires``, ``-SignedHeaders``, ``-Security-Token``,
    ``-Signature``) travel in the query; every header of ``request`` is signed
    and must be sent with the URL. ``expires`` is the lifetime in seconds,
    1..604800. S3 presigned URLs sign ``UNSIGNED-PAYLOAD`` unless ``payload``
    says otherwise. Other arguments and errors are those of :func:`sign`.
    """
    try:
        computed = _compute(
            request,
            credentials,
            region=region,
            service=service,
            when=when,
            presigned=True,
            expires=expires,
            normalize_path=normalize_path,
            double_encode=double_encode,
            payload=payload,
            content_sha256_header=False,
            omit_session_token=omit_session_token,
            algorithm=algorithm,
            region_set=region_set,
        )
    except UnicodeEncodeError as exc:
        raise _unencodable(exc) from None
    return computed[0].url
