"""What-ifs around one estimate: the same configuration over a range of batches, and the
same workload on every GPU."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from .core import estimate
from .cost import hourly_price
from .memory import min_gpus_to_fit
from .results import Estimate
from .specs import EngineSpec, EstimatorInputError, GpuSpec, ModelSpec, Workload


def sweep_batches(
    model: ModelSpec,
    gpu: GpuSpec,
    engine: EngineSpec,
    workload: Workload,
    batches: Iterable[int],
    known: Estimate | None = None,
) -> list[tuple[int, Estimate]]:
    """The estimate at each batch size (without the trace); `known` is reused for its
    own batch."""
    series = []
    for batch in batches:
        if known is not None and batch == known.batch:
            series.append((batch, known))
            continue
        trial = dataclasses.replace(workload, batch_size=batch)
        series.append((batch, estimate(model, gpu, engine, trial, trace=False)))
    return series


@dataclass(frozen=True)
class GpuOption:
    gpu: GpuSpec
    current: bool  # the GPU the workload was estimated on
    num_gpus: int | None  # fewest that hold the workload; None: more than the search
    hourly_usd: float | None  # per GPU
    estimate: Estimate | None  # None: it doesn't fit on any count searched

    @property
    def usd_per_1m_output_tokens(self) -> float | None:
        return self.estimate.cost.usd_per_1m_output_tokens if self.estimate else None


def compare_gpus(
    model: ModelSpec,
    gpus: Sequence[GpuSpec],
    engine: EngineSpec,
    workload: Workload,
    *,
    batch: int,
    seq_len: int,
    chosen: str,
    price: Callable[[GpuSpec, int], float | None] | None = None,
) -> list[GpuOption]:
    """Every GPU on the fewest of it that hold `batch` sequences of `seq_len`, cheapest
    per 1M output tokens first, then the unpriced by speed, then those that fit on none.

    A price given with the workload is for the chosen GPU (slug `chosen`); the others use
    their own price. `price(gpu, count)`, when given, is the price per GPU-hour for that
    many of the GPU instead (cloud offers depend on the count: see pricing.py)."""
    options = []
    for gpu in gpus:
        current = gpu.slug == chosen
        trial = workload if current else dataclasses.replace(workload, gpu_hourly_usd=None)
        count = min_gpus_to_fit(model, gpu, engine, trial, batch, seq_len)
        result = None
        if count is not None:
            trial = dataclasses.replace(trial, num_gpus=count, batch_size=batch, apis=())
            if price is not None:
                trial = dataclasses.replace(trial, gpu_hourly_usd=price(gpu, count))
            try:
                result = estimate(model, gpu, engine, trial, trace=False)
            except EstimatorInputError:  # e.g. more stages than layers
                result = None
        options.append(GpuOption(gpu, current, count, hourly_price(gpu, trial), result))
    return sorted(options, key=_cost_order)


def _cost_order(option: GpuOption) -> tuple:
    cost = option.usd_per_1m_output_tokens
    speed = option.estimate.decode.tokens_per_second if option.estimate else 0.0
    return (option.estimate is None, cost is None, cost or 0.0, -speed)
