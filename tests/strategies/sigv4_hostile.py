"""Hypothesis strategies for hostile SigV4 authentication.

What a hostile client can put in front of :meth:`awscore.sigv4.Verifier.verify`:
``Authorization`` headers and presigned query strings that are either pure random
text (any code point, lone surrogates and control characters included, huge
numbers, huge values) or *mutations of valid ones*: a real :func:`sign` or
:func:`presign` output with one to three edits applied (a character deleted,
inserted or replaced, a component dropped, repeated or moved, case changed,
``%`` escapes added, broken or undone, a value replaced by a hostile one: dates
such as ``99999999T999999Z``, non-ASCII digits, ``X-Amz-Expires`` of ``-1`` or
``1e3``, signatures of 63 or 65 digits, scopes with a slash too many or too few,
SignedHeaders empty, repeated or unsorted).

Each strategy draws a :class:`HostileCase`: the request to verify, the valid
:class:`SignedCase` it started from (for the oracle: anything that verifies must
carry that signature and identity) and the edits made, for reading a failure.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from urllib.parse import quote, unquote

from hypothesis import strategies as st

from awscore.sigv4 import (
    ALGORITHM,
    ALGORITHM_V4A,
    Credentials,
    HttpRequest,
    Verifier,
    presign,
    sign,
)
from tests.strategies import sigv4 as sst

__all__ = [
    "CREDENTIALS",
    "HOSTILE_ALGORITHMS",
    "HOSTILE_DATES",
    "HOSTILE_EXPIRES",
    "HOSTILE_SNIPPETS",
    "PRESIGN_KEYS",
    "REGION",
    "SERVICES",
    "SIGNING_TIME",
    "HostileCase",
    "SignedCase",
    "any_nows",
    "claimed_signatures",
    "entirely_random_requests",
    "hostile_authorization_requests",
    "hostile_body_requests",
    "hostile_header_requests",
    "hostile_presigned_requests",
    "hostile_url_requests",
    "lookup",
    "make_verifier",
    "nows",
    "signed_cases",
]

SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
CREDENTIALS = Credentials("AKIDEXAMPLE", SECRET)
REGION = "us-east-1"
SERVICES = frozenset({"service", "s3"})
SIGNING_TIME = datetime(2015, 8, 30, 12, 36, tzinfo=UTC)


def lookup(access_key_id: str) -> Credentials | None:
    """The credential lookup: AKIDEXAMPLE only."""
    return CREDENTIALS if access_key_id == CREDENTIALS.access_key_id else None


def make_verifier() -> Verifier:
    """The verifier under test: AKIDEXAMPLE only, us-east-1, ``service`` and S3."""
    return Verifier(lookup, regions={REGION}, services=SERVICES)


@dataclass(frozen=True, slots=True, kw_only=True)
class SignedCase:
    """A request exactly as :func:`sign` or :func:`presign` produced it."""

    request: HttpRequest
    #: the signature the signer computed (hex, as it travels)
    signature: str
    when: datetime
    presigned: bool
    algorithm: str
    service: str


@dataclass(frozen=True, slots=True, kw_only=True)
class HostileCase:
    """A request to verify and the valid one it was derived from."""

    original: SignedCase
    request: HttpRequest
    #: True when derived from ``original`` by edits, False for random input
    mutated: bool
    #: what was done, in order, for reading a failure
    edits: tuple[str, ...]


# --- building blocks ---------------------------------------------------------

#: Every code point: lone surrogates (category Cs) and controls included.
ANY_CHAR = st.characters(exclude_categories=())
ANY_TEXT = st.text(ANY_CHAR, max_size=40)

# Digits that str.isdigit(), int() and the regex \d all accept where the wire
# format means ASCII digits: ARABIC-INDIC and FULLWIDTH.
_ARABIC = str.maketrans("0123456789", "".join(chr(0x660 + i) for i in range(10)))
_FULLWIDTH = str.maketrans("0123456789", "".join(chr(0xFF10 + i) for i in range(10)))
ARABIC_123 = "123".translate(_ARABIC)
FULLWIDTH_123 = "123".translate(_FULLWIDTH)

HOSTILE_SNIPPETS = (
    "",
    " ",
    "  ",
    "\t",
    "\r\n",
    "\n",
    "\0",
    "\x7f",
    "\x85",
    "\u2028",
    "\ufeff",
    "\ud800",
    "\udfff",
    ",",
    ", ",
    ";",
    ";;",
    "/",
    "//",
    "=",
    "==",
    "&",
    "&&",
    "?",
    "#",
    "%",
    "%%",
    "%G1",
    "%2",
    "%zz",
    "%0",
    "%00",
    "%0D%0A",
    "%FF",
    "%C3%28",
    "%ED%A0%80",  # an encoded lone surrogate
    "%2F",
    "%2f",
    "%252F",
    "%41",
    "+",
    "-1",
    "1e3",
    "0x10",
    "NaN",
    "inf",
    "99999999999999999999",
    ARABIC_123,
    FULLWIDTH_123,
    "²",  # SUPERSCRIPT TWO: isdigit() but not isdecimal()
    "é",
    "ሴ",
    "\U0001f600",
    "Credential=",
    "SignedHeaders=",
    "Signature=",
    "aws4_request",
    ALGORITHM,
    ALGORITHM_V4A,
    "X-Amz-Algorithm=",
    "X-Amz-Signature=",
)
_snippets = st.sampled_from(HOSTILE_SNIPPETS)
#: A very long value: what a parser that counts, converts or backtracks hates.
_long_runs = st.builds(
    lambda piece, count: piece * count,
    st.sampled_from(("9", "0", "a", "/", ",", ";", " ", "%41", "=", "&", ARABIC_123)),
    st.integers(min_value=500, max_value=20_000),
)
HOSTILE_PIECES = st.one_of(_snippets, ANY_TEXT, st.text(ANY_CHAR, max_size=3))

HOSTILE_DATES = (
    "99999999T999999Z",
    "00000000T000000Z",
    "00010101T000000Z",
    "99991231T235959Z",
    "20150830T123600",
    "20150830t123600z",
    "2015-08-30T12:36:00Z",
    "20150830T123600.5Z",
    "+20150830T123600Z",
    "20150230T000000Z",
    "20150830T246000Z",
    "20150830T123660Z",
    "20150830T123600Z ",
    " 20150830T123600Z",
    "20150830 T123600Z",
    "20150830T123600Z".translate(_ARABIC),
    "20150830T123600Z".translate(_FULLWIDTH),
    "2015083" + "0".translate(_ARABIC) + "T12360" + "0".translate(_ARABIC) + "Z",
    "",
)
HOSTILE_EXPIRES = (
    "-1",
    "1e3",
    "99999999999999999999",
    ARABIC_123,
    FULLWIDTH_123,
    "²",
    "0",
    "00",
    "604801",
    "604800",
    "1",
    " 1",
    "1 ",
    "+1",
    "1.5",
    "",
    "0x10",
    "1_000",
    "000000001",
    "0000000001",
    "999999999",
    "1000000000",
    "-0",
    "%31",
)
HOSTILE_ALGORITHMS = (
    "",
    "aws4-hmac-sha256",
    "AWS4-HMAC-SHA1",
    "AWS4-HMAC-SHA256 ",
    " AWS4-HMAC-SHA256",
    "AWS4-HMAC-SHA256\0",
    ALGORITHM,
    ALGORITHM_V4A,
    "AWS4-ECDSA-P256-SHA256,",
    "AWS",
)


@st.composite
def _hostile_value(draw: st.DrawFn, *specific: str) -> str:
    """A hostile replacement value: one of ``specific``, a snippet, random, huge."""
    choices: list[st.SearchStrategy[str]] = [HOSTILE_PIECES, _long_runs]
    if specific:
        choices = [st.sampled_from(specific), st.sampled_from(specific), *choices]
    return draw(st.one_of(choices))


#: How many edits a mutation makes: one to three, mostly one, so that many
#: mutations still parse and reach the checks behind the parser.
_EDIT_COUNTS = st.sampled_from((1, 1, 1, 2, 3))


@st.composite
def text_edits(  # noqa: PLR0911 - one return per kind of edit reads best
    draw: st.DrawFn, text: str
) -> tuple[str, str]:
    """One character-level edit of ``text``, and what it was."""
    n = len(text)
    kind = draw(
        st.sampled_from(
            (
                "delete",
                "insert",
                "replace",
                "case",
                "escape",
                "unescape",
                "bad-escape",
                "long",
                "truncate",
            )
        )
    )
    i = draw(st.integers(min_value=0, max_value=n))
    j = draw(st.integers(min_value=i, max_value=min(n, i + 12)))
    if kind == "delete":
        return text[:i] + text[max(j, i + 1) :], f"delete {text[i : max(j, i + 1)]!r}"
    if kind == "insert":
        piece = draw(HOSTILE_PIECES)
        return text[:i] + piece + text[i:], f"insert {piece!r} at {i}"
    if kind == "replace":
        char = draw(ANY_CHAR)
        return text[:i] + char + text[i + 1 :], f"replace [{i}] by {char!r}"
    if kind == "case":
        change = draw(st.sampled_from((str.upper, str.lower, str.swapcase)))
        return text[:i] + change(text[i:j]) + text[j:], f"{change.__name__} [{i}:{j}]"
    if kind == "escape" and i < n:
        escaped = quote(text[i], safe="", errors="surrogatepass")
        if draw(st.booleans()):
            escaped = escaped.lower()
        return text[:i] + escaped + text[i + 1 :], f"escape [{i}] as {escaped!r}"
    if kind == "unescape":
        return unquote(text), "unescape everything"
    if kind == "bad-escape":
        bad = draw(st.sampled_from(("%", "%%", "%G1", "%2", "%zz", "%0", "%ED%A0%80")))
        return text[:i] + bad + text[i:], f"insert bad escape {bad!r} at {i}"
    if kind == "long":
        run = draw(_long_runs)
        return text[:i] + run + text[i:], f"insert {len(run)} chars at {i}"
    return text[:i], f"truncate to {i}"


def _move(draw: st.DrawFn, parts: list[str], what: str) -> tuple[list[str], str]:
    """Drop, duplicate, swap or shuffle ``parts``."""
    parts = list(parts)
    if not parts:
        return parts, f"no {what} to move"
    kind = draw(st.sampled_from(("drop", "duplicate", "swap", "reverse")))
    i = draw(st.integers(min_value=0, max_value=len(parts) - 1))
    if kind == "drop":
        dropped = parts.pop(i)
        return parts, f"drop {what} {dropped[:40]!r}"
    if kind == "duplicate":
        at = draw(st.integers(min_value=0, max_value=len(parts)))
        parts.insert(at, parts[i])
        return parts, f"duplicate {what} {parts[at][:40]!r}"
    if kind == "swap":
        k = draw(st.integers(min_value=0, max_value=len(parts) - 1))
        parts[i], parts[k] = parts[k], parts[i]
        return parts, f"swap {what}s {i} and {k}"
    return parts[::-1], f"reverse {what}s"


# --- values of the signing components ---------------------------------------


@st.composite
def hostile_credentials(draw: st.DrawFn, credential: str) -> tuple[str, str]:
    """A credential scope with a slash too many or too few, or a part replaced."""
    parts = credential.split("/")
    kind = draw(
        st.sampled_from(("extra-slash", "missing-part", "part", "date", "move", "case"))
    )
    if kind == "extra-slash":
        i = draw(st.integers(min_value=0, max_value=len(credential)))
        slashes = draw(st.sampled_from(("/", "//", "///")))
        return credential[:i] + slashes + credential[i:], f"credential +{slashes!r}"
    if kind == "missing-part" and len(parts) > 1:
        i = draw(st.integers(min_value=0, max_value=len(parts) - 1))
        return "/".join(parts[:i] + parts[i + 1 :]), f"credential without part {i}"
    if kind == "part":
        i = draw(st.integers(min_value=0, max_value=len(parts) - 1))
        value = draw(
            _hostile_value(
                "akidexample",
                "AKIDEXAMPLE ",
                "us-east-2",
                "US-EAST-1",
                "iam",
                "S3",
                "s3",
                "service",
                "AWS4_REQUEST",
                "aws4_request ",
            )
        )
        parts[i] = value
        return "/".join(parts), f"credential part {i} = {value[:40]!r}"
    if kind == "date" and len(parts) > 1:
        date = draw(st.sampled_from([d[:8] for d in HOSTILE_DATES if d] + ["2015083"]))
        parts[1] = date
        return "/".join(parts), f"credential date = {date!r}"
    if kind == "move":
        moved, what = _move(draw, parts, "credential part")
        return "/".join(moved), what
    return credential.swapcase(), "credential swapcase"


@st.composite
def hostile_signed_headers(draw: st.DrawFn, signed_headers: str) -> tuple[str, str]:
    """SignedHeaders empty, repeated, unsorted, in upper case or otherwise wrong."""
    names = signed_headers.split(";")
    kind = draw(st.sampled_from(("fixed", "duplicate", "unsorted", "move", "name")))
    if kind == "fixed":
        value = draw(
            st.sampled_from(
                (
                    "",
                    ";",
                    signed_headers.upper(),
                    ";" + signed_headers,
                    signed_headers + ";",
                    signed_headers.replace(";", ";;"),
                    signed_headers.replace(";", ","),
                    signed_headers.replace(";", "; "),
                    "host",
                    "x-amz-date",
                    "hóst;x-amz-date",
                    "host;x-amz-date;x-amz-date",
                )
            )
        )
        return value, f"SignedHeaders = {value!r}"
    if kind == "duplicate":
        name = draw(st.sampled_from(names))
        value = ";".join(sorted([*names, name]))
        return value, f"SignedHeaders repeats {name!r}"
    if kind == "unsorted" and len(names) > 1:
        return ";".join(reversed(names)), "SignedHeaders reversed"
    if kind == "move":
        moved, what = _move(draw, names, "signed header")
        return ";".join(moved), what
    name = draw(
        _hostile_value("host", "x-amz-date", "authorization", "x-amz-content-sha256")
    )
    value = ";".join(sorted({*names, name}))
    return value, f"SignedHeaders adds {name[:40]!r}"


@st.composite
def hostile_signatures(draw: st.DrawFn, signature: str) -> tuple[str, str]:
    """A signature of 63 or 65 digits, in upper case, with a digit changed, ..."""
    flip = draw(st.integers(min_value=0, max_value=max(len(signature) - 1, 0)))
    changed = (
        signature[:flip]
        + ("1" if signature[flip : flip + 1] == "0" else "0")
        + signature[flip + 1 :]
    )
    value = draw(
        st.one_of(
            st.sampled_from(
                (
                    signature[:-1],
                    signature + "0",
                    signature + "a",
                    signature.upper(),
                    signature[:-1] + signature[-1:].upper(),
                    changed,
                    "",
                    "0" * len(signature),
                    signature[:-1] + "٣",
                    signature[:-1] + "\ud800",
                    signature + signature,
                    "z" * len(signature),
                    " " + signature,
                    signature[::-1],
                )
            ),
            _hostile_value(),
        )
    )
    return value, f"signature = {value[:80]!r}"


# --- signed requests -----------------------------------------------------------

_signing_times = st.one_of(
    st.just(SIGNING_TIME),
    st.datetimes(
        min_value=datetime(1, 1, 1),
        max_value=datetime(9999, 12, 31, 23, 59, 59),
        timezones=st.just(UTC),
    ).map(lambda d: d.replace(microsecond=0)),
)


@functools.lru_cache(maxsize=4096)
def _signed(
    request: HttpRequest,
    *,
    service: str,
    when: datetime,
    presigned: bool,
    expires: int,
    content_sha256_header: bool | None,
    region_set: tuple[str, ...] | None,
) -> tuple[HttpRequest, str]:
    """The signed request and its signature, remembered.

    SigV4A's ECDSA signatures are randomized, and their length varies: hypothesis
    replays a test case expecting the same draws, so each signing is done once.
    """
    algorithm = ALGORITHM if region_set is None else ALGORITHM_V4A
    if presigned:
        url = presign(
            request,
            CREDENTIALS,
            region=REGION,
            service=service,
            when=when,
            expires=expires,
            algorithm=algorithm,
            region_set=region_set,
        )
        signature = next(
            unquote(piece.partition("=")[2])
            for piece in url.partition("?")[2].split("&")
            if piece.startswith("X-Amz-Signature=")
        )
        return HttpRequest(
            request.method, url, request.headers, request.body
        ), signature
    signed = sign(
        request,
        CREDENTIALS,
        region=REGION,
        service=service,
        when=when,
        content_sha256_header=content_sha256_header,
        algorithm=algorithm,
        region_set=region_set,
    )
    return signed, str(signed.get("Authorization")).rpartition("Signature=")[2]


@st.composite
def signed_cases(draw: st.DrawFn, *, presigned: bool) -> SignedCase:
    """A request exactly as a real client signs it (SigV4, sometimes SigV4A)."""
    request = draw(sst.requests()).request
    service = draw(st.sampled_from(sorted(SERVICES)))
    when = draw(_signing_times)
    v4a = draw(st.integers(min_value=0, max_value=7)) == 0
    region_set = (
        draw(st.sampled_from(((REGION,), ("*",), ("us-*", "eu-west-1"))))
        if v4a
        else None
    )
    signed, signature = _signed(
        request,
        service=service,
        when=when,
        presigned=presigned,
        expires=draw(st.sampled_from((1, 60, 3600, 604800))) if presigned else 0,
        content_sha256_header=(
            None if presigned else draw(st.sampled_from((None, True, False)))
        ),
        region_set=region_set,
    )
    return SignedCase(
        request=signed,
        signature=signature,
        when=when,
        presigned=presigned,
        algorithm=ALGORITHM_V4A if v4a else ALGORITHM,
        service=service,
    )


def with_headers(request: HttpRequest, changes: dict[str, str | None]) -> HttpRequest:
    """``request`` with each named header set (in place, once) or removed (None)."""
    wanted = {name.lower(): (name, value) for name, value in changes.items()}
    out: list[tuple[str, str]] = []
    placed: set[str] = set()
    for name, value in request.headers:
        lname = name.lower()
        if lname not in wanted:
            out.append((name, value))
            continue
        new = wanted[lname][1]
        if new is not None and lname not in placed:
            out.append((name, new))
        placed.add(lname)
    out.extend(
        (name, value)
        for lname, (name, value) in wanted.items()
        if lname not in placed and value is not None
    )
    return HttpRequest(request.method, request.url, out, request.body)


# The verifier reads `Signature=` as a component: at the start, after a comma or
# after whitespace, up to the next comma or whitespace.
_SIGNATURE_PART = re.compile(r"(?:^|[\s,])Signature=([^,\s]*)")


def claimed_signatures(request: HttpRequest, *, presigned: bool) -> list[str]:
    """Every signature ``request`` carries, as the verifier would read it."""
    if presigned:
        query = request.url.partition("?")[2].partition("#")[0]
        return [
            unquote(value)
            for key, _, value in (p.partition("=") for p in query.split("&"))
            if key == "X-Amz-Signature"
        ]
    return _SIGNATURE_PART.findall(request.get("Authorization") or "")


# --- hostile Authorization headers ------------------------------------------


@dataclass(frozen=True, slots=True)
class _HeaderAuth:
    authorization: str
    amz_date: str | None


def _components(authorization: str) -> tuple[str, list[str]]:
    algorithm, _, rest = authorization.partition(" ")
    return algorithm, [c.strip() for c in rest.split(",")]


def _join(algorithm: str, components: list[str], separator: str = ", ") -> str:
    return f"{algorithm} {separator.join(components)}"


@st.composite
def _component_value_edit(draw: st.DrawFn, authorization: str) -> tuple[str, str]:
    algorithm, components = _components(authorization)
    i = draw(st.integers(min_value=0, max_value=len(components) - 1))
    name, eq, value = components[i].partition("=")
    editors: dict[str, Callable[[str], st.SearchStrategy[tuple[str, str]]]] = {
        "Credential": hostile_credentials,
        "SignedHeaders": hostile_signed_headers,
        "Signature": hostile_signatures,
    }
    editor = editors.get(name)
    if editor is None or draw(st.integers(min_value=0, max_value=5)) == 0:
        new, what = draw(text_edits(value))
    else:
        new, what = draw(editor(value))
    components[i] = f"{name}{eq}{new}"
    return _join(algorithm, components), what


@st.composite
def _header_edit(  # noqa: PLR0911 - one return per kind of edit reads best
    draw: st.DrawFn, state: _HeaderAuth
) -> tuple[_HeaderAuth, str]:
    """One edit of an Authorization header (and its X-Amz-Date)."""
    auth, amz_date = state.authorization, state.amz_date
    kind = draw(
        st.sampled_from(
            (
                "text",
                "text",
                "component",
                "value",
                "value",
                "value",
                "algorithm",
                "separator",
                "amz-date",
                "retime",
            )
        )
    )
    if kind == "text":
        new, what = draw(text_edits(auth))
        return _HeaderAuth(new, amz_date), what
    if kind == "component":
        algorithm, components = _components(auth)
        moved, what = _move(draw, components, "component")
        return _HeaderAuth(_join(algorithm, moved), amz_date), what
    if kind == "value":
        new, what = draw(_component_value_edit(auth))
        return _HeaderAuth(new, amz_date), what
    if kind == "algorithm":
        algorithm, components = _components(auth)
        new_algorithm = draw(_hostile_value(*HOSTILE_ALGORITHMS))
        return (
            _HeaderAuth(_join(new_algorithm, components), amz_date),
            f"algorithm = {new_algorithm[:40]!r}",
        )
    if kind == "separator":
        algorithm, components = _components(auth)
        separator = draw(st.sampled_from((",", " ,", ",,", ";", ",\t", ",  ", " ")))
        return (
            _HeaderAuth(_join(algorithm, components, separator), amz_date),
            f"separator {separator!r}",
        )
    if kind == "amz-date":
        new_date = draw(st.one_of(st.none(), _hostile_value(*HOSTILE_DATES)))
        return _HeaderAuth(auth, new_date), f"X-Amz-Date = {new_date!r:.60}"
    # retime: the scope's date and X-Amz-Date changed together, so the request
    # passes the date-match check and reaches the time arithmetic
    new_date = draw(st.sampled_from(HOSTILE_DATES))
    old = (amz_date or "")[:8]
    return (
        _HeaderAuth(auth.replace(f"/{old}/", f"/{new_date[:8]}/"), new_date),
        f"retime to {new_date!r}",
    )


@st.composite
def _random_authorization(draw: st.DrawFn) -> str:
    """An Authorization header value that owes nothing to a real signature."""
    return draw(
        st.one_of(
            ANY_TEXT,
            _long_runs,
            st.builds(
                "{} Credential={}, SignedHeaders={}, Signature={}".format,
                _hostile_value(*HOSTILE_ALGORITHMS),
                st.one_of(
                    _hostile_value(),
                    st.builds(
                        "{}/{}/{}/{}/aws4_request".format,
                        st.sampled_from(("AKIDEXAMPLE", "")) | ANY_TEXT,
                        st.sampled_from(HOSTILE_DATES).map(lambda d: d[:8]),
                        st.sampled_from((REGION, "")) | ANY_TEXT,
                        st.sampled_from(sorted(SERVICES)) | ANY_TEXT,
                    ),
                ),
                _hostile_value("host", "host;x-amz-date", ""),
                st.one_of(
                    st.text("0123456789abcdefABCDEF", min_size=60, max_size=68),
                    _hostile_value(),
                ),
            ),
        )
    )


@st.composite
def hostile_authorization_requests(draw: st.DrawFn) -> HostileCase:
    """A header-signed request whose Authorization (and X-Amz-Date) was tampered."""
    case = draw(signed_cases(presigned=False))
    auth = str(case.request.get("Authorization"))
    state = _HeaderAuth(auth, case.request.get("X-Amz-Date"))
    edits: list[str] = []
    mutated = draw(st.integers(min_value=0, max_value=9)) < 7
    if mutated:
        for _ in range(draw(_EDIT_COUNTS)):
            state, what = draw(_header_edit(state))
            edits.append(what)
    else:
        state = _HeaderAuth(draw(_random_authorization()), state.amz_date)
        if draw(st.booleans()):
            state = _HeaderAuth(
                state.authorization, draw(_hostile_value(*HOSTILE_DATES))
            )
        edits.append("random Authorization")
    request = with_headers(
        case.request,
        {"X-Amz-Date": state.amz_date, "Authorization": state.authorization},
    )
    return HostileCase(
        original=case, request=request, mutated=mutated, edits=tuple(edits)
    )


# --- hostile presigned queries ------------------------------------------------

PRESIGN_KEYS = (
    "X-Amz-Algorithm",
    "X-Amz-Credential",
    "X-Amz-Date",
    "X-Amz-Expires",
    "X-Amz-SignedHeaders",
    "X-Amz-Signature",
    "X-Amz-Security-Token",
    "X-Amz-Region-Set",
)


@st.composite
def _presign_value(draw: st.DrawFn, key: str, value: str) -> tuple[str, str]:
    """A hostile value for the presign parameter ``key`` (``value`` is as sent)."""
    decoded = unquote(value)
    new: str
    if key == "X-Amz-Credential":
        new, what = draw(hostile_credentials(decoded))
    elif key == "X-Amz-SignedHeaders":
        new, what = draw(hostile_signed_headers(decoded))
    elif key == "X-Amz-Signature":
        new, what = draw(hostile_signatures(decoded))
    elif key == "X-Amz-Date":
        new = draw(_hostile_value(*HOSTILE_DATES))
        what = f"X-Amz-Date = {new[:40]!r}"
    elif key == "X-Amz-Expires":
        new = draw(_hostile_value(*HOSTILE_EXPIRES))
        what = f"X-Amz-Expires = {new[:40]!r}"
    elif key == "X-Amz-Algorithm":
        new = draw(_hostile_value(*HOSTILE_ALGORITHMS))
        what = f"X-Amz-Algorithm = {new[:40]!r}"
    else:
        new, what = draw(text_edits(value))
        return new, what
    # Put it on the wire encoded as the signer does, raw, or with odd escapes.
    how = draw(st.sampled_from(("encoded", "raw", "lower-escapes")))
    if how == "encoded":
        new = quote(new, safe="", errors="surrogatepass")
    elif how == "lower-escapes":
        new = quote(new, safe="", errors="surrogatepass").lower()
    return new, f"{what} ({how})"


@st.composite
def _query_edit(draw: st.DrawFn, query: str) -> tuple[str, str]:
    """One edit of a presigned URL's query string."""
    pieces = query.split("&")
    kind = draw(
        st.sampled_from(("text", "move", "value", "value", "value", "key", "add"))
    )
    if kind == "text":
        return draw(text_edits(query))
    if kind == "move":
        moved, what = _move(draw, pieces, "parameter")
        return "&".join(moved), what
    i = draw(st.integers(min_value=0, max_value=len(pieces) - 1))
    key, eq, value = pieces[i].partition("=")
    if kind == "value":
        new, what = draw(_presign_value(key, value))
        pieces[i] = f"{key}{eq or '='}{new}"
        return "&".join(pieces), what
    if kind == "key":
        new_key = draw(
            st.one_of(
                st.sampled_from(
                    (
                        key.lower(),
                        key.upper(),
                        key + " ",
                        quote(key, safe=""),
                        key.replace("-", "%2D"),
                        *PRESIGN_KEYS,
                    )
                ),
                _hostile_value(),
            )
        )
        pieces[i] = f"{new_key}{eq}{value}"
        return "&".join(pieces), f"key {key!r} -> {new_key[:40]!r}"
    extra = draw(
        st.one_of(
            st.builds(
                "{}={}".format,
                st.sampled_from(PRESIGN_KEYS),
                _hostile_value(*HOSTILE_EXPIRES, *HOSTILE_DATES),
            ),
            _hostile_value("", "=", "a", "X-Amz-Foo=1", "X-Amz-Algorithm"),
        )
    )
    at = draw(st.integers(min_value=0, max_value=len(pieces)))
    pieces.insert(at, extra)
    return "&".join(pieces), f"add parameter {extra[:60]!r}"


