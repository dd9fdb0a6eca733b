"""The serving simulator, the planner and the serve API under arbitrary input,
property-based: a result with finite numbers (None where a figure doesn't exist), or an
error naming the field; never a 500, never NaN or Infinity. Tiny and huge floats
included: a rate of 1e-308 once overflowed the arrival times (IndexError)."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from calculator.estimator import Dtype, EstimatorInputError, Workload, simulate
from calculator.estimator import planner as P
from calculator.plan_forms import ServeForm

from .estimator_fixtures import A100_80GB, H100_SXM, LLAMA_2_70B, LLAMA_3_8B, ROUND_ENGINE
from .test_properties import assert_finite, no_constants

PROPERTIES = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# The ends of the doubles: subnormal, the least normal, around the simulator's least
# rate, and the largest.
EXTREMES = [5e-324, 1e-308, 1e-300, 1e-9, 9.99e-7, 1e-6, 1e300, 1.7976931348623157e308]
extreme = st.one_of(
    st.sampled_from(EXTREMES),
    st.sampled_from(EXTREMES).map(lambda x: -x),
    st.floats(allow_nan=True, allow_infinity=True),
)
anything = st.one_of(
    st.integers(-5, 50),
    extreme,
    st.sampled_from([0, 1, 20_001, 1e7, True, None, 2**64]),
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
    odd=st.dictionaries(
        st.sampled_from(["gpus", "prompt", "completion", "warmup", "seed"]), anything, max_size=2
    ),
)
def test_the_simulator_answers_finite_figures_or_a_named_error(
    model, gpu, gpus, prompt, completion, rate, concurrency, requests, spread, odd
):
    gpus, prompt = odd.get("gpus", gpus), odd.get("prompt", prompt)
    completion = odd.get("completion", completion)
    extra = {key: odd[key] for key in ("warmup", "seed") if key in odd}
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
            **extra,
        )
    except EstimatorInputError as error:
        fields = {"rate", "concurrency", "requests", "num_gpus", "prompt_tokens"}
        assert error.field in fields | {"completion_tokens", "warmup", "seed"}
        return
    assert result.completed + result.rejected == requests
    assert_finite(result.as_dict())


def test_a_rate_below_the_least_is_refused_by_name():
    workload = Workload(num_gpus=1, prompt_tokens=100, completion_tokens=10)
    for rate in (1e-308, 5e-324, 9.99e-7):
        with pytest.raises(EstimatorInputError) as error:
            simulate(LLAMA_3_8B, H100_SXM, ROUND_ENGINE, workload, rate=rate, requests=5)
        assert error.value.field == "rate"
    served = simulate(LLAMA_3_8B, H100_SXM, ROUND_ENGINE, workload, rate=1e-6, requests=5)
    alone = simulate(LLAMA_3_8B, H100_SXM, ROUND_ENGINE, workload, concurrency=1, requests=1)
    # Requests that rare never meet: each is served as if alone.
    assert served.ttft_s.p50 == pytest.approx(alone.ttft_s.p50, rel=1e-6)
    assert served.tpot_s.p50 == pytest.approx(alone.tpot_s.p50, rel=1e-6)


# The planner: one GPU and one precision, so that each example is quick.
PLAN_FIELDS = {"rate", "requests_per_day", "prompt", "completion", "ttft_ms", "tpot_ms"}


@PROPERTIES
@given(
    per_day=st.booleans(),
    rate=st.one_of(st.floats(0.05, 50), extreme),
    factor=st.one_of(st.floats(1, 100), extreme),
    prompt=st.one_of(st.integers(1, 4000), st.sampled_from([0, -1, 10_485_760, 2**64, 2.5])),
    completion=st.one_of(st.integers(1, 400), st.sampled_from([0, 10_485_761, 1e308])),
    ttft_s=st.one_of(st.floats(0.05, 5), extreme),
    tpot_s=st.one_of(st.floats(0.005, 0.2), extreme),
    max_gpus=st.one_of(st.sampled_from([1, 2]), st.sampled_from([0, 65, 2**64, 1.5, 1e308])),
)
def test_the_planner_answers_finite_figures_or_a_named_error(
    per_day, rate, factor, prompt, completion, ttft_s, tpot_s, max_gpus
):
    if per_day:
        traffic = P.Traffic.per_day(rate * 86_400, factor, prompt, completion)
    else:
        traffic = P.Traffic.at_peak(rate, prompt, completion)
    try:
        result = P.plan(
            LLAMA_3_8B,
            [H100_SXM],
            ROUND_ENGINE,
            traffic,
            P.Targets(ttft_s, tpot_s),
            weights=[Dtype.FP8],
            max_gpus_per_replica=max_gpus,
        )
    except EstimatorInputError as error:
        assert error.field in PLAN_FIELDS | {"max_gpus_per_replica"}
        return
    assert result.options
    assert_finite(result.as_dict())


@pytest.mark.parametrize(
    ("traffic", "field"),
    [
        (P.Traffic.at_peak(1e-308, 500, 50), "rate"),
        (P.Traffic.per_day(1e-308, 1.0, 500, 50), "requests_per_day"),
        (P.Traffic.per_day(0.05, 1.0, 500, 50), "requests_per_day"),
        (P.Traffic.per_day(1e12, 100.0, 500, 50), "requests_per_day"),
    ],
)
def test_the_planner_refuses_a_traffic_it_cannot_simulate_by_the_field_given(traffic, field):
    with pytest.raises(EstimatorInputError) as error:
        P.plan(LLAMA_3_8B, [H100_SXM], ROUND_ENGINE, traffic, P.Targets(1.0, 0.05))
    assert error.value.field == field


def test_the_planner_plans_the_least_rate_as_requests_alone():
    result = P.plan(
        LLAMA_3_8B,
        [H100_SXM],
        ROUND_ENGINE,
        P.Traffic.per_day(0.1, 10.0, 500, 50),
        P.Targets(1.0, 0.05),
        weights=[Dtype.FP8],
        max_gpus_per_replica=1,
    )
    assert result.best.replicas == 1
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


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("endpoint", "change", "field"),
    [
        ("calculator:api-serve", {"rate": "1e-308"}, "rate"),
        ("calculator:api-plan", {"rate": "1e-308"}, "rate"),
        ("calculator:api-plan", {"rate": "", "requests_per_day": "1e-308"}, "requests_per_day"),
    ],
)
def test_tiny_rates_answer_400_naming_the_field(client, endpoint, change, field):
    if endpoint.endswith("plan"):
        params = {"gpus": "h100-sxm", "ttft_ms": "1000", "tpot_ms": "50"}
    else:
        params = {"gpu": "h100-sxm", "gpus": "1", "requests": "20"}
    params.update(model="llama-3.1-8b", prompt="500", completion="50", **change)
    response = client.get(reverse(endpoint), params)
    assert response.status_code == 400, response.content[:300]
    assert field in json.loads(response.content)["errors"]
