"""Origin controls, package groups, dependency confusion, and publishing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from awscore.codeartifact import (
    PUBLISHED_DEFAULTS,
    Control,
    Domain,
    GroupRestriction,
    OriginControls,
    OriginMode,
    Outcome,
    Repository,
    RestrictionMode,
    RestrictionType,
    domain_from_dict,
    domain_to_dict,
)
from awscore.errors import (
    CodeArtifactError,
    CodeArtifactInputError,
    OriginBlockedError,
    PackageConflictError,
)
from tests.strategies.codeartifact import (
    PACKAGE,
    default_upstream_control,
    domain_specs,
    group_allows,
)


def company() -> Domain:
    """company-repo -> npm-store -> public:npmjs, with an internal package
    ``acme-utils`` 1.0.0 and a public acme-utils 99.0.0 (dependency confusion)."""
    domain = Domain("acme")
    domain.add_repository(Repository("npm-store", external_connection="public:npmjs"))
    domain.add_repository(Repository("company-repo", ("npm-store",)))
    domain.publish("company-repo", "npm", "acme-utils", "1.0.0")
    domain.add_public_version("public:npmjs", "acme-utils", "99.0.0")
    return domain


def test_dependency_confusion_public_version_never_ingested() -> None:
    """User Guide, "Dependency substitution attacks": an internal package gets
    publish ALLOW, upstream BLOCK, so a higher public version of its name is
    neither served nor ingested; the internal one is served."""
    domain = company()
    assert domain.origin_controls("company-repo", "npm", "acme-utils") == (
        PUBLISHED_DEFAULTS
    )
    assert (
        OriginControls(publish=OriginMode.ALLOW, upstream=OriginMode.BLOCK)
        == PUBLISHED_DEFAULTS
    )
    attack = domain.resolve("company-repo", "npm", "acme-utils", "99.0.0")
    assert not attack.found
    assert attack.searched == ("company-repo",)
    assert attack.trace[0].outcome is Outcome.BLOCKED
    assert attack.trace[0].blocked_by is Control.PACKAGE_UPSTREAM
    assert domain.versions_in("npm-store", "npm", "acme-utils") == ()
    assert domain.versions_in("company-repo", "npm", "acme-utils") == ("1.0.0",)
    assert domain.list_versions("company-repo", "npm", "acme-utils") == ("1.0.0",)
    internal = domain.resolve("company-repo", "npm", "acme-utils", "1.0.0")
    assert internal.served_by == "company-repo"
    assert domain.exposures() == ()


def test_dependency_confusion_allowed_when_controls_are_changed() -> None:
    domain = company()
    domain.set_origin_controls("company-repo", "npm", "acme-utils", upstream="ALLOW")
    assert domain.list_versions("company-repo", "npm", "acme-utils") == (
        "1.0.0",
        "99.0.0",
    )
    (exposure,) = domain.exposures()
    assert exposure.repository == "company-repo"
    assert exposure.path == ("company-repo", "npm-store")
    attack = domain.resolve("company-repo", "npm", "acme-utils", "99.0.0")
    assert attack.served_by == "npm-store"
    assert domain.versions_in("npm-store", "npm", "acme-utils") == ("99.0.0",)
    assert domain.versions_in("company-repo", "npm", "acme-utils") == (
        "1.0.0",
        "99.0.0",
    )


def test_a_sibling_path_around_the_internal_repository_is_exposed() -> None:
    """app -> [company-repo, npm-store]: app has no record of acme-utils, so a
    public version arrives through npm-store; the package group fixes it."""
    domain = company()
    domain.add_repository(Repository("app", ("company-repo", "npm-store")))
    (exposure,) = domain.exposures()
    assert (exposure.repository, exposure.path) == ("app", ("app", "npm-store"))
    assert domain.exposure("app", "npm", "acme-utils") == exposure
    assert domain.exposure("company-repo", "npm", "acme-utils") is None
    assert domain.resolve("app", "npm", "acme-utils", "99.0.0", retain=False).found
    domain.set_package_group("/npm//acme~", external_upstream="BLOCK")
    assert domain.exposures() == ()
    assert domain.exposure("app", "npm", "acme-utils") is None
    blocked = domain.resolve("app", "npm", "acme-utils", "99.0.0")
    assert not blocked.found
    last = blocked.trace[-1]
    assert last.outcome is Outcome.EXTERNAL_BLOCKED
    assert (last.blocked_by, last.group) == (
        Control.GROUP_EXTERNAL_UPSTREAM,
        "/npm//acme~",
    )
    assert domain.resolve("app", "npm", "acme-utils", "1.0.0").served_by == (
        "company-repo"
    )


def test_block_wins_package_block_beats_group_allow() -> None:
    """awscore's choice where AWS is silent: a package is let in only when both its
    origin control and its package group allow it."""
    domain = company()
    domain.set_package_group(
        "/npm//acme-utils$", external_upstream="ALLOW", internal_upstream="ALLOW"
    )
    assert not domain.resolve("company-repo", "npm", "acme-utils", "99.0.0").found


def test_block_wins_group_block_beats_package_allow() -> None:
    domain = company()
    domain.set_origin_controls("company-repo", "npm", "acme-utils", upstream="ALLOW")
    domain.set_package_group("/npm/*", external_upstream="BLOCK")
    result = domain.resolve("company-repo", "npm", "acme-utils", "99.0.0")
    assert not result.found
    assert result.blocked[0].group == "/npm/*"


def test_group_internal_upstream_blocks_retaining_into_the_requester() -> None:
    domain = company()
    domain.publish("npm-store", "npm", "shared-lib", "2.0.0")
    domain.set_package_group(
        "/npm//shared-lib$",
        internal_upstream=GroupRestriction(
            mode=RestrictionMode.ALLOW_SPECIFIC_REPOSITORIES,
            repositories=frozenset({"npm-store"}),
        ),
    )
    result = domain.resolve("company-repo", "npm", "shared-lib", "2.0.0")
    assert not result.found
    assert result.trace[0].blocked_by is Control.GROUP_INTERNAL_UPSTREAM
    domain.set_package_group(
        "/npm//shared-lib$",
        internal_upstream=GroupRestriction(
            mode=RestrictionMode.ALLOW_SPECIFIC_REPOSITORIES,
            repositories=frozenset({"company-repo"}),
        ),
    )
    assert domain.resolve("company-repo", "npm", "shared-lib", "2.0.0").found


def test_publish_blocked_by_control_or_group() -> None:
    domain = company()
    domain.set_origin_controls("company-repo", "npm", "acme-utils", publish="BLOCK")
    with pytest.raises(OriginBlockedError, match="publish=BLOCK"):
        domain.publish("company-repo", "npm", "acme-utils", "1.1.0")
    domain.set_package_group("/npm//left~", publish="BLOCK")
    with pytest.raises(OriginBlockedError, match="PUBLISH"):
        domain.publish("company-repo", "npm", "left-pad", "1.0.0")
    assert domain.versions_in("company-repo", "npm", "left-pad") == ()


def test_publish_conflicts() -> None:
    """Publishing a version twice, or one reachable upstream while the upstream
    control is ALLOW, is a conflict (ConflictException)."""
    domain = company()
    with pytest.raises(PackageConflictError, match="already exists"):
        domain.publish("company-repo", "npm", "acme-utils", "1.0.0")
    domain.add_public_version("public:npmjs", "lodash", "4.17.21")
    with pytest.raises(PackageConflictError, match="available upstream"):
        domain.publish("company-repo", "npm", "lodash", "4.17.21")
    # With upstream BLOCK (the internal package) the public version is no conflict.
    domain.add_public_version("public:npmjs", "acme-utils", "1.1.0")
    domain.publish("company-repo", "npm", "acme-utils", "1.1.0")
    assert domain.versions_in("company-repo", "npm", "acme-utils") == (
        "1.0.0",
        "1.1.0",
    )


def test_set_origin_controls_before_any_version() -> None:
    """PutPackageOriginConfiguration may be called on a package that does not
    exist yet: it creates the record, with no versions."""
    domain = company()
    controls = domain.set_origin_controls(
        "company-repo", "npm", "lodash", upstream="BLOCK"
    )
    assert controls == OriginControls(
        publish=OriginMode.ALLOW, upstream=OriginMode.BLOCK
    )
    domain.add_public_version("public:npmjs", "lodash", "4.17.21")
    assert not domain.resolve("company-repo", "npm", "lodash", "4.17.21").found
    with pytest.raises(CodeArtifactInputError, match="ALLOW or BLOCK"):
        domain.set_origin_controls("company-repo", "npm", "lodash", upstream="MAYBE")


def test_most_specific_group_and_inheritance() -> None:
    """User Guide: a package belongs to the most specific matching group;
    INHERIT takes the mode of the first parent group not set to INHERIT."""
    domain = company()
    domain.set_package_group("/npm/*", external_upstream="BLOCK")
    domain.set_package_group("/npm/acme~", external_upstream="ALLOW")
    domain.set_package_group("/npm/acme/*")  # all INHERIT
    domain.set_package_group("/npm/acme/ui~", publish="BLOCK")
    assert domain.package_group("npm", "@acme/ui-kit").pattern == "/npm/acme/ui~"
    assert domain.package_group("npm", "@acme/core").pattern == "/npm/acme/*"
    assert domain.package_group("npm", "@acmeco/x").pattern == "/npm/acme~"
    assert domain.package_group("npm", "react").pattern == "/npm/*"
    assert domain.package_group("pypi", "requests").pattern == "/*"
    parent = domain.parent_group("/npm/acme/ui~")
    assert parent is not None
    assert parent.pattern == "/npm/acme/*"
    assert domain.parent_group("/*") is None
    effective = domain.effective_restriction(
        "npm", "@acme/ui-kit", RestrictionType.EXTERNAL_UPSTREAM
    )
    assert (effective.restriction.mode, effective.group) == (
        RestrictionMode.ALLOW,
        "/npm/acme~",
    )
    effective = domain.effective_restriction("npm", "react", "EXTERNAL_UPSTREAM")
    assert (effective.restriction.mode, effective.group) == (
        RestrictionMode.BLOCK,
        "/npm/*",
    )
    effective = domain.effective_restriction("npm", "react", "INTERNAL_UPSTREAM")
    assert (effective.restriction.mode, effective.group) == (
        RestrictionMode.ALLOW,
        "/*",
    )
    domain.delete_package_group("/npm/acme/*")
    assert domain.package_group("npm", "@acme/core").pattern == "/npm/acme~"


def test_group_patterns_compare_normalized_names() -> None:
    """User Guide: groups match normalized PyPI/NuGet/Swift names, and their
    patterns must be written normalized."""
    domain = Domain("d1")
    domain.set_package_group("/pypi//my-pkg$", publish="BLOCK")
    assert domain.package_group("pypi", "My_Pkg").pattern == "/pypi//my-pkg$"
    with pytest.raises(CodeArtifactInputError, match="write 'my-pkg'"):
        domain.set_package_group("/pypi//My_Pkg$", publish="BLOCK")


@settings(max_examples=200)
@given(domain_specs(), st.data())
def test_a_blocked_version_is_never_served(
    spec: dict[str, Any], data: st.DataObject
) -> None:
    """Nothing comes through a repository whose upstream control on the package is
    BLOCK; nothing is ingested into a repository its group's EXTERNAL_UPSTREAM
    does not allow; nothing is retained from an upstream into a requester its
    group's INTERNAL_UPSTREAM does not allow."""
    domain = domain_from_dict(spec)
    root = data.draw(st.sampled_from([r["name"] for r in spec["repositories"]]))
    version = data.draw(st.sampled_from(["1", "2", "3"]))
    result = domain.resolve(root, "npm", PACKAGE, version)
    if not result.found or (result.path == (root,) and not result.external_connection):
        return
    passed_through = result.path if result.external_connection else result.path[:-1]
    for name in passed_through:
        assert default_upstream_control(spec, name) != "BLOCK"
    if result.external_connection:
        assert group_allows(spec, "external_upstream", result.path[-1])
    if len(result.path) > 1:
        assert group_allows(spec, "internal_upstream", root)


