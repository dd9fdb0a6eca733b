"""Speculative decoding: a cheap drafter proposes k tokens, the model verifies them all
in one step, and keeps the longest accepted run plus one token of its own.

- ``draft``: a separate, smaller model (any catalog model or config), on the same GPUs;
- ``eagle``: EAGLE heads, one decoder layer on the model's features that shares its
  embedding and LM head (Li et al. 2024);
- ``mtp``: the model's own multi-token-prediction module (DeepSeek-V3, some Qwen3), also
  one layer sharing the embedding and head.

With each drafted token accepted with probability ``a`` independently, one verification
yields (1 - a^(k+1)) / (1 - a) tokens on average (Leviathan et al. 2023). A cycle costs
k draft steps of the drafter (one token per sequence each) and one verification step of
the model scoring k + 1 tokens per sequence, both through ``step.step_time``
(``iteration``, which the serving simulator also steps with): at batch
1 the verification reads the weights once for k + 1 tokens (memory-bound, nearly free),
at large batch it computes k + 1 times the tokens (compute-bound), so the same draft
that helps alone hurts a full batch. The drafter's steps run inside the engine's step:
the fixed per-step cost is counted once per cycle (assumption; vLLM V1 proposes drafts
within the same engine step).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from enum import StrEnum

from . import constants as C
from .limits import MAX_SPECULATIVE_TOKENS
from .memory import MemoryPlan, kv_bytes_per_token, kv_dtype_of, weight_bytes
from .params import count_parameters
from .results import TraceStep
from .specs import EstimatorInputError, ModelSpec, Workload
from .step import StepContext, StepTimes, make_context, step_time


class Method(StrEnum):
    NONE = "none"
    DRAFT = "draft"
    EAGLE = "eagle"
    MTP = "mtp"


DEFAULT_ACCEPTANCE = {
    Method.DRAFT: C.SPECULATIVE_DRAFT_ACCEPTANCE,
    Method.EAGLE: C.SPECULATIVE_EAGLE_ACCEPTANCE,
    Method.MTP: C.SPECULATIVE_MTP_ACCEPTANCE,
}
DEFAULT_TOKENS = {
    Method.DRAFT: C.SPECULATIVE_DRAFT_TOKENS,
    Method.EAGLE: C.SPECULATIVE_EAGLE_TOKENS,
    Method.MTP: C.SPECULATIVE_MTP_TOKENS,
}


def tokens_per_step(acceptance: float, k: int) -> float:
    """Expected tokens one verification yields: (1 - a^(k+1)) / (1 - a); k + 1 at a = 1."""
    if acceptance >= 1:
        return k + 1.0
    return (1 - acceptance ** (k + 1)) / (1 - acceptance)


@dataclass(frozen=True)
class Speculation:
    method: Method
    tokens: int  # k: drafted per step
    acceptance: float  # a
    drafter: ModelSpec  # the draft model, or the one-layer head

    @property
    def expected_tokens(self) -> float:
        return tokens_per_step(self.acceptance, self.tokens)

    @property
    def shares_outer(self) -> bool:
        """EAGLE heads and MTP modules use the model's own embedding and LM head."""
        return self.method is not Method.DRAFT


def head_of(model: ModelSpec, method: Method) -> ModelSpec:
    """An EAGLE head or MTP module as a model of one decoder layer like the model's
    (an MoE layer for an MoE model: DeepSeek-V3's MTP module is one)."""
    return replace(
        model,
        slug=f"{model.slug}-{method.value}",
        name=f"{model.name} {method.value.upper()} head",
        num_layers=1,
        first_dense_layers=0,
        local_layers=0,
        extra_params=0,
        official_params=None,
    )


def of(model: ModelSpec, workload: Workload) -> Speculation | None:
    """The workload's speculation, defaults filled; None without one."""
    method = Method(workload.speculative)
    if method is Method.NONE:
        return None
    k = workload.num_speculative_tokens or DEFAULT_TOKENS[method]
    a = workload.acceptance_rate
    if a is None:
        a = DEFAULT_ACCEPTANCE[method]
    drafter = workload.draft_model if method is Method.DRAFT else head_of(model, method)
    return Speculation(method, k, a, drafter)


