"""The exit-status contract, verb by verb.

0 success, 1 invalid input or a domain error (one line on stderr, no traceback),
2 usage error, 3 "ran fine and found what you asked to be told about", 130 on
Ctrl-C. The table below holds at least one row per verb and status that the verb
can end with; a test checks it names every verb the parser has.
"""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest

from awscore.cli import main
from tests.cli._shell import ROOT
from tests.cli._tree import verbs

EX = ROOT / "examples"
KEYS = [
    "--access-key-id",
    "AKIDEXAMPLE",
    "--secret-access-key",
    "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
]
SIGN = [
    "GET",
    "https://example.amazonaws.com/",
    "--region",
    "us-east-1",
    "--service",
    "service",
    *KEYS,
]
NOW = ["--now", "2015-08-30T12:36:00Z"]
TEMPLATE = [str(EX / "cfn-init/template.yaml"), "--resource", "MyInstance"]
HUP = ["--conf", str(EX / "cfn-hup/conf")]
DOMAIN = str(EX / "codeartifact/domain.yaml")
YAML = ["--cluster", str(EX / "k8s-dns/cluster.yaml")]
RA = [
    "--certificate",
    str(EX / "roles-anywhere/host.pem"),
    "--private-key",
    str(EX / "roles-anywhere/host.key"),
    "--trust-anchor-arn",
    "arn:aws:rolesanywhere:us-east-1:123456789012:trust-anchor/"
    "0a1b2c3d-4e5f-6789-abcd-ef0123456789",
    "--profile-arn",
    "arn:aws:rolesanywhere:us-east-1:123456789012:profile/"
    "9f8e7d6c-5b4a-3210-fedc-ba9876543210",
    "--role-arn",
    "arn:aws:iam::123456789012:role/onprem",
]
AWS = EX / "autoscaling/aws"
REPLAY = [
    "--group",
    str(AWS / "asg.json"),
    "--policies",
    str(AWS / "policies.json"),
    "--alarms",
    str(AWS / "alarms.json"),
    "--metrics",
    str(AWS / "metrics.json"),
]
EB = EX / "eventbridge"
EB_TEST = ["--pattern", str(EB / "ecs-stopped.json"), "--event"]
EB_EVENT = ["--event", str(EB / "ecs-task-stopped.json")]
EB_S3 = ["--config", str(EB / "notification.json"), "--key"]
VPN_KEY = ["--key", "000102030405060708090a0b0c0d0e0f10111213"]
PACKET = (EX / "vpn/packet.hex").read_text().strip()
ENCAP = [
    "--src",
    "10.0.1.50",
    "--dst",
    "172.31.1.100",
    "--outer-src",
    "203.0.113.50",
    "--outer-dst",
    "52.95.1.1",
    *VPN_KEY,
]

