"""Executing plans in a temporary root: files, commands, archives, escapes."""

from __future__ import annotations

import base64
import contextlib
import io
import os
import stat
import tarfile
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from awscore.cfn_init import (
    DryRunBackend,
    LocalBackend,
    Package,
    RecordingPackageManager,
    RecordingServiceManager,
    RecordingUserManager,
    Status,
    execute,
    fetch_url,
    plan,
)
from awscore.errors import CfnInitError, CfnInitStepError, PathEscapeError
from tests.conftest import require_tool


def snapshot(top: Path, skip: Path) -> dict[str, object]:
    """Every entry under ``top`` except ``skip``: type, target or bytes, mode."""
    seen: dict[str, object] = {}
    for dirpath, dirnames, filenames in os.walk(top, followlinks=False):
        here = Path(dirpath)
        dirnames[:] = [d for d in dirnames if here / d != skip]
        for name in [*dirnames, *filenames]:
            path = here / name
            info = path.lstat()
            if path.is_symlink():
                seen[str(path)] = ("link", os.readlink(path))
            elif path.is_dir():
                seen[str(path)] = ("dir", info.st_mode)
            else:
                seen[str(path)] = ("file", path.read_bytes(), info.st_mode)
    return seen


@pytest.fixture
def root(tmp_path: Path) -> Iterator[Path]:
    """A root directory; after the test, its parent must be exactly as before."""
    inside = tmp_path / "root"
    inside.mkdir()
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "keep").write_text("untouched")
    before = snapshot(tmp_path, inside)
    yield inside
    assert snapshot(tmp_path, inside) == before


def run(root: Path, metadata: dict[str, Any], **kwargs: Any) -> Any:
    if any(isinstance(c, dict) and "commands" in c for c in metadata.values()):
        require_tool("bwrap")  # commands run inside bubblewrap
    backend = LocalBackend(root, **kwargs)
    return execute(plan(metadata), backend), backend


def test_files_content_json_base64_modes_and_symlinks(root: Path) -> None:
    files: dict[str, dict[str, Any]] = {
        "/etc/app/plain.txt": {"content": "Hello World", "mode": "000640"},
        "/etc/app/data.json": {"content": {"a": [1, 2]}},
        "/etc/app/blob": {"content": "AAEC/w==", "encoding": "base64"},
        # a link's mode goes to its target, which must exist by then (files are
        # written in path order, and 2.0's chmod fails on a dangling link)
        "/etc/app/link": {"content": "blob", "mode": "120777"},
        "/etc/app/up": {"content": "../app/plain.txt", "mode": "120640"},
        "/etc/app/page.html": {
            "content": "Hi {{name}} {{{raw}}}",
            "context": {"name": "<b>", "raw": "<i>"},
        },
    }
    report, _ = run(root, {"config": {"files": files}})
    app = root / "etc" / "app"
    assert (app / "plain.txt").read_text() == "Hello World"
    assert stat.S_IMODE((app / "plain.txt").stat().st_mode) == 0o640
    assert (app / "data.json").read_text() == '{"a": [1, 2]}'
    assert (app / "blob").read_bytes() == b"\x00\x01\x02\xff"
    assert os.readlink(app / "link") == "blob"
    assert stat.S_IMODE((app / "blob").stat().st_mode) == 0o777
    assert os.readlink(app / "up") == "../app/plain.txt"
    assert (app / "page.html").read_text() == "Hi &lt;b&gt; <i>"
    assert all(r.result.status is Status.CHANGED for r in report.results)
    # Without a mode, a new file is rw-r--r--.
    assert stat.S_IMODE((app / "data.json").stat().st_mode) == 0o644
    again, _ = run(root, {"config": {"files": files}})
    assert [r.result.status for r in again.results] == [Status.UNCHANGED] * 6
    files["/etc/app/plain.txt"]["mode"] = "000600"
    files["/etc/app/link"]["content"] = "data.json"
    third, _ = run(root, {"config": {"files": files}})
    assert stat.S_IMODE((app / "data.json").stat().st_mode) == 0o777
    changed = {r.action.key for r in third.results if r.result.status is Status.CHANGED}
    assert changed == {"/etc/app/plain.txt", "/etc/app/link"}


