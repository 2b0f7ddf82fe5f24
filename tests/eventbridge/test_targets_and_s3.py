"""RuleSet, input transformers and S3 event notifications.

Pages: EventBridge user guide "Amazon EventBridge input transformation" (the EC2
example event and its templates); S3 user guide "Configuring event notifications
using object key name filtering" (the prefix/suffix examples and the overlap
rule) and "Using EventBridge" (the Object Created event).
"""

from __future__ import annotations

import json
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from awscore.errors import EventBridgeInputError, S3NotificationConfigError
from awscore.eventbridge import (
    EventPattern,
    InputTransformer,
    NotificationConfiguration,
    RuleSet,
    input_path,
    s3_eventbridge_event,
)
from tests.strategies.eventbridge_cases import random_case

TRANSFORM_EVENT = {
    "version": "0",
    "id": "7bf73129-1428-4cd3-a780-95db273d1602",
    "detail-type": "EC2 Instance State-change Notification",
    "source": "aws.ec2",
    "account": "123456789012",
    "time": "2015-11-11T21:29:54Z",
    "region": "us-east-1",
    "resources": ["arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111"],
    "detail": {"instance-id": "i-0123456789", "state": "RUNNING"},
}
PATHS = {"instance": "$.detail.instance-id", "state": "$.detail.state"}


# --- RuleSet ----------------------------------------------------------------------


@settings(max_examples=100)
@given(st.integers(0, 2**32))
def test_a_rule_set_answers_as_each_pattern_would(seed: int) -> None:
    """RuleSet.matching(e) is exactly the rules whose pattern matches e."""
    rng = random.Random(seed)  # noqa: S311 - seeded test data
    rules = RuleSet()
    patterns: dict[str, EventPattern] = {}
    events = []
    for n in range(30):
        pattern_text, event_text = random_case(rng)
        events.append(event_text)
        try:
            pattern = EventPattern.parse(pattern_text, max_size=4096)
        except EventBridgeInputError:
            continue
        patterns[f"r{n}"] = pattern
        rules.add(f"r{n}", pattern)
    for event in events:
        expected = [name for name, p in patterns.items() if p.matches(event)]
        assert rules.matching(event) == expected


def test_rules_are_filed_and_removed() -> None:
    rules = RuleSet()
    rules.add("ecs", '{"source": ["aws.ecs"], "detail": {"lastStatus": ["STOPPED"]}}')
    rules.add("ip", '{"detail": {"ip": ["10.0.0.1"]}}')
    rules.add("any", '{"detail": {"n": [{"numeric": [">", 1]}]}}')
    rules.add("five", '{"detail": {"n": [5]}}')
    assert len(rules) == 4
    assert "ecs" in rules
    event = {"source": "aws.ecs", "detail": {"lastStatus": "STOPPED", "n": 5.0}}
    assert rules.matching(event) == ["ecs", "any", "five"]
    assert rules.matching({"detail": {"ip": "10.0.0.1"}}) == ["ip"]
    rules.remove("ecs")
    rules.remove("never-added")
    assert rules.matching(event) == ["any", "five"]
    rules.add("five", '{"detail": {"n": [6]}}')  # replaced
    assert rules.matching(event) == ["any"]
    assert [name for name, _ in rules.patterns()] == ["ip", "any", "five"]


def test_a_bad_rule_leaves_the_set_as_it_was() -> None:
    rules = RuleSet()
    rules.add("a", '{"source": ["x"]}')
    with pytest.raises(EventBridgeInputError):
        rules.add("a", '{"source": []}')
    with pytest.raises(EventBridgeInputError, match="non-empty string"):
        rules.add("", '{"source": ["x"]}')
    assert rules.matching({"source": "x"}) == ["a"]


# --- input transformer -------------------------------------------------------------


def test_the_guides_string_template() -> None:
    transformer = InputTransformer(PATHS, '"instance <instance> is in <state>"')
    assert transformer.apply(TRANSFORM_EVENT) == '"instance i-0123456789 is in RUNNING"'


def test_the_guides_json_template() -> None:
    template = (
        '{"instance": <instance>, "state": [9, <state>, true], "Transformed": "Yes"}'
    )
    out = InputTransformer(PATHS, template).apply(TRANSFORM_EVENT)
    assert json.loads(out) == {
        "instance": "i-0123456789",
        "state": [9, "RUNNING", True],
        "Transformed": "Yes",
    }


def test_a_variable_inside_a_json_string_is_its_text() -> None:
    template = '{"message": "<instance> is <state>", "quoted": "say \\"<state>\\""}'
    out = InputTransformer(PATHS, template).apply(TRANSFORM_EVENT)
    assert json.loads(out) == {
        "message": "i-0123456789 is RUNNING",
        "quoted": 'say "RUNNING"',
    }


