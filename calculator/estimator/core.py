"""``estimate()``: one configuration at one batch, stage by stage.

Each stage lives in its own module and returns its result; ``trace=True`` also asks each
stage for its "show the math" steps, built from the same constants it computed with.
The figures don't depend on it, and leaving it off makes an estimate cheaper.
"""

from __future__ import annotations

from . import constants, expert, memory, params, prefix, speculative, timing
from . import cost as cost_stage
from .limits import (
    MAX_BATCH,
    MAX_EFFECTIVE_HOURLY_USD,
    MAX_GPUS,
    MAX_GPUS_SEARCHED,
    MAX_SEQ_LEN,
    MAX_TOKENS,
)
from .memory import MemoryPlan, kv_dtype_of, min_gpus_to_fit, plan_memory
from .results import Decode, Estimate, Memory, Prefill, Speculative
from .specs import (
    Dtype,
    EngineSpec,
    EstimatorInputError,
    GpuSpec,
    Layout,
    ModelSpec,
    Parallelism,
    Workload,
)
from .step import StepTimes, make_context

QUANTIZED_KV = (Dtype.FP8, Dtype.INT8, Dtype.INT4, Dtype.FP4)


def estimate(
    model: ModelSpec, gpu: GpuSpec, engine: EngineSpec, workload: Workload, *, trace: bool = True
) -> Estimate:
    validate(model, gpu, workload)
    warnings: list[str] = []
    steps = []
    prompt, completion = workload.prompt_tokens, workload.completion_tokens
    kv_dtype = kv_dtype_of(workload)
    seq_len = _seq_len(model, workload, warnings)
    layout = Layout.of(model, workload.num_gpus, workload.parallelism)
    warnings += _layout_warnings(model, engine, layout)
    ctx = make_context(model, gpu, engine, workload, warnings)
    counts = ctx.params
    cache = prefix.of(workload)
    cached = cache.cached  # prompt tokens the prefix cache holds: no prefill for them
    warnings += _kv_warnings(gpu, kv_dtype)

    # Memory: resolve the batch first ("max" means the largest that fits).
    memory_plan, spec = _memory_plan(model, gpu, engine, counts, workload, kv_dtype, layout)
    max_batch = memory_plan.max_batch(seq_len, cache.shared)
    batch = _batch(workload, engine, max_batch, warnings, ctx.max_sequences)
    total = memory_plan.total(seq_len, batch, cache.shared)
    fits = total <= memory_plan.capacity
    min_gpus = min_gpus_to_fit(model, gpu, engine, workload, batch, seq_len, cache.shared)
    if not fits:
        warnings.append(_misfit_warning(memory_plan, gpu, engine, total, min_gpus))
    warnings += _batch_warnings(engine, workload, ctx.max_sequences)

    # Speed
    pre = timing.prefill(ctx, batch, prompt, cache.cached)
    step_batch = timing.step_batch(ctx, batch)
    average = timing.average_decode(ctx, step_batch, prompt, completion)
    dec, step = average.parts, average.seconds
    speculated = fast = None
    if spec is not None:
        drafter = speculative.drafter_context(spec, gpu, engine, workload)
        fast = speculative.average_decode(ctx, drafter, spec, step_batch, prompt, completion)
        speculated = _speculative(spec, step, fast.seconds)
        dec, step = fast.parts, fast.seconds
    end_to_end = pre.total + (completion - 1) * step

    # Cost
    saturated = timing.saturated_output_tokens_per_second(
        ctx, batch, prompt, completion, step, cache.cached
    )
    cost, comparisons = cost_stage.costs(workload, batch, end_to_end, saturated, warnings, cached)

    if trace:
        steps += params.trace(model, counts)
        steps += memory.trace(
            model,
            gpu,
            engine,
            counts,
            memory_plan,
            layout,
            workload.weights_dtype,
            kv_dtype,
            batch,
            seq_len,
            max_batch,
        )
        held_once = memory_plan.shared_kv(seq_len, cache.shared) * (batch - 1)
        steps += prefix.trace(cache, held_once * workload.num_gpus, batch)
        steps += timing.prefill_trace(ctx, pre, batch, prompt - cache.cached)
        steps += timing.decode_trace(
            ctx, dec, step, step_batch, prompt, completion, pre.total, end_to_end
        )
        steps += expert.trace(ctx, step_batch, average.parts.communication)
        if spec is not None:
            steps += speculative.trace(spec, fast, average.seconds)
        steps += cost_stage.trace(workload, cost, end_to_end)

    return Estimate(
        estimator_version=constants.ESTIMATOR_VERSION,
        batch=batch,
        seq_len=seq_len,
        total_params=counts.total,
        active_params=counts.active,
        memory=_memory(
            memory_plan,
            workload.num_gpus,
            seq_len,
            batch,
            cache.shared,
            max_seq_len=min(memory_plan.max_seq_len(batch), model.max_context),
            fits=fits,
            max_batch=max_batch,
            min_gpus=min_gpus,
        ),
        prefill=_prefill(pre, batch, prompt),
        decode=_decode(dec, step, batch),
        end_to_end_seconds=end_to_end,
        cost=cost,
        api_comparison=comparisons,
        warnings=tuple(warnings),
        trace=tuple(steps),
        kv_bytes_per_token=ctx.kv_bytes_per_token_model,
        speculative=speculated,
    )


