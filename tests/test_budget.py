"""Every accepted request is bounded (issue 17 item 1): the work budget of the simulator
and the planner, measured from the inputs, and the 400 (API) or field error (pages)
naming the input to lower beyond it."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from urllib.parse import urlencode

import pytest

from calculator.answers import capacity
from calculator.estimator import budget
from calculator.estimator.serving import DEFAULT_REQUESTS
from calculator.limits import MAX_GPUS_PER_REPLICA, MAX_REQUESTS, MAX_TOKENS
from calculator.models import Plan
from calculator.plan_forms import PlanForm, ServeForm

VLLM_BUDGET = 8192  # vLLM's max_num_batched_tokens, the seeded engine's

# Section: the measure


def test_a_request_costs_itself_its_prompt_chunks_and_a_recompute_per_output_block():
    # 2,000 + 300 tokens at 8,192 a step: 1 + 1 chunk + 19 blocks x 1 chunk.
    assert budget.request_work(2000, 300, VLLM_BUDGET) == 21
    # 20,000 + 100: 3 chunks of prompt; 7 blocks, each a 3-chunk recompute.
    assert budget.request_work(20_000, 100, VLLM_BUDGET) == 1 + 3 + 7 * 3
    assert budget.simulation_work(1000, 2000, 300, VLLM_BUDGET) == 21_000


@pytest.mark.parametrize("grow", ["requests", "prompt", "completion"])
def test_work_never_falls_as_an_input_grows(grow):
    inputs = {"requests": 10, "prompt": 100, "completion": 10}
    previous = 0
    for value in (1, 7, 16, 17, 8191, 8192, 8193, 100_000, MAX_TOKENS):
        work = budget.simulation_work(**{**inputs, grow: value}, token_budget=VLLM_BUDGET)
        assert work >= previous
        previous = work


def test_plan_work_is_options_times_chunks():
    assert budget.planning_work(124, 2000, 300, VLLM_BUDGET) == 124
    assert budget.planning_work(124, 16_000, 300, VLLM_BUDGET) == 248


# Section: the limits against real questions and the issue's attacks


def test_real_simulations_are_within_the_budget():
    budget.check_simulation(DEFAULT_REQUESTS, 2000, 300, VLLM_BUDGET)
    budget.check_simulation(MAX_REQUESTS, 2000, 300, VLLM_BUDGET)  # the API's most
    budget.check_simulation(DEFAULT_REQUESTS, 8000, 1000, VLLM_BUDGET)
    budget.check_simulation(1, MAX_TOKENS, 1, VLLM_BUDGET)  # one 10M-token prompt


def test_the_issues_fifty_minute_simulation_is_refused_naming_requests_and_the_most():
    with pytest.raises(budget.WorkBudgetError) as error:
        budget.check_simulation(MAX_REQUESTS, MAX_TOKENS, 100, VLLM_BUDGET)
    assert error.value.field == "requests"
    most = budget.MAX_SIMULATION_WORK // budget.request_work(MAX_TOKENS, 100, VLLM_BUDGET)
    assert f"at most {most:,} requests" in error.value.message
    assert f"{budget.MAX_SIMULATION_WORK:,}" in error.value.message
    budget.check_simulation(most, MAX_TOKENS, 100, VLLM_BUDGET)  # the most it names passes


def test_a_single_request_over_the_budget_names_its_longer_length():
    with pytest.raises(budget.WorkBudgetError) as error:
        budget.check_simulation(1, 1000, MAX_TOKENS, VLLM_BUDGET)
    assert error.value.field == "completion"
    with pytest.raises(budget.WorkBudgetError) as error:
        budget.check_simulation(1, MAX_TOKENS, MAX_TOKENS // 2, VLLM_BUDGET)
    assert error.value.field == "prompt"


def test_the_example_plan_and_its_long_prompt_variant_are_within_the_budget():
    budget.check_planning(124, 2000, 300, VLLM_BUDGET, max_gpus_per_replica=8)
    budget.check_planning(124, 16_000, 300, VLLM_BUDGET, max_gpus_per_replica=8)


def test_the_issues_931_option_plan_is_refused_naming_gpus_per_replica():
    with pytest.raises(budget.WorkBudgetError) as error:
        budget.check_planning(931, 2000, 300, VLLM_BUDGET, max_gpus_per_replica=64)
    assert error.value.field == "max_gpus_per_replica"
    assert "931 options" in error.value.message
    with pytest.raises(budget.WorkBudgetError) as error:
        budget.check_planning(931, 2000, 300, VLLM_BUDGET, max_gpus_per_replica=8)
    assert error.value.field == "gpus"


# Section: every door


@pytest.mark.django_db
def test_the_example_plan_is_accepted():
    form = PlanForm(capacity.DEFAULTS)
    assert form.is_valid(), form.errors


WIDEST_PLAN = {
    **capacity.DEFAULTS,
    "weights": "fp32,fp16,bf16,fp8,int8,int4,fp4",
    "max_gpus_per_replica": str(MAX_GPUS_PER_REPLICA),
}


@pytest.mark.django_db
def test_the_api_refuses_the_widest_plan_with_a_400_naming_the_input(client):
    response = client.get("/api/plan?" + urlencode(WIDEST_PLAN))
    assert response.status_code == 400
    message = response.json()["errors"]["max_gpus_per_replica"][0]
    assert "Too much to plan" in message and f"{budget.MAX_PLANNING_WORK:,}" in message


@pytest.mark.django_db
def test_the_plan_page_shows_the_budget_error_next_to_the_field(client):
    response = client.get("/plan/?" + urlencode(WIDEST_PLAN), headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "Too much to plan" in response.text


SERVE = {
    "model": "llama-3.1-8b",
    "gpu": "h100-sxm",
    "gpus": "1",
    "prompt": str(MAX_TOKENS),
    "completion": "100",
    "rate": "1",
    "requests": str(MAX_REQUESTS),
}


@pytest.mark.django_db
def test_the_api_refuses_the_issues_serve_request_naming_requests(client):
    response = client.get("/api/serve?" + urlencode(SERVE))
    assert response.status_code == 400
    assert "Simulate at most" in response.json()["errors"]["requests"][0]


@pytest.mark.django_db
def test_under_load_counts_its_chart_in_the_budget(client):
    # Lengths whose 1,000 + 2,400 chart requests are over the budget, though one run of
    # 1,000 is not.
    per_request = budget.request_work(40_000, 4_000, VLLM_BUDGET)
    assert DEFAULT_REQUESTS * per_request <= budget.MAX_SIMULATION_WORK
    query = {**SERVE, "prompt": "40000", "completion": "4000", "gpus": "8", "rate": ""}
    query.update(engine="vllm", weights="fp16", parallelism="tensor")
    del query["requests"]
    form = ServeForm(query)
    form.is_valid()
    assert "requests" not in form.errors  # 1,000 requests alone are within the budget

    response = client.get("/under-load/?" + urlencode(query))
    assert response.status_code == 200
    assert "Too much to simulate" in response.text


@pytest.mark.django_db
def test_saved_vs_now_names_the_budget_problem_instead_of_planning(client):
    plan = Plan.objects.create(
        inputs=dict(WIDEST_PLAN),
        results={"options": [], "best": None},
        snapshot={},
        estimator_version="0",
    )
    response = client.get(f"/p/{plan.public_id}/now")
    assert response.status_code == 200
    assert "Too much to plan" in response.text


# Section: the benchmark's questions


def _bench_questions() -> dict[str, dict[str, str]]:
    """bench/planner.py's planning questions (bench/ is not a package: its modules import
    each other from their own folder)."""
    bench = Path(__file__).resolve().parent.parent / "bench"
    sys.path.insert(0, str(bench))
    try:
        spec = importlib.util.spec_from_file_location("bench_planner", bench / "planner.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(bench))
    return module.QUESTIONS


BENCH_QUESTIONS = _bench_questions()


class PassedTheGuard(Exception):
    """Raised in place of planning, once the work budget let the plan through."""


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(BENCH_QUESTIONS))
def test_each_planner_bench_question_passes_the_work_budget(name, monkeypatch):
    # The bench times these questions; one over the budget gets a field error instead
    # of a plan, as several did for a while without a test noticing.
    form = PlanForm({**capacity.DEFAULTS, **BENCH_QUESTIONS[name]})
    assert form.is_valid(), form.errors
    guard = budget.check_planning

    def check_then_stop(*args, **kwargs):
        guard(*args, **kwargs)  # raises WorkBudgetError over the budget
        raise PassedTheGuard

    monkeypatch.setattr(budget, "check_planning", check_then_stop)
    with pytest.raises(PassedTheGuard):
        refused = capacity.answer(form)
        pytest.fail(f"{name} did not reach the plan: {refused.errors}")
