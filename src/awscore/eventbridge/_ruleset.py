"""Many rules at once: which rules match an event, without trying every pattern.

event-ruler compiles all of a bus's rules into one state machine walked once per
event. :class:`RuleSet` does the part of that which pays on real rule sets: most
rules pin a field to exact values (``source``, ``detail-type``), so each rule is
filed under one such field and value, and an event looks up the values it has at
the filed fields, then checks only the rules found there (and the few rules with
no exact field at all) in full. The answer is always that of
:meth:`EventPattern.matches` for each rule: the index only skips rules that
cannot match.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from awscore.errors import EventBridgeInputError
from awscore.eventbridge._json import Number
from awscore.eventbridge._matchers import Exact, Leaf
from awscore.eventbridge._pattern import (
    EventPattern,
    RuleTree,
    _event,
    _leaves,
    _match_children,
    _objects,
)

__all__ = ["MAX_RULES", "RuleSet"]

#: the most rules one set holds (an event bus holds at most 300 by default)
MAX_RULES = 100_000
# the fields real rules pin most selectively, tried first as the index key
_PREFERRED = (("detail-type",), ("source",))


def _key(value: Leaf) -> object:
    """The index key of an exact value: equal keys for values an Exact equates."""
    if isinstance(value, Number):
        return ("n", value.value) if value.value is not None else ("t", value.text)
    if isinstance(value, str):
        try:
            return ("ip", ipaddress.ip_address(value))
        except ValueError:
            return ("s", value)
    return ("l", value)


def _shown(key: object) -> str:
    assert isinstance(key, tuple)
    kind, value = key
    if kind == "n":
        return repr(value)
    return str(value) if kind in ("s", "ip", "t") else str(value).lower()


def _exact_paths(
    tree: RuleTree, prefix: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], tuple[Exact, ...]]]:
    """The paths of a rule whose every matcher is an exact value."""
    for name, child in tree.children.items():
        path = (*prefix, name)
        leaf = child.leaf
        if leaf is not None and all(isinstance(m, Exact) for m in leaf.matchers):
            yield path, tuple(m for m in leaf.matchers if isinstance(m, Exact))
        yield from _exact_paths(child, path)


def _values_at(event: object, path: tuple[str, ...]) -> Iterator[Leaf]:
    """Every leaf at ``path`` in the event, across all array elements."""
    level = [event]
    for name in path:
        level = [o[name] for v in level for o in _objects(v) if name in o]
    for value in level:
        yield from _leaves(value)


@dataclass(frozen=True, slots=True)
class _Entry:
    name: str
    rule: RuleTree


class RuleSet:
    """Named event patterns, answering "which rules match this event".

    >>> from awscore.eventbridge import RuleSet
    >>> rules = RuleSet()
    >>> rules.add("stopped-tasks", '{"source": ["aws.ecs"], '
    ...           '"detail": {"lastStatus": ["STOPPED"]}}')
    >>> rules.add("all-ec2", '{"source": ["aws.ec2"]}')
    >>> rules.matching({"source": "aws.ecs", "detail": {"lastStatus": "STOPPED"}})
    ['stopped-tasks']
    """

    def __init__(self) -> None:
        self._patterns: dict[str, EventPattern] = {}
        # path -> value key -> the rules filed there
        self._index: dict[tuple[str, ...], dict[object, list[_Entry]]] = {}
        self._scan: list[_Entry] = []

    def __len__(self) -> int:
        return len(self._patterns)

    def __contains__(self, name: object) -> bool:
        return name in self._patterns

    def add(self, name: str, pattern: EventPattern | str) -> None:
        """Add or replace the rule ``name``; a bad pattern leaves the set unchanged."""
        if not isinstance(name, str) or not name:
            raise EventBridgeInputError("a rule name must be a non-empty string")
        parsed = (
            pattern
            if isinstance(pattern, EventPattern)
            else EventPattern.parse(pattern)
        )
        if name not in self._patterns and len(self._patterns) >= MAX_RULES:
            raise EventBridgeInputError(f"a rule set holds at most {MAX_RULES} rules")
        if name in self._patterns:
            self.remove(name)
        self._patterns[name] = parsed
        for rule in parsed.rules:
            entry = _Entry(name, rule)
            paths = dict(_exact_paths(rule))
            if not paths:
                self._scan.append(entry)
                continue
            path = next((p for p in _PREFERRED if p in paths), next(iter(paths)))
            bucket = self._index.setdefault(path, {})
            for exact in paths[path]:
                bucket.setdefault(_key(exact.value), []).append(entry)

    def remove(self, name: str) -> None:
        """Remove the rule ``name`` (a KeyError-free no-op when absent)."""
        if not isinstance(name, str):
            raise EventBridgeInputError("a rule name must be a non-empty string")
        if self._patterns.pop(name, None) is None:
            return
        self._scan = [e for e in self._scan if e.name != name]
        for bucket in self._index.values():
            for key in list(bucket):
                bucket[key] = [e for e in bucket[key] if e.name != name]
                if not bucket[key]:
                    del bucket[key]

    def matching(self, event: object) -> list[str]:
        """The names of the rules that match ``event``, in the order they were added."""
        value = _event(event)
        candidates: list[_Entry] = list(self._scan)
        for path, bucket in self._index.items():
            seen: set[object] = set()
            for leaf in _values_at(value, path):
                key = _key(leaf)
                if key in seen:
                    continue
                seen.add(key)
                candidates.extend(bucket.get(key, ()))
        hits = {
            e.name
            for e in candidates
            if _match_children(e.rule, value, [value], None).held
        }
        return [name for name in self._patterns if name in hits]

    def filed(self) -> list[tuple[str, str, tuple[str, ...]]]:
        """How the rules are filed: (field path, value, rule names), then unfiled.

        Unfiled rules (no field pinned to exact values) appear with an empty
        path and value: every event checks them in full.
        """
        rows = [
            (".".join(path), _shown(key), tuple(dict.fromkeys(e.name for e in entries)))
            for path, bucket in self._index.items()
            for key, entries in bucket.items()
        ]
        scanned = tuple(dict.fromkeys(e.name for e in self._scan))
        return rows + ([("", "", scanned)] if scanned else [])

    def patterns(self) -> Iterable[tuple[str, EventPattern]]:
        """The rules, in the order they were added."""
        return self._patterns.items()
