"""JSON in, bounded: events and patterns as values whose numbers keep their text.

EventBridge compares numbers by value and also by their JSON text (event-ruler
adds an exact-text matcher beside the numeric one), so a number is read as a
:class:`Number` that keeps both. Every document is bounded before it is walked:
its size, its nesting depth and the count of its members.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from awscore._inputs import shown
from awscore.errors import EventBridgeInputError

__all__ = [
    "MAX_DEPTH",
    "MAX_DOCUMENT_SIZE",
    "MAX_MEMBERS",
    "Number",
    "load_document",
]

#: the largest document read (an event's PutEvents entry limit is 256 KB)
MAX_DOCUMENT_SIZE = 1024 * 1024
#: the deepest nesting of objects and arrays walked
MAX_DEPTH = 100
#: the most object members and array elements in one document
MAX_MEMBERS = 100_000
#: a number's most characters (a double needs at most 24)
_MAX_NUMBER_TEXT = 400


@dataclass(frozen=True, slots=True)
class Number:
    """A JSON number: its text as written, and its value when a double holds it.

    ``value`` is None when the number has no exact double (event-ruler's
    ComparableNumber refuses those: they match only by text).
    """

    text: str
    value: float | None

    @classmethod
    def from_text(cls, text: str) -> Number:
        """A number from its JSON text; not one a double holds exactly: no value."""
        if not isinstance(text, str):
            raise EventBridgeInputError(
                f"a number's text must be text, got {shown(text)}"
            )
        if len(text) > _MAX_NUMBER_TEXT:
            return cls(text, None)
        try:
            exact = Decimal(text)
            as_double = float(text)
            holds = math.isfinite(as_double) and Decimal(repr(as_double)) == exact
        except (InvalidOperation, ValueError, OverflowError):
            # not a number both Decimal and float read: it matches only as text
            return cls(text, None)
        if not holds:
            return cls(text, None)
        return cls(text, as_double)

    @classmethod
    def from_python(cls, value: int | float) -> Number:
        """A number from a Python int or float (not bool)."""
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise EventBridgeInputError(f"a number was expected, got {shown(value)}")
        if isinstance(value, float):
            if not math.isfinite(value):
                raise EventBridgeInputError(f"{value!r} is not a JSON number")
            return cls.from_text(repr(value))
        try:
            return cls.from_text(str(value))
        except ValueError:  # past Python's int-to-text digit limit
            raise EventBridgeInputError(
                "a number has more than 4,300 digits, which is not accepted"
            ) from None


def _constant(name: str) -> object:
    raise ValueError(f"{name} is not JSON")


def load_document(source: object, *, what: str) -> object:
    """Parse JSON text (or take a Python value) into values with :class:`Number`.

    Raises :class:`~awscore.errors.EventBridgeInputError` naming ``what`` for
    invalid JSON, a document over :data:`MAX_DOCUMENT_SIZE`, nesting deeper than
    :data:`MAX_DEPTH` or more than :data:`MAX_MEMBERS` members.
    """
    if isinstance(source, bytes):
        try:
            source = source.decode("utf-8")
        except UnicodeDecodeError:
            raise EventBridgeInputError(f"the {what} is not UTF-8") from None
    if isinstance(source, str):
        if len(source) > MAX_DOCUMENT_SIZE:
            raise EventBridgeInputError(
                f"the {what} is over {MAX_DOCUMENT_SIZE} characters"
            )
        try:
            value = json.loads(
                source,
                parse_int=Number.from_text,
                parse_float=Number.from_text,
                parse_constant=_constant,
            )
        except (ValueError, RecursionError) as error:
            raise EventBridgeInputError(
                f"the {what} is not valid JSON: {error}"
            ) from None
    else:
        value = source
    return _checked(value, what)


def _checked(root: object, what: str) -> object:
    """Convert Python numbers, and check depth, size and kinds, iteratively."""
    members = 0
    result: list[object] = [None]
    # (value, depth, container to put the copy in, key or index)
    stack: list[tuple[object, int, object, object]] = [(root, 0, result, 0)]
    while stack:
        value, depth, parent, key = stack.pop()
        if depth > MAX_DEPTH:
            raise EventBridgeInputError(
                f"the {what} nests deeper than {MAX_DEPTH} levels"
            )
        copy: object
        if isinstance(value, Mapping):
            members += len(value)
            # keys in the document's order: a pattern's later fields override
            copy = dict.fromkeys(value)
            for name, item in reversed(list(value.items())):
                if not isinstance(name, str):
                    raise EventBridgeInputError(
                        f"the {what} has a member name that is not text: {shown(name)}"
                    )
                stack.append((item, depth + 1, copy, name))
        elif isinstance(value, list | tuple):
            members += len(value)
            copy = [None] * len(value)
            for index, item in enumerate(value):
                stack.append((item, depth + 1, copy, index))
        elif (
            isinstance(value, bool) or value is None or isinstance(value, str | Number)
        ):
            copy = value
        elif isinstance(value, int | float):
            if isinstance(value, float) and not math.isfinite(value):
                raise EventBridgeInputError(
                    f"the {what} holds {shown(value)}, which is not JSON"
                )
            copy = Number.from_python(value)
        else:
            raise EventBridgeInputError(
                f"the {what} holds a {type(value).__name__}, which is not JSON"
            )
        if members > MAX_MEMBERS:
            raise EventBridgeInputError(
                f"the {what} has more than {MAX_MEMBERS} members"
            )
        parent[key] = copy  # type: ignore[index]
    return result[0]
