"""Architectures beyond the Llama block, worked by hand: sliding-window and chunked
attention, interleaved local/global layers, multi-head latent attention, shared experts
with dense first layers, attention sinks and MXFP4 experts."""

from __future__ import annotations

import dataclasses

import pytest

from calculator.estimator import (
    Dtype,
    Layout,
    Workload,
    count_parameters,
    estimate,
    kv_bytes_per_token,
    make_context,
    step_time,
)
from calculator.estimator import constants as C
from calculator.estimator.memory import (
    activation_width,
    local_context,
    local_prefill_pairs,
    plan_memory,
    weight_bytes,
)
from calculator.estimator.specs import ModelSpec
from tests.estimator_fixtures import H100_SXM, ROUND_ENGINE

BF16 = 2  # bytes


def spec(**fields) -> ModelSpec:
    return ModelSpec(slug="m", name="M", **fields)


# Mistral 7B v0.1 (mistralai/Mistral-7B-v0.1 config.json): every layer slides over 4096.
MISTRAL_7B = spec(
    hidden_size=4096,
    num_layers=32,
    num_attention_heads=32,
    num_kv_heads=8,
    head_dim=128,
    intermediate_size=14336,
    vocab_size=32000,
    max_context=32768,
    attention_window=4096,
    local_layers=32,
)
# Gemma 3 27B text model: 5 sliding layers (1024 tokens) to 1 global, 62 layers.
GEMMA_3_27B = spec(
    hidden_size=5376,
    num_layers=62,
    num_attention_heads=32,
    num_kv_heads=16,
    head_dim=128,
    intermediate_size=21504,
    vocab_size=262208,
    max_context=131072,
    tie_word_embeddings=True,
    qk_norm=True,
    extra_norms_per_layer=2,
    attention_window=1024,
    local_layers=52,
)
# DeepSeek-V3 (deepseek-ai/DeepSeek-V3 config.json).
DEEPSEEK_V3 = spec(
    hidden_size=7168,
    num_layers=61,
    num_attention_heads=128,
    num_kv_heads=128,
    head_dim=192,
    intermediate_size=18432,
    vocab_size=129280,
    max_context=163840,
    num_experts=256,
    experts_per_token=8,
    moe_intermediate_size=2048,
    shared_experts=1,
    first_dense_layers=3,
    kv_lora_rank=512,
    q_lora_rank=1536,
    qk_rope_head_dim=64,
    qk_nope_head_dim=128,
    v_head_dim=128,
)
# gpt-oss-120b (openai/gpt-oss-120b config.json).
GPT_OSS_120B = spec(
    hidden_size=2880,
    num_layers=36,
    num_attention_heads=64,
    num_kv_heads=8,
    head_dim=64,
    intermediate_size=2880,
    vocab_size=201088,
    max_context=131072,
    qkv_bias=True,
    output_bias=True,
    attention_sinks=True,
    num_experts=128,
    experts_per_token=4,
    moe_intermediate_size=2880,
    expert_bias=True,
    expert_format="mxfp4",
    attention_window=128,
    local_layers=18,
)
LLAMA_4_SCOUT_TEXT = spec(
    hidden_size=5120,
    num_layers=48,
    num_attention_heads=40,
    num_kv_heads=8,
    head_dim=128,
    intermediate_size=16384,
    vocab_size=202048,
    max_context=10485760,
    num_experts=16,
    experts_per_token=1,
    moe_intermediate_size=8192,
    shared_experts=1,
    attention_window=8192,
    local_layers=36,
    chunked_attention=True,
)


# Section: parameter counts, by hand


def test_latent_attention_and_dense_first_layers_count_deepseek_v3s_671b():
    h = 7168
    q = h * 1536 + 1536 + 1536 * 128 * (128 + 64)  # q_a_proj, q_a_layernorm, q_b_proj
    kv = h * (512 + 64) + 512 + 512 * 128 * (128 + 128)  # kv_a (+MQA rope), norm, kv_b
    attention = q + kv + 128 * 128 * h  # + o_proj
    assert attention == 187_107_328
    dense_mlp, expert = 3 * h * 18432, 3 * h * 2048
    router = h * 256
    moe_layer = (256 + 1) * expert + router
    common = 2 * 129280 * h + 61 * (attention + 2 * h) + h + 3 * dense_mlp
    counts = count_parameters(DEEPSEEK_V3)
    assert counts.total == common + 58 * moe_layer == 671_026_404_352
    assert counts.active == common + 58 * ((8 + 1) * expert + router) == 37_552_282_624
    assert counts.moe_layers == 58 and counts.dense_layers == 3


