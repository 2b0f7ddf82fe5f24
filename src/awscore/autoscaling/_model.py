"""Auto Scaling groups and their dynamic scaling policies, as validated values.

Sources: Amazon EC2 Auto Scaling User Guide, "Step and simple scaling policies",
"Target tracking scaling policies", "Set the default instance warmup" and the
``PutScalingPolicy`` API reference; for :class:`HpaPolicy`, the Kubernetes
documentation "Horizontal Pod Autoscaling" (algorithm details, tolerance and the
scale-down stabilization window).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from fractions import Fraction

from awscore.autoscaling._alarm import (
    Alarm,
    ComparisonOperator,
    Number,
    _is_int,
    as_fraction,
    brief,
    member,
)
from awscore.errors import AutoScalingInputError

__all__ = [
    "DEFAULT_SCALE_IN_RATIO",
    "AdjustmentType",
    "Group",
    "HpaPolicy",
    "Policy",
    "SimpleScalingPolicy",
    "StepAdjustment",
    "StepScalingPolicy",
    "TargetTrackingPolicy",
]

#: The target-tracking scale-in threshold as a fraction of the target: AWS does not
#: document it; the low alarms it creates are observed at 90% of the target value.
DEFAULT_SCALE_IN_RATIO = Fraction(9, 10)


class AdjustmentType(StrEnum):
    """How a scaling adjustment changes the desired capacity (``AdjustmentType``)."""

    CHANGE_IN_CAPACITY = "ChangeInCapacity"
    EXACT_CAPACITY = "ExactCapacity"
    PERCENT_CHANGE_IN_CAPACITY = "PercentChangeInCapacity"


#: The API's Integer fields are 32-bit (``PutScalingPolicy``: ``ScalingAdjustment``,
#: ``Cooldown``, ``MinAdjustmentMagnitude``, ``EstimatedInstanceWarmup``).
INT32_MAX = 2**31 - 1
#: The largest step bound or target value accepted: a finite double's magnitude.
_MAX_BOUND = Fraction(10) ** 308


def _int32(value: int, what: str, problems: list[str]) -> None:
    if not -(2**31) <= value <= INT32_MAX:
        problems.append(
            f"{what}={brief(value)} is out of range: must be in "
            f"[-2147483648, {INT32_MAX}] (a 32-bit integer)"
        )


def _seconds(value: object, what: str, problems: list[str], *, optional: bool) -> None:
    if value is None and optional:
        return
    if not _is_int(value) or value < 0:  # type: ignore[operator]
        problems.append(f"{what}={brief(value)} must be a whole number of seconds >= 0")
    elif value > INT32_MAX:  # type: ignore[operator]
        problems.append(
            f"{what}={brief(value)} is out of range: must be at most {INT32_MAX} "
            "seconds"
        )


def _name(value: object, kind: str, problems: list[str]) -> None:
    # PolicyName: 1 to 255 characters with no control characters but tab, CR, LF
    # (PutScalingPolicy, pattern [\u0020-\uD7FF\uE000-\uFFFD\uD800\uDC00-...\r\n\t]).
    if not isinstance(value, str) or not value:
        problems.append(f"{kind} name={brief(value)} must be a non-empty string")
    elif len(value) > 255:
        problems.append(
            f"{kind} name of {len(value)} characters is too long: at most 255"
        )
    elif any(
        (ord(c) < 0x20 and c not in "\t\r\n")
        or 0xD800 <= ord(c) <= 0xDFFF
        or c in "\ufffe\uffff"
        for c in value
    ):
        problems.append(
            f"{kind} name={brief(value)} holds a control character: only tab, CR and "
            "LF are accepted below U+0020"
        )


def _adjustment_type(
    value: object, where: str, problems: list[str]
) -> AdjustmentType | None:
    try:
        return member(AdjustmentType, value)
    except ValueError:
        problems.append(
            f"{where} adjustment_type={brief(value)} is not one of "
            f"{', '.join(a.value for a in AdjustmentType)}"
        )
        return None


def _alarm(value: object, where: str, problems: list[str]) -> None:
    if not isinstance(value, Alarm):
        problems.append(f"{where} alarm={brief(value)} is not an Alarm")


def _min_magnitude(
    value: object, adjustment_type: object, where: str, problems: list[str]
) -> None:
    if value is None:
        return
    if not _is_int(value) or not 1 <= value <= INT32_MAX:  # type: ignore[operator]
        problems.append(
            f"{where} min_adjustment_magnitude={brief(value)} must be an integer in "
            f"[1, {INT32_MAX}]"
        )
    elif adjustment_type != AdjustmentType.PERCENT_CHANGE_IN_CAPACITY:
        problems.append(
            f"{where} min_adjustment_magnitude is only valid with "
            "PercentChangeInCapacity"
        )


def _adjustment_policy(
    policy: SimpleScalingPolicy | StepScalingPolicy, problems: list[str]
) -> str:
    """Check a simple or step policy's name and adjustment type (stored as an
    :class:`AdjustmentType`); return the ``Kind 'name'`` its messages start with."""
    # the class's own name, spelled out (no type(...).__name__ in messages)
    kind = (
        "StepScalingPolicy"
        if isinstance(policy, StepScalingPolicy)
        else "SimpleScalingPolicy"
    )
    _name(policy.name, kind, problems)
    where = f"{kind} {brief(policy.name)}"
    adjustment = _adjustment_type(policy.adjustment_type, where, problems)
    if adjustment is not None:
        object.__setattr__(policy, "adjustment_type", adjustment)
    return where


def _negative_exact(where: str, adjustment: int) -> str:
    return (
        f"{where} ExactCapacity scaling_adjustment={adjustment} is negative: "
        "must be >= 0"
    )


@dataclass(frozen=True, slots=True)
class Group:
    """An Auto Scaling group's capacity limits and timers.

    ``Group(min_size, max_size, desired_capacity, default_cooldown=300,
    default_instance_warmup=None)``, positionally or by keyword.

    ``min_size <= desired_capacity <= max_size``, all >= 0. ``default_cooldown``
    (300 s unless set) applies to simple scaling; ``default_instance_warmup``
    (None: not set) is how long a new instance is kept out of the metric.

    Raises :class:`~awscore.errors.AutoScalingInputError` listing every problem.
    """

    min_size: int
    max_size: int
    desired_capacity: int
    default_cooldown: int = 300
    default_instance_warmup: int | None = None

    def __post_init__(self) -> None:
        problems: list[str] = []
        sizes = ("min_size", "max_size", "desired_capacity")
        for name in sizes:
            value = getattr(self, name)
            if not _is_int(value) or value < 0:
                problems.append(f"Group {name}={brief(value)} must be an integer >= 0")
        if all(_is_int(getattr(self, n)) for n in sizes):
            if self.min_size > self.max_size:
                problems.append(
                    f"Group min_size={self.min_size} is greater than "
                    f"max_size={self.max_size}: must be min_size <= max_size"
                )
            elif not self.min_size <= self.desired_capacity <= self.max_size:
                problems.append(
                    f"Group desired_capacity={self.desired_capacity} is outside "
                    f"[min_size, max_size] = [{self.min_size}, {self.max_size}]"
                )
        _seconds(
            self.default_cooldown, "Group default_cooldown", problems, optional=False
        )
        _seconds(
            self.default_instance_warmup,
            "Group default_instance_warmup",
            problems,
            optional=True,
        )
        if problems:
            raise AutoScalingInputError(problems)

    def clamp(self, capacity: int) -> int:
        """``capacity`` held to [min_size, max_size]."""
        if not _is_int(capacity):
            raise AutoScalingInputError(
                [f"capacity={brief(capacity)} must be a whole number of instances"]
            )
        return max(self.min_size, min(self.max_size, capacity))

    def with_desired(self, desired_capacity: int) -> Group:
        """This group with another desired capacity (clamped to the limits)."""
        return Group(
            min_size=self.min_size,
            max_size=self.max_size,
            desired_capacity=self.clamp(desired_capacity),
            default_cooldown=self.default_cooldown,
            default_instance_warmup=self.default_instance_warmup,
        )


@dataclass(frozen=True, slots=True)
class StepAdjustment:
    """One step of a step scaling policy: ``StepAdjustment(lower_bound,
    upper_bound, scaling_adjustment)``, positionally or by keyword.

    The bounds are offsets from the alarm threshold (``MetricIntervalLowerBound``,
    ``MetricIntervalUpperBound``): None is -infinity for the lower bound and
    +infinity for the upper. ``scaling_adjustment`` is read as the policy's
    adjustment type says (a count, a capacity, or a percentage).
    """

    lower_bound: Number | None
    upper_bound: Number | None
    scaling_adjustment: int

    def _problems(self, where: str) -> list[str]:
        problems: list[str] = []
        lo = hi = None
        if self.lower_bound is not None:
            lo = as_fraction(self.lower_bound, f"{where} lower_bound", problems)
        if self.upper_bound is not None:
            hi = as_fraction(self.upper_bound, f"{where} upper_bound", problems)
        if lo is not None and hi is not None and lo >= hi:
            problems.append(
                f"{where} lower_bound={brief(self.lower_bound)} is not below "
                f"upper_bound={brief(self.upper_bound)}"
            )
        if not _is_int(self.scaling_adjustment):
            problems.append(
                f"{where} scaling_adjustment={brief(self.scaling_adjustment)} must be "
                "an integer"
            )
        else:
            _int32(self.scaling_adjustment, f"{where} scaling_adjustment", problems)
        for what, bound in (("lower_bound", lo), ("upper_bound", hi)):
            if bound is not None and abs(bound) > _MAX_BOUND:
                problems.append(
                    f"{where} {what}={brief(getattr(self, what))} is out of range: "
                    "must "
                    "be within +-1e308 (a finite double)"
                )
        return problems

    def __post_init__(self) -> None:
        problems = self._problems("StepAdjustment")
        if problems:
            raise AutoScalingInputError(problems)

    def interval(self, *, above: bool) -> str:
        """The step's range as an interval: ``[10, +inf)`` above the threshold.

        Above the threshold the lower bound is inclusive and the upper exclusive;
        below it (``above=False``) the reverse, as :meth:`contains` reads them.
        """
        lo = "-inf" if self.lower_bound is None else f"{self.lower_bound}"
        hi = "+inf" if self.upper_bound is None else f"{self.upper_bound}"
        return f"[{lo}, {hi})" if above else f"({lo}, {hi}]"

    def contains(self, breach: Fraction, *, upper: bool) -> bool:
        """Whether ``breach`` (metric minus threshold) falls in this step.

        Above the threshold the lower bound is inclusive and the upper exclusive;
        below it the reverse. Exactly at the threshold, ``upper`` (a ``Greater*``
        alarm) picks the step starting at 0, a ``Less*`` alarm the one ending at 0.
        """
        problems: list[str] = []
        given: object = breach
        if isinstance(given, bool) or not isinstance(given, int | float | Fraction):
            problems.append(f"breach={brief(given)} must be a number")
        flag: object = upper
        if not isinstance(flag, bool):
            problems.append(f"upper={brief(flag)} must be true or false")
        if problems:
            raise AutoScalingInputError(problems)
        lo = None if self.lower_bound is None else Fraction(self.lower_bound)
        hi = None if self.upper_bound is None else Fraction(self.upper_bound)
        if breach > 0 or (breach == 0 and upper):
            return (lo is None or lo <= breach) and (hi is None or breach < hi)
        return (lo is None or lo < breach) and (hi is None or breach <= hi)


def _check_steps(steps: Sequence[object], where: str) -> list[str]:
    """Every problem with a policy's steps: overlaps, gaps, open ends."""
    problems: list[str] = []
    if not steps:
        return [f"{where} has no step adjustments: at least one is required"]
    for i, step in enumerate(steps):
        if not isinstance(step, StepAdjustment):
            problems.append(f"{where} step {i} is {brief(step)}, not a StepAdjustment")
    if problems:
        return problems
    return _check_ranges([s for s in steps if isinstance(s, StepAdjustment)], where)


