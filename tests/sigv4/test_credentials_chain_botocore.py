"""The credential chain, side by side with botocore's ``Session().get_credentials()``.

Each drawn world (environment variables, config and credentials files, a web
identity token, loopback STS/IMDS/container fakes) is resolved by awscore and by
botocore, isolated from the machine: botocore sees exactly the drawn environment
(``os.environ`` replaced for the call), both read the files from a temporary
directory, and every network step goes to the fakes on 127.0.0.1. The STS fake
verifies every AssumeRole signature, awscore's and botocore's, with awscore's own
``Verifier``.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings

from awscore.errors import CredentialsError, CredentialsNotFoundError
from awscore.sigv4 import Credentials, resolve_credentials
from tests.conftest import require_peer
from tests.sigv4._credential_fakes import FakeState, serve_fakes
from tests.strategies.sigv4_credentials import KEY_POOL, PROCESS_KEYS, World, worlds

botocore_session = require_peer("botocore.session")

Outcome = tuple[str, ...]


@pytest.fixture(scope="module")
def fakes() -> Iterator[tuple[FakeState, str]]:
    state = FakeState()
    with serve_fakes(state) as url:
        yield state, url


def _reset(state: FakeState) -> None:
    state.known = {
        akid: Credentials(akid, secret) for akid, secret in KEY_POOL + PROCESS_KEYS
    }
    state.behaviour = {}
    state.requests.clear()


def _materialize(world: World, tmp: Path, fake: str) -> dict[str, str]:
    def fill(text: str) -> str:
        return text.replace("{TMP}", str(tmp)).replace("{FAKE}", fake)

    env = {k: fill(v) for k, v in world.env.items()}
    env["HOME"] = str(tmp)
    aws = tmp / ".aws"
    aws.mkdir()
    if world.default_paths:
        config, credentials = aws / "config", aws / "credentials"
    else:
        config, credentials = tmp / "cfg", tmp / "creds"
        env["AWS_CONFIG_FILE"] = str(config)
        env["AWS_SHARED_CREDENTIALS_FILE"] = str(credentials)
    if world.config is not None:
        config.write_text(fill(world.config), encoding="utf-8")
    if world.credentials is not None:
        credentials.write_text(fill(world.credentials), encoding="utf-8")
    if world.web_identity_token is not None:
        (tmp / "token").write_text(world.web_identity_token, encoding="utf-8")
    return env


def botocore_outcome(env: dict[str, str], profile: str | None) -> Outcome:
    with mock.patch.dict(os.environ, env, clear=True):
        try:
            session = botocore_session.Session(profile=profile)
            creds = session.get_credentials()
            if creds is None:
                return ("none",)
            frozen = creds.get_frozen_credentials()
        except Exception:
            return ("error",)
    return (
        "ok",
        creds.method,
        frozen.access_key,
        frozen.secret_key,
        frozen.token or "",
    )


def awscore_outcome(env: dict[str, str], profile: str | None) -> Outcome:
    try:
        found = resolve_credentials(env=env, profile=profile)
    except CredentialsNotFoundError:
        return ("none",)
    except CredentialsError as error:
        ERRORS[error.step] = ERRORS.get(error.step, 0) + 1
        return ("error",)
    c = found.credentials
    return (
        "ok",
        found.step,
        c.access_key_id,
        c.secret_access_key,
        c.session_token or "",
    )


SEEN: dict[str, int] = {}
ERRORS: dict[str, int] = {}


# derandomize: the same 300 worlds every run, so the coverage check below is
# stable (a random draw reaches the rarest steps only a few times in 300).
@settings(
    max_examples=300,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(world=worlds())
def test_chain_agrees_with_botocore(fakes: tuple[FakeState, str], world: World) -> None:
    """For any environment and shared files, awscore's chain answers from the same
    step with the same keys as botocore's Session().get_credentials(), finds
    nothing where botocore finds nothing, and fails where botocore fails; every
    AssumeRole request awscore signs verifies with awscore's Verifier."""
    state, url = fakes
    _reset(state)
    with tempfile.TemporaryDirectory() as tmp:
        env = _materialize(world, Path(tmp), url)
        theirs = botocore_outcome(env, world.explicit_profile)
        rejected_before = len(state.rejected)
        ours = awscore_outcome(env, world.explicit_profile)
    assert len(state.rejected) == rejected_before, state.rejected[-1:]
    assert ours == theirs
    key = ours[1] if ours[0] == "ok" else ours[0]
    SEEN[key] = SEEN.get(key, 0) + 1


def test_the_differential_covered_every_outcome() -> None:
    """Run after the property (same module, file order): the drawn worlds reached
    every step botocore can answer from here, and the error and none outcomes,
    so agreement above is not agreement on one easy case."""
    assert SEEN, "run the whole module: this checks what the property drew"
    wanted = {
        "env",
        "assume-role",
        "assume-role-with-web-identity",
        "shared-credentials-file",
        "custom-process",
        "config-file",
        "container-role",
        "iam-role",
        "error",
        "none",
    }
    print(f"outcomes of the differential: {dict(sorted(SEEN.items()))}")
    print(f"errors by step: {dict(sorted(ERRORS.items()))}")
    assert wanted <= set(SEEN), SEEN
