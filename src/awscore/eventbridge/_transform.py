"""What a rule's target receives: InputPath and InputTransformer.

The EventBridge user guide, "Amazon EventBridge input transformation": up to 100
variables, each a JSON path into the event (dot notation, dashes, underscores,
alphanumerics, forward slashes, array indices and ``*``), used in the template as
``<name>``; ``<`` and ``>`` cannot be escaped. Predefined variables:
``aws.events.rule-arn``, ``aws.events.rule-name``,
``aws.events.event.ingestion-time``, ``aws.events.event`` (the event without its
``detail``) and ``aws.events.event.json`` (the whole event); the last two only as
a JSON value. A variable inside a JSON string is replaced by its text (a string
without its quotes, escaped for the string); anywhere else by its JSON value.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from awscore._inputs import shown
from awscore.errors import EventBridgeInputError
from awscore.eventbridge._json import Number, load_document

__all__ = ["MAX_TEMPLATE_SIZE", "MAX_VARIABLES", "InputTransformer", "input_path"]

#: InputPathsMap holds at most 100 variables
MAX_VARIABLES = 100
#: InputTemplate is at most 8192 characters (PutTargets' InputTransformer)
MAX_TEMPLATE_SIZE = 8192
_PREDEFINED = frozenset(
    {
        "aws.events.rule-arn",
        "aws.events.rule-name",
        "aws.events.event.ingestion-time",
        "aws.events.event",
        "aws.events.event.json",
    }
)
_JSON_ONLY = frozenset({"aws.events.event", "aws.events.event.json"})
_NAME = re.compile(r"[A-Za-z0-9_.\-]{1,256}")
_SEGMENT = re.compile(r"\.([A-Za-z0-9_\-/]+|\*)|\[(\d+|\*)\]")
_PLACEHOLDER = re.compile(r"<([^<>\s]+)>")


def _parse_path(path: object, where: str) -> tuple[str, ...]:
    if not isinstance(path, str) or not path.startswith("$") or len(path) > 256:
        raise EventBridgeInputError(
            f"{shown(path)} is not a JSON path such as $.detail", path=where
        )
    segments: list[str] = []
    position = 1
    while position < len(path):
        found = _SEGMENT.match(path, position)
        if found is None:
            raise EventBridgeInputError(
                f"{shown(path)}: EventBridge's JSON paths take .name, [index] and *",
                path=where,
            )
        segments.append(found.group(1) or f"[{found.group(2)}]")
        position = found.end()
    return tuple(segments)


def _select(document: object, segments: tuple[str, ...]) -> object | None:
    """The value at the path, a list for a ``*``, None when it is not there."""
    values: list[object] = [document]
    spread = False
    for segment in segments:
        following: list[object] = []
        for value in values:
            if segment in ("*", "[*]"):
                spread = True
                if isinstance(value, dict):
                    following.extend(value.values())
                elif isinstance(value, list):
                    following.extend(value)
            elif segment.startswith("["):
                index = int(segment[1:-1])
                if isinstance(value, list) and index < len(value):
                    following.append(value[index])
            elif isinstance(value, dict) and segment in value:
                following.append(value[segment])
        values = following
    if spread:
        return values
    return values[0] if values else None


def _json(value: object) -> str:
    """A value as compact JSON text, numbers as written in the event."""
    if isinstance(value, Number):
        return value.text
    if isinstance(value, dict):
        return (
            "{"
            + ",".join(f"{json.dumps(k)}:{_json(v)}" for k, v in value.items())
            + "}"
        )
    if isinstance(value, list):
        return "[" + ",".join(_json(v) for v in value) + "]"
    return json.dumps(value, ensure_ascii=False)


def input_path(event: object, path: str) -> str:
    """A target's input with ``InputPath``: the JSON at ``path`` in the event.

    >>> from awscore.eventbridge import input_path
    >>> input_path({"detail": {"state": "RUNNING"}}, "$.detail")
    '{"state":"RUNNING"}'
    """
    document = load_document(event, what="event")
    return _json(_select(document, _parse_path(path, "InputPath")))


@dataclass(frozen=True, slots=True)
class InputTransformer:
    """An InputTransformer: InputPathsMap and InputTemplate, checked as PutTargets does.

    >>> from awscore.eventbridge import InputTransformer
    >>> transformer = InputTransformer(
    ...     {"instance": "$.detail.instance-id", "state": "$.detail.state"},
    ...     '"instance <instance> is in <state>"')
    >>> event = {"detail": {"instance-id": "i-0123456789", "state": "RUNNING"}}
    >>> transformer.apply(event)
    '"instance i-0123456789 is in RUNNING"'
    """

    input_paths_map: Mapping[str, str]
    input_template: str
    _paths: dict[str, tuple[str, ...]] = field(
        init=False, repr=False, compare=False, default_factory=dict
    )

    def __post_init__(self) -> None:
        paths = self.input_paths_map
        if not isinstance(paths, Mapping):
            raise EventBridgeInputError("InputPathsMap must map names to JSON paths")
        if len(paths) > MAX_VARIABLES:
            raise EventBridgeInputError(
                f"InputPathsMap holds at most {MAX_VARIABLES} variables",
                path="InputPathsMap",
            )
        parsed: dict[str, tuple[str, ...]] = {}
        for name, path in paths.items():
            where = f"InputPathsMap.{name}"
            if not isinstance(name, str) or not _NAME.fullmatch(name):
                raise EventBridgeInputError(
                    f"{shown(name)} is not a variable name", path=where
                )
            if name in _PREDEFINED:
                raise EventBridgeInputError(
                    f"{shown(name)} is a predefined variable", path=where
                )
            parsed[name] = _parse_path(path, where)
        template = self.input_template
        if not isinstance(template, str) or not template:
            raise EventBridgeInputError("InputTemplate must be non-empty text")
        if len(template) > MAX_TEMPLATE_SIZE:
            raise EventBridgeInputError(
                f"InputTemplate is over {MAX_TEMPLATE_SIZE} characters",
                path="InputTemplate",
            )
        for found in _PLACEHOLDER.finditer(template):
            name = found.group(1)
            in_string = _inside_string(template, found.start())
            if name in _JSON_ONLY and in_string:
                raise EventBridgeInputError(
                    f"<{name}> can only be a JSON value, not inside a string",
                    path="InputTemplate",
                )
        object.__setattr__(self, "_paths", parsed)

    def apply(
        self,
        event: object,
        *,
        rule_arn: str = "arn:aws:events:us-east-1:123456789012:rule/rule",
        ingestion_time: str | None = None,
    ) -> str:
        """The text the target receives for ``event``.

        A variable whose path is not in the event becomes ``null`` as a JSON value
        and nothing inside a string (awscore's reading: the guide does not say).
        """
        if not isinstance(rule_arn, str) or not isinstance(ingestion_time, str | None):
            raise EventBridgeInputError("rule_arn and ingestion_time must be text")
        document = load_document(event, what="event")
        if not isinstance(document, dict):
            raise EventBridgeInputError("an event must be a JSON object")
        paths = self._paths
        values: dict[str, object] = {
            name: _select(document, segments) for name, segments in paths.items()
        }
        values["aws.events.rule-arn"] = rule_arn
        values["aws.events.rule-name"] = rule_arn.rsplit("/", 1)[-1]
        values["aws.events.event.ingestion-time"] = ingestion_time or document.get(
            "time"
        )
        values["aws.events.event"] = {
            k: v for k, v in document.items() if k != "detail"
        }
        values["aws.events.event.json"] = document
        out: list[str] = []
        last = 0
        template = self.input_template
        for found in _PLACEHOLDER.finditer(template):
            name = found.group(1)
            if name not in values:
                continue  # not a variable: the text stays as written
            out.append(template[last : found.start()])
            value = values[name]
            if _inside_string(template, found.start()):
                text = (
                    ""
                    if value is None
                    else value
                    if isinstance(value, str)
                    else _json(value)
                )
                out.append(json.dumps(text, ensure_ascii=False)[1:-1])
            else:
                out.append(_json(value))
            last = found.end()
        out.append(template[last:])
        return "".join(out)


def _inside_string(template: str, position: int) -> bool:
    """Whether ``position`` falls inside a JSON string literal of the template."""
    inside = False
    escaped = False
    for char in template[:position]:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = inside
        elif char == '"':
            inside = not inside
    return inside
