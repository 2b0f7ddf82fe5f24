"""The one place where capabilities join the CLI.

A capability's CLI module (``awscore.cli.<name>``) provides:

* ``register(subparsers)``: adds ``awscore <name> ...`` and its verbs; each verb sets
  ``handler`` (a ``Callable[[argparse.Namespace], int]``) with ``set_defaults``;
* ``TOUR``: a :class:`~awscore.cli._tour.TourSection` for ``awscore tour``.

Adding a capability means adding its name below and nothing else here, so this file
stays small and no change has to edit a central dispatcher.
"""

from __future__ import annotations

import importlib
from types import ModuleType

#: CLI modules in the order ``awscore --help`` and ``awscore tour`` show them.
CLI_MODULES: tuple[str, ...] = (
    "sigv4",
    "kinesis",
    "quorum",
    "autoscaling",
    "cfn_init",
    "codeartifact",
    "k8s_dns",
    "vpn",
    "eventbridge",
    "roles_anywhere",
)


def load() -> list[ModuleType]:
    """Import every registered CLI module."""
    return [importlib.import_module(f"awscore.cli.{name}") for name in CLI_MODULES]
