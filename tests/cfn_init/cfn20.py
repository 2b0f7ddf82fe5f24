"""Drive the real cfn-init 2.0 (aws-cfn-bootstrap) with only the host faked.

The peer is imported from where it lies (``../shared/peers/aws-cfn-bootstrap-2.0``
beside the checkout, or ``$AWSCORE_CFN_BOOTSTRAP``), never copied. Its own
``WorkLog``/``Contractor``, carpenter and tools run unchanged; faked are only the
host they would touch:

* process launches (``ProcessHelper.call``): every launch is recorded; queries
  answer "not installed, available, not running", everything else exits 0; the
  arguments are checked the way ``subprocess.Popen`` checks them;
* the user and group databases: only ``root`` exists;
* ``/sbin/chkconfig``, ``/sbin/service`` and ``/usr/bin/systemctl`` exist;
* downloads: any http(s) URL serves a small tar archive (others are refused as
  requests refuses them; the retries' backoff does not really sleep);
* the work log lives in a temporary folder; files and sources are written for
  real, under paths the documents name inside a temporary folder.

What the peer did is read back from those fakes, from Python's audit events for
opened files and from its own log records: :class:`Trace`.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import io
import logging
import os
import re
import sys
import tarfile
import warnings
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType, SimpleNamespace
from typing import Any
from unittest import mock

from tests.conftest import ROOT, missing

_RECORDING: list[Trace] = []


def peer_root() -> Path:
    """Where aws-cfn-bootstrap 2.0 lies; skips locally, fails under CI if absent."""
    configured = os.environ.get("AWSCORE_CFN_BOOTSTRAP")
    path = (
        Path(configured)
        if configured
        else ROOT.parent / "shared" / "peers" / "aws-cfn-bootstrap-2.0"
    )
    if not (path / "cfnbootstrap" / "construction.py").is_file():
        missing(f"cfn-init 2.0 not found at {path} (set AWSCORE_CFN_BOOTSTRAP)")
    return path


@functools.cache
def load_peer() -> SimpleNamespace:
    """Import the peer's modules (its Windows-only code has invalid escapes that
    Python 3.12 warns about at compile time: silenced for the import only). Its
    vendored requests adds import hooks to ``sys.meta_path`` that break later
    imports: they are taken out again once the modules are loaded."""
    root = str(peer_root())
    if root not in sys.path:
        sys.path.append(root)
    hooks = list(sys.meta_path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from cfnbootstrap import (
            construction,
            file_tool,
            posix_security,
            service_tools,
            systemd_tool,
            util,
        )
        from cfnbootstrap.packages import requests
    sys.meta_path[:] = hooks
    return SimpleNamespace(
        construction=construction,
        file_tool=file_tool,
        posix_security=posix_security,
        service_tools=service_tools,
        systemd_tool=systemd_tool,
        util=util,
        requests=requests,
    )


@dataclass
class Trace:
    """What the peer did: the sets and configs it ran, each launch and opened
    file in order (as events), and how it ended."""

    sets: list[str] = field(default_factory=list)
    runs: list[str] = field(default_factory=list)
    events: list[tuple[str, ...]] = field(default_factory=list)
    failed_in_run: bool = False
    error: BaseException | None = None


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if not _RECORDING or event != "open":
        return
    path, mode = args[0], args[1]
    if isinstance(path, str) and isinstance(mode, str) and "w" in mode:
        _RECORDING[-1].events.append(("open", path))


sys.addaudithook(_audit)


def _check_popen(cmd: object, env: object, cwd: object) -> None:
    """The argument checks ``subprocess.Popen`` makes before it starts anything."""
    if isinstance(cmd, str):
        args: list[object] = [cmd]
    elif isinstance(cmd, list | tuple):
        args = list(cmd)
        if not args:
            raise IndexError("list index out of range")
    else:
        raise TypeError(f"expected str, bytes or os.PathLike object, not {type(cmd)}")
    for value in [*args, *([cwd] if cwd is not None else [])]:
        os.fsencode(value)  # type: ignore[arg-type]
        if "\0" in str(value):
            raise ValueError("embedded null byte")
    if env is not None:
        assert isinstance(env, Mapping)
        for key, value in env.items():
            encoded = os.fsencode(key)
            os.fsencode(value)
            if b"=" in encoded or b"\0" in encoded or "\0" in str(value):
                raise ValueError("illegal environment variable name")


_QUERIES = (
    ("yum", "-y", "list", "installed"),
    ("rpm", "-q"),
    ("rpm", "-qa"),
    ("dpkg-query",),
    ("gem", "query"),
)


def _answer(argv: list[str]) -> tuple[int, str]:
    """A fresh host: nothing installed, everything available, nothing running."""
    joined = " ".join(argv)
    if argv[:2] == ["rpm", "-qp"]:
        return 0, f"{Path(argv[-1]).stem}|1.0-1"
    if any(tuple(argv[: len(q)]) == q for q in _QUERIES):
        return 1, ""
    if "zypper search" in joined and "--installed-only" in argv:
        return 1, ""
    if argv[-1:] == ["status"] or "is-active" in argv:
        return 3, ""
    return 0, ""


class _Database:
    """``pwd``/``grp`` with only ``root``."""

    def __init__(self) -> None:
        self.record = ("root", "x", 0, 0, "root", "/root", "/bin/sh")

    def getpwnam(self, name: object) -> tuple[object, ...]:
        if not isinstance(name, str):
            raise TypeError("getpwnam(): argument must be str")
        if name != "root":
            raise KeyError(name)
        return self.record

    getgrnam = getpwnam

    def getgrall(self) -> list[tuple[object, ...]]:
        return [("root", "x", 0, [])]


class _Response:
    def __init__(self, body: bytes) -> None:
        self.body = body

    def write_to(self, dest: Any) -> None:
        dest.write(self.body)

    def contents(self) -> bytes:
        return self.body


def small_tar() -> bytes:
    """A tar archive with one file, ``hello.txt``."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        info = tarfile.TarInfo("hello.txt")
        info.size = 2
        archive.addfile(info, io.BytesIO(b"hi"))
    return buffer.getvalue()


