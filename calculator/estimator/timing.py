"""Time to first token and time per output token for a static batch: special cases of
``step.step_time``.

- Prefill: the batch's whole prompts in one call (the token budget turns it into as many
  passes over the weights as it takes), plus the engine's fixed cost per request.
- Decode: one token for every sequence of the batch, averaged over the completion as
  the context grows.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from . import constants
from .memory import local_context, local_prefill_pairs
from .results import TraceStep
from .step import StepContext, StepTimes, bandwidth_efficiency, compute_efficiency, link, step_time


def prefill(ctx: StepContext, batch: int, prompt: int, cached: int = 0) -> StepTimes:
    """The whole batch's prompts, plus the per-request fixed cost. The first ``cached``
    tokens of each are in the prefix cache (prefix.py): not computed, but attended to."""
    local = None
    if ctx.model.local_share:
        local = batch * (
            local_prefill_pairs(ctx.model, prompt) - local_prefill_pairs(ctx.model, cached)
        )
    step = step_time(
        ctx,
        prefill_tokens=batch * (prompt - cached),
        prefill_sequences=batch,
        # causal: token i sees i tokens, the cached ones among them
        prefill_attention=batch * (prompt * prompt - cached * cached) / 2,
        prefill_local_attention=local,
    )
    return replace(step, overhead=ctx.engine.request_overhead_s)


def prefill_gpu_seconds_per_request(ctx: StepContext, prompt: int, cached: int = 0) -> float:
    """GPU time one request's prompt costs when prompts are batched at full load: the
    compute, or its share of a chunk's weight read, whichever is larger. The per-request
    fixed cost overlaps with GPU work and is left out."""
    one = prefill(ctx, 1, prompt, cached)
    share = min((prompt - cached) / ctx.token_budget, 1.0)
    return max(one.compute, one.memory * share) + one.communication * share


def step_batch(ctx: StepContext, batch: int) -> int:
    """The batch one decode step works on. Engines that pipeline micro-batches split the
    batch across the stages; llama.cpp's layer split runs the whole batch stage by stage."""
    if ctx.layout.pp > 1 and ctx.engine.pipelines_microbatches:
        return math.ceil(batch / ctx.layout.pp)
    return batch


@dataclass(frozen=True)
class DecodeAverage:
    parts: StepTimes  # each component averaged over the completion
    seconds: float  # the average step: max(memory, compute) + the rest, step by step


def average_decode(ctx: StepContext, batch: int, prompt: int, completion: int) -> DecodeAverage:
    """Step times averaged over the completion, the context growing by one each step.

    The step time is averaged at evenly spaced context lengths, so a completion that
    starts memory-bound and turns compute-bound (or the reverse) is timed as such.
    """
    points = max(min(constants.DECODE_SAMPLE_POINTS, completion), 1)
    contexts = [prompt + (i + 0.5) * completion / points for i in range(points)]
    if ctx.model.local_share:
        samples = [
            step_time(
                ctx,
                decode_sequences=batch,
                decode_context=batch * c,
                decode_local_context=batch * local_context(ctx.model, c),
            )
            for c in contexts
        ]
    else:
        samples = [
            step_time(ctx, decode_sequences=batch, decode_context=batch * c) for c in contexts
        ]
    parts = StepTimes(
        memory=sum(s.memory for s in samples) / points,
        compute=sum(s.compute for s in samples) / points,
        communication=samples[0].communication,
        overhead=samples[0].overhead,
    )
    return DecodeAverage(parts, sum(s.total for s in samples) / points)


def decode_seconds_per_token(ctx: StepContext, batch: int, prompt: int, completion: int) -> float:
    return average_decode(ctx, step_batch(ctx, batch), prompt, completion).seconds


def saturated_output_tokens_per_second(
    ctx: StepContext,
    batch: int,
    prompt: int,
    completion: int,
    step_seconds: float | None = None,
    cached: int = 0,
) -> float:
    """Output tokens/s with `batch` sequences always in flight (continuous batching):
    each request costs its prefill once (less its ``cached`` tokens) and a 1/batch
    share of each decode step."""
    if step_seconds is None:
        step_seconds = decode_seconds_per_token(ctx, batch, prompt, completion)
    seconds_per_request = prefill_gpu_seconds_per_request(ctx, prompt, cached)
    seconds_per_request += completion * step_seconds / batch
    return completion / seconds_per_request


