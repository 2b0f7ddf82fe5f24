"""KPL aggregation: exact bytes, round trips, hostile input, and aws_kinesis_agg.

The expected bytes are written out by hand from ``messages.proto`` and the
protobuf encoding guide (field key = ``field_number << 3 | wire_type``), not
computed with our encoder.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from awscore.errors import (
    AggregationError,
    InvalidHashKeyError,
    InvalidPartitionKeyError,
    KinesisInputError,
    MalformedAggregateError,
)
from awscore.kinesis._aggregation import (
    MAGIC,
    MAX_AGGREGATE_SIZE,
    DeaggregatedRecord,
    UserRecord,
    aggregate,
    deaggregate,
)
from tests.conftest import require_peer
from tests.strategies.kinesis_aggregation import (
    MAX_HASH_KEY,
    corrupt_aggregates,
    frame,
    hostile_data,
    record_lists,
)


def md5_int(text: str) -> int:
    return int.from_bytes(
        hashlib.md5(text.encode(), usedforsecurity=False).digest(), "big"
    )


def unpack(data: bytes, **kwargs: Any) -> list[DeaggregatedRecord]:
    kwargs.setdefault("partition_key", "parent")
    return deaggregate(data, **kwargs)


# --- exact bytes ----------------------------------------------------------------


def test_exact_bytes_of_a_small_aggregate() -> None:
    records = [
        UserRecord(partition_key="a", data=b"x", explicit_hash_key="7"),
        UserRecord(partition_key="b", data=b""),
        UserRecord(partition_key="a", data=b"yz", tags=(("k", "v"), ("t", None))),
    ]
    body = bytes.fromhex(
        "0a0161"  # partition_key_table (1, LEN) "a"
        "0a0162"  # partition_key_table "b"
        "120137"  # explicit_hash_key_table (2, LEN) "7"
        "1a07"
        "0800"
        "1000"
        "1a0178"  # record: pk 0, ehk 0, data (3, LEN) "x"
        "1a04"
        "0801"
        "1a00"  # record: pk 1, empty data still written
        "1a13"
        "0800"
        "1a02797a"  # record: pk 0 ("a" deduplicated), data "yz"
        "2206"
        "0a016b"
        "120176"  # tag (4, LEN): key "k", value "v"
        "2203"
        "0a0174"  # tag: key "t", no value
    )
    [agg] = aggregate(records)
    assert (
        agg.data
        == b"\xf3\x89\x9a\xc2"
        + body
        + hashlib.md5(body, usedforsecurity=False).digest()
    )
    assert (agg.partition_key, agg.explicit_hash_key) == ("a", "7")
    assert agg.records == tuple(records)


def test_exact_bytes_with_multibyte_varints() -> None:
    """A 300-byte datum: length 300 = ``ac 02``, record length 305 = ``b1 02``."""
    [agg] = aggregate([UserRecord(partition_key="p", data=b"\x00" * 300)])
    body = bytes.fromhex("0a01701ab10208001aac02") + b"\x00" * 300
    assert agg.data == MAGIC + body + hashlib.md5(body, usedforsecurity=False).digest()


# --- aggregate ------------------------------------------------------------------


def test_aggregate_takes_the_first_records_keys() -> None:
    """The aggregate is routed as its first user record (aws_kinesis_agg)."""
    [agg] = aggregate(
        [
            UserRecord(partition_key="first", data=b"1"),
            UserRecord(partition_key="second", data=b"2", explicit_hash_key="5"),
        ]
    )
    assert (agg.partition_key, agg.explicit_hash_key) == ("first", None)


def test_one_record_is_still_an_aggregate() -> None:
    """Like aws_kinesis_agg (the KPL's C++ core sends a lone record raw)."""
    [agg] = aggregate([UserRecord(partition_key="k", data=b"payload")])
    assert agg.data.startswith(MAGIC)
    [out] = unpack(agg.data)
    assert out.aggregated
    assert (out.partition_key, out.data, out.sub_sequence_number) == (
        "k",
        b"payload",
        0,
    )


def test_empty_input_gives_no_aggregates() -> None:
    assert aggregate([]) == []


def test_a_record_that_exactly_fits_and_one_byte_more() -> None:
    """Overhead of pk "k" and 1000 bytes: 20 + 3 (table) + 3 (record key+len)
    + 2 (index) + 3 (data key+len) = 31 bytes."""
    record = UserRecord(partition_key="k", data=bytes(1000))
    [agg] = aggregate([record], max_size=1031)
    assert len(agg.data) == 1031
    with pytest.raises(AggregationError, match="even alone"):
        aggregate([record], max_size=1030)


def test_a_record_too_large_for_1_mib_is_an_error() -> None:
    with pytest.raises(AggregationError):
        aggregate([UserRecord(partition_key="k", data=bytes(MAX_AGGREGATE_SIZE))])


def test_records_split_across_aggregates_in_order() -> None:
    records = [UserRecord(partition_key=f"k{i}", data=bytes(400)) for i in range(10)]
    aggs = aggregate(records, max_size=1000)
    assert [len(a.records) for a in aggs] == [2, 2, 2, 2, 2]
    assert [r for a in aggs for r in a.records] == records


@pytest.mark.parametrize("max_size", [0, -1, MAX_AGGREGATE_SIZE + 1, True, 1.5, "9"])
def test_bad_max_size(max_size: Any) -> None:
    with pytest.raises(KinesisInputError, match="max_size"):
        aggregate([UserRecord(partition_key="k", data=b"")], max_size=max_size)


def test_aggregate_rejects_what_is_not_a_user_record() -> None:
    with pytest.raises(KinesisInputError, match="not a UserRecord"):
        aggregate([("k", b"")])  # type: ignore[list-item]


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"partition_key": ""}, InvalidPartitionKeyError),
        ({"partition_key": "x" * 257}, InvalidPartitionKeyError),
        ({"partition_key": "\ud800"}, InvalidPartitionKeyError),
        ({"data": "text"}, KinesisInputError),
        ({"explicit_hash_key": "01"}, InvalidHashKeyError),
        ({"explicit_hash_key": str(1 << 128)}, InvalidHashKeyError),
        ({"explicit_hash_key": "١٢"}, InvalidHashKeyError),  # Arabic-Indic digits
        ({"tags": [("k", "v")]}, KinesisInputError),
        ({"tags": (("k",),)}, KinesisInputError),
        ({"tags": (("k", 1),)}, KinesisInputError),
        ({"tags": (("\udfff", None),)}, KinesisInputError),
    ],
)
def test_user_record_validation(kwargs: dict[str, Any], error: type[Exception]) -> None:
    fields: dict[str, Any] = {"partition_key": "k", "data": b""} | kwargs
    with pytest.raises(error):
        UserRecord(**fields)


