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
    Skip,
    plan,
    validate,
)
from awscore.cfn_init._model import PACKAGE_TOOLS
from awscore.cfn_init._plan import MAX_SET_DEPTH
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
        "files": {"/f": {"content": "x"}},
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
        # 2.0's _pkgOrder, then the rest by name ignoring case; a manager it
        # has no tool for (dpkg, npm, Python, Zypper) is a skipped step
        (["zypper", "yum", "apt", "rpm", "dpkg"],
         ["dpkg", "rpm.p", "apt.p", "yum.p", "zypper.p"]),
        (["rubygems", "python", "zypper"], ["zypper.p", "python.p", "rubygems.p"]),
        (["rubygems", "Python", "npm"], ["npm", "Python", "rubygems.p"]),
        (["Zypper", "apt", "python"], ["apt.p", "python.p", "Zypper"]),
    ],
)  # fmt: skip
def test_package_managers_in_2_0_order_and_unknown_ones_skipped(
    declared: list[str], expected: list[str]
) -> None:
    packages = {m: {"p": "p.rpm" if m == "rpm" else ""} for m in declared}
    result = plan({"config": {"packages": packages}})
    assert keys(result, Section.PACKAGES) == expected
    skipped = [k for k in expected if "." not in k]
    assert [w.split(":")[0] for w in result.warnings] == [
        f"config.packages.{m}" for m in skipped
    ]
    assert all(
        isinstance(a.details, Skip) and a.details.describe().startswith("skipped: ")
        for a in result.actions
        if a.key in skipped
    )


def test_msi_and_windows_services_fail_on_linux() -> None:
    result = plan({"config": {"packages": {"msi": {"p": "x.msi"}, "yum": {"a": ""}}}})
    assert result.actions == ()  # msi comes first and fails
    assert result.failure is not None
    assert (result.failure.section, result.failure.key) == (Section.PACKAGES, "msi")
    services = plan({"config": {"services": {"windows": {"w": {}}}}})
    assert services.failure is not None
    assert services.failure.key == "windows"


def test_packages_keep_declaration_order_within_a_manager_and_versions() -> None:
    packages = {"yum": {"zsh": "", "bash": ["1.0", "2.0"], "awk": "3.1", "m": []}}
    result = plan({"config": {"packages": packages}})
    assert keys(result, Section.PACKAGES) == ["yum.zsh", "yum.bash", "yum.awk", "yum.m"]
    versions = [a.details.versions for a in result.actions]  # type: ignore[union-attr]
    # yum installs the newest version listed (RPM's version order)
    assert versions == [(), ("2.0",), ("3.1",), ()]


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
                "/etc/b": {"content": "x"},
                "/etc/B": {"content": "x"},
                "/etc/a": {"content": "x"},
                "/etc/a.d/x": {"content": "x"},
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


def test_no_config_sets_and_no_config_runs_an_empty_config() -> None:
    # 2.0 invents the set "default" holding "config", present or not
    result = plan({"other": {"commands": {"c": {"command": "x"}}}})
    assert result.actions == ()
    assert result.runs == (("default", "config"),)
    assert result.failure is None
    empty = plan({})
    assert (empty.runs, empty.warnings) == ((), empty.warnings)
    assert "nothing to do" in str(empty)


def test_no_config_sets_only_default_exists() -> None:
    result = plan(HTTPD, ["web"])
    assert result.runs == ()
    assert result.failure is not None
    assert result.failure.config is None
    assert "no ConfigSet named 'web'" in result.failure.message
    assert "fails at configSets" in str(result)


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
    spaced = plan(metadata, "a, b")
    assert spaced.failure is not None
    assert spaced.failure.config_set == " b"


def test_config_sets_without_default_fail_on_default() -> None:
    failure = plan({"configSets": {"a": []}}).failure
    assert failure is not None
    assert "no ConfigSet named 'default'" in failure.message


def test_a_later_broken_config_fails_after_the_earlier_runs() -> None:
    metadata = {
        "configSets": {"a": ["one"], "b": ["two"]},
        "one": {"commands": {"c": {"command": "echo 1"}}},
        "two": {"files": {"rel/x": {"content": "x"}}},
    }
    result = plan(metadata, "a,b")
    assert result.runs == (("a", "one"), ("b", "two"))
    assert [a.path for a in result.actions] == ["one.commands.c"]
    assert result.failure is not None
    assert (result.failure.config, result.failure.section, result.failure.key) == (
        "two",
        Section.FILES,
        "rel/x",
    )
    assert result.failure.path == "two.files.rel/x"
    assert result.to_dict()["failure"] == {
        "config_set": "b",
        "config": "two",
        "run": 1,
        "section": "files",
        "key": "rel/x",
        "message": "'rel/x' is not an absolute path",
    }


