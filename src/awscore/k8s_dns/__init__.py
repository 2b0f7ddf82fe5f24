"""Kubernetes DNS: records, a pod's resolv.conf, glibc/musl search, a real server.

>>> from awscore.k8s_dns import Cluster, Pod, Port, Service, resolve
>>> cluster = Cluster(
...     services=(Service(name="api", namespace="prod", cluster_ips=("10.96.0.20",),
...                       ports=(Port(name="http", port=80),)),),
...     pods=(Pod(name="web-0", namespace="prod", ips=("10.244.1.5",)),),
... )
>>> cluster.query("api.prod.svc.cluster.local", "A").answer[0].data
'10.96.0.20'
>>> resolve(cluster, "prod/web-0", "api").queries
('api.prod.svc.cluster.local.',)
"""

from __future__ import annotations

from awscore.errors import (
    DnsExtraMissingError,
    K8sDnsError,
    K8sDnsInputError,
    PodNotFoundError,
)
from awscore.k8s_dns._libc_send import Datagram
from awscore.k8s_dns._load import cluster_from_dict, cluster_from_kubectl, load_cluster
from awscore.k8s_dns._model import (
    DEFAULT_TTL,
    REVERSE_ZONES,
    SPEC_VERSION,
    Cluster,
    DnsAnswer,
    Endpoint,
    Pod,
    PodMode,
    Port,
    Protocol,
    Rcode,
    Record,
    RecordType,
    Service,
    ServiceType,
)
from awscore.k8s_dns._resolvconf import (
    DEFAULT_NODE_RESOLV_CONF,
    DnsPolicy,
    PodDnsConfig,
    ResolvConf,
    resolv_conf,
)
from awscore.k8s_dns._resolve import (
    FAMILIES,
    LIBCS,
    Attempt,
    Family,
    GaiResult,
    Libc,
    Resolution,
    resolve,
    resolve_with,
)
from awscore.k8s_dns._server import DnsServer, answer_wire, upstream_resolver

__all__ = [
    "DEFAULT_NODE_RESOLV_CONF",
    "DEFAULT_TTL",
    "FAMILIES",
    "LIBCS",
    "REVERSE_ZONES",
    "SPEC_VERSION",
    "Attempt",
    "Cluster",
    "Datagram",
    "DnsAnswer",
    "DnsExtraMissingError",
    "DnsPolicy",
    "DnsServer",
    "Endpoint",
    "Family",
    "GaiResult",
    "K8sDnsError",
    "K8sDnsInputError",
    "Libc",
    "Pod",
    "PodDnsConfig",
    "PodMode",
    "PodNotFoundError",
    "Port",
    "Protocol",
    "Rcode",
    "Record",
    "RecordType",
    "Resolution",
    "ResolvConf",
    "Service",
    "ServiceType",
    "answer_wire",
    "cluster_from_dict",
    "cluster_from_kubectl",
    "load_cluster",
    "resolv_conf",
    "resolve",
    "resolve_with",
    "upstream_resolver",
]
