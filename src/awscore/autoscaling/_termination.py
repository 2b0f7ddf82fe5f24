"""Which instance a scale-in terminates: zone balance, then termination policies.

Source: Amazon EC2 Auto Scaling User Guide, "Configure termination policies for
Amazon EC2 Auto Scaling" (how the default termination policy works, the default
policy and mixed instances groups, the predefined policies) and "Use instance
scale-in protection".
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable, Sequence
from enum import StrEnum

from awscore.autoscaling._alarm import member
from awscore.autoscaling._instance import Instance, LaunchSpec
from awscore.autoscaling._mixed import (
    AllocationStrategy,
    Market,
    MixedInstancesPolicy,
    Pool,
)
from awscore.errors import AutoScalingInputError

__all__ = ["TerminationPolicy", "choose_victim", "draw"]


class TerminationPolicy(StrEnum):
    """The predefined ``TerminationPolicies``."""

    DEFAULT = "Default"
    ALLOCATION_STRATEGY = "AllocationStrategy"
    OLDEST_LAUNCH_TEMPLATE = "OldestLaunchTemplate"
    OLDEST_LAUNCH_CONFIGURATION = "OldestLaunchConfiguration"
    CLOSEST_TO_NEXT_INSTANCE_HOUR = "ClosestToNextInstanceHour"
    NEWEST_INSTANCE = "NewestInstance"
    OLDEST_INSTANCE = "OldestInstance"


Narrow = Callable[[list[Instance]], list[Instance]]


def draw(seed: int, index: int, count: int) -> int:
    """The ``index``-th seeded random choice among ``count``: the same seed and
    index always give the same answer (a string seed hashes with SHA-512, stable
    across runs and platforms)."""
    # S311: the draw models AWS's "terminate one at random", not a secret.
    rng = random.Random(f"awscore-asg/{seed}/{index}")  # noqa: S311
    return rng.randrange(count)


def _keep_min(
    instances: list[Instance], key: Callable[[Instance], object]
) -> list[Instance]:
    best = min(key(i) for i in instances)  # type: ignore[type-var]
    return [i for i in instances if key(i) == best]


def _outdated(current: LaunchSpec) -> Narrow:
    """The default policy's "instances that use outdated configurations"."""

    def narrow(instances: list[Instance]) -> list[Instance]:
        if current.launch_template is None:
            # A launch-configuration group: the oldest launch configuration.
            return _oldest_configuration(instances)
        with_config = [
            i for i in instances if i.launch.launch_configuration is not None
        ]
        if with_config:
            return with_config
        other = [
            i for i in instances if i.launch.launch_template != current.launch_template
        ]
        if other:
            return other
        return _keep_min(instances, lambda i: i.launch.version)

    return narrow


def _oldest_template(current: LaunchSpec) -> Narrow:
    """``OldestLaunchTemplate``: instances not on the current launch template
    first (launch-configuration ones included), then the oldest version of it."""

    def narrow(instances: list[Instance]) -> list[Instance]:
        other = [
            i for i in instances if i.launch.launch_template != current.launch_template
        ]
        if other:
            return other
        return _keep_min(instances, lambda i: i.launch.version)

    return narrow


def _oldest_configuration(instances: list[Instance]) -> list[Instance]:
    configured = [i for i in instances if i.launch.launch_configuration is not None]
    if not configured:
        return instances
    return _keep_min(configured, lambda i: i.launch.created)


def _closest_hour(now: int) -> Narrow:
    # Seconds left to the instance's next full billing hour since launch.
    return lambda instances: _keep_min(
        instances, lambda i: (i.launch_time - now) % 3600
    )


