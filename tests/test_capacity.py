"""The capacity of one replica: runs that end early, the fast search against the
reference bisection, and what is remembered."""

from __future__ import annotations

import dataclasses
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from calculator.estimator import Workload
from calculator.estimator import capacity as K
from calculator.estimator.scheduler import run_replica
from calculator.estimator.serving import (
    LengthSpread,
    Percentiles,
    Targets,
    draw_requests,
    misses_deciding,
    percentile,
    summarize,
)
from tests.estimator_fixtures import A100_80GB, H100_SXM, LLAMA_2_70B, LLAMA_3_8B, ROUND_ENGINE

W8 = Workload(num_gpus=1, prompt_tokens=1000, completion_tokens=200)
W70 = Workload(num_gpus=4, prompt_tokens=2000, completion_tokens=300)
TARGETS = Targets(ttft_s=1.0, tpot_s=0.05)


@pytest.fixture(autouse=True)
def cold():
    K.forget_loads()
    yield
    K.forget_loads()


def whole_run_verdict(load: K.ReplicaLoad, rate: float) -> tuple[bool, bool]:
    """The verdict of the run at ``rate`` played to the end (no stop rule)."""
    warmup = math.ceil(rate * load.lifetime_s)
    requests = min(
        max(K.SEARCH_MIN_REQUESTS, math.ceil(rate * load.lifetime_s * K.RUN_LIFETIMES)),
        K.SEARCH_MAX_REQUESTS,
    )
    warmup = min(warmup, requests // 2)
    drawn = draw_requests(
        load.workload, rate=rate, requests=requests, spread=LengthSpread.FIXED, seed=K.SEARCH_SEED
    )
    run = run_replica(load.replica, drawn, None)
    result = summarize(load.replica, drawn, run, [], warmup)
    return load.targets.met_by(result)


@pytest.mark.parametrize(
    ("model", "gpu", "workload", "targets"),
    [
        (LLAMA_3_8B, A100_80GB, W8, TARGETS),
        (LLAMA_2_70B, H100_SXM, W70, Targets(ttft_s=0.8, tpot_s=0.06, percentile="p99")),
        (LLAMA_3_8B, H100_SXM, W8, Targets(ttft_s=0.3, tpot_s=0.02, percentile="p50")),
    ],
)
def test_a_run_that_ends_early_gives_the_whole_runs_verdict(model, gpu, workload, targets):
    load = K.replica_load(model, gpu, ROUND_ENGINE, workload, targets)
    stopped = 0
    for share in (0.2, 0.5, 0.8, 0.95, 1.0, 1.05, 1.2, 1.6, 3.0):
        rate = load.bound * share
        trial = load.trial(rate)
        ttft_ok, tpot_ok = whole_run_verdict(load, rate)
        assert trial.ok == (ttft_ok and tpot_ok), rate
        if trial.result is None:  # ended early: the target it named is missed
            stopped += 1
            assert not (ttft_ok if not trial.ttft_ok else tpot_ok)
    assert stopped  # some rates are far enough past capacity to end early


@given(
    values=st.lists(st.floats(0, 10, allow_nan=False), min_size=1, max_size=60),
    limit=st.floats(0, 10, allow_nan=False),
    q=st.sampled_from([50, 90, 95, 99]),
)
def test_the_misses_that_decide_a_percentile_put_it_past_the_limit(values, limit, q):
    misses = sum(v > limit for v in values)
    if misses >= misses_deciding(len(values), q):
        assert percentile(sorted(values), q) > limit


def test_no_values_never_decide_a_percentile():
    assert misses_deciding(0, 95) > 0
    assert math.isnan(Percentiles.of([]).p95)


@pytest.mark.parametrize(
    ("model", "gpu", "workload"),
    [(LLAMA_3_8B, A100_80GB, W8), (LLAMA_2_70B, H100_SXM, W70)],
)
def test_the_fast_search_lands_within_its_tolerance_of_the_reference(model, gpu, workload):
    fast = K.replica_load(model, gpu, ROUND_ENGINE, workload, TARGETS)
    found = fast.capacity()
    runs = fast.simulated
    K.forget_loads()
    slow = K.replica_load(model, gpu, ROUND_ENGINE, workload, TARGETS)
    reference = slow.capacity(K.REFERENCE_TOLERANCE)
    assert found.missed - found.rate <= K.SEARCH_TOLERANCE * found.rate
    assert found.rate == pytest.approx(reference.rate, rel=K.SEARCH_TOLERANCE * 1.5)
    assert found.at_rate.ok
    assert runs < slow.simulated


def test_a_search_that_finds_no_rate_within_the_targets_gives_up_at_the_floor():
    # TTFT barely above one request's own: any queueing misses it.
    load = K.replica_load(LLAMA_2_70B, H100_SXM, ROUND_ENGINE, W70, TARGETS)
    alone = load.alone().ttft_s.mean
    strict = Targets(ttft_s=alone * 1.0001, tpot_s=1.0)
    load = K.replica_load(LLAMA_2_70B, H100_SXM, ROUND_ENGINE, W70, strict)
    found = load.capacity()
    assert not found.meets_at_some_load
    assert found.missed <= load.bound * K.LOWEST_SHARE_OF_BOUND


def test_each_rate_is_simulated_once_and_each_load_made_once():
    load = K.replica_load(LLAMA_3_8B, A100_80GB, ROUND_ENGINE, W8, TARGETS)
    first = load.trial(3.0)
    assert load.trial(3.0) is first
    assert load.simulated == 1
    # The same configuration at another catalog price is the same load.
    repriced = dataclasses.replace(A100_80GB, hourly_usd=99.0)
    assert K.replica_load(LLAMA_3_8B, repriced, ROUND_ENGINE, W8, TARGETS) is load
    # Other targets are another.
    assert K.replica_load(LLAMA_3_8B, A100_80GB, ROUND_ENGINE, W8, Targets(2.0, 0.05)) is not load


def test_the_memo_forgets_the_least_recently_used(monkeypatch):
    monkeypatch.setattr(K, "MEMO_LOADS", 2)
    first = K.replica_load(LLAMA_3_8B, A100_80GB, ROUND_ENGINE, W8, TARGETS)
    K.replica_load(LLAMA_3_8B, A100_80GB, ROUND_ENGINE, W8, Targets(2.0, 0.05))
    K.replica_load(LLAMA_3_8B, A100_80GB, ROUND_ENGINE, W8, Targets(3.0, 0.05))
    assert K.replica_load(LLAMA_3_8B, A100_80GB, ROUND_ENGINE, W8, TARGETS) is not first
