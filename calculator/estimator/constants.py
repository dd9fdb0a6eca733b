"""Every coefficient of the estimator: a name with its unit, and where it comes from.

Engine-specific efficiencies are not here: they live in the database (EngineProfile),
seeded with the values fitted by ``python manage.py calibrate --fit`` (see fitting.py).
"""

from __future__ import annotations

from .specs import Dtype, Interconnect

# Bump whenever a formula or a constant here changes: saved scenarios record it, and a
# permalink says when today's estimator would answer differently.
ESTIMATOR_VERSION = "1.2.0"

BYTES_PER_GB = 1e9  # vendors sell memory and quote bandwidth in decimal units
BYTES_PER_GIB = 2**30  # drivers report capacity in binary units
FLOPS_PER_TFLOPS = 1e12
SECONDS_PER_HOUR = 3600.0
SECONDS_PER_DAY = 86_400
TOKENS_PER_MILLION = 1e6
TOKENS_PER_THOUSAND = 1e3

# Storage of one weight, bytes. Integer and 4-bit formats carry per-group scales:
# GPTQ/AWQ int4 store one fp16 scale and one 4-bit zero point per group of 128 weights
# (AutoGPTQ and AutoAWQ defaults, group_size=128); NVFP4 stores one fp8 scale per 16
# weights (NVIDIA's NVFP4 format); int8 and fp8 use per-channel or per-tensor scales,
# a rounding error at these sizes.
INT4_GROUP_SIZE = 128  # weights per scale group (AutoGPTQ/AutoAWQ default)
INT4_SCALE_BYTES = 2.0  # fp16 scale per group
INT4_ZERO_POINT_BYTES = 0.5  # 4-bit zero point per group
FP4_GROUP_SIZE = 16  # NVFP4 block size
FP4_SCALE_BYTES = 1.0  # fp8 (E4M3) scale per block
BYTES_PER_PARAM = {
    Dtype.FP32: 4.0,
    Dtype.FP16: 2.0,
    Dtype.BF16: 2.0,
    Dtype.FP8: 1.0,
    Dtype.INT8: 1.0,
    Dtype.INT4: 0.5 + (INT4_SCALE_BYTES + INT4_ZERO_POINT_BYTES) / INT4_GROUP_SIZE,
    Dtype.FP4: 0.5 + FP4_SCALE_BYTES / FP4_GROUP_SIZE,
}
# Routed experts a checkpoint ships in a 4-bit format of its own, bytes per weight.
# MXFP4 (OCP Microscaling): 4-bit E2M1 values with one 8-bit E8M0 scale per block of 32
# (OCP MX specification v1.0); gpt-oss ships its MoE weights so and vLLM runs them so
# (openai/gpt-oss README, "MXFP4 quantization of the MoE weights").
MXFP4_BLOCK_SIZE = 32
MXFP4_SCALE_BYTES = 1.0
NATIVE_EXPERT_BYTES_PER_PARAM = {"mxfp4": 0.5 + MXFP4_SCALE_BYTES / MXFP4_BLOCK_SIZE}

# Architecture counts shared by every Llama-style block (Llama's modeling code):
GATED_MLP_MATRICES = 3  # gate, up and down projections (SwiGLU)
NORMS_PER_LAYER = 2  # RMSNorm before attention and before the MLP, hidden-size weights each
KV_TENSORS = 2  # a key and a value per head per token
# Attention FLOPs per head dimension for each (query token, context token) pair: a
# multiply-add in QK^T and one in the weighted sum over V (2 + 2).
ATTENTION_FLOPS_PER_CONTEXT_VALUE = 4
# The same for one side of it (QK^T or AV alone): one multiply-add. Multi-head latent
# attention's two sides have different widths (see step.StepContext).
FLOPS_PER_MULTIPLY_ADD = 2

# Quantizers keep the token embedding and the LM head in 16-bit (AutoAWQ, AutoGPTQ and
# TensorRT-LLM's FP8 recipe leave them unquantized): they count at this size.
UNQUANTIZED_BYTES_PER_PARAM = 2.0
# Activations, all-reduce messages and logits run in 16-bit.
ACTIVATION_BYTES = 2.0
LOGITS_BYTES = 4.0  # fp32 logits for sampling (vLLM and HF upcast before softmax)

# The KV cache follows the weights' 16- or 8-bit type unless chosen: 4-bit weight
# formats are weight-only and keep a 16-bit cache (fp4 engines pair it with fp8).
DEFAULT_KV_DTYPE = {
    Dtype.FP32: Dtype.FP32,
    Dtype.FP16: Dtype.FP16,
    Dtype.BF16: Dtype.BF16,
    Dtype.FP8: Dtype.FP8,
    Dtype.INT8: Dtype.INT8,
    Dtype.INT4: Dtype.FP16,
    Dtype.FP4: Dtype.FP8,
}