@st.composite
def _random_query(draw: st.DrawFn) -> str:
    """A query that claims query authentication and owes nothing to a signature."""
    pairs = draw(
        st.lists(
            st.tuples(
                st.one_of(st.sampled_from(PRESIGN_KEYS), _hostile_value()),
                _hostile_value(*HOSTILE_EXPIRES, *HOSTILE_DATES, *HOSTILE_ALGORITHMS),
            ),
            max_size=10,
        )
    )
    pieces = [f"{k}={v}" for k, v in pairs]
    if draw(st.integers(min_value=0, max_value=9)):
        at = draw(st.integers(min_value=0, max_value=len(pieces)))
        pieces.insert(at, f"X-Amz-Algorithm={ALGORITHM}")
    return "&".join(pieces)


@st.composite
def hostile_presigned_requests(draw: st.DrawFn) -> HostileCase:
    """A presigned request whose query string was tampered with."""
    case = draw(signed_cases(presigned=True))
    base, _, query = case.request.url.partition("?")
    edits: list[str] = []
    mutated = draw(st.integers(min_value=0, max_value=9)) < 7
    if mutated:
        for _ in range(draw(_EDIT_COUNTS)):
            query, what = draw(_query_edit(query))
            edits.append(what)
    else:
        query = draw(_random_query())
        edits.append("random query")
    request = HttpRequest(
        case.request.method, f"{base}?{query}", case.request.headers, case.request.body
    )
    return HostileCase(
        original=case, request=request, mutated=mutated, edits=tuple(edits)
    )


