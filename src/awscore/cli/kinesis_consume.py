"""``awscore kinesis consume``: a Lambda event source mapping reading a stream."""

from __future__ import annotations

import argparse
import random
import sys

from awscore.cli._output import add_json_flag, epilog, read_text, write_json
from awscore.errors import CliError
from awscore.kinesis import (
    ConcurrencyPool,
    ConsumerRun,
    EventSourceMapping,
    Stream,
    failing_handler,
    mapping_from_aws_json,
    read_writes_csv,
    simulate_consumer,
)

__all__ = ["add_consume"]

_EXAMPLE = epilog(
    "awscore kinesis consume --shards 2 --writes examples/kinesis/writes.csv",
    "awscore kinesis consume --shards 2 --writes examples/kinesis/writes.csv\n"
    "--mapping examples/kinesis/esm.json --fail-rate 0.01 --json",
    notes="The writes CSV header is time,partition_key and data or size (seconds on "
    "the\nsimulation's clock; size is a byte count of filler). The mapping is\n"
    "CreateEventSourceMapping JSON, or what `aws lambda get-event-source-mapping` "
    "prints.\nA failing record fails every time (a poison record); the function "
    "reports it as a\nbatch item failure when the mapping has "
    "ReportBatchItemFailures.",
)


def add_consume(verbs: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``awscore kinesis consume``."""
    consume = verbs.add_parser(
        "consume",
        help="simulate a Lambda event source mapping reading the stream",
        description="Play writes into a new stream of --shards shards and show what "
        "a Lambda event source mapping does with them: each invocation, retries, "
        "discarded records and the iterator age per shard.",
        epilog=_EXAMPLE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    consume.add_argument("--shards", type=int, required=True, metavar="N")
    consume.add_argument("--writes", required=True, metavar="CSV", help="- for stdin")
    consume.add_argument("--mapping", metavar="JSON", help="the mapping's settings")
    consume.add_argument(
        "--fail-rate",
        type=float,
        default=0.0,
        metavar="P",
        help="the share of records that fail every time (0..1)",
    )
    consume.add_argument("--seed", type=int, default=0, help="which records fail")
    consume.add_argument(
        "--duration",
        type=float,
        default=0.1,
        metavar="SECONDS",
        help="how long one invocation runs (default 0.1)",
    )
    consume.add_argument(
        "--reserved-concurrency",
        type=int,
        metavar="N",
        help="the function's reserved concurrency (0 throttles it)",
    )
    consume.add_argument(
        "--enhanced-fan-out",
        action="store_true",
        help="an enhanced fan-out consumer: about 70 ms propagation, not 200 ms",
    )
    consume.add_argument("--until", type=float, metavar="SECONDS")
    consume.add_argument(
        "--show", type=int, default=20, metavar="N", help="invocations listed"
    )
    consume.add_argument(
        "--plot", metavar="OUT.png", help="draw the iterator age (needs matplotlib)"
    )
    add_json_flag(consume)
    consume.set_defaults(handler=_consume)


def _consume(args: argparse.Namespace) -> int:
    if not 0 <= args.fail_rate <= 1:
        raise CliError(f"--fail-rate must be from 0 to 1, got {args.fail_rate}")
    if not 1 <= args.shards <= 10_000:
        raise CliError(f"--shards must be 1..10000, got {args.shards}")
    mapping = (
        mapping_from_aws_json(read_text(args.mapping))
        if args.mapping
        else EventSourceMapping()
    )
    writes = read_writes_csv(read_text(args.writes))
    rate: float = args.fail_rate
    seed: int = args.seed

    def is_poison(record: dict[str, object]) -> bool:
        kinesis = record["kinesis"]
        assert isinstance(kinesis, dict)
        draw = random.Random(f"{seed}:{kinesis['sequenceNumber']}").random()  # noqa: S311
        return draw < rate

    pool = ConcurrencyPool()
    if args.reserved_concurrency is not None:
        pool = pool.reserve("function", args.reserved_concurrency)
    run = simulate_consumer(
        Stream.create(args.shards),
        writes,
        mapping,
        failing_handler(is_poison, report_failures=mapping.reports_batch_item_failures),
        concurrency=pool,
        duration=args.duration,
        propagation_delay=0.07 if args.enhanced_fan_out else 0.2,
        until=args.until,
    )
    if args.plot:
        _plot(run, args.plot)
    if args.json:
        write_json(_document(run))
        return 0
    _print(run, args.show)
    if args.plot:
        sys.stdout.write(f"plot written to {args.plot}\n")
    return 0


def _document(run: ConsumerRun) -> dict[str, object]:
    return {
        "invocations": [
            {
                "time": i.time,
                "shard_id": i.shard_id,
                "lane": i.lane,
                "records": [r.sequence_number for r in i.records],
                "retry": i.retry,
                "outcome": i.outcome,
                "checkpoint": i.checkpoint,
                "iterator_age_ms": round(i.iterator_age_ms, 3),
            }
            for i in run.invocations
        ],
        "discarded": [
            {
                "time": d.time,
                "shard_id": d.shard_id,
                "condition": d.condition,
                "records": [r.sequence_number for r in d.records],
                "destination_record": d.destination_record,
            }
            for d in run.discarded
        ],
        "acknowledged": len(run.acknowledged),
        "pending": len(run.pending),
        "peak_concurrency": run.peak_concurrency,
    }


def _print(run: ConsumerRun, show: int) -> None:
    out = sys.stdout
    discarded = sum(len(d.records) for d in run.discarded)
    out.write(
        f"{len(run.records)} records, {len(run.invocations)} invocations, "
        f"{len(run.acknowledged)} acknowledged, {discarded} discarded, "
        f"{len(run.pending)} still pending; at most {run.peak_concurrency} "
        "running at once\n"
    )
    for invocation in run.invocations[: max(show, 0)]:
        retry = f" retry {invocation.retry}" if invocation.retry else ""
        out.write(
            f"  {invocation.time:9.3f}s  {invocation.shard_id} lane {invocation.lane}"
            f"  {len(invocation.records):>5} records  {invocation.outcome}{retry}\n"
        )
    if len(run.invocations) > show:
        out.write(f"  ... {len(run.invocations) - show} more (--show N)\n")
    for discard in run.discarded[:show]:
        out.write(
            f"  discarded at {discard.time:.3f}s: {len(discard.records)} records of "
            f"{discard.shard_id} ({discard.condition})\n"
        )
    for shard, points in sorted(run.iterator_age.items()):
        worst = max(age for _, age in points)
        out.write(f"  {shard}: IteratorAge at most {worst:,.0f} ms\n")


def _plot(run: ConsumerRun, path: str) -> None:
    """Draw the iterator age per shard and the invocations per lane."""
    try:
        import matplotlib  # optional (the plot extra): imported only for --plot

        matplotlib.use("Agg")
        from matplotlib import pyplot
    except ImportError:
        raise CliError("--plot needs matplotlib: pip install 'awscore[plot]'") from None
    figure, (top, bottom) = pyplot.subplots(2, 1, sharex=True, figsize=(10, 6))
    for shard, points in sorted(run.iterator_age.items()):
        top.plot([t for t, _ in points], [a for _, a in points], label=shard)
    top.set_ylabel("IteratorAge (ms)")
    top.legend(loc="upper left", fontsize="small")
    lanes = sorted({(i.shard_id, i.lane) for i in run.invocations})
    row = {lane: n for n, lane in enumerate(lanes)}
    colours = {"success": "#59a14f", "partial": "#edc948", "error": "#e15759"}
    for invocation in run.invocations:
        bottom.barh(
            row[(invocation.shard_id, invocation.lane)],
            max(invocation.end - invocation.time, 0.05),
            left=invocation.time,
            color=colours.get(invocation.outcome, "#888"),
        )
    bottom.set_yticks(range(len(lanes)), [f"{s[-3:]}/{lane}" for s, lane in lanes])
    bottom.set_ylabel("shard/lane")
    bottom.set_xlabel("seconds")
    figure.tight_layout()
    figure.savefig(path)
    pyplot.close(figure)
