"""Loading domains from JSON and YAML descriptions, and dumping them back."""

from __future__ import annotations

import contextlib
import json
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from awscore.codeartifact import (
    OriginControls,
    OriginMode,
    RestrictionMode,
    VersionOrigin,
    domain_from_dict,
    domain_to_dict,
    load_domain,
)
from awscore.errors import CodeArtifactError, CodeArtifactInputError
from tests.strategies.codeartifact import domain_specs

YAML = """
domain: acme
repositories:
  - name: my-repo
    upstreams: [team-repo, npm-store]
  - name: team-repo
    upstreams: [npm-store]
  - name: npm-store
    external_connection: public:npmjs
packages:
  - repository: team-repo
    format: npm
    package: "@acme/ui"
    versions: ["1.0.0", "1.1.0"]
    dist_tags: {latest: "1.1.0"}
  - repository: npm-store
    format: npm
    package: lodash
    versions: ["4.17.20"]
    origin: external
public:
  public:npmjs:
    lodash: ["4.17.20", "4.17.21"]
    react: {versions: ["18.2.0"], dist_tags: {latest: "18.2.0"}}
package_groups:
  - pattern: /npm/acme/*
    external_upstream: BLOCK
    internal_upstream: {mode: ALLOW_SPECIFIC_REPOSITORIES, repositories: [my-repo]}
"""


def test_load_yaml() -> None:
    domain = load_domain(YAML)
    assert domain.name == "acme"
    assert domain.search_order("my-repo") == ("my-repo", "team-repo", "npm-store")
    assert domain.origin_controls("team-repo", "npm", "@acme/ui") == OriginControls(
        publish=OriginMode.ALLOW, upstream=OriginMode.BLOCK
    )
    assert domain.origin_controls("npm-store", "npm", "lodash") == OriginControls(
        publish=OriginMode.BLOCK, upstream=OriginMode.ALLOW
    )
    assert domain.version_origin("npm-store", "npm", "lodash", "4.17.20") is (
        VersionOrigin.EXTERNAL
    )
    assert domain.public_versions("public:npmjs", "lodash") == ("4.17.20", "4.17.21")
    group = domain.package_group("npm", "@acme/ui")
    assert group.external_upstream.mode is RestrictionMode.BLOCK
    assert group.internal_upstream.repositories == frozenset({"my-repo"})
    assert domain.resolve("my-repo", "npm", "@acme/ui", "1.1.0").served_by == (
        "team-repo"
    )
    meta = domain.package_metadata("my-repo", "npm", "react")
    assert dict(meta.dist_tags) == {"latest": "18.2.0"}


def test_load_json_is_the_same() -> None:
    as_json = json.dumps(yaml.safe_load(YAML))
    assert domain_to_dict(load_domain(as_json)) == domain_to_dict(load_domain(YAML))


def test_upstreams_may_come_later_and_form_cycles() -> None:
    domain = load_domain(
        "repositories:\n"
        "  - {name: aa, upstreams: [bb]}\n"
        "  - {name: bb, upstreams: [aa]}\n"
    )
    assert domain.search_order("aa") == ("aa", "bb")


def test_every_problem_is_reported_with_where() -> None:
    text = """
domain: Bad_Domain
extra: 1
repositories:
  - name: x
  - name: ok-repo
    upstreams: [ghost, 1.5]
  - name: ok-repo
  - [not, a, map]
packages:
  - repository: ok-repo
    format: docker
    package: x
  - repository: ghost
  - repository: ok-repo
    format: npm
    package: y
    versions: [1.0]
    origin: stolen
public:
  public:npm: {x: ["1"]}
package_groups:
  - pattern: /npm/*
    publish: SOMETIMES
"""
    with pytest.raises(CodeArtifactInputError) as caught:
        load_domain(text)
    problems = caught.value.problems
    joined = "\n".join(problems)
    for fragment in [
        "unknown keys ['extra']",
        "domain: domain name 'Bad_Domain'",
        "repositories[0]: repository name 'x'",
        "repositories[1].upstreams[1]",
        "is a number in YAML; quote it",
        "'ok-repo' is listed twice",
        "repositories[3] is not a mapping",
        "upstream 'ghost' is not a repository",
        "packages[0]: format 'docker'",
        "packages[1]: repository 'ghost'",
        "origin 'stolen'",
        "public['public:npm']",
        "package_groups[0]",
    ]:
        assert fragment in joined, fragment
    assert len(problems) >= 13