def test_biases_sinks_and_expert_biases_count_gpt_oss_120bs_116_83b():
    h = 2880
    attention = h * 4096 + 2 * h * 512 + 4096 * h + (4096 + 2 * 512) + h + 64  # + sinks
    expert = 3 * h * 2880 + 2 * 2880 + h  # gate_up and down, with biases
    router = h * 128 + 128
    common = 2 * 201088 * h + 36 * (attention + 2 * h) + h
    counts = count_parameters(GPT_OSS_120B)
    assert counts.total == common + 36 * (128 * expert + router) == 116_829_156_672
    # OpenAI's model card counts 5.13B active without the embedding (579M).
    assert counts.active - counts.embedding == pytest.approx(5.13e9, rel=0.001)


def test_qk_norms_and_post_norms_count_gemma_3s_text_model():
    h = 5376
    attention = 3 * h * 4096 + 2 * h * 2048 - h * 4096 + 2 * 128  # q, k, v, o + q/k norms
    layer = h * 4096 + 2 * h * 2048 + 4096 * h + 2 * 128 + 4 * h + 3 * h * 21504
    assert count_parameters(GEMMA_3_27B).attention_per_layer == attention
    # Tied embedding; Gemma 3's report gives 25,600M non-embedding parameters.
    assert count_parameters(GEMMA_3_27B).total == 262208 * h + 62 * layer + h
    assert count_parameters(GEMMA_3_27B).total - 262208 * h == pytest.approx(25.6e9, rel=0.001)


# Section: KV cache per token and per sequence


def test_latent_attention_caches_576_values_per_layer_on_every_gpu():
    one = kv_bytes_per_token(DEEPSEEK_V3, Dtype.BF16, 1, 61)
    assert one == 61 * (512 + 64) * BF16 == 70_272
    # Shared by all heads: tensor parallelism does not split it.
    assert kv_bytes_per_token(DEEPSEEK_V3, Dtype.BF16, 8, 61) == one


def test_a_sliding_window_caps_the_cache_of_every_layer_at_the_window():
    plan = plan_memory(
        MISTRAL_7B,
        H100_SXM,
        ROUND_ENGINE,
        count_parameters(MISTRAL_7B),
        Dtype.BF16,
        Dtype.BF16,
        Layout(tp=1, pp=1, layers_per_gpu=32),
    )
    per_token = 2 * 32 * 8 * 128 * BF16
    assert plan.kv_per_token == per_token == 131_072
    assert plan.kv_cache(2000, 1) == 2000 * per_token
    assert plan.kv_cache(32768, 1) == 4096 * per_token  # 512 MiB, not 4 GiB
    # Any length fits once one window does.
    assert plan.max_seq_len(1) >= 2**40


def test_interleaved_layers_hold_the_window_on_local_layers_and_all_on_global_ones():
    plan = plan_memory(
        GEMMA_3_27B,
        H100_SXM,
        ROUND_ENGINE,
        count_parameters(GEMMA_3_27B),
        Dtype.BF16,
        Dtype.BF16,
        Layout(tp=1, pp=1, layers_per_gpu=62),
    )
    per_layer = 2 * 16 * 128 * BF16
    assert plan.kv_per_token == 62 * per_layer == 507_904
    expected = 10 * per_layer * 32768 + 52 * per_layer * 1024
    assert plan.kv_cache(32768, 1) == pytest.approx(expected, rel=1e-12)
    # The longest sequence solves the same sum for the free memory.
    longest = plan.max_seq_len(1)
    assert plan.kv_cache(longest, 1) <= plan.free_for_kv() < plan.kv_cache(longest + 1, 1)


def test_chunked_attention_sees_only_its_own_chunk():
    assert local_context(LLAMA_4_SCOUT_TEXT, 9000) == 9000 - 8192
    assert local_context(LLAMA_4_SCOUT_TEXT, 5000) == 5000
    assert local_context(MISTRAL_7B, 9000) == 4096
    # Prefill pairs: whole chunks of 8192^2/2 plus the rest's triangle.
    assert local_prefill_pairs(LLAMA_4_SCOUT_TEXT, 20000) == 2 * 8192**2 / 2 + 3616**2 / 2
    assert local_prefill_pairs(MISTRAL_7B, 10000) == 4096**2 / 2 + (10000 - 4096) * 4096
    assert local_prefill_pairs(MISTRAL_7B, 1000) == 1000**2 / 2


# Section: time


