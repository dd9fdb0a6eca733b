"""The estimator, without Django: hand-worked figures, literature sanity values,
monotonicity and the warnings that keep wrong numbers from passing silently."""

from __future__ import annotations

import ast
import dataclasses
import json
import math
from pathlib import Path

import pytest

from calculator.estimator import (
    Bound,
    Dtype,
    EstimatorInputError,
    Parallelism,
    Workload,
    count_parameters,
    estimate,
    first_to_fit,
    kv_bytes_per_token,
    narrower_weights,
)
from calculator.estimator import constants as C

from .estimator_fixtures import (
    A100_80GB,
    GPT_35,
    H100_SXM,
    L4,
    LLAMA_2_7B,
    LLAMA_2_70B,
    LLAMA_3_2_1B,
    LLAMA_3_8B,
    MIXTRAL_8X7B,
    QWEN_2_5_7B,
    ROUND_ENGINE,
    SEED_WORKLOAD,
)

ESTIMATOR_DIR = Path(__file__).resolve().parent.parent / "calculator" / "estimator"


def run(model=LLAMA_2_7B, gpu=A100_80GB, engine=ROUND_ENGINE, **workload):
    workload.setdefault("num_gpus", 1)
    # The GPU's catalog price unless one is given, as the app prices a GPU without offers.
    workload.setdefault("gpu_hourly_usd", gpu.hourly_usd)
    return estimate(model, gpu, engine, Workload(**workload))


# Purity


def test_the_estimator_imports_nothing_from_django_or_the_app():
    for path in ESTIMATOR_DIR.glob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""] if node.level == 0 else []
            else:
                continue
            for name in names:
                assert not name.startswith(("django", "calculator")), f"{path.name}: {name}"


# Parameters


def test_it_counts_llama_2_7b_exactly():
    # 2 x 32000 x 4096 (embedding + head) + 32 x (4 x 4096^2 + 3 x 4096 x 11008 + 2 x 4096)
    # + 4096 (final norm) = 6,738,415,616, the count Hugging Face shows for Llama-2-7b-hf.
    assert count_parameters(LLAMA_2_7B).total == 6_738_415_616


def test_it_counts_grouped_query_attention_with_fewer_kv_projections():
    params = count_parameters(LLAMA_2_70B)
    # q and o: 8192 x 8192 each; k and v: 8192 x (8 x 128) each.
    assert params.attention_per_layer == 2 * 8192 * 8192 + 2 * 8192 * 1024
    assert params.total == pytest.approx(68.98e9, rel=0.001)


def test_it_counts_a_tied_head_once_and_an_explicit_head_dim():
    params = count_parameters(LLAMA_3_2_1B)
    assert params.lm_head == 0
    assert params.attention_per_layer == 2 * 2048 * (32 * 64) + 2 * 2048 * (8 * 64)
    assert params.total == pytest.approx(1.236e9, rel=0.001)
    assert params.matmul_active == params.total


def test_it_counts_qkv_bias():
    with_bias = count_parameters(QWEN_2_5_7B).total
    without = count_parameters(dataclasses.replace(QWEN_2_5_7B, qkv_bias=False)).total
    assert with_bias - without == 28 * (3584 + 2 * 512)
    assert with_bias == pytest.approx(7.616e9, rel=0.001)


def test_it_counts_mixture_of_experts_total_and_active():
    params = count_parameters(MIXTRAL_8X7B)
    assert params.total == pytest.approx(46.70e9, rel=0.002)
    assert params.active == pytest.approx(12.88e9, rel=0.005)
    assert params.total - params.active == 32 * 6 * 3 * 4096 * 14336


# Memory


def test_kv_cache_per_token_matches_the_literature():
    kib = 1024
    assert kv_bytes_per_token(LLAMA_2_7B, Dtype.FP16, 1, 32) == 512 * kib
    assert kv_bytes_per_token(LLAMA_2_70B, Dtype.FP16, 1, 80) == 320 * kib
    assert kv_bytes_per_token(LLAMA_2_70B, Dtype.FP8, 1, 80) == 160 * kib


