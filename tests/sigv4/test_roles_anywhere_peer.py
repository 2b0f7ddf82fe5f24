"""Roles Anywhere side by side with the PyPI peer ``iam-rolesanywhere-session``.

Both directions, RSA and EC keys: what the peer signs, awscore's X509Verifier
accepts; what awscore signs is the peer's signature (RSA PKCS#1 v1.5 is
deterministic: byte for byte) or verifies over the peer's own string to sign
(ECDSA is randomized); and the peer's whole CreateSession flow runs against a
loopback TLS endpoint that verifies with awscore.
"""

from __future__ import annotations

import json
import ssl
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

from awscore.sigv4 import HttpRequest, X509Signer, X509Verifier
from tests.conftest import require_peer
from tests.sigv4._pki import Pki, make_pki
from tests.sigv4.test_roles_anywhere import PROFILE, ROLE, TA, roles_anywhere_endpoint

peer = require_peer("iam_rolesanywhere_session")
peer_module = require_peer("iam_rolesanywhere_session.iam_rolesanywhere_session")
awsrequest = require_peer("botocore.awsrequest")

URL = "https://rolesanywhere.us-east-1.amazonaws.com/sessions"
BODY = json.dumps(
    {
        "durationSeconds": 3600,
        "profileArn": PROFILE,
        "roleArn": ROLE,
        "trustAnchorArn": TA,
    }
).encode()
WHEN = datetime(2026, 12, 4, 21, 0, 5, tzinfo=UTC)


@pytest.fixture(scope="module", params=["rsa", "p256", "p384"])
def pki(request: pytest.FixtureRequest) -> Pki:
    return make_pki(str(request.param), intermediate=request.param != "p256")


def _peer_signer(pki: Pki) -> Any:
    return peer.IAMRolesAnywhereSigner(
        certificate=pki.leaf_pem(),
        private_key=pki.key_pem(),
        certificate_chain=pki.chain_pem() or None,
        region="us-east-1",
    )


def _peer_signed(pki: Pki, when: datetime) -> Any:
    class Frozen(datetime):
        @classmethod
        def now(cls, tz: Any = None) -> Frozen:
            return cls.fromtimestamp(when.timestamp(), tz=tz)

    signer = _peer_signer(pki)
    request = awsrequest.AWSRequest(method="POST", url=URL, data=BODY)
    with mock.patch.object(peer_module, "datetime", Frozen):
        signer.add_auth(request)
    return signer, request


def _as_http_request(request: Any) -> HttpRequest:
    return HttpRequest("POST", URL, list(request.headers.items()), BODY)


def test_peer_signatures_verify_with_awscore(pki: Pki) -> None:
    """What iam-rolesanywhere-session signs, awscore's X509Verifier accepts."""
    _, signed = _peer_signed(pki, WHEN)
    verified = X509Verifier([pki.ca], regions={"us-east-1"}).verify(
        _as_http_request(signed), now=WHEN
    )
    assert verified.serial == str(pki.leaf.serial_number)
    assert verified.chain == pki.intermediates


def test_awscore_signatures_match_the_peer(pki: Pki) -> None:
    """awscore signs the request the peer signs: the same Authorization header
    for RSA; for ECDSA, awscore's signature verifies over the peer's string to
    sign with the certificate's key (and the rest of the header is the same)."""
    peer_signer, peer_request = _peer_signed(pki, WHEN)
    ours = X509Signer(
        certificate=pki.leaf, private_key=pki.leaf_key, chain=pki.intermediates
    ).sign(
        HttpRequest(
            "POST", URL, [("Content-Type", "application/x-amz-json-1.0")], BODY
        ),
        region="us-east-1",
        when=WHEN,
    )
    ours_auth = ours.get("Authorization") or ""
    theirs_auth = peer_request.headers["Authorization"]
    for name in ("X-Amz-Date", "X-Amz-X509", "X-Amz-X509-Chain"):
        assert ours.get(name) == peer_request.headers.get(name)
    if not isinstance(pki.leaf_key, ec.EllipticCurvePrivateKey):
        assert ours_auth == theirs_auth
        return
    head, _, signature = ours_auth.rpartition("Signature=")
    assert head == theirs_auth.rpartition("Signature=")[0]
    # The peer's own canonical request, as it was before it added Authorization.
    del peer_request.headers["Authorization"]
    string_to_sign = peer_signer.string_to_sign(
        peer_request, peer_signer.canonical_request(peer_request)
    )
    public = pki.leaf.public_key()
    assert isinstance(public, ec.EllipticCurvePublicKey)
    public.verify(  # raises InvalidSignature on a mismatch
        bytes.fromhex(signature), string_to_sign.encode(), ec.ECDSA(hashes.SHA256())
    )


def test_peer_session_against_a_loopback_endpoint_verified_by_awscore(
    pki: Pki, tmp_path: Path
) -> None:
    """The peer's CreateSession flow (its own HTTPS client) gets credentials from
    a loopback endpoint that checks its signature with awscore."""
    tls = make_pki("p256", server_ip="127.0.0.1")
    cert, key, ca = (
        tmp_path / "server.pem",
        tmp_path / "server.key",
        tmp_path / "ca.pem",
    )
    cert.write_bytes(tls.leaf_pem())
    key.write_bytes(tls.key_pem())
    ca.write_bytes(tls.ca.public_bytes(serialization.Encoding.PEM))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(str(cert), str(key))
    with roles_anywhere_endpoint(pki, tls_context=context) as server:
        session = peer.IAMRolesAnywhereSession(
            profile_arn=PROFILE,
            role_arn=ROLE,
            trust_anchor_arn=TA,
            certificate=pki.leaf_pem(),
            private_key=pki.key_pem(traditional=True),
            certificate_chain=pki.chain_pem() or None,
            region="us-east-1",
            endpoint=f"127.0.0.1:{server.server_address[1]}",
            verify=str(ca),
        )
        frozen = session.get_refreshable_credentials().get_frozen_credentials()
    assert frozen.token == "ra-token"
    assert frozen.access_key.startswith("ASIARA")
    assert server.refusals == []
    assert len(server.accepted) == 1