def test_a_file_replaces_a_symlink_instead_of_writing_through_it(root: Path) -> None:
    (root / "etc").mkdir()
    (root / "etc" / "target").write_text("old")
    (root / "etc" / "x").symlink_to("target")
    (root / "etc" / "kept").write_text("old")
    (root / "etc" / "kept").chmod(0o600)
    files = {
        "/etc/x": {"content": "new"},
        "/etc/kept": {"content": "new", "owner": "o"},
    }
    report, _ = run(root, {"config": {"files": files}})
    assert report.results[0].result.detail == "3 bytes, owner o: not applied"
    assert stat.S_IMODE((root / "etc" / "kept").stat().st_mode) == 0o600
    assert not (root / "etc" / "x").is_symlink()
    assert (root / "etc" / "target").read_text() == "old"


def test_source_files_are_fetched(root: Path) -> None:
    calls: list[tuple[str, str | None]] = []

    def fetch(url: str, authentication: str | None) -> bytes:
        calls.append((url, authentication))
        return b"port={{port}}"

    files = {
        "/etc/f": {
            "source": "https://e/f",
            "authentication": "S3",
            "context": {"port": 80},
        }
    }
    run(root, {"config": {"files": files}}, fetch=fetch)
    assert (root / "etc" / "f").read_text() == "port=80"
    assert calls == [("https://e/f", "S3")]


def test_no_fetcher_is_an_error(root: Path) -> None:
    with pytest.raises(CfnInitStepError, match="fetches nothing"):
        run(root, {"config": {"files": {"/f": {"source": "https://e/f"}}}})


def test_fetch_url_reads_file_urls_and_refuses_the_rest(tmp_path: Path) -> None:
    path = tmp_path / "x"
    path.write_bytes(b"data")
    assert fetch_url(path.as_uri()) == b"data"
    with pytest.raises(CfnInitError, match="only file, http and https"):
        fetch_url("ftp://e/x")
    with pytest.raises(CfnInitError, match="authentication 'S3' is not supported"):
        fetch_url(path.as_uri(), "S3")


# --- commands ---------------------------------------------------------------------


def test_commands_test_env_cwd_and_argv(root: Path) -> None:
    (root / "work").mkdir()
    commands = {
        "1-skipped": {
            "command": "echo ran > skipped",
            "test": "test -e /nonexistent-x",
        },
        "2-env": {
            "command": 'echo "${GREETING}-${HOME:-nohome}" > env.txt',
            "env": {"GREETING": "hi"},
        },
        "3-cwd": {"command": "pwd > where.txt", "cwd": "/work"},
        "4-argv": {"command": ["/bin/sh", "-c", "echo $0 > argv.txt", "zero"]},
        "5-tested": {"command": "echo yes > tested", "test": "test -e env.txt"},
    }
    report, _ = run(root, {"config": {"commands": commands}})
    assert [r.result.status for r in report.results] == [
        Status.SKIPPED,
        Status.CHANGED,
        Status.CHANGED,
        Status.CHANGED,
        Status.CHANGED,
    ]
    assert not (root / "skipped").exists()
    assert (root / "env.txt").read_text() == "hi-nohome\n"
    # inside the sandbox the root is "/": the command sees /work
    assert (root / "work" / "where.txt").read_text().strip() == "/work"
    assert (root / "argv.txt").read_text() == "zero\n"
    assert (root / "tested").read_text() == "yes\n"


def test_ignore_errors_tolerates_failure_and_failure_aborts(root: Path) -> None:
    metadata = {
        "configSets": {"default": ["first", "second"]},
        "first": {
            "commands": {
                "a": {"command": "exit 3", "ignoreErrors": "true"},
                "b": {"command": "echo boom >&2; exit 4"},
                "c": {"command": "touch never"},
            }
        },
        "second": {"files": {"/never": {"content": "x"}}},
    }
    with pytest.raises(CfnInitStepError) as caught:
        run(root, metadata)
    error = caught.value
    assert (error.config, error.section, error.key) == ("first", "commands", "b")
    assert (
        str(error)
        == "first.commands.b: command failed with exit status 4 (exit 4: boom)"
    )
    done = error.report.results  # type: ignore[attr-defined]
    assert [(r.action.key, r.result.status, r.result.returncode) for r in done] == [
        ("a", Status.FAILED_IGNORED, 3)
    ]
    assert not (root / "never").exists()