def test_tensor_parallelism_splits_kv_heads_until_one_per_gpu():
    assert kv_bytes_per_token(LLAMA_2_70B, Dtype.FP16, 2, 80) == 160 * 1024
    assert kv_bytes_per_token(LLAMA_2_70B, Dtype.FP16, 8, 80) == 40 * 1024
    # 16 GPUs, 8 KV heads: each GPU still holds one whole head.
    assert kv_bytes_per_token(LLAMA_2_70B, Dtype.FP16, 16, 80) == 40 * 1024


def test_weights_follow_the_dtype_with_group_scales_for_int4():
    fp16 = run(weights_dtype=Dtype.FP16).memory.weights_bytes_per_gpu
    int4 = run(weights_dtype=Dtype.INT4).memory.weights_bytes_per_gpu
    params = count_parameters(LLAMA_2_7B)
    assert fp16 == params.total * 2
    # Blocks at 4 bits plus an fp16 scale and a 4-bit zero per 128 weights; embedding
    # and head stay 16-bit.
    blocks = params.total - params.embedding - params.lm_head
    assert int4 == pytest.approx(blocks * (0.5 + 2.5 / 128) + 2 * 32000 * 4096 * 2)


def test_the_seed_scenario_fits_on_two_a100s():
    e = estimate(LLAMA_2_70B, A100_80GB, ROUND_ENGINE, SEED_WORKLOAD)
    m = e.memory
    assert m.fits
    assert m.weights_bytes_per_gpu == pytest.approx(68.98e9, rel=0.001)
    # 2048 tokens x 160 KiB per token per GPU.
    assert m.kv_cache_bytes_per_gpu == 2048 * 160 * 1024
    assert m.kv_cache_bytes == 2 * m.kv_cache_bytes_per_gpu
    assert m.capacity_bytes_per_gpu == 80 * 2**30 * 0.9
    assert m.total_bytes_per_gpu == pytest.approx(
        m.weights_bytes_per_gpu
        + m.kv_cache_bytes_per_gpu
        + m.activation_bytes_per_gpu
        + m.overhead_bytes_per_gpu
    )


def test_the_largest_batch_fits_and_one_more_does_not():
    m = run(LLAMA_2_70B, num_gpus=2, seq_len=2048, prompt_tokens=1000).memory
    assert m.max_batch > 1
    at_max = run(LLAMA_2_70B, num_gpus=2, batch_size=m.max_batch, seq_len=2048)
    past_max = run(LLAMA_2_70B, num_gpus=2, batch_size=m.max_batch + 1, seq_len=2048)
    assert at_max.memory.fits
    assert not past_max.memory.fits


def test_batch_max_resolves_to_the_largest_that_fits_within_the_engine_limit():
    e = run(LLAMA_2_70B, num_gpus=2, batch_size=None, seq_len=2048)
    assert e.batch == min(e.memory.max_batch, ROUND_ENGINE.max_num_seqs)
    small = run(LLAMA_3_2_1B, batch_size=None, prompt_tokens=100, completion_tokens=100)
    assert small.batch == ROUND_ENGINE.max_num_seqs
    assert any("runs at most 256" in w for w in small.warnings)


def test_the_longest_sequence_that_fits_is_capped_by_the_context():
    e = run(LLAMA_2_70B, num_gpus=2, batch_size=4, seq_len=2048)
    assert e.memory.max_seq_len == 4096
    e = run(
        LLAMA_2_70B,
        num_gpus=2,
        batch_size=64,
        seq_len=256,
        prompt_tokens=128,
        completion_tokens=128,
    )
    assert 256 < e.memory.max_seq_len < 4096


def test_a_model_that_does_not_fit_says_on_how_many_gpus_it_would():
    e = run(LLAMA_2_70B, num_gpus=1, seq_len=2048)
    assert not e.memory.fits
    assert e.memory.min_gpus == 2
    assert any("Does not fit" in w and "fits on 2 GPUs" in w for w in e.warnings)


def test_the_fewest_gpus_that_fit_is_the_fewest_whatever_was_asked():
    # Llama 2 70B fp16 at batch 1 fits on two A100 80GB; asking for 2, 4 or 8 says 2.
    for asked in (2, 4, 8):
        assert run(LLAMA_2_70B, num_gpus=asked, seq_len=2048).memory.min_gpus == 2
    assert run(LLAMA_3_8B, num_gpus=8).memory.min_gpus == 1


