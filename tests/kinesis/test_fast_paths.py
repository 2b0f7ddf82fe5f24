"""Routing's fast paths give what the general rule gives, errors included.

``Stream.shard_for`` inlines the common case (a valid ``str`` key: MD5, then a
bisect of the starting keys as 16-byte digests on streams of up to 32 open
shards, a division on larger uniform ones, an int bisect otherwise);
``Stream.shards_for`` adds a one-comprehension path for a list. The general
rule is the open shard whose range holds the checked key (``_effective_key``:
the partition key's MD5, or the typed error), found by an int bisect. These
properties run every path on the same inputs and require the same shard or the
same error.
"""

from __future__ import annotations

import bisect
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from awscore.errors import AwsCoreError
from awscore.kinesis import Shard, Stream
from awscore.kinesis._stream import _DIGEST_BISECT_MAX, _effective_key
from tests.strategies import kinesis as kst

#: every kind of key routing can meet: valid, too long, empty, lone
#: surrogates (no UTF-8 form), and things that are not text at all
any_keys: st.SearchStrategy[Any] = st.one_of(
    kst.partition_keys,
    st.text(max_size=300),  # surrogates ("Cs") included, lengths past 256
    st.text(alphabet="ab\ud800", min_size=1, max_size=4),
    st.none(),
    st.integers(),
    st.binary(max_size=4),
)


@st.composite
def split_streams(draw: st.DrawFn) -> Stream:
    """A new stream of 1..64 shards after up to 6 splits: uneven ranges."""
    stream = Stream.create(draw(st.integers(min_value=1, max_value=64)))
    for _ in range(draw(st.integers(min_value=0, max_value=6))):
        shard = draw(st.sampled_from(stream.open_shards))
        low, high = shard.starting_hash_key, shard.ending_hash_key
        if high - low >= 3:
            key = draw(st.integers(min_value=low + 2, max_value=high - 1))
            stream = stream.split_shard(shard.shard_id, key)
    return stream


#: streams on both sides of the digest-bisect bound, uniform and resharded
streams = st.one_of(
    split_streams(),
    st.integers(min_value=1, max_value=2 * _DIGEST_BISECT_MAX).map(Stream.create),
    st.sampled_from([Stream.create(_DIGEST_BISECT_MAX), Stream.create(10_000)]),
)


def _outcome(route: Any, *args: Any) -> tuple[str, Any, Any]:
    try:
        result = route(*args)
    except AwsCoreError as error:
        return ("error", type(error), str(error))
    return ("shard", result, None)


def _general(stream: Stream, key: Any) -> Shard:
    """The rule itself: the open shard whose range holds the checked key's hash."""
    hashed = _effective_key(key, None)
    # the open shards partition the key space: the last start at or below it
    shard = stream.open_shards[bisect.bisect_right(stream._starts, hashed) - 1]
    assert shard.starting_hash_key <= hashed <= shard.ending_hash_key
    return shard


@given(stream=streams, key=any_keys)
def test_shard_for_fast_path_is_the_general_rule(stream: Stream, key: Any) -> None:
    """shard_for(key) is shard_for_hash_key(MD5 of key), or the same typed error."""
    assert _outcome(stream.shard_for, key) == _outcome(_general, stream, key)


@given(stream=streams, keys=st.lists(any_keys, max_size=12))
def test_shards_for_fast_path_is_shard_for_in_order(
    stream: Stream, keys: list[Any]
) -> None:
    """shards_for(keys) is [shard_for(k) for k in keys], or the first key's error.

    For a list (the comprehension) and any other iterable (the loop) alike.
    """

    def one_by_one(keys: list[Any]) -> list[Shard]:
        return [_general(stream, k) for k in keys]

    expected = _outcome(one_by_one, keys)
    assert _outcome(stream.shards_for, keys) == expected
    assert _outcome(stream.shards_for, tuple(keys)) == expected
    assert _outcome(stream.shards_for, iter(keys)) == expected
