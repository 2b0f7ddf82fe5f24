"""The typed values of a cfn-init plan: one class per section's item, and the plan.

Sources: the ``AWS::CloudFormation::Init`` reference in the CloudFormation User
Guide (configSets, packages, groups, users, sources, files, commands, services) and
the behaviour of aws-cfn-bootstrap's ``cfn-init``.
"""

from __future__ import annotations

import json
import stat
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from enum import StrEnum


class Section(StrEnum):
    """A config's sections, in the order cfn-init processes them."""

    PACKAGES = "packages"
    GROUPS = "groups"
    USERS = "users"
    SOURCES = "sources"
    FILES = "files"
    COMMANDS = "commands"
    SERVICES = "services"


#: Section order inside one config (User Guide: "cfn-init processes configuration
#: sections in the following order: packages, groups, users, sources, files,
#: commands, and then services").
SECTION_ORDER: tuple[Section, ...] = tuple(Section)

#: Package managers cfn-init 2.0 runs first, in this order (its ``_pkgOrder``);
#: others follow sorted by name, case-insensitively.
PACKAGE_MANAGER_ORDER: tuple[str, ...] = ("msi", "dpkg", "rpm", "apt", "yum", "zypper")

#: The package managers cfn-init 2.0 has a tool for (``dpkg`` is ordered but has
#: none); any other name is skipped with a warning.
PACKAGE_TOOLS: tuple[str, ...] = (
    "msi",
    "rpm",
    "apt",
    "yum",
    "zypper",
    "python",
    "rubygems",
)

#: Service managers cfn-init knows.
SERVICE_MANAGERS: tuple[str, ...] = ("sysvinit", "systemd", "windows")

#: The shell of the users cfn-init creates: "non-interactive system users".
SYSTEM_USER_SHELL = "/sbin/nologin"


@dataclass(frozen=True, slots=True, kw_only=True)
class Package:
    """A package to install: ``versions`` empty means the latest.

    For ``rpm`` and ``msi`` the single "version" is the package's location (a URL
    or a path), as in the User Guide's examples.
    """

    manager: str
    name: str
    versions: tuple[str, ...] = ()

    def describe(self) -> str:
        """``yum httpd (latest)`` or ``python boto 2.9, 2.10``."""
        versions = ", ".join(self.versions) if self.versions else "(latest)"
        return f"{self.manager} {self.name} {versions}"


@dataclass(frozen=True, slots=True, kw_only=True)
class Group:
    """A Linux group; ``gid`` None lets the system choose."""

    name: str
    gid: str | None = None

    def describe(self) -> str:
        """``admins gid=45``."""
        return self.name + (f" gid={self.gid}" if self.gid is not None else "")


@dataclass(frozen=True, slots=True, kw_only=True)
class User:
    """A non-interactive system user (shell ``/sbin/nologin``)."""

    name: str
    uid: str | None = None
    groups: tuple[str, ...] = ()
    home_dir: str | None = None
    shell: str = SYSTEM_USER_SHELL

    def describe(self) -> str:
        """``myUser uid=50 groups=groupOne,groupTwo home=/tmp``."""
        parts = [self.name]
        if self.uid is not None:
            parts.append(f"uid={self.uid}")
        if self.groups:
            parts.append("groups=" + ",".join(self.groups))
        if self.home_dir is not None:
            parts.append(f"home={self.home_dir}")
        return " ".join(parts)


@dataclass(frozen=True, slots=True, kw_only=True)
class Source:
    """An archive (tar, tar.gz, tar.bz2, zip) unpacked into ``target``."""

    target: str
    url: str
    authentication: str | None = None

    def describe(self) -> str:
        """``/etc/myapp <- https://.../app.tar.gz``."""
        return f"{self.target} <- {self.url}"


