"""Hypothesis strategies for Lambda event source mappings on Kinesis streams."""

from __future__ import annotations

from hypothesis import strategies as st

from awscore.kinesis import EventSourceMapping, Write

__all__ = ["mappings", "writes"]

_KEYS = ("alpha", "bravo", "charlie", "delta", "echo", "foxtrot")


@st.composite
def writes(draw: st.DrawFn, *, max_size: int = 40) -> list[Write]:
    """Writes over a minute from a handful of keys, with small payloads."""
    count = draw(st.integers(0, max_size))
    times = sorted(
        draw(st.lists(st.integers(0, 60_000), min_size=count, max_size=count))
    )
    return [
        Write(
            time=millis / 1000,
            partition_key=draw(st.sampled_from(_KEYS)),
            data=draw(st.binary(max_size=16)),
        )
        for millis in times
    ]


@st.composite
def mappings(draw: st.DrawFn, *, bounded_retries: bool = True) -> EventSourceMapping:
    """Mappings with every failure-handling switch drawn; retries bounded if asked."""
    retries = draw(st.integers(0, 3)) if bounded_retries else -1
    return EventSourceMapping(
        batch_size=draw(st.integers(1, 12)),
        maximum_batching_window=draw(st.sampled_from((0, 0, 1, 5))),
        parallelization_factor=draw(st.integers(1, 4)),
        function_response_types=draw(
            st.sampled_from(((), ("ReportBatchItemFailures",)))
        ),
        bisect_batch_on_function_error=draw(st.booleans()),
        maximum_retry_attempts=retries,
        destination_on_failure=draw(
            st.sampled_from((None, "arn:aws:sqs:us-east-1:123456789012:dlq"))
        ),
    )
