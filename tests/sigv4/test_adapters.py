"""The requests and httpx adapters, checked end to end by a botocore-backed server.

Each request goes over a real socket to a loopback HTTP server. The server sees
only what arrived on the wire (method, path and query, headers in order, body,
chunked bodies decoded) and recomputes the signature independently with
botocore's ``SigV4Auth``/``S3SigV4Auth``: the headers named in the received
``SignedHeaders``, the time from the received ``X-Amz-Date``, the secret from
its own key store. It answers ``{"ok": ..., "expected": ..., "got": ...}``.

botocore details the server handles:

* ``SigV4Auth.canonical_request`` takes a present ``X-Amz-Content-SHA256`` header
  on trust, so the server first checks that a hash in that header is the hash
  of the body it received (S3's ``XAmzContentSHA256Mismatch``).
* ``S3SigV4Auth`` always hashes the body over plain http; for a request that
  says ``UNSIGNED-PAYLOAD`` the server turns payload signing off through the
  client config (``s3={"payload_signing_enabled": False}``) and the request
  context, the switches botocore's own clients use.
* botocore reads the clock through ``botocore.auth.get_current_datetime``,
  patched (under a lock: handlers run in threads) to the received time.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import json
import re
import subprocess
import sys
import threading
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import ModuleType, SimpleNamespace
from typing import Any, ClassVar, cast
from unittest import mock

import pytest

import awscore.sigv4
from awscore.errors import InvalidHeaderError
from awscore.sigv4 import UNSIGNED_PAYLOAD, Credentials, HttpRequest, sign
from tests.conftest import require_peer

AKID = "AKIDEXAMPLE"
SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
CREDS = Credentials(AKID, SECRET)
REGION = "us-east-1"
#: An access key id the server knows under a different secret than the client's.
WRONG_AKID = "AKIDWRONGSECRET"
TOKEN = "IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQ+token/with=+chars"

_AUTHORIZATION = re.compile(
    r"AWS4-HMAC-SHA256 Credential=(?P<akid>[^/]+)/(?P<date>\d{8})/(?P<region>[^/]+)"
    r"/(?P<service>[^/]+)/aws4_request, SignedHeaders=(?P<signed>[a-z0-9;\-]+), "
    r"Signature=(?P<signature>[0-9a-f]{64})"
)
_PATCH_LOCK = threading.Lock()


# --- the verifying server -------------------------------------------------------


class _Server(ThreadingHTTPServer):
    secrets: ClassVar[dict[str, str]] = {
        AKID: SECRET,
        WRONG_AKID: "not-the-secret-the-client-signed-with",
    }
    botocore: SimpleNamespace


def _header(headers: list[tuple[str, str]], name: str) -> str | None:
    values = [v for n, v in headers if n.lower() == name]
    return ",".join(values) if values else None


def _recompute(
    server: _Server,
    method: str,
    target: str,
    headers: list[tuple[str, str]],
    body: bytes,
) -> dict[str, Any]:
    """botocore's Authorization for the request as received, and the verdict."""
    got = _header(headers, "authorization") or ""
    match = _AUTHORIZATION.fullmatch(got)
    if match is None:
        return {"ok": False, "got": got, "reason": "malformed Authorization"}
    signed = match["signed"].split(";")
    kept = [(n, v) for n, v in headers if n.lower() in signed]
    content_sha256 = _header(headers, "x-amz-content-sha256")
    unsigned = content_sha256 == UNSIGNED_PAYLOAD
    if not unsigned and content_sha256 not in {None, hashlib.sha256(body).hexdigest()}:
        return {"ok": False, "got": got, "reason": "x-amz-content-sha256 mismatch"}
    amz_date = _header(headers, "x-amz-date") or ""
    token = (
        _header(headers, "x-amz-security-token")
        if "x-amz-security-token" in signed
        else None
    )

    boto = server.botocore
    request = boto.AWSRequest(
        method=method,
        url=f"http://127.0.0.1:{server.server_port}{target}",
        data=body,
    )
    for name, value in kept:
        request.headers[name] = value  # appends: repeated names keep every value
    if unsigned:
        request.context["payload_signing_enabled"] = False
        request.context["client_config"] = boto.Config(
            s3={"payload_signing_enabled": False}
        )
    service = match["service"]
    signer_class = boto.S3SigV4Auth if service == "s3" else boto.SigV4Auth
    secret = server.secrets[match["akid"]]
    signer = signer_class(
        boto.Credentials(match["akid"], secret, token), service, match["region"]
    )
    when = datetime.strptime(amz_date, "%Y%m%dT%H%M%SZ")  # naive UTC, as botocore wants
    with (
        _PATCH_LOCK,
        mock.patch.object(boto.auth, "get_current_datetime", return_value=when),
    ):
        signer.add_auth(request)
    expected = request.headers["Authorization"]
    return {"ok": expected == got, "expected": expected, "got": got}


