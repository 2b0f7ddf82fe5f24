"""SigV4 signing-key derivation with a bounded, thread-safe cache.

kSecret = "AWS4" + secret; kDate = HMAC(kSecret, date); kRegion = HMAC(kDate,
region); kService = HMAC(kRegion, service); kSigning = HMAC(kService,
"aws4_request") (AWS SigV4 documentation, "Calculate the signature").
"""

from __future__ import annotations

import functools
import hashlib
import hmac
from typing import Any

from awscore.errors import ArgumentTypeError, SigV4InputError
from awscore.sigv4._model import kind_of

__all__ = ["derive_signing_key", "hmac_sha256_hex", "signing_key_cache_clear"]


def _hmac(key: bytes, message: str) -> bytes:
    return hmac.digest(key, message.encode(), "sha256")


# functools.lru_cache is bounded and safe to share between threads. A key is
# valid for one day, region and service, so a client that signs for a handful of
# services keeps hitting the cache; 256 entries bound the memory whatever the mix.
@functools.lru_cache(maxsize=256)
def _cached_key(secret: str, date: str, region: str, service: str) -> bytes:
    key = _hmac(("AWS4" + secret).encode(), date)
    key = _hmac(key, region)
    key = _hmac(key, service)
    return _hmac(key, "aws4_request")


@functools.lru_cache(maxsize=256)
def _hmac_pads(key: bytes) -> tuple[Any, Any]:
    # RFC 2104: HMAC(K, m) = H((K ^ opad) || H((K ^ ipad) || m)). The two padded
    # key blocks depend on the key only, so their hash states are computed once
    # and copied per signature, which is about twice as fast as hmac.digest.
    block = key.ljust(64, b"\0")
    inner = hashlib.sha256(bytes(b ^ 0x36 for b in block))
    outer = hashlib.sha256(bytes(b ^ 0x5C for b in block))
    return inner, outer


def hmac_sha256_hex(key: bytes, message: bytes) -> str:
    """Hex HMAC-SHA256 of ``message`` under a 32-byte signing ``key``."""
    inner, outer = _hmac_pads(key)
    ih = inner.copy()
    ih.update(message)
    oh = outer.copy()
    oh.update(ih.digest())
    return str(oh.hexdigest())


def derive_signing_key(secret: str, date: str, region: str, service: str) -> bytes:
    """The SigV4 signing key for ``secret`` on ``date`` (``YYYYMMDD``), region, service.

    Derived once per ``(secret, date, region, service)`` and cached. Raises
    :class:`~awscore.errors.SigV4InputError` for an argument that is not text or
    holds a lone surrogate (not valid Unicode, so not encodable as UTF-8).
    """
    try:
        return _cached_key(secret, date, region, service)
    except (TypeError, AttributeError, UnicodeEncodeError):
        # Only reached on a cache miss: the hit path does no checking at all.
        for name, value in (
            ("secret", secret),
            ("date", date),
            ("region", region),
            ("service", service),
        ):
            if not isinstance(value, str):
                raise ArgumentTypeError(
                    f"derive_signing_key's {name} must be a string, not "
                    f"{kind_of(value)}"
                ) from None
        raise SigV4InputError(
            "derive_signing_key's arguments hold text that is not valid Unicode "
            "(a lone surrogate) and cannot be encoded as UTF-8"
        ) from None


def signing_key_cache_clear() -> None:
    """Forget every cached signing key (say, after rotating credentials)."""
    _cached_key.cache_clear()
    _hmac_pads.cache_clear()
