"""Bad input: typed AutoScalingInputError listing every problem found."""

from __future__ import annotations

import pytest

from awscore.autoscaling import (
    AdjustmentType,
    Alarm,
    AlarmState,
    Group,
    HpaPolicy,
    ScalingState,
    SimpleScalingPolicy,
    StepAdjustment,
    StepScalingPolicy,
    TargetTrackingPolicy,
    evaluate,
)
from awscore.errors import AutoScalingError, AutoScalingInputError

CHANGE = AdjustmentType.CHANGE_IN_CAPACITY


def problems_of(error: pytest.ExceptionInfo[AutoScalingInputError]) -> tuple[str, ...]:
    assert isinstance(error.value, AutoScalingError)
    assert isinstance(error.value, ValueError)
    assert str(error.value) == "; ".join(error.value.problems)
    return error.value.problems


def test_min_greater_than_max() -> None:
    with pytest.raises(AutoScalingInputError) as caught:
        Group(min_size=5, max_size=2, desired_capacity=3)
    assert problems_of(caught) == (
        "Group min_size=5 is greater than max_size=2: must be min_size <= max_size",
    )


def test_desired_outside_bounds_and_bad_timers_all_listed() -> None:
    with pytest.raises(AutoScalingInputError) as caught:
        Group(
            min_size=1,
            max_size=3,
            desired_capacity=4,
            default_cooldown=-1,
            default_instance_warmup=1.5,  # type: ignore[arg-type]
        )
    assert problems_of(caught) == (
        "Group desired_capacity=4 is outside [min_size, max_size] = [1, 3]",
        "Group default_cooldown=-1 must be a whole number of seconds >= 0",
        "Group default_instance_warmup=1.5 must be a whole number of seconds >= 0",
    )


def test_non_integer_sizes() -> None:
    with pytest.raises(AutoScalingInputError) as caught:
        Group(min_size=True, max_size="3", desired_capacity=-1)  # type: ignore[arg-type]
    assert len(problems_of(caught)) == 3


def steps(*bounds: tuple[float | None, float | None]) -> tuple[StepAdjustment, ...]:
    return tuple(
        StepAdjustment(lower_bound=lo, upper_bound=hi, scaling_adjustment=1)
        for lo, hi in bounds
    )


def step_policy(*bounds: tuple[float | None, float | None]) -> StepScalingPolicy:
    return StepScalingPolicy(
        adjustment_type=CHANGE,
        step_adjustments=steps(*bounds),
        alarm=Alarm(threshold=1),
    )


def test_overlapping_steps() -> None:
    with pytest.raises(AutoScalingInputError) as caught:
        step_policy((0, 10), (5, None))
    assert problems_of(caught) == (
        "StepScalingPolicy 'step' steps 0 and 1 overlap: [0, 10) and [5, None)",
    )


def test_gapped_steps() -> None:
    with pytest.raises(AutoScalingInputError) as caught:
        step_policy((0, 10), (20, None))
    assert problems_of(caught) == (
        "StepScalingPolicy 'step' steps 0 and 1 leave a gap between 10 and 20: "
        "steps must be contiguous",
    )


def test_two_null_lower_bounds_and_two_null_upper_bounds() -> None:
    with pytest.raises(AutoScalingInputError) as caught:
        step_policy((None, 0), (None, 10), (10, None), (20, None))
    found = problems_of(caught)
    assert found[0] == (
        "StepScalingPolicy 'step' steps [0, 1] all have a null lower bound: "
        "at most one may"
    )
    assert found[1] == (
        "StepScalingPolicy 'step' steps [2, 3] all have a null upper bound: "
        "at most one may"
    )


def test_unordered_steps_are_accepted() -> None:
    policy = step_policy((10, None), (None, 0), (0, 10))
    assert len(policy.step_adjustments) == 3


def test_bad_step_and_policy_fields_listed_together() -> None:
    with pytest.raises(AutoScalingInputError) as caught:
        StepAdjustment(lower_bound=5, upper_bound=5, scaling_adjustment=1.5)  # type: ignore[arg-type]
    assert len(problems_of(caught)) == 2
    with pytest.raises(AutoScalingInputError) as caught:
        StepScalingPolicy(
            name="",
            adjustment_type="Double",  # type: ignore[arg-type]
            step_adjustments=(),
            alarm=None,  # type: ignore[arg-type]
            min_adjustment_magnitude=0,
            estimated_instance_warmup=-5,
        )
    found = problems_of(caught)
    assert found[0] == "StepScalingPolicy name='' must be a non-empty string"
    assert "adjustment_type='Double' is not one of ChangeInCapacity" in found[1]
    assert "has no step adjustments" in found[2]
    assert "alarm=None is not an Alarm" in found[3]
    assert "min_adjustment_magnitude=0 must be an integer in [1," in found[4]
    assert "estimated_instance_warmup=-5" in found[5]
    with pytest.raises(AutoScalingInputError, match="not a sequence"):
        StepScalingPolicy(
            adjustment_type=CHANGE,
            step_adjustments="steps",  # type: ignore[arg-type]
            alarm=Alarm(threshold=1),
        )
    with pytest.raises(
        AutoScalingInputError, match=r"step 0 is 3, not a StepAdjustment"
    ):
        StepScalingPolicy(
            adjustment_type=CHANGE,
            step_adjustments=(3,),  # type: ignore[arg-type]
            alarm=Alarm(threshold=1),
        )


