"""Hypothesis strategies for Kinesis streams and resharding."""

from __future__ import annotations

from hypothesis import strategies as st

from awscore.kinesis import MAX_HASH_KEY, Stream

partition_keys = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]),
    min_size=1,
    max_size=256,
)
hash_keys = st.integers(min_value=0, max_value=MAX_HASH_KEY)
explicit_hash_keys = hash_keys.map(str)


@st.composite
def resharded_streams(draw: st.DrawFn, *, max_steps: int = 12) -> Stream:
    """A stream after a random sequence of legal splits, merges and scalings."""
    stream = Stream.create(draw(st.integers(min_value=1, max_value=12)))
    for _ in range(draw(st.integers(min_value=0, max_value=max_steps))):
        action = draw(st.sampled_from(["split", "merge", "scale"]))
        shards = stream.open_shards
        if action == "split":
            shard = draw(st.sampled_from(shards))
            low, high = shard.starting_hash_key, shard.ending_hash_key
            if high - low < 3:
                continue
            key = draw(
                st.one_of(
                    st.integers(min_value=low + 2, max_value=high - 1),
                    st.sampled_from([low + 2, high - 1, (low + high) // 2]),
                )
            )
            stream = stream.split_shard(shard.shard_id, key)
        elif action == "merge" and len(shards) > 1:
            i = draw(st.integers(min_value=0, max_value=len(shards) - 2))
            first, second = shards[i], shards[i + 1]
            if draw(st.booleans()):
                first, second = second, first
            stream = stream.merge_shards(first.shard_id, second.shard_id)
        elif action == "scale":
            count = len(shards)
            target = draw(st.integers(min_value=(count + 1) // 2, max_value=2 * count))
            stream = stream.update_shard_count(min(target, 64))
    return stream
