"""``awscore completion bash|zsh|fish``: shell completion from the argparse tree.

The scripts are generated from :func:`awscore.cli.build_parser` by ``shtab`` (the
``completion`` extra), so every command, verb, flag and choice completes exactly
as it parses, and a new verb completes without anyone editing a script.
"""

from __future__ import annotations

import argparse
import sys

from awscore.cli._output import EXIT_OK
from awscore.errors import CliError

__all__ = ["SHELLS", "register", "script"]

#: The shells ``awscore completion`` writes a script for.
SHELLS = ("bash", "zsh", "fish")

_EPILOG = """\
bash: add `source <(awscore completion bash)` to ~/.bashrc.
zsh: write the script to a file named _awscore in a folder on $fpath.
fish: write it to ~/.config/fish/completions/awscore.fish.

examples:
  source <(awscore completion bash)
  awscore completion zsh > _awscore"""


def register(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser],
    root: argparse.ArgumentParser,
) -> None:
    """Add ``awscore completion SHELL``, completing the tree under ``root``."""
    parser = subparsers.add_parser(
        "completion",
        help="print a shell completion script (bash, zsh, fish)",
        description="Print the completion script of SHELL for every awscore "
        "command, verb, flag and choice (needs shtab: awscore[completion]).",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("shell", choices=SHELLS, help="the shell to complete in")
    parser.set_defaults(handler=lambda args: _run(args, root))


def script(parser: argparse.ArgumentParser, shell: str) -> str:
    """The completion script of ``shell`` for ``parser``.

    Raises :class:`~awscore.errors.CliError` with the install line when shtab is
    missing, or for a shell that is not one of :data:`SHELLS`.
    """
    if shell not in SHELLS:
        raise CliError(f"shell {shell!r} is not one of {', '.join(SHELLS)}")
    try:
        import shtab  # optional (the completion extra): imported only when asked
    except ImportError:
        raise CliError(
            "completion needs shtab, which is not installed: "
            "pip install 'awscore[completion]'"
        ) from None
    text: str = shtab.complete(parser, shell=shell)
    return text if text.endswith("\n") else text + "\n"


def _run(args: argparse.Namespace, root: argparse.ArgumentParser) -> int:
    sys.stdout.write(script(root, args.shell))
    return EXIT_OK
