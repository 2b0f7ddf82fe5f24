"""The local backend: a plan's files, sources and commands applied under a root.

Containment is by construction, not by checks before use. Every path is
resolved by :class:`~awscore.cfn_init._root.Root` under an open descriptor of the
root, as ``chroot`` would (``openat2`` with ``RESOLVE_IN_ROOT`` or an
``O_NOFOLLOW`` walk); archive members under a descriptor of their target; modes
set with ``fchmod`` on the file just written or on a single-link file opened
without following links. Commands and their tests run inside bubblewrap with
the root as their ``/`` (:mod:`~awscore.cfn_init._sandbox`); without ``bwrap``
they are refused unless the caller asks for the host.
"""

from __future__ import annotations

import grp
import os
import pwd
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Literal

from awscore._inputs import shown
from awscore.cfn_init._archive import ArchiveLimits, Member, members
from awscore.cfn_init._execute import (
    NEW_FILE_MODE,
    SERVICE_OPERATIONS,
    Fetch,
    PackageManager,
    RecordingPackageManager,
    RecordingServiceManager,
    RecordingUserManager,
    ServiceManager,
    Status,
    StepResult,
    UserManager,
    require_operation,
    service_operations,
)
from awscore.cfn_init._model import Command, File, Group, Package, Service, Source, User
from awscore.cfn_init._mustache import MAX_OUTPUT_BYTES, render
from awscore.cfn_init._root import Root
from awscore.cfn_init._sandbox import Sandbox, find_bwrap
from awscore.cfn_init._validate import require
from awscore.errors import (
    CfnInitArgumentError,
    CfnInitError,
    CfnInitInputError,
    SandboxUnavailableError,
)

__all__ = ["LocalBackend", "SandboxServiceManager"]

_CHUNK = 1 << 20
#: What :meth:`SandboxServiceManager.commands` is asked for.
_OPERATIONS = (*SERVICE_OPERATIONS, "status")


def _no_fetch(url: str, authentication: str | None) -> bytes:
    raise CfnInitError(f"{url}: this backend fetches nothing (pass fetch=...)")


def _changed(changed: bool, detail: str) -> StepResult:
    return StepResult(
        status=Status.CHANGED if changed else Status.UNCHANGED, detail=detail
    )


