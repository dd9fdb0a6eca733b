"""The calculator's inputs: one form for the page, the JSON API and saved scenarios.

Field names are the API's query parameters, so a page URL and an API URL share one
vocabulary. Forms validate and convert; they compute nothing.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Div, Fieldset, Layout
from django import forms
from django.urls import reverse
from django.utils.functional import cached_property

from calculator import estimator, jsonbody
from calculator.catalog import Catalog
from calculator.catalog import current as current_catalog
from calculator.estimator import Dtype, Parallelism
from calculator.estimator.hf_config import ConfigError, model_from_config
from calculator.estimator.pricing import Pricing
from calculator.estimator.speculative import Method as SpeculativeMethod
from calculator.limits import (
    MAX_AMORTIZATION_YEARS,
    MAX_BATCH,
    MAX_CONFIG_CHARS,
    MAX_GPUS,
    MAX_GPUS_PER_SERVER,
    MAX_HOSTING_USD_PER_MONTH,
    MAX_HOURLY_USD,
    MAX_POWER_KW,
    MAX_PREFIX_HIT_RATE,
    MAX_PUE,
    MAX_PURCHASE_USD,
    MAX_SEQ_LEN,
    MAX_SHARED_PREFIX_TOKENS,
    MAX_SPECULATIVE_TOKENS,
    MAX_TOKENS,
    MAX_USD_PER_KWH,
    MIN_PUE,
)

BATCH_MAX_KEYWORD = "max"

DTYPE_CHOICES = [
    (Dtype.FP32.value, "FP32"),
    (Dtype.FP16.value, "FP16"),
    (Dtype.BF16.value, "BF16"),
    (Dtype.FP8.value, "FP8"),
    (Dtype.INT8.value, "INT8"),
    (Dtype.INT4.value, "INT4 (GPTQ/AWQ, group 128)"),
    (Dtype.FP4.value, "FP4 (NVFP4)"),
]
PARALLELISM_CHOICES = [
    (Parallelism.TENSOR.value, "Tensor parallel"),
    (Parallelism.PIPELINE.value, "Pipeline (layer split)"),
    (Parallelism.EXPERT.value, "Expert parallel (MoE, data-parallel attention)"),
]
# What the planner weighs: tensor-parallel replicas, or expert-parallel ones too.
PLAN_PARALLELISM_CHOICES = [
    choice
    for choice in PARALLELISM_CHOICES
    if choice[0] in (Parallelism.TENSOR.value, Parallelism.EXPERT.value)
]
SPECULATIVE_CHOICES = [
    (SpeculativeMethod.NONE.value, "None"),
    (SpeculativeMethod.DRAFT.value, "Draft model"),
    (SpeculativeMethod.EAGLE.value, "EAGLE heads"),
    (SpeculativeMethod.MTP.value, "MTP (the model's own layers)"),
]
PRICING_CHOICES = [
    (Pricing.ON_DEMAND.value, "On-demand"),
    (Pricing.SPOT.value, "Spot"),
]
CHEAPEST_PROVIDER_LABEL = "Cheapest offer"
# The third price basis: hardware the user owns, priced by estimator/owned.py's formula
# (the calculator's and the planner's pricing=owned).
OWNED = "owned"
OWNED_PRICING_CHOICES = [*PRICING_CHOICES, (OWNED, "Owned hardware")]
OWNED_FIELDS = (
    "purchase_usd",
    "gpus_per_server",
    "years",
    "power_kw",
    "pue",
    "usd_per_kwh",
    "hosting_usd_per_month",
)
OWNED_REQUIRED = ("purchase_usd", "gpus_per_server", "years", "power_kw")


class CatalogChoiceField(forms.ChoiceField):
    """An active catalog row, picked by its slug; the cleaned value is the row.

    The rows come from the catalog this process holds (calculator.catalog), which the
    form reads once, so choosing costs no query of its own.
    """

    default_error_messages = {
        "invalid_choice": "Select a valid choice. %(value)s is not one of the available choices.",
    }

    def __init__(self, kind: str, **kwargs) -> None:
        self.kind = kind  # the Catalog attribute: "models", "gpus" or "engines"
        self.rows: dict = {}
        super().__init__(**kwargs)

    def use(self, rows) -> None:
        self.rows = {row.slug: row for row in rows}
        # A callable: the option list is built only when a page renders the select.
        self.choices = lambda: [("", "---------")] + [(row.slug, row.name) for row in rows]

    def to_python(self, value):
        return "" if value in self.empty_values else str(value)

    def validate(self, value) -> None:
        forms.Field.validate(self, value)  # required
        if value and value not in self.rows:
            raise forms.ValidationError(
                self.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": value},
            )

    def clean(self, value):
        slug = super().clean(value)
        return self.rows[slug] if slug else None

    def prepare_value(self, value):
        return getattr(value, "slug", value)


# The model choice that reads a pasted config.json instead of a catalog row.
CUSTOM_MODEL = "custom"
CUSTOM_MODEL_LABEL = "Custom… (paste config.json)"


@dataclass(frozen=True)
class CustomModel:
    """A model read from a pasted config.json. It answers what the page and the saved
    scenario ask of a catalog row (slug, name, max_context, to_spec()); it has no row."""

    spec: estimator.ModelSpec
    config: dict
    warnings: tuple[str, ...]
    slug: str = CUSTOM_MODEL
    pk: None = None

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def max_context(self) -> int:
        return self.spec.max_context

    def to_spec(self) -> estimator.ModelSpec:
        return self.spec

    def config_json(self) -> str:
        """The config as compact JSON: what the form's field and a URL carry."""
        return json.dumps(self.config, separators=(",", ":"), sort_keys=True)


