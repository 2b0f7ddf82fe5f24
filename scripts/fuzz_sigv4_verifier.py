#!/usr/bin/env python3
"""Fuzz the SigV4 verifier with hostile Authorization headers and presigned URLs.

Each iteration builds one hostile input, verifies it and files the outcome under
its class name. About 70% of the inputs are mutations of valid ones (a real
``sign()``/``presign()`` output with one to three edits: a character deleted,
inserted or replaced, a component dropped, repeated or moved, case changed,
``%`` escapes added, broken or undone, a value swapped for a hostile one) and
30% owe nothing to a signature. Two rules are checked on every input:

* ``Verifier.verify`` returns or raises a ``SigV4Error`` subclass, nothing else;
* what verifies carries the signature the signer produced (compared after
  percent-decoding, as the verifier reads it) and the original identity.

Usage::

    python scripts/fuzz_sigv4_verifier.py [--iterations N] [--seed S] [--fail-fast]

Exit status 0 when both rules held; 1 after printing every distinct failure (its
input's repr and traceback; ``--seed`` and the iteration number replay it, up to
SigV4A's randomized signatures).
"""

from __future__ import annotations

import argparse
import random
import sys
import time
import traceback
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote, unquote

# The hostile-value tables, the oracle and the verifier under test are the
# hypothesis strategies' own (tests/strategies/sigv4_hostile.py): one copy of each.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.strategies.sigv4_hostile import (
    CREDENTIALS,
    PRESIGN_KEYS,
    REGION,
    SIGNING_TIME,
    claimed_signatures,
    make_verifier,
)
from tests.strategies.sigv4_hostile import HOSTILE_ALGORITHMS as ALGORITHMS
from tests.strategies.sigv4_hostile import HOSTILE_DATES as DATES
from tests.strategies.sigv4_hostile import HOSTILE_EXPIRES as EXPIRES
from tests.strategies.sigv4_hostile import HOSTILE_SNIPPETS as SNIPPETS
from tests.strategies.sigv4_hostile import SERVICES as VERIFIED_SERVICES

from awscore.errors import SigV4Error
from awscore.sigv4 import (
    ALGORITHM,
    ALGORITHM_V4A,
    HttpRequest,
    VerifiedRequest,
    presign,
    sign,
)

SERVICES = tuple(sorted(VERIFIED_SERVICES))  # rng.choice wants a sequence
BAD_ESCAPES = ("%", "%%", "%G1", "%2", "%zz", "%0", "%ED%A0%80")
LONG_PIECES = ("9", "0", "a", "/", ",", ";", " ", "%41", "=", "&", "\u0661")
SCOPE_PARTS = (
    *("akidexample", "AKIDEXAMPLE ", "us-east-2", "US-EAST-1", "iam", "S3", "s3"),
    *("service", "AWS4_REQUEST", "aws4_request ", ""),
)
MUTATED_SHARE = 0.7
POOL_SIZE = 48

PATHS = ("/", "/a/b", "/a b/./c/../d", "/%E1%88%B4", "/x//y/", "/~user/f.txt", "")
QUERIES = ("", "a=1", "b=2&a=1", "a=%20b&c", "x=%2F&y=+", "k=%E1%88%B4")
HEADER_SETS: tuple[tuple[tuple[str, str], ...], ...] = (
    (),
    (("X-Amz-Meta-Color", "blue"),),
    (("Content-Type", "text/plain"), ("X-Custom", "  a   b  ")),
    (("x-amz-target", "Service.Op"), ("X-Amz-Target", "again")),
)
BODIES = (b"", b"hello", b"\0\xff" * 40)
METHODS = ("GET", "PUT", "POST", "DELETE", "HEAD")
HOSTS = ("example.amazonaws.com", "examplebucket.s3.amazonaws.com", "localhost:4566")


@dataclass(frozen=True, slots=True)
class Base:
    """A request exactly as the signer produced it, and what it verifies as."""

    request: HttpRequest
    signature: str
    when: datetime
    presigned: bool
    identity: VerifiedRequest


