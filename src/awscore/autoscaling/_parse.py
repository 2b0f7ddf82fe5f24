"""Policies, groups and scenarios from JSON-shaped documents.

Policies use the field names of the EC2 Auto Scaling ``PutScalingPolicy`` API
(``PolicyType``, ``AdjustmentType``, ``StepAdjustments`` with
``MetricIntervalLowerBound``/``UpperBound``, ``TargetTrackingConfiguration``),
plus an ``Alarm`` object in ``PutMetricAlarm``'s names for step and simple
policies, and awscore's own keys where AWS has none (``ScaleInRatio``,
``HighDatapoints``, ``LowDatapoints``; ``PolicyType: "Hpa"``). Unknown keys are
errors, so a typo cannot silently fall back to a default.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from awscore.autoscaling._alarm import Alarm
from awscore.autoscaling._model import (
    Group,
    HpaPolicy,
    Policy,
    SimpleScalingPolicy,
    StepAdjustment,
    StepScalingPolicy,
    TargetTrackingPolicy,
)
from awscore.autoscaling._simulate import Timeline, simulate, spiky_load
from awscore.errors import AutoScalingInputError

__all__ = ["Scenario", "parse_group", "parse_policy", "parse_scenario"]

_ALARM_KEYS = {
    "AlarmName": "name",
    "Threshold": "threshold",
    "ComparisonOperator": "comparison_operator",
    "Period": "period",
    "EvaluationPeriods": "evaluation_periods",
    "DatapointsToAlarm": "datapoints_to_alarm",
    "TreatMissingData": "treat_missing_data",
}
_GROUP_KEYS = {
    "MinSize": "min_size",
    "MaxSize": "max_size",
    "DesiredCapacity": "desired_capacity",
    "DefaultCooldown": "default_cooldown",
    "DefaultInstanceWarmup": "default_instance_warmup",
}
_COMMON = {"PolicyName": "name", "PolicyType": None}
_SIMPLE = {
    **_COMMON,
    "AdjustmentType": "adjustment_type",
    "ScalingAdjustment": "scaling_adjustment",
    "Cooldown": "cooldown",
    "MinAdjustmentMagnitude": "min_adjustment_magnitude",
    "Alarm": "alarm",
}
_STEP = {
    **_COMMON,
    "AdjustmentType": "adjustment_type",
    "StepAdjustments": "step_adjustments",
    "MinAdjustmentMagnitude": "min_adjustment_magnitude",
    "EstimatedInstanceWarmup": "estimated_instance_warmup",
    "Alarm": "alarm",
}
_TRACKING = {
    **_COMMON,
    "TargetTrackingConfiguration": None,
    "EstimatedInstanceWarmup": "estimated_instance_warmup",
    "ScaleInRatio": "scale_in_ratio",
    "HighDatapoints": "high_datapoints",
    "LowDatapoints": "low_datapoints",
}
_HPA = {
    **_COMMON,
    "TargetValue": "target_value",
    "Tolerance": "tolerance",
    "StabilizationWindowSeconds": "stabilization_window",
}
_STEP_KEYS = {
    "MetricIntervalLowerBound": "lower_bound",
    "MetricIntervalUpperBound": "upper_bound",
    "ScalingAdjustment": "scaling_adjustment",
}


def _fields(
    document: object,
    where: str,
    known: Mapping[str, str | None],
    problems: list[str],
    *,
    required: tuple[str, ...] = (),
) -> dict[str, Any]:
    """The keyword arguments named by ``known``, and a problem per bad key."""
    if not isinstance(document, Mapping):
        problems.append(f"{where} must be an object, not {type(document).__name__}")
        return {}
    out: dict[str, Any] = {}
    for key, value in document.items():
        if key not in known:
            problems.append(
                f"{where} has an unknown key {key!r}: accepted keys are "
                f"{', '.join(sorted(known))}"
            )
        elif known[key] is not None:
            out[str(known[key])] = value
    problems.extend(
        f"{where} is missing {key!r}" for key in required if key not in document
    )
    return out


def _build(
    factory: Callable[..., Any], kwargs: dict[str, Any], problems: list[str]
) -> Any:
    try:
        return factory(**kwargs)
    except AutoScalingInputError as error:
        problems.extend(error.problems)
        return None


def _alarm(document: object, where: str, problems: list[str]) -> Alarm | None:
    kwargs = _fields(
        document, f"{where} Alarm", _ALARM_KEYS, problems, required=("Threshold",)
    )
    if "threshold" not in kwargs:
        return None
    if not isinstance(kwargs.get("name", ""), str):
        problems.append(f"{where} AlarmName={kwargs['name']!r} must be a string")
        return None
    kwargs.setdefault("name", f"{where}-alarm")
    alarm: Alarm | None = _build(Alarm, kwargs, problems)
    return alarm


def _steps(document: object, where: str, problems: list[str]) -> object:
    if not isinstance(document, list):
        problems.append(f"{where} StepAdjustments must be a list")
        return ()
    steps = []
    for i, item in enumerate(document):
        kwargs = _fields(
            item,
            f"{where} StepAdjustments[{i}]",
            _STEP_KEYS,
            problems,
            required=("ScalingAdjustment",),
        )
        if "scaling_adjustment" in kwargs:
            kwargs.setdefault("lower_bound", None)
            kwargs.setdefault("upper_bound", None)
            step = _build(StepAdjustment, kwargs, problems)
            if step is not None:
                steps.append(step)
    return tuple(steps)


def parse_policy(document: object, *, index: int = 0) -> Policy:
    """A policy from a ``PutScalingPolicy``-shaped object.

    ``PolicyType`` is ``SimpleScaling`` (the default, as in AWS), ``StepScaling``,
    ``TargetTrackingScaling`` or ``Hpa``. Raises
    :class:`~awscore.errors.AutoScalingInputError` listing every problem.
    """
    problems: list[str] = []
    kind = (
        document.get("PolicyType", "SimpleScaling")
        if isinstance(document, Mapping)
        else None
    )
    name = document.get("PolicyName") if isinstance(document, Mapping) else None
    where = f"policy {name!r}" if isinstance(name, str) else f"policy #{index}"
    policy: Policy | None = None
    match kind:
        case "SimpleScaling":
            kwargs = _fields(
                document,
                where,
                _SIMPLE,
                problems,
                required=("AdjustmentType", "ScalingAdjustment", "Alarm"),
            )
            kwargs["alarm"] = _alarm(kwargs.get("alarm"), where, problems)
            if not problems:
                policy = _build(SimpleScalingPolicy, kwargs, problems)
        case "StepScaling":
            kwargs = _fields(
                document,
                where,
                _STEP,
                problems,
                required=("AdjustmentType", "StepAdjustments", "Alarm"),
            )
            kwargs["alarm"] = _alarm(kwargs.get("alarm"), where, problems)
            kwargs["step_adjustments"] = _steps(
                kwargs.get("step_adjustments", []), where, problems
            )
            if not problems:
                policy = _build(StepScalingPolicy, kwargs, problems)
        case "TargetTrackingScaling":
            kwargs = _fields(
                document,
                where,
                _TRACKING,
                problems,
                required=("TargetTrackingConfiguration",),
            )
            assert isinstance(document, Mapping)
            kwargs |= _fields(
                document.get("TargetTrackingConfiguration", {}),
                f"{where} TargetTrackingConfiguration",
                {"TargetValue": "target_value", "DisableScaleIn": "disable_scale_in"},
                problems,
                required=("TargetValue",),
            )
            if not problems:
                policy = _build(TargetTrackingPolicy, kwargs, problems)
        case "Hpa":
            kwargs = _fields(document, where, _HPA, problems, required=("TargetValue",))
            if not problems:
                policy = _build(HpaPolicy, kwargs, problems)
        case None:
            problems.append(f"{where} must be an object, not {type(document).__name__}")
        case _:
            problems.append(
                f"{where} PolicyType={kind!r} is not one of SimpleScaling, "
                "StepScaling, TargetTrackingScaling, Hpa"
            )
    if problems or policy is None:
        raise AutoScalingInputError(problems)
    return policy


def parse_group(document: object) -> Group:
    """A group from ``{"MinSize", "MaxSize", "DesiredCapacity", ...}``."""
    problems: list[str] = []
    kwargs = _fields(
        document,
        "Group",
        _GROUP_KEYS,
        problems,
        required=("MinSize", "MaxSize", "DesiredCapacity"),
    )
    group: Group | None = None if problems else _build(Group, kwargs, problems)
    if problems or group is None:
        raise AutoScalingInputError(problems)
    return group


@dataclass(frozen=True, slots=True, kw_only=True)
class Scenario:
    """A group, its policies, a load trace and the simulator's settings."""

    group: Group
    policies: tuple[Policy, ...]
    load: tuple[float, ...]
    step: int = 10
    launch_delay: int = 60
    warmup: int | None = None
    decision_interval: int = 60

    def run(self) -> Timeline:
        """:func:`~awscore.autoscaling.simulate` on this scenario."""
        return simulate(
            self.group,
            self.policies,
            self.load,
            step=self.step,
            launch_delay=self.launch_delay,
            warmup=self.warmup,
            decision_interval=self.decision_interval,
        )


