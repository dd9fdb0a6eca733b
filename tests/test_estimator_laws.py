"""The estimator's formulas at their edges: hand-worked boundaries, monotonicity and
the branches no other test reaches, written against `make mutate`'s survivors."""

from __future__ import annotations

import dataclasses

import pytest

from calculator.estimator import EstimatorInputError, Workload, estimate
from calculator.estimator.memory import local_context, local_prefill_pairs
from calculator.estimator.specs import ApiOffering, Dtype
from calculator.estimator.step import compute_dtype
from tests.estimator_fixtures import A100_80GB, GPT_35, LLAMA_3_8B, ROUND_ENGINE

NO_TENSOR_CORES = dataclasses.replace(
    A100_80GB,
    slug="fp32-only",
    name="FP32-only card",
    tf32_tflops=None,
    fp16_tflops=None,
    bf16_tflops=None,
    int8_tops=None,
)


# Section: which tensor unit does the maths


def test_a_gpu_with_only_fp32_figures_computes_at_its_fp32_rate_and_says_so():
    warnings: list[str] = []
    assert compute_dtype(NO_TENSOR_CORES, ROUND_ENGINE, Dtype.BF16, warnings) == (
        Dtype.FP32,
        A100_80GB.fp32_tflops,
    )
    assert warnings == [
        "FP32-only card lists no BF16 throughput: compute is estimated at its FP32 rate."
    ]


def test_the_fp32_fallback_makes_prefill_compute_slower_by_the_ratio_of_peaks():
    workload = Workload(num_gpus=1, batch_size=1, prompt_tokens=2000, completion_tokens=10)
    tensor = estimate(LLAMA_3_8B, A100_80GB, ROUND_ENGINE, workload)
    fp32 = estimate(LLAMA_3_8B, NO_TENSOR_CORES, ROUND_ENGINE, workload)
    ratio = A100_80GB.bf16_tflops / A100_80GB.fp32_tflops
    assert fp32.prefill.compute_seconds == pytest.approx(tensor.prefill.compute_seconds * ratio)
    assert any("estimated at its FP32 rate" in w for w in fp32.warnings)


def test_a_gpu_without_any_compute_figure_is_refused_by_name():
    blank = dataclasses.replace(NO_TENSOR_CORES, fp32_tflops=None)
    with pytest.raises(EstimatorInputError) as error:
        compute_dtype(blank, ROUND_ENGINE, Dtype.BF16)
    assert error.value.field == "gpu"
    assert error.value.message == "FP32-only card has no compute throughput on record."


# Section: local attention's edges


def test_a_model_without_a_window_computes_the_full_causal_triangle():
    assert local_prefill_pairs(LLAMA_3_8B, 1000) == 1000 * 1000 / 2
    assert local_context(LLAMA_3_8B, 70_000) == 70_000


# Section: "show the math" shows the result's own numbers


