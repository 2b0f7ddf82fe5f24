"""A Sphinx directive that documents the ``awscore`` CLI from its argparse parsers.

``.. awscore-cli::`` renders ``--help`` of the program and of every command and
verb, so the CLI page cannot drift from the code.
"""

from __future__ import annotations

import argparse
import os

from docutils import nodes
from docutils.parsers.rst import Directive
from sphinx.application import Sphinx

from awscore.cli import build_parser


def _subcommands(
    parser: argparse.ArgumentParser,
) -> list[tuple[str, argparse.ArgumentParser]]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return list(action.choices.items())
    return []


def _walk(
    parser: argparse.ArgumentParser, path: list[str]
) -> list[tuple[list[str], argparse.ArgumentParser]]:
    found = [(path, parser)]
    for name, sub in _subcommands(parser):
        found.extend(_walk(sub, [*path, name]))
    return found


class AwscoreCli(Directive):
    """Insert a section per command with its ``--help`` text."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        # A fixed width keeps the generated text identical on every machine.
        os.environ["COLUMNS"] = "100"
        result: list[nodes.Node] = []
        for path, parser in _walk(build_parser(), ["awscore"]):
            title = " ".join(path)
            section = nodes.section(ids=[nodes.make_id(title)])
            section += nodes.title(text=title)
            help_text = parser.format_help()
            block = nodes.literal_block(help_text, help_text)
            block["language"] = "text"
            section += block
            result.append(section)
        return result


def setup(app: Sphinx) -> dict[str, object]:
    app.add_directive("awscore-cli", AwscoreCli)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
