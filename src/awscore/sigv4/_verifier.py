"""Server-side SigV4 verification, as AWS does it.

The verifier recomputes the signature from the request as received and compares
it in constant time. Before that it checks, each with its own error: that the
request is authenticated at all; that the ``Authorization`` header (or the
presigned query) parses strictly; that the key is known; that the credential
scope's date matches ``X-Amz-Date`` and its region and service are accepted; that
``host`` and every ``x-amz-*`` header present are signed; the clock skew (15
minutes, AWS's limit) or the presigned URL's lifetime; and that
``x-amz-content-sha256`` matches the body.

Like the signer it is sans-I/O: ``now`` is a parameter and the credential lookup
is the caller's function.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from types import MappingProxyType
from typing import Literal, NamedTuple, cast

from cryptography.hazmat.primitives.asymmetric.ec import EllipticCurvePublicKey

from awscore._inputs import shown
from awscore.errors import (
    ArgumentTypeError,
    ContentSha256MismatchError,
    CredentialScopeError,
    MalformedAuthorizationError,
    MalformedChunkError,
    MalformedPresignError,
    MalformedRequestError,
    MissingAuthenticationError,
    PresignExpiredError,
    ReplayedRequestError,
    RequestTimeTooSkewedError,
    SignatureMismatchError,
    SigV4Error,
    SigV4InputError,
    StreamingNotSupportedError,
    UnknownAccessKeyError,
    UnsignedHeaderError,
)
from awscore.sigv4._chunked import ChunkedDecoder, parse_trailer_names
from awscore.sigv4._claims import (
    Parsed,
    header_map,
    parse_authorization,
    parse_presigned,
    query_value,
    reject_sigv2,
)
from awscore.sigv4._keys import derive_signing_key, hmac_sha256_hex
from awscore.sigv4._model import Credentials, HttpRequest, kind_of
from awscore.sigv4._post import PostForm, check_post_form
from awscore.sigv4._signer import (
    ALGORITHM,
    EMPTY_SHA256,
    MAX_PRESIGN_EXPIRES,
    S3_SERVICES,
    UNSIGNED_PAYLOAD,
)
from awscore.sigv4._sigv4a import (
    ALGORITHM_V4A,
    derive_v4a_public_key,
    ecdsa_verify_hex,
)
from awscore.sigv4._uri import SplitUrl, canonical_path, canonical_query, split_url

__all__ = [
    "CredentialScope",
    "ReplayGuard",
    "VerifiedRequest",
    "Verifier",
    "claimed_scope",
]

CredentialLookup = Callable[[str], Credentials | None]
PayloadMode = Literal["signed", "unsigned", "streaming", "post"]
_NO_TRAILERS: Mapping[str, str] = MappingProxyType({})

_AMZ_DATE = re.compile(r"\d{8}T\d{6}Z")
_HEX64 = re.compile(r"[0-9a-f]{64}")
# At most 64 names of at most 64 characters: generous for AWS's regions, and a
# bound on the work an unauthenticated header can cause.
_REGION_SET = re.compile(r"[A-Za-z0-9*\-]{1,64}(?:,[A-Za-z0-9*\-]{1,64}){0,63}")


class VerifiedRequest(NamedTuple):
    """Who signed an accepted request, and how.

    Immutable. A NamedTuple rather than a frozen dataclass because one is made for
    every verified request, and a tuple is several times cheaper to build; its
    ``repr`` leaves out the session token and the decoded body.
    """

    access_key_id: str
    region: str
    service: str
    #: the request time (``X-Amz-Date``), aware, UTC
    signed_at: datetime
    signed_headers: tuple[str, ...]
    #: the payload hash, ``UNSIGNED-PAYLOAD`` or a ``STREAMING-*`` constant
    payload_hash: str
    #: ``post`` for a browser form upload, whose policy (not body) is signed
    payload_mode: PayloadMode
    presigned: bool
    #: ``AWS4-HMAC-SHA256`` (SigV4) or ``AWS4-ECDSA-P256-SHA256`` (SigV4A)
    algorithm: str = ALGORITHM
    #: SigV4A: the regions the signature is valid in (``region`` is the accepted
    #: one of them); None for SigV4
    region_set: tuple[str, ...] | None = None
    #: the session token the request carried, if any (its validity is the
    #: caller's business: STS tokens are checked by the credential lookup)
    session_token: str | None = None
    #: for an aws-chunked body, the payload with its framing removed, every chunk
    #: verified; None otherwise
    decoded_body: bytes | None = None
    #: an aws-chunked body's trailing headers (checksums), lower-cased names
    trailers: Mapping[str, str] = _NO_TRAILERS

    def __repr__(self) -> str:
        shown = ", ".join(
            f"{name}={getattr(self, name)!r}"
            for name in self._fields
            if name not in ("session_token", "decoded_body")
        )
        return f"VerifiedRequest({shown})"

    @property
    def signing_date(self) -> str:
        """The credential scope's date, ``YYYYMMDD``."""
        return self.signed_at.strftime("%Y%m%d")


