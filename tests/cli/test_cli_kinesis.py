"""``awscore kinesis shard|reshard|analyze``: output, ``--json``, exit codes."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from awscore.cli import main
from awscore.kinesis import MAX_HASH_KEY, Stream, hash_key

STREAM = Stream.create(4)


def test_shard_prints_hash_key_and_shard(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["kinesis", "shard", "--shards", "4", "user123", "user456"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2
    for line, key in zip(lines, ("user123", "user456"), strict=True):
        shard = STREAM.shard_for(key)
        assert line.startswith(key)
        assert str(hash_key(key)) in line
        assert shard.shard_id in line
        assert f"[{shard.starting_hash_key}, {shard.ending_hash_key}]" in line


def test_shard_json(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["kinesis", "shard", "--shards", "4", "user123", "--json"]
    assert main([*argv, "--explicit-hash-key", str(MAX_HASH_KEY)]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document[0]["partition_key"] == "user123"
    assert document[0]["hash_key"] == str(hash_key("user123"))
    assert document[0]["shard"]["shard_id"] == STREAM.shard_for("user123").shard_id
    assert document[1]["explicit_hash_key"] == str(MAX_HASH_KEY)
    assert document[1]["shard"]["shard_id"] == "shardId-000000000003"
    assert document[1]["shard"]["ending_hash_key"] == str(MAX_HASH_KEY)


@pytest.mark.parametrize("bad", ["-1", "007", str(MAX_HASH_KEY + 1), "12x"])
def test_bad_explicit_hash_key_is_one_line_exit_1(
    capsys: pytest.CaptureFixture[str], bad: str
) -> None:
    assert main(["kinesis", "shard", "--shards", "4", "--explicit-hash-key", bad]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1
    assert captured.err.startswith("awscore: ExplicitHashKey ")
    assert "Error" not in captured.err  # the domain's words, not a class name


def test_shard_needs_a_key(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["kinesis", "shard", "--shards", "4"]) == 1
    assert "give at least one partition key" in capsys.readouterr().err


def test_bad_shard_count_is_exit_1(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["kinesis", "shard", "--shards", "0", "k"]) == 1
    assert "1..10000" in capsys.readouterr().err


def test_missing_shards_is_a_usage_error() -> None:
    with pytest.raises(SystemExit) as info:
        main(["kinesis", "shard", "k"])
    assert info.value.code == 2


def test_reshard_prints_the_plan_and_result(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["kinesis", "reshard", "--shards", "4", "--to", "6"]) == 0
    out = capsys.readouterr().out
    plan = STREAM.plan_shard_count(6)
    assert out.startswith(f"4 -> 6 shards: {len(plan)} operations\n")
    for shard in STREAM.update_shard_count(6).open_shards:
        assert f"  {shard.shard_id} [{shard.starting_hash_key}, " in out


def test_reshard_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["kinesis", "reshard", "--shards", "4", "--to", "6", "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    plan = STREAM.plan_shard_count(6)
    assert [op["kind"] for op in document["operations"]] == [op.kind for op in plan]
    assert len(document["open_shards"]) == 6
    assert document["open_shards"][-1]["ending_hash_key"] == str(MAX_HASH_KEY)


def test_reshard_out_of_range_is_exit_1(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["kinesis", "reshard", "--shards", "4", "--to", "9"]) == 1
    assert "target shard count 9 is not accepted" in capsys.readouterr().err


TRAFFIC = (
    "partition_key,records_per_second,bytes_per_second\n"
    "user123,700,51200\n"
    "order-9,700,100\n"
    "user456,5,5\n"
)


def test_analyze_flags_the_hot_shard(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "traffic.csv"
    path.write_text(TRAFFIC, encoding="utf-8")
    assert main(["kinesis", "analyze", str(path), "--shards", "4"]) == 0
    out = capsys.readouterr().out
    hot = STREAM.shard_for("user123")
    assert STREAM.shard_for("order-9") is hot
    hot_lines = [line for line in out.splitlines() if line.endswith("HOT")]
    assert len(hot_lines) == 1
    assert hot_lines[0].startswith(hot.shard_id)
    assert "(fixes it)" in out
    assert "shards needed (if spread evenly): 2" in out


def test_analyze_json(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "traffic.csv"
    path.write_text(TRAFFIC, encoding="utf-8")
    assert main(["kinesis", "analyze", str(path), "--shards", "4", "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["shards_needed"] == 2
    hot = [s for s in document["shards"] if s["hot"]]
    assert len(hot) == 1
    assert hot[0]["utilization"] == 1.4
    assert hot[0]["split"]["fixes"] is True
    assert int(hot[0]["split"]["new_starting_hash_key"]) == hash_key("order-9") + 1


def test_analyze_reads_stdin_for_dash(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(TRAFFIC))
    assert main(["kinesis", "analyze", "-", "--shards", "4", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["shards_needed"] == 2


def test_analyze_bad_csv_is_one_line_exit_1(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "traffic.csv"
    path.write_text(
        "partition_key,records_per_second,bytes_per_second\nk,-1,0\n", encoding="utf-8"
    )
    assert main(["kinesis", "analyze", str(path), "--shards", "4"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "line 2, column records_per_second" in err


def test_analyze_missing_file_is_exit_1(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert (
        main(["kinesis", "analyze", str(tmp_path / "none.csv"), "--shards", "4"]) == 1
    )
    assert "none.csv" in capsys.readouterr().err


@pytest.mark.parametrize("verb", ["shard", "reshard", "analyze"])
def test_every_verb_shows_an_example(
    capsys: pytest.CaptureFixture[str], verb: str
) -> None:
    with pytest.raises(SystemExit) as info:
        main(["kinesis", verb, "--help"])
    assert info.value.code == 0
    assert f"awscore kinesis {verb} --shards 4" in capsys.readouterr().out.replace(
        "examples/kinesis/traffic.csv ", ""
    )


def test_tour(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["tour", "--module", "kinesis", "--json"]) == 0
    document = json.loads(capsys.readouterr().out)["kinesis"]
    assert document["reshard_4_to_6_operations"] == len(STREAM.plan_shard_count(6))
    assert len(document["open_shards_after_split"]) == 5
    assert main(["tour", "--module", "kinesis"]) == 0
    text = capsys.readouterr().out
    assert len(text.splitlines()) <= 40  # one terminal screen
