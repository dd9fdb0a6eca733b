"""Disaggregated prefill and decode: separate pools of replicas for each phase, as NVIDIA
Dynamo, llm-d and SGLang (``--disaggregation-mode prefill|decode``) deploy it, and as
DistServe (Zhong et al., OSDI 2024) and Splitwise (Patel et al., ISCA 2024) model it.

Everything here is analytic (no simulation), so considering it adds little to a plan's
work:

- **Prefill pool.** One replica computes prompts back to back, each costing its batched
  GPU time G (``timing.prefill_gpu_seconds_per_request``): it serves 1 / G requests/s.
  Its queue is M/D/1 as DistServe models it (deterministic service), with Kingman's
  factor (c_a^2 + 0) / 2 for bursty arrivals and an exponential tail for the percentile.
  TTFT = wait at the percentile + one prompt alone (``timing.prefill``) + KV transfer.
  Replicas: the peak over G, at most the plan's utilization, more while TTFT misses.
- **KV transfer.** The prompt's KV cache (``memory.kv_bytes_per_token`` x prompt), sent
  in parallel by the prefill replica's GPUs over NVLink when one prefill and one decode
  replica fit in one NVLink node (DistServe's placement for slow cross-node links), else
  over the network between nodes (``INTER_NODE_GB_S`` per GPU), plus a fixed latency.
- **Decode pool.** No prompt interrupts a decode step (the point of disaggregating): the
  largest batch whose step meets the TPOT target and whose KV cache holds the running
  sequences, turned into a rate by Little's law (``capacity.tpot_bound_rate``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from . import prefix, timing
from .arrivals import Arrivals
from .capacity import replica_load, tpot_bound_batch
from .constants import BYTES_PER_GB, INTER_NODE_GB_S, NODE_GPUS, SCALE_UP_DOMAIN_GPUS
from .memory import kv_bytes_per_token, kv_dtype_of
from .pricing import PriceFunction
from .scheduler import BLOCK_TOKENS, Replica
from .serving import Targets
from .specs import (
    Dtype,
    EngineSpec,
    EstimatorInputError,
    GpuSpec,
    Interconnect,
    ModelSpec,
    Workload,
)
from .step import step_time

# A KV transfer's fixed cost: registering the blocks, the handshake between the two
# engines and the first byte over RDMA (assumption: ~1 ms; Mooncake's transfer engine and
# NIXL report sub-millisecond per-transfer setup, the engines' bookkeeping adds to it).
KV_TRANSFER_LATENCY_S = 1e-3
# The share of a link's one-way bandwidth a KV transfer reaches (assumption: as large
# paged copies, close to the link; DistServe measures the transfer as a small share of
# the request's latency over 25 Gb/s between nodes and NVLink within one).
KV_TRANSFER_EFFICIENCY = 0.8
# Bisection steps for the prefill pool's highest utilization within the TTFT target.
UTILIZATION_STEPS = 40
# Cross-type pairs (prefill on one GPU type, decode on another) are tried among this many
# GPU types, those whose own disaggregated option is cheapest (keeps the search bounded).
MIXED_TOP_GPUS = 3


@dataclass(frozen=True)
class Link:
    name: str  # the interconnect within a node ("nvlink", ...), or "network"
    gb_s: float  # one direction, per GPU, 10^9 bytes/s


@dataclass(frozen=True)
class Transfer:
    """One prompt's KV cache, from a prefill replica to a decode replica."""

    bytes: float
    link: Link
    gpus: int  # GPUs sending in parallel (each its tensor-parallel share)
    seconds: float

    def as_dict(self) -> dict:
        return {
            "megabytes": self.bytes / 1e6,
            "link": self.link.name,
            "gb_s_per_gpu": self.link.gb_s,
            "gpus": self.gpus,
            "ms": self.seconds * 1e3,
            "latency_ms": KV_TRANSFER_LATENCY_S * 1e3,
        }


