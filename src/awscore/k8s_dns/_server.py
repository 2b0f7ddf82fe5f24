"""A real DNS server for a :class:`Cluster`: UDP and TCP, wire format by dnspython.

dnspython is the optional ``dns`` extra (``pip install 'awscore[dns]'``); it is
imported only when a server is built or a packet answered. Behaviour:

* names outside the cluster zone and the reverse zones: REFUSED;
* a UDP answer larger than 512 bytes, or than the EDNS payload size the client
  advertises (RFC 6891 §6.2.5), is replaced by an empty answer with TC set, so
  the client retries over TCP (RFC 1035 §4.2.1, RFC 7766);
* a packet that does not parse gets FORMERR when its header can be read and it is
  a query; shorter packets and responses are dropped, never answered (no loops);
* opcodes other than QUERY get NOTIMP; EDNS versions above 0 get BADVERS.
"""

from __future__ import annotations

import contextlib
import functools
import importlib
import ipaddress
import selectors
import socket
import struct
import threading
from types import TracebackType
from typing import TYPE_CHECKING, Any

from awscore.errors import DnsExtraMissingError
from awscore.k8s_dns._model import Cluster, DnsAnswer, Record

if TYPE_CHECKING:
    import dns.message
    import dns.rcode

#: The EDNS payload size the server advertises (DNS flag day 2020).
SERVER_PAYLOAD = 1232
#: The UDP answer limit without EDNS (RFC 1035 §2.3.4).
CLASSIC_UDP_LIMIT = 512
_HEADER = 12


def _require_dnspython() -> None:
    try:
        importlib.import_module("dns.message")
    except ImportError as exc:
        raise DnsExtraMissingError(
            "the k8s_dns server needs dnspython, which is not installed: "
            "pip install 'awscore[dns]'"
        ) from exc


@functools.lru_cache(maxsize=8192)
def _rrset(name: str, rtype: str, ttl: int, datas: tuple[str, ...]) -> Any:
    # RRsets are only read when a message is encoded, so one object can serve
    # every response that carries it.
    import dns.rrset

    return dns.rrset.from_text_list(name, ttl, "IN", rtype, datas)


def _formerr(wire: bytes) -> bytes:
    """A bare FORMERR header for a query whose body could not be parsed."""
    flags = int.from_bytes(wire[2:4], "big")
    opcode = (flags >> 11) & 0xF
    out = 0x8000 | (opcode << 11) | (flags & 0x0100) | 1
    return wire[:2] + out.to_bytes(2, "big") + bytes(8)


def _rrsets(records: tuple[Record, ...]) -> list[Any]:
    grouped: dict[tuple[str, str, int], list[str]] = {}
    for record in records:
        grouped.setdefault((record.name, record.type, record.ttl), []).append(
            record.data
        )
    return [
        _rrset(name, rtype, ttl, tuple(datas))
        for (name, rtype, ttl), datas in grouped.items()
    ]


def build_response(
    query: dns.message.Message, answer: DnsAnswer
) -> dns.message.Message:
    """The dnspython response to ``query`` carrying ``answer``."""
    import dns.flags
    import dns.rcode

    response = dns.message.make_response(query, our_payload=SERVER_PAYLOAD)
    if answer.authoritative:
        response.flags |= dns.flags.AA
    response.set_rcode(dns.rcode.from_text(answer.rcode.value))
    response.answer = _rrsets(answer.answer)
    response.authority = _rrsets(answer.authority)
    return response


def _refusal(query: dns.message.Message) -> dns.rcode.Rcode | None:
    """The rcode of a query the model does not answer, or None."""
    import dns.opcode
    import dns.rcode
    import dns.rdataclass
    import dns.rdatatype

    if query.opcode() != dns.opcode.QUERY:
        return dns.rcode.NOTIMP
    if query.edns > 0:
        return dns.rcode.BADVERS
    if len(query.question) != 1:
        return dns.rcode.FORMERR
    question = query.question[0]
    if question.rdclass != dns.rdataclass.IN or (
        dns.rdatatype.is_metatype(question.rdtype)
        and question.rdtype != dns.rdatatype.ANY
    ):
        return dns.rcode.REFUSED
    return None


