"""IAM Roles Anywhere: X.509 signing, the verifier, CreateSession and the CLI."""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import dsa, ec, rsa

from awscore.cli import main
from awscore.errors import (
    CredentialScopeError,
    CredentialsFetchError,
    MalformedAuthorizationError,
    MissingAuthenticationError,
    RequestTimeTooSkewedError,
    SignatureMismatchError,
    SigV4InputError,
    UnsignedHeaderError,
    X509ChainError,
)
from awscore.sigv4 import (
    ALGORITHM_X509_ECDSA,
    ALGORITHM_X509_RSA,
    Credentials,
    HttpRequest,
    X509Signer,
    X509Verifier,
    create_session,
    create_session_request,
    credential_process_json,
    load_private_key,
    parse_create_session,
)
from tests.sigv4._pki import Pki, make_pki

ARN = "arn:aws:rolesanywhere:us-east-1:123456789012"
TA = f"{ARN}:trust-anchor/0f6d3a62-1b7e-4d9e-a8c4-3b2f1e0d9c8b"
PROFILE = f"{ARN}:profile/5c0a9f2e-7d41-4b8e-9f3a-6e2d1c0b9a87"
ROLE = "arn:aws:iam::123456789012:role/onprem"
NOW = datetime.now(UTC).replace(microsecond=0)


@pytest.fixture(scope="module", params=["rsa", "p256", "p384"])
def pki(request: pytest.FixtureRequest) -> Pki:
    return make_pki(str(request.param), intermediate=request.param == "p384")


def _signed(pki: Pki, when: datetime = NOW) -> HttpRequest:
    signer = X509Signer(
        certificate=pki.leaf, private_key=pki.leaf_key, chain=pki.intermediates
    )
    request, region = create_session_request(
        trust_anchor_arn=TA, profile_arn=PROFILE, role_arn=ROLE
    )
    return signer.sign(request, region=region, when=when)


def _verifier(pki: Pki) -> X509Verifier:
    return X509Verifier([pki.ca], regions={"us-east-1"})


def test_signed_request_shape(pki: Pki) -> None:
    signed = _signed(pki)
    authorization = signed.get("Authorization") or ""
    algorithm = (
        ALGORITHM_X509_RSA
        if isinstance(pki.leaf_key, rsa.RSAPrivateKey)
        else ALGORITHM_X509_ECDSA
    )
    serial = pki.leaf.serial_number
    assert authorization.startswith(
        f"{algorithm} Credential={serial}/{NOW:%Y%m%d}/us-east-1/rolesanywhere/"
        "aws4_request, "
    )
    expected = "content-type;host;x-amz-date;x-amz-x509"
    if pki.intermediates:
        expected += ";x-amz-x509-chain"
    assert f"SignedHeaders={expected}," in authorization
    assert signed.url == "https://rolesanywhere.us-east-1.amazonaws.com/sessions"
    assert json.loads(signed.body) == {
        "durationSeconds": 3600,
        "profileArn": PROFILE,
        "roleArn": ROLE,
        "trustAnchorArn": TA,
    }
    assert "PRIVATE" not in repr(
        X509Signer(certificate=pki.leaf, private_key=pki.leaf_key)
    )


def test_own_signatures_verify(pki: Pki) -> None:
    verified = _verifier(pki).verify(_signed(pki), now=NOW + timedelta(minutes=2))
    assert verified.serial == str(pki.leaf.serial_number)
    assert verified.region == "us-east-1"
    assert verified.chain == pki.intermediates


def test_tampering_is_caught(pki: Pki) -> None:
    signed = _signed(pki)
    verifier = _verifier(pki)
    forged = replace(signed, body=signed.body.replace(b"onprem", b"admin"))
    with pytest.raises(SignatureMismatchError):
        verifier.verify(forged, now=NOW)
    other = make_pki("p256")
    with pytest.raises(X509ChainError, match="does not chain"):
        X509Verifier([other.ca], regions={"us-east-1"}).verify(signed, now=NOW)
    with pytest.raises(RequestTimeTooSkewedError):
        verifier.verify(signed, now=NOW + timedelta(minutes=16))
    with pytest.raises(CredentialScopeError):
        X509Verifier([pki.ca], regions={"eu-west-1"}).verify(signed, now=NOW)


