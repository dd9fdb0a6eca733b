"""Expert parallelism in the planner (issue 23, lever 4): /api/plan weighs expert-parallel
replicas of a MoE model next to tensor-parallel ones, says which each option is, hands
the engine its EP flags, refuses a dense model, and a saved plan keeps the choice."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from calculator.estimator import budget, planner
from calculator.estimator.specs import Parallelism
from calculator.models import LlmModel, Plan
from tests.test_plans import PLAN

pytestmark = pytest.mark.django_db

# DeepSeek-V3 on 8 x H200 in FP8 under SGLang with a loose TPOT: the latent cache is
# copied on every GPU under tensor parallelism, once under data-parallel attention.
DEEPSEEK_PLAN = {
    "model": "deepseek-v3",
    "rate": "20",
    "prompt": "2000",
    "completion": "300",
    "ttft_ms": "3000",
    "tpot_ms": "200",
    "gpus": "h200",
    "weights": "fp8",
    "engine": "sglang",
    "parallelism": "expert",
}


@pytest.fixture(scope="module")
def deepseek(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        response = Client().get(reverse("calculator:api-plan"), DEEPSEEK_PLAN)
    assert response.status_code == 200, response.content
    return json.loads(response.content)


def _at(body: dict, parallelism: str, n: int) -> dict:
    return next(
        o for o in body["options"] if o["parallelism"] == parallelism and o["gpus_per_replica"] == n
    )


def test_an_expert_plan_weighs_ep_next_to_tp_and_ep_carries_more_per_gpu(deepseek):
    assert deepseek["inputs"]["parallelism"] == "expert"
    kinds = {(o["parallelism"], o["gpus_per_replica"]) for o in deepseek["options"]}
    assert {("tensor", 8), ("expert", 8), ("expert", 4), ("expert", 2)} <= kinds
    assert ("expert", 1) not in kinds  # one GPU is tensor parallelism's option
    tensor, expert = _at(deepseek, "tensor", 8), _at(deepseek, "expert", 8)
    assert tensor["meets_targets"] and expert["meets_targets"]
    assert expert["max_rate_per_replica"] > 1.1 * tensor["max_rate_per_replica"]
    assert deepseek["best"]["parallelism"] == "expert"


def test_the_ep_recipe_carries_sglangs_expert_flags(deepseek):
    argv = _at(deepseek, "expert", 8)["deploy"]["argv"]
    assert argv[argv.index("--ep-size") + 1] == "8"
    assert argv[argv.index("--dp-size") + 1] == "8"
    assert "--enable-dp-attention" in argv
    assert "--ep-size" not in _at(deepseek, "tensor", 8)["deploy"]["argv"]


def test_a_tensor_plan_has_only_tensor_options(client):
    response = client.get(reverse("calculator:api-plan"), PLAN)
    body = json.loads(response.content)
    assert body["inputs"]["parallelism"] == "tensor"
    assert {o["parallelism"] for o in body["options"]} == {"tensor"}


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_dense_model_planned_with_expert_parallelism_is_a_400(client, method):
    params = {**PLAN, "parallelism": "expert"}
    if method == "get":
        response = client.get(reverse("calculator:api-plan"), params)
    else:
        response = client.post(
            reverse("calculator:api-plan"), json.dumps(params), content_type="application/json"
        )
    body = json.loads(response.content)
    assert response.status_code == 400
    assert "dense model" in body["errors"]["parallelism"][0]


def test_pipeline_is_not_a_plan_choice(client):
    response = client.get(reverse("calculator:api-plan"), {**PLAN, "parallelism": "pipeline"})
    assert response.status_code == 400
    assert "parallelism" in json.loads(response.content)["errors"]


def test_the_work_budget_counts_the_expert_options():
    spec = LlmModel.objects.get(slug="deepseek-v3").to_spec()
    gpus = [object()]  # only counted: the precisions are given
    tensor = budget.plan_options(spec, gpus, ["fp8"], 8)
    expert = budget.plan_options(spec, gpus, ["fp8"], 8, Parallelism.EXPERT)
    assert (tensor, expert) == (4, 7)  # TP 1, 2, 4, 8; EP 2, 4, 8 too
    assert planner.replica_layouts(spec, 8, Parallelism.EXPERT)[-1] == (Parallelism.EXPERT, 8)


def test_a_saved_plan_keeps_expert_parallelism(client, deepseek):
    response = client.post(reverse("calculator:plan-save"), {**DEEPSEEK_PLAN, "name": "EP"})
    assert response.status_code == 302
    saved = Plan.objects.get(name="EP")
    assert saved.inputs["parallelism"] == "expert"
    assert saved.results["best"]["parallelism"] == "expert"
    assert saved.results["options"] == deepseek["options"]
    page = client.get(saved.get_absolute_url())
    assert page.status_code == 200
    assert "8 × NVIDIA H200 SXM 141GB (fp8, expert parallel)" in page.text
    exported = client.get(reverse("calculator:plan-csv", args=[saved.public_id]))
    rows = list(csv.DictReader(io.StringIO(exported.content.decode())))
    assert {row["parallelism"] for row in rows} == {"tensor", "expert"}


def test_the_cli_plans_with_expert_parallelism(capsys):
    call_command(
        "plan",
        "--model=qwen3-30b-a3b",
        "--gpus=h100-sxm",
        "--weights=bf16",
        "--max-gpus-per-replica=2",
        "--parallelism=expert",
        "--json",
    )
    body = json.loads(capsys.readouterr().out)
    assert body["inputs"]["parallelism"] == "expert"
    assert "expert" in {o["parallelism"] for o in body["options"]}
