"""The estimator: memory, time to first token, time per output token, throughput, cost.

One pathway: ``estimate(model, gpu, engine, workload) -> Estimate``. Each figure is a
roofline (the slower of reading the bytes and doing the FLOPs, at the engine's measured
efficiency) plus the terms plain rooflines leave out: per-step and per-request fixed
costs, tensor-parallel all-reduces, the engine's memory habits and grouped-query
attention. The trace records every step with its numbers for "show the math".
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from . import constants as C
from .results import (
    ApiComparison,
    Bound,
    Cost,
    Decode,
    Estimate,
    Memory,
    Prefill,
    TraceStep,
)
from .specs import (
    Dtype,
    EngineSpec,
    GpuSpec,
    Interconnect,
    ModelSpec,
    Parallelism,
    Workload,
)


class EstimatorInputError(ValueError):
    """An input the estimator cannot work with; ``field`` names the workload field."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


class _Trace:
    def __init__(self) -> None:
        self.steps: list[TraceStep] = []

    def add(
        self, section: str, label: str, formula: str, substituted: str, value: float, unit: str
    ) -> float:
        self.steps.append(TraceStep(section, label, formula, substituted, value, unit))
        return value


def _gb(n_bytes: float) -> str:
    return f"{n_bytes / C.BYTES_PER_GB:,.2f} GB"


def _ms(seconds: float) -> str:
    return f"{seconds * 1e3:,.3f} ms"


# Parameters


@dataclass(frozen=True)
class ParamCounts:
    total: int  # everything held in memory
    active: int  # used for one token (MoE: routed experts chosen + shared), with embeddings
    embedding: int  # token embedding table
    lm_head: int  # 0 when tied to the embedding
    attention_per_layer: int
    norms_per_layer: int
    dense_mlp: int  # one dense layer's MLP
    expert_mlp: int  # one expert's MLP
    router: int  # one MoE layer's router
    moe_layers: int
    dense_layers: int
    extra: int  # outside the text path (vision encoder)

    @property
    def blocks(self) -> int:
        """The transformer blocks' parameters: what quantization applies to."""
        return self.total - self.embedding - self.lm_head - self.extra

    @property
    def matmul_active(self) -> int:
        """Parameters multiplied per token: active, minus the embedding lookup, plus the
        LM head (which reuses the embedding when tied)."""
        head = self.lm_head or self.embedding
        return self.active - self.embedding - self.lm_head + head


def count_parameters(model: ModelSpec) -> ParamCounts:
    h = model.hidden_size
    q_dim = model.num_attention_heads * model.head_dim
    kv_dim = model.num_kv_heads * model.head_dim
    attention = h * q_dim + 2 * h * kv_dim + q_dim * h
    if model.qkv_bias:
        attention += q_dim + 2 * kv_dim
    norms = 2 * h
    dense_mlp = 3 * h * model.intermediate_size  # gate, up, down (SwiGLU)
    if model.num_experts:
        expert_width = model.moe_intermediate_size or model.intermediate_size
        expert_mlp = 3 * h * expert_width
        router = h * model.num_experts
        moe_layers = model.num_layers // model.moe_layer_step
    else:
        expert_mlp = router = moe_layers = 0
    dense_layers = model.num_layers - moe_layers
    embedding = model.vocab_size * h
    lm_head = 0 if model.tie_word_embeddings else model.vocab_size * h
    moe_all = (model.num_experts + model.shared_experts) * expert_mlp + router
    moe_active = (model.experts_per_token + model.shared_experts) * expert_mlp + router
    common = embedding + lm_head + model.num_layers * (attention + norms) + h
    common += dense_layers * dense_mlp
    return ParamCounts(
        total=common + moe_layers * moe_all + model.extra_params,
        active=common + moe_layers * moe_active,
        embedding=embedding,
        lm_head=lm_head,
        attention_per_layer=attention,
        norms_per_layer=norms,
        dense_mlp=dense_mlp,
        expert_mlp=expert_mlp,
        router=router,
        moe_layers=moe_layers,
        dense_layers=dense_layers,
        extra=model.extra_params,
    )


# Memory


def bytes_per_param(dtype: Dtype) -> float:
    return C.BYTES_PER_PARAM[dtype]


def _outer_bytes_per_param(dtype: Dtype) -> float:
    """Embedding, LM head and vision encoder: kept in 16-bit below 16 bits."""
    if dtype in (Dtype.FP32, Dtype.FP16, Dtype.BF16):
        return C.BYTES_PER_PARAM[dtype]
    return C.UNQUANTIZED_BYTES_PER_PARAM


