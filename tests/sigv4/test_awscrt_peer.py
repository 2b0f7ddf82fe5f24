"""awscore against awscrt, AWS's C signer (aws-c-auth), for SigV4 and SigV4A.

Hypothesis generates requests; awscrt signs them (headers and presigned query,
HMAC and ECDSA); awscore's verifier must accept every one. A signature verifies
only over the exact canonical request the signer built, so acceptance proves that
awscore's canonical request equals the one awscrt signed. For SigV4, awscore's own
Authorization must also equal awscrt's byte for byte (ECDSA is randomized, so
SigV4A signatures are compared by verifying).

Where awscrt departs, the test says so instead of copying it: awscrt parses the
request target as a URI, so a path whose segments hold ``:`` (``/:/``, ``/://0``,
which RFC 3986 allows in a path) is rejected as malformed or signed as something
else; such paths are left to the vector and botocore tests. awscrt signs an S3 path as
given, a raw sub-delim raw (S3's documented rule encodes it): signature equality
for S3 is checked on the SDK-encoded key, and the verifier must accept awscrt's
signature over the raw path too.
"""

from __future__ import annotations

import io
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from awscore.sigv4 import ALGORITHM_V4A, Credentials, HttpRequest, Verifier, sign
from tests.conftest import require_peer
from tests.strategies import sigv4 as sst

REGION = "us-east-1"


def _crt_sign(
    request: HttpRequest,
    creds: Credentials,
    *,
    service: str,
    when: datetime,
    v4a: bool,
    presign: bool,
    region_set: str = REGION,
) -> HttpRequest:
    auth = require_peer("awscrt.auth")
    http = require_peer("awscrt.http")
    parts = urlsplit(request.url)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    headers = [("Host", parts.netloc.lower()), *request.headers]
    crt_request = http.HttpRequest(request.method, target, http.HttpHeaders(headers))
    crt_request.body_stream = io.BytesIO(request.body)
    s3 = service == "s3"
    config = auth.AwsSigningConfig(
        algorithm=auth.AwsSigningAlgorithm.V4_ASYMMETRIC
        if v4a
        else auth.AwsSigningAlgorithm.V4,
        signature_type=auth.AwsSignatureType.HTTP_REQUEST_QUERY_PARAMS
        if presign
        else auth.AwsSignatureType.HTTP_REQUEST_HEADERS,
        credentials_provider=auth.AwsCredentialsProvider.new_static(
            creds.access_key_id, creds.secret_access_key, creds.session_token
        ),
        region=region_set if v4a else REGION,
        service=service,
        date=when.replace(tzinfo=None),
        use_double_uri_encode=not s3,
        should_normalize_uri_path=not s3,
        signed_body_header_type=auth.AwsSignedBodyHeaderType.X_AMZ_CONTENT_SHA_256
        if s3 and not presign
        else auth.AwsSignedBodyHeaderType.NONE,
        signed_body_value=auth.AwsSignedBodyValue.UNSIGNED_PAYLOAD
        if s3 and presign
        else None,
        expiration_in_seconds=3600 if presign else None,
    )
    signed: Any = auth.aws_sign_request(crt_request, config).result()
    out_headers = [(str(n), str(v)) for n, v in signed.headers]
    return HttpRequest(
        request.method,
        f"{parts.scheme}://{parts.netloc}{signed.path}",
        [(n, v) for n, v in out_headers if n.lower() != "host"]
        + [(n, v) for n, v in out_headers if n.lower() == "host"][:1],
        request.body,
    )


def _awscrt_can_parse(request: HttpRequest) -> bool:
    return ":" not in urlsplit(request.url).path


def _verifier(creds: Credentials, service: str) -> Verifier:
    return Verifier(
        {creds.access_key_id: creds}.get, regions={REGION}, services={service}
    )


@settings(max_examples=250)
@given(
    generated=sst.requests(),
    creds=sst.credentials,
    when=sst.signing_times,
    service=st.sampled_from(["service", "iam", "s3"]),
    v4a=st.booleans(),
    presign=st.booleans(),
)
def test_awscore_verifies_everything_awscrt_signs(
    generated: sst.GeneratedRequest,
    creds: Credentials,
    when: datetime,
    service: str,
    v4a: bool,
    presign: bool,
) -> None:
    """Every request awscrt signs (SigV4 or SigV4A, header or query) verifies with
    awscore at the signing time, so both built the same canonical request."""
    assume(_awscrt_can_parse(generated.request))
    signed = _crt_sign(
        generated.request, creds, service=service, when=when, v4a=v4a, presign=presign
    )
    verified = _verifier(creds, service).verify(signed, now=when)
    assert verified.algorithm == (ALGORITHM_V4A if v4a else "AWS4-HMAC-SHA256")
    assert verified.presigned is presign


@settings(max_examples=250)
@given(
    generated=sst.requests(),
    creds=sst.credentials,
    when=sst.signing_times,
    service=st.sampled_from(["service", "iam", "s3"]),
)
def test_sigv4_authorization_equals_awscrt(
    generated: sst.GeneratedRequest, creds: Credentials, when: datetime, service: str
) -> None:
    """For SigV4, awscore signs any request exactly as awscrt does; for S3, as
    awscrt signs the key encoded as the SDKs encode it (S3 signs ``$`` and ``%24``
    alike, awscrt signs the path as given)."""
    assume(_awscrt_can_parse(generated.request))
    given_to_crt = (
        sst.s3_key_encoded(generated) if service == "s3" else generated.request
    )
    theirs = _crt_sign(
        given_to_crt, creds, service=service, when=when, v4a=False, presign=False
    )
    ours = sign(generated.request, creds, region=REGION, service=service, when=when)
    assert ours.get("Authorization") == theirs.get("Authorization")


@given(
    creds=sst.credentials,
    when=sst.signing_times,
    region_set=st.sampled_from(["*", "us-*", "eu-west-1,us-east-1"]),
)
def test_awscrt_region_sets_verify(
    creds: Credentials, when: datetime, region_set: str
) -> None:
    """awscrt's SigV4A region sets (a wildcard, a pattern, a list) are honoured."""
    request = HttpRequest("GET", "https://example.amazonaws.com/")
    signed = _crt_sign(
        request,
        creds,
        service="service",
        when=when,
        v4a=True,
        presign=False,
        region_set=region_set,
    )
    assert signed.get("X-Amz-Region-Set") == region_set
    verified = _verifier(creds, "service").verify(signed, now=when)
    assert verified.region == REGION
