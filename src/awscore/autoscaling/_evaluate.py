"""One scaling decision: every policy's answer to a metric, and the one that wins.

Sources: Amazon EC2 Auto Scaling User Guide, "Step and simple scaling policies"
(adjustment types, rounding, MinAdjustmentMagnitude, step bounds, instance warmup,
"multiple dynamic scaling policies"), "Target tracking scaling policies" and
"Scaling cooldowns"; Kubernetes "Horizontal Pod Autoscaling" for the HPA.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from types import MappingProxyType

from awscore.autoscaling._alarm import AlarmState, Number, as_fraction, brief, member
from awscore.autoscaling._model import (
    AdjustmentType,
    Group,
    HpaPolicy,
    Policy,
    SimpleScalingPolicy,
    StepAdjustment,
    StepScalingPolicy,
    TargetTrackingPolicy,
)
from awscore.errors import AutoScalingInputError

__all__ = [
    "Decision",
    "PolicyOutcome",
    "ScalingState",
    "apply_adjustment",
    "evaluate",
    "percent_adjustment",
]

_EMPTY: Mapping[str, AlarmState] = MappingProxyType({})


def percent_adjustment(
    capacity: int, percent: int, min_adjustment_magnitude: int | None = None
) -> int:
    """The instances a ``PercentChangeInCapacity`` of ``percent`` adds (or removes).

    AWS rounds the exact value ``capacity * percent / 100``: above 1 down, between
    0 and 1 to 1, between -1 and 0 to -1, below -1 up (-6.67 to -6): truncation
    toward zero with a magnitude of at least 1. ``min_adjustment_magnitude`` then
    raises the magnitude to at least its value (25% of 4 with 2: +2). A capacity of
    0 gives 0, whatever the percentage.
    """
    problems: list[str] = []
    for what, value in (("capacity", capacity), ("percent", percent)):
        if isinstance(value, bool) or not isinstance(value, int):
            problems.append(f"{what}={brief(value)} must be an integer")
    if min_adjustment_magnitude is not None and (
        isinstance(min_adjustment_magnitude, bool)
        or not isinstance(min_adjustment_magnitude, int)
    ):
        problems.append(
            f"min_adjustment_magnitude={brief(min_adjustment_magnitude)} must be an "
            "integer or None"
        )
    if problems:
        raise AutoScalingInputError(problems)
    exact = Fraction(capacity * percent, 100)
    if exact == 0:
        return 0
    sign = 1 if exact > 0 else -1
    magnitude = max(1, math.floor(abs(exact)))
    if min_adjustment_magnitude is not None:
        magnitude = max(magnitude, min_adjustment_magnitude)
    return sign * magnitude


def apply_adjustment(
    adjustment_type: AdjustmentType,
    scaling_adjustment: int,
    capacity: int,
    min_adjustment_magnitude: int | None = None,
) -> int:
    """The capacity an adjustment asks for, from ``capacity``, before clamping."""
    try:
        kind = member(AdjustmentType, adjustment_type)
    except ValueError:
        raise AutoScalingInputError(
            [
                f"adjustment_type={brief(adjustment_type)} is not one of "
                + ", ".join(a.value for a in AdjustmentType)
            ]
        ) from None
    for what, value in (
        ("scaling_adjustment", scaling_adjustment),
        ("capacity", capacity),
    ):
        if isinstance(value, bool) or not isinstance(value, int):
            raise AutoScalingInputError([f"{what}={brief(value)} must be an integer"])
    match kind:
        case AdjustmentType.EXACT_CAPACITY:
            return scaling_adjustment
        case AdjustmentType.CHANGE_IN_CAPACITY:
            return capacity + scaling_adjustment
        case _:
            return capacity + percent_adjustment(
                capacity, scaling_adjustment, min_adjustment_magnitude
            )


@dataclass(frozen=True, slots=True, kw_only=True)
class ScalingState:
    """What a group remembers between decisions (all optional).

    * ``warming_capacity``: launched instances not yet counted in the metric
      (pending or warming up). Step and target-tracking scale-out count from the
      capacity without them; their scale-in waits until they are ready.
    * ``simple_cooldown_until``: simple scaling answers no alarm before this time;
      ``simple_activity_in_progress``: a simple scaling activity has not completed.
    * ``alarm_states``: the state of each policy's alarm, by alarm name (a step or
      simple policy's ``alarm.name``; a target-tracking policy's ``high_alarm`` and
      ``low_alarm`` names). An alarm not listed is judged on the metric alone, as
      if its last N datapoints all had that value.
    * ``hpa_history``: ``(time, recommendation)`` of earlier HPA evaluations, for
      the scale-down stabilization window, keyed by policy name.
    """

    warming_capacity: int = 0
    simple_cooldown_until: Number | None = None
    simple_activity_in_progress: bool = False
    alarm_states: Mapping[str, AlarmState] = field(default_factory=lambda: _EMPTY)
    hpa_history: Mapping[str, tuple[tuple[Number, int], ...]] = field(
        default_factory=lambda: MappingProxyType({})
    )

    def __post_init__(self) -> None:
        problems: list[str] = []
        warming: object = self.warming_capacity
        if not isinstance(warming, int) or isinstance(warming, bool) or warming < 0:
            problems.append(
                f"ScalingState warming_capacity={brief(warming)} must be an "
                "integer >= 0"
            )
        if self.simple_cooldown_until is not None:
            as_fraction(
                self.simple_cooldown_until,
                "ScalingState simple_cooldown_until",
                problems,
            )
        flag: object = self.simple_activity_in_progress
        if not isinstance(flag, bool):
            problems.append(
                f"ScalingState simple_activity_in_progress={brief(flag)} must be "
                "true or false"
            )
        alarms = _alarm_states(self.alarm_states, problems)
        history = _hpa_history(self.hpa_history, problems)
        if problems:
            raise AutoScalingInputError(problems)
        object.__setattr__(self, "alarm_states", alarms)
        object.__setattr__(self, "hpa_history", history)


def _alarm_states(given: object, problems: list[str]) -> Mapping[str, AlarmState]:
    if not isinstance(given, Mapping):
        problems.append(f"ScalingState alarm_states={brief(given)} must be a mapping")
        return _EMPTY
    states: dict[str, AlarmState] = {}
    for name, state in given.items():
        try:
            states[str(name)] = member(AlarmState, state)
        except ValueError:
            problems.append(
                f"ScalingState alarm_states[{brief(name)}]={brief(state)} is not "
                "one of "
                f"{', '.join(a.value for a in AlarmState)}"
            )
    return MappingProxyType(states)


def _hpa_history(
    given: object, problems: list[str]
) -> Mapping[str, tuple[tuple[Number, int], ...]]:
    accepted = "must be a sequence of (time, recommendation) pairs"
    if not isinstance(given, Mapping):
        problems.append(f"ScalingState hpa_history={brief(given)} must be a mapping")
        return MappingProxyType({})
    history: dict[str, tuple[tuple[Number, int], ...]] = {}
    for name, entries in given.items():
        where = f"ScalingState hpa_history[{brief(name)}]"
        if not isinstance(entries, Sequence) or isinstance(entries, str):
            problems.append(f"{where}={brief(entries)} {accepted}")
            continue
        kept: list[tuple[Number, int]] = []
        for entry in entries:
            ok = isinstance(entry, Sequence) and len(entry) == 2
            if ok:
                time, count = entry
                ok = as_fraction(time, f"{where} time", problems) is not None
                ok = ok and isinstance(count, int) and not isinstance(count, bool)
            if not ok:
                problems.append(f"{where} entry {brief(entry)} {accepted}")
                break
            kept.append((time, count))
        history[str(name)] = tuple(kept)
    return MappingProxyType(history)


@dataclass(frozen=True, slots=True, kw_only=True)
class PolicyOutcome:
    """One policy's answer: the capacity it asks for (None: no action) and why.

    ``recommendation`` is an HPA's raw, unstabilized recommendation (None for AWS
    policies), which a caller keeps in :attr:`ScalingState.hpa_history`.
    ``step_interval`` is the matched ``step`` as the bounds applied to this breach
    (:meth:`StepAdjustment.interval`), e.g. ``[10, +inf)``.
    """

    policy: str
    desired_capacity: int | None
    reason: str
    step: StepAdjustment | None = None
    step_interval: str | None = None
    recommendation: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Decision:
    """The group's new desired capacity, the policy that set it, and why.

    ``policy`` and ``step`` (with ``step_interval``, the step as the bounds
    applied, e.g. ``[10, +inf)``) are None when nothing acted; ``outcomes`` has
    every policy's own answer, in the order given.
    """

    desired_capacity: int
    previous_capacity: int
    policy: str | None
    step: StepAdjustment | None
    reason: str
    outcomes: tuple[PolicyOutcome, ...]
    step_interval: str | None = None

    @property
    def adjustment(self) -> int:
        """The change in desired capacity (negative for scale-in)."""
        return self.desired_capacity - self.previous_capacity

    @property
    def direction(self) -> str:
        """``"out"``, ``"in"`` or ``"none"``."""
        if self.adjustment > 0:
            return "out"
        return "in" if self.adjustment < 0 else "none"


def _firing(name: str, fallback: bool, alarms: Mapping[str, AlarmState]) -> bool:
    state = alarms.get(name)
    if state is None:
        return fallback
    return state == AlarmState.ALARM


def _show(value: Fraction) -> str:
    if value.denominator == 1:
        return str(value.numerator)
    return f"{float(value):.4g}"


def _clamped(group: Group, wanted: int) -> tuple[int, str]:
    capacity = group.clamp(wanted)
    if capacity > wanted:
        return capacity, f", raised to MinSize {group.min_size}"
    if capacity < wanted:
        return capacity, f", held at MaxSize {group.max_size}"
    return capacity, ""


def _adjusted(
    group: Group,
    policy: SimpleScalingPolicy | StepScalingPolicy,
    scaling_adjustment: int,
    base: int,
) -> tuple[int, str]:
    """The clamped capacity an adjustment gives from ``base``, and how."""
    wanted = apply_adjustment(
        policy.adjustment_type,
        scaling_adjustment,
        base,
        policy.min_adjustment_magnitude,
    )
    match policy.adjustment_type:
        case AdjustmentType.EXACT_CAPACITY:
            how = f"ExactCapacity {scaling_adjustment}"
        case AdjustmentType.CHANGE_IN_CAPACITY:
            how = f"ChangeInCapacity {scaling_adjustment:+d} from {base}"
        case _:
            exact = Fraction(base * scaling_adjustment, 100)
            rounded = percent_adjustment(base, scaling_adjustment)
            how = f"{scaling_adjustment:+d}% of {base} = {_show(exact)}"
            if rounded != exact:
                how += f", rounded to {rounded:+d}"
            if wanted - base != rounded:
                how += (
                    f", raised to {wanted - base:+d} by MinAdjustmentMagnitude "
                    f"{policy.min_adjustment_magnitude}"
                )
    capacity, note = _clamped(group, wanted)
    return capacity, how + note


def _simple(
    group: Group,
    policy: SimpleScalingPolicy,
    metric: Fraction,
    now: Fraction,
    state: ScalingState,
) -> PolicyOutcome:
    name = policy.name
    if not _firing(
        policy.alarm.name, policy.alarm.breaches(metric), state.alarm_states
    ):
        return PolicyOutcome(policy=name, desired_capacity=None, reason="alarm is OK")
    if state.simple_activity_in_progress:
        return PolicyOutcome(
            policy=name,
            desired_capacity=None,
            reason="alarm fired, but a simple scaling activity is still in progress",
        )
    until = state.simple_cooldown_until
    if until is not None and now < Fraction(until):
        return PolicyOutcome(
            policy=name,
            desired_capacity=None,
            reason="alarm fired, but the cooldown runs until "
            f"t={_show(Fraction(until))}",
        )
    capacity, how = _adjusted(
        group, policy, policy.scaling_adjustment, group.desired_capacity
    )
    return PolicyOutcome(
        policy=name,
        desired_capacity=capacity,
        reason=f"alarm {brief(policy.alarm.name)} fired: {how}",
    )


def _step(
    group: Group,
    policy: StepScalingPolicy,
    metric: Fraction,
    state: ScalingState,
) -> PolicyOutcome:
    name = policy.name
    alarm = policy.alarm
    if not _firing(alarm.name, alarm.breaches(metric), state.alarm_states):
        return PolicyOutcome(policy=name, desired_capacity=None, reason="alarm is OK")
    breach = metric - Fraction(alarm.threshold)
    upper = alarm.comparison_operator.is_upper
    step = next(
        (s for s in policy.step_adjustments if s.contains(breach, upper=upper)), None
    )
    where = f"metric {_show(metric)} is {_show(breach)} from threshold " + _show(
        Fraction(alarm.threshold)
    )
    if step is None:
        return PolicyOutcome(
            policy=name,
            desired_capacity=None,
            reason=f"alarm fired, but {where}, in no step",
        )
    interval = step.interval(above=breach > 0 or (breach == 0 and upper))
    capacity, why = _step_capacity(group, policy, step, state)
    return PolicyOutcome(
        policy=name,
        desired_capacity=capacity,
        reason=f"{where}, in step {interval}: {why}",
        step=step,
        step_interval=interval,
    )


def _step_capacity(
    group: Group,
    policy: StepScalingPolicy,
    step: StepAdjustment,
    state: ScalingState,
) -> tuple[int | None, str]:
    """The capacity a matched step asks for (None: nothing), and why."""
    current = group.desired_capacity
    warming = min(state.warming_capacity, current)
    if policy.adjustment_type == AdjustmentType.EXACT_CAPACITY:
        return _adjusted(group, policy, step.scaling_adjustment, current)
    if step.scaling_adjustment == 0:
        return None, "its adjustment is 0"
    if step.scaling_adjustment > 0:
        # While instances warm up the group counts from the capacity without them:
        # a repeat breach in the same step adds nothing, a higher step the rest.
        capacity, how = _adjusted(
            group, policy, step.scaling_adjustment, current - warming
        )
        if warming and capacity <= current:
            return None, f"{how}, but {warming} warming instance(s) already cover it"
        return capacity, how
    if warming:
        return None, f"scale-in waits for {warming} warming instance(s)"
    return _adjusted(group, policy, step.scaling_adjustment, current)


def _target(
    group: Group,
    policy: TargetTrackingPolicy,
    metric: Fraction,
    state: ScalingState,
) -> PolicyOutcome:
    target = Fraction(policy.target_value)
    low_threshold = Fraction(policy.low_alarm.threshold)
    alarms = state.alarm_states
    high = _firing(policy.high_alarm.name, metric > target, alarms)
    low = _firing(policy.low_alarm.name, metric < low_threshold, alarms)
    seen = f"metric {_show(metric)} against target {_show(target)}"
    if high:
        capacity, why = _target_out(group, metric, target, state)
    elif low:
        capacity, why = _target_in(group, policy, metric, target, state)
    else:
        capacity, why = (
            None,
            (
                f"between the scale-in threshold {_show(low_threshold)} and the "
                "target, no change"
            ),
        )
    return PolicyOutcome(
        policy=policy.name, desired_capacity=capacity, reason=f"{seen}: {why}"
    )


def _target_out(
    group: Group, metric: Fraction, target: Fraction, state: ScalingState
) -> tuple[int | None, str]:
    current = group.desired_capacity
    ready = current - min(state.warming_capacity, current)
    wanted = math.ceil(ready * metric / target)
    capacity, note = _clamped(group, wanted)
    how = f"ceil({ready} x {_show(metric)} / {_show(target)}) = {wanted}{note}"
    if capacity <= current:
        return None, f"{how}, no more than the {current} already wanted"
    return capacity, how


def _target_in(
    group: Group,
    policy: TargetTrackingPolicy,
    metric: Fraction,
    target: Fraction,
    state: ScalingState,
) -> tuple[int | None, str]:
    current = group.desired_capacity
    warming = min(state.warming_capacity, current)
    if policy.disable_scale_in:
        return None, "below the scale-in threshold, but scale-in is disabled"
    if warming:
        return None, (
            "below the scale-in threshold, but scale-in waits for "
            f"{warming} warming instance(s)"
        )
    # ceil keeps metric x current / new <= target: removing never overshoots it.
    wanted = math.ceil(current * metric / target)
    capacity, note = _clamped(group, wanted)
    how = f"ceil({current} x {_show(metric)} / {_show(target)}) = {wanted}{note}"
    if capacity >= current:
        return None, f"{how}: nothing to remove"
    return capacity, how


def _hpa(
    group: Group,
    policy: HpaPolicy,
    metric: Fraction,
    now: Fraction,
    state: ScalingState,
) -> PolicyOutcome:
    name = policy.name
    target = Fraction(policy.target_value)
    tolerance = Fraction(policy.tolerance)
    current = group.desired_capacity
    warming = min(state.warming_capacity, current)
    ratio = metric / target
    seen = f"ratio {_show(metric)}/{_show(target)} = {_show(ratio)}"
    if ratio > 1 and warming:
        # Unready pods count as using nothing when scaling up.
        ratio = metric * (current - warming) / (current * target)
        seen += f" ({_show(ratio)} with {warming} unready pod(s) at 0)"
    if abs(ratio - 1) <= tolerance:
        raw, why = current, f"{seen}: within tolerance {_show(tolerance)}"
    else:
        raw = math.ceil(current * ratio)
        why = f"{seen}: ceil({current} x {_show(ratio)}) = {raw}"
    raw = group.clamp(raw)
    window = Fraction(policy.stabilization_window)
    recent = [
        r
        for t, r in state.hpa_history.get(name, ())
        if now - window < Fraction(t) <= now
    ]
    down = max([raw, *recent])
    if raw > current:
        capacity = raw
    elif down < current:
        capacity = down
        if down != raw:
            why += (
                f"; stabilized to {down}, the highest recommendation of the last "
                f"{policy.stabilization_window} s"
            )
    else:
        capacity = current
        if raw < current:
            why += (
                f"; held at {current} by the {policy.stabilization_window} s "
                "stabilization window"
            )
    return PolicyOutcome(
        policy=name,
        desired_capacity=capacity if capacity != current else None,
        reason=why,
        recommendation=raw,
    )


def _check(
    group: object,
    policies: object,
    metric: object,
    now: object,
    state: object,
) -> tuple[Fraction, Fraction]:
    problems: list[str] = []
    if not isinstance(group, Group):
        problems.append(f"group={brief(group)} is not a Group")
    names: set[str] = set()
    if not isinstance(policies, Sequence) or isinstance(policies, str):
        problems.append(f"policies={brief(policies)} is not a sequence of policies")
    else:
        for i, policy in enumerate(policies):
            if not isinstance(
                policy,
                SimpleScalingPolicy
                | StepScalingPolicy
                | TargetTrackingPolicy
                | HpaPolicy,
            ):
                problems.append(
                    f"policies[{i}]={brief(policy)} is not a scaling policy"
                )
            elif policy.name in names:
                problems.append(
                    f"policies[{i}] repeats the name {brief(policy.name)}: names must "
                    "be unique"
                )
            else:
                names.add(policy.name)
    value = as_fraction(metric, "metric", problems)
    when = as_fraction(now, "now", problems)
    if not isinstance(state, ScalingState):
        problems.append(f"state={brief(state)} is not a ScalingState")
    if problems:
        raise AutoScalingInputError(problems)
    assert value is not None
    assert when is not None
    return value, when


def evaluate(
    group: Group,
    policies: Sequence[Policy],
    metric: Number,
    now: Number,
    *,
    state: ScalingState | None = None,
) -> Decision:
    """What ``group`` does when ``policies`` see ``metric`` at time ``now``.

    ``metric`` is the value the policies' alarms report (the aggregated metric,
    e.g. average CPU %). ``now`` is in seconds on any clock the caller chooses,
    compared only with the times in ``state``. Each policy answers on its own
    (see :class:`PolicyOutcome`); then, as AWS does when several policies fire at
    once, the answer giving the largest capacity wins, for scale-out and for
    scale-in alike. Target-tracking policies scale out if any of them wants to and
    scale in only if all of them do. Every capacity is clamped to [MinSize,
    MaxSize].

    Raises :class:`~awscore.errors.AutoScalingInputError` listing every problem
    with the arguments (a metric that is not finite, repeated policy names, ...).
    """
    state = ScalingState() if state is None else state
    value, when = _check(group, policies, metric, now, state)
    outcomes: list[PolicyOutcome] = []
    for policy in policies:
        match policy:
            case SimpleScalingPolicy():
                outcome = _simple(group, policy, value, when, state)
            case StepScalingPolicy():
                outcome = _step(group, policy, value, state)
            case TargetTrackingPolicy():
                outcome = _target(group, policy, value, state)
            case _:
                outcome = _hpa(group, policy, value, when, state)
        outcomes.append(outcome)
    current = group.desired_capacity
    tracking = [
        (p, o)
        for p, o in zip(policies, outcomes, strict=True)
        if isinstance(p, TargetTrackingPolicy)
    ]
    # "Scale in only if all of the target tracking policies (with the scale-in
    # portion enabled) are ready to scale in" (User Guide, "Multiple dynamic
    # scaling policies"): a policy with DisableScaleIn does not vote.
    voters = [o for p, o in tracking if not p.disable_scale_in]
    all_in = bool(voters) and all(
        o.desired_capacity is not None and o.desired_capacity < current for o in voters
    )
    candidates: list[PolicyOutcome] = []
    vetoed: list[str] = []
    for policy, outcome in zip(policies, outcomes, strict=True):
        wanted = outcome.desired_capacity
        if wanted is None:
            continue
        if isinstance(policy, TargetTrackingPolicy) and wanted < current and not all_in:
            vetoed.append(policy.name)
            continue
        candidates.append(outcome)
    if not candidates:
        why = "; ".join(f"{o.policy}: {o.reason}" for o in outcomes)
        if vetoed:
            why += "; target tracking scales in only when every tracking policy does"
        return Decision(
            desired_capacity=current,
            previous_capacity=current,
            policy=None,
            step=None,
            reason=f"no change: {why}" if why else "no change: no policies",
            outcomes=tuple(outcomes),
        )
    best = max(candidates, key=lambda o: o.desired_capacity or 0)
    assert best.desired_capacity is not None
    reason = f"{best.policy}: {best.reason}"
    if len(candidates) > 1:
        others = ", ".join(
            f"{o.policy} {o.desired_capacity}" for o in candidates if o is not best
        )
        reason += f" (largest capacity wins over {others})"
    return Decision(
        desired_capacity=best.desired_capacity,
        previous_capacity=current,
        policy=best.policy,
        step=best.step,
        reason=reason,
        outcomes=tuple(outcomes),
        step_interval=best.step_interval,
    )
