"""Issue #22's sigv4 findings, each a regression test: hostile or wrong-typed
input only ever raises an awscore error, named and typed, and a refused request
changes no state.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from awscore import sigv4
from awscore.errors import (
    ArgumentTypeError,
    MalformedChunkError,
    ReplayedRequestError,
    SigV4Error,
    SigV4InputError,
    SigV4VerificationError,
)
from awscore.sigv4 import (
    Credentials,
    HttpRequest,
    ReplayGuard,
    Verifier,
    derive_signing_key,
    serialize_request,
    sign,
    sign_chunked,
)
from tests.conftest import require_peer

CREDS = Credentials("AKIDHOSTILE", "hostile/secret")
WHEN = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
REQUEST = HttpRequest("GET", "https://examplebucket.s3.amazonaws.com/k")


def _verifier(service: str = "s3", replay_guard: ReplayGuard | None = None) -> Verifier:
    return Verifier(
        lambda akid: CREDS if akid == CREDS.access_key_id else None,
        regions={"us-east-1"},
        services={service},
        replay_guard=replay_guard,
    )


def test_a_5000_digit_decoded_content_length_on_a_signed_request() -> None:
    """Python's int() refuses 4300+ digits with a bare ValueError: the verifier
    bounds the digits first (MalformedChunkError, S3's IncompleteBody)."""
    signed = sign(
        HttpRequest(
            "PUT",
            "https://examplebucket.s3.amazonaws.com/k",
            [
                ("Content-Encoding", "aws-chunked"),
                ("x-amz-decoded-content-length", "9" * 5000),
            ],
            b"0\r\n\r\n",
        ),
        CREDS,
        region="us-east-1",
        service="s3",
        when=WHEN,
        payload="STREAMING-UNSIGNED-PAYLOAD-TRAILER",
    )
    with pytest.raises(MalformedChunkError, match="at most 19 digits"):
        _verifier().verify(signed, now=WHEN)


@pytest.mark.parametrize("position", range(4))
def test_lone_surrogates_in_derive_signing_key(position: int) -> None:
    arguments = ["secret", "20240501", "us-east-1", "s3"]
    arguments[position] = arguments[position] + "\ud800"
    with pytest.raises(SigV4InputError, match="not valid Unicode"):
        derive_signing_key(*arguments)


@pytest.mark.parametrize("position", range(4))
def test_wrong_types_in_derive_signing_key(position: int) -> None:
    arguments: list[Any] = ["secret", "20240501", "us-east-1", "s3"]
    arguments[position] = None
    with pytest.raises(ArgumentTypeError, match="must be a string"):
        derive_signing_key(*arguments)


@pytest.mark.parametrize(
    "request_",
    [
        HttpRequest("GET", "https://h/\ud800"),
        HttpRequest("GET", "https://h/", [("X-A", "\udc80")]),
        HttpRequest("G\ud83dT", "https://h/"),
    ],
)
def test_lone_surrogates_in_serialize_request(request_: HttpRequest) -> None:
    with pytest.raises(SigV4InputError, match="not valid Unicode"):
        serialize_request(request_)


def test_a_non_ascii_service_signs_alike_in_sign_and_sign_chunked() -> None:
    """sign() accepted a non-ASCII service and sign_chunked() crashed: both now
    sign it as botocore does (UTF-8 in the scope), and the chunked upload
    verifies end to end."""
    service = "sé"
    head, encoder = sign_chunked(
        HttpRequest("PUT", "https://h.example/k"),
        CREDS,
        region="us-east-1",
        service=service,
        when=WHEN,
        data_length=5,
    )
    body = b"".join([*encoder.feed(b"hello"), *encoder.finish()])
    signed = HttpRequest(head.method, head.url, head.headers, body)
    verified = _verifier(service).verify(signed, now=WHEN)
    assert verified.decoded_body == b"hello"
    assert verified.service == service


def test_a_non_ascii_service_signs_as_botocore_signs_it() -> None:
    auth = require_peer("botocore.auth")
    awsrequest = require_peer("botocore.awsrequest")
    botocreds = require_peer("botocore.credentials").Credentials(
        CREDS.access_key_id, CREDS.secret_access_key
    )
    theirs = awsrequest.AWSRequest(method="GET", url="https://h.example/k")
    from unittest import mock

    with mock.patch.object(
        auth, "get_current_datetime", return_value=WHEN.replace(tzinfo=None)
    ):
        auth.SigV4Auth(botocreds, "sé", "us-east-1").add_auth(theirs)
    ours = sign(
        HttpRequest("GET", "https://h.example/k"),
        CREDS,
        region="us-east-1",
        service="sé",
        when=WHEN,
    )
    assert ours.get("Authorization") == theirs.headers["Authorization"]


@pytest.mark.parametrize(
    "options",
    [
        {"max_skew": None},
        {"max_skew": 900},
        {"max_skew": timedelta(seconds=-1)},
        {"regions": "us-east-1"},
        {"regions": None},
        {"services": {1}},
        {"max_presign_expires": "3600"},
        {"max_presign_expires": True},
        {"require_signed_amz_headers": "yes"},
        {"replay_guard": object()},
        {"lookup": {"AKID": CREDS}},
    ],
)
def test_verifier_validates_its_arguments_when_made(options: dict[str, Any]) -> None:
    """Verifier(max_skew=None) was accepted and failed only at verify time."""
    arguments: dict[str, Any] = {
        "lookup": lambda akid: None,
        "regions": {"us-east-1"},
        "services": {"s3"},
        **options,
    }
    lookup = arguments.pop("lookup")
    with pytest.raises(SigV4InputError):
        Verifier(lookup, **arguments)


def test_replay_guard_takes_a_whole_number() -> None:
    for bad in ("10", 1.5, True, 0):
        with pytest.raises(SigV4InputError, match="max_entries"):
            ReplayGuard(bad)  # type: ignore[arg-type]


# Values of the wrong kind, typed Any so that the calls type-check.
NONE: Any = None
FIVE: Any = 5
_WRONG_CALLS: list[tuple[str, Callable[[], object]]] = [
    ("serialize_request(NONE)", lambda: serialize_request(NONE)),
    ("claimed_scope(NONE)", lambda: sigv4.claimed_scope(NONE)),
    (
        "derive_v4a_private_key(NONE, ...)",
        lambda: sigv4.derive_v4a_private_key(NONE, "s"),
    ),
    (
        "derive_v4a_public_key(..., 5)",
        lambda: sigv4.derive_v4a_public_key("AKID", FIVE),
    ),
    (
        "derive_v4a_private_key surrogate",
        lambda: sigv4.derive_v4a_private_key("AKID", "\ud800"),
    ),
    (
        "sign(region_set=FIVE)",
        lambda: sign(
            REQUEST,
            CREDS,
            region="us-east-1",
            service="s3",
            when=WHEN,
            algorithm=sigv4.ALGORITHM_V4A,
            region_set=FIVE,
        ),
    ),
    ("HttpRequest(headers=None)", lambda: HttpRequest("GET", "https://h/", NONE)),
    ("Verifier.verify(NONE)", lambda: _verifier().verify(NONE, now=WHEN)),
    ("Verifier.verify(now=NONE)", lambda: _verifier().verify(REQUEST, now=NONE)),
    ("Verifier.verify_post(NONE)", lambda: _verifier().verify_post(NONE, now=WHEN)),
    ("sign(NONE, ...)", lambda: sign(NONE, CREDS, region="r", service="s", when=WHEN)),
    ("parse_raw_request(NONE)", lambda: sigv4.parse_raw_request(NONE)),
    ("format_amz_date(NONE)", lambda: sigv4.format_amz_date(NONE)),
    (
        "SigV4WsgiMiddleware(app, None)",
        lambda: sigv4.SigV4WsgiMiddleware(lambda e, s: [], NONE),
    ),
    (
        "sign_chunked(None, ...)",
        lambda: sign_chunked(
            NONE, CREDS, region="us-east-1", service="s3", when=WHEN, data_length=1
        ),
    ),
    (
        "sign_chunked(trailer_checksum=5)",
        lambda: sign_chunked(
            REQUEST,
            CREDS,
            region="us-east-1",
            service="s3",
            when=WHEN,
            data_length=1,
            trailer_checksum=FIVE,
        ),
    ),
    ("Credentials(FIVE, FIVE)", lambda: Credentials(FIVE, FIVE)),
]


@pytest.mark.parametrize(
    "call", [c for _, c in _WRONG_CALLS], ids=[n for n, _ in _WRONG_CALLS]
)
def test_wrong_typed_arguments_raise_typed_errors(call: Callable[[], object]) -> None:
    """No TypeError or AttributeError from deep inside: a SigV4Error naming the
    argument (a TypeError too when the argument is of the wrong kind)."""
    with pytest.raises(SigV4Error) as caught:
        call()
    assert "NoneType" not in str(caught.value)


def test_sign_with_an_undecodable_data_argument_exits_1_with_one_line() -> None:
    """The shell can pass bytes that are not UTF-8; Python keeps them as lone
    surrogates. `awscore sigv4 sign --data` refuses them: exit 1, one line."""
    result = subprocess.run(  # noqa: S603 - our own CLI, fixed arguments
        [
            sys.executable,
            "-m",
            "awscore",
            "sigv4",
            "sign",
            "--access-key-id",
            "AKID",
            "--secret-access-key",
            "secret",
            "--region",
            "us-east-1",
            "--service",
            "s3",
            "--time",
            "2024-05-01T12:00:00Z",
            b"--data",
            b"\xff\xfe not utf-8",
            "PUT",
            "https://h/k",
        ],
        capture_output=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 1
    lines = result.stderr.decode().splitlines()
    assert len(lines) == 1
    assert "--data is not valid UTF-8" in lines[0]
    assert b"Traceback" not in result.stderr


# --- a refused request changes no state --------------------------------------

_MUTATIONS = st.sampled_from(
    ["accept", "forge", "skew", "unknown-key", "body", "replay", "expired"]
)


def _snapshot(guard: ReplayGuard) -> list[tuple[Any, Any]]:
    return list(guard._seen.items())


@given(
    steps=st.lists(
        st.tuples(_MUTATIONS, st.integers(0, 3000), st.binary(max_size=8)),
        min_size=1,
        max_size=12,
    )
)
def test_a_refused_request_leaves_the_replay_guard_unchanged(
    steps: list[tuple[str, int, bytes]],
) -> None:
    """Whatever the verifier refuses (a forged signature, a skewed time, an
    unknown key, a changed body, a replay), the replay guard holds exactly the
    same entries afterwards; only an accepted request adds one."""
    guard = ReplayGuard(max_entries=4)
    verifier = _verifier(replay_guard=guard)
    accepted: list[HttpRequest] = []
    clock = WHEN
    for kind, seconds, body in steps:
        clock += timedelta(seconds=seconds)
        when = clock - timedelta(hours=1) if kind == "skew" else clock
        request = sign(
            HttpRequest("PUT", "https://examplebucket.s3.amazonaws.com/k", (), body),
            CREDS if kind != "unknown-key" else Credentials("AKIDNOBODY", "x"),
            region="us-east-1",
            service="s3",
            when=when,
        )
        if kind == "forge":
            auth = request.get("Authorization") or ""
            forged = auth[:-1] + ("0" if auth[-1] != "0" else "1")
            request = HttpRequest(
                request.method,
                request.url,
                [
                    (n, forged if n == "Authorization" else v)
                    for n, v in request.headers
                ],
                request.body,
            )
        elif kind == "body":
            request = HttpRequest(
                request.method, request.url, request.headers, request.body + b"!"
            )
        elif kind == "replay" and accepted:
            request = accepted[-1]
        elif kind == "expired":
            # a request signed long ago: refused for its time, and the entries
            # that have aged out meanwhile are not swept by the refusal
            request = sign(
                HttpRequest("GET", "https://examplebucket.s3.amazonaws.com/old"),
                CREDS,
                region="us-east-1",
                service="s3",
                when=clock - timedelta(days=1),
            )
        before = _snapshot(guard)
        try:
            verifier.verify(request, now=clock)
        except SigV4VerificationError:
            assert _snapshot(guard) == before
        else:
            # only a fresh, valid request is accepted ("replay" before anything
            # was accepted signs a fresh one)
            assert kind == "accept" or (kind == "replay" and not accepted)
            accepted.append(request)
            assert len(guard) <= 4


def test_a_replay_within_the_window_is_refused_and_changes_nothing() -> None:
    guard = ReplayGuard(max_entries=4)
    verifier = _verifier(replay_guard=guard)
    old = sign(REQUEST, CREDS, region="us-east-1", service="s3", when=WHEN)
    verifier.verify(old, now=WHEN)
    later = WHEN + timedelta(minutes=14)
    fresh = sign(REQUEST, CREDS, region="us-east-1", service="s3", when=later)
    verifier.verify(fresh, now=later)
    before = _snapshot(guard)
    with pytest.raises(ReplayedRequestError):
        verifier.verify(fresh, now=later + timedelta(minutes=1, seconds=1))
    # the first entry has aged out by then, and the refusal did not sweep it
    assert _snapshot(guard) == before


@pytest.mark.parametrize(
    ("value", "words"),
    [
        (None, "None"),
        (True, "True"),
        (5, "the number 5"),
        (2.5, "the number 2.5"),
        ("x", "text"),
        (b"x", "bytes"),
        ([1], "a list"),
        ({"a": 1}, "a mapping"),
        (object(), "a value of another kind"),
    ],
)
def test_kind_of_names_values_in_words(value: object, words: str) -> None:
    from awscore.sigv4._model import kind_of

    assert kind_of(value) == words


def test_sign_cli_refuses_undecodable_data_in_process(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from awscore.cli.__main__ import main

    code = main(
        [
            "sigv4",
            "sign",
            "--access-key-id",
            "AKID",
            "--secret-access-key",
            "secret",
            "--region",
            "us-east-1",
            "--service",
            "s3",
            "--time",
            "2024-05-01T12:00:00Z",
            "--data",
            "\udcff\udcfe",
            "PUT",
            "https://h/k",
        ]
    )
    assert code == 1
    assert "--data is not valid UTF-8" in capsys.readouterr().err
