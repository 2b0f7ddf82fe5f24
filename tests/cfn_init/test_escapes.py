"""Ways out of a LocalBackend's root: none works, with either resolver.

Each case plants what it needs in the root (links, hard links, FIFOs, devices),
runs a plan, and then checks the world outside: every entry beside the root (and
a marker path in the host's /tmp) exactly as before, and the outside secret
copied nowhere inside the root. Whether the run itself succeeds (contained) or
stops with a typed error does not matter; both are asserted as they happen.
Every case runs twice: with ``openat2(RESOLVE_IN_ROOT)`` and with the portable
``O_NOFOLLOW`` walk (the fallback is tested even where the kernel has openat2).
"""

from __future__ import annotations

import contextlib
import io
import os
import stat
import tarfile
import uuid
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from awscore.cfn_init import LocalBackend, execute, plan
from awscore.cfn_init._root import HAS_OPENAT2, Root
from awscore.errors import CfnInitError
from tests.conftest import missing, require_tool

SECRET = b"the outside secret"


def snapshot(top: Path, skip: Path) -> dict[str, object]:
    """Every entry under ``top`` except ``skip``: kind, target or bytes, mode, inode."""
    seen: dict[str, object] = {}
    for dirpath, dirnames, filenames in os.walk(top, followlinks=False):
        here = Path(dirpath)
        dirnames[:] = [d for d in dirnames if here / d != skip]
        for name in [*dirnames, *filenames]:
            path = here / name
            info = path.lstat()
            if stat.S_ISLNK(info.st_mode):
                seen[str(path)] = ("link", os.readlink(path))
            elif stat.S_ISREG(info.st_mode):
                seen[str(path)] = ("file", path.read_bytes(), info.st_mode, info.st_ino)
            else:
                seen[str(path)] = ("other", info.st_mode, info.st_ino)
    return seen


def secret_inside(root: Path) -> list[str]:
    """Regular files inside the root holding the outside secret."""
    found = []
    for dirpath, _dirs, files in os.walk(root, followlinks=False):
        for name in files:
            path = Path(dirpath) / name
            if path.is_file() and not path.is_symlink() and SECRET in path.read_bytes():
                found.append(str(path))
    return found


class World:
    """A root beside an outside folder with a secret, a FIFO and a host marker."""

    def __init__(self, top: Path, use_openat2: bool) -> None:
        self.top = top
        self.root = top / "root"
        self.root.mkdir()
        self.outside = top / "outside"
        self.outside.mkdir()
        (self.outside / "secret").write_bytes(SECRET)
        (self.outside / "secret").chmod(0o600)
        os.mkfifo(self.outside / "fifo", 0o600)
        self.marker = Path(f"/tmp/awscore-escape-{uuid.uuid4().hex}")  # noqa: S108 (a path inside the root, or a marker)
        self.use_openat2 = use_openat2

    def backend(self, **kwargs: Any) -> LocalBackend:
        return LocalBackend(self.root, use_openat2=self.use_openat2, **kwargs)

    def run(self, metadata: dict[str, Any], **kwargs: Any) -> None:
        """Run ``metadata``; a typed error is one way of being contained."""
        with self.backend(**kwargs) as backend, contextlib.suppress(CfnInitError):
            execute(plan(metadata), backend)


