"""``awscore k8s-dns``: Kubernetes DNS records, pod resolv.conf, search, a server."""

from __future__ import annotations

import argparse
import contextlib
import ipaddress
import os
import signal
import sys
from pathlib import Path
from typing import Any

from awscore.cli._output import EXIT_INTERRUPTED, add_json_flag, epilog, write_json
from awscore.cli._tour import TourPart, TourSection
from awscore.errors import CliError
from awscore.k8s_dns import LIBCS, Cluster, DnsAnswer, Resolution, resolve

__all__ = ["EXAMPLE_CLUSTER", "TOUR", "register"]

#: The built-in cluster used when ``--cluster`` is not given, and by the tour.
EXAMPLE_CLUSTER = """\
zone: cluster.local
dns_ips: [10.96.0.10]
service_cidrs: [10.96.0.0/12]
node_resolv_conf: |
  nameserver 10.0.0.2
  search ec2.internal
upstream:
  api.example.com: [93.184.216.34]
services:
  - {name: api, namespace: prod, cluster_ip: 10.96.0.20,
     ports: [{name: http, port: 80}, {name: grpc, port: 9090}]}
  - name: db
    namespace: prod
    cluster_ip: None
    ports: [{name: pg, port: 5432}]
    endpoints: [{ip: 10.244.1.10, hostname: db-0}, {ip: 10.244.2.11, hostname: db-1}]
  - {name: search, namespace: prod, type: ExternalName,
     external_name: search.example.com}
  - {name: api, namespace: staging, cluster_ip: 10.96.1.20,
     ports: [{name: http, port: 80}]}
pods:
  - {name: web-0, namespace: prod, ip: 10.244.1.5}
  - {name: db-0, namespace: prod, ip: 10.244.1.10, hostname: db-0, subdomain: db}
  - {name: db-1, namespace: prod, ip: 10.244.2.11, hostname: db-1, subdomain: db}
  - {name: tools, namespace: staging, ip: 10.244.3.7}
"""

