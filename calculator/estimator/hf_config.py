"""A model's architecture from its Hugging Face ``config.json``: pure parsing, no Django.

``model_from_config(config)`` reads the fields of the common decoder families (Llama,
Mistral, Mixtral, Qwen2/2.5/3, Qwen3-MoE, Gemma 2/3, DeepSeek-V2/V3, gpt-oss, Llama 4's
text model) into a ``ModelSpec``. A field the family needs and the config lacks is an
error naming it (``ConfigError.field``); a field filled from transformers' class default
instead of the config is named in a warning, never guessed silently.

Field names and defaults follow huggingface/transformers
``src/transformers/models/<family>/configuration_<family>.py``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from .specs import ModelSpec

# Families whose transformers model class we read, by config ``model_type``.
LLAMA_LIKE = ("llama", "mistral", "mixtral", "qwen2", "qwen3", "qwen3_moe")
GEMMA = ("gemma", "gemma2", "gemma3", "gemma3_text")
DEEPSEEK = ("deepseek_v2", "deepseek_v3")
KNOWN_MODEL_TYPES = (*LLAMA_LIKE, *GEMMA, *DEEPSEEK, "gpt_oss", "llama4", "llama4_text")

# transformers' class defaults used when a config leaves a field out (each one becomes
# a warning). Sources: the configuration_<family>.py files named above.
DEFAULT_MAX_POSITION_EMBEDDINGS = {
    "llama": 2048,
    "mistral": 131072,  # MistralConfig: 4096 * 32
    "mixtral": 131072,
    "qwen2": 32768,
    "qwen3": 32768,
    "qwen3_moe": 32768,
    "gemma": 8192,
    "gemma2": 8192,
    "gemma3": 131072,
    "gemma3_text": 131072,
    "deepseek_v2": 2048,
    "deepseek_v3": 4096,
    "gpt_oss": 131072,
    "llama4": 131072,
    "llama4_text": 131072,
}
# Gemma 3's released config.json files leave the vocabulary to the class default.
DEFAULT_VOCAB_SIZE = {"gemma3": 262_208, "gemma3_text": 262_208}
GEMMA2_SLIDING_WINDOW = 4096  # Gemma2Config default
GEMMA3_SLIDING_WINDOW = 4096  # Gemma3TextConfig default
GEMMA3_SLIDING_WINDOW_PATTERN = 6  # Gemma3TextConfig: 5 local layers, then 1 global
GPT_OSS_SLIDING_WINDOW = 128  # GptOssConfig default
LLAMA4_NO_ROPE_LAYER_INTERVAL = 4  # Llama4TextConfig: every 4th layer global (NoPE)
LLAMA4_ATTENTION_CHUNK_SIZE = 8192  # Llama4TextConfig default
# SigLIP's image tower (Gemma 3's vision_config): a conv patch embedding over
# num_channels (3, RGB) and a learned position per patch. Left out, 3: the default of
# transformers' SiglipVisionConfig (src/transformers/models/siglip/configuration_siglip.py,
# "num_channels (`int`, *optional*, defaults to 3)"), named in the warning like any default.
SIGLIP_NUM_CHANNELS = 3
# Largest values accepted: far beyond any released model, so a typo fails clearly.
MAX_DIMENSION = 1_000_000
MAX_LAYERS = 10_000
MAX_VOCAB = 10_000_000
MAX_CONTEXT = 100_000_000
MAX_SHOWN_CHARS = 60  # of a bad value, quoted back in its error message


class ConfigError(ValueError):
    """A config.json that cannot describe a model; ``field`` names the field at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def _shown(value: Any) -> str:
    """A value for an error message, cut short (a config may hold anything, huge)."""
    text = repr(value)
    return text if len(text) <= MAX_SHOWN_CHARS else text[: MAX_SHOWN_CHARS - 1] + "…"


def _mapping(config: dict, name: str) -> dict:
    """A nested object of the config ({} when absent); ConfigError if it isn't one."""
    value = config.get(name)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ConfigError(name, f"“{name}” must be a JSON object, not {_shown(value)}.")
    return value


