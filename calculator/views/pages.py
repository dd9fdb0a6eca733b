"""The calculator page: the form on the left, the results on the right.

One view. A GET renders the whole page (the query string, if any, is the form's
state, so a URL reproduces a view); htmx POSTs every change and gets back the results
partial only, swapped in place, while the form the user is typing in stays untouched.
"""

from __future__ import annotations

import dataclasses
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import push_url
from django_htmx.middleware import HtmxDetails

from calculator import charts, estimator
from calculator.calibration_report import accuracy_summary
from calculator.estimates import (
    compared_offerings,
    confidence,
    estimate_form,
    form_price,
    gpu_price,
    priced_workload,
    same_model,
)
from calculator.estimator import pricing
from calculator.forms import DEFAULTS, CalculatorForm, CustomModel
from calculator.models import ApiOffering, GpuType, LlmModel
from calculator.templatetags import calc_format


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


# Hidden inputs recording which GPU the typed price was for and which model the
# sequence length's limit was shown for. When they differ from the posted choice, that
# choice just changed, and the linked field is refreshed out of band.
PRICE_GPU = "price_gpu"
CONTEXT_MODEL = "context_model"
ALL_APIS_PARAM = "apis"


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
        if context["estimate"] is not None:
            push_url(response, f"{request.path}?{urlencode(form.inputs())}")
        return response
    return render(request, "calculator/calculator.html", context)


def _form_data(request: HtmxHttpRequest) -> tuple[QueryDict | dict, set[str]]:
    """The data to bind, and which linked fields an htmx response must refresh."""
    if request.method == "POST":
        data = request.POST.copy()
    elif request.GET:
        # A shortened URL (?model=llama-3-8b) fills the rest from the defaults.
        data = request.GET.copy()
        for key, value in DEFAULTS.items():
            data.setdefault(key, str(value))
    else:
        return dict(DEFAULTS), set()
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
    active = form.catalog
    estimate = price = None
    offerings: tuple[ApiOffering, ...] = ()
    if form.is_valid():
        price = form_price(form)
        offerings, specs = compared_offerings(form, everything=all_apis)
        estimate = estimate_form(form, specs, price)
    # The fields that passed validation are here even when others failed.
    gpu = form.cleaned_data.get("gpu")
    model = form.cleaned_data.get("model")
    offer_price = price
    if price is not None and price.basis == pricing.Basis.TYPED:
        offer_price = gpu_price(form, gpu, form.cleaned_data["gpus"], typed=False)
    _describe_linked_fields(form, gpu, model, offer_price)
    context = {
        "form": form,
        "estimate": estimate,
        "gpu": gpu,
        "model": model,
        "accuracy": accuracy_summary(),
        "oob": False,
        "refresh": set(),
        "price_gpu_name": PRICE_GPU,
        "context_model_name": CONTEXT_MODEL,
    }
    if estimate is None:
        return context
    api_rows = _api_rows(estimate, offerings, model)
    context.update(
        engine=form.cleaned_data["engine"],
        price=price,
        memory_bar=charts.memory_bar(estimate.memory),
        charts=_batch_charts(form, estimate, price),
        gpu_rows=_gpu_comparison(form, estimate, active.gpus),
        api_rows=api_rows,
        # The active offerings left out unless asked for (the link says how many).
        api_rows_hidden=0 if all_apis else len(active.offerings) - len(api_rows),
        all_apis_url=f"{reverse('calculator:calculator')}?"
        + urlencode({**form.inputs(), ALL_APIS_PARAM: "all"})
        + "#apis-title",
        confidence=confidence(form, estimate),
    )
    return context


