"""Memory per GPU: weights, KV cache, activations and the engine's runtime; what fits,
the largest batch, the longest sequence and the fewest GPUs that hold a workload."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, replace

from . import constants
from .limits import MAX_GPUS_SEARCHED
from .params import ParamCounts, count_parameters
from .results import TraceStep
from .specs import Dtype, EngineSpec, GpuSpec, Layout, ModelSpec, Parallelism, Workload

SIXTEEN_BIT = (Dtype.FP32, Dtype.FP16, Dtype.BF16)


def bytes_per_param(dtype: Dtype) -> float:
    return constants.BYTES_PER_PARAM[dtype]


def outer_bytes_per_param(dtype: Dtype) -> float:
    """Embedding, LM head and vision encoder: kept in 16-bit below 16 bits."""
    if dtype in SIXTEEN_BIT:
        return constants.BYTES_PER_PARAM[dtype]
    return constants.UNQUANTIZED_BYTES_PER_PARAM


def kv_dtype_of(workload: Workload) -> Dtype:
    """The KV cache's type: the one chosen, else the default for the weights' type."""
    return workload.kv_dtype or constants.DEFAULT_KV_DTYPE[workload.weights_dtype]


def kv_bytes_per_token(model: ModelSpec, kv_dtype: Dtype, tp: int, layers: int) -> float:
    """KV cache of one token on one GPU: keys and values of its layers and heads, with
    every layer holding the token (a context within any attention window).

    Tensor parallelism splits the KV heads; past one head per GPU they are replicated,
    so the cache per GPU stops shrinking. Multi-head latent attention caches one latent
    and one rotary key per token and layer, shared by all heads: every tensor-parallel
    GPU holds all of it (vLLM's MLAAttentionSpec: one KV head of kv_lora_rank +
    qk_rope_head_dim values; vllm-project/vllm vllm/v1/kv_cache_interface.py).
    """
    if model.is_mla:
        values = model.kv_lora_rank + model.qk_rope_head_dim
        return layers * values * constants.BYTES_PER_PARAM[kv_dtype]
    heads_per_gpu = max(math.ceil(model.num_kv_heads / tp), 1)
    bytes_per_value = constants.BYTES_PER_PARAM[kv_dtype]
    return constants.KV_TENSORS * layers * heads_per_gpu * model.head_dim * bytes_per_value


# Local attention. A sliding-window layer holds and attends to the last `window` tokens;
# a chunked layer (Llama 4) attends to the tokens of its own chunk so far and, at worst,
# holds a whole chunk. vLLM frees the blocks a local layer no longer needs
# (SlidingWindowSpec and ChunkedLocalAttentionSpec in vllm/v1/kv_cache_interface.py).


def local_context(model: ModelSpec, context: float) -> float:
    """Context tokens a local layer attends to when the sequence holds `context`."""
    window = model.attention_window
    if not window:
        return context
    if model.chunked_attention:
        return context - window * math.floor(context / window)
    return min(context, window)


def local_prefill_pairs(model: ModelSpec, prompt: float) -> float:
    """(query, context) pairs a local layer computes for a prompt prefilled from an
    empty cache: p^2 / 2 for a global layer."""
    window = model.attention_window
    if not window:
        return prompt * prompt / 2
    if model.chunked_attention:
        chunks = math.floor(prompt / window)
        rest = prompt - chunks * window
        return chunks * window * window / 2 + rest * rest / 2
    if prompt <= window:
        return prompt * prompt / 2
    return window * window / 2 + (prompt - window) * window


def expert_bytes_per_param(model: ModelSpec, dtype: Dtype) -> float:
    """A routed expert's weight: the chosen type, or the checkpoint's own smaller format
    (gpt-oss's MXFP4 experts stay MXFP4 whatever the rest runs in)."""
    chosen = bytes_per_param(dtype)
    native = constants.NATIVE_EXPERT_BYTES_PER_PARAM.get(model.expert_format)
    return min(chosen, native) if native else chosen


def weight_bytes(
    params: ParamCounts, dtype: Dtype, model: ModelSpec | None = None
) -> tuple[float, float]:
    """(transformer blocks, embedding + head + extra) in bytes, whole model."""
    outer = params.embedding + params.lm_head + params.extra
    if model is not None and model.expert_format:
        experts = params.routed_experts
        blocks = (params.blocks - experts) * bytes_per_param(dtype)
        blocks += experts * expert_bytes_per_param(model, dtype)
        return blocks, outer * outer_bytes_per_param(dtype)
    return params.blocks * bytes_per_param(dtype), outer * outer_bytes_per_param(dtype)


def experts_per_gpu(model: ModelSpec, ep: int) -> int:
    """Routed experts of one MoE layer on the busiest GPU of an expert-parallel group."""
    return math.ceil(model.num_experts / ep)


def routed_expert_bytes(model: ModelSpec, params: ParamCounts, dtype: Dtype) -> float:
    """Every routed expert of every MoE layer, bytes."""
    return params.routed_experts * expert_bytes_per_param(model, dtype)


def weights_per_gpu(model: ModelSpec, params: ParamCounts, dtype: Dtype, layout: Layout) -> float:
    blocks, outer = weight_bytes(params, dtype, model)
    if layout.ep > 1:
        # Expert parallelism: each GPU holds its share of the routed experts and a whole
        # copy of the rest (attention, shared experts, dense layers, embedding, head).
        routed = routed_expert_bytes(model, params, dtype)
        share = experts_per_gpu(model, layout.ep) / model.num_experts
        return blocks - routed + outer + routed * share
    if layout.pp > 1:
        # The largest stage: its share of the blocks plus the embedding (first stage) or
        # the head (last stage), whichever is larger.
        per_layer = blocks / model.num_layers
        embedding_side = (params.embedding + params.extra) * outer_bytes_per_param(dtype)
        head_side = params.lm_head * outer_bytes_per_param(dtype)
        return layout.layers_per_gpu * per_layer + max(embedding_side, head_side)
    return (blocks + outer) / layout.tp


def activation_width(model: ModelSpec) -> int:
    """The widest MLP a token passes through."""
    width = model.moe_intermediate_size or model.intermediate_size
    if model.num_experts and (model.moe_layer_step > 1 or model.first_dense_layers):
        # Interleaved or leading dense layers (Llama 4 Maverick, DeepSeek) are wider.
        width = max(width, model.intermediate_size)
    return width


def activation_bytes_per_gpu(model: ModelSpec, engine: EngineSpec, tp: int) -> float:
    """Peak transient memory the engine reserves: one full prefill chunk through a block
    plus the fp32 logits of its largest decode batch. Like vLLM's start-up profiling, this
    is sized for the engine's limits, not for the current batch, so the KV pool (and the
    largest batch) does not depend on the batch asked for."""
    per_token = (
        constants.ACTIVATION_HIDDEN_COPIES * model.hidden_size
        + constants.ACTIVATION_INTERMEDIATE_COPIES * activation_width(model) / tp
    ) * constants.ACTIVATION_BYTES
    logits = engine.max_num_seqs * model.vocab_size / tp * constants.LOGITS_BYTES
    return engine.max_batched_tokens * per_token + logits


# A sequence whose every layer is local never outgrows its window: any length fits once
# one window does. max_seq_len reports this many tokens (the caller caps it at the
# model's context).
UNBOUNDED_TOKENS = 2**62


@dataclass(frozen=True)
class MemoryPlan:
    """One GPU's memory for a model on a layout, before any batch is chosen (bytes)."""

    weights: float
    activations: float
    overhead: float
    kv_per_token: float  # every layer of this GPU, a token within any window
    capacity: float  # usable x memory fraction
    physical: float
    kv_local_per_token: float = 0.0  # the part of kv_per_token on local layers
    window: int = 0  # tokens a local layer holds at most (0: none)

    def free_for_kv(self) -> float:
        return self.capacity - self.weights - self.activations - self.overhead

    def kv_per_sequence(self, seq_len: int) -> float:
        """The cache one sequence of `seq_len` tokens holds: local layers stop at the
        window."""
        full = self.kv_per_token * seq_len
        if self.window and seq_len > self.window:
            return full - self.kv_local_per_token * (seq_len - self.window)
        return full

    def shared_kv(self, seq_len: int, shared: int) -> float:
        """The cache of a shared prefix of ``shared`` tokens within a sequence of
        ``seq_len``: what each sequence beyond the first does not hold again (prefix.py)."""
        if not shared:
            return 0.0
        return self.kv_per_sequence(seq_len) - self.kv_per_sequence(seq_len - shared)

    def max_batch(self, seq_len: int, shared: int = 0) -> int:
        """Sequences of ``seq_len`` that fit; ``shared`` tokens of each held once:
        batch x (per sequence - shared) + shared <= free."""
        per_sequence = self.kv_per_sequence(seq_len)
        held_once = self.shared_kv(seq_len, shared)
        free = self.free_for_kv() - held_once
        return max(int(free // (per_sequence - held_once)), 0) if free > 0 else 0

    def max_seq_len(self, batch: int) -> int:
        free = self.free_for_kv()
        longest = max(int(free // (self.kv_per_token * batch)), 0)
        if not self.window or longest <= self.window:
            return longest
        global_per_token = self.kv_per_token - self.kv_local_per_token
        if global_per_token <= 0:
            return UNBOUNDED_TOKENS
        budget = free / batch - self.kv_local_per_token * self.window
        return max(int(budget // global_per_token), 0)

    def kv_cache(self, seq_len: int, batch: int, shared: int = 0) -> float:
        held_once = self.shared_kv(seq_len, shared)
        return (self.kv_per_sequence(seq_len) - held_once) * batch + held_once * min(batch, 1)

    def total(self, seq_len: int, batch: int, shared: int = 0) -> float:
        kv = self.kv_cache(seq_len, batch, shared)
        return self.weights + self.activations + self.overhead + kv


def plan_memory(
    model: ModelSpec,
    gpu: GpuSpec,
    engine: EngineSpec,
    params: ParamCounts,
    weights_dtype: Dtype,
    kv_dtype: Dtype,
    layout: Layout,
) -> MemoryPlan:
    physical = gpu.usable_memory_gib * constants.BYTES_PER_GIB
    # Data-parallel attention (expert parallelism): each GPU holds the whole cache of
    # its own sequences, so one sequence of the replica costs each GPU 1/ep of its cache
    # on average (the batch spread evenly over the GPUs: assumption).
    kv_per_token = kv_bytes_per_token(model, kv_dtype, layout.tp, layout.layers_per_gpu)
    kv_per_token /= layout.ep
    return MemoryPlan(
        weights=weights_per_gpu(model, params, weights_dtype, layout),
        activations=activation_bytes_per_gpu(model, engine, layout.tp),
        overhead=engine.runtime_overhead_gib * constants.BYTES_PER_GIB,
        kv_per_token=kv_per_token,
        capacity=physical * engine.memory_fraction,
        physical=physical,
        # Pipeline stages hold their share of the local layers (assumption: spread evenly).
        kv_local_per_token=kv_per_token * model.local_share,
        window=model.attention_window if model.local_share else 0,
    )


def gpu_counts(model: ModelSpec, workload: Workload) -> list[int]:
    """The GPU counts searched for the fewest that fit, fewest first: powers of two for
    tensor parallelism (engines split the heads evenly; beyond a count that divides them,
    they add pipeline stages), any count of pipeline stages up to the layers; always with
    the count asked for, so the answer is never above it when that count holds it."""
    top = MAX_GPUS_SEARCHED
    if workload.parallelism is Parallelism.PIPELINE:
        counts = set(range(1, min(top, model.num_layers) + 1))
    else:
        counts = {2**i for i in range(int(math.log2(top)) + 1)}
    if workload.parallelism is Parallelism.EXPERT:
        # Expert parallelism spreads the routed experts over at most one GPU each.
        counts = {n for n in counts if n <= model.num_experts}
    return sorted(counts | {workload.num_gpus})


def first_to_fit(
    model: ModelSpec,
    gpu: GpuSpec,
    engine: EngineSpec,
    candidates: Iterable[Workload],
    batch: int,
    seq_len: int,
    shared: int = 0,
) -> Workload | None:
    """The first of `candidates` (a workload's GPU counts or weight precisions, in the
    order to try) on which `batch` sequences of `seq_len` fit (`shared` prefix tokens of
    each held once); None: none does. The one search behind the fewest GPUs
    (min_gpus_to_fit) and the widest narrower precision (narrower_weights)."""
    params = count_parameters(model)
    for candidate in candidates:
        layout = Layout.of(model, candidate.num_gpus, candidate.parallelism)
        weights, kv = candidate.weights_dtype, kv_dtype_of(candidate)
        plan = plan_memory(model, gpu, engine, params, weights, kv, layout)
        if plan.max_batch(seq_len, shared) >= batch:
            return candidate
    return None


def min_gpus_to_fit(
    model: ModelSpec,
    gpu: GpuSpec,
    engine: EngineSpec,
    workload: Workload,
    batch: int,
    seq_len: int,
    shared: int = 0,
) -> int | None:
    """Fewest GPUs on which `batch` sequences of `seq_len` fit (`shared` prefix tokens
    of each held once), whatever was asked (None: not on any count searched). Never
    above the count asked when that count holds it."""
    counts = (replace(workload, num_gpus=n) for n in gpu_counts(model, workload))
    fit = first_to_fit(model, gpu, engine, counts, batch, seq_len, shared)
    return fit.num_gpus if fit else None


# The narrower weight precisions tried when a configuration does not fit, in this order
# among equal widths: FP8 before INT8 and INT4 before FP4 (the more widely served first).
NARROWER_DTYPES = (Dtype.FP8, Dtype.INT8, Dtype.INT4, Dtype.FP4)
# The tensor maths a GPU needs to serve weights of this type (None: any GPU serves it).
# FP8 and FP4 checkpoints need the GPU's FP8/FP4 units; INT8 and INT4 run on 16-bit
# maths after dequantizing (assumption: the engines' weight-only kernels).
NATIVE_TFLOPS = {Dtype.FP8: "fp8_tflops", Dtype.FP4: "fp4_tflops"}


def narrower_weights(gpu: GpuSpec, workload: Workload) -> list[Workload]:
    """The workload at each weight precision narrower than the one asked, widest first,
    for first_to_fit to find the widest that fits on the GPUs asked. Skips FP8 and FP4
    on a GPU without their tensor maths. The KV cache keeps its chosen type, else
    follows the weights' (kv_dtype_of)."""
    asked = bytes_per_param(workload.weights_dtype)
    narrower = sorted(
        (d for d in NARROWER_DTYPES if bytes_per_param(d) < asked),
        key=bytes_per_param,
        reverse=True,
    )
    served = [d for d in narrower if d not in NATIVE_TFLOPS or getattr(gpu, NATIVE_TFLOPS[d])]
    return [replace(workload, weights_dtype=d) for d in served]


def trace(
    model: ModelSpec,
    gpu: GpuSpec,
    engine: EngineSpec,
    params: ParamCounts,
    plan: MemoryPlan,
    layout: Layout,
    weights_dtype: Dtype,
    kv_dtype: Dtype,
    batch: int,
    seq_len: int,
    max_batch: int,
) -> list[TraceStep]:
    gb = _gb
    return [
        _weights_step(model, params, plan, layout, weights_dtype),
        _kv_per_token_step(model, plan, layout, kv_dtype),
        _kv_cache_step(model, plan, seq_len, batch),
        TraceStep(
            "memory",
            "Activations per GPU",
            f"engine chunk x ({constants.ACTIVATION_HIDDEN_COPIES} x hidden + "
            f"{constants.ACTIVATION_INTERMEDIATE_COPIES} x MLP width / TP) x "
            f"{constants.ACTIVATION_BYTES:.0f} B + max seqs x vocab / TP x "
            f"{constants.LOGITS_BYTES:.0f} B",
            f"{engine.max_batched_tokens:,} tokens x ({constants.ACTIVATION_HIDDEN_COPIES} x "
            f"{model.hidden_size:,} + {constants.ACTIVATION_INTERMEDIATE_COPIES} x "
            f"{activation_width(model):,} / {layout.tp}) x {constants.ACTIVATION_BYTES:.0f} B + "
            f"{engine.max_num_seqs} x {model.vocab_size:,} / {layout.tp} x "
            f"{constants.LOGITS_BYTES:.0f} B",
            plan.activations,
            "bytes",
        ),
        TraceStep(
            "memory",
            "Capacity per GPU",
            "usable memory x engine memory fraction",
            f"{gpu.usable_memory_gib:,.1f} GiB x {engine.memory_fraction:.2f}",
            plan.capacity,
            "bytes",
        ),
        TraceStep(
            "memory",
            "Largest batch that fits",
            "(capacity - weights - activations - runtime) / (KV per token x sequence length)",
            f"({gb(plan.capacity)} - {gb(plan.weights)} - {gb(plan.activations)} - "
            f"{gb(plan.overhead)}) / ({plan.kv_per_token:,.0f} B x {seq_len:,})",
            max_batch,
            "sequences",
        ),
    ]


def _weights_step(
    model: ModelSpec, params: ParamCounts, plan: MemoryPlan, layout: Layout, weights_dtype: Dtype
) -> TraceStep:
    if layout.ep > 1:
        routed = routed_expert_bytes(model, params, weights_dtype)
        per_gpu = experts_per_gpu(model, layout.ep)
        return TraceStep(
            "memory",
            "Weights per GPU",
            "all weights - routed experts (a whole copy on every GPU: attention, shared "
            "experts, dense layers, embedding, head) + routed experts x ceil(experts / EP) "
            "/ experts (expert parallelism)",
            f"{_gb(plan.weights - routed * per_gpu / model.num_experts)} + {_gb(routed)} x "
            f"{per_gpu} / {model.num_experts}",
            plan.weights,
            "bytes",
        )
    return TraceStep(
        "memory",
        "Weights per GPU",
        f"blocks x bytes/param + embedding and head at "
        f"{constants.UNQUANTIZED_BYTES_PER_PARAM * 8:.0f}-bit, split across GPUs",
        f"{params.blocks:,} x {bytes_per_param(weights_dtype):.4g} B "
        f"({weights_dtype.value}) / {layout.tp}"
        + (f", largest of {layout.pp} pipeline stages" if layout.pp > 1 else ""),
        plan.weights,
        "bytes",
    )


def _kv_per_token_step(
    model: ModelSpec, plan: MemoryPlan, layout: Layout, kv_dtype: Dtype
) -> TraceStep:
    size = f"{constants.BYTES_PER_PARAM[kv_dtype]:.4g} B ({kv_dtype.value})"
    if layout.ep > 1:
        whole = kv_bytes_per_token(model, kv_dtype, 1, layout.layers_per_gpu)
        return TraceStep(
            "memory",
            "KV cache per token per GPU",
            "a token's whole cache on the one GPU that runs its sequence (data-parallel "
            "attention), the replica's sequences spread over the EP GPUs",
            f"{whole:,.0f} B / {layout.ep}",
            plan.kv_per_token,
            "bytes",
        )
    if model.is_mla:
        return TraceStep(
            "memory",
            "KV cache per token per GPU",
            "layers x (kv_lora_rank + qk_rope_head_dim) x bytes, on every GPU (latent "
            "attention: one latent per token and layer, shared by all heads)",
            f"{layout.layers_per_gpu} x ({model.kv_lora_rank} + {model.qk_rope_head_dim}) x {size}",
            plan.kv_per_token,
            "bytes",
        )
    return TraceStep(
        "memory",
        "KV cache per token per GPU",
        f"{constants.KV_TENSORS} x layers x max(KV heads / TP, 1) x head_dim x bytes",
        f"{constants.KV_TENSORS} x {layout.layers_per_gpu} x "
        f"max({model.num_kv_heads}/{layout.tp}, 1) x {model.head_dim} x {size}",
        plan.kv_per_token,
        "bytes",
    )


def _kv_cache_step(model: ModelSpec, plan: MemoryPlan, seq_len: int, batch: int) -> TraceStep:
    if plan.window and seq_len > plan.window:
        kind = "chunk" if model.chunked_attention else "window"
        return TraceStep(
            "memory",
            "KV cache per GPU",
            f"(KV per token x sequence length - local layers' share x (sequence length - "
            f"{kind})) x batch: {model.local_layers} of {model.num_layers} layers hold at "
            f"most a {kind} of {plan.window:,} tokens",
            f"({plan.kv_per_token:,.0f} B x {seq_len:,} - {plan.kv_local_per_token:,.0f} B x "
            f"{seq_len - plan.window:,}) x {batch:,}",
            plan.kv_cache(seq_len, batch),
            "bytes",
        )
    return TraceStep(
        "memory",
        "KV cache per GPU",
        "KV per token x sequence length x batch",
        f"{plan.kv_per_token:,.0f} B x {seq_len:,} x {batch:,}",
        plan.kv_cache(seq_len, batch),
        "bytes",
    )


def _gb(n_bytes: float) -> str:
    return f"{n_bytes / constants.BYTES_PER_GB:,.2f} GB"