def test_predefined_variables() -> None:
    template = (
        '{"rule": "<aws.events.rule-name>", "arn": "<aws.events.rule-arn>", '
        '"at": "<aws.events.event.ingestion-time>", "event": <aws.events.event>, '
        '"whole": <aws.events.event.json>}'
    )
    out = json.loads(
        InputTransformer({}, template).apply(
            TRANSFORM_EVENT,
            rule_arn="arn:aws:events:us-east-1:123456789012:rule/ec2-changes",
            ingestion_time="2015-11-11T21:29:55Z",
        )
    )
    assert out["rule"] == "ec2-changes"
    assert out["at"] == "2015-11-11T21:29:55Z"
    assert "detail" not in out["event"]
    assert out["whole"] == TRANSFORM_EVENT


def test_values_keep_their_json_and_missing_paths_are_null() -> None:
    event = {"detail": {"n": 1.50, "list": [1, {"a": None}], "text": 'a"b'}}
    paths = {
        "n": "$.detail.n",
        "l": "$.detail.list",
        "t": "$.detail.text",
        "m": "$.nope",
    }
    out = InputTransformer(
        paths, '{"n": <n>, "l": <l>, "t": <t>, "m": <m>, "s": "<m>"}'
    )
    assert out.apply(json.dumps(event)) == (
        '{"n": 1.5, "l": [1,{"a":null}], "t": "a\\"b", "m": null, "s": ""}'
    )
    star = InputTransformer(
        {"all": "$.detail.list[*]", "first": "$.detail.list[0]"}, "<all> <first>"
    )
    assert star.apply(event) == '[1,{"a":null}] 1'


def test_input_path() -> None:
    assert input_path(TRANSFORM_EVENT, "$.detail.state") == '"RUNNING"'
    assert input_path(TRANSFORM_EVENT, "$") == json.dumps(
        TRANSFORM_EVENT, separators=(",", ":")
    )


@pytest.mark.parametrize(
    ("paths", "template", "message"),
    [
        ({"x": "detail"}, "<x>", "not a JSON path"),
        ({"x": "$..detail"}, "<x>", "take .name"),
        ({"x y": "$.a"}, "<x y>", "not a variable name"),
        ({"aws.events.rule-arn": "$.a"}, "x", "predefined"),
        ({f"v{n}": "$.a" for n in range(101)}, "x", "at most 100"),
        ({}, "", "non-empty"),
        ({}, "x" * 8193, "over 8192"),
        ({}, '"<aws.events.event>"', "only be a JSON value"),
        ("nope", "x", "must map"),
    ],
)
def test_transformers_eventbridge_refuses(
    paths: object, template: str, message: str
) -> None:
    with pytest.raises(EventBridgeInputError, match=message):
        InputTransformer(paths, template)  # type: ignore[arg-type]


def test_a_transformer_needs_an_object_event() -> None:
    with pytest.raises(EventBridgeInputError, match="JSON object"):
        InputTransformer({}, "x").apply("[1]")


# --- S3 event notifications ----------------------------------------------------------


def _config(*rules: tuple[str, list[str], str, str]) -> NotificationConfiguration:
    return NotificationConfiguration.parse(
        {
            "QueueConfigurations": [
                {
                    "Id": rule_id,
                    "QueueArn": f"arn:aws:sqs:us-east-1:123456789012:{rule_id}",
                    "Events": events,
                    "Filter": {
                        "Key": {
                            "FilterRules": [
                                {"Name": "Prefix", "Value": prefix},
                                {"Name": "suffix", "Value": suffix},
                            ]
                        }
                    },
                }
                for rule_id, events, prefix, suffix in rules
            ]
        }
    )


def test_prefix_suffix_and_event_type_wildcards() -> None:
    """The S3 guide's example: images/ with .jpg, and the ObjectCreated:* wildcard."""
    config = _config(("jpg", ["s3:ObjectCreated:*"], "images/", ".jpg"))
    assert config.destinations("s3:ObjectCreated:Put", "images/a.jpg") == ["jpg"]
    assert config.destinations(
        "s3:ObjectCreated:CompleteMultipartUpload", "images/b.jpg"
    ) == ["jpg"]
    assert config.destinations("s3:ObjectRemoved:Delete", "images/a.jpg") == []
    assert config.destinations("s3:ObjectCreated:Put", "images/a.png") == []
    assert config.destinations("s3:ObjectCreated:Put", "docs/a.jpg") == []


def test_keys_match_url_encoded() -> None:
    """Special characters in a filter are written URL-encoded, as keys arrive."""
    config = _config(("spaces", ["s3:ObjectCreated:Put"], "my+photos/", ""))
    assert config.destinations("s3:ObjectCreated:Put", "my photos/x.jpg") == ["spaces"]
    assert config.destinations("s3:ObjectCreated:Put", "myphotos/x.jpg") == []


def test_non_overlapping_rules_are_accepted() -> None:
    """The S3 guide's valid pair: the same events, prefixes that do not overlap."""
    config = _config(
        ("images", ["s3:ObjectCreated:Put"], "images/", ".jpg"),
        ("logs", ["s3:ObjectCreated:Put"], "logs/", ""),
        ("other-type", ["s3:ObjectRemoved:*"], "images/", ""),
    )
    assert [rule.id for rule in config.rules] == ["images", "logs", "other-type"]


