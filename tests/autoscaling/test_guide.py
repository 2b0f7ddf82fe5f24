"""The EC2 Auto Scaling User Guide's worked examples and documented rules, each
test naming the page it comes from (docs.aws.amazon.com/autoscaling/ec2/userguide/
<page>.html). Expected values are worked out by hand from the page, not by the code.
"""

from __future__ import annotations

import datetime as dt

import pytest

from awscore.autoscaling import (
    AdjustmentType,
    Alarm,
    AllocationStrategy,
    AutoScalingInputError,
    DefaultResult,
    Fleet,
    FleetConfig,
    Group,
    HealthCheckType,
    HealthStatus,
    Instance,
    InstancesDistribution,
    LaunchSpec,
    LifecycleHook,
    LifecycleState,
    LifecycleTransition,
    Market,
    MixedInstancesPolicy,
    Pool,
    ScheduledAction,
    StepAdjustment,
    StepScalingPolicy,
    TargetTrackingPolicy,
    TerminationPolicy,
    choose_pool,
    choose_victim,
    evaluate,
    rebalance_margin,
    split_capacity,
)

UTC = dt.UTC
WEB3 = LaunchSpec(launch_template="web", version=3)


def _fleet(zones: tuple[str, ...] = ("a", "b", "c"), **settings: object) -> FleetConfig:
    base: dict[str, object] = {
        "availability_zones": zones,
        "min_size": 0,
        "max_size": 12,
        "launch": WEB3,
    }
    base.update(settings)
    return FleetConfig(**base)  # type: ignore[arg-type]


def _instance(name: str, zone: str, **fields: object) -> Instance:
    values: dict[str, object] = {"launch": WEB3, "launch_time": 0}
    values.update(fields)
    return Instance(instance_id=name, availability_zone=zone, **values)  # type: ignore[arg-type]


# --- as-scaling-target-tracking: "Multiple target tracking scaling policies" --------


def test_disable_scale_in_policy_does_not_vote() -> None:
    """as-scaling-target-tracking / as-scale-based-on-demand: the group "will scale
    in only if all of the target tracking policies (with the scale-in portion
    enabled) are ready to scale in". Group of 10, A target 50, B target 30 with
    DisableScaleIn, metric 20: A wants ceil(10 x 20 / 50) = 4; B does not vote."""
    group = Group(min_size=1, max_size=20, desired_capacity=10)
    a = TargetTrackingPolicy(name="A", target_value=50)
    b = TargetTrackingPolicy(name="B", target_value=30, disable_scale_in=True)
    decision = evaluate(group, [a, b], metric=20, now=0)
    assert decision.desired_capacity == 4
    assert decision.policy == "A"


def test_enabled_policies_still_veto_each_other() -> None:
    """Same page: with B's scale-in enabled, B (wanting ceil(10 x 20/30) = 7) is
    also ready, so the largest, 7, wins; with B at 20 (not below its scale-in
    threshold) B vetoes and the group stays at 10."""
    group = Group(min_size=1, max_size=20, desired_capacity=10)
    a = TargetTrackingPolicy(name="A", target_value=50)
    both = evaluate(group, [a, TargetTrackingPolicy(name="B", target_value=30)], 20, 0)
    assert both.desired_capacity == 7
    veto = evaluate(group, [a, TargetTrackingPolicy(name="B", target_value=21)], 20, 0)
    assert veto.desired_capacity == 10


# --- as-scaling-simple-step: step adjustment rules ------------------------------------


def _steps(*bounds: tuple[float | None, float | None]) -> StepScalingPolicy:
    return StepScalingPolicy(
        adjustment_type=AdjustmentType.CHANGE_IN_CAPACITY,
        step_adjustments=tuple(
            StepAdjustment(lower_bound=lo, upper_bound=hi, scaling_adjustment=1)
            for lo, hi in bounds
        ),
        alarm=Alarm(threshold=50),
    )


