"""Display filters for the calculator: units on every number, sensible precision.

Formatting only: each filter takes a figure the estimator computed and writes it for
people (thousands separators, about three significant digits, ms or s). Memory is in
decimal units (1 GB = 10^9 bytes), as GPU vendors quote it.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable

from django import template

register = template.Library()

MISSING = "—"  # shown for a figure that does not exist (no price, no fit)
SIGNIFICANT_DIGITS = 3

BYTE_UNITS = [(1e12, "TB"), (1e9, "GB"), (1e6, "MB"), (1e3, "kB")]
COUNT_UNITS = [(1e12, "trillion"), (1e9, "billion"), (1e6, "million")]
COMPACT_UNITS = [(1e9, "G"), (1e6, "M"), (1e3, "k")]


def _is_missing(value) -> bool:
    return value is None or value == "" or (isinstance(value, float) and not math.isfinite(value))


def number_filter(name: str) -> Callable[[Callable[..., str]], Callable[..., str]]:
    """Register a filter that writes a number (with an optional argument); a missing
    value (None, "", NaN, infinite) shows as MISSING, decided here for every filter."""

    def register_filter(write: Callable[..., str]) -> Callable[..., str]:
        @functools.wraps(write)
        def shown(value, *args) -> str:
            return MISSING if _is_missing(value) else write(value, *args)

        return register.filter(name=name)(shown)

    return register_filter


def significant(value: float, digits: int = SIGNIFICANT_DIGITS) -> str:
    """About `digits` significant digits, never dropping whole-number digits.

    >>> significant(2325.96), significant(20.895), significant(0.0241762)
    ('2,326', '20.9', '0.0242')
    """
    value = float(value)
    if value == 0:
        return "0"
    if abs(value) >= 10 ** (digits - 1):
        return f"{value:,.0f}"
    # Round first, so a carry (9.996 -> 10.0) is counted in the new magnitude.
    rounded = float(f"{value:.{digits - 1}e}")
    magnitude = math.floor(math.log10(abs(rounded)))
    decimals = max(digits - 1 - magnitude, 0)
    return f"{rounded:,.{decimals}f}"


@number_filter("sig")
def format_significant(value) -> str:
    return significant(value)


@number_filter("count")
def format_count(value) -> str:
    """A whole number with thousands separators: 1,000."""
    return f"{round(float(value)):,}"


def _scaled(value: float, units, unscaled_suffix: str) -> str:
    """The value in the largest unit it reaches (units: (size, name), largest first),
    or as a whole number with `unscaled_suffix` below the smallest."""
    for size, unit in units:
        if abs(value) >= size:
            return f"{significant(value / size)} {unit}"
    return f"{round(value):,}{unscaled_suffix}"


@number_filter("bytes")
def format_bytes(value) -> str:
    """Bytes in decimal units: 68976648192 -> "69.0 GB", 163840 -> "164 kB"."""
    return _scaled(float(value), BYTE_UNITS, " B")


@number_filter("duration")
def format_duration(seconds) -> str:
    """Seconds for people: "451 µs", "47.9 ms", "2.41 s", "3 min 12 s", "2 h 05 min"."""
    seconds = float(seconds)
    if seconds == 0:
        return "0 s"
    if seconds < 1e-3:
        return f"{significant(seconds * 1e6)} µs"
    if seconds < 1:
        text = significant(seconds * 1e3)
        return "1.00 s" if text == "1,000" else f"{text} ms"
    if seconds < 60:
        text = significant(seconds)
        return "1 min 0 s" if text == "60.0" else f"{text} s"
    if seconds < 3600:
        minutes, rest = divmod(round(seconds), 60)
        return f"{minutes} min {rest} s" if minutes < 60 else "1 h 00 min"
    hours, minutes = divmod(round(seconds / 60), 60)
    return f"{hours:,} h {minutes:02d} min"


@number_filter("usd")
def format_usd(value) -> str:
    """US dollars: "$1,234", "$48.40", "$0.0242"."""
    value = float(value)
    sign = "-" if value < 0 else ""
    value = abs(value)
    if value == 0:
        text = "0"
    elif value >= 100:
        text = f"{value:,.0f}"
    elif value >= 1:
        text = f"{value:,.2f}"
    else:
        text = significant(value)
    return f"{sign}${text}"


@number_filter("percent")
def format_percent(fraction) -> str:
    """A fraction as a percentage: 0.4609 -> "46%", 0.0052 -> "0.52%", 19.36 -> "1,936%"."""
    value = float(fraction) * 100
    if value == 0:
        return "0%"
    if abs(value) >= 10:
        return f"{value:,.0f}%"
    return f"{significant(value, 2)}%"


@number_filter("tokens_per_s")
def format_tokens_per_second(value) -> str:
    """Throughput: "20.9 tokens/s", "2,326 tokens/s"."""
    return f"{significant(value)} tokens/s"


@register.filter(name="likely")
def format_likely(band, kind: str) -> str:
    """An error band's bounds, in the figure's own format (a filter's name or a figure
    kind), the unit once: {"low": 0.0152, "high": 0.0221} with "duration" or "seconds"
    -> "15.2–22.1 ms"; "" without a band."""
    if not band or band.get("low") is None or band.get("high") is None:
        return ""
    fmt = {
        "duration": format_duration,
        "tokens_per_s": format_tokens_per_second,
        **FIGURE_FORMATS,
    }[kind]
    low, high = fmt(band["low"]), fmt(band["high"])
    low_number, _, low_unit = low.rpartition(" ")
    if low_number and high.endswith(" " + low_unit):
        low = low_number
    return f"{low}–{high}"


@number_filter("ratio")
def format_ratio(value) -> str:
    """A multiple: 19.34 -> "19.3×", 0.46 -> "0.46×"."""
    return f"{significant(value)}×"


@number_filter("big_count")
def format_big_count(value) -> str:
    """A large count in words: 68976648192 -> "69.0 billion"."""
    return _scaled(float(value), COUNT_UNITS, "")


def compact(value: float) -> str:
    """Short axis labels: 1234 -> "1.2k", 48.4 -> "48.4", 0 -> "0"."""
    value = float(value)
    for size, unit in COMPACT_UNITS:
        if abs(value) >= size:
            return f"{_trim(significant(value / size, 2))}{unit}"
    return _trim(significant(value, 2))


def _trim(text: str) -> str:
    return text.rstrip("0").rstrip(".") if "." in text else text


# "Show the math" lines carry their unit as a word; pick the matching filter.
UNIT_FORMATS = {
    "bytes": format_bytes,
    "seconds": format_duration,
    "USD": format_usd,
    "fraction": format_percent,
    "parameters": lambda value: f"{format_big_count(value)} parameters",
    "sequences": lambda value: f"{format_count(value)} sequences",
}


@number_filter("with_unit")
def format_with_unit(value, unit: str) -> str:
    """A trace value with its unit word: (0.43, "seconds") -> "430 ms"."""
    formatter = UNIT_FORMATS.get(unit)
    if formatter:
        return formatter(value)
    return f"{significant(value)} {unit}".strip()


# A figure's kind (calculator/figures.py, Figure.kind) -> its filter.
FIGURE_FORMATS = {
    "seconds": format_duration,
    "rate": format_tokens_per_second,
    "usd": format_usd,
    "bytes": format_bytes,
    "int": format_count,
    "percent": format_percent,
}


@register.filter(name="figure")
def format_figure(value, kind: str) -> str:
    """A figure by its kind: {{ 0.43|figure:"seconds" }} -> "430 ms"."""
    if kind == "bool":
        return MISSING if value is None else ("Yes" if value else "No")
    formatter = FIGURE_FORMATS.get(kind)
    if formatter:
        return formatter(value)
    return MISSING if value in (None, "") else str(value)


@register.filter(name="band_of")
def band_of(figure, result) -> dict | None:
    """A figures.Figure's error band in a result: {{ figure|band_of:result }}."""
    return figure.band_in(result)


@register.filter(name="show")
def show_figure(figure, result) -> str:
    """A figures.Figure's value in a result, formatted: {{ figures.ttft|show:result }}."""
    return format_figure(figure.of(result), figure.kind)
