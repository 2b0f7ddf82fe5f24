"""Auto Scaling: a day of simulation, and the cost of one scaling decision.

Workloads:

* **autoscaling-simulate-24h**: :func:`awscore.autoscaling.simulate` over 24 hours
  at 10-second steps (8,640 steps, a decision every minute) of a seeded spiky
  load, with three policies on one group: target tracking (50), a step scale-out
  policy (+20% / +60% above 60) and a step scale-in policy (-1 below 30). Reported
  as ``extra_info["steps_per_second"]``. The floor is the loop every simulator
  pays: per step, the per-instance metric from demand and capacity, and a mean
  per minute.
* **autoscaling-decision**: one decision of a ``ChangeInCapacity`` +2 policy on a
  group of 4 in [1, 10]: awscore's :func:`~awscore.autoscaling.evaluate`, moto's
  ``execute_policy`` through boto3 under ``moto.mock_aws`` (request
  serialization, the emulated service and ``DescribeAutoScalingGroups`` to read
  the result back are what a moto user pays per decision), and the floor: the
  clamped sum ``max(lo, min(hi, desired + 2))``. moto's number includes boto3's
  client stack; it is the cost of asking moto, not of moto's arithmetic alone.

* **autoscaling-fleet-24h**: the same day with a ``FleetConfig`` (three zones, the
  Default termination policy, us-east-1c down from 08:00 to 12:00): ``awscore``
  with the fleet against ``awscore-capacity`` (the same run with instances as
  capacity units), so the ratio is what placing and terminating real instances
  costs.
* **autoscaling-scale-in**: a group of 20 in three zones scaled in to 10:
  awscore's ``Fleet.with_desired(10).step`` (zone balance, Default policy, seeded
  draw) and moto's ``SetDesiredCapacity`` + ``DescribeAutoScalingGroups``
  through boto3 (moto removes the first ten of its list, see test_moto_fleet.py).

Implementations (``benchmark.extra_info["implementation"]``): ``floor``,
``awscore``, ``awscore-capacity``, ``moto``. Targets (reported, not asserted): a
day of simulation in well under a second; one awscore decision far below one moto
round trip.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from tests.autoscaling.moto_peer import create_group, moto_autoscaling

from awscore.autoscaling import (
    AdjustmentType,
    Alarm,
    ComparisonOperator,
    Fleet,
    FleetConfig,
    Group,
    LaunchSpec,
    Policy,
    SimpleScalingPolicy,
    StepAdjustment,
    StepScalingPolicy,
    TargetTrackingPolicy,
    ZoneEvent,
    evaluate,
    simulate,
)

DAY = 24 * 3600
STEP = 10
STEPS = DAY // STEP


def _load() -> list[float]:
    """A day of demand: a daily swell, noise, and 12 random spikes (seeded)."""
    rng = random.Random(20_260_101)  # noqa: S311 - reproducible load, not crypto
    spikes = [
        (
            rng.randrange(0, DAY - 3600),
            rng.randrange(300, 2400),
            rng.randrange(200, 1500),
        )
        for _ in range(12)
    ]
    out = []
    for k in range(STEPS):
        t = k * STEP
        swell = 300 + 200 * (1 - abs(t - DAY / 2) / (DAY / 2))
        extra = sum(e for s, length, e in spikes if s <= t < s + length)
        out.append(swell + extra + rng.uniform(-20, 20))
    return out


LOAD = _load()
GROUP = Group(min_size=2, max_size=60, desired_capacity=8)


def three_policies() -> list[Policy]:
    return [
        TargetTrackingPolicy(name="cpu50", target_value=50),
        StepScalingPolicy(
            name="step-out",
            adjustment_type=AdjustmentType.PERCENT_CHANGE_IN_CAPACITY,
            step_adjustments=(
                StepAdjustment(lower_bound=0, upper_bound=20, scaling_adjustment=20),
                StepAdjustment(lower_bound=20, upper_bound=None, scaling_adjustment=60),
            ),
            alarm=Alarm(name="high", threshold=60, evaluation_periods=2),
            min_adjustment_magnitude=1,
        ),
        StepScalingPolicy(
            name="step-in",
            adjustment_type=AdjustmentType.CHANGE_IN_CAPACITY,
            step_adjustments=(
                StepAdjustment(lower_bound=None, upper_bound=0, scaling_adjustment=-1),
            ),
            alarm=Alarm(
                name="low",
                threshold=30,
                comparison_operator=ComparisonOperator.LESS_THAN_THRESHOLD,
                evaluation_periods=5,
            ),
        ),
    ]


def floor_simulation(load: list[float]) -> Callable[[], Any]:
    per_minute = 60 // STEP

    def run() -> float:
        capacity = GROUP.desired_capacity
        window: list[float] = []
        last = 0.0
        for need in load:
            window.append(need / capacity)
            if len(window) == per_minute:
                last = sum(window) / per_minute
                window.clear()
        return last

    return run


@pytest.mark.parametrize("impl", ["floor", "awscore"])
def test_simulate_24h(benchmark: Any, impl: str) -> None:
    if impl == "floor":
        run = floor_simulation(LOAD)
    else:
        policies = three_policies()

        def run() -> Any:
            return simulate(GROUP, policies, LOAD, step=STEP, warmup=120)

        timeline = run()
        assert len(timeline.points) == STEPS
        benchmark.extra_info["activities"] = len(timeline.activities)
    benchmark.group = "autoscaling-simulate-24h"
    benchmark.extra_info["implementation"] = impl
    benchmark.extra_info["workload"] = (
        f"24 h at {STEP} s steps ({STEPS:,} steps), 3 policies"
    )
    benchmark.pedantic(run, rounds=3, iterations=1, warmup_rounds=0)
    if benchmark.stats is not None:  # None under --benchmark-disable
        benchmark.extra_info["steps_per_second"] = round(
            STEPS / benchmark.stats.stats.mean
        )


DECISION_GROUP = Group(min_size=1, max_size=10, desired_capacity=4)
ADD_TWO = SimpleScalingPolicy(
    name="add2",
    adjustment_type=AdjustmentType.CHANGE_IN_CAPACITY,
    scaling_adjustment=2,
    alarm=Alarm(name="add2", threshold=60),
)


@pytest.fixture(scope="module")
def moto_client() -> Iterator[Any]:
    with moto_autoscaling() as client:
        create_group(client, "g", min_size=1, max_size=10, desired=4)
        client.put_scaling_policy(
            AutoScalingGroupName="g",
            PolicyName="add2",
            PolicyType="SimpleScaling",
            AdjustmentType="ChangeInCapacity",
            ScalingAdjustment=2,
        )
        yield client


def test_decisions_agree(moto_client: Any) -> None:
    """The timed work is equivalent: 4 + 2 = 6 through every implementation."""
    moto_run = moto_decision(moto_client)
    assert moto_run() == 6
    assert evaluate(DECISION_GROUP, [ADD_TWO], 73, 0).desired_capacity == 6
    assert floor_decision() == 6


def floor_decision() -> int:
    lo, hi, desired = 1, 10, 4
    return max(lo, min(hi, desired + 2))


def moto_decision(client: Any) -> Callable[[], int]:
    def run() -> int:
        # put the group back to 4 first, so every round makes the same decision
        client.set_desired_capacity(AutoScalingGroupName="g", DesiredCapacity=4)
        client.execute_policy(AutoScalingGroupName="g", PolicyName="add2")
        found = client.describe_auto_scaling_groups(AutoScalingGroupNames=["g"])
        desired: int = found["AutoScalingGroups"][0]["DesiredCapacity"]
        return desired

    return run


@pytest.mark.parametrize("impl", ["floor", "awscore", "moto"])
def test_decision(benchmark: Any, impl: str, request: pytest.FixtureRequest) -> None:
    benchmark.group = "autoscaling-decision"
    benchmark.extra_info["implementation"] = impl
    benchmark.extra_info["workload"] = "ChangeInCapacity +2 on 4 in [1, 10]"
    if impl == "floor":
        benchmark(floor_decision)
    elif impl == "awscore":
        benchmark(lambda: evaluate(DECISION_GROUP, [ADD_TWO], 73, 0))
    else:
        client = request.getfixturevalue("moto_client")
        benchmark.extra_info["note"] = (
            "includes set_desired_capacity and describe_auto_scaling_groups"
        )
        benchmark.pedantic(moto_decision(client), rounds=50, iterations=1)


ZONES = ("us-east-1a", "us-east-1b", "us-east-1c")
FLEET = FleetConfig(
    availability_zones=ZONES,
    min_size=0,
    max_size=60,
    launch=LaunchSpec(launch_template="web", version=1),
)
OUTAGE = [
    ZoneEvent(time=8 * 3600, zone="us-east-1c", outage=True),
    ZoneEvent(time=12 * 3600, zone="us-east-1c", outage=False),
]


@pytest.mark.parametrize("impl", ["awscore-capacity", "awscore"])
def test_fleet_24h(benchmark: Any, impl: str) -> None:
    policies = three_policies()
    extra: dict[str, Any] = (
        {"fleet": FLEET, "zone_events": OUTAGE, "seed": 1} if impl == "awscore" else {}
    )

    def run() -> Any:
        return simulate(GROUP, policies, LOAD, step=STEP, warmup=120, **extra)

    timeline = run()
    assert len(timeline.points) == STEPS
    benchmark.group = "autoscaling-fleet-24h"
    benchmark.extra_info["implementation"] = impl
    benchmark.extra_info["workload"] = "24 h, 3 policies, 3 zones, a 4 h outage"
    benchmark.extra_info["fleet_events"] = len(timeline.fleet_events)
    benchmark.pedantic(run, rounds=3, iterations=1, warmup_rounds=0)


@pytest.fixture(scope="module")
def moto_fleet() -> Iterator[Any]:
    with moto_autoscaling() as client:
        client.create_auto_scaling_group(
            AutoScalingGroupName="f",
            LaunchConfigurationName="lc",
            MinSize=0,
            MaxSize=40,
            DesiredCapacity=20,
            AvailabilityZones=list(ZONES),
        )
        yield client


@pytest.mark.parametrize("impl", ["awscore", "moto"])
def test_scale_in(benchmark: Any, impl: str, request: pytest.FixtureRequest) -> None:
    benchmark.group = "autoscaling-scale-in"
    benchmark.extra_info["implementation"] = impl
    benchmark.extra_info["workload"] = "20 instances in 3 zones scaled in to 10"
    if impl == "awscore":
        fleet = Fleet.start(FLEET, 20, seed=3)

        def run() -> int:
            return len(fleet.with_desired(10).step(600).fleet.live())

    else:
        client = request.getfixturevalue("moto_fleet")

        def run() -> int:
            client.set_desired_capacity(AutoScalingGroupName="f", DesiredCapacity=20)
            client.set_desired_capacity(AutoScalingGroupName="f", DesiredCapacity=10)
            found = client.describe_auto_scaling_groups(AutoScalingGroupNames=["f"])
            return len(found["AutoScalingGroups"][0]["Instances"])

    assert run() == 10
    benchmark.pedantic(run, rounds=20, iterations=1, warmup_rounds=1)
