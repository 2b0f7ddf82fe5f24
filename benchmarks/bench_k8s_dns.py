"""Kubernetes DNS: queries per second in process, over UDP loopback, and under
dnsperf against dnsmasq.

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

* ``test_dnsperf_awscore_against_dnsmasq``: Debian's ``dnsperf`` (4 clients, 10
  s) against ``awscore k8s-dns serve`` (1 and 2 worker processes) and against
  ``dnsmasq``, one run of each in the same session, printed as queries/s, lost,
  and the ratio to dnsmasq, for two workloads: ``A`` (1,000 A questions, dnsmasq
  with ``address=`` lines: its fastest path) and ``mixed`` (the list above,
  dnsmasq with ``host-record``/``srv-host``/``local=``).
  ``test_dnsmasq_serves_the_same_answers`` checks the two agree first.
* ``test_resperf_style_ramp``: dnsperf at rising fixed rates (``-Q``) until a
  query is lost, for each server, on workload ``A``.

Targets (reported, not asserted): ``answer_wire`` within 2x its floor; the server
within 2x the echo floor over loopback; under dnsperf at least 0.25x dnsmasq's
queries/s with 0 lost. Under ``--benchmark-disable`` the dnsperf runs last 1 s.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from tests.conftest import require_peer, require_tool

from awscore.k8s_dns import Cluster, DnsServer, answer_wire, cluster_from_dict

# The peer (dnspython) is the floor and the UDP client: skipped locally without
# it, a failure under CI, never a silent skip.
require_peer("dns")
import dns.exception  # noqa: E402
import dns.message  # noqa: E402
import dns.query  # noqa: E402
import dns.rcode  # noqa: E402

QUESTIONS = 1_000
NAMESPACES = [f"ns{i:02d}" for i in range(20)]


def cluster_description() -> dict[str, Any]:
    """The workload's cluster in awscore's description format (for the CLI)."""
    services: list[dict[str, Any]] = [
        {
            "name": f"svc{i}",
            "namespace": NAMESPACES[i % 20],
            "cluster_ip": f"10.96.{i // 250}.{i % 250 + 1}",
            "ports": [{"name": "http", "port": 80}, {"name": "grpc", "port": 9090}],
        }
        for i in range(1_000)
    ]
    services += [
        {
            "name": f"hl{i}",
            "namespace": NAMESPACES[i % 20],
            "cluster_ip": "None",
            "ports": [{"name": "http", "port": 8080}],
            "endpoints": [
                {"ip": f"10.244.{i}.{j + 1}", "hostname": f"hl{i}-{j}"}
                for j in range(3)
            ],
        }
        for i in range(100)
    ]
    return {"services": services}


def build_cluster() -> Cluster:
    return cluster_from_dict(cluster_description())


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


# --- dnsperf: awscore k8s-dns serve against dnsmasq ---------------------------
#
# Debian's dnsperf (-c 4 clients) against `awscore k8s-dns serve` (the CLI, as a
# user runs it, with 1 and 2 worker processes) and against dnsmasq (no cache, no
# upstream), one run of each in the same session, as ratios to dnsmasq. Two
# workloads:
#
# * "A": 1,000 A questions for the services (mixed case), dnsmasq with an
#   ``address=/name/ip`` line per service (its fastest path, the configuration the
#   issue measured). The target (awscore at least 0.25x dnsmasq) is read here.
# * "mixed": QUESTION_LIST (A, AAAA, SRV, headless A, PTR, NXDOMAIN), dnsmasq with
#   ``host-record``, ``srv-host`` and ``local=`` serving the same records (checked
#   equal first); dnsmasq scans its SRV and local lists per query, so it is slower
#   here.
#
# Then a resperf-style ramp on the A workload: dnsperf at fixed rates (-Q) with a
# window of 1,000 outstanding queries (-q; the default 100 makes dnsperf slow down
# to the server's pace and never lose) and a 2 s timeout, rising until queries
# are lost.

DNSPERF_SECONDS = 10
RAMP_SECONDS = 3
RAMP_RATES = (10_000, 20_000, 30_000, 40_000, 50_000, 60_000, 70_000, 80_000,
              100_000, 120_000, 150_000)  # fmt: skip
_DNSPERF_LABELS = {
    "sent": "Queries sent:",
    "completed": "Queries completed:",
    "lost": "Queries lost:",
    "qps": "Queries per second:",
}
A_QUESTIONS = [
    (f"{'SVC' if i % 2 else 'svc'}{i}.{NAMESPACES[i % 20]}.svc.cluster.local.", "A")
    for i in range(1_000)
]


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
        udp.bind(("127.0.0.1", 0))
        return int(udp.getsockname()[1])


_DNSMASQ_BASE = ["listen-address=127.0.0.1", "bind-interfaces", "no-resolv",
                 "no-hosts", "cache-size=0"]  # fmt: skip


def _dnsmasq_conf(port: int, workload: str) -> str:
    lines = [f"port={port}", *_DNSMASQ_BASE]
    services = cluster_description()["services"]
    if workload == "A":
        lines += [
            f"address=/{e['name']}.{e['namespace']}.svc.cluster.local/{e['cluster_ip']}"
            for e in services
            if e["cluster_ip"] != "None"
        ]
        return "\n".join(lines) + "\n"
    lines += ["local=/cluster.local/", "local=/in-addr.arpa/"]
    for entry in services:
        base = f"{entry['name']}.{entry['namespace']}.svc.cluster.local"
        if entry["cluster_ip"] == "None":
            lines += [f"host-record={base},{e['ip']}" for e in entry["endpoints"]]
            continue
        lines.append(f"host-record={base},{entry['cluster_ip']}")
        lines += [
            f"srv-host=_{p['name']}._tcp.{base},{base},{p['port']},0,100"
            for p in entry["ports"]
        ]
    return "\n".join(lines) + "\n"


def _dnsperf(
    port: int, queries: Path, seconds: int, rate: int | None = None
) -> dict[str, float]:
    dnsperf = require_tool("dnsperf")
    command = [dnsperf, "-s", "127.0.0.1", "-p", str(port), "-d", str(queries),
               "-l", str(seconds), "-c", "4"]  # fmt: skip
    if rate is not None:
        command += ["-Q", str(rate), "-q", "1000", "-t", "2"]
    out = subprocess.run(  # noqa: S603 - dnsperf from PATH, fixed arguments
        command, capture_output=True, text=True, check=True, timeout=seconds + 60
    ).stdout
    found = {}
    for key, label in _DNSPERF_LABELS.items():
        line = next(line for line in out.splitlines() if line.strip().startswith(label))
        found[key] = float(line.split(":")[1].split()[0])
    return found


@contextlib.contextmanager
def _awscore(tmp: Path, workers: int) -> Iterator[int]:
    port = _free_port()
    cluster = tmp / "cluster.json"
    cluster.write_text(json.dumps(cluster_description()))
    process = subprocess.Popen(  # noqa: S603 - this interpreter, fixed arguments
        [
            sys.executable,
            "-m",
            "awscore",
            "k8s-dns",
            "serve",
            "--cluster",
            str(cluster),
            "--listen",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
        ],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert process.stdout is not None
        assert process.stdout.readline().startswith("serving")
        yield port
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextlib.contextmanager
def _dnsmasq(tmp: Path, workload: str) -> Iterator[int]:
    dnsmasq = require_tool("dnsmasq")
    port = _free_port()
    conf = tmp / f"dnsmasq-{workload}.conf"
    conf.write_text(_dnsmasq_conf(port, workload))
    process = subprocess.Popen(  # noqa: S603 - dnsmasq from PATH, fixed arguments
        [dnsmasq, "-k", "--user=root", "-C", str(conf), f"--pid-file={tmp / 'pid'}"],
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while True:  # ready when it answers
            try:
                query = dns.message.make_query("svc0.ns00.svc.cluster.local", "A")
                dns.query.udp(query, "127.0.0.1", port=port, timeout=0.2)
                break
            except dns.exception.Timeout:
                assert time.monotonic() < deadline, "dnsmasq did not start"
        yield port
    finally:
        process.terminate()
        process.wait(timeout=10)


WORKLOADS = {"A": A_QUESTIONS, "mixed": QUESTION_LIST}


def _queries_file(tmp: Path, workload: str) -> Path:
    path = tmp / f"queries-{workload}.txt"
    path.write_text("".join(f"{n} {t}\n" for n, t in WORKLOADS[workload]))
    return path


def _answers(port: int, workload: str) -> list[tuple[str, list[str]]]:
    out = []
    for name, qtype in WORKLOADS[workload][:300]:
        query = dns.message.make_query(name, qtype)
        reply = dns.query.udp(query, "127.0.0.1", port=port, timeout=5)
        rcode = dns.rcode.to_text(reply.rcode())
        out.append(
            (rcode, sorted(rd.to_text() for rrset in reply.answer for rd in rrset))
        )
    return out


@pytest.mark.parametrize("workload", list(WORKLOADS))
def test_dnsmasq_serves_the_same_answers(tmp_path: Path, workload: str) -> None:
    """The comparison is fair: for the first 300 questions of each workload
    dnsmasq's rcodes and answer records are awscore's."""
    with _awscore(tmp_path, 1) as ours, _dnsmasq(tmp_path, workload) as theirs:
        assert _answers(ours, workload) == _answers(theirs, workload)


def _seconds(config: pytest.Config, full: int) -> int:
    # Under --benchmark-disable (CI runs every benchmark once) keep it short.
    return 1 if config.getoption("benchmark_disable") else full


def test_dnsperf_awscore_against_dnsmasq(
    tmp_path: Path, request: pytest.FixtureRequest, capsys: pytest.CaptureFixture[str]
) -> None:
    """One dnsperf run of each server per workload, printed as ratios."""
    seconds = _seconds(request.config, DNSPERF_SECONDS)
    lines = [f"dnsperf -c 4 -l {seconds}, {QUESTIONS:,} questions:"]
    for workload in WORKLOADS:
        queries = _queries_file(tmp_path, workload)
        results = {}
        for workers in (1, 2):
            with _awscore(tmp_path, workers) as port:
                name = f"awscore, {workers} worker{'s' if workers > 1 else ''}"
                results[name] = _dnsperf(port, queries, seconds)
        with _dnsmasq(tmp_path, workload) as port:
            results["dnsmasq"] = _dnsperf(port, queries, seconds)
        floor = results["dnsmasq"]["qps"]
        lines.append(f"  workload {workload}:")
        lines += [
            f"    {name:<20} {found['qps']:>10,.0f} queries/s  lost "
            f"{found['lost']:,.0f} of {found['sent']:,.0f}  "
            f"({found['qps'] / floor:.2f}x dnsmasq)"
            for name, found in results.items()
        ]
    with capsys.disabled():
        print("\n" + "\n".join(lines))


def _ramp(port: int, queries: Path, rates: tuple[int, ...], seconds: int) -> list[str]:
    lines = []
    for rate in rates:
        found = _dnsperf(port, queries, seconds, rate)
        lines.append(
            f"    -Q {rate:>7,}: {found['qps']:>9,.0f} queries/s, "
            f"lost {found['lost']:,.0f} of {found['sent']:,.0f}"
        )
        if found["lost"] > 0:
            break
    return lines


def test_resperf_style_ramp(
    tmp_path: Path, request: pytest.FixtureRequest, capsys: pytest.CaptureFixture[str]
) -> None:
    """dnsperf at rising fixed rates (-Q) until queries are lost: where each
    server starts to lose (workload A)."""
    short = request.config.getoption("benchmark_disable")
    rates = RAMP_RATES[:2] if short else RAMP_RATES
    seconds = 1 if short else RAMP_SECONDS
    queries = _queries_file(tmp_path, "A")
    lines = [f"ramp: dnsperf -c 4 -l {seconds} -q 1000 -t 2 -Q <rate>, workload A"]
    servers: list[tuple[str, Callable[[], contextlib.AbstractContextManager[int]]]] = [
        ("awscore, 1 worker", lambda: _awscore(tmp_path, 1)),
        ("awscore, 2 workers", lambda: _awscore(tmp_path, 2)),
        ("dnsmasq", lambda: _dnsmasq(tmp_path, "A")),
    ]
    for name, server in servers:
        with server() as port:
            lines.append(f"  {name}:")
            lines += _ramp(port, queries, rates, seconds)
    with capsys.disabled():
        print("\n" + "\n".join(lines))
