"""Loopback fakes of the credential endpoints: STS, IMDSv2 and container credentials.

One ``ThreadingHTTPServer`` on 127.0.0.1 serves them all, by path:

* ``/sts/``: ``AssumeRole`` (its SigV4 signature is *verified* with awscore's own
  :class:`~awscore.sigv4.Verifier`, whoever signed it) and
  ``AssumeRoleWithWebIdentity``. The credentials it hands out are derived from the
  role ARN and the caller (access key or token) only, so two clients that assume
  the same role from the same source get the same keys whatever session name
  they choose.
* ``/latest/...``: IMDSv2 (token PUT, role name, role credentials).
* ``/container/...``: container credentials (checks ``Authorization`` if set).

``behaviour`` lets a test script failures per path: a list of actions consumed
one per request (``"ok"``, an HTTP status as int, ``"slow"``, ``"badjson"``,
``"empty"``, ``"nofields"``).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import threading
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from awscore.errors import SigV4VerificationError
from awscore.sigv4 import Credentials, HttpRequest, Verifier, claimed_scope

SLOW_SECONDS = 3.0


def derived_keys(*parts: str) -> tuple[str, str, str]:
    """The access key, secret and token the fakes issue for ``parts``."""
    digest = hashlib.sha256("\0".join(parts).encode()).hexdigest().upper()
    return "ASIA" + digest[:16], digest[16:56], "tok" + digest[56:]


@dataclass
class FakeState:
    """What the fakes know and what they saw."""

    known: dict[str, Credentials] = field(default_factory=dict)
    behaviour: dict[str, list[object]] = field(default_factory=dict)
    verified: list[str] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)
    requests: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)
    container_token: str | None = None
    imds_role: str = "fake-role"
    sso_tokens: set[str] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def next_action(self, key: str) -> object:
        with self.lock:
            plan = self.behaviour.get(key)
            if plan:
                return plan.pop(0)
        return "ok"

    def issue(self, *parts: str) -> Credentials:
        akid, secret, token = derived_keys(*parts)
        creds = Credentials(akid, secret, token)
        with self.lock:
            self.known[akid] = creds
        return creds


def _expiration() -> str:
    return (datetime.now(UTC) + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")


def _sts_xml(action: str, creds: Credentials) -> bytes:
    ns = "https://sts.amazonaws.com/doc/2011-06-15/"
    return (
        f'<{action}Response xmlns="{ns}"><{action}Result><Credentials>'
        f"<AccessKeyId>{creds.access_key_id}</AccessKeyId>"
        f"<SecretAccessKey>{creds.secret_access_key}</SecretAccessKey>"
        f"<SessionToken>{creds.session_token}</SessionToken>"
        f"<Expiration>{_expiration()}</Expiration>"
        f"</Credentials></{action}Result>"
        f"<ResponseMetadata><RequestId>r</RequestId></ResponseMetadata>"
        f"</{action}Response>"
    ).encode()


def _sts_error(code: str) -> bytes:
    return (
        '<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">'
        f"<Error><Type>Sender</Type><Code>{code}</Code><Message>m</Message>"
        "</Error><RequestId>r</RequestId></ErrorResponse>"
    ).encode()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: object) -> None:
        pass  # keep test output quiet

    def _reply(self, status: int, body: bytes, ctype: str = "application/json") -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)
        self.close_connection = True

    def _body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _act(self, key: str) -> object:
        action = self.server.state.next_action(key)
        if action == "slow":
            time.sleep(SLOW_SECONDS)
            return "ok"
        return action

    def do_PUT(self) -> None:
        self._record()
        self._body()
        if self.path.endswith("/latest/api/token"):
            action = self._act("token")
            if isinstance(action, int):
                self._reply(action, b"")
            else:
                self._reply(200, b"fake-imds-token", "text/plain")
            return
        self._reply(404, b"")

    def do_GET(self) -> None:
        self._record()
        state = self.server.state
        path = urllib.parse.urlsplit(self.path).path
        if "/latest/meta-data/iam/security-credentials/" in path:
            role = path.rsplit("/security-credentials/", 1)[1]
            key = "imds-creds" if role else "imds-role"
            action = self._act(key)
            if isinstance(action, int):
                self._reply(action, b"")
            elif action == "empty":
                self._reply(200, b"")
            elif not role:
                self._reply(200, state.imds_role.encode(), "text/plain")
            else:
                self._credentials_json(action, "imds", role)
            return
        if path.startswith("/federation/credentials"):
            self._sso(urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query))
            return
        if path.startswith("/container/"):
            action = self._act("container")
            expected = state.container_token
            if expected is not None and self.headers.get("Authorization") != expected:
                self._reply(401, b'{"message": "bad token"}')
                return
            if isinstance(action, int):
                self._reply(action, b"{}")
            else:
                self._credentials_json(action, "container", path)
            return
        self._reply(404, b"")

    def _sso(self, query: dict[str, list[str]]) -> None:
        state = self.server.state
        token = self.headers.get("x-amz-sso_bearer_token", "")
        if token not in state.sso_tokens:
            self.send_response(401)
            body = b'{"message": "Session token not found or invalid"}'
            self.send_header("x-amzn-ErrorType", "UnauthorizedException")
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(body)
            self.close_connection = True
            return
        creds = state.issue("sso", query["account_id"][0], query["role_name"][0], token)
        expiration = int((datetime.now(UTC) + timedelta(hours=1)).timestamp() * 1000)
        document = {
            "roleCredentials": {
                "accessKeyId": creds.access_key_id,
                "secretAccessKey": creds.secret_access_key,
                "sessionToken": creds.session_token,
                "expiration": expiration,
            }
        }
        self._reply(200, json.dumps(document).encode())

    def _credentials_json(self, action: object, *parts: str) -> None:
        creds = self.server.state.issue(*parts)
        if action == "badjson":
            self._reply(200, b'{"AccessKeyId": "ASIA')
            return
        document: dict[str, str] = {
            "Code": "Success",
            "AccessKeyId": creds.access_key_id,
            "SecretAccessKey": creds.secret_access_key,
            "Token": creds.session_token or "",
            "Expiration": _expiration(),
        }
        if action == "nofields":
            del document["Token"]
        self._reply(200, json.dumps(document).encode())

    def do_POST(self) -> None:
        self._record()
        body = self._body()
        state = self.server.state
        form = dict(urllib.parse.parse_qsl(body.decode()))
        action = form.get("Action")
        behaviour = self._act("sts")
        if isinstance(behaviour, int):
            self._reply(behaviour, _sts_error("Throttling"), "text/xml")
            return
        if action == "AssumeRoleWithWebIdentity":
            creds = state.issue("web", form["RoleArn"], form["WebIdentityToken"])
            self._reply(200, _sts_xml(action, creds), "text/xml")
            return
        if action != "AssumeRole":
            self._reply(400, _sts_error("InvalidAction"), "text/xml")
            return
        port = self.server.server_address[1]
        request = HttpRequest(
            "POST",
            f"http://127.0.0.1:{port}{self.path}",
            list(self.headers.items()),
            body,
        )
        scope = claimed_scope(request)
        if scope is None:
            state.rejected.append("no scope")
            self._reply(403, _sts_error("MissingAuthenticationToken"), "text/xml")
            return
        with state.lock:
            known = dict(state.known)
        verifier = Verifier(known.get, regions={scope.region}, services={"sts"})
        try:
            verified = verifier.verify(request, now=datetime.now(UTC))
        except SigV4VerificationError as error:
            state.rejected.append(f"{scope.access_key_id}: {type(error).__name__}")
            self._reply(403, _sts_error(error.code), "text/xml")
            return
        state.verified.append(verified.access_key_id)
        creds = state.issue("role", form["RoleArn"], verified.access_key_id)
        self._reply(200, _sts_xml(action, creds), "text/xml")

    def _record(self) -> None:
        with self.server.state.lock:
            self.server.state.requests.append(
                (
                    self.command,
                    self.path,
                    {k.lower(): v for k, v in self.headers.items()},
                )
            )


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    state: FakeState

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # a client that timed out closed its socket: expected, not news


@contextlib.contextmanager
def serve_fakes(state: FakeState) -> Iterator[str]:
    """Run the fakes; yield their base URL ``http://127.0.0.1:PORT``."""
    server = _Server(("127.0.0.1", 0), _Handler)
    server.state = state
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
