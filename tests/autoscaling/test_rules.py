"""Every documented example of the Auto Scaling rules, as a table.

Expected values are worked out by hand from the EC2 Auto Scaling User Guide
("Step and simple scaling policies", "Target tracking scaling policies") and the
Kubernetes HPA documentation, never from the code under test.
"""

from __future__ import annotations

from fractions import Fraction

import pytest

from awscore.autoscaling import (
    AdjustmentType,
    Alarm,
    AlarmState,
    ComparisonOperator,
    Group,
    HpaPolicy,
    ScalingState,
    SimpleScalingPolicy,
    StepAdjustment,
    StepScalingPolicy,
    TargetTrackingPolicy,
    apply_adjustment,
    evaluate,
    percent_adjustment,
)

CHANGE = AdjustmentType.CHANGE_IN_CAPACITY
EXACT = AdjustmentType.EXACT_CAPACITY
PERCENT = AdjustmentType.PERCENT_CHANGE_IN_CAPACITY


@pytest.mark.parametrize(
    ("capacity", "percent", "magnitude", "expected"),
    [
        (10, 125, None, 12),  # 12.5 rounds down
        (4, 10, None, 1),  # 0.4: between 0 and 1 becomes 1
        (4, -10, None, -1),  # -0.4: between -1 and 0 becomes -1
        (3, -222, None, -6),  # -6.66: below -1 rounds up (toward zero), -6
        (150, -4, None, -6),  # -6.0 exactly stays -6
        (4, 25, 2, 2),  # the guide's example: 25% of 4 is 1, minimum 2
        (4, -25, 2, -2),  # the minimum magnitude works for scale-in too
        (40, 25, 2, 10),  # a larger adjustment is left alone
        (8, -25, None, -2),
        (0, 50, None, 0),  # nothing to take a percentage of
    ],
)
def test_percent_rounding(
    capacity: int, percent: int, magnitude: int | None, expected: int
) -> None:
    assert percent_adjustment(capacity, percent, magnitude) == expected


def test_minus_six_point_six_seven_is_minus_six() -> None:
    """The guide's -6.67 becomes -6: -667% of 1 instance is exactly -6.67."""
    assert percent_adjustment(1, -667) == -6


@pytest.mark.parametrize(
    ("kind", "adjustment", "capacity", "expected"),
    [
        (CHANGE, 3, 4, 7),
        (CHANGE, -3, 4, 1),
        (EXACT, 6, 4, 6),
        (EXACT, 0, 4, 0),
        (PERCENT, 50, 4, 6),
    ],
)
def test_apply_adjustment(
    kind: AdjustmentType, adjustment: int, capacity: int, expected: int
) -> None:
    assert apply_adjustment(kind, adjustment, capacity) == expected


def _simple(
    kind: AdjustmentType, adjustment: int, name: str = "simple"
) -> SimpleScalingPolicy:
    return SimpleScalingPolicy(
        name=name,
        adjustment_type=kind,
        scaling_adjustment=adjustment,
        alarm=Alarm(name=name, threshold=70),
    )


@pytest.mark.parametrize(
    ("kind", "adjustment", "expected", "fragment"),
    [
        (CHANGE, 10, 10, "held at MaxSize 10"),
        (EXACT, 12, 10, "held at MaxSize 10"),
        (EXACT, 0, 2, "raised to MinSize 2"),
        (CHANGE, -5, 2, "raised to MinSize 2"),
    ],
)
def test_results_are_clamped_to_min_and_max(
    kind: AdjustmentType, adjustment: int, expected: int, fragment: str
) -> None:
    group = Group(min_size=2, max_size=10, desired_capacity=4)
    decision = evaluate(group, [_simple(kind, adjustment)], metric=80, now=0)
    assert decision.desired_capacity == expected
    assert fragment in decision.reason


