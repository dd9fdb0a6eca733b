"""Prefix caching through the API, the forms and the example plan: /api/estimate,
/api/serve and /api/plan take shared_prefix_tokens and prefix_hit_rate, refuse a shared
prefix longer than the prompt, and the example plan costs less with a system prompt."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from calculator.answers import capacity, estimate
from calculator.forms import CalculatorForm
from calculator.plan_forms import PlanForm
from tests.test_api import SEED
from tests.test_plans import PLAN, SERVE

pytestmark = pytest.mark.django_db


def get_json(client, name, params):
    response = client.get(reverse(name), params)
    return response, json.loads(response.content)


@pytest.mark.parametrize(
    ("name", "query"),
    [
        ("calculator:api-estimate", SEED),
        ("calculator:api-serve", SERVE),
        ("calculator:api-plan", PLAN),
    ],
)
def test_a_shared_prefix_longer_than_the_prompt_is_a_clear_400(client, name, query):
    too_long = int(query["prompt"]) + 1
    response, body = get_json(client, name, {**query, "shared_prefix_tokens": str(too_long)})
    assert response.status_code == 400
    (message,) = body["errors"]["shared_prefix_tokens"]
    assert "prompt" in message


@pytest.mark.parametrize("rate", ["-0.5", "1.5"])
def test_a_hit_rate_outside_0_to_1_is_a_400(client, rate):
    response, body = get_json(client, "calculator:api-estimate", {**SEED, "prefix_hit_rate": rate})
    assert response.status_code == 400
    assert "prefix_hit_rate" in body["errors"]


def test_the_estimate_api_answers_faster_prefill_with_a_cached_prefix(client):
    _, plain = get_json(client, "calculator:api-estimate", SEED)
    response, cached = get_json(
        client, "calculator:api-estimate", {**SEED, "shared_prefix_tokens": "800"}
    )
    assert response.status_code == 200
    assert cached["inputs"]["shared_prefix_tokens"] == "800"
    assert cached["prefill"]["seconds"] < plain["prefill"]["seconds"]


def test_the_serve_api_answers_a_shorter_ttft_with_prefix_hits(client):
    _, plain = get_json(client, "calculator:api-serve", SERVE)
    response, cached = get_json(client, "calculator:api-serve", {**SERVE, "prefix_hit_rate": "0.8"})
    assert response.status_code == 200
    assert cached["inputs"]["prefix_hit_rate"] == "0.8"
    assert cached["ttft_ms"]["p50"] < plain["ttft_ms"]["p50"]


def test_inputs_without_the_prefix_read_as_before():
    form = CalculatorForm(estimate.DEFAULTS)
    assert form.is_valid(), form.errors
    assert "shared_prefix_tokens" not in form.inputs()


def test_the_example_plan_costs_less_with_a_shared_system_prompt():
    """The planner's example (Llama 3.1 70B, 3 requests/s, 2,000-token prompts, 300-token
    answers) with 1,500 tokens of each prompt a shared system prompt."""
    plain = capacity.answer(PlanForm(capacity.DEFAULTS))
    shared = capacity.answer(PlanForm({**capacity.DEFAULTS, "shared_prefix_tokens": "1500"}))
    assert isinstance(plain, capacity.Planned) and isinstance(shared, capacity.Planned)
    assert shared.result.best.usd_per_month < plain.result.best.usd_per_month
    assert shared.results["traffic"]["shared_prefix_tokens"] == 1500
    assert shared.inputs["shared_prefix_tokens"] == "1500"
