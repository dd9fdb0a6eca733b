"""The answers layer without HTTP: each question's answer from a bound form (or from the
estimate it builds on), and the estimator's objections as field errors."""

from __future__ import annotations

import json

import pytest

from calculator.answers import (
    api_table,
    batch_charts,
    capacity,
    estimate,
    gpu_comparison,
    serve,
    under_load,
)
from calculator.answers.shared import FieldErrors, PriceChoice, compared_apis, objection
from calculator.estimator import EstimatorInputError, pricing
from calculator.forms import CalculatorForm
from calculator.models import ApiOffering, GpuType, LlmModel
from calculator.plan_forms import PlanForm, ServeForm

pytestmark = pytest.mark.django_db

SMALL = {"model": "llama-3.1-8b", "gpu": "h100-sxm", "gpus": "1", "weights": "bf16"}


def estimated(**changes) -> estimate.Estimated:
    result = estimate.answer(CalculatorForm({**estimate.DEFAULTS, **changes}), trace=True)
    assert isinstance(result, estimate.Estimated), result
    return result


# Section: the estimate


def test_the_estimate_bills_the_price_resolved_once():
    result = estimated()
    assert result.price.basis == pricing.Basis.CHEAPEST_OFFER
    assert result.estimate.cost.usd_per_gpu_hour == result.price.effective_usd_per_gpu_hour
    body = result.as_json()
    assert body["cost"]["offer"] == result.price.as_dict()
    assert body["inputs"] == result.form.inputs()
    assert set(body["confidence"]) >= {"time_to_first_token_seconds"}


def test_a_typed_price_is_billed_as_typed():
    result = estimated(gpu_hourly_usd="2.5")
    assert result.price.basis == pricing.Basis.TYPED
    assert result.estimate.cost.usd_per_hour == pytest.approx(2 * 2.5)
    hint = estimate.price_hint(result.form, result)
    assert hint.basis != pricing.Basis.TYPED  # the field's hint is the price without it


def test_the_estimate_compares_the_models_own_apis_and_the_references_unless_all():
    result = estimated(model="llama-3.3-70b")
    model = LlmModel.objects.get(slug="llama-3.3-70b")
    assert result.offerings
    assert all(o.is_reference or o.llm_model_id == model.pk for o in result.offerings)
    everything = estimate.answer(
        CalculatorForm({**estimate.DEFAULTS, "model": "llama-3.3-70b"}), all_apis=True
    )
    assert len(everything.offerings) == ApiOffering.objects.active().count()


def test_the_estimators_objection_becomes_the_fields_error():
    # Pipeline stages beyond the layers: the form accepts it, the estimator does not.
    form = CalculatorForm({**estimate.DEFAULTS, "gpus": "200", "parallelism": "pipeline"})
    result = estimate.answer(form)
    assert isinstance(result, FieldErrors)
    assert list(result.errors) == ["gpus"]
    assert "layers" in result.errors["gpus"][0]
    assert form.errors["gpus"] == result.errors["gpus"]


def test_invalid_input_is_answered_with_the_forms_errors():
    result = estimate.answer(CalculatorForm({**estimate.DEFAULTS, "prompt": "-1"}))
    assert isinstance(result, FieldErrors) and list(result.errors) == ["prompt"]


def test_a_query_is_filled_from_the_questions_defaults():
    data = estimate.with_defaults({"model": "llama-3.1-8b"})
    assert data["model"] == "llama-3.1-8b" and data["gpu"] == estimate.DEFAULTS["gpu"]
    api = estimate.with_defaults({"model": "x"}, estimate.API_DEFAULTS)
    assert "gpu" not in api and api["engine"] == "vllm"


def test_what_a_scenario_keeps_is_json_with_the_catalog_values_used():
    computed = estimated().computed()
    assert computed.inputs["model"] == estimate.DEFAULTS["model"]
    assert computed.snapshot["price"]["basis"] == "cheapest_offer"
    assert computed.results["estimator_version"] == computed.snapshot["estimator_version"]


# Section: the lazy sections


def test_the_gpu_comparison_prices_a_typed_price_for_the_chosen_gpu_only():
    result = estimated(gpu_hourly_usd="99")
    options = {o.gpu.slug: o for o in gpu_comparison.answer(result)}
    chosen = options["a100-80gb-sxm"]
    assert chosen.current and chosen.price.usd_per_gpu_hour == 99.0
    others = [o for slug, o in options.items() if slug != "a100-80gb-sxm" and o.price]
    assert others and all(o.price.basis != pricing.Basis.TYPED for o in others)
    h100 = GpuType.objects.get(slug="h100-sxm")
    expected = PriceChoice.of({}).price(
        result.form.catalog, h100, options["h100-sxm"].num_gpus, typed=False
    )
    assert options["h100-sxm"].price == expected


