"""Expert parallelism (``parallelism=expert``) for mixture-of-experts models.

The routed experts are split across the replica's GPUs (the EP group); attention, the
shared experts, the dense layers and the head are data-parallel: every GPU holds a whole
copy of them and runs its own sequences, as SGLang (``--enable-dp-attention`` with
DeepEP) and vLLM (``--data-parallel-size N --enable-expert-parallel``) serve
DeepSeek-V3. Where each part is computed:

- memory (memory.py): routed experts / EP on each GPU plus the replicated rest; each
  sequence's cache on its own GPU (latent attention is no longer copied on every GPU
  as under tensor parallelism);
- time (step.py): each GPU works on 1/EP of the tokens; every GPU reads its own copy of
  the replicated weights; each MoE layer adds a dispatch (FP8) and a combine (BF16)
  all-to-all over NVLink, or the network between nodes; the routed experts' GEMMs wait
  for the busiest GPU (``constants.EXPERT_LOAD_IMBALANCE``).

Not modelled: the engines' overlap of communication with computation (SGLang's
two-batch overlap, vLLM's dual-batch overlap), which hides part of the all-to-all at
large batches; redundant experts (EPLB) and their memory; attention tensor-parallel
inside the EP group.
"""

from __future__ import annotations

from . import constants as C
from .memory import experts_per_gpu
from .results import TraceStep
from .specs import EstimatorInputError, ModelSpec, Parallelism, Workload
from .step import StepContext, expert_dispatch_bytes, link


def validate(model: ModelSpec, workload: Workload) -> None:
    """Expert parallelism needs routed experts, at least one for each GPU."""
    if workload.parallelism is not Parallelism.EXPERT:
        return
    if not model.num_experts:
        raise EstimatorInputError(
            "parallelism",
            f"{model.name} is a dense model: expert parallelism needs a mixture of experts. "
            "Choose tensor or pipeline parallelism.",
        )
    if workload.num_gpus > model.num_experts:
        raise EstimatorInputError(
            "num_gpus",
            f"{model.name} has {model.num_experts} routed experts a layer: expert "
            f"parallelism spreads them over at most {model.num_experts} GPUs.",
        )


def warnings(model: ModelSpec, ep: int) -> list[str]:
    if ep <= 1:
        return []
    said = [
        "Expert parallelism: the engines overlap the all-to-all with computation (SGLang's "
        "two-batch, vLLM's dual-batch overlap), which is not modelled; their published "
        "large-batch decode is 1.7-2.3x these figures (docs/accuracy.md)."
    ]
    if model.num_experts % ep:
        said.append(
            f"{ep} GPUs don't divide {model.name}'s {model.num_experts} routed experts: the "
            f"busiest GPU holds {experts_per_gpu(model, ep)} a layer (memory counts it)."
        )
    return said


def trace(ctx: StepContext, batch: int, communication: float) -> list[TraceStep]:
    """The expert-parallel terms of one decode step of ``batch`` sequences."""
    model, ep = ctx.model, ctx.layout.ep
    if ep <= 1:
        return []
    per_gpu = batch / ep
    dispatch, combine = expert_dispatch_bytes(model, per_gpu)
    bandwidth, latency, link_name = link(ctx.gpu, ep)
    return [
        TraceStep(
            "decode",
            "Routed experts per GPU (expert parallelism)",
            "ceil(routed experts / EP), the rest of the model on every GPU",
            f"ceil({model.num_experts} / {ep})",
            experts_per_gpu(model, ep),
            "experts a layer",
        ),
        TraceStep(
            "decode",
            "All-to-all bytes a GPU sends per MoE layer",
            f"tokens / EP x top-k x hidden x ({C.EXPERT_DISPATCH_BYTES:g} B FP8 dispatch + "
            f"{C.EXPERT_COMBINE_BYTES:g} B BF16 combine)",
            f"{per_gpu:,.1f} x {model.experts_per_token} x {model.hidden_size:,} x "
            f"({C.EXPERT_DISPATCH_BYTES:g} + {C.EXPERT_COMBINE_BYTES:g}) B",
            dispatch + combine,
            "bytes",
        ),
        TraceStep(
            "decode",
            "Dispatch and combine per step",
            f"MoE layers x {C.ALL_TO_ALLS_PER_MOE_LAYER} x (latency + bytes / (link "
            f"bandwidth x {C.ALL_TO_ALL_BANDWIDTH_EFFICIENCY})); across nodes the share "
            "for other nodes over the network",
            f"{ctx.params.moe_layers} MoE layers over {link_name} "
            f"({bandwidth / C.BYTES_PER_GB:,.0f} GB/s one way, {latency * 1e6:.0f} us)",
            communication,
            "seconds",
        ),
        TraceStep(
            "decode",
            "Expert load imbalance",
            "busiest GPU's routed tokens / average: the routed experts' GEMM time is "
            "multiplied by it (SGLang's EP32 measurement with EPLB on, stated constant)",
            f"{ctx.expert_imbalance:g}",
            ctx.expert_imbalance,
            "x",
        ),
    ]