def _check_ranges(steps: list[StepAdjustment], where: str) -> list[str]:
    problems: list[str] = []
    open_low = [i for i, s in enumerate(steps) if s.lower_bound is None]
    open_high = [i for i, s in enumerate(steps) if s.upper_bound is None]
    # The PutScalingPolicy StepAdjustment rules (API reference, "StepAdjustment"):
    # a step cannot be open at both ends, a negative lower bound needs a step with
    # a null lower bound, and a positive upper bound one with a null upper bound.
    problems += [
        f"{where} step {i} has a null MetricIntervalLowerBound and a null "
        "MetricIntervalUpperBound: at most one bound may be null"
        for i in open_low
        if i in open_high
    ]
    negative = [
        i
        for i, s in enumerate(steps)
        if s.lower_bound is not None and s.lower_bound < 0
    ]
    positive = [
        i
        for i, s in enumerate(steps)
        if s.upper_bound is not None and s.upper_bound > 0
    ]
    if negative and not open_low:
        problems.append(
            f"{where} step {negative[0]} has a negative MetricIntervalLowerBound "
            f"{steps[negative[0]].lower_bound}: then one step must have a null "
            "MetricIntervalLowerBound"
        )
    if positive and not open_high:
        problems.append(
            f"{where} step {positive[0]} has a positive MetricIntervalUpperBound "
            f"{steps[positive[0]].upper_bound}: then one step must have a null "
            "MetricIntervalUpperBound"
        )
    if problems:
        return problems
    if len(open_low) > 1:
        problems.append(
            f"{where} steps {open_low} all have a null lower bound: at most one may"
        )
    if len(open_high) > 1:
        problems.append(
            f"{where} steps {open_high} all have a null upper bound: at most one may"
        )

    def low(s: StepAdjustment) -> Fraction | None:
        return None if s.lower_bound is None else Fraction(s.lower_bound)

    def high(s: StepAdjustment) -> Fraction | None:
        return None if s.upper_bound is None else Fraction(s.upper_bound)

    ordered = sorted(
        range(len(steps)),
        key=lambda i: (
            low(steps[i]) is not None,
            low(steps[i]) or 0,
        ),
    )
    for a, b in itertools.pairwise(ordered):
        end, start = high(steps[a]), low(steps[b])
        if end is None or start is None or end > start:
            problems.append(
                f"{where} steps {a} and {b} overlap: "
                f"[{steps[a].lower_bound}, {steps[a].upper_bound}) and "
                f"[{steps[b].lower_bound}, {steps[b].upper_bound})"
            )
        elif end < start:
            problems.append(
                f"{where} steps {a} and {b} leave a gap between {steps[a].upper_bound}"
                f" and {steps[b].lower_bound}: steps must be contiguous"
            )
    return problems


