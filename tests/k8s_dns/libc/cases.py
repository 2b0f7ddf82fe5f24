"""The libc harness's case table, and each case's nameservers as awscore lookups.

A case is a resolv.conf, a name, an ``ai_family`` and what each nameserver does:
answer from a small zone (NXDOMAIN for names not in it, NODATA for a type the
name lacks, a lone CNAME where the name is an alias: a stub's server that does
not chase), or fail every question with SERVFAIL or REFUSED, or stay silent.
``namespace.py`` serves exactly that; :func:`lookups` gives awscore the same
servers. The expected datagrams and results are never written here: they are
what the real libcs do.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from awscore.k8s_dns import DnsAnswer, Rcode, Record, ResolvConf
from awscore.k8s_dns._resolve import Family, Lookup

NS1, NS2, NS3 = "127.0.0.1", "127.0.0.2", "127.0.0.3"
ADDRESSES = (NS1, NS2, NS3)
#: kubelet's ClusterFirst search list for a pod in namespace prod on an EKS node.
CLUSTER_SEARCH = (
    "prod.svc.cluster.local",
    "svc.cluster.local",
    "cluster.local",
    "ec2.internal",
)
FAST = "timeout:1 attempts:2"  # keep the waits short: the waiting is wall time

Zone = dict[str, dict[str, Any]]


@dataclass(frozen=True, slots=True, kw_only=True)
class Case:
    """One getaddrinfo call and the servers it meets."""

    id: str
    name: str
    family: Family
    search: tuple[str, ...]
    options: str
    servers: Mapping[str, Mapping[str, Any]]
    nameservers: tuple[str, ...] = (NS1,)
    #: the row of the docs' glibc-vs-musl table this case stands for, if any
    table: str | None = None
    weight: int = field(default=1, compare=False)

    @property
    def resolv_conf(self) -> str:
        """The file the libcs read."""
        lines = [f"nameserver {ns}" for ns in self.nameservers]
        if self.search:
            lines.append("search " + " ".join(self.search))
        lines.append("options " + self.options)
        return "".join(line + "\n" for line in lines)

    @property
    def conf(self) -> ResolvConf:
        """The same file, parsed by awscore."""
        return ResolvConf.parse(self.resolv_conf)

    def wire(self) -> dict[str, Any]:
        """The case as ``namespace.py`` reads it."""
        return {
            "id": self.id,
            "resolv_conf": self.resolv_conf,
            "name": self.name,
            "family": self.family,
            "servers": {k: dict(v) for k, v in self.servers.items()},
        }


def _answer(
    qname: str, qtype: str, rcode: Rcode, records: tuple[Record, ...] = ()
) -> DnsAnswer:
    return DnsAnswer(qname=qname, qtype=qtype, rcode=rcode, answer=records)


def server_lookup(spec: Mapping[str, Any]) -> Lookup:
    """A lookup that answers as ``namespace.py``'s responder does for ``spec``."""
    mode = spec.get("mode", "zone")
    zone: Zone = spec.get("zone", {})

    def lookup(qname: str, qtype: str) -> DnsAnswer | None:
        if mode == "drop":
            return None
        if mode in ("SERVFAIL", "REFUSED"):
            return _answer(qname, qtype, Rcode(mode))
        entry = zone.get(qname.lower(), {"rcode": "NXDOMAIN"})
        if "rcode" in entry:
            return _answer(qname, qtype, Rcode(entry["rcode"]))
        if qtype in entry:
            records = tuple(
                Record(name=qname, type=qtype, ttl=5, data=v) for v in entry[qtype]
            )
            return _answer(qname, qtype, Rcode.NOERROR, records)
        if "CNAME" in entry:
            alias = Record(name=qname, type="CNAME", ttl=5, data=entry["CNAME"])
            return _answer(qname, qtype, Rcode.NOERROR, (alias,))
        return _answer(qname, qtype, Rcode.NOERROR)

    return lookup


def lookups(case: Case) -> dict[str, Lookup]:
    """Every nameserver of ``case`` as an awscore lookup."""
    return {address: server_lookup(spec) for address, spec in case.servers.items()}


# --- the table ---------------------------------------------------------------

A4 = {"A": ["10.96.0.20"]}
A6 = {"AAAA": ["fd00::20"]}
BOTH = {"A": ["10.96.0.20"], "AAAA": ["fd00::20"]}
TXT_ONLY = {"TXT": ['"v=1"']}
FAMILIES: tuple[Family, ...] = ("inet", "unspec")


