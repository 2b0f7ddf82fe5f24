"""Strategies for the credential chain: environments and shared config files.

A :class:`World` is what one process would see: environment variables, the text
of the config and credentials files (at the ``AWS_CONFIG_FILE`` /
``AWS_SHARED_CREDENTIALS_FILE`` paths or at the ``~/.aws`` defaults), a web
identity token file, and which loopback endpoints (STS, IMDS, container) exist.
``{TMP}`` and ``{FAKE}`` in values stand for the test's temporary directory and
the fakes' base URL. Profiles are drawn from a small pool so that references
(``source_profile``, ``AWS_PROFILE``) often hit and sometimes miss; static keys
come from :data:`KEY_POOL`, which the STS fake knows.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from hypothesis import strategies as st

PROFILES = ("default", "dev", "prod", "ops")
KEY_POOL = tuple(
    (f"AKIDPOOL{i}EXAMPLE", f"pool/secret+{i}/wJalrXUtnFEMIK7MDENG") for i in range(4)
)
#: The keys credential_process commands print (the STS fake knows them too).
PROCESS_KEYS = tuple((f"AKIDPROC{i}EXAMPLE", f"proc/secret+{i}") for i in range(4))
ROLE_ARNS = tuple(f"arn:aws:iam::123456789012:role/role-{i}" for i in range(3))


@dataclass(frozen=True, slots=True, kw_only=True)
class World:
    """One drawn environment and set of files."""

    env: dict[str, str]
    config: str | None
    credentials: str | None
    default_paths: bool
    web_identity_token: str | None
    explicit_profile: str | None


def _process_command(draw: st.DrawFn) -> str:
    kind = draw(
        st.sampled_from(["ok", "ok", "ok", "token", "expiring", "version2", "fail"])
    )
    if kind == "fail":
        return "/bin/false"
    i = draw(st.integers(0, 3))
    akid, secret = PROCESS_KEYS[i]
    document: dict[str, object] = {
        "Version": 2 if kind == "version2" else 1,
        "AccessKeyId": akid,
        "SecretAccessKey": secret,
    }
    if kind in ("token", "expiring"):
        document["SessionToken"] = f"proctoken{i}"
    if kind == "expiring":
        document["Expiration"] = "2099-01-01T00:00:00Z"
    return "/bin/echo '" + json.dumps(document) + "'"


@st.composite
def _profile_values(draw: st.DrawFn, *, in_config: bool) -> dict[str, str]:
    values: dict[str, str] = {}
    if draw(st.booleans()):
        akid, secret = draw(st.sampled_from(KEY_POOL))
        values["aws_access_key_id"] = akid
        if draw(st.integers(0, 15)) > 0:  # now and then a partial pair
            values["aws_secret_access_key"] = secret
        if draw(st.booleans()):
            token_key = draw(
                st.sampled_from(["aws_session_token", "aws_security_token"])
            )
            values[token_key] = f"filetoken-{akid[-9:]}"
    role = draw(st.integers(0, 6))
    if role in (1, 2):
        values["role_arn"] = draw(st.sampled_from(ROLE_ARNS))
        values["source_profile"] = draw(st.sampled_from(PROFILES))
    elif role == 3:
        values["role_arn"] = draw(st.sampled_from(ROLE_ARNS))
        values["credential_source"] = draw(
            st.sampled_from(
                ["Environment", "EcsContainer", "Ec2InstanceMetadata", "Bogus"]
            )
        )
    if in_config and draw(st.integers(0, 2)) == 0:
        values["credential_process"] = _process_command(draw)
    if in_config and draw(st.integers(0, 5)) == 0:
        values["web_identity_token_file"] = "{TMP}/token"
        values.setdefault("role_arn", draw(st.sampled_from(ROLE_ARNS)))
    if in_config and draw(st.booleans()):
        values["region"] = draw(st.sampled_from(["us-east-1", "eu-west-1"]))
    return values


def _ini(sections: list[tuple[str, dict[str, str]]]) -> str:
    out = []
    for header, values in sections:
        out.append(f"[{header}]")
        out += [f"{k} = {v}" for k, v in values.items()]
        out.append("")
    return "\n".join(out)


def _environment(draw: st.DrawFn) -> tuple[dict[str, str], str | None]:
    env: dict[str, str] = {
        "AWS_ENDPOINT_URL_STS": "{FAKE}/sts/",
        "AWS_EC2_METADATA_DISABLED": "true",
    }
    if draw(st.integers(0, 2)) == 0:
        akid, secret = draw(st.sampled_from(KEY_POOL))
        env["AWS_ACCESS_KEY_ID"] = akid
        if draw(st.integers(0, 10)) > 0:
            env["AWS_SECRET_ACCESS_KEY"] = secret
        if draw(st.booleans()):
            env[draw(st.sampled_from(["AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN"]))] = (
                "envtoken"
            )
    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE"):
        if draw(st.integers(0, 5)) == 0:
            env[name] = draw(st.sampled_from([*PROFILES, "missing"]))
    token = None
    if draw(st.integers(0, 5)) == 0:
        env["AWS_WEB_IDENTITY_TOKEN_FILE"] = "{TMP}/token"
        if draw(st.integers(0, 5)) > 0:
            env["AWS_ROLE_ARN"] = draw(st.sampled_from(ROLE_ARNS))
    if draw(st.integers(0, 5)) == 0:
        env["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = "{FAKE}/container/v2/credentials"
    if draw(st.integers(0, 5)) == 0:
        del env["AWS_EC2_METADATA_DISABLED"]
        env["AWS_EC2_METADATA_SERVICE_ENDPOINT"] = "{FAKE}/"
    if draw(st.integers(0, 3)) > 0:
        env["AWS_DEFAULT_REGION"] = "us-west-2"
    if "AWS_WEB_IDENTITY_TOKEN_FILE" in env or draw(st.booleans()):
        token = "eyJ.web-identity-token." + str(draw(st.integers(0, 3)))
    return env, token


@st.composite
def worlds(draw: st.DrawFn) -> World:
    """An environment plus config/credentials files, with precedence clashes."""
    env, token = _environment(draw)
    creds_sections = []
    for name in draw(st.lists(st.sampled_from(PROFILES), unique=True, max_size=4)):
        creds_sections.append((name, draw(_profile_values(in_config=False))))
    config_sections = []
    for name in draw(
        st.lists(st.sampled_from(PROFILES), unique=True, min_size=1, max_size=4)
    ):
        if name == "default":
            header = draw(st.sampled_from(["default", "profile default"]))
        else:
            # A bare [name] in the config file is not a profile: drawn on purpose.
            header = draw(st.sampled_from([f"profile {name}"] * 3 + [name]))
        config_sections.append((header, draw(_profile_values(in_config=True))))
    default_paths = draw(st.booleans())
    explicit = draw(st.sampled_from([None] * 12 + list(PROFILES)))
    return World(
        env=env,
        config=_ini(config_sections) if draw(st.integers(0, 9)) else None,
        credentials=_ini(creds_sections) if creds_sections else None,
        default_paths=default_paths,
        web_identity_token=token,
        explicit_profile=explicit,
    )
