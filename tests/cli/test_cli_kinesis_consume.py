"""``awscore kinesis consume``: the shipped example, --json, --plot and bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from awscore.cli import main
from tests.conftest import ROOT

EXAMPLES = ROOT / "examples" / "kinesis"
BASE = ["kinesis", "consume", "--shards", "2"]


def test_the_example_runs_and_reports(capsys: pytest.CaptureFixture[str]) -> None:
    argv = [*BASE, "--writes", str(EXAMPLES / "writes.csv")]
    assert main([*argv, "--mapping", str(EXAMPLES / "esm.json"), "--show", "2"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0].startswith("487 records, ")
    assert "0 still pending" in lines[0]
    assert "... " in out
    assert "IteratorAge at most" in out


def test_json_accounts_for_every_record(capsys: pytest.CaptureFixture[str]) -> None:
    argv = [*BASE, "--writes", str(EXAMPLES / "writes.csv"), "--json"]
    argv += ["--mapping", str(EXAMPLES / "esm.json"), "--fail-rate", "0.05"]
    assert main(argv) == 0
    document = json.loads(capsys.readouterr().out)
    discarded = sum(len(d["records"]) for d in document["discarded"])
    assert discarded > 0
    assert document["acknowledged"] + discarded == 487
    assert document["pending"] == 0
    record = document["discarded"][0]["destination_record"]
    assert record["requestContext"]["condition"] == "RetryAttemptsExhausted"
    assert record["KinesisBatchInfo"]["batchSize"] == 1
    # the function reports its poison records: partial responses, then splits
    outcomes = {i["outcome"] for i in document["invocations"]}
    assert outcomes == {"success", "partial"}


def test_plot_writes_a_png(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "age.png"
    argv = [*BASE, "--writes", str(EXAMPLES / "writes.csv"), "--plot", str(out)]
    assert main([*argv, "--fail-rate", "0.02", "--reserved-concurrency", "1"]) == 0
    assert out.read_bytes().startswith(b"\x89PNG")
    assert f"plot written to {out}" in capsys.readouterr().out


def test_reserved_concurrency_zero_invokes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    writes = tmp_path / "w.csv"
    writes.write_text("time,partition_key,size\n0,a,10\n1,b,2000\n", encoding="utf-8")
    argv = [*BASE, "--writes", str(writes), "--reserved-concurrency", "0"]
    assert main([*argv, "--enhanced-fan-out", "--until", "100"]) == 0
    assert capsys.readouterr().out.startswith("2 records, 0 invocations")


@pytest.mark.parametrize(
    ("extra", "content", "message"),
    [
        (["--fail-rate", "2"], None, "--fail-rate must be from 0 to 1"),
        (["--shards", "0"], None, "--shards must be 1..10000"),
        ([], "when,key\n", "header 'when,key' is not accepted"),
        ([], "time,partition_key\nsoon,a\n", "line 2, column time"),
        ([], "time,partition_key\n" + "9" * 5000 + ",a\n", "line 2, column time"),
        ([], "time,partition_key\n1,\n", "line 2, column partition_key"),
        ([], "time,partition_key\n1\n", "line 2: 1 fields"),
        ([], "time,partition_key,size\n1,a,1.5\n", "whole bytes"),
        ([], "time,partition_key,size\n1,a,2000000\n", "column size"),
        ([], "time,partition_key,data,size\n", "data or size"),
        ([], 'time,partition_key\n1,"a\n', "line 2"),
    ],
)
def test_bad_input_is_one_line_and_exit_one(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    extra: list[str],
    content: str | None,
    message: str,
) -> None:
    writes = tmp_path / "w.csv"
    writes.write_text(content or "time,partition_key\n0,a\n", encoding="utf-8")
    argv = [*BASE, "--writes", str(writes), *extra]
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert message in err
    assert err.count("\n") == 1
    assert "Traceback" not in err


def test_a_data_cell_over_the_csv_limit_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    writes = tmp_path / "w.csv"
    writes.write_text("time,partition_key,data\n0,a," + "x" * (2**20 + 1) + "\n")
    assert main([*BASE, "--writes", str(writes)]) == 1
    assert "field larger than field limit" in capsys.readouterr().err


def test_a_bad_mapping_file_names_its_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mapping = tmp_path / "esm.json"
    mapping.write_text('{"BatchSize": 0}', encoding="utf-8")
    argv = [*BASE, "--writes", str(EXAMPLES / "writes.csv"), "--mapping", str(mapping)]
    assert main(argv) == 1
    assert "BatchSize 0 is out of range" in capsys.readouterr().err


def test_plot_without_matplotlib_gives_the_install_hint(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "matplotlib", None)
    argv = [*BASE, "--writes", str(EXAMPLES / "writes.csv")]
    assert main([*argv, "--plot", str(tmp_path / "x.png")]) == 1
    assert "pip install 'awscore[plot]'" in capsys.readouterr().err