class _Verifier(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        self._verify()

    def do_PUT(self) -> None:
        self._verify()

    def do_POST(self) -> None:
        self._verify()

    def do_DELETE(self) -> None:
        self._verify()

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _read_body(self) -> bytes:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            chunks = []
            while size := int(self.rfile.readline().split(b";")[0], 16):
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            while self.rfile.readline() not in {b"\r\n", b"\n", b""}:
                pass  # trailers
            return b"".join(chunks)
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def _verify(self) -> None:
        body = self._read_body()
        headers = [(n, v) for n, v in self.headers.items()]
        try:
            verdict = _recompute(
                cast(_Server, self.server), self.command, self.path, headers, body
            )
        except Exception as exc:  # any failure is a verdict, not a 500
            verdict = {"ok": False, "reason": f"{type(exc).__name__}: {exc}"}
        verdict["received"] = {
            "method": self.command,
            "target": self.path,
            "headers": headers,
            "body_sha256": hashlib.sha256(body).hexdigest(),
            "body_length": len(body),
        }
        answer = json.dumps(verdict).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(answer)
        self.close_connection = True


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    """The base URL of a loopback server that verifies signatures with botocore."""
    auth = require_peer("botocore.auth")
    botocore = SimpleNamespace(
        auth=auth,
        SigV4Auth=auth.SigV4Auth,
        S3SigV4Auth=auth.S3SigV4Auth,
        AWSRequest=require_peer("botocore.awsrequest").AWSRequest,
        Credentials=require_peer("botocore.credentials").Credentials,
        Config=require_peer("botocore.config").Config,
    )
    httpd = _Server(("127.0.0.1", 0), _Verifier)
    httpd.botocore = botocore
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_port}"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join()


def _header_of(verdict: dict[str, Any], name: str) -> str | None:
    headers = [(n, v) for n, v in verdict["received"]["headers"]]
    return _header(headers, name.lower())


def _signed_headers(verdict: dict[str, Any]) -> list[str]:
    match = _AUTHORIZATION.fullmatch(_header_of(verdict, "Authorization") or "")
    assert match is not None, verdict
    return match["signed"].split(";")


