# These tests pass wrong kinds of values on purpose, as an untyped caller would:
# mypy: disable-error-code="arg-type,dict-item,list-item,return-value"
"""Hostile input to the kinesis module: typed errors, bounded work (issue #22)."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from awscore.cli._app import main
from awscore.errors import (
    InvalidHashKeyError,
    InvalidReshardError,
    InvalidTrafficError,
    KinesisError,
    KinesisInputError,
)
from awscore.kinesis import (
    MAX_HASH_KEY,
    MAX_RATE,
    KeyTraffic,
    PutRecordsEntry,
    Shard,
    Stream,
    aggregate,
    analyze,
    parse_explicit_hash_key,
    read_traffic_csv,
    route_batch,
    shard_id,
    shards_needed,
)
from tests.strategies import hostile
from tests.strategies.kinesis import resharded_streams


def test_shards_needed_refuses_a_400_digit_rate() -> None:
    """shards_needed(10**400, 1) raised OverflowError converting to float."""
    with pytest.raises(InvalidTrafficError, match="is out of range") as info:
        shards_needed(10**400, 1)
    assert isinstance(info.value, ValueError)
    with pytest.raises(InvalidTrafficError, match="about 5,001 digits"):
        shards_needed(1, 10**5000)
    assert shards_needed(MAX_RATE, 0) == MAX_RATE // 1000


def test_analyze_refuses_rates_of_1e308() -> None:
    """Rates of 1e308 made the report's float totals overflow; now refused."""
    with pytest.raises(InvalidTrafficError, match=r"0\.\.1e\+15 \(MAX_RATE\)"):
        KeyTraffic(partition_key="a", records_per_second=1e308, bytes_per_second=1)


def test_analyze_refuses_a_total_above_max_rate() -> None:
    """Keys each within MAX_RATE whose sum is not are refused as a whole."""
    keys = [
        KeyTraffic(partition_key=k, records_per_second=MAX_RATE, bytes_per_second=0)
        for k in ("a", "b")
    ]
    with pytest.raises(InvalidTrafficError, match="total rate is above"):
        analyze(Stream.create(2), keys)


def test_analyze_refuses_wrong_kinds_of_arguments() -> None:
    """A stream or traffic of the wrong kind is a typed error naming it."""
    with pytest.raises(KinesisInputError, match="stream=4 must be a Stream"):
        analyze(4, [])
    with pytest.raises(InvalidTrafficError, match="traffic='abc' must be an iterable"):
        analyze(Stream.create(1), "abc")


def test_an_empty_stream_is_refused_when_built() -> None:
    """Stream(()) was accepted, and shard_for then raised IndexError."""
    with pytest.raises(KinesisInputError, match="it has none"):
        Stream(())


@pytest.mark.parametrize(
    ("shards", "message"),
    [
        (5, "shards=5 must be a sequence of Shard values"),
        ("abc", "must be a sequence of Shard values"),
        ([1], "must be Shard values, not 1"),
        (
            (
                Shard(shard_id="a", starting_hash_key=0, ending_hash_key=9),
                Shard(shard_id="a", starting_hash_key=10, ending_hash_key=MAX_HASH_KEY),
            ),
            "two shards with id 'a'",
        ),
        (
            (Shard(shard_id="a", starting_hash_key=1, ending_hash_key=MAX_HASH_KEY),),
            "leaves a gap at hash key 0",
        ),
        (
            (
                Shard(shard_id="a", starting_hash_key=0, ending_hash_key=9),
                Shard(shard_id="b", starting_hash_key=5, ending_hash_key=MAX_HASH_KEY),
            ),
            "overlaps at hash key 5",
        ),
        (
            (Shard(shard_id="a", starting_hash_key=0, ending_hash_key=9),),
            "end at hash key 9",
        ),
    ],
)
def test_streams_whose_shards_do_not_partition_the_keys_are_refused(
    shards: Any, message: str
) -> None:
    """The open shards must partition 0..2**128-1 exactly, as Kinesis keeps them."""
    with pytest.raises(KinesisInputError, match=message):
        Stream(shards)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"shard_id": ""}, "shard_id='' must be a non-empty string"),
        ({"starting_hash_key": -1}, "starting_hash_key=-1 must be an integer"),
        ({"ending_hash_key": 2**128}, "ending_hash_key=.* must be an integer"),
        ({"starting_hash_key": 5, "ending_hash_key": 4}, "starts after it ends"),
        ({"parent_shard_id": 7}, "parent_shard_id=7 must be a shard id"),
        ({"is_open": "yes"}, "is_open='yes' must be True or False"),
    ],
)
def test_shard_refusals(fields: dict[str, Any], message: str) -> None:
    """Each bad Shard field is named."""
    base: dict[str, Any] = {
        "shard_id": "s",
        "starting_hash_key": 0,
        "ending_hash_key": MAX_HASH_KEY,
    }
    with pytest.raises(KinesisInputError, match=message):
        Shard(**(base | fields))


