"""Autoscaling over a day: replicas, SLO attainment, and the month's bills."""

from __future__ import annotations

import math

import pytest

from calculator.estimator import Dtype, EstimatorInputError, Workload, saturation_rate
from calculator.estimator import autoscale as S
from calculator.estimator import planner as P
from calculator.estimator.traffic import DayProfile, Preset, WeekProfile, preset
from tests.estimator_fixtures import GPT_35, H100_SXM, LLAMA_3_8B, ROUND_ENGINE

# One replica serves 2 requests/s within the targets at p95, 3 flat out.
REPLICA = S.ReplicaCapacity(within_targets=2.0, saturation=3.0, percentile="p95")
PRICE = 10.0  # per replica-hour
NO_DELAY = S.Policy(scale_up_delay_s=0)
# Quiet at 1 request/s, busy at 10 from 8:00 to 20:00: the peak is ten times the trough.
TEN_X = DayProfile((1.0,) * 8 + (10.0,) * 12 + (1.0,) * 4)
RAMP_HOURS = (7, 8)  # the ramp from 7:30 to 8:30


def run(profile, policy=NO_DELAY, **kwargs):
    kwargs.setdefault("usd_per_replica_hour", PRICE)
    return S.autoscale(profile, REPLICA, policy, **kwargs)


# The sizing rule


@pytest.mark.parametrize(
    ("rate", "capacity", "utilization", "replicas"),
    [(4, 2, 1.0, 2), (4.1, 2, 1.0, 3), (1.6, 1, 0.8, 2), (5, 2, 0.8, 4), (0, 2, 0.8, 0)],
)
def test_replicas_keep_each_at_the_target_utilization(rate, capacity, utilization, replicas):
    assert S.replicas_for(rate, capacity, utilization) == replicas


# Attainment


def test_the_queueing_attainment_gives_the_percentile_at_capacity_and_none_at_saturation():
    share = S.queueing_attainment(REPLICA)
    assert share(2.0) == pytest.approx(0.95)
    assert share(3.0) == share(4.0) == 0.0
    # At no load: 1 - 0.05^(3 / (3 - 2)) = 0.999875.
    assert share(0.0) == pytest.approx(1 - 0.05**3)
    loads = [0.2 * i for i in range(16)]
    shares = [share(x) for x in loads]
    assert shares == sorted(shares, reverse=True)


# A day


def test_demand_keeps_the_days_requests_and_its_flat_hours():
    rates = S.demand(TEN_X)
    assert math.fsum(rates) * S.STEP_S == pytest.approx(TEN_X.requests_per_day)
    assert max(rates) <= TEN_X.peak_rate
    assert rates[12 * 60] == 10.0 and rates[2 * 60] == 1.0
    # 7:30 to 8:30 rises linearly from 1 to 10.
    assert rates[8 * 60] == pytest.approx(5.5, abs=0.1)
    assert S.demand(DayProfile.flat(3.0)) == [3.0] * S.STEPS_PER_DAY


def test_a_flat_day_keeps_a_flat_fleet():
    day = run(DayProfile.flat(5.0)).weekday
    # 5 / (0.8 x 2) = 3.125: four replicas all day.
    assert {h.replicas for h in day.hours} == {4.0}
    assert day.replica_hours == pytest.approx(96.0)
    # Each replica at 1.25 requests/s: 1 - 0.05^((3 - 1.25) / 1).
    assert day.slo_attainment == pytest.approx(1 - 0.05**1.75)
    assert all(h.queued_max == 0 for h in day.hours)


def test_the_fleet_follows_the_day():
    day = run(TEN_X).weekday
    night, noon = day.hours[3], day.hours[12]
    assert night.replicas == 1.0  # 1 / 1.6 -> 1
    assert noon.replicas == 7.0  # 10 / 1.6 = 6.25 -> 7
    assert all(h.slo_attainment >= 0.95 for h in day.hours)


