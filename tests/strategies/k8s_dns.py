"""Hypothesis strategies for awscore.k8s_dns: clusters of valid services and pods."""

from __future__ import annotations

import ipaddress

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
