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
