"""``awscore kinesis shard|reshard|analyze``: routing, resharding and capacity."""

from __future__ import annotations

import argparse
import sys

from awscore.cli._output import add_json_flag, epilog, read_text, write_json
from awscore.cli._tour import TourPart, TourSection
from awscore.cli.kinesis_consume import add_consume
from awscore.errors import CliError
from awscore.kinesis import Shard, Stream, hash_key, parse_explicit_hash_key
from awscore.kinesis._capacity import (
    CapacityReport,
    KeyTraffic,
    analyze,
    read_traffic_csv,
)

__all__ = ["TOUR", "register"]

_SHARD_EXAMPLE = epilog(
    "awscore kinesis shard --shards 4 user123 user456",
    "awscore kinesis shard --shards 4 "
    "--explicit-hash-key 170141183460469231731687303715884105728",
)
_RESHARD_EXAMPLE = epilog(
    "awscore kinesis reshard --shards 4 --to 6",
    "awscore kinesis reshard --shards 6 --to 3 --json",
)
_ANALYZE_EXAMPLE = epilog(
    "awscore kinesis analyze examples/kinesis/traffic.csv --shards 4",
    "awscore kinesis analyze examples/kinesis/traffic.csv --shards 8 --json",
    notes="The CSV's header row is partition_key,records_per_second,bytes_per_second "
    "and optionally\nexplicit_hash_key; bytes are the data only (partition-key bytes "
    "are added).",
)


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``awscore kinesis`` and its verbs."""
    parser = subparsers.add_parser(
        "kinesis",
        help="Kinesis Data Streams: route keys to shards, plan resharding, capacity",
        description="Route partition keys to shards, plan resharding and find hot "
        "shards, as Kinesis Data Streams does.",
    )
    verbs = parser.add_subparsers(title="verbs", metavar="VERB", required=True)
    shard = verbs.add_parser(
        "shard",
        help="the hash key and shard of each partition key",
        description="Print each partition key's 128-bit hash key (MD5) and the shard "
        "of a new stream of --shards shards it goes to.",
        epilog=_SHARD_EXAMPLE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _add_shards(shard)
    shard.add_argument("keys", nargs="*", metavar="KEY", help="partition keys")
    shard.add_argument(
        "--explicit-hash-key",
        action="append",
        default=[],
        metavar="VALUE",
        help="route this ExplicitHashKey (decimal, 0..2**128-1) instead of a key; "
        "repeat for more",
    )
    add_json_flag(shard)
    shard.set_defaults(handler=_shard)
    reshard = verbs.add_parser(
        "reshard",
        help="the UpdateShardCount plan from one shard count to another",
        description="Print the splits and merges UpdateShardCount (UNIFORM_SCALING) "
        "takes a new stream of --shards shards to --to shards through, then the open "
        "shards that result.",
        epilog=_RESHARD_EXAMPLE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _add_shards(reshard)
    reshard.add_argument(
        "--to", type=int, required=True, metavar="N", help="the target shard count"
    )
    add_json_flag(reshard)
    reshard.set_defaults(handler=_reshard)
    capacity = verbs.add_parser(
        "analyze",
        help="per-shard utilization of a traffic mix, hot shards, split suggestions",
        description="Read per-key traffic from a CSV file (- for stdin) and print "
        "each shard's utilization of its 1,000 records/s and 1 MiB/s, the hot "
        "shards with the split that balances them, and the shards needed.",
        epilog=_ANALYZE_EXAMPLE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    capacity.add_argument("traffic", help="traffic CSV file, or - for stdin")
    _add_shards(capacity)
    add_json_flag(capacity)
    capacity.set_defaults(handler=_analyze)
    add_consume(verbs)


def _add_shards(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--shards",
        type=int,
        required=True,
        metavar="N",
        help="shard count of the new stream (1..10000), as CreateStream makes it",
    )


def _range(shard: Shard) -> str:
    return f"[{shard.starting_hash_key}, {shard.ending_hash_key}]"


def _shard_json(shard: Shard) -> dict[str, object]:
    # Hash keys as decimal strings, as the Kinesis API writes them: 128-bit
    # integers lose precision in most JSON readers.
    return {
        "shard_id": shard.shard_id,
        "starting_hash_key": str(shard.starting_hash_key),
        "ending_hash_key": str(shard.ending_hash_key),
    }


def _shard(args: argparse.Namespace) -> int:
    stream = Stream.create(args.shards)
    if not args.keys and not args.explicit_hash_key:
        raise CliError("give at least one partition key or --explicit-hash-key")
    routed: list[tuple[str, str, int]] = [
        ("partition_key", key, hash_key(key)) for key in args.keys
    ]
    routed += [
        ("explicit_hash_key", value, parse_explicit_hash_key(value))
        for value in args.explicit_hash_key
    ]
    rows = [
        (kind, text, key, stream.shard_for_hash_key(key)) for kind, text, key in routed
    ]
    if args.json:
        write_json(
            [
                {kind: text, "hash_key": str(key), "shard": _shard_json(shard)}
                for kind, text, key, shard in rows
            ]
        )
        return 0
    width = max(len(text) for _, text, _, _ in rows)
    for _, text, key, shard in rows:
        sys.stdout.write(
            f"{text:<{width}}  hash key {key:<39}  {shard.shard_id} {_range(shard)}\n"
        )
    return 0


def _reshard(args: argparse.Namespace) -> int:
    stream = Stream.create(args.shards)
    plan = stream.plan_shard_count(args.to)
    after = stream.update_shard_count(args.to)
    if args.json:
        write_json(
            {
                "operations": [
                    {
                        "kind": op.kind,
                        "shard_id": op.shard_id,
                        "new_starting_hash_key": None
                        if op.new_starting_hash_key is None
                        else str(op.new_starting_hash_key),
                        "adjacent_shard_id": op.adjacent_shard_id,
                        "children": list(op.children),
                    }
                    for op in plan
                ],
                "open_shards": [_shard_json(s) for s in after.open_shards],
            }
        )
        return 0
    out = sys.stdout
    out.write(f"{args.shards} -> {args.to} shards: {len(plan)} operations\n")
    for number, op in enumerate(plan, 1):
        if op.kind == "split":
            out.write(
                f"{number:>4}. SplitShard {op.shard_id} at NewStartingHashKey "
                f"{op.new_starting_hash_key} -> {', '.join(op.children)}\n"
            )
        else:
            out.write(
                f"{number:>4}. MergeShards {op.shard_id} + {op.adjacent_shard_id} "
                f"-> {', '.join(op.children)}\n"
            )
    out.write("open shards:\n")
    for shard in after.open_shards:
        out.write(f"  {shard.shard_id} {_range(shard)}\n")
    return 0


def _analyze(args: argparse.Namespace) -> int:
    try:
        text = read_text(args.traffic)
    except UnicodeDecodeError:
        raise CliError(f"{args.traffic}: not UTF-8 text") from None
    traffic = read_traffic_csv(text)
    report = analyze(Stream.create(args.shards), traffic)
    if args.json:
        write_json(_report_json(report))
        return 0
    sys.stdout.write(_report_text(report))
    return 0


def _report_json(report: CapacityReport) -> dict[str, object]:
    return {
        "records_per_second": report.records_per_second,
        "bytes_per_second": report.bytes_per_second,
        "shards_needed": report.shards_needed,
        "shards": [
            {
                **_shard_json(load.shard),
                "records_per_second": load.records_per_second,
                "bytes_per_second": load.bytes_per_second,
                "record_utilization": load.record_utilization,
                "byte_utilization": load.byte_utilization,
                "utilization": load.utilization,
                "hot": load.hot,
                "keys": [k.partition_key for k in load.keys],
                "split": None
                if load.split is None
                else {
                    "new_starting_hash_key": str(load.split.new_starting_hash_key),
                    "lower_utilization": load.split.lower_utilization,
                    "upper_utilization": load.split.upper_utilization,
                    "fixes": load.split.fixes,
                    "reason": load.split.reason,
                },
            }
            for load in report.shards
        ],
    }


def _report_text(report: CapacityReport) -> str:
    lines = []
    for load in report.shards:
        flag = "  HOT" if load.hot else ""
        lines.append(
            f"{load.shard.shard_id}  {load.utilization:>7.1%}  "
            f"({load.records_per_second:,.1f} records/s {load.record_utilization:.1%}, "
            f"{load.bytes_per_second:,.0f} B/s {load.byte_utilization:.1%}), "
            f"{len(load.keys)} keys{flag}"
        )
        if load.split is not None:
            verdict = "fixes it" if load.split.fixes else "does NOT fix it"
            lines.append(
                f"    split at NewStartingHashKey {load.split.new_starting_hash_key} "
                f"({verdict}): {load.split.reason}"
            )
    lines.append(
        f"total: {report.records_per_second:,.1f} records/s, "
        f"{report.bytes_per_second:,.0f} B/s; shards needed (if spread evenly): "
        f"{report.shards_needed}"
    )
    return "\n".join(lines) + "\n"


def _tour() -> TourPart:
    stream = Stream.create(4)
    keys = ("user123", "user456", "order-9", "sensor-42")
    routes = {key: stream.shard_for(key) for key in keys}
    # Make one shard hot on purpose: two keys that share a shard, at 700 records/s
    # each, overload its 1,000 records/s; one split between them fixes it.
    hot_keys = [k for k in keys if routes[k] is routes[keys[0]]][:2]
    traffic = [
        KeyTraffic(partition_key=k, records_per_second=700, bytes_per_second=70_000)
        for k in hot_keys
    ]
    report = analyze(stream, traffic)
    hot = report.hot_shards[0]
    assert hot.split is not None
    split = stream.split_shard(hot.shard.shard_id, hot.split.new_starting_hash_key)
    plan = stream.plan_shard_count(6)
    route_lines = "\n".join(
        f"    {k:<10} hash key {hash_key(k):<39} {routes[k].shard_id}" for k in keys
    )
    before = "\n".join(f"    {s.shard_id} {_range(s)}" for s in stream.open_shards)
    after = "\n".join(f"    {s.shard_id} {_range(s)}" for s in split.open_shards)
    text = f"""\
A record goes to the shard whose hash-key range holds MD5(partition key), read as
a 128-bit integer. A new stream of 4 shards splits [0, 2**128-1] evenly:

{route_lines}

{" and ".join(map(repr, hot_keys))} at 700 records/s each put {hot.shard.shard_id}
at {hot.utilization:.0%} of its 1,000 records/s: hot. The split that balances it:

    SplitShard {hot.shard.shard_id} at NewStartingHashKey \
{hot.split.new_starting_hash_key}
    -> {hot.split.lower_utilization:.0%} and {hot.split.upper_utilization:.0%}

Open shards before and after:
{before}
  after:
{after}

UpdateShardCount 4 -> 6 (uniform) takes {len(plan)} operations; try
`awscore kinesis reshard --shards 4 --to 6`."""
    return TourPart(
        text=text,
        data={
            "routes": {k: routes[k].shard_id for k in keys},
            "hot_shard": hot.shard.shard_id,
            "new_starting_hash_key": str(hot.split.new_starting_hash_key),
            "open_shards_after_split": [s.shard_id for s in split.open_shards],
            "reshard_4_to_6_operations": len(plan),
        },
    )


TOUR = TourSection(
    name="kinesis", title="kinesis: partition keys, shards and resharding", run=_tour
)
