"""Quorum rules as expressions: k of n, weighted votes, and their conjunctions.

Every rule is *monotone*: if a set of up nodes satisfies it, so does any superset.
The analyses in :mod:`awscore.quorum._availability` rely on that.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import NoReturn, cast

from awscore._inputs import shown
from awscore.quorum._model import Cluster, QuorumInputError

__all__ = ["MAX_RULE_DEPTH", "AllOf", "AnyOf", "KOfN", "QuorumRule", "Votes"]

MAX_RULE_DEPTH = 100
"""How deeply :class:`AllOf` and :class:`AnyOf` may nest (``max_depth`` default).

A rule is judged by walking it recursively; the bound is checked when a composite
is built, so no analysis can exhaust the interpreter's stack. Real quorum sets
nest two or three levels.
"""


class QuorumRule(ABC):
    """A monotone condition on the set of nodes that are up."""

    __slots__ = ()

    @abstractmethod
    def satisfied(self, up: frozenset[str]) -> bool:
        """Whether the nodes ``up`` meet the rule."""

    @abstractmethod
    def relevant(self, cluster: Cluster) -> frozenset[str]:
        """The node ids whose state can change the rule's outcome on ``cluster``."""

    @abstractmethod
    def problems(self, cluster: Cluster) -> list[str]:
        """Every reason the rule cannot be judged on ``cluster`` (empty if none)."""

    def validate(self, cluster: Cluster) -> None:
        """Raise :class:`QuorumInputError` listing every problem on ``cluster``.

        Problems: node ids the cluster does not have, a k or vote threshold above
        what the cluster's nodes can reach.
        """
        problems = self.problems(cluster)
        if problems:
            raise QuorumInputError(problems)


def _not_up(up: object) -> NoReturn:
    raise QuorumInputError([f"up={shown(up)} must be a frozenset of node ids"])


def _not_cluster(cluster: object) -> NoReturn:
    raise QuorumInputError([f"cluster={shown(cluster)} must be a Cluster"])


def check_judged(cluster: object, rule: object) -> None:
    """Raise :class:`QuorumInputError` unless ``rule`` can be judged on ``cluster``.

    Checks the arguments' kinds (callers may not be type-checked), then
    :meth:`QuorumRule.validate`.
    """
    problems = []
    if not isinstance(cluster, Cluster):
        problems.append(f"cluster={shown(cluster)} must be a Cluster")
    if not isinstance(rule, QuorumRule):
        problems.append(
            f"rule={shown(rule)} must be a quorum rule (KOfN, Votes, AllOf, AnyOf)"
        )
    if problems:
        raise QuorumInputError(problems)
    assert isinstance(rule, QuorumRule)
    assert isinstance(cluster, Cluster)
    rule.validate(cluster)


def _unknown(nodes: Collection[str], cluster: Cluster, rule: str) -> list[str]:
    known = cluster.node_ids
    return [
        f"{rule} names unknown node {shown(node_id)}"
        for node_id in sorted(nodes)
        if node_id not in known
    ]


