"""Availability, fault tolerance and intersection of quorum rules."""

from __future__ import annotations

import dataclasses
import itertools
import math
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from awscore.errors import QuorumError
from awscore.quorum import (
    ENUMERATION_LIMIT,
    AllOf,
    AnyOf,
    Cluster,
    KOfN,
    Node,
    QuorumInputError,
    QuorumRule,
    QuorumSystem,
    QuorumTooLargeError,
    UnsafeQuorumError,
    Votes,
    availability,
    max_tolerated_failures,
    survives,
    unavailability,
)
from tests.strategies.quorum import (
    brute_force_availability,
    clusters,
    probabilities,
    rules,
    threshold_rules,
)

ABCDEF = frozenset("ABCDEF")
ABCDEG = frozenset("ABCDEG")


def aurora(p_node: float | Fraction = 0.01, p_az: float | Fraction = 0.001) -> Cluster:
    """Aurora's volume: 6 copies, 2 in each of 3 AZs."""
    return Cluster.uniform(3, 2, p_node, p_az)


def membership_cluster() -> Cluster:
    """Copies A..G in 3 AZs while G replaces F (Verbitski et al., SIGMOD 2018)."""
    homes = {"A": "az1", "B": "az1", "C": "az2", "D": "az2", "E": "az3"}
    homes |= {"F": "az3", "G": "az3"}
    return Cluster(
        nodes=tuple(
            Node(node_id=n, domain=d, p_fail=Fraction(1, 100)) for n, d in homes.items()
        ),
        domain_failure=dict.fromkeys(("az1", "az2", "az3"), Fraction(1, 1000)),
    )


def fails(cluster: Cluster, up: frozenset[str], rule: QuorumRule) -> bool:
    """Whether ``rule`` is unmet with only ``up`` alive (restricted to the cluster)."""
    return not rule.satisfied(up & cluster.node_ids)


# --- exactness against brute force -----------------------------------------------


@given(st.data())
def test_threshold_availability_equals_brute_force(data: st.DataObject) -> None:
    """The per-domain generating functions give exactly the probability obtained
    by summing over every state of every node and every domain."""
    cluster = data.draw(clusters())
    rule = data.draw(threshold_rules(cluster))
    result = availability(cluster, rule)
    assert isinstance(result, Fraction)
    assert result == brute_force_availability(cluster, rule)


@given(st.data())
def test_composite_availability_equals_brute_force(data: st.DataObject) -> None:
    """AllOf / AnyOf enumeration is exact: it equals the sum over all states."""
    cluster = data.draw(clusters())
    rule = data.draw(rules(cluster))
    assert availability(cluster, rule) == brute_force_availability(cluster, rule)


@given(st.data())
def test_float_inputs_give_float_close_to_exact(data: st.DataObject) -> None:
    """Fractions in, exact Fraction out; any float in, a float out, close to it."""
    exact = data.draw(clusters())
    rule = data.draw(rules(exact))
    approx = Cluster(
        nodes=tuple(
            dataclasses.replace(n, p_fail=float(n.p_fail)) for n in exact.nodes
        ),
        domain_failure={d: float(p) for d, p in exact.domain_failure.items()},
    )
    want = availability(exact, rule)
    got = availability(approx, rule)
    assert isinstance(want, Fraction)
    assert isinstance(got, float)
    assert math.isclose(got, want, rel_tol=1e-9, abs_tol=1e-12)


# --- monotonicity --------------------------------------------------------------------


@given(st.data())
def test_availability_never_rises_with_a_failure_probability(
    data: st.DataObject,
) -> None:
    """Raising any node's or domain's failure probability never raises
    availability."""
    cluster = data.draw(clusters())
    rule = data.draw(rules(cluster))
    before = availability(cluster, rule)
    if data.draw(st.booleans()):
        index = data.draw(st.integers(min_value=0, max_value=len(cluster.nodes) - 1))
        node = cluster.nodes[index]
        higher = data.draw(probabilities.filter(lambda p: p >= node.p_fail))
        nodes = list(cluster.nodes)
        nodes[index] = dataclasses.replace(node, p_fail=higher)
        worse = Cluster(nodes=tuple(nodes), domain_failure=cluster.domain_failure)
    else:
        domain = data.draw(st.sampled_from(cluster.domains))
        current = cluster.domain_failure[domain]
        higher = data.draw(probabilities.filter(lambda p: p >= current))
        worse = Cluster(
            nodes=cluster.nodes,
            domain_failure={**cluster.domain_failure, domain: higher},
        )
    assert availability(worse, rule) <= before