def test_missing_programs_and_bad_cwd_are_step_errors(root: Path) -> None:
    with pytest.raises(CfnInitStepError, match="No such file or directory"):
        run(root, {"config": {"commands": {"a": {"command": ["/no/such/program"]}}}})
    (root / "file").write_text("")
    with pytest.raises(CfnInitStepError, match="chdir"):
        run(root, {"config": {"commands": {"a": {"command": "true", "cwd": "/file"}}}})
    with pytest.raises(CfnInitStepError, match="timed out"):
        run(root, {"config": {"commands": {"a": {"command": "sleep 5"}}}}, timeout=0.2)
    # "/.." is "/" inside the sandbox, as under chroot: /x does not exist there
    with pytest.raises(CfnInitStepError, match="chdir"):
        run(root, {"config": {"commands": {"a": {"command": "true", "cwd": "/../x"}}}})


def test_wait_after_completion_forever_stops_for_a_reboot_and_resumes(
    root: Path,
) -> None:
    commands = {
        "1": {"command": "touch one", "waitAfterCompletion": "forever"},
        "2": {"command": "touch two"},
    }
    metadata = {"config": {"commands": commands}}
    steps = plan(metadata)
    backend = LocalBackend(root)
    first = execute(steps, backend)
    assert first.resume_at == 1
    assert "reboot requested: resume at step 1" in str(first)
    assert not (root / "two").exists()
    second = execute(steps, backend, start=first.resume_at)
    assert [r.action.key for r in second.results] == ["2"]
    assert second.resume_at is None
    assert (root / "two").exists()


# --- packages, users, services ----------------------------------------------------


HTTPD = {
    "config": {
        "packages": {"yum": {"httpd": []}},
        "groups": {"apache": {"gid": "48"}},
        "users": {"apache": {"uid": "48", "groups": ["apache"], "homeDir": "/var/www"}},
        "files": {"/var/www/html/index.html": {"content": "Hello World"}},
        "services": {
            "sysvinit": {
                "httpd": {
                    "enabled": True,
                    "ensureRunning": True,
                    "files": ["/var/www/html/index.html"],
                    "packages": {"yum": ["httpd"]},
                }
            }
        },
    }
}


def test_httpd_example_runs_and_restarts_only_on_change(root: Path) -> None:
    packages = RecordingPackageManager()
    users = RecordingUserManager()
    services = RecordingServiceManager()
    managers = {"packages": packages, "users": users, "services": services}
    report, _ = run(root, HTTPD, **managers)
    assert (root / "var/www/html/index.html").read_text() == "Hello World"
    assert packages.calls == [Package(manager="yum", name="httpd")]
    assert users.users["apache"].shell == "/sbin/nologin"
    assert users.groups["apache"].gid == "48"
    assert services.calls == [("enable", "httpd"), ("restart", "httpd")]
    assert report.results[-1].result.detail == "enable/restart"
    # Nothing changed: enabled again, already running, no restart.
    services.calls.clear()
    again, _ = run(root, HTTPD, **managers)
    assert services.calls == [("enable", "httpd")]
    assert [r.result.status for r in again.results[:4]] == [Status.UNCHANGED] * 4
    # The page changes: the service restarts.
    services.calls.clear()
    changed = {
        "config": {
            **HTTPD["config"],
            "files": {"/var/www/html/index.html": {"content": "v2"}},
        }
    }
    run(root, changed, **managers)
    assert services.calls == [("enable", "httpd"), ("restart", "httpd")]


@pytest.mark.parametrize(
    ("spec", "running", "expected"),
    [
        ({"ensureRunning": True}, False, [("start", "s")]),
        ({"ensureRunning": True}, True, []),
        ({"ensureRunning": False}, True, [("stop", "s")]),
        ({"ensureRunning": False}, False, []),
        ({"enabled": False}, True, [("disable", "s")]),
        ({"ensureRunning": False, "commands": ["c"]}, True, [("restart", "s")]),
        ({"ensureRunning": True, "commands": ["other"]}, True, []),
        ({"sources": ["/opt/x"]}, False, []),
    ],
)
def test_service_rules(
    root: Path, spec: dict[str, Any], running: bool, expected: list[tuple[str, str]]
) -> None:
    services = RecordingServiceManager(running={"s"} if running else set())
    config = {
        "commands": {"c": {"command": "true"}},
        "services": {"systemd": {"s": spec}},
    }
    run(root, {"config": config}, services=services)
    assert services.calls == expected


def test_a_restart_needs_a_change_in_the_same_config_run(root: Path) -> None:
    services = RecordingServiceManager()
    metadata = {
        "configSets": {"default": ["write", "serve"]},
        "write": {"files": {"/etc/x": {"content": "x"}}},
        "serve": {"services": {"sysvinit": {"s": {"files": ["/etc/x"]}}}},
    }
    run(root, metadata, services=services)
    assert services.calls == []