def answer_wire(cluster: Cluster, wire: bytes, *, udp: bool = True) -> bytes | None:
    """The wire-format response to one DNS message, or None to drop it.

    ``udp`` applies the UDP size limit (512 bytes, or the client's EDNS payload
    size) and sets TC when the answer does not fit. Never raises for any bytes.
    Raises :class:`~awscore.errors.DnsExtraMissingError` without dnspython.
    """
    _require_dnspython()
    import dns.exception
    import dns.flags
    import dns.message
    import dns.rdatatype

    if len(wire) < _HEADER or wire[2] & 0x80:
        return None  # no header to answer, or a response: never reply to those
    try:
        query = dns.message.from_wire(wire)
    except (dns.exception.DNSException, ValueError, struct.error, IndexError):
        return _formerr(wire)
    refusal = _refusal(query)
    if refusal is not None:
        response = dns.message.make_response(query, our_payload=SERVER_PAYLOAD)
        response.set_rcode(refusal)
        return response.to_wire()
    question = query.question[0]
    answer = cluster.query(
        question.name.to_text(), dns.rdatatype.to_text(question.rdtype)
    )
    response = build_response(query, answer)
    limit = 65535
    if udp:
        payload = query.payload if query.edns >= 0 else CLASSIC_UDP_LIMIT
        limit = min(max(CLASSIC_UDP_LIMIT, payload), 65535)
    try:
        return response.to_wire(max_size=limit)
    except dns.exception.TooBig:
        truncated = dns.message.make_response(query, our_payload=SERVER_PAYLOAD)
        truncated.flags |= dns.flags.TC | (response.flags & dns.flags.AA)
        truncated.set_rcode(response.rcode())
        return truncated.to_wire()


