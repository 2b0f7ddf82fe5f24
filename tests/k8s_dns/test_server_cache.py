"""The server's reply cache, reloads, upstream and hostile clients (loopback only)."""

from __future__ import annotations

import contextlib
import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from awscore.errors import K8sDnsInputError
from awscore.k8s_dns import Cluster, DnsServer, Service, answer_wire
from awscore.k8s_dns._cache import AnswerCache, cache_key, patch
from tests.conftest import require_peer
from tests.k8s_dns._data import CLUSTER_YAML
from tests.strategies.k8s_dns import cased, cluster_texts

require_peer("dns")
import dns.edns  # noqa: E402
import dns.flags  # noqa: E402
import dns.message  # noqa: E402
import dns.query  # noqa: E402
import dns.rcode  # noqa: E402
import dns.rrset  # noqa: E402

CLUSTER = Cluster.load(CLUSTER_YAML)
QUESTIONS = [
    ("api.prod.svc.cluster.local", "A"),
    ("dual.prod.svc.cluster.local", "AAAA"),
    ("_http._tcp.api.prod.svc.cluster.local", "SRV"),
    ("_pg._tcp.db.prod.svc.cluster.local", "SRV"),
    ("db.prod.svc.cluster.local", "SRV"),
    ("20.0.96.10.in-addr.arpa", "PTR"),
    ("search.prod.svc.cluster.local", "A"),
    ("alias.prod.svc.cluster.local", "A"),
    ("nope.prod.svc.cluster.local", "A"),
    ("api.prod.svc.cluster.local", "TXT"),
    ("cluster.local", "NS"),
    ("cluster.local", "SOA"),
    ("in-addr.arpa", "NS"),
    ("dns-version.cluster.local", "TXT"),
    ("prod.svc.cluster.local", "A"),
    ("example.com", "A"),
]


def _query(name: str, qtype: str, edns: int, flags: int, qid: int) -> bytes:
    payload = 1232 if edns >= 0 else 512
    query = dns.message.make_query(name, qtype, use_edns=edns, payload=payload)
    query.flags = flags
    query.id = qid
    return query.to_wire()


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(QUESTIONS),
    cased(),
    cased(),
    st.sampled_from([-1, 0]),
    st.sampled_from([0, dns.flags.RD, dns.flags.RD | dns.flags.CD]),
    st.integers(0, 0xFFFF),
    st.integers(0, 0xFFFF),
    st.booleans(),
)
def test_a_patched_cached_reply_is_the_answerers_reply(
    question: tuple[str, str],
    case1: Callable[[str], str],
    case2: Callable[[str], str],
    edns: int,
    flags: int,
    id1: int,
    id2: int,
    tcp: bool,
) -> None:
    """Two queries with one cache key: the first's reply with the second's ID and
    question spelling written in is byte for byte what answer_wire gives the
    second (so a cache hit can never differ from the source of truth). Queries
    that differ only in letter case share a key, except SRV and ANY, whose
    replies spell the zone as the question does in uncompressed SRV targets."""
    name, qtype = question
    first = _query(case1(name), qtype, edns, flags, id1)
    second = _query(case2(name), qtype, edns, flags, id2)
    key1, key2 = cache_key(first, tcp), cache_key(second, tcp)
    assert key1 is not None
    assert key2 is not None
    if qtype == "SRV" and case1(name) != case2(name):
        assert key1[0] != key2[0]
        second = _query(case1(name), qtype, edns, flags, id2)
    else:
        assert key1[0] == key2[0]
    reply1 = answer_wire(CLUSTER, first, udp=not tcp)
    reply2 = answer_wire(CLUSTER, second, udp=not tcp)
    assert reply1 is not None
    assert patch(reply1, second, key2[1]) == reply2


