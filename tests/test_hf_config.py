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


# Section: what each error and note says (mutation testing, issue 24). The messages are
# what a user pasting a config reads, so they are checked whole.

LLAMA = "llama-3.1-8b"


def error_for(change: dict, base: str = LLAMA, drop: tuple[str, ...] = ()) -> ConfigError:
    broken = {**config(base), **change}
    for name in drop:
        del broken[name]
    with pytest.raises(ConfigError) as error:
        model_from_config(broken)
    return error.value


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        (
            {"num_hidden_layers": "32"},
            "num_hidden_layers",
            "“num_hidden_layers” must be a whole number, not '32'.",
        ),
        (
            {"hidden_size": 4096.5},
            "hidden_size",
            "“hidden_size” must be a whole number, not 4096.5.",
        ),
        ({"hidden_size": True}, "hidden_size", "“hidden_size” must be a whole number, not True."),
        (
            {"num_hidden_layers": 0},
            "num_hidden_layers",
            "“num_hidden_layers” must be between 1 and 10,000, not 0.",
        ),
        (
            {"num_hidden_layers": 10_001},
            "num_hidden_layers",
            "“num_hidden_layers” must be between 1 and 10,000, not 10001.",
        ),
        (
            {"hidden_size": 1_000_001},
            "hidden_size",
            "“hidden_size” must be between 1 and 1,000,000, not 1000001.",
        ),
        (
            {"vocab_size": 10_000_001},
            "vocab_size",
            "“vocab_size” must be between 1 and 10,000,000, not 10000001.",
        ),
        (
            {"max_position_embeddings": 100_000_001},
            "max_position_embeddings",
            "“max_position_embeddings” must be between 1 and 100,000,000, not 100000001.",
        ),
        (
            {"tie_word_embeddings": "no"},
            "tie_word_embeddings",
            "“tie_word_embeddings” must be true or false, not 'no'.",
        ),
        (
            {"num_key_value_heads": 5},
            "num_key_value_heads",
            "num_key_value_heads 5 must divide num_attention_heads 32.",
        ),
        (
            {"num_attention_heads": 30},
            "head_dim",
            "config.json has no “head_dim” and hidden_size 4096 is not a multiple of "
            "num_attention_heads 30.",
        ),
        (
            {"model_type": ""},
            "model_type",
            'config.json has no “model_type” (e.g. "llama", "qwen3"), so its family is unknown.',
        ),
        ({"text_config": [1]}, "text_config", "“text_config” must be a JSON object."),
    ],
)
def test_each_wrong_value_is_an_error_saying_what_is_wrong(change, field, message):
    error = error_for(change)
    assert (error.field, error.message, str(error)) == (field, message, message)


def test_a_missing_field_is_named_with_the_family_that_needs_it():
    error = error_for({}, drop=("intermediate_size",))
    assert error.message == "config.json has no “intermediate_size”, which a llama model needs."


def test_the_largest_values_are_accepted():
    spec, _ = model_from_config(
        {**config(LLAMA), "num_hidden_layers": 10_000, "max_position_embeddings": 100_000_000}
    )
    assert (spec.num_layers, spec.max_context) == (10_000, 100_000_000)


def test_a_huge_bad_value_is_quoted_cut_short():
    error = error_for({"hidden_size": "x" * 500})
    shown = error.message.removeprefix("“hidden_size” must be a whole number, not ")
    assert shown == "'" + "x" * 58 + "…."
    exact = error_for({"hidden_size": "y" * 58})  # repr 60 chars: shown whole
    assert exact.message.endswith("'" + "y" * 58 + "'.")


def test_a_non_finite_number_is_not_a_whole_number():
    error = error_for({"hidden_size": float("inf")})
    assert error.message == "“hidden_size” must be a whole number, not inf."


def test_a_whole_float_is_read_as_an_integer():
    spec, _ = model_from_config({**config(LLAMA), "hidden_size": 4096.0})
    assert spec.hidden_size == 4096 and isinstance(spec.hidden_size, int)


