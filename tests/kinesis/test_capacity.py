"""Capacity analysis: shard loads, hot shards, split suggestions, traffic CSV."""

from __future__ import annotations

import itertools
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from awscore.errors import (
    InvalidHashKeyError,
    InvalidPartitionKeyError,
    InvalidTrafficError,
    KinesisInputError,
)
from awscore.kinesis import (
    MAX_HASH_KEY,
    SHARD_BYTES_PER_SECOND,
    KeyTraffic,
    ShardLoad,
    Stream,
    analyze,
    hash_key,
    read_traffic_csv,
    shards_needed,
)

ONE_SHARD = Stream.create(1)


def traffic(key: str, records: float, size: float = 0.0) -> KeyTraffic:
    return KeyTraffic(
        partition_key=key, records_per_second=records, bytes_per_second=size
    )


# --- unit tests, hand-computed ------------------------------------------------


def test_two_keys_on_one_shard_split_between_them() -> None:
    # 'a' and 'b' are 1-byte keys: 600 records/s each add 600 bytes/s of key.
    report = analyze(ONE_SHARD, [traffic("a", 600, 1000), traffic("b", 600, 1000)])
    (load,) = report.shards
    assert load.records_per_second == 1200
    assert load.bytes_per_second == 3200
    assert load.record_utilization == 1.2
    assert load.byte_utilization == 3200 / 1_048_576
    assert load.utilization == 1.2
    assert load.hot
    assert [k.partition_key for k in load.keys] == ["a", "b"]  # by hash key
    assert hash_key("a") < hash_key("b")
    assert load.split is not None
    assert load.split.new_starting_hash_key == hash_key("a") + 1
    assert load.split.lower_utilization == 0.6
    assert load.split.upper_utilization == 0.6
    assert load.split.fixes
    assert report.shards_needed == 2


def test_one_key_over_1000_records_cannot_be_fixed() -> None:
    report = analyze(ONE_SHARD, [traffic("a", 1500), traffic("b", 10)])
    (load,) = report.shards
    assert load.hot
    assert load.split is not None
    assert not load.split.fixes
    assert load.split.lower_utilization == 1.5  # 'a' isolated below the split
    assert load.split.upper_utilization == 0.01
    assert "'a'" in load.split.reason
    assert "no split can fix it" in load.split.reason


def test_a_single_hot_key_alone_gets_an_honest_non_fix() -> None:
    (load,) = analyze(ONE_SHARD, [traffic("a", 2000)]).shards
    assert load.split is not None
    assert not load.split.fixes
    assert max(load.split.lower_utilization, load.split.upper_utilization) == 2.0


def test_bytes_limit_counts_partition_key_bytes() -> None:
    # 1,000 records/s of a 4-byte key ('ключ' is 8 UTF-8 bytes, 4 characters)
    key = "ключ"
    data = SHARD_BYTES_PER_SECOND - 1000 * 8
    (load,) = analyze(ONE_SHARD, [traffic(key, 1000, data)]).shards
    assert load.bytes_per_second == SHARD_BYTES_PER_SECOND
    assert load.byte_utilization == 1.0
    assert not load.hot  # exactly at the limit is still within it
    (over,) = analyze(ONE_SHARD, [traffic(key, 1000, data + 1)]).shards
    assert over.hot
    assert over.utilization > 1.0


def test_cool_shards_get_no_suggestion() -> None:
    report = analyze(Stream.create(4), [traffic("user123", 10, 100)])
    assert all(s.split is None for s in report.shards)
    assert report.hot_shards == ()
    assert report.shards_needed == 1


def test_explicit_hash_key_routes_the_record() -> None:
    stream = Stream.create(4)
    item = KeyTraffic(
        partition_key="k",
        records_per_second=5,
        bytes_per_second=0,
        explicit_hash_key=str(MAX_HASH_KEY),
    )
    report = analyze(stream, [item])
    assert report.shards[3].records_per_second == 5
    assert report.shards[3].bytes_per_second == 5  # the key's 1 byte, 5 times


def test_keys_sharing_a_hash_key_are_never_split_apart() -> None:
    items = [
        KeyTraffic(
            partition_key=name,
            records_per_second=600,
            bytes_per_second=0,
            explicit_hash_key="1000",
        )
        for name in ("x", "y")
    ]
    (load,) = analyze(ONE_SHARD, items).shards
    assert load.split is not None
    assert not load.split.fixes
    assert max(load.split.lower_utilization, load.split.upper_utilization) == 1.2


