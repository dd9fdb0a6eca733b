"""The planner's question: what to rent for this traffic within these latency targets,
and what it costs a month (``calculator.estimator.planner``).

One door for /plan/, /api/plan, the CLI's ``plan``, saving a plan and a saved plan's
"saved vs now".
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import cached_property

from calculator import calibration_report, charts, deploy, estimator, snapshots
from calculator.answers import day
from calculator.answers.shared import (
    DEFAULT_MODEL,
    FieldErrors,
    PriceChoice,
    compared_apis,
    objection,
    owned_shown,
    rented_on_demand,
    validated,
)
from calculator.catalog import Catalog
from calculator.estimator import budget, planner, speculative, traffic
from calculator.estimator import owned as owned_module
from calculator.estimator.pricing import Pricing
from calculator.estimator.specs import Parallelism
from calculator.forms import DTYPE_CHOICES
from calculator.models import GpuType, Plan
from calculator.plan_forms import PlanForm

# The example: 3 requests/s at peak, ~2,000-token prompts, ~300-token answers,
# first token within 1 s and 50 ms per token (20 tokens/s) for 95% of requests.
DEFAULTS = {
    "model": DEFAULT_MODEL,
    "rate": "3",
    "prompt": "2000",
    "completion": "300",
    "ttft_ms": "1000",
    "tpot_ms": "50",
    "percentile": planner.DEFAULT_PERCENTILE,
    "confidence": planner.ESTIMATE,
    "engine": "vllm",
    "parallelism": Parallelism.TENSOR.value,
    "max_gpus_per_replica": str(planner.DEFAULT_MAX_GPUS_PER_REPLICA),
    "target_utilization": str(planner.DEFAULT_TARGET_UTILIZATION),
}
# What a query may leave out or empty: the rest says what to plan for.
QUERY_DEFAULTS = (
    "engine",
    "parallelism",
    "percentile",
    "confidence",
    "max_gpus_per_replica",
    "target_utilization",
)


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
    profile: day.Profile | None = None
    # With a profile: {"schedule", "bill", "autoscaling"} (answers/day.py).
    day: dict | None = None
    price: dict | None = None  # owned hardware's price, part by part, and its math

    @cached_property
    def inputs(self) -> dict[str, str]:
        traffic = self.result.traffic  # the lengths planned: typed, or a log's means
        return {
            **self.form.inputs(),
            **(self.profile.inputs() if self.profile else {}),
            "prompt": str(traffic.prompt_tokens),
            "completion": str(traffic.completion_tokens),
        }

    @cached_property
    def results(self) -> dict:
        """The plan as the API gives it and a saved plan keeps: the estimator's plan, and
        for each option (and best, runner_up, cheapest_spot) ``utilization_text`` ("using
        45% of their capacity, 80% allowed") and ``deploy`` (what to run:
        ``calculator.deploy.Recipe.as_dict()``: command, argv, image, kubernetes_yaml,
        notes; None for an option without replicas or an error it cannot be made for);
        with a traffic profile, ``schedule``, ``bill`` and ``autoscaling`` (answers/day.py,
        else None), and with owned hardware ``owned`` (else None)."""
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
        return {
            **results,
            **(self.day or {"schedule": None, "bill": None, "autoscaling": None}),
            "owned": self.price,
        }

    @cached_property
    def traffic_profile(self) -> dict:
        """The profile planned for, as a saved plan keeps it ({} for one rate)."""
        return self.profile.as_dict() if self.profile else {}

    def _deploy(self, option: planner.Option) -> dict | None:
        """What to run for one option (meeting the targets or not: its replicas)."""
        if option.replicas is None:
            return None
        if option.pools is not None:  # one recipe a pool, named
            pools = option.pools.prefill, option.pools.decode
            recipes = [self._deploy(deploy.pool_option(option, pool)) for pool in pools]
            if any(r is None or "error" in r for r in recipes):
                return next(r for r in recipes if r is not None and "error" in r)
            return deploy.pools_recipe(*recipes, *pools)
        data = self.form.cleaned_data
        gpu = next(row for row in self.gpus if row.slug == option.gpu)
        model, planned = data["model"].to_spec(), self.result.traffic
        try:
            inputs = deploy.for_option(
                option,
                model=model,
                engine=data["engine"].to_spec(),
                traffic=planned,
                model_repo=getattr(data["model"], "hf_repo", "") or "",
                gpu_vendor=gpu.vendor,
                speculation=speculative.of(model, planned.workload()),
                draft_repo=getattr(data.get("draft_model"), "hf_repo", "") or "",
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
    parallelism = Parallelism(data.get("parallelism") or Parallelism.TENSOR.value)
    apis = compared_apis(catalog, data["model"])[1]
    evidence, margin = calibration_report.evidence()
    try:
        profile = day.profile(data)
        if profile and data.get("disaggregated"):
            raise estimator.EstimatorInputError(
                "disaggregated",
                "Disaggregated prefill/decode is planned for one peak rate: not yet with an "
                "hourly profile or a request log (its autoscaled day is aggregated serving's).",
            )
        traffic = day.traffic(data, profile, day.lengths(data, profile))
        budget.check_planning(
            budget.plan_options(model, specs, data["weights"] or None, most, parallelism),
            traffic.prompt_tokens,
            traffic.completion_tokens,
            engine.max_batched_tokens,
            max_gpus_per_replica=most,
        )
        choice = PriceChoice.of(data)  # owned hardware the estimator may refuse
        owned = choice.owned is not None
        result = planner.plan(
            model,
            specs,
            engine,
            traffic,
            targets(data),
            weights=data["weights"] or None,
            max_gpus_per_replica=most,
            apis=apis,
            price=choice.function(catalog, gpus),
            headroom=headroom(data),
            # Owned hardware has no spot price and no other provider.
            spot_price=(
                None if owned else replace(choice, pricing=Pricing.SPOT).function(catalog, gpus)
            ),
            other_prices=None if owned else choice.each_provider(catalog, gpus),
            confidence=data.get("confidence") or planner.ESTIMATE,
            evidence=evidence,
            margin=margin,
            disaggregated=bool(data.get("disaggregated")),
            parallelism=parallelism,
        )
        the_day = (
            day.the_day(data, profile, result, model, specs, engine, apis, owned=owned)
            if profile
            else None
        )
    except estimator.EstimatorInputError as error:
        return objection(form, error)
    price = owned_against_renting(choice, catalog, gpus, result) if owned else None
    return Planned(form, result, gpus, profile, the_day, price)


def owned_against_renting(
    choice: PriceChoice, catalog: Catalog, gpus: tuple[GpuType, ...], result: planner.PlanResult
) -> dict:
    """Owned hardware's price, part by part, its math, and, for the best option's GPU,
    buying a server against renting its GPUs on demand (the months to break even)."""
    price = choice.owned
    best = result.best
    row = best and next(gpu for gpu in gpus if gpu.slug == best.gpu)
    rented = row and rented_on_demand(catalog, row, best.gpus_per_replica)
    if rented is None or rented.effective_usd_per_gpu_hour is None:
        return owned_shown(price, rented_usd_per_gpu_hour=None, break_even_months=None)
    even = owned_module.break_even(price.hardware, rented.effective_usd_per_gpu_hour)
    step = even.trace(price.hardware)
    return owned_shown(
        price,
        [step] if step else [],
        rented_usd_per_gpu_hour=rented.effective_usd_per_gpu_hour,
        rented_source=rented.label,
        rented_usd_per_server_month=even.rented_usd_per_month,
        owned_running_usd_per_server_month=even.owned_running_usd_per_month,
        break_even_months=even.months,
    )


# Section: what the results partial renders from (the page and a saved plan alike)


def partials_context(results: Mapping | None) -> dict:
    """The plan's JSON (live or saved) and its trade-off chart."""
    if results is None:
        return {"plan": None, "chart": None, "day_chart": None, "table": None, "apis": None}
    best = results["best"]
    # A disaggregated best is not on the chart (no one replica's tokens/s).
    best_key = (
        (best["gpu"], best["gpus_per_replica"], best["weights"])
        if best and not best.get("disaggregated")
        else None
    )
    return {
        "plan": results,
        "chart": charts.tradeoff_chart(results["options"], best_key),
        "day_chart": day.chart(results),
        "table": option_table(results),
        "apis": api_table(results),
    }


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
        traffic=result.traffic_profile,
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


