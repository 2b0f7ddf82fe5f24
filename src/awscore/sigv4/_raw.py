"""Reading and writing requests in HTTP/1.1 wire form (RFC 9112).

Used by the CLI (``awscore sigv4 verify`` reads a raw request) and by the tests
that feed AWS's test-suite files. Obsolete line folding (a header line that
starts with whitespace continues the previous value, RFC 9112 §5.2) is unfolded
with one space, as a recipient must.
"""

from __future__ import annotations

from awscore.errors import ArgumentTypeError, InvalidHeaderError, SigV4InputError
from awscore.sigv4._model import HttpRequest, kind_of
from awscore.sigv4._uri import split_url

__all__ = ["parse_raw_request", "serialize_request"]


def parse_raw_request(data: bytes, *, scheme: str = "https") -> HttpRequest:
    """Parse an HTTP/1.1 request (``\\r\\n`` or bare ``\\n`` line ends).

    The URL is rebuilt from ``scheme`` and the ``Host`` header. The request target
    is kept as written, spaces included (AWS's test suite writes raw paths).
    Raises :class:`SigV4InputError` for a request that cannot be read.
    """
    if not isinstance(data, bytes | bytearray):
        raise SigV4InputError("a raw request must be bytes")
    if not isinstance(scheme, str) or scheme not in ("http", "https"):
        shown_scheme = repr(scheme[:20]) if isinstance(scheme, str) else kind_of(scheme)
        raise SigV4InputError(
            f"scheme must be 'http' or 'https' (SigV4 signs HTTP requests), "
            f"not {shown_scheme}"
        )
    head, sep, body = bytes(data).partition(b"\r\n\r\n")
    lf_head, lf_sep, lf_body = bytes(data).partition(b"\n\n")
    if not sep or (lf_sep and len(lf_head) < len(head)):
        head, sep, body = lf_head, lf_sep, lf_body
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SigV4InputError(
            f"request head is not UTF-8 text (byte {exc.start})"
        ) from None
    lines = text.replace("\r\n", "\n").split("\n")
    request_line = lines[0]
    parts = request_line.split(" ")
    if len(parts) < 3 or not parts[-1].startswith("HTTP/"):
        raise SigV4InputError(
            f"request line {request_line[:120]!r} is not 'METHOD target HTTP/1.1'"
        )
    method, target = parts[0], " ".join(parts[1:-1])
    if not target.startswith("/"):
        raise SigV4InputError(f"request target {target[:120]!r} must start with '/'")
    headers: list[list[str]] = []
    for line in lines[1:]:
        if not line:
            continue
        if line[0] in " \t":
            if not headers:
                raise InvalidHeaderError("the first header line is a continuation")
            headers[-1][1] += " " + line.strip(" \t")
            continue
        name, colon, value = line.partition(":")
        if not colon:
            raise InvalidHeaderError(f"header line {line[:120]!r} has no ':'")
        headers.append([name, value.strip(" \t")])
    hosts = [v for n, v in headers if n.lower() == "host"]
    if len(hosts) != 1:
        raise SigV4InputError(
            "a raw request needs exactly one Host header to rebuild its URL, "
            f"this one has {len(hosts)}"
        )
    return HttpRequest(
        method, f"{scheme}://{hosts[0]}{target}", [(n, v) for n, v in headers], body
    )


def serialize_request(request: HttpRequest) -> bytes:
    """The request in HTTP/1.1 wire form, ``\\r\\n`` line ends, body appended.

    Raises :class:`~awscore.errors.SigV4InputError` for text no request can carry
    on the wire (a lone surrogate, which has no UTF-8 form).
    """
    if not isinstance(request, HttpRequest):
        raise ArgumentTypeError(
            f"request must be awscore.sigv4.HttpRequest, not {kind_of(request)}"
        )
    try:
        return _serialize(request)
    except UnicodeEncodeError as exc:
        raise SigV4InputError(
            f"the request holds text that is not valid Unicode ({exc.reason} at "
            f"position {exc.start}) and cannot be written as UTF-8"
        ) from None


def _serialize(request: HttpRequest) -> bytes:
    rest = request.url.partition("://")[2]
    cut = min((i for i in (rest.find("/"), rest.find("?")) if i != -1), default=-1)
    target = rest[cut:] if cut != -1 else "/"
    if target.startswith("?"):
        target = "/" + target
    target = target.partition("#")[0]
    lines = [f"{request.method} {target} HTTP/1.1"]
    if not any(n.lower() == "host" for n, _ in request.headers):
        lines.append(f"Host: {split_url(request.url).host}")
    lines += [f"{n}: {v}" for n, v in request.headers]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + request.body
