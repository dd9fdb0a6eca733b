"""Import API prices from LiteLLM's price map (model_prices_and_context_window.json)."""

from __future__ import annotations

import datetime
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from calculator.resources import LITELLM_SOURCE, ApiPriceResource, LiteLLMPriceMap


def _as_of(value: str) -> datetime.date | None:
    if value.lower() == "unknown":
        return None
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--as-of: {value!r} is not YYYY-MM-DD or 'unknown'.") from None


class Command(BaseCommand):
    help = (
        "Import API prices from a copy of LiteLLM's model_prices_and_context_window.json "
        "(chat entries with both token prices); the same import as the admin's."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--as-of",
            default=datetime.date.today().isoformat(),
            help="The day the prices were read, YYYY-MM-DD, or 'unknown' (default: today).",
        )
        parser.add_argument("--source", default="", help="Where the copy came from.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Report what would change; save nothing."
        )

    def handle(self, *args, **options):
        path: Path = options["file"]
        try:
            text = path.read_text(encoding="utf-8")
            dataset = LiteLLMPriceMap().create_dataset(text)
        except (OSError, ValueError) as error:
            raise CommandError(f"{path}: {error}") from None
        source = options["source"] or f"{LITELLM_SOURCE} ({path.name})"
        resource = ApiPriceResource(as_of=_as_of(options["as_of"]), source=source)
        with transaction.atomic():
            result = resource.import_data(
                dataset, dry_run=options["dry_run"], raise_errors=False, use_transactions=True
            )
        if result.has_errors() or result.has_validation_errors():
            for line, errors in result.row_errors():
                for error in errors:
                    self.stderr.write(f"row {line}: {error.error}")
            for invalid in result.invalid_rows:
                self.stderr.write(f"row {invalid.number}: {invalid.error_dict}")
            raise CommandError("Nothing imported: fix the rows above.")
        totals = result.totals
        self.stdout.write(
            f"{len(dataset)} chat prices read: {totals['new']} new, {totals['update']} "
            f"updated, {totals['skip']} unchanged"
            + (" (dry run: nothing saved)." if options["dry_run"] else ".")
        )
