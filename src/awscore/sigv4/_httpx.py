"""SigV4 for ``httpx``: one auth flow for ``Client`` and ``AsyncClient`` alike.

This is I/O edge code: it reads the clock (the core never does) and adapts an
``httpx.Request`` to :class:`~awscore.sigv4.HttpRequest` and back. Signing does
no I/O, so the plain ``auth_flow`` serves the sync and the async client.
"""

from __future__ import annotations

from collections.abc import Generator

from awscore.errors import InvalidHeaderError, SigV4ExtraMissingError
from awscore.sigv4._adapter import SigningAdapter

try:
    import httpx
except ImportError as _missing:  # the optional extra: say how to get it, in one line
    raise SigV4ExtraMissingError(
        "HttpxAuth needs httpx, which is not installed: pip install 'awscore[httpx]'"
    ) from _missing

__all__ = ["HttpxAuth"]


def _text(raw: bytes) -> str:
    # The signer hashes the UTF-8 form of the text, so only UTF-8 bytes
    # round-trip to what httpx sends.
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidHeaderError(
            f"header {raw[:100]!r} is not UTF-8: it cannot be signed as sent"
        ) from None


class HttpxAuth(SigningAdapter, httpx.Auth):
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
        credentials: the signer's credentials, or a provider (anything with
            ``credentials()``, e.g. :class:`~awscore.sigv4.RefreshingCredentials`
            or :func:`~awscore.sigv4.credentials_provider`), asked at each request.
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

    def auth_flow(
        self, request: httpx.Request
    ) -> Generator[httpx.Request, httpx.Response, None]:
        """Sign ``request`` in place, then send it (httpx's auth protocol)."""
        streaming = False
        try:
            data = request.content
        except httpx.RequestNotRead:
            data = b""
            streaming = True
        before = [(_text(k), _text(v)) for k, v in request.headers.raw]
        changed = self._sign_headers(
            request.method, str(request.url), before, data, streaming=streaming
        )
        for name, value in changed:
            # Setting replaces the first occurrence in place and drops repeats.
            request.headers[name] = value
        yield request
