"""Admin for the catalog: specs and prices are edited here, and every edit is kept.

SimpleHistoryAdmin adds a "History" view to each row, so a changed price or spec can be
traced back to who changed it and when. Cloud offers and API prices also import and
export as files (django-import-export): an upload is validated row by row and shown
as a preview of what changes, and nothing is saved until it is confirmed.
"""

from __future__ import annotations

import datetime
from dataclasses import replace
from urllib.parse import urlencode

from django import forms
from django.contrib import admin
from django.core.exceptions import (
    NON_FIELD_ERRORS,
    FieldDoesNotExist,
    PermissionDenied,
    ValidationError,
)
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from import_export.admin import ImportExportMixin
from import_export.formats.base_formats import CSV, XLSX
from simple_history.admin import SimpleHistoryAdmin

from calculator import estimator, jsonbody
from calculator.estimator import count_parameters, pricing
from calculator.estimator.hf_config import ConfigError, model_from_config
from calculator.estimator.params import official_count_gap
from calculator.models.catalog import ApiOffering, CloudOffer, EngineProfile, GpuType, LlmModel
from calculator.resources import (
    LITELLM_SOURCE,
    ApiPriceResource,
    CloudOfferResource,
    LiteLLMPriceMap,
    SignedFormStorage,
)


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


# The catalog keeps every model's count within this share of the publisher's
# (tests/test_estimator_catalog.py); the admin holds new and edited rows to it.
OFFICIAL_COUNT_TOLERANCE = 0.01

# The LlmModel fields a config.json fills, in the add form's query string.
CONFIG_FIELDS = (
    *LlmModel.SIZE_FIELDS,
    "tie_word_embeddings",
    "qkv_bias",
    "num_experts",
    "experts_per_token",
    "moe_intermediate_size",
    "shared_experts",
    "moe_layer_step",
    "extra_params",
    "attention_window",
    "local_layers",
    "chunked_attention",
    "attention_sinks",
    "output_bias",
    "qk_norm",
    "extra_norms_per_layer",
    "kv_lora_rank",
    "q_lora_rank",
    "qk_rope_head_dim",
    "qk_nope_head_dim",
    "v_head_dim",
    "first_dense_layers",
    "expert_bias",
    "expert_format",
)


def _count_gap_error(spec: estimator.ModelSpec) -> str | None:
    """The message for a parameter count off the official one, or None."""
    gap = official_count_gap(spec)
    if gap is None or abs(gap) <= OFFICIAL_COUNT_TOLERANCE:
        return None
    counted = count_parameters(spec).total
    return (
        f"The architecture gives {counted:,} parameters, {gap:+.1%} from the official "
        f"{spec.official_params:,} (more than {OFFICIAL_COUNT_TOLERANCE:.0%}): check the "
        "dimensions, or the official count and what it includes (a vision encoder goes in "
        "extra params)."
    )


class LlmModelAdminForm(CatalogAdminForm):
    def _post_clean(self) -> None:
        super()._post_clean()
        # The full change form only: the changelist edits "active" alone.
        if "official_params" in self.fields and not self.errors:
            message = _count_gap_error(self.instance.to_spec())
            if message:
                self.add_error("official_params", message)