def kv_bytes_per_token(model: ModelSpec, kv_dtype: Dtype, tp: int, layers: int) -> float:
    """KV cache of one token on one GPU: keys and values of its layers and heads.

    Tensor parallelism splits the KV heads; past one head per GPU they are replicated,
    so the cache per GPU stops shrinking.
    """
    heads_per_gpu = max(math.ceil(model.num_kv_heads / tp), 1)
    return 2 * layers * heads_per_gpu * model.head_dim * C.BYTES_PER_PARAM[kv_dtype]


@dataclass(frozen=True)
class _Layout:
    tp: int  # tensor-parallel degree
    pp: int  # pipeline stages
    layers_per_gpu: int


def _layout(model: ModelSpec, workload: Workload) -> _Layout:
    n = workload.num_gpus
    if workload.parallelism is Parallelism.PIPELINE:
        return _Layout(tp=1, pp=n, layers_per_gpu=math.ceil(model.num_layers / n))
    return _Layout(tp=n, pp=1, layers_per_gpu=model.num_layers)


def _weight_bytes(params: ParamCounts, dtype: Dtype) -> tuple[float, float]:
    """(transformer blocks, embedding + head + extra) in bytes, whole model."""
    outer = params.embedding + params.lm_head + params.extra
    return params.blocks * bytes_per_param(dtype), outer * _outer_bytes_per_param(dtype)


def _weights_per_gpu(model: ModelSpec, params: ParamCounts, dtype: Dtype, layout: _Layout) -> float:
    blocks, outer = _weight_bytes(params, dtype)
    if layout.pp > 1:
        # The largest stage: its share of the blocks plus the embedding (first stage) or
        # the head (last stage), whichever is larger.
        per_layer = blocks / model.num_layers
        embedding_side = (params.embedding + params.extra) * _outer_bytes_per_param(dtype)
        head_side = params.lm_head * _outer_bytes_per_param(dtype)
        return layout.layers_per_gpu * per_layer + max(embedding_side, head_side)
    return (blocks + outer) / layout.tp


def _activation_bytes_per_gpu(model: ModelSpec, engine: EngineSpec, tp: int) -> float:
    """Peak transient memory the engine reserves: one full prefill chunk through a block
    plus the fp32 logits of its largest decode batch. Like vLLM's start-up profiling, this
    is sized for the engine's limits, not for the current batch, so the KV pool (and the
    largest batch) does not depend on the batch asked for."""
    width = model.moe_intermediate_size or model.intermediate_size
    if model.num_experts and model.moe_layer_step > 1:
        width = max(width, model.intermediate_size)  # interleaved dense layers are wider
    per_token = (
        C.ACTIVATION_HIDDEN_COPIES * model.hidden_size
        + C.ACTIVATION_INTERMEDIATE_COPIES * width / tp
    ) * C.ACTIVATION_BYTES
    logits = engine.max_num_seqs * model.vocab_size / tp * C.LOGITS_BYTES
    return engine.max_batched_tokens * per_token + logits


# Compute and communication


def _compute_dtype(
    gpu: GpuSpec, engine: EngineSpec, weights: Dtype, warnings: list[str]
) -> tuple[Dtype, float]:
    preference = C.COMPUTE_DTYPE_PREFERENCE[weights]
    for candidate in preference:
        peak = gpu.peak_tflops(candidate)
        if peak:
            if candidate is not preference[0]:
                warnings.append(
                    f"{gpu.name} has no {weights.value.upper()} tensor cores: weights stay "
                    f"{weights.value} in memory and the matrix maths runs in "
                    f"{candidate.value.upper()} ({peak:,.0f} TFLOPS)."
                )
            if candidate is Dtype.FP16 and engine.fp16_accumulate and gpu.fp16_acc16_tflops:
                peak = gpu.fp16_acc16_tflops
            return candidate, peak
    if gpu.fp32_tflops:
        warnings.append(
            f"{gpu.name} lists no {weights.value.upper()} throughput: compute is estimated "
            "at its FP32 rate."
        )
        return Dtype.FP32, gpu.fp32_tflops
    raise EstimatorInputError("gpu", f"{gpu.name} has no compute throughput on record.")


def _link(gpu: GpuSpec, n: int) -> tuple[float, float, str]:
    """(one-way bandwidth bytes/s, latency s, description) for an all-reduce over n GPUs."""
    domain = C.SCALE_UP_DOMAIN_GPUS[gpu.interconnect]
    if n > max(domain, 1) and domain >= 8:
        return C.INTER_NODE_GB_S * C.BYTES_PER_GB, C.INTER_NODE_LATENCY_S, "between nodes"
    if gpu.interconnect is not Interconnect.PCIE and n <= domain and gpu.interconnect_gb_s:
        one_way = gpu.interconnect_gb_s / 2 * C.BYTES_PER_GB
        return one_way, C.ALLREDUCE_LATENCY_S[gpu.interconnect], gpu.interconnect.value
    return gpu.pcie_gb_s * C.BYTES_PER_GB, C.ALLREDUCE_LATENCY_S[Interconnect.PCIE], "PCIe"


