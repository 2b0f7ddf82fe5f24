"""``awscore codeartifact``: resolve with --explain, list-versions, order, check."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from awscore.cli import main

DOMAIN = """
domain: acme
repositories:
  - name: npm-store
    external_connection: public:npmjs
  - name: team-repo
    upstreams: [npm-store]
  - name: my-repo
    upstreams: [team-repo, npm-store]
packages:
  - repository: team-repo
    format: npm
    package: acme-utils
    versions: ["1.2.0"]
public:
  public:npmjs:
    lodash: {versions: ["4.17.20", "4.17.21"], dist_tags: {latest: "4.17.21"}}
    acme-utils: ["99.0.0"]
"""


@pytest.fixture
def domain_file(tmp_path: Path) -> str:
    path = tmp_path / "domain.yaml"
    path.write_text(DOMAIN, encoding="utf-8")
    return str(path)


def test_resolve_explain_prints_the_trace(
    domain_file: str, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["codeartifact", "resolve", domain_file, "--repo", "my-repo"]
    assert main([*argv, "--format", "npm", "lodash", "4.17.21", "--explain"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == (
        "lodash@4.17.21: served by npm-store via public:npmjs; path my-repo -> "
        "team-repo -> npm-store; retained in my-repo, npm-store"
    )
    assert "search trace:" in out
    assert " 1. my-repo: miss" in out
    assert " 2.   team-repo: miss" in out
    assert " 3.     npm-store: miss" in out
    assert "npm-store: external-hit (public:npmjs)" in out


def test_resolve_json_and_blocked(
    domain_file: str, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["codeartifact", "resolve", domain_file, "--repo", "team-repo"]
    # not found is a finding: exit 3
    assert main([*argv, "--format", "npm", "acme-utils", "99.0.0", "--json"]) == 3
    document = json.loads(capsys.readouterr().out)
    assert document["found"] is False
    assert document["trace"] == [
        {
            "repository": "team-repo",
            "outcome": "blocked",
            "depth": 0,
            "parent": None,
            "external_connection": None,
            "blocked_by": "package origin control upstream=BLOCK",
            "group": None,
        }
    ]
    assert main([*argv, "--format", "npm", "acme-utils", "99.0.0"]) == 3
    assert "not found (blocked by origin controls" in capsys.readouterr().out


def test_list_versions(domain_file: str, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["codeartifact", "list-versions", domain_file, "--repo", "my-repo"]
    assert main([*argv, "--format", "npm", "lodash"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "4.17.20  from npm-store via public:npmjs",
        "4.17.21  from npm-store via public:npmjs  [latest]",
    ]
    assert main([*argv, "--format", "npm", "acme-utils", "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["versions"] == ["1.2.0", "99.0.0"]
    assert main([*argv, "--format", "pypi", "requests"]) == 0
    assert "no versions seen through my-repo" in capsys.readouterr().out


def test_order(domain_file: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["codeartifact", "order", domain_file, "--repo", "my-repo"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        " 1. my-repo",
        " 2. team-repo",
        " 3. npm-store  (external connection public:npmjs)",
    ]
    assert (
        main(["codeartifact", "order", domain_file, "--repo", "my-repo", "--json"]) == 0
    )
    assert json.loads(capsys.readouterr().out)["order"] == [
        "my-repo",
        "team-repo",
        "npm-store",
    ]


def test_check_reports_exposure(
    domain_file: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["codeartifact", "check", domain_file]) == 0
    assert capsys.readouterr().out == (
        "EXPOSED npm acme-utils through my-repo: my-repo -> npm-store -> public:npmjs\n"
    )
    assert main(["codeartifact", "check", domain_file, "--fail-on-exposure"]) == 3
    captured = capsys.readouterr()
    assert captured.err.count("\n") == 1
    assert "1 dependency-confusion exposure" in captured.err
    assert main(["codeartifact", "check", domain_file, "--json"]) == 0
    (exposure,) = json.loads(capsys.readouterr().out)["exposures"]
    assert exposure["path"] == ["my-repo", "npm-store"]


def test_check_clean(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "clean.json"
    path.write_text(
        json.dumps(
            {
                "repositories": [{"name": "solo"}],
                "packages": [
                    {
                        "repository": "solo",
                        "format": "pypi",
                        "package": "x",
                        "versions": ["1"],
                    }
                ],
            }
        ),
        encoding="utf-8",
    )
    assert main(["codeartifact", "check", str(path), "--fail-on-exposure"]) == 0
    assert "none of 1 internal packages" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["resolve", "{f}", "--repo", "ghost", "--format", "npm", "x", "1"], "ghost"),
        (["resolve", "{f}", "--repo", "my-repo", "--format", "npm", "a b", "1"], "a b"),
        (["order", "{missing}", "--repo", "my-repo"], "No such file"),
        (["order", "{bad}", "--repo", "my-repo"], "not valid JSON or YAML"),
        (["order", "{binary}", "--repo", "my-repo"], "not UTF-8"),
    ],
)
def test_domain_errors_exit_1(
    argv: list[str],
    fragment: str,
    domain_file: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    (tmp_path / "bad.yaml").write_text("repositories: [", encoding="utf-8")
    (tmp_path / "binary.yaml").write_bytes(b"\xff\xfe\x00")
    names = {
        "f": domain_file,
        "missing": str(tmp_path / "missing.yaml"),
        "bad": str(tmp_path / "bad.yaml"),
        "binary": str(tmp_path / "binary.yaml"),
    }
    assert main(["codeartifact", *[a.format(**names) for a in argv]]) == 1
    err = capsys.readouterr().err
    assert fragment in err
    assert err.count("\n") == 1


def test_usage_errors_exit_2(domain_file: str) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["codeartifact", "resolve", domain_file, "--repo", "r", "--format", "x"])
    assert caught.value.code == 2


def test_bare_command_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["codeartifact"])
    assert caught.value.code == 2
    assert "VERB" in capsys.readouterr().err


def test_every_verb_has_an_example(capsys: pytest.CaptureFixture[str]) -> None:
    for verb in ("resolve", "list-versions", "order", "check"):
        with pytest.raises(SystemExit):
            main(["codeartifact", verb, "--help"])
        assert f"examples:\n  awscore codeartifact {verb}" in capsys.readouterr().out


def test_tour(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["tour", "--module", "codeartifact"]) == 0
    out = capsys.readouterr().out
    assert "served by npm-store via public:npmjs" in out
    assert "EXPOSED through my-repo: my-repo -> npm-store -> public:npmjs" in out
    assert "acme-utils@99.0.0: not found" in out
    assert "acme-utils@1.2.0: served by team-repo" in out
    assert len(out.splitlines()) <= 50
    assert main(["tour", "--module", "codeartifact", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)["codeartifact"]
    assert data["lodash"]["retained_in"] == ["my-repo", "npm-store"]
    assert data["lodash_again"]["served_by"] == "my-repo"
