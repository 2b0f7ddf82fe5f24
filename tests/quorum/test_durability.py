"""Durability: Backblaze's published example, Aurora's segments, and properties."""

from __future__ import annotations

import math
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from awscore.errors import QuorumError, QuorumInputError
from awscore.quorum._durability import (
    AURORA_SEGMENT_BYTES,
    DurabilityReport,
    afr_from_mttf,
    durability,
    group_loss_probability,
    protection_groups,
)

afrs = st.floats(min_value=1e-4, max_value=0.5)
repairs = st.floats(min_value=1 / 360, max_value=24 * 30)


def _sig4(x: float) -> str:
    return f"{x:.3e}"


def test_backblaze_published_example() -> None:
    """Backblaze's example: 6 shards, lost at 3, AFR 10%, 1-day repair.

    Its blog gives 4.109e-10 per period and 1.500e-07 per year; both reproduce
    with a 365-day year and the AFR used directly as the rate λ.
    """
    report = durability(shards=6, lost_at=3, afr=0.1, repair_hours=24)
    assert _sig4(report.per_period) == "4.109e-10"
    assert _sig4(report.per_year) == "1.500e-07"
    assert report.per_year_all_groups == report.per_year
    assert report.nines == pytest.approx(-math.log10(report.per_year))


def test_backblaze_example_with_fraction_inputs_gives_the_same_floats() -> None:
    """Fractions in give the same (float) numbers: exp makes exactness impossible."""
    exact = durability(
        shards=6, lost_at=3, afr=Fraction(1, 10), repair_hours=Fraction(24)
    )
    assert exact == durability(shards=6, lost_at=3, afr=0.1, repair_hours=24)


def test_group_loss_probability_is_exact_for_fractions() -> None:
    """The binomial tail of 3+ of 6 failing at p = 1/10, written out by hand."""
    p = Fraction(1, 10)
    expected = sum(math.comb(6, i) * p**i * (1 - p) ** (6 - i) for i in range(3, 7))
    result = group_loss_probability(6, 3, p)
    assert isinstance(result, Fraction)
    assert result == expected == Fraction(1585, 100000)
    assert group_loss_probability(6, 3, 0.1) == pytest.approx(0.01585)


def test_aurora_volume_of_64_tib_in_10_gb_segments() -> None:
    """Aurora: 64 TiB in 10 GiB segments, 6 copies, 10 s repair.

    Losing the 3/6 read quorum (4 of 6 copies) is far rarer than losing the 4/6
    write quorum (3 of 6), and a whole volume is at most ``groups`` times riskier
    than one segment.
    """
    groups = protection_groups(64 * 2**40)
    assert groups == 6554
    repair = Fraction(10, 3600)
    reads = durability(shards=6, lost_at=4, afr=0.1, repair_hours=repair, groups=groups)
    writes = durability(
        shards=6, lost_at=3, afr=0.1, repair_hours=repair, groups=groups
    )
    assert reads.per_year_all_groups < writes.per_year_all_groups
    assert reads.per_year < reads.per_year_all_groups <= groups * reads.per_year
    assert reads.nines > 15


def test_protection_groups_rounds_up() -> None:
    """ceil(volume / segment): a partial segment is still a whole group."""
    assert protection_groups(0) == 0
    assert protection_groups(1) == 1
    assert protection_groups(AURORA_SEGMENT_BYTES) == 1
    assert protection_groups(AURORA_SEGMENT_BYTES + 1) == 2
    assert protection_groups(100, segment_bytes=30) == 4


def test_mttf_conversion() -> None:
    """AFR = 1 - exp(-8760 / MTTF); durability accepts either form."""
    assert afr_from_mttf(8760) == pytest.approx(1 - math.exp(-1))
    mttf = 1_000_000
    by_mttf = durability(shards=3, lost_at=2, mttf_hours=mttf, repair_hours=24)
    by_afr = durability(shards=3, lost_at=2, afr=afr_from_mttf(mttf), repair_hours=24)
    assert by_mttf == by_afr