@dataclass(frozen=True, slots=True, kw_only=True)
class File:
    """A file (or a symlink when ``mode`` starts with ``120``) to write.

    ``content`` holds the bytes to write after base64 decoding or JSON
    serialisation; ``source`` is a URL fetched at execution instead. ``context``
    holds the Mustache variables the body is rendered with.
    """

    path: str
    content: bytes | None = field(default=None, repr=False)
    source: str | None = None
    encoding: str = "plain"
    mode: str | None = None
    owner: str | None = None
    group: str | None = None
    authentication: str | None = None
    context: Mapping[str, object] | None = None

    @property
    def is_symlink(self) -> bool:
        """True when ``mode`` has the symlink type bits (``120xxx``): the file is a
        link to ``content``."""
        return self.mode is not None and stat.S_ISLNK(int(self.mode, 8))

    @property
    def permissions(self) -> int | None:
        """The permission bits of ``mode`` (``stat.S_IMODE``, as cfn-init applies)."""
        return None if self.mode is None else stat.S_IMODE(int(self.mode, 8))

    def describe(self) -> str:
        """``/etc/x (11 bytes, mode 000644)`` or ``/etc/link -> target``."""
        if self.is_symlink:
            target = (self.content or b"").decode("utf-8", "replace")
            return f"{self.path} -> {target}"
        what = (
            f"{len(self.content)} bytes"
            if self.content is not None
            else f"from {self.source}"
        )
        extras = [what]
        if self.mode is not None:
            extras.append(f"mode {self.mode}")
        if self.owner is not None or self.group is not None:
            extras.append(f"owner {self.owner or ''}:{self.group or ''}")
        if self.context is not None:
            extras.append("mustache")
        return f"{self.path} ({', '.join(extras)})"


@dataclass(frozen=True, slots=True, kw_only=True)
class Command:
    """A command: a string runs in the shell, a tuple runs as argv.

    ``env`` None inherits the environment; a mapping replaces it. ``test`` is a
    shell command whose non-zero exit skips this one.
    """

    key: str
    command: str | tuple[str, ...]
    env: Mapping[str, str] | None = field(default=None, repr=False)
    cwd: str | None = None
    test: str | None = None
    ignore_errors: bool = False
    wait_after_completion: str | None = None

    def describe(self) -> str:
        """``10_setup: echo hi (test: ..., ignoreErrors)``."""
        text = (
            self.command
            if isinstance(self.command, str)
            else json.dumps(list(self.command))
        )
        extras = []
        if self.test is not None:
            extras.append(f"test: {self.test}")
        if self.cwd is not None:
            extras.append(f"cwd {self.cwd}")
        if self.env is not None:
            extras.append("env: " + ",".join(sorted(self.env)))
        if self.ignore_errors:
            extras.append("ignoreErrors")
        if self.wait_after_completion is not None:
            extras.append(f"waitAfterCompletion {self.wait_after_completion}")
        tail = f" ({'; '.join(extras)})" if extras else ""
        return f"{self.key}: {text}{tail}"


@dataclass(frozen=True, slots=True, kw_only=True)
class Service:
    """A service to enable/disable, start/stop, or restart when a trigger changed.

    ``enabled`` and ``ensure_running`` None leave that aspect alone. The trigger
    tuples name files, sources (target directories), packages (``(manager,
    name)``) and commands (keys) of the same config.
    """

    manager: str
    name: str
    enabled: bool | None = None
    ensure_running: bool | None = None
    files: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    packages: tuple[tuple[str, str], ...] = ()
    commands: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()
    users: tuple[str, ...] = ()

    def describe(self) -> str:
        """``sysvinit httpd enabled=true ensureRunning=true``."""
        parts = [self.manager, self.name]
        if self.enabled is not None:
            parts.append(f"enabled={str(self.enabled).lower()}")
        if self.ensure_running is not None:
            parts.append(f"ensureRunning={str(self.ensure_running).lower()}")
        triggers = [
            *self.files,
            *self.sources,
            *(f"{m}:{n}" for m, n in self.packages),
            *(f"command {c}" for c in self.commands),
            *(f"group {g}" for g in self.groups),
            *(f"user {u}" for u in self.users),
        ]
        if triggers:
            parts.append("restart on " + ", ".join(triggers))
        return " ".join(parts)


