"""Refit vLLM and SGLang after the calibration stopped reading gpt-oss "as released" as
4-bit throughout.

The 89 gpt-oss rows of data/measured-calibration.csv ("mxfp4 (as released)") were
mapped to fp4 weights: the attention and dense layers counted at 4 bits, and the maths
at the GPU's fp8 or fp4 rate (twice A100's rate on H100, four times on B200). The
checkpoint is bf16 outside its MXFP4 experts, and vLLM computes it so on the GPUs
measured (calibration.RELEASED_NATIVE_FORMATS). `python manage.py calibrate --fit` with
the corrected mapping gave the values below; TensorRT-LLM and llama.cpp came out as
0011 left them.

Written out as literals, as in 0011: a migration must not import code that changes
later (it imports only 0011's writer, which does not). Reversing restores 0011's values.
"""

from __future__ import annotations

from importlib import import_module

from django.db import migrations

# 0011's way of writing fitted constants (migrations don't change once applied).
_apply = import_module("calculator.migrations.0011_refit_engines")._apply

# The prefix is the one backup.py looks for: a freshly migrated database counts as empty.
REASON = "Seeded by migration calculator 0012_refit_vllm_sglang (gpt-oss mapped as released)"
NOTE = (
    " Refitted with `manage.py calibrate --fit` after gpt-oss rows were mapped as "
    "released, bf16 outside the MXFP4 experts (0012_refit_vllm_sglang)."
)
# vLLM and SGLang still share their constants (fitted as one group, fitting.py).
REFITTED = {
    "vllm": (0.823, 0.744, 0.291, 0.0014, 0.0259),
    "sglang": (0.823, 0.744, 0.291, 0.0014, 0.0259),
}
PREVIOUS = {
    "vllm": (0.84, 0.679, 0.303, 0.00161, 0.0325),
    "sglang": (0.84, 0.679, 0.303, 0.00161, 0.0325),
}


def refit(apps, schema_editor):
    _apply(apps, REFITTED, refit=True, note=NOTE, reason=REASON)


def restore(apps, schema_editor):
    _apply(apps, PREVIOUS, refit=False, note=NOTE, reason=REASON)
    apps.get_model("calculator", "HistoricalEngineProfile").objects.filter(
        history_change_reason=REASON
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("calculator", "0011_refit_engines"),
    ]

    operations = [
        migrations.RunPython(refit, restore),
    ]
