"""The planner's headroom (a target utilization and N+1), and whom to rent from: each
option's offer, the runner-up from another provider, the cheapest on spot."""

from __future__ import annotations

import math
from datetime import date

import pytest

from calculator.estimator import Dtype, EstimatorInputError, pricing
from calculator.estimator import planner as P
from tests.estimator_fixtures import A100_80GB, H100_SXM, LLAMA_3_8B, ROUND_ENGINE

TARGETS = P.Targets(ttft_s=1.0, tpot_s=0.05)
ONE = {"weights": [Dtype.FP8], "max_gpus_per_replica": 1}


def planned(rate: float, headroom: P.Headroom = P.NO_HEADROOM, **kwargs) -> P.PlanResult:
    kwargs = {**ONE, **kwargs}
    traffic = P.Traffic.at_peak(rate, 1000, 200)
    result = P.plan(
        LLAMA_3_8B, [H100_SXM], ROUND_ENGINE, traffic, TARGETS, headroom=headroom, **kwargs
    )
    assert result.headroom == headroom
    return result


@pytest.fixture(scope="module")
def capacity() -> float:
    """What one H100 fp8 replica sustains within the targets (no headroom)."""
    return planned(1.0).best.max_rate_per_replica


def test_the_default_target_is_80_percent_and_no_spare():
    assert P.Headroom() == P.Headroom(target_utilization=0.8, n_plus_one=False)
    assert P.DEFAULT_TARGET_UTILIZATION == 0.8
    assert P.NO_HEADROOM.target_utilization == 1.0


def test_replicas_are_the_peak_over_capacity_times_the_target_rounded_up(capacity):
    # Hand-worked: a peak of 2.5 replicas' capacity. At 100%: 3 replicas; at 80% the
    # replicas must sustain 2.5 / 0.8 = 3.125 capacities: 4; N+1 adds one: 5.
    peak = 2.5 * capacity
    assert planned(peak).best.replicas == 3
    assert planned(peak, P.Headroom(0.8)).best.replicas == 4
    assert planned(peak, P.Headroom(0.8, n_plus_one=True)).best.replicas == 5
    assert planned(peak, P.Headroom(1.0, n_plus_one=True)).best.replicas == 4


def test_the_utilization_is_the_peak_over_the_replicas_capacity(capacity):
    peak = 2.5 * capacity
    best = planned(peak, P.Headroom(0.8)).best
    assert best.utilization == pytest.approx(peak / (4 * best.max_rate_per_replica))
    assert best.utilization == pytest.approx(2.5 / 4, rel=1e-6)
    assert best.utilization <= 0.8
    assert best.as_dict()["utilization"] == best.utilization


def test_with_one_replica_down_the_rest_carry_the_peak_within_the_target(capacity):
    for rate in (0.3, 1.7, 4.2):
        peak = rate * capacity
        best = planned(peak, P.Headroom(0.7, n_plus_one=True)).best
        assert peak / ((best.replicas - 1) * best.max_rate_per_replica) <= 0.7 + 1e-9


def test_less_utilization_never_needs_fewer_replicas(capacity):
    peak = 3.3 * capacity
    counts = [planned(peak, P.Headroom(u)).best.replicas for u in (1.0, 0.9, 0.8, 0.6, 0.4)]
    assert counts == sorted(counts)
    assert counts[-1] == math.ceil(3.3 / 0.4)


def test_the_latency_shown_is_at_the_load_every_replica_carries(capacity):
    full = planned(capacity * 0.99).best
    roomy = planned(capacity * 0.99, P.Headroom(0.5)).best
    assert roomy.replicas == 2
    assert roomy.ttft_s <= full.ttft_s


@pytest.mark.parametrize("bad", [0.05, 1.01, float("nan"), 0])
def test_a_target_utilization_out_of_range_is_refused(bad):
    with pytest.raises(EstimatorInputError) as error:
        planned(1.0, P.Headroom(bad))
    assert error.value.field == "target_utilization"


# Whom to rent from

