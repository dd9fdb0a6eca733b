"""What the estimator takes in: frozen dataclasses, no Django.

The Django models turn database rows into these (``to_spec()``), so the dependency
runs from Django to the estimator and never back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Dtype(StrEnum):
    FP32 = "fp32"
    FP16 = "fp16"
    BF16 = "bf16"
    FP8 = "fp8"
    INT8 = "int8"
    INT4 = "int4"
    FP4 = "fp4"


class EstimatorInputError(ValueError):
    """An input the estimator cannot work with; ``field`` names the workload field."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


class Parallelism(StrEnum):
    TENSOR = "tensor"
    PIPELINE = "pipeline"
    # Expert parallelism (expert.py): the routed experts sharded across the GPUs, the
    # attention, shared experts, dense layers and head data-parallel (each GPU its own
    # sequences), as SGLang's --enable-dp-attention --moe-a2a-backend deepep and vLLM's
    # --data-parallel-size N --enable-expert-parallel serve DeepSeek-V3. MoE models only.
    EXPERT = "expert"


class Interconnect(StrEnum):
    """How GPUs of one server talk to each other for tensor-parallel all-reduces."""

    NVLINK = "nvlink"  # NVLink through NVSwitch: all GPUs of the node
    NVLINK_BRIDGE = "nvlink-bridge"  # a bridge joins pairs; beyond 2 GPUs, PCIe
    INFINITY_FABRIC = "infinity-fabric"  # AMD xGMI
    ETHERNET = "ethernet"  # Gaudi's on-chip RoCE ports
    PCIE = "pcie"  # nothing but the host's PCIe


@dataclass(frozen=True)
class GpuSpec:
    slug: str
    name: str
    memory_gb: float  # as sold, 10^9 bytes
    usable_memory_gib: float  # what the driver reports as total, 2^30 bytes
    memory_bandwidth_gb_s: float  # peak, 10^9 bytes/s
    # Dense (no 2:4 sparsity) peak tensor throughput, TFLOPS (TOPS for integers).
    # None: the chip has no such unit.
    fp32_tflops: float | None = None
    tf32_tflops: float | None = None
    fp16_tflops: float | None = None
    # GeForce cards run FP16 tensor maths at twice fp16_tflops when they accumulate in
    # FP16 too (NVIDIA lists the FP32-accumulate rate); data-centre parts don't differ.
    fp16_acc16_tflops: float | None = None
    bf16_tflops: float | None = None
    fp8_tflops: float | None = None
    int8_tops: float | None = None
    int4_tops: float | None = None
    fp4_tflops: float | None = None
    # Share of the peaks that microbenchmarks reach on this part (large cuBLASLt/hipBLASLt
    # GEMMs; STREAM-like copies). None: the estimator's default for unmeasured parts.
    compute_efficiency: float | None = None
    bandwidth_efficiency: float | None = None
    interconnect: Interconnect = Interconnect.PCIE
    interconnect_gb_s: float = 0.0  # total of both directions, per GPU
    pcie_gb_s: float = 32.0  # one direction (PCIe Gen4 x16)
    # The catalog's list price per GPU-hour: pricing.py's last resort (catalog_price);
    # the estimator never reads it.
    hourly_usd: float | None = None

    def peak_tflops(self, dtype: Dtype) -> float | None:
        return {
            Dtype.FP32: self.fp32_tflops,
            Dtype.FP16: self.fp16_tflops,
            Dtype.BF16: self.bf16_tflops,
            Dtype.FP8: self.fp8_tflops,
            Dtype.INT8: self.int8_tops,
            Dtype.INT4: self.int4_tops,
            Dtype.FP4: self.fp4_tflops,
        }[dtype]


