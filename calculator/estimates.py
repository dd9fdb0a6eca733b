"""Glue between a valid CalculatorForm and the estimator: catalog rows in, Estimate out.

No formulas here: this gathers the specs the estimator needs and turns its input errors
into form errors, so the page, the API and the CLI take the same path.
"""

from __future__ import annotations

import dataclasses

from django.utils import timezone

from calculator import calibration_report, catalog, estimator
from calculator.estimator import bands, pricing
from calculator.forms import CalculatorForm, CustomModel
from calculator.models import ApiOffering, GpuType

# Workload field -> form field, for errors the estimator finds.
FORM_FIELDS = {
    "num_gpus": "gpus",
    "batch_size": "batch",
    "prompt_tokens": "prompt",
    "completion_tokens": "completion",
    "seq_len": "seq_len",
    "gpu_hourly_usd": "gpu_hourly_usd",
    "gpu": "gpu",
    "model": "model",
}


# Section: the price that applies


def gpu_price(
    form: CalculatorForm, gpu: GpuType, num_gpus: int, *, typed: bool = True
) -> pricing.PriceUsed:
    """The price for num_gpus of this GPU under the form's price choice (calculator's
    rule in estimator/pricing.py). typed=False ignores a price the user typed, which is
    for the GPU they chose, not for the others compared with it."""
    data = form.cleaned_data
    hourly = data.get("gpu_hourly_usd") if typed else None
    return price_for(
        form.catalog,
        gpu,
        num_gpus,
        provider=data.get("provider") or None,
        basis=data.get("pricing") or pricing.Pricing.ON_DEMAND,
        typed=float(hourly) if hourly is not None else None,
    )


def price_for(
    catalog_: catalog.Catalog,
    gpu: GpuType,
    num_gpus: int,
    *,
    provider: str | None,
    basis: str,
    typed: float | None = None,
) -> pricing.PriceUsed:
    """The price rule (estimator/pricing.py) over this GPU's offers and catalog price."""
    return pricing.resolve_price(
        typed=typed,
        offers=catalog_.offers_for(gpu),
        provider=provider,
        pricing=basis,
        num_gpus=num_gpus,
        catalog_usd=None if gpu.hourly_price_usd is None else float(gpu.hourly_price_usd),
        catalog_as_of=gpu.price_as_of,
        today=timezone.localdate(),
        catalog_source=gpu.price_source,
    )


def form_price(form: CalculatorForm) -> pricing.PriceUsed:
    """The price a valid form's estimate uses: one path for the page, the API, the CLI
    and saved scenarios."""
    return gpu_price(form, form.cleaned_data["gpu"], form.cleaned_data["gpus"])


def priced_workload(workload: estimator.Workload, price: pricing.PriceUsed) -> estimator.Workload:
    """The workload with the price applied. The estimator multiplies a price per GPU by
    the GPUs asked for; whole instances are billed, so it gets the effective price per
    GPU asked for (3 GPUs of an 8-GPU instance: 8 x price / 3)."""
    return dataclasses.replace(workload, gpu_hourly_usd=price.effective_usd_per_gpu_hour)


# Section: which API offerings an estimate is compared with


def same_model(offering: ApiOffering, model) -> bool:
    """Whether the offering serves this catalog model (a pasted config has no row, so
    no offering serves it)."""
    return model.pk is not None and offering.llm_model_id == model.pk


def compared_offerings(
    form: CalculatorForm, everything: bool = False
) -> tuple[tuple[ApiOffering, ...], tuple[estimator.ApiOffering, ...]]:
    """The active API offerings to compare a valid form's estimate with, and their specs:
    the model's own hosted offerings and the closed reference models, or every active
    one (hundreds once a full price map is imported) when asked."""
    catalog_ = form.catalog
    if everything:
        return catalog_.offerings, catalog_.offering_specs
    model_pk = form.cleaned_data["model"].pk  # None for a pasted config: no offering serves it
    # same_model() inlined: this runs on every keystroke over every active offering.
    pairs = [
        (offering, spec)
        for offering, spec in zip(catalog_.offerings, catalog_.offering_specs, strict=True)
        if offering.is_reference or (model_pk is not None and offering.llm_model_id == model_pk)
    ]
    return tuple(o for o, _ in pairs), tuple(s for _, s in pairs)


