"""Planning: configSets, section order, and each section's ordering rule."""

from __future__ import annotations

import contextlib
from collections import Counter
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from awscore.cfn_init import (
    Command,
    File,
    Package,
    Plan,
    Section,
    Service,
    plan,
)
from awscore.errors import CfnInitError, CfnInitInputError
from tests.strategies.cfn_init import configs, metadata_with_sets, set_graphs

HTTPD: dict[str, Any] = {
    "config": {
        "packages": {"yum": {"httpd": []}},
        "files": {"/var/www/html/index.html": {"content": "Hello World"}},
        "services": {"sysvinit": {"httpd": {"enabled": True, "ensureRunning": True}}},
    }
}


def keys(result: Plan, section: Section) -> list[str]:
    return [a.key for a in result.actions if a.section is section]


def test_the_httpd_example() -> None:
    result = plan(HTTPD)
    assert result.runs == (("default", "config"),)
    assert [a.path for a in result.actions] == [
        "config.packages.yum.httpd",
        "config.files./var/www/html/index.html",
        "config.services.sysvinit.httpd",
    ]
    package, file, service = (a.details for a in result.actions)
    assert package == Package(manager="yum", name="httpd", versions=())
    assert isinstance(file, File)
    assert file.content == b"Hello World"
    assert service == Service(
        manager="sysvinit", name="httpd", enabled=True, ensure_running=True
    )
    text = str(result)
    assert "run 1: config config (set default)" in text
    assert "yum httpd (latest)" in text
    assert "/var/www/html/index.html (11 bytes)" in text


# --- one table per ordering rule ------------------------------------------------


def test_sections_run_in_cfn_init_order() -> None:
    config = {
        "services": {"systemd": {"s": {"enabled": True}}},
        "commands": {"c": {"command": "true"}},
        "files": {"/f": {"content": ""}},
        "sources": {"/src": "https://example.com/a.zip"},
        "users": {"u": {}},
        "groups": {"g": {}},
        "packages": {"yum": {"p": ""}},
    }
    result = plan({"config": config})
    assert [a.section.value for a in result.actions] == [
        "packages",
        "groups",
        "users",
        "sources",
        "files",
        "commands",
        "services",
    ]


@pytest.mark.parametrize(
    ("declared", "expected"),
    [
        (["yum", "apt", "rpm", "dpkg", "msi"], ["msi", "dpkg", "rpm", "apt", "yum"]),
        (["rubygems", "python", "yum"], ["yum", "python", "rubygems"]),
        (["rubygems", "Python", "npm"], ["npm", "Python", "rubygems"]),
        (["Zypper", "apt", "python"], ["apt", "python", "Zypper"]),
    ],
)
def test_package_managers_fixed_five_then_alphabetical_ignoring_case(
    declared: list[str], expected: list[str]
) -> None:
    packages = {manager: {"p": ""} for manager in declared}
    result = plan({"config": {"packages": packages}})
    assert keys(result, Section.PACKAGES) == [f"{m}.p" for m in expected]


def test_packages_keep_declaration_order_within_a_manager_and_versions() -> None:
    packages = {"yum": {"zsh": "", "bash": ["1.0", "2.0"], "awk": "3.1", "m": []}}
    result = plan({"config": {"packages": packages}})
    assert keys(result, Section.PACKAGES) == ["yum.zsh", "yum.bash", "yum.awk", "yum.m"]
    versions = [a.details.versions for a in result.actions]  # type: ignore[union-attr]
    assert versions == [(), ("1.0", "2.0"), ("3.1",), ()]


@pytest.mark.parametrize(
    ("section", "body", "expected"),
    [
        (
            "groups",
            {"wheel": {}, "Admins": {"gid": "45"}, "apache": {}},
            ["Admins", "apache", "wheel"],
        ),
        (
            "users",
            {"zed": {}, "Bob": {"uid": "50"}, "alice": {}},
            ["Bob", "alice", "zed"],
        ),
        (
            "sources",
            {
                "/opt/b": "https://e/x.tgz",
                "/opt/A": "https://e/y.zip",
                "/etc/z": "https://e/z.tar",
            },
            ["/etc/z", "/opt/A", "/opt/b"],
        ),
        (
            "files",
            {
                "/etc/b": {"content": ""},
                "/etc/B": {"content": ""},
                "/etc/a": {"content": ""},
                "/etc/a.d/x": {"content": ""},
            },
            ["/etc/B", "/etc/a", "/etc/a.d/x", "/etc/b"],
        ),
        (
            "commands",
            {k: {"command": "true"} for k in ["a", "Z", "2", "10", "01_first", "_x"]},
            ["01_first", "10", "2", "Z", "_x", "a"],
        ),
    ],
)
def test_sorted_sections(
    section: str, body: dict[str, Any], expected: list[str]
) -> None:
    result = plan({"config": {section: body}})
    assert keys(result, Section(section)) == expected


