"""What is in the catalog, as /api/gpus, /api/models and /api/offers list it: every row
(retired ones too, marked), each cloud offer cheapest on-demand first."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from django.db.models import F, Prefetch

from calculator.models import CloudOffer, EngineProfile, GpuType, LlmModel

# Spot-only offers (no on-demand price) last on every database.
CHEAPEST_FIRST = F("on_demand_usd_per_gpu_hour").asc(nulls_last=True)

# JSON key -> the row's attribute, for each kind of row.
GPU_FIELDS = {
    key: key
    for key in (
        *("slug", "name", "vendor", "memory_gb", "usable_memory_gib"),
        *("memory_bandwidth_gb_s", "fp16_tflops", "bf16_tflops", "fp8_tflops"),
        *("interconnect", "hourly_price_usd", "price_as_of", "price_source", "is_active"),
    )
}
MODEL_FIELDS = {
    **{key: key for key in ("slug", "name", "hf_repo")},
    "layers": "num_layers",
    "hidden_size": "hidden_size",
    "attention_heads": "num_attention_heads",
    "kv_heads": "num_kv_heads",
    "head_dim": "head_dim",
    "experts": "num_experts",
    **{
        key: key
        for key in (
            *("experts_per_token", "attention_window", "local_layers", "chunked_attention"),
            *("kv_lora_rank", "max_context", "official_params", "is_active"),
        )
    },
}
ENGINE_FIELDS = {key: key for key in ("slug", "name", "is_active")}
OFFER_FIELDS = {
    "provider": "provider",
    "instance_type": "instance_name",
    "region": "region",
    "gpus_per_instance": "gpus_per_instance",
    "on_demand_usd_per_gpu_hour": "on_demand_usd_per_gpu_hour",
    "spot_usd_per_gpu_hour": "spot_usd_per_gpu_hour",
    "on_demand_usd_per_instance_hour": "instance_on_demand_usd_per_hour",
    "as_of": "as_of",
    "source": "source",
    "notes": "notes",
}


def _plain(value):
    """A database value as JSON has it: decimals as numbers, dates as ISO text."""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value


def _row(row, fields: Mapping[str, str]) -> dict:
    return {key: _plain(getattr(row, attribute)) for key, attribute in fields.items()}


def _offer(offer: CloudOffer) -> dict:
    return {"gpu": offer.gpu.slug, **_row(offer, OFFER_FIELDS)}


def gpus() -> list[dict]:
    """Every GPU, with its active cloud offers, cheapest on-demand per GPU first."""
    rows = GpuType.objects.prefetch_related(
        Prefetch(
            "offers",
            queryset=CloudOffer.objects.active()
            .select_related("gpu")
            .order_by(CHEAPEST_FIRST, "provider", "instance_name"),
            to_attr="active_offers",
        )
    )
    return [
        {**_row(gpu, GPU_FIELDS), "offers": [_offer(offer) for offer in gpu.active_offers]}
        for gpu in rows
    ]


def models() -> dict[str, list[dict]]:
    """Every model and engine."""
    return {
        "models": [_row(model, MODEL_FIELDS) for model in LlmModel.objects.all()],
        "engines": [_row(engine, ENGINE_FIELDS) for engine in EngineProfile.objects.all()],
    }


def offers(gpus: list[str], providers: list[str]) -> list[dict]:
    """The active cloud offers of these GPUs and providers (each: all when empty), by
    GPU, cheapest on-demand first."""
    rows = CloudOffer.objects.active().select_related("gpu")
    if gpus:
        rows = rows.filter(gpu__slug__in=gpus)
    if providers:
        rows = rows.filter(provider__in=providers)
    return [_offer(offer) for offer in rows.order_by("gpu__slug", CHEAPEST_FIRST, "provider")]