def test_a_field_present_as_null_is_defaulted_without_a_guess_named():
    """tie_word_embeddings: null is taken as absent (the default) but was not left out,
    so no warning names it; left out, it is named."""
    _, warnings = model_from_config({**config(LLAMA), "tie_word_embeddings": None})
    assert warnings == []
    left_out = config(LLAMA)
    del left_out["tie_word_embeddings"]
    _, warnings = model_from_config(left_out)
    assert warnings == [
        "Not in the config, so transformers' defaults for llama were used: "
        "tie_word_embeddings=false."
    ]


def test_attention_bias_biases_the_output_too_except_on_qwen2():
    spec, _ = model_from_config({**config(LLAMA), "attention_bias": True})
    assert spec.qkv_bias and spec.output_bias
    qwen, _ = parsed("qwen2.5-7b")
    assert qwen.qkv_bias and not qwen.output_bias
    plain, _ = parsed(LLAMA)
    assert not plain.qkv_bias and not plain.output_bias and not plain.qk_norm


def test_qwen3_has_qk_norm_and_qwen3_moe_its_experts():
    dense, _ = parsed("qwen3-8b")
    assert dense.qk_norm
    moe, _ = parsed("qwen3-30b-a3b")
    assert moe.qk_norm
    assert (moe.num_experts, moe.experts_per_token, moe.moe_intermediate_size) == (128, 8, 768)
    assert (moe.moe_layer_step, moe.first_dense_layers) == (1, 0)


def test_qwen3_moe_counts_mlp_only_layers_as_dense_and_says_so():
    spec, warnings = model_from_config({**config("qwen3-30b-a3b"), "mlp_only_layers": [0, 5]})
    assert spec.first_dense_layers == 2
    assert warnings[-1] == (
        "mlp_only_layers are counted as the first dense layers; their positions don't "
        "change the estimate."
    )
    error = error_for({"mlp_only_layers": [0, True]}, base="qwen3-30b-a3b")
    assert (error.field, error.message) == (
        "mlp_only_layers",
        "“mlp_only_layers” must be a list of whole numbers.",
    )
    assert error_for({"mlp_only_layers": 3}, base="qwen3-30b-a3b").field == "mlp_only_layers"


def test_a_qwen_window_from_layer_zero_slides_every_layer():
    on = {**config("qwen3-8b"), "use_sliding_window": True, "max_window_layers": 0}
    on["sliding_window"] = 4096
    spec, _ = model_from_config(on)
    assert spec.local_layers == spec.num_layers


def test_a_qwen_window_without_max_window_layers_slides_none_and_says_so():
    on = {**config("qwen3-8b"), "use_sliding_window": True, "sliding_window": 4096}
    del on["max_window_layers"]
    spec, warnings = model_from_config(on)
    assert (spec.attention_window, spec.local_layers) == (0, 0)
    assert f"max_window_layers={spec.num_layers}" in warnings[0]


def test_mixtral_experts_are_its_ffn():
    spec, _ = parsed("mixtral-8x7b")
    assert spec.moe_intermediate_size == spec.intermediate_size == 14336


def test_more_experts_per_token_than_experts_is_an_error():
    error = error_for({"num_experts_per_tok": 9}, base="mixtral-8x7b")
    assert (error.field, error.message) == (
        "num_experts_per_tok",
        "num_experts_per_tok 9 exceeds the 8 experts.",
    )
    spec, _ = model_from_config({**config("mixtral-8x7b"), "num_experts_per_tok": 8})
    assert spec.experts_per_token == 8


def test_a_deepseek_whose_every_layer_is_dense_is_an_error():
    error = error_for({"first_k_dense_replace": 61}, base="deepseek-v3")
    assert (error.field, error.message) == ("first_k_dense_replace", "Every layer would be dense.")
    spec, _ = model_from_config({**config("deepseek-v3"), "first_k_dense_replace": 60})
    assert spec.first_dense_layers == 60


