"""Answers as CoreDNS's kubernetes plugin gives them, case by case.

Each case is written for this cluster (its own names and addresses) after a case
or a code path in coredns/coredns, named in its docstring; paths are relative to
the CoreDNS repository (read at commit 4b26cce, August 2026).
"""

from __future__ import annotations

import pytest

from awscore.k8s_dns import (
    Cluster,
    DnsAnswer,
    Endpoint,
    PodMode,
    Port,
    Rcode,
    Record,
    Service,
    ServiceType,
)
from awscore.k8s_dns._names import dashed
from awscore.k8s_dns._records import srv_weight

HTTP = (Port(name="http", port=80),)


def _svc(name: str, *ips: str, **kw: object) -> Service:
    return Service(name=name, namespace="shop", cluster_ips=ips, **kw)  # type: ignore[arg-type]


CLUSTER = Cluster(
    namespaces=("empty",),
    dns_ips=("10.96.0.10",),
    services=(
        _svc(
            "web",
            "10.96.5.1",
            ports=HTTP,
            endpoints=(
                Endpoint(ip="10.244.0.7", hostname="web-a"),
                Endpoint(ip="10.244.0.8"),
                Endpoint(ip="fd00:244::7", hostname="web-v6"),
                Endpoint(ip="10.96.5.2", hostname="odd"),  # also dual's cluster IP
            ),
        ),
        _svc("dual", "10.96.5.2", "fd00:96::2", ports=HTTP),
        _svc("only6", "fd00:96::3", ports=HTTP),
        _svc(
            "hdls",
            ports=HTTP,
            endpoints=(
                Endpoint(ip="10.244.1.2"),
                Endpoint(ip="10.244.1.3"),
                Endpoint(ip="10.244.1.4", hostname="twin"),
                Endpoint(ip="10.244.1.5", hostname="twin"),
                Endpoint(ip="fd00:244:1::2"),
                Endpoint(ip="fd00:244:1::3"),
            ),
        ),
        _svc("bare", endpoints=(Endpoint(ip="10.244.2.20"),)),
        _svc(
            "mixed",
            endpoints=(
                Endpoint(ip="10.244.2.30", ports=(Port(name="http", port=8080),)),
                Endpoint(ip="10.244.2.31"),
            ),
        ),
        _svc("left", "10.96.6.1", ports=HTTP, endpoints=(Endpoint(ip="10.244.3.9"),)),
        _svc(
            "right",
            "10.96.6.2",
            ports=HTTP,
            endpoints=(Endpoint(ip="10.244.3.9", hostname="shared"),),
        ),
        Service(
            name="outside",
            namespace="shop",
            type=ServiceType.EXTERNAL_NAME,
            external_name="www.example.test",
        ),
    ),
)


def texts(records: tuple[Record, ...]) -> list[str]:
    return sorted(r.text for r in records)


def test_srv_of_a_cluster_ip_service_adds_its_address() -> None:
    """handler_test.go "SRV Service": a ClusterIP service's SRV comes with the
    target's A record in the additional section (backend_lookup.go SRV,
    ``newAddress``), at the named port and at the service name itself."""
    for qname in (
        "_http._tcp.web.shop.svc.cluster.local",
        "web.shop.svc.cluster.local",
    ):
        answer = CLUSTER.query(qname, "SRV")
        assert texts(answer.answer) == [
            f"{qname}. 5 IN SRV 0 100 80 web.shop.svc.cluster.local."
        ]
        assert texts(answer.additional) == [
            "web.shop.svc.cluster.local. 5 IN A 10.96.5.1"
        ]
        assert answer.authority == ()


def test_srv_of_an_ipv6_service_adds_aaaa() -> None:
    """handler_test.go, the svc6 cases: the additional record of an IPv6 service
    is its AAAA."""
    answer = CLUSTER.query("_http._tcp.only6.shop.svc.cluster.local", "SRV")
    assert texts(answer.additional) == [
        "only6.shop.svc.cluster.local. 5 IN AAAA fd00:96::3"
    ]


