"""awscore's CreateStream ranges against moto's Kinesis, driven through boto3."""

from __future__ import annotations

from typing import Any

import pytest

from awscore.kinesis import Stream
from tests.conftest import require_peer


@pytest.fixture(scope="module")
def kinesis(monkeypatch_module: pytest.MonkeyPatch) -> Any:
    boto3 = require_peer("boto3")
    moto = require_peer("moto")
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch_module.setenv(name, "testing")
    monkeypatch_module.delenv("AWS_PROFILE", raising=False)
    with moto.mock_aws():
        client = boto3.client("kinesis", region_name="us-east-1")
        yield client
        client.close()


@pytest.fixture(scope="module")
def monkeypatch_module() -> Any:
    with pytest.MonkeyPatch.context() as patch:
        yield patch


def test_createstream_ranges_match_moto_for_1_to_50_shards(kinesis: Any) -> None:
    """For N = 1..50, moto's shard ids and hash-key ranges are those of
    floor(2**128 / N) steps with the last shard ending at 2**128 - 1: awscore's.
    (moto agrees with the formula today; should it change, the formula wins.)"""
    for count in range(1, 51):
        name = f"stream-{count}"
        kinesis.create_stream(StreamName=name, ShardCount=count)
        shards = kinesis.list_shards(StreamName=name)["Shards"]
        theirs = [
            (
                s["ShardId"],
                int(s["HashKeyRange"]["StartingHashKey"]),
                int(s["HashKeyRange"]["EndingHashKey"]),
            )
            for s in shards
        ]
        ours = [
            (s.shard_id, s.starting_hash_key, s.ending_hash_key)
            for s in Stream.create(count).shards
        ]
        assert theirs == ours, count


def test_moto_routes_records_to_awscore_s_shard(kinesis: Any) -> None:
    """put_record answers with the shard awscore's shard_for computes."""
    kinesis.create_stream(StreamName="routing", ShardCount=7)
    stream = Stream.create(7)
    for i in range(50):
        key = f"user{i}"
        answer = kinesis.put_record(StreamName="routing", Data=b"x", PartitionKey=key)
        assert answer["ShardId"] == stream.shard_for(key).shard_id, key
