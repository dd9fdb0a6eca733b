"""The capacity planner page, saved plans, and the calculator's "Under load" fragment.

Planning takes a second or so, so the page renders its form at once and asks for the
results with htmx (an indicator shows while it works); without JavaScript the form's
GET renders the results in the page. Saved plans are immutable: the permalink renders
the JSON saved, and "saved vs now" is a lazy fragment that plans again.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.middleware import HtmxDetails

from calculator import plan_charts, ratelimit
from calculator.estimator import EstimatorInputError, saturation_rate, simulate
from calculator.estimator import serving as S
from calculator.exports import csv_response
from calculator.models import Plan
from calculator.plan_forms import PLAN_DEFAULTS, PlanForm, ServeForm
from calculator.shedding import heavy

# "Under load": the default rate is this share of the analytic capacity (the issue's
# 70%: busy, short of the knee), and the chart runs up to the capacity in this many rates.
DEFAULT_LOAD_SHARE = 0.7
CHART_RATES = 8
CHART_REQUESTS = 300  # requests per point of the latency-vs-rate chart
SAVE_ATTEMPTS = 3  # public ids are random; retry on the (unlikely) collision


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


def _plan_context(form: PlanForm) -> dict:
    """What the results partial shows, for the page and for a permalink alike."""
    plan = form.plan() if form.is_valid() else None
    data = plan.as_dict() if plan else None
    return {"form": form, **_results_context(data), "inputs": form.inputs() if plan else None}


def _results_context(data: dict | None) -> dict:
    if data is None:
        return {"plan": None, "chart": None}
    best = data["best"]
    best_key = (best["gpu"], best["gpus_per_replica"], best["weights"]) if best else None
    return {"plan": data, "chart": plan_charts.tradeoff_chart(data["options"], best_key)}


# Section: the page


@require_GET
@vary_on_headers("HX-Request")
@heavy(when=lambda request: bool(request.GET))  # the bare page plans nothing
def plan_page(request: HtmxHttpRequest) -> HttpResponse:
    if request.htmx:
        form = PlanForm(_with_defaults(request.GET))
        return render(request, "calculator/plan.html#plan-results", _plan_context(form))
    if request.GET:
        form = PlanForm(_with_defaults(request.GET))
        context = _plan_context(form)
        context["lazy"] = False
    else:
        # The example, planned on load through htmx so the page shows at once.
        form = PlanForm(dict(PLAN_DEFAULTS))
        context = {"form": form, "plan": None, "chart": None, "lazy": True}
    context["lazy_url"] = reverse("calculator:plan") + "?" + urlencode(PLAN_DEFAULTS)
    return render(request, "calculator/plan.html", context)


def _with_defaults(query) -> dict:
    data = query.copy()
    for key in ("engine", "percentile", "max_gpus_per_replica"):
        if not data.get(key):
            data[key] = PLAN_DEFAULTS[key]
    return data


# Section: saved plans


def _snapshot(form: PlanForm) -> dict:
    data = form.cleaned_data
    return {
        "model": {"slug": data["model"].slug, "name": data["model"].name},
        "engine": {"slug": data["engine"].slug, "name": data["engine"].name},
        "gpus": [
            {
                "slug": gpu.slug,
                "name": gpu.name,
                "hourly_price_usd": (
                    None if gpu.hourly_price_usd is None else float(gpu.hourly_price_usd)
                ),
                "price_as_of": gpu.price_as_of.isoformat() if gpu.price_as_of else None,
            }
            for gpu in form.gpu_rows
        ],
    }


@require_POST
@heavy
def plan_save(request: HttpRequest) -> HttpResponse:
    # Plans count against the same save limit as scenarios (CALCULATOR_SAVE_RATE).
    verdict = ratelimit.hit("save", request, settings.CALCULATOR_SAVE_RATE)
    if not verdict.allowed:
        response = HttpResponse(
            f"Too many saves: try again in {verdict.retry_after_s} s.",
            status=429,
            content_type="text/plain",
        )
        response.headers["Retry-After"] = str(verdict.retry_after_s)
        return response
    form = PlanForm(_with_defaults(request.POST))
    context = _plan_context(form)
    if context["plan"] is None:
        context["lazy"] = False
        return render(request, "calculator/plan.html", context, status=200)
    name = request.POST.get("name", "").strip()[: Plan._meta.get_field("name").max_length]
    for attempt in range(SAVE_ATTEMPTS):
        try:
            with transaction.atomic():
                plan = Plan.objects.create(
                    name=name,
                    inputs=context["inputs"],
                    results=context["plan"],
                    snapshot=_snapshot(form),
                    estimator_version=context["plan"]["estimator_version"],
                    author=request.user if request.user.is_authenticated else None,
                )
            break
        except IntegrityError:
            if attempt == SAVE_ATTEMPTS - 1:
                raise
    return redirect(plan)


@require_GET
def plan_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    plan = get_object_or_404(Plan, public_id=public_id)
    context = {
        "saved": plan,
        **_results_context(plan.results),
        "recalculate_url": reverse("calculator:plan") + "?" + urlencode(plan.inputs),
        "permalink": request.build_absolute_uri(plan.get_absolute_url()),
    }
    response = render(request, "calculator/plan_detail.html", context)
    response.headers["X-Robots-Tag"] = "noindex"
    return response


@require_GET
@heavy
def plan_now(request: HttpRequest, public_id: str) -> HttpResponse:
    """Saved vs now: the same inputs planned with today's catalog and estimator."""
    plan = get_object_or_404(Plan, public_id=public_id)
    form = PlanForm(_with_defaults(plan.inputs))
    now = form.plan() if form.is_valid() else None
    context = {
        "saved": plan,
        "now": now.as_dict() if now else None,
        "problems": [f"{field}: {' '.join(m)}" for field, m in form.errors.items()],
    }
    return render(request, "calculator/plan_detail.html#saved-vs-now", context)


