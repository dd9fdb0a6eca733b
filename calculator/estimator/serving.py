"""A continuous-batching serving simulator on ``step.step_time``: what users feel under load.

One replica of an engine, scheduled as vLLM v1 schedules (``vllm/v1/core/sched/scheduler.py``;
microsoft/vidur's ``sarathi_replica_scheduler.py`` simulates the same kind of scheduler,
and also keeps a watermark of free blocks back at admission, which this one does not):

- every iteration has a token budget (the engine's ``max_batched_tokens``): each running
  sequence that is decoding takes one token of it, then running prompts take chunks of
  what is left (chunked prefill), oldest first, then waiting requests are admitted first
  come, first served, while the budget, the cap on running sequences (``max_num_seqs``)
  and the KV cache allow;
- the KV cache is a pool of blocks of ``BLOCK_TOKENS`` tokens, sized by the memory
  model (``memory.plan_memory``); a request holds the blocks its context needs;
- when a running sequence needs a block and none is free, the newest running request is
  preempted (``self.running.pop()``): its blocks are freed and it goes back to the head
  of the queue, to recompute its prompt and the tokens it has generated (recompute
  preemption, vLLM's default); no new request is admitted in an iteration that preempted;
- each iteration takes ``step_time`` for its mix of prompt chunks and decodes.

It jumps from event to event instead of stepping iteration by iteration. Between two
events (an arrival, a completion, a preemption, any prompt work) every running sequence
decodes one token per iteration and nothing else changes, so the contexts grow by one
per iteration, every part of the step time grows linearly, and a run of iterations sums
in closed form (split where the step turns from memory- to compute-bound). The KV blocks
those iterations allocate follow from each sequence's position within its block, kept as
a count per phase. Iterations with prompt work are simulated one by one. The tests check
the result against a plain iteration-by-iteration simulator of the same policy.

Not modelled: prefix caching, speculative decoding, pipeline micro-batches (a pipeline
runs its stages one after another here), disaggregated prefill.
"""

from __future__ import annotations

import heapq
import math
import random
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from .constants import ESTIMATOR_VERSION
from .limits import MAX_CONCURRENCY, MAX_REQUESTS, MAX_SERVE_RATE
from .memory import kv_dtype_of, plan_memory
from .specs import EngineSpec, EstimatorInputError, GpuSpec, ModelSpec, Workload
from .step import StepContext, make_context, step_time
from .timing import saturated_output_tokens_per_second

BLOCK_TOKENS = 16  # tokens per KV-cache block: vLLM's default --block-size
DEFAULT_REQUESTS = 1000  # requests simulated unless asked otherwise
# Uniform lengths spread +-50% around the mean: vLLM's benchmark_serving random dataset
# draws lengths uniformly in [mean x (1 - ratio), mean x (1 + ratio)] (--random-range-ratio).
UNIFORM_RANGE_RATIO = 0.5
PERCENTILES = (50, 90, 95, 99)
# Decode step times are linear in the summed context; the slope is read between 0 and
# this many tokens (any value works; a large one keeps rounding small).
DECODE_LINE_PROBE_TOKENS = 1e6


class LengthSpread(StrEnum):
    """How request lengths vary around the mean prompt and completion."""

    FIXED = "fixed"  # every request the same (trtllm-bench, genai-perf synthetic runs)
    UNIFORM = "uniform"  # uniform in mean x [0.5, 1.5] (vLLM's random dataset)
    EXPONENTIAL = "exponential"  # geometric around the mean: chat logs' long tail (assumption)


# Requests and results


@dataclass(frozen=True)
class Request:
    arrival: float  # seconds; closed-loop requests get theirs while the run goes
    prompt: int
    completion: int


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
    position = (len(ordered) - 1) * q / 100
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


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


