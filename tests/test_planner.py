"""The capacity planner: options, replicas, costs, reasons and the trade-off front."""

from __future__ import annotations

import dataclasses
import math

import pytest

from calculator.estimator import Dtype, EstimatorInputError, Workload, pricing, simulate
from calculator.estimator import planner as P
from tests.estimator_fixtures import A100_80GB, GPT_35, H100_SXM, L4, LLAMA_3_8B, ROUND_ENGINE

TRAFFIC = P.Traffic.at_peak(4.0, 1000, 200)
TARGETS = P.Targets(ttft_s=1.0, tpot_s=0.05)


@pytest.fixture(scope="module")
def result():
    return P.plan(
        LLAMA_3_8B, [A100_80GB, H100_SXM, L4], ROUND_ENGINE, TRAFFIC, TARGETS, apis=(GPT_35,)
    )


def test_every_gpu_precision_and_replica_size_is_an_option(result):
    combos = {(o.gpu, o.weights, o.gpus_per_replica) for o in result.options}
    assert (A100_80GB.slug, Dtype.BF16, 8) in combos
    assert (H100_SXM.slug, Dtype.FP8, 1) in combos
    assert (A100_80GB.slug, Dtype.INT8, 2) in combos
    assert len(combos) == len(result.options) == 3 * 2 * 4


def test_the_best_is_the_cheapest_option_that_meets_the_targets(result):
    meeting = [o for o in result.options if o.meets_targets]
    assert result.best is meeting[0]
    assert result.best.usd_per_month == min(o.usd_per_month for o in meeting)
    months = [o.usd_per_month for o in meeting]
    assert months == sorted(months)
    # Those that meet come before those that don't.
    flags = [o.meets_targets for o in result.options]
    assert flags == sorted(flags, reverse=True)


def test_replicas_cover_the_peak_and_cost_what_their_gpus_cost(result):
    for o in result.options:
        if not o.meets_targets:
            continue
        assert o.replicas * o.max_rate_per_replica >= TRAFFIC.peak_rate * 0.999
        assert o.usd_per_hour == pytest.approx(o.usd_per_gpu_hour * o.gpus_per_replica * o.replicas)
        assert o.usd_per_month == pytest.approx(o.usd_per_hour * 730)
        tokens_per_hour = 4.0 * 3600 * 1200
        assert o.usd_per_1m_tokens == pytest.approx(o.usd_per_hour / tokens_per_hour * 1e6)
        assert o.ttft_s <= TARGETS.ttft_s
        assert o.tpot_s <= TARGETS.tpot_s
        assert o.price_source == "catalog"


def test_the_max_rate_found_meets_the_targets_in_a_longer_run(result):
    o = result.best
    workload = Workload(
        num_gpus=o.gpus_per_replica,
        prompt_tokens=1000,
        completion_tokens=200,
        weights_dtype=o.weights,
    )
    gpu = {A100_80GB.slug: A100_80GB, H100_SXM.slug: H100_SXM}[o.gpu]
    run = simulate(
        LLAMA_3_8B, gpu, ROUND_ENGINE, workload, rate=o.max_rate_per_replica * 0.95, requests=2000
    )
    assert run.ttft_s.p95 <= TARGETS.ttft_s * 1.15
    assert run.tpot_s.p95 <= TARGETS.tpot_s * 1.15


def test_options_without_a_price_say_so_and_are_never_best(result):
    l4 = [o for o in result.options if o.gpu == L4.slug and o.reason_codes]
    assert l4
    assert all(not o.meets_targets for o in l4)
    assert any(P.Reason.NO_PRICE in o.reason_codes for o in l4)


def test_the_api_comparison_bills_the_average_rate_for_a_month(result):
    (api,) = result.api_comparison
    tokens_cost = (1000 * GPT_35.input_usd_per_1m + 200 * GPT_35.output_usd_per_1m) / 1e6
    assert api.usd_per_month == pytest.approx(4.0 * 3600 * 730 * tokens_cost)


