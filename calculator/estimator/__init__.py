"""The inference estimator: pure Python (standard library only), no Django.

Use ``estimate(model, gpu, engine, workload)`` with the dataclasses from ``specs``.
"""

from __future__ import annotations

from .constants import ESTIMATOR_VERSION
from .core import (
    MAX_BATCH,
    MAX_GPUS,
    MAX_TOKENS,
    EstimatorInputError,
    count_parameters,
    estimate,
    kv_bytes_per_token,
    min_gpus_to_fit,
)
from .results import ApiComparison, Bound, Cost, Decode, Estimate, Memory, Prefill, TraceStep
from .specs import (
    ApiOffering,
    Dtype,
    EngineSpec,
    GpuSpec,
    Interconnect,
    ModelSpec,
    Parallelism,
    Workload,
)

__all__ = [
    "ESTIMATOR_VERSION",
    "MAX_BATCH",
    "MAX_GPUS",
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
    "GpuSpec",
    "Interconnect",
    "Memory",
    "ModelSpec",
    "Parallelism",
    "Prefill",
    "TraceStep",
    "Workload",
    "count_parameters",
    "estimate",
    "kv_bytes_per_token",
    "min_gpus_to_fit",
]
