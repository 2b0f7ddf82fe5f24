"""Building a :class:`Cluster` from a YAML/JSON description or kubectl's JSON.

Every problem found is reported, each with the path of its field
(``services[1].ports[0].name``) or the kubectl object it belongs to
(``items[4] Service prod/api: spec.clusterIP``).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import yaml

from awscore.errors import K8sDnsInputError
from awscore.k8s_dns._model import Cluster, Endpoint, Pod, Port, Service
from awscore.k8s_dns._resolvconf import PodDnsConfig, ResolvConf

_CLUSTER_KEYS = {
    "zone",
    "dns_ips",
    "service_cidrs",
    "pod_mode",
    "ttl",
    "serial",
    "node_resolv_conf",
    "namespaces",
    "upstream",
    "services",
    "pods",
}


# Every level of the description takes only these keys: a misspelled or
# Kubernetes-cased key (``clusterIP``) would otherwise be ignored and silently
# change the records (a service without ``cluster_ip`` is headless).
_SERVICE_KEYS = frozenset(
    {"name", "namespace", "type", "cluster_ip", "cluster_ips", "ports",
     "external_name", "endpoints"}
)  # fmt: skip
_PORT_KEYS = frozenset({"name", "port", "protocol"})
_ENDPOINT_KEYS = frozenset({"ip", "hostname", "ready", "ports"})
_POD_KEYS = frozenset(
    {"name", "namespace", "ip", "ips", "hostname", "subdomain", "host_network",
     "dns_policy", "dns_config"}
)  # fmt: skip
_DNS_CONFIG_KEYS = frozenset({"nameservers", "searches", "options"})
_OPTION_KEYS = frozenset({"name", "value"})


def _unknown_keys(entry: Mapping[Any, Any], accepted: frozenset[str]) -> list[str]:
    """One problem naming the keys ``entry`` has that ``accepted`` lacks."""
    unknown = sorted(str(key) for key in entry if key not in accepted)
    if not unknown:
        return []
    return [
        f"unknown keys {', '.join(unknown)}: accepted are "
        + ", ".join(sorted(accepted))
    ]


def _flag(entry: Mapping[str, Any], key: str, default: bool) -> bool:
    value = entry.get(key, default)
    if not isinstance(value, bool):
        raise K8sDnsInputError(
            [f"{key} must be true or false, not {type(value).__name__}"]
        )
    return value


_T = TypeVar("_T")


class _Problems:
    def __init__(self) -> None:
        self.items: list[str] = []

    def build(self, where: str, make: Callable[[], _T], sep: str = ".") -> _T | None:
        try:
            return make()
        except K8sDnsInputError as exc:
            for problem in exc.problems:
                if not where or problem.startswith(where):
                    self.items.append(problem)
                elif problem[:1].islower():
                    self.items.append(f"{where}{sep}{problem}")
                else:
                    self.items.append(f"{where}: {problem}")
        return None

    def build_each(
        self, values: object, field: str, make: Callable[[object, str], _T]
    ) -> list[_T]:
        """``make(value, where)`` for each item of the list ``values``."""
        try:
            items = _list(values, field)
        except K8sDnsInputError as exc:
            self.items.extend(exc.problems)
            return []
        built = []
        for i, raw in enumerate(items):
            where = f"{field}[{i}]"
            value = self.build(where, functools.partial(make, raw, where))
            if value is not None:
                built.append(value)
        return built


def _list(value: object, where: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise K8sDnsInputError([f"{where} must be a list, not {type(value).__name__}"])
    return value


def _map(value: object, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise K8sDnsInputError(
            [f"{where} must be a mapping, not {type(value).__name__}"]
        )
    return value


def _ports(value: object, where: str) -> tuple[Port, ...]:
    ports = []
    problems: list[str] = []
    for i, raw in enumerate(_list(value, where)):
        try:
            entry = _map(raw, f"{where}[{i}]")
            unknown = _unknown_keys(entry, _PORT_KEYS)
            if unknown:
                raise K8sDnsInputError(unknown)
            ports.append(
                Port(
                    port=entry.get("port"),  # type: ignore[arg-type]
                    name=entry.get("name") or None,
                    protocol=entry.get("protocol", "TCP"),
                )
            )
        except K8sDnsInputError as exc:
            problems.extend(
                p if p.startswith(where) else f"{where}[{i}].{p}" for p in exc.problems
            )
    if problems:
        raise K8sDnsInputError(problems)
    return tuple(ports)


def _dns_config(value: object, where: str) -> PodDnsConfig | None:
    if value is None:
        return None
    entry = _map(value, where)
    unknown = _unknown_keys(entry, _DNS_CONFIG_KEYS)
    if unknown:
        raise K8sDnsInputError([f"{where}.{problem}" for problem in unknown])
    options = []
    for i, raw in enumerate(_list(entry.get("options"), f"{where}.options")):
        option = _map(raw, f"{where}.options[{i}]")
        unknown = _unknown_keys(option, _OPTION_KEYS)
        if unknown:
            raise K8sDnsInputError([f"{where}.options[{i}].{p}" for p in unknown])
        name = option.get("name")
        if not isinstance(name, str) or not name:
            raise K8sDnsInputError([f"{where}.options[{i}].name must be a string"])
        value_ = option.get("value")
        options.append((name, None if value_ is None else str(value_)))
    return PodDnsConfig(
        nameservers=tuple(str(n) for n in _list(entry.get("nameservers"), where)),
        searches=tuple(str(s) for s in _list(entry.get("searches"), where)),
        options=tuple(options),
    )


def _strings(value: object, where: str) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    return tuple(_list(value, where))


def cluster_from_dict(document: Mapping[str, Any]) -> Cluster:
    """A cluster from awscore's description (the YAML/JSON shape in the docs)."""
    if not isinstance(document, Mapping):
        raise K8sDnsInputError(
            ["the cluster description must be a mapping with services and pods"]
        )
    problems = _Problems()
    unknown = sorted(set(document) - _CLUSTER_KEYS)
    if unknown:
        problems.items.append(
            f"unknown keys {', '.join(map(str, unknown))}: accepted are "
            + ", ".join(sorted(_CLUSTER_KEYS))
        )
    services = problems.build_each(document.get("services"), "services", _service)
    pods = problems.build_each(document.get("pods"), "pods", _pod)
    options = problems.build("", functools.partial(_cluster_options, document))
    if problems.items or options is None:
        if options is not None:
            # Report the cluster-level problems too, then stop.
            problems.build("", functools.partial(Cluster, **options))
        raise K8sDnsInputError(problems.items)
    return Cluster(services=tuple(services), pods=tuple(pods), **options)


