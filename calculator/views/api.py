"""The JSON API: the estimate for a query string or a JSON body, and the catalog's slugs.

Same inputs as the page (the CalculatorForm), so a page URL's query string works here;
a POSTed JSON object holds the same parameters, and its "model" may be a config.json
object instead of a catalog slug. Bad input answers 400 with
{"errors": {field: [messages]}}, never a 500.
"""

from __future__ import annotations

import json

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from calculator import jsonbody
from calculator.answers import capacity, estimate, listing, serve
from calculator.answers.estimate import ALL_APIS_PARAM
from calculator.answers.shared import FieldErrors
from calculator.forms import CUSTOM_MODEL, CalculatorForm
from calculator.plan_forms import PlanForm, PlanLogForm, ServeForm
from calculator.shedding import heavy
from calculator.views import log_body_refusal

API_PARAMETERS = [*CalculatorForm.base_fields, ALL_APIS_PARAM]
SERVE_PARAMETERS = list(ServeForm.base_fields)
PLAN_PARAMETERS = list(PlanForm.base_fields)
PLAN_LOG_PARAMETERS = list(PlanLogForm.base_fields)


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


def _bad_body(message: str, field: str = "") -> JsonResponse:
    return JsonResponse({"errors": {field or "__all__": [message]}}, status=400)


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
    try:
        body = jsonbody.parse(request)
    except jsonbody.JsonError as error:
        return _bad_body(error.message, error.field if error.field in API_PARAMETERS else "")
    data, config_field = _body_data(body, estimate.API_DEFAULTS)
    unknown = [key for key in body if key not in API_PARAMETERS]
    return _answer(CalculatorForm(data), unknown, config_field, data.get(ALL_APIS_PARAM))


def _body_data(body: dict, defaults) -> tuple[dict, str]:
    """A POSTed JSON object as form data over the defaults, and "model" when the model
    came as a config.json object (its errors are then reported under "model")."""
    data = {**defaults}
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
    return data, config_field


@require_GET
@heavy
def api_serve(request: HttpRequest) -> JsonResponse:
    """The serving simulator for one configuration under a rate or a number of users."""
    data = estimate.with_defaults(request.GET, estimate.API_DEFAULTS)
    return _computed(ServeForm(data), request, SERVE_PARAMETERS, serve.answer)


# Scripts post JSON, or a request log (multipart/form-data), without a CSRF token: the
# endpoint computes, it changes nothing.
@csrf_exempt
@require_http_methods(["GET", "POST"])
@heavy
def api_plan(request: HttpRequest) -> JsonResponse:
    """The capacity plan: every GPU x replica size x precision for the traffic. GET
    takes the page's query; POST a JSON object of the same parameters, whose "model"
    may be a config.json object, or a request log (``request_log``, multipart) with
    the parameters as form fields."""
    if request.method == "GET":
        form = PlanForm(capacity.with_defaults(request.GET))
        return _computed(form, request, PLAN_PARAMETERS, capacity.answer)
    if request.content_type == "multipart/form-data":
        if refusal := log_body_refusal(request):
            return _bad_body(refusal, "request_log")
        form = PlanLogForm(capacity.with_defaults(request.POST), request.FILES)
        given = [*request.POST, *request.FILES]
        return _computed(form, request, PLAN_LOG_PARAMETERS, capacity.answer, given)
    try:
        body = jsonbody.parse(request)
    except jsonbody.JsonError as error:
        return _bad_body(error.message, error.field if error.field in PLAN_PARAMETERS else "")
    data, config_field = _body_data(body, {})
    form = PlanForm(capacity.with_defaults(data))
    return _computed(form, request, PLAN_PARAMETERS, capacity.answer, list(body), config_field)


def _computed(
    form,
    request: HttpRequest,
    known: list[str],
    answer,
    given: list[str] | None = None,
    config_field: str = "",
) -> JsonResponse:
    """Refuse unknown parameters (of the query, or those ``given`` in a body), ask the
    question's answer, give its JSON or the errors."""
    unknown = [key for key in (request.GET if given is None else given) if key not in known]
    if unknown:
        return _errors(FieldErrors.of(form).errors, unknown, known, config_field=config_field)
    result = answer(form)
    if isinstance(result, FieldErrors):
        return _errors(result.errors, [], known, config_field=config_field)
    return JsonResponse(result.as_json())


OPENAPI_PATH = settings.BASE_DIR / "docs" / "openapi.json"


@require_GET
def api_openapi(request: HttpRequest) -> HttpResponse:
    """The OpenAPI 3.1 description of this API: docs/openapi.json, as the repository
    has it (tests/test_openapi.py keeps it true to the forms)."""
    return HttpResponse(OPENAPI_PATH.read_bytes(), content_type="application/json")


@require_GET
def api_gpus(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"gpus": listing.gpus()})


@require_GET
def api_models(request: HttpRequest) -> JsonResponse:
    return JsonResponse(listing.models())


@require_GET
def api_offers(request: HttpRequest) -> JsonResponse:
    """Every active cloud offer, cheapest on-demand first; ?gpu= and ?provider= filter
    (each may repeat)."""
    unknown = sorted(set(request.GET) - {"gpu", "provider"})
    if unknown:
        return _errors({}, unknown, ["gpu", "provider"])
    offers = listing.offers(request.GET.getlist("gpu"), request.GET.getlist("provider"))
    return JsonResponse({"offers": offers})