@dataclass(slots=True)
class Failure:
    """The first input that broke a rule in one way, and how often it happened."""

    kind: str
    mode: str
    iteration: int
    request: HttpRequest
    now: datetime
    edits: list[str]
    details: str
    count: int = 1


@dataclass(slots=True)
class Stats:
    """Outcome counts per mode, failures by kind, and the slowest input."""

    outcomes: dict[str, Counter[str]] = field(
        default_factory=lambda: {"header": Counter(), "presigned": Counter()}
    )
    failures: dict[str, Failure] = field(default_factory=dict)
    verify_seconds: float = 0.0
    slowest: tuple[float, str] = (0.0, "")

    def record(self, failure: Failure) -> None:
        """Keep the first failure of each kind; count the rest."""
        first = self.failures.setdefault(failure.kind, failure)
        if first is not failure:
            first.count += 1


# --- random text ------------------------------------------------------------


def random_char(rng: random.Random) -> str:
    """Mostly printable ASCII; else controls, lone surrogates, any code point."""
    r = rng.random()
    if r < 0.5:
        return chr(rng.randrange(0x20, 0x7F))
    if r < 0.6:
        return chr(rng.choice((*range(0x20), 0x7F, *range(0x80, 0xA0))))
    if r < 0.7:
        return chr(rng.randrange(0xD800, 0xE000))
    if r < 0.8:
        return chr(rng.choice((0x660, 0xFF10, 0x966, 0x1D7CE)) + rng.randrange(10))
    return chr(rng.randrange(0x110000))


def random_text(rng: random.Random, max_size: int = 40) -> str:
    return "".join(random_char(rng) for _ in range(rng.randrange(max_size + 1)))


def long_run(rng: random.Random) -> str:
    """A very long value; mostly a few thousand characters, sometimes 20,000."""
    return rng.choice(LONG_PIECES) * rng.choice((300, 1000, 3000, 20_000))


def hostile_value(rng: random.Random, specific: Sequence[str] = ()) -> str:
    """One of ``specific`` (half the time), a snippet, random text or a long run."""
    r = rng.random()
    if specific and r < 0.5:
        return rng.choice(specific)
    if r < 0.7:
        return rng.choice(SNIPPETS)
    if r < 0.99:
        return random_text(rng)
    return long_run(rng)


# --- character-level edits -----------------------------------------------------

Edit = Callable[[random.Random, str], tuple[str, str]]


def _span(rng: random.Random, text: str) -> tuple[int, int]:
    i = rng.randrange(len(text) + 1)
    return i, min(len(text), i + rng.randrange(1, 13))


def _delete(rng: random.Random, text: str) -> tuple[str, str]:
    i, j = _span(rng, text)
    return text[:i] + text[j:], f"delete {text[i:j]!r}"


def _insert(rng: random.Random, text: str) -> tuple[str, str]:
    i = rng.randrange(len(text) + 1)
    piece = hostile_value(rng)
    return text[:i] + piece + text[i:], f"insert {piece[:40]!r} at {i}"


def _replace(rng: random.Random, text: str) -> tuple[str, str]:
    i = rng.randrange(len(text) + 1)
    char = random_char(rng)
    return text[:i] + char + text[i + 1 :], f"replace [{i}] by {char!r}"


def _case(rng: random.Random, text: str) -> tuple[str, str]:
    i, j = _span(rng, text)
    change = rng.choice((str.upper, str.lower, str.swapcase))
    return text[:i] + change(text[i:j]) + text[j:], f"{change.__name__} [{i}:{j}]"


def _escape(rng: random.Random, text: str) -> tuple[str, str]:
    i = rng.randrange(len(text) + 1)
    escaped = quote(text[i : i + 1], safe="", errors="surrogatepass")
    if rng.random() < 0.5:
        escaped = escaped.lower()
    return text[:i] + escaped + text[i + 1 :], f"escape [{i}] as {escaped!r}"


def _unescape(rng: random.Random, text: str) -> tuple[str, str]:
    return unquote(text), "unescape everything"


def _bad_escape(rng: random.Random, text: str) -> tuple[str, str]:
    i = rng.randrange(len(text) + 1)
    bad = rng.choice(BAD_ESCAPES)
    return text[:i] + bad + text[i:], f"insert bad escape {bad!r} at {i}"


