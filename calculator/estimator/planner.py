"""The capacity planner: what to rent for a given traffic, and what it costs a month.

For every GPU x GPUs per replica (tensor parallel) x weight precision it finds the
highest request rate one replica sustains within the latency targets (a bisection on
the serving simulator, bounded above by the analytic capacity and skipped when one
request alone already misses a target), then the replicas the peak needs and their cost,
next to what each API would charge for the same tokens. Options are ranked by cost; the
best is the cheapest that meets the targets; the others say why not.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace

from . import constants as C
from .constants import SECONDS_PER_DAY
from .limits import DEFAULT_MAX_GPUS_PER_REPLICA, MAX_GPUS_PER_REPLICA, MAX_PLAN_RATE
from .memory import kv_dtype_of
from .pricing import PriceFunction, catalog_price
from .serving import (
    BLOCK_TOKENS,
    Engine,
    LengthSpread,
    ServingResult,
    make_engine,
    replica_saturation_rate,
    simulate_replica,
)
from .specs import ApiOffering, Dtype, EngineSpec, EstimatorInputError, GpuSpec, ModelSpec, Workload
from .step import step_time

HOURS_PER_MONTH = 730  # 8,760 hours a year / 12: the month cloud price pages quote
DEFAULT_PERCENTILE = "p95"  # the percentile SLOs are usually written at
PERCENTILE_CHOICES = ("p50", "p90", "p95", "p99")
# Each trial rate (and the planned load) is simulated long enough to reach steady
# state: the requests arriving in RUN_LIFETIMES lifetimes of a request that just meets
# the targets (TTFT + (completion - 1) x TPOT), within these bounds, the first
# lifetime's arrivals left out of the latencies as warm-up; the same seed throughout, so
# the figures reported are those the search judged. Assumption, checked against
# 3,000-request runs in tests/test_planner.py.
RUN_LIFETIMES = 6
SEARCH_MIN_REQUESTS = 200
SEARCH_MAX_REQUESTS = 1200
# Bisection steps between no load and the upper bound: 2^-6, 1.6% of it; options that
# cannot be the cheapest even at their bound get 2^-3, 12.5% (they are never the best).
SEARCH_STEPS = 6
PRUNED_STEPS = 3
SEARCH_SEED = 0
EXTRA_REPLICA_TRIES = 3
# The search trusts the analytic capacity as an upper bound up to this margin (the
# simulator batches prompts the static formula charges one by one).
CAPACITY_MARGIN = 1.1


class Reason:
    """Why an option is not the answer (the API's reason codes, with their text)."""

    NO_PRICE = "no_price"
    DOES_NOT_FIT = "does_not_fit"
    MISSES_TTFT = "misses_ttft"
    MISSES_TPOT = "misses_tpot"
    UNSUPPORTED = "unsupported"


@dataclass(frozen=True)
class Traffic:
    peak_rate: float  # requests/s the replicas must absorb
    average_rate: float  # requests/s averaged over the month (what tokens are billed on)
    prompt_tokens: int
    completion_tokens: int

    @classmethod
    def at_peak(cls, rate: float, prompt: int, completion: int) -> Traffic:
        """Only a peak is known: the month is billed as if it ran at the peak."""
        return cls(rate, rate, prompt, completion)

    @classmethod
    def per_day(cls, requests: float, peak_factor: float, prompt: int, completion: int) -> Traffic:
        average = requests / SECONDS_PER_DAY
        return cls(average * peak_factor, average, prompt, completion)

    @property
    def tokens_per_request(self) -> int:
        return self.prompt_tokens + self.completion_tokens


@dataclass(frozen=True)
class Targets:
    ttft_s: float
    tpot_s: float
    percentile: str = DEFAULT_PERCENTILE


@dataclass(frozen=True)
class Option:
    gpu: str  # slug
    gpu_name: str
    gpus_per_replica: int
    weights: Dtype
    kv: Dtype
    engine: str
    meets_targets: bool
    reasons: tuple[str, ...]  # human sentences; empty when it meets the targets
    reason_codes: tuple[str, ...]
    max_rate_per_replica: float  # requests/s within the targets (0: none)
    replicas: int | None
    ttft_s: float | None  # at the percentile, at the load the plan puts on one replica
    tpot_s: float | None
    usd_per_gpu_hour: float | None
    usd_per_hour: float | None
    usd_per_month: float | None
    usd_per_1m_tokens: float | None
    price_source: str
    # The trade-off chart: output tokens/s per GPU at the highest rate within the targets,
    # against each user's streaming speed there (1 / median time per output token).
    tokens_per_second_per_gpu: float | None
    tokens_per_second_per_user: float | None
    on_pareto_front: bool = False

    @property
    def label(self) -> str:
        return f"{self.gpus_per_replica} x {self.gpu_name} {self.weights.value}"

    def as_dict(self) -> dict:
        return {
            "gpu": self.gpu,
            "gpu_name": self.gpu_name,
            "gpus_per_replica": self.gpus_per_replica,
            "weights": self.weights.value,
            "kv": self.kv.value,
            "engine": self.engine,
            "meets_targets": self.meets_targets,
            "reasons": list(self.reasons),
            "reason_codes": list(self.reason_codes),
            "max_rate_per_replica": self.max_rate_per_replica,
            "replicas": self.replicas,
            "ttft_ms": _ms(self.ttft_s),
            "tpot_ms": _ms(self.tpot_s),
            "usd_per_gpu_hour": self.usd_per_gpu_hour,
            "usd_per_hour": self.usd_per_hour,
            "usd_per_month": self.usd_per_month,
            "usd_per_1m_tokens": self.usd_per_1m_tokens,
            "price_source": self.price_source,
            "tokens_per_second_per_gpu": self.tokens_per_second_per_gpu,
            "tokens_per_second_per_user": self.tokens_per_second_per_user,
            "on_pareto_front": self.on_pareto_front,
        }


@dataclass(frozen=True)
class ApiMonthly:
    slug: str
    name: str
    usd_per_month: float


@dataclass(frozen=True)
class PlanResult:
    traffic: Traffic
    targets: Targets
    options: tuple[Option, ...]  # cheapest first; those meeting the targets before the rest
    best: Option | None
    best_reason: str  # why there is no best (empty when there is one)
    api_comparison: tuple[ApiMonthly, ...]
    estimator_version: str
    warnings: tuple[str, ...]

    def as_dict(self) -> dict:
        best = self.best
        return {
            "options": [o.as_dict() for o in self.options],
            "best": best.as_dict() if best else None,
            "best_reason": self.best_reason or None,
            "api_comparison": [
                {"slug": a.slug, "name": a.name, "usd_per_month": a.usd_per_month}
                for a in self.api_comparison
            ],
            "traffic": {
                "peak_requests_per_second": self.traffic.peak_rate,
                "average_requests_per_second": self.traffic.average_rate,
                "prompt_tokens": self.traffic.prompt_tokens,
                "completion_tokens": self.traffic.completion_tokens,
            },
            "targets": {
                "ttft_ms": self.targets.ttft_s * 1e3,
                "tpot_ms": self.targets.tpot_s * 1e3,
                "percentile": self.targets.percentile,
            },
            "estimator_version": self.estimator_version,
            "warnings": list(self.warnings),
        }


def _ms(seconds: float | None) -> float | None:
    """Milliseconds; None for none (a completion of one token has no TPOT)."""
    return None if seconds is None or math.isnan(seconds) else seconds * 1e3


# Choices


def native_weights(gpu: GpuSpec) -> tuple[Dtype, ...]:
    """The GPU's own 16-bit type and its 8-bit one (FP8 where it has FP8 tensor cores,
    else INT8 where it has INT8 ones)."""
    sixteen = Dtype.BF16 if gpu.bf16_tflops else Dtype.FP16
    eight = Dtype.FP8 if gpu.fp8_tflops else Dtype.INT8 if gpu.int8_tops else None
    return (sixteen, eight) if eight else (sixteen,)


def replica_sizes(model: ModelSpec, max_gpus: int) -> list[int]:
    """Tensor-parallel sizes engines accept: powers of two that divide the heads."""
    sizes, n = [], 1
    while n <= max_gpus:
        if model.num_attention_heads % n == 0:
            sizes.append(n)
        n *= 2
    return sizes


# The search


def _meets(result: ServingResult, targets: Targets) -> tuple[bool, bool]:
    ttft = result.ttft_s.at(targets.percentile)
    tpot = result.tpot_s.at(targets.percentile)
    return ttft <= targets.ttft_s, (math.isnan(tpot) or tpot <= targets.tpot_s)


def tpot_bound_rate(replica, completion: int, prompt: int, tpot_s: float) -> float:
    """An upper bound on the rate at which decode steps stay within the TPOT target:
    the largest batch b whose decode step fits the target, turned into a rate by Little's
    law (b sequences in flight, each for completion x step seconds)."""
    ctx = replica.ctx
    context = prompt + completion / 2

    def step(b: int) -> float:
        return step_time(ctx, decode_sequences=b, decode_context=b * context).total

    if step(1) > tpot_s:
        return 0.0
    low, high = 1, replica.max_seqs
    if step(high) <= tpot_s:
        low = high
    while low < high:
        mid = (low + high + 1) // 2
        if step(mid) <= tpot_s:
            low = mid
        else:
            high = mid - 1
    return low / (completion * step(low))


def trial(replica: Engine, workload: Workload, rate: float, lifetime_s: float) -> ServingResult:
    """One replica at a rate, run to steady state (see RUN_LIFETIMES)."""
    warmup = math.ceil(rate * lifetime_s)
    requests = min(
        max(SEARCH_MIN_REQUESTS, math.ceil(rate * lifetime_s * RUN_LIFETIMES)),
        SEARCH_MAX_REQUESTS,
    )
    return simulate_replica(
        replica,
        workload,
        rate=rate,
        requests=requests,
        seed=SEARCH_SEED,
        warmup=min(warmup, requests // 2),
    )


def max_rate_within(
    replica: Engine,
    workload: Workload,
    targets: Targets,
    high: float,
    steps: int = 0,
    lifetime_s: float = 0.0,
) -> tuple[float, ServingResult | None]:
    """The highest Poisson rate (requests/s) at which one replica meets both targets,
    by bisection between no load and ``high`` (an upper bound), with the run there
    (None when no rate tried meets them)."""

    def run(rate: float) -> tuple[bool, ServingResult]:
        result = trial(replica, workload, rate, lifetime_s)
        ttft_ok, tpot_ok = _meets(result, targets)
        return ttft_ok and tpot_ok, result

    # The bound is rarely met: bisect below it at once (if it were, the answer comes
    # within one step of it).
    low, best = 0.0, None
    for _ in range(steps or SEARCH_STEPS):
        mid = (low + high) / 2
        ok, result = run(mid)
        if ok:
            low, best = mid, result
        else:
            high = mid
    return low, best


def plan(
    model: ModelSpec,
    gpus: list[GpuSpec],
    engine: EngineSpec,
    traffic: Traffic,
    targets: Targets,
    *,
    weights: list[Dtype] | None = None,
    max_gpus_per_replica: int = DEFAULT_MAX_GPUS_PER_REPLICA,
    apis: tuple[ApiOffering, ...] = (),
    price: PriceFunction = catalog_price,
) -> PlanResult:
    """Every option for the traffic, cheapest first, and the best one."""
    _validate(traffic, targets, max_gpus_per_replica)
    warnings: list[str] = []
    options, pending = [], []
    for gpu in gpus:
        for dtype in weights or native_weights(gpu):
            for n in replica_sizes(model, max_gpus_per_replica):
                found = _option(model, gpu, engine, traffic, targets, dtype, n, price)
                (pending if isinstance(found, _Pending) else options).append(found)
    # Pruned by the analytic capacity: search the options in order of the least they
    # could cost; one that cannot beat the best found so far, even at its bound, is
    # searched coarsely (its figures are then within 1/2^PRUNED_SEARCH_STEPS of it).
    best_month = math.inf
    for candidate in sorted(pending, key=lambda p: p.least_usd_per_month):
        steps = SEARCH_STEPS if candidate.least_usd_per_month <= best_month else PRUNED_STEPS
        option = candidate.finish(steps)
        if option.meets_targets and option.usd_per_month is not None:
            best_month = min(best_month, option.usd_per_month)
        options.append(option)
    options = _rank(_mark_front(options))
    best = next((o for o in options if o.meets_targets), None)
    reason = "" if best else _no_best_reason(options)
    monthly = traffic.average_rate * SECONDS_PER_DAY * HOURS_PER_MONTH / 24
    api_rows = tuple(
        sorted(
            (
                ApiMonthly(
                    api.slug,
                    api.name,
                    monthly
                    * (
                        traffic.prompt_tokens * api.input_usd_per_1m
                        + traffic.completion_tokens * api.output_usd_per_1m
                    )
                    / C.TOKENS_PER_MILLION,
                )
                for api in apis
            ),
            key=lambda row: row.usd_per_month,
        )
    )
    if traffic.average_rate < traffic.peak_rate:
        warnings.append(
            "Replicas are sized for the peak and billed all month; the cost per 1M tokens "
            "is at the average rate."
        )
    return PlanResult(
        traffic=traffic,
        targets=targets,
        options=tuple(options),
        best=best,
        best_reason=reason,
        api_comparison=api_rows,
        estimator_version=C.ESTIMATOR_VERSION,
        warnings=tuple(warnings),
    )


@dataclass(frozen=True)
class _Pending:
    """An option that fits and meets the targets alone, waiting for its rate search."""

    least_usd_per_month: float  # at its analytic bound (inf without a price)
    finish: Callable[[int], Option]  # the search, given its bisection steps


def _option(
    model: ModelSpec,
    gpu: GpuSpec,
    engine: EngineSpec,
    traffic: Traffic,
    targets: Targets,
    dtype: Dtype,
    n: int,
    price: PriceFunction,
) -> Option | _Pending:
    workload = Workload(
        num_gpus=n,
        prompt_tokens=traffic.prompt_tokens,
        completion_tokens=traffic.completion_tokens,
        weights_dtype=dtype,
    )
    used = price(gpu, n)  # whole instances billed, spread over the GPUs asked for
    hourly, source = used.effective_usd_per_gpu_hour, used.label
    common = {
        "gpu": gpu.slug,
        "gpu_name": gpu.name,
        "gpus_per_replica": n,
        "weights": dtype,
        "kv": kv_dtype_of(workload),
        "engine": engine.slug,
        "usd_per_gpu_hour": hourly,
        "price_source": source,
    }

    def failed(code: str, reason: str, **figures) -> Option:
        values = {
            "max_rate_per_replica": 0.0,
            "replicas": None,
            "ttft_s": None,
            "tpot_s": None,
            "usd_per_hour": None if hourly is None else hourly * n,
            "usd_per_month": None,
            "usd_per_1m_tokens": None,
            "tokens_per_second_per_gpu": None,
            "tokens_per_second_per_user": None,
        }
        values.update(figures)
        return Option(
            **common, meets_targets=False, reasons=(reason,), reason_codes=(code,), **values
        )

    try:
        replica, _ = make_engine(model, gpu, engine, workload)
    except EstimatorInputError as error:
        if error.field == "num_gpus":
            return failed(Reason.DOES_NOT_FIT, f"Does not fit: {error.message}")
        return failed(Reason.UNSUPPORTED, error.message)
    if replica.kv_blocks * BLOCK_TOKENS < traffic.tokens_per_request:
        return failed(
            Reason.DOES_NOT_FIT,
            f"Does not fit: the KV cache holds {replica.kv_blocks * BLOCK_TOKENS:,} tokens, "
            f"less than one request's {traffic.tokens_per_request:,}.",
        )
    # One request alone: if it misses a target, no load will meet it.
    alone = simulate_replica(replica, workload, concurrency=1, requests=1)
    ttft_ok, tpot_ok = _meets(alone, targets)
    pct = targets.percentile
    if not (ttft_ok and tpot_ok):
        codes, reasons = [], []
        if not ttft_ok:
            codes.append(Reason.MISSES_TTFT)
            reasons.append(
                f"Misses TTFT: {alone.ttft_s.mean * 1e3:,.0f} ms for one request alone "
                f"(target {targets.ttft_s * 1e3:,.0f} ms)."
            )
        if not tpot_ok:
            codes.append(Reason.MISSES_TPOT)
            reasons.append(
                f"Misses TPOT: {alone.tpot_s.mean * 1e3:,.1f} ms per token for one request "
                f"alone (target {targets.tpot_s * 1e3:,.1f} ms)."
            )
        option = failed(codes[0], reasons[0], ttft_s=alone.ttft_s.at(pct))
        return replace(
            option, reasons=tuple(reasons), reason_codes=tuple(codes), tpot_s=alone.tpot_s.at(pct)
        )
    capacity = replica_saturation_rate(replica, workload)
    by_tpot = tpot_bound_rate(
        replica, traffic.completion_tokens, traffic.prompt_tokens, targets.tpot_s
    )
    high = min(capacity, by_tpot) * CAPACITY_MARGIN
    least = (
        math.ceil(traffic.peak_rate / high) * n * hourly * HOURS_PER_MONTH
        if hourly is not None and high > 0
        else math.inf
    )

    def finish(steps: int) -> Option:
        return _search(
            replica,
            gpu,
            traffic,
            targets,
            workload,
            replica_n=n,
            high=high,
            lifetime_s=targets.ttft_s + (traffic.completion_tokens - 1) * targets.tpot_s,
            hourly=hourly,
            steps=steps,
            failed=failed,
            common=common,
        )

    return _Pending(least, finish)


def _search(
    replica: Engine,
    gpu: GpuSpec,
    traffic: Traffic,
    targets: Targets,
    workload: Workload,
    *,
    replica_n: int,
    high: float,
    lifetime_s: float,
    hourly: float | None,
    steps: int,
    failed: Callable[..., Option],
    common: dict,
) -> Option:
    n, pct = replica_n, targets.percentile
    best_rate, at_best = max_rate_within(replica, workload, targets, high, steps, lifetime_s)
    if best_rate <= 0 or at_best is None:
        return failed(
            Reason.MISSES_TTFT,
            f"Misses the targets at any load: queueing alone pushes the {pct} past them.",
        )
    replicas = max(1, math.ceil(traffic.peak_rate / best_rate))
    # Latency is not quite monotone in the rate over a finite run: if the planned load
    # happens to miss where a higher one passed, add a replica (a few times at most).
    for _ in range(EXTRA_REPLICA_TRIES):
        at_load = trial(replica, workload, traffic.peak_rate / replicas, lifetime_s)
        if all(_meets(at_load, targets)):
            break
        replicas += 1
    else:
        ttft_ok, _ = _meets(at_load, targets)
        code = Reason.MISSES_TPOT if ttft_ok else Reason.MISSES_TTFT
        return failed(code, f"Misses the targets at the planned load ({pct}), replicas added.")
    per_gpu = at_best.output_tokens_per_second / n
    per_user = 1 / at_best.tpot_s.p50 if at_best.tpot_s.p50 > 0 else None
    figures = {
        "max_rate_per_replica": best_rate,
        "replicas": replicas,
        "ttft_s": at_load.ttft_s.at(pct),
        "tpot_s": at_load.tpot_s.at(pct),
        "tokens_per_second_per_gpu": per_gpu,
        "tokens_per_second_per_user": per_user,
    }
    if hourly is None:
        return failed(
            Reason.NO_PRICE, f"No price per GPU-hour for {gpu.name}: enter one.", **figures
        )
    per_hour = hourly * n * replicas
    tokens_per_hour = traffic.average_rate * C.SECONDS_PER_HOUR * traffic.tokens_per_request
    return Option(
        **common,
        meets_targets=True,
        reasons=(),
        reason_codes=(),
        usd_per_hour=per_hour,
        usd_per_month=per_hour * HOURS_PER_MONTH,
        usd_per_1m_tokens=per_hour / tokens_per_hour * C.TOKENS_PER_MILLION,
        **figures,
    )


def _mark_front(options: list[Option]) -> list[Option]:
    """Mark the options no other beats on both axes of the trade-off chart."""
    points = [
        o
        for o in options
        if o.tokens_per_second_per_gpu is not None and o.tokens_per_second_per_user is not None
    ]
    front = set()
    for o in points:
        dominated = any(
            other is not o
            and other.tokens_per_second_per_gpu >= o.tokens_per_second_per_gpu
            and other.tokens_per_second_per_user >= o.tokens_per_second_per_user
            and (
                other.tokens_per_second_per_gpu > o.tokens_per_second_per_gpu
                or other.tokens_per_second_per_user > o.tokens_per_second_per_user
            )
            for other in points
        )
        if not dominated:
            front.add(id(o))
    return [replace(o, on_pareto_front=True) if id(o) in front else o for o in options]


def _rank(options: list[Option]) -> list[Option]:
    def key(o: Option) -> tuple:
        cost = o.usd_per_month if o.meets_targets else o.usd_per_hour
        # At the same cost, the option with more headroom (replicas x rate) first.
        headroom = -(o.replicas or 0) * o.max_rate_per_replica
        return (not o.meets_targets, cost is None, cost or 0.0, headroom, o.gpu)

    return sorted(options, key=key)


def _no_best_reason(options: list[Option]) -> str:
    if not options:
        return "No GPU, precision and replica size to consider."
    codes = {code for o in options for code in o.reason_codes}
    if codes == {Reason.DOES_NOT_FIT}:
        return "The model does not fit on any option considered: allow more GPUs per replica."
    if Reason.NO_PRICE in codes and not codes - {Reason.NO_PRICE, Reason.DOES_NOT_FIT}:
        return "The options that meet the targets have no price: enter one."
    return "No option meets the targets: relax them, or allow more GPUs per replica."


def _validate(traffic: Traffic, targets: Targets, max_gpus: int) -> None:
    if not 0 < traffic.peak_rate <= MAX_PLAN_RATE:
        raise EstimatorInputError("rate", f"Must be above 0 and at most {MAX_PLAN_RATE:,.0f}.")
    if targets.percentile not in PERCENTILE_CHOICES:
        raise EstimatorInputError("percentile", f"One of {', '.join(PERCENTILE_CHOICES)}.")
    if targets.ttft_s <= 0 or targets.tpot_s <= 0:
        raise EstimatorInputError("ttft_ms", "Targets must be above 0.")
    if not 1 <= max_gpus <= MAX_GPUS_PER_REPLICA:
        raise EstimatorInputError(
            "max_gpus_per_replica", f"Must be from 1 to {MAX_GPUS_PER_REPLICA}."
        )


__all__ = [
    "HOURS_PER_MONTH",
    "LengthSpread",
    "Option",
    "PlanResult",
    "Targets",
    "Traffic",
    "native_weights",
    "plan",
]
