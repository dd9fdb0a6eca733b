"""Traffic inputs, property-based: whatever arrives (typed rates, an uploaded log, a
policy), a clear error naming the field or a result with finite figures that keep the
bills' order (reserved plus burst <= autoscaled <= a fixed fleet sized for the peak)."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from calculator.estimator import EstimatorInputError
from calculator.estimator import arrivals as A
from calculator.estimator import autoscale as S
from calculator.estimator import request_log as L
from calculator.estimator.traffic import DayProfile

PROPERTIES = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)

numbers = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(-(10**6), 10**6).map(float),
    st.sampled_from([0.0, 1e-300, 1e5, 1e5 + 1, -0.0]),
)


@PROPERTIES
@given(st.text(max_size=300))
def test_typed_rates_are_a_profile_or_a_named_error(text):
    try:
        day = DayProfile.parse(text)
    except EstimatorInputError as error:
        assert error.field == "hourly_rates"
        return
    assert len(day.rates) == 24
    assert all(math.isfinite(r) and r >= 0 for r in day.rates)


@PROPERTIES
@given(st.lists(numbers, min_size=24, max_size=24))
def test_24_numbers_are_a_profile_or_a_named_error(rates):
    try:
        day = DayProfile(tuple(rates))
    except EstimatorInputError as error:
        assert error.field == "hourly_rates"
        return
    assert math.isfinite(day.requests_per_day) and day.peak_rate > 0


def _timestamp(moment: datetime, style: int) -> str:
    if style == 0:
        return f"{moment.timestamp():.3f}"
    if style == 1:
        return moment.isoformat()
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


lines = st.one_of(
    st.builds(
        lambda seconds, style, prompt, completion: ",".join(
            [
                _timestamp(datetime(2024, 5, 6, tzinfo=UTC) + timedelta(seconds=seconds), style),
                str(prompt),
                str(completion),
            ]
        ),
        st.floats(0, 30 * 86_400),
        st.integers(0, 2),
        st.integers(0, 50_000),
        st.integers(0, 5_000),
    ),
    st.text(max_size=40),  # junk
)


@PROPERTIES
@given(st.lists(lines, max_size=40), st.booleans())
def test_a_log_is_a_profile_or_an_error_naming_its_line(rows, header):
    text = ("timestamp,prompt_tokens,completion_tokens\n" if header else "") + "\n".join(rows)
    try:
        log = L.read_request_log(text)
    except L.LogError as error:
        assert error.field == "request_log"
        assert error.line >= 0
        assert error.message
        return
    assert log.requests >= 1
    for day, _ in log.profile.days():
        assert all(math.isfinite(r) and r >= 0 for r in day.rates)
    assert log.arrival_cv is None or math.isfinite(log.arrival_cv)


@PROPERTIES
@given(st.binary(max_size=400))
def test_any_bytes_are_read_or_refused_with_a_reason(data):
    try:
        L.read_request_log(data)
    except L.LogError as error:
        assert error.message


@PROPERTIES
@given(
    st.sampled_from(["poisson", "gamma"]),
    st.floats(0.1, 10.0),
    st.floats(1e-3, 1e3),
    st.integers(0, 200),
    st.integers(0, 2**32 - 1),
)
def test_arrivals_are_finite_and_in_order(process, cv, rate, count, seed):
    arrivals = A.Arrivals(process, 1.0 if process == "poisson" else cv)
    times = arrivals.times(rate, count, seed)
    assert len(times) == count
    assert all(math.isfinite(t) and t >= 0 for t in times)
    assert times == sorted(times)


@PROPERTIES
@given(
    rates=st.lists(st.floats(0, 50), min_size=24, max_size=24).filter(any),
    capacity=st.floats(0.05, 20),
    headroom=st.floats(1.0, 4.0),
    percentile=st.sampled_from(["p50", "p90", "p95", "p99"]),
    min_replicas=st.integers(0, 5),
    extra=st.integers(0, 400),
    utilization=st.floats(0.1, 1.0),
    up=st.floats(0, 7200),
    down=st.floats(0, 7200),
    discount=st.floats(0, 0.99),
)
def test_an_autoscaled_day_is_finite_and_never_dearer_than_the_fixed_fleet(
    rates, capacity, headroom, percentile, min_replicas, extra, utilization, up, down, discount
):
    replica = S.ReplicaCapacity(capacity, capacity * headroom, percentile)
    policy = S.Policy(
        scale_up_delay_s=up,
        min_replicas=min_replicas,
        max_replicas=max(min_replicas, 1) + extra,
        target_utilization=utilization,
        scale_down_delay_s=down,
    )
    result = S.autoscale(
        DayProfile(tuple(rates)),
        replica,
        policy,
        usd_per_replica_hour=10.0,
        reserved_usd_per_replica_hour=S.reserved_price(10.0, discount),
    )
    bill = result.bill
    for hour in result.weekday.hours:
        assert policy.min_replicas <= hour.replicas <= policy.max_replicas
        assert hour.slo_attainment is None or 0 <= hour.slo_attainment <= 1
        assert math.isfinite(hour.queued_max) and hour.queued_max >= 0
    figures = [bill.fixed_usd_per_month, bill.autoscaled_usd_per_month]
    figures.append(bill.reserved_plus_burst_usd_per_month)
    assert all(math.isfinite(x) for x in figures)
    assert bill.reserved_plus_burst_usd_per_month <= bill.autoscaled_usd_per_month * (1 + 1e-9)
    assert bill.autoscaled_usd_per_month <= bill.fixed_usd_per_month * (1 + 1e-9)
