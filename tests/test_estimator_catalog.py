"""The estimator on the seeded catalog: counts and sanity across every model and GPU."""

from __future__ import annotations

import pytest

from calculator.estimator import Workload, count_parameters, estimate
from calculator.models import EngineProfile, GpuType, LlmModel

pytestmark = pytest.mark.django_db


def test_parameter_counts_are_within_one_percent_of_every_official_count():
    for model in LlmModel.objects.all():
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
    for gpu in GpuType.objects.active():
        for model in LlmModel.objects.active():
            e = estimate(
                model.to_spec(),
                gpu.to_spec(),
                vllm,
                Workload(num_gpus=8, batch_size=4, prompt_tokens=512, completion_tokens=128),
            )
            assert e.prefill.seconds > 0 and e.decode.seconds_per_token > 0, (gpu, model)
            assert e.memory.total_bytes_per_gpu > 0
