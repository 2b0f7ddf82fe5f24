"""``awscore autoscaling``: evaluate and simulate, output forms, exit codes, tour."""

from __future__ import annotations

import builtins
import json
from pathlib import Path
from typing import Any

import pytest

from awscore.cli import main
from tests.conftest import require_peer

STEP_POLICY = {
    "PolicyName": "cpu-high",
    "PolicyType": "StepScaling",
    "AdjustmentType": "PercentChangeInCapacity",
    "MinAdjustmentMagnitude": 2,
    "Alarm": {"Threshold": 60},
    "StepAdjustments": [
        {
            "MetricIntervalLowerBound": 0,
            "MetricIntervalUpperBound": 10,
            "ScalingAdjustment": 10,
        },
        {"MetricIntervalLowerBound": 10, "ScalingAdjustment": 25},
    ],
}

SCENARIO = {
    "Group": {"MinSize": 2, "MaxSize": 20, "DesiredCapacity": 2},
    "Policies": [
        {
            "PolicyType": "TargetTrackingScaling",
            "TargetTrackingConfiguration": {"TargetValue": 50},
        }
    ],
    "Load": {
        "Duration": 1200,
        "Base": 80,
        "Spikes": [{"Start": 0, "Length": 600, "Extra": 120}],
    },
    "Step": 10,
    "LaunchDelay": 60,
    "Warmup": 0,
}


def write(tmp_path: Path, name: str, document: object) -> str:
    path = tmp_path / name
    path.write_text(json.dumps(document), encoding="utf-8")
    return str(path)


GROUP = ["--group", "min=2,max=10,desired=4"]


