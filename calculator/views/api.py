"""The JSON API: the estimate for a query string, and the catalog's slugs.

Same inputs as the page (the CalculatorForm), so a page URL's query string works here.
Bad input answers 400 with {"errors": {field: [messages]}}, never a 500.
"""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_GET

from calculator.estimates import estimate_form
from calculator.estimator import ESTIMATOR_VERSION
from calculator.forms import CalculatorForm
from calculator.models import EngineProfile, GpuType, LlmModel
from calculator.plan_forms import PLAN_DEFAULTS, PlanForm, ServeForm

API_PARAMETERS = list(CalculatorForm.base_fields)
SERVE_PARAMETERS = list(ServeForm.base_fields)
PLAN_PARAMETERS = list(PlanForm.base_fields)


def _errors(form, unknown: list[str], known: list[str] = API_PARAMETERS) -> JsonResponse:
    errors = {field: [str(m) for m in messages] for field, messages in form.errors.items()}
    if unknown:
        errors.setdefault("__all__", []).append(
            f"Unknown parameter(s): {', '.join(sorted(unknown))}. Known: {', '.join(known)}."
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
    result = estimate_form(form)
    if result is None:
        return _errors(form, [])
    return JsonResponse({"inputs": form.inputs(), **result.as_dict()})


@require_GET
def api_serve(request: HttpRequest) -> JsonResponse:
    """The serving simulator for one configuration under a rate or a number of users."""
    data = request.GET.copy()
    data.setdefault("engine", "vllm")
    data.setdefault("parallelism", "tensor")
    data.setdefault("weights", "fp16")
    form = ServeForm(data)
    unknown = [key for key in request.GET if key not in SERVE_PARAMETERS]
    if unknown or not form.is_valid():
        form.is_valid()
        return _errors(form, unknown, SERVE_PARAMETERS)
    result = form.simulate()
    if result is None:
        return _errors(form, [], SERVE_PARAMETERS)
    return JsonResponse(
        {"inputs": form.inputs(), **result.as_dict(), "estimator_version": ESTIMATOR_VERSION}
    )


@require_GET
def api_plan(request: HttpRequest) -> JsonResponse:
    """The capacity plan: every GPU x replica size x precision for the traffic."""
    data = request.GET.copy()
    for key in ("engine", "percentile", "max_gpus_per_replica"):
        data.setdefault(key, PLAN_DEFAULTS[key])
    form = PlanForm(data)
    unknown = [key for key in request.GET if key not in PLAN_PARAMETERS]
    if unknown or not form.is_valid():
        form.is_valid()
        return _errors(form, unknown, PLAN_PARAMETERS)
    result = form.plan()
    if result is None:
        return _errors(form, [], PLAN_PARAMETERS)
    return JsonResponse({"inputs": form.inputs(), **result.as_dict()})


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
        }
        for gpu in GpuType.objects.all()
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