#: (argv, status): what each verb answers, for each status it can end with.
TABLE: list[tuple[list[str], int]] = [
    (["sigv4", "sign", *SIGN], 0),
    (["sigv4", "sign", "GET", "ftp://example.com/x", *SIGN[2:]], 1),
    (["sigv4", "sign", "GET", "https://example.amazonaws.com/"], 2),
    (["sigv4", "presign", *SIGN, "--expires", "900"], 0),
    (["sigv4", "presign", *SIGN, "--expires", "0"], 1),
    (["sigv4", "presign", *SIGN, "--expires", "soon"], 2),
    (["sigv4", "verify", str(EX / "sigv4/captured-request.txt"), *NOW, *KEYS], 0),
    (["sigv4", "verify", str(EX / "sigv4/rejected-request.txt"), *NOW, *KEYS], 3),
    (["sigv4", "verify", str(EX / "sigv4/captured-request.txt"), *KEYS], 3),
    (["sigv4", "verify", str(EX / "sigv4/nope.txt"), *NOW, *KEYS], 1),
    (["sigv4", "verify"], 2),
    (["kinesis", "shard", "--shards", "4", "user123"], 0),
    (["kinesis", "shard", "--shards", "0", "user123"], 1),
    (["kinesis", "shard", "--shards", "four", "user123"], 2),
    (["kinesis", "reshard", "--shards", "4", "--to", "6"], 0),
    (["kinesis", "reshard", "--shards", "4", "--to", "9"], 1),
    (["kinesis", "reshard", "--shards", "4"], 2),
    (["kinesis", "analyze", str(EX / "kinesis/traffic.csv"), "--shards", "4"], 0),
    (["kinesis", "analyze", str(EX / "autoscaling/policy.json"), "--shards", "4"], 1),
    (["kinesis", "analyze", str(EX / "kinesis/traffic.csv")], 2),
    (["quorum"], 0),
    (["quorum", "--p-node", "often"], 1),
    (["quorum", "--azs", "three"], 2),
    (
        [
            "autoscaling",
            "evaluate",
            "--policy",
            str(EX / "autoscaling/policy.json"),
            "--group",
            "min=2,max=10,desired=4",
            "--metric",
            "73",
        ],
        0,
    ),
    (
        [
            "autoscaling",
            "evaluate",
            "--policy",
            str(EX / "autoscaling/policy.json"),
            "--group",
            "min=2,max=10",
            "--metric",
            "73",
        ],
        1,
    ),
    (["autoscaling", "evaluate", "--metric", "73"], 2),
    (["autoscaling", "simulate", str(EX / "autoscaling/scenario.json")], 0),
    (["autoscaling", "simulate", str(EX / "kinesis/traffic.csv")], 1),
    (["autoscaling", "simulate"], 2),
    (["cfn-init", "plan", *TEMPLATE, "--stack-name", "web"], 0),
    (["cfn-init", "plan", *TEMPLATE], 1),
    (["cfn-init", "plan", str(EX / "cfn-init/template.yaml")], 2),
    (["cfn-init", "apply", *TEMPLATE, "--stack-name", "web", "--root", "/nowhere"], 0),
    (["cfn-init", "apply", *TEMPLATE, "--stack-name", "web"], 2),
    (["cfn-hup", "check", *HUP, "--new", str(EX / "cfn-hup/new.json")], 0),
    (
        [
            "cfn-hup",
            "check",
            *HUP,
            "--old",
            str(EX / "cfn-hup/old.json"),
            "--new",
            str(EX / "cfn-hup/new.json"),
        ],
        3,
    ),
    (["cfn-hup", "check", *HUP, "--new", str(EX / "kinesis/traffic.csv")], 1),
    (["cfn-hup", "check", *HUP], 2),
    (
        [
            "codeartifact",
            "resolve",
            DOMAIN,
            "--repo",
            "my-repo",
            "--format",
            "npm",
            "lodash",
            "4.17.21",
        ],
        0,
    ),
    (
        [
            "codeartifact",
            "resolve",
            DOMAIN,
            "--repo",
            "my-repo",
            "--format",
            "npm",
            "lodash",
            "9.9.9",
        ],
        3,
    ),
    (
        [
            "codeartifact",
            "resolve",
            DOMAIN,
            "--repo",
            "nope",
            "--format",
            "npm",
            "lodash",
            "4.17.21",
        ],
        1,
    ),
    (["codeartifact", "resolve", DOMAIN, "--repo", "my-repo", "lodash", "1"], 2),
    (
        [
            "codeartifact",
            "list-versions",
            DOMAIN,
            "--repo",
            "my-repo",
            "--format",
            "npm",
            "lodash",
        ],
        0,
    ),
    (
        [
            "codeartifact",
            "list-versions",
            DOMAIN,
            "--repo",
            "nope",
            "--format",
            "npm",
            "lodash",
        ],
        1,
    ),
    (["codeartifact", "list-versions", DOMAIN, "--repo", "my-repo"], 2),
    (["codeartifact", "order", DOMAIN, "--repo", "my-repo"], 0),
    (["codeartifact", "order", DOMAIN, "--repo", "nope"], 1),
    (["codeartifact", "order", DOMAIN], 2),
    (["codeartifact", "check", DOMAIN], 0),
    (["codeartifact", "check", str(EX / "codeartifact/domain-safe.yaml")], 0),
    (["codeartifact", "check", DOMAIN, "--fail-on-exposure"], 3),
    (["codeartifact", "check", str(EX / "cfn-hup/new.json")], 1),
    (["codeartifact", "check"], 2),
    (["k8s-dns", "query", *YAML, "api.prod.svc.cluster.local"], 0),
    (["k8s-dns", "query", *YAML, "api.prod.svc.cluster.local", "BOGUS"], 1),
    (["k8s-dns", "query", *YAML], 2),
    (["k8s-dns", "resolve", *YAML, "--pod", "prod/web-0", "api"], 0),
    (["k8s-dns", "resolve", *YAML, "--pod", "prod/nope", "api"], 1),
    (["k8s-dns", "resolve", *YAML, "api"], 2),
    (["k8s-dns", "resolv-conf", *YAML, "--pod", "prod/web-0"], 0),
    (["k8s-dns", "resolv-conf", *YAML, "--pod", "nope"], 1),
    (["k8s-dns", "resolv-conf", *YAML], 2),
    (["k8s-dns", "serve", *YAML, "--listen", "nowhere"], 1),
    (["k8s-dns", "serve", *YAML, "--port", "53"], 2),
    (["vpn", "encap", *ENCAP], 0),
    (["vpn", "encap", *ENCAP[:-1], "00"], 1),
    (["vpn", "encap", *VPN_KEY], 2),
    (["vpn", "decap", PACKET, *VPN_KEY], 0),
    (["vpn", "decap", PACKET.replace("0", "1", 1), *VPN_KEY], 1),
    (["vpn", "decap", PACKET], 2),
    (["vpn", "mtu", "--cipher", "aes-256-cbc", "--integrity", "sha2-512"], 0),
    (["vpn", "mtu", "--cipher", "rot13"], 1),
    (["vpn", "mtu", "--path-mtu", "big"], 2),
    (
        [
            "kinesis",
            "consume",
            "--shards",
            "2",
            "--writes",
            str(EX / "kinesis/writes.csv"),
        ],
        0,
    ),
    (
        [
            "kinesis",
            "consume",
            "--shards",
            "2",
            "--writes",
            str(EX / "kinesis/esm.json"),
        ],
        1,
    ),
    (["kinesis", "consume", "--writes", str(EX / "kinesis/writes.csv")], 2),
    (["eventbridge", "test", *EB_TEST, str(EB / "ecs-task-stopped.json")], 0),
    (["eventbridge", "test", *EB_TEST, str(EB / "ecs-task-running.json")], 3),
    (
        [
            "eventbridge",
            "test",
            "--pattern",
            str(EB / "transformer.json"),
            "--event",
            str(EB / "ecs-task-stopped.json"),
        ],
        1,
    ),
    (["eventbridge", "test", "--pattern", str(EB / "ecs-stopped.json")], 2),
    (["eventbridge", "transform", *EB_EVENT, "--input-path", "$.detail"], 0),
    (["eventbridge", "transform", *EB_EVENT, "--input-path", "detail"], 1),
    (["eventbridge", "transform", *EB_EVENT], 2),
    (
        [
            "eventbridge",
            "s3-notify",
            *EB_S3,
            "photos/a.jpg",
            "--event",
            "s3:ObjectCreated:Put",
        ],
        0,
    ),
    (
        [
            "eventbridge",
            "s3-notify",
            *EB_S3,
            "photos/a.png",
            "--event",
            "s3:ObjectCreated:Put",
        ],
        3,
    ),
    (["eventbridge", "s3-notify", *EB_S3, "a", "--event", "s3:Nope"], 1),
    (["eventbridge", "s3-notify", *EB_S3, "a"], 2),
    (["autoscaling", "replay", *REPLAY], 0),
    (
        [
            "autoscaling",
            "replay",
            *REPLAY[:-2],
            "--metrics",
            str(EX / "kinesis/esm.json"),
        ],
        1,
    ),
    (["autoscaling", "replay", "--group", str(EX / "autoscaling/aws/asg.json")], 2),
    (["sigv4", "credentials", "--profile", "nobody"], 1),
    (["sigv4", "credentials", "--bogus"], 2),
    (["roles-anywhere", "credential-process", *RA, "--print-request"], 0),
    (["roles-anywhere", "credential-process", *RA[:-2], "--role-arn", "x"], 1),
    (["roles-anywhere", "credential-process", "--print-request"], 2),
    (["tour", "--module", "quorum"], 0),
    (["tour", "--module", "nope"], 2),
    (["completion", "bash"], 0),
    (["completion", "tcsh"], 2),
]


