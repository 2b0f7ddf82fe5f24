# ruff: noqa: E501 - one example per line reads better than wrapped JSON
"""The EventBridge user guide's event-pattern examples, each with its page name.

Pages (docs.aws.amazon.com/eventbridge/latest/userguide/...): ``eb-event-patterns``
(creating patterns, the EC2 example event), ``eb-event-patterns-content-based-filtering``
(each operator), ``eb-create-pattern-operators`` (the comparison-operator table),
``eb-event-patterns-arrays`` (arrays in patterns and events) and
``eb-event-patterns-null-values`` (null values and empty strings). Each example
is a (pattern, event, matches) triple; the non-matching events are the guide's
own counter-examples or the smallest change that breaks the rule it states.
"""

from __future__ import annotations

EC2_EVENT: dict[str, object] = {
    "version": "0",
    "id": "6a7e8feb-b491-4cf7-a9f1-bf3703467718",
    "detail-type": "EC2 Instance State-change Notification",
    "source": "aws.ec2",
    "account": "111122223333",
    "time": "2017-12-22T18:43:48Z",
    "region": "us-west-1",
    "resources": ["arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0"],
    "detail": {
        "instance-id": "i-1234567890abcdef0",
        "state": "terminated",
        "c-count": 5,
        "d-count": 3,
        "x-limit": 301.8,
        "source-ip": "10.0.0.33",
    },
}


def ec2(**detail: object) -> dict[str, object]:
    """The guide's EC2 event with ``detail`` fields replaced (None removes one)."""
    base = EC2_EVENT["detail"]
    assert isinstance(base, dict)
    changed = {k: v for k, v in {**base, **detail}.items() if v is not None}
    return {**EC2_EVENT, "detail": changed}


ECS_STOPPED: dict[str, object] = {
    "version": "0",
    "id": "3317b2af-7005-947d-b652-f55e762e571a",
    "detail-type": "ECS Task State Change",
    "source": "aws.ecs",
    "account": "111122223333",
    "time": "2020-01-23T17:57:58Z",
    "region": "us-west-2",
    "resources": ["arn:aws:ecs:us-west-2:111122223333:task/FargateCluster/c13b4cb4"],
    "detail": {
        "lastStatus": "STOPPED",
        "desiredStatus": "STOPPED",
        "stopCode": "EssentialContainerExited",
    },
}