def test_keys_separate_what_the_reply_depends_on() -> None:
    """Type, class, flags, EDNS payload and transport each change the key; a
    query of an uncached shape (EDNS options, a pointer, two questions, a
    response, garbage) has none."""
    base = _query("api.prod.svc.cluster.local", "A", -1, dns.flags.RD, 1)
    keys = {
        cache_key(base, False),
        cache_key(base, True),
        cache_key(_query("api.prod.svc.cluster.local", "AAAA", -1, 256, 1), False),
        cache_key(_query("api.prod.svc.cluster.local", "A", -1, 0, 1), False),
        cache_key(_query("api.prod.svc.cluster.local", "A", 0, 256, 1), False),
    }
    assert None not in keys
    assert len({k[0] for k in keys if k}) == 5
    with_option = dns.message.make_query(
        "api.prod.svc.cluster.local",
        "A",
        use_edns=0,
        options=[dns.edns.ECSOption("10.0.0.0", 8)],
    )
    two = dns.message.make_query("cluster.local", "SOA")
    two.question.append(two.question[0])
    pointer = base[:12] + b"\xc0\x0c" + base[-4:]
    response = base[:2] + bytes([base[2] | 0x80]) + base[3:]
    for wire in (with_option.to_wire(), two.to_wire(), pointer, response, b"\x00" * 11):
        assert cache_key(wire, False) is None
    assert cache_key(base[:-3], False) is None  # the question is cut short
    assert cache_key(base + b"x", False) is None  # bytes after the question


def test_the_cache_is_bounded() -> None:
    cache = AnswerCache(max_entries=2)
    for key in (b"a", b"b", b"c"):
        cache.put(key, key * 2)
    assert len(cache) == 2
    assert cache.get(b"a") is None  # the oldest went
    assert cache.get(b"c") == b"cc"
    cache.put(b"c", b"new")  # replacing does not evict
    assert cache.snapshot() == {b"b": b"bb", b"c": b"new"}
    off = AnswerCache(max_entries=0)
    off.put(b"a", b"b")
    assert len(off) == 0


def udp(port: int, name: str, qtype: str = "A", **kw: Any) -> Any:
    query = dns.message.make_query(name, qtype, **kw)
    return dns.query.udp(query, "127.0.0.1", port=port, timeout=5)


def rdata(response: Any) -> list[str]:
    return [rd.to_text() for rrset in response.answer for rd in rrset]


@pytest.fixture
def server() -> Iterator[DnsServer]:
    with DnsServer(CLUSTER) as running:
        yield running
    assert running.errors == 0


def test_hits_are_counted_and_answer_in_the_querys_case(server: DnsServer) -> None:
    first = udp(server.port, "api.prod.svc.cluster.local")
    again = udp(server.port, "API.Prod.svc.cluster.local")
    assert rdata(first) == rdata(again) == ["10.96.0.20"]
    assert again.answer[0].name.to_text() == "API.Prod.svc.cluster.local."
    assert server.cache_hits == 1
    assert len(server.cache) == 1


def test_srv_replies_carry_the_additional_section(server: DnsServer) -> None:
    """backend_lookup.go SRV on the wire: the targets' addresses in ADDITIONAL."""
    reply = udp(server.port, "_pg._tcp.db.prod.svc.cluster.local", "SRV")
    extra = sorted(
        (rrset.name.to_text(), rd.to_text())
        for rrset in reply.additional
        for rd in rrset
    )
    assert extra == [
        ("10-244-2-11.db.prod.svc.cluster.local.", "10.244.2.11"),
        ("db-0.db.prod.svc.cluster.local.", "10.244.1.10"),
    ]


def _other_cluster() -> Cluster:
    return Cluster(
        services=(Service(name="api", namespace="prod", cluster_ips=("10.96.9.9",)),)
    )


