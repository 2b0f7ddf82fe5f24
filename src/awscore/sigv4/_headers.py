"""The header part of the canonical request.

Rules (AWS SigV4 documentation, the aws-c-auth test suite):

* names are lower-cased and sorted; the signed-header list is the sorted names
  joined with ``;``;
* values are trimmed and every run of spaces and tabs becomes one space, inside
  double quotes too (the legacy ``get-header-value-trim`` vector);
* a name that repeats signs once, its values joined with ``,`` in request order;
* hop-by-hop and tracing headers, which proxies add or rewrite, are never signed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from awscore.errors import InvalidHeaderError

__all__ = [
    "UNSIGNED_HEADERS",
    "check_header",
    "outgoing_headers",
    "trim_value",
]

#: Headers that are never signed: a proxy or the HTTP client may add, drop or
#: rewrite them in transit (RFC 9110 §7.6.1 hop-by-hop headers, tracing headers).
UNSIGNED_HEADERS = frozenset(
    {
        "authorization",
        "baggage",
        "connection",
        "expect",
        "keep-alive",
        "te",
        "traceparent",
        "tracestate",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "user-agent",
        "x-amzn-trace-id",
    }
)

# RFC 9110 §5.6.2 token.
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_FORBIDDEN_IN_VALUE = re.compile(r"[\r\n\0]")
_WHITESPACE_RUN = re.compile(r"[ \t]+")
_VALID_HEADER = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+:[^\r\n\0]*")


def check_header(name: str, value: str) -> None:
    """Raise :class:`InvalidHeaderError` unless the header can be sent and signed."""
    if not _TOKEN.fullmatch(name):
        raise InvalidHeaderError(
            f"header name {name[:100]!r} is not an HTTP token: use letters, digits "
            "and !#$%&'*+-.^_`|~ only (RFC 9110 §5.6.2)"
        )
    if _FORBIDDEN_IN_VALUE.search(value):
        raise InvalidHeaderError(
            f"header {name!r} has CR, LF or NUL in its value: these would split or "
            "end the header on the wire"
        )


def trim_value(value: str) -> str:
    """Trim a header value and collapse runs of spaces and tabs to one space."""
    if "  " in value or "\t" in value:
        value = _WHITESPACE_RUN.sub(" ", value)
    if value[:1] == " " or value[-1:] == " ":
        value = value.strip(" ")
    return value


def outgoing_headers(
    headers: Iterable[tuple[str, str]],
    updates: dict[str, tuple[str, str]],
    *,
    unsigned_extra: str = "",
) -> tuple[tuple[tuple[str, str], ...], dict[str, str]]:
    """The headers a signed request leaves with, and the canonical signed values.

    One pass over the caller's headers: each is checked (an HTTP token name, no
    CR, LF or NUL), an old ``Authorization`` is dropped, and a header named in
    ``updates`` (lower-cased name -> new header) takes its new value where it
    stands, its repeats dropped; updates not yet present are appended in order.
    The values map each signed lower-cased name to its canonical value: trimmed,
    runs of spaces and tabs collapsed, repeats joined with ``,`` in order. Names
    in :data:`UNSIGNED_HEADERS`, ``proxy-*`` and ``unsigned_extra`` are sent but
    not signed. Raises :class:`InvalidHeaderError` for a header that cannot be sent.
    """
    out: list[tuple[str, str]] = []
    values: dict[str, str] = {}
    placed: set[str] = set()
    for header in headers:
        name, value = header
        # One match checks name and value together; check_header then names
        # the problem when there is one. A ':' in the name would pass that
        # match (the value may hold ':'), so it is looked for on its own.
        if ":" in name or _VALID_HEADER.fullmatch(f"{name}:{value}") is None:
            check_header(name, value)
        lname = name.lower()
        if lname in updates:
            if lname in placed:
                continue
            placed.add(lname)
            header = (name, updates[lname][1])  # noqa: PLW2901 - the new value goes out
            value = header[1]
        elif lname == "authorization":
            continue
        out.append(header)
        if (
            lname in UNSIGNED_HEADERS
            or lname == unsigned_extra
            or lname[:6] == "proxy-"
        ):
            continue
        if "  " in value or "\t" in value or value[:1] == " " or value[-1:] == " ":
            value = trim_value(value)
        values[lname] = f"{values[lname]},{value}" if lname in values else value
    for lname, header in updates.items():
        if lname not in placed:
            out.append(header)
            if lname != unsigned_extra:
                values[lname] = trim_value(header[1])
    return tuple(out), values
