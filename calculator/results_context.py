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
        "memory_bar": charts.memory_bar(result["memory"]),
        "key_figures": KEY_FIGURES,
        "figures": FIGURES,
    }


def _date(value) -> datetime.date | None:
    if isinstance(value, str) and value:
        return datetime.date.fromisoformat(value)
    return value or None


def _price(price: Mapping | None) -> dict | None:
    """A PriceUsed.as_dict() with its date as a date, for the |date filter."""
    return None if price is None else {**price, "as_of": _date(price.get("as_of"))}


def form_inputs(form, price) -> dict:
    """A valid CalculatorForm's inputs for the partials; `price`: the PriceUsed its
    estimate used (estimates.form_price)."""
    data = form.cleaned_data
    return {
        "model_name": data["model"].name,
        "model_slug": data["model"].slug,
        "gpu_name": data["gpu"].name,
        "gpus": data["gpus"],
        "prompt": data["prompt"],
        "completion": data["completion"],
        "weights": data["weights"],
        "engine_name": data["engine"].name,
        "pricing": data.get("pricing") or "",
        "provider": data.get("provider") or "",
        "price": _price(price.as_dict()),
    }


def saved_inputs(inputs: Mapping, snapshot: Mapping) -> dict:
    """A saved scenario's inputs (its form data and catalog snapshot) for the partials."""
    gpu = snapshot["gpu"]
    price = snapshot.get("price")
    if price is None:  # saved before scenarios kept the price: typed, or the catalog's
        typed = inputs.get("gpu_hourly_usd") or None
        price = {
            "basis": "typed" if typed is not None else "catalog",
            "usd_per_gpu_hour": float(typed) if typed is not None else gpu.get("hourly_usd"),
            "source": gpu.get("price_source", ""),
            "as_of": gpu.get("price_as_of"),
            "num_gpus": int(inputs["gpus"]),
            "gpus_billed": int(inputs["gpus"]),
            "warnings": [],
        }
    return {
        "model_name": snapshot["model"]["name"],
        "model_slug": snapshot["model"]["slug"],
        "gpu_name": gpu["name"],
        "gpus": int(inputs["gpus"]),
        "prompt": int(inputs["prompt"]),
        "completion": int(inputs["completion"]),
        "weights": inputs["weights"],
        "engine_name": snapshot["engine"]["name"],
        "pricing": inputs.get("pricing", ""),
        "provider": inputs.get("provider", ""),
        "price": _price(price),
    }


def api_rows(result: Mapping, offerings: Iterable[Mapping]) -> list[dict]:
    """The estimate's API comparison with what the table says of each offering: this
    model's hosted offerings first, then the closed reference models, then the rest,
    each group cheapest first (deprecated ones after).

    `offerings`: dicts with slug, title, provider, price_as_of, same_model, reference and
    deprecated (offering_dicts() for the catalog, saved_offerings() for a snapshot).
    """
    by_slug = {offering["slug"]: offering for offering in offerings}
    rows = []
    for comparison in result["api_comparison"]:
        offering = by_slug.get(comparison["slug"], {})
        rows.append(
            {
                **comparison,
                "title": offering.get("title", comparison["name"]),
                "provider": offering.get("provider", ""),
                "price_as_of": _date(offering.get("price_as_of")),
                "same_model": offering.get("same_model", False),
                "reference": offering.get("reference", False),
                "deprecated": offering.get("deprecated", False),
            }
        )

    def order(row: dict) -> tuple:
        group = 0 if row["same_model"] else 1 if row["reference"] else 2
        return (group, row["deprecated"], row["total_usd"], row["slug"])

    return sorted(rows, key=order)


def offering_dicts(offerings, same_model) -> list[dict]:
    """Catalog ApiOffering rows in the shape api_rows() reads; `same_model(offering)`
    says whether it serves the model estimated."""
    return [
        {
            "slug": offering.slug,
            "title": offering.name,
            "provider": offering.provider,
            "price_as_of": offering.price_as_of,
            "same_model": same_model(offering),
            "reference": offering.is_reference,
            "deprecated": offering.is_deprecated,
        }
        for offering in offerings
    ]


def saved_offerings(snapshot: Mapping) -> list[dict]:
    """A snapshot's API offerings in the shape api_rows() reads."""
    model = snapshot["model"].get("slug")
    return [
        {
            "slug": api["slug"],
            "title": api["name"].removeprefix(f"{api.get('provider', '')}: "),
            "provider": api.get("provider", ""),
            "price_as_of": api.get("price_as_of"),
            "same_model": api.get("model") is not None and api.get("model") == model,
            "reference": api.get("reference", False),
            "deprecated": api.get("deprecated", False),
        }
        for api in snapshot["apis"]
    ]
