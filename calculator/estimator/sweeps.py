"""What-ifs around one estimate: the same configuration over a range of batches, and the
same workload on every GPU."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .core import estimate
from .memory import min_gpus_to_fit
from .pricing import PriceFunction, PriceUsed, catalog_price
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
    price: PriceUsed | None  # for num_gpus of it; None: it fits on no count searched
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
    price: PriceFunction = catalog_price,
) -> list[GpuOption]:
    """Every GPU on the fewest of it that hold `batch` sequences of `seq_len`, cheapest
    per 1M output tokens first, then the unpriced by speed, then those that fit on none.

    `chosen`: the slug of the GPU the workload was estimated on. `price(gpu, count)`:
    the price for that many of the GPU (cloud offers depend on the count: pricing.py);
    the workload's own price is not used."""
    options = []
    for gpu in gpus:
        count = min_gpus_to_fit(model, gpu, engine, workload, batch, seq_len)
        used = result = None
        if count is not None:
            used = price(gpu, count)
            trial = dataclasses.replace(
                workload,
                num_gpus=count,
                batch_size=batch,
                apis=(),
                gpu_hourly_usd=used.effective_usd_per_gpu_hour,
            )
            try:
                result = estimate(model, gpu, engine, trial, trace=False)
            except EstimatorInputError:  # e.g. more stages than layers
                result = None
        options.append(GpuOption(gpu, gpu.slug == chosen, count, used, result))
    return sorted(options, key=_cost_order)


def _cost_order(option: GpuOption) -> tuple:
    cost = option.usd_per_1m_output_tokens
    speed = option.estimate.decode.tokens_per_second if option.estimate else 0.0
    return (option.estimate is None, cost is None, cost or 0.0, -speed)
