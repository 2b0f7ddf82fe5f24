"""Input and output shapes every ``awscore`` command shares.

``--json`` is spelled and written the same way by every verb: the flag comes
from :func:`add_json_flag` and the document goes out through :func:`write_json`
(indented, one trailing newline). A file argument where ``-`` means standard
input is read with :func:`read_text`.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from collections.abc import Callable
from pathlib import Path

from awscore.errors import CliError, SigV4VerificationError


def add_json_flag(parser: argparse.ArgumentParser) -> None:
    """Add the ``--json`` flag (``args.json``) every verb with data offers."""
    parser.add_argument("--json", action="store_true", help="machine-readable output")


def write_json(
    document: object,
    *,
    sort_keys: bool = False,
    default: Callable[[object], object] | None = None,
) -> None:
    """Write ``document`` to standard output as indented JSON and a newline."""
    json.dump(document, sys.stdout, indent=2, sort_keys=sort_keys, default=default)
    sys.stdout.write("\n")


def read_text(path: str) -> str:
    """The UTF-8 text of the file ``path``, or of standard input for ``-``."""
    try:
        if path == "-":
            return sys.stdin.read()
        return Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError:
        name = "standard input" if path == "-" else path
        raise CliError(f"{name}: not UTF-8 text") from None


#: The exit codes every verb uses (docs/cli.md and ``awscore --help`` show them).
EXIT_OK = 0
#: Invalid input or a domain error: one line on standard error, no traceback.
EXIT_ERROR = 1
#: A usage error: argparse's message.
EXIT_USAGE = 2
#: The command ran and found what it reports: not found, an exposure, hooks that
#: fire, a rejected signature or packet, a failed apply.
EXIT_FOUND = 3
#: Interrupted with Ctrl-C (128 + SIGINT, as shells report it).
EXIT_INTERRUPTED = 130

#: The contract as ``--help`` prints it, and as the CLI page shows it.
EXIT_CODES_HELP = """\
exit status:
  0    success
  1    invalid input or a domain error (one line on stderr)
  2    usage error
  3    ran fine and found what you asked to be told about: not found, an
       exposure, hooks that fire, a rejected signature, a failed apply
  130  interrupted (Ctrl-C)"""


def error_line(error: BaseException) -> str:
    """The one stderr line for ``error``: its message, in the domain's words.

    AWS's own error code leads where the error carries one (``SignatureDoesNotMatch``),
    never a Python class name.
    """
    message = " ".join(str(error).split()) or "failed"
    if isinstance(error, SigV4VerificationError):
        return f"awscore: {aws_code(error)}: {message}\n"
    return f"awscore: {message}\n"


def aws_code(error: SigV4VerificationError) -> str:
    """The most specific error code AWS answers with (S3's: RequestTimeTooSkewed)."""
    return error.s3_code or error.code


def found(message: str) -> int:
    """Report a finding (one line on stderr) and return :data:`EXIT_FOUND`."""
    sys.stderr.write(f"awscore: {message}\n")
    return EXIT_FOUND


def epilog(*examples: str, notes: str = "", found: str = "") -> str:
    """A verb's ``--help`` epilog: notes, what exit 3 means, then the examples.

    Each example is one command; a ``\\n`` in it continues the command on the next
    line (written with `` \\`` and indented). Examples come last, so the help of
    every verb ends with commands to copy; they run from the repository's root
    against the shipped ``examples/`` folder, and a test runs every one.
    """
    parts = [notes.rstrip()] if notes else []
    if found:
        parts.append(f"exit status 3: {found} (every code: awscore --help)")
    lines = ["examples:"]
    for example in examples:
        first, *rest = example.split("\n")
        lines.append("  " + first + (" \\" if rest else ""))
        lines += [
            "      " + line + (" \\" if i < len(rest) - 1 else "")
            for i, line in enumerate(rest)
        ]
    parts.append("\n".join(lines))
    return "\n\n".join(parts) + "\n"


#: The widest ``--help`` gets, whatever the terminal's width.
HELP_WIDTH = 100


class HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """``--help`` at most :data:`HELP_WIDTH` columns wide.

    A one-paragraph description is wrapped to the width; text written on several
    lines (epilogs, examples, tables) is kept exactly as written.
    """

    def __init__(self, prog: str) -> None:
        columns = shutil.get_terminal_size().columns
        super().__init__(prog, width=min(HELP_WIDTH, columns) - 2)

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        if "\n" in text.strip():
            return super()._fill_text(text, width, indent)
        return argparse.HelpFormatter._fill_text(self, text, width, indent)


def use_help_formatter(parser: argparse.ArgumentParser) -> None:
    """Give ``parser`` and every parser under it :class:`HelpFormatter`."""
    parser.formatter_class = HelpFormatter
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                use_help_formatter(sub)
