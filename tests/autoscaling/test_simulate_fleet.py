"""simulate with a fleet, zone events and scheduled actions; scenario documents
with Fleet, ZoneEvents and ScheduledActions; the checks on each."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from awscore.autoscaling import (
    AutoScalingInputError,
    DefaultResult,
    FleetConfig,
    Group,
    LaunchSpec,
    LifecycleHook,
    LifecycleTransition,
    ScheduledAction,
    TargetTrackingPolicy,
    ZoneEvent,
    parse_scenario,
    simulate,
    spiky_load,
)

ZONES = ("a", "b", "c")
FLEET = FleetConfig(
    availability_zones=ZONES,
    min_size=0,
    max_size=9,
    launch=LaunchSpec(launch_template="web", version=1),
)


def test_outage_drives_the_policy_and_the_fleet() -> None:
    """Losing a zone drops the in-service capacity, the metric rises, target
    tracking scales out while replacements launch elsewhere; after recovery the
    zones rebalance."""
    group = Group(min_size=3, max_size=9, desired_capacity=3)
    timeline = simulate(
        group,
        [TargetTrackingPolicy(target_value=60)],
        [150.0] * 360,
        step=10,
        warmup=60,
        fleet=FLEET,
        zone_events=[
            ZoneEvent(time=600, zone="c", outage=True),
            ZoneEvent(time=2400, zone="c", outage=False),
        ],
        seed=4,
    )
    at = {p.time: p for p in timeline.points}
    assert dict(at[0].zones) == {"a": 1, "b": 1, "c": 1}
    assert at[600].in_service == 2  # c's instance is gone, its replacement pending
    assert dict(at[1200].zones)["c"] == 0
    counts = dict(timeline.points[-1].zones).values()
    assert max(counts) - min(counts) <= 1
    kinds = {e.kind for e in timeline.fleet_events}
    assert {"launch", "terminate", "in-service"} <= kinds
    assert timeline.as_dict()["points"][0]["zones"] == {"a": 1, "b": 1, "c": 1}  # type: ignore[index]


def test_scheduled_actions_in_a_run() -> None:
    """A scheduled action raising MinSize grows the group at its time (a Unix
    start), and one lowering MaxSize holds the desired capacity under it."""
    start = int(dt.datetime(2026, 12, 1, 8, 0, tzinfo=dt.UTC).timestamp())
    up = ScheduledAction(
        name="up",
        start_time=dt.datetime(2026, 12, 1, 8, 10, tzinfo=dt.UTC),
        min_size=5,
        max_size=8,
    )
    down = ScheduledAction(
        name="down",
        recurrence="30 8 * * *",
        max_size=2,
        min_size=1,
    )
    timeline = simulate(
        Group(min_size=1, max_size=9, desired_capacity=2),
        [],
        [10.0] * 300,
        step=10,
        start=start,
        fleet=FLEET,
        scheduled_actions=[up, down],
    )
    by_time = {p.time - start: p for p in timeline.points}
    assert by_time[590].desired == 2
    assert by_time[600].desired == 5
    assert by_time[1800].desired == 2
    assert [a.policy for a in timeline.activities] == ["up", "down"]
    plain = simulate(
        Group(min_size=1, max_size=9, desired_capacity=2),
        [],
        [10.0] * 100,
        start=start,
        scheduled_actions=[
            ScheduledAction(
                name="d",
                start_time=dt.datetime(2026, 12, 1, 8, 5, tzinfo=dt.UTC),
                desired_capacity=4,
            )
        ],
    )
    assert plain.points[-1].desired == 4


def test_a_launch_hook_holds_instances_pending_in_a_run() -> None:
    hook = LifecycleHook(
        name="boot",
        transition=LifecycleTransition.LAUNCHING,
        heartbeat_timeout=300,
        default_result=DefaultResult.CONTINUE,
    )
    config = FleetConfig(
        availability_zones=ZONES,
        min_size=0,
        max_size=9,
        launch=LaunchSpec(launch_template="web", version=1),
        lifecycle_hooks=(hook,),
    )
    timeline = simulate(
        Group(min_size=1, max_size=9, desired_capacity=1),
        [TargetTrackingPolicy(target_value=50)],
        [200.0] * 120,
        fleet=config,
        warmup=0,
    )
    launched = next(p for p in timeline.points if p.desired > 1)
    later = [p for p in timeline.points if p.time < launched.time + 300]
    assert all(p.pending == p.desired - 1 for p in later[-3:])


@pytest.mark.parametrize(
    ("changes", "fragment"),
    [
        ({"fleet": "x"}, "fleet='x' is not a FleetConfig"),
        ({"zone_events": "c"}, "zone_events must be a sequence of zone event values"),
        ({"zone_events": [1]}, "zone_events must hold only zone event values"),
        (
            {"scheduled_actions": [None] * 10_001},
            "scheduled_actions has 10001 entries: at most 10000",
        ),
        (
            {"fleet": None, "zone_events": [ZoneEvent(time=0, zone="a", outage=True)]},
            "zone_events need a fleet to act on",
        ),
        ({"seed": 2**64}, "seed=18446744073709551616 must be an integer"),
        ({"instances": "abc"}, "instances must be a sequence of Instance values"),
        ({"fleet": None, "instances": [1]}, "instances need a fleet to belong to"),
        ({"instances": [1]}, "instances must hold only Instance values"),
    ],
)
def test_simulate_extras_are_checked(changes: dict[str, Any], fragment: str) -> None:
    settings: dict[str, Any] = {"fleet": FLEET}
    settings.update(changes)
    with pytest.raises(AutoScalingInputError) as caught:
        simulate(Group(1, 5, 1), [], [1.0], **settings)
    assert any(fragment in p for p in caught.value.problems), caught.value.problems


def test_load_and_spike_bounds() -> None:
    with pytest.raises(AutoScalingInputError, match="load has 604801 values"):
        simulate(Group(1, 5, 1), [], [1.0] * 604_801)
    with pytest.raises(AutoScalingInputError, match="spikes must be a sequence"):
        spiky_load(duration=60, step=10, base=1, spikes="x")  # type: ignore[arg-type]
    with pytest.raises(AutoScalingInputError, match="10001 spikes: at most 10000"):
        spiky_load(duration=60, step=10, base=1, spikes=[(0, 1, 1)] * 10_001)
    assert spiky_load(duration=30, step=10, base=1, spikes=[(10, 10, 2)]) == [1, 3, 1]


SCENARIO: dict[str, Any] = {
    "Group": {"MinSize": 1, "MaxSize": 6, "DesiredCapacity": 3},
    "Policies": [],
    "Load": [10, 10, 10, 10, 10, 10],
}


def test_scenario_with_fleet_events_and_schedule() -> None:
    scenario = parse_scenario(
        {
            **SCENARIO,
            "Fleet": {
                "AvailabilityZones": ["a", "b"],
                "TerminationPolicies": ["OldestInstance"],
                "LaunchConfigurationName": "lc",
            },
            "ZoneEvents": [{"Time": 20, "Zone": "b", "Outage": True}],
            "ScheduledActions": [
                {
                    "ScheduledActionName": "later",
                    "StartTime": "1970-01-01T00:00:30Z",
                    "DesiredCapacity": 2,
                }
            ],
            "Seed": 9,
            "Start": 0,
        }
    )
    assert scenario.fleet is not None
    assert scenario.fleet.launch.launch_configuration == "lc"
    timeline = scenario.run()
    assert dict(timeline.points[-1].zones) == {"a": 2, "b": 0}


@pytest.mark.parametrize(
    ("changes", "fragment"),
    [
        ({"Fleet": {"Zones": ["a"]}}, "Fleet has an unknown key 'Zones'"),
        ({"Fleet": {"AvailabilityZones": "a"}}, "AvailabilityZones: must be a list"),
        ({"ZoneEvents": {}}, "ZoneEvents must be a list of at most 10000 events"),
        ({"ZoneEvents": [{"Time": 1}]}, "ZoneEvents[0] is missing 'Zone'"),
        (
            {"ZoneEvents": [{"Time": "1", "Zone": "a", "Outage": True}]},
            "ZoneEvents[0] Time='1' must be a whole number",
        ),
        (
            {"ZoneEvents": [{"Time": 1, "Zone": "a", "Outage": "yes"}]},
            "Zone must be a zone name and Outage true or false",
        ),
        ({"ScheduledActions": {}}, "ScheduledActions must be a list"),
        (
            {"ScheduledActions": [{"Name": "x"}]},
            "ScheduledActions[0] has an unknown key 'Name'",
        ),
        (
            {"ScheduledActions": [{"ScheduledActionName": "x", "MinSize": 1}]},
            "neither Recurrence nor StartTime",
        ),
    ],
)
def test_scenario_extras_are_checked(changes: dict[str, Any], fragment: str) -> None:
    with pytest.raises(AutoScalingInputError) as caught:
        parse_scenario({**SCENARIO, **changes})
    assert any(fragment in p for p in caught.value.problems), caught.value.problems
