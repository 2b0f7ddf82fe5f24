"""The README holds true: every shell line and every Python block runs as written.

Each ``sh`` block is pasted into one bash (so ``export`` lines carry on to the next
command, as in a user's terminal) in a temporary copy of the repository, and each
command must end with the exit status it documents (0 unless it says ``# exits N``).
A server (``# until Ctrl-C``) is started on its own and stopped with SIGINT. Each
``python`` block runs as a script of its own. The only lines not run are the ones
marked ``# needs: ...``; the test pins that list, so it cannot grow unnoticed.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli._shell import (
    BASH,
    ROOT,
    Command,
    join_continuations,
    parse_command,
    repo_copy,
    run,
    user_env,
)

_FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.MULTILINE | re.DOTALL)
_MARK = "__awscore_readme_status__"

#: The README lines the tests do not run, and why: keep this list short.
NOT_RUN = {
    "python3 -m pip install . && awscore tour": "network (PyPI)",
    "python3 -m pip install -e '.[test]' && python3 -m pytest": "network (PyPI)",
    "python3 -m pip install -e '.[all]'": "network (PyPI)",
    "bash .ci/run": "a fresh machine and about twenty minutes",
}


def blocks(kind: str) -> list[tuple[int, str]]:
    """The README's fenced blocks of ``kind`` (``sh``, ``python``), numbered."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    found = [m.group(2) for m in _FENCE.finditer(text) if m.group(1) == kind]
    return list(enumerate(found, 1))


def commands(block: str, number: int) -> list[Command]:
    lines = [line for line in block.splitlines() if not line.lstrip().startswith("#")]
    return [
        parse_command(text, f"README sh block {number}")
        for text in join_continuations(lines)
    ]


def _strip_comment(text: str) -> str:
    return text.split("  #", 1)[0].strip()


def test_the_readme_has_blocks_to_run() -> None:
    """The parser finds the README's blocks (a test that runs none proves nothing)."""
    assert len(blocks("sh")) >= 10
    assert len(blocks("python")) >= 8


def test_only_the_listed_lines_are_not_run() -> None:
    """Lines marked ``# needs:`` are exactly :data:`NOT_RUN`, with its reasons."""
    marked = {
        _strip_comment(c.text): c.needs
        for number, block in blocks("sh")
        for c in commands(block, number)
        if c.needs is not None
    }
    assert marked == NOT_RUN


@pytest.fixture(scope="module")
def copy(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    base = tmp_path_factory.mktemp("readme")
    return repo_copy(base / "repo"), user_env(base)


def _script(batch: list[Command]) -> str:
    # after each command, its status on stderr, whatever the command did
    return "".join(f"{c.text}\nprintf '\\n{_MARK} %s\\n' \"$?\" >&2\n" for c in batch)


def _run_batch(batch: list[Command], cwd: Path, env: dict[str, str]) -> None:
    done = subprocess.run(  # noqa: S603 - bash runs the README's own text
        [BASH, "-c", _script(batch)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    statuses = [
        int(line.split()[1])
        for line in done.stderr.splitlines()
        if line.startswith(_MARK)
    ]
    assert len(statuses) == len(batch), done.stderr[-3000:]
    for command, status in zip(batch, statuses, strict=True):
        assert status == command.exits, (command.text, done.stderr[-3000:])
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize(("number", "block"), blocks("sh"))
def test_readme_shell_block(
    number: int, block: str, copy: tuple[Path, dict[str, str]]
) -> None:
    """Every command of the block ends with the status it documents."""
    cwd, env = copy
    batch: list[Command] = []
    for command in commands(block, number):
        if command.needs is not None:
            continue
        if command.server:
            if batch:
                _run_batch(batch, cwd, env)
                batch = []
            ran = run(command, cwd, env)
            assert ran.code == command.exits, (command.text, ran.err[-2000:])
            assert ran.out.startswith("serving "), ran.out
            continue
        batch.append(command)
    if batch:
        _run_batch(batch, cwd, env)


@pytest.mark.parametrize(("number", "block"), blocks("python"))
def test_readme_python_block(
    number: int, block: str, copy: tuple[Path, dict[str, str]]
) -> None:
    """Every Python block runs as a script, from the repository's root."""
    cwd, env = copy
    script = cwd / f"readme_block_{number}.py"
    script.write_text(block, encoding="utf-8")
    done = subprocess.run(  # noqa: S603 - this interpreter, the README's own code
        [sys.executable, str(script)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