def test_dual_stack_srv_weight_is_50_with_both_addresses() -> None:
    """handler_test.go "Dual Stack ClusterIP Services": one record per cluster IP
    behind the SRV, so the weight is floor(100 / 2) = 50 although the two records
    are one target; the additional section has the A and the AAAA."""
    answer = CLUSTER.query("dual.shop.svc.cluster.local", "SRV")
    assert [r.data for r in answer.answer] == ["0 50 80 dual.shop.svc.cluster.local."]
    assert texts(answer.additional) == [
        "dual.shop.svc.cluster.local. 5 IN A 10.96.5.2",
        "dual.shop.svc.cluster.local. 5 IN AAAA fd00:96::2",
    ]


def test_six_headless_addresses_give_weight_16() -> None:
    """handler_test.go dnsTestCases "SRV Service (Headless)": six endpoint
    addresses, two of them sharing a hostname, are six records: weight
    floor(100 / 6) = 16 on the five distinct targets; all six addresses are in
    the additional section (isDuplicate on target and address)."""
    owner = "_http._tcp.hdls.shop.svc.cluster.local"
    answer = CLUSTER.query(owner, "SRV")
    base = "hdls.shop.svc.cluster.local."
    assert sorted(r.data for r in answer.answer) == sorted(
        f"0 16 80 {label}.{base}"
        for label in (
            "10-244-1-2",
            "10-244-1-3",
            "twin",
            "fd00-244-1--2",
            "fd00-244-1--3",
        )
    )
    assert texts(answer.additional) == sorted(
        [
            f"10-244-1-2.{base} 5 IN A 10.244.1.2",
            f"10-244-1-3.{base} 5 IN A 10.244.1.3",
            f"twin.{base} 5 IN A 10.244.1.4",
            f"twin.{base} 5 IN A 10.244.1.5",
            f"fd00-244-1--2.{base} 5 IN AAAA fd00:244:1::2",
            f"fd00-244-1--3.{base} 5 IN AAAA fd00:244:1::3",
        ]
    )


def test_a_portless_endpoint_counts_toward_the_weight_but_gets_no_srv() -> None:
    """backend_lookup.go SRV sums the weights before it skips port -1 records
    (object/endpoint.go gives a subset without ports port -1): a headless service
    with one endpoint on port 8080 and one without ports has one SRV of weight
    50; a service with only port-less endpoints has A records and no SRV
    (handler_test.go "Headless and Portless")."""
    mixed = CLUSTER.query("mixed.shop.svc.cluster.local", "SRV")
    assert [r.data for r in mixed.answer] == [
        "0 50 8080 10-244-2-30.mixed.shop.svc.cluster.local."
    ]
    bare = CLUSTER.query("bare.shop.svc.cluster.local", "SRV")
    assert bare.nodata
    assert [r.data for r in CLUSTER.query("bare.shop.svc.cluster.local").answer] == [
        "10.244.2.20"
    ]
    endpoint = CLUSTER.query("10-244-2-20.bare.shop.svc.cluster.local")
    assert [r.data for r in endpoint.answer] == ["10.244.2.20"]


@pytest.mark.parametrize(
    ("count", "weight"),
    [(1, 100), (2, 50), (3, 33), (4, 25), (5, 20), (6, 16), (7, 14), (101, 1)],
)
def test_srv_weight_formula(count: int, weight: int) -> None:
    """backend_lookup.go SRV: weight floor(100 / (100 * n) * 100), at least 1."""
    assert srv_weight(count) == weight


def test_endpoint_names_of_a_cluster_ip_service_resolve() -> None:
    """kubernetes.go findServices: a name with an endpoint label is looked up in
    the Endpoints even for a service with a cluster IP (``r.endpoint != ""``)."""
    a = CLUSTER.query("web-a.web.shop.svc.cluster.local")
    assert [r.data for r in a.answer] == ["10.244.0.7"]
    dashed_ip = CLUSTER.query("10-244-0-8.web.shop.svc.cluster.local")
    assert [r.data for r in dashed_ip.answer] == ["10.244.0.8"]
    # The service name still answers its cluster IP only.
    service = CLUSTER.query("web.shop.svc.cluster.local")
    assert [r.data for r in service.answer] == ["10.96.5.1"]


def ptr(ip_reverse: str) -> DnsAnswer:
    return CLUSTER.query(ip_reverse, "PTR")


