"""Hostile documents: every eventbridge parser raises only awscore's errors."""

from __future__ import annotations

import contextlib
import json

from hypothesis import given, settings
from hypothesis import strategies as st

from awscore.errors import AwsCoreError
from awscore.eventbridge import (
    EventPattern,
    InputTransformer,
    NotificationConfiguration,
    RuleSet,
    input_path,
)

_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                ["a", "b", "$or", "prefix", "numeric", "anything-but", "exists"]
            )
            | st.text(max_size=4),
            inner,
            max_size=4,
        )
    ),
    max_leaves=20,
)
_TEXT = st.one_of(
    st.text(max_size=200),
    st.binary(max_size=200),
    _JSON.map(lambda v: json.dumps(v, allow_nan=True)),
)


def _only_typed(call: object) -> None:
    with contextlib.suppress(AwsCoreError):  # anything else fails the test
        call()  # type: ignore[operator]


@settings(max_examples=300)
@given(_TEXT, _TEXT)
def test_patterns_and_events_raise_only_typed_errors(
    pattern: object, event: object
) -> None:
    """Whatever the bytes, parsing and matching raise EventBridge errors or answer."""
    _only_typed(lambda: EventPattern.parse(pattern).matches(event))  # type: ignore[arg-type]
    _only_typed(lambda: EventPattern.parse(pattern).explain(event))  # type: ignore[arg-type]
    _only_typed(lambda: input_path(event, "$.a"))
    _only_typed(lambda: NotificationConfiguration.parse(pattern))  # type: ignore[arg-type]


@settings(max_examples=300)
@given(_JSON, _JSON, _JSON)
def test_transformers_and_rule_sets_raise_only_typed_errors(
    paths: object, template: object, event: object
) -> None:
    """Wrong shapes are typed errors; a refused rule leaves the set as it was."""
    _only_typed(lambda: InputTransformer(paths, template).apply(event))  # type: ignore[arg-type]
    rules = RuleSet()
    rules.add("kept", '{"a": [1]}')
    _only_typed(lambda: rules.add("new", json.dumps(paths)))
    _only_typed(lambda: rules.matching(event))
    assert "kept" in rules
