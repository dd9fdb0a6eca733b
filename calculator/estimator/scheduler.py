"""The scheduler of one replica, as vLLM v1 schedules (``vllm/v1/core/sched/scheduler.py``),
jumping from event to event instead of stepping iteration by iteration.

microsoft/vidur's replica schedulers (``vidur/scheduler/replica_scheduler/``) model the
same kind of scheduler as an object with admission, batching and block accounting as
methods; ``ReplicaScheduler`` follows that shape. The policy:

- every iteration has a token budget (the engine's ``max_batched_tokens``): each running
  sequence that is decoding takes one token of it, then running prompts take chunks of
  what is left (chunked prefill), oldest first, then waiting requests are admitted first
  come, first served, while the budget, the cap on running sequences (``max_num_seqs``)
  and the KV cache allow (``ReplicaScheduler.admit``, the one place that decides);
- the KV cache is a pool of blocks of ``BLOCK_TOKENS`` tokens, sized by the memory
  model (``memory.plan_memory``); a request holds the blocks its context needs; a
  request longer than the whole pool is refused when it reaches the head of the queue;
- when a running sequence needs a block and none is free, the newest running request is
  preempted: its blocks are freed and it goes back to the head of the queue, to
  recompute its prompt and the tokens it has generated (recompute preemption, vLLM's
  default); no new request is admitted in an iteration that preempted (vidur's vLLM
  scheduler also keeps a watermark of free blocks back at admission; this one does not);
- each iteration takes ``step_time`` for its mix of prompt chunks and decodes.

Between two events (an arrival, a completion, a preemption, any prompt work) every
running sequence decodes one token per iteration and nothing else changes, so the
contexts grow by one per iteration, every part of the step time grows linearly, and a
run of iterations sums in closed form (split where the step turns from memory- to
compute-bound). The KV blocks those iterations allocate follow from each sequence's
position within its block, kept as a count per phase. Iterations with prompt work are
simulated one by one. ``tests/serving_reference.py`` runs the same policy one iteration
at a time; the tests hold this one to it within 1e-9.
"""

from __future__ import annotations

import heapq
import math
import sys
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import islice

from . import prefix, speculative
from .memory import kv_dtype_of, plan_memory
from .specs import EngineSpec, EstimatorInputError, GpuSpec, ModelSpec, Workload
from .step import StepContext, StepTimes, make_context, step_time

BLOCK_TOKENS = 16  # tokens per KV-cache block: vLLM's default --block-size
# Decode step times are linear in the summed context; the slope is read between 0 and
# this many tokens (any value works; a large one keeps rounding small).
DECODE_LINE_PROBE_TOKENS = 1e6


@dataclass(frozen=True)
class Request:
    arrival: float  # seconds; closed-loop requests get theirs while the run goes
    prompt: int
    completion: int


@dataclass(frozen=True)
class Replica:
    """One replica of an engine: what its scheduler works with."""

    ctx: StepContext
    kv_blocks: int  # blocks in the KV pool (per GPU; every GPU holds its share of each)
    token_budget: int
    max_seqs: int
    request_overhead_s: float
    warnings: tuple[str, ...] = ()
    # Prefix caching (prefix.py): the shared prefix's blocks are held once, outside
    # kv_blocks; each request's cached tokens skip their prefill.
    shared_prefix_tokens: int = 0
    prefix_hit_rate: float = 0.0
    # Speculative decoding (speculative.py): every iteration drafts and verifies.
    spec: speculative.Speculation | None = None
    drafter: StepContext | None = None
    # Decode-step lines by batch size, shared by every run on this replica.
    lines: dict = field(default_factory=dict, repr=False, compare=False)

    @property
    def kv_tokens(self) -> int:
        return self.kv_blocks * BLOCK_TOKENS

    def step(self, **work) -> StepTimes:
        """One iteration's time (``step_time``'s arguments), drafting if speculating."""
        if self.spec is None:
            return step_time(self.ctx, **work)
        return speculative.iteration(self.ctx, self.drafter, self.spec, **work)

    def seconds_per_token(self, batch: int, context: float) -> float:
        """A decode step of ``batch`` sequences at ``context`` tokens each, per output
        token: speculating, one draft-and-verify cycle over its expected tokens."""
        seconds = self.step(decode_sequences=batch, decode_context=batch * context).total
        return seconds if self.spec is None else seconds / self.spec.expected_tokens


