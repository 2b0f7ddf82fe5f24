"""Retention: where a served version is kept, and the controls it sets."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from awscore.codeartifact import (
    INGESTED_DEFAULTS,
    Domain,
    OriginControls,
    OriginMode,
    Repository,
    VersionOrigin,
    domain_from_dict,
    domain_to_dict,
)
from tests.strategies.codeartifact import PACKAGE, domain_specs


def layered() -> Domain:
    """repo-A -> repo-B -> repo-C (external connection to npmjs): the User Guide's
    "Package retention from intermediate repositories" example."""
    domain = Domain("my-domain")
    domain.add_repository(Repository("repo-C", external_connection="public:npmjs"))
    domain.add_repository(Repository("repo-B", ("repo-C",)))
    domain.add_repository(Repository("repo-A", ("repo-B",)))
    domain.add_public_version("public:npmjs", "lodash", "4.17.20")
    return domain


def test_external_version_kept_in_requester_and_connection_holder_only() -> None:
    """User Guide: fetched through repo-A, the version is copied to repo-C (the
    external connection) and repo-A (the requester), not to repo-B between."""
    domain = layered()
    result = domain.resolve("repo-A", "npm", "lodash", "4.17.20")
    assert result.served_by == "repo-C"
    assert result.external_connection == "public:npmjs"
    assert result.path == ("repo-A", "repo-B", "repo-C")
    assert result.retained_in == ("repo-A", "repo-C")
    assert domain.versions_in("repo-A", "npm", "lodash") == ("4.17.20",)
    assert domain.versions_in("repo-B", "npm", "lodash") == ()
    assert domain.versions_in("repo-C", "npm", "lodash") == ("4.17.20",)
    assert domain.version_origin("repo-C", "npm", "lodash", "4.17.20") is (
        VersionOrigin.EXTERNAL
    )
    assert domain.version_origin("repo-A", "npm", "lodash", "4.17.20") is (
        VersionOrigin.UPSTREAM
    )


def test_ingested_packages_get_publish_block_upstream_allow() -> None:
    """User Guide: a package whose first version came from an upstream or an
    external connection gets publish BLOCK, upstream ALLOW."""
    domain = layered()
    domain.resolve("repo-A", "npm", "lodash", "4.17.20")
    expected = OriginControls(publish=OriginMode.BLOCK, upstream=OriginMode.ALLOW)
    assert domain.origin_controls("repo-A", "npm", "lodash") == expected
    assert domain.origin_controls("repo-C", "npm", "lodash") == expected
    assert expected == INGESTED_DEFAULTS
    assert domain.origin_controls("repo-B", "npm", "lodash") is None


def test_internal_upstream_version_kept_in_requester_only() -> None:
    domain = layered()
    domain.publish("repo-C", "npm", "left-pad", "1.3.0")
    result = domain.resolve("repo-A", "npm", "left-pad", "1.3.0")
    assert result.served_by == "repo-C"
    assert result.external_connection is None
    assert result.retained_in == ("repo-A",)
    assert domain.versions_in("repo-B", "npm", "left-pad") == ()


def test_requesting_the_connection_holder_keeps_it_there() -> None:
    domain = layered()
    result = domain.resolve("repo-C", "npm", "lodash", "4.17.20")
    assert result.path == ("repo-C",)
    assert result.retained_in == ("repo-C",)


def test_retain_false_changes_nothing() -> None:
    domain = layered()
    before = domain_to_dict(domain)
    result = domain.resolve("repo-A", "npm", "lodash", "4.17.20", retain=False)
    assert result.retained_in == ("repo-A", "repo-C")
    assert domain_to_dict(domain) == before


def test_retained_version_survives_losing_the_upstream() -> None:
    """User Guide: a retained version is not affected by disconnecting the
    upstream."""
    domain = layered()
    domain.resolve("repo-A", "npm", "lodash", "4.17.20")
    domain.set_upstreams("repo-A", [])
    assert domain.resolve("repo-A", "npm", "lodash", "4.17.20").served_by == "repo-A"


def holdings(domain: Domain) -> dict[str, tuple[str, ...]]:
    return {
        r.name: domain.versions_in(r.name, "npm", PACKAGE) for r in domain.repositories
    }


@settings(max_examples=200)
@given(domain_specs(), st.data())
def test_retention_is_idempotent_and_skips_intermediates(
    spec: dict[str, Any], data: st.DataObject
) -> None:
    """A version served from elsewhere lands in the requesting repository and, from
    an external connection, in the repository holding it, and nowhere else;
    asking again is served locally and changes nothing."""
    domain = domain_from_dict(spec)
    root = data.draw(st.sampled_from([r["name"] for r in spec["repositories"]]))
    version = data.draw(st.sampled_from(["1", "2", "3"]))
    before = holdings(domain)
    first = domain.resolve(root, "npm", PACKAGE, version)
    after = holdings(domain)
    changed = {name for name in before if before[name] != after[name]}
    assert changed == set(first.retained_in) - {
        n for n in first.retained_in if version in before[n]
    }
    for name in changed:
        assert set(after[name]) - set(before[name]) == {version}
    if first.found:
        assert set(first.retained_in) <= {root, first.path[-1]}
        if not first.external_connection:
            assert first.path[-1] not in first.retained_in or first.path == (root,)
        for intermediate in first.path[1:-1]:
            assert intermediate not in changed
    state = domain_to_dict(domain)
    second = domain.resolve(root, "npm", PACKAGE, version)
    assert second.found == first.found
    if first.found:
        assert second.served_by == root
        assert second.retained_in == ()
    assert domain_to_dict(domain) == state
