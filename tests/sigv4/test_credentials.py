"""Credentials providers and RefreshingCredentials (botocore's refresh windows)."""

from __future__ import annotations

import asyncio
import threading
import time
from datetime import UTC, datetime, timedelta

import httpx
import pytest
import requests
from hypothesis import given
from hypothesis import strategies as st

from awscore.errors import (
    CredentialsExpiredError,
    CredentialsFetchError,
    SigV4InputError,
)
from awscore.sigv4 import (
    ChunkedEncoder,
    Credentials,
    CredentialsProvider,
    HttpRequest,
    HttpxAuth,
    RefreshingCredentials,
    RequestsAuth,
    current_credentials,
    sign_chunked,
)

T0 = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"


class Clock:
    """A hand-driven clock."""

    def __init__(self, now: datetime = T0) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def creds(n: int, expires: datetime | None) -> Credentials:
    return Credentials(f"AKID{n}", SECRET, f"token{n}", expiration=expires)


class Counter:
    """A refresh function that hands out AKID1, AKID2, ... valid for ``life``."""

    def __init__(self, clock: Clock, life: timedelta = timedelta(hours=1)) -> None:
        self.clock = clock
        self.life = life
        self.calls = 0
        self.lock = threading.Lock()

    def __call__(self) -> Credentials:
        with self.lock:
            self.calls += 1
            n = self.calls
        return creds(n, self.clock() + self.life)


def test_credentials_value_is_its_own_provider() -> None:
    c = Credentials("AKID", SECRET)
    assert c.credentials() is c
    assert isinstance(c, CredentialsProvider)
    assert current_credentials(c) is c


def test_expiration_must_be_aware_and_is_not_secret() -> None:
    with pytest.raises(SigV4InputError, match="aware datetime"):
        Credentials("AKID", SECRET, expiration=datetime(2026, 1, 1))
    c = Credentials("AKID", SECRET, "tok", expiration=T0)
    assert SECRET not in repr(c)
    assert "tok" not in repr(c)
    assert "2026" in repr(c)


def test_current_credentials_refuses_non_providers() -> None:
    with pytest.raises(SigV4InputError, match="credentials\\(\\) method"):
        current_credentials(object())

    class Bad:
        def credentials(self) -> object:
            return "AKID"

    with pytest.raises(SigV4InputError, match="returned str"):
        current_credentials(Bad())


def test_no_refresh_while_more_than_15_minutes_left() -> None:
    clock = Clock()
    refresh = Counter(clock)
    provider = RefreshingCredentials(
        refresh, clock=clock, initial=creds(0, T0 + timedelta(minutes=16))
    )
    assert provider.credentials().access_key_id == "AKID0"
    assert refresh.calls == 0
    assert SECRET not in repr(provider)


def test_first_call_without_initial_refreshes() -> None:
    clock = Clock()
    refresh = Counter(clock)
    provider = RefreshingCredentials(refresh, clock=clock)
    assert provider.credentials().access_key_id == "AKID1"
    assert provider.credentials().access_key_id == "AKID1"
    assert refresh.calls == 1 == provider.refresh_count


def test_credentials_without_expiration_are_kept() -> None:
    clock = Clock()
    provider = RefreshingCredentials(lambda: creds(9, None), clock=clock, initial=None)
    provider.credentials()
    clock.now += timedelta(days=400)
    assert provider.credentials().access_key_id == "AKID9"
    assert provider.refresh_count == 1


def test_advisory_window_refreshes_and_keeps_old_value_on_failure() -> None:
    """Between 15 and 10 minutes left a refresh is tried; its failure is not an
    error, the still-valid value is returned (botocore's advisory refresh)."""
    clock = Clock()
    old = creds(0, T0 + timedelta(minutes=12))

    def failing() -> Credentials:
        raise CredentialsFetchError("down", step="iam-role")

    provider = RefreshingCredentials(failing, clock=clock, initial=old)
    assert provider.credentials() is old
    assert provider.refresh_count == 1
    good = RefreshingCredentials(Counter(clock), clock=clock, initial=old)
    assert good.credentials().access_key_id == "AKID1"


def test_mandatory_window_failure_raises() -> None:
    clock = Clock()

    def failing() -> Credentials:
        raise CredentialsFetchError("down", step="iam-role")

    provider = RefreshingCredentials(
        failing, clock=clock, initial=creds(0, T0 + timedelta(minutes=9))
    )
    with pytest.raises(CredentialsFetchError, match="iam-role: down"):
        provider.credentials()


def test_refresh_returning_expired_credentials_raises() -> None:
    clock = Clock()
    provider = RefreshingCredentials(
        lambda: creds(1, T0 - timedelta(seconds=1)), clock=clock
    )
    with pytest.raises(CredentialsExpiredError, match="already expired") as info:
        provider.credentials()
    assert info.value.step == "refresh"
    assert SECRET not in str(info.value)


def test_refresh_returning_a_non_credentials_value_is_refused() -> None:
    provider = RefreshingCredentials(lambda: "x", clock=Clock())  # type: ignore[arg-type,return-value]
    with pytest.raises(SigV4InputError, match="returned str"):
        provider.credentials()


def test_bad_arguments() -> None:
    with pytest.raises(SigV4InputError, match="callable"):
        RefreshingCredentials("x")  # type: ignore[arg-type]
    with pytest.raises(SigV4InputError, match="mandatory_seconds"):
        RefreshingCredentials(lambda: creds(1, None), mandatory_seconds=1000)


