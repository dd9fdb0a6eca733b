# ruff: noqa: E501 (one upstream entry a line)
"""The price of cached input tokens on API offerings (prefix caching, issue 23).

LiteLLM's price map lists ``cache_read_input_token_cost`` for providers with a prompt
cache; ``manage.py import_api_prices`` now reads it. The values for the rows 0010 seeded
are written out here from the same file (data/api_prices_litellm.json, litellm 1.110.2),
so this migration never depends on code that changes later. Rows the map gives none
keep NULL: their cached input is billed at the input price.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import migrations, models

# fmt: off
# (slug, cached input USD per 1M tokens)
CACHED = [
    ('azure_ai/FW-DeepSeek-V3.2', Decimal("0.31")),
    ('claude-haiku-4-5', Decimal("0.1")),
    ('claude-sonnet-5', Decimal("0.2")),
    ('claude-sonnet-5-5', Decimal("0.1")),
    ('databricks/databricks-gemma-3-12b', Decimal("0.15001")),
    ('databricks/databricks-gpt-oss-120b', Decimal("0.15001")),
    ('databricks/databricks-gpt-oss-20b', Decimal("0.07")),
    ('databricks/databricks-llama-4-maverick', Decimal("0.50001")),
    ('databricks/databricks-meta-llama-3-1-8b-instruct', Decimal("0.15001")),
    ('databricks/databricks-meta-llama-3-3-70b-instruct', Decimal("0.50001")),
    ('databricks/databricks-qwen3-next-80b-a3b-instruct', Decimal("0.15001")),
    ('deepinfra/Qwen/Qwen3-Coder-480B-A35B-Instruct-Turbo', Decimal("0.1")),
    ('deepinfra/deepseek-ai/DeepSeek-R1-0528', Decimal("0.35")),
    ('deepinfra/deepseek-ai/DeepSeek-V3-0324', Decimal("0.135")),
    ('deepinfra/deepseek-ai/DeepSeek-V3.1', Decimal("0.13")),
    ('deepinfra/deepseek-ai/DeepSeek-V3.1-Terminus', Decimal("0.216")),
    ('deepseek/deepseek-r1', Decimal("0.14")),
    ('deepseek/deepseek-v3', Decimal("0.07")),
    ('deepseek/deepseek-v3.2', Decimal("0.028")),
    ('sail/openai/gpt-oss-120b', Decimal("0.03")),
    ('fireworks_ai/accounts/fireworks/models/gpt-oss-20b', Decimal("0.035")),
    ('fireworks_ai/gpt-oss-20b', Decimal("0.035")),
    ('friendliai/deepseek-ai/DeepSeek-V3.2', Decimal("0.25")),
    ('vertex_ai/gemini-3-pro-preview', Decimal("0.2")),
    ('gemini/gemini-3.1-flash-lite', Decimal("0.025")),
    ('gemini/gemini-3.5-flash-lite', Decimal("0.03")),
    ('gemini/gemini-3.7-flash', Decimal("0.075")),
    ('gemini/gemini-3.8-flash', Decimal("0.075")),
    ('gemini/gemini-3.1-pro-preview', Decimal("0.2")),
    ('baseten/openai/gpt-oss-120b', Decimal("0.1")),
    ('gpt-4.1', Decimal("0.5")),
    ('gpt-4.1-mini', Decimal("0.1")),
    ('gpt-4o', Decimal("1.25")),
    ('gpt-4o-mini', Decimal("0.075")),
    ('gpt-5.6', Decimal("0.4")),
    ('gpt-5.6-sol', Decimal("0.4")),
    ('gpt-5.6-terra', Decimal("0.2")),
    ('gpt-5.6-luna', Decimal("0.02")),
    ('gpt-5.5', Decimal("0.5")),
    ('gpt-5.4-mini', Decimal("0.075")),
    ('gpt-5.4-nano', Decimal("0.02")),
    ('groq/openai/gpt-oss-120b', Decimal("0.075")),
    ('groq/openai/gpt-oss-20b', Decimal("0.0375")),
    ('inferenceapis/deepseek-ai/DeepSeek-V3', Decimal("0.04")),
    ('inferenceapis/deepseek-v3', Decimal("0.04")),
    ('mistral/mistral-small', Decimal("0.01")),
    ('mistral/mistral-small-latest', Decimal("0.015")),
    ('mistral/open-mistral-nemo', Decimal("0.03")),
    ('nebius/google/gemma-3-27b-it', Decimal("0.04")),
    ('nebius/openai/gpt-oss-120b', Decimal("0.1")),
    ('nebius/Qwen/Qwen3-235B-A22B-Instruct-2507', Decimal("0.05")),
    ('nebius/Qwen/Qwen3-30B-A3B-Instruct-2507', Decimal("0.1")),
    ('wandb/deepseek-ai/DeepSeek-V3.1', Decimal("0.2")),
    ('novita/deepseek/deepseek-v3.2', Decimal("0.1345")),
    ('novita/deepseek/deepseek-v3.1-terminus', Decimal("0.135")),
    ('novita/deepseek/deepseek-v3.1', Decimal("0.135")),
    ('novita/deepseek/deepseek-v3-0324', Decimal("0.135")),
    ('novita/deepseek/deepseek-r1-0528', Decimal("0.35")),
    ('tensormesh/Qwen/Qwen3-Coder-480B-A35B-Instruct-FP8', Decimal("0")),
    ('tensormesh/openai/gpt-oss-120b', Decimal("0")),
    ('tensormesh/openai/gpt-oss-20b', Decimal("0")),
    ('streamlake/DeepSeek-V3', Decimal("0.114")),
    ('streamlake/deepseek-r1', Decimal("0.229")),
    ('streamlake/deepseek-v3.1', Decimal("0.229")),
    ('mistral/mistral-small-2603', Decimal("0.015")),
    ('deepinfra/deepseek-ai/DeepSeek-V3.2', Decimal("0.13")),
    ('zerogpu/gpt-oss-120b', Decimal("0.03")),
    ('zerogpu/llama-3.1-8b-instruct-fast', Decimal("0.025")),
    ('zerogpu/llama-3.2-3b-instruct-fast', Decimal("0.025")),
    ('zerogpu/qwen3-30b-a3b-fp8', Decimal("0.05")),
    ('azure_ai/FW-GPT-OSS-120B', Decimal("0.082")),
    ('aiand/openai/gpt-oss-120b', Decimal("0.08")),
    ('claude-haiku-5-5', Decimal("0.01")),
    ('gmi/Qwen/Qwen3-235B-A22B-Instruct-2507-FP8', Decimal("0.0175")),
    ('gmi/Qwen/Qwen3-Coder-480B-A35B-Instruct-FP8', Decimal("0.18")),
    ('gmi/deepseek-ai/DeepSeek-R1-0528', Decimal("0.23")),
]
# fmt: on


def forwards(apps, schema_editor):
    ApiOffering = apps.get_model("calculator", "ApiOffering")
    for slug, price in CACHED:
        ApiOffering.objects.filter(slug=slug).update(cached_input_usd_per_1m=price)


class Migration(migrations.Migration):
    dependencies = [("calculator", "0016_perf_catalog_version_indexes")]

    operations = [
        *(
            migrations.AddField(
                model_name=model_name,
                name="cached_input_usd_per_1m",
                field=models.DecimalField(
                    blank=True,
                    decimal_places=6,
                    help_text="Input tokens read from the provider's prompt cache (LiteLLM's "
                    "cache_read_input_token_cost). Empty: none listed, so the input price.",
                    max_digits=14,
                    null=True,
                    verbose_name="Cached input USD per 1M tokens",
                ),
            )
            for model_name in ("apioffering", "historicalapioffering")
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