@pytest.mark.parametrize(
    "kwargs",
    [
        {"shards": 0, "lost_at": 1, "afr": 0.1, "repair_hours": 24},
        {"shards": 6, "lost_at": 0, "afr": 0.1, "repair_hours": 24},
        {"shards": 6, "lost_at": 7, "afr": 0.1, "repair_hours": 24},
        {"shards": True, "lost_at": 1, "afr": 0.1, "repair_hours": 24},
        {"shards": 6, "lost_at": 3, "afr": 1.5, "repair_hours": 24},
        {"shards": 6, "lost_at": 3, "afr": -0.1, "repair_hours": 24},
        {"shards": 6, "lost_at": 3, "afr": math.nan, "repair_hours": 24},
        {"shards": 6, "lost_at": 3, "repair_hours": 24},
        {"shards": 6, "lost_at": 3, "afr": 0.1, "mttf_hours": 1e6, "repair_hours": 24},
        {"shards": 6, "lost_at": 3, "mttf_hours": 0, "repair_hours": 24},
        {"shards": 6, "lost_at": 3, "afr": 0.1, "repair_hours": 0},
        {"shards": 6, "lost_at": 3, "afr": 0.1, "repair_hours": math.inf},
        {"shards": 6, "lost_at": 3, "afr": 0.1, "repair_hours": 8761},
        {"shards": 6, "lost_at": 3, "afr": 0.1, "repair_hours": 24, "groups": -1},
        {"shards": 6, "lost_at": 3, "afr": "0.1", "repair_hours": 24},
        {"shards": 6, "lost_at": 3, "afr": 0.1, "repair_hours": Fraction(1, 10**400)},
        {"shards": 6, "lost_at": 3, "mttf_hours": 10**400, "repair_hours": 24},
    ],
)
def test_bad_input_raises_a_typed_error(kwargs: dict[str, object]) -> None:
    """Bad counts, probabilities and times raise QuorumInputError (a ValueError)."""
    with pytest.raises(QuorumInputError) as info:
        durability(**kwargs)  # type: ignore[arg-type]
    assert isinstance(info.value, QuorumError)
    assert isinstance(info.value, ValueError)


def test_bad_protection_group_sizes() -> None:
    """A negative volume or a segment below one byte is refused, naming the value."""
    with pytest.raises(QuorumInputError, match="volume_bytes -1"):
        protection_groups(-1)
    with pytest.raises(QuorumInputError, match="segment_bytes 0"):
        protection_groups(10, segment_bytes=0)


@given(
    shards=st.integers(2, 12),
    data=st.data(),
    afr=afrs,
    repair=repairs,
)
def test_tolerating_more_failures_lowers_loss(
    shards: int, data: st.DataObject, afr: float, repair: float
) -> None:
    """Needing one more concurrent failure to lose data never raises the loss."""
    lost_at = data.draw(st.integers(1, shards - 1))
    weaker = durability(shards=shards, lost_at=lost_at, afr=afr, repair_hours=repair)
    stronger = durability(
        shards=shards, lost_at=lost_at + 1, afr=afr, repair_hours=repair
    )
    assert stronger.per_period <= weaker.per_period
    assert stronger.per_year <= weaker.per_year


@given(
    shards=st.integers(1, 12),
    data=st.data(),
    afr_a=afrs,
    afr_b=afrs,
    repair=repairs,
)
def test_monotone_in_afr(
    shards: int, data: st.DataObject, afr_a: float, afr_b: float, repair: float
) -> None:
    """A higher annual failure rate never lowers the loss probability."""
    lost_at = data.draw(st.integers(1, shards))
    low, high = sorted((afr_a, afr_b))
    a = durability(shards=shards, lost_at=lost_at, afr=low, repair_hours=repair)
    b = durability(shards=shards, lost_at=lost_at, afr=high, repair_hours=repair)
    assert a.per_period <= b.per_period
    assert a.per_year <= b.per_year * (1 + 1e-9)


@given(
    shards=st.integers(2, 12),
    data=st.data(),
    afr=afrs,
    repair_a=repairs,
    repair_b=repairs,
)
def test_monotone_in_repair_time(
    shards: int, data: st.DataObject, afr: float, repair_a: float, repair_b: float
) -> None:
    """With two or more failures needed, slower repair never lowers yearly loss.

    Per year there are fewer but longer periods; with ``lost_at >= 2`` the loss
    per period grows faster than linearly in the period, so the year gets worse.
    """
    lost_at = data.draw(st.integers(2, shards))
    fast, slow = sorted((repair_a, repair_b))
    a = durability(shards=shards, lost_at=lost_at, afr=afr, repair_hours=fast)
    b = durability(shards=shards, lost_at=lost_at, afr=afr, repair_hours=slow)
    assert a.per_year <= b.per_year * (1 + 1e-9)


@given(
    groups_a=st.integers(0, 10**6),
    groups_b=st.integers(0, 10**6),
    afr=afrs,
)
def test_more_groups_more_loss(groups_a: int, groups_b: int, afr: float) -> None:
    """More protection groups never lower the chance of losing data somewhere."""
    few, many = sorted((groups_a, groups_b))
    a = durability(shards=6, lost_at=3, afr=afr, repair_hours=24, groups=few)
    b = durability(shards=6, lost_at=3, afr=afr, repair_hours=24, groups=many)
    assert a.per_year_all_groups <= b.per_year_all_groups
    assert isinstance(a, DurabilityReport)
    if few == 0:
        assert a.per_year_all_groups == 0
        assert a.nines == math.inf
