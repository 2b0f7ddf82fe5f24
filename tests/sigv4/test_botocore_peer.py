"""awscore against botocore, the SigV4 signer behind boto3 and the AWS CLI.

The same generated request goes through awscore and through botocore's
``SigV4Auth``/``S3SigV4Auth`` (header signing) and ``SigV4QueryAuth``/
``S3SigV4QueryAuth`` (presigning); the results must be identical.

Where botocore departs from AWS, the test says so instead of copying it:

* botocore always normalizes non-S3 paths, so it cannot sign the six
  ``*-unnormalized`` aws-c-auth vectors; those are covered by the vector tests.
* botocore's presigner keeps only the first value of a repeated query key
  (``parse_qs`` into a dict), so presign comparisons use unique keys.
* botocore signs the wire query as sent, without decoding and re-encoding it;
  requests here carry canonically encoded queries, as botocore's own serializer
  produces, where the two rules agree.
* botocore's S3SigV4Auth signs an S3 path exactly as given, so a raw sub-delim
  (``$``, ``!``, ...) is signed raw where the S3 API reference's rule (and
  awscore) signs ``%24``; botocore's serializer encodes object keys first, so the
  SDK never meets one. Equality is checked on the encoded key; the raw case is
  pinned, and awscore's Verifier accepts botocore's signature for it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from unittest import mock
from urllib.parse import parse_qsl, urlsplit

from hypothesis import given
from hypothesis import strategies as st

from awscore.sigv4 import (
    Credentials,
    HttpRequest,
    Verifier,
    presign,
    sign,
    sign_details,
)
from tests.conftest import require_peer
from tests.strategies import sigv4 as sst


def _botocore_request(request: HttpRequest) -> Any:
    awsrequest = require_peer("botocore.awsrequest")
    aws = awsrequest.AWSRequest(
        method=request.method, url=request.url, data=request.body
    )
    for name, value in request.headers:
        # HTTPHeaders is an email.message.Message: assignment appends, so a
        # repeated name keeps every value, as on the wire.
        aws.headers[name] = value
    return aws


def _botocore_sign(
    request: HttpRequest,
    creds: Credentials,
    region: str,
    service: str,
    when: datetime,
    *,
    expires: int | None = None,
) -> Any:
    auth = require_peer("botocore.auth")
    botocreds = require_peer("botocore.credentials").Credentials(
        creds.access_key_id, creds.secret_access_key, creds.session_token
    )
    s3 = service == "s3"
    if expires is None:
        signer = (auth.S3SigV4Auth if s3 else auth.SigV4Auth)(
            botocreds, service, region
        )
    else:
        cls = auth.S3SigV4QueryAuth if s3 else auth.SigV4QueryAuth
        signer = cls(botocreds, service, region, expires=expires)
    aws = _botocore_request(request)
    naive_utc = when.replace(tzinfo=None)
    with mock.patch.object(auth, "get_current_datetime", return_value=naive_utc):
        signer.add_auth(aws)
    return aws


def _authorization(request: HttpRequest) -> str:
    value = request.get("Authorization")
    assert value is not None
    return value


@given(
    generated=sst.requests(),
    creds=sst.credentials,
    region=sst.regions,
    when=sst.signing_times,
    service=st.sampled_from(["service", "iam", "dynamodb", "execute-api"]),
)
def test_header_signature_equals_botocore_sigv4auth(
    generated: sst.GeneratedRequest,
    creds: Credentials,
    region: str,
    when: datetime,
    service: str,
) -> None:
    """For any request, awscore's Authorization equals botocore SigV4Auth's."""
    ours = sign(generated.request, creds, region=region, service=service, when=when)
    theirs = _botocore_sign(generated.request, creds, region, service, when)
    assert _authorization(ours) == theirs.headers["Authorization"]
    assert ours.get("X-Amz-Date") == theirs.headers["X-Amz-Date"]
    assert ours.get("X-Amz-Security-Token") == theirs.headers.get(
        "X-Amz-Security-Token"
    )


@given(
    generated=sst.requests(),
    creds=sst.credentials,
    region=sst.regions,
    when=sst.signing_times,
)
def test_header_signature_equals_botocore_s3sigv4auth(
    generated: sst.GeneratedRequest, creds: Credentials, region: str, when: datetime
) -> None:
    """With service ``s3``, awscore's Authorization and x-amz-content-sha256 equal
    botocore S3SigV4Auth's (no normalization, single encoding, payload header) for
    the key encoded as botocore's serializer encodes it, whichever form of the
    path awscore was given (S3 signs ``$`` and ``%24`` alike)."""
    ours = sign(generated.request, creds, region=region, service="s3", when=when)
    encoded = sst.s3_key_encoded(generated)
    theirs = _botocore_sign(encoded, creds, region, "s3", when)
    assert _authorization(ours) == theirs.headers["Authorization"]
    assert ours.get("x-amz-content-sha256") == theirs.headers["X-Amz-Content-SHA256"]


@given(
    generated=sst.requests(),
    creds=sst.credentials,
    when=sst.signing_times,
)
def test_botocore_signs_a_raw_s3_sub_delim_as_sent_and_awscore_accepts_it(
    generated: sst.GeneratedRequest, creds: Credentials, when: datetime
) -> None:
    """botocore's S3SigV4Auth signs the path as given: a raw sub-delim stays raw in
    its canonical URI (where S3's documented rule encodes it), so its signature
    differs from awscore's exactly when the path holds one; awscore's Verifier
    accepts botocore's signature either way (the path-as-received reading)."""
    path = urlsplit(generated.request.url).path
    theirs = _botocore_sign(generated.request, creds, "us-east-1", "s3", when)
    ours = sign(generated.request, creds, region="us-east-1", service="s3", when=when)
    raw = any(c in path for c in "!$&'()*+,;=:@")
    assert (_authorization(ours) != theirs.headers["Authorization"]) is raw
    signed = HttpRequest(
        generated.request.method,
        theirs.url,
        [(k, v) for k, v in theirs.headers.items()],
        generated.request.body,
    )
    verifier = Verifier(
        lambda akid: creds if akid == creds.access_key_id else None,
        regions={"us-east-1"},
        services={"s3"},
    )
    assert verifier.verify(signed, now=when).access_key_id == creds.access_key_id


def _without_body(request: HttpRequest) -> HttpRequest:
    # botocore's presigner moves a body into the query string (it reads it as
    # form or JSON parameters); a presigned URL carries no body of its own.
    return HttpRequest(request.method, request.url, request.headers)


def _parsed(url: str) -> tuple[str, str, str, list[tuple[str, str]]]:
    parts = urlsplit(url)
    return (
        parts.scheme,
        parts.netloc,
        parts.path,
        sorted(parse_qsl(parts.query, keep_blank_values=True)),
    )


@given(
    generated=sst.requests(unique_query_keys=True),
    creds=sst.credentials,
    region=sst.regions,
    when=sst.signing_times,
    expires=st.integers(1, 604800),
    service=st.sampled_from(["service", "iam", "sts"]),
)
def test_presigned_url_equals_botocore_sigv4queryauth(
    generated: sst.GeneratedRequest,
    creds: Credentials,
    region: str,
    when: datetime,
    expires: int,
    service: str,
) -> None:
    """For any request without a body, awscore's presigned URL equals botocore
    SigV4QueryAuth's, compared as parsed URLs (query parameters as a set)."""
    request = _without_body(generated.request)
    ours = presign(
        request, creds, region=region, service=service, when=when, expires=expires
    )
    theirs = _botocore_sign(request, creds, region, service, when, expires=expires)
    assert _parsed(ours) == _parsed(theirs.url)


@given(
    generated=sst.requests(unique_query_keys=True),
    creds=sst.credentials,
    region=sst.regions,
    when=sst.signing_times,
    expires=st.integers(1, 604800),
)
def test_presigned_url_equals_botocore_s3sigv4queryauth(
    generated: sst.GeneratedRequest,
    creds: Credentials,
    region: str,
    when: datetime,
    expires: int,
) -> None:
    """With service ``s3``, awscore's presigned URL equals botocore
    S3SigV4QueryAuth's (``UNSIGNED-PAYLOAD``) for the SDK-encoded key, and the URL
    awscore presigns for the path as given differs from it in that path only."""
    request = _without_body(generated.request)
    ours = presign(
        request, creds, region=region, service="s3", when=when, expires=expires
    )
    encoded = _without_body(sst.s3_key_encoded(generated))
    theirs = _botocore_sign(encoded, creds, region, "s3", when, expires=expires)
    scheme, netloc, path, query = _parsed(ours)
    their_scheme, their_netloc, _, their_query = _parsed(theirs.url)
    assert (scheme, netloc, query) == (their_scheme, their_netloc, their_query)
    assert path == urlsplit(request.url).path


def test_botocore_cannot_sign_unnormalized_paths() -> None:
    """The documented departure: for ``/example/..`` with normalization off (the
    aws-c-auth ``get-relative-unnormalized`` vector) botocore still normalizes."""
    from datetime import UTC

    creds = Credentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
    when = datetime(2015, 8, 30, 12, 36, tzinfo=UTC)
    request = HttpRequest("GET", "https://example.amazonaws.com/example/..")
    ours = sign_details(
        request,
        creds,
        region="us-east-1",
        service="service",
        when=when,
        normalize_path=False,
    )
    assert ours.canonical_request.split("\n")[1] == "/example/.."
    theirs = _botocore_sign(request, creds, "us-east-1", "service", when)
    assert _authorization(ours.request) != theirs.headers["Authorization"]
