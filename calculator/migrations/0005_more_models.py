"""Add the architectures teams deploy now, and model the attention of three seeded ones.

New rows: DeepSeek-V3 and R1 (multi-head latent attention, a shared expert, three dense
first layers), Qwen3 8B/32B and Qwen3-30B-A3B/235B-A22B, gpt-oss-20b/120b (alternating
sliding/global layers, sinks, MXFP4 experts), Gemma 3 27B (5 sliding layers to 1 global)
and Mistral Small 3 (24B). Mistral 7B's sliding window and Llama 4's chunked attention,
counted as full attention until now, get their windows.

Every row is written out here, as in 0002_seed_catalog: a migration must not import code
that changes later. Each parameter count below is the estimator's count from these
dimensions (calculator/estimator/params.py) next to the publisher's.
"""

from __future__ import annotations

from django.db import migrations
from django.utils import timezone

NOT_READ_HERE = (
    "(the Hugging Face Hub could not be read from the build machine; values as published "
    "in the repository's config.json, and identical to tests/data/hf_configs/)"
)

DEEPSEEK_V3_ARCH = {
    "hidden_size": 7168,
    "num_layers": 61,
    "num_attention_heads": 128,
    "num_kv_heads": 128,
    "head_dim": 192,
    "intermediate_size": 18432,
    "vocab_size": 129280,
    "max_context": 163840,
    "num_experts": 256,
    "experts_per_token": 8,
    "moe_intermediate_size": 2048,
    "shared_experts": 1,
    "first_dense_layers": 3,
    "kv_lora_rank": 512,
    "q_lora_rank": 1536,
    "qk_rope_head_dim": 64,
    "qk_nope_head_dim": 128,
    "v_head_dim": 128,
}
DEEPSEEK_NOTES = (
    "Multi-head latent attention: the cache holds kv_lora_rank 512 + qk_rope_head_dim 64 = "
    "576 values per token and layer, shared by all 128 heads (and held whole on every "
    "tensor-parallel GPU). 256 routed experts (8 per token) plus 1 shared expert, each 2048 "
    "wide, on layers 4-61; the first 3 layers (first_k_dense_replace) are dense, 18432 wide. "
    "The multi-token-prediction module (num_nextn_predict_layers 1, 14B) is not counted. The "
    "released checkpoint is FP8 (block-scaled e4m3). Our count: 671.03B total, 37.55B active."
)
QWEN3_DENSE = {
    "num_kv_heads": 8,
    "head_dim": 128,
    "vocab_size": 151936,
    "max_context": 40960,
    "qk_norm": True,
}
QWEN3_MOE = {
    "num_kv_heads": 4,
    "head_dim": 128,
    "vocab_size": 151936,
    "max_context": 40960,
    "qk_norm": True,
    "num_experts": 128,
    "experts_per_token": 8,
}
QWEN3_NOTES = (
    "QK-norm (q_norm and k_norm, head_dim weights each), no attention bias, untied "
    "embeddings. max_context 40960 is the config's max_position_embeddings; Qwen documents "
    "131072 with YaRN. use_sliding_window is false."
)
GPT_OSS = {
    "hidden_size": 2880,
    "num_attention_heads": 64,
    "num_kv_heads": 8,
    "head_dim": 64,
    "intermediate_size": 2880,
    "vocab_size": 201088,
    "max_context": 131072,
    "qkv_bias": True,
    "output_bias": True,
    "attention_sinks": True,
    "experts_per_token": 4,
    "moe_intermediate_size": 2880,
    "expert_bias": True,
    "expert_format": "mxfp4",
    "attention_window": 128,
    "chunked_attention": False,
}
GPT_OSS_NOTES = (
    "Layers alternate a 128-token sliding window and full attention (layer_types), with a "
    "learned sink logit per head (64 parameters per layer; sinks hold no cache). Biases on "
    "q/k/v/o, on every expert's projections and on the router. The routed experts ship in "
    "MXFP4 (4-bit values, one 8-bit scale per 32: 4.25 bits) and are counted so whatever "
    "the weights precision chosen; the rest (attention, router, embeddings) is BF16."
)
GPT_OSS_SOURCE = (
    "gpt-oss-120b & gpt-oss-20b Model Card (OpenAI, arXiv 2508.10925), Table 1: 116.83B / "
    "20.91B total, 5.13B / 3.61B active (active excludes the embedding), checkpoints "
    "60.8 GiB / 12.8 GiB."
)

