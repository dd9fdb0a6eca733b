"""Inputs of the serving simulator (/api/serve, "Under load") and the planner (/plan/).

Field names are the API's query parameters. Forms validate and convert; the estimator
computes (``calculator.estimator.serving`` and ``planner``).
"""

from __future__ import annotations

from django import forms

from calculator.catalog import Catalog
from calculator.estimator import Dtype, planner, serving
from calculator.estimator.arrivals import Process
from calculator.estimator.pricing import Pricing
from calculator.estimator.specs import Parallelism
from calculator.estimator.traffic import SHAPES, Preset
from calculator.forms import (
    DTYPE_CHOICES,
    OWNED_FIELDS,
    PLAN_PARALLELISM_CHOICES,
    CalculatorForm,
    CatalogChoiceField,
    CatalogForm,
    CustomModel,
    ModelField,
    clean_custom_model,
    clean_owned,
    model_config_field,
    parallelism_field,
    plain_value,
    prefix_hit_rate_field,
    prefix_inputs,
    pricing_field,
    provider_field,
    shared_prefix_field,
    speculative_fields,
    speculative_inputs,
    with_owned_fields,
)
from calculator.limits import (
    DEFAULT_MAX_GPUS_PER_REPLICA,
    MAX_ARRIVAL_CV,
    MAX_CONCURRENCY,
    MAX_GPU_LIST_CHARS,
    MAX_GPUS_PER_REPLICA,
    MAX_HOURLY_RATES_CHARS,
    MAX_LOG_BYTES,
    MAX_PEAK_FACTOR,
    MAX_PLAN_RATE,
    MAX_REPLICAS,
    MAX_REQUESTS,
    MAX_REQUESTS_PER_DAY,
    MAX_RESERVED_DISCOUNT,
    MAX_SCALE_UP_DELAY_S,
    MAX_SERVE_RATE,
    MAX_TARGET_MS,
    MAX_TARGET_UTILIZATION,
    MAX_TOKENS,
    MAX_WEIGHT_LIST_CHARS,
    MIN_ARRIVAL_CV,
    MIN_TARGET_UTILIZATION,
)

SPREAD_CHOICES = [
    (serving.LengthSpread.FIXED.value, "Fixed: every request at the mean"),
    (serving.LengthSpread.UNIFORM.value, "Uniform: mean x 0.5 to 1.5"),
    (serving.LengthSpread.EXPONENTIAL.value, "Exponential: a long tail, as chat logs"),
]
PERCENTILE_CHOICES = [(p, p) for p in planner.PERCENTILE_CHOICES]
ARRIVALS_CHOICES = [
    (Process.POISSON.value, "Poisson: independent requests"),
    (Process.GAMMA.value, "Bursts: gamma gaps with a CV"),
]
# A blank first choice: without it the browser sends the first preset with every replan
# and a one-rate plan silently became a day's profile (seen with disaggregated=true, which
# a profile refuses).
PRESET_CHOICES = [("", "None: one peak rate"), *((p.value, SHAPES[p].label) for p in Preset)]
# The serving levers (issue 23), shown together on the page.
LEVER_FIELDS = (
    "shared_prefix_tokens",
    "prefix_hit_rate",
    "speculative",
    "draft_model",
    "num_speculative_tokens",
    "acceptance_rate",
)
# Inputs of the day (autoscaling): only with a profile. The autoscaler loads each
# replica to the planner's target utilization (headroom), which is the planner's input.
DAY_FIELDS = (
    "min_replicas",
    "max_replicas",
    "scale_up_delay_s",
    "reserved_discount",
)


def arrivals_fields() -> tuple[forms.ChoiceField, forms.FloatField]:
    """How requests arrive, for the simulator and the planner alike."""
    return (
        forms.ChoiceField(
            choices=ARRIVALS_CHOICES, required=False, label="Arrivals", help_text="Default Poisson."
        ),
        forms.FloatField(
            required=False,
            min_value=MIN_ARRIVAL_CV,
            max_value=MAX_ARRIVAL_CV,
            label="Burstiness (CV of the gaps)",
            help_text="1 is Poisson; chat traffic is typically 2-4.",
        ),
    )