@dataclass(frozen=True, slots=True)
class KOfN(QuorumRule):
    """At least ``k`` of the nodes ``nodes`` (of every node when None) are up.

    ``KOfN(4)`` is Aurora's write quorum over its 6 copies, ``KOfN(3)`` its read
    quorum. Raises :class:`QuorumInputError` for ``k < 1``, an empty or
    string-valued ``nodes``, or ``k`` above ``len(nodes)``.
    """

    k: int
    nodes: Collection[str] | None = None

    def __post_init__(self) -> None:
        problems: list[str] = []
        if isinstance(self.k, bool) or not isinstance(self.k, int) or self.k < 1:
            problems.append(f"KOfN k={shown(self.k)} must be an integer >= 1")
        given: object = self.nodes  # checked: callers may not be type-checked
        nodes: frozenset[str] | None = None
        if given is not None:
            if (
                isinstance(given, str)
                or not isinstance(given, Collection)
                or not all(isinstance(n, str) for n in given)
            ):
                problems.append(
                    f"KOfN nodes={shown(given)} must be a collection of node id strings"
                )
            else:
                nodes = frozenset(given)
                if not nodes:
                    problems.append("KOfN nodes must not be empty")
                elif isinstance(self.k, int) and self.k > len(nodes):
                    problems.append(
                        f"KOfN k={shown(self.k)} is above the {len(nodes)} nodes "
                        "it names"
                    )
        if problems:
            raise QuorumInputError(problems)
        object.__setattr__(self, "nodes", nodes)

    @property
    def node_set(self) -> frozenset[str] | None:
        """The rule's nodes as a frozenset (``nodes`` is stored as one)."""
        return cast("frozenset[str] | None", self.nodes)

    def satisfied(self, up: frozenset[str]) -> bool:
        """Whether at least k of the rule's nodes are in ``up``."""
        if type(up) is not frozenset:
            _not_up(up)
        nodes = self.node_set
        if nodes is None:
            return len(up) >= self.k
        return len(nodes & up) >= self.k

    def relevant(self, cluster: Cluster) -> frozenset[str]:
        """The rule's nodes, or every node of ``cluster``."""
        if not isinstance(cluster, Cluster):
            _not_cluster(cluster)
        nodes = self.node_set
        return cluster.node_ids if nodes is None else nodes

    def problems(self, cluster: Cluster) -> list[str]:
        """Unknown node ids; k above the cluster's nodes."""
        if not isinstance(cluster, Cluster):
            _not_cluster(cluster)
        if self.nodes is not None:
            return _unknown(self.nodes, cluster, f"KOfN({shown(self.k)})")
        if self.k > len(cluster.nodes):
            return [
                f"KOfN k={shown(self.k)} is above the {len(cluster.nodes)} nodes "
                "of the cluster"
            ]
        return []


@dataclass(frozen=True, slots=True)
class Votes(QuorumRule):
    """The up nodes' votes add up to at least ``threshold`` (Gifford, 1979).

    ``weights`` maps node ids to non-negative integer votes; nodes not named have
    no vote. Raises :class:`QuorumInputError` for a threshold below 1, a negative
    or non-integer weight, or a threshold above the total of the votes.
    """

    threshold: int
    weights: Mapping[str, int]

    def __post_init__(self) -> None:
        problems: list[str] = []
        t = self.threshold
        if isinstance(t, bool) or not isinstance(t, int) or t < 1:
            problems.append(f"Votes threshold={shown(t)} must be an integer >= 1")
        weights: dict[str, int] = {}
        given: object = self.weights  # checked: callers may not be type-checked
        if not isinstance(given, Mapping):
            problems.append(f"Votes weights={shown(given)} must be a mapping")
        else:
            for node_id, w in given.items():
                if not isinstance(node_id, str) or not node_id:
                    problems.append(f"Votes node id {shown(node_id)} must be a string")
                elif isinstance(w, bool) or not isinstance(w, int) or w < 0:
                    problems.append(
                        f"Votes weight {shown(w)} of node {shown(node_id)} must be "
                        "an integer >= 0"
                    )
                else:
                    weights[node_id] = w
            total = sum(weights.values())
            if not problems and t > total:
                problems.append(
                    f"Votes threshold={shown(t)} is above the {shown(total)} votes "
                    "in weights"
                )
        if problems:
            raise QuorumInputError(problems)
        object.__setattr__(self, "weights", MappingProxyType(weights))

    def __hash__(self) -> int:
        return hash((self.threshold, frozenset(self.weights.items())))

    @property
    def total(self) -> int:
        """The sum of every vote."""
        return sum(self.weights.values())

    def satisfied(self, up: frozenset[str]) -> bool:
        """Whether the votes of the nodes in ``up`` reach the threshold."""
        if type(up) is not frozenset:
            _not_up(up)
        return sum(w for n, w in self.weights.items() if n in up) >= self.threshold

    def relevant(self, cluster: Cluster) -> frozenset[str]:
        """The nodes with at least one vote."""
        if not isinstance(cluster, Cluster):
            _not_cluster(cluster)
        return frozenset(n for n, w in self.weights.items() if w > 0)

    def problems(self, cluster: Cluster) -> list[str]:
        """Unknown node ids."""
        if not isinstance(cluster, Cluster):
            _not_cluster(cluster)
        return _unknown(self.weights, cluster, f"Votes({shown(self.threshold)})")


def _depth(rule: QuorumRule) -> int:
    return rule.depth if isinstance(rule, AllOf | AnyOf) else 0


