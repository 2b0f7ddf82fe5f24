"""A pod's ``/etc/resolv.conf`` as kubelet writes it.

Source: kubelet ``pkg/kubelet/network/dns/dns.go`` (``getPodDNSType``,
``GetPodDNS``, ``generateSearchesForDNSClusterFirst``, ``appendDNSConfig``,
``mergeDNSOptions``, ``formDNSConfigFitsLimits``) and the Kubernetes documentation
"DNS for Services and Pods" (Pod's DNS Policy, Pod's DNS Config, DNS search
domain list limits).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from awscore._inputs import shown
from awscore.errors import K8sDnsInputError
from awscore.k8s_dns._checks import enum_value, raise_problems, shape
from awscore.k8s_dns._names import SUBDOMAIN_MAX, kind

if TYPE_CHECKING:
    from awscore.k8s_dns._model import Pod

#: kubelet's limit on nameservers (``validation.MaxDNSNameservers``).
MAX_NAMESERVERS = 3
#: Search list limits without and with the expanded DNS config
#: (``MaxDNSSearchPathsLegacy`` / ``MaxDNSSearchListCharsLegacy`` and the
#: ``ExpandedDNSConfig`` values, GA in Kubernetes 1.28).
MAX_SEARCH_LEGACY = (6, 256)
MAX_SEARCH_EXPANDED = (32, 2048)
#: kubelet's only option for ClusterFirst pods (``defaultDNSOptions``).
CLUSTER_FIRST_OPTIONS = ("ndots:5",)


class DnsPolicy(enum.StrEnum):
    """``spec.dnsPolicy`` of a pod."""

    CLUSTER_FIRST = "ClusterFirst"
    CLUSTER_FIRST_WITH_HOST_NET = "ClusterFirstWithHostNet"
    DEFAULT = "Default"
    NONE = "None"


@dataclass(frozen=True, slots=True, kw_only=True)
class PodDnsConfig:
    """``spec.dnsConfig``: nameservers and searches appended, options merged.

    ``options`` are ``(name, value)`` pairs; a value of None is a bare option
    (``edns0``). Raises :class:`~awscore.errors.K8sDnsInputError` for a field
    of another shape.
    """

    nameservers: tuple[str, ...] = ()
    searches: tuple[str, ...] = ()
    options: tuple[tuple[str, str | None], ...] = ()

    def __post_init__(self) -> None:
        shape(
            self,
            ("nameservers", str, "text"),
            ("searches", str, "text"),
            ("options", (tuple, list), "a pair of a name and a value"),
        )
        raise_problems(
            [
                f"options[{i}] must be a pair of a name and a value (text or null)"
                for i, option in enumerate(self.options)
                if not (
                    isinstance(option, tuple | list)
                    and len(option) == 2
                    and isinstance(option[0], str)
                    and (option[1] is None or isinstance(option[1], str))
                )
            ]
        )


#: Options whose argument is a count (``name:n``), and the largest n accepted.
#: Both libcs clamp large values (glibc to 15, 30 and 5; musl to 15, 60 and 10);
#: awscore keeps what is written up to nine digits and clamps where each libc
#: does, so a value is never a number Python must build digit by digit.
NUMERIC_OPTIONS = ("ndots", "timeout", "attempts")
_NUMBER_DIGITS = 9


def _option_problem(option: object, where: str) -> str | None:
    """Why ``option`` is not a resolv.conf option word, or None.

    Names are free (both libcs ignore the ones they do not know); the numeric
    options need ASCII digits: ``str.isdigit`` would take ``²`` or ``٣``, which
    neither libc reads as a number.
    """
    if not isinstance(option, str) or not option or any(c.isspace() for c in option):
        return (
            f"{where} {shown(option)} is not an option: a word such as ndots:5 or edns0"
        )
    name, sep, arg = option.partition(":")
    if name not in NUMERIC_OPTIONS or not sep:
        return None
    if arg.isascii() and arg.isdigit() and len(arg) <= _NUMBER_DIGITS:
        return None
    return (
        f"{where} {shown(option)}: {name} must be a whole number written in ASCII "
        f"digits 0-9 (at most {_NUMBER_DIGITS} of them), e.g. {name}:2"
    )


def _dedupe(values: list[str]) -> list[str]:
    return list(dict.fromkeys(values))


@dataclass(frozen=True, slots=True, kw_only=True)
class ResolvConf:
    """A resolv.conf: nameservers, search list and options, with ``text``.

    ``warnings`` lists what kubelet dropped to fit its limits (it reports them as
    ``DNSConfigForming`` events). Raises :class:`~awscore.errors.K8sDnsInputError`
    for a field that is not a list of text, or an option that is not a word.
    """

    nameservers: tuple[str, ...] = ()
    search: tuple[str, ...] = ()
    options: tuple[str, ...] = ()
    warnings: tuple[str, ...] = field(default=(), compare=False)

    def __post_init__(self) -> None:
        shape(
            self,
            ("nameservers", str, "text"),
            ("search", str, "text"),
            ("options", object, "options"),
            ("warnings", str, "text"),
        )
        raise_problems(
            [
                problem
                for i, option in enumerate(self.options)
                if (problem := _option_problem(option, f"options[{i}]"))
            ]
        )

    def _number(self, name: str, default: int) -> int:
        # both libcs read the options line left to right: the last one wins
        value = default
        for option in self.options:
            key, sep, arg = option.partition(":")
            if key == name and sep:  # a bare "ndots" is ignored
                value = int(arg)
        return value

    def _flag(self, name: str) -> bool:
        return name in self.options

    @property
    def ndots(self) -> int:
        """The ``ndots`` option: default 1, capped at 15 (glibc ``RES_MAXNDOTS``,
        musl ``resolvconf.c``)."""
        return min(self._number("ndots", 1), 15)

    @property
    def timeout(self) -> int:
        """``timeout``: seconds, as written (default 5, ``RES_TIMEOUT``).

        Each libc caps it its own way: see :func:`~awscore.k8s_dns.resolve_with`.
        """
        return self._number("timeout", 5)

    @property
    def attempts(self) -> int:
        """``attempts``: tries per query, as written (default 2, ``RES_DFLRETRY``)."""
        return self._number("attempts", 2)

    @property
    def rotate(self) -> bool:
        """``rotate``: glibc starts each query at a different nameserver."""
        return self._flag("rotate")

    @property
    def single_request(self) -> bool:
        """``single-request``: glibc sends A, then AAAA, not both at once."""
        return self._flag("single-request")

    @property
    def single_request_reopen(self) -> bool:
        """``single-request-reopen``: as single-request, on a new socket each."""
        return self._flag("single-request-reopen")

    @property
    def edns0(self) -> bool:
        """``edns0``: glibc adds an EDNS(0) OPT record to each query."""
        return self._flag("edns0")

    @property
    def trust_ad(self) -> bool:
        """``trust-ad``: glibc sets the AD bit in each query (glibc 2.31 on)."""
        return self._flag("trust-ad")

    @property
    def text(self) -> str:
        """The file as kubelet writes it: nameserver lines, search, options."""
        lines = [f"nameserver {ns}" for ns in self.nameservers]
        if self.search:
            lines.append("search " + " ".join(self.search))
        if self.options:
            lines.append("options " + " ".join(self.options))
        return "".join(line + "\n" for line in lines)

    @classmethod
    def parse(cls, text: str) -> ResolvConf:
        """Read resolv.conf text: ``nameserver``, ``search``/``domain``, ``options``.

        As glibc does, the last ``search`` or ``domain`` line wins; comments start
        with ``#`` or ``;``; unknown keywords and option names are ignored.

        Raises :class:`~awscore.errors.K8sDnsInputError` for an ``ndots``,
        ``timeout`` or ``attempts`` value that is not ASCII digits
        (``options ndots:²``).
        """
        if not isinstance(text, str):
            raise K8sDnsInputError(["resolv.conf must be text"])
        nameservers: list[str] = []
        search: list[str] = []
        options: list[str] = []
        for raw in text.splitlines():
            line = raw.split("#", 1)[0].split(";", 1)[0].split()
            if not line:
                continue
            keyword, args = line[0], line[1:]
            if keyword == "nameserver" and args:
                nameservers.append(args[0])
            elif keyword in ("search", "domain"):
                search = list(args)
            elif keyword == "options":
                options.extend(args)
        return cls(
            nameservers=tuple(nameservers), search=tuple(search), options=tuple(options)
        )


#: A node's resolv.conf on an EKS node in us-east-1: the VPC resolver (the VPC
#: CIDR base + 2) and the region's search domain.
DEFAULT_NODE_RESOLV_CONF = ResolvConf(
    nameservers=("10.0.0.2",), search=("ec2.internal",)
)


def _merge_options(
    existing: list[str], extra: tuple[tuple[str, str | None], ...]
) -> list[str]:
    # kubelet merges by name, the pod's value winning. It rebuilds the list from a
    # Go map, so its order is random; awscore keeps first-seen order.
    merged: dict[str, str | None] = {}
    for option in existing:
        key, sep, arg = option.partition(":")
        merged[key] = arg if sep else None
    merged.update(extra)
    return [
        name if value in (None, "") else f"{name}:{value}"
        for name, value in merged.items()
    ]


def _fit_search(search: list[str], expanded: bool, warnings: list[str]) -> list[str]:
    """kubelet's ``formDNSSearchFitsLimits``: count, then length, then the line."""
    max_paths, max_chars = MAX_SEARCH_EXPANDED if expanded else MAX_SEARCH_LEGACY
    if len(search) > max_paths:
        warnings.append(
            f"search list has {len(search)} entries: kept the first {max_paths}"
        )
        search = search[:max_paths]
    too_long = [s for s in search if len(s) > SUBDOMAIN_MAX]
    if too_long:
        warnings.append(
            f"dropped {len(too_long)} search entries longer than {SUBDOMAIN_MAX} "
            "characters"
        )
        search = [s for s in search if len(s) <= SUBDOMAIN_MAX]
    line = len(" ".join(search))
    if line > max_chars:
        # kubelet cuts whole entries from the end until the line fits.
        while len(" ".join(search)) > max_chars:
            search.pop()
        warnings.append(
            f"search line of {line} characters exceeds {max_chars}: kept "
            f"{len(search)} entries"
        )
    return search


