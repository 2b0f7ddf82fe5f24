"""One matcher per operator of EventBridge's event patterns, over leaf values.

A leaf value is what an event holds at the end of a path: a string, a
:class:`~awscore.eventbridge._json.Number`, ``True``/``False`` or ``None``.
The rules follow event-ruler (the library EventBridge matches with), run side
by side in the tests: prefix, suffix, equals-ignore-case, wildcard, numeric and
cidr look only at string (numeric: number) values; an exact number matches the
same number written another way (``5`` and ``5.0``); ``anything-but`` matches
any present value that is not excluded, whatever its type.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from awscore.eventbridge._json import Number
from awscore.eventbridge._wildcard import WildcardPattern

__all__ = [
    "AnythingBut",
    "AnythingButText",
    "Cidr",
    "Exact",
    "Exists",
    "Leaf",
    "Matcher",
    "Numeric",
    "TextMatch",
]

Leaf = str | Number | bool | None


def _ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def show(value: Leaf) -> str:
    """A leaf value as JSON text, for explanations."""
    if isinstance(value, Number):
        return value.text
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    return '"' + value + '"'


@dataclass(frozen=True, slots=True)
class Exact:
    """A value written in the pattern's array: ``"running"``, ``5``, ``null``."""

    value: Leaf

    def matches(self, leaf: Leaf) -> bool:  # noqa: PLR0911 - one case per JSON kind
        expected = self.value
        if isinstance(expected, Number):
            if not isinstance(leaf, Number):
                return False
            if leaf.text == expected.text:
                return True
            return expected.value is not None and leaf.value == expected.value
        if isinstance(expected, str):
            if not isinstance(leaf, str):
                return False
            if leaf == expected:
                return True
            # event-ruler reads an IP address in a pattern as a one-address range
            address = _ip(expected)
            return address is not None and _ip(leaf) == address
        # true, false or null: the same literal
        return type(leaf) is type(expected) and leaf == expected

    def describe(self) -> str:
        return f"equals {show(self.value)}"


@dataclass(frozen=True, slots=True)
class TextMatch:
    """prefix, suffix, equals-ignore-case or wildcard on a string value."""

    kind: str  # "prefix", "suffix", "equals-ignore-case", "wildcard"
    value: str
    ignore_case: bool = False
    wildcard: WildcardPattern | None = None

    def matches(self, leaf: Leaf) -> bool:
        if not isinstance(leaf, str):
            return False
        return _text_matches(
            self.kind, self.value, self.ignore_case, self.wildcard, leaf
        )

    def describe(self) -> str:
        case = (
            " (ignoring case)"
            if self.ignore_case and self.kind != "equals-ignore-case"
            else ""
        )
        return f"{self.kind} {show(self.value)}{case}"


def _text_matches(
    kind: str,
    value: str,
    ignore_case: bool,
    wildcard: WildcardPattern | None,
    leaf: str,
) -> bool:
    if kind == "wildcard":
        assert wildcard is not None
        return wildcard.matches(leaf)
    if ignore_case:
        value, leaf = value.lower(), leaf.lower()
    if kind == "prefix":
        return leaf.startswith(value)
    if kind == "suffix":
        return leaf.endswith(value)
    return leaf == value  # equals-ignore-case


@dataclass(frozen=True, slots=True)
class AnythingBut:
    """``anything-but`` a string, a number, or a list of strings or of numbers."""

    strings: frozenset[str]
    numbers: tuple[Number, ...]

    def matches(self, leaf: Leaf) -> bool:
        if isinstance(leaf, str):
            return leaf not in self.strings
        if isinstance(leaf, Number):
            return not any(Exact(n).matches(leaf) for n in self.numbers)
        return True

    def describe(self) -> str:
        shown = sorted(show(s) for s in self.strings) + [n.text for n in self.numbers]
        return f"anything-but {', '.join(shown)}"


@dataclass(frozen=True, slots=True)
class AnythingButText:
    """``anything-but`` with prefix, suffix, equals-ignore-case or wildcard inside."""

    kind: str
    values: tuple[str, ...]
    wildcards: tuple[WildcardPattern, ...] = ()

    def matches(self, leaf: Leaf) -> bool:
        if not isinstance(leaf, str):
            # event-ruler matches these on the value's JSON text, which for a
            # non-string never starts or ends with a quoted string
            return True
        if self.kind == "wildcard":
            return not any(w.matches(leaf) for w in self.wildcards)
        ignore = self.kind == "equals-ignore-case"
        return not any(
            _text_matches(self.kind, value, ignore, None, leaf) for value in self.values
        )

    def describe(self) -> str:
        return f"anything-but {self.kind} {', '.join(show(v) for v in self.values)}"


@dataclass(frozen=True, slots=True)
class Numeric:
    """``numeric``: a comparison or a range, on number values only."""

    low: float | None = None
    low_open: bool = False
    high: float | None = None
    high_open: bool = False
    text: str = ""

    def matches(self, leaf: Leaf) -> bool:
        if not isinstance(leaf, Number) or leaf.value is None:
            return False
        value = leaf.value
        if self.low is not None and (
            value < self.low or (self.low_open and value == self.low)
        ):
            return False
        return not (
            self.high is not None
            and (value > self.high or (self.high_open and value == self.high))
        )

    def describe(self) -> str:
        return f"numeric {self.text}"


@dataclass(frozen=True, slots=True)
class Cidr:
    """``cidr``: an IPv4 or IPv6 address string inside the block."""

    network: ipaddress.IPv4Network | ipaddress.IPv6Network

    def matches(self, leaf: Leaf) -> bool:
        if not isinstance(leaf, str):
            return False
        address = _ip(leaf)
        return address is not None and address in self.network

    def describe(self) -> str:
        return f"cidr {self.network}"


@dataclass(frozen=True, slots=True)
class Exists:
    """``exists``: whether the event has a leaf value at the path."""

    present: bool

    def matches(self, leaf: Leaf) -> bool:
        del leaf
        return self.present

    def describe(self) -> str:
        return f"exists {'true' if self.present else 'false'}"


Matcher = Exact | TextMatch | AnythingBut | AnythingButText | Numeric | Cidr | Exists
