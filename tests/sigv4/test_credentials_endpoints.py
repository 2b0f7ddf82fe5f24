"""IMDSv2 and container-credential endpoints on loopback: success, token expiry,
401/404/500 retries, a slow server, malformed JSON; each checked against botocore
on the same fake and the same environment, and for awscore, the step named."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from awscore.errors import (
    CredentialsConfigError,
    CredentialsError,
    CredentialsFetchError,
)
from awscore.sigv4 import (
    ChainIO,
    RefreshingCredentials,
    default_io,
    resolve_credentials,
)
from tests.conftest import require_peer
from tests.sigv4._credential_fakes import FakeState, derived_keys, serve_fakes
from tests.sigv4.test_credentials_chain_botocore import (
    awscore_outcome,
    botocore_outcome,
)


@pytest.fixture(scope="module")
def fakes() -> Iterator[tuple[FakeState, str]]:
    state = FakeState()
    with serve_fakes(state) as url:
        yield state, url


@pytest.fixture
def home() -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as tmp:
        yield Path(tmp)


def _both(
    env: dict[str, str], state: FakeState, plan: dict[str, list[object]]
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """botocore's outcome, then awscore's, each with the same scripted plan."""
    state.behaviour = {k: list(v) for k, v in plan.items()}
    theirs = botocore_outcome(env, None)
    state.behaviour = {k: list(v) for k, v in plan.items()}
    state.requests.clear()
    ours = awscore_outcome(env, None)
    return ours, theirs


IMDS_KEYS = derived_keys("imds", "fake-role")


def _imds_env(home: Path, url: str, **extra: str) -> dict[str, str]:
    return {
        "HOME": str(home),
        "AWS_EC2_METADATA_SERVICE_ENDPOINT": url + "/",
        **extra,
    }


IMDS_CASES: list[tuple[str, dict[str, list[object]], dict[str, str], str]] = [
    # (name, plan, extra env, expected outcome kind)
    ("success", {}, {}, "iam-role"),
    ("token PUT 404: IMDSv1 fallback", {"token": [404]}, {}, "iam-role"),
    ("token PUT 403: IMDSv1 fallback", {"token": [403]}, {}, "iam-role"),
    ("token PUT 400: skipped", {"token": [400]}, {}, "none"),
    (
        "token expired (401) once, 2 attempts: retried",
        {"imds-role": [401]},
        {"AWS_METADATA_SERVICE_NUM_ATTEMPTS": "2"},
        "iam-role",
    ),
    ("token expired (401), 1 attempt: skipped", {"imds-role": [401]}, {}, "none"),
    ("role 404: skipped", {"imds-role": [404]}, {}, "none"),
    (
        "credentials 500 twice, 2 attempts: skipped",
        {"imds-creds": [500, 500]},
        {"AWS_METADATA_SERVICE_NUM_ATTEMPTS": "2"},
        "none",
    ),
    (
        "credentials 500 then good, 2 attempts",
        {"imds-creds": [500]},
        {"AWS_METADATA_SERVICE_NUM_ATTEMPTS": "2"},
        "iam-role",
    ),
    (
        "malformed JSON then good, 2 attempts",
        {"imds-creds": ["badjson"]},
        {"AWS_METADATA_SERVICE_NUM_ATTEMPTS": "2"},
        "iam-role",
    ),
    ("malformed JSON, 1 attempt: skipped", {"imds-creds": ["badjson"]}, {}, "none"),
    ("empty role name: skipped", {"imds-role": ["empty"]}, {}, "none"),
    ("credentials lack Token: skipped", {"imds-creds": ["nofields"]}, {}, "none"),
    ("slow token PUT (timeout): IMDSv1 fallback", {"token": ["slow"]}, {}, "iam-role"),
    ("slow role GET (timeout): skipped", {"imds-role": ["slow"]}, {}, "none"),
    (
        "no token and IMDSv1 disabled: error",
        {"token": [404]},
        {"AWS_EC2_METADATA_V1_DISABLED": "true"},
        "error",
    ),
]


@pytest.mark.parametrize(
    ("plan", "extra", "expected"),
    [case[1:] for case in IMDS_CASES],
    ids=[case[0] for case in IMDS_CASES],
)
def test_imds_behaviours_match_botocore(
    fakes: tuple[FakeState, str],
    home: Path,
    plan: dict[str, list[object]],
    extra: dict[str, str],
    expected: str,
) -> None:
    state, url = fakes
    ours, theirs = _both(_imds_env(home, url, **extra), state, plan)
    assert ours == theirs
    assert (ours[1] if ours[0] == "ok" else ours[0]) == expected
    if expected == "iam-role":
        assert ours[2:] == IMDS_KEYS


def test_imdsv2_sends_the_token_and_ttl(
    fakes: tuple[FakeState, str], home: Path
) -> None:
    state, url = fakes
    state.behaviour = {}
    state.requests.clear()
    found = resolve_credentials(env=_imds_env(home, url))
    assert found.step == "iam-role"
    put, role, creds = state.requests[:3]
    assert put[0] == "PUT"
    assert put[2]["x-aws-ec2-metadata-token-ttl-seconds"] == "21600"
    assert role[2]["x-aws-ec2-metadata-token"] == "fake-imds-token"
    assert creds[1].endswith("/security-credentials/fake-role")
    assert isinstance(found.provider, RefreshingCredentials)
    assert found.credentials.expiration is not None
    skipped = {s.step for s in found.skipped}
    assert skipped == {
        "env",
        "assume-role",
        "assume-role-with-web-identity",
        "sso",
        "shared-credentials-file",
        "custom-process",
        "config-file",
        "container-role",
    }


CONTAINER_KEYS = derived_keys("container", "/container/v2/credentials")

Case = tuple[str, dict[str, list[object]], dict[str, str], str]
CONTAINER_CASES: list[Case] = [
    ("success", {}, {}, "container-role"),
    ("500 then good: retried", {"container": [500]}, {}, "container-role"),
    ("404 three times: error", {"container": [404, 404, 404]}, {}, "error"),
    ("malformed JSON three times: error", {"container": ["badjson"] * 3}, {}, "error"),
    ("malformed JSON then good", {"container": ["badjson"]}, {}, "container-role"),
    ("slow (timeout) then good", {"container": ["slow"]}, {}, "container-role"),
    ("answer lacks Token: error", {"container": ["nofields"]}, {}, "error"),
]


@pytest.mark.parametrize(
    ("plan", "extra", "expected"),
    [case[1:] for case in CONTAINER_CASES],
    ids=[case[0] for case in CONTAINER_CASES],
)
def test_container_behaviours_match_botocore(
    fakes: tuple[FakeState, str],
    home: Path,
    plan: dict[str, list[object]],
    extra: dict[str, str],
    expected: str,
) -> None:
    state, url = fakes
    state.container_token = None
    env = {
        "HOME": str(home),
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_CONTAINER_CREDENTIALS_FULL_URI": url + "/container/v2/credentials",
        **extra,
    }
    ours, theirs = _both(env, state, plan)
    assert ours == theirs
    assert (ours[1] if ours[0] == "ok" else ours[0]) == expected
    if expected == "container-role":
        assert ours[2:] == CONTAINER_KEYS


def _container_env(home: Path, url: str) -> dict[str, str]:
    return {
        "HOME": str(home),
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_CONTAINER_CREDENTIALS_FULL_URI": url + "/container/v2/credentials",
    }


def test_eks_pod_identity_token_file_is_sent(
    fakes: tuple[FakeState, str], home: Path
) -> None:
    """EKS Pod Identity: the token file's contents go in Authorization, and a
    wrong token (401 three times) is an error naming the step, in both."""
    state, url = fakes
    state.container_token = "pod-identity-token"
    token_file = home / "token"
    token_file.write_text("pod-identity-token", encoding="utf-8")
    env = {
        **_container_env(home, url),
        "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": str(token_file),
    }
    ours, theirs = _both(env, state, {})
    assert ours == theirs == ("ok", "container-role", *CONTAINER_KEYS)
    token_file.write_text("wrong", encoding="utf-8")
    ours, theirs = _both(env, state, {})
    assert ours == theirs == ("error",)
    with pytest.raises(CredentialsFetchError, match=r"^container-role: .*HTTP 401"):
        resolve_credentials(env=env)
    state.container_token = None


def test_authorization_token_variable_and_newline_refusal(
    fakes: tuple[FakeState, str], home: Path
) -> None:
    state, url = fakes
    state.container_token = "ecs-token"
    env = {
        **_container_env(home, url),
        "AWS_CONTAINER_AUTHORIZATION_TOKEN": "ecs-token",
    }
    ours, theirs = _both(env, state, {})
    assert ours == theirs == ("ok", "container-role", *CONTAINER_KEYS)
    token_file = home / "token"
    token_file.write_text("ecs-token\n", encoding="utf-8")  # a trailing newline
    env = {
        **_container_env(home, url),
        "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": str(token_file),
    }
    ours, theirs = _both(env, state, {})
    assert ours == theirs == ("error",)
    with pytest.raises(CredentialsConfigError, match=r"^container-role: .*CR or LF"):
        resolve_credentials(env=env)
    missing = {**env, "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": str(home / "absent")}
    with pytest.raises(CredentialsConfigError, match="does not exist"):
        resolve_credentials(env=missing)
    state.container_token = None


@pytest.mark.parametrize(
    ("uri", "allowed"),
    [
        ("http://169.254.170.23/v1/credentials", True),
        ("http://169.254.170.2/creds", True),
        ("http://[fd00:ec2::23]/v1/credentials", True),
        ("http://localhost:1/creds", True),
        ("http://127.0.0.5:1/creds", True),
        ("http://[::1]:1/creds", True),
        ("https://creds.example.com/x", True),
        ("http://creds.example.com/x", False),
        ("http://10.0.0.1/x", False),
        ("ftp://127.0.0.1/x", False),
    ],
)
def test_full_uri_allowed_hosts_rule(uri: str, allowed: bool) -> None:
    """botocore's rule: https anywhere; http only to loopback, localhost, the ECS
    address or the EKS Pod Identity addresses."""
    from awscore.sigv4._container import check_full_uri

    if allowed:
        assert check_full_uri(uri) == uri
    else:
        with pytest.raises(CredentialsConfigError, match="not allowed"):
            check_full_uri(uri)


def test_disallowed_host_fails_in_both(home: Path) -> None:
    env = {
        "HOME": str(home),
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://creds.example.com/x",
    }
    assert botocore_outcome(env, None) == awscore_outcome(env, None) == ("error",)


def test_relative_uri_goes_to_the_ecs_address(
    fakes: tuple[FakeState, str], home: Path
) -> None:
    """RELATIVE_URI is fetched from the ECS link-local address (here pointed at
    the fake through ChainIO.container_host) and wins over FULL_URI."""
    state, url = fakes
    state.behaviour = {}
    base = default_io()
    io = ChainIO(
        http=base.http,
        run=base.run,
        read_file=base.read_file,
        sleep=base.sleep,
        clock=base.clock,
        container_host=url.removeprefix("http://"),
    )
    env = {
        "HOME": str(home),
        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "/container/rel",
        "AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://creds.example.com/never",
    }
    found = resolve_credentials(env=env, io=io)
    assert found.step == "container-role"
    assert (
        found.credentials.access_key_id
        == derived_keys("container", "/container/rel")[0]
    )


def test_errors_name_the_step_and_hold_no_secret(home: Path) -> None:
    """A configured-but-broken step raises a CredentialsError naming it."""
    env = {"HOME": str(home), "AWS_ACCESS_KEY_ID": "AKIDONLY"}
    with pytest.raises(CredentialsError, match=r"^env: ") as info:
        resolve_credentials(env=env)
    assert info.value.step == "env"


SSO_PROFILE = (
    "[default]\nsso_start_url = https://corp.awsapps.com/start\n"
    "sso_region = us-east-1\n"
    "sso_account_id = 123456789012\nsso_role_name = Dev\n"
)


def _sso_token_file(home: Path, start_url: str, *, token: str, expires: str) -> None:
    import hashlib
    import json

    cache = home / ".aws" / "sso" / "cache"
    cache.mkdir(parents=True, exist_ok=True)
    name = hashlib.sha1(start_url.encode()).hexdigest() + ".json"  # noqa: S324
    (cache / name).write_text(
        json.dumps({"accessToken": token, "expiresAt": expires}), encoding="utf-8"
    )


SSO_CASES: list[tuple[str, str, str | None, str]] = [
    # (name, config, cached token expiry or None for no cache file, outcome)
    ("cached token: GetRoleCredentials", SSO_PROFILE, "2099-01-01T00:00:00Z", "sso"),
    ("expired cached token: error", SSO_PROFILE, "2001-01-01T00:00:00Z", "error"),
    ("no cached token: error", SSO_PROFILE, None, "error"),
    (
        "token refused by the portal (401): error",
        SSO_PROFILE.replace("corp.awsapps", "other.awsapps"),
        "2099-01-01T00:00:00Z",
        "error",
    ),
    (
        "a key missing: error",
        SSO_PROFILE.replace("sso_role_name = Dev\n", ""),
        "2099-01-01T00:00:00Z",
        "error",
    ),
    (
        "only sso_session: the step is skipped",
        "[default]\nsso_session = corp\n[sso-session corp]\nsso_region = us-east-1\n",
        None,
        "shared-credentials-file",
    ),
]


@pytest.mark.parametrize(
    ("config", "expires", "expected"),
    [case[1:] for case in SSO_CASES],
    ids=[case[0] for case in SSO_CASES],
)
def test_sso_profiles_match_botocore(
    fakes: tuple[FakeState, str],
    home: Path,
    config: str,
    expires: str | None,
    expected: str,
) -> None:
    """SSO profiles against a loopback portal, compared with botocore (whose token
    cache folder is pointed at the test's HOME)."""
    from unittest import mock

    botocore_credentials = require_peer("botocore.credentials")
    state, url = fakes
    state.sso_tokens = {"sso-access-token"}
    aws = home / ".aws"
    aws.mkdir(exist_ok=True)
    (aws / "config").write_text(config, encoding="utf-8")
    (aws / "credentials").write_text(
        "[default]\naws_access_key_id = AKIDFILE\naws_secret_access_key = s\n",
        encoding="utf-8",
    )
    start_url = "https://corp.awsapps.com/start"
    if "other.awsapps" in config:
        start_url = "https://other.awsapps.com/start"
        state.sso_tokens = set()
    if expires is not None:
        _sso_token_file(home, start_url, token="sso-access-token", expires=expires)
    env = {
        "HOME": str(home),
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_ENDPOINT_URL_SSO": url,
    }
    cache_dir = str(aws / "sso" / "cache")
    with mock.patch.object(
        botocore_credentials.SSOProvider, "_SSO_TOKEN_CACHE_DIR", cache_dir
    ):
        ours, theirs = _both(env, state, {})
    assert ours == theirs
    assert (ours[1] if ours[0] == "ok" else ours[0]) == expected
    if expected == "sso":
        keys = derived_keys("sso", "123456789012", "Dev", "sso-access-token")
        assert ours[2:] == keys
