"""manage.py import_data FILE: restore an export_data file into a migrated database.

All or nothing, in one transaction. Refuses a database that holds anything people
made (users, scenarios, edited prices) unless --replace, which deletes it all first.
A freshly migrated database (only the seeded catalog) counts as empty: the file's
catalog replaces the seed.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS

from calculator import backup


class Command(BaseCommand):
    help = "Restore a file written by export_data into this database (migrate it first)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", help="A file written by export_data")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Delete everything the database holds (users, scenarios, catalog, history) "
            "and restore the file's instead.",
        )
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args, file: str, replace: bool, database: str, **options) -> None:
        try:
            with open(file, encoding="utf-8") as stream:
                data = backup.read(stream)
            here = backup.applied_migrations(database)
            if data["migrations"] != here:
                self.stderr.write(
                    "Warning: the file was exported from a database at another migration "
                    f"({(data['migrations'] or ['none'])[-1]}; this one is at "
                    f"{(here or ['none'])[-1]}). Rows are restored as far as they fit; "
                    "anything that doesn't stops the import and changes nothing."
                )
            counts = backup.import_objects(data, replace=replace, using=database)
        except (OSError, backup.BackupError) as error:
            raise CommandError(str(error)) from None
        summary = ", ".join(f"{n} {label}" for label, n in counts.items())
        self.stdout.write(
            f"Imported {sum(counts.values())} rows: {summary}. "
            "Restart the app servers so every worker reads the restored catalog."
        )
