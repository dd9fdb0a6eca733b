"""Inputs of the serving simulator (/api/serve, "Under load") and the planner (/plan/).

Field names are the API's query parameters. Forms validate and convert; the estimator
computes (``calculator.estimator.serving`` and ``planner``).
"""

from __future__ import annotations

from django import forms
from django.utils.functional import cached_property

from calculator import estimator
from calculator.catalog import Catalog
from calculator.estimator import Dtype, Parallelism, Workload
from calculator.estimator import planner as P
from calculator.estimator import serving as S
from calculator.estimator.pricing import PriceFunction, PriceUsed, Pricing
from calculator.forms import (
    DTYPE_CHOICES,
    MAX_TOKENS,
    CalculatorForm,
    CatalogChoiceField,
    pricing_field,
    provider_field,
    use_catalog,
)

SPREAD_CHOICES = [
    (S.LengthSpread.FIXED.value, "Fixed: every request at the mean"),
    (S.LengthSpread.UNIFORM.value, "Uniform: mean x 0.5 to 1.5"),
    (S.LengthSpread.EXPONENTIAL.value, "Exponential: a long tail, as chat logs"),
]
PERCENTILE_CHOICES = [(p, p) for p in P.PERCENTILE_CHOICES]
MAX_TARGET_MS = 3_600_000  # an hour: anything above is a typo
MAX_GPUS_PER_REPLICA = 64  # eight 8-GPU servers; tensor parallel beyond a node is rare


class ServeForm(CalculatorForm):
    """The calculator's configuration (without the batch: the traffic sets it) and the
    traffic: a Poisson rate or closed-loop users."""

    batch = None  # the scheduler decides the batch
    rate = forms.FloatField(
        required=False,
        min_value=0,
        max_value=S.MAX_RATE,
        label="Requests per second",
        help_text="Poisson arrivals; leave empty to give users instead.",
    )
    concurrency = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=S.MAX_CONCURRENCY,
        label="Concurrent users",
        help_text="Each sends the next request when the last one ends.",
    )
    requests = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=S.MAX_REQUESTS,
        label="Requests to simulate",
    )
    length_spread = forms.ChoiceField(
        choices=SPREAD_CHOICES, required=False, label="Request lengths"
    )

    def clean(self):
        cleaned = super().clean()
        rate, users = cleaned.get("rate"), cleaned.get("concurrency")
        if "rate" in cleaned and "concurrency" in cleaned:
            if rate is None and users is None:
                self.add_error("rate", "Give a rate (requests/s) or a concurrency (users).")
            elif rate is not None and users is not None:
                self.add_error("rate", "Give a rate or a concurrency, not both.")
            elif rate is not None and rate <= 0:
                self.add_error("rate", "Must be above 0.")
        return cleaned

    def workload(self, apis=()) -> Workload:
        data = self.cleaned_data
        return Workload(
            num_gpus=data["gpus"],
            batch_size=None,
            prompt_tokens=data["prompt"],
            completion_tokens=data["completion"],
            weights_dtype=Dtype(data["weights"]),
            kv_dtype=Dtype(data["kv"]) if data.get("kv") else None,
            parallelism=Parallelism(data["parallelism"]),
        )

    def simulate(self) -> estimator.ServingResult | None:
        """The simulation for a valid form, or None with the estimator's objection added
        to the form."""
        data = self.cleaned_data
        try:
            return estimator.simulate(
                data["model"].to_spec(),
                data["gpu"].to_spec(),
                data["engine"].to_spec(),
                self.workload(),
                rate=data.get("rate"),
                concurrency=data.get("concurrency"),
                requests=data.get("requests") or S.DEFAULT_REQUESTS,
                length_spread=data.get("length_spread") or S.LengthSpread.FIXED,
            )
        except estimator.EstimatorInputError as error:
            self.add_error(_serve_field(error.field), error.message)
            return None

    def inputs(self) -> dict[str, str]:
        data = self.cleaned_data
        values = {
            key: data.get(key)
            for key in ("model", "gpu", "gpus", "prompt", "completion", "weights", "kv")
            + ("engine", "parallelism", "rate", "concurrency", "requests", "length_spread")
        }
        for key in ("model", "gpu", "engine"):
            values[key] = values[key].slug
        return {key: "" if value is None else _plain(value) for key, value in values.items()}


def _serve_field(field: str) -> str | None:
    known = {"num_gpus": "gpus", "prompt_tokens": "prompt", "completion_tokens": "completion"}
    if field in known:
        return known[field]
    return field if field in ServeForm.base_fields else None


# Section: the planner