def test_deepseek_defaults_its_optional_moe_fields():
    ds = config("deepseek-v3")
    for name in ("n_shared_experts", "first_k_dense_replace", "moe_layer_freq"):
        ds.pop(name, None)
    spec, warnings = model_from_config(ds)
    assert (spec.shared_experts, spec.first_dense_layers, spec.moe_layer_step) == (0, 0, 1)
    for named in ("n_shared_experts=0", "first_k_dense_replace=0", "moe_layer_freq=1"):
        assert named in warnings[0]
    assert (spec.num_experts, spec.experts_per_token, spec.moe_intermediate_size) == (256, 8, 2048)
    assert spec.head_dim == 128 + 64 and spec.v_head_dim == 128


def test_a_dense_deepseek_has_no_experts():
    spec, _ = model_from_config({**config("deepseek-v2-lite"), "n_routed_experts": None})
    assert spec.num_experts == 0 and spec.shared_experts == 0


def test_a_deepseek_without_a_context_length_takes_its_familys():
    ds = config("deepseek-v3")
    del ds["max_position_embeddings"]
    spec, warnings = model_from_config(ds)
    assert spec.max_context == 4096
    assert "max_position_embeddings=4096" in warnings[0]


def test_deepseek_notes_multi_token_prediction_and_quantization_exactly():
    _, warnings = parsed("deepseek-v3")
    assert warnings == [
        "The 1 multi-token-prediction layer(s) (num_nextn_predict_layers) are not counted: "
        "engines load them only for speculative decoding.",
        "The checkpoint is quantized (fp8): pick the matching weights precision, the "
        "calculator does not take it from the config.",
    ]
    _, plain = model_from_config({**config("deepseek-v3"), "num_nextn_predict_layers": 0})
    assert not any("multi-token" in w for w in plain)


def test_gpt_oss_notes_its_mxfp4_experts_and_defaults_its_window():
    spec, warnings = parsed("gpt-oss-20b")
    assert warnings == [
        "The routed experts are MXFP4 in this checkpoint and are counted at 4.25 bits "
        "whatever the weights precision; the rest follows the precision chosen."
    ]
    assert (spec.num_experts, spec.experts_per_token) == (32, 4)
    assert spec.qkv_bias and not spec.tie_word_embeddings
    no_window = config("gpt-oss-20b")
    del no_window["sliding_window"]
    spec, warnings = model_from_config(no_window)
    assert spec.attention_window == 128
    assert "sliding_window=128" in warnings[0]
    plain, _ = model_from_config({**config("gpt-oss-20b"), "quantization_config": None})
    assert plain.expert_format == ""
    error = error_for({"quantization_config": 5}, base="gpt-oss-20b")
    assert (error.field, error.message) == (
        "quantization_config",
        "“quantization_config” must be a JSON object, not 5.",
    )


def test_gpt_oss_without_layer_types_slides_the_even_layers():
    gpt = config("gpt-oss-20b")
    del gpt["layer_types"]
    spec, _ = model_from_config(gpt)
    assert spec.local_layers == 12  # layers 0, 2, ..., 22 of 24


def test_layer_types_that_do_not_match_the_layers_are_errors():
    base = "gpt-oss-20b"
    wrong_length = error_for({"layer_types": ["sliding_attention"] * 3}, base=base)
    assert wrong_length.message == "“layer_types” lists 3 layers but num_hidden_layers is 24."
    unknown = error_for({"layer_types": ["chunked", "global"] + ["full_attention"] * 22}, base=base)
    assert unknown.message == (
        "“layer_types” holds chunked, global: only full_attention and sliding_attention "
        "are modelled."
    )
    not_strings = error_for({"layer_types": [1] * 24}, base=base)
    assert (not_strings.field, not_strings.message) == (
        "layer_types",
        "“layer_types” must be a list of strings.",
    )


def gemma(model_type: str, **change) -> dict:
    return {
        "model_type": model_type,
        "hidden_size": 2048,
        "num_hidden_layers": 12,
        "num_attention_heads": 8,
        "num_key_value_heads": 4,
        "head_dim": 256,
        "intermediate_size": 8192,
        "vocab_size": 256000,
        "max_position_embeddings": 8192,
        "tie_word_embeddings": True,
        **change,
    }


