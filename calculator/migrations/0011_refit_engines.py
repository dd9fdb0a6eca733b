"""Refit the engine profiles for estimator 1.2.0 (issue 11).

The estimator now times MoE routing and grouped GEMMs, FlashAttention's lower rate,
int4 unpacking, ROCm's per-layer launches and GeForce all-reduces through the host
(calculator/estimator/constants.py), and data/measured-calibration.csv grew from 134
rows to 433 (eight more sources, data/README.md). `python manage.py calibrate --fit`
on that file gave the values below; hf-transformers has no rows and keeps its own.

Written out as literals, as in 0002_seed_catalog: a migration must not import code
that changes later. Reversing restores 0002's values.
"""

from __future__ import annotations

from django.db import migrations
from django.utils import timezone

# The prefix is the one backup.py looks for: a freshly migrated database counts as empty.
REASON = "Seeded by migration calculator 0011_refit_engines (estimator 1.2.0, 433 rows)"
NOTE = (
    " Refitted for estimator 1.2.0 with `manage.py calibrate --fit` on the 433 rows of "
    "data/measured-calibration.csv (0011_refit_engines)."
)
FIELDS = (
    "bandwidth_utilization",
    "prefill_compute_utilization",
    "decode_compute_utilization",
    "step_overhead_s",
    "request_overhead_s",
)
# vLLM and SGLang still share their constants (fitted as one group, fitting.py).
REFITTED = {
    "vllm": (0.84, 0.679, 0.303, 0.00161, 0.0325),
    "sglang": (0.84, 0.679, 0.303, 0.00161, 0.0325),
    "tensorrt-llm": (0.819, 0.692, 0.563, 0.00147, 0.01),
    "llama.cpp": (1.0, 0.382, 0.3, 0.00263, 0.0),
}
SEEDED = {
    "vllm": (0.765, 0.587, 0.55, 0.00048, 0.0125),
    "sglang": (0.765, 0.587, 0.55, 0.00048, 0.0125),
    "tensorrt-llm": (0.77, 0.698, 0.555, 0.0011, 0.0053),
    "llama.cpp": (1.0, 0.378, 0.3, 0.0037, 0.0),
}


def _apply(
    apps,
    values: dict[str, tuple[float, ...]],
    refit: bool,
    note: str = NOTE,
    reason: str = REASON,
) -> None:
    """Set the engines' five fitted constants; on a refit append `note` to their source
    notes and record a history entry with `reason` (0012 reuses this for its refit)."""
    EngineProfile = apps.get_model("calculator", "EngineProfile")
    HistoricalEngineProfile = apps.get_model("calculator", "HistoricalEngineProfile")
    fields = [field.attname for field in EngineProfile._meta.concrete_fields]
    now = timezone.now()
    for engine in EngineProfile.objects.filter(slug__in=values):
        for name, value in zip(FIELDS, values[engine.slug], strict=True):
            setattr(engine, name, value)
        if refit and note not in engine.source_notes:
            engine.source_notes += note
        elif not refit:
            engine.source_notes = engine.source_notes.replace(note, "")
        engine.save()
        if refit:
            HistoricalEngineProfile.objects.create(
                **{name: getattr(engine, name) for name in fields},
                history_date=now,
                history_type="~",
                history_change_reason=reason,
            )


def refit(apps, schema_editor):
    _apply(apps, REFITTED, refit=True)


def restore(apps, schema_editor):
    _apply(apps, SEEDED, refit=False)
    apps.get_model("calculator", "HistoricalEngineProfile").objects.filter(
        history_change_reason=REASON
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("calculator", "0010_seed_api_prices"),
    ]

    operations = [
        migrations.RunPython(refit, restore),
    ]
