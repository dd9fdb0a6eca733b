"""The capacity planner's money and reasons, checked on plan()'s public result: what
the month is billed on, options without a price, GPUs it cannot model, the percentile
asked. Each case plans one GPU, one precision and one replica size, so it runs fast."""

from __future__ import annotations

import dataclasses

import pytest

from calculator.estimator import Dtype, pricing
from calculator.estimator import planner as P
from tests.estimator_fixtures import GPT_35, H100_SXM, L4, LLAMA_3_8B, ROUND_ENGINE

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


# Section: the planner's parts by hand (mutation testing, issue 24)


def test_traffic_per_day_is_the_average_and_the_peak_its_multiple():
    traffic = P.Traffic.per_day(2 * 86_400, 3.0, 100, 50)
    assert (traffic.average_rate, traffic.peak_rate) == (2.0, 6.0)
    assert (traffic.prompt_tokens, traffic.completion_tokens) == (100, 50)
    assert traffic.given_as == "requests_per_day"
    assert traffic.tokens_per_request == 150
    flat = P.Traffic.at_peak(5.0, 100, 50)
    assert (flat.average_rate, flat.peak_rate, flat.given_as) == (5.0, 5.0, "rate")


def test_a_gpu_without_bf16_or_an_8_bit_type_plans_fp16_alone():
    old = dataclasses.replace(H100_SXM, bf16_tflops=None, fp8_tflops=None, int8_tops=None)
    assert P.native_weights(old) == (Dtype.FP16,)
    int8 = dataclasses.replace(H100_SXM, fp8_tflops=None)
    assert P.native_weights(int8) == (Dtype.BF16, Dtype.INT8)


def test_a_plans_work_by_hand():
    """2 precisions x 4 sizes (8 heads... 32 heads: 1, 2, 4, 8) = 8 options; a request of
    1,000 + 200 tokens is 1 chunk + 3 steps: 8 x (20 + 4) + 12 x 1,200 x 4."""
    traffic = P.Traffic.at_peak(4.0, 1000, 200)
    work = P.planning_work(LLAMA_3_8B, [H100_SXM], ROUND_ENGINE, traffic)
    per_request = 1 + 3
    assert work == 8 * (P.OPTION_STEPS + per_request) + P.PLAN_FULL_RUNS * 1200 * per_request
    one = P.planning_work(
        LLAMA_3_8B, [H100_SXM], ROUND_ENGINE, traffic, weights=[Dtype.BF16], max_gpus_per_replica=1
    )
    assert one == 1 * (P.OPTION_STEPS + per_request) + P.PLAN_FULL_RUNS * 1200 * per_request


# What every option of one configuration shares (planner._OptionMaker.common).
COMMON = {
    "gpu": "g",
    "gpu_name": "G",
    "gpus_per_replica": 2,
    "weights": Dtype.BF16,
    "kv": Dtype.BF16,
    "engine": "e",
}


def option(**kw) -> P.Option:
    values = {
        **COMMON,
        "meets_targets": False,
        "reasons": (),
        "reason_codes": (),
        "max_rate_per_replica": 0.0,
        "replicas": None,
        "ttft_s": None,
        "tpot_s": None,
        "usd_per_gpu_hour": None,
        "usd_per_hour": None,
        "usd_per_month": None,
        "usd_per_1m_tokens": None,
        "price_source": "",
        "tokens_per_second_per_gpu": None,
        "tokens_per_second_per_user": None,
    }
    return P.Option(**{**values, **kw})


def test_options_rank_met_by_cost_then_costs_more_by_least_then_the_rest_by_hour():
    met_dear = option(gpu="a", meets_targets=True, usd_per_month=200.0, replicas=1)
    met_cheap = option(gpu="b", meets_targets=True, usd_per_month=100.0, replicas=1)
    pruned = option(gpu="c", usd_per_month_at_least=50.0)
    failed_priced = option(gpu="d", usd_per_hour=1.0)
    failed_unpriced = option(gpu="e", usd_per_hour=None)
    ranked = P._rank([failed_unpriced, failed_priced, pruned, met_dear, met_cheap])
    assert [o.gpu for o in ranked] == ["b", "a", "c", "d", "e"]


