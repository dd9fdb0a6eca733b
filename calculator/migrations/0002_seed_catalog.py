"""Seed the catalog: GPUs, open models, engine profiles and API prices.

Every row is written out here as literals, because a migration is history: it must not
import code or read files that may change later. The values come from the reference
tables in data/ (gpus.csv, models.csv, api_prices.csv; see data/README.md), with each
row's source kept in its source/notes fields. Later price or spec changes go through the
admin (django-simple-history records them) or a new data migration.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import migrations
from django.utils import timezone

# Section: engine profiles
#
# One literal list, so refitted values replace these in one place. The fields are
# EngineSpec's (calculator/estimator/specs.py explains each) plus default_parallelism.
# The five efficiency constants come from `python manage.py calibrate --fit` on
# data/measured-calibration.csv (estimator 1.0.0), relative to each GPU's measured
# efficiency (GpuType.compute_efficiency / bandwidth_efficiency); memory habits are the engines'
# documented defaults.
FITTED = (
    "Fitted with `manage.py calibrate --fit` on data/measured-calibration.csv: "
    "bandwidth_utilization, prefill/decode_compute_utilization, step_overhead_s and "
    "request_overhead_s. "
)
ENGINE_PROFILES = [
    {
        "slug": "vllm",
        "name": "vLLM",
        # vLLM and SGLang share fitted constants (same kernel families; one source).
        "bandwidth_utilization": 0.765,
        "prefill_compute_utilization": 0.587,
        "decode_compute_utilization": 0.55,
        "step_overhead_s": 0.00048,
        "request_overhead_s": 0.0125,
        "memory_fraction": 0.9,
        "runtime_overhead_gib": 1.5,
        "max_batched_tokens": 8192,
        "max_num_seqs": 256,
        "pipelines_microbatches": True,
        "fp16_accumulate": False,
        "default_parallelism": "tensor",
        "source_notes": FITTED
        + "Fitted together with SGLang on the SGLang 0.3 vs vLLM 0.6 benchmark "
        "(sgl-project/sglang benchmark/benchmark_vllm_060/README.md), the only source "
        "with vLLM rows. memory_fraction 0.9 = vLLM's default gpu_memory_utilization; "
        "max_num_seqs 256 and max_num_batched_tokens 8192 are vLLM defaults; "
        "runtime_overhead_gib 1.5 (CUDA context, CUDA graphs, NCCL buffers) is an assumption.",
    },
    {
        "slug": "tensorrt-llm",
        "name": "TensorRT-LLM",
        "bandwidth_utilization": 0.77,
        "prefill_compute_utilization": 0.698,
        "decode_compute_utilization": 0.555,
        "step_overhead_s": 0.0011,
        "request_overhead_s": 0.0053,
        "memory_fraction": 0.95,
        "runtime_overhead_gib": 1.0,
        "max_batched_tokens": 8192,
        "max_num_seqs": 2048,
        "pipelines_microbatches": True,
        "fp16_accumulate": False,
        "default_parallelism": "tensor",
        "source_notes": FITTED
        + "Fitted on NVIDIA/TensorRT-LLM docs/source/performance/perf-overview.md "
        "(v0.17 offline throughput, v0.14 serving). TensorRT-LLM gives the KV cache 90% "
        "of the memory left after weights (kv_cache_free_gpu_memory_fraction): "
        "memory_fraction 0.95 of the whole approximates that; max_num_seqs 2048 and "
        "max_num_tokens 8192 are trtllm-bench's defaults; runtime 1.0 GiB is an assumption.",
    },
    {
        "slug": "sglang",
        "name": "SGLang",
        "bandwidth_utilization": 0.765,
        "prefill_compute_utilization": 0.587,
        "decode_compute_utilization": 0.55,
        "step_overhead_s": 0.00048,
        "request_overhead_s": 0.0125,
        "memory_fraction": 0.88,
        "runtime_overhead_gib": 1.5,
        "max_batched_tokens": 8192,
        "max_num_seqs": 1024,
        "pipelines_microbatches": True,
        "fp16_accumulate": False,
        "default_parallelism": "tensor",
        "source_notes": FITTED + "Fitted together with vLLM on sgl-project/sglang "
        "benchmark/benchmark_vllm_060/README.md (SGLang 0.3.0). memory_fraction 0.88 = "
        "SGLang's mem_fraction_static at TP 1 (the source says so); max_num_seqs 1024 "
        "and runtime 1.5 GiB are assumptions.",
    },
    {
        "slug": "llama.cpp",
        "name": "llama.cpp",
        "bandwidth_utilization": 1.0,
        "prefill_compute_utilization": 0.378,
        "decode_compute_utilization": 0.3,
        "step_overhead_s": 0.0037,
        "request_overhead_s": 0.0,
        "memory_fraction": 1.0,
        "runtime_overhead_gib": 0.5,
        "max_batched_tokens": 512,
        "max_num_seqs": 1,
        "pipelines_microbatches": False,
        "fp16_accumulate": True,
        "default_parallelism": "pipeline",
        "source_notes": FITTED
        + "Fitted on XiongjieDai/GPU-Benchmarks-on-LLM-Inference README.md (batch-1 "
        "decode and pp512 prompt processing, Dec 2023 and May 2024 builds). "
        "decode_compute_utilization is not constrained by that data (batch 1 only): "
        "assumption. The ~4 ms step overhead is kernel-launch cost per token, which is "
        "why small models run far below bandwidth. llama.cpp allocates exactly what it "
        "needs (memory_fraction 1.0); n_ubatch 512 is its default prompt chunk; one "
        "sequence at a time is llama-server's default slot count. FP16 GEMMs accumulate "
        "in FP16 (cuBLAS compute type 16F), twice the listed rate on GeForce cards.",
    },
    {
        "slug": "hf-transformers",
        "name": "Hugging Face Transformers",
        "bandwidth_utilization": 0.6,
        "prefill_compute_utilization": 0.4,
        "decode_compute_utilization": 0.3,
        "step_overhead_s": 0.02,
        "request_overhead_s": 0.05,
        "memory_fraction": 1.0,
        "runtime_overhead_gib": 1.0,
        "max_batched_tokens": 4096,
        "max_num_seqs": 64,
        "pipelines_microbatches": False,
        "fp16_accumulate": False,
        "default_parallelism": "tensor",
        "source_notes": "Assumptions, not fitted: the calibration set has no Transformers "
        "rows. Eager PyTorch generate() pays tens of milliseconds of Python and launch "
        "overhead per token (step_overhead_s 0.02), and keeps a static KV cache for the "
        "whole sequence. Treat its figures as rough.",
    },
]

# Section: GPUs
#
# From data/gpus.csv. Tensor figures are DENSE (datasheets headline 2:4-sparse numbers,
# which were halved). usable_memory_gib is the total the driver reports, written as the
# MiB (or bytes) it printed divided down to GiB, so the observed number stays visible.

# Measured share of peak that microbenchmarks reach (compute_efficiency: large
# cuBLASLt/hipBLASLt GEMMs, best of the published sizes / dense peak; bandwidth_efficiency:
# best STREAM-style copy/mul/add/triad / peak). A100: FP16 GEMM 256.5 TFLOPS, 1.70 TB/s;
# H100: FP8 GEMM 1382.2, 2.97 TB/s; H200: FP8 1366.3, 4.15 TB/s; MI300X: FP8 1159.5,
# 4.26 TB/s.
EFFICIENCY_SOURCE = (
    "samuel-bohman/AI-benchmarking-guide Azure_Results/ND_A100_v4_results.md, "
    "ND_H100_v5_results.md, ND_H200_v5_results.md, ND_MI300X_v5_results.md"
)

LAMBDA_PRICE_AS_OF = datetime.date(2025, 1, 1)
LAMBDA_CATALOG = (
    "skypilot-org/skypilot-catalog catalogs/v7/lambda/vms.csv @ "
    "11580132cea293395776b033c8533714d42abb4e (Lambda on-demand list price)"
)
LAMBDA_DATE_CAVEAT = (
    " The catalog commit's date was not determined: treat the price as a 2024-2025 "
    "snapshot. price_as_of 2025-01-01 is a placeholder inside that window, not an "
    "observed date."
)
A100_DATASHEET = (
    "https://www.nvidia.com/content/dam/en-zz/Solutions/Data-Center/a100/pdf/"
    "nvidia-a100-datasheet-us-nvidia-1758950-r4-web.pdf"
)
H100_DATASHEET = "https://resources.nvidia.com/en-us-tensor-core/nvidia-tensor-core-gpu-datasheet"

GPUS = [
    {
        "slug": "a100-40gb-sxm",
        "name": "NVIDIA A100 40GB SXM4",
        "vendor": "nvidia",
        "memory_gb": 40,
        "usable_memory_gib": 40960 / 1024,  # nvidia-smi total, MiB
        "memory_type": "HBM2",
        "memory_bandwidth_gb_s": 1555,
        "fp32_tflops": 19.5,
        "tf32_tflops": 156,
        "fp16_tflops": 312,
        "bf16_tflops": 312,
        "int8_tops": 624,
        "interconnect": "nvlink",
        "interconnect_gb_s": 600,
        "pcie_gb_s": 32,
        "tdp_w": 400,
        "hourly_price_usd": Decimal("1.29"),
        "price_source": LAMBDA_CATALOG
        + ": gpu_8x_a100 (40 GB) $10.32/h / 8 GPUs = $1.29 per GPU-hour (derived)."
        + LAMBDA_DATE_CAVEAT,
        "price_as_of": LAMBDA_PRICE_AS_OF,
        "datasheet_url": A100_DATASHEET,
        "spec_notes": "Efficiencies: A100-SXM4-80GB measurements applied to the same chip, "
        + EFFICIENCY_SOURCE
        + ". "
        + (
            "NVLink 3 (600 GB/s both directions), PCIe Gen4 x16. No FP8; INT4 not listed in "
            "the r4 datasheet. Cross-checked: winston-zhang-orz/gpu-specs specs.md (1555 GB/s, "
            "19.5/156/312/624, 400 W); astroC86/gpu-datasheet README.md. Usable memory: "
            "40960 MiB as nvidia-smi reports."
        ),
        "compute_efficiency": 0.82,
        "bandwidth_efficiency": 0.83,
    },
    {
        "slug": "a100-80gb-sxm",
        "name": "NVIDIA A100 80GB SXM4",
        "vendor": "nvidia",
        "memory_gb": 80,
        "usable_memory_gib": 81920 / 1024,  # nvidia-smi total, MiB
        "memory_type": "HBM2e",
        "memory_bandwidth_gb_s": 2039,
        "fp32_tflops": 19.5,
        "tf32_tflops": 156,
        "fp16_tflops": 312,
        "bf16_tflops": 312,
        "int8_tops": 624,
        "interconnect": "nvlink",
        "interconnect_gb_s": 600,
        "pcie_gb_s": 32,
        "tdp_w": 400,
        "hourly_price_usd": Decimal("1.79"),
        "price_source": LAMBDA_CATALOG
        + ": gpu_8x_a100_80gb_sxm4 $14.32/h / 8 GPUs = $1.79 per GPU-hour (derived)."
        + LAMBDA_DATE_CAVEAT,
        "price_as_of": LAMBDA_PRICE_AS_OF,
        "datasheet_url": A100_DATASHEET,
        "spec_notes": "Efficiencies: measured, "
        + EFFICIENCY_SOURCE
        + ". "
        + (
            "NVLink 3 (600 GB/s both directions), PCIe Gen4 x16. No FP8. Cross-checked: "
            "winston-zhang-orz/gpu-specs specs.md (2039 GB/s, 400 W). Usable memory: 81920 MiB "
            "as nvidia-smi reports."
        ),
        "compute_efficiency": 0.82,
        "bandwidth_efficiency": 0.83,
    },
    {
        "slug": "a100-80gb-pcie",
        "name": "NVIDIA A100 80GB PCIe",
        "vendor": "nvidia",
        "memory_gb": 80,
        "usable_memory_gib": 81920 / 1024,  # nvidia-smi total, MiB
        "memory_type": "HBM2e",
        "memory_bandwidth_gb_s": 1935,
        "fp32_tflops": 19.5,
        "tf32_tflops": 156,
        "fp16_tflops": 312,
        "bf16_tflops": 312,
        "int8_tops": 624,
        "interconnect": "nvlink-bridge",
        "interconnect_gb_s": 600,
        "pcie_gb_s": 32,
        "tdp_w": 300,
        "datasheet_url": A100_DATASHEET,
        "spec_notes": "Efficiencies: A100-SXM4-80GB measurements applied to the same chip, "
        + EFFICIENCY_SOURCE
        + ". "
        + (
            "An NVLink bridge joins two cards (600 GB/s both directions); beyond a pair, "
            "PCIe Gen4 x16. No FP8. Cross-checked: winston-zhang-orz/gpu-specs specs.md "
            "(1935 GB/s, 300 W). Usable memory: 81920 MiB as nvidia-smi reports."
        ),
        "compute_efficiency": 0.82,
        "bandwidth_efficiency": 0.83,
    },
    {
        "slug": "h100-sxm",
        "name": "NVIDIA H100 SXM5 80GB",
        "vendor": "nvidia",
        "memory_gb": 80,
        "usable_memory_gib": 81559 / 1024,  # nvidia-smi total, MiB
        "memory_type": "HBM3",
        "memory_bandwidth_gb_s": 3350,
        "fp32_tflops": 67,
        "tf32_tflops": 494.7,
        "fp16_tflops": 989.4,
        "bf16_tflops": 989.4,
        "fp8_tflops": 1978.9,
        "int8_tops": 1978.9,
        "interconnect": "nvlink",
        "interconnect_gb_s": 900,
        "pcie_gb_s": 64,
        "tdp_w": 700,
        "hourly_price_usd": Decimal("3.29"),
        "price_source": LAMBDA_CATALOG
        + ": gpu_1x_h100_sxm5 $3.29/h (gpu_2x_h100_sxm5 $6.38/h = $3.19 per GPU)."
        + LAMBDA_DATE_CAVEAT,
        "price_as_of": LAMBDA_PRICE_AS_OF,
        "datasheet_url": H100_DATASHEET,
        "spec_notes": "Efficiencies: measured, "
        + EFFICIENCY_SOURCE
        + ". "
        + (
            "The datasheet's 1,979 FP16 / 3,958 FP8 TFLOPS are with 2:4 sparsity; dense is "
            "half. NVLink 4 (900 GB/s both directions = 450 each way), PCIe Gen5 x16. "
            "Cross-checked: glennklockwood.com/garden/processors/h100 (FP16 989.4 dense, "
            "TF32 494.7); astroC86/gpu-datasheet. Usable memory: 81559 MiB as nvidia-smi "
            "reports."
        ),
        "compute_efficiency": 0.7,
        "bandwidth_efficiency": 0.89,
    },
    {
        "slug": "h100-pcie",
        "name": "NVIDIA H100 PCIe 80GB",
        "vendor": "nvidia",
        "memory_gb": 80,
        "usable_memory_gib": 81559 / 1024,  # nvidia-smi total, MiB
        "memory_type": "HBM2e",
        "memory_bandwidth_gb_s": 2000,
        "fp32_tflops": 51,
        "tf32_tflops": 378,
        "fp16_tflops": 756,
        "bf16_tflops": 756,
        "fp8_tflops": 1513,
        "int8_tops": 1513,
        "interconnect": "nvlink-bridge",
        "interconnect_gb_s": 600,
        "pcie_gb_s": 64,
        "tdp_w": 350,
        "hourly_price_usd": Decimal("2.49"),
        "price_source": LAMBDA_CATALOG + ": gpu_1x_h100_pcie $2.49/h." + LAMBDA_DATE_CAVEAT,
        "price_as_of": LAMBDA_PRICE_AS_OF,
        "datasheet_url": H100_DATASHEET,
        "spec_notes": (
            "Datasheet: TDP 300-350 W (configurable); bandwidth '2 TB/s' (some tables list "
            "2,048 GB/s). An NVLink bridge joins pairs (600 GB/s both directions); PCIe Gen5 "
            "x16. Partly cross-checked: winston-zhang-orz/gpu-specs (51.2 FP32, sparse TF32 "
            "756 / BF16 1513 / FP8 3026, 2048 GB/s, 350 W); H100 PCIe product brief (350 W, "
            "'>2,000 GB/s'). Usable memory: 81559 MiB as nvidia-smi reports."
        ),
    },
    {
        "slug": "h100-nvl",
        "name": "NVIDIA H100 NVL (per GPU of the pair)",
        "vendor": "nvidia",
        "memory_gb": 94,
        "usable_memory_gib": 95830 / 1024,  # nvidia-smi total, MiB
        "memory_type": "HBM3",
        "memory_bandwidth_gb_s": 3900,
        "fp32_tflops": 60,
        "tf32_tflops": 417.5,
        "fp16_tflops": 835.5,
        "bf16_tflops": 835.5,
        "fp8_tflops": 1670.5,
        "int8_tops": 1670.5,
        "interconnect": "nvlink-bridge",
        "interconnect_gb_s": 600,
        "pcie_gb_s": 64,
        "tdp_w": 400,
        "datasheet_url": H100_DATASHEET,
        "spec_notes": (
            "Dense = half the datasheet's sparse figures (TF32 835, FP16 1,671, FP8 3,341). "
            "TDP 350-400 W (configurable; the upper bound is stored). Cards come in bridged "
            "pairs (600 GB/s both directions); PCIe Gen5 x16. Not cross-checked: values "
            "from NVIDIA's H100 datasheet as known; aggregator pages gave inconsistent "
            "numbers. Usable memory: 95830 MiB as nvidia-smi reports."
        ),
    },
    {
        "slug": "h200",
        "name": "NVIDIA H200 SXM 141GB",
        "vendor": "nvidia",
        "memory_gb": 141,
        "usable_memory_gib": 143771 / 1024,  # nvidia-smi total, MiB
        "memory_type": "HBM3e",
        "memory_bandwidth_gb_s": 4800,
        "fp32_tflops": 67,
        "tf32_tflops": 494.7,
        "fp16_tflops": 989.4,
        "bf16_tflops": 989.4,
        "fp8_tflops": 1978.9,
        "int8_tops": 1978.9,
        "interconnect": "nvlink",
        "interconnect_gb_s": 900,
        "pcie_gb_s": 64,
        "tdp_w": 700,
        "datasheet_url": (
            "https://resources.nvidia.com/en-us-data-center-overview-mc/"
            "en-us-data-center-overview/hpc-datasheet-sc23-h200"
        ),
        "spec_notes": "Efficiencies: measured, "
        + EFFICIENCY_SOURCE
        + ". "
        + (
            "Same compute as H100 SXM; more and faster memory. The H200 NVL (PCIe, 600 W "
            "class) is not this part. Cross-checked: astroC86/gpu-datasheet (141 GB, 4.8 TB/s, "
            "1979/3958 sparse); NVIDIA/TensorRT-LLM docs/source/blogs/H200launch.md. Usable "
            "memory: 143771 MiB as nvidia-smi reports."
        ),
        "compute_efficiency": 0.69,
        "bandwidth_efficiency": 0.86,
    },
    {
        "slug": "b200",
        "name": "NVIDIA B200 (HGX/DGX B200, per GPU)",
        "vendor": "nvidia",
        "memory_gb": 180,
        # nvidia-smi total on an 8x B200 node: NVIDIA/TensorRT-LLM issue #10278
        # (driver 580.95.05), also in AWS's P6-B200 DLAMI example output.
        "usable_memory_gib": 183359 / 1024,
        "memory_type": "HBM3e",
        "memory_bandwidth_gb_s": 8000,
        "fp16_tflops": 2250,
        "bf16_tflops": 2250,
        "fp8_tflops": 4500,
        "fp4_tflops": 9000,
        "interconnect": "nvlink",
        "interconnect_gb_s": 1800,
        "pcie_gb_s": 64,
        "tdp_w": 1000,
        "datasheet_url": "https://resources.nvidia.com/en-us-dgx-systems/dgx-b200-datasheet",
        "spec_notes": (
            "Per-GPU = DGX B200 system totals / 8, dense = half of sparse (astroC86/gpu-datasheet: "
            "1.44 TB, 64 TB/s, 36 PF FP16, 72 PF FP8, 144 PF FP4 for 8 GPUs). MLPerf v4.1 "
            "closed/NVIDIA/systems/B200-SXM-180GBx1_TRT.json: 180 GB HBM3e, 1000 W. Early "
            "announcements quoted 192 GB / 8 TB/s; some HGX B200 sheets quote 7.7 TB/s, and "
            "pytorch/ao PR #4002 reads a 7680-bit bus from the driver (about 7.67 TB/s): check "
            "the datasheet revision. FP32, TF32 and INT8 not collected. Usable memory: 183359 "
            "MiB as nvidia-smi reports (NVIDIA/TensorRT-LLM issue #10278)."
        ),
    },
    {
        "slug": "l40s",
        "name": "NVIDIA L40S",
        "vendor": "nvidia",
        "memory_gb": 48,
        "usable_memory_gib": 46068 / 1024,  # nvidia-smi total, MiB
        "memory_type": "GDDR6 (ECC)",
        "memory_bandwidth_gb_s": 864,
        "fp32_tflops": 91.6,
        "tf32_tflops": 183,
        "fp16_tflops": 362.05,
        "bf16_tflops": 362.05,
        "fp8_tflops": 733,
        "int8_tops": 733,
        "int4_tops": 733,
        "interconnect": "pcie",
        "interconnect_gb_s": 0,
        "pcie_gb_s": 32,
        "tdp_w": 350,
        "datasheet_url": "https://www.nvidia.com/en-us/data-center/l40s/",
        "spec_notes": (
            "Dense figures (datasheet sparse: FP16 733, FP8 1,466). No NVLink: PCIe Gen4 x16. "
            "Cross-checked: winston-zhang-orz/gpu-specs specs.md (864 GB/s, 91.6, TF32 183, "
            "FP16/BF16 362, FP8 733, INT8/INT4 733 dense); that table lists 300 W, the "
            "datasheet 350 W. Usable memory: 46068 MiB as nvidia-smi reports."
        ),
    },
    {
        "slug": "l4",
        "name": "NVIDIA L4",
        "vendor": "nvidia",
        "memory_gb": 24,
        "usable_memory_gib": 23034 / 1024,  # nvidia-smi total, MiB
        "memory_type": "GDDR6",
        "memory_bandwidth_gb_s": 300,
        "fp32_tflops": 30.3,
        "tf32_tflops": 60,
        "fp16_tflops": 121,
        "bf16_tflops": 121,
        "fp8_tflops": 242,
        "int8_tops": 242,
        "interconnect": "pcie",
        "interconnect_gb_s": 0,
        "pcie_gb_s": 32,
        "tdp_w": 72,
        "datasheet_url": "https://www.nvidia.com/en-us/data-center/l4/",
        "spec_notes": (
            "PCIe Gen4 x16 only. Cross-checked: winston-zhang-orz/gpu-specs specs.md "
            "(300 GB/s, 30.3, 60, 121, 242 dense / 485 sparse, 72 W). Usable memory: 23034 MiB "
            "as nvidia-smi reports."
        ),
    },
    {
        "slug": "a10g",
        "name": "NVIDIA A10G (AWS EC2 G5)",
        "vendor": "nvidia",
        "memory_gb": 24,
        "usable_memory_gib": 23028 / 1024,  # nvidia-smi total, MiB
        "memory_type": "GDDR6",
        # baseten.co/blog/nvidia-a10-vs-a10g-for-ml-model-inference: same 24 GB and 600 GB/s
        # as the A10.
        "memory_bandwidth_gb_s": 600,
        "interconnect": "pcie",
        "interconnect_gb_s": 0,
        "pcie_gb_s": 32,
        "datasheet_url": "https://aws.amazon.com/ec2/instance-types/g5/",
        "is_active": False,
        "spec_notes": (
            "INACTIVE: no trustworthy tensor-throughput figures. NVIDIA publishes no A10G "
            "datasheet; AWS lists 24 GB per GPU. Bandwidth 600 GB/s from "
            "https://www.baseten.co/blog/nvidia-a10-vs-a10g-for-ml-model-inference/ (same "
            "memory and bandwidth as the A10; it says the A10G has less tensor compute and "
            "more CUDA-core throughput than the A10, but its figures could not be read). Many "
            "tools assume A10 numbers (125 TFLOPS FP16 dense): UNVERIFIED, so FP16/BF16/FP8/INT "
            "are left empty. TDP not collected. Usable memory: 23028 MiB as nvidia-smi reports "
            "(same as the A10)."
        ),
    },
    {
        "slug": "a10",
        "name": "NVIDIA A10",
        "vendor": "nvidia",
        "memory_gb": 24,
        "usable_memory_gib": 23028 / 1024,  # nvidia-smi total, MiB
        "memory_type": "GDDR6",
        "memory_bandwidth_gb_s": 600,
        "fp32_tflops": 31.2,
        "tf32_tflops": 62.5,
        "fp16_tflops": 125,
        "bf16_tflops": 125,
        "int8_tops": 250,
        "int4_tops": 500,
        "interconnect": "pcie",
        "interconnect_gb_s": 0,
        "pcie_gb_s": 32,
        "tdp_w": 150,
        "hourly_price_usd": Decimal("0.75"),
        "price_source": LAMBDA_CATALOG + ": gpu_1x_a10 $0.75/h." + LAMBDA_DATE_CAVEAT,
        "price_as_of": LAMBDA_PRICE_AS_OF,
        "datasheet_url": (
            "https://www.nvidia.com/content/dam/en-zz/Solutions/Data-Center/a10/pdf/"
            "a10-datasheet.pdf"
        ),
        "spec_notes": (
            "PCIe Gen4 x16 only. No FP8. Cross-checked: winston-zhang-orz/gpu-specs specs.md "
            "(600 GB/s, 31.2, TF32 62.5, BF16 125 dense / 250 sparse, INT8 250/500, INT4 "
            "500/1000, 150 W); astroC86/gpu-datasheet. Usable memory: 23028 MiB as nvidia-smi "
            "reports."
        ),
    },
    {
        "slug": "t4",
        "name": "NVIDIA T4",
        "vendor": "nvidia",
        "memory_gb": 16,
        "usable_memory_gib": 15360 / 1024,  # nvidia-smi total, MiB
        "memory_type": "GDDR6",
        "memory_bandwidth_gb_s": 320,
        "fp32_tflops": 8.1,
        "fp16_tflops": 65,
        "int8_tops": 130,
        "int4_tops": 260,
        "interconnect": "pcie",
        "interconnect_gb_s": 0,
        "pcie_gb_s": 16,
        "tdp_w": 70,
        "datasheet_url": (
            "https://www.nvidia.com/content/dam/en-zz/Solutions/Data-Center/tesla-t4/"
            "t4-tensor-core-datasheet-951643.pdf"
        ),
        "spec_notes": (
            "Datasheet says '320+ GB/s'. FP16 65 TFLOPS is mixed-precision tensor (Turing has "
            "no sparsity). No BF16, no TF32, no FP8. PCIe Gen3 x16. Partly cross-checked: "
            "winston-zhang-orz/gpu-specs (FP32 8.1, FP16 65, INT8 130, INT4 260, 70 W; it "
            "lists 300 GB/s). Usable memory: 15360 MiB as nvidia-smi reports."
        ),
    },
    {
        "slug": "v100-32gb",
        "name": "NVIDIA V100 SXM2 32GB",
        "vendor": "nvidia",
        "memory_gb": 32,
        "usable_memory_gib": 32768 / 1024,  # nvidia-smi total, MiB
        "memory_type": "HBM2",
        "memory_bandwidth_gb_s": 900,
        "fp32_tflops": 15.7,
        "fp16_tflops": 125,
        "interconnect": "nvlink",
        "interconnect_gb_s": 300,
        "pcie_gb_s": 16,
        "tdp_w": 300,
        "price_source": (
            "No price: Lambda's gpu_8x_v100 ($4.40/h = $0.55 per GPU) is the 16 GB V100, not "
            "this part."
        ),
        "datasheet_url": (
            "https://images.nvidia.com/content/technologies/volta/pdf/"
            "volta-v100-datasheet-update-us-1165301-r5.pdf"
        ),
        "spec_notes": (
            "Tensor 125 TFLOPS = FP16 with FP32 accumulate. No BF16, TF32 or FP8. NVLink 2, "
            "300 GB/s both directions; 8-GPU SXM2 boards (DGX-1) use a hybrid cube-mesh, not "
            "NVSwitch, so not every pair is directly linked. PCIe Gen3 x16. V100 PCIe: 14 FP32 "
            "/ 112 tensor / 250 W. Cross-checked: winston-zhang-orz/gpu-specs specs.md (15.7, "
            "125, 900 GB/s, 300 W). Usable memory: 32768 MiB as nvidia-smi reports."
        ),
    },
    {
        "slug": "rtx-3090",
        "name": "NVIDIA GeForce RTX 3090",
        "vendor": "nvidia",
        "memory_gb": 24,
        "usable_memory_gib": 24576 / 1024,  # nvidia-smi total, MiB
        "memory_type": "GDDR6X",
        "memory_bandwidth_gb_s": 936,
        "fp32_tflops": 35.6,
        "tf32_tflops": 35.6,
        "fp16_tflops": 71,
        "fp16_acc16_tflops": 142,
        "bf16_tflops": 71,
        "int8_tops": 284,
        "int4_tops": 568,
        "interconnect": "nvlink-bridge",
        "interconnect_gb_s": 112.5,
        "pcie_gb_s": 32,
        "tdp_w": 350,
        "datasheet_url": (
            "https://www.nvidia.com/content/PDF/nvidia-ampere-ga-102-gpu-architecture-"
            "whitepaper-v2.pdf"
        ),
        "spec_notes": (
            "FP16/BF16 tensor 71 TFLOPS with FP32 accumulate (GeForce runs FP32 accumulate at "
            "half rate; 142 with FP16 accumulate). NVLink 3 bridge for 2 cards, 112.5 GB/s "
            "both directions; PCIe Gen4 x16. Dense values from the GA102 whitepaper (not "
            "opened). Partly cross-checked: astroC86/gpu-datasheet (24 GB, 936 GB/s, 285 "
            "TOPS). Usable memory: 24576 MiB as nvidia-smi reports."
        ),
    },
    {
        "slug": "rtx-4090",
        "name": "NVIDIA GeForce RTX 4090",
        "vendor": "nvidia",
        "memory_gb": 24,
        "usable_memory_gib": 24564 / 1024,  # nvidia-smi total, MiB
        "memory_type": "GDDR6X",
        "memory_bandwidth_gb_s": 1008,
        "fp32_tflops": 82.6,
        "tf32_tflops": 82.6,
        "fp16_tflops": 165.2,
        "fp16_acc16_tflops": 330.3,
        "bf16_tflops": 165.2,
        "fp8_tflops": 330.3,
        "int8_tops": 660.6,
        "int4_tops": 1321.2,
        "interconnect": "pcie",
        "interconnect_gb_s": 0,
        "pcie_gb_s": 32,
        "tdp_w": 450,
        "datasheet_url": (
            "https://images.nvidia.com/aem-dam/Solutions/geforce/ada/"
            "nvidia-ada-gpu-architecture.pdf"
        ),
        "spec_notes": (
            "FP16/BF16/FP8 tensor figures are with FP32 accumulate (GeForce halves that rate); "
            "with FP16 accumulate FP16 is 330.3 dense. No NVLink: PCIe Gen4 x16. Dense values "
            "from the Ada whitepaper (not opened). Partly cross-checked: astroC86/gpu-datasheet "
            "(24 GB, 1 TB/s, 1321 TOPS); winston-zhang-orz/gpu-specs (1008 GB/s, 450 W). "
            "Usable memory: 24564 MiB as nvidia-smi reports."
        ),
    },
    {
        "slug": "rtx-5090",
        "name": "NVIDIA GeForce RTX 5090",
        "vendor": "nvidia",
        "memory_gb": 32,
        # nvidia-smi total: github.com/noonghunna/club-3090 issue #617 (driver 595.71.05).
        "usable_memory_gib": 32607 / 1024,
        "memory_type": "GDDR7",
        "memory_bandwidth_gb_s": 1792,
        "fp32_tflops": 104.8,
        # Not in gpus.csv. Dense, FP32 accumulate, like the RTX 4090 row: see spec_notes.
        "fp16_tflops": 209.5,
        "fp16_acc16_tflops": 419,
        "bf16_tflops": 209.5,
        "fp8_tflops": 419,
        "int8_tops": 838,
        "fp4_tflops": 1676,
        "interconnect": "pcie",
        "interconnect_gb_s": 0,
        "pcie_gb_s": 64,
        "tdp_w": 575,
        "datasheet_url": (
            "https://www.nvidia.com/en-us/geforce/graphics-cards/50-series/rtx-5090/#specs"
        ),
        "spec_notes": (
            "Tensor figures are NOT from gpus.csv (it has none) and the RTX Blackwell "
            "whitepaper was not opened. NVIDIA quotes 3,352 'AI TOPS' = FP4 with 2:4 "
            "sparsity, so FP4 dense = 1,676 and INT8 dense = 838 (derived). "
            "https://www.spheron.network/blog/nvidia-rtx-5090-specs/ lists FP16 tensor 838.4 "
            "and FP8 1,676.8 sparse (419 / 838 dense, FP16 accumulate). As for the RTX 4090 "
            "row, FP16/BF16/FP8 are stored with FP32 accumulate, which GeForce runs at half "
            "rate: FP16 209.5 dense, matching https://www.codesota.com/hardware/rtx-5090 "
            "('FP16 dense 209.5 TFLOPS'); FP8 419 is the same halving (assumption). TF32 and "
            "INT4 not collected. No NVLink: PCIe Gen5 x16. Partly cross-checked: "
            "astroC86/gpu-datasheet (32 GB, 1.79 TB/s, 3352 AI TOPS). Usable memory: 32607 MiB "
            "as nvidia-smi reports (noonghunna/club-3090 issue #617)."
        ),
    },
    {
        "slug": "mi300x",
        "name": "AMD Instinct MI300X (OAM)",
        "vendor": "amd",
        "memory_gb": 192,
        # rocm-smi "VRAM Total Memory (B)" (ROCm/legacy-rocm-build issue #4750); rocminfo
        # shows the same pool, 201310208 KB (issue #4414).
        "usable_memory_gib": 206141652992 / 2**30,
        "memory_type": "HBM3",
        "memory_bandwidth_gb_s": 5300,
        "fp32_tflops": 163.4,
        "tf32_tflops": 653.7,
        "fp16_tflops": 1307.4,
        "bf16_tflops": 1307.4,
        "fp8_tflops": 2614.9,
        "int8_tops": 2614.9,
        "interconnect": "infinity-fabric",
        "interconnect_gb_s": 896,
        "pcie_gb_s": 64,
        "tdp_w": 750,
        "datasheet_url": (
            "https://www.amd.com/content/dam/amd/en/documents/instinct-tech-docs/data-sheets/"
            "amd-instinct-mi300x-data-sheet.pdf"
        ),
        "spec_notes": "Efficiencies: measured, "
        + EFFICIENCY_SOURCE
        + ". "
        + (
            "Sparse figures are 2x the dense ones stored. FP32 163.4 is matrix (vector FP32 "
            "163.4 too). Infinity Fabric (xGMI), 7 links of 128 GB/s: 896 GB/s aggregate peer "
            "bandwidth both directions; PCIe Gen5 x16. Partly cross-checked: docs.vultr.com "
            "inference-cookbook (192 GB HBM3, 5.3 TB/s); MLPerf v4.1 "
            "closed/AMD/systems/8xMI300X_2xEPYC-9374F.json (750 W, XGMI, PCIe Gen5 x16); "
            "samuel-bohman/AI-benchmarking-guide measured up to ~1159 TFLOPS FP8 GEMM and "
            "~4.1 TB/s STREAM. Usable memory: 206141652992 bytes as rocm-smi reports "
            "(ROCm/legacy-rocm-build issues #4750 and #4414)."
        ),
        "compute_efficiency": 0.44,
        "bandwidth_efficiency": 0.8,
    },
    {
        "slug": "mi325x",
        "name": "AMD Instinct MI325X (OAM)",
        "vendor": "amd",
        "memory_gb": 256,
        "usable_memory_gib": 256e9 / 2**30,  # assumption: datasheet capacity
        "memory_type": "HBM3E",
        "memory_bandwidth_gb_s": 6000,
        "fp32_tflops": 163.4,
        "tf32_tflops": 653.7,
        "fp16_tflops": 1307.4,
        "bf16_tflops": 1307.4,
        "fp8_tflops": 2614.9,
        "int8_tops": 2614.9,
        "interconnect": "infinity-fabric",
        "interconnect_gb_s": 896,
        "pcie_gb_s": 64,
        "tdp_w": 1000,
        "datasheet_url": "https://www.amd.com/en/products/accelerators/instinct/mi300/mi325x.html",
        "spec_notes": "Efficiencies: MI300X measurements applied to the same CDNA 3 compute die, "
        + EFFICIENCY_SOURCE
        + ". "
        + (
            "Same CDNA3 compute as MI300X. Infinity Fabric (xGMI), 7 links, 896 GB/s both "
            "directions; PCIe Gen5 x16. Partly cross-checked: docs.vultr.com inference-cookbook "
            "(256 GB HBM3E, 6.0 TB/s, FP16 1,307 TFLOPS). Usable memory: assumption: datasheet "
            "capacity, 256 GB converted to GiB (no driver-reported total found). This is "
            "probably low: the MI300X's '192 GB' reports as 192 GiB."
        ),
        "compute_efficiency": 0.44,
        "bandwidth_efficiency": 0.8,
    },
    {
        "slug": "gaudi3",
        "name": "Intel Gaudi 3 (HL-325L OAM)",
        "vendor": "intel",
        "memory_gb": 128,
        "usable_memory_gib": 128e9 / 2**30,  # assumption: datasheet capacity
        "memory_type": "HBM2e",
        "memory_bandwidth_gb_s": 3700,
        "fp16_tflops": 1835,
        "bf16_tflops": 1835,
        "fp8_tflops": 1835,
        "interconnect": "ethernet",
        "interconnect_gb_s": 1200,
        "pcie_gb_s": 64,
        "tdp_w": 900,
        "datasheet_url": (
            "https://www.intel.com/content/www/us/en/products/details/processors/"
            "ai-accelerators/gaudi3.html"
        ),
        "spec_notes": (
            "BF16 and FP8 matrix (MME) both 1,835 TFLOPS, dense. 24x 200 GbE RoCE ports on the "
            "chip: 1,200 GB/s both directions per accelerator; PCIe Gen5 x16. Values as "
            "published by Intel, not cross-checked. FP32/TF32/INT8 not collected. Usable "
            "memory: assumption: datasheet capacity, 128 GB converted to GiB (no "
            "driver-reported total found); probably low if HBM is sized in GiB."
        ),
    },
]

# Section: open-weight models
#
# From data/models.csv. DeepSeek-V3 is in the csv but is left out: it uses multi-head
# latent attention (a compressed KV cache of 576 values per token per layer), which the
# estimator's KV-cache formula does not model.

LITGPT = (
    "Lightning-AI/litgpt litgpt/config.py @ 26857050fe3ff627cd714fe92f5838f51a3d5efa (each "
    "entry cites the model's Hugging Face config.json URL; litgpt names: n_embd = "
    "hidden_size, n_query_groups = KV heads, padded_vocab_size = vocab_size, block_size = "
    "max_position_embeddings)"
)
TOLD_NOT_REREAD = "(figure supplied with the task; not re-read in this session)"
LLAMA4_VISION_EXTRA = (
    "extra_params 871,932,416 is DERIVED: the vision encoder (850,960,896) plus the "
    "multi-modal projector (20,971,520), counted from transformers' Llama4VisionModel "
    "modules (huggingface/transformers src/transformers/models/llama4/modeling_llama4.py: "
    "patch embedding 588x1408, class and 577 position embeddings, two LayerNorms, 34 "
    "pre-norm layers with biased q/k/v/o and fc1/fc2 of 1408x5632, the pixel-shuffle "
    "adapter 5632x4096 and 4096x4096, the projector 4096x5120, these three without bias) "
    "with the checkpoints' vision_config: hidden 1408, intermediate 5632, 34 layers, image "
    "336, patch 14, projector 4096 (as copied in NVIDIA/TensorRT-LLM "
    "tests/unittest/_torch/modeling/test_modeling_llama_min_latency.py). Llama4VisionConfig's "
    "class defaults match except hidden_size (768) and vision_output_dim (7680)."
)

MODELS = [
    {
        "slug": "llama-2-7b",
        "name": "Llama 2 7B",
        "family": "Llama 2",
        "hf_repo": "meta-llama/Llama-2-7b-hf",
        "hidden_size": 4096,
        "num_layers": 32,
        "num_attention_heads": 32,
        "num_kv_heads": 32,
        "head_dim": 128,
        "intermediate_size": 11008,
        "vocab_size": 32000,
        "max_context": 4096,
        "official_params": 6_740_000_000,
        "official_params_source": (
            "6.74B: the Hugging Face safetensors total for meta-llama/Llama-2-7b-hf "
            + TOLD_NOT_REREAD
            + "; llama.cpp model metadata also says '6.74 B' (models.csv). Meta calls it 7B."
        ),
        "config_source": LITGPT,
        "notes": (
            "MHA; RMSNorm; SwiGLU; rope_theta 10000. hidden/heads/max_position from litgpt "
            "defaults; tie_word_embeddings false is the HF config value (not re-read)."
        ),
    },
    {
        "slug": "llama-2-13b",
        "name": "Llama 2 13B",
        "family": "Llama 2",
        "hf_repo": "meta-llama/Llama-2-13b-hf",
        "hidden_size": 5120,
        "num_layers": 40,
        "num_attention_heads": 40,
        "num_kv_heads": 40,
        "head_dim": 128,
        "intermediate_size": 13824,
        "vocab_size": 32000,
        "max_context": 4096,
        "official_params": 13_000_000_000,
        "official_params_source": (
            "13B: Meta's model name, rounded; no more precise published total was read. The "
            "dimensions give 13.016B (models.csv, derived)."
        ),
        "config_source": LITGPT,
        "notes": "MHA. tie_word_embeddings false not re-read.",
    },
    {
        "slug": "llama-2-70b",
        "name": "Llama 2 70B",
        "family": "Llama 2",
        "hf_repo": "meta-llama/Llama-2-70b-hf",
        "hidden_size": 8192,
        "num_layers": 80,
        "num_attention_heads": 64,
        "num_kv_heads": 8,
        "head_dim": 128,
        "intermediate_size": 28672,
        "vocab_size": 32000,
        "max_context": 4096,
        "official_params": 68_980_000_000,
        "official_params_source": (
            "68.98B: the Hugging Face safetensors total for meta-llama/Llama-2-70b-hf "
            + TOLD_NOT_REREAD
            + ". Meta rounds it to '70B'; the dimensions give 68.977B (models.csv, derived)."
        ),
        "config_source": LITGPT,
        "notes": "GQA with 8 KV heads. tie_word_embeddings false not re-read.",
    },
    {
        "slug": "llama-3-8b",
        "name": "Llama 3 8B",
        "family": "Llama 3",
        "hf_repo": "meta-llama/Meta-Llama-3-8B",
        "hidden_size": 4096,
        "num_layers": 32,
        "num_attention_heads": 32,
        "num_kv_heads": 8,
        "head_dim": 128,
        "intermediate_size": 14336,
        "vocab_size": 128256,
        "max_context": 8192,
        "official_params": 8_030_000_000,
        "official_params_source": (
            "8.03B: the Hugging Face safetensors total for meta-llama/Meta-Llama-3-8B "
            + TOLD_NOT_REREAD
            + ". Meta calls it 8B; the dimensions give 8.030B (models.csv, derived)."
        ),
        "config_source": LITGPT,
        "notes": "GQA; rope_theta 500000. tie_word_embeddings false not re-read.",
    },
    {
        "slug": "llama-3-70b",
        "name": "Llama 3 70B",
        "family": "Llama 3",
        "hf_repo": "meta-llama/Meta-Llama-3-70B",
        "hidden_size": 8192,
        "num_layers": 80,
        "num_attention_heads": 64,
        "num_kv_heads": 8,
        "head_dim": 128,
        "intermediate_size": 28672,
        "vocab_size": 128256,
        "max_context": 8192,
        "official_params": 70_550_000_000,
        "official_params_source": (
            "70.55B: the Hugging Face safetensors total for meta-llama/Meta-Llama-3-70B "
            + TOLD_NOT_REREAD
            + ". Meta calls it 70B; the dimensions give 70.554B (models.csv, derived)."
        ),
        "config_source": LITGPT,
        "notes": "GQA; rope_theta 500000.",
    },
    {
        "slug": "llama-3.1-8b",
        "name": "Llama 3.1 8B",
        "family": "Llama 3.1",
        "hf_repo": "meta-llama/Llama-3.1-8B",
        "hidden_size": 4096,
        "num_layers": 32,
        "num_attention_heads": 32,
        "num_kv_heads": 8,
        "head_dim": 128,
        "intermediate_size": 14336,
        "vocab_size": 128256,
        "max_context": 131072,
        "official_params": 8_030_000_000,
        "official_params_source": (
            "8.03B: same architecture and count as Llama 3 8B (the Hugging Face safetensors "
            "total " + TOLD_NOT_REREAD + "). Meta calls it 8B."
        ),
        "config_source": LITGPT,
        "notes": (
            "rope_scaling llama3, factor 8, original context 8192. The repo was "
            "meta-llama/Meta-Llama-3.1-8B before its rename."
        ),
    },
    {
        "slug": "llama-3.1-70b",
        "name": "Llama 3.1 70B",
        "family": "Llama 3.1",
        "hf_repo": "meta-llama/Llama-3.1-70B",
        "hidden_size": 8192,
        "num_layers": 80,
        "num_attention_heads": 64,
        "num_kv_heads": 8,
        "head_dim": 128,
        "intermediate_size": 28672,
        "vocab_size": 128256,
        "max_context": 131072,
        "official_params": 70_550_000_000,
        "official_params_source": (
            "70.55B: same architecture and count as Llama 3 70B (the Hugging Face safetensors "
            "total " + TOLD_NOT_REREAD + "). Meta calls it 70B."
        ),
        "config_source": LITGPT,
        "notes": "rope_scaling llama3, factor 8.",
    },
    {
        "slug": "llama-3.1-405b",
        "name": "Llama 3.1 405B",
        "family": "Llama 3.1",
        "hf_repo": "meta-llama/Llama-3.1-405B",
        "hidden_size": 16384,
        "num_layers": 126,
        "num_attention_heads": 128,
        "num_kv_heads": 8,
        "head_dim": 128,
        "intermediate_size": 53248,
        "vocab_size": 128256,
        "max_context": 131072,
        "official_params": 405_850_000_000,
        "official_params_source": (
            "405.85B: the Hugging Face safetensors total for meta-llama/Llama-3.1-405B "
            + TOLD_NOT_REREAD
            + ". Meta calls it 405B; the dimensions give 405.853B (models.csv, derived)."
        ),
        "config_source": LITGPT,
        "notes": "rope_scaling llama3, factor 8.",
    },
    {
        "slug": "llama-3.2-1b",
        "name": "Llama 3.2 1B",
        "family": "Llama 3.2",
        "hf_repo": "meta-llama/Llama-3.2-1B",
        "hidden_size": 2048,
        "num_layers": 16,
        "num_attention_heads": 32,
        "num_kv_heads": 8,
        "head_dim": 64,
        "intermediate_size": 8192,
        "vocab_size": 128256,
        "max_context": 131072,
        "tie_word_embeddings": True,
        "official_params": 1_240_000_000,
        "official_params_source": (
            "1.24B: the Hugging Face safetensors total for meta-llama/Llama-3.2-1B "
            + TOLD_NOT_REREAD
            + ". Meta's model card says 1.23B; the dimensions give 1.236B (models.csv, "
            "derived)."
        ),
        "config_source": (
            LITGPT + "; head_dim 64 and tie_word_embeddings true read in the full HF config "
            "dict vendored in kevinstephano/thunder_model_blocks "
            "thunder_model_blocks/hf_llama/llama_config.py"
        ),
        "notes": "Explicit head_dim 64 (not hidden/heads); rope factor 32; tied embeddings.",
    },
    {
        "slug": "llama-3.2-3b",
        "name": "Llama 3.2 3B",
        "family": "Llama 3.2",
        "hf_repo": "meta-llama/Llama-3.2-3B",
        "hidden_size": 3072,
        "num_layers": 28,
        "num_attention_heads": 24,
        "num_kv_heads": 8,
        "head_dim": 128,
        "intermediate_size": 8192,
        "vocab_size": 128256,
        "max_context": 131072,
        "tie_word_embeddings": True,
        "official_params": 3_210_000_000,
        "official_params_source": (
            "3.21B: the Hugging Face safetensors total for meta-llama/Llama-3.2-3B "
            + TOLD_NOT_REREAD
            + ". Meta calls it 3B; the dimensions give 3.213B (models.csv, derived)."
        ),
        "config_source": LITGPT,
        "notes": "rope factor 32. tie_word_embeddings true is the HF config value (not re-read).",
    },
    {
        "slug": "llama-3.3-70b",
        "name": "Llama 3.3 70B",
        "family": "Llama 3.3",
        "hf_repo": "meta-llama/Llama-3.3-70B-Instruct",
        "hidden_size": 8192,
        "num_layers": 80,
        "num_attention_heads": 64,
        "num_kv_heads": 8,
        "head_dim": 128,
        "intermediate_size": 28672,
        "vocab_size": 128256,
        "max_context": 131072,
        "official_params": 70_550_000_000,
        "official_params_source": (
            "70.55B: same architecture and count as Llama 3.1 70B (the Hugging Face "
            "safetensors total " + TOLD_NOT_REREAD + "). Meta calls it 70B."
        ),
        "config_source": LITGPT,
        "notes": "Same architecture as Llama 3.1 70B; released as Instruct only.",
    },
    {
        "slug": "llama-4-scout-17b-16e",
        "name": "Llama 4 Scout 17B-16E",
        "family": "Llama 4",
        "hf_repo": "meta-llama/Llama-4-Scout-17B-16E-Instruct",
        "hidden_size": 5120,
        "num_layers": 48,
        "num_attention_heads": 40,
        "num_kv_heads": 8,
        "head_dim": 128,
        "intermediate_size": 16384,
        "vocab_size": 202048,
        "max_context": 10485760,
        "num_experts": 16,
        "experts_per_token": 1,
        "moe_intermediate_size": 8192,
        "shared_experts": 1,
        "moe_layer_step": 1,
        "extra_params": 871_932_416,
        "official_params": 109_000_000_000,
        "official_params_source": (
            "109B total including the vision encoder (17B active): Hugging Face's Llama 4 "
            "release blog ('~109B'; huggingface/blog). Our own count from the listed "
            "dimensions is 107.77B text + 0.87B vision = 108.64B (derived)."
        ),
        "config_source": (
            "huggingface/transformers src/transformers/models/llama4/configuration_llama4.py "
            "(Llama4TextConfig defaults = Scout; docstring checkpoint "
            "meta-llama/Llama-4-Scout-17B-16E); max_context from max_context_length() in "
            "src/transformers/models/llama4/convert_llama4_weights_to_hf.py"
        ),
        "notes": (
            "Text config (text_config of the multimodal checkpoint). Every layer is MoE "
            "(interleave_moe_layer_step 1): 16 routed experts, 1 per token, plus 1 shared "
            "expert, each 8192 wide (intermediate_size); intermediate_size_mlp 16384 is the "
            "dense-FFN width stored here, unused by Scout's all-MoE layers. Chunked attention "
            "(8192 tokens) with a NoPE layer every 4th layer: the estimator treats it as full "
            "attention. max_context 10485760 (10M) is Meta's advertised context and what "
            "transformers' conversion script writes for the 16E Instruct checkpoint; the base "
            "checkpoint is converted with 262144 and the Llama4TextConfig class default is "
            "131072. " + LLAMA4_VISION_EXTRA
        ),
    },
    {
        "slug": "llama-4-maverick-17b-128e",
        "name": "Llama 4 Maverick 17B-128E",
        "family": "Llama 4",
        "hf_repo": "meta-llama/Llama-4-Maverick-17B-128E-Instruct",
        "hidden_size": 5120,
        "num_layers": 48,
        "num_attention_heads": 40,
        "num_kv_heads": 8,
        "head_dim": 128,
        "intermediate_size": 16384,
        "vocab_size": 202048,
        "max_context": 1048576,
        "num_experts": 128,
        "experts_per_token": 1,
        "moe_intermediate_size": 8192,
        "shared_experts": 1,
        "moe_layer_step": 2,
        "extra_params": 871_932_416,
        "official_params": 400_000_000_000,
        "official_params_source": (
            "~400B total including the vision encoder (17B active): Hugging Face's Llama 4 "
            "release blog (huggingface/blog), rounded. Our own count from the listed "
            "dimensions is 400.71B text + 0.87B vision = 401.58B (derived)."
        ),
        "config_source": (
            "NVIDIA/TensorRT-LLM tests/unittest/_torch/modeling/"
            "test_modeling_llama_min_latency.py (LLAMA_4_MAVERICK_TWO_LAYER_CONFIG: the "
            "Maverick config with layers cut from 48 to 2: hidden 5120, 40 heads, 8 KV heads, "
            "head_dim 128, 128 local experts, 1 per token, intermediate_size 8192, "
            "intermediate_size_mlp 16384, interleave_moe_layer_step 2, "
            "max_position_embeddings 1048576, vocab 202048); max_context also from "
            "max_context_length() in huggingface/transformers "
            "src/transformers/models/llama4/convert_llama4_weights_to_hf.py"
        ),
        "notes": (
            "Text config. MoE every other layer (interleave_moe_layer_step 2; the odd layers "
            "by 0-based index): 128 routed experts, 1 per token, plus 1 shared expert, each "
            "8192 wide; the other 24 layers are dense with 16384-wide FFNs. The Maverick "
            "config.json itself was not read (models.csv marks the row partly verified; the "
            "TensorRT-LLM test config now confirms the dimensions). max_context 1048576 (1M) "
            "is Meta's advertised context and the Instruct checkpoint's; the base checkpoint "
            "is converted with 262144 and the class default is 131072. " + LLAMA4_VISION_EXTRA
        ),
    },
    {
        "slug": "mistral-7b",
        "name": "Mistral 7B",
        "family": "Mistral",
        "hf_repo": "mistralai/Mistral-7B-v0.1",
        "hidden_size": 4096,
        "num_layers": 32,
        "num_attention_heads": 32,
        "num_kv_heads": 8,
        "head_dim": 128,
        "intermediate_size": 14336,
        "vocab_size": 32000,
        "max_context": 32768,
        "official_params": 7_240_000_000,
        "official_params_source": (
            "7.24B: the Hugging Face safetensors total for mistralai/Mistral-7B-v0.1 "
            + TOLD_NOT_REREAD
            + ". Mistral's announcement says 7.3B; the dimensions give 7.242B (models.csv, "
            "derived)."
        ),
        "config_source": LITGPT + " (litgpt comment: block_size 'should be 32768')",
        "notes": (
            "Sliding-window attention of 4096 tokens (the KV cache need not grow past it; the "
            "estimator treats it as full attention); rope_theta 10000."
        ),
    },
    {
        "slug": "mixtral-8x7b",
        "name": "Mixtral 8x7B",
        "family": "Mixtral",
        "hf_repo": "mistralai/Mixtral-8x7B-v0.1",
        "hidden_size": 4096,
        "num_layers": 32,
        "num_attention_heads": 32,
        "num_kv_heads": 8,
        "head_dim": 128,
        "intermediate_size": 14336,
        "vocab_size": 32000,
        "max_context": 32768,
        "num_experts": 8,
        "experts_per_token": 2,
        "moe_intermediate_size": 14336,
        "official_params": 46_700_000_000,
        "official_params_source": (
            "46.7B total, 12.9B active: Mistral's Mixtral announcement (not re-read); the "
            "dimensions give 46.703B (models.csv, derived: all 8 experts and the router)."
        ),
        "config_source": LITGPT,
        "notes": "Every layer is MoE, no shared expert; rope_theta 1e6.",
    },
    {
        "slug": "qwen2.5-7b",
        "name": "Qwen2.5 7B",
        "family": "Qwen2.5",
        "hf_repo": "Qwen/Qwen2.5-7B",
        "hidden_size": 3584,
        "num_layers": 28,
        "num_attention_heads": 28,
        "num_kv_heads": 4,
        "head_dim": 128,
        "intermediate_size": 18944,
        "vocab_size": 152064,
        "max_context": 131072,
        "qkv_bias": True,
        "official_params": 7_610_000_000,
        "official_params_source": (
            "7.61B: Qwen's published total for Qwen2.5-7B (models.csv); the dimensions give "
            "7.616B (derived)."
        ),
        "config_source": LITGPT,
        "notes": (
            "Bias on the q/k/v projections; rope_theta 1e6. max_context 131072 is the base "
            "model's config; the Instruct config uses 32768 (longer with YaRN). "
            "tie_word_embeddings false not re-read."
        ),
    },
    {
        "slug": "qwen2.5-72b",
        "name": "Qwen2.5 72B",
        "family": "Qwen2.5",
        "hf_repo": "Qwen/Qwen2.5-72B",
        "hidden_size": 8192,
        "num_layers": 80,
        "num_attention_heads": 64,
        "num_kv_heads": 8,
        "head_dim": 128,
        "intermediate_size": 29568,
        "vocab_size": 152064,
        "max_context": 131072,
        "qkv_bias": True,
        "official_params": 72_700_000_000,
        "official_params_source": (
            "72.7B: Qwen's published total for Qwen2.5-72B (models.csv); the dimensions give "
            "72.706B (derived)."
        ),
        "config_source": LITGPT,
        "notes": (
            "Bias on the q/k/v projections; rope_theta 1e6. max_context 131072 is the base "
            "model's config; the Instruct config uses 32768 (longer with YaRN)."
        ),
    },
]

# Section: API offerings
#
# From data/api_prices.csv: every row whose status is "still listed at this price" in
# tokencost at 2025-09-05. Left out: rows "superseded by a later row", and the Groq
# "Llama 3.1 405B (preview)" row (groq/llama-3.1-405b-reasoning), flagged SUSPECT in the
# csv: its price is the 70B one and 405B was never generally available on Groq.
# Dated snapshots that an alias row already covers are seeded inactive.

TOKENCOST = (
    "AgentOps-AI/tokencost tokencost/model_prices.json (auto-synced from "
    "BerriAI/litellm model_prices_and_context_window.json) @ commit "
)
DATE_MEANING = (
    "price_as_of is the first date this price appears in the tokencost history (the "
    "tokencost commit date), NOT the provider's announcement date; the history starts "
    "2024-01-30, so older prices show that date. Still listed at this price in tokencost "
    "at 2025-09-05."
)

API_OFFERINGS = [
    {
        "slug": "openai-gpt-3.5-turbo",
        "provider": "OpenAI",
        "name": "GPT-3.5 Turbo (0125 snapshot)",
        "api_model_id": "gpt-3.5-turbo-0125",
        "llm_model": None,
        "input_usd_per_1m": Decimal("0.5"),
        "output_usd_per_1m": Decimal("1.5"),
        "price_as_of": datetime.date(2024, 3, 25),
        "price_source": TOKENCOST + "5f7464ceae7c",
        "notes": "The current gpt-3.5-turbo snapshot." + " " + DATE_MEANING,
    },
    {
        "slug": "openai-gpt-3.5-turbo-0301",
        "provider": "OpenAI",
        "name": "GPT-3.5 Turbo (0301 snapshot)",
        "api_model_id": "gpt-3.5-turbo-0301",
        "llm_model": None,
        "input_usd_per_1m": Decimal("1.5"),
        "output_usd_per_1m": Decimal("2.0"),
        "price_as_of": datetime.date(2024, 1, 30),
        "price_source": TOKENCOST + "f38877f45073",
        "notes": "Older dated snapshot; openai-gpt-3.5-turbo is the current one."
        + " "
        + DATE_MEANING,
        "is_active": False,
    },
    {
        "slug": "openai-gpt-3.5-turbo-0613",
        "provider": "OpenAI",
        "name": "GPT-3.5 Turbo (0613 snapshot)",
        "api_model_id": "gpt-3.5-turbo-0613",
        "llm_model": None,
        "input_usd_per_1m": Decimal("1.5"),
        "output_usd_per_1m": Decimal("2.0"),
        "price_as_of": datetime.date(2024, 1, 30),
        "price_source": TOKENCOST + "f38877f45073",
        "notes": "Older dated snapshot; openai-gpt-3.5-turbo is the current one."
        + " "
        + DATE_MEANING,
        "is_active": False,
    },
    {
        "slug": "openai-gpt-3.5-turbo-1106",
        "provider": "OpenAI",
        "name": "GPT-3.5 Turbo (1106 snapshot)",
        "api_model_id": "gpt-3.5-turbo-1106",
        "llm_model": None,
        "input_usd_per_1m": Decimal("1.0"),
        "output_usd_per_1m": Decimal("2.0"),
        "price_as_of": datetime.date(2024, 1, 30),
        "price_source": TOKENCOST + "f38877f45073",
        "notes": "Older dated snapshot; openai-gpt-3.5-turbo is the current one."
        + " "
        + DATE_MEANING,
        "is_active": False,
    },
    {
        "slug": "openai-gpt-4o",
        "provider": "OpenAI",
        "name": "GPT-4o",
        "api_model_id": "gpt-4o",
        "llm_model": None,
        "input_usd_per_1m": Decimal("2.5"),
        "output_usd_per_1m": Decimal("10.0"),
        "price_as_of": datetime.date(2024, 11, 15),
        "price_source": TOKENCOST + "144893975241",
        "notes": "The alias, repriced when it moved to the 2024-08-06 snapshot "
        "(was 5.0 / 15.0 from 2024-05-14)." + " " + DATE_MEANING,
    },
    {
        "slug": "openai-gpt-4o-2024-05-13",
        "provider": "OpenAI",
        "name": "GPT-4o (2024-05-13 snapshot)",
        "api_model_id": "gpt-4o-2024-05-13",
        "llm_model": None,
        "input_usd_per_1m": Decimal("5.0"),
        "output_usd_per_1m": Decimal("15.0"),
        "price_as_of": datetime.date(2024, 5, 14),
        "price_source": TOKENCOST + "d9f3f38cef34",
        "notes": "Older dated snapshot at the launch price; openai-gpt-4o is the alias."
        + " "
        + DATE_MEANING,
        "is_active": False,
    },
    {
        "slug": "openai-gpt-4o-2024-08-06",
        "provider": "OpenAI",
        "name": "GPT-4o (2024-08-06 snapshot)",
        "api_model_id": "gpt-4o-2024-08-06",
        "llm_model": None,
        "input_usd_per_1m": Decimal("2.5"),
        "output_usd_per_1m": Decimal("10.0"),
        "price_as_of": datetime.date(2024, 9, 6),
        "price_source": TOKENCOST + "6578d42031f5",
        "notes": "Dated snapshot behind the gpt-4o alias, same price; openai-gpt-4o is the alias."
        + " "
        + DATE_MEANING,
        "is_active": False,
    },
    {
        "slug": "openai-gpt-4o-mini",
        "provider": "OpenAI",
        "name": "GPT-4o mini",
        "api_model_id": "gpt-4o-mini",
        "llm_model": None,
        "input_usd_per_1m": Decimal("0.15"),
        "output_usd_per_1m": Decimal("0.6"),
        "price_as_of": datetime.date(2024, 7, 18),
        "price_source": TOKENCOST + "e194a77c0411",
        "notes": DATE_MEANING,
    },
    {
        "slug": "openai-gpt-4.1",
        "provider": "OpenAI",
        "name": "GPT-4.1",
        "api_model_id": "gpt-4.1",
        "llm_model": None,
        "input_usd_per_1m": Decimal("2.0"),
        "output_usd_per_1m": Decimal("8.0"),
        "price_as_of": datetime.date(2025, 5, 7),
        "price_source": TOKENCOST + "30c32a6ec32a",
        "notes": DATE_MEANING,
    },
    {
        "slug": "anthropic-claude-3-haiku",
        "provider": "Anthropic",
        "name": "Claude 3 Haiku",
        "api_model_id": "claude-3-haiku-20240307",
        "llm_model": None,
        "input_usd_per_1m": Decimal("0.25"),
        "output_usd_per_1m": Decimal("1.25"),
        "price_as_of": datetime.date(2024, 3, 25),
        "price_source": TOKENCOST + "5f7464ceae7c",
        "notes": DATE_MEANING,
    },
    {
        "slug": "anthropic-claude-3-opus",
        "provider": "Anthropic",
        "name": "Claude 3 Opus",
        "api_model_id": "claude-3-opus-20240229",
        "llm_model": None,
        "input_usd_per_1m": Decimal("15.0"),
        "output_usd_per_1m": Decimal("75.0"),
        "price_as_of": datetime.date(2024, 3, 25),
        "price_source": TOKENCOST + "5f7464ceae7c",
        "notes": DATE_MEANING,
    },
    {
        "slug": "anthropic-claude-3.5-sonnet",
        "provider": "Anthropic",
        "name": "Claude 3.5 Sonnet (2024-06-20)",
        "api_model_id": "claude-3-5-sonnet-20240620",
        "llm_model": None,
        "input_usd_per_1m": Decimal("3.0"),
        "output_usd_per_1m": Decimal("15.0"),
        "price_as_of": datetime.date(2024, 6, 24),
        "price_source": TOKENCOST + "d4411a27a8b6",
        "notes": DATE_MEANING,
    },
    {
        "slug": "anthropic-claude-3.5-haiku",
        "provider": "Anthropic",
        "name": "Claude 3.5 Haiku",
        "api_model_id": "claude-3-5-haiku-20241022",
        "llm_model": None,
        "input_usd_per_1m": Decimal("0.8"),
        "output_usd_per_1m": Decimal("4.0"),
        "price_as_of": datetime.date(2025, 3, 1),
        "price_source": TOKENCOST + "acd143ac6761",
        "notes": "Was 1.0 / 5.0 from 2024-11-08." + " " + DATE_MEANING,
    },
    {
        "slug": "anthropic-claude-sonnet-4",
        "provider": "Anthropic",
        "name": "Claude Sonnet 4",
        "api_model_id": "claude-sonnet-4-20250514",
        "llm_model": None,
        "input_usd_per_1m": Decimal("3.0"),
        "output_usd_per_1m": Decimal("15.0"),
        "price_as_of": datetime.date(2025, 5, 22),
        "price_source": TOKENCOST + "96f40c687d57",
        "notes": DATE_MEANING,
    },
    {
        "slug": "anthropic-claude-opus-4",
        "provider": "Anthropic",
        "name": "Claude Opus 4",
        "api_model_id": "claude-opus-4-20250514",
        "llm_model": None,
        "input_usd_per_1m": Decimal("15.0"),
        "output_usd_per_1m": Decimal("75.0"),
        "price_as_of": datetime.date(2025, 5, 22),
        "price_source": TOKENCOST + "96f40c687d57",
        "notes": DATE_MEANING,
    },
    {
        "slug": "google-gemini-1.5-pro",
        "provider": "Google (Gemini API)",
        "name": "Gemini 1.5 Pro",
        "api_model_id": "gemini/gemini-1.5-pro",
        "llm_model": None,
        "input_usd_per_1m": Decimal("3.5"),
        "output_usd_per_1m": Decimal("10.5"),
        "price_as_of": datetime.date(2024, 7, 18),
        "price_source": TOKENCOST + "e194a77c0411",
        "notes": "litellm lists one tier; Google priced prompts up to and over 128k tokens "
        "differently." + " " + DATE_MEANING,
    },
    {
        "slug": "google-gemini-1.5-flash",
        "provider": "Google (Gemini API)",
        "name": "Gemini 1.5 Flash",
        "api_model_id": "gemini/gemini-1.5-flash",
        "llm_model": None,
        "input_usd_per_1m": Decimal("0.075"),
        "output_usd_per_1m": Decimal("0.3"),
        "price_as_of": datetime.date(2024, 10, 13),
        "price_source": TOKENCOST + "74a4d5604d1a",
        "notes": "Presumably the tier for prompts up to 128k tokens." + " " + DATE_MEANING,
    },
    {
        "slug": "google-gemini-2.0-flash",
        "provider": "Google (Gemini API)",
        "name": "Gemini 2.0 Flash",
        "api_model_id": "gemini/gemini-2.0-flash",
        "llm_model": None,
        "input_usd_per_1m": Decimal("0.1"),
        "output_usd_per_1m": Decimal("0.4"),
        "price_as_of": datetime.date(2025, 2, 11),
        "price_source": TOKENCOST + "aa1253a64699",
        "notes": DATE_MEANING,
    },
    {
        "slug": "google-gemini-2.5-pro",
        "provider": "Google (Gemini API)",
        "name": "Gemini 2.5 Pro",
        "api_model_id": "gemini/gemini-2.5-pro",
        "llm_model": None,
        "input_usd_per_1m": Decimal("1.25"),
        "output_usd_per_1m": Decimal("10.0"),
        "price_as_of": datetime.date(2025, 6, 19),
        "price_source": TOKENCOST + "3aa1f06df7b2",
        "notes": "The tier for prompts up to 200k tokens." + " " + DATE_MEANING,
    },
    {
        "slug": "google-gemini-2.5-flash",
        "provider": "Google (Gemini API)",
        "name": "Gemini 2.5 Flash",
        "api_model_id": "gemini/gemini-2.5-flash",
        "llm_model": None,
        "input_usd_per_1m": Decimal("0.3"),
        "output_usd_per_1m": Decimal("2.5"),
        "price_as_of": datetime.date(2025, 6, 20),
        "price_source": TOKENCOST + "d31e96e2ecb1",
        "notes": DATE_MEANING,
    },
    {
        "slug": "together-llama-3.1-405b",
        "provider": "Together AI",
        "name": "Llama 3.1 405B Instruct Turbo",
        "api_model_id": "together_ai/meta-llama/Meta-Llama-3.1-405B-Instruct-Turbo",
        "llm_model": "llama-3.1-405b",
        "input_usd_per_1m": Decimal("3.5"),
        "output_usd_per_1m": Decimal("3.5"),
        "price_as_of": datetime.date(2025, 1, 13),
        "price_source": TOKENCOST + "226b3329b0de",
        "notes": "Together's Turbo endpoints serve FP8 weights." + " " + DATE_MEANING,
    },
    {
        "slug": "together-llama-3.1-70b",
        "provider": "Together AI",
        "name": "Llama 3.1 70B Instruct Turbo",
        "api_model_id": "together_ai/meta-llama/Meta-Llama-3.1-70B-Instruct-Turbo",
        "llm_model": "llama-3.1-70b",
        "input_usd_per_1m": Decimal("0.88"),
        "output_usd_per_1m": Decimal("0.88"),
        "price_as_of": datetime.date(2025, 1, 13),
        "price_source": TOKENCOST + "226b3329b0de",
        "notes": "Together's Turbo endpoints serve FP8 weights." + " " + DATE_MEANING,
    },
    {
        "slug": "together-llama-3.1-8b",
        "provider": "Together AI",
        "name": "Llama 3.1 8B Instruct Turbo",
        "api_model_id": "together_ai/meta-llama/Meta-Llama-3.1-8B-Instruct-Turbo",
        "llm_model": "llama-3.1-8b",
        "input_usd_per_1m": Decimal("0.18"),
        "output_usd_per_1m": Decimal("0.18"),
        "price_as_of": datetime.date(2025, 1, 13),
        "price_source": TOKENCOST + "226b3329b0de",
        "notes": "Together's Turbo endpoints serve FP8 weights." + " " + DATE_MEANING,
    },
    {
        "slug": "together-llama-3.3-70b",
        "provider": "Together AI",
        "name": "Llama 3.3 70B Instruct Turbo",
        "api_model_id": "together_ai/meta-llama/Llama-3.3-70B-Instruct-Turbo",
        "llm_model": "llama-3.3-70b",
        "input_usd_per_1m": Decimal("0.88"),
        "output_usd_per_1m": Decimal("0.88"),
        "price_as_of": datetime.date(2025, 2, 11),
        "price_source": TOKENCOST + "aa1253a64699",
        "notes": "Together's Turbo endpoints serve FP8 weights." + " " + DATE_MEANING,
    },
    {
        "slug": "fireworks-llama-3.1-405b",
        "provider": "Fireworks AI",
        "name": "Llama 3.1 405B Instruct",
        "api_model_id": "fireworks_ai/accounts/fireworks/models/llama-v3p1-405b-instruct",
        "llm_model": "llama-3.1-405b",
        "input_usd_per_1m": Decimal("3.0"),
        "output_usd_per_1m": Decimal("3.0"),
        "price_as_of": datetime.date(2025, 5, 7),
        "price_source": TOKENCOST + "30c32a6ec32a",
        "notes": DATE_MEANING,
    },
    {
        "slug": "fireworks-llama-3.1-8b",
        "provider": "Fireworks AI",
        "name": "Llama 3.1 8B Instruct",
        "api_model_id": "fireworks_ai/accounts/fireworks/models/llama-v3p1-8b-instruct",
        "llm_model": "llama-3.1-8b",
        "input_usd_per_1m": Decimal("0.1"),
        "output_usd_per_1m": Decimal("0.1"),
        "price_as_of": datetime.date(2025, 2, 11),
        "price_source": TOKENCOST + "aa1253a64699",
        "notes": DATE_MEANING,
    },
    {
        "slug": "groq-llama-3-70b",
        "provider": "Groq",
        "name": "Llama 3 70B (8k)",
        "api_model_id": "groq/llama3-70b-8192",
        "llm_model": "llama-3-70b",
        "input_usd_per_1m": Decimal("0.59"),
        "output_usd_per_1m": Decimal("0.79"),
        "price_as_of": datetime.date(2024, 6, 30),
        "price_source": TOKENCOST + "49a9c6f716ca",
        "notes": "Was 0.64 / 0.80 from 2024-04-22." + " " + DATE_MEANING,
    },
    {
        "slug": "groq-llama-3-8b",
        "provider": "Groq",
        "name": "Llama 3 8B (8k)",
        "api_model_id": "groq/llama3-8b-8192",
        "llm_model": "llama-3-8b",
        "input_usd_per_1m": Decimal("0.05"),
        "output_usd_per_1m": Decimal("0.08"),
        "price_as_of": datetime.date(2024, 6, 30),
        "price_source": TOKENCOST + "49a9c6f716ca",
        "notes": "Was 0.10 / 0.10 from 2024-04-22." + " " + DATE_MEANING,
    },
    {
        "slug": "groq-llama-3.1-70b",
        "provider": "Groq",
        "name": "Llama 3.1 70B Versatile",
        "api_model_id": "groq/llama-3.1-70b-versatile",
        "llm_model": "llama-3.1-70b",
        "input_usd_per_1m": Decimal("0.59"),
        "output_usd_per_1m": Decimal("0.79"),
        "price_as_of": datetime.date(2024, 7, 25),
        "price_source": TOKENCOST + "0deb7c4bd167",
        "notes": DATE_MEANING,
    },
    {
        "slug": "groq-llama-3.1-8b",
        "provider": "Groq",
        "name": "Llama 3.1 8B Instant",
        "api_model_id": "groq/llama-3.1-8b-instant",
        "llm_model": "llama-3.1-8b",
        "input_usd_per_1m": Decimal("0.05"),
        "output_usd_per_1m": Decimal("0.08"),
        "price_as_of": datetime.date(2024, 10, 16),
        "price_source": TOKENCOST + "5fb518cc7983",
        "notes": "The first recorded value (0.59 / 0.79, 2024-07-25) was a copy of the 70B "
        "price, corrected on 2024-10-16." + " " + DATE_MEANING,
    },
    {
        "slug": "groq-llama-3.3-70b",
        "provider": "Groq",
        "name": "Llama 3.3 70B Versatile",
        "api_model_id": "groq/llama-3.3-70b-versatile",
        "llm_model": "llama-3.3-70b",
        "input_usd_per_1m": Decimal("0.59"),
        "output_usd_per_1m": Decimal("0.79"),
        "price_as_of": datetime.date(2025, 1, 13),
        "price_source": TOKENCOST + "226b3329b0de",
        "notes": DATE_MEANING,
    },
    {
        "slug": "bedrock-llama-3.1-405b",
        "provider": "AWS Bedrock",
        "name": "Llama 3.1 405B Instruct (us-west-2)",
        "api_model_id": "meta.llama3-1-405b-instruct-v1:0",
        "llm_model": "llama-3.1-405b",
        "input_usd_per_1m": Decimal("5.32"),
        "output_usd_per_1m": Decimal("16.0"),
        "price_as_of": datetime.date(2024, 9, 6),
        "price_source": TOKENCOST + "6578d42031f5",
        "notes": DATE_MEANING,
    },
    {
        "slug": "bedrock-llama-3.1-70b",
        "provider": "AWS Bedrock",
        "name": "Llama 3.1 70B Instruct",
        "api_model_id": "meta.llama3-1-70b-instruct-v1:0",
        "llm_model": "llama-3.1-70b",
        "input_usd_per_1m": Decimal("0.99"),
        "output_usd_per_1m": Decimal("0.99"),
        "price_as_of": datetime.date(2024, 9, 6),
        "price_source": TOKENCOST + "6578d42031f5",
        "notes": "Was 2.65 / 3.50 from 2024-07-25." + " " + DATE_MEANING,
    },
    {
        "slug": "bedrock-llama-3.1-8b",
        "provider": "AWS Bedrock",
        "name": "Llama 3.1 8B Instruct",
        "api_model_id": "meta.llama3-1-8b-instruct-v1:0",
        "llm_model": "llama-3.1-8b",
        "input_usd_per_1m": Decimal("0.22"),
        "output_usd_per_1m": Decimal("0.22"),
        "price_as_of": datetime.date(2024, 9, 6),
        "price_source": TOKENCOST + "6578d42031f5",
        "notes": "Was 0.40 / 0.60 from 2024-07-25." + " " + DATE_MEANING,
    },
    {
        "slug": "bedrock-llama-3.3-70b",
        "provider": "AWS Bedrock",
        "name": "Llama 3.3 70B Instruct",
        "api_model_id": "meta.llama3-3-70b-instruct-v1:0",
        "llm_model": "llama-3.3-70b",
        "input_usd_per_1m": Decimal("0.72"),
        "output_usd_per_1m": Decimal("0.72"),
        "price_as_of": datetime.date(2025, 1, 13),
        "price_source": TOKENCOST + "226b3329b0de",
        "notes": DATE_MEANING,
    },
    {
        "slug": "bedrock-llama-3-70b",
        "provider": "AWS Bedrock",
        "name": "Llama 3 70B Instruct",
        "api_model_id": "meta.llama3-70b-instruct-v1:0",
        "llm_model": "llama-3-70b",
        "input_usd_per_1m": Decimal("2.65"),
        "output_usd_per_1m": Decimal("3.5"),
        "price_as_of": datetime.date(2024, 5, 14),
        "price_source": TOKENCOST + "d9f3f38cef34",
        "notes": DATE_MEANING,
    },
    {
        "slug": "bedrock-llama-3-8b",
        "provider": "AWS Bedrock",
        "name": "Llama 3 8B Instruct",
        "api_model_id": "meta.llama3-8b-instruct-v1:0",
        "llm_model": "llama-3-8b",
        "input_usd_per_1m": Decimal("0.3"),
        "output_usd_per_1m": Decimal("0.6"),
        "price_as_of": datetime.date(2024, 9, 6),
        "price_source": TOKENCOST + "6578d42031f5",
        "notes": "Was 0.40 / 0.60 from 2024-05-14." + " " + DATE_MEANING,
    },
    {
        "slug": "bedrock-llama-2-70b",
        "provider": "AWS Bedrock",
        "name": "Llama 2 70B Chat",
        "api_model_id": "meta.llama2-70b-chat-v1",
        "llm_model": "llama-2-70b",
        "input_usd_per_1m": Decimal("1.95"),
        "output_usd_per_1m": Decimal("2.56"),
        "price_as_of": datetime.date(2024, 1, 30),
        "price_source": TOKENCOST + "f38877f45073",
        "notes": "The chat fine-tune of Llama 2 70B (same architecture)." + " " + DATE_MEANING,
    },
    {
        "slug": "deepinfra-llama-3.1-405b",
        "provider": "DeepInfra",
        "name": "Llama 3.1 405B Instruct",
        "api_model_id": "deepinfra/meta-llama/Meta-Llama-3.1-405B-Instruct",
        "llm_model": "llama-3.1-405b",
        "input_usd_per_1m": Decimal("0.8"),
        "output_usd_per_1m": Decimal("0.8"),
        "price_as_of": datetime.date(2025, 8, 23),
        "price_source": TOKENCOST + "a141f4569f7a",
        "notes": "Was 0.90 / 0.90 from 2025-01-13." + " " + DATE_MEANING,
    },
    {
        "slug": "deepinfra-llama-3.1-70b",
        "provider": "DeepInfra",
        "name": "Llama 3.1 70B Instruct",
        "api_model_id": "deepinfra/meta-llama/Meta-Llama-3.1-70B-Instruct",
        "llm_model": "llama-3.1-70b",
        "input_usd_per_1m": Decimal("0.23"),
        "output_usd_per_1m": Decimal("0.4"),
        "price_as_of": datetime.date(2025, 8, 23),
        "price_source": TOKENCOST + "a141f4569f7a",
        "notes": DATE_MEANING,
    },
    {
        "slug": "deepinfra-llama-3.1-8b",
        "provider": "DeepInfra",
        "name": "Llama 3.1 8B Instruct",
        "api_model_id": "deepinfra/meta-llama/Meta-Llama-3.1-8B-Instruct",
        "llm_model": "llama-3.1-8b",
        "input_usd_per_1m": Decimal("0.03"),
        "output_usd_per_1m": Decimal("0.05"),
        "price_as_of": datetime.date(2025, 8, 23),
        "price_source": TOKENCOST + "a141f4569f7a",
        "notes": DATE_MEANING,
    },
    {
        "slug": "deepinfra-llama-3.3-70b",
        "provider": "DeepInfra",
        "name": "Llama 3.3 70B Instruct",
        "api_model_id": "deepinfra/meta-llama/Llama-3.3-70B-Instruct",
        "llm_model": "llama-3.3-70b",
        "input_usd_per_1m": Decimal("0.23"),
        "output_usd_per_1m": Decimal("0.4"),
        "price_as_of": datetime.date(2025, 8, 23),
        "price_source": TOKENCOST + "a141f4569f7a",
        "notes": DATE_MEANING,
    },
    {
        "slug": "sambanova-llama-3.1-405b",
        "provider": "SambaNova",
        "name": "Llama 3.1 405B Instruct",
        "api_model_id": "sambanova/Meta-Llama-3.1-405B-Instruct",
        "llm_model": "llama-3.1-405b",
        "input_usd_per_1m": Decimal("5.0"),
        "output_usd_per_1m": Decimal("10.0"),
        "price_as_of": datetime.date(2025, 1, 13),
        "price_source": TOKENCOST + "226b3329b0de",
        "notes": DATE_MEANING,
    },
    {
        "slug": "sambanova-llama-3.1-70b",
        "provider": "SambaNova",
        "name": "Llama 3.1 70B Instruct",
        "api_model_id": "sambanova/Meta-Llama-3.1-70B-Instruct",
        "llm_model": "llama-3.1-70b",
        "input_usd_per_1m": Decimal("0.6"),
        "output_usd_per_1m": Decimal("1.2"),
        "price_as_of": datetime.date(2025, 1, 13),
        "price_source": TOKENCOST + "226b3329b0de",
        "notes": DATE_MEANING,
    },
    {
        "slug": "cerebras-llama-3.1-70b",
        "provider": "Cerebras",
        "name": "Llama 3.1 70B",
        "api_model_id": "cerebras/llama3.1-70b",
        "llm_model": "llama-3.1-70b",
        "input_usd_per_1m": Decimal("0.6"),
        "output_usd_per_1m": Decimal("0.6"),
        "price_as_of": datetime.date(2024, 9, 6),
        "price_source": TOKENCOST + "6578d42031f5",
        "notes": DATE_MEANING,
    },
    {
        "slug": "cerebras-llama-3.1-8b",
        "provider": "Cerebras",
        "name": "Llama 3.1 8B",
        "api_model_id": "cerebras/llama3.1-8b",
        "llm_model": "llama-3.1-8b",
        "input_usd_per_1m": Decimal("0.1"),
        "output_usd_per_1m": Decimal("0.1"),
        "price_as_of": datetime.date(2024, 9, 6),
        "price_source": TOKENCOST + "6578d42031f5",
        "notes": DATE_MEANING,
    },
    {
        "slug": "cerebras-llama-3.3-70b",
        "provider": "Cerebras",
        "name": "Llama 3.3 70B",
        "api_model_id": "cerebras/llama-3.3-70b",
        "llm_model": "llama-3.3-70b",
        "input_usd_per_1m": Decimal("0.85"),
        "output_usd_per_1m": Decimal("1.2"),
        "price_as_of": datetime.date(2025, 5, 11),
        "price_source": TOKENCOST + "ac0a054aaee2",
        "notes": DATE_MEANING,
    },
    {
        "slug": "vertex-llama-3.1-405b",
        "provider": "Google Vertex AI",
        "name": "Llama 3.1 405B Instruct MaaS",
        "api_model_id": "vertex_ai/meta/llama-3.1-405b-instruct-maas",
        "llm_model": "llama-3.1-405b",
        "input_usd_per_1m": Decimal("5.0"),
        "output_usd_per_1m": Decimal("16.0"),
        "price_as_of": datetime.date(2025, 7, 23),
        "price_source": TOKENCOST + "27fc8365328e",
        "notes": DATE_MEANING,
    },
    {
        "slug": "azure-llama-3.1-405b",
        "provider": "Azure AI",
        "name": "Llama 3.1 405B Instruct",
        "api_model_id": "azure_ai/Meta-Llama-3.1-405B-Instruct",
        "llm_model": "llama-3.1-405b",
        "input_usd_per_1m": Decimal("5.33"),
        "output_usd_per_1m": Decimal("16.0"),
        "price_as_of": datetime.date(2024, 10, 23),
        "price_source": TOKENCOST + "b50cf241611f",
        "notes": DATE_MEANING,
    },
    {
        "slug": "azure-llama-3.1-70b",
        "provider": "Azure AI",
        "name": "Llama 3.1 70B Instruct",
        "api_model_id": "azure_ai/Meta-Llama-3.1-70B-Instruct",
        "llm_model": "llama-3.1-70b",
        "input_usd_per_1m": Decimal("2.68"),
        "output_usd_per_1m": Decimal("3.54"),
        "price_as_of": datetime.date(2024, 10, 23),
        "price_source": TOKENCOST + "b50cf241611f",
        "notes": DATE_MEANING,
    },
    {
        "slug": "azure-llama-3.1-8b",
        "provider": "Azure AI",
        "name": "Llama 3.1 8B Instruct",
        "api_model_id": "azure_ai/Meta-Llama-3.1-8B-Instruct",
        "llm_model": "llama-3.1-8b",
        "input_usd_per_1m": Decimal("0.3"),
        "output_usd_per_1m": Decimal("0.61"),
        "price_as_of": datetime.date(2024, 10, 23),
        "price_source": TOKENCOST + "b50cf241611f",
        "notes": DATE_MEANING,
    },
]


SEED_REASON = "Seeded by migration calculator 0002_seed_catalog"
MODEL_NAMES = ["EngineProfile", "GpuType", "LlmModel", "ApiOffering"]


def seed_catalog(apps, schema_editor):
    EngineProfile = apps.get_model("calculator", "EngineProfile")
    GpuType = apps.get_model("calculator", "GpuType")
    LlmModel = apps.get_model("calculator", "LlmModel")
    ApiOffering = apps.get_model("calculator", "ApiOffering")

    EngineProfile.objects.bulk_create(EngineProfile(**row) for row in ENGINE_PROFILES)
    GpuType.objects.bulk_create(GpuType(**row) for row in GPUS)
    LlmModel.objects.bulk_create(LlmModel(**row) for row in MODELS)
    models_by_slug = {model.slug: model for model in LlmModel.objects.all()}
    offerings = []
    for row in API_OFFERINGS:
        llm_slug = row["llm_model"]
        llm_model = models_by_slug[llm_slug] if llm_slug else None
        offerings.append(ApiOffering(**{**row, "llm_model": llm_model}))
    ApiOffering.objects.bulk_create(offerings)

    # Start each row's django-simple-history record with the seeded values, so the
    # first admin edit does not lose what the row held before it (bulk_create sends no
    # signals, so simple-history records nothing by itself).
    now = timezone.now()
    for model_name in MODEL_NAMES:
        model = apps.get_model("calculator", model_name)
        historical = apps.get_model("calculator", f"Historical{model_name}")
        fields = [field.attname for field in model._meta.concrete_fields]
        historical.objects.bulk_create(
            historical(
                **{name: getattr(row, name) for name in fields},
                history_date=now,
                history_type="+",
                history_change_reason=SEED_REASON,
            )
            for row in model.objects.all()
        )


def unseed_catalog(apps, schema_editor):
    # Offerings first: deleting a model would only null their llm_model link.
    seeded = {
        "ApiOffering": API_OFFERINGS,
        "LlmModel": MODELS,
        "GpuType": GPUS,
        "EngineProfile": ENGINE_PROFILES,
    }
    for model_name, rows in seeded.items():
        slugs = [row["slug"] for row in rows]
        apps.get_model("calculator", model_name).objects.filter(slug__in=slugs).delete()
        historical = apps.get_model("calculator", f"Historical{model_name}")
        historical.objects.filter(slug__in=slugs).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("calculator", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(seed_catalog, unseed_catalog),
    ]
