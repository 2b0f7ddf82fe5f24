"""Hypothesis strategies for AWS::CloudFormation::Init metadata and config sets."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

#: Keys mixing digits, upper and lower case, so code-point order differs from
#: numeric and case-insensitive order ("10" < "2" < "Z" < "a").
keys = st.text(alphabet="0129AZaz_-", min_size=1, max_size=4)
paths = keys.map(lambda k: f"/etc/{k}")
package_managers = st.sampled_from(
    ["msi", "dpkg", "rpm", "apt", "yum", "python", "Rubygems", "npm", "Zypper"]
)
config_names = st.text(alphabet="abcXY19", min_size=1, max_size=3)


def _packages() -> st.SearchStrategy[dict[str, Any]]:
    versions: st.SearchStrategy[object] = st.one_of(
        st.just(""), st.just([]), st.lists(st.sampled_from(["1.0", "2.1"]), max_size=2)
    )
    return st.dictionaries(
        package_managers, st.dictionaries(keys, versions, max_size=3), max_size=4
    )


def _services() -> st.SearchStrategy[dict[str, Any]]:
    spec = st.fixed_dictionaries(
        {},
        optional={
            "enabled": st.booleans(),
            "ensureRunning": st.sampled_from([True, False, "true", "False"]),
        },
    )
    return st.dictionaries(
        st.sampled_from(["sysvinit", "systemd", "windows"]),
        st.dictionaries(keys, spec, max_size=3),
        max_size=3,
    )


def configs() -> st.SearchStrategy[dict[str, Any]]:
    """One valid config: any subset of the seven sections, each with a few items."""
    command = st.fixed_dictionaries(
        {"command": st.one_of(st.just("true"), st.just(["echo", "x"]))},
        optional={"ignoreErrors": st.sampled_from(["yes", "Y", "1", False])},
    )
    file_spec = st.fixed_dictionaries(
        {"content": st.one_of(st.text(max_size=5), st.just({"k": [1, 2]}))},
        optional={"mode": st.sampled_from(["000644", "100600"])},
    )
    return st.fixed_dictionaries(
        {},
        optional={
            "packages": _packages(),
            "groups": st.dictionaries(
                keys, st.fixed_dictionaries({}, optional={"gid": st.just("45")})
            ),
            "users": st.dictionaries(
                keys, st.fixed_dictionaries({}, optional={"uid": st.just(50)})
            ),
            "sources": st.dictionaries(paths, st.just("https://example.com/a.tgz")),
            "files": st.dictionaries(paths, file_spec, max_size=5),
            "commands": st.dictionaries(keys, command, max_size=5),
            "services": _services(),
        },
    )


@st.composite
def set_graphs(draw: st.DrawFn, *, max_sets: int = 5) -> dict[str, list[str]]:
    """Set name -> the set names it references (cycles allowed, self included)."""
    names = [f"s{i}" for i in range(draw(st.integers(1, max_sets)))]
    return {name: draw(st.lists(st.sampled_from(names), max_size=3)) for name in names}


@st.composite
def metadata_with_sets(draw: st.DrawFn) -> dict[str, Any]:
    """Valid metadata: a few configs (files only) and an acyclic configSets graph.

    Set ``i`` may reference only sets with a larger index, so the graph is a DAG;
    entries mix config names, references and nested lists.
    """
    names = draw(st.lists(config_names, min_size=1, max_size=4, unique=True))
    light = st.fixed_dictionaries(
        {"files": st.dictionaries(paths, st.just({"content": "x"}), max_size=2)}
    )
    metadata: dict[str, Any] = {name: draw(light) for name in names}
    count = draw(st.integers(1, 4))
    sets: dict[str, Any] = {}
    for index in range(count):
        later = [f"set{j}" for j in range(index + 1, count)]
        entry = st.one_of(
            st.sampled_from(names),
            *(
                [st.sampled_from(later).map(lambda s: {"ConfigSet": s})]
                if later
                else []
            ),
        )
        entries = draw(
            st.lists(st.one_of(entry, st.lists(entry, max_size=2)), max_size=4)
        )
        sets[f"set{index}"] = entries
    metadata["configSets"] = sets
    return metadata
