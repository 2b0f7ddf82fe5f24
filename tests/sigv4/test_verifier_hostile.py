"""The verifier under hostile input: it accepts or raises a SigV4Error, nothing else.

Hostile ``Authorization`` headers and presigned queries (random, or mutated from
real signatures), odd headers, URLs, bodies and server clocks go through
:meth:`Verifier.verify`. Two rules hold for every one of them:

* the outcome is a :class:`VerifiedRequest` or an exception that is a
  :class:`~awscore.errors.SigV4Error` (never ``IndexError``, ``UnicodeError``,
  ``OverflowError``, ...: DESIGN.md, "hostile input only ever raises awscore
  errors");
* a request that verifies carries exactly the signature the signer produced, and
  verifies as the same identity as the untouched request.

The regression tests at the end pin each crash found this way.
"""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import event, given
from hypothesis import strategies as st

from awscore.errors import SigV4Error
from awscore.sigv4 import (
    HttpRequest,
    ReplayGuard,
    VerifiedRequest,
    Verifier,
    presign,
    sign,
)
from tests.strategies import sigv4_hostile as hst

VERIFIER = hst.make_verifier()
GET = HttpRequest("GET", "https://example.amazonaws.com/")


def _verify(request: HttpRequest, now: datetime) -> VerifiedRequest | None:
    """Verify; a SigV4Error is a rejection (None), anything else propagates.

    The outcome is recorded as a hypothesis event, so that
    ``pytest --hypothesis-show-statistics`` shows how deep the inputs reach.
    """
    try:
        verified = VERIFIER.verify(request, now=now)
    except SigV4Error as error:
        event(f"rejected: {type(error).__name__}")
        return None
    event("verified")
    return verified


def _assert_only_as_signed(case: hst.HostileCase, now: datetime) -> None:
    """Accepted implies: the signer's own signature, and the original identity."""
    verified = _verify(case.request, now)
    if verified is None:
        return
    original = case.original
    claimed = hst.claimed_signatures(case.request, presigned=original.presigned)
    assert claimed == [original.signature], (
        f"accepted with signature(s) {claimed} after {case.edits}; "
        f"the signer produced {original.signature}"
    )
    assert verified == VERIFIER.verify(original.request, now=original.when), (
        f"accepted as another identity after {case.edits}"
    )


@st.composite
def _cases_and_nows(
    draw: st.DrawFn, cases: st.SearchStrategy[hst.HostileCase]
) -> tuple[hst.HostileCase, datetime]:
    case = draw(cases)
    return case, draw(hst.nows(case.original.when))


# --- the strategies start from valid requests --------------------------------


@given(st.booleans().flatmap(lambda p: hst.signed_cases(presigned=p)))
def test_every_signed_case_verifies_untouched(case: hst.SignedCase) -> None:
    """Whatever sign() or presign() produced verifies at its signing time.

    (So the mutation tests below start from requests that really were valid.)
    """
    verified = VERIFIER.verify(case.request, now=case.when)
    assert verified.presigned is case.presigned
    assert hst.claimed_signatures(case.request, presigned=case.presigned) == [
        case.signature
    ]


# --- hostile authentication --------------------------------------------------


@given(_cases_and_nows(hst.hostile_authorization_requests()))
def test_any_authorization_header_returns_or_raises_sigv4_error(
    case_now: tuple[hst.HostileCase, datetime],
) -> None:
    """Whatever the Authorization header holds, verify() returns or raises a SigV4Error.

    And if it returns, the header still carries the signer's own signature.
    """
    _assert_only_as_signed(*case_now)


@given(_cases_and_nows(hst.hostile_presigned_requests()))
def test_any_presigned_query_returns_or_raises_sigv4_error(
    case_now: tuple[hst.HostileCase, datetime],
) -> None:
    """Whatever the presigned query holds, verify() returns or raises a SigV4Error.

    And if it returns, X-Amz-Signature is still the signer's own signature.
    """
    _assert_only_as_signed(*case_now)


# --- hostile surroundings of a valid signature --------------------------------


@given(_cases_and_nows(hst.hostile_header_requests()))
def test_any_headers_return_or_raise_sigv4_error(
    case_now: tuple[hst.HostileCase, datetime],
) -> None:
    """Whatever X-Amz-Date, x-amz-content-sha256, Host or other headers hold,
    verify() returns the signer's identity or raises a SigV4Error."""
    _assert_only_as_signed(*case_now)


@given(_cases_and_nows(hst.hostile_url_requests()))
def test_any_url_returns_or_raises_sigv4_error(
    case_now: tuple[hst.HostileCase, datetime],
) -> None:
    """Whatever the URL (scheme, host, path, query, fragment), verify() returns the
    signer's identity or raises a SigV4Error."""
    _assert_only_as_signed(*case_now)


@given(_cases_and_nows(hst.hostile_body_requests()))
def test_any_body_or_method_returns_or_raises_sigv4_error(
    case_now: tuple[hst.HostileCase, datetime],
) -> None:
    """Whatever the body (and method), verify() returns the signer's identity or
    raises a SigV4Error."""
    _assert_only_as_signed(*case_now)


@given(hst.entirely_random_requests(), hst.nows(hst.SIGNING_TIME))
def test_any_request_at_all_raises_sigv4_error(
    request: HttpRequest, now: datetime
) -> None:
    """A request built from random parts never verifies, and fails with a SigV4Error."""
    with pytest.raises(SigV4Error):
        VERIFIER.verify(request, now=now)


