"""The capacity planner's money and reasons, checked on plan()'s public result: what
the month is billed on, options without a price, GPUs it cannot model, the percentile
asked. Each case plans one GPU, one precision and one replica size, so it runs fast."""

from __future__ import annotations

import dataclasses

import pytest

from calculator.estimator import Dtype, pricing
from calculator.estimator import planner as P
from tests.estimator_fixtures import GPT_35, H100_SXM, LLAMA_3_8B, ROUND_ENGINE

TARGETS = P.Targets(ttft_s=1.0, tpot_s=0.05)


def plan_one(traffic: P.Traffic, targets: P.Targets = TARGETS, gpu=H100_SXM, **kwargs):
    return P.plan(
        LLAMA_3_8B,
        [gpu],
        ROUND_ENGINE,
        traffic,
        targets,
        weights=[Dtype.FP8] if gpu.fp8_tflops else [Dtype.BF16],
        max_gpus_per_replica=1,
        apis=(GPT_35,),
        **kwargs,
    )


@pytest.fixture(scope="module")
def at_peak():
    return plan_one(P.Traffic.at_peak(4.0, 1000, 200))


@pytest.fixture(scope="module")
def quarter_average():
    """The same peak, with a month that averages a quarter of it."""
    return plan_one(P.Traffic(4.0, 1.0, 1000, 200))


def test_replicas_are_sized_for_the_peak_whatever_the_average(at_peak, quarter_average):
    assert quarter_average.best.replicas == at_peak.best.replicas
    assert quarter_average.best.usd_per_month == at_peak.best.usd_per_month


def test_the_cost_per_token_is_the_fleets_cost_over_the_average_rates_tokens(
    at_peak, quarter_average
):
    """The fleet is paid all month and serves the average rate's tokens: a quarter of
    the tokens costs four times as much each. Planted bug: pricing tokens at the peak
    rate fails here (the existing planner tests only used a flat month)."""
    best = quarter_average.best
    tokens_per_hour = 1.0 * 3600 * (1000 + 200)
    assert best.usd_per_1m_tokens == pytest.approx(best.usd_per_hour / tokens_per_hour * 1e6)
    assert best.usd_per_1m_tokens == pytest.approx(4 * at_peak.best.usd_per_1m_tokens)
    assert "at the average rate" in quarter_average.warnings[0]
    assert not at_peak.warnings


def test_the_api_comparison_bills_the_average_rates_tokens(at_peak, quarter_average):
    (api,) = quarter_average.api_comparison
    (flat,) = at_peak.api_comparison
    per_request = (1000 * GPT_35.input_usd_per_1m + 200 * GPT_35.output_usd_per_1m) / 1e6
    assert api.usd_per_month == pytest.approx(1.0 * 86_400 * 730 / 24 * per_request)
    assert flat.usd_per_month == pytest.approx(4 * api.usd_per_month)


def test_an_option_without_a_price_keeps_its_figures_but_is_never_the_best():
    unpriced = dataclasses.replace(H100_SXM, hourly_usd=None)
    result = plan_one(
        P.Traffic.at_peak(4.0, 1000, 200), price=lambda gpu, n: pricing.catalog_price(unpriced, n)
    )

    (option,) = result.options
    assert option.reason_codes == (P.Reason.NO_PRICE,)
    assert option.reasons == ("No price per GPU-hour for H100 SXM: enter one.",)
    assert option.replicas >= 1 and option.max_rate_per_replica > 0
    assert option.ttft_s <= TARGETS.ttft_s
    assert (option.usd_per_hour, option.usd_per_month, option.usd_per_1m_tokens) == (
        None,
        None,
        None,
    )
    assert result.best is None
    assert result.best_reason == "The options that meet the targets have no price: enter one."


def test_a_gpu_it_cannot_model_is_named_unsupported_not_an_error():
    blank = dataclasses.replace(
        H100_SXM,
        slug="blank",
        name="Blank",
        fp32_tflops=None,
        tf32_tflops=None,
        fp16_tflops=None,
        bf16_tflops=None,
        fp8_tflops=None,
        int8_tops=None,
    )
    result = plan_one(P.Traffic.at_peak(4.0, 1000, 200), gpu=blank)

    (option,) = result.options
    assert option.reason_codes == (P.Reason.UNSUPPORTED,)
    assert option.reasons == ("Blank has no compute throughput on record.",)
    assert option.usd_per_hour == H100_SXM.hourly_usd
    assert result.best is None
    assert result.best_reason.startswith("No option meets the targets")


def test_the_latencies_reported_are_at_the_percentile_asked():
    """One replica takes the whole load whichever percentile is asked (the run at the
    planned load is the same), so the figures reported climb with the percentile."""
    bests = [
        plan_one(P.Traffic.at_peak(4.0, 1000, 200), P.Targets(1.0, 0.05, pct)).best
        for pct in P.PERCENTILE_CHOICES
    ]
    assert {best.replicas for best in bests} == {1}
    ttfts = [best.ttft_s for best in bests]
    tpots = [best.tpot_s for best in bests]
    assert ttfts == sorted(ttfts) and len(set(ttfts)) == 4
    assert tpots == sorted(tpots) and len(set(tpots)) == 4


def test_a_stricter_percentile_never_allows_more_load_per_replica():
    rates = [
        plan_one(
            P.Traffic.at_peak(4.0, 1000, 200), P.Targets(1.0, 0.02, pct)
        ).best.max_rate_per_replica
        for pct in P.PERCENTILE_CHOICES
    ]
    assert rates == sorted(rates, reverse=True)
    assert rates[0] > rates[-1]