def _allreduce_seconds(gpu: GpuSpec, n: int, message_bytes: float) -> float:
    if n <= 1:
        return 0.0
    bandwidth, latency, _ = _link(gpu, n)
    moved = 2 * (n - 1) / n * message_bytes
    return latency + moved / (bandwidth * C.ALLREDUCE_BANDWIDTH_EFFICIENCY)


def _communication_seconds(model: ModelSpec, gpu: GpuSpec, layout: _Layout, tokens: int) -> float:
    """Tensor parallel: two all-reduces per layer. Pipeline: one send per stage boundary."""
    message = tokens * model.hidden_size * C.ACTIVATION_BYTES
    if layout.tp > 1:
        per_allreduce = _allreduce_seconds(gpu, layout.tp, message)
        return C.ALLREDUCE_PER_LAYER * model.num_layers * per_allreduce
    if layout.pp > 1:
        bandwidth, _, _ = _link(gpu, 2)
        return (layout.pp - 1) * (C.PIPELINE_HOP_LATENCY_S + message / bandwidth)
    return 0.0


def _experts_touched(model: ModelSpec, batch: int) -> float:
    """Expected distinct routed experts one MoE layer reads for a decode batch, with
    tokens routed independently and uniformly (assumption; real routing is skewed,
    which touches fewer)."""
    if not model.num_experts:
        return 0.0
    miss = (1 - model.experts_per_token / model.num_experts) ** batch
    return model.num_experts * (1 - miss)


@dataclass(frozen=True)
class _StepTimes:
    memory: float
    compute: float
    communication: float
    overhead: float

    @property
    def total(self) -> float:
        return max(self.memory, self.compute) + self.communication + self.overhead

    @property
    def bound(self) -> Bound:
        if self.communication + self.overhead > max(self.memory, self.compute):
            return Bound.OVERHEAD
        return Bound.MEMORY if self.memory >= self.compute else Bound.COMPUTE


@dataclass(frozen=True)
class _Context:
    """Everything a step-time evaluation needs, worked out once."""

    model: ModelSpec
    gpu: GpuSpec
    engine: EngineSpec
    layout: _Layout
    params: ParamCounts
    weights_dtype: Dtype
    peak_flops: float  # per GPU, FLOP/s
    bandwidth: float  # per GPU, bytes/s, at the engine's utilisation
    kv_bytes_per_token_model: float  # whole model, all layers and KV heads (pre-split)

    @property
    def divisor(self) -> int:
        """How many GPUs share one token's work: TP splits it; pipeline stages take
        turns, so one token costs the whole model on one GPU's resources."""
        return self.layout.tp


def compute_efficiency(gpu: GpuSpec) -> float:
    return gpu.compute_efficiency or C.DEFAULT_COMPUTE_EFFICIENCY


def bandwidth_efficiency(gpu: GpuSpec) -> float:
    return gpu.bandwidth_efficiency or C.DEFAULT_BANDWIDTH_EFFICIENCY


def make_context(
    model: ModelSpec,
    gpu: GpuSpec,
    engine: EngineSpec,
    workload: Workload,
    peak_tflops: float | None = None,
) -> _Context:
    """The quantities every step-time evaluation shares, worked out once."""
    if peak_tflops is None:
        _, peak_tflops = _compute_dtype(gpu, engine, workload.weights_dtype, [])
    kv_dtype = workload.kv_dtype or C.DEFAULT_KV_DTYPE[workload.weights_dtype]
    return _Context(
        model=model,
        gpu=gpu,
        engine=engine,
        layout=_layout(model, workload),
        params=count_parameters(model),
        weights_dtype=workload.weights_dtype,
        peak_flops=peak_tflops * C.FLOPS_PER_TFLOPS * compute_efficiency(gpu),
        bandwidth=gpu.memory_bandwidth_gb_s
        * C.BYTES_PER_GB
        * bandwidth_efficiency(gpu)
        * engine.bandwidth_utilization,
        kv_bytes_per_token_model=kv_bytes_per_token(model, kv_dtype, 1, model.num_layers),
    )


