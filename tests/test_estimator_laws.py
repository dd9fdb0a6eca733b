"""The estimator's formulas at their edges: hand-worked boundaries, monotonicity and
the branches no other test reaches, written against `make mutate`'s survivors."""

from __future__ import annotations

import dataclasses

import pytest

from calculator.estimator import EstimatorInputError, Workload, estimate
from calculator.estimator.specs import Dtype
from calculator.estimator.step import compute_dtype
from tests.estimator_fixtures import A100_80GB, LLAMA_3_8B, ROUND_ENGINE

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
