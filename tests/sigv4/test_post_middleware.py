"""The WSGI and ASGI middleware in front of browser POST uploads.

A verified form reaches the application whole (the multipart body as sent, the
parsed :class:`PostForm` and the identity); the body is spooled as it arrives
(to disk past 1 MiB), so a large file is never held in memory; a malformed
policy, an oversized field, a missing file part, a truncated body, a refused
condition or signature is an AWS error response, and the application is never
called.
"""

from __future__ import annotations

import asyncio
import io
from collections.abc import Iterable, MutableMapping
from datetime import UTC, datetime
from typing import Any

import pytest

from awscore.errors import ArgumentTypeError
from awscore.sigv4 import (
    IDENTITY_KEY,
    POST_FORM_KEY,
    Credentials,
    PostForm,
    SigV4AsgiMiddleware,
    SigV4WsgiMiddleware,
    VerifiedRequest,
    Verifier,
    presign_post,
)
from awscore.sigv4._middleware import default_post_bucket

CREDS = Credentials("AKIDPOSTEXAMPLE", "post/secret+key", "session-token")
WHEN = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
BOUNDARY = "xYzZY"


def _verifier() -> Verifier:
    return Verifier(
        lambda akid: CREDS if akid == CREDS.access_key_id else None,
        regions={"us-east-1"},
        services={"s3"},
    )


def _fields(**overrides: str) -> dict[str, str]:
    post = presign_post(
        "http://127.0.0.1:9000/bkt",
        "uploads/${filename}",
        CREDS,
        region="us-east-1",
        when=WHEN,
        conditions=[["content-length-range", 1, 5 * 1024 * 1024], {"acl": "private"}],
        fields={"acl": "private"},
    )
    return {**post.fields, **overrides}


def _body(fields: dict[str, str], content: bytes | None, *, tail: bool = True) -> bytes:
    out = bytearray()
    for name, value in fields.items():
        out += (
            f"--{BOUNDARY}\r\nContent-Disposition: form-data; "
            f'name="{name}"\r\n\r\n{value}\r\n'
        ).encode()
    if content is not None:
        out += (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; '
            'filename="big.bin"\r\nContent-Type: application/octet-stream\r\n\r\n'
        ).encode()
        out += content + b"\r\n"
    if tail:
        out += f"--{BOUNDARY}--\r\n".encode()
    return bytes(out)


class _App:
    """A WSGI app that records what it was handed and reads its body."""

    def __init__(self) -> None:
        self.environ: dict[str, Any] | None = None
        self.body = b""
        self.rolled_to_disk: bool | None = None

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        self.environ = environ
        stream = environ["wsgi.input"]
        self.rolled_to_disk = bool(getattr(stream, "_rolled", False))
        self.body = stream.read(int(environ["CONTENT_LENGTH"]))
        start_response("204 No Content", [])
        return [b""]


def _environ(
    body: bytes, *, length: int | None = None, path: str = "/bkt"
) -> dict[str, Any]:
    environ: dict[str, Any] = {
        "REQUEST_METHOD": "POST",
        "wsgi.url_scheme": "http",
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "HTTP_HOST": "127.0.0.1:9000",
        "CONTENT_TYPE": f"multipart/form-data; boundary={BOUNDARY}",
        "CONTENT_LENGTH": str(len(body) if length is None else length),
        "wsgi.input": io.BytesIO(body),
    }
    return environ


def _wsgi(environ: dict[str, Any], **options: Any) -> tuple[str, bytes, _App]:
    app = _App()
    middleware = SigV4WsgiMiddleware(app, _verifier(), clock=lambda: WHEN, **options)
    answer: list[str] = []

    def start_response(status: str, headers: list[tuple[str, str]]) -> None:
        answer.append(status)

    response = middleware(environ, start_response)
    try:
        body = b"".join(response)
    finally:
        close = getattr(response, "close", None)
        if close is not None:
            close()
    return answer[0], body, app


