from __future__ import annotations

from django.urls import path

from calculator.views import accounts, api, health, pages, plans, scenarios

app_name = "calculator"

page_urls = [
    path("", pages.calculator, name="calculator"),
    path("fragments/charts", pages.fragment_charts, name="fragment-charts"),
    path(
        "fragments/gpu-comparison",
        pages.fragment_gpu_comparison,
        name="fragment-gpu-comparison",
    ),
    path("fragments/apis", pages.fragment_apis, name="fragment-apis"),
    path("fragments/trace", pages.fragment_trace, name="fragment-trace"),
    path("under-load/", plans.under_load, name="under-load"),
]

plan_urls = [
    path("plan/", plans.plan_page, name="plan"),
    path("plan/save", plans.plan_save, name="plan-save"),
    path("plan/log", plans.plan_log, name="plan-log"),
    path("plan/deploy", plans.plan_deploy, name="plan-deploy"),
    path("plan.json", plans.plan_export, {"fmt": "json"}, name="plan-export-json"),
    path("plan.csv", plans.plan_export, {"fmt": "csv"}, name="plan-export-csv"),
    path("p/<str:public_id>/", plans.plan_detail, name="plan-detail"),
    path("p/<str:public_id>/now", plans.plan_now, name="plan-now"),
    path("p/<str:public_id>.json", plans.plan_json, name="plan-json"),
    path("p/<str:public_id>.csv", plans.plan_csv, name="plan-csv"),
]

scenario_urls = [
    path("scenarios/", scenarios.scenario_list, name="scenario-list"),
    path("scenarios.csv", scenarios.scenario_list_csv, name="scenario-list-csv"),
    path("scenarios/save", scenarios.scenario_save, name="scenario-save"),
    path("scenarios/save-form", scenarios.scenario_save_form, name="scenario-save-form"),
    path("s/<str:public_id>/", scenarios.scenario_detail, name="scenario-detail"),
    path(
        "s/<str:public_id>/fragments/<str:name>",
        scenarios.scenario_fragment,
        name="scenario-fragment",
    ),
    path("s/<str:public_id>/archive", scenarios.scenario_archive, name="scenario-archive"),
    path("s/<str:public_id>.json", scenarios.scenario_json, name="scenario-json"),
    path("s/<str:public_id>.csv", scenarios.scenario_csv, name="scenario-csv"),
    path("compare/", scenarios.scenario_compare, name="scenario-compare"),
]

api_urls = [
    path("api/estimate", api.api_estimate, name="api-estimate"),
    path("api/serve", api.api_serve, name="api-serve"),
    path("api/plan", api.api_plan, name="api-plan"),
    path("api/gpus", api.api_gpus, name="api-gpus"),
    path("api/models", api.api_models, name="api-models"),
    path("api/offers", api.api_offers, name="api-offers"),
    path("api/openapi.json", api.api_openapi, name="api-openapi"),
]

account_urls = [
    path("accounts/login/", accounts.login, name="login"),
    path("accounts/logout/", accounts.logout, name="logout"),
    path("accounts/tokens/", accounts.api_tokens, name="api-tokens"),
    path("accounts/tokens/<int:pk>/revoke", accounts.api_token_revoke, name="api-token-revoke"),
]

health_urls = [
    path("healthz", health.healthz, name="healthz"),
]

urlpatterns = page_urls + plan_urls + scenario_urls + api_urls + account_urls + health_urls
