"""The JSON API: the estimate for a query string, and the catalog's slugs.

Same inputs as the page (the CalculatorForm), so a page URL's query string works here.
Bad input answers 400 with {"errors": {field: [messages]}}, never a 500.
"""

from __future__ import annotations

from django.db.models import F, Prefetch
from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_GET

from calculator.estimates import compared_offerings, estimate_form, estimate_json, form_price
from calculator.forms import CalculatorForm
from calculator.models import CloudOffer, EngineProfile, GpuType, LlmModel

# "apis=all": compare with every active API offering, not only the model's own and the
# closed reference models.
ALL_APIS_PARAM = "apis"
API_PARAMETERS = [*CalculatorForm.base_fields, ALL_APIS_PARAM]
# Spot-only offers (no on-demand price) last on every database.
CHEAPEST_FIRST = F("on_demand_usd_per_gpu_hour").asc(nulls_last=True)


def _errors(form: CalculatorForm, unknown: list[str]) -> JsonResponse:
    errors = {field: [str(m) for m in messages] for field, messages in form.errors.items()}
    if unknown:
        errors.setdefault("__all__", []).append(
            f"Unknown parameter(s): {', '.join(sorted(unknown))}. "
            f"Known: {', '.join(API_PARAMETERS)}."
        )
    return JsonResponse({"errors": errors}, status=400)


@require_GET
def api_estimate(request: HttpRequest) -> JsonResponse:
    data = request.GET.copy()
    data.setdefault("engine", "vllm")
    data.setdefault("parallelism", "tensor")
    data.setdefault("weights", "fp16")
    form = CalculatorForm(data)
    unknown = [key for key in request.GET if key not in API_PARAMETERS]
    if unknown or not form.is_valid():
        form.is_valid()
        return _errors(form, unknown)
    everything = request.GET.get(ALL_APIS_PARAM) == "all"
    if request.GET.get(ALL_APIS_PARAM, "all") != "all":
        return JsonResponse({"errors": {ALL_APIS_PARAM: ['Only "all" is accepted.']}}, status=400)
    price = form_price(form)
    result = estimate_form(form, compared_offerings(form, everything)[1], price)
    if result is None:
        return _errors(form, [])
    return JsonResponse({"inputs": form.inputs(), **estimate_json(form, result, price)})


def _number(value) -> float | None:
    return None if value is None else float(value)


def _offer(offer: CloudOffer) -> dict:
    return {
        "gpu": offer.gpu.slug,
        "provider": offer.provider,
        "instance_type": offer.instance_name,
        "region": offer.region,
        "gpus_per_instance": offer.gpus_per_instance,
        "on_demand_usd_per_gpu_hour": _number(offer.on_demand_usd_per_gpu_hour),
        "spot_usd_per_gpu_hour": _number(offer.spot_usd_per_gpu_hour),
        "on_demand_usd_per_instance_hour": _number(offer.instance_on_demand_usd_per_hour),
        "as_of": offer.as_of.isoformat() if offer.as_of else None,
        "source": offer.source,
        "notes": offer.notes,
    }


@require_GET
def api_gpus(request: HttpRequest) -> JsonResponse:
    gpus = [
        {
            "slug": gpu.slug,
            "name": gpu.name,
            "vendor": gpu.vendor,
            "memory_gb": gpu.memory_gb,
            "usable_memory_gib": gpu.usable_memory_gib,
            "memory_bandwidth_gb_s": gpu.memory_bandwidth_gb_s,
            "fp16_tflops": gpu.fp16_tflops,
            "bf16_tflops": gpu.bf16_tflops,
            "fp8_tflops": gpu.fp8_tflops,
            "interconnect": gpu.interconnect,
            "hourly_price_usd": (
                float(gpu.hourly_price_usd) if gpu.hourly_price_usd is not None else None
            ),
            "price_as_of": gpu.price_as_of.isoformat() if gpu.price_as_of else None,
            "price_source": gpu.price_source,
            "is_active": gpu.is_active,
            # Active cloud offers, cheapest on-demand per GPU first.
            "offers": [_offer(offer) for offer in gpu.active_offers],
        }
        for gpu in GpuType.objects.prefetch_related(
            Prefetch(
                "offers",
                queryset=CloudOffer.objects.active()
                .select_related("gpu")
                .order_by(CHEAPEST_FIRST, "provider", "instance_name"),
                to_attr="active_offers",
            )
        )
    ]
    return JsonResponse({"gpus": gpus})


@require_GET
def api_models(request: HttpRequest) -> JsonResponse:
    models = [
        {
            "slug": model.slug,
            "name": model.name,
            "hf_repo": model.hf_repo,
            "layers": model.num_layers,
            "hidden_size": model.hidden_size,
            "attention_heads": model.num_attention_heads,
            "kv_heads": model.num_kv_heads,
            "head_dim": model.head_dim,
            "experts": model.num_experts,
            "experts_per_token": model.experts_per_token,
            "max_context": model.max_context,
            "official_params": model.official_params,
            "is_active": model.is_active,
        }
        for model in LlmModel.objects.all()
    ]
    engines = [
        {"slug": engine.slug, "name": engine.name, "is_active": engine.is_active}
        for engine in EngineProfile.objects.all()
    ]
    return JsonResponse({"models": models, "engines": engines})


@require_GET
def api_offers(request: HttpRequest) -> JsonResponse:
    """Every active cloud offer, cheapest on-demand first; ?gpu= and ?provider= filter
    (each may repeat)."""
    unknown = sorted(set(request.GET) - {"gpu", "provider"})
    if unknown:
        return JsonResponse(
            {
                "errors": {
                    "__all__": [
                        f"Unknown parameter(s): {', '.join(unknown)}. Known: gpu, provider."
                    ]
                }
            },
            status=400,
        )
    offers = CloudOffer.objects.active().select_related("gpu")
    if gpus := request.GET.getlist("gpu"):
        offers = offers.filter(gpu__slug__in=gpus)
    if providers := request.GET.getlist("provider"):
        offers = offers.filter(provider__in=providers)
    offers = offers.order_by("gpu__slug", CHEAPEST_FIRST, "provider")
    return JsonResponse({"offers": [_offer(offer) for offer in offers]})
