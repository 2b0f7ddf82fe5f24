"""The URL parts of the canonical request: host, canonical path, canonical query.

Rules (AWS SigV4 documentation, the aws-c-auth test suite, botocore):

* URI encoding uses RFC 3986's unreserved set ``A-Za-z0-9-._~``; every other byte
  of the UTF-8 form becomes ``%XX`` with upper-case hex.
* Path: services other than S3 remove ``.``/``..`` segments, collapse empty ones
  (``//``) and keep a trailing ``/``, then encode the wire path once more ("double
  encoding", so ``%20`` on the wire signs as ``%2520``). S3 does neither and
  encodes once: every byte that is not unreserved or ``/`` becomes ``%XX``, and an
  existing ``%XX`` escape is kept with its hex upper-cased, so ``$`` and ``%24``
  both sign as ``%24`` (the S3 API reference's PUT Object example signs
  ``PUT /test$file.text`` with the canonical URI ``/test%24file.text``).
* Query: split on ``&`` and the first ``=``; percent-decode, then re-encode each key
  and value; sort by encoded key, then encoded value. ``+`` is a literal plus
  (``%2B``), not a space; a key without ``=`` signs as ``key=``.
"""

from __future__ import annotations

import re
from urllib.parse import quote, unquote_to_bytes

from awscore.errors import InvalidUrlError

__all__ = [
    "SplitUrl",
    "canonical_path",
    "canonical_query",
    "encode_query_component",
    "split_url",
]

# RFC 3986 §3: scheme "://" authority path ["?" query] ["#" fragment]
_URL = re.compile(
    r"([A-Za-z][A-Za-z0-9+.\-]*+)://([^/?#]*+)([^?#]*+)(?:\?([^#]*+))?(?:#.*+)?",
    re.DOTALL,
)
_CTL = re.compile(r"[\r\n\0]")
_SPACE = re.compile(r"\s")
# Text that URI encoding leaves as it is: RFC 3986's unreserved set (plus '/'
# in paths, plus the '=' and '&' that structure a query).
_PLAIN_PATH = re.compile(r"[A-Za-z0-9\-._~/]*")
_PLAIN_QUERY = re.compile(r"[A-Za-z0-9\-._~=&]*")
_UNRESERVED = re.compile(r"[A-Za-z0-9\-._~]*")
_DEFAULT_PORTS = {"http": "80", "https": "443"}
# A single-encoded (S3) path: a well-formed escape is one already-encoded byte
# and is kept (hex upper-cased, as UriEncode writes it); any other run of bytes
# outside the unreserved set and '/' (sub-delims, a space, non-ASCII, a stray
# '%') is encoded. This is how the S3 API reference signs its examples, and how
# S3 itself reads a path, whichever form the client put on the wire.
_SINGLE_SAFE = re.compile(r"(?:[A-Za-z0-9\-._~/]|%[0-9A-F]{2})*")
_SINGLE_PIECE = re.compile(r"(%[0-9A-Fa-f]{2})|[^A-Za-z0-9\-._~/%]+|%")


class SplitUrl:
    """A URL cut into the pieces SigV4 needs, without decoding anything."""

    __slots__ = ("base", "host", "path", "query", "scheme")

    def __init__(self, scheme: str, host: str, base: str, path: str, query: str):
        self.scheme = scheme
        #: the value of the ``host`` header derived from the URL
        self.host = host
        #: ``scheme://authority`` as written, for rebuilding presigned URLs
        self.base = base
        self.path = path
        self.query = query


