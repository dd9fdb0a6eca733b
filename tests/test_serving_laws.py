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
from calculator.estimator.arrivals import Arrivals
from calculator.estimator.scheduler import StopRule, WorkLimitExceeded, make_replica, run_replica
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
from calculator.estimator.timing import saturated_output_tokens_per_second
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


# Section: the summary's edges (mutation run, fourth round)


def test_the_api_shape_carries_every_figure_in_its_unit():
    result = simulate(LLAMA_2_70B, H100_SXM, TIGHT, W70, rate=math.inf, requests=40)
    shape = result.as_dict()

    def scaled(p: Percentiles, factor: float) -> dict:
        return {name: p.at(name) * factor for name in ("mean", "p50", "p90", "p95", "p99")}

    assert shape == {
        "ttft_ms": scaled(result.ttft_s, 1e3),
        "tpot_ms": scaled(result.tpot_s, 1e3),
        "e2e_s": scaled(result.e2e_s, 1),
        "throughput": {
            "requests_per_second": result.requests_per_second,
            "output_tokens_per_second": result.output_tokens_per_second,
            "total_tokens_per_second": result.total_tokens_per_second,
        },
        "kv_cache_peak_fraction": result.kv_cache_peak_fraction,
        "kv_cache_blocks": result.kv_cache_blocks,
        "preemptions": result.preemptions,
        "queue_length": {"mean": result.queue_length_mean, "max": result.queue_length_max},
        "completed": 40,
        "rejected": 0,
        "duration_s": result.duration_s,
        "estimator_version": serving.ESTIMATOR_VERSION,
        "warnings": list(result.warnings),
    }
    assert result.preemptions > 0 and result.queue_length_max > 0  # none of them a default


def test_the_duration_runs_from_the_first_arrival_to_the_last_finish():
    """A run over in well under a second: its duration is its own, not counted from 0 or
    from a second."""
    short = Workload(num_gpus=1, prompt_tokens=50, completion_tokens=5)
    result = simulate(LLAMA_3_8B, A100_80GB, ROUND_ENGINE, short, rate=100.0, requests=3)
    t = result.timeline
    assert max(t.finish) < 1.0 and min(t.arrival) > 0
    assert result.duration_s == max(t.finish) - min(t.arrival)
    assert result.requests_per_second == pytest.approx(3 / result.duration_s)
    assert result.steps > 0


def test_a_run_where_every_request_is_refused_lasts_no_time_and_serves_nothing(cache_tokens):
    over = Workload(num_gpus=4, prompt_tokens=cache_tokens + 1, completion_tokens=10)
    result = simulate(LLAMA_2_70B, H100_SXM, SMALL_CACHE, over, rate=1, requests=2)
    assert result.duration_s == 0.0
    assert (result.requests_per_second, result.output_tokens_per_second) == (0.0, 0.0)
    assert result.queue_length_mean == 0.0


def test_a_refused_request_is_skipped_and_the_ones_after_it_are_summarised():
    replica = make_replica(LLAMA_2_70B, H100_SXM, SMALL_CACHE, W70)
    too_long = replica.kv_blocks * BLOCK_TOKENS + 1
    drawn = [serving.Request(0.0, too_long, 10), serving.Request(0.0, 100, 10)]
    run = run_replica(replica, drawn, None)

    result = serving.summarize(replica, drawn, run, [])

    assert (result.completed, result.rejected) == (1, 1)
    assert result.output_tokens_per_second * result.duration_s == pytest.approx(10)
    # No warm-up unless asked: the one served request is measured.
    assert result.ttft_s.mean == run.first[1] - run.arrival[1] + replica.request_overhead_s
    alone = serving.summarize(replica, drawn[1:], run_replica(replica, drawn[1:], None), [])
    assert alone.ttft_s.mean == result.ttft_s.mean  # the first request is measured too


def test_a_request_of_two_tokens_has_a_time_per_output_token():
    two = Workload(num_gpus=1, prompt_tokens=500, completion_tokens=2)
    result = simulate(LLAMA_3_8B, A100_80GB, ROUND_ENGINE, two, rate=1, requests=1)
    t = result.timeline
    assert result.tpot_s.mean == t.finish[0] - t.first_token[0] > 0


def test_a_stop_rule_counts_two_token_requests_as_streams():
    drawn = [serving.Request(0.0, 10, 2)] * 4 + [serving.Request(0.0, 10, 1)] * 2
    assert Targets(0.5, 0.05, "p50").stop_rule(drawn, warmup=0).tpot_misses == 3