def test_decode_reads_local_layers_only_up_to_the_window():
    workload = Workload(num_gpus=1, weights_dtype=Dtype.BF16)
    ctx = make_context(GEMMA_3_27B, H100_SXM, ROUND_ENGINE, workload)
    full = dataclasses.replace(GEMMA_3_27B, attention_window=0, local_layers=0)
    ctx_full = make_context(full, H100_SXM, ROUND_ENGINE, workload)
    windowed = step_time(ctx, decode_sequences=4, decode_context=4 * 30000)
    everything = step_time(ctx_full, decode_sequences=4, decode_context=4 * 30000)
    weights = step_time(ctx, decode_sequences=4, decode_context=0)
    kv_seconds = windowed.memory - weights.memory
    kv_bytes = kv_seconds * ctx.bandwidth
    per_layer = 2 * 16 * 128 * BF16
    assert kv_bytes == pytest.approx(4 * (10 * 30000 + 52 * 1024) * per_layer, rel=1e-9)
    assert windowed.memory < everything.memory
    assert windowed.compute < everything.compute


def test_the_window_bound_default_is_exact_for_equal_contexts():
    ctx = make_context(GEMMA_3_27B, H100_SXM, ROUND_ENGINE, Workload())
    implicit = step_time(ctx, decode_sequences=8, decode_context=8 * 5000)
    explicit = step_time(
        ctx, decode_sequences=8, decode_context=8 * 5000, decode_local_context=8 * 1024
    )
    assert implicit == explicit


def test_latent_attention_decode_reads_the_latent_on_every_gpu_and_absorbs_its_flops():
    workload = Workload(num_gpus=8, weights_dtype=Dtype.FP8)
    ctx = make_context(DEEPSEEK_V3, H100_SXM, ROUND_ENGINE, workload)
    assert ctx.attention_flops_per_context_token == 2 * 61 * 128 * (512 + 64 + 512)
    assert ctx.prefill_attention_flops_per_context_token == 2 * 61 * 128 * (192 + 128)
    base = step_time(ctx, decode_sequences=16, decode_context=0)
    long = step_time(ctx, decode_sequences=16, decode_context=16 * 10000)
    kv_bytes_per_gpu = (long.memory - base.memory) * ctx.bandwidth
    # FP8 cache: one byte per value; every GPU reads all of it.
    assert kv_bytes_per_gpu == pytest.approx(16 * 10000 * 61 * 576, rel=1e-9)


def test_mxfp4_experts_stay_4_25_bits_whatever_the_weights_precision():
    counts = count_parameters(GPT_OSS_120B)
    blocks, outer = weight_bytes(counts, Dtype.BF16, GPT_OSS_120B)
    mxfp4 = C.NATIVE_EXPERT_BYTES_PER_PARAM["mxfp4"]
    assert mxfp4 == 0.53125
    rest = counts.blocks - counts.routed_experts
    assert blocks == rest * 2 + counts.routed_experts * mxfp4
    assert outer == (counts.embedding + counts.lm_head) * 2
    # The checkpoint is 60.8 GiB (OpenAI's model card): the estimate is within 3%.
    assert (blocks + outer) / 2**30 == pytest.approx(60.8, rel=0.03)


def test_a_windowed_model_fits_longer_sequences_and_the_estimate_says_so():
    workload = Workload(num_gpus=1, batch_size=1, prompt_tokens=30000, completion_tokens=500)
    e = estimate(MISTRAL_7B, H100_SXM, ROUND_ENGINE, workload)
    assert e.memory.kv_cache_bytes_per_gpu == 4096 * 131_072
    assert e.kv_bytes_per_token == 131_072
    assert e.memory.max_seq_len == MISTRAL_7B.max_context
    trace = {step.label: step for step in e.trace}
    assert "window of 4,096 tokens" in trace["KV cache per GPU"].formula


def test_latent_attention_warns_that_tensor_parallelism_replicates_the_cache():
    e = estimate(
        DEEPSEEK_V3,
        H100_SXM,
        ROUND_ENGINE,
        Workload(num_gpus=8, weights_dtype=Dtype.FP8, batch_size=4),
        trace=False,
    )
    assert any("does not shrink with tensor parallelism" in w for w in e.warnings)
    assert e.memory.kv_bytes_per_token_per_gpu == 61 * 576


def test_deepseeks_dense_first_layers_size_the_activations():
    assert activation_width(DEEPSEEK_V3) == 18432
    assert activation_width(dataclasses.replace(DEEPSEEK_V3, first_dense_layers=0)) == 2048