@pytest.mark.parametrize(
    ("bounds", "fragment"),
    [
        ([(None, None)], "null MetricIntervalLowerBound and a null"),
        ([(-10, 0)], "negative MetricIntervalLowerBound -10: then one step"),
        ([(0, 10)], "positive MetricIntervalUpperBound 10: then one step"),
        ([(0, 10), (20, None)], "leave a gap"),
        ([(0, 10), (5, None)], "overlap"),
        ([(None, 0), (None, -5)], "null lower bound: at most one may"),
    ],
)
def test_step_rules_refused(
    bounds: list[tuple[float | None, float | None]], fragment: str
) -> None:
    """as-scaling-simple-step ("Step adjustments") and the API's StepAdjustment:
    ranges can't overlap or have a gap; only one step may have a null lower
    (upper) bound; a negative lower bound needs a step with a null lower bound, a
    positive upper bound one with a null upper bound; both bounds can't be null."""
    with pytest.raises(AutoScalingInputError) as caught:
        _steps(*bounds)
    assert any(fragment in p for p in caught.value.problems), caught.value.problems
    assert isinstance(caught.value, ValueError)


@pytest.mark.parametrize(
    "bounds",
    [
        [(0, None)],
        [(None, 0)],
        [(0, 10), (10, None)],
        [(None, -10), (-10, 0)],
        [(None, -10), (-10, 10), (10, None)],
    ],
)
def test_step_rules_accepted(bounds: list[tuple[float | None, float | None]]) -> None:
    """Same page: these layouts are all valid."""
    assert len(_steps(*bounds).step_adjustments) == len(bounds)


@pytest.mark.parametrize(
    ("field", "value", "fragment"),
    [
        ("scaling_adjustment", 2**31, "32-bit integer"),
        ("min_adjustment_magnitude", 2**31, "[1, 2147483647]"),
        ("estimated_instance_warmup", 2**31, "at most 2147483647 seconds"),
        ("name", "x" * 256, "at most 255"),
        ("name", "bad\x00name", "control character"),
    ],
)
def test_put_scaling_policy_field_ranges(
    field: str, value: object, fragment: str
) -> None:
    """PutScalingPolicy (API reference): Integer fields are 32-bit, PolicyName is
    1..255 characters of the XML character set without control characters."""
    settings: dict[str, object] = {
        "adjustment_type": AdjustmentType.PERCENT_CHANGE_IN_CAPACITY,
        "step_adjustments": (StepAdjustment(0, None, 1),),
        "alarm": Alarm(threshold=1),
    }

    def build() -> object:
        if field == "scaling_adjustment":
            return StepAdjustment(0, None, value)  # type: ignore[arg-type]
        return StepScalingPolicy(**{**settings, field: value})  # type: ignore[arg-type]

    with pytest.raises(AutoScalingInputError) as caught:
        build()
    assert any(fragment in p for p in caught.value.problems), caught.value.problems


# --- asg-purchase-options / allocation strategies ------------------------------------


@pytest.mark.parametrize(
    ("desired", "on_demand", "spot"),
    [(10, 10, 0), (20, 15, 5), (30, 20, 10), (40, 25, 15)],
)
def test_distribution_table(desired: int, on_demand: int, spot: int) -> None:
    """asg-purchase-options ("Instances distribution" example table): base 10,
    50% On-Demand above base."""
    distribution = InstancesDistribution(
        on_demand_base_capacity=10, on_demand_percentage_above_base_capacity=50
    )
    assert split_capacity(desired, distribution) == (on_demand, spot)