def _memory_plan(model, gpu, engine, counts, workload: Workload, kv_dtype: Dtype, layout):
    """The memory plan, and the speculative decoding asked for: the drafter's weights
    and cache share the GPUs."""
    memory_plan = plan_memory(model, gpu, engine, counts, workload.weights_dtype, kv_dtype, layout)
    spec = speculative.of(model, workload)
    return speculative.with_drafter(memory_plan, spec, model, workload, layout), spec


def _kv_warnings(gpu: GpuSpec, kv_dtype: Dtype) -> list[str]:
    """A compressed KV cache on a GPU without 8-bit units: a cost not modelled."""
    if kv_dtype in QUANTIZED_KV and not gpu.fp8_tflops:
        return [
            f"{kv_dtype.value.upper()} KV cache on {gpu.name}: stored compressed and "
            "converted to 16-bit for attention, which costs some speed not modelled here."
        ]
    return []


def _batch_warnings(engine: EngineSpec, workload: Workload, cap: int) -> list[str]:
    """A batch above the engine's default running-sequence cap (on each data-parallel
    GPU under expert parallelism) needs it raised."""
    if workload.batch_size and workload.batch_size > cap:
        return [
            f"{engine.name} runs at most {cap:,} sequences at once by "
            f"default; a batch of {workload.batch_size:,} needs that limit raised."
        ]
    return []


def _speculative(spec, seconds_without: float, seconds_with: float) -> Speculative:
    """The speculative-decoding figures of the answer: the method, its inputs and the
    speedup over plain decoding per output token."""
    return Speculative(
        method=spec.method.value,
        draft_model=spec.drafter.name,
        num_speculative_tokens=spec.tokens,
        acceptance_rate=spec.acceptance,
        tokens_per_step=spec.expected_tokens,
        seconds_per_token_without=seconds_without,
        speedup=seconds_without / seconds_with,
    )


def _memory(
    memory_plan: MemoryPlan,
    num_gpus: int,
    seq_len: int,
    batch: int,
    shared: int,
    *,
    max_seq_len: int,
    fits: bool,
    max_batch: int,
    min_gpus: int | None,
) -> Memory:
    """The memory figures of one GPU and of all of them."""
    kv_cache = memory_plan.kv_cache(seq_len, batch, shared)
    return Memory(
        weights_bytes=memory_plan.weights * num_gpus,
        kv_cache_bytes=kv_cache * num_gpus,
        activation_bytes=memory_plan.activations * num_gpus,
        overhead_bytes=memory_plan.overhead * num_gpus,
        weights_bytes_per_gpu=memory_plan.weights,
        kv_cache_bytes_per_gpu=kv_cache,
        activation_bytes_per_gpu=memory_plan.activations,
        overhead_bytes_per_gpu=memory_plan.overhead,
        total_bytes_per_gpu=memory_plan.total(seq_len, batch, shared),
        capacity_bytes_per_gpu=memory_plan.capacity,
        physical_bytes_per_gpu=memory_plan.physical,
        kv_bytes_per_token_per_gpu=memory_plan.kv_per_token,
        fits=fits,
        max_batch=max_batch,
        max_seq_len=max_seq_len,
        min_gpus=min_gpus,
    )


def _prefill(pre: StepTimes, batch: int, prompt: int) -> Prefill:
    return Prefill(
        seconds=pre.total,
        tokens_per_second=batch * prompt / pre.total,
        bound=pre.bound,
        compute_seconds=pre.compute,
        memory_seconds=pre.memory,
        communication_seconds=pre.communication,
    )


def _decode(parts: StepTimes, step: float, batch: int) -> Decode:
    return Decode(
        seconds_per_token=step,
        tokens_per_second_per_sequence=1 / step,
        tokens_per_second=batch / step,
        bound=parts.bound,
        compute_seconds=parts.compute,
        memory_seconds=parts.memory,
        communication_seconds=parts.communication,
        overhead_seconds=parts.overhead,
    )


def _misfit_warning(
    memory_plan: MemoryPlan, gpu: GpuSpec, engine: EngineSpec, total: float, min_gpus: int | None
) -> str:
    where = (
        f"it fits on {min_gpus} GPUs"
        if min_gpus
        else f"it doesn't fit on {MAX_GPUS_SEARCHED} GPUs either"
    )
    return (
        f"Does not fit: needs {_gb(total)} per GPU, {engine.name} can use "
        f"{_gb(memory_plan.capacity)} of {gpu.name}'s {_gb(memory_plan.physical)}; {where}. "
        "The speed and cost below assume it did fit."
    )


