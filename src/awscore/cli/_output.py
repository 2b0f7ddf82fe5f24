"""Input and output shapes every ``awscore`` command shares.

``--json`` is spelled and written the same way by every verb: the flag comes
from :func:`add_json_flag` and the document goes out through :func:`write_json`
(indented, one trailing newline). A file argument where ``-`` means standard
input is read with :func:`read_text`.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path

from awscore.errors import SigV4VerificationError


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
    return sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")


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
       exposure, hooks that fire, a signature or packet rejected, a failed apply
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