# --- deaggregate: pass-through ---------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"plain record",
        MAGIC,
        MAGIC
        + hashlib.md5(
            b"", usedforsecurity=False
        ).digest(),  # no protobuf at all: the peer's rule
        MAGIC + b"\x0a\x01a" + bytes(16),  # wrong digest
        b"\xf3\x89\x9a\xc3" + frame(b"\x0a\x01a")[4:],  # wrong magic
    ],
)
def test_what_is_not_an_aggregate_passes_through(data: bytes) -> None:
    [out] = deaggregate(
        data,
        partition_key="pk",
        sequence_number="49590338271490256608559692538361571095921575989136588898",
    )
    assert out == DeaggregatedRecord(
        partition_key="pk",
        explicit_hash_key=None,
        data=data,
        sequence_number="49590338271490256608559692538361571095921575989136588898",
        sub_sequence_number=None,
        aggregated=False,
        effective_hash_key=md5_int("pk"),
        in_range=True,
    )


def test_pass_through_uses_the_parents_explicit_hash_key() -> None:
    [out] = deaggregate(
        b"raw", partition_key="pk", explicit_hash_key="42", hash_range=(0, 41)
    )
    assert (out.explicit_hash_key, out.effective_hash_key, out.in_range) == (
        "42",
        42,
        False,
    )


