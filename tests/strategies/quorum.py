"""Hypothesis strategies for quorum clusters and rules, and a brute-force oracle."""

from __future__ import annotations

import itertools
from fractions import Fraction

from hypothesis import strategies as st

from awscore.quorum import (
    AllOf,
    AnyOf,
    Cluster,
    KOfN,
    Node,
    QuorumRule,
    Votes,
)

probabilities = st.fractions(min_value=0, max_value=1, max_denominator=12)


@st.composite
def clusters(draw: st.DrawFn, *, max_nodes: int = 8, max_domains: int = 3) -> Cluster:
    """A cluster of 1..max_domains non-empty domains, exact Fraction probabilities."""
    n_domains = draw(st.integers(min_value=1, max_value=max_domains))
    n_nodes = draw(st.integers(min_value=n_domains, max_value=max_nodes))
    # Every domain gets one node; the rest go anywhere.
    homes = list(range(n_domains)) + draw(
        st.lists(
            st.integers(min_value=0, max_value=n_domains - 1),
            min_size=n_nodes - n_domains,
            max_size=n_nodes - n_domains,
        )
    )
    nodes = tuple(
        Node(node_id=f"n{i}", domain=f"d{home}", p_fail=draw(probabilities))
        for i, home in enumerate(homes)
    )
    return Cluster(
        nodes=nodes,
        domain_failure={f"d{d}": draw(probabilities) for d in range(n_domains)},
    )


@st.composite
def threshold_rules(draw: st.DrawFn, cluster: Cluster) -> QuorumRule:
    """A KOfN over all nodes or a subset, or a Votes rule, that fits ``cluster``."""
    ids = sorted(cluster.node_ids)
    kind = draw(st.sampled_from(["all", "subset", "votes"]))
    if kind == "all":
        return KOfN(draw(st.integers(min_value=1, max_value=len(ids))))
    if kind == "subset":
        subset = draw(st.lists(st.sampled_from(ids), min_size=1, unique=True))
        return KOfN(draw(st.integers(min_value=1, max_value=len(subset))), subset)
    weights = draw(
        st.dictionaries(
            st.sampled_from(ids), st.integers(min_value=0, max_value=4), min_size=1
        ).filter(lambda w: sum(w.values()) > 0)
    )
    threshold = draw(st.integers(min_value=1, max_value=sum(weights.values())))
    return Votes(threshold, weights)


@st.composite
def rules(draw: st.DrawFn, cluster: Cluster, *, depth: int = 2) -> QuorumRule:
    """A threshold rule, or AllOf / AnyOf of up to three rules, over ``cluster``."""
    if depth == 0 or draw(st.booleans()):
        return draw(threshold_rules(cluster))
    parts = draw(st.lists(rules(cluster, depth=depth - 1), min_size=1, max_size=3))
    combine = draw(st.sampled_from([AllOf, AnyOf]))
    return combine(*parts)


def brute_force_availability(cluster: Cluster, rule: QuorumRule) -> Fraction:
    """P(rule met), summing over every state of every node and every domain."""
    nodes = cluster.nodes
    domains = cluster.domains
    total = Fraction(0)
    for domain_down in itertools.product((False, True), repeat=len(domains)):
        p_domains = Fraction(1)
        down_domains = set()
        for d, down in zip(domains, domain_down, strict=True):
            p = Fraction(cluster.domain_failure[d])
            p_domains *= p if down else 1 - p
            if down:
                down_domains.add(d)
        if not p_domains:
            continue
        for node_down in itertools.product((False, True), repeat=len(nodes)):
            p_state = p_domains
            up: set[str] = set()
            for node, down in zip(nodes, node_down, strict=True):
                p = Fraction(node.p_fail)
                p_state *= p if down else 1 - p
                if not down and node.domain not in down_domains:
                    up.add(node.node_id)
            if p_state and rule.satisfied(frozenset(up)):
                total += p_state
    return total