def test_min_and_max_replicas_bound_the_fleet():
    floor = run(TEN_X, S.Policy(min_replicas=3, scale_up_delay_s=0)).weekday
    assert floor.hours[3].replicas == 3.0
    capped = run(TEN_X, S.Policy(max_replicas=4, scale_up_delay_s=0))
    assert capped.weekday.hours[12].replicas == 4.0
    # Four replicas complete at most 12 requests/s: 10 arrive, each replica at 2.5,
    # past the 2 within the targets: fewer than 95% meet them.
    assert capped.weekday.hours[12].slo_attainment < 0.95
    assert any("at most 4 are allowed" in w for w in capped.warnings)


def test_replicas_stay_through_the_scale_down_window():
    hours = [
        run(TEN_X, S.Policy(scale_up_delay_s=0, scale_down_delay_s=window)).weekday.replica_hours
        for window in (0, 300, 3600, 4 * 3600)
    ]
    assert hours == sorted(hours)
    assert hours[0] < hours[-1]


def test_a_slow_start_costs_the_ramp_hours_their_targets():
    quick = run(TEN_X).weekday
    slow = run(TEN_X, S.Policy(scale_up_delay_s=20 * 60))
    for hour in RAMP_HOURS:
        assert slow.weekday.hours[hour].slo_attainment < quick.hours[hour].slo_attainment - 0.05
    assert min(slow.weekday.hours[h].slo_attainment for h in RAMP_HOURS) < 0.95
    assert slow.weekday.hours[8].queued_max > 0
    # Quiet hours are untouched, and the warning names the worst hour.
    assert slow.weekday.hours[3].slo_attainment == pytest.approx(quick.hours[3].slo_attainment)
    assert any(w.startswith("At hour 7 only 40% of requests") for w in slow.warnings)


def test_replicas_are_billed_from_the_moment_they_are_asked_for():
    # The same fleet is asked for at the same minutes; starting replicas are paid for.
    quick = run(TEN_X).weekday.replica_hours
    slow = run(TEN_X, S.Policy(scale_up_delay_s=20 * 60)).weekday.replica_hours
    assert slow >= quick


def test_scaled_to_zero_a_quiet_day_costs_nothing_and_the_first_requests_wait():
    quiet = DayProfile((0.0,) * 24, allow_idle=True)
    week = WeekProfile(TEN_X, quiet)
    result = run(week, S.Policy(min_replicas=0, scale_up_delay_s=300))
    assert result.weekend.replica_hours == 0.0
    assert result.weekend.slo_attainment is None
    assert any("Scaled to zero" in w for w in result.warnings)
    first_light = DayProfile((0.0,) * 8 + (5.0,) * 16)
    cold = run(first_light, S.Policy(min_replicas=0, scale_up_delay_s=600)).weekday.hours[7]
    warm = run(first_light, S.Policy(min_replicas=0, scale_up_delay_s=0)).weekday.hours[7]
    assert cold.slo_attainment < 0.95 < warm.slo_attainment


def test_a_custom_attainment_is_used_as_given():
    day = run(DayProfile.flat(5.0), attainment=lambda load: 0.5).weekday
    assert day.slo_attainment == pytest.approx(0.5)


# The month


def test_a_flat_day_costs_what_the_one_rate_plan_costs():
    result = run(DayProfile.flat(5.0))
    bill = result.bill
    assert bill.fixed_replicas == 4
    assert bill.fixed_usd_per_month == pytest.approx(4 * PRICE * 730)
    assert bill.autoscaled_usd_per_month == pytest.approx(bill.fixed_usd_per_month, rel=0.01)
    assert bill.replica_hours_per_day == pytest.approx(96.0)


@pytest.fixture(scope="module")
def planned():
    """The planner's one-rate plan: Llama 3 8B on H100s at 50 requests/s."""
    traffic = P.Traffic.at_peak(50.0, 1000, 200)
    result = P.plan(
        LLAMA_3_8B,
        [H100_SXM],
        ROUND_ENGINE,
        traffic,
        P.Targets(ttft_s=1.0, tpot_s=0.05),
        weights=[Dtype.BF16],
        max_gpus_per_replica=1,
        apis=(GPT_35,),
    )
    return result


