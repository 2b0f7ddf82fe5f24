"""The static records of a cluster's zone, built as CoreDNS's ``kubernetes`` plugin
answers them.

Every rule here names the CoreDNS code it follows (``coredns/coredns``,
``plugin/kubernetes`` and ``plugin/backend_lookup.go``). Names are kept lower-case;
the answering code gives them the question's case.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from awscore.k8s_dns._names import reverse_name

if TYPE_CHECKING:
    from awscore.k8s_dns._model import Port, Service

#: The TTL of ``dns-version.<zone>`` TXT: CoreDNS ``kubernetes.go`` ``Services``
#: hard-codes 28800, the value of the specification's example (spec §2.2).
VERSION_TTL = 28800
#: The largest SOA TTL CoreDNS sends: ``backend_lookup.go`` ``SOA`` uses
#: ``min(ttl, 300)`` for the record itself (the SOA minimum stays ``ttl``).
SOA_TTL_CAP = 300

Index = dict[str, dict[str, list[str]]]


@dataclass(frozen=True, slots=True)
class _SrvEntry:
    """One endpoint record behind an SRV owner: CoreDNS's ``msg.Service``."""

    port: int | None  # None: the plugin's -1 sentinel for "no declared port"
    target: str
    ip: str


def srv_weight(count: int) -> int:
    """CoreDNS's SRV weight for ``count`` endpoint records of priority 0.

    ``backend_lookup.go`` ``SRV`` sums a weight of 100 per record *before* it
    drops duplicate targets and port-less records, then gives each
    ``floor(100 / sum * 100)`` computed in floating point, at least 1.
    """
    return max(1, math.floor(100.0 / float(100 * count) * 100))


class Zone:
    """The records of a cluster, name by name (lower-case keys, absolute data)."""

    def __init__(self) -> None:
        self.index: Index = {}
        #: ``(owner, type)`` -> ``(name, address)`` pairs for the additional section.
        self.extra: dict[tuple[str, str], list[tuple[str, str]]] = {}
        self._srv: dict[str, list[_SrvEntry]] = {}
        self._cluster_ptr: dict[str, str] = {}
        self._endpoint_ptr: dict[str, list[str]] = {}

    def add(self, name: str, rtype: str, data: str) -> None:
        datas = self.index.setdefault(name, {}).setdefault(rtype, [])
        if data not in datas:
            datas.append(data)

    def address(self, name: str, ip: str) -> None:
        self.add(name, "AAAA" if ":" in ip else "A", ip)

    def apex(self, apex: str, soa: str, ns_ips: Iterable[str]) -> None:
        """SOA and NS at a zone's apex; ``ns.dns.<apex>`` has the DNS IPs.

        CoreDNS ``ns.go`` ``nsAddrs``: without its own Endpoints in the cluster
        the NS name is ``ns.dns.<zone>`` with the server's addresses, each also
        in the additional section (``backend_lookup.go`` ``NS``).
        """
        ns = f"ns.dns.{apex}"
        self.add(apex, "SOA", soa)
        self.add(apex, "NS", ns + ".")
        for ip in ns_ips:
            self.address(ns, ip)
            self.extra.setdefault((apex, "NS"), []).append((ns + ".", ip))

    def _srv_entries(
        self,
        owner: str,
        ports: Iterable[Port],
        target: str,
        ip: str,
        *,
        named: bool = True,
    ) -> None:
        entries = self._srv.setdefault(owner, [])
        listed = False
        for port in ports:
            listed = True
            entries.append(_SrvEntry(port.port, target + ".", ip))
            # Unnamed ports get no _port._proto SRV; parse.go reads a name with
            # _port._proto above an endpoint label as too long (NXDOMAIN).
            if named and port.name is not None:
                port_owner = f"_{port.name}._{port.protocol.lower()}.{owner}"
                self._srv.setdefault(port_owner, []).append(
                    _SrvEntry(port.port, target + ".", ip)
                )
        if not listed:
            # object/endpoint.go: an Endpoints subset without ports gets port -1.
            entries.append(_SrvEntry(None, target + ".", ip))

    def service(self, svc: Service, base: str) -> None:
        """The records of one service at ``<name>.<namespace>.svc.<zone>``.

        ``kubernetes.go`` ``findServices``: an ExternalName is a CNAME; a
        ClusterIP service has one record per (port, cluster IP); a headless
        service one per (ready address, port); the endpoints of any service
        answer at ``<endpoint>.<service>...`` (``r.endpoint != ""``).
        """
        if svc.external_name is not None:
            target = svc.external_name
            self.add(base, "CNAME", target if target.endswith(".") else target + ".")
            return
        if not svc.headless:
            # kubernetes.go findServices: a ClusterIP service exists whatever its
            # endpoints; a headless one only through a ready address (with none,
            # errNoItems: NXDOMAIN).
            self.index.setdefault(base, {})
        for ip in svc.cluster_ips:
            self.address(base, ip)
            # reverse.go serviceRecordForIP: the first service with the cluster
            # IP is the only PTR for it.
            self._cluster_ptr.setdefault(reverse_name(ip).rstrip("."), base + ".")
            for port in svc.ports:
                self._srv_entries(base, (port,), base, ip)
        for endpoint in svc.endpoints:
            if not endpoint.ready:
                continue
            target = f"{endpoint.label}.{base}"
            ports = endpoint.ports or svc.ports
            self.address(target, endpoint.ip)
            self._srv_entries(target, ports, target, endpoint.ip, named=False)
            # reverse.go: an address that is no cluster IP answers one PTR per
            # Endpoints object it is in.
            targets = self._endpoint_ptr.setdefault(
                reverse_name(endpoint.ip).rstrip("."), []
            )
            if target + "." not in targets:
                targets.append(target + ".")
            if svc.headless:
                self.address(base, endpoint.ip)
                self._srv_entries(base, ports, target, endpoint.ip)

    def finish(self) -> None:
        """Write the PTR and SRV records once every service is in."""
        for owner, target in self._cluster_ptr.items():
            self.add(owner, "PTR", target)
        for owner, targets in self._endpoint_ptr.items():
            if owner not in self._cluster_ptr:
                for target in targets:
                    self.add(owner, "PTR", target)
        for owner, entries in self._srv.items():
            weight = srv_weight(len(entries))
            seen: set[tuple[str, int]] = set()
            extra: list[tuple[str, str]] = []
            for entry in entries:
                if entry.port is None:
                    continue
                if (entry.target, entry.port) not in seen:
                    seen.add((entry.target, entry.port))
                    self.add(owner, "SRV", f"0 {weight} {entry.port} {entry.target}")
                if (entry.target, entry.ip) not in extra:
                    extra.append((entry.target, entry.ip))
            if extra:
                self.extra[(owner, "SRV")] = extra

    def nonterminals(self, apexes: tuple[str, ...]) -> set[str]:
        """Every ancestor of a record's name, down to its zone's apex."""
        found: set[str] = set()
        for name in self.index:
            apex = next(a for a in apexes if name == a or name.endswith("." + a))
            labels = name.split(".")
            for i in range(1, len(labels) - apex.count(".")):
                found.add(".".join(labels[i:]))
        return found