def test_the_fewest_gpus_that_fit_is_never_above_an_odd_count_that_holds_it():
    e = run(LLAMA_2_70B, num_gpus=3, batch_size=40, seq_len=4096)
    assert e.memory.fits
    assert e.memory.min_gpus <= 3


def _narrower(model, gpu, weights, num_gpus=1, batch=1, seq_len=2048, **workload):
    w = Workload(
        num_gpus=num_gpus,
        batch_size=batch,
        seq_len=seq_len,
        weights_dtype=weights,
        gpu_hourly_usd=gpu.hourly_usd,
        **workload,
    )
    fit = first_to_fit(model, gpu, ROUND_ENGINE, narrower_weights(gpu, w), batch, seq_len)
    return fit.weights_dtype if fit else None


def test_a_misfit_names_the_widest_narrower_precision_that_fits():
    # Llama 2 70B on one 80 GB GPU: ~138 GB of weights at 16 bits does not fit the
    # 72 GiB (77.3 GB) the engine may use; ~69 GB at 8 bits does.
    assert not run(LLAMA_2_70B, num_gpus=1, seq_len=2048).memory.fits
    # The A100 has no FP8 tensor maths: INT8; the H100 has: FP8.
    assert _narrower(LLAMA_2_70B, A100_80GB, Dtype.FP16) is Dtype.INT8
    assert _narrower(LLAMA_2_70B, H100_SXM, Dtype.FP16) is Dtype.FP8
    # It fits at what it names, and the estimate agrees.
    e = run(LLAMA_2_70B, num_gpus=1, seq_len=2048, weights_dtype=Dtype.INT8)
    assert e.memory.fits
    # Already at 8 bits, only 4 bits is narrower: INT4 (~36 GB) on the A100 (no FP4).
    assert _narrower(LLAMA_2_70B, A100_80GB, Dtype.INT8) is Dtype.INT4
    # Nothing narrower than 4 bits; and 4 bits cannot hold 70B on one 24 GB L4.
    assert _narrower(LLAMA_2_70B, A100_80GB, Dtype.INT4) is None
    assert _narrower(LLAMA_2_70B, L4, Dtype.FP16) is None


def test_the_narrower_precision_is_the_widest_that_fits_for_the_batch():
    # A batch too large for 8-bit weights on one A100 needs 4 bits: never wider than
    # what holds the batch, never narrower than needed.
    e = run(LLAMA_2_70B, num_gpus=1, seq_len=2048, weights_dtype=Dtype.INT8, batch_size=None)
    too_many = e.memory.max_batch + 1
    assert _narrower(LLAMA_2_70B, A100_80GB, Dtype.FP16, batch=e.memory.max_batch) is Dtype.INT8
    assert _narrower(LLAMA_2_70B, A100_80GB, Dtype.FP16, batch=too_many) is Dtype.INT4


def test_more_gpus_hold_less_per_gpu():
    one = run(LLAMA_3_8B, num_gpus=1).memory
    two = run(LLAMA_3_8B, num_gpus=2).memory
    assert two.weights_bytes_per_gpu == pytest.approx(one.weights_bytes_per_gpu / 2)
    assert two.kv_bytes_per_token_per_gpu == one.kv_bytes_per_token_per_gpu / 2
    assert two.max_batch > one.max_batch


# Decode


def test_batch_one_decode_is_the_weight_read_time_hand_worked():
    # Llama 2 7B fp16 on an A100 at 50% of 2039 GB/s. Per step: every block weight and
    # the LM head (6,607,343,616 params x 2 B) plus the KV cache of the context.
    e = run(LLAMA_2_7B, prompt_tokens=1, completion_tokens=1, seq_len=2)
    params = count_parameters(LLAMA_2_7B)
    weights_read = (params.total - params.embedding) * 2
    assert weights_read == 13_214_687_232
    kv = 1.5 * 512 * 1024  # context 1 + half a token
    memory = (weights_read + kv) / (2039e9 * 0.5)
    assert e.decode.memory_seconds == pytest.approx(memory)
    assert e.decode.seconds_per_token == pytest.approx(memory + 0.001)
    assert e.decode.bound is Bound.MEMORY


