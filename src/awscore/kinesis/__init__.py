"""Amazon Kinesis Data Streams: partition keys onto shards, resharding, capacity.

>>> from awscore.kinesis import Stream, hash_key
>>> stream = Stream.create(4)
>>> stream.shard_for("user123").shard_id
'shardId-000000000001'

:class:`Stream` is an immutable value: resharding returns a new stream.
"""

from __future__ import annotations

from awscore.kinesis._batch import (
    MAX_PUT_RECORDS,
    MAX_RECORD_BYTES,
    PutRecordsEntry,
    route_batch,
)
from awscore.kinesis._hashing import (
    HASH_KEY_SPACE,
    MAX_HASH_KEY,
    MAX_PARTITION_KEY_LENGTH,
    hash_key,
    parse_explicit_hash_key,
)
from awscore.kinesis._stream import (
    MAX_SHARDS,
    ReshardOperation,
    Shard,
    Stream,
    shard_id,
)

__all__ = [
    "HASH_KEY_SPACE",
    "MAX_HASH_KEY",
    "MAX_PARTITION_KEY_LENGTH",
    "MAX_PUT_RECORDS",
    "MAX_RECORD_BYTES",
    "MAX_SHARDS",
    "PutRecordsEntry",
    "ReshardOperation",
    "Shard",
    "Stream",
    "hash_key",
    "parse_explicit_hash_key",
    "route_batch",
    "shard_id",
]
