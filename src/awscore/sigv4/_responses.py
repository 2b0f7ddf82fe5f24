"""The error responses AWS sends when authentication fails, as bytes (sans-I/O).

Three shapes, one per AWS protocol, so that an SDK raises its usual error with the
right code (botocore's ``ClientError``, for one):

* ``rest-xml`` (S3): ``<Error><Code>..</Code><Message>..</Message>...</Error>``, with
  S3's ``StringToSign`` and ``CanonicalRequest`` on a signature mismatch;
* ``query`` (STS, IAM, SQS's query API): ``<ErrorResponse><Error><Type>Sender</Type>
  <Code>..</Code><Message>..</Message></Error><RequestId>..</RequestId>
  </ErrorResponse>``;
* ``json`` (DynamoDB, Kinesis, ...): ``{"__type": "..", "message": ".."}``.
"""

from __future__ import annotations

import json
import re
from typing import Literal
from xml.sax.saxutils import escape

from awscore.errors import SignatureMismatchError, SigV4VerificationError
from awscore.sigv4._model import HttpRequest
from awscore.sigv4._signer import S3_SERVICES

__all__ = ["Protocol", "detect_protocol", "error_response"]

Protocol = Literal["rest-xml", "query", "json"]

_ACTION = re.compile(r"(?:^|&)Action=")

_SERVICE_IN_SCOPE = re.compile(
    r"Credential=[^/\s,&]+(?:/|%2F)\d{8}(?:/|%2F)[^/\s,&%]+(?:/|%2F)([^/\s,&%]+)"
)


def detect_protocol(request: HttpRequest) -> Protocol:
    """Guess the protocol whose error shape the client expects.

    The signing service in the credential scope decides first (S3's names mean
    REST-XML); then a JSON content type (``application/x-amz-json-*``) or an
    ``X-Amz-Target`` header means JSON; an ``Action=`` parameter in the query or
    a form body means the query protocol; anything else, S3 and the other REST
    services included, gets REST-XML.
    """
    auth = request.get("Authorization") or ""
    match = _SERVICE_IN_SCOPE.search(auth) or _SERVICE_IN_SCOPE.search(
        request.url.replace("X-Amz-Credential=", "Credential=")
    )
    if match is not None and match.group(1) in S3_SERVICES:
        return "rest-xml"
    content_type = (request.get("Content-Type") or "").lower()
    if content_type.startswith("application/x-amz-json") or request.get("X-Amz-Target"):
        return "json"
    query = request.url.partition("?")[2]
    if _ACTION.search(query) or (
        content_type.startswith("application/x-www-form-urlencoded")
        and _ACTION.search(request.body[:4096].decode("latin-1"))
    ):
        return "query"
    return "rest-xml"


def _code(error: SigV4VerificationError, protocol: Protocol) -> str:
    if protocol == "rest-xml":
        return error.s3_code
    return error.json_code if protocol == "json" else error.code


def _message(error: SigV4VerificationError, protocol: Protocol) -> str:
    message = str(error)
    if isinstance(error, SignatureMismatchError) and protocol != "rest-xml":
        # What IAM, STS and the JSON services put in the message, for a diff.
        message += (
            "\n\nThe Canonical String for this request should have been\n"
            f"'{error.canonical_request}'\n\nThe String-to-Sign should have been\n"
            f"'{error.string_to_sign}'\n"
        )
    return message


def error_response(
    error: SigV4VerificationError, protocol: Protocol, *, request_id: str
) -> tuple[int, list[tuple[str, str]], bytes]:
    """``(status, headers, body)`` of the answer AWS gives for ``error``."""
    code = _code(error, protocol)
    message = _message(error, protocol)
    headers = [("x-amzn-RequestId", request_id)]
    if protocol == "json":
        body = json.dumps({"__type": code, "message": message}).encode()
        headers += [
            ("Content-Type", "application/x-amz-json-1.0"),
            ("x-amzn-ErrorType", code),
        ]
    elif protocol == "query":
        body = (
            "<ErrorResponse><Error><Type>Sender</Type>"
            f"<Code>{escape(code)}</Code><Message>{escape(message)}</Message>"
            f"</Error><RequestId>{escape(request_id)}</RequestId></ErrorResponse>"
        ).encode()
        headers.append(("Content-Type", "text/xml"))
    else:
        extra = ""
        if isinstance(error, SignatureMismatchError):
            extra = (
                f"<AWSAccessKeyId>{escape(error.access_key_id)}</AWSAccessKeyId>"
                f"<StringToSign>{escape(error.string_to_sign)}</StringToSign>"
                f"<SignatureProvided>{escape(error.signature_provided)}"
                "</SignatureProvided>"
                f"<StringToSignBytes>{_spaced_hex(error.string_to_sign)}"
                "</StringToSignBytes>"
            )
            # A form upload has no canonical request (its string to sign is the
            # policy), and S3's answer then has no such elements.
            if error.canonical_request:
                extra += (
                    f"<CanonicalRequest>{escape(error.canonical_request)}"
                    "</CanonicalRequest>"
                    f"<CanonicalRequestBytes>{_spaced_hex(error.canonical_request)}"
                    "</CanonicalRequestBytes>"
                )
        body = (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f"<Error><Code>{escape(code)}</Code><Message>{escape(message)}</Message>"
            f"{extra}<RequestId>{escape(request_id)}</RequestId></Error>"
        ).encode()
        headers += [
            ("Content-Type", "application/xml"),
            ("x-amz-request-id", request_id),
        ]
    headers.append(("Content-Length", str(len(body))))
    status = error.json_status if protocol == "json" else error.status
    return status, headers, body


def _spaced_hex(text: str) -> str:
    return " ".join(f"{b:02x}" for b in text.encode())