# --- fault tolerance against brute force ---------------------------------------------


@given(st.data())
def test_max_tolerated_failures_is_exact(data: st.DataObject) -> None:
    """Every set of f = max_tolerated_failures nodes may fail; some f + 1 may not."""
    cluster = data.draw(clusters())
    rule = data.draw(rules(cluster))
    f = max_tolerated_failures(cluster, rule)
    ids = sorted(cluster.node_ids)
    everyone = frozenset(ids)
    if f >= 0:
        for failed in itertools.combinations(ids, min(f, len(ids))):
            assert rule.satisfied(everyone - frozenset(failed))
    if f < len(ids):
        assert any(
            not rule.satisfied(everyone - frozenset(failed))
            for failed in itertools.combinations(ids, f + 1)
        )


@given(st.data())
def test_survives_is_exact(data: st.DataObject) -> None:
    """survives(domains=d, nodes=n) holds iff every choice of d whole domains and
    n further nodes leaves the rule met."""
    cluster = data.draw(clusters())
    rule = data.draw(rules(cluster))
    d = data.draw(st.integers(min_value=0, max_value=3))
    n = data.draw(st.integers(min_value=0, max_value=3))
    everyone = cluster.node_ids
    want = True
    for lost in itertools.combinations(cluster.domains, min(d, len(cluster.domains))):
        alive = everyone - {m.node_id for dom in lost for m in cluster.members(dom)}
        for gone in itertools.combinations(sorted(alive), min(n, len(alive))):
            if not rule.satisfied(alive - frozenset(gone)):
                want = False
    assert survives(cluster, rule, domains=d, nodes=n) is want


# --- the papers' claims ---------------------------------------------------------------


def test_aurora_writes_survive_an_az() -> None:
    """4/6 writes over 3 AZs x 2 survive the loss of any AZ (SIGMOD 2017)."""
    assert survives(aurora(), KOfN(4), domains=1, nodes=0)
    assert max_tolerated_failures(aurora(), KOfN(4)) == 2


def test_aurora_reads_survive_an_az_plus_one() -> None:
    """3/6 reads survive an AZ plus one more node; 4/6 writes do not."""
    assert survives(aurora(), KOfN(3), domains=1, nodes=1)
    assert not survives(aurora(), KOfN(4), domains=1, nodes=1)
    assert max_tolerated_failures(aurora(), KOfN(3)) == 3


def test_two_of_three_does_not_survive_an_az_plus_one() -> None:
    """2/3 over 3 AZs x 1 node breaks when an AZ and one more node fail."""
    three = Cluster.uniform(3, 1, 0.01, 0.001)
    assert survives(three, KOfN(2), domains=1, nodes=0)
    assert not survives(three, KOfN(2), domains=1, nodes=1)


def test_aurora_beats_three_copies() -> None:
    """Aurora's 3/6 reads are more available than 2/3 under the same failures."""
    p, q = Fraction(1, 100), Fraction(1, 1000)
    six = availability(aurora(p, q), KOfN(3))
    three = availability(Cluster.uniform(3, 1, p, q), KOfN(2))
    assert six > three


def test_membership_change_quorum_sets_are_safe() -> None:
    """Replacing F by G: write = 4/6 of ABCDEF and 4/6 of ABCDEG, read = 3/6 of
    ABCDEF or 3/6 of ABCDEG; every read meets every write, writes meet."""
    cluster = membership_cluster()
    write = AllOf(KOfN(4, ABCDEF), KOfN(4, ABCDEG))
    read = AnyOf(KOfN(3, ABCDEF), KOfN(3, ABCDEG))
    QuorumSystem(read=read, write=write).check(cluster)
    # The transition rules tolerate the loss of F or G on top of one failure.
    assert write.satisfied(frozenset("ABCDE"))
    assert read.satisfied(frozenset("ABC"))