def validate(model: ModelSpec, workload: Workload) -> None:
    """A known method; a draft model for ``draft`` (smaller than the model, with its
    vocabulary), none otherwise; k and the acceptance rate in range."""
    try:
        method = Method(workload.speculative)
    except ValueError:
        choices = ", ".join(m.value for m in Method)
        raise EstimatorInputError("speculative", f"One of {choices}.") from None
    k, a, draft = workload.num_speculative_tokens, workload.acceptance_rate, workload.draft_model
    if k is not None and (
        isinstance(k, bool) or not isinstance(k, int) or not 1 <= k <= MAX_SPECULATIVE_TOKENS
    ):
        raise EstimatorInputError(
            "num_speculative_tokens", f"Must be a whole number from 1 to {MAX_SPECULATIVE_TOKENS}."
        )
    if a is not None and (isinstance(a, bool) or not isinstance(a, int | float) or not 0 <= a <= 1):
        raise EstimatorInputError("acceptance_rate", "Must be from 0 to 1.")
    if method is Method.NONE:
        given = [
            name
            for name, value in (
                ("draft_model", draft),
                ("num_speculative_tokens", k),
                ("acceptance_rate", a),
            )
            if value is not None
        ]
        if given:
            raise EstimatorInputError(
                given[0], "Only with a speculative method (speculative: draft, eagle or mtp)."
            )
        return
    if method is Method.DRAFT:
        if draft is None:
            raise EstimatorInputError(
                "draft_model", "Speculative decoding with a draft model needs one."
            )
        ours, theirs = count_parameters(model).total, count_parameters(draft).total
        if theirs >= ours:
            raise EstimatorInputError(
                "draft_model",
                f"The draft model ({draft.name}, {theirs / 1e9:,.1f}B parameters) must be "
                f"smaller than {model.name} ({ours / 1e9:,.1f}B): a draft as large as the "
                "model only adds work.",
            )
        if draft.vocab_size != model.vocab_size:
            raise EstimatorInputError(
                "draft_model",
                f"{draft.name}'s vocabulary ({draft.vocab_size:,}) differs from "
                f"{model.name}'s ({model.vocab_size:,}): the model cannot verify its tokens.",
            )
    elif draft is not None:
        raise EstimatorInputError(
            "draft_model",
            f"{method.value} drafts with heads of the model: leave the draft model out.",
        )


# Memory


def extra_memory_per_gpu(
    spec: Speculation, model: ModelSpec, workload: Workload, tp: int, gpus: int
) -> tuple[float, float]:
    """(weight bytes, KV bytes per token) the drafter adds on each GPU."""
    drafter = spec.drafter
    blocks, outer = weight_bytes(count_parameters(drafter), workload.weights_dtype, drafter)
    weights = (blocks + (0.0 if spec.shares_outer else outer)) / gpus
    kv = kv_bytes_per_token(drafter, kv_dtype_of(workload), tp, drafter.num_layers)
    return weights, kv


def with_drafter(plan: MemoryPlan, spec: Speculation | None, model, workload, layout) -> MemoryPlan:
    """The memory plan with the drafter's weights and cache on every GPU."""
    if spec is None:
        return plan
    weights, kv = extra_memory_per_gpu(spec, model, workload, layout.tp, layout.num_gpus)
    return replace(plan, weights=plan.weights + weights, kv_per_token=plan.kv_per_token + kv)


def sequence_steps(spec: Speculation | None, completion: int) -> int:
    """Iterations a request's completion takes: its first token from the prompt, then
    one per verification's expected tokens (the serving simulator's request length)."""
    if spec is None or completion <= 1:
        return completion
    return 1 + math.ceil((completion - 1) / spec.expected_tokens)


# Time


@dataclass(frozen=True)
class Cycle:
    """One draft-and-verify cycle for a batch at a context, seconds."""

    both: StepTimes  # drafts and verification (``iteration``)
    draft: float  # what the k draft steps add
    tokens: float  # expected tokens per sequence
    verify: float  # the verification alone

    @property
    def seconds(self) -> float:
        return self.both.total

    @property
    def seconds_per_token(self) -> float:
        return self.seconds / self.tokens


def drafter_context(spec: Speculation, gpu, engine, workload: Workload) -> StepContext:
    return make_context(spec.drafter, gpu, engine, workload)


