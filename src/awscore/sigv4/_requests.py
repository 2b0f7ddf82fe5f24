"""SigV4 for ``requests``: an auth class that signs each prepared request.

This is I/O edge code: it reads the clock (the core never does) and adapts
``requests``' prepared request to :class:`~awscore.sigv4.HttpRequest` and back.
"""

from __future__ import annotations

from awscore.errors import InvalidHeaderError, SigV4ExtraMissingError
from awscore.sigv4._adapter import SigningAdapter

try:
    import requests
except ImportError as _missing:  # the optional extra: say how to get it, in one line
    raise SigV4ExtraMissingError(
        "RequestsAuth needs requests, which is not installed: "
        "pip install 'awscore[requests]'"
    ) from _missing

__all__ = ["RequestsAuth"]


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


class RequestsAuth(SigningAdapter, requests.auth.AuthBase):
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
    are raised from the ``requests`` call that sends the request.
    """

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

        before = [(k, _header_text(k, v)) for k, v in r.headers.items()]
        changed = self._sign_headers(
            r.method or "", r.url or "", before, data, streaming=streaming
        )
        for name, value in changed:
            r.headers[name] = value
        return r
