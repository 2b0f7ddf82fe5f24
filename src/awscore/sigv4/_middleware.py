"""WSGI and ASGI middleware that verifies SigV4 before the application runs.

On success the :class:`~awscore.sigv4.VerifiedRequest` is passed on as
``environ["awscore.sigv4.identity"]`` (WSGI) or ``scope["awscore.sigv4.identity"]``
(ASGI), and the buffered body is handed to the application unchanged. On failure
the answer is AWS's own error for the client's protocol (see
:mod:`awscore.sigv4._responses`). The body is buffered up to ``max_body`` bytes for
hashing; a larger one is refused with 413 before it is read.

These are the I/O edge: they read the clock (``clock``, replaceable in tests) and
the server's request objects, then call the pure :class:`Verifier`.
"""

from __future__ import annotations

import io
import uuid
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from awscore.errors import (
    MalformedRequestError,
    RequestTooLargeError,
    SignatureMismatchError,
    SigV4VerificationError,
)
from awscore.sigv4._model import HttpRequest
from awscore.sigv4._responses import Protocol, detect_protocol, error_response
from awscore.sigv4._verifier import Verifier

__all__ = ["IDENTITY_KEY", "SigV4AsgiMiddleware", "SigV4WsgiMiddleware"]

#: Where the verified identity is put in the WSGI environ and the ASGI scope.
IDENTITY_KEY = "awscore.sigv4.identity"
#: Default cap on the buffered body: 16 MiB.
DEFAULT_MAX_BODY = 16 * 1024 * 1024

Clock = Callable[[], datetime]
StartResponse = Callable[..., Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]
Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
AsgiApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def _now() -> datetime:
    return datetime.now(UTC)


def _reason(status: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


class _Base:
    def __init__(
        self,
        verifier: Verifier,
        *,
        max_body: int,
        clock: Clock | None,
        protocol: Protocol | None,
    ) -> None:
        self.verifier = verifier
        self.max_body = max_body
        self.clock = clock or _now
        self.protocol = protocol

    def _reject(
        self, error: SigV4VerificationError, request: HttpRequest | None
    ) -> tuple[int, list[tuple[str, str]], bytes]:
        protocol = self.protocol
        if protocol is None:
            protocol = detect_protocol(request) if request is not None else "rest-xml"
        return error_response(error, protocol, request_id=uuid.uuid4().hex.upper())

    def _too_large(self, length: int) -> RequestTooLargeError:
        return RequestTooLargeError(
            f"your proposed upload of {length} bytes exceeds the maximum this "
            f"endpoint verifies, {self.max_body} bytes"
        )


class SigV4WsgiMiddleware(_Base):
    """Verify SigV4 on every request before a WSGI application sees it.

    Args:
        app: the WSGI application to protect.
        verifier: the :class:`Verifier` with its credential lookup and limits.
        max_body: the largest body buffered for verification; larger gets 413.
        clock: returns the current time (default: the system clock, UTC).
        protocol: force the error shape (``"rest-xml"``, ``"query"``, ``"json"``);
            by default it is chosen per request (:func:`detect_protocol`).

    The request URL is rebuilt from ``wsgi.url_scheme``, ``HTTP_HOST`` and the raw
    request target when the server provides it (``RAW_URI`` or ``REQUEST_URI``);
    otherwise from ``PATH_INFO`` re-encoded as SDKs encode paths.
    """

    def __init__(
        self,
        app: WsgiApp,
        verifier: Verifier,
        *,
        max_body: int = DEFAULT_MAX_BODY,
        clock: Clock | None = None,
        protocol: Protocol | None = None,
    ) -> None:
        super().__init__(verifier, max_body=max_body, clock=clock, protocol=protocol)
        self.app = app

    def __call__(
        self, environ: dict[str, Any], start_response: StartResponse
    ) -> Iterable[bytes]:
        request: HttpRequest | None = None
        try:
            body = self._read_body(environ)
            method = environ.get("REQUEST_METHOD", "GET")
            headers = _wsgi_headers(environ)
            urls = _wsgi_urls(environ)
            request = HttpRequest(method, urls[0], headers, body)
            now = self.clock()
            try:
                identity = self.verifier.verify(request, now=now)
            except SignatureMismatchError:
                if len(urls) == 1:
                    raise
                # The server gave no raw request target, so the wire path is
                # lost; the second reading keeps RFC 3986 sub-delims raw, as
                # clients that sign S3 paths as sent do.
                request = HttpRequest(method, urls[1], headers, body)
                identity = self.verifier.verify(request, now=now)
        except SigV4VerificationError as error:
            status, headers, payload = self._reject(error, request)
            start_response(f"{status} {_reason(status)}", headers)
            return [payload]
        except (ValueError, UnicodeError) as error:
            # A request the server could not even describe (a bad Content-Length,
            # a header that is not text): refuse it as AWS refuses a bad request.
            status, headers, payload = self._reject(
                MalformedRequestError(f"malformed request: {error}"), request
            )
            start_response(f"{status} {_reason(status)}", headers)
            return [payload]
        environ[IDENTITY_KEY] = identity
        # An aws-chunked body reaches the application decoded and verified.
        if identity.decoded_body is not None:
            body = identity.decoded_body
        environ["wsgi.input"] = io.BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))
        return self.app(environ, start_response)

    def _read_body(self, environ: dict[str, Any]) -> bytes:
        stream = environ["wsgi.input"]
        declared = environ.get("CONTENT_LENGTH")
        if declared:
            length = int(declared)
            if length > self.max_body:
                raise self._too_large(length)
            return bytes(stream.read(length)) if length > 0 else b""
        chunked = "chunked" in str(environ.get("HTTP_TRANSFER_ENCODING", "")).lower()
        if not (chunked or environ.get("wsgi.input_terminated")):
            return b""
        # No length: the server de-chunked the body (PEP 3333's
        # wsgi.input_terminated); read to its end, one byte past the limit.
        body = bytes(stream.read(self.max_body + 1))
        if len(body) > self.max_body:
            raise self._too_large(len(body))
        return body


