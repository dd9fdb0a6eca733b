"""Saved scenarios and plans: saving them, and replaying what they saved.

A scenario keeps the inputs, the estimate as the JSON API gives it, and a snapshot of
the catalog values the estimate used (specs, prices, their as-of dates and sources),
so its permalink never depends on today's catalog. Replaying reads that back for the
result partials, and names what changed in the catalog since. The figures' labels and
formats are calculator/figures.py's.
"""

from __future__ import annotations

import dataclasses
import datetime
import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass, fields
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction

from calculator import estimator
from calculator.estimator import pricing
from calculator.forms import (
    BATCH_MAX_KEYWORD,
    CustomModel,
)
from calculator.models import (
    ApiOffering,
    EngineProfile,
    GpuType,
    LlmModel,
    Plan,
    Scenario,
    Visibility,
    make_public_id,
)

# A new random id collides with an existing one about once in 2^64 saves; a few tries
# cover that without looping forever on some other integrity error.
PUBLIC_ID_ATTEMPTS = 3


def as_json(value: Any) -> Any:
    """The value as it comes back from a JSONField: tuples become lists, enums strings."""
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def _date(value) -> str | None:
    return value.isoformat() if value else None


def model_snapshot(model: LlmModel | CustomModel) -> dict:
    """The model's spec; a custom model also keeps the config.json it was read from."""
    snapshot = asdict(model.to_spec())
    if isinstance(model, CustomModel):
        snapshot["config"] = model.config
    return snapshot


def catalog_snapshot(
    *,
    model: LlmModel | CustomModel,
    gpu: GpuType,
    engine: EngineProfile,
    apis: Iterable[ApiOffering],
    price: pricing.PriceUsed | None = None,
) -> dict:
    """The catalog values an estimate is computed from, with where the prices come from."""
    return as_json(
        {
            "estimator_version": estimator.ESTIMATOR_VERSION,
            "model": model_snapshot(model),
            "gpu": {
                **asdict(gpu.to_spec()),
                "vendor": gpu.get_vendor_display(),
                "price_as_of": _date(gpu.price_as_of),
                "price_source": gpu.price_source,
            },
            "engine": asdict(engine.to_spec()),
            "apis": [
                {
                    **asdict(api.to_spec()),
                    "provider": api.provider,
                    # What the API table marks: the model it serves, if one of ours, and
                    # whether it is a closed reference model or deprecated.
                    "model": api.llm_model.slug if api.llm_model_id else None,
                    "reference": api.is_reference,
                    "deprecated": api.is_deprecated,
                    "price_as_of": _date(api.price_as_of),
                    "price_source": api.price_source,
                }
                for api in apis
            ],
            # The GPU price the estimate used: typed, an offer (provider, instance,
            # region, date) or the catalog's.
            "price": price.as_dict() if price is not None else None,
        }
    )


@dataclass(frozen=True)
class Computed:
    """An estimate with the snapshot of what it was computed from (JSON-shaped)."""

    inputs: dict
    snapshot: dict
    results: dict


def _create(model, **fields):
    """A new row with a new random public id: a collision is retried a few times."""
    attempts_left = PUBLIC_ID_ATTEMPTS
    while True:
        try:
            with transaction.atomic():
                return model.objects.create(public_id=make_public_id(), **fields)
        except IntegrityError:
            attempts_left -= 1
            if not attempts_left:
                raise


def scenario_create(
    computed: Computed,
    *,
    name: str,
    notes: str,
    author=None,
    visibility: str = Visibility.LISTED,
    gpu: GpuType,
    llm_model: LlmModel | None,
    engine: EngineProfile,
) -> Scenario:
    """Save what an estimate computed (answers.estimate.save). `author`: the signed-in
    user, if any; `llm_model`: None for a pasted config."""
    return _create(
        Scenario,
        name=name,
        notes=notes,
        inputs=computed.inputs,
        snapshot=computed.snapshot,
        results=computed.results,
        estimator_version=computed.results["estimator_version"],
        gpu=gpu,
        llm_model=llm_model,
        engine=engine,
        author=author,
        visibility=visibility,
    )


