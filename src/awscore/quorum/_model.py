"""Nodes, failure domains and clusters: the failure model quorum rules are judged on.

Every node fails independently with its own probability; every failure domain (an
Availability Zone) fails whole, independently, with its own probability, taking all
its nodes with it. A node is *up* when neither it nor its domain has failed.
"""

from __future__ import annotations

import itertools
import math
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from types import MappingProxyType

from awscore._inputs import shown
from awscore.errors import QuorumInputError, QuorumTooLargeError, UnsafeQuorumError

__all__ = [
    "MAX_NODES",
    "Cluster",
    "Node",
    "Probability",
    "QuorumInputError",
    "QuorumTooLargeError",
    "UnsafeQuorumError",
]

Probability = Fraction | float
"""A probability: exact as a :class:`~fractions.Fraction`, approximate as a float."""

MAX_NODES = 10_000
"""The most nodes a :class:`Cluster` may have (its ``max_nodes`` default).

Exact threshold availability costs ``O(n * min(k, n - k))``: ten thousand nodes is
already seconds of work, far past any real replica set; pass ``max_nodes`` to
allow more.
"""

_ACCEPTED = "must be a finite probability in [0, 1] (a Fraction, float or 0/1)"


def _probability_problem(what: str, value: object) -> str | None:
    """Why ``value`` is not a probability, or None when it is one."""
    if isinstance(value, bool) or not isinstance(value, int | float | Fraction):
        return f"{what}={shown(value)} is not a number: {_ACCEPTED}"
    if isinstance(value, float) and not math.isfinite(value):
        return f"{what}={shown(value)} is not finite: {_ACCEPTED}"
    if not 0 <= value <= 1:
        return f"{what}={shown(value)} is out of range: {_ACCEPTED}"
    return None


def _normalize(value: float | Fraction) -> Probability:
    """An int (0 or 1) becomes an exact Fraction; floats and Fractions stay."""
    if isinstance(value, int):
        return Fraction(value)
    return value


@dataclass(frozen=True, slots=True, kw_only=True)
class Node:
    """One replica: its id, the failure domain it lives in, its failure probability.

    Raises :class:`QuorumInputError` for an empty id or domain, or a ``p_fail`` that
    is not a finite probability in [0, 1]. An ``int`` 0 or 1 is stored as a Fraction.
    """

    node_id: str
    domain: str
    p_fail: Probability

    def __post_init__(self) -> None:
        problems: list[str] = []
        if not isinstance(self.node_id, str) or not self.node_id:
            problems.append(f"node_id={shown(self.node_id)} must be a non-empty string")
        if not isinstance(self.domain, str) or not self.domain:
            problems.append(
                f"Node {shown(self.node_id)} domain={shown(self.domain)} must be a "
                "non-empty string"
            )
        problem = _probability_problem(
            f"Node {shown(self.node_id)} p_fail", self.p_fail
        )
        if problem is not None:
            problems.append(problem)
        if problems:
            raise QuorumInputError(problems)
        object.__setattr__(self, "p_fail", _normalize(self.p_fail))