def test_services_keep_declaration_order_across_managers() -> None:
    services: dict[str, Any] = {
        "systemd": {"zeta": {}, "alpha": {}},
        "sysvinit": {"nginx": {}, "cfn-hup": {}},
    }
    result = plan({"config": {"services": services}})
    assert keys(result, Section.SERVICES) == [
        "systemd.zeta",
        "systemd.alpha",
        "sysvinit.nginx",
        "sysvinit.cfn-hup",
    ]


def test_command_details() -> None:
    commands = {
        "a": {
            "command": ["echo", "hi"],
            "env": {"X": "1"},
            "cwd": "/srv/app",
            "test": "test -e /x",
            "ignoreErrors": "YES",
            "waitAfterCompletion": 0,
        },
        "b": {"command": "echo $X", "ignoreErrors": "false"},
    }
    first, second = (
        a.details for a in plan({"config": {"commands": commands}}).actions
    )
    assert first == Command(
        key="a",
        command=("echo", "hi"),
        env={"X": "1"},
        cwd="/srv/app",
        test="test -e /x",
        ignore_errors=True,
        wait_after_completion="0",
    )
    assert isinstance(second, Command)
    assert second.ignore_errors is False
    assert second.command == "echo $X"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (True, True),
        ("true", True),
        ("Yes", True),
        ("y", True),
        ("1", True),
        (1, True),
        (False, False),
        ("no", False),
        ("N", False),
        ("0", False),
        ("FALSE", False),
    ],
)
def test_ignore_errors_truthy_words(value: object, expected: bool) -> None:
    body = {"c": {"command": "x", "ignoreErrors": value}}
    (action,) = plan({"config": {"commands": body}}).actions
    assert isinstance(action.details, Command)
    assert action.details.ignore_errors is expected


# --- configSets -----------------------------------------------------------------


def test_no_config_sets_and_no_config_is_nothing_to_do() -> None:
    result = plan({"other": {"commands": {"c": {"command": "x"}}}})
    assert result.actions == ()
    assert result.runs == ()
    assert "nothing to do" in str(result)


def test_no_config_sets_only_default_exists() -> None:
    with pytest.raises(CfnInitInputError, match="unknown config set 'web'"):
        plan(HTTPD, ["web"])


def test_config_sets_run_in_the_order_given_and_nest() -> None:
    metadata = {
        "configSets": {
            "ascending": ["config1", "config2"],
            "descending": ["config2", "config1"],
            "nested": [
                {"ConfigSet": "ascending"},
                ["config3", [{"ConfigSet": "single"}]],
            ],
            "single": "config1",
        },
        "config1": {"commands": {"c": {"command": "echo 1"}}},
        "config2": {"commands": {"c": {"command": "echo 2"}}},
        "config3": {},
    }
    assert [c for _, c in plan(metadata, "descending,ascending").runs] == [
        "config2",
        "config1",
        "config1",
        "config2",
    ]
    nested = plan(metadata, ["nested"])
    assert [c for _, c in nested.runs] == ["config1", "config2", "config3", "config1"]
    assert {s for s, _ in nested.runs} == {"nested"}
    # config1 runs twice: its command appears twice, in two runs.
    runs = [a.run for a in nested.actions if a.config == "config1"]
    assert runs == [0, 3]


def test_dash_c_is_split_on_commas_without_trimming() -> None:
    metadata: dict[str, Any] = {"configSets": {"a": [], "b": []}}
    assert plan(metadata, "a,b").config_sets == ("a", "b")
    with pytest.raises(CfnInitInputError, match="unknown config set ' b'"):
        plan(metadata, "a, b")


def test_config_sets_without_default_reject_default() -> None:
    with pytest.raises(CfnInitInputError, match="unknown config set 'default'"):
        plan({"configSets": {"a": []}})


@pytest.mark.parametrize(
    ("sets", "fragment"),
    [
        ({"a": ["nope"]}, "unknown config 'nope'"),
        ({"a": [{"ConfigSet": "ghost"}]}, "unknown set 'ghost'"),
        ({"a": [{"ConfigSet": "a"}]}, "cycle a -> a"),
        ({"a": [{"ConfigSet": "b"}], "b": [[{"ConfigSet": "a"}]]}, "cycle a -> b -> a"),
        ({"a": [{"Config": "x"}]}, 'must be {"ConfigSet"'),
        ({"a": [3]}, "not a number"),
    ],
)
def test_bad_sets_fail_even_when_not_requested(
    sets: dict[str, Any], fragment: str
) -> None:
    metadata: dict[str, Any] = {"configSets": {"ok": ["c"], **sets}, "c": {}}
    with pytest.raises(CfnInitInputError, match="configSets") as caught:
        plan(metadata, ["ok"])
    assert any(fragment in p for p in caught.value.problems)


# --- properties -------------------------------------------------------------------


