"""Hypothesis strategies for AWS::CloudFormation::Init metadata and config sets."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

#: Keys mixing digits, upper and lower case, so code-point order differs from
#: numeric and case-insensitive order ("10" < "2" < "Z" < "a").
keys = st.text(alphabet="0129AZaz_-", min_size=1, max_size=4)
paths = keys.map(lambda k: f"/etc/{k}")
package_managers = st.sampled_from(
    ["dpkg", "rpm", "apt", "yum", "zypper", "python", "Rubygems", "npm", "Zypper"]
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
        st.sampled_from(["sysvinit", "systemd", "upstart"]),
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
        {"content": st.one_of(st.text(min_size=1, max_size=5), st.just({"k": [1, 2]}))},
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


# --- documents for the differential test against cfn-init 2.0 ------------------
#
# Names are drawn from small pools where no name is a prefix of another, so that
# what the peer launched can be read back by name. ``@`` in a path stands for the
# test's temporary folder (the peer writes files and sources there for real).

PEER_PACKAGES = ("httpd", "nginx", "git", "php")
PEER_COMMANDS = ("c1", "c2", "C3")
PEER_SERVICES = ("svc_a", "svc_b", "svc_c")
PEER_GROUPS = ("g1", "g2")
PEER_USERS = ("u1", "u2")
_PEER_MANAGERS = (
    "msi", "dpkg", "rpm", "apt", "yum", "zypper", "python", "rubygems",
    "Custom", "Yum", "npm",
)  # fmt: skip

_junk: st.SearchStrategy[object] = st.sampled_from([None, 5, "x", [], {}, ["x"], True])


def _peer_versions(name: str, manager: str) -> st.SearchStrategy[object]:
    if manager == "rpm":
        return st.sampled_from(
            [f"{name}.rpm", [f"{name}-1.rpm", ""], "", [], [5], None, {}]
        )
    return st.sampled_from(
        ["", "1.0", ["1.0", "2.0"], [], ["", "3"], "-", 5, None, [5], {"4.0": 1}]
    )


@st.composite
def _peer_packages(draw: st.DrawFn) -> object:
    if draw(st.sampled_from(range(10))) == 9:
        return draw(_junk)
    managers = draw(st.lists(st.sampled_from(_PEER_MANAGERS), max_size=3, unique=True))
    out: dict[str, object] = {}
    for manager in managers:
        if draw(st.sampled_from(range(20))) == 19:
            out[manager] = draw(_junk)
            continue
        names = draw(st.lists(st.sampled_from(PEER_PACKAGES), max_size=3, unique=True))
        out[manager] = {
            n: draw(
                st.one_of(
                    st.just(f"{n}.rpm" if manager == "rpm" else ""),
                    st.just(f"{n}-2.rpm" if manager == "rpm" else "1.0"),
                    _peer_versions(n, manager),
                )
            )
            for n in names
        }
    return out


_peer_good_file = st.sampled_from(
    [
        {"content": "hi"},
        {"content": {"k": [1, 2]}},
        {"content": "aGk=", "encoding": "base64"},
        {"source": "https://example.com/f"},
        {"content": "x", "mode": "000644"},
        {"content": "x", "mode": "100600"},
        {"content": "Hi {{n}}", "context": {"n": "there"}},
    ]
)
_peer_any_file = st.sampled_from(
    [
        {"content": "hi"},
        {"content": ""},
        {"content": {"k": [1, 2]}},
        {"content": 7},
        {"content": "aGk=", "encoding": "base64"},
        {"content": "a", "encoding": "base64"},
        {"content": "%%%", "encoding": "base64"},
        {"content": {"k": 1}, "encoding": "base64"},
        {"content": "x", "encoding": "utf-8"},
        {"source": "https://example.com/f"},
        {"source": "file:///etc/passwd"},
        {},
        {"content": "x", "mode": "000644"},
        {"content": "x", "mode": "644"},
        {"content": "x", "mode": "100600"},
        {"content": "x", "mode": "9"},
        {"content": "x", "mode": 644},
        {"content": "Hi {{n}}", "context": {"n": "there"}},
        {"content": "{{#a}}", "context": {}},
        {"content": "x", "owner": 5},
        "plain text",
        None,
        ["mode"],
    ]
)
_peer_file = st.one_of(_peer_good_file, _peer_good_file, _peer_any_file)


def _peer_command(key: str) -> st.SearchStrategy[object]:
    good = st.sampled_from(
        [
            {"command": f"echo {key}"},
            {"command": ["echo", key]},
            {"command": f"echo {key}", "test": f"test {key}"},
            {"command": f"echo {key}", "env": {"A": "1"}, "cwd": "/"},
        ]
    )
    return st.one_of(good, good, _peer_any_command(key))


def _peer_any_command(key: str) -> st.SearchStrategy[object]:
    return st.sampled_from(
        [
            {"command": f"echo {key}"},
            {"command": ["echo", key]},
            {"command": f"echo {key}", "test": f"test {key}"},
            {"command": f"echo {key}", "env": {"A": "1"}},
            {"command": f"echo {key}", "env": {"A": 1}},
            {"command": f"echo {key}", "env": [["A", "1"]]},
            {"command": f"echo {key}", "cwd": "/"},
            {"command": f"echo {key}", "cwd": 5},
            {"command": f"echo {key}", "ignoreErrors": [1]},
            {"command": f"echo {key}", "waitAfterCompletion": "forever"},
            {"command": f"echo {key}", "runas": "nobody"},
            {"command": ["echo", key], "runas": 5},
            {"command": ["echo", 5]},
            {"command": []},
            {"command": 5},
            {},
            "command",
            None,
        ]
    )


_peer_service = st.sampled_from(
    [
        {},
        {"enabled": True},
        {"enabled": "false", "ensureRunning": "true"},
        {"ensureRunning": False},
        {"ensureRunning": [1]},
        {"enabled": "maybe"},
        "x",
        "enabled",
        None,
    ]
)


@st.composite
def _peer_config(draw: st.DrawFn, root: str) -> object:
    if draw(st.sampled_from(range(20))) == 19:
        return draw(_junk)
    config: dict[str, object] = {}
    sections = draw(
        st.lists(
            st.sampled_from(
                ["packages", "groups", "users", "sources", "files", "commands",
                 "services", "Packages"]
            ),
            max_size=4,
            unique=True,
        )
    )  # fmt: skip
    for section in sections:
        if draw(st.sampled_from(range(15))) == 14:
            config[section] = draw(_junk)
        elif section in ("packages", "Packages"):
            config[section] = draw(_peer_packages())
        elif section == "groups":
            spec = st.sampled_from([{}, {"gid": "45"}, {"gid": 46}, "x", "gidx", None])
            names = draw(
                st.lists(st.sampled_from(PEER_GROUPS), max_size=2, unique=True)
            )
            config[section] = {n: draw(spec) for n in names}
        elif section == "users":
            spec = st.sampled_from(
                [
                    {},
                    {"groups": ["root"]},
                    {"uid": "50", "homeDir": "/srv"},
                    {"uid": 51},
                    {"groups": "root"},
                    {"groups": 5},
                    {"homeDir": 5},
                    "x",
                ]
            )
            names = draw(st.lists(st.sampled_from(PEER_USERS), max_size=2, unique=True))
            config[section] = {n: draw(spec) for n in names}
        elif section == "sources":
            targets = draw(
                st.lists(st.sampled_from(["s1", "s2"]), max_size=2, unique=True)
            )
            config[section] = {
                f"{root}/{t}": draw(st.sampled_from(["https://example.com/a.tar", 5]))
                for t in targets
            }
        elif section == "files":
            names = draw(
                st.lists(
                    st.sampled_from(["f1", "F2", "f3", "rel"]), max_size=3, unique=True
                )
            )
            config[section] = {
                (n if n == "rel" else f"{root}/{n}"): draw(_peer_file) for n in names
            }
        elif section == "commands":
            keys = draw(
                st.lists(st.sampled_from(PEER_COMMANDS), max_size=3, unique=True)
            )
            config[section] = {k: draw(_peer_command(k)) for k in keys}
        else:
            managers = draw(
                st.lists(
                    st.sampled_from(["sysvinit", "systemd", "windows", "upstart"]),
                    max_size=2,
                    unique=True,
                )
            )
            config[section] = {
                m: {
                    n: draw(_peer_service)
                    for n in draw(
                        st.lists(
                            st.sampled_from(PEER_SERVICES), max_size=2, unique=True
                        )
                    )
                }
                for m in managers
            }
    return config


_CONFIG_NAMES = ("a", "b", "config")
_SET_NAMES = ("s1", "s2", "default")


@st.composite
def _set_entry(
    draw: st.DrawFn, configs: list[str], sets: list[str], depth: int = 0
) -> object:
    """Mostly valid entries; one in ten names something missing or is junk."""
    choice = draw(st.sampled_from(range(20)))
    if choice <= 10 and configs:
        return draw(st.sampled_from(configs))
    if choice <= 14 and sets:
        ref: dict[str, object] = {"ConfigSet": draw(st.sampled_from(sets))}
        if draw(st.booleans()):
            ref["n"] = 1  # 2.0 ignores other keys of a reference
        return ref
    if choice <= 18 and depth < 2:
        return draw(st.lists(_set_entry(configs, sets, depth + 1), max_size=3))
    if choice <= 18 and configs:
        return draw(st.sampled_from(configs))
    return draw(
        st.sampled_from(
            ["missing", "configSets", {"ConfigSet": "zz"}, 5, None, {"x": 1},
             {"ConfigSet": ["s1"]}]
        )
    )  # fmt: skip


@st.composite
def peer_documents(draw: st.DrawFn, root: str = "@") -> tuple[dict[str, Any], str]:
    """An ``AWS::CloudFormation::Init`` document and a ``-c`` text, valid or not,
    for comparing awscore's plan with what cfn-init 2.0 does. Set ``i`` refers
    only to later sets, so most documents run; cycles, missing names and junk
    come in now and then."""
    init: dict[str, Any] = {}
    configs = draw(
        st.lists(st.sampled_from(_CONFIG_NAMES), min_size=1, max_size=3, unique=True)
    )
    for name in configs:
        init[name] = draw(_peer_config(root))
    sets: list[str] = []
    if draw(st.sampled_from(range(4))) < 3:
        if draw(st.sampled_from(range(30))) == 29:
            init["configSets"] = draw(_junk)
        else:
            sets = draw(
                st.lists(
                    st.sampled_from(_SET_NAMES), min_size=1, max_size=3, unique=True
                )
            )
            table: dict[str, object] = {}
            for index, name in enumerate(sets):
                cyclic = draw(st.sampled_from(range(15))) == 14
                later = sets if cyclic else sets[index + 1 :]
                table[name] = draw(
                    st.one_of(
                        _set_entry(configs, later),
                        st.lists(_set_entry(configs, later), max_size=4),
                    )
                )
            init["configSets"] = table
    known = sets or ["default"]
    requested = draw(
        st.lists(st.sampled_from(known), min_size=0 if not sets else 1, max_size=3)
    )
    text = ",".join(requested)
    twist = draw(st.sampled_from(range(10)))
    if twist == 9:
        text += ",zz"
    elif twist == 8 and len(requested) > 1:
        text = ", ".join(requested)
    return init, text
