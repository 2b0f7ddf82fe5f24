"""The group's fleet: instances placed across zones, driven by the desired capacity.

Sources: Amazon EC2 Auto Scaling User Guide, "Instance distribution" / "Rebalancing
activities" (launch in the zone with the fewest instances; after a zone recovers,
launch before terminating, exceeding the maximum by up to 10 percent), "Configure
termination policies", "Health checks for instances in an Auto Scaling group",
"Replace unhealthy instances", "Lifecycle hooks" and "Auto Scaling groups with
multiple instance types and purchase options".

A :class:`Fleet` is a frozen value: every operation returns a new fleet (and the
events it produced), and a rejected argument raises before anything is built, so
a refused input changes no fleet by construction.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from awscore.autoscaling._alarm import _is_int, brief, member
from awscore.autoscaling._health import (
    DEFAULT_HEALTH_CHECK_GRACE_PERIOD,
    DefaultResult,
    HealthCheckType,
    HealthStatus,
    LifecycleHook,
    LifecycleState,
    LifecycleTransition,
)
from awscore.autoscaling._instance import Instance, LaunchSpec, check_time
from awscore.autoscaling._mixed import (
    Market,
    MixedInstancesPolicy,
    choose_pool,
    split_capacity,
)
from awscore.autoscaling._termination import TerminationPolicy, choose_victim
from awscore.errors import AutoScalingInputError

__all__ = ["Fleet", "FleetConfig", "FleetEvent", "FleetStep", "rebalance_margin"]

#: The largest group awscore models (AWS's default quota is far lower); it
#: bounds every loop of a fleet step.
MAX_FLEET_SIZE = 10_000


def rebalance_margin(max_size: int) -> int:
    """How far above ``max_size`` a rebalance may go: 10 percent, at least one
    instance. AWS does not say how 10 percent of a size that is not a multiple
    of 10 rounds: awscore rounds down (15 -> 1)."""
    if isinstance(max_size, bool) or not isinstance(max_size, int) or max_size < 0:
        raise AutoScalingInputError([f"max_size={brief(max_size)} must be a size >= 0"])
    return max(1, max_size // 10)


@dataclass(frozen=True, slots=True, kw_only=True)
class FleetConfig:
    """The group settings the fleet follows (``CreateAutoScalingGroup`` names).

    ``availability_zones`` in order: launches go to the zone with the fewest live
    instances, ties to the earliest zone of this list (AWS does not document its
    tie-break). ``launch`` is what new instances launch from. ``launch_delay``
    is how long a new instance stays ``Pending`` before ``InService``.
    """

    availability_zones: tuple[str, ...]
    min_size: int
    max_size: int
    launch: LaunchSpec
    instance_type: str = "m5.large"
    termination_policies: tuple[TerminationPolicy, ...] = (TerminationPolicy.DEFAULT,)
    mixed_instances_policy: MixedInstancesPolicy | None = None
    health_check_type: HealthCheckType = HealthCheckType.EC2
    health_check_grace_period: int = DEFAULT_HEALTH_CHECK_GRACE_PERIOD
    lifecycle_hooks: tuple[LifecycleHook, ...] = ()
    new_instances_protected_from_scale_in: bool = False
    launch_delay: int = 0

    def __post_init__(self) -> None:  # noqa: PLR0912 (one check per field)
        problems: list[str] = []
        zones: object = self.availability_zones
        if (
            not isinstance(zones, Sequence)
            or isinstance(zones, str)
            or not 1 <= len(zones) <= 64
            or not all(isinstance(z, str) and 1 <= len(z) <= 255 for z in zones)
            or len(set(zones)) != len(zones)
        ):
            problems.append(
                f"AvailabilityZones={brief(zones)} must be 1..64 distinct zone names"
            )
        else:
            object.__setattr__(self, "availability_zones", tuple(zones))
        sizes_ok = True
        for name in ("min_size", "max_size"):
            value = getattr(self, name)
            if (
                isinstance(value, bool)
                or not isinstance(value, int)
                or not 0 <= value <= MAX_FLEET_SIZE
            ):
                problems.append(
                    f"FleetConfig {name}={brief(value)} must be an integer in "
                    f"[0, {MAX_FLEET_SIZE}]"
                )
                sizes_ok = False
        if sizes_ok and self.min_size > self.max_size:
            problems.append(
                f"FleetConfig MinSize={self.min_size} is above MaxSize={self.max_size}"
            )
        launch: object = self.launch
        if not isinstance(launch, LaunchSpec):
            problems.append(f"FleetConfig launch={brief(launch)} is not a LaunchSpec")
        _policies(self, problems)
        mixed: object = self.mixed_instances_policy
        if mixed is not None:
            if not isinstance(mixed, MixedInstancesPolicy):
                problems.append("FleetConfig mixed_instances_policy is not one")
            elif isinstance(zones, tuple):
                bare = [z for z in zones if not mixed.zone_pools(z)]
                if bare:
                    problems.append(
                        f"MixedInstancesPolicy has no pool in zone(s) {bare}"
                    )
        try:
            object.__setattr__(
                self,
                "health_check_type",
                member(HealthCheckType, self.health_check_type),
            )
        except ValueError:
            problems.append(
                f"HealthCheckType={brief(self.health_check_type)} is not one of "
                "EC2, ELB"
            )
        for name in ("health_check_grace_period", "launch_delay"):
            value = getattr(self, name)
            if (
                isinstance(value, bool)
                or not isinstance(value, int)
                or not 0 <= value <= 2**31 - 1
            ):
                problems.append(
                    f"FleetConfig {name}={brief(value)} must be a whole number of "
                    "seconds in [0, 2147483647]"
                )
        hooks: object = self.lifecycle_hooks
        if not isinstance(hooks, Sequence) or not all(
            isinstance(h, LifecycleHook) for h in hooks
        ):
            problems.append("FleetConfig lifecycle_hooks must be LifecycleHook values")
        elif len(hooks) > 50:
            problems.append(f"{len(hooks)} lifecycle hooks: at most 50 per group")
        else:
            object.__setattr__(self, "lifecycle_hooks", tuple(hooks))
        protect: object = self.new_instances_protected_from_scale_in
        if not isinstance(protect, bool):
            problems.append("NewInstancesProtectedFromScaleIn must be true or false")
        if problems:
            raise AutoScalingInputError(problems)

    def hook(self, transition: LifecycleTransition) -> LifecycleHook | None:
        """The first lifecycle hook on ``transition`` (None: no hook)."""
        return next(
            (h for h in self.lifecycle_hooks if h.transition == transition), None
        )


def _policies(config: FleetConfig, problems: list[str]) -> None:
    given: object = config.termination_policies
    if isinstance(given, str) or not isinstance(given, Sequence) or not given:
        problems.append("TerminationPolicies must be a non-empty list of policies")
        return
    parsed = []
    for value in given:
        try:
            parsed.append(member(TerminationPolicy, value))
        except ValueError:
            problems.append(
                f"TerminationPolicies entry {brief(value)} is not one of "
                + ", ".join(p.value for p in TerminationPolicy)
            )
    if len(set(parsed)) != len(parsed):
        problems.append("TerminationPolicies repeats a policy")
    object.__setattr__(config, "termination_policies", tuple(parsed))


@dataclass(frozen=True, slots=True, kw_only=True)
class FleetEvent:
    """Something the fleet did: ``kind`` is ``launch``, ``terminate``,
    ``in-service``, ``unhealthy``, ``ignored`` or ``wait``; ``reason`` says why."""

    time: int
    kind: str
    instance_id: str
    availability_zone: str
    market: Market
    reason: str


@dataclass(frozen=True, slots=True, kw_only=True)
class FleetStep:
    """A fleet after an operation, and the events the operation produced."""

    fleet: Fleet
    events: tuple[FleetEvent, ...]


def _event(now: int, kind: str, instance: Instance, reason: str) -> FleetEvent:
    return FleetEvent(
        time=now,
        kind=kind,
        instance_id=instance.instance_id,
        availability_zone=instance.availability_zone,
        market=instance.market,
        reason=reason,
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class Fleet:
    """The instances of a group and the desired capacity they follow.

    ``seed`` makes the termination policy's last, random step reproducible.
    ``impaired_zones`` are zones where nothing runs (an outage). Instances are
    kept in launch order. Build one with :meth:`start` and move it on with
    :meth:`step`; every method returns a new fleet.
    """

    config: FleetConfig
    desired_capacity: int
    instances: tuple[Instance, ...] = ()
    impaired_zones: frozenset[str] = frozenset()
    seed: int = 0
    launched: int = 0
    draws: int = field(default=0, repr=False)

    def __post_init__(self) -> None:
        problems: list[str] = []
        config: object = self.config
        if not isinstance(config, FleetConfig):
            problems.append(f"Fleet config={brief(config)} is not a FleetConfig")
        else:
            _desired(config, self.desired_capacity, problems)
        seed: object = self.seed
        if isinstance(seed, bool) or not isinstance(seed, int) or abs(seed) > 2**63:
            problems.append(
                f"Fleet seed={brief(seed)} must be an integer within +-2**63"
            )
        given: object = self.instances
        if not isinstance(given, Sequence) or not all(
            isinstance(i, Instance) for i in given
        ):
            problems.append("Fleet instances must be Instance values")
        elif len(given) > 2 * MAX_FLEET_SIZE:
            problems.append(f"Fleet has {len(given)} instances: too many")
        else:
            object.__setattr__(self, "instances", tuple(given))
            ids = [i.instance_id for i in self.instances]
            if len(set(ids)) != len(ids):
                problems.append("Fleet instances repeat an InstanceId")
        if problems:
            raise AutoScalingInputError(problems)

    @classmethod
    def start(
        cls, config: FleetConfig, desired_capacity: int, *, now: int = 0, seed: int = 0
    ) -> Fleet:
        """A fleet of ``desired_capacity`` in service at ``now``, placed as
        launches place them."""
        check = cls(config=config, desired_capacity=desired_capacity, seed=seed)
        problems: list[str] = []
        check_time(now, "now", problems)
        if problems:
            raise AutoScalingInputError(problems)
        fleet = check._launch_missing(now, [], already_running=True)
        return fleet

    # --- what the group looks like -------------------------------------------

    def live(self) -> list[Instance]:
        """Instances launching or in service (what counts toward capacity)."""
        return [i for i in self.instances if i.live]

    def capacity(self) -> int:
        """The capacity units of the live instances."""
        return sum(i.weighted_capacity for i in self.live())

    def in_service_capacity(self) -> int:
        """The capacity units of the healthy instances in service."""
        return sum(
            i.weighted_capacity
            for i in self.instances
            if i.lifecycle_state == LifecycleState.IN_SERVICE
            and i.health_status == HealthStatus.HEALTHY
        )

    def by_zone(self) -> dict[str, int]:
        """Live instances per zone, every zone of the group listed."""
        counts = Counter(i.availability_zone for i in self.live())
        return {z: counts.get(z, 0) for z in self.config.availability_zones}

    def by_market(self) -> dict[Market, int]:
        """Live instances per market."""
        counts = Counter(i.market for i in self.live())
        return {m: counts.get(m, 0) for m in Market}

    def instance(self, instance_id: str) -> Instance:
        """The instance with this id; raises AutoScalingInputError if none."""
        for i in self.instances:
            if i.instance_id == instance_id:
                return i
        raise AutoScalingInputError([f"no instance {brief(instance_id)} in the fleet"])

    # --- operations ----------------------------------------------------------

    def with_desired(self, desired_capacity: int) -> Fleet:
        """The fleet with a new desired capacity (``SetDesiredCapacity``: refused
        outside [MinSize, MaxSize], as AWS's ValidationError refuses it)."""
        problems: list[str] = []
        _desired(self.config, desired_capacity, problems)
        if problems:
            raise AutoScalingInputError(problems)
        return replace(self, desired_capacity=desired_capacity)

    def with_sizes(
        self, *, min_size: int | None, max_size: int | None, desired: int | None
    ) -> Fleet:
        """The fleet after a scheduled action sets some of min, max and desired;
        the desired capacity is then held inside the new limits."""
        problems: list[str] = []
        for what, value in (
            ("MinSize", min_size),
            ("MaxSize", max_size),
            ("DesiredCapacity", desired),
        ):
            if value is not None and (
                not _is_int(value) or not 0 <= value <= MAX_FLEET_SIZE
            ):
                problems.append(
                    f"{what}={brief(value)} must be a whole number in "
                    f"0..{MAX_FLEET_SIZE} or null"
                )
        if problems:
            raise AutoScalingInputError(problems)
        lo = self.config.min_size if min_size is None else min_size
        hi = self.config.max_size if max_size is None else max_size
        config = replace(self.config, min_size=lo, max_size=hi)
        want = self.desired_capacity if desired is None else desired
        return replace(self, config=config, desired_capacity=max(lo, min(hi, want)))

    def zone_outage(self, zone: str) -> Fleet:
        """``zone`` stops running instances; its instances are lost at the next
        :meth:`step` and nothing launches there until :meth:`zone_recovery`."""
        self._zone(zone)
        return replace(self, impaired_zones=self.impaired_zones | {zone})

    def zone_recovery(self, zone: str) -> Fleet:
        """``zone`` runs instances again: the next steps rebalance into it."""
        self._zone(zone)
        return replace(self, impaired_zones=self.impaired_zones - {zone})

    def report_health(
        self, instance_id: str, check: HealthCheckType, *, healthy: bool, now: int
    ) -> FleetStep:
        """A health check's verdict on an instance.

        A failure counts only from a check the group uses (an ELB check with
        ``HealthCheckType`` EC2 is ignored; EC2 status checks always count) and
        only once the instance has been in service for the grace period. The
        unhealthy instance is terminated and replaced at the next :meth:`step`.
        """
        problems: list[str] = []
        check_time(now, "now", problems)
        try:
            kind = member(HealthCheckType, check)
        except ValueError:
            problems.append(f"health check {brief(check)} is not one of EC2, ELB")
        flag: object = healthy
        if not isinstance(flag, bool):
            problems.append("healthy must be true or false")
        if problems:
            raise AutoScalingInputError(problems)
        instance = self.instance(instance_id)
        if healthy or instance.health_status == HealthStatus.UNHEALTHY:
            return FleetStep(fleet=self, events=())
        if (
            kind == HealthCheckType.ELB
            and self.config.health_check_type == HealthCheckType.EC2
        ):
            why = "ELB check failed, but the group uses EC2 health checks only"
            return FleetStep(
                fleet=self, events=(_event(now, "ignored", instance, why),)
            )
        since = instance.in_service_since
        grace = self.config.health_check_grace_period
        if since is None or now < since + grace:
            why = f"{kind} check failed within the {grace} s health check grace period"
            return FleetStep(
                fleet=self, events=(_event(now, "ignored", instance, why),)
            )
        marked = replace(instance, health_status=HealthStatus.UNHEALTHY)
        return FleetStep(
            fleet=self._swap(instance, marked),
            events=(_event(now, "unhealthy", instance, f"{kind} health check failed"),),
        )

    def complete_lifecycle_action(
        self, instance_id: str, result: DefaultResult, *, now: int
    ) -> Fleet:
        """``CompleteLifecycleAction``: end an instance's wait with ``result``."""
        problems: list[str] = []
        check_time(now, "now", problems)
        try:
            outcome = member(DefaultResult, result)
        except ValueError:
            problems.append(
                f"LifecycleActionResult={brief(result)} is not CONTINUE or ABANDON"
            )
        if problems:
            raise AutoScalingInputError(problems)
        instance = self.instance(instance_id)
        if instance.lifecycle_state == LifecycleState.PENDING_WAIT:
            if outcome == DefaultResult.CONTINUE:
                return self._swap(
                    instance, instance.moved(LifecycleState.IN_SERVICE, now)
                )
            return self._swap(instance, instance.moved(LifecycleState.TERMINATED, now))
        if instance.lifecycle_state == LifecycleState.TERMINATING_WAIT:
            return self._swap(instance, instance.moved(LifecycleState.TERMINATED, now))
        raise AutoScalingInputError(
            [
                f"instance {brief(instance_id)} is {instance.lifecycle_state}, not "
                "in a wait state"
            ]
        )

    def set_protection(self, instance_ids: Sequence[str], *, protected: bool) -> Fleet:
        """``SetInstanceProtection`` on the given instances."""
        if not isinstance(protected, bool):
            raise AutoScalingInputError(["ProtectedFromScaleIn must be true or false"])
        given: object = instance_ids
        if (
            isinstance(given, str | bytes)
            or not isinstance(given, Sequence)
            or not all(isinstance(i, str) for i in given)
        ):
            raise AutoScalingInputError(
                [f"InstanceIds={brief(given)} must be a list of instance ids"]
            )
        wanted = [self.instance(i) for i in instance_ids]
        fleet = self
        for instance in wanted:
            fleet = fleet._swap(
                instance, replace(instance, protected_from_scale_in=protected)
            )
        return fleet

    def step(self, now: int) -> FleetStep:
        """Everything the group does at ``now``: finish launches and lifecycle
        waits, lose the instances of impaired zones, terminate unhealthy ones,
        launch or terminate toward the desired capacity, then rebalance zones."""
        problems: list[str] = []
        check_time(now, "now", problems)
        if problems:
            raise AutoScalingInputError(problems)
        events: list[FleetEvent] = []
        fleet = self._advance(now, events)
        fleet = fleet._lose_unhealthy(now, events)
        fleet = fleet._launch_missing(now, events)
        fleet = fleet._scale_in(now, events)
        fleet = fleet._rebalance(now, events)
        kept = tuple(
            i for i in fleet.instances if i.lifecycle_state != LifecycleState.TERMINATED
        )
        return FleetStep(fleet=replace(fleet, instances=kept), events=tuple(events))

    # --- internals -----------------------------------------------------------

    def _zone(self, zone: str) -> None:
        if zone not in self.config.availability_zones:
            raise AutoScalingInputError(
                [
                    f"zone {brief(zone)} is not one of the group's AvailabilityZones "
                    f"{list(self.config.availability_zones)}"
                ]
            )

    def _swap(self, old: Instance, new: Instance) -> Fleet:
        return replace(
            self, instances=tuple(new if i is old else i for i in self.instances)
        )

    def _advance(self, now: int, events: list[FleetEvent]) -> Fleet:
        moved = [self._advance_one(i, now, events) for i in self.instances]
        return replace(self, instances=tuple(moved))

    def _advance_one(
        self, instance: Instance, now: int, events: list[FleetEvent]
    ) -> Instance:
        """One instance at ``now``: launch done, lifecycle wait over, zone lost."""
        state = instance.lifecycle_state
        delay = self.config.launch_delay
        out = instance
        if state == LifecycleState.PENDING and now >= instance.launch_time + delay:
            out = instance.moved(LifecycleState.IN_SERVICE, now)
            events.append(_event(now, "in-service", out, "launch complete"))
        elif state in (LifecycleState.PENDING_WAIT, LifecycleState.TERMINATING_WAIT):
            out = self._wait_over(instance, now, events)
        if out.availability_zone in self.impaired_zones and out.live:
            out = replace(out, health_status=HealthStatus.UNHEALTHY)
        return out

    def _wait_over(
        self, instance: Instance, now: int, events: list[FleetEvent]
    ) -> Instance:
        """A lifecycle wait past its heartbeat timeout gets its default result."""
        waiting_launch = instance.lifecycle_state == LifecycleState.PENDING_WAIT
        hook = self.config.hook(
            LifecycleTransition.LAUNCHING
            if waiting_launch
            else LifecycleTransition.TERMINATING
        )
        timeout = 3600 if hook is None else hook.heartbeat_timeout
        result = DefaultResult.ABANDON if hook is None else hook.default_result
        if now < instance.state_since + timeout:
            return instance
        why = f"heartbeat timeout {timeout} s, default result {result}"
        if waiting_launch and result == DefaultResult.CONTINUE:
            ready = max(now, instance.launch_time + self.config.launch_delay)
            out = instance.moved(LifecycleState.IN_SERVICE, ready)
            events.append(_event(now, "in-service", out, why))
            return out
        out = instance.moved(LifecycleState.TERMINATED, now)
        events.append(_event(now, "terminated", out, why))
        return out

    def _terminate(self, victim: Instance, now: int, reason: str) -> Fleet:
        hook = self.config.hook(LifecycleTransition.TERMINATING)
        lost = victim.availability_zone in self.impaired_zones
        if hook is None or lost:
            state = LifecycleState.TERMINATED
        else:
            state = LifecycleState.TERMINATING_WAIT
        return self._swap(victim, victim.moved(state, now))

    def _lose_unhealthy(self, now: int, events: list[FleetEvent]) -> Fleet:
        fleet = self
        for i in self.instances:
            if i.live and i.health_status == HealthStatus.UNHEALTHY:
                why = (
                    f"zone {i.availability_zone} is impaired"
                    if i.availability_zone in self.impaired_zones
                    else "unhealthy: replaced"
                )
                events.append(_event(now, "terminate", i, why))
                fleet = fleet._terminate(i, now, why)
        return fleet

    def _zone_for_launch(self) -> str | None:
        counts = self.by_zone()
        usable = [
            z for z in self.config.availability_zones if z not in self.impaired_zones
        ]
        if not usable:
            return None
        return min(usable, key=lambda z: counts[z])  # min keeps list order on ties

    def _market_for_launch(self) -> Market:
        mixed = self.config.mixed_instances_policy
        if mixed is None:
            return Market.ON_DEMAND
        return Market.ON_DEMAND if self._on_demand_short() else Market.SPOT

    def _new_instance(
        self,
        zone: str,
        now: int,
        *,
        running: bool,
        for_rebalance: bool = False,
        market: Market | None = None,
    ) -> Instance:
        if market is None or self.config.mixed_instances_policy is None:
            market = self._market_for_launch()
        instance_type, weight = self.config.instance_type, 1
        mixed = self.config.mixed_instances_policy
        if mixed is not None:
            distribution = mixed.distribution
            strategy = (
                distribution.on_demand_allocation_strategy
                if market == Market.ON_DEMAND
                else distribution.spot_allocation_strategy
            )
            running_types = Counter(
                i.instance_type
                for i in self.live()
                if i.market == market and i.availability_zone == zone
            )
            pool = choose_pool(
                strategy,
                mixed.zone_pools(zone),
                market,
                running=dict(running_types),
                spot_instance_pools=distribution.spot_instance_pools,
            )
            instance_type, weight = pool.instance_type, pool.weighted_capacity
        hook = self.config.hook(LifecycleTransition.LAUNCHING)
        if running:
            state, since = LifecycleState.IN_SERVICE, now
        elif hook is not None:
            state, since = LifecycleState.PENDING_WAIT, None
        else:
            state, since = LifecycleState.PENDING, None
        return Instance(
            instance_id=f"i-{self.seed & 0xFFFF:04x}{self.launched:013x}",
            availability_zone=zone,
            launch=self.config.launch,
            launch_time=now,
            instance_type=instance_type,
            market=market,
            weighted_capacity=weight,
            lifecycle_state=state,
            protected_from_scale_in=self.config.new_instances_protected_from_scale_in,
            state_since=now,
            in_service_since=since,
            for_rebalance=for_rebalance,
        )

    def _add(self, instance: Instance) -> Fleet:
        return replace(
            self, instances=(*self.instances, instance), launched=self.launched + 1
        )

    def _launch_missing(
        self, now: int, events: list[FleetEvent], *, already_running: bool = False
    ) -> Fleet:
        fleet = self
        for _ in range(2 * MAX_FLEET_SIZE):  # each pass adds one instance
            if not (
                fleet._normal_capacity() < fleet.desired_capacity
                or fleet._on_demand_short()
            ):
                break
            zone = fleet._zone_for_launch()
            if zone is None:
                break
            instance = fleet._new_instance(zone, now, running=already_running)
            events.append(_event(now, "launch", instance, "below the desired capacity"))
            fleet = fleet._add(instance)
        return fleet

    def _on_demand_short(self) -> bool:
        """Whether the On-Demand capacity is below its share (weighted Spot can
        cover the desired capacity alone after an On-Demand instance is lost;
        the base is kept all the same)."""
        mixed = self.config.mixed_instances_policy
        if mixed is None:
            return False
        on_demand, _ = split_capacity(self.desired_capacity, mixed.distribution)
        have = sum(
            i.weighted_capacity
            for i in self.live()
            if i.market == Market.ON_DEMAND and not i.for_rebalance
        )
        return have < on_demand

    def _normal_capacity(self) -> int:
        return sum(i.weighted_capacity for i in self.live() if not i.for_rebalance)

    def _scale_in(self, now: int, events: list[FleetEvent]) -> Fleet:
        fleet = self
        abandoned = False
        while fleet._normal_capacity() > fleet.desired_capacity:
            market = fleet._market_to_terminate()
            victim, drawn = fleet._victim(now, market=market)
            if victim is None:
                break  # every remaining instance is protected from scale in
            if (
                fleet._normal_capacity() - victim.weighted_capacity
                < fleet.desired_capacity
            ):
                break  # weighted: removing it would fall below the desired capacity
            if not abandoned:
                # Scaling in abandons a rebalance: its extra launches go first.
                abandoned = True
                for extra in [i for i in fleet.live() if i.for_rebalance]:
                    why = "rebalance abandoned"
                    events.append(_event(now, "terminate", extra, why))
                    fleet = fleet._terminate(extra, now, why)
            why = "above the desired capacity" + (", drawn at random" if drawn else "")
            events.append(_event(now, "terminate", victim, why))
            fleet = fleet._terminate(victim, now, why)
            if drawn:
                fleet = replace(fleet, draws=fleet.draws + 1)
        return fleet

    def _market_to_terminate(self) -> Market | None:
        mixed = self.config.mixed_instances_policy
        if mixed is None:
            return None
        _on_demand, spot = split_capacity(self.desired_capacity, mixed.distribution)
        live = [i for i in self.live() if not i.for_rebalance]
        have_spot = sum(i.weighted_capacity for i in live if i.market == Market.SPOT)
        # Terminate the market that is over its share; Spot when both are.
        return Market.SPOT if have_spot > spot else Market.ON_DEMAND

    def _victim(
        self, now: int, *, market: Market | None = None, zone: str | None = None
    ) -> tuple[Instance | None, bool]:
        pool = [i for i in self.instances if not i.for_rebalance]
        victim, drawn = choose_victim(
            pool,
            policies=self.config.termination_policies,
            current=self.config.launch,
            mixed=self.config.mixed_instances_policy,
            now=now,
            seed=self.seed,
            draw_index=self.draws,
            market=market,
            zone=zone,
        )
        if victim is None and market is not None:
            return self._victim(now, zone=zone)
        return victim, drawn

    def _rebalance(  # noqa: PLR0912 (settle, then launch: one pass)
        self, now: int, events: list[FleetEvent]
    ) -> Fleet:
        fleet = self
        # A rebalance instance in service replaces one of the fullest zone that
        # holds an instance of its market, so the On-Demand/Spot split holds.
        for i in self.instances:
            if not (i.for_rebalance and i.lifecycle_state == LifecycleState.IN_SERVICE):
                continue
            current = next(x for x in fleet.instances if x.instance_id == i.instance_id)
            fleet = fleet._swap(current, replace(current, for_rebalance=False))
            counts = fleet.by_zone()
            holders = {
                x.availability_zone
                for x in fleet.live()
                if x.market == i.market
                and not x.protected_from_scale_in
                and not x.for_rebalance
                and x.availability_zone != i.availability_zone
            }
            if not holders:
                continue
            fullest = max(sorted(holders), key=lambda z: counts[z])
            if counts[fullest] <= counts[i.availability_zone] - 1:
                continue  # moving one more would not balance anything
            victim, drawn = fleet._victim(now, zone=fullest, market=i.market)
            if victim is not None:
                why = (
                    f"rebalancing zones: replaced by {i.instance_id} in "
                    f"{i.availability_zone}"
                )
                events.append(_event(now, "terminate", victim, why))
                fleet = fleet._terminate(victim, now, why)
                if drawn:
                    fleet = replace(fleet, draws=fleet.draws + 1)
        if any(i.for_rebalance for i in fleet.instances if i.live):
            return fleet
        if any(i.lifecycle_state != LifecycleState.IN_SERVICE for i in fleet.live()):
            return fleet  # rebalance once launches have settled
        usable = [
            z for z in fleet.config.availability_zones if z not in fleet.impaired_zones
        ]
        counts = fleet.by_zone()
        total = sum(counts[z] for z in usable)
        if not usable or total == 0:
            return fleet
        levels = sorted(counts[z] for z in usable)
        deficit = 0  # the moves from the fullest to the emptiest zone to balance
        while levels[-1] - levels[0] > 1:
            levels[-1] -= 1
            levels[0] += 1
            levels.sort()
            deficit += 1
        if not deficit:
            return fleet
        room = (
            fleet.config.max_size
            + rebalance_margin(fleet.config.max_size)
            - len(fleet.live())
        )
        for _ in range(max(0, min(deficit, room))):
            zone = fleet._zone_for_launch()
            assert zone is not None
            # Launch in the market of the instance it will replace, so the
            # On-Demand/Spot split survives the move.
            now_counts = fleet.by_zone()
            fullest = max(usable, key=lambda z: now_counts[z])
            victim, _ = fleet._victim(now, zone=fullest)
            if victim is None:
                break  # only protected instances to move: nothing to rebalance
            instance = fleet._new_instance(
                zone,
                now,
                running=False,
                for_rebalance=True,
                market=victim.market,
            )
            events.append(_event(now, "launch", instance, "rebalancing zones"))
            fleet = fleet._add(instance)
        return fleet


def _desired(config: FleetConfig, desired: object, problems: list[str]) -> None:
    if isinstance(desired, bool) or not isinstance(desired, int):
        problems.append(f"DesiredCapacity={brief(desired)} must be an integer")
    elif not config.min_size <= desired <= config.max_size:
        problems.append(
            f"DesiredCapacity={brief(desired)} is outside [MinSize, MaxSize] = "
            f"[{config.min_size}, {config.max_size}]"
        )
