"""Peer: moto's Auto Scaling ``execute_policy`` (boto3 under ``moto.mock_aws``).

Inside [MinSize, MaxSize], ChangeInCapacity and ExactCapacity agree with awscore.
Each place where moto departs from the EC2 Auto Scaling documentation is its own
test that names the difference, asserts what moto does (checked by running it)
and what the documentation (and awscore) says.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import pytest

from awscore.autoscaling import (
    AdjustmentType,
    Alarm,
    Group,
    SimpleScalingPolicy,
    StepAdjustment,
    StepScalingPolicy,
    TargetTrackingPolicy,
    evaluate,
)
from tests.autoscaling.moto_peer import create_group, moto_autoscaling

_names = itertools.count()


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    with moto_autoscaling() as autoscaling:
        yield autoscaling


def moto_desired(
    client: Any,
    group: Group,
    adjustment_type: AdjustmentType,
    adjustment: int,
    min_adjustment_magnitude: int | None = None,
) -> int:
    """Create the group in moto, execute one simple policy, read DesiredCapacity."""
    name = f"g{next(_names)}"
    create_group(
        client,
        name,
        min_size=group.min_size,
        max_size=group.max_size,
        desired=group.desired_capacity,
    )
    extra = {}
    if min_adjustment_magnitude is not None:
        extra["MinAdjustmentMagnitude"] = min_adjustment_magnitude
    client.put_scaling_policy(
        AutoScalingGroupName=name,
        PolicyName="p",
        PolicyType="SimpleScaling",
        AdjustmentType=adjustment_type.value,
        ScalingAdjustment=adjustment,
        **extra,
    )
    client.execute_policy(AutoScalingGroupName=name, PolicyName="p")
    groups = client.describe_auto_scaling_groups(AutoScalingGroupNames=[name])
    desired: int = groups["AutoScalingGroups"][0]["DesiredCapacity"]
    client.delete_auto_scaling_group(AutoScalingGroupName=name, ForceDelete=True)
    return desired


def ours(
    group: Group,
    adjustment_type: AdjustmentType,
    adjustment: int,
    min_adjustment_magnitude: int | None = None,
) -> int:
    policy = SimpleScalingPolicy(
        adjustment_type=adjustment_type,
        scaling_adjustment=adjustment,
        alarm=Alarm(threshold=0),
        min_adjustment_magnitude=min_adjustment_magnitude,
    )
    return evaluate(group, [policy], metric=1, now=0).desired_capacity


@pytest.mark.parametrize(
    ("minimum", "maximum", "desired", "kind", "adjustment"),
    [
        (1, 10, 4, AdjustmentType.CHANGE_IN_CAPACITY, 3),
        (1, 10, 4, AdjustmentType.CHANGE_IN_CAPACITY, -3),
        (1, 10, 4, AdjustmentType.CHANGE_IN_CAPACITY, 0),
        (0, 5, 0, AdjustmentType.CHANGE_IN_CAPACITY, 5),
        (1, 10, 4, AdjustmentType.EXACT_CAPACITY, 9),
        (1, 10, 4, AdjustmentType.EXACT_CAPACITY, 1),
        (0, 3, 2, AdjustmentType.EXACT_CAPACITY, 0),
    ],
)
def test_agree_inside_the_bounds(
    client: Any,
    minimum: int,
    maximum: int,
    desired: int,
    kind: AdjustmentType,
    adjustment: int,
) -> None:
    group = Group(min_size=minimum, max_size=maximum, desired_capacity=desired)
    assert moto_desired(client, group, kind, adjustment) == ours(
        group, kind, adjustment
    )


def test_moto_does_not_clamp_to_max_size(client: Any) -> None:
    """AWS: the result is held at MaxSize. moto: 4 + 10 = 14 in a group of max 10."""
    group = Group(min_size=2, max_size=10, desired_capacity=4)
    kind = AdjustmentType.CHANGE_IN_CAPACITY
    assert moto_desired(client, group, kind, 10) == 14
    assert ours(group, kind, 10) == 10


def test_moto_does_not_clamp_to_min_size(client: Any) -> None:
    """AWS: the result is raised to MinSize. moto: 4 - 5 = -1, a negative
    capacity."""
    group = Group(min_size=2, max_size=10, desired_capacity=4)
    kind = AdjustmentType.CHANGE_IN_CAPACITY
    assert moto_desired(client, group, kind, -5) == -1
    assert ours(group, kind, -5) == 2


def test_moto_does_not_clamp_exact_capacity(client: Any) -> None:
    """AWS: ExactCapacity 12 in a group of max 10 gives 10. moto: 12."""
    group = Group(min_size=2, max_size=10, desired_capacity=4)
    kind = AdjustmentType.EXACT_CAPACITY
    assert moto_desired(client, group, kind, 12) == 12
    assert ours(group, kind, 12) == 10


@pytest.mark.parametrize(
    ("desired", "percent", "moto_says", "aws_says"),
    [
        # -25% of 10 is -2.5: AWS truncates toward zero (-2, leaving 8); moto
        # truncates the new capacity 7.5 to 7, removing 3.
        (10, -25, 7, 8),
        # -67% of 10 is -6.7: AWS removes 6 (leaving 4); moto leaves int(3.3) = 3.
        (10, -67, 3, 4),
    ],
)
def test_moto_rounds_negative_percentages_away_from_zero(
    client: Any, desired: int, percent: int, moto_says: int, aws_says: int
) -> None:
    """AWS: below -1 a percentage rounds up (toward zero). moto computes
    int(capacity x (1 + p/100)), which rounds the removal away from zero."""
    group = Group(min_size=1, max_size=20, desired_capacity=desired)
    kind = AdjustmentType.PERCENT_CHANGE_IN_CAPACITY
    assert moto_desired(client, group, kind, percent) == moto_says
    assert ours(group, kind, percent) == aws_says


def test_moto_ignores_min_adjustment_magnitude(client: Any) -> None:
    """AWS's own example: 25% of 4 with MinAdjustmentMagnitude 2 adds 2 (6).
    moto accepts the parameter and adds 1 (5)."""
    group = Group(min_size=1, max_size=20, desired_capacity=4)
    kind = AdjustmentType.PERCENT_CHANGE_IN_CAPACITY
    assert moto_desired(client, group, kind, 25, min_adjustment_magnitude=2) == 5
    assert ours(group, kind, 25, min_adjustment_magnitude=2) == 6


def test_moto_percentages_go_through_binary_floats(client: Any) -> None:
    """Not in the brief, found by running moto: 57% of 100 is exactly 57, but moto
    computes 100 x (1 + 0.57) = 156.99999999999997 in floats and truncates to
    156. awscore computes exactly: 157."""
    group = Group(min_size=1, max_size=200, desired_capacity=100)
    kind = AdjustmentType.PERCENT_CHANGE_IN_CAPACITY
    assert moto_desired(client, group, kind, 57) == 156
    assert ours(group, kind, 57) == 157


def test_moto_cannot_execute_step_policies(client: Any) -> None:
    """moto stores a StepScaling policy but ExecutePolicy fails on it with a
    Python TypeError raised through boto3 (it adds the policy's ScalingAdjustment,
    None for a step policy, to the capacity). awscore evaluates it: a breach of
    15 above 60 falls in [10, inf), +3."""
    name = f"g{next(_names)}"
    create_group(client, name, min_size=1, max_size=10, desired=4)
    client.put_scaling_policy(
        AutoScalingGroupName=name,
        PolicyName="step",
        PolicyType="StepScaling",
        AdjustmentType="ChangeInCapacity",
        StepAdjustments=[
            {
                "MetricIntervalLowerBound": 0,
                "MetricIntervalUpperBound": 10,
                "ScalingAdjustment": 1,
            },
            {"MetricIntervalLowerBound": 10, "ScalingAdjustment": 3},
        ],
    )
    with pytest.raises(TypeError, match="NoneType"):
        client.execute_policy(
            AutoScalingGroupName=name,
            PolicyName="step",
            MetricValue=75,
            BreachThreshold=60,
        )
    policy = StepScalingPolicy(
        adjustment_type=AdjustmentType.CHANGE_IN_CAPACITY,
        step_adjustments=(
            StepAdjustment(lower_bound=0, upper_bound=10, scaling_adjustment=1),
            StepAdjustment(lower_bound=10, upper_bound=None, scaling_adjustment=3),
        ),
        alarm=Alarm(threshold=60),
    )
    group = Group(min_size=1, max_size=10, desired_capacity=4)
    assert evaluate(group, [policy], 75, 0).desired_capacity == 7


def test_moto_cannot_execute_target_tracking_policies(client: Any) -> None:
    """moto stores a TargetTrackingScaling policy, and ExecutePolicy on it (even
    with MetricValue 100 against a target of 50) returns without changing the
    capacity: moto only executes adjustment types. awscore tracks the target:
    4 instances at 100 against 50 want ceil(4 x 100 / 50) = 8."""
    name = f"g{next(_names)}"
    create_group(client, name, min_size=1, max_size=10, desired=4)
    client.put_scaling_policy(
        AutoScalingGroupName=name,
        PolicyName="tracking",
        PolicyType="TargetTrackingScaling",
        TargetTrackingConfiguration={
            "PredefinedMetricSpecification": {
                "PredefinedMetricType": "ASGAverageCPUUtilization"
            },
            "TargetValue": 50.0,
        },
    )
    client.execute_policy(
        AutoScalingGroupName=name,
        PolicyName="tracking",
        MetricValue=100,
        BreachThreshold=50,
    )
    groups = client.describe_auto_scaling_groups(AutoScalingGroupNames=[name])
    assert groups["AutoScalingGroups"][0]["DesiredCapacity"] == 4
    group = Group(min_size=1, max_size=10, desired_capacity=4)
    policy = TargetTrackingPolicy(target_value=50)
    assert evaluate(group, [policy], 100, 0).desired_capacity == 8
