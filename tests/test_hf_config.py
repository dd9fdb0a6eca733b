"""Reading a Hugging Face config.json into a ModelSpec: every family's fields, clear
errors naming the field, and a warning for every default taken from transformers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from calculator.estimator import Dtype, count_parameters, kv_bytes_per_token
from calculator.estimator.hf_config import ConfigError, model_from_config

CONFIGS = Path(__file__).parent / "data" / "hf_configs"


def config(name: str) -> dict:
    return json.loads((CONFIGS / f"{name}.json").read_text())


def parsed(name: str):
    return model_from_config(config(name), name=name, slug=name)


# name: (total parameters, publisher's count), hand-worked in test_architectures.py and
# the catalog migration's sources.
OFFICIAL = {
    "llama-3.1-8b": 8.03e9,
    "mistral-7b": 7.24e9,
    "mixtral-8x7b": 46.7e9,
    "mistral-small-3-24b": 23.6e9,
    "qwen2.5-7b": 7.61e9,
    "qwen3-8b": 8.2e9,
    "qwen3-32b": 32.8e9,
    "qwen3-30b-a3b": 30.5e9,
    "qwen3-235b-a22b": 235e9,
    "gemma-2-9b": 9.24e9,
    "gemma-3-27b": 27.43e9,
    "deepseek-v2-lite": 15.7e9,
    "deepseek-v3": 671e9,
    "gpt-oss-20b": 20.91e9,
    "gpt-oss-120b": 116.83e9,
}


@pytest.mark.parametrize("name", OFFICIAL)
def test_each_familys_config_gives_the_publishers_parameter_count(name):
    spec, _ = parsed(name)
    assert count_parameters(spec).total == pytest.approx(OFFICIAL[name], rel=0.01)


def test_the_name_and_slug_are_the_callers():
    spec, _ = model_from_config(config("qwen3-8b"), name="My Qwen", slug="my-qwen")
    assert (spec.name, spec.slug) == ("My Qwen", "my-qwen")


def test_mistral_slides_every_layer_and_mixtral_none():
    mistral, _ = parsed("mistral-7b")
    assert (mistral.attention_window, mistral.local_layers) == (4096, 32)
    mixtral, _ = parsed("mixtral-8x7b")
    assert mixtral.attention_window == 0
    assert (mixtral.num_experts, mixtral.experts_per_token) == (8, 2)


def test_qwen_only_slides_when_use_sliding_window_is_set():
    spec, _ = parsed("qwen2.5-7b")
    assert spec.attention_window == 0 and spec.qkv_bias
    on = {**config("qwen2.5-7b"), "use_sliding_window": True, "max_window_layers": 20}
    spec, _ = model_from_config(on)
    assert (spec.attention_window, spec.local_layers) == (131072, 8)


@pytest.mark.parametrize("name", ["qwen2.5-7b", "qwen3-8b"])
def test_a_qwen_config_with_use_sliding_window_false_never_slides(name):
    """Even when max_window_layers leaves layers to slide and a window is given (released
    checkpoints set max_window_layers to every layer, which hid this). Planted bug:
    sliding whatever use_sliding_window says fails here."""
    base = {**config(name), "sliding_window": 4096, "max_window_layers": 20}
    off, _ = model_from_config({**base, "use_sliding_window": False})
    on, _ = model_from_config({**base, "use_sliding_window": True})

    assert (off.attention_window, off.local_layers) == (0, 0)
    assert (on.attention_window, on.local_layers) == (4096, on.num_layers - 20)


def test_gemma_3_reads_its_text_config_pattern_and_vision_tower():
    spec, warnings = parsed("gemma-3-27b")
    assert (spec.attention_window, spec.local_layers) == (1024, 52)
    assert spec.qk_norm and spec.extra_norms_per_layer == 2 and spec.tie_word_embeddings
    # SigLIP (416.9M, "417M" in the Gemma 3 report) and the 1152 x 5376 projector.
    assert spec.extra_params == 416_866_032 + 1152 * 5376 + 1152
    assert "vocab_size=262208" in warnings[0]


def test_gemma_2_alternates_sliding_and_global_layers():
    spec, _ = parsed("gemma-2-9b")
    assert (spec.attention_window, spec.local_layers) == (4096, 21)


def test_layer_types_decide_which_layers_are_local():
    types = ["sliding_attention"] * 30 + ["full_attention"] * 6
    spec, _ = model_from_config({**config("gpt-oss-120b"), "layer_types": types})
    assert spec.local_layers == 30


def test_deepseek_reads_latent_attention_and_shared_experts():
    spec, warnings = parsed("deepseek-v3")
    assert (spec.kv_lora_rank, spec.qk_rope_head_dim, spec.q_lora_rank) == (512, 64, 1536)
    assert (spec.shared_experts, spec.first_dense_layers) == (1, 3)
    assert kv_bytes_per_token(spec, Dtype.BF16, 1, 61) == 70_272
    assert any("multi-token-prediction" in w for w in warnings)
    assert any("quantized (fp8)" in w for w in warnings)
    lite, _ = parsed("deepseek-v2-lite")
    assert lite.q_lora_rank == 0  # null: queries projected directly


def test_gpt_oss_reads_sinks_biases_and_mxfp4_experts():
    spec, warnings = parsed("gpt-oss-20b")
    assert spec.attention_sinks and spec.expert_bias and spec.output_bias
    assert spec.expert_format == "mxfp4"
    assert (spec.attention_window, spec.local_layers) == (128, 12)
    assert any("MXFP4" in w for w in warnings)


def test_a_config_without_a_needed_field_names_it():
    broken = config("llama-3.1-8b")
    del broken["hidden_size"]
    with pytest.raises(ConfigError) as error:
        model_from_config(broken)
    assert error.value.field == "hidden_size"
    assert "hidden_size" in str(error.value)


def test_deepseek_without_its_latent_rank_names_it():
    broken = config("deepseek-v3")
    del broken["kv_lora_rank"]
    with pytest.raises(ConfigError) as error:
        model_from_config(broken)
    assert error.value.field == "kv_lora_rank"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"num_hidden_layers": "32"}, "num_hidden_layers"),
        ({"num_hidden_layers": 0}, "num_hidden_layers"),
        ({"num_key_value_heads": 5}, "num_key_value_heads"),
        ({"tie_word_embeddings": "no"}, "tie_word_embeddings"),
        ({"model_type": None}, "model_type"),
        ({"text_config": [1]}, "text_config"),
    ],
)
def test_wrong_values_are_errors_naming_the_field(change, field):
    with pytest.raises(ConfigError) as error:
        model_from_config({**config("llama-3.1-8b"), **change})
    assert error.value.field == field


def test_something_other_than_an_object_is_an_error():
    with pytest.raises(ConfigError) as error:
        model_from_config([1, 2])
    assert error.value.field == "config"


def test_every_default_taken_is_a_warning():
    minimal = {
        "model_type": "llama",
        "hidden_size": 4096,
        "num_hidden_layers": 32,
        "num_attention_heads": 32,
        "intermediate_size": 11008,
        "vocab_size": 32000,
    }
    spec, warnings = model_from_config(minimal)
    assert spec.num_kv_heads == 32 and spec.head_dim == 128
    (warning,) = warnings
    for named in ("num_key_value_heads=32", "max_position_embeddings=2048"):
        assert named in warning
    assert "tie_word_embeddings=false" in warning


def test_an_unknown_family_is_read_as_llama_style_with_a_warning():
    spec, warnings = model_from_config({**config("llama-3.1-8b"), "model_type": "olmo2"})
    assert count_parameters(spec).total == pytest.approx(8.03e9, rel=0.01)
    assert "olmo2" in warnings[0]


def test_a_complete_config_gives_no_default_warning():
    _, warnings = parsed("llama-3.1-8b")
    assert warnings == []