# Which tensor unit a weights dtype computes in, best first; the first the GPU has wins.
# Weight-only formats (int4 AWQ/GPTQ, fp8 Marlin on Ampere) dequantize to 16-bit.
COMPUTE_DTYPE_PREFERENCE = {
    Dtype.FP32: (Dtype.FP32,),
    Dtype.FP16: (Dtype.FP16,),
    Dtype.BF16: (Dtype.BF16, Dtype.FP16),
    Dtype.FP8: (Dtype.FP8, Dtype.FP16),
    Dtype.INT8: (Dtype.INT8, Dtype.FP16),
    Dtype.INT4: (Dtype.FP16,),
    Dtype.FP4: (Dtype.FP4, Dtype.FP8, Dtype.FP16),
}

# Activation memory at the peak of a prefill chunk, in values per token of the chunk:
# the residual stream and its normed copy, q/k/v and attention output, and the gated
# MLP's gate and up projections (and their product) live at once. Assumption, from
# counting the tensors a Llama block holds with FlashAttention (no n^2 score matrix).
ACTIVATION_HIDDEN_COPIES = 4  # residual, normed input, attention output, MLP output
ACTIVATION_INTERMEDIATE_COPIES = 3  # gate, up, and gate*up

# What a part reaches of its datasheet peaks in microbenchmarks, for parts with no
# measurement on record (GpuType.compute_efficiency / bandwidth_efficiency). Measured
# (samuel-bohman/AI-benchmarking-guide Azure_Results): large GEMMs reach 0.82 of peak on
# A100 (FP16), 0.70 on H100 and 0.69 on H200 (FP8), 0.44 on MI300X (FP8); HBM copies
# reach 0.83 (A100), 0.89 (H100), 0.86 (H200), 0.80 (MI300X). The defaults sit inside
# the NVIDIA range: assumption.
DEFAULT_COMPUTE_EFFICIENCY = 0.75
DEFAULT_BANDWIDTH_EFFICIENCY = 0.85

# Communication. Ring all-reduce moves 2(n-1)/n of the message over each link
# (Patarasuk & Yuan 2009, as used by NCCL). NCCL's measured bus bandwidth is about 80%
# of the link's one-way peak on NVLink 4 (nccl-tests on H100 HGX); assumed the same
# elsewhere.
ALLREDUCE_BANDWIDTH_EFFICIENCY = 0.8
ALLREDUCE_PER_LAYER = 2  # one after attention, one after the MLP (Megatron-LM TP)
# Fixed latency of one small all-reduce, seconds: launch plus synchronisation. Assumed
# from NCCL/custom all-reduce measurements of a few to tens of microseconds; the
# NVLink value is fitted (see fitting.py) within that range.
ALLREDUCE_LATENCY_S = {
    Interconnect.NVLINK: 8e-6,
    Interconnect.NVLINK_BRIDGE: 10e-6,
    Interconnect.INFINITY_FABRIC: 12e-6,
    Interconnect.ETHERNET: 20e-6,
    Interconnect.PCIE: 25e-6,
}
# GPUs one NVLink/xGMI/Ethernet domain joins: an HGX/OAM board holds 8, a bridge 2.
# Beyond that the all-reduce crosses the host: assumption, one 400 Gb/s NIC per GPU.
SCALE_UP_DOMAIN_GPUS = {
    Interconnect.NVLINK: 8,
    Interconnect.NVLINK_BRIDGE: 2,
    Interconnect.INFINITY_FABRIC: 8,
    Interconnect.ETHERNET: 8,
    Interconnect.PCIE: 0,
}
NODE_GPUS = 8  # GPUs of one HGX/OAM server: a larger scale-up domain spans nodes
INTER_NODE_GB_S = 50.0  # one direction per GPU: 400 Gb/s InfiniBand NDR (assumption)
INTER_NODE_LATENCY_S = 30e-6  # assumption for a cross-node all-reduce
# A pipeline stage hands its activations to the next one: one send per stage boundary.
PIPELINE_HOP_LATENCY_S = 20e-6  # assumption, a small point-to-point copy

# Decode is averaged over the completion by evaluating the step time at this many
# evenly spaced context lengths (the KV cache grows linearly; the max() of memory and
# compute does not, so a single midpoint is not enough).
DECODE_SAMPLE_POINTS = 16

