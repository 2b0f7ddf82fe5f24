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
