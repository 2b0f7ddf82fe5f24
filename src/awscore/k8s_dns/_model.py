"""The cluster model and its authoritative answers.

Records follow the Kubernetes DNS-Based Service Discovery specification, version
1.1.0 (``kubernetes/dns`` ``docs/specification.md``); where the specification leaves
a choice, awscore does what CoreDNS's ``kubernetes`` plugin does (named below).
"""

from __future__ import annotations

import enum
import ipaddress
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from awscore._inputs import shown
from awscore.errors import K8sDnsInputError
from awscore.k8s_dns._answer import Answerer, Upstream
from awscore.k8s_dns._checks import (
    addresses,
    enum_value,
    flag,
    int_problem,
    present,
    raise_problems,
    shape,
)
from awscore.k8s_dns._names import (
    canonical_ip,
    dashed,
    dns1035_label_problem,
    dns1123_label_problem,
    dns1123_subdomain_problem,
    dns_name_problem,
    ip_problem,
    kind,
    port_name_problem,
    undash,
)
from awscore.k8s_dns._records import SOA_TTL_CAP, VERSION_TTL, Zone
from awscore.k8s_dns._resolvconf import (
    DEFAULT_NODE_RESOLV_CONF,
    DnsPolicy,
    PodDnsConfig,
    ResolvConf,
    resolv_conf,
)

#: The specification version served at ``dns-version.<zone>`` (spec §2.2).
SPEC_VERSION = "1.1.0"
#: CoreDNS's default record TTL in seconds (``kubernetes`` plugin, ``ttl``).
DEFAULT_TTL = 5
#: The reverse zones answered with PTR records, as CoreDNS's default Corefile.
REVERSE_ZONES = ("in-addr.arpa", "ip6.arpa")

_TYPE_NAME = re.compile(r"[A-Z][A-Z0-9-]{0,15}\Z")


class RecordType(enum.StrEnum):
    """The record types the model produces (and ANY)."""

    A = "A"
    NS = "NS"
    CNAME = "CNAME"
    SOA = "SOA"
    PTR = "PTR"
    TXT = "TXT"
    AAAA = "AAAA"
    SRV = "SRV"
    ANY = "ANY"


class Rcode(enum.StrEnum):
    """DNS response codes (RFC 1035 §4.1.1, RFC 6891 for BADVERS)."""

    NOERROR = "NOERROR"
    FORMERR = "FORMERR"
    SERVFAIL = "SERVFAIL"
    NXDOMAIN = "NXDOMAIN"
    NOTIMP = "NOTIMP"
    REFUSED = "REFUSED"


class Protocol(enum.StrEnum):
    """A service port's protocol."""

    TCP = "TCP"
    UDP = "UDP"
    SCTP = "SCTP"


class ServiceType(enum.StrEnum):
    """``spec.type`` of a Service; NodePort and LoadBalancer have cluster IPs too."""

    CLUSTER_IP = "ClusterIP"
    NODE_PORT = "NodePort"
    LOAD_BALANCER = "LoadBalancer"
    EXTERNAL_NAME = "ExternalName"


class PodMode(enum.StrEnum):
    """CoreDNS's ``pods`` option for ``<a-b-c-d>.<ns>.pod.<zone>`` records.

    ``disabled``: no pod records; ``insecure``: any dashed IP in an existing
    namespace answers (kube-dns's behaviour); ``verified``: only the IP of a pod
    that exists in that namespace.
    """

    DISABLED = "disabled"
    INSECURE = "insecure"
    VERIFIED = "verified"


