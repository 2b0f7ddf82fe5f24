"""Probabilistically Bounded Staleness for partial quorums (Bailis et al.).

Bailis, Venkataraman, Franklin, Hellerstein and Stoica, "Probabilistically Bounded
Staleness for Practical Partial Quorums", VLDB 2012, §3: with N replicas, a write
acknowledged by W of them and a read of R chosen uniformly at random, the read
misses the write exactly when all R replicas lie outside the W that have it.
"""

from __future__ import annotations

import math
from fractions import Fraction

from awscore.errors import QuorumInputError

__all__ = ["staleness_probability"]


def _count_problem(name: str, value: object, low: int, high: int | None) -> str | None:
    """Why ``value`` is not an integer in ``low..high``, or None if it is."""
    accepted = (
        f"an integer {low}..{high}" if high is not None else f"an integer >= {low}"
    )
    if not isinstance(value, int) or isinstance(value, bool):
        return f"{name} {value!r} is not accepted: must be {accepted}"
    if value < low or (high is not None and value > high):
        return f"{name} {value!r} is out of range: must be {accepted}"
    return None


def staleness_probability(n: int, r: int, w: int, k: int = 1) -> Fraction:
    """The probability a read of ``r`` of ``n`` replicas misses the last ``k`` writes.

    A read misses the latest write, acknowledged by ``w`` replicas, with probability
    ``C(n - w, r) / C(n, r)`` (Bailis et al., VLDB 2012, eq. 1): 0 when
    ``r + w > n``, since every read quorum then meets every write quorum. Assuming
    the last ``k`` writes' quorums are chosen independently, the read returns none
    of them (it is more than k versions stale, "k-staleness", eq. 2) with
    probability ``(C(n - w, r) / C(n, r)) ** k``. The result is an exact
    :class:`~fractions.Fraction`.

    Raises:
        QuorumInputError: ``n < 1``, ``r`` or ``w`` outside ``1..n``, or ``k < 1``;
            ``problems`` lists every one found.
    """
    problems = [_count_problem("n", n, 1, None)]
    # r and w are only checked against n once n itself is usable.
    bound = n if problems[0] is None else None
    problems += [
        _count_problem("r", r, 1, bound),
        _count_problem("w", w, 1, bound),
        _count_problem("k", k, 1, None),
    ]
    found = [problem for problem in problems if problem is not None]
    if found:
        raise QuorumInputError(found)
    replicas, read, write, versions = n, r, w, k
    # math.comb is 0 when r > n - w, which is exactly the strict-quorum case.
    miss = Fraction(math.comb(replicas - write, read), math.comb(replicas, read))
    return miss**versions
