"""``awscore autoscaling``: evaluate a scaling decision, or simulate a load trace."""

from __future__ import annotations

import argparse
import datetime
import json
import math
import sys
from pathlib import Path
from typing import Any

from awscore.autoscaling import (
    AdjustmentType,
    Alarm,
    Decision,
    Group,
    Policy,
    ScalingState,
    StepAdjustment,
    StepScalingPolicy,
    Timeline,
    evaluate,
    parse_policy,
    parse_scenario,
    read_alarms,
    read_groups,
    read_metrics,
    read_policies,
    read_scheduled_actions,
    replay,
)
from awscore.cli._output import add_json_flag, epilog, write_json
from awscore.cli._progress import progress
from awscore.cli._tour import TourPart, TourSection
from awscore.errors import AutoScalingInputError, CliError

__all__ = ["TOUR", "register"]

_EVALUATE_EXAMPLE = epilog(
    "awscore autoscaling evaluate --policy examples/autoscaling/policy.json\n"
    "--group min=2,max=10,desired=4 --metric 73",
    "awscore autoscaling evaluate --policy examples/autoscaling/policies.json\n"
    "--group min=2,max=10,desired=4 --metric 73 --json",
    notes="A policy file holds one PutScalingPolicy-shaped object or a list of them, "
    "e.g.\n"
    '  {"PolicyType": "StepScaling", "AdjustmentType": "PercentChangeInCapacity",\n'
    '   "MinAdjustmentMagnitude": 2, "Alarm": {"Threshold": 60},\n'
    '   "StepAdjustments": [{"MetricIntervalLowerBound": 0, "ScalingAdjustment": 25}]}',
)

_SIMULATE_EXAMPLE = epilog(
    "awscore autoscaling simulate examples/autoscaling/scenario.json",
    "awscore autoscaling simulate examples/autoscaling/scenario.json --every 600 "
    "--plot timeline.png",
    notes="A scenario is a group, its policies and a load trace, as in "
    "examples/autoscaling/scenario.json.\n--plot needs matplotlib (awscore[plot]). "
    "A progress bar shows on a terminal.",
)

_REPLAY_EXAMPLE = epilog(
    "awscore autoscaling replay --group examples/autoscaling/aws/asg.json\n"
    "--policies examples/autoscaling/aws/policies.json\n"
    "--alarms examples/autoscaling/aws/alarms.json\n"
    "--metrics examples/autoscaling/aws/metrics.json",
    "awscore autoscaling replay --group examples/autoscaling/aws/asg.json\n"
    "--policies examples/autoscaling/aws/policies.json\n"
    "--alarms examples/autoscaling/aws/alarms.json\n"
    "--metrics examples/autoscaling/aws/metrics.json --json",
    notes=(
        "The files are what the AWS CLI prints, saved as they come:\n"
        "`aws autoscaling describe-auto-scaling-groups`, `describe-policies`,\n"
        "`aws cloudwatch describe-alarms` and `get-metric-data` (or\n"
        "`get-metric-statistics`). The metric is read as the group's per-instance\n"
        "average, observed at its DesiredCapacity; each datapoint holds until the next."
    ),
)


