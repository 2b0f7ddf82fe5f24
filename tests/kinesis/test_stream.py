"""Kinesis streams: hashing, routing, resharding rules and their properties."""

from __future__ import annotations

import hashlib
import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from awscore.errors import (
    InvalidHashKeyError,
    InvalidPartitionKeyError,
    InvalidReshardError,
    KinesisError,
    ShardNotFoundError,
)
from awscore.kinesis import (
    HASH_KEY_SPACE,
    MAX_HASH_KEY,
    PutRecordsEntry,
    Stream,
    hash_key,
    parse_explicit_hash_key,
    route_batch,
)
from tests.strategies import kinesis as kst

# --- hashing ---------------------------------------------------------------------


def test_hash_key_is_md5_read_big_endian() -> None:
    # computed here from the definition (MD5 of the UTF-8 bytes), not by awscore
    digest = hashlib.md5(b"user123", usedforsecurity=False).digest()
    assert hash_key("user123") == int.from_bytes(digest, "big")
    utf8 = hashlib.md5("ሴ".encode(), usedforsecurity=False).digest()
    assert hash_key("ሴ") == int.from_bytes(utf8, "big")


@pytest.mark.parametrize("key", ["", "x" * 257, "é" * 257])
def test_partition_key_length(key: str) -> None:
    with pytest.raises(InvalidPartitionKeyError, match=r"1\.\.256 characters") as info:
        hash_key(key)
    assert isinstance(info.value, ValueError)


def test_256_characters_of_4_bytes_are_accepted() -> None:
    assert 0 <= hash_key("😀" * 256) <= MAX_HASH_KEY


@pytest.mark.parametrize(
    "text",
    ["", "01", "+1", "-1", "1.0", "1e3", "\uff10", " 1", str(HASH_KEY_SPACE), "9" * 40],
)
def test_bad_explicit_hash_keys(text: str) -> None:
    with pytest.raises(InvalidHashKeyError) as info:
        parse_explicit_hash_key(text)
    assert isinstance(info.value, ValueError)


def test_explicit_hash_key_bounds() -> None:
    assert parse_explicit_hash_key("0") == 0
    assert parse_explicit_hash_key(str(MAX_HASH_KEY)) == MAX_HASH_KEY
    message = str(_raises(InvalidHashKeyError, parse_explicit_hash_key, str(1 << 128)))
    assert "340282366920938463463374607431768211455" in message


def _raises(error: type[Exception], function: object, *args: object) -> Exception:
    with pytest.raises(error) as info:
        function(*args)  # type: ignore[operator]
    return info.value


# --- CreateStream --------------------------------------------------------------


@pytest.mark.parametrize("count", [1, 2, 3, 7, 10_000])
def test_create_follows_the_formula(count: int) -> None:
    """s = floor(2**128 / N); shard i covers [i*s, (i+1)*s - 1]; the last ends at
    2**128 - 1; ids shardId-%012d from 0."""
    stream = Stream.create(count)
    step = HASH_KEY_SPACE // count
    assert len(stream.shards) == count
    for i, shard in enumerate(stream.shards):
        assert shard.shard_id == f"shardId-{i:012d}"
        assert shard.starting_hash_key == i * step
        end = MAX_HASH_KEY if i == count - 1 else (i + 1) * step - 1
        assert shard.ending_hash_key == end


def test_two_shards_split_at_2_127() -> None:
    assert Stream.create(2).shards[1].starting_hash_key == 1 << 127


@pytest.mark.parametrize("count", [0, -1, 10_001, True, 2.0])
def test_bad_shard_counts(count: object) -> None:
    with pytest.raises(InvalidReshardError, match=r"1\.\.10000"):
        Stream.create(count)  # type: ignore[arg-type]


# --- split and merge -------------------------------------------------------------


def test_split_gives_children_the_next_ids() -> None:
    stream = Stream.create(2)
    key = (1 << 126) + 5
    after = stream.split_shard("shardId-000000000000", key)
    lower, upper = after.shards[2], after.shards[3]
    assert (lower.shard_id, lower.starting_hash_key, lower.ending_hash_key) == (
        "shardId-000000000002",
        0,
        key - 1,
    )
    assert (upper.shard_id, upper.starting_hash_key, upper.ending_hash_key) == (
        "shardId-000000000003",
        key,
        (1 << 127) - 1,
    )
    assert lower.parent_shard_id == upper.parent_shard_id == "shardId-000000000000"
    parent = after.shard("shardId-000000000000")
    assert not parent.is_open
    assert (parent.starting_hash_key, parent.ending_hash_key) == (0, (1 << 127) - 1)
    assert stream.shard("shardId-000000000000").is_open  # the old stream is intact


