"""Quorum availability: k-of-n in polynomial time, and where enumeration stops.

Workloads:

* **quorum-kofn-100-domains**: ``availability(Cluster.uniform(100, n // 100,
  p_node=0.01, p_az=0.001), KOfN(n // 2 + 1))`` for n = 1,000, 2,000, 4,000 and
  8,000 nodes: a majority of n nodes spread over 100 failure domains, computed by
  convolving per-domain generating functions, ``O(n * min(k, n - k))``.
  ``test_kofn_doubling_ratios`` times the same calls itself (best of 3) and prints
  the cost of each doubling: the issue's target is at most about 4x (no worse than
  quadratic). Reported, not asserted.
* **quorum-enumeration**: a composite rule, ``AllOf`` of two overlapping ``KOfN``
  (each over three quarters of the nodes, needing half of all of them), on 12,
  16, 20 and 24 nodes in 4 domains. Composite rules are enumerated over node
  states, so each 4 more nodes cost roughly 10x; above
  :data:`~awscore.quorum.ENUMERATION_LIMIT` (24) nodes ``availability`` raises
  :class:`~awscore.quorum.QuorumTooLargeError` (asserted: behaviour, not timing).

Implementations (``benchmark.extra_info["implementation"]``): ``awscore`` only;
there is no peer library computing exact quorum availability on failure domains.
"""

from __future__ import annotations

import time
from typing import Any

import pytest

from awscore.quorum import (
    ENUMERATION_LIMIT,
    AllOf,
    Cluster,
    KOfN,
    QuorumRule,
    QuorumTooLargeError,
    availability,
)

DOMAINS = 100
KOFN_NODES = (1_000, 2_000, 4_000, 8_000)
ENUMERATION_NODES = (12, 16, 20, 24)
ENUMERATION_DOMAINS = 4


def kofn_case(n: int) -> tuple[Cluster, KOfN]:
    """n nodes in 100 domains and a majority quorum over all of them."""
    cluster = Cluster.uniform(DOMAINS, n // DOMAINS, p_node=0.01, p_az=0.001)
    return cluster, KOfN(n // 2 + 1)


def composite_case(n: int) -> tuple[Cluster, AllOf]:
    """n nodes in 4 domains; half of the first 3/4 AND half of the last 3/4."""
    per = n // ENUMERATION_DOMAINS
    cluster = Cluster.uniform(ENUMERATION_DOMAINS, per, p_node=0.01, p_az=0.001)
    ids = [
        f"az{a}-n{i}"
        for a in range(1, ENUMERATION_DOMAINS + 1)
        for i in range(1, per + 1)
    ]
    assert frozenset(ids) == cluster.node_ids
    rule = AllOf(KOfN(n // 2, ids[: 3 * n // 4]), KOfN(n // 2, ids[n // 4 :]))
    return cluster, rule


def time_availability(
    benchmark: Any, group: str, workload: str, cluster: Cluster, rule: QuorumRule
) -> None:
    """Time ``availability(cluster, rule)``, 3 rounds, and check it is a probability."""
    benchmark.group = group
    benchmark.extra_info["implementation"] = "awscore"
    benchmark.extra_info["nodes"] = len(cluster.node_ids)
    benchmark.extra_info["workload"] = workload
    result = benchmark.pedantic(
        availability, args=(cluster, rule), rounds=3, iterations=1, warmup_rounds=0
    )
    assert 0 <= result <= 1


@pytest.mark.parametrize("n", KOFN_NODES)
def test_kofn_availability(benchmark: Any, n: int) -> None:
    cluster, rule = kofn_case(n)
    workload = f"KOfN({n // 2 + 1}) of {n:,} nodes, 100 AZs"
    time_availability(benchmark, "quorum-kofn-100-domains", workload, cluster, rule)


def test_kofn_doubling_ratios(capsys: pytest.CaptureFixture[str]) -> None:
    """Print the time of each k-of-n size and its ratio to the size half as big."""
    best: dict[int, float] = {}
    for n in KOFN_NODES:
        cluster, rule = kofn_case(n)
        times = []
        for _ in range(3):
            start = time.perf_counter()
            availability(cluster, rule)
            times.append(time.perf_counter() - start)
        best[n] = min(times)
    lines = ["quorum k-of-n, 100 domains: best of 3"]
    previous: int | None = None
    for n in KOFN_NODES:
        ratio = "" if previous is None else f"  x{best[n] / best[previous]:.2f}"
        lines.append(f"  {n:>5,} nodes: {best[n] * 1e3:9.2f} ms{ratio}")
        previous = n
    with capsys.disabled():
        print("\n" + "\n".join(lines))


@pytest.mark.parametrize("n", ENUMERATION_NODES)
def test_enumeration(benchmark: Any, n: int) -> None:
    cluster, rule = composite_case(n)
    workload = f"AllOf of two overlapping KOfN, {n} nodes"
    time_availability(benchmark, "quorum-enumeration", workload, cluster, rule)


def test_enumeration_limit() -> None:
    """Above the limit a composite rule is refused, quickly, not enumerated."""
    n = ENUMERATION_LIMIT + ENUMERATION_DOMAINS
    cluster, rule = composite_case(n)
    with pytest.raises(QuorumTooLargeError) as raised:
        availability(cluster, rule)
    assert raised.value.limit == ENUMERATION_LIMIT
    assert raised.value.nodes == n
