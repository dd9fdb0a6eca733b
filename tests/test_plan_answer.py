"""/api/plan's answer a team can act on (issue 20): headroom (a target utilization and
N+1), whom to rent from (provider, instance, region, date, price kind; runner-up and
cheapest on spot) and what to run (best.deploy and each option's)."""

from __future__ import annotations

import json

import pytest
import yaml
from django.urls import reverse

from calculator.answers import capacity
from calculator.models import Plan
from calculator.plan_forms import PlanForm

pytestmark = pytest.mark.django_db

# The example (3 requests/s, 2,000/300 tokens, 1 s TTFT, 50 ms TPOT at p95) on
# H100 SXM at up to 2 GPUs per replica: two H100s in fp8 per replica, as the issue saw.
EXAMPLE = {
    "model": "llama-3.1-70b",
    "rate": "3",
    "prompt": "2000",
    "completion": "300",
    "ttft_ms": "1000",
    "tpot_ms": "50",
    "gpus": "h100-sxm",
    "max_gpus_per_replica": "2",
}


@pytest.fixture(scope="module")
def example(django_db_setup, django_db_blocker):
    from django.test import Client

    with django_db_blocker.unblock():
        response = Client().get(reverse("calculator:api-plan"), EXAMPLE)
    assert response.status_code == 200, response.content
    return response.json()


# Section: headroom


def test_the_default_headroom_is_80_percent_without_a_spare(example):
    assert example["headroom"] == {"target_utilization": 0.8, "n_plus_one": False}
    assert example["inputs"]["target_utilization"] == "0.8"
    assert example["inputs"]["n_plus_one"] == "false"
    best = example["best"]
    assert best["utilization"] <= 0.8
    assert best["utilization"] == pytest.approx(
        3 / (best["replicas"] * best["max_rate_per_replica"])
    )
    percent = round(best["utilization"] * 100)
    assert best["utilization_text"] == f"using {percent}% of their capacity, 80% allowed"


def test_n_plus_one_adds_a_spare_replica_and_a_lower_target_more(client, example):
    body = client.get(
        reverse("calculator:api-plan"),
        {**EXAMPLE, "weights": "fp8", "target_utilization": "0.5", "n_plus_one": "true"},
    ).json()
    assert body["headroom"] == {"target_utilization": 0.5, "n_plus_one": True}
    best = body["best"]
    assert (best["gpu"], best["gpus_per_replica"]) == ("h100-sxm", 2)
    # Sized so that with one replica down the rest run at no more than 50%.
    assert 3 / ((best["replicas"] - 1) * best["max_rate_per_replica"]) <= 0.5
    assert best["replicas"] > example["best"]["replicas"]
    assert best["utilization_text"].endswith("50% allowed")


@pytest.mark.parametrize("bad", ["0.05", "1.5", "80", "nan", "x"])
def test_a_target_utilization_out_of_range_is_a_400_naming_it(client, bad):
    response = client.get(reverse("calculator:api-plan"), {**EXAMPLE, "target_utilization": bad})
    assert response.status_code == 400
    assert "target_utilization" in response.json()["errors"]


def test_saved_plans_keep_the_headroom(client):
    form = PlanForm(capacity.with_defaults({**EXAMPLE, "weights": "fp8", "n_plus_one": "on"}))
    saved = capacity.save(form, name="N+1")
    assert isinstance(saved, Plan)
    saved.refresh_from_db()
    assert saved.inputs["n_plus_one"] == "true"
    assert saved.inputs["target_utilization"] == "0.8"
    assert saved.results["headroom"] == {"target_utilization": 0.8, "n_plus_one": True}
    now = capacity.now(saved)
    assert now["now"]["headroom"] == saved.results["headroom"]


def test_a_plan_saved_before_headroom_is_replayed_without_it(client):
    form = PlanForm(capacity.with_defaults({**EXAMPLE, "weights": "fp8"}))
    saved = capacity.save(form, name="Old")
    saved.inputs = {k: v for k, v in saved.inputs.items() if k != "target_utilization"}
    assert capacity.now(saved)["now"]["headroom"]["target_utilization"] == 1.0


# Section: whom to rent from


