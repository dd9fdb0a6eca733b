"""Disaggregated prefill/decode through /api/plan, the answer and a saved plan's inputs."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from calculator.answers import capacity
from calculator.plan_forms import PlanForm
from tests.test_plans import PLAN

pytestmark = pytest.mark.django_db

# Prompt-heavy traffic with a tight TPOT: where separate pools pay.
HEAVY = {**PLAN, "model": "llama-3.1-8b", "rate": "20", "prompt": "8000", "completion": "200"}
HEAVY |= {"ttft_ms": "2000", "tpot_ms": "20", "gpus": "h100-sxm", "disaggregated": "true"}


def test_the_api_plans_separate_pools_and_names_them_in_the_recipe(client):
    response = client.get(reverse("calculator:api-plan"), HEAVY)
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["inputs"]["disaggregated"] == "true"
    assert data["disaggregation"]
    split = [o for o in data["options"] if o["disaggregated"]]
    assert split, data["disaggregation"]
    option = split[0]
    for pool in ("prefill", "decode"):
        assert {"gpu", "gpus_per_replica", "replicas", "precision"} <= set(option[pool])
    assert option["kv_transfer"]["link"] in ("nvlink", "network")
    command = option["deploy"]["command"]
    assert "# Prefill pool:" in command and "# Decode pool:" in command
    assert option["deploy"]["pools"]["decode"]["command"]


def test_without_the_option_no_pool_is_planned(client):
    response = client.get(reverse("calculator:api-plan"), {**HEAVY, "disaggregated": "false"})
    data = response.json()
    assert data["disaggregation"] is None
    assert not any(o["disaggregated"] for o in data["options"])


def test_with_an_hourly_profile_it_is_refused_clearly(client):
    query = {k: v for k, v in HEAVY.items() if k != "rate"}
    query["traffic_preset"] = "office_hours"
    query["requests_per_day"] = "100000"
    response = client.get(reverse("calculator:api-plan"), query)
    assert response.status_code == 400
    assert "disaggregated" in response.json()["errors"]


@pytest.mark.parametrize(
    "lever", [{"speculative": "eagle"}, {"model": "deepseek-v3", "parallelism": "expert"}]
)
def test_with_a_lever_its_pools_do_not_model_it_is_refused_clearly(client, lever):
    """The pools are sized analytically without speculative decoding or expert
    parallelism: asked together, the answer says so on `disaggregated`, not silently."""
    response = client.get(reverse("calculator:api-plan"), {**HEAVY, **lever})
    assert response.status_code == 400, response.content
    assert "not yet with expert parallelism or speculative decoding" in " ".join(
        response.json()["errors"]["disaggregated"]
    )


def test_the_page_says_which_won():
    planned = capacity.answer(PlanForm(capacity.with_defaults(HEAVY)))
    assert isinstance(planned, capacity.Planned)
    assert planned.result.disaggregation
    key = capacity.option_key(next(o for o in planned.results["options"] if o["disaggregated"]))
    assert key.startswith("pd:h100-sxm:")


def test_the_planner_page_has_the_checkbox_and_shows_the_pools(client):
    response = client.get(reverse("calculator:plan"), HEAVY)
    assert response.status_code == 200
    text = response.content.decode()
    assert "Consider disaggregated prefill/decode" in text
    assert 'id="plan-disaggregation"' in text
    assert "a prefill pool of" in text and "Prefill" in text


def test_the_short_table_keeps_a_gpus_aggregated_row_beside_its_disaggregated_one():
    planned = capacity.answer(PlanForm(capacity.with_defaults(HEAVY)))
    table = capacity.option_table(planned.results)
    kinds = [(row.option["gpu"], row.option["disaggregated"]) for row in table.short]
    assert ("h100-sxm", True) in kinds and ("h100-sxm", False) in kinds


def test_the_cli_names_the_pools_and_says_which_won():
    out = StringIO()
    args = [f"--{k.replace('_', '-')}={v}" for k, v in HEAVY.items()]
    call_command("plan", *args, stdout=out)
    text = out.getvalue()
    assert "Best: prefill " in text and ", decode " in text
    assert "Disaggregated prefill/decode wins" in text