@dataclass
class _Reader:
    """Reads one (possibly nested) config dict, recording what it had to default."""

    config: dict
    family: str
    defaulted: list[str] = field(default_factory=list)
    prefix: str = ""  # where a nested object sits: "vision_config."

    def has(self, name: str) -> bool:
        return self.config.get(name) is not None

    def integer(
        self,
        name: str,
        default: int | None = None,
        *,
        minimum: int = 1,
        maximum: int = MAX_DIMENSION,
    ) -> int:
        value = self.config.get(name)
        name = self.prefix + name
        if value is None:
            if default is None:
                raise ConfigError(
                    name, f"config.json has no “{name}”, which a {self.family} model needs."
                )
            self.defaulted.append(f"{name}={default}")
            return default
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or (isinstance(value, float) and not math.isfinite(value))
            or value != int(value)
        ):
            raise ConfigError(name, f"“{name}” must be a whole number, not {_shown(value)}.")
        if not minimum <= value <= maximum:
            raise ConfigError(
                name, f"“{name}” must be between {minimum} and {maximum:,}, not {_shown(value)}."
            )
        return int(value)

    def optional_integer(self, name: str, *, minimum: int = 1) -> int | None:
        if self.config.get(name) is None:
            return None
        return self.integer(name, minimum=minimum)

    def boolean(self, name: str, default: bool, *, warn: bool = True) -> bool:
        """A flag; left out, the class default, named in the warning when it matters
        (`warn`: a missing bias that is off by default is no guess)."""
        value = self.config.get(name)
        if value is None:
            if warn and name not in self.config:
                self.defaulted.append(f"{name}={str(default).lower()}")
            return default
        if not isinstance(value, bool):
            raise ConfigError(name, f"“{name}” must be true or false, not {value!r}.")
        return value

    def integer_list(self, name: str) -> list[int] | None:
        value = self.config.get(name)
        if value is None:
            return None
        if not isinstance(value, list) or not all(
            isinstance(v, int) and not isinstance(v, bool) for v in value
        ):
            raise ConfigError(name, f"“{name}” must be a list of whole numbers.")
        return value

    def layer_types(self, layers: int) -> list[str] | None:
        value = self.config.get("layer_types")
        if value is None:
            return None
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigError("layer_types", "“layer_types” must be a list of strings.")
        if len(value) != layers:
            raise ConfigError(
                "layer_types",
                f"“layer_types” lists {len(value)} layers but num_hidden_layers is {layers}.",
            )
        unknown = sorted(set(value) - {"full_attention", "sliding_attention"})
        if unknown:
            raise ConfigError(
                "layer_types",
                f"“layer_types” holds {', '.join(unknown)}: only full_attention and "
                "sliding_attention are modelled.",
            )
        return value


def model_from_config(
    config: Any, *, name: str = "Custom model", slug: str = "custom"
) -> tuple[ModelSpec, list[str]]:
    """The ModelSpec a config.json describes, and warnings for what it had to assume.

    Raises ConfigError (with the field at fault) for a config that is not a JSON object,
    lacks a field the family needs, or holds a value of the wrong type.
    """
    if not isinstance(config, dict):
        raise ConfigError("config", "config.json must be a JSON object ({...}).")
    outer = config
    text = config.get("text_config")
    if text is not None and not isinstance(text, dict):
        raise ConfigError("text_config", "“text_config” must be a JSON object.")
    # Multimodal checkpoints (Gemma 3, Llama 4) nest the language model in text_config;
    # a few fields (tie_word_embeddings) may sit at the top level.
    flat = {**{k: v for k, v in outer.items() if k != "text_config"}, **(text or {})}
    model_type = (text or {}).get("model_type") or outer.get("model_type")
    if not isinstance(model_type, str) or not model_type:
        raise ConfigError(
            "model_type",
            'config.json has no “model_type” (e.g. "llama", "qwen3"), so its family is unknown.',
        )
    warnings: list[str] = []
    family = model_type
    if model_type not in KNOWN_MODEL_TYPES:
        warnings.append(
            f"model_type “{model_type}” is not a family this calculator knows: it was read "
            "as a Llama-style decoder (gated MLP, two norms per layer), which may miss "
            "parts of its architecture."
        )
        family = "llama"
    reader = _Reader(flat, family)
    parse = _PARSERS.get(family, _llama_like)
    spec = parse(reader, outer)
    spec = replace(spec, slug=slug, name=name)
    if reader.defaulted:
        warnings.append(
            "Not in the config, so transformers' defaults for "
            f"{model_type} were used: {', '.join(reader.defaulted)}."
        )
    warnings += _notes(flat, family)
    return spec, warnings


# Section: shared fields


