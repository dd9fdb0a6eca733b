"""The inference estimator: pure Python (standard library only), no Django.

The doors everything else uses, with the dataclasses from ``specs``:
- ``estimate(model, gpu, engine, workload)``: one configuration at one batch;
- ``sweep_batches()`` and ``compare_gpus()``: what-ifs around it;
- ``simulate()`` (in ``serving``): one replica under a stream of requests, scheduled by
  ``scheduler``; ``planner.plan()``: what to rent for a traffic, on ``capacity`` (the
  highest rate one replica sustains within latency targets);
- ``step_time()`` (in ``step``): one engine iteration, the seam timing is built on.

Modules, each a stage of the physics (arrows point down the list only): ``specs`` and
``constants``; ``params`` (parameter counts); ``memory``; ``step``; ``timing`` (prefill
and decode of a static batch); ``cost``; ``core`` (``estimate``); ``scheduler``,
``serving``, ``capacity`` and ``planner`` (under load); ``sweeps``;
``calibration`` and ``fitting``. ``hf_config`` reads a Hugging Face config.json into a
``ModelSpec`` (``model_from_config``).
"""

from __future__ import annotations

from .constants import ESTIMATOR_VERSION
from .core import estimate
from .limits import MAX_BATCH, MAX_GPUS, MAX_HOURLY_USD, MAX_TOKENS
from .memory import first_to_fit, kv_bytes_per_token, min_gpus_to_fit, narrower_weights
from .params import ParamCounts, count_parameters
from .results import ApiComparison, Bound, Cost, Decode, Estimate, Memory, Prefill, TraceStep
from .serving import LengthSpread, Percentiles, ServingResult, saturation_rate, simulate
from .specs import (
    ApiOffering,
    Dtype,
    EngineSpec,
    EstimatorInputError,
    GpuSpec,
    Interconnect,
    Layout,
    ModelSpec,
    Parallelism,
    Workload,
)
from .step import StepContext, StepTimes, make_context, step_time
from .sweeps import GpuOption, compare_gpus, sweep_batches

__all__ = [
    "ESTIMATOR_VERSION",
    "MAX_BATCH",
    "MAX_GPUS",
    "MAX_HOURLY_USD",
    "MAX_TOKENS",
    "ApiComparison",
    "ApiOffering",
    "Bound",
    "Cost",
    "Decode",
    "Dtype",
    "EngineSpec",
    "Estimate",
    "EstimatorInputError",
    "GpuOption",
    "GpuSpec",
    "Interconnect",
    "Layout",
    "LengthSpread",
    "Memory",
    "ModelSpec",
    "ParamCounts",
    "Percentiles",
    "Parallelism",
    "Prefill",
    "ServingResult",
    "StepContext",
    "StepTimes",
    "TraceStep",
    "Workload",
    "compare_gpus",
    "count_parameters",
    "estimate",
    "first_to_fit",
    "kv_bytes_per_token",
    "make_context",
    "min_gpus_to_fit",
    "narrower_weights",
    "saturation_rate",
    "simulate",
    "step_time",
    "sweep_batches",
]
