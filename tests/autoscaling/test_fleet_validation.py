"""Every field of the fleet's values refuses what AWS's API refuses, naming the
field (CreateAutoScalingGroup, Instance, MixedInstancesPolicy, SetDesiredCapacity,
SetInstanceProtection, CompleteLifecycleAction)."""

from __future__ import annotations

from typing import Any

import pytest

from awscore.autoscaling import (
    AutoScalingInputError,
    DefaultResult,
    Fleet,
    FleetConfig,
    HealthCheckType,
    Instance,
    InstancesDistribution,
    LaunchSpec,
    LifecycleHook,
    LifecycleState,
    LifecycleTransition,
    MixedInstancesPolicy,
    Pool,
    ScheduledAction,
    parse_cron,
)

WEB = LaunchSpec(launch_template="web", version=1)
HOOK = LifecycleHook(name="h", transition=LifecycleTransition.LAUNCHING)


def _config(**changes: Any) -> FleetConfig:
    fields: dict[str, Any] = {
        "availability_zones": ("a", "b"),
        "min_size": 0,
        "max_size": 4,
        "launch": WEB,
    }
    fields.update(changes)
    return FleetConfig(**fields)


def _pool(zone: str = "a", **changes: Any) -> Pool:
    fields: dict[str, Any] = {"instance_type": "m5.large", "availability_zone": zone}
    fields.update(changes)
    return Pool(**fields)


@pytest.mark.parametrize(
    ("changes", "fragment"),
    [
        ({"availability_zones": ()}, "must be 1..64 distinct zone names"),
        ({"availability_zones": ("a", "a")}, "must be 1..64 distinct zone names"),
        ({"min_size": -1}, "min_size=-1 must be an integer in [0, 10000]"),
        ({"max_size": True}, "max_size=True must be an integer"),
        ({"min_size": 3, "max_size": 2}, "MinSize=3 is above MaxSize=2"),
        ({"launch": "web"}, "launch='web' is not a LaunchSpec"),
        ({"mixed_instances_policy": 5}, "mixed_instances_policy is not one"),
        (
            {
                "mixed_instances_policy": MixedInstancesPolicy(
                    distribution=InstancesDistribution(), pools=(_pool("a"),)
                )
            },
            "has no pool in zone(s) ['b']",
        ),
        ({"health_check_type": "TCP"}, "HealthCheckType='TCP' is not one of EC2, ELB"),
        ({"health_check_grace_period": -1}, "health_check_grace_period=-1 must be"),
        ({"launch_delay": 2**31}, "launch_delay=2147483648 must be"),
        ({"lifecycle_hooks": ("hook",)}, "lifecycle_hooks must be LifecycleHook"),
        ({"lifecycle_hooks": (HOOK,) * 51}, "51 lifecycle hooks: at most 50"),
        ({"new_instances_protected_from_scale_in": 1}, "must be true or false"),
        ({"termination_policies": ()}, "must be a non-empty list of policies"),
        ({"termination_policies": "Default"}, "must be a non-empty list of policies"),
        ({"termination_policies": ("Default", "Default")}, "repeats a policy"),
        ({"termination_policies": ("Youngest",)}, "entry 'Youngest' is not one of"),
    ],
)
def test_fleet_config_fields(changes: dict[str, Any], fragment: str) -> None:
    with pytest.raises(AutoScalingInputError) as caught:
        _config(**changes)
    assert any(fragment in p for p in caught.value.problems), caught.value.problems


def _instance(**changes: Any) -> Instance:
    fields: dict[str, Any] = {
        "instance_id": "i-1",
        "availability_zone": "a",
        "launch": WEB,
        "launch_time": 0,
    }
    fields.update(changes)
    return Instance(**fields)


