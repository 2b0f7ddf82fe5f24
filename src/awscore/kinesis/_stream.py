"""A Kinesis data stream's shards, and how resharding changes them.

A :class:`Stream` is an immutable value: :meth:`Stream.split_shard`,
:meth:`Stream.merge_shards` and :meth:`Stream.update_shard_count` return a new
stream and leave the old one as it was, so a plan can be tried, compared and
thrown away (and a stream shared between threads) without copying.

Rules (Kinesis Data Streams API reference: CreateStream, SplitShard, MergeShards,
UpdateShardCount):

* CreateStream with N shards: s = floor(2**128 / N); shard i covers
  [i*s, (i+1)*s - 1], the last shard ending at 2**128 - 1; ids ``shardId-%012d``
  from 0.
* SplitShard: the shard is open and StartingHashKey + 1 < NewStartingHashKey <
  EndingHashKey; the children [Start, K-1] and [K, End] get the next ids (the lower
  range the lower id) and name the shard as their parent; the parent closes.
* MergeShards: both shards open and their ranges adjacent; the child covers the
  union, its ParentShardId the shard to merge and its AdjacentParentShardId the
  other; both parents close.
* The open shards always partition [0, 2**128 - 1] exactly.
"""

from __future__ import annotations

import bisect
import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from awscore._inputs import shown
from awscore.errors import (
    InvalidHashKeyError,
    InvalidReshardError,
    KinesisInputError,
    ShardNotFoundError,
)
from awscore.kinesis._hashing import (
    HASH_KEY_SPACE,
    MAX_HASH_KEY,
    MAX_PARTITION_KEY_LENGTH,
    hash_key,
    parse_explicit_hash_key,
)
from awscore.kinesis._hashing import md5 as _md5

__all__ = ["MAX_SHARDS", "ReshardOperation", "Shard", "Stream", "shard_id"]


#: The largest shard count UpdateShardCount accepts (a per-stream quota).
MAX_SHARDS = 10_000

#: Up to this many open shards, routing bisects the starting keys as 16-byte
#: big-endian strings, straight on the MD5 digest (bytes order the same as the
#: integers they spell): no int conversion, no 128-bit division. Past it the
#: division (uniform streams) or the int bisect is cheaper (measured).
_DIGEST_BISECT_MAX = 32
_from_bytes = int.from_bytes
_bisect_right = bisect.bisect_right


def shard_id(index: int) -> str:
    """The id Kinesis gives the ``index``-th shard of a stream: ``shardId-%012d``.

    Raises :class:`~awscore.errors.KinesisInputError` unless ``index`` is an
    integer 0..999999999999 (twelve digits).
    """
    if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < 10**12:
        raise KinesisInputError(
            f"shard index {shown(index)} is not accepted: it must be an integer "
            "0..999999999999"
        )
    return f"shardId-{index:012d}"


@dataclass(frozen=True, slots=True, kw_only=True)
class Shard:
    """One shard: its hash-key range (inclusive), lineage and state."""

    shard_id: str
    starting_hash_key: int
    ending_hash_key: int
    parent_shard_id: str | None = None
    adjacent_parent_shard_id: str | None = None
    is_open: bool = True

    def __post_init__(self) -> None:
        problems: list[str] = []
        if not isinstance(self.shard_id, str) or not self.shard_id:
            problems.append(
                f"shard_id={shown(self.shard_id)} must be a non-empty string"
            )
        for name in ("starting_hash_key", "ending_hash_key"):
            key = getattr(self, name)
            if not _is_hash_key(key):
                problems.append(
                    f"Shard {shown(self.shard_id)} {name}={shown(key)} must be an "
                    f"integer 0..{MAX_HASH_KEY}"
                )
        if not problems and self.starting_hash_key > self.ending_hash_key:
            problems.append(
                f"Shard {shown(self.shard_id)} starts after it ends: "
                "starting_hash_key must be <= ending_hash_key"
            )
        for name in ("parent_shard_id", "adjacent_parent_shard_id"):
            parent = getattr(self, name)
            if parent is not None and not isinstance(parent, str):
                problems.append(
                    f"Shard {shown(self.shard_id)} {name}={shown(parent)} must be a "
                    "shard id string or None"
                )
        is_open: object = self.is_open  # checked: callers may not be type-checked
        if not isinstance(is_open, bool):
            problems.append(
                f"Shard {shown(self.shard_id)} is_open={shown(self.is_open)} must "
                "be True or False"
            )
        if problems:
            raise KinesisInputError("; ".join(problems))

    def __contains__(self, key: int) -> bool:
        return self.starting_hash_key <= key <= self.ending_hash_key

    @property
    def size(self) -> int:
        """How many hash keys the shard covers."""
        return self.ending_hash_key - self.starting_hash_key + 1