def test_at_the_same_cost_more_headroom_ranks_first_then_the_gpus_name():
    small = option(gpu="a", meets_targets=True, usd_per_month=100.0, replicas=1)
    small = dataclasses.replace(small, max_rate_per_replica=2.0)
    big = option(gpu="b", meets_targets=True, usd_per_month=100.0, replicas=2)
    big = dataclasses.replace(big, max_rate_per_replica=2.0)
    assert [o.gpu for o in P._rank([small, big])] == ["b", "a"]
    twin = dataclasses.replace(small, gpu="0")
    assert [o.gpu for o in P._rank([small, twin])] == ["0", "a"]


def test_the_front_holds_the_undominated_and_ties_stay_on_it():
    a = option(gpu="a", tokens_per_second_per_gpu=100.0, tokens_per_second_per_user=10.0)
    b = option(gpu="b", tokens_per_second_per_gpu=50.0, tokens_per_second_per_user=20.0)
    tie = option(gpu="t", tokens_per_second_per_gpu=100.0, tokens_per_second_per_user=10.0)
    worse_one_way = option(gpu="w", tokens_per_second_per_gpu=100.0, tokens_per_second_per_user=9.0)
    worse_other = option(gpu="x", tokens_per_second_per_gpu=49.0, tokens_per_second_per_user=20.0)
    none = option(gpu="n")
    marked = P._mark_front([a, b, tie, worse_one_way, worse_other, none])
    assert [o.on_pareto_front for o in marked] == [True, True, True, False, False, False]


def test_why_there_is_no_best_by_the_reasons_found():
    def failed(*codes):
        return option(reason_codes=codes)

    assert P._no_best_reason([]) == "No GPU, precision and replica size to consider."
    assert P._no_best_reason([failed(P.Reason.DOES_NOT_FIT)] * 2) == (
        "The model does not fit on any option considered: allow more GPUs per replica."
    )
    unpriced = "The options that meet the targets have no price: enter one."
    assert P._no_best_reason([failed(P.Reason.NO_PRICE)]) == unpriced
    assert P._no_best_reason([failed(P.Reason.NO_PRICE), failed(P.Reason.DOES_NOT_FIT)]) == (
        unpriced
    )
    misses = "No option meets the targets: relax them, or allow more GPUs per replica."
    assert P._no_best_reason([failed(P.Reason.NO_PRICE), failed(P.Reason.MISSES_TTFT)]) == misses
    assert P._no_best_reason([failed(P.Reason.DOES_NOT_FIT), failed(P.Reason.MISSES_TPOT)]) == (
        misses
    )


def test_an_option_not_searched_says_its_least_cost_in_words():
    made = P._OptionMaker(
        common={**COMMON, "usd_per_gpu_hour": 1.5, "price_source": ""},
        gpu_name="G",
        n=2,
        hourly=1.5,
    )
    single = made.costs_more(1, "because")
    assert single.reasons == (
        "Costs more than the best: because, so at least 1 replica, $2,190 a month (not "
        "simulated further).",
    )
    assert single.usd_per_month_at_least == 1 * 2 * 1.5 * 730
    assert single.reason_codes == (P.Reason.COSTS_MORE,)
    assert single.usd_per_hour == 3.0 and not single.meets_targets
    several = made.costs_more(3, "because")
    assert "so at least 3 replicas, $6,570 a month" in several.reasons[0]


def test_an_option_reads_as_its_size_gpu_and_precision_and_answers_in_ms():
    o = option(gpus_per_replica=4, gpu_name="H100 SXM", weights=Dtype.FP8, ttft_s=0.25)
    assert o.label == "4 x H100 SXM fp8"
    shape = o.as_dict()
    assert (shape["ttft_ms"], shape["tpot_ms"]) == (250.0, None)
    assert shape["weights"] == "fp8" and shape["usd_per_month_at_least"] is None
    assert option(tpot_s=float("nan")).as_dict()["tpot_ms"] is None


