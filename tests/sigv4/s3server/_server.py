"""The HTTP side: a threaded loopback server that keeps the wire's request target.

The server is :mod:`tests.sigv4._loopback`'s (wsgiref, HTTP/1.1, deferred
``100 Continue``, chunked request bodies), with one addition: the request
target exactly as it came on the wire goes into the environ as
``REQUEST_URI`` (Apache's and nginx's name for it). With it the middleware
verifies the path the client signed and sent, one reading only; without it
(plain wsgiref) it would have to guess at the encoding from the decoded
``PATH_INFO``, which is a relaxation the real-client tests must not lean on.

Outside the middleware a :class:`Recorder` notes every exchange: what the client
sent (method, target, headers, body size) and what it got back (status, S3
error code), so that tests can say what each client really does.
"""

from __future__ import annotations

import contextlib
import re
import ssl
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from awscore.sigv4 import Credentials, SigV4WsgiMiddleware, Verifier
from tests.sigv4._loopback import _RequestHandler, _ThreadingWsgiServer
from tests.sigv4.s3server._app import S3App
from tests.sigv4.s3server._store import Store

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication

__all__ = ["Exchange", "Recorder", "S3Server", "serve_s3"]

StartResponse = Callable[..., Any]
_CODE = re.compile(rb"<Code>([^<]*)</Code>")


@dataclass(frozen=True, slots=True, kw_only=True)
class Exchange:
    """One request as the client sent it and the answer it got."""

    method: str
    #: the request target as sent on the wire (path and query, still encoded)
    target: str
    #: header names lower-cased; repeated headers joined with ","
    headers: dict[str, str]
    status: int
    #: the S3 error code of a refusal (``SignatureDoesNotMatch``), else ""
    code: str

    @property
    def path(self) -> str:
        return self.target.partition("?")[0]

    @property
    def query(self) -> str:
        return self.target.partition("?")[2]


class Recorder:
    """WSGI wrapper that records every :class:`Exchange` through ``app``."""

    def __init__(self, app: WSGIApplication) -> None:
        self.app = app
        self.exchanges: list[Exchange] = []
        self._lock = threading.Lock()

    def __call__(
        self, environ: dict[str, Any], start_response: StartResponse
    ) -> Iterable[bytes]:
        headers: dict[str, str] = {}
        for name, value in environ.items():
            if name.startswith("HTTP_") or name in ("CONTENT_TYPE", "CONTENT_LENGTH"):
                lowered = name.removeprefix("HTTP_").replace("_", "-").lower()
                if value:
                    headers[lowered] = str(value)
        status: list[int] = []

        def recording_start(status_line: str, *args: Any) -> Any:
            status.append(int(status_line.split(" ", 1)[0]))
            return start_response(status_line, *args)

        answer = self.app(environ, recording_start)
        try:
            body = b"".join(answer)
        finally:
            # PEP 3333: the server calls close() (the middleware releases the
            # spooled body of a form upload there)
            close = getattr(answer, "close", None)
            if close is not None:
                close()
        code = _CODE.search(body) if status and status[0] >= 300 else None
        with self._lock:
            self.exchanges.append(
                Exchange(
                    method=environ["REQUEST_METHOD"],
                    target=environ["REQUEST_URI"],
                    headers=headers,
                    status=status[0] if status else 0,
                    code=code.group(1).decode() if code else "",
                )
            )
        return [body]

    def since(self, mark: int) -> list[Exchange]:
        """The exchanges recorded after ``mark`` (an earlier ``len(exchanges)``)."""
        with self._lock:
            return self.exchanges[mark:]


class _RawTargetHandler(_RequestHandler):
    def get_environ(self) -> dict[str, Any]:
        environ = super().get_environ()
        # http.server keeps the request target as received, undecoded
        environ["REQUEST_URI"] = self.path
        return environ


@dataclass(frozen=True, slots=True, kw_only=True)
class S3Server:
    """A running test server: its URL, its store, and what it has seen."""

    url: str
    store: Store
    recorder: Recorder
    region: str

    @property
    def port(self) -> int:
        return int(self.url.rsplit(":", 1)[1])

    def mark(self) -> int:
        """A point in the record; :meth:`since` lists what came after it."""
        return len(self.recorder.exchanges)

    def since(self, mark: int) -> list[Exchange]:
        return self.recorder.since(mark)


@contextlib.contextmanager
def serve_s3(
    credentials: Credentials,
    *,
    region: str = "us-east-1",
    buckets: Iterable[str] = (),
    tls: ssl.SSLContext | None = None,
) -> Iterator[S3Server]:
    """Run the S3 server on 127.0.0.1 and a free port while the block runs.

    Every request is verified by :class:`~awscore.sigv4.SigV4WsgiMiddleware`
    with a :class:`~awscore.sigv4.Verifier` that knows only ``credentials``, the
    one ``region`` and the service ``s3``, at its defaults (15 minutes of skew,
    every ``x-amz-*`` header signed): nothing is relaxed for the tests. With
    ``tls`` (a server-side context) the URL is ``https://``.
    """
    store = Store()
    for bucket in buckets:
        store.create_bucket(bucket)
    keys = {credentials.access_key_id: credentials}
    verifier = Verifier(keys.get, regions={region}, services={"s3"})
    recorder = Recorder(SigV4WsgiMiddleware(S3App(store), verifier))
    server = _ThreadingWsgiServer(("127.0.0.1", 0), _RawTargetHandler)
    server.set_app(recorder)
    scheme = "http"
    if tls is not None:
        server.socket = tls.wrap_socket(server.socket, server_side=True)
        scheme = "https"
        server.base_environ["wsgi.url_scheme"] = scheme
        server.base_environ["HTTPS"] = "on"
    thread = threading.Thread(target=server.serve_forever, name="s3server")
    thread.start()
    try:
        yield S3Server(
            url=f"{scheme}://127.0.0.1:{server.server_port}",
            store=store,
            recorder=recorder,
            region=region,
        )
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
