"""SigV4A: the ECDSA P-256 key derived from an AWS secret, and its signatures.

Key derivation (aws-c-auth, ``aws_ecc_key_pair_derive_from_access_key``; a NIST SP
800-108 counter-mode KDF with HMAC-SHA256): with the HMAC key ``"AWS4A" + secret``,
for a counter c = 1, 2, ... 254 compute

    k0 = HMAC(key, 00000001 || "AWS4-ECDSA-P256-SHA256" || 00 || access key id
              || byte(c) || 00000100)

read as a big-endian integer; the first k0 <= n - 2 (n the P-256 group order) gives
the private key d = k0 + 1. A candidate above n - 2 has probability about 2**-32, so
the loop practically always ends at c = 1; after 254 failures derivation gives up.

Signatures are DER-encoded ECDSA-SHA256 over the string to sign, hex in the
request. ECDSA is randomized: two signatures of the same string differ, so they are
compared by verifying, never byte for byte.
"""

from __future__ import annotations

import functools
import hmac

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

from awscore.errors import ArgumentTypeError, SigV4Error, SigV4InputError

__all__ = [
    "ALGORITHM_V4A",
    "derive_v4a_private_key",
    "derive_v4a_public_key",
    "ecdsa_sign_hex",
    "ecdsa_verify_hex",
]

#: The SigV4A algorithm name: ECDSA over P-256 with SHA-256.
ALGORITHM_V4A = "AWS4-ECDSA-P256-SHA256"
# The order of the P-256 group (SEC 2, secp256r1 "n").
_P256_ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
_ECDSA = ec.ECDSA(hashes.SHA256())


@functools.lru_cache(maxsize=64)
def derive_v4a_private_key(
    access_key_id: str, secret_access_key: str
) -> ec.EllipticCurvePrivateKey:
    """The SigV4A private key for a key pair (cached per credentials)."""
    if not isinstance(access_key_id, str) or not isinstance(secret_access_key, str):
        raise ArgumentTypeError(
            "the access key id and the secret access key must be strings"
        )
    try:
        hmac_key = ("AWS4A" + secret_access_key).encode()
        fixed = b"\x00\x00\x00\x01" + ALGORITHM_V4A.encode() + b"\x00"
        fixed += access_key_id.encode()
    except UnicodeEncodeError:
        raise SigV4InputError(
            "the credentials hold text that is not valid Unicode (a lone "
            "surrogate) and cannot be encoded as UTF-8"
        ) from None
    for counter in range(1, 255):
        k0 = int.from_bytes(
            hmac.digest(
                hmac_key, fixed + bytes([counter]) + b"\x00\x00\x01\x00", "sha256"
            ),
            "big",
        )
        if k0 <= _P256_ORDER - 2:
            return ec.derive_private_key(k0 + 1, ec.SECP256R1())
    raise SigV4Error(  # pragma: no cover - probability about 2**-8100
        "could not derive a SigV4A key from these credentials after 254 tries"
    )


@functools.lru_cache(maxsize=64)
def derive_v4a_public_key(
    access_key_id: str, secret_access_key: str
) -> ec.EllipticCurvePublicKey:
    """The SigV4A public key: what a verifier needs, safe to share (cached)."""
    return derive_v4a_private_key(access_key_id, secret_access_key).public_key()


def ecdsa_sign_hex(key: ec.EllipticCurvePrivateKey, message: bytes) -> str:
    """Hex of the DER ECDSA-SHA256 signature of ``message``."""
    return key.sign(message, _ECDSA).hex()


def ecdsa_verify_hex(
    key: ec.EllipticCurvePublicKey, signature_hex: str, message: bytes
) -> bool:
    """Whether ``signature_hex`` (hex DER) is a valid signature of ``message``."""
    try:
        signature = bytes.fromhex(signature_hex)
    except ValueError:
        return False
    try:
        key.verify(signature, message, _ECDSA)
    except (InvalidSignature, ValueError):
        return False
    return True
