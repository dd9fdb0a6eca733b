"""What every answer uses: why there is no answer, the price, the APIs compared with, and
the workload the estimator is given. No formulas: the rules are the estimator's
(``estimator.pricing`` decides which price applies)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, replace

from django import forms
from django.utils import timezone

from calculator import estimator
from calculator.catalog import Catalog
from calculator.estimator import Dtype, EstimatorInputError, Parallelism, Workload, owned, pricing
from calculator.forms import BATCH_MAX_KEYWORD, OWNED, CustomModel
from calculator.models import ApiOffering, GpuType

# Section: defaults

# The model both the calculator and the planner open on (answers.estimate.DEFAULTS,
# answers.capacity.DEFAULTS): Llama 3.1 70B, the planner's example (issue 20).
DEFAULT_MODEL = "llama-3.1-70b"


# Section: why there is no answer


@dataclass(frozen=True)
class FieldErrors:
    """No answer: the messages by input field ("__all__": about no one field), as the
    form holds them after validation and after the estimator's objection."""

    errors: dict[str, list[str]]

    @classmethod
    def of(cls, form: forms.Form) -> FieldErrors:
        return cls({field: [str(m) for m in messages] for field, messages in form.errors.items()})


# The estimator's name for an input -> the form field that takes it, where the two
# differ; any other name is the field's own, and a name no form field takes is
# reported about no field.
ESTIMATOR_FIELDS = {
    "num_gpus": "gpus",
    "batch_size": "batch",
    "prompt_tokens": "prompt",
    "completion_tokens": "completion",
}


def objection(form: forms.Form, error: EstimatorInputError) -> FieldErrors:
    """The estimator's objection, added to the form under the field it is about (a
    pasted config's field for a custom model), and the form's errors with it."""
    field = ESTIMATOR_FIELDS.get(error.field, error.field)
    if field == "model" and isinstance(form.cleaned_data.get("model"), CustomModel):
        field = "model_config"
    form.add_error(field if field in form.fields else None, error.message)
    return FieldErrors.of(form)


def validated(form: forms.Form) -> FieldErrors | None:
    """None for a valid form, else its errors."""
    return None if form.is_valid() else FieldErrors.of(form)


# Section: the price

# The price an answer used (views annotate with it; the estimator defines it).
PriceUsed = pricing.PriceUsed


@dataclass(frozen=True)
class PriceChoice:
    """What the user chose about the GPU price: one provider's offers or the cheapest,
    on-demand or spot, and a price of their own for the GPU they picked; or hardware
    they own (``pricing=owned``), priced by ``estimator.owned``."""

    provider: str | None
    pricing: pricing.Pricing
    typed: float | None = None
    owned: owned.OwnedPrice | None = None

    @classmethod
    def of(cls, data: Mapping) -> PriceChoice:
        """The choice a valid form made (EstimatorInputError: owned hardware that the
        estimator refuses)."""
        typed = data.get("gpu_hourly_usd")
        if data.get("pricing") == OWNED:
            return cls(None, pricing.Pricing.ON_DEMAND, owned=owned_price(data))
        return cls(
            provider=data.get("provider") or None,
            pricing=pricing.Pricing(data.get("pricing") or pricing.Pricing.ON_DEMAND),
            typed=None if typed is None else float(typed),
        )

    def price(
        self, catalog: Catalog, gpu: GpuType, num_gpus: int, *, typed: bool = True
    ) -> pricing.PriceUsed:
        """The price of num_gpus of this GPU by the estimator's rule over its offers and
        catalog price. typed=False leaves out the price typed, which is for the GPU
        picked, not for others compared with it."""
        if self.owned is not None:
            return pricing.owned_gpu_price(self.owned.usd_per_gpu_hour, num_gpus)
        return pricing.resolve_price(
            typed=self.typed if typed else None,
            offers=catalog.offers_for(gpu),
            provider=self.provider,
            pricing=self.pricing,
            num_gpus=num_gpus,
            catalog_usd=None if gpu.hourly_price_usd is None else float(gpu.hourly_price_usd),
            catalog_as_of=gpu.price_as_of,
            today=timezone.localdate(),
            catalog_source=gpu.price_source,
        )

    def function(
        self, catalog: Catalog, gpus: Iterable[GpuType], *, typed_for: str | None = None
    ) -> pricing.PriceFunction:
        """The price of each GPU (by its spec) and count, for the GPU comparison and the
        planner; the price typed applies to the GPU `typed_for` only."""
        rows = {gpu.slug: gpu for gpu in gpus}
        return lambda spec, count: self.price(
            catalog, rows[spec.slug], count, typed=spec.slug == typed_for
        )

    def each_provider(
        self, catalog: Catalog, gpus: Iterable[GpuType]
    ) -> Callable[[estimator.GpuSpec, int], list[pricing.PriceUsed]]:
        """Every provider's price (of those with a list-price offer for the GPU) for a
        GPU and count, by the same rule as picking that provider: the runner-up's."""
        rows = {gpu.slug: gpu for gpu in gpus}

        def prices(spec, count):
            gpu = rows[spec.slug]
            providers = sorted({o.provider for o in pricing.listed(catalog.offers_for(gpu))})
            return [
                replace(self, provider=p, typed=None).price(catalog, gpu, count) for p in providers
            ]

        return prices


