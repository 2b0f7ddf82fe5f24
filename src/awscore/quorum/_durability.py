"""Annual durability of protection groups, with Backblaze's period model.

Backblaze ("Backblaze Durability is 99.999999999%", and its durability
calculator) splits the year into periods as long as one repair. A shard fails
within a period with probability ``p = 1 - exp(-λ·t)``, where ``λ`` is the
annual failure rate used directly as a rate per year and ``t`` is the period in
years (repair days / 365). A group of ``n`` shards loses data in a period when at
least ``lost_at`` of them fail in it (a binomial tail); the year survives when
every period does, and a volume survives when every protection group does.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import overload

from awscore._inputs import shown
from awscore.errors import QuorumInputError

__all__ = [
    "AURORA_SEGMENT_BYTES",
    "HOURS_PER_YEAR",
    "MAX_GROUPS",
    "MAX_GROUP_SHARDS",
    "DurabilityReport",
    "afr_from_mttf",
    "durability",
    "group_loss_probability",
    "protection_groups",
]

#: Backblaze's year: 365 days. Its published example (below) only reproduces with
#: 365, not 365.25, so the MTTF conversion uses the same year for consistency.
HOURS_PER_YEAR = 365 * 24

#: Aurora splits a volume into 10 GB segments, each its own 6-copy protection group
#: (Verbitski et al., SIGMOD 2017 §2.2).
AURORA_SEGMENT_BYTES = 10 * 2**30

#: The most shards one protection group may have: the binomial tail is summed in
#: floats, and C(n, i) stays below the float range up to n = 1,000 (real groups
#: have 6 copies or tens of erasure-code shards).
MAX_GROUP_SHARDS = 1_000

#: The most protection groups :func:`durability` combines: an exabyte of 10 GB
#: segments is 10**8; the bound keeps every count a float can hold.
MAX_GROUPS = 10**15

Number = int | float | Fraction


@dataclass(frozen=True, slots=True, kw_only=True)
class DurabilityReport:
    """The probabilities of losing data, per repair period and per year.

    ``shard_failure`` is the per-shard probability of failing within one repair
    window; ``per_period`` the probability that one group loses data in one
    period; ``per_year`` that it does in a year; ``per_year_all_groups`` that any
    of the groups does in a year; ``nines`` is ``-log10(per_year_all_groups)``,
    the number of nines of annual durability (``inf`` when no loss is possible).
    """

    shard_failure: float
    per_period: float
    per_year: float
    per_year_all_groups: float
    nines: float


def _as_real(value: object) -> Number | None:
    """``value`` if it is a finite real number (not a bool), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | Fraction):
        try:
            # the model computes in floats: refuse what a float cannot hold
            return value if math.isfinite(float(value)) else None
        except OverflowError:
            return None
    if isinstance(value, float) and math.isfinite(value):
        return value
    return None


def _check_count(name: str, value: object, low: int, high: int | None = None) -> int:
    accepted = (
        f"an integer {low:,}..{high:,}"
        if high is not None
        else f"an integer >= {low:,}"
    )
    if not isinstance(value, int) or isinstance(value, bool):
        raise QuorumInputError(
            [f"{name} {shown(value)} is not accepted: must be {accepted}"]
        )
    if value < low or (high is not None and value > high):
        raise QuorumInputError(
            [f"{name} {shown(value)} is out of range: must be {accepted}"]
        )
    return value


def _check_positive(name: str, value: object) -> Number:
    real = _as_real(value)
    if real is None or float(real) <= 0:  # float: 1e-400 is no time at all
        raise QuorumInputError(
            [f"{name} {shown(value)} is not accepted: must be a finite number > 0"]
        )
    return real


def _check_probability(name: str, value: object) -> Number:
    real = _as_real(value)
    if real is None or not 0 <= real <= 1:
        raise QuorumInputError(
            [f"{name} {shown(value)} is out of range: must be a finite number 0..1"]
        )
    return real


def afr_from_mttf(mttf_hours: int | float | Fraction) -> float:
    """The annual failure rate of a node with the given mean time to failure.

    ``AFR = 1 - exp(-8760 / MTTF)``: the chance an exponentially distributed
    lifetime ends within a 365-day year (the year Backblaze's model uses).

    Raises:
        QuorumInputError: ``mttf_hours`` is not a finite number > 0.
    """
    mttf = _check_positive("mttf_hours", mttf_hours)
    return -math.expm1(-HOURS_PER_YEAR / float(mttf))


@overload
def group_loss_probability(shards: int, lost_at: int, p: Fraction) -> Fraction: ...
@overload
def group_loss_probability(shards: int, lost_at: int, p: float) -> float: ...
def group_loss_probability(
    shards: int, lost_at: int, p: float | Fraction
) -> float | Fraction:
    """The probability that at least ``lost_at`` of ``shards`` fail, each with ``p``.

    The binomial tail ``sum(C(n, i) p^i (1-p)^(n-i) for i >= lost_at)``; exact (a
    :class:`~fractions.Fraction`) when ``p`` is a Fraction.

    Raises:
        QuorumInputError: ``shards < 1``, ``lost_at`` outside ``1..shards``, or
            ``p`` outside 0..1.
    """
    n = _check_count("shards", shards, 1, MAX_GROUP_SHARDS)
    k = _check_count("lost_at", lost_at, 1, n)
    _check_probability("p", p)
    q = 1 - p
    total = sum(math.comb(n, i) * p**i * q ** (n - i) for i in range(k, n + 1))
    if isinstance(p, Fraction):
        return Fraction(total)
    return float(total)


