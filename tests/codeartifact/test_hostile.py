# These tests pass wrong kinds of values on purpose, as an untyped caller would:
# mypy: disable-error-code="arg-type,dict-item,list-item,return-value"
"""Hostile input to the codeartifact module: typed errors, bounded work (#22)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from awscore.codeartifact import (
    MAX_DOCUMENT_DEPTH,
    Domain,
    GroupPattern,
    GroupRestriction,
    OriginControls,
    Repository,
    domain_from_dict,
    domain_to_dict,
    load_domain,
    version_sort_key,
)
from awscore.errors import AwsCoreError, CodeArtifactError, CodeArtifactInputError
from tests.strategies import hostile
from tests.strategies.codeartifact import domain_calls, domain_specs

DIGITS = "9" * 5000  # past Python's 4,300-digit int-to-string limit

SPEC = {
    "domain": "my-domain",
    "repositories": [
        {"name": "npm-store", "external_connection": "public:npmjs"},
        {"name": "my-repo", "upstreams": ["npm-store"]},
    ],
    "packages": [
        {"repository": "my-repo", "format": "npm", "package": "a", "versions": ["1"]}
    ],
    "public": {"public:npmjs": {"lodash": ["4.17.21"]}},
}


@pytest.mark.parametrize(
    "text",
    [
        f"public:\n  public:npmjs:\n    lodash: [{DIGITS}]\n",
        f"domain: {DIGITS}\n",
        f'{{"packages": [{{"repository": "my-repo", "versions": [{DIGITS}]}}]}}',
    ],
    ids=["public-version", "domain", "package-version"],
)
def test_a_5000_digit_number_is_a_typed_error(text: str) -> None:
    """A 5,000-digit YAML number raised ValueError while building the message."""
    with pytest.raises(CodeArtifactInputError, match="a number of 5,000 digits"):
        load_domain(text)


@pytest.mark.parametrize(
    ("change", "where"),
    [
        ({"origin": [1]}, r"packages\[0\]: origin \[1\] is not one of"),
        ({"origin": {"a": 1}}, r"packages\[0\]: origin \{'a': 1\} is not one of"),
        ({"dist_tags": [["latest", "1"]]}, "dist_tags is not a mapping"),
        ({"origin_controls": ["ALLOW"]}, "origin_controls is not a"),
        ({"versions": {"1": 1}}, r"packages\[0\].versions is not a list"),
    ],
)
def test_a_list_where_a_mapping_belongs_is_a_typed_error(
    change: dict[str, Any], where: str
) -> None:
    """A list (unhashable) where a mapping or a name belongs raised TypeError."""
    spec = json.loads(json.dumps(SPEC))
    spec["packages"][0].update(change)
    with pytest.raises(CodeArtifactInputError, match=where):
        load_domain(json.dumps(spec))


def test_version_sort_key_orders_5000_digit_numbers_without_int() -> None:
    """version_sort_key of 5,000 digits raised ValueError (int-to-string limit)."""
    versions = [f"1.{DIGITS}", "1.10", f"1.{DIGITS[:-1]}8", "1.9", "1.09", "1.a"]
    assert sorted(versions, key=version_sort_key) == [
        "1.9",
        "1.09",
        "1.10",
        f"1.{DIGITS[:-1]}8",
        f"1.{DIGITS}",
        "1.a",
    ]
    assert version_sort_key("1.09") == version_sort_key("1.9")
    with pytest.raises(CodeArtifactInputError, match="version 5 is not a string"):
        version_sort_key(5)


def test_the_description_size_depth_and_entries_are_bounded() -> None:
    """Each bound is a typed error naming it; each is configurable."""
    text = json.dumps(SPEC)
    with pytest.raises(CodeArtifactInputError, match="max_size allows at most 10"):
        load_domain(text, max_size=10)
    with pytest.raises(CodeArtifactInputError, match="nests 3000 levels deep"):
        load_domain("[" * 3000)
    assert MAX_DOCUMENT_DEPTH == 32
    with pytest.raises(CodeArtifactInputError, match="more than 5 list items"):
        load_domain(text, max_entries=5)
    # aliases of aliases: a small text that expands to 10**6 entries
    bomb = "a: &a [" + ",".join(["x"] * 100) + "]\n"
    bomb += "b: &b [" + ",".join(["*a"] * 100) + "]\n"
    bomb += "c: [" + ",".join(["*b"] * 100) + "]\n"
    with pytest.raises(CodeArtifactInputError, match="YAML aliases expanded"):
        load_domain(bomb)
    with pytest.raises(CodeArtifactInputError, match="must be text or bytes, not 5"):
        load_domain(5)
    with pytest.raises(CodeArtifactInputError, match="max_size=-1 must be"):
        load_domain(text, max_size=-1)
    assert load_domain(text.encode()).name == "my-domain"


def test_upstreams_are_read_no_further_than_the_quota() -> None:
    """An endless iterable of upstreams hung Repository; now one past the quota."""

    def endless() -> Any:
        while True:
            yield "repo-x"

    with pytest.raises(CodeArtifactInputError, match="more than 10 upstreams"):
        Repository("my-repo", endless())


def _state(domain: Domain) -> str:
    return json.dumps(domain_to_dict(domain), sort_keys=True, default=str)


@settings(max_examples=100)
@given(spec=domain_specs(max_repos=6), data=st.data())
def test_a_rejected_call_changes_no_domain(spec: dict[str, Any], data: Any) -> None:
    """A Domain method that raises leaves the domain exactly as it was (its
    description, resolve's retention included), and raises only awscore errors."""
    domain = domain_from_dict(spec)
    names = [r.name for r in domain.repositories]
    for _ in range(4):
        method, args, kwargs = data.draw(domain_calls(names))
        before = _state(domain)
        try:
            getattr(domain, method)(*args, **kwargs)
        except CodeArtifactError:
            assert _state(domain) == before, (method, args, kwargs)
        except AwsCoreError as error:  # pragma: no cover - a failure to report
            pytest.fail(f"{method} raised {error!r}, not a CodeArtifactError")


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: GroupPattern.parse("/npm/*").matches("lodash"), "is not a PackageId"),
        (lambda: GroupPattern.parse("/npm/*").contains("/*"), "is not a GroupPattern"),
        (lambda: GroupRestriction.coerce(5, 10**5000), "restriction <an integer"),
        (lambda: GroupRestriction(mode=hostile.nested_list(3000)), "restriction mode"),
        (lambda: GroupRestriction(repositories=[[1]]), "not \\[1\\]"),
        (lambda: GroupRestriction(repositories=iter(int, 1)), "at most 1000 names"),
        (lambda: OriginControls(publish=[1], upstream="ALLOW"), r"publish=\[1\]"),
        (lambda: domain_to_dict({"domain": "d"}), "is not a Domain"),
        (
            lambda: Domain().effective_restriction("npm", "a", [1]),
            r"restriction \[1\] is not one of",
        ),
    ],
)
def test_wrong_kinds_are_typed_errors(call: Any, message: str) -> None:
    """Each raised AttributeError, ValueError or RecursionError from inside."""
    with pytest.raises(CodeArtifactInputError, match=message):
        call()