def test_split_at_starting_hash_key_moves_to_the_first_legal_key() -> None:
    # A key hashed to StartingHashKey: K = h + 1 would break Start + 1 < K.
    items = [
        KeyTraffic(
            partition_key="x",
            records_per_second=600,
            bytes_per_second=0,
            explicit_hash_key="0",
        ),
        KeyTraffic(
            partition_key="y",
            records_per_second=600,
            bytes_per_second=0,
            explicit_hash_key="5",
        ),
    ]
    (load,) = analyze(ONE_SHARD, items).shards
    assert load.split is not None
    assert load.split.new_starting_hash_key == 2
    assert load.split.fixes


@pytest.mark.parametrize(
    ("records", "size", "expected"),
    [
        (0, 0, 1),
        (1000, 0, 1),
        (1001, 0, 2),
        (0, 1_048_576, 1),
        (0, 1_048_577, 2),
        (2500, 3 * 1_048_576, 3),
    ],
)
def test_shards_needed(records: float, size: float, expected: int) -> None:
    assert shards_needed(records, size) == expected


@pytest.mark.parametrize("bad", [-1, -0.5, math.inf, math.nan])
def test_negative_or_infinite_rates_are_refused(bad: float) -> None:
    with pytest.raises(
        InvalidTrafficError, match=r"must be a finite number 0\.\.1e\+15"
    ):
        traffic("k", bad)
    with pytest.raises(InvalidTrafficError, match=r"bytes_per_second"):
        traffic("k", 1, bad)
    with pytest.raises(InvalidTrafficError):
        shards_needed(bad, 0)


def test_bad_keys_are_refused() -> None:
    with pytest.raises(InvalidPartitionKeyError):
        traffic("", 1)
    with pytest.raises(InvalidHashKeyError, match="out of range"):
        KeyTraffic(
            partition_key="k",
            records_per_second=1,
            bytes_per_second=0,
            explicit_hash_key=str(MAX_HASH_KEY + 1),
        )


def test_invalid_traffic_is_a_kinesis_input_and_value_error() -> None:
    assert issubclass(InvalidTrafficError, KinesisInputError)
    assert issubclass(InvalidTrafficError, ValueError)


# --- traffic CSV ---------------------------------------------------------------


def test_read_traffic_csv() -> None:
    text = (
        "partition_key,records_per_second,bytes_per_second,explicit_hash_key\n"
        "user123,500,51200,\n"
        "\n"
        "user456,1.5,10,42\n"
    )
    rows = read_traffic_csv(text)
    assert rows == [
        traffic("user123", 500, 51200),
        KeyTraffic(
            partition_key="user456",
            records_per_second=1.5,
            bytes_per_second=10,
            explicit_hash_key="42",
        ),
    ]
    assert rows[1].hash_key == 42


def test_read_traffic_csv_without_the_optional_column() -> None:
    rows = read_traffic_csv("partition_key,records_per_second,bytes_per_second\na,1,2")
    assert rows == [traffic("a", 1, 2)]


@pytest.mark.parametrize(
    ("text", "line", "column", "words"),
    [
        ("", 1, None, "empty"),
        ("key,rate\n", 1, None, "header"),
        ("partition_key,records_per_second,bytes_per_second\na,x,1\n", 2,
         "records_per_second", "not a number"),
        ("partition_key,records_per_second,bytes_per_second\na,1,2\nb,1,-3\n", 3,
         "bytes_per_second", "out of range"),
        ("partition_key,records_per_second,bytes_per_second\na,1\n", 2, None,
         "2 fields"),
        ("partition_key,records_per_second,bytes_per_second\n,1,1\n", 2,
         "partition_key", "0 characters"),
        ("partition_key,records_per_second,bytes_per_second,explicit_hash_key\n"
         "a,1,1,-1\n", 2, "explicit_hash_key", "malformed"),
    ],
)  # fmt: skip
def test_bad_csv_names_line_and_column(
    text: str, line: int, column: str | None, words: str
) -> None:
    with pytest.raises(InvalidTrafficError, match=words) as info:
        read_traffic_csv(text)
    assert info.value.line == line
    assert info.value.column == column
    assert f"line {line}" in str(info.value)
    if column is not None:
        assert f"column {column}" in str(info.value)


