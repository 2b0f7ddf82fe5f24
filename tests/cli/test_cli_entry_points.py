"""How ``awscore`` starts and stops: ``python -m awscore.cli``, ``python -m awscore``,
a reader that goes away (``awscore tour | head``) and Ctrl-C.

The entry modules are run in process with :mod:`runpy`, as ``python -m`` runs
them, so that what they do is seen by the test (and by coverage).
"""

from __future__ import annotations

import io
import os
import runpy
import subprocess
import sys

import pytest

from awscore import __version__
from awscore.cli import main


def _forget_entry_modules(monkeypatch: pytest.MonkeyPatch) -> None:
    # `python -m` starts with the entry module not imported; runpy warns when it
    # already is (another test imported it), so give it a fresh start.
    for name in ("awscore.cli.__main__", "awscore.__main__"):
        monkeypatch.delitem(sys.modules, name, raising=False)


@pytest.mark.parametrize("module", ["awscore.cli", "awscore"])
def test_python_dash_m_runs_main_and_exits_with_its_code(
    module: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _forget_entry_modules(monkeypatch)
    monkeypatch.setattr(sys, "argv", [module, "--version"])
    with pytest.raises(SystemExit) as exit_info:
        runpy.run_module(module, run_name="__main__", alter_sys=True)
    assert exit_info.value.code == 0
    assert capsys.readouterr().out.strip() == f"awscore {__version__}"


def test_python_dash_m_passes_the_usage_exit_code_on(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # No command: main() prints the help and returns 2, which becomes the exit.
    _forget_entry_modules(monkeypatch)
    monkeypatch.setattr(sys, "argv", ["awscore"])
    with pytest.raises(SystemExit) as exit_info:
        runpy.run_module("awscore.cli", run_name="__main__", alter_sys=True)
    assert exit_info.value.code == 2
    assert "usage: awscore" in capsys.readouterr().err


def test_importing_the_entry_module_runs_nothing() -> None:
    # The console script imports awscore.cli.__main__ for its `main`; the import
    # itself must not start the program.
    import awscore.cli.__main__ as entry

    assert entry.main is main


def test_reader_going_away_stops_quietly_with_exit_1(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """``awscore tour | head -1``: the pipe closes under the tour's writes.

    The command stops with exit 1, writes nothing to stderr, and stdout is
    pointed at /dev/null so that the interpreter's last flush cannot fail again.
    """
    read_end, write_end = os.pipe()
    os.close(read_end)
    stdout = open(write_end, "w", buffering=1, encoding="utf-8")  # noqa: SIM115
    monkeypatch.setattr(sys, "stdout", stdout)
    try:
        assert main(["tour"]) == 1
        stdout.write("after the reader left\n" * 1000)
        stdout.flush()  # would raise BrokenPipeError without the redirection
        assert os.path.samestat(os.fstat(stdout.fileno()), os.stat(os.devnull))
    finally:
        stdout.close()
    assert capsys.readouterr().err == ""


def test_reader_gone_in_a_real_process_leaves_no_traceback() -> None:
    # The pipe's read end is closed before the process starts, so its very
    # first write fails with EPIPE, whatever the timing; a reader that reads a
    # line and then closes could instead find the whole tour already buffered.
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        result = subprocess.run(
            [sys.executable, "-m", "awscore", "tour"],
            stdout=write_end,
            stderr=subprocess.PIPE,
            check=False,
            timeout=60,
        )
    finally:
        os.close(write_end)
    assert result.returncode == 1
    assert result.stderr == b""


def test_ctrl_c_while_reading_stdin_exits_130(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # 130 = 128 + SIGINT, what a shell reports for a program stopped by Ctrl-C.
    class InterruptedStdin(io.StringIO):
        def read(self, size: int | None = -1) -> str:
            raise KeyboardInterrupt

    monkeypatch.setattr(sys, "stdin", InterruptedStdin())
    assert main(["kinesis", "analyze", "-", "--shards", "2"]) == 130
    captured = capsys.readouterr()
    assert (captured.out, captured.err) == ("", "")