def test_wsgi_verified_upload_reaches_the_app_whole() -> None:
    body = _body(_fields(), b"0123456789")
    status, _, app = _wsgi(_environ(body))
    assert status == "204 No Content"
    assert app.environ is not None
    assert app.body == body  # the multipart body as sent, for the app to store
    identity = app.environ[IDENTITY_KEY]
    assert isinstance(identity, VerifiedRequest)
    assert identity.payload_mode == "post"
    assert identity.session_token == "session-token"
    form = app.environ[POST_FORM_KEY]
    assert isinstance(form, PostForm)
    assert (form.file_size, form.filename, form.bucket) == (10, "big.bin", "bkt")
    assert app.rolled_to_disk is False


def test_wsgi_large_upload_is_spooled_to_disk_not_memory() -> None:
    content = bytes(range(256)) * (3 * 4096)  # 3 MiB
    body = _body(_fields(), content)
    status, _, app = _wsgi(_environ(body))
    assert status == "204 No Content"
    assert app.rolled_to_disk is True
    assert app.body == body


@pytest.mark.parametrize(
    ("body", "length", "code", "options"),
    [
        (
            _body(_fields(policy="bm90IGpzb24="), b"x"),
            None,
            "SignatureDoesNotMatch",
            {},
        ),
        (_body(_fields(acl="public-read"), b"x"), None, "AccessDenied", {}),
        (_body(_fields(), b""), None, "EntityTooSmall", {}),
        (_body(_fields(), None), None, "InvalidArgument", {}),
        (_body(_fields(), b"x", tail=False), None, "MalformedPOSTRequest", {}),
        (_body(_fields(), b"x"), 10**6, "MalformedPOSTRequest", {}),
        (
            _body({"pad": "p" * 5000, **_fields()}, b"x"),
            None,
            "MaxPostPreDataLengthExceeded",
            {"max_post_fields": 4096},
        ),
        (_body(_fields(), b"x" * 2000), None, "EntityTooLarge", {"max_upload": 1500}),
        (_body(_fields(), b"x"), 10**12, "EntityTooLarge", {}),
    ],
    ids=[
        "forged-policy",
        "condition-failed",
        "empty-file",
        "missing-file",
        "truncated",
        "short-body",
        "oversized-fields",
        "over-max-upload",
        "declared-too-large",
    ],
)
def test_wsgi_refused_upload_never_reaches_the_app(
    body: bytes, length: int | None, code: str, options: dict[str, Any]
) -> None:
    status, answer, app = _wsgi(_environ(body, length=length), **options)
    assert f"<Code>{code}</Code>".encode() in answer
    assert status[:3] in {"400", "403", "413"}
    assert app.environ is None


def test_wsgi_malformed_policy_is_invalid_policy_document() -> None:
    from tests.sigv4.test_post_policy import _signed_policy

    form = _signed_policy("not json")
    # _signed_policy signs with the test_post_policy credentials; use them here
    fields = dict(form.fields)
    verifier = Verifier(
        lambda akid: Credentials("AKIDPOSTEXAMPLE", "post/secret+key"),
        regions={"us-east-1"},
        services={"s3"},
    )
    app = _App()
    middleware = SigV4WsgiMiddleware(app, verifier, clock=lambda: WHEN)
    answer: list[str] = []
    body = b"".join(
        middleware(
            _environ(_body(fields, b"x"), path="/uploads"),
            lambda status, headers: answer.append(status),
        )
    )
    assert b"<Code>InvalidPolicyDocument</Code>" in body
    assert answer == ["400 Bad Request"]
    assert app.environ is None


def test_wsgi_bad_content_length_is_a_malformed_request() -> None:
    environ = _environ(_body(_fields(), b"x"))
    environ["CONTENT_LENGTH"] = "lots"
    _, answer, app = _wsgi(environ)
    assert b"<Code>InvalidRequest</Code>" in answer
    assert app.environ is None


