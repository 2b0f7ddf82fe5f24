"""``awscore roles-anywhere credential-process``: aws_signing_helper's verb, in Python.

Signs IAM Roles Anywhere ``CreateSession`` with a certificate and its private
key and prints the credentials in the ``credential_process`` JSON shape
(``Version: 1``), so that it drops into a profile::

    [profile onprem]
    credential_process = awscore roles-anywhere credential-process \\
        --certificate /etc/pki/host.pem --private-key /etc/pki/host.key \\
        --trust-anchor-arn arn:aws:rolesanywhere:... --profile-arn ... --role-arn ...
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path

from awscore.cli._output import epilog
from awscore.cli._tour import TourPart, TourSection
from awscore.errors import CliError, CredentialsFetchError
from awscore.sigv4 import HttpRequest, serialize_request
from awscore.sigv4._rolesanywhere import (
    X509Signer,
    create_session,
    credential_process_json,
)
from awscore.sigv4._transport import HttpTimeoutError, default_io

__all__ = ["TOUR", "register"]

_ARGS = (
    "--certificate examples/roles-anywhere/host.pem\n"
    "--private-key examples/roles-anywhere/host.key\n"
    '--trust-anchor-arn "$TA" --profile-arn "$PROFILE" --role-arn "$ROLE"'
)
_EXAMPLE = epilog(
    ". examples/roles-anywhere/arns.sh && awscore roles-anywhere credential-process\n"
    + _ARGS
    + " --print-request",
    ". examples/roles-anywhere/arns.sh && awscore roles-anywhere credential-process\n"
    + _ARGS
    + "\n--print-request --session-duration 900",
    notes=(
        "examples/roles-anywhere/arns.sh sets TA, PROFILE and ROLE. Without\n"
        "--print-request it sends CreateSession to Roles Anywhere and prints the "
        "JSON\n`aws_signing_helper credential-process` prints, for a "
        "credential_process line."
    ),
)


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``awscore roles-anywhere credential-process``."""
    parser = subparsers.add_parser(
        "roles-anywhere",
        help="IAM Roles Anywhere: X.509 certificates to temporary credentials",
        description="Trade an X.509 certificate for temporary AWS credentials.",
    )
    verbs = parser.add_subparsers(title="verbs", metavar="VERB", required=True)
    verb = verbs.add_parser(
        "credential-process",
        help="print credentials as credential_process JSON (as aws_signing_helper)",
        description="Call CreateSession signed with the certificate's key "
        "(AWS4-X509-RSA-SHA256 or AWS4-X509-ECDSA-SHA256) and print the "
        "credentials as credential_process JSON.",
        epilog=_EXAMPLE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    verb.add_argument("--certificate", type=Path, required=True, help="PEM file")
    verb.add_argument("--private-key", type=Path, required=True, help="PEM file")
    verb.add_argument(
        "--intermediates", type=Path, help="PEM file of intermediate certificates"
    )
    verb.add_argument("--trust-anchor-arn", required=True)
    verb.add_argument("--profile-arn", required=True)
    verb.add_argument("--role-arn", required=True)
    verb.add_argument(
        "--session-duration",
        type=int,
        default=3600,
        help="seconds, 900..43200 (default: 3600)",
    )
    verb.add_argument("--region", help="default: the trust anchor ARN's region")
    verb.add_argument(
        "--print-request",
        action="store_true",
        help="print the signed CreateSession request instead of sending it",
    )
    verb.add_argument("--endpoint", help="default: https://rolesanywhere.<region>...")
    verb.set_defaults(handler=_credential_process)


def _credential_process(args: argparse.Namespace) -> int:
    signer = X509Signer.from_pem(
        Path(args.certificate).read_bytes(),
        Path(args.private_key).read_bytes(),
        chain=Path(args.intermediates).read_bytes() if args.intermediates else None,
    )
    io = default_io()

    def send(request: HttpRequest) -> tuple[int, bytes]:
        try:
            response = io.http(
                request.method, request.url, dict(request.headers), request.body, 30.0
            )
        except HttpTimeoutError:
            raise CredentialsFetchError(
                "CreateSession did not answer within 30 s", step="roles-anywhere"
            ) from None
        except OSError as error:
            raise CredentialsFetchError(
                f"cannot reach the Roles Anywhere endpoint: {error.strerror or error}",
                step="roles-anywhere",
            ) from None
        return response.status, response.body

    if args.print_request:
        return _print_request(signer, args)
    credentials = create_session(
        signer,
        send,
        when=datetime.now(UTC),
        trust_anchor_arn=args.trust_anchor_arn,
        profile_arn=args.profile_arn,
        role_arn=args.role_arn,
        duration_seconds=args.session_duration,
        endpoint=args.endpoint,
        region=args.region,
    )
    sys.stdout.write(credential_process_json(credentials) + "\n")
    return 0


class _Signed(Exception):  # noqa: N818 - a signal, not an error
    """Carries the signed request out of create_session, unsent."""

    def __init__(self, request: HttpRequest) -> None:
        super().__init__("signed")
        self.request = request


def _print_request(signer: X509Signer, args: argparse.Namespace) -> int:
    def capture(request: HttpRequest) -> tuple[int, bytes]:
        raise _Signed(request)

    try:
        create_session(
            signer,
            capture,
            when=datetime.now(UTC),
            trust_anchor_arn=args.trust_anchor_arn,
            profile_arn=args.profile_arn,
            role_arn=args.role_arn,
            duration_seconds=args.session_duration,
            endpoint=args.endpoint,
            region=args.region,
        )
    except _Signed as signed:
        wire = serialize_request(signed.request)
        sys.stdout.write(wire.decode("utf-8", "replace") + "\n")
        return 0
    raise CliError("CreateSession was not signed")  # pragma: no cover


def _tour() -> TourPart:
    text = """\
IAM Roles Anywhere signs CreateSession with an X.509 certificate's key
(AWS4-X509-RSA-SHA256 or AWS4-X509-ECDSA-SHA256): the certificate travels in
X-Amz-X509, the credential is <serial>/<date>/<region>/rolesanywhere/aws4_request.
`awscore roles-anywhere credential-process ...` prints the credential_process JSON."""
    return TourPart(text=text, data={})


TOUR = TourSection(
    name="roles-anywhere", title="roles-anywhere: X.509 to credentials", run=_tour
)
