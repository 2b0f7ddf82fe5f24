"""EventBridge: which of 500 rules match an event, compiled against one by one.

Workloads:

* **eventbridge-ruleset-500**: 500 rules shaped like a busy account's (each pins
  ``source`` and ``detail-type`` to one of 40 services and 50 event types, plus one
  content filter: a prefix, a numeric range, anything-but or exists), against 200
  seeded events. ``awscore-ruleset`` answers with :class:`RuleSet.matching`;
  ``awscore-each`` tries every :class:`EventPattern` in turn (what a caller without
  a rule set does); ``moto`` tries every pattern with moto's matcher. The ratio to
  read is awscore-each / awscore-ruleset.
* **eventbridge-one-pattern**: the seed's ECS rule against one event: awscore's
  ``matches`` against moto's, and a floor of the three dictionary lookups and string
  compares the rule needs.

Implementations (``benchmark.extra_info["implementation"]``): ``floor``,
``awscore-ruleset``, ``awscore-each``, ``awscore``, ``moto``.
"""

from __future__ import annotations

import json
import random
from typing import Any

import pytest
from tests.conftest import require_peer

from awscore.eventbridge import EventPattern, RuleSet, load_event

SERVICES = [f"aws.service{n}" for n in range(40)]
TYPES = [f"Thing State Change {n}" for n in range(50)]


def _rules() -> dict[str, str]:
    rng = random.Random(2026)  # noqa: S311 - reproducible workload
    rules = {}
    for n in range(500):
        content = rng.choice(
            [
                {"state": [{"prefix": rng.choice(["run", "stop", "term"])}]},
                {"count": [{"numeric": [">", rng.randrange(50), "<=", 100]}]},
                {"state": [{"anything-but": ["pending", "stopping"]}]},
                {"owner": [{"exists": rng.random() < 0.5}]},
            ]
        )
        rules[f"rule-{n}"] = json.dumps(
            {
                "source": [rng.choice(SERVICES)],
                "detail-type": [rng.choice(TYPES)],
                "detail": content,
            }
        )
    return rules


def _events() -> list[dict[str, object]]:
    rng = random.Random(4)  # noqa: S311 - reproducible workload
    return [
        {
            "version": "0",
            "source": rng.choice(SERVICES),
            "detail-type": rng.choice(TYPES),
            "detail": {
                "state": rng.choice(["running", "stopped", "terminated", "pending"]),
                "count": rng.randrange(120),
                **({"owner": "team-a"} if rng.random() < 0.5 else {}),
            },
        }
        for _ in range(200)
    ]


RULES = _rules()
EVENTS = _events()


@pytest.mark.parametrize("impl", ["awscore-ruleset", "awscore-each", "moto"])
def test_ruleset(benchmark: Any, impl: str) -> None:
    if impl == "awscore-ruleset":
        ruleset = RuleSet()
        for name, text in RULES.items():
            ruleset.add(name, text)

        def run() -> int:
            return sum(len(ruleset.matching(e)) for e in EVENTS)

    elif impl == "awscore-each":
        patterns = [EventPattern.parse(text) for text in RULES.values()]
        loaded = [load_event(e) for e in EVENTS]  # as moto is handed parsed events

        def run() -> int:
            return sum(p.matches(e) for e in loaded for p in patterns)

    else:
        models = require_peer("moto.events.models")
        patterns_m = [models.EventPattern.load(text) for text in RULES.values()]

        def run() -> int:
            return sum(p.matches_event(e) for e in EVENTS for p in patterns_m)

    benchmark.group = "eventbridge-ruleset-500"
    benchmark.extra_info["implementation"] = impl
    benchmark.extra_info["workload"] = "500 rules x 200 events"
    hits = benchmark.pedantic(run, rounds=5, iterations=1, warmup_rounds=1)
    assert hits > 0


ECS = {
    "source": ["aws.ecs"],
    "detail-type": ["ECS Task State Change"],
    "detail": {"lastStatus": ["STOPPED"]},
}
ECS_EVENT = {
    "source": "aws.ecs",
    "detail-type": "ECS Task State Change",
    "detail": {"lastStatus": "STOPPED", "stopCode": "EssentialContainerExited"},
}


@pytest.mark.parametrize("impl", ["floor", "awscore", "moto"])
def test_one_pattern(benchmark: Any, impl: str) -> None:
    if impl == "floor":

        def run() -> bool:
            detail = ECS_EVENT["detail"]
            assert isinstance(detail, dict)
            return (
                ECS_EVENT.get("source") == "aws.ecs"
                and ECS_EVENT.get("detail-type") == "ECS Task State Change"
                and detail.get("lastStatus") == "STOPPED"
            )

    elif impl == "awscore":
        pattern = EventPattern.parse(ECS)
        event = load_event(ECS_EVENT)

        def run() -> bool:
            return pattern.matches(event)

    else:
        moto_pattern = require_peer("moto.events.models").EventPattern.load(
            json.dumps(ECS)
        )

        def run() -> bool:
            return bool(moto_pattern.matches_event(ECS_EVENT))

    benchmark.group = "eventbridge-one-pattern"
    benchmark.extra_info["implementation"] = impl
    assert benchmark(run) is True