def _base(r: _Reader, *, intermediate: bool = True) -> dict:
    hidden = r.integer("hidden_size")
    heads = r.integer("num_attention_heads")
    layers = r.integer("num_hidden_layers", maximum=MAX_LAYERS)
    head_dim = r.optional_integer("head_dim")
    if head_dim is None:
        if hidden % heads:
            raise ConfigError(
                "head_dim",
                f"config.json has no “head_dim” and hidden_size {hidden} is not a multiple "
                f"of num_attention_heads {heads}.",
            )
        head_dim = hidden // heads  # transformers' rule when head_dim is absent
    kv_heads = r.integer("num_key_value_heads", heads)
    if heads % kv_heads:
        raise ConfigError(
            "num_key_value_heads",
            f"num_key_value_heads {kv_heads} must divide num_attention_heads {heads}.",
        )
    return {
        "hidden_size": hidden,
        "num_layers": layers,
        "num_attention_heads": heads,
        "num_kv_heads": kv_heads,
        "head_dim": head_dim,
        "intermediate_size": r.integer("intermediate_size") if intermediate else 0,
        "vocab_size": r.integer("vocab_size", DEFAULT_VOCAB_SIZE.get(r.family), maximum=MAX_VOCAB),
        "max_context": r.integer(
            "max_position_embeddings",
            DEFAULT_MAX_POSITION_EMBEDDINGS.get(r.family),
            maximum=MAX_CONTEXT,
        ),
    }


def _spec(**fields) -> ModelSpec:
    return ModelSpec(slug="custom", name="Custom model", **fields)


def _sliding(r: _Reader, layers: int, *, default_local: Callable[[int], bool] | None) -> dict:
    """The local layers of a sliding-window model, from layer_types when given, else the
    family's pattern (default_local(i): whether layer i slides; None: every layer)."""
    window = r.optional_integer("sliding_window")
    if not window:
        return {}
    types = r.layer_types(layers)
    if types is not None:
        local = types.count("sliding_attention")
    elif default_local is None:
        local = layers
    else:
        local = sum(1 for i in range(layers) if default_local(i))
    return {"attention_window": window, "local_layers": local} if local else {}


# Section: families


def _llama_like(r: _Reader, outer: dict) -> ModelSpec:
    base = _base(r)
    layers = base["num_layers"]
    family = r.family
    fields: dict = {"tie_word_embeddings": r.boolean("tie_word_embeddings", False)}
    if family == "qwen2":
        fields["qkv_bias"] = True  # Qwen2Attention: q, k and v projections always biased
    else:
        bias = r.boolean("attention_bias", False, warn=False)
        fields.update(qkv_bias=bias, output_bias=bias)
    if family in ("qwen3", "qwen3_moe"):
        fields["qk_norm"] = True  # Qwen3Attention: q_norm and k_norm
    if family in ("mistral", "mixtral"):
        fields.update(_sliding(r, layers, default_local=None))
    elif family.startswith("qwen") and r.config.get("use_sliding_window"):
        # Qwen only slides when use_sliding_window is set, on the layers from
        # max_window_layers on (Qwen2Config/Qwen3Config); released checkpoints don't.
        start = r.integer("max_window_layers", layers, minimum=0, maximum=MAX_LAYERS)
        fields.update(_sliding(r, layers, default_local=lambda i: i >= start))
    if family == "mixtral":
        fields.update(
            num_experts=r.integer("num_local_experts"),
            experts_per_token=r.integer("num_experts_per_tok"),
            moe_intermediate_size=base["intermediate_size"],
        )
    elif family == "qwen3_moe":
        dense = r.integer_list("mlp_only_layers") or []
        fields.update(
            num_experts=r.integer("num_experts"),
            experts_per_token=r.integer("num_experts_per_tok"),
            moe_intermediate_size=r.integer("moe_intermediate_size"),
            moe_layer_step=r.integer("decoder_sparse_step", 1),
            first_dense_layers=len(dense),
        )
    return _checked_moe(_spec(**base, **fields))