def test_someone_elses_certificate_with_our_key_is_caught() -> None:
    """The certificate is swapped for another one from the same CA: its serial no
    longer matches, and with the serial fixed the signature does not verify."""
    ours = make_pki("rsa", serial=7)
    signed = _signed(ours)
    theirs_key = make_pki("rsa").leaf_key
    from tests.sigv4._pki import _cert  # a second leaf of the same CA

    stolen = _cert(
        subject="other",
        key=theirs_key,
        issuer=ours.ca,
        issuer_key=ours.ca_key,
        ca=False,
        serial=7,
        not_before=NOW - timedelta(days=1),
        not_after=NOW + timedelta(days=1),
    )
    import base64

    der = base64.b64encode(stolen.public_bytes(serialization.Encoding.DER)).decode()
    swapped = HttpRequest(
        signed.method,
        signed.url,
        [(n, der if n == "X-Amz-X509" else v) for n, v in signed.headers],
        signed.body,
    )
    with pytest.raises(SignatureMismatchError):
        X509Verifier([ours.ca], regions={"us-east-1"}).verify(swapped, now=NOW)


def test_expired_certificate_and_missing_chain_fail_validation() -> None:
    expired = make_pki("p256", expired=True)
    with pytest.raises(X509ChainError):
        _verifier(expired).verify(_signed(expired), now=NOW)
    with_mid = make_pki("rsa", intermediate=True)
    signed = _signed(with_mid)
    bare = HttpRequest(
        signed.method,
        signed.url,
        [(n, v) for n, v in signed.headers if n != "X-Amz-X509-Chain"],
        signed.body,
    )
    with pytest.raises((X509ChainError, MalformedAuthorizationError)):
        _verifier(with_mid).verify(bare, now=NOW)


def test_malformed_requests_get_typed_errors() -> None:
    pki = make_pki("p256")
    signed = _signed(pki)
    verifier = _verifier(pki)

    def with_headers(**changes: str | None) -> HttpRequest:
        headers = [(n, v) for n, v in signed.headers if n not in changes]
        headers += [(n, v) for n, v in changes.items() if v is not None]
        return HttpRequest(signed.method, signed.url, headers, signed.body)

    with pytest.raises(MissingAuthenticationError):
        verifier.verify(with_headers(Authorization=None), now=NOW)
    with pytest.raises(MalformedAuthorizationError):
        verifier.verify(with_headers(Authorization="AWS4-HMAC-SHA256 x"), now=NOW)
    with pytest.raises(MalformedAuthorizationError, match="X-Amz-Date"):
        verifier.verify(with_headers(**{"X-Amz-Date": "yesterday"}), now=NOW)
    with pytest.raises(X509ChainError, match="base64 DER"):
        verifier.verify(with_headers(**{"X-Amz-X509": "bm90IGEgY2VydA=="}), now=NOW)
    auth = signed.get("Authorization") or ""
    unsigned = auth.replace(";x-amz-x509,", ",")
    with pytest.raises(UnsignedHeaderError):
        verifier.verify(with_headers(Authorization=unsigned), now=NOW)
    wrong_serial = auth.replace(f"={pki.leaf.serial_number}/", "=42/")
    with pytest.raises(X509ChainError, match="serial"):
        verifier.verify(with_headers(Authorization=wrong_serial), now=NOW)
    with pytest.raises(SigV4InputError, match="trust anchor"):
        X509Verifier([], regions={"us-east-1"})


def test_keys_from_pem_pkcs8_and_traditional() -> None:
    for kind in ("rsa", "p256", "p384"):
        pki = make_pki(kind)
        for traditional in (False, True):
            pem = pki.key_pem(traditional=traditional)
            assert (b"BEGIN PRIVATE KEY" in pem) is not traditional
            signer = X509Signer.from_pem(pki.leaf_pem(), pem)
            _verifier(pki).verify(
                signer.sign(
                    create_session_request(
                        trust_anchor_arn=TA, profile_arn=PROFILE, role_arn=ROLE
                    )[0],
                    region="us-east-1",
                    when=NOW,
                ),
                now=NOW,
            )


