"""One instance of an Auto Scaling group, and what it was launched from.

Sources: Amazon EC2 Auto Scaling User Guide, "Amazon EC2 Auto Scaling instance
lifecycle"; API reference ``Instance`` (of ``DescribeAutoScalingGroups``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from awscore.autoscaling._alarm import brief, member
from awscore.autoscaling._health import HealthStatus, LifecycleState
from awscore.autoscaling._mixed import Market
from awscore.errors import AutoScalingInputError

__all__ = ["Instance", "LaunchSpec"]

#: Times are whole seconds on the caller's clock, bounded so that any sum of a
#: time and a documented duration stays exact and small.
MAX_TIME = 2**53


def check_time(value: object, what: str, problems: list[str]) -> None:
    """Append a problem unless ``value`` is a whole number of seconds in range."""
    if isinstance(value, bool) or not isinstance(value, int) or abs(value) > MAX_TIME:
        problems.append(
            f"{what}={brief(value)} must be a whole number of seconds within +-2**53"
        )


def _text(value: object, what: str, problems: list[str], *, optional: bool) -> None:
    if value is None and optional:
        return
    if not isinstance(value, str) or not 1 <= len(value) <= 255:
        problems.append(f"{what}={brief(value)} must be 1..255 characters")


@dataclass(frozen=True, slots=True, kw_only=True)
class LaunchSpec:
    """What instances launch from: a launch template version, or a launch
    configuration (``created`` orders launch configurations, oldest first).

    Exactly one of ``launch_template`` and ``launch_configuration`` is set.
    """

    launch_template: str | None = None
    version: int | None = None
    launch_configuration: str | None = None
    created: int = 0

    def __post_init__(self) -> None:
        problems: list[str] = []
        _text(self.launch_template, "LaunchTemplateName", problems, optional=True)
        _text(
            self.launch_configuration,
            "LaunchConfigurationName",
            problems,
            optional=True,
        )
        if (self.launch_template is None) == (self.launch_configuration is None):
            problems.append(
                "LaunchSpec needs exactly one of launch_template and "
                "launch_configuration"
            )
        version: object = self.version
        if self.launch_template is not None and (
            isinstance(version, bool)
            or not isinstance(version, int)
            or not 1 <= version <= 2**31 - 1
        ):
            problems.append(
                f"LaunchTemplate Version={brief(version)} must be an integer >= 1"
            )
        if self.launch_configuration is not None and version is not None:
            problems.append("a launch configuration has no Version")
        check_time(self.created, "LaunchSpec created", problems)
        if problems:
            raise AutoScalingInputError(problems)

    @property
    def label(self) -> str:
        """``web:3`` for a template version, ``lc:old`` for a configuration."""
        if self.launch_template is not None:
            return f"{self.launch_template}:{self.version}"
        return f"lc:{self.launch_configuration}"


@dataclass(frozen=True, slots=True, kw_only=True)
class Instance:
    """An instance of the group: where, what, bought how, since when, and its state.

    ``weighted_capacity`` is the capacity units it counts for (1 unless the
    group weights its instance types). ``in_service_since`` is when it entered
    ``InService`` (None before), from which the health check grace period runs.
    ``for_rebalance`` marks an instance launched to rebalance zones: once it is in
    service, one instance of the fullest zone is terminated in its place.
    """

    instance_id: str
    availability_zone: str
    launch: LaunchSpec
    launch_time: int
    instance_type: str = "m5.large"
    market: Market = Market.ON_DEMAND
    weighted_capacity: int = 1
    lifecycle_state: LifecycleState = LifecycleState.IN_SERVICE
    health_status: HealthStatus = HealthStatus.HEALTHY
    protected_from_scale_in: bool = False
    state_since: int = 0
    in_service_since: int | None = None
    for_rebalance: bool = False

    def __post_init__(self) -> None:
        problems: list[str] = []
        _text(self.instance_id, "InstanceId", problems, optional=False)
        _text(self.availability_zone, "AvailabilityZone", problems, optional=False)
        _text(self.instance_type, "InstanceType", problems, optional=False)
        launch: object = self.launch
        if not isinstance(launch, LaunchSpec):
            problems.append(f"Instance launch={brief(launch)} is not a LaunchSpec")
        check_time(self.launch_time, "Instance launch_time", problems)
        check_time(self.state_since, "Instance state_since", problems)
        if self.in_service_since is not None:
            check_time(self.in_service_since, "Instance in_service_since", problems)
        weight: object = self.weighted_capacity
        if (
            isinstance(weight, bool)
            or not isinstance(weight, int)
            or not 1 <= weight <= 999
        ):
            problems.append(
                f"Instance WeightedCapacity={brief(weight)} must be an integer in "
                "[1, 999]"
            )
        for name, kind in (
            ("market", Market),
            ("lifecycle_state", LifecycleState),
            ("health_status", HealthStatus),
        ):
            try:
                object.__setattr__(self, name, member(kind, getattr(self, name)))
            except ValueError:
                problems.append(
                    f"Instance {name}={brief(getattr(self, name))} is not one of "
                    + ", ".join(v.value for v in kind)
                )
        for name in ("protected_from_scale_in", "for_rebalance"):
            if not isinstance(getattr(self, name), bool):
                problems.append(f"Instance {name} must be true or false")
        if problems:
            raise AutoScalingInputError(problems)

    @property
    def live(self) -> bool:
        """Counts toward the group's capacity: launching or in service."""
        return self.lifecycle_state in (
            LifecycleState.PENDING,
            LifecycleState.PENDING_WAIT,
            LifecycleState.IN_SERVICE,
        )

    def moved(self, state: LifecycleState, now: int, **changes: object) -> Instance:
        """This instance in lifecycle ``state`` from ``now``."""
        if state == LifecycleState.IN_SERVICE and self.in_service_since is None:
            changes.setdefault("in_service_since", now)
        return replace(self, lifecycle_state=state, state_since=now, **changes)  # type: ignore[arg-type]