def test_the_first_gemma_has_no_extra_norms_and_no_window():
    spec, warnings = model_from_config(gemma("gemma"))
    assert spec.extra_norms_per_layer == 0 and spec.attention_window == 0
    assert not spec.qk_norm and spec.tie_word_embeddings
    assert warnings == []


def test_gemma_2_without_a_window_takes_4096_and_says_so():
    spec, warnings = model_from_config(gemma("gemma2"))
    assert spec.extra_norms_per_layer == 2 and not spec.qk_norm
    assert (spec.attention_window, spec.local_layers) == (4096, 6)
    assert warnings == [
        "Not in the config, so transformers' defaults for gemma2 were used: sliding_window=4096."
    ]


def test_gemma_3_slides_five_layers_in_six_unless_told_otherwise():
    spec, warnings = model_from_config(gemma("gemma3_text", sliding_window=512))
    assert (spec.attention_window, spec.local_layers) == (512, 10)
    assert spec.qk_norm and spec.extra_params == 0
    assert "sliding_window_pattern=6" in warnings[0]
    every_other, _ = model_from_config(
        gemma("gemma3_text", sliding_window=512, sliding_window_pattern=2)
    )
    assert every_other.local_layers == 6
    typed, warnings = model_from_config(
        gemma("gemma3_text", sliding_window=512, layer_types=["sliding_attention"] * 12)
    )
    assert typed.local_layers == 12 and warnings == []
    defaulted, warnings = model_from_config(gemma("gemma3_text", sliding_window_pattern=6))
    assert defaulted.attention_window == 4096
    assert "sliding_window=4096" in warnings[0]


def test_a_gemma_3_vision_tower_with_a_bad_field_names_it_inside_vision_config():
    bad = {**config("gemma-3-27b")}
    bad["vision_config"] = {**bad["vision_config"], "patch_size": "14"}
    with pytest.raises(ConfigError) as error:
        model_from_config(bad)
    assert error.value.field == "vision_config.patch_size"
    assert error.value.message == "“vision_config.patch_size” must be a whole number, not '14'."


def test_a_vision_tower_missing_a_field_names_it_and_siglip():
    bad = {**config("gemma-3-27b")}
    bad["vision_config"] = {k: v for k, v in bad["vision_config"].items() if k != "image_size"}
    with pytest.raises(ConfigError) as error:
        model_from_config(bad)
    assert error.value.message == (
        "config.json has no “vision_config.image_size”, which a SigLIP vision model needs."
    )


def test_the_siglip_tower_is_counted_by_hand():
    """One layer of width 4, MLP 8, 2 x 2 patches over a 4 x 4 image, 3 channels, into a
    text model of width 10: layer 4(16+4) + (32+8) + (32+4) + 16 = 172; embeddings
    3 x 2 x 2 x 4 + 4 + 4 x 4 = 68; final norm 8; projector 4 x 10 + 4 = 44."""
    vision = {
        "hidden_size": 4,
        "intermediate_size": 8,
        "num_hidden_layers": 1,
        "patch_size": 2,
        "image_size": 4,
    }
    spec, warnings = model_from_config(
        {
            **gemma("gemma3", hidden_size=10, num_attention_heads=2, num_key_value_heads=2),
            "vision_config": vision,
        }
    )
    assert spec.extra_params == 172 + 68 + 8 + 44


def test_a_defaulted_vision_field_is_named_in_a_warning():
    # Found by issue 24's mutation run: the vision reader's defaults were dropped.
    vision = {"hidden_size": 4, "intermediate_size": 8, "num_hidden_layers": 1}
    vision |= {"patch_size": 2, "image_size": 4}
    _, warnings = model_from_config(
        {**gemma("gemma3", sliding_window=512), "vision_config": vision}
    )
    assert any("vision_config.num_channels=3" in w for w in warnings)