def _resolv_conf_arguments(
    pod: object,
    node_resolv_conf: object,
    dns_config: object,
    cluster_dns: object,
    cluster_domain: object,
) -> None:
    """Refuse, naming each, arguments of :func:`resolv_conf` of the wrong kind."""
    from awscore.k8s_dns._model import Pod  # _model builds on this module

    problems = []
    if not isinstance(pod, Pod):
        problems.append(f"pod must be a Pod, not {kind(pod)}")
    if not isinstance(node_resolv_conf, ResolvConf):
        problems.append(
            f"node_resolv_conf must be a ResolvConf, not {kind(node_resolv_conf)}"
        )
    if dns_config is not None and not isinstance(dns_config, PodDnsConfig):
        problems.append(
            f"dns_config must be a PodDnsConfig or null, not {kind(dns_config)}"
        )
    if not isinstance(cluster_dns, tuple | list) or not all(
        isinstance(ip, str) for ip in cluster_dns
    ):
        problems.append(
            f"cluster_dns must be a list of addresses (text), not {kind(cluster_dns)}"
        )
    if not isinstance(cluster_domain, str):
        problems.append(f"cluster_domain must be text, not {kind(cluster_domain)}")
    raise_problems(problems)


def resolv_conf(
    pod: Pod,
    policy: DnsPolicy | str | None = None,
    node_resolv_conf: ResolvConf = DEFAULT_NODE_RESOLV_CONF,
    dns_config: PodDnsConfig | None = None,
    *,
    cluster_dns: tuple[str, ...] = ("10.96.0.10",),
    cluster_domain: str = "cluster.local",
    expanded_dns_config: bool = True,
) -> ResolvConf:
    """The resolv.conf kubelet writes for ``pod``.

    ``policy`` and ``dns_config`` default to the pod's own. ClusterFirst: the
    cluster DNS IPs, search ``<ns>.svc.<zone> svc.<zone> <zone>`` then the node's
    search domains (duplicates dropped), ``options ndots:5`` (the node's options
    dropped). A hostNetwork pod with ClusterFirst gets Default; ClusterFirstWith
    HostNet is ClusterFirst; Default is the node's file; with no cluster DNS IPs
    ClusterFirst falls back to Default. ``dns_config`` then appends nameservers and
    searches (deduplicated) and merges options by name. Limits: 3 nameservers;
    search entries over 253 characters dropped; at most 6 entries / 256 characters
    (32 / 2048 with ``expanded_dns_config``, the default since Kubernetes 1.28).

    Raises :class:`~awscore.errors.K8sDnsInputError` for policy None without
    ``dnsConfig`` nameservers, an unknown policy, or an argument of the wrong
    kind.
    """
    _resolv_conf_arguments(
        pod, node_resolv_conf, dns_config, cluster_dns, cluster_domain
    )
    if not isinstance(expanded_dns_config, bool):
        raise K8sDnsInputError(
            [
                "expanded_dns_config must be true or false, not "
                f"{kind(expanded_dns_config)}"
            ]
        )
    chosen = pod.dns_policy if policy is None else policy
    mode = enum_value(DnsPolicy, chosen, "dnsPolicy")
    extra = pod.dns_config if dns_config is None else dns_config
    if mode is DnsPolicy.NONE and (extra is None or not extra.nameservers):
        raise K8sDnsInputError(
            [
                f"pod {pod.key}: dnsConfig.nameservers must hold at least one "
                "nameserver when dnsPolicy is None"
            ]
        )
    if mode is DnsPolicy.CLUSTER_FIRST and pod.host_network:
        mode = DnsPolicy.DEFAULT
    if mode is DnsPolicy.NONE:
        nameservers: list[str] = []
        search: list[str] = []
        options: list[str] = []
    elif mode is DnsPolicy.DEFAULT or not cluster_dns:
        # kubelet falls back to Default when it has no cluster DNS IPs
        nameservers = list(node_resolv_conf.nameservers)
        search = list(node_resolv_conf.search)
        options = list(node_resolv_conf.options)
    else:
        zone = cluster_domain.rstrip(".")
        nameservers = list(cluster_dns)
        search = _dedupe(
            [
                f"{pod.namespace}.svc.{zone}",
                f"svc.{zone}",
                zone,
                *node_resolv_conf.search,
            ]
        )
        options = list(CLUSTER_FIRST_OPTIONS)
    if extra is not None:
        nameservers = _dedupe([*nameservers, *extra.nameservers])
        search = _dedupe([*search, *extra.searches])
        options = _merge_options(options, extra.options)
    warnings: list[str] = []
    if len(nameservers) > MAX_NAMESERVERS:
        warnings.append(
            f"nameserver limits exceeded: kept the first {MAX_NAMESERVERS} of "
            f"{len(nameservers)} ({', '.join(nameservers[MAX_NAMESERVERS:])} dropped)"
        )
        nameservers = nameservers[:MAX_NAMESERVERS]
    search = _fit_search(search, expanded_dns_config, warnings)
    return ResolvConf(
        nameservers=tuple(nameservers),
        search=tuple(search),
        options=tuple(options),
        warnings=tuple(warnings),
    )
