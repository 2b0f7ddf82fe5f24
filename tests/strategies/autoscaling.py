"""Hypothesis strategies for Auto Scaling groups, policies, metrics and loads."""

from __future__ import annotations

from fractions import Fraction

from hypothesis import strategies as st

from awscore.autoscaling import (
    AdjustmentType,
    Alarm,
    AllocationStrategy,
    ComparisonOperator,
    FleetConfig,
    Group,
    HpaPolicy,
    InstancesDistribution,
    LaunchSpec,
    MixedInstancesPolicy,
    Policy,
    Pool,
    SimpleScalingPolicy,
    StepAdjustment,
    StepScalingPolicy,
    TargetTrackingPolicy,
    TerminationPolicy,
)

metrics = st.fractions(min_value=0, max_value=500, max_denominator=100)
percentages = st.integers(min_value=-100, max_value=300).filter(bool)


@st.composite
def groups(draw: st.DrawFn, *, max_size: int = 50) -> Group:
    """A valid group: 0 <= min <= desired <= max <= max_size."""
    hi = draw(st.integers(min_value=0, max_value=max_size))
    lo = draw(st.integers(min_value=0, max_value=hi))
    desired = draw(st.integers(min_value=lo, max_value=hi))
    return Group(min_size=lo, max_size=hi, desired_capacity=desired)


@st.composite
def step_lists(
    draw: st.DrawFn, *, adjustment_type: AdjustmentType, upper: bool
) -> tuple[StepAdjustment, ...]:
    """Contiguous steps covering one side of the threshold, adjustments growing
    with the breach (away from the threshold) as a sane policy's do."""
    cuts = sorted(
        draw(st.sets(st.integers(min_value=1, max_value=100), min_size=0, max_size=4))
    )
    count = len(cuts) + 1
    if adjustment_type == AdjustmentType.EXACT_CAPACITY:
        sizes = sorted(
            draw(
                st.lists(
                    st.integers(min_value=0, max_value=60),
                    min_size=count,
                    max_size=count,
                )
            )
        )
    else:
        sizes = sorted(
            draw(
                st.lists(
                    st.integers(min_value=1, max_value=200),
                    min_size=count,
                    max_size=count,
                )
            )
        )
    if upper:
        edges: list[int | None] = [0, *cuts, None]
        return tuple(
            StepAdjustment(lower_bound=lo, upper_bound=hi, scaling_adjustment=size)
            for lo, hi, size in zip(edges[:-1], edges[1:], sizes, strict=True)
        )
    if adjustment_type == AdjustmentType.EXACT_CAPACITY:
        sizes = sizes[::-1]  # further below the threshold, a smaller capacity
    else:
        sizes = [-s for s in sizes]
    down: list[int | None] = [0, *(-c for c in cuts), None]
    return tuple(
        StepAdjustment(lower_bound=lo, upper_bound=hi, scaling_adjustment=size)
        for hi, lo, size in zip(down[:-1], down[1:], sizes, strict=True)
    )


adjustment_types = st.sampled_from(list(AdjustmentType))


@st.composite
def step_policies(draw: st.DrawFn, *, upper: bool | None = None) -> StepScalingPolicy:
    """A step scaling policy, for high (upper) or low alarms."""
    kind = draw(adjustment_types)
    side = draw(st.booleans()) if upper is None else upper
    operator = draw(
        st.sampled_from([o for o in ComparisonOperator if o.is_upper == side])
    )
    magnitude = (
        draw(st.none() | st.integers(min_value=1, max_value=10))
        if kind == AdjustmentType.PERCENT_CHANGE_IN_CAPACITY
        else None
    )
    return StepScalingPolicy(
        name=draw(st.sampled_from(["a", "b", "c"])),
        adjustment_type=kind,
        step_adjustments=draw(step_lists(adjustment_type=kind, upper=side)),
        alarm=Alarm(
            threshold=draw(st.integers(min_value=0, max_value=100)),
            comparison_operator=operator,
        ),
        min_adjustment_magnitude=magnitude,
    )


@st.composite
def simple_policies(draw: st.DrawFn) -> SimpleScalingPolicy:
    kind = draw(adjustment_types)
    if kind == AdjustmentType.EXACT_CAPACITY:
        adjustment = draw(st.integers(min_value=0, max_value=60))
    elif kind == AdjustmentType.CHANGE_IN_CAPACITY:
        adjustment = draw(st.integers(min_value=-20, max_value=20))
    else:
        adjustment = draw(percentages)
    return SimpleScalingPolicy(
        name=draw(st.sampled_from(["s1", "s2"])),
        adjustment_type=kind,
        scaling_adjustment=adjustment,
        alarm=Alarm(
            threshold=draw(st.integers(min_value=0, max_value=100)),
            comparison_operator=draw(st.sampled_from(list(ComparisonOperator))),
        ),
        cooldown=draw(st.none() | st.integers(min_value=0, max_value=600)),
    )


