"""The calculator's question: what does this model on these GPUs give?

One door for the page's keystroke, /api/estimate, the CLI's ``estimate``, saving a
scenario and a saved scenario's "now": ``answer(form)`` validates the form, resolves the
price once, estimates against the API offerings compared, and returns an ``Estimated``
(or ``FieldErrors``). Its figures come out of the estimator; this only gathers specs and
shapes what the page, the JSON and a saved scenario show.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property

from calculator import calibration_report, charts, estimator, figures, snapshots
from calculator.answers.shared import (
    DEFAULT_MODEL,
    FieldErrors,
    PriceChoice,
    compared_apis,
    objection,
    owned_shown,
    rented_on_demand,
    same_model,
    specs,
    validated,
    workload,
)
from calculator.estimator import Dtype, Parallelism, bands, owned, prefix, pricing
from calculator.forms import OWNED, CalculatorForm, CustomModel
from calculator.models import ApiOffering, LlmModel, Scenario, Visibility

# Section: defaults

# The seed calculator's scenario: the planner's model (Llama 3.1 70B) on 2 x A100-80GB,
# fp16. An empty sequence length means prompt + completion, as in the API, so a URL
# without one (an API query string pasted into the page) gives the API's estimate.
DEFAULTS = {
    "model": DEFAULT_MODEL,
    "gpu": "a100-80gb-sxm",
    "gpus": 2,
    "batch": "1",
    "seq_len": "",
    "prompt": 1000,
    "completion": 500,
    "weights": Dtype.FP16.value,
    "kv": "",
    "engine": "vllm",
    "parallelism": Parallelism.TENSOR.value,
    "provider": "",
    "pricing": pricing.Pricing.ON_DEMAND.value,
}
# "apis=all": compare with every active API offering, not only the model's own and the
# closed reference models (a query parameter of the page, its fragments and the API).
ALL_APIS_PARAM = "apis"
# The API asks for the model, the GPU and the workload; these it may leave out.
API_DEFAULTS = {"engine": "vllm", "parallelism": "tensor", "weights": "fp16"}


def with_defaults(query, defaults: Mapping = DEFAULTS):
    """A copy of the query (a QueryDict or a dict) with each input it leaves out taken
    from `defaults` (a shortened URL, ?model=llama-3-8b, fills the rest). A plain dict:
    a parameter given twice counts once, with its last value, as a QueryDict's get()
    reads it (and a QueryDict's deep copy costs more than the form it feeds)."""
    data = query.dict() if hasattr(query, "getlist") else dict(query)
    for key, value in defaults.items():
        data.setdefault(key, str(value))
    return data


# Section: the answer


@dataclass(frozen=True)
class Estimated:
    """A valid form's estimate, with the price it billed and the API offerings (catalog
    rows) it was compared with."""

    form: CalculatorForm
    estimate: estimator.Estimate
    price: pricing.PriceUsed
    offerings: tuple[ApiOffering, ...]
    # With pricing=owned: the owned price part by part, the month bought, rented and on
    # the APIs, the break-even months and their math (owned_month); else None.
    owned: dict | None = None

    @property
    def data(self) -> dict:
        return self.form.cleaned_data

    @cached_property
    def inputs(self) -> dict[str, str]:
        """The inputs as query parameters: the state a URL carries."""
        return self.form.inputs()

    @cached_property
    def confidence(self) -> dict:
        """Error bands for the headline figures, from the calibration report's
        measurements most like this query (calculator.estimator.bands)."""
        data, estimate = self.data, self.estimate
        model = data["model"].to_spec()
        query = bands.features(
            data["gpu"].slug,
            data["engine"].slug,
            model.slug,
            model.num_experts > 0,
            estimate.batch,
            data["prompt"],
        )
        figures = {
            "time_to_first_token_seconds": estimate.prefill.seconds,
            "seconds_per_output_token": estimate.decode.seconds_per_token,
            "tokens_per_second_per_sequence": estimate.decode.tokens_per_second_per_sequence,
            "tokens_per_second": estimate.decode.tokens_per_second,
            "saturated_output_tokens_per_second": (
                estimate.cost.saturated_output_tokens_per_second
            ),
            "usd_per_1m_output_tokens": estimate.cost.usd_per_1m_output_tokens,
        }
        return bands.banded(figures, regime_bands(query))

    def results(self) -> dict:
        """The estimate as the API, the CLI and a saved scenario give it: the
        estimator's figures, the price used as ``cost.offer``, each API comparison's
        provider and marks, and the error bands under ``confidence``."""
        result = self.estimate.as_dict()
        result["cost"]["offer"] = self.price.as_dict()
        model = self.data["model"]
        offerings = {offering.slug: offering for offering in self.offerings}
        for item in result["api_comparison"]:
            offering = offerings.get(item["slug"])
            item["provider"] = offering.provider if offering else ""
            item["same_model"] = bool(offering and same_model(offering, model))
            item["deprecated"] = bool(offering and offering.is_deprecated)
            item["reference"] = bool(offering and offering.is_reference)
        return {**result, "owned": self.owned, "confidence": self.confidence}

    def as_json(self) -> dict:
        """What /api/estimate and ``estimate --json`` answer."""
        model, estimate = self.data["model"], self.estimate
        return {
            "inputs": self.inputs,
            "model": {
                "slug": model.slug,
                "name": model.name,
                "total_params": estimate.total_params,
                "active_params": estimate.active_params,
                "kv_bytes_per_token": estimate.kv_bytes_per_token,
            },
            **self.results(),
        }

    @cached_property
    def fits_instead(self) -> dict | None:
        """What would fit when this does not (None: it fits): the fewest GPUs of this
        type at this precision (``gpus``, None: not on any count searched) and the
        widest narrower weight precision on the GPUs asked (``weights``, None: none)."""
        memory = self.estimate.memory
        if memory.fits:
            return None
        model, gpu, engine = specs(self.data)
        asked = workload(self.data, self.price)
        narrower = estimator.first_to_fit(
            model,
            gpu,
            engine,
            estimator.narrower_weights(gpu, asked),
            self.estimate.batch,
            self.estimate.seq_len,
            prefix.of(asked).shared,
        )
        weights = narrower.weights_dtype.value if narrower else None
        return {"gpus": memory.min_gpus, "weights": weights}

    def shown_inputs(self) -> dict:
        """The inputs as the result partials read them (names, not rows)."""
        data = self.data
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
            "price": snapshots.dated_price(self.price.as_dict()),
            "batch_max": snapshots.is_batch_max(data["batch"]),
            "fits_instead": self.fits_instead,
        }

    def computed(self) -> snapshots.Computed:
        """What a saved scenario keeps: the inputs, the catalog values used, the results."""
        data = self.data
        return snapshots.Computed(
            inputs=self.inputs,
            snapshot=snapshots.catalog_snapshot(
                model=data["model"],
                gpu=data["gpu"],
                engine=data["engine"],
                apis=self.offerings,
                price=self.price,
            ),
            results=snapshots.as_json(self.results()),
        )


