"""``awscore completion``: scripts generated from the parsers, sourced in bash."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from awscore.cli import build_parser, main
from awscore.cli._completion import SHELLS, script
from awscore.errors import CliError
from tests.cli._shell import BASH, ROOT
from tests.conftest import require_peer

# Completes the words of LINE as bash would on <Tab>: source the script, then call
# the function it registered for `awscore`, and print what it offers.
_COMPLETE = r"""
source "$SCRIPT" || exit 9
function=$(complete -p awscore | sed -E 's/.* -F ([^ ]+) .*/\1/')
read -ra COMP_WORDS <<< "$LINE"
[[ "$LINE" == *" " ]] && COMP_WORDS+=("")
COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
COMP_LINE=$LINE
COMP_POINT=${#LINE}
COMPREPLY=()
"$function" awscore "${COMP_WORDS[-1]}" "${COMP_WORDS[-2]}"
printf '%s\n' "${COMPREPLY[@]}"
"""


@pytest.fixture(scope="module")
def bash_script(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """What `awscore completion bash` prints, in a file to source."""
    require_peer("shtab")
    path = tmp_path_factory.mktemp("completion") / "awscore.bash"
    done = subprocess.run(
        [sys.executable, "-m", "awscore", "completion", "bash"],
        env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
        capture_output=True,
        timeout=60,
        check=True,
    )
    path.write_bytes(done.stdout)
    return path


def _complete(script_path: Path, line: str) -> list[str]:
    done = subprocess.run(  # noqa: S603 - bash runs the fixed script above
        [BASH, "-c", _COMPLETE],
        env={"SCRIPT": str(script_path), "LINE": line, "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.split()


@pytest.mark.parametrize(
    ("line", "offered"),
    [
        ("awscore ", ["sigv4", "kinesis", "cfn-init", "k8s-dns", "tour", "completion"]),
        ("awscore sig", ["sigv4"]),
        ("awscore sigv4 ", ["sign", "presign", "verify"]),
        ("awscore cfn-hup check --", ["--conf", "--old", "--new", "--json"]),
        ("awscore codeartifact resolve d --format p", ["pypi"]),
        ("awscore tour --module cfn", ["cfn-init"]),
        ("awscore completion ", ["bash", "zsh", "fish"]),
    ],
)
def test_bash_completes_commands_verbs_flags_and_choices(
    line: str, offered: list[str], bash_script: Path
) -> None:
    """Sourced in bash, the script offers what the parser accepts at that point."""
    got = _complete(bash_script, line)
    assert set(offered) <= set(got), got


def test_every_verb_completes_in_bash(bash_script: Path) -> None:
    from tests.cli._tree import verbs

    for path in verbs():
        if len(path) == 2:
            assert path[1] in _complete(bash_script, f"awscore {path[0]} "), path


@pytest.mark.parametrize("shell", SHELLS)
def test_each_shell_gets_a_script_naming_every_command(
    shell: str, capsys: pytest.CaptureFixture[str]
) -> None:
    require_peer("shtab")
    assert main(["completion", shell]) == 0
    text = capsys.readouterr().out
    for name in (
        "sigv4",
        "codeartifact",
        "k8s-dns",
        "resolv-conf",
        "fail-on-exposure",
    ):
        assert name in text


def test_zsh_and_fish_scripts_differ_from_bash() -> None:
    require_peer("shtab")
    parser = build_parser()
    scripts = {shell: script(parser, shell) for shell in SHELLS}
    assert scripts["zsh"].startswith("#compdef awscore")
    assert "complete -c awscore" in scripts["fish"]
    assert len(set(scripts.values())) == 3


def test_an_unknown_shell_is_refused() -> None:
    with pytest.raises(CliError, match="not one of bash, zsh, fish"):
        script(build_parser(), "tcsh")


def test_without_shtab_the_error_says_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "shtab", None)  # import shtab now fails
    assert main(["completion", "bash"]) == 1
    assert capsys.readouterr().err == (
        "awscore: completion needs shtab, which is not installed: "
        "pip install 'awscore[completion]'\n"
    )
