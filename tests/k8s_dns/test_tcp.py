"""The TCP side of the server with sockets that fail on cue (no network)."""

from __future__ import annotations

import errno
import selectors
import socket
from collections.abc import Iterator

import pytest

from awscore.k8s_dns._tcp import Connection, TcpLimits, TcpServer

#: Every real socket the stand-ins open, closed after each test.
OPENED: list[socket.socket] = []


class Listener:
    """A listening socket stand-in: ``accept`` pops from ``results``."""

    def __init__(self, results: list[BaseException | socket.socket]) -> None:
        self.results = results
        self.real = socket.socket()  # something a selector can register
        OPENED.append(self.real)

    def fileno(self) -> int:
        return self.real.fileno()

    def accept(self) -> tuple[socket.socket, object]:
        result = self.results.pop(0) if self.results else BlockingIOError()
        if isinstance(result, BaseException):
            raise result
        return result, ("127.0.0.1", 1)


class Failing:
    """A connected socket stand-in whose recv/send raise what it is given."""

    def __init__(self, recv: BaseException | bytes, send: BaseException | int) -> None:
        self.pair = socket.socketpair()
        OPENED.extend(self.pair)
        self.recv_result = recv
        self.send_result = send
        self.closed = False

    def fileno(self) -> int:
        return self.pair[0].fileno()

    def setblocking(self, flag: bool) -> None:
        pass

    def recv(self, size: int) -> bytes:
        if isinstance(self.recv_result, BaseException):
            raise self.recv_result
        return self.recv_result

    def send(self, data: bytes) -> int:
        if isinstance(self.send_result, BaseException):
            raise self.send_result
        return self.send_result

    def close(self) -> None:
        self.closed = True
        for sock in self.pair:
            sock.close()


@pytest.fixture
def selector() -> Iterator[selectors.BaseSelector]:
    with selectors.DefaultSelector() as chosen:
        yield chosen
    while OPENED:
        OPENED.pop().close()


def server(
    selector: selectors.BaseSelector, listener: Listener, **limits: float
) -> TcpServer:
    return TcpServer(
        listener,  # type: ignore[arg-type]
        selector,
        lambda wire: b"reply",
        TcpLimits(**limits),  # type: ignore[arg-type]
        lambda: 0.0,
    )


def test_out_of_descriptors_closes_the_least_active_connection(
    selector: selectors.BaseSelector,
) -> None:
    """EMFILE from accept: the oldest connection goes, so the next accept can
    succeed, instead of the listener spinning readable forever."""
    old = Failing(b"", 0)
    listener = Listener([old, OSError(errno.EMFILE, "Too many open files")])  # type: ignore[list-item]
    tcp = server(selector, listener)
    tcp._accept(selectors.EVENT_READ)
    assert tcp.connections == {}
    assert tcp.evicted == 1
    assert old.closed


def test_recv_errors_close_only_that_connection(
    selector: selectors.BaseSelector,
) -> None:
    tcp = server(selector, Listener([]))
    waiting = Failing(BlockingIOError(), 0)
    broken = Failing(ConnectionResetError(), 0)
    for sock in (waiting, broken):
        conn = Connection(sock=sock, last_active=0.0)  # type: ignore[arg-type]
        tcp.connections[sock] = conn  # type: ignore[index]
        tcp._read(conn)
    assert list(tcp.connections) == [waiting]  # type: ignore[comparison-overlap]
    assert broken.closed
    assert not waiting.closed


def test_send_errors_keep_or_close_the_connection(
    selector: selectors.BaseSelector,
) -> None:
    tcp = server(selector, Listener([]))
    full = Connection(sock=Failing(b"", BlockingIOError()), last_active=0.0)  # type: ignore[arg-type]
    full.outbox += b"pending"
    assert tcp._flush(full) is True  # try again when writable
    assert full.outbox == b"pending"
    gone = Connection(sock=Failing(b"", BrokenPipeError()), last_active=0.0)  # type: ignore[arg-type]
    tcp.connections[gone.sock] = gone
    gone.outbox += b"pending"
    assert tcp._flush(gone) is False
    assert tcp.connections == {}
    tcp.close(gone)  # closing twice is harmless
