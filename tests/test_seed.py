"""The catalog that migration 0002 seeds: complete, valid, and true to data/*.csv."""

from __future__ import annotations

import csv
import datetime
import importlib
from decimal import Decimal
from pathlib import Path

import pytest
from django.apps import apps

from calculator.estimator import specs
from calculator.models import ApiOffering, EngineProfile, GpuType, LlmModel
from tests.seeded import seeded

pytestmark = pytest.mark.django_db

DATA_DIR = Path(__file__).resolve().parent.parent / "data"

GPU_SLUGS = [
    "a100-40gb-sxm",
    "a100-80gb-sxm",
    "a100-80gb-pcie",
    "h100-sxm",
    "h100-pcie",
    "h100-nvl",
    "h200",
    "b200",
    "l40s",
    "l4",
    "a10",
    "a10g",
    "t4",
    "v100-32gb",
    "rtx-3090",
    "rtx-4090",
    "rtx-5090",
    "mi300x",
    "mi325x",
    "gaudi3",
]
MODEL_SLUGS = [
    "llama-2-7b",
    "llama-2-13b",
    "llama-2-70b",
    "llama-3-8b",
    "llama-3-70b",
    "llama-3.1-8b",
    "llama-3.1-70b",
    "llama-3.1-405b",
    "llama-3.2-1b",
    "llama-3.2-3b",
    "llama-3.3-70b",
    "llama-4-scout-17b-16e",
    "llama-4-maverick-17b-128e",
    "mistral-7b",
    "mixtral-8x7b",
    "qwen2.5-7b",
    "qwen2.5-72b",
    # 0005_more_models
    "deepseek-v3",
    "deepseek-r1",
    "qwen3-8b",
    "qwen3-32b",
    "qwen3-30b-a3b",
    "qwen3-235b-a22b",
    "gpt-oss-20b",
    "gpt-oss-120b",
    "gemma-3-27b",
    "mistral-small-3-24b",
]
ENGINE_SLUGS = ["vllm", "tensorrt-llm", "sglang", "llama.cpp", "hf-transformers"]
API_SLUGS = [
    "openai-gpt-4o",
    "openai-gpt-4o-mini",
    "openai-gpt-3.5-turbo",
    "together-llama-3.1-70b",
    "fireworks-llama-3.1-8b",
    "groq-llama-3.1-8b",
    "bedrock-llama-3.1-405b",
]


def read_csv(name: str) -> list[dict[str, str]]:
    with (DATA_DIR / name).open(newline="") as f:
        return list(csv.DictReader(f))


def leading_int(text: str) -> int:
    """'131072 (base; Instruct config uses 32768)' -> 131072."""
    return int(text.split()[0])


# Section: what is seeded


@pytest.mark.parametrize(
    ("model", "slugs"),
    [
        (GpuType, GPU_SLUGS),
        (LlmModel, MODEL_SLUGS),
        (EngineProfile, ENGINE_SLUGS),
        (ApiOffering, API_SLUGS),
    ],
)
def test_every_required_slug_is_seeded(model, slugs):
    seeded = set(model.objects.values_list("slug", flat=True))
    assert set(slugs) <= seeded


def test_deepseek_v3_is_in_now_that_latent_attention_is_modelled():
    v3 = LlmModel.objects.get(slug="deepseek-v3")
    assert (v3.kv_lora_rank, v3.qk_rope_head_dim, v3.first_dense_layers) == (512, 64, 3)


def test_only_the_a10g_is_seeded_inactive():
    assert list(GpuType.objects.filter(is_active=False).values_list("slug", flat=True)) == ["a10g"]


def test_every_active_gpu_has_bandwidth_and_fp16():
    for gpu in seeded(GpuType.objects.active(), len(GPU_SLUGS) - 1):
        assert gpu.memory_bandwidth_gb_s, gpu.slug
        assert gpu.fp16_tflops, gpu.slug


def test_every_seeded_row_passes_model_validation():
    for model in (GpuType, LlmModel, EngineProfile, ApiOffering):
        for row in seeded(model.objects.all()):
            row.full_clean()


# Section: to_spec() on every row


def test_every_seeded_model_builds_a_spec():
    for model in seeded(LlmModel.objects.all(), len(MODEL_SLUGS)):
        spec = model.to_spec()
        assert isinstance(spec, specs.ModelSpec)
        assert spec.slug == model.slug
        assert spec.official_params


