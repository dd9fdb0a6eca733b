"""The time of one engine iteration: the seam every timing figure goes through.

An iteration (one forward pass of the engine) works on a mix of prompt tokens being
prefilled and sequences being decoded, each with the context already in its cache.
Its time is a roofline at the engine's measured efficiencies (the slower of reading the
bytes and doing the FLOPs) plus the tensor-parallel all-reduces and a fixed per-step
cost. Time to first token and time per output token (``timing``) are special cases; the
serving simulator calls ``step_time`` for every iteration it schedules.

Every term is linear in the token counts and the summed contexts, so the time of a run
of iterations whose batch doesn't change can be summed in closed form.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from . import constants as C
from .memory import (
    bytes_per_param,
    expert_bytes_per_param,
    kv_bytes_per_token,
    kv_dtype_of,
    outer_bytes_per_param,
    weight_bytes,
)
from .params import ParamCounts, count_parameters
from .results import Bound
from .specs import (
    Dtype,
    EngineSpec,
    EstimatorInputError,
    GpuSpec,
    Interconnect,
    Layout,
    ModelSpec,
    Workload,
)

# Compute and communication


def compute_dtype(
    gpu: GpuSpec, engine: EngineSpec, weights: Dtype, warnings: list[str] | None = None
) -> tuple[Dtype, float]:
    """The tensor unit the weights' type computes in on this GPU, and its peak TFLOPS."""
    preference = C.COMPUTE_DTYPE_PREFERENCE[weights]
    for candidate in preference:
        peak = gpu.peak_tflops(candidate)
        if peak:
            if candidate is not preference[0] and warnings is not None:
                warnings.append(
                    f"{gpu.name} has no {weights.value.upper()} tensor cores: weights stay "
                    f"{weights.value} in memory and the matrix maths runs in "
                    f"{candidate.value.upper()} ({peak:,.0f} TFLOPS)."
                )
            if candidate is Dtype.FP16 and engine.fp16_accumulate and gpu.fp16_acc16_tflops:
                peak = gpu.fp16_acc16_tflops
            return candidate, peak
    if gpu.fp32_tflops:
        if warnings is not None:
            warnings.append(
                f"{gpu.name} lists no {weights.value.upper()} throughput: compute is "
                "estimated at its FP32 rate."
            )
        return Dtype.FP32, gpu.fp32_tflops
    raise EstimatorInputError("gpu", f"{gpu.name} has no compute throughput on record.")


def is_rocm(gpu: GpuSpec) -> bool:
    """AMD Instinct parts: the ones joined by Infinity Fabric (xGMI)."""
    return gpu.interconnect is Interconnect.INFINITY_FABRIC


def has_peer_to_peer(gpu: GpuSpec) -> bool:
    """GeForce cards (the parts with an FP16-accumulate rate of their own) have no PCIe
    peer-to-peer."""
    return gpu.fp16_acc16_tflops is None


def link(gpu: GpuSpec, n: int) -> tuple[float, float, str]:
    """(one-way bandwidth bytes/s, latency s, description) for an all-reduce over n GPUs."""
    domain = C.SCALE_UP_DOMAIN_GPUS[gpu.interconnect]
    if n > max(domain, 1) and domain >= C.NODE_GPUS:
        return C.INTER_NODE_GB_S * C.BYTES_PER_GB, C.INTER_NODE_LATENCY_S, "between nodes"
    if gpu.interconnect is not Interconnect.PCIE and n <= domain and gpu.interconnect_gb_s:
        one_way = gpu.interconnect_gb_s / 2 * C.BYTES_PER_GB
        return one_way, C.ALLREDUCE_LATENCY_S[gpu.interconnect], gpu.interconnect.value
    if not has_peer_to_peer(gpu):
        return gpu.pcie_gb_s * C.BYTES_PER_GB, C.PCIE_NO_PEER_ALLREDUCE_LATENCY_S, "PCIe via host"
    return gpu.pcie_gb_s * C.BYTES_PER_GB, C.ALLREDUCE_LATENCY_S[Interconnect.PCIE], "PCIe"


