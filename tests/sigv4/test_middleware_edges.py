"""The WSGI and ASGI middleware driven in process with hand-made environs and scopes.

``test_middleware_clients.py`` drives the middleware with real clients over
real servers; a server there always hands over a ``Host`` header, a declared
length and a well-formed request. These tests give the middleware what other
servers hand over (PEP 3333's ``SERVER_NAME``/``SERVER_PORT`` without
``HTTP_HOST``, gunicorn's ``RAW_URI``, an ASGI scope with no ``raw_path``, a
client that disconnects) and what a broken or hostile client sends (a length
that is not a number, header bytes that are not UTF-8, a body past the cap).
The expected statuses and codes are AWS's, as listed in ``awscore.errors``.
"""

from __future__ import annotations

import asyncio
import io
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import pytest

from awscore.sigv4 import (
    IDENTITY_KEY,
    Credentials,
    HttpRequest,
    SigV4AsgiMiddleware,
    SigV4WsgiMiddleware,
    VerifiedRequest,
    Verifier,
    sign,
    sign_chunked,
)
from awscore.sigv4._middleware import _reason

AKID = "AKIDEXAMPLE"
CREDS = Credentials(AKID, "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
WHEN = datetime(2015, 8, 30, 12, 36, tzinfo=UTC)


def _verifier() -> Verifier:
    return Verifier({AKID: CREDS}.get, regions={"us-east-1"}, services={"s3"})


def _signed(
    method: str, url: str, body: bytes = b"", headers: Iterable[tuple[str, str]] = ()
) -> HttpRequest:
    # A client sends the Host it signed; the signer itself takes it from the URL.
    host = ("Host", urlsplit(url).netloc)
    return sign(
        HttpRequest(method, url, [host, *headers], body),
        CREDS,
        region="us-east-1",
        service="s3",
        when=WHEN,
    )


# --- WSGI ----------------------------------------------------------------------


class _WsgiCall:
    """A WSGI application that records what the middleware handed it."""

    def __init__(self) -> None:
        self.environ: dict[str, Any] | None = None
        self.body = b""

    def __call__(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        self.environ = environ
        self.body = environ["wsgi.input"].read()
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"ok"]


def _environ(request: HttpRequest, *, with_host: bool = True) -> dict[str, Any]:
    """PEP 3333's environ for ``request``, its path decoded as servers do."""
    parts = urlsplit(request.url)
    environ: dict[str, Any] = {
        "REQUEST_METHOD": request.method,
        "wsgi.url_scheme": parts.scheme,
        "SCRIPT_NAME": "",
        "PATH_INFO": parts.path,
        "QUERY_STRING": parts.query,
        "SERVER_NAME": "unused.example",
        "SERVER_PORT": "80",
        "wsgi.input": io.BytesIO(request.body),
    }
    for name, value in request.headers:
        key = name.upper().replace("-", "_")
        if key == "HOST" and not with_host:
            continue
        if key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
            environ[key] = value
        else:
            environ[f"HTTP_{key}"] = value.encode().decode("latin-1")
    if request.body:
        # The server's own framing; sent, not signed.
        environ.setdefault("CONTENT_LENGTH", str(len(request.body)))
    return environ


def _wsgi(
    environ: dict[str, Any], **options: Any
) -> tuple[str, list[tuple[str, str]], bytes, _WsgiCall]:
    app = _WsgiCall()
    middleware = SigV4WsgiMiddleware(app, _verifier(), clock=lambda: WHEN, **options)
    answer: list[Any] = []

    def start_response(status: str, headers: list[tuple[str, str]]) -> None:
        answer.extend([status, headers])

    body = b"".join(middleware(environ, start_response))
    return answer[0], answer[1], body, app


def test_wsgi_content_length_that_is_not_a_number_is_a_400_invalid_request() -> None:
    environ = _environ(_signed("PUT", "http://h/k", b"abc"))
    environ["CONTENT_LENGTH"] = "three"
    status, headers, body, app = _wsgi(environ)
    assert status == "400 Bad Request"
    assert b"<Code>InvalidRequest</Code>" in body
    assert b"malformed request" in body
    assert ("Content-Type", "application/xml") in headers
    assert app.environ is None


def test_wsgi_header_bytes_that_are_not_utf8_are_a_400_invalid_request() -> None:
    environ = _environ(_signed("GET", "http://h/k"))
    environ["HTTP_X_AMZ_META_NAME"] = b"\xc3(".decode("latin-1")
    status, _, body, app = _wsgi(environ)
    assert status == "400 Bad Request"
    assert b"<Code>InvalidRequest</Code>" in body
    assert app.environ is None


def test_wsgi_dechunked_body_is_read_to_its_end_and_handed_on() -> None:
    request = _signed("PUT", "http://h/k", b"x" * 100)
    environ = _environ(request)
    del environ["CONTENT_LENGTH"]  # a chunked upload declares no length
    environ["HTTP_TRANSFER_ENCODING"] = "chunked"
    status, _, _, app = _wsgi(environ, max_body=100)
    assert status == "200 OK"
    assert app.body == b"x" * 100
    assert app.environ is not None
    assert app.environ["CONTENT_LENGTH"] == "100"


def test_wsgi_dechunked_body_past_the_cap_is_a_413() -> None:
    request = _signed("PUT", "http://h/k", b"x" * 101)
    environ = _environ(request)
    del environ["CONTENT_LENGTH"]
    environ["wsgi.input_terminated"] = True
    status, _, body, app = _wsgi(environ, max_body=100)
    assert status == "413 Request Entity Too Large"
    assert b"<Code>EntityTooLarge</Code>" in body
    # The cap is reported with the size actually read (one past the limit).
    assert b"upload of 101 bytes exceeds the maximum this endpoint verifies, 100" in (
        body
    )
    assert app.environ is None


def test_wsgi_body_without_length_or_chunking_is_empty() -> None:
    # PEP 3333: with no CONTENT_LENGTH and no terminated input the application
    # must not read wsgi.input; the request is verified as having no body.
    environ = _environ(_signed("GET", "http://h/k"))
    environ["wsgi.input"] = io.BytesIO(b"left on the socket")
    status, _, _, app = _wsgi(environ)
    assert status == "200 OK"
    assert app.body == b""


def test_wsgi_raw_uri_is_the_target_verified() -> None:
    # A path signed with its reserved characters raw ("!" and "'" are sub-delims
    # that S3 keys may hold): PATH_INFO alone would be re-encoded as %21 and %27,
    # but gunicorn's RAW_URI is what came on the wire.
    request = _signed("GET", "http://h/it's!?list-type=2")
    environ = _environ(request)
    environ["RAW_URI"] = "/it's!?list-type=2"
    status, _, _, app = _wsgi(environ)
    assert status == "200 OK"
    assert app.environ is not None
    identity = app.environ[IDENTITY_KEY]
    assert isinstance(identity, VerifiedRequest)
    assert identity.access_key_id == AKID


def test_wsgi_raw_uri_is_not_second_guessed() -> None:
    # With a raw target the middleware has one reading only: a signature made
    # over another path ("/a/b") fails for the target "/a%2Fb", whose two
    # canonical readings (S3's encoding and as received) are both "/a%2Fb",
    # although PATH_INFO alone ("/a/b") would have matched.
    request = _signed("GET", "http://h/a/b")
    environ = _environ(request)
    environ["REQUEST_URI"] = "/a%2Fb"
    status, _, body, _ = _wsgi(environ)
    assert status == "403 Forbidden"
    assert b"<Code>SignatureDoesNotMatch</Code>" in body


@pytest.mark.parametrize(
    ("scheme", "port", "url"),
    [
        ("http", "8080", "http://h:8080/k"),
        ("http", "80", "http://h/k"),
        ("https", "443", "https://h/k"),
    ],
)
def test_wsgi_without_host_header_uses_server_name_and_port(
    scheme: str, port: str, url: str
) -> None:
    # An HTTP/1.0 request may carry no Host; PEP 3333 then rebuilds the host
    # from SERVER_NAME and SERVER_PORT, the port left out when it is the
    # scheme's default. The client signed the host it connected to.
    request = _signed("GET", url)
    environ = _environ(request, with_host=False)
    environ["SERVER_NAME"] = "h"
    environ["SERVER_PORT"] = port
    environ["wsgi.url_scheme"] = scheme
    status, _, _, _ = _wsgi(environ)
    assert status == "200 OK"


def test_wsgi_wrong_server_port_breaks_the_signature() -> None:
    request = _signed("GET", "http://h:8080/k")
    environ = _environ(request, with_host=False)
    environ["SERVER_NAME"] = "h"
    environ["SERVER_PORT"] = "8081"
    status, _, _, _ = _wsgi(environ)
    assert status == "403 Forbidden"


def test_reason_phrase_of_a_status_without_one_is_error() -> None:
    assert _reason(413) == "Request Entity Too Large"
    assert _reason(599) == "Error"


# --- ASGI ----------------------------------------------------------------------


class _AsgiCall:
    """An ASGI application that records its scope and reads two messages."""

    def __init__(self) -> None:
        self.scope: Any = None
        self.messages: list[Any] = []

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        self.scope = scope
        if scope["type"] != "http":
            return
        self.messages = [await receive(), await receive()]
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})