def test_negative_exact_capacity() -> None:
    with pytest.raises(AutoScalingInputError) as caught:
        SimpleScalingPolicy(
            adjustment_type=AdjustmentType.EXACT_CAPACITY,
            scaling_adjustment=-1,
            alarm=Alarm(threshold=1),
        )
    assert problems_of(caught) == (
        "SimpleScalingPolicy 'simple' ExactCapacity scaling_adjustment=-1 is "
        "negative: must be >= 0",
    )
    with pytest.raises(AutoScalingInputError, match="step 0 ExactCapacity"):
        StepScalingPolicy(
            adjustment_type=AdjustmentType.EXACT_CAPACITY,
            step_adjustments=(
                StepAdjustment(lower_bound=0, upper_bound=None, scaling_adjustment=-2),
            ),
            alarm=Alarm(threshold=1),
        )


def test_simple_policy_problems() -> None:
    with pytest.raises(AutoScalingInputError) as caught:
        SimpleScalingPolicy(
            adjustment_type=CHANGE,
            scaling_adjustment="1",  # type: ignore[arg-type]
            alarm=Alarm(threshold=1),
            cooldown=-1,
            min_adjustment_magnitude=2,
        )
    found = problems_of(caught)
    assert "scaling_adjustment='1' must be an integer" in found[0]
    assert "cooldown=-1" in found[1]
    assert (
        "min_adjustment_magnitude is only valid with PercentChangeInCapacity"
        in (found[2])
    )


def test_target_tracking_and_hpa_problems() -> None:
    with pytest.raises(AutoScalingInputError) as caught:
        TargetTrackingPolicy(
            target_value=0,
            scale_in_ratio=2,
            disable_scale_in="no",  # type: ignore[arg-type]
            high_datapoints=0,
            low_datapoints=True,
            estimated_instance_warmup=-1,
        )
    assert len(problems_of(caught)) == 6
    # in the domain's words, not Python's ("bool")
    assert "disable_scale_in='no' must be true or false" in str(caught.value)
    with pytest.raises(AutoScalingInputError) as caught:
        HpaPolicy(target_value=-1, tolerance=1, stabilization_window=-1)
    assert len(problems_of(caught)) == 3


@pytest.mark.parametrize(
    "metric", [float("nan"), float("inf"), -float("inf"), "73", None, True]
)
def test_non_finite_metric(metric: object) -> None:
    group = Group(min_size=1, max_size=3, desired_capacity=2)
    with pytest.raises(AutoScalingInputError, match="metric="):
        evaluate(group, [HpaPolicy(target_value=1)], metric, 0)  # type: ignore[arg-type]


def test_evaluate_lists_every_argument_problem() -> None:
    with pytest.raises(AutoScalingInputError) as caught:
        evaluate(
            "group",  # type: ignore[arg-type]
            [HpaPolicy(target_value=1), HpaPolicy(target_value=2), "p"],  # type: ignore[list-item]
            float("nan"),
            float("inf"),
        )
    found = problems_of(caught)
    assert found[0] == "group='group' is not a Group"
    assert "repeats the name 'hpa'" in found[1]
    assert "policies[2]='p' is not a scaling policy" in found[2]
    assert "metric=nan" in found[3]
    assert "now=inf" in found[4]
    with pytest.raises(AutoScalingInputError, match="not a sequence of policies"):
        evaluate(Group(min_size=0, max_size=1, desired_capacity=0), "x", 1, 0)  # type: ignore[arg-type]
    with pytest.raises(AutoScalingInputError, match="is not a ScalingState"):
        evaluate(Group(min_size=0, max_size=1, desired_capacity=0), [], 1, 0, state=1)  # type: ignore[arg-type]


def test_scaling_state_problems_all_listed() -> None:
    with pytest.raises(AutoScalingInputError) as caught:
        ScalingState(
            warming_capacity=-1,
            simple_cooldown_until="soon",  # type: ignore[arg-type]
            simple_activity_in_progress=1,  # type: ignore[arg-type]
            alarm_states={"high": "RED"},  # type: ignore[dict-item]
            hpa_history={"hpa": ((0, 1), ("x", 2)), "other": "x"},  # type: ignore[dict-item]
        )
    found = problems_of(caught)
    assert found[0] == "ScalingState warming_capacity=-1 must be an integer >= 0"
    assert "simple_cooldown_until='soon' is not a number" in found[1]
    assert "simple_activity_in_progress=1 must be true or false" in found[2]
    assert "alarm_states['high']='RED' is not one of OK, ALARM" in found[3]
    assert "hpa_history['hpa'] time='x' is not a number" in found[4]
    assert "hpa_history['hpa'] entry ('x', 2) must be a sequence of" in found[5]
    assert "hpa_history['other']='x' must be a sequence of" in found[6]
    with pytest.raises(AutoScalingInputError) as caught:
        ScalingState(alarm_states=[], hpa_history=None)  # type: ignore[arg-type]
    assert len(problems_of(caught)) == 2


def test_scaling_state_accepts_strings_for_alarm_states() -> None:
    state = ScalingState(alarm_states={"high": "ALARM"})  # type: ignore[dict-item]
    assert state.alarm_states["high"] is AlarmState.ALARM
