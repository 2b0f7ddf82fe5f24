"""Property tests: each docstring states the rule it enforces."""

from __future__ import annotations

from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from awscore.autoscaling import (
    AdjustmentType,
    Alarm,
    AlarmState,
    Group,
    Policy,
    ScalingState,
    SimpleScalingPolicy,
    StepScalingPolicy,
    TargetTrackingPolicy,
    evaluate,
    evaluate_alarm,
    percent_adjustment,
    simulate,
)
from tests.strategies.autoscaling import (
    groups,
    loads,
    metrics,
    percentages,
    policy_lists,
    simple_policies,
    step_policies,
    tracking_policies,
)

warming = st.integers(min_value=0, max_value=10)


@given(groups(), policy_lists(), metrics, warming, st.integers(0, 1000))
def test_capacity_always_within_min_and_max(
    group: Group, policies: list[Policy], metric: Fraction, warm: int, now: int
) -> None:
    """Whatever the policies and the metric, MinSize <= desired <= MaxSize."""
    state = ScalingState(warming_capacity=warm)
    decision = evaluate(group, policies, metric, now, state=state)
    assert group.min_size <= decision.desired_capacity <= group.max_size
    for outcome in decision.outcomes:
        if outcome.desired_capacity is not None:
            assert group.min_size <= outcome.desired_capacity <= group.max_size


@given(groups(), step_policies(), metrics, metrics)
def test_step_adjustment_never_falls_as_the_metric_rises(
    group: Group, policy: StepScalingPolicy, a: Fraction, b: Fraction
) -> None:
    """With steps whose adjustments grow away from the threshold, a higher metric
    never gives a smaller capacity (while the alarm fires, for ExactCapacity,
    whose first step may be below the current capacity)."""
    low, high = sorted((a, b))
    first = evaluate(group, [policy], low, 0).desired_capacity
    second = evaluate(group, [policy], high, 0).desired_capacity
    exact = policy.adjustment_type == AdjustmentType.EXACT_CAPACITY
    if not exact or (policy.alarm.breaches(low) and policy.alarm.breaches(high)):
        assert first <= second


@given(
    st.integers(min_value=1, max_value=10_000),
    percentages,
    st.none() | st.integers(min_value=1, max_value=50),
)
def test_nonzero_percentage_never_yields_zero(
    capacity: int, percent: int, magnitude: int | None
) -> None:
    """A nonzero percentage of a nonzero capacity changes it by at least 1, in the
    percentage's direction, by truncation toward zero of capacity x percent / 100
    raised to at least 1 and to MinAdjustmentMagnitude."""
    result = percent_adjustment(capacity, percent, magnitude)
    assert result != 0
    assert (result > 0) == (percent > 0)
    exact = abs(Fraction(capacity * percent, 100))
    assert abs(result) == max(1, int(exact), magnitude or 0)


@settings(max_examples=100)
@given(
    st.integers(min_value=1, max_value=10),
    simple_policies(),
    loads,
    st.sampled_from([0, 30, 60]),
)
def test_simple_scaling_never_acts_twice_within_its_cooldown(
    desired: int, policy: SimpleScalingPolicy, load: list[float], delay: int
) -> None:
    """After a simple scaling activity, the next one starts no earlier than the
    activity's end (its instances in service) plus the cooldown."""
    group = Group(min_size=0, max_size=20, desired_capacity=desired)
    timeline = simulate(group, [policy], load, launch_delay=delay)
    cooldown = 300 if policy.cooldown is None else policy.cooldown
    for first, second in zip(
        timeline.activities, timeline.activities[1:], strict=False
    ):
        end = first.time + (delay if first.to_capacity > first.from_capacity else 0)
        assert second.time >= end + cooldown


@given(groups(), tracking_policies(), metrics, warming)
def test_target_tracking_never_scales_in_at_or_above_target(
    group: Group, policy: TargetTrackingPolicy, metric: Fraction, warm: int
) -> None:
    """While the metric is at or above target, target tracking never removes
    capacity; when it does remove (metric below target), the metric spread over
    the capacity left stays at or below the target."""
    state = ScalingState(warming_capacity=warm)
    decision = evaluate(group, [policy], metric, 0, state=state)
    target = Fraction(policy.target_value)
    if metric >= target:
        assert decision.desired_capacity >= group.desired_capacity
    elif decision.desired_capacity < group.desired_capacity:
        new = decision.desired_capacity
        assert new == group.min_size or (
            metric * group.desired_capacity / new <= target
        )


@settings(max_examples=60)
@given(groups(max_size=20), policy_lists(max_size=3), loads)
def test_simulation_is_deterministic_and_bounded(
    group: Group, policies: list[Policy], load: list[float]
) -> None:
    """The same inputs give the same timeline, and every step keeps the desired
    capacity within [MinSize, MaxSize] and in-service + warming + pending equal to
    it."""
    first = simulate(group, policies, load, warmup=60)
    second = simulate(group, policies, load, warmup=60)
    assert first == second
    assert len(first.points) == len(load)
    for point in first.points:
        assert group.min_size <= point.desired <= group.max_size
        assert point.in_service + point.warming + point.pending == point.desired


@given(
    st.lists(st.none() | st.integers(min_value=0, max_value=100), max_size=12),
    st.integers(min_value=1, max_value=6),
    st.data(),
)
def test_m_of_n_without_missing_data_treatment(
    points: list[int | None], n: int, data: st.DataObject
) -> None:
    """With notBreaching, an alarm is in ALARM exactly when at least M of its
    last N datapoints are above the threshold (missing ones count as good)."""
    m = data.draw(st.integers(min_value=1, max_value=n))
    alarm = Alarm(
        threshold=50,
        evaluation_periods=n,
        datapoints_to_alarm=m,
        treat_missing_data="notBreaching",  # type: ignore[arg-type]
    )
    breaching = sum(1 for p in points[-n:] if p is not None and p >= 50)
    expected = AlarmState.ALARM if breaching >= m else AlarmState.OK
    assert evaluate_alarm(alarm, points) == expected