class DnsServer:
    """Serve a cluster's DNS on UDP and TCP at ``host:port`` (port 0: any free port).

    Use as a context manager, or :meth:`start` and :meth:`close`. UDP is answered
    on one selector thread; each TCP connection gets a thread, may send several
    length-prefixed queries (RFC 7766 §6.2.1) and is closed after
    ``tcp_idle_timeout`` seconds of silence. :meth:`close` stops every thread.

    Raises :class:`~awscore.errors.DnsExtraMissingError` without dnspython, and
    :class:`OSError` when the address cannot be bound.
    """

    def __init__(
        self,
        cluster: Cluster,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        tcp_idle_timeout: float = 10.0,
    ) -> None:
        _require_dnspython()
        self.cluster = cluster
        self.host = host
        self.requested_port = port
        self.tcp_idle_timeout = tcp_idle_timeout
        self.udp_queries = 0
        self.tcp_queries = 0
        self.dropped = 0
        self.errors = 0
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._udp: socket.socket | None = None
        self._tcp: socket.socket | None = None
        self._wake_r: socket.socket | None = None
        self._wake_w: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self._connections: dict[socket.socket, threading.Thread] = {}

    @property
    def address(self) -> tuple[str, int]:
        """The bound ``(host, port)``; only after :meth:`start`."""
        if self._udp is None:
            raise RuntimeError("the server is not started")
        host, port = self._udp.getsockname()[:2]
        return str(host), int(port)

    @property
    def port(self) -> int:
        """The bound port (UDP and TCP share it)."""
        return self.address[1]

    def start(self) -> DnsServer:
        """Bind UDP and TCP on the same port and start answering."""
        family = (
            socket.AF_INET6
            if ipaddress.ip_address(self.host).version == 6
            else socket.AF_INET
        )
        for _ in range(20):
            udp = socket.socket(family, socket.SOCK_DGRAM)
            udp.bind((self.host, self.requested_port))
            port = udp.getsockname()[1]
            tcp = socket.socket(family, socket.SOCK_STREAM)
            tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                tcp.bind((self.host, port))
            except OSError:
                udp.close()
                tcp.close()
                if self.requested_port:
                    raise
                continue
            break
        else:  # pragma: no cover - twenty ports taken in a row
            raise OSError(f"no port free for both UDP and TCP on {self.host}")
        tcp.listen(64)
        self._wake_r, self._wake_w = socket.socketpair()
        udp.setblocking(False)
        tcp.setblocking(False)
        self._udp, self._tcp = udp, tcp
        self._thread = threading.Thread(
            target=self._serve, name=f"k8s-dns {self.host}:{port}", daemon=True
        )
        self._thread.start()
        return self

    def close(self) -> None:
        """Stop answering, close every socket and join every thread."""
        self._stop.set()
        if self._wake_w is not None:
            with contextlib.suppress(OSError):
                self._wake_w.send(b"x")
        if self._thread is not None:
            self._thread.join(5)
        with self._lock:
            connections = list(self._connections.items())
        for conn, _ in connections:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        for _, thread in connections:
            thread.join(5)
        for sock in (self._udp, self._tcp, self._wake_r, self._wake_w):
            if sock is not None:
                sock.close()

    def __enter__(self) -> DnsServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def wait(self) -> None:
        """Block until :meth:`close` is called (from another thread or a signal)."""
        while not self._stop.wait(0.5):
            pass

    def _answer(self, wire: bytes, *, udp: bool) -> bytes | None:
        try:
            reply = answer_wire(self.cluster, wire, udp=udp)
        except Exception:  # a server thread must outlive any packet
            with self._lock:
                self.errors += 1
            return None
        with self._lock:
            if reply is None:
                self.dropped += 1
            elif udp:
                self.udp_queries += 1
            else:
                self.tcp_queries += 1
        return reply

    def _serve(self) -> None:
        assert self._udp is not None
        assert self._tcp is not None
        assert self._wake_r is not None
        with selectors.DefaultSelector() as selector:
            selector.register(self._udp, selectors.EVENT_READ, "udp")
            selector.register(self._tcp, selectors.EVENT_READ, "tcp")
            selector.register(self._wake_r, selectors.EVENT_READ, "wake")
            while not self._stop.is_set():
                for key, _ in selector.select():
                    if key.data == "udp":
                        self._serve_udp()
                    elif key.data == "tcp":
                        self._accept()

    def _serve_udp(self) -> None:
        assert self._udp is not None
        for _ in range(64):  # drain what is queued, then let TCP have a turn
            try:
                wire, peer = self._udp.recvfrom(65535)
            except (BlockingIOError, InterruptedError):
                return
            except OSError:
                return
            reply = self._answer(wire, udp=True)
            if reply is not None:
                with contextlib.suppress(OSError):
                    self._udp.sendto(reply, peer)

    def _accept(self) -> None:
        assert self._tcp is not None
        try:
            conn, _ = self._tcp.accept()
        except OSError:
            return
        conn.setblocking(True)
        conn.settimeout(self.tcp_idle_timeout)
        thread = threading.Thread(target=self._serve_tcp, args=(conn,), daemon=True)
        with self._lock:
            self._connections[conn] = thread
        thread.start()

    def _serve_tcp(self, conn: socket.socket) -> None:
        try:
            while not self._stop.is_set():
                head = _recv_exact(conn, 2)
                if head is None:
                    return
                body = _recv_exact(conn, int.from_bytes(head, "big"))
                if body is None:
                    return
                reply = self._answer(body, udp=False)
                if reply is None:
                    return
                conn.sendall(len(reply).to_bytes(2, "big") + reply)
        except OSError:
            return
        finally:
            with self._lock:
                self._connections.pop(conn, None)
            conn.close()


def _recv_exact(conn: socket.socket, size: int) -> bytes | None:
    chunks = bytearray()
    while len(chunks) < size:
        chunk = conn.recv(size - len(chunks))
        if not chunk:
            return None
        chunks += chunk
    return bytes(chunks)
