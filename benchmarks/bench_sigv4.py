"""SigV4 header signing: awscore against its peers and the hashlib/hmac floor.

Two workloads, each signed by every implementation on identical inputs in the
same run:

* ``get``: ``GET https://example.amazonaws.com/?Action=ListUsers&Version=2010-05-08``
  with a ``Content-Type`` header, service ``iam``, region ``us-east-1``;
* ``put``: ``PUT https://examplebucket.s3.amazonaws.com/photos/photo1.jpg`` with a
  1 KiB body, service ``s3`` (S3 rules: ``x-amz-content-sha256`` signed).

Every timed call builds a fresh request object of the implementation's own type
and signs it: construction is timed for everyone alike.

Implementations (``benchmark.extra_info["implementation"]``):

* ``awscore``: :func:`awscore.sigv4.sign` with a fixed ``when``; awscore caches
  its signing key per (secret, date, region, service), so after the first round
  it pays no key derivation;
* ``botocore``: ``SigV4Auth``/``S3SigV4Auth.add_auth`` on a new ``AWSRequest``,
  the clock (``botocore.auth.get_current_datetime``) replaced by a plain function
  returning the same instant; botocore derives the key on every call;
* ``awscrt``: ``auth.aws_sign_request(req, cfg).result()`` (aws-c-auth, C) with
  the same fixed date in the config; it derives the key on every call;
* ``requests-aws4auth``: an ``AWS4Auth`` instance called on a copy of a prepared
  request; it reads the clock (today's date) and keeps its key per date; it also
  signs ``x-amz-content-sha256`` on the GET, one header more than the others;
* ``floor``: the primitives any SigV4 signer must run, and nothing else: SHA-256
  of the body, SHA-256 of the workload's real canonical request (same size), one
  HMAC-SHA256 of the real string to sign under a precomputed key.

Honesty checks run before any timing: awscore's ``Authorization`` must equal
botocore's and awscrt's, the floor's HMAC must be the real signature, and
requests-aws4auth's signature must be what awscore computes for the headers it
sent.
"""

from __future__ import annotations

import hashlib
import hmac
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import pytest
from tests.conftest import require_peer

from awscore.sigv4 import Credentials, HttpRequest, sign, sign_details

AKID = "AKIDEXAMPLE"
SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
REGION = "us-east-1"
WHEN = datetime(2015, 8, 30, 12, 36, tzinfo=UTC)
WHEN_NAIVE = WHEN.replace(tzinfo=None)
CREDS = Credentials(AKID, SECRET)


@dataclass(frozen=True)
class Workload:
    """One request to sign, described once and handed to every implementation."""

    name: str
    method: str
    url: str
    headers: tuple[tuple[str, str], ...]
    body: bytes
    service: str

    @property
    def s3(self) -> bool:
        return self.service == "s3"

    def awscore_request(self) -> HttpRequest:
        return HttpRequest(self.method, self.url, self.headers, self.body)


WORKLOADS = {
    "get": Workload(
        name="get",
        method="GET",
        url="https://example.amazonaws.com/?Action=ListUsers&Version=2010-05-08",
        headers=(("Content-Type", "application/x-www-form-urlencoded; charset=utf-8"),),
        body=b"",
        service="iam",
    ),
    "put": Workload(
        name="put",
        method="PUT",
        url="https://examplebucket.s3.amazonaws.com/photos/photo1.jpg",
        headers=(),
        body=bytes(range(256)) * 4,  # 1 KiB
        service="s3",
    ),
}

IMPLEMENTATIONS = ("floor", "awscore", "awscrt", "botocore", "requests-aws4auth")

# A benchmark is a zero-argument callable that builds a request and signs it,
# and a function that reads the Authorization header of what it returned.
Signer = Callable[[], Any]


# --- awscore -----------------------------------------------------------------


def awscore_signer(w: Workload) -> Signer:
    method, url, headers, body = w.method, w.url, w.headers, w.body
    service = w.service

    def run() -> HttpRequest:
        return sign(
            HttpRequest(method, url, headers, body),
            CREDS,
            region=REGION,
            service=service,
            when=WHEN,
        )

    return run


