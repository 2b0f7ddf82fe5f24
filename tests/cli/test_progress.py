"""The progress bar: drawn on a terminal, silent in a pipe and under --json.

A real pseudo-terminal (and tmux, a real terminal emulator) runs ``awscore quorum
--exact`` on a layout large enough to take a second or more: the bar must appear
on the terminal's screen, never in a pipe, and Ctrl-C must stop the work with
status 130 and the bar erased.
"""

from __future__ import annotations

import io
import os
import pty
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from awscore.cli._progress import Progress, progress
from tests.cli._shell import ROOT
from tests.conftest import require_tool

# about 1-2 s of exact enumeration on a laptop: long enough to draw the bar
SLOW = ["quorum", "--azs", "3", "--per-az", "100", "--write", "200", "--read", "100"]
# about 10 s: long enough to be interrupted half-way
SLOWER = ["quorum", "--azs", "3", "--per-az", "200", "--write", "400", "--read", "200"]
CLEAR = "\r\x1b[K"


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        [str(ROOT / "src"), *filter(None, [env.get("PYTHONPATH")])]
    )
    env["COLUMNS"] = "100"
    return env


def _read_until(fd: int, process: subprocess.Popen[bytes], want: str | None) -> str:
    """What the terminal shows until ``want`` appears or the process ends."""
    seen = b""
    deadline = time.monotonic() + 120  # a bound against hanging, not a timing check
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(fd, 4096)
            except OSError:  # the other side closed (Linux reports EIO)
                break
            if not chunk:
                break
            seen += chunk
            if want is not None and want in seen.decode(errors="replace"):
                break
        elif process.poll() is not None:
            break
    return seen.decode(errors="replace")


def _on_terminal(argv: list[str], *, interrupt: bool = False) -> tuple[int, str, bytes]:
    """Run awscore with stderr on a pseudo-terminal: status, terminal, stdout."""
    main, terminal = pty.openpty()
    process = subprocess.Popen(  # noqa: S603 - this interpreter, fixed arguments
        [sys.executable, "-m", "awscore", *argv],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=terminal,
        env=_env(),
    )
    os.close(terminal)
    try:
        shown = _read_until(main, process, "quorum [" if interrupt else None)
        if interrupt:
            process.send_signal(signal.SIGINT)
            shown += _read_until(main, process, None)
        out, _ = process.communicate(timeout=120)
    finally:
        os.close(main)
    return process.returncode, shown, out


def test_the_bar_shows_on_a_terminal() -> None:
    """On a terminal, stderr carries the bar, and it is erased at the end."""
    code, shown, out = _on_terminal([*SLOW, "--exact"])
    assert code == 0
    assert "quorum [" in shown
    assert "/4 " in shown  # four enumerations, counted
    assert shown.endswith(CLEAR)  # erased: nothing left on the line
    assert b"this layout:" in out  # and stdout is the plain report


def test_no_bar_under_json_even_on_a_terminal() -> None:
    code, shown, out = _on_terminal([*SLOW, "--exact", "--json"])
    assert code == 0
    assert shown == ""
    assert out.startswith(b"{")


def test_no_bar_in_a_pipe() -> None:
    """In a pipe, stderr stays empty: scripts see only the report."""
    done = subprocess.run(  # noqa: S603 - this interpreter, fixed arguments
        [sys.executable, "-m", "awscore", *SLOW, "--exact"],
        capture_output=True,
        env=_env(),
        timeout=120,
        check=False,
    )
    assert done.returncode == 0
    assert done.stderr == b""
    assert b"this layout:" in done.stdout


def test_ctrl_c_stops_the_work_and_erases_the_bar() -> None:
    """SIGINT half-way: exit 130, the bar erased, no traceback, no report."""
    code, shown, out = _on_terminal([*SLOWER, "--exact"], interrupt=True)
    assert code == 130
    assert "quorum [" in shown
    assert shown.endswith(CLEAR)
    assert "Traceback" not in shown
    assert out == b""


def test_the_bar_on_a_real_terminal_emulator(tmp_path: Path) -> None:
    """tmux draws what a user sees: the bar on screen while quorum works."""
    tmux = require_tool("tmux")
    socket = f"awscore-test-{os.getpid()}"
    status = tmp_path / "status"
    command = " ".join(
        [
            "env",
            f"PYTHONPATH={_env()['PYTHONPATH']}",
            sys.executable,
            "-m",
            "awscore",
            *SLOW,
            "--exact",
            "> /dev/null;",
            f"echo $? > {status};",
            "sleep 30",
        ]
    )
    base = [tmux, "-L", socket, "-f", os.devnull]
    subprocess.run(  # noqa: S603 - tmux from PATH, fixed arguments
        [*base, "new-session", "-d", "-x", "100", "-y", "10", command],
        check=True,
        timeout=30,
    )
    try:
        screen = ""
        deadline = time.monotonic() + 120  # a bound against hanging
        while time.monotonic() < deadline and "quorum [" not in screen:
            screen = subprocess.run(  # noqa: S603 - tmux, fixed arguments
                [*base, "capture-pane", "-p"],
                capture_output=True,
                text=True,
                timeout=30,
                check=True,
            ).stdout
            time.sleep(0.1)
        assert "quorum [" in screen
        assert "% " in screen
        while time.monotonic() < deadline and not status.exists():
            time.sleep(0.2)
        assert status.read_text().strip() == "0"
    finally:
        subprocess.run([*base, "kill-server"], timeout=30, check=False)  # noqa: S603


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_is_on_only_for_a_terminal_without_json(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import argparse

    monkeypatch.setattr(sys, "stderr", _Terminal())
    assert progress(argparse.Namespace(json=False), "x", 2).enabled
    assert not progress(argparse.Namespace(json=True), "x", 2).enabled
    assert progress(argparse.Namespace(), "x", None).enabled  # verbs without --json
    monkeypatch.setattr(sys, "stderr", io.StringIO())
    assert not progress(argparse.Namespace(json=False), "x", 2).enabled


def test_the_line_counts_and_fits() -> None:
    bar = Progress("quorum", 4, stream=io.StringIO(), enabled=False)
    bar.advance("read done")
    line = bar.line(100)
    assert line.startswith("quorum [#####---------------]  25% 1/4 ")
    assert "read done" in line
    assert line.endswith(" s")
    assert len(bar.line(30)) <= 30
    unknown = Progress("simulate", None, stream=io.StringIO(), enabled=False)
    assert unknown.line(100).startswith("simulate ")
    assert "[" not in unknown.line(100)


def test_a_disabled_bar_writes_nothing() -> None:
    stream = io.StringIO()
    with Progress("x", 2, stream=stream, enabled=False) as bar:
        bar.advance()
    assert stream.getvalue() == ""


def test_an_enabled_bar_draws_and_erases() -> None:
    stream = io.StringIO()
    with Progress("x", 2, stream=stream, enabled=True, interval=0.01) as bar:
        bar.advance("half")
        deadline = time.monotonic() + 30  # a bound, not a timing check
        while "x [" not in stream.getvalue() and time.monotonic() < deadline:
            time.sleep(0.01)
    assert "x [" in stream.getvalue()
    assert stream.getvalue().endswith(CLEAR)