# --- properties ----------------------------------------------------------------

rates = st.integers(min_value=0, max_value=2000) | st.floats(
    min_value=0, max_value=2000, allow_nan=False
)
key_traffic = st.builds(
    KeyTraffic,
    # surrogates have no UTF-8 form: Kinesis cannot take them as keys
    partition_key=st.text(
        st.characters(exclude_categories=["Cs"]), min_size=1, max_size=8
    ),
    records_per_second=rates,
    bytes_per_second=st.integers(min_value=0, max_value=2 * SHARD_BYTES_PER_SECOND),
)
traffic_lists = st.lists(key_traffic, max_size=25)
shard_counts = st.integers(min_value=1, max_value=6)


def _hot_loads(count: int, items: list[KeyTraffic]) -> list[tuple[Stream, ShardLoad]]:
    stream = Stream.create(count)
    return [(stream, s) for s in analyze(stream, items).shards if s.hot]


@given(shard_counts, traffic_lists)
def test_suggested_key_is_a_legal_split(count: int, items: list[KeyTraffic]) -> None:
    """NewStartingHashKey K satisfies StartingHashKey + 1 < K < EndingHashKey."""
    for _, load in _hot_loads(count, items):
        assert load.split is not None
        key = load.split.new_starting_hash_key
        assert load.shard.starting_hash_key + 1 < key < load.shard.ending_hash_key


@given(shard_counts, traffic_lists)
def test_children_carry_the_predicted_load(count: int, items: list[KeyTraffic]) -> None:
    """After SplitShard at the suggestion, analyze finds the predicted child loads."""
    for stream, load in _hot_loads(count, items):
        assert load.split is not None
        after = stream.split_shard(
            load.shard.shard_id, load.split.new_starting_hash_key
        )
        lower_id, upper_id = _children(after, load.shard.shard_id)
        by_id = {s.shard.shard_id: s for s in analyze(after, items).shards}
        assert by_id[lower_id].utilization == load.split.lower_utilization
        assert by_id[upper_id].utilization == load.split.upper_utilization
        assert load.split.fixes == (
            max(load.split.lower_utilization, load.split.upper_utilization) <= 1.0
        )


def _children(stream: Stream, parent: str) -> tuple[str, str]:
    lower, upper = sorted(
        (s for s in stream.open_shards if s.parent_shard_id == parent),
        key=lambda s: s.starting_hash_key,
    )
    return lower.shard_id, upper.shard_id


@given(shard_counts, traffic_lists)
def test_no_legal_split_between_keys_is_better(
    count: int, items: list[KeyTraffic]
) -> None:
    """No legal split point between the shard's keys gives a lower max utilization."""
    for stream, load in _hot_loads(count, items):
        assert load.split is not None
        best = max(load.split.lower_utilization, load.split.upper_utilization)
        low, high = load.shard.starting_hash_key, load.shard.ending_hash_key
        hashes = sorted({k.hash_key for k in load.keys})
        for this, after in itertools.pairwise(hashes):
            key = max(this + 1, low + 2)
            if not (key <= after and key < high):
                continue
            split = stream.split_shard(load.shard.shard_id, key)
            lower_id, upper_id = _children(split, load.shard.shard_id)
            by_id = {s.shard.shard_id: s for s in analyze(split, items).shards}
            worst = max(by_id[lower_id].utilization, by_id[upper_id].utilization)
            assert best <= worst


@given(shard_counts, traffic_lists)
def test_shard_loads_sum_to_the_total(count: int, items: list[KeyTraffic]) -> None:
    """Every record lands on exactly one open shard: shard loads sum to the total."""
    report = analyze(Stream.create(count), items)
    assert math.fsum(s.records_per_second for s in report.shards) == pytest.approx(
        math.fsum(i.records_per_second for i in items)
    )
    assert math.fsum(s.bytes_per_second for s in report.shards) == pytest.approx(
        math.fsum(
            i.bytes_per_second + i.records_per_second * len(i.partition_key.encode())
            for i in items
        )
    )
    assert sum(len(s.keys) for s in report.shards) == len(items)