def _describe_linked_fields(
    form: CalculatorForm,
    gpu: GpuType | None,
    model: LlmModel | CustomModel | None,
    price: pricing.PriceUsed | None,
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


def _specs(form: CalculatorForm) -> tuple[estimator.ModelSpec, estimator.EngineSpec]:
    data = form.cleaned_data
    return data["model"].to_spec(), data["engine"].to_spec()


# Charts against batch size


def _batch_charts(
    form: CalculatorForm, estimate: estimator.Estimate, price: pricing.PriceUsed
) -> list[charts.LineChart]:
    """Throughput, per-sequence speed and cost from batch 1 to the largest that fits."""
    if estimate.memory.max_batch < 1:
        return []  # not one sequence fits: there is no range of batches to chart
    model, engine = _specs(form)
    gpu = form.cleaned_data["gpu"].to_spec()
    workload = priced_workload(form.workload(), price)  # no API offerings: the charts compare none
    top = min(estimate.memory.max_batch, estimator.MAX_BATCH)
    series = estimator.sweep_batches(
        model, gpu, engine, workload, charts.batch_sizes(top, estimate.batch), known=estimate
    )
    common = {
        "x_label": "batch size (sequences)",
        "current_x": estimate.batch,
        "limit_x": estimate.memory.max_batch if estimate.batch > top else None,
    }
    result = [
        charts.line_chart(
            [(b, e.decode.tokens_per_second) for b, e in series],
            slug="throughput",
            title="Total throughput",
            y_label="output tokens/s, all sequences",
            y_format=calc_format.format_tokens_per_second,
            y_tick_format=calc_format.compact,
            **common,
        ),
        charts.line_chart(
            [(b, e.decode.tokens_per_second_per_sequence) for b, e in series],
            slug="per-sequence",
            title="Speed per sequence",
            y_label="output tokens/s, each sequence",
            y_format=calc_format.format_tokens_per_second,
            y_tick_format=calc_format.compact,
            **common,
        ),
    ]
    if estimate.cost.usd_per_1m_output_tokens is not None:
        result.append(
            charts.line_chart(
                [(b, e.cost.usd_per_1m_output_tokens) for b, e in series],
                slug="cost",
                title="Cost per 1M output tokens",
                y_label="USD per 1M output tokens, full load",
                y_format=calc_format.format_usd,
                y_tick_format=lambda value: f"${calc_format.compact(value)}",
                **common,
            )
        )
    return result


# Compare GPUs


@dataclasses.dataclass(frozen=True)
class GpuRow:
    gpu: GpuType
    current: bool
    num_gpus: int | None  # fewest that hold the workload; None: more than the search
    price: pricing.PriceUsed | None  # for num_gpus of it; None: fits on none
    estimate: estimator.Estimate | None


def _gpu_comparison(
    form: CalculatorForm, estimate: estimator.Estimate, gpus: tuple[GpuType, ...]
) -> list[GpuRow]:
    """Every active GPU that can be estimated, on the fewest of it that hold this
    workload, at the price the form's choice gives for that many, cheapest first."""
    specs = []
    for gpu in gpus:
        try:
            specs.append(gpu.to_spec())
        except ValueError:  # no bandwidth figure: it cannot be estimated
            continue
    model, engine = _specs(form)
    chosen = form.cleaned_data["gpu"].slug
    rows_by_slug = {gpu.slug: gpu for gpu in gpus}
    prices: dict[str, pricing.PriceUsed] = {}

    def price(spec: estimator.GpuSpec, count: int) -> float | None:
        # The same price choice for every GPU; a typed price is for the chosen one.
        used = gpu_price(form, rows_by_slug[spec.slug], count, typed=spec.slug == chosen)
        prices[spec.slug] = used
        return used.effective_usd_per_gpu_hour

    options = estimator.compare_gpus(
        model,
        specs,
        engine,
        form.workload(),
        batch=estimate.batch,
        seq_len=estimate.seq_len,
        chosen=chosen,
        price=price,
    )
    return [
        GpuRow(
            gpu=rows_by_slug[option.gpu.slug],
            current=option.current,
            num_gpus=option.num_gpus,
            price=prices.get(option.gpu.slug),
            estimate=option.estimate,
        )
        for option in options
    ]


# Versus commercial APIs


@dataclasses.dataclass(frozen=True)
class ApiRow:
    comparison: estimator.ApiComparison
    offering: ApiOffering
    same_model: bool  # the API serves the model being estimated
    shown: bool  # listed before "show all": same model, or a closed reference model


def _api_rows(
    estimate: estimator.Estimate,
    offerings: tuple[ApiOffering, ...],
    model: LlmModel | CustomModel,
) -> list[ApiRow]:
    """This model's hosted offerings first, cheapest first (deprecated ones after), then
    the closed reference models, cheapest first; the rest after them (behind "show
    all" on the page), cheapest first."""
    by_slug = {offering.slug: offering for offering in offerings}
    rows = []
    for comparison in estimate.api_comparison:
        offering = by_slug[comparison.slug]
        same = same_model(offering, model)
        rows.append(ApiRow(comparison, offering, same, same or offering.is_reference))

    def order(row: ApiRow) -> tuple:
        group = 0 if row.same_model else 1 if row.offering.is_reference else 2
        return (group, row.offering.is_deprecated, row.comparison.total_usd, row.offering.slug)

    return sorted(rows, key=order)
