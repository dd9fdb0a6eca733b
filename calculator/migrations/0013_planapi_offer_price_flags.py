"""The cloud offers' price flags, and the flags of the seeded rows (0009), read from
their notes as data/gpu_offers.csv's price_flag column gives them: Mithril's auction
floor, Vast's and SimplePod's marketplace listings, RunPod's L40S rows whose spot price
is above on-demand. The rules are written out here so this migration never changes."""

from __future__ import annotations

from django.db import migrations, models

SEED_SOURCE = "skypilot-org/skypilot-catalog catalogs/v7/"
HELP = (
    "Empty for a list price. Flagged offers are used only when their provider is picked, "
    "never as the default cheapest."
)
# (a phrase in the seeded notes, the flag), first match wins.
FLAGS_BY_NOTE = (
    ("sells capacity by auction", "auction"),
    ("marketplace", "marketplace"),
    ("ANOMALY: catalog SpotPrice", "unverified"),
)


def flag_seeded(apps, schema_editor):
    CloudOffer = apps.get_model("calculator", "CloudOffer")
    for offer in CloudOffer.objects.filter(source__startswith=SEED_SOURCE, price_flag=""):
        for phrase, flag in FLAGS_BY_NOTE:
            if phrase in offer.notes:
                offer.price_flag = flag
                offer.save(update_fields=["price_flag"])
                break


class Migration(migrations.Migration):
    dependencies = [
        ("calculator", "0012_refit_vllm_sglang"),
    ]

    operations = [
        migrations.AddField(
            model_name="cloudoffer",
            name="price_flag",
            field=models.CharField(
                blank=True,
                choices=[
                    ("", "list price"),
                    ("floor", "floor / reserve price"),
                    ("auction", "auction price"),
                    ("marketplace", "marketplace listing"),
                    ("unverified", "unverified"),
                ],
                default="",
                help_text=HELP,
                max_length=20,
                verbose_name="price flag",
            ),
        ),
        migrations.AddField(
            model_name="historicalcloudoffer",
            name="price_flag",
            field=models.CharField(
                blank=True,
                choices=[
                    ("", "list price"),
                    ("floor", "floor / reserve price"),
                    ("auction", "auction price"),
                    ("marketplace", "marketplace listing"),
                    ("unverified", "unverified"),
                ],
                default="",
                help_text=HELP,
                max_length=20,
                verbose_name="price flag",
            ),
        ),
        migrations.RunPython(flag_seeded, migrations.RunPython.noop),
    ]
