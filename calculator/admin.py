"""Admin for the catalog: specs and prices are edited here, and every edit is kept.

SimpleHistoryAdmin adds a "History" view to each row, so a changed price or spec can be
traced back to who changed it and when.
"""

from __future__ import annotations

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from calculator.models import ApiOffering, EngineProfile, GpuType, LlmModel


@admin.register(GpuType)
class GpuTypeAdmin(SimpleHistoryAdmin):
    list_display = (
        "name",
        "vendor",
        "memory_gb",
        "memory_bandwidth_gb_s",
        "fp16_tflops",
        "fp8_tflops",
        "interconnect",
        "hourly_price_usd",
        "price_as_of",
        "is_active",
    )
    list_editable = ("hourly_price_usd", "price_as_of", "is_active")
    list_filter = ("vendor", "is_active", "interconnect")
    search_fields = ("name", "slug")
    readonly_fields = ("updated_at",)
    fieldsets = (
        (
            "Specs",
            {
                "fields": (
                    ("name", "slug", "vendor"),
                    ("memory_gb", "usable_memory_gib", "memory_type"),
                    "memory_bandwidth_gb_s",
                    ("fp32_tflops", "tf32_tflops"),
                    ("fp16_tflops", "fp16_acc16_tflops", "bf16_tflops"),
                    ("fp8_tflops", "fp4_tflops"),
                    ("int8_tops", "int4_tops"),
                    ("interconnect", "interconnect_gb_s", "pcie_gb_s"),
                    "tdp_w",
                    "is_active",
                )
            },
        ),
        ("Pricing", {"fields": (("hourly_price_usd", "price_as_of"), "price_source")}),
        ("Source", {"fields": ("datasheet_url", "spec_notes", "updated_at")}),
    )


@admin.register(LlmModel)
class LlmModelAdmin(SimpleHistoryAdmin):
    list_display = (
        "name",
        "family",
        "hidden_size",
        "num_layers",
        "num_kv_heads",
        "num_experts",
        "max_context",
        "official_params",
        "is_active",
    )
    list_editable = ("is_active",)
    list_filter = ("family", "is_active")
    search_fields = ("name", "slug", "hf_repo")
    readonly_fields = ("updated_at",)
    fieldsets = (
        (
            "Specs",
            {
                "fields": (
                    ("name", "slug", "family"),
                    ("hidden_size", "num_layers", "intermediate_size"),
                    ("num_attention_heads", "num_kv_heads", "head_dim"),
                    ("vocab_size", "max_context"),
                    ("tie_word_embeddings", "qkv_bias"),
                    ("num_experts", "experts_per_token", "moe_intermediate_size"),
                    ("shared_experts", "moe_layer_step"),
                    "extra_params",
                    "is_active",
                )
            },
        ),
        (
            "Source",
            {
                "fields": (
                    "hf_repo",
                    ("official_params", "official_params_source"),
                    "config_source",
                    "notes",
                    "updated_at",
                )
            },
        ),
    )


@admin.register(EngineProfile)
class EngineProfileAdmin(SimpleHistoryAdmin):
    list_display = (
        "name",
        "bandwidth_utilization",
        "prefill_compute_utilization",
        "decode_compute_utilization",
        "step_overhead_s",
        "memory_fraction",
        "max_num_seqs",
        "is_active",
    )
    list_editable = ("is_active",)
    list_filter = ("is_active",)
    search_fields = ("name", "slug")
    readonly_fields = ("updated_at",)
    fieldsets = (
        (
            "Specs",
            {
                "fields": (
                    ("name", "slug"),
                    "bandwidth_utilization",
                    ("prefill_compute_utilization", "decode_compute_utilization"),
                    ("step_overhead_s", "request_overhead_s"),
                    ("memory_fraction", "runtime_overhead_gib"),
                    ("max_batched_tokens", "max_num_seqs"),
                    ("pipelines_microbatches", "fp16_accumulate", "default_parallelism"),
                    "is_active",
                )
            },
        ),
        ("Source", {"fields": ("source_notes", "updated_at")}),
    )


@admin.register(ApiOffering)
class ApiOfferingAdmin(SimpleHistoryAdmin):
    list_display = (
        "name",
        "provider",
        "llm_model",
        "input_usd_per_1m",
        "output_usd_per_1m",
        "price_as_of",
        "is_active",
    )
    list_editable = ("input_usd_per_1m", "output_usd_per_1m", "price_as_of", "is_active")
    list_filter = ("provider", "is_active")
    list_select_related = ("llm_model",)
    search_fields = ("name", "slug", "provider", "api_model_id")
    autocomplete_fields = ("llm_model",)
    readonly_fields = ("updated_at",)
    fieldsets = (
        ("Specs", {"fields": (("provider", "name", "slug"), "api_model_id", "llm_model")}),
        (
            "Pricing",
            {
                "fields": (
                    ("input_usd_per_1m", "output_usd_per_1m", "price_as_of"),
                    "is_active",
                )
            },
        ),
        ("Source", {"fields": ("price_source", "notes", "updated_at")}),
    )
