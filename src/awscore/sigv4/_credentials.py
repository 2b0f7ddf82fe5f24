"""Credentials providers, and the wrapper that refreshes them ahead of expiry.

A provider is anything with ``credentials() -> Credentials``. A fixed
:class:`~awscore.sigv4.Credentials` value is one (it returns itself);
:class:`RefreshingCredentials` is the one that matters for temporary credentials:
it follows botocore's ``RefreshableCredentials`` windows (botocore
``credentials.py``: ``_advisory_refresh_timeout`` 15 min, ``_mandatory_refresh_timeout``
10 min):

* more than 15 minutes left: the cached value is returned;
* 10 to 15 minutes left (advisory): one caller refreshes, the others keep using
  the cached value, which is still good; a failed refresh is not an error;
* under 10 minutes left, or no value yet (mandatory): callers wait for one
  refresh; a failed refresh raises, and a refresh that returns credentials that
  have already expired raises :class:`~awscore.errors.CredentialsExpiredError`.

So it never returns expired credentials, and however many threads (or asyncio
tasks, through :meth:`RefreshingCredentials.credentials_async`) ask at once, a
window triggers exactly one refresh.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Protocol, runtime_checkable

from awscore.errors import CredentialsExpiredError, SigV4InputError
from awscore.sigv4._model import Credentials

__all__ = [
    "ADVISORY_REFRESH_SECONDS",
    "MANDATORY_REFRESH_SECONDS",
    "CredentialsProvider",
    "RefreshingCredentials",
    "current_credentials",
]

_log = logging.getLogger("awscore.sigv4.credentials")

#: botocore's advisory refresh window: refresh, but keep the old value on failure.
ADVISORY_REFRESH_SECONDS = 15 * 60
#: botocore's mandatory refresh window: refresh, and fail if that fails.
MANDATORY_REFRESH_SECONDS = 10 * 60


@runtime_checkable
class CredentialsProvider(Protocol):
    """Anything that hands out the credentials to sign with right now."""

    def credentials(self) -> Credentials:
        """The credentials to sign the next request with."""
        ...


def current_credentials(source: object) -> Credentials:
    """The credentials ``source`` (``Credentials`` or a provider) gives now.

    Raises :class:`~awscore.errors.SigV4InputError` when ``source`` is neither,
    or when its ``credentials()`` returns something other than ``Credentials``.
    """
    if isinstance(source, Credentials):
        return source
    method = getattr(source, "credentials", None)
    if not callable(method):
        raise SigV4InputError(
            "credentials must be awscore.sigv4.Credentials or a provider with a "
            f"credentials() method, not {type(source).__name__}"
        )
    value = method()
    if not isinstance(value, Credentials):
        raise SigV4InputError(
            f"the credentials provider {type(source).__name__} returned "
            f"{type(value).__name__}, not awscore.sigv4.Credentials"
        )
    return value


def _utc_now() -> datetime:
    return datetime.now(UTC)


class RefreshingCredentials:
    """A provider that calls ``refresh`` ahead of the current value's expiry.

    Args:
        refresh: returns fresh credentials (with an ``expiration``; without one
            they are kept for good). Called with no lock held by other callers'
            reads of a still-good value.
        clock: returns the current time as an aware datetime (default: the
            system clock, UTC). The windows are measured with it.
        initial: credentials already in hand (so the first call does not
            refresh unless they are near expiry).
        advisory_seconds, mandatory_seconds: the windows (botocore's 900/600).
    """

    __slots__ = (
        "_advisory",
        "_clock",
        "_current",
        "_lock",
        "_mandatory",
        "_refresh",
        "refresh_count",
    )

    def __init__(
        self,
        refresh: Callable[[], Credentials],
        *,
        clock: Callable[[], datetime] | None = None,
        initial: Credentials | None = None,
        advisory_seconds: float = ADVISORY_REFRESH_SECONDS,
        mandatory_seconds: float = MANDATORY_REFRESH_SECONDS,
    ) -> None:
        if not callable(refresh):
            raise SigV4InputError("refresh must be a callable returning Credentials")
        if not 0 <= mandatory_seconds <= advisory_seconds:
            raise SigV4InputError(
                "refresh windows must satisfy 0 <= mandatory_seconds <= "
                f"advisory_seconds, not {mandatory_seconds} and {advisory_seconds}"
            )
        self._refresh = refresh
        self._clock = _utc_now if clock is None else clock
        self._current = initial
        self._advisory = timedelta(seconds=advisory_seconds)
        self._mandatory = timedelta(seconds=mandatory_seconds)
        self._lock = threading.Lock()
        #: How many times ``refresh`` has been called (successful or not).
        self.refresh_count = 0

    def __repr__(self) -> str:
        # The cached value's own repr leaves out its secret and token.
        return f"RefreshingCredentials(current={self._current!r})"

    def _remaining(self, creds: Credentials, now: datetime) -> timedelta | None:
        if creds.expiration is None:
            return None
        return creds.expiration - now

    def _needs(self, window: timedelta) -> bool:
        creds = self._current
        if creds is None:
            return True
        left = self._remaining(creds, self._clock())
        return left is not None and left < window

    def credentials(self) -> Credentials:
        """Unexpired credentials, refreshed first when a window says so."""
        if not self._needs(self._advisory):
            current = self._current
            assert current is not None  # _needs is False only with a value
            return current
        if not self._needs(self._mandatory):
            # Advisory: one caller refreshes; the others do not wait, since the
            # value they already have is good for ten more minutes at least.
            if self._lock.acquire(blocking=False):
                try:
                    if self._needs(self._advisory):
                        self._refresh_now(mandatory=False)
                finally:
                    self._lock.release()
        else:
            with self._lock:
                if self._needs(self._mandatory):
                    self._refresh_now(mandatory=True)
        current = self._current
        assert current is not None  # a mandatory refresh either set it or raised
        return current

    async def credentials_async(self) -> Credentials:
        """:meth:`credentials` for asyncio code: a refresh (which may do blocking
        I/O) runs in a worker thread, and concurrent tasks share the one refresh
        through the same lock threads use."""
        if not self._needs(self._advisory):
            current = self._current
            assert current is not None
            return current
        return await asyncio.to_thread(self.credentials)

    def _refresh_now(self, *, mandatory: bool) -> None:
        self.refresh_count += 1
        try:
            fresh = self._refresh()
        except Exception:
            if mandatory:
                raise
            # botocore keeps the old value when an advisory refresh fails.
            _log.warning(
                "advisory credential refresh failed; the current credentials "
                "stay in use until the mandatory window",
                exc_info=True,
            )
            return
        if not isinstance(fresh, Credentials):
            raise SigV4InputError(
                f"refresh returned {type(fresh).__name__}, not "
                "awscore.sigv4.Credentials"
            )
        left = self._remaining(fresh, self._clock())
        if left is not None and left <= timedelta(0):
            raise CredentialsExpiredError(
                f"credentials for {fresh.access_key_id} were refreshed but had "
                f"already expired at {fresh.expiration:%Y-%m-%dT%H:%M:%SZ}",
                step="refresh",
            )
        self._current = fresh
