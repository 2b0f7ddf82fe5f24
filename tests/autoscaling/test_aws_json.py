"""Reading what the AWS CLI prints: the sample files of tests/autoscaling/data/
(see its README), unknown AWS keys ignored, known keys checked, every problem
named with its file and path."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from awscore.autoscaling import (
    AutoScalingInputError,
    ComparisonOperator,
    HealthCheckType,
    LifecycleState,
    StepScalingPolicy,
    TargetTrackingPolicy,
    metric_load,
    read_alarms,
    read_groups,
    read_metrics,
    read_policies,
    read_scheduled_actions,
    replay,
)

DATA = Path(__file__).parent / "data"


def load(name: str) -> Any:
    return json.loads((DATA / name).read_text(encoding="utf-8"))


def test_describe_auto_scaling_groups() -> None:
    """The group's sizes, zones, health check, template (``$Latest`` resolved to
    the highest version its instances use) and instances; ARNs, tags and the
    other keys awscore does not model are ignored."""
    (group,) = read_groups(load("asg.json"), now=100)
    assert group.name == "web-asg"
    assert (
        group.group.min_size,
        group.group.max_size,
        group.group.desired_capacity,
    ) == (2, 12, 4)
    assert group.fleet.availability_zones == ("us-east-1a", "us-east-1b", "us-east-1c")
    assert group.fleet.health_check_type == HealthCheckType.ELB
    assert group.fleet.launch.label == "web:3"
    assert [i.launch.version for i in group.instances] == [3, 3, 2, 3]
    assert [i.protected_from_scale_in for i in group.instances] == [
        False,
        False,
        False,
        True,
    ]
    assert {i.launch_time for i in group.instances} == {100}


def test_instances_leaving_the_group_are_not_counted() -> None:
    document = load("asg.json")
    instances = document["AutoScalingGroups"][0]["Instances"]
    instances[0]["LifecycleState"] = "Terminating"
    instances[1]["LifecycleState"] = "Pending:Wait"
    instances[2]["HealthStatus"] = "UNHEALTHY"
    (group,) = read_groups(document)
    assert len(group.instances) == 3
    assert group.instances[0].lifecycle_state == LifecycleState.PENDING_WAIT
    assert group.instances[1].health_status.value == "Unhealthy"


@pytest.mark.parametrize(
    ("path", "value", "fragment"),
    [
        (("MinSize",), "2", "Group min_size='2' must be an integer >= 0"),
        (("HealthCheckType",), "TCP", "HealthCheckType='TCP' is not one of EC2, ELB"),
        (("TerminationPolicies",), ["Newest"], "entry 'Newest' is not one of"),
        (
            ("Instances", 0, "LifecycleState"),
            "Hibernating",
            "'Hibernating' is not a state",
        ),
        (("Instances", 0, "AvailabilityZone"), 7, "AvailabilityZone=7 must be 1..255"),
        (("LaunchTemplate",), None, "has neither LaunchTemplate nor"),
        (("AvailabilityZones",), "us-east-1a", "AvailabilityZones: must be a list"),
    ],
)
def test_known_keys_are_checked(
    path: tuple[object, ...], value: object, fragment: str
) -> None:
    document = load("asg.json")
    target: Any = document["AutoScalingGroups"][0]
    for key in path[:-1]:
        target = target[key]
    if value is None:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    with pytest.raises(AutoScalingInputError) as caught:
        read_groups(document, source="asg.json")
    assert any(fragment in p for p in caught.value.problems), caught.value.problems
    assert all(p.startswith("asg.json ") for p in caught.value.problems)


def test_mixed_instances_policy_is_read() -> None:
    document = load("asg.json")
    group = document["AutoScalingGroups"][0]
    template = group.pop("LaunchTemplate")
    group["MixedInstancesPolicy"] = {
        "LaunchTemplate": {
            "LaunchTemplateSpecification": {**template, "Version": "3"},
            "Overrides": [
                {"InstanceType": "m5.large", "WeightedCapacity": "1"},
                {"InstanceType": "m5.xlarge", "WeightedCapacity": "2"},
            ],
        },
        "InstancesDistribution": {
            "OnDemandAllocationStrategy": "prioritized",
            "OnDemandBaseCapacity": 2,
            "OnDemandPercentageAboveBaseCapacity": 20,
            "SpotAllocationStrategy": "price-capacity-optimized",
            "SpotMaxPrice": "",
        },
    }
    (read,) = read_groups(document)
    mixed = read.fleet.mixed_instances_policy
    assert mixed is not None
    assert mixed.distribution.on_demand_base_capacity == 2
    assert len(mixed.pools) == 6
    assert {p.weighted_capacity for p in mixed.pools} == {1, 2}
    group["MixedInstancesPolicy"]["InstancesDistribution"]["SpotAllocationStrategy"] = (
        "cheap"
    )
    with pytest.raises(AutoScalingInputError, match="SpotAllocationStrategy='cheap'"):
        read_groups(document)


def test_describe_policies_with_alarms() -> None:
    """Target tracking needs no alarm; the step policy takes its threshold,
    operator, period and datapoints from describe-alarms."""
    alarms = read_alarms(load("alarms.json"))
    tracking, step = read_policies(load("policies.json"), alarms=alarms)
    assert isinstance(tracking, TargetTrackingPolicy)
    assert tracking.target_value == 50.0
    assert isinstance(step, StepScalingPolicy)
    assert step.alarm.threshold == 75.0
    assert (
        step.alarm.comparison_operator
        == ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD
    )
    assert (step.alarm.period, step.alarm.evaluation_periods) == (60, 3)
    assert step.min_adjustment_magnitude == 2


def test_policies_without_their_alarm_or_disabled() -> None:
    with pytest.raises(
        AutoScalingInputError,
        match="needs the threshold of its alarm 'web-asg-cpu-high'",
    ):
        read_policies(load("policies.json"))
    document = load("policies.json")
    document["ScalingPolicies"][1]["Enabled"] = False
    assert [p.name for p in read_policies(document)] == ["cpu50-target-tracking"]
    document["ScalingPolicies"].append(
        {"PolicyName": "p", "PolicyType": "PredictiveScaling"}
    )
    assert len(read_policies(document)) == 1
    document["ScalingPolicies"].append({"PolicyName": "q", "PolicyType": "Magic"})
    with pytest.raises(AutoScalingInputError, match="PolicyType 'Magic'"):
        read_policies(document)


def test_a_step_policy_aws_would_refuse_is_refused() -> None:
    document = load("policies.json")
    steps = document["ScalingPolicies"][1]["StepAdjustments"]
    steps[1]["MetricIntervalLowerBound"] = 20.0  # a gap between 15 and 20
    with pytest.raises(AutoScalingInputError, match="leave a gap"):
        read_policies(document, alarms=read_alarms(load("alarms.json")))


def test_get_metric_data_and_get_metric_statistics() -> None:
    """Both shapes give (time, value) oldest first; get-metric-data is newest
    first in the file, get-metric-statistics in no order."""
    data = read_metrics(load("metrics.json"))
    stats = read_metrics(load("metric-statistics.json"))
    assert len(data) == 288
    assert len(stats) == 96
    assert data == sorted(data)
    assert stats == sorted(stats)
    assert data[0] == (1795651200, 22.0)  # 2026-11-26T00:00:00Z
    assert dict(data)[stats[5][0]] == stats[5][1]


@pytest.mark.parametrize(
    ("document", "fragment"),
    [
        ({}, "neither MetricDataResults"),
        ({"MetricDataResults": []}, "holds no metric"),
        (
            {
                "MetricDataResults": [
                    {"Timestamps": ["2026-01-01T00:00:00Z"], "Values": []}
                ]
            },
            "has 1 Timestamps and 0 Values",
        ),
        (
            {"Datapoints": [{"Timestamp": "yesterday", "Average": 1}]},
            "'yesterday' is not an ISO",
        ),
        (
            {"Datapoints": [{"Timestamp": "2026-01-01T00:00:00Z", "Unit": "Percent"}]},
            "has no Average",
        ),
        (
            {"Datapoints": [{"Timestamp": "2026-01-01T00:00:00Z", "Average": "9"}]},
            "value '9' is not a finite number",
        ),
        ({"Datapoints": []}, "holds no datapoint"),
        ([], "document: must be an object"),
    ],
)
def test_bad_metric_documents(document: object, fragment: str) -> None:
    with pytest.raises(AutoScalingInputError) as caught:
        read_metrics(document)
    assert any(fragment in p for p in caught.value.problems), caught.value.problems


def test_scheduled_actions() -> None:
    morning, evening = read_scheduled_actions(load("scheduled-actions.json"))
    assert (morning.name, morning.min_size, morning.time_zone) == (
        "weekday-morning",
        4,
        "America/New_York",
    )
    assert evening.recurrence == "0 18 * * *"
    document = load("scheduled-actions.json")
    document["ScheduledUpdateGroupActions"][0]["TimeZone"] = "Nowhere/Special"
    with pytest.raises(AutoScalingInputError, match="not an IANA time zone"):
        read_scheduled_actions(document)


def test_metric_load_holds_each_datapoint() -> None:
    start, load_ = metric_load([(120, 10.0), (300, 20.0)], 3)
    assert start == 120
    assert load_ == [30.0, 30.0, 30.0, 60.0]
    with pytest.raises(AutoScalingInputError, match="holds no datapoint"):
        metric_load([], 3)
    with pytest.raises(AutoScalingInputError, match="spans"):
        metric_load([(0, 1.0), (10**9, 1.0)], 3)


def test_replay_the_sample_day() -> None:
    """The sample day through the sample group: the policies scale in overnight,
    out for the lunchtime spike, the scheduled actions run, every instance stays
    within [MinSize, MaxSize] and the zones never differ by more than one once
    launches settle."""
    group = read_groups(load("asg.json"))[0]
    policies = read_policies(
        load("policies.json"), alarms=read_alarms(load("alarms.json"))
    )
    timeline = replay(
        group,
        policies,
        read_metrics(load("metrics.json")),
        scheduled_actions=read_scheduled_actions(load("scheduled-actions.json")),
        seed=7,
    )
    assert len(timeline.points) == 1436
    names = {a.policy for a in timeline.activities}
    assert {"cpu50-target-tracking", "weekday-morning", "evening"} <= names
    peak = max(p.desired for p in timeline.points)
    assert 2 <= min(p.desired for p in timeline.points) < peak <= 12
    noon = [p for p in timeline.points if 11.5 <= (p.time % 86400) / 3600 < 13]
    assert max(p.desired for p in noon) == peak
    with pytest.raises(AutoScalingInputError, match="is not a group read from AWS"):
        replay(copy.copy(policies), policies, [(0, 1.0)])  # type: ignore[arg-type]


def _group_doc(**changes: Any) -> dict[str, Any]:
    document: dict[str, Any] = load("asg.json")
    document["AutoScalingGroups"][0].update(changes)
    return document


@pytest.mark.parametrize(
    ("document", "fragment"),
    [
        ({"AutoScalingGroups": []}, "AutoScalingGroups: lists no group"),
        ({"AutoScalingGroups": [5]}, "AutoScalingGroups[0]: must be an object"),
        ({"AutoScalingGroups": [{}] * 10_001}, "has 10001 entries: at most 10000"),
        (_group_doc(Instances=[7]), "Instances[0]: must be an object"),
        (_group_doc(MixedInstancesPolicy=3), "MixedInstancesPolicy: must be an object"),
        (
            _group_doc(MixedInstancesPolicy={"LaunchTemplate": {"Overrides": []}}),
            "has no Overrides with an InstanceType",
        ),
        (
            _group_doc(MixedInstancesPolicy={"LaunchTemplate": {"Overrides": [1]}}),
            "Overrides[0]: must be an object",
        ),
        (
            _group_doc(
                MixedInstancesPolicy={
                    "LaunchTemplate": {"Overrides": [{"InstanceType": "m5.large"}] * 2}
                }
            ),
            "repeats an instance type in a zone",
        ),
        (
            _group_doc(LifecycleHooks=[{"LifecycleHookName": "h"}]),
            "LifecycleTransition=None is not one of",
        ),
        (_group_doc(LifecycleHooks=[3]), "LifecycleHooks[0]: must be an object"),
    ],
)
def test_bad_group_documents(document: object, fragment: str) -> None:
    with pytest.raises(AutoScalingInputError) as caught:
        read_groups(document)
    assert any(fragment in p for p in caught.value.problems), caught.value.problems


def test_launch_configuration_groups_and_hooks() -> None:
    document = _group_doc(
        LaunchConfigurationName="web-lc",
        LifecycleHooks=[
            {
                "LifecycleHookName": "drain",
                "LifecycleTransition": "autoscaling:EC2_INSTANCE_TERMINATING",
                "HeartbeatTimeout": 120,
                "DefaultResult": "CONTINUE",
                "AutoScalingGroupName": "web-asg",
            }
        ],
    )
    del document["AutoScalingGroups"][0]["LaunchTemplate"]
    for instance in document["AutoScalingGroups"][0]["Instances"]:
        del instance["LaunchTemplate"]
        instance["LaunchConfigurationName"] = "web-lc"
    (group,) = read_groups(document)
    assert group.fleet.launch.label == "lc:web-lc"
    assert group.fleet.lifecycle_hooks[0].heartbeat_timeout == 120


def test_more_policy_shapes() -> None:
    alarm = {
        "MetricAlarms": [
            {
                "AlarmName": "lo",
                "Threshold": 20,
                "ComparisonOperator": "LessThanThreshold",
            }
        ]
    }
    alarms = read_alarms(alarm)
    document = {
        "ScalingPolicies": [
            3,
            {
                "PolicyName": "simple-in",
                "PolicyType": "SimpleScaling",
                "AdjustmentType": "ChangeInCapacity",
                "ScalingAdjustment": -1,
                "Cooldown": 120,
                "Alarms": [{"AlarmName": "lo"}],
            },
            {
                "PolicyName": "tt",
                "PolicyType": "TargetTrackingScaling",
                "TargetTrackingConfiguration": {"TargetValue": 40.0},
                "EstimatedInstanceWarmup": 90,
            },
            {
                "PolicyName": "bad-steps",
                "PolicyType": "StepScaling",
                "AdjustmentType": "ChangeInCapacity",
                "StepAdjustments": [5, {"ScalingAdjustment": 1}],
                "Alarms": [{"AlarmName": "lo"}],
            },
        ]
    }
    with pytest.raises(AutoScalingInputError) as caught:
        read_policies(document, alarms=alarms)
    problems = caught.value.problems
    assert any("ScalingPolicies[0]: must be an object" in p for p in problems)
    assert any("StepAdjustments[0]: must be an object" in p for p in problems)
    assert any("at most one bound may be null" in p for p in problems)
    document["ScalingPolicies"] = document["ScalingPolicies"][1:3]
    simple, tracking = read_policies(document, alarms=alarms)
    assert simple.name == "simple-in"
    assert isinstance(tracking, TargetTrackingPolicy)
    assert tracking.estimated_instance_warmup == 90
    with pytest.raises(AutoScalingInputError, match=r"MetricAlarms\[0\]: must be"):
        read_alarms({"MetricAlarms": [1]})
    with pytest.raises(AutoScalingInputError, match="threshold='high' is not a number"):
        read_alarms({"MetricAlarms": [{"AlarmName": "x", "Threshold": "high"}]})


def test_more_metric_and_schedule_shapes() -> None:
    with pytest.raises(
        AutoScalingInputError, match=r"Datapoints\[0\]: must be an object"
    ):
        read_metrics({"Datapoints": [1]})
    with pytest.raises(
        AutoScalingInputError, match="has 100801 entries: at most 100800"
    ):
        read_metrics(
            {
                "MetricDataResults": [
                    {
                        "Timestamps": ["2026-01-01T00:00:00"] * 100_801,
                        "Values": [1] * 100_801,
                    }
                ]
            }
        )
    naive = read_metrics(
        {
            "MetricDataResults": [
                {"Timestamps": ["2026-01-01T00:00:00"], "Values": [1.5]}
            ]
        }
    )
    assert naive == [(1767225600, 1.5)]
    with pytest.raises(AutoScalingInputError, match="must be an object"):
        read_scheduled_actions({"ScheduledUpdateGroupActions": [1]})
    with pytest.raises(AutoScalingInputError, match="EndTime: 'soon' is not an ISO"):
        read_scheduled_actions(
            {
                "ScheduledUpdateGroupActions": [
                    {
                        "ScheduledActionName": "a",
                        "Recurrence": "0 0 * * *",
                        "MinSize": 1,
                        "EndTime": "soon",
                    }
                ]
            }
        )
