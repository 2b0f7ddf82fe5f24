"""Shared test configuration: hypothesis profiles and the official vectors.

Profiles: ``dev`` (default, quick) and ``ci`` (more examples), chosen with
``HYPOTHESIS_PROFILE``. Vectors: ``$AWSCORE_VECTORS`` if set, else the copy
vendored in ``tests/vectors`` (see its PROVENANCE.md). Under ``CI=true`` a missing
vector folder, peer package or command-line tool fails the test instead of skipping
it, so CI can never pass by testing less.
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
# No test may ask a real instance metadata service (169.254.169.254) or container
# endpoint: the credential chain's own tests pass their environment explicitly.
os.environ["AWS_EC2_METADATA_DISABLED"] = "true"
for _name in (
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
):
    os.environ.pop(_name, None)
ROOT = Path(__file__).resolve().parent.parent


def vectors_root() -> Path:
    """Where the official test vectors live: ``$AWSCORE_VECTORS``, else ours."""
    configured = os.environ.get("AWSCORE_VECTORS")
    if configured:
        return Path(configured)
    return Path(__file__).resolve().parent / "vectors"


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


#: How to install each command-line tool the peer tests run: (Debian/Ubuntu
#: package, macOS). The README's "Running the tests" section shows the same table.
TOOLS: dict[str, tuple[str, str]] = {
    "dig": ("dnsutils", "brew install bind"),
    "curl": ("curl", "preinstalled (or brew install curl)"),
    "rclone": ("rclone", "brew install rclone"),
    "bwrap": ("bubblewrap", "none: bubblewrap is Linux only"),
    "musl-gcc": ("musl-tools", "none: musl-gcc is Linux only"),
    "gcc": ("gcc", "xcode-select --install"),
    "dnsperf": ("dnsperf", "brew install dnsperf"),
    "dnsmasq": ("dnsmasq", "brew install dnsmasq"),
    "tmux": ("tmux", "brew install tmux"),
}


def tool_hint(name: str) -> str:
    """One line saying how to install the tool ``name`` on Debian/Ubuntu and macOS."""
    debian, macos = TOOLS.get(name, (name, f"brew install {name}"))
    return f"sudo apt-get install {debian} on Debian/Ubuntu; macOS: {macos}"


def require_tool(name: str) -> str:
    """The path of the command-line tool ``name`` (a real client such as ``dig``).

    Skips locally, with the line that installs it, and fails under CI when the
    tool is not installed.
    """
    path = shutil.which(name)
    if path is None:
        missing(f"command-line tool {name!r} is not installed: {tool_hint(name)}")
        raise AssertionError  # unreachable: missing() always raises
    return path


def vector_dir(*parts: str) -> Path:
    """A folder of the shared vectors, or skip/fail as :func:`missing` says."""
    path = vectors_root().joinpath(*parts)
    if not path.is_dir():
        missing(
            f"official vectors not found at {path} (they ship in tests/vectors; "
            "AWSCORE_VECTORS overrides)"
        )
    return path


@pytest.fixture(scope="session")
def vectors() -> Path:
    """The root folder of the shared official test vectors."""
    return vector_dir()
