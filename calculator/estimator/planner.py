"""The capacity planner: what to rent for a given traffic, and what it costs a month.

For every GPU x GPUs per replica (tensor parallel) x weight precision it checks that the
model fits and that one request alone meets the targets (if it misses one, no load
meets it), then, cheapest first by the least each could cost (the replicas its
analytic capacity bound allows), it finds how many replicas the peak needs:

- the capacity of one replica (``capacity.py``: the highest Poisson rate within the
  targets, by simulation), then replicas = peak / (capacity x target utilization),
  rounded up, checked at the load they will carry, plus one spare for N+1
  (``Headroom``);
- unless the option cannot be cheaper than the best found so far: its least cost is
  already higher, or the load of as many replicas as it could afford misses the
  targets (one run). It is then not searched: it says so, with the least it costs.

With ``disaggregated=True`` it also sizes separate prefill and decode pools for every
GPU, size and precision it weighs (``disaggregated.py``, analytic: no simulation), one
option for each pair of GPU types and precision.

Options are ranked by cost; the best is the cheapest that meets the targets. With
``reference=True`` every option is searched in full, more finely, nothing pruned: the
tests and ``bench/planner.py --check`` hold the fast plan to it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace

from . import bands, expert, prefix, speculative
from . import constants as C
from . import disaggregated as split
from .arrivals import Arrivals
from .capacity import (
    REFERENCE_TOLERANCE,
    SEARCH_MAX_REQUESTS,
    SEARCH_TOLERANCE,
    Capacity,
    ReplicaLoad,
    Trial,
    Work,
    replica_load,
)
from .constants import DEFAULT_TARGET_UTILIZATION, HOURS_PER_MONTH, SECONDS_PER_DAY
from .core import estimate
from .cost import api_bills
from .limits import (
    DEFAULT_MAX_GPUS_PER_REPLICA,
    MAX_GPUS_PER_REPLICA,
    MAX_PEAK_FACTOR,
    MAX_PLAN_RATE,
    MAX_TARGET_S,
    MAX_TARGET_UTILIZATION,
    MAX_TOKENS,
    MIN_AVERAGE_RATE,
    MIN_SERVE_RATE,
    MIN_TARGET_UTILIZATION,
)
from .memory import kv_dtype_of
from .pricing import PriceFunction, PriceUsed, catalog_price
from .results import ApiMonthly, Speculative
from .scheduler import BLOCK_TOKENS, WorkLimitExceeded
from .serving import (
    DEFAULT_PERCENTILE,
    POISSON,
    LengthPairs,
    LengthSpread,
    Targets,
    simulation_work,
)
from .specs import (
    ApiOffering,
    Dtype,
    EngineSpec,
    EstimatorInputError,
    GpuSpec,
    ModelSpec,
    Parallelism,
    Workload,
)

PERCENTILE_CHOICES = ("p50", "p90", "p95", "p99")
# What a plan sizes replicas on: the estimate itself, or the pessimistic end of its error
# band (the latencies' band high end, bands.py), so that each target holds with 80%
# confidence: an 80% band's high end is passed by 10% of the similar measurements.
ESTIMATE = "estimate"
PESSIMISTIC = "pessimistic"
CONFIDENCE_CHOICES = (ESTIMATE, PESSIMISTIC)
# Every provider's price for num_gpus of this GPU (one each, by pricing's rule 2).
OtherPrices = Callable[[GpuSpec, int], list[PriceUsed]]
# Latency is not quite monotone in the rate over a finite run: if the planned load
# misses where a higher one passed, add a replica (this many times at most).
EXTRA_REPLICA_TRIES = 3
# Costs equal to within this (relative) count as equal: an option that could only tie
# the best is searched, for the tie-break.
SAME_COST = 1e-9
# Work, in scheduler steps (Run.steps; bench/planner.py prints the CPU a step takes).
# Considering one option (its replica, price and bounds) costs about what 20 steps do:
# 0.15 ms against ~8 us a step on the 2-core machine of bench/planner.py.
OPTION_STEPS = 20
# The searches of a plan took at most 8.3 runs of SEARCH_MAX_REQUESTS requests on the
# benchmark set (bench/planner.py); planning_work allows 12.
PLAN_FULL_RUNS = 12
# A replica whose KV cache holds at most this many requests of the plan's length at once
# is said to be short of cache when no load meets the targets (assumption: a handful of
# requests in flight leaves Poisson arrivals waiting for a slot at any rate).
FEW_REQUESTS_HELD = 4


class Reason:
    """Why an option is not the answer (the API's reason codes, with their text)."""

    NO_PRICE = "no_price"
    DOES_NOT_FIT = "does_not_fit"
    MISSES_TTFT = "misses_ttft"
    MISSES_TPOT = "misses_tpot"
    UNSUPPORTED = "unsupported"
    COSTS_MORE = "costs_more"  # cannot be cheaper than the best: not searched


@dataclass(frozen=True)
class Traffic:
    peak_rate: float  # requests/s the replicas must absorb
    average_rate: float  # requests/s averaged over the month (what tokens are billed on)
    prompt_tokens: int
    completion_tokens: int
    given_as: str = "rate"  # the input the rates come from: "rate" or "requests_per_day"
    arrivals: Arrivals = POISSON  # how requests arrive at the peak (bursts: gamma, a CV)
    # Prefix caching (prefix.py): a prefix every prompt shares, a share of each found.
    shared_prefix_tokens: int = 0
    prefix_hit_rate: float = 0.0
    # Requests' (prompt, completion) lengths drawn from a request log's sample (its
    # means are the tokens above); empty: every request at the means.
    length_pairs: LengthPairs = ()
    # Speculative decoding (speculative.py), as Workload takes it: the method, its draft
    # model, drafted tokens per step and acceptance rate (None: the method's default).
    speculative: str = "none"
    draft_model: ModelSpec | None = None
    num_speculative_tokens: int | None = None
    acceptance_rate: float | None = None

    @property
    def lengths(self) -> str:
        """Where the simulated requests' lengths come from: "from the log" or "mean"."""
        return "from the log" if self.length_pairs else "mean"

    @classmethod
    def at_peak(cls, rate: float, prompt: int, completion: int) -> Traffic:
        """Only a peak is known: the month is billed as if it ran at the peak."""
        return cls(rate, rate, prompt, completion)

    @classmethod
    def per_day(cls, requests: float, peak_factor: float, prompt: int, completion: int) -> Traffic:
        average = requests / SECONDS_PER_DAY
        return cls(average * peak_factor, average, prompt, completion, "requests_per_day")

    @property
    def tokens_per_request(self) -> int:
        return self.prompt_tokens + self.completion_tokens

    def workload(self, **configuration) -> Workload:
        """One request of this traffic as the estimator's Workload, with the levers
        (prefix caching, speculative decoding) and ``configuration`` (GPUs, precision)."""
        return Workload(
            prompt_tokens=self.prompt_tokens,
            completion_tokens=self.completion_tokens,
            shared_prefix_tokens=self.shared_prefix_tokens,
            prefix_hit_rate=self.prefix_hit_rate,
            speculative=self.speculative,
            draft_model=self.draft_model,
            num_speculative_tokens=self.num_speculative_tokens,
            acceptance_rate=self.acceptance_rate,
            **configuration,
        )


@dataclass(frozen=True)
class Headroom:
    """How much of each replica's capacity the plan may use at the peak, and whether the
    targets must hold with one replica down (N+1: one spare replica on top).

    Replicas = ceil(peak / (capacity x target_utilization)) (+1 with ``n_plus_one``).
    With one replica down the others then carry the peak at most at the target
    utilization, within the targets."""

    target_utilization: float = DEFAULT_TARGET_UTILIZATION
    n_plus_one: bool = False

    @property
    def spare(self) -> int:
        return 1 if self.n_plus_one else 0

    def sizing_rate(self, peak: float) -> float:
        """The rate the replicas (without the spare) must sustain within the targets."""
        return peak / self.target_utilization

    def as_dict(self) -> dict:
        return {"target_utilization": self.target_utilization, "n_plus_one": self.n_plus_one}


# The estimator's yardstick: every replica run at its capacity, no spare (the reference
# plan, bench/planner.py). The answers pass the user's headroom (default 80%).
NO_HEADROOM = Headroom(target_utilization=1.0)


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
    # For an option not searched because it cannot be cheaper than the best
    # (Reason.COSTS_MORE): the least it would cost a month. None otherwise.
    usd_per_month_at_least: float | None = None
    # The targets its replicas were sized on (the plan's, or tighter when planning on
    # the pessimistic end of the bands), and the bands on its figures (bands.confidence).
    planned_for: Targets | None = None
    confidence: dict = field(default_factory=dict, compare=False)
    # The share of the replicas' capacity the peak uses, every replica up (peak /
    # (replicas x max_rate_per_replica)); None without replicas.
    utilization: float | None = None
    # The price used (pricing.PriceUsed: provider, instance, region, date, spot, flag);
    # None only for options made by hand in tests.
    price: PriceUsed | None = None
    # Disaggregated prefill and decode (disaggregated.py): the two pools and the KV
    # transfer between them; None for an aggregated option.
    pools: split.Pair | None = field(default=None, compare=False)
    # How the replica splits the model: tensor, or expert parallel (routed experts over
    # its GPUs, attention data-parallel: expert.py).
    parallelism: Parallelism = Parallelism.TENSOR

    @property
    def disaggregated(self) -> bool:
        return self.pools is not None

    @property
    def label(self) -> str:
        if self.pools is not None:
            pre, dec = self.pools.prefill, self.pools.decode
            return (
                f"prefill {pre.replicas} x {pre.gpus_per_replica} x {pre.gpu_name}, decode "
                f"{dec.replicas} x {dec.gpus_per_replica} x {dec.gpu_name} {self.weights.value}"
            )
        ep = " EP" if self.parallelism is Parallelism.EXPERT else ""
        return f"{self.gpus_per_replica} x {self.gpu_name} {self.weights.value}{ep}"

    def as_dict(self) -> dict:
        return {
            "gpu": self.gpu,
            "gpu_name": self.gpu_name,
            "gpus_per_replica": self.gpus_per_replica,
            "weights": self.weights.value,
            "kv": self.kv.value,
            "parallelism": self.parallelism.value,
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
            "usd_per_month_at_least": self.usd_per_month_at_least,
            "planned_for": None
            if self.planned_for is None
            else {
                "ttft_ms": self.planned_for.ttft_s * 1e3,
                "tpot_ms": self.planned_for.tpot_s * 1e3,
            },
            "confidence": self.confidence,
            "utilization": self.utilization,
            **price_fields(self.price),
            "disaggregated": self.pools is not None,
            "prefill": None if self.pools is None else self.pools.prefill.as_dict(),
            "decode": None if self.pools is None else self.pools.decode.as_dict(),
            "kv_transfer": None if self.pools is None else self.pools.transfer.as_dict(),
        }


def price_fields(price: PriceUsed | None) -> dict:
    """Whom an option rents from, as plain fields: provider, instance, region, the
    offer's date ("undated" when the source gave none; None without a price), on-demand
    or spot, and the offer's flag (floor, auction, marketplace, unverified; "" for a
    list price)."""
    if price is None or price.basis is None:
        return {
            "provider": "",
            "instance_type": "",
            "region": "",
            "price_as_of": None,
            "price_kind": None,
            "price_flag": "",
            "price_basis": None,
        }
    dated = price.as_of.isoformat() if price.as_of else "undated"
    return {
        "provider": price.provider,
        "instance_type": price.instance_type,
        "region": price.region,
        "price_as_of": dated if price.provider or price.as_of else None,
        "price_kind": "spot" if price.spot else "on_demand",
        "price_flag": price.flag,
        "price_basis": str(price.basis),
    }


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
    steps: int = field(default=0, compare=False)  # simulation steps this plan ran
    confidence: str = ESTIMATE  # what replicas were sized on (CONFIDENCE_CHOICES)
    headroom: Headroom = NO_HEADROOM
    # The cheapest option meeting the targets from another provider than the best's.
    runner_up: Option | None = None
    # The cheapest option meeting the targets at spot prices (same replicas, repriced).
    cheapest_spot: Option | None = None
    # What speculative decoding does on the best option (None without it, or a best).
    speculation: Speculated | None = None
    # Asked to consider disaggregated prefill/decode: which won and why ("" if not asked).
    disaggregation: str = ""

    def as_dict(self) -> dict:
        best = self.best
        return {
            "disaggregation": self.disaggregation or None,
            "options": [o.as_dict() for o in self.options],
            "best": best.as_dict() if best else None,
            "best_reason": self.best_reason or None,
            "runner_up": self.runner_up.as_dict() if self.runner_up else None,
            "cheapest_spot": self.cheapest_spot.as_dict() if self.cheapest_spot else None,
            "headroom": self.headroom.as_dict(),
            "api_comparison": [a.as_dict() for a in self.api_comparison],
            "traffic": {
                "peak_requests_per_second": self.traffic.peak_rate,
                "average_requests_per_second": self.traffic.average_rate,
                "prompt_tokens": self.traffic.prompt_tokens,
                "completion_tokens": self.traffic.completion_tokens,
                "lengths": self.traffic.lengths,
                **self.traffic.arrivals.as_dict(),
                "shared_prefix_tokens": self.traffic.shared_prefix_tokens,
                "prefix_hit_rate": self.traffic.prefix_hit_rate,
            },
            "targets": {
                "ttft_ms": self.targets.ttft_s * 1e3,
                "tpot_ms": self.targets.tpot_s * 1e3,
                "percentile": self.targets.percentile,
            },
            "speculative": self.speculation.as_dict() if self.speculation else None,
            "confidence": self.confidence,
            "band_level": bands.LEVEL,
            "estimator_version": self.estimator_version,
            "warnings": list(self.warnings),
        }


def _ms(seconds: float | None) -> float | None:
    """Milliseconds; None for none (a completion of one token has no TPOT)."""
    return None if seconds is None or math.isnan(seconds) else seconds * 1e3


# Work


def planning_work(
    model: ModelSpec,
    gpus: list[GpuSpec],
    engine: EngineSpec,
    traffic: Traffic,
    *,
    weights: list[Dtype] | None = None,
    max_gpus_per_replica: int = DEFAULT_MAX_GPUS_PER_REPLICA,
    parallelism: Parallelism = Parallelism.TENSOR,
) -> float:
    """The scheduler steps a plan takes, from its inputs alone (the unit of
    ``serving.simulation_work``): each option considered (``OPTION_STEPS`` and one
    request alone), and the searches, as ``PLAN_FULL_RUNS`` runs of the longest length.
    An estimate (the most the benchmark set took, with a margin), not a bound: where
    nothing is priced, or many options could each be the cheapest, a plan searches
    more; ``plan(max_steps=...)`` bounds it."""
    options = sum(
        len(weights or native_weights(gpu))
        * len(replica_layouts(model, max_gpus_per_replica, parallelism))
        for gpu in gpus
    )
    lengths = Workload(
        num_gpus=1, prompt_tokens=traffic.prompt_tokens, completion_tokens=traffic.completion_tokens
    )
    per_request = simulation_work(engine, lengths, 1)
    return options * (OPTION_STEPS + per_request) + PLAN_FULL_RUNS * SEARCH_MAX_REQUESTS * (
        per_request
    )


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


def replica_layouts(
    model: ModelSpec, max_gpus: int, parallelism: Parallelism = Parallelism.TENSOR
) -> list[tuple[Parallelism, int]]:
    """Each way to split a replica the plan weighs: every tensor-parallel size, and with
    ``parallelism=expert`` also every expert-parallel one from 2 GPUs (powers of two, at
    most one GPU per routed expert: expert.validate), so EP is weighed against TP."""
    layouts = [(Parallelism.TENSOR, n) for n in replica_sizes(model, max_gpus)]
    if parallelism is Parallelism.EXPERT:
        n = 2
        while n <= min(max_gpus, model.num_experts):
            layouts.append((Parallelism.EXPERT, n))
            n *= 2
    return layouts


# The plan


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
    reference: bool = False,
    max_steps: int | None = None,
    confidence: str = ESTIMATE,
    evidence: Sequence[bands.Evidence] = (),
    margin: Mapping[str, float] | None = None,
    headroom: Headroom = NO_HEADROOM,
    spot_price: PriceFunction | None = None,
    other_prices: OtherPrices | None = None,
    disaggregated: bool = False,
    parallelism: Parallelism = Parallelism.TENSOR,
) -> PlanResult:
    """Every option for the traffic, cheapest first, and the best one. ``reference``:
    search every option in full (slow; the fast plan's yardstick). ``max_steps``: refuse
    (WorkLimitExceeded) a plan that needs more simulation steps (runs remembered from
    earlier plans cost none). ``headroom``: the capacity share and spare replica sized
    for. ``spot_price``: spot prices, to give the cheapest option on spot (the options
    themselves are priced by ``price``). ``other_prices``: each provider's price for a
    GPU and count, for the runner-up from another provider. ``confidence``: size replicas
    on the estimate or on the pessimistic end of its error bands, which come from
    ``evidence`` and ``margin`` (the calibration report's; none: the factor-of-two band of
    bands.band). ``disaggregated``: also consider separate prefill and decode pools
    (disaggregated.py), the cheaper meeting the targets winning. ``parallelism``: tensor,
    or expert to weigh expert-parallel replicas too (MoE models only: a dense one is
    refused on ``parallelism``)."""
    _validate(traffic, targets, max_gpus_per_replica, headroom)
    speculative.validate(model, traffic.workload())
    expert.validate(model, Workload(num_gpus=1, parallelism=parallelism))
    if disaggregated and (
        parallelism is not Parallelism.TENSOR or traffic.speculative != speculative.Method.NONE
    ):
        raise EstimatorInputError(
            "disaggregated",
            "Disaggregated pools are planned with tensor parallelism and no speculative "
            "decoding: not yet with expert parallelism or speculative decoding.",
        )
    if confidence not in CONFIDENCE_CHOICES:
        raise EstimatorInputError("confidence", f"One of {', '.join(CONFIDENCE_CHOICES)}.")
    judge = _Judge(model, engine, traffic, targets, confidence, tuple(evidence), margin or {})
    work = Work(max_steps)
    search = _Search(
        model, gpus, engine, traffic, targets, weights, max_gpus_per_replica, price, headroom
    )
    try:
        options = _options(search, work, reference, judge, parallelism)
    except WorkLimitExceeded:
        raise WorkLimitExceeded(
            "gpus",
            f"This plan needs more than {max_steps:,} simulation steps, the most allowed: "
            "plan fewer GPUs, precisions or GPUs per replica at once.",
        ) from None
    if disaggregated:
        options += _split_options(search)
    options = _rank(_mark_front([judge.banded(o) for o in options]))
    best = next((o for o in options if o.meets_targets), None)
    warnings = []
    if traffic.average_rate < traffic.peak_rate:
        warnings.append(
            "Replicas are sized for the peak and billed all month; the cost per 1M tokens "
            "is at the average rate."
        )
    cache = prefix.use(traffic.prompt_tokens, traffic.shared_prefix_tokens, traffic.prefix_hit_rate)
    if cache.cached:
        warnings.append(prefix.explain(cache))
    return PlanResult(
        traffic=traffic,
        targets=targets,
        options=tuple(options),
        best=best,
        best_reason="" if best else _no_best_reason(options),
        api_comparison=_api_comparison(traffic, apis, best),
        estimator_version=C.ESTIMATOR_VERSION,
        warnings=tuple(warnings),
        steps=work.spent,
        confidence=confidence,
        headroom=headroom,
        runner_up=_runner_up(options, best, gpus, other_prices, traffic),
        cheapest_spot=_cheapest_spot(options, gpus, spot_price, traffic),
        speculation=_speculated(model, gpus, engine, traffic, best),
        disaggregation=_split_note(options) if disaggregated else "",
    )