def custom_model(text: str) -> CustomModel:
    """Parse a pasted config.json; ValidationError naming the field at fault."""
    try:
        config = jsonbody.loads(text)
    except jsonbody.JsonError as error:
        raise forms.ValidationError(error.message, code="invalid_json") from None
    name = config.get("_name_or_path") if isinstance(config, dict) else None
    name = name.rsplit("/", 1)[-1] if isinstance(name, str) and name else "Custom model"
    try:
        spec, warnings = model_from_config(config, name=f"{name} (config.json)")
    except ConfigError as error:
        raise forms.ValidationError(error.message, code="invalid_config") from None
    return CustomModel(spec=spec, config=config, warnings=tuple(warnings))


class ModelField(CatalogChoiceField):
    """A catalog model, or CUSTOM_MODEL: the form then reads its model_config field."""

    def use(self, rows) -> None:
        super().use(rows)
        self.choices = lambda: [
            ("", "---------"),
            *((row.slug, row.name) for row in rows),
            (CUSTOM_MODEL, CUSTOM_MODEL_LABEL),
        ]

    def validate(self, value) -> None:
        if value != CUSTOM_MODEL:
            super().validate(value)

    def clean(self, value):
        slug = self.to_python(value)
        if slug == CUSTOM_MODEL:
            return CUSTOM_MODEL  # the form's clean() swaps in the parsed model
        return super().clean(value)


class BatchField(forms.Field):
    """A whole number, or "max" for the largest batch that fits."""

    widget = forms.TextInput(attrs={"inputmode": "numeric", "maxlength": "12"})

    def to_python(self, value):
        value = "" if value in self.empty_values else str(value).strip().lower()
        if value in ("", BATCH_MAX_KEYWORD):
            return value
        try:
            number = int(value)
        except ValueError:
            raise forms.ValidationError(
                f'Enter a whole number or "{BATCH_MAX_KEYWORD}".', code="invalid"
            ) from None
        if not 1 <= number <= MAX_BATCH:
            raise forms.ValidationError(
                f"Enter a batch size from 1 to {MAX_BATCH:,}.", code="out_of_range"
            )
        return number


# The price basis (estimator/pricing.py decides which price applies): the calculator's
# and the planner's forms declare the same two fields.


def provider_field() -> forms.ChoiceField:
    return forms.ChoiceField(
        required=False,
        label="Price",
        help_text="The cheapest cloud offer, or one cloud's.",
    )