def _fqdn(name: str) -> str:
    return name.rstrip(".").lower() + "."


def _placements(name: str, search: tuple[str, ...]) -> Iterator[tuple[str, Zone]]:
    """Where the name exists: under each search domain, as is, nowhere, ..."""
    under = [f"{name}.{d}." for d in search]
    yield "nxdomain-everywhere", {}
    yield "as-is", {_fqdn(name): A4}
    if under:
        yield "first-domain", {under[0]: A4}
        yield "last-domain", {under[-1]: A4}
        yield "first-domain-and-as-is", {under[0]: A4, _fqdn(name): {"A": ["10.0.0.9"]}}
        yield "nodata-then-found", {under[0]: TXT_ONLY, under[-1]: A4}
        yield "only-aaaa-first", {under[0]: A6, _fqdn(name): A4}


def _ndots_cases() -> Iterator[Case]:
    """Names below, at and above ndots for ndots 1, 2 and 5, short names too;
    ndots 0, and 20 (past the cap)."""
    names = {
        0: ("api", "api.prod"),
        1: ("api", "api.prod", "a.b.c"),
        2: ("api", "api.prod", "api.prod.svc", "a.b.c.d"),
        5: ("api", "api.prod", "a.b.c.d", "a.b.c.d.e", "a.b.c.d.e.f"),
        # above both libcs' cap of 15: read as 15
        20: ("a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p",),
    }
    for ndots, chosen in names.items():
        search = CLUSTER_SEARCH if ndots == 5 else ("a.example", "ec2.internal")
        for name in chosen:
            families = (*FAMILIES, "inet6") if ndots == 5 else FAMILIES
            for where, zone in _placements(name, search):
                for family in families:
                    yield Case(
                        id=f"ndots{ndots}-{name}-{where}-{family}",
                        name=name,
                        family=family,
                        search=search,
                        options=f"ndots:{ndots} {FAST}",
                        servers={NS1: {"zone": zone}},
                    )


def _special_cases() -> Iterator[Case]:
    search = CLUSTER_SEARCH
    five = f"ndots:5 {FAST}"
    for family in FAMILIES:
        yield from (
            Case(
                id=f"fqdn-found-{family}",
                name="api.example.com.",
                family=family,
                search=search,
                options=five,
                servers={NS1: {"zone": {"api.example.com.": BOTH}}},
            ),
            Case(
                id=f"fqdn-nxdomain-{family}",
                name="api.example.com.",
                family=family,
                search=search,
                options=five,
                servers={NS1: {"zone": {"api.example.com.ec2.internal.": A4}}},
            ),
            Case(
                id=f"fqdn-nodata-{family}",
                name="api.example.com.",
                family=family,
                search=search,
                options=five,
                servers={NS1: {"zone": {"api.example.com.": TXT_ONLY}}},
            ),
            Case(
                id=f"fqdn-short-{family}",
                name="api.",
                family=family,
                search=search,
                options=five,
                servers={NS1: {"zone": {"api.prod.svc.cluster.local.": A4}}},
            ),
            Case(
                id=f"node-domain-only-{family}",
                name="ip-10-0-1-5",
                family=family,
                search=search,
                options=five,
                servers={NS1: {"zone": {"ip-10-0-1-5.ec2.internal.": A4}}},
                table="a name only under the node's search domain"
                if family == "inet"
                else None,
            ),
            Case(
                id=f"node-domain-dotted-{family}",
                name="ip-10-0-1-5.ec2",
                family=family,
                search=("ec2.internal",),
                options=f"ndots:1 {FAST}",
                servers={NS1: {"zone": {"ip-10-0-1-5.ec2.ec2.internal.": A4}}},
                table="a name with ndots dots, found only under a search domain"
                if family == "inet"
                else None,
            ),
        )
        yield from _failure_cases(family)
        yield from _nodata_cases(family)
        yield from _cname_cases(family)
        yield from _two_server_cases(family)
        yield from _three_server_cases(family)
        yield from _option_cases(family)
        yield from _zero_cases(family)
    for family in FAMILIES:
        yield Case(
            id=f"root-on-search-list-{family}",
            name="api",
            family=family,
            search=("a.example", ".", "b.example"),
            options=f"ndots:1 {FAST}",
            servers={NS1: {"zone": {"api.b.example.": A4}}},
            table=_row(family, 'a search list with a "." entry'),
            weight=2,
        )
        yield Case(
            id=f"trailing-dot-search-domain-{family}",
            name="api",
            family=family,
            search=("a.example.", "b.example."),
            options=f"ndots:1 {FAST}",
            servers={NS1: {"zone": {"api.b.example.": A4}}},
        )
    yield Case(
        id="inet6-found",
        name="api",
        family="inet6",
        search=("a.example", "b.example"),
        options=f"ndots:1 {FAST}",
        servers={NS1: {"zone": {"api.b.example.": BOTH}}},
    )
    yield Case(
        id="inet6-only-a",
        name="api",
        family="inet6",
        search=("a.example", "b.example"),
        options=f"ndots:1 {FAST}",
        servers={NS1: {"zone": {"api.a.example.": A4, "api.b.example.": A6}}},
    )