def _decode_steps(ctx: _Context, batch: int, contexts: list[float]) -> list[_StepTimes]:
    """One decode step's times at each context length (tokens already in the cache)."""
    model, params = ctx.model, ctx.params
    # Bytes read once per step: every dense block weight, the experts the batch routes
    # to, and the LM head (the embedding lookup reads only `batch` rows).
    expert_total = params.moe_layers * model.num_experts * params.expert_mlp
    expert_read = params.moe_layers * _experts_touched(model, batch) * params.expert_mlp
    blocks_read = (params.blocks - expert_total + expert_read) * bytes_per_param(ctx.weights_dtype)
    head_read = (params.lm_head or params.embedding) * _outer_bytes_per_param(ctx.weights_dtype)
    memory_rate = ctx.divisor * ctx.bandwidth  # bytes/s
    compute_rate = ctx.divisor * ctx.peak_flops * ctx.engine.decode_compute_utilization
    fixed_flops = 2 * params.matmul_active * batch
    attention_flops_per_token = 4 * model.num_layers * model.num_attention_heads * model.head_dim
    communication = _communication_seconds(model, ctx.gpu, ctx.layout, batch)
    return [
        _StepTimes(
            memory=(blocks_read + head_read + batch * c * ctx.kv_bytes_per_token_model)
            / memory_rate,
            compute=(fixed_flops + attention_flops_per_token * c * batch) / compute_rate,
            communication=communication,
            overhead=ctx.engine.step_overhead_s,
        )
        for c in contexts
    ]


@dataclass(frozen=True)
class _DecodeAverage:
    parts: _StepTimes  # each component averaged over the completion
    seconds: float  # the average step: max(memory, compute) + the rest, step by step


def _average_decode(ctx: _Context, batch: int, prompt: int, completion: int) -> _DecodeAverage:
    """Step times averaged over the completion, the context growing by one each step.

    The step time is averaged at evenly spaced context lengths, so a completion that
    starts memory-bound and turns compute-bound (or the reverse) is timed as such.
    """
    points = max(min(C.DECODE_SAMPLE_POINTS, completion), 1)
    contexts = [prompt + (i + 0.5) * completion / points for i in range(points)]
    samples = _decode_steps(ctx, batch, contexts)
    parts = _StepTimes(
        memory=sum(s.memory for s in samples) / points,
        compute=sum(s.compute for s in samples) / points,
        communication=samples[0].communication,
        overhead=samples[0].overhead,
    )
    return _DecodeAverage(parts, sum(s.total for s in samples) / points)


def _prefill_times(ctx: _Context, batch: int, prompt: int) -> _StepTimes:
    model, params = ctx.model, ctx.params
    tokens = batch * prompt
    # Engines compute logits for each sequence's last prompt token only.
    head = params.lm_head or params.embedding
    flops = 2 * (params.matmul_active - head) * tokens + 2 * head * batch
    # Causal attention: QK^T and AV over the lower triangle, 2 * p^2 * head_dim per head
    # per layer.
    flops += 2 * model.num_layers * model.num_attention_heads * model.head_dim * prompt**2 * batch
    compute = flops / ctx.divisor / (ctx.peak_flops * ctx.engine.prefill_compute_utilization)
    chunks = math.ceil(tokens / ctx.engine.max_batched_tokens)
    blocks, outer = _weight_bytes(params, ctx.weights_dtype)
    memory = chunks * (blocks + outer) / ctx.divisor / ctx.bandwidth
    chunk_tokens = min(tokens, ctx.engine.max_batched_tokens)
    communication = chunks * _communication_seconds(model, ctx.gpu, ctx.layout, chunk_tokens)
    return _StepTimes(memory, compute, communication, ctx.engine.request_overhead_s)


def prefill_gpu_seconds_per_request(ctx: _Context, prompt: int) -> float:
    """GPU time one request's prompt costs when prompts are batched at full load: the
    compute, or its share of a chunk's weight read, whichever is larger. The per-request
    fixed cost overlaps with GPU work and is left out."""
    one = _prefill_times(ctx, 1, prompt)
    share = min(prompt / ctx.engine.max_batched_tokens, 1.0)
    return max(one.compute, one.memory * share) + one.communication * share


def _step_batch(ctx: _Context, batch: int) -> int:
    """The batch one decode step works on. Engines that pipeline micro-batches split the
    batch across the stages; llama.cpp's layer split runs the whole batch stage by stage."""
    if ctx.layout.pp > 1 and ctx.engine.pipelines_microbatches:
        return math.ceil(batch / ctx.layout.pp)
    return batch


def decode_seconds_per_token(ctx: _Context, batch: int, prompt: int, completion: int) -> float:
    return _average_decode(ctx, _step_batch(ctx, batch), prompt, completion).seconds


def saturated_output_tokens_per_second(
    ctx: _Context, batch: int, prompt: int, completion: int, step_seconds: float | None = None
) -> float:
    """Output tokens/s with `batch` sequences always in flight (continuous batching):
    each request costs its prefill once and a 1/batch share of each decode step."""
    if step_seconds is None:
        step_seconds = decode_seconds_per_token(ctx, batch, prompt, completion)
    seconds_per_request = prefill_gpu_seconds_per_request(ctx, prompt)
    seconds_per_request += completion * step_seconds / batch
    return completion / seconds_per_request


# Validation


# Largest values the estimator accepts; the form and the API use the same limits.
MAX_GPUS = 1024  # more than any single serving replica
MAX_BATCH = 65_536  # sequences in flight; engines cap far lower (vLLM: 256 by default)
MAX_TOKENS = 10_485_760  # Llama 4 Scout's advertised 10M-token context