def draw_requests(
    workload: Workload,
    *,
    rate: float | None,
    requests: int,
    spread: LengthSpread,
    seed: int,
) -> list[Request]:
    """The requests of a run: lengths around the workload's means and, at a rate, Poisson
    arrivals (exponential gaps; all at t = 0 for an infinite rate). Closed-loop runs get
    arrival 0 here and their real arrivals as the run goes."""
    rng = random.Random(seed)
    arrivals = [0.0] * requests
    if rate is not None and math.isfinite(rate):
        t = 0.0
        for i in range(requests):
            t += rng.expovariate(rate)
            arrivals[i] = t
    prompts = draw_lengths(workload.prompt_tokens, requests, spread, rng)
    completions = draw_lengths(workload.completion_tokens, requests, spread, rng)
    return [Request(a, p, c) for a, p, c in zip(arrivals, prompts, completions, strict=True)]


# The engine


@dataclass(frozen=True)
class Engine:
    """What the scheduler of one replica works with."""

    ctx: StepContext
    kv_blocks: int  # blocks in the KV pool (per GPU; every GPU holds its share of each)
    token_budget: int
    max_seqs: int
    request_overhead_s: float
    warnings: tuple[str, ...] = ()
    # Decode-step lines by batch size, shared by every run on this replica.
    lines: dict = field(default_factory=dict, repr=False, compare=False)