def plan_create(
    *,
    inputs: dict,
    results: dict,
    snapshot: dict,
    name: str,
    author=None,
    traffic: dict | None = None,
) -> Plan:
    """Save what a capacity plan computed (answers.capacity.save); the name is trimmed
    to fit."""
    return _create(
        Plan,
        name=name.strip()[: Plan._meta.get_field("name").max_length],
        inputs=inputs,
        results=results,
        snapshot=snapshot,
        traffic=traffic or {},
        estimator_version=results["estimator_version"],
        author=author,
    )


# Section: replaying: a saved scenario as the result partials read it


def as_date(value) -> datetime.date | None:
    """A date saved as ISO text (or already a date) as a date, for the |date filter."""
    if isinstance(value, str) and value:
        return datetime.date.fromisoformat(value)
    return value or None


def dated_price(price: dict | None) -> dict | None:
    """A PriceUsed.as_dict() with its date as a date."""
    return None if price is None else {**price, "as_of": as_date(price.get("as_of"))}


def is_batch_max(batch) -> bool:
    """Whether a batch input (a form's cleaned value or a saved string) asks for the
    largest batch that fits: "max", or left empty."""
    return str(batch).strip().lower() in ("", BATCH_MAX_KEYWORD)


def saved_inputs(inputs: dict, snapshot: dict) -> dict:
    """A saved scenario's inputs (its form data and catalog snapshot) as the result
    partials read them (answers.estimate.Estimated.shown_inputs for a live one)."""
    gpu = snapshot["gpu"]
    price = snapshot.get("price")
    if price is None:  # saved before scenarios kept the price: typed, or the catalog's
        typed = inputs.get("gpu_hourly_usd") or None
        price = {
            "basis": pricing.Basis.TYPED if typed is not None else pricing.Basis.CATALOG,
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
        "price": dated_price(price),
        "batch_max": is_batch_max(inputs.get("batch", "")),
    }


def saved_offerings(snapshot: dict) -> list[dict]:
    """A snapshot's API offerings in the shape answers.api_table.api_rows() reads."""
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


def _field_label(part: str, key: str) -> str:
    model = {"gpu": GpuType, "model": LlmModel, "engine": EngineProfile}[part]
    if part == "gpu" and key == "hourly_usd":
        key = "hourly_price_usd"  # the spec's name for the model's price column
    try:
        return str(model._meta.get_field(key).verbose_name)
    except FieldDoesNotExist:
        return key.replace("_", " ")


def price_change(saved: dict | None, now: dict | None) -> dict | None:
    """The GPU price used then and now, when the offer or its price changed."""
    saved, now = saved or {}, now or {}
    price_label = pricing.source_label
    keys = ("usd_per_gpu_hour", "provider", "instance_type", "spot", "basis")
    if all(saved.get(key) == now.get(key) for key in keys):
        return None
    return {
        "what": "Price",
        "field": f"{price_label(saved)} → {price_label(now)}"
        if price_label(saved) != price_label(now)
        else price_label(now),
        "saved": saved.get("usd_per_gpu_hour"),
        "now": now.get("usd_per_gpu_hour"),
        "kind": "usd",
    }


def _defaults(spec_class) -> dict:
    return {f.name: f.default for f in fields(spec_class) if f.default is not dataclasses.MISSING}


# A snapshot saved before a spec gained a field holds no value for it: the field's
# default is what that estimate used, not a change.
SPEC_DEFAULTS = {
    "gpu": _defaults(estimator.GpuSpec),
    "model": _defaults(estimator.ModelSpec),
    "engine": _defaults(estimator.EngineSpec),
}


def catalog_changes(saved: dict, now: dict) -> list[dict]:
    """Each GPU, model and engine figure that differs between two snapshots, and the
    GPU price used (named by provider and instance)."""
    changes = []
    if "price" in saved:  # snapshots from before offers have no price record
        change = price_change(saved.get("price"), now.get("price"))
        if change is not None:
            changes.append(change)
    for part, what in (("gpu", "GPU"), ("model", "Model"), ("engine", "Engine")):
        before, after = saved.get(part, {}), now.get(part, {})
        for key in sorted(set(before) | set(after)):
            saved_value = before.get(key, SPEC_DEFAULTS[part].get(key))
            if key != "slug" and saved_value != after.get(key):
                changes.append(
                    {
                        "what": what,
                        "field": _field_label(part, key),
                        "saved": saved_value,
                        "now": after.get(key),
                        "kind": "usd" if key == "hourly_usd" else "text",
                    }
                )
    return changes