def allreduce_seconds(gpu: GpuSpec, n: int, message_bytes: float) -> float:
    if n <= 1:
        return 0.0
    bandwidth, latency, _ = link(gpu, n)
    moved = 2 * (n - 1) / n * message_bytes  # ring all-reduce
    return latency + moved / (bandwidth * C.ALLREDUCE_BANDWIDTH_EFFICIENCY)


def all_to_all_seconds(gpu: GpuSpec, n: int, message_bytes: float) -> float:
    """One all-to-all over n GPUs in which each GPU sends ``message_bytes`` (counted as
    DeepEP counts them: every top-k copy, its own GPU's included). Within the scale-up
    domain over NVLink/xGMI; across nodes the share for other nodes goes over the
    network while the rest crosses NVLink at the same time, the slower one setting the
    time."""
    if n <= 1 or not message_bytes:
        return 0.0
    bandwidth, latency, _ = link(gpu, n)
    domain = C.SCALE_UP_DOMAIN_GPUS[gpu.interconnect]
    seconds = message_bytes / bandwidth
    if n > max(domain, 1) and domain >= C.NODE_GPUS:
        remote = message_bytes * (1 - domain / n)
        near, _, _ = link(gpu, domain)
        seconds = max(remote / bandwidth, (message_bytes - remote) / near)
    return latency + seconds / C.ALL_TO_ALL_BANDWIDTH_EFFICIENCY


def expert_dispatch_bytes(model: ModelSpec, tokens_per_gpu: float) -> tuple[float, float]:
    """(dispatch, combine) bytes one GPU sends per MoE layer: tokens x top-k x hidden x
    FP8 out, the same in BF16 back."""
    values = tokens_per_gpu * model.experts_per_token * model.hidden_size
    return values * C.EXPERT_DISPATCH_BYTES, values * C.EXPERT_COMBINE_BYTES


def expert_communication_seconds(
    model: ModelSpec, gpu: GpuSpec, params_moe_layers: int, ep: int, tokens: int
) -> float:
    """Expert parallelism: a dispatch and a combine per MoE layer over the EP group, for
    ``tokens`` tokens of the whole replica spread evenly over its GPUs."""
    dispatch, combine = expert_dispatch_bytes(model, tokens / ep)
    per_layer = all_to_all_seconds(gpu, ep, dispatch) + all_to_all_seconds(gpu, ep, combine)
    return params_moe_layers * per_layer


def communication_seconds(model: ModelSpec, gpu: GpuSpec, layout: Layout, tokens: int) -> float:
    """Tensor parallel: two all-reduces per layer. Pipeline: one send per stage boundary.
    Expert parallel: a dispatch and a combine per MoE layer (attention and the dense
    layers are data-parallel: nothing to exchange)."""
    if layout.ep > 1:
        moe_layers = count_parameters(model).moe_layers
        return expert_communication_seconds(model, gpu, moe_layers, layout.ep, tokens)
    message = tokens * model.hidden_size * C.ACTIVATION_BYTES
    if layout.tp > 1:
        per_allreduce = allreduce_seconds(gpu, layout.tp, message)
        return C.ALLREDUCE_PER_LAYER * model.num_layers * per_allreduce
    if layout.pp > 1:
        bandwidth, _, _ = link(gpu, 2)
        return (layout.pp - 1) * (C.PIPELINE_HOP_LATENCY_S + message / bandwidth)
    return 0.0


def experts_touched(model: ModelSpec, tokens: int) -> float:
    """Expected distinct routed experts one MoE layer reads for `tokens` tokens, routed
    independently and uniformly (assumption; real routing is skewed, which touches
    fewer)."""
    if not model.num_experts:
        return 0.0
    miss = (1 - model.experts_per_token / model.num_experts) ** tokens
    return model.num_experts * (1 - miss)


def compute_efficiency(gpu: GpuSpec) -> float:
    return gpu.compute_efficiency or C.DEFAULT_COMPUTE_EFFICIENCY


def bandwidth_efficiency(gpu: GpuSpec) -> float:
    return gpu.bandwidth_efficiency or C.DEFAULT_BANDWIDTH_EFFICIENCY


# One iteration