def _steps() -> StepScalingPolicy:
    """The guide's example: threshold 50, +10% at [0,10), +20% at [10,20),
    +30% at [20, inf)."""
    return StepScalingPolicy(
        name="out",
        adjustment_type=PERCENT,
        step_adjustments=(
            StepAdjustment(lower_bound=0, upper_bound=10, scaling_adjustment=10),
            StepAdjustment(lower_bound=10, upper_bound=20, scaling_adjustment=20),
            StepAdjustment(lower_bound=20, upper_bound=None, scaling_adjustment=30),
        ),
        alarm=Alarm(name="high", threshold=50),
    )


def _scale_in_steps() -> StepScalingPolicy:
    """The guide's scale-in half: -10% at (-10, 0], -20% at (-20,-10], -30% below."""
    return StepScalingPolicy(
        name="in",
        adjustment_type=PERCENT,
        step_adjustments=(
            StepAdjustment(lower_bound=-10, upper_bound=0, scaling_adjustment=-10),
            StepAdjustment(lower_bound=-20, upper_bound=-10, scaling_adjustment=-20),
            StepAdjustment(lower_bound=None, upper_bound=-20, scaling_adjustment=-30),
        ),
        alarm=Alarm(
            name="low",
            threshold=50,
            comparison_operator=ComparisonOperator.LESS_THAN_OR_EQUAL_TO_THRESHOLD,
        ),
    )


@pytest.mark.parametrize(
    ("metric", "expected", "lower"),
    [
        (50, 11, 0),  # at the threshold: lower bound inclusive, +10% of 10 = 1
        (59.9, 11, 0),
        (60, 12, 10),  # 60 is in [10, 20): lower inclusive, upper exclusive
        (69, 12, 10),
        (70, 13, 20),
        (1000, 13, 20),
    ],
)
def test_step_bounds_above_the_threshold(
    metric: float, expected: int, lower: int
) -> None:
    group = Group(min_size=1, max_size=100, desired_capacity=10)
    decision = evaluate(group, [_steps()], metric=metric, now=0)
    assert decision.desired_capacity == expected
    assert decision.step is not None
    assert decision.step.lower_bound == lower


@pytest.mark.parametrize(
    ("metric", "expected", "upper"),
    [
        (50, 9, 0),  # exactly at the threshold of a <= alarm: upper inclusive
        (40.1, 9, 0),
        (40, 8, -10),  # -10: below the threshold the upper bound is inclusive
        (30.1, 8, -10),
        (30, 7, -20),  # -20 belongs to (-inf, -20]
        (0, 7, -20),
    ],
)
def test_step_bounds_below_the_threshold(
    metric: float, expected: int, upper: int
) -> None:
    group = Group(min_size=1, max_size=100, desired_capacity=10)
    decision = evaluate(group, [_scale_in_steps()], metric=metric, now=0)
    assert decision.desired_capacity == expected
    assert decision.step is not None
    assert decision.step.upper_bound == upper


def test_largest_capacity_wins_on_scale_in() -> None:
    """'remove 3' against '-25% of 8': -25% of 8 removes 2, leaving 6 > 5."""
    group = Group(min_size=1, max_size=20, desired_capacity=8)
    remove3 = SimpleScalingPolicy(
        name="remove3",
        adjustment_type=CHANGE,
        scaling_adjustment=-3,
        alarm=Alarm(
            name="a",
            threshold=20,
            comparison_operator=ComparisonOperator.LESS_THAN_THRESHOLD,
        ),
    )
    quarter = SimpleScalingPolicy(
        name="quarter",
        adjustment_type=PERCENT,
        scaling_adjustment=-25,
        alarm=Alarm(
            name="b",
            threshold=20,
            comparison_operator=ComparisonOperator.LESS_THAN_THRESHOLD,
        ),
    )
    decision = evaluate(group, [remove3, quarter], metric=10, now=0)
    assert decision.desired_capacity == 6
    assert decision.policy == "quarter"
    assert "largest capacity wins over remove3 5" in decision.reason


def test_largest_capacity_wins_on_scale_out() -> None:
    group = Group(min_size=1, max_size=20, desired_capacity=8)
    decision = evaluate(
        group, [_simple(CHANGE, 2, "a"), _simple(EXACT, 12, "b")], metric=90, now=0
    )
    assert (decision.desired_capacity, decision.policy) == (12, "b")


