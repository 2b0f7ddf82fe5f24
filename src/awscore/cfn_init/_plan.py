"""Planning a cfn-init run exactly as the real cfn-init 2.0 would make it.

The plan is the runs and steps of aws-cfn-bootstrap 2.0 (``Contractor``,
``CloudFormationCarpenter`` and its tools) on a Linux host, up to the point where
2.0 would stop, and then that failure as the final step. 2.0 checks almost
nothing up front: it builds the config sets (a broken ``configSets`` fails before
any run), then runs config after config, and each tool raises when it meets an
item it cannot use, after the earlier items were applied. So does the plan.

What 2.0 does, measured against its code run side by side (``tests/cfn_init/
test_peer.py``), where it departs from the User Guide:

* package managers run in ``_pkgOrder`` (msi, dpkg, rpm, apt, yum, zypper), then
  the others sorted case-insensitively; only msi, rpm, apt, yum, zypper, python
  and rubygems have a tool: any other name (``dpkg``, ``Yum``, ``npm``) is
  skipped with a warning; msi and Windows services fail on Linux;
* yum, zypper, apt, python and rpm check all of their packages, then install
  them in one command (yum and zypper: upgrades, then downgrades); rubygems
  installs one gem after the other;
* unknown sections and keys are ignored; booleans are true for ``true``, ``yes``,
  ``y``, ``1`` (any case) and false for anything else; any octal ``mode`` is
  taken; a file with empty ``content`` and no ``source`` fails; base64 is decoded
  leniently; ``waitAfterCompletion`` is ignored on Linux;
* ``-c a,b`` is split on commas, not trimmed; an unknown set fails after the sets
  before it ran; ``{"ConfigSet": "a", "n": 1}`` is a reference; a config named
  ``configSets`` is the configSets mapping read as a config.

The plan does not see the host: what is installed, which users and groups
exist, what is on disk. It plans for a host where every tool exists, nothing is
installed yet and every command exits 0; those facts show only when it runs.
"""

from __future__ import annotations

import base64
import contextlib
import json
import re
import stat
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from awscore.cfn_init._model import (
    PACKAGE_TOOLS,
    SERVICE_MANAGERS,
    Action,
    Command,
    Detail,
    Failure,
    File,
    Group,
    Package,
    Plan,
    Section,
    Service,
    Skip,
    Source,
    User,
)
from awscore.cfn_init._mustache import render
from awscore.cfn_init._packages import (
    _argument,
    _argv,
    _contains,
    _environment,
    _hashable,
    _index,
    _iterate,
    _mapping,
    _packages,
    _Steps,
    _StopError,
    _truthy,
    interpret_boolean,
    package_manager_key,
)
from awscore.cfn_init._validate import (
    CONFIG_SETS_KEY,
    DEFAULT_CONFIG,
    DEFAULT_CONFIG_SET,
    kind_of,
)
from awscore.errors import CfnInitArgumentError, CfnInitInputError

__all__ = ["MAX_SET_DEPTH", "plan"]

#: How deeply config-set lists may nest (2.0 recurses and would hit Python's
#: recursion limit near 1,000; past this the plan fails the same way).
MAX_SET_DEPTH = 100

_REMOTE = re.compile(r"^(https?|ftp)://.*$", re.IGNORECASE)
_HTTP = re.compile(r"^https?://", re.IGNORECASE)

# --- groups, users, sources ---------------------------------------------------


def _groups(value: object, steps: _Steps, warnings: list[str], where: str) -> None:
    section = _mapping(value, where)
    for name in sorted(section):
        try:
            spec = section[name]
            gid = None
            if _contains(spec, "gid", f"{where}.{name}"):
                gid = str(_index(spec, "gid", f"{where}.{name}"))
            steps.append((name, Group(name=name, gid=gid or None)))
        except _StopError as stop:
            raise _StopError(stop.message, name) from None


