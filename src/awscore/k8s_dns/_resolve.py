"""getaddrinfo as glibc and musl run it: the search list, each datagram, the result.

glibc 2.36: ``resolv/res_query.c`` (``__res_context_search``,
``__res_context_query``), ``resolv/nss_dns/dns-host.c``, ``nss/getaddrinfo.c``;
musl 1.2.3: ``src/network/lookup_name.c`` (``name_from_dns_search``,
``name_from_dns``). The rules were settled by running both libraries against a
logging server (``tests/k8s_dns/libc``), not by reading alone: where the two
disagreed, the measurement won.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Literal

from awscore._inputs import shown
from awscore.errors import K8sDnsInputError
from awscore.k8s_dns._libc_send import (
    Datagram,
    Sent,
    Wire,
    glibc_send,
    musl_send,
    nameservers,
)
from awscore.k8s_dns._model import Cluster, DnsAnswer, Pod, Rcode, normalise_qtype
from awscore.k8s_dns._names import kind
from awscore.k8s_dns._resolvconf import ResolvConf

#: The C libraries whose resolvers are modelled.
Libc = Literal["glibc", "musl"]
#: Both libcs, in the order the CLI and the docs show them.
LIBCS: tuple[Libc, ...] = ("glibc", "musl")
#: getaddrinfo's ``ai_family``: AF_INET (A), AF_INET6 (AAAA), AF_UNSPEC (both).
Family = Literal["inet", "inet6", "unspec"]
#: The three families :func:`resolve_with` accepts.
FAMILIES: tuple[Family, ...] = ("inet", "inet6", "unspec")
_QTYPES: dict[Family, tuple[str, ...]] = {
    "inet": ("A",),
    "inet6": ("AAAA",),
    "unspec": ("A", "AAAA"),
}

#: A nameserver's answer to (qname, qtype); None: it does not reply.
Lookup = Callable[[str, str], DnsAnswer | None]


@dataclass(frozen=True, slots=True, kw_only=True)
class Attempt:
    """One name the resolver tried (a search candidate), and what decided it.

    ``answer`` is the reply the libc acted on: the accepted answer, or the last
    SERVFAIL/REFUSED; None when no server replied.
    """

    qname: str
    answer: DnsAnswer | None

    @property
    def status(self) -> str:
        """``NOERROR``, ``NODATA``, ``NXDOMAIN``, ``SERVFAIL``, ... or ``TIMEOUT``."""
        return "TIMEOUT" if self.answer is None else self.answer.status


@dataclass(frozen=True, slots=True, kw_only=True)
class GaiResult:
    """What ``getaddrinfo`` returns: addresses, or an ``EAI_*`` error, and why.

    ``error`` is ``EAI_NONAME``, ``EAI_NODATA`` (glibc only) or ``EAI_AGAIN``,
    None on success; ``SIGFPE`` when getaddrinfo never returns because musl kills
    the process (``attempts:0``). ``rule`` names the rule that decided it.
    """

    addresses: tuple[str, ...] = ()
    error: str | None = None
    rule: str = ""

    @property
    def ok(self) -> bool:
        """True when getaddrinfo returned addresses."""
        return self.error is None

    @property
    def text(self) -> str:
        """``OK <address> ...`` or the error's name (the harness program's line)."""
        return " ".join(("OK", *self.addresses)) if self.ok else str(self.error)


@dataclass(frozen=True, slots=True, kw_only=True)
class Resolution:
    """One getaddrinfo: every name tried, every datagram sent, the result.

    ``attempts`` has one entry per name tried; ``datagrams`` every query on the
    wire, retries included, with its nameserver, attempt number and wait;
    ``result`` is what the application gets. ``answer`` is the reply whose
    records were used (None when nothing was found); ``status`` is ``NOERROR``
    when found, else the getaddrinfo error.
    """

    name: str
    qtype: str
    libc: Libc
    resolv_conf: ResolvConf
    attempts: tuple[Attempt, ...]
    answer: DnsAnswer | None
    status: str
    family: Family | None = None
    datagrams: tuple[Datagram, ...] = ()
    result: GaiResult = GaiResult()

    @property
    def found(self) -> bool:
        """True when the lookup gave the application addresses (records)."""
        return self.result.ok

    @property
    def queries(self) -> tuple[str, ...]:
        """The names tried, in order (each once, however often it was sent)."""
        return tuple(a.qname for a in self.attempts)


def _records(sent: Sent, qtypes: tuple[str, ...]) -> tuple[str, ...]:
    """The data of the answer records of the asked types (A, AAAA, ...)."""
    return tuple(
        r.data
        for answer in sent.answers
        if answer is not None
        for r in answer.answer
        if r.type in qtypes
    )


def _attempt(sent: Sent, wire: Wire, start: int, qname: str) -> Attempt:
    """The name tried and the reply acted on: the accepted one, else the last."""
    answer = next((a for a in sent.answers if a is not None), None)
    if answer is None:
        replies = [d.answer for d in wire.datagrams[start:] if d.answer is not None]
        answer = replies[-1] if replies else None
    return Attempt(qname=qname, answer=answer)


class _Lookup:
    """The state one getaddrinfo carries from name to name."""

    def __init__(
        self, wire: Wire, conf: ResolvConf, qtypes: tuple[str, ...], rotate_start: int
    ) -> None:
        self.wire = wire
        self.conf = conf
        self.qtypes = qtypes
        self.rotate_start = rotate_start
        self.sends = 0
        self.buffer: Rcode | None = None
        self.failed = False  # the last question got no usable reply
        self.unsent = False  # ... because nothing was sent (attempts:0)
        self.tried: list[Attempt] = []

    def glibc(self, qname: str) -> tuple[str, tuple[str, ...]]:
        """Ask glibc's way; return its h_errno-like outcome and the records."""
        count = len(nameservers(self.conf))
        offset = 0
        if self.conf.rotate and count > 1:
            # nameserver_offset: a random start per process, then one further
            # along for each question; ``rotate_start`` is that random start
            offset = (self.rotate_start + self.sends) % count
        self.sends += 1
        start = len(self.wire.datagrams)
        sent = glibc_send(
            self.wire,
            self.conf,
            qname,
            self.qtypes,
            offset=offset,
            buffer_rcode=self.buffer,
        )
        self.buffer = sent.rcode
        self.failed = sent.failed
        self.unsent = sent.unsent
        self.tried.append(_attempt(sent, self.wire, start, qname))
        tried = _records(sent, self.qtypes)
        if sent.failed:
            return "TRY_AGAIN", tried
        usable = [a for a in sent.answers if a is not None]
        if any(a.rcode is Rcode.NOERROR and a.answer for a in usable):
            return "SUCCESS", tried
        rcode = next((a.rcode for a in usable if a.rcode is not Rcode.NOERROR), None)
        if rcode is None:
            return "NO_DATA", tried
        return ("HOST_NOT_FOUND" if rcode is Rcode.NXDOMAIN else "NO_RECOVERY"), tried

    def musl(self, qname: str) -> tuple[str, tuple[str, ...]]:
        """Ask musl's way: ``EAI_AGAIN``, ``NXDOMAIN`` (go on) or ``ANSWER``."""
        start = len(self.wire.datagrams)
        sent = musl_send(self.wire, self.conf, qname, self.qtypes)
        self.tried.append(_attempt(sent, self.wire, start, qname))
        tried = _records(sent, self.qtypes)
        for answer in sent.answers:
            if answer is None:
                return "EAI_AGAIN", tried
            if answer.rcode is Rcode.NXDOMAIN:
                return "NXDOMAIN", tried
        return "ANSWER", tried