def test_the_issues_case_and_rounding_in_favor_of_on_demand() -> None:
    """asg-purchase-options: base 2, Spot 80% above base, 12 instances: 2 + 2
    On-Demand, 8 Spot; a fraction "rounds up in favor of On-Demand": 30% of 5 is
    1.5 -> 2 On-Demand, 3 Spot."""
    assert split_capacity(
        12,
        InstancesDistribution(
            on_demand_base_capacity=2, on_demand_percentage_above_base_capacity=20
        ),
    ) == (4, 8)
    assert split_capacity(
        5, InstancesDistribution(on_demand_percentage_above_base_capacity=30)
    ) == (2, 3)
    assert split_capacity(1, InstancesDistribution(on_demand_base_capacity=3)) == (1, 0)


def _pools() -> list[Pool]:
    return [
        Pool(
            instance_type="c5.large",
            availability_zone="a",
            on_demand_price=0.085,
            spot_price=0.035,
            spot_capacity=40,
        ),
        Pool(
            instance_type="m5.large",
            availability_zone="a",
            on_demand_price=0.096,
            spot_price=0.030,
            spot_capacity=300,
        ),
        Pool(
            instance_type="m5.xlarge",
            availability_zone="a",
            weighted_capacity=2,
            on_demand_price=0.192,
            spot_price=0.055,
            spot_capacity=900,
        ),
    ]


def test_allocation_strategies_choose_their_pools() -> None:
    """allocation-strategies: prioritized takes the first override; lowest-price
    the lowest price per unit (m5.xlarge: 0.0275 per unit); capacity-optimized
    the deepest pool; price-capacity-optimized the cheapest of the deep pools."""
    pools = _pools()
    pick = choose_pool
    assert (
        pick(AllocationStrategy.PRIORITIZED, pools, Market.ON_DEMAND).instance_type
        == "c5.large"
    )
    assert (
        pick(AllocationStrategy.LOWEST_PRICE, pools, Market.ON_DEMAND).instance_type
        == "c5.large"
    )
    assert (
        pick(
            AllocationStrategy.LOWEST_PRICE, pools, Market.SPOT, spot_instance_pools=1
        ).instance_type
        == "m5.xlarge"
    )
    assert (
        pick(AllocationStrategy.CAPACITY_OPTIMIZED, pools, Market.SPOT).instance_type
        == "m5.xlarge"
    )
    assert (
        pick(
            AllocationStrategy.PRICE_CAPACITY_OPTIMIZED, pools, Market.SPOT
        ).instance_type
        == "m5.xlarge"
    )
    # lowest-price across 2 pools spreads: with m5.xlarge already used, m5.large.
    assert (
        pick(
            AllocationStrategy.LOWEST_PRICE,
            pools,
            Market.SPOT,
            running={"m5.xlarge": 1},
        ).instance_type
        == "m5.large"
    )


def test_mixed_fleet_keeps_the_split() -> None:
    """asg-purchase-options: a fleet of 12 with base 2, 20% above base runs 4
    On-Demand and 8 Spot; scaled in to 7 it keeps 2 + ceil(1) = 3 On-Demand."""
    mixed = MixedInstancesPolicy(
        distribution=InstancesDistribution(
            on_demand_base_capacity=2, on_demand_percentage_above_base_capacity=20
        ),
        pools=tuple(
            Pool(instance_type="m5.large", availability_zone=z) for z in ("a", "b")
        ),
    )
    fleet = Fleet.start(_fleet(("a", "b"), mixed_instances_policy=mixed), 12)
    assert fleet.by_market() == {Market.ON_DEMAND: 4, Market.SPOT: 8}
    smaller = fleet.with_desired(7).step(10).fleet
    assert smaller.by_market() == {Market.ON_DEMAND: 3, Market.SPOT: 4}


# --- ec2-auto-scaling-termination-policies -------------------------------------------