@dataclass(frozen=True, slots=True, kw_only=True)
class ReshardOperation:
    """One step of a resharding plan, as Kinesis would be asked to do it."""

    kind: Literal["split", "merge"]
    #: the shard split, or the shard to merge
    shard_id: str
    #: split: the NewStartingHashKey
    new_starting_hash_key: int | None = None
    #: merge: the AdjacentShardToMerge
    adjacent_shard_id: str | None = None
    #: the shards the operation created
    children: tuple[str, ...] = ()


def _is_hash_key(key: object) -> bool:
    return (
        isinstance(key, int) and not isinstance(key, bool) and 0 <= key <= MAX_HASH_KEY
    )


def _check_partition(shards: object) -> tuple[Shard, ...]:
    """``shards`` as a tuple, if they are Shards whose open ones cover the key
    space exactly once; else :class:`KinesisInputError` saying what is wrong."""
    if isinstance(shards, str | bytes) or not isinstance(shards, Iterable):
        raise KinesisInputError(
            f"Stream shards={shown(shards)} must be a sequence of Shard values"
        )
    given = tuple(shards)
    strays = [s for s in given if not isinstance(s, Shard)]
    if strays:
        raise KinesisInputError(
            f"Stream shards must be Shard values, not {shown(strays[0])}"
        )
    ids = [s.shard_id for s in given]
    if len(set(ids)) != len(ids):
        twice = next(i for i in ids if ids.count(i) > 1)
        raise KinesisInputError(f"Stream has two shards with id {shown(twice)}")
    open_shards = sorted(
        (s for s in given if s.is_open), key=lambda s: s.starting_hash_key
    )
    if not open_shards:
        raise KinesisInputError(
            "Stream needs open shards that cover the hash keys "
            f"0..{MAX_HASH_KEY}: it has none"
        )
    expected = 0
    for shard in open_shards:
        if shard.starting_hash_key != expected:
            what = "overlaps" if shard.starting_hash_key < expected else "leaves a gap"
            raise KinesisInputError(
                f"Stream's open shard {shown(shard.shard_id)} {what} at hash key "
                f"{min(expected, shard.starting_hash_key)}: the open shards must "
                f"cover 0..{MAX_HASH_KEY} with no gap and no overlap"
            )
        expected = shard.ending_hash_key + 1
    if expected != HASH_KEY_SPACE:
        raise KinesisInputError(
            f"Stream's open shards end at hash key {expected - 1}: they must cover "
            f"0..{MAX_HASH_KEY} with no gap"
        )
    return given


def _uniform_starts(count: int) -> list[int]:
    step = HASH_KEY_SPACE // count
    return [i * step for i in range(count)]


def _check_count(count: object, what: str) -> int:
    if (
        isinstance(count, bool)
        or not isinstance(count, int)
        or not (1 <= count <= MAX_SHARDS)
    ):
        raise InvalidReshardError(
            f"{what} {shown(count)} is not accepted: it must be an integer in "
            f"1..{MAX_SHARDS}"
        )
    return count


