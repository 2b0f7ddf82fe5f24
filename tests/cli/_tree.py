"""The ``awscore`` parser tree: every command and verb, and its ``--help``."""

from __future__ import annotations

import argparse
from collections.abc import Iterator

import pytest

from awscore.cli import build_parser
from tests.cli._shell import join_continuations


def walk(
    parser: argparse.ArgumentParser, path: tuple[str, ...] = ("awscore",)
) -> Iterator[tuple[tuple[str, ...], argparse.ArgumentParser]]:
    """Every parser under ``parser`` (itself first), with its command path."""
    yield path, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from walk(sub, (*path, name))


def is_verb(parser: argparse.ArgumentParser) -> bool:
    """A parser that runs something (it has no verbs under it)."""
    return not any(isinstance(a, argparse._SubParsersAction) for a in parser._actions)


def verbs() -> list[tuple[str, ...]]:
    """The command path of every verb, e.g. ``("sigv4", "sign")``."""
    return [path[1:] for path, parser in walk(build_parser()) if is_verb(parser)]


def help_text(path: tuple[str, ...], columns: int = 100) -> str:
    """``awscore PATH --help`` as a terminal ``columns`` wide shows it."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("COLUMNS", str(columns))
        parser = build_parser()
        for _, sub in walk(parser):
            if _ == path:
                return sub.format_help()
    raise LookupError(path)


def help_examples(text: str) -> list[str]:
    """The commands of the examples block that ends a help text."""
    _, found, block = text.rpartition("\nexamples:\n")
    if not found:
        return []
    lines = block.rstrip("\n").split("\n")
    assert all(line.startswith("  ") for line in lines), lines
    return join_continuations(lines)