def link(prefill_gpu: GpuSpec, prefill_n: int, decode_gpu: GpuSpec, decode_n: int) -> Link:
    """NVLink when one replica of each pool fits in one node of the same GPU's NVLink
    domain; else the network between nodes (400 Gb/s per GPU, ``INTER_NODE_GB_S``)."""
    domain = SCALE_UP_DOMAIN_GPUS[prefill_gpu.interconnect]
    same_node = (
        prefill_gpu.slug == decode_gpu.slug
        and prefill_gpu.interconnect is not Interconnect.PCIE
        and prefill_gpu.interconnect_gb_s > 0
        and prefill_n + decode_n <= min(domain, NODE_GPUS)
    )
    if same_node:
        return Link(prefill_gpu.interconnect.value, prefill_gpu.interconnect_gb_s / 2)
    return Link("network", INTER_NODE_GB_S)


def transfer(model: ModelSpec, kv_dtype: Dtype, prompt: int, link_: Link, gpus: int) -> Transfer:
    """The KV cache of one prompt (every layer) over ``gpus`` links in parallel:
    latency + bytes / (gpus x link x efficiency)."""
    size = kv_bytes_per_token(model, kv_dtype, 1, model.num_layers) * prompt
    rate = gpus * link_.gb_s * BYTES_PER_GB * KV_TRANSFER_EFFICIENCY
    return Transfer(size, link_, gpus, KV_TRANSFER_LATENCY_S + size / rate)


def wait_at(utilization: float, service_s: float, q: float, arrival_cv: float) -> float:
    """The wait at the q-th quantile (0-1) of an M/D/1 queue (G/D/1 by Kingman's
    factor): mean W = c x rho x S / (2 (1 - rho)) with c = c_a^2, the share waiting rho,
    those waiting exponentially so (assumption: the usual heavy-traffic tail)."""
    if utilization <= 0:
        return 0.0
    if utilization >= 1:
        return math.inf
    if utilization <= 1 - q:
        return 0.0
    mean_if_waiting = arrival_cv**2 * service_s / (2 * (1 - utilization))
    return mean_if_waiting * math.log(utilization / (1 - q))


@dataclass(frozen=True)
class Pool:
    """One phase's replicas: GPU, GPUs per replica, replicas, precision, what one
    replica sustains and the latency at the load the pool carries."""

    gpu: str
    gpu_name: str
    gpus_per_replica: int
    replicas: int
    weights: str
    max_rate_per_replica: float
    usd_per_gpu_hour: float
    latency_s: float  # prefill: TTFT without the transfer; decode: TPOT

    @property
    def usd_per_hour(self) -> float:
        return self.replicas * self.gpus_per_replica * self.usd_per_gpu_hour

    def as_dict(self) -> dict:
        return {
            "gpu": self.gpu,
            "gpu_name": self.gpu_name,
            "gpus_per_replica": self.gpus_per_replica,
            "replicas": self.replicas,
            "precision": self.weights,
            "max_rate_per_replica": self.max_rate_per_replica,
            "usd_per_gpu_hour": self.usd_per_gpu_hour,
            "usd_per_hour": self.usd_per_hour,
        }


@dataclass(frozen=True)
class Phase:
    """A replica of one GPU x size x precision, priced, before its pool is sized."""

    gpu: GpuSpec
    n: int
    replica: Replica
    usd_per_gpu_hour: float


def _pool(phase: Phase, replicas: int, max_rate_per_replica: float, latency_s: float) -> Pool:
    """``replicas`` of the phase's replica, each sustaining ``max_rate_per_replica``
    (requests/s), at ``latency_s`` under the pool's load."""
    return Pool(
        gpu=phase.gpu.slug,
        gpu_name=phase.gpu.name,
        gpus_per_replica=phase.n,
        replicas=replicas,
        weights=phase.replica.ctx.weights_dtype.value,
        max_rate_per_replica=max_rate_per_replica,
        usd_per_gpu_hour=phase.usd_per_gpu_hour,
        latency_s=latency_s,
    )