@st.composite
def tracking_policies(draw: st.DrawFn) -> TargetTrackingPolicy:
    return TargetTrackingPolicy(
        name=draw(st.sampled_from(["t1", "t2"])),
        target_value=draw(st.fractions(min_value=1, max_value=100, max_denominator=10)),
        disable_scale_in=draw(st.booleans()),
        scale_in_ratio=draw(
            st.fractions(min_value=Fraction(1, 2), max_value=1, max_denominator=20)
        ),
    )


@st.composite
def hpa_policies(draw: st.DrawFn) -> HpaPolicy:
    return HpaPolicy(
        name="h",
        target_value=draw(st.integers(min_value=1, max_value=100)),
        stabilization_window=draw(st.sampled_from([0, 60, 300])),
    )


@st.composite
def policy_lists(draw: st.DrawFn, *, max_size: int = 4) -> list[Policy]:
    """Up to ``max_size`` policies of any kinds, with distinct names."""
    drawn = draw(
        st.lists(
            st.one_of(
                step_policies(), simple_policies(), tracking_policies(), hpa_policies()
            ),
            max_size=max_size,
            unique_by=lambda p: p.name,
        )
    )
    return list(drawn)


loads = st.lists(
    st.integers(min_value=0, max_value=2_000).map(float), min_size=1, max_size=200
)


# --- fleets ------------------------------------------------------------------------

ZONES = ("us-east-1a", "us-east-1b", "us-east-1c", "us-east-1d")


@st.composite
def mixed_policies(draw: st.DrawFn, zones: tuple[str, ...]) -> MixedInstancesPolicy:
    """A mixed instances policy over ``zones``: a base, a percentage, strategies,
    and one to three instance types with weights, prices and capacities."""
    types = draw(
        st.lists(
            st.sampled_from(["m5.large", "c5.large", "r5.large"]),
            min_size=1,
            max_size=3,
            unique=True,
        )
    )
    pools = []
    for instance_type in types:
        weight = draw(st.integers(1, 3))
        for zone in zones:
            pools.append(
                Pool(
                    instance_type=instance_type,
                    availability_zone=zone,
                    weighted_capacity=weight,
                    on_demand_price=draw(st.fractions(1, 10, max_denominator=100)),
                    spot_price=draw(st.fractions(0, 1, max_denominator=100)),
                    spot_capacity=draw(st.integers(0, 500)),
                )
            )
    distribution = InstancesDistribution(
        on_demand_base_capacity=draw(st.integers(0, 6)),
        on_demand_percentage_above_base_capacity=draw(st.integers(0, 100)),
        on_demand_allocation_strategy=draw(
            st.sampled_from(
                [AllocationStrategy.PRIORITIZED, AllocationStrategy.LOWEST_PRICE]
            )
        ),
        spot_allocation_strategy=draw(
            st.sampled_from(
                [s for s in AllocationStrategy if s != AllocationStrategy.PRIORITIZED]
            )
        ),
    )
    return MixedInstancesPolicy(distribution=distribution, pools=tuple(pools))


@st.composite
def fleet_configs(draw: st.DrawFn, *, mixed: bool | None = None) -> FleetConfig:
    """A group's fleet settings: 1-4 zones, a termination policy list, maybe a
    mixed instances policy, a launch delay."""
    zones = ZONES[: draw(st.integers(1, 4))]
    policies = draw(
        st.lists(
            st.sampled_from(list(TerminationPolicy)),
            min_size=1,
            max_size=3,
            unique=True,
        )
    )
    use_mixed = draw(st.booleans()) if mixed is None else mixed
    return FleetConfig(
        availability_zones=zones,
        min_size=0,
        max_size=draw(st.integers(4, 24)),
        launch=LaunchSpec(launch_template="web", version=draw(st.integers(1, 4))),
        termination_policies=tuple(policies),
        mixed_instances_policy=draw(mixed_policies(zones)) if use_mixed else None,
        launch_delay=draw(st.sampled_from([0, 60, 120])),
    )


#: One thing that happens to a fleet: ("desired", n), ("outage", zone index),
#: ("recover", zone index), ("unhealthy", instance index), ("protect", index).
fleet_operations = st.lists(
    st.one_of(
        st.tuples(st.just("desired"), st.integers(0, 24)),
        st.tuples(
            st.sampled_from(["outage", "recover", "unhealthy", "protect"]),
            st.integers(0, 30),
        ),
    ),
    max_size=12,
)