class LocalBackend:
    """Really writes files, unpacks archives and runs commands under ``root``.

    A metadata path ``/etc/x`` is ``root/etc/x``; symlinks, absolute or not, and
    ``..`` resolve inside the root as under ``chroot``, so nothing outside it is
    ever created, changed or read. Commands run inside bubblewrap with the root
    as ``/`` (``network`` gives them the host's network); without ``bwrap`` they
    raise :class:`~awscore.errors.SandboxUnavailableError` unless
    ``run_commands_on_host`` is true (then they run on the host, ``cwd``
    resolved inside the root, and can reach anything). Packages, groups, users
    and services go to the given managers (recording fakes by default;
    ``services="sandbox"`` drives services with cfn-init 2.0's own commands,
    inside the sandbox: :class:`SandboxServiceManager`);
    ``fetch`` reads ``source`` URLs (none by default). With ``chown`` true, files
    get their ``owner`` and ``group`` (which must exist on this machine).
    ``limits`` bound each ``sources`` archive; ``max_render_bytes`` a Mustache
    file's output. ``use_openat2`` False forces the portable walk.
    """

    def __init__(
        self,
        root: str | os.PathLike[str],
        *,
        packages: PackageManager | None = None,
        users: UserManager | None = None,
        services: ServiceManager | Literal["sandbox"] | None = None,
        fetch: Fetch | None = None,
        shell: str = "/bin/sh",
        chown: bool = False,
        timeout: float | None = None,
        run_commands_on_host: bool = False,
        network: bool = False,
        bwrap: str | None = None,
        limits: ArchiveLimits | None = None,
        max_render_bytes: int = MAX_OUTPUT_BYTES,
        use_openat2: bool | None = None,
    ) -> None:
        require(root, (str, os.PathLike), "root", "a directory path")
        try:
            self.root = Path(root).resolve()
            is_dir = self.root.is_dir()
        except (OSError, ValueError) as exc:  # too long, a NUL, a link loop
            raise CfnInitError(f"root {shown(root)}: {_reason(exc)}") from None
        if not is_dir:
            raise CfnInitError(f"root {shown(root)} is not a directory")
        require(limits, (ArchiveLimits, type(None)), "limits", "ArchiveLimits")
        require(shell, str, "shell", "the path of a shell")
        require(bwrap, (str, type(None)), "bwrap", "the path of bwrap")
        require(timeout, (int, float, type(None)), "timeout", "seconds")
        require(max_render_bytes, int, "max_render_bytes", "a number of bytes")
        for flag, name in (
            (chown, "chown"),
            (run_commands_on_host, "run_commands_on_host"),
            (network, "network"),
        ):
            require(flag, bool, name, "true or false")
        self.tree = Root.open(self.root, use_openat2=use_openat2)
        self.packages: PackageManager = packages or RecordingPackageManager()
        self.users: UserManager = users or RecordingUserManager()
        self.services: ServiceManager = (
            SandboxServiceManager(self)
            if services == "sandbox"
            else services or RecordingServiceManager()
        )
        self.fetch: Fetch = fetch or _no_fetch
        self.shell = shell
        self.chown = chown
        self.timeout = timeout
        self.run_commands_on_host = run_commands_on_host
        found = bwrap or find_bwrap()
        self.sandbox = (
            None
            if found is None
            else Sandbox(bwrap=found, root=str(self.root), network=network)
        )
        self.limits = limits or ArchiveLimits()
        self.max_render_bytes = max_render_bytes

    def close(self) -> None:
        """Close the root's descriptor."""
        self.tree.close()

    def __enter__(self) -> LocalBackend:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- steps ------------------------------------------------------------------

    def install_package(self, package: Package) -> StepResult:
        """Hand the package to the package manager."""
        require(package, Package, "package", "a Package")
        return _changed(self.packages.install(package), package.describe())

    def create_group(self, group: Group) -> StepResult:
        """Hand the group to the user manager."""
        require(group, Group, "group", "a Group")
        return _changed(self.users.ensure_group(group), group.describe())

    def create_user(self, user: User) -> StepResult:
        """Hand the user to the user manager."""
        require(user, User, "user", "a User")
        return _changed(self.users.ensure_user(user), user.describe())

    def _owner(self, file: File) -> tuple[int, int] | None:
        if not self.chown or (file.owner is None and file.group is None):
            return None
        try:
            uid = -1 if file.owner is None else pwd.getpwnam(file.owner).pw_uid
            gid = -1 if file.group is None else grp.getgrnam(file.group).gr_gid
        except KeyError as exc:
            raise CfnInitError(f"{file.path}: no such user or group {exc}") from None
        return uid, gid

    def write_file(self, file: File) -> StepResult:
        """Write the file (or link) inside the root; changed if it differs.

        A ``120xxx`` file is a link to ``content``, and ``xxx`` goes to its
        target, resolved inside the root (User Guide, ``files``: "the
        permissions of the target file").
        """
        require(file, File, "file", "a File")
        with _os_errors(file.path):
            return self._write_file(file)

    def _write_file(self, file: File) -> StepResult:
        owner = self._owner(file)
        if file.is_symlink:
            target = (file.content or b"").decode("utf-8", "surrogateescape")
            changed = self.tree.symlink(file.path, target)
            if changed and file.permissions is not None:
                try:
                    self.tree.chmod(file.path, file.permissions, follow=True)
                except FileNotFoundError:
                    raise CfnInitError(
                        f"{file.path}: its target {target!r} does not exist inside "
                        "the root, so its mode cannot be set (2.0 fails here too)"
                    ) from None
            return _changed(changed, f"link to {target}")
        if file.content is not None:
            body = file.content
        else:
            assert file.source is not None
            body = self.fetch(file.source, file.authentication)
        if file.context is not None:
            text = render(
                body.decode("utf-8", "surrogateescape"),
                file.context,
                max_bytes=self.max_render_bytes,
            )
            body = text.encode("utf-8", "surrogateescape")
        old = self.tree.lstat(file.path)
        current = self.tree.read(file.path, len(body) + 1) if old is not None else None
        detail = f"{len(body)} bytes"
        if not self.chown and (file.owner is not None or file.group is not None):
            detail += f", owner {file.owner or ''}:{file.group or ''} not applied"
        if current == body:
            # same content: only the mode and owner, through the file itself
            keep = file.permissions
            changed = (keep is not None or owner is not None) and self.tree.chmod(
                file.path,
                keep if keep is not None else _mode_bits(old),
                follow=False,
                owner=owner,
            )
            return _changed(bool(changed), detail)
        mode = file.permissions
        if mode is None:
            mode = _mode_bits(old) if current is not None else NEW_FILE_MODE
        self.tree.write(file.path, iter((body,)), mode, owner)
        return _changed(True, detail)

    def unpack_source(self, source: Source) -> StepResult:
        """Unpack a tar (plain, gzip, bzip2, xz) or zip archive into the target.

        Every header is checked before anything is written (a name leaving the
        target, a device, a size past :class:`ArchiveLimits`); members are then
        streamed to disk, each resolved under a descriptor of the target.
        """
        require(source, Source, "source", "a Source")
        with _os_errors(source.target):
            return self._unpack_source(source)

    def _unpack_source(self, source: Source) -> StepResult:
        data = self.fetch(source.url, source.authentication)
        stream = members(data, source.url, self.limits)
        first = next(stream, None)  # every header is checked before this returns
        count = 0
        with self.tree.subroot(source.target) as target:
            for member, chunks in _chain(first, stream):
                count += 1
                path = "/" + member.name
                if member.kind == "dir":
                    os.close(target.directory(path, create=True))
                elif member.kind == "symlink":
                    target.symlink(path, member.target)
                else:
                    target.write(path, chunks, member.mode)
        return _changed(True, f"{count} members into {source.target}")

    def _argv(self, command: str | tuple[str, ...]) -> list[str]:
        return (
            [self.shell, "-c", command] if isinstance(command, str) else list(command)
        )

    def _run(
        self, argv: list[str], command: Command
    ) -> subprocess.CompletedProcess[bytes]:
        env = None if command.env is None else dict(command.env)
        cwd: str | None = None
        held: tuple[int, ...] = ()
        if self.sandbox is not None and not self.run_commands_on_host:
            argv = self.sandbox.argv(argv, cwd=command.cwd)
        elif self.run_commands_on_host:
            # the cwd resolved inside the root, handed over as a descriptor
            held = (self.tree.directory(command.cwd or "/"),)
            cwd = f"/proc/self/fd/{held[0]}"
        else:
            raise SandboxUnavailableError(
                "commands run inside bubblewrap, and bwrap is not installed "
                "(apt-get install bubblewrap), or pass run_commands_on_host=True"
            )
        try:
            return subprocess.run(  # noqa: S603 (running the metadata's commands is the point)
                argv,
                env=env,
                stdin=subprocess.DEVNULL,
                capture_output=True,
                timeout=self.timeout,
                check=False,
                cwd=cwd,
                pass_fds=held,
            )
        except FileNotFoundError as exc:
            raise CfnInitError(f"cannot run {shown(argv[0])}: {exc.strerror}") from None
        except ValueError as exc:  # a NUL in an argument, a bad environment name
            raise CfnInitError(f"cannot run the command: {exc}") from None
        except subprocess.TimeoutExpired:
            raise CfnInitError(f"timed out after {self.timeout} s") from None
        finally:
            for fd in held:
                os.close(fd)

    def run_argv(self, argv: list[str]) -> subprocess.CompletedProcess[bytes]:
        """Run ``argv`` as commands run: in the sandbox, or on the host if asked."""
        require(argv, (list, tuple), "argv", "a list of words")
        if not argv or not all(isinstance(word, str) for word in argv):
            raise CfnInitArgumentError(
                ["argv: must be a program and its arguments, a non-empty list of text"]
            )
        return self._run(argv, Command(key="", command=tuple(argv)))

    def run_command(self, command: Command) -> StepResult:
        """Run the test (if any) and the command; a failed test skips it."""
        require(command, Command, "command", "a Command")
        if command.test is not None:
            test = self._run([self.shell, "-c", command.test], command)
            if test.returncode != 0:
                return StepResult(
                    status=Status.SKIPPED, detail=f"test exited {test.returncode}"
                )
        done = self._run(self._argv(command.command), command)
        output = (done.stdout + done.stderr).decode("utf-8", "replace").strip()
        tail = output.splitlines()[-1] if output else ""
        return StepResult(
            status=Status.CHANGED,
            detail=f"exit {done.returncode}" + (f": {tail}" if tail else ""),
            returncode=done.returncode,
        )

    def manage_service(self, service: Service, *, triggered: bool) -> StepResult:
        """Ask the service manager to enable/disable, start/stop or restart."""
        require(service, Service, "service", "a Service")
        # 2.0's order: enable or disable first, then ask whether it runs, and
        # only when ensureRunning needs the answer (never for a restart)
        done: list[str] = []
        if service.enabled is not None:
            done.append("enable" if service.enabled else "disable")
            self.services.apply(service, done[0])
        asks = not triggered and service.ensure_running is not None
        running = self.services.is_running(service) if asks else False
        for operation in service_operations(
            service, triggered=triggered, running=running
        ):
            if operation not in ("enable", "disable"):
                self.services.apply(service, operation)
                done.append(operation)
        return _changed(bool(done), "/".join(done) or "nothing to do")


