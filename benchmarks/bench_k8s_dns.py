"""Kubernetes DNS: queries per second in process and over UDP loopback.

Workload: a cluster of 1,000 ClusterIP services (each with two named ports) and 100
headless services of 3 endpoints, in 20 namespaces; 1,000 questions from a seeded
RNG, the same list for every implementation: A for services (mixed case), AAAA
(NODATA), SRV for named ports, A for headless services, PTR for cluster IPs, and
NXDOMAIN names. Results are per round (all 1,000 questions);
``extra_info["qps"]`` gives queries per second.

Implementations (``benchmark.extra_info["implementation"]``):

* group ``k8s-dns-in-process``: ``awscore`` is :meth:`Cluster.query` on the
  question text; there is no peer model of Kubernetes DNS to compare with.
* group ``k8s-dns-wire``: ``awscore`` is :func:`answer_wire` (parse the query,
  answer from the model, encode the response); ``floor`` is dnspython's own message
  work for the same question and the same answer records, prepared in advance:
  ``from_wire`` of the query, ``make_response``, ``to_wire``. The gap is the model.
* group ``k8s-dns-udp-loopback``: a dnspython client (``dns.query.udp``, one
  question at a time) against ``awscore``'s :class:`DnsServer` on 127.0.0.1, and
  against the ``floor``: a UDP server thread that only flips the QR bit and sends
  the query back (sockets, thread hand-off and the client's own encode/decode).

Targets (reported, not asserted): ``answer_wire`` within 2x its floor; the server
within 2x the echo floor over loopback.
"""

from __future__ import annotations

import random
import socket
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from tests.conftest import require_peer

from awscore.k8s_dns import Cluster, DnsServer, Endpoint, Port, Service, answer_wire

# The peer (dnspython) is the floor and the UDP client: skipped locally without
# it, a failure under CI, never a silent skip.
require_peer("dns")
import dns.message  # noqa: E402
import dns.query  # noqa: E402

QUESTIONS = 1_000
NAMESPACES = [f"ns{i:02d}" for i in range(20)]


def build_cluster() -> Cluster:
    services = []
    for i in range(1_000):
        services.append(
            Service(
                name=f"svc{i}",
                namespace=NAMESPACES[i % 20],
                cluster_ips=(f"10.96.{i // 250}.{i % 250 + 1}",),
                ports=(Port(name="http", port=80), Port(name="grpc", port=9090)),
            )
        )
    for i in range(100):
        services.append(
            Service(
                name=f"hl{i}",
                namespace=NAMESPACES[i % 20],
                ports=(Port(name="http", port=8080),),
                endpoints=tuple(
                    Endpoint(ip=f"10.244.{i}.{j + 1}", hostname=f"hl{i}-{j}")
                    for j in range(3)
                ),
            )
        )
    return Cluster(services=tuple(services))


def build_questions() -> list[tuple[str, str]]:
    rng = random.Random(11)  # noqa: S311 - a reproducible workload, not crypto
    out = []
    for _ in range(QUESTIONS):
        i = rng.randrange(1_000)
        ns = NAMESPACES[i % 20]
        kind = rng.randrange(6)
        if kind == 0:
            out.append((f"SVC{i}.{ns}.svc.cluster.local.", "A"))
        elif kind == 1:
            out.append((f"svc{i}.{ns}.svc.cluster.local.", "AAAA"))
        elif kind == 2:
            out.append((f"_http._tcp.svc{i}.{ns}.svc.cluster.local.", "SRV"))
        elif kind == 3:
            h = i % 100
            out.append((f"hl{h}.{NAMESPACES[h % 20]}.svc.cluster.local.", "A"))
        elif kind == 4:
            out.append((f"{i % 250 + 1}.{i // 250}.96.10.in-addr.arpa.", "PTR"))
        else:
            out.append((f"missing{i}.{ns}.svc.cluster.local.", "A"))
    return out


CLUSTER = build_cluster()
QUESTION_LIST = build_questions()
WIRES = [dns.message.make_query(name, qtype).to_wire() for name, qtype in QUESTION_LIST]


def _qps(benchmark: Any) -> None:
    if benchmark.stats is not None:  # None under --benchmark-disable
        benchmark.extra_info["qps"] = round(QUESTIONS / benchmark.stats.stats.mean)


