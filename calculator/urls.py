from __future__ import annotations

from django.urls import path

from calculator.views import api, health, pages, scenarios

app_name = "calculator"

page_urls = [
    path("", pages.calculator, name="calculator"),
    path("fragments/charts", pages.fragment_charts, name="fragment-charts"),
    path("fragments/gpus", pages.fragment_gpus, name="fragment-gpus"),
    path("fragments/apis", pages.fragment_apis, name="fragment-apis"),
    path("fragments/trace", pages.fragment_trace, name="fragment-trace"),
]

scenario_urls = [
    path("scenarios/", scenarios.scenario_list, name="scenario-list"),
    path("scenarios.csv", scenarios.scenario_list_csv, name="scenario-list-csv"),
    path("scenarios/save", scenarios.scenario_save, name="scenario-save"),
    path("s/<str:public_id>/", scenarios.scenario_detail, name="scenario-detail"),
    path(
        "s/<str:public_id>/fragments/<str:name>",
        scenarios.scenario_fragment,
        name="scenario-fragment",
    ),
    path("s/<str:public_id>.json", scenarios.scenario_json, name="scenario-json"),
    path("s/<str:public_id>.csv", scenarios.scenario_csv, name="scenario-csv"),
    path("compare/", scenarios.scenario_compare, name="scenario-compare"),
]

api_urls = [
    path("api/estimate", api.api_estimate, name="api-estimate"),
    path("api/gpus", api.api_gpus, name="api-gpus"),
    path("api/models", api.api_models, name="api-models"),
]

health_urls = [
    path("healthz", health.healthz, name="healthz"),
]

urlpatterns = page_urls + scenario_urls + api_urls + health_urls