@pytest.mark.parametrize(
    ("build", "fragment"),
    [
        (LaunchSpec, "exactly one of launch_template and launch_config"),
        (
            lambda: LaunchSpec(
                launch_template="a", launch_configuration="b", version=1
            ),
            "exactly one",
        ),
        (lambda: LaunchSpec(launch_template="web", version=0), "Version=0 must be"),
        (lambda: LaunchSpec(launch_template="x" * 256, version=1), "1..255 characters"),
        (
            lambda: LaunchSpec(launch_configuration="lc", version=2),
            "a launch configuration has no Version",
        ),
        (
            lambda: LaunchSpec(launch_configuration="lc", created=2**60),
            "within +-2**53",
        ),
        (lambda: _instance(launch="web"), "launch='web' is not a LaunchSpec"),
        (lambda: _instance(launch_time=1.5), "launch_time=1.5 must be a whole number"),
        (lambda: _instance(in_service_since="0"), "in_service_since='0' must be"),
        (lambda: _instance(weighted_capacity=1000), "WeightedCapacity=1000 must be"),
        (lambda: _instance(market="reserved"), "market='reserved' is not one of"),
        (lambda: _instance(lifecycle_state="Standby"), "lifecycle_state='Standby'"),
        (lambda: _instance(health_status="Sick"), "health_status='Sick' is not one"),
        (lambda: _instance(protected_from_scale_in=0), "must be true or false"),
        (lambda: _pool(instance_type=""), "instance_type='' must be 1..255"),
        (lambda: _pool(weighted_capacity=0), "weighted_capacity=0 must be"),
        (lambda: _pool(spot_price=float("inf")), "spot_price=inf must be a price"),
        (lambda: _pool(on_demand_price="1"), "on_demand_price='1' must be a price"),
        (lambda: _pool(spot_capacity=-1), "spot_capacity=-1 must be an integer"),
        (
            lambda: InstancesDistribution(on_demand_percentage_above_base_capacity=101),
            "OnDemandPercentageAboveBaseCapacity=101 must be",
        ),
        (
            lambda: InstancesDistribution(
                on_demand_allocation_strategy="capacity-optimized"  # type: ignore[arg-type]
            ),
            "OnDemandAllocationStrategy='capacity-optimized' is not one of",
        ),
        (
            lambda: InstancesDistribution(on_demand_allocation_strategy="fast"),  # type: ignore[arg-type]
            "OnDemandAllocationStrategy='fast' is not one of",
        ),
        (
            lambda: InstancesDistribution(spot_allocation_strategy="prioritized"),  # type: ignore[arg-type]
            "SpotAllocationStrategy='prioritized' is not one of",
        ),
        (lambda: InstancesDistribution(spot_instance_pools=21), "SpotInstancePools=21"),
        (lambda: InstancesDistribution(on_demand_base_capacity=-1), "OnDemandBaseCap"),
        (
            lambda: MixedInstancesPolicy(distribution=None, pools=(_pool(),)),  # type: ignore[arg-type]
            "distribution=None is not an InstancesDistribution",
        ),
        (
            lambda: MixedInstancesPolicy(
                distribution=InstancesDistribution(), pools=()
            ),
            "pools must be a non-empty sequence",
        ),
        (
            lambda: MixedInstancesPolicy(
                distribution=InstancesDistribution(),
                pools=("m5",),  # type: ignore[arg-type]
            ),
            "pools must all be Pool values",
        ),
        (
            lambda: MixedInstancesPolicy(
                distribution=InstancesDistribution(), pools=(_pool(),) * 2561
            ),
            "2561 pools: at most 2560",
        ),
        (
            lambda: MixedInstancesPolicy(
                distribution=InstancesDistribution(), pools=(_pool(), _pool())
            ),
            "repeats an instance type in a zone",
        ),
        (lambda: Fleet(config=_config(), desired_capacity=5), "DesiredCapacity=5 is"),
        (lambda: Fleet(config=_config(), desired_capacity=1, seed=2**64), "seed="),
        (
            lambda: Fleet(config=_config(), desired_capacity=1, instances=("i-1",)),  # type: ignore[arg-type]
            "Fleet instances must be Instance values",
        ),
        (
            lambda: Fleet(
                config=_config(),
                desired_capacity=1,
                instances=(_instance(),) * 20_001,
            ),
            "Fleet has 20001 instances: too many",
        ),
        (
            lambda: Fleet(
                config=_config(),
                desired_capacity=1,
                instances=(_instance(), _instance()),
            ),
            "repeat an InstanceId",
        ),
        (lambda: Fleet.start(_config(), 1, now="0"), "now='0' must be a whole number"),  # type: ignore[arg-type]
        (lambda: parse_cron("0 0 * * 5-1"), "day-of-week range '5-1' runs backwards"),
        (lambda: parse_cron("0 0 * * MON/x"), "step 'x' is not a number"),
        (
            lambda: ScheduledAction(name="a", recurrence="0 0 * * *", max_size=-1),
            "MaxSize=-1",
        ),
        (
            lambda: ScheduledAction(
                name="a", start_time=None, time_zone="UTC", min_size=1
            ),
            "TimeZone applies only with a Recurrence",
        ),
        (
            lambda: ScheduledAction(
                name="a",
                recurrence="0 0 * * *",
                time_zone=5,  # type: ignore[arg-type]
                min_size=1,
            ),
            "TimeZone=5 is not an IANA time zone",
        ),
    ],
)
def test_value_fields(build: Any, fragment: str) -> None:
    with pytest.raises(AutoScalingInputError) as caught:
        build()
    assert any(fragment in p for p in caught.value.problems), caught.value.problems


