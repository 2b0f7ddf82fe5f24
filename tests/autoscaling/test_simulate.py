"""The simulator on small scenarios worked out by hand."""

from __future__ import annotations

import pytest

from awscore.autoscaling import (
    AdjustmentType,
    Alarm,
    AutoScalingInputError,
    ComparisonOperator,
    Group,
    HpaPolicy,
    SimpleScalingPolicy,
    StepAdjustment,
    StepScalingPolicy,
    TargetTrackingPolicy,
    simulate,
    spiky_load,
)


def test_target_tracking_waits_for_three_high_minutes() -> None:
    """2 instances at 100 against target 50: the high alarm needs 3 one-minute
    datapoints, so the policy acts at t=180 (ceil(2 x 100/50) = 4); the 2 new
    instances serve from t=240 and the metric settles at 50."""
    group = Group(min_size=2, max_size=10, desired_capacity=2)
    timeline = simulate(
        group, [TargetTrackingPolicy(target_value=50)], [200.0] * 60, warmup=0
    )
    assert [(a.time, a.from_capacity, a.to_capacity) for a in timeline.activities] == [
        (180, 2, 4)
    ]
    at = {p.time: p for p in timeline.points}
    assert (at[170].desired, at[170].metric) == (2, 100.0)
    assert (at[180].desired, at[180].pending, at[180].in_service) == (4, 2, 2)
    assert (at[240].in_service, at[240].metric) == (4, 50.0)
    assert at[590].metric == 50.0


@pytest.mark.parametrize(
    ("policy_cooldown", "group_cooldown"), [(120, 300), (None, 120)]
)
def test_simple_scaling_cooldown_in_a_run(
    policy_cooldown: int | None, group_cooldown: int
) -> None:
    """+2 per alarm, 60 s launches, 120 s cooldown (the policy's, else the
    group's DefaultCooldown) from each activity's end: acts at 60 (ends 120, cool
    until 240), 240 and 420, then 400/8 = 50 is OK."""
    policy = SimpleScalingPolicy(
        adjustment_type=AdjustmentType.CHANGE_IN_CAPACITY,
        scaling_adjustment=2,
        alarm=Alarm(
            threshold=60, comparison_operator=ComparisonOperator.GREATER_THAN_THRESHOLD
        ),
        cooldown=policy_cooldown,
    )
    group = Group(
        min_size=1, max_size=10, desired_capacity=2, default_cooldown=group_cooldown
    )
    timeline = simulate(group, [policy], [400.0] * 70, warmup=0)
    assert [(a.time, a.to_capacity) for a in timeline.activities] == [
        (60, 4),
        (240, 6),
        (420, 8),
    ]


def test_scale_in_removes_newest_first_and_warming_is_counted() -> None:
    """A spike then quiet: capacity goes up, warming instances show as warming,
    then the step policy's scale-in brings it back down."""
    out = StepScalingPolicy(
        name="out",
        adjustment_type=AdjustmentType.CHANGE_IN_CAPACITY,
        step_adjustments=(
            StepAdjustment(lower_bound=0, upper_bound=None, scaling_adjustment=2),
        ),
        alarm=Alarm(name="high", threshold=80),
    )
    back = StepScalingPolicy(
        name="in",
        adjustment_type=AdjustmentType.CHANGE_IN_CAPACITY,
        step_adjustments=(
            StepAdjustment(lower_bound=None, upper_bound=0, scaling_adjustment=-1),
        ),
        alarm=Alarm(
            name="low",
            threshold=20,
            comparison_operator=ComparisonOperator.LESS_THAN_OR_EQUAL_TO_THRESHOLD,
        ),
    )
    group = Group(min_size=2, max_size=6, desired_capacity=2)
    load = spiky_load(duration=1800, step=10, base=20, spikes=[(0, 120, 180)])
    timeline = simulate(group, [out, back], load, launch_delay=30, warmup=60)
    first = timeline.activities[0]
    assert (first.time, first.policy, first.to_capacity) == (60, "out", 4)
    at = {p.time: p for p in timeline.points}
    assert (at[60].pending, at[90].warming, at[150].in_service) == (2, 2, 4)
    assert timeline.points[-1].desired == 2
    assert all(a.policy == "in" for a in timeline.activities[2:])


