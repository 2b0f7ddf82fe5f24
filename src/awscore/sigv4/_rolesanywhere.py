"""IAM Roles Anywhere: SigV4 signed with an X.509 certificate's private key.

IAM Roles Anywhere ("Signing process for IAM Roles Anywhere", IAM Roles Anywhere
User Guide) trades a certificate for temporary credentials through
``CreateSession``. Its signature is SigV4 with three changes:

* the algorithm is ``AWS4-X509-RSA-SHA256`` or ``AWS4-X509-ECDSA-SHA256``, after
  the key type;
* the credential is ``<certificate serial number, decimal>/<date>/<region>/
  rolesanywhere/aws4_request``, and the end-entity certificate travels, base64
  DER, in a signed ``X-Amz-X509`` header (its intermediates, comma-separated, in
  ``X-Amz-X509-Chain``);
* the signature is the private key's signature of the string to sign (RSA
  PKCS#1 v1.5 with SHA-256, or ECDSA with SHA-256, DER-encoded), hex-encoded,
  instead of an HMAC.

The canonical request is SigV4's, so it comes from awscore's own signer. Sans-I/O
but for :func:`create_session`, whose HTTP goes through the given sender.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

from awscore._inputs import shown
from awscore.errors import CredentialsFetchError, SigV4InputError
from awscore.sigv4._model import Credentials, HttpRequest
from awscore.sigv4._signer import sign_details
from awscore.sigv4._sts import parse_iso_time

__all__ = [
    "ALGORITHM_X509_ECDSA",
    "ALGORITHM_X509_RSA",
    "MAX_SESSION_SECONDS",
    "MIN_SESSION_SECONDS",
    "X509Signer",
    "create_session_request",
    "credential_process_json",
    "load_certificate_chain",
    "load_private_key",
    "parse_create_session",
]

#: Roles Anywhere's algorithm for an RSA key (PKCS#1 v1.5 with SHA-256).
ALGORITHM_X509_RSA = "AWS4-X509-RSA-SHA256"
#: Roles Anywhere's algorithm for an EC key (ECDSA with SHA-256, DER signature).
ALGORITHM_X509_ECDSA = "AWS4-X509-ECDSA-SHA256"
SERVICE = "rolesanywhere"
#: CreateSession's ``durationSeconds`` bounds (IAM Roles Anywhere API reference).
MIN_SESSION_SECONDS = 900
MAX_SESSION_SECONDS = 43200
_STEP = "roles-anywhere"
_CURVES = (ec.SECP256R1, ec.SECP384R1)
_TRUST_ANCHOR_ARN = re.compile(
    r"^arn:aws[a-z-]*:rolesanywhere:([a-z0-9-]+):\d{12}:trust-anchor/[0-9a-f-]+$"
)

PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey


def load_private_key(pem: bytes, password: bytes | None = None) -> PrivateKey:
    """An RSA or EC (P-256, P-384) private key from PEM, PKCS#8 or traditional
    (``BEGIN RSA PRIVATE KEY`` / ``BEGIN EC PRIVATE KEY``)."""
    try:
        key = serialization.load_pem_private_key(pem, password=password)
    except (ValueError, TypeError, UnsupportedAlgorithm):
        raise SigV4InputError(
            "the private key is not a PEM RSA or EC key (PKCS#8 'BEGIN PRIVATE "
            "KEY' or traditional 'BEGIN RSA/EC PRIVATE KEY'), or its password is "
            "wrong"
        ) from None
    if isinstance(key, rsa.RSAPrivateKey):
        if key.key_size < 2048:
            raise SigV4InputError(
                f"the RSA key has {key.key_size} bits: at least 2048 are accepted"
            )
        return key
    if isinstance(key, ec.EllipticCurvePrivateKey):
        if not isinstance(key.curve, _CURVES):
            raise SigV4InputError(
                f"the EC key is on {key.curve.name}: P-256 and P-384 are accepted"
            )
        return key
    raise SigV4InputError("the private key is neither RSA nor EC (P-256, P-384)")


def load_certificate_chain(pem: bytes) -> list[x509.Certificate]:
    """Every certificate of a PEM bundle, in file order."""
    if not isinstance(pem, bytes):
        raise SigV4InputError(
            f"the certificate file (pem) must be bytes of PEM text, not {shown(pem)}"
        )
    try:
        certificates = x509.load_pem_x509_certificates(pem)
    except ValueError:
        raise SigV4InputError("the certificate file holds no PEM certificate") from None
    return certificates


def _der_b64(certificate: x509.Certificate) -> str:
    der = certificate.public_bytes(serialization.Encoding.DER)
    return base64.b64encode(der).decode("ascii")


@dataclass(frozen=True, slots=True, kw_only=True)
class X509Signer:
    """Signs requests with a certificate and its private key (Roles Anywhere).

    ``chain`` holds the intermediate certificates (not the trust anchor), sent in
    ``X-Amz-X509-Chain``. The private key is left out of ``repr``.
    """

    certificate: x509.Certificate
    private_key: PrivateKey = field(repr=False)
    chain: tuple[x509.Certificate, ...] = ()

    def __post_init__(self) -> None:
        ours = self.private_key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        theirs = self.certificate.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        if ours != theirs:
            raise SigV4InputError(
                "the private key does not belong to the certificate (their public "
                "keys differ)"
            )

    @classmethod
    def from_pem(
        cls,
        certificate: bytes,
        private_key: bytes,
        *,
        chain: bytes | None = None,
        password: bytes | None = None,
    ) -> X509Signer:
        """A signer from PEM bytes: the certificate (first of the file), key, chain."""
        return cls(
            certificate=load_certificate_chain(certificate)[0],
            private_key=load_private_key(private_key, password),
            chain=tuple(load_certificate_chain(chain)) if chain else (),
        )

    @property
    def algorithm(self) -> str:
        """``AWS4-X509-RSA-SHA256`` or ``AWS4-X509-ECDSA-SHA256``."""
        if isinstance(self.private_key, rsa.RSAPrivateKey):
            return ALGORITHM_X509_RSA
        return ALGORITHM_X509_ECDSA

    @property
    def serial(self) -> str:
        """The certificate's serial number in decimal, the credential's first part."""
        return str(self.certificate.serial_number)

    def sign(self, request: HttpRequest, *, region: str, when: datetime) -> HttpRequest:
        """``request`` with ``X-Amz-Date``, ``X-Amz-X509`` (and ``-Chain``) and the
        X.509 ``Authorization``; every header present is signed."""
        names = {"x-amz-x509", "x-amz-x509-chain", "authorization"}
        headers = [(n, v) for n, v in request.headers if n.lower() not in names]
        headers.append(("X-Amz-X509", _der_b64(self.certificate)))
        if self.chain:
            headers.append(
                ("X-Amz-X509-Chain", ",".join(_der_b64(c) for c in self.chain))
            )
        # The canonical request (and scope) are SigV4's: the HMAC the signer
        # also computes is discarded and replaced by the key's signature.
        details = sign_details(
            HttpRequest(request.method, request.url, headers, request.body),
            Credentials(self.serial, "x509"),
            region=region,
            service=SERVICE,
            when=when,
        )
        string_to_sign = (
            f"{self.algorithm}\n{details.amz_date}\n{details.credential_scope}\n"
            f"{hashlib.sha256(details.canonical_request.encode()).hexdigest()}"
        )
        signature = self._signature(string_to_sign.encode()).hex()
        authorization = (
            f"{self.algorithm} Credential={self.serial}/{details.credential_scope}, "
            f"SignedHeaders={';'.join(details.signed_headers)}, Signature={signature}"
        )
        signed = [
            (n, v) for n, v in details.request.headers if n.lower() != "authorization"
        ]
        signed.append(("Authorization", authorization))
        return HttpRequest(request.method, request.url, signed, request.body)

    def _signature(self, data: bytes) -> bytes:
        key = self.private_key
        if isinstance(key, rsa.RSAPrivateKey):
            return key.sign(data, padding.PKCS1v15(), hashes.SHA256())
        return key.sign(data, ec.ECDSA(hashes.SHA256()))


def region_of_trust_anchor(arn: str) -> str:
    """The region in a trust anchor ARN (where CreateSession is called)."""
    match = _TRUST_ANCHOR_ARN.match(arn)
    if match is None:
        raise SigV4InputError(
            f"trust anchor ARN {arn[:120]!r} is not "
            "arn:aws:rolesanywhere:<region>:<account>:trust-anchor/<id>"
        )
    return match.group(1)


def create_session_request(
    *,
    trust_anchor_arn: str,
    profile_arn: str,
    role_arn: str,
    duration_seconds: int = 3600,
    endpoint: str | None = None,
    region: str | None = None,
    role_session_name: str | None = None,
) -> tuple[HttpRequest, str]:
    """The unsigned ``POST /sessions`` and its region (from the trust anchor)."""
    if not MIN_SESSION_SECONDS <= duration_seconds <= MAX_SESSION_SECONDS:
        raise SigV4InputError(
            f"session duration {duration_seconds} s is out of range: "
            f"{MIN_SESSION_SECONDS}..{MAX_SESSION_SECONDS}"
        )
    region = region or region_of_trust_anchor(trust_anchor_arn)
    base = endpoint or f"https://rolesanywhere.{region}.amazonaws.com"
    body: dict[str, object] = {
        "durationSeconds": duration_seconds,
        "profileArn": profile_arn,
        "roleArn": role_arn,
        "trustAnchorArn": trust_anchor_arn,
    }
    if role_session_name is not None:
        body["roleSessionName"] = role_session_name
    request = HttpRequest(
        "POST",
        base.rstrip("/") + "/sessions",
        [("Content-Type", "application/json")],
        json.dumps(body).encode(),
    )
    return request, region


def parse_create_session(status: int, body: bytes) -> Credentials:
    """The credentials of a ``CreateSession`` answer (``credentialSet[0]``)."""
    if not isinstance(status, int) or isinstance(status, bool):
        raise SigV4InputError(
            f"status must be an HTTP status code, not {shown(status)}"
        )
    if not isinstance(body, bytes):
        raise SigV4InputError(f"body must be the answer's bytes, not {shown(body)}")
    try:
        document = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise CredentialsFetchError(
            f"CreateSession answered HTTP {status} with a body that is not JSON",
            step=_STEP,
        ) from None
    if status != 200:
        message = document.get("message") if isinstance(document, dict) else None
        raise CredentialsFetchError(
            f"CreateSession answered HTTP {status}: {str(message)[:200]}", step=_STEP
        )
    try:
        creds = document["credentialSet"][0]["credentials"]
        return Credentials(
            creds["accessKeyId"],
            creds["secretAccessKey"],
            creds["sessionToken"],
            expiration=parse_iso_time(
                str(creds["expiration"]), step=_STEP, what="expiration"
            ),
        )
    except (KeyError, IndexError, TypeError, SigV4InputError):
        raise CredentialsFetchError(
            "CreateSession answered without a usable credentialSet", step=_STEP
        ) from None


def create_session(
    signer: X509Signer,
    send: Callable[[HttpRequest], tuple[int, bytes]],
    *,
    when: datetime,
    trust_anchor_arn: str,
    profile_arn: str,
    role_arn: str,
    duration_seconds: int = 3600,
    endpoint: str | None = None,
    region: str | None = None,
) -> Credentials:
    """Sign and send ``CreateSession`` through ``send``; return the credentials."""
    request, signing_region = create_session_request(
        trust_anchor_arn=trust_anchor_arn,
        profile_arn=profile_arn,
        role_arn=role_arn,
        duration_seconds=duration_seconds,
        endpoint=endpoint,
        region=region,
    )
    status, body = send(signer.sign(request, region=signing_region, when=when))
    return parse_create_session(status, body)


def credential_process_json(credentials: Credentials) -> str:
    """The JSON ``aws_signing_helper credential-process`` prints (``Version: 1``)."""
    if not isinstance(credentials, Credentials):
        raise SigV4InputError(
            f"credentials must be a Credentials value, not {shown(credentials)}"
        )
    document: Mapping[str, object] = {
        "Version": 1,
        "AccessKeyId": credentials.access_key_id,
        "SecretAccessKey": credentials.secret_access_key,
        "SessionToken": credentials.session_token,
        "Expiration": None
        if credentials.expiration is None
        else credentials.expiration.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    return json.dumps(document)
