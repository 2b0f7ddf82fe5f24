"""CloudWatch metric alarms: M out of N datapoints, comparison operators, missing data.

A reusable model of how a CloudWatch alarm turns a series of datapoints (one per
``Period``) into a state, as Amazon CloudWatch User Guide, "Using Amazon CloudWatch
alarms" (evaluating an alarm; configuring how alarms treat missing data) describes:
the alarm looks at the last ``EvaluationPeriods`` datapoints and goes to ``ALARM``
when at least ``DatapointsToAlarm`` of them breach the threshold.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction
from typing import TypeVar

from awscore.errors import AutoScalingInputError

__all__ = [
    "Alarm",
    "AlarmState",
    "ComparisonOperator",
    "TreatMissingData",
    "as_fraction",
    "evaluate_alarm",
]

Number = int | float | Fraction
#: The largest magnitude a double (a CloudWatch value) holds.
_MAX_DOUBLE = Fraction(2) ** 1024
_MAX_DOUBLE_INT = 2**1024


def json_kind(value: object) -> str:
    """What a document value is, in JSON's words (no Python type names)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, int | float | Fraction):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list | tuple):
        return "an array"
    return "an object" if isinstance(value, dict) else "a value of another kind"


E = TypeVar("E", bound=StrEnum)


def member(kind: type[E], value: object) -> E:
    """``kind(value)`` for text only, else ValueError.

    An Enum lookup of a value that is not one of its members builds its error
    from ``repr(value)``, which a hostile value (nesting thousands deep, a
    5,000-digit integer) makes raise RecursionError or ValueError of its own;
    a value that is not text is no member of a StrEnum anyway.
    """
    if isinstance(value, kind):
        return value
    if not isinstance(value, str):
        raise ValueError("not text")
    return kind(value)


def brief(value: object) -> str:
    """``value`` as an error message shows it: its ``repr``, but a huge number,
    a long text or a big container by its size (a 5,000-digit integer cannot
    even be turned into text by Python), so no message is ever unbounded."""
    if (
        isinstance(value, int)
        and not isinstance(value, bool)
        and value.bit_length() > 128
    ):
        return f"<an integer of about {int(value.bit_length() * 0.30103) + 1} digits>"
    if (
        isinstance(value, Fraction)
        and max(value.numerator.bit_length(), value.denominator.bit_length()) > 128
    ):
        return "<a fraction too large to show>"
    if isinstance(value, str | bytes) and len(value) > 120:
        return f"{value[:60]!r}... ({len(value)} characters)"
    if isinstance(value, list | tuple | dict | set | frozenset) and len(value) > 20:
        return f"<a collection of {len(value)} entries>"
    try:
        text = repr(value)
    except (ValueError, RecursionError):
        return "<a value too large to show>"
    return text if len(text) <= 200 else text[:120] + "..."


class ComparisonOperator(StrEnum):
    """CloudWatch's threshold comparisons (PutMetricAlarm ``ComparisonOperator``)."""

    GREATER_THAN_OR_EQUAL_TO_THRESHOLD = "GreaterThanOrEqualToThreshold"
    GREATER_THAN_THRESHOLD = "GreaterThanThreshold"
    LESS_THAN_THRESHOLD = "LessThanThreshold"
    LESS_THAN_OR_EQUAL_TO_THRESHOLD = "LessThanOrEqualToThreshold"

    @property
    def is_upper(self) -> bool:
        """True for the ``Greater*`` operators: the alarm watches for high values."""
        return self.value.startswith("Greater")


class TreatMissingData(StrEnum):
    """How an alarm treats a missing datapoint (PutMetricAlarm ``TreatMissingData``)."""

    MISSING = "missing"
    IGNORE = "ignore"
    BREACHING = "breaching"
    NOT_BREACHING = "notBreaching"


class AlarmState(StrEnum):
    """The three states of a CloudWatch alarm (``StateValue``)."""

    OK = "OK"
    ALARM = "ALARM"
    INSUFFICIENT_DATA = "INSUFFICIENT_DATA"


