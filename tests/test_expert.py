"""Expert parallelism (estimator/expert.py and its hooks in memory.py and step.py):
hand-worked memory and all-to-all figures on a small MoE, DeepEP's published
all-to-all times, monotonicity, and a dense model refused."""

from __future__ import annotations

import dataclasses

import pytest

from calculator.estimator import EstimatorInputError, Parallelism, Workload, estimate
from calculator.estimator import constants as C
from calculator.estimator.memory import gpu_counts, plan_memory
from calculator.estimator.params import count_parameters
from calculator.estimator.specs import Dtype, Layout, ModelSpec
from calculator.estimator.step import (
    all_to_all_seconds,
    expert_communication_seconds,
    make_context,
    step_time,
)
from tests.estimator_fixtures import H100_SXM, LLAMA_3_8B, MIXTRAL_8X7B, ROUND_ENGINE

# A small MoE whose figures can be worked by hand: 2 layers, both MoE, 8 experts of
# width 512, top-2, multi-head attention (8 KV heads of 128).
TINY_MOE = ModelSpec(
    slug="tiny-moe",
    name="Tiny MoE",
    hidden_size=1024,
    num_layers=2,
    num_attention_heads=8,
    num_kv_heads=8,
    head_dim=128,
    intermediate_size=2048,
    vocab_size=1000,
    max_context=4096,
    num_experts=8,
    experts_per_token=2,
    moe_intermediate_size=512,
)
EXPERT = Parallelism.EXPERT


def plan(model: ModelSpec, n: int, parallelism: Parallelism, dtype: Dtype = Dtype.FP16):
    layout = Layout.of(model, n, parallelism)
    params = count_parameters(model)
    return plan_memory(model, H100_SXM, ROUND_ENGINE, params, dtype, dtype, layout)


def test_each_gpu_holds_its_share_of_the_routed_experts_and_all_the_rest():
    # One expert: 3 matrices of 1024 x 512; 8 experts in each of 2 layers, 2 bytes each.
    routed = 3 * 1024 * 512 * 8 * 2 * 2
    assert routed == 50_331_648
    whole = plan(TINY_MOE, 1, Parallelism.TENSOR).weights
    on_four = plan(TINY_MOE, 4, EXPERT).weights
    assert on_four == pytest.approx(whole - routed + routed * 2 / 8)
    # 3 GPUs don't divide 8 experts: the busiest holds 3 of them.
    assert plan(TINY_MOE, 3, EXPERT).weights == pytest.approx(whole - routed + routed * 3 / 8)


def test_each_sequence_keeps_its_whole_cache_on_one_gpu():
    # 2 (K and V) x 2 layers x 8 heads x 128 x 2 bytes = 8,192 B a token, on the one GPU
    # that runs the sequence: a replica's sequence costs each of 4 GPUs a quarter.
    assert plan(TINY_MOE, 1, Parallelism.TENSOR).kv_per_token == 8192
    assert plan(TINY_MOE, 4, EXPERT).kv_per_token == 8192 / 4


def test_dispatch_and_combine_by_hand():
    # 64 tokens over 4 GPUs: 16 a GPU, each to 2 experts of 1,024 values: 32,768 B in
    # FP8 out, 65,536 B in BF16 back, over NVLink (900 GB/s both ways: 450 one way) at
    # 0.9 of it, plus 8 us a collective; 2 MoE layers.
    one_way = 450e9 * 0.9
    per_layer = (8e-6 + 32_768 / one_way) + (8e-6 + 65_536 / one_way)
    assert expert_communication_seconds(TINY_MOE, H100_SXM, 2, 4, 64) == pytest.approx(
        2 * per_layer
    )
    ctx = make_context(TINY_MOE, H100_SXM, ROUND_ENGINE, Workload(num_gpus=4, parallelism=EXPERT))
    assert step_time(ctx, decode_sequences=64, decode_context=64 * 100).communication == (
        pytest.approx(2 * per_layer)
    )


@pytest.mark.parametrize(
    ("ep", "values_bytes", "measured_us"),
    [
        (16, C.EXPERT_DISPATCH_BYTES, 118),
        (16, C.EXPERT_COMBINE_BYTES, 195),
        (64, C.EXPERT_DISPATCH_BYTES, 173),
        (64, C.EXPERT_COMBINE_BYTES, 314),
    ],
)
def test_all_to_all_matches_deepeps_low_latency_kernels(ep, values_bytes, measured_us):
    """DeepEP docs/legacy.md: 128 tokens a rank, 7168 hidden, top-8, one 400 Gb/s NIC a
    GPU, FP8 dispatch and BF16 combine."""
    message = 128 * 8 * 7168 * values_bytes
    assert all_to_all_seconds(H100_SXM, ep, message) * 1e6 == pytest.approx(measured_us, rel=0.1)