class ReplayGuard:
    """Remembers accepted signatures within the skew window, in bounded memory.

    A signature seen again before it ages out of the window is a replay. When
    ``max_entries`` signatures are held, the oldest is forgotten first: memory stays
    bounded, and a replay of that oldest request is no longer caught, so size it
    for the request rate times the window. Safe to share between threads.
    """

    def __init__(self, max_entries: int = 100_000) -> None:
        if (
            isinstance(max_entries, bool)
            or not isinstance(max_entries, int)
            or max_entries < 1
        ):
            raise SigV4InputError(
                "ReplayGuard max_entries must be at least 1 (a whole number), not "
                f"{shown(max_entries)}"
            )
        self._max = max_entries
        self._seen: OrderedDict[tuple[str, str], datetime] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._seen)

    def check_and_remember(
        self, access_key_id: str, signature: str, *, until: datetime, now: datetime
    ) -> None:
        """Raise :class:`ReplayedRequestError` if seen, else remember the signature."""
        # Checked before the lock: a refused argument changes nothing.
        for what, text in (("access_key_id", access_key_id), ("signature", signature)):
            if not isinstance(text, str):
                raise ArgumentTypeError(f"{what} must be text, not {kind_of(text)}")
        for what, moment in (("until", until), ("now", now)):
            if not isinstance(moment, datetime):
                raise ArgumentTypeError(
                    f"{what} must be a datetime with a time zone, not {kind_of(moment)}"
                )
            if moment.utcoffset() is None:
                raise ArgumentTypeError(
                    f"{what} must be a datetime with a time zone, not a naive one"
                )
        key = (access_key_id, signature)
        with self._lock:
            # Checked before any housekeeping: a refused replay changes nothing.
            expiry = self._seen.get(key)
            if expiry is not None and expiry >= now:
                raise ReplayedRequestError(
                    "request was already accepted once: a replay of a signed request "
                    "is rejected within the clock-skew window"
                )
            # Forget what has aged out from the oldest end. Lifetimes differ
            # (presigned URLs), so an expired entry may wait behind a live one;
            # it is harmless there, as only a live entry counts as seen.
            while self._seen:
                oldest_key, oldest_expiry = next(iter(self._seen.items()))
                if oldest_expiry >= now:
                    break
                del self._seen[oldest_key]
            self._seen[key] = until
            while len(self._seen) > self._max:
                self._seen.popitem(last=False)