def _verification(
    ctx: StepContext, spec: Speculation, sequences: int, context: float, **prefill
) -> StepTimes:
    """The verification step: each of `sequences` (`context` summed) checks k + 1
    tokens, beside the prompt chunks given (``step_time``'s ``prefill_*`` arguments)."""
    k1 = spec.tokens + 1
    return step_time(
        ctx,
        decode_sequences=sequences * k1,
        decode_context=context * k1,
        queries_per_sequence=k1,
        **prefill,
    )


def iteration(
    ctx: StepContext,
    drafter: StepContext,
    spec: Speculation,
    *,
    decode_sequences: int = 0,
    decode_context: float = 0.0,
    **prefill,
) -> StepTimes:
    """One engine iteration with speculative decoding, as ``step_time`` takes it: the
    prompt chunks (``prefill_*``) as they are; each of the ``decode_sequences``
    (``decode_context`` summed) is drafted k tokens and verified with k + 1. The
    drafter's bytes and FLOPs are added to the verification's (one roofline over both:
    slightly short when one is memory-bound and the other compute-bound), so the time
    stays linear in the context as the simulator's closed form needs; its all-reduces
    add up."""
    k = spec.tokens
    verify = _verification(ctx, spec, decode_sequences, decode_context, **prefill)
    if not decode_sequences:
        return verify
    one = step_time(drafter, decode_sequences=decode_sequences, decode_context=decode_context)
    return StepTimes(
        memory=verify.memory + k * one.memory,
        compute=verify.compute + k * one.compute,
        communication=verify.communication + k * one.communication,
        overhead=verify.overhead,
    )


def cycle(
    ctx: StepContext, drafter: StepContext, spec: Speculation, batch: int, context: float
) -> Cycle:
    """k draft steps of one token per sequence, then one verification of k + 1."""
    both = iteration(ctx, drafter, spec, decode_sequences=batch, decode_context=batch * context)
    verify = _verification(ctx, spec, batch, batch * context)
    return Cycle(both, both.total - verify.total, spec.expected_tokens, verify.total)


@dataclass(frozen=True)
class Average:
    parts: StepTimes  # per output token, averaged over the completion
    seconds: float  # per output token
    verify_seconds: float  # per cycle
    draft_seconds: float  # per cycle


def average_decode(
    ctx: StepContext,
    drafter: StepContext,
    spec: Speculation,
    batch: int,
    prompt: int,
    completion: int,
) -> Average:
    """Seconds per output token over the completion, at evenly spaced contexts (as
    ``timing.average_decode``)."""
    points = max(min(C.DECODE_SAMPLE_POINTS, completion), 1)
    cycles = [
        cycle(ctx, drafter, spec, batch, prompt + (i + 0.5) * completion / points)
        for i in range(points)
    ]
    e = spec.expected_tokens
    verify = sum(c.verify for c in cycles) / points
    draft = sum(c.draft for c in cycles) / points
    first = cycles[0].both
    parts = StepTimes(
        memory=sum(c.both.memory for c in cycles) / points / e,
        compute=sum(c.both.compute for c in cycles) / points / e,
        communication=first.communication / e,
        overhead=first.overhead / e,
    )
    return Average(parts, sum(c.seconds for c in cycles) / points / e, verify, draft)


def trace(spec: Speculation, average: Average, without: float) -> list[TraceStep]:
    a, k = spec.acceptance, spec.tokens
    return [
        TraceStep(
            "decode",
            "Tokens per verification (speculative decoding)",
            "(1 - a^(k+1)) / (1 - a)",
            f"{spec.method.value}: a = {a:g}, k = {k}",
            spec.expected_tokens,
            "tokens",
        ),
        TraceStep(
            "decode",
            "Draft steps per cycle",
            "what k steps of the drafter (one token per sequence) add to the verification",
            f"{k} x {spec.drafter.name}",
            average.draft_seconds,
            "seconds",
        ),
        TraceStep(
            "decode",
            "Verification step per cycle",
            "one step of the model scoring k + 1 tokens per sequence, each cache read once",
            f"{k + 1} tokens per sequence",
            average.verify_seconds,
            "seconds",
        ),
        TraceStep(
            "decode",
            "Time per output token with speculative decoding",
            "(drafts + verification) / tokens per verification",
            f"({average.draft_seconds * 1e3:,.3f} ms + {average.verify_seconds * 1e3:,.3f} ms)"
            f" / {spec.expected_tokens:.3f}; without: {without * 1e3:,.3f} ms",
            average.seconds,
            "seconds",
        ),
    ]