def test_membership_change_with_plain_reads_is_unsafe() -> None:
    """Without quorum sets the change is unsafe: a read of 3/6 of ABCDEF can miss
    a write to 4/6 of ABCDEG (the read holds F, the write holds G)."""
    cluster = membership_cluster()
    system = QuorumSystem(read=KOfN(3, ABCDEF), write=KOfN(4, ABCDEG))
    with pytest.raises(UnsafeQuorumError) as caught:
        system.check(cluster)
    err = caught.value
    assert err.kind == "read/write"
    assert not err.first & err.second
    assert KOfN(3, ABCDEF).satisfied(err.first)
    assert KOfN(4, ABCDEG).satisfied(err.second)


def test_gifford_rules() -> None:
    """Vr + Vw > V and 2Vw > V are what makes threshold quorums intersect."""
    six = aurora()
    QuorumSystem(read=KOfN(3), write=KOfN(4)).check(six)
    with pytest.raises(UnsafeQuorumError) as caught:
        QuorumSystem(read=KOfN(2), write=KOfN(4)).check(six)
    assert caught.value.kind == "read/write"
    assert len(caught.value.first) == 2
    assert len(caught.value.second) == 4
    assert not caught.value.first & caught.value.second
    with pytest.raises(UnsafeQuorumError) as caught:
        QuorumSystem(read=KOfN(4), write=KOfN(3)).check(six)
    assert caught.value.kind == "write/write"
    assert not caught.value.first & caught.value.second


def test_weighted_votes_beyond_gifford() -> None:
    """Gifford's rule is sufficient, not necessary: with votes 2, 2, 2 any two
    write quorums of weight 3 share a node although 2 * 3 is not above 6."""
    cluster = Cluster.uniform(3, 1, 0.01, 0.0)
    weights = {"az1-n1": 2, "az2-n1": 2, "az3-n1": 2}
    QuorumSystem(read=Votes(5, weights), write=Votes(3, weights)).check(cluster)
    with pytest.raises(UnsafeQuorumError):
        QuorumSystem(read=Votes(2, weights), write=Votes(3, weights)).check(cluster)


@given(st.data())
def test_check_agrees_with_brute_force(data: st.DataObject) -> None:
    """A system is safe iff no read quorum and write quorum (or two write quorums)
    are disjoint; an error names two disjoint quorums."""
    cluster = data.draw(clusters(max_nodes=6))
    read = data.draw(rules(cluster, depth=1))
    write = data.draw(rules(cluster, depth=1))
    ids = sorted(cluster.node_ids)
    subsets = [
        frozenset(c)
        for size in range(len(ids) + 1)
        for c in itertools.combinations(ids, size)
    ]
    unsafe = any(
        (read.satisfied(s) or write.satisfied(s))
        and write.satisfied(cluster.node_ids - s)
        for s in subsets
    )
    system = QuorumSystem(read=read, write=write)
    if not unsafe:
        system.check(cluster)
        return
    with pytest.raises(UnsafeQuorumError) as caught:
        system.check(cluster)
    err = caught.value
    assert not err.first & err.second
    assert write.satisfied(err.second)
    assert (read if err.kind == "read/write" else write).satisfied(err.first)


# --- examples and edge cases ------------------------------------------------------


def test_aurora_exact_availability() -> None:
    """The exact 4/6 availability matches the closed form for 3 AZs x 2."""
    p, q = Fraction(1, 100), Fraction(1, 1000)
    result = availability(aurora(p, q), KOfN(4))
    assert result == brute_force_availability(aurora(p, q), KOfN(4))
    assert isinstance(result, Fraction)


def test_votes_with_unit_weights_equal_k_of_n() -> None:
    """Votes of weight 1 each (or any common weight) behave as k of n."""
    cluster = aurora(Fraction(1, 20), Fraction(1, 50))
    unit = dict.fromkeys(cluster.node_ids, 1)
    triple = dict.fromkeys(cluster.node_ids, 3)
    want = availability(cluster, KOfN(4))
    assert availability(cluster, Votes(4, unit)) == want
    assert availability(cluster, Votes(10, triple)) == want