def _gemma(r: _Reader, outer: dict) -> ModelSpec:
    base = _base(r)
    layers = base["num_layers"]
    fields: dict = {
        "tie_word_embeddings": r.boolean("tie_word_embeddings", True),
        "extra_norms_per_layer": 0 if r.family == "gemma" else 2,  # post-attention/MLP norms
    }
    bias = r.boolean("attention_bias", False, warn=False)
    fields.update(qkv_bias=bias, output_bias=bias)
    if r.family == "gemma2":
        if not r.has("sliding_window"):
            r.config = {**r.config, "sliding_window": GEMMA2_SLIDING_WINDOW}
            r.defaulted.append(f"sliding_window={GEMMA2_SLIDING_WINDOW}")
        # Gemma2DecoderLayer: even layers (0, 2, ...) slide, odd ones are global.
        fields.update(_sliding(r, layers, default_local=lambda i: i % 2 == 0))
    elif r.family in ("gemma3", "gemma3_text"):
        fields["qk_norm"] = True  # Gemma3Attention: q_norm and k_norm
        if not r.has("sliding_window"):
            r.config = {**r.config, "sliding_window": GEMMA3_SLIDING_WINDOW}
            r.defaulted.append(f"sliding_window={GEMMA3_SLIDING_WINDOW}")
        pattern = GEMMA3_SLIDING_WINDOW_PATTERN
        if r.config.get("layer_types") is None:
            pattern = r.integer("sliding_window_pattern", GEMMA3_SLIDING_WINDOW_PATTERN)
        # Gemma3TextConfig: layer i is global when (i + 1) % pattern == 0.
        fields.update(_sliding(r, layers, default_local=lambda i: (i + 1) % pattern != 0))
        vision = _mapping(outer, "vision_config")
        if vision:
            fields["extra_params"] = _siglip_params(vision, base["hidden_size"], r.defaulted)
    return _spec(**base, **fields)


