"""AWS Signature Version 4: signing requests and presigned URLs.

>>> from datetime import datetime, timezone
>>> from awscore.sigv4 import Credentials, HttpRequest, sign
>>> creds = Credentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
>>> signed = sign(
...     HttpRequest("GET", "https://example.amazonaws.com/"),
...     creds,
...     region="us-east-1",
...     service="service",
...     when=datetime(2015, 8, 30, 12, 36, tzinfo=timezone.utc),
... )
>>> signed.get("Authorization")[-64:]
'5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31'

The core is sans-I/O: it never reads the clock (``when`` is a parameter), the
environment or the network. The ``requests`` and ``httpx`` adapters
(:class:`RequestsAuth`, :class:`HttpxAuth`) import their library only when used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from awscore.sigv4._chain import (
    CHAIN_STEPS,
    CREDENTIAL_SOURCES,
    Resolution,
    SkippedStep,
    credentials_provider,
    resolve_credentials,
)
from awscore.sigv4._checksums import CHECKSUMS
from awscore.sigv4._chunked import ChunkedDecoder, ChunkedEncoder, StreamingMode
from awscore.sigv4._config import (
    MAX_CONFIG_BYTES,
    SharedConfig,
    parse_config_file,
    parse_credentials_file,
)
from awscore.sigv4._credentials import (
    ADVISORY_REFRESH_SECONDS,
    MANDATORY_REFRESH_SECONDS,
    CredentialsProvider,
    RefreshingCredentials,
    current_credentials,
)
from awscore.sigv4._form import PostFormReader
from awscore.sigv4._headers import UNSIGNED_HEADERS
from awscore.sigv4._keys import derive_signing_key, signing_key_cache_clear
from awscore.sigv4._middleware import (
    IDENTITY_KEY,
    POST_FORM_KEY,
    SigV4AsgiMiddleware,
    SigV4WsgiMiddleware,
)
from awscore.sigv4._model import Credentials, HttpRequest, SigningDetails
from awscore.sigv4._post import PostForm, PresignedPost, presign_post
from awscore.sigv4._raw import parse_raw_request, serialize_request
from awscore.sigv4._rolesanywhere import (
    ALGORITHM_X509_ECDSA,
    ALGORITHM_X509_RSA,
    X509Signer,
    create_session,
    create_session_request,
    credential_process_json,
    load_certificate_chain,
    load_private_key,
    parse_create_session,
)
from awscore.sigv4._signer import (
    ALGORITHM,
    EMPTY_SHA256,
    MAX_PRESIGN_EXPIRES,
    S3_SERVICES,
    UNSIGNED_PAYLOAD,
    format_amz_date,
    presign,
    sign,
    sign_details,
)
from awscore.sigv4._sigv4a import (
    ALGORITHM_V4A,
    derive_v4a_private_key,
    derive_v4a_public_key,
)
from awscore.sigv4._streaming import sign_chunked
from awscore.sigv4._transport import (
    ChainIO,
    HttpResponse,
    HttpTimeoutError,
    ProcessResult,
    default_io,
)
from awscore.sigv4._verifier import (
    CredentialScope,
    ReplayGuard,
    VerifiedRequest,
    Verifier,
    claimed_scope,
)
from awscore.sigv4._x509_verifier import VerifiedX509Request, X509Verifier

if TYPE_CHECKING:
    from awscore.sigv4._httpx import HttpxAuth as HttpxAuth
    from awscore.sigv4._requests import RequestsAuth as RequestsAuth

__all__ = [
    "ADVISORY_REFRESH_SECONDS",
    "ALGORITHM",
    "ALGORITHM_V4A",
    "ALGORITHM_X509_ECDSA",
    "ALGORITHM_X509_RSA",
    "CHAIN_STEPS",
    "CHECKSUMS",
    "CREDENTIAL_SOURCES",
    "EMPTY_SHA256",
    "IDENTITY_KEY",
    "MANDATORY_REFRESH_SECONDS",
    "MAX_CONFIG_BYTES",
    "MAX_PRESIGN_EXPIRES",
    "POST_FORM_KEY",
    "S3_SERVICES",
    "UNSIGNED_HEADERS",
    "UNSIGNED_PAYLOAD",
    "ChainIO",
    "ChunkedDecoder",
    "ChunkedEncoder",
    "CredentialScope",
    "Credentials",
    "CredentialsProvider",
    "HttpRequest",
    "HttpResponse",
    "HttpTimeoutError",
    "PostForm",
    "PostFormReader",
    "PresignedPost",
    "ProcessResult",
    "RefreshingCredentials",
    "ReplayGuard",
    "Resolution",
    "SharedConfig",
    "SigV4AsgiMiddleware",
    "SigV4WsgiMiddleware",
    "SigningDetails",
    "SkippedStep",
    "StreamingMode",
    "VerifiedRequest",
    "VerifiedX509Request",
    "Verifier",
    "X509Signer",
    "X509Verifier",
    "claimed_scope",
    "create_session",
    "create_session_request",
    "credential_process_json",
    "credentials_provider",
    "current_credentials",
    "default_io",
    "derive_signing_key",
    "derive_v4a_private_key",
    "derive_v4a_public_key",
    "format_amz_date",
    "load_certificate_chain",
    "load_private_key",
    "parse_config_file",
    "parse_create_session",
    "parse_credentials_file",
    "parse_raw_request",
    "presign",
    "presign_post",
    "resolve_credentials",
    "serialize_request",
    "sign",
    "sign_chunked",
    "sign_details",
    "signing_key_cache_clear",
]

# The adapters need optional packages: load them on first use only, so that
# `import awscore.sigv4` works without requests or httpx installed. RequestsAuth
# and HttpxAuth are public but left out of __all__, so that `import *` does not
# pull in (or fail on) packages the caller did not ask for.
_LAZY = {
    "RequestsAuth": "awscore.sigv4._requests",
    "HttpxAuth": "awscore.sigv4._httpx",
}


def __getattr__(name: str) -> Any:
    module_name = _LAZY.get(name)
    if module_name is None:
        raise AttributeError(f"module 'awscore.sigv4' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module_name), name)
    globals()[name] = value
    return value
