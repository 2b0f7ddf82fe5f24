"""Policies, groups and scenarios from PutScalingPolicy-shaped JSON."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from awscore.autoscaling import (
    AdjustmentType,
    AutoScalingInputError,
    ComparisonOperator,
    HpaPolicy,
    SimpleScalingPolicy,
    StepAdjustment,
    StepScalingPolicy,
    TargetTrackingPolicy,
    TreatMissingData,
    parse_group,
    parse_policy,
    parse_scenario,
)


def test_step_policy() -> None:
    policy = parse_policy(
        {
            "PolicyName": "up",
            "PolicyType": "StepScaling",
            "AdjustmentType": "ChangeInCapacity",
            "EstimatedInstanceWarmup": 120,
            "Alarm": {
                "AlarmName": "cpu",
                "Threshold": 60,
                "ComparisonOperator": "GreaterThanThreshold",
                "Period": 300,
                "EvaluationPeriods": 3,
                "DatapointsToAlarm": 2,
                "TreatMissingData": "breaching",
            },
            "StepAdjustments": [
                {
                    "MetricIntervalUpperBound": 10,
                    "MetricIntervalLowerBound": 0,
                    "ScalingAdjustment": 1,
                },
                {"MetricIntervalLowerBound": 10, "ScalingAdjustment": 3},
            ],
        }
    )
    assert isinstance(policy, StepScalingPolicy)
    assert policy.name == "up"
    assert policy.adjustment_type is AdjustmentType.CHANGE_IN_CAPACITY
    assert policy.estimated_instance_warmup == 120
    assert policy.step_adjustments == (
        StepAdjustment(lower_bound=0, upper_bound=10, scaling_adjustment=1),
        StepAdjustment(lower_bound=10, upper_bound=None, scaling_adjustment=3),
    )
    alarm = policy.alarm
    assert alarm.name == "cpu"
    assert alarm.comparison_operator is ComparisonOperator.GREATER_THAN_THRESHOLD
    assert (alarm.period, alarm.evaluation_periods, alarm.required) == (300, 3, 2)
    assert alarm.treat_missing_data is TreatMissingData.BREACHING


def test_simple_is_the_default_type() -> None:
    policy = parse_policy(
        {
            "AdjustmentType": "ExactCapacity",
            "ScalingAdjustment": 3,
            "Cooldown": 60,
            "Alarm": {"Threshold": 1},
        }
    )
    assert isinstance(policy, SimpleScalingPolicy)
    assert (policy.name, policy.cooldown, policy.alarm.name) == (
        "simple",
        60,
        "policy #0-alarm",
    )


def test_target_tracking_and_hpa() -> None:
    tracking = parse_policy(
        {
            "PolicyType": "TargetTrackingScaling",
            "TargetTrackingConfiguration": {
                "TargetValue": 40.5,
                "DisableScaleIn": True,
            },
            "ScaleInRatio": 0.8,
            "HighDatapoints": 2,
            "LowDatapoints": 10,
        }
    )
    assert isinstance(tracking, TargetTrackingPolicy)
    assert tracking.disable_scale_in is True
    assert tracking.low_alarm.evaluation_periods == 10
    assert Fraction(tracking.low_alarm.threshold) == Fraction(40.5) * Fraction(0.8)
    hpa = parse_policy(
        {"PolicyType": "Hpa", "TargetValue": 50, "StabilizationWindowSeconds": 60}
    )
    assert hpa == HpaPolicy(target_value=50, stabilization_window=60)


@pytest.mark.parametrize(
    ("document", "fragments"),
    [
        ([], ["policy #0 must be an object, not an array"]),
        ({"PolicyType": 3}, ["PolicyType=3 is not one of"]),
        (
            {"PolicyType": "StepScaling"},
            [
                "missing 'AdjustmentType'",
                "missing 'StepAdjustments'",
                "missing 'Alarm'",
            ],
        ),
        (
            {
                "PolicyName": "x",
                "AdjustmentType": "ChangeInCapacity",
                "ScalingAdjustment": 1,
                "Alarm": {"Threshold": 1, "AlarmName": 5, "Colour": "red"},
            },
            [
                "policy 'x' Alarm has an unknown key 'Colour'",
                "AlarmName=5 must be a string",
            ],
        ),
        (
            {
                "PolicyType": "StepScaling",
                "AdjustmentType": "ChangeInCapacity",
                "Alarm": "high",
                "StepAdjustments": {"ScalingAdjustment": 1},
            },
            ["Alarm must be an object, not a string", "StepAdjustments must be a list"],
        ),
        (
            {
                "PolicyType": "StepScaling",
                "AdjustmentType": "ChangeInCapacity",
                "Alarm": {"Threshold": 1},
                "StepAdjustments": [
                    {"MetricIntervalLowerBound": 0},
                    {"MetricIntervalLowerBound": "a", "ScalingAdjustment": 1},
                    7,
                ],
            },
            [
                "StepAdjustments[0] is missing 'ScalingAdjustment'",
                "lower_bound='a' is not a number",
                "StepAdjustments[2] must be an object, not a number",
            ],
        ),
        (
            {"PolicyType": "TargetTrackingScaling", "TargetTrackingConfiguration": {}},
            ["TargetTrackingConfiguration is missing 'TargetValue'"],
        ),
        ({"PolicyType": "Hpa", "TargetValue": 0}, ["target_value=0 must be > 0"]),
        (
            {
                "AdjustmentType": "ChangeInCapacity",
                "ScalingAdjustment": 1.5,
                "Alarm": {"Threshold": 1},
            },
            ["scaling_adjustment=1.5 must be an integer"],
        ),
    ],
)
def test_policy_problems(document: object, fragments: list[str]) -> None:
    with pytest.raises(AutoScalingInputError) as caught:
        parse_policy(document)
    message = str(caught.value)
    for fragment in fragments:
        assert fragment in message


def test_group() -> None:
    group = parse_group(
        {"MinSize": 1, "MaxSize": 4, "DesiredCapacity": 2, "DefaultCooldown": 60}
    )
    assert (group.min_size, group.max_size, group.default_cooldown) == (1, 4, 60)
    with pytest.raises(AutoScalingInputError) as caught:
        parse_group({"MinSize": 1})
    assert caught.value.problems == (
        "Group is missing 'MaxSize'",
        "Group is missing 'DesiredCapacity'",
    )


SCENARIO: dict[str, Any] = {
    "Group": {"MinSize": 1, "MaxSize": 4, "DesiredCapacity": 2},
    "Policies": [{"PolicyType": "Hpa", "TargetValue": 50}],
    "Load": {
        "Duration": 60,
        "Base": 10,
        "Spikes": [{"Start": 20, "Length": 10, "Extra": 5}],
    },
    "Step": 10,
    "LaunchDelay": 30,
    "Warmup": 0,
    "DecisionInterval": 30,
}


def test_scenario() -> None:
    scenario = parse_scenario(SCENARIO)
    assert scenario.load == (10.0, 10.0, 15.0, 10.0, 10.0, 10.0)
    assert (scenario.step, scenario.launch_delay, scenario.warmup) == (10, 30, 0)
    assert scenario.decision_interval == 30
    timeline = scenario.run()
    assert len(timeline.points) == 6
    assert parse_scenario({**SCENARIO, "Load": [1, 2]}).load == (1, 2)


@pytest.mark.parametrize(
    ("change", "fragments"),
    [
        ({"Group": {"MinSize": 1}}, ["Group is missing 'MaxSize'"]),
        ({"Policies": {}}, ["scenario Policies must be a list"]),
        ({"Policies": [{"PolicyType": "Hpa"}]}, ["missing 'TargetValue'"]),
        ({"Load": {"Base": "x"}}, ["Load is missing 'Duration'"]),
        (
            {"Load": {"Duration": 60, "Base": "x"}},
            ["Load Base='x' is not a number: must be a finite number"],
        ),
        ({"Load": {"Duration": 0}}, ["Load Duration=0 must be an integer >= 1"]),
        (
            {"Load": {"Duration": 2**63}},
            ["Load Duration=9223372036854775808 at Step=10 is", "at most 604800"],
        ),
        (
            {"Load": {"Duration": 60, "Base": 10**400}},
            ["Load Base=<an integer of about 401 digits> is out of range"],
        ),
        (
            {"Load": {"Duration": 60, "Base": 10**13}},
            ["Load Base=10000000000000 is out of range: must be in [0, 10**12]"],
        ),
        ({"Load": {"Duration": 60, "Spikes": 3}}, ["Load Spikes must be a list"]),
        (
            {
                "Load": {
                    "Duration": 60,
                    "Spikes": [
                        {"Start": 0},
                        {"Start": "a", "Length": 1, "Extra": 1},
                        4,
                    ],
                }
            },
            [
                "Load Spikes[0] is missing 'Length'",
                "Load Spikes[2] must be an object, not a number",
            ],
        ),
        (
            {
                "Load": {
                    "Duration": 60,
                    "Spikes": [{"Start": "a", "Length": 1, "Extra": 1}],
                }
            },
            ["Load Spikes[0] Start='a' is not a number"],
        ),
        ({"Load": "lots"}, ["Load must be an object, not a string"]),
        ({"Colour": 1}, ["scenario has an unknown key 'Colour'"]),
    ],
)
def test_scenario_problems(change: dict[str, Any], fragments: list[str]) -> None:
    with pytest.raises(AutoScalingInputError) as caught:
        parse_scenario({**SCENARIO, **change})
    for fragment in fragments:
        assert fragment in str(caught.value)


def test_scenario_with_a_bad_step_still_reports_the_load() -> None:
    scenario = parse_scenario({**SCENARIO, "Step": "ten"})
    assert scenario.load == ()
    with pytest.raises(AutoScalingInputError, match="step='ten'"):
        scenario.run()


def test_scenario_must_be_an_object() -> None:
    with pytest.raises(AutoScalingInputError, match="scenario must be an object"):
        parse_scenario([1])


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**6), max_value=10**6)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                [
                    "PolicyType",
                    "AdjustmentType",
                    "ScalingAdjustment",
                    "StepAdjustments",
                    "Alarm",
                    "Threshold",
                    "MetricIntervalLowerBound",
                    "TargetTrackingConfiguration",
                    "TargetValue",
                    "Group",
                    "Policies",
                    "Load",
                    "Duration",
                    "Spikes",
                    "MinSize",
                    "x",
                ]
            ),
            inner,
            max_size=5,
        )
    ),
    max_leaves=20,
)


@settings(max_examples=300)
@given(json_values)
def test_hostile_documents_raise_only_autoscaling_errors(document: object) -> None:
    """Whatever JSON arrives, parsing raises nothing but AutoScalingInputError."""
    for parse in (parse_policy, parse_group, parse_scenario):
        try:
            parse(document)
        except AutoScalingInputError as error:
            found = error.problems
        else:
            found = ("parsed",)
        assert found  # a rejection always says why
