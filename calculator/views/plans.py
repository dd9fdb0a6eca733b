"""The capacity planner page, saved plans, and the calculator's "Under load" fragment.

Planning takes a second or so, so the page renders its form at once and asks for the
results with htmx (an indicator shows while it works); without JavaScript the form's
GET renders the results in the page. Saved plans are immutable: the permalink renders
the JSON saved, and "saved vs now" is a lazy fragment that plans again.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers

from calculator import ratelimit
from calculator.answers import capacity
from calculator.answers import under_load as under_load_answer
from calculator.answers.shared import FieldErrors
from calculator.exports import csv_response
from calculator.models import Plan
from calculator.plan_forms import PlanForm, PlanLogForm
from calculator.shedding import heavy
from calculator.views import HtmxHttpRequest, log_body_refusal


def _plan_context(form: PlanForm) -> dict:
    """What the results partial shows for a form."""
    result = capacity.answer(form)
    if isinstance(result, FieldErrors):
        return {"form": form, **capacity.partials_context(None), "inputs": None}
    return {
        "form": form,
        **capacity.partials_context(result.results),
        "inputs": result.inputs,
        "deploy_query": urlencode(result.inputs),
    }


# Section: the page


@require_GET
@vary_on_headers("HX-Request")
@heavy(when=lambda request: bool(request.GET))  # the bare page plans nothing
def plan_page(request: HtmxHttpRequest) -> HttpResponse:
    if request.htmx:
        # The results, and each field's message and the phone's strip out of band: the
        # form being typed in is never swapped.
        form = PlanForm(capacity.with_defaults(request.GET))
        context = {**_plan_context(form), "oob": True}
        return render(request, "calculator/plan.html#plan-results", context)
    if request.GET:
        form = PlanForm(capacity.with_defaults(request.GET))
        context = _plan_context(form)
        context["lazy"] = False
    else:
        # The example, planned on load through htmx so the page shows at once.
        form = PlanForm(dict(capacity.DEFAULTS))
        context = {"form": form, "plan": None, "chart": None, "lazy": True}
    return render(request, "calculator/plan.html", {**context, **_page_context(form)})


def _page_context(form: PlanForm) -> dict:
    """What the whole page adds to the results: the pickers, the hourly table, the
    inputs the log upload carries without JavaScript."""
    return {
        "lazy_url": reverse("calculator:plan") + "?" + urlencode(capacity.DEFAULTS),
        "picks": capacity.pickers(form),
        "day_table": capacity.day_table(),
        "carried": capacity.carried_inputs(form),
    }


@require_POST
@vary_on_headers("HX-Request")
@heavy
def plan_log(request: HtmxHttpRequest) -> HttpResponse:
    """The plan for an uploaded request log (a CSV) with the page's other inputs: the
    log gives the rates (capacity.log_query). Nothing is saved; under htmx the results
    and each field's message out of band, as a keystroke gets them."""
    if refusal := log_body_refusal(request):
        return HttpResponse(refusal, status=400, content_type="text/plain")
    form = PlanLogForm(capacity.log_query(request.POST), request.FILES)
    if request.htmx:
        context = {**_plan_context(form), "oob": True}
        return render(request, "calculator/plan.html#plan-results", context)
    context = {**_plan_context(form), "lazy": False, **_page_context(form)}
    return render(request, "calculator/plan.html", context)


@require_GET
@heavy
def plan_deploy(request: HttpRequest) -> HttpResponse:
    """One option's deploy recipe as a file: ``as=command`` (a shell script) or
    ``as=yaml`` (the Kubernetes manifest); ``option`` names it (capacity.option_key)."""
    form = PlanForm(capacity.with_defaults(request.GET))
    recipe = capacity.deploy_file(
        capacity.answer(form), request.GET.get("option", ""), request.GET.get("as", "")
    )
    if recipe is None:
        return HttpResponse(
            "No recipe: check the plan's inputs, option= and as= (command or yaml).",
            status=404,
            content_type="text/plain",
        )
    response = HttpResponse(recipe.text, content_type=recipe.content_type)
    response.headers["Content-Disposition"] = f'attachment; filename="{recipe.filename}"'
    return response


# Section: saved plans


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
    form = PlanLogForm(capacity.with_defaults(request.POST), request.FILES)
    saved = capacity.save(
        form,
        name=request.POST.get("name", ""),
        author=request.user if request.user.is_authenticated else None,
    )
    if isinstance(saved, FieldErrors):
        context = {"form": form, **capacity.partials_context(None), "inputs": None, "lazy": False}
        return render(request, "calculator/plan.html", context, status=200)
    return redirect(saved)