def clean_arrivals(form: forms.Form, cleaned: dict) -> None:
    """A CV other than 1 asks for gamma gaps; Poisson has a CV of 1."""
    process, cv = cleaned.get("arrivals"), cleaned.get("arrival_cv")
    if process == Process.POISSON and cv not in (None, 1):
        form.add_error("arrival_cv", "Poisson arrivals have a CV of 1: choose gamma for another.")
    elif process == Process.GAMMA and cv is None and "arrival_cv" not in form.errors:
        form.add_error("arrival_cv", "Give the gaps' CV for gamma arrivals (1 is Poisson).")


class SlugListInput(forms.TextInput):
    """A list of slugs, given either way: ticked checkboxes repeat the parameter (the
    /plan/ page: ``gpus=h100-sxm&gpus=l40s``) or one value lists them with commas (the
    API, old permalinks: ``gpus=h100-sxm,l40s``). Read as one comma-separated text, which
    the field's ``max_length`` bounds whichever way it came."""

    def value_from_datadict(self, data, files, name):
        if name not in data:
            return None
        if hasattr(data, "getlist"):
            values = data.getlist(name)
        else:
            value = data.get(name)
            values = value if isinstance(value, list) else [value]
        return ",".join(str(v) for v in values if v not in (None, ""))


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
    arrivals, arrival_cv = arrivals_fields()

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
        clean_arrivals(self, cleaned)
        return cleaned

    def inputs(self) -> dict[str, str]:
        data = self.cleaned_data
        values = {
            key: data.get(key)
            for key in ("model", "gpu", "gpus", "prompt", "completion", "weights", "kv")
            + ("engine", "parallelism", "rate", "concurrency", "requests", "length_spread")
            + ("arrivals", "arrival_cv")
        }
        for key in ("model", "gpu", "engine"):
            values[key] = values[key].slug
        values.update(prefix_inputs(data))
        values.update(speculative_inputs(data))
        return {key: "" if value is None else plain_value(value) for key, value in values.items()}


# Section: the planner