class ModelFromConfigForm(forms.Form):
    """What the admin's "add from config.json" asks: the config and what it cannot say."""

    config = forms.CharField(
        label="config.json",
        widget=forms.Textarea(attrs={"rows": 16, "cols": 90, "spellcheck": "false"}),
        help_text="The model's config.json from its Hugging Face repository.",
    )
    official_params = forms.IntegerField(
        required=False,
        min_value=1,
        help_text="The publisher's total parameter count, if known: the count read from the "
        "config must be within 1% of it.",
    )

    def clean(self):
        cleaned = super().clean()
        text = cleaned.get("config")
        if not text:
            return cleaned
        try:
            config = jsonbody.loads(text)
        except jsonbody.JsonError as error:
            self.add_error("config", error.message)
            return cleaned
        try:
            spec, warnings = model_from_config(config)
        except ConfigError as error:
            self.add_error("config", error.message)
            return cleaned
        official = cleaned.get("official_params")
        if official:
            spec = replace(spec, official_params=official)
            message = _count_gap_error(spec)
            if message:
                self.add_error("official_params", message)
        cleaned.update(spec=spec, warnings=warnings, config_object=config)
        return cleaned

    def initial_query(self) -> str:
        """The add form's query string: the fields the config filled (after is_valid())."""
        spec, config = self.cleaned_data["spec"], self.cleaned_data["config_object"]
        values: dict[str, object] = {}
        for name in CONFIG_FIELDS:
            value = getattr(spec, name)
            if isinstance(value, bool):
                if value:  # an unchecked box is left out: "False" would tick it
                    values[name] = "on"
            else:
                values[name] = value
        repo = config.get("_name_or_path")
        if isinstance(repo, str) and repo:
            values["hf_repo"] = repo
        if self.cleaned_data.get("official_params"):
            values["official_params"] = self.cleaned_data["official_params"]
        values["config_source"] = "Filled from a pasted config.json in the admin."
        values["notes"] = " ".join(self.cleaned_data["warnings"])
        return urlencode(values)