def _body_sha256(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


# --- requests -------------------------------------------------------------------


def _requests() -> ModuleType:
    return require_peer("requests")


def _requests_auth(
    credentials: Credentials = CREDS, *, service: str, **options: Any
) -> Any:
    _requests()
    return awscore.sigv4.RequestsAuth(
        credentials, region=REGION, service=service, **options
    )


def _session() -> Any:
    session = _requests().Session()
    session.trust_env = False  # no proxy from the environment for 127.0.0.1
    return session


def test_requests_get_with_query(server: str) -> None:
    with _session() as s:
        response = s.get(
            f"{server}/things/a%20b",
            params={"b": "2", "a": "x/y:z", "k": ["2", "1"], "empty": ""},
            auth=_requests_auth(service="execute-api"),
        )
    verdict = response.json()
    assert verdict["ok"], verdict
    assert (
        verdict["received"]["target"] == "/things/a%20b?b=2&a=x%2Fy%3Az&k=2&k=1&empty="
    )
    assert {"host", "x-amz-date", "accept", "accept-encoding"} <= set(
        _signed_headers(verdict)
    )
    assert "user-agent" not in _signed_headers(verdict)


@pytest.mark.parametrize("service", ["s3", "dynamodb"])
def test_requests_put_bytes(server: str, service: str) -> None:
    body = b"hello\x00world\xff" * 100
    with _session() as s:
        response = s.put(
            f"{server}/bucket/some/key.bin",
            data=body,
            headers={"Content-Type": "application/octet-stream", "X-Tag": "a   b "},
            auth=_requests_auth(service=service),
        )
    verdict = response.json()
    assert verdict["ok"], verdict
    assert verdict["received"]["body_sha256"] == _body_sha256(body)
    assert {"content-length", "content-type", "x-tag"} <= set(_signed_headers(verdict))
    sent_hash = _header_of(verdict, "x-amz-content-sha256")
    assert sent_hash == (_body_sha256(body) if service == "s3" else None)


def test_requests_str_body_is_sent_as_the_utf8_it_was_signed_as(server: str) -> None:
    with _session() as s:
        response = s.post(
            f"{server}/",
            data="h\u00e9llo \u2603",
            auth=_requests_auth(service="execute-api"),
        )
    verdict = response.json()
    assert verdict["ok"], verdict
    assert verdict["received"]["body_sha256"] == _body_sha256(
        "h\u00e9llo \u2603".encode()
    )


@pytest.mark.parametrize("service", ["s3", "execute-api"])
def test_requests_post_generator_is_unsigned_and_not_consumed(
    server: str, service: str
) -> None:
    chunks = [b"first chunk;", b"", b"second\r\n", b"x" * 70000]

    def generate() -> Iterator[bytes]:
        yield from chunks

    with _session() as s:
        response = s.post(
            f"{server}/upload", data=generate(), auth=_requests_auth(service=service)
        )
    verdict = response.json()
    assert verdict["ok"], verdict
    assert verdict["received"]["body_sha256"] == _body_sha256(b"".join(chunks))
    assert _header_of(verdict, "Transfer-Encoding") == "chunked"
    # For a service other than S3 the adapter still says the payload is unsigned.
    assert _header_of(verdict, "x-amz-content-sha256") == UNSIGNED_PAYLOAD


def test_requests_file_body_is_unsigned_and_not_consumed(server: str) -> None:
    body = b"file contents " * 1000
    with _session() as s:
        response = s.put(
            f"{server}/bucket/file",
            data=io.BytesIO(body),
            auth=_requests_auth(service="s3"),
        )
    verdict = response.json()
    assert verdict["ok"], verdict
    assert verdict["received"]["body_sha256"] == _body_sha256(body)
    assert _header_of(verdict, "Content-Length") == str(len(body))
    assert _header_of(verdict, "x-amz-content-sha256") == UNSIGNED_PAYLOAD


def test_requests_session_token(server: str) -> None:
    creds = Credentials(AKID, SECRET, TOKEN)
    with _session() as s:
        response = s.get(f"{server}/", auth=_requests_auth(creds, service="sts"))
    verdict = response.json()
    assert verdict["ok"], verdict
    assert _header_of(verdict, "X-Amz-Security-Token") == TOKEN
    assert "x-amz-security-token" in _signed_headers(verdict)


def test_requests_resigning_replaces_the_old_signature(server: str) -> None:
    """A retried request is signed again, not signed over its old Authorization."""
    requests = _requests()
    auth = _requests_auth(service="execute-api")
    with _session() as s:
        prepared = s.prepare_request(requests.Request("GET", f"{server}/", auth=auth))
        auth(prepared)
        response = s.send(prepared)
    verdict = response.json()
    assert verdict["ok"], verdict
    assert "authorization" not in _signed_headers(verdict)


# --- httpx ----------------------------------------------------------------------


def _httpx() -> ModuleType:
    return require_peer("httpx")


def _httpx_auth(
    credentials: Credentials = CREDS, *, service: str, **options: Any
) -> Any:
    _httpx()
    return awscore.sigv4.HttpxAuth(
        credentials, region=REGION, service=service, **options
    )


def test_httpx_sync_get(server: str) -> None:
    httpx = _httpx()
    with httpx.Client(auth=_httpx_auth(service="execute-api"), trust_env=False) as c:
        response = c.get(f"{server}/items/", params={"z": "1", "a": "\u00e9"})
    verdict = response.json()
    assert verdict["ok"], verdict
    assert verdict["received"]["target"] == "/items/?z=1&a=%C3%A9"


@pytest.mark.parametrize("service", ["s3", "lambda"])
def test_httpx_sync_post(server: str, service: str) -> None:
    httpx = _httpx()
    with httpx.Client(auth=_httpx_auth(service=service), trust_env=False) as c:
        response = c.post(
            f"{server}/2015-03-31/functions/f/invocations",
            json={"key": "value"},
            headers=[("X-Repeated", "one"), ("X-Repeated", "two")],
        )
    verdict = response.json()
    assert verdict["ok"], verdict
    assert verdict["received"]["body_sha256"] == _body_sha256(b'{"key":"value"}')
    assert "x-repeated" in _signed_headers(verdict)


def test_httpx_sync_generator_upload(server: str) -> None:
    httpx = _httpx()
    chunks = [b"a" * 10, b"b" * 20000]
    with httpx.Client(auth=_httpx_auth(service="s3"), trust_env=False) as c:
        response = c.put(f"{server}/bucket/key", content=iter(chunks))
    verdict = response.json()
    assert verdict["ok"], verdict
    assert verdict["received"]["body_sha256"] == _body_sha256(b"".join(chunks))
    assert _header_of(verdict, "x-amz-content-sha256") == UNSIGNED_PAYLOAD


def test_httpx_async_get_and_streaming_upload(server: str) -> None:
    httpx = _httpx()
    chunks = [b"async ", b"streamed ", b"body" * 5000]

    async def generate() -> AsyncIterator[bytes]:
        for chunk in chunks:
            await asyncio.sleep(0)
            yield chunk

    async def run() -> tuple[dict[str, Any], dict[str, Any]]:
        async with httpx.AsyncClient(
            auth=_httpx_auth(service="execute-api"), trust_env=False
        ) as c:
            got = await c.get(f"{server}/async", params={"q": "1"})
            put = await c.put(f"{server}/async/upload", content=generate())
        return got.json(), put.json()

    get_verdict, put_verdict = asyncio.run(run())
    assert get_verdict["ok"], get_verdict
    assert put_verdict["ok"], put_verdict
    assert put_verdict["received"]["body_sha256"] == _body_sha256(b"".join(chunks))
    assert _header_of(put_verdict, "Transfer-Encoding") == "chunked"
    assert _header_of(put_verdict, "x-amz-content-sha256") == UNSIGNED_PAYLOAD


def test_httpx_session_token(server: str) -> None:
    httpx = _httpx()
    auth = _httpx_auth(Credentials(AKID, SECRET, TOKEN), service="s3")
    with httpx.Client(auth=auth, trust_env=False) as c:
        response = c.delete(f"{server}/bucket/key")
    verdict = response.json()
    assert verdict["ok"], verdict
    assert _header_of(verdict, "X-Amz-Security-Token") == TOKEN


# --- the check can fail ---------------------------------------------------------


def test_server_with_a_different_secret_rejects(server: str) -> None:
    """The server's recomputation is real: under another secret it disagrees."""
    wrong = Credentials(WRONG_AKID, SECRET)
    with _session() as s:
        response = s.get(f"{server}/", auth=_requests_auth(wrong, service="iam"))
    verdict = response.json()
    assert not verdict["ok"], verdict
    assert verdict["expected"] != verdict["got"]


def test_server_rejects_a_body_changed_after_signing(server: str) -> None:
    requests = _requests()
    auth = _requests_auth(service="execute-api")
    with _session() as s:
        prepared = s.prepare_request(
            requests.Request("PUT", f"{server}/pay", data=b"amount=100", auth=auth)
        )
        prepared.body = b"amount=999"
        response = s.send(prepared)
    verdict = response.json()
    assert not verdict["ok"], verdict


# --- units: what the adapters hand the signer -----------------------------------

FIXED = datetime(2015, 8, 30, 12, 36, tzinfo=UTC)


def test_requests_adapter_signs_exactly_the_prepared_request() -> None:
    requests = _requests()
    raw = requests.Request(
        "POST", "https://example.amazonaws.com/p?x=1", data=b"{}"
    ).prepare()
    expected = sign(
        HttpRequest(raw.method, raw.url, list(raw.headers.items()), raw.body),
        CREDS,
        region=REGION,
        service="service",
        when=FIXED,
    )
    auth = _requests_auth(service="service", clock=lambda: FIXED)
    signed = auth(raw.copy())
    assert signed.headers["X-Amz-Date"] == "20150830T123600Z"
    assert signed.headers["Authorization"] == expected.get("Authorization")


def test_httpx_adapter_signs_exactly_the_request() -> None:
    httpx = _httpx()
    request = httpx.Request(
        "POST", "https://example.amazonaws.com/p?x=1", content=b"{}"
    )
    expected = sign(
        HttpRequest(
            request.method,
            str(request.url),
            [(k.decode(), v.decode()) for k, v in request.headers.raw],
            request.content,
        ),
        CREDS,
        region=REGION,
        service="service",
        when=FIXED,
    )
    auth = _httpx_auth(service="service", clock=lambda: FIXED)
    signed = next(auth.auth_flow(request))
    assert signed.headers["X-Amz-Date"] == "20150830T123600Z"
    assert signed.headers["Authorization"] == expected.get("Authorization")
    assert list(signed.headers.keys())[-2:] == ["x-amz-date", "authorization"]


def test_explicit_content_sha256_header_false_is_honoured() -> None:
    httpx = _httpx()
    request = httpx.Request("PUT", "https://h/", content=iter([b"x"]))
    auth = _httpx_auth(service="s3", content_sha256_header=False)
    signed = next(auth.auth_flow(request))
    assert "x-amz-content-sha256" not in signed.headers


def test_repr_hides_secrets() -> None:
    creds = Credentials(AKID, SECRET, TOKEN)
    for auth in (
        _requests_auth(creds, service="s3"),
        _httpx_auth(creds, service="s3"),
    ):
        text = repr(auth)
        assert AKID in text
        assert SECRET not in text
        assert TOKEN not in text


def test_adapters_are_exported_lazily() -> None:
    _requests()
    _httpx()
    from awscore.sigv4._httpx import HttpxAuth
    from awscore.sigv4._requests import RequestsAuth

    assert awscore.sigv4.RequestsAuth is RequestsAuth
    assert awscore.sigv4.HttpxAuth is HttpxAuth


def test_importing_sigv4_does_not_import_requests_or_httpx() -> None:
    """`import awscore.sigv4` works without the optional adapter libraries."""
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, awscore.sigv4; "
            "loaded = {'requests', 'httpx'} & set(sys.modules); "
            "assert not loaded, loaded",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_requests_non_utf8_header_value_is_refused() -> None:
    requests = _requests()
    prepared = requests.Request(
        "GET", "https://h/", headers={"X-Bin": b"\xff\xfe"}
    ).prepare()
    with pytest.raises(InvalidHeaderError, match="X-Bin"):
        _requests_auth(service="s3")(prepared)


def test_httpx_non_utf8_header_value_is_refused() -> None:
    httpx = _httpx()
    request = httpx.Request("GET", "https://h/", headers={"X-Bin": b"\xff\xfe"})
    with pytest.raises(InvalidHeaderError, match="is not UTF-8"):
        next(_httpx_auth(service="s3").auth_flow(request))


@pytest.mark.parametrize("kind", [bytearray, memoryview])
def test_requests_buffer_body_is_hashed_like_bytes(kind: type) -> None:
    requests = _requests()
    prepared = requests.Request("PUT", "https://h/k").prepare()
    prepared.body = kind(b"payload")
    signed = _requests_auth(service="s3", clock=lambda: FIXED)(prepared)
    assert (
        signed.headers["x-amz-content-sha256"] == hashlib.sha256(b"payload").hexdigest()
    )


def test_requests_str_body_without_content_length_gets_none_added() -> None:
    # A str body whose Content-Length a hook removed (say, to send it chunked):
    # the auth sends the UTF-8 bytes it hashed and does not invent a length.
    requests = _requests()
    prepared = requests.Request("PUT", "https://h/k", data="é").prepare()
    del prepared.headers["Content-Length"]
    signed = _requests_auth(service="s3", clock=lambda: FIXED)(prepared)
    assert signed.body == b"\xc3\xa9"
    assert "Content-Length" not in signed.headers
    assert (
        signed.headers["x-amz-content-sha256"]
        == hashlib.sha256(b"\xc3\xa9").hexdigest()
    )


def test_signing_keeps_every_header_it_is_given() -> None:
    """The adapters only add or overwrite headers, never delete one: the signer
    keeps every header of the request, an old Authorization replaced in place."""
    given = [
        ("Authorization", "AWS4-HMAC-SHA256 stale"),
        ("X-Amz-Date", "19700101T000000Z"),
        ("x-amz-date", "repeat"),
        ("Proxy-Authorization", "Basic x"),
        ("Connection", "keep-alive"),
        ("X-Amz-Security-Token", "old-token"),
    ]
    signed = sign(
        HttpRequest("GET", "https://h/", given),
        Credentials(AKID, SECRET, TOKEN),
        region=REGION,
        service="s3",
        when=FIXED,
        omit_session_token=True,
    )
    assert {n.lower() for n, _ in given} <= {n.lower() for n, _ in signed.headers}
    assert str(signed.get("Authorization")).startswith(
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/"
    )