def _siglip_params(vision: dict, text_hidden: int, defaulted: list[str]) -> int:
    """Gemma 3's SigLIP image tower and its projector into the text model
    (modeling_siglip.py: per layer q/k/v/o with biases, fc1/fc2 with biases, two
    LayerNorms with biases; a conv patch embedding with bias, a position per patch and a
    final LayerNorm; Gemma3MultiModalProjector: a vision x text matrix and an RMSNorm).
    A field it defaults joins the model's `defaulted`, so the warning names it."""
    r = _Reader(vision, "SigLIP vision", defaulted=defaulted, prefix="vision_config.")
    h = r.integer("hidden_size")
    width = r.integer("intermediate_size")
    layers = r.integer("num_hidden_layers", maximum=MAX_LAYERS)
    patch = r.integer("patch_size")
    patches = (r.integer("image_size") // patch) ** 2
    channels = r.integer("num_channels", SIGLIP_NUM_CHANNELS)
    per_layer = 4 * (h * h + h) + (h * width + width) + (width * h + h) + 2 * 2 * h
    embeddings = channels * patch * patch * h + h + patches * h
    projector = h * text_hidden + h
    return layers * per_layer + embeddings + 2 * h + projector


def _deepseek(r: _Reader, outer: dict) -> ModelSpec:
    hidden = r.integer("hidden_size")
    heads = r.integer("num_attention_heads")
    layers = r.integer("num_hidden_layers", maximum=MAX_LAYERS)
    nope = r.integer("qk_nope_head_dim")
    rope = r.integer("qk_rope_head_dim")
    q_lora = r.optional_integer("q_lora_rank") or 0  # null: V2-Lite projects queries directly
    moe_freq = r.integer("moe_layer_freq", 1)
    routed = r.optional_integer("n_routed_experts") or 0
    fields: dict = {
        "hidden_size": hidden,
        "num_layers": layers,
        "num_attention_heads": heads,
        # vLLM and transformers treat MLA's cache as one latent "head"; the spec's KV
        # heads only matter for grouped-query attention.
        "num_kv_heads": r.integer("num_key_value_heads", heads),
        "head_dim": nope + rope,
        "intermediate_size": r.integer("intermediate_size"),
        "vocab_size": r.integer("vocab_size", maximum=MAX_VOCAB),
        "max_context": r.integer(
            "max_position_embeddings",
            DEFAULT_MAX_POSITION_EMBEDDINGS[r.family],
            maximum=MAX_CONTEXT,
        ),
        "tie_word_embeddings": r.boolean("tie_word_embeddings", False),
        "kv_lora_rank": r.integer("kv_lora_rank"),
        "q_lora_rank": q_lora,
        "qk_rope_head_dim": rope,
        "qk_nope_head_dim": nope,
        "v_head_dim": r.integer("v_head_dim"),
    }
    if routed:
        fields.update(
            num_experts=routed,
            experts_per_token=r.integer("num_experts_per_tok"),
            moe_intermediate_size=r.integer("moe_intermediate_size"),
            shared_experts=r.integer("n_shared_experts", 0, minimum=0),
            first_dense_layers=r.integer("first_k_dense_replace", 0, minimum=0),
            moe_layer_step=moe_freq,
        )
    return _checked_moe(_spec(**fields))


def _gpt_oss(r: _Reader, outer: dict) -> ModelSpec:
    base = _base(r)
    layers = base["num_layers"]
    bias = r.boolean("attention_bias", True)
    quant = _mapping(r.config, "quantization_config")
    fields: dict = {
        "tie_word_embeddings": r.boolean("tie_word_embeddings", False),
        "qkv_bias": bias,
        "output_bias": bias,
        "attention_sinks": True,  # GptOssAttention.sinks: one learned logit per head
        "num_experts": r.integer("num_local_experts"),
        "experts_per_token": r.integer("num_experts_per_tok"),
        "moe_intermediate_size": base["intermediate_size"],
        "expert_bias": True,  # gate_up_proj_bias, down_proj_bias and the router's bias
        "expert_format": "mxfp4" if quant.get("quant_method") == "mxfp4" else "",
    }
    if not r.has("sliding_window"):
        r.config = {**r.config, "sliding_window": GPT_OSS_SLIDING_WINDOW}
        r.defaulted.append(f"sliding_window={GPT_OSS_SLIDING_WINDOW}")
    # GptOssConfig: without layer_types, even layers slide and odd ones are global.
    fields.update(_sliding(r, layers, default_local=lambda i: i % 2 == 0))
    return _checked_moe(_spec(**base, **fields))


def _llama4(r: _Reader, outer: dict) -> ModelSpec:
    base = _base(r)
    layers = base["num_layers"]
    bias = r.boolean("attention_bias", False, warn=False)
    step = r.integer("interleave_moe_layer_step", 1)
    fields: dict = {
        "intermediate_size": r.integer("intermediate_size_mlp"),  # the dense layers' FFN
        "tie_word_embeddings": r.boolean("tie_word_embeddings", False),
        "qkv_bias": bias,
        "output_bias": bias,
        "num_experts": r.integer("num_local_experts"),
        "experts_per_token": r.integer("num_experts_per_tok"),
        "moe_intermediate_size": base["intermediate_size"],
        "shared_experts": 1,  # Llama4TextMoe.shared_expert
        "moe_layer_step": step,
    }
    chunk = r.integer("attention_chunk_size", LLAMA4_ATTENTION_CHUNK_SIZE)
    rope_layers = r.integer_list("no_rope_layers")
    if rope_layers:  # 1: the layer uses RoPE and chunked attention; 0: global NoPE
        local = sum(1 for v in rope_layers[:layers] if v)
    else:
        local = sum(1 for i in range(layers) if (i + 1) % LLAMA4_NO_ROPE_LAYER_INTERVAL)
    fields.update(attention_window=chunk, local_layers=local, chunked_attention=True)
    return _checked_moe(_spec(**{**base, **fields}))


_PARSERS: dict[str, Callable[[_Reader, dict], ModelSpec]] = {
    **dict.fromkeys(LLAMA_LIKE, _llama_like),
    **dict.fromkeys(GEMMA, _gemma),
    **dict.fromkeys(DEEPSEEK, _deepseek),
    "gpt_oss": _gpt_oss,
    "llama4": _llama4,
    "llama4_text": _llama4,
}


def _checked_moe(spec: ModelSpec) -> ModelSpec:
    if spec.num_experts and spec.experts_per_token > spec.num_experts:
        raise ConfigError(
            "num_experts_per_tok",
            f"num_experts_per_tok {spec.experts_per_token} exceeds the {spec.num_experts} experts.",
        )
    if spec.first_dense_layers >= spec.num_layers and spec.num_experts:
        raise ConfigError("first_k_dense_replace", "Every layer would be dense.")
    return spec


def _notes(config: dict, family: str) -> list[str]:
    """What the config holds that the estimate leaves out."""
    notes = []
    mtp = config.get("num_nextn_predict_layers")
    if isinstance(mtp, int) and mtp > 0:
        notes.append(
            f"The {mtp} multi-token-prediction layer(s) (num_nextn_predict_layers) are not "
            "counted: engines load them only for speculative decoding."
        )
    quant = config.get("quantization_config")
    if isinstance(quant, dict) and quant.get("quant_method"):
        method = quant["quant_method"]
        if family == "gpt_oss" and method == "mxfp4":
            notes.append(
                "The routed experts are MXFP4 in this checkpoint and are counted at 4.25 bits "
                "whatever the weights precision; the rest follows the precision chosen."
            )
        else:
            notes.append(
                f"The checkpoint is quantized ({method}): pick the matching weights "
                "precision, the calculator does not take it from the config."
            )
    if family in ("llama4", "llama4_text") and isinstance(config.get("vision_config"), dict):
        notes.append("The vision encoder is not counted: only the text model is.")
    if config.get("mlp_only_layers"):
        notes.append(
            "mlp_only_layers are counted as the first dense layers; their positions don't "
            "change the estimate."
        )
    return notes