# --- hostile headers, URLs, bodies around a valid signature -----------------

HOSTILE_HOSTS = (
    "",
    " ",
    "EXAMPLE.AMAZONAWS.COM",
    "example.amazonaws.com.",
    "example.amazonaws.com:443",
    "example.amazonaws.com:99999999999999999999",
    "example.amazonaws.com:١٢٣",
    "[::1",
    "[::1]:x",
    "user@example.amazonaws.com",
    "exämple.amazonaws.com",
    "xn--exmple-cua.amazonaws.com",
    "\0",
    "\ud800",
    "a" * 5000,
)


@st.composite
def hostile_header_requests(draw: st.DrawFn) -> HostileCase:
    """A valid signed request with odd X-Amz-Date, content hash, Host or others."""
    case = draw(signed_cases(presigned=draw(st.booleans())))
    changes: dict[str, str | None] = {}
    extra: list[tuple[str, str]] = []
    edits: list[str] = []
    for _ in range(draw(_EDIT_COUNTS)):
        name = draw(
            st.sampled_from(
                (
                    "X-Amz-Date",
                    "x-amz-content-sha256",
                    "Host",
                    "X-Amz-Security-Token",
                    "X-Amz-Region-Set",
                    "Authorization",
                    "x-amz-meta-other",
                )
            )
            | st.text(ANY_CHAR, max_size=10)
        )
        value = draw(
            _hostile_value(
                *HOSTILE_DATES,
                *HOSTILE_HOSTS,
                "UNSIGNED-PAYLOAD",
                " UNSIGNED-PAYLOAD ",
                "unsigned-payload",
                "STREAMING-AWS4-HMAC-SHA256-PAYLOAD",
                "STREAMING-",
                "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
                "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855",
                "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85",
                "*",
                "us-east-1,",
                "[",
            )
        )
        if draw(st.booleans()):
            changes[name] = None if draw(st.integers(0, 5)) == 0 else value
            edits.append(f"set {name!r} = {value[:60]!r}")
        else:
            extra.append((name, value))
            edits.append(f"add {name!r}: {value[:60]!r}")
    request = with_headers(case.request, changes)
    request = HttpRequest(
        request.method, request.url, (*request.headers, *extra), request.body
    )
    return HostileCase(original=case, request=request, mutated=True, edits=tuple(edits))