def test_every_active_gpu_builds_a_spec():
    for gpu in seeded(GpuType.objects.active(), len(GPU_SLUGS) - 1):
        spec = gpu.to_spec()
        assert isinstance(spec, specs.GpuSpec)
        assert spec.peak_tflops(specs.Dtype.FP16) == gpu.fp16_tflops


def test_every_engine_and_api_offering_builds_a_spec():
    for engine in seeded(EngineProfile.objects.all(), len(ENGINE_SLUGS)):
        assert isinstance(engine.to_spec(), specs.EngineSpec)
    for offering in seeded(ApiOffering.objects.all(), len(API_SLUGS)):
        assert isinstance(offering.to_spec(), specs.ApiOffering)


def test_chips_without_bf16_say_so():
    for slug in ("v100-32gb", "t4"):
        assert GpuType.objects.get(slug=slug).to_spec().bf16_tflops is None


# Section: true to the reference data


def test_gpu_figures_match_gpus_csv():
    for row in read_csv("gpus.csv"):
        gpu = GpuType.objects.get(slug=row["gpu_id"])
        assert gpu.memory_gb == float(row["memory_gb"]), gpu.slug
        if row["memory_bandwidth_gb_s"]:
            assert gpu.memory_bandwidth_gb_s == float(row["memory_bandwidth_gb_s"]), gpu.slug
        if row["fp16_bf16_tflops_dense"]:
            assert gpu.fp16_tflops == float(row["fp16_bf16_tflops_dense"]), gpu.slug
        if row["fp8_tflops_dense"]:
            assert gpu.fp8_tflops == float(row["fp8_tflops_dense"]), gpu.slug
        if row["cloud_price_usd_per_gpu_hour"]:
            assert gpu.hourly_price_usd == Decimal(row["cloud_price_usd_per_gpu_hour"])


def test_usable_memory_is_what_the_driver_reports():
    mib = {"a100-80gb-sxm": 81920, "h100-sxm": 81559, "h200": 143771, "rtx-4090": 24564}
    for slug, total_mib in mib.items():
        gpu = GpuType.objects.get(slug=slug)
        assert gpu.usable_memory_gib == pytest.approx(total_mib / 1024), slug


def test_lambda_prices_carry_their_source_and_placeholder_date():
    priced = GpuType.objects.exclude(hourly_price_usd=None)
    assert priced.count() == 5
    for gpu in priced:
        assert gpu.price_as_of == datetime.date(2025, 1, 1)
        assert "skypilot-catalog" in gpu.price_source
        assert "2024-2025 snapshot" in gpu.price_source


def test_model_dimensions_match_models_csv():
    for row in read_csv("models.csv"):
        if row["model_id"] == "deepseek-v3":
            continue
        model = LlmModel.objects.get(slug=row["model_id"])
        assert model.hidden_size == int(row["hidden_size"]), model.slug
        assert model.num_layers == int(row["num_hidden_layers"]), model.slug
        assert model.num_attention_heads == int(row["num_attention_heads"]), model.slug
        assert model.num_kv_heads == int(row["num_key_value_heads"]), model.slug
        assert model.head_dim == int(row["head_dim"]), model.slug
        assert model.vocab_size == int(row["vocab_size"]), model.slug
        assert model.tie_word_embeddings == (row["tie_word_embeddings"] == "true"), model.slug
        if row["num_local_experts"]:
            assert model.num_experts == int(row["num_local_experts"]), model.slug
            assert model.experts_per_token == int(row["num_experts_per_tok"]), model.slug
            assert model.moe_intermediate_size == int(row["moe_intermediate_size"])
        else:
            assert model.intermediate_size == int(row["intermediate_size"]), model.slug
        if not model.slug.startswith("llama-4"):  # the csv has no checkpoint value for these
            assert model.max_context == leading_int(row["max_position_embeddings"])


def test_official_counts_sit_near_the_counts_derived_from_the_dimensions():
    for row in read_csv("models.csv"):
        if row["computed_total_params_b_derived"]:
            model = LlmModel.objects.get(slug=row["model_id"])
            derived = float(row["computed_total_params_b_derived"]) * 1e9
            assert model.official_params == pytest.approx(derived, rel=0.005), model.slug


