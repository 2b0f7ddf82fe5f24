"""A loopback WSGI server for tests that drive real HTTP clients (boto3, requests).

:func:`serve_wsgi` runs a WSGI application on 127.0.0.1 and a free port in a
background thread, and shuts it down cleanly (every handler thread joined, every
socket closed) when the ``with`` block ends. It is the stdlib ``wsgiref`` server
with two changes that real clients need:

* It speaks HTTP/1.1 and honours ``Expect: 100-continue`` (which botocore sends
  with every S3 upload) the way production servers do: ``100 Continue`` goes out
  when the application first reads the body, not before. A request refused on its
  headers alone (a 413 for a too-large ``Content-Length``) therefore never makes
  the client send its body. wsgiref's handler speaks HTTP/1.0 and ignores the
  header, so botocore waits a second per upload for a ``100`` that never comes.
* Chunked request bodies are decoded for the application, with
  ``wsgi.input_terminated`` set (gunicorn's and werkzeug's convention; PEP 3333
  says nothing of chunked bodies, and wsgiref leaves them on the socket).
* One request per connection, announced with ``Connection: close`` so that an
  HTTP/1.1 client does not try to reuse the socket; what the application left
  unread of a body the client sent anyway is drained first, so the close never
  turns into a reset that would hide the response.

:class:`SkewableClock` is a clock for the middleware that a test can move.
"""

from __future__ import annotations

import contextlib
import io
import ssl
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from io import BufferedIOBase
from socketserver import ThreadingMixIn
from typing import IO, TYPE_CHECKING, Any, cast
from wsgiref.headers import Headers
from wsgiref.simple_server import (
    ServerHandler,
    WSGIRequestHandler,
    WSGIServer,
    make_server,
)

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication

__all__ = ["SkewableClock", "serve_wsgi"]

#: The most of an unread body drained before closing; beyond it, just close.
_DRAIN_LIMIT = 1024 * 1024


class SkewableClock:
    """The current time (aware, UTC) plus ``offset``, which a test may change."""

    def __init__(self) -> None:
        self.offset = timedelta(0)

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset


class _Body:
    """``wsgi.input``: sends ``100 Continue`` on the first read if the client waits.

    A ``Content-Length`` body is read through, never past its end; a chunked one
    is decoded (and ``wsgi.input_terminated`` set, as gunicorn and werkzeug do).
    """

    def __init__(
        self, rfile: BufferedIOBase, wfile: BufferedIOBase | None, length: int | None
    ) -> None:
        self._rfile = rfile
        self._continue_to = wfile
        self._left = length
        self._decoded: io.BytesIO | None = None

    @property
    def waiting_for_continue(self) -> bool:
        """The client is still holding its body back."""
        return self._continue_to is not None

    @property
    def unread(self) -> int:
        """Bytes of the declared body not read yet (1 for an unfinished chunked one)."""
        if self._left is None:
            return 0 if self._decoded is not None else 1
        return self._left

    def _go_ahead(self) -> None:
        if self._continue_to is not None:
            self._continue_to.write(b"HTTP/1.1 100 Continue\r\n\r\n")
            self._continue_to.flush()
            self._continue_to = None

    def _chunked(self) -> io.BytesIO:
        if self._decoded is None:
            chunks = []
            while size := int(self._rfile.readline(1024).split(b";")[0] or b"0", 16):
                chunks.append(self._rfile.read(size))
                self._rfile.readline(3)
            while self._rfile.readline(65537) not in {b"\r\n", b"\n", b""}:
                pass  # trailer fields
            self._decoded = io.BytesIO(b"".join(chunks))
        return self._decoded

    def _limit(self, size: int) -> int:
        assert self._left is not None
        return self._left if size < 0 else min(size, self._left)

    def read(self, size: int = -1, /) -> bytes:
        self._go_ahead()
        if self._left is None:
            return self._chunked().read(size)
        data = self._rfile.read(self._limit(size))
        self._left -= len(data)
        return data

    def readline(self, size: int = -1, /) -> bytes:
        self._go_ahead()
        if self._left is None:
            return self._chunked().readline(size)
        data = self._rfile.readline(self._limit(size))
        self._left -= len(data)
        return data

    def readlines(self, hint: int = -1, /) -> list[bytes]:
        return list(self)

    def __iter__(self) -> Iterator[bytes]:
        while line := self.readline():
            yield line


class _ServerHandler(ServerHandler):
    http_version = "1.1"
    # set by BaseHandler.start_response and by our handler, undeclared in typeshed
    headers: Headers
    request_handler: WSGIRequestHandler

    def cleanup_headers(self) -> None:
        super().cleanup_headers()
        # One request per connection (as wsgiref): say so to HTTP/1.1 clients.
        self.headers["Connection"] = "close"


class _RequestHandler(WSGIRequestHandler):
    # HTTP/1.1, so that parse_request looks at Expect (HTTP/1.0 handlers do not).
    protocol_version = "HTTP/1.1"
    _client_waits = False

    def handle_expect_100(self) -> bool:
        # Defer the 100 Continue to the application's first read of the body.
        self._client_waits = True
        return True

    def handle(self) -> None:
        # wsgiref's WSGIRequestHandler.handle, with the deferred 100 Continue and
        # the drain of an unread body.
        self.raw_requestline = self.rfile.readline(65537)
        if len(self.raw_requestline) > 65536:
            self.requestline = self.request_version = self.command = ""
            self.send_error(414)
            return
        if not self.parse_request():
            return
        environ = self.get_environ()
        length: int | None
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            length = None
            environ["wsgi.input_terminated"] = True
        else:
            try:
                length = max(int(self.headers.get("Content-Length") or 0), 0)
            except ValueError:
                length = 0
        body = _Body(self.rfile, self.wfile if self._client_waits else None, length)
        handler = _ServerHandler(
            body,
            cast(IO[bytes], self.wfile),
            self.get_stderr(),
            environ,
            multithread=True,
        )
        handler.request_handler = self  # wsgiref logs through it
        handler.run(cast("WSGIApplication", cast(WSGIServer, self.server).get_app()))
        if not body.waiting_for_continue and 0 < body.unread <= _DRAIN_LIMIT:
            with contextlib.suppress(OSError):
                body.read()

    def log_message(self, format: str, *args: Any) -> None:
        pass  # no access log on stderr


class _ThreadingWsgiServer(ThreadingMixIn, WSGIServer):
    # block_on_close (ThreadingMixIn's default): server_close joins every handler.
    daemon_threads = False


@contextlib.contextmanager
def serve_wsgi(
    app: WSGIApplication, *, tls: ssl.SSLContext | None = None
) -> Iterator[str]:
    """Serve ``app`` on 127.0.0.1 and a free port; yield its base URL.

    With ``tls`` (a server-side context) the URL is ``https://``.
    """
    server = make_server(
        "127.0.0.1",
        0,
        app,
        server_class=_ThreadingWsgiServer,
        handler_class=_RequestHandler,
    )
    scheme = "http"
    if tls is not None:
        server.socket = tls.wrap_socket(server.socket, server_side=True)
        server.base_environ["wsgi.url_scheme"] = scheme = "https"
        server.base_environ["HTTPS"] = "on"
    thread = threading.Thread(target=server.serve_forever, name="loopback-wsgi")
    thread.start()
    try:
        yield f"{scheme}://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