def as_fraction(value: object, what: str, problems: list[str]) -> Fraction | None:
    """``value`` as an exact Fraction, or None after appending why it is not one.

    Accepts int, float and Fraction (not bool); a float converts exactly, so 0.1
    is the binary double nearest 1/10, which is what AWS's float64 metrics hold.
    """
    if isinstance(value, bool) or not isinstance(value, int | float | Fraction):
        problems.append(
            f"{what}={brief(value)} is not a number: must be a finite number"
        )
        return None
    if isinstance(value, float):
        if not math.isfinite(value):
            problems.append(
                f"{what}={brief(value)} is not finite: must be a finite number"
            )
            return None
        return Fraction(value)  # a finite double is always in range
    exact = Fraction(value)
    too_big = (
        abs(value) > _MAX_DOUBLE_INT
        if isinstance(value, int)
        else abs(exact) > _MAX_DOUBLE
    )
    if too_big:
        problems.append(
            f"{what}={brief(value)} is out of range: CloudWatch values are doubles, "
            "at most about 1.8e308 in magnitude"
        )
        return None
    return exact


@dataclass(frozen=True, slots=True, kw_only=True)
class Alarm:
    """A CloudWatch metric alarm on one metric.

    ``threshold`` and ``comparison_operator`` decide whether one datapoint
    *breaches*; the alarm is in ``ALARM`` when at least ``datapoints_to_alarm``
    (default: ``evaluation_periods``) of the last ``evaluation_periods`` datapoints
    breach. ``period`` is the length in seconds of one datapoint (10, 30 or a
    multiple of 60, as CloudWatch accepts). ``treat_missing_data`` says what a
    missing datapoint counts as (see :func:`evaluate_alarm`).

    Raises :class:`~awscore.errors.AutoScalingInputError` listing every problem.
    """

    threshold: Number
    comparison_operator: ComparisonOperator = (
        ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD
    )
    period: int = 60
    evaluation_periods: int = 1
    datapoints_to_alarm: int | None = None
    treat_missing_data: TreatMissingData = TreatMissingData.MISSING
    name: str = "alarm"

    def __post_init__(self) -> None:
        problems: list[str] = []
        where = f"Alarm {brief(self.name)}"
        as_fraction(self.threshold, f"{where} threshold", problems)
        try:
            object.__setattr__(
                self,
                "comparison_operator",
                member(ComparisonOperator, self.comparison_operator),
            )
        except ValueError:
            problems.append(
                f"{where} comparison_operator={brief(self.comparison_operator)} is not "
                f"one of {', '.join(o.value for o in ComparisonOperator)}"
            )
        try:
            object.__setattr__(
                self,
                "treat_missing_data",
                member(TreatMissingData, self.treat_missing_data),
            )
        except ValueError:
            problems.append(
                f"{where} treat_missing_data={brief(self.treat_missing_data)} is "
                "not one "
                f"of {', '.join(t.value for t in TreatMissingData)}"
            )
        if not _is_int(self.period) or not (
            self.period in (10, 30) or (self.period > 0 and self.period % 60 == 0)
        ):
            problems.append(
                f"{where} period={brief(self.period)} must be 10, 30 or a positive "
                "multiple of 60 seconds"
            )
        if not _is_int(self.evaluation_periods) or self.evaluation_periods < 1:
            problems.append(
                f"{where} evaluation_periods={brief(self.evaluation_periods)} must be "
                "an integer >= 1"
            )
        m = self.datapoints_to_alarm
        if m is not None and (
            not _is_int(m)
            or m < 1
            or (_is_int(self.evaluation_periods) and m > self.evaluation_periods)
        ):
            problems.append(
                f"{where} datapoints_to_alarm={brief(m)} must be an integer in "
                f"1..evaluation_periods ({brief(self.evaluation_periods)})"
            )
        if problems:
            raise AutoScalingInputError(problems)

    @property
    def required(self) -> int:
        """M: how many breaching datapoints put the alarm in ALARM."""
        if self.datapoints_to_alarm is None:
            return self.evaluation_periods
        return self.datapoints_to_alarm

    def breaches(self, value: Number) -> bool:
        """Whether one datapoint ``value`` breaches the threshold.

        Python compares int, float and Fraction with each other exactly, so
        neither side is converted (this runs for every datapoint of every alarm).
        """
        v, t = value, self.threshold
        if isinstance(v, bool) or not isinstance(v, int | float | Fraction):
            raise AutoScalingInputError(
                [f"datapoint value={brief(v)} is not a number: {json_kind(v)}"]
            )
        match self.comparison_operator:
            case ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD:
                return v >= t
            case ComparisonOperator.GREATER_THAN_THRESHOLD:
                return v > t
            case ComparisonOperator.LESS_THAN_THRESHOLD:
                return v < t
            case _:
                return v <= t


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def evaluate_alarm(
    alarm: Alarm,
    datapoints: Sequence[Number | None],
    *,
    previous: AlarmState = AlarmState.INSUFFICIENT_DATA,
) -> AlarmState:
    """The state of ``alarm`` after seeing ``datapoints`` (oldest first).

    Only the last ``evaluation_periods`` datapoints count; fewer than that are
    padded with missing datapoints at the old end. ``None`` is a missing
    datapoint, which counts as ``treat_missing_data`` says:

    * ``breaching`` / ``notBreaching``: as a breaching / good datapoint;
    * ``missing`` (the default): not at all; if every datapoint is missing the
      alarm goes to ``INSUFFICIENT_DATA``, else it is ``ALARM`` when at least M of
      the present datapoints breach and ``OK`` otherwise;
    * ``ignore``: not at all, and the alarm keeps ``previous`` unless the present
      datapoints decide: M breaching (``ALARM``) or too many good ones for M to be
      reached even if every missing one breached (``OK``).

    CloudWatch may also look further back than N periods when data is late;
    awscore evaluates exactly the last N (the documented window).

    Raises :class:`~awscore.errors.AutoScalingInputError` for a datapoint that is
    not a finite number or None.
    """
    if not isinstance(alarm, Alarm):
        raise AutoScalingInputError([f"alarm={brief(alarm)} is not an Alarm"])
    if isinstance(datapoints, str | bytes) or not isinstance(datapoints, Sequence):
        raise AutoScalingInputError(
            [f"datapoints={brief(datapoints)} must be a sequence of numbers or None"]
        )
    try:
        previous = member(AlarmState, previous)
    except ValueError:
        raise AutoScalingInputError(
            [f"previous={brief(previous)} is not one of OK, ALARM, INSUFFICIENT_DATA"]
        ) from None
    n = alarm.evaluation_periods
    window = list(datapoints)[-n:]
    problems: list[str] = []
    values: list[Fraction | None] = []
    for i, point in enumerate(window):
        if point is None:
            values.append(None)
        elif type(point) is float and math.isfinite(point):
            values.append(Fraction(point))  # the common case, named only on error
        else:
            values.append(
                as_fraction(point, f"Alarm {brief(alarm.name)} datapoint {i}", problems)
            )
    if problems:
        raise AutoScalingInputError(problems)
    m = alarm.required
    present = [v for v in values if v is not None]
    missing = n - len(present)  # a short series is padded with missing ones
    breaching = sum(1 for v in present if alarm.breaches(v))
    treat = alarm.treat_missing_data
    if treat == TreatMissingData.BREACHING:
        breaching += missing
    if breaching >= m:
        return AlarmState.ALARM
    if treat == TreatMissingData.IGNORE and breaching + missing >= m:
        return previous  # the missing datapoints could still have decided
    if treat == TreatMissingData.MISSING and not present:
        return AlarmState.INSUFFICIENT_DATA
    return AlarmState.OK
