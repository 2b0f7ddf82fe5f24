"""STS ``AssumeRole`` and ``AssumeRoleWithWebIdentity``: requests and answers.

Sans-I/O: :func:`assume_role_request` builds the query-protocol POST (signed by
awscore's own :func:`~awscore.sigv4.sign`, service ``sts``), and
:func:`parse_sts_credentials` reads the XML answer (STS API reference,
``AssumeRole``/``AssumeRoleWithWebIdentity`` responses; errors are
``<ErrorResponse><Error><Code>``). ``AssumeRoleWithWebIdentity`` is not signed:
the web identity token is the proof.
"""

from __future__ import annotations

import urllib.parse
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from datetime import datetime

from awscore.errors import CredentialsFetchError, SigV4InputError
from awscore.sigv4._model import Credentials, HttpRequest
from awscore.sigv4._signer import sign

__all__ = [
    "STS_VERSION",
    "assume_role_request",
    "parse_iso_time",
    "parse_sts_credentials",
    "sts_endpoint",
    "web_identity_request",
]

STS_VERSION = "2011-06-15"
_FORM = "application/x-www-form-urlencoded; charset=utf-8"
_NS = "{https://sts.amazonaws.com/doc/2011-06-15/}"


def sts_endpoint(env: Mapping[str, str], region: str | None) -> str:
    """The STS URL: ``AWS_ENDPOINT_URL_STS``, then ``AWS_ENDPOINT_URL``, then the
    regional endpoint (botocore's default ``sts_regional_endpoints=regional``),
    or the global one without a region."""
    for name in ("AWS_ENDPOINT_URL_STS", "AWS_ENDPOINT_URL"):
        if env.get(name):
            return env[name]
    if region:
        return f"https://sts.{region}.amazonaws.com/"
    return "https://sts.amazonaws.com/"


def _form(params: Mapping[str, str]) -> bytes:
    return urllib.parse.urlencode(params, quote_via=urllib.parse.quote).encode()


def assume_role_request(
    source: Credentials,
    *,
    role_arn: str,
    role_session_name: str,
    endpoint: str,
    region: str,
    when: datetime,
    external_id: str | None = None,
    duration_seconds: int | None = None,
) -> HttpRequest:
    """The signed ``AssumeRole`` POST for ``role_arn``, made with ``source``."""
    params = {
        "Action": "AssumeRole",
        "Version": STS_VERSION,
        "RoleArn": role_arn,
        "RoleSessionName": role_session_name,
    }
    if external_id is not None:
        params["ExternalId"] = external_id
    if duration_seconds is not None:
        params["DurationSeconds"] = str(duration_seconds)
    try:
        return sign(
            HttpRequest("POST", endpoint, [("Content-Type", _FORM)], _form(params)),
            source,
            region=region,
            service="sts",
            when=when,
        )
    except SigV4InputError as error:
        raise CredentialsFetchError(
            f"the AssumeRole request cannot be signed: {error}", step="assume-role"
        ) from None


def web_identity_request(
    *, role_arn: str, role_session_name: str, token: str, endpoint: str
) -> HttpRequest:
    """The (unsigned) ``AssumeRoleWithWebIdentity`` POST."""
    params = {
        "Action": "AssumeRoleWithWebIdentity",
        "Version": STS_VERSION,
        "RoleArn": role_arn,
        "RoleSessionName": role_session_name,
        "WebIdentityToken": token,
    }
    return HttpRequest("POST", endpoint, [("Content-Type", _FORM)], _form(params))


def parse_iso_time(text: str, *, step: str, what: str) -> datetime:
    """An ISO 8601 time with a zone (``Z`` allowed), as the credential APIs send."""
    try:
        when = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except (ValueError, AttributeError):
        raise CredentialsFetchError(
            f"{what} {str(text)[:40]!r} is not an ISO 8601 time", step=step
        ) from None
    if when.utcoffset() is None:
        raise CredentialsFetchError(f"{what} {text[:40]!r} has no time zone", step=step)
    return when


def _text(node: ET.Element | None) -> str | None:
    return None if node is None or node.text is None else node.text.strip()


def parse_sts_credentials(status: int, body: bytes, *, step: str) -> Credentials:
    """The ``Credentials`` of an STS answer, or a typed error naming ``step``."""
    # The answer is XML from a server we called; refuse DTDs outright so that
    # no entity expansion can happen, whatever the parser's defaults.
    if b"<!DOCTYPE" in body or b"<!ENTITY" in body:
        raise CredentialsFetchError("STS answered XML with a DTD", step=step)
    try:
        # S314: DTDs are refused above, so no entity can be declared or expanded.
        root = ET.fromstring(body)  # noqa: S314
    except ET.ParseError:
        raise CredentialsFetchError(
            f"STS answered HTTP {status} with a body that is not XML", step=step
        ) from None
    tag = root.tag.removeprefix(_NS)
    if status != 200 or tag == "ErrorResponse":
        code = _text(root.find(f"{_NS}Error/{_NS}Code")) or _text(
            root.find("Error/Code")
        )
        raise CredentialsFetchError(
            f"STS answered HTTP {status} {code or 'without an error code'}",
            step=step,
        )
    node = None
    for candidate in root.iter():
        if candidate.tag.removeprefix(_NS) == "Credentials":
            node = candidate
            break
    if node is None:
        raise CredentialsFetchError("STS answered without Credentials", step=step)
    fields = {child.tag.removeprefix(_NS): _text(child) for child in node}
    akid = fields.get("AccessKeyId")
    secret = fields.get("SecretAccessKey")
    token = fields.get("SessionToken")
    expiration = fields.get("Expiration")
    if not akid or not secret or not token or not expiration:
        raise CredentialsFetchError(
            "STS Credentials lack AccessKeyId, SecretAccessKey, SessionToken or "
            "Expiration",
            step=step,
        )
    try:
        return Credentials(
            akid,
            secret,
            token,
            expiration=parse_iso_time(expiration, step=step, what="Expiration"),
        )
    except SigV4InputError as error:
        raise CredentialsFetchError(
            f"STS answered unusable credentials: {error}", step=step
        ) from None