def test_moe_models_are_seeded_as_specified():
    mixtral = LlmModel.objects.get(slug="mixtral-8x7b")
    assert (mixtral.num_experts, mixtral.experts_per_token, mixtral.moe_intermediate_size) == (
        8,
        2,
        14336,
    )
    scout = LlmModel.objects.get(slug="llama-4-scout-17b-16e")
    maverick = LlmModel.objects.get(slug="llama-4-maverick-17b-128e")
    for model, experts, step in ((scout, 16, 1), (maverick, 128, 2)):
        assert model.num_experts == experts
        assert model.experts_per_token == 1
        assert model.shared_experts == 1
        assert model.moe_intermediate_size == 8192
        assert model.intermediate_size == 16384
        assert model.moe_layer_step == step
        assert model.extra_params == pytest.approx(0.87e9, rel=0.01)
    assert scout.max_context == 10485760
    assert maverick.max_context == 1048576


def test_qwen_models_have_qkv_bias():
    assert set(LlmModel.objects.filter(qkv_bias=True).values_list("slug", flat=True)) == {
        "qwen2.5-7b",
        "qwen2.5-72b",
        "gpt-oss-20b",
        "gpt-oss-120b",
    }


def test_every_still_listed_api_price_is_seeded_with_its_date():
    for row in read_csv("api_prices.csv"):
        listed = row["status_in_tokencost_head_2025-09-05"] == "still listed at this price"
        if not listed or row["notes"].startswith("SUSPECT"):
            continue
        # The 2024 row (a LiteLLM import may hold the same model id under its own key).
        offering = ApiOffering.objects.get(
            api_model_id=row["api_model_id"], price_source__contains="tokencost"
        )
        assert offering.input_usd_per_1m == Decimal(row["input_usd_per_1m_tokens"])
        assert offering.output_usd_per_1m == Decimal(row["output_usd_per_1m_tokens"])
        assert offering.price_as_of == datetime.date.fromisoformat(row["date_recorded"])
        assert "tokencost" in offering.price_source
        assert "NOT the provider's announcement date" in offering.notes


def test_the_suspect_groq_405b_price_is_left_out():
    assert not ApiOffering.objects.filter(api_model_id="groq/llama-3.1-405b-reasoning").exists()


def test_gpt_3_5_turbo_uses_the_current_snapshot_price():
    offering = ApiOffering.objects.get(slug="openai-gpt-3.5-turbo")
    assert (offering.input_usd_per_1m, offering.output_usd_per_1m) == (
        Decimal("0.5"),
        Decimal("1.5"),
    )


def test_hosted_llama_offerings_link_their_open_model():
    hosted = ApiOffering.objects.filter(
        api_model_id__icontains="llama", price_source__contains="tokencost"
    )
    assert hosted.exists()
    for offering in hosted:
        assert offering.llm_model is not None, offering.slug
    assert ApiOffering.objects.get(slug="together-llama-3.1-70b").llm_model.slug == (
        "llama-3.1-70b"
    )


def test_every_seeded_row_starts_its_history_with_the_seeded_values():
    later = importlib.import_module("calculator.migrations.0005_more_models")
    added = {row["slug"] for row in later.MODELS}
    for model in (GpuType, LlmModel, EngineProfile, ApiOffering):
        rows = model.objects.all()
        if model is ApiOffering:  # the 2024 rows; 0010 seeds the LiteLLM ones
            rows = rows.filter(price_source__contains="tokencost")
        for row in rows:
            record = row.history.earliest()
            assert record.history_type == "+"
            seeded_by = "0005_more_models" if row.slug in added else "0002_seed_catalog"
            assert seeded_by in record.history_change_reason
            assert record.slug == row.slug
    # The rows 0030 gave windows to record the change after their seeded values.
    for slug in later.WINDOWS:
        record = LlmModel.objects.get(slug=slug).history.latest()
        assert record.history_type == "~" and record.attention_window
    offering = ApiOffering.objects.get(slug="together-llama-3.1-70b")
    assert offering.history.earliest().llm_model_id == offering.llm_model_id


# Section: the migration's reverse


def test_unseeding_removes_every_seeded_row():
    prices = importlib.import_module("calculator.migrations.0010_seed_api_prices")
    prices.unseed_api_prices(apps, schema_editor=None)
    offers = importlib.import_module("calculator.migrations.0009_seed_offers")
    offers.unseed_offers(apps, schema_editor=None)
    later = importlib.import_module("calculator.migrations.0005_more_models")
    later.remove_models(apps, schema_editor=None)
    assert not LlmModel.objects.filter(attention_window__gt=0).exists()
    migration = importlib.import_module("calculator.migrations.0002_seed_catalog")
    migration.unseed_catalog(apps, schema_editor=None)
    for model in (GpuType, LlmModel, EngineProfile, ApiOffering):
        assert not model.objects.exists()
        assert not model.history.exists()
