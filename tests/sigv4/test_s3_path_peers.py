"""Which S3 canonical path each real client signs: the facts behind the sigv4
page's "where peers differ" table.

Each client uploads an object whose key holds every RFC 3986 sub-delim, ``:``,
``@``, ``~`` and a space to a loopback capture server; the first PUT is taken as
it came on the wire. S3's documented rule (and awscore's signer) encode every byte
but the unreserved set and ``/``, so ``$`` signs as ``%24``:

* curl's ``--aws-sigv4`` (its own C signer) sends the sub-delims raw and signs
  them raw: its signature differs from awscore's, and the verifier accepts it
  through its second reading (the path exactly as received);
* rclone (the Go SDK's signer) and s3cmd (its own signer) percent-encode the
  sub-delims on the wire, so the path as received *is* the documented encoding,
  and their signature equals awscore's for the same request.

(botocore and awscrt are pinned in their own peer tests: both sign a path as
given, raw sub-delims raw.)
"""

from __future__ import annotations

import hashlib
import http.server
import os
import subprocess
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from awscore.sigv4 import Credentials, HttpRequest, Verifier, sign_details
from tests.conftest import require_tool

CREDS = Credentials("AKIDPEEREXAMPLE", "peer/secret+key")
KEY = "a$b!c'd(e)f*g+h,i;j=k:l@m~n o"
SUB_DELIMS = "$!'()*+,;=:@"


class _Capture(http.server.BaseHTTPRequestHandler):
    """Records each request; answers just enough S3 for a client to upload."""

    protocol_version = "HTTP/1.1"
    seen: list[dict[str, Any]]

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        self.seen.append(
            {
                "method": self.command,
                "path": self.path,
                "headers": list(self.headers.items()),
                "body": body,
            }
        )
        if self.command == "HEAD":
            self.send_response(404)  # the object does not exist yet
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("ETag", f'"{hashlib.md5(body).hexdigest()}"')  # noqa: S324 - S3's ETag
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_GET = do_PUT = do_HEAD = do_POST = _answer  # noqa: N815 - http.server's names

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def capture() -> Iterator[tuple[int, list[dict[str, Any]]]]:
    seen: list[dict[str, Any]] = []
    handler = type("Handler", (_Capture,), {"seen": seen})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1], seen
    finally:
        server.shutdown()
        server.server_close()


def _first_put(seen: list[dict[str, Any]], port: int) -> HttpRequest:
    put = next(r for r in seen if r["method"] == "PUT")
    return HttpRequest(
        "PUT", f"http://127.0.0.1:{port}{put['path']}", put["headers"], put["body"]
    )


def _signed_at(request: HttpRequest) -> datetime:
    amz_date = request.get("x-amz-date")
    assert amz_date is not None
    return datetime.strptime(amz_date, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)


def _check(request: HttpRequest) -> tuple[bool, str]:
    """(awscore signs it identically, the path on the wire), once verified."""
    when = _signed_at(request)
    verifier = Verifier(
        lambda akid: CREDS if akid == CREDS.access_key_id else None,
        regions={"us-east-1"},
        services={"s3"},
    )
    assert verifier.verify(request, now=when).access_key_id == CREDS.access_key_id
    theirs = request.get("Authorization") or ""
    signed = theirs.partition("SignedHeaders=")[2].partition(",")[0].split(";")
    unsigned = HttpRequest(
        request.method,
        request.url,
        [(n, v) for n, v in request.headers if n.lower() in signed],
        request.body,
    )
    payload = request.get("x-amz-content-sha256")
    ours = sign_details(
        unsigned,
        CREDS,
        region="us-east-1",
        service="s3",
        when=when,
        payload=payload,
        content_sha256_header=False,
    )
    return theirs.endswith(f"Signature={ours.signature}"), request.url.split("/", 3)[3]


def _env(home: Path) -> dict[str, str]:
    # the client must read only the configuration written here
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env["HOME"] = str(home)
    return env


def test_curl_signs_raw_sub_delims_and_the_verifier_accepts_them(
    capture: tuple[int, list[dict[str, Any]]], tmp_path: Path
) -> None:
    curl = require_tool("curl")
    port, seen = capture
    upload = tmp_path / "f"
    upload.write_bytes(b"from curl")
    raw_key = KEY.replace(" ", "%20")  # curl sends the URL as written
    subprocess.run(  # noqa: S603 - curl from PATH, fixed arguments
        [
            curl,
            "-sS",
            "--aws-sigv4",
            "aws:amz:us-east-1:s3",
            "--user",
            f"{CREDS.access_key_id}:{CREDS.secret_access_key}",
            "-H",
            "x-amz-content-sha256: " + hashlib.sha256(b"from curl").hexdigest(),
            "-T",
            str(upload),
            f"http://127.0.0.1:{port}/bkt/{raw_key}",
        ],
        check=True,
        timeout=60,
        env=_env(tmp_path),
    )
    same, path = _check(_first_put(seen, port))
    assert all(c in path for c in SUB_DELIMS)  # raw on the wire
    assert not same  # signed raw: not S3's documented encoding


@pytest.mark.parametrize("client", ["rclone", "s3cmd"])
def test_rclone_and_s3cmd_encode_sub_delims_before_signing(
    client: str, capture: tuple[int, list[dict[str, Any]]], tmp_path: Path
) -> None:
    tool = require_tool(client)
    port, seen = capture
    upload = tmp_path / "f"
    upload.write_bytes(f"from {client}".encode())
    if client == "rclone":
        config = tmp_path / "rclone.conf"
        config.write_text(
            "[t]\ntype = s3\nprovider = Other\n"
            f"access_key_id = {CREDS.access_key_id}\n"
            f"secret_access_key = {CREDS.secret_access_key}\n"
            f"endpoint = http://127.0.0.1:{port}\nregion = us-east-1\n"
            "force_path_style = true\n"
        )
        argv = [
            tool,
            "--config",
            str(config),
            "copyto",
            str(upload),
            f"t:bkt/{KEY}",
            "--s3-no-check-bucket",
            "--retries",
            "1",
            "--low-level-retries",
            "1",
        ]
    else:
        config = tmp_path / "s3cfg"
        config.write_text(
            f"[default]\naccess_key = {CREDS.access_key_id}\n"
            f"secret_key = {CREDS.secret_access_key}\n"
            f"host_base = 127.0.0.1:{port}\nhost_bucket = 127.0.0.1:{port}\n"
            "use_https = False\nsignature_v2 = False\nbucket_location = us-east-1\n"
        )
        argv = [tool, "-c", str(config), "put", str(upload), f"s3://bkt/{KEY}"]
    # The capture server answers too little for a clean finish; the PUT is all
    # this test reads.
    subprocess.run(  # noqa: S603 - the client from PATH, fixed arguments
        argv, timeout=120, env=_env(tmp_path), capture_output=True, check=False
    )
    same, path = _check(_first_put(seen, port))
    assert "%24" in path
    assert not any(c in path for c in SUB_DELIMS)  # all encoded on the wire
    assert same  # awscore signs that path exactly as the client did
