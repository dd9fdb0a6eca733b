"""The serving simulator's laws, checked on its public results: every request admitted
once and finished once, tokens in equal tokens out, the engine's caps never exceeded
and reached, the KV cache's exact edge, and latencies over the requests asked for.

Each test here was written against a bug planted by hand (a throwaway edit, never
committed) that the rest of the suite let through; the docstrings name it."""

from __future__ import annotations

import dataclasses
import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from calculator.estimator import Workload, simulate
from calculator.estimator.serving import BLOCK_TOKENS, Percentiles, ServingResult
from tests.estimator_fixtures import A100_80GB, H100_SXM, LLAMA_2_70B, LLAMA_3_8B, ROUND_ENGINE

W8 = Workload(num_gpus=1, prompt_tokens=500, completion_tokens=200)
W70 = Workload(num_gpus=4, prompt_tokens=2000, completion_tokens=300)
# Llama 2 70B on 4 H100s with a KV cache of a few hundred blocks (223 with today's
# memory model; the tests read the count from the result, never assume it).
SMALL_CACHE = dataclasses.replace(ROUND_ENGINE, memory_fraction=0.43)


def most_at_once(result: ServingResult) -> int:
    """The most requests between their first token and their end at any moment: a
    lower bound on the sequences running then (prompts being prefilled don't count)."""
    events = []
    for first, finish in zip(result.timeline.first_token, result.timeline.finish, strict=True):
        if not math.isnan(finish) and finish > first:
            events += [(first, 1), (finish, -1)]
    running = most = 0
    for _, change in sorted(events, key=lambda e: (e[0], e[1])):  # ends before starts
        running += change
        most = max(most, running)
    return most


# Section: the caps on running sequences


def test_max_num_seqs_is_reached_and_never_exceeded():
    """Twelve requests at once, four sequences at most: three waves of four, eight
    waiting at the start. Planted bug: admitting max_num_seqs + 1 (it fails here)."""
    engine = dataclasses.replace(ROUND_ENGINE, max_num_seqs=4)

    result = simulate(LLAMA_3_8B, A100_80GB, engine, W8, rate=math.inf, requests=12)

    assert most_at_once(result) == 4
    assert result.queue_length_max == 12 - 4
    assert len(set(result.timeline.finish)) == 3  # three waves, each ending together
    assert result.completed == 12


def test_the_token_budget_holds_back_prompts_that_do_not_fit_this_iteration():
    """A budget of 1,000 tokens takes two 500-token prompts in the first iteration: of
    ten sent at once, eight wait, and only those two have their first token first."""
    engine = dataclasses.replace(ROUND_ENGINE, max_batched_tokens=1000)

    result = simulate(LLAMA_3_8B, A100_80GB, engine, W8, rate=math.inf, requests=10)

    assert result.queue_length_max == 8
    firsts = sorted(result.timeline.first_token)
    assert firsts[0] == firsts[1] < firsts[2]
    assert result.completed == 10


def test_each_decoding_sequence_takes_a_token_of_the_budget():
    """A budget of 8 tokens decodes at most 8 sequences together, whatever max_num_seqs
    says: the ninth never runs alongside them."""
    engine = dataclasses.replace(ROUND_ENGINE, max_batched_tokens=8, max_num_seqs=256)
    workload = Workload(num_gpus=1, prompt_tokens=4, completion_tokens=50)

    result = simulate(LLAMA_3_8B, A100_80GB, engine, workload, rate=math.inf, requests=20)

    assert 1 < most_at_once(result) <= 8
    assert result.completed == 20


# Section: the KV cache's edge


@pytest.fixture(scope="module")
def cache_tokens() -> int:
    probe = Workload(num_gpus=4, prompt_tokens=100, completion_tokens=10)
    result = simulate(LLAMA_2_70B, H100_SXM, SMALL_CACHE, probe, rate=1, requests=1)
    return result.kv_cache_blocks * BLOCK_TOKENS


def test_a_request_that_exactly_fills_the_kv_cache_is_served(cache_tokens):
    """The last token generated is never stored, so prompt + completion - 1 tokens must
    fit. Planted bug: refusing a request that exactly fits (off by one) fails here."""
    completion = 10
    exact = Workload(num_gpus=4, prompt_tokens=cache_tokens - completion + 1, completion_tokens=10)

    result = simulate(LLAMA_2_70B, H100_SXM, SMALL_CACHE, exact, rate=1, requests=2)

    assert (result.completed, result.rejected) == (2, 0)
    assert result.kv_cache_peak_fraction == 1.0
    assert not result.warnings


