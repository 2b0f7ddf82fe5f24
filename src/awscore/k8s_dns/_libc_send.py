"""How glibc and musl put one question on the wire: datagrams, retries and waits.

glibc: ``resolv/res_send.c`` (``__res_context_send``, ``send_dg``,
``nameserver_offset``); musl 1.2.3: ``src/network/res_msend.c``
(``__res_msend_rc``). Every rule here was checked against the real libraries by
the harness in ``tests/k8s_dns/libc`` (glibc 2.36, musl 1.2.3, Debian 12).

Time is simulated: a reply comes back at once, in the order the questions were
sent, and a silent server costs the libc's timeout. ``at`` and ``wait`` are
seconds on that clock, exact to the millisecond.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from awscore.k8s_dns._model import DnsAnswer, Rcode
from awscore.k8s_dns._resolvconf import ResolvConf

#: What a nameserver answers to (server, qname, qtype); None: no reply at all.
Ask = Callable[[str, str, str], DnsAnswer | None]

#: glibc's caps: ``RES_MAXRETRANS`` (timeout), ``RES_MAXRETRY`` (attempts).
GLIBC_MAX_TIMEOUT = 30
GLIBC_MAX_ATTEMPTS = 5
#: musl's caps (``resolvconf.c``).
MUSL_MAX_TIMEOUT = 60
MUSL_MAX_ATTEMPTS = 10
#: Both read at most three ``nameserver`` lines (``MAXNS``).
MAX_NAMESERVERS = 3
#: Both use the local host when resolv.conf names no nameserver.
DEFAULT_NAMESERVER = "127.0.0.1"

_RETRIED = (Rcode.SERVFAIL, Rcode.NOTIMP, Rcode.REFUSED)


@dataclass(frozen=True, slots=True, kw_only=True)
class Datagram:
    """One query datagram a libc sends, where to, when, why, and its reply.

    ``attempt`` counts from 1: glibc's try (``attempts`` tries of every
    nameserver), musl's retransmission round (every ``timeout/attempts``
    seconds). ``wait`` is the time since the previous datagram of the lookup,
    ``at`` the time since the first. ``edns0`` and ``ad`` say whether the query
    carries an OPT record and the AD bit. ``answer`` is None when no reply came.
    """

    qname: str
    qtype: str
    server: str
    attempt: int
    wait: float
    at: float
    reason: str
    edns0: bool = False
    ad: bool = False
    answer: DnsAnswer | None = None

    @property
    def status(self) -> str:
        """The reply's status (``NOERROR``, ``NXDOMAIN``, ...), or ``TIMEOUT``."""
        return "TIMEOUT" if self.answer is None else self.answer.status


def nameservers(conf: ResolvConf) -> tuple[str, ...]:
    """The nameservers a libc uses: the first three, or the local host."""
    return conf.nameservers[:MAX_NAMESERVERS] or (DEFAULT_NAMESERVER,)


class Wire:
    """The datagrams of one lookup, on a simulated millisecond clock."""

    def __init__(self, ask: Ask, *, edns0: bool = False, ad: bool = False) -> None:
        self.ask = ask
        self.edns0 = edns0
        self.ad = ad
        self.now = 0  # milliseconds
        self.datagrams: list[Datagram] = []

    def send(
        self,
        server: str,
        qname: str,
        qtype: str,
        attempt: int,
        reason: str,
        *,
        readable: bool = True,
    ) -> DnsAnswer | None:
        """Send one datagram now; return the reply (None: none comes, or the
        question is not one a server can read)."""
        answer = self.ask(server, qname, qtype) if readable else None
        previous = self.datagrams[-1].at if self.datagrams else self.now / 1000
        self.datagrams.append(
            Datagram(
                qname=qname,
                qtype=qtype,
                server=server,
                attempt=attempt,
                wait=round(self.now / 1000 - previous, 3),
                at=self.now / 1000,
                reason=reason,
                edns0=self.edns0,
                ad=self.ad,
                answer=answer,
            )
        )
        return answer


@dataclass(frozen=True, slots=True, kw_only=True)
class Sent:
    """What one send of a question (one or two query types) came back with.

    ``answers`` has one entry per query type, None where no usable reply came;
    ``failed`` is glibc's "every try of every server failed"; ``rcode`` is the
    rcode of the last reply glibc read into its answer buffer (None if none).
    """

    answers: tuple[DnsAnswer | None, ...]
    failed: bool
    rcode: Rcode | None
    #: nothing was sent (glibc ``attempts:0``): res_send fails with ECONNREFUSED
    unsent: bool = False