def test_unsupported_keys_are_refused() -> None:
    p521 = ec.generate_private_key(ec.SECP521R1()).private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    with pytest.raises(SigV4InputError, match="P-256 and P-384"):
        load_private_key(p521)
    # S505: a weak key on purpose, to see it refused.
    small = rsa.generate_private_key(public_exponent=65537, key_size=1024)  # noqa: S505
    with pytest.raises(SigV4InputError, match="2048"):
        load_private_key(
            small.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
    dsa_key = dsa.generate_private_key(key_size=2048).private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    with pytest.raises(SigV4InputError, match="neither RSA nor EC"):
        load_private_key(dsa_key)
    with pytest.raises(SigV4InputError, match="not a PEM"):
        load_private_key(b"garbage")
    a, b = make_pki("p256"), make_pki("p256")
    with pytest.raises(SigV4InputError, match="does not belong"):
        X509Signer(certificate=a.leaf, private_key=b.leaf_key)


def test_create_session_request_bounds() -> None:
    with pytest.raises(SigV4InputError, match=r"900\.\.43200"):
        create_session_request(
            trust_anchor_arn=TA, profile_arn=PROFILE, role_arn=ROLE, duration_seconds=60
        )
    with pytest.raises(SigV4InputError, match="trust anchor ARN"):
        create_session_request(
            trust_anchor_arn="arn:x", profile_arn=PROFILE, role_arn=ROLE
        )


def test_parse_create_session() -> None:
    body = {
        "credentialSet": [
            {
                "credentials": {
                    "accessKeyId": "ASIAX",
                    "secretAccessKey": "s3cr3t",
                    "sessionToken": "tok",
                    "expiration": "2030-01-01T00:00:00Z",
                }
            }
        ]
    }
    creds = parse_create_session(200, json.dumps(body).encode())
    assert creds.access_key_id == "ASIAX"
    assert creds.expiration == datetime(2030, 1, 1, tzinfo=UTC)
    with pytest.raises(CredentialsFetchError, match="HTTP 403: denied"):
        parse_create_session(403, b'{"message": "denied"}')
    with pytest.raises(CredentialsFetchError, match="not JSON"):
        parse_create_session(200, b"<html>")
    with pytest.raises(CredentialsFetchError, match="credentialSet"):
        parse_create_session(200, b'{"credentialSet": []}')


def test_credential_process_json_is_the_helpers_shape() -> None:
    """aws_signing_helper credential-process prints exactly these keys."""
    creds = Credentials(
        "ASIAX", "s3cr3t", "tok", expiration=datetime(2030, 1, 1, 2, 3, 4, tzinfo=UTC)
    )
    assert json.loads(credential_process_json(creds)) == {
        "Version": 1,
        "AccessKeyId": "ASIAX",
        "SecretAccessKey": "s3cr3t",
        "SessionToken": "tok",
        "Expiration": "2030-01-01T02:03:04Z",
    }


class _RolesAnywhereFake(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _FakeServer

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        scheme = "https" if self.server.tls else "http"
        port = self.server.server_address[1]
        request = HttpRequest(
            "POST",
            f"{scheme}://127.0.0.1:{port}{self.path}",
            list(self.headers.items()),
            body,
        )
        try:
            verified = self.server.verifier.verify(request, now=datetime.now(UTC))
        except Exception as error:
            self.server.refusals.append(type(error).__name__)
            self._reply(403, {"message": type(error).__name__})
            return
        self.server.accepted.append(verified.algorithm)
        document = json.loads(body)
        expiration = datetime.now(UTC) + timedelta(seconds=document["durationSeconds"])
        self._reply(
            201 if self.path != "/sessions" else 200,
            {
                "credentialSet": [
                    {
                        "credentials": {
                            "accessKeyId": f"ASIARA{verified.serial[-6:]}",
                            "secretAccessKey": "ra-secret",
                            "sessionToken": "ra-token",
                            "expiration": expiration.strftime("%Y-%m-%dT%H:%M:%SZ"),
                        }
                    }
                ],
                "subjectArn": "arn:aws:rolesanywhere:us-east-1:123456789012:subject/x",
            },
        )

    def _reply(self, status: int, document: object) -> None:
        data = json.dumps(document).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(data)
        self.close_connection = True


class _FakeServer(ThreadingHTTPServer):
    daemon_threads = True
    verifier: X509Verifier
    tls: bool = False
    accepted: list[str]
    refusals: list[str]


@contextlib.contextmanager
def roles_anywhere_endpoint(
    pki: Pki, *, tls_context: object | None = None
) -> Iterator[_FakeServer]:
    """A loopback CreateSession endpoint that verifies with X509Verifier."""
    server = _FakeServer(("127.0.0.1", 0), _RolesAnywhereFake)
    server.verifier = X509Verifier([pki.ca], regions={"us-east-1"})
    server.accepted, server.refusals = [], []
    if tls_context is not None:
        import ssl

        assert isinstance(tls_context, ssl.SSLContext)
        server.socket = tls_context.wrap_socket(server.socket, server_side=True)
        server.tls = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def test_create_session_against_a_verifying_loopback_endpoint(pki: Pki) -> None:
    from awscore.sigv4 import default_io

    io = default_io()
    with roles_anywhere_endpoint(pki) as server:
        port = server.server_address[1]

        def send(request: HttpRequest) -> tuple[int, bytes]:
            response = io.http(
                request.method, request.url, dict(request.headers), request.body, 10
            )
            return response.status, response.body

        signer = X509Signer(
            certificate=pki.leaf, private_key=pki.leaf_key, chain=pki.intermediates
        )
        creds = create_session(
            signer,
            send,
            when=datetime.now(UTC),
            trust_anchor_arn=TA,
            profile_arn=PROFILE,
            role_arn=ROLE,
            endpoint=f"http://127.0.0.1:{port}",
        )
    assert creds.session_token == "ra-token"
    assert server.refusals == []
    assert len(server.accepted) == 1


def test_cli_credential_process(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pki = make_pki("p256", intermediate=True)
    cert, key, chain = tmp_path / "c.pem", tmp_path / "k.pem", tmp_path / "chain.pem"
    cert.write_bytes(pki.leaf_pem())
    key.write_bytes(pki.key_pem(traditional=True))
    chain.write_bytes(pki.chain_pem())
    with roles_anywhere_endpoint(pki) as server:
        args = [
            "roles-anywhere",
            "credential-process",
            "--certificate",
            str(cert),
            "--private-key",
            str(key),
            "--intermediates",
            str(chain),
            "--trust-anchor-arn",
            TA,
            "--profile-arn",
            PROFILE,
            "--role-arn",
            ROLE,
            "--session-duration",
            "900",
            "--endpoint",
            f"http://127.0.0.1:{server.server_address[1]}",
        ]
        assert main(args) == 0
        document = json.loads(capsys.readouterr().out)
        assert list(document) == [
            "Version",
            "AccessKeyId",
            "SecretAccessKey",
            "SessionToken",
            "Expiration",
        ]
        assert document["Version"] == 1
        assert server.accepted == [ALGORITHM_X509_ECDSA]
        other = make_pki("p256")
        key.write_bytes(other.key_pem())
        assert main(args) == 1  # the key does not match the certificate
        assert "does not belong" in capsys.readouterr().err
        cert.write_bytes(other.leaf_pem())
        assert main(args) == 1  # signed fine, refused: not under the trust anchor
        assert "HTTP 403" in capsys.readouterr().err
        assert server.refusals == ["X509ChainError"]


def test_more_refusals_each_with_its_error() -> None:
    pki = make_pki("rsa")
    signed = _signed(pki)
    verifier = _verifier(pki)
    auth = signed.get("Authorization") or ""

    def change(name: str, value: str | None) -> HttpRequest:
        headers = [(n, v) for n, v in signed.headers if n != name]
        if value is not None:
            headers.append((name, value))
        return HttpRequest(signed.method, signed.url, headers, signed.body)

    with pytest.raises(X509ChainError, match="longer than"):
        verifier.verify(change("X-Amz-X509", "A" * 20000), now=NOW)
    with pytest.raises(X509ChainError, match="at most 8"):
        verifier.verify(change("X-Amz-X509-Chain", ",".join(["A"] * 9)), now=NOW)
    with pytest.raises(X509ChainError, match="no X-Amz-X509"):
        verifier.verify(change("X-Amz-X509", None), now=NOW)
    other_date = auth.replace(f"/{NOW:%Y%m%d}/", "/19990101/")
    with pytest.raises(CredentialScopeError, match="date"):
        verifier.verify(change("Authorization", other_date), now=NOW)
    unsorted = auth.replace("content-type;host", "host;content-type")
    with pytest.raises(MalformedAuthorizationError, match="sorted"):
        verifier.verify(change("Authorization", unsorted), now=NOW)
    extra = auth.replace("content-type;host", "accept;content-type;host")
    with pytest.raises(MalformedAuthorizationError, match="SignedHeaders does not"):
        verifier.verify(change("Authorization", extra), now=NOW)
    # An ECDSA algorithm name over an RSA certificate never verifies.
    ecdsa = auth.replace(ALGORITHM_X509_RSA, ALGORITHM_X509_ECDSA)
    with pytest.raises(SignatureMismatchError):
        verifier.verify(change("Authorization", ecdsa), now=NOW)
    with pytest.raises(SigV4InputError, match="no PEM certificate"):
        X509Signer.from_pem(b"nothing", pki.key_pem())
    request, _ = create_session_request(
        trust_anchor_arn=TA, profile_arn=PROFILE, role_arn=ROLE, role_session_name="s"
    )
    assert json.loads(request.body)["roleSessionName"] == "s"


def test_cli_unreachable_endpoint_is_exit_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import socket

    pki = make_pki("rsa")
    (tmp_path / "c.pem").write_bytes(pki.leaf_pem())
    (tmp_path / "k.pem").write_bytes(pki.key_pem())
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    args = [
        "roles-anywhere",
        "credential-process",
        "--certificate",
        str(tmp_path / "c.pem"),
        "--private-key",
        str(tmp_path / "k.pem"),
        "--trust-anchor-arn",
        TA,
        "--profile-arn",
        PROFILE,
        "--role-arn",
        ROLE,
        "--endpoint",
        f"http://127.0.0.1:{port}",
    ]
    assert main(args) == 1
    assert "cannot reach the Roles Anywhere endpoint" in capsys.readouterr().err