@pytest.mark.parametrize("offset", [0, 1])
def test_split_key_must_exceed_start_plus_one(offset: int) -> None:
    with pytest.raises(InvalidHashKeyError, match="StartingHashKey"):
        Stream.create(2).split_shard("shardId-000000000000", offset)


def test_split_key_must_be_below_the_end() -> None:
    with pytest.raises(InvalidHashKeyError):
        Stream.create(2).split_shard("shardId-000000000000", (1 << 127) - 1)
    Stream.create(2).split_shard("shardId-000000000000", (1 << 127) - 2)
    Stream.create(2).split_shard("shardId-000000000000", 2)


def test_merge_in_either_order() -> None:
    stream = Stream.create(3)
    for first, second in (
        ("shardId-000000000001", "shardId-000000000002"),
        ("shardId-000000000002", "shardId-000000000001"),
    ):
        child = stream.merge_shards(first, second).shards[-1]
        assert child.parent_shard_id == first
        assert child.adjacent_parent_shard_id == second
        assert child.starting_hash_key == stream.shards[1].starting_hash_key
        assert child.ending_hash_key == MAX_HASH_KEY


def test_merge_requires_adjacent_open_shards() -> None:
    stream = Stream.create(3)
    with pytest.raises(InvalidReshardError, match="not adjacent"):
        stream.merge_shards("shardId-000000000000", "shardId-000000000002")
    merged = stream.merge_shards("shardId-000000000000", "shardId-000000000001")
    with pytest.raises(InvalidReshardError, match="closed"):
        merged.merge_shards("shardId-000000000001", "shardId-000000000002")
    with pytest.raises(ShardNotFoundError):
        merged.merge_shards("shardId-000000000009", "shardId-000000000002")


# --- uniform scaling -----------------------------------------------------------


@pytest.mark.parametrize(("current", "target"), [(5, 2), (4, 9), (10_000, 10_001)])
def test_scaling_limits(current: int, target: int) -> None:
    with pytest.raises(InvalidReshardError):
        Stream.create(current).update_shard_count(target)


def test_odd_counts_halve_rounding_up() -> None:
    Stream.create(5).update_shard_count(3)
    with pytest.raises(InvalidReshardError, match="rounded up: 3"):
        Stream.create(5).update_shard_count(2)


def test_scaling_plan_is_minimal() -> None:
    """4 -> 8 only adds boundaries: four splits; 8 -> 4 only removes them."""
    assert [op.kind for op in Stream.create(4).plan_shard_count(8)] == ["split"] * 4
    assert [op.kind for op in Stream.create(8).plan_shard_count(4)] == ["merge"] * 4
    assert Stream.create(6).plan_shard_count(6) == []


# --- properties ----------------------------------------------------------------


def _ranges(stream: Stream) -> list[tuple[int, int]]:
    return [(s.starting_hash_key, s.ending_hash_key) for s in stream.open_shards]


@given(stream=kst.resharded_streams())
def test_open_shards_partition_the_key_space(stream: Stream) -> None:
    """Open shards partition [0, 2**128 - 1] with no gap and no overlap."""
    ranges = _ranges(stream)
    assert ranges[0][0] == 0
    assert ranges[-1][1] == MAX_HASH_KEY
    for (_, end), (start, _) in itertools.pairwise(ranges):
        assert start == end + 1


@given(stream=kst.resharded_streams(), key=kst.hash_keys)
def test_shard_for_is_the_one_open_shard_with_the_key(stream: Stream, key: int) -> None:
    """shard_for returns the one open shard whose range contains the key."""
    containing = [s for s in stream.open_shards if key in s]
    assert [stream.shard_for(explicit_hash_key=key)] == containing
    assert stream.shard_for(explicit_hash_key=str(key)) == containing[0]


