"""SigV4 for ``requests``: an auth class that signs each prepared request.

This is I/O edge code: it reads the clock (the core never does) and adapts
``requests``' prepared request to :class:`~awscore.sigv4.HttpRequest` and back.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import requests

from awscore.errors import InvalidHeaderError, SigV4InputError
from awscore.sigv4._model import Credentials, HttpRequest
from awscore.sigv4._signer import PAYLOAD_CONSTANTS, UNSIGNED_PAYLOAD, sign

__all__ = ["RequestsAuth"]


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _header_text(name: str, value: str | bytes) -> str:
    # requests accepts bytes header values and sends them as they are; the
    # signer hashes the UTF-8 form of the text, so only UTF-8 bytes round-trip.
    if isinstance(value, str):
        return value
    try:
        return value.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidHeaderError(
            f"header {name!r} has a value that is not UTF-8: it cannot be signed "
            "as sent"
        ) from None


class RequestsAuth(requests.auth.AuthBase):
    """Sign every request of a ``requests`` call or session with SigV4 headers.

    ``requests.get(url, auth=RequestsAuth(creds, region="us-east-1",
    service="execute-api"))`` adds ``X-Amz-Date``, ``X-Amz-Security-Token`` (with
    a session token), ``x-amz-content-sha256`` (when signed) and
    ``Authorization``. Every header present when ``requests`` calls the auth is
    signed (``Content-Length``, ``Content-Type``, ``Accept``...), except those
    :data:`~awscore.sigv4.UNSIGNED_HEADERS` names; ``Host`` is signed from the URL.

    Bodies: ``bytes`` and ``str`` are hashed (a ``str`` body is replaced by its
    UTF-8 bytes, which is what is hashed and sent). A body that cannot be read
    twice (a generator, an iterator, a file) is left unread and signed as
    ``UNSIGNED-PAYLOAD``; unless ``content_sha256_header`` says otherwise,
    ``x-amz-content-sha256: UNSIGNED-PAYLOAD`` is then sent too, as botocore
    does, so that the service knows the payload is not signed.

    Args:
        credentials: the signer's credentials.
        region: the signing region, e.g. ``us-east-1``.
        service: the signing name of the service, e.g. ``s3``.
        clock: returns the signing time as an aware datetime (default: the
            system clock in UTC).
        normalize_path: as for :func:`~awscore.sigv4.sign`.
        double_encode: as for :func:`~awscore.sigv4.sign`.
        payload: as for :func:`~awscore.sigv4.sign`.
        content_sha256_header: as for :func:`~awscore.sigv4.sign`.
        omit_session_token: as for :func:`~awscore.sigv4.sign`.

    Signing errors (:class:`~awscore.errors.SigV4InputError` and its subclasses)
    are raised from the ``requests`` call that sends the request.
    """

    def __init__(
        self,
        credentials: Credentials,
        *,
        region: str,
        service: str,
        clock: Callable[[], datetime] | None = None,
        normalize_path: bool | None = None,
        double_encode: bool | None = None,
        payload: str | None = None,
        content_sha256_header: bool | None = None,
        omit_session_token: bool = False,
    ) -> None:
        if not isinstance(credentials, Credentials):
            raise SigV4InputError(
                "credentials must be awscore.sigv4.Credentials, not "
                f"{type(credentials).__name__}"
            )
        self.credentials = credentials
        self.region = region
        self.service = service
        self.clock = _utc_now if clock is None else clock
        self.normalize_path = normalize_path
        self.double_encode = double_encode
        self.payload = payload
        self.content_sha256_header = content_sha256_header
        self.omit_session_token = omit_session_token

    def __repr__(self) -> str:
        # Credentials' own repr leaves out the secret and the token.
        return (
            f"{type(self).__name__}({self.credentials!r}, region={self.region!r}, "
            f"service={self.service!r})"
        )

    def __call__(self, r: requests.PreparedRequest) -> requests.PreparedRequest:
        """Sign the prepared request ``r`` in place and return it."""
        body: object = r.body
        streaming = False
        if body is None:
            data = b""
        elif isinstance(body, bytes):
            data = body
        elif isinstance(body, bytearray | memoryview):
            data = bytes(body)
        elif isinstance(body, str):
            # urllib3 2 sends a str body as UTF-8; sending the bytes ourselves
            # makes what is hashed and what is sent the same with urllib3 1 too.
            data = body.encode("utf-8")
            r.body = data
            if "Content-Length" in r.headers:
                r.headers["Content-Length"] = str(len(data))
        else:
            data = b""
            streaming = True

        payload = self.payload
        if payload is None and streaming:
            payload = UNSIGNED_PAYLOAD
        content_sha256_header = self.content_sha256_header
        if content_sha256_header is None and payload in PAYLOAD_CONSTANTS:
            # A payload constant instead of a hash must be announced, or the
            # service hashes the body and the signatures differ.
            content_sha256_header = True

        before = [(k, _header_text(k, v)) for k, v in r.headers.items()]
        signed = sign(
            HttpRequest(r.method or "", r.url or "", before, data),
            self.credentials,
            region=self.region,
            service=self.service,
            when=self.clock(),
            normalize_path=self.normalize_path,
            double_encode=self.double_encode,
            payload=payload,
            content_sha256_header=content_sha256_header,
            omit_session_token=self.omit_session_token,
        )
        old = _grouped(before)
        new = _grouped(signed.headers)
        for lname in old.keys() - new.keys():
            del r.headers[lname]
        for lname, (name, values) in new.items():
            if old.get(lname, ("", []))[1] != values:
                # The signer only ever changes single-valued headers.
                r.headers[name] = ",".join(values)
        return r


def _grouped(
    headers: list[tuple[str, str]] | tuple[tuple[str, str], ...],
) -> dict[str, tuple[str, list[str]]]:
    """Each lower-cased name with its first spelling and all its values."""
    out: dict[str, tuple[str, list[str]]] = {}
    for name, value in headers:
        out.setdefault(name.lower(), (name, []))[1].append(value)
    return out