def test_the_default_seed_is_zero_and_the_arrivals_asked_are_used():
    spread = {"length_spread": "uniform", "rate": 5.0, "requests": 30}
    default = simulate(LLAMA_3_8B, A100_80GB, ROUND_ENGINE, W8, **spread)
    zero = simulate(LLAMA_3_8B, A100_80GB, ROUND_ENGINE, W8, seed=0, **spread)
    assert default.timeline == zero.timeline
    bursty = Arrivals.gamma(3.0)
    gamma = simulate(LLAMA_3_8B, A100_80GB, ROUND_ENGINE, W8, arrivals=bursty, **spread)
    drawn = draw_requests(
        W8, rate=5.0, requests=30, spread=LengthSpread.UNIFORM, seed=0, arrivals=bursty
    )
    assert gamma.timeline.arrival == tuple(r.arrival for r in drawn)
    assert gamma.timeline.arrival != default.timeline.arrival


def test_the_largest_concurrency_and_request_count_are_accepted():
    from calculator.estimator.limits import MAX_CONCURRENCY, MAX_REQUESTS

    most_users = simulate(
        LLAMA_3_8B, A100_80GB, ROUND_ENGINE, W8, concurrency=MAX_CONCURRENCY, requests=2
    )
    assert most_users.completed == 2
    # The most requests: accepted, then stopped by the step limit (not refused by range).
    with pytest.raises(WorkLimitExceeded) as error:
        simulate(
            LLAMA_3_8B, A100_80GB, ROUND_ENGINE, W8, rate=1, requests=MAX_REQUESTS, max_steps=0
        )
    assert error.value.message == (
        "This run needs more than 0 simulation steps, the most allowed: "
        "ask for fewer requests, or shorter prompts."
    )


def test_the_saturation_bound_rounds_each_sequence_up_to_whole_blocks():
    """2,300 tokens take 144 blocks (143.75 rounded up): 2,157 blocks hold 14 such
    sequences, not the 15 a fractional count of blocks would give."""
    replica = dataclasses.replace(make_replica(LLAMA_2_70B, H100_SXM, TIGHT, W70), kv_blocks=2157)
    assert replica.max_seqs > 15
    expected = saturated_output_tokens_per_second(replica.ctx, 14, 2000, 300) / 300
    assert serving.replica_saturation_rate(replica, W70) == pytest.approx(expected)


def test_the_saturation_bound_leaves_the_shared_prefix_out_of_each_sequence():
    """A 1,500-token shared prefix: its 93 whole blocks (1,488 tokens) are held once, so
    each sequence holds 812 tokens (51 blocks) of its own, and skips the prefix's prefill."""
    workload = dataclasses.replace(W70, shared_prefix_tokens=1500)
    replica = dataclasses.replace(
        make_replica(LLAMA_2_70B, H100_SXM, TIGHT, workload), kv_blocks=51 * 9
    )
    assert replica.max_seqs > 9
    expected = saturated_output_tokens_per_second(replica.ctx, 9, 2000, 300, None, 1488) / 300
    assert serving.replica_saturation_rate(replica, workload) == pytest.approx(expected)


def test_the_saturation_bound_speculating_uses_a_draft_and_verify_cycle():
    from calculator.estimator import speculative

    eagle = dataclasses.replace(W8, speculative="eagle")
    replica = make_replica(LLAMA_3_8B, A100_80GB, ROUND_ENGINE, eagle)
    batch = replica.max_seqs
    cycle = speculative.average_decode(replica.ctx, replica.drafter, replica.spec, batch, 500, 200)
    expected = saturated_output_tokens_per_second(replica.ctx, batch, 500, 200, cycle.seconds) / 200
    assert serving.replica_saturation_rate(replica, eagle) == pytest.approx(expected)
    plain = serving.replica_saturation_rate(
        make_replica(LLAMA_3_8B, A100_80GB, ROUND_ENGINE, W8), W8
    )
    assert serving.replica_saturation_rate(replica, eagle) != pytest.approx(plain)


# Section: the scheduler's parts (mutation run, fourth round)