def test_dry_run_records_and_changes_nothing(root: Path) -> None:
    backend = DryRunBackend()
    report = execute(plan(HTTPD), backend)
    assert backend.calls == [
        ("install", "yum httpd (latest)"),
        ("create group", "apache gid=48"),
        ("create user", "apache uid=48 groups=apache home=/var/www"),
        ("write", "/var/www/html/index.html (11 bytes)"),
        ("enable/restart", "sysvinit httpd"),
    ]
    assert list(root.iterdir()) == []
    assert len(report.changed) == 5
    quiet = plan({"config": {"services": {"sysvinit": {"s": {}}}}})
    assert execute(quiet, backend).results[0].result.status is Status.UNCHANGED
    commands = plan({"config": {"commands": {"a": {"command": "rm -rf /"}}}})
    assert (
        execute(commands, DryRunBackend())
        .results[0]
        .result.detail.startswith("would run")
    )


# --- archives -----------------------------------------------------------------------


def tar_bytes(
    members: list[tarfile.TarInfo | tuple[str, bytes]], mode: str = "w"
) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode=mode) as archive:  # type: ignore[call-overload]
        for member in members:
            if isinstance(member, tarfile.TarInfo):
                archive.addfile(member)
            else:
                name, data = member
                info = tarfile.TarInfo(name)
                info.size = len(data)
                archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def zip_bytes(
    members: list[tuple[str, bytes]], links: dict[str, str] | None = None
) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members:
            archive.writestr(name, data)
        for name, target in (links or {}).items():
            info = zipfile.ZipInfo(name)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            archive.writestr(info, target)
    return buffer.getvalue()


def link(name: str, target: str, kind: bytes = tarfile.SYMTYPE) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type = kind
    info.linkname = target
    return info


def directory(name: str) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type = tarfile.DIRTYPE
    return info


def unpack(root: Path, target: str, data: bytes) -> Any:
    """Run a config whose one source unpacks the archive ``data`` into ``target``."""
    sources = {"config": {"sources": {target: "https://e/archive"}}}
    return run(root, sources, fetch=lambda url, auth: data)


@pytest.mark.parametrize("mode", ["w", "w:gz", "w:bz2", "w:xz"])
def test_tar_archives_unpack_into_the_target(root: Path, mode: str) -> None:
    data = tar_bytes(
        [
            directory("app"),
            ("app/run.sh", b"#!/bin/sh\n"),
            link("app/current", "run.sh"),
            link("app/copy", "app/run.sh", tarfile.LNKTYPE),
            ("./top.txt", b"top"),
        ],
        mode,
    )
    report, _ = unpack(root, "/opt/myapp", data)
    target = root / "opt" / "myapp"
    assert (target / "app" / "run.sh").read_bytes() == b"#!/bin/sh\n"
    assert os.readlink(target / "app" / "current") == "run.sh"
    assert (target / "app" / "copy").read_bytes() == b"#!/bin/sh\n"
    assert (target / "top.txt").read_text() == "top"
    assert report.results[0].result.status is Status.CHANGED
    # 2.0 counts every unpacked source as changed (SourcesTool: dirs_changed)
    again, _ = unpack(root, "/opt/myapp", data)
    assert again.results[0].result.status is Status.CHANGED


def test_zip_archives_unpack_into_the_target(root: Path) -> None:
    data = zip_bytes(
        [("web/", b""), ("web/index.html", b"<h1>hi</h1>")], {"web/home": "index.html"}
    )
    unpack(root, "/srv", data)
    assert (root / "srv" / "web" / "index.html").read_bytes() == b"<h1>hi</h1>"
    assert os.readlink(root / "srv" / "web" / "home") == "index.html"


def test_a_source_restarts_its_service(root: Path) -> None:
    data = zip_bytes([("a", b"1")])
    services = RecordingServiceManager()
    config = {
        "sources": {"/srv": "https://e/s.zip"},
        "services": {"systemd": {"web": {"sources": ["/srv"]}}},
    }
    run(root, {"config": config}, fetch=lambda u, a: data, services=services)
    assert services.calls == [("restart", "web")]