@dataclass(frozen=True, slots=True)
class Stream:
    """A stream's shards, open and closed. Build one with :meth:`create`.

    Raises :class:`~awscore.errors.KinesisInputError` unless ``shards`` are
    :class:`Shard` values with distinct ids whose open ones partition the hash
    keys ``0..2**128 - 1`` exactly (no gap, no overlap), as Kinesis keeps them.
    """

    #: every shard, open and closed, in id order
    shards: tuple[Shard, ...]
    #: the open shards, in hash-key order
    open_shards: tuple[Shard, ...] = field(init=False, repr=False)
    _starts: tuple[int, ...] = field(init=False, repr=False, compare=False)
    _by_id: dict[str, Shard] = field(init=False, repr=False, compare=False)
    #: the width of each open shard when they are CreateStream's (else 0)
    _step: int = field(init=False, repr=False, compare=False)
    #: ``_starts`` as 16-byte digests when few shards are open (else empty)
    _start_digests: tuple[bytes, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "shards", _check_partition(self.shards))
        open_shards = tuple(
            sorted(
                (s for s in self.shards if s.is_open),
                key=lambda s: s.starting_hash_key,
            )
        )
        object.__setattr__(self, "open_shards", open_shards)
        object.__setattr__(
            self, "_starts", tuple(s.starting_hash_key for s in open_shards)
        )
        object.__setattr__(self, "_by_id", {s.shard_id: s for s in self.shards})
        # After CreateStream or uniform scaling the shards are equal steps (the
        # last taking the remainder): routing is then one division, whatever the
        # count, instead of a binary search over 128-bit starts.
        count = len(open_shards)
        uniform = count > 0 and self._starts == tuple(_uniform_starts(count))
        object.__setattr__(self, "_step", HASH_KEY_SPACE // count if uniform else 0)
        digests = (
            tuple(s.to_bytes(16, "big") for s in self._starts)
            if count <= _DIGEST_BISECT_MAX
            else ()
        )
        object.__setattr__(self, "_start_digests", digests)

    @classmethod
    def create(cls, shard_count: int) -> Stream:
        """A new stream of ``shard_count`` shards (1..10,000), as CreateStream makes.

        Each shard covers floor(2**128 / N) keys; the last takes the remainder.
        """
        count = _check_count(shard_count, "shard count")
        starts = _uniform_starts(count)
        ends = [*(s - 1 for s in starts[1:]), MAX_HASH_KEY]
        return cls(
            tuple(
                Shard(shard_id=shard_id(i), starting_hash_key=a, ending_hash_key=b)
                for i, (a, b) in enumerate(zip(starts, ends, strict=True))
            )
        )

    # --- routing ---------------------------------------------------------------

    def shard_for(
        self,
        partition_key: str | None = None,
        *,
        explicit_hash_key: str | int | None = None,
    ) -> Shard:
        """The open shard a record with this partition key goes to.

        An ``explicit_hash_key`` (the API's decimal string, or an int) replaces
        the partition key's hash; at least one of the two is required.
        """
        if (
            explicit_hash_key is None
            and type(partition_key) is str
            and 0 < len(partition_key) <= MAX_PARTITION_KEY_LENGTH
        ):
            # The common case, inline: routing millions of keys is what this
            # method is for, and every call and attribute saved is measurable.
            try:
                digest = _md5(partition_key.encode()).digest()
            except UnicodeEncodeError:
                pass  # the checked path below raises the typed error
            else:
                digests = self._start_digests
                if digests:
                    return self.open_shards[_bisect_right(digests, digest) - 1]
                key = _from_bytes(digest, "big")
                step = self._step
                if step:
                    shards = self.open_shards
                    index = key // step
                    return shards[index] if index < len(shards) else shards[-1]
                return self.open_shards[bisect.bisect_right(self._starts, key) - 1]
        return self.shard_for_hash_key(_effective_key(partition_key, explicit_hash_key))

    def shards_for(self, partition_keys: Iterable[str]) -> list[Shard]:
        """The shard of each partition key, in order: :meth:`shard_for` in bulk.

        One loop with everything it needs in local variables, for routing many
        keys (a traffic log, a benchmark) at close to the cost of MD5 itself.
        """
        given: object = partition_keys  # checked: callers may not be type-checked
        if isinstance(given, str | bytes) or not isinstance(given, Iterable):
            raise KinesisInputError(
                f"partition_keys={shown(given)} must be an iterable of partition keys"
            )
        md5, from_bytes = _md5, int.from_bytes
        shards, step, starts = self.open_shards, self._step, self._starts
        last = len(shards) - 1
        bisect_right = bisect.bisect_right
        digests = self._start_digests
        if digests and type(partition_keys) is list:
            # One comprehension: the loop below without the per-key append and
            # branches. A key it cannot take goes to shard_for, which raises
            # its typed error; a lone surrogate stops it and the loop below
            # raises that one's (tests/kinesis/test_fast_paths.py: the same).
            shard_for = self.shard_for
            try:
                return [
                    shards[bisect_right(digests, md5(k.encode()).digest()) - 1]
                    if type(k) is str and 0 < len(k) <= MAX_PARTITION_KEY_LENGTH
                    else shard_for(k)
                    for k in partition_keys
                ]
            except UnicodeEncodeError:
                pass
        out: list[Shard] = []
        append = out.append
        for partition_key in partition_keys:
            if type(partition_key) is not str or not (
                0 < len(partition_key) <= MAX_PARTITION_KEY_LENGTH
            ):
                append(self.shard_for(partition_key))  # raises the typed error
                continue
            try:
                key = from_bytes(md5(partition_key.encode()).digest(), "big")
            except UnicodeEncodeError:
                append(self.shard_for(partition_key))  # raises the typed error
                continue
            if step:
                index = key // step
                append(shards[index if index < last else last])
            else:
                append(shards[bisect_right(starts, key) - 1])
        return out

    def shard_for_hash_key(self, key: int) -> Shard:
        """The open shard whose range contains the hash key ``key``.

        Raises :class:`~awscore.errors.InvalidHashKeyError` unless ``key`` is an
        integer 0..2**128 - 1.
        """
        if not _is_hash_key(key):
            raise InvalidHashKeyError(
                f"hash key {shown(key)} is not accepted: it must be an integer "
                f"0..{MAX_HASH_KEY}"
            )
        step = self._step
        if step:
            shards = self.open_shards
            return shards[min(key // step, len(shards) - 1)]
        # The open shards partition the key space, so the last start at or
        # below the key is the shard: a binary search, whatever the count.
        return self.open_shards[bisect.bisect_right(self._starts, key) - 1]

    def shard(self, shard_id: str) -> Shard:
        """The shard with this id, open or closed."""
        try:
            return self._by_id[shard_id]
        except (KeyError, TypeError):
            raise ShardNotFoundError(
                f"shard {shown(shard_id)} does not exist in this stream "
                f"({len(self.shards)} shards, {shard_id_range(self.shards)})"
            ) from None

    # --- resharding --------------------------------------------------------------

    def split_shard(self, shard_id: str, new_starting_hash_key: int | str) -> Stream:
        """The stream after SplitShard: ``shard_id`` split at the new starting key."""
        return self._split(shard_id, new_starting_hash_key)[0]

    def merge_shards(self, shard_id: str, adjacent_shard_id: str) -> Stream:
        """The stream after MergeShards of two open, adjacent shards.

        Either order is accepted, as Kinesis accepts it: the child's
        ParentShardId is ``shard_id`` and its AdjacentParentShardId the other,
        whichever covers the lower range.
        """
        return self._merge(shard_id, adjacent_shard_id)[0]

    def update_shard_count(self, target_shard_count: int) -> Stream:
        """The stream after UpdateShardCount(target, UNIFORM_SCALING).

        See :meth:`plan_shard_count` for the operations and the limits.
        """
        return self._scale(target_shard_count)[0]

    def plan_shard_count(self, target_shard_count: int) -> list[ReshardOperation]:
        """The splits and merges that take the open shards to ``target`` uniform ones.

        The result has the CreateStream boundaries for the target count. The
        target must be within half (rounded up: 5 shards go to 3 at least) and
        double the open shard count, and at most 10,000. The plan is minimal:
        each boundary that must go costs one merge, each missing one a split,
        and no operation can do more than one of either. Splits run first, so
        the stream never has less capacity than before while it is resharded; a
        split the rules forbid until a neighbouring merge (a target boundary at
        the very edge of a shard) runs after the merges.
        """
        return self._scale(target_shard_count)[1]

    # --- implementation ------------------------------------------------------------

    def _replace(self, closed: Iterable[str], added: Iterable[Shard]) -> Stream:
        closing = set(closed)
        kept = tuple(
            Shard(
                shard_id=s.shard_id,
                starting_hash_key=s.starting_hash_key,
                ending_hash_key=s.ending_hash_key,
                parent_shard_id=s.parent_shard_id,
                adjacent_parent_shard_id=s.adjacent_parent_shard_id,
                is_open=False,
            )
            if s.shard_id in closing
            else s
            for s in self.shards
        )
        return Stream((*kept, *added))

    def _open(self, shard_id: str, action: str) -> Shard:
        shard = self.shard(shard_id)
        if not shard.is_open:
            raise InvalidReshardError(
                f"cannot {action} {shard_id}: it is closed (resharding closed it); "
                "only open shards can be split or merged"
            )
        return shard

    def _split(
        self, shard_id: str, new_starting_hash_key: int | str
    ) -> tuple[Stream, ReshardOperation]:
        shard = self._open(shard_id, "split")
        key = (
            parse_explicit_hash_key(new_starting_hash_key)
            if isinstance(new_starting_hash_key, str)
            else new_starting_hash_key
        )
        if isinstance(key, bool) or not isinstance(key, int):
            raise InvalidHashKeyError(
                f"NewStartingHashKey must be an int or a decimal string, not "
                f"{type(new_starting_hash_key).__name__}"
            )
        low, high = shard.starting_hash_key, shard.ending_hash_key
        if not low + 1 < key < high:
            raise InvalidHashKeyError(
                f"NewStartingHashKey {key} is out of range for {shard_id}: it must be "
                f"greater than StartingHashKey + 1 ({low + 1}) and less than "
                f"EndingHashKey ({high})"
            )
        lower, upper, operation = _split_children(shard, key, len(self.shards))
        return self._replace([shard_id], [lower, upper]), operation

    def _merge(
        self, shard_id: str, adjacent_shard_id: str
    ) -> tuple[Stream, ReshardOperation]:
        shard = self._open(shard_id, "merge")
        adjacent = self._open(adjacent_shard_id, "merge")
        low, high = sorted((shard, adjacent), key=lambda s: s.starting_hash_key)
        if shard.shard_id == adjacent.shard_id or low.ending_hash_key + 1 != (
            high.starting_hash_key
        ):
            raise InvalidReshardError(
                f"cannot merge {shard_id} and {adjacent_shard_id}: their hash-key "
                f"ranges are not adjacent ([{shard.starting_hash_key}, "
                f"{shard.ending_hash_key}] and [{adjacent.starting_hash_key}, "
                f"{adjacent.ending_hash_key}])"
            )
        child, operation = _merge_child(shard, adjacent, len(self.shards))
        return self._replace([shard_id, adjacent_shard_id], [child]), operation

    def _scale(self, target: int) -> tuple[Stream, list[ReshardOperation]]:
        target = _check_count(target, "target shard count")
        current = len(self.open_shards)
        lowest = (current + 1) // 2
        if not lowest <= target <= 2 * current:
            raise InvalidReshardError(
                f"target shard count {target} is not accepted for {current} open "
                f"shards: UNIFORM_SCALING goes from half (rounded up: {lowest}) to "
                f"double ({2 * current}) the current count, at most {MAX_SHARDS}"
            )
        wanted = set(_uniform_starts(target))
        # One working copy for the whole plan: a new Stream per step would cost
        # O(shards) each, O(shards**2) for a scaling of thousands of shards.
        shards = list(self.shards)
        position = {s.shard_id: i for i, s in enumerate(shards)}
        starts = list(self._starts)
        open_at = {s.starting_hash_key: s for s in self.open_shards}
        plan: list[ReshardOperation] = []

        def close(shard: Shard) -> None:
            shards[position[shard.shard_id]] = dataclasses.replace(shard, is_open=False)

        def add(shard: Shard) -> None:
            position[shard.shard_id] = len(shards)
            shards.append(shard)
            open_at[shard.starting_hash_key] = shard

        def split(boundary: int) -> bool:
            at = bisect.bisect_right(starts, boundary) - 1
            parent = open_at[starts[at]]
            if not parent.starting_hash_key + 1 < boundary < parent.ending_hash_key:
                return False
            lower, upper, operation = _split_children(parent, boundary, len(shards))
            close(parent)
            add(lower)
            add(upper)
            starts.insert(at + 1, boundary)
            plan.append(operation)
            return True

        # Splits first, so capacity never drops below today's while resharding;
        # a split the rules forbid yet (a boundary at the very edge of a shard)
        # waits until the merges have widened its shard.
        missing = sorted(wanted - set(starts))
        deferred = [boundary for boundary in missing if not split(boundary)]
        for boundary in sorted(set(starts) - wanted, reverse=True):
            at = bisect.bisect_left(starts, boundary)
            upper = open_at.pop(boundary)
            lower = open_at[starts[at - 1]]
            del starts[at]
            child, operation = _merge_child(lower, upper, len(shards))
            close(lower)
            close(upper)
            add(child)
            plan.append(operation)
        for boundary in deferred:
            # After the merges every remaining boundary is a target one, and
            # the target's shards are far wider than 2 keys.
            if not split(boundary):  # pragma: no cover - impossible, see above
                raise InvalidReshardError(f"cannot split at {boundary}")
        return Stream(tuple(shards)), plan


def _split_children(
    parent: Shard, key: int, index: int
) -> tuple[Shard, Shard, ReshardOperation]:
    """SplitShard's two children (ids ``index`` and ``index + 1``, the lower range
    the lower id) and the operation; the caller has checked ``key``."""
    lower = Shard(
        shard_id=shard_id(index),
        starting_hash_key=parent.starting_hash_key,
        ending_hash_key=key - 1,
        parent_shard_id=parent.shard_id,
    )
    upper = Shard(
        shard_id=shard_id(index + 1),
        starting_hash_key=key,
        ending_hash_key=parent.ending_hash_key,
        parent_shard_id=parent.shard_id,
    )
    operation = ReshardOperation(
        kind="split",
        shard_id=parent.shard_id,
        new_starting_hash_key=key,
        children=(lower.shard_id, upper.shard_id),
    )
    return lower, upper, operation


def _merge_child(
    shard: Shard, adjacent: Shard, index: int
) -> tuple[Shard, ReshardOperation]:
    """MergeShards' child (id ``index``) over both ranges, and the operation; the
    caller has checked that the two are open and adjacent."""
    child = Shard(
        shard_id=shard_id(index),
        starting_hash_key=min(shard.starting_hash_key, adjacent.starting_hash_key),
        ending_hash_key=max(shard.ending_hash_key, adjacent.ending_hash_key),
        parent_shard_id=shard.shard_id,
        adjacent_parent_shard_id=adjacent.shard_id,
    )
    operation = ReshardOperation(
        kind="merge",
        shard_id=shard.shard_id,
        adjacent_shard_id=adjacent.shard_id,
        children=(child.shard_id,),
    )
    return child, operation


def _effective_key(
    partition_key: str | None, explicit_hash_key: str | int | None
) -> int:
    if explicit_hash_key is not None:
        if isinstance(explicit_hash_key, str):
            return parse_explicit_hash_key(explicit_hash_key)
        if (
            isinstance(explicit_hash_key, bool)
            or not isinstance(explicit_hash_key, int)
            or not 0 <= explicit_hash_key <= MAX_HASH_KEY
        ):
            raise InvalidHashKeyError(
                f"explicit hash key {shown(explicit_hash_key)} is out of range: "
                f"must be 0..{MAX_HASH_KEY}"
            )
        return explicit_hash_key
    if partition_key is None:
        raise InvalidHashKeyError("a partition key or an explicit hash key is required")
    return hash_key(partition_key)


def shard_id_range(shards: tuple[Shard, ...]) -> str:
    """A short description of the ids in ``shards`` (never empty), for messages."""
    return f"{shards[0].shard_id}..{shards[-1].shard_id}"
