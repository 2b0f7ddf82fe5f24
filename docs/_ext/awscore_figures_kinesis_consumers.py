"""The Kinesis consumer figure: one poison record under three failure settings.

Written into ``docs/_generated/`` when the docs are built, from
:func:`awscore.kinesis.simulate_consumer`: each row is a run of the same writes
(one shard, a poison record among 60) with whole-batch retries, with
BisectBatchOnFunctionError, and with ReportBatchItemFailures; each bar is an
invocation (green success, amber partial, red error) and the line under it is
the shard's IteratorAge at each invocation.
"""

from __future__ import annotations

from pathlib import Path

from sphinx.application import Sphinx

from awscore.kinesis import (
    ConsumerRun,
    EventSourceMapping,
    Stream,
    Write,
    failing_handler,
    simulate_consumer,
)

_COLOURS = {"success": "#59a14f", "partial": "#edc948", "error": "#e15759"}
_POISON = b"poison"


def poison_runs() -> list[tuple[str, ConsumerRun]]:
    """The three runs the figure draws, from the same 60 writes."""
    writes = [
        Write(
            time=i * 0.5,
            partition_key=f"user-{i % 6}",
            data=_POISON if i == 22 else f"event-{i}".encode(),
        )
        for i in range(60)
    ]
    common = {
        "batch_size": 10,
        "maximum_batching_window": 2,
        "maximum_retry_attempts": 3,
    }
    settings = [
        ("whole-batch retries (MaximumRetryAttempts 3)", EventSourceMapping(**common)),
        (
            "BisectBatchOnFunctionError",
            EventSourceMapping(bisect_batch_on_function_error=True, **common),
        ),
        (
            "ReportBatchItemFailures",
            EventSourceMapping(
                function_response_types=("ReportBatchItemFailures",), **common
            ),
        ),
    ]
    runs = []
    for label, mapping in settings:
        handler = failing_handler(
            lambda r: r["kinesis"]["data"] == "cG9pc29u",  # type: ignore[index]
            report_failures=mapping.reports_batch_item_failures,
        )
        runs.append(
            (
                label,
                simulate_consumer(
                    Stream.create(1), writes, mapping, handler, duration=1.5
                ),
            )
        )
    return runs


def consumer_timeline_svg() -> str:
    """Invocations and IteratorAge over time for each run of :func:`poison_runs`."""
    runs = poison_runs()
    end = max(i.end for _, run in runs for i in run.invocations)
    worst = max(i.iterator_age_ms for _, run in runs for i in run.invocations)
    width, left, right = 820, 20, 20
    row_height = 130
    span = width - left - right

    def x(time: float) -> float:
        return left + span * time / end

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" '
        f'height="{row_height * len(runs) + 30}" font-family="sans-serif" '
        'font-size="12">'
    ]
    for n, (label, run) in enumerate(runs):
        top = n * row_height + 10
        discarded = sum(len(d.records) for d in run.discarded)
        parts.append(
            f'<text x="{left}" y="{top + 12}" font-weight="bold">{label}: '
            f"{len(run.invocations)} invocations, {discarded} record(s) "
            "discarded</text>"
        )
        for invocation in run.invocations:
            x0, x1 = x(invocation.time), x(invocation.end)
            parts.append(
                f'<rect x="{x0:.1f}" y="{top + 20}" width="{max(x1 - x0, 1.5):.1f}" '
                f'height="22" fill="{_COLOURS[invocation.outcome]}" '
                'stroke="white" stroke-width="0.5"/>'
            )
        base = top + 110
        points = " ".join(
            f"{x(i.time):.1f},{base - 55 * i.iterator_age_ms / worst:.1f}"
            for i in run.invocations
        )
        parts.append(
            f'<line x1="{left}" y1="{base}" x2="{width - right}" y2="{base}" '
            'stroke="#bbb"/>'
        )
        parts.append(
            f'<polyline points="{points}" fill="none" stroke="#4e79a7" '
            'stroke-width="1.5"/>'
        )
        parts.append(
            f'<text x="{width - right}" y="{base - 44}" text-anchor="end" '
            f'fill="#4e79a7">IteratorAge (peak {worst / 1000:.1f} s scale)</text>'
        )
    axis = row_height * len(runs) + 22
    for second in range(0, int(end) + 1, 10):
        parts.append(
            f'<text x="{x(second):.1f}" y="{axis}" text-anchor="middle" '
            f'fill="#555">{second} s</text>'
        )
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def _generate(app: Sphinx) -> None:
    out = Path(app.srcdir) / "_generated"
    out.mkdir(exist_ok=True)
    (out / "kinesis-consumer-poison.svg").write_text(
        consumer_timeline_svg(), encoding="utf-8"
    )


def setup(app: Sphinx) -> dict[str, object]:
    app.connect("builder-inited", _generate)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
