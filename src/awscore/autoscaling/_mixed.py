"""Mixed instances groups: the On-Demand/Spot split and the allocation strategies.

Sources: Amazon EC2 Auto Scaling User Guide, "Auto Scaling groups with multiple
instance types and purchase options" (instances distribution, "rounds up in favor
of On-Demand Instances"), "Allocation strategies for multiple instance types" and
"Configure instance weighting"; API reference ``InstancesDistribution`` and
``LaunchTemplateOverrides``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction

from awscore.autoscaling._alarm import brief, member
from awscore.errors import AutoScalingInputError

__all__ = [
    "AllocationStrategy",
    "InstancesDistribution",
    "Market",
    "MixedInstancesPolicy",
    "Pool",
    "choose_pool",
    "split_capacity",
]

_INT32_MAX = 2**31 - 1


class Market(StrEnum):
    """How an instance is bought (``InstanceLifecycle`` / purchase option)."""

    ON_DEMAND = "on-demand"
    SPOT = "spot"


class AllocationStrategy(StrEnum):
    """``OnDemandAllocationStrategy`` / ``SpotAllocationStrategy`` values."""

    LOWEST_PRICE = "lowest-price"
    PRIORITIZED = "prioritized"
    CAPACITY_OPTIMIZED = "capacity-optimized"
    CAPACITY_OPTIMIZED_PRIORITIZED = "capacity-optimized-prioritized"
    PRICE_CAPACITY_OPTIMIZED = "price-capacity-optimized"


_ON_DEMAND_STRATEGIES = (
    AllocationStrategy.LOWEST_PRICE,
    AllocationStrategy.PRIORITIZED,
)


def _count(value: object, what: str, low: int, problems: list[str]) -> None:
    if (
        isinstance(value, bool)
        or not isinstance(value, int)
        or not low <= value <= _INT32_MAX
    ):
        problems.append(
            f"{what}={brief(value)} must be an integer in [{low}, {_INT32_MAX}]"
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class Pool:
    """One instance type in one Availability Zone: an override and its market.

    ``weighted_capacity`` (``WeightedCapacity``, 1..999) is the capacity units one
    instance counts for; ``on_demand_price`` and ``spot_price`` are per instance
    hour; ``spot_capacity`` is how many Spot instances of the pool EC2 can still
    give (what ``capacity-optimized`` chases). The order of the pools of one zone
    is the override list's order: the priority ``prioritized`` follows.
    """

    instance_type: str
    availability_zone: str
    weighted_capacity: int = 1
    on_demand_price: Fraction | int | float = 1
    spot_price: Fraction | int | float = Fraction(1, 3)
    spot_capacity: int = 1000

    def __post_init__(self) -> None:
        problems: list[str] = []
        where = f"Pool {brief(self.instance_type)} in {brief(self.availability_zone)}"
        for what in ("instance_type", "availability_zone"):
            value = getattr(self, what)
            if not isinstance(value, str) or not 1 <= len(value) <= 255:
                problems.append(
                    f"{where} {what}={brief(value)} must be 1..255 characters"
                )
        weight: object = self.weighted_capacity
        if (
            isinstance(weight, bool)
            or not isinstance(weight, int)
            or not 1 <= weight <= 999
        ):
            problems.append(
                f"{where} weighted_capacity={brief(weight)} must be an integer in "
                "[1, 999]"
            )
        for what in ("on_demand_price", "spot_price"):
            value = getattr(self, what)
            ok = isinstance(value, int | float | Fraction) and not isinstance(
                value, bool
            )
            # the range test first: math.isfinite of a huge integer overflows
            if not ok or not (0 <= value <= 10**6 and math.isfinite(value)):
                problems.append(
                    f"{where} {what}={brief(value)} must be a price in [0, 1e6]"
                )
            else:
                object.__setattr__(self, what, Fraction(value))
        _count(self.spot_capacity, f"{where} spot_capacity", 0, problems)
        if problems:
            raise AutoScalingInputError(problems)

    def price(self, market: Market) -> Fraction:
        """The price of one capacity unit of this pool in ``market``."""
        hourly = self.on_demand_price if market == Market.ON_DEMAND else self.spot_price
        return Fraction(hourly) / self.weighted_capacity


@dataclass(frozen=True, slots=True, kw_only=True)
class InstancesDistribution:
    """``InstancesDistribution``: the On-Demand base, the percentage above it, and
    the two allocation strategies (defaults as the API reference gives them:
    base 0, 100% On-Demand above it, ``prioritized`` On-Demand, ``lowest-price``
    Spot across ``spot_instance_pools`` 2)."""

    on_demand_base_capacity: int = 0
    on_demand_percentage_above_base_capacity: int = 100
    on_demand_allocation_strategy: AllocationStrategy = AllocationStrategy.PRIORITIZED
    spot_allocation_strategy: AllocationStrategy = AllocationStrategy.LOWEST_PRICE
    spot_instance_pools: int = 2

    def __post_init__(self) -> None:
        problems: list[str] = []
        where = "InstancesDistribution"
        _count(
            self.on_demand_base_capacity, f"{where} OnDemandBaseCapacity", 0, problems
        )
        percent: object = self.on_demand_percentage_above_base_capacity
        if (
            isinstance(percent, bool)
            or not isinstance(percent, int)
            or not 0 <= percent <= 100
        ):
            problems.append(
                f"{where} OnDemandPercentageAboveBaseCapacity={brief(percent)} "
                "must be an "
                "integer in [0, 100]"
            )
        try:
            on_demand = member(AllocationStrategy, self.on_demand_allocation_strategy)
            if on_demand not in _ON_DEMAND_STRATEGIES:
                raise ValueError(on_demand)
            object.__setattr__(self, "on_demand_allocation_strategy", on_demand)
        except ValueError:
            problems.append(
                f"{where} OnDemandAllocationStrategy="
                f"{brief(self.on_demand_allocation_strategy)} is not one of "
                "lowest-price, "
                "prioritized"
            )
        try:
            spot = member(AllocationStrategy, self.spot_allocation_strategy)
            if spot == AllocationStrategy.PRIORITIZED:
                raise ValueError(spot)
            object.__setattr__(self, "spot_allocation_strategy", spot)
        except ValueError:
            problems.append(
                f"{where} "
                f"SpotAllocationStrategy={brief(self.spot_allocation_strategy)} is "
                "not one of lowest-price, capacity-optimized, "
                "capacity-optimized-prioritized, price-capacity-optimized"
            )
        pools: object = self.spot_instance_pools
        if (
            isinstance(pools, bool)
            or not isinstance(pools, int)
            or not 1 <= pools <= 20
        ):
            problems.append(
                f"{where} SpotInstancePools={brief(pools)} must be an integer in "
                "[1, 20]"
            )
        if problems:
            raise AutoScalingInputError(problems)


@dataclass(frozen=True, slots=True, kw_only=True)
class MixedInstancesPolicy:
    """``MixedInstancesPolicy``: the distribution and the pools (overrides x zones)."""

    distribution: InstancesDistribution
    pools: tuple[Pool, ...]

    def __post_init__(self) -> None:
        problems: list[str] = []
        distribution: object = self.distribution
        if not isinstance(distribution, InstancesDistribution):
            problems.append(
                f"MixedInstancesPolicy distribution={brief(self.distribution)} is "
                "not an "
                "InstancesDistribution"
            )
        given: object = self.pools
        if not isinstance(given, Sequence) or isinstance(given, str) or not given:
            problems.append("MixedInstancesPolicy pools must be a non-empty sequence")
        elif not all(isinstance(p, Pool) for p in given):
            problems.append("MixedInstancesPolicy pools must all be Pool values")
        elif len(given) > 40 * 64:
            problems.append(
                f"MixedInstancesPolicy has {len(given)} pools: at most 2560 "
                "(40 overrides in up to 64 zones)"
            )
        else:
            object.__setattr__(self, "pools", tuple(given))
            keys = [(p.instance_type, p.availability_zone) for p in self.pools]
            if len(set(keys)) != len(keys):
                problems.append(
                    "MixedInstancesPolicy repeats an instance type in a zone"
                )
        if problems:
            raise AutoScalingInputError(problems)

    def zone_pools(self, zone: str) -> list[Pool]:
        """The pools of ``zone``, in override (priority) order."""
        return [p for p in self.pools if p.availability_zone == zone]


def split_capacity(
    desired: int, distribution: InstancesDistribution
) -> tuple[int, int]:
    """The (On-Demand, Spot) capacity a group of ``desired`` units should hold.

    The base is On-Demand first; of the capacity above it,
    ``OnDemandPercentageAboveBaseCapacity`` percent is On-Demand, a fraction
    rounding up "in favor of On-Demand Instances" (User Guide, instances
    distribution): base 2, 20% above it, 12 units -> 2 + 2 On-Demand, 8 Spot.
    """
    if (
        isinstance(desired, bool)
        or not isinstance(desired, int)
        or not 0 <= desired <= _INT32_MAX
    ):
        raise AutoScalingInputError(
            [f"desired={brief(desired)} must be a capacity in [0, {_INT32_MAX}]"]
        )
    if not isinstance(distribution, InstancesDistribution):
        raise AutoScalingInputError(
            [f"distribution={brief(distribution)} is not an InstancesDistribution"]
        )
    base = min(desired, distribution.on_demand_base_capacity)
    above = desired - base
    on_demand_above = math.ceil(
        Fraction(above * distribution.on_demand_percentage_above_base_capacity, 100)
    )
    return base + on_demand_above, above - on_demand_above


def _text(value: object) -> str:
    """A member by its value ('spot', not Market.SPOT), anything else as it is."""
    return brief(str(value) if isinstance(value, str) else value)


def choose_pool(
    strategy: AllocationStrategy,
    pools: Sequence[Pool],
    market: Market,
    *,
    running: dict[str, int] | None = None,
    spot_instance_pools: int = 2,
) -> Pool:
    """The pool the next instance of ``market`` launches from, among ``pools``
    (one zone's, in override order).

    * ``prioritized``: the first pool in the list.
    * ``lowest-price``: the lowest price per capacity unit; for Spot, spread over
      the ``spot_instance_pools`` cheapest pools, taking the one with fewest
      running instances (``running``, by instance type).
    * ``capacity-optimized``: the pool with the most Spot capacity left.
    * ``capacity-optimized-prioritized``: the most capacity, ties by priority.
    * ``price-capacity-optimized``: among the pools with at least half the best
      capacity left (awscore's reading: AWS says "the highest capacity
      availability", without a number), the lowest price per unit.

    Ties keep override order. Pools with no Spot capacity left are skipped for
    Spot (all of them empty: the first of the list is returned, and the launch
    fails there as EC2's would).
    """
    try:
        strategy, market = member(AllocationStrategy, strategy), member(Market, market)
    except ValueError:
        raise AutoScalingInputError(
            [
                f"strategy {_text(strategy)} or market {_text(market)} is "
                "not one of the allocation strategies and markets"
            ]
        ) from None
    given: object = pools
    if (
        isinstance(given, str)
        or not isinstance(given, Sequence)
        or not given
        or not all(isinstance(p, Pool) for p in given)
    ):
        raise AutoScalingInputError(
            ["pools must be a non-empty sequence of Pool values"]
        )
    ordered = list(pools)
    if market == Market.SPOT:
        ordered = [p for p in ordered if p.spot_capacity > 0] or ordered[:1]
    position = {id(p): i for i, p in enumerate(ordered)}
    match strategy:
        case AllocationStrategy.PRIORITIZED:
            return ordered[0]
        case AllocationStrategy.LOWEST_PRICE:
            cheapest = sorted(ordered, key=lambda p: (p.price(market), position[id(p)]))
            if market == Market.ON_DEMAND:
                return cheapest[0]
            spread = cheapest[:spot_instance_pools]
            counts = running or {}
            return min(spread, key=lambda p: counts.get(p.instance_type, 0))
        case AllocationStrategy.CAPACITY_OPTIMIZED | (
            AllocationStrategy.CAPACITY_OPTIMIZED_PRIORITIZED
        ):
            return max(ordered, key=lambda p: (p.spot_capacity, -position[id(p)]))
        case _:
            best = max(p.spot_capacity for p in ordered)
            deep = [p for p in ordered if 2 * p.spot_capacity >= best]
            return min(deep, key=lambda p: (p.price(market), position[id(p)]))
