"""Display filters: units on every number, about three significant digits."""

from __future__ import annotations

import pytest
from django.template import Context, Template

from calculator.templatetags import calc_format as fmt


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (2325.96, "2,326"),
        (20.895, "20.9"),
        (4.1789, "4.18"),
        (0.0241762, "0.0242"),
        (9.996, "10.0"),
        (0.0009996, "0.00100"),
        (1_000_000, "1,000,000"),
        (0, "0"),
        (-3.456, "-3.46"),
    ],
)
def test_significant_keeps_three_digits_and_every_whole_digit(value, expected):
    assert fmt.significant(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (68_976_648_192, "69.0 GB"),
        (77_309_411_328, "77.3 GB"),
        (335_544_320, "336 MB"),
        (163_840, "164 kB"),
        (512, "512 B"),
        (1.2e12, "1.20 TB"),
    ],
)
def test_bytes_are_decimal_units_as_vendors_quote_them(value, expected):
    assert fmt.format_bytes(value) == expected


@pytest.mark.parametrize(
    ("seconds", "expected"),
    [
        (0.000451, "451 µs"),
        (0.0478583, "47.9 ms"),
        (0.85, "850 ms"),
        (0.9996, "1.00 s"),
        (2.4139, "2.41 s"),
        (24.31, "24.3 s"),
        (125, "2 min 5 s"),
        (7300, "2 h 02 min"),
    ],
)
def test_durations_switch_between_microseconds_milliseconds_seconds_and_minutes(seconds, expected):
    assert fmt.format_duration(seconds) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [(48.396, "$48.40"), (0.02417, "$0.0242"), (1234.5, "$1,234"), (3.58, "$3.58"), (0, "$0")],
)
def test_dollars_get_cents_only_where_they_matter(value, expected):
    assert fmt.format_usd(value) == expected


@pytest.mark.parametrize(
    ("fraction", "expected"),
    [(0.4609, "46%"), (0.0052, "0.52%"), (19.36, "1,936%"), (0, "0%")],
)
def test_percentages(fraction, expected):
    assert fmt.format_percent(fraction) == expected


def test_throughput_has_thousands_separators_and_its_unit():
    assert fmt.format_tokens_per_second(12_345.6) == "12,346 tokens/s"
    assert fmt.format_tokens_per_second(20.895) == "20.9 tokens/s"


def test_ratios_and_large_counts():
    assert fmt.format_ratio(19.3409) == "19.3×"
    assert fmt.format_big_count(68_976_648_192) == "69.0 billion"


@pytest.mark.parametrize(
    ("value", "expected"), [(1234, "1.2k"), (48.4, "48"), (0.5, "0.5"), (2_500_000, "2.5M")]
)
def test_compact_axis_labels(value, expected):
    assert fmt.compact(value) == expected


@pytest.mark.parametrize(
    ("value", "unit", "expected"),
    [
        (0.43, "seconds", "430 ms"),
        (68_976_648_192, "bytes", "69.0 GB"),
        (0.0242, "USD", "$0.0242"),
        (0.46, "fraction", "46%"),
        (16, "sequences", "16 sequences"),
        (68_976_648_192, "parameters", "69.0 billion parameters"),
        (3.14159, "widgets", "3.14 widgets"),
    ],
)
def test_trace_values_are_formatted_by_their_unit(value, unit, expected):
    assert fmt.format_with_unit(value, unit) == expected


@pytest.mark.parametrize("value", [None, "", float("inf"), float("nan")])
def test_a_missing_figure_shows_a_dash(value):
    for formatter in (fmt.format_bytes, fmt.format_duration, fmt.format_usd, fmt.format_percent):
        assert formatter(value) == fmt.MISSING


def test_the_filters_load_in_templates():
    template = Template("{% load calc_format %}{{ s|duration }} {{ b|bytes }} {{ u|usd }}")
    assert template.render(Context({"s": 2.5, "b": 1e9, "u": 1.5})) == "2.50 s 1.00 GB $1.50"


@pytest.mark.parametrize(
    ("band", "kind", "expected"),
    [
        ({"low": 0.0152, "high": 0.0221}, "duration", "15.2–22.1 ms"),
        ({"low": 0.8, "high": 1.3}, "duration", "800 ms–1.30 s"),
        ({"low": 45.0, "high": 66.0}, "tokens_per_s", "45.0–66.0 tokens/s"),
        ({"low": 0.21, "high": 0.34}, "usd", "$0.210–$0.340"),
        ({"low": None, "high": None}, "usd", ""),
        (None, "duration", ""),
    ],
)
def test_a_band_reads_as_a_range_with_its_unit_once(band, kind, expected):
    assert fmt.format_likely(band, kind) == expected
