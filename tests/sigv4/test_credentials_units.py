"""The chain's parsers and steps with a scripted ChainIO (no sockets, no processes)."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from awscore.errors import (
    CredentialsConfigError,
    CredentialsError,
    CredentialsFetchError,
    CredentialsNotFoundError,
)
from awscore.sigv4 import (
    MAX_CONFIG_BYTES,
    ChainIO,
    Credentials,
    HttpResponse,
    HttpTimeoutError,
    ProcessResult,
    RefreshingCredentials,
    Resolution,
    credentials_provider,
    default_io,
    parse_config_file,
    parse_credentials_file,
    resolve_credentials,
)
from awscore.sigv4._container import parse_container_credentials
from awscore.sigv4._imds import imds_endpoint
from awscore.sigv4._process import parse_process_output, split_command
from awscore.sigv4._sts import parse_iso_time, parse_sts_credentials, sts_endpoint
from awscore.sigv4._transport import expand_path, files_io

NOW = datetime(2026, 1, 1, 12, tzinfo=UTC)
HOME = "/home/u"
Answer = HttpResponse | Exception


def _sts_ok(akid: str = "ASIASTS") -> HttpResponse:
    body = (
        "<AssumeRoleResponse><AssumeRoleResult><Credentials>"
        f"<AccessKeyId>{akid}</AccessKeyId><SecretAccessKey>s</SecretAccessKey>"
        "<SessionToken>t</SessionToken><Expiration>2026-01-01T13:00:00Z</Expiration>"
        "</Credentials></AssumeRoleResult></AssumeRoleResponse>"
    )
    return HttpResponse(status=200, body=body.encode())


class Script:
    """A ChainIO whose HTTP answers come from a per-path list."""

    def __init__(
        self,
        answers: Mapping[str, list[Answer]] | None = None,
        files: Mapping[str, str] | None = None,
        run: Callable[[Sequence[str]], ProcessResult] | None = None,
    ) -> None:
        self.answers = {k: list(v) for k, v in (answers or {}).items()}
        self.files = dict(files or {})
        self.sent: list[tuple[str, str, dict[str, str], bytes]] = []
        self.sleeps: list[float] = []
        self._run = run

    def http(
        self, method: str, url: str, headers: Mapping[str, str], body: bytes, t: float
    ) -> HttpResponse:
        self.sent.append((method, url, dict(headers), body))
        for key, plan in self.answers.items():
            if key in url and plan:
                answer = plan.pop(0) if len(plan) > 1 else plan[0]
                if isinstance(answer, Exception):
                    raise answer
                return answer
        return HttpResponse(status=404, body=b"")

    def run(self, argv: Sequence[str]) -> ProcessResult:
        assert self._run is not None
        return self._run(argv)

    def io(self) -> ChainIO:
        return ChainIO(
            http=self.http,
            run=self.run,
            read_file=self.files.get,
            sleep=self.sleeps.append,
            clock=lambda: NOW,
        )


def _resolve(
    script: Script, env: dict[str, str], profile: str | None = None
) -> Resolution:
    return resolve_credentials(
        env={"HOME": HOME, **env}, io=script.io(), profile=profile
    )


CREDS = f"{HOME}/.aws/credentials"
CONFIG = f"{HOME}/.aws/config"
KEYS = "aws_access_key_id = AKIDBASE\naws_secret_access_key = base-secret\n"


# --- files -------------------------------------------------------------------


def test_config_sections_follow_botocores_rules() -> None:
    config = parse_config_file(
        "[default]\nregion = a\n[profile dev]\nregion = b\n[ops]\nregion = c\n"
        '[profile "my dev"]\nregion = d\n[profile x y z]\nregion = e\n'
        "[sso-session corp]\nsso_region = f\n[profile 'unbalanced]\nregion = g\n"
        "[sso-session 'bad]\nx = 1\n[profile default]\nregion = h\n"
        "[profile n]\ns3 =\n  addressing_style = path\nregion = i\n"
    )
    assert config.profiles["default"] == {"region": "h"}  # the later section wins
    assert config.profiles["dev"] == {"region": "b"}
    assert "ops" not in config.profiles  # a bare [ops] is no profile here
    assert config.profiles["my dev"] == {"region": "d"}
    assert "x" not in config.profiles
    assert config.profiles["n"] == {"region": "i"}  # the nested s3 block is left out
    assert config.sso_sessions == {"corp": {"sso_region": "f"}}
    assert parse_credentials_file("[ops]\na = 1\n") == {"ops": {"a": "1"}}


def test_unparseable_and_oversized_files() -> None:
    with pytest.raises(CredentialsConfigError, match="cannot be parsed at line 2"):
        parse_credentials_file("[a]\nno equals sign here\n", source="creds")
    with pytest.raises(CredentialsConfigError, match="DuplicateSectionError"):
        parse_config_file("[default]\n[default]\n")
    with pytest.raises(CredentialsConfigError, match="larger than"):
        parse_config_file("#" * (MAX_CONFIG_BYTES + 1))


def test_expand_path_and_files_io() -> None:
    env = {"HOME": "/h", "DIR": "/d"}
    assert expand_path("~/.aws/config", env) == "/h/.aws/config"
    assert expand_path("$DIR/x:${DIR}/y:$NOPE/z:${NOPE}:$", env) == (
        "/d/x:/d/y:$NOPE/z:${NOPE}:$"
    )
    assert expand_path("~", env) == "/h"
    io = files_io({"/a": "text"}, default_io())
    assert io.read_file("/a") == "text"
    assert io.read_file("/b") is None


def test_default_io_reads_runs_and_times(tmp_path: Path) -> None:
    io = default_io()
    (tmp_path / "f").write_text("hello", encoding="utf-8")
    assert io.read_file(str(tmp_path / "f")) == "hello"
    assert io.read_file(str(tmp_path / "missing")) is None
    assert io.read_file(str(tmp_path)) is None  # a directory
    done = io.run(["/bin/echo", "hi"])
    assert (done.returncode, done.stdout) == (0, b"hi\n")
    with pytest.raises(CredentialsFetchError, match="cannot be run"):
        io.run([str(tmp_path / "no-such-program")])
    assert io.clock().tzinfo is not None


# --- env and static files ------------------------------------------------------


def test_env_partial_token_order_and_expiration() -> None:
    script = Script()
    with pytest.raises(CredentialsConfigError, match="partial"):
        _resolve(script, {"AWS_ACCESS_KEY_ID": "AKID"})
    found = resolve_credentials(
        env={
            "HOME": HOME,
            "AWS_ACCESS_KEY_ID": "AKID",
            "AWS_SECRET_ACCESS_KEY": "s",
            "AWS_SECURITY_TOKEN": "first",
            "AWS_SESSION_TOKEN": "second",
            "AWS_CREDENTIAL_EXPIRATION": "2026-01-01T13:00:00Z",
        },
        io=script.io(),
    )
    assert found.credentials.session_token == "first"
    assert isinstance(found.provider, RefreshingCredentials)
    assert found.provider.credentials().access_key_id == "AKID"
    with pytest.raises(CredentialsConfigError, match="not an ISO 8601"):
        _resolve(
            script,
            {
                "AWS_ACCESS_KEY_ID": "AKID",
                "AWS_SECRET_ACCESS_KEY": "s",
                "AWS_CREDENTIAL_EXPIRATION": "soon",
            },
        )


def test_bad_static_key_is_a_config_error() -> None:
    script = Script(
        files={CREDS: "[default]\naws_access_key_id = a/b\naws_secret_access_key = s\n"}
    )
    with pytest.raises(CredentialsConfigError, match="shared-credentials-file"):
        _resolve(script, {})
    script = Script(files={CONFIG: "[default]\naws_access_key_id = a\n"})
    with pytest.raises(CredentialsConfigError, match=r"^config-file: .*partial"):
        _resolve(script, {})


def test_nothing_found_lists_every_reason() -> None:
    script = Script(files={CONFIG: "[default]\nregion = x\n"})
    with pytest.raises(CredentialsNotFoundError) as info:
        _resolve(script, {"AWS_EC2_METADATA_DISABLED": "TRUE"})
    message = str(info.value)
    assert message.startswith("chain: no credentials found")
    assert "config-file: [default] in /home/u/.aws/config has no aws_access_key_id" in (
        message
    )
    assert "container-role: neither" in message


# --- assume role -------------------------------------------------------------


def _role_world(profile_extra: str, *, env: dict[str, str] | None = None) -> Script:
    return Script(
        answers={"sts": [_sts_ok()]},
        files={
            CREDS: f"[base]\n{KEYS}",
            CONFIG: f"[default]\nrole_arn = arn:aws:iam::1:role/r\n{profile_extra}",
        },
    )


def test_assume_role_request_is_signed_and_parameterised() -> None:
    script = _role_world(
        "source_profile = base\nexternal_id = ext\nduration_seconds = 900\n"
        "role_session_name = mine\nregion = eu-west-1\n"
    )
    found = _resolve(script, {"AWS_EC2_METADATA_DISABLED": "true"})
    assert found.step == "assume-role"
    _, url, headers, body = script.sent[0]
    assert url == "https://sts.eu-west-1.amazonaws.com/"
    assert (
        "Credential=AKIDBASE/20260101/eu-west-1/sts/aws4_request"
        in (headers["Authorization"])
    )
    form = dict(p.split("=") for p in body.decode().split("&"))
    assert form["ExternalId"] == "ext"
    assert form["DurationSeconds"] == "900"
    assert form["RoleSessionName"] == "mine"
    provider = found.provider
    assert isinstance(provider, RefreshingCredentials)


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ("source_profile = base\ncredential_source = Environment\n", "both"),
        ("", "neither source_profile nor credential_source"),
        ("source_profile = nobody\n", "does not exist"),
        ("credential_source = Bogus\n", "is not one of"),
        ("credential_source = Environment\n", "found no credentials"),
        ("source_profile = base\nmfa_serial = arn:mfa\n", "mfa_serial"),
        ("source_profile = base\nduration_seconds = long\n", "not an integer"),
        ("source_profile = default\n", "makes a loop"),
    ],
)
def test_assume_role_configuration_errors(extra: str, message: str) -> None:
    script = _role_world(extra)
    with pytest.raises(CredentialsError, match=message) as info:
        _resolve(script, {"AWS_DEFAULT_REGION": "us-east-1"})
    assert info.value.step == "assume-role"


def test_assume_role_chains_and_sources() -> None:
    script = Script(
        answers={"sts": [_sts_ok("ASIAONE"), _sts_ok("ASIATWO")]},
        files={
            CREDS: f"[base]\n{KEYS}",
            CONFIG: "[default]\nrole_arn = arn:aws:iam::1:role/top\n"
            "source_profile = mid\n"
            "[profile mid]\nrole_arn = arn:aws:iam::1:role/mid\n"
            "source_profile = base\n"
            "[profile empty]\nregion = x\n",
        },
    )
    found = _resolve(script, {})
    assert found.credentials.access_key_id == "ASIATWO"
    assert "AKIDBASE/" in script.sent[0][2]["Authorization"]
    assert "ASIAONE/" in script.sent[1][2]["Authorization"]
    env_source = Script(
        answers={"sts": [_sts_ok()]},
        files={CONFIG: "[default]\nrole_arn = r\ncredential_source = Environment\n"},
    )
    found = _resolve(
        env_source,
        {"AWS_ACCESS_KEY_ID": "AKIDENV", "AWS_SECRET_ACCESS_KEY": "s"},
        profile="default",
    )
    assert "AKIDENV/" in env_source.sent[0][2]["Authorization"]
    empty = Script(
        files={
            CONFIG: "[default]\nrole_arn = r\nsource_profile = e\n[profile e]\nx = 1\n"
        }
    )
    with pytest.raises(CredentialsConfigError, match="must have credentials"):
        _resolve(empty, {})


def test_sts_failures() -> None:
    cases: list[tuple[Answer, str]] = [
        (
            HttpResponse(
                status=403,
                body=b"<ErrorResponse><Error><Code>AccessDenied"
                b"</Code></Error></ErrorResponse>",
            ),
            "HTTP 403 AccessDenied",
        ),
        (HttpResponse(status=500, body=b"oops"), "not XML"),
        (HttpTimeoutError("slow"), "did not answer"),
        (ConnectionRefusedError(111, "Connection refused"), "cannot reach"),
    ]
    for answer, message in cases:
        script = _role_world("source_profile = base\n")
        script.answers = {"sts": [answer]}
        with pytest.raises(CredentialsFetchError, match=message):
            _resolve(script, {})


def test_parse_sts_credentials_refusals() -> None:
    with pytest.raises(CredentialsFetchError, match="DTD"):
        parse_sts_credentials(200, b"<!DOCTYPE x><x/>", step="assume-role")
    with pytest.raises(CredentialsFetchError, match="without Credentials"):
        parse_sts_credentials(200, b"<AssumeRoleResponse/>", step="assume-role")
    with pytest.raises(CredentialsFetchError, match="lack"):
        parse_sts_credentials(
            200,
            b"<R><Credentials><AccessKeyId>A</AccessKeyId></Credentials></R>",
            step="assume-role",
        )
    bad = (
        b"<R><Credentials><AccessKeyId>a/b</AccessKeyId><SecretAccessKey>s"
        b"</SecretAccessKey><SessionToken>t</SessionToken><Expiration>"
        b"2026-01-01T00:00:00Z</Expiration></Credentials></R>"
    )
    with pytest.raises(CredentialsFetchError, match="unusable"):
        parse_sts_credentials(200, bad, step="assume-role")
    with pytest.raises(CredentialsFetchError, match="no time zone"):
        parse_iso_time("2026-01-01T00:00:00", step="x", what="Expiration")
    assert sts_endpoint({}, None) == "https://sts.amazonaws.com/"
    assert sts_endpoint({"AWS_ENDPOINT_URL": "http://e"}, "r") == "http://e"


def test_custom_sts_endpoint_needs_a_region() -> None:
    script = _role_world("source_profile = base\n")
    with pytest.raises(CredentialsConfigError, match="signing region"):
        _resolve(script, {"AWS_ENDPOINT_URL_STS": "http://127.0.0.1:1/"})


def test_web_identity_missing_token_file() -> None:
    script = Script(
        files={CONFIG: "[default]\nweb_identity_token_file = /t\nrole_arn = r\n"}
    )
    with pytest.raises(CredentialsConfigError, match="does not exist"):
        _resolve(script, {})
    script = Script(
        files={CONFIG: "[default]\nweb_identity_token_file = /t\nrole_arn = r\n"}
    )
    # A variable that is present but empty hides the profile's value (botocore's
    # per-key rule): the step is skipped, and here nothing else answers.
    with pytest.raises(CredentialsNotFoundError, match="web_identity_token_file is"):
        _resolve(
            script,
            {"AWS_WEB_IDENTITY_TOKEN_FILE": "", "AWS_EC2_METADATA_DISABLED": "true"},
        )


# --- process ------------------------------------------------------------------


def _proc(stdout: object, rc: int = 0, stderr: bytes = b"") -> ProcessResult:
    data = stdout if isinstance(stdout, bytes) else json.dumps(stdout).encode()
    return ProcessResult(returncode=rc, stdout=data, stderr=stderr)


def test_process_output_contract() -> None:
    argv = ["helper"]
    good = {"Version": 1, "AccessKeyId": "A", "SecretAccessKey": "s"}
    assert parse_process_output(_proc(good), argv).session_token is None
    for result, message in [
        (_proc(b"", rc=2, stderr=b"denied"), "status 2: denied"),
        (_proc(b"", rc=2), "status 2$"),
        (_proc(b"not json"), "JSON object"),
        (_proc([1]), "JSON object"),
        (_proc({**good, "Version": 2}), "Version '2'"),
        (_proc({"Version": 1}), "AccessKeyId or SecretAccessKey"),
        (_proc({**good, "AccessKeyId": "a/b"}), "unusable"),
        (_proc(b"x" * (1 << 20 | 1)), "more than"),
    ]:
        with pytest.raises(CredentialsFetchError, match=message):
            parse_process_output(result, argv)
    with pytest.raises(CredentialsConfigError, match="empty"):
        split_command("   ")
    with pytest.raises(CredentialsConfigError, match="words"):
        split_command("'unbalanced")


def test_process_step_refreshes_with_expiration() -> None:
    calls: list[Sequence[str]] = []

    def run(argv: Sequence[str]) -> ProcessResult:
        calls.append(argv)
        return _proc(
            {
                "Version": 1,
                "AccessKeyId": f"A{len(calls)}",
                "SecretAccessKey": "s",
                "Expiration": "2026-01-01T12:05:00Z",
            }
        )

    script = Script(
        files={CONFIG: "[default]\ncredential_process = helper --x\n"}, run=run
    )
    found = _resolve(script, {})
    provider = found.provider
    assert provider.credentials().access_key_id == "A2"  # 5 minutes left: refreshed
    assert calls == [["helper", "--x"], ["helper", "--x"]]


# --- container and IMDS edges ------------------------------------------------


def test_container_connection_errors_and_sleeps() -> None:
    script = Script(answers={"creds": [ConnectionRefusedError(111, "refused")]})
    env = {"AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://127.0.0.1:9/creds"}
    with pytest.raises(CredentialsFetchError, match="cannot connect"):
        _resolve(script, env)
    assert script.sleeps == [1.0, 1.0]
    with pytest.raises(CredentialsFetchError, match="not an object"):
        parse_container_credentials(b"[1]")
    with pytest.raises(CredentialsFetchError, match="unusable"):
        parse_container_credentials(
            json.dumps(
                {
                    "AccessKeyId": "",
                    "SecretAccessKey": "s",
                    "Token": "t",
                    "Expiration": "2026-01-01T00:00:00Z",
                }
            ).encode()
        )


def test_imds_connection_errors_endpoint_modes_and_bad_numbers() -> None:
    ok = HttpResponse(status=200, body=b"role")
    script = Script(
        answers={
            "api/token": [OSError("down"), OSError("down")],
            "security-credentials/role": [OSError("down")],
            "security-credentials/": [ok],
        }
    )
    env = {"AWS_METADATA_SERVICE_NUM_ATTEMPTS": "2"}
    with pytest.raises(CredentialsNotFoundError, match="cannot connect"):
        _resolve(script, env)
    with pytest.raises(CredentialsConfigError, match="not an integer"):
        _resolve(Script(), {"AWS_METADATA_SERVICE_TIMEOUT": "soon"})
    assert imds_endpoint({}, {}) == "http://169.254.169.254/"
    assert imds_endpoint({"AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE": "IPv6"}, {}) == (
        "http://[fd00:ec2::254]/"
    )
    assert imds_endpoint({}, {"ec2_metadata_service_endpoint": "http://x"}) == (
        "http://x/"
    )


def test_credentials_provider_resolves_once_and_refreshes() -> None:
    script = Script(files={CREDS: f"[default]\n{KEYS}"})
    provider = credentials_provider(env={"HOME": HOME}, io=script.io())
    assert provider.credentials().access_key_id == "AKIDBASE"
    assert provider.credentials().access_key_id == "AKIDBASE"

    clock = [NOW]

    def temporary(argv: Sequence[str]) -> ProcessResult:
        return _proc(
            {
                "Version": 1,
                "AccessKeyId": f"T{clock[0]:%H%M}",
                "SecretAccessKey": "s",
                "Expiration": (clock[0] + timedelta(hours=1)).isoformat(),
            }
        )

    script = Script(
        files={CONFIG: "[default]\ncredential_process = p\n"}, run=temporary
    )
    io = script.io()
    moving = ChainIO(
        http=io.http,
        run=io.run,
        read_file=io.read_file,
        sleep=io.sleep,
        clock=lambda: clock[0],
    )
    provider = credentials_provider(env={"HOME": HOME}, io=moving)
    assert provider.credentials().access_key_id == "T1200"
    clock[0] = NOW + timedelta(minutes=55)
    assert provider.credentials().access_key_id == "T1255"


def test_resolution_repr_holds_no_secret() -> None:
    script = Script(files={CREDS: f"[default]\n{KEYS}"})
    found = _resolve(script, {})
    assert "base-secret" not in repr(found)
    assert isinstance(found.provider, Credentials)


def test_sso_token_and_answer_parsers() -> None:
    from awscore.sigv4._sso import parse_role_credentials, parse_sso_token

    url = "https://corp.awsapps.com/start"
    good = json.dumps({"accessToken": "t", "expiresAt": "2099-01-01T00:00:00Z"})
    assert parse_sso_token(good, now=NOW, start_url=url) == "t"
    for text, message in [
        ("not json", "invalid"),
        (json.dumps({"accessToken": "t"}), "invalid"),
        (
            json.dumps({"accessToken": "a\nb", "expiresAt": "2099-01-01T00:00:00Z"}),
            "usable",
        ),
        (
            json.dumps({"accessToken": "t", "expiresAt": "2001-01-01T00:00:00Z"}),
            "expired",
        ),
    ]:
        with pytest.raises(CredentialsFetchError, match=message):
            parse_sso_token(text, now=NOW, start_url=url)
    ok = {
        "roleCredentials": {
            "accessKeyId": "A",
            "secretAccessKey": "s",
            "sessionToken": "t",
            "expiration": 1767272400000,
        }
    }
    creds = parse_role_credentials(200, json.dumps(ok).encode())
    assert creds.expiration == datetime(2026, 1, 1, 13, tzinfo=UTC)
    for status, body, message in [
        (401, b"{}", "401"),
        (500, b"{}", "HTTP 500"),
        (200, b"<html>", "HTTP 200"),
        (200, b'{"roleCredentials": {}}', "without usable"),
    ]:
        with pytest.raises(CredentialsFetchError, match=message):
            parse_role_credentials(status, body)


def test_sso_session_profiles_are_refused_for_now() -> None:
    script = Script(
        files={CONFIG: "[default]\nsso_session = corp\nsso_role_name = r\n"}
    )
    with pytest.raises(CredentialsConfigError, match="sso_session"):
        _resolve(script, {})
