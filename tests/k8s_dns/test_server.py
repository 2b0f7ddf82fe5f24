"""The DNS server on loopback, against dnspython and dig."""

from __future__ import annotations

import os
import random
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from awscore.errors import DnsExtraMissingError
from awscore.k8s_dns import Cluster, DnsServer, Endpoint, Port, Service, answer_wire
from tests.conftest import require_peer, require_tool
from tests.k8s_dns._data import CLUSTER_YAML

require_peer("dns")
import dns.exception  # noqa: E402
import dns.flags  # noqa: E402
import dns.message  # noqa: E402
import dns.opcode  # noqa: E402
import dns.query  # noqa: E402
import dns.rcode  # noqa: E402
import dns.resolver  # noqa: E402

CLUSTER = Cluster.load(CLUSTER_YAML)


@pytest.fixture(scope="module")
def server() -> Iterator[DnsServer]:
    with DnsServer(CLUSTER, "127.0.0.1", 0) as running:
        yield running
    assert running.errors == 0


def udp(server: DnsServer, name: str, rdtype: str, **kw: Any) -> Any:
    query = dns.message.make_query(name, rdtype, **kw)
    return dns.query.udp(query, "127.0.0.1", port=server.port, timeout=5)


def resolver(server: DnsServer) -> Any:
    r = dns.resolver.Resolver(configure=False)
    r.nameservers = ["127.0.0.1"]
    r.port = server.port
    r.lifetime = 5
    return r


def rdata(response: Any) -> list[str]:
    return [rd.to_text() for rrset in response.answer for rd in rrset]


@pytest.mark.parametrize(
    ("name", "rdtype", "expected"),
    [
        ("api.prod.svc.cluster.local", "A", ["10.96.0.20"]),
        ("dual.prod.svc.cluster.local", "AAAA", ["fd00:10:96::30"]),
        (
            "_http._tcp.api.prod.svc.cluster.local",
            "SRV",
            ["0 100 80 api.prod.svc.cluster.local."],
        ),
        ("20.0.96.10.in-addr.arpa", "PTR", ["api.prod.svc.cluster.local."]),
        ("search.prod.svc.cluster.local", "CNAME", ["search.example.com."]),
        ("dns-version.cluster.local", "TXT", ['"1.1.0"']),
    ],
)
def test_dnspython_resolver(
    server: DnsServer, name: str, rdtype: str, expected: list[str]
) -> None:
    answer = resolver(server).resolve(name, rdtype)
    assert sorted(rd.to_text() for rd in answer) == sorted(expected)


def test_dnspython_nxdomain_and_nodata(server: DnsServer) -> None:
    with pytest.raises(dns.resolver.NXDOMAIN):
        resolver(server).resolve("nope.prod.svc.cluster.local", "A")
    with pytest.raises(dns.resolver.NoAnswer):
        resolver(server).resolve("api.prod.svc.cluster.local", "TXT")
    nodata = udp(server, "api.prod.svc.cluster.local", "TXT")
    assert nodata.rcode() == dns.rcode.NOERROR
    assert nodata.flags & dns.flags.AA
    soa = nodata.authority[0]
    assert soa.name.to_text() == "cluster.local."
    assert soa[0].to_text() == (
        "ns.dns.cluster.local. hostmaster.cluster.local. 1700000000 7200 1800 86400 5"
    )


def test_case_is_kept_on_the_wire(server: DnsServer) -> None:
    response = udp(server, "ApI.PrOd.svc.cluster.local", "A")
    assert response.answer[0].name.to_text() == "ApI.PrOd.svc.cluster.local."


def test_outside_the_zone_is_refused(server: DnsServer) -> None:
    assert udp(server, "example.com", "A").rcode() == dns.rcode.REFUSED


def test_tcp_and_several_queries_per_connection(server: DnsServer) -> None:
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
        for name in ("api.prod.svc.cluster.local", "api.staging.svc.cluster.local"):
            query = dns.message.make_query(name, "A")
            response = dns.query.tcp(query, "127.0.0.1", sock=sock, timeout=5)
            assert len(response.answer) == 1