_GAI_ERROR = {
    "TRY_AGAIN": "EAI_AGAIN",
    "NO_DATA": "EAI_NODATA",
    "HOST_NOT_FOUND": "EAI_NONAME",
    "NO_RECOVERY": "EAI_NONAME",
}


def _glibc_found(
    qname: str, records: tuple[str, ...], family: Family | None
) -> GaiResult:
    if records:
        return GaiResult(addresses=records, rule=f"found at {qname}")
    # res_query counts any answer record as success, so the search stops here;
    # nss_dns then finds no address: gethostbyname3_r (inet, inet6) reports
    # NO_DATA, gethostbyname4_r (unspec) HOST_NOT_FOUND (both measured).
    error = "EAI_NONAME" if family == "unspec" else "EAI_NODATA"
    return GaiResult(
        error=error,
        rule=f"{qname} answered with records but no address (a CNAME a stub does "
        f"not chase): the search stops there, {error}",
    )


def _glibc(run: _Lookup, bare: str, absolute: bool, family: Family | None) -> GaiResult:
    conf = run.conf
    dots = bare.count(".")
    saved: str | None = None
    if absolute or dots >= conf.ndots:
        outcome, tried = run.glibc(bare + ".")
        if outcome == "SUCCESS":
            return _glibc_found(bare + ".", tried, family)
        if absolute:
            error = _GAI_ERROR[outcome]
            return GaiResult(
                error=error, rule=f"an absolute name is asked once: {outcome}, {error}"
            )
        saved = outcome
    got_nodata = got_servfail = False
    herrno = "HOST_NOT_FOUND"
    stopped: str | None = None
    root_on_list = False
    for domain in conf.search:
        suffix = domain.strip(".")
        root_on_list = root_on_list or not suffix
        qname = f"{bare}.{suffix}." if suffix else f"{bare}."
        outcome, tried = run.glibc(qname)
        if outcome == "SUCCESS":
            return _glibc_found(qname, tried, family)
        herrno = outcome
        if run.unsent:
            break  # res_send failed with ECONNREFUSED: the search gives up
        if outcome == "NO_DATA":
            got_nodata = True
        elif outcome == "TRY_AGAIN" and run.buffer is Rcode.SERVFAIL:
            got_servfail = True  # glibc goes on to the next domain after SERVFAIL
        elif outcome != "HOST_NOT_FOUND":
            stopped = f"{outcome} at {qname} ends the search list"
            break
    if saved is None and not root_on_list and not run.unsent:
        outcome, tried = run.glibc(bare + ".")
        if outcome == "SUCCESS":
            return _glibc_found(bare + ".", tried, family)
        herrno = outcome
    if run.unsent:
        return GaiResult(
            error="EAI_AGAIN",
            rule="attempts:0: glibc sends nothing, res_send fails and the search "
            "gives up: EAI_AGAIN",
        )
    return _glibc_failed(
        saved
        or ("NO_DATA" if got_nodata else None)
        or ("TRY_AGAIN" if got_servfail else None)
        or herrno,
        family=family,
        last_failed=run.failed,
        stopped=stopped,
    )


