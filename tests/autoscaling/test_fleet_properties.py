"""Property tests of the fleet: each docstring states the rule it enforces."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from awscore.autoscaling import (
    AutoScalingInputError,
    Fleet,
    FleetConfig,
    HealthCheckType,
    LifecycleState,
    Market,
    TerminationPolicy,
    choose_victim,
    read_alarms,
    read_groups,
    read_metrics,
    read_policies,
    replay,
    split_capacity,
)
from tests.strategies.autoscaling import fleet_configs, fleet_operations

DATA = Path(__file__).parent / "data"


def _apply(fleet: Fleet, operations: list[tuple[str, int]], *, protect: bool) -> Fleet:
    """Run the operations, a step of 60 s after each; bad ones are skipped."""
    now = 0
    zones = fleet.config.availability_zones
    for kind, value in operations:
        now += 60
        if kind == "desired":
            fleet = fleet.with_desired(min(value, fleet.config.max_size))
        elif kind == "outage":
            fleet = fleet.zone_outage(zones[value % len(zones)])
        elif kind == "recover":
            fleet = fleet.zone_recovery(zones[value % len(zones)])
        elif fleet.live():
            target = fleet.live()[value % len(fleet.live())]
            if kind == "unhealthy":
                fleet = fleet.report_health(
                    target.instance_id,
                    HealthCheckType.EC2,
                    healthy=False,
                    now=now + 999,
                ).fleet
            elif protect:
                fleet = fleet.set_protection([target.instance_id], protected=True)
        fleet = fleet.step(now).fleet
    return fleet


def _settle(fleet: Fleet, now: int = 10_000) -> Fleet:
    """Recover every zone and step until nothing happens (bounded)."""
    for zone in fleet.config.availability_zones:
        fleet = fleet.zone_recovery(zone)
    for k in range(200):
        moved = fleet.step(now + 60 * k)
        fleet = moved.fleet
        busy = any(
            i.for_rebalance or i.lifecycle_state != LifecycleState.IN_SERVICE
            for i in fleet.live()
        )
        if not moved.events and not busy:
            break
    return fleet


@settings(max_examples=150)
@given(fleet_configs(), st.integers(0, 24), fleet_operations)
def test_zones_balanced_after_launches_settle(
    config: FleetConfig, desired: int, operations: list[tuple[str, int]]
) -> None:
    """Instance distribution: once launches settle (no zone impaired, no instance
    protected), the zones' instance counts differ by at most one."""
    fleet = Fleet.start(config, min(desired, config.max_size), seed=1)
    fleet = _settle(_apply(fleet, operations, protect=False))
    counts = fleet.by_zone().values()
    assert max(counts) - min(counts) <= 1, fleet.by_zone()
    assert fleet.capacity() >= fleet.desired_capacity


@settings(max_examples=150)
@given(fleet_configs(mixed=True), st.integers(0, 24), fleet_operations)
def test_on_demand_never_below_the_base(
    config: FleetConfig, desired: int, operations: list[tuple[str, int]]
) -> None:
    """OnDemandBaseCapacity: once launches settle, the On-Demand capacity is at
    least the base (or the whole desired capacity, if smaller), and at least
    what the split asks for."""
    assert config.mixed_instances_policy is not None
    distribution = config.mixed_instances_policy.distribution
    fleet = Fleet.start(config, min(desired, config.max_size), seed=2)
    fleet = _settle(_apply(fleet, operations, protect=False))
    on_demand = sum(
        i.weighted_capacity for i in fleet.live() if i.market == Market.ON_DEMAND
    )
    base = min(distribution.on_demand_base_capacity, fleet.desired_capacity)
    assert on_demand >= base
    assert on_demand >= split_capacity(fleet.desired_capacity, distribution)[0]


