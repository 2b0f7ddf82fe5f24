"""Probabilistically Bounded Staleness: the closed form against brute force."""

from __future__ import annotations

import itertools
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from awscore.errors import QuorumError, QuorumInputError
from awscore.quorum._staleness import staleness_probability


@st.composite
def configurations(draw: st.DrawFn, max_n: int = 9) -> tuple[int, int, int]:
    """A replica count n and read and write quorum sizes 1..n."""
    n = draw(st.integers(1, max_n))
    return n, draw(st.integers(1, n)), draw(st.integers(1, n))


def brute_force(n: int, r: int, w: int) -> Fraction:
    """The share of all r-subsets of n replicas that avoid a fixed w-subset."""
    written = set(range(w))
    reads = list(itertools.combinations(range(n), r))
    misses = sum(1 for read in reads if written.isdisjoint(read))
    return Fraction(misses, len(reads))


@given(configurations())
def test_formula_equals_enumeration(config: tuple[int, int, int]) -> None:
    """C(N-W, R) / C(N, R) is the fraction of read quorums missing the write."""
    n, r, w = config
    result = staleness_probability(n, r, w)
    assert isinstance(result, Fraction)
    assert result == brute_force(n, r, w)


@given(configurations(), st.integers(1, 4))
def test_k_staleness_equals_enumeration_over_k_independent_writes(
    config: tuple[int, int, int], k: int
) -> None:
    """Missing all of k independently placed writes: enumerate every placement."""
    n, r, w = config
    if n > 6:
        n, r, w = 6, min(r, 6), min(w, 6)
    write_sets = list(itertools.combinations(range(n), w))
    reads = list(itertools.combinations(range(n), r))
    read = reads[0]  # by symmetry any fixed read quorum will do
    placements = list(itertools.product(write_sets, repeat=min(k, 2)))
    misses = sum(
        1 for writes in placements if all(set(s).isdisjoint(read) for s in writes)
    )
    expected = Fraction(misses, len(placements))
    assert staleness_probability(n, r, w, k=min(k, 2)) == expected
    assert staleness_probability(n, r, w, k=k) == staleness_probability(n, r, w) ** k


@given(configurations())
def test_strict_quorums_are_never_stale(config: tuple[int, int, int]) -> None:
    """R + W > N: every read quorum meets every write quorum, so staleness is 0."""
    n, r, w = config
    if r + w > n:
        assert staleness_probability(n, r, w) == 0
    else:
        assert staleness_probability(n, r, w) > 0


@given(configurations())
def test_larger_quorums_are_less_stale(config: tuple[int, int, int]) -> None:
    """Reading or writing one more replica never raises the staleness."""
    n, r, w = config
    p = staleness_probability(n, r, w)
    if r < n:
        assert staleness_probability(n, r + 1, w) <= p
    if w < n:
        assert staleness_probability(n, r, w + 1) <= p


@given(configurations(), st.integers(1, 20))
def test_k_staleness_decreases_in_k(config: tuple[int, int, int], k: int) -> None:
    """Missing all of the last k+1 writes is no likelier than missing the last k."""
    n, r, w = config
    assert staleness_probability(n, r, w, k + 1) <= staleness_probability(n, r, w, k)


def test_dynamo_style_examples() -> None:
    """N=3, R=W=1: a read misses the write with 2/3; N=3, R=W=2 is strict."""
    assert staleness_probability(3, 1, 1) == Fraction(2, 3)
    assert staleness_probability(3, 1, 1, k=2) == Fraction(4, 9)
    assert staleness_probability(3, 2, 2) == 0
    assert staleness_probability(6, 3, 3) == Fraction(1, 20)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((0, 1, 1, 1), r"n 0 is out of range: must be an integer 1\.\.10000"),
        ((10**5000, 1, 1, 1), r"n <an integer of about 5,001 digits> is out of range"),
        ((3, 0, 1, 1), r"r 0 is out of range: must be an integer 1\.\.3"),
        ((3, 4, 1, 1), r"r 4 is out of range: must be an integer 1\.\.3"),
        ((3, 1, 0, 1), r"w 0 is out of range: must be an integer 1\.\.3"),
        ((3, 1, 5, 1), r"w 5 is out of range: must be an integer 1\.\.3"),
        ((3, 1, 1, 0), r"k 0 is out of range: must be an integer 1\.\.1000"),
        (
            (3, 1, 1, 10**9),
            r"k 1000000000 is out of range: must be an integer 1\.\.1000",
        ),
        ((3.0, 1, 1, 1), r"n 3\.0 is not accepted: must be an integer 1\.\.10000"),
        ((3, True, 1, 1), r"r True is not accepted"),
    ],
)
def test_bad_input_names_the_value_and_the_range(
    args: tuple[object, object, object, object], message: str
) -> None:
    """Each bad argument raises QuorumInputError naming it and what is accepted."""
    with pytest.raises(QuorumInputError, match=message) as info:
        staleness_probability(*args)  # type: ignore[arg-type]
    assert isinstance(info.value, QuorumError)
    assert isinstance(info.value, ValueError)


def test_every_problem_is_reported() -> None:
    """Several bad arguments are reported together, one problem each."""
    with pytest.raises(QuorumInputError) as info:
        staleness_probability(3, 0, 4, 0)
    assert info.value.problems == (
        "r 0 is out of range: must be an integer 1..3",
        "w 4 is out of range: must be an integer 1..3",
        "k 0 is out of range: must be an integer 1..1000",
    )
