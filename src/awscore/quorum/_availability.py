"""Exact availability, fault tolerance and intersection of quorum rules.

Threshold rules (:class:`KOfN`, :class:`Votes`) are computed in polynomial time:
per domain, the distribution of the up weight among the rule's nodes is a generating
function (the domain fails whole with ``p_az``, else a convolution of the nodes'
Bernoullis); the domains' functions are convolved and the tail at or above the
threshold summed. The vectors are cut at the threshold (or at the failure budget,
whichever is smaller) with one absorbing bucket, so ``n`` nodes cost
``O(n * min(k, n - k))``. Composite rules are computed by enumeration over the
relevant nodes' states (with pruning on the rule's monotonicity), up to
:data:`ENUMERATION_LIMIT` distinct nodes.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import TypeVar

from awscore._inputs import shown
from awscore.quorum._model import (
    Cluster,
    Probability,
    QuorumInputError,
    QuorumTooLargeError,
    UnsafeQuorumError,
)
from awscore.quorum._rules import KOfN, QuorumRule, Votes, check_judged

__all__ = [
    "ENUMERATION_LIMIT",
    "MAX_DOMAIN_CHOICES",
    "QuorumSystem",
    "availability",
    "max_tolerated_failures",
    "minimal_failure_sets",
    "survives",
    "unavailability",
]

ENUMERATION_LIMIT = 24
"""The most distinct nodes a composite rule is enumerated over."""

MAX_DOMAIN_CHOICES = 1_000_000
"""The most choices of failed domains :func:`survives` tries for a Votes rule."""

Num = TypeVar("Num", Fraction, float)

# --- threshold rules: generating functions ----------------------------------


def _convolve(a: list[Num], b: list[Num], cap: int, zero: Num) -> list[Num]:
    """The convolution of ``a`` and ``b`` with every index >= ``cap`` in ``cap``."""
    if len(b) > len(a):
        a, b = b, a
    n = min(len(a) + len(b) - 1, cap + 1)
    out = [zero] * n
    la = len(a)
    suffix = [zero] * (la + 1)
    for i in range(la - 1, -1, -1):
        suffix[i] = suffix[i + 1] + a[i]
    for j, c in enumerate(b):
        if not c:
            continue
        direct = min(la, cap - j)
        if direct > 0:
            out[j : j + direct] = [
                o + c * x for o, x in zip(out[j : j + direct], a, strict=False)
            ]
        if direct < la:
            out[cap] += c * suffix[max(direct, 0)]
    # Trailing exact zeros carry nothing (float underflow): dropping them is exact
    # and keeps long vectors short.
    while len(out) > 1 and not out[-1]:
        out.pop()
    return out


def _threshold_tail(
    domains: Sequence[tuple[Num, Sequence[tuple[int, Num]]]],
    threshold: int,
    one: Num,
    zero: Num,
) -> tuple[Num, Num]:
    """(P(up weight >= threshold), P(below)): domains are ``(p_fail, [(weight,
    p_fail)])``. Each side is summed on its own so a tiny one keeps its digits."""
    total = sum(w for _, nodes in domains for w, _ in nodes)
    budget = total - threshold  # the most weight that may be down
    if budget < 0:
        return zero, one
    # Track whichever of up weight (cut at threshold) or down weight (cut at
    # budget + 1) is shorter.
    track_up = threshold <= budget + 1
    cap = threshold if track_up else budget + 1
    acc: list[Num] = [one]
    for p_domain, nodes in domains:
        vec: list[Num] = [one]
        for w, p_node in nodes:
            counted = 1 - p_node if track_up else p_node
            kernel = [zero] * (w + 1)
            kernel[0] += 1 - counted
            kernel[w] += counted
            vec = _convolve(vec, kernel, cap, zero)
        vec = [(1 - p_domain) * x for x in vec]
        lost = 0 if track_up else min(sum(w for w, _ in nodes), cap)
        if len(vec) <= lost:
            vec.extend([zero] * (lost + 1 - len(vec)))
        vec[lost] += p_domain
        acc = _convolve(acc, vec, cap, zero)
    absorbed = acc[cap] if len(acc) > cap else zero
    rest = math.fsum(acc[:cap]) if isinstance(zero, float) else sum(acc[:cap], zero)
    return (absorbed, rest) if track_up else (rest, absorbed)


def _threshold_weights(
    rule: QuorumRule, cluster: Cluster
) -> tuple[dict[str, int], int]:
    """The rule as (votes per node id, threshold), votes divided by their gcd."""
    if isinstance(rule, KOfN):
        return dict.fromkeys(rule.relevant(cluster), 1), rule.k
    assert isinstance(rule, Votes)
    weights = {n: w for n, w in rule.weights.items() if w > 0}
    g = math.gcd(*weights.values())
    return {n: w // g for n, w in weights.items()}, -(-rule.threshold // g)


def _threshold_availability(
    cluster: Cluster, rule: QuorumRule, convert: Callable[[Probability], Num], one: Num
) -> tuple[Num, Num]:
    weights, threshold = _threshold_weights(rule, cluster)
    domains = [
        (
            convert(cluster.domain_failure[d]),
            [
                (weights[n.node_id], convert(n.p_fail))
                for n in cluster.members(d)
                if n.node_id in weights
            ],
        )
        for d in cluster.domains
    ]
    relevant = [(p, nodes) for p, nodes in domains if nodes]
    return _threshold_tail(relevant, threshold, one, one - one)


# --- composite rules: enumeration ---------------------------------------------


def _check_limit(relevant: frozenset[str], what: str) -> None:
    if len(relevant) > ENUMERATION_LIMIT:
        msg = (
            f"{what} involves {len(relevant)} distinct nodes: exact enumeration is "
            f"limited to {ENUMERATION_LIMIT} (threshold rules KOfN and Votes have no "
            "limit)"
        )
        raise QuorumTooLargeError(msg, limit=ENUMERATION_LIMIT, nodes=len(relevant))


def _enumerate(
    cluster: Cluster,
    rule: QuorumRule,
    convert: Callable[[Probability], Num],
    one: Num,
    *,
    met: bool,
) -> Num:
    """P(rule met) if ``met`` else P(rule unmet), by pruned enumeration."""
    zero = one - one
    win, lose = (one, zero) if met else (zero, one)
    relevant = rule.relevant(cluster)
    _check_limit(relevant, "the rule")
    groups = [
        (
            convert(cluster.domain_failure[d]),
            tuple(
                (n.node_id, convert(n.p_fail))
                for n in cluster.members(d)
                if n.node_id in relevant
            ),
        )
        for d in cluster.domains
    ]
    groups = [(p, nodes) for p, nodes in groups if nodes]

    def decided(up: frozenset[str], pending: frozenset[str]) -> Num | None:
        if rule.satisfied(up):
            return win
        if not rule.satisfied(up | pending):
            return lose
        return None

    def domain_level(di: int, up: frozenset[str], pending: frozenset[str]) -> Num:
        known = decided(up, pending)
        if known is not None:
            return known
        p_domain, members = groups[di]
        rest = pending - {n for n, _ in members}
        down = domain_level(di + 1, up, rest) if p_domain else zero
        alive = node_level(di, 0, up, pending) if p_domain != 1 else zero
        return p_domain * down + (1 - p_domain) * alive

    def node_level(di: int, j: int, up: frozenset[str], pending: frozenset[str]) -> Num:
        members = groups[di][1]
        if j == len(members):
            return domain_level(di + 1, up, pending)
        known = decided(up, pending)
        if known is not None:
            return known
        node_id, p_node = members[j]
        rest = pending - {node_id}
        alive = node_level(di, j + 1, up | {node_id}, rest) if p_node != 1 else zero
        down = node_level(di, j + 1, up, rest) if p_node else zero
        return (1 - p_node) * alive + p_node * down

    if not groups:
        return win if rule.satisfied(frozenset()) else lose
    return domain_level(0, frozenset(), relevant)


def _exact(p: Probability) -> Fraction:
    return Fraction(p)


def _is_threshold(rule: QuorumRule) -> bool:
    return isinstance(rule, KOfN | Votes)


def availability(cluster: Cluster, rule: QuorumRule) -> Probability:
    """The exact probability that ``rule`` can be met on ``cluster``.

    Nodes fail independently with their ``p_fail``; domains fail whole,
    independently, with their probability; a node is up when neither has failed.
    The result is a :class:`~fractions.Fraction` when every probability of the
    cluster is one, a float otherwise.

    Threshold rules take ``O(n * min(k, n - k))`` time over ``n`` relevant nodes
    (weights for :class:`Votes`); composite rules are enumerated, and raise
    :class:`QuorumTooLargeError` beyond :data:`ENUMERATION_LIMIT` distinct nodes.
    Raises :class:`QuorumInputError` when the rule names unknown nodes or asks for
    more than the cluster has.
    """
    return _solve(cluster, rule, met=True)


def unavailability(cluster: Cluster, rule: QuorumRule) -> Probability:
    """The exact probability that ``rule`` cannot be met on ``cluster``.

    ``1 - availability(...)`` for Fractions; for floats it is computed on its own,
    so a tiny unavailability (say 1e-20) keeps its digits instead of rounding to
    0. Same model, cost and errors as :func:`availability`.
    """
    return _solve(cluster, rule, met=False)


def _solve(cluster: Cluster, rule: QuorumRule, *, met: bool) -> Probability:
    check_judged(cluster, rule)
    if cluster.exact:
        return _side(cluster, rule, _exact, Fraction(1), met=met)
    return _side(cluster, rule, float, 1.0, met=met)


def _side(
    cluster: Cluster,
    rule: QuorumRule,
    convert: Callable[[Probability], Num],
    one: Num,
    *,
    met: bool,
) -> Num:
    if not _is_threshold(rule):
        return _enumerate(cluster, rule, convert, one, met=met)
    yes, no = _threshold_availability(cluster, rule, convert, one)
    wanted, other = (yes, no) if met else (no, yes)
    # Floats: the smaller side carries the fewer rounding errors, so the larger
    # is taken as its complement (each side is a sum of positive terms).
    if isinstance(other, float) and other < wanted:
        return one - other
    return wanted


# --- fault tolerance --------------------------------------------------------------


def _votes_of(rule: QuorumRule, cluster: Cluster) -> dict[str, int]:
    if isinstance(rule, KOfN):
        return dict.fromkeys(rule.relevant(cluster), 1)
    assert isinstance(rule, Votes)
    return {n: w for n, w in rule.weights.items() if w > 0}


def _threshold_of(rule: QuorumRule) -> int:
    if isinstance(rule, KOfN):
        return rule.k
    assert isinstance(rule, Votes)
    return rule.threshold


def max_tolerated_failures(cluster: Cluster, rule: QuorumRule) -> int:
    """The largest f such that any f node failures leave ``rule`` satisfiable.

    Only nodes fail (no domain failures). Threshold rules: the worst case fails
    the heaviest voters first. Composite rules: the smallest set of relevant nodes
    whose failure breaks the rule, found by enumeration, less one. -1 when the rule
    cannot be met even with every node up.
    """
    check_judged(cluster, rule)
    if _is_threshold(rule):
        votes = sorted(_votes_of(rule, cluster).values(), reverse=True)
        remaining = sum(votes)
        threshold = _threshold_of(rule)
        f = 0
        if remaining < threshold:
            return -1
        for w in votes:
            if remaining - w < threshold:
                return f
            remaining -= w
            f += 1
        return f
    relevant = rule.relevant(cluster)
    _check_limit(relevant, "the rule")
    ordered = sorted(relevant)
    for size in range(len(ordered) + 1):
        for failed in itertools.combinations(ordered, size):
            if not rule.satisfied(relevant - frozenset(failed)):
                return size - 1
    return len(cluster.nodes)


def _domain_votes(votes: dict[str, int], cluster: Cluster) -> list[list[int]]:
    out = [
        [votes[n.node_id] for n in cluster.members(d) if n.node_id in votes]
        for d in cluster.domains
    ]
    return [v for v in out if v]


def survives(
    cluster: Cluster, rule: QuorumRule, *, domains: int = 1, nodes: int = 1
) -> bool:
    """Whether ``rule`` stays satisfiable after ANY ``domains`` whole domains and
    ANY ``nodes`` further nodes fail.

    "AZ + 1" (Verbitski et al., SIGMOD 2017) is ``domains=1, nodes=1``. For
    :class:`KOfN` the worst case fails the domains with the most of the rule's
    nodes, then any further nodes; for :class:`Votes` every choice of domains is
    tried, then the heaviest further voters fail; composite rules are enumerated.
    """
    check_judged(cluster, rule)
    if isinstance(domains, bool) or not isinstance(domains, int) or domains < 0:
        raise QuorumInputError([f"domains={shown(domains)} must be an integer >= 0"])
    if isinstance(nodes, bool) or not isinstance(nodes, int) or nodes < 0:
        raise QuorumInputError([f"nodes={shown(nodes)} must be an integer >= 0"])
    if _is_threshold(rule):
        per_domain = _domain_votes(_votes_of(rule, cluster), cluster)
        threshold = _threshold_of(rule)
        total = sum(sum(v) for v in per_domain)
        d = min(domains, len(per_domain))
        if isinstance(rule, KOfN):
            # Unit votes: failing the largest domains is always a worst case.
            lost = sum(sorted((len(v) for v in per_domain), reverse=True)[:d])
            lost += min(nodes, total - lost)
            return total - lost >= threshold
        choices = math.comb(len(per_domain), d)
        if choices > MAX_DOMAIN_CHOICES:
            msg = (
                f"survives(domains={d}) over Votes tries every {d} of "
                f"{len(per_domain)} domains: {shown(choices)} choices, above the "
                f"limit of {MAX_DOMAIN_CHOICES:,}"
            )
            raise QuorumTooLargeError(msg, limit=ENUMERATION_LIMIT, nodes=total)
        for failed in itertools.combinations(range(len(per_domain)), d):
            left = sorted(
                (w for i, v in enumerate(per_domain) if i not in failed for w in v),
                reverse=True,
            )
            if sum(left[nodes:]) < threshold:
                return False
        return True
    relevant = rule.relevant(cluster)
    _check_limit(relevant, "the rule")
    groups = [
        frozenset(n.node_id for n in cluster.members(dom)) & relevant
        for dom in cluster.domains
    ]
    groups = [g for g in groups if g]
    for lost_domains in itertools.combinations(groups, min(domains, len(groups))):
        alive = relevant - frozenset().union(*lost_domains)
        candidates = sorted(alive)
        for gone in itertools.combinations(candidates, min(nodes, len(candidates))):
            if not rule.satisfied(alive - frozenset(gone)):
                return False
    return True


# --- intersection -------------------------------------------------------------


def _shrink(rule: QuorumRule, quorum: frozenset[str]) -> frozenset[str]:
    """A minimal quorum of ``rule`` inside ``quorum`` (which satisfies it)."""
    for node_id in sorted(quorum):
        if rule.satisfied(quorum - {node_id}):
            quorum = quorum - {node_id}
    return quorum


def _disjoint_pair(
    first: QuorumRule, second: QuorumRule, universe: frozenset[str]
) -> tuple[frozenset[str], frozenset[str]] | None:
    # Monotone rules: disjoint quorums exist iff the nodes can be split in two,
    # one side meeting ``first``, the other ``second``. Each node goes to one side,
    # depth first, dropping a branch once either side can no longer be met.
    nodes = sorted(universe)

    def split(
        i: int, a: frozenset[str], b: frozenset[str]
    ) -> tuple[frozenset[str], frozenset[str]] | None:
        rest = frozenset(nodes[i:])
        if not (first.satisfied(a | rest) and second.satisfied(b | rest)):
            return None
        if first.satisfied(a) and second.satisfied(b):
            return _shrink(first, a), _shrink(second, b)
        node = nodes[i]
        return split(i + 1, a | {node}, b) or split(i + 1, a, b | {node})

    return split(0, frozenset(), frozenset())


def _same_votes(a: QuorumRule, b: QuorumRule, cluster: Cluster) -> bool:
    return (
        _is_threshold(a)
        and _is_threshold(b)
        and _votes_of(a, cluster) == _votes_of(b, cluster)
    )


def _gifford_pair(
    first: QuorumRule, second: QuorumRule, cluster: Cluster
) -> tuple[frozenset[str], frozenset[str]] | None:
    """Disjoint quorums of two threshold rules over the same votes, or None.

    Gifford (1979): quorums of thresholds t1, t2 over V votes always meet when
    t1 + t2 > V. Otherwise, with unit votes, the first t1 and the last t2 nodes are
    disjoint; with weights, a search decides (the rule is sufficient, not needed).
    """
    votes = _votes_of(first, cluster)
    t1, t2 = _threshold_of(first), _threshold_of(second)
    if t1 + t2 > sum(votes.values()):
        return None
    ordered = sorted(votes, key=lambda n: (-votes[n], n))
    if all(w == 1 for w in votes.values()):
        return frozenset(ordered[:t1]), frozenset(ordered[len(ordered) - t2 :])
    _check_limit(frozenset(votes), "the quorum system")
    return _disjoint_pair(first, second, frozenset(votes))


@dataclass(frozen=True, slots=True, kw_only=True)
class QuorumSystem:
    """A read rule and a write rule that must keep data consistent.

    Safe when every read quorum meets every write quorum and every two write
    quorums meet (Gifford, 1979: Vr + Vw > V and 2Vw > V for votes).
    """

    read: QuorumRule
    write: QuorumRule

    def check(self, cluster: Cluster) -> None:
        """Raise :class:`UnsafeQuorumError` naming two disjoint quorums, if any.

        Threshold rules over the same votes use Gifford's rules; anything else is
        enumerated over the relevant nodes (:class:`QuorumTooLargeError` beyond
        :data:`ENUMERATION_LIMIT`). Raises :class:`QuorumInputError` if a rule
        does not fit the cluster.
        """
        check_judged(cluster, self.read)
        check_judged(cluster, self.write)
        for kind, first in (("read/write", self.read), ("write/write", self.write)):
            if _same_votes(first, self.write, cluster):
                pair = _gifford_pair(first, self.write, cluster)
            else:
                universe = first.relevant(cluster) | self.write.relevant(cluster)
                _check_limit(universe, "the quorum system")
                pair = _disjoint_pair(first, self.write, universe)
            if pair is not None:
                a, b = pair
                name = "read" if kind == "read/write" else "write"
                msg = (
                    f"unsafe quorum system: {name} quorum {sorted(a)} and write "
                    f"quorum {sorted(b)} do not intersect"
                )
                raise UnsafeQuorumError(msg, kind=kind, first=a, second=b)


def minimal_failure_sets(cluster: Cluster, rule: QuorumRule) -> list[frozenset[str]]:
    """Every minimal set of nodes whose failure leaves ``rule`` unsatisfiable.

    Minimal: no proper subset breaks the rule. Listed by size, then by sorted ids.
    The smallest sets are the rule's weak spots: their size, less one, is
    :func:`max_tolerated_failures`. Found by enumeration over the nodes the rule
    involves, so at most :data:`ENUMERATION_LIMIT` of them (threshold rules
    included: their minimal sets are all the combinations of one size too many to
    list for thousands of nodes).
    """
    check_judged(cluster, rule)
    relevant = rule.relevant(cluster)
    _check_limit(relevant, "listing minimal failure sets")
    everyone = cluster.node_ids
    nodes = sorted(relevant)
    found: list[frozenset[str]] = []
    if not rule.satisfied(everyone):
        return [frozenset()]
    for size in range(1, len(nodes) + 1):
        for combination in itertools.combinations(nodes, size):
            failed = frozenset(combination)
            if any(known <= failed for known in found):
                continue  # a smaller set already breaks it: not minimal
            if not rule.satisfied(everyone - failed):
                found.append(failed)
    return found
