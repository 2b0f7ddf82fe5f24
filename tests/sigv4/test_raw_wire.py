"""Reading and writing requests in HTTP/1.1 wire form (RFC 9112).

The official vectors exercise :func:`parse_raw_request` with bare ``\\n`` line
ends only; these tests cover the ``\\r\\n`` form that real wire captures use, the
round trip through :func:`serialize_request`, and every refusal, each written
by hand from RFC 9112 §3 (request line) and §5 (field lines).
"""

from __future__ import annotations

import pytest

from awscore.errors import InvalidHeaderError, SigV4InputError
from awscore.sigv4 import HttpRequest, parse_raw_request, serialize_request


def test_crlf_request_keeps_its_body_and_header_order() -> None:
    raw = (
        b"PUT /bucket/key?x=1 HTTP/1.1\r\n"
        b"Host: example.amazonaws.com\r\n"
        b"X-Amz-Meta-A: one\r\n"
        b"Content-Length: 11\r\n"
        b"\r\n"
        b"hello\n\nworld"
    )
    request = parse_raw_request(raw)
    assert request.method == "PUT"
    assert request.url == "https://example.amazonaws.com/bucket/key?x=1"
    assert request.headers == (
        ("Host", "example.amazonaws.com"),
        ("X-Amz-Meta-A", "one"),
        ("Content-Length", "11"),
    )
    # The blank line that ends the head is the CRLF one: a bare "\n\n" inside
    # the body does not cut the body short.
    assert request.body == b"hello\n\nworld"


def test_bare_lf_head_before_a_crlf_in_the_body_ends_at_the_first_blank_line() -> None:
    raw = b"POST / HTTP/1.1\nHost: h\n\nbody\r\n\r\nmore"
    request = parse_raw_request(raw, scheme="http")
    assert request.url == "http://h/"
    assert request.headers == (("Host", "h"),)
    assert request.body == b"body\r\n\r\nmore"


def test_head_without_its_closing_blank_line_is_read_with_an_empty_body() -> None:
    # A capture cut right after the last header line: RFC 9112's empty line is
    # missing, but nothing is lost.
    request = parse_raw_request(b"GET / HTTP/1.1\r\nHost: h\r\n")
    assert request == HttpRequest("GET", "https://h/", [("Host", "h")], b"")


def test_bytearray_is_read_like_bytes() -> None:
    # Typed as bytes, but a bytearray (a socket buffer) is accepted at run time.
    data = bytearray(b"GET / HTTP/1.1\r\nHost: h\r\n\r\n")
    request = parse_raw_request(data)  # type: ignore[arg-type]
    assert request == HttpRequest("GET", "https://h/", [("Host", "h")], b"")


def test_obsolete_line_folding_is_unfolded_with_one_space() -> None:
    raw = b"GET / HTTP/1.1\r\nHost: h\r\nX-Folded: first\r\n \t second\r\n\r\n"
    assert parse_raw_request(raw).get("X-Folded") == "first second"


def test_request_target_with_spaces_is_kept_as_written() -> None:
    raw = b"GET /example space/ HTTP/1.1\nHost: h\n\n"
    assert parse_raw_request(raw).url == "https://h/example space/"


def test_text_is_refused() -> None:
    with pytest.raises(SigV4InputError, match="must be bytes"):
        parse_raw_request("GET / HTTP/1.1\r\nHost: h\r\n\r\n")  # type: ignore[arg-type]


def test_head_that_is_not_utf8_is_refused_with_the_offending_byte() -> None:
    raw = b"GET / HTTP/1.1\r\nHost: h\r\nX-Bin: \xff\r\n\r\n"
    with pytest.raises(SigV4InputError, match=r"not UTF-8 text \(byte 32\)"):
        parse_raw_request(raw)


@pytest.mark.parametrize(
    "line",
    [b"GET /", b"GET / HTTX/1.1", b"GET"],
)
def test_request_line_must_be_method_target_version(line: bytes) -> None:
    with pytest.raises(SigV4InputError, match=r"is not 'METHOD target HTTP/1\.1'"):
        parse_raw_request(line + b"\r\nHost: h\r\n\r\n")


def test_absolute_form_target_is_refused() -> None:
    raw = b"GET http://h/ HTTP/1.1\r\nHost: h\r\n\r\n"
    with pytest.raises(SigV4InputError, match="must start with '/'"):
        parse_raw_request(raw)


def test_continuation_before_any_header_is_refused() -> None:
    raw = b"GET / HTTP/1.1\r\n continued\r\nHost: h\r\n\r\n"
    with pytest.raises(InvalidHeaderError, match="first header line is a continuation"):
        parse_raw_request(raw)


def test_header_line_without_colon_is_refused() -> None:
    raw = b"GET / HTTP/1.1\r\nHost: h\r\nNoColonHere\r\n\r\n"
    with pytest.raises(InvalidHeaderError, match="'NoColonHere' has no ':'"):
        parse_raw_request(raw)


@pytest.mark.parametrize(
    ("hosts", "count"),
    [(b"", 0), (b"Host: a\r\nhost: b\r\n", 2)],
)
def test_exactly_one_host_header_is_needed(hosts: bytes, count: int) -> None:
    raw = b"GET / HTTP/1.1\r\n" + hosts + b"X-A: 1\r\n\r\n"
    with pytest.raises(SigV4InputError, match=f"this one has {count}"):
        parse_raw_request(raw)


def test_serialize_writes_a_host_header_when_there_is_none() -> None:
    request = HttpRequest("GET", "https://example.com:8443/a/b?c=d#frag")
    assert serialize_request(request) == (
        b"GET /a/b?c=d HTTP/1.1\r\nHost: example.com:8443\r\n\r\n"
    )


def test_serialize_keeps_the_callers_host_header_and_appends_the_body() -> None:
    request = HttpRequest(
        "POST", "https://h?x=1", [("host", "h"), ("X-A", "1")], b"payload"
    )
    # No path at all: the target is "/" followed by the query.
    assert serialize_request(request) == (
        b"POST /?x=1 HTTP/1.1\r\nhost: h\r\nX-A: 1\r\n\r\npayload"
    )


def test_serialize_of_a_bare_host_url_targets_slash() -> None:
    assert serialize_request(HttpRequest("GET", "https://h")) == (
        b"GET / HTTP/1.1\r\nHost: h\r\n\r\n"
    )


def test_serialize_then_parse_gives_the_request_back() -> None:
    request = HttpRequest(
        "DELETE", "https://h/k%20ey?a=1&b=", [("Host", "h"), ("X-B", "2")], b"xyz"
    )
    assert parse_raw_request(serialize_request(request)) == request