def test_ptr_for_every_endpoint_address() -> None:
    """reverse_test.go (100.0.0.10 -> ep1a.svc1, the ip6.arpa endpoint cases):
    serviceRecordForIP answers an endpoint address of a service that has a
    cluster IP with ``<endpoint>.<service>.<namespace>.svc.<zone>``."""
    assert [r.data for r in ptr("7.0.244.10.in-addr.arpa").answer] == [
        "web-a.web.shop.svc.cluster.local."
    ]
    assert [r.data for r in ptr("8.0.244.10.in-addr.arpa").answer] == [
        "10-244-0-8.web.shop.svc.cluster.local."
    ]
    v6 = "7.0.0.0." + "0.0.0.0." * 5 + "4.4.2.0.0.0.d.f.ip6.arpa"
    assert [r.data for r in ptr(v6).answer] == ["web-v6.web.shop.svc.cluster.local."]
    missing = ptr("99.0.244.10.in-addr.arpa")
    assert missing.rcode is Rcode.NXDOMAIN


def test_an_address_behind_two_services_has_one_ptr_each() -> None:
    """reverse_test.go "99.0.0.10" (double-ep in svc1 and svc2): one PTR per
    Endpoints object holding the address."""
    answer = ptr("9.3.244.10.in-addr.arpa")
    assert sorted(r.data for r in answer.answer) == [
        "10-244-3-9.left.shop.svc.cluster.local.",
        "shared.right.shop.svc.cluster.local.",
    ]


def test_a_cluster_ip_ptr_hides_endpoint_ptrs() -> None:
    """reverse.go serviceRecordForIP: services with the cluster IP are checked
    first and the first one is the only answer; endpoints only if none."""
    assert [r.data for r in ptr("2.5.96.10.in-addr.arpa").answer] == [
        "dual.shop.svc.cluster.local."
    ]


class Upstream:
    """A stand-in for CoreDNS's upstream (handler_test.go ``Upstub``)."""

    def __init__(self, answers: dict[tuple[str, str], DnsAnswer | None]) -> None:
        self.answers = answers
        self.calls: list[tuple[str, str]] = []

    def __call__(self, name: str, qtype: str) -> DnsAnswer | None:
        self.calls.append((name, qtype))
        return self.answers.get((name, qtype))


def _found(name: str, qtype: str, *records: str) -> DnsAnswer:
    return DnsAnswer(
        qname=name,
        qtype=qtype,
        rcode=Rcode.NOERROR,
        answer=tuple(
            Record(name=name, type=qtype, ttl=300, data=data) for data in records
        ),
    )


def test_external_name_target_is_resolved_through_the_upstream() -> None:
    """handler_test.go "CNAME External" with its Upstub, backend_lookup.go A,
    AAAA and TXT: the CNAME, then the upstream's answer for the target, its
    TTLs kept; no SOA."""
    target = "www.example.test."
    upstream = Upstream(
        {
            (target, "A"): _found(target, "A", "192.0.2.10", "192.0.2.11"),
            (target, "AAAA"): _found(target, "AAAA", "2001:db8::10"),
        }
    )
    qname = "outside.shop.svc.cluster.local"
    a = CLUSTER.query(qname, "A", upstream=upstream)
    assert [r.text for r in a.answer] == [
        f"{qname}. 5 IN CNAME {target}",
        f"{target} 300 IN A 192.0.2.10",
        f"{target} 300 IN A 192.0.2.11",
    ]
    assert a.rcode is Rcode.NOERROR
    assert a.authority == ()
    aaaa = CLUSTER.query(qname, "AAAA", upstream=upstream)
    assert [r.data for r in aaaa.answer] == [target, "2001:db8::10"]
    assert upstream.calls == [(target, "A"), (target, "AAAA")]


def test_a_failed_upstream_lookup_drops_the_cname() -> None:
    """backend_lookup.go A: ``if e1 != nil || m1 == nil { continue }`` skips the
    CNAME too, so the answer is NODATA; an upstream NXDOMAIN (a message with no
    answer) keeps the CNAME alone."""
    qname = "outside.shop.svc.cluster.local"
    failed = CLUSTER.query(qname, "A", upstream=Upstream({}))
    assert failed.nodata
    assert [r.type for r in failed.authority] == ["SOA"]
    nx = DnsAnswer(qname="www.example.test.", qtype="AAAA", rcode=Rcode.NXDOMAIN)
    unknown = CLUSTER.query(
        qname, "AAAA", upstream=Upstream({("www.example.test.", "AAAA"): nx})
    )
    assert [r.type for r in unknown.answer] == ["CNAME"]