def _run(argv: list[str]) -> int:
    try:
        return main(argv)
    except SystemExit as exit_:  # argparse's usage errors and --help
        return int(exit_.code or 0)


@pytest.mark.parametrize(("argv", "status"), TABLE, ids=[" ".join(a) for a, _ in TABLE])
def test_exit_status(
    argv: list[str], status: int, capsys: pytest.CaptureFixture[str]
) -> None:
    """Each verb ends with the status the contract gives its outcome."""
    assert _run(argv) == status
    err = capsys.readouterr().err
    assert "Traceback" not in err
    if status == 1:
        # one line, in the domain's words: no Python class or type names
        assert err.count("\n") == 1, err
        assert err.startswith("awscore: ")
        for python_word in ("Error:", "NoneType", "dict", "str object"):
            assert python_word not in err


def test_apply_that_fails_a_step_exits_3(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A failed cfn-init apply is the answer asked for (3), naming the step."""
    template = tmp_path / "t.json"
    init = {"config": {"commands": {"bad": {"command": "exit 7"}}}}
    resource = {"Metadata": {"AWS::CloudFormation::Init": init}}
    template.write_text(json.dumps({"Resources": {"A": resource}}))
    root = tmp_path / "root"
    root.mkdir()
    argv = ["cfn-init", "apply", str(template), "--resource", "A", "--root", str(root)]
    assert main([*argv, "--execute"]) == 3
    err = capsys.readouterr().err
    assert err.startswith("awscore: config.commands.bad: command failed with exit ")
    assert err.count("\n") == 1
    assert main(argv) == 0  # the dry run runs nothing, so nothing fails


def test_apply_into_a_missing_root_exits_1(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["cfn-init", "apply", *TEMPLATE, "--stack-name", "web"]
    assert main([*argv, "--root", "/nonexistent/root", "--execute"]) == 1
    assert "is not a directory" in capsys.readouterr().err


def test_the_table_covers_every_verb() -> None:
    """A new verb cannot join the CLI without rows here."""
    tested = {
        tuple(argv[:2]) if argv[0] not in SINGLE else (argv[0],) for argv, _ in TABLE
    }
    tested.add(("k8s-dns", "serve"))  # 130 below: it runs until interrupted
    assert tested == set(verbs())


SINGLE = {"quorum", "tour", "completion"}


class _Interrupted(io.StringIO):
    """Standard output where the first write is where Ctrl-C arrives."""

    def write(self, text: str) -> int:
        raise KeyboardInterrupt


@pytest.mark.parametrize(
    "argv",
    [argv for argv, status in TABLE if status == 0]
    + [["k8s-dns", "serve", *YAML, "--listen", "127.0.0.1:0"]],
    ids=lambda argv: " ".join(argv[:2]),
)
def test_ctrl_c_exits_130(argv: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """Ctrl-C in any verb stops it quietly with 130 (128 + SIGINT)."""
    monkeypatch.setattr(sys, "stdout", _Interrupted())
    assert _run(argv) == 130


def test_a_rejected_request_under_json_says_why(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """--json gets the verdict as data; stderr still gets AWS's code and message."""
    argv = ["sigv4", "verify", str(EX / "sigv4/captured-request.txt"), *KEYS]
    assert main([*argv, "--now", "2015-08-30T13:00:00Z", "--json"]) == 3
    captured = capsys.readouterr()
    document = json.loads(captured.out)
    assert document["valid"] is False
    assert document["error"] == "RequestTimeTooSkewed"
    assert captured.err.startswith("awscore: RequestTimeTooSkewed: ")
