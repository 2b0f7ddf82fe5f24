"""The quorum model's own promises: what Node, Cluster and Votes refuse, how a
cluster is looked up, and how the analyses treat a rule written by the caller.

``QuorumRule`` is public and abstract, so a caller may bring a rule that the
built-in ones cannot express: one that needs no node at all (a read served by
any cache) or one that can never be met. The expected answers are worked out by
hand from the definitions in the docstrings.
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from typing import Any

import pytest

from awscore.quorum import (
    Cluster,
    KOfN,
    Node,
    QuorumInputError,
    QuorumRule,
    Votes,
    availability,
    durability,
    max_tolerated_failures,
    minimal_failure_sets,
    survives,
    unavailability,
)

# Two AZs of two nodes; every probability a Fraction so results are exact.
CLUSTER = Cluster.uniform(2, 2, Fraction(1, 10), Fraction(1, 100))


# --- Node and Cluster ------------------------------------------------------------


def test_node_reports_every_problem_at_once() -> None:
    with pytest.raises(QuorumInputError) as caught:
        Node(node_id="", domain="", p_fail=2)
    problems = caught.value.problems
    assert len(problems) == 3
    assert "node_id='' must be a non-empty string" in problems[0]
    assert "domain='' must be a non-empty string" in problems[1]
    assert "p_fail" in problems[2]


def test_node_id_and_domain_must_be_strings() -> None:
    with pytest.raises(QuorumInputError) as caught:
        Node(node_id=7, domain=None, p_fail=0)  # type: ignore[arg-type]
    assert len(caught.value.problems) == 2
    assert "node_id=7" in str(caught.value)
    assert "domain=None" in str(caught.value)


def test_cluster_names_what_is_not_a_node() -> None:
    good = Node(node_id="a", domain="az1", p_fail=0)
    with pytest.raises(QuorumInputError, match="'b' is not a Node"):
        Cluster(nodes=(good, "b"), domain_failure={"az1": 0})  # type: ignore[arg-type]


def test_cluster_looks_nodes_and_domains_up() -> None:
    assert CLUSTER.node("az2-n1") == Node(
        node_id="az2-n1", domain="az2", p_fail=Fraction(1, 10)
    )
    assert [n.node_id for n in CLUSTER.members("az1")] == ["az1-n1", "az1-n2"]
    assert CLUSTER.domains == ("az1", "az2")
    assert CLUSTER.exact
    assert not Cluster.uniform(1, 1, 0.1, Fraction(0)).exact


def test_cluster_lookups_of_unknown_names_are_typed_errors() -> None:
    with pytest.raises(QuorumInputError, match="no node has id 'az3-n1'"):
        CLUSTER.node("az3-n1")
    with pytest.raises(QuorumInputError, match="no domain is named 'az3'"):
        CLUSTER.members("az3")


# --- Votes -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("threshold", "weights", "what"),
    [
        (0, {"a": 1}, "threshold=0 must be an integer >= 1"),
        (True, {"a": 1}, "threshold=True must be an integer >= 1"),
        (1, [("a", 1)], "must be a mapping"),
        (1, {"": 1}, "node id '' must be a string"),
        (1, {3: 1}, "node id 3 must be a string"),
    ],
)
def test_votes_refusals(threshold: Any, weights: Any, what: str) -> None:
    with pytest.raises(QuorumInputError, match=what):
        Votes(threshold, weights)


def test_votes_total_and_equality_ignore_the_order_of_the_weights() -> None:
    a = Votes(3, {"x": 2, "y": 1, "z": 1})
    b = Votes(3, {"z": 1, "y": 1, "x": 2})
    assert a.total == 4
    assert a == b
    assert hash(a) == hash(b)
    assert len({a, b, Votes(2, {"x": 2, "y": 1, "z": 1})}) == 2


# --- rules written by the caller -------------------------------------------------


class _Always(QuorumRule):
    """Met whatever is up: a read any cache can serve involves no node."""

    __slots__ = ()

    def satisfied(self, up: frozenset[str]) -> bool:
        return True

    def relevant(self, cluster: Cluster) -> frozenset[str]:
        return frozenset()

    def problems(self, cluster: Cluster) -> list[str]:
        return []


class _Never(QuorumRule):
    """Never met: a quorum that needs a node the operator has retired."""

    __slots__ = ("nodes",)

    def __init__(self, nodes: frozenset[str]) -> None:
        self.nodes = nodes

    def satisfied(self, up: frozenset[str]) -> bool:
        return False

    def relevant(self, cluster: Cluster) -> frozenset[str]:
        return self.nodes

    def problems(self, cluster: Cluster) -> list[str]:
        return []


class _AnyUp(QuorumRule):
    """Met when any node of ``nodes`` is up, or, having none, always."""

    __slots__ = ("nodes",)

    def __init__(self, nodes: frozenset[str]) -> None:
        self.nodes = nodes

    def satisfied(self, up: frozenset[str]) -> bool:
        return not self.nodes or bool(self.nodes & up)

    def relevant(self, cluster: Cluster) -> frozenset[str]:
        return self.nodes

    def problems(self, cluster: Cluster) -> list[str]:
        return []


def test_rule_that_involves_no_node_is_always_available() -> None:
    rule = _Always()
    assert availability(CLUSTER, rule) == 1
    assert unavailability(CLUSTER, rule) == 0
    # Nothing can break it: every node of the cluster may fail.
    assert max_tolerated_failures(CLUSTER, rule) == 4
    assert minimal_failure_sets(CLUSTER, rule) == []
    assert survives(CLUSTER, rule, domains=2, nodes=2)


def test_rule_that_can_never_be_met() -> None:
    rule = _Never(frozenset({"az1-n1"}))
    assert availability(CLUSTER, rule) == 0
    # The docstring's -1: not met even with every node up.
    assert max_tolerated_failures(CLUSTER, rule) == -1
    # The empty set of failures already breaks it.
    assert minimal_failure_sets(CLUSTER, rule) == [frozenset()]
    assert not survives(CLUSTER, rule, domains=0, nodes=0)


def test_rule_met_by_any_of_two_nodes_in_different_azs() -> None:
    rule = _AnyUp(frozenset({"az1-n1", "az2-n1"}))
    # Down: each node down by itself or with its AZ: 1/100 + 99/100 * 1/10.
    down = Fraction(1, 100) + Fraction(99, 100) * Fraction(1, 10)
    assert availability(CLUSTER, rule) == 1 - down * down
    assert max_tolerated_failures(CLUSTER, rule) == 1
    assert minimal_failure_sets(CLUSTER, rule) == [frozenset({"az1-n1", "az2-n1"})]
    assert survives(CLUSTER, rule, domains=1, nodes=0)
    assert not survives(CLUSTER, rule, domains=1, nodes=1)


@pytest.mark.parametrize("nodes", [-1, True, 1.0])
def test_survives_refuses_a_node_count_that_is_not_a_count(nodes: Any) -> None:
    with pytest.raises(QuorumInputError, match=f"nodes={nodes!r} must be an integer"):
        survives(CLUSTER, KOfN(2), domains=1, nodes=nodes)


# --- durability inputs -----------------------------------------------------------


@pytest.mark.parametrize("afr", [True, float("nan"), 10**400, Fraction(3, 2)])
def test_durability_afr_must_be_a_finite_probability(afr: Any) -> None:
    with pytest.raises(
        QuorumInputError, match=r"afr .* must be a finite number 0\.\.1"
    ):
        durability(shards=6, lost_at=3, afr=afr, repair_hours=24)


def test_mapping_weights_may_be_any_mapping() -> None:
    class Weights(Mapping[str, int]):
        def __getitem__(self, key: str) -> int:
            return {"a": 1, "b": 2}[key]

        def __iter__(self) -> Any:
            return iter(("a", "b"))

        def __len__(self) -> int:
            return 2

    votes = Votes(2, Weights())
    assert dict(votes.weights) == {"a": 1, "b": 2}


def test_votes_survive_the_loss_of_either_az_but_not_one_more_node() -> None:
    # az1 holds 2 + 1 votes, az2 1 + 1; a write needs 2. Losing az1 leaves 1 + 1
    # (enough), losing az2 leaves 2 + 1; losing az1 and then one more node
    # leaves a single vote.
    rule = Votes(2, {"az1-n1": 2, "az1-n2": 1, "az2-n1": 1, "az2-n2": 1})
    assert survives(CLUSTER, rule, domains=1, nodes=0)
    assert not survives(CLUSTER, rule, domains=1, nodes=1)
    assert max_tolerated_failures(CLUSTER, rule) == 2
