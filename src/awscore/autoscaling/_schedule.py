"""Scheduled actions: one-time and recurring (cron) changes of min, max and desired.

Sources: Amazon EC2 Auto Scaling User Guide, "Scheduled scaling for Amazon EC2
Auto Scaling" (recurring schedules in Unix cron format, UTC unless a time zone is
given, "the action automatically adjusts for DST"); API reference
``PutScheduledUpdateGroupAction`` (field lengths, StartTime with Recurrence:
"performs the action at this time, and then performs the action based on the
specified recurrence").

Where AWS is silent, awscore chooses and says so: a local time skipped by a DST
change runs at the same wall-clock offset after the gap (02:30 on a spring-forward
night runs at 03:30), a local time repeated by a DST change runs once, at its
first occurrence; a cron whose day-of-month and day-of-week are both restricted
matches either (Vixie cron's rule).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from awscore.autoscaling._alarm import brief
from awscore.errors import AutoScalingInputError

__all__ = ["MAX_SCHEDULE_RUNS", "Cron", "ScheduledAction", "parse_cron"]

#: At most this many runs are listed by one :meth:`ScheduledAction.runs` call.
MAX_SCHEDULE_RUNS = 100_000
#: How far ahead a cron is searched for its next run (a Feb-29-and-Monday cron
#: can wait 28 years).
_SEARCH_DAYS = 366 * 29

_MONTHS = [
    "JAN",
    "FEB",
    "MAR",
    "APR",
    "MAY",
    "JUN",
    "JUL",
    "AUG",
    "SEP",
    "OCT",
    "NOV",
    "DEC",
]
_DAYS = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"]
_UTC = dt.UTC


@dataclass(frozen=True, slots=True)
class Cron:
    """A parsed five-field cron expression: the values each field matches."""

    minutes: frozenset[int]
    hours: frozenset[int]
    days: frozenset[int]
    months: frozenset[int]
    weekdays: frozenset[int]  # 0 = Sunday
    any_day: bool
    any_weekday: bool

    def matches_date(self, day: dt.date) -> bool:
        """Whether the cron runs on ``day`` (local date)."""
        given: object = day
        if not isinstance(given, dt.date):
            raise AutoScalingInputError([f"day={brief(given)} must be a date"])
        if day.month not in self.months:
            return False
        dom = day.day in self.days
        dow = (day.isoweekday() % 7) in self.weekdays
        if self.any_day and self.any_weekday:
            return True
        if self.any_day:
            return dow
        if self.any_weekday:
            return dom
        return dom or dow


def _field(
    text: str, low: int, high: int, names: list[str] | None, what: str
) -> set[int]:
    values: set[int] = set()

    def number(token: str) -> int:
        upper = token.upper()
        if names is not None and upper in names:
            return names.index(upper) + (low if what == "month" else 0)
        if not token.isascii() or not token.isdigit() or len(token) > 2:
            raise ValueError(f"{what} {brief(token)} is not a number or name")
        value = int(token)
        if what == "day-of-week" and value == 7:
            return 0  # 7 is Sunday too
        if not low <= value <= high:
            raise ValueError(f"{what} {value} is outside {low}-{high}")
        return value

    for part in text.split(","):
        body, _, step_text = part.partition("/")
        step = 1
        if step_text:
            if not step_text.isascii() or not step_text.isdigit() or len(step_text) > 2:
                raise ValueError(f"{what} step {brief(step_text)} is not a number")
            step = int(step_text)
            if step == 0:
                raise ValueError(f"{what} step 0 is not allowed")
        if body == "*":
            start, end = low, high
        elif "-" in body:
            a, _, b = body.partition("-")
            start, end = number(a), number(b)
            if what == "day-of-week" and end == 0 and b == "7":
                end = 7
            if start > end:
                raise ValueError(f"{what} range {brief(body)} runs backwards")
        else:
            start = number(body)
            end = high if step_text else start
        values.update(
            v % 7 if what == "day-of-week" else v for v in range(start, end + 1, step)
        )
    return values


def parse_cron(expression: str) -> Cron:
    """Parse a Unix cron expression, ``minute hour day-of-month month day-of-week``.

    Each field takes ``*``, numbers, ranges ``a-b``, lists ``a,b`` and steps
    ``*/n`` or ``a-b/n``; month and day-of-week also take names (``JAN``,
    ``MON``). Raises :class:`~awscore.errors.AutoScalingInputError` naming the
    field that is wrong.
    """
    if not isinstance(expression, str) or not 1 <= len(expression) <= 255:
        raise AutoScalingInputError(
            [
                f"Recurrence={brief(expression)} must be a cron expression of "
                "1..255 characters"
            ]
        )
    parts = expression.split()
    if len(parts) != 5:
        raise AutoScalingInputError(
            [
                f"Recurrence {brief(expression)} has {len(parts)} fields: a cron "
                "expression has 5 (minute hour day-of-month month day-of-week)"
            ]
        )
    specs = (
        (0, 59, None, "minute"),
        (0, 23, None, "hour"),
        (1, 31, None, "day-of-month"),
        (1, 12, _MONTHS, "month"),
        (0, 6, _DAYS, "day-of-week"),
    )
    try:
        fields = [
            _field(text, low, high, names, what)
            for text, (low, high, names, what) in zip(parts, specs, strict=True)
        ]
    except ValueError as error:
        raise AutoScalingInputError(
            [f"Recurrence {brief(expression)}: {error}"]
        ) from None
    return Cron(
        minutes=frozenset(fields[0]),
        hours=frozenset(fields[1]),
        days=frozenset(fields[2]),
        months=frozenset(fields[3]),
        weekdays=frozenset(fields[4]),
        any_day=parts[2] == "*",
        any_weekday=parts[4] == "*",
    )


def _utc(value: object, what: str, problems: list[str]) -> dt.datetime | None:
    if value is None:
        return None
    if not isinstance(value, dt.datetime) or value.tzinfo is None:
        problems.append(f"{what}={brief(value)} must be a timezone-aware date and time")
        return None
    return value.astimezone(_UTC)


@dataclass(frozen=True, slots=True, kw_only=True)
class ScheduledAction:
    """``PutScheduledUpdateGroupAction``: at ``start_time`` and/or on
    ``recurrence`` (cron, in ``time_zone``, UTC by default), set the sizes given.

    Raises :class:`~awscore.errors.AutoScalingInputError` naming every bad field:
    a name of 1..255 characters, at least one size, MinSize <= MaxSize and the
    desired capacity between them when given, an IANA time zone, EndTime after
    StartTime, and a StartTime for a one-time action.
    """

    name: str
    start_time: dt.datetime | None = None
    end_time: dt.datetime | None = None
    recurrence: str | None = None
    min_size: int | None = None
    max_size: int | None = None
    desired_capacity: int | None = None
    time_zone: str | None = None
    _cron: Cron | None = field(init=False, repr=False, compare=False, default=None)
    _zone: dt.tzinfo = field(init=False, repr=False, compare=False, default=_UTC)

    def __post_init__(self) -> None:  # noqa: PLR0912 (one check per field)
        problems: list[str] = []
        name: object = self.name
        if (
            not isinstance(name, str)
            or not 1 <= len(name) <= 255
            or any(ord(c) < 0x20 and c not in "\t\r\n" for c in name)
        ):
            problems.append(
                f"ScheduledActionName={brief(name)} must be 1..255 characters without "
                "control characters"
            )
        where = f"scheduled action {brief(name)}"
        start = _utc(self.start_time, f"{where} StartTime", problems)
        end = _utc(self.end_time, f"{where} EndTime", problems)
        object.__setattr__(self, "start_time", start)
        object.__setattr__(self, "end_time", end)
        sizes = {}
        for what, label in (
            ("min_size", "MinSize"),
            ("max_size", "MaxSize"),
            ("desired_capacity", "DesiredCapacity"),
        ):
            value = getattr(self, what)
            if value is None:
                continue
            if (
                isinstance(value, bool)
                or not isinstance(value, int)
                or not 0 <= value <= 2**31 - 1
            ):
                problems.append(
                    f"{where} {label}={brief(value)} must be an integer in [0, "
                    "2147483647]"
                )
            else:
                sizes[label] = value
        if all(
            getattr(self, w) is None
            for w in ("min_size", "max_size", "desired_capacity")
        ):
            problems.append(
                f"{where} sets none of MinSize, MaxSize and DesiredCapacity: give "
                "at least one"
            )
        lo, hi, want = (
            sizes.get("MinSize"),
            sizes.get("MaxSize"),
            sizes.get("DesiredCapacity"),
        )
        if lo is not None and hi is not None and lo > hi:
            problems.append(f"{where} MinSize={lo} is above MaxSize={hi}")
        elif want is not None and (
            (lo is not None and want < lo) or (hi is not None and want > hi)
        ):
            problems.append(
                f"{where} DesiredCapacity={want} is outside the MinSize/MaxSize it sets"
            )
        if start is not None and end is not None and end <= start:
            problems.append(
                f"{where} EndTime {end:%Y-%m-%dT%H:%M:%SZ} is not after StartTime"
            )
        if self.recurrence is None:
            if start is None:
                problems.append(
                    f"{where} has neither Recurrence nor StartTime: give one"
                )
            if self.time_zone is not None:
                problems.append(f"{where} TimeZone applies only with a Recurrence")
        else:
            try:
                object.__setattr__(self, "_cron", parse_cron(self.recurrence))
            except AutoScalingInputError as error:
                problems.extend(f"{where} {p}" for p in error.problems)
        if self.time_zone is not None:
            zone: object = self.time_zone
            try:
                if not isinstance(zone, str) or not 1 <= len(zone) <= 255:
                    raise ValueError(zone)
                object.__setattr__(self, "_zone", ZoneInfo(zone))
            except (ValueError, ZoneInfoNotFoundError):
                problems.append(
                    f"{where} TimeZone={brief(zone)} is not an IANA time zone name "
                    "(such as America/New_York or Etc/GMT+9)"
                )
        if problems:
            raise AutoScalingInputError(problems)

    def runs(self, after: dt.datetime, until: dt.datetime) -> list[dt.datetime]:
        """The UTC instants in ``(after, until]`` at which the action runs.

        Raises :class:`~awscore.errors.AutoScalingInputError` for naive datetimes
        or a window holding more than :data:`MAX_SCHEDULE_RUNS` runs.
        """
        problems: list[str] = []
        low = _utc(after, "after", problems)
        high = _utc(until, "until", problems)
        if problems or low is None or high is None:
            raise AutoScalingInputError(problems or ["after and until are required"])
        if high - low > dt.timedelta(days=_SEARCH_DAYS):
            raise AutoScalingInputError(
                ["the window from after to until is longer than 29 years: ask for less"]
            )
        if self.end_time is not None:
            high = min(high, self.end_time)
        found: set[dt.datetime] = set()
        if self.start_time is not None and low < self.start_time <= high:
            found.add(self.start_time)
        if self._cron is not None:
            begin = max(low, self.start_time) if self.start_time is not None else low
            for instant in self._cron_runs(begin, high):
                found.add(instant)
                if len(found) > MAX_SCHEDULE_RUNS:
                    raise AutoScalingInputError(
                        [
                            f"scheduled action {brief(self.name)} runs more than "
                            f"{MAX_SCHEDULE_RUNS} times in the window: ask for a "
                            "shorter one"
                        ]
                    )
        return sorted(found)

    def _cron_runs(self, low: dt.datetime, high: dt.datetime) -> Iterator[dt.datetime]:
        cron = self._cron
        assert cron is not None
        zone = self._zone
        day = low.astimezone(zone).date() - dt.timedelta(days=1)
        last = high.astimezone(zone).date() + dt.timedelta(days=1)
        searched = 0
        seen: set[dt.datetime] = set()
        while day <= last and searched <= _SEARCH_DAYS + (last - day).days:
            if cron.matches_date(day):
                for hour in sorted(cron.hours):
                    for minute in sorted(cron.minutes):
                        local = dt.datetime(
                            day.year, day.month, day.day, hour, minute, tzinfo=zone
                        )
                        # fold=0: a repeated local time is its first occurrence;
                        # a skipped one keeps the offset from before the gap.
                        instant = local.astimezone(_UTC)
                        if low < instant <= high and instant not in seen:
                            seen.add(instant)
                            yield instant
            day += dt.timedelta(days=1)
            searched += 1