def test_simple_scaling_waits_for_cooldown_and_activity() -> None:
    group = Group(min_size=1, max_size=20, desired_capacity=4)
    policy = _simple(CHANGE, 1)
    cooling = ScalingState(simple_cooldown_until=300)
    waiting = evaluate(group, [policy], metric=90, now=299, state=cooling)
    assert waiting.desired_capacity == 4
    assert "cooldown runs until t=300" in waiting.reason
    assert evaluate(group, [policy], metric=90, now=300, state=cooling).adjustment == 1
    busy = ScalingState(simple_activity_in_progress=True)
    still = evaluate(group, [policy], metric=90, now=10_000, state=busy)
    assert still.desired_capacity == 4
    assert "still in progress" in still.reason


def _two_steps(first: int, second: int) -> StepScalingPolicy:
    """ChangeInCapacity on an alarm at 60: ``first`` for [0, 10), ``second`` above."""
    return StepScalingPolicy(
        adjustment_type=CHANGE,
        step_adjustments=(
            StepAdjustment(lower_bound=0, upper_bound=10, scaling_adjustment=first),
            StepAdjustment(lower_bound=10, upper_bound=None, scaling_adjustment=second),
        ),
        alarm=Alarm(threshold=60),
    )


def test_step_scaling_warmup() -> None:
    """Capacity 10 with 1 instance warming after a +1 step (desired 11): a repeat
    breach in the same step adds nothing; a breach in the +3 step adds 3 - 1."""
    policy = _two_steps(1, 3)
    group = Group(min_size=1, max_size=20, desired_capacity=11)
    warming = ScalingState(warming_capacity=1)
    same = evaluate(group, [policy], metric=65, now=0, state=warming)
    assert same.desired_capacity == 11
    assert "already cover it" in same.reason
    higher = evaluate(group, [policy], metric=75, now=0, state=warming)
    assert higher.desired_capacity == 13
    # and step scaling has no cooldown: with nothing warming it adds at once
    assert evaluate(group, [policy], metric=65, now=0).desired_capacity == 12


def test_step_scale_in_waits_for_warming_instances() -> None:
    group = Group(min_size=1, max_size=20, desired_capacity=10)
    decision = evaluate(
        group, [_scale_in_steps()], 45, 0, state=ScalingState(warming_capacity=2)
    )
    assert decision.desired_capacity == 10
    assert "waits for 2 warming" in decision.reason


@pytest.mark.parametrize(
    ("capacity", "metric", "expected"),
    [
        (10, 65, 13),  # 1.5 x ... : 10 x 65/50 = 13 exactly
        (10, 57.5, 12),  # 11.5: 1.5 to add rounds up to 2
        (10, 42.5, 9),  # 8.5: 1.5 to remove rounds down to 1
        (10, 20, 4),
        (10, 46, 10),  # 46 is above 45 (90% of 50): not clearly below target
        (10, 48, 10),
        (10, 50, 10),
    ],
)
def test_target_tracking_rounding(capacity: int, metric: float, expected: int) -> None:
    group = Group(min_size=1, max_size=100, desired_capacity=capacity)
    policy = TargetTrackingPolicy(target_value=50)
    assert evaluate(group, [policy], metric, 0).desired_capacity == expected


def test_target_tracking_scale_in_threshold_is_configurable() -> None:
    group = Group(min_size=1, max_size=100, desired_capacity=10)
    strict = TargetTrackingPolicy(target_value=50, scale_in_ratio=Fraction(1))
    assert evaluate(group, [strict], 46, 0).desired_capacity == 10  # ceil(9.2)
    assert evaluate(group, [strict], 44, 0).desired_capacity == 9  # ceil(8.8)
    assert strict.low_alarm.threshold == 50
    assert TargetTrackingPolicy(target_value=50).low_alarm.threshold == 45


def test_target_tracking_alarms_are_aws_shaped() -> None:
    policy = TargetTrackingPolicy(target_value=40)
    high, low = policy.high_alarm, policy.low_alarm
    assert (high.evaluation_periods, high.required, high.period) == (3, 3, 60)
    assert high.comparison_operator == ComparisonOperator.GREATER_THAN_THRESHOLD
    assert (low.evaluation_periods, low.required, low.period) == (15, 15, 60)
    assert low.comparison_operator == ComparisonOperator.LESS_THAN_THRESHOLD
    assert low.threshold == 36


