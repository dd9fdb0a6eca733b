"""Glue between a valid CalculatorForm and the estimator: catalog rows in, Estimate out.

No formulas here: this gathers the specs the estimator needs and turns its input errors
into form errors, so the page, the API and the CLI take the same path.
"""

from __future__ import annotations

import dataclasses

from calculator import calibration_report, estimator
from calculator.estimator import bands
from calculator.forms import CalculatorForm, CustomModel

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


def estimate_form(
    form: CalculatorForm, apis: tuple[estimator.ApiOffering, ...] | None = None
) -> estimator.Estimate | None:
    """The estimate for a valid form, or None with the estimator's objection added to
    the form as a field error."""
    data = form.cleaned_data
    model = data["model"]
    custom = isinstance(model, CustomModel)
    try:
        result = estimator.estimate(
            model.to_spec(),
            data["gpu"].to_spec(),
            data["engine"].to_spec(),
            form.workload(form.catalog.offering_specs if apis is None else apis),
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


def answer(form: CalculatorForm, estimate: estimator.Estimate) -> dict:
    """The estimate as the API, the CLI and a saved scenario give it: every figure, and
    the error bands under "confidence"."""
    return {**estimate.as_dict(), "confidence": confidence(form, estimate)}