def _long(rng: random.Random, text: str) -> tuple[str, str]:
    i = rng.randrange(len(text) + 1)
    run = long_run(rng)
    return text[:i] + run + text[i:], f"insert {len(run)} x {run[:1]!r} at {i}"


def _truncate(rng: random.Random, text: str) -> tuple[str, str]:
    i = rng.randrange(len(text) + 1)
    return text[:i], f"truncate to {i}"


TEXT_EDITS: tuple[Edit, ...] = (
    *(_delete, _insert, _replace, _case, _escape, _unescape, _bad_escape),
    *(_long, _truncate, _delete, _insert, _replace),
)


def text_edit(rng: random.Random, text: str) -> tuple[str, str]:
    return rng.choice(TEXT_EDITS)(rng, text)


def move(rng: random.Random, parts: list[str], what: str) -> tuple[list[str], str]:
    """Drop, duplicate, swap or reverse ``parts``."""
    parts = list(parts)
    if not parts:
        return parts, f"no {what} to move"
    i = rng.randrange(len(parts))
    kind = rng.randrange(4)
    if kind == 0:
        return parts[:i] + parts[i + 1 :], f"drop {what} {parts[i][:40]!r}"
    if kind == 1:
        parts.insert(rng.randrange(len(parts) + 1), parts[i])
        return parts, f"duplicate {what} {parts[i][:40]!r}"
    if kind == 2:
        k = rng.randrange(len(parts))
        parts[i], parts[k] = parts[k], parts[i]
        return parts, f"swap {what}s {i} and {k}"
    return parts[::-1], f"reverse {what}s"


# --- values of the signing components ----------------------------------------


def hostile_credential(rng: random.Random, credential: str) -> tuple[str, str]:
    """A scope with a slash too many or too few, a part replaced or moved."""
    parts = credential.split("/")
    kind = rng.randrange(6)
    if kind == 0:
        i = rng.randrange(len(credential) + 1)
        slashes = rng.choice(("/", "//", "///"))
        return credential[:i] + slashes + credential[i:], f"credential +{slashes!r}"
    if kind == 1:
        i = rng.randrange(len(parts))
        return "/".join(parts[:i] + parts[i + 1 :]), f"credential without part {i}"
    if kind == 2:
        i = rng.randrange(len(parts))
        parts[i] = hostile_value(rng, SCOPE_PARTS)
        return "/".join(parts), f"credential part {i} = {parts[i][:40]!r}"
    if kind == 3 and len(parts) > 1:
        parts[1] = rng.choice(DATES)[:8]
        return "/".join(parts), f"credential date = {parts[1]!r}"
    if kind == 4:
        moved, what = move(rng, parts, "credential part")
        return "/".join(moved), what
    return credential.swapcase(), "credential swapcase"


def hostile_signed_headers(rng: random.Random, value: str) -> tuple[str, str]:
    """SignedHeaders empty, repeated, unsorted, upper-case or with a bad name."""
    names = value.split(";")
    kind = rng.randrange(5)
    if kind == 0:
        new = rng.choice(
            (
                *("", ";", value.upper(), ";" + value, value + ";"),
                *(value.replace(";", ";;"), value.replace(";", ",")),
                *("host", "x-amz-date", "h\u00f3st;x-amz-date", "host;host"),
            )
        )
    elif kind == 1:
        new = ";".join(sorted([*names, rng.choice(names)]))
    elif kind == 2:
        new = ";".join(reversed(names))
    elif kind == 3:
        new = ";".join(move(rng, names, "name")[0])
    else:
        extra = hostile_value(rng, ("host", "x-amz-date", "authorization"))
        new = ";".join(sorted({*names, extra}))
    return new, f"SignedHeaders = {new[:60]!r}"


def hostile_signature(rng: random.Random, signature: str) -> tuple[str, str]:
    """A signature of 63 or 65 digits, upper-case, a digit changed, ..."""
    if rng.random() < 0.2:
        new = hostile_value(rng)
    else:
        flip = rng.randrange(max(len(signature), 1))
        digit = "1" if signature[flip : flip + 1] == "0" else "0"
        new = rng.choice(
            (
                *(signature[:-1], signature + "0", signature.upper(), ""),
                signature[:flip] + digit + signature[flip + 1 :],
                "0" * len(signature),
                signature[:-1] + "\u0663",
                signature[:-1] + "\ud800",
                *(signature + signature, " " + signature, signature[::-1]),
            )
        )
    return new, f"signature = {new[:80]!r}"


