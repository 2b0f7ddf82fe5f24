"""Run the benchmarks and print their medians as Markdown, as ratios.

    python3 benchmarks/report.py                    # run everything, print tables
    python3 benchmarks/report.py -k sigv4           # pytest arguments pass through
    python3 benchmarks/report.py --json out.json    # only format an earlier run
    python3 benchmarks/report.py --rounds 30        # issue #24's interleaved table

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
    param: str = ""  # pytest's parametrization id, when a group has several sizes


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
            param=str(bench.get("param") or ""),
        )
        groups.setdefault(result.group, []).append(result)
    for results in groups.values():
        results.sort(key=lambda r: r.median)
    return groups


def _ratio(value: float, base: float | None) -> str:
    return f"{value / base:.2f}x" if base else "-"


def _median_of(
    results: list[Result], implementation: str, size: str | None = None
) -> float | None:
    """The median of ``implementation``, of the same size when a group has several."""
    same = [r for r in results if r.implementation == implementation]
    if size is not None:
        sized = [r for r in same if _size(r) == size]
        same = sized or same
    return same[0].median if same else None


def _name(result: Result) -> str:
    size = _size(result)
    return f"{result.implementation} ({size})" if size else result.implementation


def format_group(group: str, results: list[Result]) -> str:
    lines = [
        f"### {group}",
        "",
        "| implementation | median (µs) | vs floor | vs awscore | rounds |",
        "|---|---:|---:|---:|---:|",
    ]
    lines.extend(
        f"| {_name(r)} | {r.median * 1e6:.2f} "
        f"| {_ratio(r.median, _median_of(results, FLOOR, _size(r)))} "
        f"| {_ratio(r.median, _median_of(results, REFERENCE, _size(r)))} "
        f"| {r.rounds} |"
        for r in results
    )
    summary = [
        f"{_name(r)} {r.median / floor:.1f}x"
        for r in results
        if r.implementation != FLOOR and (floor := _median_of(results, FLOOR, _size(r)))
    ]
    if summary:
        lines += ["", "Against the floor: " + "; ".join(summary) + "."]
    return "\n".join(lines)


def _time(seconds: float) -> str:
    if seconds >= 1:
        return f"{seconds:.2f} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.2f} ms"
    return f"{seconds * 1e6:.2f} µs"


#: the modules, as benchmark group names begin (``sigv4a-get`` is sigv4's)
MODULES = ("autoscaling", "cfn-init", "codeartifact", "k8s-dns", "kinesis", "quorum",
           "sigv4", "vpn")  # fmt: skip
#: other implementations of the same work; every other name is awscore or a floor
PEERS = frozenset({
    "aws_kinesis_agg", "awscrt", "botocore", "botocore-resign", "libyaml", "moto",
    "requests-aws4auth", "scapy",
})  # fmt: skip
#: naive baselines shown only in their module's own table (they do less work)
BASELINES = frozenset({"linear-scan"})


def _module(group: str) -> str:
    return next(
        (m for m in MODULES if group.startswith(m)), group.split("-", maxsplit=1)[0]
    )


def _label(result: Result) -> str:
    """What tells a row from its group's other awscore rows: an operation, a size.

    The parametrization id repeats the group's and the implementation's own
    words (``get-awscore-sign``); only what is left says something new.
    """
    name = result.implementation.removeprefix(REFERENCE).lstrip("-")
    return " ".join(part for part in (name, _size(result)) if part)


def _size(result: Result) -> str:
    known = {*result.group.split("-"), *result.implementation.split("-"), REFERENCE}
    return " ".join(p for p in result.param.split("-") if p and p not in known)


def _peer_reference(results: list[Result], size: str) -> float | None:
    """What peers are compared with: awscore, or its verifier where it verifies."""
    return _median_of(results, REFERENCE, size) or _median_of(
        results, f"{REFERENCE}-verify", size
    )


def _versus(peer: Result, results: list[Result]) -> str:
    reference = _peer_reference(results, _size(peer))
    return f" ({_ratio(peer.median, reference)})" if reference else ""


def format_summary(groups: dict[str, list[Result]]) -> str:
    """One table for every module: awscore, each peer and the floor, with ratios.

    awscore's rows carry their ratio to the group's floor; peers their ratio to
    awscore (the plain ``awscore`` row, or ``awscore-verify`` where verification
    is what a peer is compared with). A group that times several sizes or
    operations lists each, labelled.
    """
    lines = [
        "| module | operation | awscore (vs floor) | peers (vs awscore) | floor |",
        "|---|---|---|---|---|",
    ]
    for group in sorted(groups, key=lambda g: (_module(g), g)):
        results = sorted(groups[group], key=lambda r: (r.implementation, r.param))
        floors = [r for r in results if r.implementation == FLOOR]
        ours = [
            r for r in results if r.implementation not in PEERS | BASELINES | {FLOOR}
        ]
        peers = [r for r in results if r.implementation in PEERS]
        ours_cell = "<br>".join(
            (f"{_label(r)}: " if _label(r) else "")
            + _time(r.median)
            + (
                f" ({_ratio(r.median, floor)})"
                if (floor := _median_of(results, FLOOR, _size(r)))
                else ""
            )
            for r in ours
        )
        peers_cell = "<br>".join(
            f"{r.implementation} {_time(r.median)}" + _versus(r, results)
            for r in sorted(peers, key=lambda r: r.median)
        )
        floor_cell = "<br>".join(
            (f"{_size(r)}: " if _size(r) else "") + _time(r.median) for r in floors
        )
        lines.append(
            f"| {_module(group)} | {group} | {ours_cell or '-'} | {peers_cell or '-'} "
            f"| {floor_cell or '-'} |"
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
    parser.add_argument("--keep", type=Path, help="also save the raw JSON here")
    parser.add_argument(
        "--rounds",
        type=int,
        help="instead: the target table, contenders interleaved, over ROUNDS rounds",
    )
    parser.add_argument("--only", help="with --rounds: groups whose name has this")
    parser.add_argument(
        "--no-memory", action="store_true", help="with --rounds: skip the memory rows"
    )
    parser.add_argument("--memory-child", help=argparse.SUPPRESS)
    args, pytest_args = parser.parse_known_args(argv)
    if args.rounds is not None or args.memory_child is not None:
        return _interleaved_main(args)
    if args.json is not None:
        data = json.loads(args.json.read_text(encoding="utf-8"))
    else:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "benchmarks.json"
            run_benchmarks(path, args.min_rounds, pytest_args)
            data = json.loads(path.read_text(encoding="utf-8"))
            if args.keep is not None:
                args.keep.write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    groups = load(data)
    print("## Summary\n")
    print(format_summary(groups))
    print()
    print(format_machine(data))
    print("\n## Per workload\n")
    print("\n\n".join(format_group(g, groups[g]) for g in sorted(groups)))
    return 0


def _interleaved_main(args: argparse.Namespace) -> int:
    # The bench modules import ``tests.conftest`` and each other by file name.
    for path in (ROOT / "src", ROOT, ROOT / "benchmarks"):
        if str(path) not in sys.path:
            sys.path.insert(0, str(path))
    import _interleaved

    if args.memory_child is not None:
        _interleaved.memory_child(args.memory_child)
        return 0
    if args.rounds < 30:
        print(
            f"note: {args.rounds} rounds; the table wants at least 30", file=sys.stderr
        )
    print(_interleaved.report(args.rounds, args.only, not args.no_memory))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