def answer(
    form: CalculatorForm, *, all_apis: bool = False, trace: bool = False
) -> Estimated | FieldErrors:
    """The estimate for a bound form, or why there is none. `all_apis`: compare with
    every active API offering, not only the model's own and the closed references.
    `trace`: with "show the math" (the keystroke shows it only on request)."""
    if errors := validated(form):
        return errors
    data = form.cleaned_data
    offerings, apis = compared_apis(form.catalog, data["model"], everything=all_apis)
    model, gpu, engine = specs(data)
    try:
        choice = PriceChoice.of(data)  # owned hardware the estimator may refuse
        price = choice.price(form.catalog, data["gpu"], data["gpus"])
        result = estimator.estimate(model, gpu, engine, workload(data, price, apis), trace=trace)
        shown = None if choice.owned is None else owned_month(form, choice.owned, result)
    except estimator.EstimatorInputError as error:
        return objection(form, error)
    custom = data["model"]
    if isinstance(custom, CustomModel) and custom.warnings:
        # What the config left out or the estimate leaves out comes first.
        result = dataclasses.replace(result, warnings=(*custom.warnings, *result.warnings))
    if shown is not None and trace:
        result = dataclasses.replace(result, trace=with_owned_steps(result.trace, shown))
    return Estimated(form, result, price, offerings, shown)


def owned_month(form: CalculatorForm, price: owned.OwnedPrice, result: estimator.Estimate) -> dict:
    """Owned hardware against renting the same GPUs on demand and against the APIs, a
    month busy at full load (``estimator.owned.month_compared``), with the math."""
    data = form.cleaned_data
    rented = rented_on_demand(form.catalog, data["gpu"], data["gpus"])
    month = owned.month_compared(
        price,
        data["gpus"],
        rented_usd_per_gpu_hour=rented.effective_usd_per_gpu_hour,
        output_tokens_per_second=result.cost.saturated_output_tokens_per_second,
        apis=result.api_comparison,
    )
    source = rented.label if rented.effective_usd_per_gpu_hour is not None else None
    return owned_shown(price, month.trace(price.hardware), **month.as_dict(), rented_source=source)