#: (page, pattern, event, matches)
EXAMPLES: list[tuple[str, object, object, bool]] = [
    # eb-event-patterns: the EC2 state-change pattern
    (
        "eb-event-patterns",
        {
            "source": ["aws.ec2"],
            "detail-type": ["EC2 Instance State-change Notification"],
            "detail": {"state": ["terminated"]},
        },
        EC2_EVENT,
        True,
    ),
    (
        "eb-event-patterns",
        {"source": ["aws.ec2"], "detail": {"state": ["running"]}},
        EC2_EVENT,
        False,
    ),
    ("eb-event-patterns", {"source": ["aws.ecs"]}, EC2_EVENT, False),
    # values are matched exactly: case matters
    ("eb-event-patterns", {"source": ["AWS.EC2"]}, EC2_EVENT, False),
    # fields not in the pattern are ignored; a field in the pattern must be there
    (
        "eb-event-patterns",
        {"detail": {"state": ["terminated"], "missing": ["x"]}},
        EC2_EVENT,
        False,
    ),
    # seed: ECS task state changes to STOPPED
    (
        "eb-event-patterns",
        {
            "source": ["aws.ecs"],
            "detail-type": ["ECS Task State Change"],
            "detail": {"lastStatus": ["STOPPED"]},
        },
        ECS_STOPPED,
        True,
    ),
    # content filtering: prefix
    (
        "eb-event-patterns-content-based-filtering",
        {"time": [{"prefix": "2017-12-22"}]},
        EC2_EVENT,
        True,
    ),
    (
        "eb-event-patterns-content-based-filtering",
        {"time": [{"prefix": "2017-12-23"}]},
        EC2_EVENT,
        False,
    ),
    (
        "eb-event-patterns-content-based-filtering",
        {"region": [{"prefix": "us-"}], "source": ["aws.ec2"]},
        EC2_EVENT,
        True,
    ),
    # prefix works on strings only
    (
        "eb-event-patterns-content-based-filtering",
        {"detail": {"c-count": [{"prefix": "5"}]}},
        EC2_EVENT,
        False,
    ),
    # prefix ignoring case
    (
        "eb-event-patterns-content-based-filtering",
        {"source": [{"prefix": {"equals-ignore-case": "AWS.E"}}]},
        EC2_EVENT,
        True,
    ),
    # suffix, and ignoring case
    (
        "eb-event-patterns-content-based-filtering",
        {"detail": {"instance-id": [{"suffix": "abcdef0"}]}},
        EC2_EVENT,
        True,
    ),
    (
        "eb-event-patterns-content-based-filtering",
        {"detail": {"instance-id": [{"suffix": "ABCDEF0"}]}},
        EC2_EVENT,
        False,
    ),
    (
        "eb-event-patterns-content-based-filtering",
        {"detail": {"instance-id": [{"suffix": {"equals-ignore-case": "ABCDEF0"}}]}},
        EC2_EVENT,
        True,
    ),
    # equals-ignore-case
    (
        "eb-event-patterns-content-based-filtering",
        {
            "detail-type": [
                {"equals-ignore-case": "ec2 instance state-change notification"}
            ]
        },
        EC2_EVENT,
        True,
    ),
    # anything-but: a string, a number, lists, prefix, suffix, ignore-case, wildcard
    (
        "eb-event-patterns-content-based-filtering",
        {"detail": {"state": [{"anything-but": "initializing"}]}},
        EC2_EVENT,
        True,
    ),
    (
        "eb-event-patterns-content-based-filtering",
        {"detail": {"state": [{"anything-but": "terminated"}]}},
        EC2_EVENT,
        False,
    ),
    (
        "eb-event-patterns-content-based-filtering",
        {"detail": {"x-limit": [{"anything-but": 123}]}},
        EC2_EVENT,
        True,
    ),
    (
        "eb-event-patterns-content-based-filtering",
        {"detail": {"x-limit": [{"anything-but": 301.8}]}},
        EC2_EVENT,
        False,
    ),
    (
        "eb-event-patterns-content-based-filtering",
        {"detail": {"state": [{"anything-but": ["stopped", "overloaded"]}]}},
        EC2_EVENT,
        True,
    ),
    (
        "eb-event-patterns-content-based-filtering",
        {"detail": {"state": [{"anything-but": ["stopped", "terminated"]}]}},
        EC2_EVENT,
        False,
    ),
    (
        "eb-event-patterns-content-based-filtering",
        {"detail": {"x-limit": [{"anything-but": [100, 200, 300]}]}},
        EC2_EVENT,
        True,
    ),
    (
        "eb-event-patterns-content-based-filtering",
        {"detail": {"state": [{"anything-but": {"prefix": "init"}}]}},
        EC2_EVENT,
        True,
    ),
    (
        "eb-event-patterns-content-based-filtering",
        {"detail": {"state": [{"anything-but": {"prefix": "term"}}]}},
        EC2_EVENT,
        False,
    ),
    (
        "eb-event-patterns-content-based-filtering",
        {"detail": {"instance-id": [{"anything-but": {"suffix": "1234"}}]}},
        EC2_EVENT,
        True,
    ),
    (
        "eb-event-patterns-content-based-filtering",
        {"detail": {"state": [{"anything-but": {"equals-ignore-case": "TERMINATED"}}]}},
        EC2_EVENT,
        False,
    ),
    (
        "eb-event-patterns-content-based-filtering",
        {
            "detail": {
                "state": [
                    {"anything-but": {"equals-ignore-case": ["Stopped", "OverLoaded"]}}
                ]
            }
        },
        EC2_EVENT,
        True,
    ),
    (
        "eb-create-pattern-operators",
        {"FilePath": [{"anything-but": {"wildcard": "*/lib/*"}}]},
        {"FilePath": "/usr/lib/x.so"},
        False,
    ),
    (
        "eb-create-pattern-operators",
        {"FilePath": [{"anything-but": {"wildcard": "*/lib/*"}}]},
        {"FilePath": "/usr/bin/x"},
        True,
    ),
    # anything-but needs the field to be there
    (
        "eb-event-patterns-content-based-filtering",
        {"detail": {"nothing": [{"anything-but": "x"}]}},
        EC2_EVENT,
        False,
    ),
    # numeric
    (
        "eb-event-patterns-content-based-filtering",
        {
            "detail": {
                "c-count": [{"numeric": [">", 0, "<=", 5]}],
                "d-count": [{"numeric": ["<", 10]}],
                "x-limit": [{"numeric": ["=", 3.018e2]}],
            }
        },
        EC2_EVENT,
        True,
    ),
    (
        "eb-event-patterns-content-based-filtering",
        {"detail": {"c-count": [{"numeric": [">", 5]}]}},
        EC2_EVENT,
        False,
    ),
    (
        "eb-event-patterns-content-based-filtering",
        {"detail": {"c-count": [{"numeric": [">=", 5]}]}},
        EC2_EVENT,
        True,
    ),
    # numeric matching only on JSON numbers
    (
        "eb-event-patterns-content-based-filtering",
        {"detail": {"c-count": [{"numeric": [">", 0]}]}},
        ec2(**{"c-count": "5"}),
        False,
    ),
    # IP address matching
    (
        "eb-event-patterns-content-based-filtering",
        {"detail": {"source-ip": [{"cidr": "10.0.0.0/24"}]}},
        EC2_EVENT,
        True,
    ),
    (
        "eb-event-patterns-content-based-filtering",
        {"detail": {"source-ip": [{"cidr": "10.0.1.0/24"}]}},
        EC2_EVENT,
        False,
    ),
    (
        "eb-event-patterns-content-based-filtering",
        {"sourceIPAddress": [{"cidr": "2001:db8::/32"}]},
        {"sourceIPAddress": "2001:db8:1::7"},
        True,
    ),
    # exists
    (
        "eb-event-patterns-content-based-filtering",
        {"detail": {"c-count": [{"exists": True}]}},
        EC2_EVENT,
        True,
    ),
    (
        "eb-event-patterns-content-based-filtering",
        {"detail": {"c-count": [{"exists": False}]}},
        EC2_EVENT,
        False,
    ),
    (
        "eb-event-patterns-content-based-filtering",
        {"detail": {"c-count": [{"exists": False}]}},
        ec2(**{"c-count": None}),
        True,
    ),
    # exists only works on leaf nodes: an object is not a leaf
    (
        "eb-event-patterns-content-based-filtering",
        {"detail": {"c-count": [{"exists": False}]}},
        ec2(**{"c-count": {"c1": 100}}),
        True,
    ),
    (
        "eb-event-patterns-content-based-filtering",
        {"detail": [{"exists": True}]},
        EC2_EVENT,
        False,
    ),
    # wildcard
    (
        "eb-event-patterns-content-based-filtering",
        {"EventBusArn": [{"wildcard": "arn:aws:events:us-east-1:*:event-bus/*"}]},
        {"EventBusArn": "arn:aws:events:us-east-1:123456789012:event-bus/orders"},
        True,
    ),
    (
        "eb-event-patterns-content-based-filtering",
        {"EventBusArn": [{"wildcard": "arn:aws:events:us-east-1:*:event-bus/*"}]},
        {"EventBusArn": "arn:aws:events:us-west-2:123456789012:event-bus/orders"},
        False,
    ),
    (
        "eb-create-pattern-operators",
        {"FileName": [{"wildcard": "dir/*.png"}]},
        {"FileName": "dir/a/b.png"},
        True,
    ),
    (
        "eb-create-pattern-operators",
        {"FileName": [{"wildcard": "dir/*.png"}]},
        {"FileName": "other/b.png"},
        False,
    ),
    # a literal asterisk
    (
        "eb-event-patterns-content-based-filtering",
        {"x": [{"wildcard": "a\\*b"}]},
        {"x": "a*b"},
        True,
    ),
    (
        "eb-event-patterns-content-based-filtering",
        {"x": [{"wildcard": "a\\*b"}]},
        {"x": "axb"},
        False,
    ),
    # $or
    (
        "eb-event-patterns-content-based-filtering",
        {
            "detail": {
                "$or": [
                    {"c-count": [{"numeric": [">", 0, "<=", 5]}]},
                    {"d-count": [{"numeric": ["<", 10]}]},
                    {"x-limit": [{"numeric": ["=", 3.018e2]}]},
                ]
            }
        },
        EC2_EVENT,
        True,
    ),
    (
        "eb-event-patterns-content-based-filtering",
        {
            "source": ["aws.ec2"],
            "$or": [{"detail": {"state": ["running"]}}, {"region": ["us-west-1"]}],
        },
        EC2_EVENT,
        True,
    ),
    (
        "eb-event-patterns-content-based-filtering",
        {
            "source": ["aws.ec2"],
            "$or": [{"detail": {"state": ["running"]}}, {"region": ["eu-west-1"]}],
        },
        EC2_EVENT,
        False,
    ),
    # create-pattern-operators: And, Or on values, Empty, null
    (
        "eb-create-pattern-operators",
        {"Location": ["New York"], "Day": ["Monday"]},
        {"Location": "New York", "Day": "Monday"},
        True,
    ),
    (
        "eb-create-pattern-operators",
        {"Location": ["New York"], "Day": ["Monday"]},
        {"Location": "New York", "Day": "Tuesday"},
        False,
    ),
    (
        "eb-create-pattern-operators",
        {"PaymentType": ["Credit", "Debit"]},
        {"PaymentType": "Debit"},
        True,
    ),
    ("eb-create-pattern-operators", {"LastName": [""]}, {"LastName": ""}, True),
    ("eb-create-pattern-operators", {"LastName": [""]}, {"LastName": "Doe"}, False),
    ("eb-create-pattern-operators", {"Price": [100]}, {"Price": 100}, True),
    (
        "eb-create-pattern-operators",
        {"Weather": [{"anything-but": ["Raining"]}]},
        {"Weather": "Sunny"},
        True,
    ),
    # null values and empty strings
    (
        "eb-event-patterns-null-values",
        {"detail": {"responseElements": [None]}},
        {"detail": {"responseElements": None}},
        True,
    ),
    (
        "eb-event-patterns-null-values",
        {"detail": {"responseElements": [None]}},
        {"detail": {}},
        False,
    ),
    (
        "eb-event-patterns-null-values",
        {"detail": {"eventVersion": [""]}},
        {"detail": {"eventVersion": ""}},
        True,
    ),
    (
        "eb-event-patterns-null-values",
        {"detail": {"eventVersion": [""]}},
        {"detail": {"eventVersion": None}},
        False,
    ),
    # arrays: an event array matches when it shares a value with the pattern's
    (
        "eb-event-patterns-arrays",
        {
            "resources": [
                "arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f",
                "arn:aws:ec2:us-east-1:111122223333:instance/i-b188560f",
            ]
        },
        {
            "resources": [
                "arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f",
                "arn:aws:ec2:us-east-1:444455556666:instance/i-b188560f",
            ]
        },
        True,
    ),
    (
        "eb-event-patterns-arrays",
        {"resources": ["arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f"]},
        {"resources": ["arn:aws:ec2:us-east-1:444455556666:instance/i-b188560f"]},
        False,
    ),
    # fields inside one array of objects must come from the same element
    (
        "eb-event-patterns-arrays",
        {"employees": {"firstName": ["Anna"]}},
        {
            "employees": [
                {"firstName": "John", "lastName": "Doe"},
                {"firstName": "Anna", "lastName": "Smith"},
            ]
        },
        True,
    ),
    (
        "eb-event-patterns-arrays",
        {"employees": {"firstName": ["Anna"], "lastName": ["Doe"]}},
        {
            "employees": [
                {"firstName": "John", "lastName": "Doe"},
                {"firstName": "Anna", "lastName": "Smith"},
            ]
        },
        False,
    ),
]
