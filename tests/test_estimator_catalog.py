"""The estimator on the seeded catalog: counts and sanity across every model and GPU."""

from __future__ import annotations

import json
import math

import pytest

from calculator.estimator import Dtype, Parallelism, Workload, count_parameters, estimate
from calculator.models import EngineProfile, GpuType, LlmModel
from tests.seeded import seeded

pytestmark = pytest.mark.django_db


def test_parameter_counts_are_within_one_percent_of_every_official_count():
    for model in seeded(LlmModel.objects.all(), 20):
        spec = model.to_spec()
        assert count_parameters(spec).total == pytest.approx(model.official_params, rel=0.01), (
            model.slug
        )


def test_mixture_of_experts_active_counts_match_the_publishers():
    active = {
        "mixtral-8x7b": 12.9e9,
        "llama-4-scout-17b-16e": 17e9,
        "llama-4-maverick-17b-128e": 17e9,
    }
    for slug, published in active.items():
        spec = LlmModel.objects.get(slug=slug).to_spec()
        assert count_parameters(spec).active == pytest.approx(published, rel=0.03), slug


def test_every_model_on_every_active_gpu_gives_finite_positive_figures():
    vllm = EngineProfile.objects.get(slug="vllm").to_spec()
    for gpu in seeded(GpuType.objects.active(), 10):
        for model in seeded(LlmModel.objects.active(), 20):
            e = estimate(
                model.to_spec(),
                gpu.to_spec(),
                vllm,
                Workload(num_gpus=8, batch_size=4, prompt_tokens=512, completion_tokens=128),
            )
            # allow_nan=False refuses NaN and infinity anywhere in the answer.
            json.dumps(e.as_dict(), allow_nan=False)
            assert e.prefill.seconds > 0 and e.decode.seconds_per_token > 0, (gpu, model)
            assert 0 < e.memory.total_bytes_per_gpu < math.inf


def _on(model_slug, gpu_slug, **workload):
    return estimate(
        LlmModel.objects.get(slug=model_slug).to_spec(),
        GpuType.objects.get(slug=gpu_slug).to_spec(),
        EngineProfile.objects.get(slug="vllm").to_spec(),
        Workload(**workload),
        trace=False,
    )


def test_the_fewest_gpus_is_the_fewest_valid_count_not_the_count_asked():
    for asked in (1, 2, 4, 8):
        e = _on("llama-3.1-70b", "h100-sxm", num_gpus=asked, weights_dtype=Dtype.FP8)
        assert e.memory.min_gpus == 1, asked
    e = _on(
        "llama-3.1-405b",
        "h100-sxm",
        num_gpus=16,
        weights_dtype=Dtype.FP8,
        prompt_tokens=1000,
        completion_tokens=500,
    )
    assert e.memory.fits and e.memory.min_gpus == 8


def test_the_fewest_gpus_never_exceeds_the_count_asked_when_it_fits():
    vllm = EngineProfile.objects.get(slug="vllm").to_spec()
    checked = 0
    for gpu in GpuType.objects.active():
        for model in LlmModel.objects.active():
            for asked, parallelism in (
                (1, Parallelism.TENSOR),
                (3, Parallelism.TENSOR),
                (8, Parallelism.TENSOR),
                (6, Parallelism.PIPELINE),
            ):
                e = estimate(
                    model.to_spec(),
                    gpu.to_spec(),
                    vllm,
                    Workload(num_gpus=asked, batch_size=8, parallelism=parallelism),
                    trace=False,
                )
                if e.memory.fits:
                    checked += 1
                    assert 1 <= e.memory.min_gpus <= asked, (gpu, model, asked)
    assert checked > 100


def test_the_new_architectures_active_counts_match_the_publishers():
    active = {  # publisher's active count, and whether it leaves the embedding out
        "deepseek-v3": (37e9, False),
        "deepseek-r1": (37e9, False),
        "qwen3-30b-a3b": (3.3e9, False),
        "qwen3-235b-a22b": (22e9, False),
        "gpt-oss-20b": (3.61e9, True),
        "gpt-oss-120b": (5.13e9, True),
    }
    for slug, (published, without_embedding) in active.items():
        counts = count_parameters(LlmModel.objects.get(slug=slug).to_spec())
        ours = counts.active - counts.embedding if without_embedding else counts.active
        assert ours == pytest.approx(published, rel=0.03), slug