def split_url(url: str) -> SplitUrl:
    """Split ``url`` into scheme, host header value, wire path and wire query.

    The host drops any userinfo and the scheme's default port and is lower-cased,
    as HTTP clients send it. Raises :class:`InvalidUrlError` for a URL without a
    scheme or host, or with characters no URL may hold.
    """
    # Checked first: the URL pattern below never matches these, and a long URL
    # that ends in one would make it backtrack for quadratic time.
    if _CTL.search(url):
        raise InvalidUrlError(f"URL {url[:200]!r} contains CR, LF or NUL")
    match = _URL.fullmatch(url)
    if match is None:
        raise InvalidUrlError(
            f"URL {url[:200]!r} has no scheme: expected an absolute URL such as "
            "'https://example.amazonaws.com/'"
        )
    scheme, authority, path, query = match.groups(default="")
    hostport = authority.rpartition("@")[2] if "@" in authority else authority
    if hostport[:1] == "[":
        bracket = hostport.find("]")
        if bracket == -1:
            raise InvalidUrlError(f"URL {url[:200]!r} has an unterminated IPv6 host")
        host, port = hostport[: bracket + 1], hostport[bracket + 1 :]
        if port and port[0] != ":":
            raise InvalidUrlError(f"URL {url[:200]!r} has junk after its IPv6 host")
        port = port[1:]
    else:
        host, _, port = hostport.partition(":")
    if not host:
        raise InvalidUrlError(
            f"URL {url[:200]!r} has no host: expected scheme://host[:port]/path"
        )
    if _SPACE.search(host):
        raise InvalidUrlError(f"URL {url[:200]!r} has whitespace in its host")
    if port and not port.isdigit():
        raise InvalidUrlError(f"URL {url[:200]!r} has a non-numeric port {port!r}")
    scheme = scheme.lower()
    host = host.lower()
    if port and port != _DEFAULT_PORTS.get(scheme):
        host = f"{host}:{port}"
    return SplitUrl(scheme, host, f"{scheme}://{authority}", path, query)


def normalize_path(path: str) -> str:
    """Remove ``.``/``..`` and empty segments, keeping a leading and trailing ``/``.

    This is botocore's and AWS's reading of RFC 3986 §5.2.4 for SigV4: ``..``
    above the root is dropped, and a trailing ``/`` survives only when segments
    remain (``/a/..`` is ``/``; ``/a/b/`` stays ``/a/b/``).
    """
    if not path:
        return "/"
    # A dot segment always follows a '/', so most paths need no work at all.
    if path[0] == "/" and "/." not in path and "//" not in path:
        return path
    kept: list[str] = []
    for segment in path.split("/"):
        if segment == "..":
            if kept:
                kept.pop()
        elif segment and segment != ".":
            kept.append(segment)
    if not kept:
        return "/"
    trailing = "/" if path.endswith("/") else ""
    return "/" + "/".join(kept) + trailing


def canonical_path(path: str, *, normalize: bool, double_encode: bool) -> str:
    """The canonical URI for the wire ``path`` under the chosen rules."""
    if normalize:
        path = normalize_path(path)
    elif not path:
        path = "/"
    elif not path.startswith("/"):
        path = "/" + path
    if _PLAIN_PATH.fullmatch(path):
        return path
    if double_encode:
        # `quote` leaves RFC 3986's unreserved set and '/' alone and encodes
        # the UTF-8 bytes of everything else, '%' included.
        return quote(path, safe="/")
    if _SINGLE_SAFE.fullmatch(path):
        return path
    return _SINGLE_PIECE.sub(_encode_piece, path)


def _encode_piece(match: re.Match[str]) -> str:
    escape = match.group(1)
    if escape is not None:
        return escape.upper()
    return quote(match.group(), safe="")


def encode_query_component(text: str | bytes) -> str:
    """URI-encode a query key or value: everything but the unreserved set."""
    return quote(text, safe="")


def _recode(component: str) -> str:
    if _UNRESERVED.fullmatch(component):
        return component
    if "%" in component:
        return quote(unquote_to_bytes(component), safe="")
    return quote(component, safe="")


def query_pairs(query: str) -> list[tuple[str, str]]:
    """The ``(key, value)`` pairs of a wire query, decoded then re-encoded.

    Empty pieces (``a=1&&b=2``) hold no parameter and are skipped.
    """
    pairs = []
    if _PLAIN_QUERY.fullmatch(query):
        # Nothing to decode or encode but an '=' inside a value.
        for piece in query.split("&"):
            if piece:
                key, _, value = piece.partition("=")
                if "=" in value:
                    value = value.replace("=", "%3D")
                pairs.append((key, value))
        return pairs
    for piece in query.split("&"):
        if piece:
            key, _, value = piece.partition("=")
            pairs.append((_recode(key), _recode(value)))
    return pairs


def canonical_query(query: str, extra: list[tuple[str, str]] | None = None) -> str:
    """The canonical query string of a wire ``query`` plus already-encoded ``extra``."""
    pairs = query_pairs(query) if query else []
    if extra:
        pairs.extend(extra)
    if not pairs:
        return ""
    pairs.sort()
    return "&".join([f"{k}={v}" for k, v in pairs])