@dataclass(frozen=True)
class ModelSpec:
    slug: str
    name: str
    hidden_size: int
    num_layers: int
    num_attention_heads: int
    num_kv_heads: int
    head_dim: int
    intermediate_size: int  # dense FFN width (or each expert's, with moe_intermediate_size unset)
    vocab_size: int
    max_context: int
    tie_word_embeddings: bool = False
    qkv_bias: bool = False
    # Mixture of experts. num_experts == 0: a dense model.
    num_experts: int = 0
    experts_per_token: int = 0
    moe_intermediate_size: int = 0  # each routed expert's FFN width
    shared_experts: int = 0  # always-on experts per MoE layer (Llama 4)
    moe_layer_step: int = 1  # every n-th layer is MoE, the others dense (Llama 4 Maverick: 2)
    extra_params: int = 0  # held in memory but not in the text path (e.g. a vision encoder)
    official_params: int | None = None  # the publisher's count, for the parameter-count test
    # Every default below leaves a Llama-style model as it was.
    # Local attention: `local_layers` of the layers see only the last `attention_window`
    # tokens (a sliding window: Mistral 7B v0.1, Gemma 2/3, gpt-oss) or, with
    # chunked_attention, only the tokens of their own chunk (Llama 4); the other layers
    # attend to the whole context. 0: every layer is global.
    attention_window: int = 0
    local_layers: int = 0
    chunked_attention: bool = False
    attention_sinks: bool = False  # a learned logit per head (gpt-oss): parameters, no cache
    output_bias: bool = False  # bias on the attention output projection (gpt-oss)
    qk_norm: bool = False  # RMSNorm of queries and keys, head_dim weights each (Qwen3, Gemma 3)
    extra_norms_per_layer: int = 0  # beyond the two pre-norms (Gemma 2/3: 2 post-norms)
    # Multi-head latent attention (DeepSeek-V2/V3). kv_lora_rank > 0: each layer caches
    # one compressed latent of kv_lora_rank values and one shared rotary key of
    # qk_rope_head_dim values per token, for all heads at once.
    kv_lora_rank: int = 0
    q_lora_rank: int = 0  # 0: queries projected from the hidden state directly
    qk_rope_head_dim: int = 0
    qk_nope_head_dim: int = 0
    v_head_dim: int = 0
    first_dense_layers: int = 0  # the first n layers are dense (DeepSeek first_k_dense_replace)
    expert_bias: bool = False  # biases in every expert's projections and the router (gpt-oss)
    # How the checkpoint stores the routed experts, when not in the weights' type
    # (gpt-oss: "mxfp4"); see constants.NATIVE_EXPERT_BYTES_PER_PARAM.
    expert_format: str = ""

    @property
    def is_mla(self) -> bool:
        return self.kv_lora_rank > 0

    @property
    def local_share(self) -> float:
        """The share of layers with local (windowed or chunked) attention."""
        if not self.attention_window or not self.num_layers:
            return 0.0
        return self.local_layers / self.num_layers


@dataclass(frozen=True)
class EngineSpec:
    """An inference engine's efficiencies and memory habits (see engines.py for sources)."""

    slug: str
    name: str
    # Fraction of peak memory bandwidth reached when streaming weights and KV cache.
    bandwidth_utilization: float
    # Fraction of dense peak tensor FLOPS reached by large prefill GEMMs.
    prefill_compute_utilization: float
    # Fraction of dense peak tensor FLOPS reached by decode GEMMs at large batch.
    decode_compute_utilization: float
    # Fixed cost of every decode step: scheduling, sampling, kernel launches, seconds.
    step_overhead_s: float
    # Fixed cost of every request before its first token, seconds.
    request_overhead_s: float
    # Share of each GPU's memory the engine may use (vLLM's gpu_memory_utilization).
    memory_fraction: float
    # Runtime memory beyond weights, KV and activations (CUDA context, graphs, buffers),
    # GiB per GPU.
    runtime_overhead_gib: float
    # Largest number of tokens prefilled in one step (chunked prefill budget).
    max_batched_tokens: int
    # Largest number of sequences decoded together.
    max_num_seqs: int
    # Whether pipeline stages work on different micro-batches at once (vLLM, TRT-LLM) or
    # one after the other (llama.cpp's layer split). An engine that doesn't also splits
    # layers rather than tensors when given several GPUs.
    pipelines_microbatches: bool = True
    # Whether its FP16 matrix products accumulate in FP16 (llama.cpp's cuBLAS calls),
    # which doubles GeForce tensor throughput.
    fp16_accumulate: bool = False
    # Host-side cost of every sequence scheduled in a step, seconds per sequence per
    # step: scheduling, sampling, detokenizing and streaming it, work on the CPU that
    # grows with the batch. vLLM's v0.6.0 performance post (Sept 2024) measured it: at
    # v0.5.3 the GPU worked 38% of the time for Llama 3 8B on an H100 at high batch, the
    # API server, scheduler and detokenizer the rest. Fitted per engine version.
    sequence_overhead_s: float = 0.0