@dataclass(frozen=True, slots=True, kw_only=True)
class SimpleScalingPolicy:
    """A simple scaling policy: one adjustment when its alarm fires, then a cooldown.

    ``cooldown`` (None: the group's ``default_cooldown``) starts when the scaling
    activity completes; until it ends the group answers no simple-scaling alarm.
    """

    adjustment_type: AdjustmentType
    scaling_adjustment: int
    alarm: Alarm
    cooldown: int | None = None
    min_adjustment_magnitude: int | None = None
    name: str = "simple"

    def __post_init__(self) -> None:
        problems: list[str] = []
        where = _adjustment_policy(self, problems)
        if not _is_int(self.scaling_adjustment):
            problems.append(
                f"{where} scaling_adjustment={brief(self.scaling_adjustment)} must be "
                "an integer"
            )
        elif (
            self.adjustment_type == AdjustmentType.EXACT_CAPACITY
            and self.scaling_adjustment < 0
        ):
            problems.append(_negative_exact(where, self.scaling_adjustment))
        else:
            _int32(self.scaling_adjustment, f"{where} scaling_adjustment", problems)
        _alarm(self.alarm, where, problems)
        _seconds(self.cooldown, f"{where} cooldown", problems, optional=True)
        _min_magnitude(
            self.min_adjustment_magnitude, self.adjustment_type, where, problems
        )
        if problems:
            raise AutoScalingInputError(problems)