# --- Authorization headers -------------------------------------------------------


def split_authorization(value: str) -> tuple[str, list[str]]:
    algorithm, _, rest = value.partition(" ")
    return algorithm, [c.strip() for c in rest.split(",")]


def join_authorization(algorithm: str, parts: list[str], sep: str = ", ") -> str:
    return f"{algorithm} {sep.join(parts)}"


VALUE_EDITS: dict[str, Edit] = {
    "Credential": hostile_credential,
    "SignedHeaders": hostile_signed_headers,
    "Signature": hostile_signature,
}


def edit_component(rng: random.Random, value: str) -> tuple[str, str]:
    algorithm, parts = split_authorization(value)
    i = rng.randrange(len(parts))
    name, eq, old = parts[i].partition("=")
    editor = VALUE_EDITS.get(name, text_edit)
    new, what = (text_edit if rng.random() < 0.15 else editor)(rng, old)
    parts[i] = f"{name}{eq}{new}"
    return join_authorization(algorithm, parts), what


def move_components(rng: random.Random, value: str) -> tuple[str, str]:
    algorithm, parts = split_authorization(value)
    moved, what = move(rng, parts, "component")
    return join_authorization(algorithm, moved), what


def change_algorithm(rng: random.Random, value: str) -> tuple[str, str]:
    _, parts = split_authorization(value)
    algorithm = hostile_value(rng, ALGORITHMS)
    return join_authorization(algorithm, parts), f"algorithm = {algorithm[:40]!r}"


def change_separator(rng: random.Random, value: str) -> tuple[str, str]:
    algorithm, parts = split_authorization(value)
    sep = rng.choice((",", " ,", ",,", ";", ",\t", ",  ", " "))
    return join_authorization(algorithm, parts, sep), f"separator {sep!r}"


AUTHORIZATION_EDITS: tuple[Edit, ...] = (
    *(text_edit, text_edit, edit_component, edit_component, edit_component),
    *(move_components, change_algorithm, change_separator),
)


def mutate_authorization(
    rng: random.Random, base: Base
) -> tuple[HttpRequest, list[str]]:
    """``base`` with its Authorization (and maybe X-Amz-Date) edited 1-3 times."""
    value = str(base.request.get("Authorization"))
    amz_date = base.request.get("X-Amz-Date")
    edits: list[str] = []
    for _ in range(rng.choice((1, 1, 1, 2, 3))):
        r = rng.random()
        if r < 0.08:
            amz_date = None if rng.random() < 0.1 else hostile_value(rng, DATES)
            edits.append(f"X-Amz-Date = {amz_date!r:.60}")
        elif r < 0.14:
            # scope date and X-Amz-Date changed together: past the date-match check
            new_date = rng.choice(DATES)
            value = value.replace(f"/{(amz_date or '')[:8]}/", f"/{new_date[:8]}/")
            amz_date = new_date
            edits.append(f"retime to {new_date!r}")
        else:
            value, what = rng.choice(AUTHORIZATION_EDITS)(rng, value)
            edits.append(what)
    return with_auth_headers(base.request, value, amz_date), edits


def random_authorization(
    rng: random.Random, base: Base
) -> tuple[HttpRequest, list[str]]:
    """``base`` with an Authorization header that owes nothing to a signature."""
    r = rng.random()
    if r < 0.4:
        value = random_text(rng, 120)
    elif r < 0.45:
        value = long_run(rng)
    else:
        credential = "/".join(
            (
                rng.choice(("AKIDEXAMPLE", "", random_text(rng, 8))),
                rng.choice(DATES)[:8],
                rng.choice((REGION, "", random_text(rng, 8))),
                rng.choice((*SERVICES, random_text(rng, 8))),
                "aws4_request",
            )
        )
        signature = "".join(
            rng.choice("0123456789abcdef") for _ in range(rng.choice((63, 64, 65)))
        )
        value = (
            f"{hostile_value(rng, ALGORITHMS)} "
            f"Credential={hostile_value(rng, (credential,))}, "
            f"SignedHeaders={hostile_value(rng, ('host', 'host;x-amz-date'))}, "
            f"Signature={hostile_value(rng, (signature,))}"
        )
    amz_date = base.request.get("X-Amz-Date")
    if rng.random() < 0.3:
        amz_date = hostile_value(rng, DATES)
    return with_auth_headers(base.request, value, amz_date), ["random Authorization"]


