"""Sphinx configuration for the awscore documentation."""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "_ext"))

import awscore  # noqa: E402 - after the path set-up

project = "awscore"
author = "awscore maintainers"
copyright = "2026, awscore maintainers"
release = awscore.__version__
version = release

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.doctest",
    "sphinx.ext.intersphinx",
    "sphinx.ext.napoleon",
    "awscore_cli",
    "awscore_figures",
    "awscore_apicheck",
    "awscore_tour",
    "awscore_verified",
    # one figure extension per later module: docs/_ext/awscore_figures_<module>.py
    *sorted(path.stem for path in (HERE / "_ext").glob("awscore_figures_*.py")),
]
source_suffix = {".md": "markdown", ".rst": "restructuredtext"}
exclude_patterns = ["_build", "_generated"]  # included pieces, not pages
myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3

html_theme = "furo"
html_title = f"awscore {release}"
html_static_path: list[str] = []

autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_default_options = {"members": True, "show-inheritance": True}
napoleon_google_docstring = True
napoleon_numpy_docstring = False

# No network during the build: intersphinx would fetch inventories.
intersphinx_mapping: dict[str, tuple[str, str | None]] = {}
nitpicky = False

doctest_default_flags = 0
import doctest as _doctest  # noqa: E402

doctest_default_flags = _doctest.ELLIPSIS | _doctest.DONT_ACCEPT_TRUE_FOR_1
doctest_global_setup = """
from datetime import datetime, timezone, timedelta
"""
