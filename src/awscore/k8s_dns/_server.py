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
import os
import selectors
import socket
import struct
import threading
import time
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from awscore._inputs import shown
from awscore.errors import DnsExtraMissingError, K8sDnsError, K8sDnsInputError
from awscore.k8s_dns._answer import Upstream
from awscore.k8s_dns._cache import MAX_ENTRIES, AnswerCache, cache_key, patch
from awscore.k8s_dns._load import load_cluster
from awscore.k8s_dns._model import Cluster, DnsAnswer, Rcode, Record
from awscore.k8s_dns._names import kind
from awscore.k8s_dns._tcp import MAX_PENDING, TcpLimits, TcpServer

if TYPE_CHECKING:
    import dns.message
    import dns.rcode

#: The EDNS payload size the server advertises (DNS flag day 2020).
SERVER_PAYLOAD = 1232
#: The UDP answer limit without EDNS (RFC 1035 §2.3.4).
CLASSIC_UDP_LIMIT = 512
#: The longest wait for one upstream reply, in seconds (an hour: far past any
#: resolver's, and a bound a clock's arithmetic never overflows).
MAX_UPSTREAM_TIMEOUT = 3600.0
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
    response.additional = _rrsets(answer.additional)
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


def answer_wire(
    cluster: Cluster,
    wire: bytes,
    *,
    udp: bool = True,
    upstream: Upstream | None = None,
) -> bytes | None:
    """The wire-format response to one DNS message, or None to drop it.

    ``udp`` applies the UDP size limit (512 bytes, or the client's EDNS payload
    size) and sets TC when the answer does not fit. ``upstream`` resolves
    ExternalName targets outside the zone (see :meth:`Cluster.query`). Never
    raises for any bytes. Raises :class:`~awscore.errors.DnsExtraMissingError`
    without dnspython.
    """
    _require_dnspython()
    import dns.exception
    import dns.flags
    import dns.message
    import dns.rdatatype

    if not isinstance(cluster, Cluster):
        raise K8sDnsInputError([f"cluster must be a Cluster, not {kind(cluster)}"])
    if not isinstance(wire, bytes | bytearray | memoryview):
        raise K8sDnsInputError([f"wire must be the message's bytes, not {kind(wire)}"])
    wire = bytes(wire)
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
        question.name.to_text(),
        dns.rdatatype.to_text(question.rdtype),
        upstream=upstream,
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


def upstream_resolver(address: tuple[str, int], *, timeout: float = 2.0) -> Upstream:
    """An ``upstream`` for :meth:`Cluster.query` that asks a DNS server over UDP.

    CoreDNS resolves ExternalName targets through its own forwarders
    (``plugin/pkg/upstream``); this is the server's stand-in: one UDP question to
    ``address`` (host, port), waiting at most ``timeout`` seconds. A timeout,
    an error or a reply that does not parse is None: the lookup failed.

    Raises :class:`~awscore.errors.K8sDnsInputError` for an ``address`` that is
    not an IP address and a port, or a ``timeout`` that is not a number of
    seconds above 0 and at most 3,600 (an hour).
    """
    _require_dnspython()
    import dns.exception
    import dns.message
    import dns.query
    import dns.rcode
    import dns.rdatatype

    host, port = _upstream_address(address)
    if (
        isinstance(timeout, bool)
        or not isinstance(timeout, int | float)
        or not 0 < timeout <= MAX_UPSTREAM_TIMEOUT
    ):
        raise K8sDnsInputError(
            [
                f"upstream timeout {shown(timeout)} must be a number of seconds "
                f"above 0, at most {MAX_UPSTREAM_TIMEOUT:g}"
            ]
        )

    def lookup(name: str, qtype: str) -> DnsAnswer | None:
        query = dns.message.make_query(name, qtype)
        try:
            reply = dns.query.udp(query, host, port=port, timeout=timeout)
        except (dns.exception.DNSException, OSError, ValueError):
            return None
        records = tuple(
            Record(
                name=rrset.name.to_text(),
                type=dns.rdatatype.to_text(rrset.rdtype),
                ttl=rrset.ttl,
                data=rdata.to_text(),
            )
            for rrset in reply.answer
            for rdata in rrset
        )
        return DnsAnswer(
            qname=name,
            qtype=qtype,
            rcode=Rcode(dns.rcode.to_text(reply.rcode()))
            if dns.rcode.to_text(reply.rcode()) in Rcode.__members__
            else Rcode.SERVFAIL,
            answer=records,
        )

    return lookup


