"""``awscore eventbridge test|transform|s3-notify``: patterns, targets, S3 filters."""

from __future__ import annotations

import argparse
import json
import sys

from awscore.cli._output import add_json_flag, epilog, read_text, write_json
from awscore.cli._tour import TourPart, TourSection
from awscore.errors import CliError
from awscore.eventbridge import (
    EventPattern,
    InputTransformer,
    NotificationConfiguration,
    input_path,
)

__all__ = ["TOUR", "register"]

_TEST_EXAMPLE = epilog(
    "awscore eventbridge test --pattern examples/eventbridge/ecs-stopped.json\n"
    "--event examples/eventbridge/ecs-task-stopped.json --explain",
    "awscore eventbridge test --pattern examples/eventbridge/ecs-stopped.json\n"
    "--event examples/eventbridge/ecs-task-running.json  # exits 3: no match",
    found="the pattern does not match the event",
)
_TRANSFORM_EXAMPLE = epilog(
    "awscore eventbridge transform --event examples/eventbridge/ecs-task-stopped.json\n"
    "--transformer examples/eventbridge/transformer.json",
    "awscore eventbridge transform --event examples/eventbridge/ecs-task-stopped.json\n"
    "--input-path '$.detail'",
)
_S3_EXAMPLE = epilog(
    "awscore eventbridge s3-notify --config examples/eventbridge/notification.json\n"
    "--key photos/a.jpg --event s3:ObjectCreated:Put",
    "awscore eventbridge s3-notify --config examples/eventbridge/notification.json\n"
    "--key logs/today.txt --event s3:ObjectRemoved:Delete",
    found="no configuration fires for the event",
)


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``awscore eventbridge`` and its verbs."""
    parser = subparsers.add_parser(
        "eventbridge",
        help="EventBridge: test event patterns, input transformers, S3 notifications",
        description="Match events against EventBridge event patterns exactly as "
        "EventBridge does, apply input transformers, and check S3 notifications.",
    )
    verbs = parser.add_subparsers(title="verbs", metavar="VERB", required=True)
    test = verbs.add_parser(
        "test",
        help="does the pattern match the event",
        description="Match an event against an event pattern (both JSON files, - "
        "for stdin), as EventBridge's TestEventPattern does.",
        epilog=_TEST_EXAMPLE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    test.add_argument("--pattern", required=True, metavar="JSON")
    test.add_argument("--event", required=True, metavar="JSON")
    test.add_argument("--explain", action="store_true", help="which fields decided")
    test.add_argument(
        "--max-size",
        type=int,
        default=2048,
        metavar="N",
        help="the pattern-size quota in characters (default 2048, at most 4096)",
    )
    add_json_flag(test)
    test.set_defaults(handler=_test)
    transform = verbs.add_parser(
        "transform",
        help="what a rule's target receives",
        description="Apply an InputTransformer (a JSON file with InputPathsMap and "
        "InputTemplate) or an InputPath to an event and print the target's input.",
        epilog=_TRANSFORM_EXAMPLE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    transform.add_argument("--event", required=True, metavar="JSON")
    how = transform.add_mutually_exclusive_group(required=True)
    how.add_argument("--transformer", metavar="JSON", help="InputTransformer JSON")
    how.add_argument(
        "--input-path", metavar="PATH", help="an InputPath such as $.detail"
    )
    transform.add_argument(
        "--rule-arn",
        default="arn:aws:events:us-east-1:123456789012:rule/rule",
        help="for <aws.events.rule-arn> and <aws.events.rule-name>",
    )
    transform.set_defaults(handler=_transform)
    notify = verbs.add_parser(
        "s3-notify",
        help="which S3 notification configurations an object event fires",
        description="Read a bucket's notification configuration (the JSON `aws "
        "s3api get-bucket-notification-configuration` prints) and list the "
        "configurations an event for the key is sent to.",
        epilog=_S3_EXAMPLE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    notify.add_argument("--config", required=True, metavar="JSON")
    notify.add_argument("--key", required=True, help="the object key, as written")
    notify.add_argument("--event", required=True, help="e.g. s3:ObjectCreated:Put")
    add_json_flag(notify)
    notify.set_defaults(handler=_s3_notify)


def _test(args: argparse.Namespace) -> int:
    pattern = EventPattern.parse(read_text(args.pattern), max_size=args.max_size)
    explanation = pattern.explain(read_text(args.event))
    if args.json:
        write_json({"matches": explanation.matched, "steps": list(explanation.steps)})
    elif args.explain:
        sys.stdout.write(str(explanation) + "\n")
    else:
        sys.stdout.write("match\n" if explanation.matched else "no match\n")
    return 0 if explanation.matched else 3


def _transform(args: argparse.Namespace) -> int:
    event = read_text(args.event)
    if args.input_path is not None:
        sys.stdout.write(input_path(event, args.input_path) + "\n")
        return 0
    try:
        document = json.loads(read_text(args.transformer))
    except (ValueError, RecursionError) as error:
        raise CliError(f"--transformer is not valid JSON: {error}") from None
    if not isinstance(document, dict) or "InputTemplate" not in document:
        raise CliError(
            "--transformer must be a JSON object with InputTemplate and, "
            "optionally, InputPathsMap"
        )
    transformer = InputTransformer(
        document.get("InputPathsMap", {}), document["InputTemplate"]
    )
    sys.stdout.write(transformer.apply(event, rule_arn=args.rule_arn) + "\n")
    return 0


def _s3_notify(args: argparse.Namespace) -> int:
    config = NotificationConfiguration.parse(read_text(args.config))
    fired = config.destinations(args.event, args.key)
    rules = {rule.id: rule for rule in config.rules}
    if args.json:
        write_json(
            [{"id": name, "destination": rules[name].destination} for name in fired]
        )
    elif fired:
        for name in fired:
            sys.stdout.write(f"{name} -> {rules[name].destination}\n")
    else:
        sys.stdout.write(f"no configuration fires for {args.event} on {args.key}\n")
    return 0 if fired else 3


_ECS_PATTERN = {
    "source": ["aws.ecs"],
    "detail-type": ["ECS Task State Change"],
    "detail": {"lastStatus": ["STOPPED"]},
}


def _tour() -> TourPart:
    pattern = EventPattern.parse(_ECS_PATTERN)
    stopped = {
        "source": "aws.ecs",
        "detail-type": "ECS Task State Change",
        "detail": {"lastStatus": "STOPPED", "stopCode": "EssentialContainerExited"},
    }
    running = {**stopped, "detail": {"lastStatus": "RUNNING"}}
    yes, no = pattern.explain(stopped), pattern.explain(running)
    text = "\n".join(
        [
            "An EventBridge rule for ECS tasks that stop:",
            *(f"  {json.dumps(k)}: {json.dumps(v)}" for k, v in _ECS_PATTERN.items()),
            f"A task that stopped: {'matches' if yes else 'no match'}",
            *("  " + step for step in yes.steps),
            f"A task still running: {'matches' if no else 'no match'}",
            *("  " + step for step in no.steps),
        ]
    )
    return TourPart(
        text=text,
        data={"pattern": _ECS_PATTERN, "stopped": yes.matched, "running": no.matched},
    )


TOUR = TourSection(
    name="eventbridge", title="eventbridge: a rule for stopped ECS tasks", run=_tour
)