def _cluster_options(document: Mapping[str, Any]) -> dict[str, Any]:
    options: dict[str, Any] = {
        key: document[key]
        for key in ("zone", "pod_mode", "ttl", "serial")
        if key in document
    }
    for key in ("dns_ips", "service_cidrs", "namespaces"):
        if key in document:
            options[key] = _strings(document[key], key)
    if "node_resolv_conf" in document:
        options["node_resolv_conf"] = ResolvConf.parse(document["node_resolv_conf"])
    if "upstream" in document:
        upstream = _map(document["upstream"], "upstream")
        options["upstream"] = {
            str(k): _strings(v, f"upstream[{k!r}]") for k, v in upstream.items()
        }
    return options


def _service(raw: object, where: str) -> Service:
    entry = _map(raw, where)
    problems: list[str] = _unknown_keys(entry, _SERVICE_KEYS)
    if "cluster_ips" in entry:
        ips = _strings(entry["cluster_ips"], f"{where}.cluster_ips")
    else:
        ip = entry.get("cluster_ip")
        ips = () if ip in (None, "None", "") else (str(ip),)
    endpoints = []
    for j, raw_ep in enumerate(_list(entry.get("endpoints"), f"{where}.endpoints")):
        try:
            ep = _map(raw_ep, f"endpoints[{j}]")
            unknown = _unknown_keys(ep, _ENDPOINT_KEYS)
            if unknown:
                raise K8sDnsInputError(unknown)
            endpoints.append(
                Endpoint(
                    ip=ep.get("ip"),  # type: ignore[arg-type]
                    hostname=ep.get("hostname") or None,
                    ready=_flag(ep, "ready", True),
                    ports=_ports(ep.get("ports"), "ports"),
                )
            )
        except K8sDnsInputError as exc:
            problems.extend(f"endpoints[{j}].{p}" for p in exc.problems)
    try:
        ports = _ports(entry.get("ports"), "ports")
    except K8sDnsInputError as exc:
        problems.extend(exc.problems)
        ports = ()
    try:
        service = Service(
            name=entry.get("name"),  # type: ignore[arg-type]
            namespace=entry.get("namespace", "default"),
            type=entry.get("type", "ClusterIP"),
            cluster_ips=ips,
            ports=ports,
            external_name=entry.get("external_name"),
            endpoints=tuple(endpoints),
        )
    except K8sDnsInputError as exc:
        problems.extend(exc.problems)
    if problems:
        raise K8sDnsInputError(problems)
    return service


