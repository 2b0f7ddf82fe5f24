"""AWS's official SigV4 test suites: every case, header mode and query mode.

aws-c-auth's 38 ``v4`` cases are run as its harness runs them: header signing and
presigning, ``double_encode`` on, ``normalize`` from the context, the payload
hashed (and ``x-amz-content-sha256`` added in header mode) only when
``sign_body`` is true. The 31 legacy cases use the implicit context of that suite.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest

from awscore.sigv4 import (
    ALGORITHM_V4A,
    EMPTY_SHA256,
    Credentials,
    HttpRequest,
    SigningDetails,
    derive_v4a_public_key,
    parse_raw_request,
    sign_details,
)
from awscore.sigv4._sigv4a import ecdsa_verify_hex
from tests.conftest import vector_dir
from tests.sigv4._vectors import (
    LEGACY_CASES,
    V4_CASES,
    V4Case,
    legacy_cases,
    read_v4_case,
    v4_case_folders,
)

MODES = ("header", "query")


def _v4_root() -> Path:
    return vector_dir("sigv4", "v4")


def _sign_case(case: V4Case, mode: str, **v4a: Any) -> SigningDetails:
    """Sign a case as aws-c-auth's harness does (``v4a``: algorithm, region_set)."""
    return sign_details(
        case.request,
        case.credentials,
        region=case.region,
        service=case.service,
        when=case.when,
        presigned=mode == "query",
        expires=case.expires,
        normalize_path=case.normalize,
        double_encode=True,
        payload=None if case.sign_body else EMPTY_SHA256,
        content_sha256_header=case.sign_body and mode == "header",
        omit_session_token=case.omit_session_token,
        **v4a,
    )


def _case_names() -> list[str]:
    # Collected at import time so each case is its own test; when the vectors
    # are missing there is one placeholder that skips (or fails under CI).
    try:
        return [p.name for p in v4_case_folders(_v4_root())]
    except BaseException:  # pytest's skip/fail outcomes are BaseExceptions
        return ["<vectors missing>"]


def test_v4_suite_is_complete() -> None:
    assert len(v4_case_folders(_v4_root())) == V4_CASES


@pytest.mark.vectors
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("name", _case_names())
def test_v4_case(name: str, mode: str) -> None:
    case = read_v4_case(_v4_root() / name)
    details = _sign_case(case, mode)
    assert details.canonical_request == case.expected(mode, "canonical-request")
    assert details.string_to_sign == case.expected(mode, "string-to-sign")
    assert details.signature == case.expected(mode, "signature").strip()
    expected = case.expected_request(mode)
    signed = details.request
    assert signed.method == expected.method
    assert signed.body == expected.body
    if mode == "header":
        assert signed.url == expected.url
        assert list(signed.headers) == list(expected.headers)
    else:
        got, want = urlsplit(signed.url), urlsplit(expected.url)
        assert got.path == want.path
        # Parameter order in the expected file is not canonical: compare as sets.
        assert sorted(parse_qsl(got.query, keep_blank_values=True)) == sorted(
            parse_qsl(want.query, keep_blank_values=True)
        )
        assert list(signed.headers) == list(expected.headers)


# --- SigV4A: aws-c-auth's v4a cases -----------------------------------------


def _v4a_root() -> Path:
    return vector_dir("sigv4", "v4a")


def _v4a_names() -> list[str]:
    try:
        return [p.name for p in v4_case_folders(_v4a_root())]
    except BaseException:
        return ["<vectors missing>"]


def test_v4a_suite_is_complete() -> None:
    assert len(v4_case_folders(_v4a_root())) == V4_CASES


def test_v4a_public_key_matches_the_vector() -> None:
    import json

    expected = json.loads((_v4a_root() / "get-vanilla" / "public-key.json").read_text())
    case = read_v4_case(_v4a_root() / "get-vanilla")
    numbers = derive_v4a_public_key(
        case.credentials.access_key_id, case.credentials.secret_access_key
    ).public_numbers()
    assert f"{numbers.x:064x}" == expected["X"]
    assert f"{numbers.y:064x}" == expected["Y"]


def _signature_in(request: HttpRequest, mode: str) -> str:
    if mode == "header":
        value = request.get("Authorization")
        assert value is not None
        return value.rsplit("Signature=", 1)[1]
    return dict(parse_qsl(urlsplit(request.url).query))["X-Amz-Signature"]


