"""``awscore cfn-init plan|apply`` and ``awscore cfn-hup check``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from awscore.cli import main

TEMPLATE = """\
Parameters:
  Greeting: {Type: String, Default: Hello}
Resources:
  MyInstance:
    Type: AWS::EC2::Instance
    Metadata:
      AWS::CloudFormation::Init:
        configSets:
          default: [config]
          both: [config, {ConfigSet: default}]
        config:
          packages: {yum: {httpd: []}}
          files:
            /var/www/html/index.html:
              content: !Sub "${Greeting} from ${AWS::StackName} in ${AWS::Region}"
            /var/www/html/ip: {content: !GetAtt MyInstance.PublicIp}
          commands:
            10_b: {command: "echo b > b.txt"}
            2_a: {command: "echo a > a.txt"}
          services:
            sysvinit:
              httpd: {enabled: true, ensureRunning: true}
"""


@pytest.fixture
def template(tmp_path: Path) -> Path:
    path = tmp_path / "template.yaml"
    path.write_text(TEMPLATE)
    return path


COMMON = [
    "--resource",
    "MyInstance",
    "--stack-name",
    "web",
    "--region",
    "eu-west-1",
    "--attribute",
    "MyInstance.PublicIp=203.0.113.5",
]


def test_plan_prints_the_ordered_actions(
    template: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["cfn-init", "plan", str(template), *COMMON, "-c", "default"]) == 0
    out = capsys.readouterr().out
    lines = [line.strip() for line in out.splitlines()]
    assert lines[:2] == ["configSets: default", "run 1: config config (set default)"]
    assert [line.split()[0] for line in lines[2:]] == [
        "packages",
        "files",
        "files",
        "commands",
        "commands",
        "services",
    ]
    assert "files    /var/www/html/index.html (27 bytes)" in out
    assert out.index("10_b") < out.index("2_a")


def test_plan_json_resolves_sub_and_runs_sets_in_order(
    template: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["cfn-init", "plan", str(template), *COMMON, "-c", "both", "--json"]
    argv += ["--param", "Greeting=Hi", "--account-id", "1", "--stack-id", "arn:x"]
    argv += ["--resource-id", "Other=o-1"]
    assert main(argv) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["runs"] == [["both", "config"], ["both", "config"]]
    page = document["actions"][1]
    assert page["key"] == "/var/www/html/index.html"
    assert page["details"]["content"] == "Hi from web in eu-west-1"
    assert document["actions"][2]["details"]["content"] == "203.0.113.5"


def test_apply_is_a_dry_run_unless_execute(
    template: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "root"
    root.mkdir()
    assert main(["cfn-init", "apply", str(template), *COMMON, "--root", str(root)]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"dry run (add --execute) for {root}\n")
    assert "would enable/start sysvinit httpd" in out
    assert list(root.iterdir()) == []
    argv = ["cfn-init", "apply", str(template), *COMMON, "--root", str(root)]
    assert main([*argv, "--execute", "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["executed"] is True
    statuses = {r["path"]: r["status"] for r in document["results"]}
    assert statuses["config.commands.2_a"] == "changed"
    assert (
        root / "var/www/html/index.html"
    ).read_text() == "Hello from web in eu-west-1"
    assert (root / "a.txt").read_text() == "a\n"
    assert main([*argv, "--execute"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"executed under {root}\n")
    assert "unchanged      config.files./var/www/html/index.html" in out


@pytest.mark.parametrize(
    ("extra", "fragment"),
    [
        (["--param", "novalue"], "--param 'novalue': expected NAME=VALUE"),
        (["--attribute", "=x"], "expected NAME=VALUE"),
    ],
)
def test_domain_errors_exit_1_with_one_line(
    template: Path, extra: list[str], fragment: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["cfn-init", "plan", str(template), *COMMON, *extra]) == 1
    err = capsys.readouterr().err
    assert fragment in err
    assert err.count("\n") == 1


def test_a_plan_that_fails_where_cfn_init_would_exits_3(
    template: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["cfn-init", "plan", str(template), *COMMON, "-c", "nope"]) == 3
    out = capsys.readouterr().out
    assert out.splitlines()[-1].startswith(
        "  fails at configSets: no ConfigSet named 'nope'"
    )


def test_plan_strict_lists_every_problem(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    init = {"config": {"files": {"/x": {"content": "x", "mode": "644"}}, "bogus": {}}}
    path = tmp_path / "t.json"
    path.write_text(
        json.dumps(
            {"Resources": {"R": {"Metadata": {"AWS::CloudFormation::Init": init}}}}
        )
    )
    # cfn-init 2.0 takes both: the lenient plan shows the file
    assert main(["cfn-init", "plan", str(path), "--resource", "R"]) == 0
    assert "/x (1 bytes, mode 644)" in capsys.readouterr().out
    assert main(["cfn-init", "plan", str(path), "--resource", "R", "--strict"]) == 1
    err = capsys.readouterr().err
    assert "config.files./x.mode" in err
    assert "config.bogus" in err
    assert err.count("\n") == 1


def test_apply_unsafe_host_commands_warns(
    template: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "root"
    root.mkdir()
    argv = ["cfn-init", "apply", str(template), *COMMON, "--root", str(root)]
    assert main([*argv, "--execute", "--unsafe-host-commands"]) == 0
    assert "warning: --unsafe-host-commands" in capsys.readouterr().err
    assert (root / "a.txt").read_text() == "a\n"


def test_hup_check_refuses_a_5000_digit_number(
    conf: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    new = tmp_path / "new.json"
    new.write_text('{"Resources": {"MyInstance": {"Metadata": ' + "9" * 5000 + "}}}")
    assert main(["cfn-hup", "check", "--conf", str(conf), "--new", str(new)]) == 1
    err = capsys.readouterr().err
    assert "more than 4300 digits" in err
    assert err.count("\n") == 1


def test_unresolvable_and_missing_files(
    template: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["cfn-init", "plan", str(template), "--resource", "MyInstance"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("awscore: ")  # the domain's words, no Python class name
    assert "UnresolvableIntrinsicError" not in err
    assert "config.files./var/www/html/index.html.content.Fn::Sub" in err
    assert (
        main(["cfn-init", "plan", str(tmp_path / "nope.yaml"), "--resource", "A"]) == 1
    )
    assert "nope.yaml" in capsys.readouterr().err


def test_apply_failure_names_the_step(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "t.json"
    init = {"config": {"commands": {"bad": {"command": "exit 7"}}}}
    path.write_text(
        json.dumps(
            {"Resources": {"A": {"Metadata": {"AWS::CloudFormation::Init": init}}}}
        )
    )
    root = tmp_path / "root"
    root.mkdir()
    argv = ["cfn-init", "apply", str(path), "--resource", "A", "--root", str(root)]
    # a step that ran and failed is the apply's answer: exit 3 (the CLI contract)
    assert main([*argv, "--execute"]) == 3
    err = capsys.readouterr().err
    assert "awscore: config.commands.bad: command failed with exit status 7" in err


def test_usage_errors_exit_2() -> None:
    with pytest.raises(SystemExit) as caught:
        main(["cfn-init", "plan"])
    assert caught.value.code == 2
    with pytest.raises(SystemExit) as caught:
        main(["cfn-hup", "check", "--conf", "x"])
    assert caught.value.code == 2


@pytest.fixture
def conf(tmp_path: Path) -> Path:
    folder = tmp_path / "cfn"
    (folder / "hooks.d").mkdir(parents=True)
    (folder / "cfn-hup.conf").write_text("[main]\nstack=web\nregion=eu-west-1\n")
    (folder / "hooks.d" / "cfn-auto-reloader.conf").write_text(
        "[cfn-auto-reloader-hook]\ntriggers=post.update\n"
        "path=Resources.MyInstance.Metadata.AWS::CloudFormation::Init\n"
        "action=/opt/aws/bin/cfn-init -v --stack web --resource MyInstance\n"
        "runas=root\n"
    )
    return folder


def stack_file(tmp_path: Path, name: str, content: str) -> Path:
    init = {"config": {"files": {"/var/www/html/index.html": {"content": content}}}}
    path = tmp_path / name
    path.write_text(
        json.dumps(
            {
                "Resources": {
                    "MyInstance": {"Metadata": {"AWS::CloudFormation::Init": init}}
                }
            }
        )
    )
    return path


def test_hup_check_fires_on_update(
    conf: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old = stack_file(tmp_path, "old.json", "v1")
    new = stack_file(tmp_path, "new.json", "v2")
    argv = [
        "cfn-hup",
        "check",
        "--conf",
        str(conf),
        "--old",
        str(old),
        "--new",
        str(new),
    ]
    assert main(argv) == 3  # hooks fire: what the user asked to be told about
    out = capsys.readouterr().out
    assert out.splitlines()[:3] == [
        "stack web in eu-west-1, every 15 min",
        "fires cfn-auto-reloader-hook (post.update) on "
        "Resources.MyInstance.Metadata.AWS::CloudFormation::Init",
        "  action as root: /opt/aws/bin/cfn-init -v --stack web --resource MyInstance",
    ]
    assert main([*argv, "--json"]) == 3
    document = json.loads(capsys.readouterr().out)
    (fired,) = document["fires"]
    environment = fired["environment"]
    old_init = json.loads(environment["CFN_OLD_METADATA"])
    assert old_init["config"]["files"]["/var/www/html/index.html"]["content"] == "v1"
    assert (
        json.loads(environment["CFN_NEW_METADATA"])["config"]["files"][
            "/var/www/html/index.html"
        ]["content"]
        == "v2"
    )


def test_hup_check_without_old_records_a_baseline(
    conf: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    new = stack_file(tmp_path, "new.json", "v2")
    same = ["cfn-hup", "check", "--conf", str(conf), "--new", str(new)]
    assert main(same) == 0
    assert "quiet cfn-auto-reloader-hook on Resources.MyInstance.Metadata." in (
        capsys.readouterr().out
    )
    assert main([*same, "--old", str(new), "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"fires": [], "baseline": []}


def test_hup_check_bad_json_and_bad_conf(
    conf: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{nope")
    assert main(["cfn-hup", "check", "--conf", str(conf), "--new", str(bad)]) == 1
    assert "--new" in capsys.readouterr().err
    bad.write_bytes(b'{"a": "\xff"}')
    assert main(["cfn-hup", "check", "--conf", str(conf), "--new", str(bad)]) == 1
    assert "not UTF-8 text" in capsys.readouterr().err
    (conf / "cfn-hup.conf").write_text("[main]\ninterval=0\n")
    new = stack_file(tmp_path, "new.json", "v2")
    assert main(["cfn-hup", "check", "--conf", str(conf), "--new", str(new)]) == 1
    err = capsys.readouterr().err
    assert "[main].stack: is required" in err
    assert err.count("\n") == 1


def test_tour_plans_the_httpd_example(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["tour", "--module", "cfn_init"]) == 0
    out = capsys.readouterr().out
    assert "packages yum httpd (latest)" in out
    assert "would enable/restart sysvinit httpd" in out
    assert "fires cfn-auto-reloader-hook (post.update)" in out
    assert len(out.splitlines()) <= 50
    assert main(["tour", "--module", "cfn_init", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)["cfn_init"]
    assert data["plan"][0] == "config.packages.yum.httpd"
    assert data["first_poll_fires"] == []
    assert data["after_update_fires"] == ["cfn-auto-reloader-hook"]
