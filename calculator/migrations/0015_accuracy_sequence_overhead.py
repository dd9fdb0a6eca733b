"""A host-side cost per sequence per step on every engine profile (issue 22).

`sequence_overhead_s` is the CPU work each scheduled sequence costs a step (scheduling,
sampling, detokenizing, streaming), which bounds engines at high concurrency (vLLM's
v0.6.0 performance post, September 2024). Every profile starts at 0, which leaves every
figure as it was: the refit that sets it per engine and engine version
(docs/accuracy.md, "The third pass") needs a calibration run of its own.
"""

from __future__ import annotations

from django.db import migrations, models

HELP = (
    "Host-side cost of each sequence in a step (scheduling, sampling, detokenizing, "
    "streaming), seconds per sequence per step."
)


class Migration(migrations.Migration):
    dependencies = [
        ("calculator", "0014_traffic_plan_profile"),
    ]

    operations = [
        migrations.AddField(
            model_name="engineprofile",
            name="sequence_overhead_s",
            field=models.FloatField(default=0.0, help_text=HELP),
        ),
        migrations.AddField(
            model_name="historicalengineprofile",
            name="sequence_overhead_s",
            field=models.FloatField(default=0.0, help_text=HELP),
        ),
    ]