def make_replica(model: ModelSpec, gpu: GpuSpec, engine: EngineSpec, workload: Workload) -> Replica:
    """The replica the workload's GPUs, precision and parallelism make."""
    warnings: list[str] = []
    ctx = make_context(model, gpu, engine, workload, warnings)
    plan = plan_memory(
        model, gpu, engine, ctx.params, workload.weights_dtype, kv_dtype_of(workload), ctx.layout
    )
    spec = speculative.of(model, workload)
    plan = speculative.with_drafter(plan, spec, model, workload, ctx.layout)
    blocks = int(plan.free_for_kv() // (plan.kv_per_token * BLOCK_TOKENS))
    # The shared prefix is held once, for every request (prefix.py).
    blocks -= prefix.of(workload).shared // BLOCK_TOKENS
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
    budget = ctx.token_budget
    max_seqs = max(1, min(ctx.max_sequences, budget))  # each decode takes one token
    return Replica(
        ctx,
        blocks,
        budget,
        max_seqs,
        engine.request_overhead_s,
        tuple(warnings),
        shared_prefix_tokens=workload.shared_prefix_tokens,
        prefix_hit_rate=workload.prefix_hit_rate,
        spec=spec,
        drafter=None if spec is None else make_context(spec.drafter, gpu, engine, workload),
    )


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
    # Ended early: "ttft" or "tpot", sure to miss that target (StopRule); "steps", past
    # the most steps it was allowed.
    stopped: str = ""
    steps: int = 0  # iterations simulated one by one, plus decode stretches jumped over


@dataclass(frozen=True)
class StopRule:
    """End a run as soon as it is sure to miss a latency target: once ``ttft_misses`` of
    the requests from ``first_index`` on got their first token more than ``ttft_s``
    after arriving (the per-request cost included), or ``tpot_misses`` of them took more
    than ``tpot_s`` per output token after the first. ``serving.stop_rule`` works out
    the counts that decide a percentile."""

    first_index: int
    ttft_s: float
    ttft_misses: int
    tpot_s: float
    tpot_misses: int


class WorkLimitExceeded(EstimatorInputError):
    """A run (or a plan) needed more scheduler steps than it was allowed."""


def run_replica(
    replica: Replica,
    drawn: Sequence[Request],
    concurrency: int | None,
    stop: StopRule | None = None,
    max_steps: int | None = None,
) -> Run:
    """Serve the drawn requests on the replica: open loop at their arrival times, or
    closed loop from ``concurrency`` users; ended early by ``stop`` if given, or after
    ``max_steps`` steps (the unit of the simulator's work, see ``Run.steps``)."""
    return ReplicaScheduler(replica, drawn, concurrency, stop, max_steps).run()


# Requests in the engine

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
        "shared",
        "cached",
        "tokens",
    )

    def __init__(
        self,
        index: int,
        prompt: int,
        completion: int,
        shared: int = 0,
        cached: int = 0,
        tokens: int | None = None,
    ) -> None:
        self.index = index
        # Output tokens: `completion` iterations yield them (fewer when speculating).
        self.tokens = completion if tokens is None else tokens
        # Prefix caching: the first `shared` tokens are the shared prefix's blocks, held
        # once outside this sequence's; `prompt` and every count below are its own
        # tokens, of which the first `cached` are found in the cache (prefix.py).
        self.shared = shared
        self.cached = cached
        self.prompt = prompt
        self.completion = completion
        self.generated = 0
        self.state = WAITING
        self.target = prompt  # tokens to prefill: the prompt, plus outputs after preemption
        self.computed = cached
        self.blocks = 0  # held while prefilling (decoders' follow from the counter)
        self.join_iteration = 0
        self.join_cache = 0
        self.epoch = 0  # invalidates stale completion-heap entries after a preemption