@dataclass(frozen=True, slots=True, kw_only=True)
class Skip:
    """A step cfn-init 2.0 passes over: a package or service manager it has no
    tool for. Executing it changes nothing."""

    manager: str
    reason: str

    def describe(self) -> str:
        """``skipped: cfn-init has no tool for Custom``."""
        return f"skipped: {self.reason}"


#: What an action does: one of the seven item types, or a skipped manager.
Detail = Package | Group | User | Source | File | Command | Service | Skip


@dataclass(frozen=True, slots=True, kw_only=True)
class Failure:
    """Where and why cfn-init 2.0 would stop: the final step of a plan.

    ``config`` is None when the run fails before any config (a broken
    ``configSets``, an unknown set in ``-c``); ``section`` and ``key`` are None
    when the failure is not inside one section or item. ``run`` is the index of
    the failing run in :attr:`Plan.runs`, or None.
    """

    config_set: str | None
    config: str | None
    run: int | None
    section: Section | None
    key: str | None
    message: str

    @property
    def path(self) -> str:
        """``config.files.rel/x``: where the failure sits, as far as known."""
        return (
            ".".join(
                part
                for part in (self.config, self.section and self.section.value, self.key)
                if part
            )
            or "configSets"
        )

    def __str__(self) -> str:
        return f"fails at {self.path}: {self.message}"


@dataclass(frozen=True, slots=True, kw_only=True)
class Action:
    """One step of a plan.

    ``run`` counts the config runs of the plan (0-based): a config that a set names
    twice runs twice, as two runs. ``key`` is the item's key in its section
    (``yum.httpd`` for a package, ``sysvinit.httpd`` for a service).
    """

    config_set: str
    config: str
    run: int
    section: Section
    key: str
    details: Detail

    @property
    def path(self) -> str:
        """``config.files./etc/x``: where the step sits in the metadata."""
        return f"{self.config}.{self.section}.{self.key}"

    def __str__(self) -> str:
        return f"{self.config} {self.section.value:8} {self.details.describe()}"

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready dict (file content as text, or base64 when binary)."""
        details: dict[str, object] = {}
        for item in fields(self.details):
            name = item.name
            value = getattr(self.details, name)
            if isinstance(value, bytes):
                details[name] = value.decode("utf-8", "backslashreplace")
            elif isinstance(value, tuple):
                details[name] = [list(v) if isinstance(v, tuple) else v for v in value]
            elif isinstance(value, Mapping):
                details[name] = dict(value)
            else:
                details[name] = value
        return {
            "config_set": self.config_set,
            "config": self.config,
            "run": self.run,
            "section": self.section.value,
            "key": self.key,
            "details": details,
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class Plan:
    """The ordered actions of a cfn-init run: pure data, printable.

    ``runs`` lists each config run as ``(config set, config)``, in order;
    ``actions`` every step of every run.
    """

    config_sets: tuple[str, ...]
    runs: tuple[tuple[str, str], ...]
    actions: tuple[Action, ...]
    failure: Failure | None = None
    warnings: tuple[str, ...] = ()

    def __str__(self) -> str:
        lines = [f"configSets: {', '.join(self.config_sets)}"]
        if not self.runs:
            lines.append("  (nothing to do)")
        steps: dict[int, list[str]] = {}
        for a in self.actions:
            steps.setdefault(a.run, []).append(
                f"  {a.section.value:8} {a.details.describe()}"
            )
        for index, (config_set, config) in enumerate(self.runs):
            lines.append(f"run {index + 1}: config {config} (set {config_set})")
            lines.extend(steps.get(index, ()))
        if self.failure is not None:
            lines.append(f"  {self.failure}")
        lines.extend(f"warning: {w}" for w in self.warnings)
        return "\n".join(lines)

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready dict: the sets, the runs and every action."""
        return {
            "config_sets": list(self.config_sets),
            "runs": [list(r) for r in self.runs],
            "actions": [a.to_dict() for a in self.actions],
            "failure": None
            if self.failure is None
            else {
                "config_set": self.failure.config_set,
                "config": self.failure.config,
                "run": self.failure.run,
                "section": self.failure.section and self.failure.section.value,
                "key": self.failure.key,
                "message": self.failure.message,
            },
            "warnings": list(self.warnings),
        }