@dataclass(frozen=True, slots=True)
class StepScalingPolicy:
    """A step scaling policy: the adjustment depends on how far the alarm breached.

    ``step_adjustments`` must not overlap or leave gaps; at most one has a null
    lower bound and one a null upper bound. ``estimated_instance_warmup`` (None:
    the group's ``default_instance_warmup``, else its ``default_cooldown``) is the
    time a new instance is counted as warming. Step scaling has no cooldown.
    ``alarm`` is keyword-only; the other fields may also be given in order
    (``adjustment_type, step_adjustments, min_adjustment_magnitude, ...``).
    """

    adjustment_type: AdjustmentType
    step_adjustments: tuple[StepAdjustment, ...]
    alarm: Alarm = field(kw_only=True)
    min_adjustment_magnitude: int | None = None
    estimated_instance_warmup: int | None = None
    name: str = "step"

    def __post_init__(self) -> None:
        problems: list[str] = []
        where = _adjustment_policy(self, problems)
        given: object = self.step_adjustments
        if isinstance(given, Sequence) and not isinstance(given, str):
            steps = tuple(given)
            object.__setattr__(self, "step_adjustments", steps)
            problems += _check_steps(steps, where)
            if self.adjustment_type == AdjustmentType.EXACT_CAPACITY:
                problems += [
                    _negative_exact(f"{where} step {i}", s.scaling_adjustment)
                    for i, s in enumerate(steps)
                    if isinstance(s, StepAdjustment) and s.scaling_adjustment < 0
                ]
        else:
            problems.append(
                f"{where} step_adjustments={brief(given)} is not a "
                "sequence of StepAdjustment"
            )
        _alarm(self.alarm, where, problems)
        _min_magnitude(
            self.min_adjustment_magnitude, self.adjustment_type, where, problems
        )
        _seconds(
            self.estimated_instance_warmup,
            f"{where} estimated_instance_warmup",
            problems,
            optional=True,
        )
        if problems:
            raise AutoScalingInputError(problems)


