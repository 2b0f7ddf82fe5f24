"""Loading clusters: awscore's description, kubectl's List, and every problem."""

from __future__ import annotations

import contextlib
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from awscore.errors import K8sDnsInputError
from awscore.k8s_dns import (
    Cluster,
    Endpoint,
    Pod,
    Port,
    Service,
    ServiceType,
    cluster_from_dict,
    cluster_from_kubectl,
    load_cluster,
)
from tests.k8s_dns._data import CLUSTER_YAML, KUBECTL, KUBECTL_JSON
from tests.strategies.k8s_dns import cluster_keys, json_values, kubectl_items


def test_kubectl_list() -> None:
    cluster = Cluster.load(KUBECTL_JSON)
    assert cluster.dns_ips == ("10.100.0.10",)  # from kube-system/kube-dns
    assert {s.name: s.type for s in cluster.services}["checkout"] is (
        ServiceType.LOAD_BALANCER
    )
    q = cluster.query
    assert [r.data for r in q("checkout.shop.svc.cluster.local").answer] == [
        "10.100.23.7"
    ]
    assert [
        r.data for r in q("_https._tcp.checkout.shop.svc.cluster.local", "SRV").answer
    ] == ["0 100 443 checkout.shop.svc.cluster.local."]
    # Headless: ready addresses only, the subset's port (6380, not the service's).
    assert [r.data for r in q("cart.shop.svc.cluster.local").answer] == [
        "192.168.5.20",
        "192.168.6.21",
    ]
    assert [
        r.data for r in q("_redis._tcp.cart.shop.svc.cluster.local", "SRV").answer
    ] == [
        "0 50 6380 cart-0.cart.shop.svc.cluster.local.",
        "0 50 6380 192-168-6-21.cart.shop.svc.cluster.local.",
    ]
    assert q("cart-2.cart.shop.svc.cluster.local").status == "NXDOMAIN"
    assert [r.data for r in q("payments.shop.svc.cluster.local").answer] == [
        "pay.example.net."
    ]
    assert {p.key for p in cluster.pods} == {
        "shop/cart-0",
        "shop/frontend-7d9c",
        "shop/pending",
    }
    assert cluster.pod("shop/pending").ips == ()
    assert cluster.resolv_conf("shop/frontend-7d9c").nameservers == ("10.100.0.10",)


def test_kubectl_options_and_namespaces() -> None:
    document = {
        **KUBECTL,
        "items": [
            *KUBECTL["items"],
            {"kind": "Namespace", "metadata": {"name": "empty"}},
            {"kind": "ConfigMap", "metadata": {"name": "x"}},
        ],
    }
    cluster = Cluster.from_kubectl(
        document, zone="corp.internal", dns_ips=("10.100.0.11",)
    )
    assert "empty" in cluster.all_namespaces
    assert cluster.query("empty.svc.corp.internal").status == "NODATA"
    assert cluster.dns_ips == ("10.100.0.11",)
    no_dns = {"kind": "List", "items": []}
    assert Cluster.from_kubectl(no_dns).dns_ips == ("10.96.0.10",)


def test_kubectl_problems_name_the_object_and_field() -> None:
    bad = json.loads(KUBECTL_JSON)
    bad["items"][1]["spec"]["clusterIP"] = "10.100.23.999"
    bad["items"][1]["spec"]["clusterIPs"] = ["10.100.23.999"]
    bad["items"][4]["subsets"][0]["addresses"][1]["ip"] = "not-an-ip"
    bad["items"][6]["spec"]["hostname"] = "Cart_0"
    with pytest.raises(K8sDnsInputError) as caught:
        load_cluster(json.dumps(bad))
    problems = caught.value.problems
    assert len(problems) == 3
    assert any("Service shop/checkout" in p and "10.100.23.999" in p for p in problems)
    assert any(
        "Endpoints shop/cart" in p and "addresses[1].ip 'not-an-ip'" in p
        for p in problems
    )
    assert any("Pod shop/cart-0" in p and "hostname 'Cart_0'" in p for p in problems)
    with pytest.raises(K8sDnsInputError, match="List"):
        Cluster.from_kubectl({"kind": "Pod"})


