"""CodeArtifact resolution in a 1,000-repository domain: bounded by the 25 limit.

Workloads (every domain holds 1,000 repositories; each request asks for a version
no repository holds, so every request searches as far as the rules let it):

* **codeartifact-chain**: repositories in one upstream chain; the request goes to
  the head of a chain 10, 100 or 1,000 repositories deep. A request searches at
  most 25 repositories, so depth 100 and 1,000 cost what depth 25 does;
  ``test_chain_depth_is_flat`` times the three itself (best of 5) and prints the
  ratios (reported, not asserted; the 25 is asserted).
* **codeartifact-wide**: a 10-ary tree of 1,000 repositories (each has the maximum
  of 10 upstreams), requested at the root: 25 searched of 1,000 reachable.
* **codeartifact-cyclic**: every repository has 10 upstreams drawn at random
  (seeded) among all 1,000, so the graph is full of cycles and diamonds: 25
  searched, each once, plus the already-searched steps met on the way.

Implementations (``benchmark.extra_info["implementation"]``):

* ``awscore``: :meth:`Domain.resolve` with ``retain=False`` (nothing found, so
  nothing would be retained anyway), which builds the full trace.
* ``awscore-order``: :meth:`Domain.search_order`, the order alone.
* ``floor``: a depth-first pre-order over a dict of upstream lists with a visited
  set, stopped at 25, checking a set for the version at each repository: the least
  work any resolver must do. There is no peer: moto (5.2) has no CodeArtifact
  backend, and nothing else resolves upstreams offline.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import Any

import pytest

from awscore.codeartifact import MAX_SEARCHED, Domain, Repository

REPOSITORIES = 1000
DEPTHS = (10, 100, 1000)


def name(i: int) -> str:
    return f"repo-{i:04d}"


def build(upstreams: dict[str, tuple[str, ...]]) -> Domain:
    """A domain with these upstream lists, added upstreams first where possible
    and closed into cycles with ``set_upstreams`` afterwards."""
    domain = Domain("bench")
    for repo in upstreams:
        domain.add_repository(Repository(repo))
    for repo, ups in upstreams.items():
        if ups:
            domain.set_upstreams(repo, ups)
    return domain


def chain_graph(depth: int) -> dict[str, tuple[str, ...]]:
    """repo-0000 -> repo-0001 -> ... (depth deep), the rest unconnected: always
    1,000 repositories."""
    return {
        name(i): ((name(i + 1),) if i + 1 < depth else ()) for i in range(REPOSITORIES)
    }


def wide_graph() -> dict[str, tuple[str, ...]]:
    """A 10-ary tree: repo-i's upstreams are repo-(10i+1) .. repo-(10i+10)."""
    return {
        name(i): tuple(
            name(c) for c in range(10 * i + 1, 10 * i + 11) if c < REPOSITORIES
        )
        for i in range(REPOSITORIES)
    }


def cyclic_graph() -> dict[str, tuple[str, ...]]:
    rng = random.Random(20201)  # noqa: S311 - a reproducible graph, not crypto
    names = [name(i) for i in range(REPOSITORIES)]
    return {n: tuple(rng.sample(names, 10)) for n in names}


def floor_resolve(
    upstreams: dict[str, tuple[str, ...]], holdings: dict[str, set[str]], root: str
) -> str | None:
    """The least a resolver must do: pre-order DFS, visited set, 25 at most."""
    seen: set[str] = set()
    stack = [root]
    while stack and len(seen) < MAX_SEARCHED:
        repo = stack.pop()
        if repo in seen:
            continue
        seen.add(repo)
        if "9.9.9" in holdings.get(repo, ()):
            return repo
        stack.extend(reversed(upstreams[repo]))
    return None


GRAPHS: dict[str, Callable[[], dict[str, tuple[str, ...]]]] = {
    "chain-10": lambda: chain_graph(10),
    "chain-100": lambda: chain_graph(100),
    "chain-1000": lambda: chain_graph(1000),
    "wide": wide_graph,
    "cyclic": cyclic_graph,
}
_DOMAINS: dict[str, tuple[dict[str, tuple[str, ...]], Domain]] = {}


def case(key: str) -> tuple[dict[str, tuple[str, ...]], Domain]:
    if key not in _DOMAINS:
        graph = GRAPHS[key]()
        _DOMAINS[key] = (graph, build(graph))
    return _DOMAINS[key]


def group_of(key: str) -> str:
    return "codeartifact-chain" if key.startswith("chain") else f"codeartifact-{key}"


@pytest.mark.parametrize("key", list(GRAPHS))
@pytest.mark.parametrize("impl", ["awscore", "awscore-order", "floor"])
def test_resolve(benchmark: Any, key: str, impl: str) -> None:
    graph, domain = case(key)
    root = name(0)
    benchmark.group = group_of(key)
    benchmark.extra_info["implementation"] = impl
    benchmark.extra_info["workload"] = f"{key}, {REPOSITORIES:,} repositories"
    if impl == "awscore":
        result = benchmark(domain.resolve, root, "npm", "lodash", "9.9.9", retain=False)
        assert not result.found
        assert len(result.searched) == min(MAX_SEARCHED, len(domain.search_order(root)))
        benchmark.extra_info["searched"] = len(result.searched)
    elif impl == "awscore-order":
        order = benchmark(domain.search_order, root)
        assert len(order) <= MAX_SEARCHED
    else:
        assert benchmark(floor_resolve, graph, {}, root) is None


def test_chain_depth_is_flat(capsys: pytest.CaptureFixture[str]) -> None:
    """Print the time of a miss at the head of chains 10, 100 and 1,000 deep."""
    best: dict[int, float] = {}
    for depth in DEPTHS:
        _, domain = case(f"chain-{depth}")
        result = domain.resolve(name(0), "npm", "lodash", "9.9.9", retain=False)
        assert len(result.searched) == min(depth, MAX_SEARCHED)
        assert result.limit_reached == (depth > MAX_SEARCHED)
        times = []
        for _ in range(5):
            start = time.perf_counter()
            for _ in range(100):
                domain.resolve(name(0), "npm", "lodash", "9.9.9", retain=False)
            times.append((time.perf_counter() - start) / 100)
        best[depth] = min(times)
    lines = ["codeartifact chain, 1,000 repositories: best of 5 (100 requests each)"]
    previous: int | None = None
    for depth in DEPTHS:
        ratio = "" if previous is None else f"  x{best[depth] / best[previous]:.2f}"
        searched = min(depth, MAX_SEARCHED)
        lines.append(
            f"  depth {depth:>5,} ({searched} searched): "
            f"{best[depth] * 1e6:8.1f} us{ratio}"
        )
        previous = depth
    with capsys.disabled():
        print("\n" + "\n".join(lines))
