"""Pasting a family's config.json gives the catalog entry's parameter count and KV cache
per token: the parser and the catalog describe the same model."""

from __future__ import annotations

import pytest

from calculator.estimator import Dtype, count_parameters, kv_bytes_per_token
from calculator.estimator.hf_config import model_from_config
from calculator.models import LlmModel
from tests.test_hf_config import config

pytestmark = pytest.mark.django_db

# config file -> catalog slug, one or more per family.
PAIRS = {
    "llama-3.1-8b": "llama-3.1-8b",
    "mistral-7b": "mistral-7b",
    "mixtral-8x7b": "mixtral-8x7b",
    "mistral-small-3-24b": "mistral-small-3-24b",
    "qwen2.5-7b": "qwen2.5-7b",
    "qwen3-8b": "qwen3-8b",
    "qwen3-32b": "qwen3-32b",
    "qwen3-30b-a3b": "qwen3-30b-a3b",
    "qwen3-235b-a22b": "qwen3-235b-a22b",
    "gemma-3-27b": "gemma-3-27b",
    "deepseek-v3": "deepseek-v3",
    "gpt-oss-20b": "gpt-oss-20b",
    "gpt-oss-120b": "gpt-oss-120b",
}


@pytest.mark.parametrize(("name", "slug"), PAIRS.items())
def test_a_pasted_config_matches_its_catalog_entry(name, slug):
    pasted, _ = model_from_config(config(name))
    catalog = LlmModel.objects.get(slug=slug).to_spec()
    assert count_parameters(pasted) == count_parameters(catalog)
    for tp in (1, 8):
        assert kv_bytes_per_token(pasted, Dtype.BF16, tp, pasted.num_layers) == (
            kv_bytes_per_token(catalog, Dtype.BF16, tp, catalog.num_layers)
        )
    window = ("attention_window", "local_layers", "chunked_attention", "expert_format")
    assert [getattr(pasted, f) for f in window] == [getattr(catalog, f) for f in window]
