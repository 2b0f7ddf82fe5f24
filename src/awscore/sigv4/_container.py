"""Container credentials (ECS task roles, EKS Pod Identity): the endpoint rules.

Sans-I/O rules, with the numbers of botocore's ``ContainerMetadataFetcher`` and
``ContainerProvider``:

* ``AWS_CONTAINER_CREDENTIALS_RELATIVE_URI`` is fetched from
  ``http://169.254.170.2`` + the URI; it wins over ``..._FULL_URI``.
* ``AWS_CONTAINER_CREDENTIALS_FULL_URI`` may be any ``https`` URL, or an
  ``http`` URL whose host is a loopback address, ``169.254.170.2`` (ECS),
  ``169.254.170.23`` or ``fd00:ec2::23`` (EKS Pod Identity) or ``localhost``.
* ``Authorization`` is the contents of ``AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE``
  (read again at every fetch, as EKS rotates it), else
  ``AWS_CONTAINER_AUTHORIZATION_TOKEN``; a token holding CR or LF is refused.
* Each attempt times out after 2 s; 3 attempts, 1 s apart; an answer other than
  200 with a JSON body is a failed attempt. The JSON has ``AccessKeyId``,
  ``SecretAccessKey``, ``Token`` and ``Expiration``.
"""

from __future__ import annotations

import ipaddress
import json
import urllib.parse
from collections.abc import Mapping

from awscore.errors import (
    CredentialsConfigError,
    CredentialsFetchError,
    SigV4InputError,
)
from awscore.sigv4._model import Credentials
from awscore.sigv4._sts import parse_iso_time

__all__ = [
    "ALLOWED_HTTP_HOSTS",
    "CONTAINER_ATTEMPTS",
    "CONTAINER_SLEEP_SECONDS",
    "CONTAINER_TIMEOUT_SECONDS",
    "check_full_uri",
    "parse_container_credentials",
]

STEP = "container-role"
CONTAINER_TIMEOUT_SECONDS = 2.0
CONTAINER_ATTEMPTS = 3
CONTAINER_SLEEP_SECONDS = 1.0
ALLOWED_HTTP_HOSTS = frozenset(
    {"169.254.170.2", "169.254.170.23", "fd00:ec2::23", "localhost"}
)


def check_full_uri(url: str) -> str:
    """``url`` when the allowed-hosts rule accepts it; else a config error."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme == "https":
        return url
    host = parts.hostname or ""
    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if parts.scheme == "http" and (loopback or host in ALLOWED_HTTP_HOSTS):
        return url
    raise CredentialsConfigError(
        f"AWS_CONTAINER_CREDENTIALS_FULL_URI host {host!r} is not allowed: use "
        "https, or http to a loopback address or one of "
        f"{', '.join(sorted(ALLOWED_HTTP_HOSTS))}",
        step=STEP,
    )


def authorization_token(token: str) -> str:
    """The ``Authorization`` value, refused when it would split the header."""
    if "\r" in token or "\n" in token:
        raise CredentialsConfigError(
            "the container authorization token holds CR or LF (a token file must "
            "not end with a newline, as botocore sends it byte for byte)",
            step=STEP,
        )
    return token


def parse_container_credentials(body: bytes, *, step: str = STEP) -> Credentials:
    """The credentials of a container (or IMDS) endpoint's JSON answer."""
    try:
        parsed = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise CredentialsFetchError(
            "the endpoint answered malformed JSON", step=step
        ) from None
    token_key = "Token"  # noqa: S105 - the name of a JSON field
    if not isinstance(parsed, Mapping):
        raise CredentialsFetchError(
            "the endpoint answered JSON that is not an object", step=step
        )
    missing = [
        k
        for k in ("AccessKeyId", "SecretAccessKey", token_key, "Expiration")
        if k not in parsed
    ]
    if missing:
        raise CredentialsFetchError(
            f"the endpoint's answer has no {', '.join(missing)}", step=step
        )
    try:
        return Credentials(
            parsed["AccessKeyId"],
            parsed["SecretAccessKey"],
            parsed[token_key] or None,
            expiration=parse_iso_time(
                str(parsed["Expiration"]), step=step, what="Expiration"
            ),
        )
    except SigV4InputError as error:
        raise CredentialsFetchError(
            f"the endpoint answered unusable credentials: {error}", step=step
        ) from None


def is_json_object(body: bytes) -> bool:
    """Whether ``body`` is a JSON document (botocore retries when it is not)."""
    try:
        json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return False
    return True
