"""The standard credential chain, in botocore's order, and why each step answered.

:func:`resolve_credentials` tries each step in the order of botocore's
``create_credential_resolver`` (botocore 1.44, ``credentials.py``), and the
first that finds credentials answers:

=================================  ==================================================
step (botocore's method name)      source
=================================  ==================================================
``env``                            ``AWS_ACCESS_KEY_ID``, ``AWS_SECRET_ACCESS_KEY``,
                                   ``AWS_SECURITY_TOKEN``/``AWS_SESSION_TOKEN``,
                                   ``AWS_CREDENTIAL_EXPIRATION`` (not with an
                                   explicit ``profile=``)
``assume-role``                    the profile's ``role_arn`` with ``source_profile``
                                   or ``credential_source``, through STS AssumeRole
``assume-role-with-web-identity``  ``AWS_WEB_IDENTITY_TOKEN_FILE`` + ``AWS_ROLE_ARN``
                                   (or the profile's ``web_identity_token_file``)
``sso``                            the profile's ``sso_*`` keys: the cached token,
                                   then GetRoleCredentials
``shared-credentials-file``        the profile in ``AWS_SHARED_CREDENTIALS_FILE``
                                   (``~/.aws/credentials``)
``custom-process``                 the profile's ``credential_process``
``config-file``                    the profile in ``AWS_CONFIG_FILE``
                                   (``~/.aws/config``)
``container-role``                 ``AWS_CONTAINER_CREDENTIALS_RELATIVE_URI`` /
                                   ``_FULL_URI`` (ECS, EKS Pod Identity)
``iam-role``                       EC2 instance metadata, IMDSv2
=================================  ==================================================

The profile is ``profile=``, else ``AWS_DEFAULT_PROFILE``, else ``AWS_PROFILE``,
else ``default``. Environment credentials win over ``AWS_PROFILE`` (botocore only
drops the ``env`` step for a profile given explicitly). A step that is not
configured is *skipped* with its reason; a step that is configured but broken
raises a :class:`~awscore.errors.CredentialsError` naming it, as botocore raises
rather than falling through.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from awscore.errors import (
    CredentialsConfigError,
    CredentialsError,
    CredentialsFetchError,
    CredentialsNotFoundError,
    SigV4InputError,
)
from awscore.sigv4._config import (
    Profiles,
    SharedConfig,
    merge_profiles,
    parse_config_file,
    parse_credentials_file,
)
from awscore.sigv4._container import (
    CONTAINER_ATTEMPTS,
    CONTAINER_SLEEP_SECONDS,
    CONTAINER_TIMEOUT_SECONDS,
    authorization_token,
    check_full_uri,
    is_json_object,
    parse_container_credentials,
)
from awscore.sigv4._credentials import CredentialsProvider, RefreshingCredentials
from awscore.sigv4._imds import (
    IMDS_ROLE_PATH,
    IMDS_TOKEN_PATH,
    IMDS_TOKEN_TTL,
    imds_endpoint,
)
from awscore.sigv4._model import Credentials, HttpRequest
from awscore.sigv4._process import parse_process_output, split_command
from awscore.sigv4._sso import (
    SSO_KEYS,
    check_sso_profile,
    parse_role_credentials,
    parse_sso_token,
    role_credentials_request,
    sso_cache_name,
    sso_endpoint,
)
from awscore.sigv4._sts import (
    assume_role_request,
    parse_iso_time,
    parse_sts_credentials,
    sts_endpoint,
    web_identity_request,
)
from awscore.sigv4._transport import (
    ChainIO,
    HttpResponse,
    HttpTimeoutError,
    default_io,
    expand_path,
    files_io,
)

__all__ = [
    "CHAIN_STEPS",
    "CREDENTIAL_SOURCES",
    "Resolution",
    "SkippedStep",
    "credentials_provider",
    "resolve_credentials",
]

#: The steps, in the order they are tried (botocore's method names).
CHAIN_STEPS = (
    "env",
    "assume-role",
    "assume-role-with-web-identity",
    "sso",
    "shared-credentials-file",
    "custom-process",
    "config-file",
    "container-role",
    "iam-role",
)
#: The accepted values of a profile's ``credential_source``.
CREDENTIAL_SOURCES = ("Environment", "Ec2InstanceMetadata", "EcsContainer")


@dataclass(frozen=True, slots=True, kw_only=True)
class SkippedStep:
    """A step of the chain that did not answer, and why."""

    step: str
    reason: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Resolution:
    """Which step answered, with what, and why every earlier step did not.

    ``provider`` gives the credentials to sign with from now on: for temporary
    credentials (with an ``expiration``) a
    :class:`~awscore.sigv4.RefreshingCredentials` that reruns the step, else the
    ``credentials`` value itself. ``repr`` and :meth:`explain` hold no secret.
    """

    credentials: Credentials
    step: str
    profile: str
    reason: str
    skipped: tuple[SkippedStep, ...]
    provider: CredentialsProvider = field(repr=False)

    def explain(self) -> str:
        """One line per step tried: skipped ones with their reason, then the answer."""
        lines = [f"profile: {self.profile}"]
        lines += [f"  skipped {s.step}: {s.reason}" for s in self.skipped]
        expires = self.credentials.expiration
        until = f", expires {expires:%Y-%m-%dT%H:%M:%SZ}" if expires else ""
        lines.append(
            f"  answered {self.step}: {self.reason} (access key "
            f"{self.credentials.access_key_id}{until})"
        )
        return "\n".join(lines)


# A step gives credentials and how to fetch them again, or None with a reason.
_Found = tuple[Credentials, Callable[[], Credentials] | None, str]


class _SkipStepError(Exception):
    """Raised by a step that is not configured (never leaves this module)."""

    def __init__(self, reason: str) -> None:
        self.reason = reason


@dataclass(slots=True)
class _Context:
    env: Mapping[str, str]
    io: ChainIO
    profile: str
    explicit: bool
    config: SharedConfig
    credentials_file: Profiles
    merged: Profiles
    config_path: str
    credentials_path: str

    def profile_values(self, name: str | None = None) -> Mapping[str, str]:
        return self.merged.get(self.profile if name is None else name, {})


def _load(env: Mapping[str, str], io: ChainIO, profile: str | None) -> _Context:
    config_path = expand_path(env.get("AWS_CONFIG_FILE") or "~/.aws/config", env)
    creds_path = expand_path(
        env.get("AWS_SHARED_CREDENTIALS_FILE") or "~/.aws/credentials", env
    )
    config_text = io.read_file(config_path)
    creds_text = io.read_file(creds_path)
    config = (
        SharedConfig()
        if config_text is None
        else parse_config_file(config_text, source=config_path)
    )
    creds = (
        {}
        if creds_text is None
        else parse_credentials_file(creds_text, source=creds_path)
    )
    explicit = profile is not None
    name = profile
    for variable in ("AWS_DEFAULT_PROFILE", "AWS_PROFILE"):
        if name is None and variable in env:
            name = env[variable]
    merged = merge_profiles(config.profiles, creds)
    if name is not None and name not in merged:
        # botocore raises ProfileNotFound for any profile named (even
        # "default") that no file has; only an unnamed default may be absent.
        raise CredentialsConfigError(
            f"the config profile ({name}) could not be found in {config_path} or "
            f"{creds_path}",
            step="profile",
        )
    name = name or "default"
    return _Context(
        env=env,
        io=io,
        profile=name,
        explicit=explicit,
        config=config,
        credentials_file=creds,
        merged=merged,
        config_path=config_path,
        credentials_path=creds_path,
    )


def _make(
    step: str, akid: str, secret: str, token: str | None, expiration: str | None = None
) -> Credentials:
    try:
        return Credentials(
            akid,
            secret,
            token or None,
            expiration=None
            if expiration is None
            else parse_iso_time(expiration, step=step, what="expiration"),
        )
    except (SigV4InputError, CredentialsFetchError) as error:
        message = str(error).removeprefix(f"{step}: ")
        raise CredentialsConfigError(message, step=step) from None


# --- env ---------------------------------------------------------------------


def _env_credentials(env: Mapping[str, str]) -> Credentials:
    akid = env.get("AWS_ACCESS_KEY_ID", "")
    secret = env.get("AWS_SECRET_ACCESS_KEY", "")
    if not secret:
        raise CredentialsConfigError(
            "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not (partial "
            "credentials)",
            step="env",
        )
    token = env.get("AWS_SECURITY_TOKEN") or env.get("AWS_SESSION_TOKEN") or None
    return _make(
        "env", akid, secret, token, env.get("AWS_CREDENTIAL_EXPIRATION") or None
    )


def _step_env(ctx: _Context) -> _Found:
    if ctx.explicit:
        raise _SkipStepError(
            "a profile was given explicitly (botocore drops this step)"
        )
    if not ctx.env.get("AWS_ACCESS_KEY_ID"):
        raise _SkipStepError("AWS_ACCESS_KEY_ID is not set")
    env = dict(ctx.env)
    creds = _env_credentials(env)
    refresh = (lambda: _env_credentials(env)) if creds.expiration else None
    return creds, refresh, "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are set"


# --- shared files ------------------------------------------------------------


def _static_from(
    values: Mapping[str, str], step: str, where: str
) -> Credentials | None:
    if "aws_access_key_id" not in values:
        return None
    if "aws_secret_access_key" not in values:
        raise CredentialsConfigError(
            f"{where} has aws_access_key_id but no aws_secret_access_key (partial "
            "credentials)",
            step=step,
        )
    token = values.get("aws_security_token", values.get("aws_session_token"))
    return _make(
        step, values["aws_access_key_id"], values["aws_secret_access_key"], token
    )


def _step_shared_credentials(ctx: _Context, name: str) -> _Found:
    values = ctx.credentials_file.get(name)
    if values is None:
        raise _SkipStepError(f"{ctx.credentials_path} has no [{name}] section")
    where = f"[{name}] in {ctx.credentials_path}"
    creds = _static_from(values, "shared-credentials-file", where)
    if creds is None:
        raise _SkipStepError(f"{where} has no aws_access_key_id")
    return creds, None, f"{where} has aws_access_key_id"


def _step_config_file(ctx: _Context, name: str) -> _Found:
    values = ctx.config.profiles.get(name)
    section = "[default]" if name == "default" else f"[profile {name}]"
    if values is None:
        raise _SkipStepError(f"{ctx.config_path} has no {section} section")
    where = f"{section} in {ctx.config_path}"
    creds = _static_from(values, "config-file", where)
    if creds is None:
        raise _SkipStepError(f"{where} has no aws_access_key_id")
    return creds, None, f"{where} has aws_access_key_id"


# --- credential_process ------------------------------------------------------


def _run_process(ctx: _Context, command: str) -> Credentials:
    argv = split_command(command)
    return parse_process_output(ctx.io.run(argv), argv)


def _step_process(ctx: _Context, name: str) -> _Found:
    command = ctx.profile_values(name).get("credential_process")
    if not command:
        raise _SkipStepError(f"profile {name} has no credential_process")
    creds = _run_process(ctx, command)
    refresh = (lambda: _run_process(ctx, command)) if creds.expiration else None
    return creds, refresh, f"profile {name} has credential_process"


# --- STS ---------------------------------------------------------------------


def _region(ctx: _Context) -> str | None:
    return ctx.env.get("AWS_DEFAULT_REGION") or ctx.profile_values().get("region")


def _send(
    ctx: _Context, request: HttpRequest, step: str, timeout: float = 60.0
) -> HttpResponse:
    try:
        return ctx.io.http(
            request.method, request.url, dict(request.headers), request.body, timeout
        )
    except HttpTimeoutError:
        raise CredentialsFetchError(
            f"{_host(request.url)} did not answer within {timeout:g} s", step=step
        ) from None
    except OSError as error:
        raise CredentialsFetchError(
            f"cannot reach {_host(request.url)}: {error.strerror or error}", step=step
        ) from None


def _host(url: str) -> str:
    return urllib.parse.urlsplit(url).netloc


def _session_name(ctx: _Context) -> str:
    # botocore names sessions botocore-session-<unix time>; awscore says its name.
    return f"awscore-session-{int(ctx.io.clock().timestamp())}"


def _assume(
    ctx: _Context, source: Credentials, values: Mapping[str, str]
) -> Credentials:
    if "mfa_serial" in values:
        raise CredentialsConfigError(
            "mfa_serial needs an interactive token code, which awscore does not "
            "prompt for",
            step="assume-role",
        )
    duration = values.get("duration_seconds")
    try:
        seconds = None if duration is None else int(duration)
    except ValueError:
        raise CredentialsConfigError(
            f"duration_seconds {str(duration)[:20]!r} is not an integer",
            step="assume-role",
        ) from None
    region = _region(ctx)
    custom = any(ctx.env.get(n) for n in ("AWS_ENDPOINT_URL_STS", "AWS_ENDPOINT_URL"))
    if region is None and custom:
        # botocore signs for a custom endpoint only with a region (NoRegionError).
        raise CredentialsConfigError(
            "AssumeRole through a custom STS endpoint needs a signing region: set "
            "AWS_DEFAULT_REGION or the profile's region",
            step="assume-role",
        )
    request = assume_role_request(
        source,
        role_arn=values["role_arn"],
        role_session_name=values.get("role_session_name") or _session_name(ctx),
        endpoint=sts_endpoint(ctx.env, region),
        region=region or "us-east-1",
        when=ctx.io.clock(),
        external_id=values.get("external_id"),
        duration_seconds=seconds,
    )
    response = _send(ctx, request, "assume-role")
    return parse_sts_credentials(response.status, response.body, step="assume-role")


def _has_static(values: Mapping[str, str]) -> bool:
    return "aws_access_key_id" in values or "aws_secret_access_key" in values


def _is_role(values: Mapping[str, str]) -> bool:
    return "role_arn" in values and "web_identity_token_file" not in values


def _role_credentials(ctx: _Context, name: str, visited: list[str]) -> Credentials:
    values = ctx.profile_values(name)
    source_profile = values.get("source_profile")
    credential_source = values.get("credential_source")
    if source_profile is not None and credential_source is not None:
        raise CredentialsConfigError(
            f"profile {name} has both source_profile and credential_source: use one",
            step="assume-role",
        )
    if credential_source is not None:
        source = _from_credential_source(ctx, name, credential_source)
        return _assume(ctx, source, values)
    if source_profile is None:
        raise CredentialsConfigError(
            f"profile {name} has role_arn but neither source_profile nor "
            "credential_source",
            step="assume-role",
        )
    if source_profile not in ctx.merged:
        raise CredentialsConfigError(
            f"the source_profile {source_profile!r} of profile {name} does not exist",
            step="assume-role",
        )
    source_values = ctx.merged[source_profile]
    if source_profile in visited and (
        source_profile != name or not _has_static(source_values)
    ):
        raise CredentialsConfigError(
            f"source_profile {source_profile!r} makes a loop: "
            f"{' -> '.join([*visited, source_profile])}",
            step="assume-role",
        )
    visited.append(source_profile)
    if _has_static(source_values) or not _is_role(source_values):
        found = _profile_steps(ctx, source_profile)
        if found is None:
            raise CredentialsConfigError(
                f"the source profile {source_profile!r} must have credentials",
                step="assume-role",
            )
        source = found[0]
    else:
        source = _role_credentials(ctx, source_profile, visited)
    return _assume(ctx, source, values)


def _from_credential_source(ctx: _Context, name: str, source: str) -> Credentials:
    steps: dict[str, Callable[[_Context], _Found]] = {
        "Environment": _step_env_source,
        "Ec2InstanceMetadata": _step_imds,
        "EcsContainer": _step_container,
    }
    step = steps.get(source)
    if step is None:
        raise CredentialsConfigError(
            f"credential_source {source!r} of profile {name} is not one of "
            f"{', '.join(CREDENTIAL_SOURCES)}",
            step="assume-role",
        )
    try:
        return step(ctx)[0]
    except _SkipStepError as skip:
        raise CredentialsFetchError(
            f"credential_source {source} of profile {name} found no credentials: "
            f"{skip.reason}",
            step="assume-role",
        ) from None


def _step_env_source(ctx: _Context) -> _Found:
    if not ctx.env.get("AWS_ACCESS_KEY_ID"):
        raise _SkipStepError("AWS_ACCESS_KEY_ID is not set")
    return _env_credentials(ctx.env), None, "environment"


def _step_assume_role(ctx: _Context) -> _Found:
    values = ctx.profile_values()
    if not _is_role(values):
        raise _SkipStepError(
            f"profile {ctx.profile} has no role_arn"
            if "role_arn" not in values
            else f"profile {ctx.profile} has web_identity_token_file"
        )
    name = ctx.profile
    creds = _role_credentials(ctx, name, [name])
    return (
        creds,
        lambda: _role_credentials(ctx, name, [name]),
        f"profile {name} has role_arn {values['role_arn']}",
    )


def _step_web_identity(ctx: _Context, name: str, *, use_env: bool) -> _Found:
    values = ctx.profile_values(name)
    keys = {
        "web_identity_token_file": "AWS_WEB_IDENTITY_TOKEN_FILE",
        "role_arn": "AWS_ROLE_ARN",
        "role_session_name": "AWS_ROLE_SESSION_NAME",
    }

    def get(key: str) -> str | None:
        # Each key on its own: the variable when present (even empty), else
        # the profile's value (botocore's _get_config).
        if use_env and keys[key] in ctx.env:
            return ctx.env[keys[key]]
        return values.get(key)

    token_path = get("web_identity_token_file")
    if not token_path:
        raise _SkipStepError(
            "neither AWS_WEB_IDENTITY_TOKEN_FILE nor web_identity_token_file is set"
        )
    role_arn = get("role_arn")
    if not role_arn:
        raise CredentialsConfigError(
            "a web identity token file is set but no role ARN (AWS_ROLE_ARN or "
            "role_arn)",
            step="assume-role-with-web-identity",
        )
    session = get("role_session_name") or _session_name(ctx)

    def fetch() -> Credentials:
        token = ctx.io.read_file(expand_path(token_path, ctx.env))
        if token is None:
            raise CredentialsConfigError(
                f"the web identity token file {token_path} does not exist",
                step="assume-role-with-web-identity",
            )
        request = web_identity_request(
            role_arn=role_arn,
            role_session_name=session,
            token=token,
            endpoint=sts_endpoint(ctx.env, _region(ctx)),
        )
        response = _send(ctx, request, "assume-role-with-web-identity")
        return parse_sts_credentials(
            response.status, response.body, step="assume-role-with-web-identity"
        )

    return fetch(), fetch, f"web identity token {token_path} for {role_arn}"


def _sso_fetch(ctx: _Context, values: Mapping[str, str]) -> Credentials:
    start_url = values["sso_start_url"]
    cache = expand_path("~/.aws/sso/cache/", ctx.env) + sso_cache_name(start_url)
    text = ctx.io.read_file(cache)
    if text is None:
        raise CredentialsFetchError(
            f"no cached SSO token for {start_url} ({cache}): run 'aws sso login'",
            step="sso",
        )
    token = parse_sso_token(text, now=ctx.io.clock(), start_url=start_url)
    request = role_credentials_request(
        endpoint=sso_endpoint(ctx.env, values["sso_region"]),
        account_id=values["sso_account_id"],
        role_name=values["sso_role_name"],
        token=token,
    )
    response = _send(ctx, request, "sso")
    return parse_role_credentials(response.status, response.body)


def _step_sso(ctx: _Context, name: str) -> _Found:
    values = ctx.profile_values(name)
    if not any(k in values for k in SSO_KEYS):
        raise _SkipStepError(f"profile {name} has no sso_* keys")
    check_sso_profile(name, values)
    creds = _sso_fetch(ctx, values)
    return (
        creds,
        lambda: _sso_fetch(ctx, values),
        f"profile {name} is an SSO profile for {values['sso_role_name']}",
    )


def _profile_steps(ctx: _Context, name: str) -> _Found | None:
    """The profile-only steps botocore runs for a source profile."""
    runs: tuple[Callable[[], _Found], ...] = (
        lambda: _step_web_identity(ctx, name, use_env=False),
        lambda: _step_sso(ctx, name),
        lambda: _step_shared_credentials(ctx, name),
        lambda: _step_process(ctx, name),
        lambda: _step_config_file(ctx, name),
    )
    for run in runs:
        try:
            return run()
        except _SkipStepError:
            continue
    return None


# --- container ---------------------------------------------------------------


def _container_fetch(ctx: _Context, url: str) -> Credentials:
    env = ctx.env
    token: str | None = None
    token_file = env.get("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE")
    if token_file is not None:
        token = ctx.io.read_file(expand_path(token_file, env))
        if token is None:
            raise CredentialsConfigError(
                f"AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE {token_file} does not exist",
                step="container-role",
            )
    elif "AWS_CONTAINER_AUTHORIZATION_TOKEN" in env:
        token = env["AWS_CONTAINER_AUTHORIZATION_TOKEN"]
    headers = {"Accept": "application/json"}
    if token is not None:
        headers["Authorization"] = authorization_token(token)
    last = ""
    for attempt in range(CONTAINER_ATTEMPTS):
        if attempt:
            ctx.io.sleep(CONTAINER_SLEEP_SECONDS)
        try:
            response = ctx.io.http("GET", url, headers, b"", CONTAINER_TIMEOUT_SECONDS)
        except HttpTimeoutError:
            last = f"no answer within {CONTAINER_TIMEOUT_SECONDS:g} s"
            continue
        except OSError as error:
            last = f"cannot connect ({error.strerror or error})"
            continue
        if response.status != 200:
            last = f"HTTP {response.status}"
            continue
        if not is_json_object(response.body):
            last = "malformed JSON"
            continue
        return parse_container_credentials(response.body)
    raise CredentialsFetchError(
        f"{_host(url)} failed {CONTAINER_ATTEMPTS} attempts, the last with {last}",
        step="container-role",
    )


def _step_container(ctx: _Context) -> _Found:
    env = ctx.env
    relative = env.get("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI")
    if relative is not None:
        url = f"http://{ctx.io.container_host}{relative}"
        why = "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI is set"
    elif "AWS_CONTAINER_CREDENTIALS_FULL_URI" in env:
        url = check_full_uri(env["AWS_CONTAINER_CREDENTIALS_FULL_URI"])
        why = "AWS_CONTAINER_CREDENTIALS_FULL_URI is set"
    else:
        raise _SkipStepError(
            "neither AWS_CONTAINER_CREDENTIALS_RELATIVE_URI nor _FULL_URI is set"
        )
    creds = _container_fetch(ctx, url)
    return creds, lambda: _container_fetch(ctx, url), why


# --- IMDS --------------------------------------------------------------------


def _config_int(ctx: _Context, env_name: str, key: str, default: int) -> int:
    text = ctx.env.get(env_name) or ctx.profile_values().get(key)
    if text is None:
        return default
    try:
        return int(text)
    except ValueError:
        raise CredentialsConfigError(
            f"{env_name} / {key} {text[:20]!r} is not an integer", step="iam-role"
        ) from None


def _imds_fetch(ctx: _Context) -> Credentials:
    base = imds_endpoint(ctx.env, ctx.profile_values())
    timeout = float(
        _config_int(ctx, "AWS_METADATA_SERVICE_TIMEOUT", "metadata_service_timeout", 1)
    )
    attempts = _config_int(
        ctx, "AWS_METADATA_SERVICE_NUM_ATTEMPTS", "metadata_service_num_attempts", 1
    )
    v1_disabled = (
        ctx.env.get("AWS_EC2_METADATA_V1_DISABLED")
        or ctx.profile_values().get("ec2_metadata_v1_disabled")
        or ""
    ).lower() == "true"

    token: str | None = None
    for _ in range(attempts):
        try:
            response = ctx.io.http(
                "PUT",
                base + IMDS_TOKEN_PATH,
                {"x-aws-ec2-metadata-token-ttl-seconds": IMDS_TOKEN_TTL},
                b"",
                timeout,
            )
        except HttpTimeoutError:
            break  # botocore falls back to IMDSv1 at once on a read timeout
        except OSError:
            continue
        if response.status == 200:
            token = response.body.decode("utf-8", "replace")
            break
        if response.status in (403, 404, 405):
            break
        if response.status == 400:
            raise _SkipStepError("the token PUT was answered 400 (bad request)")
    if token is None and v1_disabled:
        raise CredentialsFetchError(
            "no IMDSv2 token, and IMDSv1 is disabled (AWS_EC2_METADATA_V1_DISABLED)",
            step="iam-role",
        )
    headers = {} if token is None else {"x-aws-ec2-metadata-token": token}

    def get(path: str, *, json_body: bool) -> bytes:
        last = ""
        for _ in range(attempts):
            try:
                response = ctx.io.http("GET", base + path, headers, b"", timeout)
            except HttpTimeoutError:
                last = f"no answer within {timeout:g} s"
                continue
            except OSError as error:
                last = f"cannot connect ({error.strerror or error})"
                continue
            if response.status != 200:
                last = f"HTTP {response.status}"
            elif not response.body:
                last = "an empty body"
            elif json_body and not is_json_object(response.body):
                last = "malformed JSON"
            else:
                return response.body
        raise _SkipStepError(
            f"{attempts} attempt(s) at /{path} failed, the last with {last}"
        )

    role = get(IMDS_ROLE_PATH, json_body=False).decode("utf-8", "replace")
    body = get(IMDS_ROLE_PATH + role, json_body=True)
    try:
        return parse_container_credentials(body, step="iam-role")
    except CredentialsFetchError as error:
        # botocore returns no credentials (the chain goes on) when fields lack.
        raise _SkipStepError(str(error).removeprefix("iam-role: ")) from None


def _step_imds(ctx: _Context) -> _Found:
    if ctx.env.get("AWS_EC2_METADATA_DISABLED", "false").lower() == "true":
        raise _SkipStepError("AWS_EC2_METADATA_DISABLED is true")
    creds = _imds_fetch(ctx)
    return creds, lambda: _imds_fetch(ctx), "the instance metadata service answered"


# --- the chain ---------------------------------------------------------------


def _steps(ctx: _Context) -> list[tuple[str, Callable[[], _Found]]]:
    name = ctx.profile
    return [
        ("env", lambda: _step_env(ctx)),
        ("assume-role", lambda: _step_assume_role(ctx)),
        (
            "assume-role-with-web-identity",
            lambda: _step_web_identity(ctx, name, use_env=not ctx.explicit),
        ),
        ("sso", lambda: _step_sso(ctx, name)),
        ("shared-credentials-file", lambda: _step_shared_credentials(ctx, name)),
        ("custom-process", lambda: _step_process(ctx, name)),
        ("config-file", lambda: _step_config_file(ctx, name)),
        ("container-role", lambda: _step_container(ctx)),
        ("iam-role", lambda: _step_imds(ctx)),
    ]


def resolve_credentials(
    *,
    env: Mapping[str, str] | None = None,
    files: Mapping[str, str] | None = None,
    profile: str | None = None,
    io: ChainIO | None = None,
) -> Resolution:
    """Resolve credentials as botocore's ``Session().get_credentials()`` does.

    Args:
        env: the environment variables (default: ``os.environ``).
        files: the file system as ``{path: text}`` (config, credentials, token
            files); default: the real files.
        profile: an explicit profile (as ``Session(profile=...)``: the ``env``
            step is then skipped); default from ``AWS_DEFAULT_PROFILE`` /
            ``AWS_PROFILE``, else ``default``.
        io: the network, processes, sleep and clock (default: the real ones).

    Returns the :class:`Resolution`. Raises
    :class:`~awscore.errors.CredentialsNotFoundError` (with every step's
    reason) when no step answers, and another
    :class:`~awscore.errors.CredentialsError` naming the step that is
    configured but broken.
    """
    if env is None:
        import os

        env = dict(os.environ)
    base = default_io() if io is None else io
    chain_io = base if files is None else files_io(files, base)
    ctx = _load(env, chain_io, profile)
    skipped: list[SkippedStep] = []
    for step, run in _steps(ctx):
        try:
            creds, refresh, reason = run()
        except _SkipStepError as skip:
            skipped.append(SkippedStep(step=step, reason=skip.reason))
            continue
        except CredentialsError:
            raise
        provider: CredentialsProvider = creds
        if creds.expiration is not None and refresh is not None:
            provider = RefreshingCredentials(
                refresh, clock=chain_io.clock, initial=creds
            )
        return Resolution(
            credentials=creds,
            step=step,
            profile=ctx.profile,
            reason=reason,
            skipped=tuple(skipped),
            provider=provider,
        )
    raise CredentialsNotFoundError(
        "no credentials found: no step of the chain answered ("
        + "; ".join(f"{s.step}: {s.reason}" for s in skipped)
        + ")",
        step="chain",
    )


def credentials_provider(
    *,
    env: Mapping[str, str] | None = None,
    profile: str | None = None,
    io: ChainIO | None = None,
) -> CredentialsProvider:
    """A provider that resolves the chain on first use and refreshes after.

    Pass it to :class:`~awscore.sigv4.RequestsAuth`,
    :class:`~awscore.sigv4.HttpxAuth` or :func:`~awscore.sigv4.sign_chunked`.
    """
    holder: list[CredentialsProvider] = []

    def refresh() -> Credentials:
        if holder:
            return holder[0].credentials()
        resolution = resolve_credentials(env=env, profile=profile, io=io)
        holder.append(resolution.provider)
        return resolution.credentials

    return RefreshingCredentials(refresh, clock=None if io is None else io.clock)
