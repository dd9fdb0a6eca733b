"""No 500 from any input (issue 17 item 4): NaN, Infinity, deep nesting, wrong types
anywhere in a pasted config.json, tiny and huge floats on every numeric field. Each
answers 400 (the API) or 200 with the message next to its field (pages), the field
named, on every door the config reaches: the page, its fragments, "Under load", the
estimate API (body and query), the serve API and saving."""

from __future__ import annotations

import copy
import json
import time
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django import forms as django_forms
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from calculator import jsonbody
from calculator.answers.estimate import DEFAULTS
from calculator.estimator.hf_config import ConfigError, model_from_config
from calculator.forms import CUSTOM_MODEL, CalculatorForm
from calculator.plan_forms import PlanForm, ServeForm

CONFIGS = Path(__file__).parent / "data" / "hf_configs"
REAL = {path.stem: json.loads(path.read_text()) for path in sorted(CONFIGS.glob("*.json"))}


# Section: reading JSON


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_json_constants_python_accepts_are_refused(constant):
    with pytest.raises(jsonbody.JsonError, match=f"“hidden_size” is {constant}: not a finite"):
        jsonbody.loads(f'{{"hidden_size": {constant}}}')


@pytest.mark.parametrize("number", ["1e400", "-1e400"])
def test_numbers_beyond_a_float_are_refused(number):
    with pytest.raises(jsonbody.JsonError, match=r"“a\[1\]” is .*: not a finite number"):
        jsonbody.loads(f'{{"a": [1, {number}]}}')


def test_tiny_numbers_and_long_integers_within_limits_read_as_numbers():
    assert jsonbody.loads("[1e-308, 5e-324, 123456789012345678901234567890]") == [
        1e-308,
        5e-324,
        123456789012345678901234567890,
    ]


def test_an_integer_of_thousands_of_digits_is_refused_not_a_500():
    with pytest.raises(jsonbody.JsonError, match="Not valid JSON"):
        jsonbody.loads("9" * 5000)


def test_deep_nesting_is_refused_before_parsing():
    text = "[" * 5000 + "]" * 5000
    start = time.process_time()
    with pytest.raises(jsonbody.JsonError, match="Nested more than 20 levels"):
        jsonbody.loads(text)
    # Counted, not recursed into: the parser never ran (a RecursionError otherwise).
    assert jsonbody.depth(text) == 5000
    assert time.process_time() - start < 1


def test_brackets_inside_strings_do_not_count_as_nesting():
    text = json.dumps({"name": "[[[[" * 100 + '\\"{{{{' * 100, "list": [[1]]})
    assert jsonbody.depth(text) == 3
    assert jsonbody.loads(text)["list"] == [[1]]


def test_the_deepest_real_config_is_well_within_the_limit():
    assert max(jsonbody.depth(json.dumps(c)) for c in REAL.values()) + 1 < jsonbody.MAX_JSON_DEPTH


# Section: hostile configs, unit


def _set(config: dict, path: tuple[str, ...], value) -> dict:
    changed = copy.deepcopy(config)
    target = changed
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return changed


HOSTILE_CONFIGS = {
    "NaN layers": ("llama-3.1-8b", ("num_hidden_layers",), float("nan"), "num_hidden_layers"),
    "Infinity hidden": ("qwen3-8b", ("hidden_size",), float("inf"), "hidden_size"),
    "-Infinity heads": ("mistral-7b", ("num_attention_heads",), -float("inf"), "attention"),
    "huge float": ("llama-3.1-8b", ("hidden_size",), 1e308, "hidden_size"),
    "tiny float": ("llama-3.1-8b", ("hidden_size",), 1e-308, "hidden_size"),
    "list for a number": ("llama-3.1-8b", ("intermediate_size",), [14336], "intermediate_size"),
    "object for a number": ("qwen3-8b", ("vocab_size",), {"n": 1}, "vocab_size"),
    "text for a number": ("qwen3-8b", ("vocab_size",), "151936", "vocab_size"),
    "quantization_config a string": (
        "gpt-oss-20b",
        ("quantization_config",),
        "mxfp4",
        "quantization_config",
    ),
    "quantization_config a list": (
        "gpt-oss-120b",
        ("quantization_config",),
        [1, 2],
        "quantization_config",
    ),
    "vision_config with NaN": (
        "gemma-3-27b",
        ("vision_config", "hidden_size"),
        float("nan"),
        "vision_config.hidden_size",
    ),
    "vision_config a list": ("gemma-3-27b", ("vision_config",), [], "vision_config"),
    "text_config a number": ("gemma-3-27b", ("text_config",), 3, "text_config"),
    "layer_types of numbers": ("gpt-oss-20b", ("layer_types",), [1, 2], "layer_types"),
}