def test_the_batch_charts_mark_the_batch_used_and_chart_cost_only_with_a_price():
    charts = batch_charts.answer(estimated(batch="4"))
    assert [chart.slug for chart in charts] == ["throughput", "per-sequence", "cost"]
    assert all(chart.current.label.startswith("batch 4:") for chart in charts)


def test_the_api_table_puts_the_models_own_offerings_first():
    table = api_table.answer(estimated(model="llama-3.3-70b"), all_apis=False)
    groups = [0 if row["same_model"] else 1 for row in table["api_rows"]]
    assert groups == sorted(groups) and 0 in groups
    assert table["api_rows_hidden"] == ApiOffering.objects.active().count() - len(groups)


def test_under_load_defaults_to_a_share_of_the_capacity():
    form = under_load.form({**SMALL, "prompt": "1000", "completion": "200"})
    form.data.update({"engine": "vllm", "parallelism": "tensor"})
    result = under_load.answer(form)
    assert isinstance(result, under_load.UnderLoad)
    assert result.rate == round(result.capacity * under_load.DEFAULT_LOAD_SHARE, 3)
    assert [chart.slug for chart in result.charts] == ["load-ttft", "load-tpot"]


def test_under_load_simulates_the_rate_asked_for():
    query = {**SMALL, "prompt": "1000", "completion": "200", "engine": "vllm"}
    result = under_load.answer(under_load.form({**query, "parallelism": "tensor", "rate": "2.5"}))
    assert result.rate == 2.5 and result.result.completed > 0


def test_under_load_names_the_gpus_when_the_model_does_not_fit():
    query = {**SMALL, "model": "llama-3.1-405b", "prompt": "1000", "completion": "200"}
    form = under_load.form({**query, "engine": "vllm", "parallelism": "tensor"})
    result = under_load.answer(form)
    assert isinstance(result, FieldErrors) and list(result.errors) == ["gpus"]


# Section: the simulator and the planner


def test_serve_needs_a_rate_or_users():
    data = {**estimate.API_DEFAULTS, **SMALL, "prompt": "500", "completion": "100"}
    result = serve.answer(ServeForm(data))
    assert isinstance(result, FieldErrors) and "rate" in result.errors
    served = serve.answer(ServeForm({**data, "rate": "2", "requests": "50"}))
    assert served.as_json()["inputs"]["rate"] == "2"


def test_the_planner_considers_every_priced_gpu_by_default():
    form = PlanForm(capacity.with_defaults(capacity.DEFAULTS))
    assert form.is_valid(), form.errors
    considered = capacity.considered_gpus(form.catalog, [])
    assert considered
    assert all(
        form.catalog.offers_for(gpu) or gpu.hourly_price_usd is not None for gpu in considered
    )


def test_the_plan_compares_the_models_own_apis_and_the_references():
    data = {**capacity.DEFAULTS, "model": "llama-3.1-8b", "gpus": "h100-sxm"}
    result = capacity.answer(PlanForm(data))
    assert isinstance(result, capacity.Planned)
    model = LlmModel.objects.get(slug="llama-3.1-8b")
    apis = compared_apis(result.form.catalog, model)[1]
    assert {row["slug"] for row in result.results["api_comparison"]} == {a.slug for a in apis}
    assert result.snapshot()["gpus"][0]["slug"] == "h100-sxm"


# Section: one mapping of the estimator's objections to fields


@pytest.mark.parametrize(
    ("estimator_field", "form_field"),
    [("num_gpus", "gpus"), ("batch_size", "batch"), ("prompt_tokens", "prompt"), ("x", None)],
)
def test_an_objection_lands_on_the_field_that_takes_the_input(estimator_field, form_field):
    form = CalculatorForm(estimate.DEFAULTS)
    assert form.is_valid()
    errors = objection(form, EstimatorInputError(estimator_field, "No.")).errors
    assert errors == {form_field or "__all__": ["No."]}


def test_a_custom_models_objection_lands_on_its_config():
    config = json.dumps(
        {
            "model_type": "llama",
            "hidden_size": 64,
            "num_hidden_layers": 2,
            "num_attention_heads": 4,
            "intermediate_size": 128,
            "vocab_size": 100,
        }
    )
    form = CalculatorForm({**estimate.DEFAULTS, "model": "custom", "model_config": config})
    assert form.is_valid(), form.errors
    errors = objection(form, EstimatorInputError("model", "Incomplete.")).errors
    assert errors == {"model_config": ["Incomplete."]}