def _is_ip(host: object) -> bool:
    if not isinstance(host, str):
        return False
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _is_port(port: object) -> bool:
    return not isinstance(port, bool) and isinstance(port, int) and 0 <= port <= 65535


def _upstream_address(address: object) -> tuple[str, int]:
    """``address`` as the (host, port) of a DNS server, or a typed error."""
    if (
        isinstance(address, tuple | list)
        and len(address) == 2
        and _is_ip(address[0])
        and _is_port(address[1])
    ):
        return address[0], address[1]
    raise K8sDnsInputError(
        [
            f"upstream address {shown(address)} is not a DNS server's (host, port): "
            "an IP address and a port 0..65535, e.g. ('10.0.0.2', 53)"
        ]
    )


def _server_arguments(cluster: object, host: object, port: object) -> None:
    problems = []
    if not isinstance(cluster, Cluster):
        problems.append(f"cluster must be a Cluster, not {kind(cluster)}")
    if not _is_ip(host):
        problems.append(
            f"host {shown(host)} is not an IP address to listen on, "
            "e.g. 127.0.0.1 or ::1"
        )
    if not _is_port(port):
        problems.append(f"port {shown(port)} must be 0..65535 (0: any free port)")
    if problems:
        raise K8sDnsInputError(problems)


class _Tracked:
    """An upstream that notes whether it was asked (such answers are not cached)."""

    __slots__ = ("asked", "lookup")

    def __init__(self, lookup: Upstream) -> None:
        self.lookup = lookup
        self.asked = False

    def __call__(self, name: str, qtype: str) -> DnsAnswer | None:
        self.asked = True
        return self.lookup(name, qtype)