@dataclass(frozen=True)
class Speculated:
    """Speculative decoding on the best option: its inputs (defaults filled), and how
    much faster it decodes alone (batch 1) and at the largest batch that fits, where it
    helps least or hurts (``core.estimate``'s speedup: seconds per output token without
    over with). The capacity search itself simulates it at every load."""

    alone: Speculative  # at batch 1: the inputs, tokens per step and speedup
    largest_batch: int
    speedup_at_largest_batch: float
    on: str  # the option measured (its label)

    @property
    def summary(self) -> str:
        """One sentence: "EAGLE at acceptance 0.8 (3 drafted tokens, 2.95 a verification):
        decode 2.1x as fast at batch 1, 1.4x at batch 256 on 1 x A100 80GB SXM int8; ..."."""
        alone = self.alone
        name = {"draft": f"A draft model ({alone.draft_model})"}.get(
            alone.method, alone.method.upper()
        )
        return (
            f"{name} at acceptance {alone.acceptance_rate:g} ({alone.num_speculative_tokens} "
            f"drafted token{'s' if alone.num_speculative_tokens != 1 else ''}, "
            f"{alone.tokens_per_step:.2f} a verification): decode "
            f"{alone.speedup:.2g}x as fast at batch 1, "
            f"{self.speedup_at_largest_batch:.2g}x at batch {self.largest_batch:,} on "
            f"{self.on}; the replicas are sized with it at every load."
        )

    # The batch-1 estimate's inputs and tokens per verification, as they are named there.
    INPUTS = ("method", "draft_model", "num_speculative_tokens", "acceptance_rate")

    def as_dict(self) -> dict:
        return {
            **{name: getattr(self.alone, name) for name in (*self.INPUTS, "tokens_per_step")},
            "speedup_at_batch_1": self.alone.speedup,
            "largest_batch": self.largest_batch,
            "speedup_at_largest_batch": self.speedup_at_largest_batch,
            "on": self.on,
            "summary": self.summary,
        }