def _validate(model: ModelSpec, gpu: GpuSpec, workload: Workload) -> None:
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
            workload.seq_len is None or 1 <= workload.seq_len <= 2 * MAX_TOKENS,
            f"between 1 and {2 * MAX_TOKENS}",
        ),
        (
            "gpu_hourly_usd",
            workload.gpu_hourly_usd is None or 0 <= workload.gpu_hourly_usd < 1e6,
            "a price from 0 to 1,000,000 USD",
        ),
    ]
    for field, ok, expected in checks:
        if not ok:
            raise EstimatorInputError(field, f"Must be {expected}.")
    if gpu.memory_bandwidth_gb_s <= 0 or gpu.usable_memory_gib <= 0:
        raise EstimatorInputError("gpu", f"{gpu.name} has no memory figures on record.")
    if model.num_layers <= 0 or model.hidden_size <= 0 or model.num_kv_heads <= 0:
        raise EstimatorInputError("model", f"{model.name} has an incomplete architecture.")


# Memory plan


@dataclass(frozen=True)
class _MemoryPlan:
    weights: float  # per GPU, bytes
    activations: float
    overhead: float
    kv_per_token: float  # per GPU
    capacity: float  # per GPU: usable x memory fraction
    physical: float

    def free_for_kv(self) -> float:
        return self.capacity - self.weights - self.activations - self.overhead

    def max_batch(self, seq_len: int) -> int:
        return max(int(self.free_for_kv() // (self.kv_per_token * seq_len)), 0)

    def max_seq_len(self, batch: int) -> int:
        return max(int(self.free_for_kv() // (self.kv_per_token * batch)), 0)


def _plan_memory(
    model: ModelSpec,
    gpu: GpuSpec,
    engine: EngineSpec,
    params: ParamCounts,
    weights_dtype: Dtype,
    kv_dtype: Dtype,
    layout: _Layout,
) -> _MemoryPlan:
    physical = gpu.usable_memory_gib * C.BYTES_PER_GIB
    return _MemoryPlan(
        weights=_weights_per_gpu(model, params, weights_dtype, layout),
        activations=_activation_bytes_per_gpu(model, engine, layout.tp),
        overhead=engine.runtime_overhead_gib * C.BYTES_PER_GIB,
        kv_per_token=kv_bytes_per_token(model, kv_dtype, layout.tp, layout.layers_per_gpu),
        capacity=physical * engine.memory_fraction,
        physical=physical,
    )


def min_gpus_to_fit(
    model: ModelSpec,
    gpu: GpuSpec,
    engine: EngineSpec,
    workload: Workload,
    batch: int,
    seq_len: int,
) -> int | None:
    """Fewest GPUs on which `batch` sequences of `seq_len` fit (tensor parallelism in
    powers of two, as engines need the heads to divide; pipeline stages in any count)."""
    params = count_parameters(model)
    weights_dtype = workload.weights_dtype
    kv_dtype = workload.kv_dtype or C.DEFAULT_KV_DTYPE[weights_dtype]
    if workload.parallelism is Parallelism.PIPELINE:
        candidates = range(1, C.MAX_GPUS_SEARCHED + 1)
    else:
        candidates = [2**i for i in range(int(math.log2(C.MAX_GPUS_SEARCHED)) + 1)]
    for n in candidates:
        trial = Workload(num_gpus=n, parallelism=workload.parallelism)
        layout = _layout(model, trial)
        plan = _plan_memory(model, gpu, engine, params, weights_dtype, kv_dtype, layout)
        if plan.max_batch(seq_len) >= batch:
            return n
    return None


# The estimate


def estimate(model: ModelSpec, gpu: GpuSpec, engine: EngineSpec, workload: Workload) -> Estimate:
    _validate(model, gpu, workload)
    trace = _Trace()
    warnings: list[str] = []
    prompt, completion = workload.prompt_tokens, workload.completion_tokens
    weights_dtype = workload.weights_dtype
    kv_dtype = workload.kv_dtype or C.DEFAULT_KV_DTYPE[weights_dtype]
    layout = _layout(model, workload)
    params = count_parameters(model)

    # Parameters
    trace.add(
        "parameters",
        "Total parameters",
        "embedding + LM head + layers x (attention + norms) + MLPs (all experts)",
        f"{params.embedding:,} + {params.lm_head:,} + {model.num_layers} x "
        f"({params.attention_per_layer:,} + {params.norms_per_layer:,}) + MLPs",
        params.total,
        "parameters",
    )
    if model.num_experts:
        trace.add(
            "parameters",
            "Active parameters per token",
            "total - MoE layers x (experts - experts per token) x expert MLP",
            f"{params.moe_layers} MoE layers x {model.experts_per_token + model.shared_experts}"
            f" of {model.num_experts + model.shared_experts} experts",
            params.active,
            "parameters",
        )

    # Sequence length and warnings about the workload
    needed = prompt + completion
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
    if layout.tp > 1:
        if model.num_attention_heads % layout.tp:
            warnings.append(
                f"{layout.tp} GPUs don't divide {model.name}'s {model.num_attention_heads} "
                "attention heads: vLLM, SGLang and TensorRT-LLM refuse this tensor-parallel "
                "size."
            )
        if layout.tp > model.num_kv_heads:
            warnings.append(
                f"Tensor parallel size {layout.tp} exceeds the {model.num_kv_heads} KV heads: "
                "each GPU keeps a replicated copy of one KV head, so the KV cache per GPU "
                "stops shrinking."
            )
    if layout.pp > model.num_layers:
        raise EstimatorInputError(
            "num_gpus", f"{model.name} has only {model.num_layers} layers to split into stages."
        )
    if engine.slug == "llama.cpp" and layout.tp > 1:
        warnings.append(
            "llama.cpp splits layers across GPUs by default (pipeline); its row split is "
            "not modelled separately."
        )

    compute_dtype, peak_tflops = _compute_dtype(gpu, engine, weights_dtype, warnings)
    if kv_dtype in (Dtype.FP8, Dtype.INT8, Dtype.INT4, Dtype.FP4) and not gpu.fp8_tflops:
        warnings.append(
            f"{kv_dtype.value.upper()} KV cache on {gpu.name}: stored compressed and "
            "converted to 16-bit for attention, which costs some speed not modelled here."
        )

    # Memory: resolve the batch first ("max" means the largest that fits).
    plan = _plan_memory(model, gpu, engine, params, weights_dtype, kv_dtype, layout)
    max_batch = plan.max_batch(seq_len)
    if workload.batch_size is None:
        batch = max(min(max_batch, engine.max_num_seqs), 1)
        if max_batch > engine.max_num_seqs:
            warnings.append(
                f"{max_batch:,} sequences would fit, but {engine.name} runs at most "
                f"{engine.max_num_seqs:,} at once: the batch is {batch:,}."
            )
    else:
        batch = workload.batch_size
    kv_cache = plan.kv_per_token * seq_len * batch
    total = plan.weights + plan.activations + plan.overhead + kv_cache
    fits = total <= plan.capacity
    max_seq_len = min(plan.max_seq_len(batch), model.max_context)
    min_gpus = (
        workload.num_gpus if fits else min_gpus_to_fit(model, gpu, engine, workload, batch, seq_len)
    )
    if not fits:
        where = (
            f"it fits on {min_gpus} GPUs"
            if min_gpus
            else f"it doesn't fit on {C.MAX_GPUS_SEARCHED} GPUs either"
        )
        warnings.append(
            f"Does not fit: needs {_gb(total)} per GPU, {engine.name} can use "
            f"{_gb(plan.capacity)} of {gpu.name}'s {_gb(plan.physical)}; {where}. The "
            "speed and cost below assume it did fit."
        )
    if workload.batch_size and workload.batch_size > engine.max_num_seqs:
        warnings.append(
            f"{engine.name} runs at most {engine.max_num_seqs:,} sequences at once by "
            f"default; a batch of {workload.batch_size:,} needs that limit raised."
        )
    trace.add(
        "memory",
        "Weights per GPU",
        "blocks x bytes/param + embedding and head at 16-bit, split across GPUs",
        f"{params.blocks:,} x {bytes_per_param(weights_dtype):.4g} B "
        f"({weights_dtype.value}) / {layout.tp if layout.tp > 1 else 1}"
        + (f", largest of {layout.pp} pipeline stages" if layout.pp > 1 else ""),
        plan.weights,
        "bytes",
    )
    trace.add(
        "memory",
        "KV cache per token per GPU",
        "2 x layers x max(KV heads / TP, 1) x head_dim x bytes",
        f"2 x {layout.layers_per_gpu} x max({model.num_kv_heads}/{layout.tp}, 1) x "
        f"{model.head_dim} x {C.BYTES_PER_PARAM[kv_dtype]:.4g} B ({kv_dtype.value})",
        plan.kv_per_token,
        "bytes",
    )
    trace.add(
        "memory",
        "KV cache per GPU",
        "KV per token x sequence length x batch",
        f"{plan.kv_per_token:,.0f} B x {seq_len:,} x {batch:,}",
        kv_cache,
        "bytes",
    )
    trace.add(
        "memory",
        "Activations per GPU",
        "engine chunk x (4 x hidden + 3 x MLP width / TP) x 2 B + max seqs x vocab / TP x 4 B",
        f"{engine.max_batched_tokens:,} tokens x ({C.ACTIVATION_HIDDEN_COPIES} x "
        f"{model.hidden_size:,} + {C.ACTIVATION_INTERMEDIATE_COPIES} x MLP width / {layout.tp})"
        f" x 2 B + {engine.max_num_seqs} x {model.vocab_size:,} / {layout.tp} x 4 B",
        plan.activations,
        "bytes",
    )
    trace.add(
        "memory",
        "Capacity per GPU",
        "usable memory x engine memory fraction",
        f"{gpu.usable_memory_gib:,.1f} GiB x {engine.memory_fraction:.2f}",
        plan.capacity,
        "bytes",
    )
    trace.add(
        "memory",
        "Largest batch that fits",
        "(capacity - weights - activations - runtime) / (KV per token x sequence length)",
        f"({_gb(plan.capacity)} - {_gb(plan.weights)} - {_gb(plan.activations)} - "
        f"{_gb(plan.overhead)}) / ({plan.kv_per_token:,.0f} B x {seq_len:,})",
        max_batch,
        "sequences",
    )

    # Speed
    ctx = make_context(model, gpu, engine, workload, peak_tflops)
    pre = _prefill_times(ctx, batch, prompt)
    prefill_seconds = pre.total
    trace.add(
        "prefill",
        "Prefill compute",
        "(2 x active params x tokens + 2 x layers x heads x head_dim x prompt^2 x batch) "
        "/ (GPUs x peak x GPU efficiency x engine utilisation)",
        f"{batch * prompt:,} tokens, {peak_tflops:,.0f} TFLOPS {compute_dtype.value} x "
        f"{ctx.divisor} x {compute_efficiency(gpu):.2f} x "
        f"{engine.prefill_compute_utilization:.2f}",
        pre.compute,
        "seconds",
    )
    trace.add(
        "prefill",
        "Prefill weight reads",
        "chunks x weights / (GPUs x bandwidth x GPU efficiency x engine utilisation)",
        f"{math.ceil(batch * prompt / engine.max_batched_tokens)} chunk(s), "
        f"{gpu.memory_bandwidth_gb_s:,.0f} GB/s x {bandwidth_efficiency(gpu):.2f} x "
        f"{engine.bandwidth_utilization:.2f}",
        pre.memory,
        "seconds",
    )
    trace.add(
        "prefill",
        "Time to first token",
        "max(compute, memory) + all-reduces + per-request overhead",
        f"max({_ms(pre.compute)}, {_ms(pre.memory)}) + {_ms(pre.communication)} + "
        f"{_ms(pre.overhead)}",
        prefill_seconds,
        "seconds",
    )

    step_batch = _step_batch(ctx, batch)
    average = _average_decode(ctx, step_batch, prompt, completion)
    dec, step = average.parts, average.seconds
    per_sequence = 1 / step
    tokens_per_second = batch / step
    trace.add(
        "decode",
        "Decode memory time per step",
        "(weights read + batch x context x KV per token) "
        "/ (GPUs x bandwidth x GPU efficiency x engine utilisation)",
        f"batch {step_batch:,}, context {prompt:,} to {prompt + completion:,}",
        dec.memory,
        "seconds",
    )
    trace.add(
        "decode",
        "Decode compute time per step",
        "(2 x active params + 4 x layers x heads x head_dim x context) x batch "
        "/ (GPUs x peak x GPU efficiency x engine utilisation)",
        f"{peak_tflops:,.0f} TFLOPS x {compute_efficiency(gpu):.2f} x "
        f"{engine.decode_compute_utilization:.2f}",
        dec.compute,
        "seconds",
    )
    if layout.tp > 1:
        _, link_latency, link_name = _link(gpu, layout.tp)
        trace.add(
            "decode",
            "All-reduces per step",
            "2 x layers x (latency + 2(n-1)/n x message / (link bandwidth x 0.8))",
            f"2 x {model.num_layers} x ({link_latency * 1e6:.0f} us over {link_name} + "
            f"{step_batch * model.hidden_size * C.ACTIVATION_BYTES:,.0f} B)",
            dec.communication,
            "seconds",
        )
    trace.add(
        "decode",
        "Time per output token",
        "max(memory, compute) + communication + engine step overhead",
        f"max({_ms(dec.memory)}, {_ms(dec.compute)}) + {_ms(dec.communication)} + "
        f"{_ms(dec.overhead)}",
        step,
        "seconds",
    )
    end_to_end = prefill_seconds + (completion - 1) * step
    trace.add(
        "decode",
        "End-to-end time",
        "time to first token + (completion - 1) x time per output token",
        f"{_ms(prefill_seconds)} + {completion - 1:,} x {_ms(step)}",
        end_to_end,
        "seconds",
    )

    # Cost
    saturated = saturated_output_tokens_per_second(ctx, batch, prompt, completion, step)
    hourly = workload.gpu_hourly_usd if workload.gpu_hourly_usd is not None else gpu.hourly_usd
    cost, comparisons = _costs(trace, warnings, workload, hourly, batch, end_to_end, saturated)

    return Estimate(
        estimator_version=C.ESTIMATOR_VERSION,
        batch=batch,
        seq_len=seq_len,
        total_params=params.total,
        active_params=params.active,
        memory=Memory(
            weights_bytes=plan.weights * workload.num_gpus,
            kv_cache_bytes=kv_cache * workload.num_gpus,
            activation_bytes=plan.activations * workload.num_gpus,
            overhead_bytes=plan.overhead * workload.num_gpus,
            weights_bytes_per_gpu=plan.weights,
            kv_cache_bytes_per_gpu=kv_cache,
            activation_bytes_per_gpu=plan.activations,
            overhead_bytes_per_gpu=plan.overhead,
            total_bytes_per_gpu=total,
            capacity_bytes_per_gpu=plan.capacity,
            physical_bytes_per_gpu=plan.physical,
            kv_bytes_per_token_per_gpu=plan.kv_per_token,
            fits=fits,
            max_batch=max_batch,
            max_seq_len=max_seq_len,
            min_gpus=min_gpus,
        ),
        prefill=Prefill(
            seconds=prefill_seconds,
            tokens_per_second=batch * prompt / prefill_seconds,
            bound=pre.bound,
            compute_seconds=pre.compute,
            memory_seconds=pre.memory,
            communication_seconds=pre.communication,
        ),
        decode=Decode(
            seconds_per_token=step,
            tokens_per_second_per_sequence=per_sequence,
            tokens_per_second=tokens_per_second,
            bound=dec.bound,
            compute_seconds=dec.compute,
            memory_seconds=dec.memory,
            communication_seconds=dec.communication,
            overhead_seconds=dec.overhead,
        ),
        end_to_end_seconds=end_to_end,
        cost=cost,
        api_comparison=comparisons,
        warnings=tuple(warnings),
        trace=tuple(trace.steps),
    )


def _costs(
    trace: _Trace,
    warnings: list[str],
    workload: Workload,
    hourly: float | None,
    batch: int,
    end_to_end: float,
    saturated: float,
) -> tuple[Cost, tuple[ApiComparison, ...]]:
    prompt, completion = workload.prompt_tokens, workload.completion_tokens
    if hourly is None:
        warnings.append("No hourly price for this GPU: enter one to see costs.")
        return Cost(None, None, None, None, None, saturated), ()
    per_hour = hourly * workload.num_gpus
    run = per_hour * end_to_end / C.SECONDS_PER_HOUR
    tokens = batch * (prompt + completion)
    per_1m_output = per_hour / C.SECONDS_PER_HOUR / saturated * C.TOKENS_PER_MILLION
    trace.add(
        "cost",
        "Cost of one run",
        "GPUs x price per GPU-hour x end-to-end time",
        f"{workload.num_gpus} x ${hourly:,.2f} x {end_to_end:,.2f} s / 3600",
        run,
        "USD",
    )
    trace.add(
        "cost",
        "Cost per 1M output tokens at full load",
        "price per hour / (3600 x saturated output tokens/s) x 1M",
        f"${per_hour:,.2f} / (3600 x {saturated:,.1f})",
        per_1m_output,
        "USD",
    )
    comparisons = []
    for api in workload.apis:
        api_run = (
            batch
            * (prompt * api.input_usd_per_1m + completion * api.output_usd_per_1m)
            / C.TOKENS_PER_MILLION
        )
        # What the API would charge for an hour of our full-load output.
        api_hour = (
            saturated
            * C.SECONDS_PER_HOUR
            * (completion * api.output_usd_per_1m + prompt * api.input_usd_per_1m)
            / completion
            / C.TOKENS_PER_MILLION
        )
        comparisons.append(
            ApiComparison(
                slug=api.slug,
                name=api.name,
                total_usd=api_run,
                ratio=run / api_run if api_run else None,
                break_even_utilization=per_hour / api_hour if api_hour else None,
            )
        )
    break_even = min(
        (c.break_even_utilization for c in comparisons if c.break_even_utilization is not None),
        default=None,
    )
    if break_even is not None:
        trace.add(
            "cost",
            "Break-even utilisation (cheapest API)",
            "price per hour / API price of the tokens served in an hour at full load",
            f"${per_hour:,.2f} / API cost of {saturated * 3600:,.0f} output tokens",
            break_even,
            "fraction",
        )
    cost = Cost(
        usd_per_hour=per_hour,
        total_usd=run,
        usd_per_1k_tokens=run / tokens * 1000,
        usd_per_1m_output_tokens=per_1m_output,
        break_even_utilization=break_even,
        saturated_output_tokens_per_second=saturated,
    )
    return cost, tuple(comparisons)
