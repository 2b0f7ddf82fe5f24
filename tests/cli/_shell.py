"""Running documented shell commands as a user would, from a copy of the repository.

The README and every ``--help`` show commands to copy; these helpers run them
verbatim with ``bash`` in a temporary copy of the repository (so nothing they write
lands in the checkout), with ``python3`` and ``awscore`` on ``PATH`` meaning the
interpreter and the awscore under test.

Conventions a command may carry, as a trailing comment a reader sees too:

* ``# exits N``: the command's documented exit status is N (default 0);
* ``# until Ctrl-C``: a server; it is started, sent SIGINT once it has printed its
  first line, and must exit 130;
* ``# needs: WHAT``: not run by the tests, because it needs WHAT (the network, or
  a long-running build); the README-runner keeps the list of these short and exact.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
#: The shell the documented commands are written for.
BASH = shutil.which("bash") or "/bin/bash"

_EXITS = re.compile(r"#\s*exits\s+(\d+)")
_NEEDS = re.compile(r"#\s*needs:\s*(.+)$")


@dataclass(frozen=True, slots=True, kw_only=True)
class Command:
    """One documented command: its text (continuations joined) and expectations."""

    text: str
    where: str
    exits: int
    server: bool
    needs: str | None


def parse_command(text: str, where: str) -> Command:
    """A :class:`Command` from its text, honouring the trailing conventions."""
    exits = _EXITS.search(text)
    needs = _NEEDS.search(text)
    server = "# until Ctrl-C" in text
    return Command(
        text=text,
        where=where,
        exits=int(exits.group(1)) if exits else (130 if server else 0),
        server=server,
        needs=needs.group(1).strip() if needs else None,
    )


def join_continuations(lines: list[str]) -> list[str]:
    """Shell lines with ``\\``-continuations joined into one command each."""
    commands: list[str] = []
    current = ""
    for line in lines:
        if line.rstrip().endswith("\\"):
            current += line.rstrip()[:-1].rstrip() + " "
            continue
        current += line.strip()
        if current.strip():
            commands.append(current.strip())
        current = ""
    if current.strip():
        commands.append(current.strip())
    return commands


def repo_copy(target: Path) -> Path:
    """A copy of what documented commands read: README.md and examples/."""
    target.mkdir(parents=True, exist_ok=True)
    shutil.copy2(ROOT / "README.md", target / "README.md")
    shutil.copytree(ROOT / "examples", target / "examples")
    return target


def user_env(tmp: Path) -> dict[str, str]:
    """The environment of a user's shell: ``python3`` and ``awscore`` under test."""
    bin_dir = tmp / "bin"
    bin_dir.mkdir(exist_ok=True)
    # scripts, not symlinks: a symlinked venv python loses its venv's packages
    for name, command in (("python3", ""), ("awscore", " -m awscore")):
        shim = bin_dir / name
        shim.write_text(f'#!/bin/sh\nexec "{sys.executable}"{command} "$@"\n')
        shim.chmod(0o755)
    env = dict(os.environ)
    env["PATH"] = f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"
    env["HOME"] = str(tmp / "home")
    env.pop("AWS_ACCESS_KEY_ID", None)
    env.pop("AWS_SECRET_ACCESS_KEY", None)
    env.pop("AWS_SESSION_TOKEN", None)
    (tmp / "home").mkdir(exist_ok=True)
    return env


@dataclass(frozen=True, slots=True)
class Ran:
    """What a command did."""

    code: int
    out: str
    err: str


def run(command: Command, cwd: Path, env: dict[str, str], timeout: float = 120) -> Ran:
    """Run ``command`` with bash in ``cwd``; a server is stopped with SIGINT."""
    if not command.server:
        done = subprocess.run(  # noqa: S603 - bash runs the documented text
            [BASH, "-c", command.text],
            cwd=cwd,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        return Ran(done.returncode, done.stdout, done.stderr)
    # exec: the signal goes to awscore itself, not to the shell around it
    process = subprocess.Popen(  # noqa: S603 - bash runs the documented text
        [BASH, "-c", "exec " + command.text],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    first = process.stdout.readline()
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=timeout)
    return Ran(process.returncode, first + out, err)
