"""The upstream search order: the documented examples, cycles, the 25 limit."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from awscore.codeartifact import (
    MAX_SEARCHED,
    Domain,
    Outcome,
    Repository,
    domain_from_dict,
)
from tests.strategies.codeartifact import (
    PACKAGE,
    default_upstream_control,
    domain_specs,
    group_allows,
    reference_order,
    repo_name,
    upstream_graphs,
    upstreams_of,
)


def documented_domain() -> Domain:
    """The User Guide's "complex priority order" example: my_repo -> [A, B],
    A -> [C, D], D -> [E]. CodeArtifact names need two characters at least, so
    A..E are repo-A..repo-E here."""
    domain = Domain("my-domain")
    for name, upstreams in [
        ("repo-E", ()),
        ("repo-C", ()),
        ("repo-D", ("repo-E",)),
        ("repo-B", ()),
        ("repo-A", ("repo-C", "repo-D")),
        ("my_repo", ("repo-A", "repo-B")),
    ]:
        domain.add_repository(Repository(name, upstreams))
    return domain


def test_documented_complex_order() -> None:
    """User Guide: "my_repo, A, C, D, E, B"."""
    domain = documented_domain()
    assert domain.search_order("my_repo") == (
        "my_repo",
        "repo-A",
        "repo-C",
        "repo-D",
        "repo-E",
        "repo-B",
    )
    miss = domain.resolve("my_repo", "npm", "lodash", "4.17.21")
    assert not miss.found
    assert miss.searched == domain.search_order("my_repo")
    assert [e.depth for e in miss.trace] == [0, 1, 2, 2, 3, 1]
    assert [e.parent for e in miss.trace] == [
        None,
        "my_repo",
        "repo-A",
        "repo-A",
        "repo-D",
        "my_repo",
    ]


def test_documented_simple_order_stops_at_first_hit() -> None:
    """User Guide: my_repo -> upstream-1, upstream-2, upstream-3; found in
    upstream-1, the search stops and never looks in upstream-2 or upstream-3."""
    domain = Domain("my-domain")
    for name in ("upstream-1", "upstream-2", "upstream-3"):
        domain.add_repository(Repository(name))
    domain.add_repository(
        Repository("my_repo", ("upstream-1", "upstream-2", "upstream-3"))
    )
    domain.publish("upstream-1", "npm", "lodash", "4.17.21")
    domain.publish("upstream-3", "npm", "lodash", "4.17.21")
    found = domain.resolve("my_repo", "npm", "lodash", "4.17.21")
    assert found.served_by == "upstream-1"
    assert found.path == ("my_repo", "upstream-1")
    assert found.searched == ("my_repo", "upstream-1")
    assert [e.outcome for e in found.trace] == [Outcome.MISS, Outcome.HIT]


def test_first_hit_in_order_serves() -> None:
    """C comes before B in the order, so C's copy is served even though B is a
    direct upstream."""
    domain = documented_domain()
    domain.publish("repo-B", "npm", "lodash", "1.0.0")
    domain.publish("repo-E", "npm", "lodash", "1.0.0")
    found = domain.resolve("my_repo", "npm", "lodash", "1.0.0", retain=False)
    assert found.served_by == "repo-E"
    assert found.path == ("my_repo", "repo-A", "repo-D", "repo-E")


def test_cycle_searches_each_repository_once() -> None:
    """awscore's choice: cycles are allowed; a repository reached again is
    recorded as already-searched and not searched twice."""
    domain = documented_domain()
    domain.set_upstreams("repo-E", ["my_repo", "repo-A"])
    domain.set_upstreams("repo-B", ["repo-B"])
    miss = domain.resolve("my_repo", "npm", "lodash", "1.0.0")
    assert miss.searched == (
        "my_repo",
        "repo-A",
        "repo-C",
        "repo-D",
        "repo-E",
        "repo-B",
    )
    again = [e.repository for e in miss.trace if e.outcome is Outcome.ALREADY_SEARCHED]
    assert again == ["my_repo", "repo-A", "repo-B"]


def chain(n: int) -> Domain:
    """r00 -> r01 -> ... -> r(n-1), a chain n repositories long."""
    domain = Domain("chain")
    for i in reversed(range(n)):
        ups = (repo_name(i + 1),) if i + 1 < n else ()
        domain.add_repository(Repository(repo_name(i), ups))
    return domain


def test_limit_25_searched_26th_not() -> None:
    """At most 25 repositories are searched per request; awscore's choice past
    that: the search stops, the trace records the first repository left out,
    and the request is not found even if a later repository holds it."""
    domain = chain(30)
    domain.publish(repo_name(25), "pypi", "requests", "2.0")
    result = domain.resolve(repo_name(0), "pypi", "requests", "2.0")
    assert not result.found
    assert result.limit_reached
    assert result.searched == tuple(repo_name(i) for i in range(25))
    assert result.trace[-1].outcome is Outcome.LIMIT_REACHED
    assert result.trace[-1].repository == repo_name(25)
    assert domain.search_order(repo_name(0)) == result.searched
    # The 25th is still searched.
    domain.publish(repo_name(24), "pypi", "requests", "1.0")
    assert domain.resolve(repo_name(0), "pypi", "requests", "1.0").served_by == (
        repo_name(24)
    )


def test_exactly_25_is_not_limited() -> None:
    domain = chain(25)
    result = domain.resolve(repo_name(0), "pypi", "requests", "2.0")
    assert len(result.searched) == 25
    assert not result.limit_reached


def test_already_searched_does_not_count_toward_the_limit() -> None:
    """A diamond reached twice costs one search."""
    domain = chain(24)
    domain.add_repository(Repository("top", (repo_name(0), repo_name(0 + 5))))
    result = domain.resolve("top", "pypi", "requests", "2.0")
    assert len(result.searched) == 25
    assert not result.limit_reached


@settings(max_examples=300)
@given(upstream_graphs(max_repos=40), st.data())
def test_search_order_is_depth_first_pre_order(
    graph: dict[str, list[str]], data: st.DataObject
) -> None:
    """The search is the repository, then each upstream in listed order, expanded
    fully before the next sibling, each repository once, at most 25."""
    spec = {
        "repositories": [{"name": n, "upstreams": u} for n, u in graph.items()],
    }
    domain = domain_from_dict(spec)
    root = data.draw(st.sampled_from(sorted(graph)))
    expected = reference_order(graph, root)
    assert list(domain.search_order(root)) == expected
    result = domain.resolve(root, "npm", PACKAGE, "9")
    assert list(result.searched) == expected
    assert len(result.searched) <= MAX_SEARCHED
    assert len(set(result.searched)) == len(result.searched)
    assert result.limit_reached == (len(reference_order(graph, root, 10**6)) > 25)


@settings(max_examples=200)
@given(domain_specs(), st.data())
def test_blocked_repositories_are_searched_as_leaves(
    spec: dict[str, Any], data: st.DataObject
) -> None:
    """With any holdings and controls, the search is the depth-first pre-order of
    the graph in which a repository whose upstream control on the package is
    BLOCK (or, requested, whose group does not allow retaining from upstreams)
    has no upstreams, stopped at the first hit; never more than 25, each once."""
    domain = domain_from_dict(spec)
    root = data.draw(st.sampled_from([r["name"] for r in spec["repositories"]]))
    version = data.draw(st.sampled_from(["1", "2", "3", "4"]))
    result = domain.resolve(root, "npm", PACKAGE, version, retain=False)
    graph = upstreams_of(spec)
    external = {r["name"] for r in spec["repositories"] if "external_connection" in r}

    def blocked(name: str) -> bool:
        if not graph[name] and name not in external:
            return False
        if default_upstream_control(spec, name) == "BLOCK":
            return True
        return (
            name == root
            and bool(graph[name])
            and not group_allows(spec, "internal_upstream", root)
        )

    pruned = {name: [] if blocked(name) else ups for name, ups in graph.items()}
    expected = reference_order(pruned, root)
    searched = list(result.searched)
    assert len(searched) <= MAX_SEARCHED
    assert len(set(searched)) == len(searched)
    if result.found:
        assert searched == expected[: len(searched)]
        assert result.path[0] == root
        assert result.path[-1] == result.served_by == searched[-1]
        for parent, child in itertools.pairwise(result.path):
            assert child in graph[parent]
    else:
        assert searched == expected


@pytest.mark.parametrize("n", [1, 2, 10])
def test_search_order_of_a_wide_repository(n: int) -> None:
    domain = Domain("wide")
    for i in range(n):
        domain.add_repository(Repository(repo_name(i)))
    domain.add_repository(Repository("top", tuple(repo_name(i) for i in range(n))))
    assert domain.search_order("top") == ("top", *(repo_name(i) for i in range(n)))