def test_a_speculating_replica_steps_a_draft_and_verify_cycle():
    from calculator.estimator import speculative
    from calculator.estimator.step import step_time

    eagle = make_replica(
        LLAMA_3_8B, A100_80GB, ROUND_ENGINE, dataclasses.replace(W8, speculative="eagle")
    )
    work = {
        "prefill_tokens": 300,
        "prefill_sequences": 1,
        "decode_sequences": 4,
        "decode_context": 2000.0,
    }
    cycle = speculative.iteration(eagle.ctx, eagle.drafter, eagle.spec, **work)
    assert eagle.step(**work) == cycle
    assert cycle.total > step_time(eagle.ctx, **work).total  # the drafting is paid
    per_token = eagle.seconds_per_token(4, 500.0)
    assert per_token == pytest.approx(
        eagle.step(decode_sequences=4, decode_context=2000.0).total / eagle.spec.expected_tokens
    )
    plain = make_replica(LLAMA_3_8B, A100_80GB, ROUND_ENGINE, W8)
    assert plain.seconds_per_token(4, 500.0) == (
        step_time(plain.ctx, decode_sequences=4, decode_context=2000.0).total
    )


def a_line(memory: tuple[float, float], compute: tuple[float, float], rest: float):
    """A decode line of one piece, by hand: memory and compute each (at 0, slope)."""
    from calculator.estimator.scheduler import _DecodeLine

    line = object.__new__(_DecodeLine)
    line.pieces = ((0, memory[0], memory[1], compute[0], compute[1]),)
    line.rest = rest
    return line


def test_no_iterations_take_no_time_and_each_takes_the_larger_line():
    line = a_line((8.0, 0.0), (0.0, 1.0), 1.0)
    assert line.total(0, 2, 0) == 0.0
    # Contexts 4, 6, 8, 10: memory (8) twice, then compute 8 and 10; plus 1 each.
    assert line.total(4, 2, 4) == 9 + 9 + 9 + 11


@settings(max_examples=200, deadline=None)
@given(
    memory_at_0=st.integers(0, 20),
    compute_slope=st.sampled_from([0.0, 0.25, 1.0, 3.0]),
    x0=st.integers(0, 40),
    slope=st.integers(1, 8),
    k=st.integers(1, 30),
    j=st.integers(0, 30),
    nudge=st.sampled_from([-0.5, 0.0, 0.5]),
    bend=st.one_of(st.none(), st.integers(1, 60)),
)
def test_the_iterations_before_a_gap_are_the_fewest_that_fill_it(
    memory_at_0, compute_slope, x0, slope, k, j, nudge, bend
):
    """Against counting one by one, on lines that turn from memory- to compute-bound on
    the way (where the first guess, read off the starting line, is too many), or bend
    flat at a sliding window (where it is too few)."""
    line = a_line((float(memory_at_0), 0.0), (0.0, compute_slope), 1.0)
    if bend is not None:
        line.pieces = (line.pieces[0], (bend, float(memory_at_0), 0.0, 0.0, 0.0))
    gap = line.total(x0, slope, min(j, k)) + nudge
    if gap <= 0:
        return
    fewest = next((i for i in range(1, k + 1) if line.total(x0, slope, i) >= gap), k)
    assert line.iterations_before(x0, slope, k, gap) == fewest


def run_with(stop: StopRule, drawn: list[serving.Request]):
    replica = make_replica(LLAMA_3_8B, A100_80GB, ROUND_ENGINE, W8)
    return run_replica(replica, drawn, 1, stop)  # one user: one request at a time


def one_by_one(requests: int, completion: int = 5) -> list[serving.Request]:
    return [serving.Request(0.0, 100, completion)] * requests


def test_a_stop_rule_ends_the_run_at_the_late_first_token_that_decides():
    """One user, so one first token per iteration: with every first token late (a limit
    of 0), two warm-up requests and three misses deciding, the run stops at request 4's."""
    run = run_with(StopRule(2, 0.0, 3, math.inf, 99), one_by_one(10))
    assert run.stopped == "ttft"
    assert [not math.isnan(f) for f in run.first] == [True] * 5 + [False] * 5


def test_a_first_token_exactly_on_its_target_is_not_late():
    full = run_with(StopRule(0, math.inf, 1, math.inf, 1), one_by_one(1))
    ttft = full.first[0] - full.arrival[0] + ROUND_ENGINE.request_overhead_s
    assert run_with(StopRule(0, ttft, 1, math.inf, 1), one_by_one(1)).stopped == ""
    assert run_with(StopRule(0, ttft * (1 - 1e-9), 1, math.inf, 1), one_by_one(1)).stopped == (
        "ttft"
    )
    # The warm-up request is never judged.
    assert run_with(StopRule(1, 0.0, 1, math.inf, 1), one_by_one(1)).stopped == ""
    # A later request is judged from its own arrival (its user asked again).
    two = run_with(StopRule(0, math.inf, 1, math.inf, 1), one_by_one(2))
    later = two.first[1] - two.arrival[1] + ROUND_ENGINE.request_overhead_s
    assert two.arrival[1] > 0
    assert run_with(StopRule(1, later, 1, math.inf, 1), one_by_one(2)).stopped == ""


