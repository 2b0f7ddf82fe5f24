"""S3 event notifications: which rules an object event fires, and its EventBridge form.

The rules are the S3 user guide's "Event notification types and destinations"
and "Configuring event notifications using object key name filtering":

* an event type is matched exactly or by a trailing wildcard
  (``s3:ObjectCreated:*`` covers ``s3:ObjectCreated:Put``);
* a configuration's ``prefix`` and ``suffix`` filter rules (at most one of each,
  names in any case, values at most 1,024 characters) match the object key as the
  event carries it, URL-encoded (spaces as ``+``), so special characters in a
  filter are written URL-encoded too;
* two configurations on one bucket whose event types overlap may not have
  overlapping prefixes and suffixes (one a prefix, or a suffix, of the other; an
  empty value overlaps everything): S3 refuses them with "Configuration is
  ambiguously defined".

:func:`s3_eventbridge_event` builds the event S3 sends to EventBridge for the same
upload (``detail-type`` ``Object Created``, ``detail.object.size``...), so one
upload can be checked against a notification configuration and EventBridge rules.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import quote_plus

from awscore._inputs import shown
from awscore.errors import S3NotificationConfigError

__all__ = [
    "EVENT_TYPES",
    "NotificationConfiguration",
    "NotificationRule",
    "s3_eventbridge_event",
]

#: the event types S3 notifications accept (the S3 user guide's table)
EVENT_TYPES = frozenset(
    {
        "s3:TestEvent",
        "s3:ObjectCreated:*",
        "s3:ObjectCreated:Put",
        "s3:ObjectCreated:Post",
        "s3:ObjectCreated:Copy",
        "s3:ObjectCreated:CompleteMultipartUpload",
        "s3:ObjectRemoved:*",
        "s3:ObjectRemoved:Delete",
        "s3:ObjectRemoved:DeleteMarkerCreated",
        "s3:ObjectRestore:*",
        "s3:ObjectRestore:Post",
        "s3:ObjectRestore:Completed",
        "s3:ObjectRestore:Delete",
        "s3:ReducedRedundancyLostObject",
        "s3:Replication:*",
        "s3:Replication:OperationFailedReplication",
        "s3:Replication:OperationMissedThreshold",
        "s3:Replication:OperationReplicatedAfterThreshold",
        "s3:Replication:OperationNotTracked",
        "s3:LifecycleExpiration:*",
        "s3:LifecycleExpiration:Delete",
        "s3:LifecycleExpiration:DeleteMarkerCreated",
        "s3:LifecycleTransition",
        "s3:IntelligentTiering",
        "s3:ObjectTagging:*",
        "s3:ObjectTagging:Put",
        "s3:ObjectTagging:Delete",
        "s3:ObjectAcl:Put",
    }
)
_MAX_FILTER = 1024
_DESTINATION_KEYS = {
    "QueueConfigurations": "QueueArn",
    "TopicConfigurations": "TopicArn",
    "LambdaFunctionConfigurations": "LambdaFunctionArn",
}


def _covers(configured: str, event_type: str) -> bool:
    if configured.endswith(":*"):
        return event_type.startswith(configured[:-1])
    return configured == event_type


def _types_overlap(a: str, b: str) -> bool:
    return _covers(a, b) or _covers(b, a)


@dataclass(frozen=True, slots=True)
class NotificationRule:
    """One queue, topic or function configuration of a bucket."""

    id: str
    destination: str
    events: tuple[str, ...]
    prefix: str = ""
    suffix: str = ""

    def fires_for(self, event_type: str, key: str) -> bool:
        """Whether an ``event_type`` event for object ``key`` goes to this rule."""
        # a lone surrogate cannot be URL-encoded: no key S3 stores holds one
        encoded = quote_plus(key.encode("utf-8", "surrogatepass"), safe="/~*")
        return (
            any(_covers(configured, event_type) for configured in self.events)
            and encoded.startswith(self.prefix)
            and encoded.endswith(self.suffix)
        )


def _overlap(a: str, b: str, *, prefix: bool) -> bool:
    if not a or not b:
        return True
    return (
        a.startswith(b) or b.startswith(a) if prefix else a.endswith(b) or b.endswith(a)
    )


@dataclass(frozen=True, slots=True)
class NotificationConfiguration:
    """A bucket's NotificationConfiguration, checked as S3's PUT of it checks it."""

    rules: tuple[NotificationRule, ...]

    @classmethod
    def parse(
        cls, source: str | bytes | Mapping[str, object]
    ) -> NotificationConfiguration:
        """Read the JSON ``aws s3api get-bucket-notification-configuration`` prints.

        Raises :class:`~awscore.errors.S3NotificationConfigError` (S3's
        InvalidArgument) naming the configuration for an unknown event type, a bad
        filter rule, or two rules that overlap.
        """
        document: object = source
        if isinstance(source, str | bytes):
            try:
                document = json.loads(source)
            except (ValueError, RecursionError) as error:
                raise S3NotificationConfigError(f"not valid JSON: {error}") from None
        if not isinstance(document, Mapping):
            raise S3NotificationConfigError(
                "a notification configuration is a JSON object"
            )
        rules: list[NotificationRule] = []
        for section, arn_key in _DESTINATION_KEYS.items():
            entries = document.get(section, [])
            if not isinstance(entries, list):
                raise S3NotificationConfigError(
                    f"{section} must be a list", path=section
                )
            for index, entry in enumerate(entries):
                rules.append(_rule(entry, f"{section}[{index}]", arn_key))
        unknown = set(document) - set(_DESTINATION_KEYS) - {"EventBridgeConfiguration"}
        if unknown:
            raise S3NotificationConfigError(f"unknown keys {sorted(unknown)}")
        if len(rules) > 100:
            raise S3NotificationConfigError(
                "a bucket has at most 100 notification rules"
            )
        for n, first in enumerate(rules):
            for second in rules[n + 1 :]:
                if (
                    any(
                        _types_overlap(a, b)
                        for a in first.events
                        for b in second.events
                    )
                    and _overlap(first.prefix, second.prefix, prefix=True)
                    and _overlap(first.suffix, second.suffix, prefix=False)
                ):
                    raise S3NotificationConfigError(
                        "Configuration is ambiguously defined. Cannot have overlapping "
                        "suffixes in two rules if the prefixes are overlapping for the "
                        f"same event type ({shown(first.id)} and {shown(second.id)})"
                    )
        return cls(tuple(rules))

    def destinations(self, event_type: str, key: str) -> list[str]:
        """The ids of the rules an ``event_type`` event for ``key`` is sent to."""
        if (
            not isinstance(event_type, str)
            or event_type not in EVENT_TYPES
            or event_type.endswith(":*")
        ):
            raise S3NotificationConfigError(
                f"{shown(event_type)} is not an S3 event type"
            )
        if (
            not isinstance(key, str)
            or not key
            or len(key.encode("utf-8", "replace")) > 1024
        ):
            raise S3NotificationConfigError(
                "an object key is text of 1 to 1,024 bytes", path="key"
            )
        return [rule.id for rule in self.rules if rule.fires_for(event_type, key)]


def _rule(entry: object, where: str, arn_key: str) -> NotificationRule:  # noqa: PLR0912
    if not isinstance(entry, Mapping):
        raise S3NotificationConfigError("a configuration is a JSON object", path=where)
    destination = entry.get(arn_key)
    if not isinstance(destination, str) or not destination.startswith("arn:"):
        raise S3NotificationConfigError(f"{arn_key} must be an ARN", path=where)
    events = entry.get("Events")
    if not isinstance(events, list) or not events:
        raise S3NotificationConfigError("Events must list event types", path=where)
    for event in events:
        if not isinstance(event, str) or event not in EVENT_TYPES:
            raise S3NotificationConfigError(
                f"{shown(event)} is not an S3 event type", path=f"{where}.Events"
            )
    prefix = suffix = None
    rules = _filter_rules(entry.get("Filter", {}))
    if rules is None:
        raise S3NotificationConfigError(
            "Filter.Key.FilterRules must be a list", path=where
        )
    for rule in rules:
        name = rule.get("Name") if isinstance(rule, Mapping) else None
        value = rule.get("Value") if isinstance(rule, Mapping) else None
        if not isinstance(name, str) or name.lower() not in ("prefix", "suffix"):
            raise S3NotificationConfigError(
                f"filter rule name {shown(name)} must be prefix or suffix",
                path=f"{where}.Filter",
            )
        if not isinstance(value, str) or len(value) > _MAX_FILTER:
            raise S3NotificationConfigError(
                f"filter rule value must be text of at most {_MAX_FILTER} characters",
                path=f"{where}.Filter",
            )
        if name.lower() == "prefix":
            if prefix is not None:
                raise S3NotificationConfigError(
                    "Cannot specify more than one prefix rule in a filter.", path=where
                )
            prefix = value
        else:
            if suffix is not None:
                raise S3NotificationConfigError(
                    "Cannot specify more than one suffix rule in a filter.", path=where
                )
            suffix = value
    identifier = entry.get("Id", where)
    return NotificationRule(
        id=str(identifier),
        destination=destination,
        events=tuple(str(e) for e in events),
        prefix=prefix or "",
        suffix=suffix or "",
    )


def _filter_rules(value: object) -> list[object] | None:
    """Filter.Key.FilterRules, or None when the Filter is not that shape."""
    if not isinstance(value, Mapping):
        return None
    key = value.get("Key", {})
    if not isinstance(key, Mapping):
        return None
    rules = key.get("FilterRules", [])
    return rules if isinstance(rules, list) else None


_DETAIL_TYPES = {
    "s3:ObjectCreated": (
        "Object Created",
        {
            "Put": "PutObject",
            "Post": "POST Object",
            "Copy": "CopyObject",
            "CompleteMultipartUpload": "CompleteMultipartUpload",
        },
    ),
    "s3:ObjectRemoved": (
        "Object Deleted",
        {"Delete": "DeleteObject", "DeleteMarkerCreated": "DeleteObject"},
    ),
}


def s3_eventbridge_event(
    *,
    bucket: str,
    key: str,
    size: int,
    event_type: str = "s3:ObjectCreated:Put",
    etag: str = "d41d8cd98f00b204e9800998ecf8427e",
    account: str = "123456789012",
    region: str = "us-east-1",
    time: str = "2024-01-01T00:00:00Z",
    requester: str = "123456789012",
    source_ip: str = "203.0.113.7",
) -> dict[str, object]:
    """The event S3 sends to EventBridge for an object upload or deletion.

    The shape is the S3 user guide's "EventBridge event message structure": the key
    is given as written (not URL-encoded, unlike a notification's).
    """
    for name, value in (
        ("bucket", bucket),
        ("key", key),
        ("event_type", event_type),
        ("etag", etag),
        ("account", account),
        ("region", region),
        ("time", time),
        ("requester", requester),
        ("source_ip", source_ip),
    ):
        if not isinstance(value, str):
            raise S3NotificationConfigError(
                f"{name} must be text, got {shown(value)}", path=name
            )
    family, _, action = event_type.rpartition(":")
    if family not in _DETAIL_TYPES or action not in _DETAIL_TYPES[family][1]:
        raise S3NotificationConfigError(
            f"{shown(event_type)} has no EventBridge form here (ObjectCreated and "
            "ObjectRemoved events do)"
        )
    detail_type, reasons = _DETAIL_TYPES[family]
    if (
        isinstance(size, bool)
        or not isinstance(size, int)
        or not 0 <= size <= 5 * 1024**4
    ):
        raise S3NotificationConfigError("size must be a byte count 0..5 TiB")
    seed = f"{bucket}/{key}/{event_type}/{time}"
    obj: dict[str, object] = {
        "key": key,
        "sequencer": uuid.uuid5(uuid.NAMESPACE_URL, seed).hex[:18].upper(),
    }
    if family == "s3:ObjectCreated":
        obj = {"key": key, "size": size, "etag": etag, "sequencer": obj["sequencer"]}
    detail: dict[str, object] = {
        "version": "0",
        "bucket": {"name": bucket},
        "object": obj,
        "request-id": uuid.uuid5(uuid.NAMESPACE_URL, seed + "/request")
        .hex[:16]
        .upper(),
        "requester": requester,
        "source-ip-address": source_ip,
        "reason": reasons[action],
    }
    if family == "s3:ObjectRemoved":
        detail["deletion-type"] = (
            "Permanently Deleted" if action == "Delete" else "Delete Marker Created"
        )
    return {
        "version": "0",
        "id": str(uuid.uuid5(uuid.NAMESPACE_URL, seed)),
        "detail-type": detail_type,
        "source": "aws.s3",
        "account": account,
        "time": time,
        "region": region,
        "resources": [f"arn:aws:s3:::{bucket}"],
        "detail": detail,
    }
