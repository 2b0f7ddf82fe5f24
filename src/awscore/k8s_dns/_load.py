"""Building a :class:`Cluster` from a YAML/JSON description or kubectl's JSON.

Every problem found is reported, each with the path of its field
(``services[1].ports[0].name``) or the kubectl object it belongs to
(``items[4] Service prod/api: spec.clusterIP``).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Mapping
from typing import Any, ParamSpec, TypeVar

import yaml

from awscore._inputs import shown
from awscore.errors import K8sDnsInputError
from awscore.k8s_dns._model import Cluster, Endpoint, Pod, Port, Service
from awscore.k8s_dns._names import kind
from awscore.k8s_dns._resolvconf import PodDnsConfig, ResolvConf

# Every level of the description takes only these keys: a misspelled or
# Kubernetes-cased key (``clusterIP``) would otherwise be ignored and silently
# change the records (a service without ``cluster_ip`` is headless).
_CLUSTER_KEYS = frozenset(
    {"zone", "dns_ips", "service_cidrs", "pod_mode", "ttl", "serial",
     "node_resolv_conf", "namespaces", "upstream", "services", "pods"}
)  # fmt: skip
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

_T = TypeVar("_T")
_P = ParamSpec("_P")

# Problem paths: a builder handed a mapping reports its problems relative to that
# mapping (``name ...``, ``ports[0].name ...``); whoever hands it the mapping
# prefixes them once with the mapping's path (``services[1].``, or
# ``items[4] Service prod/api: `` for a kubectl object).


class _Problems:
    """The problems found so far, so that one run reports all of them."""

    def __init__(self) -> None:
        self.items: list[str] = []

    def build(
        self,
        prefix: str,
        make: Callable[_P, _T],
        /,
        *args: _P.args,
        **kwargs: _P.kwargs,
    ) -> _T | None:
        """``make(*args, **kwargs)``, or None with its problems kept, prefixed."""
        try:
            return make(*args, **kwargs)
        except K8sDnsInputError as exc:
            self.items.extend(prefix + problem for problem in exc.problems)
        return None

    def result(self, value: _T | None) -> _T:
        """``value``, unless a problem was found."""
        if value is None or self.items:
            raise K8sDnsInputError(self.items)
        return value


def _list(value: object, where: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise K8sDnsInputError([f"{where} must be a list, not {kind(value)}"])
    return value


def _map(value: object, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise K8sDnsInputError([f"{where} must be a mapping, not {kind(value)}"])
    return value


def _strings(value: object, where: str) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    return tuple(_list(value, where))


def _nested(value: object, field: str, make: Callable[[dict[str, Any]], _T]) -> _T:
    """``make`` of the mapping at ``field``, its problems under ``field``."""
    problems = _Problems()
    return problems.result(problems.build(f"{field}.", make, _map(value, field)))


def _each(
    values: object, field: str, make: Callable[[dict[str, Any]], _T]
) -> tuple[_T, ...]:
    """``make`` of each mapping in the list at ``field``; every problem, each
    under its item's path (``field[2].``)."""
    problems = _Problems()
    built = [
        problems.build("", _nested, raw, f"{field}[{i}]", make)
        for i, raw in enumerate(_list(values, field))
    ]
    return problems.result(tuple(b for b in built if b is not None))


def _known(entry: Mapping[Any, Any], accepted: frozenset[str]) -> None:
    """Refuse, in one problem, the keys of ``entry`` that ``accepted`` lacks."""
    unknown = sorted(str(key) for key in entry if key not in accepted)
    if unknown:
        raise K8sDnsInputError(
            [
                f"unknown keys {', '.join(unknown)}: accepted are "
                + ", ".join(sorted(accepted))
            ]
        )


def _flag(entry: Mapping[str, Any], key: str, default: bool) -> bool:
    value = entry.get(key, default)
    if not isinstance(value, bool):
        raise K8sDnsInputError([f"{key} must be true or false, not {kind(value)}"])
    return value


def _port(entry: dict[str, Any]) -> Port:
    return Port(
        port=entry.get("port"),  # type: ignore[arg-type]
        name=entry.get("name") or None,
        protocol=entry.get("protocol", "TCP"),
    )


def _dns_config(entry: dict[str, Any]) -> PodDnsConfig:
    """``dns_config`` of a description, or ``spec.dnsConfig`` of a kubectl pod
    (the same keys)."""
    _known(entry, _DNS_CONFIG_KEYS)
    return PodDnsConfig(
        nameservers=tuple(map(str, _list(entry.get("nameservers"), "nameservers"))),
        searches=tuple(map(str, _list(entry.get("searches"), "searches"))),
        options=_each(entry.get("options"), "options", _dns_option),
    )


#: resolv.conf options whose value is a count (glibc resolv_conf.c, musl
#: res_conf.c read them as decimal digits).
_NUMERIC_OPTIONS = frozenset({"ndots", "timeout", "attempts"})


