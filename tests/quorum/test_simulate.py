"""The Monte Carlo simulator against the exact computation."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from awscore.errors import QuorumInputError
from awscore.quorum import AllOf, AnyOf, Cluster, KOfN, availability, simulate


@settings(max_examples=20)
@given(
    azs=st.integers(min_value=1, max_value=3),
    per_az=st.integers(min_value=1, max_value=3),
    p_node=st.floats(min_value=0.0, max_value=0.5),
    p_az=st.floats(min_value=0.0, max_value=0.3),
    seed=st.integers(min_value=0, max_value=2**32),
    data=st.data(),
)
def test_monte_carlo_agrees_with_the_exact_value(
    azs: int, per_az: int, p_node: float, p_az: float, seed: int, data: st.DataObject
) -> None:
    """The simulated availability lies within 4 standard errors of the exact one."""
    cluster = Cluster.uniform(azs, per_az, p_node=p_node, p_az=p_az)
    k = data.draw(st.integers(min_value=1, max_value=azs * per_az))
    result = simulate(cluster, KOfN(k), trials=4000, seed=seed)
    assert result.agrees_with(availability(cluster, KOfN(k)))


def test_composite_rules_too() -> None:
    cluster = Cluster.uniform(3, 2, p_node=0.2, p_az=0.1)
    ids = sorted(cluster.node_ids)
    rule = AnyOf(AllOf(KOfN(2, ids[:3]), KOfN(1, ids[3:])), KOfN(5))
    result = simulate(cluster, rule, trials=20_000, seed=1)
    assert result.agrees_with(availability(cluster, rule))
    low, high = result.interval
    assert low <= result.estimate <= high


def test_the_same_seed_gives_the_same_result() -> None:
    cluster = Cluster.uniform(3, 2, p_node=0.1, p_az=0.05)
    first = simulate(cluster, KOfN(4), trials=1000, seed=42)
    assert first == simulate(cluster, KOfN(4), trials=1000, seed=42)


@pytest.mark.parametrize("trials", [0, -1, True, 1.5])
def test_trials_must_be_positive(trials: object) -> None:
    with pytest.raises(QuorumInputError, match="trials"):
        simulate(Cluster.uniform(1, 1, p_node=0.1, p_az=0.0), KOfN(1), trials=trials)  # type: ignore[arg-type]