TODAY = date(2026, 12, 1)


def offer(provider, on_demand, spot=None, as_of=None, flag=pricing.PriceFlag.NONE):
    return pricing.Offer(
        provider=provider,
        instance_type=f"{provider}-1x",
        region="us-east-1",
        gpus_per_instance=1,
        on_demand_usd_per_gpu_hour=on_demand,
        spot_usd_per_gpu_hour=spot,
        as_of=as_of,
        flag=flag,
    )


OFFERS = {
    "h100-sxm": [offer("lambda", 3.0, as_of=date(2026, 11, 1)), offer("runpod", 2.5, spot=1.2)],
    "a100-80gb-sxm": [offer("aws", 2.0, spot=0.9), offer("mithril", 0.5, 0.5, flag="auction")],
}


def price_function(kind: pricing.Pricing):
    def price(gpu, n):
        return pricing.resolve_price(
            typed=None,
            offers=OFFERS[gpu.slug],
            provider=None,
            pricing=kind,
            num_gpus=n,
            catalog_usd=None,
            catalog_as_of=None,
            today=TODAY,
        )

    return price


@pytest.fixture(scope="module")
def rented():
    return P.plan(
        LLAMA_3_8B,
        [H100_SXM, A100_80GB],
        ROUND_ENGINE,
        P.Traffic.at_peak(2.0, 1000, 200),
        TARGETS,
        weights=[Dtype.FP8, Dtype.INT8],
        max_gpus_per_replica=1,
        price=price_function(pricing.Pricing.ON_DEMAND),
        spot_price=price_function(pricing.Pricing.SPOT),
        headroom=P.Headroom(),
    )


def test_each_option_says_whom_it_rents_from_and_how_the_price_is_dated(rented):
    plain = {(o["gpu"], o["weights"]): o for o in rented.as_dict()["options"]}
    h100 = plain[("h100-sxm", "fp8")]
    assert (h100["provider"], h100["instance_type"], h100["region"]) == (
        "runpod",
        "runpod-1x",
        "us-east-1",
    )
    assert h100["price_as_of"] == "undated"
    assert (h100["price_kind"], h100["price_flag"]) == ("on_demand", "")


def test_the_auction_floor_is_not_the_price_of_the_a100(rented):
    a100 = next(o for o in rented.options if o.gpu == "a100-80gb-sxm")
    assert a100.price.provider == "aws"
    assert a100.usd_per_gpu_hour == 2.0


def test_the_runner_up_is_the_cheapest_meeting_option_from_another_provider(rented):
    best, runner = rented.best, rented.runner_up
    assert runner is not None and runner.meets_targets
    assert runner.price.provider != best.price.provider
    others = [
        o for o in rented.options if o.meets_targets and o.price.provider != best.price.provider
    ]
    assert runner.usd_per_month == min(o.usd_per_month for o in others)
    assert rented.as_dict()["runner_up"]["provider"] == runner.price.provider


def test_the_cheapest_spot_keeps_the_replicas_and_bills_the_spot_price(rented):
    spot = rented.cheapest_spot
    assert spot.price.spot and spot.as_dict()["price_kind"] == "spot"
    same = next(
        o
        for o in rented.options
        if (o.gpu, o.weights, o.gpus_per_replica) == (spot.gpu, spot.weights, spot.gpus_per_replica)
    )
    assert spot.replicas == same.replicas
    spot_hourly = {"h100-sxm": 1.2, "a100-80gb-sxm": 0.9}[spot.gpu]
    assert spot.usd_per_month == pytest.approx(spot.replicas * spot_hourly * 730)
    assert spot.usd_per_month <= min(
        o.replicas * {"h100-sxm": 1.2, "a100-80gb-sxm": 0.9}[o.gpu] * 730
        for o in rented.options
        if o.meets_targets
    )


def test_without_spot_prices_there_is_no_cheapest_spot():
    result = planned(1.0)
    assert result.cheapest_spot is None
    assert result.as_dict()["cheapest_spot"] is None
