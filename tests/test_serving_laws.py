"""The serving simulator's laws, checked on its public results: every request admitted
once and finished once, tokens in equal tokens out, the engine's caps never exceeded
and reached, the KV cache's exact edge, and latencies over the requests asked for.

Each test here was written against a bug planted by hand (a throwaway edit, never
committed) that the rest of the suite let through; the docstrings name it."""

from __future__ import annotations

import dataclasses
import math
import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from calculator.estimator import Workload, serving, simulate
from calculator.estimator.serving import (
    BLOCK_TOKENS,
    LengthSpread,
    Percentiles,
    ServingResult,
    Targets,
    draw_lengths,
    draw_requests,
    misses_deciding,
    rate_grid,
    simulation_work,
)
from tests.estimator_fixtures import A100_80GB, H100_SXM, LLAMA_2_70B, LLAMA_3_8B, ROUND_ENGINE

W8 = Workload(num_gpus=1, prompt_tokens=500, completion_tokens=200)
W70 = Workload(num_gpus=4, prompt_tokens=2000, completion_tokens=300)
# Llama 2 70B on 4 H100s with a KV cache of a few hundred blocks (223 with today's
# memory model; the tests read the count from the result, never assume it).
SMALL_CACHE = dataclasses.replace(ROUND_ENGINE, memory_fraction=0.43)
# One whose cache holds a few thousand blocks: room for some, not 256, 2,300-token requests.
TIGHT = dataclasses.replace(ROUND_ENGINE, memory_fraction=0.46)


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


# Section: the summary's parts, by hand (mutation testing, issue 24)


def test_no_values_have_no_percentiles_and_the_api_says_none():
    empty = Percentiles.of([])
    assert all(math.isnan(getattr(empty, name)) for name in ("mean", "p50", "p90", "p95", "p99"))
    assert serving._scaled(empty, 1e3) == dict.fromkeys(("mean", "p50", "p90", "p95", "p99"))


def test_the_99th_percentile_of_a_hundred_values_interpolates_the_top_two():
    values = [float(i) for i in range(100)]  # position 98.01
    assert Percentiles.of(values).p99 == pytest.approx(98.01)
    assert Percentiles.of(values).p50 == pytest.approx(49.5)
    assert Percentiles.of([7.0]).p99 == 7.0


def test_the_misses_that_decide_a_percentile_by_hand():
    """Of 20 values the 95th percentile starts from the 19th smallest (floor(19 x 0.95)
    = 18): 2 values above a limit put it above; of 100, the 95th starts from the 95th
    (index 94): 6."""
    assert misses_deciding(20, 95) == 2
    assert misses_deciding(100, 95) == 6
    assert misses_deciding(1, 50) == 1
    assert misses_deciding(0, 95) == 1  # more than there are: never decided


def a_result(ttft: float, tpot: float) -> ServingResult:
    run = simulate(LLAMA_3_8B, A100_80GB, ROUND_ENGINE, W8, rate=1, requests=1)
    return dataclasses.replace(
        run,
        ttft_s=Percentiles(ttft, ttft, ttft, ttft, ttft),
        tpot_s=Percentiles(tpot, tpot, tpot, tpot, tpot),
    )


def test_a_target_met_exactly_is_met_and_a_run_without_streams_meets_tpot():
    targets = Targets(ttft_s=0.5, tpot_s=0.05, percentile="p99")
    assert targets.q == 99
    assert targets.met_by(a_result(0.5, 0.05)) == (True, True)
    assert targets.met_by(a_result(0.5000001, 0.0500001)) == (False, False)
    assert targets.met_by(a_result(0.1, math.nan)) == (True, True)


def test_the_percentile_a_target_reads_is_its_own():
    result = dataclasses.replace(
        a_result(0, 0),
        ttft_s=Percentiles(0.1, 0.2, 0.3, 0.4, 0.5),
        tpot_s=Percentiles(0.01, 0.02, 0.03, 0.04, 0.05),
    )
    assert Targets(0.35, 0.035, "p90").met_by(result) == (True, True)
    assert Targets(0.35, 0.035, "p95").met_by(result) == (False, False)
    assert Targets(0.15, 0.015, "mean").met_by(result) == (True, True)


def test_the_stop_rule_counts_only_the_measured_requests_and_streams():
    """Five warm-up requests, then 15 measured, of which 10 stream (more than one
    token): at p50, 8 of 15 late first tokens decide, and 6 of 10 slow streams."""
    warm = [serving.Request(0.0, 10, 5)] * 5
    measured = [serving.Request(0.0, 10, 1)] * 5 + [serving.Request(0.0, 10, 5)] * 10
    rule = Targets(0.5, 0.05, "p50").stop_rule(warm + measured, warmup=5)
    assert (rule.first_index, rule.ttft_s, rule.tpot_s) == (5, 0.5, 0.05)
    assert rule.ttft_misses == misses_deciding(15, 50) == 8
    assert rule.tpot_misses == misses_deciding(10, 50) == 6


def test_uniform_lengths_span_half_to_one_and_a_half_times_the_mean():
    lengths = draw_lengths(400, 5000, LengthSpread.UNIFORM, random.Random(2))
    assert (min(lengths), max(lengths)) == (200, 600)
    ones = draw_lengths(1, 500, LengthSpread.UNIFORM, random.Random(2))
    assert set(ones) == {1, 2}  # round(0.5) = 0 is lifted to 1


