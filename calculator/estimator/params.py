"""Parameter counts from the architecture: dense, grouped-query and multi-head latent
attention, mixture of experts (routed and shared experts, interleaved MoE layers, dense
first layers) and extra encoders."""

from __future__ import annotations

from dataclasses import dataclass

from . import constants
from .results import TraceStep
from .specs import ModelSpec


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
    routed_experts: int = 0  # every routed expert of every MoE layer (not the shared ones)

    @property
    def blocks(self) -> int:
        """The transformer blocks' parameters: what quantization applies to."""
        return self.total - self.embedding - self.lm_head - self.extra

    @property
    def head(self) -> int:
        """The LM head's matrix (the embedding's, when tied)."""
        return self.lm_head or self.embedding

    @property
    def matmul_active(self) -> int:
        """Parameters multiplied per token: active, minus the embedding lookup, plus the
        LM head (which reuses the embedding when tied)."""
        return self.active - self.embedding - self.lm_head + self.head


def attention_parameters(model: ModelSpec) -> int:
    """One layer's attention projections (and their biases, norms and sinks)."""
    h, heads = model.hidden_size, model.num_attention_heads
    if model.is_mla:
        # DeepSeek-V2/V3 (modeling_deepseek_v3.py): queries through a low-rank pair
        # (q_a_proj, q_a_layernorm, q_b_proj) or q_proj; keys and values through
        # kv_a_proj_with_mqa (the latent plus the shared rotary key), kv_a_layernorm and
        # kv_b_proj (per-head no-rope keys and values); o_proj from the values.
        qk_head = model.qk_nope_head_dim + model.qk_rope_head_dim
        if model.q_lora_rank:
            q = h * model.q_lora_rank + model.q_lora_rank + model.q_lora_rank * heads * qk_head
        else:
            q = h * heads * qk_head
        latent = model.kv_lora_rank
        kv = (
            h * (latent + model.qk_rope_head_dim)
            + latent
            + latent * heads * (model.qk_nope_head_dim + model.v_head_dim)
        )
        return q + kv + heads * model.v_head_dim * h
    q_dim = heads * model.head_dim
    kv_dim = model.num_kv_heads * model.head_dim
    attention = h * q_dim + 2 * h * kv_dim + q_dim * h
    if model.qkv_bias:
        attention += q_dim + 2 * kv_dim
    if model.output_bias:
        attention += h
    if model.qk_norm:
        attention += 2 * model.head_dim
    if model.attention_sinks:
        attention += heads
    return attention


def count_parameters(model: ModelSpec) -> ParamCounts:
    h = model.hidden_size
    attention = attention_parameters(model)
    norms = (constants.NORMS_PER_LAYER + model.extra_norms_per_layer) * h
    dense_mlp = constants.GATED_MLP_MATRICES * h * model.intermediate_size
    if model.num_experts:
        expert_width = model.moe_intermediate_size or model.intermediate_size
        expert_mlp = constants.GATED_MLP_MATRICES * h * expert_width
        router = h * model.num_experts
        if model.expert_bias:
            expert_mlp += 2 * expert_width + h  # gate and up biases, down bias
            router += model.num_experts
        moe_layers = (model.num_layers - model.first_dense_layers) // model.moe_layer_step
    else:
        expert_mlp = router = moe_layers = 0
    dense_layers = model.num_layers - moe_layers
    embedding = model.vocab_size * h
    lm_head = 0 if model.tie_word_embeddings else model.vocab_size * h
    moe_all = (model.num_experts + model.shared_experts) * expert_mlp + router
    moe_active = (model.experts_per_token + model.shared_experts) * expert_mlp + router
    common = embedding + lm_head + model.num_layers * (attention + norms) + h  # + final norm
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
        routed_experts=moe_layers * model.num_experts * expert_mlp,
    )


def official_count_gap(model: ModelSpec) -> float | None:
    """How far the count from the architecture is from the publisher's, as a share of
    the publisher's (0.01: 1% more); None without an official count."""
    if not model.official_params:
        return None
    return count_parameters(model).total / model.official_params - 1


def trace(model: ModelSpec, params: ParamCounts) -> list[TraceStep]:
    steps = [
        TraceStep(
            "parameters",
            "Total parameters",
            "embedding + LM head + layers x (attention + norms) + MLPs (all experts)",
            f"{params.embedding:,} + {params.lm_head:,} + {model.num_layers} x "
            f"({params.attention_per_layer:,} + {params.norms_per_layer:,}) + MLPs",
            params.total,
            "parameters",
        )
    ]
    if model.num_experts:
        steps.append(
            TraceStep(
                "parameters",
                "Active parameters per token",
                "total - MoE layers x (experts - experts per token) x expert MLP",
                f"{params.moe_layers} MoE layers x "
                f"{model.experts_per_token + model.shared_experts} of "
                f"{model.num_experts + model.shared_experts} experts",
                params.active,
                "parameters",
            )
        )
    return steps
