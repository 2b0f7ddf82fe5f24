"""Validating ``AWS::CloudFormation::Init`` metadata and planning a run.

Rules (CloudFormation User Guide, ``AWS::CloudFormation::Init``, and the behaviour
of aws-cfn-bootstrap's cfn-init):

* without ``configSets`` there is one set, ``default``, holding the config
  ``config``; a set lists config names, ``{"ConfigSet": name}`` references and
  lists of these, nested; a config runs every time it is named;
* sections run packages, groups, users, sources, files, commands, services;
* packages: managers msi, dpkg, rpm, apt, yum first, then the others sorted
  case-insensitively; each manager's packages in declaration order;
* groups, users, sources and files sorted by key, commands by key in code-point
  order; services in declaration order.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Iterator, Mapping, Sequence

from awscore.cfn_init._model import (
    PACKAGE_MANAGER_ORDER,
    SERVICE_MANAGERS,
    Command,
    Detail,
    File,
    Group,
    Package,
    Section,
    Service,
    Skip,
    Source,
    User,
)
from awscore.errors import CfnInitArgumentError, CfnInitInputError

__all__ = [
    "CONFIG_SETS_KEY",
    "DEFAULT_CONFIG",
    "DEFAULT_CONFIG_SET",
    "is_truthy",
    "package_manager_key",
    "parse_config_sets",
    "strict_check",
    "validate",
]

CONFIG_SETS_KEY = "configSets"
DEFAULT_CONFIG_SET = "default"
DEFAULT_CONFIG = "config"

#: Strings cfn-init reads as true (any case): ``ignoreErrors``, ``enabled``,
#: ``ensureRunning``.
_TRUE_WORDS = frozenset({"true", "yes", "y", "1"})
_FALSE_WORDS = frozenset({"false", "no", "n", "0"})

_OCTAL = frozenset("01234567")
_FILE_TYPES = ("000", "100", "120")  # plain permissions, regular file, symlink

_FILE_KEYS = frozenset(
    {
        "content",
        "source",
        "encoding",
        "mode",
        "owner",
        "group",
        "authentication",
        "context",
    }
)
_COMMAND_KEYS = frozenset(
    {"command", "env", "cwd", "test", "ignoreErrors", "waitAfterCompletion"}
)
_SERVICE_KEYS = frozenset(
    {"enabled", "ensureRunning", "files", "sources", "packages", "commands"}
)
_USER_KEYS = frozenset({"uid", "groups", "homeDir"})
_GROUP_KEYS = frozenset({"gid"})


def is_truthy(value: object) -> bool | None:
    """cfn-init's reading of a boolean: True, False, or None when it is neither.

    ``true``, ``yes``, ``y`` and ``1`` in any case (and the JSON ``true``, the
    number 1) are true; ``false``, ``no``, ``n``, ``0`` and the JSON ``false`` are
    false.
    """
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return {1: True, 0: False}.get(value)
    if isinstance(value, str):
        lowered = value.lower()
        if lowered in _TRUE_WORDS:
            return True
        if lowered in _FALSE_WORDS:
            return False
    return None


def is_digits(text: str) -> bool:
    """True for ASCII digits only: ``str.isdigit`` also takes ``²``, which ``int``
    refuses, and other scripts' digits."""
    return text.isascii() and text.isdigit()


def package_manager_key(manager: str) -> tuple[int, str]:
    """Sort key of a package manager: the fixed five first, then by name."""
    if manager in PACKAGE_MANAGER_ORDER:
        return (PACKAGE_MANAGER_ORDER.index(manager), "")
    return (len(PACKAGE_MANAGER_ORDER), manager.lower())


_KINDS: tuple[tuple[type | tuple[type, ...], str], ...] = (
    (bool, "a boolean"),
    ((int, float), "a number"),
    (str, "a string"),
    (Mapping, "a mapping"),
    ((list, tuple), "a list"),
)