class Verifier:
    """Verify SigV4-signed requests the way AWS does.

    Args:
        lookup: ``lookup(access_key_id)`` returns the :class:`Credentials` for a key,
            or ``None`` for an unknown key.
        regions: the regions this endpoint accepts in the credential scope.
        services: the service names it accepts (``s3`` selects S3's rules).
        max_skew: how far the request time may be from ``now`` (AWS: 15 minutes).
        max_presign_expires: the longest ``X-Amz-Expires`` accepted (AWS: 604800,
            seven days).
        require_signed_amz_headers: reject ``x-amz-*`` headers that are present but
            not signed (S3's rule).
        replay_guard: reject a signature that was already accepted (off by default;
            AWS does not do this).
    """

    def __init__(
        self,
        lookup: CredentialLookup,
        *,
        regions: Collection[str],
        services: Collection[str],
        max_skew: timedelta = timedelta(minutes=15),
        max_presign_expires: int = MAX_PRESIGN_EXPIRES,
        require_signed_amz_headers: bool = True,
        replay_guard: ReplayGuard | None = None,
    ) -> None:
        if not callable(lookup):
            raise ArgumentTypeError(
                "lookup must be a function from an access key id to Credentials or None"
            )
        if (
            isinstance(max_presign_expires, bool)
            or not isinstance(max_presign_expires, int)
            or not 1 <= max_presign_expires <= MAX_PRESIGN_EXPIRES
        ):
            raise SigV4InputError(
                f"max_presign_expires must be a whole number of seconds in "
                f"1..{MAX_PRESIGN_EXPIRES}, not {shown(max_presign_expires)}"
            )
        if not isinstance(max_skew, timedelta) or max_skew < timedelta(0):
            raise ArgumentTypeError(
                "max_skew must be a non-negative datetime.timedelta (AWS: 15 "
                f"minutes), not {shown(max_skew)}"
            )
        if not isinstance(require_signed_amz_headers, bool):
            raise ArgumentTypeError("require_signed_amz_headers must be True or False")
        if replay_guard is not None and not isinstance(replay_guard, ReplayGuard):
            raise ArgumentTypeError("replay_guard must be a ReplayGuard or None")
        self._lookup = lookup
        self.regions = _names(regions, "regions")
        self.services = _names(services, "services")
        self.max_skew = max_skew
        self.max_presign_expires = max_presign_expires
        self.require_signed_amz_headers = require_signed_amz_headers
        self.replay_guard = replay_guard

    def verify(self, request: HttpRequest, *, now: datetime) -> VerifiedRequest:
        """Verify ``request`` at time ``now`` (aware); return who signed it.

        Raises a :class:`~awscore.errors.SigV4VerificationError` subclass naming the
        first check that failed.
        """
        now = _utc_now(now)
        if not isinstance(request, HttpRequest):
            raise ArgumentTypeError(
                f"request must be awscore.sigv4.HttpRequest, not {kind_of(request)}"
            )
        try:
            return self._verify(request, now)
        except UnicodeEncodeError as exc:
            # Only a str holding a lone surrogate fails to encode: no HTTP request
            # on the wire can carry one.
            raise MalformedRequestError(
                f"the request holds text that is not valid Unicode ({exc.reason} at "
                f"position {exc.start}) and cannot be read as UTF-8"
            ) from None

    def verify_post(self, form: PostForm, *, now: datetime) -> VerifiedRequest:
        """Verify a browser POST upload (S3 "Browser-Based Uploads Using POST").

        Checks, as S3 does: the SigV4 fields (``x-amz-algorithm``,
        ``-credential``, ``-date``, ``-signature``), the signature over the base64
        ``policy`` field, the policy's expiration at ``now``, every condition
        (``content-length-range`` against ``form.file_size``), and that every
        field but ``x-amz-signature``, ``file``, ``policy`` and ``x-ignore-*``
        is named by a condition. The ``replay_guard`` does not apply: a form is
        meant to be used until its policy expires.

        Raises a :class:`~awscore.errors.SigV4VerificationError` subclass:
        :class:`~awscore.errors.PostPolicyError` (AccessDenied) names the
        condition that failed.
        """
        now = _utc_now(now)
        try:
            akid, region, service, signed_at, token = check_post_form(
                form,
                lookup=self._lookup,
                regions=self.regions,
                services=self.services,
                now=now,
            )
        except UnicodeEncodeError as exc:
            raise MalformedRequestError(
                f"the form holds text that is not valid Unicode ({exc.reason})"
            ) from None
        return VerifiedRequest(
            access_key_id=akid,
            region=region,
            service=service,
            signed_at=signed_at,
            signed_headers=(),
            payload_hash=UNSIGNED_PAYLOAD,
            payload_mode="post",
            presigned=False,
            session_token=token,
        )

    def _verify(self, request: HttpRequest, now: datetime) -> VerifiedRequest:
        try:
            url = split_url(request.url)
        except SigV4Error as exc:
            raise MalformedAuthorizationError(str(exc)) from None
        headers = header_map(request)
        authorization = headers.get("authorization")
        # Query parameter names are case-sensitive: AWS reads X-Amz-Algorithm only.
        presigned = "X-Amz-Algorithm=" in url.query
        if authorization is not None and presigned:
            raise MalformedAuthorizationError(
                "only one authentication mechanism is allowed: the request has both "
                "an Authorization header and X-Amz-Algorithm in its query"
            )
        reject_sigv2(authorization, url.query)
        if authorization is not None:
            parsed = parse_authorization(authorization, headers)
        elif presigned:
            parsed = parse_presigned(url.query, self.max_presign_expires)
        else:
            raise MissingAuthenticationError(
                "request is not signed: it has no Authorization header and no "
                "X-Amz-Algorithm query parameter"
            )
        signed_at = _check_scope_and_time(self, parsed, now)
        credentials = self._lookup(parsed.access_key_id)
        if credentials is None:
            raise UnknownAccessKeyError(
                f"the AWS access key id {parsed.access_key_id!r} does not exist in "
                "our records"
            )
        _check_signed_headers(parsed, headers, self.require_signed_amz_headers)
        payload, mode = _payload(request, headers, parsed)

        scope, key = _check_signature_matches(
            request,
            url=url,
            headers=headers,
            parsed=parsed,
            credentials=credentials,
            payload=payload,
        )
        decoded: bytes | None = None
        trailers: Mapping[str, str] = _NO_TRAILERS
        if mode == "streaming":
            decoded, trailers = _decode_chunked(
                request.body, headers, parsed, payload, scope=scope, key=key
            )
        if self.replay_guard is not None:
            lifetime = self.max_skew
            if parsed.presigned:
                lifetime += timedelta(seconds=parsed.expires)
            self.replay_guard.check_and_remember(
                parsed.access_key_id,
                parsed.signature,
                until=_add_capped(signed_at, lifetime),
                now=now,
            )
        token = headers.get("x-amz-security-token")
        if parsed.presigned:
            token = query_value(url.query, "X-Amz-Security-Token")
        region = parsed.region
        if parsed.region_set is not None:
            region = _accepted_region(parsed.region_set, self.regions) or ""
        return VerifiedRequest(
            access_key_id=parsed.access_key_id,
            region=region,
            service=parsed.service,
            signed_at=signed_at,
            signed_headers=parsed.signed_headers,
            payload_hash=payload,
            payload_mode=mode,
            presigned=parsed.presigned,
            algorithm=parsed.algorithm,
            region_set=None
            if parsed.region_set is None
            else tuple(parsed.region_set.split(",")),
            session_token=token,
            decoded_body=decoded,
            trailers=trailers,
        )