def test_a_stream_exactly_on_its_target_is_not_slow_and_one_token_is_no_stream():
    full = run_with(StopRule(0, math.inf, 1, math.inf, 1), one_by_one(1))
    tpot = (full.finish[0] - full.first[0]) / (5 - 1)
    assert run_with(StopRule(0, math.inf, 1, tpot, 1), one_by_one(1)).stopped == ""
    assert run_with(StopRule(0, math.inf, 1, tpot * (1 - 1e-9), 1), one_by_one(1)).stopped == (
        "tpot"
    )
    assert run_with(StopRule(1, math.inf, 1, 0.0, 1), one_by_one(1)).stopped == ""
    assert run_with(StopRule(0, math.inf, 1, 0.0, 1), one_by_one(1, completion=1)).stopped == ""
    assert run_with(StopRule(0, math.inf, 1, 0.0, 1), one_by_one(1, completion=2)).stopped == (
        "tpot"
    )
    # Two slow streams decide: the run ends at the second one's last token.
    run = run_with(StopRule(0, math.inf, 1, 0.0, 2), one_by_one(5))
    assert run.stopped == "tpot"
    assert [not math.isnan(f) for f in run.finish] == [True] * 2 + [False] * 3


def test_a_decode_line_is_read_off_two_probes_of_the_step():
    from types import SimpleNamespace

    from calculator.estimator.scheduler import _piece

    def step(decode_sequences, decode_context):  # memory 2 + x / 2, compute 1 + 3x / 4
        x = decode_context
        return SimpleNamespace(memory=2 + x / 2, compute=1 + 3 * x / 4)

    assert _piece(step, 8, 100, 1100) == (100, 2.0, 0.5, 1.0, 0.75)


@settings(max_examples=300, deadline=None)
@given(
    low=st.tuples(*[st.sampled_from([0.0, 0.5, 2.0, 6.0])] * 4),
    high=st.tuples(*[st.sampled_from([0.0, 0.5, 2.0, 6.0])] * 4),
    bend=st.one_of(st.none(), st.integers(1, 60)),
    x0=st.integers(0, 60),
    slope=st.integers(1, 6),
    k=st.integers(0, 20),
)
def test_a_decode_stretch_sums_the_larger_line_each_iteration(low, high, bend, x0, slope, k):
    """Against summing one iteration at a time: memory or compute first, crossing or
    parallel, and across a sliding window's bend (two pieces) or not."""
    line = a_line(low[:2], low[2:], 0.25)
    if bend is not None:
        line.pieces = (line.pieces[0], (bend, *high))
    expected = 0.0
    for j in range(k):
        x = x0 + slope * j
        _, m0, m1, c0, c1 = line.pieces[-1] if x >= line.pieces[-1][0] else line.pieces[0]
        expected += 0.25 + max(m0 + m1 * x, c0 + c1 * x)
    assert line.total(x0, slope, k) == pytest.approx(expected, rel=1e-12, abs=1e-12)


def test_decoding_attends_to_the_shared_prefix_held_once():
    """One request at a time: with its first 1,488 tokens held as the shared prefix, each
    decode step still reads the whole context, so its tokens come as fast as without;
    the second request too, after the first has left."""
    plain = simulate(LLAMA_2_70B, H100_SXM, ROUND_ENGINE, W70, concurrency=1, requests=2)
    shared = dataclasses.replace(W70, shared_prefix_tokens=1500)
    held = simulate(LLAMA_2_70B, H100_SXM, ROUND_ENGINE, shared, concurrency=1, requests=2)
    assert held.tpot_s.p99 == pytest.approx(plain.tpot_s.p99, rel=1e-9)
    assert held.tpot_s.mean == pytest.approx(plain.tpot_s.mean, rel=1e-9)
    assert held.ttft_s.mean < plain.ttft_s.mean  # its prefill skips the prefix


def test_lengths_drawn_from_a_logs_pairs_stay_paired_and_a_prompt_is_at_least_one():
    pairs = ((0, 5), (1, 3), (900, 7))
    drawn = draw_requests(
        W8, rate=4.0, requests=300, spread=LengthSpread.FIXED, seed=1, pairs=pairs
    )
    means = draw_requests(W8, rate=4.0, requests=300, spread=LengthSpread.FIXED, seed=1)
    assert [r.arrival for r in drawn] == [r.arrival for r in means]  # the same arrivals
    assert {(r.prompt, r.completion) for r in drawn} == {(1, 5), (1, 3), (900, 7)}