_YAML = "--cluster examples/k8s-dns/cluster.yaml"
_KUBECTL = "--cluster examples/k8s-dns/kubectl.json"
_EPILOGS = {
    "query": epilog(
        f"awscore k8s-dns query {_YAML}\n_http._tcp.api.prod.svc.cluster.local SRV",
        f"awscore k8s-dns query {_KUBECTL} 7.23.100.10.in-addr.arpa PTR",
    ),
    "resolve": epilog(
        f"awscore k8s-dns resolve {_YAML} --pod prod/web-0 api",
        f"awscore k8s-dns resolve {_KUBECTL}\n"
        "--pod shop/frontend-7d9c cart --libc musl",
    ),
    "resolv-conf": epilog(
        f"awscore k8s-dns resolv-conf {_YAML} --pod prod/web-0",
        f"awscore k8s-dns resolv-conf {_KUBECTL}\n--pod shop/frontend-7d9c --json",
    ),
    "serve": epilog(
        f"awscore k8s-dns serve {_YAML}\n--listen 127.0.0.1:8053  # until Ctrl-C",
        f"awscore k8s-dns serve {_KUBECTL} --listen 127.0.0.1:0  # until Ctrl-C",
        notes="Needs dnspython (awscore[dns]). Ask it with "
        "`dig @127.0.0.1 -p 8053 api.prod.svc.cluster.local`.\n"
        "Port 0 takes any free port: the first line says which. SIGTERM stops it "
        "with exit 0,\nCtrl-C with 130. --workers N shares the port among N "
        "processes (SO_REUSEPORT);\n--upstream HOST:PORT resolves ExternalName "
        "targets; SIGHUP, or a change to the\ncluster file, reloads it.",
    ),
}


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``awscore k8s-dns`` and its verbs."""
    parser = subparsers.add_parser(
        "k8s-dns",
        help="Kubernetes DNS: records, pod resolv.conf, glibc/musl search, a server",
        description="Answer Kubernetes DNS questions from a cluster description "
        "(awscore's YAML/JSON, or `kubectl get services,endpoints,pods -A -o json`).",
        epilog=epilog(
            f"awscore k8s-dns query {_YAML} api.prod.svc.cluster.local",
            f"awscore k8s-dns resolve {_YAML} --pod prod/web-0 api.example.com",
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    verbs = parser.add_subparsers(title="verbs", metavar="VERB")

    def verb(name: str, help_: str) -> argparse.ArgumentParser:
        sub = verbs.add_parser(
            name,
            help=help_,
            description=help_,
            epilog=_EPILOGS[name],
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        sub.add_argument(
            "--cluster",
            type=Path,
            help="cluster file: YAML/JSON description or kubectl JSON "
            "(default: a built-in example)",
        )
        return sub

    query = verb("query", "answer one question as the cluster DNS server does")
    query.add_argument("name", help="the name asked, e.g. api.prod.svc.cluster.local")
    query.add_argument("type", nargs="?", default="A", help="record type (A)")
    add_json_flag(query)
    query.set_defaults(handler=_query)

    res = verb("resolve", "resolve a name from a pod: every query its libc sends")
    res.add_argument("name", help="the name an application looks up, e.g. api")
    res.add_argument("--pod", required=True, help="namespace/name of the pod")
    res.add_argument("--type", default="A", help="record type (A)")
    res.add_argument(
        "--libc", choices=(*LIBCS, "both"), default="both", help="search algorithm"
    )
    add_json_flag(res)
    res.set_defaults(handler=_resolve)

    conf = verb("resolv-conf", "the /etc/resolv.conf kubelet writes for a pod")
    conf.add_argument("--pod", required=True, help="namespace/name of the pod")
    add_json_flag(conf)
    conf.set_defaults(handler=_resolv_conf)

    serve = verb("serve", "serve the cluster's DNS on UDP and TCP until interrupted")
    serve.add_argument(
        "--listen", default="127.0.0.1:5353", help="HOST:PORT (127.0.0.1:5353)"
    )
    serve.add_argument(
        "--upstream",
        metavar="HOST:PORT",
        help="a DNS server that resolves ExternalName targets outside the zone, "
        "as CoreDNS's forwarders do (default: answer with the CNAME only)",
    )
    serve.add_argument(
        "--workers",
        type=int,
        default=1,
        help="processes sharing the port with SO_REUSEPORT (1; at most "
        f"{MAX_WORKERS}); SIGHUP reloads --cluster in every one",
    )
    serve.set_defaults(handler=_serve)


#: The most worker processes ``serve --workers`` starts.
MAX_WORKERS = 64


def _cluster(path: Path | None) -> Cluster:
    if path is None:
        return Cluster.load(EXAMPLE_CLUSTER)
    return Cluster.load(path.read_bytes())


def _answer_json(answer: DnsAnswer) -> dict[str, Any]:
    return {
        "qname": answer.qname,
        "qtype": answer.qtype,
        "rcode": answer.rcode.value,
        "status": answer.status,
        "answer": [r.text for r in answer.answer],
        "authority": [r.text for r in answer.authority],
        "additional": [r.text for r in answer.additional],
    }


def _answer_lines(answer: DnsAnswer) -> list[str]:
    lines = [f";; {answer.qname} {answer.qtype}: {answer.status}"]
    lines += [r.text for r in answer.answer]
    if answer.authority:
        lines.append(";; authority")
        lines += [r.text for r in answer.authority]
    if answer.additional:
        lines.append(";; additional")
        lines += [r.text for r in answer.additional]
    return lines


#: Record type mnemonics IANA assigns (RFC 6895's registry); TYPE<n> also passes.
_RR_TYPE_NAMES = (
    "A NS MD MF CNAME SOA MB MG MR NULL WKS PTR HINFO MINFO MX TXT RP AFSDB X25 "
    "ISDN RT NSAP NSAP-PTR SIG KEY PX GPOS AAAA LOC NXT EID NIMLOC SRV ATMA NAPTR "
    "KX CERT A6 DNAME SINK OPT APL DS SSHFP IPSECKEY RRSIG NSEC DNSKEY DHCID NSEC3 "
    "NSEC3PARAM TLSA SMIMEA HIP NINFO RKEY TALINK CDS CDNSKEY OPENPGPKEY CSYNC "
    "ZONEMD SVCB HTTPS DSYNC SPF UINFO UID GID UNSPEC NID L32 L64 LP EUI48 EUI64 "
    "TKEY TSIG IXFR AXFR MAILB MAILA ANY URI CAA AVC DOA AMTRELAY RESINFO WALLET "
    "TA DLV"
)
_RR_TYPES = frozenset(_RR_TYPE_NAMES.split())


def _record_type(text: str) -> str:
    upper = text.upper()
    if upper in _RR_TYPES or (upper.startswith("TYPE") and upper[4:].isdigit()):
        return text
    raise CliError(
        f"qtype {text!r} is not a record type that exists: use one such as A, AAAA, "
        "SRV, PTR, TXT, CNAME, or TYPE<n>"
    )


def _query(args: argparse.Namespace) -> int:
    answer = _cluster(args.cluster).query(args.name, _record_type(args.type))
    if args.json:
        _dump(_answer_json(answer))
    else:
        sys.stdout.write("\n".join(_answer_lines(answer)) + "\n")
    return 0


def _resolution_json(result: Resolution) -> dict[str, Any]:
    return {
        "libc": result.libc,
        "name": result.name,
        "qtype": result.qtype,
        "status": result.status,
        "attempts": [{"qname": a.qname, "status": a.status} for a in result.attempts],
        "answer": [r.text for r in result.answer.answer] if result.answer else [],
        "result": result.result.text,
        "rule": result.result.rule,
        "datagrams": [
            {
                "qname": d.qname,
                "qtype": d.qtype,
                "server": d.server,
                "attempt": d.attempt,
                "wait": d.wait,
                "status": d.status,
            }
            for d in result.datagrams
        ],
    }


def _resolution_lines(result: Resolution) -> list[str]:
    count = len(result.attempts)
    lines = [
        f"{result.libc}: {count} {'query' if count == 1 else 'queries'}, "
        f"{result.status}"
    ]
    for i, attempt in enumerate(result.attempts, 1):
        lines.append(f"  {i}. {attempt.qname:<45} {attempt.status}")
    if result.answer:
        lines += [f"     {r.text}" for r in result.answer.answer]
    sent = len(result.datagrams)
    lines.append(
        f"  {sent} {'datagram' if sent == 1 else 'datagrams'}; getaddrinfo: "
        f"{result.result.text} ({result.result.rule})"
    )
    return lines


def _resolve_all(
    cluster: Cluster, pod: str, name: str, qtype: str, libc: str
) -> list[Resolution]:
    chosen = LIBCS if libc == "both" else (libc,)
    return [resolve(cluster, pod, name, qtype, c) for c in chosen]  # type: ignore[arg-type]


def _resolve(args: argparse.Namespace) -> int:
    cluster = _cluster(args.cluster)
    qtype = _record_type(args.type)
    results = _resolve_all(cluster, args.pod, args.name, qtype, args.libc)
    if args.json:
        _dump(
            {
                "resolv_conf": results[0].resolv_conf.text,
                "resolutions": [_resolution_json(r) for r in results],
            }
        )
        return 0
    conf = results[0].resolv_conf
    out = [f"{args.pod}: search {' '.join(conf.search)}, ndots:{conf.ndots}"]
    for result in results:
        out += _resolution_lines(result)
    sys.stdout.write("\n".join(out) + "\n")
    return 0


def _resolv_conf(args: argparse.Namespace) -> int:
    conf = _cluster(args.cluster).resolv_conf(args.pod)
    if args.json:
        _dump(
            {
                "nameservers": list(conf.nameservers),
                "search": list(conf.search),
                "options": list(conf.options),
                "warnings": list(conf.warnings),
                "text": conf.text,
            }
        )
        return 0
    sys.stdout.write(conf.text)
    for warning in conf.warnings:
        sys.stderr.write(f"awscore: warning: {warning}\n")
    return 0


def _listen(text: str, flag: str = "--listen") -> tuple[str, int]:
    host, sep, port = text.rpartition(":")
    host = host.strip("[]")
    # str.isdigit takes '²' and '٣'; int() then fails or reads them as digits.
    if (
        sep
        and host
        and port.isascii()
        and port.isdigit()
        and len(port) <= 5
        and int(port) <= 65535
    ):
        try:
            ipaddress.ip_address(host)
        except ValueError:
            pass
        else:
            return host, int(port)
    raise CliError(
        f"{flag} {text!r} is not HOST:PORT with an IP address and a port 0..65535, "
        "e.g. 127.0.0.1:5353 or [::1]:5353"
    )


def _serve(args: argparse.Namespace) -> int:
    from awscore.k8s_dns import DnsServer

    host, port = _listen(args.listen)
    upstream = None if args.upstream is None else _listen(args.upstream, "--upstream")
    if not 1 <= args.workers <= MAX_WORKERS:
        raise CliError(f"--workers {args.workers} is not 1..{MAX_WORKERS}")
    cluster = _cluster(args.cluster)

    def server_on(port: int) -> DnsServer:
        return DnsServer(
            cluster,
            host,
            port,
            upstream=upstream,
            cluster_file=args.cluster,
            reuse_port=args.workers > 1,
        )

    server = server_on(port).bind()
    workers = _fork_workers(server, args.workers - 1, server_on)
    stop_signals = (signal.SIGTERM, signal.SIGHUP)
    previous = {sig: signal.getsignal(sig) for sig in stop_signals}

    def stop(signum: int, frame: object) -> None:
        server.close()

    def reload(signum: int, frame: object) -> None:
        if args.cluster is not None and not server.reload_file():
            sys.stderr.write(f"awscore: reload failed: {server.last_reload_error}\n")
        for pid in workers.pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGHUP)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGHUP, reload)
    interrupted = False
    server.start()
    try:
        count = args.workers
        sys.stdout.write(
            f"serving {cluster.zone} on {server.address[0]}:{server.port} "
            f"(UDP and TCP{f', {count} workers' if count > 1 else ''}); "
            "Ctrl-C stops\n"
        )
        sys.stdout.flush()
        server.wait()
    except KeyboardInterrupt:
        interrupted = True
    finally:
        server.close()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    udp, tcp, dropped = workers.join()
    sys.stdout.write(
        f"stopped: {server.udp_queries + udp} UDP and {server.tcp_queries + tcp} TCP "
        f"queries answered, {server.dropped + dropped} dropped\n"
    )
    # SIGTERM is the normal stop (0); Ctrl-C is an interruption (130)
    return EXIT_INTERRUPTED if interrupted else 0


class _Workers:
    """The worker processes of ``serve --workers``, and their counts at exit."""

    def __init__(self, pids: list[int], reader: int | None) -> None:
        self.pids = pids
        self.reader = reader

    def join(self) -> tuple[int, int, int]:
        """Stop every worker; the sum of their (UDP, TCP, dropped) counts."""
        for pid in self.pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)
        for pid in self.pids:
            os.waitpid(pid, 0)
        totals = [0, 0, 0]
        if self.reader is not None:
            with os.fdopen(self.reader) as lines:
                for line in lines:
                    for i, value in enumerate(line.split()[:3]):
                        totals[i] += int(value)
        return totals[0], totals[1], totals[2]


def _fork_workers(
    parent: Any, count: int, server_on: Any
) -> _Workers:  # pragma: no cover - runs in forked children (tested by subprocess)
    """Fork ``count`` processes, each serving the parent's port on its own
    sockets (SO_REUSEPORT), reporting its counts on a pipe when it stops."""
    if count == 0:
        return _Workers([], None)
    reader, writer = os.pipe()
    pids = []
    for _ in range(count):
        pid = os.fork()
        if pid == 0:
            os.close(reader)
            parent.detach()  # the parent's sockets are the parent's
            code = 0
            try:
                _worker(server_on(parent.port), writer)
            except BaseException:  # a child must never return into the parent
                code = 1
            os._exit(code)
        pids.append(pid)
    os.close(writer)
    return _Workers(pids, reader)


def _worker(server: Any, writer: int) -> None:  # pragma: no cover - in children
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent stops the workers
    signal.signal(signal.SIGTERM, lambda signum, frame: server.close())
    signal.signal(
        signal.SIGHUP,
        lambda signum, frame: server.cluster_file is not None and server.reload_file(),
    )
    server.start()
    server.wait()
    server.close()
    counts = f"{server.udp_queries} {server.tcp_queries} {server.dropped}\n"
    os.write(writer, counts.encode())


def _dump(document: object) -> None:
    write_json(document)


def _tour() -> TourPart:
    cluster = Cluster.load(EXAMPLE_CLUSTER)
    conf = cluster.resolv_conf("prod/web-0")
    short = resolve(cluster, "prod/web-0", "api")
    other = resolve(cluster, "prod/web-0", "api.staging")
    external = {
        c: resolve(cluster, "prod/web-0", "api.example.com", libc=c) for c in LIBCS
    }
    srv = cluster.query("_http._tcp.api.prod.svc.cluster.local", "SRV")
    lines = [
        "A pod's resolv.conf (prod/web-0, dnsPolicy ClusterFirst):",
        "",
        *("  " + line for line in conf.text.splitlines()),
        "",
        "`api` from prod: the first search domain finds the service.",
        *_resolution_lines(short),
        "",
        "`api.staging` (1 dot < ndots:5) walks the search list first:",
        *_resolution_lines(other),
        "",
        "`api.example.com` from the same pod: four NXDOMAINs before the real name.",
        *_resolution_lines(external["glibc"]),
        "",
        "SRV for a named port:",
        *("  " + r.text for r in srv.answer),
        "",
        "Try `awscore k8s-dns resolve --pod prod/web-0 api.example.com.` (one query),",
        "or `awscore k8s-dns serve` and",
        "`dig @127.0.0.1 -p 5353 api.prod.svc.cluster.local`.",
    ]
    return TourPart(
        text="\n".join(lines),
        data={
            "resolv_conf": conf.text,
            "short_name": _resolution_json(short),
            "other_namespace": _resolution_json(other),
            "external": {c: _resolution_json(r) for c, r in external.items()},
        },
    )


TOUR = TourSection(
    name="k8s_dns", title="k8s_dns: what `api` costs from a pod", run=_tour
)