# Section: the estimate


def estimate_form(
    form: CalculatorForm,
    apis: tuple[estimator.ApiOffering, ...] | None = None,
    price: pricing.PriceUsed | None = None,
    *,
    trace: bool = True,
) -> estimator.Estimate | None:
    """The estimate for a valid form, or None with the estimator's objection added to
    the form as a field error. `apis`: the offerings to compare with (default: the
    model's own and the closed reference models, see compared_offerings). `trace=False`
    skips "show the math" (the page's keystroke shows it only on request)."""
    data = form.cleaned_data
    price = price or form_price(form)
    workload = form.workload(compared_offerings(form)[1] if apis is None else apis)
    model = data["model"]
    custom = isinstance(model, CustomModel)
    try:
        result = estimator.estimate(
            model.to_spec(),
            data["gpu"].to_spec(),
            data["engine"].to_spec(),
            priced_workload(workload, price),
            trace=trace,
        )
    except estimator.EstimatorInputError as error:
        field = FORM_FIELDS.get(error.field)
        form.add_error("model_config" if custom and field == "model" else field, error.message)
        return None
    if custom and model.warnings:
        # What the config left out or the estimate leaves out comes first.
        result = dataclasses.replace(result, warnings=(*model.warnings, *result.warnings))
    return result


def model_summary(model, result: estimator.Estimate) -> dict:
    """The model's figures the JSON API adds to an estimate."""
    return {
        "slug": model.slug,
        "name": model.name,
        "total_params": result.total_params,
        "active_params": result.active_params,
        "kv_bytes_per_token": result.kv_bytes_per_token,
    }


def estimate_json(
    form: CalculatorForm, estimate: estimator.Estimate, price: pricing.PriceUsed
) -> dict:
    """The estimate as the API answers it: the estimator's figures, the price used as
    ``cost.offer``, and each API comparison's provider and whether it serves the same
    model."""
    result = estimate.as_dict()
    result["cost"]["offer"] = price.as_dict()
    model = form.cleaned_data["model"]
    offerings = {offering.slug: offering for offering in form.catalog.offerings}
    for item in result["api_comparison"]:
        offering = offerings.get(item["slug"])
        item["provider"] = offering.provider if offering else ""
        item["same_model"] = bool(offering and same_model(offering, model))
        item["deprecated"] = bool(offering and offering.is_deprecated)
        item["reference"] = bool(offering and offering.is_reference)
    return result


# Section: error bands


def confidence(form: CalculatorForm, estimate: estimator.Estimate) -> dict:
    """Error bands for the estimate's headline figures, from the calibration report's
    measurements most like this query (see calculator.estimator.bands)."""
    data = form.cleaned_data
    model = data["model"].to_spec()
    query = bands.features(
        data["gpu"].slug,
        data["engine"].slug,
        model.slug,
        model.num_experts > 0,
        estimate.batch,
        data["prompt"],
    )
    evidence, margin = calibration_report.evidence()
    figures = {
        "time_to_first_token_seconds": estimate.prefill.seconds,
        "seconds_per_output_token": estimate.decode.seconds_per_token,
        "tokens_per_second_per_sequence": estimate.decode.tokens_per_second_per_sequence,
        "tokens_per_second": estimate.decode.tokens_per_second,
        "saturated_output_tokens_per_second": estimate.cost.saturated_output_tokens_per_second,
        "usd_per_1m_output_tokens": estimate.cost.usd_per_1m_output_tokens,
    }
    return bands.confidence(query, figures, evidence, margin)


def answer(form: CalculatorForm, estimate: estimator.Estimate, price: pricing.PriceUsed) -> dict:
    """The estimate as the API, the CLI and a saved scenario give it: every figure
    (estimate_json), and the error bands under "confidence"."""
    return {**estimate_json(form, estimate, price), "confidence": confidence(form, estimate)}