_URL_CHARS = st.text(ANY_CHAR, max_size=30)


@st.composite
def hostile_url_requests(draw: st.DrawFn) -> HostileCase:
    """A valid signed request sent to an odd URL (path, query, host, scheme)."""
    case = draw(signed_cases(presigned=draw(st.booleans())))
    url = case.request.url
    scheme, _, rest = url.partition("://")
    authority, slash, path_query = rest.partition("/")
    kind = draw(
        st.sampled_from(("text", "scheme", "authority", "path", "query", "fragment"))
    )
    if kind == "text":
        url, what = draw(text_edits(url))
    elif kind == "scheme":
        new = draw(
            st.sampled_from(("HTTPS", "http", "ftp", "", "h", "1http", "ht tp"))
            | _URL_CHARS
        )
        url, what = f"{new}://{rest}", f"scheme = {new!r}"
    elif kind == "authority":
        new = draw(
            st.sampled_from(
                (
                    *HOSTILE_HOSTS[:-1],
                    authority + ":443",
                    authority + ":80",
                    authority + ":",
                    authority + ":0x1",
                    "u:p@" + authority,
                    authority.upper(),
                    "[::1]",
                    "[::1]:8080",
                )
            )
            | _URL_CHARS
        )
        url, what = f"{scheme}://{new}{slash}{path_query}", f"authority = {new!r}"
    elif kind in {"path", "query"}:
        piece = draw(_URL_CHARS | _snippets)
        path, question, query = path_query.partition("?")
        if kind == "path":
            i = draw(st.integers(min_value=0, max_value=len(path)))
            path = path[:i] + piece + path[i:]
        else:
            i = draw(st.integers(min_value=0, max_value=len(query)))
            query = query[:i] + piece + query[i:]
            question = "?"
        url = f"{scheme}://{authority}/{path}{question}{query}"
        what = f"{kind} gets {piece!r}"
    else:
        piece = draw(_URL_CHARS)
        url, what = f"{url}#{piece}", f"fragment {piece!r}"
    request = HttpRequest(
        case.request.method, url, case.request.headers, case.request.body
    )
    return HostileCase(original=case, request=request, mutated=True, edits=(what,))