def test_only_address_questions_ask_the_upstream() -> None:
    """handler.go: CNAME questions go to plugin.CNAME, which never looks up the
    target, and TXT stops in kubernetes.go Services ("an existing record for
    this query of another type": NODATA); MX, ANY and the like run the fake A
    lookup (which does ask the upstream) and keep only its rcode. Without an
    upstream an A answer stops at the CNAME (awscore's default, for a model with
    no resolver behind it)."""
    target = "www.example.test."
    upstream = Upstream({(target, "A"): _found(target, "A", "192.0.2.10")})
    qname = "outside.shop.svc.cluster.local"
    cname = CLUSTER.query(qname, "CNAME", upstream=upstream)
    assert [r.data for r in cname.answer] == [target]
    assert CLUSTER.query(qname, "TXT", upstream=upstream).status == "NODATA"
    assert upstream.calls == []
    for qtype in ("MX", "ANY"):
        assert CLUSTER.query(qname, qtype, upstream=upstream).status == "NODATA"
    assert upstream.calls == [(target, "A"), (target, "A")]
    plain = CLUSTER.query(qname, "A")
    assert [r.type for r in plain.answer] == ["CNAME"]


def test_dns_version_txt_ttl_is_28800() -> None:
    """handler_test.go "TXT Schema"; kubernetes.go Services: TTL 28800."""
    answer = CLUSTER.query("dns-version.cluster.local", "TXT")
    assert [r.text for r in answer.answer] == [
        'dns-version.cluster.local. 28800 IN TXT "1.1.0"'
    ]


@pytest.mark.parametrize("mode", list(PodMode))
def test_pod_zone_is_nodata_in_every_pod_mode(mode: PodMode) -> None:
    """parse.go parseRequest: ``pod.<zone>`` (like ``svc.<zone>``) is an apex
    query answered NODATA; handler_pod_disabled_test.go: with pods disabled a
    pod name is NXDOMAIN (findPods: errNoItems), and so is ``<ns>.pod.<zone>``."""
    cluster = Cluster(pod_mode=mode, namespaces=("podns",))
    assert cluster.query("pod.cluster.local").status == "NODATA"
    namespace = cluster.query("podns.pod.cluster.local")
    pod = cluster.query("10-240-0-1.podns.pod.cluster.local")
    if mode is PodMode.DISABLED:
        assert namespace.rcode is Rcode.NXDOMAIN
        assert pod.rcode is Rcode.NXDOMAIN
    else:
        assert namespace.status == "NODATA"


def test_answers_keep_the_question_case_in_soa_and_targets() -> None:
    """handler_case_test.go: the SOA of a negative answer, the apex SOA, and the
    SRV target and its address record spell the zone as the question does
    (handler.go: ``zone = qname[len(qname)-len(zone):]``)."""
    missing = CLUSTER.query("nope.shop.svc.ClUsTeR.lOcAl.")
    assert missing.rcode is Rcode.NXDOMAIN
    assert [r.text for r in missing.authority] == [
        "ClUsTeR.lOcAl. 5 IN SOA ns.dns.ClUsTeR.lOcAl. hostmaster.ClUsTeR.lOcAl. "
        "1 7200 1800 86400 5"
    ]
    soa = CLUSTER.query("Cluster.local.", "SOA")
    assert [r.text for r in soa.answer] == [
        "Cluster.local. 5 IN SOA ns.dns.Cluster.local. hostmaster.Cluster.local. "
        "1 7200 1800 86400 5"
    ]
    srv = CLUSTER.query("_HtTp._TcP.wEb.ShOp.SvC.cLuStEr.LoCaL.", "SRV")
    assert [r.text for r in srv.answer] == [
        "_HtTp._TcP.wEb.ShOp.SvC.cLuStEr.LoCaL. 5 IN SRV 0 100 80 "
        "web.shop.svc.cLuStEr.LoCaL."
    ]
    assert [r.text for r in srv.additional] == [
        "web.shop.svc.cLuStEr.LoCaL. 5 IN A 10.96.5.1"
    ]


