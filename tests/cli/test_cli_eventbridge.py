"""``awscore eventbridge test|transform|s3-notify``: output, --json, exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from awscore.cli import main
from tests.conftest import ROOT

EXAMPLES = ROOT / "examples" / "eventbridge"


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["eventbridge", *argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_a_match_exits_zero_and_explains(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(
        capsys,
        "test",
        "--pattern",
        str(EXAMPLES / "ecs-stopped.json"),
        "--event",
        str(EXAMPLES / "ecs-task-stopped.json"),
        "--explain",
    )
    assert code == 0
    assert out.splitlines()[0] == "the pattern matches the event"
    assert 'detail.lastStatus: "STOPPED" equals "STOPPED"' in out


def test_no_match_exits_three(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["test", "--pattern", str(EXAMPLES / "ecs-stopped.json")]
    code, out, _ = _run(
        capsys, *argv, "--event", str(EXAMPLES / "ecs-task-running.json")
    )
    assert (code, out) == (3, "no match\n")
    code, out, _ = _run(
        capsys, *argv, "--event", str(EXAMPLES / "ecs-task-running.json"), "--json"
    )
    document = json.loads(out)
    assert code == 3
    assert document["matches"] is False
    assert "wanted equals" in document["steps"][0]


def test_a_bad_pattern_is_one_line_exit_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pattern = tmp_path / "p.json"
    pattern.write_text('{"source": []}', encoding="utf-8")
    code, _, err = _run(
        capsys,
        "test",
        "--pattern",
        str(pattern),
        "--event",
        str(EXAMPLES / "ecs-task-stopped.json"),
    )
    assert code == 1
    assert "source: empty arrays are not allowed" in err
    assert err.count("\n") == 1


def test_transform_with_the_shipped_transformer(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = _run(
        capsys,
        "transform",
        "--event",
        str(EXAMPLES / "ecs-task-stopped.json"),
        "--transformer",
        str(EXAMPLES / "transformer.json"),
        "--rule-arn",
        "arn:aws:events:us-west-2:111122223333:rule/stopped-tasks",
    )
    assert code == 0
    document = json.loads(out)
    assert document["exitCode"] == 1
    assert document["rule"] == "stopped-tasks"
    assert document["text"].endswith("stopped: Essential container in task exited")
    code, out, _ = _run(
        capsys,
        "transform",
        "--event",
        str(EXAMPLES / "ecs-task-stopped.json"),
        "--input-path",
        "$.detail.lastStatus",
    )
    assert (code, out) == (0, '"STOPPED"\n')


@pytest.mark.parametrize(
    ("content", "message"),
    [("{", "not valid JSON"), ('{"InputPathsMap": {}}', "with InputTemplate")],
)
def test_a_bad_transformer_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, message: str
) -> None:
    transformer = tmp_path / "t.json"
    transformer.write_text(content, encoding="utf-8")
    code, _, err = _run(
        capsys,
        "transform",
        "--event",
        str(EXAMPLES / "ecs-task-stopped.json"),
        "--transformer",
        str(transformer),
    )
    assert code == 1
    assert message in err


def test_s3_notify(capsys: pytest.CaptureFixture[str]) -> None:
    config = str(EXAMPLES / "notification.json")
    code, out, _ = _run(
        capsys,
        "s3-notify",
        "--config",
        config,
        "--key",
        "photos/a.jpg",
        "--event",
        "s3:ObjectCreated:Put",
    )
    assert (code, out) == (
        0,
        "new-photos -> arn:aws:sqs:us-east-1:123456789012:photo-thumbnails\n",
    )
    code, out, _ = _run(
        capsys,
        "s3-notify",
        "--config",
        config,
        "--key",
        "photos/a.png",
        "--event",
        "s3:ObjectCreated:Put",
        "--json",
    )
    assert (code, json.loads(out)) == (3, [])
    code, out, _ = _run(
        capsys,
        "s3-notify",
        "--config",
        config,
        "--key",
        "x",
        "--event",
        "s3:ObjectRemoved:Delete",
    )
    assert code == 3
    assert out == "no configuration fires for s3:ObjectRemoved:Delete on x\n"


def test_the_tour_shows_the_ecs_rule(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["tour", "--module", "eventbridge"]) == 0
    out = capsys.readouterr().out
    assert "A task that stopped: matches" in out
    assert "A task still running: no match" in out
    assert max(len(line) for line in out.splitlines()) <= 100
