"""A discrete-time run of a group and its policies over a load trace.

Demand is in metric units summed over the group (e.g. 400 "CPU %" is four fully
busy instances); the per-instance metric is demand / in-service capacity. New
instances are *pending* for ``launch_delay`` seconds, then *warming* for
``warmup`` seconds (they serve nothing and are not in the metric, as AWS excludes
warming instances from the aggregated metric), then in service. Every
``decision_interval`` seconds each alarm with a period ending then gets a
datapoint (the mean of the samples of its period), the alarms are evaluated
(:func:`~awscore.autoscaling.evaluate_alarm`), and :func:`evaluate` decides.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from fractions import Fraction
from types import MappingProxyType

from awscore.autoscaling._alarm import (
    Alarm,
    AlarmState,
    Number,
    as_fraction,
    brief,
    evaluate_alarm,
)
from awscore.autoscaling._evaluate import ScalingState, evaluate
from awscore.autoscaling._fleet import Fleet, FleetConfig, FleetEvent
from awscore.autoscaling._health import HealthStatus, LifecycleState
from awscore.autoscaling._instance import Instance
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
from awscore.errors import AutoScalingInputError

__all__ = [
    "MAX_DEMAND",
    "MAX_STEPS",
    "Activity",
    "Timeline",
    "TimelinePoint",
    "ZoneEvent",
    "simulate",
    "spiky_load",
]

#: The most steps one simulation (or load pattern) may have: a week of 1 s steps.
MAX_STEPS = 7 * 24 * 3600
#: The largest demand value a load may hold (summed metric units).
MAX_DEMAND = 10**12


@dataclass(frozen=True, slots=True, kw_only=True)
class ZoneEvent:
    """At ``time``, ``zone`` goes down (``outage=True``) or comes back."""

    time: int
    zone: str
    outage: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class Activity:
    """A scaling activity: when, which policy, from and to which capacity, why."""

    time: float
    policy: str
    from_capacity: int
    to_capacity: int
    reason: str
    step: StepAdjustment | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class TimelinePoint:
    """The group during one step: demand, metric (None: nothing in service), counts."""

    time: float
    demand: float
    metric: float | None
    desired: int
    in_service: int
    warming: int
    pending: int
    zones: tuple[tuple[str, int], ...] = ()
    markets: tuple[tuple[str, int], ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Timeline:
    """What :func:`simulate` returns: one point per step, and the activities."""

    points: tuple[TimelinePoint, ...]
    activities: tuple[Activity, ...]
    step: int
    fleet_events: tuple[FleetEvent, ...] = ()

    @property
    def instance_hours(self) -> float:
        """Instance-hours paid for: every launched instance, pending ones included."""
        total = sum(p.in_service + p.warming + p.pending for p in self.points)
        return total * self.step / 3600

    def seconds_above(self, level: float) -> int:
        """Seconds during which the per-instance metric was above ``level`` (or
        nothing was in service while there was demand)."""
        given: object = level
        if isinstance(given, bool) or not isinstance(given, int | float | Fraction):
            raise AutoScalingInputError([f"level={brief(given)} must be a number"])
        return self.step * sum(
            1
            for p in self.points
            if (p.metric is None and p.demand > 0)
            or (p.metric is not None and p.metric > level)
        )

    def as_dict(self) -> dict[str, object]:
        """The timeline as plain JSON-ready data."""
        return {
            "step": self.step,
            "points": [
                {
                    "time": p.time,
                    "demand": p.demand,
                    "metric": p.metric,
                    "desired": p.desired,
                    "in_service": p.in_service,
                    "warming": p.warming,
                    "pending": p.pending,
                    **(
                        {"zones": dict(p.zones), "markets": dict(p.markets)}
                        if p.zones
                        else {}
                    ),
                }
                for p in self.points
            ],
            "activities": [
                {
                    "time": a.time,
                    "policy": a.policy,
                    "from": a.from_capacity,
                    "to": a.to_capacity,
                    "reason": a.reason,
                }
                for a in self.activities
            ],
        }


def spiky_load(
    *,
    duration: int,
    step: int,
    base: float,
    spikes: Sequence[tuple[float, float, float]] = (),
) -> list[float]:
    """A load trace: ``base`` demand plus rectangular spikes.

    Each spike is ``(start, length, extra)`` in seconds and demand units. Returns
    one demand value per step, ``duration // step`` of them (at most
    :data:`MAX_STEPS`; every value at most :data:`MAX_DEMAND`). Raises
    :class:`~awscore.errors.AutoScalingInputError` naming each bad argument.
    """
    problems: list[str] = []
    _whole(step, "step", 1, problems)
    _whole(duration, "duration", 1, problems)
    if not problems and duration // step > MAX_STEPS:
        problems.append(
            f"duration={brief(duration)} at step={step} is "
            f"{brief(duration // step)} steps: at "
            f"most {MAX_STEPS}"
        )
    level = _demand(base, "base", problems)
    parsed: list[tuple[float, float, float]] = []
    given: object = spikes
    if isinstance(given, str) or not isinstance(given, Sequence):
        problems.append("spikes must be a sequence of (start, length, extra) tuples")
    elif len(given) > 10_000:
        problems.append(f"{len(given)} spikes: at most 10000")
    else:
        for i, spike in enumerate(given):
            if not isinstance(spike, Sequence) or len(spike) != 3:
                problems.append(
                    f"spikes[{i}]={brief(spike)} must be a (start, length, extra) "
                    "triple"
                )
                continue
            values = [
                _demand(v, f"spikes[{i}] {what}", problems)
                for v, what in zip(spike, ("start", "length", "extra"), strict=True)
            ]
            if None not in values:
                parsed.append((values[0], values[1], values[2]))  # type: ignore[arg-type]
    if problems or level is None:
        raise AutoScalingInputError(problems)
    out = []
    for k in range(duration // step):
        t = k * step
        extra = sum(e for s, length, e in parsed if s <= t < s + length)
        out.append(min(float(MAX_DEMAND), float(level + extra)))
    return out


def _demand(value: object, what: str, problems: list[str]) -> float | None:
    """A finite number in [0, MAX_DEMAND] as a float, or None with a problem."""
    if type(value) is float and 0 <= value <= MAX_DEMAND:
        return value  # the common case, without an exact conversion
    exact = as_fraction(value, what, problems)
    if exact is None:
        return None
    if not 0 <= exact <= MAX_DEMAND:
        problems.append(
            f"{what}={brief(value)} is out of range: must be in [0, 10**12]"
        )
        return None
    return float(exact)


def _policy_alarms(policy: Policy) -> list[Alarm]:
    match policy:
        case SimpleScalingPolicy() | StepScalingPolicy():
            return [policy.alarm]
        case TargetTrackingPolicy():
            return [policy.high_alarm, policy.low_alarm]
        case _:
            return []


@dataclass(frozen=True, slots=True, kw_only=True)
class _Settings:
    step: int
    launch_delay: int
    warmup: int | None
    decision_interval: int
    start: int


def _whole(value: object, what: str, minimum: int, problems: list[str]) -> bool:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        problems.append(f"{what}={brief(value)} must be an integer >= {minimum}")
        return False
    return True


def _check_settings(settings: _Settings, policies: object) -> list[str]:
    problems: list[str] = []
    step = settings.step
    steps_ok = _whole(step, "step", 1, problems)
    _whole(settings.launch_delay, "launch_delay", 0, problems)
    _whole(settings.start, "start", -(2**62), problems)
    if settings.warmup is not None:
        _whole(settings.warmup, "warmup", 0, problems)
    interval = settings.decision_interval
    interval_ok = _whole(interval, "decision_interval", 1, problems)
    if interval_ok and steps_ok and interval % step:
        problems.append(
            f"decision_interval={brief(interval)} is not a multiple of "
            f"step={brief(step)}"
        )
    if not isinstance(policies, Sequence) or isinstance(policies, str):
        problems.append(f"policies={brief(policies)} is not a sequence of policies")
    elif steps_ok:
        problems += [
            f"alarm {brief(alarm.name)} period={alarm.period} is not a multiple of "
            f"step={step}"
            for policy in policies
            if isinstance(policy, Policy)
            for alarm in _policy_alarms(policy)
            if alarm.period % step
        ]
    return problems


def _check_load(load: object, problems: list[str]) -> list[float]:
    demand: list[float] = []
    if not isinstance(load, Sequence) or isinstance(load, str) or not load:
        problems.append(f"load={brief(load)} must be a non-empty sequence of numbers")
        return demand
    if len(load) > MAX_STEPS:
        problems.append(f"load has {len(load)} values: at most {MAX_STEPS} steps")
        return demand
    for i, value in enumerate(load):
        level = _demand(value, f"load[{i}]", problems)
        if level is not None:
            demand.append(level)
    return demand


def _check_extras(
    fleet: object,
    zone_events: object,
    scheduled_actions: object,
    seed: object,
    problems: list[str],
) -> None:
    if fleet is not None and not isinstance(fleet, FleetConfig):
        problems.append(f"fleet={brief(fleet)} is not a FleetConfig")
    for what, value, kind, label in (
        ("zone_events", zone_events, ZoneEvent, "zone event"),
        ("scheduled_actions", scheduled_actions, ScheduledAction, "scheduled action"),
    ):
        if isinstance(value, str) or not isinstance(value, Sequence):
            problems.append(f"{what} must be a sequence of {label} values")
        elif len(value) > 10_000:
            problems.append(f"{what} has {len(value)} entries: at most 10000")
        elif not all(isinstance(v, kind) for v in value):
            problems.append(f"{what} must hold only {label} values")
    if isinstance(zone_events, Sequence) and zone_events:
        if not isinstance(fleet, FleetConfig):
            problems.append("zone_events need a fleet to act on")
        else:
            problems += [
                f"zone event zone {brief(e.zone)} is not one of the fleet's zones"
                for e in zone_events
                if isinstance(e, ZoneEvent) and e.zone not in fleet.availability_zones
            ]
    if isinstance(seed, bool) or not isinstance(seed, int) or abs(seed) > 2**63:
        problems.append(f"seed={brief(seed)} must be an integer within +-2**63")


def _check_instances(instances: object, fleet: object, problems: list[str]) -> None:
    if isinstance(instances, str) or not isinstance(instances, Sequence):
        problems.append("instances must be a sequence of Instance values")
    elif instances and not isinstance(fleet, FleetConfig):
        problems.append("instances need a fleet to belong to")
    elif not all(isinstance(i, Instance) for i in instances):
        problems.append("instances must hold only Instance values")


def simulate(
    group: Group,
    policies: Sequence[Policy],
    load: Sequence[Number],
    *,
    step: int = 10,
    launch_delay: int = 60,
    warmup: int | None = None,
    decision_interval: int = 60,
    start: int = 0,
    fleet: FleetConfig | None = None,
    zone_events: Sequence[ZoneEvent] = (),
    scheduled_actions: Sequence[ScheduledAction] = (),
    seed: int = 0,
    instances: Sequence[Instance] = (),
) -> Timeline:
    """Run ``group`` with ``policies`` over ``load`` (one demand value per step).

    ``warmup`` defaults to the group's ``default_instance_warmup``, else its
    ``default_cooldown`` (the documented fallback of ``EstimatedInstanceWarmup``).
    Every ``decision_interval`` seconds (default 60, CloudWatch's one-minute
    datapoints) alarms get their datapoints and policies are evaluated; the HPA
    is evaluated at the same instants (Kubernetes' default sync period is 15 s).
    A simple scaling activity completes when the instances it launched are in
    service (at once for scale-in), and its cooldown starts then. Without a
    ``fleet``, scale-in removes the newest instances first (pending, then
    warming, then in service).

    With a ``fleet`` (:class:`FleetConfig`) the instances are a
    :class:`~awscore.autoscaling.Fleet`: placed across zones, terminated by the
    termination policies (random draws from ``seed``), lost in the
    ``zone_events`` outages and replaced, and every point lists them by zone and
    market; ``instances`` (say, read from ``describe-auto-scaling-groups``) are
    the fleet to start from instead of a fresh one. ``scheduled_actions`` set
    min, max and desired at their runs (``start`` is then a Unix time in
    seconds).

    Deterministic: the same inputs give the same timeline. Raises
    :class:`~awscore.errors.AutoScalingInputError` listing every problem.
    """
    settings = _Settings(
        step=step,
        launch_delay=launch_delay,
        warmup=warmup,
        decision_interval=decision_interval,
        start=start,
    )
    problems = _check_settings(settings, policies)
    given: object = group
    if not isinstance(given, Group):
        problems.append(f"group={brief(given)} is not a Group")
    demand = _check_load(load, problems)
    _check_extras(fleet, zone_events, scheduled_actions, seed, problems)
    _check_instances(instances, fleet, problems)
    if problems:
        raise AutoScalingInputError(problems)
    evaluate(group, policies, 0, 0)  # validates the policies once, up front
    run = _Run(group, policies, settings)
    if fleet is not None:
        config = replace(
            fleet,
            min_size=min(group.min_size, fleet.min_size),
            max_size=max(group.max_size, fleet.max_size),
            launch_delay=settings.launch_delay,
        )
        try:
            if instances:
                ready = start - run.warm
                run.fleet = Fleet(
                    config=config,
                    desired_capacity=group.desired_capacity,
                    seed=seed,
                    launched=len(instances),
                    instances=tuple(
                        replace(
                            i,
                            launch_time=min(i.launch_time, ready),
                            in_service_since=ready,
                        )
                        if i.lifecycle_state == LifecycleState.IN_SERVICE
                        else i
                        for i in instances
                    ),
                )
            else:
                run.fleet = Fleet.start(
                    config, group.desired_capacity, now=start - run.warm, seed=seed
                )
        except AutoScalingInputError as error:
            raise AutoScalingInputError(error.problems) from None
        run.zone_events = sorted(zone_events, key=lambda e: e.time)
    run.schedule = _schedule_runs(scheduled_actions, start, len(demand) * step)
    return run.run(demand)


def _schedule_runs(
    actions: Sequence[ScheduledAction], start: int, span: int
) -> list[tuple[int, ScheduledAction]]:
    """Every run of the actions in the simulated window, as (time, action)."""
    if not actions:
        return []
    low = dt.datetime.fromtimestamp(start, dt.UTC) - dt.timedelta(seconds=1)
    high = dt.datetime.fromtimestamp(start + span, dt.UTC)
    runs = [
        (math.floor(when.timestamp()), action)
        for action in actions
        for when in action.runs(low, high)
    ]
    return sorted(runs, key=lambda r: r[0])


class _Run:
    """The mutable state of one simulation."""

    def __init__(
        self, group: Group, policies: Sequence[Policy], settings: _Settings
    ) -> None:
        self.policies = policies
        self.settings = settings
        self.step = settings.step
        self.delay = settings.launch_delay
        if settings.warmup is not None:
            self.warm = settings.warmup
        elif group.default_instance_warmup is not None:
            self.warm = group.default_instance_warmup
        else:
            self.warm = group.default_cooldown
        self.group = group
        # [launch time, count], oldest first; the starting capacity is in service.
        start = settings.start
        self.batches = [[start - self.delay - self.warm, group.desired_capacity]]
        self.fleet: Fleet | None = None
        self.zone_events: list[ZoneEvent] = []
        self.schedule: list[tuple[int, ScheduledAction]] = []
        self.fleet_events: list[FleetEvent] = []
        self.alarms = [a for p in policies for a in _policy_alarms(p)]
        self.history: dict[str, list[float | None]] = {a.name: [] for a in self.alarms}
        self.states = {a.name: AlarmState.INSUFFICIENT_DATA for a in self.alarms}
        self.windows = {
            p.name: p.stabilization_window for p in policies if isinstance(p, HpaPolicy)
        }
        self.hpa: dict[str, list[tuple[Number, int]]] = {n: [] for n in self.windows}
        self.activity_end: int | None = None
        self.cooldown_until: int | None = None
        self.samples: list[float | None] = []
        self.activities: list[Activity] = []

    def run(self, demand: list[float]) -> Timeline:
        points = []
        per_interval = self.settings.decision_interval // self.step
        for k, need in enumerate(demand):
            t = self.settings.start + k * self.step
            self._scheduled(t)
            if k and k % per_interval == 0:
                self._alarms(k)
                recent = [
                    s for s in self.samples[k - per_interval : k] if s is not None
                ]
                if recent:
                    self._decide(t, Fraction(sum(recent) / len(recent)))
            pending, warming, in_service = self._counts(t)
            metric = need / in_service if in_service else None
            self.samples.append(metric)
            zones: tuple[tuple[str, int], ...] = ()
            markets: tuple[tuple[str, int], ...] = ()
            if self.fleet is not None:
                zones = tuple(self.fleet.by_zone().items())
                markets = tuple((m.value, n) for m, n in self.fleet.by_market().items())
            points.append(
                TimelinePoint(
                    time=t,
                    demand=need,
                    metric=metric,
                    desired=self.group.desired_capacity,
                    in_service=in_service,
                    warming=warming,
                    pending=pending,
                    zones=zones,
                    markets=markets,
                )
            )
        return Timeline(
            points=tuple(points),
            activities=tuple(self.activities),
            step=self.step,
            fleet_events=tuple(self.fleet_events),
        )

    def _scheduled(self, t: int) -> None:
        """Apply the scheduled actions due by ``t``, then move the fleet on."""
        while self.schedule and self.schedule[0][0] <= t:
            _, action = self.schedule.pop(0)
            lo = self.group.min_size if action.min_size is None else action.min_size
            hi = self.group.max_size if action.max_size is None else action.max_size
            want = self.group.desired_capacity
            if action.desired_capacity is not None:
                want = action.desired_capacity
            lo, hi = min(lo, hi), max(lo, hi)
            new = Group(
                min_size=lo,
                max_size=hi,
                desired_capacity=max(lo, min(hi, want)),
                default_cooldown=self.group.default_cooldown,
                default_instance_warmup=self.group.default_instance_warmup,
            )
            self.activities.append(
                Activity(
                    time=t,
                    policy=action.name,
                    from_capacity=self.group.desired_capacity,
                    to_capacity=new.desired_capacity,
                    reason=f"scheduled action {brief(action.name)}: min {lo}, max {hi}",
                )
            )
            self._resize(t, new.desired_capacity)
            self.group = new
        if self.fleet is None:
            return
        while self.zone_events and self.zone_events[0].time <= t:
            event = self.zone_events.pop(0)
            self.fleet = (
                self.fleet.zone_outage(event.zone)
                if event.outage
                else self.fleet.zone_recovery(event.zone)
            )
        moved = self.fleet.step(t)
        self.fleet = moved.fleet
        self.fleet_events.extend(moved.events)

    def _counts(self, t: int) -> tuple[int, int, int]:
        """(pending, warming, in service) at ``t``."""
        if self.fleet is None:
            pending = sum(n for at, n in self.batches if t < at + self.delay)
            warming = sum(
                n
                for at, n in self.batches
                if at + self.delay <= t < at + self.delay + self.warm
            )
            return pending, warming, self.group.desired_capacity - pending - warming
        pending = warming = in_service = 0
        for i in self.fleet.instances:
            if i.lifecycle_state in (
                LifecycleState.PENDING,
                LifecycleState.PENDING_WAIT,
            ):
                pending += i.weighted_capacity
            elif (
                i.lifecycle_state == LifecycleState.IN_SERVICE
                and i.health_status == HealthStatus.HEALTHY
            ):
                since = i.in_service_since
                if since is not None and t < since + self.warm:
                    warming += i.weighted_capacity
                else:
                    in_service += i.weighted_capacity
        return pending, warming, in_service

    def _not_ready(self, since: int) -> int:
        if self.fleet is None:
            return sum(
                n for at, n in self.batches if since < at + self.delay + self.warm
            )
        return sum(
            i.weighted_capacity
            for i in self.fleet.live()
            if i.in_service_since is None or since < i.in_service_since + self.warm
        )

    def _resize(self, t: int, new: int) -> None:
        old = self.group.desired_capacity
        if self.fleet is not None:
            config = self.fleet.config
            if not config.min_size <= new <= config.max_size:
                config = replace(
                    config,
                    min_size=min(config.min_size, new),
                    max_size=max(config.max_size, new),
                )
                self.fleet = replace(self.fleet, config=config)
            self.fleet = self.fleet.with_desired(new)
        elif new > old:
            self.batches.append([t, new - old])
        elif new < old:
            _terminate(self.batches, old - new)

    def _alarms(self, k: int) -> None:
        """Give every alarm whose period ends now its datapoint, and evaluate it."""
        for alarm in self.alarms:
            span = alarm.period // self.step
            if k % span == 0:
                window = [s for s in self.samples[k - span : k] if s is not None]
                series = self.history[alarm.name]
                series.append(sum(window) / len(window) if window else None)
                del series[: -alarm.evaluation_periods]
                self.states[alarm.name] = evaluate_alarm(
                    alarm, series, previous=self.states[alarm.name]
                )

    def _decide(self, t: int, metric: Fraction) -> None:
        # Instances that were not in service for the whole last interval did not
        # produce the metric being acted on: they count as not ready yet.
        since = t - self.settings.decision_interval
        state = ScalingState(
            warming_capacity=self._not_ready(since),
            simple_cooldown_until=self.cooldown_until,
            simple_activity_in_progress=self.activity_end is not None
            and t < self.activity_end,
            alarm_states=MappingProxyType(dict(self.states)),
            hpa_history=MappingProxyType({n: tuple(h) for n, h in self.hpa.items()}),
        )
        decision = evaluate(self.group, self.policies, metric, t, state=state)
        for outcome in decision.outcomes:
            if outcome.recommendation is not None:
                kept = self.hpa[outcome.policy]
                kept.append((t, outcome.recommendation))
                horizon = t - self.windows[outcome.policy]
                kept[:] = [(w, r) for w, r in kept if w > horizon]
        new, old = decision.desired_capacity, self.group.desired_capacity
        if new == old:
            return
        assert decision.policy is not None
        self.activities.append(
            Activity(
                time=t,
                policy=decision.policy,
                from_capacity=old,
                to_capacity=new,
                reason=decision.reason,
                step=decision.step,
            )
        )
        self._resize(t, new)
        chosen = next(p for p in self.policies if p.name == decision.policy)
        if isinstance(chosen, SimpleScalingPolicy):
            self.activity_end = t + self.delay if new > old else t
            cooldown = chosen.cooldown
            if cooldown is None:
                cooldown = self.group.default_cooldown
            self.cooldown_until = self.activity_end + cooldown
        self.group = self.group.with_desired(new)


def _terminate(batches: list[list[int]], count: int) -> None:
    """Remove ``count`` instances, newest first."""
    while count:
        launched, n = batches[-1]
        taken = min(n, count)
        count -= taken
        if taken == n:
            batches.pop()
        else:
            batches[-1] = [launched, n - taken]