def test_ns_at_the_apex_adds_the_servers_addresses() -> None:
    """kubernetes_apex_test.go (NS at cluster.local with Extra A), ns.go nsAddrs
    without CoreDNS's own Endpoints: ``ns.dns.<zone>`` and its addresses; NS
    below the apex is NODATA or NXDOMAIN (handler_test.go "NS query for qname !=
    zone")."""
    cluster = Cluster(dns_ips=("10.96.0.10", "fd00:96::a"))
    ns = cluster.query("cluster.local", "NS")
    assert [r.text for r in ns.answer] == [
        "cluster.local. 5 IN NS ns.dns.cluster.local."
    ]
    assert texts(ns.additional) == [
        "ns.dns.cluster.local. 5 IN A 10.96.0.10",
        "ns.dns.cluster.local. 5 IN AAAA fd00:96::a",
    ]
    reverse = cluster.query("in-addr.arpa", "NS")
    assert [r.data for r in reverse.answer] == ["ns.dns.in-addr.arpa."]
    assert cluster.query("svc.cluster.local", "NS").status == "NODATA"
    assert cluster.query("foo.cluster.local", "NS").rcode is Rcode.NXDOMAIN


def test_soa_ttl_is_capped_at_300() -> None:
    """backend_lookup.go SOA: the record's TTL is ``min(ttl, 300)``; its minimum
    field stays the configured TTL."""
    cluster = Cluster(ttl=600)
    [soa] = cluster.query("nope.svc.cluster.local").authority
    assert soa.ttl == 300
    assert soa.data.endswith(" 86400 600")


def test_ipv6_endpoint_labels_never_end_in_a_dash() -> None:
    """kubernetes.go endpointHostname: an IPv6 label ending in ``-`` gets a
    ``0``."""
    assert dashed("fd00::") == "fd00--0"
    assert dashed("fd00::1") == "fd00--1"
    assert dashed("10.1.2.3") == "10-1-2-3"


def test_srv_at_an_external_name_is_its_target_on_port_0() -> None:
    """backend_lookup.go SRV, the CNAME host type: one SRV to the external name
    with the service's port 0, the target's A and AAAA from the upstream in the
    additional section."""
    target = "www.example.test."
    upstream = Upstream(
        {
            (target, "A"): _found(target, "A", "192.0.2.10"),
            (target, "AAAA"): _found(target, "AAAA", "2001:db8::10"),
        }
    )
    answer = CLUSTER.query("outside.shop.svc.cluster.local", "SRV", upstream=upstream)
    assert [r.data for r in answer.answer] == [f"0 100 0 {target}"]
    assert texts(answer.additional) == [
        f"{target} 300 IN A 192.0.2.10",
        f"{target} 300 IN AAAA 2001:db8::10",
    ]
    # _port._proto names of an ExternalName do not exist (findServices skips it).
    missing = CLUSTER.query("_http._tcp.outside.shop.svc.cluster.local", "SRV")
    assert missing.rcode is Rcode.NXDOMAIN


_TARGETS = {
    "to-web": "web.p.svc.cluster.local",
    "dangling": "gone.p.svc.cluster.local",
    "ping": "pong.p.svc.cluster.local",
    "pong": "ping.p.svc.cluster.local",
    "to-ns": "p.svc.cluster.local",
    "self": "self.p.svc.cluster.local",
}
CHAINS = Cluster(
    services=(
        *(
            Service(
                name=name,
                namespace="p",
                type=ServiceType.EXTERNAL_NAME,
                external_name=target,
            )
            for name, target in _TARGETS.items()
        ),
        Service(name="web", namespace="p", cluster_ips=("10.96.7.1",), ports=HTTP),
    )
)


def test_a_cname_chain_in_the_zone_is_all_or_nothing() -> None:
    """backend_lookup.go A: the CNAME is added only when the chain below it
    ends in addresses ("Not only have we found something we should add the CNAME
    and the IP addresses"); a dangling target, a name without addresses, a loop
    (dnsutil.DuplicateCNAME) or ``x CNAME x`` leave nothing: NOERROR, no
    answer, the SOA (handler_test.go "CNAME External To Internal Service" for
    the chain that resolves)."""
    found = CHAINS.query("to-web.p.svc.cluster.local")
    assert [r.text for r in found.answer] == [
        "to-web.p.svc.cluster.local. 5 IN CNAME web.p.svc.cluster.local.",
        "web.p.svc.cluster.local. 5 IN A 10.96.7.1",
    ]
    for name in ("dangling", "ping", "to-ns", "self"):
        answer = CHAINS.query(f"{name}.p.svc.cluster.local")
        assert answer.status == "NODATA", name
        assert [r.type for r in answer.authority] == ["SOA"]
    assert CHAINS.query("to-web.p.svc.cluster.local", "AAAA").status == "NODATA"