def test_answer_wire_agrees_with_the_model() -> None:
    """The timed work is equivalent: the wire answers carry the model's records."""
    for (name, qtype), wire in zip(QUESTION_LIST[:200], WIRES[:200], strict=True):
        reply = answer_wire(CLUSTER, wire)
        assert reply is not None
        parsed = dns.message.from_wire(reply)
        got = sorted(rd.to_text() for rrset in parsed.answer for rd in rrset)
        expected = sorted(r.data for r in CLUSTER.query(name, qtype).answer)
        assert got == expected


def test_in_process(benchmark: Any) -> None:
    query = CLUSTER.query

    def run() -> None:
        for name, qtype in QUESTION_LIST:
            query(name, qtype)

    benchmark.group = "k8s-dns-in-process"
    benchmark.extra_info["implementation"] = "awscore"
    benchmark.extra_info["workload"] = f"{QUESTIONS:,} questions, Cluster.query"
    benchmark.pedantic(run, rounds=5, iterations=1, warmup_rounds=1)
    _qps(benchmark)


def _rrsets(records: tuple[Any, ...]) -> list[Any]:
    import dns.rrset

    grouped: dict[tuple[str, str], list[str]] = {}
    ttl = 5
    for record in records:
        grouped.setdefault((record.name, record.type), []).append(record.data)
        ttl = record.ttl
    return [
        dns.rrset.from_text_list(name, ttl, "IN", rtype, datas)
        for (name, rtype), datas in grouped.items()
    ]


def _floor_wire() -> Callable[[], None]:
    import dns.flags

    prepared = []
    for name, qtype in QUESTION_LIST:
        answer = CLUSTER.query(name, qtype)
        prepared.append((_rrsets(answer.answer), _rrsets(answer.authority)))

    def run() -> None:
        # dnspython's own work for the same answer, the records built in advance
        for wire, (answer, authority) in zip(WIRES, prepared, strict=True):
            query = dns.message.from_wire(wire)
            response = dns.message.make_response(query)
            response.flags |= dns.flags.AA
            response.answer = list(answer)
            response.authority = list(authority)
            response.to_wire(max_size=512)

    return run


@pytest.mark.parametrize("impl", ["floor", "awscore"])
def test_wire(benchmark: Any, impl: str) -> None:
    if impl == "floor":
        run = _floor_wire()
    else:

        def run() -> None:
            for wire in WIRES:
                answer_wire(CLUSTER, wire)

    benchmark.group = "k8s-dns-wire"
    benchmark.extra_info["implementation"] = impl
    benchmark.extra_info["workload"] = f"{QUESTIONS:,} questions, wire in and out"
    benchmark.pedantic(run, rounds=5, iterations=1, warmup_rounds=1)
    _qps(benchmark)


class EchoServer:
    """A UDP server that answers each datagram with itself, QR bit set."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self) -> None:
        while not self.stop.is_set():
            try:
                data, peer = self.sock.recvfrom(65535)
            except TimeoutError:
                continue
            self.sock.sendto(data[:2] + bytes([data[2] | 0x80]) + data[3:], peer)

    def close(self) -> None:
        self.stop.set()
        self.thread.join()
        self.sock.close()


@pytest.fixture(params=["floor", "awscore"])
def udp_port(request: pytest.FixtureRequest) -> Iterator[tuple[str, int]]:
    if request.param == "floor":
        echo = EchoServer()
        yield "floor", echo.port
        echo.close()
    else:
        with DnsServer(CLUSTER) as server:
            yield "awscore", server.port


def test_udp_loopback(benchmark: Any, udp_port: tuple[str, int]) -> None:
    impl, port = udp_port
    queries = [dns.message.make_query(n, t) for n, t in QUESTION_LIST]

    def run() -> None:
        for query in queries:
            dns.query.udp(query, "127.0.0.1", port=port, timeout=5)

    benchmark.group = "k8s-dns-udp-loopback"
    benchmark.extra_info["implementation"] = impl
    benchmark.extra_info["workload"] = (
        f"{QUESTIONS:,} questions, dnspython client, one at a time"
    )
    benchmark.pedantic(run, rounds=3, iterations=1, warmup_rounds=1)
    _qps(benchmark)
