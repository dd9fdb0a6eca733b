"""What the estimator gives back: an ``Estimate`` made of frozen dataclasses.

Every figure carries its unit in its name. ``as_dict()`` gives the JSON shape the API
answers with (see docs/api.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Bound(StrEnum):
    MEMORY = "memory"  # limited by memory bandwidth
    COMPUTE = "compute"  # limited by tensor throughput
    OVERHEAD = "overhead"  # fixed per-step costs and communication dominate


@dataclass(frozen=True)
class TraceStep:
    """One line of "show the math": what was computed, how, and the numbers."""

    section: str  # "parameters", "memory", "prefill", "decode", "cost"
    label: str
    formula: str
    substituted: str
    value: float
    unit: str


@dataclass(frozen=True)
class Memory:
    # Totals over all GPUs.
    weights_bytes: float
    kv_cache_bytes: float
    activation_bytes: float
    overhead_bytes: float
    # Per GPU.
    weights_bytes_per_gpu: float
    kv_cache_bytes_per_gpu: float
    activation_bytes_per_gpu: float
    overhead_bytes_per_gpu: float
    total_bytes_per_gpu: float
    capacity_bytes_per_gpu: float  # usable memory x the engine's memory fraction
    physical_bytes_per_gpu: float  # usable memory the driver reports
    kv_bytes_per_token_per_gpu: float
    fits: bool
    max_batch: int  # largest batch that fits at the sequence length (0: not even one)
    max_seq_len: int  # longest sequence that fits at the batch (0: none)
    min_gpus: int | None  # fewest GPUs on which one sequence of this length fits (None: > 64)


@dataclass(frozen=True)
class Prefill:
    seconds: float  # time to first token for the whole batch
    tokens_per_second: float  # prompt tokens processed per second
    bound: Bound
    compute_seconds: float
    memory_seconds: float
    communication_seconds: float


@dataclass(frozen=True)
class Decode:
    seconds_per_token: float  # one decode step, averaged over the completion
    tokens_per_second_per_sequence: float
    tokens_per_second: float  # all sequences of the batch together
    bound: Bound
    compute_seconds: float
    memory_seconds: float
    communication_seconds: float
    overhead_seconds: float


@dataclass(frozen=True)
class ApiComparison:
    slug: str
    name: str
    total_usd: float  # the API's price for the same tokens as one run of the batch
    ratio: float | None  # self-hosted cost / the API price (< 1: self-hosting is cheaper)
    break_even_utilization: float | None  # share of the hour the GPUs must be busy to match it
    # The API's price per 1M output tokens of this traffic (prompts included): the unit
    # of the self-hosted Cost.usd_per_1m_output_tokens (cost.api_usd_per_1m_output_tokens).
    usd_per_1m_output_tokens: float | None = None


@dataclass(frozen=True)
class ApiMonthly:
    """What one API charges for a month of the same requests (planner, autoscaling)."""

    slug: str
    name: str
    usd_per_month: float
    # The same unit as the calculator's self-hosted cost (cost.api_usd_per_1m_output_tokens).
    usd_per_1m_output_tokens: float = 0.0
    same_model: bool = False
    reference: bool = False
    deprecated: bool = False
    # This API's month minus the plan's best option's (> 0: the API costs more); None without one.
    usd_per_month_vs_plan: float | None = None

    def as_dict(self) -> dict:
        return {
            "slug": self.slug,
            "name": self.name,
            "usd_per_month": self.usd_per_month,
            "usd_per_1m_output_tokens": self.usd_per_1m_output_tokens,
            "same_model": self.same_model,
            "reference": self.reference,
            "deprecated": self.deprecated,
            "usd_per_month_vs_plan": self.usd_per_month_vs_plan,
        }


@dataclass(frozen=True)
class Cost:
    # All None when the GPU has no price and none was given.
    usd_per_hour: float | None
    total_usd: float | None  # one run of the batch: prefill plus every decode step
    usd_per_1k_tokens: float | None  # prompt + completion tokens of the run
    usd_per_1m_output_tokens: float | None  # at full load, at the saturated throughput
    break_even_utilization: float | None  # against cost.break_even_api: same model, else reference
    saturated_output_tokens_per_second: float
    usd_per_gpu_hour: float | None = None  # the price that applied, per GPU


@dataclass(frozen=True)
class Speculative:
    """Speculative decoding's figures (speculative.py); decode already includes them."""

    method: str  # draft, eagle or mtp
    draft_model: str  # the draft model's name, or the head's
    num_speculative_tokens: int
    acceptance_rate: float
    tokens_per_step: float  # expected tokens per verification
    seconds_per_token_without: float  # the same batch decoding one token a step
    speedup: float  # seconds per token without / with (< 1: it slows decoding)


@dataclass(frozen=True)
class Estimate:
    estimator_version: str
    batch: int  # the batch actually used
    seq_len: int
    total_params: int
    active_params: int
    memory: Memory
    prefill: Prefill
    decode: Decode
    end_to_end_seconds: float
    cost: Cost
    api_comparison: tuple[ApiComparison, ...]
    warnings: tuple[str, ...]
    trace: tuple[TraceStep, ...] = field(default=())
    # One token's KV cache for the whole model (all layers, before any split across GPUs
    # or cap at an attention window), at the workload's KV type.
    kv_bytes_per_token: float = 0.0
    speculative: Speculative | None = None

    def as_dict(self) -> dict:
        """Plain dicts, lists and numbers (enums stay str), for JSON and JSONField."""
        return _plain(self)


_LEAVES = frozenset({float, int, str, bool, type(None)})


def _plain(value):
    # dataclasses.asdict deep-copies every leaf; these are immutable, so plain
    # recursion over the fields gives the same result several times faster. Numbers
    # and strings, most of what it meets, are answered first.
    if type(value) in _LEAVES:
        return value
    if hasattr(value, "__dataclass_fields__"):
        return {name: _plain(getattr(value, name)) for name in value.__dataclass_fields__}
    if isinstance(value, tuple | list):
        return [_plain(item) for item in value]
    return value