def test_large_udp_answers_set_tc_and_tcp_gets_everything() -> None:
    endpoints = tuple(Endpoint(ip=f"10.244.0.{i}") for i in range(1, 101))
    big = Cluster(
        services=(Service(name="big", namespace="prod", endpoints=endpoints),)
    )
    with DnsServer(big) as running:
        plain = udp(running, "big.prod.svc.cluster.local", "A")
        assert plain.flags & dns.flags.TC
        assert not plain.answer
        # 100 A records take 100 * 16 + header and question: more than 1232 too.
        edns = udp(running, "big.prod.svc.cluster.local", "A", use_edns=0, payload=4096)
        assert not edns.flags & dns.flags.TC
        assert len(rdata(edns)) == 100
        # 40 records (about 700 bytes) fit 1232 but not 512.
        query = dns.message.make_query("big.prod.svc.cluster.local", "A")
        full = dns.query.tcp(query, "127.0.0.1", port=running.port, timeout=5)
        assert len(rdata(full)) == 100
        r = resolver(running)
        assert len(r.resolve("big.prod.svc.cluster.local", "A")) == 100  # TC -> TCP


def test_edns_payload_between_512_and_the_answer() -> None:
    endpoints = tuple(Endpoint(ip=f"10.244.0.{i}") for i in range(1, 41))
    mid = Cluster(
        services=(Service(name="mid", namespace="prod", endpoints=endpoints),)
    )
    with DnsServer(mid) as running:
        assert udp(running, "mid.prod.svc.cluster.local", "A").flags & dns.flags.TC
        ok = udp(running, "mid.prod.svc.cluster.local", "A", use_edns=0, payload=1232)
        assert not ok.flags & dns.flags.TC
        assert len(rdata(ok)) == 40


def reply_to(wire: bytes) -> Any:
    reply = answer_wire(CLUSTER, wire)
    assert reply is not None
    return dns.message.from_wire(reply)


def test_protocol_errors(server: DnsServer) -> None:
    wire = dns.message.make_query("api.prod.svc.cluster.local", "A").to_wire()
    # A bad body with a readable header: FORMERR with the same id.
    formerr = answer_wire(CLUSTER, wire[:12] + b"\xff\xff")
    assert formerr is not None
    assert formerr[:2] == wire[:2]
    assert formerr[3] & 0x0F == dns.rcode.FORMERR
    # Too short for a header, or a response: dropped.
    assert answer_wire(CLUSTER, b"\x00\x01") is None
    assert answer_wire(CLUSTER, wire[:2] + bytes([wire[2] | 0x80]) + wire[3:]) is None
    # NOTIFY opcode: NOTIMP; EDNS version 1: BADVERS; class CH: REFUSED.
    notify = dns.message.make_query("cluster.local", "SOA")
    notify.set_opcode(dns.opcode.NOTIFY)
    reply = reply_to(notify.to_wire())
    assert reply.rcode() == dns.rcode.NOTIMP
    v1 = dns.message.make_query("cluster.local", "SOA", use_edns=1)
    assert reply_to(v1.to_wire()).rcode() == (dns.rcode.BADVERS)
    chaos = dns.message.make_query("version.bind", "TXT", rdclass="CH")
    assert reply_to(chaos.to_wire()).rcode() == (dns.rcode.REFUSED)
    axfr = dns.message.make_query("cluster.local", "AXFR")
    assert reply_to(axfr.to_wire()).rcode() == (dns.rcode.REFUSED)
    two = dns.message.make_query("cluster.local", "SOA")
    two.question.append(two.question[0])
    assert reply_to(two.to_wire()).rcode() == (dns.rcode.FORMERR)


def test_random_bytes_never_crash_the_server(server: DnsServer) -> None:
    rng = random.Random(11)  # noqa: S311 - reproducible junk, not crypto
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        for burst in range(10):
            for _ in range(50):
                packet = rng.randbytes(rng.randint(0, 300))
                sock.sendto(packet, ("127.0.0.1", server.port))
            # Still answering after each burst (small bursts: the kernel's UDP
            # buffer never overflows, so this query is not lost), nothing raised.
            reply = udp(server, "api.prod.svc.cluster.local", "A")
            assert rdata(reply) == ["10.96.0.20"], burst
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
        sock.sendall(b"\x00\x0ehello world!!!")
        reply = sock.recv(100)
        assert reply[:2] == b"\x00\x0c"  # a bare 12-byte header
        assert reply[2:4] == b"he"  # the query's id
        assert reply[5] & 0x0F == dns.rcode.FORMERR
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
        sock.sendall(b"\x00\x05hello")  # shorter than a header: dropped, closed
        assert sock.recv(100) == b""
    assert server.errors == 0


