"""CSV exports that a spreadsheet opens as data, never as formulas.

Every CSV the app serves (a scenario, the list of scenarios, a plan) goes through
csv_response, so names, notes and catalog text typed by anyone reach a colleague's
spreadsheet as text.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable

from django.http import HttpResponse

# A cell that starts with one of these can run as a formula in a spreadsheet program.
# OWASP, "CSV Injection" (owasp.org/www-community/attacks/CSV_Injection, as of
# OWASP/www-community@0e5e8f0): =, +, -, @, tab, carriage return, line feed; OWASP ASVS
# 5.0 requirement 1.2.10 adds the null character. A leading apostrophe makes it text.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n", "\0")


def cell(value: object) -> str:
    """The text a CSV cell holds: None is empty, and a formula prefix is defused."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def csv_response(filename: str, rows: Iterable[Iterable[object]]) -> HttpResponse:
    """A UTF-8 CSV download of `rows`, every cell through `cell`."""
    response = HttpResponse(
        content_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
    writer = csv.writer(response)
    for row in rows:
        writer.writerow([cell(value) for value in row])
    return response