def _glibc_failed(
    herrno: str, *, family: Family | None, last_failed: bool, stopped: str | None
) -> GaiResult:
    """getaddrinfo's error when ``__res_context_search`` found nothing.

    The search's h_errno is the as-is query's if it came first, else NO_DATA if
    any name had it, else TRY_AGAIN if any got SERVFAIL, else the last query's.
    AF_UNSPEC (``gethostbyname4_r``) maps it as is: TRY_AGAIN is EAI_AGAIN.
    AF_INET and AF_INET6 (``gethostbyname3_r``) report EAI_AGAIN only when the
    last question itself got no usable reply; a TRY_AGAIN from an earlier one
    becomes EAI_NONAME (measured: SERVFAIL then NXDOMAIN).
    """
    prefix = f"{stopped}; " if stopped else ""
    if herrno == "TRY_AGAIN" and family != "unspec" and not last_failed:
        error = "EAI_NONAME"
        why = (
            "an earlier SERVFAIL left TRY_AGAIN, but the last name got a reply: "
            "gethostbyname3_r reports it as not found"
        )
    elif last_failed and family != "unspec" and herrno != "NO_DATA":
        error = "EAI_AGAIN"
        why = "the last name got no usable reply (SERVFAIL, REFUSED or silence)"
    else:
        error = _GAI_ERROR[herrno]
        why = f"the search ended with h_errno {herrno}"
    return GaiResult(error=error, rule=f"{prefix}{why}: {error}")


