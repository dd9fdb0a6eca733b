from __future__ import annotations

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("calculator", "0013_planapi_offer_price_flags"),
    ]

    operations = [
        migrations.AddField(
            model_name="plan",
            name="traffic",
            field=models.JSONField(
                blank=True,
                default=dict,
                help_text=(
                    "The traffic profile planned for: hourly rates (weekday, weekend), "
                    "where they came from, a request log's summary. Empty for one rate."
                ),
            ),
        ),
    ]
