"""The capacity of one replica: the highest Poisson request rate at which it meets
latency targets at a percentile, found by simulation (``serving.py``).

A ``ReplicaLoad`` is one replica serving one workload against one set of targets. Its
runs (``trial``) are simulated once each and remembered, as is the load itself
(``replica_load``: in-process, keyed by everything the runs depend on and nothing else,
so a plan for another peak rate or price re-uses them). Every run of a load draws its
requests from the same seed, and Poisson arrivals at rate r are the same exponential
draws divided by r (common random numbers): runs at two rates differ by the rate, not
by luck. A run that is sure to miss a target ends early (``Targets.stop_rule``): the
verdict is the one the whole run gives, at a fraction of its cost.

``capacity`` bisects between no load and an analytic upper bound (the saturated
throughput, and the largest batch whose decode step meets the TPOT target turned into a
rate by Little's law) for the highest rate that meets both targets: to
``SEARCH_TOLERANCE`` for the planner, ``REFERENCE_TOLERANCE`` for the reference.

Aiming each run at the rate predicted from the ones before (the latency over its target
is close to linear in the rate) took as many runs: a run that misses ends early and
says little, and where latency is flat near the target the prediction wanders. Plain
bisection also keeps the two searches on one path (below).
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict
from dataclasses import dataclass, replace

from .arrivals import Arrivals
from .limits import MIN_SERVE_RATE
from .scheduler import Replica, WorkLimitExceeded, make_replica, run_replica
from .serving import (
    POISSON,
    LengthPairs,
    LengthSpread,
    ServingResult,
    Targets,
    Timeline,
    draw_requests,
    replica_saturation_rate,
    simulate_replica,
    summarize,
)
from .specs import EngineSpec, GpuSpec, ModelSpec, Workload

# Each run lasts long enough to reach steady state: the requests arriving in
# RUN_LIFETIMES lifetimes of a request that just meets the targets (TTFT + (completion
# - 1) x TPOT), within these bounds, the first lifetime's arrivals left out of the
# latencies as warm-up. Assumption, checked against 2,000-request runs in
# tests/test_planner.py.
RUN_LIFETIMES = 6
SEARCH_MIN_REQUESTS = 200
SEARCH_MAX_REQUESTS = 1200
SEARCH_SEED = 0
# The analytic capacity is trusted as an upper bound up to this margin (the simulator
# batches prompts the static formula charges one by one); no rate above it is tried.
CAPACITY_MARGIN = 1.1
# A replica that misses the targets at 1/64 of its bound misses them at any load (the
# queue, not the rate, is what pushes the percentile past them). As the planner's
# bisection once gave up after 6 halvings.
LOWEST_SHARE_OF_BOUND = 1 / 64
# How close the highest rate found to meet the targets and the lowest found to miss
# them must be, relative to the first: the fast search's and the reference's.
SEARCH_TOLERANCE = 0.01
REFERENCE_TOLERANCE = 0.0025
# Loads remembered in-process (each a few kilobytes: verdicts and summaries, no
# per-request timelines); the least recently used go first.
MEMO_LOADS = 4096

_NO_TIMELINE = Timeline((), (), ())


@dataclass(frozen=True)
class Trial:
    """One run at one rate, and whether it met each target."""

    rate: float
    ttft_ok: bool
    tpot_ok: bool
    # The run's summary (per-request timeline dropped); None when the run ended early,
    # sure to miss a target.
    result: ServingResult | None

    @property
    def ok(self) -> bool:
        return self.ttft_ok and self.tpot_ok


@dataclass(frozen=True)
class Capacity:
    """The outcome of a capacity search."""

    rate: float  # requests/s: the highest rate tried that meets the targets (0: none)
    missed: float  # requests/s: the lowest tried above it that misses them (else the bound)
    at_rate: Trial | None  # the run at `rate`
    bound: float  # the analytic upper bound the search stays below

    @property
    def meets_at_some_load(self) -> bool:
        return self.rate > 0


class Work:
    """The scheduler steps a plan has spent, and the most it may (None: no limit)."""

    def __init__(self, limit: int | None = None) -> None:
        self.limit = limit
        self.spent = 0

    def allowance(self) -> int | None:
        return None if self.limit is None else max(self.limit - self.spent, 0)

    def spend(self, steps: int) -> None:
        self.spent += steps
        if self.limit is not None and self.spent > self.limit:
            raise WorkLimitExceeded("steps", f"More than {self.limit:,} simulation steps.")


class ReplicaLoad:
    """One replica serving one workload (its mean lengths, fixed) against latency
    targets, at rates of Poisson arrivals or as ``arrivals`` draws them (bursts). Made
    (and remembered) by ``replica_load``, the one door, which holds the defaults."""

    def __init__(
        self,
        replica: Replica,
        workload: Workload,
        targets: Targets,
        arrivals: Arrivals,
        pairs: LengthPairs,
    ) -> None:
        self.replica = replica
        self.workload = workload
        self.targets = targets
        self.arrivals = arrivals
        self.pairs = pairs  # lengths drawn from a log's sample; empty: the means, fixed
        completion = workload.completion_tokens
        self.lifetime_s = targets.ttft_s + (completion - 1) * targets.tpot_s
        bound = replica_saturation_rate(replica, workload)
        if completion > 1:  # a one-token answer has no time per output token
            bound = min(
                bound, tpot_bound_rate(replica, completion, workload.prompt_tokens, targets.tpot_s)
            )
        # Never below the least rate: a replica that barely meets the targets alone is
        # then searched there (and needs that many replicas), not divided by zero.
        self.bound = max(bound * CAPACITY_MARGIN, MIN_SERVE_RATE)
        self.trials: dict[float, Trial] = {}
        self.capacities: dict[float, Capacity] = {}
        self.simulated = 0  # runs simulated (not remembered)
        self._alone: ServingResult | None = None
        self._lock = threading.Lock()

    @property
    def floor(self) -> float:
        """The lowest rate a search tries: if it misses the targets, any load does."""
        return max(self.bound * LOWEST_SHARE_OF_BOUND, MIN_SERVE_RATE)

    def alone(self, work: Work | None = None) -> ServingResult:
        """One request on an idle replica: if it misses a target, no load meets it."""
        if self._alone is None:
            alone = simulate_replica(self.replica, self.workload, concurrency=1, requests=1)
            if work is not None:
                work.spend(alone.steps)
            self._alone = alone
        return self._alone

    def trial(self, rate: float, work: Work | None = None) -> Trial:
        """The run at ``rate`` requests/s, simulated once (its steps spent from
        ``work``; remembered runs cost none). A rate below the simulator's least
        (``MIN_SERVE_RATE``) runs at it: requests that rare never meet either way."""
        rate = max(rate, MIN_SERVE_RATE)
        found = self.trials.get(rate)
        if found is None:
            found = self.trials[rate] = self._run(rate, work or Work())
            self.simulated += 1
        return found

    def _run(self, rate: float, work: Work) -> Trial:
        warmup = math.ceil(rate * self.lifetime_s)
        requests = min(
            max(SEARCH_MIN_REQUESTS, math.ceil(rate * self.lifetime_s * RUN_LIFETIMES)),
            SEARCH_MAX_REQUESTS,
        )
        warmup = min(warmup, requests // 2)
        drawn = draw_requests(
            self.workload,
            rate=rate,
            requests=requests,
            spread=LengthSpread.FIXED,
            seed=SEARCH_SEED,
            arrivals=self.arrivals,
            pairs=self.pairs,
        )
        targets = self.targets
        run = run_replica(
            self.replica, drawn, None, targets.stop_rule(drawn, warmup), work.allowance()
        )
        work.spend(run.steps)  # past the limit: WorkLimitExceeded, and nothing remembered
        if run.stopped:
            return Trial(rate, run.stopped != "ttft", run.stopped != "tpot", None)
        result = summarize(self.replica, drawn, run, list(self.replica.warnings), warmup)
        ttft_ok, tpot_ok = targets.met_by(result)
        return Trial(rate, ttft_ok, tpot_ok, replace(result, timeline=_NO_TIMELINE))

    def capacity(self, tolerance: float = SEARCH_TOLERANCE, work: Work | None = None) -> Capacity:
        """The highest rate within the targets, to ``tolerance`` (searched once)."""
        with self._lock:  # one search at a time; a second caller gets the first's answer
            found = self.capacities.get(tolerance)
            if found is None:
                found = self.capacities[tolerance] = self._search(tolerance, work)
        return found

    def _search(self, tolerance: float, work: Work | None) -> Capacity:
        """Bisect [0, bound] until the highest rate found to meet the targets and the
        lowest found to miss them are within ``tolerance`` of each other, or a rate as
        low as the floor misses (none meets). The midpoints do not depend on the
        tolerance, so a finer search walks the same path further: its answer lies within
        the coarser one's interval, even where latency is not monotone in the rate."""
        low, high, at_low = 0.0, self.bound, None
        while True:
            rate = max((low + high) / 2, self.floor)
            trial = self.trial(rate, work)
            if trial.ok:
                low, at_low = rate, trial
            else:
                high = rate
            if low > 0 and high - low <= tolerance * low:
                break
            if low == 0 and high <= self.floor:
                break
        return Capacity(low, high, at_low, self.bound)