def prefill_pool(
    phase: Phase,
    peak: float,
    prompt: int,
    targets: Targets,
    budget_s: float,
    utilization: float,
    spare: int,
    arrivals: Arrivals,
) -> Pool | None:
    """The fewest prefill replicas whose TTFT at the percentile (less the transfer, so
    within ``budget_s``) holds at the peak, each at most ``utilization`` busy; None when
    one prompt alone takes longer than the budget."""
    ctx, q = phase.replica.ctx, targets.q / 100
    cached = prefix.use(prompt, phase.replica.shared_prefix_tokens, phase.replica.prefix_hit_rate)
    service = timing.prefill_gpu_seconds_per_request(ctx, prompt, cached.cached)
    alone = timing.prefill(ctx, 1, prompt, cached.cached).total
    if alone > budget_s or service <= 0:
        return None
    cv = arrivals.cv
    low, high = 0.0, utilization  # the highest utilization within the budget, bisected
    if alone + wait_at(high, service, q, cv) > budget_s:
        for _ in range(UTILIZATION_STEPS):
            mid = (low + high) / 2
            low, high = (
                (mid, high) if alone + wait_at(mid, service, q, cv) <= budget_s else (low, mid)
            )
        high = low
    if high <= 0:
        return None
    sized = max(1, math.ceil(peak * service / high))
    at_load = peak * service / sized
    return _pool(phase, sized + spare, 1 / service, alone + wait_at(at_load, service, q, cv))


def decode_pool(
    phase: Phase,
    peak: float,
    prompt: int,
    completion: int,
    targets: Targets,
    utilization: float,
    spare: int,
) -> Pool | None:
    """The fewest decode replicas for the peak: each runs at most the largest batch whose
    step meets the TPOT target and whose KV cache holds every running sequence, at most
    ``utilization`` of its rate; None when one sequence alone misses the target."""
    replica = phase.replica
    blocks_each = math.ceil((prompt + completion) / BLOCK_TOKENS)
    held = replica.kv_blocks // blocks_each
    if held < 1:
        return None
    bounded = replace(replica, max_seqs=min(replica.max_seqs, held))
    batch, step = tpot_bound_batch(bounded, completion, prompt, targets.tpot_s)
    if batch < 1:
        return None
    rate = batch / (completion * step)
    sized = max(1, math.ceil(peak / (rate * utilization)))
    # Little's law at the load carried: the batch each step runs then, and its step.
    ctx = replica.ctx
    running = max(1, math.ceil(batch * peak / (sized * rate)))
    context = prompt + completion / 2
    at_load = step_time(ctx, decode_sequences=running, decode_context=running * context)
    return _pool(phase, sized + spare, rate, at_load.total)


@dataclass(frozen=True)
class Pair:
    """A disaggregated configuration: its two pools and the KV transfer between them."""

    prefill: Pool
    decode: Pool
    transfer: Transfer
    ttft_s: float
    tpot_s: float

    @property
    def usd_per_hour(self) -> float:
        return self.prefill.usd_per_hour + self.decode.usd_per_hour

    @property
    def gpus(self) -> int:
        return (
            self.prefill.replicas * self.prefill.gpus_per_replica
            + self.decode.replicas * self.decode.gpus_per_replica
        )


@dataclass(frozen=True)
class Demand:
    """What both pools are sized for: the peak rate (requests/s), the mean prompt and
    completion (tokens), the latency targets, the busiest share of a replica's rate and
    the spare replicas per pool (the headroom), and how requests arrive."""

    peak: float
    prompt: int
    completion: int
    targets: Targets
    utilization: float
    spare: int
    arrivals: Arrivals


