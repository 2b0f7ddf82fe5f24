"""Verifying IAM Roles Anywhere (X.509) signatures, as a Roles Anywhere endpoint does.

:class:`X509Verifier` checks, in order: the ``Authorization`` header's shape
(``AWS4-X509-RSA-SHA256`` / ``AWS4-X509-ECDSA-SHA256``, ``Credential=<serial>/
<date>/<region>/rolesanywhere/aws4_request``), that ``X-Amz-Date`` is within the
skew of ``now`` and matches the scope date, the region and service, that
``host``, ``x-amz-date`` and ``x-amz-x509`` are signed, that the certificate in
``X-Amz-X509`` has the credential's serial number and chains (through
``X-Amz-X509-Chain``) to one of the trust anchors at ``now`` (``cryptography``'s
RFC 5280 path validation, client profile), and finally that the signature
verifies with the certificate's public key over the recomputed string to sign.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509.verification import (
    Criticality,
    ExtensionPolicy,
    PolicyBuilder,
    Store,
    VerificationError,
)

from awscore.errors import (
    CredentialScopeError,
    MalformedAuthorizationError,
    MissingAuthenticationError,
    RequestTimeTooSkewedError,
    SignatureMismatchError,
    SigV4InputError,
    UnsignedHeaderError,
    X509ChainError,
)
from awscore.sigv4._model import Credentials, HttpRequest
from awscore.sigv4._rolesanywhere import ALGORITHM_X509_ECDSA, ALGORITHM_X509_RSA
from awscore.sigv4._signer import sign_details

__all__ = ["VerifiedX509Request", "X509Verifier"]

_AUTHORIZATION = re.compile(
    r"^(AWS4-X509-(?:RSA|ECDSA)-SHA256) Credential=(\d{1,64})/(\d{8})/([a-z0-9-]{1,64})"
    r"/([a-z0-9-]{1,64})/aws4_request, ?SignedHeaders=([a-z0-9;-]{1,2048}), ?"
    r"Signature=([0-9a-f]{2,2048})$"
)
_REQUIRED_SIGNED = ("host", "x-amz-date", "x-amz-x509")
#: The most certificates accepted in X-Amz-X509-Chain.
MAX_CHAIN = 8
_MAX_CERT_B64 = 16384


@dataclass(frozen=True, slots=True, kw_only=True)
class VerifiedX509Request:
    """What a verified Roles Anywhere request proved."""

    serial: str
    certificate: x509.Certificate
    chain: tuple[x509.Certificate, ...]
    region: str
    service: str
    algorithm: str
    signed_at: datetime
    signed_headers: tuple[str, ...]


def _certificate(text: str, what: str) -> x509.Certificate:
    text = text.strip()
    if len(text) > _MAX_CERT_B64:
        raise X509ChainError(f"{what} is longer than {_MAX_CERT_B64} characters")
    try:
        return x509.load_der_x509_certificate(base64.b64decode(text, validate=True))
    except (ValueError, binascii.Error):
        raise X509ChainError(f"{what} is not a base64 DER certificate") from None


class X509Verifier:
    """Verify requests signed with AWS4-X509-RSA-SHA256 / AWS4-X509-ECDSA-SHA256.

    Args:
        trust_anchors: the CA certificates a signer's chain must end at.
        regions, services: accepted scope values (services default to
            ``rolesanywhere``).
        max_skew: how far ``X-Amz-Date`` may be from ``now`` (15 minutes).
    """

    def __init__(
        self,
        trust_anchors: Sequence[x509.Certificate],
        *,
        regions: Collection[str],
        services: Collection[str] = ("rolesanywhere",),
        max_skew: timedelta = timedelta(minutes=15),
    ) -> None:
        if not trust_anchors:
            raise SigV4InputError("X509Verifier needs at least one trust anchor")
        self._store = Store(list(trust_anchors))
        self._regions = frozenset(regions)
        self._services = frozenset(services)
        self._skew = max_skew

    def verify(self, request: HttpRequest, *, now: datetime) -> VerifiedX509Request:
        """The request's proof, or the first failed check's typed error."""
        headers: dict[str, str] = {}
        for name, value in request.headers:
            lname = name.lower()
            headers[lname] = f"{headers[lname]},{value}" if lname in headers else value
        algorithm, serial, region, service, names, signature, when = self._parse(
            headers, now
        )
        leaf, chain = self._chain(headers, serial, now)
        kept = [
            (n, v)
            for n, v in request.headers
            if n.lower() in names and n.lower() != "x-amz-date"
        ]
        details = sign_details(
            HttpRequest(request.method, request.url, kept, request.body),
            Credentials(serial, "x509"),
            region=region,
            service=service,
            when=when,
        )
        if details.signed_headers != names:
            raise MalformedAuthorizationError(
                "SignedHeaders does not name the headers the request carries"
            )
        string_to_sign = (
            f"{algorithm}\n{details.amz_date}\n{details.credential_scope}\n"
            f"{hashlib.sha256(details.canonical_request.encode()).hexdigest()}"
        )
        if not _signature_ok(leaf, algorithm, bytes.fromhex(signature), string_to_sign):
            raise SignatureMismatchError(
                "the signature does not verify with the certificate's public key",
                canonical_request=details.canonical_request,
                string_to_sign=string_to_sign,
                access_key_id=serial,
                signature_provided=signature,
            )
        return VerifiedX509Request(
            serial=serial,
            certificate=leaf,
            chain=chain,
            region=region,
            service=service,
            algorithm=algorithm,
            signed_at=when,
            signed_headers=names,
        )

    def _parse(
        self, headers: dict[str, str], now: datetime
    ) -> tuple[str, str, str, str, tuple[str, ...], str, datetime]:
        authorization = headers.get("authorization")
        if authorization is None:
            raise MissingAuthenticationError("the request has no Authorization header")
        match = _AUTHORIZATION.match(authorization)
        if match is None:
            raise MalformedAuthorizationError(
                "Authorization is not 'AWS4-X509-RSA-SHA256|AWS4-X509-ECDSA-SHA256 "
                "Credential=<serial>/<date>/<region>/<service>/aws4_request, "
                "SignedHeaders=..., Signature=<hex>'"
            )
        algorithm, serial, date, region, service, signed, signature = match.groups()
        amz_date = headers.get("x-amz-date", "")
        try:
            when = datetime.strptime(amz_date, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
        except ValueError:
            raise MalformedAuthorizationError(
                f"X-Amz-Date {amz_date[:40]!r} is not YYYYMMDDTHHMMSSZ"
            ) from None
        if amz_date[:8] != date:
            raise CredentialScopeError(
                f"the credential's date {date} is not X-Amz-Date's {amz_date[:8]}"
            )
        if region not in self._regions or service not in self._services:
            raise CredentialScopeError(
                f"the scope {region}/{service} is not accepted here"
            )
        if abs(now - when) > self._skew:
            raise RequestTimeTooSkewedError(
                f"X-Amz-Date {amz_date} is more than {self._skew} from the server's "
                "time"
            )
        names = tuple(signed.split(";"))
        if list(names) != sorted(set(names)):
            raise MalformedAuthorizationError("SignedHeaders is not sorted and unique")
        for needed in _REQUIRED_SIGNED:
            if needed not in names:
                raise UnsignedHeaderError(f"{needed} must be signed")
        return algorithm, serial, region, service, names, signature, when

    def _chain(
        self, headers: dict[str, str], serial: str, now: datetime
    ) -> tuple[x509.Certificate, tuple[x509.Certificate, ...]]:
        if "x-amz-x509" not in headers:
            raise X509ChainError("the request has no X-Amz-X509 certificate")
        leaf = _certificate(headers["x-amz-x509"], "X-Amz-X509")
        chain_text = headers.get("x-amz-x509-chain")
        chain: list[x509.Certificate] = []
        if chain_text:
            parts = chain_text.split(",")
            if len(parts) > MAX_CHAIN:
                raise X509ChainError(
                    f"X-Amz-X509-Chain has {len(parts)} certificates: at most "
                    f"{MAX_CHAIN} are accepted"
                )
            chain = [_certificate(p, "X-Amz-X509-Chain") for p in parts]
        if str(leaf.serial_number) != serial:
            raise X509ChainError(
                f"the credential's serial {serial} is not the certificate's "
                f"{leaf.serial_number}"
            )
        # cryptography's client profile is the Web PKI's, which wants a SAN on
        # the leaf; Roles Anywhere certificates need none (User Guide, "Trust
        # model": any X.509v3 end-entity certificate under the anchor), so the
        # SAN is made optional and every other Web PKI rule stays.
        ee_policy = ExtensionPolicy.webpki_defaults_ee().may_be_present(
            x509.SubjectAlternativeName, Criticality.AGNOSTIC, None
        )
        verifier = (
            PolicyBuilder()
            .store(self._store)
            .time(now)
            .extension_policies(
                ca_policy=ExtensionPolicy.webpki_defaults_ca(), ee_policy=ee_policy
            )
            .build_client_verifier()
        )
        try:
            verifier.verify(leaf, chain)
        except VerificationError as error:
            raise X509ChainError(
                f"the certificate does not chain to a trust anchor: {error}"
            ) from None
        return leaf, tuple(chain)


def _signature_ok(
    certificate: x509.Certificate, algorithm: str, signature: bytes, text: str
) -> bool:
    key = certificate.public_key()
    data = text.encode()
    try:
        if algorithm == ALGORITHM_X509_RSA and isinstance(key, rsa.RSAPublicKey):
            key.verify(signature, data, padding.PKCS1v15(), hashes.SHA256())
            return True
        if algorithm == ALGORITHM_X509_ECDSA and isinstance(
            key, ec.EllipticCurvePublicKey
        ):
            key.verify(signature, data, ec.ECDSA(hashes.SHA256()))
            return True
    except InvalidSignature:
        return False
    return False
