"""Issue #24's table: every target ratio measured interleaved, in one process.

``python benchmarks/report.py --rounds 30`` runs this (it is not part of the
pytest benchmark run CI does). Each *group* is a set of contenders on the same
input: awscore, its peers and the floor, built by the ``bench_<module>.py``
functions the pytest benchmarks use, so both measure the same thing. A round
times every contender of the group once (a batch of calls sized to about
``BATCH_SECONDS``, the fastest of five short runs), starting at a different
contender each round, and computes
each ratio from that round's times alone: load from other processes on a
shared machine then moves numerator and denominator together. A row reports the
median and the interquartile range of its per-round ratios.

Memory rows run each workload in a fresh interpreter and read its peak RSS
(``resource.getrusage``), against a stated bound.
"""

from __future__ import annotations

import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
#: the wall time one contender's batch aims at, per round
BATCH_SECONDS = 0.01

Call = Callable[[], Any]


@dataclass(frozen=True)
class Row:
    """One line of the table: ``numerator / denominator`` against a target."""

    operation: str
    numerator: str
    denominator: str
    #: ``"<="``: the ratio must be at most ``target``; ``">="``: at least
    sense: str
    target: float
    #: how the target reads in the issue
    wording: str


@dataclass(frozen=True)
class Group:
    """Contenders on one input, measured together, and the rows they give."""

    name: str
    build: Callable[[], dict[str, Call]]
    rows: tuple[Row, ...]
    #: ratios shown for information (numerator, denominator), no target
    extra: tuple[tuple[str, str], ...] = ()


# --- the contenders ------------------------------------------------------------


def _sigv4_sign(workload: str) -> Callable[[], dict[str, Call]]:
    def build() -> dict[str, Call]:
        import botocore.auth

        import bench_sigv4 as b

        # botocore reads the clock; sign at the same instant as the others
        botocore.auth.get_current_datetime = b._fixed_now
        w = b.WORKLOADS[workload]
        out = {impl: b.make_signer(impl, w) for impl in b.IMPLEMENTATIONS}
        for impl in ("floor", "awscore", "awscrt", "botocore"):
            b.check(impl, w, out[impl]())
        del out["requests-aws4auth"]  # it reads the real clock; pytest times it
        return out

    return build


def _sigv4_verify(workload: str) -> Callable[[], dict[str, Call]]:
    def build() -> dict[str, Call]:
        import bench_sigv4 as b

        w = b.WORKLOADS[workload]
        return {
            "sign": b.verify_runner("awscore-sign", w),
            "verify": b.verify_runner("awscore-verify", w),
        }

    return build


def _sigv4a_sign(workload: str) -> Callable[[], dict[str, Call]]:
    def build() -> dict[str, Call]:
        import bench_sigv4 as b

        w = b.WORKLOADS[workload]
        return {impl: b.v4a_signer(impl, w) for impl in b.V4A_IMPLEMENTATIONS}

    return build


#: keys per kinesis call: a slice of the benchmark's million, so a round is short
ROUTE_KEYS = 2_000


def _kinesis_route(shards: int) -> Callable[[], dict[str, Call]]:
    def build() -> dict[str, Call]:
        import bench_kinesis as b
        from awscore.kinesis import Stream

        stream = Stream.create(shards)
        keys = b.KEYS[:ROUTE_KEYS]
        return {
            "floor": b.floor_router(keys),
            "shard_for": b.awscore_router(stream, keys),
            "shards_for": b.awscore_bulk_router(stream, keys),
        }

    return build


#: aggregates per deaggregation call (of the benchmark's 10,000 shape)
DEAGGREGATE_AGGREGATES = 200


def _kinesis_deaggregate() -> dict[str, Call]:
    import random

    from aws_kinesis_agg import deaggregator

    from awscore.kinesis import UserRecord, aggregate, deaggregate

    rng = random.Random(7)  # noqa: S311 - reproducible test data
    aggregates = []
    for _ in range(DEAGGREGATE_AGGREGATES):
        records = [
            UserRecord(
                partition_key=f"key-{rng.randrange(1000)}",
                data=rng.randbytes(100),
                explicit_hash_key=str(rng.randrange(1 << 128)) if j % 3 == 0 else None,
            )
            for j in range(10)
        ]
        (aggregated,) = aggregate(records)
        aggregates.append((aggregated.partition_key, aggregated.data))
    # the shape of bench_kinesis's aggregates fixture, at this size
    events = [
        {
            "PartitionKey": pk,
            "Data": data,
            "SequenceNumber": "1",
            "ApproximateArrivalTimestamp": 1_700_000_000.0,
        }
        for pk, data in aggregates
    ]
    expected = DEAGGREGATE_AGGREGATES * 10

    def ours() -> int:
        return sum(
            len(deaggregate(data, partition_key=pk, sequence_number="1"))
            for pk, data in aggregates
        )

    def peer() -> int:
        return sum(
            1
            for _ in deaggregator.iter_deaggregate_records(events, data_format="Boto3")
        )

    assert ours() == expected
    assert peer() == expected
    return {"awscore": ours, "aws_kinesis_agg": peer}