@dataclass(frozen=True, slots=True, kw_only=True)
class Port:
    """A service or endpoint port; only named ports get SRV records (spec §2.4.1)."""

    port: int
    name: str | None = None
    protocol: Protocol = Protocol.TCP

    def __post_init__(self) -> None:
        problems = []
        if isinstance(self.port, int) and self.port == 0:
            problems.append("port 0 is out of range: must be 1..65535")
        else:
            problems += present(int_problem(self.port, "port", 65535, "1..65535"))
        if self.name is not None:
            problem = port_name_problem(self.name, "name")
            if problem:
                problems.append(problem)
        raise_problems(problems)
        object.__setattr__(
            self, "protocol", enum_value(Protocol, self.protocol, "protocol")
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class Endpoint:
    """One endpoint address of a service (an Endpoints subset's address).

    ``ports`` are the subset's ports (empty: the service's ports); ``ready`` False
    is a ``notReadyAddresses`` entry, which gets no record.
    """

    ip: str
    hostname: str | None = None
    ready: bool = True
    ports: tuple[Port, ...] = ()

    def __post_init__(self) -> None:
        shape(self, ("ports", Port, "ports"))
        problems = present(flag(self.ready, "ready"))
        problem = ip_problem(self.ip, "ip")
        if problem:
            problems.append(problem)
        if self.hostname is not None:
            problem = dns1123_label_problem(self.hostname, "hostname")
            if problem:
                problems.append(problem)
        raise_problems(problems)
        object.__setattr__(self, "ip", canonical_ip(self.ip))
        object.__setattr__(self, "ports", tuple(self.ports))

    @property
    def label(self) -> str:
        """The endpoint's DNS label: its hostname, else its dashed IP (CoreDNS)."""
        return self.hostname if self.hostname else dashed(self.ip)


@dataclass(frozen=True, slots=True, kw_only=True)
class Service:
    """A Service: ClusterIP (with ``cluster_ips``), headless (none), or ExternalName.

    NodePort and LoadBalancer services are ClusterIP services for DNS.
    """

    name: str
    namespace: str
    type: ServiceType = ServiceType.CLUSTER_IP
    cluster_ips: tuple[str, ...] = ()
    ports: tuple[Port, ...] = ()
    external_name: str | None = None
    endpoints: tuple[Endpoint, ...] = ()

    def __post_init__(self) -> None:
        shape(
            self,
            ("cluster_ips", object, "addresses"),
            ("ports", Port, "ports"),
            ("endpoints", Endpoint, "endpoints"),
        )
        problems = present(
            dns1035_label_problem(self.name, "name"),
            dns1123_label_problem(self.namespace, "namespace"),
        )
        try:
            kind = enum_value(ServiceType, self.type, "type")
        except K8sDnsInputError as exc:
            problems.extend(exc.problems)
            kind = ServiceType.CLUSTER_IP
        ips = addresses(self.cluster_ips, "cluster_ips", problems)
        if kind is ServiceType.EXTERNAL_NAME:
            problems += present(
                "external_name is required for an ExternalName service"
                if self.external_name is None
                else dns_name_problem(self.external_name, "external_name")
            )
        elif self.external_name is not None:
            problems.append(
                f"external_name is only accepted with type ExternalName, not {kind}"
            )
        seen: set[tuple[str | None, Protocol]] = set()
        for i, port in enumerate(self.ports):
            key = (port.name, port.protocol)
            if port.name is not None and key in seen:
                problems.append(
                    f"ports[{i}].name {shown(port.name)} is repeated "
                    f"for {port.protocol}"
                )
            seen.add(key)
        raise_problems(problems)
        object.__setattr__(self, "type", kind)
        object.__setattr__(self, "cluster_ips", tuple(ips))
        object.__setattr__(self, "ports", tuple(self.ports))
        object.__setattr__(self, "endpoints", tuple(self.endpoints))

    @property
    def headless(self) -> bool:
        """True for a non-ExternalName service without a cluster IP."""
        return self.type is not ServiceType.EXTERNAL_NAME and not self.cluster_ips


@dataclass(frozen=True, slots=True, kw_only=True)
class Pod:
    """A pod: its IPs and the spec fields that shape its DNS."""

    name: str
    namespace: str
    ips: tuple[str, ...] = ()
    hostname: str | None = None
    subdomain: str | None = None
    host_network: bool = False
    dns_policy: DnsPolicy = DnsPolicy.CLUSTER_FIRST
    dns_config: PodDnsConfig | None = None

    def __post_init__(self) -> None:
        shape(self, ("ips", object, "addresses"))
        problems = present(
            flag(self.host_network, "host_network"),
            None
            if self.dns_config is None or isinstance(self.dns_config, PodDnsConfig)
            else f"dns_config must be a PodDnsConfig, not {kind(self.dns_config)}",
            dns1123_subdomain_problem(self.name, "name"),
            dns1123_label_problem(self.namespace, "namespace"),
            None
            if self.hostname is None
            else dns1123_label_problem(self.hostname, "hostname"),
            None
            if self.subdomain is None
            else dns1123_label_problem(self.subdomain, "subdomain"),
        )
        ips = addresses(self.ips, "ips", problems)
        try:
            policy = enum_value(DnsPolicy, self.dns_policy, "dns_policy")
        except K8sDnsInputError as exc:
            problems.extend(exc.problems)
            policy = DnsPolicy.CLUSTER_FIRST
        raise_problems(problems)
        object.__setattr__(self, "ips", tuple(ips))
        object.__setattr__(self, "dns_policy", policy)

    @property
    def key(self) -> str:
        """``namespace/name``."""
        return f"{self.namespace}/{self.name}"


@dataclass(frozen=True, slots=True, kw_only=True)
class Record:
    """One resource record: absolute owner name, type, TTL, and RDATA as text.

    ``data`` is the presentation form (RFC 1035 §5.1) that ``dig`` prints:
    ``10.96.0.1``, ``0 100 80 api.prod.svc.cluster.local.``, ``"1.1.0"``.
    """

    name: str
    type: str
    ttl: int
    data: str

    @property
    def text(self) -> str:
        """The record as a zone-file line."""
        return f"{self.name} {self.ttl} IN {self.type} {self.data}"


@dataclass(frozen=True, slots=True, kw_only=True)
class DnsAnswer:
    """A response: its rcode and its answer, authority and additional sections.

    NODATA is ``rcode`` NOERROR with an empty answer (``nodata`` True) and the
    zone's SOA in ``authority`` (RFC 2308 §2.2).
    """

    qname: str
    qtype: str
    rcode: Rcode
    answer: tuple[Record, ...] = ()
    authority: tuple[Record, ...] = ()
    additional: tuple[Record, ...] = ()
    authoritative: bool = False

    @property
    def nodata(self) -> bool:
        """True for NOERROR with no answer records."""
        return self.rcode is Rcode.NOERROR and not self.answer

    @property
    def status(self) -> str:
        """The rcode's name, or ``NODATA`` for an empty NOERROR."""
        return "NODATA" if self.nodata else self.rcode.value


def normalise_qtype(qtype: object) -> str:
    """A query type's mnemonic (``a`` is ``A``); ``TYPE65280`` and the like pass.

    Raises :class:`K8sDnsInputError` for anything that is not a type mnemonic.
    """
    if isinstance(qtype, str):
        upper = qtype.upper()
        if _TYPE_NAME.match(upper):
            return upper
    raise K8sDnsInputError(
        [
            f"qtype {shown(qtype)} is not a record type: a mnemonic such as A, "
            "AAAA, SRV, "
            "PTR, TXT, CNAME, or TYPE<n>"
        ]
    )


def _absolute(name: str) -> str:
    return name if name.endswith(".") else name + "."


_Index = dict[str, dict[str, list[str]]]


@dataclass(frozen=True, slots=True, kw_only=True)
class Cluster:
    """A cluster's DNS view: namespaces, services, endpoints and pods.

    ``zone`` is the cluster domain; ``dns_ips`` the cluster DNS service's IPs
    (kubelet's ``clusterDNS``); ``service_cidrs``, when given, must contain every
    cluster IP; ``node_resolv_conf`` is the nodes' ``/etc/resolv.conf``;
    ``upstream`` maps names outside the cluster to addresses, standing in for the
    resolver CoreDNS forwards to (used by :func:`resolve`, not by the server).
    ``serial`` is the SOA serial (CoreDNS uses the time of the last change).

    Raises :class:`~awscore.errors.K8sDnsInputError` listing every problem:
    duplicate services or pods, cluster IPs outside the service CIDRs, a bad
    zone, TTL or CIDR.
    """

    zone: str = "cluster.local"
    namespaces: tuple[str, ...] = ()
    services: tuple[Service, ...] = ()
    pods: tuple[Pod, ...] = ()
    pod_mode: PodMode = PodMode.INSECURE
    ttl: int = DEFAULT_TTL
    dns_ips: tuple[str, ...] = ("10.96.0.10",)
    service_cidrs: tuple[str, ...] = ()
    node_resolv_conf: ResolvConf = DEFAULT_NODE_RESOLV_CONF
    upstream: Mapping[str, tuple[str, ...]] = field(default_factory=dict, hash=False)
    serial: int = 1
    _index: _Index = field(init=False, repr=False, compare=False)
    _extra: dict[tuple[str, str], list[tuple[str, str]]] = field(
        init=False, repr=False, compare=False
    )
    _nonterminals: frozenset[str] = field(init=False, repr=False, compare=False)
    _all_namespaces: frozenset[str] = field(init=False, repr=False, compare=False)
    _pod_ips: frozenset[tuple[str, str]] = field(init=False, repr=False, compare=False)
    _upstream: dict[str, tuple[str, ...]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        shape(
            self,
            ("namespaces", object, "namespace names"),
            ("services", Service, "Services"),
            ("pods", Pod, "Pods"),
            ("dns_ips", object, "addresses"),
            ("service_cidrs", object, "CIDRs"),
        )
        self._shape_settings()
        self._validate()
        zone = self.zone.rstrip(".").lower()
        object.__setattr__(self, "zone", zone)
        object.__setattr__(self, "services", tuple(self.services))
        object.__setattr__(self, "pods", tuple(self.pods))
        object.__setattr__(self, "pod_mode", PodMode(self.pod_mode))
        object.__setattr__(
            self, "dns_ips", tuple(canonical_ip(ip) for ip in self.dns_ips)
        )
        namespaces = {
            *self.namespaces,
            *(s.namespace for s in self.services),
            *(p.namespace for p in self.pods),
        }
        object.__setattr__(self, "_all_namespaces", frozenset(namespaces))
        object.__setattr__(
            self,
            "_pod_ips",
            frozenset((p.namespace, ip) for p in self.pods for ip in p.ips),
        )
        object.__setattr__(
            self,
            "_upstream",
            {
                name.rstrip(".").lower(): tuple(canonical_ip(ip) for ip in ips)
                for name, ips in self.upstream.items()
            },
        )
        self._build()

    @classmethod
    def load(cls, text: str | bytes, **options: Any) -> Cluster:
        """A cluster from YAML or JSON: awscore's description or kubectl's List.

        See :func:`~awscore.k8s_dns.load_cluster`.
        """
        from awscore.k8s_dns._load import load_cluster

        return load_cluster(text, **options)

    @classmethod
    def from_dict(cls, document: Mapping[str, Any]) -> Cluster:
        """A cluster from awscore's description, already parsed."""
        from awscore.k8s_dns._load import cluster_from_dict

        return cluster_from_dict(document)

    @classmethod
    def from_kubectl(cls, document: Mapping[str, Any], **options: Any) -> Cluster:
        """A cluster from ``kubectl get services,endpoints,pods -A -o json``."""
        from awscore.k8s_dns._load import cluster_from_kubectl

        return cluster_from_kubectl(document, **options)

    # --- validation ---------------------------------------------------------

    def _shape_settings(self) -> None:
        # Typed as ResolvConf and Mapping, but callers may pass anything.
        resolv: object = self.node_resolv_conf
        upstream: object = self.upstream
        problems = []
        if not isinstance(resolv, ResolvConf):
            problems.append(
                "node_resolv_conf must be a ResolvConf (ResolvConf.parse of the "
                f"nodes' /etc/resolv.conf), not {kind(resolv)}"
            )
        if not isinstance(upstream, Mapping):
            problems.append(
                "upstream must be a mapping of names to lists of addresses, not "
                f"{kind(upstream)}"
            )
        else:
            problems += [
                f"upstream[{shown(name)}] must be a list of addresses, not {kind(ips)}"
                for name, ips in upstream.items()
                if not isinstance(ips, list | tuple)
            ]
        raise_problems(problems)

    def _validate(self) -> None:
        problems = self._setting_problems()
        cidrs = []
        for i, cidr in enumerate(self.service_cidrs):
            try:
                if not isinstance(cidr, str):
                    raise TypeError(cidr)
                cidrs.append(ipaddress.ip_network(cidr, strict=False))
            except (ValueError, TypeError):
                problems.append(
                    f"service_cidrs[{i}] {shown(cidr)} is not a CIDR "
                    "such as 10.96.0.0/12"
                )
        problems += self._object_problems(cidrs)
        raise_problems(problems)

    def _setting_problems(self) -> list[str]:
        problems = present(
            dns_name_problem(self.zone, "zone"),
            *(
                dns1123_label_problem(ns, f"namespaces[{i}]")
                for i, ns in enumerate(self.namespaces)
            ),
            int_problem(self.ttl, "ttl", 3600, "0..3600 (CoreDNS)"),
            int_problem(self.serial, "serial", 2**32 - 1, "0..2**32-1"),
            *(ip_problem(ip, f"dns_ips[{i}]") for i, ip in enumerate(self.dns_ips)),
        )
        if self.pod_mode not in [m.value for m in PodMode]:
            problems.append(
                f"pod_mode {shown(self.pod_mode)} is not accepted: one of disabled, "
                "insecure, verified"
            )
        for name, ips in self.upstream.items():
            problems += present(dns_name_problem(name, f"upstream[{shown(name)}]"))
            addresses(ips, f"upstream[{shown(name)}]", problems)
        return problems

    def _object_problems(
        self, cidrs: list[ipaddress.IPv4Network | ipaddress.IPv6Network]
    ) -> list[str]:
        problems = []
        seen: dict[tuple[str, str], int] = {}
        listed = ", ".join(str(c) for c in cidrs)
        for i, svc in enumerate(self.services):
            key = (svc.namespace, svc.name)
            if key in seen:
                problems.append(
                    f"services[{i}] {svc.namespace}/{svc.name} duplicates "
                    f"services[{seen[key]}]: service names are unique in a namespace"
                )
            seen.setdefault(key, i)
            problems += [
                f"services[{i}] {svc.namespace}/{svc.name} cluster IP {ip} "
                f"is outside the service CIDR ({listed})"
                for ip in svc.cluster_ips
                if cidrs and not any(ipaddress.ip_address(ip) in n for n in cidrs)
            ]
        pods: dict[tuple[str, str], int] = {}
        for i, pod in enumerate(self.pods):
            key = (pod.namespace, pod.name)
            if key in pods:
                problems.append(
                    f"pods[{i}] {pod.namespace}/{pod.name} duplicates pods[{pods[key]}]"
                )
            pods.setdefault(key, i)
        return problems

    # --- the zone -----------------------------------------------------------

    def _build(self) -> None:
        zone = self.zone
        records = Zone()
        for apex in (zone, *REVERSE_ZONES):
            records.apex(apex, self._soa_data(apex), self.dns_ips)
        records.add(f"dns-version.{zone}", "TXT", f'"{SPEC_VERSION}"')
        for svc in self.services:
            records.service(svc, f"{svc.name}.{svc.namespace}.svc.{zone}")
        headless = {(s.namespace, s.name) for s in self.services if s.headless}
        for pod in self.pods:
            if pod.hostname and (pod.namespace, pod.subdomain) in headless:
                owner = f"{pod.hostname}.{pod.subdomain}.{pod.namespace}.svc.{zone}"
                for ip in pod.ips:
                    records.address(owner, ip)
        records.finish()
        nonterminals = records.nonterminals((zone, *REVERSE_ZONES))
        pods = self.pod_mode is not PodMode.DISABLED
        # parse.go parseRequest: svc.<zone> and pod.<zone> are NODATA whatever
        # the pod mode; <ns>.pod.<zone> needs pod records (findPods).
        nonterminals.add(f"svc.{zone}")
        nonterminals.add(f"pod.{zone}")
        for ns in self._all_namespaces:
            nonterminals.add(f"{ns}.svc.{zone}")
            if pods:
                nonterminals.add(f"{ns}.pod.{zone}")
        object.__setattr__(self, "_index", records.index)
        object.__setattr__(self, "_extra", records.extra)
        object.__setattr__(
            self, "_nonterminals", frozenset(nonterminals - records.index.keys())
        )

    def _soa_data(self, apex: str) -> str:
        # CoreDNS plugin/backend_lookup.go SOA: ns.dns.<zone>, hostmaster.<zone>,
        # refresh 7200, retry 1800, expire 86400, minimum = the record TTL.
        return (
            f"ns.dns.{apex}. hostmaster.{apex}. {self.serial} 7200 1800 86400 "
            f"{self.ttl}"
        )

    def _soa(self, apex: str) -> tuple[Record, ...]:
        """The SOA for a negative answer; ``apex`` in the question's case."""
        return (
            Record(
                name=apex + ".",
                type="SOA",
                ttl=min(self.ttl, SOA_TTL_CAP),
                data=self._soa_data(apex),
            ),
        )

    def _ttl(self, rtype: str) -> int:
        if rtype == "TXT":  # the zone's only TXT is dns-version
            return VERSION_TTL
        if rtype == "SOA":
            return min(self.ttl, SOA_TTL_CAP)
        return self.ttl

    @property
    def all_namespaces(self) -> frozenset[str]:
        """Every namespace named by the description, a service or a pod."""
        return self._all_namespaces

    def records(self) -> tuple[Record, ...]:
        """Every static record of the zone, sorted by name and type (no pod names)."""
        return tuple(
            Record(name=name + ".", type=rtype, ttl=self._ttl(rtype), data=data)
            for name in sorted(self._index)
            for rtype in sorted(self._index[name])
            for data in self._index[name][rtype]
        )

    def pod(self, key: str) -> Pod:
        """The pod named ``namespace/name``; :class:`PodNotFoundError` if none."""
        from awscore.errors import PodNotFoundError

        for pod in self.pods:
            if pod.key == key:
                return pod
        known = ", ".join(p.key for p in self.pods[:10]) or "none"
        raise PodNotFoundError(
            [
                f"pod {shown(key)} is not in the cluster: namespace/name of a "
                f"pod ({known})"
            ]
        )

    def resolv_conf(self, pod: Pod | str) -> ResolvConf:
        """The resolv.conf kubelet writes for ``pod`` (a :class:`Pod` or its key)."""
        if not isinstance(pod, Pod | str):
            raise K8sDnsInputError(
                [f"pod must be a Pod or its namespace/name, not {kind(pod)}"]
            )
        target = self.pod(pod) if isinstance(pod, str) else pod
        return resolv_conf(
            target,
            node_resolv_conf=self.node_resolv_conf,
            cluster_dns=self.dns_ips,
            cluster_domain=self.zone,
        )

    # --- queries ------------------------------------------------------------

    def query(
        self,
        qname: str,
        qtype: str = "A",
        *,
        recursive: bool = False,
        upstream: Upstream | None = None,
    ) -> DnsAnswer:
        """Answer one question as the cluster DNS server (CoreDNS) does.

        Each query type takes the path it takes in CoreDNS's ``kubernetes``
        plugin (see :mod:`awscore.k8s_dns._answer`). Matching is case-insensitive
        and answers keep the question's case, the SOA's owner too (``handler.go``:
        "maintain case of original query"). For A and AAAA, an ExternalName whose
        target is in the zone is followed when the chain ends in addresses, and
        dropped whole (NODATA) when it does not. SRV and NS answers carry their
        targets' A/AAAA records in ``additional``.

        ``upstream`` is how CoreDNS resolves an ExternalName target outside the
        zone for A and AAAA (``backend_lookup.go`` ``A``: ``b.Lookup``): it is
        called with the target and the type, and its answer records follow the
        CNAME; when it returns None (the lookup failed) CoreDNS drops the CNAME
        too, and so does this. Without it the answer stops at the CNAME. Pass
        :meth:`upstream_query` to use ``Cluster.upstream``, or a function that
        asks a real resolver (the server does).

        Names outside the cluster zone and the reverse zones get REFUSED, unless
        ``recursive`` is true: then ``upstream`` answers them (NXDOMAIN if it does
        not know the name), as CoreDNS forwarding to the node's resolver would.

        Raises :class:`~awscore.errors.K8sDnsInputError` only for a ``qtype`` that
        is not a type mnemonic; any ``qname`` string gets an answer.
        """
        rtype = normalise_qtype(qtype)
        if not isinstance(qname, str):
            raise K8sDnsInputError([f"qname {shown(qname)} must be a string"])
        if upstream is not None and not callable(upstream):
            raise K8sDnsInputError(
                [
                    "upstream must be a function of (name, type) returning a "
                    "DnsAnswer or None"
                ]
            )
        asked = _absolute(qname)
        key = asked[:-1].lower()
        apex = self._apex(key)
        if apex is None:
            if recursive:
                return self._upstream_answer(asked, key, rtype)
            return DnsAnswer(qname=asked, qtype=rtype, rcode=Rcode.REFUSED)
        # The zone as the question spells it: CoreDNS builds the SOA from it.
        zone = asked[len(asked) - len(apex) - 1 : -1]
        rcode, answer, additional = Answerer(self, zone, upstream).answer(
            key, asked, rtype
        )
        return DnsAnswer(
            qname=asked,
            qtype=rtype,
            rcode=Rcode(rcode),
            answer=tuple(answer),
            authority=() if answer else self._soa(zone),
            additional=tuple(additional),
            authoritative=True,
        )

    def _apex(self, key: str) -> str | None:
        for apex in (self.zone, *REVERSE_ZONES):
            if key == apex or key.endswith("." + apex):
                return apex
        return None

    def _pod_rrsets(self, key: str, apex: str) -> dict[str, list[str]] | None:
        suffix = f".pod.{self.zone}"
        if apex != self.zone or self.pod_mode is PodMode.DISABLED:
            return None
        if not key.endswith(suffix):
            return None
        labels = key[: -len(suffix)].split(".")
        if len(labels) != 2 or labels[1] not in self._all_namespaces:
            return None
        address = undash(labels[0])
        if address is None:
            return None
        ip = address.compressed
        if self.pod_mode is PodMode.VERIFIED and (labels[1], ip) not in self._pod_ips:
            return None
        return {"AAAA" if address.version == 6 else "A": [ip]}

    def upstream_query(self, qname: str, qtype: str = "A") -> DnsAnswer:
        """Answer from ``upstream`` only: the node's resolver, blind to the zone."""
        rtype = normalise_qtype(qtype)
        if not isinstance(qname, str):
            raise K8sDnsInputError([f"qname {shown(qname)} must be a string"])
        asked = _absolute(qname)
        return self._upstream_answer(asked, asked[:-1].lower(), rtype)

    def _upstream_answer(self, asked: str, key: str, rtype: str) -> DnsAnswer:
        ips = self._upstream.get(key)
        if ips is None:
            return DnsAnswer(qname=asked, qtype=rtype, rcode=Rcode.NXDOMAIN)
        records = tuple(
            Record(name=asked, type=t, ttl=self.ttl, data=ip)
            for ip in ips
            for t in ["AAAA" if ":" in ip else "A"]
            if rtype in (t, "ANY")
        )
        return DnsAnswer(qname=asked, qtype=rtype, rcode=Rcode.NOERROR, answer=records)