def test_a_valid_aggregate_without_records_is_empty() -> None:
    assert unpack(frame(b"\x0a\x01a")) == []


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"partition_key": 1}, KinesisInputError),
        ({"partition_key": ""}, InvalidPartitionKeyError),
        ({"explicit_hash_key": "-1"}, InvalidHashKeyError),
        ({"sequence_number": 5}, KinesisInputError),
        ({"hash_range": (5, 4)}, KinesisInputError),
        ({"hash_range": (0, 1 << 128)}, KinesisInputError),
        ({"hash_range": [0, 1]}, KinesisInputError),
        ({"hash_range": (0, True)}, KinesisInputError),
    ],
)
def test_deaggregate_argument_validation(
    kwargs: dict[str, Any], error: type[Exception]
) -> None:
    with pytest.raises(error):
        deaggregate(b"raw", **({"partition_key": "pk"} | kwargs))


def test_data_may_be_any_bytes_like() -> None:
    [agg] = aggregate([UserRecord(partition_key="k", data=b"v")])
    for data in (bytearray(agg.data), memoryview(agg.data)):
        [out] = unpack(data)  # type: ignore[arg-type]
        assert out.data == b"v"
    with pytest.raises(KinesisInputError, match="must be bytes"):
        unpack("text")  # type: ignore[arg-type]


# --- deaggregate: user records --------------------------------------------------


def test_record_without_explicit_hash_key_gets_none_and_md5_of_its_key() -> None:
    """The KCL's rule: no ``explicit_hash_key_index``, so hash the partition key."""
    [agg] = aggregate(
        [
            UserRecord(partition_key="pk1", data=b"1", explicit_hash_key="123"),
            UserRecord(partition_key="pk2", data=b"2"),
        ]
    )
    first, second = unpack(agg.data, sequence_number="7")
    assert (first.explicit_hash_key, first.effective_hash_key) == ("123", 123)
    assert (second.explicit_hash_key, second.effective_hash_key) == (
        None,
        md5_int("pk2"),
    )
    assert [(r.sequence_number, r.sub_sequence_number) for r in (first, second)] == [
        ("7", 0),
        ("7", 1),
    ]


def test_in_range_is_reported_for_each_record() -> None:
    records = [
        UserRecord(partition_key="k", data=b"", explicit_hash_key=str(key))
        for key in (0, 99, 100, 200, 201, MAX_HASH_KEY)
    ]
    [agg] = aggregate(records)
    out = unpack(agg.data, hash_range=(100, 200))
    assert [r.in_range for r in out] == [False, False, True, True, False, False]


def test_unknown_fields_are_skipped() -> None:
    """Protobuf parsers skip unknown fields of every non-group wire type."""
    body = bytes.fromhex(
        "0a016b"
        "2001"
        "290102030405060708"
        "3502030405"
        "4a00"  # fields 4, 5, 6, 9 of AR
        "80010a"  # field 16 (two-byte key), varint
        "1a0f"
        "0800"
        "1a0176"
        "28ff01"
        "3a00"
        "2502030405"  # record + fields 5, 7, 4
    )
    # The record's last unknown field is field 4 as fixed32: a wire-type error.
    with pytest.raises(MalformedAggregateError, match="wire type"):
        unpack(frame(body))
    body = bytes.fromhex(
        "0a016b200129010203040506070835020304054a0080010a1a0a08001a017628ff013a00"
    )
    [out] = unpack(frame(body))
    assert (out.partition_key, out.data) == ("k", b"v")


def test_unknown_fields_of_a_tag_are_skipped() -> None:
    # Record {partition_key_index 0, data "", tags [Tag {key "k", value "v",
    # field 3 = 5 (unknown, varint)}]}, written out by hand.
    body = bytes.fromhex("0a01611a0e08001a0022080a016b1201761805")
    [out] = unpack(frame(body))
    assert (out.partition_key, out.data, out.tags) == ("a", b"", (("k", "v"),))


