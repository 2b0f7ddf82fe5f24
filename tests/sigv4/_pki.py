"""Test certificates made with ``cryptography`` (no network): a CA, an optional
intermediate, and an end-entity (client) certificate, RSA or EC."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

Key = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey
NOW = datetime.now(UTC)


def new_key(kind: str) -> Key:
    """``rsa`` (2048), ``p256`` or ``p384``."""
    if kind == "rsa":
        return rsa.generate_private_key(public_exponent=65537, key_size=2048)
    curve = {"p256": ec.SECP256R1(), "p384": ec.SECP384R1()}[kind]
    return ec.generate_private_key(curve)


def _name(common: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common)])


def _cert(
    *,
    subject: str,
    key: Key,
    issuer: x509.Certificate | None,
    issuer_key: Key,
    ca: bool,
    serial: int,
    not_before: datetime,
    not_after: datetime,
    server_ip: str | None = None,
) -> x509.Certificate:
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(subject))
        .issuer_name(issuer.subject if issuer else _name(subject))
        .public_key(key.public_key())
        .serial_number(serial)
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=not ca,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=ca,
                crl_sign=ca,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.SubjectKeyIdentifier.from_public_key(key.public_key()),
            critical=False,
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()),
            critical=False,
        )
    )
    if not ca:
        usage = (
            ExtendedKeyUsageOID.SERVER_AUTH
            if server_ip
            else ExtendedKeyUsageOID.CLIENT_AUTH
        )
        builder = builder.add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
    if server_ip:
        builder = builder.add_extension(
            x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address(server_ip))]
            ),
            critical=False,
        )
    return builder.sign(issuer_key, hashes.SHA256())


@dataclass(frozen=True, slots=True)
class Pki:
    """A CA, maybe an intermediate, and a leaf with its key."""

    ca: x509.Certificate
    ca_key: Key
    intermediates: tuple[x509.Certificate, ...]
    leaf: x509.Certificate
    leaf_key: Key

    def leaf_pem(self) -> bytes:
        return self.leaf.public_bytes(serialization.Encoding.PEM)

    def key_pem(self, *, traditional: bool = False) -> bytes:
        fmt = (
            serialization.PrivateFormat.TraditionalOpenSSL
            if traditional
            else serialization.PrivateFormat.PKCS8
        )
        return self.leaf_key.private_bytes(
            serialization.Encoding.PEM, fmt, serialization.NoEncryption()
        )

    def chain_pem(self) -> bytes:
        return b"".join(
            c.public_bytes(serialization.Encoding.PEM) for c in self.intermediates
        )


def make_pki(
    leaf_kind: str = "rsa",
    *,
    ca_kind: str = "rsa",
    intermediate: bool = False,
    serial: int = 0x1234567890ABCDEF,
    expired: bool = False,
    server_ip: str | None = None,
) -> Pki:
    """A fresh PKI; ``expired`` makes the leaf's validity end a day ago."""
    day = timedelta(days=1)
    ca_key = new_key(ca_kind)
    ca = _cert(
        subject="awscore test CA",
        key=ca_key,
        issuer=None,
        issuer_key=ca_key,
        ca=True,
        serial=1,
        not_before=NOW - 10 * day,
        not_after=NOW + 365 * day,
    )
    issuer, issuer_key = ca, ca_key
    intermediates: tuple[x509.Certificate, ...] = ()
    if intermediate:
        mid_key = new_key(ca_kind)
        mid = _cert(
            subject="awscore test intermediate",
            key=mid_key,
            issuer=ca,
            issuer_key=ca_key,
            ca=True,
            serial=2,
            not_before=NOW - 10 * day,
            not_after=NOW + 300 * day,
        )
        issuer, issuer_key, intermediates = mid, mid_key, (mid,)
    leaf_key = new_key(leaf_kind)
    leaf = _cert(
        subject="onprem-host-1",
        key=leaf_key,
        issuer=issuer,
        issuer_key=issuer_key,
        ca=False,
        serial=serial,
        not_before=NOW - 5 * day,
        not_after=NOW - day if expired else NOW + 30 * day,
        server_ip=server_ip,
    )
    return Pki(ca, ca_key, intermediates, leaf, leaf_key)
