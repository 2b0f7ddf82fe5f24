"""One question answered as CoreDNS's ``kubernetes`` plugin answers it.

The plugin's ``ServeDNS`` (``plugin/kubernetes/handler.go``) picks a function by
query type, and each looks names up its own way; this module follows each path:

* A, AAAA: ``plugin.A``/``AAAA`` (``backend_lookup.go``): the address records; an
  ExternalName's CNAME followed inside the zone only when the chain ends in
  addresses (else nothing at all: NODATA), outside the zone through the
  upstream;
* CNAME: the ExternalName's CNAME and nothing more;
* SRV: the SRV records with their targets' addresses as additional records; an
  ExternalName is one SRV to its target, port 0;
* TXT: ``dns-version.<zone>`` only; NODATA at a name that has records of another
  type, NXDOMAIN anywhere else (empty non-terminals and the apex included);
* PTR: the reverse names of cluster IPs and endpoint addresses;
* SOA: at the apex; NODATA at any other name, which is not even looked up;
* NS: at the apex, with the server's addresses as additional records;
* any other type (ANY, MX, HINFO, ...): no records, NXDOMAIN or NODATA as an A
  query for the name would be.

In the reverse zones only PTR names exist (``Records`` gives ``errNoItems`` for
any other reverse name): everything but the apex is NXDOMAIN for other types.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from awscore.k8s_dns._records import srv_weight

if TYPE_CHECKING:
    from awscore.k8s_dns._model import Cluster, DnsAnswer, Record

#: How ``Cluster.query`` asks for a name outside the zone: ``(name, type)`` to
#: the answer, or None when the lookup failed.
Upstream = Callable[[str, str], "DnsAnswer | None"]
#: ``backend_lookup.go`` ``maxCnameChainLength``: CNAMEs followed in one answer.
MAX_CNAME_CHAIN = 10

_Result = tuple[str, list["Record"], list["Record"]]  # rcode, answer, additional


def respell(name: str, zone: str) -> str:
    """``name`` (absolute, lower-case) with its zone suffix spelt as ``zone``."""
    suffix = zone.lower() + "."
    if name == suffix:
        return zone + "."
    if name.endswith("." + suffix):
        return name[: -len(suffix)] + zone + "."
    return name


class Answerer:
    """The answer to one question in one of the cluster's zones.

    ``zone`` is the zone as the question spells it; CoreDNS builds SOA, NS and
    SRV names from it (``handler.go``: "maintain case of original query").
    """

    def __init__(self, cluster: Cluster, zone: str, upstream: Upstream | None) -> None:
        self.cluster = cluster
        self.zone = zone
        self.apex = zone.lower()
        self.upstream = upstream
        self.version = f"dns-version.{cluster.zone}"
        self.ns_name = f"ns.dns.{self.apex}"

    # --- helpers ------------------------------------------------------------

    def _record(
        self, owner: str, rtype: str, data: str, ttl: int | None = None
    ) -> Record:
        from awscore.k8s_dns._model import Record

        return Record(
            name=owner,
            type=rtype,
            ttl=self.cluster._ttl(rtype) if ttl is None else ttl,
            data=data,
        )

    def _rrsets(self, key: str) -> Mapping[str, list[str]] | None:
        found = self.cluster._index.get(key)
        if found is None:
            found = self.cluster._pod_rrsets(key, self.apex)
        return found

    def _exists(self, key: str) -> bool:
        """Whether an A query for ``key`` is not a name error."""
        if key == self.version:
            return False  # parse.go: not pod or svc, errInvalidRequest
        return self._rrsets(key) is not None or key in self.cluster._nonterminals

    def _missing(self, key: str) -> _Result:
        return ("NOERROR" if self._exists(key) else "NXDOMAIN"), [], []

    # --- the question -------------------------------------------------------

    def answer(self, key: str, owner: str, rtype: str) -> _Result:
        """The rcode, answer and additional records for ``key`` (the question
        name in lower case, ``owner`` as asked) and ``rtype``."""
        reverse = self.apex != self.cluster.zone
        if rtype == "SOA":
            return self._soa(key, owner)
        if rtype == "NS" and key == self.apex:
            return self._ns(owner)
        if reverse and key != self.apex and rtype != "PTR":
            return "NXDOMAIN", [], []
        handlers = {
            "A": self._address,
            "AAAA": self._address,
            "TXT": self._txt,
            "CNAME": self._cname,
            "SRV": self._srv,
            "PTR": self._ptr,
        }
        handler = handlers.get(rtype)
        if handler is not None:
            return handler(key, owner, rtype)
        # handler.go default: "a fake A lookup, so we can distinguish between
        # NODATA and NXDOMAIN"; its records are dropped.
        rcode, _, _ = self._address(key, owner, "A")
        return rcode, [], []

    def _soa(self, key: str, owner: str) -> _Result:
        """handler.go: SOA at the apex; any other name is NODATA unlooked-up."""
        if key != self.apex:
            return "NOERROR", [], []
        soa = self.cluster._soa_data(self.zone)
        return "NOERROR", [self._record(owner, "SOA", soa)], []

    def _ns(self, owner: str) -> _Result:
        answer = [
            self._record(owner, "NS", respell(data, self.zone))
            for data in self.cluster._index[self.apex]["NS"]
        ]
        return "NOERROR", answer, self._extra(self.apex, "NS")

    def _extra(self, key: str, rtype: str) -> list[Record]:
        return [
            self._record(respell(target, self.zone), "AAAA" if ":" in ip else "A", ip)
            for target, ip in self.cluster._extra.get((key, rtype), ())
        ]

    def _address(
        self, key: str, owner: str, rtype: str, chain: tuple[Record, ...] = ()
    ) -> _Result:
        """``backend_lookup.go`` ``A``/``AAAA``, recursion and all."""
        if not self._exists(key):
            return "NXDOMAIN", [], []
        rrsets = self._rrsets(key) or {}
        if "CNAME" in rrsets:
            return (
                "NOERROR",
                self._follow(key, owner, rtype, rrsets["CNAME"][0], chain),
                [],
            )
        found = [self._record(owner, rtype, d) for d in rrsets.get(rtype, ())]
        return "NOERROR", found, []

    def _follow(
        self, key: str, owner: str, rtype: str, target: str, chain: tuple[Record, ...]
    ) -> list[Record]:
        """An ExternalName's records for an address question: the CNAME and
        what the target resolves to, or nothing."""
        tkey = target[:-1].lower()
        cname = self._record(owner, "CNAME", target)
        if (
            tkey == key  # "x CNAME x is a direct loop"
            or len(chain) > MAX_CNAME_CHAIN
            or any(r.name.lower() == cname.name.lower() for r in chain)  # a loop
        ):
            return []
        if tkey == self.apex or tkey.endswith("." + self.apex):
            rcode, found, _ = self._address(tkey, target, rtype, (*chain, cname))
            # The whole chain goes unless it ends in addresses: NODATA.
            return [cname, *found] if rcode == "NOERROR" and found else []
        if self.upstream is None:
            return [cname]  # no resolver behind the model
        looked_up = self.upstream(target, rtype)
        if looked_up is None:
            return []  # the lookup failed: CoreDNS drops the CNAME
        return [cname, *looked_up.answer]

    def _txt(self, key: str, owner: str, rtype: str) -> _Result:
        """``kubernetes.go`` ``Services`` for TXT."""
        if key == self.version:
            datas = self.cluster._index[key]["TXT"]
            return "NOERROR", [self._record(owner, "TXT", d) for d in datas], []
        rrsets = self._rrsets(key)
        # Records() finds nothing at the apex (it parses to no service) nor at
        # ns.dns (not pod or svc): NXDOMAIN there too.
        if rrsets and key not in (self.apex, self.ns_name):
            return "NOERROR", [], []  # "an existing record ... of another type"
        return "NXDOMAIN", [], []

    def _cname(self, key: str, owner: str, rtype: str) -> _Result:
        """``backend_lookup.go`` ``CNAME``: the ExternalName's target only."""
        rrsets = self._rrsets(key) or {}
        if "CNAME" in rrsets and key != self.version:
            return "NOERROR", [self._record(owner, "CNAME", rrsets["CNAME"][0])], []
        return self._missing(key)

    def _srv(self, key: str, owner: str, rtype: str) -> _Result:
        """``backend_lookup.go`` ``SRV``."""
        rrsets = self._rrsets(key) or {}
        if key == self.version or not self._exists(key):
            return "NXDOMAIN", [], []
        if "CNAME" in rrsets:
            return self._srv_external(rrsets["CNAME"][0], owner)
        answer = []
        for data in rrsets.get("SRV", ()):
            head, _, target = data.rpartition(" ")
            answer.append(
                self._record(owner, "SRV", f"{head} {respell(target, self.zone)}")
            )
        return "NOERROR", answer, self._extra(key, "SRV") if answer else []

    def _srv_external(self, target: str, owner: str) -> _Result:
        """An ExternalName's SRV: one record to its target, port 0, with the
        target's addresses (in the zone: ``A``; outside: the upstream's A and
        AAAA answers, without their CNAMEs)."""
        record = self._record(owner, "SRV", f"0 {srv_weight(1)} 0 {target}")
        tkey = target[:-1].lower()
        extra: list[Record] = []
        if tkey == self.apex or tkey.endswith("." + self.apex):
            _, extra, _ = self._address(tkey, target, "A")
        elif self.upstream is not None:
            for qtype in ("A", "AAAA"):
                found = self.upstream(target, qtype)
                if found is not None:
                    extra += [
                        r for r in found.answer if qtype == "A" or r.type != "CNAME"
                    ]
        return "NOERROR", [record], extra

    def _ptr(self, key: str, owner: str, rtype: str) -> _Result:
        """``reverse.go`` ``Reverse`` and ``backend_lookup.go`` ``PTR``."""
        rrsets = self._rrsets(key) or {}
        if "PTR" in rrsets:
            return "NOERROR", [self._record(owner, "PTR", d) for d in rrsets["PTR"]], []
        if self.apex != self.cluster.zone:
            # A reverse name that is no known address: errNoItems (the apex:
            # nothing to parse, NODATA).
            return ("NOERROR" if key == self.apex else "NXDOMAIN"), [], []
        return self._missing(key)
