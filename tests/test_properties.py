"""Bad input, property-based: whatever arrives, a clear error naming the field or a
correct result; never a 500, never NaN or Infinity in the output.

Hypothesis drives the estimator (arbitrary Workload values), the CalculatorForm, the
JSON API (arbitrary query strings), the calculator page and the save endpoint (hostile,
non-ASCII and very long names and notes). Examples are kept moderate so the suite stays
fast.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.html import escape
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from calculator.answers.estimate import answer
from calculator.answers.shared import ESTIMATOR_FIELDS, FieldErrors
from calculator.estimator import (
    Dtype,
    EstimatorInputError,
    Parallelism,
    Workload,
    estimate,
)
from calculator.forms import CalculatorForm
from calculator.models import EngineProfile, GpuType, LlmModel, Scenario
from calculator.plan_forms import LEVER_FIELDS

from .estimator_fixtures import (
    A100_80GB,
    GPT_35,
    H100_SXM,
    L4,
    LLAMA_2_7B,
    LLAMA_2_70B,
    LLAMA_3_2_1B,
    LLAMA_3_8B,
    MIXTRAL_8X7B,
    QWEN_2_5_7B,
    ROUND_ENGINE,
)

PROPERTIES = settings(
    max_examples=75,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)

WORKLOAD_FIELDS = {"num_gpus", "batch_size", "prompt_tokens", "completion_tokens", "seq_len"}
WORKLOAD_FIELDS |= {"gpu_hourly_usd", "gpu", "model"}
WORKLOAD_FIELDS |= {"parallelism"}  # expert parallelism on a dense model

# NaN or Infinity as a word in text output ("nan GB", "inf s"), not "infinity-fabric".
NON_FINITE_TEXT = re.compile(r"(?<![\w-])(nan|-?inf|-?infinity)(?![\w-])", re.IGNORECASE)


def assert_finite(value, path: str = "") -> None:
    """Every number finite and no "nan"/"inf" in any string, however deep."""
    if isinstance(value, float):
        assert math.isfinite(value), f"{path} = {value}"
    elif isinstance(value, str):
        assert not NON_FINITE_TEXT.search(value), f"{path} = {value!r}"
    elif isinstance(value, dict):
        for key, item in value.items():
            assert_finite(item, f"{path}.{key}")
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            assert_finite(item, f"{path}[{index}]")


def no_constants(name: str):
    raise AssertionError(f"{name} in JSON")


# Strategies

# Integers anywhere, with the edges of every limit close at hand.
EDGES = [0, 1, 2, 1024, 1025, 65_536, 65_537, 10_485_760, 10_485_761, 20_971_521]
counts = st.one_of(
    st.integers(-5, 300),
    st.sampled_from(EDGES),
    st.integers(-(2**70), 2**70),
)
# What a careless caller might put where a count goes.
not_counts = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([2.5, 1.0, True, False]),
)
prices = st.one_of(
    st.none(),
    st.floats(min_value=0, max_value=100),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0, 1_000_000, True]),
)


@st.composite
def workloads(draw):
    """A sensible workload with up to three counts replaced by anything at all."""
    values = {
        "num_gpus": draw(st.integers(1, 16)),
        "batch_size": draw(st.none() | st.integers(1, 64)),
        "prompt_tokens": draw(st.integers(1, 8192)),
        "completion_tokens": draw(st.integers(1, 4096)),
        "seq_len": draw(st.none() | st.integers(1, 16_384)),
    }
    for name in draw(st.lists(st.sampled_from(sorted(values)), max_size=3, unique=True)):
        values[name] = draw(st.one_of(counts, not_counts, st.none()))
    return Workload(
        **values,
        weights_dtype=draw(st.sampled_from(list(Dtype))),
        kv_dtype=draw(st.none() | st.sampled_from(list(Dtype))),
        parallelism=draw(st.sampled_from(list(Parallelism))),
        gpu_hourly_usd=draw(prices),
        apis=(GPT_35,),
    )


# Text as it comes in a query string or a form post.
NUMBERS_AS_TEXT = [
    "-1",
    "0",
    "-0",
    "1",
    "2",
    "2.5",
    "3.0",
    "1e3",
    "1e309",
    "-1e309",
    "NaN",
    "nan",
    "sNaN",
    "inf",
    "-inf",
    "Infinity",
    "-Infinity",
    "99999999999999999999999999",
    "0x10",
    " 3 ",
    "1,000",
    "",
    "max",
    "MAX",
    "٣",  # Arabic-Indic three: int() reads it
]
long_text = st.builds(
    lambda char, times: char * times,
    st.characters(codec="utf-8"),
    st.integers(500, 20_000),
)
texts = st.one_of(
    st.sampled_from(NUMBERS_AS_TEXT),
    st.integers(-(10**30), 10**30).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.text(st.characters(codec="utf-8"), max_size=40),
    st.sampled_from(["<script>alert(1)</script>", "' OR 1=1 --", "ünïcødé", "🦙" * 5]),
    long_text,
)
MODELS = ["llama-2-7b", "llama-2-70b", "llama-3.1-8b", "llama-3.1-405b", "mixtral-8x7b"]
GPUS = ["a100-80gb-sxm", "h100-sxm", "l4", "rtx-4090", "mi300x", "gaudi3"]
ENGINES = ["vllm", "sglang", "tensorrt-llm", "llama.cpp", "hf-transformers"]
SLUG_VALUES = {
    "model": MODELS + ["llama-99-1t", "custom"],
    "gpu": GPUS + ["h900"],
    "engine": ENGINES + ["nonsense"],
    "weights": [d.value for d in Dtype] + ["fp12"],
    "kv": [""] + [d.value for d in Dtype] + ["fp12"],
    "parallelism": [p.value for p in Parallelism] + ["expert"],
    "provider": ["", "aws", "gcp", "lambda", "runpod", "vast", "azure"],
    "pricing": ["", "on_demand", "spot", "owned", "reserved"],
}
SEED = {
    "model": "llama-2-70b",
    "gpu": "a100-80gb-sxm",
    "gpus": "2",
    "batch": "1",
    "seq_len": "2048",
    "prompt": "1000",
    "completion": "500",
    "gpu_hourly_usd": "",
    "weights": "fp16",
    "kv": "",
    "engine": "vllm",
    "parallelism": "tensor",
    "provider": "",
    "pricing": "on_demand",
}
FIELDS = list(CalculatorForm.base_fields)


HF_CONFIGS = Path(__file__).parent / "data" / "hf_configs"
CONFIG_TEXTS = [
    "",
    (HF_CONFIGS / "qwen3-30b-a3b.json").read_text(),
    (HF_CONFIGS / "gemma-3-27b.json").read_text(),
    '{"model_type": "llama", "hidden_size": 4096}',
    '{"model_type": "deepseek_v3", "hidden_size": -1}',
    "[]",
    "{",
]
SENSIBLE = {
    "model_config": st.sampled_from(CONFIG_TEXTS),
    "gpus": st.integers(1, 16).map(str),
    "batch": st.one_of(st.just("max"), st.integers(1, 256).map(str)),
    "seq_len": st.one_of(st.just(""), st.integers(1, 200_000).map(str)),
    "prompt": st.integers(1, 100_000).map(str),
    "completion": st.integers(1, 10_000).map(str),
    "gpu_hourly_usd": st.one_of(st.just(""), st.decimals(0, 100, places=2).map(str)),
    # The levers (prefix caching, speculative decoding): empty, typical and edge values.
    "shared_prefix_tokens": st.one_of(st.just(""), st.integers(0, 2_000).map(str)),
    "prefix_hit_rate": st.sampled_from(["", "0", "0.5", "1"]),
    "speculative": st.sampled_from(["", "none", "eagle", "mtp", "draft"]),
    "draft_model": st.sampled_from(["", "llama-3.2-1b"]),
    "num_speculative_tokens": st.one_of(st.just(""), st.integers(1, 16).map(str)),
    "acceptance_rate": st.sampled_from(["", "0", "0.7", "1"]),
    # Owned hardware (pricing=owned): empty, typical and edge values.
    "purchase_usd": st.sampled_from(["", "0", "262800", "10000000"]),
    "gpus_per_server": st.sampled_from(["", "0", "1", "8", "72"]),
    "years": st.sampled_from(["", "0", "3", "10"]),
    "power_kw": st.sampled_from(["", "0", "10"]),
    "pue": st.sampled_from(["", "0.9", "1.58", "3"]),
    "usd_per_kwh": st.sampled_from(["", "0", "0.1"]),
    "hosting_usd_per_month": st.sampled_from(["", "0", "730"]),
    **{name: st.sampled_from(values) for name, values in SLUG_VALUES.items()},
}


def field_value(name: str):
    return st.one_of(SENSIBLE[name], texts)


@st.composite
def inputs(draw) -> dict[str, str]:
    """The seed scenario with some fields replaced by arbitrary text and some missing."""
    data = dict(SEED)
    for name in draw(st.lists(st.sampled_from(FIELDS), max_size=4, unique=True)):
        data[name] = draw(field_value(name))
    for name in draw(st.lists(st.sampled_from(FIELDS), max_size=1, unique=True)):
        data.pop(name, None)
    return data


# The estimator


def test_the_estimator_answers_any_workload_with_a_result_or_a_named_error():
    """Both outcomes must occur: a run where every example was refused would check no
    result at all."""
    outcomes: set[str] = set()

    @PROPERTIES
    @given(
        model=st.sampled_from(
            [LLAMA_2_7B, LLAMA_2_70B, LLAMA_3_8B, LLAMA_3_2_1B, MIXTRAL_8X7B, QWEN_2_5_7B]
        ),
        gpu=st.sampled_from([A100_80GB, H100_SXM, L4]),
        workload=workloads(),
    )
    def answers(model, gpu, workload):
        try:
            result = estimate(model, gpu, ROUND_ENGINE, workload)
        except EstimatorInputError as error:
            event(f"error on {error.field}")
            outcomes.add("error")
            assert error.field in WORKLOAD_FIELDS
            assert error.message
            return
        event("estimate")
        outcomes.add("estimate")
        assert_finite(result.as_dict())
        assert result.batch >= 1
        assert result.memory.total_bytes_per_gpu > 0

    answers()
    assert outcomes == {"estimate", "error"}


@pytest.mark.parametrize("value", [2.5, 1.0, float("nan"), float("inf"), True])
@pytest.mark.parametrize("field", ["num_gpus", "batch_size", "prompt_tokens", "seq_len"])
def test_the_estimator_rejects_a_non_integer_count_by_name(field, value):
    with pytest.raises(EstimatorInputError) as caught:
        estimate(LLAMA_2_7B, A100_80GB, ROUND_ENGINE, Workload(**{field: value}))
    assert caught.value.field == field


@pytest.mark.parametrize("value", [float("nan"), float("inf"), -1.0, True])
def test_the_estimator_rejects_an_impossible_price_by_name(value):
    with pytest.raises(EstimatorInputError) as caught:
        estimate(LLAMA_2_7B, A100_80GB, ROUND_ENGINE, Workload(gpu_hourly_usd=value))
    assert caught.value.field == "gpu_hourly_usd"


# The form


@pytest.mark.django_db
def test_the_sensible_slugs_exist_so_properties_reach_results():
    assert set(MODELS) <= set(LlmModel.objects.active().values_list("slug", flat=True))
    assert set(GPUS) <= set(GpuType.objects.active().values_list("slug", flat=True))
    assert set(ENGINES) <= set(EngineProfile.objects.active().values_list("slug", flat=True))


@pytest.mark.django_db
def test_the_form_gives_a_field_error_or_an_estimate():
    """Both outcomes must occur, as for the estimator above."""
    outcomes: set[str] = set()

    @PROPERTIES
    @given(data=inputs())
    def answers(data):
        form = CalculatorForm(data)
        if form.is_valid():
            result = answer(form)
            answered = not isinstance(result, FieldErrors)
            event("estimate" if answered else "estimator error")
            if answered:
                outcomes.add("estimate")
                assert_finite(result.estimate.as_dict())
                return
            # The levers' inputs, which the estimator checks against the rest (a prefix
            # longer than the prompt, a draft larger than the model, an input without its
            # method).
            objected = WORKLOAD_FIELDS | set(LEVER_FIELDS)
            assert set(form.errors) <= {ESTIMATOR_FIELDS.get(f, f) for f in objected}
        outcomes.add("error")
        assert form.errors
        assert set(form.errors) <= set(FIELDS) | {"__all__"}
        for messages in form.errors.values():
            assert all(str(message) for message in messages)

    answers()
    assert outcomes == {"estimate", "error"}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("gpus", "NaN"),
        ("gpus", "inf"),
        ("gpus", "2.5"),
        ("gpus", "-1"),
        ("gpus", "0"),
        ("gpus", "1025"),
        ("batch", "Infinity"),
        ("batch", "65537"),
        ("prompt", "1e3"),
        ("completion", "9" * 5000),
        ("gpu_hourly_usd", "NaN"),
        ("gpu_hourly_usd", "-Infinity"),
        ("gpu_hourly_usd", "1001"),
        ("model", "llama-99-1t"),
        ("gpu", "<script>"),
    ],
)
def test_the_form_names_the_field_of_each_bad_value(field, value):
    form = CalculatorForm({**SEED, field: value})
    assert not form.is_valid()
    assert list(form.errors) == [field]


# The JSON API


@pytest.mark.slow
@pytest.mark.django_db
@PROPERTIES
@given(
    data=inputs(),
    extra=st.dictionaries(st.sampled_from(["foo", "gpus[]", "ünï", "<b>"]), texts, max_size=1),
)
def test_the_api_answers_any_query_with_finite_json_or_named_errors(data, extra):
    client = Client(raise_request_exception=False)
    response = client.get(reverse("calculator:api-estimate"), {**data, **extra})
    assert response.status_code in (200, 400), response.content[:500]
    event(f"status {response.status_code}")
    body = json.loads(response.content, parse_constant=no_constants)
    if response.status_code == 200:
        assert not extra
        assert_finite(body)
        return
    errors = body["errors"]
    assert errors
    assert set(errors) <= set(FIELDS) | {"__all__"}
    if extra:
        assert "Unknown parameter" in " ".join(errors["__all__"])


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["NaN", "Infinity", "-inf", "1e309", "2.5", "-3", ""])
def test_the_api_answers_400_naming_gpus_for(client, value):
    response = client.get(reverse("calculator:api-estimate"), {**SEED, "gpus": value})
    assert response.status_code == 400
    assert "gpus" in response.json()["errors"]


# The calculator page


# NaN and Infinity as Python or JavaScript print them, in rendered HTML.
NON_FINITE_HTML = re.compile(r"(?<![\w/.-])-?(nan|NaN|inf|Infinity)(?![\w-])")


@pytest.mark.slow
@pytest.mark.django_db
@PROPERTIES
@given(data=inputs(), htmx=st.booleans())
def test_the_page_answers_any_input_with_results_or_errors_next_to_fields(data, htmx):
    client = Client(raise_request_exception=False)
    headers = {"HX-Request": "true"} if htmx else {}
    response = client.post(reverse("calculator:calculator"), data, headers=headers)
    assert response.status_code == 200, response.content[:500]
    html = response.content.decode().replace("Infinity Fabric", "")
    # What the user typed comes back in the inputs and messages; only check the page's own.
    if not any(NON_FINITE_HTML.search(value) for value in data.values()):
        assert not NON_FINITE_HTML.search(html), NON_FINITE_HTML.search(html)
    form = response.context["form"]
    event("errors" if form.errors else "results")
    for name in form.errors:
        if name != "__all__":
            assert f'id="id_{name}_error"' in html


# Saving a scenario

# Each carries a probe that must never reach the page unescaped.
HOSTILE = [
    '<script>alert("probe-1")</script>',
    '"><img src=x onerror=alert("probe-2")>',
    "</textarea><script>probe-3</script>",
    "<svg onload=probe-4>",
    "{{ probe_5 }} {% debug %}",
    "'; DROP TABLE calculator_scenario; -- probe-6",
    "ünïcødé 🦙 ℒℓ𝕒𝕞𝕒 — «probe-7»",
]
PROBES = [re.compile(r"<script>alert\(\"probe-1"), re.compile(r"<img src=x"), "<svg onload"]
names = st.one_of(
    st.sampled_from(HOSTILE),
    st.builds(lambda a, b: a + b, st.sampled_from(HOSTILE), st.text(max_size=30)),
    st.text(st.characters(codec="utf-8"), max_size=250),
    long_text,
)


def assert_escaped(text: str, html: str) -> None:
    for line in text.splitlines():
        assert escape(line) in html, line
    for probe in PROBES:
        assert not re.search(probe, html), probe


@pytest.mark.slow
@pytest.mark.django_db
@PROPERTIES
@given(data=inputs(), name=names, notes=names, htmx=st.booleans())
def test_saving_keeps_any_name_and_notes_and_shows_them_escaped_or_a_form_error(
    data, name, notes, htmx
):
    client = Client(raise_request_exception=False)
    headers = {"HX-Request": "true"} if htmx else {}
    before = Scenario.objects.count()
    response = client.post(
        reverse("calculator:scenario-save"), {**data, "name": name, "notes": notes}, headers=headers
    )
    assert response.status_code in (200, 302), response.content[:500]
    html = response.content.decode()
    scenario = response.context and response.context.get("saved_scenario")
    if response.status_code == 302 or scenario:
        event("saved")
        scenario = Scenario.objects.order_by("-id").first()
        assert Scenario.objects.count() == before + 1
        assert scenario.name == name.strip()
        assert scenario.notes == notes.strip()
        assert "\0" not in name + notes
        page = client.get(scenario.get_absolute_url())
        assert page.status_code == 200
        assert_escaped(scenario.name, page.content.decode())
        assert_escaped(scenario.notes, page.content.decode())
        listing = client.get(reverse("calculator:scenario-list"))
        assert_escaped(scenario.name, listing.content.decode())
        assert_finite(scenario.results)
        return
    event("form error")
    assert Scenario.objects.count() == before
    errors = {**response.context["form"].errors, **response.context["scenario_form"].errors}
    assert errors
    assert set(errors) <= set(FIELDS) | {"name", "notes", "__all__"}
    for probe in PROBES:
        assert not re.search(probe, html), probe


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("name", ""),
        ("name", "   "),
        ("name", "x" * 201),
        ("name", "null\0byte"),
        ("notes", "n" * 5001),
        ("notes", "null\0byte"),
    ],
)
def test_saving_names_the_field_of_a_bad_name_or_notes(client, field, value):
    data = {**SEED, "name": "A name", "notes": "", field: value}
    response = client.post(reverse("calculator:scenario-save"), data)
    assert response.status_code == 200
    assert list(response.context["scenario_form"].errors) == [field]
    assert not Scenario.objects.exists()