def _row(family: Family, text: str) -> str | None:
    return text if family == "inet" else None


def _failure_cases(family: Family) -> Iterator[Case]:
    """SERVFAIL and REFUSED servers, SERVFAIL for one name, a silent server."""
    search = ("a.example", "b.example")
    one = f"ndots:1 {FAST}"
    for mode in ("SERVFAIL", "REFUSED"):
        yield Case(
            id=f"{mode.lower()}-server-{family}",
            name="api",
            family=family,
            search=search,
            options=one,
            servers={NS1: {"mode": mode}},
            table=_row(family, f"a server that answers {mode} (timeout:1 attempts:2)"),
            weight=3,
        )
        yield Case(
            id=f"{mode.lower()}-server-fqdn-{family}",
            name="api.example.com.",
            family=family,
            search=search,
            options=one,
            servers={NS1: {"mode": mode}},
            weight=3,
        )
        yield Case(
            id=f"{mode.lower()}-then-nxdomain-{family}",
            name="api",
            family=family,
            search=search,
            options=one,
            servers={NS1: {"zone": {"api.a.example.": {"rcode": mode}}}},
            table=_row(family, f"{mode} for the first name, NXDOMAIN after"),
            weight=3,
        )
        yield Case(
            id=f"{mode.lower()}-then-found-{family}",
            name="api",
            family=family,
            search=search,
            options=one,
            servers={
                NS1: {"zone": {"api.a.example.": {"rcode": mode}, "api.b.example.": A4}}
            },
            table=_row(family, f"{mode} for the first name, found at the second"),
            weight=3,
        )
        yield Case(
            id=f"{mode.lower()}-attempts1-{family}",
            name="api.example.com",
            family=family,
            search=(),
            options="ndots:1 timeout:1 attempts:1",
            servers={NS1: {"mode": mode}},
            weight=3,
        )
        yield Case(
            id=f"{mode.lower()}-attempts4-{family}",
            name="api.example.com",
            family=family,
            search=(),
            options="ndots:1 timeout:1 attempts:4",
            servers={NS1: {"mode": mode}},
            weight=3,
        )
    probes: dict[str, Zone] = {
        "servfail-then-nodata": {
            "api.a.example.": {"rcode": "SERVFAIL"},
            "api.b.example.": TXT_ONLY,
        },
        "servfail-last": {"api.": {"rcode": "SERVFAIL"}},
        "servfail-middle": {"api.b.example.": {"rcode": "SERVFAIL"}},
        "servfail-twice-then-nx": {
            "api.a.example.": {"rcode": "SERVFAIL"},
            "api.b.example.": {"rcode": "SERVFAIL"},
        },
        "refused-last": {"api.": {"rcode": "REFUSED"}},
        "refused-middle": {"api.b.example.": {"rcode": "REFUSED"}},
        "nodata-then-servfail-last": {
            "api.a.example.": TXT_ONLY,
            "api.": {"rcode": "SERVFAIL"},
        },
        "nodata-then-refused-last": {
            "api.a.example.": TXT_ONLY,
            "api.": {"rcode": "REFUSED"},
        },
        "nodata-then-servfail": {
            "api.a.example.": TXT_ONLY,
            "api.b.example.": {"rcode": "SERVFAIL"},
        },
    }
    for tag, zone in probes.items():
        yield Case(
            id=f"{tag}-{family}",
            name="api",
            family=family,
            search=search,
            options=one,
            servers={NS1: {"zone": zone}},
            weight=3,
        )
    yield Case(
        id=f"servfail-as-is-first-{family}",
        name="api.example",
        family=family,
        search=search,
        options=one,
        servers={NS1: {"zone": {"api.example.": {"rcode": "SERVFAIL"}}}},
        weight=3,
    )
    yield Case(
        id=f"silent-then-nxdomain-{family}",
        name="api",
        family=family,
        search=search,
        options=one,
        nameservers=(NS1, NS2),
        servers={NS1: {"mode": "drop"}, NS2: {"zone": {}}},
        weight=4,
    )
    yield Case(
        id=f"silent-server-{family}",
        name="api.example.com",
        family=family,
        search=(),
        options="ndots:1 timeout:1 attempts:2",
        servers={NS1: {"mode": "drop"}},
        table=_row(family, "a server that never answers (timeout:1 attempts:2)"),
        weight=4,
    )


