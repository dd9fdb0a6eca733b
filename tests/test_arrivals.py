"""Arrivals: Poisson and bursty gamma gaps, at one rate and over a day."""

from __future__ import annotations

import math
import random
import statistics

import pytest

from calculator.estimator import EstimatorInputError, Workload
from calculator.estimator import arrivals as A
from calculator.estimator.serving import LengthSpread, draw_requests
from calculator.estimator.traffic import DayProfile

DRAWS = 100_000


def _gaps(arrivals: A.Arrivals, rate: float, seed: int = 11) -> list[float]:
    times = arrivals.times(rate, DRAWS, seed)
    return [b - a for a, b in zip([0.0, *times], times, strict=False)]


def test_the_default_is_poisson():
    assert A.Arrivals() == A.Arrivals(A.Process.POISSON, 1.0)
    assert A.Arrivals().shape == 1.0
    assert A.Arrivals().as_dict() == {"arrivals": "poisson", "arrival_cv": 1.0}


def test_gamma_shape_is_one_over_the_cv_squared():
    assert A.Arrivals.gamma(0.5).shape == pytest.approx(4.0)
    assert A.Arrivals.gamma(3.0).shape == pytest.approx(1 / 9)
    assert A.Arrivals("gamma", 2).as_dict() == {"arrivals": "gamma", "arrival_cv": 2.0}


def test_poisson_arrivals_are_the_ones_the_simulator_draws():
    workload = Workload(prompt_tokens=100, completion_tokens=10)
    drawn = draw_requests(workload, rate=2.0, requests=50, spread=LengthSpread.FIXED, seed=7)
    assert A.Arrivals().times(2.0, 50, seed=7) == [r.arrival for r in drawn]


def test_a_first_gap_by_hand():
    # Poisson: -ln(1 - U) / rate, the first uniform of the seed; gamma: the same
    # generator's draw at shape k, scaled to mean 1 / rate.
    u = random.Random(3).random()
    assert A.Arrivals().times(4.0, 1, seed=3) == [pytest.approx(-math.log(1 - u) / 4.0)]
    k = 1 / 2.0**2
    expected = random.Random(3).gammavariate(k, 1 / (k * 4.0))
    assert A.Arrivals.gamma(2.0).times(4.0, 1, seed=3) == [pytest.approx(expected)]


@pytest.mark.parametrize("arrivals", [A.Arrivals(), A.Arrivals.gamma(3.0)])
def test_at_another_rate_the_same_draws_are_scaled(arrivals):
    # Common random numbers: two rates differ by the rate, not by luck.
    slow = arrivals.times(1.0, 100, seed=5)
    fast = arrivals.times(4.0, 100, seed=5)
    assert fast == pytest.approx([t / 4 for t in slow])


@pytest.mark.parametrize(
    ("arrivals", "cv_tolerance"),
    [
        (A.Arrivals(), 0.02),
        (A.Arrivals.gamma(0.5), 0.02),
        (A.Arrivals.gamma(2.0), 0.03),
        (A.Arrivals.gamma(3.0), 0.05),
    ],
)
def test_the_gaps_keep_the_mean_rate_and_have_the_cv_asked_for(arrivals, cv_tolerance):
    # 100,000 gaps: the mean's standard error is cv / sqrt(n) (0.95% at CV 3); the
    # sample CV's about 1.2% at CV 3 (the excess kurtosis of the gamma, 6 / k, widens it).
    gaps = _gaps(arrivals, rate=5.0)
    mean = statistics.fmean(gaps)
    assert 1 / mean == pytest.approx(5.0, rel=0.03)
    assert statistics.pstdev(gaps) / mean == pytest.approx(arrivals.cv, rel=cv_tolerance)


def test_bursty_arrivals_bunch_up_and_leave_long_quiet_spells():
    poisson, bursty = _gaps(A.Arrivals(), 1.0), _gaps(A.Arrivals.gamma(3.0), 1.0)
    # Most gamma gaps are tiny (requests in a burst), a few are very long.
    assert statistics.median(bursty) < statistics.median(poisson) / 10
    assert max(bursty) > 3 * max(poisson)


