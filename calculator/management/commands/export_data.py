"""manage.py export_data FILE: the catalog, its history, saved scenarios, API tokens
(hashed) and users, as one JSON file (calculator/backup.py says what and why)."""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand
from django.db import DEFAULT_DB_ALIAS

from calculator import backup


class Command(BaseCommand):
    help = "Write the whole database's calculator data to one JSON file (- for stdout)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", help="Where to write (- for stdout)")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args, file: str, database: str, **options) -> None:
        if file == "-":
            counts = backup.write(sys.stdout, database)
        else:
            with open(file, "w", encoding="utf-8") as stream:
                counts = backup.write(stream, database)
        summary = ", ".join(f"{n} {label}" for label, n in counts.items() if n)
        self.stderr.write(f"Exported {sum(counts.values())} rows: {summary}.")
