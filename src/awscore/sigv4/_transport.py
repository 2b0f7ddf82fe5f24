"""The I/O the credential chain does, behind one small value it is given.

The chain's steps never open a socket, a file or a process themselves: they
call the :class:`ChainIO` they are handed, so tests (and callers with their own
HTTP stack) can substitute any part. :func:`default_io` is the real thing:
``http.client`` with no proxy (the metadata endpoints are link-local and must
not go through one), ``subprocess`` for ``credential_process``, the file system,
``time.sleep`` and the UTC clock.
"""

from __future__ import annotations

import http.client
import os
import subprocess
import time
import urllib.parse
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from awscore.errors import CredentialsFetchError

__all__ = [
    "MAX_RESPONSE_BYTES",
    "ChainIO",
    "HttpResponse",
    "HttpTimeoutError",
    "ProcessResult",
    "default_io",
]

#: The largest answer read from a metadata endpoint, STS or a process (1 MiB).
MAX_RESPONSE_BYTES = 1 << 20


class HttpTimeoutError(Exception):
    """The server did not answer within the step's timeout."""


@dataclass(frozen=True, slots=True, kw_only=True)
class HttpResponse:
    """An HTTP answer: its status and (bounded) body."""

    status: int
    body: bytes


@dataclass(frozen=True, slots=True, kw_only=True)
class ProcessResult:
    """What a ``credential_process`` command left: exit status and output."""

    returncode: int
    stdout: bytes
    stderr: bytes


#: ``(method, url, headers, body, timeout) -> HttpResponse``; raises
#: :class:`HttpTimeoutError` on a timeout and :class:`OSError` when it cannot connect.
HttpSend = Callable[[str, str, Mapping[str, str], bytes, float], HttpResponse]


@dataclass(frozen=True, slots=True, kw_only=True)
class ChainIO:
    """Everything outside the process the credential chain may touch."""

    http: HttpSend
    run: Callable[[Sequence[str]], ProcessResult]
    read_file: Callable[[str], str | None]
    sleep: Callable[[float], None]
    clock: Callable[[], datetime]
    #: the link-local address of the ECS credentials endpoint (relative URIs)
    container_host: str = "169.254.170.2"


def _http_send(
    method: str, url: str, headers: Mapping[str, str], body: bytes, timeout: float
) -> HttpResponse:
    parts = urllib.parse.urlsplit(url)
    host = parts.hostname or ""
    connection: http.client.HTTPConnection
    if parts.scheme == "https":
        connection = http.client.HTTPSConnection(host, parts.port, timeout=timeout)
    else:
        connection = http.client.HTTPConnection(host, parts.port, timeout=timeout)
    target = parts.path or "/"
    if parts.query:
        target += "?" + parts.query
    try:
        connection.request(method, target, body=body or None, headers=dict(headers))
        response = connection.getresponse()
        data = response.read(MAX_RESPONSE_BYTES + 1)
    except TimeoutError as error:
        raise HttpTimeoutError(str(error)) from None
    finally:
        connection.close()
    if len(data) > MAX_RESPONSE_BYTES:
        raise CredentialsFetchError(
            f"{parts.hostname} answered more than {MAX_RESPONSE_BYTES} bytes",
            step="http",
        )
    return HttpResponse(status=response.status, body=data)


def _run(argv: Sequence[str]) -> ProcessResult:
    try:
        done = subprocess.run(  # noqa: S603 - the user's own credential_process
            list(argv), capture_output=True, timeout=60, check=False
        )
    except subprocess.TimeoutExpired:
        raise CredentialsFetchError(
            f"{argv[0]!r} did not finish within 60 seconds", step="custom-process"
        ) from None
    except OSError as error:
        raise CredentialsFetchError(
            f"{argv[0]!r} cannot be run: {error.strerror}", step="custom-process"
        ) from None
    return ProcessResult(
        returncode=done.returncode,
        stdout=done.stdout[: MAX_RESPONSE_BYTES + 1],
        stderr=done.stderr[:2000],
    )


def _read_file(path: str) -> str | None:
    try:
        with open(path, encoding="utf-8") as handle:
            return handle.read(MAX_RESPONSE_BYTES + 1)
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        return None


def _utc_now() -> datetime:
    return datetime.now(UTC)


def default_io() -> ChainIO:
    """The real network, processes, files, sleep and clock."""
    return ChainIO(
        http=_http_send,
        run=_run,
        read_file=_read_file,
        sleep=time.sleep,
        clock=_utc_now,
    )


def files_io(files: Mapping[str, str], base: ChainIO | None = None) -> ChainIO:
    """``base`` (default: :func:`default_io`) reading files from ``files`` only."""
    base = default_io() if base is None else base

    def read(path: str) -> str | None:
        return files.get(path)

    return ChainIO(
        http=base.http,
        run=base.run,
        read_file=read,
        sleep=base.sleep,
        clock=base.clock,
        container_host=base.container_host,
    )


def expand_path(path: str, env: Mapping[str, str]) -> str:
    """``os.path.expandvars`` then ``expanduser``, with ``env`` for the variables
    (as botocore expands ``AWS_CONFIG_FILE`` and friends)."""
    out = []
    i = 0
    while i < len(path):
        # $NAME and ${NAME}; an unknown variable is left as written (POSIX
        # expandvars' rule).
        if path[i] == "$":
            if path.startswith("${", i):
                end = path.find("}", i)
                if end > 0 and path[i + 2 : end] in env:
                    out.append(env[path[i + 2 : end]])
                    i = end + 1
                    continue
            else:
                j = i + 1
                while j < len(path) and (path[j].isalnum() or path[j] == "_"):
                    j += 1
                if j > i + 1 and path[i + 1 : j] in env:
                    out.append(env[path[i + 1 : j]])
                    i = j
                    continue
        out.append(path[i])
        i += 1
    text = "".join(out)
    if text == "~" or text.startswith("~/"):
        home = env.get("HOME") or os.path.expanduser("~")
        text = home + text[1:]
    return text