ESCAPING_ARCHIVES = {
    "tar ../": tar_bytes([("ok", b"x"), ("../evil", b"x")]),
    "tar deep ../": tar_bytes([("a/../../evil", b"x")]),
    "tar absolute": tar_bytes([("/evil", b"x")]),
    "tar hard link out": tar_bytes([link("h", "../outside/keep", tarfile.LNKTYPE)]),
    "tar device": tar_bytes([link("dev", "", tarfile.CHRTYPE)]),
    "zip ../": zip_bytes([("ok", b"x"), ("../evil", b"x")]),
    "zip absolute": zip_bytes([("/evil", b"x")]),
    "zip backslash": zip_bytes([("..\\evil", b"x")]),
    "not an archive": b"this is not an archive at all",
    "corrupt gzip": b"\x1f\x8b\x08\x00garbage",
}


@pytest.mark.parametrize("name", sorted(ESCAPING_ARCHIVES))
def test_archive_escapes_are_refused_before_anything_is_written(
    root: Path, name: str
) -> None:
    data = ESCAPING_ARCHIVES[name]
    with pytest.raises(CfnInitStepError) as caught:
        unpack(root, "/opt/app", data)
    assert caught.value.key == "/opt/app"
    assert isinstance(caught.value.__cause__, CfnInitError)
    assert list(root.iterdir()) == []


# --- escapes from the root ------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "lands"),
    [
        ("/../outside/keep", "outside/keep"),
        ("/etc/../../outside/keep", "outside/keep"),
    ],
)
def test_dot_dot_stops_at_the_root_as_under_chroot(
    root: Path, path: str, lands: str
) -> None:
    run(root, {"config": {"files": {path: {"content": "x"}}}})
    assert (root / lands).read_text() == "x"


@pytest.mark.parametrize(
    "target", ["/etc/passwd", "../../outside/keep", "../../../outside/keep"]
)
def test_a_link_mode_needs_its_target_inside_the_root(root: Path, target: str) -> None:
    files = {"/etc/l": {"content": target, "mode": "120777"}}
    with pytest.raises(CfnInitStepError, match="does not exist inside the root"):
        run(root, {"config": {"files": files}})


def test_a_link_to_the_root_itself_gets_no_mode(root: Path) -> None:
    with pytest.raises(CfnInitStepError) as caught:
        run(root, {"config": {"files": {"/l": {"content": "..", "mode": "120777"}}}})
    assert isinstance(caught.value.__cause__, PathEscapeError)


def test_a_symlink_already_in_the_root_cannot_lead_out(root: Path) -> None:
    outside = root.parent / "outside"
    (root / "etc").symlink_to(outside)
    (root / "a").mkdir()
    (root / "a" / "b").symlink_to(outside)
    # an absolute link starts again at the root: it names the host path inside
    # the root, which does not exist there (and is not made through the link)
    for path in ("/etc/keep", "/a/b/new/file"):
        with pytest.raises(CfnInitStepError, match="No such file"):
            run(root, {"config": {"files": {path: {"content": "pwned"}}}})
    inner = root / str(outside).lstrip("/")
    inner.mkdir(parents=True)
    for path in ("/etc/keep", "/a/b/new/file"):
        run(root, {"config": {"files": {path: {"content": "pwned"}}}})
    assert (inner / "keep").read_text() == "pwned"
    assert (inner / "new" / "file").read_text() == "pwned"
    (root / "etc").unlink()
    (root / "a" / "b").unlink()


def test_the_root_itself_and_dirs_in_the_way(root: Path) -> None:
    with pytest.raises(CfnInitStepError, match="names no file inside the root"):
        run(root, {"config": {"files": {"/": {"content": "x"}}}})
    (root / "d").mkdir()
    with pytest.raises(CfnInitStepError, match="is a directory"):
        run(root, {"config": {"files": {"/d": {"content": "x"}}}})
    with pytest.raises(CfnInitStepError, match="is a directory"):
        run(root, {"config": {"files": {"/d": {"content": "x", "mode": "120777"}}}})
    (root / "f").write_text("")
    with pytest.raises(CfnInitStepError, match=r"(?i)not a directory"):
        run(root, {"config": {"files": {"/f/x": {"content": "x"}}}})


def test_a_file_becomes_a_link(root: Path) -> None:
    (root / "x").write_text("plain")
    (root / "y").write_text("target")
    run(root, {"config": {"files": {"/x": {"content": "y", "mode": "120640"}}}})
    assert os.readlink(root / "x") == "y"
    assert stat.S_IMODE((root / "y").stat().st_mode) == 0o640


def test_root_must_be_a_directory(tmp_path: Path) -> None:
    with pytest.raises(CfnInitError, match="is not a directory"):
        LocalBackend(tmp_path / "missing")