def _users(value: object, steps: _Steps, warnings: list[str], where: str) -> None:
    section = _mapping(value, where)
    for name in sorted(section):
        what = f"{where}.{name}"
        try:
            spec = section[name]
            uid = None
            if _contains(spec, "uid", what):
                uid = str(_index(spec, "uid", what))
            spec = _mapping(spec, what)
            if isinstance(spec.get("groups"), str) and spec["groups"]:
                # 2.0 iterates the text: every character must name a group on
                # the host, which no real host has.
                raise _StopError(
                    f"{what}.groups must be a list of group names, not a string"
                )
            groups = tuple(
                _argument(g, f"{what}.groups")
                for g in _iterate(spec.get("groups", []), f"{what}.groups")
            )
            home = spec.get("homeDir")
            home_dir = _argument(home, f"{what}.homeDir") if _truthy(home) else None
            steps.append(
                (
                    name,
                    User(name=name, uid=uid or None, groups=groups, home_dir=home_dir),
                )
            )
        except _StopError as stop:
            raise _StopError(stop.message, name) from None


def _sources(value: object, steps: _Steps, warnings: list[str], where: str) -> None:
    section = _mapping(value, where)
    for target in sorted(section):
        url = section[target]
        if not isinstance(url, str):
            raise _StopError(
                f"{where}.{target} must be a URL, not {kind_of(url)}", target
            )
        if not _REMOTE.match(url):
            warnings.append(
                f"{where}.{target}: {url!r} is not an http, https or ftp URL; "
                "cfn-init reads it as a local archive path"
            )
        steps.append((target, Source(target=target, url=url)))


# --- files ----------------------------------------------------------------------


def _file(path: str, spec: object, what: str) -> File:
    mode: str | None = None
    link = False
    if _contains(spec, "mode", what):
        raw = _index(spec, "mode", what)
        if not isinstance(raw, str):
            raise _StopError(f"{what}.mode must be an octal string, not {kind_of(raw)}")
        try:
            number = int(raw, 8)
        except ValueError:
            raise _StopError(f"{what}.mode {raw!r} is not an octal number") from None
        link = stat.S_ISLNK(number)
        mode = raw
    if link and not _contains(spec, "content", what):
        raise _StopError("a symbolic link (mode 120xxx) needs its target in content")
    attributes = _mapping(spec, what)
    base64_encoded = attributes.get("encoding", "plain") == "base64"
    content = attributes.get("content", "")
    context = attributes.get("context")
    owner = _owner(attributes, "owner", what)
    group = _owner(attributes, "group", what)
    if link:
        target = _argument(attributes["content"], f"{what}.content")
        return File(
            path=path, content=target.encode(), mode=mode, owner=owner, group=group
        )
    if not _truthy(content):
        source = attributes.get("source", "")
        if not _truthy(source):
            raise _StopError("a file needs a source or a non-empty content")
        if not isinstance(source, str):
            raise _StopError(f"{what}.source must be a URL, not {kind_of(source)}")
        if not _HTTP.match(source):
            # 2.0 fetches with requests, which has adapters for these two only
            raise _StopError(
                f"{what}.source {source!r}: only http and https URLs are fetched"
            )
        return File(
            path=path,
            source=source,
            mode=mode,
            owner=owner,
            group=group,
            authentication=_text_or_none(attributes.get("authentication")),
            context=_context(context, what),
        )
    return File(
        path=path,
        content=_body(content, base64_encoded, context, what),
        encoding="base64" if base64_encoded else "plain",
        mode=mode,
        owner=owner,
        group=group,
    )


def _owner(attributes: Mapping[str, object], key: str, what: str) -> str | None:
    value = attributes.get(key)
    return _argument(value, f"{what}.{key}") if _truthy(value) else None