_END_OF_TIME = datetime.max.replace(tzinfo=UTC)


def _utc_now(now: object) -> datetime:
    if not isinstance(now, datetime) or (
        now.tzinfo is not UTC and now.utcoffset() is None
    ):
        raise ArgumentTypeError(
            "now must be an aware datetime, e.g. datetime.now(timezone.utc)"
        )
    if now.tzinfo is not UTC:
        try:
            return now.astimezone(UTC)
        except OverflowError:
            raise SigV4InputError(f"now {shown(now)} is out of range in UTC") from None
    return now


def _names(values: object, what: str) -> frozenset[str]:
    if isinstance(values, str | bytes) or not isinstance(values, Collection):
        raise ArgumentTypeError(
            f"{what} must be a collection of names, e.g. {{'us-east-1'}}, not "
            f"{kind_of(values)}"
        )
    names = frozenset(values)
    if not all(isinstance(name, str) for name in names):
        raise ArgumentTypeError(f"{what} must hold strings only")
    return names


def _add_capped(when: datetime, delta: timedelta) -> datetime:
    """``when + delta``, or the end of representable time if that overflows."""
    try:
        return when + delta
    except OverflowError:
        return _END_OF_TIME


@dataclass(frozen=True, slots=True, kw_only=True)
class CredentialScope:
    """The credential a request claims to be signed with, read without checking."""

    access_key_id: str
    date: str
    region: str
    service: str