@pytest.mark.parametrize(
    ("sets", "fragment"),
    [
        ({"a": ["nope"]}, "no configuration found with name: nope"),
        ({"a": [{"ConfigSet": "ghost"}]}, "'ghost' was referenced but not defined"),
        ({"a": [{"ConfigSet": "a"}]}, "cycle: a"),
        ({"a": [{"ConfigSet": "b"}], "b": [[{"ConfigSet": "a"}]]}, "cycle: a, b"),
        ({"a": [{"Config": "x"}]}, '{"ConfigSet": name}'),
        ({"a": [3]}, "not a number"),
    ],
)
def test_bad_sets_fail_before_any_run_even_when_not_requested(
    sets: dict[str, Any], fragment: str
) -> None:
    metadata: dict[str, Any] = {"configSets": {"ok": ["c"], **sets}, "c": {}}
    result = plan(metadata, ["ok"])
    assert result.runs == ()
    assert result.failure is not None
    assert fragment in result.failure.message
    with pytest.raises(CfnInitInputError, match="configSets"):
        validate(metadata, ["ok"])


# --- properties -------------------------------------------------------------------


def _expected_manager_order(managers: list[str]) -> list[str]:
    fixed = ["msi", "dpkg", "rpm", "apt", "yum", "zypper"]
    others = sorted((m for m in managers if m not in fixed), key=str.lower)
    return [m for m in fixed if m in managers] + others


def _expected_package_keys(packages: dict[str, Any]) -> list[str]:
    out = []
    for manager in _expected_manager_order(list(packages)):
        if manager not in PACKAGE_TOOLS:
            out.append(manager)
        else:
            out += [
                f"{manager}.{name}"
                for name, versions in packages[manager].items()
                if manager != "rpm" or versions  # rpm needs a location
            ]
    return out


@given(configs())
def test_property_section_order_and_per_section_sorting(config: dict[str, Any]) -> None:
    """Sections run packages, groups, users, sources, files, commands, services;
    packages by 2.0's _pkgOrder then the others by name ignoring case (those
    without a tool as one skipped step), each manager's in declaration order;
    groups, users, sources, files and commands by key in code-point order;
    services in declaration order."""
    result = plan({"config": config})
    order = [s.value for s in Section]
    seen = [order.index(a.section.value) for a in result.actions]
    assert seen == sorted(seen)
    assert result.failure is None
    expected_packages = _expected_package_keys(config.get("packages", {}))
    assert keys(result, Section.PACKAGES) == expected_packages
    for name in ("groups", "users", "sources", "files", "commands"):
        assert keys(result, Section(name)) == sorted(config.get(name, {}))
    expected_services = [
        f"{manager}.{name}" if manager != "upstart" else manager
        for manager, services in config.get("services", {}).items()
        for name in (services if manager != "upstart" else [manager])
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
    """A configSets graph with a cycle (self-references included) fails before
    any run whichever set is requested; an acyclic one plans."""
    metadata = {
        "configSets": {
            name: ["c", *({"ConfigSet": t} for t in targets)]
            for name, targets in graph.items()
        },
        "c": {},
    }
    result = plan(metadata, ["s0"])
    if _has_cycle(graph):
        assert result.runs == ()
        assert result.failure is not None
        assert "cycle" in result.failure.message
    else:
        assert result.runs
        assert result.failure is None


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


def test_deep_nesting_is_a_planned_failure_and_long_chains_plan() -> None:
    nested: list[Any] = ["c"]
    for _ in range(5000):
        nested = [nested]
    failure = plan({"configSets": {"default": nested}, "c": {}}).failure
    assert failure is not None
    assert f"nest deeper than {MAX_SET_DEPTH}" in failure.message
    with pytest.raises(CfnInitInputError, match="nested too deeply"):
        validate({"configSets": {"default": nested}, "c": {}})
    # references are followed without recursion, as 2.0's topological sort does
    chain: dict[str, list[Any]] = {
        f"s{i}": [{"ConfigSet": f"s{i + 1}"}] for i in range(3000)
    }
    chain["s3000"] = ["c"]
    assert plan({"configSets": chain, "c": {}}, ["s0"]).runs == (("s0", "c"),)
