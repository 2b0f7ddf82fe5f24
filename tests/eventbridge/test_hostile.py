"""Hostile documents: every eventbridge parser raises only awscore's errors."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable

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


def test_fuzz_findings_are_typed_errors() -> None:
    """Each call the fuzzer found raising an untyped error now raises awscore's."""
    import pytest

    from awscore.errors import EventBridgeInputError
    from awscore.eventbridge import Number, s3_eventbridge_event

    config = NotificationConfiguration.parse(
        {
            "QueueConfigurations": [
                {
                    "QueueArn": "arn:aws:sqs:us-east-1:123456789012:q",
                    "Events": ["s3:ObjectCreated:*"],
                }
            ]
        }
    )
    calls: list[Callable[[], object]] = [
        lambda: Number.from_text(5),  # type: ignore[arg-type]
        lambda: Number.from_python([1]),  # type: ignore[arg-type]
        lambda: Number.from_python(10**5000),
        lambda: config.destinations({}, "k"),  # type: ignore[arg-type]
        lambda: config.destinations("s3:ObjectCreated:Put", 5),  # type: ignore[arg-type]
        lambda: RuleSet().remove({}),  # type: ignore[arg-type]
        lambda: s3_eventbridge_event(bucket=b"b", key="k", size=1),  # type: ignore[arg-type]
        lambda: InputTransformer({}, "x").apply({}, rule_arn=("a",)),  # type: ignore[arg-type]
        lambda: EventPattern.parse("{}", max_size=10**5000),
    ]
    for call in calls:
        with pytest.raises(EventBridgeInputError):
            call()
    assert Number.from_text("١٢٣").text == "١٢٣"  # read as text, whatever its value
    assert config.destinations("s3:ObjectCreated:Put", "a\udcfb") == [
        "QueueConfigurations[0]"
    ]