def tpot_bound_rate(replica: Replica, completion: int, prompt: int, tpot_s: float) -> float:
    """An upper bound on the rate at which decode steps stay within the TPOT target:
    the largest batch b whose decode step fits the target, turned into a rate by Little's
    law (b sequences in flight, each for completion x step seconds)."""
    batch, step = tpot_bound_batch(replica, completion, prompt, tpot_s)
    return batch / (completion * step) if batch else 0.0


def tpot_bound_batch(
    replica: Replica, completion: int, prompt: int, tpot_s: float
) -> tuple[int, float]:
    """The largest batch (at most the replica's ``max_seqs``) whose decode step, at the
    completion's mean context, fits the TPOT target, and that step's seconds; (0, inf)
    when one sequence alone misses it."""
    context = prompt + completion / 2

    def step(b: int) -> float:  # per output token, speculating or not
        return replica.seconds_per_token(b, context)

    if step(1) > tpot_s:
        return 0, math.inf
    low, high = 1, replica.max_seqs
    if step(high) <= tpot_s:
        low = high
    while low < high:
        mid = (low + high + 1) // 2
        if step(mid) <= tpot_s:
            low = mid
        else:
            high = mid - 1
    return low, step(low)


# Remembered loads

_memo: OrderedDict[tuple, ReplicaLoad] = OrderedDict()
_memo_lock = threading.Lock()


