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

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from types import MappingProxyType

from awscore.autoscaling._alarm import (
    Alarm,
    AlarmState,
    Number,
    as_fraction,
    evaluate_alarm,
)
from awscore.autoscaling._evaluate import ScalingState, evaluate
from awscore.autoscaling._model import (
    Group,
    HpaPolicy,
    Policy,
    SimpleScalingPolicy,
    StepAdjustment,
    StepScalingPolicy,
    TargetTrackingPolicy,
)
from awscore.errors import AutoScalingInputError

__all__ = ["Activity", "Timeline", "TimelinePoint", "simulate", "spiky_load"]


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


@dataclass(frozen=True, slots=True, kw_only=True)
class Timeline:
    """What :func:`simulate` returns: one point per step, and the activities."""

    points: tuple[TimelinePoint, ...]
    activities: tuple[Activity, ...]
    step: int

    @property
    def instance_hours(self) -> float:
        """Instance-hours paid for: every launched instance, pending ones included."""
        total = sum(p.in_service + p.warming + p.pending for p in self.points)
        return total * self.step / 3600

    def seconds_above(self, level: float) -> int:
        """Seconds during which the per-instance metric was above ``level`` (or
        nothing was in service while there was demand)."""
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
    one demand value per step, ``duration // step`` of them.
    """
    out = []
    for k in range(duration // step):
        t = k * step
        extra = sum(e for s, length, e in spikes if s <= t < s + length)
        out.append(float(base + extra))
    return out


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
        problems.append(f"{what}={value!r} must be an integer >= {minimum}")
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
            f"decision_interval={interval} is not a multiple of step={step}"
        )
    if not isinstance(policies, Sequence) or isinstance(policies, str):
        problems.append(f"policies={policies!r} is not a sequence of policies")
    elif steps_ok:
        problems += [
            f"alarm {alarm.name!r} period={alarm.period} is not a multiple of "
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
        problems.append(f"load={load!r} must be a non-empty sequence of numbers")
        return demand
    for i, value in enumerate(load):
        exact = as_fraction(value, f"load[{i}]", problems)
        if exact is not None and exact < 0:
            problems.append(f"load[{i}]={value!r} is negative: must be >= 0")
        elif exact is not None:
            demand.append(float(exact))
    return demand


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
) -> Timeline:
    """Run ``group`` with ``policies`` over ``load`` (one demand value per step).

    ``warmup`` defaults to the group's ``default_instance_warmup``, else its
    ``default_cooldown`` (the documented fallback of ``EstimatedInstanceWarmup``).
    Every ``decision_interval`` seconds (default 60, CloudWatch's one-minute
    datapoints) alarms get their datapoints and policies are evaluated; the HPA
    is evaluated at the same instants (Kubernetes' default sync period is 15 s).
    A simple scaling activity completes when the instances it launched are in
    service (at once for scale-in), and its cooldown starts then. Scale-in
    removes the newest instances first (pending, then warming, then in service).

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
        problems.append(f"group={given!r} is not a Group")
    demand = _check_load(load, problems)
    if problems:
        raise AutoScalingInputError(problems)
    evaluate(group, policies, 0, 0)  # validates the policies once, up front
    return _Run(group, policies, settings).run(demand)


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
            if k and k % per_interval == 0:
                self._alarms(k)
                recent = [
                    s for s in self.samples[k - per_interval : k] if s is not None
                ]
                if recent:
                    self._decide(t, Fraction(sum(recent) / len(recent)))
            pending = sum(n for at, n in self.batches if t < at + self.delay)
            warming = sum(
                n
                for at, n in self.batches
                if at + self.delay <= t < at + self.delay + self.warm
            )
            in_service = self.group.desired_capacity - pending - warming
            metric = need / in_service if in_service else None
            self.samples.append(metric)
            points.append(
                TimelinePoint(
                    time=t,
                    demand=need,
                    metric=metric,
                    desired=self.group.desired_capacity,
                    in_service=in_service,
                    warming=warming,
                    pending=pending,
                )
            )
        return Timeline(
            points=tuple(points), activities=tuple(self.activities), step=self.step
        )

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
        not_ready = sum(
            n for at, n in self.batches if since < at + self.delay + self.warm
        )
        state = ScalingState(
            warming_capacity=not_ready,
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
        if new > old:
            self.batches.append([t, new - old])
        else:
            _terminate(self.batches, old - new)
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