@require_GET
def plan_json(request: HttpRequest, public_id: str) -> JsonResponse:
    plan = get_object_or_404(Plan, public_id=public_id)
    return JsonResponse(
        {
            "public_id": plan.public_id,
            "name": plan.name,
            "created_at": plan.created_at.isoformat(),
            "inputs": plan.inputs,
            "snapshot": plan.snapshot,
            **plan.results,
        },
        json_dumps_params={"indent": 2},
    )


CSV_COLUMNS = (
    "gpu",
    "gpus_per_replica",
    "weights",
    "kv",
    "engine",
    "meets_targets",
    "max_rate_per_replica",
    "replicas",
    "ttft_ms",
    "tpot_ms",
    "usd_per_hour",
    "usd_per_month",
    "usd_per_1m_tokens",
    "price_source",
    "tokens_per_second_per_gpu",
    "tokens_per_second_per_user",
    "on_pareto_front",
    "reasons",
)


@require_GET
def plan_csv(request: HttpRequest, public_id: str) -> HttpResponse:
    plan = get_object_or_404(Plan, public_id=public_id)

    def rows():
        yield CSV_COLUMNS
        for option in plan.results["options"]:
            yield (
                *(option.get(column) for column in CSV_COLUMNS[:-1]),
                " ".join(option["reasons"]),
            )

    return csv_response(f"plan-{plan.public_id}.csv", rows())


# Section: "Under load" on the calculator page


@require_GET
@heavy
def under_load(request: HttpRequest) -> HttpResponse:
    """The simulator's latencies for the calculator's configuration at a rate (default
    70% of its capacity) and a latency-vs-rate chart up to the capacity."""
    data = request.GET.copy()
    form = ServeForm(data)
    form.also_simulates = CHART_RATES * CHART_REQUESTS  # the chart's runs, in the budget
    context: dict = {"form": form, "result": None}
    # The calculator's form is posted along (hx-include): only the fields the simulator
    # knows are read; the rate field is this fragment's own.
    for field in ("rate", "concurrency", "requests", "length_spread"):
        if field not in data:
            data[field] = ""
    requested = data.get("rate")
    if not (form.is_valid() or _only_rate_missing(form)):
        context["errors"] = form.errors
        return render(request, "calculator/_under_load.html", context)
    specs = _serve_specs(form)
    try:
        capacity = saturation_rate(*specs)
    except EstimatorInputError as error:
        context["errors"] = {"gpus": [error.message]}
        return render(request, "calculator/_under_load.html", context)
    rate = form.cleaned_data.get("rate") if requested else None
    rate = rate or round(capacity * DEFAULT_LOAD_SHARE, 3)
    result = simulate(*specs, rate=rate, requests=S.DEFAULT_REQUESTS)
    rates = sorted({*S.rate_grid(capacity, CHART_RATES), rate})
    rows_ttft, rows_tpot = [], []
    for r in rates:
        # The rate asked for is charted from the run the table shows.
        run = result if r == rate else simulate(*specs, rate=r, requests=CHART_REQUESTS)
        rows_ttft.append((r, run.ttft_s.p50 * 1e3, run.ttft_s.p95 * 1e3))
        rows_tpot.append((r, run.tpot_s.p50 * 1e3, run.tpot_s.p95 * 1e3))
    context.update(
        result=result,
        shape=result.as_dict(),
        rate=rate,
        capacity=capacity,
        charts=[
            c
            for c in (
                plan_charts.latency_chart(
                    "load-ttft", "Time to first token", rows_ttft, "ms", rate
                ),
                plan_charts.latency_chart(
                    "load-tpot", "Time per output token", rows_tpot, "ms", rate
                ),
            )
            if c is not None
        ],
    )
    return render(request, "calculator/_under_load.html", context)


def _only_rate_missing(form: ServeForm) -> bool:
    return set(form.errors) == {"rate"} and not form.data.get("rate")


def _serve_specs(form: ServeForm) -> tuple:
    data = form.cleaned_data
    return (
        data["model"].to_spec(),
        data["gpu"].to_spec(),
        data["engine"].to_spec(),
        form.workload(),
    )