def test_link_chains_cannot_climb_out_of_the_target(root: Path) -> None:
    # Each name stays inside the target on paper; on disk "a/b" is the target
    # itself, so "a/b/c" -> ".." would be the target's parent.
    # Members resolve under a descriptor of the target, as if it were "/":
    # ".." at the target stays there.
    data = tar_bytes([link("a/b", ".."), link("a/b/c", ".."), ("a/b/c/evil", b"x")])
    unpack(root, "/opt/app", data)
    assert (root / "opt" / "app" / "evil").read_bytes() == b"x"
    assert sorted(p.name for p in (root / "opt").iterdir()) == ["app"]


def test_a_file_link_cannot_climb_out_through_an_existing_link(root: Path) -> None:
    (root / "a").symlink_to(".")
    with pytest.raises(CfnInitStepError) as caught:
        run(root, {"config": {"files": {"/a/l": {"content": "..", "mode": "120777"}}}})
    # the link resolves to the root itself, whose mode is never changed
    assert isinstance(caught.value.__cause__, PathEscapeError)
    (root / "l").unlink()
    (root / "a").unlink()


def _valid_archives() -> list[bytes]:
    return [
        tar_bytes([("a/b", b"data"), link("a/l", "b")], "w:gz"),
        tar_bytes([("x", b"1" * 100)], "w:bz2"),
        tar_bytes([("x", b"1" * 100)], "w:xz"),
        zip_bytes([("d/f", b"hello" * 20)], {"d/l": "f"}),
    ]


@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.sampled_from(_valid_archives()),
    st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 255)), max_size=6),
    st.integers(0, 10_000),
)
def test_property_corrupt_archives_raise_only_typed_errors(
    tmp_path_factory: pytest.TempPathFactory,
    archive: bytes,
    flips: list[tuple[int, int]],
    cut: int,
) -> None:
    """Any corruption or truncation of an archive unpacks or raises a CfnInitError,
    and nothing lands outside the root."""
    data = bytearray(archive)
    for position, value in flips:
        data[position % len(data)] = value
    blob = bytes(data[: max(1, len(data) - cut % len(data))])
    top = tmp_path_factory.mktemp("fuzz")
    inside = top / "root"
    inside.mkdir()
    before = snapshot(top, inside)
    backend = LocalBackend(inside, fetch=lambda u, a: blob)
    with contextlib.suppress(CfnInitError):
        execute(plan({"config": {"sources": {"/t": "https://e/a"}}}), backend)
    assert snapshot(top, inside) == before


@pytest.mark.parametrize(
    "command",
    [
        {"command": "echo a\0b"},
        {"command": ["echo", "a\0b"]},
        {"command": "true", "env": {"A=B": "x"}},
    ],
)
def test_unrunnable_commands_are_step_errors(
    root: Path, command: dict[str, Any]
) -> None:
    # 2.0 fails on these at the step (subprocess refuses them): so does the plan
    with pytest.raises(CfnInitStepError, match=r"NUL|not a variable name"):
        run(root, {"config": {"commands": {"a": command}}})


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.dictionaries(
        st.lists(
            st.text(alphabet="abAB01._-", min_size=1, max_size=4),
            min_size=1,
            max_size=3,
        )
        .map(lambda parts: "/" + "/".join(parts))
        .filter(lambda p: all(part not in (".", "..") for part in p.split("/"))),
        st.binary(min_size=1, max_size=20),
        max_size=6,
    )
)
def test_property_files_land_exactly_under_the_root(
    tmp_path_factory: pytest.TempPathFactory, files: dict[str, bytes]
) -> None:
    """Every file of the metadata is written at root + its path with its bytes, or
    the run stops with a typed error (a path that is also another file's folder),
    and nothing outside the root changes."""
    top = tmp_path_factory.mktemp("files")
    inside = top / "root"
    inside.mkdir()
    before = snapshot(top, inside)
    metadata = {
        "config": {
            "files": {
                path: {"content": base64.b64encode(data).decode(), "encoding": "base64"}
                for path, data in files.items()
            }
        }
    }
    try:
        execute(plan(metadata), LocalBackend(inside))
    except CfnInitStepError:
        # Only possible when one path is a prefix folder of another.
        assert any(other.startswith(path + "/") for path in files for other in files)
    else:
        for path, data in files.items():
            assert (inside / path.lstrip("/")).read_bytes() == data
    assert snapshot(top, inside) == before