def make_engine(
    model: ModelSpec, gpu: GpuSpec, engine: EngineSpec, workload: Workload
) -> tuple[Engine, list[str]]:
    warnings: list[str] = []
    ctx = make_context(model, gpu, engine, workload, warnings)
    plan = plan_memory(
        model, gpu, engine, ctx.params, workload.weights_dtype, kv_dtype_of(workload), ctx.layout
    )
    blocks = int(plan.free_for_kv() // (plan.kv_per_token * BLOCK_TOKENS))
    if blocks < 1:
        raise EstimatorInputError(
            "num_gpus",
            f"{model.name} does not fit on {workload.num_gpus} x {gpu.name} with "
            f"{engine.name}: no memory is left for the KV cache.",
        )
    if ctx.layout.pp > 1:
        warnings.append(
            "Pipeline stages are simulated one after another; engines that overlap "
            "micro-batches serve more than this."
        )
    budget = engine.max_batched_tokens
    max_seqs = max(1, min(engine.max_num_seqs, budget))  # each decode takes one token
    replica = Engine(ctx, blocks, budget, max_seqs, engine.request_overhead_s, tuple(warnings))
    return replica, warnings


def simulate(
    model: ModelSpec,
    gpu: GpuSpec,
    engine: EngineSpec,
    workload: Workload,
    *,
    rate: float | None = None,
    concurrency: int | None = None,
    requests: int = DEFAULT_REQUESTS,
    length_spread: LengthSpread | str = LengthSpread.FIXED,
    seed: int = 0,
    warmup: int = 0,
) -> ServingResult:
    """Serve ``requests`` requests of the workload's mean lengths on one replica (the
    workload's GPUs, precision and parallelism), arriving open-loop at ``rate`` requests/s
    (Poisson; ``math.inf``: all at once) or closed-loop from ``concurrency`` users who each
    send their next request when the last one ends. The same seed gives the same run.
    Latency figures leave out the first ``warmup`` requests (throughput counts them)."""
    replica, _ = make_engine(model, gpu, engine, workload)
    return simulate_replica(
        replica,
        workload,
        rate=rate,
        concurrency=concurrency,
        requests=requests,
        length_spread=length_spread,
        seed=seed,
        warmup=warmup,
    )


def simulate_replica(
    replica: Engine,
    workload: Workload,
    *,
    rate: float | None = None,
    concurrency: int | None = None,
    requests: int = DEFAULT_REQUESTS,
    length_spread: LengthSpread | str = LengthSpread.FIXED,
    seed: int = 0,
    warmup: int = 0,
) -> ServingResult:
    """``simulate`` on a replica made once (``make_engine``) for many runs."""
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
    if rate is not None and not (0 < rate <= MAX_SERVE_RATE or rate == math.inf):
        raise EstimatorInputError("rate", f"Must be above 0 and at most {MAX_SERVE_RATE:,.0f}.")
    if concurrency is not None and not 1 <= concurrency <= MAX_CONCURRENCY:
        raise EstimatorInputError("concurrency", f"Must be from 1 to {MAX_CONCURRENCY:,}.")
    if not 1 <= requests <= MAX_REQUESTS:
        raise EstimatorInputError("requests", f"Must be from 1 to {MAX_REQUESTS:,}.")
    if not 0 <= warmup < requests:
        raise EstimatorInputError("requests", "The warm-up must leave requests to measure.")
    spread = LengthSpread(length_spread)
    warnings = list(replica.warnings)
    drawn = draw_requests(workload, rate=rate, requests=requests, spread=spread, seed=seed)
    run = run_engine(replica, drawn, concurrency)
    return summarize(replica, drawn, run, warnings, warmup)


@dataclass
class Run:
    """What a scheduler run records (per request, in request order)."""

    arrival: list[float]
    first: list[float]
    finish: list[float]
    preemptions: int = 0
    peak_blocks: int = 0
    queue_time_integral: float = 0.0  # sum of waiting requests x seconds
    queue_max: int = 0


def summarize(
    replica: Engine, drawn: Sequence[Request], run: Run, warnings: list[str], warmup: int = 0
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
    )


# The event-jumping scheduler

WAITING, PREFILL, DECODE, DONE = range(4)


class _Seq:
    """A request in the engine. While decoding, its context is implied by the engine's
    iteration counter: cache = join_cache + (iteration - join_iteration)."""

    __slots__ = (
        "index",
        "prompt",
        "completion",
        "generated",
        "state",
        "target",
        "computed",
        "blocks",
        "join_iteration",
        "join_cache",
        "epoch",
    )

    def __init__(self, index: int, prompt: int, completion: int) -> None:
        self.index = index
        self.prompt = prompt
        self.completion = completion
        self.generated = 0
        self.state = WAITING
        self.target = prompt  # tokens to prefill: the prompt, plus outputs after preemption
        self.computed = 0
        self.blocks = 0  # held while prefilling (decoders' follow from the counter)
        self.join_iteration = 0
        self.join_cache = 0
        self.epoch = 0  # invalidates stale completion-heap entries after a preemption


def _blocks_for(tokens: int) -> int:
    return -(-tokens // BLOCK_TOKENS)


class _DecodeLine:
    """Decode-only step times as lines in the summed context: memory = m0 + m1 x,
    compute = c0 + c1 x, plus a constant (all-reduces and the step's fixed cost)."""

    __slots__ = ("m0", "m1", "c0", "c1", "rest")

    def __init__(self, ctx: StepContext, n: int) -> None:
        at0 = step_time(ctx, decode_sequences=n, decode_context=0.0)
        at1 = step_time(ctx, decode_sequences=n, decode_context=DECODE_LINE_PROBE_TOKENS)
        self.m0, self.c0 = at0.memory, at0.compute
        self.m1 = (at1.memory - at0.memory) / DECODE_LINE_PROBE_TOKENS
        self.c1 = (at1.compute - at0.compute) / DECODE_LINE_PROBE_TOKENS
        self.rest = at0.communication + at0.overhead

    def total(self, x0: float, slope: float, k: int) -> float:
        """Seconds of k iterations whose summed contexts are x0, x0 + slope, ..."""
        if k <= 0:
            return 0.0
        m0, ms = self.m0 + self.m1 * x0, self.m1 * slope
        c0, cs = self.c0 + self.c1 * x0, self.c1 * slope
        rest = self.rest * k
        diff0, diff_slope = m0 - c0, ms - cs
        if diff_slope == 0:
            return rest + _line_sum(m0, ms, 0, k) if diff0 >= 0 else rest + _line_sum(c0, cs, 0, k)
        cross = -diff0 / diff_slope
        split = min(max(math.ceil(cross), 0), k)
        if diff_slope > 0:  # compute first, memory from the crossing on
            return rest + _line_sum(c0, cs, 0, split) + _line_sum(m0, ms, split, k)
        return rest + _line_sum(m0, ms, 0, split) + _line_sum(c0, cs, split, k)


def _line_sum(a: float, b: float, j0: int, j1: int) -> float:
    """sum of a + b j for j0 <= j < j1."""
    if j1 <= j0:
        return 0.0
    return (j1 - j0) * a + b * (j1 * (j1 - 1) - j0 * (j0 - 1)) / 2


def run_engine(replica: Engine, drawn: Sequence[Request], concurrency: int | None) -> Run:
    ctx = replica.ctx
    total_blocks, budget, max_seqs = replica.kv_blocks, replica.token_budget, replica.max_seqs
    bs = BLOCK_TOKENS
    n_requests = len(drawn)
    seqs = [_Seq(i, r.prompt, r.completion) for i, r in enumerate(drawn)]
    nan = math.nan
    arrival = [nan] * n_requests
    first = [nan] * n_requests
    finish = [nan] * n_requests
    run = Run(arrival, first, finish)

    # Arrivals: open loop, a sorted list; closed loop, the first `concurrency` at once
    # and each later one when a user's previous request ends.
    if concurrency is None:
        pending = [r.arrival for r in drawn]
        for i, a in enumerate(pending):
            arrival[i] = a
        next_open = 0
        issued = n_requests
    else:
        pending = []
        users = min(concurrency, n_requests)
        for i in range(users):
            arrival[i] = 0.0
        pending_closed: list[float] = [0.0] * users  # arrival times, in issue order
        next_open = 0
        issued = users
    closed = concurrency is not None

    waiting: deque[_Seq] = deque()
    running: list[_Seq] = []  # admission order; prefilling ones are always its tail
    finish_heap: list[tuple[int, int, int]] = []  # (finish iteration, epoch, index)
    phase_count = [0] * bs  # decoders that allocate a block at iteration % bs == phase
    n_dec = 0
    cache_offset = 0  # sum over decoders of join_cache - join_iteration
    used = 0  # KV blocks held
    t = 0.0
    it = 0  # iterations so far
    resolved = 0  # completed or rejected
    lines: dict[int, _DecodeLine] = replica.lines
    overhead = replica.request_overhead_s

    def next_arrival() -> float:
        if closed:
            return pending_closed[next_open] if next_open < len(pending_closed) else math.inf
        return pending[next_open] if next_open < n_requests else math.inf

    def resolve(seq: _Seq, when: float) -> None:
        nonlocal resolved, issued
        resolved += 1
        if closed and issued < n_requests:
            # The user reads the answer (the per-request cost) and asks again.
            arrival[issued] = when + overhead
            pending_closed.append(when + overhead)
            issued += 1

    def decoder_blocks(seq: _Seq) -> int:
        return _blocks_for(seq.join_cache + it - seq.join_iteration)

    def remove_decoder(seq: _Seq) -> None:
        nonlocal n_dec, cache_offset, used
        n_dec -= 1
        cache_offset -= seq.join_cache - seq.join_iteration
        phase_count[(seq.join_iteration - seq.join_cache) % bs] -= 1
        used -= decoder_blocks(seq)
        seq.epoch += 1

    def preempt() -> _Seq:
        nonlocal used
        victim = running.pop()
        if victim.state == DECODE:
            victim.generated += it - victim.join_iteration  # tokens decoded since it joined
            remove_decoder(victim)
        else:
            used -= victim.blocks
        victim.state = WAITING
        victim.blocks = 0
        victim.computed = 0
        victim.target = victim.prompt + victim.generated
        waiting.appendleft(victim)
        run.preemptions += 1
        return victim

    def admissible() -> bool:
        if not waiting or len(running) >= max_seqs:
            return False
        left = budget - n_dec
        if left <= 0:
            return False
        head = waiting[0]
        need = _blocks_for(min(head.target, left))
        return used + phase_count[it % bs] + need <= total_blocks

    def step() -> None:
        """One iteration with prompt work (or a preemption) in it."""
        nonlocal used, n_dec, cache_offset, t, it
        preempted = False
        # 1. Every decoding sequence takes a token; a block when it crosses into a new one.
        alloc = phase_count[it % bs]
        while used + alloc > total_blocks:
            victim = running[-1]
            if victim.state == DECODE and (victim.join_iteration - victim.join_cache) % bs == (
                it % bs
            ):
                alloc -= 1
            preempt()
            preempted = True
        used += alloc
        decoders, context = n_dec, cache_offset + n_dec * (it + 1)
        left = budget - n_dec
        chunks: list[tuple[_Seq, int]] = []
        # 2. Running prompts, oldest first (they are the tail of `running`).
        start = len(running)
        while start > 0 and running[start - 1].state == PREFILL:
            start -= 1
        for seq in running[start:]:
            if left <= 0 or seq.state != PREFILL:
                break
            chunk = min(seq.target - seq.computed, left)
            need = _blocks_for(seq.computed + chunk) - seq.blocks
            while used + need > total_blocks:
                victim = preempt()
                preempted = True
                if victim is seq:
                    break
            if seq.state != PREFILL:
                break
            used += need
            seq.blocks += need
            chunks.append((seq, chunk))
            left -= chunk
        # 3. Waiting requests, first come first served, unless this iteration preempted.
        if not preempted:
            while waiting and left > 0 and len(running) < max_seqs:
                seq = waiting[0]
                if _blocks_for(seq.prompt + seq.completion - 1) > total_blocks:
                    waiting.popleft()  # longer than the whole cache: refused
                    seq.state = DONE
                    resolve(seq, t)
                    continue
                chunk = min(seq.target, left)
                need = _blocks_for(chunk)
                if used + need > total_blocks:
                    break
                waiting.popleft()
                seq.state = PREFILL
                used += need
                seq.blocks = need
                running.append(seq)
                chunks.append((seq, chunk))
                left -= chunk
        if not decoders and not chunks:
            return  # nothing could run (only when everything waits on a refusal)
        run.peak_blocks = max(run.peak_blocks, used)
        prefill_tokens = 0
        attention = 0.0
        for seq, chunk in chunks:
            prefill_tokens += chunk
            attention += chunk * seq.computed + chunk * chunk / 2
        seconds = step_time(
            ctx,
            prefill_tokens=prefill_tokens,
            prefill_sequences=len(chunks),
            prefill_attention=attention,
            decode_sequences=decoders,
            decode_context=context,
        ).total
        _account_queue(run, len(waiting), seconds)
        t += seconds
        it += 1
        # Prompts that finished produce a token and start decoding.
        for seq, chunk in chunks:
            seq.computed += chunk
            if seq.computed < seq.target:
                continue
            seq.generated += 1
            if seq.generated == 1:
                first[seq.index] = t
            if seq.generated >= seq.completion:
                running.remove(seq)
                used -= seq.blocks
                seq.state = DONE
                finish[seq.index] = t
                resolve(seq, t)
                continue
            seq.state = DECODE
            seq.join_cache, seq.join_iteration = seq.target, it
            n_dec += 1
            cache_offset += seq.join_cache - it
            phase_count[(it - seq.join_cache) % bs] += 1
            heapq.heappush(finish_heap, (it + seq.completion - seq.generated, seq.epoch, seq.index))
        finish_decoders()

    def finish_decoders() -> None:
        while finish_heap and finish_heap[0][0] <= it:
            _, epoch, index = heapq.heappop(finish_heap)
            seq = seqs[index]
            if seq.state != DECODE or seq.epoch != epoch:
                continue
            seq.generated = seq.completion
            remove_decoder(seq)
            running.remove(seq)
            seq.state = DONE
            finish[index] = t
            resolve(seq, t)

    def jump() -> bool:
        """Run decode-only iterations up to the next event in closed form; False when
        the very next iteration is itself an event."""
        nonlocal used, t, it
        # Valid entries only: stale ones (preempted) are dropped here.
        while finish_heap:
            _, epoch, index = finish_heap[0]
            if seqs[index].state == DECODE and seqs[index].epoch == epoch:
                break
            heapq.heappop(finish_heap)
        k = finish_heap[0][0] - it
        # Blocks: full cycles of `bs` iterations allocate one per decoder.
        free = total_blocks - used
        cycles = free // n_dec
        spare = free - cycles * n_dec
        extra = 0
        while extra < bs:
            need = phase_count[(it + extra) % bs]
            if need > spare:
                break
            spare -= need
            extra += 1
        k = min(k, cycles * bs + extra)
        if k <= 0:
            return False
        line = lines.get(n_dec)
        if line is None:
            line = lines[n_dec] = _DecodeLine(ctx, n_dec)
        x0 = cache_offset + n_dec * (it + 1)
        arrive = next_arrival()
        if arrive < math.inf:
            # Iterations that start before the arrival: the first k with T(k) >= gap.
            gap = arrive - t
            if line.total(x0, n_dec, k) >= gap:
                low, high = 0, k
                while low < high:
                    mid = (low + high) // 2
                    if line.total(x0, n_dec, mid) >= gap:
                        high = mid
                    else:
                        low = mid + 1
                k = low
                if k <= 0:
                    return False
        seconds = line.total(x0, n_dec, k)
        cycles, rest = divmod(k, bs)
        used += cycles * n_dec
        for j in range(rest):
            used += phase_count[(it + j) % bs]
        _account_queue(run, len(waiting), seconds)
        t += seconds
        it += k
        run.peak_blocks = max(run.peak_blocks, used)
        finish_decoders()
        return True

    while resolved < n_requests:
        # Arrivals up to now join the queue.
        arrive = next_arrival()
        while arrive <= t:
            seq = seqs[next_open]
            next_open += 1
            waiting.append(seq)
            arrive = next_arrival()
        prompt_work = bool(running) and running[-1].state == PREFILL
        if prompt_work or admissible():
            step()
        elif n_dec:
            if not jump():
                step()
        elif waiting and not running:
            step()  # the head is longer than the cache: refuse it
        else:
            t = max(t, arrive)  # idle until the next request
    return run


def _account_queue(run: Run, waiting: int, seconds: float) -> None:
    """Requests left waiting by the scheduler, over the iterations they wait through."""
    run.queue_time_integral += waiting * seconds
    run.queue_max = max(run.queue_max, waiting)


# Capacity without simulating


def saturation_rate(
    model: ModelSpec, gpu: GpuSpec, engine: EngineSpec, workload: Workload
) -> float:
    """An upper bound on the requests/s one replica sustains: the engine kept full (as
    many sequences as the KV cache and the engine allow), each request paying its prompt
    once and its share of the decode steps."""
    replica, _ = make_engine(model, gpu, engine, workload)
    return replica_saturation_rate(replica, workload)


def replica_saturation_rate(replica: Engine, workload: Workload) -> float:
    """``saturation_rate`` on a replica already made."""
    prompt, completion = workload.prompt_tokens, workload.completion_tokens
    per_sequence = _blocks_for(prompt + completion)
    batch = max(1, min(replica.max_seqs, replica.kv_blocks // per_sequence))
    tokens = saturated_output_tokens_per_second(replica.ctx, batch, prompt, completion)
    return tokens / completion


def rate_grid(top: float, points: int) -> list[float]:
    """``points`` rates evenly spaced up to ``top`` (for latency-vs-rate charts)."""
    return [top * (i + 1) / points for i in range(points)]


__all__ = [
    "BLOCK_TOKENS",
    "DEFAULT_REQUESTS",
    "LengthSpread",
    "Percentiles",
    "Request",
    "ServingResult",
    "draw_requests",
    "percentile",
    "saturation_rate",
    "simulate",
]
