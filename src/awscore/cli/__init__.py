"""The ``awscore`` command line: ``awscore <module> <verb>`` and ``awscore tour``.

The CLI is an edge adapter: it parses arguments, reads files, the clock and the
environment, then calls the pure core. Each capability contributes one file here
(``cli/sigv4.py``, ...) listed once in :mod:`awscore.cli._registry`.
"""

from awscore.cli._app import build_parser, main

__all__ = ["build_parser", "main"]
