"""Probabilistically Bounded Staleness for partial quorums (Bailis et al.).

Bailis, Venkataraman, Franklin, Hellerstein and Stoica, "Probabilistically Bounded
Staleness for Practical Partial Quorums", VLDB 2012, §3: with N replicas, a write
acknowledged by W of them and a read of R chosen uniformly at random, the read
misses the write exactly when all R replicas lie outside the W that have it.
"""

from __future__ import annotations

import math
from fractions import Fraction

from awscore._inputs import shown
from awscore.errors import QuorumInputError

__all__ = ["MAX_REPLICAS", "MAX_VERSIONS", "staleness_probability"]

#: The most replicas :func:`staleness_probability` takes (its ``max_replicas``
#: default): C(n, r) is computed exactly, about 0.3 n digits.
MAX_REPLICAS = 10_000

#: The largest ``k`` (writes) :func:`staleness_probability` takes (``max_versions``):
#: the exact result's numerator and denominator grow k-fold.
MAX_VERSIONS = 1_000


def _count_problem(name: str, value: object, low: int, high: int | None) -> str | None:
    """Why ``value`` is not an integer in ``low..high``, or None if it is."""
    accepted = (
        f"an integer {low}..{high}" if high is not None else f"an integer >= {low}"
    )
    if not isinstance(value, int) or isinstance(value, bool):
        return f"{name} {shown(value)} is not accepted: must be {accepted}"
    if value < low or (high is not None and value > high):
        return f"{name} {shown(value)} is out of range: must be {accepted}"
    return None


def staleness_probability(
    n: int,
    r: int,
    w: int,
    k: int = 1,
    *,
    max_replicas: int = MAX_REPLICAS,
    max_versions: int = MAX_VERSIONS,
) -> Fraction:
    """The probability a read of ``r`` of ``n`` replicas misses the last ``k`` writes.

    A read misses the latest write, acknowledged by ``w`` replicas, with probability
    ``C(n - w, r) / C(n, r)`` (Bailis et al., VLDB 2012, eq. 1): 0 when
    ``r + w > n``, since every read quorum then meets every write quorum. Assuming
    the last ``k`` writes' quorums are chosen independently, the read returns none
    of them (it is more than k versions stale, "k-staleness", eq. 2) with
    probability ``(C(n - w, r) / C(n, r)) ** k``. The result is an exact
    :class:`~fractions.Fraction`.

    Raises:
        QuorumInputError: ``n`` outside ``1..max_replicas``, ``r`` or ``w``
            outside ``1..n``, or ``k`` outside ``1..max_versions``
            (:data:`MAX_REPLICAS`, :data:`MAX_VERSIONS`); ``problems`` lists
            every one found.
    """
    limits = [
        _count_problem(name, value, 1, None)
        for name, value in (
            ("max_replicas", max_replicas),
            ("max_versions", max_versions),
        )
    ]
    found_limits = [problem for problem in limits if problem is not None]
    if found_limits:
        raise QuorumInputError(found_limits)
    problems = [_count_problem("n", n, 1, max_replicas)]
    # r and w are only checked against n once n itself is usable.
    bound = n if problems[0] is None else None
    problems += [
        _count_problem("r", r, 1, bound),
        _count_problem("w", w, 1, bound),
        _count_problem("k", k, 1, max_versions),
    ]
    found = [problem for problem in problems if problem is not None]
    if found:
        raise QuorumInputError(found)
    replicas, read, write, versions = n, r, w, k
    # math.comb is 0 when r > n - w, which is exactly the strict-quorum case.
    miss = Fraction(math.comb(replicas - write, read), math.comb(replicas, read))
    return miss**versions