@dataclass(frozen=True, slots=True, kw_only=True)
class TargetTrackingPolicy:
    """A target tracking policy: keep the metric at ``target_value``.

    The capacity it wants is ``ceil(capacity * metric / target)``: scale-out rounds
    up, scale-in rounds down what it removes. It scales out when its high alarm
    fires (metric > target for ``high_datapoints`` of as many one-minute periods,
    AWS: 3 of 3) and in when its low alarm fires (metric < ``scale_in_ratio`` x
    target for ``low_datapoints`` periods, AWS: 15 of 15), unless
    ``disable_scale_in``. ``scale_in_ratio`` models AWS's undocumented scale-in
    threshold (default :data:`DEFAULT_SCALE_IN_RATIO`, 0.9).
    """

    target_value: Number
    disable_scale_in: bool = False
    scale_in_ratio: Number = DEFAULT_SCALE_IN_RATIO
    high_datapoints: int = 3
    low_datapoints: int = 15
    estimated_instance_warmup: int | None = None
    name: str = "target-tracking"
    _high: Alarm = field(init=False, repr=False, compare=False)
    _low: Alarm = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        problems: list[str] = []
        _name(self.name, "TargetTrackingPolicy", problems)
        where = f"TargetTrackingPolicy {brief(self.name)}"
        target = as_fraction(self.target_value, f"{where} target_value", problems)
        if target is not None and not 0 < target <= _MAX_BOUND:
            problems.append(
                f"{where} target_value={brief(self.target_value)} must be > 0 and a "
                "finite double"
            )
        ratio = as_fraction(self.scale_in_ratio, f"{where} scale_in_ratio", problems)
        if ratio is not None and not 0 < ratio <= 1:
            problems.append(
                f"{where} scale_in_ratio={brief(self.scale_in_ratio)} must be in (0, 1]"
            )
        flag: object = self.disable_scale_in
        if not isinstance(flag, bool):
            problems.append(
                f"{where} disable_scale_in={brief(self.disable_scale_in)} must be "
                "true or false"
            )
        for what in ("high_datapoints", "low_datapoints"):
            value = getattr(self, what)
            if not _is_int(value) or not 1 <= value <= 1440:
                # CloudWatch evaluates at most one day of one-minute datapoints.
                problems.append(
                    f"{where} {what}={brief(value)} must be an integer in [1, 1440]"
                )
        _seconds(
            self.estimated_instance_warmup,
            f"{where} estimated_instance_warmup",
            problems,
            optional=True,
        )
        if problems:
            raise AutoScalingInputError(problems)
        assert target is not None
        assert ratio is not None
        object.__setattr__(
            self,
            "_high",
            Alarm(
                name=f"{self.name}-AlarmHigh",
                threshold=target,
                comparison_operator=ComparisonOperator.GREATER_THAN_THRESHOLD,
                evaluation_periods=self.high_datapoints,
            ),
        )
        object.__setattr__(
            self,
            "_low",
            Alarm(
                name=f"{self.name}-AlarmLow",
                threshold=target * ratio,
                comparison_operator=ComparisonOperator.LESS_THAN_THRESHOLD,
                evaluation_periods=self.low_datapoints,
            ),
        )

    @property
    def high_alarm(self) -> Alarm:
        """The scale-out alarm AWS creates: metric > target, N of N one-minute."""
        return self._high

    @property
    def low_alarm(self) -> Alarm:
        """The scale-in alarm: metric < scale_in_ratio x target, N of N one-minute."""
        return self._low