def test_measured_gpu_efficiency_scales_the_peaks_and_unmeasured_parts_get_the_default():
    measured = dataclasses.replace(A100_80GB, compute_efficiency=0.8, bandwidth_efficiency=0.5)
    unmeasured = dataclasses.replace(A100_80GB, compute_efficiency=None, bandwidth_efficiency=None)
    full = run(LLAMA_2_7B, prompt_tokens=1000, completion_tokens=10)
    half_bw = run(LLAMA_2_7B, gpu=measured, prompt_tokens=1000, completion_tokens=10)
    default = run(LLAMA_2_7B, gpu=unmeasured, prompt_tokens=1000, completion_tokens=10)
    assert half_bw.decode.memory_seconds == pytest.approx(2 * full.decode.memory_seconds)
    assert half_bw.prefill.compute_seconds == pytest.approx(full.prefill.compute_seconds / 0.8)
    assert default.decode.memory_seconds == pytest.approx(
        full.decode.memory_seconds / C.DEFAULT_BANDWIDTH_EFFICIENCY
    )


def test_decode_matches_the_llama_cpp_sanity_figure():
    # data/README.md: Llama 2 7B fp16 at batch 1 reads about 13.5 GB per token; at an
    # A100's measured 73.8 tok/s that is about 1.0 TB/s effective, half of peak.
    e = run(LLAMA_2_7B, prompt_tokens=1, completion_tokens=128)
    assert 60 < e.decode.tokens_per_second_per_sequence < 80


def test_larger_batches_raise_throughput_and_slow_each_sequence():
    speeds = [run(LLAMA_3_8B, batch_size=b, seq_len=2048).decode for b in (1, 8, 64, 256)]
    totals = [d.tokens_per_second for d in speeds]
    per_seq = [d.tokens_per_second_per_sequence for d in speeds]
    assert totals == sorted(totals)
    assert per_seq == sorted(per_seq, reverse=True)


def test_large_batches_become_compute_bound():
    e = run(LLAMA_3_8B, gpu=H100_SXM, batch_size=1024, prompt_tokens=16, completion_tokens=16)
    assert e.decode.bound is Bound.COMPUTE


def test_fp8_decodes_faster_than_fp16_on_h100():
    fp16 = run(LLAMA_3_8B, gpu=H100_SXM, weights_dtype=Dtype.FP16).decode
    fp8 = run(LLAMA_3_8B, gpu=H100_SXM, weights_dtype=Dtype.FP8).decode
    assert fp8.tokens_per_second_per_sequence > 1.6 * fp16.tokens_per_second_per_sequence


def test_longer_contexts_slow_decode():
    short = run(LLAMA_3_8B, batch_size=16, prompt_tokens=100, seq_len=8192)
    long = run(LLAMA_3_8B, batch_size=16, prompt_tokens=6000, seq_len=8192)
    assert long.decode.seconds_per_token > short.decode.seconds_per_token


def test_tensor_parallel_decode_pays_two_all_reduces_per_layer():
    e = run(LLAMA_2_70B, num_gpus=2, seq_len=2048)
    message = 8192 * 2  # one token's hidden state, 16-bit
    one_way = 600 / 2 * 1e9 * C.ALLREDUCE_BANDWIDTH_EFFICIENCY
    per_allreduce = C.ALLREDUCE_LATENCY_S["nvlink"] + (2 * 1 / 2) * message / one_way
    assert e.decode.communication_seconds == pytest.approx(2 * 80 * per_allreduce)


def test_pcie_all_reduces_cost_more_than_nvlink():
    nvlink = run(LLAMA_3_8B, num_gpus=4).decode.communication_seconds
    pcie = run(
        LLAMA_3_8B, gpu=dataclasses.replace(A100_80GB, interconnect="pcie"), num_gpus=4
    ).decode.communication_seconds
    assert pcie > nvlink > 0


def test_mixture_of_experts_reads_only_the_experts_a_batch_touches():
    one = run(MIXTRAL_8X7B, gpu=H100_SXM, num_gpus=2, batch_size=1, seq_len=2048)
    many = run(MIXTRAL_8X7B, gpu=H100_SXM, num_gpus=2, batch_size=64, seq_len=2048)
    dense_equivalent = count_parameters(MIXTRAL_8X7B).total * 2 / 2 / (3350e9 * 0.5)
    assert one.decode.memory_seconds < 0.4 * dense_equivalent
    assert many.decode.memory_seconds > 0.9 * dense_equivalent