def _nodata_cases(family: Family) -> Iterator[Case]:
    """Names that exist without an A record."""
    search = CLUSTER_SEARCH
    five = f"ndots:5 {FAST}"
    yield Case(
        id=f"nodata-first-domain-{family}",
        name="api",
        family=family,
        search=search,
        options=five,
        servers={NS1: {"zone": {"api.prod.svc.cluster.local.": TXT_ONLY}}},
        table=_row(family, "a name with no A record at the first search domain"),
    )
    yield Case(
        id=f"nodata-first-found-second-{family}",
        name="api",
        family=family,
        search=search,
        options=five,
        servers={
            NS1: {
                "zone": {
                    "api.prod.svc.cluster.local.": TXT_ONLY,
                    "api.svc.cluster.local.": A4,
                }
            }
        },
        table=_row(
            family, "no A record at the first search domain, an A at the second"
        ),
    )
    yield Case(
        id=f"aaaa-only-{family}",
        name="api",
        family=family,
        search=search,
        options=five,
        servers={NS1: {"zone": {"api.prod.svc.cluster.local.": A6}}},
        table=_row(family, "a name with only an AAAA record"),
    )
    yield Case(
        id=f"nodata-as-is-first-{family}",
        name="db.example",
        family=family,
        search=("a.example",),
        options=f"ndots:1 {FAST}",
        servers={NS1: {"zone": {"db.example.": TXT_ONLY}}},
        table=_row(family, "a name with ndots dots and no A record as is"),
    )


def _cname_cases(family: Family) -> Iterator[Case]:
    """ExternalName services: the server answers a lone CNAME."""
    search = CLUSTER_SEARCH
    five = f"ndots:5 {FAST}"
    target = "db.example.org."
    yield Case(
        id=f"externalname-{family}",
        name="ext",
        family=family,
        search=search,
        options=five,
        servers={
            NS1: {
                "zone": {
                    "ext.prod.svc.cluster.local.": {"CNAME": target},
                    target: A4,
                }
            }
        },
        table=_row(family, "an ExternalName service (the server answers only a CNAME)"),
    )
    yield Case(
        id=f"externalname-fqdn-{family}",
        name="ext.prod.svc.cluster.local.",
        family=family,
        search=search,
        options=five,
        servers={
            NS1: {
                "zone": {"ext.prod.svc.cluster.local.": {"CNAME": target}, target: A4}
            }
        },
    )
    yield Case(
        id=f"externalname-shadowing-{family}",
        name="ext",
        family=family,
        search=search,
        options=five,
        servers={
            NS1: {
                "zone": {
                    "ext.prod.svc.cluster.local.": {"CNAME": target},
                    "ext.svc.cluster.local.": A4,
                }
            }
        },
    )
    yield Case(
        id=f"externalname-as-is-{family}",
        name="ext.example",
        family=family,
        search=("a.example",),
        options=f"ndots:1 {FAST}",
        servers={
            NS1: {
                "zone": {
                    "ext.example.": {"CNAME": target},
                    "ext.example.a.example.": A4,
                }
            }
        },
    )