class DnsServer:
    """Serve a cluster's DNS on UDP and TCP at ``host:port`` (port 0: any free port).

    Use as a context manager, or :meth:`start` and :meth:`close`. Replies come
    from :func:`answer_wire` through an :class:`~awscore.k8s_dns._cache.AnswerCache`
    of encoded replies (at most ``cache_size``), keyed by the question and the
    bits of the query the reply depends on; a hit only gets the query's ID and
    letter case written in. UDP is answered on its own thread; every TCP
    connection shares one selector thread with the limits of
    :class:`~awscore.k8s_dns._tcp.TcpLimits` (``tcp_idle_timeout``,
    ``tcp_query_timeout``, ``max_tcp_connections``, ``tcp_max_pending`` bytes of
    replies a client has not read).

    :meth:`reload` swaps in a new cluster (and an empty cache) between two
    queries, dropping none; with ``cluster_file`` the server reloads that file
    when :meth:`reload_file` is called (the CLI does on SIGHUP) and, every
    ``watch_interval`` seconds, when its modification time or size changed. A file
    that does not load keeps the running cluster and cache as they were.

    ``upstream`` is a DNS server's ``(host, port)`` that resolves ExternalName
    targets outside the zone, as CoreDNS does (answers that used it are not
    cached). ``reuse_port`` sets ``SO_REUSEPORT``, so several servers (worker
    processes) can bind one port and the kernel spreads clients over them.

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
        tcp_query_timeout: float = 5.0,
        max_tcp_connections: int = 1024,
        tcp_max_pending: int = MAX_PENDING,
        cache_size: int = MAX_ENTRIES,
        cluster_file: str | os.PathLike[str] | None = None,
        watch_interval: float | None = 1.0,
        upstream: tuple[str, int] | None = None,
        upstream_timeout: float = 2.0,
        reuse_port: bool = False,
    ) -> None:
        _require_dnspython()
        _server_arguments(cluster, host, port)
        self.host = host
        self.requested_port = port
        self.limits = TcpLimits(
            idle_timeout=tcp_idle_timeout,
            query_timeout=tcp_query_timeout,
            max_connections=max_tcp_connections,
            max_pending=tcp_max_pending,
        )
        self.cache_size = cache_size
        self.cluster_file = None if cluster_file is None else Path(cluster_file)
        self.watch_interval = watch_interval
        self.upstream = (
            None
            if upstream is None
            else upstream_resolver(upstream, timeout=upstream_timeout)
        )
        self.reuse_port = reuse_port
        self._state = (cluster, AnswerCache(cache_size))
        self._file_stamp = self._stamp()
        self.udp_queries = 0
        self.tcp_queries = 0
        self.cache_hits = 0
        self.reloads = 0
        self.reload_failures = 0
        self.last_reload_error: str | None = None
        self._udp_dropped = 0
        self._tcp_dropped = 0
        self._udp_errors = 0
        self._tcp_errors = 0
        self._stop = threading.Event()
        self._reload_lock = threading.Lock()
        self._udp: socket.socket | None = None
        self._tcp: socket.socket | None = None
        self._wake_r: socket.socket | None = None
        self._wake_w: socket.socket | None = None
        self._threads: list[threading.Thread] = []
        self._tcp_server: TcpServer | None = None

    # --- state --------------------------------------------------------------

    @property
    def cluster(self) -> Cluster:
        """The cluster being served."""
        return self._state[0]

    @property
    def cache(self) -> AnswerCache:
        """The cache of encoded replies for the cluster being served."""
        return self._state[1]

    @property
    def dropped(self) -> int:
        """Messages that got no reply (responses, runts, bad TCP framing)."""
        return self._udp_dropped + self._tcp_dropped

    @property
    def errors(self) -> int:
        """Messages whose answer raised (a bug: counted, never fatal)."""
        return self._udp_errors + self._tcp_errors

    @property
    def tcp_connections(self) -> int:
        """Open TCP client connections."""
        return 0 if self._tcp_server is None else len(self._tcp_server.connections)

    def reload(self, cluster: Cluster) -> None:
        """Serve ``cluster`` from the next query on, with an empty cache."""
        if not isinstance(cluster, Cluster):
            raise K8sDnsInputError(["reload takes a Cluster"])
        self._state = (cluster, AnswerCache(self.cache_size))
        self.reloads += 1

    def reload_file(self) -> bool:
        """Load ``cluster_file`` again and serve it; False (and nothing changed,
        the reason in ``last_reload_error``) when it does not load."""
        if self.cluster_file is None:
            raise K8sDnsInputError(["reload_file needs the server's cluster_file"])
        with self._reload_lock:
            stamp = self._stamp()
            try:
                cluster = load_cluster(self.cluster_file.read_bytes())
            except (K8sDnsError, OSError) as exc:
                self.reload_failures += 1
                self.last_reload_error = f"{self.cluster_file}: {exc}"
                self._file_stamp = stamp  # do not retry until it changes again
                return False
            self._file_stamp = stamp
            self.reload(cluster)
            return True

    def _stamp(self) -> tuple[int, int, int] | None:
        if self.cluster_file is None:
            return None
        try:
            st = self.cluster_file.stat()
        except OSError:
            return None
        return st.st_mtime_ns, st.st_size, st.st_ino

    # --- answering ----------------------------------------------------------

    def _reply(self, wire: bytes, tcp: bool) -> bytes | None:
        """The reply to one query: from the cache, else from the answerer."""
        cluster, cache = self._state
        found = cache_key(wire, tcp)
        if found is not None:
            cached = cache.get(found[0])
            if cached is not None:
                self.cache_hits += 1
                return patch(cached, wire, found[1])
        tracked = None if self.upstream is None else _Tracked(self.upstream)
        reply = answer_wire(cluster, wire, udp=not tcp, upstream=tracked)
        if (
            reply is not None
            and found is not None
            and (tracked is None or not tracked.asked)
        ):
            cache.put(found[0], reply)
        return reply

    # --- sockets and threads ------------------------------------------------

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

    def bind(self) -> DnsServer:
        """Bind UDP and TCP on the same port, without answering yet."""
        if self._udp is not None:
            return self
        family = (
            socket.AF_INET6
            if ipaddress.ip_address(self.host).version == 6
            else socket.AF_INET
        )
        for _ in range(20):
            udp = socket.socket(family, socket.SOCK_DGRAM)
            tcp = socket.socket(family, socket.SOCK_STREAM)
            tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if self.reuse_port:
                for sock in (udp, tcp):
                    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
            try:
                udp.bind((self.host, self.requested_port))
                tcp.bind((self.host, udp.getsockname()[1]))
            except OSError:
                udp.close()
                tcp.close()
                if self.requested_port:
                    raise
                continue
            break
        else:  # pragma: no cover - twenty ports taken in a row
            raise OSError(f"no port free for both UDP and TCP on {self.host}")
        with contextlib.suppress(OSError):  # a deeper queue absorbs bursts
            udp.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 * 1024 * 1024)
        tcp.listen(256)
        tcp.setblocking(False)
        self._udp, self._tcp = udp, tcp
        return self

    def start(self) -> DnsServer:
        """Bind (if not yet bound) and start answering."""
        self.bind()
        assert self._tcp is not None
        self._wake_r, self._wake_w = socket.socketpair()
        self._wake_r.setblocking(False)
        name = f"k8s-dns {self.host}:{self.port}"
        self._threads = [
            threading.Thread(target=self._serve_udp, name=f"{name} udp", daemon=True),
            threading.Thread(target=self._serve_tcp, name=f"{name} tcp", daemon=True),
        ]
        for thread in self._threads:
            thread.start()
        return self

    def detach(self) -> None:
        """Close this process's copies of the bound sockets, leaving the sockets
        themselves to the process that bound them (for a forked worker, before
        it binds its own: a socket nobody reads would still get its share of a
        SO_REUSEPORT port's datagrams)."""
        for sock in (self._udp, self._tcp):
            if sock is not None:
                sock.close()
        self._udp = self._tcp = None

    def close(self) -> None:
        """Stop answering, close every socket and join every thread."""
        self._stop.set()
        if self._wake_w is not None:
            with contextlib.suppress(OSError):
                self._wake_w.send(b"x")
        if self._udp is not None:
            # Wake the UDP thread from its blocking receive.
            with contextlib.suppress(OSError):
                self._udp.shutdown(socket.SHUT_RDWR)
        for thread in self._threads:
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

    def _serve_udp(self) -> None:
        sock = self._udp
        assert sock is not None
        receive, send, reply_to = sock.recvfrom, sock.sendto, self._reply
        stop = self._stop
        while not stop.is_set():
            try:
                wire, peer = receive(65535)
            except OSError:
                if stop.is_set():
                    return
                continue
            if not wire and stop.is_set():
                return
            try:
                reply = reply_to(wire, False)
            except Exception:  # a server thread must outlive any packet
                self._udp_errors += 1
                continue
            if reply is None:
                self._udp_dropped += 1
                continue
            self.udp_queries += 1
            with contextlib.suppress(OSError):
                send(reply, peer)

    def _tcp_answer(self, wire: bytes) -> bytes | None:
        try:
            reply = self._reply(wire, True)
        except Exception:  # a server thread must outlive any message
            self._tcp_errors += 1
            return None
        if reply is None:
            self._tcp_dropped += 1
        else:
            self.tcp_queries += 1
        return reply

    def _serve_tcp(self) -> None:
        assert self._tcp is not None
        assert self._wake_r is not None
        with selectors.DefaultSelector() as selector:
            tcp = TcpServer(
                self._tcp, selector, self._tcp_answer, self.limits, time.monotonic
            )
            self._tcp_server = tcp
            selector.register(self._wake_r, selectors.EVENT_READ, None)
            next_watch = time.monotonic()
            tick = min(1.0, self.limits.idle_timeout, self.limits.query_timeout)
            while not self._stop.is_set():
                for key, mask in selector.select(tick):
                    if key.data is not None:
                        key.data(mask)
                tcp.sweep()
                if self.watch_interval is not None and self.cluster_file is not None:
                    now = time.monotonic()
                    if now >= next_watch:
                        next_watch = now + self.watch_interval
                        if self._stamp() != self._file_stamp:
                            self.reload_file()
            tcp.close_all()