def test_pipeline_parallel_batch_one_is_no_faster_than_one_gpu():
    one = run(LLAMA_3_8B, num_gpus=1)
    four = run(LLAMA_3_8B, num_gpus=4, parallelism=Parallelism.PIPELINE)
    assert four.memory.weights_bytes_per_gpu < one.memory.weights_bytes_per_gpu / 3
    assert four.decode.seconds_per_token >= one.decode.seconds_per_token
    assert four.decode.seconds_per_token < 1.1 * one.decode.seconds_per_token


def test_tensor_parallel_batch_one_is_faster_than_pipeline():
    tensor = run(LLAMA_2_70B, num_gpus=4).decode.seconds_per_token
    pipeline = run(LLAMA_2_70B, num_gpus=4, parallelism=Parallelism.PIPELINE)
    assert tensor < pipeline.decode.seconds_per_token / 2


# Prefill


def test_long_prompts_are_compute_bound_and_short_ones_are_not():
    long = run(LLAMA_3_8B, gpu=H100_SXM, prompt_tokens=4000).prefill
    short = run(LLAMA_3_8B, gpu=H100_SXM, prompt_tokens=8).prefill
    assert long.bound is Bound.COMPUTE
    assert short.bound is not Bound.COMPUTE


def test_prefill_compute_hand_worked():
    e = run(LLAMA_2_7B, prompt_tokens=1000, completion_tokens=10)
    params = count_parameters(LLAMA_2_7B)
    # Every block weight for every token, the LM head for the last token only, and causal
    # attention: 2 x layers x heads x head_dim x prompt^2, at FlashAttention's lower rate.
    head = 32000 * 4096
    blocks = params.total - params.embedding - head
    attention = 2 * 32 * 32 * 128 * 1000**2 / C.ATTENTION_KERNEL_EFFICIENCY
    flops = 2 * blocks * 1000 + 2 * head + attention
    assert e.prefill.compute_seconds == pytest.approx(flops / (312e12 * 0.5))
    assert e.prefill.seconds == pytest.approx(e.prefill.compute_seconds + 0.01)


def test_time_to_first_token_grows_with_the_prompt():
    ttfts = [
        run(LLAMA_3_8B, prompt_tokens=p, seq_len=9000).prefill.seconds
        for p in (10, 100, 1000, 8000)
    ]
    assert ttfts == sorted(ttfts)
    assert ttfts[0] > ROUND_ENGINE.request_overhead_s


def test_end_to_end_is_first_token_plus_the_remaining_steps():
    e = run(LLAMA_3_8B, prompt_tokens=200, completion_tokens=300)
    assert e.end_to_end_seconds == pytest.approx(
        e.prefill.seconds + 299 * e.decode.seconds_per_token
    )


# Cost


def test_cost_of_a_run_hand_worked():
    workload = dataclasses.replace(SEED_WORKLOAD, apis=(GPT_35,), gpu_hourly_usd=1.79)
    e = estimate(LLAMA_2_70B, A100_80GB, ROUND_ENGINE, workload)
    assert e.cost.usd_per_hour == pytest.approx(2 * 1.79)
    assert e.cost.total_usd == pytest.approx(3.58 * e.end_to_end_seconds / 3600)
    assert e.cost.usd_per_1k_tokens == pytest.approx(e.cost.total_usd / 1500 * 1000)
    gpt = e.api_comparison[0]
    assert gpt.total_usd == pytest.approx((1000 * 0.5 + 500 * 1.5) / 1e6)
    assert gpt.ratio == pytest.approx(e.cost.total_usd / gpt.total_usd)


def test_bigger_batches_make_tokens_cheaper():
    costs = [
        run(LLAMA_3_8B, batch_size=b, seq_len=2048, apis=(GPT_35,)).cost.usd_per_1m_output_tokens
        for b in (1, 16, 128)
    ]
    assert costs == sorted(costs, reverse=True)