@pytest.mark.parametrize(
    ("name", "qtype", "status"),
    [
        ("dns-version.cluster.local", "A", "NXDOMAIN"),
        ("dns-version.cluster.local", "SRV", "NXDOMAIN"),
        ("dns-version.cluster.local", "CNAME", "NXDOMAIN"),
        ("web.shop.svc.cluster.local", "TXT", "NODATA"),
        ("_http._tcp.web.shop.svc.cluster.local", "TXT", "NODATA"),
        ("shop.svc.cluster.local", "TXT", "NXDOMAIN"),
        ("svc.cluster.local", "TXT", "NXDOMAIN"),
        ("cluster.local", "TXT", "NXDOMAIN"),
        ("ns.dns.cluster.local", "TXT", "NXDOMAIN"),
        ("ns.dns.cluster.local", "A", "NOERROR"),
        ("nope.shop.svc.cluster.local", "TXT", "NXDOMAIN"),
    ],
)
def test_txt_and_dns_version_as_coredns_answers_them(
    name: str, qtype: str, status: str
) -> None:
    """kubernetes.go Services, TXT: dns-version, else NODATA where the name has
    records of another type, else NXDOMAIN (empty non-terminals and the apex
    included); parse.go: ``dns-version`` is neither pod nor svc, so any other
    type there is errInvalidRequest, NXDOMAIN (handler_test.go "A TXT record does
    not exist but another record for the same FQDN does")."""
    assert CLUSTER.query(name, qtype).status == status


@pytest.mark.parametrize(
    ("name", "qtype", "status"),
    [
        ("cluster.local", "ANY", "NODATA"),
        ("web.shop.svc.cluster.local", "ANY", "NODATA"),
        ("nope.shop.svc.cluster.local", "ANY", "NXDOMAIN"),
        ("web.shop.svc.cluster.local", "MX", "NODATA"),
        ("cluster.local", "HINFO", "NODATA"),
        ("web.shop.svc.cluster.local", "SOA", "NODATA"),
        ("nope.shop.svc.cluster.local", "SOA", "NODATA"),
        ("shop.svc.cluster.local", "NS", "NODATA"),
        ("foo.cluster.local", "NS", "NXDOMAIN"),
        ("web.shop.svc.cluster.local", "PTR", "NODATA"),
        ("example.org.cluster.local", "PTR", "NXDOMAIN"),
    ],
)
def test_other_types_take_coredns_paths(name: str, qtype: str, status: str) -> None:
    """handler.go: SOA only at the apex (elsewhere NODATA, the name not even
    looked up); other types, ANY included, get no records and the rcode of a
    fake A lookup (kubernetes_apex_test.go HINFO, handler_test.go "NS query for
    qname != zone", reverse_test.go PTR at svc1 and example.org.cluster.local)."""
    assert CLUSTER.query(name, qtype).status == status


@pytest.mark.parametrize(
    ("name", "qtype", "status"),
    [
        ("1.5.96.10.in-addr.arpa", "PTR", "NOERROR"),
        ("1.5.96.10.in-addr.arpa", "A", "NXDOMAIN"),
        ("5.96.10.in-addr.arpa", "PTR", "NXDOMAIN"),
        ("10.in-addr.arpa", "A", "NXDOMAIN"),
        ("in-addr.arpa", "A", "NODATA"),
        ("in-addr.arpa", "PTR", "NODATA"),
        ("in-addr.arpa", "SOA", "NOERROR"),
        ("web.shop.svc.5.96.10.in-addr.arpa", "A", "NXDOMAIN"),
    ],
)
def test_the_reverse_zones_hold_only_ptr_names(
    name: str, qtype: str, status: str
) -> None:
    """kubernetes.go Records: any reverse name is errNoItems for other types, and
    reverse.go a partial address too, so the reverse zones have no empty
    non-terminals; the apex parses to nothing (NODATA); reverse_test.go
    "svc1.testns.svc.0.10.in-addr.arpa." A is NXDOMAIN."""
    assert CLUSTER.query(name, qtype).status == status