def _musl(run: _Lookup, bare: str, absolute: bool) -> GaiResult:
    conf = run.conf
    if conf.attempts == 0:
        # res_msend divides the timeout by attempts (musl 1.2.3, measured)
        return GaiResult(
            error="SIGFPE",
            rule="attempts:0: musl divides its timeout by zero and the process dies "
            "of SIGFPE before sending anything",
        )
    candidates = [bare + "."]
    if not absolute and bare.count(".") < conf.ndots:
        # musl appends the search entry as written and drops one trailing dot:
        # an entry "." gives "api.." and a malformed question (see musl_send)
        candidates = [
            f"{bare}.{d}".removesuffix(".") + "." for d in conf.search
        ] + candidates
    for qname in candidates:
        outcome, tried = run.musl(qname)
        if outcome == "NXDOMAIN":
            continue
        if outcome == "EAI_AGAIN":
            why = (
                "an empty label, a question no server can read"
                if ".." in qname
                else "SERVFAIL, REFUSED or silence"
            )
            return GaiResult(
                error="EAI_AGAIN",
                rule=f"no NOERROR or NXDOMAIN reply for {qname} before the timeout "
                f"({why}): EAI_AGAIN, the search stops",
            )
        if tried:
            return GaiResult(addresses=tried, rule=f"found at {qname}")
        return GaiResult(
            error="EAI_NONAME",
            rule=f"{qname} exists with no address (NODATA, or a CNAME a stub does "
            "not chase): EAI_NONAME, the search stops",
        )
    return GaiResult(error="EAI_NONAME", rule="every name tried was NXDOMAIN")


def _check_name(name: object) -> str:
    if not isinstance(name, str) or not name.strip(".") or " " in name:
        raise K8sDnsInputError(
            [f"name {shown(name)} is not a host name: dot-separated labels, e.g. api"]
        )
    return name


def _lookup_arguments(conf: object, lookup: object, servers: object) -> None:
    """Refuse, naming each, a ``conf``, ``lookup`` or ``servers`` of the wrong kind."""
    problems = []
    if not isinstance(conf, ResolvConf):
        problems.append(
            "conf must be a ResolvConf (ResolvConf.parse of the file), "
            f"not {kind(conf)}"
        )
    if not callable(lookup):
        problems.append(f"lookup {_NOT_A_LOOKUP}")
    if servers is not None and not isinstance(servers, Mapping):
        problems.append(
            "servers must be a mapping of nameserver address to lookup, "
            f"not {kind(servers)}"
        )
    elif servers is not None:
        problems += [
            f"servers[{shown(server)}] {_NOT_A_LOOKUP}, keyed by an address (text)"
            for server, each in servers.items()
            if not isinstance(server, str) or not callable(each)
        ]
    if problems:
        raise K8sDnsInputError(problems)


_NOT_A_LOOKUP = "must be a function of (name, type) returning a DnsAnswer or None"


