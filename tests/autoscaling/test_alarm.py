"""CloudWatch alarm evaluation: M of N, comparison operators, missing data."""

from __future__ import annotations

import pytest

from awscore.autoscaling import (
    Alarm,
    AlarmState,
    AutoScalingInputError,
    ComparisonOperator,
    TreatMissingData,
    evaluate_alarm,
)

OK, ALARM, INSUFFICIENT = AlarmState.OK, AlarmState.ALARM, AlarmState.INSUFFICIENT_DATA


@pytest.mark.parametrize(
    ("operator", "value", "breaches"),
    [
        (ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD, 70, True),
        (ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD, 69.9, False),
        (ComparisonOperator.GREATER_THAN_THRESHOLD, 70, False),
        (ComparisonOperator.GREATER_THAN_THRESHOLD, 70.1, True),
        (ComparisonOperator.LESS_THAN_THRESHOLD, 70, False),
        (ComparisonOperator.LESS_THAN_THRESHOLD, 69.9, True),
        (ComparisonOperator.LESS_THAN_OR_EQUAL_TO_THRESHOLD, 70, True),
        (ComparisonOperator.LESS_THAN_OR_EQUAL_TO_THRESHOLD, 70.1, False),
    ],
)
def test_comparison_operators(
    operator: ComparisonOperator, value: float, breaches: bool
) -> None:
    assert Alarm(threshold=70, comparison_operator=operator).breaches(value) is breaches


def three_of_five(treat: TreatMissingData) -> Alarm:
    return Alarm(
        threshold=50,
        evaluation_periods=5,
        datapoints_to_alarm=3,
        treat_missing_data=treat,
    )


@pytest.mark.parametrize(
    ("points", "expected"),
    [
        ([60, 60, 60, 10, 10], ALARM),  # 3 of 5 breach
        ([60, 10, 60, 10, 60], ALARM),  # need not be consecutive
        ([60, 60, 10, 10, 10], OK),
        ([60, 60, 60, 10, 10, 10], OK),  # the oldest is outside the 5
        ([60, 60, 60], ALARM),  # a short series: the missing ones do not count
    ],
)
def test_m_of_n(points: list[float], expected: AlarmState) -> None:
    assert evaluate_alarm(three_of_five(TreatMissingData.MISSING), points) == expected


@pytest.mark.parametrize(
    ("treat", "points", "previous", "expected"),
    [
        (TreatMissingData.MISSING, [None] * 5, OK, INSUFFICIENT),
        (TreatMissingData.MISSING, [None, None, 60, 60, 60], OK, ALARM),
        (TreatMissingData.MISSING, [None, None, None, 60, 60], ALARM, OK),
        (TreatMissingData.BREACHING, [None, None, 10, 10, 60], OK, ALARM),
        (TreatMissingData.BREACHING, [None, 10, 10, 10, 60], OK, OK),
        (TreatMissingData.BREACHING, [None] * 5, OK, ALARM),
        (TreatMissingData.NOT_BREACHING, [None, None, None, 60, 60], ALARM, OK),
        (TreatMissingData.NOT_BREACHING, [None] * 5, ALARM, OK),
        (TreatMissingData.IGNORE, [None] * 5, ALARM, ALARM),  # state kept
        (TreatMissingData.IGNORE, [None] * 5, OK, OK),
        (TreatMissingData.IGNORE, [None, None, 10, 60, 60], OK, OK),  # undecided
        (TreatMissingData.IGNORE, [None, None, 10, 60, 60], ALARM, ALARM),
        (TreatMissingData.IGNORE, [None, 10, 10, 10, 60], ALARM, OK),  # decided
        (TreatMissingData.IGNORE, [None, None, 60, 60, 60], OK, ALARM),
    ],
)
def test_missing_data(
    treat: TreatMissingData,
    points: list[float | None],
    previous: AlarmState,
    expected: AlarmState,
) -> None:
    alarm = three_of_five(treat)
    assert evaluate_alarm(alarm, points, previous=previous) == expected


def test_defaults() -> None:
    alarm = Alarm(threshold=1)
    assert (alarm.period, alarm.evaluation_periods, alarm.required) == (60, 1, 1)
    assert alarm.treat_missing_data == TreatMissingData.MISSING
    assert evaluate_alarm(alarm, []) == INSUFFICIENT


def test_strings_are_accepted_for_enums() -> None:
    alarm = Alarm(
        threshold=1,
        comparison_operator="LessThanThreshold",  # type: ignore[arg-type]
        treat_missing_data="breaching",  # type: ignore[arg-type]
    )
    assert alarm.comparison_operator is ComparisonOperator.LESS_THAN_THRESHOLD
    assert alarm.treat_missing_data is TreatMissingData.BREACHING


def test_every_alarm_problem_is_listed() -> None:
    with pytest.raises(AutoScalingInputError) as caught:
        Alarm(
            threshold=float("nan"),
            comparison_operator="Above",  # type: ignore[arg-type]
            treat_missing_data="skip",  # type: ignore[arg-type]
            period=45,
            evaluation_periods=0,
            datapoints_to_alarm=3,
            name="cpu",
        )
    problems = caught.value.problems
    assert len(problems) == 6
    assert "Alarm 'cpu' threshold=nan is not finite" in problems[0]
    assert "'Above' is not one of GreaterThanOrEqualToThreshold" in problems[1]
    assert "'skip' is not one of missing, ignore" in problems[2]
    assert "period=45 must be 10, 30 or a positive multiple of 60" in problems[3]
    assert "evaluation_periods=0" in problems[4]
    assert "datapoints_to_alarm=3" in problems[5]


@pytest.mark.parametrize("period", [10, 30, 60, 300])
def test_accepted_periods(period: int) -> None:
    assert Alarm(threshold=1, period=period).period == period


def test_bad_datapoints() -> None:
    with pytest.raises(AutoScalingInputError, match=r"datapoint 1=inf is not finite"):
        evaluate_alarm(Alarm(threshold=1, evaluation_periods=2), [1, float("inf")])
    with pytest.raises(AutoScalingInputError, match=r"datapoint 0='x' is not a number"):
        evaluate_alarm(Alarm(threshold=1), ["x"])  # type: ignore[list-item]