def test_last_value_of_a_repeated_singular_field_wins() -> None:
    body = bytes.fromhex("0a01610a01621a0708001a01780801")
    [out] = unpack(frame(body))
    assert out.partition_key == "b"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("1a020800", "required field 3 \\(data\\)"),
        ("0a01611a031a0178", "required field 1 \\(partition_key_index\\)"),
        ("0a01611a0508011a0178", "partition_key_index 1"),
        ("0a01611a06080010001a00", "explicit_hash_key_index 0"),
        ("0a0161120231321a06080010011a00", "explicit_hash_key_index 1"),
        ("0a016112016b1a06080010001a00", "is malformed"),
        ("0a0161122734" + "30" * 38 + "1a06080010001a00", "out of range"),
        ("0a01611a0408001a05", "runs past the end"),
        ("0a01611a020880", "varint truncated"),
        ("0a01611a0d08" + "ff" * 10 + "011a00", "longer than 10 bytes"),
        ("0a01611a0c08" + "ff" * 9 + "021a00", "exceeds 64 bits"),
        ("0a01611a040d001a00", "wire type 5, expected 0"),
        ("0a01611a0418001a00", "wire type 0, expected 2"),
        ("0800", "wire type 0, expected 2"),
        ("0a01611a0608001a002200", "required field 1 \\(key\\)"),
        ("0a01611a0808001a0022020801", "Tag: field 1 .* wire type 0"),
        ("0a01611a0908001a0022030a01ff", "not UTF-8"),
        ("0a02c328", "not UTF-8"),
        ("0a01612b", "groups are not supported"),
        ("0a01612f", "wire type 7"),
        ("0a01610000", "field number 0"),
        ("0a01618000", "field number 0"),
        ("0a01611a0400001a00", "field number 0"),
        ("0a01611a0508001a0007", "field number 0"),
        ("0a0161ffffffff7f00", "exceeds 32 bits"),
        ("0a01612d0102", "truncated"),
        ("0a01610a", "varint truncated"),
        ("0a01610a80", "varint truncated"),
        ("0aff", "varint truncated"),
    ],
)
def test_corrupt_protobuf_behind_a_valid_digest_is_malformed(
    body: str, message: str
) -> None:
    with pytest.raises(MalformedAggregateError, match=message):
        unpack(frame(bytes.fromhex(body)), sequence_number="9")


def test_malformed_error_names_the_sequence_number() -> None:
    with pytest.raises(MalformedAggregateError, match="aggregated record 49: Record 0"):
        unpack(frame(bytes.fromhex("1a020800")), sequence_number="49")


# --- properties -----------------------------------------------------------------


def check_round_trip(records: list[UserRecord], max_size: int) -> None:
    aggs = aggregate(records, max_size=max_size)
    out: list[DeaggregatedRecord] = []
    for number, agg in enumerate(aggs):
        got = deaggregate(
            agg.data,
            partition_key=agg.partition_key,
            explicit_hash_key=agg.explicit_hash_key,
            sequence_number=str(number),
        )
        assert [r.sub_sequence_number for r in got] == list(range(len(agg.records)))
        assert all(r.aggregated and r.sequence_number == str(number) for r in got)
        out += got
    assert [
        UserRecord(
            partition_key=r.partition_key,
            data=r.data,
            explicit_hash_key=r.explicit_hash_key,
            tags=r.tags,
        )
        for r in out
    ] == records
    for original, back in zip(records, out, strict=True):
        expected = (
            md5_int(original.partition_key)
            if original.explicit_hash_key is None
            else int(original.explicit_hash_key)
        )
        assert back.effective_hash_key == expected


@given(record_lists(min_size=0))
def test_round_trip(records: list[UserRecord]) -> None:
    """deaggregate(aggregate(rs)) gives rs back, in order, keys, data and tags alike;
    each carries its aggregate's sequence number and its index in it."""
    check_round_trip(records, MAX_AGGREGATE_SIZE)


@given(record_lists(explicit=False, with_tags=False))
def test_round_trip_without_explicit_hash_keys(records: list[UserRecord]) -> None:
    """Without explicit hash keys, every record routes by the MD5 of its own key."""
    check_round_trip(records, MAX_AGGREGATE_SIZE)


