"""The OpenAPI 3.1 description (docs/openapi.json, served at /api/openapi.json) is true
to the forms, and schemathesis fuzzes every operation from it against the real app,
in-process: no 500, and every answer matches what the description says (issue 17
item 5)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import schemathesis
from django import forms
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from calculator.answers import capacity
from calculator.answers.estimate import ALL_APIS_PARAM, API_DEFAULTS
from calculator.forms import MAX_BATCH, BatchField, CalculatorForm, CatalogChoiceField
from calculator.plan_forms import PlanForm, ServeForm
from calculator.urls import api_urls
from config.wsgi import application

DOC_PATH = Path(__file__).resolve().parent.parent / "docs" / "openapi.json"
DOC = json.loads(DOC_PATH.read_text())
# The API's own defaults: a documented parameter is required when its form field is
# and the endpoint supplies no default (answers/estimate.py, answers/capacity.py).
PLAN_API_DEFAULTS = {key: capacity.DEFAULTS[key] for key in capacity.QUERY_DEFAULTS}
FORMS = {
    ("/api/estimate", "get"): (CalculatorForm, API_DEFAULTS, [ALL_APIS_PARAM]),
    ("/api/serve", "get"): (ServeForm, API_DEFAULTS, []),
    ("/api/plan", "get"): (PlanForm, PLAN_API_DEFAULTS, []),
}
ERRORS = {
    "EstimateErrors": [*CalculatorForm.base_fields, ALL_APIS_PARAM],
    "ServeErrors": list(ServeForm.base_fields),
    "PlanErrors": list(PlanForm.base_fields),
    "OffersErrors": ["gpu", "provider"],
}


def _parameters(path: str, method: str) -> dict[str, dict]:
    return {p["name"]: p for p in DOC["paths"][path][method].get("parameters", [])}


# Section: the description against the code


def test_every_api_route_is_described_and_nothing_else():
    routes = {"/" + str(pattern.pattern) for pattern in api_urls}
    assert routes == set(DOC["paths"])


@pytest.mark.parametrize(("path", "method"), list(FORMS))
def test_every_form_field_is_a_documented_parameter_and_the_reverse(path, method):
    form_class, _, extra = FORMS[(path, method)]
    assert set(_parameters(path, method)) == {*form_class.base_fields, *extra}


def _expected_schema(field: forms.Field) -> dict:
    """What the description must say of a field's values (the form's own limits)."""
    if isinstance(field, BatchField):
        return {
            "anyOf": [
                {"type": "integer", "minimum": 1, "maximum": MAX_BATCH},
                {"type": "string", "enum": ["max"]},
            ]
        }
    if isinstance(field, CatalogChoiceField):
        return {"type": "string"}
    if isinstance(field, forms.BooleanField):
        return {"type": "boolean"}
    # Django's FloatField is an IntegerField: asked first, so a float is a "number".
    if isinstance(field, forms.FloatField | forms.DecimalField):
        return {
            "type": "number",
            "minimum": float(field.min_value),
            "maximum": float(field.max_value),
        }
    if isinstance(field, forms.IntegerField):
        return {"type": "integer", "minimum": field.min_value, "maximum": field.max_value}
    if isinstance(field, forms.ChoiceField):
        values = [value for value, _ in field.choices if value != ""]
        return {"type": "string", "enum": values} if values else {"type": "string"}
    assert isinstance(field, forms.CharField)
    return {"type": "string", "maxLength": field.max_length}


@pytest.mark.django_db
@pytest.mark.parametrize(("path", "method"), list(FORMS))
def test_every_documented_parameter_has_the_forms_type_limits_and_requiredness(path, method):
    form_class, defaults, _ = FORMS[(path, method)]
    form = form_class()  # bound to the catalog: dynamic choices (providers) are filled
    documented = _parameters(path, method)
    for name, field in form.fields.items():
        schema = dict(documented[name]["schema"])
        assert str(schema.pop("default", defaults.get(name))) == str(defaults.get(name)), name
        schema.pop("examples", None)
        if isinstance(field, CatalogChoiceField) or name == "provider":
            assert schema == {"type": "string"}, name  # slugs and providers: the catalog's
            continue
        assert schema == _expected_schema(field), name
        assert documented[name]["required"] == (field.required and name not in defaults), name


@pytest.mark.parametrize("name", ERRORS)
def test_every_documented_error_key_is_a_form_field_or_all_and_the_reverse(name):
    keys = DOC["components"]["schemas"][name]["properties"]["errors"]["propertyNames"]["enum"]
    assert set(keys) == {*ERRORS[name], "__all__"}


def test_the_json_body_takes_the_get_parameters():
    body = DOC["components"]["schemas"]["EstimateBody"]["properties"]
    assert set(body) == set(_parameters("/api/estimate", "get"))


@pytest.mark.django_db
def test_the_description_is_served_as_the_repository_has_it(client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == DOC
    assert DOC["openapi"].startswith("3.1")


# Section: schemathesis over every operation


schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application)
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]


@pytest.fixture(autouse=True)
def connections_kept_open():
    """Django closes the database connection when a request finishes; its test client
    stops that (the test's transaction lives on the connection). Schemathesis calls the
    WSGI app directly, so do as the test client does."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=25,
    derandomize=True,  # the same examples on every run
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_the_api_answers_every_generated_request_as_described(case):
    case.call_and_validate(checks=CHECKS)