def with_auth_headers(
    request: HttpRequest, authorization: str, amz_date: str | None
) -> HttpRequest:
    headers = [
        (n, v)
        for n, v in request.headers
        if n.lower() not in {"authorization", "x-amz-date"}
    ]
    if amz_date is not None:
        headers.append(("X-Amz-Date", amz_date))
    headers.append(("Authorization", authorization))
    return HttpRequest(request.method, request.url, headers, request.body)


# --- presigned queries ----------------------------------------------------------


def hostile_presign_value(rng: random.Random, key: str, value: str) -> tuple[str, str]:
    """A hostile value for the presign parameter ``key``, on the wire somehow."""
    decoded = unquote(value)
    if key in {"X-Amz-Credential", "X-Amz-SignedHeaders", "X-Amz-Signature"}:
        editor = VALUE_EDITS[key.removeprefix("X-Amz-")]
        new, what = editor(rng, decoded)
    elif key in {"X-Amz-Date", "X-Amz-Expires", "X-Amz-Algorithm"}:
        table = {"X-Amz-Date": DATES, "X-Amz-Expires": EXPIRES}
        new = hostile_value(rng, table.get(key, ALGORITHMS))
        what = f"{key} = {new[:40]!r}"
    else:
        return text_edit(rng, value)
    how = rng.choice(("encoded", "raw", "lower-escapes"))
    if how != "raw":
        new = quote(new, safe="", errors="surrogatepass")
        new = new.lower() if how == "lower-escapes" else new
    return new, f"{what} ({how})"


def _query_value(rng: random.Random, query: str) -> tuple[str, str]:
    pieces = query.split("&")
    i = rng.randrange(len(pieces))
    key, eq, value = pieces[i].partition("=")
    new, what = hostile_presign_value(rng, key, value)
    pieces[i] = f"{key}{eq or '='}{new}"
    return "&".join(pieces), what


def _query_key(rng: random.Random, query: str) -> tuple[str, str]:
    pieces = query.split("&")
    i = rng.randrange(len(pieces))
    key, eq, value = pieces[i].partition("=")
    new = hostile_value(
        rng,
        (key.lower(), key.upper(), key + " ", key.replace("-", "%2D"), *PRESIGN_KEYS),
    )
    pieces[i] = f"{new}{eq}{value}"
    return "&".join(pieces), f"key {key!r} -> {new[:40]!r}"


def _query_move(rng: random.Random, query: str) -> tuple[str, str]:
    moved, what = move(rng, query.split("&"), "parameter")
    return "&".join(moved), what


def _query_add(rng: random.Random, query: str) -> tuple[str, str]:
    pieces = query.split("&")
    if rng.random() < 0.5:
        extra = f"{rng.choice(PRESIGN_KEYS)}={hostile_value(rng, EXPIRES + DATES)}"
    else:
        extra = hostile_value(rng, ("", "=", "a", "X-Amz-Foo=1", "X-Amz-Algorithm"))
    pieces.insert(rng.randrange(len(pieces) + 1), extra)
    return "&".join(pieces), f"add parameter {extra[:60]!r}"


QUERY_EDITS: tuple[Edit, ...] = (
    *(text_edit, text_edit, _query_value, _query_value, _query_value),
    *(_query_key, _query_move, _query_add),
)


def mutate_presigned(rng: random.Random, base: Base) -> tuple[HttpRequest, list[str]]:
    """``base`` with its presigned query edited 1-3 times."""
    prefix, _, query = base.request.url.partition("?")
    edits: list[str] = []
    for _ in range(rng.choice((1, 1, 1, 2, 3))):
        query, what = rng.choice(QUERY_EDITS)(rng, query)
        edits.append(what)
    return with_query(base.request, prefix, query), edits