def test_a_flat_profile_costs_what_the_planner_charges_for_its_rate(planned):
    best = planned.best
    workload = Workload(prompt_tokens=1000, completion_tokens=200)
    flat_out = saturation_rate(LLAMA_3_8B, H100_SXM, ROUND_ENGINE, workload)
    replica = S.ReplicaCapacity(best.max_rate_per_replica, max(flat_out, best.max_rate_per_replica))
    # The planner loads each replica up to its capacity: utilization 1.
    result = S.autoscale(
        DayProfile.flat(50.0),
        replica,
        S.Policy(target_utilization=1.0, scale_up_delay_s=0),
        usd_per_replica_hour=best.usd_per_hour / best.replicas,
        prompt_tokens=1000,
        completion_tokens=200,
        apis=(GPT_35,),
    )
    assert result.bill.fixed_replicas == best.replicas
    assert result.bill.autoscaled_usd_per_month == pytest.approx(best.usd_per_month, rel=0.01)
    assert result.bill.fixed_usd_per_month == pytest.approx(best.usd_per_month, rel=0.01)
    # The APIs for the same traffic cost what the planner says they cost.
    assert result.bill.api_comparison[0].usd_per_month == pytest.approx(
        planned.api_comparison[0].usd_per_month, rel=1e-9
    )


def test_a_day_ten_times_busier_at_noon_costs_less_autoscaled():
    bill = run(TEN_X).bill
    assert bill.fixed_replicas == 7
    assert bill.autoscaled_usd_per_month < bill.fixed_usd_per_month
    # Eleven busy hours of seven replicas, two ramp hours of about four and a half, and
    # eleven quiet hours of one: about 97 replica-hours a day against 7 x 24 = 168.
    assert bill.replica_hours_per_day == pytest.approx(97, abs=2)
    assert bill.autoscaling_saves_fraction == pytest.approx(1 - 97 / 168, abs=0.02)
    assert bill.autoscaling_saves_usd_per_month == pytest.approx(
        bill.fixed_usd_per_month - bill.autoscaled_usd_per_month
    )


def test_a_week_bills_five_weekdays_and_two_weekend_days_a_month():
    week = WeekProfile(TEN_X, DayProfile.flat(1.0))
    result = run(week)
    weekday, weekend = result.weekday.replica_hours, result.weekend.replica_hours
    assert weekend == pytest.approx(24.0)
    days_a_month = 730 / 24
    assert result.bill.autoscaled_usd_per_month == pytest.approx(
        (5 * weekday + 2 * weekend) / 7 * days_a_month * PRICE
    )
    assert result.bill.requests_per_month == pytest.approx(
        (5 * TEN_X.requests_per_day + 2 * 86_400) / 7 * days_a_month
    )


@pytest.mark.parametrize(("discount", "baseline"), [(0.4, 1), (0.6, 7)])
def test_a_reserved_baseline_is_chosen_to_make_the_month_cheapest(discount, baseline):
    reserved = S.reserved_price(PRICE, discount)
    result = run(TEN_X, reserved_usd_per_replica_hour=reserved)
    bill = result.bill
    assert bill.reserved_usd_per_replica_hour == pytest.approx(PRICE * (1 - discount))

    def month(level: int) -> float:
        above = sum(max(n - level, 0) for n in result.weekday.billed) / 60 * 730 / 24
        return level * reserved * 730 + above * PRICE

    levels = range(max(result.weekday.billed) + 1)
    cheapest = min(levels, key=lambda level: (month(level), level))
    assert bill.reserved_replicas == cheapest == baseline
    assert bill.reserved_plus_burst_usd_per_month == pytest.approx(month(cheapest))
    # A replica is worth reserving when it runs for more of the month than the reserved
    # price's share of on-demand: the busy fleet runs just under half the day, so at 40%
    # off only the night's one replica is reserved, at 60% off the busy seven. Never
    # dearer than autoscaling alone (a baseline of 0 is that).
    assert bill.reserved_plus_burst_usd_per_month <= bill.autoscaled_usd_per_month