_GROUP_KEYS = {
    "min": "min_size",
    "max": "max_size",
    "desired": "desired_capacity",
    "cooldown": "default_cooldown",
    "warmup": "default_instance_warmup",
}


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``awscore autoscaling evaluate|simulate|replay``."""
    parser = subparsers.add_parser(
        "autoscaling",
        help="Auto Scaling policy decisions and simulations",
        description="What EC2 Auto Scaling's step, simple and target tracking "
        "policies (and the Kubernetes HPA) do with a metric, exactly.",
        epilog=epilog(
            "awscore autoscaling evaluate --policy examples/autoscaling/policy.json\n"
            "--group min=2,max=10,desired=4 --metric 73",
            "awscore autoscaling simulate examples/autoscaling/scenario.json",
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    verbs = parser.add_subparsers(title="verbs", metavar="VERB", required=True)
    ev = verbs.add_parser(
        "evaluate",
        help="one decision: new desired capacity, policy, step and reason",
        description="Evaluate scaling policies against one metric value.",
        epilog=_EVALUATE_EXAMPLE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    ev.add_argument(
        "--policy",
        action="append",
        required=True,
        metavar="FILE",
        help="a JSON file with a policy or a list of policies (repeatable)",
    )
    ev.add_argument(
        "--group",
        required=True,
        metavar="min=N,max=N,desired=N[,cooldown=S,warmup=S]",
        help="the group's sizes (and default cooldown and instance warmup)",
    )
    ev.add_argument("--metric", required=True, help="the metric value, e.g. 73")
    ev.add_argument("--now", default="0", help="the time in seconds (0)")
    ev.add_argument(
        "--warming",
        type=int,
        default=0,
        help="instances launched but not yet counted in the metric (0)",
    )
    add_json_flag(ev)
    ev.set_defaults(handler=_evaluate)
    sim = verbs.add_parser(
        "simulate",
        help="run a scenario over its load trace and print the timeline",
        description="Simulate a group and its policies over a load trace.",
        epilog=_SIMULATE_EXAMPLE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sim.add_argument("scenario", help="the scenario JSON file")
    sim.add_argument(
        "--every",
        type=int,
        default=None,
        metavar="SECONDS",
        help="print a row every SECONDS (default: only rows where a count changes)",
    )
    sim.add_argument(
        "--plot", metavar="OUT.png", help="draw the timeline (needs matplotlib)"
    )
    add_json_flag(sim)
    sim.set_defaults(handler=_simulate)
    rep = verbs.add_parser(
        "replay",
        help="what a group's policies would have done with its real metric history",
        description="Replay AWS CLI output (a group, its policies, its metric "
        "history) through awscore's group, fleet and policies.",
        epilog=_REPLAY_EXAMPLE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    rep.add_argument(
        "--group", required=True, metavar="FILE", help="describe-auto-scaling-groups"
    )
    rep.add_argument(
        "--group-name", metavar="NAME", help="which group of the file (default: first)"
    )
    rep.add_argument(
        "--policies", required=True, metavar="FILE", help="describe-policies output"
    )
    rep.add_argument(
        "--metrics",
        required=True,
        metavar="FILE",
        help="get-metric-data or get-metric-statistics output",
    )
    rep.add_argument(
        "--alarms",
        metavar="FILE",
        help="describe-alarms output (the thresholds of step and simple policies)",
    )
    rep.add_argument(
        "--schedule", metavar="FILE", help="describe-scheduled-actions output"
    )
    rep.add_argument("--seed", type=int, default=0, help="termination RNG seed (0)")
    rep.add_argument(
        "--plot", metavar="OUT.png", help="draw the replay (needs matplotlib)"
    )
    add_json_flag(rep)
    rep.set_defaults(handler=_replay)


def _number(text: str, what: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise CliError(f"{what} {text!r} is not a number") from None
    if not math.isfinite(value):
        raise CliError(f"{what} {text!r} is not finite: give a finite number")
    return value


def _group(text: str) -> Group:
    values: dict[str, int] = {}
    for part in text.split(","):
        key, sep, raw = part.partition("=")
        if not sep or key.strip() not in _GROUP_KEYS:
            raise CliError(
                f"--group part {part!r} is not KEY=N with KEY one of "
                f"{', '.join(_GROUP_KEYS)}"
            )
        try:
            values[_GROUP_KEYS[key.strip()]] = int(raw)
        except ValueError:
            raise CliError(f"--group {key}={raw!r} is not a whole number") from None
    missing = [k for k in ("min", "max", "desired") if _GROUP_KEYS[k] not in values]
    if missing:
        raise CliError(f"--group is missing {', '.join(missing)}")
    return Group(**values)


#: The largest JSON file the CLI reads (a week of one-minute metrics is ~1 MB).
_MAX_FILE_BYTES = 32 * 1024 * 1024


def _json_file(path: str) -> Any:
    with Path(path).open("rb") as handle:
        raw = handle.read(_MAX_FILE_BYTES + 1)
    if len(raw) > _MAX_FILE_BYTES:
        raise CliError(f"{path} is larger than {_MAX_FILE_BYTES // 2**20} MiB")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise CliError(
            f"{path} is not UTF-8 text (byte {error.start}): save it as UTF-8"
        ) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise CliError(f"{path} is not valid JSON: {error}") from None
    except ValueError as error:
        # json.loads raises a plain ValueError past Python's integer digit limit.
        raise CliError(
            f"{path} holds a number awscore does not read: {error}"
        ) from None
    except RecursionError:
        raise CliError(f"{path} is nested too deeply to read") from None


def _policies(paths: list[str]) -> list[Policy]:
    policies: list[Policy] = []
    problems: list[str] = []
    for path in paths:
        document = _json_file(path)
        items = document if isinstance(document, list) else [document]
        # number by position in the file, failed ones included ("policy #2")
        for index, item in enumerate(items):
            try:
                policies.append(parse_policy(item, index=index))
            except AutoScalingInputError as error:
                problems.extend(f"{path}: {p}" for p in error.problems)
    if problems:
        raise AutoScalingInputError(problems)
    return policies


def _decision_data(decision: Decision) -> dict[str, object]:
    step = decision.step
    return {
        "desired_capacity": decision.desired_capacity,
        "previous_capacity": decision.previous_capacity,
        "adjustment": decision.adjustment,
        "policy": decision.policy,
        "step": None
        if step is None
        else {
            "lower_bound": _plain(step.lower_bound),
            "upper_bound": _plain(step.upper_bound),
            "scaling_adjustment": step.scaling_adjustment,
        },
        "reason": decision.reason,
        "outcomes": [
            {
                "policy": o.policy,
                "desired_capacity": o.desired_capacity,
                "reason": o.reason,
            }
            for o in decision.outcomes
        ],
    }


def _plain(value: object) -> object:
    return value if value is None or isinstance(value, int | float) else str(value)


def _decision_text(decision: Decision) -> list[str]:
    lines = [
        f"desired capacity {decision.previous_capacity} -> "
        f"{decision.desired_capacity} ({decision.adjustment:+d})",
        f"policy: {decision.policy or '-'}",
    ]
    if decision.step is not None:
        step = decision.step
        lines.append(f"step: {decision.step_interval} -> {step.scaling_adjustment}")
    lines.append(f"reason: {decision.reason}")
    if len(decision.outcomes) > 1:
        lines.append("each policy:")
        lines.extend(
            f"  {o.policy}: {'-' if o.desired_capacity is None else o.desired_capacity}"
            f"  {o.reason}"
            for o in decision.outcomes
        )
    return lines


def _evaluate(args: argparse.Namespace) -> int:
    group = _group(args.group)
    metric = _number(args.metric, "--metric")
    now = _number(args.now, "--now")
    policies = _policies(args.policy)
    decision = evaluate(
        group,
        policies,
        metric,
        now,
        state=ScalingState(warming_capacity=args.warming),
    )
    if args.json:
        write_json(_decision_data(decision))
    else:
        sys.stdout.write("\n".join(_decision_text(decision)) + "\n")
    return 0


def _rows(timeline: Timeline, every: int | None) -> list[str]:
    lines = [
        f"{'time':>8} {'demand':>8} {'metric':>8} {'desired':>7} "
        f"{'service':>7} {'warming':>7} {'pending':>7}"
    ]
    last: tuple[int, int, int, int] | None = None
    final = timeline.points[-1].time
    for p in timeline.points:
        counts = (p.desired, p.in_service, p.warming, p.pending)
        if every is None:
            show = counts != last or p.time == final
        else:
            show = p.time % every == 0
        last = counts
        if show:
            metric = "-" if p.metric is None else f"{p.metric:.1f}"
            lines.append(
                f"{p.time:>8.0f} {p.demand:>8.1f} {metric:>8} {p.desired:>7} "
                f"{p.in_service:>7} {p.warming:>7} {p.pending:>7}"
            )
    return lines


def _simulate(args: argparse.Namespace) -> int:
    if args.every is not None and args.every < 1:
        raise CliError(f"--every {args.every} must be at least 1 second")
    scenario = parse_scenario(_json_file(args.scenario))
    with progress(args, "simulate", None):
        timeline = scenario.run()
    if args.plot:
        _plot(timeline, args.plot)
    if args.json:
        write_json(timeline.as_dict())
        return 0
    out = sys.stdout
    out.write(
        f"{len(timeline.points)} steps of {timeline.step} s, "
        f"{len(timeline.activities)} scaling activities, "
        f"{timeline.instance_hours:.1f} instance-hours\n\n"
    )
    for activity in timeline.activities:
        out.write(
            f"t={activity.time:.0f}: {activity.from_capacity} -> "
            f"{activity.to_capacity} by {activity.reason}\n"
        )
    out.write("\n" + "\n".join(_rows(timeline, args.every)) + "\n")
    if args.plot:
        out.write(f"\nplot written to {args.plot}\n")
    return 0


def _replay(args: argparse.Namespace) -> int:
    groups = read_groups(_json_file(args.group), source=args.group)
    if args.group_name is None:
        group = groups[0]
    else:
        found = [g for g in groups if g.name == args.group_name]
        if not found:
            raise CliError(
                f"{args.group} has no group {args.group_name!r}: it has "
                + ", ".join(repr(g.name) for g in groups)
            )
        group = found[0]
    alarms = (
        read_alarms(_json_file(args.alarms), source=args.alarms) if args.alarms else {}
    )
    policies = read_policies(
        _json_file(args.policies), alarms=alarms, source=args.policies
    )
    metrics = read_metrics(_json_file(args.metrics), source=args.metrics)
    schedule = (
        read_scheduled_actions(_json_file(args.schedule), source=args.schedule)
        if args.schedule
        else []
    )
    timeline = replay(
        group, policies, metrics, scheduled_actions=schedule, seed=args.seed
    )
    if args.plot:
        _plot(timeline, args.plot)
    if args.json:
        write_json({"group": group.name, "seed": args.seed, **timeline.as_dict()})
        return 0
    out = sys.stdout
    first, last = timeline.points[0], timeline.points[-1]
    out.write(
        f"group {group.name}: {len(policies)} policies over "
        f"{len(metrics)} datapoints ({_stamp(first.time)} to {_stamp(last.time)}), "
        f"seed {args.seed}\n"
        f"{len(timeline.activities)} scaling activities, "
        f"{timeline.instance_hours:.1f} instance-hours, "
        f"desired {first.desired} -> {last.desired}\n\n"
    )
    for activity in timeline.activities:
        out.write(
            f"{_stamp(activity.time)}  {activity.from_capacity} -> "
            f"{activity.to_capacity}  {activity.reason}\n"
        )
    launches = sum(e.kind == "launch" for e in timeline.fleet_events)
    ends = sum(e.kind == "terminate" for e in timeline.fleet_events)
    zones = ", ".join(f"{z} {n}" for z, n in last.zones)
    out.write(
        f"\nfleet: {launches} launches, {ends} terminations; at the end {zones}\n"
    )
    if args.plot:
        out.write(f"plot written to {args.plot}\n")
    return 0


def _stamp(time: float) -> str:
    return datetime.datetime.fromtimestamp(time, datetime.UTC).strftime(
        "%Y-%m-%d %H:%M"
    )


def _plot(timeline: Timeline, path: str) -> None:
    """Draw the timeline with matplotlib (Agg), imported only when asked for."""
    try:
        import matplotlib  # optional (the plot extra): imported only for --plot

        matplotlib.use("Agg")
        from matplotlib import pyplot
    except ImportError:
        raise CliError("--plot needs matplotlib: pip install 'awscore[plot]'") from None
    origin = timeline.points[0].time
    hours = [(p.time - origin) / 3600 for p in timeline.points]
    has_fleet = bool(timeline.points[0].zones)
    rows = 3 if has_fleet else 2
    figure, axes = pyplot.subplots(rows, 1, sharex=True, figsize=(10, 3 * rows))
    top, bottom = axes[0], axes[1]
    top.plot(hours, [p.metric for p in timeline.points], label="metric per instance")
    top.set_ylabel("metric")
    top.legend(loc="upper right")
    bottom.step(
        hours, [p.desired for p in timeline.points], label="desired", where="post"
    )
    bottom.step(
        hours, [p.in_service for p in timeline.points], label="in service", where="post"
    )
    bottom.step(
        hours,
        [p.warming + p.pending for p in timeline.points],
        label="pending + warming",
        where="post",
    )
    bottom.set_ylabel("instances")
    bottom.legend(loc="upper right")
    if has_fleet:
        fleet = axes[2]
        zones = [z for z, _ in timeline.points[0].zones]
        for zone in zones:
            fleet.step(
                hours,
                [dict(p.zones)[zone] for p in timeline.points],
                label=zone,
                where="post",
            )
        spot = [dict(p.markets).get("spot", 0) for p in timeline.points]
        if any(spot):
            fleet.step(hours, spot, label="Spot", where="post", linestyle=":")
        fleet.set_ylabel("instances by zone")
        fleet.legend(loc="upper right")
    axes[-1].set_xlabel("hours")
    figure.tight_layout()
    figure.savefig(path)
    pyplot.close(figure)


def _tour_policy() -> StepScalingPolicy:
    return StepScalingPolicy(
        name="cpu-high",
        adjustment_type=AdjustmentType.PERCENT_CHANGE_IN_CAPACITY,
        step_adjustments=(
            StepAdjustment(lower_bound=0, upper_bound=10, scaling_adjustment=10),
            StepAdjustment(lower_bound=10, upper_bound=None, scaling_adjustment=25),
        ),
        alarm=Alarm(name="cpu-high", threshold=60),
        min_adjustment_magnitude=2,
    )


def _tour() -> TourPart:
    group = Group(min_size=2, max_size=10, desired_capacity=4)
    decision = evaluate(group, [_tour_policy()], metric=73, now=0)
    text = (
        "A group of 4 (min 2, max 10) with a step policy on a CPU alarm at 60%:\n"
        "+10% for a breach in [0, 10), +25% for 10 or more, and\n"
        "MinAdjustmentMagnitude 2. CPU reads 73%:\n\n"
        + "\n".join(_decision_text(decision))
        + "\n\n25% of 4 is exactly 1; the minimum magnitude makes it 2. moto's\n"
        "execute_policy would add 1 (it ignores MinAdjustmentMagnitude).\n"
        "Try `awscore autoscaling simulate examples/autoscaling/scenario.json`."
    )
    return TourPart(text=text, data={"decision": _decision_data(decision)})


TOUR = TourSection(
    name="autoscaling", title="autoscaling: one step-scaling decision", run=_tour
)