@dataclass(frozen=True)
class ApiOffering:
    slug: str
    name: str
    input_usd_per_1m: float
    output_usd_per_1m: float
    # The price of input tokens read from the provider's prompt cache (LiteLLM's
    # cache_read_input_token_cost); None: the provider lists none, so input price.
    cached_input_usd_per_1m: float | None = None
    # What it is to the question asked: it serves the very model estimated, it is a
    # closed reference model, it is deprecated. The break-even is against the cheapest
    # same-model offering, else the cheapest reference (cost.break_even_api).
    same_model: bool = False
    reference: bool = False
    deprecated: bool = False


@dataclass(frozen=True)
class Workload:
    num_gpus: int = 1
    batch_size: int | None = 1  # None: the largest batch that fits
    prompt_tokens: int = 1000
    completion_tokens: int = 500
    seq_len: int | None = None  # None: prompt + completion
    weights_dtype: Dtype = Dtype.FP16
    kv_dtype: Dtype | None = None  # None: follows the weights (16- or 8-bit)
    parallelism: Parallelism = Parallelism.TENSOR
    # The price per GPU-hour billed, per GPU asked for: the effective price pricing.py
    # resolves (typed, an offer or the catalog's). None: no price, so no cost.
    gpu_hourly_usd: float | None = None
    apis: tuple[ApiOffering, ...] = field(default=())
    # Prefix caching (prefix.py): a prefix every prompt shares (a system prompt), and
    # the share of each prompt found in the cache (multi-turn chat, agents); 0: none.
    shared_prefix_tokens: int = 0
    prefix_hit_rate: float = 0.0
    # Speculative decoding (speculative.py): "none", "draft" (a draft model), "eagle"
    # (EAGLE heads) or "mtp" (the model's own multi-token-prediction layers); drafted
    # tokens per step and the acceptance rate, None: the method's cited default.
    speculative: str = "none"
    draft_model: ModelSpec | None = None
    num_speculative_tokens: int | None = None
    acceptance_rate: float | None = None


@dataclass(frozen=True)
class Layout:
    """How one replica spreads the model over its GPUs."""

    tp: int  # tensor-parallel degree
    pp: int  # pipeline stages
    layers_per_gpu: int
    # Expert-parallel degree: the routed experts split this many ways, everything else
    # data-parallel across the same GPUs (1: no expert parallelism).
    ep: int = 1

    @property
    def num_gpus(self) -> int:
        return self.tp * self.pp * self.ep

    @classmethod
    def of(cls, model: ModelSpec, num_gpus: int, parallelism: Parallelism) -> Layout:
        if parallelism is Parallelism.PIPELINE:
            return cls(tp=1, pp=num_gpus, layers_per_gpu=-(-model.num_layers // num_gpus))
        if parallelism is Parallelism.EXPERT:
            return cls(tp=1, pp=1, layers_per_gpu=model.num_layers, ep=num_gpus)
        return cls(tp=num_gpus, pp=1, layers_per_gpu=model.num_layers)