def claimed_scope(request: HttpRequest) -> CredentialScope | None:
    """The credential scope in ``request``'s Authorization header or presigned query.

    Nothing is verified: this is for tools that need to know which key, region
    and service to check against (``awscore sigv4 verify``). ``None`` when the
    request carries no readable scope.
    """
    if not isinstance(request, HttpRequest):
        raise ArgumentTypeError(
            f"request must be awscore.sigv4.HttpRequest, not {kind_of(request)}"
        )
    try:
        url = split_url(request.url)
        headers = header_map(request)
        authorization = headers.get("authorization")
        if authorization is not None:
            parsed = parse_authorization(
                authorization, {"x-amz-date": headers.get("x-amz-date", "")}
            )
        else:
            parsed = parse_presigned(url.query, MAX_PRESIGN_EXPIRES)
    except SigV4Error:
        return None
    return CredentialScope(
        access_key_id=parsed.access_key_id,
        date=parsed.date,
        region=parsed.region,
        service=parsed.service,
    )


def _check_signature_matches(
    request: HttpRequest,
    *,
    url: SplitUrl,
    headers: dict[str, str],
    parsed: Parsed,
    credentials: Credentials,
    payload: str,
) -> tuple[str, bytes | None]:
    """Recompute the canonical request and signature; raise on a mismatch.

    Returns the credential scope and the signing key (None for SigV4A), which an
    aws-chunked body's chunk signatures build on.
    """
    s3 = parsed.service in S3_SERVICES
    path = canonical_path(url.path, normalize=not s3, double_encode=not s3)
    block = "".join(
        [
            f"{name}:{headers.get(name, url.host if name == 'host' else '')}\n"
            for name in parsed.signed_headers
        ]
    )
    signed_list = ";".join(parsed.signed_headers)
    query = parsed.query_without_signature if parsed.presigned else url.query
    rest = f"\n{canonical_query(query)}\n{block}\n{signed_list}\n{payload}"
    v4a = parsed.algorithm == ALGORITHM_V4A
    scope = (
        f"{parsed.date}/{parsed.service}/aws4_request"
        if v4a
        else f"{parsed.date}/{parsed.region}/{parsed.service}/aws4_request"
    )
    head = f"{parsed.algorithm}\n{parsed.amz_date}\n{scope}\n"
    key: bytes | None = None
    public_key = None
    if v4a:
        public_key = derive_v4a_public_key(
            credentials.access_key_id, credentials.secret_access_key
        )
    else:
        key = derive_signing_key(
            credentials.secret_access_key,
            parsed.date,
            parsed.region,
            parsed.service,
        )
    canonical_request = f"{request.method}\n{path}{rest}"
    string_to_sign = f"{head}{hashlib.sha256(canonical_request.encode()).hexdigest()}"
    valid = _signature_valid(parsed.signature, string_to_sign, key, public_key)
    as_received = None
    if not valid and s3:
        # S3 names one object by `$` and by `%24`: a client that signed the path
        # exactly as it sent it (curl --aws-sigv4, botocore, awscrt with a raw
        # sub-delim) is accepted too. Only this second reading of the path is
        # allowed, and only when it differs from the documented one.
        as_received = url.path or "/"
        if as_received == path:
            as_received = None
        else:
            received = f"{request.method}\n{as_received}{rest}"
            digest = hashlib.sha256(received.encode()).hexdigest()
            if _signature_valid(parsed.signature, head + digest, key, public_key):
                return scope, key
    if not valid:
        tried = f"the canonical URI {path!r}"
        if as_received is not None:
            tried += (
                f" (S3's encoding of the path) and {as_received!r} (the path "
                "exactly as received)"
            )
        raise SignatureMismatchError(
            "the request signature we calculated does not match the signature "
            f"you provided: check your key and signing method; tried {tried}",
            canonical_request=canonical_request,
            string_to_sign=string_to_sign,
            access_key_id=parsed.access_key_id,
            signature_provided=parsed.signature,
        )
    return scope, key


def _signature_valid(
    signature: str,
    string_to_sign: str,
    key: bytes | None,
    public_key: EllipticCurvePublicKey | None,
) -> bool:
    """Whether ``signature`` signs ``string_to_sign``: HMAC under ``key`` (SigV4,
    compared in constant time) or ECDSA under ``public_key`` (SigV4A)."""
    if key is not None:
        expected = hmac_sha256_hex(key, string_to_sign.encode())
        return hmac.compare_digest(expected, signature)
    # SigV4A: the caller derived the public key when it derived no HMAC key
    return ecdsa_verify_hex(
        cast("EllipticCurvePublicKey", public_key), signature, string_to_sign.encode()
    )


