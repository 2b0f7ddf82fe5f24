"""Names and bad input: every problem a typed CodeArtifactError."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from awscore.codeartifact import (
    MAX_REPOSITORIES,
    Domain,
    GroupPattern,
    GroupRestriction,
    OriginControls,
    PackageFormat,
    PackageId,
    PatternKind,
    Repository,
    domain_to_dict,
    normalize_name,
    version_sort_key,
)
from awscore.errors import (
    CodeArtifactError,
    CodeArtifactInputError,
    CodeArtifactLimitError,
    RepositoryNotFoundError,
)


@pytest.mark.parametrize(
    "name", ["ab", "my_repo", "npm-store", "A.b_c-d", "9lives", "x" * 100]
)
def test_valid_repository_names(name: str) -> None:
    assert Repository(name).name == name


@pytest.mark.parametrize(
    "name", ["", "a", "-repo", ".repo", "my repo", "repo/x", "x" * 101, "répo"]
)
def test_invalid_repository_names(name: str) -> None:
    """CreateRepository: 2-100 characters, [A-Za-z0-9][A-Za-z0-9._-]{1,99}."""
    with pytest.raises(CodeArtifactInputError, match="2-100 characters"):
        Repository(name)


@pytest.mark.parametrize("name", ["ab", "my-domain", "a" * 50, "a1"])
def test_valid_domain_names(name: str) -> None:
    assert Domain(name).name == name


@pytest.mark.parametrize("name", ["a", "My-domain", "my-", "1abc", "a" * 51, "my_d"])
def test_invalid_domain_names(name: str) -> None:
    """CreateDomain: [a-z][a-z0-9-]{0,48}[a-z0-9]."""
    with pytest.raises(CodeArtifactInputError, match="2-50 characters"):
        Domain(name)


def test_eleventh_upstream() -> None:
    """At most 10 direct upstream repositories."""
    names = tuple(f"up-{i}" for i in range(11))
    with pytest.raises(CodeArtifactInputError, match="at most 10"):
        Repository("down", names)
    domain = Domain("d1")
    for name in names:
        domain.add_repository(Repository(name))
    domain.add_repository(Repository("down", names[:10]))
    with pytest.raises(CodeArtifactLimitError, match="at most 10"):
        domain.add_upstream("down", names[10])
    assert domain.repository("down").upstreams == names[:10]


def test_second_external_connection() -> None:
    """One external connection per repository."""
    domain = Domain("d1")
    domain.add_repository(Repository("store", external_connection="public:npmjs"))
    with pytest.raises(CodeArtifactLimitError, match="one external connection"):
        domain.associate_external_connection("store", "public:pypi")
    assert domain.repository("store").external_connection == "public:npmjs"
    domain.add_repository(Repository("empty"))
    domain.associate_external_connection("empty", "public:pypi")
    assert domain.repository("empty").external_connection == "public:pypi"


def test_upstreams_or_an_external_connection_not_both() -> None:
    """AssociateExternalConnection: a repository can have upstream repositories
    or an external connection."""
    with pytest.raises(CodeArtifactInputError, match="not both"):
        Repository("both", ("up",), "public:npmjs")


def test_unknown_external_connection() -> None:
    with pytest.raises(CodeArtifactInputError, match="public:npmjs"):
        Repository("store", external_connection="public:npm")


def test_unknown_repository() -> None:
    domain = Domain("d1")
    domain.add_repository(Repository("known"))
    with pytest.raises(RepositoryNotFoundError, match="'nope' does not exist"):
        domain.resolve("nope", "npm", "x", "1")
    with pytest.raises(RepositoryNotFoundError):
        domain.add_repository(Repository("down", ("ghost",)))
    with pytest.raises(RepositoryNotFoundError):
        domain.set_upstreams("known", ["ghost"])
    with pytest.raises(CodeArtifactInputError, match="2-100"):
        domain.repository("x")
    with pytest.raises(CodeArtifactInputError, match="already exists"):
        domain.add_repository(Repository("known"))


def test_unknown_format() -> None:
    domain = Domain("d1")
    domain.add_repository(Repository("known"))
    with pytest.raises(
        CodeArtifactInputError, match="not a package format: one of npm"
    ):
        domain.publish("known", "docker", "x", "1")


def test_repository_lists_every_problem() -> None:
    with pytest.raises(CodeArtifactInputError) as caught:
        Repository("x", ("ok-up", "ok-up", "b"), "public:nope")
    assert len(caught.value.problems) == 5
    assert isinstance(caught.value, ValueError)


def test_thousand_repositories() -> None:
    domain = Domain("big")
    for i in range(MAX_REPOSITORIES):
        domain.add_repository(Repository(f"r{i:04d}"))
    with pytest.raises(CodeArtifactLimitError, match="1,000"):
        domain.add_repository(Repository("one-more"))


@pytest.mark.parametrize(
    ("written", "normal"),
    [
        # PEP 503's own examples all normalize to the same name.
        ("friendly-bar", "friendly-bar"),
        ("Friendly-Bar", "friendly-bar"),
        ("FRIENDLY-BAR", "friendly-bar"),
        ("friendly.bar", "friendly-bar"),
        ("friendly_bar", "friendly-bar"),
        ("FrIeNdLy-._.-bAr", "friendly-bar"),
    ],
)
def test_pypi_names_normalize_as_pep_503(written: str, normal: str) -> None:
    assert normalize_name(PackageFormat.PYPI, written) == normal
    assert PackageId.parse("pypi", written).key == ("pypi", "", normal)


def test_pypi_spellings_are_one_package() -> None:
    domain = Domain("d1")
    domain.add_repository(Repository("py"))
    domain.publish("py", "pypi", "Friendly_Bar", "1.0")
    assert domain.resolve("py", "pypi", "friendly.bar", "1.0").served_by == "py"


def test_nuget_is_case_insensitive_npm_and_maven_are_not() -> None:
    domain = Domain("d1")
    domain.add_repository(Repository("repo"))
    domain.publish("repo", "nuget", "Newtonsoft.Json", "13.0.1")
    assert domain.versions_in("repo", "nuget", "newtonsoft.json") == ("13.0.1",)
    domain.publish("repo", "npm", "@Acme/ui", "1.0.0")
    assert domain.versions_in("repo", "npm", "@acme/ui") == ()
    domain.publish("repo", "maven", "com.acme:core", "1.0")
    assert domain.versions_in("repo", "maven", "com.ACME:core") == ()
    assert domain.versions_in("repo", "maven", "com.acme:core") == ("1.0",)


def test_npm_scope_and_name_are_both_compared() -> None:
    scoped = PackageId.parse("npm", "@acme/ui")
    assert (scoped.namespace, scoped.name, str(scoped)) == ("acme", "ui", "@acme/ui")
    assert scoped.key != PackageId.parse("npm", "ui").key
    assert scoped.path == "/npm/acme/ui"
    assert PackageId.parse("npm", "react").path == "/npm//react"


@pytest.mark.parametrize(
    ("fmt", "package", "fragment"),
    [
        ("npm", "@acme", "@scope/name"),
        ("maven", "core", "groupId:artifactId"),
        ("generic", "thing", "namespace/name"),
        ("npm", "has space", "no '#'"),
        ("npm", "", "1-255"),
        ("pypi", "a/b", "no '#'"),
        ("npm", 42, "not a string"),
    ],
)
def test_bad_packages(fmt: str, package: object, fragment: str) -> None:
    with pytest.raises(CodeArtifactInputError, match=fragment):
        PackageId.parse(fmt, package)


def test_build_rejects_namespaces_that_do_not_fit() -> None:
    with pytest.raises(CodeArtifactInputError, match="no namespace"):
        PackageId.build("pypi", "ns", "x")
    with pytest.raises(CodeArtifactInputError, match="need a namespace"):
        PackageId.build("maven", None, "x")
    with pytest.raises(CodeArtifactInputError, match="namespace 'a b'"):
        PackageId.build("generic", "a b", "x")
    assert str(PackageId.build("swift", "Apple", "Algorithms")) == "Apple/Algorithms"
    assert PackageId.build("cargo", None, "Serde_JSON").key[2] == "serde-json"


@pytest.mark.parametrize(
    ("pattern", "kind"),
    [
        ("/*", PatternKind.ALL),
        ("/npm/*", PatternKind.FORMAT),
        ("/maven/com.anycompany~", PatternKind.NAMESPACE_PREFIX),
        ("/npm/space/*", PatternKind.NAMESPACE),
        ("/npm/space/anycompany-ui~", PatternKind.NAME_PREFIX),
        ("/maven/org.apache.logging.log4j/log4j-core$", PatternKind.EXACT),
        ("/pypi//requests$", PatternKind.EXACT),
    ],
)
def test_documented_group_patterns(pattern: str, kind: PatternKind) -> None:
    """The six example patterns of the User Guide, and a PyPI one."""
    parsed = GroupPattern.parse(pattern)
    assert parsed.kind is kind
    assert str(parsed) == pattern


@pytest.mark.parametrize(
    "pattern",
    [
        "npm/*",
        "/npm",
        "/npm/",
        "/docker/*",
        "/npm/a/b/c$",
        "/npm/~",
        "/npm/a/b",
        "/pypi/ns/x$",
        "/maven//x$",
        "/npm/a b/*",
        "/pypi//Requests$",
        "/pypi/x~",
        7,
    ],
)
def test_bad_group_patterns(pattern: object) -> None:
    with pytest.raises(CodeArtifactInputError, match="package group pattern"):
        GroupPattern.parse(pattern)


def test_bad_restrictions() -> None:
    with pytest.raises(CodeArtifactInputError, match="takes no repositories"):
        GroupRestriction(mode="BLOCK", repositories=frozenset({"repo-a"}))  # type: ignore[arg-type]
    with pytest.raises(CodeArtifactInputError, match="not one of"):
        GroupRestriction(mode="NEVER")  # type: ignore[arg-type]
    with pytest.raises(CodeArtifactInputError, match="not a list"):
        GroupRestriction.coerce({"mode": "ALLOW", "repositories": "abc"}, "here")
    with pytest.raises(CodeArtifactInputError, match="unknown keys"):
        GroupRestriction.coerce({"mod": "ALLOW"}, "here")
    with pytest.raises(CodeArtifactInputError, match="not a mode name"):
        GroupRestriction.coerce(3, "here")
    domain = Domain("d1")
    with pytest.raises(CodeArtifactInputError, match="no parent"):
        domain.set_package_group("/*", publish="INHERIT")
    with pytest.raises(CodeArtifactInputError, match="cannot be deleted"):
        domain.delete_package_group("/*")
    with pytest.raises(CodeArtifactInputError, match="does not exist"):
        domain.delete_package_group("/npm/*")


def test_version_sort_key() -> None:
    versions = ["1.10.0", "1.9.0", "1.0.0-beta", "1.0.0", "2"]
    assert sorted(versions, key=version_sort_key) == [
        "1.0.0",
        "1.0.0-beta",
        "1.9.0",
        "1.10.0",
        "2",
    ]


@given(st.text(max_size=30), st.text(max_size=30), st.text(max_size=20))
def test_hostile_names_raise_only_codeartifact_errors(
    fmt: str, package: str, version: str
) -> None:
    """Any text given as a format, package or version is accepted or rejected
    with a CodeArtifactError; nothing else escapes."""
    domain = Domain("d1")
    domain.add_repository(Repository("repo"))
    with contextlib.suppress(CodeArtifactError):
        domain.publish("repo", fmt, package, version)
        domain.resolve("repo", fmt, package, version)


hostile = st.one_of(
    st.none(),
    st.integers(),
    st.floats(allow_nan=False),
    st.text(max_size=12),
    st.sampled_from(["repo", "store", "npm", "public:npmjs", "/npm/*", "ALLOW"]),
    st.lists(st.text(max_size=5), max_size=3),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
    st.binary(max_size=5),
)


def _calls(domain: Domain) -> list[Callable[[Any, Any], object]]:
    return [
        Repository,
        lambda a, b: Repository("ab", (), a),
        lambda a, b: Domain(a),
        lambda a, b: domain.publish("repo", "npm", a, b),
        lambda a, b: domain.publish(a, b, "x", "1"),
        lambda a, b: domain.publish("repo", "npm", "xx", "1", dist_tags=a),
        lambda a, b: domain.resolve(a, "npm", b, "1"),
        domain.set_upstreams,
        lambda a, b: domain.add_upstream("repo", a),
        domain.associate_external_connection,
        lambda a, b: domain.add_public_version(a, b, "1"),
        lambda a, b: domain.add_public_version("public:npmjs", "x", "1", dist_tags=a),
        lambda a, b: domain.set_origin_controls(
            "repo", "npm", "x", publish=a, upstream=b
        ),
        lambda a, b: domain.set_package_group(a, publish=b),
        lambda a, b: domain.set_package_group(
            "/npm/*", external_upstream=a, internal_upstream=b
        ),
        lambda a, b: domain.effective_restriction("npm", a, b),
        domain.package_group,
        lambda a, b: domain.parent_group(a),
        lambda a, b: domain.delete_package_group(a),
        lambda a, b: domain.list_versions(a, "npm", b),
        lambda a, b: domain.set_dist_tag("repo", "x", a, b),
        lambda a, b: domain.exposure(a, "npm", b),
        lambda a, b: domain.versions_in("repo", a, b),
        lambda a, b: domain.version_origin("repo", "npm", "x", a),
        domain.public_versions,
        lambda a, b: GroupRestriction(mode=a, repositories=b),
        lambda a, b: OriginControls(publish=a, upstream=b),
        lambda a, b: PackageId.build("generic", a, b),
    ]


@settings(max_examples=300)
@given(st.integers(min_value=0, max_value=27), hostile, hostile)
def test_hostile_arguments_raise_only_codeartifact_errors(
    which: int, first: object, second: object
) -> None:
    """Any object given to a public constructor or method is accepted or rejected
    with a CodeArtifactError, and a rejected call leaves the domain unchanged."""
    domain = Domain("d1")
    domain.add_repository(Repository("repo"))
    domain.add_repository(Repository("store", external_connection="public:npmjs"))
    before = domain_to_dict(domain)
    try:
        _calls(domain)[which](first, second)
    except CodeArtifactError:
        assert domain_to_dict(domain) == before


def test_contract_keywords() -> None:
    """The issue's contract names the arguments: ``publish(repository, format,
    package, version)``, ``resolve(...)`` likewise, ``list_versions(repository,
    format, package)``; callers may pass them by name."""
    domain = Domain("d1")
    domain.add_repository(Repository(name="up", upstreams=(), external_connection=None))
    domain.add_repository(Repository(name="down", upstreams=("up",)))
    domain.publish(repository="up", format="npm", package="x", version="1.0.0")
    found = domain.resolve(
        repository="down", format="npm", package="x", version="1.0.0"
    )
    assert found.served_by == "up"
    assert domain.list_versions(repository="down", format="npm", package="x") == (
        "1.0.0",
    )
