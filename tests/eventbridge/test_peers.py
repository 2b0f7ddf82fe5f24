"""Other matchers run side by side: moto's, and the Go one behind PyPI's event-ruler.

Neither is EventBridge; the reference verdicts are event-ruler's own (the Java
library EventBridge uses, in ``tests/vectors/eventbridge``). These tests pin
where each peer departs from it, with the smallest case that shows it, and check
that every disagreement over the 2,000 vectors is one of the pinned departures.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from awscore.eventbridge import EventPattern
from tests.conftest import require_peer

VECTORS = Path(__file__).resolve().parent.parent / "vectors" / "eventbridge"


def _rows() -> list[dict[str, Any]]:
    text = (VECTORS / "event-ruler.jsonl").read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines()]


def _moto(pattern: str, event: str) -> bool:
    models = require_peer("moto.events.models")
    return bool(models.EventPattern.load(pattern).matches_event(json.loads(event)))


def _departure(pattern: str, event: str) -> str | None:  # noqa: PLR0911
    """Which pinned moto departure explains a disagreement, if any."""
    names = re.findall(r'"([a-c])":', pattern)
    if '"exactly"' in pattern:
        return "exactly"
    if "[{" in event.replace(" ", ""):
        return "objects in arrays"
    if any(word in event or word in pattern for word in ("true", "false")):
        return "booleans as numbers"
    if "[]" in event:
        return "an empty array"
    if "{}" in event or '": {' in event:
        return "anything-but on an object"
    if '"$or"' in pattern and len(names) != len(set(names)):
        return "a field repeated inside $or"
    return None


def test_moto_agrees_on_the_rest() -> None:
    """moto matches like event-ruler except where a pinned departure explains it."""
    agree = 0
    unexplained = []
    for row in _rows():
        if not row["valid"]:
            continue
        pattern, event = str(row["pattern"]), str(row["event"])
        if _moto(pattern, event) == row["match"]:
            agree += 1
        elif _departure(pattern, event) is None:
            unexplained.append((pattern, event, row["match"]))
    assert unexplained == []
    assert agree >= 1800


@pytest.mark.parametrize(
    ("pattern", "event", "event_ruler", "moto", "why"),
    [
        (
            '{"a": [1]}',
            '{"a": true}',
            False,
            True,
            "moto compares with Python ==, where True == 1",
        ),
        (
            '{"a": [{"exactly": "x"}]}',
            '{"a": null}',
            False,
            True,
            "moto does not know the exactly operator",
        ),
        (
            '{"b": [{"anything-but": "init"}]}',
            '{"b": {}}',
            False,
            True,
            "moto's anything-but matches an object, which is no leaf value",
        ),
        (
            '{"c": [{"exists": false}]}',
            '{"c": []}',
            True,
            False,
            "moto counts an empty array as the field being there",
        ),
        (
            '{"a": ["x"], "$or": [{"a": ["y"]}, {"b": ["z"]}]}',
            '{"a": "y"}',
            True,
            False,
            "moto keeps the outer field beside the $or alternative's",
        ),
        (
            '{"c": {"a": [{"wildcard": "*"}]}}',
            '{"c": [{"a": "10.0.0.1"}, {"a": null}]}',
            True,
            False,
            "moto does not look into arrays of objects",
        ),
    ],
)
def test_moto_departures(
    pattern: str, event: str, event_ruler: bool, moto: bool, why: str
) -> None:
    del why
    assert EventPattern.parse(pattern).matches(event) is event_ruler
    assert _moto(pattern, event) is moto


def _quamina(pattern: str, event: str) -> bool | None:
    """The PyPI event-ruler (Go, via gopy): None when it refuses the pattern."""
    peer = require_peer("event_ruler")
    try:
        result = peer.test_event_pattern(event, pattern)
    except RuntimeError:
        return None
    return bool(result[0] if isinstance(result, tuple) else result)


def test_the_go_matcher_agrees_where_it_accepts_the_pattern() -> None:
    """It knows exact values, exists and anything-but: on those it agrees."""
    compared = 0
    for row in _rows():
        verdict = _quamina(str(row["pattern"]), str(row["event"]))
        if verdict is None or not row["valid"]:
            continue
        compared += 1
        assert verdict is row["match"], row
    assert compared >= 150


def test_the_go_matcher_compares_numbers_as_text() -> None:
    """Departure: 5 and 5.0 are one number to EventBridge, two strings to it."""
    assert EventPattern.parse('{"a": [5]}').matches('{"a": 5.0}')
    assert _quamina('{"a": [5]}', '{"a": 5.0}') is False


def test_the_go_matcher_refuses_most_operators() -> None:
    assert _quamina('{"a": [{"prefix": "x"}]}', '{"a": "x"}') is None
    assert _quamina('{"a": [{"cidr": "10.0.0.0/8"}]}', '{"a": "10.0.0.1"}') is None