def test_description_problems_are_all_listed_with_their_field() -> None:
    text = """
service_cidrs: [10.96.0.0/12]
services:
  - {name: Api, namespace: prod, cluster_ip: 10.96.0.1}
  - {name: api, namespace: prod_1, cluster_ip: 10.96.0.2}
  - {name: web, namespace: prod, cluster_ip: 192.168.0.1}
  - {name: web, namespace: prod, cluster_ip: 10.96.0.3}
  - name: db
    namespace: prod
    ports:
      - {name: Postgres-SQL-Port, port: 5432}
      - {name: http--x, port: 80}
      - {port: 70000}
  - name: hl
    namespace: prod
    endpoints: [{ip: 10.0.0.300}]
pods:
  - {name: web-0, namespace: prod, ip: 1.2.3}
"""
    with pytest.raises(K8sDnsInputError) as caught:
        load_cluster(text)
    problems = caught.value.problems
    expected_fragments = [
        "services[0].name 'Api' is not a DNS-1035 label",
        "services[1].namespace 'prod_1' is not a DNS-1123 label",
        "services[4].ports[0].name 'Postgres-SQL-Port' is not a port name",
        "services[4].ports[1].name 'http--x' is not a port name",
        "services[4].ports[2].port 70000 is out of range",
        "services[5].endpoints[0].ip '10.0.0.300' is not an IPv4 or IPv6 address",
        "pods[0].ips[0] '1.2.3' is not an IPv4 or IPv6 address",
    ]
    for fragment in expected_fragments:
        assert any(fragment in p for p in problems), (fragment, problems)
    # Valid objects, cross-checked by the cluster: CIDR and duplicates.
    with pytest.raises(K8sDnsInputError) as caught:
        Cluster(
            service_cidrs=("10.96.0.0/12",),
            services=(
                Service(name="web", namespace="prod", cluster_ips=("192.168.0.1",)),
                Service(name="web", namespace="prod", cluster_ips=("10.96.0.3",)),
            ),
        )
    assert len(caught.value.problems) == 2
    assert "outside the service CIDR (10.96.0.0/12)" in caught.value.problems[0]
    assert "duplicates services[0]" in caught.value.problems[1]


@pytest.mark.parametrize(
    ("make", "fragment"),
    [
        (lambda: Port(port=0), "out of range"),
        (lambda: Port(port=True), "integer"),
        (lambda: Port(port=80, name="123"), "at least one letter"),
        (lambda: Port(port=80, name="-http"), "port name"),
        (lambda: Port(port=80, name="a" * 16), "port name"),
        (lambda: Port(port=80, protocol="ICMP"), "TCP, UDP, SCTP"),  # type: ignore[arg-type]
        (lambda: Endpoint(ip="x"), "ip 'x'"),
        (lambda: Endpoint(ip="10.0.0.1", hostname="-a"), "hostname"),
        (lambda: Service(name="1api", namespace="prod"), "DNS-1035"),
        (lambda: Service(name="a" * 64, namespace="prod"), "DNS-1035"),
        (lambda: Service(name="a", namespace="p", type="Weird"), "ExternalName"),  # type: ignore[arg-type]
        (
            lambda: Service(name="a", namespace="p", type=ServiceType.EXTERNAL_NAME),
            "external_name is required",
        ),
        (
            lambda: Service(
                name="a",
                namespace="p",
                type=ServiceType.EXTERNAL_NAME,
                external_name="bad name",
            ),
            "not a DNS name",
        ),
        (
            lambda: Service(name="a", namespace="p", external_name="x.example"),
            "only accepted",
        ),
        (
            lambda: Service(name="a", namespace="p", cluster_ips=("x",)),
            "cluster_ips[0]",
        ),
        (
            lambda: Service(
                name="a",
                namespace="p",
                ports=(Port(port=1, name="h"), Port(port=2, name="h")),
            ),
            "repeated",
        ),
        (lambda: Pod(name="Web", namespace="p"), "DNS-1123 subdomain"),
        (lambda: Pod(name="w", namespace="p", subdomain="A"), "subdomain"),
        (lambda: Pod(name="w", namespace="p", dns_policy="Bogus"), "dns_policy"),  # type: ignore[arg-type]
        (lambda: Cluster(zone="bad zone"), "zone"),
        (lambda: Cluster(ttl=4000), "ttl"),
        (lambda: Cluster(ttl="5"), "ttl"),  # type: ignore[arg-type]
        (lambda: Cluster(serial=-1), "serial"),
        (lambda: Cluster(serial=1.5), "serial"),  # type: ignore[arg-type]
        (lambda: Cluster(pod_mode="open"), "pod_mode"),  # type: ignore[arg-type]
        (lambda: Cluster(dns_ips=("dns",)), "dns_ips[0]"),
        (lambda: Cluster(service_cidrs=("10.96/99",)), "service_cidrs[0]"),
        (lambda: Cluster(namespaces=("Prod",)), "namespaces[0]"),
        (lambda: Cluster(upstream={"a b": ("1.2.3.4",)}), "upstream"),
        (lambda: Cluster(upstream={"a.example": ("x",)}), "upstream['a.example'][0]"),
        (
            lambda: Cluster(
                pods=(Pod(name="a", namespace="p"), Pod(name="a", namespace="p"))
            ),
            "duplicates pods[0]",
        ),
        (lambda: load_cluster("services: [\n  {name: a"), "not YAML or JSON"),
        (lambda: load_cluster("- 1\n- 2\n"), "must be a mapping"),
        (lambda: load_cluster("services: 3\n"), "services must be a list"),
        (lambda: load_cluster("services: [3]\n"), "services[0] must be a mapping"),
        (lambda: load_cluster("zones: x\n"), "unknown keys zones"),
        (lambda: load_cluster("1: x\nzones: y\n"), "unknown keys 1, zones"),
        (
            lambda: load_cluster("services: [{name: a, namespace: p, endpoints: [3]}]"),
            "services[0].endpoints[0] must be a mapping",
        ),
        (
            lambda: load_cluster("pods: [{name: a, dns_config: {nameservers: 3}}]"),
            "pods[0].dns_config.nameservers must be a list",
        ),
        # Kubernetes-cased or misspelled keys are refused, not silently ignored
        # (a service whose clusterIP were dropped would become headless)
        (
            lambda: load_cluster(
                "services: [{name: a, namespace: p, clusterIP: 1.2.3.4}]"
            ),
            "services[0].unknown keys clusterIP",
        ),
        (
            lambda: load_cluster(
                "services: [{name: a, namespace: p,"
                " ports: [{port: 80, targetPort: 8080}]}]"
            ),
            "services[0].ports[0].unknown keys targetPort",
        ),
        (
            lambda: load_cluster(
                "services: [{name: a, namespace: p,"
                " endpoints: [{ip: 10.0.0.1, nodeName: n}]}]"
            ),
            "services[0].endpoints[0].unknown keys nodeName",
        ),
        (
            lambda: load_cluster(
                "services: [{name: a, namespace: p,"
                " endpoints: [{ip: 10.0.0.1, ready: 'no'}]}]"
            ),
            "ready must be true or false",
        ),
        (
            lambda: load_cluster("pods: [{name: w, namespace: p, podIP: 10.0.0.1}]"),
            "pods[0].unknown keys podIP",
        ),
        (
            lambda: load_cluster("pods: [{name: w, namespace: p, host_network: 1}]"),
            "pods[0].host_network must be true or false",
        ),
        (
            lambda: load_cluster("pods: [{name: w, dns_config: {ndots: 2}}]"),
            "dns_config.unknown keys ndots",
        ),
        (
            lambda: load_cluster(
                "pods: [{name: w, dns_config: {options: [{name: ndots, val: 2}]}}]"
            ),
            "options[0].unknown keys val",
        ),
        (
            lambda: load_cluster(
                "pods: [{name: a, dns_config: {options: [{value: 1}]}}]"
            ),
            "options[0].name",
        ),
        (lambda: load_cluster("zone: x\n", zone="y"), "kubectl output only"),
        (lambda: Cluster().pod("prod/x"), "namespace/name"),
        (lambda: Cluster().query(3), "qname"),  # type: ignore[arg-type]
    ],
)
def test_bad_input_raises_typed_errors_naming_the_field(
    make: object, fragment: str
) -> None:
    with pytest.raises(K8sDnsInputError) as caught:
        make()  # type: ignore[operator]
    assert fragment in str(caught.value)


