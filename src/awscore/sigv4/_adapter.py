"""What the ``requests`` and ``httpx`` adapters share: options, clock, the diff.

Both adapt a library's request to :class:`~awscore.sigv4.HttpRequest`, sign it,
and write back only the headers the signature added or changed, so the library
keeps its own header objects and order.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from awscore.errors import SigV4InputError
from awscore.sigv4._credentials import CredentialsProvider, current_credentials
from awscore.sigv4._model import Credentials, HttpRequest, kind_of
from awscore.sigv4._signer import PAYLOAD_CONSTANTS, UNSIGNED_PAYLOAD, sign

__all__ = ["HeaderChanges", "SigningAdapter"]

#: The ``(name, value)`` pairs to set on the library's request. Nothing is ever
#: deleted: :func:`sign` keeps every header it is given (an old
#: ``Authorization`` is replaced, not dropped), so only additions and changes
#: are written back.
HeaderChanges = list[tuple[str, str]]


def _utc_now() -> datetime:
    return datetime.now(UTC)


class SigningAdapter:
    """The signing options of an adapter, and the signing step itself."""

    def __init__(
        self,
        credentials: Credentials | CredentialsProvider,
        *,
        region: str,
        service: str,
        clock: Callable[[], datetime] | None = None,
        normalize_path: bool | None = None,
        double_encode: bool | None = None,
        payload: str | None = None,
        content_sha256_header: bool | None = None,
        omit_session_token: bool = False,
    ) -> None:
        # A provider (anything with credentials()) is asked at each signature,
        # so refreshed credentials are picked up without a new adapter.
        if not isinstance(credentials, Credentials) and not callable(
            getattr(credentials, "credentials", None)
        ):
            raise SigV4InputError(
                "credentials must be awscore.sigv4.Credentials or a provider with a "
                f"credentials() method, not {kind_of(credentials)}"
            )
        self.credentials = credentials
        self.region = region
        self.service = service
        self.clock = _utc_now if clock is None else clock
        self.normalize_path = normalize_path
        self.double_encode = double_encode
        self.payload = payload
        self.content_sha256_header = content_sha256_header
        self.omit_session_token = omit_session_token

    def __repr__(self) -> str:
        # Credentials' own repr leaves out the secret and the token.
        return (
            f"{type(self).__name__}({self.credentials!r}, region={self.region!r}, "
            f"service={self.service!r})"
        )

    def _sign_headers(
        self,
        method: str,
        url: str,
        headers: Sequence[tuple[str, str]],
        body: bytes,
        *,
        streaming: bool,
    ) -> HeaderChanges:
        """Sign the request; return the header changes to apply to it."""
        payload = self.payload
        if payload is None and streaming:
            # A stream not read yet: reading it here would buffer it whole.
            payload = UNSIGNED_PAYLOAD
        content_sha256_header = self.content_sha256_header
        if content_sha256_header is None and payload in PAYLOAD_CONSTANTS:
            # A payload constant instead of a hash must be announced, or the
            # service hashes the body and the signatures differ.
            content_sha256_header = True
        signed = sign(
            HttpRequest(method, url, headers, body),
            current_credentials(self.credentials),
            region=self.region,
            service=self.service,
            when=self.clock(),
            normalize_path=self.normalize_path,
            double_encode=self.double_encode,
            payload=payload,
            content_sha256_header=content_sha256_header,
            omit_session_token=self.omit_session_token,
        )
        old = _grouped(headers)
        return [
            # The signer only ever changes single-valued headers.
            (name, ",".join(values))
            for lname, (name, values) in _grouped(signed.headers).items()
            if old.get(lname, ("", []))[1] != values
        ]


def _grouped(
    headers: Sequence[tuple[str, str]],
) -> dict[str, tuple[str, list[str]]]:
    """Each lower-cased name with its first spelling and all its values."""
    out: dict[str, tuple[str, list[str]]] = {}
    for name, value in headers:
        out.setdefault(name.lower(), (name, []))[1].append(value)
    return out
