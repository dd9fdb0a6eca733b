"""The estimator's formulas at their edges: hand-worked boundaries, monotonicity and
the branches no other test reaches, written against `make mutate`'s survivors."""

from __future__ import annotations

import dataclasses

import pytest

from calculator.estimator import EstimatorInputError, Parallelism, Workload, estimate
from calculator.estimator import constants as C
from calculator.estimator.memory import (
    UNBOUNDED_TOKENS,
    MemoryPlan,
    gpu_counts,
    local_context,
    local_prefill_pairs,
)
from calculator.estimator.specs import ApiOffering, Dtype, Interconnect
from calculator.estimator.step import allreduce_seconds, compute_dtype, link
from tests.estimator_fixtures import (
    A100_80GB,
    GPT_35,
    H100_SXM,
    LLAMA_2_70B,
    LLAMA_3_8B,
    ROUND_ENGINE,
)
from tests.test_architectures import DEEPSEEK_V3, LLAMA_4_SCOUT_TEXT, MISTRAL_7B

NO_TENSOR_CORES = dataclasses.replace(
    A100_80GB,
    slug="fp32-only",
    name="FP32-only card",
    tf32_tflops=None,
    fp16_tflops=None,
    bf16_tflops=None,
    int8_tops=None,
)


def priced(workload: Workload) -> Workload:
    """The workload billed at the A100's catalog price, as the app prices a GPU without
    offers (the estimator bills only the price it is given: estimator/pricing.py)."""
    return dataclasses.replace(workload, gpu_hourly_usd=A100_80GB.hourly_usd)


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
    e = estimate(LLAMA_3_8B, A100_80GB, ROUND_ENGINE, priced(workload))
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
        (
            "cost",
            "Break-even utilisation (cheapest same-model API, else reference)",
            "fraction",
            c.break_even_utilization,
        ),
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
    assert text["Break-even utilisation (cheapest same-model API, else reference)"] == (
        "$3.58 / API cost of 1,306,447 output tokens"
    )
    formula = {s.label: s.formula for s in e.trace if s.section == "cost"}
    assert formula == {
        "Cost of one run": "GPUs x price per GPU-hour x end-to-end time",
        "Cost per 1M output tokens at full load": (
            "price per hour / (3,600 x saturated output tokens/s) x 1M"
        ),
        "Break-even utilisation (cheapest same-model API, else reference)": (
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
    e = estimate(LLAMA_3_8B, A100_80GB, ROUND_ENGINE, priced(workload))
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
    e = estimate(LLAMA_3_8B, A100_80GB, ROUND_ENGINE, priced(workload))

    paid, gratis = e.api_comparison
    assert (paid.slug, paid.name) == (GPT_35.slug, GPT_35.name)
    assert paid.total_usd == pytest.approx(2 * (100 * 0.5 + 10 * 1.5) / 1e6)
    assert paid.ratio == pytest.approx(e.cost.total_usd / paid.total_usd)
    assert (gratis.slug, gratis.name) == ("free-api", "Free API")
    assert (gratis.total_usd, gratis.ratio, gratis.break_even_utilization) == (0.0, None, None)
    # The break-even is the cheapest API's that has one: the free API has none.
    assert e.cost.break_even_utilization == paid.break_even_utilization


# Section: "show the math" reads as the formulas it computes

FORMULAS_AND_NUMBERS = {
    "Total parameters": (
        "embedding + LM head + layers x (attention + norms) + MLPs (all experts)",
        "525,336,576 + 525,336,576 + 32 x (41,943,040 + 8,192) + MLPs",
    ),
    "Weights per GPU": (
        "blocks x bytes/param + embedding and head at 16-bit, split across GPUs",
        "6,979,588,096 x 2 B (fp16) / 2",
    ),
    "KV cache per token per GPU": (
        "2 x layers x max(KV heads / TP, 1) x head_dim x bytes",
        "2 x 32 x max(8/2, 1) x 128 x 2 B (fp16)",
    ),
    "KV cache per GPU": ("KV per token x sequence length x batch", "65,536 B x 1,100 x 4"),
    "Activations per GPU": (
        "engine chunk x (4 x hidden + 3 x MLP width / TP) x 2 B + max seqs x vocab / TP x 4 B",
        "8,192 tokens x (4 x 4,096 + 3 x 14,336 / 2) x 2 B + 256 x 128,256 / 2 x 4 B",
    ),
    "Capacity per GPU": ("usable memory x engine memory fraction", "80.0 GiB x 0.90"),
    "Largest batch that fits": (
        "(capacity - weights - activations - runtime) / (KV per token x sequence length)",
        "(77.31 GB - 8.03 GB - 0.69 GB - 1.07 GB) / (65,536 B x 1,100)",
    ),
    "Prefill compute": (
        "(2 x active params x tokens + 2 x layers x heads x head_dim x prompt^2 x batch) "
        "/ (GPUs x peak x GPU efficiency x engine utilisation)",
        "4,000 tokens, 312 TFLOPS fp16 x 2 x 1.00 x 0.50",
    ),
    "Prefill weight reads": (
        "chunks x weights / (GPUs x bandwidth x GPU efficiency x engine utilisation)",
        "1 chunk(s), 2,039 GB/s x 1.00 x 0.50",
    ),
    "Time to first token": (
        "max(compute, memory) + all-reduces + per-request overhead",
        "max(185.699 ms, 7.877 ms) + 9.250 ms + 10.000 ms",
    ),
    "Decode memory time per step": (
        "(weights read + batch x context x KV per token) "
        "/ (GPUs x bandwidth x GPU efficiency x engine utilisation)",
        "batch 4, context 1,000 to 1,100",
    ),
    "Decode compute time per step": (
        "(2 x active params + 4 x layers x heads x head_dim x context) x batch "
        "/ (GPUs x peak x GPU efficiency x engine utilisation)",
        "312 TFLOPS x 1.00 x 0.50",
    ),
    "All-reduces per step": (
        "2 x layers x (latency + 2(n-1)/n x message / (link bandwidth x 0.8))",
        "2 x 32 x (8 us over nvlink + 32,768 B)",
    ),
    "Time per output token": (
        "max(memory, compute) + communication + engine step overhead",
        "max(7.631 ms, 0.199 ms) + 0.521 ms + 1.000 ms",
    ),
    "End-to-end time": (
        "time to first token + (completion - 1) x time per output token",
        "204.949 ms + 99 x 9.152 ms",
    ),
    "Cost of one run": (
        "GPUs x price per GPU-hour x end-to-end time",
        "2 x $1.79 x 1.11 s / 3,600",
    ),
    "Cost per 1M output tokens at full load": (
        "price per hour / (3,600 x saturated output tokens/s) x 1M",
        "$3.58 / (3,600 x 362.9)",
    ),
    "Break-even utilisation (cheapest same-model API, else reference)": (
        "price per hour / API price of the tokens served in an hour at full load",
        "$3.58 / API cost of 1,306,447 output tokens",
    ),
}


def test_every_step_shows_its_formula_and_the_numbers_put_in_it():
    """The same estimate as above, hand-checked against its figures: 2 x 32 x 4 x 128
    x 2 B = 65,536 B of KV per token on each of 2 GPUs, 4 x 1,000 prompt tokens,
    1,100-token sequences, $1.79 x 2 GPUs = $3.58 an hour."""
    workload = Workload(
        num_gpus=2, batch_size=4, prompt_tokens=1000, completion_tokens=100, apis=(GPT_35,)
    )
    e = estimate(LLAMA_3_8B, A100_80GB, ROUND_ENGINE, priced(workload))
    assert {s.label: (s.formula, s.substituted) for s in e.trace} == FORMULAS_AND_NUMBERS


@pytest.mark.parametrize(
    ("model", "formula", "numbers"),
    [
        (
            DEEPSEEK_V3,
            "KV per token x sequence length x batch",
            "70,272 B x 9,100 x 2",
        ),
        (
            MISTRAL_7B,
            "(KV per token x sequence length - local layers' share x (sequence length - "
            "window)) x batch: 32 of 32 layers hold at most a window of 4,096 tokens",
            "(16,384 B x 9,100 - 16,384 B x 5,004) x 2",
        ),
        (
            LLAMA_4_SCOUT_TEXT,
            "(KV per token x sequence length - local layers' share x (sequence length - "
            "chunk)) x batch: 36 of 48 layers hold at most a chunk of 8,192 tokens",
            "(24,576 B x 9,100 - 18,432 B x 908) x 2",
        ),
    ],
)
def test_the_kv_cache_step_says_how_local_layers_cap_it(model, formula, numbers):
    workload = Workload(num_gpus=8, batch_size=2, prompt_tokens=9000, completion_tokens=100)
    step = {s.label: s for s in estimate(model, H100_SXM, ROUND_ENGINE, workload).trace}
    assert (step["KV cache per GPU"].formula, step["KV cache per GPU"].substituted) == (
        formula,
        numbers,
    )


def test_latent_attention_says_every_gpu_holds_the_latent():
    workload = Workload(num_gpus=8, batch_size=2, prompt_tokens=9000, completion_tokens=100)
    step = {s.label: s for s in estimate(DEEPSEEK_V3, H100_SXM, ROUND_ENGINE, workload).trace}
    kv = step["KV cache per token per GPU"]
    assert (kv.section, kv.unit, kv.value) == ("memory", "bytes", 61 * (512 + 64) * 2)
    assert kv.formula == (
        "layers x (kv_lora_rank + qk_rope_head_dim) x bytes, on every GPU (latent "
        "attention: one latent per token and layer, shared by all heads)"
    )
    assert kv.substituted == "61 x (512 + 64) x 2 B (fp16)"


def test_a_window_exactly_as_long_as_the_sequence_caps_nothing():
    """At seq_len == window no layer has dropped a token: the plain formula applies."""
    workload = Workload(num_gpus=1, batch_size=1, prompt_tokens=4000, completion_tokens=96)
    step = {s.label: s for s in estimate(MISTRAL_7B, H100_SXM, ROUND_ENGINE, workload).trace}
    assert step["KV cache per GPU"].formula == "KV per token x sequence length x batch"


def test_pipeline_stages_are_named_in_the_weights_step():
    workload = Workload(
        num_gpus=4,
        batch_size=2,
        prompt_tokens=1000,
        completion_tokens=100,
        parallelism=Parallelism.PIPELINE,
    )
    step = {s.label: s for s in estimate(LLAMA_2_70B, H100_SXM, ROUND_ENGINE, workload).trace}
    assert step["Weights per GPU"].substituted == (
        "68,452,360,192 x 2 B (fp16) / 1, largest of 4 pipeline stages"
    )


# Section: the links all-reduces cross


def test_eight_nvlink_gpus_talk_over_nvlink_and_a_ninth_crosses_nodes():
    """An HGX board joins 8 GPUs: 8 all-reduce over NVLink (half the quoted bidirectional
    900 GB/s each way), 9 or 16 over the network between nodes."""
    assert link(H100_SXM, 8) == (
        450 * C.BYTES_PER_GB,
        C.ALLREDUCE_LATENCY_S[Interconnect.NVLINK],
        "nvlink",
    )
    between = (C.INTER_NODE_GB_S * C.BYTES_PER_GB, C.INTER_NODE_LATENCY_S, "between nodes")
    assert link(H100_SXM, 9) == between
    assert link(H100_SXM, 16) == between


def test_one_gpu_all_reduces_nothing():
    assert allreduce_seconds(H100_SXM, 1, 1e9) == 0.0


def test_a_ring_all_reduce_moves_twice_the_message_times_n_minus_one_over_n():
    bandwidth, latency, _ = link(H100_SXM, 4)
    message = 1e6
    moved = 2 * 3 / 4 * message
    assert allreduce_seconds(H100_SXM, 4, message) == pytest.approx(
        latency + moved / (bandwidth * C.ALLREDUCE_BANDWIDTH_EFFICIENCY)
    )


def test_pcie_all_reduces_run_at_the_cards_pcie_bandwidth_with_or_without_peer_to_peer():
    card = dataclasses.replace(H100_SXM, interconnect=Interconnect.PCIE, pcie_gb_s=32)
    geforce = dataclasses.replace(card, fp16_acc16_tflops=330)
    assert link(card, 2)[0] == link(geforce, 2)[0] == 32 * C.BYTES_PER_GB


# Section: cost


def test_the_cost_per_million_output_tokens_is_an_hour_over_an_hours_output():
    workload = Workload(num_gpus=2, batch_size=8, prompt_tokens=500, completion_tokens=200)
    c = estimate(LLAMA_3_8B, A100_80GB, ROUND_ENGINE, priced(workload)).cost
    tokens_an_hour = c.saturated_output_tokens_per_second * 3600
    assert c.usd_per_1m_output_tokens == pytest.approx(2 * 1.79 / tokens_an_hour * 1e6)


def test_without_a_price_the_full_load_throughput_is_still_reported():
    workload = Workload(num_gpus=1, batch_size=8, prompt_tokens=500, completion_tokens=200)
    with_price = estimate(LLAMA_3_8B, A100_80GB, ROUND_ENGINE, priced(workload)).cost
    unpriced = estimate(
        LLAMA_3_8B, dataclasses.replace(A100_80GB, hourly_usd=None), ROUND_ENGINE, workload
    ).cost
    assert unpriced.saturated_output_tokens_per_second == pytest.approx(
        with_price.saturated_output_tokens_per_second
    )
    assert (
        unpriced.usd_per_hour,
        unpriced.total_usd,
        unpriced.usd_per_1k_tokens,
        unpriced.usd_per_1m_output_tokens,
        unpriced.break_even_utilization,
        unpriced.usd_per_gpu_hour,
    ) == (None,) * 6


# Section: memory plans, hand-worked in bytes

# 100 B usable; weights 50, activations 10, runtime 10: 30 B left for the KV cache at
# 2 B a token; a windowed variant holds at most 10 tokens on its local layers (1 B of
# the 2 B a token).
PLAN = MemoryPlan(
    weights=50, activations=10, overhead=10, kv_per_token=2, capacity=100, physical=120
)
WINDOWED = dataclasses.replace(PLAN, kv_local_per_token=1, window=10)


def test_a_batch_that_exactly_fills_the_cache_fits_and_one_more_token_does_not():
    assert PLAN.free_for_kv() == 30
    assert PLAN.max_batch(15) == 1  # 15 tokens x 2 B = 30 B: exactly fits
    assert PLAN.max_batch(16) == 0  # one token over
    assert PLAN.max_batch(5) == 3
    assert PLAN.max_seq_len(1) == 15
    assert PLAN.max_seq_len(2) == 7
    assert PLAN.total(15, 1) == 100


def test_nothing_fits_when_the_weights_take_the_whole_memory():
    full = dataclasses.replace(PLAN, weights=95)
    assert (full.max_batch(1), full.max_seq_len(1)) == (0, 0)


def test_local_layers_stop_growing_at_the_window():
    assert WINDOWED.kv_per_sequence(10) == 20
    assert WINDOWED.kv_per_sequence(20) == 20 * 2 - 1 * (20 - 10)
    # 20 tokens need 30 B: exactly the cache; 21 need 31 B.
    assert WINDOWED.max_seq_len(1) == 20
    assert WINDOWED.kv_per_sequence(21) == 31
    assert dataclasses.replace(WINDOWED, capacity=130).max_seq_len(2) == 20
    # Below the window the plain count applies: 10 B hold 5 tokens.
    assert dataclasses.replace(WINDOWED, capacity=80).max_seq_len(1) == 5


def test_a_model_whose_every_layer_is_local_fits_any_length_once_a_window_fits():
    all_local = dataclasses.replace(WINDOWED, kv_local_per_token=2)
    assert all_local.max_seq_len(1) == UNBOUNDED_TOKENS


@pytest.mark.parametrize(
    ("parallelism", "counts"),
    [
        (Parallelism.TENSOR, [1, 2, 3, 4, 8, 16, 32, 64]),
        (Parallelism.PIPELINE, list(range(1, 33))),
    ],
)
def test_the_gpu_counts_searched_for_the_fewest_that_fit(parallelism, counts):
    """Powers of two up to 64 for tensor parallelism, every count up to the layers (32)
    for pipeline stages; always with the count asked (3 here)."""
    workload = Workload(num_gpus=3, parallelism=parallelism)
    assert gpu_counts(LLAMA_3_8B, workload) == counts


def test_pipeline_stages_can_fit_on_fewer_gpus_than_tensor_parallelism_searches():
    """Llama 2 70B with 64 sequences of 2,500 tokens on A100s: tensor parallelism goes
    from 2 to 4 GPUs, pipeline stages stop at 3."""
    tensor = Workload(num_gpus=1, batch_size=64, prompt_tokens=2000, completion_tokens=500)
    pipeline = dataclasses.replace(tensor, parallelism=Parallelism.PIPELINE)
    assert estimate(LLAMA_2_70B, A100_80GB, ROUND_ENGINE, tensor).memory.min_gpus == 4
    assert estimate(LLAMA_2_70B, A100_80GB, ROUND_ENGINE, pipeline).memory.min_gpus == 3


def test_the_largest_batch_fits_on_one_gpu_and_one_more_needs_two():
    workload = Workload(num_gpus=1, prompt_tokens=2000, completion_tokens=500)
    largest = estimate(LLAMA_3_8B, A100_80GB, ROUND_ENGINE, workload).memory.max_batch
    fits = dataclasses.replace(workload, batch_size=largest)
    over = dataclasses.replace(workload, batch_size=largest + 1)
    assert estimate(LLAMA_3_8B, A100_80GB, ROUND_ENGINE, fits).memory.min_gpus == 1
    assert estimate(LLAMA_3_8B, A100_80GB, ROUND_ENGINE, over).memory.min_gpus == 2
