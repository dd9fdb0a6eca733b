"""Inputs of the serving simulator (/api/serve, "Under load") and the planner (/plan/).

Field names are the API's query parameters. Forms validate and convert; the estimator
computes (``calculator.estimator.serving`` and ``planner``).
"""

from __future__ import annotations

from django import forms

from calculator.catalog import Catalog
from calculator.estimator import Dtype, planner, serving
from calculator.estimator.pricing import Pricing
from calculator.forms import (
    DTYPE_CHOICES,
    CalculatorForm,
    CatalogChoiceField,
    prefix_hit_rate_field,
    prefix_inputs,
    pricing_field,
    provider_field,
    shared_prefix_field,
    speculative_inputs,
    use_catalog,
)
from calculator.limits import (
    DEFAULT_MAX_GPUS_PER_REPLICA,
    MAX_CONCURRENCY,
    MAX_GPU_LIST_CHARS,
    MAX_GPUS_PER_REPLICA,
    MAX_PEAK_FACTOR,
    MAX_PLAN_RATE,
    MAX_REQUESTS,
    MAX_REQUESTS_PER_DAY,
    MAX_SERVE_RATE,
    MAX_TARGET_MS,
    MAX_TARGET_UTILIZATION,
    MAX_TOKENS,
    MAX_WEIGHT_LIST_CHARS,
    MIN_TARGET_UTILIZATION,
)

SPREAD_CHOICES = [
    (serving.LengthSpread.FIXED.value, "Fixed: every request at the mean"),
    (serving.LengthSpread.UNIFORM.value, "Uniform: mean x 0.5 to 1.5"),
    (serving.LengthSpread.EXPONENTIAL.value, "Exponential: a long tail, as chat logs"),
]
PERCENTILE_CHOICES = [(p, p) for p in planner.PERCENTILE_CHOICES]


class ServeForm(CalculatorForm):
    """The calculator's configuration (without the batch: the traffic sets it) and the
    traffic: a Poisson rate or closed-loop users."""

    batch = None  # the scheduler decides the batch
    rate = forms.FloatField(
        required=False,
        min_value=0,
        max_value=MAX_SERVE_RATE,
        label="Requests per second",
        help_text="Poisson arrivals; leave empty to give users instead.",
    )
    concurrency = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_CONCURRENCY,
        label="Concurrent users",
        help_text="Each sends the next request when the last one ends.",
    )
    requests = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_REQUESTS,
        label="Requests to simulate",
    )
    length_spread = forms.ChoiceField(
        choices=SPREAD_CHOICES, required=False, label="Request lengths"
    )

    def __init__(self, *args, traffic_required: bool = True, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # "Under load" asks for no traffic: it then simulates a share of the capacity.
        self.traffic_required = traffic_required

    def clean(self):
        cleaned = super().clean()
        rate, users = cleaned.get("rate"), cleaned.get("concurrency")
        if "rate" in cleaned and "concurrency" in cleaned:
            if rate is None and users is None and self.traffic_required:
                self.add_error("rate", "Give a rate (requests/s) or a concurrency (users).")
            elif rate is not None and users is not None:
                self.add_error("rate", "Give a rate or a concurrency, not both.")
            elif rate is not None and rate <= 0:
                self.add_error("rate", "Must be above 0.")
        return cleaned

    def inputs(self) -> dict[str, str]:
        data = self.cleaned_data
        values = {
            key: data.get(key)
            for key in ("model", "gpu", "gpus", "prompt", "completion", "weights", "kv")
            + ("engine", "parallelism", "rate", "concurrency", "requests", "length_spread")
        }
        for key in ("model", "gpu", "engine"):
            values[key] = values[key].slug
        values.update(prefix_inputs(data))
        values.update(speculative_inputs(data))
        return {key: "" if value is None else _plain(value) for key, value in values.items()}


# Section: the planner


class PlanForm(forms.Form):
    model = CatalogChoiceField("models", label="Model")
    rate = forms.FloatField(
        required=False,
        min_value=0,
        max_value=MAX_PLAN_RATE,
        label="Peak requests per second",
        help_text="Or leave empty and give requests per day.",
    )
    requests_per_day = forms.FloatField(
        required=False, min_value=0, max_value=MAX_REQUESTS_PER_DAY, label="Requests per day"
    )
    peak_factor = forms.FloatField(
        required=False,
        min_value=1,
        max_value=MAX_PEAK_FACTOR,
        label="Peak / average",
        help_text="How much busier the peak is than the day's average (default 1).",
    )
    prompt = forms.IntegerField(min_value=1, max_value=MAX_TOKENS, label="Mean prompt tokens")
    completion = forms.IntegerField(
        min_value=1, max_value=MAX_TOKENS, label="Mean completion tokens"
    )
    shared_prefix_tokens = shared_prefix_field()
    prefix_hit_rate = prefix_hit_rate_field()
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
        max_length=MAX_GPU_LIST_CHARS,
        label="GPUs",
        help_text="Comma-separated slugs; empty: every GPU with a price.",
    )
    weights = forms.CharField(
        required=False,
        max_length=MAX_WEIGHT_LIST_CHARS,
        label="Weight precisions",
        help_text="Comma-separated (bf16, fp8, ...); empty: each GPU's 16- and 8-bit.",
    )
    engine = CatalogChoiceField("engines", label="Engine")
    max_gpus_per_replica = forms.IntegerField(
        required=False, min_value=1, max_value=MAX_GPUS_PER_REPLICA, label="Most GPUs per replica"
    )
    # Headroom (estimator/planner.py, Headroom): the share of each replica's capacity
    # the peak may use, and a spare replica so the targets hold with one down.
    target_utilization = forms.FloatField(
        required=False,
        min_value=MIN_TARGET_UTILIZATION,
        max_value=MAX_TARGET_UTILIZATION,
        label="Target utilization",
        help_text="The share of each replica's capacity to use at the peak (0.8 = 80%).",
    )
    n_plus_one = forms.BooleanField(
        required=False,
        label="N+1: one spare replica",
        help_text="The targets still hold with one replica down.",
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

    def clean_gpus(self) -> list:
        text = self.cleaned_data.get("gpus") or ""
        slugs = [s.strip() for s in text.split(",") if s.strip()]
        rows = {gpu.slug: gpu for gpu in self.catalog.gpus}
        unknown = [s for s in slugs if s not in rows]
        if unknown:
            raise forms.ValidationError(
                f"Unknown GPU(s): {', '.join(unknown)}. See /api/gpus for the slugs."
            )
        # None given: the planner's answer takes every GPU with a price.
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
            "percentile": data.get("percentile") or planner.DEFAULT_PERCENTILE,
            "gpus": self.data.get("gpus", "") or "",
            "weights": ",".join(d.value for d in data["weights"]),
            "engine": data["engine"].slug,
            "max_gpus_per_replica": data.get("max_gpus_per_replica")
            or DEFAULT_MAX_GPUS_PER_REPLICA,
            "target_utilization": data.get("target_utilization")
            or planner.DEFAULT_TARGET_UTILIZATION,
            "n_plus_one": "true" if data.get("n_plus_one") else "false",
            "provider": data.get("provider") or "",
            "pricing": data.get("pricing") or Pricing.ON_DEMAND.value,
            **prefix_inputs(data),
        }
        return {key: "" if value is None else _plain(value) for key, value in values.items()}


def _plain(value) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
