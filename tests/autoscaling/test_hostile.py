"""Issue #22's autoscaling findings, each a regression test: hostile or
wrong-typed input only ever raises AutoScalingInputError (a ValueError), with a
bounded message naming the argument, and never hangs."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path

import pytest

from awscore.autoscaling import (
    Alarm,
    AllocationStrategy,
    AutoScalingInputError,
    Fleet,
    FleetConfig,
    Group,
    Instance,
    InstancesDistribution,
    LaunchSpec,
    LifecycleHook,
    LifecycleTransition,
    Market,
    Pool,
    ScalingState,
    ScheduledAction,
    SimpleScalingPolicy,
    StepAdjustment,
    TargetTrackingPolicy,
    apply_adjustment,
    choose_pool,
    choose_victim,
    evaluate,
    evaluate_alarm,
    metric_load,
    parse_cron,
    parse_group,
    parse_policy,
    parse_scenario,
    percent_adjustment,
    read_alarms,
    read_groups,
    read_metrics,
    read_policies,
    read_scheduled_actions,
    rebalance_margin,
    replay,
    simulate,
    spiky_load,
    split_capacity,
)
from awscore.cli import main

GROUP = Group(min_size=1, max_size=10, desired_capacity=4)
HUGE = 10**5000


def _nested(depth: int) -> list[object]:
    """A list nested ``depth`` deep: its repr (and so an Enum lookup's error
    message, or str() of it) raises RecursionError."""
    value: list[object] = []
    for _ in range(depth):
        value = [value]
    return value


DEEP = _nested(5000)
LAUNCH = LaunchSpec(launch_template="web", version=1)
CONFIG = FleetConfig(
    availability_zones=("us-east-1a",), min_size=1, max_size=10, launch=LAUNCH
)
FLEET = Fleet.start(CONFIG, 2)
TIMELINE = simulate(GROUP, [], [10.0, 20.0], step=10, decision_interval=10)
SCENARIO = {
    "Group": {"MinSize": 1, "MaxSize": 5, "DesiredCapacity": 1},
    "Policies": [],
    "Load": {"Duration": 60, "Base": 1},
}

CASES: dict[str, tuple[Callable[[], object], str]] = {
    "spiky_load(step=0)": (
        lambda: spiky_load(duration=60, step=0, base=1),
        "step=0 must be an integer >= 1",
    ),
    "spike of the wrong length": (
        lambda: spiky_load(duration=60, step=10, base=1, spikes=[(1, 2)]),  # type: ignore[list-item]
        "spikes[0]=(1, 2) must be a (start, length, extra) triple",
    ),
    "spiky_load(10**7, step=1)": (
        lambda: spiky_load(duration=10**7, step=1, base=1),
        "10000000 steps: at most 604800",
    ),
    "Base 10**400": (
        lambda: parse_scenario({**SCENARIO, "Load": {"Duration": 60, "Base": 10**400}}),
        "Load Base=<an integer of about 401 digits> is out of range",
    ),
    "Duration 2**63": (
        lambda: parse_scenario({**SCENARIO, "Load": {"Duration": 2**63, "Base": 1}}),
        "at most 604800",
    ),
    "5,000-digit ScalingAdjustment": (
        lambda: parse_policy(
            {
                "AdjustmentType": "ChangeInCapacity",
                "ScalingAdjustment": HUGE,
                "Alarm": {"Threshold": 1},
            }
        ),
        "scaling_adjustment=<an integer of about 5001 digits> is out of range",
    ),
    "5,000-digit threshold": (
        lambda: Alarm(threshold=HUGE),
        "threshold=<an integer of about 5001 digits> is out of range",
    ),
    "huge metric": (
        lambda: evaluate(
            GROUP, [TargetTrackingPolicy(target_value=50)], Fraction(HUGE, 3), 0
        ),
        "metric=<a fraction too large to show> is out of range",
    ),
    "huge load value": (lambda: simulate(GROUP, [], [10**400]), "load[0]=<an integer"),
    "evaluate(None)": (lambda: evaluate(None, [], 1, 0), "group=None is not a Group"),  # type: ignore[arg-type]
    "simulate('x')": (lambda: simulate("x", [], [1]), "group='x' is not a Group"),  # type: ignore[arg-type]
    "Group('a')": (lambda: Group("a", 2, 1), "min_size='a' must be an integer"),  # type: ignore[arg-type]
    "parse_policy(5)": (lambda: parse_policy(5), "must be an object, not a number"),
    "parse_scenario(None)": (
        lambda: parse_scenario(None),
        "must be an object, not null",
    ),
    "parse_group([])": (lambda: parse_group([]), "must be an object, not an array"),
    "percent_adjustment('x')": (
        lambda: percent_adjustment("x", 5),  # type: ignore[arg-type]
        "capacity='x' must be an integer",
    ),
    "apply_adjustment('Nope')": (
        lambda: apply_adjustment("Nope", 1, 2),  # type: ignore[arg-type]
        "adjustment_type='Nope' is not one of",
    ),
    "apply_adjustment(capacity)": (
        lambda: apply_adjustment("ExactCapacity", 1, None),  # type: ignore[arg-type]
        "capacity=None must be an integer",
    ),
    "evaluate_alarm(None)": (
        lambda: evaluate_alarm(None, [1]),  # type: ignore[arg-type]
        "alarm=None is not an Alarm",
    ),
    "evaluate_alarm(series)": (
        lambda: evaluate_alarm(Alarm(threshold=1), 5),  # type: ignore[arg-type]
        "datapoints=5 must be a sequence",
    ),
    "evaluate_alarm(previous)": (
        lambda: evaluate_alarm(Alarm(threshold=1), [1], previous="BAD"),  # type: ignore[arg-type]
        "previous='BAD' is not one of",
    ),
    "split_capacity('3')": (
        lambda: split_capacity("3", InstancesDistribution()),  # type: ignore[arg-type]
        "desired='3' must be a capacity",
    ),
    "split_capacity(None)": (
        lambda: split_capacity(3, None),  # type: ignore[arg-type]
        "distribution=None is not an InstancesDistribution",
    ),
    "choose_pool('x')": (
        lambda: choose_pool("x", [], Market.SPOT),  # type: ignore[arg-type]
        "strategy 'x' or market 'spot' is not one of",
    ),
    "choose_pool([])": (
        lambda: choose_pool("prioritized", [], "spot"),  # type: ignore[arg-type]
        "pools must be a non-empty sequence of Pool values",
    ),
    "choose_victim(None)": (
        lambda: choose_victim(
            None,  # type: ignore[arg-type]
            policies=(),
            current=None,  # type: ignore[arg-type]
            mixed=None,
            now=0,
            seed=0,
            draw_index=0,
        ),
        "instances must be a sequence of Instance values",
    ),
    "Fleet.start(None)": (
        lambda: Fleet.start(None, 1),  # type: ignore[arg-type]
        "config=None is not a FleetConfig",
    ),
    "rebalance_margin('x')": (
        lambda: rebalance_margin("x"),  # type: ignore[arg-type]
        "max_size='x' must be a size",
    ),
    "every-minute cron over a year": (
        lambda: ScheduledAction(
            name="a", recurrence="* * * * *", desired_capacity=1
        ).runs(
            dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
            dt.datetime(2027, 1, 1, tzinfo=dt.UTC),
        ),
        "runs more than 100000 times",
    ),
    "a 100-year window": (
        lambda: ScheduledAction(
            name="a", recurrence="0 0 1 1 *", desired_capacity=1
        ).runs(
            dt.datetime(2000, 1, 1, tzinfo=dt.UTC),
            dt.datetime(2100, 1, 1, tzinfo=dt.UTC),
        ),
        "longer than 29 years",
    ),
    "naive window": (
        lambda: ScheduledAction(
            name="a", recurrence="0 0 * * *", desired_capacity=1
        ).runs(dt.datetime(2026, 1, 1), dt.datetime(2026, 1, 2)),
        "after=",
    ),
    "parse_cron(None)": (lambda: parse_cron(None), "Recurrence=None must be"),  # type: ignore[arg-type]
    "cron of huge digits": (
        lambda: parse_cron("9" * 5000 + " * * * *"),
        "(5008 characters) must be a cron expression of 1..255 characters",
    ),
    "read_groups(None)": (lambda: read_groups(None), "document: must be an object"),
    "read_metrics([1])": (lambda: read_metrics([1]), "document: must be an object"),
    "replay(None)": (lambda: replay(None, [], []), "is not a group read from AWS"),  # type: ignore[arg-type]
    # fuzz.py (a deeply nested value in an Enum field: the lookup's own error
    # message reprs it and raised RecursionError; text only is looked up now)
    "Alarm comparison_operator nested": (
        lambda: Alarm(threshold=1, comparison_operator=DEEP),  # type: ignore[arg-type]
        "comparison_operator=<a value too large to show> is not one of",
    ),
    "Alarm treat_missing_data nested": (
        lambda: Alarm(threshold=1, treat_missing_data=DEEP),  # type: ignore[arg-type]
        "treat_missing_data=<a value too large to show> is not one of",
    ),
    "SimpleScalingPolicy adjustment_type nested": (
        lambda: SimpleScalingPolicy(
            adjustment_type=DEEP,  # type: ignore[arg-type]
            scaling_adjustment=1,
            alarm=Alarm(threshold=1),
        ),
        "adjustment_type=<a value too large to show> is not one of",
    ),
    "apply_adjustment nested": (
        lambda: apply_adjustment(DEEP, 1, 1),  # type: ignore[arg-type]
        "adjustment_type=<a value too large to show> is not one of",
    ),
    "ScalingState alarm_states nested": (
        lambda: ScalingState(alarm_states={"a": DEEP}),  # type: ignore[dict-item]
        "alarm_states['a']=<a value too large to show> is not one of",
    ),
    "LifecycleHook transition nested": (
        lambda: LifecycleHook(name="h", transition=DEEP),  # type: ignore[arg-type]
        "<a value too large to show>",
    ),
    "LifecycleHook default_result nested": (
        lambda: LifecycleHook(
            name="h",
            transition=LifecycleTransition.LAUNCHING,
            default_result=DEEP,  # type: ignore[arg-type]
        ),
        "<a value too large to show>",
    ),
    "InstancesDistribution strategy nested": (
        lambda: InstancesDistribution(spot_allocation_strategy=DEEP),  # type: ignore[arg-type]
        "<a value too large to show>",
    ),
    "Instance market nested": (
        lambda: Instance(
            instance_id="i-1",
            availability_zone="us-east-1a",
            launch=LAUNCH,
            launch_time=0,
            market=DEEP,  # type: ignore[arg-type]
        ),
        "Instance market=<a value too large to show> is not one of",
    ),
    "FleetConfig health_check_type nested": (
        lambda: FleetConfig(
            availability_zones=("us-east-1a",),
            min_size=1,
            max_size=2,
            launch=LAUNCH,
            health_check_type=DEEP,  # type: ignore[arg-type]
        ),
        "<a value too large to show>",
    ),
    "choose_pool market huge": (
        lambda: choose_pool(AllocationStrategy.LOWEST_PRICE, [], HUGE),  # type: ignore[arg-type]
        "market <an integer of about 5001 digits> is not one of",
    ),
    # fuzz.py: methods that compared or converted an argument they never checked
    "Alarm.breaches('x')": (
        lambda: Alarm(threshold=1).breaches("x"),  # type: ignore[arg-type]
        "datapoint value='x' is not a number: a string",
    ),
    "Group.clamp(frozenset())": (
        lambda: GROUP.clamp(frozenset()),  # type: ignore[arg-type]
        "capacity=frozenset() must be a whole number of instances",
    ),
    "Group.with_desired('2')": (
        lambda: GROUP.with_desired("2"),  # type: ignore[arg-type]
        "capacity='2' must be a whole number",
    ),
    "StepAdjustment.contains('1', upper=None)": (
        lambda: StepAdjustment(0, None, 1).contains("1", upper=None),  # type: ignore[arg-type]
        "breach='1' must be a number; upper=None must be true or false",
    ),
    "Cron.matches_date(None)": (
        lambda: parse_cron("0 8 * * *").matches_date(None),  # type: ignore[arg-type]
        "day=None must be a date",
    ),
    "Fleet.with_sizes(desired=b'')": (
        lambda: FLEET.with_sizes(min_size=None, max_size=None, desired=b""),  # type: ignore[arg-type]
        "DesiredCapacity=b'' must be a whole number in 0..10000 or null",
    ),
    "Fleet.set_protection(0.0)": (
        lambda: FLEET.set_protection(0.0, protected=True),  # type: ignore[arg-type]
        "InstanceIds=0.0 must be a list of instance ids",
    ),
    "Timeline.seconds_above(None)": (
        lambda: TIMELINE.seconds_above(None),  # type: ignore[arg-type]
        "level=None must be a number",
    ),
    "read_policies(alarms=1.0)": (
        lambda: read_policies({"ScalingPolicies": []}, alarms=1.0),  # type: ignore[arg-type]
        "alarms=1.0 must map alarm names to alarms",
    ),
    # fuzz.py: a huge number's str() (past Python's 4,300-digit limit) in a message
    "Pool spot_price huge": (
        lambda: Pool(instance_type="m5.large", availability_zone="a", spot_price=HUGE),
        "spot_price=<an integer of about 5001 digits> must be a price",
    ),
    "parse_policy(index=huge)": (
        lambda: parse_policy(None, index=HUGE),
        "policy #<an integer of about 5001 digits>",
    ),
    "read_alarms(source=huge)": (
        lambda: read_alarms(None, source=HUGE),  # type: ignore[arg-type]
        "<an integer of about 5001 digits> document: must be an object",
    ),
    "read_scheduled_actions(source=nested)": (
        lambda: read_scheduled_actions(None, source=DEEP),  # type: ignore[arg-type]
        "<a value too large to show> document: must be an object",
    ),
    "simulate step huge": (
        lambda: simulate(GROUP, [], [1.0], step=HUGE, decision_interval=60),
        "is not a multiple of step=<an integer of about 5001 digits>",
    ),
    # fuzz.py (the replay CLI): an object as an instance's LifecycleState was
    # looked up in a set, raising TypeError (unhashable)
    "read_groups LifecycleState object": (
        lambda: read_groups(
            {
                "AutoScalingGroups": [
                    {
                        "AutoScalingGroupName": "g",
                        "MinSize": 1,
                        "MaxSize": 2,
                        "DesiredCapacity": 1,
                        "AvailabilityZones": ["us-east-1a"],
                        "LaunchTemplate": {"LaunchTemplateName": "t", "Version": "1"},
                        "Instances": [
                            {
                                "InstanceId": "i-1",
                                "AvailabilityZone": "us-east-1a",
                                "LifecycleState": {},
                            }
                        ],
                    }
                ]
            }
        ),
        "LifecycleState {} is not a state awscore models",
    ),
    # fuzz.py: metric_load indexed and compared a history it never checked
    "metric_load(nested)": (
        lambda: metric_load(DEEP, 4),  # type: ignore[arg-type]
        "metrics[0]=<a value too large to show> must be a (time",
    ),
    "metric_load(dict)": (
        lambda: metric_load({"a": 1}, 4),  # type: ignore[arg-type]
        "metrics={'a': 1} must be a sequence of (time, value) pairs",
    ),
    "metric_load(bytes pairs)": (
        lambda: metric_load([b"\x1e", b"\x1e"], 4),  # type: ignore[list-item]
        "metrics[0]=b'\\x1e' must be a (time in whole seconds, finite number) pair",
    ),
    "metric_load out of order": (
        lambda: metric_load([(60, 1.0), (0, 1.0)], 4),
        "metrics[1] time 0 is before the one before it (60)",
    ),
    "metric_load(step=True)": (
        lambda: metric_load([(0, 1.0)], 4, step=True),
        "step=True must be a whole number of seconds in 1..86400",
    ),
    "metric_load(capacity=huge)": (
        lambda: metric_load([(0, 1.0)], HUGE),
        "capacity=<an integer of about 5001 digits> must be a whole number in 1..10000",
    ),
}


@pytest.mark.parametrize("name", list(CASES))
def test_typed_error(name: str) -> None:
    call, fragment = CASES[name]
    with pytest.raises(AutoScalingInputError) as caught:
        call()
    assert isinstance(caught.value, ValueError)
    message = str(caught.value)
    assert fragment in message, message
    assert len(message) < 2000
    assert "NoneType" not in message


@pytest.mark.parametrize("verb", ["evaluate", "simulate", "replay"])
@pytest.mark.parametrize(
    "content",
    [
        b"\xff\xfe{\x00}",
        b'{"MinSize": ' + b"9" * 5000 + b"}",
        b"[" * 100_000,
        b"",
    ],
)
def test_cli_hostile_files_exit_1_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], verb: str, content: bytes
) -> None:
    """Non-UTF-8, a 5,000-digit number, deep nesting, empty: exit 1, one line on
    stderr, no traceback."""
    path = tmp_path / "hostile.json"
    path.write_bytes(content)
    argv = {
        "evaluate": [
            "autoscaling",
            "evaluate",
            "--policy",
            str(path),
            "--group",
            "min=1,max=5,desired=2",
            "--metric",
            "50",
        ],
        "simulate": ["autoscaling", "simulate", str(path)],
        "replay": [
            "autoscaling",
            "replay",
            "--group",
            str(path),
            "--policies",
            str(path),
            "--metrics",
            str(path),
        ],
    }[verb]
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    assert "Traceback" not in err


def test_an_alarm_without_a_threshold_is_a_typed_error() -> None:
    """Fuzz seed 7: a describe-alarms entry without Threshold crashed Alarm()."""
    import json

    from awscore.autoscaling import read_alarms
    from awscore.errors import AutoScalingInputError

    document = json.loads(json.dumps({"MetricAlarms": [{"AlarmName": "high-cpu"}]}))
    with pytest.raises(AutoScalingInputError, match="has no Threshold"):
        read_alarms(document)