# Section: the /plan/ page's shape (the pickers and the short table). The page renders
# these; the API answers every option as planned.

# Issue 20: a table a buyer reads at a glance, "at most about 10 rows".
SHORT_TABLE_ROWS = 10
# Options priced at more than this many times the best's month are folded away (issue 20).
FOLD_PRICE_RATIO = 10


@dataclass(frozen=True)
class Pick:
    """One checkbox of the planner's GPU or precision picker."""

    value: str  # the slug the form takes
    label: str
    checked: bool
    memory_gb: float | None = None  # GPUs only
    offers: int = 0  # the cloud offers pricing it (GPUs only)
    priced: bool = True  # an offer or a catalog price: "all priced" ticks it


def _ticked(form: PlanForm, name: str) -> set[str]:
    """The slugs ticked (or listed with commas) in the form's raw input."""
    return {s.strip() for s in (form[name].value() or "").split(",") if s.strip()}


def pickers(form: PlanForm) -> dict[str, list[Pick]]:
    """The GPUs the estimator can model (name, memory, how many offers price it) and the
    weight precisions, as checkboxes ticked from the form's input, valid or not."""
    catalog, gpus, weights = form.catalog, _ticked(form, "gpus"), _ticked(form, "weights")
    gpu_picks = [
        Pick(
            value=gpu.slug,
            label=gpu.name,
            checked=gpu.slug in gpus,
            memory_gb=gpu.memory_gb,
            offers=len(catalog.offers_for(gpu)),
            priced=bool(catalog.offers_for(gpu)) or gpu.hourly_price_usd is not None,
        )
        for gpu in considered_gpus(catalog, list(catalog.gpus))
    ]
    weight_picks = [
        Pick(value=value, label=label, checked=value in {w.lower() for w in weights})
        for value, label in DTYPE_CHOICES
    ]
    return {"gpus": gpu_picks, "weights": weight_picks}


