"""Signing in and out, and the signed-in user's API tokens.

Sign-in is Django's own LoginView in the app's style. In proxy mode the company's
proxy signs people in; this page then only serves local accounts (the admin's).
"""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from calculator.models import ApiToken
from calculator.scenario_forms import ApiTokenForm

login = auth_views.LoginView.as_view(
    template_name="calculator/login.html", redirect_authenticated_user=True
)
logout = auth_views.LogoutView.as_view()


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def api_tokens(request: HttpRequest) -> HttpResponse:
    """The user's tokens; a POST creates one and shows its key, this once."""
    form = ApiTokenForm(request.POST or None)
    key = None
    if request.method == "POST" and form.is_valid():
        _, key = ApiToken.issue(request.user, form.cleaned_data["name"])
        form = ApiTokenForm()
    context = {
        "form": form,
        "new_key": key,
        "tokens": ApiToken.objects.filter(user=request.user),
    }
    return render(request, "calculator/api_tokens.html", context)


@login_required
@require_POST
def api_token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    get_object_or_404(ApiToken, pk=pk, user=request.user).delete()
    return redirect("calculator:api-tokens")