def awscore_authorization(w: Workload) -> str:
    value = sign(
        w.awscore_request(), CREDS, region=REGION, service=w.service, when=WHEN
    ).get("Authorization")
    assert value is not None
    return value


# --- botocore ----------------------------------------------------------------


def _fixed_now(remove_tzinfo: bool = True) -> datetime:
    # A plain function rather than a Mock: a Mock call costs microseconds and
    # would be charged to botocore.
    return WHEN_NAIVE


@pytest.fixture(scope="module", autouse=True)
def _botocore_clock() -> Iterator[None]:
    """Sign every botocore request at WHEN, as awscore and awscrt do."""
    auth = require_peer("botocore.auth")
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(auth, "get_current_datetime", _fixed_now)
        yield


def botocore_signer(w: Workload) -> Signer:
    from botocore.auth import S3SigV4Auth, SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials as BotoCredentials

    cls = S3SigV4Auth if w.s3 else SigV4Auth
    signer = cls(BotoCredentials(AKID, SECRET), w.service, REGION)
    add_auth = signer.add_auth
    method, url, headers, body = w.method, w.url, dict(w.headers), w.body

    def run() -> Any:
        request = AWSRequest(method=method, url=url, data=body, headers=headers)
        add_auth(request)
        return request

    return run


def botocore_authorization(result: Any) -> str:
    return str(result.headers["Authorization"])


# --- awscrt ------------------------------------------------------------------