def _without_signature(request: HttpRequest, mode: str) -> tuple[object, ...]:
    """The request with its (randomized) ECDSA signature taken out."""
    parts = urlsplit(request.url)
    query = sorted(
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if k != "X-Amz-Signature"
    )
    headers = [
        (n, v.rsplit("Signature=", 1)[0] if n.lower() == "authorization" else v)
        for n, v in request.headers
    ]
    return request.method, parts.path, query, headers, request.body


@pytest.mark.vectors
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("name", _v4a_names())
def test_v4a_case(name: str, mode: str) -> None:
    """Canonical request and string to sign are exact; ECDSA signatures, being
    randomized, are checked by verifying them (ours and the vector's)."""
    case = read_v4_case(_v4a_root() / name)
    details = _sign_case(case, mode, algorithm=ALGORITHM_V4A, region_set=[case.region])
    assert details.canonical_request == case.expected(mode, "canonical-request")
    assert details.string_to_sign == case.expected(mode, "string-to-sign")
    public_key = derive_v4a_public_key(
        case.credentials.access_key_id, case.credentials.secret_access_key
    )
    message = details.string_to_sign.encode()
    assert ecdsa_verify_hex(public_key, details.signature, message)
    assert ecdsa_verify_hex(
        public_key, case.expected(mode, "signature").strip(), message
    )
    expected = case.expected_request(mode)
    assert ecdsa_verify_hex(public_key, _signature_in(expected, mode), message)
    assert _without_signature(details.request, mode) == _without_signature(
        expected, mode
    )
    if mode == "header":
        assert _signature_in(details.request, mode) == details.signature


# --- the legacy 2015 suite --------------------------------------------------

LEGACY_TOKEN = (
    "AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBu"
    "FqwAeMicRXmxfpSPfIeoIYRqTflfKD8YUuwthAx7mSEI/qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp"
    "2wUE8phUZampKsburEDy0KPkyQDYwT7WZ0wq5VSXDvp75YU9HFvlRd8Tx6q6fE8YQcHNVXAkiY9q6"
    "d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz+scqKmlzm8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4r"
    "vx3iSIlTJabIQwj2ICCR/oLxBA=="
)


def _legacy_root() -> Path:
    return vector_dir("sigv4", "legacy-aws-sig-v4-test-suite")


def _legacy_names() -> list[str]:
    try:
        return [c.name for c in legacy_cases(_legacy_root())]
    except BaseException:
        return ["<vectors missing>"]


def test_legacy_suite_is_complete() -> None:
    assert len(legacy_cases(_legacy_root())) == LEGACY_CASES


@pytest.mark.vectors
@pytest.mark.parametrize("name", _legacy_names())
def test_legacy_case(name: str) -> None:
    from datetime import UTC, datetime

    case = next(c for c in legacy_cases(_legacy_root()) if c.name == name)
    request = parse_raw_request(_legacy_unfold(case.raw(".req")))
    after = name.endswith("post-sts-header-after")
    # The "before" case already carries the token header, signed like any other;
    # the "after" case attaches it once the signature is computed.
    creds = Credentials(
        "AKIDEXAMPLE",
        "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        LEGACY_TOKEN if after else None,
    )
    details = sign_details(
        request,
        creds,
        region="us-east-1",
        service="service",
        when=datetime(2015, 8, 30, 12, 36, tzinfo=UTC),
        omit_session_token=after,
    )
    assert details.canonical_request == case.read(".creq")
    assert details.string_to_sign == case.read(".sts")
    assert details.authorization == case.read(".authz")
    expected = parse_raw_request(_legacy_unfold(case.raw(".sreq")))
    assert details.request.url == expected.url
    assert details.request.body == expected.body
    assert _header_set(details.request) == _header_set(expected)


def _legacy_unfold(raw: bytes) -> bytes:
    """Read the 2015 suite's folded lines as that suite meant them.

    The 2015 suite treats each continuation line of ``get-header-value-multiline``
    as one more value of the header (its canonical request joins them with
    ``,``), whereas aws-c-auth's suite and RFC 9112 §5.2 unfold with a space. The
    two files differ in how the *request* is read, not in SigV4, so the test turns
    the legacy continuation lines into repeated header lines before parsing.
    """
    head, sep, body = raw.partition(b"\n\n")
    lines: list[bytes] = []
    name = b""
    for line in head.split(b"\n"):
        if line[:1] in (b" ", b"\t") and name:
            lines.append(name + b":" + line.strip())
        else:
            name = line.partition(b":")[0]
            lines.append(line)
    return b"\n".join(lines) + sep + body


def _header_set(request: HttpRequest) -> list[tuple[str, str]]:
    return sorted((n.lower(), v) for n, v in request.headers)
