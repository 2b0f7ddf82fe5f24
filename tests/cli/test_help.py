"""Every ``--help``: at most 100 columns, and ends with examples that run as shown.

The examples are run verbatim with bash from a copy of the repository (they use the
shipped ``examples/`` folder), each with the exit status it documents.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from awscore.cli import build_parser
from tests.cli._shell import parse_command, repo_copy, run, user_env
from tests.cli._tree import help_examples, help_text, is_verb, verbs, walk

PATHS = [path for path, _ in walk(build_parser())]
EXAMPLES = [
    (" ".join(path), example)
    for path in PATHS
    for example in help_examples(help_text(path))
]


@pytest.mark.parametrize("columns", [60, 100, 250])
@pytest.mark.parametrize("path", PATHS, ids=" ".join)
def test_help_fits_100_columns(path: tuple[str, ...], columns: int) -> None:
    """No line of any --help is wider than 100 columns, on any terminal."""
    wide = [line for line in help_text(path, columns).splitlines() if len(line) > 100]
    assert wide == []


@pytest.mark.parametrize("path", PATHS, ids=" ".join)
def test_every_verb_ends_with_two_examples(path: tuple[str, ...]) -> None:
    """A verb's --help ends with two commands of that verb to copy."""
    parser = dict(walk(build_parser()))[path]
    examples = help_examples(help_text(path))
    if not is_verb(parser):
        return
    assert len(examples) == 2, examples
    for example in examples:
        assert f"awscore {' '.join(path[1:])}" in example


def test_the_tree_has_every_verb() -> None:
    """The walk sees each verb (so the tests above cannot pass by seeing none)."""
    assert {"sigv4 sign", "cfn-hup check", "k8s-dns serve", "completion"} <= {
        " ".join(v) for v in verbs()
    }
    assert len(verbs()) >= 25


@pytest.fixture(scope="module")
def copy(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    base = tmp_path_factory.mktemp("help-examples")
    return repo_copy(base / "repo"), user_env(base)


@pytest.mark.parametrize(("where", "example"), EXAMPLES)
def test_help_example_runs(
    where: str, example: str, copy: tuple[Path, dict[str, str]]
) -> None:
    """Each example of each --help runs as written and exits as it says."""
    command = parse_command(example, f"awscore {where} --help")
    assert command.needs is None, "--help examples must all run"
    cwd, env = copy
    ran = run(command, cwd, env)
    assert ran.code == command.exits, (example, ran.err[-2000:])
    if command.exits in (0, 3) and not command.server:
        assert "Traceback" not in ran.err
        assert ran.out or command.exits == 3 or "completion" in example