@given(record_lists(explicit=True), st.integers(1500, 4000))
def test_round_trip_across_many_aggregates(
    records: list[UserRecord], max_size: int
) -> None:
    """Splitting into several aggregates loses, reorders and duplicates nothing."""
    check_round_trip(records, max_size)


@given(record_lists(max_size=30, max_data=300), st.integers(400, 3000))
def test_aggregates_are_within_max_size_and_greedy(
    records: list[UserRecord], max_size: int
) -> None:
    """Every aggregate is at most max_size bytes; each but the last is full: it
    could not also take the next record."""
    try:
        aggs = aggregate(records, max_size=max_size)
    except AggregationError:
        assert any(len(aggregate([r])[0].data) > max_size for r in records)
        return
    assert all(len(a.data) <= max_size for a in aggs)
    for agg, following in itertools.pairwise(aggs):
        bigger = aggregate([*agg.records, following.records[0]])
        assert len(bigger[0].data) > max_size


@given(hostile_data(), st.none() | st.tuples(st.integers(0, 10), st.integers(10, 20)))
def test_hostile_bytes_only_raise_kinesis_errors(
    data: bytes, hash_range: tuple[int, int] | None
) -> None:
    """Any bytes either deaggregate, pass through, or raise MalformedAggregateError:
    never IndexError, UnicodeDecodeError, or another exception."""
    try:
        out = unpack(data, hash_range=hash_range)
    except MalformedAggregateError:
        return
    if not out or out[0].aggregated:
        return
    assert out == [
        DeaggregatedRecord(
            partition_key="parent",
            explicit_hash_key=None,
            data=data,
            sequence_number=None,
            sub_sequence_number=None,
            aggregated=False,
            effective_hash_key=md5_int("parent"),
            in_range=hash_range is None,
        )
    ]


@given(corrupt_aggregates())
def test_corrupt_aggregates_decode_or_raise_malformed(data: bytes) -> None:
    """A damaged protobuf with a matching digest decodes or raises
    MalformedAggregateError (a KinesisError), nothing else."""
    try:
        out = unpack(data)
    except MalformedAggregateError:
        return
    if len(data) == len(MAGIC) + 16:  # the damage removed the whole protobuf
        assert [r.aggregated for r in out] == [False]
        return
    for record in out:
        assert record.aggregated
        assert 0 <= record.effective_hash_key <= MAX_HASH_KEY


# --- the peer: aws_kinesis_agg ---------------------------------------------------


def peer_aggregate(records: list[UserRecord]) -> tuple[str, str | None, bytes]:
    aggregator_module = require_peer("aws_kinesis_agg.aggregator")
    aggregator = aggregator_module.RecordAggregator()
    for record in records:
        full = aggregator.add_user_record(
            record.partition_key, record.data, record.explicit_hash_key
        )
        assert full is None, "test records must fit in one peer aggregate"
    pk, ehk, data = aggregator.clear_and_get().get_contents()
    return pk, ehk, data


def peer_deaggregate(
    data: bytes, partition_key: str, sequence_number: str = "1"
) -> list[dict[str, Any]]:
    deaggregator = require_peer("aws_kinesis_agg.deaggregator")
    event = {
        "kinesis": {
            "kinesisSchemaVersion": "1.0",
            "partitionKey": partition_key,
            "sequenceNumber": sequence_number,
            "data": base64.b64encode(data).decode(),
            "approximateArrivalTimestamp": 1_700_000_000.0,
        },
        "eventSource": "aws:kinesis",
    }
    return [r["kinesis"] for r in deaggregator.deaggregate_records([event])]


@pytest.mark.peer
@given(record_lists(with_tags=False))
def test_peer_aggregates_deaggregate_with_ours(records: list[UserRecord]) -> None:
    """aws_kinesis_agg's aggregates give back the same records through ours."""
    pk, ehk, data = peer_aggregate(records)
    assert (pk, ehk) == (records[0].partition_key, records[0].explicit_hash_key)
    out = deaggregate(
        data, partition_key=pk, explicit_hash_key=ehk, sequence_number="1"
    )
    assert [(r.partition_key, r.explicit_hash_key, r.data) for r in out] == [
        (r.partition_key, r.explicit_hash_key, r.data) for r in records
    ]