def durability(
    *,
    shards: int,
    lost_at: int,
    afr: int | float | Fraction | None = None,
    mttf_hours: int | float | Fraction | None = None,
    repair_hours: int | float | Fraction,
    groups: int = 1,
) -> DurabilityReport:
    """The yearly probability of losing data in any of ``groups`` protection groups.

    Backblaze's period model ("Backblaze Durability is 99.999999999%" and its
    durability calculator): the year (365 days) is split into
    ``8760 / repair_hours`` periods; a shard fails within one with
    ``p = 1 - exp(-AFR · repair_hours / 8760)`` (the AFR taken as the rate λ per
    year, not ``-ln(1 - AFR)``); a group of ``shards`` loses data in a period when
    ``lost_at`` or more fail in it; ``per_year = 1 - (1 - per_period)^periods`` and
    ``per_year_all_groups = 1 - (1 - per_year)^groups``. This convention (365-day
    year, λ = AFR) is the one that reproduces Backblaze's own example, 6 shards
    lost at 3, AFR 10%, 1-day repair: 4.109e-10 per period and 1.500e-07 per year;
    365.25 days gives 4.100e-10, and λ = -ln(0.9) gives 4.805e-10.

    Arguments:
        shards: copies or erasure-code shards per protection group
            (1..:data:`MAX_GROUP_SHARDS`).
        lost_at: how many concurrent failures lose data (1..shards).
        afr: annual failure rate of one shard's node, 0..1; or else
        mttf_hours: its mean time to failure, converted by :func:`afr_from_mttf`.
        repair_hours: time to replace a failed shard (MTTR), 0 < t <= 8760.
        groups: the number of protection groups (see :func:`protection_groups`),
            0..:data:`MAX_GROUPS`.

    Results are floats: ``exp`` is transcendental, so Fractions in cannot give an
    exact result; :func:`group_loss_probability` is exact for a Fraction ``p``.

    Raises:
        QuorumInputError: a count out of range, neither or both of ``afr`` and
            ``mttf_hours``, a probability outside 0..1, or a time not > 0.
    """
    n = _check_count("shards", shards, 1, MAX_GROUP_SHARDS)
    k = _check_count("lost_at", lost_at, 1, n)
    g = _check_count("groups", groups, 0, MAX_GROUPS)
    if afr is not None and mttf_hours is None:
        rate = float(_check_probability("afr", afr))
    elif mttf_hours is not None and afr is None:
        rate = afr_from_mttf(mttf_hours)
    else:
        raise QuorumInputError(
            [
                f"afr {shown(afr)} and mttf_hours {shown(mttf_hours)}: give exactly "
                "one of them"
            ]
        )
    repair = float(_check_positive("repair_hours", repair_hours))
    if repair > HOURS_PER_YEAR:
        raise QuorumInputError(
            [
                f"repair_hours {shown(repair_hours)} is out of range: "
                f"must be > 0 and <= {HOURS_PER_YEAR} (one year)"
            ]
        )
    periods = HOURS_PER_YEAR / repair
    shard_failure = -math.expm1(-rate * repair / HOURS_PER_YEAR)
    per_period = group_loss_probability(n, k, shard_failure)
    # 1 - (1 - x)^m through log1p/expm1: x is often ~1e-20, below float epsilon.
    per_year = _any_of(per_period, periods)
    all_groups = _any_of(per_year, g)
    nines = math.inf if all_groups == 0 else -math.log10(all_groups)
    return DurabilityReport(
        shard_failure=shard_failure,
        per_period=per_period,
        per_year=per_year,
        per_year_all_groups=all_groups,
        nines=nines,
    )


def _any_of(p: float, times: float) -> float:
    """The probability an event of probability ``p`` happens in ``times`` trials."""
    if p >= 1:
        return 1.0 if times > 0 else 0.0
    return -math.expm1(times * math.log1p(-p))


def protection_groups(
    volume_bytes: int, segment_bytes: int = AURORA_SEGMENT_BYTES
) -> int:
    """The number of protection groups a volume is split into: ``ceil(size / segment)``.

    Aurora uses 10 GB segments (:data:`AURORA_SEGMENT_BYTES`); a 64 TiB volume has
    6,554 of them.

    Raises:
        QuorumInputError: ``volume_bytes < 0`` or ``segment_bytes < 1``.
    """
    size = _check_count("volume_bytes", volume_bytes, 0)
    segment = _check_count("segment_bytes", segment_bytes, 1)
    return -(-size // segment)