def _vpn_round_trip() -> dict[str, Call]:
    import bench_vpn as b

    out = {name: b.MAKERS[name]() for name in ("floor", "awscore")}
    for name, run in out.items():
        b._check(name, run)
    return out


def _le(op: str, num: str, den: str, target: float, wording: str) -> Row:
    return Row(op, num, den, "<=", target, wording)


def _ge(op: str, num: str, den: str, target: float, wording: str) -> Row:
    return Row(op, num, den, ">=", target, wording)


GROUPS: tuple[Group, ...] = (
    *(
        Group(
            f"sigv4-sign-{w}",
            _sigv4_sign(w),
            (
                _ge(
                    f"SigV4 sign {w.upper()}: awscrt time / awscore time",
                    "awscrt",
                    "awscore",
                    1.4,
                    "at least 1.4x faster than awscrt",
                ),
            ),
            (("awscore", "floor"), ("botocore", "awscore")),
        )
        for w in ("get", "put")
    ),
    *(
        Group(
            f"sigv4a-sign-{w}",
            _sigv4a_sign(w),
            (
                _le(
                    f"SigV4A sign {w.upper()}: awscore / awscrt",
                    "awscore",
                    "awscrt",
                    1.15,
                    "at most 1.15x awscrt",
                ),
            ),
            (("awscore", "floor"),),
        )
        for w in ("get", "put")
    ),
    *(
        Group(
            f"sigv4-verify-{w}",
            _sigv4_verify(w),
            (
                _le(
                    f"Verifier.verify / sign {w.upper()}",
                    "verify",
                    "sign",
                    1.05,
                    "at most 1.05x",
                ),
            ),
        )
        for w in ("get", "put")
    ),
    *(
        Group(
            f"kinesis-route-{n}",
            _kinesis_route(n),
            (
                _le(
                    f"Kinesis shard_for / MD5 floor, {n:,} shards",
                    "shard_for",
                    "floor",
                    1.5,
                    "at most 1.5x",
                ),
                _le(
                    f"Kinesis shards_for (bulk) / MD5 floor, {n:,} shards",
                    "shards_for",
                    "floor",
                    1.25,
                    "at most 1.25x",
                ),
            ),
        )
        for n in (4, 10_000)
    ),
    Group(
        "kinesis-deaggregate",
        _kinesis_deaggregate,
        (
            _le(
                "KPL deaggregate / aws_kinesis_agg",
                "awscore",
                "aws_kinesis_agg",
                0.8,
                "at most 0.8x (faster than the peer)",
            ),
        ),
    ),
    Group(
        "vpn-esp-1400",
        _vpn_round_trip,
        (
            _le(
                "VPN encapsulate + decapsulate 1,400 B AES-GCM / AESGCM floor",
                "awscore",
                "floor",
                3.0,
                "at most 3.0x",
            ),
        ),
    ),
)


# --- measuring ---------------------------------------------------------------


def _batch_size(call: Call) -> int:
    """Calls per batch so that one batch takes about ``BATCH_SECONDS``."""
    start = time.perf_counter()
    calls = 0
    while (elapsed := time.perf_counter() - start) < BATCH_SECONDS / 4:
        call()
        calls += 1
    return max(1, round(calls * BATCH_SECONDS / elapsed))


#: short runs per batch; the batch's time is the fastest of them
SUB_BATCHES = 5


