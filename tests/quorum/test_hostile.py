# These tests pass wrong kinds of values on purpose, as an untyped caller would:
# mypy: disable-error-code="arg-type,dict-item,list-item,return-value"
"""Hostile input to the quorum module: typed errors, bounded work (issue #22)."""

from __future__ import annotations

import math
from typing import Any

import pytest

from awscore.errors import QuorumError
from awscore.quorum import (
    MAX_NODES,
    MAX_RULE_DEPTH,
    MAX_TRIALS,
    AllOf,
    AnyOf,
    Cluster,
    KOfN,
    QuorumInputError,
    QuorumRule,
    QuorumSystem,
    QuorumTooLargeError,
    Votes,
    afr_from_mttf,
    availability,
    durability,
    max_tolerated_failures,
    minimal_failure_sets,
    simulate,
    staleness_probability,
    survives,
)

AURORA = Cluster.uniform(3, 2, p_node=0.01, p_az=0.001)
HUGE = 10**5000  # past Python's 4,300-digit int-to-string limit


def _nested(depth: int, outer: type[AllOf] | type[AnyOf] = AllOf) -> QuorumRule:
    rule: QuorumRule = KOfN(4)
    for _ in range(depth - 1):
        rule = outer(rule)
    return rule


@pytest.mark.parametrize("outer", [AllOf, AnyOf])
def test_nesting_3000_deep_is_refused_while_building(outer: Any) -> None:
    """AllOf/AnyOf 3,000 deep (RecursionError in availability, survives and
    minimal_failure_sets before) is refused when level MAX_RULE_DEPTH + 1 is built."""
    rule: QuorumRule = KOfN(4)
    refused: list[QuorumInputError] = []
    for _ in range(3000):
        try:
            rule = outer(rule)
        except QuorumInputError as error:
            refused.append(error)
    assert len(refused) == 3000 - MAX_RULE_DEPTH
    assert "would nest 101 rules deep" in str(refused[0])
    assert isinstance(refused[0], ValueError)
    assert isinstance(rule, outer)
    assert rule.depth == MAX_RULE_DEPTH


def test_the_deepest_rule_allowed_is_judged_without_recursion_errors() -> None:
    """At exactly MAX_RULE_DEPTH every analysis still answers."""
    rule = _nested(MAX_RULE_DEPTH + 1)  # KOfN at the bottom, 100 composites above
    assert isinstance(rule, AllOf)
    assert rule.depth == MAX_RULE_DEPTH
    assert availability(AURORA, rule) == availability(AURORA, KOfN(4))
    assert survives(AURORA, rule, domains=1, nodes=0)
    assert not survives(AURORA, rule, domains=1, nodes=1)
    assert len(minimal_failure_sets(AURORA, rule)) == math.comb(6, 3)
    assert max_tolerated_failures(AURORA, rule) == 2


def test_max_depth_is_configurable() -> None:
    """``max_depth`` lowers or raises the bound for one composite."""
    with pytest.raises(QuorumInputError, match="max_depth allows at most 1"):
        AllOf(AllOf(KOfN(1)), max_depth=1)
    assert AllOf(_nested(MAX_RULE_DEPTH + 1), max_depth=MAX_RULE_DEPTH + 1).depth == (
        MAX_RULE_DEPTH + 1
    )
    with pytest.raises(QuorumInputError, match="max_depth=0 must be an integer"):
        AnyOf(KOfN(1), max_depth=0)


def test_uniform_refuses_a_million_azs_before_building_nodes() -> None:
    """Cluster.uniform(10**6, 3) ran for as long as it liked; now a typed error."""
    with pytest.raises(QuorumTooLargeError, match="more than 10000 nodes") as info:
        Cluster.uniform(10**6, 3, p_node=0.01, p_az=0.001)
    assert (info.value.limit, info.value.nodes) == (MAX_NODES, 3 * 10**6)
    assert isinstance(info.value, ValueError)
    with pytest.raises(QuorumTooLargeError):
        Cluster.uniform(HUGE, HUGE, p_node=0.01, p_az=0.001)
    with pytest.raises(QuorumTooLargeError):
        Cluster.uniform(3, 2, p_node=0.01, p_az=0.001, max_nodes=5)
    assert len(Cluster.uniform(3, 2, p_node=0.01, p_az=0.001, max_nodes=6).nodes) == 6


