"""The S3 API reference's own worked examples, reproduced exactly.

The data lives in ``tests/vectors/s3-docs/`` (see its PROVENANCE.md), one file per
example, each naming its page: the four header-signing examples of
"Signature Calculations for the Authorization Header: Transferring Payload in a
Single Chunk" (``sig-v4-header-based-auth``) and the presigned URL of
"Authenticating Requests: Using Query Parameters" (``sigv4-query-string-auth``).
For each, awscore's canonical request, string to sign and signature must equal the
published ones byte for byte, and its :class:`Verifier` must accept the request as
the page prints it.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from awscore.errors import SignatureMismatchError
from awscore.sigv4 import Credentials, HttpRequest, Verifier, presign, sign_details

DOCS = Path(__file__).parent.parent / "vectors" / "s3-docs"
HEADER_EXAMPLES = [
    "get-object-range",
    "put-object",
    "get-bucket-lifecycle",
    "get-bucket-list-objects",
]


def _load(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((DOCS / f"{name}.json").read_text("utf-8"))
    return data


def _credentials(example: dict[str, Any]) -> Credentials:
    return Credentials(
        example["credentials"]["access_key_id"],
        example["credentials"]["secret_access_key"],
    )


def _request(example: dict[str, Any], *, url: str | None = None) -> HttpRequest:
    raw = example["request"]
    return HttpRequest(
        raw["method"],
        url or raw["url"],
        [(name, value) for name, value in raw["headers"]],
        raw["body"].encode(),
    )


def _when(example: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(example["time"])


def _verifier(example: dict[str, Any]) -> Verifier:
    creds = _credentials(example)
    return Verifier(
        lambda akid: creds if akid == creds.access_key_id else None,
        regions={example["region"]},
        services={example["service"]},
    )


def test_every_example_names_its_document() -> None:
    for name in [*HEADER_EXAMPLES, "presigned-get-object", "post-policy-upload"]:
        example = _load(name)
        assert "S3 API Reference" in example["document"], name
        assert example["example"], name


@pytest.mark.parametrize("name", HEADER_EXAMPLES)
def test_header_example_reproduces_the_published_signature(name: str) -> None:
    """sig-v4-header-based-auth: canonical request, string to sign, signature."""
    example = _load(name)
    details = sign_details(
        _request(example),
        _credentials(example),
        region=example["region"],
        service=example["service"],
        when=_when(example),
    )
    assert details.canonical_request == example["canonical_request"]
    assert details.string_to_sign == example["string_to_sign"]
    assert details.signature == example["signature"]
    # the page prints the header without the spaces after its commas
    authorization = details.request.get("Authorization")
    assert authorization is not None
    assert authorization.replace(", ", ",") == example["authorization"]


@pytest.mark.parametrize("name", HEADER_EXAMPLES)
def test_verifier_accepts_the_documented_request(name: str) -> None:
    """The request exactly as the page prints it, its Authorization included."""
    example = _load(name)
    request = _request(example)
    documented = HttpRequest(
        request.method,
        request.url,
        [*request.headers, ("Authorization", example["authorization"])],
        request.body,
    )
    verified = _verifier(example).verify(documented, now=_when(example))
    assert verified.access_key_id == "AKIAIOSFODNN7EXAMPLE"
    assert verified.payload_hash == example["canonical_request"].rsplit("\n", 1)[1]


@pytest.mark.parametrize(
    "url",
    [
        "https://examplebucket.s3.amazonaws.com/test$file.text",
        "https://examplebucket.s3.amazonaws.com/test%24file.text",
        "https://examplebucket.s3.amazonaws.com/test%24file%2etext",
    ],
)
def test_put_object_dollar_signs_as_the_documented_escape(url: str) -> None:
    """S3 names one object by ``$`` and ``%24``: both sign as ``/test%24file.text``
    and both verify against the published signature 98ad7217..."""
    example = _load("put-object")
    request = _request(example, url=url)
    details = sign_details(
        request,
        _credentials(example),
        region="us-east-1",
        service="s3",
        when=_when(example),
    )
    if "%2e" in url:
        # an escaped unreserved character is kept as sent: another canonical URI
        assert details.canonical_request.split("\n")[1] == "/test%24file%2Etext"
        return
    assert details.signature.startswith("98ad7217")
    documented = HttpRequest(
        request.method,
        url,
        [*request.headers, ("Authorization", example["authorization"])],
        request.body,
    )
    assert _verifier(example).verify(documented, now=_when(example)).service == "s3"


def test_documented_put_with_a_wrong_signature_names_both_readings() -> None:
    """Neither the documented encoding nor the path as received matches: the
    mismatch says which two canonical URIs were tried."""
    example = _load("put-object")
    request = _request(example)
    forged = example["authorization"].replace("98ad7217", "00000000")
    with pytest.raises(SignatureMismatchError) as caught:
        _verifier(example).verify(
            HttpRequest(
                request.method,
                request.url,
                [*request.headers, ("Authorization", forged)],
                request.body,
            ),
            now=_when(example),
        )
    message = str(caught.value)
    assert "'/test%24file.text' (S3's encoding of the path)" in message
    assert "'/test$file.text' (the path exactly as received)" in message
    assert caught.value.canonical_request == example["canonical_request"]


def test_presigned_url_example_reproduces_the_published_url() -> None:
    """sigv4-query-string-auth: canonical request, string to sign, signature, URL."""
    example = _load("presigned-get-object")
    request = _request(example)
    creds = _credentials(example)
    details = sign_details(
        request,
        creds,
        region="us-east-1",
        service="s3",
        when=_when(example),
        presigned=True,
        expires=example["expires"],
    )
    assert details.canonical_request == example["canonical_request"]
    assert details.string_to_sign == example["string_to_sign"]
    assert details.signature == example["signature"]
    url = presign(
        request,
        creds,
        region="us-east-1",
        service="s3",
        when=_when(example),
        expires=example["expires"],
    )
    assert url == example["url"]
    verified = _verifier(example).verify(
        HttpRequest("GET", example["url"]), now=_when(example)
    )
    assert verified.presigned


def _signed_over(
    url: str, service: str, *, normalize: bool, double_encode: bool
) -> HttpRequest:
    example = _load("put-object")
    return sign_details(
        _request(example, url=url),
        _credentials(example),
        region="us-east-1",
        service=service,
        when=_when(example),
        normalize_path=normalize,
        double_encode=double_encode,
        content_sha256_header=True,
    ).request


@pytest.mark.parametrize(
    ("url", "service", "normalize", "double_encode"),
    [
        # another service: its one reading (normalized, double-encoded) only
        ("https://h.example/a%20b", "service", False, False),
        # S3: a signature over the normalized path is not one of its readings
        ("https://examplebucket.s3.amazonaws.com/a/./b$", "s3", True, False),
        # S3: nor over the double-encoded path
        ("https://examplebucket.s3.amazonaws.com/a%20b", "s3", False, True),
    ],
)
def test_nothing_but_the_two_s3_readings_is_accepted(
    url: str, service: str, normalize: bool, double_encode: bool
) -> None:
    example = _load("put-object")
    request = _signed_over(
        url, service, normalize=normalize, double_encode=double_encode
    )
    creds = _credentials(example)
    verifier = Verifier(
        lambda akid: creds if akid == creds.access_key_id else None,
        regions={"us-east-1"},
        services={service},
    )
    with pytest.raises(SignatureMismatchError):
        verifier.verify(request, now=_when(example))