@pytest.mark.parametrize(
    "key",
    [-1, 2**128, "5", 1.0, None, 10**5000],
    ids=["-1", "2**128", "str", "float", "None", "10**5000"],
)
def test_shard_for_hash_key_refuses_what_is_not_a_hash_key(key: Any) -> None:
    """A negative key picked the last shard (index -1); now refused."""
    with pytest.raises(InvalidHashKeyError, match="must be an integer"):
        Stream.create(3).shard_for_hash_key(key)


def test_huge_values_in_messages_are_shown_safely() -> None:
    """Building the message for a 5,000-digit int raised ValueError before."""
    with pytest.raises(InvalidHashKeyError, match="about 5,001 digits"):
        parse_explicit_hash_key(10**5000)
    with pytest.raises(InvalidReshardError, match="about 5,001 digits"):
        Stream.create(10**5000)


def test_read_traffic_csv_refusals() -> None:
    """Wrong kinds and too many rows are typed errors."""
    with pytest.raises(InvalidTrafficError, match="must be text, not b''"):
        read_traffic_csv(b"")
    text = "partition_key,records_per_second,bytes_per_second\na,1,1\nb,1,1\n"
    assert len(read_traffic_csv(text, max_rows=2)) == 2
    with pytest.raises(InvalidTrafficError, match="more than 1 rows") as info:
        read_traffic_csv(text, max_rows=1)
    assert info.value.line == 3
    with pytest.raises(KinesisInputError, match="max_rows=-1 must be"):
        read_traffic_csv(text, max_rows=-1)
    with pytest.raises(InvalidTrafficError, match="column records_per_second"):
        read_traffic_csv(
            "partition_key,records_per_second,bytes_per_second\na,1e16,1\n"
        )


def test_cli_analyze_of_a_file_that_is_not_utf8(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`kinesis analyze` printed a UnicodeDecodeError traceback; now exit 1 and one
    line on stderr."""
    path = tmp_path / "traffic.csv"
    path.write_bytes(b"partition_key,records_per_second,bytes_per_second\n\xff,1,1\n")
    assert main(["kinesis", "analyze", str(path), "--shards", "2"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "not UTF-8 text" in err


@given(
    stream=resharded_streams(max_steps=4),
    shard=st.one_of(st.text(max_size=20), hostile.values()),
    key=st.one_of(hostile.values(), st.integers()),
    target=st.one_of(st.integers(min_value=-5, max_value=20_005), hostile.values()),
)
def test_a_rejected_reshard_changes_no_stream(
    stream: Stream, shard: Any, key: Any, target: Any
) -> None:
    """A stream is a value: a refused split, merge or shard count change leaves it
    equal to what it was (and a successful one returns a new stream)."""
    before = (stream.shards, stream.open_shards)
    for attempt in (
        lambda: stream.split_shard(shard, key),
        lambda: stream.merge_shards(shard, key),
        lambda: stream.update_shard_count(target),
        lambda: stream.plan_shard_count(target),
    ):
        with contextlib.suppress(KinesisError):
            attempt()
        assert (stream.shards, stream.open_shards) == before


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: shard_id(-1), "shard index -1 is not accepted"),
        (lambda: shard_id(10**12), "shard index 1000000000000"),
        (lambda: Stream.create(2).shards_for(5), "partition_keys=5 must be"),
        (lambda: aggregate(5), "records=5 must be an iterable"),
        (lambda: route_batch(5, []), "stream=5 must be a Stream"),
        (lambda: route_batch(Stream.create(1), "ab"), "records='ab' must be"),
        (lambda: route_batch(Stream.create(1), [1]), "PutRecordsEntry values, not 1"),
        (lambda: PutRecordsEntry(partition_key="k", data="x"), "data must be bytes"),
        (
            lambda: PutRecordsEntry(partition_key="k", explicit_hash_key="-1"),
            "malformed",
        ),
    ],
)
def test_wrong_kinds_are_typed_errors(call: Any, message: str) -> None:
    """Each wrong kind raised TypeError or AttributeError from deep inside."""
    with pytest.raises(KinesisInputError, match=message):
        call()