@settings(max_examples=150)
@given(fleet_configs(), st.integers(0, 24), fleet_operations)
def test_termination_never_picks_a_protected_instance(
    config: FleetConfig, desired: int, operations: list[tuple[str, int]]
) -> None:
    """Scale-in protection: no scale-in or rebalancing termination ever picks a
    protected instance (an unhealthy one is still replaced, as AWS does)."""
    fleet = Fleet.start(config, min(desired, config.max_size), seed=3)
    fleet = _apply(fleet, operations, protect=True)
    protected = {i.instance_id for i in fleet.instances if i.protected_from_scale_in}
    shrunk = fleet.with_desired(0).step(99_999)
    for event in shrunk.events:
        if event.kind == "terminate":
            assert event.instance_id not in protected
    assert {i.instance_id for i in shrunk.fleet.live()} == protected
    victim, _ = choose_victim(
        [i for i in fleet.instances if i.instance_id in protected],
        policies=tuple(TerminationPolicy),
        current=config.launch,
        mixed=None,
        now=0,
        seed=0,
        draw_index=0,
    )
    assert victim is None


def _bad_calls(fleet: Fleet) -> list[tuple[str, object]]:
    zone = fleet.config.availability_zones[0]
    first = fleet.instances[0].instance_id if fleet.instances else "i-none"
    return [
        ("with_desired", lambda: fleet.with_desired(fleet.config.max_size + 1)),
        ("with_desired", lambda: fleet.with_desired("3")),  # type: ignore[arg-type]
        ("zone_outage", lambda: fleet.zone_outage("mars-1a")),
        ("step", lambda: fleet.step(2**60)),
        (
            "report_health",
            lambda: fleet.report_health(
                "i-nope", HealthCheckType.EC2, healthy=False, now=0
            ),
        ),
        (
            "report_health",
            lambda: fleet.report_health(first, "ALB", healthy=False, now=0),  # type: ignore[arg-type]
        ),
        ("complete", lambda: fleet.complete_lifecycle_action(first, "MAYBE", now=0)),  # type: ignore[arg-type]
        ("protect", lambda: fleet.set_protection([first, "i-nope"], protected=True)),
        ("zone_recovery", lambda: fleet.zone_recovery(zone + "x")),
    ]


@settings(max_examples=100)
@given(fleet_configs(), st.integers(0, 24), fleet_operations, st.data())
def test_a_rejected_input_changes_no_fleet_state(
    config: FleetConfig,
    desired: int,
    operations: list[tuple[str, int]],
    data: st.DataObject,
) -> None:
    """A rejected input changes no state: the fleet after a refused call equals
    a deep copy taken before it, and it raises AutoScalingInputError."""
    fleet = _apply(
        Fleet.start(config, min(desired, config.max_size)), operations, protect=True
    )
    before = copy.deepcopy(fleet)
    name, call = data.draw(st.sampled_from(_bad_calls(fleet)))
    with pytest.raises(AutoScalingInputError):
        call()  # type: ignore[operator]
    assert fleet == before, name


def _day() -> tuple[object, list[object], list[tuple[int, float]]]:
    group = read_groups(json.loads((DATA / "asg.json").read_text()))[0]
    alarms = read_alarms(json.loads((DATA / "alarms.json").read_text()))
    policies = read_policies(
        json.loads((DATA / "policies.json").read_text()), alarms=alarms
    )
    metrics = read_metrics(json.loads((DATA / "metrics.json").read_text()))
    return group, policies, metrics  # type: ignore[return-value]


@settings(max_examples=8, deadline=None)
@given(st.integers(0, 2**32), st.floats(0.5, 1.5))
def test_replay_is_deterministic_for_a_seed(seed: int, scale: float) -> None:
    """A replayed day of real-shaped metrics is deterministic for a seed: the
    same inputs and seed give the same timeline, activities and fleet events."""
    group, policies, metrics = _day()
    scaled = [(t, v * scale) for t, v in metrics]
    first = replay(group, policies, scaled, seed=seed)  # type: ignore[arg-type]
    second = replay(group, policies, scaled, seed=seed)  # type: ignore[arg-type]
    assert first == second
    assert first.as_dict() == second.as_dict()