def test_description_loads_from_json_too() -> None:
    document = {
        "services": [{"name": "a", "namespace": "p", "cluster_ip": "10.96.0.1"}],
        "namespaces": "other",
        "dns_ips": "10.96.0.10",
    }
    cluster = load_cluster(json.dumps(document))
    assert cluster == Cluster.from_dict(document)
    assert "other" in cluster.all_namespaces
    assert Cluster.load(CLUSTER_YAML).serial == 1700000000


@settings(max_examples=300)
@given(st.dictionaries(cluster_keys, json_values, max_size=4))
def test_hostile_descriptions_only_raise_typed_errors(
    document: dict[str, object],
) -> None:
    """Any JSON-shaped description builds a cluster or raises K8sDnsInputError."""
    with contextlib.suppress(K8sDnsInputError):
        cluster_from_dict(document)


@settings(max_examples=300)
@given(st.lists(kubectl_items | json_values, max_size=4))
def test_hostile_kubectl_lists_only_raise_typed_errors(items: list[object]) -> None:
    """Any List of JSON-shaped objects builds a cluster or raises K8sDnsInputError."""
    with contextlib.suppress(K8sDnsInputError):
        cluster_from_kubectl({"kind": "List", "items": items})


@pytest.mark.parametrize(
    "text",
    [
        b"\xff\xfe\x00",
        "!!python/object:os.system {}",
        "[1, 2",
        "{a: [}",
        "x: !!binary 1",
    ],
)
def test_hostile_text_only_raises_typed_errors(text: str | bytes) -> None:
    with pytest.raises(K8sDnsInputError):
        load_cluster(text)
