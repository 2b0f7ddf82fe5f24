"""Amazon Kinesis Data Streams: partition keys onto shards, resharding, capacity.

>>> from awscore.kinesis import Stream, hash_key
>>> stream = Stream.create(4)
>>> stream.shard_for("user123").shard_id
'shardId-000000000001'

:class:`Stream` is an immutable value: resharding returns a new stream.
"""

from __future__ import annotations

from awscore.kinesis._aggregation import (
    DIGEST_SIZE,
    MAGIC,
    MAX_AGGREGATE_SIZE,
    AggregatedRecord,
    DeaggregatedRecord,
    UserRecord,
    aggregate,
    deaggregate,
)
from awscore.kinesis._batch import (
    MAX_PUT_RECORDS,
    MAX_RECORD_BYTES,
    PutRecordsEntry,
    route_batch,
)
from awscore.kinesis._capacity import (
    MAX_RATE,
    MAX_TRAFFIC_ROWS,
    SHARD_BYTES_PER_SECOND,
    SHARD_RECORDS_PER_SECOND,
    CapacityReport,
    KeyLoad,
    KeyTraffic,
    ShardLoad,
    SplitSuggestion,
    analyze,
    read_traffic_csv,
    shards_needed,
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
    "DIGEST_SIZE",
    "HASH_KEY_SPACE",
    "MAGIC",
    "MAX_AGGREGATE_SIZE",
    "MAX_HASH_KEY",
    "MAX_PARTITION_KEY_LENGTH",
    "MAX_PUT_RECORDS",
    "MAX_RATE",
    "MAX_RECORD_BYTES",
    "MAX_SHARDS",
    "MAX_TRAFFIC_ROWS",
    "SHARD_BYTES_PER_SECOND",
    "SHARD_RECORDS_PER_SECOND",
    "AggregatedRecord",
    "CapacityReport",
    "DeaggregatedRecord",
    "KeyLoad",
    "KeyTraffic",
    "PutRecordsEntry",
    "ReshardOperation",
    "Shard",
    "ShardLoad",
    "SplitSuggestion",
    "Stream",
    "UserRecord",
    "aggregate",
    "analyze",
    "deaggregate",
    "hash_key",
    "parse_explicit_hash_key",
    "read_traffic_csv",
    "route_batch",
    "shard_id",
    "shards_needed",
]
