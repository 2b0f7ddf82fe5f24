"""Values the signer works on: credentials, requests and signing results."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime

from awscore._inputs import shown
from awscore.errors import InvalidHeaderError, SigV4InputError

__all__ = ["Credentials", "HttpRequest", "SigningDetails", "kind_of"]


_KINDS: tuple[tuple[type | tuple[type, ...], str], ...] = (
    (str, "text"),
    ((bytes, bytearray, memoryview), "bytes"),
    ((list, tuple), "a list"),
    (dict, "a mapping"),
)


def kind_of(value: object) -> str:
    """What ``value`` is, in words for an error message (not a Python type name)."""
    if value is None or isinstance(value, bool):
        return repr(value)
    if isinstance(value, int | float):
        return f"the number {shown(value, 40)}"
    for kinds, words in _KINDS:
        if isinstance(value, kinds):
            return words
    return "a value of another kind"


def _check_key_id(access_key_id: str) -> None:
    # The key id travels inside the credential scope (`AKID/date/region/...`), so a
    # `/`, whitespace or a control character would make the scope unparseable.
    if not isinstance(access_key_id, str) or not access_key_id:
        raise SigV4InputError("access key id must be a non-empty string")
    if "/" in access_key_id or not access_key_id.isprintable() or " " in access_key_id:
        raise SigV4InputError(
            f"access key id {shown(access_key_id)} is invalid: it may not contain '/', "
            "whitespace or control characters"
        )


@dataclass(frozen=True, slots=True)
class Credentials:
    """AWS credentials: an access key id, its secret and an optional session token.

    The secret and the token are left out of ``repr``/``str`` so that logging a
    ``Credentials`` value never leaks them. ``expiration`` (an aware datetime)
    is set on temporary credentials; a value is also a credentials provider
    (:meth:`credentials` returns itself).
    """

    access_key_id: str
    secret_access_key: str = field(repr=False)
    session_token: str | None = field(default=None, repr=False)
    expiration: datetime | None = field(default=None, kw_only=True)

    def credentials(self) -> Credentials:
        """This value itself: fixed credentials are their own provider."""
        return self

    def __repr__(self) -> str:
        # Never the secret or the token; the expiration only when there is one,
        # so that fixed credentials print as they always have.
        if self.expiration is None:
            return f"Credentials(access_key_id={self.access_key_id!r})"
        return (
            f"Credentials(access_key_id={self.access_key_id!r}, "
            f"expiration={self.expiration!r})"
        )

    def __post_init__(self) -> None:
        _check_key_id(self.access_key_id)
        if not isinstance(self.secret_access_key, str) or not self.secret_access_key:
            raise SigV4InputError("secret access key must be a non-empty string")
        token = self.session_token
        if token is not None and (not isinstance(token, str) or not token):
            raise SigV4InputError("session token must be a non-empty string or None")
        if token is not None and any(c in token for c in "\r\n\0"):
            raise SigV4InputError("session token may not contain CR, LF or NUL")
        expiration = self.expiration
        if expiration is not None and (
            not isinstance(expiration, datetime) or expiration.utcoffset() is None
        ):
            raise SigV4InputError(
                "expiration must be an aware datetime (with a time zone) or None"
            )


Header = tuple[str, str]


def is_text_pair(pair: object) -> bool:
    """Whether ``pair`` is a ``(name, value)`` tuple of two strings."""
    return (
        isinstance(pair, tuple)
        and len(pair) == 2
        and isinstance(pair[0], str)
        and isinstance(pair[1], str)
    )


def _as_bytes(body: object) -> bytes:
    if isinstance(body, bytes):
        return body
    if isinstance(body, bytearray | memoryview):
        return bytes(body)
    raise SigV4InputError(f"body must be bytes, not {kind_of(body)}")


@dataclass(frozen=True, slots=True)
class HttpRequest:
    """An HTTP request as it goes on the wire.

    ``url`` is the request URL as sent (its path and query already in wire form);
    ``headers`` is an ordered sequence of ``(name, value)`` pairs where a name may
    repeat; ``body`` is the payload bytes. The value is immutable: signing returns
    a new request.
    """

    method: str
    url: str
    headers: tuple[Header, ...] = ()
    body: bytes = b""

    def __init__(
        self,
        method: str,
        url: str,
        headers: Iterable[tuple[str, str]] = (),
        body: bytes = b"",
    ) -> None:
        if not isinstance(headers, tuple):
            try:
                headers = tuple(headers)
            except TypeError:
                raise InvalidHeaderError(
                    "headers must be a sequence of (name, value) pairs of strings, "
                    f"not {kind_of(headers)}"
                ) from None
        for pair in headers:
            if not is_text_pair(pair):
                raise InvalidHeaderError(
                    f"header {shown(pair)} is invalid: headers are (name, value) pairs "
                    "of strings"
                )
        body = _as_bytes(body)
        if not isinstance(method, str) or not isinstance(url, str):
            raise SigV4InputError("method and url must be strings")
        object.__setattr__(self, "method", method)
        object.__setattr__(self, "url", url)
        object.__setattr__(self, "headers", headers)
        object.__setattr__(self, "body", body)

    @classmethod
    def _trusted(
        cls, method: str, url: str, headers: tuple[Header, ...], body: bytes
    ) -> HttpRequest:
        # The signer builds its output from parts it has already validated;
        # skipping the checks keeps signing cheap.
        request = object.__new__(cls)
        object.__setattr__(request, "method", method)
        object.__setattr__(request, "url", url)
        object.__setattr__(request, "headers", headers)
        object.__setattr__(request, "body", body)
        return request

    def get_all(self, name: str) -> list[str]:
        """Every value of header ``name`` (case-insensitive), in order."""
        if not isinstance(name, str):
            raise InvalidHeaderError(f"header name must be text, not {kind_of(name)}")
        lname = name.lower()
        return [v for n, v in self.headers if n.lower() == lname]

    def get(self, name: str, default: str | None = None) -> str | None:
        """The values of header ``name`` joined with ``,``, or ``default``."""
        values = self.get_all(name)
        return ",".join(values) if values else default

    def __iter__(self) -> Iterator[Header]:
        return iter(self.headers)


@dataclass(frozen=True, slots=True, kw_only=True)
class SigningDetails:
    """Every intermediate result of one signature, for debugging a mismatch.

    Compare ``canonical_request`` and ``string_to_sign`` with the ones AWS returns
    in a ``SignatureDoesNotMatch`` error: the first line that differs names the
    culprit. ``signing_key`` is derived from the secret and is left out of
    ``repr``; it is ``None`` for SigV4A, whose key is an ECDSA key pair
    (:func:`~awscore.sigv4.derive_v4a_public_key` gives its public half).
    """

    algorithm: str
    amz_date: str
    credential_scope: str
    canonical_request: str
    string_to_sign: str
    signing_key: bytes | None = field(repr=False)
    signature: str
    signed_headers: tuple[str, ...]
    payload_hash: str
    presigned: bool
    request: HttpRequest
    url: str
    authorization: str | None