def _reason(exc: BaseException) -> str:
    return exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)


@contextmanager
def _os_errors(where: str) -> Iterator[None]:
    """What the file system refuses (a file where a directory must be, no space,
    no permission, text that cannot be encoded) as a step's error, naming where."""
    try:
        yield
    except (OSError, UnicodeError) as exc:
        raise CfnInitError(f"{shown(where)}: {_reason(exc)}") from exc


def _mode_bits(info: os.stat_result | None) -> int:
    return NEW_FILE_MODE if info is None else info.st_mode & 0o7777


def _chain(
    first: tuple[Member, Iterator[bytes]] | None,
    rest: Iterator[tuple[Member, Iterator[bytes]]],
) -> Iterator[tuple[Member, Iterator[bytes]]]:
    if first is not None:
        yield first
        yield from rest


class SandboxServiceManager:
    """Drives services with the commands cfn-init 2.0 runs, inside the sandbox.

    sysvinit: ``chkconfig NAME on|off`` and ``service NAME start|stop|restart|
    status``; systemd: ``systemctl enable|disable|start|stop NAME``, ``systemctl
    daemon-reload`` then ``reload-or-restart NAME``, ``is-active NAME`` (2.0's
    ``SysVInitTool`` and ``SystemDTool``). The executables are paths inside the
    root's sandbox; Windows services are refused, as 2.0 refuses them on Linux.
    """

    def __init__(
        self,
        backend: LocalBackend,
        *,
        chkconfig: str = "/sbin/chkconfig",
        service: str = "/sbin/service",
        systemctl: str = "/usr/bin/systemctl",
    ) -> None:
        self.backend = backend
        self.chkconfig, self.service, self.systemctl = chkconfig, service, systemctl

    def commands(self, service: Service, operation: str) -> list[list[str]]:
        """The command lines for ``operation`` (or ``status``) on ``service``."""
        require(service, Service, "service", "a Service")
        if not isinstance(operation, str) or operation not in _OPERATIONS:
            raise CfnInitInputError(
                [
                    f"operation: must be one of {', '.join(_OPERATIONS)}, "
                    f"not {shown(operation)}"
                ]
            )
        name = service.name
        if service.manager == "systemd":
            if operation == "restart":
                return [
                    [self.systemctl, "daemon-reload"],
                    [self.systemctl, "reload-or-restart", name],
                ]
            verb = "is-active" if operation == "status" else operation
            return [[self.systemctl, verb, name]]
        if service.manager == "sysvinit":
            if operation in ("enable", "disable"):
                flag = "on" if operation == "enable" else "off"
                return [[self.chkconfig, name, flag]]
            return [[self.service, name, operation]]
        raise CfnInitError(f"{service.manager} services cannot be managed on Linux")

    def is_running(self, service: Service) -> bool:
        """Whether the status command exits 0."""
        (argv,) = self.commands(service, "status")
        return self.backend.run_argv(argv).returncode == 0

    def apply(self, service: Service, operation: str) -> None:
        """Run the operation's commands; a non-zero exit is a CfnInitError."""
        require(service, Service, "service", "a Service")
        require_operation(operation)
        for argv in self.commands(service, operation):
            done = self.backend.run_argv(argv)
            if done.returncode != 0:
                raise CfnInitError(
                    f"could not {operation} {service.name}: {argv[0]} exited "
                    f"{done.returncode}"
                )