@pytest.mark.peer
@given(record_lists(with_tags=False))
def test_our_aggregates_equal_the_peers_bytes(records: list[UserRecord]) -> None:
    """Same records, same order: byte-identical aggregates and the same routing."""
    [agg] = aggregate(records)
    assert (agg.partition_key, agg.explicit_hash_key, agg.data) == peer_aggregate(
        records
    )


@pytest.mark.peer
@given(record_lists(with_tags=True))
def test_our_aggregates_deaggregate_with_the_peer(records: list[UserRecord]) -> None:
    """aws_kinesis_agg reads our aggregates (tags included) back to the same
    partition keys, data and sub-sequence numbers; its explicit hash keys agree
    wherever a record has its own (see the next test for the others)."""
    [agg] = aggregate(records)
    out = peer_deaggregate(agg.data, agg.partition_key, "77")
    assert [
        (r["partitionKey"], base64.b64decode(r["data"]), r["subSequenceNumber"])
        for r in out
    ] == [(r.partition_key, r.data, i) for i, r in enumerate(records)]
    assert all(r["aggregated"] and r["sequenceNumber"] == "77" for r in out)
    for ours, theirs in zip(records, out, strict=True):
        if ours.explicit_hash_key is not None:
            assert theirs["explicitHashKey"] == ours.explicit_hash_key


@pytest.mark.peer
def test_difference_from_the_peer_for_records_without_explicit_hash_key() -> None:
    """aws_kinesis_agg reads a missing explicit_hash_key_index as 0, so a record
    without its own key gets the first table entry ("123" here); we give None
    and route it by the MD5 of its partition key, as the KCL does."""
    records = [
        UserRecord(partition_key="pk1", data=b"data1", explicit_hash_key="123"),
        UserRecord(partition_key="pk2", data=b"data2"),
    ]
    [agg] = aggregate(records)
    theirs = peer_deaggregate(agg.data, agg.partition_key)
    ours = unpack(agg.data)
    assert [r["explicitHashKey"] for r in theirs] == ["123", "123"]
    assert [r.explicit_hash_key for r in ours] == ["123", None]
    assert ours[1].effective_hash_key == md5_int("pk2") != 123


@pytest.mark.peer
def test_peer_passes_corrupt_aggregates_through_where_we_raise() -> None:
    """A valid magic and digest around a protobuf that does not parse: the peer
    returns the record as if it were not aggregated; we raise."""
    data = frame(bytes.fromhex("0a05"))  # a string longer than what remains
    [theirs] = peer_deaggregate(data, "pk")
    assert base64.b64decode(theirs["data"]) == data
    assert "aggregated" not in theirs
    with pytest.raises(MalformedAggregateError):
        unpack(data)


@pytest.mark.peer
def test_peer_drops_records_whose_index_is_out_of_range(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A partition_key_index past the table parses as protobuf; the peer then
    prints the IndexError to stderr and yields nothing (the data is lost); we
    raise MalformedAggregateError."""
    data = frame(bytes.fromhex("1a0408001a00"))  # no partition key table
    assert peer_deaggregate(data, "pk") == []
    assert "list index out of range" in capsys.readouterr().err
    with pytest.raises(MalformedAggregateError, match="partition_key_index 0"):
        unpack(data)


@pytest.mark.peer
def test_peer_also_passes_through_what_is_not_an_aggregate() -> None:
    for data in (
        b"plain",
        MAGIC + hashlib.md5(b"", usedforsecurity=False).digest(),
        MAGIC + bytes(20),
    ):
        [theirs] = peer_deaggregate(data, "pk")
        [ours] = unpack(data, partition_key="pk")
        assert base64.b64decode(theirs["data"]) == ours.data == data
        assert not ours.aggregated