def test_default_policy_walkthrough_zone_then_outdated_configuration() -> None:
    """ec2-auto-scaling-termination-policies ("How the default termination policy
    works"): first the zone with the most instances (a: 3), then within it
    instances launched from a launch configuration, then from another launch
    template, then the oldest version of the current one."""
    config = _fleet(("a", "b"))
    instances = [
        _instance("i-a1", "a", launch=LaunchSpec(launch_template="web", version=1)),
        _instance("i-a2", "a"),
        _instance("i-a3", "a", launch=LaunchSpec(launch_template="web", version=2)),
        _instance("i-b1", "b", launch=LaunchSpec(launch_configuration="old-lc")),
        _instance("i-b2", "b", launch=LaunchSpec(launch_template="other", version=9)),
    ]
    pick = Fleet(config=config, desired_capacity=5, instances=tuple(instances))
    first = pick.with_desired(4).step(0)
    gone = [e.instance_id for e in first.events if e.kind == "terminate"]
    assert gone == ["i-a1"]  # zone a, then oldest version of the current template
    # a: a2, a3 and b: b1, b2 are level: all four are candidates; b1 used a
    # launch configuration, which goes first.
    second = first.fleet.with_desired(3).step(0)
    assert [e.instance_id for e in second.events if e.kind == "terminate"] == ["i-b1"]
    # a: a2, a3 against b: b2, so zone a again: a3 is on an older version.
    third = second.fleet.with_desired(2).step(0)
    assert [e.instance_id for e in third.events if e.kind == "terminate"] == ["i-a3"]
    # Balanced zones: both are candidates, and b2 uses another template.
    fourth = third.fleet.with_desired(1).step(0)
    assert [e.instance_id for e in fourth.events if e.kind == "terminate"] == ["i-b2"]


def test_default_policy_closest_to_billing_hour_then_random() -> None:
    """Same page: with nothing outdated, the instance closest to its next billing
    hour goes (launched at 0, at now=3500 it has 100 s left), and equal ones
    are drawn at random (seeded, so reproducible)."""
    _fleet(("a",))
    instances = [
        _instance("i-1", "a", launch_time=0),
        _instance("i-2", "a", launch_time=100),
        _instance("i-3", "a", launch_time=1800),
    ]
    victim, drawn = choose_victim(
        instances,
        policies=(TerminationPolicy.DEFAULT,),
        current=WEB3,
        mixed=None,
        now=3500,
        seed=0,
        draw_index=0,
    )
    assert victim is not None
    assert victim.instance_id == "i-1"
    assert not drawn
    twins = [_instance(f"i-{n}", "a", launch_time=0) for n in range(4)]
    picks = {
        choose_victim(
            twins,
            policies=(TerminationPolicy.DEFAULT,),
            current=WEB3,
            mixed=None,
            now=10,
            seed=seed,
            draw_index=0,
        )[0].instance_id  # type: ignore[union-attr]
        for seed in range(40)
    }
    assert len(picks) > 1  # really random across seeds
    again = choose_victim(
        twins,
        policies=(TerminationPolicy.DEFAULT,),
        current=WEB3,
        mixed=None,
        now=10,
        seed=7,
        draw_index=3,
    )
    assert again == choose_victim(
        twins,
        policies=(TerminationPolicy.DEFAULT,),
        current=WEB3,
        mixed=None,
        now=10,
        seed=7,
        draw_index=3,
    )