def _seq_len(model: ModelSpec, workload: Workload, warnings: list[str]) -> int:
    needed = workload.prompt_tokens + workload.completion_tokens
    seq_len = workload.seq_len or needed
    if seq_len < needed:
        warnings.append(
            f"Sequence length {seq_len:,} is shorter than prompt + completion ({needed:,}); "
            f"memory is computed for {needed:,} tokens."
        )
        seq_len = needed
    if seq_len > model.max_context:
        warnings.append(
            f"{seq_len:,} tokens is longer than {model.name}'s context of "
            f"{model.max_context:,} tokens: quality beyond it is not guaranteed."
        )
    return seq_len


def _layout_warnings(model: ModelSpec, engine: EngineSpec, layout: Layout) -> list[str]:
    warnings = expert.warnings(model, layout.ep)
    if layout.tp > 1:
        if model.num_attention_heads % layout.tp:
            warnings.append(
                f"{layout.tp} GPUs don't divide {model.name}'s {model.num_attention_heads} "
                "attention heads: vLLM, SGLang and TensorRT-LLM refuse this tensor-parallel "
                "size."
            )
        if model.is_mla:
            warnings.append(
                f"{model.name}'s latent attention caches one latent per token shared by all "
                f"heads: each of the {layout.tp} GPUs holds and reads all of it, so the KV "
                "cache per GPU does not shrink with tensor parallelism."
            )
        elif layout.tp > model.num_kv_heads:
            warnings.append(
                f"Tensor parallel size {layout.tp} exceeds the {model.num_kv_heads} KV heads: "
                "each GPU keeps a replicated copy of one KV head, so the KV cache per GPU "
                "stops shrinking."
            )
        if not engine.pipelines_microbatches:
            warnings.append(
                f"{engine.name} splits layers across GPUs by default (pipeline); its row "
                "split is not modelled separately."
            )
    return warnings


def _batch(
    workload: Workload, engine: EngineSpec, max_batch: int, warnings: list[str], cap: int
) -> int:
    if workload.batch_size is not None:
        return workload.batch_size
    batch = max(min(max_batch, cap), 1)
    if max_batch > cap:
        warnings.append(
            f"{max_batch:,} sequences would fit, but {engine.name} runs at most "
            f"{cap:,} at once: the batch is {batch:,}."
        )
    return batch


def _gb(n_bytes: float) -> str:
    return f"{n_bytes / constants.BYTES_PER_GB:,.2f} GB"


# Validation


def validate(model: ModelSpec, gpu: GpuSpec, workload: Workload) -> None:
    # Types first: a float where a count goes would otherwise pass the range checks and
    # fail later with a TypeError (range()) or a fractional GPU.
    counts = {  # field: value, whether None is allowed
        "num_gpus": (workload.num_gpus, False),
        "batch_size": (workload.batch_size, True),
        "prompt_tokens": (workload.prompt_tokens, False),
        "completion_tokens": (workload.completion_tokens, False),
        "seq_len": (workload.seq_len, True),
    }
    for field, (value, optional) in counts.items():
        if value is None and optional:
            continue
        if isinstance(value, bool) or not isinstance(value, int):
            raise EstimatorInputError(field, "Must be a whole number.")
    price = workload.gpu_hourly_usd
    if price is not None and (isinstance(price, bool) or not isinstance(price, int | float)):
        raise EstimatorInputError("gpu_hourly_usd", "Must be a number.")
    checks = [
        ("num_gpus", 1 <= workload.num_gpus <= MAX_GPUS, f"between 1 and {MAX_GPUS}"),
        (
            "batch_size",
            workload.batch_size is None or 1 <= workload.batch_size <= MAX_BATCH,
            f"between 1 and {MAX_BATCH}",
        ),
        ("prompt_tokens", 1 <= workload.prompt_tokens <= MAX_TOKENS, f"between 1 and {MAX_TOKENS}"),
        (
            "completion_tokens",
            1 <= workload.completion_tokens <= MAX_TOKENS,
            f"between 1 and {MAX_TOKENS}",
        ),
        (
            "seq_len",
            workload.seq_len is None or 1 <= workload.seq_len <= MAX_SEQ_LEN,
            f"between 1 and {MAX_SEQ_LEN}",
        ),
        (
            "gpu_hourly_usd",
            workload.gpu_hourly_usd is None
            or 0 <= workload.gpu_hourly_usd <= MAX_EFFECTIVE_HOURLY_USD,
            f"a price from 0 to {MAX_EFFECTIVE_HOURLY_USD:,.0f} USD",
        ),
    ]
    for field, ok, expected in checks:
        if not ok:
            raise EstimatorInputError(field, f"Must be {expected}.")
    if gpu.memory_bandwidth_gb_s <= 0 or gpu.usable_memory_gib <= 0:
        raise EstimatorInputError("gpu", f"{gpu.name} has no memory figures on record.")
    if model.num_layers <= 0 or model.hidden_size <= 0 or model.num_kv_heads <= 0:
        raise EstimatorInputError("model", f"{model.name} has an incomplete architecture.")
    prefix.validate(workload)
    speculative.validate(model, workload)
    expert.validate(model, workload)
    if workload.parallelism is Parallelism.PIPELINE and workload.num_gpus > model.num_layers:
        raise EstimatorInputError(
            "num_gpus", f"{model.name} has only {model.num_layers} layers to split into stages."
        )
