"""PostFormReader: the incremental multipart/form-data reader for POST uploads.

RFC 7578 / RFC 2046 §5.1 framing, read in pieces of any size: the fields before
the part named ``file`` are collected (bounded), the file's content is handed back
as it arrives, and parts after the file are skipped, as S3 does.
"""

from __future__ import annotations

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from awscore.errors import (
    InvalidPostArgumentError,
    MalformedPostRequestError,
    PostFieldsTooLargeError,
    SigV4InputError,
)
from awscore.sigv4 import PostFormReader
from awscore.sigv4._form import boundary_of

BOUNDARY = "----awscoreBoundary7MA4YWxkTrZu0gW"
CONTENT_TYPE = f"multipart/form-data; boundary={BOUNDARY}"


def _part_head(boundary: str, name: str) -> bytes:
    disposition = f'Content-Disposition: form-data; name="{name}"'
    return f"--{boundary}\r\n{disposition}\r\n\r\n".encode()


def body(
    fields: list[tuple[str, str]],
    content: bytes | None,
    *,
    after: list[tuple[str, str]] = (),  # type: ignore[assignment]
    filename: str = "photo.jpg",
    preamble: bytes = b"",
    epilogue: bytes = b"",
    boundary: str = BOUNDARY,
) -> bytes:
    """A multipart/form-data body as a browser writes it (RFC 7578)."""
    out = bytearray(preamble)
    for name, value in fields:
        out += _part_head(boundary, name)
        out += value.encode() + b"\r\n"
    if content is not None:
        out += (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
            f'filename="{filename}"\r\nContent-Type: image/jpeg\r\n\r\n'
        ).encode()
        out += content + b"\r\n"
    for name, value in after:
        out += _part_head(boundary, name)
        out += value.encode() + b"\r\n"
    out += f"--{boundary}--\r\n".encode() + epilogue
    return bytes(out)


def read(data: bytes, step: int | None = None, **kwargs: int) -> tuple[object, bytes]:
    reader = PostFormReader(CONTENT_TYPE, bucket="b", **kwargs)
    pieces: list[bytes] = []
    step = step or max(len(data), 1)
    for at in range(0, len(data), step):
        pieces += reader.feed(data[at : at + step])
    return reader.finish(), b"".join(pieces)


_text = st.text(alphabet=st.characters(codec="utf-8"), max_size=30)
_names = st.from_regex(r"[A-Za-z][A-Za-z0-9_\-]{0,15}", fullmatch=True).filter(
    lambda n: n.lower() != "file"
)