@pytest.mark.parametrize("case", HOSTILE_CONFIGS, ids=list(HOSTILE_CONFIGS))
def test_a_hostile_config_is_a_config_error_naming_the_field(case):
    name, path, value, field = HOSTILE_CONFIGS[case]
    with pytest.raises(ConfigError) as error:
        model_from_config(_set(REAL[name], path, value))
    assert field.split(".")[-1] in error.value.field
    assert field in error.value.message or field.split("_")[0] in error.value.message


# Section: every door the config reaches


def hostile_text(case: str) -> str:
    name, path, value, _ = HOSTILE_CONFIGS[case]
    return json.dumps(_set(REAL[name], path, value))  # NaN and Infinity as Python writes them


DEEP = "[" * 5000 + "]" * 5000
TEXTS = {**{case: hostile_text(case) for case in HOSTILE_CONFIGS}, "5,000 levels deep": DEEP}
PAGE_INPUTS = {key: str(value) for key, value in DEFAULTS.items()} | {"model": CUSTOM_MODEL}


def _page_query(text: str) -> str:
    return urlencode({**PAGE_INPUTS, "model_config": text, "gpus": "8"})


DOORS = {
    "page": lambda client, text: client.post("/", {**PAGE_INPUTS, "model_config": text}),
    "keystroke": lambda client, text: client.post(
        "/", {**PAGE_INPUTS, "model_config": text}, headers={"HX-Request": "true"}
    ),
    "fragment charts": lambda client, text: client.get(f"/fragments/charts?{_page_query(text)}"),
    "fragment gpus": lambda client, text: client.get(
        f"/fragments/gpu-comparison?{_page_query(text)}"
    ),
    "fragment apis": lambda client, text: client.get(f"/fragments/apis?{_page_query(text)}"),
    "fragment trace": lambda client, text: client.get(f"/fragments/trace?{_page_query(text)}"),
    "under load": lambda client, text: client.get(f"/under-load/?{_page_query(text)}&rate=1"),
    "api estimate body": lambda client, text: client.post(
        "/api/estimate",
        f'{{"model": {text}, "gpu": "h100-sxm", "gpus": 8, "batch": 1, '
        '"prompt": 100, "completion": 10}',
        content_type="application/json",
    ),
    "api estimate query": lambda client, text: client.get(f"/api/estimate?{_page_query(text)}"),
    "api serve": lambda client, text: client.get(
        "/api/serve?"
        + urlencode(
            {**PAGE_INPUTS, "model_config": text, "gpus": "8", "rate": "1", "requests": "20"}
        )
        .replace("batch=1&", "")
        .replace("seq_len=&", "")
    ),
    "save": lambda client, text: client.post(
        "/scenarios/save", {**PAGE_INPUTS, "model_config": text, "name": "hostile"}
    ),
}


def _named(case: str) -> str:
    """What the message must name: the field at fault, or the nesting."""
    return HOSTILE_CONFIGS[case][3].split(".")[-1] if case in HOSTILE_CONFIGS else "Nested"


def _assert_refused_by_name(door: str, response, case: str) -> None:
    assert response.status_code != 500
    if door.startswith("api"):
        assert response.status_code == 400, response.content[:300]
        errors = response.json()["errors"]
        # The config's own field, under the parameter that carried it; nesting too deep
        # is the body's fault as a whole.
        deep_body = case not in HOSTILE_CONFIGS and door == "api estimate body"
        where = {"__all__"} if deep_body else {"model", "model_config"}
        assert where & set(errors), errors
        messages = " ".join(sum((errors.get(key, []) for key in where), []))
    else:
        assert response.status_code == 200
        messages = response.content.decode()
    assert _named(case) in messages, messages[:2000]


@pytest.mark.django_db
@pytest.mark.parametrize("door", DOORS)
@pytest.mark.parametrize("case", TEXTS)
def test_a_hostile_config_answers_with_the_field_named_on_every_door(client, door, case):
    response = DOORS[door](client, TEXTS[case])
    _assert_refused_by_name(door, response, case)


@pytest.mark.django_db
@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity", "1e999"])
def test_a_json_body_with_nan_or_infinity_anywhere_is_a_400(client, constant):
    for body in (
        f'{{"model": "llama-3.1-8b", "gpu": "h100-sxm", "gpus": {constant}}}',
        f'{{"model": {{"model_type": "llama", "hidden_size": {constant}}}}}',
        f'{{"model": "llama-3.1-8b", "extra": [[{constant}]]}}',
    ):
        response = client.post("/api/estimate", body, content_type="application/json")
        assert response.status_code == 400
        assert "errors" in response.json()