# Owned hardware's optional fields, as the estimator defaults them.
OWNED_DEFAULTS = {"pue": owned.DEFAULT_PUE, "usd_per_kwh": 0.0, "hosting_usd_per_month": 0.0}


def owned_price(data: Mapping) -> owned.OwnedPrice:
    """Owned hardware's price per GPU-hour from a valid form's fields."""
    hardware = owned.OwnedHardware(
        purchase_usd=data["purchase_usd"],
        gpus_per_server=data["gpus_per_server"],
        years=data["years"],
        power_kw=data["power_kw"],
        **{
            name: default if data.get(name) is None else data[name]
            for name, default in OWNED_DEFAULTS.items()
        },
    )
    return owned.owned_price(hardware)


def rented_on_demand(catalog: Catalog, gpu: GpuType, num_gpus: int) -> pricing.PriceUsed:
    """What renting these GPUs costs, for owning to be compared with: the cheapest
    on-demand offer, else the catalog price (the estimator's rule, nothing typed)."""
    return PriceChoice(None, pricing.Pricing.ON_DEMAND).price(catalog, gpu, num_gpus)


def owned_shown(price: owned.OwnedPrice, steps: Iterable = (), **figures) -> dict:
    """Owned hardware's price part by part, the figures compared with it, and the math
    (its formula, then ``steps``), as the JSON and the pages show them."""
    trace = [*price.trace(), *steps]
    return {**price.as_dict(), **figures, "trace": [asdict(step) for step in trace]}


# Section: which API offerings a question compares with


def same_model(offering: ApiOffering, model) -> bool:
    """Whether the offering serves this catalog model (a pasted config has no row, so
    no offering serves it)."""
    return model.pk is not None and offering.llm_model_id == model.pk


def compared_apis(
    catalog: Catalog, model, *, everything: bool = False
) -> tuple[tuple[ApiOffering, ...], tuple[estimator.ApiOffering, ...]]:
    """The active API offerings to compare with, and their specs: those serving this
    very model and the closed reference models, not other open models; or every active
    one (hundreds once a full price map is imported) when asked."""
    model_pk = model.pk  # None for a pasted config: no offering serves it

    def pick() -> tuple[tuple[ApiOffering, ...], tuple[estimator.ApiOffering, ...]]:
        # same_model() inlined: this looks at every active offering.
        pairs = [
            (offering, replace(spec, same_model=True) if same else spec)
            for offering, spec in zip(catalog.offerings, catalog.offering_specs, strict=True)
            if (same := model_pk is not None and offering.llm_model_id == model_pk)
            or everything
            or offering.is_reference
        ]
        return tuple(o for o, _ in pairs), tuple(s for _, s in pairs)

    # Once per model and catalog version, not on every keystroke.
    return catalog.derived(("compared_apis", model_pk, everything), pick)


# Section: the workload


def workload(
    data: Mapping,
    price: pricing.PriceUsed | None = None,
    apis: tuple[estimator.ApiOffering, ...] = (),
) -> Workload:
    """A valid calculator (or simulator) form's input as the estimator's Workload,
    billed at the effective price of `price` (None: unpriced). The simulator's form has
    no batch: its scheduler decides."""
    batch = data.get("batch")
    return Workload(
        num_gpus=data["gpus"],
        batch_size=None if batch in (None, BATCH_MAX_KEYWORD) else batch,
        prompt_tokens=data["prompt"],
        completion_tokens=data["completion"],
        seq_len=data.get("seq_len"),
        weights_dtype=Dtype(data["weights"]),
        kv_dtype=Dtype(data["kv"]) if data.get("kv") else None,
        parallelism=Parallelism(data["parallelism"]),
        gpu_hourly_usd=None if price is None else price.effective_usd_per_gpu_hour,
        apis=apis,
        **levers(data),
    )


def levers(data: Mapping) -> dict:
    """The levers a valid form asks for (prefix caching, speculative decoding), as the
    estimator's Workload and the planner's Traffic take them."""
    return {
        "shared_prefix_tokens": data.get("shared_prefix_tokens") or 0,
        "prefix_hit_rate": data.get("prefix_hit_rate") or 0.0,
        "speculative": data.get("speculative") or "none",
        "draft_model": data["draft_model"].to_spec() if data.get("draft_model") else None,
        "num_speculative_tokens": data.get("num_speculative_tokens"),
        "acceptance_rate": data.get("acceptance_rate"),
    }


def specs(data: Mapping) -> tuple[estimator.ModelSpec, estimator.GpuSpec, estimator.EngineSpec]:
    """The model, GPU and engine a valid form picked, as the estimator's specs."""
    return data["model"].to_spec(), data["gpu"].to_spec(), data["engine"].to_spec()