def test_reload_swaps_cluster_and_cache(server: DnsServer) -> None:
    assert rdata(udp(server.port, "api.prod.svc.cluster.local")) == ["10.96.0.20"]
    server.reload(_other_cluster())
    assert len(server.cache) == 0
    assert rdata(udp(server.port, "api.prod.svc.cluster.local")) == ["10.96.9.9"]
    assert server.reloads == 1
    with pytest.raises(K8sDnsInputError, match="Cluster"):
        server.reload("not a cluster")  # type: ignore[arg-type]
    with pytest.raises(K8sDnsInputError, match="cluster_file"):
        server.reload_file()


def test_no_query_is_dropped_while_reloading(server: DnsServer) -> None:
    """Every query sent while the cluster is swapped 50 times gets an answer,
    from the old cluster or the new one."""
    answers: list[list[str]] = []
    done = threading.Event()

    def client() -> None:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            sock.settimeout(5)
            for i in range(2000):
                query = dns.message.make_query("api.prod.svc.cluster.local", "A")
                query.id = i
                sock.sendto(query.to_wire(), ("127.0.0.1", server.port))
                answers.append(rdata(dns.message.from_wire(sock.recv(4096))))
        done.set()

    thread = threading.Thread(target=client)
    thread.start()
    clusters = [CLUSTER, _other_cluster()]
    i = 0
    while not done.is_set():
        server.reload(clusters[i % 2])
        i += 1
        time.sleep(0.001)
    thread.join()
    assert len(answers) == 2000
    assert {tuple(a) for a in answers} <= {("10.96.0.20",), ("10.96.9.9",)}