def _two_server_cases(family: Family) -> Iterator[Case]:
    """Two nameservers, with and without rotate."""
    search = ("a.example", "b.example")
    zone = {"api.b.example.": A4}
    for rotate in ("", " rotate"):
        options = f"ndots:1 {FAST}{rotate}"
        tag = "rotate" if rotate else "in-order"
        yield Case(
            id=f"two-{tag}-found-{family}",
            name="api",
            family=family,
            search=search,
            options=options,
            nameservers=(NS1, NS2),
            servers={NS1: {"zone": zone}, NS2: {"zone": zone}},
            table=_row(family, "two nameservers, rotate") if rotate else None,
        )
        yield Case(
            id=f"two-{tag}-nxdomain-{family}",
            name="api",
            family=family,
            search=search,
            options=options,
            nameservers=(NS1, NS2),
            servers={NS1: {"zone": {}}, NS2: {"zone": {}}},
        )
        yield Case(
            id=f"two-{tag}-servfail-first-{family}",
            name="api",
            family=family,
            search=search,
            options=options,
            nameservers=(NS1, NS2),
            servers={NS1: {"mode": "SERVFAIL"}, NS2: {"zone": zone}},
            table=None
            if rotate
            else _row(family, "two nameservers, the first SERVFAIL"),
        )
        yield Case(
            id=f"two-{tag}-refused-first-{family}",
            name="api",
            family=family,
            search=search,
            options=options,
            nameservers=(NS1, NS2),
            servers={NS1: {"mode": "REFUSED"}, NS2: {"zone": zone}},
            table=None
            if rotate
            else _row(family, "two nameservers, the first REFUSED"),
        )
        yield Case(
            id=f"two-{tag}-silent-first-{family}",
            name="api.example.com",
            family=family,
            search=(),
            options=options,
            nameservers=(NS1, NS2),
            servers={NS1: {"mode": "drop"}, NS2: {"zone": {"api.example.com.": A4}}},
            table=None if rotate else _row(family, "two nameservers, the first silent"),
            weight=2,
        )
        yield Case(
            id=f"two-{tag}-both-servfail-{family}",
            name="api.example.com",
            family=family,
            search=(),
            options=options,
            nameservers=(NS1, NS2),
            servers={NS1: {"mode": "SERVFAIL"}, NS2: {"mode": "SERVFAIL"}},
            weight=3,
        )


def _three_server_cases(family: Family) -> Iterator[Case]:
    """Three nameservers, the first two silent: glibc's wait per server
    (``send_dg``: timeout << index, divided by the count past the first)."""
    zone = {"api.example.com.": A4}
    yield Case(
        id=f"three-two-silent-{family}",
        name="api.example.com",
        family=family,
        search=(),
        options="ndots:1 timeout:2 attempts:1",
        nameservers=(NS1, NS2, NS3),
        servers={NS1: {"mode": "drop"}, NS2: {"mode": "drop"}, NS3: {"zone": zone}},
        table=_row(family, "three nameservers, the first two silent (timeout:2)"),
        weight=4,
    )


def _zero_cases(family: Family) -> Iterator[Case]:
    """attempts:0 and timeout:0, which the libcs read very differently."""
    zone = {"api.a.example.": A4, "api.example.": A4}
    for options, tag in (
        ("ndots:1 attempts:0 timeout:1", "attempts0"),
        ("ndots:1 timeout:0 attempts:2", "timeout0"),
    ):
        for name in ("api", "api.example", "api.example."):
            yield Case(
                id=f"{tag}-{name}-{family}",
                name=name,
                family=family,
                search=("a.example", "b.example"),
                options=options,
                servers={NS1: {"zone": zone}},
                table=_row(family, f"options {options.split()[1]}")
                if name == "api"
                else None,
            )
    yield Case(
        id=f"timeout0-silent-{family}",
        name="api.example.com",
        family=family,
        search=(),
        options="ndots:1 timeout:0 attempts:2",
        servers={NS1: {"mode": "drop"}},
        weight=3,
    )


def _option_cases(family: Family) -> Iterator[Case]:
    """single-request(-reopen), edns0, trust-ad."""
    search = ("a.example", "b.example")
    zone = {"api.b.example.": BOTH}
    for option in (
        "single-request",
        "single-request-reopen",
        "edns0",
        "trust-ad",
        "edns0 trust-ad",
    ):
        tag = option.replace(" ", "-")
        yield Case(
            id=f"option-{tag}-{family}",
            name="api",
            family=family,
            search=search,
            options=f"ndots:1 {FAST} {option}",
            servers={NS1: {"zone": zone}},
            table=_row(family, f"options {option}")
            if option in ("edns0 trust-ad",)
            else None,
        )
        yield Case(
            id=f"option-{tag}-servfail-{family}",
            name="api.example.com",
            family=family,
            search=(),
            options=f"ndots:1 {FAST} {option}",
            servers={NS1: {"mode": "SERVFAIL"}},
            table=_row(family, "options single-request, a SERVFAIL server")
            if option == "single-request"
            else None,
            weight=3,
        )


def all_cases() -> tuple[Case, ...]:
    """Every case, each id once."""
    cases = (*_ndots_cases(), *_special_cases())
    ids = [c.id for c in cases]
    assert len(ids) == len(set(ids)), "case ids must be unique"
    return cases
