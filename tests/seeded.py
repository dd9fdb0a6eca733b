"""Loops over seeded catalog rows that cannot pass by being empty."""

from __future__ import annotations


def seeded(queryset, at_least: int = 1) -> list:
    """The rows, failing when there are fewer than `at_least`: a test that checks every
    row of an empty table checks nothing."""
    rows = list(queryset)
    name = queryset.model.__name__
    assert len(rows) >= at_least, f"{name}: {len(rows)} rows, expected at least {at_least}"
    return rows