def test_the_best_says_whom_to_rent_from_dated_or_undated(example):
    best = example["best"]
    assert best["provider"] and best["instance_type"]
    assert "region" in best
    assert best["price_as_of"] == "undated"  # every seeded offer is undated
    assert best["price_kind"] == "on_demand"
    assert best["price_flag"] == ""  # flagged offers are never the default cheapest


def test_the_runner_up_comes_from_another_provider_and_spot_is_priced_at_spot(example):
    best, runner, spot = example["best"], example["runner_up"], example["cheapest_spot"]
    assert runner["meets_targets"] and runner["provider"] != best["provider"]
    assert runner["usd_per_month"] >= best["usd_per_month"]
    assert spot["price_kind"] == "spot" and spot["meets_targets"]


def test_a_flagged_offer_is_used_when_its_provider_is_picked(client):
    body = client.get(
        reverse("calculator:api-plan"),
        {**EXAMPLE, "gpus": "a100-80gb-sxm", "weights": "fp8,bf16", "provider": "mithril"},
    ).json()
    priced = [o for o in body["options"] if o["provider"] == "mithril"]
    assert priced and {o["price_flag"] for o in priced} == {"auction"}


# Section: what to run


def test_the_best_has_a_vllm_command_with_its_tensor_parallel_size(example):
    deploy = example["best"]["deploy"]
    assert example["best"]["gpus_per_replica"] == 2
    assert "--tensor-parallel-size 2" in deploy["command"]
    assert deploy["command"].startswith("vllm serve meta-llama/Llama-3.1-70B")


def test_the_manifest_parses_with_the_plans_replicas_and_gpus_per_replica(example):
    best = example["best"]
    deployment, service = yaml.safe_load_all(best["deploy"]["kubernetes_yaml"])
    assert deployment["kind"] == "Deployment" and service["kind"] == "Service"
    assert deployment["spec"]["replicas"] == best["replicas"]
    (container,) = deployment["spec"]["template"]["spec"]["containers"]
    assert container["resources"]["limits"]["nvidia.com/gpu"] == best["gpus_per_replica"]


def test_every_option_with_replicas_has_its_own_recipe(example):
    with_replicas = [o for o in example["options"] if o["replicas"]]
    assert with_replicas
    for option in with_replicas:
        deployment, _ = yaml.safe_load_all(option["deploy"]["kubernetes_yaml"])
        assert deployment["spec"]["replicas"] == option["replicas"]
        assert f"--tensor-parallel-size {option['gpus_per_replica']}" in option["deploy"]["command"]
    for option in example["options"]:
        if not option["replicas"]:
            assert option["deploy"] is None


def test_the_answer_is_plain_json(example):
    json.dumps(example, allow_nan=False)


# Section: the API comparison (issue 20, item 6, and the break-even fix)


def test_the_break_even_is_against_the_cheapest_same_model_offering(client):
    body = client.get(
        "/api/estimate",
        {
            "model": "llama-3.1-70b",
            "gpu": "h100-sxm",
            "gpus": "2",
            "batch": "8",
            "prompt": "2000",
            "completion": "300",
            "weights": "fp8",
        },
    ).json()
    rows = body["api_comparison"]
    same = [r for r in rows if r["same_model"] and not r["deprecated"]]
    assert same and any(not r["same_model"] for r in rows)
    cheapest = min(same, key=lambda r: r["total_usd"])
    assert body["cost"]["break_even_utilization"] == pytest.approx(
        cheapest["break_even_utilization"]
    )
    # Not the smallest break-even of all (the most expensive API's), as it was.
    smallest = min(r["break_even_utilization"] for r in rows if r["break_even_utilization"])
    assert body["cost"]["break_even_utilization"] > smallest


def test_the_plan_prices_each_api_per_month_and_per_1m_output_tokens(example):
    rows = example["api_comparison"]
    best = example["best"]
    assert rows
    requests = 3 * 730 * 3600
    for row in rows:
        assert row["usd_per_month"] == pytest.approx(
            requests * 300 * row["usd_per_1m_output_tokens"] / 1e6
        )
        assert row["usd_per_month_vs_plan"] == pytest.approx(
            row["usd_per_month"] - best["usd_per_month"]
        )
    assert any(r["same_model"] for r in rows) and any(r["reference"] for r in rows)
    flags = [(r["deprecated"], not r["same_model"]) for r in rows]
    assert flags == sorted(flags)  # current ones first; the same model's before the rest