def _speculated(
    model: ModelSpec,
    gpus: list[GpuSpec],
    engine: EngineSpec,
    traffic: Traffic,
    best: Option | None,
) -> Speculated | None:
    """Speculative decoding's effect on the best option (two estimates: batch 1 and
    the largest batch that fits); None without speculation or a best."""
    if best is None or traffic.speculative == speculative.Method.NONE:
        return None
    gpu = next(g for g in gpus if g.slug == best.gpu)
    asked = traffic.workload(num_gpus=best.gpus_per_replica, weights_dtype=best.weights)
    alone = estimate(model, gpu, engine, replace(asked, batch_size=1), trace=False)
    full = estimate(model, gpu, engine, replace(asked, batch_size=None), trace=False)
    return Speculated(alone.speculative, full.batch, full.speculative.speedup, best.label)


@dataclass(frozen=True)
class _Search:
    """What plan() searches, as both searches (aggregated, and disaggregated pools) read
    it: the model on each GPU and precision (``weights``, else the GPU's native ones) at
    each replica size, for the traffic within the targets, priced by ``price``."""

    model: ModelSpec
    gpus: list[GpuSpec]
    engine: EngineSpec
    traffic: Traffic
    targets: Targets
    weights: list[Dtype] | None
    max_gpus_per_replica: int
    price: PriceFunction
    headroom: Headroom

    def choices(
        self, parallelism: Parallelism = Parallelism.TENSOR
    ) -> Iterator[tuple[GpuSpec, Dtype, Parallelism, int]]:
        """Each GPU, precision and replica layout searched, in that order."""
        for gpu in self.gpus:
            for dtype in self.weights or native_weights(gpu):
                for layout, n in replica_layouts(
                    self.model, self.max_gpus_per_replica, parallelism
                ):
                    yield gpu, dtype, layout, n