def test_break_even_utilisation_is_the_hourly_price_over_the_api_bill_for_an_hour():
    e = run(
        LLAMA_3_8B,
        batch_size=64,
        seq_len=2048,
        prompt_tokens=1000,
        completion_tokens=500,
        apis=(GPT_35,),
    )
    out_per_hour = e.cost.saturated_output_tokens_per_second * 3600
    api_hour = out_per_hour * (1.5 + 2 * 0.5) / 1e6
    assert e.cost.break_even_utilization == pytest.approx(1.79 / api_hour)


def test_a_price_override_wins_over_the_catalog():
    e = run(LLAMA_3_8B, gpu_hourly_usd=10.0)
    assert e.cost.usd_per_hour == 10.0


def test_no_price_gives_no_cost_and_says_so():
    e = run(LLAMA_3_2_1B, gpu=L4)
    assert e.cost.usd_per_hour is None
    assert any("No hourly price" in w for w in e.warnings)


# Warnings and bad input


def test_it_warns_when_the_sequence_is_shorter_than_prompt_plus_completion():
    e = run(LLAMA_3_8B, prompt_tokens=1000, completion_tokens=500, seq_len=1200)
    assert e.seq_len == 1500
    assert any("shorter than prompt + completion" in w for w in e.warnings)


def test_it_warns_past_the_model_context():
    e = run(LLAMA_2_7B, prompt_tokens=4000, completion_tokens=500)
    assert any("longer than Llama 2 7B's context" in w for w in e.warnings)


def test_it_says_what_fp8_falls_back_to_on_an_a100():
    e = run(LLAMA_3_8B, gpu=A100_80GB, weights_dtype=Dtype.FP8)
    assert any("no FP8 tensor cores" in w and "FP16" in w for w in e.warnings)
    # Weights still take one byte each in memory.
    assert e.memory.weights_bytes_per_gpu < 0.6 * run(LLAMA_3_8B).memory.weights_bytes_per_gpu


def test_it_warns_when_gpus_dont_divide_the_heads_or_replicate_kv_heads():
    three = run(LLAMA_2_70B, num_gpus=3)
    assert any("don't divide" in w for w in three.warnings)
    sixteen = run(LLAMA_2_70B, num_gpus=16)
    assert any("replicated copy" in w for w in sixteen.warnings)


@pytest.mark.parametrize(
    ("field", "workload"),
    [
        ("num_gpus", {"num_gpus": 0}),
        ("batch_size", {"batch_size": 0}),
        ("prompt_tokens", {"prompt_tokens": -5}),
        ("completion_tokens", {"completion_tokens": 0}),
        ("gpu_hourly_usd", {"gpu_hourly_usd": -1.0}),
    ],
)
def test_it_rejects_impossible_workloads_naming_the_field(field, workload):
    with pytest.raises(EstimatorInputError) as error:
        run(**workload)
    assert error.value.field == field


def test_more_pipeline_stages_than_layers_is_an_input_error():
    with pytest.raises(EstimatorInputError) as error:
        run(LLAMA_3_2_1B, num_gpus=17, parallelism=Parallelism.PIPELINE)
    assert error.value.field == "num_gpus"


def test_show_the_math_is_written_from_the_constants_not_from_literals(monkeypatch):
    monkeypatch.setattr(C, "ALLREDUCE_BANDWIDTH_EFFICIENCY", 0.65)
    monkeypatch.setattr(C, "SECONDS_PER_HOUR", 3599.0)
    e = run(LLAMA_2_70B, num_gpus=4)
    text = " ".join(f"{step.formula} {step.substituted}" for step in e.trace)
    assert "x 0.65" in text and "x 0.8" not in text
    assert "3,599" in text and "3600" not in text


def test_the_result_is_plain_json_without_nan_or_infinity():
    workload = dataclasses.replace(SEED_WORKLOAD, apis=(GPT_35,), gpu_hourly_usd=1.79)
    e = estimate(LLAMA_2_70B, A100_80GB, ROUND_ENGINE, workload)
    text = json.dumps(e.as_dict(), allow_nan=False)
    assert "estimator_version" in text
    for step in e.trace:
        assert math.isfinite(step.value)
    assert {s.section for s in e.trace} >= {"parameters", "memory", "prefill", "decode", "cost"}
