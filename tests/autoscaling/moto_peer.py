"""moto's Auto Scaling, set up once for the peer tests and the benchmark.

The peers load through :func:`tests.conftest.require_peer`, so a missing moto or
boto3 skips locally and fails under ``CI=true``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from tests.conftest import require_peer


@contextmanager
def moto_autoscaling() -> Iterator[Any]:
    """A boto3 Auto Scaling client under ``moto.mock_aws``, with launch config "lc"."""
    moto = require_peer("moto")
    boto3 = require_peer("boto3")
    with moto.mock_aws():
        client = boto3.client(
            "autoscaling",
            region_name="us-east-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )
        client.create_launch_configuration(
            LaunchConfigurationName="lc",
            ImageId="ami-12c6146b",
            InstanceType="t2.micro",
        )
        yield client


def create_group(
    client: Any, name: str, *, min_size: int, max_size: int, desired: int
) -> None:
    """Create the Auto Scaling group ``name`` from launch configuration "lc"."""
    client.create_auto_scaling_group(
        AutoScalingGroupName=name,
        LaunchConfigurationName="lc",
        MinSize=min_size,
        MaxSize=max_size,
        DesiredCapacity=desired,
        AvailabilityZones=["us-east-1a"],
    )