def _split_options(search: _Search) -> list[Option]:
    """The disaggregated options meeting the targets (disaggregated.py), one for each
    prefill GPU, decode GPU and precision: its cheapest pools."""
    model, engine, traffic, targets = search.model, search.engine, search.traffic, search.targets
    price, headroom = search.price, search.headroom
    choices = [(gpu, dtype, n) for gpu, dtype, _, n in search.choices()]
    lengths = Workload(
        num_gpus=1,
        prompt_tokens=traffic.prompt_tokens,
        completion_tokens=traffic.completion_tokens,
        shared_prefix_tokens=traffic.shared_prefix_tokens,
        prefix_hit_rate=traffic.prefix_hit_rate,
    )
    found = split.phases(model, engine, choices, lengths, targets, price)
    demand = split.Demand(
        peak=traffic.peak_rate,
        prompt=traffic.prompt_tokens,
        completion=traffic.completion_tokens,
        targets=targets,
        utilization=headroom.target_utilization,
        spare=headroom.spare,
        arrivals=traffic.arrivals,
    )
    pairs = split.search(model, found, demand)
    specs = {gpu.slug: gpu for gpu in search.gpus}
    tokens_per_hour = traffic.average_rate * C.SECONDS_PER_HOUR * traffic.tokens_per_request
    options = []
    for pair in pairs:
        pre, dec = pair.prefill, pair.decode
        used = price(specs[pre.gpu], pre.gpus_per_replica)
        names = pre.gpu_name if pre.gpu == dec.gpu else f"{pre.gpu_name} + {dec.gpu_name}"
        options.append(
            Option(
                gpu=pre.gpu,
                gpu_name=names,
                gpus_per_replica=dec.gpus_per_replica,
                weights=Dtype(pre.weights),
                kv=kv_dtype_of(replace(lengths, weights_dtype=Dtype(pre.weights))),
                engine=engine.slug,
                meets_targets=True,
                reasons=(),
                reason_codes=(),
                max_rate_per_replica=dec.max_rate_per_replica,
                replicas=pre.replicas + dec.replicas,
                ttft_s=pair.ttft_s,
                tpot_s=pair.tpot_s,
                usd_per_gpu_hour=pre.usd_per_gpu_hour,
                usd_per_hour=pair.usd_per_hour,
                usd_per_month=pair.usd_per_hour * HOURS_PER_MONTH,
                usd_per_1m_tokens=pair.usd_per_hour / tokens_per_hour * C.TOKENS_PER_MILLION,
                price_source=used.label,
                tokens_per_second_per_gpu=None,
                tokens_per_second_per_user=None,
                price=used,
                pools=pair,
            )
        )
    return options