def random_presigned(rng: random.Random, base: Base) -> tuple[HttpRequest, list[str]]:
    """``base`` with a query that claims query authentication, and nothing else."""
    pieces = [
        f"{hostile_value(rng, PRESIGN_KEYS)}="
        f"{hostile_value(rng, (*EXPIRES, *DATES, *ALGORITHMS))}"
        for _ in range(rng.randrange(11))
    ]
    if rng.random() < 0.9:
        pieces.insert(rng.randrange(len(pieces) + 1), f"X-Amz-Algorithm={ALGORITHM}")
    prefix = base.request.url.partition("?")[0]
    return with_query(base.request, prefix, "&".join(pieces)), ["random query"]


def with_query(request: HttpRequest, prefix: str, query: str) -> HttpRequest:
    return HttpRequest(
        request.method, f"{prefix}?{query}", request.headers, request.body
    )


# --- the oracle -------------------------------------------------------------------


def crash_site(error: BaseException) -> str:
    """Where in awscore (else anywhere) ``error`` was raised: file:line."""
    frames = traceback.extract_tb(error.__traceback__)
    ours = [f for f in frames if "/awscore/" in f.filename] or frames
    frame = ours[-1]
    return f"{frame.filename.rpartition('/src/')[2]}:{frame.lineno}"


# --- the pool of valid requests and the clock ------------------------------------


def build_pool(rng: random.Random, *, presigned: bool) -> list[Base]:
    """Valid requests: varied methods, paths, queries, headers, bodies, services."""
    verifier = make_verifier()
    pool = []
    for i in range(POOL_SIZE):
        url = f"https://{rng.choice(HOSTS)}{rng.choice(PATHS)}"
        query = rng.choice(QUERIES)
        request = HttpRequest(
            rng.choice(METHODS),
            f"{url}?{query}" if query else url,
            rng.choice(HEADER_SETS),
            rng.choice(BODIES),
        )
        when = SIGNING_TIME
        if i % 4 == 3:
            when = datetime(rng.randrange(1, 10000), 6, 15, 12, tzinfo=UTC)
        v4a = i % 8 == 7
        service = rng.choice(SERVICES)
        algorithm = ALGORITHM_V4A if v4a else ALGORITHM
        region_set = rng.choice(([REGION], ["*"], ["us-*"])) if v4a else None
        if presigned:
            url = presign(
                request,
                CREDENTIALS,
                region=REGION,
                service=service,
                when=when,
                expires=rng.choice((60, 3600)),
                algorithm=algorithm,
                region_set=region_set,
            )
            signed = HttpRequest(request.method, url, request.headers, request.body)
        else:
            signed = sign(
                request,
                CREDENTIALS,
                region=REGION,
                service=service,
                when=when,
                algorithm=algorithm,
                region_set=region_set,
            )
        (signature,) = claimed_signatures(signed, presigned=presigned)
        identity = verifier.verify(signed, now=when)
        pool.append(Base(signed, signature, when, presigned, identity))
    return pool


def random_now(rng: random.Random, when: datetime) -> datetime:
    """Mostly the signing time (to get past the clock); else near it or anywhere."""
    r = rng.random()
    if r < 0.8:
        return when
    if r < 0.9:
        try:
            return when + timedelta(seconds=rng.randrange(-7200, 8 * 86400))
        except OverflowError:
            return when
    if r < 0.95:
        return rng.choice((datetime.max, datetime.min)).replace(tzinfo=UTC)
    return datetime.fromordinal(rng.randrange(1, 3652060)).replace(tzinfo=UTC)


# --- the run ------------------------------------------------------------------------


Mutator = Callable[[random.Random, Base], tuple[HttpRequest, list[str]]]
MODES: dict[str, tuple[Mutator, Mutator]] = {
    "header": (mutate_authorization, random_authorization),
    "presigned": (mutate_presigned, random_presigned),
}