@pytest.mark.parametrize(
    ("policies", "expected"),
    [
        ((TerminationPolicy.OLDEST_INSTANCE,), "i-old"),
        ((TerminationPolicy.NEWEST_INSTANCE,), "i-new"),
        ((TerminationPolicy.OLDEST_LAUNCH_CONFIGURATION,), "i-lc1"),
        (
            (
                TerminationPolicy.OLDEST_LAUNCH_TEMPLATE,
                TerminationPolicy.OLDEST_INSTANCE,
            ),
            "i-lc1",
        ),
        ((TerminationPolicy.CLOSEST_TO_NEXT_INSTANCE_HOUR,), "i-old"),
        (
            (
                TerminationPolicy.OLDEST_LAUNCH_TEMPLATE,
                TerminationPolicy.NEWEST_INSTANCE,
            ),
            "i-lc2",
        ),
    ],
)
def test_predefined_policies_in_order(
    policies: tuple[TerminationPolicy, ...], expected: str
) -> None:
    """ec2-auto-scaling-termination-policies ("Predefined termination policies"):
    each policy, and a list applied in the order given. OldestLaunchTemplate
    takes instances not on the current template first (both launch
    configurations here), NewestInstance then picks the newer of them."""
    instances = [
        _instance("i-old", "a", launch_time=0),
        _instance(
            "i-lc1",
            "a",
            launch_time=600,
            launch=LaunchSpec(launch_configuration="lc1", created=0),
        ),
        _instance(
            "i-lc2",
            "a",
            launch_time=1200,
            launch=LaunchSpec(launch_configuration="lc2", created=500),
        ),
        _instance("i-new", "a", launch_time=3000),
    ]
    victim, _ = choose_victim(
        instances,
        policies=policies,
        current=WEB3,
        mixed=None,
        now=3550,
        seed=0,
        draw_index=0,
    )
    assert victim is not None
    assert victim.instance_id == expected


def test_allocation_strategy_policy_removes_the_lowest_priority() -> None:
    """ec2-auto-scaling-termination-policies ("Default termination policy and mixed
    instances groups"): with prioritized On-Demand, the lowest-priority type
    (later in the overrides) is terminated first."""
    mixed = MixedInstancesPolicy(
        distribution=InstancesDistribution(),
        pools=(
            Pool(instance_type="m5.large", availability_zone="a"),
            Pool(instance_type="c5.large", availability_zone="a"),
        ),
    )
    instances = [
        _instance("i-m5", "a", instance_type="m5.large"),
        _instance("i-c5", "a", instance_type="c5.large", launch_time=99),
    ]
    for policy in (TerminationPolicy.ALLOCATION_STRATEGY, TerminationPolicy.DEFAULT):
        victim, _ = choose_victim(
            instances,
            policies=(policy,),
            current=WEB3,
            mixed=mixed,
            now=0,
            seed=0,
            draw_index=0,
        )
        assert victim is not None
        assert victim.instance_id == "i-c5"


def test_scale_in_protection_is_honoured() -> None:
    """ec2-auto-scaling-instance-protection: a protected instance is never
    terminated by scale-in; if all are protected the group keeps them."""
    config = _fleet(("a",))
    instances = [
        _instance("i-1", "a", protected_from_scale_in=True),
        _instance("i-2", "a"),
    ]
    fleet = Fleet(config=config, desired_capacity=2, instances=tuple(instances))
    after = fleet.with_desired(0).step(0)
    assert [e.instance_id for e in after.events] == ["i-2"]
    assert [i.instance_id for i in after.fleet.live()] == ["i-1"]


# --- auto-scaling-benefits: "Instance distribution" / rebalancing -----------


def test_zone_outage_and_rebalancing_example() -> None:
    """auto-scaling-benefits ("Rebalancing activities"): a zone goes down, its
    instances are replaced in the healthy zones; when it recovers, the group
    launches there before terminating elsewhere, exceeding its maximum by at most
    10 percent (here one instance), until the zones are balanced again."""
    config = _fleet(max_size=6, launch_delay=60)
    fleet = Fleet.start(config, 6)
    assert fleet.by_zone() == {"a": 2, "b": 2, "c": 2}
    fleet = fleet.zone_outage("c").step(0).fleet
    assert fleet.by_zone() == {"a": 3, "b": 3, "c": 0}
    fleet = fleet.zone_recovery("c")
    peak = 0
    for t in range(60, 1200, 60):
        fleet = fleet.step(t).fleet
        peak = max(peak, len(fleet.live()))
    assert fleet.by_zone() == {"a": 2, "b": 2, "c": 2}
    assert peak == 6 + rebalance_margin(6) == 7
    assert rebalance_margin(100) == 10
    assert rebalance_margin(15) == 1


