"""Hypothesis strategies for KPL aggregation: user records and hostile aggregates.

Partition keys are drawn half from a small pool (so that aggregates repeat keys
and the tables deduplicate) and half from all of Unicode except surrogates
(which have no UTF-8 form), up to Kinesis's 256 characters. Explicit hash keys
span 0..2**128-1, edges included. :func:`corrupt_aggregates` mutates the
protobuf of a valid aggregate and then *recomputes the digest*, so the damage
reaches the protobuf decoder instead of being caught by the MD5 check.
"""

from __future__ import annotations

import hashlib

from hypothesis import strategies as st

from awscore.kinesis._aggregation import MAGIC, UserRecord, aggregate

MAX_HASH_KEY = (1 << 128) - 1
KEY_POOL = ("a", "b", "pk1", "ключ", "🔑", "x" * 256, "日本語")

_text = st.characters(codec="utf-8")  # no lone surrogates: they have no UTF-8


def frame(body: bytes) -> bytes:
    """Wrap a protobuf body as an aggregated record: magic, body, MD5 digest."""
    return MAGIC + body + hashlib.md5(body, usedforsecurity=False).digest()


def partition_keys() -> st.SearchStrategy[str]:
    """Valid partition keys: 1..256 code points, repeated often."""
    return st.one_of(
        st.sampled_from(KEY_POOL), st.text(_text, min_size=1, max_size=256)
    )


def explicit_hash_keys() -> st.SearchStrategy[str]:
    """Valid ``ExplicitHashKey`` strings, 0..2**128-1, edges and repeats likely."""
    return st.one_of(
        st.sampled_from(("0", "1", "123", str(MAX_HASH_KEY), str(1 << 127))),
        st.integers(0, MAX_HASH_KEY).map(str),
    )


def tags() -> st.SearchStrategy[tuple[tuple[str, str | None], ...]]:
    """Tag tuples: unicode keys, values present or absent, empty strings too."""
    return st.lists(
        st.tuples(st.text(_text, max_size=8), st.none() | st.text(_text, max_size=8)),
        max_size=3,
    ).map(tuple)


@st.composite
def user_records(
    draw: st.DrawFn,
    *,
    explicit: bool | None = None,
    with_tags: bool = True,
    max_data: int = 64,
) -> UserRecord:
    """A user record; ``explicit`` forces an explicit hash key on or off."""
    has_ehk = draw(st.booleans()) if explicit is None else explicit
    return UserRecord(
        partition_key=draw(partition_keys()),
        data=draw(st.binary(max_size=max_data)),
        explicit_hash_key=draw(explicit_hash_keys()) if has_ehk else None,
        tags=draw(tags()) if with_tags else (),
    )


def record_lists(
    *,
    explicit: bool | None = None,
    with_tags: bool = True,
    min_size: int = 1,
    max_size: int = 20,
    max_data: int = 64,
) -> st.SearchStrategy[list[UserRecord]]:
    """Lists of user records, as a producer would be handed them."""
    return st.lists(
        user_records(explicit=explicit, with_tags=with_tags, max_data=max_data),
        min_size=min_size,
        max_size=max_size,
    )


@st.composite
def corrupt_aggregates(draw: st.DrawFn) -> bytes:
    """A valid aggregate whose protobuf was damaged, with a digest that matches."""
    records = draw(record_lists(max_size=5, max_data=16))
    body = bytearray(aggregate(records)[0].data[len(MAGIC) : -16])
    for _ in range(draw(st.integers(1, 4))):
        action = draw(st.sampled_from(("flip", "set", "insert", "delete", "truncate")))
        at = draw(st.integers(0, max(len(body) - 1, 0)))
        if action == "flip" and body:
            body[at] ^= 1 << draw(st.integers(0, 7))
        elif action == "set" and body:
            body[at] = draw(st.sampled_from((0x00, 0x7F, 0x80, 0xFF, 0x0F, 0x22)))
        elif action == "insert":
            body[at:at] = draw(st.binary(min_size=1, max_size=11))
        elif action == "delete" and body:
            del body[at : at + draw(st.integers(1, 4))]
        elif action == "truncate":
            del body[at:]
    return frame(bytes(body))


def hostile_data() -> st.SearchStrategy[bytes]:
    """Any bytes, raw or framed with the magic and a correct or wrong digest."""
    raw = st.binary(max_size=200)
    return st.one_of(
        raw,
        raw.map(frame),
        raw.map(lambda body: MAGIC + body),
        corrupt_aggregates(),
    )
