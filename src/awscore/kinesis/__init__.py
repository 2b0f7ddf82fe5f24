"""Amazon Kinesis Data Streams: partition keys onto shards, resharding, capacity.

>>> from awscore.kinesis import Stream, hash_key
>>> stream = Stream.create(4)
>>> stream.shard_for("user123").shard_id
'shardId-000000000001'

:class:`Stream` is an immutable value: resharding returns a new stream.
:func:`simulate_consumer` runs a Lambda event source mapping on a stream.
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
from awscore.kinesis._consumer import (
    MAX_SIMULATED_INVOCATIONS,
    MAX_SIMULATED_WRITES,
    MAX_WINDOW_STATE,
    ConsumerRun,
    Discard,
    Invocation,
    Write,
    failing_handler,
    simulate_consumer,
)
from awscore.kinesis._esm import (
    DEFAULT_ACCOUNT_CONCURRENCY,
    MAX_INVOCATION_PAYLOAD,
    MIN_UNRESERVED_CONCURRENCY,
    ConcurrencyPool,
    EventSourceMapping,
    StartingPosition,
    mapping_from_aws_json,
)
from awscore.kinesis._hashing import (
    HASH_KEY_SPACE,
    MAX_HASH_KEY,
    MAX_PARTITION_KEY_LENGTH,
    hash_key,
    parse_explicit_hash_key,
)
from awscore.kinesis._lambda_event import EventContext, StreamRecord
from awscore.kinesis._stream import (
    MAX_SHARDS,
    ReshardOperation,
    Shard,
    Stream,
    shard_id,
)
from awscore.kinesis._throughput import (
    SHARD_READ_BYTES_PER_SECOND,
    SHARD_READ_CALLS_PER_SECOND,
    ConsumerThroughput,
    IteratorAgeSample,
    iterator_age,
    read_throughput,
)
from awscore.kinesis._writes import MAX_WRITE_SIZE, read_writes_csv

__all__ = [
    "DEFAULT_ACCOUNT_CONCURRENCY",
    "DIGEST_SIZE",
    "HASH_KEY_SPACE",
    "MAGIC",
    "MAX_AGGREGATE_SIZE",
    "MAX_HASH_KEY",
    "MAX_INVOCATION_PAYLOAD",
    "MAX_PARTITION_KEY_LENGTH",
    "MAX_PUT_RECORDS",
    "MAX_RATE",
    "MAX_RECORD_BYTES",
    "MAX_SHARDS",
    "MAX_SIMULATED_INVOCATIONS",
    "MAX_SIMULATED_WRITES",
    "MAX_TRAFFIC_ROWS",
    "MAX_WINDOW_STATE",
    "MAX_WRITE_SIZE",
    "MIN_UNRESERVED_CONCURRENCY",
    "SHARD_BYTES_PER_SECOND",
    "SHARD_READ_BYTES_PER_SECOND",
    "SHARD_READ_CALLS_PER_SECOND",
    "SHARD_RECORDS_PER_SECOND",
    "AggregatedRecord",
    "CapacityReport",
    "ConcurrencyPool",
    "ConsumerRun",
    "ConsumerThroughput",
    "DeaggregatedRecord",
    "Discard",
    "EventContext",
    "EventSourceMapping",
    "Invocation",
    "IteratorAgeSample",
    "KeyLoad",
    "KeyTraffic",
    "PutRecordsEntry",
    "ReshardOperation",
    "Shard",
    "ShardLoad",
    "SplitSuggestion",
    "StartingPosition",
    "Stream",
    "StreamRecord",
    "UserRecord",
    "Write",
    "aggregate",
    "analyze",
    "deaggregate",
    "failing_handler",
    "hash_key",
    "iterator_age",
    "mapping_from_aws_json",
    "parse_explicit_hash_key",
    "read_throughput",
    "read_traffic_csv",
    "read_writes_csv",
    "route_batch",
    "shard_id",
    "shards_needed",
    "simulate_consumer",
]
