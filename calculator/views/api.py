"""The JSON API: the estimate for a query string or a JSON body, and the catalog's slugs.

Same inputs as the page (the CalculatorForm), so a page URL's query string works here;
a POSTed JSON object holds the same parameters, and its "model" may be a config.json
object instead of a catalog slug. Bad input answers 400 with
{"errors": {field: [messages]}}, never a 500.
"""

from __future__ import annotations

import json

from django.db.models import F, Prefetch
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from calculator.answers import capacity, estimate, serve
from calculator.answers.estimate import ALL_APIS_PARAM
from calculator.answers.shared import FieldErrors
from calculator.forms import CUSTOM_MODEL, CalculatorForm
from calculator.limits import MAX_BODY_BYTES
from calculator.models import CloudOffer, EngineProfile, GpuType, LlmModel
from calculator.plan_forms import PlanForm, ServeForm

API_PARAMETERS = [*CalculatorForm.base_fields, ALL_APIS_PARAM]
# Spot-only offers (no on-demand price) last on every database.
CHEAPEST_FIRST = F("on_demand_usd_per_gpu_hour").asc(nulls_last=True)
SERVE_PARAMETERS = list(ServeForm.base_fields)
PLAN_PARAMETERS = list(PlanForm.base_fields)


def _errors(
    errors: dict[str, list[str]],
    unknown: list[str],
    known: list[str] = API_PARAMETERS,
    *,
    config_field: str = "",
) -> JsonResponse:
    errors = dict(errors)
    if config_field and "model_config" in errors:
        # The config came as the "model" object: its problems are the model's.
        errors.setdefault(config_field, []).extend(errors.pop("model_config"))
    if unknown:
        errors.setdefault("__all__", []).append(
            f"Unknown parameter(s): {', '.join(sorted(unknown))}. Known: {', '.join(known)}."
        )
    return JsonResponse({"errors": errors}, status=400)


def _bad_body(message: str) -> JsonResponse:
    return JsonResponse({"errors": {"__all__": [message]}}, status=400)


def _answer(
    form: CalculatorForm, unknown: list[str], config_field: str = "", apis: str | None = None
) -> JsonResponse:
    if unknown or not form.is_valid():
        return _errors(FieldErrors.of(form).errors, unknown, config_field=config_field)
    if apis not in (None, "all"):
        return JsonResponse({"errors": {ALL_APIS_PARAM: ['Only "all" is accepted.']}}, status=400)
    result = estimate.answer(form, all_apis=apis == "all", trace=True)
    if isinstance(result, FieldErrors):
        return _errors(result.errors, [], config_field=config_field)
    return JsonResponse(result.as_json())


# Scripts post JSON without a CSRF token: the endpoint computes, it changes nothing.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def api_estimate(request: HttpRequest) -> JsonResponse:
    if request.method == "GET":
        data = estimate.with_defaults(request.GET, estimate.API_DEFAULTS)
        unknown = [key for key in request.GET if key not in API_PARAMETERS]
        return _answer(CalculatorForm(data), unknown, apis=request.GET.get(ALL_APIS_PARAM))
    if len(request.body) > MAX_BODY_BYTES:
        return _bad_body(f"The body is over {MAX_BODY_BYTES:,} bytes.")
    try:
        body = json.loads(request.body)
    except ValueError:
        return _bad_body(
            'The body must be a JSON object, e.g. {"model": "llama-3.1-8b", "gpu": "h100-sxm"}.'
        )
    if not isinstance(body, dict):
        return _bad_body("The body must be a JSON object.")
    data = {**estimate.API_DEFAULTS}
    config_field = ""
    for key, value in body.items():
        if key == "model" and isinstance(value, dict):
            # The config.json itself instead of a catalog slug.
            data["model"] = CUSTOM_MODEL
            data["model_config"] = json.dumps(value)
            config_field = "model"
        elif value is None:
            data[key] = ""
        elif isinstance(value, dict | list):
            data[key] = json.dumps(value) if key == "model_config" else str(value)
        else:
            data[key] = str(value).lower() if isinstance(value, bool) else str(value)
    unknown = [key for key in body if key not in API_PARAMETERS]
    return _answer(CalculatorForm(data), unknown, config_field, data.get(ALL_APIS_PARAM))


@require_GET
def api_serve(request: HttpRequest) -> JsonResponse:
    """The serving simulator for one configuration under a rate or a number of users."""
    data = estimate.with_defaults(request.GET, estimate.API_DEFAULTS)
    return _computed(ServeForm(data), request, SERVE_PARAMETERS, serve.answer)


@require_GET
def api_plan(request: HttpRequest) -> JsonResponse:
    """The capacity plan: every GPU x replica size x precision for the traffic."""
    form = PlanForm(capacity.with_defaults(request.GET))
    return _computed(form, request, PLAN_PARAMETERS, capacity.answer)


def _computed(form, request: HttpRequest, known: list[str], answer) -> JsonResponse:
    """Refuse unknown parameters, ask the question's answer, give its JSON or the errors."""
    unknown = [key for key in request.GET if key not in known]
    if unknown:
        return _errors(FieldErrors.of(form).errors, unknown, known)
    result = answer(form)
    if isinstance(result, FieldErrors):
        return _errors(result.errors, [], known)
    return JsonResponse(result.as_json())


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
            "attention_window": model.attention_window,
            "local_layers": model.local_layers,
            "chunked_attention": model.chunked_attention,
            "kv_lora_rank": model.kv_lora_rank,
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
