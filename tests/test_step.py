"""The step-time function: one engine iteration, the seam prefill, decode and the serving
simulator share. Today's figures are its special cases, to the last bit of rounding."""

from __future__ import annotations

import dataclasses
import math

import pytest

from calculator.estimator import Workload, estimate, make_context, step_time, timing
from calculator.estimator import constants as C
from calculator.estimator.specs import Dtype, Interconnect, Parallelism
from calculator.estimator.step import link
from tests.estimator_fixtures import (
    A100_80GB,
    H100_SXM,
    LLAMA_2_70B,
    LLAMA_3_8B,
    MIXTRAL_8X7B,
    ROUND_ENGINE,
)

CONFIGS = [
    (LLAMA_3_8B, H100_SXM, Workload(num_gpus=1, batch_size=1, prompt_tokens=1000)),
    (LLAMA_2_70B, A100_80GB, Workload(num_gpus=4, batch_size=16, prompt_tokens=3000)),
    (
        MIXTRAL_8X7B,
        H100_SXM,
        Workload(num_gpus=2, batch_size=64, prompt_tokens=200, weights_dtype=Dtype.FP8),
    ),
    (
        LLAMA_2_70B,
        H100_SXM,
        Workload(num_gpus=4, batch_size=8, prompt_tokens=500, parallelism=Parallelism.PIPELINE),
    ),
]


@pytest.mark.parametrize(("model", "gpu", "workload"), CONFIGS)
def test_time_to_first_token_is_one_step_over_the_whole_prompt_batch(model, gpu, workload):
    e = estimate(model, gpu, ROUND_ENGINE, workload)
    ctx = make_context(model, gpu, ROUND_ENGINE, workload)
    b, p = e.batch, workload.prompt_tokens
    step = step_time(
        ctx, prefill_tokens=b * p, prefill_sequences=b, prefill_attention=b * p * p / 2
    )
    assert step.compute == e.prefill.compute_seconds
    assert step.memory == e.prefill.memory_seconds
    assert step.communication == e.prefill.communication_seconds
    ttft = max(step.memory, step.compute) + step.communication + ROUND_ENGINE.request_overhead_s
    assert ttft == e.prefill.seconds


@pytest.mark.parametrize(("model", "gpu", "workload"), CONFIGS)
def test_time_per_output_token_is_the_mean_decode_step_over_the_completion(model, gpu, workload):
    e = estimate(model, gpu, ROUND_ENGINE, workload)
    ctx = make_context(model, gpu, ROUND_ENGINE, workload)
    batch = timing.step_batch(ctx, e.batch)
    p, c = workload.prompt_tokens, workload.completion_tokens
    points = 16
    contexts = [p + (i + 0.5) * c / points for i in range(points)]
    steps = [step_time(ctx, decode_sequences=batch, decode_context=batch * x) for x in contexts]
    assert math.fsum(s.total for s in steps) / points == pytest.approx(
        e.decode.seconds_per_token, rel=1e-12
    )
    assert steps[0].overhead == ctx.step_overhead_s


def test_batch_one_decode_step_hand_worked():
    # Llama 3 8B fp16 on one H100 (whole peaks), engine at 50% of bandwidth: the step reads
    # every block weight and the head (embedding rows aside) plus the context's KV cache.
    ctx = make_context(LLAMA_3_8B, H100_SXM, ROUND_ENGINE, Workload())
    step = step_time(ctx, decode_sequences=1, decode_context=1000)
    weights = (8_030_261_248 - 128_256 * 4096) * 2  # all but the embedding table
    kv = 1000 * 2 * 32 * 8 * 128 * 2  # context x K,V x layers x KV heads x head_dim x 2 B
    assert step.memory == pytest.approx((weights + kv) / (3350e9 * 0.5), rel=1e-9)
    assert step.total == pytest.approx(step.memory + ROUND_ENGINE.step_overhead_s)


