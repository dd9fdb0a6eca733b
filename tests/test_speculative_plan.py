"""Speculative decoding in the planner (issue 23, lever 2): the capacity search steps
with drafts and verification, /api/plan and /plan/ take the inputs, saved plans and the
CLI keep them, and the recipes pass the engine's flags."""

from __future__ import annotations

import dataclasses
import io
import json

import pytest
from django.core.management import call_command
from django.urls import reverse

from calculator.estimator import Dtype, EstimatorInputError
from calculator.estimator import capacity as K
from calculator.estimator import planner as P
from calculator.models import Plan
from tests.estimator_fixtures import A100_80GB, H100_SXM, LLAMA_2_70B, LLAMA_3_8B, ROUND_ENGINE

# Low load: one replica carries it with or without speculation.
LOW = P.Traffic.at_peak(0.5, 1000, 200)
EASY = P.Targets(ttft_s=1.0, tpot_s=0.05)
# 12 ms a token: one request alone meets it on an A100 at int8 (~9.5 ms), few together.
TIGHT = P.Targets(ttft_s=1.0, tpot_s=0.012)


def plan(traffic=LOW, targets=EASY, gpus=(A100_80GB,), **levers) -> P.PlanResult:
    K.forget_loads()
    asked = dataclasses.replace(traffic, **levers)
    return P.plan(LLAMA_3_8B, list(gpus), ROUND_ENGINE, asked, targets)


@pytest.fixture(scope="module")
def plans():
    return {
        "none": plan(),
        "eagle": plan(speculative="eagle"),
        "zero": plan(speculative="eagle", acceptance_rate=0.0),
    }


def gpus(result: P.PlanResult) -> int:
    return result.best.replicas * result.best.gpus_per_replica


# Section: the estimator's planner


def test_at_low_load_eagle_needs_no_more_gpus_and_streams_faster(plans):
    plain, eagle = plans["none"], plans["eagle"]
    assert gpus(eagle) <= gpus(plain)
    assert eagle.best.usd_per_month <= plain.best.usd_per_month
    # Acceptance 0.8 over 3 drafted tokens: 2.95 tokens a verification, about twice as fast.
    assert eagle.best.tpot_s < plain.best.tpot_s * 0.6


def test_at_acceptance_zero_speculation_is_slower_than_none(plans):
    plain, zero = plans["none"], plans["zero"]
    assert zero.best.tpot_s > plain.best.tpot_s
    assert zero.best.max_rate_per_replica < plain.best.max_rate_per_replica
    assert zero.speculation.alone.speedup < 1
    assert zero.speculation.alone.tokens_per_step == 1


def test_when_the_tpot_target_binds_eagle_serves_more_per_replica():
    # Without speculation only a small batch keeps 12 ms a token; with it a cycle of ~2.95
    # tokens makes room for more. (The capacity bound and the runs' early stop count
    # output tokens, not iterations: counted per iteration, EAGLE found no load at all.)
    plain = plan(targets=TIGHT)
    eagle = plan(targets=TIGHT, speculative="eagle")
    assert plain.best.label == eagle.best.label == "1 x A100 80GB SXM int8"
    assert eagle.best.max_rate_per_replica > 2 * plain.best.max_rate_per_replica


def test_the_tpot_bound_counts_tokens_per_verification():
    # The largest batch within 12 ms a token, by Little's law: a cycle of 2.95 tokens
    # makes room for a larger batch; at acceptance 0 the drafts only add time.
    asked = LOW.workload(num_gpus=1, weights_dtype=Dtype.INT8)

    def bound(**levers) -> float:
        workload = dataclasses.replace(asked, **levers)
        load = K.replica_load(LLAMA_3_8B, A100_80GB, ROUND_ENGINE, workload, TIGHT)
        return K.tpot_bound_rate(load.replica, 200, 1000, TIGHT.tpot_s)

    plain = bound()
    assert bound(speculative="eagle") > 2 * plain
    assert bound(speculative="eagle", acceptance_rate=0.0) < plain


def test_the_plan_says_what_speculation_changed_on_the_best(plans):
    found = plans["eagle"].speculation
    alone = found.alone
    assert alone.method == "eagle"
    assert (alone.num_speculative_tokens, alone.acceptance_rate) == (3, 0.8)
    assert alone.tokens_per_step == pytest.approx((1 - 0.8**4) / 0.2)
    assert alone.speedup > 1.5
    assert found.largest_batch > 1
    assert found.speedup_at_largest_batch < alone.speedup
    assert found.on == plans["eagle"].best.label
    assert found.summary.startswith("EAGLE at acceptance 0.8 (3 drafted tokens, 2.95")
    shown = plans["eagle"].as_dict()["speculative"]
    assert shown["speedup_at_batch_1"] == alone.speedup
    assert plans["none"].speculation is None
    assert plans["none"].as_dict()["speculative"] is None


