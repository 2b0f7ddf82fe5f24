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
    EventPattern,
    Explanation,
)

__all__ = [
    "DEFAULT_MAX_PATTERN_SIZE",
    "MAX_DEPTH",
    "MAX_DOCUMENT_SIZE",
    "MAX_MEMBERS",
    "MAX_PATTERN_SIZE",
    "EventPattern",
    "Explanation",
    "Number",
]