_SCENARIO = {
    "Group": None,
    "Policies": None,
    "Load": None,
    "Step": "step",
    "LaunchDelay": "launch_delay",
    "Warmup": "warmup",
    "DecisionInterval": "decision_interval",
}
_PATTERN = {"Duration": None, "Base": None, "Spikes": None}
_SPIKE = {"Start": None, "Length": None, "Extra": None}


def _number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _load(document: object, step: object, problems: list[str]) -> tuple[Any, ...]:
    """A list as given (``simulate`` checks its values), or a pattern expanded."""
    if isinstance(document, list):
        return tuple(document)
    before = len(problems)
    _fields(document, "Load", _PATTERN, problems, required=("Duration",))
    if not isinstance(document, Mapping):
        return ()
    duration, base = document.get("Duration"), document.get("Base", 0)
    spikes = document.get("Spikes", [])
    if not isinstance(duration, int) or isinstance(duration, bool) or duration < 1:
        problems.append(f"Load Duration={duration!r} must be an integer >= 1")
    if not _number(base):
        problems.append(f"Load Base={base!r} must be a number")
    if not isinstance(spikes, list):
        problems.append("Load Spikes must be a list")
        spikes = []
    parsed: list[tuple[float, float, float]] = []
    for i, spike in enumerate(spikes):
        where = f"Load Spikes[{i}]"
        _fields(spike, where, _SPIKE, problems, required=tuple(_SPIKE))
        values = [spike.get(k) for k in _SPIKE] if isinstance(spike, Mapping) else []
        numbers = [float(v) for v in values if isinstance(v, int | float)]
        if all(_number(v) for v in values) and len(numbers) == len(_SPIKE):
            parsed.append((numbers[0], numbers[1], numbers[2]))
        elif isinstance(spike, Mapping):
            problems.append(f"{where} Start, Length and Extra must be numbers")
    usable_step = isinstance(step, int) and not isinstance(step, bool) and step >= 1
    if len(problems) > before or not usable_step:
        return ()
    assert isinstance(duration, int)
    assert isinstance(step, int)
    assert isinstance(base, int | float)
    return tuple(
        spiky_load(duration=duration, step=step, base=float(base), spikes=parsed)
    )


