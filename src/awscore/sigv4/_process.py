"""``credential_process``: run a command, read its JSON ``Version: 1`` answer.

The contract (AWS SDKs and Tools reference guide, "Sourcing credentials with an
external process"; botocore's ``ProcessProvider``): the command is split
shell-style and run without a shell; exit status 0 and a JSON object on stdout
with ``"Version": 1``, ``AccessKeyId``, ``SecretAccessKey`` and optionally
``SessionToken`` and ``Expiration`` (ISO 8601). With an ``Expiration`` the
credentials are temporary and the command runs again to refresh them.
"""

from __future__ import annotations

import json
import shlex
from collections.abc import Sequence

from awscore.errors import (
    CredentialsConfigError,
    CredentialsFetchError,
    SigV4InputError,
)
from awscore.sigv4._model import Credentials
from awscore.sigv4._sts import parse_iso_time
from awscore.sigv4._transport import MAX_RESPONSE_BYTES, ProcessResult

__all__ = ["parse_process_output", "split_command"]

STEP = "custom-process"


def split_command(command: str) -> list[str]:
    """The argv of a ``credential_process`` line (POSIX shell words, no shell)."""
    try:
        argv = shlex.split(command)
    except ValueError as error:
        raise CredentialsConfigError(
            f"credential_process cannot be split into words: {error}", step=STEP
        ) from None
    if not argv:
        raise CredentialsConfigError("credential_process is empty", step=STEP)
    return argv


def parse_process_output(result: ProcessResult, argv: Sequence[str]) -> Credentials:
    """The credentials a finished ``credential_process`` printed."""
    name = argv[0] if argv else "credential_process"
    if result.returncode != 0:
        detail = result.stderr.decode("utf-8", "replace").strip()[:200]
        raise CredentialsFetchError(
            f"{name!r} exited with status {result.returncode}"
            + (f": {detail}" if detail else ""),
            step=STEP,
        )
    if len(result.stdout) > MAX_RESPONSE_BYTES:
        raise CredentialsFetchError(
            f"{name!r} printed more than {MAX_RESPONSE_BYTES} bytes", step=STEP
        )
    try:
        parsed = json.loads(result.stdout.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise CredentialsFetchError(
            f"{name!r} did not print a JSON object", step=STEP
        ) from None
    if not isinstance(parsed, dict):
        raise CredentialsFetchError(f"{name!r} did not print a JSON object", step=STEP)
    version = parsed.get("Version", "<missing>")
    # botocore compares with != 1, so JSON true (== 1 in Python) passes there too.
    if version != 1:
        raise CredentialsFetchError(
            f"{name!r} printed Version {str(version)[:20]!r}: only Version 1 is "
            "supported",
            step=STEP,
        )
    missing = [k for k in ("AccessKeyId", "SecretAccessKey") if k not in parsed]
    if missing:
        raise CredentialsFetchError(
            f"{name!r} printed no {' or '.join(missing)}", step=STEP
        )
    expiration = parsed.get("Expiration")
    token = parsed.get("SessionToken")
    try:
        return Credentials(
            parsed["AccessKeyId"],
            parsed["SecretAccessKey"],
            token if token else None,
            expiration=None
            if expiration is None
            else parse_iso_time(str(expiration), step=STEP, what="Expiration"),
        )
    except SigV4InputError as error:
        raise CredentialsFetchError(
            f"{name!r} printed unusable credentials: {error}", step=STEP
        ) from None
