"""Real S3 clients, signing with their own code, against awscore's verifier.

The S3 test server (:mod:`tests.sigv4.s3server`: the WSGI middleware with a
default :class:`~awscore.sigv4.Verifier` in front of an in-memory store, on
127.0.0.1) is driven by five clients that nobody here wrote: Debian's ``curl
--aws-sigv4`` (a C signer), boto3, the AWS CLI v1, ``s3cmd`` (its own Python
signer) and ``rclone`` (the Go SDK's signer). Each uploads objects whose keys
hold every RFC 3986 sub-delim, ``:``, ``@``, spaces, ``~`` and non-ASCII
letters, reads them back with its own commands, byte for byte, and lists
them; each is refused with ``SignatureDoesNotMatch`` when it signs with a
wrong secret. boto3's presigned URLs and presigned POST forms are sent by
``requests``, which signs nothing itself: the POST as a browser sends it,
multipart/form-data with the fields first and the file last. Nothing is
relaxed for them: the server hands the middleware the request target exactly
as it came on the wire (``REQUEST_URI``), and the verifier runs at its defaults.

The command-line clients run in a clean environment: a temporary ``HOME``
holding their configuration, ``PATH=/usr/bin:/bin``, a UTF-8 locale and
nothing else (no ``AWS_*``, no proxy). What each sends is pinned where it
matters to a verifier (how it encodes the path, what it sends as the payload
hash, checksums, chunked bodies), so that a client that changes is noticed.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import os
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import parse_qs, quote
from xml.etree import ElementTree

import pytest

from awscore.sigv4 import Credentials
from tests.conftest import require_peer, require_tool
from tests.sigv4.s3server import (
    Exchange,
    S3Server,
    StoreError,
    self_signed_tls,
    serve_s3,
)

AKID = "AKIDEXAMPLE"
SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
WRONG_SECRET = SECRET[:-1] + "Z"  # one character off
REGION = "us-east-1"
BUCKET = "bucket"

#: The keys every client uploads: every sub-delim (RFC 3986 §2.2), ':' and '@'
#: (the rest of pchar), spaces, '~' (unreserved, never encoded) and UTF-8.
KEYS = (
    "sub-delims !$&'()*+,;= colon: at@ tilde~ ünï文字.txt",
    "year=2026/month=12/a+b,c;d@e!f$g'(h)*.csv",
    "~user/dir with spaces/é~.bin",
)
SUB_DELIMS = "!$&'()*+,;="


def _content(client: str, key: str) -> bytes:
    """Distinct bytes per upload, every byte value included."""
    seed = hashlib.sha256(f"{client}\0{key}".encode()).digest()
    return bytes(range(256)) + seed * 37


@pytest.fixture(scope="module")
def server() -> Iterator[S3Server]:
    with serve_s3(Credentials(AKID, SECRET), region=REGION, buckets=[BUCKET]) as s3:
        yield s3


def _refusals(exchanges: list[Exchange]) -> list[tuple[str, str, int, str]]:
    return [
        (e.method, e.target, e.status, e.code) for e in exchanges if e.status >= 300
    ]


def _stored(server: S3Server, key: str) -> bytes:
    return server.store.get(BUCKET, key).body


def _only_mismatches(exchanges: list[Exchange]) -> None:
    """Every request was refused with SignatureDoesNotMatch (and there was one)."""
    assert exchanges
    assert {(e.status, e.code) for e in exchanges} == {(403, "SignatureDoesNotMatch")}


def _has(server: S3Server, key: str) -> bool:
    try:
        server.store.get(BUCKET, key)
    except StoreError:
        return False
    return True


def _wire_key(exchanges: list[Exchange], method: str) -> str:
    """The one object path that the ``method`` requests went to, as sent."""
    (path,) = {e.path for e in exchanges if e.method == method and "/" in e.path[1:]}
    return path


# --- running command-line clients ---------------------------------------------


@dataclass(frozen=True, slots=True)
class _Home:
    """A clean environment for one command-line client."""

    path: Path
    extra: tuple[tuple[str, str], ...] = ()

    def env(self) -> dict[str, str]:
        return {
            "HOME": str(self.path),
            "PATH": "/usr/bin:/bin",
            "LANG": "C.UTF-8",
            "LC_ALL": "C.UTF-8",
            **dict(self.extra),
        }

    def run(self, *argv: str | Path) -> _Ran:
        ran = subprocess.run(  # noqa: S603 - argv is built here, no shell
            [str(arg) for arg in argv],
            env=self.env(),
            cwd=self.path,
            capture_output=True,
            timeout=120,
            check=False,
        )
        return _Ran(ran.returncode, ran.stdout, ran.stderr.decode("utf-8", "replace"))


@dataclass(frozen=True, slots=True)
class _Ran:
    returncode: int
    stdout: bytes
    stderr: str

    def check(self) -> bytes:
        assert self.returncode == 0, self.stderr
        return self.stdout


def _home(tmp: Path, name: str, extra: dict[str, str] | None = None) -> _Home:
    folder = tmp / name
    folder.mkdir()
    home = _Home(folder, tuple((extra or {}).items()))
    assert not any(name.startswith("AWS_") for name in home.env())
    return home


# --- curl ---------------------------------------------------------------------


def _curl_url(server: S3Server, key: str, *, raw_sub_delims: bool) -> str:
    # A URL cannot carry a space or non-ASCII raw: those are always encoded.
    # Sub-delims, ':' and '@' may go raw (RFC 3986 pchar), and curl sends and
    # signs them as written.
    safe = "/~" + (SUB_DELIMS + ":@" if raw_sub_delims else "")
    return f"{server.url}/{BUCKET}/{quote(key, safe=safe)}"


def _curl(home: _Home, secret: str, *args: str | Path) -> tuple[int, bytes]:
    """Run curl signing with ``secret``; ``(HTTP status, body)``."""
    curl = require_tool("curl")
    ran = home.run(
        curl,
        "--silent",
        "--show-error",
        "--globoff",
        "--aws-sigv4",
        f"aws:amz:{REGION}:s3",
        "--user",
        f"{AKID}:{secret}",
        "--write-out",
        "\n%{http_code}",
        *args,
    )
    body, _, status = ran.check().rpartition(b"\n")
    return int(status), body


@pytest.mark.parametrize("raw_sub_delims", [True, False], ids=["raw", "encoded"])
def test_curl_uploads_and_reads_back(
    server: S3Server, tmp_path: Path, raw_sub_delims: bool
) -> None:
    """curl signs the path exactly as it sends it; both spellings are accepted.

    With ``-T`` curl cannot hash the body before sending it and signs the empty
    payload's hash unless told the real one: the test passes
    ``x-amz-content-sha256`` (the hex SHA-256 of the file), which curl signs.
    """
    home = _home(tmp_path, "curl")
    for key in KEYS:
        full = f"curl-{'raw' if raw_sub_delims else 'enc'}/{key}"
        upload = home.path / "upload.bin"
        upload.write_bytes(_content("curl", full))
        digest = hashlib.sha256(upload.read_bytes()).hexdigest()
        url = _curl_url(server, full, raw_sub_delims=raw_sub_delims)
        mark = server.mark()
        status, body = _curl(
            home,
            SECRET,
            "--upload-file",
            upload,
            "--header",
            f"x-amz-content-sha256: {digest}",
            url,
        )
        assert status == 200, body
        status, got = _curl(home, SECRET, url)
        assert (status, got) == (200, upload.read_bytes())
        assert _stored(server, full) == upload.read_bytes()
        seen = server.since(mark)
        assert _refusals(seen) == []
        # what curl put on the wire is the URL's path, byte for byte
        assert _wire_key(seen, "PUT") == url.removeprefix(server.url)
        (put,) = (e for e in seen if e.method == "PUT")
        assert put.headers["x-amz-content-sha256"] == digest
        assert "x-amz-content-sha256" in put.headers["authorization"]


def test_curl_upload_without_the_payload_hash_is_refused(
    server: S3Server, tmp_path: Path
) -> None:
    """Without ``x-amz-content-sha256`` curl signs the empty body's hash and sends
    no such header: the body it then sends is not the one it signed, and the
    verifier, hashing what arrived, refuses it; nothing is stored."""
    home = _home(tmp_path, "curl-unsigned")
    upload = home.path / "upload.bin"
    upload.write_bytes(b"a body the signature does not cover")
    mark = server.mark()
    status, body = _curl(
        home, SECRET, "--upload-file", upload, f"{server.url}/{BUCKET}/unsigned"
    )
    assert status == 403
    assert _s3_code(body) == "SignatureDoesNotMatch"
    (put,) = server.since(mark)
    assert "x-amz-content-sha256" not in put.headers
    assert not _has(server, "unsigned")
    # curl's signature is the one over the empty payload (computed here by hand)
    assert (
        _signature_over(put, hashlib.sha256(b"").hexdigest())
        in (put.headers["authorization"])
    )


def _signature_over(request: Exchange, payload_hash: str) -> str:
    """SigV4 of ``request`` (signed headers host;x-amz-date) over ``payload_hash``.

    Written out from the SigV4 documentation with hmac alone, so that a fact
    about curl does not rest on the code under test.
    """
    amz_date = request.headers["x-amz-date"]
    assert "SignedHeaders=host;x-amz-date," in request.headers["authorization"]
    canonical = "\n".join(
        [
            request.method,
            request.path,
            request.query,
            f"host:{request.headers['host']}",
            f"x-amz-date:{amz_date}",
            "",
            "host;x-amz-date",
            payload_hash,
        ]
    )
    scope = f"{amz_date[:8]}/{REGION}/s3/aws4_request"
    to_sign = "\n".join(
        [
            "AWS4-HMAC-SHA256",
            amz_date,
            scope,
            hashlib.sha256(canonical.encode()).hexdigest(),
        ]
    )
    key = f"AWS4{SECRET}".encode()
    for part in scope.split("/"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()


def test_curl_wrong_secret_is_refused(server: S3Server, tmp_path: Path) -> None:
    home = _home(tmp_path, "curl-wrong")
    upload = home.path / "upload.bin"
    upload.write_bytes(b"never stored")
    digest = hashlib.sha256(upload.read_bytes()).hexdigest()
    url = _curl_url(server, f"curl-wrong/{KEYS[0]}", raw_sub_delims=True)
    for args in (
        ("--upload-file", upload, "--header", f"x-amz-content-sha256: {digest}"),
        (),
    ):
        mark = server.mark()
        status, body = _curl(home, WRONG_SECRET, *args, url)
        assert status == 403
        assert _s3_code(body) == "SignatureDoesNotMatch"
        _only_mismatches(server.since(mark))
    assert not _has(server, f"curl-wrong/{KEYS[0]}")


def _s3_code(body: bytes) -> str:
    root = ElementTree.fromstring(body)  # noqa: S314 - the test server's answer
    assert root.tag == "Error", body
    return root.findtext("Code") or ""


# --- boto3 ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def boto3_session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """A boto3 session that sees no AWS configuration from this machine."""
    boto3 = require_peer("boto3")
    nothing = tmp_path_factory.mktemp("aws") / "absent"
    with pytest.MonkeyPatch.context() as mp:
        for name in list(os.environ):
            if name.startswith(("AWS_", "BOTO_")):
                mp.delenv(name)
        mp.setenv("AWS_CONFIG_FILE", str(nothing))
        mp.setenv("AWS_SHARED_CREDENTIALS_FILE", str(nothing))
        yield boto3.session.Session()


@contextlib.contextmanager
def _boto3(
    session: Any,
    url: str,
    *,
    secret: str = SECRET,
    verify: str | None = None,
    **config: Any,
) -> Iterator[Any]:
    botocore_config = require_peer("botocore.config")
    client = session.client(
        "s3",
        endpoint_url=url,
        region_name=REGION,
        aws_access_key_id=AKID,
        aws_secret_access_key=secret,
        verify=verify,
        config=botocore_config.Config(s3={"addressing_style": "path"}, **config),
    )
    try:
        yield client
    finally:
        client.close()


def _requests() -> ModuleType:
    return require_peer("requests")


def test_boto3_put_get_list_and_delete(server: S3Server, boto3_session: Any) -> None:
    """put_object, get_object, head_object, list_objects_v2, delete_object."""
    with _boto3(boto3_session, server.url) as s3:
        mark = server.mark()
        for key in KEYS:
            s3.put_object(Bucket=BUCKET, Key=f"boto3/{key}", Body=_content("b", key))
        for key in KEYS:
            got = s3.get_object(Bucket=BUCKET, Key=f"boto3/{key}")["Body"].read()
            assert got == _content("b", key)
            assert _stored(server, f"boto3/{key}") == got
            head = s3.head_object(Bucket=BUCKET, Key=f"boto3/{key}")
            assert head["ContentLength"] == len(got)
        listed = s3.list_objects_v2(Bucket=BUCKET, Prefix="boto3/")
        assert sorted(o["Key"] for o in listed["Contents"]) == sorted(
            f"boto3/{key}" for key in KEYS
        )
        s3.delete_object(Bucket=BUCKET, Key=f"boto3/{KEYS[2]}")
        assert not _has(server, f"boto3/{KEYS[2]}")
        seen = server.since(mark)
    assert _refusals(seen) == []
    puts = [e for e in seen if e.method == "PUT"]
    # botocore percent-encodes every sub-delim, ':' and '@' before signing
    assert not any(c in p.path for p in puts for c in SUB_DELIMS + ":@ ")
    for put, key in zip(puts, KEYS, strict=True):
        body = _content("b", key)
        assert put.headers["x-amz-content-sha256"] == hashlib.sha256(body).hexdigest()
        assert "x-amz-checksum-crc32" in put.headers  # signed, checked by nobody


_MIB = 1024 * 1024


def _multipart(session: Any, server: S3Server, tmp: Path, **client: Any) -> None:
    """upload_file above a small multipart_threshold: two parts, then download."""
    transfer = require_peer("boto3.s3.transfer")
    config = transfer.TransferConfig(
        multipart_threshold=64 * 1024, multipart_chunksize=5 * _MIB, use_threads=False
    )
    # S3's smallest part is 5 MiB (s3transfer raises the chunk size to it)
    data = hashlib.sha256(b"multipart").digest() * (5 * _MIB // 32 + 1000)
    source, back = tmp / "source.bin", tmp / "back.bin"
    source.write_bytes(data)
    key = f"multipart {server.url[:5]}/{KEYS[0]}"
    with _boto3(session, server.url, **client) as s3:
        mark = server.mark()
        s3.upload_file(str(source), BUCKET, key, Config=config)
        s3.download_file(BUCKET, key, str(back), Config=config)
        seen = server.since(mark)
    assert _refusals(seen) == []
    assert back.read_bytes() == data
    stored = server.store.get(BUCKET, key)
    assert stored.body == data
    assert stored.etag.endswith('-2"')
    steps = [
        (e.method, sorted(parse_qs(e.query, keep_blank_values=True))) for e in seen
    ]
    assert steps[:4] == [
        ("POST", ["uploads"]),
        ("PUT", ["partNumber", "uploadId"]),
        ("PUT", ["partNumber", "uploadId"]),
        ("POST", ["uploadId"]),
    ]


def test_boto3_upload_file_multipart(
    server: S3Server, boto3_session: Any, tmp_path: Path
) -> None:
    _multipart(boto3_session, server, tmp_path)


def test_boto3_abort_multipart_upload(server: S3Server, boto3_session: Any) -> None:
    with _boto3(boto3_session, server.url) as s3:
        before = server.store.uploads_in_progress()
        upload = s3.create_multipart_upload(Bucket=BUCKET, Key="aborted")
        s3.upload_part(
            Bucket=BUCKET,
            Key="aborted",
            UploadId=upload["UploadId"],
            PartNumber=1,
            Body=b"part one",
        )
        assert server.store.uploads_in_progress() == before + 1
        s3.abort_multipart_upload(
            Bucket=BUCKET, Key="aborted", UploadId=upload["UploadId"]
        )
    assert server.store.uploads_in_progress() == before


@pytest.fixture(scope="module")
def tls_server(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[S3Server, str]]:
    context, ca = self_signed_tls(tmp_path_factory.mktemp("tls"))
    with serve_s3(
        Credentials(AKID, SECRET), region=REGION, buckets=[BUCKET], tls=context
    ) as s3:
        yield s3, str(ca)


def test_boto3_upload_file_multipart_over_https_is_aws_chunked(
    tls_server: tuple[S3Server, str], boto3_session: Any, tmp_path: Path
) -> None:
    """Over https botocore streams each part aws-chunked with a CRC32 trailer
    (STREAMING-UNSIGNED-PAYLOAD-TRAILER); the middleware de-frames and checks it."""
    server, ca = tls_server
    mark = server.mark()
    _multipart(boto3_session, server, tmp_path, verify=ca)
    parts = [e for e in server.since(mark) if "partNumber=" in e.query]
    assert len(parts) == 2
    for part in parts:
        assert part.headers["x-amz-content-sha256"] == (
            "STREAMING-UNSIGNED-PAYLOAD-TRAILER"
        )
        assert "aws-chunked" in part.headers["content-encoding"]
        assert part.headers["x-amz-trailer"] == "x-amz-checksum-crc32"


def test_boto3_presigned_urls_used_from_requests(
    server: S3Server, boto3_session: Any
) -> None:
    """generate_presigned_url (SigV4: botocore presigns SigV2 in us-east-1 unless
    told), for a PUT and a GET, sent by ``requests`` with no signer of its own."""
    requests = _requests()
    key = f"presigned/{KEYS[0]}"
    body = _content("presigned", key)
    with _boto3(boto3_session, server.url, signature_version="s3v4") as s3:
        put_url = s3.generate_presigned_url(
            "put_object", Params={"Bucket": BUCKET, "Key": key}, ExpiresIn=300
        )
        get_url = s3.generate_presigned_url(
            "get_object", Params={"Bucket": BUCKET, "Key": key}, ExpiresIn=300
        )
    with requests.Session() as http:
        http.trust_env = False
        put = http.put(put_url, data=body, timeout=30)
        assert put.status_code == 200, put.text
        got = http.get(get_url, timeout=30)
        assert (got.status_code, got.content) == (200, body)
        tampered = http.get(get_url.replace("presigned/", "presigned/x"), timeout=30)
        assert tampered.status_code == 403
        assert _s3_code(tampered.content) == "SignatureDoesNotMatch"
    assert _stored(server, key) == body


def _post_form(post: dict[str, Any], filename: str, content: bytes) -> Any:
    requests = _requests()
    with requests.Session() as http:
        http.trust_env = False
        return http.post(
            post["url"],
            data=post["fields"],
            files={"file": (filename, content, "application/octet-stream")},
            timeout=30,
        )


def test_boto3_presigned_post_used_from_requests(
    server: S3Server, boto3_session: Any
) -> None:
    """generate_presigned_post's form, sent by ``requests`` as a browser would:
    multipart/form-data with the fields, then the file. S3 answers 204."""
    key = f"post/{KEYS[0]}"
    content = _content("post", key)
    with _boto3(boto3_session, server.url, signature_version="s3v4") as s3:
        post = s3.generate_presigned_post(BUCKET, key, ExpiresIn=300)
        assert post["fields"]["x-amz-algorithm"] == "AWS4-HMAC-SHA256"
        sent = _post_form(post, "local name.bin", content)
        assert sent.status_code == 204, sent.text
        got = s3.get_object(Bucket=BUCKET, Key=key)["Body"].read()
    assert got == content
    assert _stored(server, key) == content


def test_boto3_presigned_post_with_conditions(
    server: S3Server, boto3_session: Any
) -> None:
    """${filename}, a starts-with condition and content-length-range: accepted at
    the edge of the range and refused one byte past it with AccessDenied."""
    fields = {"success_action_status": "201"}
    conditions: list[Any] = [
        {"success_action_status": "201"},
        ["starts-with", "$key", "post-conditions/"],
        ["content-length-range", 1, 600],
    ]
    with _boto3(boto3_session, server.url, signature_version="s3v4") as s3:
        post = s3.generate_presigned_post(
            BUCKET,
            "post-conditions/${filename}",
            Fields=fields,
            Conditions=conditions,
            ExpiresIn=300,
        )
    fits = _post_form(post, "édge.bin", b"x" * 600)
    assert fits.status_code == 201, fits.text
    assert _stored(server, "post-conditions/édge.bin") == b"x" * 600
    # S3 answers a file outside content-length-range with 400 EntityTooLarge
    # (or EntityTooSmall), not with the 403 of the other conditions
    too_big = _post_form(post, "past.bin", b"x" * 601)
    assert too_big.status_code == 400, too_big.text
    assert _s3_code(too_big.content) == "EntityTooLarge"
    assert not _has(server, "post-conditions/past.bin")
    empty = _post_form(post, "empty.bin", b"")
    assert empty.status_code == 400, empty.text
    assert _s3_code(empty.content) == "EntityTooSmall"
    # a key the browser changed to one outside the policy's starts-with
    moved = {**post, "fields": {**post["fields"], "key": "elsewhere/${filename}"}}
    refused = _post_form(moved, "f.bin", b"x")
    assert refused.status_code == 403, refused.text
    assert _s3_code(refused.content) == "AccessDenied"
    assert "starts-with" in refused.text
    assert not _has(server, "elsewhere/f.bin")


def test_boto3_presigned_post_with_a_wrong_secret_is_refused(
    server: S3Server, boto3_session: Any
) -> None:
    with _boto3(
        boto3_session, server.url, secret=WRONG_SECRET, signature_version="s3v4"
    ) as s3:
        post = s3.generate_presigned_post(BUCKET, "wrong-post", ExpiresIn=300)
    refused = _post_form(post, "f", b"never stored")
    assert refused.status_code == 403
    assert _s3_code(refused.content) == "SignatureDoesNotMatch"
    assert not _has(server, "wrong-post")


def test_boto3_default_presigned_post_is_sigv2_and_refused(
    server: S3Server, boto3_session: Any
) -> None:
    """Without ``signature_version="s3v4"`` botocore presigns a POST with SigV2 in
    us-east-1 (``AWSAccessKeyId``, ``signature``), as it does URLs; refused as S3
    refuses SigV2 where it is not supported, and nothing is stored."""
    with _boto3(boto3_session, server.url) as s3:
        post = s3.generate_presigned_post(BUCKET, "sigv2-post", ExpiresIn=300)
    assert {"AWSAccessKeyId", "signature"} <= post["fields"].keys()
    assert "x-amz-algorithm" not in post["fields"]
    refused = _post_form(post, "f", b"never stored")
    assert refused.status_code == 400
    assert _s3_code(refused.content) == "InvalidRequest"
    assert not _has(server, "sigv2-post")


def test_boto3_wrong_secret_is_refused(server: S3Server, boto3_session: Any) -> None:
    """put_object and get_object signed with a wrong secret."""
    client_error = require_peer("botocore.exceptions").ClientError
    mark = server.mark()
    with _boto3(boto3_session, server.url, secret=WRONG_SECRET) as s3:
        with pytest.raises(client_error) as info:
            s3.put_object(Bucket=BUCKET, Key="wrong", Body=b"never stored")
        assert info.value.response["Error"]["Code"] == "SignatureDoesNotMatch"
        with pytest.raises(client_error) as info:
            s3.get_object(Bucket=BUCKET, Key=f"boto3/{KEYS[0]}")
        assert info.value.response["Error"]["Code"] == "SignatureDoesNotMatch"
    _only_mismatches(server.since(mark))  # one each: a 403 is not retried
    assert not _has(server, "wrong")


# --- the AWS CLI v1 -------------------------------------------------------------


def _aws_home(tmp: Path, name: str, secret: str, *, s3v4_presign: bool) -> _Home:
    home = _home(tmp, name)
    (home.path / ".aws").mkdir()
    (home.path / ".aws" / "credentials").write_text(
        f"[default]\naws_access_key_id = {AKID}\naws_secret_access_key = {secret}\n"
    )
    config = f"[default]\nregion = {REGION}\n"
    if s3v4_presign:
        # `aws configure set default.s3.signature_version s3v4`
        config += "s3 =\n    signature_version = s3v4\n"
    (home.path / ".aws" / "config").write_text(config)
    return home


def test_aws_cli_cp_ls_and_presign(server: S3Server, tmp_path: Path) -> None:
    """``aws s3 cp`` up and down, ``aws s3 ls``, ``aws s3 presign`` then fetched."""
    aws = require_tool("aws")
    home = _aws_home(tmp_path, "aws", SECRET, s3v4_presign=True)
    endpoint = ("--endpoint-url", server.url)
    mark = server.mark()
    for key in KEYS:
        (home.path / "up.bin").write_bytes(_content("aws", key))
        home.run(
            aws, *endpoint, "s3", "cp", "up.bin", f"s3://{BUCKET}/aws/{key}"
        ).check()
        got = home.run(aws, *endpoint, "s3", "cp", f"s3://{BUCKET}/aws/{key}", "-")
        assert got.check() == _content("aws", key)
        assert _stored(server, f"aws/{key}") == _content("aws", key)
    listed = home.run(aws, *endpoint, "s3", "ls", "--recursive", f"s3://{BUCKET}/aws/")
    names = {line.split(maxsplit=3)[3] for line in listed.check().decode().splitlines()}
    assert names == {f"aws/{key}" for key in KEYS}
    presigned = home.run(
        aws, *endpoint, "s3", "presign", f"s3://{BUCKET}/aws/{KEYS[0]}"
    )
    url = presigned.check().decode().strip()
    assert "X-Amz-Algorithm=AWS4-HMAC-SHA256" in url
    requests = _requests()
    with requests.Session() as http:
        http.trust_env = False
        fetched = http.get(url, timeout=30)
    assert (fetched.status_code, fetched.content) == (200, _content("aws", KEYS[0]))
    seen = server.since(mark)
    assert _refusals(seen) == []
    puts = [e for e in seen if e.method == "PUT"]
    assert not any(c in p.path for p in puts for c in SUB_DELIMS + ":@ ")
    assert all(len(p.headers["x-amz-content-sha256"]) == 64 for p in puts)


def test_aws_cli_default_presign_is_sigv2_and_refused(
    server: S3Server, tmp_path: Path
) -> None:
    """Without ``s3.signature_version = s3v4`` the CLI presigns with SigV2 in
    us-east-1 (``AWSAccessKeyId``/``Signature``/``Expires``): awscore verifies SigV4
    only, and answers as S3 does in the regions without SigV2, InvalidRequest."""
    aws = require_tool("aws")
    home = _aws_home(tmp_path, "aws-v2", SECRET, s3v4_presign=False)
    url = (
        home.run(aws, "--endpoint-url", server.url, "s3", "presign", "s3://bucket/k")
        .check()
        .decode()
        .strip()
    )
    assert "AWSAccessKeyId=" in url
    assert "X-Amz-Algorithm" not in url
    requests = _requests()
    with requests.Session() as http:
        http.trust_env = False
        fetched = http.get(url, timeout=30)
    assert fetched.status_code == 400
    assert _s3_code(fetched.content) == "InvalidRequest"


def test_aws_cli_wrong_secret_is_refused(server: S3Server, tmp_path: Path) -> None:
    aws = require_tool("aws")
    home = _aws_home(tmp_path, "aws-wrong", WRONG_SECRET, s3v4_presign=True)
    (home.path / "up.bin").write_bytes(b"never stored")
    endpoint = ("--endpoint-url", server.url)
    mark = server.mark()
    put = home.run(aws, *endpoint, "s3", "cp", "up.bin", f"s3://{BUCKET}/aws-wrong")
    assert put.returncode != 0
    assert "SignatureDoesNotMatch" in put.stderr
    listed = home.run(aws, *endpoint, "s3", "ls", f"s3://{BUCKET}/")
    assert listed.returncode != 0
    assert "SignatureDoesNotMatch" in listed.stderr
    _only_mismatches(server.since(mark))
    assert not _has(server, "aws-wrong")


# --- s3cmd ----------------------------------------------------------------------


def _s3cmd_home(tmp: Path, name: str, server: S3Server, secret: str) -> _Home:
    home = _home(tmp, name)
    host = server.url.removeprefix("http://")
    (home.path / ".s3cfg").write_text(
        "[default]\n"
        f"access_key = {AKID}\nsecret_key = {secret}\n"
        # host_bucket without %(bucket)s: path-style requests
        f"host_base = {host}\nhost_bucket = {host}\n"
        f"bucket_location = {REGION}\nuse_https = False\nsignature_v2 = False\n"
        # the smallest part s3cmd allows, so that a 6 MiB file goes multipart
        "multipart_chunk_size_mb = 5\n"
    )
    return home


def test_s3cmd_put_get_ls(server: S3Server, tmp_path: Path) -> None:
    """s3cmd's own SigV4 signer: put (and a multipart put), get, ls."""
    s3cmd = require_tool("s3cmd")
    home = _s3cmd_home(tmp_path, "s3cmd", server, SECRET)
    mark = server.mark()
    for key in KEYS:
        (home.path / "up.bin").write_bytes(_content("s3cmd", key))
        home.run(s3cmd, "put", "up.bin", f"s3://{BUCKET}/s3cmd/{key}").check()
        home.run(
            s3cmd, "get", "--force", f"s3://{BUCKET}/s3cmd/{key}", "down.bin"
        ).check()
        assert (home.path / "down.bin").read_bytes() == _content("s3cmd", key)
        assert _stored(server, f"s3cmd/{key}") == _content("s3cmd", key)
    big = hashlib.sha256(b"s3cmd multipart").digest() * (6 * _MIB // 32)
    (home.path / "big.bin").write_bytes(big)
    home.run(
        s3cmd, "put", "big.bin", f"s3://{BUCKET}/s3cmd-multipart/{KEYS[1]}"
    ).check()
    assert server.store.get(BUCKET, f"s3cmd-multipart/{KEYS[1]}").body == big
    listed = home.run(s3cmd, "ls", "--recursive", f"s3://{BUCKET}/s3cmd/").check()
    assert {line.split(maxsplit=3)[3] for line in listed.decode().splitlines()} == {
        f"s3://{BUCKET}/s3cmd/{key}" for key in KEYS
    }
    seen = server.since(mark)
    assert _refusals(seen) == []
    puts = [e for e in seen if e.method == "PUT"]
    # s3cmd percent-encodes the sub-delims, ':' and '@' before signing
    assert not any(c in p.path for p in puts for c in SUB_DELIMS + ":@ ")
    assert all(len(p.headers["x-amz-content-sha256"]) == 64 for p in puts)
    assert any("partNumber=" in p.query for p in puts)


def test_s3cmd_wrong_secret_is_refused(server: S3Server, tmp_path: Path) -> None:
    s3cmd = require_tool("s3cmd")
    home = _s3cmd_home(tmp_path, "s3cmd-wrong", server, WRONG_SECRET)
    (home.path / "up.bin").write_bytes(b"never stored")
    mark = server.mark()
    put = home.run(s3cmd, "put", "up.bin", f"s3://{BUCKET}/s3cmd-wrong")
    assert put.returncode != 0
    assert "SignatureDoesNotMatch" in put.stderr
    _only_mismatches(server.since(mark))
    assert not _has(server, "s3cmd-wrong")


# --- rclone ---------------------------------------------------------------------


def _rclone_home(tmp: Path, name: str, server: S3Server, secret: str) -> _Home:
    folder = tmp / name
    remote = {
        "TYPE": "s3",
        "PROVIDER": "Other",
        "ACCESS_KEY_ID": AKID,
        "SECRET_ACCESS_KEY": secret,
        "ENDPOINT": server.url,
        "REGION": REGION,
        "FORCE_PATH_STYLE": "true",
    }
    extra = {f"RCLONE_CONFIG_S3T_{k}": v for k, v in remote.items()}
    # an empty config file of its own, so rclone reads none from the machine
    extra["RCLONE_CONFIG"] = str(folder / "rclone.conf")
    home = _home(tmp, name, extra)
    (home.path / "rclone.conf").write_text("")
    return home


def _rclone(home: _Home, *args: str | Path) -> _Ran:
    rclone = require_tool("rclone")
    return home.run(rclone, "--retries", "1", "--low-level-retries", "1", *args)


def test_rclone_copyto_cat_lsf(server: S3Server, tmp_path: Path) -> None:
    """The Go SDK's signer: copyto (single part, then multipart), cat, lsf."""
    home = _rclone_home(tmp_path, "rclone", server, SECRET)
    mark = server.mark()
    for key in KEYS:
        (home.path / "up.bin").write_bytes(_content("rclone", key))
        _rclone(home, "copyto", "up.bin", f"s3t:{BUCKET}/rclone/{key}").check()
        got = _rclone(home, "cat", f"s3t:{BUCKET}/rclone/{key}").check()
        assert got == _content("rclone", key)
        assert _stored(server, f"rclone/{key}") == got
    big = hashlib.sha256(b"rclone multipart").digest() * (6 * _MIB // 32)
    (home.path / "big.bin").write_bytes(big)
    _rclone(
        home,
        "copyto",
        "--s3-upload-cutoff",
        "5M",
        "--s3-chunk-size",
        "5M",
        "big.bin",
        f"s3t:{BUCKET}/rclone-multipart/{KEYS[1]}",
    ).check()
    assert server.store.get(BUCKET, f"rclone-multipart/{KEYS[1]}").body == big
    listed = _rclone(home, "lsf", "--recursive", f"s3t:{BUCKET}/rclone").check()
    assert set(listed.decode().splitlines()) >= set(KEYS)
    seen = server.since(mark)
    # rclone looks before it writes: a HEAD of the key it is about to upload
    assert {e.status for e in seen if e.status >= 300} <= {404}
    puts = [e for e in seen if e.method == "PUT" and "/" in e.path[1:]]
    # the Go SDK percent-encodes the sub-delims, ':' and '@' before signing
    assert not any(c in p.path for p in puts for c in SUB_DELIMS + ":@ ")
    single = [p for p in puts if not p.query]
    assert {p.headers["x-amz-content-sha256"] for p in single} == {"UNSIGNED-PAYLOAD"}
    # its integrity check instead: a signed Content-MD5, which the server checks
    for put in single:
        assert "content-md5" in put.headers["authorization"]
    assert any("partNumber=" in p.query for p in puts)


def test_rclone_wrong_secret_is_refused(server: S3Server, tmp_path: Path) -> None:
    home = _rclone_home(tmp_path, "rclone-wrong", server, WRONG_SECRET)
    mark = server.mark()
    got = _rclone(home, "cat", f"s3t:{BUCKET}/rclone/{KEYS[0]}")
    assert got.returncode != 0
    assert "SignatureDoesNotMatch" in got.stderr
    (home.path / "up.bin").write_bytes(b"never stored")
    put = _rclone(home, "copyto", "up.bin", f"s3t:{BUCKET}/rclone-wrong")
    assert put.returncode != 0
    _only_mismatches(server.since(mark))
    assert not _has(server, "rclone-wrong")


def test_content_md5_mismatch_is_bad_digest(
    server: S3Server, boto3_session: Any
) -> None:
    """The server checks Content-MD5 (rclone's integrity check on UNSIGNED-PAYLOAD)."""
    client_error = require_peer("botocore.exceptions").ClientError
    wrong = base64.b64encode(hashlib.md5(b"other", usedforsecurity=False).digest())
    with (
        _boto3(boto3_session, server.url) as s3,
        pytest.raises(client_error) as info,
    ):
        s3.put_object(
            Bucket=BUCKET, Key="md5", Body=b"the body", ContentMD5=wrong.decode()
        )
    assert info.value.response["Error"]["Code"] == "BadDigest"


def test_unsigned_requests_are_refused(server: S3Server) -> None:
    """Anonymous reads and writes of an existing object: 403 AccessDenied, as S3
    answers for a private bucket; the object is untouched."""
    requests = _requests()
    key = "unsigned-target"
    server.store.put(BUCKET, key, b"kept", content_type="x/y", metadata={})
    url = f"{server.url}/{BUCKET}/{key}"
    with requests.Session() as http:
        http.trust_env = False
        for method in ("GET", "PUT", "DELETE"):
            answer = http.request(method, url, data=b"anonymous", timeout=30)
            assert answer.status_code == 403, (method, answer.text)
            assert _s3_code(answer.content) == "AccessDenied"
    assert _stored(server, key) == b"kept"
