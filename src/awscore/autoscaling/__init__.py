"""Auto Scaling: target-tracking, step and simple scaling, evaluated exactly.

>>> from awscore.autoscaling import AdjustmentType, Alarm, Group, StepAdjustment
>>> from awscore.autoscaling import StepScalingPolicy, evaluate
>>> policy = StepScalingPolicy(
...     adjustment_type=AdjustmentType.PERCENT_CHANGE_IN_CAPACITY,
...     step_adjustments=(StepAdjustment(lower_bound=0, upper_bound=None,
...                                      scaling_adjustment=25),),
...     alarm=Alarm(threshold=60),
...     min_adjustment_magnitude=2,
... )
>>> decision = evaluate(Group(min_size=1, max_size=10, desired_capacity=4),
...                     [policy], metric=73, now=0)
>>> decision.desired_capacity
6
"""

from __future__ import annotations

from awscore.autoscaling._alarm import (
    Alarm,
    AlarmState,
    ComparisonOperator,
    TreatMissingData,
    evaluate_alarm,
)
from awscore.autoscaling._evaluate import (
    Decision,
    PolicyOutcome,
    ScalingState,
    apply_adjustment,
    evaluate,
    percent_adjustment,
)
from awscore.autoscaling._model import (
    DEFAULT_SCALE_IN_RATIO,
    AdjustmentType,
    Group,
    HpaPolicy,
    Policy,
    SimpleScalingPolicy,
    StepAdjustment,
    StepScalingPolicy,
    TargetTrackingPolicy,
)
from awscore.autoscaling._parse import (
    Scenario,
    parse_group,
    parse_policy,
    parse_scenario,
)
from awscore.autoscaling._simulate import (
    Activity,
    Timeline,
    TimelinePoint,
    simulate,
    spiky_load,
)
from awscore.errors import AutoScalingError, AutoScalingInputError

__all__ = [
    "DEFAULT_SCALE_IN_RATIO",
    "Activity",
    "AdjustmentType",
    "Alarm",
    "AlarmState",
    "AutoScalingError",
    "AutoScalingInputError",
    "ComparisonOperator",
    "Decision",
    "Group",
    "HpaPolicy",
    "Policy",
    "PolicyOutcome",
    "ScalingState",
    "Scenario",
    "SimpleScalingPolicy",
    "StepAdjustment",
    "StepScalingPolicy",
    "TargetTrackingPolicy",
    "Timeline",
    "TimelinePoint",
    "TreatMissingData",
    "apply_adjustment",
    "evaluate",
    "evaluate_alarm",
    "parse_group",
    "parse_policy",
    "parse_scenario",
    "percent_adjustment",
    "simulate",
    "spiky_load",
]