@settings(max_examples=150)
@given(domain_specs(), st.data())
def test_adding_an_upstream_at_the_end_never_changes_a_found_version(
    spec: dict[str, Any], data: st.DataObject
) -> None:
    """An upstream added at the end of the requested repository's list is searched
    after everything that was searched before, so a version already found is
    served from the same place."""
    domain = domain_from_dict(spec)
    root = data.draw(st.sampled_from([r["name"] for r in spec["repositories"]]))
    repo = domain.repository(root)
    candidates = [r.name for r in domain.repositories if r.name not in repo.upstreams]
    if repo.external_connection or len(repo.upstreams) >= 10 or not candidates:
        return
    version = data.draw(st.sampled_from(["1", "2", "3"]))
    before = domain.resolve(root, "npm", PACKAGE, version, retain=False)
    domain.add_upstream(root, data.draw(st.sampled_from(candidates)))
    after = domain.resolve(root, "npm", PACKAGE, version, retain=False)
    if before.found:
        assert (after.served_by, after.external_connection, after.path) == (
            before.served_by,
            before.external_connection,
            before.path,
        )


def test_adding_an_upstream_deeper_can_change_the_answer() -> None:
    """The property holds for the requested repository's own list only: an
    upstream appended to an inner repository is searched before that
    repository's later siblings (documented on the docs page)."""
    domain = Domain("d1")
    for name in ("inner", "sibling", "newcomer"):
        domain.add_repository(Repository(name))
    domain.add_repository(Repository("top", ("inner", "sibling")))
    domain.publish("sibling", "npm", "x", "1")
    domain.publish("newcomer", "npm", "x", "1")
    assert domain.resolve("top", "npm", "x", "1", retain=False).served_by == "sibling"
    domain.add_upstream("inner", "newcomer")
    assert domain.resolve("top", "npm", "x", "1", retain=False).served_by == "newcomer"