@pytest.mark.parametrize(
    "text",
    [
        "[1, 2]",
        "repositories: {a: 1}",
        "domain: [",
        "packages: [{repository: r1, format: npm, package: x, versions: x}]",
        "public: [1]",
        "public: {'public:npmjs': [1]}",
        "package_groups: [1]",
        "package_groups: [{pattern: '/npm/*', publish: {mode: BLOCK, x: 1}}]",
        "packages: [{repository: r1, format: pypi, package: x, dist_tags: {a: '1'}}]",
        "packages: [{repository: r1, format: npm, package: x, dist_tags: [1]}]",
        "packages: [{repository: r1, format: npm, package: x, origin_controls: 1}]",
        "packages: [{repository: r1, format: npm, package: x,"
        " origin_controls: {publish: NO}}]",
        "packages: [{repository: r1, format: npm, package: x, versions: ['1', '1']}]",
        "public: {'public:npmjs': {x: {versions: ['1'], dist_tags: {a: '2'}}}}",
        "public: {'public:npmjs': {'a b': ['1']}}",
        "public: {'public:npmjs': {x: ['1 2']}}",
        "repositories: [{name: r1, upstreams: [{}]}]",
    ],
)
def test_malformed_descriptions(text: str) -> None:
    standalone = text.startswith(("[", "domain", "repositories"))
    with pytest.raises(CodeArtifactInputError):
        load_domain(text if standalone else "repositories: [{name: r1}]\n" + text)


def test_same_package_listed_per_origin_merges() -> None:
    domain = domain_from_dict(
        {
            "repositories": [{"name": "r1"}],
            "packages": [
                {
                    "repository": "r1",
                    "format": "npm",
                    "package": "x",
                    "versions": ["1"],
                },
                {
                    "repository": "r1",
                    "format": "npm",
                    "package": "x",
                    "versions": ["2"],
                    "origin": "upstream",
                    "origin_controls": {"upstream": "ALLOW"},
                },
            ],
        }
    )
    assert domain.versions_in("r1", "npm", "x") == ("1", "2")
    assert domain.origin_controls("r1", "npm", "x") == OriginControls(
        publish=OriginMode.ALLOW, upstream=OriginMode.ALLOW
    )


@settings(max_examples=100)
@given(domain_specs())
def test_round_trip(spec: dict[str, Any]) -> None:
    """Dumping a loaded domain and loading the dump gives the same domain."""
    domain = domain_from_dict(spec)
    dumped = domain_to_dict(domain)
    again = load_domain(yaml.safe_dump(dumped))
    assert domain_to_dict(again) == dumped


@given(st.text(max_size=200))
def test_hostile_text_raises_only_codeartifact_errors(text: str) -> None:
    """Any text is loaded or rejected with a CodeArtifactError."""
    with contextlib.suppress(CodeArtifactError):
        load_domain(text)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)
keys = st.sampled_from(
    [
        "domain",
        "repositories",
        "packages",
        "public",
        "package_groups",
        "name",
        "upstreams",
        "external_connection",
        "repository",
        "format",
        "package",
        "versions",
        "origin",
        "dist_tags",
        "origin_controls",
        "pattern",
        "publish",
    ]
)


@given(st.dictionaries(keys, json_values, max_size=5))
def test_hostile_structures_raise_only_codeartifact_errors(
    data: dict[str, Any],
) -> None:
    """Any JSON-like structure is loaded or rejected with a CodeArtifactError."""
    with contextlib.suppress(CodeArtifactError):
        domain_from_dict(data)