def _wait_for(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + 20
    while not condition():
        assert time.monotonic() < deadline, "condition never held"
        time.sleep(0.02)


def test_the_cluster_file_reloads_when_it_changes(tmp_path: Path) -> None:
    path = tmp_path / "cluster.yaml"
    path.write_text(CLUSTER_YAML)
    with DnsServer(
        Cluster.load(CLUSTER_YAML), cluster_file=path, watch_interval=0.05
    ) as running:
        assert rdata(udp(running.port, "api.prod.svc.cluster.local")) == ["10.96.0.20"]
        path.write_text(CLUSTER_YAML.replace("10.96.0.20", "10.96.0.21"))
        _wait_for(lambda: running.reloads == 1)
        assert rdata(udp(running.port, "api.prod.svc.cluster.local")) == ["10.96.0.21"]
        # A broken file is reported and changes nothing; fixing it reloads.
        path.write_text("services: [{name: Bad_Name}]\n")
        _wait_for(lambda: running.reload_failures == 1)
        assert "Bad_Name" in (running.last_reload_error or "")
        assert rdata(udp(running.port, "api.prod.svc.cluster.local")) == ["10.96.0.21"]
        assert running.reload_file() is False
        path.unlink()
        assert running.reload_file() is False
        path.write_text(CLUSTER_YAML)
        assert running.reload_file() is True
        assert rdata(udp(running.port, "api.prod.svc.cluster.local")) == ["10.96.0.20"]


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(cluster_texts())
def test_a_rejected_cluster_file_changes_no_state(
    tmp_path_factory: pytest.TempPathFactory, text: str
) -> None:
    """A cluster file that does not load leaves the served cluster and every
    cached reply exactly as they were (issue 22: a rejected input changes no
    state)."""
    path = tmp_path_factory.mktemp("reload") / "cluster.yaml"
    path.write_text(CLUSTER_YAML)
    server = DnsServer(CLUSTER, cluster_file=path, watch_interval=None)
    for name, qtype in QUESTIONS[:6]:
        server._reply(dns.message.make_query(name, qtype).to_wire(), False)
    before = (server.cluster, server.cache, server.cache.snapshot())
    path.write_text(text)
    try:
        Cluster.load(text)
    except K8sDnsInputError:
        assert server.reload_file() is False
        assert (server.cluster, server.cache, server.cache.snapshot()) == before
        assert server.cluster is before[0]
    else:
        assert server.reload_file() is True
        assert len(server.cache) == 0


class Upstream:
    """A loopback DNS server that knows one external name (and counts questions)."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.questions: list[str] = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self) -> None:
        while not self.stop.is_set():
            try:
                data, peer = self.sock.recvfrom(4096)
            except TimeoutError:
                continue
            query = dns.message.from_wire(data)
            self.questions.append(query.question[0].name.to_text())
            reply = dns.message.make_response(query)
            if query.question[0].name.to_text() == "search.example.com.":
                reply.answer.append(
                    dns.rrset.from_text(
                        "search.example.com.", 60, "IN", "A", "192.0.2.7"
                    )
                )
            else:
                reply.set_rcode(dns.rcode.NXDOMAIN)
            self.sock.sendto(reply.to_wire(), peer)

    def close(self) -> None:
        self.stop.set()
        self.thread.join()
        self.sock.close()


def test_external_names_are_resolved_through_the_upstream() -> None:
    """The server's upstream (CoreDNS's forwarders): the ExternalName's target
    A record follows the CNAME; such replies are not cached, so every query asks
    again; an upstream that does not answer drops the CNAME (NODATA)."""
    upstream = Upstream()
    try:
        with DnsServer(CLUSTER, upstream=("127.0.0.1", upstream.port)) as running:
            for _ in range(2):
                reply = udp(running.port, "search.prod.svc.cluster.local")
                assert rdata(reply) == ["search.example.com.", "192.0.2.7"]
            assert upstream.questions == ["search.example.com."] * 2
            assert running.cache_hits == 0
            # In-zone answers are still cached.
            udp(running.port, "api.prod.svc.cluster.local")
            udp(running.port, "api.prod.svc.cluster.local")
            assert running.cache_hits == 1
    finally:
        upstream.close()
    silent = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    silent.bind(("127.0.0.1", 0))
    try:
        with DnsServer(
            CLUSTER, upstream=silent.getsockname(), upstream_timeout=0.2
        ) as running:
            reply = udp(running.port, "search.prod.svc.cluster.local")
            assert reply.rcode() == dns.rcode.NOERROR
            assert rdata(reply) == []
    finally:
        silent.close()


def test_upstream_resolver_maps_rcodes() -> None:
    from awscore.k8s_dns._server import upstream_resolver

    upstream = Upstream()
    try:
        lookup = upstream_resolver(("127.0.0.1", upstream.port))
        found = lookup("search.example.com.", "A")
        assert found is not None
        assert [r.text for r in found.answer] == [
            "search.example.com. 60 IN A 192.0.2.7"
        ]
        missing = lookup("other.example.com.", "A")
        assert missing is not None
        assert missing.rcode.value == "NXDOMAIN"
    finally:
        upstream.close()


def _tcp_query(port: int, name: str) -> list[str]:
    query = dns.message.make_query(name, "A")
    return rdata(dns.query.tcp(query, "127.0.0.1", port=port, timeout=5))


def test_a_thousand_idle_tcp_connections_do_not_stop_answers() -> None:
    with DnsServer(CLUSTER, max_tcp_connections=2000) as running:
        idle = [
            socket.create_connection(("127.0.0.1", running.port), timeout=5)
            for _ in range(1000)
        ]
        try:
            _wait_for(lambda: running.tcp_connections == 1000)
            assert rdata(udp(running.port, "api.prod.svc.cluster.local")) == [
                "10.96.0.20"
            ]
            assert _tcp_query(running.port, "api.prod.svc.cluster.local") == [
                "10.96.0.20"
            ]
        finally:
            for sock in idle:
                sock.close()


def test_past_the_connection_limit_the_least_active_is_closed() -> None:
    with DnsServer(CLUSTER, max_tcp_connections=20) as running:
        old = [
            socket.create_connection(("127.0.0.1", running.port), timeout=5)
            for _ in range(40)
        ]
        try:
            assert _tcp_query(running.port, "api.prod.svc.cluster.local") == [
                "10.96.0.20"
            ]
            assert running.tcp_connections <= 20
            assert old[0].recv(10) == b""  # the first one was closed
        finally:
            for sock in old:
                sock.close()


def test_slowloris_and_truncated_tcp_clients_are_cut_off() -> None:
    """A client that dribbles a query a byte at a time, or stops half way, is
    closed after tcp_query_timeout; others are answered meanwhile."""
    wire = dns.message.make_query("api.prod.svc.cluster.local", "A").to_wire()
    framed = len(wire).to_bytes(2, "big") + wire
    with DnsServer(CLUSTER, tcp_query_timeout=0.5, tcp_idle_timeout=30) as running:
        slow = socket.create_connection(("127.0.0.1", running.port), timeout=5)
        half = socket.create_connection(("127.0.0.1", running.port), timeout=5)
        half.sendall(framed[: len(framed) // 2])
        closed = False
        for byte in framed[:-1]:
            try:
                slow.sendall(bytes([byte]))
            except OSError:
                closed = True
                break
            assert rdata(udp(running.port, "api.prod.svc.cluster.local")) == [
                "10.96.0.20"
            ]
            time.sleep(0.05)
        slow.settimeout(5)
        assert closed or slow.recv(10) == b""
        half.settimeout(5)
        assert half.recv(10) == b""
        slow.close()
        half.close()
        assert _tcp_query(running.port, "api.prod.svc.cluster.local") == ["10.96.0.20"]


def test_pipelined_tcp_queries_are_answered_in_order(server: DnsServer) -> None:
    """RFC 7766 §6.2.1.1: several queries in one write, answered in order."""
    names = ["api.prod.svc.cluster.local", "api.staging.svc.cluster.local"] * 3
    data = b""
    for i, name in enumerate(names):
        query = dns.message.make_query(name, "A")
        query.id = i
        wire = query.to_wire()
        data += len(wire).to_bytes(2, "big") + wire
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
        sock.sendall(data)
        got: list[Any] = []
        buffer = b""
        while len(got) < len(names):
            buffer += sock.recv(65535)
            while len(buffer) >= 2 and len(buffer) >= 2 + int.from_bytes(buffer[:2]):
                size = int.from_bytes(buffer[:2])
                got.append(dns.message.from_wire(buffer[2 : 2 + size]))
                buffer = buffer[2 + size :]
    assert [m.id for m in got] == list(range(len(names)))
    assert [rdata(m) for m in got] == [["10.96.0.20"], ["10.96.1.20"]] * 3


def test_two_servers_share_a_port_with_reuse_port() -> None:
    """SO_REUSEPORT: worker processes bind one port; here two servers in one
    process both bind it, and every query is answered by one of them."""
    first = DnsServer(CLUSTER, reuse_port=True).start()
    try:
        second = DnsServer(
            Cluster(
                services=(
                    Service(name="api", namespace="prod", cluster_ips=("10.96.9.9",)),
                )
            ),
            port=first.port,
            reuse_port=True,
        ).start()
        try:
            seen = set()
            for i in range(40):
                with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
                    sock.settimeout(5)
                    query = dns.message.make_query("api.prod.svc.cluster.local", "A")
                    query.id = i
                    sock.sendto(query.to_wire(), ("127.0.0.1", first.port))
                    seen.add(tuple(rdata(dns.message.from_wire(sock.recv(4096)))))
            assert seen <= {("10.96.0.20",), ("10.96.9.9",)}
            assert first.udp_queries + second.udp_queries == 40
        finally:
            second.close()
    finally:
        first.close()


def _framed(count: int) -> bytes:
    data = b""
    for i in range(count):
        query = dns.message.make_query("api.prod.svc.cluster.local", "A")
        query.id = i & 0xFFFF
        wire = query.to_wire()
        data += len(wire).to_bytes(2, "big") + wire
    return data


def _small_window() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    return sock


def _pin_send_buffer(running: DnsServer) -> None:
    """Loopback's send buffer grows to megabytes: pin the server's side of the
    one connection small, so that replies pile up in its outbox as on a real
    link."""
    _wait_for(lambda: running.tcp_connections == 1)
    assert running._tcp_server is not None
    for server_side in running._tcp_server.connections:
        server_side.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)


def test_a_slow_reader_gets_every_reply_in_the_end() -> None:
    """Replies the kernel cannot take yet wait in the connection's outbox until
    the client reads (the server watches for writability meanwhile)."""
    with DnsServer(CLUSTER) as running:
        sock = _small_window()
        sock.settimeout(5)
        sock.connect(("127.0.0.1", running.port))
        _pin_send_buffer(running)
        sock.sendall(_framed(2000))
        time.sleep(0.3)  # let the server fill the window and queue the rest
        received = b""
        while received.count(b"\x0a\x60\x00\x14") < 2000:  # 10.96.0.20 per reply
            chunk = sock.recv(65536)
            assert chunk
            received += chunk
        sock.close()
        assert running.tcp_queries == 2000


def test_a_client_that_never_reads_is_closed_past_the_pending_bound() -> None:
    with DnsServer(CLUSTER, tcp_max_pending=4096) as running:
        sock = _small_window()
        sock.settimeout(5)
        sock.connect(("127.0.0.1", running.port))
        _pin_send_buffer(running)
        with contextlib.suppress(OSError):  # the server may close mid-send
            sock.sendall(_framed(4000))
        _wait_for(lambda: running.tcp_connections == 0)
        sock.close()
        assert _tcp_query(running.port, "api.prod.svc.cluster.local") == ["10.96.0.20"]


def test_detach_leaves_the_sockets_to_their_owner() -> None:
    owner = DnsServer(CLUSTER).bind()
    try:
        copy = DnsServer(CLUSTER, port=owner.port)
        copy._udp, copy._tcp = (  # what a forked child holds: duplicates
            socket.socket(fileno=os.dup(owner._udp.fileno())),  # type: ignore[union-attr]
            socket.socket(fileno=os.dup(owner._tcp.fileno())),  # type: ignore[union-attr]
        )
        copy.detach()
        with pytest.raises(RuntimeError, match="not started"):
            _ = copy.address
        owner.start()
        assert rdata(udp(owner.port, "api.prod.svc.cluster.local")) == ["10.96.0.20"]
    finally:
        owner.close()


def test_an_error_answering_tcp_is_counted_and_closes_only_that_connection(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from awscore.k8s_dns import _server

    real = _server.answer_wire

    def flaky(cluster: Cluster, wire: bytes, **kw: Any) -> bytes | None:
        if b"boom" in wire:
            raise RuntimeError("boom")
        return real(cluster, wire, **kw)

    monkeypatch.setattr(_server, "answer_wire", flaky)
    with DnsServer(CLUSTER) as running:
        query = dns.message.make_query("boom.prod.svc.cluster.local", "A").to_wire()
        with socket.create_connection(("127.0.0.1", running.port), timeout=5) as sock:
            sock.sendall(len(query).to_bytes(2, "big") + query)
            assert sock.recv(100) == b""
        assert running.errors == 1
        assert _tcp_query(running.port, "api.prod.svc.cluster.local") == ["10.96.0.20"]


@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(st.sampled_from(QUESTIONS), cased(), st.integers(0, 0xFFFF), st.booleans())
def test_every_reply_on_the_wire_is_the_answerers(
    server: DnsServer,
    question: tuple[str, str],
    case: Callable[[str], str],
    qid: int,
    edns: bool,
) -> None:
    """Whatever the cache holds, each UDP reply the running server sends is byte
    for byte ``answer_wire`` of the query it got."""
    wire = _query(case(question[0]), question[1], 0 if edns else -1, 256, qid)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(5)
        sock.sendto(wire, ("127.0.0.1", server.port))
        reply = sock.recv(65535)
    assert reply == answer_wire(CLUSTER, wire)
