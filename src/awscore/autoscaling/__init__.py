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
from awscore.autoscaling._aws_json import (
    MAX_DATAPOINTS,
    AwsGroup,
    read_alarms,
    read_groups,
    read_metrics,
    read_policies,
    read_scheduled_actions,
)
from awscore.autoscaling._evaluate import (
    Decision,
    PolicyOutcome,
    ScalingState,
    apply_adjustment,
    evaluate,
    percent_adjustment,
)
from awscore.autoscaling._fleet import (
    MAX_FLEET_SIZE,
    Fleet,
    FleetConfig,
    FleetEvent,
    FleetStep,
    rebalance_margin,
)
from awscore.autoscaling._health import (
    DEFAULT_HEALTH_CHECK_GRACE_PERIOD,
    DefaultResult,
    HealthCheckType,
    HealthStatus,
    LifecycleHook,
    LifecycleState,
    LifecycleTransition,
)
from awscore.autoscaling._instance import Instance, LaunchSpec
from awscore.autoscaling._mixed import (
    AllocationStrategy,
    InstancesDistribution,
    Market,
    MixedInstancesPolicy,
    Pool,
    choose_pool,
    split_capacity,
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
from awscore.autoscaling._replay import metric_load, replay
from awscore.autoscaling._schedule import (
    MAX_SCHEDULE_RUNS,
    Cron,
    ScheduledAction,
    parse_cron,
)
from awscore.autoscaling._simulate import (
    MAX_DEMAND,
    MAX_STEPS,
    Activity,
    Timeline,
    TimelinePoint,
    ZoneEvent,
    simulate,
    spiky_load,
)
from awscore.autoscaling._termination import TerminationPolicy, choose_victim
from awscore.errors import AutoScalingError, AutoScalingInputError

__all__ = [
    "DEFAULT_HEALTH_CHECK_GRACE_PERIOD",
    "DEFAULT_SCALE_IN_RATIO",
    "MAX_DATAPOINTS",
    "MAX_DEMAND",
    "MAX_FLEET_SIZE",
    "MAX_SCHEDULE_RUNS",
    "MAX_STEPS",
    "Activity",
    "AdjustmentType",
    "Alarm",
    "AlarmState",
    "AllocationStrategy",
    "AutoScalingError",
    "AutoScalingInputError",
    "AwsGroup",
    "ComparisonOperator",
    "Cron",
    "Decision",
    "DefaultResult",
    "Fleet",
    "FleetConfig",
    "FleetEvent",
    "FleetStep",
    "Group",
    "HealthCheckType",
    "HealthStatus",
    "HpaPolicy",
    "Instance",
    "InstancesDistribution",
    "LaunchSpec",
    "LifecycleHook",
    "LifecycleState",
    "LifecycleTransition",
    "Market",
    "MixedInstancesPolicy",
    "Policy",
    "PolicyOutcome",
    "Pool",
    "ScalingState",
    "Scenario",
    "ScheduledAction",
    "SimpleScalingPolicy",
    "StepAdjustment",
    "StepScalingPolicy",
    "TargetTrackingPolicy",
    "TerminationPolicy",
    "Timeline",
    "TimelinePoint",
    "TreatMissingData",
    "ZoneEvent",
    "apply_adjustment",
    "choose_pool",
    "choose_victim",
    "evaluate",
    "evaluate_alarm",
    "metric_load",
    "parse_cron",
    "parse_group",
    "parse_policy",
    "parse_scenario",
    "percent_adjustment",
    "read_alarms",
    "read_groups",
    "read_metrics",
    "read_policies",
    "read_scheduled_actions",
    "rebalance_margin",
    "replay",
    "simulate",
    "spiky_load",
    "split_capacity",
]
