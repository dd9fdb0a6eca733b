"""The calculator page: the form on the left, the results on the right.

One view answers the page and each keystroke. A GET renders the whole page (the query
string, if any, is the form's state, so a URL reproduces a view); htmx POSTs every
change and gets back the results partial only (headline, memory, performance, cost,
warnings), swapped in place, while the form the user is typing in stays untouched.

What costs more estimates (the charts against batch size, the GPU comparison) or more
HTML (the API table, "show the math") loads as its own fragment: a small GET endpoint
keyed by the form's query string, fetched when the section scrolls into view (or, for
the math, when it is opened), and cacheable, since the URL carries the catalog version.
"""

from __future__ import annotations

import hashlib
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_GET, require_http_methods
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import push_url

from calculator.answers import api_table, batch_charts, estimate, gpu_comparison
from calculator.answers.estimate import ALL_APIS_PARAM, Estimated
from calculator.answers.shared import FieldErrors, PriceUsed
from calculator.forms import CalculatorForm, CustomModel
from calculator.models import GpuType, LlmModel
from calculator.views import HtmxHttpRequest

# Hidden inputs recording which GPU the typed price was for and which model the
# sequence length's limit was shown for. When they differ from the posted choice, that
# choice just changed, and the linked field is refreshed out of band.
PRICE_GPU = "price_gpu"
CONTEXT_MODEL = "context_model"


@require_http_methods(["GET", "HEAD", "POST"])
@vary_on_headers("HX-Request", "HX-History-Restore-Request")
def calculator(request: HtmxHttpRequest) -> HttpResponse:
    data, refresh = _form_data(request)
    form = CalculatorForm(data)
    # "Show all" API offerings: a plain link (GET ?apis=all), so it works without
    # JavaScript and keystrokes don't render hundreds of rows nobody opened.
    context = _calculator_context(form, all_apis=request.GET.get(ALL_APIS_PARAM) == "all")
    # A history restore (the back button) asks for the whole page, htmx or not.
    if request.htmx and not request.htmx.history_restore_request:
        context.update(oob=True, refresh=refresh)
        response = render(request, "calculator/calculator.html#results", context)
        if context["result"] is not None:
            push_url(response, f"{request.path}?{context['query']}")
        return response
    return render(request, "calculator/calculator.html", context)


def _form_data(request: HtmxHttpRequest) -> tuple[QueryDict | dict, set[str]]:
    """The data to bind, and which linked fields an htmx response must refresh."""
    if request.method == "POST":
        data = request.POST.dict()  # the form reads one value per field: the last
    elif request.GET:
        data = estimate.with_defaults(request.GET)
    else:
        return dict(estimate.DEFAULTS), set()
    refresh = set()
    # htmx posts each change on its own, so a GPU or model that differs from the one
    # recorded in the form was picked just now. Without JavaScript, several fields may
    # change in one submit, and what the user typed is kept as it is.
    if request.htmx and data.get(PRICE_GPU, data.get("gpu")) != data.get("gpu"):
        data["gpu_hourly_usd"] = ""  # the typed price was for the previous GPU
        refresh.add("price")
    if request.htmx and data.get(CONTEXT_MODEL, data.get("model")) != data.get("model"):
        refresh.add("seq_len")
    return data, refresh


def _calculator_context(form: CalculatorForm, all_apis: bool = False) -> dict:
    """Everything the page and the results partial show, for any state of the form."""
    # The keystroke compares the default offerings (the model's own and the closed
    # references): its break-even figure; the API table is a fragment.
    result = estimate.answer(form)
    # The fields that passed validation are here even when others failed.
    gpu = form.cleaned_data.get("gpu")
    model = form.cleaned_data.get("model")
    _describe_linked_fields(form, gpu, model, estimate.price_hint(form, result))
    context = {
        "form": form,
        "result": None,
        "gpu": gpu,
        "model": model,
        "accuracy": estimate.accuracy(),
        "oob": False,
        "under_load": "#under-load",  # the link to the results' "Under load" section
        "refresh": set(),
        "price_gpu_name": PRICE_GPU,
        "context_model_name": CONTEXT_MODEL,
    }
    if isinstance(result, FieldErrors):
        return context
    query = urlencode(result.inputs)  # the state as a URL: pushed, and keys the fragments
    context.update(
        estimate.partials_context(result.results(), result.shown_inputs()),
        fragment_urls=_fragment_urls(form, query, all_apis),
        query=query,
        compare_url=f"{reverse('calculator:scenario-list')}?{query}&current=1",
    )
    return context


# Fragments: the sections that load on their own


