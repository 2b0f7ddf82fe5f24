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

from awscore.autoscaling._alarm import Alarm, brief, json_kind
from awscore.autoscaling._aws_json import read_groups, read_scheduled_actions
from awscore.autoscaling._fleet import FleetConfig
from awscore.autoscaling._model import (
    Group,
    HpaPolicy,
    Policy,
    SimpleScalingPolicy,
    StepAdjustment,
    StepScalingPolicy,
    TargetTrackingPolicy,
)
from awscore.autoscaling._schedule import ScheduledAction
from awscore.autoscaling._simulate import Timeline, ZoneEvent, simulate, spiky_load
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
    # Checked, not modelled: awscore's alarms already see the aggregated metric.
    "MetricAggregationType": None,
}
#: PutScalingPolicy's MetricAggregationType values (step scaling only).
_AGGREGATIONS = ("Minimum", "Maximum", "Average")
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
        problems.append(f"{where} must be an object, not {json_kind(document)}")
        return {}
    out: dict[str, Any] = {}
    for key, value in document.items():
        if key not in known:
            problems.append(
                f"{where} has an unknown key {brief(key)}: accepted keys are "
                f"{', '.join(sorted(known))}"
            )
        elif known[key] is not None:
            out[str(known[key])] = value
    problems.extend(
        f"{where} is missing {brief(key)}" for key in required if key not in document
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
        problems.append(f"{where} AlarmName={brief(kwargs['name'])} must be a string")
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
    where = (
        f"policy {brief(name)}" if isinstance(name, str) else f"policy #{brief(index)}"
    )
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
            assert isinstance(document, Mapping)  # the PolicyType came from it
            aggregation = document.get("MetricAggregationType", "Average")
            if aggregation not in _AGGREGATIONS:
                problems.append(
                    f"{where} MetricAggregationType={brief(aggregation)} is not one "
                    "of Minimum, Maximum, Average"
                )
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
            problems.append(f"{where} must be an object, not {json_kind(document)}")
        case _:
            problems.append(
                f"{where} PolicyType={brief(kind)} is not one of SimpleScaling, "
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
    start: int = 0
    seed: int = 0
    fleet: FleetConfig | None = None
    zone_events: tuple[ZoneEvent, ...] = ()
    scheduled_actions: tuple[ScheduledAction, ...] = ()

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
            start=self.start,
            seed=self.seed,
            fleet=self.fleet,
            zone_events=self.zone_events,
            scheduled_actions=self.scheduled_actions,
        )


_SCENARIO = {
    "Group": None,
    "Policies": None,
    "Load": None,
    "Step": "step",
    "LaunchDelay": "launch_delay",
    "Warmup": "warmup",
    "DecisionInterval": "decision_interval",
    "Start": "start",
    "Seed": "seed",
    "Fleet": None,
    "ZoneEvents": None,
    "ScheduledActions": None,
}
_FLEET = dict.fromkeys(
    (
        "AvailabilityZones",
        "LaunchTemplate",
        "LaunchConfigurationName",
        "TerminationPolicies",
        "MixedInstancesPolicy",
        "HealthCheckType",
        "HealthCheckGracePeriod",
        "LifecycleHooks",
        "NewInstancesProtectedFromScaleIn",
    )
)
_ZONE_EVENT = {"Time": None, "Zone": None, "Outage": None}
_ACTION = dict.fromkeys(
    (
        "ScheduledActionName",
        "StartTime",
        "EndTime",
        "Recurrence",
        "MinSize",
        "MaxSize",
        "DesiredCapacity",
        "TimeZone",
    )
)
_PATTERN = {"Duration": None, "Base": None, "Spikes": None}
_SPIKE = {"Start": None, "Length": None, "Extra": None}


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
    if not isinstance(spikes, list):
        problems.append("Load Spikes must be a list")
        spikes = []
    parsed: list[tuple[Any, Any, Any]] = []
    for i, spike in enumerate(spikes):
        where = f"Load Spikes[{i}]"
        _fields(spike, where, _SPIKE, problems, required=tuple(_SPIKE))
        if isinstance(spike, Mapping) and all(k in spike for k in _SPIKE):
            parsed.append((spike["Start"], spike["Length"], spike["Extra"]))
    usable_step = isinstance(step, int) and not isinstance(step, bool) and step >= 1
    if len(problems) > before or not usable_step:
        return ()
    try:
        # spiky_load bounds Duration (at most MAX_STEPS steps) and every value.
        load = spiky_load(duration=duration, step=step, base=base, spikes=parsed)  # type: ignore[arg-type]
    except AutoScalingInputError as error:
        problems.extend(f"Load {_document_names(p)}" for p in error.problems)
        return ()
    return tuple(load)


_NAMES = {
    "duration=": "Duration=",
    "base=": "Base=",
    "spikes[": "Spikes[",
    "] start=": "] Start=",
    "] length=": "] Length=",
    "] extra=": "] Extra=",
    " step=": " Step=",
}


def _document_names(message: str) -> str:
    """spiky_load's message in the scenario document's key names."""
    for ours, theirs in _NAMES.items():
        message = message.replace(ours, theirs)
    return message


def _scenario_fleet(
    document: object, group: Group | None, problems: list[str]
) -> FleetConfig | None:
    if document is None:
        return None
    _fields(document, "Fleet", _FLEET, problems, required=("AvailabilityZones",))
    if not isinstance(document, Mapping) or group is None or problems:
        return None
    entry = {
        **document,
        "AutoScalingGroupName": "scenario",
        "MinSize": group.min_size,
        "MaxSize": group.max_size,
        "DesiredCapacity": group.desired_capacity,
    }
    if "LaunchTemplate" not in entry and "LaunchConfigurationName" not in entry:
        entry["LaunchTemplate"] = {"LaunchTemplateName": "scenario", "Version": "1"}
    try:
        return read_groups({"AutoScalingGroups": [entry]}, source="scenario")[0].fleet
    except AutoScalingInputError as error:
        problems.extend(error.problems)
        return None


def _zone_events(document: object, problems: list[str]) -> tuple[ZoneEvent, ...]:
    if document is None:
        return ()
    if not isinstance(document, list) or len(document) > 10_000:
        problems.append("scenario ZoneEvents must be a list of at most 10000 events")
        return ()
    events = []
    for i, item in enumerate(document):
        where = f"ZoneEvents[{i}]"
        _fields(item, where, _ZONE_EVENT, problems, required=tuple(_ZONE_EVENT))
        if not isinstance(item, Mapping) or not all(k in item for k in _ZONE_EVENT):
            continue
        time, zone, outage = item["Time"], item["Zone"], item["Outage"]
        if isinstance(time, bool) or not isinstance(time, int) or abs(time) > 2**53:
            problems.append(
                f"{where} Time={brief(time)} must be a whole number of seconds"
            )
        elif not isinstance(zone, str) or not isinstance(outage, bool):
            problems.append(
                f"{where} Zone must be a zone name and Outage true or false"
            )
        else:
            events.append(ZoneEvent(time=time, zone=zone, outage=outage))
    return tuple(events)


def _actions(document: object, problems: list[str]) -> tuple[ScheduledAction, ...]:
    if document is None:
        return ()
    if not isinstance(document, list):
        problems.append("scenario ScheduledActions must be a list")
        return ()
    for i, item in enumerate(document):
        _fields(item, f"ScheduledActions[{i}]", _ACTION, problems)
    if problems:
        return ()
    try:
        return tuple(
            read_scheduled_actions(
                {"ScheduledUpdateGroupActions": document}, source="scenario"
            )
        )
    except AutoScalingInputError as error:
        problems.extend(error.problems)
        return ()


def parse_scenario(document: object) -> Scenario:
    """A scenario from ``{"Group", "Policies", "Load", "Step", ...}``.

    ``Load`` is a list of demand values (one per step) or a pattern
    ``{"Duration": s, "Base": d, "Spikes": [{"Start", "Length", "Extra"}]}``
    (at most :data:`~awscore.autoscaling.MAX_STEPS` steps, every value at most
    :data:`~awscore.autoscaling.MAX_DEMAND`). ``Fleet`` (the group's fleet
    settings in ``CreateAutoScalingGroup`` names: ``AvailabilityZones``,
    ``LaunchTemplate``, ``TerminationPolicies``, ``MixedInstancesPolicy``,
    ``HealthCheckType``, ``HealthCheckGracePeriod``, ``LifecycleHooks``,
    ``NewInstancesProtectedFromScaleIn``), ``ZoneEvents`` (``[{"Time", "Zone",
    "Outage"}]``), ``ScheduledActions`` (``PutScheduledUpdateGroupAction``
    names), ``Start`` (a Unix time) and ``Seed`` are optional.
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
    settings["fleet"] = _scenario_fleet(document.get("Fleet"), group, problems)
    settings["zone_events"] = _zone_events(document.get("ZoneEvents"), problems)
    settings["scheduled_actions"] = _actions(document.get("ScheduledActions"), problems)
    if problems or group is None:
        raise AutoScalingInputError(problems)
    scenario: Scenario = Scenario(
        group=group, policies=tuple(policies), load=load, **settings
    )
    return scenario