def _dns_option(entry: dict[str, Any]) -> tuple[str, str | None]:
    _known(entry, _OPTION_KEYS)
    name, value = entry.get("name"), entry.get("value")
    if not isinstance(name, str) or not name:
        raise K8sDnsInputError(
            [f"name must be the option's name as text, not {kind(name)}"]
        )
    if value is None:
        return name, None
    if isinstance(value, _Oversized):
        value = str(value)
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise K8sDnsInputError([f"value of {name} must be text, not {kind(value)}"])
    text = str(value)
    if name in _NUMERIC_OPTIONS and not (
        text.isascii() and text.isdigit() and len(text) <= MAX_DIGITS
    ):
        raise K8sDnsInputError(
            [
                f"value {shown(text[:20])} of {name} is not a count: decimal digits "
                f"0-9, "
                f"at most {MAX_DIGITS}"
            ]
        )
    return name, text


def _optional_dns_config(value: object, field: str) -> PodDnsConfig | None:
    return None if value is None else _nested(value, field, _dns_config)


# --- awscore's description ---------------------------------------------------


def cluster_from_dict(document: Mapping[str, Any]) -> Cluster:
    """A cluster from awscore's description (the YAML/JSON shape in the docs)."""
    if not isinstance(document, Mapping):
        raise K8sDnsInputError(
            ["the cluster description must be a mapping with services and pods"]
        )
    problems = _Problems()
    problems.build("", _known, document, _CLUSTER_KEYS)
    services = problems.build("", _each, document.get("services"), "services", _service)
    pods = problems.build("", _each, document.get("pods"), "pods", _pod)
    options = problems.build("", _cluster_options, document)
    if options is not None and not problems.items:
        return Cluster(services=services or (), pods=pods or (), **options)
    if options is not None:
        # Report the cluster-level problems too.
        problems.build("", Cluster, **options)
    raise K8sDnsInputError(problems.items)


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
            str(k): _strings(v, f"upstream[{shown(k)}]") for k, v in upstream.items()
        }
    return options


def _description_port(entry: dict[str, Any]) -> Port:
    _known(entry, _PORT_KEYS)
    return _port(entry)


def _endpoint(entry: dict[str, Any]) -> Endpoint:
    _known(entry, _ENDPOINT_KEYS)
    return Endpoint(
        ip=entry.get("ip"),  # type: ignore[arg-type]
        hostname=entry.get("hostname") or None,
        ready=_flag(entry, "ready", True),
        ports=_each(entry.get("ports"), "ports", _description_port),
    )


def _service(entry: dict[str, Any]) -> Service:
    problems = _Problems()
    problems.build("", _known, entry, _SERVICE_KEYS)
    if "cluster_ips" in entry:
        ips = problems.build("", _strings, entry["cluster_ips"], "cluster_ips")
    else:
        ip = entry.get("cluster_ip")
        ips = () if ip in (None, "None", "") else (str(ip),)
    endpoints = problems.build(
        "", _each, entry.get("endpoints"), "endpoints", _endpoint
    )
    ports = problems.build("", _each, entry.get("ports"), "ports", _description_port)
    service = problems.build(
        "",
        Service,
        name=entry.get("name"),  # type: ignore[arg-type]
        namespace=entry.get("namespace", "default"),
        type=entry.get("type", "ClusterIP"),
        cluster_ips=ips or (),
        ports=ports or (),
        external_name=entry.get("external_name"),
        endpoints=endpoints or (),
    )
    return problems.result(service)


