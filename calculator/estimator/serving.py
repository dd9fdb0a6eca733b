"""A continuous-batching serving simulator on ``step.step_time``: what users feel under load.

``simulate`` draws the requests of a run (lengths around the workload's means; Poisson
arrivals at a rate, or closed-loop users), serves them on one replica with the
scheduler in ``scheduler.py`` (vLLM v1's policy, jumping from event to event), and
summarises what the users saw: latency percentiles, throughput, the KV cache, the queue.

Prefix caching and speculative decoding are the replica's (``scheduler.make_replica``).
Not modelled: pipeline micro-batches (a pipeline runs its stages one after another
here), disaggregated prefill.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from . import prefix, speculative
from .arrivals import Arrivals
from .constants import ESTIMATOR_VERSION
from .core import validate
from .limits import MAX_CONCURRENCY, MAX_REQUESTS, MAX_SERVE_RATE, MIN_SERVE_RATE
from .scheduler import (
    BLOCK_TOKENS,
    Replica,
    Request,
    Run,
    StopRule,
    WorkLimitExceeded,
    make_replica,
    run_replica,
)
from .specs import EngineSpec, EstimatorInputError, GpuSpec, ModelSpec, Workload
from .timing import saturated_output_tokens_per_second

DEFAULT_REQUESTS = 1000  # requests simulated unless asked otherwise
# Uniform lengths spread +-50% around the mean: vLLM's benchmark_serving random dataset
# draws lengths uniformly in [mean x (1 - ratio), mean x (1 + ratio)] (--random-range-ratio).
UNIFORM_RANGE_RATIO = 0.5
PERCENTILES = (50, 90, 95, 99)
DEFAULT_PERCENTILE = "p95"  # the percentile SLOs are usually written at
# Scheduler steps a request takes besides its prompt's chunks: its admission, its first
# token, its completion and the decode stretches jumped over between them. Measured:
# runs take at most 0.9 x simulation_work over 300 random configurations that do not
# preempt (tests/test_serving.py); preemptions add a recomputed prompt each.
STEPS_PER_REQUEST = 3
POISSON = Arrivals()  # the arrivals of every run unless asked otherwise


class LengthSpread(StrEnum):
    """How request lengths vary around the mean prompt and completion."""

    FIXED = "fixed"  # every request the same (trtllm-bench, genai-perf synthetic runs)
    UNIFORM = "uniform"  # uniform in mean x [0.5, 1.5] (vLLM's random dataset)
    EXPONENTIAL = "exponential"  # geometric around the mean: chat logs' long tail (assumption)


# Results


@dataclass(frozen=True)
class Percentiles:
    mean: float
    p50: float
    p90: float
    p95: float
    p99: float

    def at(self, percentile: str) -> float:
        """``"p95"`` -> the 95th percentile; ``"mean"`` -> the mean."""
        return getattr(self, percentile)

    @classmethod
    def of(cls, values: Sequence[float]) -> Percentiles:
        if not values:
            return cls(math.nan, math.nan, math.nan, math.nan, math.nan)
        ordered = sorted(values)
        p50, p90, p95, p99 = (percentile(ordered, q) for q in PERCENTILES)
        return cls(math.fsum(ordered) / len(ordered), p50, p90, p95, p99)


def percentile(ordered: Sequence[float], q: float) -> float:
    """The q-th percentile of sorted values, interpolated linearly (numpy's default)."""
    low = _below(len(ordered), q)
    position = (len(ordered) - 1) * q / 100
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def _below(count: int, q: float) -> int:
    """The index of the sorted value the q-th percentile of ``count`` values starts from
    (it interpolates towards the next one)."""
    return math.floor((count - 1) * q / 100)


def misses_deciding(count: int, q: float) -> int:
    """How many of ``count`` values above a limit put their q-th percentile above it: the
    value the percentile starts from is then one of them, and the interpolation only
    adds to it. (None of zero values: their percentile is not a number.)"""
    return count - _below(count, q) if count else count + 1


@dataclass(frozen=True)
class Targets:
    """Latency targets at a percentile of the requests (``"p95"``: 95% within them)."""

    ttft_s: float
    tpot_s: float
    percentile: str = DEFAULT_PERCENTILE

    @property
    def q(self) -> int:
        return int(self.percentile.removeprefix("p"))

    def met_by(self, result: ServingResult) -> tuple[bool, bool]:
        """Whether the run's time to first token and time per output token (if it has
        any) are within the targets at the percentile."""
        ttft = result.ttft_s.at(self.percentile)
        tpot = result.tpot_s.at(self.percentile)
        return ttft <= self.ttft_s, (math.isnan(tpot) or tpot <= self.tpot_s)

    def stop_rule(self, drawn: Sequence[Request], warmup: int) -> StopRule:
        """The rule that ends a run of ``drawn`` as soon as it is sure to miss a target
        (latencies leave out the first ``warmup`` requests, as ``summarize`` does). Refused
        requests only lower the counts, and with them the misses that decide."""
        measured = drawn[warmup:]
        streams = sum(1 for r in measured if r.completion > 1)
        return StopRule(
            first_index=warmup,
            ttft_s=self.ttft_s,
            ttft_misses=misses_deciding(len(measured), self.q),
            tpot_s=self.tpot_s,
            tpot_misses=misses_deciding(streams, self.q),
        )


@dataclass(frozen=True)
class Timeline:
    """Per-request times in seconds, in request order; NaN for a rejected request."""

    arrival: tuple[float, ...]
    first_token: tuple[float, ...]
    finish: tuple[float, ...]


@dataclass(frozen=True)
class ServingResult:
    ttft_s: Percentiles  # time to first token, with the engine's per-request cost
    tpot_s: Percentiles  # time per output token after the first, per request
    e2e_s: Percentiles  # end-to-end latency
    requests_per_second: float
    output_tokens_per_second: float
    total_tokens_per_second: float
    kv_cache_peak_fraction: float  # most KV blocks in use at once / blocks in the pool
    kv_cache_blocks: int
    preemptions: int
    queue_length_mean: float  # requests waiting, averaged over time
    queue_length_max: int
    completed: int
    rejected: int  # requests longer than the whole KV cache
    duration_s: float  # first arrival to last completion
    warnings: tuple[str, ...]
    timeline: Timeline = field(repr=False, compare=False)
    steps: int = field(default=0, compare=False)  # the run's work (Run.steps)

    def as_dict(self) -> dict:
        """The API's JSON shape (milliseconds for TTFT and TPOT, seconds end to end)."""
        return {
            "ttft_ms": _scaled(self.ttft_s, 1e3),
            "tpot_ms": _scaled(self.tpot_s, 1e3),
            "e2e_s": _scaled(self.e2e_s, 1),
            "throughput": {
                "requests_per_second": self.requests_per_second,
                "output_tokens_per_second": self.output_tokens_per_second,
                "total_tokens_per_second": self.total_tokens_per_second,
            },
            "kv_cache_peak_fraction": self.kv_cache_peak_fraction,
            "kv_cache_blocks": self.kv_cache_blocks,
            "preemptions": self.preemptions,
            "queue_length": {"mean": self.queue_length_mean, "max": self.queue_length_max},
            "completed": self.completed,
            "rejected": self.rejected,
            "duration_s": self.duration_s,
            "estimator_version": ESTIMATOR_VERSION,
            "warnings": list(self.warnings),
        }


def _scaled(p: Percentiles, factor: float) -> dict:
    return {
        name: None if math.isnan(value) else value * factor
        for name, value in (
            ("mean", p.mean),
            ("p50", p.p50),
            ("p90", p.p90),
            ("p95", p.p95),
            ("p99", p.p99),
        )
    }


# Traffic


def draw_lengths(mean: int, count: int, spread: LengthSpread, rng: random.Random) -> list[int]:
    if spread is LengthSpread.FIXED:
        return [mean] * count
    if spread is LengthSpread.UNIFORM:
        low = max(1, round(mean * (1 - UNIFORM_RANGE_RATIO)))
        high = max(low, round(mean * (1 + UNIFORM_RANGE_RATIO)))
        return [rng.randint(low, high) for _ in range(count)]
    # Geometric on 1, 2, ... with the given mean: the discrete exponential.
    if mean <= 1:
        return [1] * count
    q = 1 - 1 / mean
    log_q = math.log(q)
    return [1 + int(math.log(1 - rng.random()) / log_q) for _ in range(count)]


# (prompt, completion) pairs to draw requests' lengths from, kept paired: a request
# log's bounded, seeded sample (request_log.MAX_LENGTH_SAMPLES). Empty: the workload's
# means, spread as asked.
LengthPairs = tuple[tuple[int, int], ...]


def draw_requests(
    workload: Workload,
    *,
    rate: float | None,
    requests: int,
    spread: LengthSpread,
    seed: int,
    arrivals: Arrivals = POISSON,
    pairs: LengthPairs = (),
) -> list[Request]:
    """The requests of a run: lengths around the workload's means (or drawn from
    ``pairs``, with replacement, a prompt at least one token) and, at a rate, gaps
    drawn by ``arrivals`` (Poisson by default: exponential gaps; all at t = 0 for an
    infinite rate). Closed-loop runs get arrival 0 here and their real arrivals as the
    run goes."""
    rng = random.Random(seed)
    times = [0.0] * requests
    if rate is not None and math.isfinite(rate):
        t = 0.0
        for i in range(requests):
            t += arrivals.gap(rate, rng)
            times[i] = t
    if pairs:
        drawn = rng.choices(pairs, k=requests)
        return [Request(a, max(1, p), c) for a, (p, c) in zip(times, drawn, strict=True)]
    prompts = draw_lengths(workload.prompt_tokens, requests, spread, rng)
    completions = draw_lengths(workload.completion_tokens, requests, spread, rng)
    return [Request(a, p, c) for a, p, c in zip(times, prompts, completions, strict=True)]


# Runs


def simulate(
    model: ModelSpec, gpu: GpuSpec, engine: EngineSpec, workload: Workload, **run
) -> ServingResult:
    """Serve ``requests`` requests of the workload's mean lengths on one replica (the
    workload's GPUs, precision and parallelism): ``simulate_replica`` on the replica they
    make, with its keywords (``run``)."""
    validate(model, gpu, workload)
    return simulate_replica(make_replica(model, gpu, engine, workload), workload, **run)


def simulate_replica(
    replica: Replica,
    workload: Workload,
    *,
    rate: float | None = None,
    concurrency: int | None = None,
    requests: int = DEFAULT_REQUESTS,
    length_spread: LengthSpread | str = LengthSpread.FIXED,
    seed: int = 0,
    warmup: int = 0,
    max_steps: int | None = None,
    arrivals: Arrivals = POISSON,
) -> ServingResult:
    """Requests arriving open-loop at ``rate`` requests/s (Poisson, or as ``arrivals``
    draws them; ``math.inf``: all at once) or closed-loop from ``concurrency`` users who
    each send their next request when the last one ends, served on a replica made once
    (``make_replica``; ``simulate`` makes it from the specs). The same seed gives the same
    run. Latency figures leave out the first ``warmup`` requests (throughput counts
    them). ``max_steps``: refuse (WorkLimitExceeded) a run that needs more scheduler
    steps."""
    if (rate is None) == (concurrency is None):
        raise EstimatorInputError("rate", "Give either a rate or a concurrency.")
    for name, value, optional in (
        ("concurrency", concurrency, True),
        ("requests", requests, False),
    ):
        if value is None and optional:
            continue
        if isinstance(value, bool) or not isinstance(value, int):
            raise EstimatorInputError(name, "Must be a whole number.")
    if rate is not None and (isinstance(rate, bool) or not isinstance(rate, int | float)):
        raise EstimatorInputError("rate", "Must be a number.")
    if rate is not None and not (MIN_SERVE_RATE <= rate <= MAX_SERVE_RATE or rate == math.inf):
        raise EstimatorInputError(
            "rate",
            f"Must be from {MIN_SERVE_RATE:g} (one request in 11 days) to {MAX_SERVE_RATE:,.0f}.",
        )
    if concurrency is not None and not 1 <= concurrency <= MAX_CONCURRENCY:
        raise EstimatorInputError("concurrency", f"Must be from 1 to {MAX_CONCURRENCY:,}.")
    if not 1 <= requests <= MAX_REQUESTS:
        raise EstimatorInputError("requests", f"Must be from 1 to {MAX_REQUESTS:,}.")
    if not 0 <= warmup < requests:
        raise EstimatorInputError("requests", "The warm-up must leave requests to measure.")
    spread = LengthSpread(length_spread)
    warnings = list(replica.warnings)
    drawn = draw_requests(
        workload, rate=rate, requests=requests, spread=spread, seed=seed, arrivals=arrivals
    )
    run = run_replica(replica, drawn, concurrency, max_steps=max_steps)
    if run.stopped == "steps":
        raise WorkLimitExceeded(
            "requests",
            f"This run needs more than {max_steps:,} simulation steps, the most allowed: "
            "ask for fewer requests, or shorter prompts.",
        )
    return summarize(replica, drawn, run, warnings, warmup)


def summarize(
    replica: Replica, drawn: Sequence[Request], run: Run, warnings: list[str], warmup: int = 0
) -> ServingResult:
    """Latencies over the requests after the first ``warmup`` (which met an engine
    still filling up); throughput over all of them."""
    overhead = replica.request_overhead_s
    ttft, tpot, e2e = [], [], []
    completed = output = total = 0
    start, end = math.inf, 0.0
    for index, (request, arrival, first, finish) in enumerate(
        zip(drawn, run.arrival, run.first, run.finish, strict=True)
    ):
        if math.isnan(finish):
            continue
        completed += 1
        output += request.completion
        total += request.prompt + request.completion
        start, end = min(start, arrival), max(end, finish)
        if index < warmup:
            continue
        ttft.append(first - arrival + overhead)
        e2e.append(finish - arrival + overhead)
        if request.completion > 1:
            tpot.append((finish - first) / (request.completion - 1))
    rejected = len(drawn) - completed
    if rejected:
        warnings.append(
            f"{rejected:,} request(s) longer than the whole KV cache "
            f"({replica.kv_blocks * BLOCK_TOKENS:,} tokens) were refused."
        )
    duration = end - start if completed else 0.0
    per_second = 1 / duration if duration > 0 else 0.0
    return ServingResult(
        ttft_s=Percentiles.of(ttft),
        tpot_s=Percentiles.of(tpot),
        e2e_s=Percentiles.of(e2e),
        requests_per_second=completed * per_second,
        output_tokens_per_second=output * per_second,
        total_tokens_per_second=total * per_second,
        kv_cache_peak_fraction=run.peak_blocks / replica.kv_blocks,
        kv_cache_blocks=replica.kv_blocks,
        preemptions=run.preemptions,
        queue_length_mean=run.queue_time_integral * per_second,
        queue_length_max=run.queue_max,
        completed=completed,
        rejected=rejected,
        duration_s=duration,
        warnings=tuple(warnings),
        timeline=Timeline(tuple(run.arrival), tuple(run.first), tuple(run.finish)),
        steps=run.steps,
    )


# Work


def simulation_work(
    engine: EngineSpec,
    workload: Workload,
    requests: int,
    length_spread: LengthSpread | str = LengthSpread.FIXED,
) -> float:
    """The scheduler steps a run of ``requests`` requests takes at most, from its inputs
    alone (the unit of the simulator's CPU time: bench/serving.py prints the seconds a
    step takes): each prompt in chunks of the token budget the running decoders leave
    (at worst ``max_num_seqs`` of them), each chunk an iteration of its own, plus
    ``STEPS_PER_REQUEST``. Not counted: preemptions, each of which recomputes a prompt;
    a KV cache that thrashes can multiply the work (``max_steps`` bounds it)."""
    budget = engine.max_batched_tokens
    chunk = max(1, budget - min(engine.max_num_seqs, budget))
    prompt = workload.prompt_tokens
    if LengthSpread(length_spread) is LengthSpread.FIXED:
        chunks = math.ceil(prompt / chunk)
    else:  # E[ceil(X / c)] <= E[X] / c + 1
        chunks = prompt / chunk + 1
    return requests * (chunks + STEPS_PER_REQUEST)


# Capacity without simulating


def saturation_rate(
    model: ModelSpec, gpu: GpuSpec, engine: EngineSpec, workload: Workload
) -> float:
    """An upper bound on the requests/s one replica sustains: the engine kept full (as
    many sequences as the KV cache and the engine allow), each request paying its prompt
    once and its share of the decode steps."""
    return replica_saturation_rate(make_replica(model, gpu, engine, workload), workload)


def replica_saturation_rate(replica: Replica, workload: Workload) -> float:
    """``saturation_rate`` on a replica already made."""
    prompt, completion = workload.prompt_tokens, workload.completion_tokens
    cache = prefix.of(workload)  # the shared prefix is held outside kv_blocks
    per_sequence = -(-(prompt - cache.shared + completion) // BLOCK_TOKENS)
    batch = max(1, min(replica.max_seqs, replica.kv_blocks // per_sequence))
    step = None  # plain decoding: timing's own
    if replica.spec is not None:  # a draft-and-verify cycle over its expected tokens
        step = speculative.average_decode(
            replica.ctx, replica.drafter, replica.spec, batch, prompt, completion
        ).seconds
    tokens = saturated_output_tokens_per_second(
        replica.ctx, batch, prompt, completion, step, cache.cached
    )
    return tokens / completion


def rate_grid(top: float, points: int) -> list[float]:
    """``points`` rates evenly spaced up to ``top`` (for latency-vs-rate charts)."""
    return [top * (i + 1) / points for i in range(points)]


__all__ = [
    "BLOCK_TOKENS",
    "DEFAULT_REQUESTS",
    "LengthPairs",
    "LengthSpread",
    "Percentiles",
    "Request",
    "ServingResult",
    "Targets",
    "draw_requests",
    "percentile",
    "saturation_rate",
    "simulate",
    "simulation_work",
]
