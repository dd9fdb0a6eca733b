"""Prefix caching: prompt tokens already in the engine's KV cache skip their prefill.

vLLM's automatic prefix caching and SGLang's RadixAttention keep the KV cache of prompts
seen before and reuse it for a new prompt that starts with the same tokens. Those
tokens are not computed again, but they still occupy KV blocks and every new token's
attention still reads them. Two inputs say how much of a prompt is found:

- ``shared_prefix_tokens``: a prefix every request shares (a system prompt, few-shot
  examples). Its blocks are held once for all the sequences using them, as vLLM's block
  pool and SGLang's radix tree do (reference-counted blocks), so the batch's KV cache
  shrinks as well as its prefill;
- ``prefix_hit_rate``: the share of each prompt found in the cache (the earlier turns of
  a chat, an agent's growing context). Those blocks belong to one conversation, so they
  are not shared: prefill shrinks, the KV cache doesn't.

With both, a prompt's cached tokens are the larger of the two (the shared prefix is the
part of the hits every request shares), in whole cache blocks and never the last token.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import constants as C
from .limits import MAX_PREFIX_HIT_RATE
from .results import TraceStep
from .specs import EstimatorInputError, Workload


def full_blocks(tokens: float) -> int:
    """The tokens of the whole cache blocks among ``tokens``: only full blocks are cached."""
    block = C.PREFIX_CACHE_BLOCK_TOKENS
    return int(tokens) // block * block


@dataclass(frozen=True)
class PrefixUse:
    """What the cache gives one prompt: ``shared`` tokens held once for every sequence,
    ``cached`` tokens whose prefill is skipped (the shared ones among them)."""

    prompt: int
    shared: int = 0
    cached: int = 0

    @property
    def computed(self) -> int:
        """Prompt tokens the prefill computes."""
        return self.prompt - self.cached

    @property
    def attention_pairs(self) -> float:
        """(query, context) pairs of the computed tokens: token i sees i tokens, the
        cached ones included: (prompt^2 - cached^2) / 2."""
        return (self.prompt * self.prompt - self.cached * self.cached) / 2


def use(prompt: int, shared_prefix_tokens: int = 0, hit_rate: float = 0.0) -> PrefixUse:
    """What the cache gives a prompt of ``prompt`` tokens."""
    if not shared_prefix_tokens and not hit_rate:
        return PrefixUse(prompt)
    longest = max(prompt - C.PREFIX_RECOMPUTED_TOKENS, 0)
    shared = full_blocks(min(shared_prefix_tokens, longest))
    cached = full_blocks(min(max(shared_prefix_tokens, hit_rate * prompt), longest))
    return PrefixUse(prompt, shared, max(cached, shared))


def of(workload: Workload) -> PrefixUse:
    """What the cache gives the workload's (mean) prompt."""
    return use(workload.prompt_tokens, workload.shared_prefix_tokens, workload.prefix_hit_rate)


def validate(workload: Workload) -> None:
    """A shared prefix no longer than the prompt, a hit rate from 0 to 1."""
    shared, rate = workload.shared_prefix_tokens, workload.prefix_hit_rate
    if isinstance(shared, bool) or not isinstance(shared, int):
        raise EstimatorInputError("shared_prefix_tokens", "Must be a whole number.")
    if isinstance(rate, bool) or not isinstance(rate, int | float):
        raise EstimatorInputError("prefix_hit_rate", "Must be a number.")
    if not 0 <= shared <= workload.prompt_tokens:
        raise EstimatorInputError(
            "shared_prefix_tokens",
            f"Must be from 0 to the prompt's {workload.prompt_tokens:,} tokens: a shared "
            "prefix is part of the prompt.",
        )
    if not 0 <= rate <= MAX_PREFIX_HIT_RATE:
        raise EstimatorInputError("prefix_hit_rate", f"Must be from 0 to {MAX_PREFIX_HIT_RATE:g}.")


def explain(prefix: PrefixUse) -> str:
    """Why a prefix cache changes a plan, in a sentence."""
    share = prefix.computed / prefix.prompt
    held = (
        f"; the {prefix.shared:,} shared tokens are held once in each replica's KV cache, "
        "so more requests fit at once"
        if prefix.shared
        else ""
    )
    return (
        f"Prefix cache: {prefix.cached:,} of each {prefix.prompt:,}-token prompt are found "
        f"in the cache, so the prefill computes {prefix.computed:,} tokens ({share:.0%}) "
        f"and the first token comes sooner{held}. Each replica serves more requests, and "
        "the APIs compared bill the same tokens at their cached-input price."
    )


def trace(prefix: PrefixUse, kv_saved_bytes: float, batch: int) -> list[TraceStep]:
    """The prefix cache's part of the math: tokens skipped, KV held once."""
    if not prefix.cached:
        return []
    block = C.PREFIX_CACHE_BLOCK_TOKENS
    steps = [
        TraceStep(
            "prefill",
            "Prompt tokens found in the prefix cache",
            f"min(max(shared prefix, hit rate x prompt), prompt - "
            f"{C.PREFIX_RECOMPUTED_TOKENS}), in whole blocks of {block}",
            f"{prefix.cached:,} of {prefix.prompt:,} tokens; the prefill computes "
            f"{prefix.computed:,}, attending to all {prefix.prompt:,}: "
            f"({prefix.prompt:,}^2 - {prefix.cached:,}^2) / 2 pairs",
            prefix.cached,
            "tokens",
        )
    ]
    if prefix.shared and batch > 1:
        steps.append(
            TraceStep(
                "memory",
                "KV cache of the shared prefix held once",
                "(batch - 1) x KV per token x shared prefix",
                f"({batch:,} - 1) x {prefix.shared:,} tokens",
                kv_saved_bytes,
                "bytes",
            )
        )
    return steps
