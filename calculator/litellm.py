"""LiteLLM's public price map, and which catalog model each of its entries serves.

The format is BerriAI/litellm's ``model_prices_and_context_window.json``: one JSON object
mapping a model key to an entry with ``litellm_provider``, ``mode``,
``input_cost_per_token`` and ``output_cost_per_token`` (USD per token), and for
providers with a prompt cache ``cache_read_input_token_cost``, among others.
Everything here reads that format as upstream ships it, with no selection of its own:
what an entry is comes from the entry.

Matching a key to a catalog model goes by identity (family, version, size), not by
spelling: providers write Llama 3.3 70B as ``llama-3.3-70b``, ``llama3.3-70b``,
``llama-v3p3-70b``, ``Llama-3_3-70B`` or ``llama3-3-70b``. A key that names anything
else besides (``coder``, ``vision``, ``distill``, ``nemotron``...) is a different model
and stays unmatched.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from decimal import Decimal

CHAT_MODE = "chat"
TOKENS_PER_MILLION = 1_000_000
# Prices per 1M tokens keep six decimals (the database column's): upstream floats such
# as 2.0000000000000002e-07 carry binary noise below that.
USD_PER_1M_PLACES = Decimal("0.000001")

# Closed models from their own maker, kept as yardsticks: OpenAI's GPT (not the open
# gpt-oss), Anthropic's Claude, Google's Gemini (not the open Gemma).
REFERENCE_PATTERN = re.compile(r"(?:^|/)(?:gpt-(?!oss)|claude-|gemini-(?!gemma)|o\d(?:-|$))")

# Words in a key that do not change which model it is: packaging, precision, serving
# tiers and the path names providers put in front.
SAME_MODEL_WORDS = frozenset(
    {
        "meta",
        "llama",
        "mistralai",
        "mistral",
        "mixtral",
        "qwen",
        "deepseek",
        "ai",
        "openai",
        "google",
        "instruct",
        "chat",
        "hf",
        "it",
        "turbo",
        "versatile",
        "instant",
        "fast",
        "lite",
        "fp8",
        "fp16",
        "bf16",
        "int8",
        "int4",
        "awq",
        "dynamic",
        "latest",
        "preview",
        "free",
        "long",
        "open",
        "maas",
        "basic",
        "serverless",
        "cf",
        "tee",
    }
)
# Version tags and context sizes: "v1", "0", "v0p2" (v0.2), "4k".
_VERSION_WORD = re.compile(r"v?\d+(?:p\d+)?|\d+k")

# Each family: a pattern over the key (lowercase, separators turned into "-") and the
# identity it names.
_FAMILIES = (
    (
        re.compile(r"llama-?4-(scout|maverick)(?:-17b)?(?:-(?:16|128)e)?"),
        lambda m: f"llama-4-{m[1]}",
    ),
    (
        re.compile(r"llama-?v?(\d)(?:(?:p|-)(\d))?-(\d+)b(?=-|$)"),
        lambda m: f"llama-{m[1]}{'.' + m[2] if m[2] else ''}-{m[3]}b",
    ),
    (re.compile(r"mixtral-8x7b(?=-|$)"), lambda m: "mixtral-8x7b"),
    (re.compile(r"(?<![a-z])mistral-7b(?=-|$)"), lambda m: "mistral-7b"),
    (re.compile(r"qwen-?2(?:-|p)5-(\d+)b(?=-|$)"), lambda m: f"qwen2.5-{m[1]}b"),
    (
        re.compile(r"qwen-?3-(\d+)b(?:-a(\d+)b)?(?=-|$)"),
        lambda m: f"qwen3-{m[1]}b" + (f"-a{m[2]}b" if m[2] else ""),
    ),
    # V3 and its dated checkpoints (V3-0324), not V3.1 or V3.2.
    (re.compile(r"deepseek-(?:chat-)?v3(?=-|$)(?!-[1-9](?:-|$))"), lambda m: "deepseek-v3"),
    (re.compile(r"deepseek-r1(?=-|$)"), lambda m: "deepseek-r1"),
    (re.compile(r"gpt-oss-(\d+)b(?=-|$)"), lambda m: f"gpt-oss-{m[1]}b"),
    (re.compile(r"gemma-?3-(\d+)b(?=-|$)"), lambda m: f"gemma-3-{m[1]}b"),
    # Mistral Small 3 is the 24B of January 2025 (2501); 3.1 and 3.2 are later models.
    (
        re.compile(r"mistral-small-(?:3-24b|(?:3-)?(?:24b-)?(?:instruct-|base-)?2501)(?=-|$)"),
        lambda m: "mistral-small-3",
    ),
)


def _normalise(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def identity(name: str, provider: str = "") -> str | None:
    """The model a name or key stands for ("llama-3.3-70b"), or None when it is not one
    of the families above or names something more (a fine-tune, a coder, a vision model).
    Only the key's last path part counts: the rest is the provider's folders."""
    text = _normalise(name.rsplit("/", 1)[-1])
    for pattern, make in _FAMILIES:
        match = pattern.search(text)
        if match is None:
            continue
        rest = (text[: match.start()] + "-" + text[match.end() :]).split("-")
        allowed = SAME_MODEL_WORDS | set(_normalise(provider).split("-"))
        if all(not w or w in allowed or _VERSION_WORD.fullmatch(w) for w in rest):
            return make(match)
        return None
    return None


def is_reference(key: str) -> bool:
    return REFERENCE_PATTERN.search(key.lower()) is not None


@dataclass(frozen=True)
class Entry:
    """One chat entry of the price map, prices per 1M tokens."""

    key: str
    provider: str
    input_usd_per_1m: Decimal
    output_usd_per_1m: Decimal
    deprecation_date: str | None
    # cache_read_input_token_cost: input tokens read from the provider's prompt cache.
    cached_input_usd_per_1m: Decimal | None = None


def _per_million(value) -> Decimal:
    # Decimal(repr) keeps the value as written (2e-07 -> 0.2, not 0.19999999999999998).
    exact = Decimal(repr(value)) * TOKENS_PER_MILLION
    # Trailing zeros dropped, without an exponent (10, not 1E+1).
    return Decimal(format(exact.quantize(USD_PER_1M_PLACES).normalize(), "f"))


def _cached_price(entry: dict) -> Decimal | None:
    """The entry's price of cached input per 1M tokens, None when it lists none."""
    value = entry.get("cache_read_input_token_cost")
    if not isinstance(value, int | float) or isinstance(value, bool) or value < 0:
        return None
    return _per_million(value)


def read_price_map(text: str) -> list[Entry]:
    """The chat entries with both token prices, in file order; anything else
    (embeddings, images, upstream's ``sample_spec``) is skipped."""
    data = json.loads(text)
    if not isinstance(data, dict):
        raise ValueError("Expected a JSON object mapping model names to price entries.")
    entries = []
    for key, entry in data.items():
        if not isinstance(entry, dict) or entry.get("mode") != CHAT_MODE:
            continue
        prices = entry.get("input_cost_per_token"), entry.get("output_cost_per_token")
        if not all(isinstance(p, int | float) and not isinstance(p, bool) for p in prices):
            continue
        entries.append(
            Entry(
                key=key,
                provider=str(entry.get("litellm_provider") or key.split("/", 1)[0]),
                input_usd_per_1m=_per_million(prices[0]),
                output_usd_per_1m=_per_million(prices[1]),
                deprecation_date=entry.get("deprecation_date"),
                cached_input_usd_per_1m=_cached_price(entry),
            )
        )
    return entries
