"""``awscore k8s-dns``: query, resolve, resolv-conf, serve, and the tour."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from awscore.cli import main
from tests.conftest import require_peer
from tests.k8s_dns._data import CLUSTER_YAML, KUBECTL_JSON


@pytest.fixture
def cluster_file(tmp_path: Path) -> Path:
    path = tmp_path / "c.yaml"
    path.write_text(CLUSTER_YAML)
    return path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["k8s-dns", *argv])
    out, err = capsys.readouterr()
    return code, out, err


Run = Callable[..., tuple[int, str, str]]


@contextlib.contextmanager
def socket_port() -> Iterator[int]:
    """A port free for UDP and TCP on 127.0.0.1 (free again once closed)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as tcp:
        tcp.bind(("127.0.0.1", 0))
        yield tcp.getsockname()[1]


@pytest.fixture
def on_cluster(cluster_file: Path, capsys: pytest.CaptureFixture[str]) -> Run:
    """``run`` of a verb with ``--cluster`` the fixture's file."""

    def call(verb: str, *argv: str) -> tuple[int, str, str]:
        return run(capsys, verb, "--cluster", str(cluster_file), *argv)

    return call


def test_query_srv(on_cluster: Run) -> None:
    code, out, _ = on_cluster(
        "query",
        "_http._tcp.api.prod.svc.cluster.local",
        "SRV",
    )
    assert code == 0
    assert (
        "_http._tcp.api.prod.svc.cluster.local. 5 IN SRV 0 100 80 "
        "api.prod.svc.cluster.local." in out
    )
    # CoreDNS's additional section: the target's address.
    assert out.endswith(
        ";; additional\napi.prod.svc.cluster.local. 5 IN A 10.96.0.20\n"
    )


def test_query_the_issues_example(on_cluster: Run) -> None:
    code, out, _ = on_cluster(
        "query",
        "api.prod.svc.cluster.local",
        "SRV",
    )
    assert code == 0
    assert ";; api.prod.svc.cluster.local. SRV: NOERROR" in out
    assert "IN SRV 0 33 80 api.prod.svc.cluster.local." in out


def test_query_json_nxdomain(on_cluster: Run) -> None:
    code, out, _ = on_cluster(
        "query",
        "x.prod.svc.cluster.local",
        "--json",
    )
    assert code == 0
    document = json.loads(out)
    assert document["rcode"] == "NXDOMAIN"
    assert document["authority"][0].startswith("cluster.local. 5 IN SOA")


def test_query_kubectl_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "k.json"
    path.write_text(KUBECTL_JSON)
    code, out, _ = run(
        capsys, "query", "--cluster", str(path), "7.23.100.10.in-addr.arpa", "PTR"
    )
    assert code == 0
    assert "PTR checkout.shop.svc.cluster.local." in out


def test_resolve_shows_every_attempt(on_cluster: Run) -> None:
    code, out, _ = on_cluster(
        "resolve",
        "--pod",
        "prod/web-0",
        "api.example.com",
    )
    assert code == 0
    assert "glibc: 5 queries, NOERROR" in out
    assert "musl: 5 queries, NOERROR" in out
    assert "4. api.example.com.ec2.internal." in out


def test_resolve_json_one_libc(on_cluster: Run) -> None:
    code, out, _ = on_cluster(
        "resolve",
        "--pod",
        "prod/web-0",
        "api",
        "--libc",
        "musl",
        "--json",
    )
    assert code == 0
    document = json.loads(out)
    [only] = document["resolutions"]
    assert only["libc"] == "musl"
    assert only["attempts"] == [
        {"qname": "api.prod.svc.cluster.local.", "status": "NOERROR"}
    ]


def test_resolv_conf(on_cluster: Run, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = on_cluster("resolv-conf", "--pod", "prod/web-0")
    assert code == 0
    assert out == (
        "nameserver 10.96.0.10\n"
        "search prod.svc.cluster.local svc.cluster.local cluster.local ec2.internal\n"
        "options ndots:5\n"
    )
    code, out, _ = run(capsys, "resolv-conf", "--pod", "prod/web-0", "--json")
    assert json.loads(out)["options"] == ["ndots:5"]


def test_resolv_conf_warnings_go_to_stderr(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(
        "pods:\n  - name: p\n    namespace: n\n    dns_config:\n"
        "      nameservers: [1.1.1.1, 8.8.8.8, 9.9.9.9]\n"
    )
    code, out, err = run(capsys, "resolv-conf", "--cluster", str(path), "--pod", "n/p")
    assert code == 0
    assert out.count("nameserver") == 3
    assert "warning: nameserver limits exceeded" in err


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["resolve", "--pod", "prod/nope", "api"], "prod/nope"),
        (["query", "api.prod.svc.cluster.local", "A A"], "qtype"),
        (["serve", "--listen", "nowhere"], "HOST:PORT"),
        (["query", "--cluster", "/nonexistent/c.yaml", "a"], "/nonexistent/c.yaml"),
    ],
)
def test_domain_errors_exit_1(
    argv: list[str], fragment: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, *argv)
    assert code == 1
    assert fragment in err
    assert err.count("\n") == 1


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["k8s-dns", "resolve", "api"])
    assert caught.value.code == 2


def test_every_verb_has_an_example(capsys: pytest.CaptureFixture[str]) -> None:
    for verb in ("query", "resolve", "resolv-conf", "serve"):
        with pytest.raises(SystemExit):
            main(["k8s-dns", verb, "--help"])
        assert f"awscore k8s-dns {verb}" in capsys.readouterr().out


