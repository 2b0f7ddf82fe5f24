"""scripts/fuzz.py classifies outcomes as the reliability page says (issue #22).

Each kind of finding is planted in a stand-in target and must be counted; the CLI
runner must see exit codes and tracebacks of a real forked ``awscore``; and a
short real run over a few targets must end in a clean table.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

import fuzz  # noqa: E402 - the script's directory is put on the path first
from awscore.errors import KinesisInputError  # noqa: E402

LIMITS = fuzz.Limits(seconds=0.5, memory_mib=512)


@pytest.fixture(autouse=True)
def alarm() -> Iterator[None]:
    """The fuzzer's SIGALRM handler, restored afterwards."""
    previous = signal.signal(signal.SIGALRM, fuzz._alarm)
    yield
    signal.setitimer(signal.ITIMER_REAL, 0)
    signal.signal(signal.SIGALRM, previous)


def _target(run: Any, state: Any = None) -> fuzz.Target:
    return fuzz.Target("test", "test.target", st.none(), run, state=state)


def test_typed_errors_and_returns_are_not_findings() -> None:
    def typed(_: object) -> None:
        raise KinesisInputError("refused")

    target = _target(typed)
    fuzz.one_input(target, None, LIMITS)
    fuzz.one_input(_target(lambda _: 5), None, LIMITS)
    assert (target.tried, target.untyped, target.hangs, target.changed) == (1, 0, 0, 0)


def test_an_untyped_error_is_counted_with_its_site() -> None:
    def untyped(_: object) -> None:
        raise KeyError("x")

    target = _target(untyped)
    fuzz.one_input(target, None, LIMITS)
    fuzz.one_input(target, None, LIMITS)
    assert target.untyped == 2
    [finding] = target.findings.values()
    assert finding.count == 2
    assert finding.signature.startswith("KeyError at")


def test_a_call_past_the_time_limit_is_a_hang() -> None:
    target = _target(lambda _: time.sleep(5))
    started = time.monotonic()
    fuzz.one_input(target, None, LIMITS)
    assert target.hangs == 1
    assert time.monotonic() - started < 4  # SIGALRM stopped it


def test_a_rejected_input_that_changes_state_is_found() -> None:
    box = {"n": 0}

    def leaky(_: object) -> None:
        box["n"] += 1
        raise KinesisInputError("refused, but after counting")

    target = _target(leaky, state=lambda: fuzz.snapshot(box))
    fuzz.one_input(target, None, LIMITS)
    assert target.changed == 1


def test_snapshots_compare_nan_and_cycles() -> None:
    cyclic: list[Any] = []
    cyclic.append(cyclic)
    assert fuzz.snapshot({"x": float("nan")}) == fuzz.snapshot({"x": float("nan")})
    assert fuzz.snapshot(cyclic) == fuzz.snapshot(cyclic)
    assert fuzz.snapshot([1]) != fuzz.snapshot([2])


def test_the_cli_runner_sees_exit_codes_and_stderr() -> None:
    code, stderr, timed_out = fuzz.run_cli(
        ["kinesis", "shard", "--shards", "0", "a"], LIMITS
    )
    assert (code, timed_out) == (1, False)
    assert stderr.count("\n") == 1
    code, _, _ = fuzz.run_cli(["kinesis", "shard", "--shards", "x"], LIMITS)
    assert code == 2  # argparse: a usage error


def test_every_module_and_every_cli_verb_has_targets(tmp_path: Path) -> None:
    targets: list[fuzz.Target] = []
    for module in fuzz.MODULES:
        targets += fuzz.library_targets(module) + fuzz.cli_targets(
            module, LIMITS, tmp_path
        )
    modules = {t.module for t in targets}
    assert modules == set(fuzz.MODULES)
    names = {t.name for t in targets}
    for expected in (
        "vpn.decapsulate",
        "kinesis.Stream",
        "quorum.availability",
        "codeartifact.load_domain",
        "k8s_dns.load_cluster",
        "cfn_init.render_mustache",
        "autoscaling.parse_policy",
        "sigv4.parse_raw_request",
        "cli: awscore kinesis analyze",
        "cli: awscore vpn decap",
    ):
        assert expected in names


def test_a_short_run_is_clean_and_prints_its_seed() -> None:
    result = subprocess.run(  # noqa: S603 - this interpreter, fixed arguments
        [
            sys.executable,
            str(ROOT / "scripts" / "fuzz.py"),
            "--targets",
            "kinesis.hash_key,quorum.KOfN,cli: awscore kinesis shard",
            "--budget",
            "3",
            "--seed",
            "7",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("fuzz.py: seed 7")
    assert "| kinesis | `kinesis.hash_key` |" in result.stdout