# A traffic every check accepts, for the rows that break something else.
FINE = P.Traffic.at_peak(1.0, 10, 10)


@pytest.mark.parametrize(
    ("traffic", "targets", "max_gpus", "field", "message"),
    [
        (
            P.Traffic.at_peak(1e5 * 1.01, 10, 10),
            TARGETS,
            1,
            "rate",
            "The peak must be from 1e-06 (one request in 11 days) to 100,000 requests/s.",
        ),
        (
            P.Traffic(2e5, 1.0, 10, 10, "requests_per_day"),
            TARGETS,
            1,
            "requests_per_day",
            "The peak (requests per day x peak factor / 86,400) must be from 1e-06 (one "
            "request in 11 days) to 100,000 requests/s.",
        ),
        (
            P.Traffic(1.0, 2.0, 10, 10),
            TARGETS,
            1,
            "rate",
            "The average must be from 1e-08 requests/s to the peak (a peak factor from 1 to 100).",
        ),
        (
            P.Traffic(1.0, 1e-9, 10, 10),
            TARGETS,
            1,
            "rate",
            "The average must be from 1e-08 requests/s to the peak (a peak factor from 1 to 100).",
        ),
        (P.Traffic(1.0, True, 10, 10), TARGETS, 1, "rate", None),
        (
            P.Traffic.at_peak(1.0, 0, 10),
            TARGETS,
            1,
            "prompt",
            "Must be a whole number from 1 to 10,485,760.",
        ),
        (P.Traffic.at_peak(1.0, 10, 10_485_761), TARGETS, 1, "completion", None),
        (P.Traffic.at_peak(1.0, 10.0, 10), TARGETS, 1, "prompt", None),
        (
            FINE,
            P.Targets(1.0, 1.0, "p100"),
            1,
            "percentile",
            "One of p50, p90, p95, p99.",
        ),
        (
            FINE,
            P.Targets(1.0, 3600.001),
            1,
            "tpot_ms",
            "Targets must be above 0 and at most 3,600,000 ms.",
        ),
        (FINE, P.Targets(float("nan"), 1.0), 1, "ttft_ms", None),
        (
            FINE,
            TARGETS,
            0,
            "max_gpus_per_replica",
            "Must be from 1 to 64.",
        ),
        (FINE, TARGETS, 65, "max_gpus_per_replica", None),
        (FINE, TARGETS, 2.0, "max_gpus_per_replica", None),
    ],
)
def test_each_input_out_of_range_is_refused_by_name(traffic, targets, max_gpus, field, message):
    with pytest.raises(P.EstimatorInputError) as error:
        P._validate(traffic, targets, max_gpus, P.NO_HEADROOM)
    assert error.value.field == field
    if message is not None:
        assert error.value.message == message


def test_the_edges_of_each_range_are_planned():
    for traffic, targets, max_gpus in (
        (P.Traffic.at_peak(1e5, 1, 10_485_760), P.Targets(3600.0, 3600.0, "p50"), 64),
        (P.Traffic(1e-6, 1e-8, 1, 1), P.Targets(1e-9, 1e-9, "p99"), 1),
    ):
        P._validate(traffic, targets, max_gpus, P.NO_HEADROOM)  # no error


def test_a_kv_cache_shorter_than_one_request_does_not_fit():
    """Llama 3 8B on an L4 at BF16 keeps about 5 GB for its cache, 40,000 tokens or so:
    a 100,000-token prompt does not fit, and the option says how short it falls."""
    result = P.plan(
        LLAMA_3_8B,
        [L4],
        ROUND_ENGINE,
        P.Traffic.at_peak(0.01, 100_000, 10),
        P.Targets(1000.0, 1.0),
        weights=[Dtype.BF16],
        max_gpus_per_replica=1,
    )
    (o,) = result.options
    assert o.reason_codes == (P.Reason.DOES_NOT_FIT,)
    assert o.reasons[0].startswith("Does not fit: the KV cache holds ")
    assert o.reasons[0].endswith(" tokens, less than one request's 100,010.")
    assert result.best_reason == (
        "The model does not fit on any option considered: allow more GPUs per replica."
    )
