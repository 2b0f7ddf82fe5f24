"""Amazon EventBridge: event patterns matched as EventBridge matches them.

>>> from awscore.eventbridge import EventPattern
>>> rule = EventPattern.parse({"source": ["aws.ecs"],
...                            "detail-type": ["ECS Task State Change"],
...                            "detail": {"lastStatus": ["STOPPED"]}})
>>> rule.matches({"source": "aws.ecs", "detail-type": "ECS Task State Change",
...               "detail": {"lastStatus": "STOPPED", "stopCode": "TaskFailedToStart"}})
True
"""

from __future__ import annotations

from awscore.eventbridge._json import MAX_DEPTH, MAX_DOCUMENT_SIZE, MAX_MEMBERS, Number
from awscore.eventbridge._pattern import (
    DEFAULT_MAX_PATTERN_SIZE,
    MAX_PATTERN_SIZE,
    MAX_SUB_RULES,
    EventPattern,
    Explanation,
    LoadedEvent,
    load_event,
)
from awscore.eventbridge._ruleset import MAX_RULES, RuleSet
from awscore.eventbridge._s3 import (
    EVENT_TYPES,
    NotificationConfiguration,
    NotificationRule,
    s3_eventbridge_event,
)
from awscore.eventbridge._transform import (
    MAX_TEMPLATE_SIZE,
    MAX_VARIABLES,
    InputTransformer,
    input_path,
)

__all__ = [
    "DEFAULT_MAX_PATTERN_SIZE",
    "EVENT_TYPES",
    "MAX_DEPTH",
    "MAX_DOCUMENT_SIZE",
    "MAX_MEMBERS",
    "MAX_PATTERN_SIZE",
    "MAX_RULES",
    "MAX_SUB_RULES",
    "MAX_TEMPLATE_SIZE",
    "MAX_VARIABLES",
    "EventPattern",
    "Explanation",
    "InputTransformer",
    "LoadedEvent",
    "NotificationConfiguration",
    "NotificationRule",
    "Number",
    "RuleSet",
    "input_path",
    "load_event",
    "s3_eventbridge_event",
]