def _scope(request: HttpRequest, *, with_host: bool = True) -> dict[str, Any]:
    parts = urlsplit(request.url)
    return {
        "type": "http",
        "method": request.method,
        "scheme": parts.scheme,
        "path": parts.path,
        "raw_path": parts.path.encode(),
        "query_string": parts.query.encode(),
        "headers": [
            (n.lower().encode(), v.encode())
            for n, v in request.headers
            if with_host or n.lower() != "host"
        ],
        "server": ("unused.example", 80),
    }


def _asgi(
    scope: dict[str, Any], messages: list[dict[str, Any]], **options: Any
) -> tuple[int, dict[bytes, bytes], bytes, _AsgiCall]:
    app = _AsgiCall()
    middleware = SigV4AsgiMiddleware(app, _verifier(), clock=lambda: WHEN, **options)
    pending = list(messages)
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return pending.pop(0) if pending else {"type": "http.disconnect"}

    async def send(message: Any) -> None:
        sent.append(dict(message))

    asyncio.run(middleware(scope, receive, send))
    if not sent:
        return 0, {}, b"", app
    return (
        sent[0]["status"],
        dict(sent[0]["headers"]),
        b"".join(m.get("body", b"") for m in sent[1:]),
        app,
    )


def _body(data: bytes) -> list[dict[str, Any]]:
    return [{"type": "http.request", "body": data, "more_body": False}]