def _split_note(options: list[Option]) -> str:
    """Which won, disaggregated or aggregated serving, and by how much."""
    meeting = [o for o in options if o.meets_targets and o.usd_per_month is not None]
    apart = next((o for o in meeting if o.pools is not None), None)
    together = next((o for o in meeting if o.pools is None), None)
    if apart is None:
        return (
            "Disaggregated prefill/decode was considered: no pair of pools meets the "
            "targets at a price."
        )
    if together is None:
        return (
            "Disaggregated prefill/decode wins: no aggregated option meets the targets, "
            f"separate pools do ({apart.label}, ${apart.usd_per_month:,.0f} a month)."
        )
    if apart.usd_per_month < together.usd_per_month:
        return (
            f"Disaggregated prefill/decode wins: {apart.label} costs "
            f"${apart.usd_per_month:,.0f} a month against ${together.usd_per_month:,.0f} "
            "for the cheapest aggregated option; without prompts interrupting decode steps, "
            "the decode replicas run larger batches within the TPOT target."
        )
    return (
        f"Aggregated serving wins: {together.label} costs ${together.usd_per_month:,.0f} a "
        f"month against ${apart.usd_per_month:,.0f} for the cheapest disaggregated pools "
        "(each pool rounds up to whole replicas, and the KV transfer eats into the TTFT)."
    )


def _runner_up(
    options: list[Option],
    best: Option | None,
    gpus: list[GpuSpec],
    other_prices: OtherPrices | None,
    traffic: Traffic,
) -> Option | None:
    """The cheapest option meeting the targets rented from another provider than the
    best: among the options as priced, and each of them repriced at every other
    provider's offer (same replicas); None without a best or another provider."""
    if best is None or best.price is None:
        return None
    avoid = best.price.provider
    meeting = [o for o in options if o.meets_targets and o.replicas and o.pools is None]
    candidates = [o for o in meeting if o.price is not None and o.price.provider != avoid]
    if other_prices is not None:
        specs = {gpu.slug: gpu for gpu in gpus}
        for o in meeting:
            for used in other_prices(specs[o.gpu], o.gpus_per_replica):
                if used.provider and used.provider != avoid:
                    candidates.append(_priced(o, used, traffic))
    return min(candidates, key=lambda o: (o.usd_per_month, o.gpu), default=None)


def _cheapest_spot(
    options: list[Option],
    gpus: list[GpuSpec],
    spot_price: PriceFunction | None,
    traffic: Traffic,
) -> Option | None:
    """The options meeting the targets repriced at spot (same replicas: the price does
    not change what a replica sustains), the cheapest; None when none has a spot price."""
    if spot_price is None:
        return None
    specs = {gpu.slug: gpu for gpu in gpus}
    repriced = []
    for o in options:
        if not o.meets_targets or o.replicas is None or o.pools is not None:
            continue
        used = spot_price(specs[o.gpu], o.gpus_per_replica)
        if not used.spot or used.effective_usd_per_gpu_hour is None:
            continue  # no spot offer: the price fell back to an on-demand one
        repriced.append(_priced(o, used, traffic))
    return min(repriced, key=lambda o: (o.usd_per_month, o.gpu), default=None)


def _priced(option: Option, used: PriceUsed, traffic: Traffic) -> Option:
    """The option's replicas at another price."""
    hourly = used.effective_usd_per_gpu_hour
    per_hour = hourly * option.gpus_per_replica * option.replicas
    tokens_per_hour = traffic.average_rate * C.SECONDS_PER_HOUR * traffic.tokens_per_request
    return replace(
        option,
        usd_per_gpu_hour=hourly,
        usd_per_hour=per_hour,
        usd_per_month=per_hour * HOURS_PER_MONTH,
        usd_per_1m_tokens=per_hour / tokens_per_hour * C.TOKENS_PER_MILLION,
        price_source=used.label,
        price=used,
    )