@pytest.mark.django_db
def test_a_deeply_nested_json_body_is_a_400_not_a_recursion_error(client):
    response = client.post("/api/estimate", DEEP, content_type="application/json")
    assert response.status_code == 400
    assert "Nested more than" in response.json()["errors"]["__all__"][0]


# Section: a property over hostile configs built from the real ones


HOSTILE_VALUES = st.sampled_from(
    [
        float("nan"),
        float("inf"),
        -float("inf"),
        1e308,
        -1e308,
        1e-308,
        5e-324,
        -1,
        0,
        10**30,
        True,
        None,
        "",
        "x",
        [],
        [1, 2],
        {},
        {"a": float("nan")},
    ]
)


def _paths(value, prefix=()) -> list[tuple]:
    """Every key path in a config, nested objects included."""
    found = []
    if isinstance(value, dict):
        for key, inner in value.items():
            found.append((*prefix, key))
            found.extend(_paths(inner, (*prefix, key)))
    return found


@st.composite
def hostile_configs(draw) -> str:
    config = REAL[draw(st.sampled_from(sorted(REAL)))]
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(_paths(config)))
        config = _set(config, path, draw(HOSTILE_VALUES))
    return json.dumps(config)


CHEAP_DOORS = ["keystroke", "api estimate body", "api estimate query", "save"]


@pytest.mark.django_db
@settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(text=hostile_configs(), door=st.sampled_from(CHEAP_DOORS))
def test_any_hostile_config_gets_an_answer_or_a_named_error_never_a_500(client, text, door):
    response = DOORS[door](client, text)
    assert response.status_code in (200, 302, 400), response.content[:500]
    if response.status_code == 400:
        assert response.json()["errors"]


# Section: tiny and huge numbers on every numeric field


NUMERIC = (django_forms.IntegerField, django_forms.FloatField, django_forms.DecimalField)
EXTREMES = ["1e-308", "5e-324", "-1e-308", "1e308", "1.7976931348623157e308", "-0", "1e-7"]


def _numeric_fields(form_class) -> list[str]:
    return [name for name, f in form_class.base_fields.items() if isinstance(f, NUMERIC)]


SERVE_BASE = {
    "model": "llama-3.1-8b",
    "gpu": "h100-sxm",
    "gpus": "1",
    "prompt": "100",
    "completion": "10",
    "rate": "1",
    "requests": "20",
}
PLAN_BASE = {
    "model": "llama-3.1-8b",
    "gpus": "h100-sxm",
    "weights": "fp8",
    "max_gpus_per_replica": "1",
    "rate": "1",
    "prompt": "100",
    "completion": "10",
    "ttft_ms": "1000",
    "tpot_ms": "100",
}
ESTIMATE_BASE = {**SERVE_BASE, "batch": "1"}
del ESTIMATE_BASE["rate"], ESTIMATE_BASE["requests"]


def _cases():
    for url, form_class, base in (
        ("/api/estimate", CalculatorForm, ESTIMATE_BASE),
        ("/api/serve", ServeForm, SERVE_BASE),
        ("/api/plan", PlanForm, PLAN_BASE),
    ):
        for field in _numeric_fields(form_class):
            if url == "/api/estimate" and field == "batch":
                continue
            for value in EXTREMES:
                yield pytest.param(url, base, field, value, id=f"{url}-{field}={value}")


@pytest.mark.django_db
@pytest.mark.parametrize(("url", "base", "field", "value"), list(_cases()))
def test_a_tiny_or_huge_number_answers_200_or_a_400_naming_the_field(
    client, url, base, field, value
):
    query = {**base, field: value}
    if field == "concurrency" or field == "requests_per_day":
        query.pop("rate", None)
    response = client.get(f"{url}?{urlencode(query)}")
    assert response.status_code in (200, 400), response.content[:300]
    if response.status_code == 400:
        assert field in response.json()["errors"] or "rate" in response.json()["errors"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "shape",
    [
        {"prompt": "1", "completion": "1"},  # one-token answers: no time per output token
        {"model": "llama-3.1-405b", "gpu": "a100-80gb-sxm", "gpus": "16", "prompt": "100000"},
    ],
)
def test_under_load_with_no_latency_to_chart_is_not_a_500(client, shape):
    query = {**{k: str(v) for k, v in DEFAULTS.items()}, **shape}
    response = client.get("/under-load/?" + urlencode(query))
    assert response.status_code == 200