PLAN_DEFAULTS = {
    # The example: 3 requests/s at peak, ~2,000-token prompts, ~300-token answers,
    # first token within 1 s and 50 ms per token (20 tokens/s) for 95% of requests.
    "model": "llama-3.1-70b",
    "rate": "3",
    "prompt": "2000",
    "completion": "300",
    "ttft_ms": "1000",
    "tpot_ms": "50",
    "percentile": P.DEFAULT_PERCENTILE,
    "engine": "vllm",
    "max_gpus_per_replica": str(P.DEFAULT_MAX_GPUS_PER_REPLICA),
}


class PlanForm(forms.Form):
    model = CatalogChoiceField("models", label="Model")
    rate = forms.FloatField(
        required=False,
        min_value=0,
        max_value=P.MAX_RATE,
        label="Peak requests per second",
        help_text="Or leave empty and give requests per day.",
    )
    requests_per_day = forms.FloatField(
        required=False, min_value=0, max_value=P.MAX_REQUESTS_PER_DAY, label="Requests per day"
    )
    peak_factor = forms.FloatField(
        required=False,
        min_value=1,
        max_value=P.MAX_PEAK_FACTOR,
        label="Peak / average",
        help_text="How much busier the peak is than the day's average (default 1).",
    )
    prompt = forms.IntegerField(min_value=1, max_value=MAX_TOKENS, label="Mean prompt tokens")
    completion = forms.IntegerField(
        min_value=1, max_value=MAX_TOKENS, label="Mean completion tokens"
    )
    ttft_ms = forms.FloatField(
        min_value=0, max_value=MAX_TARGET_MS, label="Time to first token target (ms)"
    )
    tpot_ms = forms.FloatField(
        min_value=0, max_value=MAX_TARGET_MS, label="Time per output token target (ms)"
    )
    percentile = forms.ChoiceField(
        choices=PERCENTILE_CHOICES, required=False, label="At percentile"
    )
    gpus = forms.CharField(
        required=False,
        max_length=2000,
        label="GPUs",
        help_text="Comma-separated slugs; empty: every GPU with a price.",
    )
    weights = forms.CharField(
        required=False,
        max_length=200,
        label="Weight precisions",
        help_text="Comma-separated (bf16, fp8, ...); empty: each GPU's 16- and 8-bit.",
    )
    engine = CatalogChoiceField("engines", label="Engine")
    max_gpus_per_replica = forms.IntegerField(
        required=False, min_value=1, max_value=MAX_GPUS_PER_REPLICA, label="Most GPUs per replica"
    )
    # The price basis, as on the calculator: the cheapest cloud offer or one cloud's,
    # on-demand or spot (estimator/pricing.py decides which price applies).
    provider = provider_field()
    pricing = pricing_field()

    def __init__(self, *args, catalog: Catalog | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.catalog = use_catalog(self, catalog)
        for field in self.fields.values():  # Bootstrap's look, as crispy gives the calculator
            select = isinstance(field.widget, forms.Select)
            field.widget.attrs.setdefault("class", "form-select" if select else "form-control")

    def price(self, gpu, num_gpus: int) -> PriceUsed:
        """The planner's price function: the offers' rule for this GPU and count."""
        from django.utils import timezone

        from calculator.estimator.pricing import resolve_price

        return resolve_price(
            typed=None,
            offers=self.catalog.offers_for(gpu),
            provider=self.cleaned_data.get("provider") or None,
            pricing=self.cleaned_data.get("pricing") or Pricing.ON_DEMAND,
            num_gpus=num_gpus,
            catalog_usd=None if gpu.hourly_price_usd is None else float(gpu.hourly_price_usd),
            catalog_as_of=gpu.price_as_of,
            today=timezone.localdate(),
            catalog_source=gpu.price_source,
        )

    def clean_gpus(self) -> list:
        text = self.cleaned_data.get("gpus") or ""
        slugs = [s.strip() for s in text.split(",") if s.strip()]
        rows = {gpu.slug: gpu for gpu in self.catalog.gpus}
        unknown = [s for s in slugs if s not in rows]
        if unknown:
            raise forms.ValidationError(
                f"Unknown GPU(s): {', '.join(unknown)}. See /api/gpus for the slugs."
            )
        if not slugs:  # every GPU with a price: an offer or a catalog price
            return [
                gpu
                for gpu in self.catalog.gpus
                if self.catalog.offers_for(gpu) or gpu.hourly_price_usd is not None
            ]
        return [rows[s] for s in dict.fromkeys(slugs)]

    def clean_weights(self) -> list[Dtype]:
        text = self.cleaned_data.get("weights") or ""
        names = [s.strip().lower() for s in text.split(",") if s.strip()]
        valid = {value for value, _ in DTYPE_CHOICES}
        unknown = [n for n in names if n not in valid]
        if unknown:
            raise forms.ValidationError(
                f"Unknown precision(s): {', '.join(unknown)}. Known: {', '.join(sorted(valid))}."
            )
        return [Dtype(n) for n in dict.fromkeys(names)]

    def clean(self):
        cleaned = super().clean()
        rate, per_day = cleaned.get("rate"), cleaned.get("requests_per_day")
        if "rate" in cleaned and "requests_per_day" in cleaned:
            if rate is None and per_day is None:
                self.add_error("rate", "Give a peak rate or requests per day.")
            elif rate is not None and per_day is not None:
                self.add_error("rate", "Give a peak rate or requests per day, not both.")
            elif rate is not None and rate <= 0:
                self.add_error("rate", "Must be above 0.")
            elif per_day is not None and per_day <= 0:
                self.add_error("requests_per_day", "Must be above 0.")
        for name in ("ttft_ms", "tpot_ms"):
            if cleaned.get(name) is not None and cleaned[name] <= 0:
                self.add_error(name, "Must be above 0.")
        return cleaned

    def traffic(self) -> P.Traffic:
        data = self.cleaned_data
        if data.get("rate") is not None:
            return P.Traffic.at_peak(data["rate"], data["prompt"], data["completion"])
        return P.Traffic.per_day(
            data["requests_per_day"],
            data.get("peak_factor") or 1.0,
            data["prompt"],
            data["completion"],
        )

    def targets(self) -> P.Targets:
        data = self.cleaned_data
        return P.Targets(
            ttft_s=data["ttft_ms"] / 1e3,
            tpot_s=data["tpot_ms"] / 1e3,
            percentile=data.get("percentile") or P.DEFAULT_PERCENTILE,
        )

    @cached_property
    def gpu_rows(self) -> list:
        """The catalog rows of the GPUs considered that the estimator can model."""
        rows = []
        for gpu in self.cleaned_data["gpus"]:
            try:
                gpu.to_spec()
            except ValueError:  # no bandwidth figure on record
                continue
            rows.append(gpu)
        return rows

    def plan(self) -> P.PlanResult | None:
        data = self.cleaned_data
        try:
            return P.plan(
                data["model"].to_spec(),
                [gpu.to_spec() for gpu in self.gpu_rows],
                data["engine"].to_spec(),
                self.traffic(),
                self.targets(),
                weights=data["weights"] or None,
                max_gpus_per_replica=data.get("max_gpus_per_replica")
                or P.DEFAULT_MAX_GPUS_PER_REPLICA,
                apis=self.api_specs(),
                price=self._spec_price(),
            )
        except estimator.EstimatorInputError as error:
            self.add_error(error.field if error.field in self.fields else None, error.message)
            return None

    def _spec_price(self) -> PriceFunction:
        rows = {gpu.slug: gpu for gpu in self.gpu_rows}
        return lambda spec, n: self.price(rows[spec.slug], n)

    def api_specs(self) -> tuple[estimator.ApiOffering, ...]:
        """The APIs to price the traffic at: those serving this very model, and the
        closed reference models; not other open models."""
        model = self.cleaned_data["model"]
        return tuple(
            spec
            for offering, spec in zip(
                self.catalog.offerings, self.catalog.offering_specs, strict=True
            )
            if offering.llm_model_id == model.pk or offering.is_reference
        )

    def inputs(self) -> dict[str, str]:
        """The cleaned input as query parameters (permalinks, the API, "saved vs now")."""
        data = self.cleaned_data
        values = {
            "model": data["model"].slug,
            "rate": data.get("rate"),
            "requests_per_day": data.get("requests_per_day"),
            "peak_factor": data.get("peak_factor"),
            "prompt": data["prompt"],
            "completion": data["completion"],
            "ttft_ms": data["ttft_ms"],
            "tpot_ms": data["tpot_ms"],
            "percentile": data.get("percentile") or P.DEFAULT_PERCENTILE,
            "gpus": self.data.get("gpus", "") or "",
            "weights": ",".join(d.value for d in data["weights"]),
            "engine": data["engine"].slug,
            "max_gpus_per_replica": data.get("max_gpus_per_replica")
            or P.DEFAULT_MAX_GPUS_PER_REPLICA,
            "provider": data.get("provider") or "",
            "pricing": data.get("pricing") or Pricing.ON_DEMAND.value,
        }
        return {key: "" if value is None else _plain(value) for key, value in values.items()}


def _plain(value) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