@dataclass(frozen=True)
class _Judge:
    """The bands of a plan's options, and the targets replicas are sized on."""

    model: ModelSpec
    engine: EngineSpec
    traffic: Traffic
    targets: Targets
    confidence: str
    evidence: tuple[bands.Evidence, ...]
    margin: Mapping[str, float]
    # Each GPU's regime bands, found once a plan: its options share the query.
    kept: dict = field(default_factory=dict, compare=False, repr=False)

    def regime_bands(self, gpu_slug: str) -> dict:
        """The bands of an option on this GPU, by regime (once per GPU and plan)."""
        found = self.kept.get(gpu_slug)
        if found is None:
            query = self.query(gpu_slug)
            found = self.kept[gpu_slug] = bands.regime_bands(query, self.evidence, self.margin)
        return found

    def query(self, gpu_slug: str) -> bands.Features:
        """An option's likeness to the measurements: its GPU and engine, under load."""
        return bands.features(
            gpu_slug,
            self.engine.slug,
            self.model.slug,
            self.model.num_experts > 0,
            None,
            self.traffic.prompt_tokens,
        )

    def planned_for(self, gpu_slug: str) -> Targets:
        """The targets replicas on this GPU are sized on: the plan's, or each divided by
        its band's high end (a latency that runs that much slower still meets it)."""
        if self.confidence == ESTIMATE:
            return self.targets
        by_regime = self.regime_bands(gpu_slug)
        return replace(
            self.targets,
            ttft_s=self.targets.ttft_s / by_regime["ttft"].high,
            tpot_s=self.targets.tpot_s / by_regime["decode"].high,
        )

    def banded(self, option: Option) -> Option:
        """The option with its bands: the capacity per replica and the latencies."""
        figures = {
            "max_rate_per_replica": option.max_rate_per_replica or None,
            "ttft_ms": _ms(option.ttft_s),
            "tpot_ms": _ms(option.tpot_s),
        }
        found = bands.banded(figures, self.regime_bands(option.gpu), bands.PLAN_FIGURE_BANDS)
        return replace(option, planned_for=self.planned_for(option.gpu), confidence=found)


def _options(
    search: _Search, work: Work, reference: bool, judge: _Judge, parallelism: Parallelism
) -> list[Option]:
    """Every option, searched cheapest first (by the least each could cost), those that
    cannot be cheaper than the best found so far left unsearched; every option searched
    in full for the reference."""
    options: list[Option] = []
    candidates: list[_Candidate] = []
    s = search
    for gpu, dtype, layout, n in s.choices(parallelism):
        planned = judge.planned_for(gpu.slug)
        found = _consider(
            s.model,
            gpu,
            s.engine,
            s.traffic,
            planned,
            (dtype, layout),
            n,
            s.price,
            work,
            s.headroom,
        )
        (candidates if isinstance(found, _Candidate) else options).append(found)
    cheapest: dict[str, float] = {}  # the cheapest meeting option's month, by provider
    for candidate in sorted(candidates, key=lambda c: c.least_usd_per_month):
        if reference:
            option = candidate.searched(REFERENCE_TOLERANCE, work)
        else:
            bar = _bar(cheapest, candidate.option.provider)
            option = candidate.pruned(bar, work) or candidate.searched(SEARCH_TOLERANCE, work)
        if option.meets_targets and option.usd_per_month is not None:
            provider = candidate.option.provider
            cheapest[provider] = min(cheapest.get(provider, math.inf), option.usd_per_month)
        options.append(option)
    return options


def _bar(cheapest: dict[str, float], provider: str) -> float:
    """The month an option from ``provider`` must beat to change the answer: the best's
    when it is the best's provider (it could only be a cheaper best), else the
    runner-up's (it could be the runner-up, or the best). inf until there is one."""
    months = sorted(cheapest.items(), key=lambda item: item[1])
    if not months:
        return math.inf
    if months[0][0] == provider:
        return months[0][1]
    return months[1][1] if len(months) > 1 else math.inf


def _api_comparison(
    traffic: Traffic, apis: tuple[ApiOffering, ...], best: Option | None
) -> tuple[ApiMonthly, ...]:
    """What each API would charge a month for the same tokens, and per 1M output
    tokens (the calculator's unit); the same model's first, then the closed references,
    then the rest, deprecated ones last, each cheapest first."""
    requests = traffic.average_rate * SECONDS_PER_DAY * HOURS_PER_MONTH / 24
    prompt, completion = traffic.prompt_tokens, traffic.completion_tokens
    plan_month = best.usd_per_month if best is not None else None
    cached = prefix.use(prompt, traffic.shared_prefix_tokens, traffic.prefix_hit_rate).cached
    rows = api_bills(apis, requests, prompt, completion, cached)
    if plan_month is not None:
        rows = tuple(
            replace(row, usd_per_month_vs_plan=row.usd_per_month - plan_month) for row in rows
        )

    def order(row: ApiMonthly) -> tuple:
        group = 0 if row.same_model else 1 if row.reference else 2
        return (row.deprecated, group, row.usd_per_month, row.slug)

    return tuple(sorted(rows, key=order))


def _consider(
    model: ModelSpec,
    gpu: GpuSpec,
    engine: EngineSpec,
    traffic: Traffic,
    targets: Targets,
    how: tuple[Dtype, Parallelism],
    n: int,
    price: PriceFunction,
    work: Work,
    headroom: Headroom,
) -> Option | _Candidate:
    """One GPU x replica size x (precision, parallelism): an option already decided
    (does not fit, or one request alone misses a target), or a candidate for the search."""
    dtype, parallelism = how
    workload = traffic.workload(num_gpus=n, weights_dtype=dtype, parallelism=parallelism)
    work.spend(OPTION_STEPS)
    used = price(gpu, n)  # whole instances billed, spread over the GPUs asked for
    hourly, source = used.effective_usd_per_gpu_hour, used.label
    option = _OptionMaker(
        common={
            "gpu": gpu.slug,
            "gpu_name": gpu.name,
            "gpus_per_replica": n,
            "weights": dtype,
            "parallelism": parallelism,
            "kv": kv_dtype_of(workload),
            "engine": engine.slug,
            "usd_per_gpu_hour": hourly,
            "price_source": source,
            "price": used,
        },
        gpu_name=gpu.name,
        n=n,
        hourly=hourly,
    )
    try:
        load = replica_load(
            model, gpu, engine, workload, targets, traffic.arrivals, traffic.length_pairs
        )
    except EstimatorInputError as error:
        if error.field == "num_gpus":
            return option.failed(Reason.DOES_NOT_FIT, f"Does not fit: {error.message}")
        return option.failed(Reason.UNSUPPORTED, error.message)
    kv_tokens = load.replica.kv_blocks * BLOCK_TOKENS
    if kv_tokens < traffic.tokens_per_request:
        return option.failed(
            Reason.DOES_NOT_FIT,
            f"Does not fit: the KV cache holds {kv_tokens:,} tokens, "
            f"less than one request's {traffic.tokens_per_request:,}.",
        )
    missed = _missed_alone(load, targets, work)
    if missed is not None:
        return missed(option)
    least = (
        (math.ceil(headroom.sizing_rate(traffic.peak_rate) / load.bound) + headroom.spare)
        * n
        * hourly
        * HOURS_PER_MONTH
        if hourly is not None and load.bound > 0
        else math.inf
    )
    return _Candidate(load, traffic, option, least, headroom)