def _wsgi_urls(environ: dict[str, Any]) -> list[str]:
    """The request URL; two readings of it when the raw target is unknown."""
    first = _wsgi_url(environ)
    if environ.get("RAW_URI") or environ.get("REQUEST_URI"):
        return [first]
    second = _wsgi_url(environ, safe="/~!$&'()*+,;=:@")
    return [first] if second == first else [first, second]


def _wsgi_url(environ: dict[str, Any], safe: str = "/~") -> str:
    scheme = environ.get("wsgi.url_scheme", "http")
    host = environ.get("HTTP_HOST")
    if not host:
        host = environ.get("SERVER_NAME", "localhost")
        port = environ.get("SERVER_PORT")
        if port and port != {"http": "80", "https": "443"}.get(scheme):
            host = f"{host}:{port}"
    target = environ.get("RAW_URI") or environ.get("REQUEST_URI")
    if not target:
        # PEP 3333 hands the path over percent-decoded, as latin-1 text of the
        # bytes: re-encode it the way SDKs encode paths (all but unreserved and /).
        raw = (environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "")).encode(
            "latin-1"
        )
        target = quote(raw, safe=safe) or "/"
        query = environ.get("QUERY_STRING", "")
        if query:
            target += "?" + query
    return f"{scheme}://{host}{target}"


def _wsgi_headers(environ: dict[str, Any]) -> list[tuple[str, str]]:
    headers = []
    for key, value in environ.items():
        if key.startswith("HTTP_"):
            name = key[5:].replace("_", "-").title()
        elif key in ("CONTENT_TYPE", "CONTENT_LENGTH") and value:
            name = key.replace("_", "-").title()
        else:
            continue
        # WSGI values are latin-1 text of the header bytes; SigV4 signs UTF-8.
        headers.append((name, str(value).encode("latin-1").decode("utf-8")))
    return headers


class SigV4AsgiMiddleware(_Base):
    """Verify SigV4 on every HTTP request before an ASGI application sees it.

    The same arguments and behaviour as :class:`SigV4WsgiMiddleware`; the URL is
    rebuilt from the scope's ``scheme``, ``host`` header, ``raw_path`` (or ``path``)
    and ``query_string``. Lifespan and websocket scopes pass through untouched.
    """

    def __init__(
        self,
        app: AsgiApp,
        verifier: Verifier,
        *,
        max_body: int = DEFAULT_MAX_BODY,
        clock: Clock | None = None,
        protocol: Protocol | None = None,
    ) -> None:
        super().__init__(verifier, max_body=max_body, clock=clock, protocol=protocol)
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope.get("type") != "http":
            await self.app(scope, receive, send)
            return
        request: HttpRequest | None = None
        try:
            raw_headers = [
                (bytes(n).decode("latin-1"), bytes(v).decode("utf-8"))
                for n, v in scope.get("headers", [])
            ]
            declared = next(
                (int(v) for n, v in raw_headers if n.lower() == "content-length"), 0
            )
            if declared > self.max_body:
                raise self._too_large(declared)
            body = await self._read_body(receive)
            request = HttpRequest(
                scope.get("method", "GET"),
                _asgi_url(scope, raw_headers),
                raw_headers,
                body,
            )
            identity = self.verifier.verify(request, now=self.clock())
        except SigV4VerificationError as error:
            await self._send_error(send, *self._reject(error, request))
            return
        except (ValueError, UnicodeError) as error:
            await self._send_error(
                send,
                *self._reject(
                    MalformedRequestError(f"malformed request: {error}"), request
                ),
            )
            return
        scope = dict(scope)
        scope[IDENTITY_KEY] = identity
        if identity.decoded_body is not None:
            # An aws-chunked body reaches the application decoded and verified.
            body = identity.decoded_body
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _read_body(self, receive: Receive) -> bytes:
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message.get("type") == "http.disconnect":
                break
            chunk = bytes(message.get("body", b""))
            size += len(chunk)
            if size > self.max_body:
                raise self._too_large(size)
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        return b"".join(chunks)

    @staticmethod
    async def _send_error(
        send: Send, status: int, headers: list[tuple[str, str]], body: bytes
    ) -> None:
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [(n.lower().encode(), v.encode()) for n, v in headers],
            }
        )
        await send({"type": "http.response.body", "body": body})


def _asgi_url(scope: Scope, headers: list[tuple[str, str]]) -> str:
    scheme = scope.get("scheme", "http")
    host = next((v for n, v in headers if n.lower() == "host"), None)
    if host is None:
        server = scope.get("server") or ("localhost", None)
        host = server[0] if server[1] in (None, 80, 443) else f"{server[0]}:{server[1]}"
    raw_path = scope.get("raw_path")
    if raw_path:
        target = bytes(raw_path).decode("latin-1")
    else:
        target = quote(str(scope.get("path", "/")).encode("utf-8"), safe="/~") or "/"
    query = bytes(scope.get("query_string", b"")).decode("latin-1")
    if query and "?" not in target:
        target += "?" + query
    return f"{scheme}://{host}{target}"