def _decode_chunked(
    body: bytes,
    headers: dict[str, str],
    parsed: Parsed,
    mode: str,
    *,
    scope: str,
    key: bytes | None,
) -> tuple[bytes, dict[str, str]]:
    """Decode and verify an aws-chunked body: the data and its trailers.

    The seed signature is the request's own; each chunk's signature chains from
    the one before (S3 "Signature calculations for streaming uploads").
    """
    if key is None and mode != "STREAMING-UNSIGNED-PAYLOAD-TRAILER":
        raise StreamingNotSupportedError(
            f"{mode} is an HMAC chunk chain; it cannot follow a SigV4A signature"
        )
    declared = headers.get("x-amz-decoded-content-length")
    # At most 19 digits (below 2**63): int() of thousands of digits is slow,
    # and past 4300 it raises a bare ValueError.
    if declared is not None and not (
        declared.isascii() and declared.isdigit() and len(declared) <= 19
    ):
        raise MalformedChunkError(
            f"x-amz-decoded-content-length {declared[:40]!r} is not a number of "
            "bytes (at most 19 digits)"
        )
    trailer_header = headers.get("x-amz-trailer")
    decoder = ChunkedDecoder(
        mode=mode,
        signing_key=key,
        amz_date=parsed.amz_date,
        scope=scope,
        seed_signature=parsed.signature,
        decoded_length=None if declared is None else int(declared),
        expected_trailers=()
        if trailer_header is None
        else parse_trailer_names(trailer_header),
    )
    data = b"".join(decoder.feed(body))
    return data, decoder.finish()


_STREAMING_MODES = frozenset(
    {
        "STREAMING-AWS4-HMAC-SHA256-PAYLOAD",
        "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER",
        "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
    }
)


def _check_scope_and_time(
    verifier: Verifier, parsed: Parsed, now: datetime
) -> datetime:
    error = MalformedPresignError if parsed.presigned else MalformedAuthorizationError
    if _AMZ_DATE.fullmatch(parsed.amz_date) is None:
        raise error(
            f"X-Amz-Date {parsed.amz_date[:40]!r} is not in ISO 8601 basic format "
            "(YYYYMMDD'T'HHMMSS'Z')"
        )
    try:
        # The strict format is checked above; fromisoformat (3.11+) is C code.
        signed_at = datetime.fromisoformat(parsed.amz_date)
    except ValueError:
        raise error(f"X-Amz-Date {parsed.amz_date!r} is not a valid time") from None
    if parsed.date != parsed.amz_date[:8]:
        raise CredentialScopeError(
            f"date in credential scope does not match YYYYMMDD from X-Amz-Date: "
            f"{parsed.date!r} != {parsed.amz_date[:8]!r}"
        )
    if parsed.region_set is not None:
        if not _REGION_SET.fullmatch(parsed.region_set):
            raise error(
                f"X-Amz-Region-Set {parsed.region_set[:80]!r} is malformed: expected "
                "up to 64 comma-separated region names or patterns with '*'"
            )
        if _accepted_region(parsed.region_set, verifier.regions) is None:
            raise CredentialScopeError(
                f"the region set {parsed.region_set[:120]!r} includes none of this "
                f"endpoint's regions {sorted(verifier.regions)}"
            )
    elif parsed.region not in verifier.regions:
        raise CredentialScopeError(
            f"the authorization header's region {parsed.region!r} is wrong; "
            f"expecting one of {sorted(verifier.regions)}"
        )
    if parsed.service not in verifier.services:
        raise CredentialScopeError(
            f"credential should be scoped to a valid service: {parsed.service!r} is "
            f"not one of {sorted(verifier.services)}"
        )
    if parsed.presigned:
        if signed_at - now > verifier.max_skew:
            raise PresignExpiredError(
                f"Request is not valid yet: signed for {signed_at.isoformat()}, now "
                f"is {now.isoformat()}"
            )
        if now - signed_at > timedelta(seconds=parsed.expires):
            raise PresignExpiredError("Request has expired")
    elif abs(now - signed_at) > verifier.max_skew:
        raise RequestTimeTooSkewedError(
            "the difference between the request time and the current time is too "
            f"large: request {signed_at.isoformat()}, server {now.isoformat()}, "
            f"allowed {int(verifier.max_skew.total_seconds())} s"
        )
    return signed_at