def test_exponential_lengths_are_at_least_one_and_one_for_a_mean_of_one():
    assert draw_lengths(1, 50, LengthSpread.EXPONENTIAL, random.Random(3)) == [1] * 50
    twos = draw_lengths(2, 20_000, LengthSpread.EXPONENTIAL, random.Random(3))
    assert min(twos) == 1
    # Geometric with mean 2: P(1) = 1/2.
    assert twos.count(1) / len(twos) == pytest.approx(0.5, abs=0.02)
    assert draw_lengths(7, 4, LengthSpread.FIXED, random.Random(3)) == [7] * 4


def test_arrivals_are_poisson_at_the_rate_and_all_at_once_at_infinity():
    at_once = draw_requests(W8, rate=math.inf, requests=5, spread=LengthSpread.FIXED, seed=0)
    assert [r.arrival for r in at_once] == [0.0] * 5
    assert at_once[0] == serving.Request(0.0, 500, 200)
    closed = draw_requests(W8, rate=None, requests=3, spread=LengthSpread.FIXED, seed=0)
    assert [r.arrival for r in closed] == [0.0] * 3
    drawn = draw_requests(W8, rate=4.0, requests=4000, spread=LengthSpread.FIXED, seed=0)
    times = [r.arrival for r in drawn]
    assert times == sorted(times) and times[0] > 0
    assert times[-1] / len(times) == pytest.approx(1 / 4, rel=0.05)


def test_a_runs_work_by_hand():
    """Budget 2,048, 256 sequences decoding: prompts go in chunks of 1,792; a 2,000-token
    prompt takes 2 and each request 3 more steps; spread, 2000 / 1792 + 1 on average."""
    workload = Workload(num_gpus=1, prompt_tokens=2000, completion_tokens=10)
    engine = dataclasses.replace(ROUND_ENGINE, max_batched_tokens=2048, max_num_seqs=256)
    assert simulation_work(engine, workload, 10) == 10 * (2 + serving.STEPS_PER_REQUEST)
    assert simulation_work(engine, workload, 10, "uniform") == pytest.approx(
        10 * (2000 / 1792 + 1 + serving.STEPS_PER_REQUEST)
    )
    tiny = dataclasses.replace(ROUND_ENGINE, max_batched_tokens=8, max_num_seqs=256)
    assert simulation_work(tiny, workload, 1) == 2000 + serving.STEPS_PER_REQUEST


def test_a_rate_grid_ends_at_its_top():
    assert rate_grid(10.0, 4) == [2.5, 5.0, 7.5, 10.0]


def test_the_saturation_bound_is_the_batch_the_cache_and_engine_allow():
    from calculator.estimator.scheduler import make_replica
    from calculator.estimator.timing import saturated_output_tokens_per_second

    one = dataclasses.replace(ROUND_ENGINE, max_num_seqs=1)
    replica = make_replica(LLAMA_3_8B, A100_80GB, one, W8)
    expected = saturated_output_tokens_per_second(replica.ctx, 1, 500, 200) / 200
    assert serving.saturation_rate(LLAMA_3_8B, A100_80GB, one, W8) == pytest.approx(expected)
    small = make_replica(LLAMA_2_70B, H100_SXM, TIGHT, W70)
    per_sequence = -(-(2000 + 300) // BLOCK_TOKENS)
    batch = min(small.max_seqs, small.kv_blocks // per_sequence)
    assert 1 < batch < small.max_seqs  # the cache decides (15 today)
    expected = saturated_output_tokens_per_second(small.ctx, batch, 2000, 300) / 300
    assert serving.replica_saturation_rate(small, W70) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("kwargs", "field", "message"),
    [
        ({}, "rate", "Give either a rate or a concurrency."),
        ({"rate": True}, "rate", "Must be a number."),
        ({"rate": "1"}, "rate", "Must be a number."),
        ({"rate": 1e-9}, "rate", "Must be from 1e-06 (one request in 11 days) to 1,000,000."),
        ({"rate": 1_000_001}, "rate", "Must be from 1e-06 (one request in 11 days) to 1,000,000."),
        ({"concurrency": 100_001}, "concurrency", "Must be from 1 to 100,000."),
        ({"concurrency": True}, "concurrency", "Must be a whole number."),
        ({"rate": 1, "requests": 20_001}, "requests", "Must be from 1 to 20,000."),
        (
            {"rate": 1, "requests": 5, "warmup": 5},
            "requests",
            "The warm-up must leave requests to measure.",
        ),
        (
            {"rate": 1, "requests": 5, "warmup": -1},
            "requests",
            "The warm-up must leave requests to measure.",
        ),
    ],
)
def test_each_refusal_says_what_is_wrong(kwargs, field, message):
    from calculator.estimator import EstimatorInputError

    with pytest.raises(EstimatorInputError) as error:
        simulate(LLAMA_3_8B, A100_80GB, ROUND_ENGINE, W8, **kwargs)
    assert (error.value.field, error.value.message) == (field, message)


def test_the_edges_of_each_range_are_accepted():
    from calculator.estimator.limits import MAX_SERVE_RATE, MIN_SERVE_RATE

    for kwargs in ({"rate": MIN_SERVE_RATE}, {"rate": MAX_SERVE_RATE}, {"concurrency": 1}):
        assert (
            simulate(LLAMA_3_8B, A100_80GB, ROUND_ENGINE, W8, requests=2, **kwargs).completed == 2
        )
    result = simulate(LLAMA_3_8B, A100_80GB, ROUND_ENGINE, W8, rate=1, requests=3, warmup=2)
    assert result.completed == 3