def llama4(**change) -> dict:
    return {
        "model_type": "llama4_text",
        "hidden_size": 5120,
        "num_hidden_layers": 8,
        "num_attention_heads": 40,
        "num_key_value_heads": 8,
        "head_dim": 128,
        "intermediate_size": 8192,
        "intermediate_size_mlp": 16384,
        "vocab_size": 202048,
        "max_position_embeddings": 10485760,
        "num_local_experts": 16,
        "num_experts_per_tok": 1,
        "interleave_moe_layer_step": 1,
        "attention_chunk_size": 8192,
        "tie_word_embeddings": False,
        **change,
    }


def test_llama_4_chunks_three_layers_in_four_and_shares_an_expert():
    spec, warnings = model_from_config(llama4())
    assert warnings == []
    assert (spec.attention_window, spec.local_layers, spec.chunked_attention) == (8192, 6, True)
    assert (spec.intermediate_size, spec.moe_intermediate_size) == (16384, 8192)
    assert (spec.num_experts, spec.experts_per_token, spec.shared_experts) == (16, 1, 1)
    assert spec.moe_layer_step == 1 and not spec.qkv_bias


def test_llama_4s_no_rope_layers_decide_its_local_layers():
    spec, _ = model_from_config(llama4(no_rope_layers=[1, 0, 0, 0, 1, 1, 1, 1, 0, 0]))
    assert spec.local_layers == 5  # only the first 8 entries count


def test_without_no_rope_layers_every_fourth_llama_4_layer_is_global():
    """Six layers: the 4th (index 3) is global, the other five chunk."""
    spec, _ = model_from_config(llama4(num_hidden_layers=6))
    assert spec.local_layers == 5


def test_llama_4s_left_out_fields_take_transformers_defaults_and_say_so():
    config = llama4()
    for name in (
        "interleave_moe_layer_step",
        "attention_chunk_size",
        "tie_word_embeddings",
    ):
        del config[name]
    spec, warnings = model_from_config(config)
    assert (spec.moe_layer_step, spec.attention_window) == (1, 8192)
    assert spec.tie_word_embeddings is False
    assert spec.qkv_bias is False and spec.output_bias is False
    assert warnings == [
        "Not in the config, so transformers' defaults for llama4_text were used: "
        "interleave_moe_layer_step=1, tie_word_embeddings=false, attention_chunk_size=8192."
    ]
    biased, _ = model_from_config(llama4(attention_bias=True))
    assert biased.qkv_bias and biased.output_bias


def test_llama_4s_vision_encoder_is_noted_as_left_out():
    nested = {
        "model_type": "llama4",
        "text_config": llama4(model_type="llama4_text"),
        "vision_config": {"hidden_size": 1408},
    }
    spec, warnings = model_from_config(nested)
    assert spec.num_layers == 8
    assert warnings == ["The vision encoder is not counted: only the text model is."]


def test_an_unknown_family_warning_says_how_it_was_read():
    _, warnings = model_from_config({**config(LLAMA), "model_type": "olmo2"})
    assert warnings == [
        "model_type “olmo2” is not a family this calculator knows: it was read as a "
        "Llama-style decoder (gated MLP, two norms per layer), which may miss parts of its "
        "architecture."
    ]


def test_a_nested_model_type_wins_over_the_outer_one():
    nested = {"model_type": "gemma3", "text_config": {**config(LLAMA), "model_type": "llama"}}
    spec, warnings = model_from_config(nested)
    assert spec.num_layers == 32 and warnings == []


def test_the_siglip_tower_reads_its_channels_and_whole_patches():
    """As the hand-worked tower, on one channel (embeddings 1 x 2 x 2 x 4 + 4 + 16 = 36)
    and a 5 x 5 image, of which whole 2 x 2 patches cover 4 x 4."""
    vision = {"hidden_size": 4, "intermediate_size": 8, "num_hidden_layers": 1}
    vision |= {"patch_size": 2, "image_size": 5, "num_channels": 1}
    text = gemma("gemma3", hidden_size=10, num_attention_heads=2, num_key_value_heads=2)
    spec, _ = model_from_config({**text, "vision_config": vision})
    assert spec.extra_params == 172 + 36 + 8 + 44