def _check_parts(name: str, rules: tuple[QuorumRule, ...], max_depth: object) -> int:
    """The depth of a composite of ``rules``, after checking parts and depth."""
    if isinstance(max_depth, bool) or not isinstance(max_depth, int) or max_depth < 1:
        raise QuorumInputError(
            [f"max_depth={shown(max_depth)} must be an integer >= 1"]
        )
    problems: list[str] = []
    if not rules:
        problems.append(f"{name} needs at least one rule")
    problems.extend(
        f"{name} part {shown(rule)} is not a quorum rule"
        for rule in rules
        if not isinstance(rule, QuorumRule)
    )
    if problems:
        raise QuorumInputError(problems)
    depth = 1 + max(_depth(rule) for rule in rules)
    if depth > max_depth:
        raise QuorumInputError(
            [
                f"{name} would nest {depth} rules deep: max_depth allows at most "
                f"{max_depth} (MAX_RULE_DEPTH is {MAX_RULE_DEPTH})"
            ]
        )
    return depth


@dataclass(frozen=True, slots=True, init=False)
class AllOf(QuorumRule):
    """Every one of ``rules`` is met (a quorum set's conjunction).

    Aurora's write quorum while replacing F by G is
    ``AllOf(KOfN(4, ABCDEF), KOfN(4, ABCDEG))`` (Verbitski et al., SIGMOD 2018).
    ``depth`` counts the levels of nesting (1 over threshold rules only); nesting
    deeper than ``max_depth`` (:data:`MAX_RULE_DEPTH`) raises
    :class:`QuorumInputError`.
    """

    rules: tuple[QuorumRule, ...]
    depth: int = field(repr=False, compare=False)

    def __init__(self, *rules: QuorumRule, max_depth: int = MAX_RULE_DEPTH) -> None:
        depth = _check_parts("AllOf", rules, max_depth)
        object.__setattr__(self, "rules", rules)
        object.__setattr__(self, "depth", depth)

    def satisfied(self, up: frozenset[str]) -> bool:
        """Whether every part is met."""
        if type(up) is not frozenset:
            _not_up(up)
        return all(rule.satisfied(up) for rule in self.rules)

    def relevant(self, cluster: Cluster) -> frozenset[str]:
        """The union of the parts' relevant nodes."""
        if not isinstance(cluster, Cluster):
            _not_cluster(cluster)
        return frozenset().union(*(r.relevant(cluster) for r in self.rules))

    def problems(self, cluster: Cluster) -> list[str]:
        """The parts' problems."""
        if not isinstance(cluster, Cluster):
            _not_cluster(cluster)
        return [p for rule in self.rules for p in rule.problems(cluster)]


@dataclass(frozen=True, slots=True, init=False)
class AnyOf(QuorumRule):
    """At least one of ``rules`` is met (a quorum set's disjunction).

    Aurora's read quorum while replacing F by G is
    ``AnyOf(KOfN(3, ABCDEF), KOfN(3, ABCDEG))`` (Verbitski et al., SIGMOD 2018).
    ``depth`` and ``max_depth`` are as for :class:`AllOf`.
    """

    rules: tuple[QuorumRule, ...]
    depth: int = field(repr=False, compare=False)

    def __init__(self, *rules: QuorumRule, max_depth: int = MAX_RULE_DEPTH) -> None:
        depth = _check_parts("AnyOf", rules, max_depth)
        object.__setattr__(self, "rules", rules)
        object.__setattr__(self, "depth", depth)

    def satisfied(self, up: frozenset[str]) -> bool:
        """Whether some part is met."""
        if type(up) is not frozenset:
            _not_up(up)
        return any(rule.satisfied(up) for rule in self.rules)

    def relevant(self, cluster: Cluster) -> frozenset[str]:
        """The union of the parts' relevant nodes."""
        if not isinstance(cluster, Cluster):
            _not_cluster(cluster)
        return frozenset().union(*(r.relevant(cluster) for r in self.rules))

    def problems(self, cluster: Cluster) -> list[str]:
        """The parts' problems."""
        if not isinstance(cluster, Cluster):
            _not_cluster(cluster)
        return [p for rule in self.rules for p in rule.problems(cluster)]
