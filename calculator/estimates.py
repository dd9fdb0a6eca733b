"""Glue between a valid CalculatorForm and the estimator: catalog rows in, Estimate out.

No formulas here: this gathers the specs the estimator needs and turns its input errors
into form errors, so the page, the API and the CLI take the same path.
"""

from __future__ import annotations

from calculator import estimator
from calculator.forms import CalculatorForm

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
    try:
        return estimator.estimate(
            data["model"].to_spec(),
            data["gpu"].to_spec(),
            data["engine"].to_spec(),
            form.workload(form.catalog.offering_specs if apis is None else apis),
        )
    except estimator.EstimatorInputError as error:
        form.add_error(FORM_FIELDS.get(error.field), error.message)
        return None