def _glibc_wait(conf: ResolvConf, index: int, count: int) -> int:
    # send_dg: seconds = retrans << ns, divided by the server count past the
    # first, at least one second.
    retrans = min(conf.timeout, GLIBC_MAX_TIMEOUT)
    seconds = retrans << index
    if index > 0:
        seconds //= count
    return max(seconds, 1) * 1000


def glibc_send(
    wire: Wire,
    conf: ResolvConf,
    qname: str,
    qtypes: tuple[str, ...],
    *,
    offset: int,
    buffer_rcode: Rcode | None,
) -> Sent:
    """glibc's ``__res_context_send`` of one question (A, AAAA, or both).

    Every try (``attempts``, at most 5) asks every nameserver in turn, starting
    at ``offset`` (``rotate``). Both query types go out at once unless
    ``single-request``; a SERVFAIL, NOTIMP or REFUSED reply to the first moves
    on to the next server at once; a silent server costs its timeout; a bad
    reply to the second after a good first keeps the first alone.
    """
    servers = nameservers(conf)
    count = len(servers)
    # attempts:0 is zero tries: nothing is sent (measured)
    tries = min(conf.attempts, GLIBC_MAX_ATTEMPTS)
    single = conf.single_request or conf.single_request_reopen
    reason = "first"
    for attempt in range(1, tries + 1):
        for shift in range(count):
            index = (shift + offset) % count
            server = servers[index]
            first = wire.send(server, qname, qtypes[0], attempt, reason)
            second: DnsAnswer | None = None
            both = len(qtypes) == 2
            if both and not single:
                second = wire.send(server, qname, qtypes[1], attempt, reason)
            if first is None:
                wire.now += _glibc_wait(conf, index, count)
                reason = f"no reply from {server} in time"
                continue
            buffer_rcode = first.rcode
            if first.rcode in _RETRIED:
                reason = f"{first.rcode.value} from {server}"
                continue
            if both and single:
                second = wire.send(server, qname, qtypes[1], attempt, "single-request")
            if both and second is None:
                wire.now += _glibc_wait(conf, index, count)
            if second is not None and second.rcode in _RETRIED:
                second = None
            answers = (first, second) if both else (first,)
            return Sent(answers=answers, failed=False, rcode=buffer_rcode)
    return Sent(
        answers=(None,) * len(qtypes),
        failed=True,
        rcode=buffer_rcode,
        unsent=tries == 0,
    )


def musl_send(
    wire: Wire, conf: ResolvConf, qname: str, qtypes: tuple[str, ...]
) -> Sent:
    """musl's ``__res_msend_rc``: every query to every nameserver at once.

    Unanswered queries go out again every ``timeout/attempts`` seconds until
    ``timeout`` (capped at 60 and 10) has passed. Only NOERROR and NXDOMAIN are
    accepted, from whichever server answers first; a SERVFAIL is re-sent to its
    server at once (two re-sends per query and round, pooled between the
    queries); any other rcode (REFUSED) is ignored, so the query waits for the
    next round.
    """
    servers = nameservers(conf)
    # musl encodes an empty label as a broken one (measured: "api.." from a "."
    # search entry): no server can read that question, and whatever it answers
    # (FORMERR at best) musl does not accept
    readable = ".." not in qname
    timeout = min(conf.timeout, MUSL_MAX_TIMEOUT) * 1000
    # attempts:0 never gets here: musl divides by it (see resolve_with)
    interval = timeout // min(conf.attempts, MUSL_MAX_ATTEMPTS)
    answers: list[DnsAnswer | None] = [None] * len(qtypes)
    start = wire.now
    attempt = 0
    replies: deque[tuple[int, str, DnsAnswer | None]] = deque()
    # each turn of the loop is a round: the clock only moves to the next one
    while wire.now - start < timeout and None in answers:
        attempt += 1
        reason = "first" if attempt == 1 else "no accepted reply in time"
        for i, qtype in enumerate(qtypes):
            if answers[i] is None:
                for server in servers:
                    reply = wire.send(
                        server, qname, qtype, attempt, reason, readable=readable
                    )
                    replies.append((i, server, reply))
        last_round = wire.now
        servfail_retries = 2 * len(qtypes)
        while replies:
            i, server, reply = replies.popleft()
            if reply is None or answers[i] is not None:
                continue
            if reply.rcode in (Rcode.NOERROR, Rcode.NXDOMAIN):
                answers[i] = reply
            elif reply.rcode is Rcode.SERVFAIL and servfail_retries:
                servfail_retries -= 1
                again = wire.send(
                    server, qname, qtypes[i], attempt, f"SERVFAIL from {server}"
                )
                replies.append((i, server, again))
        if None in answers:
            wire.now = min(last_round + interval, start + timeout)
    return Sent(answers=tuple(answers), failed=None in answers, rcode=None)