def awscrt_signer(w: Workload, *, v4a: bool = False) -> Signer:
    """awscrt signing ``w``: SigV4, or SigV4A for the region set ``*``."""
    from awscrt import auth, http

    config = auth.AwsSigningConfig(
        algorithm=auth.AwsSigningAlgorithm.V4_ASYMMETRIC
        if v4a
        else auth.AwsSigningAlgorithm.V4,
        signature_type=auth.AwsSignatureType.HTTP_REQUEST_HEADERS,
        credentials_provider=auth.AwsCredentialsProvider.new_static(AKID, SECRET),
        region="*" if v4a else REGION,
        service=w.service,
        date=WHEN_NAIVE,
        use_double_uri_encode=not w.s3,
        should_normalize_uri_path=not w.s3,
        signed_body_header_type=(
            auth.AwsSignedBodyHeaderType.X_AMZ_CONTENT_SHA_256
            if w.s3
            else auth.AwsSignedBodyHeaderType.NONE
        ),
    )
    parts = urlsplit(w.url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    header_list = [("Host", parts.netloc), *w.headers]
    method, body = w.method, w.body
    sign_request = auth.aws_sign_request
    HttpHeaders, HttpRequestCrt = http.HttpHeaders, http.HttpRequest  # noqa: N806

    def run() -> Any:
        request = HttpRequestCrt(method, path, HttpHeaders(header_list))
        request.body_stream = io.BytesIO(body)
        return sign_request(request, config).result()

    return run


def awscrt_authorization(result: Any) -> str:
    return str(result.headers.get("Authorization"))


# --- requests-aws4auth -------------------------------------------------------


def aws4auth_signer(w: Workload) -> Signer:
    import requests
    from requests_aws4auth import AWS4Auth

    signer = AWS4Auth(AKID, SECRET, REGION, w.service)
    template = requests.Request(
        w.method, w.url, headers=dict(w.headers), data=w.body or None
    ).prepare()

    def run() -> Any:
        # PreparedRequest.copy is the cheapest way to a fresh prepared request:
        # it copies the headers, not re-parsing the URL.
        return signer(template.copy())

    return run


def check_aws4auth(w: Workload, result: Any) -> None:
    """requests-aws4auth's signature is awscore's for the headers it sent."""
    amz_date = result.headers["x-amz-date"]
    when = datetime.strptime(amz_date, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    sent = (
        *w.headers,
        ("x-amz-content-sha256", result.headers["x-amz-content-sha256"]),
    )
    expected = sign(
        HttpRequest(w.method, w.url, sent, w.body),
        CREDS,
        region=REGION,
        service=w.service,
        when=when,
    ).get("Authorization")
    assert result.headers["Authorization"] == expected


# --- floor -------------------------------------------------------------------


def floor_signer(w: Workload) -> Signer:
    details = sign_details(
        w.awscore_request(), CREDS, region=REGION, service=w.service, when=WHEN
    )
    body = w.body
    canonical_request = details.canonical_request.encode()
    string_to_sign = details.string_to_sign.encode()
    key = details.signing_key
    sha256 = hashlib.sha256
    digest = hmac.digest

    def run() -> str:
        sha256(body).hexdigest()  # the payload hash (computed even when empty)
        sha256(canonical_request).hexdigest()
        return digest(key, string_to_sign, "sha256").hex()

    return run


# --- the benchmarks ----------------------------------------------------------


def make_signer(impl: str, w: Workload) -> Signer:
    if impl == "awscore":
        return awscore_signer(w)
    if impl == "botocore":
        require_peer("botocore")
        return botocore_signer(w)
    if impl == "awscrt":
        require_peer("awscrt")
        return awscrt_signer(w)
    if impl == "requests-aws4auth":
        require_peer("requests_aws4auth")
        return aws4auth_signer(w)
    assert impl == "floor"
    return floor_signer(w)


def check(impl: str, w: Workload, result: Any) -> None:
    """Fail unless ``result`` carries the signature awscore computes."""
    expected = awscore_authorization(w)
    if impl == "awscore":
        assert result.get("Authorization") == expected
    elif impl == "botocore":
        assert botocore_authorization(result) == expected
    elif impl == "awscrt":
        assert awscrt_authorization(result) == expected
    elif impl == "requests-aws4auth":
        check_aws4auth(w, result)
    else:
        assert expected.endswith(f"Signature={result}")


@pytest.mark.parametrize("workload", list(WORKLOADS))
def test_awscore_matches_botocore(workload: str) -> None:
    """The timed work is equivalent: awscore and botocore sign identically."""
    require_peer("botocore")
    w = WORKLOADS[workload]
    boto = botocore_authorization(botocore_signer(w)())
    assert awscore_authorization(w) == boto


@pytest.mark.parametrize("impl", IMPLEMENTATIONS)
@pytest.mark.parametrize("workload", list(WORKLOADS))
def test_sign(benchmark: Any, workload: str, impl: str) -> None:
    w = WORKLOADS[workload]
    run = make_signer(impl, w)
    check(impl, w, run())  # before timing: same signature as awscore
    benchmark.group = f"sigv4-{workload}"
    benchmark.extra_info["implementation"] = impl
    benchmark.extra_info["workload"] = workload
    result = benchmark(run)
    check(impl, w, result)


# --- verification ------------------------------------------------------------
#
# What a server does with a signed request: awscore's Verifier (parse, scope,
# skew, payload hash, recompute, constant-time compare) against what Python
# emulators do today, re-signing the received request with botocore and comparing
# the Authorization strings. awscore's own sign() of the same request is the
# yardstick: the target is verify <= 1.2x sign.

VERIFY_IMPLEMENTATIONS = ("awscore-sign", "awscore-verify", "botocore-resign")


def _signed(w: Workload) -> HttpRequest:
    return sign(w.awscore_request(), CREDS, region=REGION, service=w.service, when=WHEN)


def verify_runner(impl: str, w: Workload) -> Callable[[], Any]:
    from awscore.sigv4 import Verifier

    signed = _signed(w)
    if impl == "awscore-sign":
        return awscore_signer(w)
    if impl == "awscore-verify":
        verifier = Verifier({AKID: CREDS}.get, regions={REGION}, services={w.service})
        verify = verifier.verify

        def run_verify() -> Any:
            return verify(signed, now=WHEN)

        return run_verify
    assert impl == "botocore-resign"
    from botocore.auth import S3SigV4Auth, SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials as BotoCredentials

    cls = S3SigV4Auth if w.s3 else SigV4Auth
    signer = cls(BotoCredentials(AKID, SECRET), w.service, REGION)
    received = dict(signed.headers)
    provided = received["Authorization"]
    url, method, body = signed.url, signed.method, signed.body

    def run_resign() -> Any:
        request = AWSRequest(method=method, url=url, data=body, headers=received)
        signer.add_auth(request)
        return hmac.compare_digest(request.headers["Authorization"], provided)

    return run_resign


@pytest.mark.parametrize("impl", VERIFY_IMPLEMENTATIONS)
@pytest.mark.parametrize("workload", list(WORKLOADS))
def test_verify(benchmark: Any, workload: str, impl: str) -> None:
    w = WORKLOADS[workload]
    if impl == "botocore-resign":
        require_peer("botocore")
    run = verify_runner(impl, w)
    first = run()
    if impl == "botocore-resign":
        assert first is True  # botocore agrees the request is validly signed
    benchmark.group = f"sigv4-verify-{workload}"
    benchmark.extra_info["implementation"] = impl
    benchmark.extra_info["workload"] = workload
    benchmark(run)


# --- POST policy (browser form uploads) --------------------------------------
#
# What S3 does per form upload before it stores the file: check the signature
# over the base64 policy, decode the policy, check its expiration, every
# condition and that every field is named. The floor is the two primitives no
# verifier can skip: base64-decoding the policy and one HMAC-SHA256 of it under a
# precomputed signing key. The form is what boto3's generate_presigned_post makes
# for a key prefix, an acl, a Content-Type prefix and a size range, plus the
# fields a browser adds (Content-Type, the file's size).

POST_IMPLEMENTATIONS = ("awscore-verify-post", "floor")


def _post_form() -> Any:
    from awscore.sigv4 import PostForm, presign_post

    post = presign_post(
        "https://examplebucket.s3.amazonaws.com/",
        "user/eric/${filename}",
        CREDS,
        region=REGION,
        when=WHEN,
        expires=3600,
        conditions=[
            {"acl": "public-read"},
            ["starts-with", "$Content-Type", "image/"],
            ["content-length-range", 1, 10 * 1024 * 1024],
        ],
        fields={"acl": "public-read"},
    )
    fields = (*post.fields.items(), ("Content-Type", "image/jpeg"))
    return PostForm(bucket="examplebucket", fields=fields, file_size=123_456)


def post_runner(impl: str) -> Callable[[], Any]:
    import base64

    from awscore.sigv4 import Verifier, derive_signing_key

    form = _post_form()
    if impl == "awscore-verify-post":
        verifier = Verifier({AKID: CREDS}.get, regions={REGION}, services={"s3"})
        verify_post = verifier.verify_post

        def run_verify_post() -> Any:
            return verify_post(form, now=WHEN)

        return run_verify_post
    assert impl == "floor"
    policy = (form.get("policy") or "").encode()
    provided = form.get("x-amz-signature") or ""
    key = derive_signing_key(SECRET, "20150830", REGION, "s3")

    def run_floor() -> Any:
        base64.b64decode(policy, validate=True)
        expected = hmac.new(key, policy, hashlib.sha256).hexdigest()
        return hmac.compare_digest(expected, provided)

    return run_floor


@pytest.mark.parametrize("impl", POST_IMPLEMENTATIONS)
def test_verify_post_policy(benchmark: Any, impl: str) -> None:
    run = post_runner(impl)
    first = run()
    if impl == "floor":
        assert first is True  # the floor's HMAC is the form's real signature
    else:
        assert first.payload_mode == "post"
    benchmark.group = "sigv4-post-policy-verify (per upload)"
    benchmark.extra_info["implementation"] = impl
    benchmark.extra_info["workload"] = "post-policy"
    benchmark(run)


# --- SigV4A ------------------------------------------------------------------
#
# ECDSA P-256 dominates SigV4A, so the floor is cryptography's ECDSA alone: a
# signature of the real string to sign (for signing) or its verification (for
# verifying). awscrt signs SigV4A in C; it has no verifier to compare with.

V4A_IMPLEMENTATIONS = ("floor", "awscore", "awscrt")


def _v4a_details(w: Workload) -> Any:
    from awscore.sigv4 import ALGORITHM_V4A

    return sign_details(
        w.awscore_request(),
        CREDS,
        region=REGION,
        service=w.service,
        when=WHEN,
        algorithm=ALGORITHM_V4A,
        region_set=["*"],
    )


def v4a_signer(impl: str, w: Workload) -> Callable[[], Any]:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec

    from awscore.sigv4 import ALGORITHM_V4A, derive_v4a_private_key

    if impl == "floor":
        key = derive_v4a_private_key(AKID, SECRET)
        message = _v4a_details(w).string_to_sign.encode()
        algorithm = ec.ECDSA(hashes.SHA256())
        return lambda: key.sign(message, algorithm)
    if impl == "awscore":
        method, url, headers, body, service = (
            w.method,
            w.url,
            w.headers,
            w.body,
            w.service,
        )
        return lambda: sign(
            HttpRequest(method, url, headers, body),
            CREDS,
            region=REGION,
            service=service,
            when=WHEN,
            algorithm=ALGORITHM_V4A,
            region_set=["*"],
        )
    assert impl == "awscrt"
    return awscrt_signer(w, v4a=True)


@pytest.mark.parametrize("impl", V4A_IMPLEMENTATIONS)
@pytest.mark.parametrize("workload", list(WORKLOADS))
def test_sign_v4a(benchmark: Any, workload: str, impl: str) -> None:
    w = WORKLOADS[workload]
    if impl == "awscrt":
        require_peer("awscrt")
    run = v4a_signer(impl, w)
    run()
    benchmark.group = f"sigv4a-{workload}"
    benchmark.extra_info["implementation"] = impl
    benchmark.extra_info["workload"] = workload
    benchmark(run)


@pytest.mark.parametrize("impl", ["floor", "awscore"])
@pytest.mark.parametrize("workload", list(WORKLOADS))
def test_verify_v4a(benchmark: Any, workload: str, impl: str) -> None:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec

    from awscore.sigv4 import Verifier, derive_v4a_public_key

    w = WORKLOADS[workload]
    details = _v4a_details(w)
    if impl == "floor":
        public = derive_v4a_public_key(AKID, SECRET)
        signature = bytes.fromhex(details.signature)
        message = details.string_to_sign.encode()
        algorithm = ec.ECDSA(hashes.SHA256())

        def run() -> Any:
            return public.verify(signature, message, algorithm)

    else:
        verify = Verifier(
            {AKID: CREDS}.get, regions={REGION}, services={w.service}
        ).verify
        signed = details.request

        def run() -> Any:
            return verify(signed, now=WHEN)

    run()
    benchmark.group = f"sigv4a-verify-{workload}"
    benchmark.extra_info["implementation"] = impl
    benchmark.extra_info["workload"] = workload
    benchmark(run)


# --- aws-chunked streaming ---------------------------------------------------
#
# A 64 MiB upload fed in 1 MiB pieces, 64 KiB chunks: awscore encodes (signing each
# chunk) and decodes (verifying each chunk) it, in constant memory, against the
# floor of one hashlib.sha256 pass over the same bytes. Signing and verifying must
# each hash every byte, so a signed mode's sign + verify does two hash passes: its
# ceiling is about 0.5x of that floor. The unsigned mode with a CRC32 trailer
# hashes nothing but the CRC.

STREAM_BYTES = 64 * 1024 * 1024
STREAM_PIECE = 1024 * 1024
STREAM_IMPLEMENTATIONS = [
    "floor",
    "signed",
    "signed-trailer-crc32",
    "unsigned-crc32",
    "signed-sign-only",
    "signed-verify-only",
]


def _stream_runner(impl: str) -> Callable[[], Any]:
    from awscore.sigv4 import ChunkedDecoder, StreamingMode, sign_chunked

    piece = bytes(range(256)) * (STREAM_PIECE // 256)
    pieces = STREAM_BYTES // STREAM_PIECE
    if impl == "floor":

        def floor() -> Any:
            h = hashlib.sha256()
            for _ in range(pieces):
                h.update(piece)
            return h.hexdigest()

        return floor
    mode, checksum = {
        "signed": (StreamingMode.SIGNED, None),
        "signed-trailer-crc32": (StreamingMode.SIGNED_TRAILER, "crc32"),
        "unsigned-crc32": (StreamingMode.UNSIGNED_TRAILER, "crc32"),
        "signed-sign-only": (StreamingMode.SIGNED, None),
        "signed-verify-only": (StreamingMode.SIGNED, None),
    }[impl]
    if impl.endswith("-only"):
        return _one_side(impl, piece, pieces)

    def run() -> int:
        request, encoder = sign_chunked(
            HttpRequest("PUT", "https://examplebucket.s3.amazonaws.com/big"),
            CREDS,
            region=REGION,
            service="s3",
            when=WHEN,
            data_length=STREAM_BYTES,
            mode=mode,
            trailer_checksum=checksum,
        )
        seed = request.get("Authorization") or ""
        decoder = ChunkedDecoder(
            mode=mode,
            signing_key=sign_details(
                request,
                CREDS,
                region=REGION,
                service="s3",
                when=WHEN,
                payload=mode.value,
                content_sha256_header=True,
            ).signing_key,
            amz_date=request.get("X-Amz-Date") or "",
            scope=f"{WHEN:%Y%m%d}/{REGION}/s3/aws4_request",
            seed_signature=seed.rsplit("Signature=", 1)[1],
            decoded_length=STREAM_BYTES,
            expected_trailers=() if checksum is None else ("x-amz-checksum-crc32",),
        )
        received = 0
        for _ in range(pieces):
            for framed in encoder.feed(piece):
                for data in decoder.feed(framed):
                    received += len(data)
        for framed in encoder.finish():
            for data in decoder.feed(framed):
                received += len(data)
        decoder.finish()
        assert received == STREAM_BYTES
        return received

    return run


def _one_side(impl: str, piece: bytes, pieces: int) -> Callable[[], Any]:
    """Signing alone (framing every chunk) or verifying alone (a framed body
    made beforehand, decoded and checked): each hashes every byte once."""
    from awscore.sigv4 import ChunkedDecoder, ChunkedEncoder, StreamingMode

    key = sign_details(
        HttpRequest("PUT", "https://examplebucket.s3.amazonaws.com/big"),
        CREDS,
        region=REGION,
        service="s3",
        when=WHEN,
    ).signing_key
    assert key is not None
    chain = {
        "mode": StreamingMode.SIGNED,
        "signing_key": key,
        "amz_date": f"{WHEN:%Y%m%dT%H%M%SZ}",
        "scope": f"{WHEN:%Y%m%d}/{REGION}/s3/aws4_request",
        "seed_signature": "0" * 64,
    }

    def encode() -> list[bytes]:
        encoder = ChunkedEncoder(**chain)  # type: ignore[arg-type]
        out = [framed for _ in range(pieces) for framed in encoder.feed(piece)]
        out.extend(encoder.finish())
        return out

    if impl == "signed-sign-only":
        return encode
    framed = encode()

    def decode() -> int:
        decoder = ChunkedDecoder(decoded_length=STREAM_BYTES, **chain)  # type: ignore[arg-type]
        received = sum(len(d) for piece in framed for d in decoder.feed(piece))
        decoder.finish()
        return received

    return decode


@pytest.mark.parametrize("impl", STREAM_IMPLEMENTATIONS)
def test_stream_64mib(benchmark: Any, impl: str) -> None:
    run = _stream_runner(impl)
    benchmark.group = "sigv4-stream-64MiB (sign + verify)"
    benchmark.extra_info["implementation"] = impl
    benchmark.pedantic(run, rounds=3, iterations=1, warmup_rounds=0)
