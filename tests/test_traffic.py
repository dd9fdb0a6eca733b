"""Traffic profiles: 24 hourly rates, weekday and weekend, and the presets."""

from __future__ import annotations

import math

import pytest

from calculator.estimator import EstimatorInputError, limits
from calculator.estimator import traffic as T

RISING = tuple(float(h + 1) for h in range(24))  # 1, 2, ..., 24 requests/s


def test_a_day_profile_holds_24_hourly_means():
    day = T.DayProfile(RISING)
    # 1 + 2 + ... + 24 = 300 requests/s-hours: 300 x 3,600 requests, 12.5 requests/s mean.
    assert day.requests_per_day == 1_080_000
    assert day.mean_rate == 12.5
    assert day.peak_rate == 24
    assert day.trough_rate == 1
    assert day.peak_hour == 23


def test_a_flat_day_has_its_rate_every_hour():
    day = T.DayProfile.flat(3.0)
    assert day.rates == (3.0,) * 24
    assert day.mean_rate == day.peak_rate == 3.0


def test_rates_typed_as_text_read_with_commas_or_spaces():
    text = "0, 0,0 0 " + ", ".join(["2.5"] * 20)
    day = T.DayProfile.parse(text)
    assert day.rates == (0.0,) * 4 + (2.5,) * 20


@pytest.mark.parametrize(
    ("rates", "message"),
    [
        (RISING[:23], "Give 24 hourly rates, one for each hour (0 to 23); got 23."),
        ((0.0,) * 24, "At least one hour must have traffic."),
        ((-1.0,) + RISING[1:], "Hour 0: must be 0 or more."),
        (RISING[:5] + (math.nan,) + RISING[6:], "Hour 5: must be a finite number."),
        (RISING[:5] + (math.inf,) + RISING[6:], "Hour 5: must be a finite number."),
        (RISING[:23] + (True,), "Hour 23: True is not a number."),
        (RISING[:23] + ("1",), "Hour 23: '1' is not a number."),
        (RISING[:23] + (1e5 + 1,), "Hour 23: at most 100,000 requests/s."),
        ("1,2,3", "Give 24 hourly rates, one for each hour."),
    ],
)
def test_a_profile_refuses_what_is_not_24_rates(rates, message):
    with pytest.raises(EstimatorInputError) as error:
        T.DayProfile(rates)
    assert error.value.field == "hourly_rates"
    assert error.value.message == message


def test_typed_rates_name_the_hour_that_is_not_a_number():
    with pytest.raises(EstimatorInputError, match=r"Hour 2: 'abc' is not a number\."):
        T.DayProfile.parse("1, 1, abc" + ", 1" * 21)
    with pytest.raises(EstimatorInputError, match="got 25"):
        T.DayProfile.parse(", ".join(["1"] * 25))
    with pytest.raises(EstimatorInputError, match="At most 1,000 characters"):
        T.DayProfile.parse("1" * 1001)


def test_an_hour_may_ask_no_more_than_the_planner_plans_for():
    assert T.MAX_HOURLY_RATE == limits.MAX_PLAN_RATE
    T.DayProfile((limits.MAX_PLAN_RATE,) * 24)


def test_a_week_bills_five_weekdays_and_two_weekend_days():
    week = T.WeekProfile(T.DayProfile.flat(7.0), T.DayProfile((0.0,) * 24, allow_idle=True))
    assert week.has_weekend
    assert week.mean_rate == pytest.approx(5.0)  # 7 x 5 / 7
    assert week.peak_rate == 7.0
    alike = T.WeekProfile.every_day(T.DayProfile.flat(7.0))
    assert not alike.has_weekend
    assert alike.mean_rate == 7.0


def test_a_week_without_any_traffic_is_refused():
    idle = T.DayProfile((0.0,) * 24, allow_idle=True)
    with pytest.raises(EstimatorInputError, match="At least one hour"):
        T.WeekProfile(idle, idle)


# Presets


@pytest.mark.parametrize("name", list(T.Preset))
def test_each_preset_is_a_shape_in_percent_of_its_weekday_peak_with_a_source(name):
    shape = T.SHAPES[name]
    assert len(shape.weekday) == len(shape.weekend) == 24
    assert max(shape.weekday) == 100
    assert all(0 < share <= 100 for share in shape.weekday + shape.weekend)
    assert shape.source


@pytest.mark.parametrize("name", list(T.Preset))
def test_a_preset_scales_to_a_weekday_volume_or_peak(name):
    by_volume = T.preset(name, requests_per_day=1_000_000)
    assert by_volume.weekday.requests_per_day == pytest.approx(1_000_000)
    by_peak = T.preset(name, peak_rate=40.0)
    assert by_peak.weekday.peak_rate == pytest.approx(40.0)
    # The weekend keeps the shape's proportion to the weekday.
    shape = T.SHAPES[name]
    ratio = sum(shape.weekend) / sum(shape.weekday)
    assert by_peak.weekend.requests_per_day == pytest.approx(
        by_peak.weekday.requests_per_day * ratio
    )


def test_office_hours_are_busy_in_the_afternoon_and_nine_times_quieter_at_night():
    week = T.preset(T.Preset.OFFICE_HOURS, peak_rate=10.0)
    day = week.weekday
    assert 13 <= day.peak_hour <= 16
    assert day.peak_rate / day.trough_rate == pytest.approx(100 / 11)
    assert day.rates[3] < day.rates[9] < day.rates[15]
    # Weekends are about a third of a weekday.
    assert week.weekend.requests_per_day / day.requests_per_day == pytest.approx(0.33, abs=0.01)


def test_global_traffic_never_falls_below_half_its_peak():
    day = T.preset(T.Preset.GLOBAL, peak_rate=10.0).weekday
    assert day.trough_rate / day.peak_rate == pytest.approx(0.52)


def test_batch_at_night_runs_flat_out_at_night_and_lightly_by_day():
    day = T.preset(T.Preset.BATCH_AT_NIGHT, peak_rate=10.0).weekday
    assert [h for h, rate in enumerate(day.rates) if rate == 10.0] == [0, 1, 2, 3, 4, 5, 22, 23]
    assert day.rates[12] == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("kwargs", "field", "message"),
    [
        ({"name": "rush_hour", "peak_rate": 1.0}, "traffic_preset", "One of office_hours"),
        ({"name": "global"}, "traffic_preset", "Give a daily volume or a peak rate."),
        (
            {"name": "global", "peak_rate": 1.0, "requests_per_day": 10.0},
            "traffic_preset",
            "Give a daily volume or a peak rate.",
        ),
        ({"name": "global", "peak_rate": 0.0}, "rate", "Must be above 0."),
        ({"name": "global", "requests_per_day": math.nan}, "requests_per_day", "above 0"),
        ({"name": "global", "peak_rate": 2e5}, "hourly_rates", "at most 100,000"),
    ],
)
def test_a_preset_needs_a_known_name_and_one_scale(kwargs, field, message):
    name = kwargs.pop("name")
    with pytest.raises(EstimatorInputError) as error:
        T.preset(name, **kwargs)
    assert error.value.field == field
    assert message in error.value.message