def test_launches_go_to_the_zone_with_fewest() -> None:
    """auto-scaling-benefits: new instances launch in the zone with the fewest
    instances; ties go to the earliest zone listed (awscore's choice)."""
    config = _fleet()
    fleet = Fleet(
        config=config,
        desired_capacity=4,
        instances=(_instance("i-1", "a"), _instance("i-2", "a"), _instance("i-3", "b")),
    )
    launched = fleet.step(0)
    assert [e.availability_zone for e in launched.events if e.kind == "launch"] == ["c"]
    assert Fleet.start(config, 4).by_zone() == {"a": 2, "b": 1, "c": 1}


# --- ec2-auto-scaling-health-checks / replace unhealthy instances ------------


def test_health_check_grace_period_and_replacement() -> None:
    """ec2-auto-scaling-health-checks: a failed check inside the grace period
    (default 300 s) is ignored; after it, the instance is unhealthy, terminated
    and replaced. An ELB failure counts only with HealthCheckType ELB."""
    config = _fleet(("a", "b"))
    assert config.health_check_grace_period == 300
    fleet = Fleet.start(config, 2, now=0)
    early = fleet.report_health(
        fleet.instances[0].instance_id, HealthCheckType.EC2, healthy=False, now=299
    )
    assert [e.kind for e in early.events] == ["ignored"]
    elb = fleet.report_health(
        fleet.instances[0].instance_id, HealthCheckType.ELB, healthy=False, now=400
    )
    assert [e.kind for e in elb.events] == ["ignored"]
    late = fleet.report_health(
        fleet.instances[0].instance_id, HealthCheckType.EC2, healthy=False, now=300
    )
    assert late.fleet.instances[0].health_status == HealthStatus.UNHEALTHY
    replaced = late.fleet.step(301)
    kinds = [(e.kind, e.availability_zone) for e in replaced.events]
    assert kinds == [("terminate", "a"), ("launch", "a")]
    elb_group = Fleet.start(_fleet(("a",), health_check_type="ELB"), 1)
    failed = elb_group.report_health(
        elb_group.instances[0].instance_id, HealthCheckType.ELB, healthy=False, now=500
    )
    assert [e.kind for e in failed.events] == ["unhealthy"]


def test_lifecycle_hooks_wait_until_heartbeat_timeout() -> None:
    """lifecycle-hooks: a launching hook holds the instance in Pending:Wait until
    the heartbeat timeout (default 3600 s), then the default result (ABANDON
    terminates it and a replacement launches; CONTINUE puts it in service). A
    terminating hook holds it in Terminating:Wait."""
    abandon = LifecycleHook(name="warm", transition=LifecycleTransition.LAUNCHING)
    assert (abandon.heartbeat_timeout, abandon.default_result) == (
        3600,
        DefaultResult.ABANDON,
    )
    fleet = Fleet(config=_fleet(("a",), lifecycle_hooks=(abandon,)), desired_capacity=1)
    fleet = fleet.step(0).fleet
    assert fleet.instances[0].lifecycle_state == LifecycleState.PENDING_WAIT
    assert (
        fleet.step(3599).fleet.instances[0].lifecycle_state
        == LifecycleState.PENDING_WAIT
    )
    timed_out = fleet.step(3600)
    assert [e.kind for e in timed_out.events] == ["terminated", "launch"]
    go = LifecycleHook(
        name="go",
        transition=LifecycleTransition.LAUNCHING,
        heartbeat_timeout=30,
        default_result=DefaultResult.CONTINUE,
    )
    fleet = Fleet(config=_fleet(("a",), lifecycle_hooks=(go,)), desired_capacity=1)
    fleet = fleet.step(0).fleet.step(30).fleet
    assert fleet.instances[0].lifecycle_state == LifecycleState.IN_SERVICE
    drain = LifecycleHook(
        name="drain", transition=LifecycleTransition.TERMINATING, heartbeat_timeout=120
    )
    fleet = Fleet.start(_fleet(("a",), lifecycle_hooks=(drain,)), 1)
    waiting = fleet.with_desired(0).step(10).fleet
    assert waiting.instances[0].lifecycle_state == LifecycleState.TERMINATING_WAIT
    assert waiting.step(129).fleet.instances
    assert not waiting.step(130).fleet.instances
    done = waiting.complete_lifecycle_action(
        waiting.instances[0].instance_id, DefaultResult.CONTINUE, now=20
    )
    assert not done.step(20).fleet.instances