def require(
    value: object, types: type | tuple[type, ...], name: str, accepted: str
) -> None:
    """Refuse an argument of the wrong kind at the boundary, naming it (a bool
    is not taken for a number)."""
    wanted = types if isinstance(types, tuple) else (types,)
    if not isinstance(value, wanted) or (
        isinstance(value, bool) and bool not in wanted
    ):
        raise CfnInitArgumentError(
            [f"{name}: must be {accepted}, not {kind_of(value)}"]
        )


def kind_of(value: object) -> str:
    """What a value is, for messages; never the value (it may be a NoEcho secret)."""
    if value is None:
        return "null"
    for types, name in _KINDS:
        if isinstance(value, types):
            return name
    return type(value).__name__


class _Checker:
    """Collects every problem, each prefixed with its path into the metadata."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def add(self, path: str, message: str) -> None:
        self.problems.append(f"{path}: {message}")

    def mapping(self, value: object, path: str) -> Mapping[str, object] | None:
        if not isinstance(value, Mapping):
            self.add(path, f"must be a mapping, not {kind_of(value)}")
            return None
        bad = [k for k in value if not isinstance(k, str)]
        for key in bad:
            self.add(path, f"key {key!r} must be a string")
        return {k: v for k, v in value.items() if isinstance(k, str)}

    def string(self, value: object, path: str, *, numbers: bool = False) -> str | None:
        if isinstance(value, str):
            return value
        if numbers and isinstance(value, int) and not isinstance(value, bool):
            return str(value)
        accepted = "a string or an integer" if numbers else "a string"
        self.add(path, f"must be {accepted}, not {kind_of(value)}")
        return None

    def number(self, value: object, path: str) -> str | None:
        """A whole number (``gid``, ``uid``), given as a string or an integer."""
        text = self.string(value, path, numbers=True)
        if text is not None and not is_digits(text):
            self.add(path, f"must be a number, not {text!r}")
        return text

    def strings(self, value: object, path: str) -> tuple[str, ...]:
        if not isinstance(value, list | tuple):
            self.add(path, f"must be a list of strings, not {kind_of(value)}")
            return ()
        out = []
        for index, item in enumerate(value):
            text = self.string(item, f"{path}[{index}]")
            if text is not None:
                out.append(text)
        return tuple(out)

    def boolean(self, value: object, path: str) -> bool | None:
        result = is_truthy(value)
        if result is None:
            self.add(
                path,
                f"must be a boolean (true/false, yes/no, y/n, 1/0), not {value!r}"
                if isinstance(value, str | int)
                else f"must be a boolean, not {kind_of(value)}",
            )
        return result

    def unknown_keys(
        self, value: Mapping[str, object], allowed: frozenset[str], path: str
    ) -> None:
        for key in value:
            if key not in allowed:
                self.add(
                    f"{path}.{key}",
                    f"unknown key; accepted: {', '.join(sorted(allowed))}",
                )


# --- sections ----------------------------------------------------------------


def _packages(
    section: Mapping[str, object], path: str, check: _Checker
) -> list[Package]:
    out: list[Package] = []
    for manager in sorted(section, key=package_manager_key):
        packages = check.mapping(section[manager], f"{path}.{manager}")
        if packages is None:
            continue
        for name, spec in packages.items():
            where = f"{path}.{manager}.{name}"
            if isinstance(spec, str):
                versions: tuple[str, ...] = (spec,) if spec else ()
            elif isinstance(spec, list | tuple):
                versions = tuple(v for v in check.strings(spec, where) if v)
            else:
                check.add(
                    where,
                    f"must be a version string or a list of versions, not "
                    f"{kind_of(spec)} (quote numeric versions in YAML)",
                )
                continue
            out.append(Package(manager=manager, name=name, versions=versions))
    return out


def _groups(section: Mapping[str, object], path: str, check: _Checker) -> list[Group]:
    out = []
    for name in sorted(section):
        spec = check.mapping(section[name], f"{path}.{name}")
        if spec is None:
            continue
        check.unknown_keys(spec, _GROUP_KEYS, f"{path}.{name}")
        gid = check.number(spec["gid"], f"{path}.{name}.gid") if "gid" in spec else None
        out.append(Group(name=name, gid=gid))
    return out


def _users(section: Mapping[str, object], path: str, check: _Checker) -> list[User]:
    out = []
    for name in sorted(section):
        where = f"{path}.{name}"
        spec = check.mapping(section[name], where)
        if spec is None:
            continue
        check.unknown_keys(spec, _USER_KEYS, where)
        uid = check.number(spec["uid"], f"{where}.uid") if "uid" in spec else None
        groups = (
            check.strings(spec["groups"], f"{where}.groups")
            if ("groups" in spec)
            else ()
        )
        home = (
            check.string(spec["homeDir"], f"{where}.homeDir")
            if "homeDir" in spec
            else None
        )
        out.append(User(name=name, uid=uid, groups=groups, home_dir=home))
    return out


def _absolute(path_text: str, where: str, check: _Checker) -> bool:
    if not path_text.startswith("/"):
        check.add(where, "must be an absolute path (starting with '/')")
        return False
    if "\0" in path_text:
        check.add(where, "must not contain a NUL character")
        return False
    return True


def _sources(section: Mapping[str, object], path: str, check: _Checker) -> list[Source]:
    out = []
    for target in sorted(section):
        where = f"{path}.{target}"
        url = check.string(section[target], where)
        if _absolute(target, where, check) and url is not None:
            out.append(Source(target=target, url=url))
    return out


def _file_content(
    spec: Mapping[str, object], where: str, encoding: str, check: _Checker
) -> bytes | None:
    content = spec["content"]
    if isinstance(content, Mapping | list):
        if encoding != "plain":
            check.add(f"{where}.encoding", "must be plain for JSON content")
            return None
        try:
            return json.dumps(content).encode()
        except (TypeError, ValueError) as exc:
            check.add(f"{where}.content", f"cannot be written as JSON: {exc}")
            return None
    text = check.string(content, f"{where}.content")
    if text is None or encoding != "base64":
        return None if text is None else text.encode("utf-8", "surrogateescape")
    try:
        return base64.b64decode("".join(text.split()), validate=True)
    except (binascii.Error, ValueError):
        check.add(f"{where}.content", "is not valid base64")
        return None


def _files(section: Mapping[str, object], path: str, check: _Checker) -> list[File]:
    out = []
    # Code-point order, as Python sorts str: "/etc/B" < "/etc/a".
    for file_path in sorted(section):
        where = f"{path}.{file_path}"
        absolute = _absolute(file_path, where, check)
        spec = check.mapping(section[file_path], where)
        if spec is None:
            continue
        check.unknown_keys(spec, _FILE_KEYS, where)
        encoding = "plain"
        if "encoding" in spec:
            given = check.string(spec["encoding"], f"{where}.encoding")
            if given is not None and given not in ("plain", "base64"):
                check.add(
                    f"{where}.encoding", f"must be plain or base64, not {given!r}"
                )
            elif given is not None:
                encoding = given
        mode = None
        if "mode" in spec:
            mode = _mode(spec["mode"], f"{where}.mode", check)
        has_content, has_source = "content" in spec, "source" in spec
        if has_content and has_source:
            check.add(where, "give content or source, not both")
            continue
        if not has_content and not has_source:
            check.add(where, "needs content or source")
            continue
        content = _file_content(spec, where, encoding, check) if has_content else None
        source = check.string(spec["source"], f"{where}.source") if has_source else None
        if mode is not None and mode.startswith("120") and not has_content:
            check.add(f"{where}.mode", "a symlink (120xxx) takes its target in content")
        optional = {
            key: check.string(spec[key], f"{where}.{key}") if key in spec else None
            for key in ("owner", "group", "authentication")
        }
        context = None
        if "context" in spec:
            context = check.mapping(spec["context"], f"{where}.context")
        if absolute and (content is not None or source is not None):
            out.append(
                File(
                    path=file_path,
                    content=content,
                    source=source,
                    encoding=encoding,
                    mode=mode,
                    owner=optional["owner"],
                    group=optional["group"],
                    authentication=optional["authentication"],
                    context=context,
                )
            )
    return out


def _mode(value: object, where: str, check: _Checker) -> str | None:
    if not isinstance(value, str):
        check.add(
            where,
            f"must be a string of six octal digits like '000644', not {kind_of(value)} "
            "(quote it in YAML, where 000644 is a number)",
        )
        return None
    if len(value) != 6 or not set(value) <= _OCTAL:
        check.add(where, f"must be six octal digits like '000644', not {value!r}")
        return None
    if value[:3] not in _FILE_TYPES:
        check.add(
            where,
            f"{value!r}: the first three digits must be 000 or 100 (a file) or 120 "
            "(a symlink)",
        )
        return None
    return value


def _commands(
    section: Mapping[str, object], path: str, check: _Checker
) -> list[Command]:
    out = []
    for key in sorted(section):
        where = f"{path}.{key}"
        spec = check.mapping(section[key], where)
        if spec is None:
            continue
        check.unknown_keys(spec, _COMMAND_KEYS, where)
        if "command" not in spec:
            check.add(where, "needs a command (a string or a list of strings)")
            continue
        raw = spec["command"]
        command: str | tuple[str, ...] | None
        if isinstance(raw, list | tuple):
            command = check.strings(raw, f"{where}.command")
            if not command and not raw:
                check.add(f"{where}.command", "must not be an empty list")
                command = None
        else:
            command = check.string(raw, f"{where}.command")
        env = None
        if "env" in spec:
            mapping = check.mapping(spec["env"], f"{where}.env")
            if mapping is not None:
                env = {
                    name: text
                    for name, value in mapping.items()
                    if (text := check.string(value, f"{where}.env.{name}")) is not None
                }
        cwd = check.string(spec["cwd"], f"{where}.cwd") if "cwd" in spec else None
        test = check.string(spec["test"], f"{where}.test") if "test" in spec else None
        ignore = False
        if "ignoreErrors" in spec:
            ignore = bool(check.boolean(spec["ignoreErrors"], f"{where}.ignoreErrors"))
        wait = None
        if "waitAfterCompletion" in spec:
            wait = check.string(
                spec["waitAfterCompletion"],
                f"{where}.waitAfterCompletion",
                numbers=True,
            )
            if wait is not None and wait != "forever" and not is_digits(wait):
                check.add(
                    f"{where}.waitAfterCompletion",
                    f"must be a number of seconds or 'forever', not {wait!r}",
                )
        if command is not None:
            out.append(
                Command(
                    key=key,
                    command=command,
                    env=env,
                    cwd=cwd,
                    test=test,
                    ignore_errors=ignore,
                    wait_after_completion=wait,
                )
            )
    return out


def _services(
    section: Mapping[str, object], path: str, check: _Checker
) -> list[Service]:
    out = []
    for manager, services in section.items():
        if manager not in SERVICE_MANAGERS:
            check.add(
                f"{path}.{manager}",
                f"unknown service manager; accepted: {', '.join(SERVICE_MANAGERS)}",
            )
            continue
        named = check.mapping(services, f"{path}.{manager}")
        for name, raw in (named or {}).items():
            where = f"{path}.{manager}.{name}"
            spec = check.mapping(raw, where)
            if spec is None:
                continue
            check.unknown_keys(spec, _SERVICE_KEYS, where)
            flags = {
                key: check.boolean(spec[key], f"{where}.{key}") if key in spec else None
                for key in ("enabled", "ensureRunning")
            }
            lists = {
                key: check.strings(spec[key], f"{where}.{key}") if key in spec else ()
                for key in ("files", "sources", "commands")
            }
            packages: list[tuple[str, str]] = []
            if "packages" in spec:
                by_manager = check.mapping(spec["packages"], f"{where}.packages")
                for pkg_manager, names in (by_manager or {}).items():
                    packages.extend(
                        (pkg_manager, n)
                        for n in check.strings(names, f"{where}.packages.{pkg_manager}")
                    )
            out.append(
                Service(
                    manager=manager,
                    name=name,
                    enabled=flags["enabled"],
                    ensure_running=flags["ensureRunning"],
                    files=lists["files"],
                    sources=lists["sources"],
                    commands=lists["commands"],
                    packages=tuple(packages),
                )
            )
    return out


_Parser = Callable[[Mapping[str, object], str, _Checker], Sequence[Detail]]

_SECTIONS: dict[Section, _Parser] = {
    Section.PACKAGES: _packages,
    Section.GROUPS: _groups,
    Section.USERS: _users,
    Section.SOURCES: _sources,
    Section.FILES: _files,
    Section.COMMANDS: _commands,
    Section.SERVICES: _services,
}


def _key(detail: Detail) -> str:
    if isinstance(detail, Package | Service):
        return f"{detail.manager}.{detail.name}"
    if isinstance(detail, Source):
        return detail.target
    if isinstance(detail, File):
        return detail.path
    if isinstance(detail, Skip):
        return detail.manager
    return detail.key if isinstance(detail, Command) else detail.name


def _config(
    value: object, name: str, check: _Checker
) -> list[tuple[Section, str, Detail]]:
    config = check.mapping(value, name)
    if config is None:
        return []
    for key in config:
        if key not in _SECTIONS:
            check.add(
                f"{name}.{key}",
                "unknown section; accepted: " + ", ".join(s.value for s in Section),
            )
    steps: list[tuple[Section, str, Detail]] = []
    for section, parse in _SECTIONS.items():
        if section.value not in config:
            continue
        body = check.mapping(config[section.value], f"{name}.{section.value}")
        if body is not None:
            steps.extend(
                (section, _key(d), d) for d in parse(body, f"{name}.{section}", check)
            )
    return steps


# --- configSets --------------------------------------------------------------

#: A config set's entries after validation: config names and set references.
SetEntry = tuple[str, str]  # ("config" | "set", name)


def _set_entries(
    value: object, where: str, check: _Checker, out: list[SetEntry]
) -> None:
    if isinstance(value, str):
        out.append(("config", value))
    elif isinstance(value, Mapping):
        if set(value) != {"ConfigSet"} or not isinstance(value["ConfigSet"], str):
            check.add(where, 'a reference must be {"ConfigSet": "<set name>"}')
        else:
            out.append(("set", value["ConfigSet"]))
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            _set_entries(item, f"{where}[{index}]", check, out)
    else:
        check.add(
            where,
            f'must be a config name, a {{"ConfigSet": name}} reference or a list, '
            f"not {kind_of(value)}",
        )


def parse_config_sets(
    metadata: Mapping[str, object], check: _Checker | None = None
) -> dict[str, list[SetEntry]]:
    """The config sets of ``metadata``, each a flat list of entries.

    Without ``configSets``, the one set ``default`` holds ``config`` when it exists.
    Raises :class:`~awscore.errors.CfnInitInputError` on unknown names and cycles.
    """
    own = check is None
    checker = check or _Checker()
    configs = {k for k in metadata if k != CONFIG_SETS_KEY}
    sets: dict[str, list[SetEntry]] = {}
    if CONFIG_SETS_KEY not in metadata:
        sets[DEFAULT_CONFIG_SET] = (
            [("config", DEFAULT_CONFIG)] if DEFAULT_CONFIG in configs else []
        )
    else:
        raw = checker.mapping(metadata[CONFIG_SETS_KEY], CONFIG_SETS_KEY)
        for name, value in (raw or {}).items():
            entries: list[SetEntry] = []
            _set_entries(value, f"{CONFIG_SETS_KEY}.{name}", checker, entries)
            for index, (kind, target) in enumerate(entries):
                known = configs if kind == "config" else set(raw or {})
                if target not in known:
                    checker.add(
                        f"{CONFIG_SETS_KEY}.{name}",
                        f"entry {index + 1} names an unknown {kind} {target!r}; "
                        f"known: {', '.join(sorted(known)) or '(none)'}",
                    )
            sets[name] = entries
        for cycle in _cycles(sets):
            checker.add(CONFIG_SETS_KEY, "cycle " + " -> ".join(cycle))
    if own and checker.problems:
        raise CfnInitInputError(checker.problems)
    return sets


def _cycles(sets: Mapping[str, list[SetEntry]]) -> Iterator[list[str]]:
    """Each cycle of set references once, from its first set in sorted order."""
    reported: set[frozenset[str]] = set()
    state: dict[str, int] = {}  # 1 on the stack, 2 done
    stack: list[str] = []

    def visit(name: str) -> Iterator[list[str]]:
        state[name] = 1
        stack.append(name)
        for kind, target in sets.get(name, []):
            if kind != "set" or target not in sets:
                continue
            if state.get(target) == 1:
                cycle = [*stack[stack.index(target) :], target]
                members = frozenset(cycle)
                if members not in reported:
                    reported.add(members)
                    yield cycle
            elif target not in state:
                yield from visit(target)
        stack.pop()
        state[name] = 2

    for name in sorted(sets):
        if name not in state:
            yield from visit(name)


def validate(init_metadata: object, config_sets: Sequence[str] | str = ()) -> None:
    """The strict up-front checks a linter makes: every config and every set,
    requested or not, and the requested sets; one error listing every problem.

    Stricter than cfn-init 2.0 (which fails only when it reaches a problem, and
    takes much that this refuses: unknown keys, any octal mode, any flag word).
    Raises :class:`~awscore.errors.CfnInitInputError`; its ``problems`` start
    with their path (``config.files./etc/x.mode: ...``).
    """
    strict_check(init_metadata, config_sets)


def _checked(
    init_metadata: object,
) -> tuple[dict[str, list[SetEntry]], dict[str, list[tuple[Section, str, Detail]]]]:
    check = _Checker()
    metadata = check.mapping(init_metadata, "AWS::CloudFormation::Init")
    if metadata is None:
        raise CfnInitInputError(check.problems)
    configs = {
        name: _config(value, name, check)
        for name, value in metadata.items()
        if name != CONFIG_SETS_KEY
    }
    sets = parse_config_sets(metadata, check)
    if check.problems:
        raise CfnInitInputError(check.problems)
    return sets, configs


def strict_check(
    init_metadata: object, config_sets: Sequence[str] | str = (DEFAULT_CONFIG_SET,)
) -> None:
    """The strict reading of a run: every problem, or nothing.

    ``config_sets`` is a sequence of set names or cfn-init's ``-c`` text
    (``"a,b"``: split on commas, not trimmed). Every config and every set is
    validated first, requested or not. Raises
    :class:`~awscore.errors.CfnInitInputError` listing every problem, or naming an
    unknown requested set.
    """
    if not isinstance(config_sets, str) and not (
        isinstance(config_sets, Sequence)
        and all(isinstance(n, str) for n in config_sets)
    ):
        raise CfnInitArgumentError(
            ["config_sets: must be the -c text or a sequence of set names"]
        )
    names = (
        tuple(config_sets.split(","))
        if isinstance(config_sets, str)
        else tuple(config_sets)
    )
    try:
        sets, _configs = _checked(init_metadata)
    except RecursionError:
        raise CfnInitInputError(
            ["AWS::CloudFormation::Init: nested too deeply"]
        ) from None
    unknown = [n for n in names if n not in sets]
    if unknown:
        raise CfnInitInputError(
            [
                f"configSets: unknown config set {n!r}; known: "
                + ", ".join(sorted(sets))
                for n in unknown
            ]
        )
