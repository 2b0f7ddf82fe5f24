"""The JSON the AWS CLI prints, read into awscore values.

Reads ``aws autoscaling describe-auto-scaling-groups``, ``describe-policies`` and
``describe-scheduled-actions``, ``aws cloudwatch describe-alarms`` (the thresholds
of step and simple policies live in their alarms) and the metric history of
``aws cloudwatch get-metric-data`` / ``get-metric-statistics``. Keys awscore does
not model (ARNs, tags, ``CreatedTime``, ...) are read and ignored, since AWS adds
keys over time; a key awscore does model must hold a value it accepts, or the
error names it. awscore's own scenario format stays strict (``_parse``).

Sources: the EC2 Auto Scaling API reference (``AutoScalingGroup``, ``Instance``,
``ScalingPolicy``, ``ScheduledUpdateGroupAction``, ``MixedInstancesPolicy``) and
the CloudWatch API reference (``MetricAlarm``, ``MetricDataResult``,
``Datapoint``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from awscore.autoscaling._alarm import Alarm, brief
from awscore.autoscaling._fleet import FleetConfig
from awscore.autoscaling._health import (
    HealthCheckType,
    LifecycleHook,
    LifecycleState,
)
from awscore.autoscaling._instance import Instance, LaunchSpec
from awscore.autoscaling._mixed import (
    InstancesDistribution,
    MixedInstancesPolicy,
    Pool,
)
from awscore.autoscaling._model import (
    Group,
    Policy,
    SimpleScalingPolicy,
    StepAdjustment,
    StepScalingPolicy,
    TargetTrackingPolicy,
)
from awscore.autoscaling._schedule import ScheduledAction
from awscore.errors import AutoScalingInputError

__all__ = [
    "MAX_DATAPOINTS",
    "AwsGroup",
    "read_alarms",
    "read_groups",
    "read_metrics",
    "read_policies",
    "read_scheduled_actions",
]

#: The most metric datapoints read (get-metric-data returns up to 100,800 a call).
MAX_DATAPOINTS = 100_800
#: The most entries read from any one list of an AWS document.
_MAX_ITEMS = 10_000

# Lifecycle states that do not count toward the capacity: the instance is on its
# way out of the group (or parked in standby / a warm pool).
_GONE = {
    "Terminating",
    "Terminating:Proceed",
    "Terminated",
    "Detaching",
    "Detached",
    "EnteringStandby",
    "Standby",
    "Quarantined",
}
_STATES = {
    "Pending": LifecycleState.PENDING,
    "Pending:Proceed": LifecycleState.PENDING,
    "Pending:Wait": LifecycleState.PENDING_WAIT,
    "InService": LifecycleState.IN_SERVICE,
    "Terminating:Wait": LifecycleState.TERMINATING_WAIT,
}


@dataclass(frozen=True, slots=True, kw_only=True)
class AwsGroup:
    """One group of ``describe-auto-scaling-groups``: its sizes and timers, its
    fleet settings and the instances it lists."""

    name: str
    group: Group
    fleet: FleetConfig
    instances: tuple[Instance, ...]


class _Reader:
    """Collects every problem of one document, each with the path it is at."""

    def __init__(self, source: str) -> None:
        # the name of the document, in every message: bounded, whatever it is
        self.source = (
            source if isinstance(source, str) and len(source) <= 200 else brief(source)
        )
        self.problems: list[str] = []

    def fail(self, where: str, message: str) -> None:
        self.problems.append(f"{self.source} {where}: {message}")

    def mapping(self, value: object, where: str) -> Mapping[str, Any] | None:
        if not isinstance(value, Mapping):
            self.fail(where, "must be an object")
            return None
        return value

    def items(self, value: object, where: str, limit: int = _MAX_ITEMS) -> list[Any]:
        if not isinstance(value, list):
            self.fail(where, "must be a list")
            return []
        if len(value) > limit:
            self.fail(where, f"has {len(value)} entries: at most {limit}")
            return []
        return value

    def build(self, where: str, factory: Callable[..., Any], **kwargs: Any) -> Any:
        try:
            return factory(**kwargs)
        except AutoScalingInputError as error:
            self.problems.extend(f"{self.source} {where}: {p}" for p in error.problems)
            return None

    def done(self) -> None:
        if self.problems:
            raise AutoScalingInputError(self.problems)


def _version(text: object) -> int | None:
    """A launch template version as the CLI prints it ("3"), or None for the
    symbolic ``$Latest``/``$Default`` (or anything else that is not a number)."""
    if isinstance(text, int) and not isinstance(text, bool):
        return text
    if isinstance(text, str) and text.isascii() and text.isdigit() and len(text) <= 10:
        return int(text)
    return None


def _launch(
    doc: Mapping[str, Any], reader: _Reader, where: str
) -> tuple[LaunchSpec | None, bool]:
    """What the group (or an instance) launches from; True if the version was
    symbolic (``$Latest``/``$Default``) and must come from the instances."""
    template = doc.get("LaunchTemplate")
    mixed = doc.get("MixedInstancesPolicy")
    if template is None and isinstance(mixed, Mapping):
        spec = mixed.get("LaunchTemplate")
        if isinstance(spec, Mapping):
            template = spec.get("LaunchTemplateSpecification")
    if isinstance(template, Mapping):
        name = template.get("LaunchTemplateName") or template.get("LaunchTemplateId")
        version = _version(template.get("Version", "$Default"))
        spec_value = reader.build(
            where,
            LaunchSpec,
            launch_template=name,
            version=1 if version is None else version,
        )
        return spec_value, version is None
    configuration = doc.get("LaunchConfigurationName")
    if configuration is not None:
        return reader.build(
            where, LaunchSpec, launch_configuration=configuration
        ), False
    reader.fail(where, "has neither LaunchTemplate nor LaunchConfigurationName")
    return None, False


def _mixed(
    doc: object, zones: Sequence[str], reader: _Reader, where: str
) -> MixedInstancesPolicy | None:
    if doc is None:
        return None
    mixed = reader.mapping(doc, f"{where} MixedInstancesPolicy")
    if mixed is None:
        return None
    dist = mixed.get("InstancesDistribution", {})
    dist = reader.mapping(dist, f"{where} InstancesDistribution") or {}
    names = {
        "OnDemandBaseCapacity": "on_demand_base_capacity",
        "OnDemandPercentageAboveBaseCapacity": (
            "on_demand_percentage_above_base_capacity"
        ),
        "OnDemandAllocationStrategy": "on_demand_allocation_strategy",
        "SpotAllocationStrategy": "spot_allocation_strategy",
        "SpotInstancePools": "spot_instance_pools",
    }
    distribution = reader.build(
        f"{where} InstancesDistribution",
        InstancesDistribution,
        **{ours: dist[key] for key, ours in names.items() if key in dist},
    )
    template = (
        reader.mapping(mixed.get("LaunchTemplate", {}), f"{where} LaunchTemplate") or {}
    )
    overrides = reader.items(template.get("Overrides", []), f"{where} Overrides")
    pools: list[Pool] = []
    for i, override in enumerate(overrides):
        item = reader.mapping(override, f"{where} Overrides[{i}]")
        if item is None:
            continue
        weight = _version(item.get("WeightedCapacity", "1"))
        for zone in zones:
            pool = reader.build(
                f"{where} Overrides[{i}]",
                Pool,
                instance_type=item.get("InstanceType"),
                availability_zone=zone,
                weighted_capacity=item.get("WeightedCapacity")
                if weight is None
                else weight,
            )
            if pool is not None:
                pools.append(pool)
    if distribution is None or not pools:
        if distribution is not None:
            reader.fail(
                f"{where} MixedInstancesPolicy", "has no Overrides with an InstanceType"
            )
        return None
    built: MixedInstancesPolicy | None = reader.build(
        f"{where} MixedInstancesPolicy",
        MixedInstancesPolicy,
        distribution=distribution,
        pools=tuple(pools),
    )
    return built


def _instance(doc: object, reader: _Reader, where: str, now: int) -> Instance | None:
    item = reader.mapping(doc, where)
    if item is None:
        return None
    state = item.get("LifecycleState", "InService")
    # text first: a set or dict lookup of an object or array raises TypeError
    if isinstance(state, str) and state in _GONE:
        return None
    if not isinstance(state, str) or state not in _STATES:
        reader.fail(
            where, f"LifecycleState {brief(state)} is not a state awscore models"
        )
        return None
    spec, _ = _launch(item, reader, where)
    health = item.get("HealthStatus", "Healthy")
    health = health.capitalize() if isinstance(health, str) else health
    weight = _version(item.get("WeightedCapacity", "1"))
    if spec is None:
        return None
    built: Instance | None = reader.build(
        where,
        Instance,
        instance_id=item.get("InstanceId"),
        availability_zone=item.get("AvailabilityZone"),
        instance_type=item.get("InstanceType", "unknown"),
        launch=spec,
        launch_time=now,
        lifecycle_state=_STATES[state],
        health_status=health,
        protected_from_scale_in=item.get("ProtectedFromScaleIn", False),
        weighted_capacity=item.get("WeightedCapacity") if weight is None else weight,
        state_since=now,
        in_service_since=now if _STATES[state] == LifecycleState.IN_SERVICE else None,
    )
    return built


def read_groups(
    document: object, *, now: int = 0, source: str = "groups"
) -> list[AwsGroup]:
    """The groups of a ``describe-auto-scaling-groups`` document.

    The CLI does not print when an instance launched or whether it is Spot: the
    instances are taken as launched at ``now`` and On-Demand. A group whose
    launch template version is ``$Latest``/``$Default`` is taken to be at the
    highest version its instances use. Raises
    :class:`~awscore.errors.AutoScalingInputError` listing every problem.
    """
    reader = _Reader(source)
    top = reader.mapping(document, "document")
    groups: list[AwsGroup] = []
    entries = (
        reader.items(top.get("AutoScalingGroups"), "AutoScalingGroups") if top else []
    )
    if top is not None and not entries and not reader.problems:
        reader.fail("AutoScalingGroups", "lists no group")
    for n, entry in enumerate(entries):
        doc = reader.mapping(entry, f"AutoScalingGroups[{n}]")
        if doc is None:
            continue
        name = doc.get("AutoScalingGroupName", f"#{n}")
        where = f"group {brief(name)}"
        zones = doc.get("AvailabilityZones", [])
        zones = list(reader.items(zones, f"{where} AvailabilityZones"))
        spec, symbolic = _launch(doc, reader, where)
        instances = [
            i
            for k, raw in enumerate(
                reader.items(doc.get("Instances", []), f"{where} Instances")
            )
            if (i := _instance(raw, reader, f"{where} Instances[{k}]", now)) is not None
        ]
        if spec is not None and symbolic:
            versions = [
                i.launch.version
                for i in instances
                if i.launch.launch_template == spec.launch_template and i.launch.version
            ]
            spec = LaunchSpec(
                launch_template=spec.launch_template, version=max(versions, default=1)
            )
        group = reader.build(
            where,
            Group,
            min_size=doc.get("MinSize"),
            max_size=doc.get("MaxSize"),
            desired_capacity=doc.get("DesiredCapacity"),
            default_cooldown=doc.get("DefaultCooldown", 300),
            default_instance_warmup=doc.get("DefaultInstanceWarmup"),
        )
        hooks = [
            reader.build(
                f"{where} LifecycleHooks[{k}]",
                LifecycleHook,
                name=h.get("LifecycleHookName"),
                transition=h.get("LifecycleTransition"),
                heartbeat_timeout=h.get("HeartbeatTimeout", 3600),
                default_result=h.get("DefaultResult", "ABANDON"),
            )
            for k, h in enumerate(
                reader.items(doc.get("LifecycleHooks", []), f"{where} LifecycleHooks")
            )
            if reader.mapping(h, f"{where} LifecycleHooks[{k}]") is not None
        ]
        mixed = _mixed(doc.get("MixedInstancesPolicy"), zones, reader, where)
        if spec is None or group is None:
            continue
        fleet = reader.build(
            where,
            FleetConfig,
            availability_zones=tuple(zones),
            min_size=group.min_size,
            max_size=group.max_size,
            launch=spec,
            termination_policies=tuple(doc.get("TerminationPolicies") or ["Default"]),
            mixed_instances_policy=mixed,
            health_check_type=doc.get("HealthCheckType", HealthCheckType.EC2),
            health_check_grace_period=doc.get("HealthCheckGracePeriod", 300),
            lifecycle_hooks=tuple(h for h in hooks if h is not None),
            new_instances_protected_from_scale_in=doc.get(
                "NewInstancesProtectedFromScaleIn", False
            ),
        )
        if fleet is not None:
            groups.append(
                AwsGroup(
                    name=str(name), group=group, fleet=fleet, instances=tuple(instances)
                )
            )
    reader.done()
    return groups


def read_alarms(document: object, *, source: str = "alarms") -> dict[str, Alarm]:
    """The metric alarms of an ``aws cloudwatch describe-alarms`` document, by name."""
    reader = _Reader(source)
    top = reader.mapping(document, "document")
    alarms: dict[str, Alarm] = {}
    for n, entry in enumerate(
        reader.items(top.get("MetricAlarms", []) if top else [], "MetricAlarms")
    ):
        doc = reader.mapping(entry, f"MetricAlarms[{n}]")
        if doc is None:
            continue
        name = doc.get("AlarmName")
        fields = {
            "Threshold": "threshold",
            "ComparisonOperator": "comparison_operator",
            "Period": "period",
            "EvaluationPeriods": "evaluation_periods",
            "DatapointsToAlarm": "datapoints_to_alarm",
            "TreatMissingData": "treat_missing_data",
        }
        if "Threshold" not in doc:
            # describe-alarms always prints it; without it there is no alarm to build
            reader.fail(f"MetricAlarms[{n}]", "has no Threshold")
            continue
        alarm = reader.build(
            f"alarm {brief(name)}",
            Alarm,
            name=name,
            **{ours: doc[key] for key, ours in fields.items() if key in doc},
        )
        if alarm is not None:
            alarms[alarm.name] = alarm
    reader.done()
    return alarms


def _policy_alarm(
    doc: Mapping[str, Any], alarms: Mapping[str, Alarm], reader: _Reader, where: str
) -> Alarm | None:
    names = [
        a.get("AlarmName")
        for a in reader.items(doc.get("Alarms", []), f"{where} Alarms")
        if isinstance(a, Mapping)
    ]
    for name in names:
        if isinstance(name, str) and name in alarms:
            return alarms[name]
    reader.fail(
        where,
        "needs the threshold of its alarm "
        + (f"{brief(names[0])} " if names else "")
        + "(give the describe-alarms output that lists it)",
    )
    return None


def read_policies(  # noqa: PLR0912 (one branch per policy type)
    document: object,
    *,
    alarms: Mapping[str, Alarm] | None = None,
    source: str = "policies",
) -> list[Policy]:
    """The enabled policies of a ``describe-policies`` document.

    Step and simple policies take their threshold from ``alarms``
    (:func:`read_alarms`); target tracking policies need none. Predictive
    scaling policies and disabled ones (``Enabled: false``) are skipped.
    """
    reader = _Reader(source)
    given: object = alarms
    if given is not None and (
        not isinstance(given, Mapping)
        or not all(
            isinstance(k, str) and isinstance(v, Alarm) for k, v in given.items()
        )
    ):
        raise AutoScalingInputError(
            [f"alarms={brief(given)} must map alarm names to alarms (read_alarms)"]
        )
    known = alarms or {}
    top = reader.mapping(document, "document")
    policies: list[Policy] = []
    for n, entry in enumerate(
        reader.items(top.get("ScalingPolicies", []) if top else [], "ScalingPolicies")
    ):
        doc = reader.mapping(entry, f"ScalingPolicies[{n}]")
        if doc is None or doc.get("Enabled", True) is False:
            continue
        name = doc.get("PolicyName")
        where = f"policy {brief(name)}"
        kind = doc.get("PolicyType", "SimpleScaling")
        policy: Policy | None = None
        if kind == "TargetTrackingScaling":
            config = (
                reader.mapping(
                    doc.get("TargetTrackingConfiguration"),
                    f"{where} TargetTrackingConfiguration",
                )
                or {}
            )
            extra = {}
            if doc.get("EstimatedInstanceWarmup") is not None:
                extra["estimated_instance_warmup"] = doc["EstimatedInstanceWarmup"]
            policy = reader.build(
                where,
                TargetTrackingPolicy,
                name=name,
                target_value=config.get("TargetValue"),
                disable_scale_in=config.get("DisableScaleIn", False),
                **extra,
            )
        elif kind in ("StepScaling", "SimpleScaling"):
            alarm = _policy_alarm(doc, known, reader, where)
            if alarm is None:
                continue
            if kind == "StepScaling":
                steps = []
                for k, raw in enumerate(
                    reader.items(
                        doc.get("StepAdjustments", []), f"{where} StepAdjustments"
                    )
                ):
                    step = reader.mapping(raw, f"{where} StepAdjustments[{k}]")
                    if step is not None:
                        steps.append(
                            reader.build(
                                f"{where} StepAdjustments[{k}]",
                                StepAdjustment,
                                lower_bound=step.get("MetricIntervalLowerBound"),
                                upper_bound=step.get("MetricIntervalUpperBound"),
                                scaling_adjustment=step.get("ScalingAdjustment"),
                            )
                        )
                if None in steps:
                    continue
                policy = reader.build(
                    where,
                    StepScalingPolicy,
                    name=name,
                    adjustment_type=doc.get("AdjustmentType"),
                    step_adjustments=tuple(steps),
                    alarm=alarm,
                    min_adjustment_magnitude=doc.get("MinAdjustmentMagnitude"),
                    estimated_instance_warmup=doc.get("EstimatedInstanceWarmup"),
                )
            else:
                policy = reader.build(
                    where,
                    SimpleScalingPolicy,
                    name=name,
                    adjustment_type=doc.get("AdjustmentType"),
                    scaling_adjustment=doc.get("ScalingAdjustment"),
                    alarm=alarm,
                    cooldown=doc.get("Cooldown"),
                    min_adjustment_magnitude=doc.get("MinAdjustmentMagnitude"),
                )
        elif kind != "PredictiveScaling":
            reader.fail(where, f"PolicyType {brief(kind)} is not one awscore models")
        if policy is not None:
            policies.append(policy)
    reader.done()
    return policies


def _timestamp(value: object, reader: _Reader, where: str) -> dt.datetime | None:
    if isinstance(value, str) and len(value) <= 64:
        try:
            stamp = dt.datetime.fromisoformat(value)
        except ValueError:
            stamp = None
        if stamp is not None:
            return stamp if stamp.tzinfo else stamp.replace(tzinfo=dt.UTC)
    reader.fail(where, f"{brief(value)} is not an ISO 8601 date and time")
    return None


def read_scheduled_actions(
    document: object, *, source: str = "schedule"
) -> list[ScheduledAction]:
    """The actions of a ``describe-scheduled-actions`` document."""
    reader = _Reader(source)
    top = reader.mapping(document, "document")
    actions: list[ScheduledAction] = []
    entries = top.get("ScheduledUpdateGroupActions", []) if top else []
    for n, entry in enumerate(reader.items(entries, "ScheduledUpdateGroupActions")):
        doc = reader.mapping(entry, f"ScheduledUpdateGroupActions[{n}]")
        if doc is None:
            continue
        where = f"scheduled action {brief(doc.get('ScheduledActionName'))}"
        times = {
            ours: _timestamp(doc[key], reader, f"{where} {key}")
            for key, ours in (("StartTime", "start_time"), ("EndTime", "end_time"))
            if doc.get(key) is not None
        }
        # describe-scheduled-actions prints a recurring action's next run as its
        # StartTime; awscore runs the cron from it.
        action = reader.build(
            where,
            ScheduledAction,
            name=doc.get("ScheduledActionName"),
            recurrence=doc.get("Recurrence"),
            min_size=doc.get("MinSize"),
            max_size=doc.get("MaxSize"),
            desired_capacity=doc.get("DesiredCapacity"),
            time_zone=doc.get("TimeZone"),
            **times,
        )
        if action is not None:
            actions.append(action)
    reader.done()
    return actions


def read_metrics(  # noqa: PLR0912 (two documents, each checked)
    document: object, *, source: str = "metrics"
) -> list[tuple[int, float]]:
    """``(unix time, value)`` pairs, oldest first, from the output of
    ``get-metric-data`` (its first ``MetricDataResults`` entry) or
    ``get-metric-statistics`` (``Average``, else the one statistic present)."""
    reader = _Reader(source)
    top = reader.mapping(document, "document")
    pairs: list[tuple[object, object]] = []
    if top is not None and "MetricDataResults" in top:
        results = reader.items(top["MetricDataResults"], "MetricDataResults")
        if not results:
            reader.fail("MetricDataResults", "holds no metric")
        else:
            first = reader.mapping(results[0], "MetricDataResults[0]") or {}
            stamps = reader.items(
                first.get("Timestamps", []),
                "MetricDataResults[0] Timestamps",
                MAX_DATAPOINTS,
            )
            values = reader.items(
                first.get("Values", []),
                "MetricDataResults[0] Values",
                MAX_DATAPOINTS,
            )
            if len(stamps) != len(values):
                reader.fail(
                    "MetricDataResults[0]",
                    f"has {len(stamps)} Timestamps and {len(values)} Values",
                )
            pairs = list(zip(stamps, values, strict=False))
    elif top is not None and "Datapoints" in top:
        for n, raw in enumerate(
            reader.items(top["Datapoints"], "Datapoints", MAX_DATAPOINTS)
        ):
            point = reader.mapping(raw, f"Datapoints[{n}]")
            if point is None:
                continue
            stat = next(
                (
                    s
                    for s in ("Average", "Maximum", "Minimum", "Sum", "SampleCount")
                    if s in point
                ),
                None,
            )
            if stat is None:
                reader.fail(
                    f"Datapoints[{n}]",
                    "has no Average, Maximum, Minimum, Sum or SampleCount",
                )
                continue
            pairs.append((point.get("Timestamp"), point[stat]))
    elif top is not None:
        reader.fail(
            "document",
            "has neither MetricDataResults (get-metric-data) nor Datapoints "
            "(get-metric-statistics)",
        )
    out: dict[int, float] = {}
    for n, (stamp, value) in enumerate(pairs):
        when = _timestamp(stamp, reader, f"datapoint {n} Timestamp")
        number = isinstance(value, int | float) and not isinstance(value, bool)
        if not number or not -1e15 <= value <= 1e15:  # type: ignore[operator]
            reader.fail(
                f"datapoint {n}", f"value {brief(value)} is not a finite number"
            )
            continue
        if when is not None:
            out[int(when.timestamp())] = float(value)  # type: ignore[arg-type]
    if not out and not reader.problems:
        reader.fail("document", "holds no datapoint")
    reader.done()
    return sorted(out.items())
