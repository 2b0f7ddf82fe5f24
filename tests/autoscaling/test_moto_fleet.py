"""Peer: moto's Auto Scaling fleet (instance placement, termination, mixed
instances, health), boto3 under ``moto.mock_aws``.

Where moto implements the same rule, awscore and moto agree (the count follows
the desired capacity; protected instances survive scale-in; a single-zone group
with OldestInstance loses its oldest instances). Every departure of moto's from
the EC2 Auto Scaling User Guide is its own test, asserting what moto does (run
here, moto 5's ``moto/autoscaling/models.py``: ``set_desired_capacity`` and
``replace_autoscaling_group_instances``) and what the guide (and awscore) says.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest

from awscore.autoscaling import (
    Fleet,
    FleetConfig,
    HealthCheckType,
    InstancesDistribution,
    LaunchSpec,
    Market,
    MixedInstancesPolicy,
    Pool,
    TerminationPolicy,
    split_capacity,
)
from tests.autoscaling.moto_peer import moto_autoscaling
from tests.conftest import require_peer

ZONES = ["us-east-1a", "us-east-1b", "us-east-1c"]
_names = itertools.count()
LC = LaunchSpec(launch_configuration="lc")


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    with moto_autoscaling() as autoscaling:
        yield autoscaling


def _group(client: Any, zones: list[str], desired: int, **extra: Any) -> str:
    name = f"fleet{next(_names)}"
    client.create_auto_scaling_group(
        AutoScalingGroupName=name,
        LaunchConfigurationName="lc",
        MinSize=0,
        MaxSize=20,
        DesiredCapacity=desired,
        AvailabilityZones=zones,
        **extra,
    )
    return name


def _instances(client: Any, name: str) -> list[dict[str, Any]]:
    groups = client.describe_auto_scaling_groups(AutoScalingGroupNames=[name])
    found: list[dict[str, Any]] = groups["AutoScalingGroups"][0]["Instances"]
    return found


def _ours(zones: list[str], **settings: Any) -> FleetConfig:
    return FleetConfig(
        availability_zones=tuple(zones), min_size=0, max_size=20, launch=LC, **settings
    )


@pytest.mark.parametrize(("start", "end"), [(2, 5), (6, 3), (4, 0), (0, 7)])
def test_agree_on_the_count_after_set_desired_capacity(
    client: Any, start: int, end: int
) -> None:
    """Both launch or terminate to exactly the desired capacity."""
    name = _group(client, ["us-east-1a"], start)
    client.set_desired_capacity(AutoScalingGroupName=name, DesiredCapacity=end)
    fleet = Fleet.start(_ours(["us-east-1a"]), start).with_desired(end).step(60).fleet
    assert len(_instances(client, name)) == len(fleet.live()) == end


def test_agree_oldest_instances_go_first_in_one_zone(client: Any) -> None:
    """OldestInstance in a one-zone group: both remove the instances launched
    first (moto removes the first of its list, which is launch order)."""
    name = _group(client, ["us-east-1a"], 2, TerminationPolicies=["OldestInstance"])
    first = {i["InstanceId"] for i in _instances(client, name)}
    client.set_desired_capacity(AutoScalingGroupName=name, DesiredCapacity=4)
    client.set_desired_capacity(AutoScalingGroupName=name, DesiredCapacity=2)
    moto_left = {i["InstanceId"] for i in _instances(client, name)}
    assert not moto_left & first
    config = _ours(
        ["us-east-1a"], termination_policies=(TerminationPolicy.OLDEST_INSTANCE,)
    )
    fleet = Fleet.start(config, 2, now=0)
    ours_first = {i.instance_id for i in fleet.instances}
    fleet = fleet.with_desired(4).step(600).fleet.with_desired(2).step(1200).fleet
    assert not {i.instance_id for i in fleet.live()} & ours_first


def test_agree_protected_instances_survive_scale_in(client: Any) -> None:
    """Both keep the instances protected from scale in (SetInstanceProtection)."""
    name = _group(client, ["us-east-1a"], 3)
    ids = [i["InstanceId"] for i in _instances(client, name)]
    client.set_instance_protection(
        AutoScalingGroupName=name, InstanceIds=ids[:2], ProtectedFromScaleIn=True
    )
    client.set_desired_capacity(AutoScalingGroupName=name, DesiredCapacity=0)
    assert sorted(i["InstanceId"] for i in _instances(client, name)) == sorted(ids[:2])
    fleet = Fleet.start(_ours(["us-east-1a"]), 3)
    keep = [i.instance_id for i in fleet.instances[:2]]
    fleet = fleet.set_protection(keep, protected=True).with_desired(0).step(60).fleet
    assert sorted(i.instance_id for i in fleet.live()) == sorted(keep)


def test_moto_launches_a_whole_batch_in_one_zone(client: Any) -> None:
    """Departure: moto places every instance of one launch in one zone drawn with
    ``random.choice``; AWS launches each in the zone with the fewest instances
    (auto-scaling-benefits), so 6 instances over 3 zones are 2 + 2 + 2."""
    name = _group(client, ZONES, 6)
    moto_zones = Counter(i["AvailabilityZone"] for i in _instances(client, name))
    assert len(moto_zones) == 1
    assert sum(moto_zones.values()) == 6
    assert Fleet.start(_ours(ZONES), 6).by_zone() == dict.fromkeys(ZONES, 2)


def test_moto_scale_in_ignores_zone_balance(client: Any) -> None:
    """Departure: moto terminates the first unprotected instances of its list
    whatever their zone; AWS first picks the zone with the most instances
    (ec2-auto-scaling-termination-policies). One instance in a, two in b, scale
    to 2: moto empties a, AWS keeps one in each."""
    name = _group(client, ["us-east-1a"], 1)
    client.update_auto_scaling_group(
        AutoScalingGroupName=name, AvailabilityZones=["us-east-1b"], DesiredCapacity=3
    )
    client.update_auto_scaling_group(
        AutoScalingGroupName=name, AvailabilityZones=["us-east-1a", "us-east-1b"]
    )
    client.set_desired_capacity(AutoScalingGroupName=name, DesiredCapacity=2)
    moto_zones = Counter(i["AvailabilityZone"] for i in _instances(client, name))
    assert moto_zones == {"us-east-1b": 2}
    fleet = Fleet.start(_ours(["us-east-1a"]), 1)
    fleet = Fleet(
        config=_ours(["us-east-1a", "us-east-1b"]),
        desired_capacity=3,
        instances=fleet.instances,
        launched=fleet.launched,
    )
    fleet = fleet.step(60).fleet
    assert fleet.by_zone() == {"us-east-1a": 2, "us-east-1b": 1}  # fewest first
    shrunk = fleet.with_desired(2).step(120).fleet
    assert shrunk.by_zone() == {"us-east-1a": 1, "us-east-1b": 1}


def test_moto_truncates_the_on_demand_share(client: Any) -> None:
    """Departure: moto computes the On-Demand share above base with ``int()`` and
    then the Spot share from what is left, so 25% of 10 (2.5) gives 2 On-Demand
    and 7 Spot, 9 instances for a desired capacity of 10; AWS rounds up "in
    favor of On-Demand Instances" (asg-purchase-options): 3 + 7 = 10."""
    boto3 = require_peer("boto3")
    ec2 = boto3.client(
        "ec2",
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    template = f"web{next(_names)}"
    ec2.create_launch_template(
        LaunchTemplateName=template,
        LaunchTemplateData={"ImageId": "ami-12c6146b", "InstanceType": "m5.large"},
    )
    name = f"mixed{next(_names)}"
    client.create_auto_scaling_group(
        AutoScalingGroupName=name,
        MinSize=0,
        MaxSize=20,
        DesiredCapacity=10,
        AvailabilityZones=["us-east-1a"],
        MixedInstancesPolicy={
            "LaunchTemplate": {
                "LaunchTemplateSpecification": {
                    "LaunchTemplateName": template,
                    "Version": "1",
                },
                "Overrides": [{"InstanceType": "m5.large"}],
            },
            "InstancesDistribution": {
                "OnDemandBaseCapacity": 0,
                "OnDemandPercentageAboveBaseCapacity": 25,
            },
        },
    )
    instances = _instances(client, name)
    assert len(instances) == 9
    # ... and it never marks any of them Spot.
    described = ec2.describe_instances(InstanceIds=[i["InstanceId"] for i in instances])
    lifecycles = {
        x.get("InstanceLifecycle", "on-demand")
        for r in described["Reservations"]
        for x in r["Instances"]
    }
    assert lifecycles == {"on-demand"}
    distribution = InstancesDistribution(on_demand_percentage_above_base_capacity=25)
    assert split_capacity(10, distribution) == (3, 7)
    mixed = MixedInstancesPolicy(
        distribution=distribution,
        pools=(Pool(instance_type="m5.large", availability_zone="us-east-1a"),),
    )
    fleet = Fleet.start(_ours(["us-east-1a"], mixed_instances_policy=mixed), 10)
    assert fleet.by_market() == {Market.ON_DEMAND: 3, Market.SPOT: 7}


def test_moto_does_not_replace_unhealthy_instances(client: Any) -> None:
    """Departure: moto records SetInstanceHealth Unhealthy and keeps the instance;
    AWS terminates and replaces it (ec2-auto-scaling-health-checks)."""
    name = _group(client, ["us-east-1a"], 2)
    sick = _instances(client, name)[0]["InstanceId"]
    client.set_instance_health(InstanceId=sick, HealthStatus="Unhealthy")
    after = {i["InstanceId"]: i["HealthStatus"] for i in _instances(client, name)}
    assert after[sick] == "Unhealthy"
    assert len(after) == 2
    fleet = Fleet.start(_ours(["us-east-1a"]), 2)
    ours_sick = fleet.instances[0].instance_id
    marked = fleet.report_health(ours_sick, HealthCheckType.EC2, healthy=False, now=400)
    replaced = marked.fleet.step(401).fleet
    assert ours_sick not in {i.instance_id for i in replaced.live()}
    assert len(replaced.live()) == 2