@st.composite
def hostile_body_requests(draw: st.DrawFn) -> HostileCase:
    """A valid signed request with another body (or method)."""
    case = draw(signed_cases(presigned=draw(st.booleans())))
    body = draw(
        st.one_of(
            st.binary(max_size=256),
            st.just(case.request.body + b"\0"),
            st.integers(min_value=1000, max_value=200_000).map(lambda n: b"x" * n),
        )
    )
    method = case.request.method
    edits = [f"body of {len(body)} bytes"]
    if draw(st.integers(min_value=0, max_value=3)) == 0:
        method = draw(
            st.sampled_from(("get", "", " GET", "GET\n", "M\ud800", "PÜT")) | ANY_TEXT
        )
        edits.append(f"method {method!r}")
    request = HttpRequest(method, case.request.url, case.request.headers, body)
    return HostileCase(original=case, request=request, mutated=True, edits=tuple(edits))


@st.composite
def entirely_random_requests(draw: st.DrawFn) -> HttpRequest:
    """Any request at all: any method, URL, headers (Authorization too) and body."""
    names = st.sampled_from(
        ("Authorization", "X-Amz-Date", "Host", "x-amz-content-sha256")
    ) | st.text(ANY_CHAR, max_size=12)
    url = draw(
        st.one_of(
            st.text(ANY_CHAR, max_size=80),
            st.builds(
                "https://example.amazonaws.com/{}?{}".format,
                _URL_CHARS,
                st.one_of(_random_query(), _URL_CHARS),
            ),
        )
    )
    return HttpRequest(
        draw(st.sampled_from(("GET", "PUT")) | ANY_TEXT),
        url,
        draw(
            st.lists(
                st.tuples(names, st.one_of(ANY_TEXT, _random_authorization())),
                max_size=6,
            )
        ),
        draw(st.binary(max_size=64)),
    )


