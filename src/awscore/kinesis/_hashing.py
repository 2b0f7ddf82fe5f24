"""Partition keys and hash keys: how Kinesis picks a shard for a record.

Kinesis hashes the partition key with MD5 and reads the 16-byte digest as an
unsigned big-endian 128-bit integer; an ``ExplicitHashKey`` (a decimal string)
replaces that hash. A record goes to the open shard whose inclusive hash-key range
contains the result (Kinesis Data Streams API reference, PutRecord).
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Callable
from typing import Any

from awscore._inputs import shown
from awscore.errors import InvalidHashKeyError, InvalidPartitionKeyError

__all__ = [
    "HASH_KEY_SPACE",
    "MAX_HASH_KEY",
    "MAX_PARTITION_KEY_LENGTH",
    "hash_key",
    "parse_explicit_hash_key",
]

#: The number of hash keys: 2**128.
HASH_KEY_SPACE = 1 << 128
#: The largest hash key, 2**128 - 1.
MAX_HASH_KEY = HASH_KEY_SPACE - 1
#: Partition keys are 1..256 characters (Unicode code points).
MAX_PARTITION_KEY_LENGTH = 256

_EXPLICIT = re.compile(r"0|[1-9][0-9]{0,38}")


def _md5_for_hashing() -> Callable[[bytes], Any]:
    # MD5 here is a hash function, not security. Builds of OpenSSL in FIPS mode
    # refuse plain md5(); only there pay for the keyword that allows it.
    try:
        hashlib.md5(b"")  # noqa: S324 - a probe for FIPS mode, not a use
    except ValueError:  # pragma: no cover - FIPS builds only
        return functools.partial(hashlib.md5, usedforsecurity=False)
    return hashlib.md5


#: ``hashlib.md5``, allowed under FIPS: the one MD5 every Kinesis module uses.
md5 = _md5_for_hashing()


def check_partition_key(partition_key: str) -> None:
    """Raise :class:`InvalidPartitionKeyError` unless 1..256 characters long."""
    if not isinstance(partition_key, str):
        raise InvalidPartitionKeyError(
            f"partition key must be a str, not {type(partition_key).__name__}"
        )
    if not 1 <= len(partition_key) <= MAX_PARTITION_KEY_LENGTH:
        raise InvalidPartitionKeyError(
            f"partition key of {len(partition_key)} characters is not accepted: it "
            f"must be 1..{MAX_PARTITION_KEY_LENGTH} characters (Unicode code points)"
        )


def hash_key(partition_key: str) -> int:
    """The 128-bit hash key of ``partition_key``: MD5 of its UTF-8 bytes.

    Partition keys are 1..256 characters, counted as Unicode code points (what
    the API's length limit counts); the hash is over the UTF-8 bytes, so a key
    of 256 characters may hash up to 1,024 bytes. Raises
    :class:`~awscore.errors.InvalidPartitionKeyError` outside that range.
    """
    check_partition_key(partition_key)
    try:
        digest = md5(partition_key.encode()).digest()
    except UnicodeEncodeError:
        raise InvalidPartitionKeyError(
            f"partition key {partition_key[:40]!r} is not valid Unicode (a lone "
            "surrogate) and has no UTF-8 form to hash"
        ) from None
    return int.from_bytes(digest, "big")


def parse_explicit_hash_key(text: str) -> int:
    """The value of an ``ExplicitHashKey``: ``0|[1-9][0-9]{0,38}``, at most 2**128-1.

    Raises :class:`~awscore.errors.InvalidHashKeyError` for anything else (a sign,
    a leading zero, non-digits, or a value above 2**128 - 1).
    """
    if not isinstance(text, str) or not _EXPLICIT.fullmatch(text):
        raise InvalidHashKeyError(
            f"ExplicitHashKey {shown(text)} is malformed: it must be a decimal "
            "integer without sign or leading zeros, 0..340282366920938463463374607431"
            "768211455"
        )
    value = int(text)
    if value > MAX_HASH_KEY:
        raise InvalidHashKeyError(
            f"ExplicitHashKey '{text}' is out of range: must be 0..{MAX_HASH_KEY}"
        )
    return value
