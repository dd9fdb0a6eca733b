"""Saved scenarios: save, permalink, list, compare and export.

A permalink renders only what was saved (inputs, results and the catalog snapshot), so
admin edits never change it; today's catalog is consulted only to say whether it would
now answer differently.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers

from calculator import figures, ratelimit
from calculator.answers import estimate
from calculator.answers.api_table import api_rows
from calculator.answers.shared import FieldErrors
from calculator.exports import csv_response
from calculator.figures import COMPARE_FIGURES, FIGURES, figure_rows, input_rows
from calculator.forms import CalculatorForm
from calculator.limits import MAX_COMPARE_IDS, MAX_COMPARED
from calculator.models import Scenario, ScenarioQuerySet
from calculator.scenario_forms import ScenarioForm
from calculator.snapshots import saved_inputs, saved_offerings
from calculator.views import HtmxHttpRequest

SCENARIOS_PER_PAGE = 25


def _noindex(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Saved scenarios are shared by link; search engines should not list them."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs) -> HttpResponse:
        response = view(*args, **kwargs)
        response.headers["X-Robots-Tag"] = "noindex"
        return response

    return wrapper


def _calculator_url(inputs: dict) -> str:
    # In the form's field order, as the page writes its own URLs: a JSON column need
    # not keep key order (PostgreSQL's jsonb doesn't).
    ordered = {name: inputs[name] for name in CalculatorForm.base_fields if name in inputs}
    return reverse("calculator:calculator") + "?" + urlencode(ordered)


def _current_form(request: HttpRequest) -> CalculatorForm | None:
    """The calculator inputs carried in a query string with current=1, if any."""
    if not request.GET.get("current"):
        return None
    return CalculatorForm(request.GET)


# Section: save


@require_POST
@vary_on_headers("HX-Request")
def scenario_save(request: HtmxHttpRequest) -> HttpResponse:
    form = CalculatorForm(request.POST)
    scenario_form = ScenarioForm(request.POST)
    verdict = ratelimit.hit("save", request, settings.CALCULATOR_SAVE_RATE)
    if not verdict.allowed:
        return _rate_limited(request, form, scenario_form, verdict)
    scenario = None
    # Both forms validate, so every error shows at once.
    if all([form.is_valid(), scenario_form.is_valid()]):
        saved = estimate.save(
            form,
            name=scenario_form.cleaned_data["name"],
            notes=scenario_form.cleaned_data["notes"],
            author=request.user if request.user.is_authenticated else None,
            visibility=scenario_form.cleaned_data["visibility"],
        )
        scenario = None if isinstance(saved, FieldErrors) else saved
    if scenario is not None and not request.htmx:
        return redirect(scenario)
    context = {
        "form": form,
        "scenario_form": scenario_form,
        "saved_scenario": scenario,
        "permalink": scenario and request.build_absolute_uri(scenario.get_absolute_url()),
    }
    if request.htmx:
        return render(request, "calculator/_save_scenario.html", context)
    return render(request, "calculator/scenario_save.html", context)


def _rate_limited(
    request: HtmxHttpRequest,
    form: CalculatorForm,
    scenario_form: ScenarioForm,
    verdict: ratelimit.Verdict,
) -> HttpResponse:
    """Nothing saved. htmx 2 does not swap a 4xx response, so the save box gets a 200
    fragment with the message (the user's name and notes kept); without htmx, a 429
    page. Both say when to try again (Retry-After)."""
    context = {
        "form": form,
        "scenario_form": scenario_form,
        "rate_limited": verdict,
    }
    form.is_valid()  # the fragment shows the inputs' errors, if any, too
    if request.htmx:
        response = render(request, "calculator/_save_scenario.html", context)
    else:
        response = render(request, "calculator/scenario_save.html", context, status=429)
    response.headers["Retry-After"] = str(verdict.retry_after_s)
    return response


@require_GET
def scenario_save_form(request: HttpRequest) -> HttpResponse:
    """A blank save form for the calculator's current inputs (after a save)."""
    return render(request, "calculator/_save_scenario.html", {"form": CalculatorForm(request.GET)})


# Section: permalink


@require_GET
@_noindex
def scenario_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    scenario = get_object_or_404(Scenario.objects.select_related("author"), public_id=public_id)
    results, snapshot = scenario.results, scenario.snapshot
    inputs = saved_inputs(scenario.inputs, snapshot)
    # The calculator's result partials, drawn from what was saved.
    context = estimate.partials_context(results, inputs)
    context.update(
        scenario=scenario,
        snapshot=snapshot,
        input_rows=input_rows([(scenario.inputs, snapshot)]),
        fragment_urls={
            name: reverse("calculator:scenario-fragment", args=[public_id, name])
            for name in SCENARIO_FRAGMENTS
        },
        now=estimate.now(scenario),
        price_override=scenario.inputs.get("gpu_hourly_usd"),
        recalculate_url=_calculator_url({**scenario.inputs, "gpu_hourly_usd": ""}),
        duplicate_url=_calculator_url(scenario.inputs),
        # The permalink has no "Under load": the calculator's, for these inputs.
        under_load=f"{_calculator_url(scenario.inputs)}#under-load",
        permalink=request.build_absolute_uri(scenario.get_absolute_url()),
        can_archive=scenario.can_archive(request.user),
    )
    return render(request, "calculator/scenario_detail.html", context)


# The permalink's larger sections, loaded as the calculator's are: the API table when
# it scrolls into view, the saved trace when "show the math" is opened. A saved
# scenario never changes, so a browser may keep them.
SCENARIO_FRAGMENTS = {
    "apis": "calculator/_estimate/apis.html",
    "trace": "calculator/_estimate/trace_steps.html",
}
SCENARIO_FRAGMENT_MAX_AGE = 7 * 24 * 60 * 60  # seconds


@require_GET
@_noindex
def scenario_fragment(request: HttpRequest, public_id: str, name: str) -> HttpResponse:
    if name not in SCENARIO_FRAGMENTS:
        raise Http404("No such section.")
    scenario = get_object_or_404(Scenario, public_id=public_id)
    results = scenario.results
    inputs = saved_inputs(scenario.inputs, scenario.snapshot)
    context = estimate.partials_context(results, inputs)
    if name == "apis":
        context["api_rows"] = api_rows(results, saved_offerings(scenario.snapshot))
    response = render(request, SCENARIO_FRAGMENTS[name], context)
    patch_cache_control(response, public=True, max_age=SCENARIO_FRAGMENT_MAX_AGE)
    return response


@require_POST
def scenario_archive(request: HttpRequest, public_id: str) -> HttpResponse:
    """Archive (hide from the list) or restore: the author or staff only. The
    permalink keeps answering either way; nothing is deleted."""
    scenario = get_object_or_404(Scenario, public_id=public_id)
    if not scenario.can_archive(request.user):
        raise PermissionDenied("Only the scenario's author or staff may archive it.")
    scenario.set_archived(request.POST.get("archived") != "0", request.user)
    return redirect(scenario)


# Section: list


def _listed(request: HttpRequest) -> tuple[ScenarioQuerySet, bool]:
    """The list's scenarios: everyone's listed ones, or with ?mine=1 all of the
    signed-in user's own (unlisted and archived included, marked)."""
    mine = bool(request.GET.get("mine")) and request.user.is_authenticated
    scenarios = Scenario.objects.by(request.user) if mine else Scenario.objects.listed()
    scenarios = scenarios.select_related("author").search(request.GET.get("q", ""))
    return scenarios, mine


@require_GET
@_noindex
def scenario_list(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    scenarios, mine = _listed(request)
    page = Paginator(scenarios, SCENARIOS_PER_PAGE).get_page(request.GET.get("page"))
    current = _current_form(request)
    context = {
        "page": page,
        "query": query,
        "mine": mine,
        "current_inputs": current.inputs() if current and current.is_valid() else None,
        "figures": FIGURES,
    }
    return render(request, "calculator/scenario_list.html", context)


# Section: compare


@dataclass(frozen=True)
class Column:
    label: str
    url: str
    scenario: Scenario | None
    inputs: dict
    snapshot: dict
    results: dict


@require_GET
@_noindex
def scenario_compare(request: HttpRequest) -> HttpResponse:
    ids = list(dict.fromkeys(request.GET.getlist("s")))
    if len(ids) > MAX_COMPARE_IDS:
        return render(
            request,
            "calculator/scenario_compare.html",
            {"too_many": len(ids), "max_compare_ids": MAX_COMPARE_IDS, "columns": []},
            status=400,
        )
    truncated = len(ids) > MAX_COMPARED
    ids = ids[:MAX_COMPARED]
    found = {s.public_id: s for s in Scenario.objects.filter(public_id__in=ids)}
    if any(public_id not in found for public_id in ids):
        raise Http404("No such scenario.")
    columns = [
        Column(s.name, s.get_absolute_url(), s, s.inputs, s.snapshot, s.results)
        for s in (found[public_id] for public_id in ids)
    ]
    current = _current_form(request)
    if current is not None:
        result = estimate.answer(current)
        if not isinstance(result, FieldErrors):
            computed = result.computed()
            columns.append(
                Column(
                    "Current form",
                    _calculator_url(computed.inputs),
                    None,
                    computed.inputs,
                    computed.snapshot,
                    computed.results,
                )
            )
    if len(columns) > MAX_COMPARED:
        truncated = True
        columns = columns[:MAX_COMPARED]
    context = {
        "columns": columns,
        "truncated": truncated,
        "max_compared": MAX_COMPARED,
        "current_errors": current.errors if current is not None else None,
        "input_rows": input_rows([(c.inputs, c.snapshot) for c in columns]),
        "result_rows": figure_rows(COMPARE_FIGURES, [c.results for c in columns]),
        "comparison_url": request.build_absolute_uri(),
    }
    return render(request, "calculator/scenario_compare.html", context)


# Section: export


def _export(request: HttpRequest, scenario: Scenario) -> dict:
    return {
        "public_id": scenario.public_id,
        "name": scenario.name,
        "notes": scenario.notes,
        "permalink": request.build_absolute_uri(scenario.get_absolute_url()),
        "created_at": scenario.created_at.isoformat(),
        "author": scenario.author.get_username() if scenario.author else None,
        "visibility": scenario.visibility,
        "archived": scenario.is_archived,
        "estimator_version": scenario.estimator_version,
        "inputs": scenario.inputs,
        "snapshot": scenario.snapshot,
        "results": scenario.results,
    }


def _flatten(value, prefix: str) -> Iterable[tuple[str, object]]:
    """Dotted keys for nested JSON: {"a": {"b": [1]}} gives ("a.b.0", 1)."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _flatten(item, f"{prefix}.{key}" if prefix else key)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _flatten(item, f"{prefix}.{index}")
    else:
        yield prefix, value


@require_GET
@_noindex
def scenario_json(request: HttpRequest, public_id: str) -> JsonResponse:
    scenario = get_object_or_404(Scenario.objects.select_related("author"), public_id=public_id)
    return JsonResponse(
        _export(request, scenario),
        json_dumps_params={"indent": 2, "ensure_ascii": False},
        headers={"Content-Disposition": f'attachment; filename="scenario-{public_id}.json"'},
    )


@require_GET
@_noindex
def scenario_csv(request: HttpRequest, public_id: str) -> HttpResponse:
    scenario = get_object_or_404(Scenario.objects.select_related("author"), public_id=public_id)
    rows = [("key", "value"), *_flatten(_export(request, scenario), "")]
    return csv_response(f"scenario-{public_id}.csv", rows)


def _figure_column(figure: figures.Figure) -> tuple[str, Callable]:
    return figure.column, lambda s: figure.of(s.results)


LIST_CSV_COLUMNS = (
    ("public_id", lambda s: s.public_id),
    ("name", lambda s: s.name),
    ("created_at", lambda s: s.created_at.isoformat()),
    ("author", lambda s: s.author.get_username() if s.author else ""),
    ("model", lambda s: s.model_name),
    ("gpu", lambda s: s.gpu_name),
    ("gpus", lambda s: s.inputs["gpus"]),
    _figure_column(figures.BATCH),
    ("prompt_tokens", lambda s: s.inputs["prompt"]),
    ("completion_tokens", lambda s: s.inputs["completion"]),
    ("weights", lambda s: s.inputs["weights"]),
    ("engine", lambda s: s.snapshot["engine"]["name"]),
    *(_figure_column(figure) for figure in figures.EXPORT_FIGURES),
    ("gpu_price_as_of", lambda s: s.snapshot["gpu"]["price_as_of"]),
    # The price used (snapshots from before cloud offers have none).
    ("price_basis", lambda s: (s.snapshot.get("price") or {}).get("basis")),
    ("price_provider", lambda s: (s.snapshot.get("price") or {}).get("provider")),
    ("price_instance_type", lambda s: (s.snapshot.get("price") or {}).get("instance_type")),
    ("price_usd_per_gpu_hour", lambda s: (s.snapshot.get("price") or {}).get("usd_per_gpu_hour")),
    ("price_as_of", lambda s: (s.snapshot.get("price") or {}).get("as_of")),
    ("estimator_version", lambda s: s.estimator_version),
    ("notes", lambda s: s.notes),
)


@require_GET
@_noindex
def scenario_list_csv(request: HttpRequest) -> HttpResponse:
    scenarios = _listed(request)[0].iterator()

    def rows():
        yield (*(name for name, _ in LIST_CSV_COLUMNS), "permalink")
        for s in scenarios:
            permalink = request.build_absolute_uri(s.get_absolute_url())
            yield (*(value(s) for _, value in LIST_CSV_COLUMNS), permalink)

    return csv_response("scenarios.csv", rows())
