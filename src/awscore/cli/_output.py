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