def test_the_same_seed_gives_the_same_arrivals():
    bursty = A.Arrivals.gamma(2.5)
    assert bursty.times(3.0, 1000, seed=9) == bursty.times(3.0, 1000, seed=9)
    assert bursty.times(3.0, 1000, seed=9) != bursty.times(3.0, 1000, seed=10)


# Over a day


def test_over_a_day_the_first_arrival_by_hand():
    # Quiet until 1:00, then 1 request/s: the first unit gap g lands at 3,600 + g s.
    profile = DayProfile((0.0, 1.0) + (0.0,) * 22)
    g = random.Random(4).expovariate(1.0)
    times = A.Arrivals().over_day(profile, seed=4)
    assert times[0] == pytest.approx(3600 + g)
    assert all(3600 <= t < 7200 for t in times)


def test_over_a_day_an_hour_at_twice_the_rate_squeezes_its_operational_time():
    # Hour 1 at 1 request/s holds operational time 0-3,600, hour 2 at 2 requests/s
    # 3,600-10,800: the arrival at operational time u > 3,600 lands at 7,200 + (u -
    # 3,600) / 2.
    profile = DayProfile((0.0, 1.0, 2.0) + (0.0,) * 21)
    rng, u, expected = random.Random(8), 0.0, []
    while True:
        u += rng.expovariate(1.0)
        if u > 10_800:
            break
        expected.append(3600 + u if u <= 3600 else 7200 + (u - 3600) / 2)
    assert A.Arrivals().over_day(profile, seed=8) == pytest.approx(expected)


@pytest.mark.parametrize("arrivals", [A.Arrivals(), A.Arrivals.gamma(2.0)])
def test_over_a_day_each_hour_gets_its_rate(arrivals):
    rates = tuple(float(h % 6) for h in range(24))  # 0 to 5 requests/s, four times over
    times = arrivals.over_day(DayProfile(rates), seed=2)
    assert times == sorted(times)
    assert times[0] >= 0 and times[-1] < 86_400
    counts = [0] * 24
    for t in times:
        counts[int(t // 3600)] += 1
    for hour, rate in enumerate(rates):
        if rate == 0:
            assert counts[hour] == 0
        else:  # 3,600 to 18,000 expected: within 5 standard errors at CV 2
            expected = rate * 3600
            assert counts[hour] == pytest.approx(expected, abs=5 * arrivals.cv * expected**0.5)


def test_over_a_day_bursts_keep_their_cv():
    times = A.Arrivals.gamma(3.0).over_day(DayProfile.flat(2.0), seed=1)
    gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
    assert statistics.pstdev(gaps) / statistics.fmean(gaps) == pytest.approx(3.0, rel=0.05)


# Limits


@pytest.mark.parametrize(
    ("args", "field", "message"),
    [
        (("uniform", 1.0), "arrivals", "One of poisson, gamma."),
        (("poisson", 2.0), "arrival_cv", "Poisson arrivals have a CV of 1"),
        (("gamma", 0.05), "arrival_cv", "Must be from 0.1 to 10."),
        (("gamma", 11.0), "arrival_cv", "Must be from 0.1 to 10."),
        (("gamma", math.nan), "arrival_cv", "Must be a number."),
        (("gamma", True), "arrival_cv", "Must be a number."),
    ],
)
def test_an_arrivals_spec_refuses_what_it_cannot_draw(args, field, message):
    with pytest.raises(EstimatorInputError) as error:
        A.Arrivals(*args)
    assert error.value.field == field
    assert error.value.message.startswith(message)


def test_a_draw_is_bounded():
    with pytest.raises(EstimatorInputError, match="from 0 to 1,000,000"):
        A.Arrivals().times(1.0, A.MAX_ARRIVALS + 1)
    with pytest.raises(EstimatorInputError, match="above 0"):
        A.Arrivals().times(0.0, 10)
    busy = DayProfile.flat(A.MAX_ARRIVALS / 86_400 * 1.01)
    with pytest.raises(EstimatorInputError, match="at most 1,000,000 are drawn"):
        A.Arrivals().over_day(busy)
