"""DNS over TCP for the server: every connection on one selector, none can stall it.

RFC 7766 §6: a connection may carry several length-prefixed queries, answered in
order. The server bounds what a client can hold: connections past
``max_connections`` close the least recently active one (RFC 7766 §6.2.3 lets a
server close idle connections under pressure); a connection silent for
``idle_timeout`` is closed; a query must arrive whole within ``query_timeout`` of
its first byte (a client dribbling one byte at a time, slowloris, is closed
then); replies a client does not read are capped at ``MAX_PENDING`` bytes.
Sockets are non-blocking, so no client can block the loop that serves the
others.
"""

from __future__ import annotations

import contextlib
import selectors
import socket
from collections.abc import Callable
from dataclasses import dataclass, field

#: Bytes of replies kept for a client that does not read them; past it, closed.
MAX_PENDING = 256 * 1024
_READ = 65535 + 2


@dataclass(slots=True)
class Connection:
    """One client connection: what it sent and what it has not read yet."""

    sock: socket.socket
    last_active: float
    inbox: bytearray = field(default_factory=bytearray)
    outbox: bytearray = field(default_factory=bytearray)
    message_started: float | None = None


@dataclass(slots=True, kw_only=True)
class TcpLimits:
    """The bounds on TCP clients (seconds and counts), documented on the page."""

    idle_timeout: float = 10.0
    query_timeout: float = 5.0
    max_connections: int = 1024
    max_pending: int = MAX_PENDING


class TcpServer:
    """The TCP side of :class:`~awscore.k8s_dns.DnsServer`, driven by its loop.

    ``answer(wire)`` is the reply to one query (None: close the connection).
    """

    def __init__(
        self,
        listener: socket.socket,
        selector: selectors.BaseSelector,
        answer: Callable[[bytes], bytes | None],
        limits: TcpLimits,
        clock: Callable[[], float],
    ) -> None:
        self.listener = listener
        self.selector = selector
        self.answer = answer
        self.limits = limits
        self.clock = clock
        self.connections: dict[socket.socket, Connection] = {}
        self.evicted = 0
        selector.register(listener, selectors.EVENT_READ, self._accept)

    def _accept(self, mask: int) -> None:
        for _ in range(64):
            try:
                sock, _ = self.listener.accept()
            except (BlockingIOError, InterruptedError):
                return
            except OSError:
                # Out of descriptors (EMFILE) or the like: make room, try later.
                self._evict_oldest()
                return
            if len(self.connections) >= self.limits.max_connections:
                self._evict_oldest()
            sock.setblocking(False)
            conn = Connection(sock=sock, last_active=self.clock())
            self.connections[sock] = conn
            self.selector.register(
                sock, selectors.EVENT_READ, lambda m, c=conn: self._ready(c, m)
            )

    def _evict_oldest(self) -> None:
        if self.connections:
            oldest = min(self.connections.values(), key=lambda c: c.last_active)
            self.evicted += 1
            self.close(oldest)

    def close(self, conn: Connection) -> None:
        """Forget a connection and close its socket."""
        if self.connections.pop(conn.sock, None) is not None:
            with contextlib.suppress(KeyError, ValueError):
                self.selector.unregister(conn.sock)
        conn.sock.close()

    def _ready(self, conn: Connection, mask: int) -> None:
        if mask & selectors.EVENT_WRITE and not self._flush(conn):
            return
        if mask & selectors.EVENT_READ:
            self._read(conn)

    def _read(self, conn: Connection) -> None:
        try:
            data = conn.sock.recv(_READ)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            self.close(conn)
            return
        if not data:
            self.close(conn)
            return
        now = self.clock()
        conn.last_active = now
        inbox = conn.inbox
        inbox += data
        started = conn.message_started or now
        while len(inbox) >= 2:
            size = int.from_bytes(inbox[:2], "big")
            if len(inbox) < 2 + size:
                break
            message = bytes(inbox[2 : 2 + size])
            del inbox[: 2 + size]
            reply = self.answer(message)
            if reply is None:
                self.close(conn)
                return
            conn.outbox += len(reply).to_bytes(2, "big") + reply
            started = now
        conn.message_started = started if inbox else None
        if conn.outbox and self._flush(conn) and conn.outbox:
            if len(conn.outbox) > self.limits.max_pending:
                self.close(conn)
                return
            self.selector.modify(
                conn.sock,
                selectors.EVENT_READ | selectors.EVENT_WRITE,
                lambda m, c=conn: self._ready(c, m),
            )

    def _flush(self, conn: Connection) -> bool:
        """Send what the client can take; False if the connection closed."""
        try:
            sent = conn.sock.send(conn.outbox)
        except (BlockingIOError, InterruptedError):
            return True
        except OSError:
            self.close(conn)
            return False
        del conn.outbox[:sent]
        if not conn.outbox:
            with contextlib.suppress(KeyError, ValueError):
                self.selector.modify(
                    conn.sock,
                    selectors.EVENT_READ,
                    lambda m, c=conn: self._ready(c, m),
                )
        return True

    def sweep(self) -> None:
        """Close connections idle too long, or slow to finish a query."""
        now = self.clock()
        idle = self.limits.idle_timeout
        slow = self.limits.query_timeout
        for conn in list(self.connections.values()):
            started = conn.message_started
            if now - conn.last_active > idle or (
                started is not None and now - started > slow
            ):
                self.close(conn)

    def close_all(self) -> None:
        """Close every client connection."""
        for conn in list(self.connections.values()):
            self.close(conn)
