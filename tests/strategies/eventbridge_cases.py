# ruff: noqa: E501, PLR0911, PLR0912, S311 - a table of pattern shapes; seeded test data
"""Random EventBridge patterns and events that overlap often, from a seeded RNG.

Used twice: ``scripts/eventbridge_vectors.py`` draws the cases whose verdicts the
real event-ruler gives (committed as ``tests/vectors/eventbridge/``), and the
hypothesis strategies below draw more of the same shape for property tests.
The vocabulary is small on purpose, so that most pairs decide on a real
comparison instead of a missing field.
"""

from __future__ import annotations

import json
import random

from hypothesis import strategies as st

__all__ = ["cases", "random_case"]

KEYS = ("a", "b", "c")
STRINGS = (
    "a",
    "ab",
    "abc",
    "A",
    "Ab",
    "b",
    "",
    "x*y",
    "x",
    "init",
    "initializing",
    "running",
    "RUNNING",
    "10.0.0.1",
    "10.0.1.5",
    "192.168.1.1",
    "2001:db8::1",
    "a.png",
    "dir/a.png",
    "\\",
    "*",
    "é",
    "É",
)
NUMBERS = (
    "0",
    "1",
    "5",
    "5.0",
    "-3",
    "1e9",
    "3.018e2",
    "301.8",
    "100",
    "0.1",
    "1.5e-7",
)
LITERALS = ("true", "false", "null")


def _string(rng: random.Random) -> str:
    return json.dumps(rng.choice(STRINGS))


def _scalar(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.55:
        return _string(rng)
    if roll < 0.85:
        return rng.choice(NUMBERS)
    return rng.choice(LITERALS)


def _wildcard(rng: random.Random) -> str:
    pieces = ["", "a", "b", "x", "*", "\\\\*", "/", ".png"]
    text = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 4)))
    return json.dumps(text)


def _operator(rng: random.Random) -> str:
    kind = rng.choice(
        (
            "prefix",
            "prefix-ic",
            "suffix",
            "suffix-ic",
            "eic",
            "wildcard",
            "ab",
            "ab-list",
            "ab-prefix",
            "ab-suffix",
            "ab-eic",
            "ab-wildcard",
            "numeric",
            "range",
            "cidr",
            "exists",
            "exactly",
        )
    )
    s = _string(rng)
    if kind == "prefix":
        return f'{{"prefix": {s}}}'
    if kind == "prefix-ic":
        return f'{{"prefix": {{"equals-ignore-case": {s}}}}}'
    if kind == "suffix":
        return f'{{"suffix": {s}}}'
    if kind == "suffix-ic":
        return f'{{"suffix": {{"equals-ignore-case": {s}}}}}'
    if kind == "eic":
        return f'{{"equals-ignore-case": {s}}}'
    if kind == "wildcard":
        return f'{{"wildcard": {_wildcard(rng)}}}'
    if kind == "ab":
        return f'{{"anything-but": {rng.choice([s, rng.choice(NUMBERS)])}}}'
    if kind == "ab-list":
        pool = STRINGS if rng.random() < 0.6 else NUMBERS
        items = [json.dumps(v) if pool is STRINGS else v for v in rng.sample(pool, 2)]
        return f'{{"anything-but": [{", ".join(items)}]}}'
    if kind in ("ab-prefix", "ab-suffix", "ab-eic", "ab-wildcard"):
        inner = {
            "ab-prefix": "prefix",
            "ab-suffix": "suffix",
            "ab-eic": "equals-ignore-case",
            "ab-wildcard": "wildcard",
        }[kind]
        value = _wildcard(rng) if inner == "wildcard" else s
        if rng.random() < 0.3:
            value = f"[{value}, {_string(rng)}]"
        return f'{{"anything-but": {{"{inner}": {value}}}}}'
    if kind == "numeric":
        op = rng.choice(("=", "<", "<=", ">", ">="))
        return f'{{"numeric": ["{op}", {rng.choice(NUMBERS)}]}}'
    if kind == "range":
        low, high = sorted(rng.sample([0, 1, 5, 100, 301.8, -3], 2))
        return f'{{"numeric": ["{rng.choice((">", ">="))}", {low}, "{rng.choice(("<", "<="))}", {high}]}}'
    if kind == "cidr":
        return f'{{"cidr": "{rng.choice(("10.0.0.0/24", "10.0.0.0/8", "192.168.0.0/16", "2001:db8::/32", "10.0.1.0/24"))}"}}'
    if kind == "exists":
        return f'{{"exists": {rng.choice(("true", "false"))}}}'
    return f'{{"exactly": {s}}}'


def _pattern_array(rng: random.Random) -> str:
    items = [
        _operator(rng) if rng.random() < 0.6 else _scalar(rng)
        for _ in range(rng.randint(1, 3))
    ]
    return "[" + ", ".join(items) + "]"


def _pattern_object(rng: random.Random, depth: int) -> str:
    fields = []
    for key in rng.sample(KEYS, rng.randint(1, 2)):
        if depth < 2 and rng.random() < 0.3:
            fields.append(f'"{key}": {_pattern_object(rng, depth + 1)}')
        else:
            fields.append(f'"{key}": {_pattern_array(rng)}')
    if depth < 2 and rng.random() < 0.12:
        alternatives = [_pattern_object(rng, depth + 1) for _ in range(2)]
        fields.append(f'"$or": [{", ".join(alternatives)}]')
    return "{" + ", ".join(fields) + "}"


def _event_value(rng: random.Random, depth: int) -> str:
    roll = rng.random()
    if depth < 3 and roll < 0.2:
        return _event_object(rng, depth + 1)
    if depth < 3 and roll < 0.35:
        items = [_event_value(rng, depth + 1) for _ in range(rng.randint(0, 3))]
        return "[" + ", ".join(items) + "]"
    return _scalar(rng)


def _event_object(rng: random.Random, depth: int) -> str:
    keys = rng.sample(KEYS, rng.randint(0, 3))
    return "{" + ", ".join(f'"{k}": {_event_value(rng, depth)}' for k in keys) + "}"


def _fill(rng: random.Random, pattern: object) -> object:
    """An event with a value at most of the pattern's paths, to decide on values."""
    if not isinstance(pattern, dict):
        return json.loads(_event_value(rng, 3))
    event: dict[str, object] = {}
    for key, value in pattern.items():
        if key == "$or":
            for alternative in value:
                filled = _fill(rng, alternative)
                assert isinstance(filled, dict)
                event.update(filled)
        elif rng.random() < 0.9:
            if isinstance(value, dict):
                inner = _fill(rng, value)
                event[key] = [inner, _fill(rng, value)] if rng.random() < 0.2 else inner
            else:
                event[key] = json.loads(_event_value(rng, 2))
    return event


def random_case(rng: random.Random) -> tuple[str, str]:
    """One (pattern, event) pair of JSON texts; half the events follow the pattern."""
    pattern = _pattern_object(rng, 0)
    if rng.random() < 0.5:
        return pattern, _event_object(rng, 0)
    return pattern, json.dumps(_fill(rng, json.loads(pattern)))


@st.composite
def cases(draw: st.DrawFn) -> tuple[str, str]:
    """A (pattern, event) pair drawn like :func:`random_case`."""
    return random_case(random.Random(draw(st.integers(0, 2**32))))