def with_owned_steps(steps: tuple, shown: dict) -> tuple:
    """The estimate's math with the owned price's steps where its cost steps begin."""
    owned_steps = tuple(estimator.TraceStep(**step) for step in shown["trace"])
    at = next((i for i, step in enumerate(steps) if step.section == "cost"), len(steps))
    return (*steps[:at], *owned_steps, *steps[at:])


def accuracy() -> dict:
    """How accurate the estimates are, shown under every answer: the calibration
    report's summary (calculator/calibration_report.py)."""
    return calibration_report.accuracy_summary()


def price_hint(form: CalculatorForm, result: Estimated | FieldErrors) -> pricing.PriceUsed | None:
    """The price that applies without one typed, for the price field's hint: whenever
    the GPU and the count are valid (None: they are not)."""
    owned_basis = pricing.Basis.OWNED
    if isinstance(result, Estimated) and result.price.basis not in (
        pricing.Basis.TYPED,
        owned_basis,
    ):
        return result.price
    data = form.cleaned_data
    if "gpu" not in data or "gpus" not in data:
        return None
    if data.get("pricing") == OWNED:  # owned hardware, valid or not: what renting costs
        return rented_on_demand(form.catalog, data["gpu"], data["gpus"])
    return PriceChoice.of(data).price(form.catalog, data["gpu"], data["gpus"], typed=False)


# Section: what the result partials render from
#
# Every page that shows an estimate renders the partials in templates/calculator/_estimate/
# from one shape: ``result``, the estimate's JSON (Estimated.results(), or what a
# permalink saved, so an old scenario renders without rebuilding an Estimate), and
# ``inputs``, what it was computed for as people read it.


def partials_context(result: Mapping, inputs: Mapping) -> dict:
    """The result partials' context."""
    return {
        "result": result,
        "inputs": inputs,
        "memory_bar": charts.memory_bar(result["memory"]),
        "key_figures": figures.KEY_FIGURES,
        "figures": figures.FIGURES,
    }


# Section: saved scenarios


def save(
    form: CalculatorForm,
    *,
    name: str,
    notes: str = "",
    author=None,
    visibility: str = Visibility.LISTED,
) -> Scenario | FieldErrors:
    """Estimate a bound form (with its trace) and save it as a scenario; or why not.
    `author`: the signed-in user, if any."""
    result = answer(form, trace=True)
    if isinstance(result, FieldErrors):
        return result
    data = result.data
    return snapshots.scenario_create(
        result.computed(),
        name=name,
        notes=notes,
        author=author,
        visibility=visibility,
        gpu=data["gpu"],
        llm_model=data["model"] if isinstance(data["model"], LlmModel) else None,
        engine=data["engine"],
    )


def now(scenario: Scenario) -> dict:
    """The saved headline figures against today's catalog and estimator: the rows
    and the catalog changes, or the problems that keep today's answer from being given."""
    form = CalculatorForm(scenario.inputs)
    result = answer(form)
    if isinstance(result, FieldErrors):
        problems = []
        for field, messages in result.errors.items():
            if field in ("model", "gpu", "engine"):
                name = scenario.snapshot[field]["name"]
                problems.append(
                    f"{figures.input_label(field)} “{name}” is no longer offered in the "
                    "calculator; pick another after Recalculate."
                )
            else:
                label = figures.input_label(field) if field in form.fields else "Input"
                problems.extend(f"{label}: {message}" for message in messages)
        return {"problems": problems, "differs": True}
    computed = result.computed()
    rows = figures.figure_rows(figures.HEADLINE_FIGURES, [scenario.results, computed.results])
    return {
        "rows": rows,
        "differs": any(row.any_differs for row in rows),
        "changes": snapshots.catalog_changes(scenario.snapshot, computed.snapshot),
    }


# Distinct queries whose bands are kept per report; their features take few values
# (GPU family, engine, model family, MoE, load, context), so this is only a bound.
MAX_KEPT_BANDS = 4096


def regime_bands(query: bands.Features) -> dict:
    """bands.regime_bands() for a query from the committed report, computed once per
    query and report (every keystroke asks it)."""
    kept = calibration_report.kept()
    if kept is None:
        return bands.regime_bands(query, (), {})
    by_query = kept.setdefault("regime bands", {})
    found = by_query.get(query)
    if found is None:
        if len(by_query) >= MAX_KEPT_BANDS:
            by_query.clear()
        found = by_query[query] = bands.regime_bands(query, *calibration_report.evidence())
    return found