def test_a_reserved_price_no_cheaper_than_on_demand_reserves_nothing():
    bill = run(TEN_X, reserved_usd_per_replica_hour=PRICE).bill
    assert bill.reserved_replicas == 0
    assert bill.reserved_plus_burst_usd_per_month == pytest.approx(bill.autoscaled_usd_per_month)


def test_office_hours_autoscaled_save_half_the_fixed_fleet():
    result = run(preset(Preset.OFFICE_HOURS, peak_rate=20.0), S.Policy(scale_up_delay_s=300))
    assert result.bill.autoscaling_saves_fraction > 0.5
    assert result.profile.has_weekend


def test_the_answer_reads_back_as_json():
    data = run(TEN_X, reserved_usd_per_replica_hour=6.0, apis=(GPT_35,)).as_dict()
    assert len(data["schedule"]) == 24
    assert set(data["schedule"][0]) == {
        "hour", "rate", "requests", "replicas", "replicas_max", "ready_min",
        "slo_attainment", "queued_max",
    }  # fmt: skip
    assert data["schedule_weekend"] is None
    assert {
        "fixed_usd_per_month",
        "autoscaled_usd_per_month",
        "reserved_plus_burst_usd_per_month",
        "replica_hours_per_day",
    } <= set(data["bill"])
    assert data["bill"]["api_comparison"][0]["slug"] == GPT_35.slug


# The scale-up delay


def test_the_scale_up_delay_is_the_instance_start_and_the_model_load():
    # 16.06 GB at 16.06 GB / 47.99 s: 47.99 s, after the 180 s start.
    delay = S.ScaleUpDelay(weights_bytes=16.06e9)
    assert delay.load_s == pytest.approx(47.99)
    assert delay.seconds == pytest.approx(227.99)
    load, total = delay.trace()
    assert load.substituted == "16.1 GB / 0.335 GB/s"
    assert total.substituted == "180 s + 48 s"
    assert total.value == pytest.approx(227.99)


def test_a_typed_delay_overrides_the_estimate():
    delay = S.ScaleUpDelay(weights_bytes=16.06e9, typed_s=30)
    assert delay.seconds == 30
    assert delay.trace()[0].formula == "typed"


def test_a_bigger_model_starts_slower():
    small, large = S.ScaleUpDelay(16e9).seconds, S.ScaleUpDelay(141e9).seconds
    assert small < large
    assert large == pytest.approx(180 + 141e9 / S.WEIGHTS_READ_BYTES_PER_S)


# Limits


@pytest.mark.parametrize(
    ("kwargs", "field", "message"),
    [
        ({"min_replicas": -1}, "min_replicas", "Must be from 0 to 10,000."),
        ({"max_replicas": 0}, "max_replicas", "Must be from 1 to 10,000."),
        ({"max_replicas": 10_001}, "max_replicas", "Must be from 1 to 10,000."),
        ({"min_replicas": 1.5}, "min_replicas", "Must be a whole number."),
        ({"min_replicas": 5, "max_replicas": 4}, "min_replicas", "Must be at most the maximum."),
        ({"target_utilization": 0.05}, "target_utilization", "Must be from 0.1 to 1."),
        ({"target_utilization": 1.2}, "target_utilization", "Must be from 0.1 to 1."),
        ({"scale_up_delay_s": -1}, "scale_up_delay_s", "Must be from 0 to 21,600."),
        ({"scale_up_delay_s": math.nan}, "scale_up_delay_s", "Must be a number."),
        ({"scale_down_delay_s": 90_000}, "scale_down_delay_s", "Must be from 0 to 86,400."),
    ],
)
def test_a_policy_has_limits(kwargs, field, message):
    with pytest.raises(EstimatorInputError) as error:
        S.Policy(**{"scale_up_delay_s": 0, **kwargs})
    assert error.value.field == field
    assert error.value.message == message


def test_a_policy_never_assumes_a_scale_up_delay():
    with pytest.raises(TypeError):
        S.Policy()  # the model's (ScaleUpDelay) or the user's


