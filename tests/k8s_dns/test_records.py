"""Records and answers of the cluster model, checked against spec 1.1.0 by hand."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from awscore.errors import K8sDnsInputError
from awscore.k8s_dns import (
    Cluster,
    Pod,
    PodMode,
    Rcode,
    RecordType,
    Service,
)
from tests.k8s_dns._data import CLUSTER_YAML

SOA = "ns.dns.cluster.local. hostmaster.cluster.local. 1700000000 7200 1800 86400 5"


@pytest.fixture(scope="module")
def cluster() -> Cluster:
    return Cluster.load(CLUSTER_YAML)


def data(cluster: Cluster, name: str, qtype: str) -> list[str]:
    return [r.data for r in cluster.query(name, qtype).answer]


def test_dns_version_txt(cluster: Cluster) -> None:
    assert data(cluster, "dns-version.cluster.local", "TXT") == ['"1.1.0"']


def test_cluster_ip_service_a_aaaa(cluster: Cluster) -> None:
    assert data(cluster, "api.prod.svc.cluster.local", "A") == ["10.96.0.20"]
    assert data(cluster, "dual.prod.svc.cluster.local", "A") == ["10.96.0.30"]
    assert data(cluster, "dual.prod.svc.cluster.local", "AAAA") == ["fd00:10:96::30"]


def test_named_ports_get_srv_with_coredns_priority_and_weight(cluster: Cluster) -> None:
    # CoreDNS: priority 0, weight 100 for the single target.
    assert data(cluster, "_http._tcp.api.prod.svc.cluster.local", "SRV") == [
        "0 100 80 api.prod.svc.cluster.local."
    ]
    assert data(cluster, "_dns._udp.api.prod.svc.cluster.local", "SRV") == [
        "0 100 53 api.prod.svc.cluster.local."
    ]
    # The unnamed port 9090 has no SRV; `_tcp` under the service is an empty
    # non-terminal (NODATA), a wrong protocol is NXDOMAIN.
    assert cluster.query("_tcp.api.prod.svc.cluster.local", "SRV").status == "NODATA"
    assert (
        cluster.query("_http._udp.api.prod.svc.cluster.local", "SRV").rcode
        is Rcode.NXDOMAIN
    )


def test_cluster_ip_ptr_ipv4_and_ipv6(cluster: Cluster) -> None:
    assert data(cluster, "20.0.96.10.in-addr.arpa", "PTR") == [
        "api.prod.svc.cluster.local."
    ]
    nibbles = "0.3.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.6.9.0.0.0.1.0.0.0.0.d.f"
    assert data(cluster, f"{nibbles}.ip6.arpa", "PTR") == [
        "dual.prod.svc.cluster.local."
    ]


def test_headless_service(cluster: Cluster) -> None:
    assert data(cluster, "db.prod.svc.cluster.local", "A") == [
        "10.244.1.10",
        "10.244.2.11",
    ]  # not-ready 10.244.3.12 left out
    assert data(cluster, "db-0.db.prod.svc.cluster.local", "A") == ["10.244.1.10"]
    assert data(cluster, "10-244-2-11.db.prod.svc.cluster.local", "A") == [
        "10.244.2.11"
    ]
    assert cluster.query("10-244-3-12.db.prod.svc.cluster.local").rcode is (
        Rcode.NXDOMAIN
    )
    # Two targets: weight floor(100 / 2) = 50 each.
    assert data(cluster, "_pg._tcp.db.prod.svc.cluster.local", "SRV") == [
        "0 50 5432 db-0.db.prod.svc.cluster.local.",
        "0 50 5432 10-244-2-11.db.prod.svc.cluster.local.",
    ]
    assert data(cluster, "11.2.244.10.in-addr.arpa", "PTR") == [
        "10-244-2-11.db.prod.svc.cluster.local."
    ]


def test_headless_service_without_endpoints_is_nxdomain(cluster: Cluster) -> None:
    """CoreDNS kubernetes.go findServices: a headless service answers through its
    ready addresses only; with none, errNoItems, which handler.go sends as
    NXDOMAIN (the ClusterIP service ``dual``, without endpoints, exists)."""
    assert cluster.query("many.prod.svc.cluster.local").rcode is Rcode.NXDOMAIN
    assert cluster.query("many.prod.svc.cluster.local", "SRV").rcode is Rcode.NXDOMAIN
    assert cluster.query("dual.prod.svc.cluster.local", "SRV").status == "NODATA"


def test_external_name_is_a_cname_for_any_type(cluster: Cluster) -> None:
    answer = cluster.query("search.prod.svc.cluster.local", "A")
    assert [(r.type, r.data) for r in answer.answer] == [
        ("CNAME", "search.example.com.")
    ]
    assert data(cluster, "search.prod.svc.cluster.local", "CNAME") == [
        "search.example.com."
    ]


def test_cname_inside_the_zone_is_followed(cluster: Cluster) -> None:
    answer = cluster.query("alias.prod.svc.cluster.local", "A")
    assert [r.text for r in answer.answer] == [
        "alias.prod.svc.cluster.local. 5 IN CNAME api.prod.svc.cluster.local.",
        "api.prod.svc.cluster.local. 5 IN A 10.96.0.20",
    ]


def test_pod_hostname_and_subdomain(cluster: Cluster) -> None:
    assert data(cluster, "db-0.db.prod.svc.cluster.local", "A") == ["10.244.1.10"]


@pytest.mark.parametrize(
    ("mode", "name", "expected"),
    [
        (PodMode.INSECURE, "10-1-2-3.prod.pod.cluster.local", "10.1.2.3"),
        (PodMode.INSECURE, "10-244-1-5.prod.pod.cluster.local", "10.244.1.5"),
        (PodMode.INSECURE, "fd00--7.prod.pod.cluster.local", "fd00::7"),
        (PodMode.INSECURE, "10-1-2-3.nosuchns.pod.cluster.local", None),
        (PodMode.INSECURE, "not-an-ip.prod.pod.cluster.local", None),
        (PodMode.VERIFIED, "10-244-1-5.prod.pod.cluster.local", "10.244.1.5"),
        (PodMode.VERIFIED, "10-244-1-5.staging.pod.cluster.local", None),
        (PodMode.VERIFIED, "10-1-2-3.prod.pod.cluster.local", None),
        (PodMode.DISABLED, "10-244-1-5.prod.pod.cluster.local", None),
    ],
)
def test_pod_records_in_coredns_modes(
    mode: PodMode, name: str, expected: str | None
) -> None:
    cluster = Cluster(
        pod_mode=mode,
        namespaces=("staging",),
        pods=(Pod(name="web", namespace="prod", ips=("10.244.1.5",)),),
    )
    qtype = "AAAA" if expected and ":" in expected else "A"
    answer = cluster.query(name, qtype)
    if expected is None:
        assert answer.rcode is Rcode.NXDOMAIN
    else:
        assert [r.data for r in answer.answer] == [expected]


def test_nodata_and_nxdomain_carry_the_soa(cluster: Cluster) -> None:
    nodata = cluster.query("api.prod.svc.cluster.local", "TXT")
    assert nodata.rcode is Rcode.NOERROR
    assert nodata.nodata
    assert [r.text for r in nodata.authority] == [f"cluster.local. 5 IN SOA {SOA}"]
    missing = cluster.query("nope.prod.svc.cluster.local", "A")
    assert missing.rcode is Rcode.NXDOMAIN
    assert [r.data for r in missing.authority] == [SOA]


@pytest.mark.parametrize(
    "name",
    [
        "svc.cluster.local",
        "prod.svc.cluster.local",
        "pod.cluster.local",
    ],
)
def test_empty_non_terminals_are_nodata(cluster: Cluster, name: str) -> None:
    assert cluster.query(name, "A").status == "NODATA"


def test_unknown_namespace_is_nxdomain(cluster: Cluster) -> None:
    assert cluster.query("nope.svc.cluster.local").rcode is Rcode.NXDOMAIN


def test_case_insensitive_matching_keeps_the_question_case(cluster: Cluster) -> None:
    answer = cluster.query("ApI.PrOd.SvC.ClUsTeR.LoCaL.", "a")
    assert answer.qtype == "A"
    assert [r.text for r in answer.answer] == [
        "ApI.PrOd.SvC.ClUsTeR.LoCaL. 5 IN A 10.96.0.20"
    ]


def test_outside_the_zone_is_refused_unless_recursive(cluster: Cluster) -> None:
    assert cluster.query("api.example.com", "A").rcode is Rcode.REFUSED
    assert data(cluster, "api.example.com", "A") == []
    recursive = cluster.query("API.example.com", "A", recursive=True)
    assert [r.text for r in recursive.answer] == [
        "API.example.com. 5 IN A 93.184.216.34"
    ]
    assert cluster.query("x.example.com", "A", recursive=True).rcode is (Rcode.NXDOMAIN)
    assert cluster.query("api.example.com", "TXT", recursive=True).nodata


def test_apex_soa_ns_and_nameserver_address(cluster: Cluster) -> None:
    assert data(cluster, "cluster.local", "SOA") == [SOA]
    assert data(cluster, "cluster.local", "NS") == ["ns.dns.cluster.local."]
    assert data(cluster, "ns.dns.cluster.local", "A") == ["10.96.0.10"]


def test_any_is_answered_with_nothing_as_coredns_does(cluster: Cluster) -> None:
    """CoreDNS handler.go sends ANY down its default path: a fake A lookup whose
    records are dropped, so ANY is NODATA at any existing name."""
    answer = cluster.query("cluster.local", "ANY")
    assert answer.status == "NODATA"
    assert [r.type for r in answer.authority] == ["SOA"]


def test_unknown_types_are_nodata_not_errors(cluster: Cluster) -> None:
    assert cluster.query("api.prod.svc.cluster.local", "TYPE65280").nodata
    assert cluster.query("api.prod.svc.cluster.local", "MX").nodata


@pytest.mark.parametrize("qtype", ["", "A A", "1", "a" * 30])
def test_bad_qtype_is_a_typed_error(cluster: Cluster, qtype: str) -> None:
    with pytest.raises(K8sDnsInputError, match="qtype"):
        cluster.query("api.prod.svc.cluster.local", qtype)


def test_records_lists_the_static_zone(cluster: Cluster) -> None:
    texts = {r.text for r in cluster.records()}
    assert 'dns-version.cluster.local. 28800 IN TXT "1.1.0"' in texts
    assert RecordType.SRV in {r.type for r in cluster.records()}


def test_custom_zone_and_ttl() -> None:
    cluster = Cluster(
        zone="Corp.Internal.",
        ttl=30,
        services=(Service(name="a", namespace="x", cluster_ips=("10.0.0.1",)),),
    )
    answer = cluster.query("a.x.svc.corp.internal")
    assert [r.text for r in answer.answer] == [
        "a.x.svc.corp.internal. 30 IN A 10.0.0.1"
    ]


_CLUSTER = Cluster.load(CLUSTER_YAML)


@given(st.text(max_size=80), st.sampled_from(["A", "AAAA", "SRV", "PTR", "ANY", "TXT"]))
def test_any_qname_gets_an_answer(qname: str, qtype: str) -> None:
    """Any question text gets a DnsAnswer, never an exception."""
    cluster = _CLUSTER
    for name in (
        qname,
        qname + ".svc.cluster.local",
        qname + ".prod.pod.cluster.local",
    ):
        answer = cluster.query(name, qtype)
        assert answer.rcode in set(Rcode)


def test_srv_at_the_service_name_lists_every_port_as_coredns_does(
    cluster: Cluster,
) -> None:
    # api has ports 80 (http), 53/UDP (dns) and 9090 (unnamed): three records,
    # weight floor(100 / 3) = 33.
    assert sorted(data(cluster, "api.prod.svc.cluster.local", "SRV")) == [
        "0 33 53 api.prod.svc.cluster.local.",
        "0 33 80 api.prod.svc.cluster.local.",
        "0 33 9090 api.prod.svc.cluster.local.",
    ]
    # Headless db: one port on two ready endpoints.
    assert sorted(data(cluster, "db.prod.svc.cluster.local", "SRV")) == [
        "0 50 5432 10-244-2-11.db.prod.svc.cluster.local.",
        "0 50 5432 db-0.db.prod.svc.cluster.local.",
    ]
    # No ports: nothing to say.
    assert cluster.query("dual.prod.svc.cluster.local", "SRV").nodata