@functools.lru_cache(maxsize=256)
def _accepted_region(region_set: str, regions: frozenset[str]) -> str | None:
    """The first of ``regions`` that the SigV4A region set covers, if any.

    A region set is a comma-separated list of region names, where ``*`` matches
    any run of characters (``*`` alone is every region, ``us-*`` the US ones).
    The set is attacker-controlled and read before authentication, so it is
    parsed strictly and matched without compiling anything.
    """
    for region in sorted(regions):
        if any(_glob_match(region, p) for p in region_set.split(",")):
            return region
    return None


def _glob_match(name: str, pattern: str) -> bool:
    """Whether ``name`` matches ``pattern``, where ``*`` is any run of characters."""
    if "*" not in pattern:
        return name == pattern
    first, *middle, last = pattern.split("*")
    if not name.startswith(first) or not name.endswith(last):
        return False
    position, end = len(first), len(name) - len(last)
    for part in middle:
        position = name.find(part, position, end)
        if position < 0:
            return False
        position += len(part)
    return position <= end


_HOST = frozenset({"host"})
# Headers commonly present but unsigned that are not x-amz-*: if the unsigned
# ones are all among these, the x-amz check has nothing to look at.
_NOT_AMZ_CHECK = frozenset(
    {
        "authorization",
        "user-agent",
        "content-length",
        "content-type",
        "accept",
        "accept-encoding",
        "connection",
        "expect",
        "transfer-encoding",
    }
)


@functools.lru_cache(maxsize=512)
def _name_set(names: tuple[str, ...]) -> frozenset[str]:
    return frozenset(names)


def _check_signed_headers(
    parsed: Parsed, headers: dict[str, str], require_amz: bool
) -> None:
    signed = _name_set(parsed.signed_headers)
    if "host" not in signed:
        raise UnsignedHeaderError(
            "the host header must be signed (SignedHeaders has no 'host')"
        )
    # Set arithmetic in C, not a Python loop per header: this runs per request.
    present = headers.keys()
    if not signed <= present | _HOST:
        missing = sorted(signed - present - _HOST)
        raise UnsignedHeaderError(
            f"signed header(s) {', '.join(missing)} are not in the request"
        )
    if require_amz and not present - signed <= _NOT_AMZ_CHECK:
        unsigned = [n for n in present - signed if n[:6] == "x-amz-"]
        if unsigned and parsed.presigned and "x-amz-security-token" in unsigned:
            # a presigned URL's token may travel as a header, signed or not
            unsigned.remove("x-amz-security-token")
        if unsigned:
            raise UnsignedHeaderError(
                "there were headers present in the request which were not signed: "
                + ", ".join(sorted(unsigned))
            )


def _payload(
    request: HttpRequest, headers: dict[str, str], parsed: Parsed
) -> tuple[str, PayloadMode]:
    declared = headers.get("x-amz-content-sha256")
    s3 = parsed.service in S3_SERVICES
    if declared is None:
        if s3 and parsed.presigned:
            return UNSIGNED_PAYLOAD, "unsigned"
        body = request.body
        return (hashlib.sha256(body).hexdigest() if body else EMPTY_SHA256), "signed"
    if declared == UNSIGNED_PAYLOAD:
        return declared, "unsigned"
    if declared.startswith("STREAMING-"):
        if declared not in _STREAMING_MODES:
            raise StreamingNotSupportedError(
                f"x-amz-content-sha256 {declared[:80]!r}: this verifier supports the "
                f"aws-chunked payloads {', '.join(sorted(_STREAMING_MODES))}"
            )
        return declared, "streaming"
    if not _HEX64.fullmatch(declared):
        raise ContentSha256MismatchError(
            f"x-amz-content-sha256 {declared[:80]!r} is neither a lower-case hex "
            "SHA-256 nor UNSIGNED-PAYLOAD"
        )
    actual = hashlib.sha256(request.body).hexdigest()
    if not hmac.compare_digest(actual, declared):
        raise ContentSha256MismatchError(
            "the provided 'x-amz-content-sha256' header does not match what was "
            f"computed: client {declared}, server {actual}"
        )
    return declared, "signed"
