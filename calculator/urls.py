from __future__ import annotations

from django.urls import path

from calculator.views import api, pages

app_name = "calculator"

api_urls = [
    path("api/estimate", api.api_estimate, name="api-estimate"),
    path("api/gpus", api.api_gpus, name="api-gpus"),
    path("api/models", api.api_models, name="api-models"),
]

page_urls = [
    path("", pages.calculator, name="calculator"),
]

urlpatterns = page_urls + api_urls