def test_target_tracking_uses_alarm_states_when_given() -> None:
    group = Group(min_size=1, max_size=100, desired_capacity=10)
    policy = TargetTrackingPolicy(target_value=50)
    quiet = ScalingState(
        alarm_states={
            policy.high_alarm.name: AlarmState.OK,
            policy.low_alarm.name: AlarmState.OK,
        }
    )
    # 2 of 3 high datapoints: the alarm is still OK, so nothing happens yet
    assert evaluate(group, [policy], 80, 0, state=quiet).desired_capacity == 10


def test_disable_scale_in_and_warming_block_scale_in() -> None:
    group = Group(min_size=1, max_size=100, desired_capacity=10)
    disabled = TargetTrackingPolicy(target_value=50, disable_scale_in=True)
    assert evaluate(group, [disabled], 10, 0).desired_capacity == 10
    assert evaluate(group, [disabled], 80, 0).desired_capacity == 16
    plain = TargetTrackingPolicy(target_value=50)
    warming = ScalingState(warming_capacity=1)
    blocked = evaluate(group, [plain], 10, 0, state=warming)
    assert blocked.desired_capacity == 10
    assert "waits for 1 warming" in blocked.reason


def test_target_tracking_warming_instances_do_not_count() -> None:
    """10 wanted, 2 still warming: 8 produce the metric; ceil(8 x 75/50) = 12."""
    group = Group(min_size=1, max_size=100, desired_capacity=10)
    policy = TargetTrackingPolicy(target_value=50)
    state = ScalingState(warming_capacity=2)
    assert evaluate(group, [policy], 75, 0, state=state).desired_capacity == 12
    covered = evaluate(group, [policy], 60, 0, state=state)  # ceil(9.6) = 10
    assert covered.desired_capacity == 10


def test_several_target_tracking_policies() -> None:
    """Scale out if any wants to; scale in only if all do."""
    group = Group(min_size=1, max_size=100, desired_capacity=10)
    cpu = TargetTrackingPolicy(name="cpu", target_value=50)
    strict = TargetTrackingPolicy(name="strict", target_value=20)
    loose = TargetTrackingPolicy(name="loose", target_value=100)
    # metric 30: cpu wants in (6), strict wants out (15): out wins
    assert evaluate(group, [cpu, strict], 30, 0).desired_capacity == 15
    # metric 30: cpu wants in (6), loose wants in (3): both agree, largest is 6
    both = evaluate(group, [cpu, loose], 30, 0)
    assert (both.desired_capacity, both.policy) == (6, "cpu")
    # metric 47: cpu is in its band (no action), loose wants in: no scale-in
    vetoed = evaluate(group, [cpu, loose], 47, 0)
    assert vetoed.desired_capacity == 10
    assert "only when every tracking policy does" in vetoed.reason


@pytest.mark.parametrize(
    ("metric", "expected"),
    [
        (54, 10),  # ratio 1.08: within the 10% tolerance
        (45, 10),  # ratio 0.9: at the tolerance edge, no action
        (56, 12),  # ceil(10 x 1.12) = 12
        (44, 9),  # ceil(10 x 0.88) = 9
    ],
)
def test_hpa_formula_and_tolerance(metric: float, expected: int) -> None:
    group = Group(min_size=1, max_size=100, desired_capacity=10)
    policy = HpaPolicy(target_value=50)
    assert evaluate(group, [policy], metric, 0).desired_capacity == expected


def test_hpa_scale_down_stabilization() -> None:
    group = Group(min_size=1, max_size=100, desired_capacity=10)
    policy = HpaPolicy(target_value=50)
    history = ScalingState(hpa_history={"hpa": ((0, 10), (100, 8))})
    # now 200: recommendations 10 (t=0) and 8 (t=100) are in the window: hold 10
    held = evaluate(group, [policy], 20, 200, state=history)
    assert held.desired_capacity == 10
    assert held.outcomes[0].recommendation == 4
    # now 350: t=0 left the window; the highest left is 8
    assert evaluate(group, [policy], 20, 350, state=history).desired_capacity == 8
    # now 450: only the new recommendation, 4
    assert evaluate(group, [policy], 20, 450, state=history).desired_capacity == 4