def _missed_alone(
    load: ReplicaLoad, targets: Targets, work: Work
) -> Callable[[_OptionMaker], Option] | None:
    """If one request alone misses a target, the option that says so."""
    alone = load.alone(work)
    ttft_ok, tpot_ok = targets.met_by(alone)
    if ttft_ok and tpot_ok:
        return None
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
    pct = targets.percentile

    def option(maker: _OptionMaker) -> Option:
        failed = maker.failed(codes[0], reasons[0], ttft_s=alone.ttft_s.at(pct))
        return replace(
            failed, reasons=tuple(reasons), reason_codes=tuple(codes), tpot_s=alone.tpot_s.at(pct)
        )

    return option


@dataclass(frozen=True)
class _OptionMaker:
    """What every option of one configuration shares, and the options it can become."""

    common: dict
    gpu_name: str
    n: int
    hourly: float | None

    @property
    def provider(self) -> str:
        """Whom the price comes from ("" for a catalog or typed price)."""
        price = self.common.get("price")
        return price.provider if price is not None else ""

    def failed(self, code: str, reason: str, **figures) -> Option:
        values = {
            "max_rate_per_replica": 0.0,
            "replicas": None,
            "ttft_s": None,
            "tpot_s": None,
            "usd_per_hour": None if self.hourly is None else self.hourly * self.n,
            "usd_per_month": None,
            "usd_per_1m_tokens": None,
            "tokens_per_second_per_gpu": None,
            "tokens_per_second_per_user": None,
        }
        values.update(figures)
        return Option(
            **self.common, meets_targets=False, reasons=(reason,), reason_codes=(code,), **values
        )

    def costs_more(self, replicas: int, why: str) -> Option:
        """Not searched: at least ``replicas`` replicas, more than the best costs."""
        month = replicas * self.n * self.hourly * HOURS_PER_MONTH
        return self.failed(
            Reason.COSTS_MORE,
            f"Costs more than the best: {why}, so at least {replicas:,} "
            f"replica{'s' if replicas != 1 else ''}, ${month:,.0f} a month (not simulated "
            "further).",
            usd_per_month_at_least=month,
        )


@dataclass(frozen=True)
class _Candidate:
    """A configuration that fits and meets the targets alone, waiting for its search."""

    load: ReplicaLoad
    traffic: Traffic
    option: _OptionMaker
    least_usd_per_month: float  # at its analytic bound (inf without a price)
    headroom: Headroom = NO_HEADROOM

    def pruned(self, best_month: float, work: Work) -> Option | None:
        """The option, if it cannot be cheaper than ``best_month``: its least cost is
        higher, or as many replicas as it could afford miss the targets (one run)."""
        maker, spare = self.option, self.headroom.spare
        peak = self.headroom.sizing_rate(self.traffic.peak_rate)
        if not maker.hourly or best_month == math.inf:  # no price, or free: search it
            return None
        replica_month = maker.n * maker.hourly * HOURS_PER_MONTH
        affordable = math.floor(best_month / replica_month * (1 + SAME_COST))
        if self.least_usd_per_month > best_month * (1 + SAME_COST) or affordable <= spare:
            fewest = math.ceil(peak / self.load.bound) + spare
            return maker.costs_more(
                fewest, f"one replica sustains at most {self.load.bound:,.3g} requests/s"
            )
        share = peak / (affordable - spare)
        if self.load.trial(share, work).ok:
            return None
        return maker.costs_more(
            affordable + 1,
            f"1 replica at {share:,.3g} requests/s misses the targets"
            if affordable == 1
            else f"{affordable:,} replicas at {share:,.3g} requests/s each miss the targets",
        )

    def searched(self, tolerance: float, work: Work) -> Option:
        """The option with its capacity, replicas and cost."""
        load, maker, traffic, headroom = self.load, self.option, self.traffic, self.headroom
        pct = load.targets.percentile
        capacity = load.capacity(tolerance, work)
        if not capacity.meets_at_some_load:
            return maker.failed(Reason.MISSES_TTFT, why_no_load_meets(load, traffic, pct))
        sizing = headroom.sizing_rate(traffic.peak_rate)
        sized, at_load = _replicas(load, capacity, sizing, work)
        if not at_load.ok:
            code = Reason.MISSES_TPOT if at_load.ttft_ok else Reason.MISSES_TTFT
            return maker.failed(
                code, f"Misses the targets at the planned load ({pct}), replicas added."
            )
        replicas = sized + headroom.spare
        # The latency reported is at the load the replicas carry, every one up.
        if replicas != sized or sizing != traffic.peak_rate:
            at_load = load.trial(traffic.peak_rate / replicas, work)
        at_best = capacity.at_rate.result
        figures = {
            "max_rate_per_replica": capacity.rate,
            "replicas": replicas,
            "utilization": traffic.peak_rate / (replicas * capacity.rate),
            "ttft_s": at_load.result.ttft_s.at(pct),
            "tpot_s": at_load.result.tpot_s.at(pct),
            "tokens_per_second_per_gpu": at_best.output_tokens_per_second / maker.n,
            "tokens_per_second_per_user": (
                1 / at_best.tpot_s.p50 if at_best.tpot_s.p50 > 0 else None
            ),
        }
        if maker.hourly is None:
            return maker.failed(
                Reason.NO_PRICE,
                f"No price per GPU-hour for {maker.gpu_name}: enter one.",
                **figures,
            )
        per_hour = maker.hourly * maker.n * replicas
        tokens_per_hour = traffic.average_rate * C.SECONDS_PER_HOUR * traffic.tokens_per_request
        return Option(
            **maker.common,
            meets_targets=True,
            reasons=(),
            reason_codes=(),
            usd_per_hour=per_hour,
            usd_per_month=per_hour * HOURS_PER_MONTH,
            usd_per_1m_tokens=per_hour / tokens_per_hour * C.TOKENS_PER_MILLION,
            **figures,
        )


