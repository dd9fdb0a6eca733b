"""Spec dataclasses for estimator tests: hand-written, independent of the database."""

from __future__ import annotations

from calculator.estimator import (
    ApiOffering,
    EngineSpec,
    GpuSpec,
    Interconnect,
    ModelSpec,
    Workload,
)

A100_80GB = GpuSpec(
    slug="a100-80gb-sxm",
    name="A100 80GB SXM",
    memory_gb=80,
    usable_memory_gib=80,
    memory_bandwidth_gb_s=2039,
    fp32_tflops=19.5,
    tf32_tflops=156,
    fp16_tflops=312,
    bf16_tflops=312,
    int8_tops=624,
    interconnect=Interconnect.NVLINK,
    interconnect_gb_s=600,
    hourly_usd=1.79,
    # Whole peaks, so hand-worked figures only carry the engine's utilisation.
    compute_efficiency=1.0,
    bandwidth_efficiency=1.0,
)

H100_SXM = GpuSpec(
    slug="h100-sxm",
    name="H100 SXM",
    memory_gb=80,
    usable_memory_gib=79.6,
    memory_bandwidth_gb_s=3350,
    fp32_tflops=67,
    tf32_tflops=494.7,
    fp16_tflops=989.4,
    bf16_tflops=989.4,
    fp8_tflops=1978.9,
    int8_tops=1978.9,
    interconnect=Interconnect.NVLINK,
    interconnect_gb_s=900,
    pcie_gb_s=64,
    hourly_usd=3.29,
    compute_efficiency=1.0,
    bandwidth_efficiency=1.0,
)

L4 = GpuSpec(
    slug="l4",
    name="L4",
    memory_gb=24,
    usable_memory_gib=22.5,
    memory_bandwidth_gb_s=300,
    fp32_tflops=30.3,
    fp16_tflops=121,
    bf16_tflops=121,
    fp8_tflops=242,
    int8_tops=242,
    interconnect=Interconnect.PCIE,
    hourly_usd=None,
)

LLAMA_2_7B = ModelSpec(
    slug="llama-2-7b",
    name="Llama 2 7B",
    hidden_size=4096,
    num_layers=32,
    num_attention_heads=32,
    num_kv_heads=32,
    head_dim=128,
    intermediate_size=11008,
    vocab_size=32000,
    max_context=4096,
)

LLAMA_2_70B = ModelSpec(
    slug="llama-2-70b",
    name="Llama 2 70B",
    hidden_size=8192,
    num_layers=80,
    num_attention_heads=64,
    num_kv_heads=8,
    head_dim=128,
    intermediate_size=28672,
    vocab_size=32000,
    max_context=4096,
)

LLAMA_3_8B = ModelSpec(
    slug="llama-3.1-8b",
    name="Llama 3.1 8B",
    hidden_size=4096,
    num_layers=32,
    num_attention_heads=32,
    num_kv_heads=8,
    head_dim=128,
    intermediate_size=14336,
    vocab_size=128256,
    max_context=131072,
)

LLAMA_3_2_1B = ModelSpec(
    slug="llama-3.2-1b",
    name="Llama 3.2 1B",
    hidden_size=2048,
    num_layers=16,
    num_attention_heads=32,
    num_kv_heads=8,
    head_dim=64,
    intermediate_size=8192,
    vocab_size=128256,
    max_context=131072,
    tie_word_embeddings=True,
)

MIXTRAL_8X7B = ModelSpec(
    slug="mixtral-8x7b",
    name="Mixtral 8x7B",
    hidden_size=4096,
    num_layers=32,
    num_attention_heads=32,
    num_kv_heads=8,
    head_dim=128,
    intermediate_size=14336,
    vocab_size=32000,
    max_context=32768,
    num_experts=8,
    experts_per_token=2,
    moe_intermediate_size=14336,
)

QWEN_2_5_7B = ModelSpec(
    slug="qwen2.5-7b",
    name="Qwen2.5 7B",
    hidden_size=3584,
    num_layers=28,
    num_attention_heads=28,
    num_kv_heads=4,
    head_dim=128,
    intermediate_size=18944,
    vocab_size=152064,
    max_context=131072,
    qkv_bias=True,
)

# An engine with round numbers, so hand-worked figures stay readable.
ROUND_ENGINE = EngineSpec(
    slug="test",
    name="Test engine",
    bandwidth_utilization=0.5,
    prefill_compute_utilization=0.5,
    decode_compute_utilization=0.5,
    step_overhead_s=0.001,
    request_overhead_s=0.01,
    memory_fraction=0.9,
    runtime_overhead_gib=1.0,
    max_batched_tokens=8192,
    max_num_seqs=256,
)

GPT_35 = ApiOffering("openai-gpt-3.5-turbo", "GPT-3.5 Turbo", 0.5, 1.5)

SEED_WORKLOAD = Workload(
    num_gpus=2, batch_size=1, prompt_tokens=1000, completion_tokens=500, seq_len=2048
)