def _pod(entry: dict[str, Any]) -> Pod:
    _known(entry, _POD_KEYS)
    if "ips" in entry:
        ips = _strings(entry["ips"], "ips")
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
        dns_config=_optional_dns_config(entry.get("dns_config"), "dns_config"),
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
    Other kinds, and the other fields of these objects, are ignored. Other
    keyword arguments go to :class:`Cluster`.
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
        built = problems.build(f"{where}: ", _kube_endpoints, item)
        if built is not None:
            endpoints[key] = built
    pods = [
        pod
        for where, _, item in kinds.get("Pod", [])
        if (pod := problems.build(f"{where}: ", _kube_pod, item))
    ]
    services = [
        service
        for where, key, item in kinds.get("Service", [])
        if (
            service := problems.build(
                f"{where}: ", _kube_service, item, endpoints.get(key, ())
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
    return Service(
        name=meta.get("name"),  # type: ignore[arg-type]
        namespace=meta.get("namespace", "default"),
        type=kind,
        cluster_ips=() if kind == "ExternalName" else tuple(ips),
        ports=_each(spec.get("ports"), "spec.ports", _port),
        external_name=spec.get("externalName") if kind == "ExternalName" else None,
        endpoints=eps,
    )


def _kube_endpoints(item: dict[str, Any]) -> tuple[Endpoint, ...]:
    subsets = _each(item.get("subsets"), "subsets", _kube_subset)
    return tuple(endpoint for subset in subsets for endpoint in subset)


def _kube_subset(subset: dict[str, Any]) -> tuple[Endpoint, ...]:
    ports = _each(subset.get("ports"), "ports", _port)
    problems = _Problems()
    found = [
        problems.build(
            "",
            _each,
            subset.get(field),
            field,
            functools.partial(_kube_address, ready=ready, ports=ports),
        )
        for field, ready in (("addresses", True), ("notReadyAddresses", False))
    ]
    return problems.result(tuple(e for addresses in found for e in addresses or ()))


def _kube_address(
    entry: dict[str, Any], *, ready: bool, ports: tuple[Port, ...]
) -> Endpoint:
    return Endpoint(
        ip=entry.get("ip"),  # type: ignore[arg-type]
        hostname=entry.get("hostname") or None,
        ready=ready,
        ports=ports,
    )


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
        dns_config=_optional_dns_config(spec.get("dnsConfig"), "spec.dnsConfig"),
    )


def load_cluster(text: str | bytes, **options: Any) -> Cluster:
    """A cluster from YAML or JSON text: awscore's description or kubectl's List.

    ``options`` go to :func:`cluster_from_kubectl` for kubectl output (zone,
    dns_ips, pod_mode, ...). Raises :class:`~awscore.errors.K8sDnsInputError`
    for text that is not YAML/JSON or describes an invalid cluster, and for text
    past the bounds: :data:`MAX_CLUSTER_BYTES`, nesting deeper than
    :data:`MAX_DEPTH`, numbers of more than :data:`MAX_DIGITS` digits, and YAML
    aliases (which could make a small file describe millions of objects).
    """
    document = _parse(text)
    if isinstance(document, dict) and (
        document.get("kind") == "List" or "items" in document
    ):
        return cluster_from_kubectl(document, **options)
    if options:
        raise K8sDnsInputError(
            [f"options {sorted(options)} apply to kubectl output only"]
        )
    return cluster_from_dict(document)  # type: ignore[arg-type]  # checked there


def _parse(text: str | bytes) -> object:
    if not isinstance(text, str | bytes):
        raise K8sDnsInputError(
            [f"the cluster file must be YAML or JSON text, not {kind(text)}"]
        )
    if len(text) > MAX_CLUSTER_BYTES:
        raise K8sDnsInputError(
            [
                f"the cluster file is {len(text):,} bytes: at most "
                f"{MAX_CLUSTER_BYTES:,} are accepted"
            ]
        )
    try:
        return yaml.load(text, Loader=_Loader)  # noqa: S506 - _Loader is a SafeLoader
    except K8sDnsInputError:
        raise
    except yaml.YAMLError as exc:
        try:
            return json.loads(text, parse_int=_json_int, parse_constant=_json_constant)
        except (ValueError, RecursionError, K8sDnsInputError):
            line = getattr(getattr(exc, "problem_mark", None), "line", None)
            at = f" at line {line + 1}" if isinstance(line, int) else ""
            raise K8sDnsInputError(
                [f"the cluster file is not YAML or JSON{at}: {exc}".splitlines()[0]]
            ) from None


#: The largest cluster file accepted, in bytes (characters for text).
MAX_CLUSTER_BYTES = 64 * 1024 * 1024
#: The deepest nesting of lists and mappings accepted (kubectl's objects need
#: about 12).
MAX_DEPTH = 64
#: The most digits a number in a cluster file may have (a TTL, a port, a serial).
MAX_DIGITS = 40


class _Oversized:
    """A number with more than :data:`MAX_DIGITS` digits, kept so that the field
    that holds it reports it ("ttl a 5000-digit number must be an integer")."""

    __slots__ = ("digits",)

    def __init__(self, digits: int) -> None:
        self.digits = digits

    def __repr__(self) -> str:
        return f"a {self.digits}-digit number"

    __str__ = __repr__


class _Loader(yaml.SafeLoader):
    """PyYAML's safe loader with the depth, alias and digit bounds."""

    def __init__(self, stream: str | bytes) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            mark = self.peek_event().start_mark  # type: ignore[no-untyped-call]
            raise K8sDnsInputError(
                [
                    f"the cluster file uses a YAML alias at line {mark.line + 1}: "
                    "anchors and aliases are not accepted, write each object out"
                ]
            )
        self._depth += 1
        if self._depth > MAX_DEPTH:
            mark = self.peek_event().start_mark  # type: ignore[no-untyped-call]
            raise K8sDnsInputError(
                [
                    f"the cluster file nests deeper than {MAX_DEPTH} levels at "
                    f"line {mark.line + 1}"
                ]
            )
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def _yaml_int(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> object:
    digits = sum(c.isdigit() for c in str(node.value))
    if digits > MAX_DIGITS:
        return _Oversized(digits)
    return yaml.SafeLoader.construct_yaml_int(loader, node)


_Loader.add_constructor("tag:yaml.org,2002:int", _yaml_int)


def _json_int(text: str) -> object:
    return _Oversized(len(text)) if len(text) > MAX_DIGITS else int(text)


def _json_constant(text: str) -> object:
    raise K8sDnsInputError([f"the cluster file has {text}, which is not a number"])