def test_more_imbalance_is_never_faster():
    ctx = make_context(
        MIXTRAL_8X7B, H100_SXM, ROUND_ENGINE, Workload(num_gpus=8, parallelism=EXPERT)
    )
    times = [
        step_time(
            dataclasses.replace(ctx, expert_imbalance=f),
            prefill_tokens=8192,
            prefill_sequences=8,
            prefill_attention=8 * 1024 * 1024 / 2,
            decode_sequences=256,
            decode_context=256 * 1000,
        )
        for f in (1.0, 1.2, 1.5, 2.0)
    ]
    assert all(a.total < b.total for a, b in zip(times, times[1:], strict=False))
    # Without expert parallelism the factor plays no part.
    tensor = make_context(MIXTRAL_8X7B, H100_SXM, ROUND_ENGINE, Workload(num_gpus=8))
    assert step_time(dataclasses.replace(tensor, expert_imbalance=3.0), prefill_tokens=8192) == (
        step_time(tensor, prefill_tokens=8192)
    )


@pytest.mark.parametrize("ep", [2, 4, 8])
def test_a_slower_link_is_never_faster(ep):
    work = Workload(num_gpus=ep, parallelism=EXPERT)
    fast = make_context(MIXTRAL_8X7B, H100_SXM, ROUND_ENGINE, work)
    slow_gpu = dataclasses.replace(H100_SXM, interconnect_gb_s=300)
    slow = make_context(MIXTRAL_8X7B, slow_gpu, ROUND_ENGINE, work)
    for batch in (1, 64, 1024):
        args = {"decode_sequences": batch, "decode_context": batch * 1000}
        assert step_time(slow, **args).communication > step_time(fast, **args).communication
        assert step_time(slow, **args).total >= step_time(fast, **args).total


def test_crossing_nodes_costs_more_than_staying_on_nvlink():
    # The same 128 tokens a GPU: 8 GPUs on NVLink against 16 across two nodes.
    message = 128 * 8 * 7168
    assert all_to_all_seconds(H100_SXM, 16, message) > 3 * all_to_all_seconds(H100_SXM, 8, message)


def test_a_dense_model_is_refused_naming_parallelism():
    with pytest.raises(EstimatorInputError) as error:
        estimate(LLAMA_3_8B, H100_SXM, ROUND_ENGINE, Workload(num_gpus=2, parallelism=EXPERT))
    assert error.value.field == "parallelism"
    assert "dense" in error.value.message


def test_more_gpus_than_experts_are_refused():
    with pytest.raises(EstimatorInputError) as error:
        estimate(MIXTRAL_8X7B, H100_SXM, ROUND_ENGINE, Workload(num_gpus=16, parallelism=EXPERT))
    assert error.value.field == "num_gpus"


def test_the_estimate_shows_the_expert_parallel_terms():
    result = estimate(
        MIXTRAL_8X7B,
        H100_SXM,
        ROUND_ENGINE,
        Workload(num_gpus=8, batch_size=64, parallelism=EXPERT),
    )
    labels = {step.label: step for step in result.trace}
    assert labels["Routed experts per GPU (expert parallelism)"].value == 1
    assert labels["Expert load imbalance"].value == C.EXPERT_LOAD_IMBALANCE
    assert labels["Dispatch and combine per step"].value > 0


def test_the_engine_caps_sequences_on_each_data_parallel_gpu():
    ctx = make_context(
        MIXTRAL_8X7B, H100_SXM, ROUND_ENGINE, Workload(num_gpus=4, parallelism=EXPERT)
    )
    assert ctx.max_sequences == 4 * ROUND_ENGINE.max_num_seqs
    assert ctx.token_budget == 4 * ROUND_ENGINE.max_batched_tokens


def test_the_fewest_gpus_never_exceed_one_expert_each():
    counts = gpu_counts(MIXTRAL_8X7B, Workload(num_gpus=2, parallelism=EXPERT))
    assert max(counts) == 8
    assert max(gpu_counts(MIXTRAL_8X7B, Workload(num_gpus=2))) > 8


def test_it_warns_that_communication_overlap_is_not_modelled():
    result = estimate(
        MIXTRAL_8X7B, H100_SXM, ROUND_ENGINE, Workload(num_gpus=4, parallelism=EXPERT)
    )
    assert any("overlap" in warning for warning in result.warnings)
    plain = estimate(MIXTRAL_8X7B, H100_SXM, ROUND_ENGINE, Workload(num_gpus=4))
    assert not any("overlap" in warning for warning in plain.warnings)