# Show the math


def _ms(seconds: float) -> str:
    return f"{seconds * 1e3:,.3f} ms"


def _efficiencies(ctx: StepContext, utilization: float) -> str:
    return f"{compute_efficiency(ctx.gpu):.2f} x {utilization:.2f}"


def prefill_trace(ctx: StepContext, pre: StepTimes, batch: int, prompt: int) -> list[TraceStep]:
    engine, gpu = ctx.engine, ctx.gpu
    return [
        TraceStep(
            "prefill",
            "Prefill compute",
            "(2 x active params x tokens + 2 x layers x heads x head_dim x prompt^2 x batch) "
            "/ (GPUs x peak x GPU efficiency x engine utilisation)",
            f"{batch * prompt:,} tokens, {ctx.peak_tflops:,.0f} TFLOPS "
            f"{ctx.compute_dtype.value} x {ctx.divisor} x "
            f"{_efficiencies(ctx, engine.prefill_compute_utilization)}",
            pre.compute,
            "seconds",
        ),
        TraceStep(
            "prefill",
            "Prefill weight reads",
            "chunks x weights / (GPUs x bandwidth x GPU efficiency x engine utilisation)",
            f"{math.ceil(batch * prompt / engine.max_batched_tokens)} chunk(s), "
            f"{gpu.memory_bandwidth_gb_s:,.0f} GB/s x {bandwidth_efficiency(gpu):.2f} x "
            f"{engine.bandwidth_utilization:.2f}",
            pre.memory,
            "seconds",
        ),
        TraceStep(
            "prefill",
            "Time to first token",
            "max(compute, memory) + all-reduces + per-request overhead",
            f"max({_ms(pre.compute)}, {_ms(pre.memory)}) + {_ms(pre.communication)} + "
            f"{_ms(pre.overhead)}",
            pre.total,
            "seconds",
        ),
    ]


def decode_trace(
    ctx: StepContext,
    dec: StepTimes,
    step: float,
    batch: int,
    prompt: int,
    completion: int,
    prefill_seconds: float,
    end_to_end: float,
) -> list[TraceStep]:
    model, engine, layout = ctx.model, ctx.engine, ctx.layout
    steps = [
        TraceStep(
            "decode",
            "Decode memory time per step",
            "(weights read + batch x context x KV per token) "
            "/ (GPUs x bandwidth x GPU efficiency x engine utilisation)",
            f"batch {batch:,}, context {prompt:,} to {prompt + completion:,}",
            dec.memory,
            "seconds",
        ),
        TraceStep(
            "decode",
            "Decode compute time per step",
            f"(2 x active params + {constants.ATTENTION_FLOPS_PER_CONTEXT_VALUE} x layers x "
            "heads x head_dim x context) x batch / (GPUs x peak x GPU efficiency x engine "
            "utilisation)",
            f"{ctx.peak_tflops:,.0f} TFLOPS x "
            f"{_efficiencies(ctx, engine.decode_compute_utilization)}",
            dec.compute,
            "seconds",
        ),
    ]
    if layout.tp > 1:
        _, link_latency, link_name = link(ctx.gpu, layout.tp)
        steps.append(
            TraceStep(
                "decode",
                "All-reduces per step",
                f"{constants.ALLREDUCE_PER_LAYER} x layers x (latency + 2(n-1)/n x message / "
                f"(link bandwidth x {constants.ALLREDUCE_BANDWIDTH_EFFICIENCY}))",
                f"{constants.ALLREDUCE_PER_LAYER} x {model.num_layers} x "
                f"({link_latency * 1e6:.0f} us over {link_name} + "
                f"{batch * model.hidden_size * constants.ACTIVATION_BYTES:,.0f} B)",
                dec.communication,
                "seconds",
            )
        )
    steps += [
        TraceStep(
            "decode",
            "Time per output token",
            "max(memory, compute) + communication + engine step overhead",
            f"max({_ms(dec.memory)}, {_ms(dec.compute)}) + {_ms(dec.communication)} + "
            f"{_ms(dec.overhead)}",
            step,
            "seconds",
        ),
        TraceStep(
            "decode",
            "End-to-end time",
            "time to first token + (completion - 1) x time per output token",
            f"{_ms(prefill_seconds)} + {completion - 1:,} x {_ms(step)}",
            end_to_end,
            "seconds",
        ),
    ]
    return steps
