"""Argument parsing and error handling shared by every ``awscore`` command."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from awscore import __version__
from awscore.cli import _tour
from awscore.cli._registry import load
from awscore.errors import AwsCoreError

EXIT_OK = 0
EXIT_DOMAIN_ERROR = 1
EXIT_USAGE = 2


def build_parser() -> argparse.ArgumentParser:
    """The complete ``awscore`` argument parser, every registered module included."""
    parser = argparse.ArgumentParser(
        prog="awscore",
        description="Reference implementations of the algorithms at the core of AWS.",
        epilog="examples:\n  awscore tour\n  awscore sigv4 sign GET "
        "https://example.amazonaws.com/ --region us-east-1 --service service",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"awscore {__version__}")
    subparsers = parser.add_subparsers(title="commands", metavar="COMMAND")
    for module in load():
        module.register(subparsers)
    _tour.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``awscore`` with ``argv`` (default: ``sys.argv[1:]``); return the exit code.

    Exit codes: 0 success, 1 a domain error (one line on stderr, no traceback),
    2 a usage error (argparse's message).
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    handler = getattr(args, "handler", None)
    if handler is None:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    try:
        code: int = handler(args)
    except AwsCoreError as exc:
        sys.stderr.write(f"awscore: {type(exc).__name__}: {exc}\n")
        return EXIT_DOMAIN_ERROR
    except BrokenPipeError:
        # The reader went away (`awscore tour | head`): stop quietly, and point
        # stdout at /dev/null so the interpreter's final flush does not fail too.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_DOMAIN_ERROR
    except OSError as exc:
        # A file that cannot be read is the user's environment,
        # not a bug: report it like a domain error.
        sys.stderr.write(f"awscore: {exc.strerror or exc}: {exc.filename or ''}\n")
        return EXIT_DOMAIN_ERROR
    except KeyboardInterrupt:
        return 130
    return code