@pytest.mark.parametrize("base", ["deepseek-v3", "gemma-3-27b"])
def test_layers_are_held_to_their_own_limit_everywhere(base):
    change = {"num_hidden_layers": 10_001}
    broken = {**config(base)}
    if base == "gemma-3-27b":
        broken["vision_config"] = {**broken["vision_config"], **change}
        name = "vision_config.num_hidden_layers"
    else:
        broken |= change
        name = "num_hidden_layers"
    with pytest.raises(ConfigError) as error:
        model_from_config(broken)
    assert error.value.message == f"“{name}” must be between 1 and 10,000, not 10001."


def test_deepseeks_vocabulary_and_context_may_pass_a_million():
    spec, _ = model_from_config(
        {**config("deepseek-v3"), "vocab_size": 2_000_000, "max_position_embeddings": 2_000_000}
    )
    assert (spec.vocab_size, spec.max_context) == (2_000_000, 2_000_000)


def test_deepseek_defaults_its_kv_heads_to_its_heads_and_its_tying_to_off():
    ds = config("deepseek-v3")
    del ds["num_key_value_heads"], ds["tie_word_embeddings"]
    spec, warnings = model_from_config(ds)
    assert spec.num_kv_heads == spec.num_attention_heads == 128
    assert spec.tie_word_embeddings is False
    assert "num_key_value_heads=128" in warnings[0]
    assert "tie_word_embeddings=false" in warnings[0]


def test_gpt_oss_without_attention_bias_is_biased_and_says_so():
    gpt = config("gpt-oss-20b")
    del gpt["attention_bias"]
    spec, warnings = model_from_config(gpt)
    assert spec.qkv_bias is True and spec.output_bias is True
    assert "attention_bias=true" in warnings[0]


def test_gemma_reads_attention_bias_for_both_projections():
    biased, _ = model_from_config(gemma("gemma", attention_bias=True))
    assert biased.qkv_bias is True and biased.output_bias is True
    plain, warnings = model_from_config(gemma("gemma"))
    assert plain.qkv_bias is False and plain.output_bias is False
    assert warnings == []


def test_gemma_2_keeps_a_given_window_and_slides_its_even_layers():
    spec, warnings = model_from_config(gemma("gemma2", sliding_window=2048, num_hidden_layers=5))
    assert (spec.attention_window, spec.local_layers) == (2048, 3)  # layers 0, 2, 4
    assert warnings == []


def test_gemma_3s_global_layers_are_every_sixth_counted_from_one():
    """Eleven layers: only layer 5 (the sixth) is global."""
    spec, _ = model_from_config(gemma("gemma3_text", sliding_window=512, num_hidden_layers=11))
    assert spec.local_layers == 10


def test_gpt_oss_slides_the_even_layers_and_ties_nothing_by_default():
    gpt = {**config("gpt-oss-20b"), "num_hidden_layers": 5}
    del gpt["layer_types"], gpt["tie_word_embeddings"]
    spec, warnings = model_from_config(gpt)
    assert spec.local_layers == 3  # layers 0, 2, 4
    assert spec.tie_word_embeddings is False
    assert "tie_word_embeddings=false" in warnings[0]


def test_deepseek_takes_zero_shared_and_dense_layers_and_its_moe_step():
    spec, _ = model_from_config(
        {
            **config("deepseek-v3"),
            "n_shared_experts": 0,
            "first_k_dense_replace": 0,
            "moe_layer_freq": 2,
        }
    )
    assert (spec.shared_experts, spec.first_dense_layers, spec.moe_layer_step) == (0, 0, 2)


def test_layer_types_errors_name_the_field():
    base = "gpt-oss-20b"
    for change in ({"layer_types": ["sliding_attention"] * 3}, {"layer_types": ["x"] * 24}):
        assert error_for(change, base=base).field == "layer_types"