def _text_or_none(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _context(value: object, what: str) -> Mapping[str, object] | None:
    """2.0 renders whenever ``context`` is not null; a context that is not a
    mapping finds no names (every lookup renders empty)."""
    if value is None:
        return None
    return value if isinstance(value, Mapping) else {}


def _body(content: object, base64_encoded: bool, context: object, what: str) -> bytes:
    """The bytes 2.0 writes for inline content (rendered now when it has a
    context, so a template error is a planned failure)."""
    if not isinstance(content, str):
        if base64_encoded:
            raise _StopError("JSON content cannot be base64-encoded")
        try:
            return json.dumps(content).encode()
        except (TypeError, ValueError, RecursionError) as exc:
            raise _StopError(
                f"{what}.content cannot be written as JSON: {exc}"
            ) from None
    if base64_encoded:
        try:
            # lenient, as 2.0 decodes: characters outside the alphabet are dropped
            return base64.b64decode(content.strip())
        except ValueError as exc:  # binascii.Error is a ValueError
            raise _StopError(f"{what}.content is malformed base64 ({exc})") from None
    if context is not None:
        try:
            content = render(content, _context(context, what) or {})
        except CfnInitInputError as exc:
            raise _StopError(f"{what}: cannot render as Mustache: {exc}") from None
    try:
        return content.encode("utf-8")
    except UnicodeEncodeError:
        raise _StopError(
            f"{what}.content is not valid text (a lone surrogate)"
        ) from None


def _files(value: object, steps: _Steps, warnings: list[str], where: str) -> None:
    section = _mapping(value, where)
    for path in sorted(section):
        try:
            if not path.startswith("/"):
                raise _StopError(f"{path!r} is not an absolute path")
            steps.append((path, _file(path, section[path], f"{where}.{path}")))
        except _StopError as stop:
            raise _StopError(stop.message, path) from None


# --- commands and services ------------------------------------------------------


def _commands(value: object, steps: _Steps, warnings: list[str], where: str) -> None:
    section = _mapping(value, where)
    for key in sorted(section):
        what = f"{where}.{key}"
        try:
            steps.append((key, _command(key, section[key], what)))
        except _StopError as stop:
            raise _StopError(stop.message, key) from None


def _command(key: str, spec: object, what: str) -> Command:
    if _contains(spec, "defaults", what):
        raise _StopError(
            "'defaults' runs a command for its JSON output, which cannot be planned"
        )
    if not _contains(spec, "command", what):
        raise _StopError("the 'command' attribute is required")
    cwd = None
    if _contains(spec, "cwd", what):
        cwd = _argument(_index(spec, "cwd", what), f"{what}.cwd")
    attributes = _mapping(spec, what)
    env = _environment(attributes.get("env"), f"{what}.env")
    test = None
    if "test" in attributes:
        raw_test = _argv(attributes["test"], f"{what}.test")
        test = raw_test if isinstance(raw_test, str) else json.dumps(list(raw_test))
    command = attributes["command"]
    if "runas" in attributes:
        runas = attributes["runas"]
        if isinstance(command, str):
            command = f"su {runas} -c {command}"
        elif isinstance(command, list | tuple):
            command = ["su", runas, "-c", *command]
    argv = _argv(command, f"{what}.command")
    try:
        ignore = interpret_boolean(attributes.get("ignoreErrors"))
    except CfnInitInputError:
        ignore = False  # 2.0 reads it only after a failure, and then fails itself
    wait = attributes.get("waitAfterCompletion")
    return Command(
        key=key,
        command=argv,
        env=env,
        cwd=cwd,
        test=test,
        ignore_errors=ignore,
        wait_after_completion=str(wait) if isinstance(wait, str | int) else None,
    )


@dataclass(slots=True)
class _Changes:
    """What a config run changed so far, as 2.0's ``changes`` sees it (the
    sections that ran, with every item they applied)."""

    sections: dict[str, list[str]] = field(default_factory=dict)
    packages: dict[str, list[str]] = field(default_factory=dict)


def _restart_checks(spec: object, changes: _Changes, what: str) -> bool:
    """2.0's ``_detect_required_restart`` on a host where everything applied
    changed: whether a restart fires, or :class:`_StopError` where 2.0 fails."""
    for key in ("files", "sources", "groups", "users", "commands"):
        if _contains(spec, key, what) and key in changes.sections:
            listed = _hashable(_iterate(_index(spec, key, what), f"{what}.{key}"), what)
            if listed & frozenset(changes.sections[key]):
                return True
    if _contains(spec, "packages", what):
        by_manager = _index(spec, "packages", what)
        for manager, names in changes.packages.items():
            if _contains(by_manager, manager, f"{what}.packages"):
                wanted = _iterate(
                    _index(by_manager, manager, f"{what}.packages"),
                    f"{what}.packages.{manager}",
                )
                if _hashable(wanted, what) & frozenset(names):
                    return True
    return False


def _names(spec: object, key: str) -> tuple[str, ...]:
    if not isinstance(spec, Mapping) or key not in spec:
        return ()
    listed = spec[key]
    items = listed if isinstance(listed, list | tuple) else [listed]
    return tuple(str(x) for x in items)


def _service(
    manager: str, name: str, spec: object, what: str, changes: _Changes
) -> Service:
    restart = _restart_checks(spec, changes, what)
    flags: dict[str, bool | None] = {}
    for key in ("enabled", "ensureRunning"):
        flags[key] = None
        if key == "ensureRunning" and restart:
            # 2.0 restarts and never reads ensureRunning
            if isinstance(spec, Mapping) and key in spec:
                with contextlib.suppress(CfnInitInputError):
                    flags[key] = interpret_boolean(spec[key])
        elif _contains(spec, key, what):
            try:
                flags[key] = interpret_boolean(_index(spec, key, what))
            except CfnInitInputError as exc:
                raise _StopError(f"{what}.{key}: {exc}") from None
    packages: list[tuple[str, str]] = []
    if isinstance(spec, Mapping) and isinstance(spec.get("packages"), Mapping):
        for pkg_manager, names in spec["packages"].items():
            packages.extend((pkg_manager, n) for n in _names({"n": names}, "n"))
    return Service(
        manager=manager,
        name=name,
        enabled=flags["enabled"],
        ensure_running=flags["ensureRunning"],
        files=_names(spec, "files"),
        sources=_names(spec, "sources"),
        commands=_names(spec, "commands"),
        groups=_names(spec, "groups"),
        users=_names(spec, "users"),
        packages=tuple(packages),
    )


def _services(
    value: object, steps: _Steps, warnings: list[str], where: str, changes: _Changes
) -> None:
    section = _mapping(value, where)
    for manager, services in section.items():
        at = f"{where}.{manager}"
        if manager not in SERVICE_MANAGERS:
            reason = f"cfn-init has no tool for service manager {manager}"
            warnings.append(f"{at}: {reason}; its services are left alone")
            steps.append((manager, Skip(manager=manager, reason=reason)))
            continue
        try:
            named = _mapping(services, at)
        except _StopError as stop:
            raise _StopError(stop.message, manager) from None
        if not named:
            continue
        if manager == "windows":
            raise _StopError("Windows services cannot be managed on Linux", manager)
        for name, spec in named.items():
            try:
                service = _service(manager, name, spec, f"{at}.{name}", changes)
            except _StopError as stop:
                raise _StopError(stop.message, f"{manager}.{name}") from None
            steps.append((f"{manager}.{name}", service))


# --- configs and config sets ---------------------------------------------------

_Section = Callable[[object, _Steps, list[str], str], None]
_SECTIONS: tuple[tuple[Section, _Section], ...] = (
    (Section.PACKAGES, _packages),
    (Section.GROUPS, _groups),
    (Section.USERS, _users),
    (Section.SOURCES, _sources),
    (Section.FILES, _files),
    (Section.COMMANDS, _commands),
)


def _run_config(
    name: str, config: Mapping[str, object], warnings: list[str]
) -> tuple[list[tuple[Section, str, Detail]], tuple[Section | None, _StopError] | None]:
    """One config run: its steps, then the failure if 2.0 would stop in it."""
    out: list[tuple[Section, str, Detail]] = []
    changes = _Changes()
    for key in config:
        if key not in {s.value for s in Section}:
            warnings.append(f"{name}.{key}: not a cfn-init section; ignored")
    for section, parse in (*_SECTIONS, (Section.SERVICES, None)):
        value = config.get(section.value)
        if not _truthy(value):
            continue
        steps: _Steps = []
        try:
            if parse is None:
                _services(value, steps, warnings, f"{name}.{section.value}", changes)
            else:
                parse(value, steps, warnings, f"{name}.{section.value}")
        except _StopError as stop:
            out.extend((section, k, d) for k, d in steps)
            return out, (section, stop)
        out.extend((section, k, d) for k, d in steps)
        applied = [k for k, d in steps if not isinstance(d, Skip)]
        if section is Section.PACKAGES:
            assert isinstance(value, Mapping)  # _packages checked it
            # every manager with a tool gets its (maybe empty) list of changes
            for manager in sorted(value, key=package_manager_key):
                if manager in PACKAGE_TOOLS:
                    changes.packages[manager] = [
                        d.name
                        for _k, d in steps
                        if isinstance(d, Package) and d.manager == manager
                    ]
        else:
            changes.sections[section.value] = applied
    return out, None


def _config_list(
    value: object, init: Mapping[str, object], sets: Mapping[str, object]
) -> list[tuple[str, str]]:
    """A set's entries, ``("config", name)`` or ``("set", name)``, as 2.0's
    ``_processConfigList`` reads them (iteratively, to a bounded depth)."""
    out: list[tuple[str, str]] = []
    stack: list[tuple[Iterator[object], int]] = [(iter([value]), 0)]
    while stack:
        items, depth = stack[-1]
        item = next(items, _END)
        if item is _END:
            stack.pop()
            continue
        if isinstance(item, str):
            if item not in init:
                raise _StopError(f"no configuration found with name: {item}")
            if not isinstance(init[item], Mapping):
                raise _StopError(
                    f"config {item!r} must be a mapping, not {kind_of(init[item])}"
                )
            out.append(("config", item))
        elif isinstance(item, Mapping):
            if "ConfigSet" not in item:
                raise _StopError(
                    'a config set entry must be a config name or {"ConfigSet": name}'
                )
            target = item["ConfigSet"]
            if not isinstance(target, str) or target not in sets:
                raise _StopError(
                    f"configuration set {target!r} was referenced but not defined"
                )
            out.append(("set", target))
        elif isinstance(item, list | tuple):
            if depth >= MAX_SET_DEPTH:
                raise _StopError(f"config set lists nest deeper than {MAX_SET_DEPTH}")
            stack.append((iter(item), depth + 1))
        else:
            raise _StopError(
                f"a config set entry must be a config name, a reference or a list, "
                f"not {kind_of(item)}"
            )
    return out


_END = object()


def _config_sets(init: Mapping[str, object]) -> dict[str, list[str]]:
    """Every set flattened to its configs, or :class:`_StopError` as 2.0 raises it."""
    if CONFIG_SETS_KEY not in init:
        config = init.get(DEFAULT_CONFIG, {})
        if not isinstance(config, Mapping):
            raise _StopError(
                f"config {DEFAULT_CONFIG!r} must be a mapping, not {kind_of(config)}"
            )
        return {DEFAULT_CONFIG_SET: [DEFAULT_CONFIG]}
    sets = init[CONFIG_SETS_KEY]
    if not isinstance(sets, Mapping):
        raise _StopError("configSets must be a mapping of name to list")
    raw = {name: _config_list(value, init, sets) for name, value in sets.items()}
    # Kahn's order, as 2.0 collapses them: any cycle (or no set without
    # references) fails.
    waiting = {n: {t for kind, t in e if kind == "set"} for n, e in raw.items()}
    users: dict[str, list[str]] = {}
    for name, needs in waiting.items():
        for target in needs:
            users.setdefault(target, []).append(name)
    ready = [n for n, needs in waiting.items() if not needs]
    flat: dict[str, list[str]] = {}
    while ready:
        name = ready.pop()
        flat[name] = [
            c for kind, t in raw[name] for c in ([t] if kind == "config" else flat[t])
        ]
        for user in users.get(name, ()):
            waiting[user].discard(name)
            if not waiting[user]:
                ready.append(user)
    if len(flat) < len(raw):
        raise _StopError(
            "configSets reference each other in a cycle: "
            + ", ".join(sorted(n for n in raw if n not in flat))
        )
    return {name: flat[name] for name in raw}


def plan(
    init_metadata: object, config_sets: Sequence[str] | str = (DEFAULT_CONFIG_SET,)
) -> Plan:
    """Plan a cfn-init run: the runs and steps cfn-init 2.0 would make, in order,
    up to where it would fail, then that failure as :attr:`Plan.failure`.

    ``init_metadata`` is the ``AWS::CloudFormation::Init`` mapping;
    ``config_sets`` a sequence of set names or cfn-init's ``-c`` text (split on
    commas, not trimmed; empty means ``default``). Raises
    :class:`~awscore.errors.CfnInitInputError` only when the arguments are not a
    mapping and a sequence of names. For the strict up-front checks a linter
    makes, use :func:`validate`.
    """
    names = _requested(config_sets)
    if not isinstance(init_metadata, Mapping):
        raise CfnInitInputError(
            [
                "AWS::CloudFormation::Init: must be a mapping, not "
                + kind_of(init_metadata)
            ]
        )
    bad = [k for k in init_metadata if not isinstance(k, str)]
    if bad:
        raise CfnInitInputError(
            [f"AWS::CloudFormation::Init: key {k!r} must be a string" for k in bad]
        )
    warnings: list[str] = []
    if not init_metadata:
        warnings.append("AWS::CloudFormation::Init is empty: cfn-init does nothing")
        return Plan(config_sets=names, runs=(), actions=(), warnings=tuple(warnings))
    try:
        sets = _config_sets(init_metadata)
    except _StopError as stop:
        failure = Failure(
            config_set=None,
            config=None,
            run=None,
            section=None,
            key=None,
            message=stop.message,
        )
        return Plan(config_sets=names, runs=(), actions=(), failure=failure)
    runs: list[tuple[str, str]] = []
    actions: list[Action] = []
    for set_name in names:
        if set_name not in sets:
            failure = Failure(
                config_set=set_name,
                config=None,
                run=None,
                section=None,
                key=None,
                message=f"no ConfigSet named {set_name!r} exists; known: "
                + ", ".join(sorted(sets)),
            )
            return _done(names, runs, actions, failure, warnings)
        for config in sets[set_name]:
            index = len(runs)
            runs.append((set_name, config))
            model = init_metadata.get(config, {})
            assert isinstance(model, Mapping)  # checked by _config_sets
            steps, stopped = _run_config(config, model, warnings)
            actions.extend(
                Action(
                    config_set=set_name,
                    config=config,
                    run=index,
                    section=section,
                    key=key,
                    details=detail,
                )
                for section, key, detail in steps
            )
            if stopped is not None:
                section, error = stopped
                failure = Failure(
                    config_set=set_name,
                    config=config,
                    run=index,
                    section=section,
                    key=error.key,
                    message=error.message,
                )
                return _done(names, runs, actions, failure, warnings)
    return _done(names, runs, actions, None, warnings)


def _done(
    names: tuple[str, ...],
    runs: list[tuple[str, str]],
    actions: list[Action],
    failure: Failure | None,
    warnings: list[str],
) -> Plan:
    return Plan(
        config_sets=names,
        runs=tuple(runs),
        actions=tuple(actions),
        failure=failure,
        warnings=tuple(dict.fromkeys(warnings)),
    )


def _requested(config_sets: object) -> tuple[str, ...]:
    if isinstance(config_sets, str):
        return tuple(config_sets.split(",")) if config_sets else (DEFAULT_CONFIG_SET,)
    if isinstance(config_sets, Sequence) and all(
        isinstance(n, str) for n in config_sets
    ):
        return tuple(config_sets)
    raise CfnInitArgumentError(
        ["config_sets: must be the -c text or a sequence of set names"]
    )
