"""Replay a group's real metric history through its real policies.

``awscore autoscaling replay`` answers "what would these policies have done":
the metric history (``get-metric-data`` / ``get-metric-statistics``) is taken as
the load the group saw, and the group, its fleet and its policies run over it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from awscore.autoscaling._alarm import _is_int, brief
from awscore.autoscaling._aws_json import AwsGroup
from awscore.autoscaling._fleet import MAX_FLEET_SIZE
from awscore.autoscaling._model import Policy
from awscore.autoscaling._schedule import ScheduledAction
from awscore.autoscaling._simulate import MAX_STEPS, Timeline, simulate
from awscore.errors import AutoScalingInputError

__all__ = ["metric_load", "replay"]

#: The largest datapoint time accepted (seconds from the epoch, about 285
#: million years): past it, a time is no clock's and its step count is absurd.
_MAX_TIME = 2**53


def _check_metrics(metrics: object, problems: list[str]) -> None:
    """Problems with a metric history: (time, value) pairs in time order."""
    if isinstance(metrics, str | bytes) or not isinstance(metrics, Sequence):
        problems.append(
            f"metrics={brief(metrics)} must be a sequence of (time, value) pairs"
        )
        return
    if not metrics:
        problems.append("the metric history holds no datapoint")
        return
    previous: int | None = None
    for i, pair in enumerate(metrics):
        ok = (
            isinstance(pair, tuple | list)
            and len(pair) == 2
            and _is_int(pair[0])
            and abs(pair[0]) <= _MAX_TIME
            and not isinstance(pair[1], bool)
            and isinstance(pair[1], int | float)
            and math.isfinite(pair[1])
        )
        if not ok:
            problems.append(
                f"metrics[{i}]={brief(pair)} must be a (time in whole seconds, "
                "finite number) pair"
            )
            return
        if previous is not None and pair[0] < previous:
            problems.append(
                f"metrics[{i}] time {pair[0]} is before the one before it "
                f"({previous}): datapoints must be in time order"
            )
            return
        previous = pair[0]


def metric_load(
    metrics: Sequence[tuple[int, float]], capacity: int, *, step: int = 60
) -> tuple[int, list[float]]:
    """The demand trace a metric history implies: ``(start, one value per step)``.

    The metric (say average CPU %) is taken as observed at ``capacity``
    instances, so the demand is ``metric x capacity``: awscore's reading, since
    the history does not say how many instances served it (give
    GroupInServiceInstances-shaped data through ``simulate`` if you have it).
    Each datapoint holds until the next one; at most :data:`MAX_STEPS` steps.
    """
    problems: list[str] = []
    _check_metrics(metrics, problems)
    if not _is_int(step) or not 1 <= step <= 86_400:
        problems.append(
            f"step={brief(step)} must be a whole number of seconds in 1..86400"
        )
    if not _is_int(capacity) or not 1 <= capacity <= MAX_FLEET_SIZE:
        problems.append(
            f"capacity={brief(capacity)} must be a whole number in "
            f"1..{MAX_FLEET_SIZE} (the group's desired capacity)"
        )
    if problems:
        raise AutoScalingInputError(problems)
    start = metrics[0][0] - metrics[0][0] % step
    end = metrics[-1][0]
    count = (end - start) // step + 1
    if count > MAX_STEPS:
        raise AutoScalingInputError(
            [f"the metric history spans {count} steps of {step} s: at most {MAX_STEPS}"]
        )
    load: list[float] = []
    index = 0
    for k in range(count):
        t = start + k * step
        while index + 1 < len(metrics) and metrics[index + 1][0] <= t:
            index += 1
        load.append(max(0.0, metrics[index][1]) * capacity)
    return start, load


def replay(
    group: AwsGroup,
    policies: Sequence[Policy],
    metrics: Sequence[tuple[int, float]],
    *,
    scheduled_actions: Sequence[ScheduledAction] = (),
    seed: int = 0,
    launch_delay: int = 60,
    warmup: int | None = None,
) -> Timeline:
    """Run ``group`` (with its instances and fleet settings) and ``policies``
    over ``metrics``, one-minute steps, decisions every minute.

    Deterministic for a seed. Raises
    :class:`~awscore.errors.AutoScalingInputError` listing every problem.
    """
    if not isinstance(group, AwsGroup):
        raise AutoScalingInputError(
            [f"group={brief(group)} is not a group read from AWS"]
        )
    start, load = metric_load(metrics, max(1, group.group.desired_capacity))
    return simulate(
        group.group,
        policies,
        load,
        step=60,
        decision_interval=60,
        launch_delay=launch_delay,
        warmup=warmup,
        start=start,
        fleet=group.fleet,
        instances=group.instances,
        scheduled_actions=scheduled_actions,
        seed=seed,
    )