def test_cluster_counts_its_nodes_against_max_nodes() -> None:
    """A Cluster built directly is bounded too, without reading past the bound."""
    nodes = AURORA.nodes
    with pytest.raises(QuorumTooLargeError, match="more than 5 nodes") as info:
        Cluster(nodes=nodes, domain_failure=AURORA.domain_failure, max_nodes=5)
    assert info.value.nodes == 6  # it stopped reading at max_nodes + 1
    with pytest.raises(QuorumInputError, match="max_nodes=True must be an integer"):
        Cluster(nodes=nodes, domain_failure=AURORA.domain_failure, max_nodes=True)


@pytest.mark.parametrize(
    ("nodes", "domain_failure", "message"),
    [
        (5, {}, "Cluster nodes=5 must be a sequence of Node values"),
        ("az1-n1", {}, "Cluster nodes='az1-n1' must be a sequence"),
        (AURORA.nodes, [("az1", 0.1)], "domain_failure=.* must be a mapping"),
    ],
)
def test_cluster_refuses_wrong_shapes(
    nodes: Any, domain_failure: Any, message: str
) -> None:
    """Wrong shapes are typed errors naming the argument, not TypeErrors."""
    with pytest.raises(QuorumInputError, match=message):
        Cluster(nodes=nodes, domain_failure=domain_failure)


def test_simulate_refuses_a_billion_trials() -> None:
    """simulate(trials=10**9) ran for as long as it liked; now a typed error."""
    with pytest.raises(QuorumInputError, match="above max_trials=10000000"):
        simulate(AURORA, KOfN(4), trials=10**9)
    assert MAX_TRIALS == 10_000_000
    with pytest.raises(QuorumInputError, match="above max_trials=10"):
        simulate(AURORA, KOfN(4), trials=11, max_trials=10)
    assert simulate(AURORA, KOfN(4), trials=10, max_trials=10).trials == 10


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"seed": "x"}, "seed must be an integer, not 'x'"),
        ({"seed": 1.5}, "seed must be an integer"),
        ({"max_trials": 0}, "max_trials must be an integer >= 1"),
        ({"trials": HUGE}, "trials=<an integer of about 5,001 digits> is above"),
    ],
)
def test_simulate_refusals(kwargs: dict[str, Any], message: str) -> None:
    """Each bad keyword is named in a QuorumInputError."""
    with pytest.raises(QuorumInputError, match=message):
        simulate(AURORA, KOfN(4), **kwargs)


@pytest.mark.parametrize(
    "call",
    [
        lambda: availability(5, KOfN(1)),
        lambda: availability(AURORA, "KOfN(4)"),
        lambda: survives(AURORA, None),
        lambda: minimal_failure_sets([], KOfN(1)),
        lambda: max_tolerated_failures(AURORA, 4),
        lambda: simulate(AURORA, 4),
        lambda: QuorumSystem(read=KOfN(3), write=4).check(AURORA),
    ],
)
def test_wrong_kinds_of_arguments_are_typed_errors(call: Any) -> None:
    """A cluster or rule of the wrong kind is a QuorumInputError, not an
    AttributeError from deep inside."""
    with pytest.raises(QuorumInputError, match="must be a"):
        call()


def test_lookups_with_unhashable_names_are_typed_errors() -> None:
    """``node([])`` and ``members({})`` raised TypeError (unhashable)."""
    with pytest.raises(QuorumInputError, match=r"no node has id \[\]"):
        AURORA.node([])
    with pytest.raises(QuorumInputError, match=r"no domain is named \{\}"):
        AURORA.members({})


