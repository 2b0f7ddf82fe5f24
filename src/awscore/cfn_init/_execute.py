"""Running a plan: the step loop (pure), the dry-run backend and the local backend.

The loop follows cfn-init: steps run in plan order; the first failure stops the
run without rolling back what ran before; a command with ``ignoreErrors`` may
fail; a command whose ``test`` fails is skipped; ``waitAfterCompletion:
forever`` stops the run for a reboot, to resume at the next step. A service
restarts when a file, source, package or command it lists changed in the same
config run (User Guide, ``services``).

:class:`LocalBackend` is the I/O edge: it writes files, unpacks archives and runs
commands under a root directory, every path resolved inside it.
"""

from __future__ import annotations

import io
import lzma
import os
import posixpath
import shutil
import stat
import subprocess
import tarfile
import tempfile
import urllib.request
import zipfile
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Protocol

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
from awscore.cfn_init._mustache import render
from awscore.errors import CfnInitError, CfnInitStepError, PathEscapeError

__all__ = [
    "NEW_FILE_MODE",
    "Backend",
    "DryRunBackend",
    "Fetch",
    "LocalBackend",
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
        self.calls.append(group)
        changed = self.groups.get(group.name) != group
        self.groups[group.name] = group
        return changed

    def ensure_user(self, user: User) -> bool:
        """Record the user; True if it is new or different."""
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
        return service.name in self.running

    def apply(self, service: Service, operation: str) -> None:
        """Record ``(operation, name)`` and update the sets."""
        self.calls.append((operation, service.name))
        if operation in ("start", "restart"):
            self.running.add(service.name)
        elif operation == "stop":
            self.running.discard(service.name)
        elif operation == "enable":
            self.enabled.add(service.name)
        else:
            self.enabled.discard(service.name)


def service_operations(
    service: Service, *, triggered: bool, running: bool
) -> tuple[str, ...]:
    """The operations cfn-init performs on a service, in order.

    ``enabled`` true/false enables/disables it; a triggered restart wins over
    ``ensureRunning``; otherwise ``ensureRunning`` true starts a stopped service
    and false stops a running one.
    """
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
        return self._record("install", package.describe())

    def create_group(self, group: Group) -> StepResult:
        """Record ``create group``."""
        return self._record("create group", group.describe())

    def create_user(self, user: User) -> StepResult:
        """Record ``create user``."""
        return self._record("create user", user.describe())

    def unpack_source(self, source: Source) -> StepResult:
        """Record ``unpack``."""
        return self._record("unpack", source.describe())

    def write_file(self, file: File) -> StepResult:
        """Record ``write``."""
        return self._record("write", file.describe())

    def run_command(self, command: Command) -> StepResult:
        """Record ``run``."""
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
    if authentication is not None:
        raise CfnInitError(f"{url}: authentication {authentication!r} is not supported")
    if not url.startswith(("file://", "http://", "https://")):
        raise CfnInitError(f"{url}: only file, http and https URLs are fetched")
    with urllib.request.urlopen(url, timeout=60) as response:  # noqa: S310 (schemes checked above)
        data: bytes = response.read()
        return data


def _no_fetch(url: str, authentication: str | None) -> bytes:
    raise CfnInitError(f"{url}: this backend fetches nothing (pass fetch=...)")


def _within(base: tuple[str, ...], relative: str, what: str) -> tuple[str, ...]:
    """Join ``relative`` onto ``base`` component-wise; ``..`` may not climb out."""
    if relative.startswith("/") or "\0" in relative:
        raise PathEscapeError(f"{what}: {relative!r} is absolute; it must stay inside")
    parts = list(base)
    for part in relative.split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            if not parts:
                raise PathEscapeError(f"{what}: {relative!r} climbs out of its root")
            parts.pop()
        else:
            parts.append(part)
    return tuple(parts)


def _inside(path: Path, base: Path, what: str) -> None:
    """Refuse ``path`` unless its real path (symlinks followed) is under ``base``."""
    if not Path(os.path.realpath(path)).is_relative_to(base):
        raise PathEscapeError(
            f"{what}: leads outside {base.name or '/'!r} through a symlink"
        )


class LocalBackend:
    """Really writes files, unpacks archives and runs commands under ``root``.

    A metadata path ``/etc/x`` is written at ``root/etc/x``. A path with ``..``,
    an absolute symlink target, a symlink target or archive member that climbs
    out, or a path through a symlink leading outside the root raises
    :class:`~awscore.errors.PathEscapeError` before anything is written.
    Commands run with ``root`` as their default working directory (``cwd`` is
    resolved inside the root too). Packages, groups, users and services go to
    the given managers (recording fakes by default); ``fetch`` reads ``source``
    URLs (none by default). With ``chown`` true, files get their ``owner`` and
    ``group`` (which must exist on this machine).
    """

    def __init__(
        self,
        root: str | os.PathLike[str],
        *,
        packages: PackageManager | None = None,
        users: UserManager | None = None,
        services: ServiceManager | None = None,
        fetch: Fetch | None = None,
        shell: str = "/bin/sh",
        chown: bool = False,
        timeout: float | None = None,
    ) -> None:
        self.root = Path(root).resolve()
        if not self.root.is_dir():
            raise CfnInitError(f"root {str(root)!r} is not a directory")
        self.packages: PackageManager = packages or RecordingPackageManager()
        self.users: UserManager = users or RecordingUserManager()
        self.services: ServiceManager = services or RecordingServiceManager()
        self.fetch: Fetch = fetch or _no_fetch
        self.shell = shell
        self.chown = chown
        self.timeout = timeout

    # -- paths ------------------------------------------------------------------

    def _parts(self, path: str) -> tuple[str, ...]:
        if not path.startswith("/") or "\0" in path:
            raise PathEscapeError(f"{path!r}: must be an absolute path without NUL")
        parts = tuple(p for p in path.split("/") if p not in ("", "."))
        if ".." in parts:
            raise PathEscapeError(f"{path!r}: '..' is not allowed under the root")
        return parts

    def _host(self, parts: Iterable[str], what: str) -> Path:
        """The host path of root-relative ``parts``, checked through symlinks."""
        target = self.root.joinpath(*parts)
        # A symlink already inside the root could lead out: check the real path of
        # the deepest existing parent (the last component is replaced, never
        # followed).
        parent = Path(os.path.realpath(target.parent))
        if not parent.is_relative_to(self.root):
            raise PathEscapeError(f"{what}: leads outside the root through a symlink")
        return target

    def resolve(self, path: str) -> Path:
        """The host path of metadata path ``path`` under the root."""
        return self._host(self._parts(path), path)

    def _mkdirs(self, directory: Path, what: str) -> None:
        current = self.root
        for part in directory.relative_to(self.root).parts:
            current = current / part
            if current.is_symlink():
                real = Path(os.path.realpath(current))
                if not real.is_relative_to(self.root):
                    raise PathEscapeError(f"{what}: {current.name!r} links outside")
            if not current.exists():
                current.mkdir()
            elif not current.is_dir():
                raise CfnInitError(f"{what}: {current.name!r} exists and is a file")

    @staticmethod
    def _replace_bytes(dest: Path, data: bytes) -> bool:
        if dest.is_symlink():
            dest.unlink()
        elif dest.is_dir():
            raise CfnInitError(f"{dest.name!r} exists and is a directory")
        elif dest.exists() and dest.read_bytes() == data:
            return False
        # A replaced file keeps its mode; a new one gets rw-r--r-- (mkstemp's 0600
        # would surprise), before any explicit ``mode`` is applied.
        keep = stat.S_IMODE(dest.stat().st_mode) if dest.exists() else NEW_FILE_MODE
        handle, temporary = tempfile.mkstemp(dir=dest.parent, prefix=".cfn-init-")
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.chmod(temporary, keep)
        os.replace(temporary, dest)
        return True

    def _link(self, dest: Path, target: str) -> bool:
        if dest.is_symlink():
            if os.readlink(dest) == target:
                return False
            dest.unlink()
        elif dest.is_dir():
            raise CfnInitError(f"{dest.name!r} exists and is a directory")
        elif dest.exists():
            dest.unlink()
        dest.symlink_to(target)
        return True

    # -- steps ------------------------------------------------------------------

    def install_package(self, package: Package) -> StepResult:
        """Hand the package to the package manager."""
        changed = self.packages.install(package)
        return _changed(changed, package.describe())

    def create_group(self, group: Group) -> StepResult:
        """Hand the group to the user manager."""
        return _changed(self.users.ensure_group(group), group.describe())

    def create_user(self, user: User) -> StepResult:
        """Hand the user to the user manager."""
        return _changed(self.users.ensure_user(user), user.describe())

    def write_file(self, file: File) -> StepResult:
        """Write the file (or link) inside the root; changed if it differs."""
        parts = self._parts(file.path)
        if not parts:
            raise PathEscapeError(f"{file.path!r}: is the root itself")
        dest = self._host(parts, file.path)
        if file.is_symlink:
            target = (file.content or b"").decode("utf-8", "surrogateescape")
            if target.startswith("/"):
                raise PathEscapeError(
                    f"{file.path}: symlink target {target!r} is absolute, which would "
                    "point outside the root"
                )
            _within(parts[:-1], target, f"{file.path}: symlink target")
            self._mkdirs(dest.parent, file.path)
            _inside(dest.parent / target, self.root, f"{file.path}: symlink target")
            return _changed(self._link(dest, target), f"link to {target}")
        if file.content is not None:
            body = file.content
        else:
            assert file.source is not None
            body = self.fetch(file.source, file.authentication)
        if file.context is not None:
            body = render(body.decode("utf-8", "surrogateescape"), file.context).encode(
                "utf-8", "surrogateescape"
            )
        self._mkdirs(dest.parent, file.path)
        changed = self._replace_bytes(dest, body)
        permissions = file.permissions
        if permissions is not None and stat.S_IMODE(dest.stat().st_mode) != permissions:
            dest.chmod(permissions)
            changed = True
        detail = f"{len(body)} bytes"
        if self.chown and file.owner is not None:
            shutil.chown(dest, user=file.owner)
        if self.chown and file.group is not None:
            shutil.chown(dest, group=file.group)
        if not self.chown and (file.owner is not None or file.group is not None):
            detail += f", owner {file.owner or ''}:{file.group or ''} not applied"
        return _changed(changed, detail)

    def unpack_source(self, source: Source) -> StepResult:
        """Unpack a tar (plain, gzip, bzip2, xz) or zip archive into the target.

        Every member is checked before anything is written: an absolute name, a
        name or link that climbs out of the target, or a device is refused.
        """
        parts = self._parts(source.target)
        data = self.fetch(source.url, source.authentication)
        members = _archive_members(data, source.url)
        placed = []  # (name, its parts under the target, kind, payload)
        for name, kind, payload in members:
            relative = _within((), name, f"{source.url}: member")
            if kind == "symlink":
                _within(
                    relative[:-1],
                    payload.decode("utf-8", "surrogateescape"),
                    f"{source.url}: member {name!r} link target",
                )
            placed.append((name, relative, kind, payload))
        target = self._host(parts, source.target)
        self._mkdirs(target, source.target)
        real_target = Path(os.path.realpath(target))
        changed = False
        for name, relative, kind, payload in placed:
            if not relative:
                continue
            dest = self._host((*parts, *relative), source.target)
            # Links unpacked earlier may lead a later member out of the target even
            # though each name stays inside it on paper: check the real path too.
            what = f"{source.url}: member {name!r}"
            _inside(dest.parent, real_target, what)
            if kind == "dir":
                self._mkdirs(dest, source.target)
                continue
            self._mkdirs(dest.parent, source.target)
            if kind == "symlink":
                link_target = payload.decode("utf-8", "surrogateescape")
                _inside(dest.parent / link_target, real_target, what)
                changed |= self._link(dest, link_target)
            else:
                changed |= self._replace_bytes(dest, payload)
        return _changed(changed, f"{len(members)} members into {source.target}")

    def _run(
        self, argv: list[str], command: Command
    ) -> subprocess.CompletedProcess[bytes]:
        cwd = self.root if command.cwd is None else self.resolve(command.cwd)
        env = dict(os.environ) if command.env is None else dict(command.env)
        try:
            return subprocess.run(  # noqa: S603 (running the metadata's commands is the point)
                argv,
                cwd=cwd,
                env=env,
                stdin=subprocess.DEVNULL,
                capture_output=True,
                timeout=self.timeout,
                check=False,
            )
        except FileNotFoundError as exc:
            raise CfnInitError(f"cannot run {argv[0]!r}: {exc.strerror}") from None
        except ValueError as exc:  # a NUL in an argument, a bad environment name
            raise CfnInitError(f"cannot run the command: {exc}") from None
        except NotADirectoryError:
            raise CfnInitError(f"cwd {command.cwd!r} is not a directory") from None
        except subprocess.TimeoutExpired:
            raise CfnInitError(f"timed out after {self.timeout} s") from None

    def run_command(self, command: Command) -> StepResult:
        """Run the test (if any) and the command; a failed test skips it."""
        if command.test is not None:
            test = self._run([self.shell, "-c", command.test], command)
            if test.returncode != 0:
                return StepResult(
                    status=Status.SKIPPED, detail=f"test exited {test.returncode}"
                )
        argv = (
            [self.shell, "-c", command.command]
            if isinstance(command.command, str)
            else list(command.command)
        )
        done = self._run(argv, command)
        output = (done.stdout + done.stderr).decode("utf-8", "replace").strip()
        tail = output.splitlines()[-1] if output else ""
        return StepResult(
            status=Status.CHANGED,
            detail=f"exit {done.returncode}" + (f": {tail}" if tail else ""),
            returncode=done.returncode,
        )

    def manage_service(self, service: Service, *, triggered: bool) -> StepResult:
        """Ask the service manager to enable/disable, start/stop or restart."""
        running = self.services.is_running(service)
        operations = service_operations(service, triggered=triggered, running=running)
        for operation in operations:
            self.services.apply(service, operation)
        return _changed(bool(operations), "/".join(operations) or "nothing to do")


def _changed(changed: bool, detail: str) -> StepResult:
    return StepResult(
        status=Status.CHANGED if changed else Status.UNCHANGED, detail=detail
    )


_Member = tuple[str, str, bytes]  # (name, "file" | "dir" | "symlink", data or target)


def _archive_members(data: bytes, url: str) -> list[_Member]:
    """The members of a zip or tar archive, detected from its bytes."""
    if zipfile.is_zipfile(io.BytesIO(data)):
        return _zip_members(data, url)
    try:
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:*") as archive:
            return _tar_members(archive, url)
    except (tarfile.TarError, EOFError, OSError, zlib.error, lzma.LZMAError) as exc:
        raise CfnInitError(
            f"{url}: not a tar, tar.gz, tar.bz2 or zip archive ({exc})"
        ) from None


def _tar_members(archive: tarfile.TarFile, url: str) -> list[_Member]:
    members: list[_Member] = []
    files: dict[str, bytes] = {}
    for info in archive.getmembers():
        name = info.name
        if name.startswith("/"):
            raise PathEscapeError(f"{url}: member {name!r} is absolute")
        if info.isdir():
            members.append((name, "dir", b""))
        elif info.isfile():
            extracted = archive.extractfile(info)
            payload = extracted.read() if extracted is not None else b""
            files[posixpath.normpath(name)] = payload
            members.append((name, "file", payload))
        elif info.issym():
            members.append(
                (name, "symlink", info.linkname.encode("utf-8", "surrogateescape"))
            )
        elif info.islnk():
            linked = posixpath.normpath(info.linkname)
            if linked not in files:
                raise PathEscapeError(
                    f"{url}: member {name!r} hard-links {info.linkname!r}, which is "
                    "not an earlier file of the archive"
                )
            members.append((name, "file", files[linked]))
        else:
            raise CfnInitError(f"{url}: member {name!r} is a device or a FIFO")
    return members


def _zip_members(data: bytes, url: str) -> list[_Member]:
    members: list[_Member] = []
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for info in archive.infolist():
                name = info.filename
                if name.startswith("/") or "\\" in name:
                    raise PathEscapeError(
                        f"{url}: member {name!r} is absolute or uses '\\'"
                    )
                payload = b"" if info.is_dir() else archive.read(info)
                unix_mode = info.external_attr >> 16
                if info.is_dir():
                    members.append((name, "dir", b""))
                elif stat.S_ISLNK(unix_mode):
                    members.append((name, "symlink", payload))
                else:
                    members.append((name, "file", payload))
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        OSError,
        ValueError,
        EOFError,
        NotImplementedError,  # an unsupported compression method
        RuntimeError,  # an encrypted member
        zlib.error,
        lzma.LZMAError,
    ) as exc:
        raise CfnInitError(f"{url}: corrupt zip archive ({exc})") from None
    return members


# --- the loop ----------------------------------------------------------------


def _triggered(service: Service, changed: set[tuple[Section, str]]) -> bool:
    wanted = [
        *((Section.FILES, f) for f in service.files),
        *((Section.SOURCES, s) for s in service.sources),
        *((Section.PACKAGES, f"{m}.{n}") for m, n in service.packages),
        *((Section.COMMANDS, c) for c in service.commands),
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


def execute(plan: Plan, backend: Backend, *, start: int = 0) -> Report:
    """Run ``plan``'s actions from index ``start`` on ``backend``.

    Returns a :class:`Report`. The first failure, or the plan's own
    :attr:`~awscore.cfn_init.Plan.failure` once every step before it ran, raises
    :class:`~awscore.errors.CfnInitStepError` naming the config, section and key,
    with the report of what ran before (nothing is rolled back).
    """
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
