"""Run the benchmarks and print their medians as Markdown, as ratios.

    python3 benchmarks/report.py                    # run everything, print tables
    python3 benchmarks/report.py -k sigv4           # pytest arguments pass through
    python3 benchmarks/report.py --json out.json    # only format an earlier run

Each group (one workload) becomes a table of median times with two ratios: to
the floor (the raw primitive, ``implementation == "floor"``) and to awscore,
then one line such as "awscore 2.1x the floor; botocore 4.7x". pytest's own
output goes to stderr, so stdout is the Markdown alone.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
FLOOR = "floor"
REFERENCE = "awscore"


@dataclass(frozen=True)
class Result:
    group: str
    implementation: str
    median: float  # seconds
    rounds: int


def run_benchmarks(json_path: Path, min_rounds: int, pytest_args: list[str]) -> None:
    command = [
        sys.executable,
        "-m",
        "pytest",
        "benchmarks/",
        "-q",
        f"--benchmark-min-rounds={min_rounds}",
        f"--benchmark-json={json_path}",
        *pytest_args,
    ]
    subprocess.run(command, cwd=ROOT, check=True, stdout=sys.stderr)  # noqa: S603


def load(data: dict[str, Any]) -> dict[str, list[Result]]:
    groups: dict[str, list[Result]] = {}
    for bench in data["benchmarks"]:
        extra = bench.get("extra_info", {})
        result = Result(
            group=bench.get("group") or "ungrouped",
            implementation=extra.get("implementation", bench["name"]),
            median=float(bench["stats"]["median"]),
            rounds=int(bench["stats"]["rounds"]),
        )
        groups.setdefault(result.group, []).append(result)
    for results in groups.values():
        results.sort(key=lambda r: r.median)
    return groups


def _ratio(value: float, base: float | None) -> str:
    return f"{value / base:.2f}x" if base else "-"


def _median_of(results: list[Result], implementation: str) -> float | None:
    return next((r.median for r in results if r.implementation == implementation), None)


def format_group(group: str, results: list[Result]) -> str:
    floor = _median_of(results, FLOOR)
    reference = _median_of(results, REFERENCE)
    lines = [
        f"### {group}",
        "",
        "| implementation | median (µs) | vs floor | vs awscore | rounds |",
        "|---|---:|---:|---:|---:|",
    ]
    lines.extend(
        f"| {r.implementation} | {r.median * 1e6:.2f} | {_ratio(r.median, floor)} "
        f"| {_ratio(r.median, reference)} | {r.rounds} |"
        for r in results
    )
    if floor:
        peers = [r for r in results if r.implementation not in {FLOOR, REFERENCE}]
        summary = [
            f"{REFERENCE} {reference / floor:.1f}x the floor" if reference else "",
            *(f"{r.implementation} {r.median / floor:.1f}x" for r in peers),
        ]
        lines += ["", "; ".join(s for s in summary if s) + "."]
    return "\n".join(lines)


def _time(seconds: float) -> str:
    if seconds >= 1:
        return f"{seconds:.2f} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.2f} ms"
    return f"{seconds * 1e6:.2f} µs"


def format_summary(groups: dict[str, list[Result]]) -> str:
    """One table for every module: awscore, each peer and the floor, with ratios.

    A group's module is the first word of its name (``sigv4-get`` -> sigv4). Where a
    group times several awscore operations (``awscore-sign``, ``awscore-verify``),
    each is listed; peers are compared with the plain ``awscore`` row when there is
    one.
    """
    lines = [
        "| module | operation | awscore | peers (time, vs awscore) | floor "
        "| awscore vs floor |",
        "|---|---|---|---|---|---:|",
    ]
    for group in sorted(groups):
        results = groups[group]
        module = group.split("-")[0]
        floor = _median_of(results, FLOOR)
        reference = _median_of(results, REFERENCE)
        ours = [r for r in results if r.implementation.startswith(REFERENCE)]
        peers = [r for r in results if r not in ours and r.implementation != FLOOR]
        ours_cell = "<br>".join(
            _time(r.median)
            if r.implementation == REFERENCE
            else f"{r.implementation.removeprefix(REFERENCE + '-')}: {_time(r.median)}"
            for r in ours
        )
        peers_cell = "<br>".join(
            f"{r.implementation} {_time(r.median)} ({_ratio(r.median, reference)})"
            for r in peers
        )
        lines.append(
            f"| {module} | {group} | {ours_cell or '-'} | {peers_cell or '-'} "
            f"| {_time(floor) if floor else '-'} "
            f"| {_ratio(reference, floor) if reference and floor else '-'} |"
        )
    return "\n".join(lines)


def format_machine(data: dict[str, Any]) -> str:
    info = data.get("machine_info", {})
    ours = info.get("awscore_bench", {})
    packages = ", ".join(f"{k} {v}" for k, v in ours.get("packages", {}).items())
    commit = data.get("commit_info", {})
    lines = [
        f"- CPU: {ours.get('cpu_model', '?')}, nproc {ours.get('nproc', '?')}",
        f"- Python: {ours.get('python', info.get('python_version', '?'))} "
        f"on {info.get('system', '?')} {info.get('release', '')}".rstrip(),
        f"- Packages: {packages or '?'}",
        f"- Run: {data.get('datetime', '?')}, commit {str(commit.get('id', '?'))[:10]}"
        + (" (dirty tree)" if commit.get("dirty") else ""),
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path, help="format this result file, do not run")
    parser.add_argument("--min-rounds", type=int, default=200)
    args, pytest_args = parser.parse_known_args(argv)
    if args.json is not None:
        data = json.loads(args.json.read_text(encoding="utf-8"))
    else:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "benchmarks.json"
            run_benchmarks(path, args.min_rounds, pytest_args)
            data = json.loads(path.read_text(encoding="utf-8"))
    groups = load(data)
    print("## Summary\n")
    print(format_summary(groups))
    print()
    print(format_machine(data))
    print("\n## Per workload\n")
    print("\n\n".join(format_group(g, groups[g]) for g in sorted(groups)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
