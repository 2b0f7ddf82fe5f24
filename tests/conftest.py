"""Shared test configuration: hypothesis profiles and the official vectors.

Profiles: ``dev`` (default, quick) and ``ci`` (more examples), chosen with
``HYPOTHESIS_PROFILE``. Vectors: ``$AWSCORE_VECTORS`` if set, else
``../shared/vectors`` beside the checkout. Under ``CI=true`` a missing vector
folder or peer package fails the test instead of skipping it, so CI can never
pass by testing less.
"""

from __future__ import annotations

import importlib
import os
import shutil
from pathlib import Path
from types import ModuleType

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile("dev", max_examples=60, deadline=None)
settings.register_profile(
    "ci",
    max_examples=600,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    print_blob=True,
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
ROOT = Path(__file__).resolve().parent.parent


def vectors_root() -> Path:
    """Where the shared official test vectors live."""
    configured = os.environ.get("AWSCORE_VECTORS")
    if configured:
        return Path(configured)
    return ROOT.parent / "shared" / "vectors"


def missing(reason: str) -> None:
    """Skip locally; fail under CI, where everything must be present."""
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: missing test data or peers is a failure)")
    # a peer required at import time skips its whole module, not a collection error
    pytest.skip(reason, allow_module_level=True)


def require_peer(name: str) -> ModuleType:
    """Import the peer package ``name``, or skip (locally) / fail (under CI)."""
    try:
        return importlib.import_module(name)
    except ImportError:
        missing(f"peer package {name!r} is not installed (pip install -e '.[test]')")
        raise  # unreachable: missing() always raises


def require_tool(name: str) -> str:
    """The path of the command-line tool ``name`` (a real client such as ``dig``).

    Skips locally and fails under CI when the tool is not installed.
    """
    path = shutil.which(name)
    if path is None:
        missing(f"command-line tool {name!r} is not installed (.ci/run installs it)")
        raise AssertionError  # unreachable: missing() always raises
    return path


def vector_dir(*parts: str) -> Path:
    """A folder of the shared vectors, or skip/fail as :func:`missing` says."""
    path = vectors_root().joinpath(*parts)
    if not path.is_dir():
        missing(f"official vectors not found at {path} (set AWSCORE_VECTORS)")
    return path


@pytest.fixture(scope="session")
def vectors() -> Path:
    """The root folder of the shared official test vectors."""
    return vector_dir()