def test_many_nodes() -> None:
    """10,000 nodes in 100 domains: threshold rules stay polynomial."""
    big = Cluster.uniform(100, 100, 0.01, 0.001)
    result = availability(big, KOfN(9900))
    assert 0 < result < 1
    assert availability(big, KOfN(9000)) > result


def test_certain_probabilities() -> None:
    """Probabilities 0 and 1 are handled: a dead domain takes its nodes."""
    cluster = Cluster.uniform(2, 2, 0, 1)
    assert availability(cluster, KOfN(1)) == 0
    alive = Cluster.uniform(2, 2, 0, 0)
    assert availability(alive, AnyOf(KOfN(4), KOfN(1, ["az1-n1"]))) == 1


# --- bad input -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "p", [-0.1, 1.5, math.nan, math.inf, Fraction(3, 2), "0.1", True, None]
)
def test_bad_probabilities(p: object) -> None:
    """Probabilities must be finite numbers in [0, 1]; the error names the value."""
    with pytest.raises(QuorumInputError, match="p_fail") as caught:
        Node(node_id="n1", domain="az1", p_fail=p)  # type: ignore[arg-type]
    assert isinstance(caught.value, ValueError)
    assert isinstance(caught.value, QuorumError)
    with pytest.raises(QuorumInputError, match="failure"):
        Cluster.uniform(1, 1, 0.1, p)  # type: ignore[arg-type]


def test_cluster_problems_are_all_reported() -> None:
    """Duplicate ids, empty domains and domains without a probability are all
    named in one error."""
    nodes = (
        Node(node_id="a", domain="az1", p_fail=0.1),
        Node(node_id="a", domain="az2", p_fail=0.1),
    )
    with pytest.raises(QuorumInputError) as caught:
        Cluster(nodes=nodes, domain_failure={"az1": 0.1, "az9": 0.1})
    text = str(caught.value)
    assert "duplicate node id 'a'" in text
    assert "'az9' is empty" in text
    assert "'az2'" in text
    assert len(caught.value.problems) == 3
    with pytest.raises(QuorumInputError, match="at least one node"):
        Cluster(nodes=(), domain_failure={})
    with pytest.raises(QuorumInputError, match="azs=0"):
        Cluster.uniform(0, 2, 0.1, 0.1)


def test_bad_rules() -> None:
    """k above the nodes, unknown node ids and malformed votes are typed errors."""
    six = aurora()
    with pytest.raises(QuorumInputError, match="k=7 is above the 6 nodes"):
        availability(six, KOfN(7))
    with pytest.raises(QuorumInputError, match="unknown node 'zz'"):
        availability(six, KOfN(1, ["zz", "az1-n1"]))
    with pytest.raises(QuorumInputError, match="unknown node 'zz'"):
        survives(six, AllOf(KOfN(1), Votes(1, {"zz": 1})))
    with pytest.raises(QuorumInputError, match="k=3 is above the 2 nodes"):
        KOfN(3, ["a", "b"])
    with pytest.raises(QuorumInputError, match="k=0"):
        KOfN(0)
    with pytest.raises(QuorumInputError, match="collection of node id strings"):
        KOfN(1, "ABC")
    with pytest.raises(QuorumInputError, match="must not be empty"):
        KOfN(1, [])
    with pytest.raises(QuorumInputError, match="weight -1"):
        Votes(1, {"a": -1})
    with pytest.raises(QuorumInputError, match="above the 2 votes"):
        Votes(3, {"a": 2})
    with pytest.raises(QuorumInputError, match="at least one rule"):
        AllOf()
    with pytest.raises(QuorumInputError, match="domains=-1"):
        survives(six, KOfN(1), domains=-1)


