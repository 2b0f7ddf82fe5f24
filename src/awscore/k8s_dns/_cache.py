"""A cache of encoded answers in front of the sans-I/O answerer.

The answerer (:func:`~awscore.k8s_dns.answer_wire`) stays the source of truth: a
reply is cached only as the exact bytes it produced, and a hit is that reply with
the query's ID and question name written over it. That is the same reply the
answerer would give, because

* the key holds everything in the query that the reply depends on: the flags
  word, the question name lower-cased (names match case-insensitively; SRV
  and ANY questions keep their spelling, as SRV targets are written out in
  full with the question's spelling of the zone), its type and class, the
  EDNS OPT record byte for byte (payload size, version, DO bit), and whether
  it came over TCP (no UDP size limit);
* every name in a reply that spells the question name, or a suffix of it, is a
  compression pointer into the question (dnspython compresses names
  case-insensitively), so writing the query's spelling of the question over
  the cached one gives every such name the query's case, as the answerer does.

Only the plain shape is cached: one question with no compression pointer, no
answer or authority records, and either no additional record or one OPT with no
options. Anything else (EDNS options, TSIG, odd counts, garbage) goes to the
answerer every time.
"""

from __future__ import annotations

#: Default bound on cached replies per server; past it the oldest entry goes.
MAX_ENTRIES = 100_000

_COUNTS_PLAIN = b"\x00\x01\x00\x00\x00\x00\x00\x00"
_COUNTS_OPT = b"\x00\x01\x00\x00\x00\x00\x00\x01"
_OPT_LENGTH = 11  # root name, type 41, class, TTL, RDLENGTH 0
# SRV targets are never compressed (RFC 2782), and CoreDNS spells their zone as
# the question does: an SRV (or ANY) reply depends on the question's letter case
# beyond the question itself, so those questions are cached by exact spelling.
_SPELT_TYPES = frozenset({b"\x00\x21", b"\x00\xff"})


def _name_end(wire: bytes) -> int | None:
    """Where the question name's root label is, or None (pointer, overrun)."""
    size = len(wire)
    at = 12
    length = wire[at]
    while length:
        if length > 63:  # a compression pointer or a reserved label type
            return None
        at += length + 1
        if at >= size:
            return None
        length = wire[at]
    return at


def _plain_tail(wire: bytes, end: int) -> bool:
    """Whether what follows the question (at ``end``) is nothing, or one OPT
    record without options, as the header's counts say."""
    counts = wire[4:12]
    if counts == _COUNTS_PLAIN:
        return len(wire) == end
    return (
        counts == _COUNTS_OPT
        and len(wire) == end + _OPT_LENGTH
        and wire[end : end + 3] == b"\x00\x00\x29"
        and wire[end + 9 : end + 11] == b"\x00\x00"
    )


def cache_key(wire: bytes, tcp: bool) -> tuple[bytes, int] | None:
    """The cache key of a query and the offset where its question name ends, or
    None for a query of a shape that is never cached."""
    if len(wire) < 17 or wire[2] & 0xF8:  # a response, or an opcode not QUERY
        return None
    at = _name_end(wire)
    # at + 5: past the root label, QTYPE and QCLASS
    if at is None or not _plain_tail(wire, at + 5):
        return None
    prefix = b"T" if tcp else b"U"
    name = wire[12:at]
    if wire[at + 1 : at + 3] not in _SPELT_TYPES:
        name = name.lower()
    return prefix + wire[2:4] + name + wire[at:], at


def patch(reply: bytes, wire: bytes, name_end: int) -> bytes:
    """``reply`` to an earlier query with the same key, made the reply to
    ``wire``: its ID and its spelling of the question name."""
    return wire[:2] + reply[2:12] + wire[12:name_end] + reply[name_end:]


class AnswerCache:
    """Encoded replies by :func:`cache_key`, at most ``max_entries`` of them.

    A new cluster gets a new cache: an instance never outlives the cluster
    whose answers it holds, so invalidation is replacing it.
    """

    __slots__ = ("_entries", "max_entries")

    def __init__(self, max_entries: int = MAX_ENTRIES) -> None:
        self.max_entries = max_entries
        self._entries: dict[bytes, bytes] = {}

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: bytes) -> bytes | None:
        """The reply stored for ``key``, or None."""
        return self._entries.get(key)

    def put(self, key: bytes, reply: bytes) -> None:
        """Keep ``reply`` for ``key``, dropping the oldest entry when full."""
        entries = self._entries
        if len(entries) >= self.max_entries and key not in entries:
            if self.max_entries <= 0:
                return
            del entries[next(iter(entries))]
        entries[key] = reply

    def snapshot(self) -> dict[bytes, bytes]:
        """A copy of every entry (for tests that check nothing changed)."""
        return dict(self._entries)