@require_GET
def plan_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    saved = get_object_or_404(Plan, public_id=public_id)
    context = {
        "saved": saved,
        **capacity.partials_context(saved.results),
        "recalculate_url": reverse("calculator:plan") + "?" + urlencode(saved.inputs),
        "permalink": request.build_absolute_uri(saved.get_absolute_url()),
    }
    response = render(request, "calculator/plan_detail.html", context)
    response.headers["X-Robots-Tag"] = "noindex"
    return response


@require_GET
@heavy
def plan_now(request: HttpRequest, public_id: str) -> HttpResponse:
    """Saved vs now: the same inputs planned with today's catalog and estimator."""
    saved = get_object_or_404(Plan, public_id=public_id)
    context = {"saved": saved, **capacity.now(saved)}
    return render(request, "calculator/plan_detail.html#saved-vs-now", context)


@require_GET
def plan_json(request: HttpRequest, public_id: str) -> JsonResponse:
    saved = get_object_or_404(Plan, public_id=public_id)
    return JsonResponse(
        {
            "public_id": saved.public_id,
            "name": saved.name,
            "created_at": saved.created_at.isoformat(),
            "inputs": saved.inputs,
            "snapshot": saved.snapshot,
            "traffic_profile": saved.traffic,
            **saved.results,
        },
        json_dumps_params={"indent": 2},
    )


CSV_COLUMNS = (
    "gpu",
    "gpus_per_replica",
    "weights",
    "kv",
    "parallelism",
    "engine",
    "meets_targets",
    "max_rate_per_replica",
    "replicas",
    "ttft_ms",
    "tpot_ms",
    "usd_per_hour",
    "usd_per_month",
    "usd_per_1m_tokens",
    "utilization",
    "price_source",
    "provider",
    "instance_type",
    "region",
    "price_as_of",
    "price_kind",
    "price_flag",
    "tokens_per_second_per_gpu",
    "tokens_per_second_per_user",
    "on_pareto_front",
    "reasons",
)


def _csv_rows(results: dict):
    """A plan's options as CSV rows (a saved plan's or one just planned); columns a
    plan saved before they existed are empty."""
    yield CSV_COLUMNS
    for option in results["options"]:
        yield (
            *(option.get(column) for column in CSV_COLUMNS[:-1]),
            " ".join(option["reasons"]),
        )


@require_GET
def plan_csv(request: HttpRequest, public_id: str) -> HttpResponse:
    saved = get_object_or_404(Plan, public_id=public_id)
    return csv_response(f"plan-{saved.public_id}.csv", _csv_rows(saved.results))


# Section: exports of a plan not saved (/plan.json?<query>, /plan.csv?<query>)


def _planned(request: HttpRequest) -> capacity.Planned | JsonResponse:
    """The plan the page's query describes, or a 400 naming the fields at fault."""
    form = PlanForm(capacity.with_defaults(request.GET))
    result = capacity.answer(form)
    if isinstance(result, FieldErrors):
        return JsonResponse({"errors": result.errors}, status=400)
    return result


@require_GET
@heavy
def plan_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """What /plan/?<query> shows, without saving: as /api/plan answers it ("json"), or
    the options as a saved plan's CSV ("csv")."""
    planned = _planned(request)
    if isinstance(planned, JsonResponse):
        return planned
    if fmt == "csv":
        return csv_response("plan.csv", _csv_rows(planned.results))
    return JsonResponse(planned.as_json(), json_dumps_params={"indent": 2})


# Section: "Under load" on the calculator page


@require_GET
@heavy
def under_load(request: HttpRequest) -> HttpResponse:
    """The simulator's latencies for the calculator's configuration at a rate (default
    70% of its capacity) and a latency-vs-rate chart up to the capacity."""
    form = under_load_answer.form(request.GET)
    result = under_load_answer.answer(form)
    if isinstance(result, FieldErrors):
        context = {"form": form, "result": None, "errors": result.errors}
    else:
        context = {
            "form": form,
            "result": result.result,
            "shape": result.result.as_dict(),
            "rate": result.rate,
            "capacity": result.capacity,
            "charts": result.charts,
        }
    return render(request, "calculator/_under_load.html", context)