@with_owned_fields  # pricing=owned's inputs, last
class PlanForm(CatalogForm):
    model = ModelField("models", label="Model")
    model_config = model_config_field()
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
    # Traffic over a day (issue 21): 24 hourly rates, a preset, or a request log.
    hourly_rates = forms.CharField(
        required=False,
        max_length=MAX_HOURLY_RATES_CHARS,
        label="Hourly rates (requests/s, hour 0 to 23)",
        help_text="24 numbers separated by commas; replaces the peak rate.",
    )
    hourly_rates_weekend = forms.CharField(
        required=False,
        max_length=MAX_HOURLY_RATES_CHARS,
        label="Weekend hourly rates",
        help_text="Empty: weekends like weekdays.",
    )
    traffic_preset = forms.ChoiceField(
        choices=PRESET_CHOICES,
        required=False,
        label="Preset day",
        help_text="Scaled to the peak rate, or to requests per (week)day.",
    )
    arrivals, arrival_cv = arrivals_fields()
    min_replicas = forms.IntegerField(
        required=False, min_value=0, max_value=MAX_REPLICAS, label="Fewest replicas"
    )
    max_replicas = forms.IntegerField(
        required=False, min_value=1, max_value=MAX_REPLICAS, label="Most replicas"
    )
    scale_up_delay_s = forms.FloatField(
        required=False,
        min_value=0,
        max_value=MAX_SCALE_UP_DELAY_S,
        label="Scale-up delay (s)",
        help_text="Empty: instance start + the weights' load, estimated.",
    )
    reserved_discount = forms.FloatField(
        required=False,
        min_value=0,
        max_value=MAX_RESERVED_DISCOUNT,
        label="Reserved discount",
        help_text="Off on-demand, for a reserved baseline (default 0.4).",
    )
    prompt = forms.IntegerField(
        required=False, min_value=1, max_value=MAX_TOKENS, label="Mean prompt tokens"
    )
    completion = forms.IntegerField(
        required=False, min_value=1, max_value=MAX_TOKENS, label="Mean completion tokens"
    )
    # The levers (the calculator's fields, declared once in forms.py): prefix caching
    # and speculative decoding; the page shows them together (LEVER_FIELDS).
    shared_prefix_tokens = shared_prefix_field()
    prefix_hit_rate = prefix_hit_rate_field()
    speculative, draft_model, num_speculative_tokens, acceptance_rate = (
        speculative_fields().values()
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
    confidence = forms.ChoiceField(
        choices=[
            (planner.ESTIMATE, "the estimate"),
            (planner.PESSIMISTIC, "the pessimistic end of its 80% band"),
        ],
        required=False,
        label="Size replicas on",
        help_text="Pessimistic: the targets hold with 80% confidence (default: the estimate).",
    )
    gpus = forms.CharField(
        required=False,
        max_length=MAX_GPU_LIST_CHARS,
        widget=SlugListInput,
        label="GPUs",
        help_text="Comma-separated slugs; empty: every GPU with a price.",
    )
    weights = forms.CharField(
        required=False,
        max_length=MAX_WEIGHT_LIST_CHARS,
        widget=SlugListInput,
        label="Weight precisions",
        help_text="Comma-separated (bf16, fp8, ...); empty: each GPU's 16- and 8-bit.",
    )
    engine = CatalogChoiceField("engines", label="Engine")
    parallelism = parallelism_field(PLAN_PARALLELISM_CHOICES, required=False)
    parallelism.help_text = "Expert: weigh expert-parallel replicas too (MoE models)."
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
    # Disaggregated prefill/decode (estimator/disaggregated.py): also size separate pools.
    disaggregated = forms.BooleanField(
        required=False,
        label="Consider disaggregated prefill/decode",
        help_text="Also plan separate prefill and decode pools (as Dynamo, llm-d and SGLang "
        "deploy them), the KV cache sent between them; the cheaper that meets the targets wins.",
    )
    # The price basis, as on the calculator: the cheapest cloud offer or one cloud's,
    # on-demand or spot (estimator/pricing.py decides which price applies).
    provider = provider_field()
    pricing = pricing_field(owned=True)

    @classmethod
    def prepare_fields(cls, catalog: Catalog):
        fields = super().prepare_fields(catalog)
        for field in fields.values():  # Bootstrap's look, as crispy gives the calculator
            select = isinstance(field.widget, forms.Select)
            box = isinstance(field.widget, forms.CheckboxInput)
            look = "form-select" if select else "form-check-input" if box else "form-control"
            field.widget.attrs.setdefault("class", look)
        return fields

    @property
    def lever_fields(self) -> list:
        """The levers' bound fields, in the page's levers section."""
        return [self[name] for name in LEVER_FIELDS]

    @property
    def levers_given(self) -> bool:
        """Whether the input sets a lever (the page opens their section)."""
        return any(field.value() not in (None, "", "none") for field in self.lever_fields)

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

    def profile_given(self) -> str | None:
        """Which traffic profile the input gives: "hourly_rates", "request_log",
        "traffic_preset", or None (one rate)."""
        data = self.cleaned_data
        for name in ("hourly_rates", "request_log", "traffic_preset"):
            if data.get(name):
                return name
        return None

    def clean(self):
        cleaned = super().clean()
        clean_custom_model(self, cleaned)
        self._clean_profile(cleaned)
        clean_owned(self, cleaned)
        clean_arrivals(self, cleaned)
        for name in ("ttft_ms", "tpot_ms"):
            if cleaned.get(name) is not None and cleaned[name] <= 0:
                self.add_error(name, "Must be above 0.")
        return cleaned

    def _clean_profile(self, cleaned: dict) -> None:
        given = [n for n in ("hourly_rates", "request_log", "traffic_preset") if cleaned.get(n)]
        if len(given) > 1:
            self.add_error(given[1], f"Give one traffic profile: {' or '.join(given)}.")
            return
        if cleaned.get("hourly_rates_weekend") and not cleaned.get("hourly_rates"):
            self.add_error("hourly_rates_weekend", "Give the weekday's hourly rates too.")
        if not given:
            for name in DAY_FIELDS:
                if cleaned.get(name) is not None:
                    self.add_error(name, "Only with a traffic profile (hourly_rates, ...).")
        elif (cleaned.get("min_replicas") or 0) > (cleaned.get("max_replicas") or MAX_REPLICAS):
            self.add_error("min_replicas", "Must be at most the most replicas.")
        for name in ("prompt", "completion"):
            if name in cleaned and cleaned[name] is None and "request_log" not in given:
                self.add_error(name, "This field is required.")
        if given and given[0] != "traffic_preset":
            for name in ("rate", "requests_per_day", "peak_factor"):
                if cleaned.get(name) is not None:
                    self.add_error(name, f"The profile ({given[0]}) gives the rates.")
            return
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

    def inputs(self) -> dict[str, str]:
        """The cleaned input as query parameters (permalinks, the API, "saved vs now")."""
        data = self.cleaned_data
        values = {
            "model": data["model"].slug,
            "rate": data.get("rate"),
            "requests_per_day": data.get("requests_per_day"),
            "peak_factor": data.get("peak_factor"),
            "prompt": data.get("prompt"),
            "completion": data.get("completion"),
            "ttft_ms": data["ttft_ms"],
            "tpot_ms": data["tpot_ms"],
            "percentile": data.get("percentile") or planner.DEFAULT_PERCENTILE,
            "confidence": data.get("confidence") or planner.ESTIMATE,
            "gpus": ",".join(gpu.slug for gpu in data["gpus"]),
            "weights": ",".join(d.value for d in data["weights"]),
            "engine": data["engine"].slug,
            "parallelism": data.get("parallelism") or Parallelism.TENSOR.value,
            "max_gpus_per_replica": data.get("max_gpus_per_replica")
            or DEFAULT_MAX_GPUS_PER_REPLICA,
            "target_utilization": data.get("target_utilization")
            or planner.DEFAULT_TARGET_UTILIZATION,
            "n_plus_one": "true" if data.get("n_plus_one") else "false",
            "disaggregated": "true" if data.get("disaggregated") else "false",
            "provider": data.get("provider") or "",
            "pricing": data.get("pricing") or Pricing.ON_DEMAND.value,
            **{
                name: data.get(name)
                for name in (
                    "hourly_rates",
                    "hourly_rates_weekend",
                    "traffic_preset",
                    "arrivals",
                    "arrival_cv",
                    *DAY_FIELDS,
                    *OWNED_FIELDS,
                )
            },
            **prefix_inputs(data),
            **speculative_inputs(data),
        }
        if isinstance(data["model"], CustomModel):
            values = {
                "model": data["model"].slug,
                "model_config": data["model"].config_json(),
                **values,
            }
        return {key: "" if value is None else plain_value(value) for key, value in values.items()}


class PlanLogForm(PlanForm):
    """The planner's inputs and a request log (a POSTed CSV file) as the profile."""

    request_log = forms.FileField(
        required=False,
        label="Request log (CSV)",
        help_text="One request per line: a timestamp, optionally prompt and completion tokens.",
    )

    def clean_request_log(self):
        upload = self.cleaned_data.get("request_log")
        if upload is not None and upload.size > MAX_LOG_BYTES:
            raise forms.ValidationError(
                f"The log is {upload.size:,} bytes; at most {MAX_LOG_BYTES:,}."
            )
        return upload