def parse_scenario(document: object) -> Scenario:
    """A scenario from ``{"Group", "Policies", "Load", "Step", ...}``.

    ``Load`` is a list of demand values (one per step) or a pattern
    ``{"Duration": s, "Base": d, "Spikes": [{"Start", "Length", "Extra"}]}``.
    Raises :class:`~awscore.errors.AutoScalingInputError` listing every problem.
    """
    problems: list[str] = []
    settings = _fields(
        document,
        "scenario",
        _SCENARIO,
        problems,
        required=("Group", "Policies", "Load"),
    )
    if not isinstance(document, Mapping):
        raise AutoScalingInputError(problems)
    group: Group | None = None
    try:
        group = parse_group(document.get("Group"))
    except AutoScalingInputError as error:
        problems.extend(error.problems)
    policies: list[Policy] = []
    given = document.get("Policies", [])
    if not isinstance(given, list):
        problems.append("scenario Policies must be a list of policies")
        given = []
    for i, item in enumerate(given):
        try:
            policies.append(parse_policy(item, index=i))
        except AutoScalingInputError as error:
            problems.extend(error.problems)
    load = _load(document.get("Load"), settings.get("step", 10), problems)
    if problems or group is None:
        raise AutoScalingInputError(problems)
    scenario: Scenario = Scenario(
        group=group, policies=tuple(policies), load=load, **settings
    )
    return scenario
