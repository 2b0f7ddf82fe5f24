"""WSGI and ASGI middleware that verifies SigV4 before the application runs.

On success the :class:`~awscore.sigv4.VerifiedRequest` is passed on as
``environ["awscore.sigv4.identity"]`` (WSGI) or ``scope["awscore.sigv4.identity"]``
(ASGI), and the buffered body is handed to the application unchanged. On failure
the answer is AWS's own error for the client's protocol (see
:mod:`awscore.sigv4._responses`). The body is buffered up to ``max_body`` bytes for
hashing; a larger one is refused with 413 before it is read.

A browser form upload (``POST`` of ``multipart/form-data`` with neither an
``Authorization`` header nor a presigned query) is read as it arrives: the form
fields are parsed (bounded by ``max_post_fields``), the whole body is copied to a
spooled temporary file (in memory up to 1 MiB, then on disk, at most
``max_upload`` bytes), and only once the closing boundary has arrived and the
policy is verified is the application called, with that file as its body and the
parsed :class:`~awscore.sigv4.PostForm` as ``environ["awscore.sigv4.post_form"]``.
A malformed, oversized, truncated or refused upload never reaches it.

These are the I/O edge: they read the clock (``clock``, replaceable in tests) and
the server's request objects, then call the pure :class:`Verifier`.
"""

from __future__ import annotations

import io
import tempfile
import uuid
from collections.abc import Awaitable, Callable, Iterable, Iterator, MutableMapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from awscore.errors import (
    ArgumentTypeError,
    MalformedPostRequestError,
    MalformedRequestError,
    RequestTooLargeError,
    SignatureMismatchError,
    SigV4VerificationError,
)
from awscore.sigv4._form import DEFAULT_MAX_FIELDS_SIZE, PostFormReader
from awscore.sigv4._model import HttpRequest, kind_of
from awscore.sigv4._post import PostForm
from awscore.sigv4._responses import Protocol, detect_protocol, error_response
from awscore.sigv4._verifier import VerifiedRequest, Verifier

__all__ = [
    "IDENTITY_KEY",
    "POST_FORM_KEY",
    "SigV4AsgiMiddleware",
    "SigV4WsgiMiddleware",
]

#: Where the verified identity is put in the WSGI environ and the ASGI scope.
IDENTITY_KEY = "awscore.sigv4.identity"
#: Where a verified form upload's :class:`~awscore.sigv4.PostForm` is put.
POST_FORM_KEY = "awscore.sigv4.post_form"
#: Default cap on the buffered body: 16 MiB.
DEFAULT_MAX_BODY = 16 * 1024 * 1024
#: Default cap on a form upload's whole body: 5 GiB, S3's limit for POST Object.
DEFAULT_MAX_UPLOAD = 5 * 1024**3
# A form upload stays in memory up to this size, then moves to a temporary file.
_SPOOL_IN_MEMORY = 1024 * 1024
_READ_SIZE = 64 * 1024

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


def default_post_bucket(url: str) -> str:
    """The bucket a form is posted to: a path-style URL's first segment, else the
    first label of a virtual-hosted URL's host."""
    from urllib.parse import unquote, urlsplit

    parts = urlsplit(url)
    path = parts.path.strip("/")
    if path:
        return unquote(path.split("/")[0])
    return (parts.hostname or "").split(".")[0]


def _is_form_upload(method: str, content_type: str, auth: bool, query: str) -> bool:
    return (
        method == "POST"
        and content_type[:19].lower() == "multipart/form-data"
        and not auth
        and "X-Amz-Algorithm=" not in query
    )


class _Upload:
    """A form upload being read: the parser and the spooled copy of the body."""

    def __init__(self, base: _Base, content_type: str, url: str) -> None:
        self.reader = PostFormReader(
            content_type,
            bucket=base.post_bucket(url),
            max_fields_size=base.max_post_fields,
        )
        self.spool = tempfile.SpooledTemporaryFile(max_size=_SPOOL_IN_MEMORY)  # noqa: SIM115 - handed to the app
        self.size = 0
        self.limit = base.max_upload
        self.base = base

    def take(self, chunk: bytes) -> None:
        self.size += len(chunk)
        if self.size > self.limit:
            raise self.base._too_large(self.size, self.limit)
        self.reader.feed(chunk)
        self.spool.write(chunk)

    def finish(self, declared: int | None) -> PostForm:
        if declared is not None and self.size < declared:
            raise MalformedPostRequestError(
                f"the form upload ended after {self.size} of its {declared} bytes "
                "(truncated)"
            )
        form = self.reader.finish()
        self.spool.seek(0)
        return form

    def close(self) -> None:
        self.spool.close()


