"""``awscore sigv4 credentials``: which step of the credential chain answers, and why.

Also the one place the sigv4 verbs get their credentials from: explicit
``--access-key-id``/``--secret-access-key`` flags, else the standard chain
(environment, ``--profile``/``AWS_PROFILE``, the shared files, roles, processes,
containers, IMDS), as :func:`awscore.sigv4.resolve_credentials` resolves it.
Secrets are never printed: only the access key id, the step and the reasons.
"""

from __future__ import annotations

import argparse
import os
import sys

from awscore.cli._output import add_json_flag, epilog, write_json
from awscore.errors import CliError
from awscore.sigv4 import Credentials, resolve_credentials

__all__ = ["add_profile_option", "credentials_for", "register_credentials_verb"]

_FILES = (
    "AWS_CONFIG_FILE=examples/sigv4/aws/config\n"
    "AWS_SHARED_CREDENTIALS_FILE=examples/sigv4/aws/credentials\n"
)
_EXAMPLE = epilog(
    _FILES + "awscore sigv4 credentials --explain",
    _FILES + "awscore sigv4 credentials --profile dev --json",
    notes="Without the two variables the chain reads ~/.aws/config and "
    "~/.aws/credentials.",
)


def add_profile_option(parser: argparse.ArgumentParser) -> None:
    """Add ``--profile`` (a profile of ~/.aws/config and ~/.aws/credentials)."""
    parser.add_argument(
        "--profile",
        help="resolve credentials from this profile (default: $AWS_PROFILE, then "
        "'default'); environment credentials are then ignored, as botocore does",
    )


def credentials_for(args: argparse.Namespace) -> Credentials:
    """Explicit flags when given (missing halves from ``$AWS_*``), else the chain."""
    akid = getattr(args, "access_key_id", None)
    secret = getattr(args, "secret_access_key", None)
    if akid or secret:
        akid = akid or os.environ.get("AWS_ACCESS_KEY_ID")
        secret = secret or os.environ.get("AWS_SECRET_ACCESS_KEY")
        token = getattr(args, "session_token", None) or os.environ.get(
            "AWS_SESSION_TOKEN"
        )
        if not akid or not secret:
            raise CliError(
                "no credentials: --access-key-id and --secret-access-key (or their "
                "AWS_* variables) must both be set"
            )
        return Credentials(akid, secret, token or None)
    return resolve_credentials(profile=getattr(args, "profile", None)).credentials


def register_credentials_verb(
    verbs: argparse._SubParsersAction[argparse.ArgumentParser],
) -> None:
    """Add ``awscore sigv4 credentials``."""
    parser = verbs.add_parser(
        "credentials",
        help="show which credential-chain step answers (no secrets printed)",
        description="Resolve credentials the way botocore does and print where they "
        "came from: the profile, the step that answered and its access key id. "
        "Secrets and session tokens are never printed.",
        epilog=_EXAMPLE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_profile_option(parser)
    parser.add_argument(
        "--explain",
        action="store_true",
        help="also list every earlier step and why it was skipped",
    )
    add_json_flag(parser)
    parser.set_defaults(handler=_credentials)


def _credentials(args: argparse.Namespace) -> int:
    found = resolve_credentials(profile=args.profile)
    creds = found.credentials
    if args.json:
        write_json(
            {
                "profile": found.profile,
                "step": found.step,
                "reason": found.reason,
                "access_key_id": creds.access_key_id,
                "has_session_token": creds.session_token is not None,
                "expiration": None
                if creds.expiration is None
                else creds.expiration.isoformat(),
                "skipped": [
                    {"step": s.step, "reason": s.reason} for s in found.skipped
                ],
            }
        )
        return 0
    if args.explain:
        sys.stdout.write(found.explain() + "\n")
    else:
        sys.stdout.write(
            f"{found.step}: {creds.access_key_id} (profile {found.profile})\n"
        )
    return 0
