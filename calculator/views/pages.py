"""The calculator page (placeholder until the page lands)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_http_methods


@require_http_methods(["GET", "POST"])
def calculator(request: HttpRequest) -> HttpResponse:
    return HttpResponse("The calculator page is coming; the JSON API is at /api/estimate.")