@settings(
    max_examples=300,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(st.binary(max_size=600))
def test_fuzz_answer_wire_returns_bytes_or_none(wire: bytes) -> None:
    """Any bytes get FORMERR, an answer, or nothing: never an exception."""
    reply = answer_wire(CLUSTER, wire)
    assert reply is None or (len(reply) >= 12 and reply[:2] == wire[:2])


@settings(max_examples=200)
@given(
    st.sampled_from(
        [
            dns.message.make_query(n, t).to_wire()
            for n, t in [
                ("api.prod.svc.cluster.local", "A"),
                ("_pg._tcp.db.prod.svc.cluster.local", "SRV"),
                ("20.0.96.10.in-addr.arpa", "PTR"),
            ]
        ]
    ),
    st.lists(st.tuples(st.integers(0, 80), st.integers(0, 255)), max_size=4),
)
def test_fuzz_mutated_queries(wire: bytes, flips: list[tuple[int, int]]) -> None:
    """Real queries with bytes overwritten get a reply or are dropped, never raise."""
    data = bytearray(wire)
    for at, value in flips:
        if at < len(data):
            data[at] = value
    reply = answer_wire(CLUSTER, bytes(data))
    assert reply is None or reply[:2] == bytes(data[:2])


def test_ten_thousand_queries_from_eight_threads(server: DnsServer) -> None:
    cases = [
        ("api.prod.svc.cluster.local", "A", ["10.96.0.20"]),
        ("api.staging.svc.cluster.local", "A", ["10.96.1.20"]),
        ("db.prod.svc.cluster.local", "A", ["10.244.1.10", "10.244.2.11"]),
        (
            "_http._tcp.api.prod.svc.cluster.local",
            "SRV",
            ["0 100 80 api.prod.svc.cluster.local."],
        ),
        ("nope.prod.svc.cluster.local", "A", []),
    ]
    failures: list[str] = []
    counts = [0] * 8

    def client(index: int) -> None:
        wires = [
            (dns.message.make_query(n, t), sorted(expected)) for n, t, expected in cases
        ]
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            sock.settimeout(5)
            for i in range(1250):
                query, expected = wires[(index + i) % len(wires)]
                query.id = (index * 1250 + i) & 0xFFFF
                sock.sendto(query.to_wire(), ("127.0.0.1", server.port))
                reply = dns.message.from_wire(sock.recv(4096))
                got = sorted(rdata(reply))
                if reply.id != query.id or got != expected:
                    failures.append(f"{query.question[0]}: {got}")
                counts[index] += 1

    before = server.udp_queries
    threads = [threading.Thread(target=client, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []
    assert sum(counts) == 10_000
    assert server.udp_queries - before == 10_000


def dig(server: DnsServer, *args: str) -> str:
    path = require_tool("dig")
    return subprocess.run(  # noqa: S603 - dig from PATH with fixed arguments
        [path, "@127.0.0.1", "-p", str(server.port), "+time=5", "+tries=1", *args],
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
        env={**os.environ, "LC_ALL": "C"},
    ).stdout


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("api.prod.svc.cluster.local", "A"), "10.96.0.20\n"),
        (("dual.prod.svc.cluster.local", "AAAA"), "fd00:10:96::30\n"),
        (
            ("_pg._tcp.db.prod.svc.cluster.local", "SRV"),
            "0 50 5432 db-0.db.prod.svc.cluster.local.\n"
            "0 50 5432 10-244-2-11.db.prod.svc.cluster.local.\n",
        ),
        (("-x", "10.96.0.20"), "api.prod.svc.cluster.local.\n"),
        (("search.prod.svc.cluster.local", "CNAME"), "search.example.com.\n"),
        (("dns-version.cluster.local", "TXT"), '"1.1.0"\n'),
        (("api.prod.svc.cluster.local", "TXT"), ""),
    ],
)
def test_dig_short(server: DnsServer, args: tuple[str, ...], expected: str) -> None:
    # The order of records within an RRset is not significant (RFC 2181 §5).
    out = dig(server, "+short", *args)
    assert sorted(out.splitlines()) == sorted(expected.splitlines())