class _LogCapture(logging.Handler):
    def __init__(self, trace: Trace) -> None:
        super().__init__(logging.DEBUG)
        self.trace = trace

    def emit(self, record: logging.LogRecord) -> None:
        if record.msg == "Running configSet %s":
            self.trace.sets.append(str(record.args[0]))  # type: ignore[index]


def _os_with(paths: frozenset[str]) -> ModuleType:
    """``os`` as the service tools see it, with ``paths`` existing."""
    fake_path = ModuleType("os.path")
    fake_path.__dict__.update(os.path.__dict__)
    fake_path.exists = lambda p: p in paths or os.path.exists(p)  # type: ignore[attr-defined]
    fake = ModuleType("os")
    fake.__dict__.update(os.__dict__)
    fake.path = fake_path  # type: ignore[attr-defined]
    return fake


@contextlib.contextmanager
def fake_host(peer: SimpleNamespace, work: Path) -> Iterator[Trace]:
    """The peer's host replaced as the module docstring says, recording a Trace."""
    trace = Trace()
    util = peer.util
    body = small_tar()

    def call(helper: Any) -> Any:
        _check_popen(helper._cmd, helper._env, helper._cwd)
        argv = helper._cmd if isinstance(helper._cmd, list) else [helper._cmd]
        trace.events.append(("launch", *map(str, argv)))
        code, out = _answer([str(a) for a in argv])
        return util.ProcessResult(code, out, "")

    def get(url: object, **_options: object) -> _Response:
        if not isinstance(url, str) or not re.match(r"(?i)https?://", url):
            raise peer.requests.exceptions.InvalidSchema(f"no adapter for {url!r}")
        trace.events.append(("get", url))
        return _Response(body)

    construction = peer.construction
    original_run = construction.Contractor.run_config

    def run_config(self: Any, config: Any, worklog: Any) -> None:
        trace.runs.append(config.name)
        trace.events.append(("run", config.name))
        try:
            original_run(self, config, worklog)
        except BaseException:
            trace.failed_in_run = True
            raise

    database = _Database()
    tools_os = _os_with(
        frozenset({"/sbin/chkconfig", "/sbin/service", "/usr/bin/systemctl"})
    )
    capture = _LogCapture(trace)
    log = logging.getLogger("cfn.init")
    patches: list[Any] = [
        mock.patch.object(util.ProcessHelper, "call", call),
        # a refused download is retried with backoff: no real waiting
        mock.patch.object(util.Sleeper, "sleep", return_value=None),
        mock.patch.object(util, "EtagCheckedResponse", lambda response: response),
        mock.patch.object(peer.requests, "get", get),
        mock.patch.object(peer.posix_security, "pwd", database),
        mock.patch.object(peer.posix_security, "grp", database),
        mock.patch.object(peer.service_tools, "os", tools_os),
        mock.patch.object(peer.systemd_tool, "os", tools_os),
        mock.patch.object(construction.Contractor, "run_config", run_config),
    ]
    with contextlib.ExitStack() as stack:
        for patch in patches:
            stack.enter_context(patch)
        log.addHandler(capture)
        stack.callback(log.removeHandler, capture)
        _RECORDING.append(trace)
        stack.callback(_RECORDING.pop)
        stack.enter_context(contextlib.chdir(work))
        yield trace


def run_peer(
    peer: SimpleNamespace, init: Mapping[str, object], sets: list[str], work: Path
) -> Trace:
    """Build ``init`` with the peer for the config sets ``sets`` under ``work``."""
    if not init:
        # bin/cfn-init: "Could not find 'AWS::CloudFormation::Init' key", exit 0
        return Trace()
    worklog = peer.construction.WorkLog.__new__(peer.construction.WorkLog)
    db = work / "worklog"
    db.mkdir()
    worklog._json_db_dir = str(db)
    worklog._dbname = "resume_db.json"
    worklog._jsonConverter = peer.construction.JsonFileManager.Converter(
        [peer.construction.ConfigDefinition]
    )
    # 2.0 logs with the deprecated Logger.warn: not our warning to raise
    with fake_host(peer, work) as trace, warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        # 2.0 never closes the archives it downloads: collected here, quietly
        warnings.simplefilter("ignore", ResourceWarning)
        try:
            worklog.build({"AWS::CloudFormation::Init": init}, sets)
        except Exception as exc:
            # keep the exception, not its frames (they hold the open archives)
            link: BaseException | None = exc
            while link is not None:
                link.__traceback__ = None
                link = link.__context__
            trace.error = exc
        gc.collect(0)
    return trace