@given(stream=kst.resharded_streams())
def test_lineage_is_a_forest_rooted_at_the_original_shards(stream: Stream) -> None:
    """Every shard's parents exist and are closed, ids only point backwards, and
    following parents always ends at a shard CreateStream made."""
    index = {s.shard_id: i for i, s in enumerate(stream.shards)}
    originals = {s.shard_id for s in stream.shards if s.parent_shard_id is None}
    for i, shard in enumerate(stream.shards):
        for parent in (shard.parent_shard_id, shard.adjacent_parent_shard_id):
            if parent is not None:
                assert index[parent] < i
                assert not stream.shard(parent).is_open
        root = shard
        while root.parent_shard_id is not None:
            root = stream.shard(root.parent_shard_id)
        assert root.shard_id in originals
    assert all(
        s.adjacent_parent_shard_id is None
        for s in stream.shards
        if s.parent_shard_id is None
    )


@given(stream=kst.resharded_streams(max_steps=6), data=st.data())
def test_uniform_scaling_gives_the_createstream_boundaries(
    stream: Stream, data: st.DataObject
) -> None:
    """UpdateShardCount(target) leaves exactly CreateStream(target)'s ranges."""
    count = len(stream.open_shards)
    target = data.draw(st.integers(min_value=(count + 1) // 2, max_value=2 * count))
    scaled = stream.update_shard_count(target)
    assert _ranges(scaled) == _ranges(Stream.create(target))


@given(key=kst.partition_keys, count=st.integers(min_value=1, max_value=200))
def test_a_key_always_lands_on_the_same_shard(key: str, count: int) -> None:
    """The same partition key always goes to the same shard of a stream."""
    stream = Stream.create(count)
    assert stream.shard_for(key) == stream.shard_for(key)
    assert hash_key(key) in stream.shard_for(key)


@given(text=st.text(max_size=60))
def test_hostile_explicit_hash_keys_raise_typed_errors(text: str) -> None:
    """Any string is either a valid ExplicitHashKey or a KinesisError."""
    try:
        value = parse_explicit_hash_key(text)
    except KinesisError:
        return
    assert 0 <= value <= MAX_HASH_KEY
    assert str(value) == text


# --- PutRecords batches ------------------------------------------------------------


@given(
    keys=st.lists(st.sampled_from(["a", "b", "c", "d", "e"]), min_size=1, max_size=500),
    count=st.integers(min_value=1, max_value=8),
)
def test_a_batch_keeps_each_keys_order(keys: list[str], count: int) -> None:
    """Routing a PutRecords batch keeps the request order of each key's records,
    and every record goes to its key's shard."""
    stream = Stream.create(count)
    records = [
        PutRecordsEntry(partition_key=k, data=str(i).encode())
        for i, k in enumerate(keys)
    ]
    routed = route_batch(stream, records)
    assert sum(len(v) for v in routed.values()) == len(records)
    for shard_id, shard_records in routed.items():
        indexes = [int(r.data) for r in shard_records]
        assert indexes == sorted(indexes)
        assert all(
            stream.shard_for(r.partition_key).shard_id == shard_id
            for r in shard_records
        )


def test_batch_limits() -> None:
    stream = Stream.create(2)
    with pytest.raises(KinesisError, match=r"1\.\.500"):
        route_batch(stream, [PutRecordsEntry(partition_key="k")] * 501)
    with pytest.raises(KinesisError, match="record 0 is 1048577 bytes"):
        route_batch(stream, [PutRecordsEntry(partition_key="k", data=b"x" * 1048576)])
    with pytest.raises(KinesisError, match="at most 5242880"):
        route_batch(
            stream, [PutRecordsEntry(partition_key="k", data=b"x" * 1048000)] * 6
        )


@given(
    stream=kst.resharded_streams(max_steps=4),
    keys=st.lists(kst.partition_keys, max_size=20),
)
def test_shards_for_is_shard_for_in_bulk(stream: Stream, keys: list[str]) -> None:
    """shards_for(keys) routes each key exactly as shard_for does."""
    assert stream.shards_for(keys) == [stream.shard_for(k) for k in keys]


def test_shards_for_rejects_bad_keys() -> None:
    with pytest.raises(InvalidPartitionKeyError):
        Stream.create(3).shards_for(["ok", ""])