@admin.register(LlmModel)
class LlmModelAdmin(CatalogAdmin):
    form = LlmModelAdminForm
    change_list_template = "admin/calculator/llmmodel/change_list.html"
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
                    ("shared_experts", "moe_layer_step", "first_dense_layers"),
                    ("expert_bias", "expert_format"),
                    "extra_params",
                    "is_active",
                )
            },
        ),
        (
            "Attention",
            {
                "description": "Leave at 0 / unticked for a Llama-style model whose every "
                "layer attends to the whole context with grouped-query attention.",
                "fields": (
                    ("attention_window", "local_layers", "chunked_attention"),
                    ("qk_norm", "output_bias", "attention_sinks", "extra_norms_per_layer"),
                    ("kv_lora_rank", "q_lora_rank"),
                    ("qk_rope_head_dim", "qk_nope_head_dim", "v_head_dim"),
                ),
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

    def get_urls(self):
        urls = [
            path(
                "from-config/",
                self.admin_site.admin_view(self.add_from_config),
                name="calculator_llmmodel_from_config",
            )
        ]
        return urls + super().get_urls()

    def add_from_config(self, request: HttpRequest) -> HttpResponse:
        """Paste a config.json: the add form opens with the fields it fills."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = ModelFromConfigForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            add_url = reverse("admin:calculator_llmmodel_add")
            return redirect(f"{add_url}?{form.initial_query()}")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Add LLM from config.json",
            "form": form,
        }
        return render(request, "admin/calculator/llmmodel/from_config.html", context)


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
                    ("step_overhead_s", "request_overhead_s", "sequence_overhead_s"),
                    ("memory_fraction", "runtime_overhead_gib"),
                    ("max_batched_tokens", "max_num_seqs"),
                    ("pipelines_microbatches", "fp16_accumulate", "default_parallelism"),
                    "is_active",
                )
            },
        ),
        ("Source", {"fields": ("source_notes", "updated_at")}),
    )


class PriceImportMixin(ImportExportMixin):
    """Import and export through django-import-export, with the preview's diff coloured
    by our stylesheet (the site's CSP forbids the package's inline styles), and the
    upload carried from preview to confirmation in the form, signed (no server state)."""

    tmp_storage_class = SignedFormStorage

    class Media:
        css = {"all": ["css/admin.css"]}


class StalePriceFilter(admin.SimpleListFilter):
    title = "price freshness"
    parameter_name = "freshness"

    def lookups(self, request, model_admin):
        return [
            ("stale", f"Stale (over {pricing.STALE_AFTER_DAYS} days old, or undated)"),
            ("undated", "Undated"),
            ("fresh", "Fresh"),
        ]

    def queryset(self, request, queryset):
        limit = timezone.localdate() - datetime.timedelta(days=pricing.STALE_AFTER_DAYS)
        date = self.date_field
        if self.value() == "stale":
            return queryset.filter(**{f"{date}__isnull": True}) | queryset.filter(
                **{f"{date}__lt": limit}
            )
        if self.value() == "undated":
            return queryset.filter(**{f"{date}__isnull": True})
        if self.value() == "fresh":
            return queryset.filter(**{f"{date}__gte": limit})
        return queryset


class OfferStaleFilter(StalePriceFilter):
    date_field = "as_of"


class ApiStaleFilter(StalePriceFilter):
    date_field = "price_as_of"


@admin.register(ApiOffering)
class ApiOfferingAdmin(PriceImportMixin, CatalogAdmin):
    list_display = (
        "name",
        "provider",
        "llm_model",
        "input_usd_per_1m",
        "output_usd_per_1m",
        "price_as_of",
        "is_reference",
        "is_deprecated",
        "is_active",
    )
    list_editable = ("input_usd_per_1m", "output_usd_per_1m", "price_as_of", "is_active")
    list_filter = (
        "is_active",
        "is_deprecated",
        "is_reference",
        ApiStaleFilter,
        ("llm_model", admin.RelatedOnlyFieldListFilter),
        "provider",
    )
    list_select_related = ("llm_model",)
    search_fields = ("name", "slug", "provider", "api_model_id")
    autocomplete_fields = ("llm_model",)
    readonly_fields = ("updated_at",)
    fieldsets = (
        ("Specs", {"fields": (("provider", "name"), "slug", "api_model_id", "llm_model")}),
        (
            "Pricing",
            {
                "fields": (
                    ("input_usd_per_1m", "output_usd_per_1m", "price_as_of"),
                    "cached_input_usd_per_1m",
                    ("is_reference", "is_deprecated", "is_active"),
                )
            },
        ),
        ("Source", {"fields": ("price_source", "notes", "updated_at")}),
    )
    # Import: LiteLLM's price map as upstream ships it; export: a spreadsheet.
    resource_classes = [ApiPriceResource]
    import_formats = [LiteLLMPriceMap]
    export_formats = [CSV, XLSX]

    def get_import_resource_kwargs(self, request, **kwargs):
        return {
            "as_of": timezone.localdate(),
            "source": f"{LITELLM_SOURCE}, uploaded in the admin by {request.user}",
        }

    def get_export_resource_kwargs(self, request, **kwargs):
        return {}


@admin.register(CloudOffer)
class CloudOfferAdmin(PriceImportMixin, CatalogAdmin):
    list_display = (
        "gpu",
        "provider",
        "instance_name",
        "gpus_per_instance",
        "region",
        "on_demand_usd_per_gpu_hour",
        "spot_usd_per_gpu_hour",
        "as_of",
        "price_flag",
        "is_active",
    )
    list_editable = (
        "on_demand_usd_per_gpu_hour",
        "spot_usd_per_gpu_hour",
        "as_of",
        "price_flag",
        "is_active",
    )
    list_filter = (
        OfferStaleFilter,
        "price_flag",
        "provider",
        ("gpu", admin.RelatedOnlyFieldListFilter),
        "is_active",
    )
    list_select_related = ("gpu",)
    search_fields = ("gpu__name", "gpu__slug", "provider", "instance_name", "region")
    autocomplete_fields = ("gpu",)
    readonly_fields = ("updated_at",)
    fieldsets = (
        (
            "Offer",
            {"fields": (("gpu", "provider"), ("instance_name", "gpus_per_instance"), "region")},
        ),
        (
            "Pricing",
            {
                "fields": (
                    ("on_demand_usd_per_gpu_hour", "spot_usd_per_gpu_hour"),
                    "instance_on_demand_usd_per_hour",
                    ("as_of", "is_active"),
                    "price_flag",
                )
            },
        ),
        ("Source", {"fields": ("source", "notes", "updated_at")}),
    )
    # The columns of data/gpu_offers.csv, as CSV or a spreadsheet.
    resource_classes = [CloudOfferResource]
    import_formats = [CSV, XLSX]
    export_formats = [CSV, XLSX]