def _expected_manager_order(managers: list[str]) -> list[str]:
    fixed = ["msi", "dpkg", "rpm", "apt", "yum"]
    others = sorted((m for m in managers if m not in fixed), key=str.lower)
    return [m for m in fixed if m in managers] + others


@given(configs())
def test_property_section_order_and_per_section_sorting(config: dict[str, Any]) -> None:
    """Sections run packages, groups, users, sources, files, commands, services;
    packages by the fixed five managers then the others by name ignoring case, each
    manager's in declaration order; groups, users, sources, files and commands by
    key in code-point order; services in declaration order."""
    result = plan({"config": config})
    order = [s.value for s in Section]
    seen = [order.index(a.section.value) for a in result.actions]
    assert seen == sorted(seen)
    expected_packages = [
        f"{m}.{name}"
        for m in _expected_manager_order(list(config.get("packages", {})))
        for name in config["packages"][m]
    ]
    assert keys(result, Section.PACKAGES) == expected_packages
    for name in ("groups", "users", "sources", "files", "commands"):
        assert keys(result, Section(name)) == sorted(config.get(name, {}))
    expected_services = [
        f"{manager}.{name}"
        for manager, services in config.get("services", {}).items()
        for name in services
    ]
    assert keys(result, Section.SERVICES) == expected_services


def _count_runs(metadata: dict[str, Any], name: str, counts: Counter[str]) -> None:
    def walk(entry: Any) -> None:
        if isinstance(entry, str):
            counts[entry] += 1
        elif isinstance(entry, dict):
            _count_runs(metadata, entry["ConfigSet"], counts)
        else:
            for item in entry:
                walk(item)

    walk(metadata["configSets"][name])


@settings(max_examples=200)
@given(metadata_with_sets(), st.data())
def test_property_every_config_runs_as_often_as_referenced(
    metadata: dict[str, Any], data: st.DataObject
) -> None:
    """A config runs every time the requested sets name it, directly or through
    nested lists and ConfigSet references, and each run keeps its actions."""
    requested = data.draw(
        st.lists(
            st.sampled_from(sorted(metadata["configSets"])), min_size=1, max_size=3
        )
    )
    result = plan(metadata, requested)
    expected: Counter[str] = Counter()
    for name in requested:
        _count_runs(metadata, name, expected)
    assert Counter(config for _, config in result.runs) == expected
    configs_run = Counter(
        a.config for a in result.actions if a.section is Section.FILES
    )
    for config, times in expected.items():
        assert configs_run[config] == times * len(metadata[config].get("files", {}))


def _has_cycle(graph: dict[str, list[str]]) -> bool:
    """Kahn's algorithm: a cycle exists iff some node never reaches in-degree 0."""
    indegree = dict.fromkeys(graph, 0)
    for targets in graph.values():
        for target in set(targets):
            indegree[target] += 1
    ready = [n for n, d in indegree.items() if d == 0]
    removed = 0
    while ready:
        node = ready.pop()
        removed += 1
        for target in set(graph[node]):
            indegree[target] -= 1
            if indegree[target] == 0:
                ready.append(target)
    return removed < len(graph)


@settings(max_examples=300)
@given(set_graphs())
def test_property_cycles_are_detected(graph: dict[str, list[str]]) -> None:
    """A configSets graph with a cycle (self-references included) is rejected
    whichever set is requested; an acyclic one plans."""
    metadata = {
        "configSets": {
            name: ["c", *({"ConfigSet": t} for t in targets)]
            for name, targets in graph.items()
        },
        "c": {},
    }
    if _has_cycle(graph):
        with pytest.raises(CfnInitInputError, match="cycle"):
            plan(metadata, ["s0"])
    else:
        assert plan(metadata, ["s0"]).runs


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=20,
)


@given(
    st.dictionaries(
        st.sampled_from(["config", "configSets", "x"]),
        st.dictionaries(
            st.sampled_from([s.value for s in Section] + ["bogus", "default"]),
            json_values,
            max_size=4,
        )
        | json_values,
        max_size=3,
    )
    | json_values
)
def test_property_hostile_metadata_raises_only_typed_errors(metadata: object) -> None:
    """Any JSON value either plans or raises a CfnInitError, never anything else."""
    with contextlib.suppress(CfnInitError):
        plan(metadata)


def test_deep_nesting_is_a_typed_error() -> None:
    nested: list[Any] = ["c"]
    for _ in range(5000):
        nested = [nested]
    with pytest.raises(CfnInitInputError, match="nested too deeply"):
        plan({"configSets": {"default": nested}, "c": {}})
    chain: dict[str, list[Any]] = {
        f"s{i}": [{"ConfigSet": f"s{i + 1}"}] for i in range(3000)
    }
    chain["s3000"] = ["c"]
    with pytest.raises(CfnInitInputError, match=r"nest(ed)? too deeply"):
        plan({"configSets": chain, "c": {}}, ["s0"])
