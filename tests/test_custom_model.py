"""A custom model on the calculator page: paste a config.json, get the estimate, save it
as a scenario whose snapshot keeps the config, and share it by permalink."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from calculator.answers.estimate import DEFAULTS, answer
from calculator.forms import CUSTOM_MODEL, CalculatorForm
from calculator.models import LlmModel, Scenario

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}
CONFIGS = Path(__file__).parent / "data" / "hf_configs"


def config_text(name: str) -> str:
    return (CONFIGS / f"{name}.json").read_text()


def custom_inputs(name: str = "gemma-3-27b", **changes) -> dict[str, str]:
    data = {key: str(value) for key, value in DEFAULTS.items()}
    data.update(model=CUSTOM_MODEL, model_config=config_text(name), gpu="h100-sxm", gpus="1")
    data.update(changes)
    return data


def test_the_model_choice_offers_a_custom_config(client):
    html = client.get("/").content.decode()
    assert f'<option value="{CUSTOM_MODEL}">Custom… (paste config.json)</option>' in html
    assert 'name="model_config"' in html
    assert "calc-custom-model" in html


def test_a_pasted_config_is_estimated_like_its_catalog_entry():
    custom = CalculatorForm(custom_inputs())
    assert custom.is_valid(), custom.errors
    catalog = CalculatorForm({**custom_inputs(), "model": "gemma-3-27b", "model_config": ""})
    assert catalog.is_valid(), catalog.errors
    assert custom.cleaned_data["model"].to_spec().extra_params == (
        LlmModel.objects.get(slug="gemma-3-27b").extra_params
    )
    a, b = answer(custom).estimate, answer(catalog).estimate
    assert a.memory == b.memory and a.decode == b.decode and a.total_params == b.total_params


def test_the_results_name_the_custom_model_and_its_warnings(client):
    response = client.post("/", custom_inputs(), headers=HTMX)
    html = response.content.decode()
    assert "gemma-3-27b (config.json)" not in html  # no _name_or_path: a generic name
    assert "Custom model (config.json)" in html
    assert "vocab_size=262208" in html  # what the config left to transformers' defaults
    assert 'id="verdict"' in html


def test_the_pushed_url_carries_the_config_and_reproduces_the_page(client):
    response = client.post("/", custom_inputs("qwen3-8b"), headers=HTMX)
    url = response["HX-Push-Url"]
    query = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
    assert query["model"] == CUSTOM_MODEL
    assert json.loads(query["model_config"]) == json.loads(config_text("qwen3-8b"))
    page = client.get(url).content.decode()
    assert 'id="verdict"' in page


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Paste a config.json"),
        ("{not json", "Not valid JSON"),
        ('{"model_type": "llama", "hidden_size": 4096}', "num_attention_heads"),
    ],
)
def test_a_bad_config_is_an_error_on_the_config_field(client, text, message):
    response = client.post("/", custom_inputs(model_config=text), headers=HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert message in html
    assert 'id="id_model_config_error"' in html


def test_a_custom_model_is_saved_with_its_config_and_its_permalink_works(client):
    data = {**custom_inputs("gpt-oss-20b"), "name": "gpt-oss from its config", "notes": ""}
    response = client.post(reverse("calculator:scenario-save"), data)
    scenario = Scenario.objects.get()
    assert response.status_code == 302
    assert scenario.llm_model is None
    assert scenario.inputs["model"] == CUSTOM_MODEL
    assert scenario.snapshot["model"]["config"] == json.loads(config_text("gpt-oss-20b"))
    assert scenario.snapshot["model"]["expert_format"] == "mxfp4"
    page = client.get(scenario.get_absolute_url())
    html = page.content.decode()
    assert page.status_code == 200
    assert "Custom model (config.json)" in html
    # Today's estimator gives the same figures: nothing to report as changed.
    assert "no longer offered" not in html
    assert page.context["now"]["differs"] is False
    assert page.context["now"]["changes"] == []
    recalculate = client.get(page.context["recalculate_url"])
    assert 'id="verdict"' in recalculate.content.decode()