def test_huge_integers_are_named_without_printing_them() -> None:
    """A 5,000-digit integer in a message raised ValueError (int-to-string limit)."""
    rule = KOfN(HUGE)
    with pytest.raises(QuorumInputError, match="k=<an integer of about 5,001 digits>"):
        availability(AURORA, rule)
    with pytest.raises(QuorumInputError, match="about 5,001 digits"):
        Votes(HUGE, {"az1-n1": 1})
    with pytest.raises(QuorumInputError, match="about 5,001 digits"):
        durability(shards=HUGE, lost_at=1, afr=0.1, repair_hours=24)
    with pytest.raises(QuorumInputError, match="out of range"):
        durability(shards=6, lost_at=3, afr=0.1, repair_hours=24, groups=10**400)
    with pytest.raises(QuorumInputError, match="about 5,001 digits"):
        staleness_probability(HUGE, 1, 1)


def test_a_tiny_mttf_means_certain_failure() -> None:
    """``mttf_hours=1e-320`` (8760 / MTTF overflows to inf) is an AFR of exactly 1:
    a node that fails at once fails within the year."""
    assert afr_from_mttf(1e-320) == 1.0
    report = durability(shards=6, lost_at=3, mttf_hours=1e-320, repair_hours=24)
    # λ = 1 per year over a 1-day repair window: 1 - exp(-1/365)
    assert report.shard_failure == pytest.approx(1 - math.exp(-1 / 365))
    assert 0 < report.per_year_all_groups < 1


def test_huge_shard_counts_are_refused_not_overflowed() -> None:
    """shards=10**6 raised OverflowError (C(n, i) beyond the float range)."""
    with pytest.raises(QuorumInputError, match=r"shards 1000000 is out of range"):
        durability(shards=10**6, lost_at=3, afr=0.1, repair_hours=24)


def test_quorum_errors_share_the_module_base() -> None:
    """Every refusal above is a QuorumError, so one except clause catches them."""
    assert issubclass(QuorumInputError, QuorumError)
    assert issubclass(QuorumTooLargeError, QuorumError)


@pytest.mark.parametrize(
    "call",
    [
        lambda rule: rule.satisfied({"az1-n1"}),
        lambda rule: rule.relevant("cluster"),
        lambda rule: rule.problems(None),
    ],
    ids=["satisfied", "relevant", "problems"],
)
@pytest.mark.parametrize(
    "rule",
    [KOfN(3), Votes(1, {"az1-n1": 1}), AllOf(KOfN(3)), AnyOf(KOfN(3))],
    ids=["KOfN", "Votes", "AllOf", "AnyOf"],
)
def test_the_rule_protocol_refuses_wrong_kinds(rule: QuorumRule, call: Any) -> None:
    """satisfied takes a frozenset of ids, relevant and problems a Cluster."""
    with pytest.raises(QuorumInputError, match="must be a"):
        call(rule)


def test_votes_over_many_domains_bound_the_choices_survives_tries() -> None:
    """survives(domains=d) over Votes tries every d of the domains: C(n, d) is
    bounded by MAX_DOMAIN_CHOICES."""
    cluster = Cluster.uniform(40, 1, p_node=0.01, p_az=0.01)
    rule = Votes(10, {n.node_id: 1 for n in cluster.nodes})
    with pytest.raises(QuorumTooLargeError, match="choices, above the limit"):
        survives(cluster, rule, domains=20, nodes=0)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"exact": "0.5"}, "exact='0.5' must be a probability"),
        ({"exact": 2}, "exact=2 must be a probability"),
        ({"exact": 0.5, "sigmas": -1}, "sigmas=-1 must be a number from 0 to 1e9"),
        ({"exact": 0.5, "sigmas": 10**400}, "must be a number from 0 to 1e9"),
    ],
)
def test_agrees_with_refusals(kwargs: dict[str, Any], message: str) -> None:
    """SimulationResult.agrees_with compared a str with floats (TypeError)."""
    result = simulate(AURORA, KOfN(4), trials=10)
    with pytest.raises(QuorumInputError, match=message):
        result.agrees_with(**kwargs)


def test_staleness_limits_must_be_counts() -> None:
    """max_replicas and max_versions are checked before they are used."""
    with pytest.raises(QuorumInputError, match="max_replicas 0 is out of range"):
        staleness_probability(3, 1, 1, max_replicas=0)