def replica_load(
    model: ModelSpec,
    gpu: GpuSpec,
    engine: EngineSpec,
    workload: Workload,
    targets: Targets,
    arrivals: Arrivals = POISSON,
    pairs: LengthPairs = (),
) -> ReplicaLoad:
    """The load of this configuration, made once per process (``make_replica``'s
    EstimatorInputError when the model does not fit). The GPU's catalog price is no
    part of the key: runs do not depend on it. ``pairs``: lengths drawn from a log."""
    key = (model, replace(gpu, hourly_usd=None), engine, workload, targets, arrivals, pairs)
    with _memo_lock:
        found = _memo.get(key)
        if found is not None:
            _memo.move_to_end(key)
            return found
    replica = make_replica(model, gpu, engine, workload)
    load = ReplicaLoad(replica, workload, targets, arrivals, pairs)
    with _memo_lock:
        load = _memo.setdefault(key, load)
        _memo.move_to_end(key)
        while len(_memo) > MEMO_LOADS:
            _memo.popitem(last=False)
    return load


def forget_loads() -> None:
    """Empty the memo (benchmarks time plans from cold)."""
    with _memo_lock:
        _memo.clear()


__all__ = [
    "Capacity",
    "ReplicaLoad",
    "Trial",
    "Work",
    "forget_loads",
    "replica_load",
    "tpot_bound_rate",
]