def test_serve_answers_and_stops_on_sigterm(cluster_file: Path) -> None:
    require_peer("dns")
    import dns.message
    import dns.query

    process = subprocess.Popen(  # noqa: S603 - this interpreter, fixed arguments
        [
            sys.executable,
            "-m",
            "awscore",
            "k8s-dns",
            "serve",
            "--cluster",
            str(cluster_file),
            "--listen",
            "127.0.0.1:0",
        ],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert process.stdout is not None
        banner = process.stdout.readline()
        assert banner.startswith("serving cluster.local on 127.0.0.1:")
        port = int(banner.split()[3].rsplit(":", 1)[1])
        query = dns.message.make_query("api.prod.svc.cluster.local", "A")
        reply = dns.query.udp(query, "127.0.0.1", port=port, timeout=5)
        assert [rd.to_text() for rrset in reply.answer for rd in rrset] == [
            "10.96.0.20"
        ]
        process.send_signal(signal.SIGTERM)
        rest, _ = process.communicate(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 0
    assert "stopped: 1 UDP and 0 TCP queries answered" in rest


def test_serve_in_process_stops_on_keyboard_interrupt(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from awscore.k8s_dns import DnsServer

    def interrupted(self: DnsServer) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(DnsServer, "wait", interrupted)
    code, out, _ = run(capsys, "serve", "--listen", "127.0.0.1:0")
    assert code == 130  # Ctrl-C is an interruption (the CLI contract)
    assert "stopped: 0 UDP" in out


def test_tour_resolves_a_short_name(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["tour", "--module", "k8s_dns"]) == 0
    out = capsys.readouterr().out
    assert "1. api.prod.svc.cluster.local." in out
    assert len(out.splitlines()) <= 50
    assert main(["tour", "--module", "k8s_dns", "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["k8s_dns"]["short_name"]["status"] == "NOERROR"


@pytest.mark.parametrize(
    ("flag", "value"),
    [
        ("--listen", "127.0.0.1:²"),
        ("--listen", "127.0.0.1:٣"),
        ("--listen", "127.0.0.1:65536"),
        ("--listen", "127.0.0.1:" + "9" * 5000),
        ("--listen", "localhost:53"),
        ("--listen", "5353"),
        ("--upstream", "127.0.0.1:²"),
    ],
)
def test_serve_bad_addresses_exit_1_with_one_line(
    capsys: pytest.CaptureFixture[str], flag: str, value: str
) -> None:
    """Issue 19: ``--listen 127.0.0.1:²`` was a ValueError traceback."""
    argv = ["serve", flag, value]
    if flag == "--upstream":
        argv += ["--listen", "127.0.0.1:0"]
    code, out, err = run(capsys, *argv)
    assert code == 1
    assert out == ""
    assert len(err.splitlines()) == 1
    assert f"{flag} " in err
    assert "is not HOST:PORT with an IP address and a port 0..65535" in err


def test_serve_workers_out_of_range_exit_1(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "serve", "--listen", "127.0.0.1:0", "--workers", "0")
    assert code == 1
    assert "--workers 0 is not 1..64" in err


def test_serve_workers_share_the_port_and_reload_on_sighup(
    cluster_file: Path,
) -> None:
    """Two worker processes on one port (SO_REUSEPORT); SIGHUP reloads the
    cluster file in both; SIGTERM stops all and sums their counts."""
    require_peer("dns")
    import dns.message
    import dns.query

    with socket_port() as port:
        pass
    process = subprocess.Popen(  # noqa: S603 - this interpreter, fixed arguments
        [
            sys.executable,
            "-m",
            "awscore",
            "k8s-dns",
            "serve",
            "--cluster",
            str(cluster_file),
            "--listen",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
        ],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )

    def answers(count: int) -> set[str]:
        seen = set()
        for i in range(count):
            query = dns.message.make_query("api.prod.svc.cluster.local", "A")
            query.id = i
            # A new source port each time: SO_REUSEPORT spreads by address.
            reply = dns.query.udp(query, "127.0.0.1", port=port, timeout=5)
            seen |= {rd.to_text() for rrset in reply.answer for rd in rrset}
        return seen

    try:
        assert process.stdout is not None
        banner = process.stdout.readline()
        assert "2 workers" in banner
        assert answers(20) == {"10.96.0.20"}
        cluster_file.write_text(CLUSTER_YAML.replace("10.96.0.20", "10.96.0.21"))
        process.send_signal(signal.SIGHUP)
        deadline = time.monotonic() + 20
        while answers(20) != {"10.96.0.21"}:
            assert time.monotonic() < deadline
            time.sleep(0.1)
        process.send_signal(signal.SIGTERM)
        rest, _ = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 0
    udp = int(rest.split("stopped: ")[1].split()[0])
    assert udp >= 40


def test_serve_sighup_reports_a_cluster_file_that_does_not_load(
    cluster_file: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """SIGHUP reloads --cluster; a broken file is one line on stderr and the
    server goes on with the cluster it has."""
    from awscore.k8s_dns import DnsServer

    def hup_then_interrupt(self: DnsServer) -> None:
        cluster_file.write_text("services: [{name: Bad_Name}]\n")
        os.kill(os.getpid(), signal.SIGHUP)
        assert self.reload_failures == 1
        assert self.cluster.query("api.prod.svc.cluster.local").answer
        raise KeyboardInterrupt

    monkeypatch.setattr(DnsServer, "wait", hup_then_interrupt)
    before = signal.getsignal(signal.SIGHUP)
    code, out, err = run(
        capsys, "serve", "--cluster", str(cluster_file), "--listen", "127.0.0.1:0"
    )
    assert code == 130  # it ended on Ctrl-C
    assert "stopped: 0 UDP" in out
    assert err.startswith("awscore: reload failed: ")
    assert "Bad_Name" in err
    assert len(err.splitlines()) == 1
    assert signal.getsignal(signal.SIGHUP) == before  # the handler is put back
