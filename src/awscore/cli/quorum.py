"""``awscore quorum``: read and write availability of a replicated volume."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from fractions import Fraction

from awscore.cli._output import add_json_flag, epilog, write_json
from awscore.cli._progress import progress
from awscore.cli._tour import TourPart, TourSection
from awscore.errors import CliError
from awscore.quorum import Cluster, KOfN, availability, survives, unavailability

__all__ = ["TOUR", "register"]

_EXAMPLE = epilog(
    "awscore quorum --azs 3 --per-az 2 --write 4 --read 3 --p-node 0.01 --p-az 0.001",
    "awscore quorum --p-node 1/100 --p-az 1/1000 --exact",
    notes="Large layouts take a while: a progress bar shows on a terminal (not in a "
    "pipe, nor with --json).",
)


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``awscore quorum``."""
    parser = subparsers.add_parser(
        "quorum",
        help="availability and fault tolerance of read/write quorums over AZs",
        description="Exact availability of read and write quorums over replicas "
        "spread evenly across availability zones, with independent node and AZ "
        "failures, compared with 3 copies and 2/3 quorums.",
        epilog=_EXAMPLE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--azs", type=int, default=3, help="availability zones (3)")
    parser.add_argument("--per-az", type=int, default=2, help="replicas per AZ (2)")
    parser.add_argument("--write", type=int, default=4, help="write quorum (4)")
    parser.add_argument("--read", type=int, default=3, help="read quorum (3)")
    parser.add_argument(
        "--p-node",
        default="0.01",
        help="a replica's failure probability: a decimal or a fraction like 1/100",
    )
    parser.add_argument(
        "--p-az", default="0.001", help="an AZ's failure probability (whole AZ)"
    )
    parser.add_argument(
        "--exact",
        action="store_true",
        help="compute with fractions and print them exactly",
    )
    add_json_flag(parser)
    parser.set_defaults(handler=_run)


def _probability(text: str, exact: bool, what: str) -> Fraction | float:
    try:
        value = Fraction(text)
    except (ValueError, ZeroDivisionError):
        raise CliError(f"{what} {text!r} is not a number or a fraction") from None
    if exact:
        return value
    try:
        return float(value)
    except OverflowError:  # e.g. 1e400: no float, and no probability either
        raise CliError(
            f"{what} {text!r} is out of range: it must be a probability in [0, 1]"
        ) from None


def _report(
    *,
    azs: int,
    per_az: int,
    read: int,
    write: int,
    p_node: Fraction | float,
    p_az: Fraction | float,
    tick: Callable[[str], None] = lambda step: None,
) -> dict[str, object]:
    cluster = Cluster.uniform(azs, per_az, p_node=p_node, p_az=p_az)
    result: dict[str, object] = {}
    for name, k in (("read", read), ("write", write)):
        rule = KOfN(k)
        result[name] = {
            "quorum": f"{k}/{azs * per_az}",
            "availability": availability(cluster, rule),
            "unavailability": unavailability(cluster, rule),
            "survives_az": survives(cluster, rule, domains=1, nodes=0),
            "survives_az_plus_one": survives(cluster, rule, domains=1, nodes=1),
        }
        tick(f"{name} {k}/{azs * per_az} done")
    return result


def _run(args: argparse.Namespace) -> int:
    p_node = _probability(args.p_node, args.exact, "--p-node")
    p_az = _probability(args.p_az, args.exact, "--p-az")
    # four enumerations (reads and writes of two layouts): the bar counts them
    with progress(args, "quorum", 4) as bar:
        ours = _report(
            azs=args.azs,
            per_az=args.per_az,
            read=args.read,
            write=args.write,
            p_node=p_node,
            p_az=p_az,
            tick=bar.advance,
        )
        three = _report(
            azs=3, per_az=1, read=2, write=2, p_node=p_node, p_az=p_az, tick=bar.advance
        )
    if args.json:
        write_json({"quorum": ours, "three_copies_2_of_3": three}, default=str)
        return 0
    out = sys.stdout
    out.write(
        f"{args.azs} AZs x {args.per_az} replicas, p(node) = {p_node}, "
        f"p(AZ) = {p_az}\n\n"
    )
    for line in _table([("this layout", ours), ("3 copies, 2/3", three)]):
        out.write(line + "\n")
    return 0


def _table(sections: list[tuple[str, dict[str, object]]]) -> list[str]:
    """A titled block per report: reads and writes, one line each."""
    lines = []
    for title, report in sections:
        lines.append(f"{title}:")
        for name in ("read", "write"):
            entry = report[name]
            assert isinstance(entry, dict)
            lines.append(
                f"  {name:5} {entry['quorum']:>5}  availability "
                f"{_show(entry['availability'])}  unavailability "
                f"{_show(entry['unavailability'])}  AZ: "
                f"{'yes' if entry['survives_az'] else 'no'}  AZ + 1: "
                f"{'yes' if entry['survives_az_plus_one'] else 'no'}"
            )
        lines.append("")
    return lines


def _show(value: object) -> str:
    if isinstance(value, Fraction):
        return str(value)
    return f"{float(str(value)):.6g}"


def _tour() -> TourPart:
    report = _report(azs=3, per_az=2, read=3, write=4, p_node=0.01, p_az=0.001)
    three = _report(azs=3, per_az=1, read=2, write=2, p_node=0.01, p_az=0.001)
    lines = _table(
        [("Aurora, 6 copies in 3 AZs", report), ("3 copies in 3 AZs, 2/3", three)]
    )
    text = (
        "Aurora keeps 6 copies of each 10 GB segment, 2 in each of 3 AZs: a write\n"
        "needs 4, a read 3. With replicas failing 1% and AZs 0.1% of the time:\n\n"
        + "\n".join(lines)
        + "\nWrites survive a whole AZ; reads survive an AZ plus one more node,\n"
        "so data is never lost to 'AZ + 1', which 2/3 over 3 copies cannot say.\n"
        "Try `awscore quorum --exact --p-node 1/100 --p-az 1/1000`."
    )
    return TourPart(
        text=text,
        data={"aurora": report, "three_copies": three},
    )


TOUR = TourSection(name="quorum", title="quorum: Aurora's 4/6 and 3/6", run=_tour)
