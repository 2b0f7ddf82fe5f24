"""EventBridge event patterns: parsed and checked as PutRule checks them, and matched.

The grammar is the EventBridge user guide's ("Event patterns", "Content
filtering", "Comparison operators") as event-ruler, the library EventBridge
matches with, implements it, and the tests run that library side by side:

* a pattern is a non-empty JSON object; a field's value is a non-empty object
  (a nested pattern) or a non-empty array (the values it may have);
* an array holds strings, numbers, ``true``, ``false``, ``null`` and one-key
  operator objects: ``prefix``, ``suffix`` (each a string or
  ``{"equals-ignore-case": ...}``), ``equals-ignore-case``, ``wildcard``,
  ``anything-but``, ``numeric``, ``cidr``, ``exists`` and ``exactly``;
* ``$or`` takes an array of at least two patterns, at any level.

Matching: every field of the pattern must match (and); a field matches when the
event's value, or any element of it when it is an array, matches any entry of
the array (or). Fields matched inside one array of objects must come from the
same element of it (event-ruler's ``rulesForJSONEvent``). ``exists`` looks at
leaf values only: a field whose value is an object does not "exist".
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field

from awscore._inputs import shown
from awscore.errors import EventBridgeInputError, InvalidEventPatternError
from awscore.eventbridge._json import Number, load_document
from awscore.eventbridge._matchers import (
    AnythingBut,
    AnythingButText,
    Cidr,
    Exact,
    Exists,
    Leaf,
    Matcher,
    Numeric,
    TextMatch,
    show,
)
from awscore.eventbridge._wildcard import WildcardPattern, parse_wildcard

__all__ = [
    "DEFAULT_MAX_PATTERN_SIZE",
    "MAX_PATTERN_SIZE",
    "MAX_SUB_RULES",
    "EventPattern",
    "Explanation",
    "FieldNode",
    "RuleTree",
]

#: the event pattern size EventBridge allows by default (a quota: 2048 characters)
DEFAULT_MAX_PATTERN_SIZE = 2048
#: the most the quota can be raised to (PutRule's EventPattern: 4096 characters)
MAX_PATTERN_SIZE = 4096

_OPERATORS = (
    "exactly",
    "equals-ignore-case",
    "prefix",
    "suffix",
    "anything-but",
    "exists",
    "wildcard",
    "numeric",
    "cidr",
)
# event-ruler refuses these as field names inside $or (they read as operators)
_RESERVED_IN_OR = frozenset((*_OPERATORS, "=", "<", "<=", ">", ">=", "regex"))
_MISSING = object()


@dataclass(frozen=True, slots=True)
class FieldNode:
    """A field's array: the values (matchers) the event's value may have."""

    path: str
    matchers: tuple[Matcher, ...]


@dataclass(slots=True)
class RuleTree:
    """One ``$or``-free rule: a field's array here and the fields below it.

    A pattern with ``$or`` is the union of several such rules, each built as
    event-ruler builds its sub-rules: the pattern's fields in order, ``$or``
    forking the rule, a later assignment to the same path replacing an earlier
    one in the same fork.
    """

    leaf: FieldNode | None = None
    children: dict[str, RuleTree] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Explanation:
    """Why a pattern matched an event or did not: one line per decision."""

    matched: bool
    steps: tuple[str, ...] = field(default=())

    def __bool__(self) -> bool:
        return self.matched

    def __str__(self) -> str:
        verdict = "matches" if self.matched else "does not match"
        return "\n".join([f"the pattern {verdict} the event", *self.steps])


def _fail(path: str, message: str) -> InvalidEventPatternError:
    return InvalidEventPatternError(message, path=path)


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


#: the most ``$or``-free rules one pattern may expand into (awscore's bound)
MAX_SUB_RULES = 1024

_Rule = dict[tuple[str, ...], FieldNode]


class _Parser:
    def __init__(self) -> None:
        self.matchers = 0

    def pattern_object(
        self,
        value: object,
        path: tuple[str, ...],
        rules: list[_Rule],
        *,
        in_or: bool = False,
    ) -> None:
        where = ".".join(path)
        if not isinstance(value, dict):
            raise _fail(where, "a pattern must be a JSON object")
        if not value:
            raise _fail(where, "empty objects are not allowed")
        for name, item in value.items():
            here = (*path, name)
            if name == "$or":
                self.alternatives(item, path, rules)
                continue
            if in_or and name in _RESERVED_IN_OR:
                raise _fail(".".join(here), f"{shown(name)} is reserved inside $or")
            if isinstance(item, dict):
                self.pattern_object(item, here, rules, in_or=in_or)
            elif isinstance(item, list):
                node = self.array(item, ".".join(here))
                if not rules:
                    rules.append({})
                for rule in rules:
                    rule[here] = node
            else:
                where = ".".join(here)
                raise _fail(where, f"{shown(name)} must be an object or an array")

    def alternatives(
        self, value: object, path: tuple[str, ...], rules: list[_Rule]
    ) -> None:
        where = ".".join((*path, "$or"))
        if not isinstance(value, list):
            raise _fail(where, "$or must be followed by an array")
        if any(not isinstance(item, dict) for item in value):
            raise _fail(where, "$or's array may hold only JSON objects")
        if len(value) < 2:
            raise _fail(where, "$or needs at least 2 objects")
        before = [dict(rule) for rule in rules]
        rules.clear()
        for item in value:
            forked = [dict(rule) for rule in before] or [{}]
            self.pattern_object(item, path, forked, in_or=True)
            rules.extend(forked)
            if len(rules) > MAX_SUB_RULES:
                raise _fail(
                    where, f"the pattern expands into more than {MAX_SUB_RULES} rules"
                )

    def array(self, value: list[object], path: str) -> FieldNode:
        if not value:
            raise _fail(path, "empty arrays are not allowed")
        matchers: list[Matcher] = []
        for index, item in enumerate(value):
            here = f"{path}[{index}]"
            self.matchers += 1
            if isinstance(item, dict):
                matchers.append(self.operator(item, here))
            elif isinstance(item, str | Number | bool) or item is None:
                matchers.append(Exact(item))
            else:
                raise _fail(here, "a value must be a string, number, boolean or null")
        return FieldNode(path, tuple(matchers))

    def operator(self, item: dict[str, object], path: str) -> Matcher:
        if len(item) != 1:
            raise _fail(path, "an operator object holds exactly one key")
        ((name, value),) = item.items()
        here = f"{path}.{name}"
        if name not in _OPERATORS:
            raise _fail(here, f"unrecognized match type {shown(name)}")
        return _BUILDERS[name](value, here)


def _build_text(kind: str) -> Callable[[object, str], Matcher]:
    def build(value: object, path: str) -> Matcher:
        if kind in ("prefix", "suffix") and isinstance(value, dict):
            _, inner = _single(value, path, ("equals-ignore-case",))
            text = _string(inner, f"{path}.equals-ignore-case", kind)
            return TextMatch(kind, text, ignore_case=True)
        text = _string(value, path, kind)
        if kind == "wildcard":
            return TextMatch(kind, text, wildcard=_wildcard(text, path))
        return TextMatch(kind, text, ignore_case=kind == "equals-ignore-case")

    return build


def _build_exists(value: object, path: str) -> Matcher:
    if not isinstance(value, bool):
        raise _fail(path, "exists must be true or false")
    return Exists(value)


def _build_exactly(value: object, path: str) -> Matcher:
    return Exact(_string(value, path, "exactly"))


def _single(
    value: dict[str, object], path: str, allowed: tuple[str, ...]
) -> tuple[str, object]:
    if len(value) != 1 or next(iter(value)) not in allowed:
        raise _fail(path, f"expected one of {', '.join(allowed)} here")
    ((name, inner),) = value.items()
    return name, inner


def _string(value: object, path: str, name: str) -> str:
    if not isinstance(value, str):
        raise _fail(path, f"{name} takes a string")
    return value


def _wildcard(text: str, path: str) -> WildcardPattern:
    try:
        return parse_wildcard(text)
    except ValueError as error:
        raise _fail(path, str(error)) from None


def _cidr(value: object, path: str) -> Cidr:
    text = _string(value, path, "cidr")
    try:
        network = ipaddress.ip_network(text, strict=False)
    except ValueError:
        raise _fail(path, f"{shown(text)} is not an IPv4 or IPv6 CIDR block") from None
    if "/" not in text:
        raise _fail(path, f"{shown(text)} has no prefix length")
    return Cidr(network)


def _number(value: object, path: str, operator: str) -> float:
    if not isinstance(value, Number):
        raise _fail(path, f"the value after {shown(operator)} must be a number")
    if value.value is None:
        raise _fail(path, f"{value.text} cannot be compared: it has no exact double")
    return value.value


def _numeric(value: object, path: str) -> Numeric:
    if not isinstance(value, list) or not value:
        raise _fail(path, 'numeric takes an array such as [">", 0, "<=", 5]')
    if not isinstance(value[0], str):
        raise _fail(path, f"numeric must start with an operator, not {shown(value[0])}")
    operator = value[0]
    if operator not in ("=", "<", "<=", ">", ">="):
        raise _fail(path, f"unrecognized numeric operator {shown(operator)}")
    if len(value) < 2:
        raise _fail(path, f"the value after {shown(operator)} must be a number")
    first = _number(value[1], path, operator)
    text = " ".join(str(v.text if isinstance(v, Number) else v) for v in value)
    if operator == "=" or operator in ("<", "<="):
        if len(value) > 2:
            raise _fail(path, "too many elements in numeric expression")
        if operator == "=":
            return Numeric(low=first, high=first, text=text)
        return Numeric(high=first, high_open=operator == "<", text=text)
    if len(value) == 2:
        return Numeric(low=first, low_open=operator == ">", text=text)
    upper = value[2]
    if upper not in ("<", "<="):
        raise _fail(
            path, f"a range's upper bound takes '<' or '<=', not {shown(upper)}"
        )
    if len(value) < 4:
        raise _fail(path, f"the value after {shown(upper)} must be a number")
    second = _number(value[3], path, str(upper))
    if len(value) > 4:
        raise _fail(path, "too many terms in numeric range expression")
    if not first < second:
        raise _fail(path, "a range's lower bound must be less than its upper bound")
    return Numeric(
        low=first,
        low_open=operator == ">",
        high=second,
        high_open=upper == "<",
        text=text,
    )


def _anything_but(value: object, path: str) -> Matcher:
    if isinstance(value, dict):
        kind, inner = _single(
            value, path, ("prefix", "suffix", "equals-ignore-case", "wildcard")
        )
        here = f"{path}.{kind}"
        items = inner if isinstance(inner, list) else [inner]
        if not items or any(not isinstance(i, str) for i in items):
            raise _fail(
                here, f"anything-but {kind} takes a string or a list of strings"
            )
        texts = tuple(str(i) for i in items)
        if kind in ("prefix", "suffix") and "" in texts:
            raise _fail(here, f"an empty {kind} is not allowed inside anything-but")
        wildcards = (
            tuple(_wildcard(t, here) for t in texts) if kind == "wildcard" else ()
        )
        return AnythingButText(kind, texts, wildcards)
    items = value if isinstance(value, list) else [value]
    if isinstance(value, list) and not value:
        raise _fail(path, "anything-but takes a non-empty list")
    strings = [i for i in items if isinstance(i, str)]
    numbers = [i for i in items if isinstance(i, Number)]
    if len(strings) + len(numbers) != len(items):
        raise _fail(
            path, "anything-but takes strings or numbers, not true, false or null"
        )
    if strings and numbers:
        raise _fail(path, "anything-but's list must be all strings or all numbers")
    return AnythingBut(frozenset(strings), tuple(numbers))


_BUILDERS: dict[str, Callable[[object, str], Matcher]] = {
    "exactly": _build_exactly,
    "prefix": _build_text("prefix"),
    "suffix": _build_text("suffix"),
    "equals-ignore-case": _build_text("equals-ignore-case"),
    "wildcard": _build_text("wildcard"),
    "exists": _build_exists,
    "cidr": _cidr,
    "numeric": _numeric,
    "anything-but": _anything_but,
}


# --- matching ------------------------------------------------------------------


def _leaves(value: object) -> Iterator[Leaf]:
    """The leaf values at a path: the value, or the scalars of its arrays."""
    if value is _MISSING or isinstance(value, dict):
        return
    if isinstance(value, list):
        stack = list(reversed(value))
        while stack:
            item = stack.pop()
            if isinstance(item, list):
                stack.extend(reversed(item))
            elif not isinstance(item, dict):
                yield item
        return
    yield value  # type: ignore[misc]


def _objects(value: object) -> list[dict[str, object]]:
    """The objects at a path: the value, or the objects inside its arrays."""
    if isinstance(value, dict):
        return [value]
    found: list[dict[str, object]] = []
    if isinstance(value, list):
        stack = list(reversed(value))
        while stack:
            item = stack.pop()
            if isinstance(item, list):
                stack.extend(reversed(item))
            elif isinstance(item, dict):
                found.append(item)
    return found


class _Outcome:
    """How a field or subtree held: at all, by a value, by an absence."""

    __slots__ = ("absent", "held", "positive")

    def __init__(self, held: bool, *, positive: bool = False, absent: bool = False):
        self.held = held
        self.positive = positive
        self.absent = absent


def _match_field(
    node: FieldNode, value: object, everywhere: list[object], steps: list[str] | None
) -> _Outcome:
    """Whether the field's array holds for ``value``.

    ``exists: false`` is asked of ``everywhere``: the values at the path in
    every array element in scope (see :func:`_match_children`).
    """
    leaves = list(_leaves(value))
    for matcher in node.matchers:
        if isinstance(matcher, Exists):
            if matcher.present:
                held = bool(leaves)
            else:
                held = not any(True for v in everywhere for _ in _leaves(v))
            if held:
                if steps is not None:
                    steps.append(f"{node.path}: {matcher.describe()} holds")
                return _Outcome(
                    True, positive=matcher.present, absent=not matcher.present
                )
            continue
        for leaf in leaves:
            if matcher.matches(leaf):
                if steps is not None:
                    steps.append(f"{node.path}: {show(leaf)} {matcher.describe()}")
                return _Outcome(True, positive=True)
    if steps is not None:
        found = ", ".join(show(leaf) for leaf in leaves) if leaves else "nothing"
        wanted = " or ".join(m.describe() for m in node.matchers)
        steps.append(f"{node.path}: wanted {wanted}; the event has {found}")
    return _Outcome(False)


def _match_tree(
    tree: RuleTree,
    value: object,
    everywhere: list[object],
    steps: list[str] | None,
) -> _Outcome:
    positive = absent = False
    if tree.leaf is not None:
        outcome = _match_field(tree.leaf, value, everywhere, steps)
        if not outcome.held:
            return outcome
        positive, absent = outcome.positive, outcome.absent
    if not tree.children:
        return _Outcome(True, positive=positive, absent=absent)
    # Fields below one array of objects must all hold in the same element.
    scope = [o for v in everywhere for o in _objects(v)]
    for candidate in _objects(value) or [{}]:
        outcome = _match_children(tree, candidate, scope, steps)
        if outcome.held:
            return _Outcome(
                True,
                positive=positive or outcome.positive,
                absent=absent or outcome.absent,
            )
    return _Outcome(False)


def _match_children(
    tree: RuleTree,
    event: dict[str, object],
    scope: list[dict[str, object]],
    steps: list[str] | None,
) -> _Outcome:
    """All of ``tree``'s fields in one object (an array element, or the event).

    An absence (``exists: false``) is asked of this element when another field
    of the rule matched a value in it; otherwise nothing ties the rule to the
    element and the absence is asked of every element in scope, as event-ruler
    decides it.
    """
    positive = False
    relied_on_absence: list[tuple[str, RuleTree]] = []
    for name, child in tree.children.items():
        outcome = _match_tree(
            child, event.get(name, _MISSING), [event.get(name, _MISSING)], steps
        )
        if not outcome.held:
            return outcome
        positive = positive or outcome.positive
        if outcome.absent:
            relied_on_absence.append((name, child))
    if not positive and len(scope) > 1:
        for name, child in relied_on_absence:
            wider = [o[name] for o in scope if name in o]
            if not _match_tree(child, event.get(name, _MISSING), wider, steps).held:
                return _Outcome(False)
    return _Outcome(True, positive=positive, absent=bool(relied_on_absence))


def _tree(rule: _Rule) -> RuleTree:
    root = RuleTree()
    for path, node in rule.items():
        here = root
        for name in path:
            here = here.children.setdefault(name, RuleTree())
        here.leaf = node
    return root


class EventPattern:
    """An EventBridge event pattern: parsed, checked, and ready to match events.

    >>> from awscore.eventbridge import EventPattern
    >>> pattern = EventPattern.parse(
    ...     '{"source": ["aws.ecs"], "detail": {"lastStatus": ["STOPPED"]}}')
    >>> pattern.matches({"source": "aws.ecs", "detail": {"lastStatus": "STOPPED"}})
    True
    """

    __slots__ = ("document", "matcher_count", "rules")

    def __init__(
        self, rules: tuple[RuleTree, ...], document: object, matcher_count: int
    ) -> None:
        #: the ``$or``-free rules the pattern is the union of (one without ``$or``)
        self.rules = rules
        #: the pattern as parsed (numbers as :class:`~awscore.eventbridge.Number`)
        self.document = document
        self.matcher_count = matcher_count

    @classmethod
    def parse(
        cls,
        source: str | bytes | Mapping[str, object],
        *,
        max_size: int = DEFAULT_MAX_PATTERN_SIZE,
    ) -> EventPattern:
        """Parse and check a pattern (JSON text, or an already-loaded mapping).

        ``max_size`` is the pattern-size quota in characters (default 2048,
        at most 4096). Raises :class:`~awscore.errors.InvalidEventPatternError`
        naming the path of the first problem.
        """
        if (
            isinstance(max_size, bool)
            or not isinstance(max_size, int)
            or not 1 <= max_size <= MAX_PATTERN_SIZE
        ):
            raise EventBridgeInputError(
                f"max_size must be 1..{MAX_PATTERN_SIZE}, got {shown(max_size)}"
            )
        if isinstance(source, str | bytes) and len(source) > max_size:
            raise InvalidEventPatternError(
                f"the pattern is {len(source)} characters; the limit is {max_size}"
            )
        if not isinstance(source, str | bytes | Mapping):
            raise InvalidEventPatternError("a pattern must be JSON text or a mapping")
        try:
            document = load_document(source, what="pattern")
        except EventBridgeInputError as error:
            raise InvalidEventPatternError(str(error)) from None
        parser = _Parser()
        rules: list[_Rule] = []
        parser.pattern_object(document, (), rules)
        return cls(tuple(_tree(rule) for rule in rules), document, parser.matchers)

    def matches(self, event: object) -> bool:
        """Whether EventBridge would deliver ``event`` (JSON text or a mapping)."""
        value = _event(event)
        return any(
            _match_children(rule, value, [value], None).held for rule in self.rules
        )

    def explain(self, event: object) -> Explanation:
        """:meth:`matches`, with the fields and operators that decided it."""
        value = _event(event)
        several = len(self.rules) > 1
        trail: list[str] = []
        for number, rule in enumerate(self.rules, 1):
            steps: list[str] = []
            if _match_children(rule, value, [value], steps).held:
                held = [s for s in steps if ": wanted " not in s]
                if several:
                    held.insert(0, f"$or alternative {number} of {len(self.rules)}:")
                return Explanation(True, tuple(held))
            if several:
                trail.append(f"$or alternative {number} of {len(self.rules)}:")
            trail.extend(s for s in steps if ": wanted " in s)
        return Explanation(False, tuple(trail))


class LoadedEvent:
    """An event checked and loaded once, to match against many patterns.

    :meth:`EventPattern.matches` checks and loads the event it is given each time;
    give it a ``LoadedEvent`` (from :func:`load_event`) to pay that once.
    """

    __slots__ = ("value",)

    def __init__(self, value: dict[str, object]) -> None:
        self.value = value


def load_event(event: object) -> LoadedEvent:
    """Check and load ``event`` (JSON text or a mapping) once, for many matches."""
    return LoadedEvent(_event(event))


def _event(event: object) -> dict[str, object]:
    if isinstance(event, LoadedEvent):
        return event.value
    if isinstance(event, EventPattern):
        raise EventBridgeInputError("an event was expected, got a pattern")
    value = load_document(event, what="event")
    if not isinstance(value, dict):
        raise EventBridgeInputError("an event must be a JSON object")
    return value