def test_listing_unions_upstreams_and_merges_dist_tags() -> None:
    """Listing through a repository shows its versions and what its upstreams let
    through; on a dist-tag conflict the upstream's tag wins."""
    domain = Domain("d1")
    domain.add_repository(Repository("npm-store", external_connection="public:npmjs"))
    domain.add_repository(Repository("team", ()))
    domain.add_repository(Repository("my-repo", ("team", "npm-store")))
    domain.add_public_version("public:npmjs", "lodash", "4.17.20")
    domain.add_public_version("public:npmjs", "lodash", "4.17.21", dist_tags=["latest"])
    domain.resolve("my-repo", "npm", "lodash", "4.17.20")
    domain.set_dist_tag("my-repo", "lodash", "latest", "4.17.20")
    domain.set_dist_tag("my-repo", "lodash", "stable", "4.17.20")
    metadata = domain.package_metadata("my-repo", "npm", "lodash")
    assert metadata.versions == ("4.17.20", "4.17.21")
    assert dict(metadata.dist_tags) == {"latest": "4.17.21", "stable": "4.17.20"}
    assert dict(metadata.sources) == {
        "4.17.20": "my-repo",
        "4.17.21": "npm-store via public:npmjs",
    }
    # ListPackageVersions itself only looks in the repository.
    assert domain.versions_in("my-repo", "npm", "lodash") == ("4.17.20",)


