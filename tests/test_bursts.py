"""Bursty arrivals (issue 21) wired through the simulator and the planner: gamma gaps
with a CV need at least as many replicas as Poisson at the same mean rate, and more
when the targets are tight."""

from __future__ import annotations

import pytest

from calculator.estimator import EstimatorInputError, Workload, simulate
from calculator.estimator import capacity as K
from calculator.estimator import planner as P
from calculator.estimator.arrivals import Arrivals
from calculator.estimator.serving import draw_requests
from tests.estimator_fixtures import H100_SXM, LLAMA_3_8B, ROUND_ENGINE

WORKLOAD = Workload(num_gpus=1, prompt_tokens=1000, completion_tokens=200)
BURSTY = Arrivals.gamma(3.0)


def test_poisson_arrivals_are_the_draws_the_simulator_always_made():
    default = draw_requests(WORKLOAD, rate=2.0, requests=50, spread="fixed", seed=3)
    poisson = draw_requests(
        WORKLOAD, rate=2.0, requests=50, spread="fixed", seed=3, arrivals=Arrivals()
    )
    assert default == poisson


def test_gamma_arrivals_keep_the_mean_rate_and_spread_the_gaps():
    drawn = draw_requests(
        WORKLOAD, rate=2.0, requests=20_000, spread="fixed", seed=1, arrivals=BURSTY
    )
    times = [r.arrival for r in drawn]
    gaps = [b - a for a, b in zip([0.0, *times], times, strict=False)]
    mean = sum(gaps) / len(gaps)
    sd = (sum((g - mean) ** 2 for g in gaps) / len(gaps)) ** 0.5
    assert mean == pytest.approx(0.5, rel=0.1)
    assert sd / mean == pytest.approx(3.0, rel=0.15)


def test_bursts_raise_the_p99_time_to_first_token_at_the_same_mean_rate():
    runs = {
        name: simulate(
            LLAMA_3_8B, H100_SXM, ROUND_ENGINE, WORKLOAD, rate=6.0, requests=600, arrivals=a
        )
        for name, a in (("poisson", Arrivals()), ("gamma", BURSTY))
    }
    assert runs["gamma"].ttft_s.p99 > 2 * runs["poisson"].ttft_s.p99


def _replicas(targets: P.Targets, arrivals: Arrivals) -> int:
    K.forget_loads()
    traffic = P.Traffic(12.0, 12.0, 1000, 200, arrivals=arrivals)
    result = P.plan(
        LLAMA_3_8B,
        [H100_SXM],
        ROUND_ENGINE,
        traffic,
        targets,
        weights=[P.Dtype.BF16],
        max_gpus_per_replica=1,
    )
    assert result.best is not None
    return result.best.replicas


def test_a_cv_of_3_needs_at_least_as_many_replicas_as_poisson():
    loose = P.Targets(ttft_s=10.0, tpot_s=0.2)
    assert _replicas(loose, BURSTY) >= _replicas(loose, Arrivals())


def test_a_cv_of_3_needs_more_replicas_when_the_targets_are_tight():
    tight = P.Targets(ttft_s=0.5, tpot_s=0.05, percentile="p99")
    assert _replicas(tight, BURSTY) > _replicas(tight, Arrivals())


def test_the_plan_says_how_requests_arrive():
    K.forget_loads()
    traffic = P.Traffic(2.0, 2.0, 1000, 200, arrivals=BURSTY)
    result = P.plan(
        LLAMA_3_8B,
        [H100_SXM],
        ROUND_ENGINE,
        traffic,
        P.Targets(ttft_s=1.0, tpot_s=0.05),
        weights=[P.Dtype.BF16],
        max_gpus_per_replica=1,
    )
    assert result.as_dict()["traffic"]["arrivals"] == "gamma"
    assert result.as_dict()["traffic"]["arrival_cv"] == 3.0


def test_the_simulator_refuses_a_cv_out_of_range():
    with pytest.raises(EstimatorInputError) as caught:
        Arrivals.gamma(11.0)
    assert caught.value.field == "arrival_cv"