def _pod(raw: object, where: str) -> Pod:
    entry = _map(raw, where)
    unknown = _unknown_keys(entry, _POD_KEYS)
    if unknown:
        raise K8sDnsInputError(unknown)
    if "ips" in entry:
        ips = _strings(entry["ips"], f"{where}.ips")
    else:
        ip = entry.get("ip")
        ips = () if ip is None else (str(ip),)
    return Pod(
        name=entry.get("name"),  # type: ignore[arg-type]
        namespace=entry.get("namespace", "default"),
        ips=ips,
        hostname=entry.get("hostname"),
        subdomain=entry.get("subdomain"),
        host_network=_flag(entry, "host_network", False),
        dns_policy=entry.get("dns_policy", "ClusterFirst"),
        dns_config=_dns_config(entry.get("dns_config"), f"{where}.dns_config"),
    )


# --- kubectl get services,endpoints,pods -A -o json ---------------------------


def cluster_from_kubectl(
    document: Mapping[str, Any],
    *,
    zone: str = "cluster.local",
    dns_ips: tuple[str, ...] | None = None,
    **options: Any,
) -> Cluster:
    """A cluster from the ``List`` that ``kubectl get services,endpoints,pods -A
    -o json`` prints.

    Services give ``spec.type``, ``spec.clusterIP(s)`` (``None`` is headless),
    ``spec.ports`` and ``spec.externalName``; Endpoints (same name as their
    service) give ``subsets[].addresses`` (ready) and ``notReadyAddresses`` with
    their ``hostname`` and the subset's ``ports``; Pods give ``spec.hostname``,
    ``spec.subdomain``, ``spec.hostNetwork``, ``spec.dnsPolicy``,
    ``spec.dnsConfig`` and ``status.podIP(s)``; Namespace objects are kept too.
    ``dns_ips`` defaults to the cluster IPs of ``kube-system/kube-dns``.
    Other kinds are ignored. Other keyword arguments go to :class:`Cluster`.
    """
    if not isinstance(document, Mapping) or not isinstance(document.get("items"), list):
        raise K8sDnsInputError(
            [
                "kubectl output must be a List object with items "
                "(kubectl get ... -o json)"
            ]
        )
    problems = _Problems()
    kinds = _by_kind(document["items"], problems)
    endpoints: dict[tuple[str, str], tuple[Endpoint, ...]] = {}
    for where, key, item in kinds.get("Endpoints", []):
        built = problems.build(where, functools.partial(_kube_endpoints, item), ": ")
        if built is not None:
            endpoints[key] = built
    pods = [
        pod
        for where, _, item in kinds.get("Pod", [])
        if (pod := problems.build(where, functools.partial(_kube_pod, item), ": "))
    ]
    services = [
        service
        for where, key, item in kinds.get("Service", [])
        if (
            service := problems.build(
                where,
                functools.partial(_kube_service, item, endpoints.get(key, ())),
                ": ",
            )
        )
    ]
    if problems.items:
        raise K8sDnsInputError(problems.items)
    if dns_ips is None:
        kube_dns = [
            s.cluster_ips
            for s in services
            if (s.namespace, s.name) == ("kube-system", "kube-dns") and s.cluster_ips
        ]
        dns_ips = kube_dns[0] if kube_dns else ("10.96.0.10",)
    return Cluster(
        zone=zone,
        dns_ips=dns_ips,
        namespaces=tuple(key[1] for _, key, _ in kinds.get("Namespace", [])),
        services=tuple(services),
        pods=tuple(pods),
        **options,
    )


_KubeItem = tuple[str, tuple[str, str], dict[str, Any]]


def _by_kind(items: list[Any], problems: _Problems) -> dict[str, list[_KubeItem]]:
    """The items of a List by kind: (where, (namespace, name), object) each."""
    kinds: dict[str, list[_KubeItem]] = {}
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            problems.items.append(f"items[{i}] must be an object")
            continue
        meta = item.get("metadata")
        meta = meta if isinstance(meta, dict) else {}
        kind, name = item.get("kind"), meta.get("name")
        namespace = meta.get("namespace", "default")
        if kind in ("Service", "Endpoints", "Pod") or (
            kind == "Namespace" and isinstance(name, str)
        ):
            where = f"items[{i}] {kind} {namespace}/{name}"
            kinds.setdefault(str(kind), []).append(
                (where, (str(namespace), str(name)), item)
            )
    return kinds


