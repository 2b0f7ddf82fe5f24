"""presign_post against boto3's generate_presigned_post, field for field.

The same inputs (bucket, key, fields, conditions of every kind, expiry, signing
time) go through boto3, its clock patched to the signing time, and through
awscore; the URL and every form field must be equal, in boto3's order. The
signature is HMAC-SHA256 over the base64 policy, so equal fields mean the same
policy document byte for byte.
"""

from __future__ import annotations

import functools
from datetime import datetime
from typing import Any
from unittest import mock

from hypothesis import given, settings

from awscore.sigv4 import Credentials, Verifier, presign_post
from awscore.sigv4._post import PostForm
from tests.conftest import require_peer
from tests.strategies import sigv4_post as pst

ENDPOINT = "http://127.0.0.1:9000"


@functools.cache
def _client(credentials: Credentials, region: str) -> Any:
    boto3 = require_peer("boto3")
    config = require_peer("botocore.config").Config(
        # S3's presigned POST is SigV2 by default in some regions; s3v4 asks for
        # the SigV4 form awscore builds
        signature_version="s3v4",
        s3={"addressing_style": "path"},
    )
    return boto3.client(
        "s3",
        region_name=region,
        endpoint_url=ENDPOINT,
        aws_access_key_id=credentials.access_key_id,
        aws_secret_access_key=credentials.secret_access_key,
        aws_session_token=credentials.session_token,
        config=config,
    )


def _boto3_post(inputs: pst.PostInputs) -> Any:
    auth = require_peer("botocore.auth")
    signers = require_peer("botocore.signers")
    naive = inputs.when.replace(tzinfo=None)
    # botocore reads the clock twice: the policy's expiration (signers) and the
    # x-amz-date of the signature (auth)
    with (
        mock.patch.object(auth, "get_current_datetime", return_value=naive),
        mock.patch.object(signers, "get_current_datetime", return_value=naive),
    ):
        return _client(inputs.credentials, inputs.region).generate_presigned_post(
            inputs.bucket,
            inputs.key,
            Fields=dict(inputs.fields),
            Conditions=list(inputs.conditions),
            ExpiresIn=inputs.expires,
        )


def _ours(inputs: pst.PostInputs) -> Any:
    return presign_post(
        f"{ENDPOINT}/{inputs.bucket}",
        inputs.key,
        inputs.credentials,
        region=inputs.region,
        when=inputs.when,
        expires=inputs.expires,
        conditions=inputs.conditions,
        fields=inputs.fields,
    )


@settings(max_examples=200)
@given(inputs=pst.post_inputs())
def test_presign_post_equals_boto3_field_for_field(inputs: pst.PostInputs) -> None:
    """For the same inputs and clock, presign_post returns boto3's URL and form
    fields: the same names, in the same order, with the same values."""
    theirs = _boto3_post(inputs)
    ours = _ours(inputs)
    assert ours.url == theirs["url"]
    assert list(ours.fields.items()) == list(theirs["fields"].items())


@settings(max_examples=200)
@given(inputs=pst.post_inputs())
def test_awscore_verifies_every_form_boto3_presigns(inputs: pst.PostInputs) -> None:
    """A form carrying boto3's fields (the key with ${filename} as sent) and a
    file within the policy's range is accepted by Verifier.verify_post at the
    signing time."""
    post = _boto3_post(inputs)
    ranges = [
        c
        for c in inputs.conditions
        if isinstance(c, list) and c[0] == "content-length-range"
    ]
    size = ranges[0][1] if ranges else 3
    form = PostForm(
        bucket=inputs.bucket,
        fields=tuple(post["fields"].items()),
        file_size=size,
    )
    creds = inputs.credentials
    verifier = Verifier(
        lambda akid: creds if akid == creds.access_key_id else None,
        regions={inputs.region},
        services={"s3"},
    )
    verified = verifier.verify_post(form, now=inputs.when)
    assert verified.access_key_id == creds.access_key_id
    assert verified.session_token == creds.session_token
    assert verified.payload_mode == "post"


def test_boto3_signs_the_example_the_same_way() -> None:
    """A fixed case, readable on its own: a session token, a ${filename} key."""
    inputs = pst.PostInputs(
        bucket="bkt",
        key="uploads/${filename}",
        credentials=pst.CREDENTIALS[1],
        region="eu-west-1",
        when=datetime.fromisoformat("2024-01-02T03:04:05.678+00:00"),
        expires=100,
        fields={"acl": "public-read"},
        conditions=[{"acl": "public-read"}, ["content-length-range", 1, 10]],
    )
    ours = _ours(inputs)
    assert dict(ours.fields) == _boto3_post(inputs)["fields"]
    assert ours.policy["expiration"] == "2024-01-02T03:05:45Z"
    assert ours.policy["conditions"][3] == ["starts-with", "$key", "uploads/"]
    assert list(ours.fields)[-3:] == [
        "x-amz-security-token",
        "policy",
        "x-amz-signature",
    ]
