"""The serving simulator and its API under arbitrary input, property-based: a result
with finite numbers (None where a figure doesn't exist), or an error naming the field;
never a 500, never NaN or Infinity."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from calculator.estimator import EstimatorInputError, Workload, simulate
from calculator.plan_forms import ServeForm

from .estimator_fixtures import A100_80GB, H100_SXM, LLAMA_2_70B, LLAMA_3_8B, ROUND_ENGINE
from .test_properties import assert_finite, no_constants

PROPERTIES = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])

anything = st.one_of(
    st.integers(-5, 50),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0, 1, 20_001, 1e7, True, None]),
)


@PROPERTIES
@given(
    model=st.sampled_from([LLAMA_3_8B, LLAMA_2_70B]),
    gpu=st.sampled_from([A100_80GB, H100_SXM]),
    gpus=st.sampled_from([1, 2, 4]),
    prompt=st.integers(1, 20_000),
    completion=st.integers(1, 2_000),
    rate=st.one_of(st.floats(0.01, 200), anything),
    concurrency=st.one_of(st.none(), st.integers(1, 300), anything),
    requests=st.one_of(st.integers(1, 40), anything),
    spread=st.sampled_from(["fixed", "uniform", "exponential"]),
)
def test_the_simulator_answers_finite_figures_or_a_named_error(
    model, gpu, gpus, prompt, completion, rate, concurrency, requests, spread
):
    workload = Workload(num_gpus=gpus, prompt_tokens=prompt, completion_tokens=completion)
    try:
        result = simulate(
            model,
            gpu,
            ROUND_ENGINE,
            workload,
            rate=rate,
            concurrency=concurrency,
            requests=requests,
            length_spread=spread,
        )
    except EstimatorInputError as error:
        assert error.field in {"rate", "concurrency", "requests", "num_gpus"}
        return
    assert result.completed + result.rejected == requests
    assert_finite(result.as_dict())


@pytest.mark.django_db
@PROPERTIES
@given(
    values=st.dictionaries(
        st.sampled_from(["rate", "concurrency", "requests", "length_spread", "prompt"]),
        st.one_of(
            st.sampled_from(["", "0", "-1", "nan", "inf", "1e309", "2.5", "3", "fixed", "x"]),
            st.integers(-3, 30).map(str),
        ),
        max_size=4,
    )
)
def test_the_serve_api_answers_finite_json_or_named_errors(values):
    params = {
        "model": "llama-3.1-8b",
        "gpu": "h100-sxm",
        "gpus": "1",
        "prompt": "500",
        "completion": "50",
        "rate": "2",
        "requests": "20",
        **values,
    }
    response = Client(raise_request_exception=False).get(reverse("calculator:api-serve"), params)
    assert response.status_code in (200, 400), response.content[:500]
    body = json.loads(response.content, parse_constant=no_constants)
    if response.status_code == 200:
        assert_finite(body)
    else:
        assert set(body["errors"]) <= set(ServeForm.base_fields) | {"__all__"}