# The hourly price is for GPUs rented whole: a run that takes seconds is still billed by
# the second here (cloud per-second billing); no minimums.

# Effects the second calibration pass measured (issue 11). Each was fitted on the rows
# of data/measured-calibration.csv named next to it, with the engine constants held at
# their seeded values, then the engines refitted around them (fitting.py).

# Mixture of experts. Every MoE layer adds kernels to each step beyond its GEMMs:
# routing (gate, top-k), permuting tokens to their experts and back, and one grouped
# GEMM launch per projection. Seconds per MoE layer per step: fitted on vLLM's
# gpt-oss-20b decode at one to sixteen clients on H100 PCIe, H200 and B200
# (sariekr/gpu_conc: 4.5 ms a token on H200 and B200 alike, where reading the active
# weights takes under 1.5 ms) and gpt-oss-120b at four clients on A100/H100 (gpustack).
MOE_LAYER_STEP_OVERHEAD_S = 1.3e-4
# Expert FLOPs run in grouped GEMMs: many small matrices, each expert seeing its share
# of the batch's tokens, so they reach a fraction of the dense GEMMs' rate. Fitted on
# the 75 MoE throughput-under-load rows (gpt-oss-20b/120b, Qwen3-30B-A3B and 235B-A22B
# at 2K-32K prompts from gpustack, Mixtral from TensorRT-LLM's perf overview and
# Baseten): 0.25-0.3 centres them, 1.0 overestimates them by half.
MOE_GROUPED_GEMM_EFFICIENCY = 0.3

# Long-context attention: FlashAttention's forward pass reaches a smaller share of the
# tensor peak than large GEMMs do (samuel-bohman/AI-benchmarking-guide, Azure_Results:
# FlashAttention-2 forward 328.6 TFLOPS on MI300X against 955-1159 TFLOPS for its GEMMs;
# Shah et al. 2024, FlashAttention-3: FA2 reaches 35% of H100's peak). Prompt attention
# FLOPs run at this fraction of the GEMM rate; the 19 rows with prompts of 8K tokens
# or more (gpustack, datacrunch) are centred by 0.5-0.6.
ATTENTION_KERNEL_EFFICIENCY = 0.5

# Weight-only int4 (AWQ/GPTQ, llama.cpp Q4) decode: the kernels unpack and scale every
# weight, so they read their 4-bit weights at a fraction of the bandwidth a 16-bit GEMV
# reaches. Fitted on vLLM 0.4-0.7 AWQ rows (France-Travail: Mistral 7B AWQ 1.2x faster
# than BF16 on A100, where bytes alone would give 3.5x) and llama.cpp Q4_0 70B on A100
# and H100 (XiongjieDai).
INT4_WEIGHT_READ_EFFICIENCY = 0.6

# ROCm: each layer's kernels cost more to launch and synchronise than CUDA's with graphs
# (HIP graphs, RCCL). Seconds per layer per step on AMD Instinct parts, fitted on vLLM
# on MI300X: Llama 3.1 405B FP8 at batch 1-256 (Oracle, 27 ms a token where the
# roofline gives 19) and gpt-oss-20b at one to sixteen clients (sariekr/gpu_conc:
# 7.3 ms a token where H200 takes 4.5).
ROCM_LAYER_STEP_OVERHEAD_S = 1e-4

# GeForce cards have no peer-to-peer over PCIe (NVIDIA disables it on consumer parts),
# so NCCL stages every all-reduce through host memory: a much higher fixed latency than
# between data-centre PCIe cards. Seconds per all-reduce, fitted on vLLM TP=2 and TP=4
# over RTX 4090s (IOG-Foundation: 15.5 ms a token for an 8B model on four cards, where
# one card takes 22).
PCIE_NO_PEER_ALLREDUCE_LATENCY_S = 7e-5

# Time for bills. A year of 365 days; the month cloud price pages quote is a twelfth of
# it (730 hours). Owned hardware is amortized over years of these hours.
HOURS_PER_YEAR = 8_760
HOURS_PER_MONTH = HOURS_PER_YEAR / 12

# Prefix caching (prefix.py). vLLM's automatic prefix caching hashes full KV blocks only
# (docs.vllm.ai, "Automatic Prefix Caching", design: "only full blocks are cached"),
# with blocks of 16 tokens by default (--block-size); SGLang's radix tree caches at
# token granularity (page size 1), so blocks of 16 are the conservative choice.
PREFIX_CACHE_BLOCK_TOKENS = 16  # tokens
# A prompt found whole in the cache still computes its last token, whose logits give
# the first output token (vLLM v1 KVCacheManager.get_computed_blocks: "when all tokens
# hit the cache, we must recompute the last token to obtain logits", so the longest hit
# is the prompt less one token).
PREFIX_RECOMPUTED_TOKENS = 1  # tokens

