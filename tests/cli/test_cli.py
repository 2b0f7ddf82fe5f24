"""The ``awscore`` command line: exit codes, output forms, the tour."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from awscore import __version__
from awscore.cli import build_parser, main

AKID = "AKIDEXAMPLE"
SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
CREDS = ["--access-key-id", AKID, "--secret-access-key", SECRET]
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
# aws-c-auth's get-vanilla vector, header mode
VANILLA_SIGNATURE = "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"
VANILLA_QUERY_SIGNATURE = (
    "e93c787ed7f371d5c6b165c1b38ede9550f4dce4144713e844b25b7192d3865d"
)


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out.strip() == f"awscore {__version__}"


def test_no_command_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    assert "usage: awscore" in capsys.readouterr().err


def test_unknown_flag_is_a_usage_error() -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["sigv4", "sign", "--no-such-flag"])
    assert exit_info.value.code == 2


def test_sign_prints_the_signed_request(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sigv4", "sign", *VANILLA, *CREDS]) == 0
    out = capsys.readouterr().out
    assert out.startswith("GET / HTTP/1.1\nHost: example.amazonaws.com\n")
    assert f"Signature={VANILLA_SIGNATURE}" in out


def test_sign_reads_credentials_from_the_environment(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", AKID)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET)
    monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)
    assert main(["sigv4", "sign", *VANILLA, "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["signature"] == VANILLA_SIGNATURE
    assert document["canonical_request"].startswith("GET\n/\n")


def test_explain_shows_the_intermediate_results(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["sigv4", "sign", *VANILLA, *CREDS, "--explain"]) == 0
    out = capsys.readouterr().out
    assert "# canonical request\nGET\n/\n\nhost:example.amazonaws.com\n" in out
    assert "# string to sign\nAWS4-HMAC-SHA256\n20150830T123600Z\n" in out


def test_time_defaults_to_now(capsys: pytest.CaptureFixture[str]) -> None:
    """Without --time the request is signed at the current time, in UTC."""
    argv = [*VANILLA[:-2], *CREDS, "--json"]  # VANILLA less its --time
    before = datetime.now(UTC).replace(microsecond=0)
    assert main(["sigv4", "sign", *argv]) == 0
    after = datetime.now(UTC)
    document = json.loads(capsys.readouterr().out)
    signed_at = datetime.strptime(document["amz_date"], "%Y%m%dT%H%M%SZ")
    assert before <= signed_at.replace(tzinfo=UTC) <= after
    assert document["credential_scope"].startswith(f"{signed_at:%Y%m%d}/")


def test_presign_matches_the_vector(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sigv4", "presign", *VANILLA, *CREDS]) == 0
    url = capsys.readouterr().out.strip()
    # aws-c-auth's get-vanilla vector, query mode
    assert url.endswith(f"&X-Amz-Signature={VANILLA_QUERY_SIGNATURE}")
    assert "X-Amz-Expires=3600" in url


def test_headers_and_body_are_signed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    body = tmp_path / "body"
    body.write_bytes(b"Param1=value1")
    argv = [
        "sigv4",
        "sign",
        "POST",
        "https://example.amazonaws.com/",
        "--region",
        "us-east-1",
        "--service",
        "service",
        "--time",
        "20150830T123600Z",
        "-H",
        "Content-Type: application/x-www-form-urlencoded",
        "--data-file",
        str(body),
        "--json",
        *CREDS,
    ]
    assert main(argv) == 0
    document = json.loads(capsys.readouterr().out)
    assert "content-type" in document["signed_headers"]
    assert document["payload_hash"] == (
        "9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e"
    )


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["--region", "us east"], "region 'us east' is invalid"),
        (["--time", "2015-08-30T12:36:00"], "no time zone"),
        (["--time", "yesterday"], "not ISO 8601"),
        (["-H", "Bad Name: x"], "not an HTTP token"),
        (["-H", "no colon"], "not 'Name: value'"),
    ],
)
def test_domain_errors_exit_1_with_one_line(
    argv: list[str], fragment: str, capsys: pytest.CaptureFixture[str]
) -> None:
    base = [
        "sigv4",
        "sign",
        "GET",
        "https://example.amazonaws.com/",
        "--region",
        "us-east-1",
        "--service",
        "service",
        *CREDS,
    ]
    assert main(base + argv) == 1
    err = capsys.readouterr().err
    assert fragment in err
    assert err.count("\n") == 1
    assert "Traceback" not in err
    assert SECRET not in err


def test_missing_credentials_is_a_domain_error(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    # The credential chain reads ~/.aws and would ask IMDS: keep it on this test.
    for name in (
        "AWS_PROFILE",
        "AWS_DEFAULT_PROFILE",
        "AWS_CONFIG_FILE",
        "AWS_SHARED_CREDENTIALS_FILE",
        "AWS_WEB_IDENTITY_TOKEN_FILE",
        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
        "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    assert main(["sigv4", "sign", *VANILLA]) == 1
    assert "no credentials" in capsys.readouterr().err


def test_missing_data_file_is_a_domain_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["sigv4", "sign", *VANILLA, *CREDS, "--data-file", str(tmp_path / "nope")]
    assert main(argv) == 1
    assert "No such file" in capsys.readouterr().err


def test_tour_runs_every_module(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["tour"]) == 0
    out = capsys.readouterr().out
    assert "sigv4: AWS Signature Version 4" in out


def test_tour_json_for_one_module(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["tour", "--module", "sigv4", "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert set(document) == {"sigv4"}
    assert len(document["sigv4"]["signature"]) == 64


def test_every_verb_help_shows_an_example() -> None:
    parser = build_parser()
    for verb in ("sign", "presign", "verify"):
        help_text = _subparser(parser, "sigv4", verb).format_help()
        assert "example" in help_text, verb


def _subparser(parser: argparse.ArgumentParser, *names: str) -> argparse.ArgumentParser:
    current = parser
    for name in names:
        action = next(
            a for a in current._actions if isinstance(a, argparse._SubParsersAction)
        )
        current = action.choices[name]
    return current


def test_python_dash_m_awscore_works() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "awscore", "--version"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0
    assert result.stdout.strip() == f"awscore {__version__}"


def _signed_request_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    argv = [
        "sigv4",
        "sign",
        "POST",
        "https://example.amazonaws.com/?a=1",
        "-H",
        "Content-Type: text/plain",
        "--data",
        "hello",
        "--region",
        "us-east-1",
        "--service",
        "service",
        "--time",
        "2015-08-30T12:36:00Z",
        *CREDS,
    ]
    assert main(argv) == 0
    head = capsys.readouterr().out
    path = tmp_path / "request.txt"
    path.write_bytes(head.encode() + b"\nhello")
    return path


def test_verify_accepts_a_signed_request(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _signed_request_file(tmp_path, capsys)
    argv = ["sigv4", "verify", str(path), "--now", "2015-08-30T12:40:00Z", *CREDS]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert out.startswith("valid: Authorization header signed by AKIDEXAMPLE")


def test_verify_rejects_a_stale_request(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _signed_request_file(tmp_path, capsys)
    argv = ["sigv4", "verify", str(path), "--now", "2015-08-30T13:00:00Z", *CREDS]
    # a rejected request is a finding (3), with AWS's error code on stderr
    assert main(argv) == 3
    assert capsys.readouterr().err.startswith("awscore: RequestTimeTooSkewed: ")


def test_verify_diffs_against_the_clients_canonical_request(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _signed_request_file(tmp_path, capsys)
    path.write_bytes(path.read_bytes().replace(b"?a=1", b"?a=2"))
    client = tmp_path / "creq.txt"
    client.write_text(
        "POST\n/\na=1\ncontent-type:text/plain\nhost:example.amazonaws.com\n"
        "x-amz-date:20150830T123600Z\n\ncontent-type;host;x-amz-date\n"
        "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"
    )
    argv = [
        "sigv4",
        "verify",
        str(path),
        "--now",
        "2015-08-30T12:40:00Z",
        "--client-canonical-request",
        str(client),
        "--json",
        *CREDS,
    ]
    assert main(argv) == 3
    captured = capsys.readouterr()
    assert "-a=1\n+a=2\n" in captured.out
    assert captured.err.startswith("awscore: SignatureDoesNotMatch: ")
    document = json.loads(captured.out[captured.out.index("{") :])
    assert document["valid"] is False
    assert document["canonical_request"].split("\n")[2] == "a=2"


def test_verify_explains_a_mismatch_with_what_it_recomputed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _signed_request_file(tmp_path, capsys)
    path.write_bytes(path.read_bytes().replace(b"?a=1", b"?a=2"))
    argv = ["sigv4", "verify", str(path), "--now", "2015-08-30T12:40:00Z"]
    assert main([*argv, "--explain", *CREDS]) == 3
    captured = capsys.readouterr()
    # The canonical request of the tampered request, by SigV4's rules: method,
    # path, query, signed headers, their names, the SHA-256 of "hello".
    assert captured.out.startswith(
        "# canonical request (recomputed)\nPOST\n/\na=2\n"
        "content-type:text/plain\nhost:example.amazonaws.com\n"
        "x-amz-date:20150830T123600Z\n\ncontent-type;host;x-amz-date\n"
        "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824\n\n"
        "# string to sign (recomputed)\nAWS4-HMAC-SHA256\n20150830T123600Z\n"
        "20150830/us-east-1/service/aws4_request\n"
    )
    assert "{" not in captured.out  # no JSON without --json
    assert captured.err.startswith("awscore: SignatureDoesNotMatch: ")


def test_verify_reads_stdin(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import io

    path = _signed_request_file(tmp_path, capsys)

    class FakeStdin:
        buffer = io.BytesIO(path.read_bytes())

    monkeypatch.setattr(sys, "stdin", FakeStdin)
    argv = ["sigv4", "verify", "-", "--now", "2015-08-30T12:36:00Z", "--json", *CREDS]
    assert main(argv) == 0
    assert json.loads(capsys.readouterr().out)["valid"] is True


def test_sign_with_sigv4a(capsys: pytest.CaptureFixture[str]) -> None:
    argv = [
        "sigv4",
        "sign",
        *VANILLA,
        *CREDS,
        "--sigv4a",
        "--region-set",
        "*",
        "--json",
    ]
    assert main(argv) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["credential_scope"] == "20150830/service/aws4_request"
    assert ["X-Amz-Region-Set", "*"] in document["headers"]
    assert document["string_to_sign"].startswith("AWS4-ECDSA-P256-SHA256\n")


def test_region_set_needs_sigv4a(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sigv4", "sign", *VANILLA, *CREDS, "--region-set", "*"]) == 1
    assert "--region-set needs --sigv4a" in capsys.readouterr().err