def _time_batch(call: Call, count: int) -> float:
    """Seconds per call: the fastest of ``SUB_BATCHES`` runs of ``count / 5`` calls.

    On a shared machine a run that another process preempted only ever reads
    slower; the fastest short run is the one least disturbed.
    """
    perf_counter = time.perf_counter
    each = max(1, count // SUB_BATCHES)
    best = float("inf")
    for _ in range(SUB_BATCHES):
        start = perf_counter()
        for _ in range(each):
            call()
        best = min(best, perf_counter() - start)
    return best / each


def measure(contenders: dict[str, Call], rounds: int) -> dict[str, list[float]]:
    """Per-round seconds per call of every contender, interleaved round-robin."""
    names = list(contenders)
    for call in contenders.values():  # warm caches (signing keys, imports)
        call()
    sizes = {name: _batch_size(contenders[name]) for name in names}
    times: dict[str, list[float]] = {name: [] for name in names}
    for r in range(rounds):
        # each round starts one contender later, so none always runs first
        for name in names[r % len(names) :] + names[: r % len(names)]:
            times[name].append(_time_batch(contenders[name], sizes[name]))
    return times


def _quartiles(values: list[float]) -> tuple[float, float, float]:
    q1, q2, q3 = statistics.quantiles(values, n=4, method="inclusive")
    return q1, q2, q3


@dataclass(frozen=True)
class Measured:
    operation: str
    median: float
    q1: float
    q3: float
    rounds: int
    target: str
    holds: bool | None
    note: str = ""


def _ratios(times: dict[str, list[float]], num: str, den: str) -> list[float]:
    return [a / b for a, b in zip(times[num], times[den], strict=True)]


def run_groups(
    rounds: int, only: str | None = None, log: Callable[[str], None] = print
) -> Iterator[Measured]:
    for group in GROUPS:
        if only and only not in group.name:
            continue
        log(f"measuring {group.name} ({rounds} rounds)")
        times = measure(group.build(), rounds)
        for row in group.rows:
            q1, med, q3 = _quartiles(_ratios(times, row.numerator, row.denominator))
            holds = med <= row.target if row.sense == "<=" else med >= row.target
            per_call = "; ".join(
                f"{n} {statistics.median(t) * 1e6:.2f} µs" for n, t in times.items()
            )
            extra = "; ".join(
                f"{a}/{b} {statistics.median(_ratios(times, a, b)):.2f}x"
                for a, b in group.extra
            )
            yield Measured(
                row.operation,
                med,
                q1,
                q3,
                rounds,
                f"{row.sense} {row.target:.2f}x ({row.wording})",
                holds,
                "; ".join(p for p in (extra, f"median per call: {per_call}") if p),
            )


# --- memory ------------------------------------------------------------------

GIB = 1 << 30
#: The bounds stated for the memory rows: peak RSS of the whole interpreter,
#: about 29 MiB after the imports. aws-chunked streams in constant memory: a few
#: 1 MiB pieces and chunks in flight, whatever the stream's length.
CHUNKED_RSS_BOUND_MIB = 64
#: The aggregates keep their user records (``AggregatedRecord.records``): a
#: million ``UserRecord``s of 32 B data are about 200 MiB by themselves, the
#: aggregates' bytes 37 MiB; the bound leaves aggregation's own work ~50 MiB.
AGGREGATE_RSS_BOUND_MIB = 320


def _chunked_1gib() -> None:
    """Sign then verify a 1 GiB aws-chunked stream, 1 MiB pieces at a time."""
    import bench_sigv4 as b
    from awscore.sigv4 import (
        ChunkedDecoder,
        HttpRequest,
        StreamingMode,
        sign_chunked,
        sign_details,
    )

    piece = bytes(range(256)) * 4096
    mode = StreamingMode.SIGNED
    request, encoder = sign_chunked(
        HttpRequest("PUT", "https://examplebucket.s3.amazonaws.com/big"),
        b.CREDS,
        region=b.REGION,
        service="s3",
        when=b.WHEN,
        data_length=GIB,
        mode=mode,
    )
    seed = request.get("Authorization") or ""
    decoder = ChunkedDecoder(
        mode=mode,
        signing_key=sign_details(
            request,
            b.CREDS,
            region=b.REGION,
            service="s3",
            when=b.WHEN,
            payload=mode.value,
            content_sha256_header=True,
        ).signing_key,
        amz_date=request.get("X-Amz-Date") or "",
        scope=f"{b.WHEN:%Y%m%d}/{b.REGION}/s3/aws4_request",
        seed_signature=seed.rsplit("Signature=", 1)[1],
        decoded_length=GIB,
    )
    received = 0
    for _ in range(GIB // len(piece)):
        for framed in encoder.feed(piece):
            for data in decoder.feed(framed):
                received += len(data)
    for framed in encoder.finish():
        for data in decoder.feed(framed):
            received += len(data)
    decoder.finish()
    assert received == GIB


def _aggregate_1m() -> None:
    """KPL-aggregate 1,000,000 user records of 32 bytes, fed from a generator."""
    from awscore.kinesis import UserRecord, aggregate

    records = (
        UserRecord(partition_key=f"key-{i % 1000}", data=i.to_bytes(32, "big"))
        for i in range(1_000_000)
    )
    out = aggregate(records)
    total = sum(len(a.data) for a in out)
    print(json.dumps({"aggregates": len(out), "aggregate_bytes": total}))


MEMORY = {
    "chunked": (
        "aws-chunked sign + verify, 1 GiB stream (1 MiB pieces): peak RSS",
        _chunked_1gib,
        CHUNKED_RSS_BOUND_MIB,
    ),
    "aggregate": (
        "KPL aggregate 1,000,000 records of 32 B (kept in the result): peak RSS",
        _aggregate_1m,
        AGGREGATE_RSS_BOUND_MIB,
    ),
}


def _peak_rss_kib() -> int:
    """This process's peak RSS in KiB: ``VmHWM``, which starts afresh at exec.

    (``getrusage``'s ``ru_maxrss`` is not: a child keeps the peak of the parent
    it was forked from, here the whole benchmark run.)
    """
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux


def memory_child(name: str) -> None:
    """Run one memory workload here and print its peaks as JSON (last line).

    Peak RSS only: tracemalloc keeps a traceback per allocation, which on a
    million records costs more memory (and ten times the time) than the work.
    """
    # what the workload imports, imported before the baseline is read
    import awscore.kinesis
    import awscore.sigv4  # noqa: F401

    if name == "chunked":
        import bench_sigv4  # noqa: F401

    before = _peak_rss_kib()
    start = time.perf_counter()
    MEMORY[name][1]()
    seconds = time.perf_counter() - start
    peak = _peak_rss_kib()
    print(
        json.dumps(
            {"rss_before_kib": before, "rss_peak_kib": peak} | {"seconds": seconds}
        )
    )


def run_memory(log: Callable[[str], None] = print) -> Iterator[Measured]:
    for name, (operation, _, bound) in MEMORY.items():
        log(f"measuring memory: {name}")
        done = subprocess.run(  # noqa: S603 - our own interpreter and script
            [
                sys.executable,
                str(Path(__file__).with_name("report.py")),
                "--memory-child",
                name,
            ],
            cwd=ROOT,
            check=True,
            capture_output=True,
            text=True,
            env=os.environ | {"PYTHONPATH": _pythonpath()},
        )
        lines = done.stdout.strip().splitlines()
        info = json.loads(lines[-1])
        extra = " ".join(lines[:-1])
        peak_mib = info["rss_peak_kib"] / 1024
        yield Measured(
            operation,
            peak_mib,
            info["rss_before_kib"] / 1024,
            0.0,
            1,
            f"<= {bound} MiB",
            peak_mib <= bound,
            f"{info['seconds']:.1f} s; RSS after imports "
            f"{info['rss_before_kib'] / 1024:.0f} MiB"
            + (f"; {extra}" if extra else ""),
        )


def _pythonpath() -> str:
    parts = [str(ROOT / "src"), str(ROOT), str(ROOT / "benchmarks")]
    if os.environ.get("PYTHONPATH"):
        parts.append(os.environ["PYTHONPATH"])
    return os.pathsep.join(parts)


# --- the table ---------------------------------------------------------------


def machine() -> str:
    from conftest import PACKAGES, _cpu_model

    def version(name: str) -> str:
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            return "not installed"

    wanted = ("awscore", "awscrt", "botocore", "cryptography", "aws-kinesis-agg")
    packages = ", ".join(f"{n} {version(n)}" for n in PACKAGES if n in wanted)
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else "?"
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"],  # noqa: S607
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    return "\n".join(
        [
            f"- CPU: {_cpu_model()}, {cores} cores",
            f"- Python: {platform.python_implementation()} "
            f"{platform.python_version()} on {platform.system()} {platform.release()}",
            f"- Packages: {packages}",
            f"- Run: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, commit "
            f"{commit or '?'}, load average before the run {load}",
        ]
    )


def format_table(results: list[Measured]) -> str:
    lines = [
        "| operation | median | IQR | rounds | target | holds | notes |",
        "|---|---:|---:|---:|---|---|---|",
    ]
    for m in results:
        if m.target.endswith("MiB"):
            value, iqr = f"{m.median:.0f} MiB", "-"
        else:
            value, iqr = f"{m.median:.2f}x", f"{m.q1:.2f}-{m.q3:.2f}x"
        holds = {True: "yes", False: "**no**", None: "-"}[m.holds]
        lines.append(
            f"| {m.operation} | {value} | {iqr} | {m.rounds} | {m.target} "
            f"| {holds} | {m.note} |"
        )
    return "\n".join(lines)


def report(rounds: int, only: str | None, memory: bool) -> str:
    def log(text: str) -> None:
        print(text, file=sys.stderr, flush=True)

    stamp = machine()
    results = list(run_groups(rounds, only, log))
    if memory:
        results.extend(run_memory(log))
    return stamp + "\n\n" + format_table(results)