# --- server clocks ------------------------------------------------------------

EXTREME_NOWS = (
    datetime.max.replace(tzinfo=UTC),
    datetime.min.replace(tzinfo=UTC),
    datetime(9999, 12, 31, 23, 45, tzinfo=UTC),
    datetime(1, 1, 1, 0, 15, tzinfo=UTC),
    datetime(1970, 1, 1, tzinfo=UTC),
)


@st.composite
def nows(draw: st.DrawFn, when: datetime) -> datetime:
    """A server clock (UTC): mostly the signing time (so that hostile input reaches
    the checks after the clock's), else near it, anywhere, or at either end."""
    where = draw(st.sampled_from(("same", "same", "same", "near", "end", "any")))
    if where == "same":
        return when
    if where == "near":
        delta = draw(
            st.timedeltas(min_value=timedelta(hours=-2), max_value=timedelta(days=8))
        )
        return _clamped(when, delta)
    if where == "end":
        return draw(st.sampled_from(EXTREME_NOWS))
    return draw(st.datetimes(timezones=st.just(UTC)))


def _clamped(when: datetime, delta: timedelta) -> datetime:
    try:
        return when + delta
    except OverflowError:
        return when


#: Fixed UTC offsets of the kind a server's clock may be in (RFC 3339 allows
#: any offset under a day).
_offsets = st.builds(
    timezone,
    st.timedeltas(
        min_value=timedelta(hours=-23, minutes=-59),
        max_value=timedelta(hours=23, minutes=59),
    ).map(lambda d: timedelta(minutes=d // timedelta(minutes=1))),
)


def any_nows() -> st.SearchStrategy[datetime]:
    """Any aware datetime, in any fixed-offset time zone, extremes included."""
    return st.one_of(
        st.datetimes(timezones=_offsets),
        st.builds(
            lambda d, tz: d.replace(tzinfo=tz),
            st.sampled_from((datetime.max, datetime.min)),
            _offsets,
        ),
    )