# Speculative decoding (speculative.py). Acceptance: the chance each drafted token is
# accepted, independently (Leviathan et al. 2023, "Fast Inference from Transformers via
# Speculative Decoding", ICML: tokens per verification = (1 - a^(k+1)) / (1 - a)).
# A separate draft model: their Table 3 measures a = 0.61-0.82 for drafts two to three
# orders of magnitude smaller than the target (T5-small..large for T5-XXL, LaMDA 100M-8B
# for 137B); 0.7 is its middle (assumption for an unnamed pair), 4 drafted tokens
# (assumption; their optimal gamma for such a is 3-5).
SPECULATIVE_DRAFT_ACCEPTANCE = 0.7
SPECULATIVE_DRAFT_TOKENS = 4
# EAGLE heads: "~0.8 acceptance" of the draft's top-1 token (Li et al. 2024, "EAGLE:
# Speculative Sampling Requires Rethinking Feature Uncertainty", ICML, arXiv 2401.15077,
# MT-bench); 3 drafted tokens (assumption: a chain, where EAGLE's own runs use a tree).
SPECULATIVE_EAGLE_ACCEPTANCE = 0.8
SPECULATIVE_EAGLE_TOKENS = 3
# Multi-token prediction (DeepSeek-V3's one MTP module): "the acceptance rate of the
# second token prediction ranges between 85% and 90%" (DeepSeek-V3 Technical Report,
# arXiv 2412.19437, section 5.4.3): 0.85, one drafted token.
SPECULATIVE_MTP_ACCEPTANCE = 0.85
SPECULATIVE_MTP_TOKENS = 1
# Headroom: the share of a replica's capacity the planner plans to use at the peak.
# The capacity is already the highest Poisson rate within the latency targets, so this
# is room for what the plan does not model: bursts above the stated peak, estimator
# error, a slow node. 80% is the usual operating target ("the 80% utilization rule",
# npiontko.pro/2024/12/27/capacity-planning-utilization; in an M/M/1 queue the wait is
# rho / (1 - rho) service times: 4 at 80%, 9 at 90%: Kleinrock, Queueing Systems vol. 1,
# 1975, ch. 3). Assumption that it suits LLM serving; the user can change it.
DEFAULT_TARGET_UTILIZATION = 0.8

# Expert parallelism (expert.py). Each MoE layer sends every token's hidden state to the
# GPUs holding its top-k experts (dispatch) and brings the k weighted outputs back
# (combine). DeepSeek-V3's serving setting dispatches in FP8 and combines in BF16
# (deepseek-ai/DeepEP README and docs/legacy.md: "FP8 dispatching and BF16 combining").
EXPERT_DISPATCH_BYTES = 1.0  # bytes per hidden value sent to an expert (FP8)
EXPERT_COMBINE_BYTES = 2.0  # bytes per hidden value sent back (BF16)
# Share of the link's one-way peak the all-to-all reaches. Fitted on DeepEP V1's
# low-latency kernels (docs/legacy.md, H800 with a 400 Gb/s CX7 NIC a GPU, 128 tokens a
# rank, 7168 hidden, top-8): at 0.9 with INTER_NODE_GB_S and INTER_NODE_LATENCY_S the
# model gives EP16 dispatch 111 us and combine 193 us (measured 118 and 195), EP64 173
# and 316 us (measured 173 and 314). DeepEP's normal kernels reach 153-158 GB/s of
# H800's ~160 GB/s NVLink within a node (same table); the same share is assumed there.
ALL_TO_ALL_BANDWIDTH_EFFICIENCY = 0.9
ALL_TO_ALLS_PER_MOE_LAYER = 2  # dispatch and combine
# Expert load imbalance: the busiest GPU's routed tokens over the average. The expert
# GEMMs wait for the busiest GPU, so their time is multiplied by this. SGLang measured
# DeepSeek-V3 prefill on 4 x 8 H100 (EP32) at 50,302 tokens/s a node with its default
# expert placement (EPLB on) and 59,337 with a simulated perfectly balanced one
# (lmsys.org/blog/2025-05-05-large-scale-ep, "Overall Throughput"): 1.18; 1.2 rounds it.
# Without EPLB the same post measures EPLB's own speed-up at 1.49x (prefill) and 2.54x
# (decode) at large scale: real imbalance grows with the EP size (not modelled).
EXPERT_LOAD_IMBALANCE = 1.2
