"""Running a plan: the step loop (pure), the dry-run backend and the local backend.

The loop follows cfn-init: steps run in plan order; the first failure stops the
run without rolling back what ran before; a command with ``ignoreErrors`` may
fail; a command whose ``test`` fails is skipped; ``waitAfterCompletion:
forever`` stops the run for a reboot, to resume at the next step. A service
restarts when a file, source, package or command it lists changed in the same
config run (User Guide, ``services``).

The local backend (``_local.py``) is the I/O edge: it writes files, unpacks
archives and runs commands under a root directory.
"""

from __future__ import annotations

import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol

from awscore._inputs import shown
from awscore.cfn_init._model import (
    Action,
    Command,
    Detail,
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
from awscore.cfn_init._validate import require
from awscore.errors import (
    CfnInitArgumentError,
    CfnInitError,
    CfnInitInputError,
    CfnInitStepError,
)

__all__ = [
    "NEW_FILE_MODE",
    "Backend",
    "DryRunBackend",
    "Fetch",
    "PackageManager",
    "RecordingPackageManager",
    "RecordingServiceManager",
    "RecordingUserManager",
    "Report",
    "ServiceManager",
    "Status",
    "StepResult",
    "UserManager",
    "execute",
    "fetch_url",
    "service_operations",
]

#: The mode of a file written without ``mode``: rw-r--r--.
NEW_FILE_MODE = 0o644

#: Fetches a ``source`` URL: ``(url, authentication name) -> bytes``.
Fetch = Callable[[str, str | None], bytes]


class Status(StrEnum):
    """What a step did."""

    CHANGED = "changed"
    UNCHANGED = "unchanged"
    SKIPPED = "skipped"  # a command whose test failed
    FAILED_IGNORED = "failed-ignored"  # a failing command with ignoreErrors


@dataclass(frozen=True, slots=True, kw_only=True)
class StepResult:
    """A backend's answer for one step: its status and a line of detail."""

    status: Status
    detail: str = ""
    returncode: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ActionResult:
    """One executed step of a plan and what it did."""

    action: Action
    result: StepResult

    def __str__(self) -> str:
        detail = f": {self.result.detail}" if self.result.detail else ""
        return f"{self.result.status.value:14} {self.action.path}{detail}"


@dataclass(frozen=True, slots=True, kw_only=True)
class Report:
    """What a run did, step by step.

    ``resume_at`` is the index of the next action when a command with
    ``waitAfterCompletion: forever`` asked for a reboot (pass it as
    ``execute(..., start=...)``), else None.
    """

    results: tuple[ActionResult, ...]
    resume_at: int | None = None

    @property
    def changed(self) -> tuple[Action, ...]:
        """The actions that changed something."""
        return tuple(
            r.action for r in self.results if r.result.status is Status.CHANGED
        )

    def __str__(self) -> str:
        lines = [str(r) for r in self.results]
        if self.resume_at is not None:
            lines.append(f"reboot requested: resume at step {self.resume_at}")
        return "\n".join(lines)

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready dict."""
        return {
            "results": [
                {
                    "path": r.action.path,
                    "run": r.action.run,
                    "status": r.result.status.value,
                    "detail": r.result.detail,
                    "returncode": r.result.returncode,
                }
                for r in self.results
            ],
            "resume_at": self.resume_at,
        }


# --- managers ----------------------------------------------------------------


class PackageManager(Protocol):
    """Installs packages: yum, apt, rpm, python, rubygems, ... behind one call."""

    def install(self, package: Package) -> bool:
        """Install ``package``; True if anything changed."""
        ...


class UserManager(Protocol):
    """Creates groups and system users."""

    def ensure_group(self, group: Group) -> bool:
        """Create or update ``group``; True if anything changed."""
        ...

    def ensure_user(self, user: User) -> bool:
        """Create or update ``user``; True if anything changed."""
        ...


class ServiceManager(Protocol):
    """Queries and drives sysvinit, systemd or Windows services."""

    def is_running(self, service: Service) -> bool:
        """Whether ``service`` runs now."""
        ...

    def apply(self, service: Service, operation: str) -> None:
        """Do one of ``enable``, ``disable``, ``start``, ``stop``, ``restart``."""
        ...


@dataclass(slots=True)
class RecordingPackageManager:
    """A package manager that records installs and remembers what is installed."""

    installed: dict[tuple[str, str], tuple[str, ...]] = field(default_factory=dict)
    calls: list[Package] = field(default_factory=list)

    def install(self, package: Package) -> bool:
        """Record the install; True unless the same versions were installed."""
        require(package, Package, "package", "a Package")
        self.calls.append(package)
        key = (package.manager, package.name)
        if key in self.installed and self.installed[key] == package.versions:
            return False
        self.installed[key] = package.versions
        return True


@dataclass(slots=True)
class RecordingUserManager:
    """Groups and users kept in dicts, every call recorded."""

    groups: dict[str, Group] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    calls: list[Group | User] = field(default_factory=list)

    def ensure_group(self, group: Group) -> bool:
        """Record the group; True if it is new or different."""
        require(group, Group, "group", "a Group")
        self.calls.append(group)
        changed = self.groups.get(group.name) != group
        self.groups[group.name] = group
        return changed

    def ensure_user(self, user: User) -> bool:
        """Record the user; True if it is new or different."""
        require(user, User, "user", "a User")
        self.calls.append(user)
        changed = self.users.get(user.name) != user
        self.users[user.name] = user
        return changed


@dataclass(slots=True)
class RecordingServiceManager:
    """Services' running and enabled state kept in sets, operations recorded."""

    running: set[str] = field(default_factory=set)
    enabled: set[str] = field(default_factory=set)
    calls: list[tuple[str, str]] = field(default_factory=list)

    def is_running(self, service: Service) -> bool:
        """Whether the service is in ``running``."""
        require(service, Service, "service", "a Service")
        return service.name in self.running

    def apply(self, service: Service, operation: str) -> None:
        """Record ``(operation, name)`` and update the sets."""
        require(service, Service, "service", "a Service")
        require_operation(operation)
        self.calls.append((operation, service.name))
        if operation in ("start", "restart"):
            self.running.add(service.name)
        elif operation == "stop":
            self.running.discard(service.name)
        elif operation == "enable":
            self.enabled.add(service.name)
        else:
            self.enabled.discard(service.name)


#: What :meth:`ServiceManager.apply` is asked to do.
SERVICE_OPERATIONS = ("enable", "disable", "start", "stop", "restart")


def require_operation(operation: object) -> None:
    """Refuse an operation a service manager does not do, naming it."""
    if not isinstance(operation, str) or operation not in SERVICE_OPERATIONS:
        raise CfnInitInputError(
            [
                f"operation: must be one of {', '.join(SERVICE_OPERATIONS)}, "
                f"not {shown(operation)}"
            ]
        )


def service_operations(
    service: Service, *, triggered: bool, running: bool
) -> tuple[str, ...]:
    """The operations cfn-init performs on a service, in order.

    ``enabled`` true/false enables/disables it; a triggered restart wins over
    ``ensureRunning``; otherwise ``ensureRunning`` true starts a stopped service
    and false stops a running one.
    """
    require(service, Service, "service", "a Service")
    operations: list[str] = []
    if service.enabled is not None:
        operations.append("enable" if service.enabled else "disable")
    if triggered:
        operations.append("restart")
    elif service.ensure_running is True and not running:
        operations.append("start")
    elif service.ensure_running is False and running:
        operations.append("stop")
    return tuple(operations)


# --- backends ----------------------------------------------------------------


class Backend(Protocol):
    """Where a plan's steps happen: one method per section."""

    def install_package(self, package: Package) -> StepResult:
        """Install a package."""
        ...

    def create_group(self, group: Group) -> StepResult:
        """Create a group."""
        ...

    def create_user(self, user: User) -> StepResult:
        """Create a user."""
        ...

    def unpack_source(self, source: Source) -> StepResult:
        """Unpack an archive into its target directory."""
        ...

    def write_file(self, file: File) -> StepResult:
        """Write a file or a symlink."""
        ...

    def run_command(self, command: Command) -> StepResult:
        """Run a command (its test first); report its exit status."""
        ...

    def manage_service(self, service: Service, *, triggered: bool) -> StepResult:
        """Enable/disable, start/stop or restart a service."""
        ...


@dataclass(slots=True)
class DryRunBackend:
    """Records every step and changes nothing; every step reports a change.

    Commands and their tests are not run (a command counts as run); services
    are taken to be stopped, so ``ensureRunning`` starts them.
    """

    calls: list[tuple[str, str]] = field(default_factory=list)

    def _record(self, verb: str, what: str) -> StepResult:
        self.calls.append((verb, what))
        return StepResult(status=Status.CHANGED, detail=f"would {verb} {what}")

    def install_package(self, package: Package) -> StepResult:
        """Record ``install``."""
        require(package, Package, "package", "a Package")
        return self._record("install", package.describe())

    def create_group(self, group: Group) -> StepResult:
        """Record ``create group``."""
        require(group, Group, "group", "a Group")
        return self._record("create group", group.describe())

    def create_user(self, user: User) -> StepResult:
        """Record ``create user``."""
        require(user, User, "user", "a User")
        return self._record("create user", user.describe())

    def unpack_source(self, source: Source) -> StepResult:
        """Record ``unpack``."""
        require(source, Source, "source", "a Source")
        return self._record("unpack", source.describe())

    def write_file(self, file: File) -> StepResult:
        """Record ``write``."""
        require(file, File, "file", "a File")
        return self._record("write", file.describe())

    def run_command(self, command: Command) -> StepResult:
        """Record ``run``."""
        require(command, Command, "command", "a Command")
        return self._record("run", command.describe())

    def manage_service(self, service: Service, *, triggered: bool) -> StepResult:
        """Record the service operations, taking the service to be stopped."""
        operations = service_operations(service, triggered=triggered, running=False)
        if not operations:
            return StepResult(status=Status.UNCHANGED, detail="nothing to do")
        return self._record("/".join(operations), f"{service.manager} {service.name}")


def fetch_url(url: str, authentication: str | None = None) -> bytes:
    """Fetch a ``file://``, ``http://`` or ``https://`` URL with urllib.

    ``authentication`` (a named ``AWS::CloudFormation::Authentication`` block) is
    not supported and raises :class:`~awscore.errors.CfnInitError`.
    """
    require(url, str, "url", "a URL")
    if authentication is not None:
        raise CfnInitError(f"{url}: authentication {authentication!r} is not supported")
    if not url.startswith(("file://", "http://", "https://")):
        raise CfnInitError(f"{url}: only file, http and https URLs are fetched")
    with urllib.request.urlopen(url, timeout=60) as response:  # noqa: S310 (schemes checked above)
        data: bytes = response.read()
        return data


# --- the loop ----------------------------------------------------------------


def _triggered(service: Service, changed: set[tuple[Section, str]]) -> bool:
    wanted = [
        *((Section.FILES, f) for f in service.files),
        *((Section.SOURCES, s) for s in service.sources),
        *((Section.PACKAGES, f"{m}.{n}") for m, n in service.packages),
        *((Section.COMMANDS, c) for c in service.commands),
        # 2.0 restarts for changed groups and users too (_detect_required_restart)
        *((Section.GROUPS, g) for g in service.groups),
        *((Section.USERS, u) for u in service.users),
    ]
    return any(item in changed for item in wanted)


def _command(command: Command, backend: Backend) -> StepResult:
    result = backend.run_command(command)
    if result.returncode in (None, 0):
        return result
    if not command.ignore_errors:
        raise CfnInitError(
            f"command failed with exit status {result.returncode}"
            + (f" ({result.detail})" if result.detail else "")
        )
    return StepResult(
        status=Status.FAILED_IGNORED, detail=result.detail, returncode=result.returncode
    )


def _step(
    details: Detail, backend: Backend, changed: set[tuple[Section, str]]
) -> StepResult:
    match details:
        case Skip():
            result = StepResult(status=Status.SKIPPED, detail=details.reason)
        case Package():
            result = backend.install_package(details)
        case Group():
            result = backend.create_group(details)
        case User():
            result = backend.create_user(details)
        case Source():
            result = backend.unpack_source(details)
        case File():
            result = backend.write_file(details)
        case Command():
            result = _command(details, backend)
        case Service():
            triggered = _triggered(details, changed)
            result = backend.manage_service(details, triggered=triggered)
    return result


_BACKEND_METHODS = (
    "install_package",
    "create_group",
    "create_user",
    "unpack_source",
    "write_file",
    "run_command",
    "manage_service",
)


def execute(plan: Plan, backend: Backend, *, start: int = 0) -> Report:
    """Run ``plan``'s actions from index ``start`` on ``backend``.

    Returns a :class:`Report`. The first failure, or the plan's own
    :attr:`~awscore.cfn_init.Plan.failure` once every step before it ran, raises
    :class:`~awscore.errors.CfnInitStepError` naming the config, section and key,
    with the report of what ran before (nothing is rolled back).
    """
    require(plan, Plan, "plan", "a Plan")
    missing = [m for m in _BACKEND_METHODS if not callable(getattr(backend, m, None))]
    if missing:
        raise CfnInitArgumentError(
            [f"backend: must be a Backend (it has no {', '.join(missing)})"]
        )
    require(start, int, "start", "a step index")
    if not 0 <= start <= len(plan.actions):
        raise CfnInitArgumentError(
            [f"start: must be a step index from 0 to {len(plan.actions)}, not {start}"]
        )
    results: list[ActionResult] = []
    changed: dict[int, set[tuple[Section, str]]] = {}
    # Steps of a run that started before ``start`` count as changed for triggers:
    # after a reboot cfn-init cannot know, and a restart is the safe answer.
    for action in plan.actions[:start]:
        changed.setdefault(action.run, set()).add((action.section, action.key))
    for index in range(start, len(plan.actions)):
        action = plan.actions[index]
        seen = changed.setdefault(action.run, set())
        try:
            result = _step(action.details, backend, seen)
        except (CfnInitError, OSError, UnicodeError) as exc:
            message = (
                str(exc)
                if isinstance(exc, CfnInitError)
                else f"{type(exc).__name__}: {exc}"
            )
            raise CfnInitStepError(
                message,
                config=action.config,
                section=action.section.value,
                key=action.key,
                report=Report(results=tuple(results)),
            ) from exc
        results.append(ActionResult(action=action, result=result))
        if result.status in (Status.CHANGED, Status.FAILED_IGNORED):
            seen.add((action.section, action.key))
        details = action.details
        reboot = (
            isinstance(details, Command)
            and details.wait_after_completion == "forever"
            and result.status is not Status.SKIPPED
        )
        if reboot and index + 1 < len(plan.actions):
            return Report(results=tuple(results), resume_at=index + 1)
    failure = plan.failure
    if failure is not None:
        # the plan ends where cfn-init 2.0 would stop: so does the run
        raise CfnInitStepError(
            failure.message,
            config=failure.config or "",
            section=failure.section.value if failure.section else "",
            key=failure.key or "",
            report=Report(results=tuple(results)),
        )
    return Report(results=tuple(results))
