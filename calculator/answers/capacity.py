"""The planner's question: what to rent for this traffic within these latency targets,
and what it costs a month (``calculator.estimator.planner``).

One door for /plan/, /api/plan, the CLI's ``plan``, saving a plan and a saved plan's
"saved vs now".
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import cached_property

from calculator import charts, deploy, estimator, snapshots
from calculator.answers.shared import FieldErrors, PriceChoice, compared_apis, objection, validated
from calculator.catalog import Catalog
from calculator.estimator import budget, planner
from calculator.estimator.pricing import Pricing
from calculator.models import GpuType, Plan
from calculator.plan_forms import PlanForm

# The example: 3 requests/s at peak, ~2,000-token prompts, ~300-token answers,
# first token within 1 s and 50 ms per token (20 tokens/s) for 95% of requests.
DEFAULTS = {
    "model": "llama-3.1-70b",
    "rate": "3",
    "prompt": "2000",
    "completion": "300",
    "ttft_ms": "1000",
    "tpot_ms": "50",
    "percentile": planner.DEFAULT_PERCENTILE,
    "engine": "vllm",
    "max_gpus_per_replica": str(planner.DEFAULT_MAX_GPUS_PER_REPLICA),
    "target_utilization": str(planner.DEFAULT_TARGET_UTILIZATION),
}
# What a query may leave out or empty: the rest says what to plan for.
QUERY_DEFAULTS = ("engine", "percentile", "max_gpus_per_replica", "target_utilization")


def with_defaults(query):
    """A copy of the query (a QueryDict or a dict) with the settings it leaves out or
    empty taken from DEFAULTS."""
    data = query.copy()
    for key in QUERY_DEFAULTS:
        if not data.get(key):
            data[key] = DEFAULTS[key]
    return data


# Section: the answer


@dataclass(frozen=True)
class Planned:
    """A valid form's capacity plan, with the catalog GPUs it considered."""

    form: PlanForm
    result: planner.PlanResult
    gpus: tuple[GpuType, ...]

    @cached_property
    def inputs(self) -> dict[str, str]:
        return self.form.inputs()

    @cached_property
    def results(self) -> dict:
        """The plan as the API gives it and a saved plan keeps: the estimator's plan, and
        for each option (and best, runner_up, cheapest_spot) ``utilization_text`` ("using
        45% of their capacity, 80% allowed") and ``deploy`` (what to run:
        ``calculator.deploy.Recipe.as_dict()``: command, argv, image, kubernetes_yaml,
        notes; None for an option without replicas or an error it cannot be made for)."""
        result = self.result
        results = result.as_dict()
        pairs = [
            *zip(result.options, results["options"], strict=True),
            *(
                (getattr(result, key), results[key])
                for key in ("best", "runner_up", "cheapest_spot")
                if results[key] is not None
            ),
        ]
        for option, plain in pairs:
            plain["utilization_text"] = utilization_text(
                option.utilization, result.headroom.target_utilization
            )
            plain["deploy"] = self._deploy(option)
        return results

    def _deploy(self, option: planner.Option) -> dict | None:
        """What to run for one option (meeting the targets or not: its replicas)."""
        if option.replicas is None:
            return None
        data = self.form.cleaned_data
        gpu = next(row for row in self.gpus if row.slug == option.gpu)
        try:
            inputs = deploy.for_option(
                option,
                model=data["model"].to_spec(),
                engine=data["engine"].to_spec(),
                traffic=self.result.traffic,
                model_repo=getattr(data["model"], "hf_repo", "") or "",
                gpu_vendor=gpu.vendor,
            )
        except deploy.DeployInputError as error:
            return {"error": error.message}
        return deploy.recipe(inputs).as_dict()

    def as_json(self) -> dict:
        """What /api/plan and ``plan --json`` answer."""
        return {"inputs": self.inputs, **self.results}

    def snapshot(self) -> dict:
        """The catalog values a saved plan records."""
        data = self.form.cleaned_data
        return {
            "model": {"slug": data["model"].slug, "name": data["model"].name},
            "engine": {"slug": data["engine"].slug, "name": data["engine"].name},
            "gpus": [
                {
                    "slug": gpu.slug,
                    "name": gpu.name,
                    "hourly_price_usd": (
                        None if gpu.hourly_price_usd is None else float(gpu.hourly_price_usd)
                    ),
                    "price_as_of": gpu.price_as_of.isoformat() if gpu.price_as_of else None,
                }
                for gpu in self.gpus
            ],
        }


def utilization_text(utilization: float | None, allowed: float) -> str:
    """How much of the replicas' capacity the peak uses: "using 45% of their capacity,
    80% allowed"; empty without replicas."""
    if utilization is None:
        return ""
    return f"using {utilization:.0%} of their capacity, {allowed:.0%} allowed"