def test_wsgi_chunked_upload_without_length_is_read_to_its_end() -> None:
    body = _body(_fields(), b"chunked!")
    environ = _environ(body)
    del environ["CONTENT_LENGTH"]
    environ["wsgi.input_terminated"] = True
    app = _App()
    middleware = SigV4WsgiMiddleware(app, _verifier(), clock=lambda: WHEN)
    response = middleware(environ, lambda status, headers: None)
    list(response)
    assert app.environ is not None
    assert app.environ[POST_FORM_KEY].file_size == 8
    # no length and no terminated input: PEP 3333 says the body is empty
    environ = _environ(body)
    del environ["CONTENT_LENGTH"]
    _, answer, app = _wsgi(environ)
    assert b"MalformedPOSTRequest" in answer


def test_wsgi_app_failure_still_closes_the_spool() -> None:
    def failing(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        raise RuntimeError("app bug")

    middleware = SigV4WsgiMiddleware(failing, _verifier(), clock=lambda: WHEN)
    with pytest.raises(RuntimeError, match="app bug"):
        middleware(_environ(_body(_fields(), b"x")), lambda s, h: None)


def test_wsgi_response_close_is_passed_on() -> None:
    closed: list[bool] = []

    class Response(list[bytes]):
        def close(self) -> None:
            closed.append(True)

    def app(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        start_response("200 OK", [])
        return Response([b"ok"])

    middleware = SigV4WsgiMiddleware(app, _verifier(), clock=lambda: WHEN)
    response = middleware(_environ(_body(_fields(), b"x")), lambda s, h: None)
    assert list(response) == [b"ok"]
    response.close()  # type: ignore[attr-defined]
    assert closed == [True]


def test_a_form_post_with_an_authorization_header_is_not_a_form_upload() -> None:
    environ = _environ(_body(_fields(), b"x"))
    environ["HTTP_AUTHORIZATION"] = "AWS4-HMAC-SHA256 Credential=garbage"
    _, answer, app = _wsgi(environ)
    assert b"AuthorizationHeaderMalformed" in answer
    assert app.environ is None


@pytest.mark.parametrize(
    ("url", "bucket"),
    [
        ("http://127.0.0.1:9000/bkt", "bkt"),
        ("http://127.0.0.1:9000/my%20bucket/", "my bucket"),
        ("https://photos.s3.amazonaws.com/", "photos"),
    ],
)
def test_default_post_bucket(url: str, bucket: str) -> None:
    assert default_post_bucket(url) == bucket


def test_middleware_arguments_are_checked() -> None:
    with pytest.raises(ArgumentTypeError):
        SigV4WsgiMiddleware(_App(), "verifier")  # type: ignore[arg-type]
    with pytest.raises(ArgumentTypeError):
        SigV4WsgiMiddleware(_App(), _verifier(), max_upload=0)
    with pytest.raises(ArgumentTypeError):
        SigV4AsgiMiddleware(_App(), _verifier(), max_post_fields=True)  # type: ignore[arg-type]


# --- ASGI -----------------------------------------------------------------------


def _asgi(
    body: bytes, *, chunk: int = 1000, length: bool = True, disconnect: bool = False
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    seen: dict[str, Any] = {}

    async def app(scope: Any, receive: Any, send: Any) -> None:
        seen["scope"] = scope
        data = b""
        while True:
            message = await receive()
            data += message["body"]
            if not message["more_body"]:
                break
        seen["body"] = data
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    headers = [
        (b"host", b"127.0.0.1:9000"),
        (b"content-type", f"multipart/form-data; boundary={BOUNDARY}".encode()),
    ]
    if length:
        headers.append((b"content-length", str(len(body)).encode()))
    scope = {
        "type": "http",
        "method": "POST",
        "scheme": "http",
        "path": "/bkt",
        "raw_path": b"/bkt",
        "query_string": b"",
        "headers": headers,
    }
    pieces = [body[i : i + chunk] for i in range(0, len(body), chunk)] or [b""]
    messages: list[dict[str, Any]] = [
        {"type": "http.request", "body": p, "more_body": i < len(pieces) - 1}
        for i, p in enumerate(pieces)
    ]
    if disconnect:
        messages = messages[:1]
        messages[0]["more_body"] = True
        messages.append({"type": "http.disconnect"})
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return messages.pop(0)

    async def send(message: MutableMapping[str, Any]) -> None:
        sent.append(dict(message))

    middleware = SigV4AsgiMiddleware(app, _verifier(), clock=lambda: WHEN)
    asyncio.run(middleware(scope, receive, send))
    return sent, seen


def test_asgi_verified_upload_streams_the_spooled_body_to_the_app() -> None:
    content = b"y" * (200 * 1024)
    body = _body(_fields(), content)
    sent, seen = _asgi(body)
    assert sent[0]["status"] == 204
    assert seen["body"] == body
    assert seen["scope"][POST_FORM_KEY].file_size == len(content)
    assert seen["scope"][IDENTITY_KEY].payload_mode == "post"


def test_asgi_client_that_disconnects_mid_upload_is_refused() -> None:
    sent, seen = _asgi(_body(_fields(), b"z" * 5000), disconnect=True)
    assert sent[0]["status"] == 400
    assert b"MalformedPOSTRequest" in sent[1]["body"]
    assert seen == {}


def test_asgi_refused_upload_never_reaches_the_app() -> None:
    sent, seen = _asgi(_body(_fields(acl="public-read"), b"x"), length=False)
    assert sent[0]["status"] == 403
    assert b"Policy Condition failed" in sent[1]["body"]
    assert seen == {}


def test_asgi_app_failure_still_closes_the_spool() -> None:
    async def failing(scope: Any, receive: Any, send: Any) -> None:
        raise RuntimeError("app bug")

    body = _body(_fields(), b"x")
    scope = {
        "type": "http",
        "method": "POST",
        "headers": [
            (b"content-type", f"multipart/form-data; boundary={BOUNDARY}".encode())
        ],
        "query_string": b"",
        "path": "/bkt",
    }

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: MutableMapping[str, Any]) -> None:
        raise AssertionError("nothing is sent")

    middleware = SigV4AsgiMiddleware(failing, _verifier(), clock=lambda: WHEN)
    with pytest.raises(RuntimeError, match="app bug"):
        asyncio.run(middleware(scope, receive, send))


def test_wsgi_chunked_upload_past_max_upload_is_refused_as_it_arrives() -> None:
    environ = _environ(_body(_fields(), b"x" * 3000))
    del environ["CONTENT_LENGTH"]
    environ["wsgi.input_terminated"] = True
    status, answer, app = _wsgi(environ, max_upload=1000)
    assert b"<Code>EntityTooLarge</Code>" in answer
    assert status.startswith("413")
    assert app.environ is None


def test_wsgi_input_that_fails_to_read_propagates_after_closing_the_spool() -> None:
    class Broken(io.BytesIO):
        def read(self, size: int | None = -1) -> bytes:
            raise OSError("connection reset")

    environ = _environ(_body(_fields(), b"x"))
    environ["wsgi.input"] = Broken()
    with pytest.raises(OSError, match="connection reset"):
        _wsgi(environ)


def _asgi_raw(
    headers: list[tuple[bytes, bytes]], receive: Any
) -> list[MutableMapping[str, Any]]:
    sent: list[MutableMapping[str, Any]] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        raise AssertionError("the app is never called")

    async def send(message: MutableMapping[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "method": "POST",
        "headers": [
            (b"content-type", f"multipart/form-data; boundary={BOUNDARY}".encode()),
            *headers,
        ],
        "query_string": b"",
        "path": "/bkt",
    }
    middleware = SigV4AsgiMiddleware(app, _verifier(), clock=lambda: WHEN)
    asyncio.run(middleware(scope, receive, send))
    return sent


def test_asgi_declared_too_large_or_unreadable_lengths_are_refused() -> None:
    async def never() -> dict[str, Any]:
        raise AssertionError("nothing is read")

    sent = _asgi_raw([(b"content-length", str(10**12).encode())], never)
    assert sent[0]["status"] == 413
    sent = _asgi_raw([(b"content-length", b"many")], never)
    assert sent[0]["status"] == 400
    assert b"InvalidRequest" in sent[1]["body"]


def test_asgi_receive_that_fails_propagates_after_closing_the_spool() -> None:
    async def broken() -> dict[str, Any]:
        raise OSError("connection reset")

    with pytest.raises(OSError, match="connection reset"):
        _asgi_raw([], broken)