def test_hpa_in_a_run_and_timeline_helpers() -> None:
    group = Group(min_size=1, max_size=10, desired_capacity=2)
    load = [100.0] * 30
    timeline = simulate(group, [HpaPolicy(target_value=25)], load, warmup=0)
    # ratio 50/25 = 2: ceil(2 x 2) = 4 at the first decision
    assert [(a.time, a.to_capacity) for a in timeline.activities] == [(60, 4)]
    # 2 instances for 60 s, then 4 for 240 s: (120 + 960) / 3600 hours
    assert timeline.instance_hours == pytest.approx((2 * 60 + 4 * 240) / 3600)
    # above 25 while 2 served (0..120: pending until 120)
    assert timeline.seconds_above(25) == 120
    document = timeline.as_dict()
    assert document["step"] == 10
    assert document["activities"] == [
        {
            "time": 60,
            "policy": "hpa",
            "from": 2,
            "to": 4,
            "reason": timeline.activities[0].reason,
        }
    ]


def test_no_instances_means_no_metric() -> None:
    group = Group(min_size=0, max_size=2, desired_capacity=0)
    timeline = simulate(group, [TargetTrackingPolicy(target_value=50)], [10.0] * 12)
    assert {p.metric for p in timeline.points} == {None}
    assert timeline.activities == ()
    assert timeline.seconds_above(50) == 120


def test_spiky_load() -> None:
    assert spiky_load(duration=60, step=10, base=1, spikes=[(20, 20, 5)]) == [
        1.0,
        1.0,
        6.0,
        6.0,
        1.0,
        1.0,
    ]


def test_simulate_lists_every_problem() -> None:
    group = Group(min_size=0, max_size=2, desired_capacity=0)
    slow = SimpleScalingPolicy(
        adjustment_type=AdjustmentType.CHANGE_IN_CAPACITY,
        scaling_adjustment=1,
        alarm=Alarm(name="slow", threshold=1, period=30),
    )
    with pytest.raises(AutoScalingInputError) as caught:
        simulate(
            group,
            [slow],
            [1.0, -1.0, float("nan")],
            step=20,
            launch_delay=-1,
            warmup=-1,
            decision_interval=50,
        )
    problems = caught.value.problems
    assert problems == (
        "launch_delay=-1 must be an integer >= 0",
        "warmup=-1 must be an integer >= 0",
        "decision_interval=50 is not a multiple of step=20",
        "alarm 'slow' period=30 is not a multiple of step=20",
        "load[1]=-1.0 is out of range: must be in [0, 10**12]",
        "load[2]=nan is not finite: must be a finite number",
    )
    with pytest.raises(AutoScalingInputError) as caught:
        simulate("g", "p", [], step=0, decision_interval=0)  # type: ignore[arg-type]
    assert caught.value.problems == (
        "step=0 must be an integer >= 1",
        "decision_interval=0 must be an integer >= 1",
        "policies='p' is not a sequence of policies",
        "group='g' is not a Group",
        "load=[] must be a non-empty sequence of numbers",
    )


def test_warmup_defaults_to_the_groups_default_instance_warmup() -> None:
    """No warmup given: the group's DefaultInstanceWarmup (30 s) is used, so the
    2 instances launched at t=60 are pending until 120 and warming until 150."""
    group = Group(
        min_size=1, max_size=10, desired_capacity=2, default_instance_warmup=30
    )
    timeline = simulate(group, [HpaPolicy(target_value=25)], [100.0] * 20)
    at = {p.time: p for p in timeline.points}
    assert (at[110].pending, at[120].warming, at[140].warming) == (2, 2, 2)
    assert (at[150].warming, at[150].in_service) == (0, 4)
