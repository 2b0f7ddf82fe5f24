"""Hostile input to the credential parsers and the X.509 verifier raises only
awscore errors: never a crash, a bare ValueError, or a hang."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable
from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from awscore.errors import AwsCoreError
from awscore.sigv4 import (
    HttpRequest,
    ProcessResult,
    X509Verifier,
    parse_config_file,
    parse_create_session,
    parse_credentials_file,
)
from awscore.sigv4._container import parse_container_credentials
from awscore.sigv4._process import parse_process_output
from awscore.sigv4._sts import parse_sts_credentials
from tests.sigv4._pki import make_pki

_INI_ALPHABET = st.sampled_from([*"[]=:#; \n\t\"'profiledefaultaws_key\\x$%{}", "\r"])
_PKI = make_pki("p256")
_VERIFIER = X509Verifier([_PKI.ca], regions={"us-east-1"})


@given(st.text(_INI_ALPHABET, max_size=200) | st.text(max_size=200))
def test_ini_parsers_raise_only_awscore_errors(text: str) -> None:
    """Any text given as a config or credentials file parses or raises an awscore
    error (CredentialsConfigError)."""
    for parse in (parse_config_file, parse_credentials_file):
        with contextlib.suppress(AwsCoreError):
            parse(text)


_JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                [
                    "Version",
                    "AccessKeyId",
                    "SecretAccessKey",
                    "SessionToken",
                    "Expiration",
                    "Token",
                    "credentialSet",
                    "credentials",
                    "accessKeyId",
                    "secretAccessKey",
                    "sessionToken",
                    "expiration",
                ]
            ),
            inner,
            max_size=6,
        )
    ),
    max_leaves=12,
)


@given(
    st.binary(max_size=300) | _JSONISH.map(lambda v: json.dumps(v).encode()),
    st.integers(0, 600),
)
def test_answer_parsers_raise_only_awscore_errors(body: bytes, status: int) -> None:
    """Bytes from a process, a container/IMDS endpoint, STS or Roles Anywhere are
    parsed or refused with an awscore error."""
    parsers: list[Callable[[], object]] = [
        lambda: parse_process_output(
            ProcessResult(returncode=0, stdout=body, stderr=b""), ["p"]
        ),
        lambda: parse_container_credentials(body),
        lambda: parse_sts_credentials(status, body, step="assume-role"),
        lambda: parse_create_session(status, body),
    ]
    for parse in parsers:
        with contextlib.suppress(AwsCoreError):
            parse()


_HEADER_VALUES = st.text(max_size=80) | st.sampled_from(
    [
        "AWS4-X509-RSA-SHA256 Credential=1/20260101/us-east-1/rolesanywhere/"
        "aws4_request, SignedHeaders=host;x-amz-date;x-amz-x509, Signature=00",
        "20260101T000000Z",
        "MIIB",
        "",
    ]
)


@settings(max_examples=200)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(
                [
                    "Authorization",
                    "X-Amz-Date",
                    "X-Amz-X509",
                    "X-Amz-X509-Chain",
                    "Host",
                ]
            ),
            _HEADER_VALUES,
        ),
        max_size=6,
    )
)
def test_x509_verifier_raises_only_awscore_errors(
    headers: list[tuple[str, str]],
) -> None:
    """Any headers on a Roles Anywhere request are verified or refused with a
    SigV4VerificationError (or another awscore error), never anything else."""
    try:
        request = HttpRequest(
            "POST",
            "https://rolesanywhere.us-east-1.amazonaws.com/sessions",
            headers,
            b"{}",
        )
    except AwsCoreError:
        return
    with contextlib.suppress(AwsCoreError):
        _VERIFIER.verify(request, now=datetime(2026, 1, 1, tzinfo=UTC))


def test_config_file_source_and_text_must_be_text() -> None:
    """A non-text source or text is a CredentialsConfigError naming it (the
    fuzzer found a huge int source crashing configparser's %r)."""
    import pytest

    from awscore.errors import CredentialsConfigError
    from awscore.sigv4 import parse_credentials_file

    with pytest.raises(CredentialsConfigError, match="source"):
        parse_config_file("x", source=10**5000)  # type: ignore[arg-type]
    with pytest.raises(CredentialsConfigError, match="must be text"):
        parse_credentials_file(b"[a]\n")  # type: ignore[arg-type]


def test_roles_anywhere_helpers_check_argument_types() -> None:
    """A non-bytes PEM or non-Credentials value is a SigV4InputError naming it
    (the fuzzer found a TypeError and an AttributeError)."""
    import pytest

    from awscore.errors import SigV4InputError
    from awscore.sigv4 import credential_process_json, load_certificate_chain

    with pytest.raises(SigV4InputError, match="pem"):
        load_certificate_chain(None)  # type: ignore[arg-type]
    with pytest.raises(SigV4InputError, match="credentials must be"):
        credential_process_json(7)  # type: ignore[arg-type]


def test_create_session_answer_types_and_depth() -> None:
    """A non-bytes body is a SigV4InputError; a deeply nested one is a
    CredentialsFetchError (the fuzzer found AttributeError and RecursionError)."""
    import pytest

    from awscore.errors import CredentialsFetchError, SigV4InputError

    with pytest.raises(SigV4InputError, match="body"):
        parse_create_session(200, 1.5)  # type: ignore[arg-type]
    with pytest.raises(SigV4InputError, match="status"):
        parse_create_session(True, b"{}")
    with pytest.raises(CredentialsFetchError, match="not JSON"):
        parse_create_session(200, b"[" * 100_000)
