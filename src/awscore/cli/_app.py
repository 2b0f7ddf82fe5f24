"""Argument parsing and error handling shared by every ``awscore`` command."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from awscore import __version__
from awscore.cli import _tour
from awscore.cli._output import (
    EXIT_CODES_HELP,
    EXIT_ERROR,
    EXIT_FOUND,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_USAGE,
    error_line,
    use_help_formatter,
)
from awscore.cli._registry import load
from awscore.errors import AwsCoreError

__all__ = [
    "EXIT_DOMAIN_ERROR",
    "EXIT_ERROR",
    "EXIT_FOUND",
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "EXIT_USAGE",
    "build_parser",
    "main",
]

#: The older name of :data:`EXIT_ERROR`.
EXIT_DOMAIN_ERROR = EXIT_ERROR

_EPILOG = f"""\
{EXIT_CODES_HELP}

`awscore COMMAND --help` shows a command's verbs; each verb's help ends with examples
that run from the repository's root on the shipped examples/ folder.
`awscore completion bash|zsh|fish` prints shell completion.

examples:
  awscore tour --module sigv4
  awscore kinesis analyze examples/kinesis/traffic.csv --shards 4"""


def build_parser() -> argparse.ArgumentParser:
    """The complete ``awscore`` argument parser, every registered module included."""
    parser = argparse.ArgumentParser(
        prog="awscore",
        description="Reference implementations of the algorithms at the core of AWS.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"awscore {__version__}")
    subparsers = parser.add_subparsers(title="commands", metavar="COMMAND")
    for module in load():
        module.register(subparsers)
    _tour.register(subparsers)
    from awscore.cli import _completion  # it walks the tree built above

    _completion.register(subparsers, parser)
    use_help_formatter(parser)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``awscore`` with ``argv`` (default: ``sys.argv[1:]``); return the exit code.

    Exit codes: 0 success, 1 invalid input or a domain error (one line on stderr,
    no traceback), 2 a usage error (argparse's message), 3 the command ran and
    found what it reports (not found, an exposure, hooks that fire, a rejected
    signature, a failed apply), 130 interrupted with Ctrl-C.
    """
    try:
        parser = build_parser()
        args = parser.parse_args(argv)
        handler = getattr(args, "handler", None)
        if handler is None:
            parser.print_help(sys.stderr)
            return EXIT_USAGE
        code: int = handler(args)
    except AwsCoreError as exc:
        sys.stderr.write(error_line(exc))
        return EXIT_ERROR
    except BrokenPipeError:
        # The reader went away (`awscore tour | head`): stop quietly, and point
        # stdout at /dev/null so the interpreter's final flush does not fail too.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_ERROR
    except OSError as exc:
        # A file that cannot be read is the user's environment,
        # not a bug: report it like a domain error.
        sys.stderr.write(f"awscore: {exc.strerror or exc}: {exc.filename or ''}\n")
        return EXIT_ERROR
    except KeyboardInterrupt:
        # quiet, as other tools stop on Ctrl-C: the shell already echoed ^C
        return EXIT_INTERRUPTED
    return code
