"""The test suite's promises: tools named with their install line, vectors shipped."""

from __future__ import annotations

import shutil

import pytest

from tests import conftest
from tests.cli._shell import ROOT


def test_a_missing_tool_skips_with_its_install_line(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(conftest, "IN_CI", False)
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(pytest.skip.Exception) as skipped:
        conftest.require_tool("dig")
    assert str(skipped.value) == (
        "command-line tool 'dig' is not installed: sudo apt-get install dnsutils on "
        "Debian/Ubuntu; macOS: brew install bind"
    )


def test_a_missing_tool_fails_under_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(conftest, "IN_CI", True)
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(pytest.fail.Exception, match="CI=true"):
        conftest.require_tool("musl-gcc")


def test_an_unlisted_tool_still_gets_a_hint() -> None:
    assert conftest.tool_hint("jq") == (
        "sudo apt-get install jq on Debian/Ubuntu; macOS: brew install jq"
    )


def test_the_readme_lists_every_tool_the_tests_run() -> None:
    """Each tool require_tool knows has a README row with its Debian package."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Running the tests", 1)[1].split("\n## ", 1)[0]
    for tool, (debian, _) in conftest.TOOLS.items():
        assert f"`{tool}`" in section, tool
        assert all(package in section for package in debian.split()), tool


def test_the_vectors_ship_with_the_tests(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without $AWSCORE_VECTORS the vendored copy is used, with its provenance."""
    monkeypatch.delenv("AWSCORE_VECTORS", raising=False)
    root = conftest.vectors_root()
    assert root == ROOT / "tests" / "vectors"
    assert (root / "PROVENANCE.md").is_file()
    assert (root / "sigv4" / "LICENSE").is_file()
    monkeypatch.setenv("AWSCORE_VECTORS", "/elsewhere")
    assert str(conftest.vectors_root()) == "/elsewhere"
