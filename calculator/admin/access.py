"""Admin for access: staff issue API tokens for any user and revoke them."""

from __future__ import annotations

from django.contrib import admin
from django.template.response import TemplateResponse

from calculator.models.access import ApiToken

# Section: API tokens


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Staff issue tokens for any user and revoke them (delete). The key is shown once,
    on the page after "Save"; only its hash is stored, so it can't be shown again."""

    list_display = ("name", "user", "shown", "created_at", "last_used_at")
    list_select_related = ("user",)
    search_fields = ("name", "user__username", "shown")
    autocomplete_fields = ("user",)
    fields = ("user", "name")

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj, form, change) -> None:
        request._api_token_key = obj.set_new_key()  # for response_add, this request only
        super().save_model(request, obj, form, change)

    def response_add(self, request, obj, post_url_continue=None):
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "token": obj,
            "key": request._api_token_key,
            "title": "API token created",
        }
        return TemplateResponse(request, "admin/calculator/apitoken/created.html", context)
