"""Hypothesis strategies for hostile values: what a caller or a document can pass.

Shared by the property tests ("a rejected input changes no state") and by
``scripts/fuzz.py``: wrong kinds of value (None, bytes, a list where a mapping
belongs), integers past Python's 4,300-digit int-to-string limit, floats at the
edges (nan, inf, 1e308, 5e-324), text with lone surrogates, control characters
and non-ASCII digits, deep nesting (built iteratively, as a hostile parser would
meet it) and documents (JSON/YAML text) with all of those inside.
"""

from __future__ import annotations

import json
import math
from typing import Any

from hypothesis import strategies as st

#: Integers that break naive code: past the float range, past the int-to-string
#: limit, at signed and unsigned word edges, and the small ones next to bounds.
HUGE_INTS: tuple[int, ...] = (
    10**400,
    10**5000,
    -(10**5000),
    2**31,
    2**32,
    2**63,
    2**64,
    2**128,
    2**128 - 1,
    -1,
    -(2**63),
)

#: Floats at the edges of the type.
EDGE_FLOATS: tuple[float, ...] = (
    math.nan,
    math.inf,
    -math.inf,
    1e308,
    -1e308,
    5e-324,
    1e-320,
    -0.0,
    0.5,
)

#: Text a parser of numbers, names or keys should refuse cleanly.
HOSTILE_STRINGS: tuple[str, ...] = (
    "",
    " ",
    "9" * 5000,
    "-" + "9" * 5000,
    "1e400",
    "1" + "0" * 400,
    "nan",
    "inf",
    "-0",
    "0x10",
    "١٢٣",  # Arabic-Indic digits: str.isdigit() accepts them
    "²",  # superscript two: isdigit() accepts it, int() does not
    "\ud800",  # a lone surrogate: no UTF-8 form
    "a\x00b",
    "\u202e",
    "../../etc/passwd",
    "a" * 70_000,
    "%" * 3,
    "{{#a}}{{/a}}",
    "[[[[",
)

_leaf = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.sampled_from(HUGE_INTS),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(EDGE_FLOATS),
    st.text(st.characters(exclude_categories=()), max_size=20),
    st.sampled_from(HOSTILE_STRINGS),
    st.binary(max_size=20),
)


def nested_list(depth: int) -> list[Any]:
    """A list nested ``depth`` deep, built without recursion."""
    value: list[Any] = []
    for _ in range(depth):
        value = [value]
    return value


def nested_dict(depth: int, key: str = "a") -> dict[str, Any]:
    """A mapping nested ``depth`` deep, built without recursion."""
    value: dict[str, Any] = {}
    for _ in range(depth):
        value = {key: value}
    return value


#: Depths around the usual recursion limits (1,000) and far past them.
DEEP = st.sampled_from((200, 999, 1_001, 3_000, 10_000))


def values() -> st.SearchStrategy[Any]:
    """Any value a caller could pass where something else was expected."""
    return st.one_of(
        _leaf,
        st.lists(_leaf, max_size=4),
        st.tuples(_leaf, _leaf),
        st.dictionaries(st.text(max_size=5), _leaf, max_size=4),
        st.frozensets(st.integers(), max_size=3),
        DEEP.map(nested_list),
        DEEP.map(nested_dict),
    )


def json_values() -> st.SearchStrategy[Any]:
    """Values JSON can hold, hostile ones included (huge ints, deep nesting)."""
    scalars = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.just(10**400),  # 5,000 digits are spliced in as text (below)
        st.floats(allow_nan=False, allow_infinity=False),
        st.text(max_size=20),
        st.sampled_from(HOSTILE_STRINGS[:12]),
    )
    return st.recursive(
        scalars,
        lambda children: st.one_of(
            st.lists(children, max_size=4),
            st.dictionaries(st.text(max_size=8), children, max_size=4),
        ),
        max_leaves=12,
    )


def _dump(value: Any) -> str:
    # A 5,000-digit int has no str(): write its digits by hand, as a hostile
    # document would carry them.
    try:
        return json.dumps(value)
    except (ValueError, RecursionError):
        return "9" * 5000


@st.composite
def mutated_documents(draw: st.DrawFn, document: Any) -> str:
    """JSON text of ``document`` with one part replaced by a hostile value.

    ``document`` is a valid description (a domain, a cluster, a policy); the
    mutation swaps one value anywhere in it (a mapping where a list belongs, a
    5,000-digit number, nesting 3,000 deep) or appends hostile raw text.
    """
    doc = json.loads(json.dumps(document))
    paths: list[tuple[Any, Any]] = []
    stack: list[Any] = [doc]
    while stack:
        node = stack.pop()
        items = node.items() if isinstance(node, dict) else enumerate(node)
        for key, child in list(items):
            paths.append((node, key))
            if isinstance(child, dict | list):
                stack.append(child)
    how = draw(st.sampled_from(("replace", "replace", "replace", "raw", "deep")))
    if how == "raw":
        return draw(
            st.sampled_from(
                (
                    "[" * 5000,
                    '{"a":' * 3000,
                    "9" * 5000,
                    json.dumps(document)[:-1],
                    json.dumps(document) + "\x00",
                    '{"a": 1, "a": 2}',
                    "",
                    "\ufeff" + json.dumps(document),
                )
            )
        )
    if how == "deep" or not paths:
        depth = draw(DEEP)
        return "[" * depth + "]" * depth
    node, key = draw(st.sampled_from(paths))
    replacement = draw(json_values())
    node[key] = replacement
    text = _dump(doc)
    if draw(st.booleans()) and isinstance(replacement, int | float):
        # Splice a 5,000-digit number where the value was.
        text = text.replace(_dump(replacement), "9" * 5000, 1)
    return text