@pytest.mark.parametrize(
    ("fields", "fragment"),
    [
        ({"heartbeat_timeout": 29}, "HeartbeatTimeout=29"),
        ({"heartbeat_timeout": 7201}, "HeartbeatTimeout=7201"),
        ({"default_result": "MAYBE"}, "DefaultResult='MAYBE'"),
        ({"name": "bad name"}, "LifecycleHookName='bad name'"),
        ({"transition": "launching"}, "LifecycleTransition='launching'"),
    ],
)
def test_put_lifecycle_hook_ranges(fields: dict[str, object], fragment: str) -> None:
    """PutLifecycleHook (API reference): HeartbeatTimeout 30..7200, DefaultResult
    CONTINUE or ABANDON, the name's pattern [A-Za-z0-9\\-_\\/]+."""
    values: dict[str, object] = {
        "name": "h",
        "transition": LifecycleTransition.LAUNCHING,
    }
    values.update(fields)
    with pytest.raises(AutoScalingInputError) as caught:
        LifecycleHook(**values)  # type: ignore[arg-type]
    assert any(fragment in p for p in caught.value.problems)


# --- ec2-auto-scaling-scheduled-scaling ---------------------------------------------


def test_recurrence_in_a_time_zone_follows_dst() -> None:
    """ec2-auto-scaling-scheduled-scaling: "When you specify a time zone that
    observes DST, the action automatically adjusts for DST": 08:00 New York is
    13:00 UTC in winter and 12:00 UTC in summer. The 2026 spring-forward night
    (8 March) skips 02:30: awscore runs it at 03:30 EDT (07:30 UTC); the
    fall-back night (1 November) repeats 01:30: it runs once, at the first."""
    morning = ScheduledAction(
        name="m",
        recurrence="0 8 * * *",
        time_zone="America/New_York",
        desired_capacity=4,
    )
    runs = morning.runs(
        dt.datetime(2026, 3, 7, tzinfo=UTC), dt.datetime(2026, 3, 9, 23, tzinfo=UTC)
    )
    assert [r.hour for r in runs] == [13, 12, 12]
    skipped = ScheduledAction(
        name="s",
        recurrence="30 2 * * *",
        time_zone="America/New_York",
        desired_capacity=1,
    )
    spring = skipped.runs(
        dt.datetime(2026, 3, 8, tzinfo=UTC), dt.datetime(2026, 3, 9, tzinfo=UTC)
    )
    assert spring == [dt.datetime(2026, 3, 8, 7, 30, tzinfo=UTC)]
    repeated = ScheduledAction(
        name="r",
        recurrence="30 1 * * *",
        time_zone="America/New_York",
        desired_capacity=1,
    )
    fall = repeated.runs(
        dt.datetime(2026, 11, 1, tzinfo=UTC), dt.datetime(2026, 11, 2, tzinfo=UTC)
    )
    assert fall == [dt.datetime(2026, 11, 1, 5, 30, tzinfo=UTC)]