def test_dig_nxdomain_nodata_and_tcp(server: DnsServer) -> None:
    out = dig(server, "nope.prod.svc.cluster.local", "A")
    assert "status: NXDOMAIN" in out
    assert "flags: qr aa rd;" in out
    assert "hostmaster.cluster.local." in out
    nodata = dig(server, "api.prod.svc.cluster.local", "TXT")
    assert "status: NOERROR" in nodata
    assert "ANSWER: 0" in nodata
    assert "AUTHORITY: 1" in nodata
    assert dig(server, "+tcp", "+short", "api.prod.svc.cluster.local") == "10.96.0.20\n"
    assert "status: REFUSED" in dig(server, "example.com", "A")


def test_dig_retries_truncated_answers_over_tcp() -> None:
    endpoints = tuple(Endpoint(ip=f"10.244.0.{i}") for i in range(1, 101))
    big = Cluster(
        services=(
            Service(
                name="big",
                namespace="prod",
                endpoints=endpoints,
                ports=(Port(name="http", port=80),),
            ),
        )
    )
    with DnsServer(big) as running:
        out = dig(running, "+noedns", "big.prod.svc.cluster.local", "A")
        assert "Truncated, retrying in TCP mode" in out
        assert "ANSWER: 100" in out
        assert running.tcp_queries == 1


def test_server_binds_and_closes_cleanly() -> None:
    server = DnsServer(CLUSTER)
    with pytest.raises(RuntimeError, match="not started"):
        _ = server.address
    server.start()
    port = server.port
    server.close()
    # The port is free again for both protocols.
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", port))
    with DnsServer(CLUSTER, "::1") as v6:
        query = dns.message.make_query("api.prod.svc.cluster.local", "A")
        reply = dns.query.udp(query, "::1", port=v6.port, timeout=5)
        assert rdata(reply) == ["10.96.0.20"]


def test_without_dnspython_the_server_says_which_extra(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "dns.message", None)
    with pytest.raises(DnsExtraMissingError, match=r"awscore\[dns\]"):
        DnsServer(CLUSTER)
    with pytest.raises(DnsExtraMissingError):
        answer_wire(CLUSTER, b"\x00" * 12)
    # The model needs no dnspython at all.
    assert CLUSTER.query("api.prod.svc.cluster.local").answer


def test_a_taken_tcp_port_is_an_os_error() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        with pytest.raises(OSError, match="in use"):
            DnsServer(CLUSTER, "127.0.0.1", port).start()


def test_an_unexpected_error_is_counted_and_the_server_goes_on(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from awscore.k8s_dns import _server

    real = _server.answer_wire
    calls = []

    def flaky(cluster: Cluster, wire: bytes, **kw: Any) -> bytes | None:
        calls.append(wire)
        if len(calls) == 1:
            raise RuntimeError("boom")
        return real(cluster, wire, **kw)

    monkeypatch.setattr(_server, "answer_wire", flaky)
    with DnsServer(CLUSTER) as running:
        query = dns.message.make_query("api.prod.svc.cluster.local", "A")
        with pytest.raises(dns.exception.Timeout):
            dns.query.udp(query, "127.0.0.1", port=running.port, timeout=0.5)
        assert rdata(udp(running, "api.prod.svc.cluster.local", "A")) == ["10.96.0.20"]
        assert running.errors == 1


def test_tcp_connections_end_cleanly(server: DnsServer) -> None:
    wire = dns.message.make_query("api.prod.svc.cluster.local", "A").to_wire()
    # A length prefix cut short, a body cut short, a response instead of a query:
    # each closes the connection without an answer.
    for sent in (
        b"\x00",
        b"\x00\x40" + wire[:10],
        len(wire).to_bytes(2, "big") + wire[:2] + bytes([wire[2] | 0x80]) + wire[3:],
    ):
        with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
            sock.sendall(sent)
            sock.shutdown(socket.SHUT_WR)
            assert sock.recv(100) == b""
    assert server.errors == 0


def test_wait_returns_when_closed() -> None:
    server = DnsServer(CLUSTER).start()
    timer = threading.Timer(0.2, server.close)
    timer.start()
    server.wait()
    timer.join()
