"""Admin for saved work: scenarios and plans are immutable, so staff look and delete."""

from __future__ import annotations

from django.contrib import admin
from django.utils.html import format_html

from calculator.models.saved import Plan, Scenario

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
        "author",
        "visibility",
        "archived_at",
        "estimator_version",
        "created_at",
        "permalink",
    )
    list_filter = ("visibility", ("archived_at", admin.EmptyFieldListFilter), "estimator_version")
    list_select_related = ("author",)
    search_fields = ("name", "public_id", "author__username")
    date_hierarchy = "created_at"
    fields = (
        "name",
        "public_id",
        "permalink",
        "created_at",
        "author",
        "visibility",
        "archived_at",
        "archived_by",
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


# Section: saved plans


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
        "traffic",
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
