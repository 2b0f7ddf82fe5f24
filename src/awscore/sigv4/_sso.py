"""IAM Identity Center (SSO) profiles: the cached token and GetRoleCredentials.

botocore's ``SSOProvider`` / ``SSOCredentialFetcher``, for profiles of the legacy
form (``sso_start_url``, ``sso_region``, ``sso_account_id``, ``sso_role_name``):
the token ``aws sso login`` cached is ``~/.aws/sso/cache/<sha1(start url)>.json``
(``accessToken``, ``expiresAt``); an expired one is refused (log in again); the
credentials come from the portal's ``GET /federation/credentials?account_id=
&role_name=`` with the token in ``x-amz-sso_bearer_token``, whose answer's
``roleCredentials.expiration`` is in epoch milliseconds. Sans-I/O.
"""

from __future__ import annotations

import hashlib
import json
import urllib.parse
from collections.abc import Mapping
from datetime import UTC, datetime

from awscore.errors import (
    CredentialsConfigError,
    CredentialsFetchError,
    SigV4InputError,
)
from awscore.sigv4._model import Credentials, HttpRequest
from awscore.sigv4._sts import parse_iso_time

__all__ = [
    "SSO_KEYS",
    "parse_role_credentials",
    "parse_sso_token",
    "role_credentials_request",
    "sso_cache_name",
]

STEP = "sso"
#: The profile keys that make a profile an SSO profile (botocore's trigger).
SSO_KEYS = ("sso_start_url", "sso_region", "sso_account_id", "sso_role_name")


def sso_cache_name(start_url: str) -> str:
    """The token cache file's name: the SHA-1 of the start URL, hex, ``.json``."""
    return hashlib.sha1(start_url.encode()).hexdigest() + ".json"  # noqa: S324 - a file name, as botocore's


def parse_sso_token(text: str, *, now: datetime, start_url: str) -> str:
    """The access token of a cached-token file, refused when expired or malformed."""
    try:
        document = json.loads(text)
        token = document["accessToken"]
        expires = document["expiresAt"]
    except (ValueError, KeyError, TypeError):
        raise CredentialsFetchError(
            f"the cached SSO token for {start_url} is invalid: run 'aws sso login'",
            step=STEP,
        ) from None
    when = parse_iso_time(str(expires), step=STEP, what="expiresAt")
    if when <= now:
        raise CredentialsFetchError(
            f"the cached SSO token for {start_url} expired at "
            f"{when.astimezone(UTC):%Y-%m-%dT%H:%M:%SZ}: run 'aws sso login'",
            step=STEP,
        )
    if not isinstance(token, str) or not token or any(c in token for c in "\r\n"):
        raise CredentialsFetchError("the cached SSO token is not usable", step=STEP)
    return token


def check_sso_profile(name: str, values: Mapping[str, str]) -> None:
    """Refuse an SSO profile that lacks a key or uses an ``sso_session``."""
    if "sso_session" in values:
        raise CredentialsConfigError(
            f"profile {name} uses sso_session (the refreshable token form), which "
            "awscore does not resolve yet",
            step=STEP,
        )
    missing = [k for k in SSO_KEYS if k not in values]
    if missing:
        raise CredentialsConfigError(
            f"profile {name} is configured for SSO but is missing {', '.join(missing)}",
            step=STEP,
        )


def role_credentials_request(
    *, endpoint: str, account_id: str, role_name: str, token: str
) -> HttpRequest:
    """The portal's ``GetRoleCredentials`` GET."""
    query = urllib.parse.urlencode({"account_id": account_id, "role_name": role_name})
    return HttpRequest(
        "GET",
        f"{endpoint.rstrip('/')}/federation/credentials?{query}",
        [("x-amz-sso_bearer_token", token)],
    )


def sso_endpoint(env: Mapping[str, str], region: str) -> str:
    """``AWS_ENDPOINT_URL_SSO``, ``AWS_ENDPOINT_URL``, else the region's portal."""
    for name in ("AWS_ENDPOINT_URL_SSO", "AWS_ENDPOINT_URL"):
        if env.get(name):
            return env[name]
    return f"https://portal.sso.{region}.amazonaws.com"


def parse_role_credentials(status: int, body: bytes) -> Credentials:
    """The ``roleCredentials`` of a GetRoleCredentials answer."""
    if status == 401:
        raise CredentialsFetchError(
            "the SSO token was refused (401): run 'aws sso login'", step=STEP
        )
    try:
        document = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        document = None
    if status != 200 or not isinstance(document, dict):
        raise CredentialsFetchError(
            f"GetRoleCredentials answered HTTP {status}", step=STEP
        )
    try:
        creds = document["roleCredentials"]
        return Credentials(
            creds["accessKeyId"],
            creds["secretAccessKey"],
            creds["sessionToken"],
            expiration=datetime.fromtimestamp(int(creds["expiration"]) / 1000, UTC),
        )
    except (KeyError, TypeError, ValueError, OverflowError, OSError, SigV4InputError):
        raise CredentialsFetchError(
            "GetRoleCredentials answered without usable roleCredentials", step=STEP
        ) from None