class _Closing:
    """The application's response, closing the spooled upload once it is done.

    PEP 3333: the server calls ``close()`` on the iterable when the response is
    finished (or abandoned); the temporary file goes with it.
    """

    def __init__(self, response: Iterable[bytes], spool: Any) -> None:
        self._response = response
        self._spool = spool

    def __iter__(self) -> Iterator[bytes]:
        # Also closed once the response is exhausted, for servers (and test
        # harnesses) that iterate without calling close().
        try:
            yield from self._response
        finally:
            self._spool.close()

    def close(self) -> None:
        try:
            close = getattr(self._response, "close", None)
            if close is not None:
                close()
        finally:
            self._spool.close()


class _Base:
    def __init__(
        self,
        verifier: Verifier,
        *,
        max_body: int,
        clock: Clock | None,
        protocol: Protocol | None,
        max_upload: int = DEFAULT_MAX_UPLOAD,
        max_post_fields: int = DEFAULT_MAX_FIELDS_SIZE,
        post_bucket: Callable[[str], str] | None = None,
    ) -> None:
        if not isinstance(verifier, Verifier):
            raise ArgumentTypeError(
                f"verifier must be awscore.sigv4.Verifier, not {kind_of(verifier)}"
            )
        for name, value in (
            ("max_body", max_body),
            ("max_upload", max_upload),
            ("max_post_fields", max_post_fields),
        ):
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ArgumentTypeError(f"{name} must be a positive number of bytes")
        self.verifier = verifier
        self.max_body = max_body
        self.max_upload = max_upload
        self.max_post_fields = max_post_fields
        self.post_bucket = post_bucket or default_post_bucket
        self.clock = clock or _now
        self.protocol = protocol

    def _reject(
        self, error: SigV4VerificationError, request: HttpRequest | None
    ) -> tuple[int, list[tuple[str, str]], bytes]:
        protocol = self.protocol
        if protocol is None:
            protocol = detect_protocol(request) if request is not None else "rest-xml"
        return error_response(error, protocol, request_id=uuid.uuid4().hex.upper())

    def _too_large(self, length: int, limit: int | None = None) -> RequestTooLargeError:
        return RequestTooLargeError(
            f"your proposed upload of {length} bytes exceeds the maximum this "
            f"endpoint verifies, {limit or self.max_body} bytes"
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
        max_upload: int = DEFAULT_MAX_UPLOAD,
        max_post_fields: int = DEFAULT_MAX_FIELDS_SIZE,
        post_bucket: Callable[[str], str] | None = None,
    ) -> None:
        super().__init__(
            verifier,
            max_body=max_body,
            clock=clock,
            protocol=protocol,
            max_upload=max_upload,
            max_post_fields=max_post_fields,
            post_bucket=post_bucket,
        )
        self.app = app

    def __call__(
        self, environ: dict[str, Any], start_response: StartResponse
    ) -> Iterable[bytes]:
        if _is_form_upload(
            environ.get("REQUEST_METHOD", "GET"),
            str(environ.get("CONTENT_TYPE", "")),
            bool(environ.get("HTTP_AUTHORIZATION")),
            str(environ.get("QUERY_STRING", "")),
        ):
            return self._form_upload(environ, start_response)
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

    def _form_upload(
        self, environ: dict[str, Any], start_response: StartResponse
    ) -> Iterable[bytes]:
        upload: _Upload | None = None
        try:
            upload = _Upload(self, str(environ["CONTENT_TYPE"]), _wsgi_url(environ))
            form, identity = self._read_upload(environ, upload)
        except (SigV4VerificationError, ValueError, UnicodeError) as error:
            if upload is not None:
                upload.close()
            if not isinstance(error, SigV4VerificationError):
                error = MalformedRequestError(f"malformed request: {error}")
            status, headers, payload = self._reject(error, None)
            start_response(f"{status} {_reason(status)}", headers)
            return [payload]
        except BaseException:
            if upload is not None:
                upload.close()
            raise
        environ[IDENTITY_KEY] = identity
        environ[POST_FORM_KEY] = form
        environ["wsgi.input"] = upload.spool
        environ["CONTENT_LENGTH"] = str(upload.size)
        try:
            return _Closing(self.app(environ, start_response), upload.spool)
        except BaseException:
            upload.close()
            raise

    def _read_upload(
        self, environ: dict[str, Any], upload: _Upload
    ) -> tuple[PostForm, VerifiedRequest]:
        """Read the whole upload into ``upload``, then verify it."""
        stream = environ["wsgi.input"]
        text = environ.get("CONTENT_LENGTH")
        declared = int(text) if text else None
        if declared is not None and declared > self.max_upload:
            raise self._too_large(declared, self.max_upload)
        remaining = declared
        chunked = "chunked" in str(environ.get("HTTP_TRANSFER_ENCODING", ""))
        if declared is None and not (chunked or environ.get("wsgi.input_terminated")):
            remaining = 0
        while remaining is None or remaining > 0:
            size = _READ_SIZE if remaining is None else min(_READ_SIZE, remaining)
            chunk = stream.read(size)
            if not chunk:
                break
            upload.take(bytes(chunk))
            if remaining is not None:
                remaining -= len(chunk)
        form = upload.finish(declared)
        return form, self.verifier.verify_post(form, now=self.clock())

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
        max_upload: int = DEFAULT_MAX_UPLOAD,
        max_post_fields: int = DEFAULT_MAX_FIELDS_SIZE,
        post_bucket: Callable[[str], str] | None = None,
    ) -> None:
        super().__init__(
            verifier,
            max_body=max_body,
            clock=clock,
            protocol=protocol,
            max_upload=max_upload,
            max_post_fields=max_post_fields,
            post_bucket=post_bucket,
        )
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope.get("type") != "http":
            await self.app(scope, receive, send)
            return
        headers = {
            bytes(n).decode("latin-1").lower(): bytes(v).decode("latin-1")
            for n, v in scope.get("headers", [])
        }
        if _is_form_upload(
            str(scope.get("method", "GET")),
            headers.get("content-type", ""),
            "authorization" in headers,
            bytes(scope.get("query_string", b"")).decode("latin-1"),
        ):
            await self._form_upload(scope, receive, send, headers)
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

    async def _form_upload(
        self, scope: Scope, receive: Receive, send: Send, headers: dict[str, str]
    ) -> None:
        upload: _Upload | None = None
        try:
            raw_headers = [
                (bytes(n).decode("latin-1"), bytes(v).decode("latin-1"))
                for n, v in scope.get("headers", [])
            ]
            upload = _Upload(
                self, headers["content-type"], _asgi_url(scope, raw_headers)
            )
            text = headers.get("content-length")
            declared = int(text) if text else None
            if declared is not None and declared > self.max_upload:
                raise self._too_large(declared, self.max_upload)
            while True:
                message = await receive()
                if message.get("type") == "http.disconnect":
                    break
                upload.take(bytes(message.get("body", b"")))
                if not message.get("more_body", False):
                    break
            form = upload.finish(declared)
            identity = self.verifier.verify_post(form, now=self.clock())
        except (SigV4VerificationError, ValueError, UnicodeError) as error:
            if upload is not None:
                upload.close()
            if not isinstance(error, SigV4VerificationError):
                error = MalformedRequestError(f"malformed request: {error}")
            await self._send_error(send, *self._reject(error, None))
            return
        except BaseException:
            if upload is not None:
                upload.close()
            raise
        scope = dict(scope)
        scope[IDENTITY_KEY] = identity
        scope[POST_FORM_KEY] = form
        spool = upload.spool

        async def replay() -> Message:
            chunk = spool.read(_READ_SIZE)
            more = len(chunk) == _READ_SIZE
            if not more:
                spool.close()
            return {"type": "http.request", "body": chunk, "more_body": more}

        try:
            await self.app(scope, replay, send)
        finally:
            spool.close()

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