@given(
    fields=st.lists(st.tuples(_names, _text), max_size=6),
    content=st.binary(max_size=2000),
    cuts=st.lists(st.integers(1, 300), min_size=1, max_size=40),
)
def test_any_split_of_the_body_reads_the_same_form(
    fields: list[tuple[str, str]], content: bytes, cuts: list[int]
) -> None:
    """Fed in pieces of any sizes, the reader returns the fields in order and
    the file's content byte for byte, as from the whole body at once."""
    data = body(fields, content, after=[("submit", "Upload")])
    reader = PostFormReader(CONTENT_TYPE, bucket="b")
    pieces: list[bytes] = []
    at = 0
    for cut in cuts * (len(data) // max(sum(cuts), 1) + 1):
        pieces += reader.feed(data[at : at + cut])
        at += cut
        if at >= len(data):
            break
    pieces += reader.feed(data[at:])
    form = reader.finish()
    assert b"".join(pieces) == content
    assert form.fields == tuple(fields)
    assert form.file_size == len(content)
    assert form.filename == "photo.jpg"
    assert form.file_content_type == "image/jpeg"


@given(content=st.binary(max_size=300))
def test_file_content_that_looks_like_a_boundary_is_content(content: bytes) -> None:
    """Bytes resembling the delimiter (without its CRLF, or cut short) stay data."""
    tricky = content + f"--{BOUNDARY}".encode() + b"\r\n--" + BOUNDARY[:-1].encode()
    # a sender picks a boundary its content does not hold (RFC 2046 §5.1.1)
    assume(f"\r\n--{BOUNDARY}".encode() not in tricky)
    _, data = read(body([], tricky), step=7)
    assert data == tricky


def test_preamble_epilogue_and_padding_are_ignored() -> None:
    data = body([("a", "1")], b"x", preamble=b"ignored\r\n", epilogue=b"trailing junk")
    data = data.replace(
        f"--{BOUNDARY}\r\n".encode(), f"--{BOUNDARY} \t\r\n".encode(), 1
    )
    form, content = read(data)
    assert content == b"x"
    assert form.fields == (("a", "1"),)  # type: ignore[attr-defined]


def test_names_and_filenames_may_be_quoted_escaped_or_bare() -> None:
    data = (
        f"--{BOUNDARY}\r\ncontent-disposition: form-data; name=acl\r\n\r\npublic\r\n"
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="q\\"x"\r\n\r\n1\r\n'
        f"--{BOUNDARY}\r\nContent-Disposition: form-data; "
        'name="file"; filename="a;b.txt"\r\n\r\n'
        f"data\r\n--{BOUNDARY}--"
    ).encode()
    form, content = read(data)
    assert form.fields == (("acl", "public"), ('q"x', "1"))  # type: ignore[attr-defined]
    assert form.filename == "a;b.txt"  # type: ignore[attr-defined]
    assert form.file_content_type is None  # type: ignore[attr-defined]
    assert content == b"data"


@pytest.mark.parametrize(
    "content_type",
    [
        "multipart/form-data; boundary=",
        "multipart/form-data",
        "multipart/mixed; boundary=x",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=" + "x" * 71,
        'multipart/form-data; boundary="ends-in-space "',
        'multipart/form-data; boundary="unterminated',
    ],
)
def test_a_content_type_without_a_valid_boundary_is_malformed(
    content_type: str,
) -> None:
    with pytest.raises(MalformedPostRequestError):
        PostFormReader(content_type, bucket="b")


def test_a_quoted_boundary_and_other_parameters_are_read() -> None:
    assert (
        boundary_of('Multipart/Form-Data; charset=utf-8; boundary="a b:c"') == "a b:c"
    )


def test_a_truncated_body_is_malformed() -> None:
    whole = body([("a", "1")], b"0123456789")
    # (a cut inside the epilogue, after the closing '--', loses nothing)
    for end in (len(whole) - 4, len(whole) - 6, len(whole) // 2, 10, 0):
        reader = PostFormReader(CONTENT_TYPE, bucket="b")
        reader.feed(whole[:end])
        with pytest.raises(MalformedPostRequestError, match="truncated"):
            reader.finish()
        with pytest.raises(MalformedPostRequestError, match="already refused"):
            reader.feed(b"more")


def test_a_form_without_a_file_part_is_an_invalid_argument() -> None:
    with pytest.raises(InvalidPostArgumentError, match="exactly one file"):
        read(body([("key", "k")], None))


def test_fields_past_the_bound_are_too_large_however_they_arrive() -> None:
    small = body([("a", "x" * 100)], b"f")
    assert read(small, max_fields_size=400)[1] == b"f"
    for step in (None, 1, 13):
        with pytest.raises(PostFieldsTooLargeError, match="too large"):
            read(body([("a", "x" * 1000)], b"f"), step=step, max_fields_size=400)
        with pytest.raises(PostFieldsTooLargeError):
            read(
                body([(f"f{i}", "") for i in range(50)], b"f"),
                step=step,
                max_fields_size=400,
            )
        with pytest.raises(PostFieldsTooLargeError):
            read(b"p" * 1000 + body([], b"f"), step=step, max_fields_size=400)


def test_huge_part_headers_are_refused_before_and_after_the_file() -> None:
    huge = f"--{BOUNDARY}\r\nX-Pad: {'p' * 9000}\r\n".encode()
    with pytest.raises(PostFieldsTooLargeError):
        read(huge, max_fields_size=10**6)
    with pytest.raises(PostFieldsTooLargeError):
        read(huge + b"\r\n\r\nx", max_fields_size=10**6)
    after = body([], b"f").replace(
        f"--{BOUNDARY}--".encode(),
        f"--{BOUNDARY}\r\nX-Pad: {'p' * 9000}\r\n\r\n".encode(),
    )
    with pytest.raises(MalformedPostRequestError, match="headers exceed"):
        read(after)


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (f"--{BOUNDARY}junk\r\n".encode(), "junk after a boundary"),
        (f"--{BOUNDARY}".encode() + b"x" * 300, "junk after a boundary"),
        (f"--{BOUNDARY}\r\nno colon here\r\n\r\n".encode(), "malformed part header"),
        (
            f"--{BOUNDARY}\r\nContent-Type: text/plain\r\n\r\n".encode(),
            "no Content-Disposition",
        ),
        (
            f"--{BOUNDARY}\r\nContent-Disposition: attachment\r\n\r\n".encode(),
            "not form-data",
        ),
        (
            f"--{BOUNDARY}\r\nContent-Disposition: form-data; name\r\n\r\n".encode(),
            "malformed parameters",
        ),
        (f"--{BOUNDARY}\r\nX: \xff\r\n\r\n".encode("latin-1"), "not UTF-8"),
        (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="a"\r\n\r\n'.encode()
            + b"\xff\r\n--"
            + BOUNDARY.encode(),
            "not UTF-8",
        ),
    ],
)
def test_malformed_framing_is_a_typed_error(data: bytes, words: str) -> None:
    with pytest.raises(MalformedPostRequestError, match=words):
        read(data + f"\r\n--{BOUNDARY}--".encode())


