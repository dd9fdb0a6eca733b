"""Admin for the catalog: specs and prices are edited here, and every edit is kept.

SimpleHistoryAdmin adds a "History" view to each row, so a changed price or spec can be
traced back to who changed it and when.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import NON_FIELD_ERRORS, FieldDoesNotExist, ValidationError
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from calculator.models import ApiOffering, EngineProfile, GpuType, LlmModel, Plan, Scenario


class CatalogAdminForm(forms.ModelForm):
    """Runs the model's clean() like any ModelForm, and also copes with the changelist's
    short forms: an error about a field the form lacks (ticking "active" on a GPU with
    no FP16 figure) is shown on the row instead of crashing with "has no field named"."""

    def add_error(self, field, error) -> None:
        if field is None and isinstance(error, dict):
            error = ValidationError(error)
        if field is None and hasattr(error, "error_dict"):
            fields, elsewhere = {}, []
            for name, errors in error.error_dict.items():
                if name == NON_FIELD_ERRORS or name in self.fields:
                    fields[name] = errors
                else:
                    try:
                        label = self._meta.model._meta.get_field(name).verbose_name
                    except FieldDoesNotExist:
                        label = name
                    elsewhere.extend(
                        f"{label}: {message}" for message in ValidationError(errors).messages
                    )
            if elsewhere:
                fields[NON_FIELD_ERRORS] = [*fields.get(NON_FIELD_ERRORS, []), *elsewhere]
                error = ValidationError(fields)
        super().add_error(field, error)


class CatalogAdmin(SimpleHistoryAdmin):
    form = CatalogAdminForm

    def get_changelist_form(self, request, **kwargs):
        # list_editable rows get the same validation as the change form.
        kwargs.setdefault("form", CatalogAdminForm)
        return super().get_changelist_form(request, **kwargs)


@admin.register(GpuType)
class GpuTypeAdmin(CatalogAdmin):
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
                    ("compute_efficiency", "bandwidth_efficiency"),
                    "tdp_w",
                    "is_active",
                )
            },
        ),
        ("Pricing", {"fields": (("hourly_price_usd", "price_as_of"), "price_source")}),
        ("Source", {"fields": ("datasheet_url", "spec_notes", "updated_at")}),
    )


@admin.register(LlmModel)
class LlmModelAdmin(CatalogAdmin):
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
class EngineProfileAdmin(CatalogAdmin):
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
class ApiOfferingAdmin(CatalogAdmin):
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


# Section: saved scenarios


@admin.register(Scenario)
class ScenarioAdmin(admin.ModelAdmin):
    """Saved scenarios are immutable: staff may look and delete (spam, personal data),
    never add or edit."""

    list_display = (
        "name",
        "public_id",
        "model_name",
        "gpu_column",
        "estimator_version",
        "created_at",
        "permalink",
    )
    list_filter = ("estimator_version", "created_at")
    search_fields = ("name", "public_id")
    date_hierarchy = "created_at"
    fields = (
        "name",
        "public_id",
        "permalink",
        "created_at",
        "estimator_version",
        "notes",
        "inputs",
        "snapshot",
        "results",
        "llm_model",
        "gpu",
        "engine",
    )
    readonly_fields = fields

    @admin.display(description="Model")
    def model_name(self, obj: Scenario) -> str:
        return obj.model_name

    @admin.display(description="GPUs")
    def gpu_column(self, obj: Scenario) -> str:
        return f"{obj.num_gpus} × {obj.gpu_name}"

    @admin.display(description="Permalink")
    def permalink(self, obj: Scenario) -> str:
        return format_html('<a href="{}">{}</a>', obj.get_absolute_url(), obj.get_absolute_url())

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    """Saved plans are immutable, like scenarios: look and delete only."""

    list_display = ("__str__", "public_id", "estimator_version", "created_at", "permalink")
    list_filter = ("estimator_version", "created_at")
    search_fields = ("name", "public_id")
    fields = (
        "name",
        "public_id",
        "permalink",
        "created_at",
        "estimator_version",
        "inputs",
        "snapshot",
        "results",
    )
    readonly_fields = fields

    @admin.display(description="Permalink")
    def permalink(self, obj: Plan) -> str:
        return format_html('<a href="{}">{}</a>', obj.get_absolute_url(), obj.get_absolute_url())

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