def test_listing_among_upstreams_the_first_listed_wins() -> None:
    spec = {
        "repositories": [
            {"name": "up-1"},
            {"name": "up-2"},
            {"name": "down", "upstreams": ["up-1", "up-2"]},
        ],
        "packages": [
            {
                "repository": r,
                "format": "npm",
                "package": "x",
                "versions": [v],
                "dist_tags": {"latest": v},
            }
            for r, v in (("up-1", "1.0.0"), ("up-2", "2.0.0"))
        ],
    }
    metadata = domain_from_dict(spec).package_metadata("down", "npm", "x")
    assert dict(metadata.dist_tags) == {"latest": "1.0.0"}
    assert metadata.versions == ("1.0.0", "2.0.0")


def test_failed_calls_change_nothing() -> None:
    domain = company()
    before = domain_to_dict(domain)
    calls: list[Callable[[], object]] = [
        lambda: domain.publish("company-repo", "npm", "acme-utils", "1.0.0"),
        lambda: domain.publish("company-repo", "npm", "bad name", "1.0.0"),
        lambda: domain.publish("nope", "npm", "x", "1"),
        lambda: domain.add_upstream("company-repo", "missing"),
        lambda: domain.associate_external_connection("npm-store", "public:pypi"),
        lambda: domain.set_package_group("/npm/x/*", publish="SOMETIMES"),
        lambda: domain.set_package_group(
            "/npm/x/*",
            publish=GroupRestriction(
                mode=RestrictionMode.ALLOW_SPECIFIC_REPOSITORIES,
                repositories=frozenset({"ghost"}),
            ),
        ),
        lambda: domain.add_repository(Repository("app", ("ghost",))),
        lambda: domain.set_dist_tag("company-repo", "acme-utils", "latest", "9.9.9"),
        lambda: domain.resolve("company-repo", "npm", "acme-utils", "bad version"),
    ]
    for call in calls:
        with pytest.raises(CodeArtifactError):
            call()
        assert domain_to_dict(domain) == before