def test_enumeration_limit() -> None:
    """Composite rules over more than ENUMERATION_LIMIT nodes raise a typed error
    naming the limit; threshold rules over them do not."""
    big = Cluster.uniform(5, 5, 0.01, 0.001)
    rule = AnyOf(KOfN(20), KOfN(1, ["az1-n1"]))
    with pytest.raises(QuorumTooLargeError, match=str(ENUMERATION_LIMIT)) as caught:
        availability(big, rule)
    assert caught.value.limit == ENUMERATION_LIMIT
    assert caught.value.nodes == 25
    assert 0 < availability(big, KOfN(20)) < 1


@given(st.data())
def test_unavailability_complements_availability(data: st.DataObject) -> None:
    """With exact inputs, availability + unavailability == 1 exactly."""
    cluster = data.draw(clusters())
    rule = data.draw(rules(cluster))
    assert availability(cluster, rule) + unavailability(cluster, rule) == 1


def test_tiny_unavailability_keeps_its_digits() -> None:
    """A float unavailability far below 1e-16 is not rounded away to 0."""
    p, q = 1e-6, 1e-9
    tiny = unavailability(aurora(p, q), KOfN(3))
    exact = unavailability(aurora(Fraction(p), Fraction(q)), KOfN(3))
    assert 0 < tiny < 1e-16
    assert math.isclose(tiny, exact, rel_tol=1e-9)
    composite = AnyOf(KOfN(3), KOfN(1, ["az1-n1"]))
    assert 0 < unavailability(aurora(p, q), composite) < 1e-16


def test_full_and_tail_segment_quorum_sets_are_safe() -> None:
    """Full/tail segments (SIGMOD 2018): write = 4/6 of all OR 3/3 of the full
    segments, read = 3/6 of all AND 1/3 of the full; every read meets every write
    and two writes always meet, while reads always touch a full segment."""
    cluster = aurora()
    nodes = sorted(cluster.node_ids)
    full = [n for n in nodes if n.endswith("-n1")]  # one full segment per AZ
    assert len(full) == 3
    write = AnyOf(KOfN(4), KOfN(3, full))
    read = AllOf(KOfN(3), KOfN(1, full))
    QuorumSystem(read=read, write=write).check(cluster)
    tails = frozenset(nodes) - frozenset(full)
    assert not read.satisfied(tails)  # the tail segments alone cannot serve a read
    assert write.satisfied(frozenset(full))  # the full segments alone can write


def test_minimal_failure_sets_of_aurora() -> None:
    """Writes (4/6) break on any 3 failed copies, reads (3/6) on any 4: the
    minimal failure sets are exactly those combinations."""
    from awscore.quorum import minimal_failure_sets

    cluster = aurora()
    writes = minimal_failure_sets(cluster, KOfN(4))
    reads = minimal_failure_sets(cluster, KOfN(3))
    assert len(writes) == math.comb(6, 3)
    assert {len(s) for s in writes} == {3}
    assert len(reads) == math.comb(6, 4)
    assert {len(s) for s in reads} == {4}


@given(data=st.data())
def test_minimal_failure_sets_are_minimal_and_complete(data: st.DataObject) -> None:
    """Each listed set breaks the rule and no proper subset does; every set of
    failures that breaks the rule contains a listed one; the smallest size,
    less one, is the tolerated number of failures."""
    from awscore.quorum import minimal_failure_sets

    cluster = Cluster.uniform(
        data.draw(st.integers(1, 3)), data.draw(st.integers(1, 2)), 0.1, 0.01
    )
    ids = sorted(cluster.node_ids)
    k = data.draw(st.integers(1, len(ids)))
    subset = data.draw(st.lists(st.sampled_from(ids), min_size=1, unique=True))
    rule = AnyOf(KOfN(k), KOfN(len(subset), subset))
    sets = minimal_failure_sets(cluster, rule)
    everyone = cluster.node_ids
    for failed in sets:
        assert not rule.satisfied(everyone - failed)
        for node in failed:
            assert rule.satisfied(everyone - (failed - {node}))
    for size in range(len(ids) + 1):
        for combination in itertools.combinations(ids, size):
            failed = frozenset(combination)
            if not rule.satisfied(everyone - failed):
                assert any(known <= failed for known in sets)
    assert min(len(s) for s in sets) - 1 == max_tolerated_failures(cluster, rule)