def test_asgi_lifespan_scope_passes_through_untouched() -> None:
    scope: dict[str, Any] = {"type": "lifespan"}
    status, _, _, app = _asgi(scope, [])
    assert app.scope is scope
    assert IDENTITY_KEY not in scope
    assert status == 0


def test_asgi_content_length_that_is_not_a_number_is_a_400() -> None:
    request = _signed("PUT", "http://h/k", b"abc")
    scope = _scope(request)
    scope["headers"] = [
        (n, b"three" if n == b"content-length" else v) for n, v in scope["headers"]
    ]
    scope["headers"].append((b"content-length", b"three"))
    status, headers, body, app = _asgi(scope, _body(b"abc"))
    assert status == 400
    assert headers[b"content-type"] == b"application/xml"
    assert b"<Code>InvalidRequest</Code>" in body
    assert app.scope is None


def test_asgi_body_past_the_cap_without_a_length_is_a_413() -> None:
    request = _signed("PUT", "http://h/k", b"x" * 101)
    messages = [
        {"type": "http.request", "body": b"x" * 60, "more_body": True},
        {"type": "http.request", "body": b"x" * 41, "more_body": False},
    ]
    status, _, body, app = _asgi(_scope(request), messages, max_body=100)
    assert status == 413
    assert b"<Code>EntityTooLarge</Code>" in body
    assert b"upload of 101 bytes" in body
    assert app.scope is None


def test_asgi_body_in_several_messages_is_joined_and_replayed_once() -> None:
    request = _signed("PUT", "http://h/k", b"hello world")
    messages: list[dict[str, Any]] = [
        {"type": "http.request", "body": b"hello ", "more_body": True},
        {"type": "http.request", "body": b"world"},
    ]
    status, _, body, app = _asgi(_scope(request), messages)
    assert (status, body) == (200, b"ok")
    # The application sees the verified body in one message, then whatever the
    # server sends next (here the disconnect), not the body a second time.
    assert app.messages == [
        {"type": "http.request", "body": b"hello world", "more_body": False},
        {"type": "http.disconnect"},
    ]
    assert app.scope[IDENTITY_KEY].payload_mode == "signed"


def test_asgi_disconnect_ends_the_body() -> None:
    # The client went away before sending its body: what was received (nothing)
    # is what is verified, and a signature over an empty body still holds.
    request = _signed("GET", "http://h/k")
    status, _, _, app = _asgi(_scope(request), [{"type": "http.disconnect"}])
    assert status == 200
    assert app.messages[0]["body"] == b""


def test_asgi_aws_chunked_body_reaches_the_app_decoded() -> None:
    data = b"0123456789" * 1000
    request, encoder = sign_chunked(
        HttpRequest("PUT", "http://h/k", [("Host", "h")]),
        CREDS,
        region="us-east-1",
        service="s3",
        when=WHEN,
        data_length=len(data),
        chunk_size=8192,
    )
    framed = b"".join([*encoder.feed(data), *encoder.finish()])
    status, _, _, app = _asgi(_scope(request), _body(framed))
    assert status == 200
    assert app.messages[0]["body"] == data
    assert app.scope[IDENTITY_KEY].payload_mode == "streaming"


@pytest.mark.parametrize(
    ("server", "url"),
    [
        (("h", 8080), "http://h:8080/k"),
        (("h", 80), "http://h/k"),
        (None, "http://localhost/k"),
    ],
)
def test_asgi_without_host_header_uses_the_server(server: Any, url: str) -> None:
    request = _signed("GET", url)
    scope = _scope(request, with_host=False)
    scope["server"] = server
    status, _, _, _ = _asgi(scope, _body(b""))
    assert status == 200


def test_asgi_without_raw_path_encodes_path_as_sdks_do() -> None:
    # ASGI's "path" is decoded; SDKs sign "/a b" as "/a%20b".
    request = _signed("GET", "http://h/a%20b/%C3%A9?x=1")
    scope = _scope(request)
    del scope["raw_path"]
    scope["path"] = "/a b/\u00e9"
    status, _, _, _ = _asgi(scope, _body(b""))
    assert status == 200


def test_asgi_raw_path_holding_the_query_is_not_given_it_twice() -> None:
    # Some servers put the whole request target in raw_path.
    request = _signed("GET", "http://h/k?x=1")
    scope = _scope(request)
    scope["raw_path"] = b"/k?x=1"
    status, _, _, _ = _asgi(scope, _body(b""))
    assert status == 200
