"""Expert parallelism through /api/estimate and /api/serve: DeepSeek-V3's latent cache
no longer copied on every GPU, and a dense model refused with a 400 naming the field."""

from __future__ import annotations

import json
from urllib.parse import urlencode

import pytest
from django.urls import reverse

from calculator.answers.estimate import DEFAULTS
from calculator.models import Scenario
from tests.test_plans import SERVE
from tests.test_views import fragment_url, inputs

pytestmark = pytest.mark.django_db

DEEPSEEK = {
    "model": "deepseek-v3",
    "gpu": "h200",
    "gpus": "8",
    "batch": "max",
    "weights": "fp8",
    "engine": "sglang",
    "prompt": "2000",
    "completion": "100",
}


def get_json(client, name, params):
    response = client.get(reverse(name), params)
    return response, json.loads(response.content)


def test_expert_parallelism_holds_more_deepseek_sequences_than_tensor(client):
    _, tensor = get_json(client, "calculator:api-estimate", DEEPSEEK)
    response, expert = get_json(
        client, "calculator:api-estimate", {**DEEPSEEK, "parallelism": "expert"}
    )
    assert response.status_code == 200
    assert expert["inputs"]["parallelism"] == "expert"
    # Tensor parallelism copies the latent cache on all 8 GPUs; data-parallel attention
    # keeps each sequence's on one.
    assert expert["batch"] > 3 * tensor["batch"]
    labels = [step["label"] for step in expert["trace"]]
    assert "Dispatch and combine per step" in labels
    assert "Expert load imbalance" in labels


DENSE = {"gpus": "2", "parallelism": "expert"}
ESTIMATE_DENSE = {k: v for k, v in SERVE.items() if k not in ("rate", "requests")}


@pytest.mark.parametrize(
    ("name", "params"),
    [
        ("calculator:api-estimate", {**ESTIMATE_DENSE, **DENSE, "batch": "1"}),
        ("calculator:api-serve", {**SERVE, **DENSE}),
    ],
)
def test_a_dense_model_is_a_400_naming_parallelism(client, name, params):
    response, body = get_json(client, name, params)
    assert response.status_code == 400
    assert "parallelism" in body["errors"], body
    assert "dense" in body["errors"]["parallelism"][0]


def test_more_gpus_than_experts_is_a_400_naming_gpus(client):
    response, body = get_json(
        client,
        "calculator:api-estimate",
        {**DEEPSEEK, "model": "mixtral-8x7b", "gpus": "16", "parallelism": "expert"},
    )
    assert response.status_code == 400
    assert "gpus" in body["errors"], body


def test_the_simulator_serves_with_expert_parallelism(client):
    response, body = get_json(
        client,
        "calculator:api-serve",
        {
            **SERVE,
            "model": "qwen3-30b-a3b",
            "gpus": "2",
            "parallelism": "expert",
            "requests": "50",
        },
    )
    assert response.status_code == 200, body


def test_a_saved_scenario_keeps_expert_parallelism(client):
    data = {
        **DEFAULTS,
        **DEEPSEEK,
        "batch": "64",
        "parallelism": "expert",
        "name": "DeepSeek-V3, wide EP",
        "notes": "",
    }
    response = client.post(reverse("calculator:scenario-save"), data)
    assert response.status_code == 302
    scenario = Scenario.objects.get()
    assert scenario.inputs["parallelism"] == "expert"
    page = client.get(scenario.get_absolute_url())
    assert page.status_code == 200
    assert "Expert parallel" in page.text


def test_the_pages_math_shows_the_expert_parallel_terms(client):
    changes = {**DEEPSEEK, "gpus": "16", "gpu": "h100-sxm", "parallelism": "expert"}
    page = client.get("/?" + urlencode(inputs(**changes))).content.decode()
    html = client.get(fragment_url(page, "show-the-math")).content.decode()
    for label in (
        "Routed experts per GPU (expert parallelism)",
        "All-to-all bytes a GPU sends per MoE layer",
        "Dispatch and combine per step",
        "Expert load imbalance",
    ):
        assert label in html
    assert "between nodes" in html  # 16 GPUs: the all-to-all crosses the network


@pytest.mark.parametrize(
    ("gpu", "gpus", "tensor", "expert"),
    [("h200", "8", (627, 1415), (3083, 1585)), ("h100-sxm", "16", (420, 343), (2580, 1315))],
)
def test_the_worked_examples_in_the_accuracy_page_are_todays(client, gpu, gpus, tensor, expert):
    """docs/accuracy.md, "Expert parallelism": batch and decode tokens/s a GPU."""
    for parallelism, (batch, per_gpu) in (("tensor", tensor), ("expert", expert)):
        params = {**DEEPSEEK, "gpu": gpu, "gpus": gpus, "parallelism": parallelism}
        _, body = get_json(client, "calculator:api-estimate", params)
        assert body["batch"] == batch
        assert body["decode"]["tokens_per_second"] / int(gpus) == pytest.approx(per_gpu, abs=1)