def test_the_trace_names_every_step_and_shows_the_results_figures():
    """Llama 3.1 8B on 2 x A100, batch 4, 1,000 + 100 tokens, with a price and an API:
    each step of the trace carries the figure the result reports, under its label."""
    workload = Workload(
        num_gpus=2, batch_size=4, prompt_tokens=1000, completion_tokens=100, apis=(GPT_35,)
    )
    e = estimate(LLAMA_3_8B, A100_80GB, ROUND_ENGINE, workload)
    m, p, d, c = e.memory, e.prefill, e.decode, e.cost
    expected = [
        ("parameters", "Total parameters", "parameters", e.total_params),
        ("memory", "Weights per GPU", "bytes", m.weights_bytes_per_gpu),
        ("memory", "KV cache per token per GPU", "bytes", m.kv_bytes_per_token_per_gpu),
        ("memory", "KV cache per GPU", "bytes", m.kv_cache_bytes_per_gpu),
        ("memory", "Activations per GPU", "bytes", m.activation_bytes_per_gpu),
        ("memory", "Capacity per GPU", "bytes", m.capacity_bytes_per_gpu),
        ("memory", "Largest batch that fits", "sequences", m.max_batch),
        ("prefill", "Prefill compute", "seconds", p.compute_seconds),
        ("prefill", "Prefill weight reads", "seconds", p.memory_seconds),
        ("prefill", "Time to first token", "seconds", p.seconds),
        ("decode", "Decode memory time per step", "seconds", d.memory_seconds),
        ("decode", "Decode compute time per step", "seconds", d.compute_seconds),
        ("decode", "All-reduces per step", "seconds", d.communication_seconds),
        ("decode", "Time per output token", "seconds", d.seconds_per_token),
        ("decode", "End-to-end time", "seconds", p.seconds + 99 * d.seconds_per_token),
        ("cost", "Cost of one run", "USD", c.total_usd),
        ("cost", "Cost per 1M output tokens at full load", "USD", c.usd_per_1m_output_tokens),
        ("cost", "Break-even utilisation (cheapest API)", "fraction", c.break_even_utilization),
    ]
    assert [(s.section, s.label, s.unit) for s in e.trace] == [row[:3] for row in expected]
    for step, (*_, value) in zip(e.trace, expected, strict=True):
        assert step.value == pytest.approx(value), step.label
    text = {s.label: s.substituted for s in e.trace}
    assert text["KV cache per GPU"] == "65,536 B x 1,100 x 4"
    assert text["KV cache per token per GPU"] == "2 x 32 x max(8/2, 1) x 128 x 2 B (fp16)"
    assert text["Capacity per GPU"] == "80.0 GiB x 0.90"
    assert text["Cost of one run"].startswith("2 x $1.79 x 1.11 s / 3,600")
    assert text["End-to-end time"].endswith(" + 99 x 9.152 ms")
    assert text["Prefill weight reads"].startswith("1 chunk(s), 2,039 GB/s")
    assert text["Decode memory time per step"] == "batch 4, context 1,000 to 1,100"
    assert text["Cost per 1M output tokens at full load"] == "$3.58 / (3,600 x 362.9)"
    assert text["Break-even utilisation (cheapest API)"] == (
        "$3.58 / API cost of 1,306,447 output tokens"
    )
    formula = {s.label: s.formula for s in e.trace if s.section == "cost"}
    assert formula == {
        "Cost of one run": "GPUs x price per GPU-hour x end-to-end time",
        "Cost per 1M output tokens at full load": (
            "price per hour / (3,600 x saturated output tokens/s) x 1M"
        ),
        "Break-even utilisation (cheapest API)": (
            "price per hour / API price of the tokens served in an hour at full load"
        ),
    }


def test_without_a_price_the_trace_has_no_cost_steps():
    workload = Workload(num_gpus=1, batch_size=1, prompt_tokens=100, completion_tokens=10)
    e = estimate(
        LLAMA_3_8B, dataclasses.replace(A100_80GB, hourly_usd=None), ROUND_ENGINE, workload
    )
    assert "cost" not in {s.section for s in e.trace}
    assert e.cost.usd_per_hour is None


def test_without_an_api_the_trace_has_no_break_even_step():
    workload = Workload(num_gpus=1, batch_size=1, prompt_tokens=100, completion_tokens=10)
    e = estimate(LLAMA_3_8B, A100_80GB, ROUND_ENGINE, workload)
    assert [s.label for s in e.trace if s.section == "cost"] == [
        "Cost of one run",
        "Cost per 1M output tokens at full load",
    ]


# Section: the API comparison


def test_each_api_is_compared_by_name_and_a_free_one_has_no_ratio():
    free = ApiOffering("free-api", "Free API", 0.0, 0.0)
    workload = Workload(
        num_gpus=1, batch_size=2, prompt_tokens=100, completion_tokens=10, apis=(GPT_35, free)
    )
    e = estimate(LLAMA_3_8B, A100_80GB, ROUND_ENGINE, workload)

    paid, gratis = e.api_comparison
    assert (paid.slug, paid.name) == (GPT_35.slug, GPT_35.name)
    assert paid.total_usd == pytest.approx(2 * (100 * 0.5 + 10 * 1.5) / 1e6)
    assert paid.ratio == pytest.approx(e.cost.total_usd / paid.total_usd)
    assert (gratis.slug, gratis.name) == ("free-api", "Free API")
    assert (gratis.total_usd, gratis.ratio, gratis.break_even_utilization) == (0.0, None, None)
    # The break-even is the cheapest API's that has one: the free API has none.
    assert e.cost.break_even_utilization == paid.break_even_utilization