@given(
    steps=st.lists(
        st.tuples(
            st.integers(min_value=0, max_value=3 * 3600),  # clock advance, seconds
            st.integers(min_value=-600, max_value=7200),  # refreshed lifetime
            st.booleans(),  # does the refresh fail?
        ),
        min_size=1,
        max_size=20,
    )
)
def test_never_returns_expired_credentials(steps: list[tuple[int, int, bool]]) -> None:
    """Whatever the clock and the refresh results do, a value returned by
    credentials() has not expired at the moment it is returned, and a value
    with less than 10 minutes left is never returned without a refresh attempt."""
    clock = Clock()
    plan: list[tuple[int, bool]] = []

    def refresh() -> Credentials:
        life, fails = plan[-1]
        if fails:
            raise CredentialsFetchError("down", step="container-role")
        return creds(len(plan), clock() + timedelta(seconds=life))

    provider = RefreshingCredentials(refresh, clock=clock)
    for advance, life, fails in steps:
        clock.now += timedelta(seconds=advance)
        plan.append((life, fails))
        before = provider.refresh_count
        try:
            got = provider.credentials()
        except (CredentialsFetchError, CredentialsExpiredError):
            continue
        assert got.expiration is not None
        left = got.expiration - clock()
        assert left > timedelta(0)
        if left < timedelta(minutes=10):
            assert provider.refresh_count == before + 1


def test_five_minutes_left_is_refreshed_before_signing_requests_and_httpx() -> None:
    """Credentials expiring in 5 minutes are replaced before a signature is made."""
    for library in ("requests", "httpx"):
        clock = Clock()
        refresh = Counter(clock)
        provider = RefreshingCredentials(
            refresh, clock=clock, initial=creds(0, T0 + timedelta(minutes=5))
        )
        url = "https://b.s3.amazonaws.com/k"
        if library == "requests":
            prepared = requests.Request("GET", url).prepare()
            sent = RequestsAuth(
                provider, region="us-east-1", service="s3", clock=clock
            )(prepared).headers
            headers = {k.lower(): v for k, v in sent.items()}
            auth_repr = repr(
                RequestsAuth(provider, region="us-east-1", service="s3", clock=clock)
            )
        else:
            flow = HttpxAuth(
                provider, region="us-east-1", service="s3", clock=clock
            ).auth_flow(httpx.Request("GET", url))
            headers = {k.lower(): v for k, v in next(flow).headers.items()}
            auth_repr = repr(
                HttpxAuth(provider, region="us-east-1", service="s3", clock=clock)
            )
        assert "Credential=AKID1/" in headers["authorization"]
        assert headers["x-amz-security-token"] == "token1"
        assert refresh.calls == 1
        assert SECRET not in auth_repr


def test_adapters_refuse_what_is_not_a_provider() -> None:
    with pytest.raises(SigV4InputError, match="provider"):
        RequestsAuth("AKID", region="us-east-1", service="s3")  # type: ignore[arg-type]


def test_sign_chunked_accepts_a_provider() -> None:
    clock = Clock()
    provider = RefreshingCredentials(
        Counter(clock), clock=clock, initial=creds(0, T0 + timedelta(minutes=5))
    )
    signed, encoder = sign_chunked(
        HttpRequest("PUT", "https://b.s3.amazonaws.com/k"),
        provider,
        region="us-east-1",
        service="s3",
        when=T0,
        data_length=3,
    )
    assert isinstance(encoder, ChunkedEncoder)
    assert "Credential=AKID1/" in (signed.get("Authorization") or "")


def _expiring_provider() -> tuple[RefreshingCredentials, Counter, threading.Event]:
    clock = Clock()
    gate = threading.Event()
    counter = Counter(clock)

    def slow_refresh() -> Credentials:
        # Hold the refresh open until every caller has asked, so that they
        # really overlap it.
        gate.wait(timeout=30)
        return counter()

    provider = RefreshingCredentials(
        slow_refresh, clock=clock, initial=creds(0, T0 + timedelta(minutes=5))
    )
    return provider, counter, gate


def test_fifty_threads_trigger_exactly_one_refresh() -> None:
    provider, counter, gate = _expiring_provider()
    results: list[str] = []
    started = threading.Barrier(51)

    def worker() -> None:
        started.wait()
        results.append(provider.credentials().access_key_id)

    threads = [threading.Thread(target=worker) for _ in range(50)]
    for t in threads:
        t.start()
    started.wait()
    time.sleep(0.2)  # let every thread reach the lock before the refresh ends
    gate.set()
    for t in threads:
        t.join(timeout=30)
    assert counter.calls == 1
    assert results == ["AKID1"] * 50


def test_fifty_asyncio_tasks_trigger_exactly_one_refresh() -> None:
    provider, counter, gate = _expiring_provider()

    async def main() -> list[str]:
        tasks = [asyncio.create_task(provider.credentials_async()) for _ in range(50)]
        await asyncio.sleep(0.2)  # every task is now waiting on the refresh
        gate.set()
        return [c.access_key_id for c in await asyncio.gather(*tasks)]

    assert asyncio.run(main()) == ["AKID1"] * 50
    assert counter.calls == 1

    async def again() -> str:
        return (await provider.credentials_async()).access_key_id

    assert asyncio.run(again()) == "AKID1"
    assert counter.calls == 1
