"""Speculative decoding through /api/estimate and /api/serve: the figures, and the bad
combinations refused with a 400 naming the field."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from tests.test_plans import SERVE

pytestmark = pytest.mark.django_db

ONE = {
    "model": "llama-3.1-70b",
    "gpu": "h100-sxm",
    "gpus": "4",
    "batch": "1",
    "prompt": "1000",
    "completion": "300",
}


def get_json(client, name, params):
    response = client.get(reverse(name), params)
    return response, json.loads(response.content)


def test_the_estimate_answers_eagle_faster_at_batch_1_and_slower_at_256(client):
    _, alone = get_json(client, "calculator:api-estimate", {**ONE, "speculative": "eagle"})
    _, full = get_json(
        client, "calculator:api-estimate", {**ONE, "speculative": "eagle", "batch": "256"}
    )
    assert alone["speculative"]["speedup"] > 2
    assert full["speculative"]["speedup"] < 1
    assert alone["inputs"]["speculative"] == "eagle"
    assert any(step["label"].startswith("Tokens per verification") for step in alone["trace"])


def test_no_speculation_answers_null(client):
    _, body = get_json(client, "calculator:api-estimate", ONE)
    assert body["speculative"] is None
    assert "speculative" not in body["inputs"]


def test_a_catalog_draft_model_is_used(client):
    response, body = get_json(
        client,
        "calculator:api-estimate",
        {**ONE, "speculative": "draft", "draft_model": "llama-3.2-1b"},
    )
    assert response.status_code == 200
    assert body["speculative"]["draft_model"] == "Llama 3.2 1B"
    assert body["inputs"]["draft_model"] == "llama-3.2-1b"


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"speculative": "draft", "draft_model": "llama-3.1-405b"}, "draft_model"),
        ({"speculative": "draft"}, "draft_model"),
        ({"speculative": "eagle", "acceptance_rate": "2"}, "acceptance_rate"),
        ({"speculative": "eagle", "num_speculative_tokens": "99"}, "num_speculative_tokens"),
        ({"speculative": "medusa"}, "speculative"),
    ],
)
def test_bad_combinations_are_a_400_naming_the_field(client, params, field):
    response, body = get_json(client, "calculator:api-estimate", {**ONE, **params})
    assert response.status_code == 400
    assert field in body["errors"], body


def test_a_draft_larger_than_the_model_is_refused_by_serve_too(client):
    response, body = get_json(
        client,
        "calculator:api-serve",
        {**SERVE, "speculative": "draft", "draft_model": "llama-3.1-70b"},
    )
    assert response.status_code == 400
    assert "smaller than" in body["errors"]["draft_model"][0]


def test_serve_answers_a_shorter_tpot_with_mtp_at_low_load(client):
    low = {**SERVE, "rate": "0.5", "requests": "50"}
    _, plain = get_json(client, "calculator:api-serve", low)
    response, fast = get_json(client, "calculator:api-serve", {**low, "speculative": "mtp"})
    assert response.status_code == 200
    assert fast["tpot_ms"]["p50"] < plain["tpot_ms"]["p50"]


def test_the_batch_charts_draw_the_speedup_below_1x_at_large_batches():
    from calculator.answers import batch_charts, estimate
    from calculator.forms import CalculatorForm

    form = CalculatorForm({**estimate.DEFAULTS, **ONE, "weights": "fp8", "speculative": "eagle"})
    result = estimate.answer(form, trace=False)
    charts = {chart.slug: chart for chart in batch_charts.answer(result)}
    (line,) = charts["speculative"].series
    # "batch 1: 2.68×" ... "batch 1,024: 0.738×": Llama 3.1 70B FP8 on 4 x H100.
    speedups = [float(point.label.split(": ")[1].rstrip("×")) for point in line.points]
    assert speedups[0] > 2 and speedups[-1] < 1
    assert speedups == sorted(speedups, reverse=True)
