"""The stub resolver's search-list algorithms of glibc and musl.

glibc: ``resolv/res_query.c`` ``__res_context_search``; musl:
``src/network/lookup_name.c`` ``name_from_dns_search`` and ``name_from_dns``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from awscore.errors import K8sDnsInputError
from awscore.k8s_dns._model import Cluster, DnsAnswer, Pod, Rcode, normalise_qtype
from awscore.k8s_dns._resolvconf import ResolvConf

#: The C libraries whose search algorithms are modelled.
Libc = Literal["glibc", "musl"]
#: Both libcs, in the order the CLI and the docs show them.
LIBCS: tuple[Libc, ...] = ("glibc", "musl")

Lookup = Callable[[str, str], DnsAnswer]


@dataclass(frozen=True, slots=True, kw_only=True)
class Attempt:
    """One query the stub resolver sent, and what came back."""

    qname: str
    answer: DnsAnswer

    @property
    def status(self) -> str:
        """``NOERROR``, ``NODATA``, ``NXDOMAIN``, ``SERVFAIL``, ..."""
        return self.answer.status


@dataclass(frozen=True, slots=True, kw_only=True)
class Resolution:
    """Every query tried, in order, and the outcome.

    ``answer`` is the successful response (NOERROR with records), or None;
    ``status`` is what the application sees: ``NOERROR`` or the failure the libc
    reports (glibc prefers NODATA, then SERVFAIL, over NXDOMAIN).
    """

    name: str
    qtype: str
    libc: Libc
    resolv_conf: ResolvConf
    attempts: tuple[Attempt, ...]
    answer: DnsAnswer | None
    status: str

    @property
    def found(self) -> bool:
        """True when some query returned records."""
        return self.answer is not None

    @property
    def queries(self) -> tuple[str, ...]:
        """The names queried, in order."""
        return tuple(a.qname for a in self.attempts)


def _success(answer: DnsAnswer) -> bool:
    return answer.rcode is Rcode.NOERROR and bool(answer.answer)


class _Asker:
    """Sends queries through ``lookup`` and keeps every attempt."""

    def __init__(self, lookup: Lookup, qtype: str) -> None:
        self.lookup = lookup
        self.qtype = qtype
        self.attempts: list[Attempt] = []

    def __call__(self, qname: str) -> DnsAnswer:
        answer = self.lookup(qname, self.qtype)
        self.attempts.append(Attempt(qname=qname, answer=answer))
        return answer


_Outcome = tuple[DnsAnswer | None, str]


def _final(answer: DnsAnswer) -> _Outcome:
    return (answer if _success(answer) else None, answer.status)


def _musl(ask: _Asker, bare: str, absolute: bool, conf: ResolvConf) -> _Outcome:
    # lookup_name.c: no search for an absolute name or one with >= ndots dots;
    # name_from_dns returns 0 (go on) only for NXDOMAIN.
    if absolute or bare.count(".") >= conf.ndots:
        return _final(ask(bare + "."))
    for domain in conf.search:
        answer = ask(f"{bare}.{domain.rstrip('.')}.")
        if answer.rcode is not Rcode.NXDOMAIN:
            return _final(answer)
    return _final(ask(bare + "."))


def _glibc(ask: _Asker, bare: str, absolute: bool, conf: ResolvConf) -> _Outcome:
    # res_query.c __res_context_search.
    if absolute:
        return _final(ask(bare + "."))
    saved: str | None = None
    if bare.count(".") >= conf.ndots:
        answer = ask(bare + ".")
        if _success(answer):
            return answer, answer.status
        saved = answer.status
    got_nodata = got_servfail = False
    for domain in conf.search:
        answer = ask(f"{bare}.{domain.rstrip('.')}.")
        if _success(answer):
            return answer, answer.status
        got_nodata = got_nodata or answer.nodata
        got_servfail = got_servfail or answer.rcode is Rcode.SERVFAIL
        if answer.rcode not in (Rcode.NXDOMAIN, Rcode.SERVFAIL) and not answer.nodata:
            break  # any other failure ends the search list
    if saved is None:
        answer = ask(bare + ".")
        if _success(answer):
            return answer, answer.status
        saved = answer.status if not (got_nodata or got_servfail) else None
    if saved is not None:
        return None, saved
    return None, "NODATA" if got_nodata else "SERVFAIL"


def resolve_with(
    conf: ResolvConf,
    name: str,
    lookup: Lookup,
    qtype: str = "A",
    libc: Libc = "glibc",
) -> Resolution:
    """Run ``libc``'s search algorithm for ``name`` with ``conf``, asking ``lookup``.

    glibc: a trailing dot is absolute, queried once. With at least ``ndots`` dots
    the name is tried as is first (whatever the result, the search list follows);
    then each search domain: NXDOMAIN, NODATA and SERVFAIL move on, any other
    failure ends the list; last, the name as is if not tried yet. When all fail,
    glibc reports the first as-is result if there was one, else NODATA if any
    query got it, else SERVFAIL if any got it, else the last result. musl: a
    trailing dot or at least ``ndots`` dots means the name as is only; otherwise
    each search domain, moving on only after NXDOMAIN, then the name as is.

    Raises :class:`~awscore.errors.K8sDnsInputError` for an empty name or a libc
    other than ``glibc`` and ``musl``.
    """
    rtype = normalise_qtype(qtype)
    if libc not in LIBCS:
        raise K8sDnsInputError([f"libc {libc!r} is not accepted: glibc or musl"])
    if not isinstance(name, str) or not name.strip(".") or " " in name:
        raise K8sDnsInputError(
            [f"name {name!r} is not a host name: dot-separated labels, e.g. api"]
        )
    ask = _Asker(lookup, rtype)
    search = _musl if libc == "musl" else _glibc
    answer, status = search(ask, name.rstrip("."), name.endswith("."), conf)
    return Resolution(
        name=name,
        qtype=rtype,
        libc=libc,
        resolv_conf=conf,
        attempts=tuple(ask.attempts),
        answer=answer,
        status=status,
    )


def resolve(
    cluster: Cluster,
    pod: Pod | str,
    name: str,
    qtype: str = "A",
    libc: Libc = "glibc",
) -> Resolution:
    """Resolve ``name`` from ``pod`` (a :class:`Pod` or ``namespace/name``).

    The pod's resolv.conf comes from :meth:`Cluster.resolv_conf`. When its first
    nameserver is a cluster DNS IP, queries get the cluster's answers (names
    outside the zone go to ``cluster.upstream``); otherwise (dnsPolicy Default,
    hostNetwork) the node's resolver answers, which knows only ``upstream``.
    """
    target = cluster.pod(pod) if isinstance(pod, str) else pod
    conf = cluster.resolv_conf(target)
    in_cluster = bool(conf.nameservers) and conf.nameservers[0] in cluster.dns_ips

    def lookup(qname: str, rtype: str) -> DnsAnswer:
        if in_cluster:
            return cluster.query(qname, rtype, recursive=True)
        return cluster.upstream_query(qname, rtype)

    return resolve_with(conf, name, lookup, qtype, libc)