def pair(
    model: ModelSpec, prefill: Phase, decode: Phase, demand: Demand, memo: dict | None = None
) -> Pair | str:
    """Both pools sized for the peak within the targets, or why not (a sentence).
    ``memo``: pools already sized in this search (a decode pool depends on its phase
    alone, a prefill pool on its phase and the link)."""
    memo = {} if memo is None else memo
    d, targets = demand, demand.targets
    link_ = link(prefill.gpu, prefill.n, decode.gpu, decode.n)
    kv = kv_dtype_of_ctx(prefill)
    moved = transfer(model, kv, d.prompt, link_, prefill.n)
    budget = targets.ttft_s - moved.seconds
    key = ("prefill", id(prefill), link_)
    if key not in memo:
        memo[key] = prefill_pool(
            prefill, d.peak, d.prompt, targets, budget, d.utilization, d.spare, d.arrivals
        )
    pre = memo[key]
    if pre is None:
        return (
            f"Misses TTFT: a prompt alone on {prefill.n} x {prefill.gpu.name} plus its "
            f"KV transfer ({moved.seconds * 1e3:,.1f} ms over {link_.name}) exceeds "
            f"{targets.ttft_s * 1e3:,.0f} ms."
        )
    key = ("decode", id(decode))
    if key not in memo:
        memo[key] = decode_pool(
            decode, d.peak, d.prompt, d.completion, targets, d.utilization, d.spare
        )
    dec = memo[key]
    if dec is None:
        return (
            f"Misses TPOT: one sequence alone on {decode.n} x {decode.gpu.name} "
            f"exceeds {targets.tpot_s * 1e3:,.1f} ms per token, or its KV cache holds none."
        )
    return Pair(pre, dec, moved, pre.latency_s + moved.seconds, dec.latency_s)


def kv_dtype_of_ctx(phase: Phase) -> Dtype:
    """The KV cache's type on a phase's replica (it follows the weights)."""
    return kv_dtype_of(Workload(weights_dtype=phase.replica.ctx.weights_dtype))


# The search: every priced GPU x size x precision as either phase, same GPU type for both
# pools, and mixed types among the MIXED_TOP_GPUS cheapest.


def phases(
    model: ModelSpec,
    engine: EngineSpec,
    choices: list[tuple[GpuSpec, Dtype, int]],
    lengths: Workload,
    targets: Targets,
    price: PriceFunction,
) -> list[Phase]:
    """A priced replica for each (GPU, precision, GPUs per replica) the model fits on
    (the planner's replicas, remembered, so the aggregated search shares them)."""
    found = []
    for gpu, dtype, n in choices:
        hourly = price(gpu, n).effective_usd_per_gpu_hour
        if hourly is None:
            continue
        workload = replace(lengths, num_gpus=n, weights_dtype=dtype)
        try:
            replica = replica_load(model, gpu, engine, workload, targets).replica
        except EstimatorInputError:
            continue  # does not fit: the aggregated option says so
        found.append(Phase(gpu, n, replica, hourly))
    return found


def search(model: ModelSpec, found: list[Phase], demand: Demand) -> list[Pair]:
    """The cheapest pair for each (prefill GPU, decode GPU, precision) meeting the
    targets: same GPU type for both pools, and mixed among the cheapest types. Decode
    pools do not depend on the pairing (sized once a phase); prefill pools depend on the
    link only through the transfer."""
    best: dict[tuple[str, str, str], Pair] = {}
    memo: dict = {}

    def consider(pre: Phase, dec: Phase) -> None:
        if pre.replica.ctx.weights_dtype != dec.replica.ctx.weights_dtype:
            return
        found_pair = pair(model, pre, dec, demand, memo)
        if isinstance(found_pair, str):
            return
        key = (pre.gpu.slug, dec.gpu.slug, pre.replica.ctx.weights_dtype.value)
        if key not in best or _cost(found_pair) < _cost(best[key]):
            best[key] = found_pair

    for pre in found:
        for dec in found:
            if pre.gpu.slug == dec.gpu.slug:
                consider(pre, dec)
    by_gpu: dict[str, float] = {}
    for (gpu, _, _), p in best.items():
        by_gpu[gpu] = min(by_gpu.get(gpu, math.inf), p.usd_per_hour)
    top = set(sorted(by_gpu, key=by_gpu.get)[:MIXED_TOP_GPUS])
    for pre in found:
        for dec in found:
            if pre.gpu.slug != dec.gpu.slug and {pre.gpu.slug, dec.gpu.slug} <= top:
                consider(pre, dec)
    return sorted(best.values(), key=_cost)


def _cost(p: Pair) -> tuple[float, int]:
    return (p.usd_per_hour, p.gpus)