def _blocks_for(tokens: int) -> int:
    return -(-tokens // BLOCK_TOKENS)


def _seq(index: int, request: Request, replica: Replica) -> _Seq:
    """A request as its sequence: the shared prefix apart, its cached tokens found."""
    # Speculating, each iteration yields the expected tokens of a verification: the
    # request takes that many fewer (its context and blocks grow one token an iteration,
    # an underestimate of the cache it holds).
    completion = speculative.sequence_steps(replica.spec, request.completion)
    if not (replica.shared_prefix_tokens or replica.prefix_hit_rate):
        return _Seq(index, request.prompt, completion, tokens=request.completion)
    cache = prefix.use(request.prompt, replica.shared_prefix_tokens, replica.prefix_hit_rate)
    return _Seq(
        index,
        request.prompt - cache.shared,
        completion,
        cache.shared,
        cache.cached - cache.shared,
        request.completion,
    )


class _Arrivals:
    """When requests reach the queue: open loop, at their drawn times; closed loop, the
    first ``concurrency`` at once and each later one when a user's previous request
    ends (after the per-request cost: the user reads the answer, then asks again)."""

    __slots__ = ("times", "issued", "taken", "closed", "total", "arrival", "overhead")

    def __init__(
        self, drawn: Sequence[Request], concurrency: int | None, run: Run, overhead: float
    ):
        self.total = len(drawn)
        self.arrival = run.arrival
        self.overhead = overhead
        self.closed = concurrency is not None
        if concurrency is None:
            self.times = [r.arrival for r in drawn]
        else:
            self.times = [0.0] * min(concurrency, self.total)
        self.issued = len(self.times)
        self.arrival[: self.issued] = self.times
        self.taken = 0

    def next_time(self) -> float:
        return self.times[self.taken] if self.taken < self.issued else math.inf

    def ask_again(self, when: float) -> None:
        """Closed loop: a request ended (or was refused) at ``when``; its user asks
        again."""
        if self.issued < self.total:
            self.arrival[self.issued] = when + self.overhead
            self.times.append(when + self.overhead)
            self.issued += 1


class _DecodeLine:
    """Decode-only step times of n sequences in their summed context x: memory and
    compute each a line in x, plus a constant (all-reduces and the step's fixed cost).
    With local (sliding-window) layers the lines bend where x reaches n x window (those
    layers see no more of it: ``step_time`` takes min(x, n x window) for them), so there
    are two pieces, each (from x, memory at 0, memory slope, compute at 0, compute slope)."""

    __slots__ = ("pieces", "rest")

    def __init__(self, replica: Replica, n: int) -> None:
        ctx, step = replica.ctx, replica.step
        bend = n * ctx.model.attention_window if ctx.model.local_share else 0
        if bend:
            self.pieces = (
                _piece(step, n, 0, bend),
                _piece(step, n, bend, bend + DECODE_LINE_PROBE_TOKENS),
            )
        else:
            self.pieces = (_piece(step, n, 0, DECODE_LINE_PROBE_TOKENS),)
        at0 = step(decode_sequences=n, decode_context=0.0)
        self.rest = at0.communication + at0.overhead

    def total(self, x0: int, slope: int, k: int) -> float:
        """Seconds of k iterations whose summed contexts are x0, x0 + slope, ..."""
        if k <= 0:
            return 0.0
        if len(self.pieces) == 1:
            return _piece_sum(self.pieces[0], x0, slope, k, self.rest * k)
        low, high = self.pieces
        # Iterations before the bend: j < ceil((bend - x0) / slope), in integers.
        before = min(max(-((x0 - high[0]) // slope), 0), k)
        seconds = _piece_sum(low, x0, slope, before, self.rest * k)
        return _piece_sum(high, x0 + slope * before, slope, k - before, seconds)

    def iterations_before(self, x0: float, slope: float, k: int, gap: float) -> int:
        """The fewest of the k iterations that take at least ``gap`` seconds (k when
        even all of them take less)."""
        if self.total(x0, slope, k) < gap:
            return k
        # Each iteration takes at least the line it starts on (the step is the larger of
        # two lines), so the k solving that quadratic is an upper bound on the answer;
        # it is the answer unless the step turns bound on the way. Checked either way.
        pieces = self.pieces
        _, m0, m1, c0, c1 = pieces[-1] if x0 >= pieces[-1][0] else pieces[0]
        first = self.rest + max(m0 + m1 * x0, c0 + c1 * x0)
        grow = (m1 if m0 + m1 * x0 >= c0 + c1 * x0 else c1) * slope
        if grow > 0:
            b = first - grow / 2
            guess = math.ceil((math.sqrt(b * b + 2 * grow * gap) - b) / grow)
        else:
            guess = math.ceil(gap / first) if first > 0 else k
        high = min(max(guess, 1), k)
        if self.total(x0, slope, high) >= gap and self.total(x0, slope, high - 1) < gap:
            return high
        if self.total(x0, slope, high) < gap:
            high = k
        low = 0
        while low < high:
            mid = (low + high) // 2
            if self.total(x0, slope, mid) >= gap:
                high = mid
            else:
                low = mid + 1
        return low


def _piece(step, n: int, start: int, end: float) -> tuple[float, ...]:
    """The lines through the decode step times (``Replica.step``) at summed contexts
    ``start`` and ``end``."""
    at0 = step(decode_sequences=n, decode_context=float(start))
    at1 = step(decode_sequences=n, decode_context=float(end))
    m1 = (at1.memory - at0.memory) / (end - start)
    c1 = (at1.compute - at0.compute) / (end - start)
    return (start, at0.memory - m1 * start, m1, at0.compute - c1 * start, c1)


def _piece_sum(piece: tuple[float, ...], x0: int, slope: int, k: int, plus: float) -> float:
    """``plus`` and the larger of memory and compute summed over k iterations at summed
    contexts x0, x0 + slope, ... (the step turns from one to the other at most once)."""
    if k <= 0:
        return plus
    _, m0, m1, c0, c1 = piece
    m0, ms = m0 + m1 * x0, m1 * slope
    c0, cs = c0 + c1 * x0, c1 * slope
    diff0, diff_slope = m0 - c0, ms - cs
    if diff_slope == 0:
        return plus + _line_sum(m0, ms, 0, k) if diff0 >= 0 else plus + _line_sum(c0, cs, 0, k)
    cross = -diff0 / diff_slope
    split = min(max(math.ceil(cross), 0), k)
    if diff_slope > 0:  # compute first, memory from the crossing on
        return plus + _line_sum(c0, cs, 0, split) + _line_sum(m0, ms, split, k)
    return plus + _line_sum(m0, ms, 0, split) + _line_sum(c0, cs, split, k)


def _line_sum(a: float, b: float, j0: int, j1: int) -> float:
    """sum of a + b j for j0 <= j < j1."""
    if j1 <= j0:
        return 0.0
    return (j1 - j0) * a + b * (j1 * (j1 - 1) - j0 * (j0 - 1)) / 2


class ReplicaScheduler:
    """One run of the scheduler over a list of requests: ``run()`` returns the ``Run``.

    The KV blocks of decoding sequences are not counted one by one: a decoder that
    joined at iteration j with c tokens cached crosses into a new block at the
    iterations i with (i - j + c) % BLOCK_TOKENS == 0, so ``phase_count[p]`` decoders
    allocate at the iterations i % BLOCK_TOKENS == p, and the summed context of the
    decoders at iteration i is ``cache_offset + n_dec x i``."""

    __slots__ = (
        "ctx",
        "replica",
        "total_blocks",
        "budget",
        "max_seqs",
        "lines",
        "seqs",
        "record",
        "arrivals",
        "waiting",
        "running",
        "n_prefill",
        "finish_heap",
        "phase_count",
        "n_dec",
        "cache_offset",
        "used",
        "t",
        "it",
        "closed",
        "overhead",
        "stop",
        "ttft_missed",
        "tpot_missed",
        "max_steps",
    )

    def __init__(
        self,
        replica: Replica,
        drawn: Sequence[Request],
        concurrency: int | None,
        stop: StopRule | None = None,
        max_steps: int | None = None,
    ):
        n = len(drawn)
        self.ctx = replica.ctx
        self.replica = replica
        self.total_blocks = replica.kv_blocks
        self.budget = replica.token_budget
        self.max_seqs = replica.max_seqs
        self.lines: dict[int, _DecodeLine] = replica.lines
        self.seqs = [_seq(i, r, replica) for i, r in enumerate(drawn)]
        self.record = Run([math.nan] * n, [math.nan] * n, [math.nan] * n)
        self.arrivals = _Arrivals(drawn, concurrency, self.record, replica.request_overhead_s)
        self.waiting: deque[_Seq] = deque()
        # By index, in admission order; the prefilling ones are always the newest.
        self.running: dict[int, _Seq] = {}
        self.n_prefill = 0
        self.finish_heap: list[tuple[int, int, int]] = []  # (finish iteration, epoch, index)
        self.phase_count = [0] * BLOCK_TOKENS
        self.n_dec = 0  # decoding sequences
        self.cache_offset = 0  # sum over decoders of join_cache - join_iteration
        self.used = 0  # KV blocks held
        self.t = 0.0
        self.it = 0  # iterations so far
        self.closed = concurrency is not None
        self.overhead = replica.request_overhead_s
        self.stop = stop
        self.ttft_missed = self.tpot_missed = 0
        self.max_steps = sys.maxsize if max_steps is None else max_steps

    def run(self) -> Run:
        arrivals, seqs, waiting, record = self.arrivals, self.seqs, self.waiting, self.record
        total, max_steps = len(seqs), self.max_steps
        while (arrivals.taken < total or waiting or self.running) and not record.stopped:
            if record.steps > max_steps:
                record.stopped = "steps"
                break
            arrive = arrivals.next_time()
            while arrive <= self.t:  # arrivals up to now join the queue
                waiting.append(seqs[arrivals.taken])
                arrivals.taken += 1
                arrive = arrivals.next_time()
            # An iteration with prompt work is stepped. Without, does the next one admit
            # (or refuse) a request? Its decoders take their tokens and blocks first (one
            # that must preempt for them admits nothing, and the step finds that out).
            if self.n_prefill or (
                waiting
                and self.admit(
                    self.used + self.phase_count[self.it % BLOCK_TOKENS],
                    self.budget - self.n_dec,
                    None,
                )
            ):
                self.step()
            elif self.n_dec:
                if not self.jump(arrive):
                    self.step()
            else:
                self.t = max(self.t, arrive)  # idle until the next request
        return self.record

    # Admission: the one place that decides

    def admit(self, used: int, left: int, chunks: list[tuple[_Seq, int]] | None) -> bool:
        """Waiting requests join the iteration first come, first served, while the
        token budget (``left``), the cap on running sequences and the KV cache (``used``
        blocks held) allow; a request longer than the whole cache is refused when it
        reaches the head of the queue. Whether any was admitted or refused. With
        ``chunks`` None, only whether any would be (nothing changes)."""
        waiting, running, total = self.waiting, self.running, self.total_blocks
        longest, max_seqs = total * BLOCK_TOKENS, self.max_seqs
        acted = False
        while waiting and left > 0 and len(running) < max_seqs:
            seq = waiting[0]
            if seq.prompt + seq.completion - 1 > longest:
                if chunks is None:
                    return True
                waiting.popleft()
                seq.state = DONE
                if self.closed:
                    self.arrivals.ask_again(self.t)
                acted = True
                continue
            chunk = seq.target - seq.computed
            if chunk > left:
                chunk = left
            need = -(-(seq.computed + chunk) // BLOCK_TOKENS)
            if used + need > total:
                break
            if chunks is None:
                return True
            waiting.popleft()
            seq.state = PREFILL
            seq.blocks = need
            running[seq.index] = seq
            chunks.append((seq, chunk))
            self.n_prefill += 1
            used += need
            left -= chunk
            acted = True
        if chunks is not None:
            self.used = used
        return acted

    # KV blocks and preemption

    def preempt(self) -> _Seq:
        """Free the newest running request's blocks and put it back at the head of the
        queue, to recompute its prompt and what it has generated."""
        _, victim = self.running.popitem()
        if victim.state == DECODE:
            victim.generated += self.it - victim.join_iteration  # tokens decoded since it joined
            self.remove_decoder(victim)
        else:
            self.n_prefill -= 1
            self.used -= victim.blocks
        victim.state = WAITING
        victim.blocks = 0
        victim.computed = victim.cached
        victim.target = victim.prompt + victim.generated
        self.waiting.appendleft(victim)
        self.record.preemptions += 1
        return victim

    def add_decoder(self, seq: _Seq) -> None:
        it = self.it
        seq.state = DECODE
        seq.join_cache, seq.join_iteration = seq.target, it
        self.n_dec += 1
        self.cache_offset += seq.join_cache + seq.shared - it  # attention sees the prefix
        self.phase_count[(it - seq.join_cache) % BLOCK_TOKENS] += 1
        heapq.heappush(
            self.finish_heap, (it + seq.completion - seq.generated, seq.epoch, seq.index)
        )

    def remove_decoder(self, seq: _Seq) -> None:
        self.n_dec -= 1
        self.cache_offset -= seq.join_cache + seq.shared - seq.join_iteration
        self.phase_count[(seq.join_iteration - seq.join_cache) % BLOCK_TOKENS] -= 1
        self.used -= _blocks_for(seq.join_cache + self.it - seq.join_iteration)
        seq.epoch += 1

    def allocate_decode_blocks(self) -> bool:
        """Every decoder takes a token this iteration, and a block when it crosses into
        a new one; preempt the newest requests until they fit. Whether it preempted."""
        bs, it = BLOCK_TOKENS, self.it
        alloc = self.phase_count[it % bs]
        preempted = False
        while self.used + alloc > self.total_blocks:
            victim = next(reversed(self.running.values()))
            if victim.state == DECODE and (victim.join_iteration - victim.join_cache) % bs == (
                it % bs
            ):
                alloc -= 1
            self.preempt()
            preempted = True
        self.used += alloc
        return preempted

    # Batching

    def continue_prompts(self, left: int, chunks: list[tuple[_Seq, int]]) -> tuple[int, bool]:
        """Running prompts take chunks of the budget, oldest first (they are the tail of
        ``running``), preempting newer requests for blocks. The budget left, and
        whether it preempted."""
        preempted = False
        if not self.n_prefill:
            return left, preempted
        prompts = list(islice(reversed(self.running.values()), self.n_prefill))
        for seq in reversed(prompts):
            if left <= 0 or seq.state != PREFILL:
                break
            chunk = min(seq.target - seq.computed, left)
            need = _blocks_for(seq.computed + chunk) - seq.blocks
            while self.used + need > self.total_blocks:
                victim = self.preempt()
                preempted = True
                if victim is seq:
                    break
            if seq.state != PREFILL:
                break
            self.used += need
            seq.blocks += need
            chunks.append((seq, chunk))
            left -= chunk
        return left, preempted

    def step(self) -> None:
        """One iteration with prompt work (or a preemption, or a refusal) in it."""
        preempted = self.allocate_decode_blocks()
        decoders = self.n_dec
        context = self.cache_offset + decoders * (self.it + 1)
        chunks: list[tuple[_Seq, int]] = []
        left, preempted_for_prompts = self.continue_prompts(self.budget - decoders, chunks)
        if not (preempted or preempted_for_prompts):
            self.admit(self.used, left, chunks)
        if not decoders and not chunks:
            return  # nothing could run (only when everything waiting was refused)
        run = self.record
        run.steps += 1
        if self.used > run.peak_blocks:
            run.peak_blocks = self.used
        prefill_tokens = 0
        attention = 0.0
        for seq, chunk in chunks:
            prefill_tokens += chunk
            attention += chunk * (seq.computed + seq.shared) + chunk * chunk / 2
        seconds = self.replica.step(
            prefill_tokens=prefill_tokens,
            prefill_sequences=len(chunks),
            prefill_attention=attention,
            decode_sequences=decoders,
            decode_context=context,
        ).total
        self.account(seconds)
        self.it += 1
        self.finish_prompts(chunks)
        self.finish_decoders()

    def finish_prompts(self, chunks: list[tuple[_Seq, int]]) -> None:
        """Prompts that finished in the iteration produce a token and start decoding."""
        t, run = self.t, self.record
        for seq, chunk in chunks:
            seq.computed += chunk
            if seq.computed < seq.target:
                continue
            self.n_prefill -= 1
            seq.generated += 1
            if seq.generated == 1:
                run.first[seq.index] = t
                if self.stop is not None:
                    self.judge_first_token(seq.index)
            if seq.generated >= seq.completion:
                del self.running[seq.index]
                self.used -= seq.blocks
                seq.state = DONE
                run.finish[seq.index] = t
                if self.stop is not None:
                    self.judge_finish(seq)
                if self.closed:
                    self.arrivals.ask_again(t)
                continue
            self.add_decoder(seq)

    def finish_decoders(self) -> None:
        """Decoders that generated their last token leave."""
        heap, it = self.finish_heap, self.it
        if not heap or heap[0][0] > it:
            return
        seqs, running, finish, t = self.seqs, self.running, self.record.finish, self.t
        while heap and heap[0][0] <= it:
            _, epoch, index = heapq.heappop(heap)
            seq = seqs[index]
            if seq.state != DECODE or seq.epoch != epoch:
                continue  # preempted since
            seq.generated = seq.completion
            self.remove_decoder(seq)
            del running[index]
            seq.state = DONE
            finish[index] = t
            if self.stop is not None:
                self.judge_finish(seq)
            if self.closed:
                self.arrivals.ask_again(t)

    # Ending early (StopRule)

    def judge_first_token(self, index: int) -> None:
        """Count a late first token; stop once they decide the percentile. The same
        arithmetic as ``serving.summarize``, so the verdict is the full run's."""
        stop, record = self.stop, self.record
        if index >= stop.first_index and (
            record.first[index] - record.arrival[index] + self.overhead > stop.ttft_s
        ):
            self.ttft_missed += 1
            if self.ttft_missed >= stop.ttft_misses:
                record.stopped = "ttft"

    def judge_finish(self, seq: _Seq) -> None:
        """Count a slow stream of tokens; stop once they decide the percentile."""
        stop, record, index = self.stop, self.record, seq.index
        if (
            index >= stop.first_index
            and seq.tokens > 1
            and (record.finish[index] - record.first[index]) / (seq.tokens - 1) > stop.tpot_s
        ):
            self.tpot_missed += 1
            if self.tpot_missed >= stop.tpot_misses and not record.stopped:
                record.stopped = "tpot"

    def account(self, seconds: float) -> None:
        """The clock moves on; requests left waiting wait through it."""
        run = self.record
        waiting = len(self.waiting)
        run.queue_time_integral += waiting * seconds
        if waiting > run.queue_max:
            run.queue_max = waiting
        self.t += seconds

    # Decode-only stretches

    def jump(self, arrive: float) -> bool:
        """Run decode-only iterations up to the next event (the next arrival at the
        latest) in closed form; False when the very next iteration is itself an event."""
        heap, seqs, bs, it, n_dec = self.finish_heap, self.seqs, BLOCK_TOKENS, self.it, self.n_dec
        phase_count = self.phase_count
        while heap:  # valid entries only: stale ones (preempted) are dropped here
            _, epoch, index = heap[0]
            if seqs[index].state == DECODE and seqs[index].epoch == epoch:
                break
            heapq.heappop(heap)
        k = heap[0][0] - it
        # Blocks: full cycles of `bs` iterations allocate one per decoder.
        free = self.total_blocks - self.used
        cycles = free // n_dec
        if k > cycles * bs:  # then the blocks may run out first
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
        line = self.lines.get(n_dec)
        if line is None:
            line = self.lines[n_dec] = _DecodeLine(self.replica, n_dec)
        x0 = self.cache_offset + n_dec * (it + 1)
        if arrive < math.inf:  # stop at the iteration the next arrival falls in
            k = line.iterations_before(x0, n_dec, k, arrive - self.t)
            if k <= 0:
                return False
        seconds = line.total(x0, n_dec, k)
        cycles, rest = divmod(k, bs)
        used = self.used + cycles * n_dec
        for j in range(rest):
            used += phase_count[(it + j) % bs]
        self.used = used
        self.account(seconds)
        self.it = it + k
        run = self.record
        run.steps += 1
        if used > run.peak_blocks:
            run.peak_blocks = used
        self.finish_decoders()
        return True


__all__ = [
    "BLOCK_TOKENS",
    "Replica",
    "ReplicaScheduler",
    "Request",
    "Run",
    "StopRule",
    "WorkLimitExceeded",
    "make_replica",
    "run_replica",
]