def test_a_step_is_linear_in_the_decode_contexts_so_runs_of_steps_sum_in_closed_form():
    ctx = make_context(LLAMA_3_8B, H100_SXM, ROUND_ENGINE, Workload())
    a = step_time(ctx, decode_sequences=8, decode_context=8_000)
    b = step_time(ctx, decode_sequences=8, decode_context=16_000)
    c = step_time(ctx, decode_sequences=8, decode_context=24_000)
    assert c.memory - b.memory == pytest.approx(b.memory - a.memory)
    assert c.compute - b.compute == pytest.approx(b.compute - a.compute)


def test_decode_sequences_riding_along_a_prefill_chunk_cost_little_more():
    ctx = make_context(LLAMA_3_8B, H100_SXM, ROUND_ENGINE, Workload())
    chunk = step_time(ctx, prefill_tokens=2048, prefill_sequences=1, prefill_attention=2048**2 / 2)
    mixed = step_time(
        ctx,
        prefill_tokens=2048,
        prefill_sequences=1,
        prefill_attention=2048**2 / 2,
        decode_sequences=32,
        decode_context=32 * 2000,
    )
    decode_alone = step_time(ctx, decode_sequences=32, decode_context=32 * 2000)
    assert chunk.total < mixed.total < chunk.total + decode_alone.total


def test_prompt_tokens_beyond_the_token_budget_take_another_pass_over_the_weights():
    ctx = make_context(LLAMA_3_8B, H100_SXM, ROUND_ENGINE, Workload())
    one = step_time(ctx, prefill_tokens=8192, prefill_sequences=1)
    two = step_time(ctx, prefill_tokens=8193, prefill_sequences=1)
    assert two.memory == pytest.approx(2 * one.memory)


def test_a_decode_only_step_reads_only_the_experts_its_batch_routes_to():
    ctx = make_context(MIXTRAL_8X7B, H100_SXM, ROUND_ENGINE, Workload(num_gpus=2))
    one = step_time(ctx, decode_sequences=1, decode_context=0)
    many = step_time(ctx, decode_sequences=64, decode_context=0)
    prefill = step_time(ctx, prefill_tokens=64, prefill_sequences=64)
    assert one.memory < many.memory <= prefill.memory


def test_the_estimate_without_its_trace_has_the_same_figures():
    workload = Workload(num_gpus=2, batch_size=4)
    full = estimate(LLAMA_2_70B, H100_SXM, ROUND_ENGINE, workload)
    lean = estimate(LLAMA_2_70B, H100_SXM, ROUND_ENGINE, workload, trace=False)
    assert full.trace and not lean.trace
    assert dataclasses.replace(full, trace=()) == lean


# Effects the second calibration pass measured (constants.py, issue 11).


def test_each_moe_layer_adds_routing_overhead_to_every_step():
    dense = make_context(LLAMA_3_8B, H100_SXM, ROUND_ENGINE, Workload())
    moe = make_context(MIXTRAL_8X7B, H100_SXM, ROUND_ENGINE, Workload(num_gpus=2))
    assert dense.step_overhead_s == ROUND_ENGINE.step_overhead_s
    assert moe.step_overhead_s == pytest.approx(
        ROUND_ENGINE.step_overhead_s + 32 * C.MOE_LAYER_STEP_OVERHEAD_S
    )


def test_routed_expert_flops_run_at_the_grouped_gemm_rate(monkeypatch):
    ctx = make_context(MIXTRAL_8X7B, H100_SXM, ROUND_ENGINE, Workload(num_gpus=2))
    # Two of eight experts per token, each three 4096 x 14336 projections, 32 layers.
    routed = 2 * 32 * 2 * 3 * 4096 * 14336
    assert ctx.routed_flops_per_token == routed
    with_grouped = step_time(ctx, prefill_tokens=8000, prefill_sequences=1).compute
    extra = 8000 * routed * (1 / C.MOE_GROUPED_GEMM_EFFICIENCY - 1)
    monkeypatch.setattr(C, "MOE_GROUPED_GEMM_EFFICIENCY", 1.0)
    plain = step_time(ctx, prefill_tokens=8000, prefill_sequences=1).compute
    rate = ctx.divisor * ctx.peak_flops * ROUND_ENGINE.prefill_compute_utilization
    assert with_grouped - plain == pytest.approx(extra / rate, rel=1e-9)