@pytest.mark.parametrize(
    ("args", "field"),
    [
        ((0.0, 3.0), "capacity"),
        ((2.0, math.inf), "saturation"),
        ((2.0, 1.0), "saturation"),
        ((2.0, 3.0, "p97"), "percentile"),
    ],
)
def test_a_replica_capacity_must_make_sense(args, field):
    with pytest.raises(EstimatorInputError) as error:
        S.ReplicaCapacity(*args)
    assert error.value.field == field


def test_prices_and_delays_are_checked():
    with pytest.raises(EstimatorInputError, match="Must be 0 or more"):
        run(TEN_X, usd_per_replica_hour=-1.0)
    with pytest.raises(EstimatorInputError, match="Must be from 0 to 0.99"):
        S.reserved_price(PRICE, 1.0)
    with pytest.raises(EstimatorInputError, match="Must be from 0 to 10,000,000,000,000"):
        S.ScaleUpDelay(weights_bytes=1e14)


# N+1: one spare replica on top of what each hour needs (the planner's headroom)


def test_n_plus_one_keeps_a_spare_replica_on_top_of_every_busy_hour():
    plain = run(TEN_X)
    spare = run(TEN_X, S.Policy(scale_up_delay_s=0, spare_replicas=1))
    night, noon = spare.weekday.hours[3], spare.weekday.hours[12]
    assert night.replicas == 2.0  # 1 / 1.6 -> 1, and the spare
    assert noon.replicas == 8.0  # 10 / 1.6 = 6.25 -> 7, and the spare
    # The fixed fleet is the planner's N+1 fleet: 7 for the peak plus the spare.
    assert spare.bill.fixed_replicas == plain.bill.fixed_replicas + 1 == 8
    # One more replica every hour of the day: 24 replica-hours a day more.
    assert spare.weekday.replica_hours == pytest.approx(plain.weekday.replica_hours + 24)
    assert spare.bill.autoscaled_usd_per_month > plain.bill.autoscaled_usd_per_month
    # Reserved plus burst bills the same fleet: the spare is paid somewhere.
    reserved = S.reserved_price(PRICE, 0.4)
    plain_rb = run(TEN_X, reserved_usd_per_replica_hour=reserved).bill
    spare_rb = run(
        TEN_X,
        S.Policy(scale_up_delay_s=0, spare_replicas=1),
        reserved_usd_per_replica_hour=reserved,
    ).bill
    assert spare_rb.reserved_plus_burst_usd_per_month == pytest.approx(
        plain_rb.reserved_plus_burst_usd_per_month + reserved * 730
    )
    assert spare_rb.reserved_replicas == plain_rb.reserved_replicas + 1


def test_n_plus_one_spares_nothing_for_an_hour_that_needs_no_replica():
    quiet = DayProfile((0.0,) * 6 + (2.0,) * 18)
    day = run(quiet, S.Policy(min_replicas=0, scale_up_delay_s=0, spare_replicas=1)).weekday
    assert day.hours[2].replicas == 0.0
    assert day.hours[12].replicas == 3.0  # 2 / 1.6 -> 2, and the spare


def test_n_plus_one_never_goes_past_the_most_replicas_without_saying_so():
    capped = run(TEN_X, S.Policy(max_replicas=7, scale_up_delay_s=0, spare_replicas=1))
    assert max(h.replicas_max for h in capped.weekday.hours) == 7
    # The fixed fleet is the planner's, which max_replicas does not bound.
    assert capped.bill.fixed_replicas == 8
    assert any("no spare" in w and "at most 7" in w for w in capped.warnings)
    # Room for the spare: no such warning.
    roomy = run(TEN_X, S.Policy(max_replicas=8, scale_up_delay_s=0, spare_replicas=1))
    assert not any("spare" in w for w in roomy.warnings)


def test_a_policy_spares_at_most_one_replica():
    with pytest.raises(EstimatorInputError) as error:
        S.Policy(scale_up_delay_s=0, spare_replicas=2)
    assert error.value.field == "n_plus_one"