def _allocation(mixed: MixedInstancesPolicy | None) -> Narrow:
    """Terminate so that what remains follows the allocation strategy of the
    market being terminated: the priciest unit first for ``lowest-price``, the
    lowest priority first for ``prioritized``, the shallowest pool first for the
    capacity strategies."""

    def narrow(instances: list[Instance]) -> list[Instance]:
        if mixed is None:
            return instances
        pools = {
            (p.instance_type, p.availability_zone): (n, p)
            for n, p in enumerate(mixed.pools)
        }

        def pool(i: Instance) -> tuple[int, Pool] | None:
            return pools.get((i.instance_type, i.availability_zone))

        known = [i for i in instances if pool(i) is not None]
        if not known:
            return instances
        market = known[0].market
        strategy = (
            mixed.distribution.on_demand_allocation_strategy
            if market == Market.ON_DEMAND
            else mixed.distribution.spot_allocation_strategy
        )

        def key(i: Instance) -> object:
            found = pool(i)
            assert found is not None
            order, p = found
            match strategy:
                case AllocationStrategy.PRIORITIZED:
                    return -order
                case AllocationStrategy.LOWEST_PRICE | (
                    AllocationStrategy.PRICE_CAPACITY_OPTIMIZED
                ):
                    return -p.price(i.market)
                case _:
                    return p.spot_capacity

        return _keep_min(known, key)

    return narrow


def _chain(  # noqa: PLR0911 (one return per policy reads best)
    policy: TerminationPolicy,
    current: LaunchSpec,
    mixed: MixedInstancesPolicy | None,
    now: int,
) -> list[Narrow]:
    match policy:
        case TerminationPolicy.DEFAULT:
            return [_allocation(mixed), _outdated(current), _closest_hour(now)]
        case TerminationPolicy.ALLOCATION_STRATEGY:
            return [_allocation(mixed)]
        case TerminationPolicy.OLDEST_LAUNCH_TEMPLATE:
            return [_oldest_template(current)]
        case TerminationPolicy.OLDEST_LAUNCH_CONFIGURATION:
            return [_oldest_configuration]
        case TerminationPolicy.CLOSEST_TO_NEXT_INSTANCE_HOUR:
            return [_closest_hour(now)]
        case TerminationPolicy.NEWEST_INSTANCE:
            return [lambda xs: _keep_min(xs, lambda i: -i.launch_time)]
        case _:
            return [lambda xs: _keep_min(xs, lambda i: i.launch_time)]


def choose_victim(
    instances: Sequence[Instance],
    *,
    policies: Sequence[TerminationPolicy],
    current: LaunchSpec,
    mixed: MixedInstancesPolicy | None,
    now: int,
    seed: int,
    draw_index: int,
    market: Market | None = None,
    zone: str | None = None,
) -> tuple[Instance | None, bool]:
    """The instance a scale-in terminates, and whether a random draw was used.

    Only live, unprotected instances are candidates (of ``market`` when given,
    and of ``zone`` when given, as a rebalance terminates in the fullest zone).
    Zone balance comes first: the candidates are those of the zones with the
    most live instances that hold at least one candidate. Then each termination
    policy, in the order given, narrows them; ``Default`` runs its own steps
    (allocation strategy, outdated configuration, closest to the next billing
    hour). If more than one is left, one is drawn at random from the seeded RNG.
    None if every instance is protected.
    """
    given: object = instances
    if (
        isinstance(given, str)
        or not isinstance(given, Sequence)
        or not all(isinstance(i, Instance) for i in given)
    ):
        raise AutoScalingInputError(["instances must be a sequence of Instance values"])
    spec: object = current
    if not isinstance(spec, LaunchSpec):
        raise AutoScalingInputError(["current must be the group's LaunchSpec"])
    try:
        policies = tuple(member(TerminationPolicy, p) for p in policies)
    except (TypeError, ValueError):
        raise AutoScalingInputError(
            ["policies must be a sequence of TerminationPolicies values"]
        ) from None
    live = [i for i in instances if i.live]
    candidates = [
        i
        for i in live
        if not i.protected_from_scale_in
        and (market is None or i.market == market)
        and (zone is None or i.availability_zone == zone)
    ]
    if not candidates:
        return None, False
    per_zone = Counter(i.availability_zone for i in live)
    most = max(per_zone[i.availability_zone] for i in candidates)
    left = [i for i in candidates if per_zone[i.availability_zone] == most]
    for policy in policies:
        for narrow in _chain(policy, current, mixed, now):
            if len(left) == 1:
                return left[0], False
            left = narrow(left)
    if len(left) == 1:
        return left[0], False
    left.sort(key=lambda i: i.instance_id)
    return left[draw(seed, draw_index, len(left))], True