# --- server clocks --------------------------------------------------------------


@given(
    st.booleans().flatmap(lambda p: hst.signed_cases(presigned=p)),
    st.one_of(st.sampled_from(hst.EXTREME_NOWS), st.datetimes(timezones=st.just(UTC))),
)
def test_any_utc_clock_returns_or_raises_sigv4_error(
    case: hst.SignedCase, now: datetime
) -> None:
    """At any UTC time, datetime.min and datetime.max included, verify() returns or
    raises a SigV4Error."""
    _verify(case.request, now)


@given(st.booleans().flatmap(lambda p: hst.signed_cases(presigned=p)), hst.any_nows())
def test_any_aware_clock_returns_or_raises_sigv4_error(
    case: hst.SignedCase, now: datetime
) -> None:
    """At any aware time, in any UTC offset, verify() returns or raises a SigV4Error."""
    _verify(case.request, now)


# --- regressions: each crash found, pinned ----------------------------------------
# Each asserts the rule for one input that once escaped as another exception.


def _signed(
    *, method: str = "GET", url: str = GET.url, x_foo: str = "bar"
) -> HttpRequest:
    """A signed GET with an X-Foo header, then sent with ``method``, ``url`` and
    ``x_foo`` in place of what was signed."""
    signed = sign(
        HttpRequest("GET", GET.url, [("X-Foo", "bar")]),
        hst.CREDENTIALS,
        region="us-east-1",
        service="service",
        when=hst.SIGNING_TIME,
    )
    headers = [(n, x_foo if n == "X-Foo" else v) for n, v in signed.headers]
    return HttpRequest(method, url, headers)


@pytest.mark.parametrize(
    "changes",
    [
        pytest.param({"x_foo": "\ud800"}, id="signed-header-value"),
        pytest.param({"method": "G\ud800T"}, id="method"),
        pytest.param({"url": "https://example.amazonaws.com/\ud800"}, id="path"),
        pytest.param({"url": "https://example.amazonaws.com/?a=\udfff"}, id="query"),
        pytest.param(
            {"url": "https://example.amazonaws.com/?a=%41\ud800"},
            id="query-with-escape",
        ),
        pytest.param({"url": "https://ex\ud800ample.amazonaws.com/"}, id="host"),
    ],
)
def test_lone_surrogate_in_a_signed_part_raises_sigv4_error(
    changes: dict[str, str],
) -> None:
    """A lone surrogate (not encodable as UTF-8) in the method, URL or a signed header
    is rejected with a SigV4Error, not a UnicodeEncodeError from building the
    canonical request."""
    with pytest.raises(SigV4Error):
        VERIFIER.verify(_signed(**changes), now=hst.SIGNING_TIME)


def test_lone_surrogate_in_a_presigned_query_parameter_raises_sigv4_error() -> None:
    """A lone surrogate in a presigned URL's own parameter is a SigV4Error."""
    url = presign(
        HttpRequest("GET", "https://example.amazonaws.com/?a=b"),
        hst.CREDENTIALS,
        region="us-east-1",
        service="service",
        when=hst.SIGNING_TIME,
    )
    with pytest.raises(SigV4Error):
        VERIFIER.verify(
            HttpRequest("GET", url.replace("a=b", "a=\ud800")), now=hst.SIGNING_TIME
        )


@pytest.mark.parametrize(
    "now",
    [
        datetime.max.replace(tzinfo=timezone(timedelta(hours=-5))),
        datetime.min.replace(tzinfo=timezone(timedelta(hours=5))),
    ],
    ids=["max-at-UTC-5", "min-at-UTC+5"],
)
def test_a_clock_at_the_end_of_time_outside_utc_raises_sigv4_error(
    now: datetime,
) -> None:
    """A server clock whose UTC equivalent is out of datetime's range gives a
    SigV4Error, not an OverflowError from converting it to UTC."""
    signed = sign(
        GET,
        hst.CREDENTIALS,
        region="us-east-1",
        service="service",
        when=hst.SIGNING_TIME,
    )
    with pytest.raises(SigV4Error):
        VERIFIER.verify(signed, now=now)


@pytest.mark.parametrize("presigned", [False, True], ids=["header", "presigned"])
def test_replay_guard_at_the_end_of_time_does_not_overflow(presigned: bool) -> None:
    """A request signed (and verified) in the last minutes of year 9999 returns or
    raises a SigV4Error with a replay guard on: the guard's expiry (signing time +
    lifetime + skew) is past datetime.max and must not raise OverflowError."""
    when = datetime(9999, 12, 31, 23, 59, tzinfo=UTC)
    verifier = Verifier(
        hst.lookup,
        regions={"us-east-1"},
        services={"service"},
        replay_guard=ReplayGuard(),
    )
    if presigned:
        request = HttpRequest(
            "GET",
            presign(
                GET, hst.CREDENTIALS, region="us-east-1", service="service", when=when
            ),
        )
    else:
        request = sign(
            GET, hst.CREDENTIALS, region="us-east-1", service="service", when=when
        )
    # Verifying or a SigV4Error are both fine; an OverflowError is not.
    with contextlib.suppress(SigV4Error):
        verifier.verify(request, now=when)
