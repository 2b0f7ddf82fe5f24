"""Kinesis routing and capacity at their edges: explicit hash keys out of range,
keys that are not text, shards too narrow to split, traffic that is not
:class:`KeyTraffic`, and CSV that the ``csv`` module itself cannot read.

Expected values come from the Kinesis API reference (hash keys are 0..2**128-1;
SplitShard needs StartingHashKey + 1 < NewStartingHashKey < EndingHashKey; a
shard takes 1,000 records/s or 1 MiB/s) and are worked out by hand.
"""

from __future__ import annotations

from typing import Any

import pytest

from awscore.errors import (
    InvalidHashKeyError,
    InvalidPartitionKeyError,
    InvalidTrafficError,
    ShardNotFoundError,
)
from awscore.kinesis import (
    MAX_HASH_KEY,
    KeyTraffic,
    Shard,
    Stream,
    analyze,
    hash_key,
    read_traffic_csv,
)

LONE = "\udc80"  # a str with no UTF-8 form: no client can send it as a key


def _stream(*ranges: tuple[int, int]) -> Stream:
    return Stream(
        tuple(
            Shard(shard_id=f"shardId-{i:012d}", starting_hash_key=a, ending_hash_key=b)
            for i, (a, b) in enumerate(ranges)
        )
    )


# --- routing ---------------------------------------------------------------------


def test_shard_size_counts_its_hash_keys() -> None:
    low, high = Stream.create(2).open_shards
    assert low.size == 2**127
    assert high.size == 2**127
    assert _stream((0, 2), (3, MAX_HASH_KEY)).open_shards[0].size == 3


@pytest.mark.parametrize("explicit", [-1, 2**128, True, 1.5])
def test_explicit_hash_key_out_of_range_is_refused(explicit: Any) -> None:
    with pytest.raises(InvalidHashKeyError, match=r"is out of range: must be 0\.\."):
        Stream.create(2).shard_for("k", explicit_hash_key=explicit)


@pytest.mark.parametrize(
    ("explicit", "index"), [(0, 0), (2**127 - 1, 0), (2**127, 1), (MAX_HASH_KEY, 1)]
)
def test_explicit_hash_key_as_int_routes_by_range(explicit: int, index: int) -> None:
    stream = Stream.create(2)
    assert (
        stream.shard_for("k", explicit_hash_key=explicit) == (stream.open_shards[index])
    )


def test_neither_partition_key_nor_hash_key_is_refused() -> None:
    with pytest.raises(InvalidHashKeyError, match="partition key or an explicit hash"):
        Stream.create(2).shard_for()


def test_key_without_utf8_form_is_a_typed_error_one_by_one_and_in_bulk() -> None:
    stream = Stream.create(3)
    with pytest.raises(InvalidPartitionKeyError):
        stream.shard_for(f"user{LONE}")
    with pytest.raises(InvalidPartitionKeyError):
        stream.shards_for(["user1", f"user{LONE}"])


@pytest.mark.parametrize("bad", [None, 7, "", "k" * 257])
def test_bulk_routing_refuses_what_single_routing_refuses(bad: Any) -> None:
    stream = Stream.create(3)
    with pytest.raises((InvalidPartitionKeyError, InvalidHashKeyError)):
        stream.shard_for(bad)
    with pytest.raises((InvalidPartitionKeyError, InvalidHashKeyError)):
        stream.shards_for(["user1", bad])


def test_partition_key_must_be_text() -> None:
    with pytest.raises(InvalidPartitionKeyError, match="must be a str, not bytes"):
        hash_key(b"user1")  # type: ignore[arg-type]


def test_split_key_of_another_type_is_refused() -> None:
    stream = Stream.create(1)
    with pytest.raises(InvalidHashKeyError, match="int or a decimal string, not float"):
        stream.split_shard("shardId-000000000000", 2.0**127)  # type: ignore[arg-type]


def test_unknown_shard_names_the_ids_the_stream_has() -> None:
    with pytest.raises(
        ShardNotFoundError, match=r"\(2 shards, shardId-0+\.\.shardId-0+1\)"
    ):
        Stream.create(2).shard("shardId-000000000007")


# --- capacity ----------------------------------------------------------------------


@pytest.mark.parametrize("rate", ["5", None, True])
def test_rate_that_is_not_a_number_is_refused(rate: Any) -> None:
    with pytest.raises(InvalidTrafficError, match="is not a number"):
        KeyTraffic(partition_key="k", records_per_second=rate, bytes_per_second=1)


def test_analyze_refuses_traffic_that_is_not_key_traffic() -> None:
    with pytest.raises(
        InvalidTrafficError, match=r"must be KeyTraffic, not \('k', 1, 1\)"
    ):
        analyze(Stream.create(1), [("k", 1, 1)])  # type: ignore[list-item]


def test_hot_shard_too_narrow_to_split_gets_no_suggestion() -> None:
    # Shard 0 covers 3 hash keys, 0..2: no K has 0 + 1 < K < 2.
    stream = _stream((0, 2), (3, MAX_HASH_KEY))
    traffic = [
        KeyTraffic(
            partition_key="hot",
            records_per_second=1500,
            bytes_per_second=0,
            explicit_hash_key="1",
        )
    ]
    narrow = analyze(stream, traffic).shards[0]
    assert narrow.hot
    assert narrow.utilization == 1.5
    assert narrow.split is None


def test_hot_keys_at_the_bottom_of_a_shard_cannot_be_separated() -> None:
    # Two hot keys at hash keys 0 and 1: SplitShard's smallest legal key is
    # StartingHashKey + 2 = 2, which leaves both in the lower child. The
    # suggestion falls back to halving the range, with all the load below.
    traffic = [
        KeyTraffic(
            partition_key=name,
            records_per_second=600,
            bytes_per_second=0,
            explicit_hash_key=key,
        )
        for name, key in (("a", "0"), ("b", "1"))
    ]
    shard = analyze(Stream.create(1), traffic).shards[0]
    assert shard.hot
    assert shard.split is not None
    assert shard.split.new_starting_hash_key == 2**127
    assert (shard.split.lower_utilization, shard.split.upper_utilization) == (1.2, 0)
    assert not shard.split.fixes


def test_csv_the_csv_module_cannot_read_names_its_line() -> None:
    text = 'partition_key,records_per_second,bytes_per_second\n"k"x,1,2\n'
    with pytest.raises(InvalidTrafficError, match="traffic CSV line 2") as caught:
        read_traffic_csv(text)
    assert caught.value.line == 2