def option_key(option: Mapping) -> str:
    """One option of a plan, named in a URL: GPU slug, GPUs per replica, precision, and
    ``:expert`` for an expert-parallel one (a disaggregated one: "pd", then each pool's
    GPU and GPUs per replica)."""
    if option.get("disaggregated"):
        pre, dec = option["prefill"], option["decode"]
        return (
            f"pd:{pre['gpu']}:{pre['gpus_per_replica']}:{dec['gpu']}:"
            f"{dec['gpus_per_replica']}:{option['weights']}"
        )
    key = f"{option['gpu']}:{option['gpus_per_replica']}:{option['weights']}"
    expert = option.get("parallelism") == Parallelism.EXPERT.value
    return f"{key}:{Parallelism.EXPERT.value}" if expert else key


@dataclass(frozen=True)
class Row:
    option: Mapping  # one of the plan's options, as its JSON has it
    note: str  # why it is not in the short table ("" for a row of it that meets the targets)

    @property
    def key(self) -> str:
        return option_key(self.option)


@dataclass(frozen=True)
class OptionTable:
    """The plan's options as the page shows them: ``short``, the cheapest option of each
    GPU type (and its cheapest disaggregated one, when asked) that meets the targets or
    could (one not searched because it cannot beat the best: it says the least it would
    cost), cheapest first, at most SHORT_TABLE_ROWS (when none meets them, each GPU
    type's first option, with why it misses); ``rest``, every other option with the
    reason it is not shown; ``folded``, those priced at more than FOLD_PRICE_RATIO times
    the best's month (or bound to be)."""

    short: tuple[Row, ...]
    rest: tuple[Row, ...]
    folded: tuple[Row, ...]
    best_key: str | None  # option_key() of the plan's best, if any
    fold_ratio: int = FOLD_PRICE_RATIO

    @property
    def more(self) -> int:
        """How many options "Show all options" reveals."""
        return len(self.rest) + len(self.folded)


def _month(option: Mapping) -> float | None:
    """What the option costs a month, or the least it would (an option not searched)."""
    cost = option.get("usd_per_month")
    return option.get("usd_per_month_at_least") if cost is None else cost


def _misses(option: Mapping) -> str:
    return " ".join(option["reasons"]) or "Misses the targets."


def option_table(results: Mapping) -> OptionTable:
    """Shape a plan's options (live or saved, ranked as the planner ranks them: those
    meeting the targets first) into the page's short table, the rest and the folded."""
    best = results.get("best")
    ceiling = best["usd_per_month"] * FOLD_PRICE_RATIO if best else None
    short, rest, folded, shown_gpus = [], [], [], set()
    for option in results["options"]:
        month = _month(option)
        meets = option["meets_targets"]
        if ceiling is not None and month is not None and month > ceiling:
            why = f"Over {FOLD_PRICE_RATIO}x the best’s price."
            folded.append(Row(option, why if meets else f"{why} {_misses(option)}"))
            continue
        could = meets or planner.Reason.COSTS_MORE in option.get("reason_codes", ()) or best is None
        # Each GPU type's cheapest aggregated option, and its cheapest disaggregated one.
        kind = (option["gpu"], bool(option.get("disaggregated")))
        if could and kind not in shown_gpus and len(short) < SHORT_TABLE_ROWS:
            short.append(Row(option, "" if meets else _misses(option)))
            shown_gpus.add(kind)
        elif not meets:
            rest.append(Row(option, _misses(option)))
        elif kind in shown_gpus:
            rest.append(Row(option, f"A cheaper {option['gpu_name']} option is shown."))
        else:
            rest.append(Row(option, f"{SHORT_TABLE_ROWS} cheaper GPU types are shown."))
    # Cheapest first (a row without a price last); the sort keeps the plan's order on ties.
    short.sort(key=lambda row: math.inf if _month(row.option) is None else _month(row.option))
    best_key = option_key(best) if best else None
    return OptionTable(tuple(short), tuple(rest), tuple(folded), best_key)