def test_wrong_kinds_of_arguments_are_refused() -> None:
    with pytest.raises(SigV4InputError):
        PostFormReader(42, bucket="b")  # type: ignore[arg-type]
    with pytest.raises(SigV4InputError):
        PostFormReader(CONTENT_TYPE, bucket=None)  # type: ignore[arg-type]
    with pytest.raises(SigV4InputError):
        PostFormReader(CONTENT_TYPE, bucket="b", max_fields_size=0)
    reader = PostFormReader(CONTENT_TYPE, bucket="b")
    with pytest.raises(SigV4InputError):
        reader.feed("text")  # type: ignore[arg-type]
    with pytest.raises(MalformedPostRequestError):
        reader.finish()
    with pytest.raises(MalformedPostRequestError):
        reader.finish()


def test_junk_after_a_boundary_without_a_line_end_is_refused_once_too_long() -> None:
    reader = PostFormReader(CONTENT_TYPE, bucket="b")
    assert reader.feed(f"--{BOUNDARY}".encode() + b"x" * 100) == []
    with pytest.raises(MalformedPostRequestError, match="junk after a boundary"):
        reader.feed(b"x" * 200)


def test_other_part_headers_are_read_past() -> None:
    data = (
        f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=a\r\n"
        f"X-Other: 1\r\n\r\nv\r\n--{BOUNDARY}\r\n"
        'Content-Disposition: form-data; name="file"\r\n\r\nf\r\n'
        f"--{BOUNDARY}--"
    ).encode()
    form, content = read(data)
    assert form.fields == (("a", "v"),)  # type: ignore[attr-defined]
    assert content == b"f"


_hostile_pieces = st.lists(
    st.one_of(
        st.binary(max_size=40),
        st.sampled_from(
            [
                f"--{BOUNDARY}".encode(),
                f"\r\n--{BOUNDARY}\r\n".encode(),
                f"\r\n--{BOUNDARY}--".encode(),
                b"\r\n\r\n",
                b'Content-Disposition: form-data; name="file"; filename="x"',
                b'Content-Disposition: form-data; name="a"',
                b"Content-Disposition: form-data; name=",
                b"\xff\xfe",
                b"x" * 9000,
            ]
        ),
    ),
    max_size=25,
)


@given(pieces=_hostile_pieces)
def test_hostile_bytes_only_raise_awscore_errors(pieces: list[bytes]) -> None:
    """Whatever bytes arrive, in whatever pieces, the reader either reads a form
    or raises a SigV4Error (typed, as S3 would answer); nothing else escapes, and
    it holds no more than its bounds."""
    from awscore.errors import SigV4Error

    reader = PostFormReader(CONTENT_TYPE, bucket="b", max_fields_size=4096)
    try:
        for piece in pieces:
            reader.feed(piece)
            assert len(reader._buffer) <= 8 * 1024 + 64 * 1024 + 9000
        form = reader.finish()
    except SigV4Error:
        return
    assert sum(len(n) + len(v) for n, v in form.fields) <= 4096
