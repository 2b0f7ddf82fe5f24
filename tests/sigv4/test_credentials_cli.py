"""``awscore sigv4 credentials`` and ``--profile`` on the sigv4 verbs."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from awscore.cli import main

AKID = "AKIDEXAMPLE"
SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
DEV_SECRET = "dev/secret/wJalrXUtnFEMIK7MDENG"
VANILLA = [
    "GET",
    "https://example.amazonaws.com/",
    "--region",
    "us-east-1",
    "--service",
    "service",
    "--time",
    "2015-08-30T12:36:00Z",
]
VANILLA_SIGNATURE = "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"


@pytest.fixture
def aws_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A HOME with `aws configure`-style files and no AWS_* variables."""
    for name in list(os.environ):
        if name.startswith("AWS_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    aws = tmp_path / ".aws"
    aws.mkdir()
    (aws / "credentials").write_text(
        f"[default]\naws_access_key_id = {AKID}\naws_secret_access_key = {SECRET}\n\n"
        f"[dev]\naws_access_key_id = AKIDDEV\naws_secret_access_key = {DEV_SECRET}\n",
        encoding="utf-8",
    )
    (aws / "config").write_text(
        "[default]\nregion = us-east-1\n\n[profile dev]\nregion = eu-west-1\n",
        encoding="utf-8",
    )
    return tmp_path


def test_readme_sign_example_works_from_aws_configure_files(
    aws_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """With ~/.aws/credentials written by `aws configure`, sign needs no variables."""
    assert main(["sigv4", "sign", *VANILLA]) == 0
    assert f"Signature={VANILLA_SIGNATURE}" in capsys.readouterr().out


def test_profile_option_on_sign_presign_and_verify(
    aws_home: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert main(["sigv4", "sign", *VANILLA, "--profile", "dev"]) == 0
    signed = capsys.readouterr().out
    assert "Credential=AKIDDEV/20150830/us-east-1/service/aws4_request" in signed
    assert DEV_SECRET not in signed
    assert main(["sigv4", "presign", *VANILLA, "--profile", "dev"]) == 0
    assert "X-Amz-Credential=AKIDDEV%2F" in capsys.readouterr().out
    raw = tmp_path / "request.txt"
    head = signed.strip().replace("\n", "\r\n")
    raw.write_bytes(head.encode() + b"\r\n\r\n")
    now = ["--now", "2015-08-30T12:36:00Z"]
    assert main(["sigv4", "verify", str(raw), *now, "--profile", "dev"]) == 0
    assert "valid" in capsys.readouterr().out
    # default's key is unknown: a rejected signature, exit 3 (the CLI contract)
    assert main(["sigv4", "verify", str(raw), *now]) == 3
    capsys.readouterr()


def test_credentials_explain_names_the_step_and_no_secret(
    aws_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["sigv4", "credentials", "--explain", "--profile", "dev"]) == 0
    out = capsys.readouterr().out
    assert "profile: dev" in out
    assert "skipped env: a profile was given explicitly" in out
    assert "skipped assume-role: profile dev has no role_arn" in out
    assert "answered shared-credentials-file:" in out
    assert "AKIDDEV" in out
    assert DEV_SECRET not in out
    assert SECRET not in out


def test_credentials_plain_and_json(
    aws_home: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert main(["sigv4", "credentials"]) == 0
    assert capsys.readouterr().out == (
        "shared-credentials-file: AKIDEXAMPLE (profile default)\n"
    )
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDENV")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "env-secret")
    monkeypatch.setenv("AWS_SESSION_TOKEN", "env-token")
    monkeypatch.setenv("AWS_CREDENTIAL_EXPIRATION", "2099-01-01T00:00:00Z")
    assert main(["sigv4", "credentials", "--json"]) == 0
    text = capsys.readouterr().out
    document = json.loads(text)
    assert document["step"] == "env"
    assert document["access_key_id"] == "AKIDENV"
    assert document["has_session_token"] is True
    assert document["expiration"] == "2099-01-01T00:00:00+00:00"
    assert document["skipped"] == []
    assert "env-secret" not in text
    assert "env-token" not in text


def test_no_credentials_anywhere_is_exit_1_with_reasons(
    aws_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (aws_home / ".aws" / "credentials").unlink()
    (aws_home / ".aws" / "config").unlink()
    assert main(["sigv4", "credentials"]) == 1
    err = capsys.readouterr().err
    assert "no credentials found" in err
    assert "iam-role: AWS_EC2_METADATA_DISABLED is true" in err
    assert err.count("\n") == 1


def test_flags_still_win_and_a_half_pair_is_refused(
    aws_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["sigv4", "sign", *VANILLA, "--access-key-id", "AKIDFLAG"]) == 1
    assert "must both be set" in capsys.readouterr().err
    flags = ["--access-key-id", AKID, "--secret-access-key", SECRET]
    assert main(["sigv4", "sign", *VANILLA, *flags, "--profile", "dev"]) == 0
    assert f"Signature={VANILLA_SIGNATURE}" in capsys.readouterr().out


def test_missing_profile_is_exit_1(
    aws_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["sigv4", "credentials", "--profile", "nope"]) == 1
    assert "profile: the config profile (nope) could not be found" in (
        capsys.readouterr().err
    )