def test_one_token_more_than_the_kv_cache_is_refused(cache_tokens):
    over = Workload(num_gpus=4, prompt_tokens=cache_tokens - 10 + 2, completion_tokens=10)

    result = simulate(LLAMA_2_70B, H100_SXM, SMALL_CACHE, over, rate=1, requests=2)

    assert (result.completed, result.rejected) == (0, 2)
    assert f"({cache_tokens:,} tokens) were refused" in result.warnings[-1]


# Section: what the percentiles are over


def latencies_after(result: ServingResult, warmup: int, overhead: float) -> list[float]:
    t = result.timeline
    return [
        first - arrival + overhead
        for arrival, first in zip(t.arrival[warmup:], t.first_token[warmup:], strict=True)
    ]


def test_latencies_leave_out_the_warm_up_requests_and_throughput_keeps_them():
    """All 40 at once: the first requests get their first token soonest, so counting
    them lowers the mean. Planted bug: percentiles over the warm-up too fails."""
    everything = simulate(LLAMA_3_8B, A100_80GB, ROUND_ENGINE, W8, rate=math.inf, requests=40)
    warmed = simulate(
        LLAMA_3_8B, A100_80GB, ROUND_ENGINE, W8, rate=math.inf, requests=40, warmup=20
    )

    overhead = ROUND_ENGINE.request_overhead_s
    assert warmed.ttft_s == Percentiles.of(latencies_after(warmed, 20, overhead))
    assert warmed.ttft_s.mean > everything.ttft_s.mean
    assert warmed.e2e_s.mean > everything.e2e_s.mean
    # The same run: throughput and the timeline count every request.
    assert warmed.timeline == everything.timeline
    assert warmed.completed == everything.completed == 40
    assert warmed.requests_per_second == everything.requests_per_second


@pytest.mark.parametrize(
    ("name", "expected"), [("mean", 4.0), ("p50", 3.0), ("p90", 7.6), ("p95", 8.8)]
)
def test_each_percentile_is_the_one_asked_for(name, expected):
    assert Percentiles.of([10.0, 2.0, 1.0, 4.0, 3.0]).at(name) == pytest.approx(expected)


# Section: conservation, for any traffic


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    memory_fraction=st.sampled_from([0.43, 0.45, 0.9]),  # preempting to roomy
    prompt=st.integers(1, 3000),
    completion=st.integers(1, 400),
    requests=st.integers(1, 60),
    rate=st.one_of(st.none(), st.floats(0.5, 200), st.just(math.inf)),
    users=st.integers(1, 40),
    spread=st.sampled_from(["fixed", "uniform", "exponential"]),
    max_num_seqs=st.integers(1, 64),
    warmup=st.integers(0, 59),
)
def test_every_request_is_admitted_once_and_its_tokens_all_come_out(
    memory_fraction, prompt, completion, requests, rate, users, spread, max_num_seqs, warmup
):
    engine = dataclasses.replace(
        ROUND_ENGINE, memory_fraction=memory_fraction, max_num_seqs=max_num_seqs
    )
    workload = Workload(num_gpus=4, prompt_tokens=prompt, completion_tokens=completion)
    arrival = {"rate": rate} if rate is not None else {"concurrency": users}

    result = simulate(
        LLAMA_2_70B,
        H100_SXM,
        engine,
        workload,
        requests=requests,
        length_spread=spread,
        warmup=min(warmup, requests - 1),
        **arrival,
    )

    t = result.timeline
    done = [i for i in range(requests) if not math.isnan(t.finish[i])]
    assert result.completed == len(done)
    assert result.completed + result.rejected == requests
    for i in done:  # each finished once, after its first token, after it arrived
        assert t.arrival[i] <= t.first_token[i] <= t.finish[i]
    if rate is None:
        assert t.arrival[: min(users, requests)] == (0.0,) * min(users, requests)
    if result.preemptions == 0:
        assert most_at_once(result) <= max_num_seqs
    assert 0 <= result.kv_cache_peak_fraction <= 1
    if result.completed and result.duration_s > 0 and spread == "fixed":
        # Tokens in = tokens out: every served request's tokens, and nothing else.
        served = result.output_tokens_per_second * result.duration_s
        assert served == pytest.approx(result.completed * completion)
        total = result.total_tokens_per_second * result.duration_s
        assert total == pytest.approx(result.completed * (prompt + completion))