def why_no_load_meets(load: ReplicaLoad, traffic: Traffic, percentile: str) -> str:
    """Why an option that meets the targets with one request alone misses them at every
    load searched: how many requests of this length its KV cache holds at once, when
    that is few (they wait for each other), else queueing."""
    held = load.replica.kv_blocks * BLOCK_TOKENS // traffic.tokens_per_request
    if held <= FEW_REQUESTS_HELD:
        return (
            f"Misses the targets at any load: the KV cache holds {held:,} "
            f"request{'s' if held != 1 else ''} of this length at once, so requests wait "
            f"for each other and the {percentile} passes the targets."
        )
    return (
        "Misses the targets at any load: one request alone meets them, but queueing "
        f"alone pushes the {percentile} past them."
    )


def _replicas(load: ReplicaLoad, capacity: Capacity, peak: float, work: Work) -> tuple[int, Trial]:
    """Replicas for the peak: peak / capacity rounded up, unless the capacity search
    left the share of one replica fewer undecided (between the rate found to meet the
    targets and the lowest found to miss them), which is then tried; then checked at
    the load they will carry, adding one while it misses (a few times at most). The
    replicas and the run at their load (missing the targets when every try did)."""
    replicas = max(1, math.ceil(peak / capacity.rate))
    for fewer in range(max(1, math.ceil(peak / capacity.missed)), replicas):
        if load.trial(peak / fewer, work).ok:
            replicas = fewer
            break
    for attempt in range(EXTRA_REPLICA_TRIES):
        at_load = load.trial(peak / (replicas + attempt), work)
        if at_load.ok:
            return replicas + attempt, at_load
    return replicas + EXTRA_REPLICA_TRIES, at_load


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
    """Those meeting the targets by cost a month, then those that cost more than the
    best by the least they would, then the rest by the price of one replica an hour."""

    def key(o: Option) -> tuple:
        if o.meets_targets:
            group, cost = 0, o.usd_per_month
        elif o.usd_per_month_at_least is not None:
            group, cost = 1, o.usd_per_month_at_least
        else:
            group, cost = 2, o.usd_per_hour
        # At the same cost, the option with more headroom (replicas x rate) first.
        headroom = -(o.replicas or 0) * o.max_rate_per_replica
        return (group, cost is None, cost or 0.0, headroom, o.gpu)

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


def _validate(traffic: Traffic, targets: Targets, max_gpus: int, headroom: Headroom) -> None:
    """Every number plan() takes, in range (NaN fails every comparison, so it is out)."""
    given = traffic.given_as
    per_day = " (requests per day x peak factor / 86,400)" if given != "rate" else ""
    if (
        not _is_number(traffic.peak_rate)
        or not MIN_SERVE_RATE <= traffic.peak_rate <= MAX_PLAN_RATE
    ):
        raise EstimatorInputError(
            given,
            f"The peak{per_day} must be from {MIN_SERVE_RATE:g} (one request in 11 days) to "
            f"{MAX_PLAN_RATE:,.0f} requests/s.",
        )
    average = traffic.average_rate
    if not _is_number(average) or not MIN_AVERAGE_RATE <= average <= traffic.peak_rate:
        raise EstimatorInputError(
            given,
            f"The average must be from {MIN_AVERAGE_RATE:g} requests/s to the peak "
            f"(a peak factor from 1 to {MAX_PEAK_FACTOR:,.0f}).",
        )
    for name, tokens in (
        ("prompt", traffic.prompt_tokens),
        ("completion", traffic.completion_tokens),
    ):
        if not _is_count(tokens) or not 1 <= tokens <= MAX_TOKENS:
            raise EstimatorInputError(name, f"Must be a whole number from 1 to {MAX_TOKENS:,}.")
    prefix.validate(traffic.workload())
    if targets.percentile not in PERCENTILE_CHOICES:
        raise EstimatorInputError("percentile", f"One of {', '.join(PERCENTILE_CHOICES)}.")
    for name, seconds in (("ttft_ms", targets.ttft_s), ("tpot_ms", targets.tpot_s)):
        if not _is_number(seconds) or not 0 < seconds <= MAX_TARGET_S:
            raise EstimatorInputError(
                name, f"Targets must be above 0 and at most {MAX_TARGET_S * 1e3:,.0f} ms."
            )
    if not _is_count(max_gpus) or not 1 <= max_gpus <= MAX_GPUS_PER_REPLICA:
        raise EstimatorInputError(
            "max_gpus_per_replica", f"Must be from 1 to {MAX_GPUS_PER_REPLICA}."
        )
    utilization = headroom.target_utilization
    if (
        not _is_number(utilization)
        or not MIN_TARGET_UTILIZATION <= utilization <= MAX_TARGET_UTILIZATION
    ):
        raise EstimatorInputError(
            "target_utilization",
            f"Must be from {MIN_TARGET_UTILIZATION:g} to {MAX_TARGET_UTILIZATION:g} "
            "(a share of each replica's capacity: 0.8 for 80%).",
        )


def _is_number(value) -> bool:
    return not isinstance(value, bool) and isinstance(value, int | float)


def _is_count(value) -> bool:
    return not isinstance(value, bool) and isinstance(value, int)


__all__ = [
    "DEFAULT_PERCENTILE",
    "DEFAULT_TARGET_UTILIZATION",
    "HOURS_PER_MONTH",
    "Headroom",
    "NO_HEADROOM",
    "WorkLimitExceeded",
    "LengthSpread",
    "Reason",
    "Option",
    "PlanResult",
    "Speculated",
    "Targets",
    "Traffic",
    "native_weights",
    "plan",
    "planning_work",
]