def test_hpa_counts_unready_pods_as_idle_when_scaling_up() -> None:
    """10 pods, 4 unready, ready ones at 80 with target 50: as if the 4 used 0,
    the average is 48, within tolerance: no scale-up."""
    group = Group(min_size=1, max_size=100, desired_capacity=10)
    state = ScalingState(warming_capacity=4)
    assert (
        evaluate(group, [HpaPolicy(target_value=50)], 80, 0, state=state).adjustment
        == 0
    )


def test_no_policy_fires() -> None:
    group = Group(min_size=1, max_size=10, desired_capacity=4)
    decision = evaluate(group, [_steps()], 10, 0)
    assert (decision.policy, decision.direction, decision.adjustment) == (
        None,
        "none",
        0,
    )
    assert decision.reason == "no change: out: alarm is OK"
    assert evaluate(group, [], 10, 0).reason == "no change: no policies"


def test_direction() -> None:
    group = Group(min_size=1, max_size=10, desired_capacity=4)
    assert evaluate(group, [_simple(CHANGE, 1)], 80, 0).direction == "out"
    assert evaluate(group, [_simple(CHANGE, -1)], 80, 0).direction == "in"


def test_step_alarm_in_alarm_but_metric_in_no_step() -> None:
    """The alarm state says ALARM (its datapoints breached) but the metric given
    now lies below the threshold, outside every step: nothing to do."""
    group = Group(min_size=1, max_size=100, desired_capacity=10)
    state = ScalingState(alarm_states={"high": AlarmState.ALARM})
    decision = evaluate(group, [_steps()], 40, 0, state=state)
    assert decision.desired_capacity == 10
    assert "metric 40 is -10 from threshold 50, in no step" in decision.reason


def test_a_zero_step_adds_nothing() -> None:
    policy = _two_steps(0, 2)
    group = Group(min_size=1, max_size=100, desired_capacity=10)
    decision = evaluate(group, [policy], 65, 0)
    assert decision.desired_capacity == 10
    assert "its adjustment is 0" in decision.reason


def test_step_intervals_read_as_the_bounds_apply() -> None:
    """Above the threshold the lower bound is inclusive and the upper exclusive;
    below it the reverse (the step adjustment rules), and the text says so."""
    above = StepAdjustment(lower_bound=10, upper_bound=None, scaling_adjustment=25)
    below = StepAdjustment(lower_bound=None, upper_bound=-10, scaling_adjustment=-1)
    middle = StepAdjustment(lower_bound=-10, upper_bound=0, scaling_adjustment=0)
    assert above.interval(above=True) == "[10, +inf)"
    assert below.interval(above=False) == "(-inf, -10]"
    assert middle.interval(above=False) == "(-10, 0]"


def test_the_issue_signatures_take_positional_arguments() -> None:
    """The Public API as the issue writes it: Group(min_size, max_size,
    desired_capacity, default_cooldown=300, default_instance_warmup=None),
    StepAdjustment(lower_bound, upper_bound, scaling_adjustment) and
    StepScalingPolicy(adjustment_type, step_adjustments, min_adjustment_magnitude
    =None, ...), with the alarm by keyword."""
    group = Group(2, 10, 4)
    assert group == Group(min_size=2, max_size=10, desired_capacity=4)
    assert Group(2, 10, 4, 120, 30).default_instance_warmup == 30
    step = StepAdjustment(10, None, 25)
    assert step == StepAdjustment(
        lower_bound=10, upper_bound=None, scaling_adjustment=25
    )
    policy = StepScalingPolicy(PERCENT, (step,), 2, alarm=Alarm(threshold=60))
    assert policy.min_adjustment_magnitude == 2
    assert evaluate(group, [policy], 73, 0).desired_capacity == 6