def test_amd_instinct_steps_pay_a_launch_cost_per_layer():
    mi300x = dataclasses.replace(
        H100_SXM, slug="mi300x", name="MI300X", interconnect=Interconnect.INFINITY_FABRIC
    )
    nvidia = make_context(LLAMA_3_8B, H100_SXM, ROUND_ENGINE, Workload())
    amd = make_context(LLAMA_3_8B, mi300x, ROUND_ENGINE, Workload())
    assert amd.step_overhead_s - nvidia.step_overhead_s == pytest.approx(
        32 * C.ROCM_LAYER_STEP_OVERHEAD_S
    )


def test_geforce_cards_all_reduce_through_the_host():
    rtx = dataclasses.replace(
        H100_SXM, slug="rtx", name="RTX", interconnect=Interconnect.PCIE, fp16_acc16_tflops=330
    )
    pcie = dataclasses.replace(rtx, fp16_acc16_tflops=None)
    assert link(rtx, 2)[1:] == (C.PCIE_NO_PEER_ALLREDUCE_LATENCY_S, "PCIe via host")
    assert link(pcie, 2)[1:] == (C.ALLREDUCE_LATENCY_S[Interconnect.PCIE], "PCIe")


def test_int4_weights_read_slower_than_their_bytes():
    fp16 = make_context(LLAMA_3_8B, H100_SXM, ROUND_ENGINE, Workload())
    int4 = make_context(LLAMA_3_8B, H100_SXM, ROUND_ENGINE, Workload(weights_dtype=Dtype.INT4))
    assert fp16.weight_read_factor == 1.0
    assert int4.weight_read_factor == pytest.approx(1 / C.INT4_WEIGHT_READ_EFFICIENCY)
    a = step_time(fp16, decode_sequences=1, decode_context=0).memory
    b = step_time(int4, decode_sequences=1, decode_context=0).memory
    assert a / 4 < b < a


def test_each_sequence_in_a_step_adds_the_engines_host_side_cost():
    # Hand-worked: 20 us a sequence; a step of 100 decodes and 2 prompt chunks
    # schedules 102 sequences: 2.04 ms on top of the engine's 1 ms a step.
    host = dataclasses.replace(ROUND_ENGINE, sequence_overhead_s=20e-6)
    workload = Workload(num_gpus=1, batch_size=100, prompt_tokens=1000)
    plain = make_context(LLAMA_3_8B, H100_SXM, ROUND_ENGINE, workload)
    busy = make_context(LLAMA_3_8B, H100_SXM, host, workload)
    mix = {
        "prefill_tokens": 2000,
        "prefill_sequences": 2,
        "prefill_attention": 2 * 1000 * 1000 / 2,
        "decode_sequences": 100,
        "decode_context": 100 * 1500,
    }
    assert step_time(plain, **mix).overhead == pytest.approx(0.001)
    assert step_time(busy, **mix).overhead == pytest.approx(0.001 + 102 * 20e-6)
    # The roofline parts don't move: the host's cost is added, not overlapped.
    assert step_time(busy, **mix).memory == step_time(plain, **mix).memory
    assert step_time(busy, **mix).total - step_time(plain, **mix).total == pytest.approx(
        102 * 20e-6
    )


def test_the_host_side_cost_grows_the_decode_step_with_the_batch():
    host = dataclasses.replace(ROUND_ENGINE, sequence_overhead_s=20e-6)
    small = Workload(num_gpus=1, batch_size=8, prompt_tokens=1000, completion_tokens=100)
    large = dataclasses.replace(small, batch_size=200)
    for workload, sequences in ((small, 8), (large, 200)):
        with_host = estimate(LLAMA_3_8B, H100_SXM, host, workload).decode.seconds_per_token
        without = estimate(LLAMA_3_8B, H100_SXM, ROUND_ENGINE, workload).decode.seconds_per_token
        assert with_host - without == pytest.approx(sequences * 20e-6, rel=1e-6)