@dataclass(frozen=True, slots=True, kw_only=True)
class HpaPolicy:
    """The Kubernetes Horizontal Pod Autoscaler's rule, as a policy to compare with.

    ``desired = ceil(current * metric / target)``; no change while the ratio
    ``metric / target`` is within ``tolerance`` (0.1) of 1; scale-down takes the
    highest recommendation of the last ``stabilization_window`` seconds (300).
    Unready (warming) pods count as using nothing when scaling up.
    """

    target_value: Number
    tolerance: Number = Fraction(1, 10)
    stabilization_window: int = 300
    name: str = "hpa"

    def __post_init__(self) -> None:
        problems: list[str] = []
        _name(self.name, "HpaPolicy", problems)
        where = f"HpaPolicy {brief(self.name)}"
        target = as_fraction(self.target_value, f"{where} target_value", problems)
        if target is not None and target <= 0:
            problems.append(
                f"{where} target_value={brief(self.target_value)} must be > 0"
            )
        tolerance = as_fraction(self.tolerance, f"{where} tolerance", problems)
        if tolerance is not None and not 0 <= tolerance < 1:
            problems.append(
                f"{where} tolerance={brief(self.tolerance)} must be in [0, 1)"
            )
        _seconds(
            self.stabilization_window,
            f"{where} stabilization_window",
            problems,
            optional=False,
        )
        if problems:
            raise AutoScalingInputError(problems)


#: Any policy :func:`~awscore.autoscaling.evaluate` accepts.
Policy = SimpleScalingPolicy | StepScalingPolicy | TargetTrackingPolicy | HpaPolicy