def parallelism_field(choices=PARALLELISM_CHOICES, *, required=True) -> forms.ChoiceField:
    """How a replica splits the model: the calculator's and the planner's (tensor or
    expert only; empty: tensor)."""
    return forms.ChoiceField(choices=choices, required=required, label="Parallelism")


def pricing_field(*, owned: bool = False) -> forms.ChoiceField:
    """On-demand or spot; with `owned`, also hardware the user owns."""
    return forms.ChoiceField(
        choices=OWNED_PRICING_CHOICES if owned else PRICING_CHOICES,
        required=False,
        label="Price basis" if owned else "On-demand or spot",
        help_text="Spot: interruptible. Owned: bought and written off."
        if owned
        else "Spot: interruptible.",
    )


def owned_fields() -> dict[str, forms.Field]:
    """Owned hardware's inputs (pricing=owned), per server: estimator/owned.py's
    formula. The calculator's and the planner's."""
    return {
        "purchase_usd": forms.FloatField(
            required=False, min_value=0, max_value=MAX_PURCHASE_USD, label="Purchase per server ($)"
        ),
        "gpus_per_server": forms.IntegerField(
            required=False, min_value=1, max_value=MAX_GPUS_PER_SERVER, label="GPUs per server"
        ),
        "years": forms.FloatField(
            required=False, min_value=0, max_value=MAX_AMORTIZATION_YEARS, label="Years written off"
        ),
        "power_kw": forms.FloatField(
            required=False, min_value=0, max_value=MAX_POWER_KW, label="Power at load (kW)"
        ),
        "pue": forms.FloatField(
            required=False,
            min_value=MIN_PUE,
            max_value=MAX_PUE,
            label="PUE",
            help_text="Default 1.58.",
        ),
        "usd_per_kwh": forms.FloatField(
            required=False, min_value=0, max_value=MAX_USD_PER_KWH, label="Electricity ($/kWh)"
        ),
        "hosting_usd_per_month": forms.FloatField(
            required=False,
            min_value=0,
            max_value=MAX_HOSTING_USD_PER_MONTH,
            label="Hosting per server a month ($)",
        ),
    }


def clean_owned(form: forms.Form, cleaned: dict) -> None:
    """Owned hardware's required fields with pricing=owned, and none of them without."""
    if cleaned.get("pricing") == OWNED:
        for name in OWNED_REQUIRED:
            if name in cleaned and cleaned[name] is None:
                form.add_error(name, "Required for owned hardware (pricing=owned).")
        for name in ("purchase_usd", "years"):
            if cleaned.get(name) is not None and cleaned[name] <= 0:
                form.add_error(name, "Must be above 0.")
    else:
        for name in OWNED_FIELDS:
            if cleaned.get(name) is not None:
                form.add_error(name, "Only with owned hardware (pricing=owned).")


def owned_inputs(data) -> dict:
    """Owned hardware's inputs as query parameters, only with pricing=owned (so
    permalinks and saved inputs without them read as before)."""
    if data.get("pricing") != OWNED:
        return {}
    return {name: plain_value(data[name]) for name in OWNED_FIELDS if data.get(name) is not None}