def test_a_draft_model_takes_memory_from_the_kv_cache():
    plain = P.Traffic.at_peak(0.5, 1000, 200)
    drafted = dataclasses.replace(plain, speculative="draft", draft_model=LLAMA_3_8B)
    a = K.replica_load(LLAMA_2_70B, H100_SXM, ROUND_ENGINE, plain.workload(num_gpus=4), EASY)
    b = K.replica_load(LLAMA_2_70B, H100_SXM, ROUND_ENGINE, drafted.workload(num_gpus=4), EASY)
    # 8B parameters at 2 bytes over 4 GPUs: ~4 GB less for the cache on each.
    assert b.replica.kv_blocks < a.replica.kv_blocks * 0.97


@pytest.mark.parametrize(
    ("levers", "field"),
    [
        ({"speculative": "draft", "draft_model": LLAMA_2_70B}, "draft_model"),
        ({"speculative": "draft"}, "draft_model"),
        ({"acceptance_rate": 0.5}, "acceptance_rate"),
        ({"speculative": "eagle", "num_speculative_tokens": 99}, "num_speculative_tokens"),
        ({"speculative": "beam"}, "speculative"),
    ],
)
def test_the_planner_refuses_bad_combinations_by_field(levers, field):
    with pytest.raises(EstimatorInputError) as caught:
        plan(**levers)
    assert caught.value.field == field


# Section: /api/plan, /plan/, saved plans and the CLI

SMALL = {
    "model": "llama-3.1-8b",
    "rate": "0.5",
    "prompt": "1000",
    "completion": "200",
    "ttft_ms": "1000",
    "tpot_ms": "50",
    "gpus": "h100-sxm",
    "weights": "fp8",
    "max_gpus_per_replica": "1",
}
EAGLE = {**SMALL, "speculative": "eagle", "acceptance_rate": "0.8"}


@pytest.mark.django_db
def test_api_plan_plans_with_eagle_and_passes_the_flags(client):
    response = client.get(reverse("calculator:api-plan"), EAGLE)
    assert response.status_code == 200, response.content
    body = json.loads(response.content)
    assert body["inputs"]["speculative"] == "eagle"
    assert body["inputs"]["acceptance_rate"] == "0.8"
    assert body["speculative"]["method"] == "eagle"
    assert body["speculative"]["speedup_at_batch_1"] > 1
    argv = body["best"]["deploy"]["argv"]
    config = json.loads(argv[argv.index("--speculative-config") + 1])
    assert config["method"] == "eagle" and config["num_speculative_tokens"] == 3


@pytest.mark.django_db
def test_api_plan_post_takes_the_levers_as_json(client):
    body = {**EAGLE, "acceptance_rate": 0.8, "speculative": "mtp"}
    response = client.post(
        reverse("calculator:api-plan"), json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 200, response.content
    assert json.loads(response.content)["speculative"]["method"] == "mtp"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"speculative": "draft", "draft_model": "llama-3.1-70b"}, "draft_model"),
        ({"speculative": "draft"}, "draft_model"),
        ({"speculative": "", "acceptance_rate": "0.5"}, "acceptance_rate"),
        ({"acceptance_rate": "1.5"}, "acceptance_rate"),
        ({"num_speculative_tokens": "17"}, "num_speculative_tokens"),
        ({"speculative": "beam"}, "speculative"),
    ],
)
def test_api_plan_refuses_bad_combinations_with_a_400_naming_the_field(client, change, field):
    response = client.get(reverse("calculator:api-plan"), {**EAGLE, **change})
    assert response.status_code == 400, response.content
    assert field in json.loads(response.content)["errors"]


@pytest.mark.django_db
def test_the_plan_page_shows_the_levers_and_why(client):
    response = client.get(reverse("calculator:plan"), EAGLE)
    page = response.content.decode()
    assert 'id="plan-levers" open' in page
    levers = page[page.index('id="plan-levers"') :]
    assert 'name="speculative"' in levers and 'name="draft_model"' in levers
    assert 'id="plan-speculative"' in page
    assert "EAGLE at acceptance 0.8" in page
    plain = client.get(reverse("calculator:plan"), SMALL).content.decode()
    assert 'id="plan-speculative"' not in plain
    assert 'id="plan-levers" open' not in plain


@pytest.mark.django_db
def test_a_saved_plan_keeps_the_levers(client):
    response = client.post(reverse("calculator:plan-save"), {**EAGLE, "name": "Drafted"})
    assert response.status_code in (200, 302)
    saved = Plan.objects.get(name="Drafted")
    assert saved.inputs["speculative"] == "eagle"
    assert saved.results["speculative"]["method"] == "eagle"
    page = client.get(saved.get_absolute_url()).content.decode()
    assert "EAGLE at acceptance 0.8" in page


@pytest.mark.django_db
def test_the_cli_plans_with_the_levers_and_prints_what_they_changed():
    out = io.StringIO()
    args = ["--model", "llama-3.1-8b", "--gpus", "h100-sxm", "--weights", "fp8"]
    args += ["--max-gpus-per-replica", "1", "--rate", "0.5", "--speculative", "eagle"]
    call_command("plan", *args, stdout=out)
    assert "speculative decoding: EAGLE at acceptance 0.8" in out.getvalue()
