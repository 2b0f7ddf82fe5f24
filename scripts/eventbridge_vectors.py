"""Regenerate tests/vectors/eventbridge/event-ruler.jsonl from the real event-ruler.

Draws seeded random (pattern, event) pairs (tests/strategies/eventbridge_cases.py)
and hands them, one JSON line each, to a command that runs event-ruler on them:
``--ruler 'java -cp CLASSPATH Driver'`` with Driver.java beside the vectors (see
tests/vectors/eventbridge/PROVENANCE.md for how event-ruler was built here).
Each output line is the pair with event-ruler's verdict: whether the pattern
compiles, and whether it matches.
"""

from __future__ import annotations

import argparse
import json
import random
import shlex
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.strategies.eventbridge_cases import random_case  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--ruler", required=True, help="the command running event-ruler"
    )
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=20261204)
    parser.add_argument(
        "--out", default=str(ROOT / "tests/vectors/eventbridge/event-ruler.jsonl")
    )
    args = parser.parse_args()
    rng = random.Random(args.seed)  # noqa: S311 - reproducible test inputs
    pairs = [random_case(rng) for _ in range(args.count)]
    feed = "".join(json.dumps({"pattern": p, "event": e}) + "\n" for p, e in pairs)
    verdicts = subprocess.run(  # noqa: S603 - the caller's own peer command
        shlex.split(args.ruler), input=feed, capture_output=True, text=True, check=True
    ).stdout.splitlines()
    with Path(args.out).open("w", encoding="utf-8") as out:
        for (pattern, event), line in zip(pairs, verdicts, strict=True):
            verdict = json.loads(line)
            record = {"pattern": pattern, "event": event, "valid": verdict["valid"]}
            if verdict["valid"]:
                record["match"] = verdict["match"]
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    print(f"{len(pairs)} cases written to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