def _kube_service(item: dict[str, Any], eps: tuple[Endpoint, ...]) -> Service:
    meta = _map(item.get("metadata"), "metadata")
    spec = _map(item.get("spec", {}), "spec")
    ips = spec.get("clusterIPs")
    if ips is None:
        ip = spec.get("clusterIP")
        ips = [] if ip in (None, "", "None") else [ip]
    ips = [ip for ip in _list(ips, "spec.clusterIPs") if ip not in ("None", "")]
    kind = spec.get("type", "ClusterIP")
    ports = []
    problems: list[str] = []
    for j, raw in enumerate(_list(spec.get("ports"), "spec.ports")):
        try:
            port = _map(raw, f"spec.ports[{j}]")
            ports.append(
                Port(
                    port=port.get("port"),  # type: ignore[arg-type]
                    name=port.get("name") or None,
                    protocol=port.get("protocol", "TCP"),
                )
            )
        except K8sDnsInputError as exc:
            problems.extend(f"spec.ports[{j}].{p}" for p in exc.problems)
    if problems:
        raise K8sDnsInputError(problems)
    return Service(
        name=meta.get("name"),  # type: ignore[arg-type]
        namespace=meta.get("namespace", "default"),
        type=kind,
        cluster_ips=() if kind == "ExternalName" else tuple(ips),
        ports=tuple(ports),
        external_name=spec.get("externalName") if kind == "ExternalName" else None,
        endpoints=eps,
    )


def _kube_endpoints(item: dict[str, Any]) -> tuple[Endpoint, ...]:
    result = []
    problems: list[str] = []
    for s, raw in enumerate(_list(item.get("subsets"), "subsets")):
        subset = _map(raw, f"subsets[{s}]")
        try:
            ports = _ports(subset.get("ports"), f"subsets[{s}].ports")
        except K8sDnsInputError as exc:
            problems.extend(exc.problems)
            continue
        for field, ready in (("addresses", True), ("notReadyAddresses", False)):
            for a, addr in enumerate(_list(subset.get(field), field)):
                where = f"subsets[{s}].{field}[{a}]"
                try:
                    entry = _map(addr, where)
                    result.append(
                        Endpoint(
                            ip=entry.get("ip"),  # type: ignore[arg-type]
                            hostname=entry.get("hostname") or None,
                            ready=ready,
                            ports=ports,
                        )
                    )
                except K8sDnsInputError as exc:
                    problems.extend(f"{where}.{p}" for p in exc.problems)
    if problems:
        raise K8sDnsInputError(problems)
    return tuple(result)


def _kube_pod(item: dict[str, Any]) -> Pod:
    meta = _map(item.get("metadata"), "metadata")
    spec = _map(item.get("spec", {}), "spec")
    status = _map(item.get("status", {}), "status")
    ips = [
        _map(entry, "status.podIPs").get("ip")
        for entry in _list(status.get("podIPs"), "status.podIPs")
    ]
    if not ips and status.get("podIP"):
        ips = [status["podIP"]]
    return Pod(
        name=meta.get("name"),  # type: ignore[arg-type]
        namespace=meta.get("namespace", "default"),
        ips=tuple(str(ip) for ip in ips),
        hostname=spec.get("hostname"),
        subdomain=spec.get("subdomain"),
        host_network=bool(spec.get("hostNetwork", False)),
        dns_policy=spec.get("dnsPolicy", "ClusterFirst"),
        dns_config=_dns_config(spec.get("dnsConfig"), "spec.dnsConfig"),
    )


def load_cluster(text: str | bytes, **options: Any) -> Cluster:
    """A cluster from YAML or JSON text: awscore's description or kubectl's List.

    ``options`` go to :func:`cluster_from_kubectl` for kubectl output (zone,
    dns_ips, pod_mode, ...). Raises :class:`~awscore.errors.K8sDnsInputError`
    for text that is not YAML/JSON or describes an invalid cluster.
    """
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        try:
            document = json.loads(text)
        except ValueError:
            line = getattr(getattr(exc, "problem_mark", None), "line", None)
            at = f" at line {line + 1}" if isinstance(line, int) else ""
            raise K8sDnsInputError(
                [f"the cluster file is not YAML or JSON{at}: {exc}".splitlines()[0]]
            ) from None
    if isinstance(document, dict) and (
        document.get("kind") == "List" or "items" in document
    ):
        return cluster_from_kubectl(document, **options)
    if options:
        raise K8sDnsInputError(
            [f"options {sorted(options)} apply to kubectl output only"]
        )
    return cluster_from_dict(document)