def test_cron_forms() -> None:
    """Lists, ranges with steps, names, 7 as Sunday, */n, and a single value with a
    step running to the end of its field."""
    cron = parse_cron("0,30 9-17/4 1 JAN,jul SAT-7")
    assert sorted(cron.minutes) == [0, 30]
    assert sorted(cron.hours) == [9, 13, 17]
    assert sorted(cron.months) == [1, 7]
    assert sorted(cron.weekdays) == [0, 6]
    assert sorted(parse_cron("5/20 * * * *").minutes) == [5, 25, 45]
    assert sorted(parse_cron("* * * * 1-7").weekdays) == [0, 1, 2, 3, 4, 5, 6]


def test_fleet_operations_refuse_and_accept() -> None:
    fleet = Fleet.start(_config(), 2)
    first = fleet.instances[0].instance_id
    with pytest.raises(AutoScalingInputError, match="no instance 'i-x'"):
        fleet.instance("i-x")
    with pytest.raises(AutoScalingInputError, match="healthy must be true or false"):
        fleet.report_health(first, HealthCheckType.EC2, healthy=1, now=0)  # type: ignore[arg-type]
    same = fleet.report_health(first, HealthCheckType.EC2, healthy=True, now=999)
    assert same.fleet is fleet
    assert not same.events
    with pytest.raises(AutoScalingInputError, match="is InService, not in a wait"):
        fleet.complete_lifecycle_action(first, DefaultResult.CONTINUE, now=0)
    with pytest.raises(AutoScalingInputError, match="ProtectedFromScaleIn must be"):
        fleet.set_protection([first], protected="yes")  # type: ignore[arg-type]
    with pytest.raises(AutoScalingInputError, match="zone 'z' is not one of"):
        fleet.zone_recovery("z")
    resized = fleet.with_sizes(min_size=3, max_size=None, desired=None)
    assert (resized.config.min_size, resized.desired_capacity) == (3, 3)
    assert fleet.in_service_capacity() == 2
    hooked = Fleet(config=_config(lifecycle_hooks=(HOOK,)), desired_capacity=1)
    waiting = hooked.step(0).fleet
    go = waiting.complete_lifecycle_action(
        waiting.instances[0].instance_id, DefaultResult.CONTINUE, now=5
    )
    assert go.instances[0].lifecycle_state == LifecycleState.IN_SERVICE
    stop = waiting.complete_lifecycle_action(
        waiting.instances[0].instance_id, DefaultResult.ABANDON, now=5
    )
    assert stop.instances[0].lifecycle_state == LifecycleState.TERMINATED
    assert LaunchSpec(launch_configuration="old").label == "lc:old"


def test_a_fleet_with_every_zone_down_launches_nothing() -> None:
    fleet = Fleet.start(_config(), 2).zone_outage("a").zone_outage("b")
    down = fleet.step(10)
    assert [e.kind for e in down.events] == ["terminate", "terminate"]
    assert not down.fleet.live()
