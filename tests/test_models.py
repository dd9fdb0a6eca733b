"""Catalog models: validation, to_spec(), the active() queryset, history and admin."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from calculator.estimator import specs
from calculator.models import (
    INTERCONNECT_CHOICES,
    ApiOffering,
    EngineProfile,
    GpuType,
    LlmModel,
)


def make_gpu(**kwargs) -> GpuType:
    """An unsaved, valid GPU; keyword arguments override its fields."""
    fields = {
        "slug": "test-gpu",
        "name": "Test GPU",
        "vendor": GpuType.Vendor.NVIDIA,
        "memory_gb": 80,
        "usable_memory_gib": 79.6,
        "memory_bandwidth_gb_s": 3350,
        "fp16_tflops": 989.4,
    }
    fields.update(kwargs)
    return GpuType(**fields)


def make_engine(**kwargs) -> EngineProfile:
    fields = {
        "slug": "test-engine",
        "name": "Test engine",
        "bandwidth_utilization": 0.75,
        "prefill_compute_utilization": 0.55,
        "decode_compute_utilization": 0.5,
        "step_overhead_s": 0.0015,
        "request_overhead_s": 0.015,
        "memory_fraction": 0.9,
        "runtime_overhead_gib": 1.5,
        "max_batched_tokens": 8192,
        "max_num_seqs": 256,
    }
    fields.update(kwargs)
    return EngineProfile(**fields)


def errors_of(instance) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as excinfo:
        instance.clean()
    return excinfo.value.message_dict


# Section: clean()


def test_a_valid_gpu_passes_clean():
    make_gpu().clean()


def test_gpu_clean_rejects_a_zero_bandwidth():
    assert "memory_bandwidth_gb_s" in errors_of(make_gpu(memory_bandwidth_gb_s=0))


def test_gpu_clean_rejects_negative_memory():
    assert "usable_memory_gib" in errors_of(make_gpu(usable_memory_gib=-1))


def test_gpu_clean_rejects_a_price_without_a_date():
    gpu = make_gpu(hourly_price_usd=Decimal("2.49"), price_as_of=None)
    assert "price_as_of" in errors_of(gpu)


def test_gpu_clean_accepts_a_dated_price():
    make_gpu(hourly_price_usd=Decimal("2.49"), price_as_of=datetime.date(2025, 1, 1)).clean()


def test_an_active_gpu_needs_fp16_but_an_inactive_one_does_not():
    assert "fp16_tflops" in errors_of(make_gpu(fp16_tflops=None))
    make_gpu(fp16_tflops=None, is_active=False).clean()


@pytest.mark.parametrize(
    "field",
    [
        "bandwidth_utilization",
        "prefill_compute_utilization",
        "decode_compute_utilization",
        "memory_fraction",
    ],
)
@pytest.mark.parametrize("value", [0, -0.1, 1.01])
def test_engine_clean_rejects_fractions_outside_zero_to_one(field, value):
    assert field in errors_of(make_engine(**{field: value}))


def test_engine_clean_accepts_a_fraction_of_exactly_one():
    make_engine(memory_fraction=1.0).clean()


def test_engine_clean_rejects_a_negative_overhead():
    assert "step_overhead_s" in errors_of(make_engine(step_overhead_s=-0.001))


def test_an_api_price_may_be_undated():
    # LiteLLM's map records no date: such rows are kept and shown as "undated".
    ApiOffering(
        slug="x/Model-7B:latest",
        provider="X",
        name="Model",
        input_usd_per_1m=Decimal("1"),
        output_usd_per_1m=Decimal("2"),
    ).clean_fields()


def test_api_offering_clean_rejects_a_negative_price():
    offering = ApiOffering(
        slug="x-model",
        provider="X",
        name="Model",
        input_usd_per_1m=Decimal("-1"),
        output_usd_per_1m=Decimal("2"),
        price_as_of=datetime.date(2025, 1, 1),
    )
    assert "input_usd_per_1m" in errors_of(offering)


@pytest.mark.django_db
def test_llm_clean_rejects_experts_without_an_expert_width():
    model = LlmModel.objects.get(slug="mixtral-8x7b")
    model.moe_intermediate_size = 0
    assert "moe_intermediate_size" in errors_of(model)


@pytest.mark.django_db
def test_llm_clean_rejects_more_active_experts_than_experts():
    model = LlmModel.objects.get(slug="mixtral-8x7b")
    model.experts_per_token = 9
    assert "experts_per_token" in errors_of(model)


@pytest.mark.django_db
@pytest.mark.parametrize("slug", ["llama-3.1-8b", "llama.cpp", "gpt-4o"])
def test_slugs_may_contain_dots(slug):
    make_gpu(slug=slug).full_clean()


@pytest.mark.django_db
@pytest.mark.parametrize("slug", ["Llama-3", "llama 3", "llama--3", "-llama", "llama."])
def test_slugs_must_be_lowercase_and_tidy(slug):
    with pytest.raises(ValidationError) as excinfo:
        make_gpu(slug=slug).full_clean()
    assert "slug" in excinfo.value.message_dict


@pytest.mark.django_db
def test_slugs_are_unique():
    with pytest.raises(ValidationError) as excinfo:
        make_gpu(slug="h100-sxm").full_clean()
    assert "slug" in excinfo.value.message_dict


# Section: to_spec()


def test_gpu_to_spec_maps_every_field():
    gpu = make_gpu(
        interconnect="nvlink",
        interconnect_gb_s=900,
        pcie_gb_s=64,
        hourly_price_usd=Decimal("3.29"),
        price_as_of=datetime.date(2025, 1, 1),
    )
    spec = gpu.to_spec()
    assert spec == specs.GpuSpec(
        slug="test-gpu",
        name="Test GPU",
        memory_gb=80,
        usable_memory_gib=79.6,
        memory_bandwidth_gb_s=3350,
        fp16_tflops=989.4,
        interconnect=specs.Interconnect.NVLINK,
        interconnect_gb_s=900,
        pcie_gb_s=64,
        hourly_usd=3.29,
    )
    assert isinstance(spec.hourly_usd, float)


def test_a_gpu_without_bandwidth_cannot_build_a_spec():
    with pytest.raises(ValueError, match="bandwidth"):
        make_gpu(memory_bandwidth_gb_s=None).to_spec()


def test_engine_to_spec_keeps_its_figures():
    spec = make_engine(fp16_accumulate=True, pipelines_microbatches=False).to_spec()
    assert spec.bandwidth_utilization == 0.75
    assert spec.max_num_seqs == 256
    assert spec.fp16_accumulate is True
    assert spec.pipelines_microbatches is False


def test_api_offering_to_spec_gives_floats():
    offering = ApiOffering(
        slug="x-model",
        provider="X",
        name="Model",
        input_usd_per_1m=Decimal("0.15"),
        output_usd_per_1m=Decimal("0.6"),
        price_as_of=datetime.date(2025, 1, 1),
    )
    assert offering.to_spec() == specs.ApiOffering(
        slug="x-model", name="X: Model", input_usd_per_1m=0.15, output_usd_per_1m=0.6
    )


def test_interconnect_choices_match_the_estimator():
    assert {value for value, _ in INTERCONNECT_CHOICES} == {i.value for i in specs.Interconnect}


# Section: queryset and history


@pytest.mark.django_db
def test_active_leaves_out_inactive_rows():
    active = set(GpuType.objects.active().values_list("slug", flat=True))
    assert "a10g" not in active
    assert "h100-sxm" in active


@pytest.mark.django_db
def test_a_price_edit_creates_a_history_record():
    gpu = GpuType.objects.get(slug="h100-sxm")
    before = gpu.history.count()
    gpu.hourly_price_usd = Decimal("2.99")
    gpu.price_as_of = datetime.date(2025, 6, 1)
    gpu.save()
    assert gpu.history.count() == before + 1
    latest = gpu.history.first()
    assert latest.hourly_price_usd == Decimal("2.99")
    assert latest.price_as_of == datetime.date(2025, 6, 1)
    assert latest.history_type == "~"
    assert gpu.history.last().hourly_price_usd == Decimal("3.29")  # the seeded price


@pytest.mark.django_db
def test_an_api_price_edit_creates_a_history_record():
    offering = ApiOffering.objects.get(slug="openai-gpt-4o")
    offering.input_usd_per_1m = Decimal("2.0")
    offering.save()
    assert offering.history.first().input_usd_per_1m == Decimal("2.0")