def test_evaluate_prints_the_decision_and_reason(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    policy = write(tmp_path, "p.json", STEP_POLICY)
    argv = ["autoscaling", "evaluate", "--policy", policy, *GROUP, "--metric", "73"]
    assert main(argv) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "desired capacity 4 -> 6 (+2)"
    assert out[1] == "policy: cpu-high"
    assert out[2] == "step: [10, +inf) -> 25"
    assert "raised to +2 by MinAdjustmentMagnitude 2" in out[3]


def test_evaluate_json_with_several_policies(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tracking = {
        "PolicyName": "tt",
        "PolicyType": "TargetTrackingScaling",
        "TargetTrackingConfiguration": {"TargetValue": 50},
    }
    first = write(tmp_path, "a.json", [STEP_POLICY])
    second = write(tmp_path, "b.json", tracking)
    argv = ["autoscaling", "evaluate", "--policy", first, "--policy", second]
    assert main([*argv, *GROUP, "--metric", "73", "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    # target tracking: ceil(4 x 73 / 50) = 6 too; the step policy comes first
    assert document["desired_capacity"] == 6
    assert document["step"] == {
        "lower_bound": 10,
        "upper_bound": None,
        "scaling_adjustment": 25,
    }
    assert [o["desired_capacity"] for o in document["outcomes"]] == [6, 6]
    assert main([*argv, *GROUP, "--metric", "73"]) == 0
    assert "each policy:" in capsys.readouterr().out


def test_evaluate_warming_and_no_change(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    policy = write(tmp_path, "p.json", STEP_POLICY)
    argv = ["autoscaling", "evaluate", "--policy", policy, *GROUP, "--now", "5"]
    assert main([*argv, "--metric", "40", "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["policy"] is None
    assert document["step"] is None
    assert main([*argv, "--metric", "65", "--warming", "2"]) == 0
    assert "desired capacity 4 -> 4 (+0)" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("group", "metric", "fragment"),
    [
        ("min=2,max=10", "73", "--group is missing desired"),
        ("min=2,max=10,desired=x", "73", "is not a whole number"),
        ("low=2", "73", "is not KEY=N"),
        ("min=5,max=2,desired=3", "73", "min_size=5 is greater than max_size=2"),
        ("min=2,max=10,desired=4", "hot", "--metric 'hot' is not a number"),
        ("min=2,max=10,desired=4", "nan", "is not finite"),
    ],
)
def test_evaluate_domain_errors_exit_1(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    group: str,
    metric: str,
    fragment: str,
) -> None:
    policy = write(tmp_path, "p.json", STEP_POLICY)
    argv = ["autoscaling", "evaluate", "--policy", policy, "--group", group]
    assert main([*argv, "--metric", metric]) == 1
    err = capsys.readouterr().err
    assert fragment in err
    assert err.count("\n") == 1


def test_bad_policy_files_exit_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = write(tmp_path, "bad.json", [{"PolicyType": "Magic"}, {"Foo": 1}])
    argv = ["autoscaling", "evaluate", "--policy", bad, *GROUP, "--metric", "1"]
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert "PolicyType='Magic' is not one of" in err
    assert "unknown key 'Foo'" in err
    broken = tmp_path / "broken.json"
    broken.write_text("{", encoding="utf-8")
    argv = ["autoscaling", "evaluate", "--policy", str(broken), *GROUP, "--metric", "1"]
    assert main(argv) == 1
    assert "is not valid JSON" in capsys.readouterr().err
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    argv = ["autoscaling", "evaluate", "--policy", str(deep), *GROUP, "--metric", "1"]
    assert main(argv) == 1
    assert "nested too deeply" in capsys.readouterr().err
    argv = ["autoscaling", "evaluate", "--policy", str(tmp_path / "nope.json")]
    assert main([*argv, *GROUP, "--metric", "1"]) == 1


def test_usage_errors_exit_2() -> None:
    with pytest.raises(SystemExit) as caught:
        main(["autoscaling", "evaluate", "--group", "min=1,max=2,desired=1"])
    assert caught.value.code == 2
    with pytest.raises(SystemExit) as caught:
        main(["autoscaling"])
    assert caught.value.code == 2


def test_simulate_prints_the_timeline(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """200 demand on 2 instances is 100 each against target 50: three high
    minutes, then ceil(2 x 100 / 50) = 4 at t=180."""
    scenario = write(tmp_path, "s.json", SCENARIO)
    assert main(["autoscaling", "simulate", scenario]) == 0
    out = capsys.readouterr().out
    assert out.startswith("120 steps of 10 s, 1 scaling activities")
    assert "t=180: 2 -> 4 by target-tracking" in out
    rows = [line.split() for line in out.splitlines() if line[:8].strip().isdigit()]
    assert rows[0] == ["0", "200.0", "100.0", "2", "2", "0", "0"]
    assert ["180", "200.0", "100.0", "4", "2", "0", "2"] in rows
    assert rows[-1][0] == "1190"
    assert main(["autoscaling", "simulate", scenario, "--every", "600"]) == 0
    rows = [
        line.split()
        for line in capsys.readouterr().out.splitlines()
        if line[:8].strip().isdigit()
    ]
    assert [r[0] for r in rows] == ["0", "600"]


def test_simulate_json_and_list_load(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scenario = write(tmp_path, "s.json", {**SCENARIO, "Load": [10, 20, 30]})
    assert main(["autoscaling", "simulate", scenario, "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert [p["demand"] for p in document["points"]] == [10.0, 20.0, 30.0]
    assert document["activities"] == []


def test_simulate_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    scenario = write(tmp_path, "s.json", SCENARIO)
    assert main(["autoscaling", "simulate", scenario, "--every", "0"]) == 1
    assert "--every 0" in capsys.readouterr().err
    bad = write(tmp_path, "bad.json", {**SCENARIO, "Load": [1, -1], "Step": 0})
    assert main(["autoscaling", "simulate", bad]) == 1
    err = capsys.readouterr().err
    assert "step=0 must be an integer >= 1" in err
    assert err.count("\n") == 1


def test_simulate_plot(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    scenario = write(tmp_path, "s.json", SCENARIO)
    out = tmp_path / "out.png"
    assert main(["autoscaling", "simulate", scenario, "--plot", str(out)]) == 0
    assert out.read_bytes().startswith(b"\x89PNG")
    assert f"plot written to {out}" in capsys.readouterr().out


def test_simulate_plot_without_matplotlib(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    real_import = builtins.__import__

    def no_matplotlib(name: str, *args: Any, **kwargs: Any) -> Any:
        if name.startswith("matplotlib"):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_matplotlib)
    scenario = write(tmp_path, "s.json", SCENARIO)
    argv = ["autoscaling", "simulate", scenario, "--plot", str(tmp_path / "x.png")]
    assert main(argv) == 1
    assert "--plot needs matplotlib: pip install 'awscore[plot]'" in (
        capsys.readouterr().err
    )


def test_help_shows_examples(capsys: pytest.CaptureFixture[str]) -> None:
    for verb in ("evaluate", "simulate"):
        with pytest.raises(SystemExit):
            main(["autoscaling", verb, "--help"])
        assert "\nexamples:\n" in capsys.readouterr().out


def test_tour_shows_a_decision_and_its_reason(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["tour", "--module", "autoscaling"]) == 0
    out = capsys.readouterr().out
    assert "desired capacity 4 -> 6 (+2)" in out
    assert "reason: cpu-high: metric 73 is 13 from threshold 60" in out
    assert len(out.splitlines()) <= 50
    assert main(["tour", "--module", "autoscaling", "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["autoscaling"]["decision"]["desired_capacity"] == 6


def test_evaluate_step_line_reads_the_interval_the_reason_matched(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A step straddling the threshold, [-10, 10), matched 5 above it: the step
    line shows the interval as the bounds applied, as the reason does."""
    straddling = {
        "PolicyName": "s",
        "PolicyType": "StepScaling",
        "AdjustmentType": "ChangeInCapacity",
        "Alarm": {"Threshold": 60},
        "StepAdjustments": [
            {"MetricIntervalUpperBound": -10, "ScalingAdjustment": 0},
            {
                "MetricIntervalLowerBound": -10,
                "MetricIntervalUpperBound": 10,
                "ScalingAdjustment": 1,
            },
            {"MetricIntervalLowerBound": 10, "ScalingAdjustment": 3},
        ],
    }
    policy = write(tmp_path, "p.json", straddling)
    argv = ["autoscaling", "evaluate", "--policy", policy, *GROUP, "--metric", "65"]
    assert main(argv) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[2] == "step: [-10, 10) -> 1"
    assert "in step [-10, 10)" in out[3]


DATA = Path(__file__).parent.parent / "autoscaling" / "data"


def _replay_args(*extra: str) -> list[str]:
    return [
        "autoscaling",
        "replay",
        "--group",
        str(DATA / "asg.json"),
        "--policies",
        str(DATA / "policies.json"),
        "--alarms",
        str(DATA / "alarms.json"),
        "--metrics",
        str(DATA / "metrics.json"),
        *extra,
    ]


def test_replay_prints_the_decision_log(capsys: pytest.CaptureFixture[str]) -> None:
    """The sample day: a summary, one line per scaling activity with its time and
    reason, and the fleet at the end by zone."""
    assert main(_replay_args("--schedule", str(DATA / "scheduled-actions.json"))) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("group web-asg: 2 policies over 288 datapoints")
    assert "2026-11-26 00:00 to 2026-11-26 23:55" in out[0]
    assert out[3].startswith("2026-11-26 00:15  4 -> 2  cpu50-target-tracking:")
    assert any("scheduled action 'weekday-morning'" in line for line in out)
    assert out[-1].startswith("fleet: ")
    assert "us-east-1a" in out[-1]


def test_replay_json_plot_and_group_name(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    require_peer("matplotlib")
    plot = tmp_path / "replay.png"
    argv = _replay_args("--json", "--seed", "3", "--group-name", "web-asg")
    assert main([*argv, "--plot", str(plot)]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["group"] == "web-asg"
    assert document["seed"] == 3
    assert set(document["points"][0]["zones"]) == {
        "us-east-1a",
        "us-east-1b",
        "us-east-1c",
    }
    assert plot.read_bytes().startswith(b"\x89PNG")


def test_replay_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A missing group name, policies without their alarms and metrics of the
    wrong shape: exit 1 with one line naming the file."""
    assert main(_replay_args("--group-name", "api")) == 1
    assert "has no group 'api': it has 'web-asg'" in capsys.readouterr().err
    argv = [
        a for a in _replay_args() if a not in ("--alarms", str(DATA / "alarms.json"))
    ]
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert "policies.json policy 'cpu-high-step': needs the threshold" in err
    assert err.count("\n") == 1
    wrong = write(tmp_path, "m.json", {"Datapoints": []})
    argv = _replay_args()
    argv[argv.index("--metrics") + 1] = wrong
    assert main(argv) == 1
    assert "m.json document: holds no datapoint" in capsys.readouterr().err


def test_simulate_a_fleet_through_a_zone_outage(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A scenario with a Fleet and ZoneEvents: the JSON timeline lists instances
    by zone and market, and the outage moves them."""
    scenario = {
        **SCENARIO,
        "Group": {"MinSize": 3, "MaxSize": 9, "DesiredCapacity": 3},
        "Policies": [],
        "Fleet": {"AvailabilityZones": ["a", "b", "c"]},
        "ZoneEvents": [
            {"Time": 300, "Zone": "c", "Outage": True},
            {"Time": 900, "Zone": "c", "Outage": False},
        ],
        "Seed": 5,
    }
    path = write(tmp_path, "s.json", scenario)
    assert main(["autoscaling", "simulate", path, "--json"]) == 0
    points = json.loads(capsys.readouterr().out)["points"]
    assert points[0]["zones"] == {"a": 1, "b": 1, "c": 1}
    during = next(p for p in points if p["time"] == 600)
    assert during["zones"]["c"] == 0
    assert sum(during["zones"].values()) == 3
    assert points[-1]["zones"] == {"a": 1, "b": 1, "c": 1}
    assert points[0]["markets"] == {"on-demand": 3, "spot": 0}
    bad = write(
        tmp_path,
        "b.json",
        {**scenario, "ZoneEvents": [{"Time": 1, "Zone": "z", "Outage": True}]},
    )
    assert main(["autoscaling", "simulate", bad]) == 1
    assert (
        "zone event zone 'z' is not one of the fleet's zones" in capsys.readouterr().err
    )
