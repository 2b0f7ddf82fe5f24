"""Hypothesis strategies for awscore.k8s_dns: clusters of valid services and pods."""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Callable

from hypothesis import strategies as st

from awscore.k8s_dns import Cluster, Pod, Port, ResolvConf, Service

#: DNS-1123 labels that are also DNS-1035 labels (start with a letter).
labels = st.from_regex(r"\A[a-z][a-z0-9]{0,6}\Z")
namespaces = st.sampled_from(["prod", "staging", "dev", "team-a", "kube-system"])


@st.composite
def clusters(draw: st.DrawFn) -> Cluster:
    """A cluster of 1-6 ClusterIP services and one pod per namespace used."""
    keys = draw(
        st.lists(st.tuples(labels, namespaces), min_size=1, max_size=6, unique=True)
    )
    services = tuple(
        Service(
            name=name,
            namespace=ns,
            cluster_ips=(str(ipaddress.IPv4Address(0x0A600000 + 20 + i)),),
            ports=(Port(name="http", port=80),),
        )
        for i, (name, ns) in enumerate(keys)
    )
    used = sorted({ns for _, ns in keys} | {draw(namespaces)})
    pods = tuple(
        Pod(name="client", namespace=ns, ips=(f"10.244.{i}.5",))
        for i, ns in enumerate(used)
    )
    search = draw(
        st.lists(st.sampled_from(["ec2.internal", "corp.example", "a.b"]), max_size=3)
    )
    return Cluster(
        services=services,
        pods=pods,
        node_resolv_conf=ResolvConf(nameservers=("10.0.0.2",), search=tuple(search)),
    )


#: Host names an application might look up: 1-4 labels, maybe a trailing dot.
names = st.builds(
    lambda parts, dot: ".".join(parts) + ("." if dot else ""),
    st.lists(labels, min_size=1, max_size=7),
    st.booleans(),
)


#: JSON-like values built from the keys and values a cluster file uses, nested.
json_values: st.SearchStrategy[object] = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-5, 70_000)
    | st.text(max_size=8)
    | st.sampled_from(
        ["10.0.0.1", "None", "ClusterIP", "ExternalName", "fd00::1", "http", "TCP"]
    ),
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(
            st.sampled_from(
                [
                    "name",
                    "namespace",
                    "ip",
                    "ips",
                    "cluster_ip",
                    "cluster_ips",
                    "clusterIP",
                    "clusterIPs",
                    "type",
                    "ports",
                    "port",
                    "protocol",
                    "external_name",
                    "externalName",
                    "endpoints",
                    "addresses",
                    "hostname",
                    "ready",
                    "subdomain",
                    "dns_policy",
                    "dnsConfig",
                    "dns_config",
                    "nameservers",
                    "searches",
                    "options",
                    "value",
                    "podIP",
                    "podIPs",
                ]
            ),
            children,
            max_size=5,
        )
    ),
    max_leaves=12,
)

cluster_keys = st.sampled_from(
    [
        "zone", "dns_ips", "service_cidrs", "pod_mode", "ttl", "serial",
        "node_resolv_conf", "namespaces", "upstream", "services", "pods",
    ]
)  # fmt: skip

kubectl_items = st.fixed_dictionaries(
    {"kind": st.sampled_from(["Service", "Endpoints", "Pod", "Namespace"])},
    optional={
        "metadata": json_values,
        "spec": json_values,
        "status": json_values,
        "subsets": json_values,
    },
)


@st.composite
def cased(draw: st.DrawFn) -> Callable[[str], str]:
    """A function that respells a name in a drawn mix of upper and lower case."""
    flips = draw(st.lists(st.booleans(), min_size=1, max_size=64))

    def respell(name: str) -> str:
        return "".join(
            c.upper() if flips[i % len(flips)] else c.lower()
            for i, c in enumerate(name)
        )

    return respell


#: Cluster files a hostile or careless user could write: valid descriptions,
#: wrong shapes, nesting past any parser's depth, numbers past Python's digit
#: limit, non-ASCII digits in resolver options, and text that is not YAML.
HOSTILE_CLUSTER_TEXTS = (
    "[" * 2500,
    "{a: " * 3000,
    "- " * 2000 + "x",
    "ttl: " + "9" * 5000,
    "serial: " + "1" * 4301,
    "services: [{name: a, namespace: b, ports: [{port: " + "8" * 5000 + "}]}]",
    "pods: [{name: p, ip: 10.0.0.1, dns_config: {options: [{name: ndots, "
    "value: '²'}]}}]",
    "pods: [{name: p, ip: 10.0.0.1, dns_config: {options: [{name: ndots, "
    "value: 99999999999999999999}]}}]",
    "services: {name: a}",
    "\t\x00\x01",
    "~",
    "zone: [a, b]",
    "services: [{name: api, cluster_ip: 10.96.0.20}]",
)


def cluster_texts() -> st.SearchStrategy[str]:
    """Cluster file texts: hostile ones, JSON-like values, and small valid ones."""
    return st.one_of(
        st.sampled_from(HOSTILE_CLUSTER_TEXTS),
        json_values.map(json.dumps),
        st.dictionaries(cluster_keys, json_values, max_size=4).map(json.dumps),
        st.text(max_size=40),
    )