@dataclass(frozen=True, slots=True, kw_only=True)
class Cluster:
    """Nodes in failure domains, with each domain's probability of failing whole.

    ``domain_failure`` maps every domain to its failure probability. Raises
    :class:`QuorumInputError` listing every problem: no nodes, duplicate node ids, a
    node in a domain with no failure probability, a domain with no nodes, a
    probability that is not finite or outside [0, 1]; and
    :class:`QuorumTooLargeError` for more than ``max_nodes`` nodes
    (:data:`MAX_NODES` unless given).
    """

    nodes: tuple[Node, ...]
    domain_failure: Mapping[str, Probability] = field(hash=False)
    max_nodes: int = field(default=MAX_NODES, repr=False, compare=False, hash=False)
    _by_id: Mapping[str, Node] = field(
        init=False, repr=False, compare=False, hash=False
    )
    _members: Mapping[str, tuple[Node, ...]] = field(
        init=False, repr=False, compare=False, hash=False
    )

    def __post_init__(self) -> None:
        limit = _check_max_nodes(self.max_nodes)
        given: object = self.nodes  # checked: callers may not be type-checked
        if isinstance(given, str | bytes) or not isinstance(given, Iterable):
            raise QuorumInputError(
                [f"Cluster nodes={shown(given)} must be a sequence of Node values"]
            )
        nodes = tuple(itertools.islice(given, min(limit, sys.maxsize - 1) + 1))
        if len(nodes) > limit:
            msg = (
                f"Cluster has more than {limit:,} nodes: max_nodes allows at most "
                f"{limit:,}"
            )
            raise QuorumTooLargeError(msg, limit=limit, nodes=len(nodes))
        failure: object = self.domain_failure
        if not isinstance(failure, Mapping):
            raise QuorumInputError(
                [
                    f"Cluster domain_failure={shown(failure)} must be a mapping of "
                    "domain name to failure probability"
                ]
            )
        problems: list[str] = []
        if not nodes:
            problems.append("a cluster needs at least one node")
        by_id: dict[str, Node] = {}
        members: dict[str, list[Node]] = {}
        for candidate in nodes:
            node: object = candidate  # checked: callers may not be type-checked
            if not isinstance(node, Node):
                problems.append(f"{shown(node)} is not a Node")
                continue
            if node.node_id in by_id:
                problems.append(f"duplicate node id {shown(node.node_id)}")
            by_id[node.node_id] = node
            members.setdefault(node.domain, []).append(node)
        domain_failure: dict[str, Probability] = {}
        for domain, p in dict(failure).items():
            problem = _probability_problem(f"domain {shown(domain)} failure", p)
            if problem is not None:
                problems.append(problem)
            elif not isinstance(domain, str) or domain not in members:
                problems.append(f"domain {shown(domain)} is empty: it has no nodes")
            else:
                domain_failure[domain] = _normalize(p)
        problems.extend(
            f"domain {shown(domain)} (of node {shown(group[0].node_id)}) has no "
            "failure probability in domain_failure"
            for domain, group in members.items()
            if domain not in failure
        )
        if problems:
            raise QuorumInputError(problems)
        object.__setattr__(self, "nodes", nodes)
        object.__setattr__(self, "domain_failure", MappingProxyType(domain_failure))
        object.__setattr__(self, "_by_id", MappingProxyType(by_id))
        object.__setattr__(
            self,
            "_members",
            MappingProxyType({d: tuple(group) for d, group in members.items()}),
        )

    @classmethod
    def uniform(
        cls,
        azs: int,
        nodes_per_az: int,
        p_node: float | Fraction,
        p_az: float | Fraction,
        *,
        max_nodes: int = MAX_NODES,
    ) -> Cluster:
        """``azs`` domains ``az1``, ``az2``, ... of ``nodes_per_az`` nodes each.

        Nodes are named ``az1-n1``, ``az1-n2``, ...; each fails with ``p_node``,
        each AZ with ``p_az``. Aurora's volume is ``Cluster.uniform(3, 2, p, q)``.
        Raises :class:`QuorumTooLargeError` before building anything when
        ``azs * nodes_per_az`` exceeds ``max_nodes``.
        """
        limit = _check_max_nodes(max_nodes)
        problems = [
            f"{name}={shown(value)} must be an integer >= 1"
            for name, value in (("azs", azs), ("nodes_per_az", nodes_per_az))
            if isinstance(value, bool) or not isinstance(value, int) or value < 1
        ]
        if problems:
            raise QuorumInputError(problems)
        if azs * nodes_per_az > limit:
            msg = (
                f"Cluster.uniform({shown(azs)}, {shown(nodes_per_az)}) would have "
                f"more than {shown(limit)} nodes: max_nodes allows at most that many"
            )
            raise QuorumTooLargeError(msg, limit=limit, nodes=azs * nodes_per_az)
        nodes = tuple(
            Node(node_id=f"az{a}-n{n}", domain=f"az{a}", p_fail=p_node)
            for a in range(1, azs + 1)
            for n in range(1, nodes_per_az + 1)
        )
        return cls(
            nodes=nodes,
            domain_failure={f"az{a}": p_az for a in range(1, azs + 1)},
            max_nodes=limit,
        )

    @property
    def node_ids(self) -> frozenset[str]:
        """The ids of every node."""
        return frozenset(self._by_id)

    @property
    def domains(self) -> tuple[str, ...]:
        """The domains, in the order their first node appears."""
        return tuple(self._members)

    @property
    def exact(self) -> bool:
        """Whether every probability is a Fraction (so results are exact)."""
        return all(isinstance(n.p_fail, Fraction) for n in self.nodes) and all(
            isinstance(p, Fraction) for p in self.domain_failure.values()
        )

    def node(self, node_id: str) -> Node:
        """The node with this id; :class:`QuorumInputError` if there is none."""
        try:
            return self._by_id[node_id]
        except (KeyError, TypeError):  # TypeError: an unhashable id
            raise QuorumInputError([f"no node has id {shown(node_id)}"]) from None

    def members(self, domain: str) -> tuple[Node, ...]:
        """The nodes of ``domain``; :class:`QuorumInputError` if it is unknown."""
        try:
            return self._members[domain]
        except (KeyError, TypeError):  # TypeError: an unhashable name
            raise QuorumInputError([f"no domain is named {shown(domain)}"]) from None


def _check_max_nodes(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise QuorumInputError([f"max_nodes={shown(value)} must be an integer >= 1"])
    return value