@pytest.mark.parametrize(
    "second",
    [
        ("b", ["s3:ObjectCreated:Put"], "images/2024/", ".jpg"),  # prefix inside prefix
        ("b", ["s3:ObjectCreated:*"], "images/", ".jpg"),  # wildcard covers Put
        ("b", ["s3:ObjectCreated:Put"], "", ".jpg"),  # no prefix overlaps all
        ("b", ["s3:ObjectCreated:Put"], "images/", "g"),  # suffix inside suffix
    ],
)
def test_overlapping_rules_are_refused(second: tuple[str, list[str], str, str]) -> None:
    with pytest.raises(S3NotificationConfigError, match="ambiguously defined"):
        _config(("a", ["s3:ObjectCreated:Put"], "images/", ".jpg"), second)


@pytest.mark.parametrize(
    ("document", "message"),
    [
        (
            {
                "QueueConfigurations": [
                    {"QueueArn": "q", "Events": ["s3:ObjectCreated:*"]}
                ]
            },
            "ARN",
        ),
        (
            {
                "QueueConfigurations": [
                    {"QueueArn": "arn:aws:sqs:::q", "Events": ["s3:Nope"]}
                ]
            },
            "not an S3 event type",
        ),
        (
            {"QueueConfigurations": [{"QueueArn": "arn:aws:sqs:::q", "Events": []}]},
            "Events",
        ),
        (
            {
                "QueueConfigurations": [
                    {
                        "QueueArn": "arn:aws:sqs:::q",
                        "Events": ["s3:ObjectCreated:*"],
                        "Filter": {
                            "Key": {
                                "FilterRules": [
                                    {"Name": "prefix", "Value": "a"},
                                    {"Name": "Prefix", "Value": "b"},
                                ]
                            }
                        },
                    }
                ]
            },
            "more than one prefix",
        ),
        (
            {
                "QueueConfigurations": [
                    {
                        "QueueArn": "arn:aws:sqs:::q",
                        "Events": ["s3:ObjectCreated:*"],
                        "Filter": {
                            "Key": {"FilterRules": [{"Name": "middle", "Value": "a"}]}
                        },
                    }
                ]
            },
            "prefix or suffix",
        ),
        (
            {
                "QueueConfigurations": [
                    {
                        "QueueArn": "arn:aws:sqs:::q",
                        "Events": ["s3:ObjectCreated:*"],
                        "Filter": {
                            "Key": {
                                "FilterRules": [{"Name": "suffix", "Value": "x" * 1025}]
                            }
                        },
                    }
                ]
            },
            "1024",
        ),
        (
            {
                "QueueConfigurations": [
                    {
                        "QueueArn": "arn:aws:sqs:::q",
                        "Events": ["s3:ObjectCreated:*"],
                        "Filter": [],
                    }
                ]
            },
            "FilterRules",
        ),
        ({"QueueConfigurations": {}}, "must be a list"),
        ({"Surprise": []}, "unknown keys"),
        ("[", "not valid JSON"),
        ("[]", "JSON object"),
    ],
)
def test_configurations_s3_refuses(document: object, message: str) -> None:
    source = document if isinstance(document, str) else json.dumps(document)
    with pytest.raises(S3NotificationConfigError, match=message):
        NotificationConfiguration.parse(source)


def test_an_unknown_event_type_to_test_is_refused() -> None:
    config = _config(("a", ["s3:ObjectCreated:*"], "", ""))
    with pytest.raises(S3NotificationConfigError, match="not an S3 event type"):
        config.destinations("s3:ObjectCreated:*", "k")


def test_one_upload_checked_against_notifications_and_eventbridge() -> None:
    """The S3 → EventBridge 'Object Created' event, matched by a size rule."""
    event = s3_eventbridge_event(bucket="photos", key="my photos/a.jpg", size=2048)
    assert event["detail-type"] == "Object Created"
    assert event["resources"] == ["arn:aws:s3:::photos"]
    detail = event["detail"]
    assert isinstance(detail, dict)
    assert detail["object"]["key"] == "my photos/a.jpg"  # not URL-encoded here
    assert detail["reason"] == "PutObject"
    rule = EventPattern.parse(
        '{"source": ["aws.s3"], "detail-type": ["Object Created"], '
        '"detail": {"bucket": {"name": ["photos"]}, '
        '"object": {"size": [{"numeric": [">", 1024]}], '
        '"key": [{"prefix": "my photos/"}]}}}'
    )
    assert rule.matches(event)
    deleted = s3_eventbridge_event(
        bucket="photos",
        key="a.jpg",
        size=0,
        event_type="s3:ObjectRemoved:DeleteMarkerCreated",
    )
    assert deleted["detail-type"] == "Object Deleted"
    assert deleted["detail"]["deletion-type"] == "Delete Marker Created"  # type: ignore[index]
    with pytest.raises(S3NotificationConfigError, match="no EventBridge form"):
        s3_eventbridge_event(
            bucket="b", key="k", size=1, event_type="s3:ObjectRestore:Post"
        )
    with pytest.raises(S3NotificationConfigError, match="byte count"):
        s3_eventbridge_event(bucket="b", key="k", size=-1)