# Fragment URLs carry the catalog version, so an admin edit gives new URLs and a
# cached fragment is never stale; a day bounds what a browser keeps.
FRAGMENT_MAX_AGE = 24 * 60 * 60  # seconds
FRAGMENTS = ("apis", "charts", "gpu_comparison", "trace")
CATALOG_KEY = "cv"


def _catalog_key(form: CalculatorForm) -> str:
    """A short name for the catalog's version, for fragment URLs."""
    return hashlib.blake2b(repr(form.catalog.version).encode(), digest_size=6).hexdigest()


def _fragment_urls(form: CalculatorForm, query: str, all_apis: bool) -> dict[str, str]:
    query += f"&{CATALOG_KEY}={_catalog_key(form)}"
    urls = {
        name: f"{reverse('calculator:fragment-' + name.replace('_', '-'))}?{query}"
        for name in FRAGMENTS
    }
    if all_apis:  # the page was asked for every offering (?apis=all)
        urls["apis"] += f"&{ALL_APIS_PARAM}=all"
    return urls


def _fragment(request: HttpRequest, template: str, section, *, trace: bool = False) -> HttpResponse:
    """Validate the query string, estimate, and render one section with
    `section(estimated)` added to the result partials' context."""
    data = request.GET.copy()
    asked_for = data.pop(CATALOG_KEY, [None])[-1]
    form = CalculatorForm(estimate.with_defaults(data))
    result = estimate.answer(form, all_apis=data.get(ALL_APIS_PARAM) == "all", trace=trace)
    if isinstance(result, FieldErrors):
        # The page never asks for this; a hand-edited URL gets the reason, not a 500.
        response = render(request, "calculator/_estimate/fragment_error.html", {"form": form})
    else:
        context = estimate.partials_context(result.estimate.as_dict(), result.shown_inputs())
        context.update(section(result))
        response = render(request, template, context)
    if asked_for == _catalog_key(form):
        patch_cache_control(response, public=True, max_age=FRAGMENT_MAX_AGE)
    else:  # a URL from before a catalog edit, or typed by hand: today's answer, not kept
        patch_cache_control(response, no_cache=True)
    return response


@require_GET
def fragment_charts(request: HttpRequest) -> HttpResponse:
    return _fragment(
        request,
        "calculator/_estimate/charts.html",
        lambda result: {"charts": batch_charts.answer(result)},
    )


@require_GET
def fragment_gpu_comparison(request: HttpRequest) -> HttpResponse:
    return _fragment(
        request,
        "calculator/_estimate/gpu_comparison.html",
        lambda result: {"gpu_options": gpu_comparison.answer(result), "price": result.price},
    )


@require_GET
def fragment_apis(request: HttpRequest) -> HttpResponse:
    all_apis = request.GET.get(ALL_APIS_PARAM) == "all"

    def rows(result: Estimated) -> dict:
        query = urlencode({**result.inputs, ALL_APIS_PARAM: "all"})
        return {
            **api_table.answer(result, all_apis=all_apis),
            "all_apis_url": f"{reverse('calculator:calculator')}?{query}#apis-title",
            "all_apis_fragment_url": f"{reverse('calculator:fragment-apis')}?{query}",
        }

    return _fragment(request, "calculator/_estimate/apis.html", rows)


@require_GET
def fragment_trace(request: HttpRequest) -> HttpResponse:
    return _fragment(
        request, "calculator/_estimate/trace_steps.html", lambda result: {}, trace=True
    )


def _describe_linked_fields(
    form: CalculatorForm,
    gpu: GpuType | None,
    model: LlmModel | CustomModel | None,
    price: PriceUsed | None,
) -> None:
    """Show the price that applies without a typed one, and the model's context, on
    their fields."""
    if price is not None and price.usd_per_gpu_hour is not None:
        form.fields["gpu_hourly_usd"].widget.attrs["placeholder"] = (
            f"{price.usd_per_gpu_hour:.2f} ({price.provider or 'catalog'})"
        )
    elif gpu is not None:
        form.fields["gpu_hourly_usd"].widget.attrs["placeholder"] = (
            f"{gpu.hourly_price_usd:.2f} (catalog)"
            if gpu.hourly_price_usd is not None
            else "No price: enter one"
        )
    if model is not None:
        form.fields["seq_len"].widget.attrs["max"] = model.max_context
        # The bound field copied the help text when it was first used; set it there.
        form["seq_len"].help_text = (
            f"Tokens held per sequence, up to {model.max_context:,} ({model.name}'s "
            "context); empty means prompt + completion."
        )