MODELS = [
    {
        "slug": "deepseek-v3",
        "name": "DeepSeek-V3",
        "family": "DeepSeek-V3",
        "hf_repo": "deepseek-ai/DeepSeek-V3",
        **DEEPSEEK_V3_ARCH,
        "official_params": 671_000_000_000,
        "official_params_source": (
            "671B total, 37B activated per token: DeepSeek-V3 Technical Report (arXiv "
            "2412.19437), abstract, and the deepseek-ai/DeepSeek-V3 README. The Hugging Face "
            "total of 685B adds the 14B multi-token-prediction module."
        ),
        "config_source": (
            "deepseek-ai/DeepSeek-V3 config.json " + NOT_READ_HERE + "; field names and "
            "meaning per huggingface/transformers src/transformers/models/deepseek_v3/"
            "configuration_deepseek_v3.py (data/models.csv row deepseek-v3)."
        ),
        "notes": DEEPSEEK_NOTES,
    },
    {
        "slug": "deepseek-r1",
        "name": "DeepSeek-R1",
        "family": "DeepSeek-V3",
        "hf_repo": "deepseek-ai/DeepSeek-R1",
        **DEEPSEEK_V3_ARCH,
        "official_params": 671_000_000_000,
        "official_params_source": (
            "671B total, 37B activated: the deepseek-ai/DeepSeek-R1 README's model table "
            "(DeepSeek-R1 is trained from DeepSeek-V3-Base, same architecture)."
        ),
        "config_source": "deepseek-ai/DeepSeek-R1 config.json " + NOT_READ_HERE,
        "notes": "Same architecture as DeepSeek-V3. " + DEEPSEEK_NOTES,
    },
    {
        "slug": "qwen3-8b",
        "name": "Qwen3 8B",
        "family": "Qwen3",
        "hf_repo": "Qwen/Qwen3-8B",
        "hidden_size": 4096,
        "num_layers": 36,
        "num_attention_heads": 32,
        "intermediate_size": 12288,
        **QWEN3_DENSE,
        "official_params": 8_200_000_000,
        "official_params_source": (
            "8.2B (6.95B non-embedding): the Qwen/Qwen3-8B model card. Our count: 8.191B."
        ),
        "config_source": "Qwen/Qwen3-8B config.json " + NOT_READ_HERE,
        "notes": QWEN3_NOTES,
    },
    {
        "slug": "qwen3-32b",
        "name": "Qwen3 32B",
        "family": "Qwen3",
        "hf_repo": "Qwen/Qwen3-32B",
        "hidden_size": 5120,
        "num_layers": 64,
        "num_attention_heads": 64,
        "intermediate_size": 25600,
        **QWEN3_DENSE,
        "official_params": 32_800_000_000,
        "official_params_source": (
            "32.8B (31.2B non-embedding): the Qwen/Qwen3-32B model card. Our count: 32.762B."
        ),
        "config_source": "Qwen/Qwen3-32B config.json " + NOT_READ_HERE,
        "notes": QWEN3_NOTES,
    },
    {
        "slug": "qwen3-30b-a3b",
        "name": "Qwen3-30B-A3B",
        "family": "Qwen3",
        "hf_repo": "Qwen/Qwen3-30B-A3B",
        "hidden_size": 2048,
        "num_layers": 48,
        "num_attention_heads": 32,
        "intermediate_size": 6144,
        "moe_intermediate_size": 768,
        **QWEN3_MOE,
        "official_params": 30_500_000_000,
        "official_params_source": (
            "30.5B total, 3.3B activated: the Qwen/Qwen3-30B-A3B model card. Our count: "
            "30.532B total, 3.353B active."
        ),
        "config_source": "Qwen/Qwen3-30B-A3B config.json " + NOT_READ_HERE,
        "notes": (
            "Every layer is MoE (decoder_sparse_step 1, no mlp_only_layers): 128 experts, 8 "
            "per token, 768 wide, no shared expert; intermediate_size 6144 is unused. "
            + QWEN3_NOTES
        ),
    },
    {
        "slug": "qwen3-235b-a22b",
        "name": "Qwen3-235B-A22B",
        "family": "Qwen3",
        "hf_repo": "Qwen/Qwen3-235B-A22B",
        "hidden_size": 4096,
        "num_layers": 94,
        "num_attention_heads": 64,
        "intermediate_size": 12288,
        "moe_intermediate_size": 1536,
        **QWEN3_MOE,
        "official_params": 235_000_000_000,
        "official_params_source": (
            "235B total, 22B activated: the Qwen/Qwen3-235B-A22B model card. Our count: "
            "235.09B total, 22.19B active."
        ),
        "config_source": "Qwen/Qwen3-235B-A22B config.json " + NOT_READ_HERE,
        "notes": (
            "Every layer is MoE: 128 experts, 8 per token, 1536 wide, no shared expert. "
            + QWEN3_NOTES
        ),
    },
    {
        "slug": "gpt-oss-20b",
        "name": "gpt-oss-20b",
        "family": "gpt-oss",
        "hf_repo": "openai/gpt-oss-20b",
        "num_layers": 24,
        "num_experts": 32,
        "local_layers": 12,
        **GPT_OSS,
        "official_params": 20_910_000_000,
        "official_params_source": GPT_OSS_SOURCE + " Our count: 20.915B.",
        "config_source": (
            "openai/gpt-oss-20b config.json " + NOT_READ_HERE + "; huggingface/transformers "
            "src/transformers/models/gpt_oss/configuration_gpt_oss.py (GptOssConfig) for the "
            "fields shared with gpt-oss-120b."
        ),
        "notes": "32 routed experts, 4 per token. " + GPT_OSS_NOTES,
    },
    {
        "slug": "gpt-oss-120b",
        "name": "gpt-oss-120b",
        "family": "gpt-oss",
        "hf_repo": "openai/gpt-oss-120b",
        "num_layers": 36,
        "num_experts": 128,
        "local_layers": 18,
        **GPT_OSS,
        "official_params": 116_830_000_000,
        "official_params_source": GPT_OSS_SOURCE + " Our count: 116.829B.",
        "config_source": (
            "huggingface/transformers src/transformers/models/gpt_oss/configuration_gpt_oss.py "
            "(GptOssConfig class defaults: 36 layers, 128 experts, 4 per token, hidden 2880, "
            "64 heads of 64, 8 KV heads, sliding_window 128, vocab 201088, alternating "
            "layer_types); openai/gpt-oss-120b config.json " + NOT_READ_HERE
        ),
        "notes": "128 routed experts, 4 per token. " + GPT_OSS_NOTES,
    },
    {
        "slug": "gemma-3-27b",
        "name": "Gemma 3 27B",
        "family": "Gemma 3",
        "hf_repo": "google/gemma-3-27b-it",
        "hidden_size": 5376,
        "num_layers": 62,
        "num_attention_heads": 32,
        "num_kv_heads": 16,
        "head_dim": 128,
        "intermediate_size": 21504,
        "vocab_size": 262208,
        "max_context": 131072,
        "tie_word_embeddings": True,
        "qk_norm": True,
        "extra_norms_per_layer": 2,
        "attention_window": 1024,
        "local_layers": 52,
        "extra_params": 423_060_336,
        "official_params": 27_432_000_000,
        "official_params_source": (
            "27.43B = 417M vision encoder + 1,416M embedding + 25,600M non-embedding: Gemma 3 "
            "Technical Report (arXiv 2503.19786), Table 1. Our count: 27.009B text + 0.423B "
            "vision and projector = 27.432B."
        ),
        "config_source": (
            "google/gemma-3-27b-it config.json text_config and vision_config "
            + NOT_READ_HERE
            + "; vocab_size, max_position_embeddings and sliding_window_pattern 6 are "
            "Gemma3TextConfig's defaults (huggingface/transformers src/transformers/models/"
            "gemma3/configuration_gemma3.py), which the released config.json leaves out."
        ),
        "notes": (
            "Text model of the multimodal checkpoint. 5 local layers (1024-token sliding "
            "window) to 1 global: 52 local, 10 global of 62 (sliding_window_pattern 6). QK-norm "
            "and pre- and post-norms around attention and MLP (4 per layer); tied embeddings. "
            "extra_params 423,060,336 is DERIVED: the SigLIP vision tower from vision_config "
            "(hidden 1152, intermediate 4304, 27 layers, image 896, patch 14: 416,866,032) plus "
            "the multi-modal projector (1152 x 5376 and a 1152 norm: 6,194,304)."
        ),
    },
    {
        "slug": "mistral-small-3-24b",
        "name": "Mistral Small 3 (24B)",
        "family": "Mistral",
        "hf_repo": "mistralai/Mistral-Small-24B-Base-2501",
        "hidden_size": 5120,
        "num_layers": 40,
        "num_attention_heads": 32,
        "num_kv_heads": 8,
        "head_dim": 128,
        "intermediate_size": 32768,
        "vocab_size": 131072,
        "max_context": 32768,
        "official_params": 23_600_000_000,
        "official_params_source": (
            "23.6B: the Hugging Face safetensors total for "
            "mistralai/Mistral-Small-24B-Base-2501 (not re-read in this session). Mistral "
            "calls it 24B. Our count: 23.572B."
        ),
        "config_source": "mistralai/Mistral-Small-24B-Base-2501 config.json " + NOT_READ_HERE,
        "notes": (
            "Explicit head_dim 128 (hidden 5120 / 32 heads would be 160); no sliding window "
            "(sliding_window null); rope_theta 1e8; untied embeddings."
        ),
    },
]