def fuzz(
    mode: str, iterations: int, rng: random.Random, stats: Stats, *, fail_fast: bool
) -> None:
    verifier = make_verifier()
    pool = build_pool(rng, presigned=mode == "presigned")
    mutate, randomize = MODES[mode]
    counts = stats.outcomes[mode]
    clock = time.perf_counter
    for iteration in range(iterations):
        base = rng.choice(pool)
        mutated = rng.random() < MUTATED_SHARE
        request, edits = (mutate if mutated else randomize)(rng, base)
        now = random_now(rng, base.when)
        started = clock()
        try:
            verified = verifier.verify(request, now=now)
        except SigV4Error as error:
            outcome = type(error).__name__
        except Exception as error:  # catching everything is the point
            outcome = f"CRASH {type(error).__name__}"
            kind = f"{type(error).__name__} at {crash_site(error)}"
            details = traceback.format_exc()
            stats.record(Failure(kind, mode, iteration, request, now, edits, details))
        else:
            outcome = "verified"
            claimed = claimed_signatures(request, presigned=base.presigned)
            if claimed != [base.signature] or verified != base.identity:
                outcome = "ACCEPTED TAMPERED"
                details = (
                    f"accepted with signature(s) {claimed}, identity {verified}; "
                    f"signed: {base.signature}, {base.identity}"
                )
                stats.record(
                    Failure(
                        "accepted tampered",
                        mode,
                        iteration,
                        request,
                        now,
                        edits,
                        details,
                    )
                )
        elapsed = clock() - started
        stats.verify_seconds += elapsed
        if elapsed > stats.slowest[0]:
            stats.slowest = (elapsed, f"{mode} #{iteration}: {request!r:.300}")
        counts[outcome] += 1
        if fail_fast and stats.failures:
            return


def report(stats: Stats, iterations: int, elapsed: float) -> None:
    for failure in stats.failures.values():
        print(f"\n=== FAILURE: {failure.kind} ({failure.count}x) ===")
        print(f"first at {failure.mode} #{failure.iteration}, edits: {failure.edits}")
        print(f"now = {failure.now!r}")
        text = repr(failure.request)
        if len(text) > 4000:
            text = f"{text[:4000]}... ({len(text)} chars in all)"
        print(f"request = {text}")
        print(failure.details.rstrip())
    header, presigned = stats.outcomes["header"], stats.outcomes["presigned"]
    names = sorted(
        set(header) | set(presigned), key=lambda n: -(header[n] + presigned[n])
    )
    width = max((len(n) for n in names), default=10)
    print(f"\n{'outcome':<{width}}  {'header':>9}  {'presigned':>9}")
    for name in names:
        print(f"{name:<{width}}  {header[name]:>9}  {presigned[name]:>9}")
    total = header.total() + presigned.total()
    print(f"{'total':<{width}}  {header.total():>9}  {presigned.total():>9}")
    per = elapsed / max(total, 1) * 1e6
    verify_per = stats.verify_seconds / max(total, 1) * 1e6
    print(
        f"\n{total} inputs ({iterations} per mode) in {elapsed:.1f} s: "
        f"{per:.1f} µs/iteration, of which verify() {verify_per:.1f} µs"
    )
    print(f"slowest verify(): {stats.slowest[0] * 1e3:.2f} ms, {stats.slowest[1]}")
    if stats.failures:
        print(f"FAILED: {len(stats.failures)} distinct failure(s), see above")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.partition("\n")[0])
    parser.add_argument("--iterations", type=int, default=100_000, metavar="N")
    parser.add_argument("--seed", type=int, default=0, metavar="S")
    parser.add_argument(
        "--fail-fast", action="store_true", help="stop at the first failure"
    )
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)  # noqa: S311 - reproducible fuzzing, not crypto
    print(f"fuzzing with --seed {args.seed}, --iterations {args.iterations}")
    stats = Stats()
    started = time.perf_counter()
    for mode in MODES:
        fuzz(mode, args.iterations, rng, stats, fail_fast=args.fail_fast)
        if args.fail_fast and stats.failures:
            break
    report(stats, args.iterations, time.perf_counter() - started)
    return 1 if stats.failures else 0


if __name__ == "__main__":
    sys.exit(main())