def test_the_pareto_front_holds_the_options_no_other_beats_on_both_axes(result):
    points = [o for o in result.options if o.tokens_per_second_per_gpu is not None]
    front = [o for o in points if o.on_pareto_front]
    assert front
    for o in front:
        assert not any(
            p.tokens_per_second_per_gpu > o.tokens_per_second_per_gpu
            and p.tokens_per_second_per_user > o.tokens_per_second_per_user
            for p in points
        )
    off = [o for o in points if not o.on_pareto_front]
    for o in off:
        assert any(
            p.tokens_per_second_per_gpu >= o.tokens_per_second_per_gpu
            and p.tokens_per_second_per_user >= o.tokens_per_second_per_user
            for p in front
        )


def test_a_model_too_big_for_the_replica_does_not_fit():
    tiny = dataclasses.replace(A100_80GB, usable_memory_gib=10, slug="tiny", name="Tiny")
    result = P.plan(
        LLAMA_3_8B,
        [tiny],
        ROUND_ENGINE,
        TRAFFIC,
        TARGETS,
        weights=[Dtype.BF16],
        max_gpus_per_replica=1,
    )
    (option,) = result.options
    assert option.reason_codes == (P.Reason.DOES_NOT_FIT,)
    assert option.reasons[0].startswith("Does not fit")
    assert result.best is None
    assert "does not fit" in result.best_reason


def test_a_target_one_request_alone_misses_is_named():
    strict = P.Targets(ttft_s=0.001, tpot_s=0.0001)
    result = P.plan(
        LLAMA_3_8B,
        [H100_SXM],
        ROUND_ENGINE,
        TRAFFIC,
        strict,
        weights=[Dtype.BF16],
        max_gpus_per_replica=1,
    )
    (option,) = result.options
    assert option.reason_codes == (P.Reason.MISSES_TTFT, P.Reason.MISSES_TPOT)
    assert "Misses TTFT" in option.reasons[0]
    assert "Misses TPOT" in option.reasons[1]


def test_requests_per_day_are_sized_for_the_peak():
    traffic = P.Traffic.per_day(86_400, 3.0, 1000, 200)
    assert traffic.average_rate == 1.0
    assert traffic.peak_rate == 3.0


def test_the_planner_asks_one_function_for_prices():
    asked = []

    def price(gpu, n):
        asked.append((gpu.slug, n))
        return pricing.typed_price(10.0, n)

    result = P.plan(
        LLAMA_3_8B,
        [H100_SXM],
        ROUND_ENGINE,
        TRAFFIC,
        TARGETS,
        weights=[Dtype.FP8],
        max_gpus_per_replica=1,
        price=price,
    )
    assert asked == [("h100-sxm", 1)]
    assert result.best.usd_per_gpu_hour == 10.0
    assert result.best.price_source == "entered"


def test_native_weights_are_the_gpus_own_16_and_8_bit_types():
    assert P.native_weights(H100_SXM) == (Dtype.BF16, Dtype.FP8)
    assert P.native_weights(A100_80GB) == (Dtype.BF16, Dtype.INT8)


def test_replica_sizes_divide_the_attention_heads():
    odd = dataclasses.replace(LLAMA_3_8B, num_attention_heads=12)
    assert P.replica_sizes(odd, 8) == [1, 2, 4]
    assert P.replica_sizes(LLAMA_3_8B, 8) == [1, 2, 4, 8]


@pytest.mark.parametrize(
    ("traffic", "targets", "field"),
    [
        (P.Traffic.at_peak(0, 10, 10), TARGETS, "rate"),
        (TRAFFIC, P.Targets(1, 1, "p42"), "percentile"),
        (TRAFFIC, P.Targets(0, 1), "ttft_ms"),
    ],
)
def test_it_refuses_what_it_cannot_plan(traffic, targets, field):
    with pytest.raises(EstimatorInputError) as error:
        P.plan(LLAMA_3_8B, [H100_SXM], ROUND_ENGINE, traffic, targets)
    assert error.value.field == field


def test_the_answer_has_the_apis_shape(result):
    shape = result.as_dict()
    assert set(shape) >= {"options", "best", "api_comparison", "estimator_version", "warnings"}
    option = shape["options"][0]
    for key in (
        "gpu",
        "gpus_per_replica",
        "weights",
        "kv",
        "engine",
        "meets_targets",
        "reasons",
        "max_rate_per_replica",
        "replicas",
        "ttft_ms",
        "tpot_ms",
        "usd_per_hour",
        "usd_per_month",
        "usd_per_1m_tokens",
        "price_source",
    ):
        assert key in option
    assert not math.isnan(option["ttft_ms"])
