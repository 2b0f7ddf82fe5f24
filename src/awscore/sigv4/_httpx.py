"""SigV4 for ``httpx``: one auth flow for ``Client`` and ``AsyncClient`` alike.

This is I/O edge code: it reads the clock (the core never does) and adapts an
``httpx.Request`` to :class:`~awscore.sigv4.HttpRequest` and back. Signing does
no I/O, so the plain ``auth_flow`` serves the sync and the async client.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from datetime import UTC, datetime

import httpx

from awscore.errors import InvalidHeaderError, SigV4InputError
from awscore.sigv4._model import Credentials, HttpRequest
from awscore.sigv4._signer import PAYLOAD_CONSTANTS, UNSIGNED_PAYLOAD, sign

__all__ = ["HttpxAuth"]


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _text(raw: bytes) -> str:
    # The signer hashes the UTF-8 form of the text, so only UTF-8 bytes
    # round-trip to what httpx sends.
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidHeaderError(
            f"header {raw[:100]!r} is not UTF-8: it cannot be signed as sent"
        ) from None


class HttpxAuth(httpx.Auth):
    """Sign every request of an ``httpx.Client`` or ``httpx.AsyncClient`` with SigV4.

    ``httpx.Client(auth=HttpxAuth(creds, region="us-east-1", service="s3"))``
    adds ``X-Amz-Date``, ``X-Amz-Security-Token`` (with a session token),
    ``x-amz-content-sha256`` (when signed) and ``Authorization``. Every header
    httpx is about to send is signed (``Host``, ``Content-Length``, ``Accept``...),
    in its order, except the :data:`~awscore.sigv4.UNSIGNED_HEADERS` names.

    Bodies: a body given as ``content=bytes``/``str``, ``data=`` or ``json=`` is
    hashed. A streamed body (``content=`` an iterator or async iterator, or a
    multipart upload) is not read: it is signed as ``UNSIGNED-PAYLOAD`` and,
    unless ``content_sha256_header`` says otherwise, sent with
    ``x-amz-content-sha256: UNSIGNED-PAYLOAD``, as botocore does, so that the
    service knows the payload is not signed.

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
    are raised from the client call that sends the request.
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

    def auth_flow(
        self, request: httpx.Request
    ) -> Generator[httpx.Request, httpx.Response, None]:
        """Sign ``request`` in place, then send it (httpx's auth protocol)."""
        payload = self.payload
        try:
            data = request.content
        except httpx.RequestNotRead:
            # A stream not read yet: reading it here would buffer it whole.
            data = b""
            if payload is None:
                payload = UNSIGNED_PAYLOAD
        content_sha256_header = self.content_sha256_header
        if content_sha256_header is None and payload in PAYLOAD_CONSTANTS:
            # A payload constant instead of a hash must be announced, or the
            # service hashes the body and the signatures differ.
            content_sha256_header = True

        before = [(_text(k), _text(v)) for k, v in request.headers.raw]
        signed = sign(
            HttpRequest(request.method, str(request.url), before, data),
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
            del request.headers[lname]
        for lname, (name, values) in new.items():
            if old.get(lname, ("", []))[1] != values:
                # Setting replaces the first occurrence in place and drops
                # repeats; the signer only ever changes single-valued headers.
                request.headers[name] = ",".join(values)
        yield request


def _grouped(
    headers: list[tuple[str, str]] | tuple[tuple[str, str], ...],
) -> dict[str, tuple[str, list[str]]]:
    """Each lower-cased name with its first spelling and all its values."""
    out: dict[str, tuple[str, list[str]]] = {}
    for name, value in headers:
        out.setdefault(name.lower(), (name, []))[1].append(value)
    return out