@pytest.fixture(params=[True, False], ids=["openat2", "walk"])
def world(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[World]:
    if request.param and not HAS_OPENAT2:
        missing("this kernel has no openat2 (Linux 5.6+)")
    w = World(tmp_path, request.param)
    before = snapshot(tmp_path, w.root)
    yield w
    assert snapshot(tmp_path, w.root) == before
    assert not w.marker.exists()
    assert secret_inside(w.root) == []


def files(**entries: dict[str, Any]) -> dict[str, Any]:
    return {"config": {"files": {k.replace("__", "/"): v for k, v in entries.items()}}}


def tar(members: list[tuple[str, str, str]]) -> bytes:
    """(kind, name, data or link target) -> tar bytes."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        for kind, name, payload in members:
            info = tarfile.TarInfo(name)
            if kind == "file":
                info.size = len(payload)
                archive.addfile(info, io.BytesIO(payload.encode()))
                continue
            info.type = {
                "sym": tarfile.SYMTYPE,
                "hard": tarfile.LNKTYPE,
                "dev": tarfile.CHRTYPE,
                "fifo": tarfile.FIFOTYPE,
            }[kind]
            info.linkname = payload
            archive.addfile(info)
    return buffer.getvalue()


def zipped(members: list[tuple[str, str, str]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for kind, name, payload in members:
            info = zipfile.ZipInfo(name)
            if kind == "sym":
                info.external_attr = (stat.S_IFLNK | 0o777) << 16
            archive.writestr(info, payload)
    return buffer.getvalue()


def source(world: World, data: bytes, target: str = "/opt/app") -> None:
    world.run({"config": {"sources": {target: "https://e/a"}}}, fetch=lambda u, a: data)


# --- the four escapes the fuzzer found -----------------------------------------------


def test_escape_1_two_harmless_links_then_a_cwd(world: World) -> None:
    """/a/b/l -> m/.. and /a/b/m -> ../.. make l the root's parent on the host;
    a command with cwd /a/b/l runs inside the sandbox, where it is the root."""
    require_tool("bwrap")
    metadata = {
        "config": {
            "files": {
                "/a/b/l": {"content": "m/..", "mode": "120755"},
                "/a/b/m": {"content": "../..", "mode": "120755"},
            },
            "commands": {"c": {"command": "echo x > escaped", "cwd": "/a/b/l"}},
        }
    }
    (world.root / "a" / "b").mkdir(parents=True)
    world.run(metadata)
    world.run(metadata)  # the links exist now: the command runs this time
    assert not (world.top / "escaped").exists()


@pytest.mark.parametrize("pack", [tar, zipped], ids=["tar", "zip"])
def test_escape_2_the_chain_inside_an_archive(
    world: World, pack: Callable[[list[tuple[str, str, str]]], bytes]
) -> None:
    data = pack(
        [
            ("sym", "a/b/m", "../.."),
            ("sym", "a/b/l", "m/.."),
            ("file", "a/b/l/x", "pwn"),
        ]
    )
    source(world, data)


def test_escape_3_a_cwd_through_a_link_already_in_the_root(world: World) -> None:
    require_tool("bwrap")
    (world.root / "lnk").symlink_to(world.outside)
    (world.root / "rel").symlink_to("../outside")
    for cwd in ("/lnk", "/rel"):
        world.run(
            {"config": {"commands": {"c": {"command": "echo x > pwn; cat secret > s",
                                           "cwd": cwd}}}}
        )  # fmt: skip
    assert not (world.outside / "pwn").exists()


def test_escape_4_a_mode_through_a_planted_hard_link(world: World) -> None:
    os.link(world.outside / "secret", world.root / "h")
    world.run(files(__h={"content": SECRET.decode(), "mode": "000777"}))
    assert stat.S_IMODE((world.outside / "secret").stat().st_mode) == 0o600
    os.unlink(world.root / "h")  # it holds the secret by design of the attack


def test_a_command_writes_only_inside(world: World) -> None:
    require_tool("bwrap")
    command = (
        f"echo x > {world.marker}; echo y > {world.outside}/new; "
        f"cat {world.outside}/secret > /stolen"
    )
    world.run({"config": {"commands": {"c": {"command": command}}}})
    assert not (world.outside / "new").exists()


# --- thirty more -----------------------------------------------------------------


def _links(world: World, links: dict[str, str]) -> None:
    for name, target in links.items():
        (world.root / name).symlink_to(target)


FILE_CASES: dict[str, tuple[Callable[[World], None], dict[str, Any]]] = {
    "dot-dot at the root": (
        lambda w: None,
        files(**{"__..__outside__secret": {"content": "pwn"}}),
    ),
    "deep dot-dot": (
        lambda w: None,
        files(**{"__a__..__..__..__outside__secret": {"content": "pwn"}}),
    ),
    "absolute link, then a file through it": (
        lambda w: (w.root / "l").symlink_to(w.outside),
        files(**{"__l__secret": {"content": "pwn"}}),
    ),
    "relative link out, then a file through it": (
        lambda w: (w.root / "l").symlink_to("../outside"),
        files(**{"__l__secret": {"content": "pwn"}}),
    ),
    "a link file climbing out, with a mode": (
        lambda w: None,
        files(__l={"content": "../../outside/secret", "mode": "120777"}),
    ),
    "a link file to the host path, with a mode": (
        lambda w: None,
        files(__l={"content": str(Path("/proc/self/cwd")), "mode": "120777"}),
    ),
    "a planted absolute link replaced by a file": (
        lambda w: (w.root / "x").symlink_to(w.outside / "secret"),
        files(__x={"content": "pwn", "mode": "000777"}),
    ),
    "a planted relative link replaced by a file": (
        lambda w: (w.root / "x").symlink_to("../outside/secret"),
        files(__x={"content": "pwn"}),
    ),
    "a planted link to a directory outside": (
        lambda w: (w.root / "d").symlink_to(w.outside),
        files(**{"__d__new": {"content": "pwn"}}),
    ),
    "a hard link, new content": (
        lambda w: os.link(w.outside / "secret", w.root / "h"),
        files(__h={"content": "pwn", "mode": "000777"}),
    ),
    "a hard link, same content, no mode": (
        lambda w: os.link(w.outside / "secret", w.root / "h"),
        files(__h={"content": SECRET.decode()}),
    ),
    "a planted FIFO is replaced, never opened": (
        lambda w: os.mkfifo(w.root / "p"),
        files(__p={"content": "pwn"}),
    ),
    "a link to a FIFO outside, with a mode": (
        lambda w: None,
        files(__l={"content": "../outside/fifo", "mode": "120777"}),
    ),
    "a planted device node": (
        lambda w: os.mknod(w.root / "dev0", 0o600 | stat.S_IFCHR, os.makedev(1, 3)),
        files(__dev0={"content": "pwn"}),
    ),
    "a link to a planted device, with a mode": (
        lambda w: os.mknod(w.root / "dev0", 0o600 | stat.S_IFCHR, os.makedev(1, 3)),
        files(__l={"content": "dev0", "mode": "120777"}),
    ),
    "a link loop": (
        lambda w: _links(w, {"a": "b", "b": "a"}),
        files(**{"__a__x": {"content": "pwn"}}),
    ),
    "a chain of 50 links": (
        lambda w: _links(w, {f"l{i}": f"l{i + 1}" for i in range(50)}),
        files(**{"__l0__x": {"content": "pwn"}}),
    ),
    "a magic link through /proc": (
        lambda w: (w.root / "self").symlink_to("/proc/self/root"),
        files(**{"__self__tmp__x": {"content": "pwn"}}),
    ),
    "many dot-dots in a link": (
        lambda w: (w.root / "up").symlink_to("../../../../../../.." + str(w.outside)),
        files(**{"__up__secret": {"content": "pwn"}}),
    ),
}


@pytest.mark.parametrize("name", sorted(FILE_CASES))
def test_files_cannot_escape(world: World, name: str) -> None:
    plant, metadata = FILE_CASES[name]
    plant(world)
    world.run(metadata)
    for leftover in ("h",):  # a planted hard link holds the secret by design
        if (world.root / leftover).exists() and SECRET in (
            world.root / leftover
        ).read_bytes():
            os.unlink(world.root / leftover)


ARCHIVE_CASES: dict[str, bytes] = {
    "tar ../": tar([("file", "../evil", "x")]),
    "tar absolute name": tar([("file", "/evil", "x")]),
    "tar absolute link, then through it": tar(
        [("sym", "l", "/"), ("file", "l/etc/pwn", "x")]
    ),
    "tar link to the outside path": tar([("sym", "l", "/tmp"), ("file", "l/pwn", "x")]),  # noqa: S108 (a path inside the root, or a marker)
    "tar link chain of dot-dots": tar(
        [("sym", "a/b", ".."), ("sym", "a/b/c", ".."), ("file", "a/b/c/evil", "x")]
    ),
    "tar hard link out": tar([("hard", "h", "../../../outside/secret")]),
    "tar device": tar([("dev", "d", "")]),
    "tar FIFO": tar([("fifo", "f", "")]),
    "tar link then a file of the same name": tar(
        [("sym", "x", "../../../outside/secret"), ("file", "x", "pwn")]
    ),
    "zip ../": zipped([("file", "../evil", "x")]),
    "zip link out, then through it": zipped(
        [("sym", "l", "../../.."), ("file", "l/pwn", "x")]
    ),
}


@pytest.mark.parametrize("name", sorted(ARCHIVE_CASES))
def test_archives_cannot_escape(world: World, name: str) -> None:
    source(world, ARCHIVE_CASES[name])


def test_a_source_target_through_a_planted_link(world: World) -> None:
    (world.root / "opt").symlink_to(world.outside)
    source(world, tar([("file", "x", "pwn")]), "/opt/app")


def test_a_swap_between_resolution_and_use_lands_inside(world: World) -> None:
    """The race: a directory swapped for a link to outside after it was resolved.
    The write goes through the descriptor already held, to the old directory."""
    (world.root / "d").mkdir()
    tree = Root.open(world.root, use_openat2=world.use_openat2)
    real_parent = tree.parent

    def swapping(path: str, *, create: bool = True) -> Any:
        context = real_parent(path, create=create)
        held = context.__enter__()
        os.rename(world.root / "d", world.root / "d.old")
        (world.root / "d").symlink_to(world.outside)

        class Held:
            def __enter__(self) -> Any:
                return held

            def __exit__(self, *exc: object) -> None:
                context.__exit__(None, None, None)

        return Held()

    tree.parent = swapping  # type: ignore[method-assign]
    tree.write("/d/secret", iter([b"pwn"]), 0o777)
    tree.close()
    assert (world.root / "d.old" / "secret").read_bytes() == b"pwn"


def test_the_guides_symlink_example(world: World) -> None:
    """User Guide, files: "/tmp/myfile2.txt" -> "/tmp/myfile1.txt" with mode
    120644 leaves myfile1.txt at 0644; the absolute target is the root's /tmp."""
    metadata = {
        "config": {
            "files": {
                "/tmp/myfile1.txt": {"content": "Hello", "mode": "000600"},  # noqa: S108 (a path inside the root, or a marker)
                "/tmp/myfile2.txt": {"content": "/tmp/myfile1.txt", "mode": "120644"},  # noqa: S108 (a path inside the root, or a marker)
            }
        }
    }
    with world.backend() as backend:
        execute(plan(metadata), backend)
    tmp = world.root / "tmp"
    assert os.readlink(tmp / "myfile2.txt") == "/tmp/myfile1.txt"  # noqa: S108 (a path inside the root, or a marker)
    assert stat.S_IMODE((tmp / "myfile1.txt").stat().st_mode) == 0o644
    assert not stat.S_ISLNK((tmp / "myfile1.txt").lstat().st_mode)


# --- the sandbox itself ------------------------------------------------------------


def _interfaces(world: World, **kwargs: Any) -> list[str]:
    command = {"c": {"command": "cat /proc/net/dev > /net.txt"}}
    with world.backend(**kwargs) as backend:
        execute(plan({"config": {"commands": command}}), backend)
    lines = (world.root / "net.txt").read_text().splitlines()[2:]
    return sorted(line.split(":")[0].strip() for line in lines)


def test_commands_have_no_network_unless_asked(world: World) -> None:
    require_tool("bwrap")
    assert _interfaces(world) == ["lo"]
    host = sorted(
        line.split(":")[0].strip()
        for line in Path("/proc/net/dev").read_text().splitlines()[2:]
    )
    assert _interfaces(world, network=True) == host


def test_without_bwrap_commands_are_refused(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    import awscore.cfn_init._local as local
    from awscore.errors import CfnInitStepError, SandboxUnavailableError

    monkeypatch.setattr(local, "find_bwrap", lambda: None)
    metadata = {"config": {"commands": {"c": {"command": "echo x > /ran"}}}}
    with world.backend() as backend, pytest.raises(CfnInitStepError) as caught:
        execute(plan(metadata), backend)
    assert isinstance(caught.value.__cause__, SandboxUnavailableError)
    assert not (world.root / "ran").exists()
    # asked for explicitly, they run on the host, cwd resolved inside the root
    (world.root / "work").mkdir()
    on_host = {"c": {"command": "echo x > ran", "cwd": "/work"}}
    with world.backend(run_commands_on_host=True) as backend:
        execute(plan({"config": {"commands": on_host}}), backend)
    assert (world.root / "work" / "ran").read_text() == "x\n"


_FAKE_TOOL = """#!/bin/sh
echo "$(basename "$0") $*" >> /services.log
case "$*" in *status*|*is-active*) exit 3;; *broken*) exit 1;; esac
"""


def test_service_actions_run_in_the_sandbox(world: World) -> None:
    """With services="sandbox", cfn-init 2.0's service commands run inside the
    root: here the root's own fake chkconfig, service and systemctl log them."""
    require_tool("bwrap")
    from awscore.cfn_init import SandboxServiceManager, Service
    from awscore.errors import CfnInitStepError

    tools = world.root / "opt" / "tools"
    tools.mkdir(parents=True)
    for name in ("chkconfig", "service", "systemctl"):
        (tools / name).write_text(_FAKE_TOOL)
        (tools / name).chmod(0o755)
    metadata = {
        "config": {
            "files": {"/etc/app.conf": {"content": "x"}},
            "services": {
                "sysvinit": {"svc_a": {"enabled": True, "ensureRunning": True}},
                "systemd": {"svc_b": {"files": ["/etc/app.conf"], "enabled": False}},
            },
        }
    }
    with world.backend() as backend:
        backend.services = SandboxServiceManager(
            backend,
            chkconfig="/opt/tools/chkconfig",
            service="/opt/tools/service",
            systemctl="/opt/tools/systemctl",
        )
        execute(plan(metadata), backend)
        assert (world.root / "services.log").read_text().splitlines() == [
            "chkconfig svc_a on",
            "service svc_a status",
            "service svc_a start",
            "systemctl disable svc_b",
            "systemctl daemon-reload",
            "systemctl reload-or-restart svc_b",
        ]
        broken = {"config": {"services": {"sysvinit": {"broken": {"enabled": True}}}}}
        with pytest.raises(CfnInitStepError, match="could not enable broken"):
            execute(plan(broken), backend)
    with world.backend(services="sandbox") as backend:
        assert isinstance(backend.services, SandboxServiceManager)
        with pytest.raises(CfnInitError, match="cannot be managed on Linux"):
            backend.services.commands(Service(manager="windows", name="w"), "start")