def resolve_with(
    conf: ResolvConf,
    name: str,
    lookup: Lookup,
    qtype: str = "A",
    libc: Libc = "glibc",
    *,
    family: Family | None = None,
    servers: Mapping[str, Lookup] | None = None,
    rotate_start: int = 0,
) -> Resolution:
    """Run ``libc``'s getaddrinfo for ``name`` with ``conf``, asking ``lookup``.

    ``family`` is getaddrinfo's ``ai_family`` (``unspec`` sends A and AAAA);
    without it ``qtype`` A is ``inet``, AAAA ``inet6``, and any other type is
    one query of that type down the same path. ``servers`` gives a nameserver
    its own lookup (the others use ``lookup``); a lookup returning None is a
    server that never replies. ``rotate_start`` is the nameserver glibc's
    ``rotate`` picks at random for the first question of a process.

    glibc: a trailing dot is one name; with at least ``ndots`` dots the name as
    is comes first, then the search list; NXDOMAIN, NODATA and SERVFAIL move on,
    anything else ends the list; the name as is comes last if not tried. Each
    name is sent ``attempts`` times to every nameserver until a reply other
    than SERVFAIL/NOTIMP/REFUSED. Any answer record (a lone CNAME too) ends the
    search. The error is the as-is query's if it came first, else NODATA if any
    name had it, else the last query's: after SERVFAIL then NXDOMAIN glibc says
    EAI_NONAME. musl: a trailing dot or ``ndots`` dots means the name as is
    only; otherwise the search list then the name. Each name goes to every
    nameserver at once; only NOERROR or NXDOMAIN is accepted; a name without
    one before ``timeout`` is EAI_AGAIN, and only NXDOMAIN moves on: a name
    with no address is EAI_NONAME.

    Raises :class:`~awscore.errors.K8sDnsInputError` for an empty name, a libc
    other than ``glibc`` and ``musl``, an unknown family or a negative
    ``rotate_start``.
    """
    rtype = normalise_qtype(qtype)
    _lookup_arguments(conf, lookup, servers)
    if libc not in LIBCS:
        raise K8sDnsInputError([f"libc {shown(libc)} is not accepted: glibc or musl"])
    if family is not None and family not in FAMILIES:
        raise K8sDnsInputError(
            [f"family {shown(family)} is not accepted: inet, inet6 or unspec"]
        )
    if (
        isinstance(rotate_start, bool)
        or not isinstance(rotate_start, int)
        or (rotate_start < 0)
    ):
        raise K8sDnsInputError(
            [f"rotate_start {shown(rotate_start)} must be a whole number 0 or more"]
        )
    _check_name(name)
    chosen: Family | None = family
    if chosen is None and rtype in ("A", "AAAA"):
        chosen = "inet" if rtype == "A" else "inet6"
    qtypes = _QTYPES[chosen] if chosen is not None else (rtype,)
    table = dict(servers or {})

    def ask(server: str, qname: str, asked: str) -> DnsAnswer | None:
        return table.get(server, lookup)(qname, asked)

    glibc = libc == "glibc"
    wire = Wire(ask, edns0=glibc and conf.edns0, ad=glibc and conf.trust_ad)
    run = _Lookup(wire, conf, qtypes, rotate_start)
    bare, absolute = name.rstrip("."), name.endswith(".")
    if glibc:
        result = _glibc(run, bare, absolute, chosen)
    else:
        result = _musl(run, bare, absolute)
    with_records = [
        d.answer
        for d in wire.datagrams
        if d.answer is not None and any(r.type in qtypes for r in d.answer.answer)
    ]
    used = with_records[-1] if result.ok else None
    return Resolution(
        name=name,
        qtype=qtypes[0],
        libc=libc,
        resolv_conf=conf,
        attempts=tuple(run.tried),
        answer=used,
        status="NOERROR" if result.ok else str(result.error),
        family=chosen,
        datagrams=tuple(wire.datagrams),
        result=result,
    )


def resolve(
    cluster: Cluster,
    pod: Pod | str,
    name: str,
    qtype: str = "A",
    libc: Libc = "glibc",
    *,
    family: Family | None = None,
    rotate_start: int = 0,
) -> Resolution:
    """Resolve ``name`` from ``pod`` (a :class:`Pod` or ``namespace/name``).

    The pod's resolv.conf comes from :meth:`Cluster.resolv_conf`. A nameserver
    that is a cluster DNS IP gives the cluster's answers (names outside the zone
    go to ``cluster.upstream``); any other (dnsPolicy Default, hostNetwork, a
    ``dnsConfig`` nameserver) is the node's resolver, which knows only
    ``upstream``. ``family`` and ``rotate_start`` are as for
    :func:`resolve_with`.
    """
    if not isinstance(cluster, Cluster):
        raise K8sDnsInputError([f"cluster must be a Cluster, not {kind(cluster)}"])
    target = cluster.pod(pod) if isinstance(pod, str) else pod
    conf = cluster.resolv_conf(target)

    def in_cluster(qname: str, rtype: str) -> DnsAnswer:
        return cluster.query(qname, rtype, recursive=True)

    servers: dict[str, Lookup] = dict.fromkeys(cluster.dns_ips, in_cluster)
    return resolve_with(
        conf,
        name,
        cluster.upstream_query,
        qtype,
        libc,
        family=family,
        servers=servers,
        rotate_start=rotate_start,
    )