def plain_value(value) -> str:
    """A cleaned value as a query parameter: a whole float without its ".0"."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def shared_prefix_field() -> forms.IntegerField:
    return forms.IntegerField(
        required=False,
        min_value=0,
        max_value=MAX_SHARED_PREFIX_TOKENS,
        label="Shared prefix tokens",
        help_text="A prefix every prompt shares (a system prompt): cached once. At most "
        "the prompt.",
    )


def prefix_hit_rate_field() -> forms.FloatField:
    return forms.FloatField(
        required=False,
        min_value=0,
        max_value=MAX_PREFIX_HIT_RATE,
        label="Prefix cache hit rate",
        help_text="Share of each prompt already cached (earlier turns of a chat), 0 to 1.",
    )


def with_owned_fields[F: type[forms.Form]](form_class: F) -> F:
    """The form class with owned hardware's inputs (``owned_fields``) declared after its
    own, as if written last in its body: the calculator's and the planner's."""
    fields = {**form_class.declared_fields, **owned_fields()}
    form_class.base_fields = form_class.declared_fields = fields
    return form_class


def speculative_fields() -> dict[str, forms.Field]:
    """Speculative decoding's inputs (estimator/speculative.py): the method, its draft
    model, drafted tokens per step and acceptance rate (empty: the method's default)."""
    return {
        "speculative": forms.ChoiceField(
            choices=SPECULATIVE_CHOICES,
            required=False,
            label="Speculative decoding",
            help_text="Draft tokens and verify them in one step.",
        ),
        "draft_model": CatalogChoiceField(
            "models",
            required=False,
            label="Draft model",
            help_text="For a draft model: smaller, same vocabulary.",
        ),
        "num_speculative_tokens": forms.IntegerField(
            required=False,
            min_value=1,
            max_value=MAX_SPECULATIVE_TOKENS,
            label="Drafted tokens per step",
            help_text="Empty: the method's default.",
        ),
        "acceptance_rate": forms.FloatField(
            required=False,
            min_value=0,
            max_value=1,
            label="Acceptance rate",
            help_text="Chance each drafted token is kept, 0 to 1. Empty: the method's default.",
        ),
    }


def speculative_inputs(data) -> dict:
    """Speculative decoding's inputs as query parameters, only when chosen."""
    method = data.get("speculative")
    if not method or method == SpeculativeMethod.NONE:
        return {}
    values = {"speculative": method}
    if data.get("draft_model"):
        values["draft_model"] = data["draft_model"].slug
    for key in ("num_speculative_tokens", "acceptance_rate"):
        if data.get(key) is not None:
            values[key] = data[key]
    return values


def prefix_inputs(data) -> dict:
    """The prefix-cache inputs as query parameters, only when set (so permalinks and
    saved inputs without them read as before)."""
    values = {}
    if data.get("shared_prefix_tokens"):
        values["shared_prefix_tokens"] = data["shared_prefix_tokens"]
    if data.get("prefix_hit_rate"):
        values["prefix_hit_rate"] = data["prefix_hit_rate"]
    return values


def _use_catalog(fields: dict[str, forms.Field], catalog: Catalog) -> None:
    """Bind the catalog choices (models, GPUs, engines, providers) among these fields to
    the catalog's rows."""
    for field in fields.values():
        if isinstance(field, CatalogChoiceField):
            field.use(getattr(catalog, field.kind))
    if "provider" in fields:
        providers = catalog.providers
        fields["provider"].choices = lambda: (
            [("", CHEAPEST_PROVIDER_LABEL)] + [(provider, provider) for provider in providers]
        )


class _PreparedFields(dict):
    """A form class's fields with a catalog's choices bound, made once per catalog
    version. Django deep-copies a form's base_fields for every form it builds; this
    copy shares what no form changes (choices and their rows, validators, messages)
    and copies what forms do change (each field, its widget and the widget's attrs),
    several times faster."""

    def __deepcopy__(self, memo) -> dict[str, forms.Field]:
        fields = {}
        for name, field in self.items():
            fields[name] = copied = _shallow_copy(field)
            copied.widget = widget = _shallow_copy(field.widget)
            widget.attrs = widget.attrs.copy()
        return fields


def _shallow_copy(thing):
    """copy.copy() for a plain object (a field or a widget), without its generic
    machinery."""
    copied = object.__new__(type(thing))
    copied.__dict__ = thing.__dict__.copy()
    return copied


class CatalogForm(forms.Form):
    """A form whose choices are the catalog's (this process's, or the one given),
    bound once per catalog version rather than on every request."""

    def __init__(self, *args, catalog: Catalog | None = None, **kwargs) -> None:
        self.catalog = catalog or current_catalog()
        # Read by BaseForm.__init__ in place of the class's declared fields.
        self.base_fields = self.catalog.derived(
            ("form fields", type(self)), lambda: self.prepare_fields(self.catalog)
        )
        super().__init__(*args, **kwargs)

    @classmethod
    def prepare_fields(cls, catalog: Catalog) -> _PreparedFields:
        """The class's fields with the catalog's choices, shared by its forms."""
        fields = copy.deepcopy(cls.base_fields)
        _use_catalog(fields, catalog)
        return _PreparedFields(fields)


def _row(*fields: tuple[str, int]) -> Div:
    """Fields side by side: (name, Bootstrap columns of 12) each."""
    return Div(*(Div(name, css_class=f"col-{width}") for name, width in fields), css_class="row")


def model_config_field() -> forms.CharField:
    """The pasted config.json of a custom model (the calculator's and the planner's)."""
    return forms.CharField(
        required=False,
        max_length=MAX_CONFIG_CHARS,
        strip=True,
        label="config.json",
        help_text="Paste the model's config.json from its Hugging Face repository.",
        widget=forms.Textarea(attrs={"rows": 6, "spellcheck": "false", "class": "font-monospace"}),
    )


def clean_custom_model(form: forms.Form, cleaned: dict) -> None:
    """For model=custom, swap in the model parsed from model_config (or add its error)."""
    if cleaned.get("model") != CUSTOM_MODEL:
        return
    cleaned["model"] = None
    text = cleaned.get("model_config", "")
    if not text and "model_config" not in form.errors:
        form.add_error("model_config", "Paste a config.json for the custom model.")
    elif text:
        try:
            cleaned["model"] = custom_model(text)
        except forms.ValidationError as error:
            form.add_error("model_config", error)
    if cleaned["model"] is None:
        del cleaned["model"]


@with_owned_fields  # pricing=owned's inputs, last
class CalculatorForm(CatalogForm):
    model = ModelField("models", label="Model")
    model_config = model_config_field()
    gpu = CatalogChoiceField("gpus", label="GPU")
    gpus = forms.IntegerField(min_value=1, max_value=MAX_GPUS, label="Number of GPUs")
    batch = BatchField(
        label="Batch size",
        help_text=f'Sequences decoded together, or "{BATCH_MAX_KEYWORD}" for the most that fit.',
    )
    seq_len = forms.IntegerField(
        min_value=1,
        max_value=MAX_SEQ_LEN,
        required=False,
        label="Sequence length",
        help_text="Tokens of context held per sequence; empty means prompt + completion.",
    )
    prompt = forms.IntegerField(min_value=1, max_value=MAX_TOKENS, label="Prompt tokens")
    completion = forms.IntegerField(min_value=1, max_value=MAX_TOKENS, label="Completion tokens")
    provider = provider_field()
    pricing = pricing_field(owned=True)
    gpu_hourly_usd = forms.DecimalField(
        min_value=0,
        max_value=MAX_HOURLY_USD,
        max_digits=9,
        decimal_places=4,
        required=False,
        label="My own price per GPU-hour (USD)",
        help_text="Per GPU; overrides the offers. Empty: the price chosen above.",
    )
    weights = forms.ChoiceField(choices=DTYPE_CHOICES, label="Weights precision")
    kv = forms.ChoiceField(
        choices=[("", "Same as weights (16/8-bit)")] + DTYPE_CHOICES,
        required=False,
        label="KV-cache precision",
    )
    engine = CatalogChoiceField("engines", label="Engine")
    parallelism = parallelism_field()
    shared_prefix_tokens = shared_prefix_field()
    prefix_hit_rate = prefix_hit_rate_field()
    speculative, draft_model, num_speculative_tokens, acceptance_rate = (
        speculative_fields().values()
    )

    def __init__(self, *args, catalog: Catalog | None = None, **kwargs) -> None:
        super().__init__(*args, catalog=catalog, **kwargs)
        for name, field in self.fields.items():
            # The error container is always on the page (htmx fills it out of band),
            # so the input points at it whether or not it holds a message yet.
            auto_id = self[name].auto_id
            described_by = f"{auto_id}_error"
            if field.help_text:
                described_by += f" {auto_id}_helptext"
            field.widget.attrs["aria-describedby"] = described_by

    @cached_property
    def helper(self) -> FormHelper:
        """How crispy renders the form; built only when a page renders it (the API and
        the CLI validate without it)."""
        helper = FormHelper()
        helper.form_id = "calculator-form"
        helper.form_method = "post"
        helper.form_action = reverse("calculator:calculator")
        # Fields named as plain strings render with this template: label, input, an
        # always-present error container (htmx fills it) and help text.
        helper.field_template = "calculator/_field.html"
        helper.attrs = {
            "novalidate": "",
            "hx-post": reverse("calculator:calculator"),
            "hx-target": "#results",
            "hx-swap": "outerHTML",
            "hx-trigger": "input changed delay:300ms, submit",
            "hx-sync": "this:replace",  # a newer input cancels the request in flight
            "hx-indicator": "#results-indicator",
            "hx-push-url": "false",
        }
        helper.layout = Layout(
            "model",
            Div("model_config", css_class="calc-custom-model"),
            # Which model the sequence length's limit was shown for (see the view).
            HTML("{% include 'calculator/calculator.html#context-model' %}"),
            "gpu",
            # The price next to the GPU it is for.
            _row(("provider", 7), ("pricing", 5)),
            "gpu_hourly_usd",
            # Owned hardware: shown only with pricing=owned (static/css hides the rest).
            Div(
                _row(("purchase_usd", 6), ("gpus_per_server", 6)),
                _row(("years", 6), ("power_kw", 6)),
                _row(("pue", 4), ("usd_per_kwh", 4), ("hosting_usd_per_month", 4)),
                css_class="calc-owned",
            ),
            # Which GPU the typed price belongs to (see the view).
            HTML("{% include 'calculator/calculator.html#price-gpu' %}"),
            _row(("gpus", 6), ("batch", 6)),
            _row(("prompt", 6), ("completion", 6)),
            "seq_len",
            Fieldset(
                "Advanced",
                _row(("weights", 6), ("kv", 6)),
                _row(("engine", 6), ("parallelism", 6)),
                _row(("shared_prefix_tokens", 6), ("prefix_hit_rate", 6)),
                _row(("speculative", 6), ("draft_model", 6)),
                _row(("num_speculative_tokens", 6), ("acceptance_rate", 6)),
                css_class="calc-advanced",
            ),
            HTML(
                '<noscript><button type="submit" class="btn btn-primary">'
                "Calculate</button></noscript>"
            ),
        )
        return helper

    def clean(self):
        cleaned = super().clean()
        clean_custom_model(self, cleaned)
        clean_owned(self, cleaned)
        if cleaned.get("pricing") == OWNED and cleaned.get("gpu_hourly_usd") is not None:
            self.add_error("gpu_hourly_usd", "Give a price or owned hardware, not both.")
        prompt, completion = cleaned.get("prompt"), cleaned.get("completion")
        seq_len = cleaned.get("seq_len")
        if prompt and completion and seq_len and seq_len < prompt + completion:
            self.add_error(
                "seq_len",
                f"Must be at least prompt + completion ({prompt + completion:,} tokens).",
            )
        return cleaned

    def inputs(self) -> dict[str, str]:
        """The cleaned input as query parameters (for permalinks and the API)."""
        data = self.cleaned_data
        hourly = data.get("gpu_hourly_usd")
        model = data["model"]
        values = {
            "model": model.slug,
            "gpu": data["gpu"].slug,
            "gpus": data["gpus"],
            "batch": data["batch"],
            "seq_len": data.get("seq_len") or "",
            "prompt": data["prompt"],
            "completion": data["completion"],
            "gpu_hourly_usd": "" if hourly is None else hourly,
            "weights": data["weights"],
            "kv": data.get("kv") or "",
            "engine": data["engine"].slug,
            "parallelism": data["parallelism"],
            "provider": data.get("provider") or "",
            "pricing": data.get("pricing") or Pricing.ON_DEMAND.value,
            **prefix_inputs(data),
            **speculative_inputs(data),
            **owned_inputs(data),
        }
        if isinstance(model, CustomModel):
            values = {"model": model.slug, "model_config": model.config_json(), **values}
        return {key: str(value) for key, value in values.items()}
