"""``awscore tour``: every capability run on built-in examples."""

from __future__ import annotations

import argparse
import sys
import textwrap
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from awscore.cli._output import add_json_flag, epilog, write_json
from awscore.cli._registry import load


@dataclass(frozen=True, slots=True, kw_only=True)
class TourPart:
    """What one tour section shows: text for people, data for ``--json``."""

    text: str
    data: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, kw_only=True)
class TourSection:
    """A capability's entry in the tour."""

    name: str
    title: str
    run: Callable[[], TourPart]


#: The widest line the tour prints (and its page on the docs site shows).
WIDTH = 100


def fit(text: str, width: int = WIDTH) -> str:
    """``text`` with every line wider than ``width`` wrapped at a space.

    A wrapped line continues four columns deeper than it starts, so tables and
    hop-by-hop listings stay readable on a 100-column terminal.
    """
    lines: list[str] = []
    for line in text.split("\n"):
        if len(line) <= width:
            lines.append(line)
            continue
        indent = " " * (len(line) - len(line.lstrip(" ")) + 4)
        lines += textwrap.wrap(
            line,
            width,
            subsequent_indent=indent,
            break_long_words=False,
            break_on_hyphens=False,
        )
    return "\n".join(lines)


def sections() -> list[TourSection]:
    """The tour sections of every registered capability, in registry order."""
    return [module.TOUR for module in load()]


def _cli_name(name: str) -> str:
    """A module's command name: ``cfn_init`` is ``awscore cfn-init``."""
    return name.replace("_", "-")


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``awscore tour``."""
    names = [_cli_name(section.name) for section in sections()]
    parser = subparsers.add_parser(
        "tour",
        help="a guided run of every module on built-in examples",
        description="Run every awscore module on built-in examples and explain "
        "what each step computes.",
        epilog=epilog("awscore tour --module cfn-init", "awscore tour --json"),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--module",
        choices=names,
        type=_cli_name,
        metavar="MODULE",
        help="show only this module's part of the tour: "
        + ", ".join(names)
        + " (cfn_init and k8s_dns also work)",
    )
    add_json_flag(parser)
    parser.set_defaults(handler=_run)


def _run(args: argparse.Namespace) -> int:
    chosen = [s for s in sections() if args.module in (None, _cli_name(s.name))]
    parts = [(section, section.run()) for section in chosen]
    if args.json:
        document = {s.name: {"title": s.title, **p.data} for s, p in parts}
        write_json(document, sort_keys=True)
        return 0
    out = sys.stdout
    if args.module is None:
        out.write(
            "awscore tour: each module run on a built-in example.\n"
            "Run `awscore tour --module NAME` for one part, `--json` for data.\n\n"
        )
    for section, part in parts:
        rule = "=" * len(section.title)
        out.write(f"{section.title}\n{rule}\n\n{fit(part.text.rstrip())}\n\n")
    return 0
