"""What the result partials (templates/calculator/_results/) render from.

Every page that shows an estimate renders the same partials from one shape:

- ``result``: the estimate as its ``as_dict()`` mapping, the JSON the API answers and a
  saved scenario keeps. The calculator converts the Estimate it just computed; a
  permalink passes what it saved, so an old scenario renders without rebuilding an
  Estimate (and without today's fields).
- ``inputs``: a plain dict of what it was computed for, as people read it (names, not
  rows), built here from a form or from a scenario's inputs and snapshot.

Presentation only: every figure comes out of the estimator.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping

from calculator import charts
from calculator.snapshots import FIGURES, KEY_FIGURES


def results_context(result: Mapping, inputs: Mapping) -> dict:
    return {
        "result": result,
        "inputs": inputs,
        # The price per GPU-hour the estimate used; a scenario saved before the estimator
        # reported it falls back to the one its inputs and snapshot give.
        "hourly_usd": result["cost"].get("usd_per_gpu_hour", inputs.get("hourly_usd")),
        "memory_bar": charts.memory_bar(result["memory"]),
        "key_figures": KEY_FIGURES,
        "figures": FIGURES,
    }


def _date(value) -> datetime.date | None:
    if isinstance(value, str) and value:
        return datetime.date.fromisoformat(value)
    return value or None


def form_inputs(form) -> dict:
    """A valid CalculatorForm's inputs for the partials."""
    data = form.cleaned_data
    gpu = data["gpu"]
    return {
        "model_name": data["model"].name,
        "model_slug": data["model"].slug,
        "gpu_name": gpu.name,
        "gpus": data["gpus"],
        "prompt": data["prompt"],
        "completion": data["completion"],
        "weights": data["weights"],
        "engine_name": data["engine"].name,
        "price_typed": data.get("gpu_hourly_usd") is not None,
        "price_source": gpu.price_source,
        "price_as_of": gpu.price_as_of,
    }


def saved_inputs(inputs: Mapping, snapshot: Mapping) -> dict:
    """A saved scenario's inputs (its form data and catalog snapshot) for the partials."""
    gpu = snapshot["gpu"]
    typed = inputs.get("gpu_hourly_usd") or None
    return {
        "model_name": snapshot["model"]["name"],
        "model_slug": snapshot["model"]["slug"],
        "gpu_name": gpu["name"],
        "gpus": int(inputs["gpus"]),
        "prompt": int(inputs["prompt"]),
        "completion": int(inputs["completion"]),
        "weights": inputs["weights"],
        "engine_name": snapshot["engine"]["name"],
        # Only for scenarios saved before the estimate carried usd_per_gpu_hour.
        "hourly_usd": float(typed) if typed is not None else gpu.get("hourly_usd"),
        "price_typed": typed is not None,
        "price_source": gpu.get("price_source", ""),
        "price_as_of": _date(gpu.get("price_as_of")),
    }


def api_rows(result: Mapping, offerings: Iterable[Mapping], model_slug: str) -> list[dict]:
    """The estimate's API comparison with each offering's date and whether it serves
    this very model, those first, then in the catalog's order.

    `offerings`: dicts with slug, price_as_of and model (a saved snapshot's "apis").
    """
    by_slug = {offering["slug"]: offering for offering in offerings}
    rows = []
    for comparison in result["api_comparison"]:
        offering = by_slug.get(comparison["slug"], {})
        rows.append(
            {
                **comparison,
                "price_as_of": _date(offering.get("price_as_of")),
                "same_model": offering.get("model") == model_slug,
            }
        )
    return sorted(rows, key=lambda row: not row["same_model"])


def offering_dicts(offerings) -> list[dict]:
    """Catalog ApiOffering rows in the shape api_rows() reads."""
    return [
        {
            "slug": offering.slug,
            "price_as_of": offering.price_as_of,
            "model": offering.llm_model.slug if offering.llm_model_id else None,
        }
        for offering in offerings
    ]