# Seeded rows whose attention was counted as full until now.
WINDOWS = {
    "mistral-7b": {"attention_window": 4096, "local_layers": 32, "chunked_attention": False},
    "llama-4-scout-17b-16e": {
        "attention_window": 8192,
        "local_layers": 36,
        "chunked_attention": True,
    },
    "llama-4-maverick-17b-128e": {
        "attention_window": 8192,
        "local_layers": 36,
        "chunked_attention": True,
    },
}
LLAMA4_CHUNKS = (
    " Chunked attention: 36 of 48 layers (those with RoPE, no_rope_layers) attend within "
    "8192-token chunks (attention_chunk_size, Llama4TextConfig); every 4th layer is a "
    "global NoPE layer. Modelled since migration 0005."
)
WINDOW_NOTES = {
    "mistral-7b": (
        " Sliding window 4096 on every layer (mistralai/Mistral-7B-v0.1 config.json "
        "sliding_window): the cache of a sequence stops growing at 4096 tokens."
    ),
    "llama-4-scout-17b-16e": LLAMA4_CHUNKS,
    "llama-4-maverick-17b-128e": LLAMA4_CHUNKS,
}
REASON = "Seeded by migration calculator 0005_more_models"


def add_models(apps, schema_editor):
    LlmModel = apps.get_model("calculator", "LlmModel")
    HistoricalLlmModel = apps.get_model("calculator", "HistoricalLlmModel")
    LlmModel.objects.bulk_create(LlmModel(**row) for row in MODELS)
    now = timezone.now()
    for slug, fields in WINDOWS.items():
        for row in LlmModel.objects.filter(slug=slug):
            for name, value in fields.items():
                setattr(row, name, value)
            row.notes += WINDOW_NOTES[slug]
            row.save()
    # Record the new and changed rows in the history, as 0002 does.
    names = [field.attname for field in LlmModel._meta.concrete_fields]
    slugs = [row["slug"] for row in MODELS] + list(WINDOWS)
    HistoricalLlmModel.objects.bulk_create(
        HistoricalLlmModel(
            **{name: getattr(row, name) for name in names},
            history_date=now,
            history_type="+" if row.slug not in WINDOWS else "~",
            history_change_reason=REASON,
        )
        for row in LlmModel.objects.filter(slug__in=slugs)
    )


def remove_models(apps, schema_editor):
    LlmModel = apps.get_model("calculator", "LlmModel")
    HistoricalLlmModel = apps.get_model("calculator", "HistoricalLlmModel")
    slugs = [row["slug"] for row in MODELS]
    LlmModel.objects.filter(slug__in=slugs).delete()
    HistoricalLlmModel.objects.filter(slug__in=slugs).delete()
    HistoricalLlmModel.objects.filter(history_change_reason=REASON).delete()
    for slug in WINDOWS:
        for row in LlmModel.objects.filter(slug=slug):
            LlmModel.objects.filter(pk=row.pk).update(
                attention_window=0,
                local_layers=0,
                chunked_attention=False,
                notes=row.notes.replace(WINDOW_NOTES[slug], ""),
            )


class Migration(migrations.Migration):
    dependencies = [
        ("calculator", "0004_model_architecture"),
    ]

    operations = [
        migrations.RunPython(add_models, remove_models),
    ]