@dataclass(frozen=True)
class ApiTable:
    """The plan's API comparison as the page shows it: current models, and the
    deprecated ones folded away (issue 20), each in the plan's order."""

    current: tuple[Mapping, ...]
    deprecated: tuple[Mapping, ...]


def api_table(results: Mapping) -> ApiTable:
    apis = results.get("api_comparison") or ()
    return ApiTable(
        current=tuple(a for a in apis if not a.get("deprecated")),
        deprecated=tuple(a for a in apis if a.get("deprecated")),
    )


@dataclass(frozen=True)
class DeployFile:
    filename: str
    content_type: str
    text: str


def deploy_file(planned: Planned | FieldErrors, key: str, kind: str) -> DeployFile | None:
    """One option's recipe (its ``deploy`` in the plan) as a file to download: ``kind``
    "command" (a shell script) or "yaml" (the Kubernetes manifest); None when the plan,
    the option or its recipe is not there."""
    if isinstance(planned, FieldErrors) or kind not in ("command", "yaml"):
        return None
    option = next((o for o in planned.results["options"] if option_key(o) == key), None)
    recipe = (option or {}).get("deploy") or {}
    name = "-".join(key.split(":"))
    if kind == "yaml" and recipe.get("kubernetes_yaml"):
        return DeployFile(f"{name}.yaml", "application/yaml", recipe["kubernetes_yaml"])
    if kind == "command" and recipe.get("command"):
        return DeployFile(f"{name}.sh", "text/plain", f"#!/bin/sh\n{recipe['command']}\n")
    return None


# Section: the /plan/ page's day (issue 21): the hourly table's presets and a request log

# The fields an hourly profile replaces (the form refuses them beside hourly_rates): a
# preset button filling the table clears them.
TABLE_REPLACES = ("rate", "requests_per_day", "peak_factor", "traffic_preset")
# What a request log replaces: it gives the rates, so the page's rate and profile
# fields are set aside (the typed lengths stay; empty, the log's means are used).
LOG_REPLACES = (*TABLE_REPLACES, "hourly_rates", "hourly_rates_weekend")


@dataclass(frozen=True)
class PresetButton:
    """A preset day as the hourly table's button fills it."""

    label: str
    at_peak_one: str  # each weekday hour's rate at a peak of 1 request/s, comma-separated


@dataclass(frozen=True)
class DayTable:
    hours: tuple[int, ...]
    presets: tuple[PresetButton, ...]
    replaces: str  # TABLE_REPLACES, space-separated
    default_peak: str  # the example's peak, when neither the rate nor the table gives one


def day_table() -> DayTable:
    """The hourly table's pieces: the hours, and each preset's weekday shape scaled by
    the estimator to a peak of 1 request/s (the page multiplies by the peak typed)."""
    presets = tuple(
        PresetButton(
            traffic.SHAPES[name].label,
            day.rates_text(traffic.preset(name, peak_rate=1.0).weekday),
        )
        for name in traffic.Preset
    )
    return DayTable(
        tuple(range(traffic.HOURS_PER_DAY)), presets, " ".join(TABLE_REPLACES), DEFAULTS["rate"]
    )


def log_query(post):
    """A copy of the page's POSTed inputs to plan with an uploaded log: the settings left
    out taken from DEFAULTS, and the fields the log replaces (LOG_REPLACES) set aside."""
    data = with_defaults(post)
    for key in LOG_REPLACES:
        data.pop(key, None)
    return data


def carried_inputs(form: PlanForm) -> list[tuple[str, str]]:
    """The page's inputs as (name, value) pairs, for the log upload's form to carry
    without JavaScript (with it, the upload includes the live form instead)."""
    pairs = []
    for name in form.fields:
        if name in LOG_REPLACES or name == "request_log":
            continue
        value = form[name].value()
        if value in (None, "", False):
            continue
        pairs.append((name, "on" if value is True else str(value)))
    return pairs