def considered_gpus(catalog: Catalog, chosen: list[GpuType]) -> tuple[GpuType, ...]:
    """The GPUs to plan on: those chosen, or every GPU with a price (an offer or a
    catalog price); of them, those the estimator can model."""
    if not chosen:
        chosen = [
            gpu
            for gpu in catalog.gpus
            if catalog.offers_for(gpu) or gpu.hourly_price_usd is not None
        ]
    rows = []
    for gpu in chosen:
        try:
            gpu.to_spec()
        except ValueError:  # no bandwidth figure on record
            continue
        rows.append(gpu)
    return tuple(rows)


def traffic(data: Mapping) -> planner.Traffic:
    """The traffic a valid form describes: a peak rate, or requests per day; and what
    of each prompt the prefix cache holds."""
    if data.get("rate") is not None:
        rates = planner.Traffic.at_peak(data["rate"], data["prompt"], data["completion"])
    else:
        rates = planner.Traffic.per_day(
            data["requests_per_day"],
            data.get("peak_factor") or 1.0,
            data["prompt"],
            data["completion"],
        )
    return replace(
        rates,
        shared_prefix_tokens=data.get("shared_prefix_tokens") or 0,
        prefix_hit_rate=data.get("prefix_hit_rate") or 0.0,
    )


def headroom(data: Mapping) -> planner.Headroom:
    """The capacity share and spare replica a valid form asks for (default 80%, no spare)."""
    return planner.Headroom(
        target_utilization=data.get("target_utilization") or planner.DEFAULT_TARGET_UTILIZATION,
        n_plus_one=bool(data.get("n_plus_one")),
    )


def targets(data: Mapping) -> planner.Targets:
    return planner.Targets(
        ttft_s=data["ttft_ms"] / 1e3,
        tpot_s=data["tpot_ms"] / 1e3,
        percentile=data.get("percentile") or planner.DEFAULT_PERCENTILE,
    )


def answer(form: PlanForm) -> Planned | FieldErrors:
    """The capacity plan for a bound form, or why there is none."""
    if errors := validated(form):
        return errors
    data, catalog = form.cleaned_data, form.catalog
    gpus = considered_gpus(catalog, data["gpus"])
    model, engine = data["model"].to_spec(), data["engine"].to_spec()
    specs = [gpu.to_spec() for gpu in gpus]
    most = data.get("max_gpus_per_replica") or planner.DEFAULT_MAX_GPUS_PER_REPLICA
    choice = PriceChoice.of(data)
    try:
        budget.check_planning(
            budget.plan_options(model, specs, data["weights"] or None, most),
            data["prompt"],
            data["completion"],
            engine.max_batched_tokens,
            max_gpus_per_replica=most,
        )
        result = planner.plan(
            model,
            specs,
            engine,
            traffic(data),
            targets(data),
            weights=data["weights"] or None,
            max_gpus_per_replica=most,
            apis=compared_apis(catalog, data["model"])[1],
            price=choice.function(catalog, gpus),
            headroom=headroom(data),
            spot_price=replace(choice, pricing=Pricing.SPOT).function(catalog, gpus),
            other_prices=choice.each_provider(catalog, gpus),
        )
    except estimator.EstimatorInputError as error:
        return objection(form, error)
    return Planned(form, result, gpus)


# Section: what the results partial renders from (the page and a saved plan alike)


def partials_context(results: Mapping | None) -> dict:
    """The plan's JSON (live or saved) and its trade-off chart."""
    if results is None:
        return {"plan": None, "chart": None}
    best = results["best"]
    best_key = (best["gpu"], best["gpus_per_replica"], best["weights"]) if best else None
    return {"plan": results, "chart": charts.tradeoff_chart(results["options"], best_key)}


# Section: saved plans


def save(form: PlanForm, *, name: str, author=None) -> Plan | FieldErrors:
    """Plan a bound form and save it; or why not. `author`: the signed-in user, if any."""
    result = answer(form)
    if isinstance(result, FieldErrors):
        return result
    return snapshots.plan_create(
        inputs=result.inputs,
        results=result.results,
        snapshot=result.snapshot(),
        name=name,
        author=author,
    )


def now(saved: Plan) -> dict:
    """Saved vs now: the same inputs planned with today's catalog and estimator."""
    inputs = dict(saved.inputs)
    # Planned before headroom existed: every replica at its whole capacity, no spare.
    inputs.setdefault("target_utilization", "1")
    form = PlanForm(with_defaults(inputs))
    result = answer(form)
    if isinstance(result, FieldErrors):
        problems = [f"{field}: {' '.join(m)}" for field, m in result.errors.items()]
        return {"now": None, "problems": problems}
    return {"now": result.results, "problems": []}