@dataclass(frozen=True)
class StepTimes:
    """One iteration's time by part, seconds; the parts of the roofline overlap."""

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
class StepContext:
    """Everything a step-time evaluation needs for one replica, worked out once."""

    model: ModelSpec
    gpu: GpuSpec
    engine: EngineSpec
    layout: Layout
    params: ParamCounts
    weights_dtype: Dtype
    compute_dtype: Dtype
    peak_tflops: float  # per GPU, the datasheet's (or FP16-accumulate) figure
    peak_flops: float  # per GPU, FLOP/s, at the GPU's measured efficiency
    bandwidth: float  # per GPU, bytes/s, at the GPU's efficiency and engine's utilisation
    kv_bytes_per_token_model: float  # whole model, all layers and KV heads (pre-split)
    # Expert parallelism: the busiest GPU's routed tokens over the average (expert GEMMs
    # wait for it); unused without expert parallelism.
    expert_imbalance: float = C.EXPERT_LOAD_IMBALANCE
    # Derived once, for speed: bytes and FLOPs every step reuses.
    all_weight_bytes: float = field(init=False)
    dense_weight_bytes: float = field(init=False)  # blocks without the routed experts
    expert_bytes: float = field(init=False)  # one expert of every MoE layer
    head_bytes: float = field(init=False)
    # Attention FLOPs per (query token, context token) pair, all layers as global ones:
    # decode's, and prefill's (they differ for latent attention).
    attention_flops_per_context_token: float = field(init=False)
    prefill_attention_flops_per_context_token: float = field(init=False)
    # How many times one GPU's share of the cache is read per token (latent attention:
    # every tensor-parallel GPU reads the whole latent).
    kv_read_copies: int = field(init=False)
    # FLOPs per token in the routed experts' grouped GEMMs (MoE; 0 for dense models).
    routed_flops_per_token: float = field(init=False)
    # Weight reads take this many times their bytes' time (int4 unpacking; else 1).
    weight_read_factor: float = field(init=False)
    # The fixed cost of one step: the engine's, MoE routing, the platform's launches.
    step_overhead_s: float = field(init=False)
    matmul_params: int = field(init=False)  # params.matmul_active
    head_params: int = field(init=False)  # params.head
    # All-reduce seconds by token count, filled as steps ask (the serving simulator asks
    # for the same few counts thousands of times).
    _communication: dict[int, float] = field(
        init=False, default_factory=dict, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        p, m, dtype = self.params, self.model, self.weights_dtype
        expert_total = p.moe_layers * m.num_experts * p.expert_mlp
        blocks, outer = weight_bytes(p, dtype, m)
        put = object.__setattr__
        # Bytes the replica's GPUs read together: under expert parallelism every GPU
        # reads its own copy of all but the routed experts, so those count ep times.
        copies = self.layout.ep
        routed = p.routed_experts * expert_bytes_per_param(m, dtype)
        put(self, "all_weight_bytes", (blocks + outer - routed) * copies + routed)
        put(
            self,
            "dense_weight_bytes",
            (p.blocks - expert_total) * bytes_per_param(dtype) * copies,
        )
        put(self, "expert_bytes", p.moe_layers * p.expert_mlp * expert_bytes_per_param(m, dtype))
        put(self, "head_bytes", p.head * outer_bytes_per_param(dtype) * copies)
        put(
            self,
            "routed_flops_per_token",
            C.FLOPS_PER_MULTIPLY_ADD * p.moe_layers * m.experts_per_token * p.expert_mlp
            if m.num_experts
            else 0.0,
        )
        put(
            self,
            "weight_read_factor",
            1 / C.INT4_WEIGHT_READ_EFFICIENCY if dtype is Dtype.INT4 else 1.0,
        )
        overhead = self.engine.step_overhead_s
        if m.num_experts:
            overhead += p.moe_layers * C.MOE_LAYER_STEP_OVERHEAD_S
        if is_rocm(self.gpu):
            overhead += m.num_layers * C.ROCM_LAYER_STEP_OVERHEAD_S
        put(self, "step_overhead_s", overhead)
        heads = m.num_layers * m.num_attention_heads
        if m.is_mla:
            # Decode absorbs kv_b_proj into the query and output (vLLM's MLA decode path):
            # QK^T over the latent plus the rotary key, AV over the latent. Prefill expands
            # the latent into per-head keys (nope + rope) and values (DeepSeek-V2 paper,
            # section 2.1.3; vllm/model_executor/layers/mla.py).
            decode = m.kv_lora_rank + m.qk_rope_head_dim + m.kv_lora_rank
            prefill = m.qk_nope_head_dim + m.qk_rope_head_dim + m.v_head_dim
            put(
                self, "attention_flops_per_context_token", C.FLOPS_PER_MULTIPLY_ADD * heads * decode
            )
            put(
                self,
                "prefill_attention_flops_per_context_token",
                C.FLOPS_PER_MULTIPLY_ADD * heads * prefill,
            )
            put(self, "kv_read_copies", self.layout.tp)
        else:
            # QK^T and AV: 2 FLOPs each per head dimension, per head, per layer, per
            # token of context attended to.
            flops = C.ATTENTION_FLOPS_PER_CONTEXT_VALUE * heads * m.head_dim
            put(self, "attention_flops_per_context_token", flops)
            put(self, "prefill_attention_flops_per_context_token", flops)
            put(self, "kv_read_copies", 1)
        put(self, "matmul_params", p.matmul_active)
        put(self, "head_params", p.head)

    def communication(self, tokens: int) -> float:
        """``communication_seconds`` for this replica, remembered per token count."""
        seconds = self._communication.get(tokens)
        if seconds is None:
            seconds = communication_seconds(self.model, self.gpu, self.layout, tokens)
            self._communication[tokens] = seconds
        return seconds

    @property
    def divisor(self) -> int:
        """How many GPUs share one token's work: TP splits it; pipeline stages take
        turns, so one token costs the whole model on one GPU's resources; expert
        parallelism gives each GPU its share of the tokens."""
        return self.layout.tp * self.layout.ep

    @property
    def token_budget(self) -> int:
        """Prompt tokens one step takes: the engine's budget on each data-parallel GPU."""
        return self.engine.max_batched_tokens * self.layout.ep

    @property
    def max_sequences(self) -> int:
        """Sequences the replica runs at once: the engine's cap on each data-parallel GPU."""
        return self.engine.max_num_seqs * self.layout.ep

    @property
    def routed_slowdown(self) -> float:
        """How much slower the routed experts' GEMMs run than at the grouped-GEMM rate:
        the load imbalance under expert parallelism, else none."""
        return self.expert_imbalance if self.layout.ep > 1 else 1.0


def make_context(
    model: ModelSpec,
    gpu: GpuSpec,
    engine: EngineSpec,
    workload: Workload,
    warnings: list[str] | None = None,
) -> StepContext:
    """The step context for a workload's model, GPUs, layout and precision."""
    dtype, peak_tflops = compute_dtype(gpu, engine, workload.weights_dtype, warnings)
    model_kv = kv_bytes_per_token(model, kv_dtype_of(workload), 1, model.num_layers)
    return StepContext(
        model=model,
        gpu=gpu,
        engine=engine,
        layout=Layout.of(model, workload.num_gpus, workload.parallelism),
        params=count_parameters(model),
        weights_dtype=workload.weights_dtype,
        compute_dtype=dtype,
        peak_tflops=peak_tflops,
        peak_flops=peak_tflops * C.FLOPS_PER_TFLOPS * compute_efficiency(gpu),
        bandwidth=gpu.memory_bandwidth_gb_s
        * C.BYTES_PER_GB
        * bandwidth_efficiency(gpu)
        * engine.bandwidth_utilization,
        kv_bytes_per_token_model=model_kv,
    )


def step_time(
    ctx: StepContext,
    *,
    prefill_tokens: int = 0,
    prefill_sequences: int = 0,
    prefill_attention: float = 0.0,
    decode_sequences: int = 0,
    decode_context: float = 0.0,
    prefill_local_attention: float | None = None,
    decode_local_context: float | None = None,
    queries_per_sequence: int = 1,
) -> StepTimes:
    """One iteration on the context's replica.

    - ``prefill_tokens``: prompt tokens computed in this iteration, from
      ``prefill_sequences`` sequences (each gets logits for its last token only);
    - ``prefill_attention``: the context tokens those prompt tokens attend to, summed over
      the prompt tokens (a whole prompt of p tokens from an empty cache: p^2 / 2);
    - ``decode_sequences``: sequences generating one token each;
    - ``decode_context``: their context lengths, summed.

    For a model with local (sliding-window or chunked) layers, the same two sums as
    those layers see them: ``prefill_local_attention`` (``memory.local_prefill_pairs``)
    and ``decode_local_context`` (``memory.local_context`` per sequence, summed). Left
    out, they are bounded by the window: min(prefill_attention, prefill_tokens x
    window) and min(decode_context, decode_sequences x window), which is exact for a
    sliding window when every sequence has the same context.

    ``queries_per_sequence``: each decoding sequence scores this many tokens at once
    (speculative decoding's verification, speculative.py): ``decode_sequences`` and
    ``decode_context`` count every scored token, but each sequence's cache is read once.

    Prompt tokens beyond the engine's token budget take further passes over the weights
    (chunked prefill), so a whole batch of prompts can be timed as one call. An
    iteration with prompt tokens reads every weight; a decode-only one reads the
    experts its batch routes to. The fixed per-step cost is the engine's, plus MoE
    routing per MoE layer and ROCm's launches per layer (constants.py), plus the
    engine's host-side cost per sequence in the step (``sequence_overhead_s``).
    """
    model, engine = ctx.model, ctx.engine
    matmul, head = ctx.matmul_params, ctx.head_params
    budget = ctx.token_budget
    passes = math.ceil(prefill_tokens / budget) if prefill_tokens else 0
    local = model.local_share
    if local:
        window = model.attention_window
        if prefill_local_attention is None:
            prefill_local_attention = min(prefill_attention, prefill_tokens * window)
        if decode_local_context is None:
            decode_local_context = min(decode_context, decode_sequences * window)
        # Each layer kind attends to its own context: global layers the whole of it.
        prefill_attention = (1 - local) * prefill_attention + local * prefill_local_attention
        decode_context = (1 - local) * decode_context + local * decode_local_context
    # Bytes
    if passes:
        weights = passes * ctx.all_weight_bytes
    elif decode_sequences:
        touched = experts_touched(model, decode_sequences)
        weights = ctx.dense_weight_bytes + touched * ctx.expert_bytes + ctx.head_bytes
    else:
        weights = 0.0
    kv_read = decode_context * ctx.kv_bytes_per_token_model / queries_per_sequence
    if ctx.kv_read_copies > 1:
        kv_read *= ctx.kv_read_copies
    memory = (weights * ctx.weight_read_factor + kv_read) / (ctx.divisor * ctx.bandwidth)
    # FLOPs: prompt tokens at the prefill utilisation, decode at the decode one. Routed
    # experts' grouped GEMMs and prompt attention count at their kernels' lower rates.
    routed = ctx.routed_flops_per_token / C.MOE_GROUPED_GEMM_EFFICIENCY * ctx.routed_slowdown
    dense = 2 * (matmul - head) - ctx.routed_flops_per_token
    prefill_flops = (
        (dense + routed) * prefill_tokens
        + 2 * head * prefill_sequences
        + ctx.prefill_attention_flops_per_context_token
        * prefill_attention
        / C.ATTENTION_KERNEL_EFFICIENCY
    )
    decode_flops = (
        dense + routed + 2 * head
    ) * decode_sequences + ctx.attention_flops_per_context_token * decode_context
    compute = 0.0
    if prefill_flops:
        compute += prefill_flops / (
            ctx.divisor * ctx.peak_flops * engine.prefill_compute_utilization
        )
    if decode_flops:
        compute += decode_flops / (ctx.divisor * ctx.peak_flops * engine.decode_compute_utilization)
    # All-reduces over the tokens of each pass.
    tokens = min(prefill_tokens, budget) + decode_sequences
    communication = max(passes, 1) * ctx.communication(tokens)
    host = engine.sequence_overhead_s * (prefill_sequences + decode_sequences)
    return StepTimes(memory, compute, communication, ctx.step_overhead_s + host)