def test_one_time_and_recurring_with_start_and_end() -> None:
    """PutScheduledUpdateGroupAction: a one-time action runs at StartTime; with a
    Recurrence, at StartTime and then on the recurrence, not after EndTime;
    default time zone UTC; cron day-of-week names and ranges."""
    start = dt.datetime(2026, 11, 27, 9, 15, tzinfo=UTC)  # a Friday
    once = ScheduledAction(name="once", start_time=start, max_size=20)
    assert once.runs(start - dt.timedelta(days=1), start + dt.timedelta(days=9)) == [
        start
    ]
    weekdays = ScheduledAction(
        name="wd",
        recurrence="0 9 * * MON-FRI",
        start_time=start,
        end_time=start + dt.timedelta(days=4),
        min_size=3,
    )
    runs = weekdays.runs(start - dt.timedelta(hours=1), start + dt.timedelta(days=9))
    assert runs == [
        start,
        dt.datetime(2026, 11, 30, 9, 0, tzinfo=UTC),
        dt.datetime(2026, 12, 1, 9, 0, tzinfo=UTC),
    ]


@pytest.mark.parametrize(
    ("fields", "fragment"),
    [
        ({"recurrence": "0 9 * *"}, "has 4 fields"),
        ({"recurrence": "61 9 * * *"}, "minute 61 is outside 0-59"),
        ({"recurrence": "0 9 * FOO *"}, "month 'FOO'"),
        ({"recurrence": "*/0 * * * *"}, "step 0"),
        (
            {"recurrence": "0 9 * * *", "time_zone": "Mars/Olympus"},
            "not an IANA time zone",
        ),
        (
            {"recurrence": "0 9 * * *", "min_size": 5, "max_size": 2},
            "MinSize=5 is above",
        ),
        (
            {
                "recurrence": "0 9 * * *",
                "min_size": 1,
                "max_size": 2,
                "desired_capacity": 3,
            },
            "outside the MinSize/MaxSize",
        ),
        ({"recurrence": "0 9 * * *", "desired_capacity": None}, "sets none of"),
        ({"desired_capacity": 1}, "neither Recurrence nor StartTime"),
        (
            {
                "recurrence": "0 9 * * *",
                "start_time": dt.datetime(2026, 1, 2, tzinfo=UTC),
                "end_time": dt.datetime(2026, 1, 1, tzinfo=UTC),
            },
            "is not after StartTime",
        ),
        (
            {"recurrence": "0 9 * * *", "start_time": dt.datetime(2026, 1, 2)},
            "timezone-aware",
        ),
        ({"name": ""}, "ScheduledActionName=''"),
    ],
)
def test_put_scheduled_update_group_action_rules(
    fields: dict[str, object], fragment: str
) -> None:
    """PutScheduledUpdateGroupAction's constraints, each a typed error naming the
    field (as AWS's ValidationError does)."""
    values: dict[str, object] = {"name": "a", "desired_capacity": 1}
    values.update(fields)
    with pytest.raises(AutoScalingInputError) as caught:
        ScheduledAction(**values)  # type: ignore[arg-type]
    assert any(fragment in p for p in caught.value.problems), caught.value.problems


def test_metric_aggregation_type_is_checked() -> None:
    """PutScalingPolicy: MetricAggregationType is Minimum, Maximum or Average
    (step scaling only; a simple policy refuses the key)."""
    from awscore.autoscaling import parse_policy

    step = {
        "PolicyType": "StepScaling",
        "AdjustmentType": "ChangeInCapacity",
        "Alarm": {"Threshold": 50},
        "StepAdjustments": [{"MetricIntervalLowerBound": 0, "ScalingAdjustment": 1}],
    }
    assert parse_policy({**step, "MetricAggregationType": "Maximum"}).name == "step"
    with pytest.raises(AutoScalingInputError, match="MetricAggregationType='Sum'"):
        parse_policy({**step, "MetricAggregationType": "Sum"})
    simple = {
        "AdjustmentType": "ChangeInCapacity",
        "ScalingAdjustment": 1,
        "Alarm": {"Threshold": 50},
        "MetricAggregationType": "Average",
    }
    with pytest.raises(
        AutoScalingInputError, match="unknown key 'MetricAggregationType'"
    ):
        parse_policy(simple)
