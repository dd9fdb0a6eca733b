"""The figures an estimate shows, each once: its label, where it is in the estimate's
JSON, its unit and format (a calc_format filter), its error band and its export column.

The live page's result partials, a permalink, the compare page, the CSV exports and the
CLI's ``estimate`` all label and format figures from here; so do the rows that set two
answers (or inputs) side by side. Comparing is lookup and equality, not maths.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from calculator.estimator import pricing
from calculator.forms import (
    BATCH_MAX_KEYWORD,
    DTYPE_CHOICES,
    OWNED_PRICING_CHOICES,
    PARALLELISM_CHOICES,
    CalculatorForm,
)
from calculator.templatetags.calc_format import format_count, format_usd

# Figures within half a percent are the same number as displayed (three significant
# digits), so smaller changes are rounding, not a different answer.
RELATIVE_TOLERANCE = 0.005


@dataclass(frozen=True)
class Figure:
    key: str  # for ids in templates and tests
    label: str
    path: tuple[str, ...]  # keys into the estimate's JSON
    # Its unit and format: the calc_format filter that writes it (FIGURE_FORMATS):
    # seconds, rate (tokens/s), usd, bytes, int, bool, text.
    kind: str
    band: str = ""  # its error band's key under the answer's "confidence", if it has one
    column: str = ""  # its column in the CSV exports, unit in the name

    def band_in(self, results: dict) -> dict | None:
        """Its error band in a result (the answer's "confidence"), or None: no band for
        this figure, or a result saved before bands existed."""
        confidence = results.get("confidence") if isinstance(results, dict) else None
        return confidence.get(self.band) if self.band and confidence else None

    def of(self, results: dict) -> Any:
        value: Any = results
        for key in self.path:
            if not isinstance(value, dict):
                return None
            value = value.get(key)
        return value


FITS = Figure("fits", "Fits in memory", ("memory", "fits"), "bool", column="fits")
TTFT = Figure(
    "ttft",
    "Time to first token",
    ("prefill", "seconds"),
    "seconds",
    band="time_to_first_token_seconds",
    column="ttft_s",
)
TPOT = Figure(
    "tpot",
    "Time per output token",
    ("decode", "seconds_per_token"),
    "seconds",
    band="seconds_per_output_token",
    column="time_per_output_token_s",
)
PER_SEQUENCE = Figure(
    "per_sequence",
    "Speed per sequence",
    ("decode", "tokens_per_second_per_sequence"),
    "rate",
    band="tokens_per_second_per_sequence",
)
THROUGHPUT = Figure(
    "throughput",
    "Total throughput",
    ("decode", "tokens_per_second"),
    "rate",
    band="tokens_per_second",
    column="output_tokens_per_s",
)
END_TO_END = Figure("end_to_end", "End to end", ("end_to_end_seconds",), "seconds")
USD_PER_1M = Figure(
    "usd_per_1m",
    "Cost per 1M output tokens",
    ("cost", "usd_per_1m_output_tokens"),
    "usd",
    band="usd_per_1m_output_tokens",
    column="usd_per_1m_output_tokens",
)
COST_PER_RUN = Figure(
    "cost_per_run", "Cost of one run", ("cost", "total_usd"), "usd", column="cost_per_run_usd"
)
USD_PER_HOUR = Figure(
    "usd_per_hour",
    "Cost per hour, all GPUs",
    ("cost", "usd_per_hour"),
    "usd",
    column="usd_per_hour",
)
USD_PER_1K = Figure("usd_per_1k_tokens", "Cost per 1k tokens", ("cost", "usd_per_1k_tokens"), "usd")
MEMORY_PER_GPU = Figure(
    "memory_per_gpu", "Memory per GPU", ("memory", "total_bytes_per_gpu"), "bytes"
)
MAX_BATCH = Figure("max_batch", "Largest batch that fits", ("memory", "max_batch"), "int")
MIN_GPUS = Figure("min_gpus", "Fewest GPUs that fit", ("memory", "min_gpus"), "int")
BATCH = Figure("batch", "Batch used", ("batch",), "int", column="batch")
VERSION = Figure("version", "Estimator version", ("estimator_version",), "text")

# The headline tiles at the top of every result (calculator and permalink).
KEY_FIGURES = (TTFT, TPOT, PER_SEQUENCE, THROUGHPUT, END_TO_END, USD_PER_1M)

# What a permalink's "today's catalog gives different numbers" notice checks.
HEADLINE_FIGURES = (FITS, TTFT, TPOT, THROUGHPUT, USD_PER_1M, COST_PER_RUN, VERSION)

# The result rows of the comparison table.
COMPARE_FIGURES = (
    FITS,
    BATCH,
    MEMORY_PER_GPU,
    MAX_BATCH,
    TTFT,
    TPOT,
    THROUGHPUT,
    END_TO_END,
    USD_PER_HOUR,
    COST_PER_RUN,
    USD_PER_1K,
    USD_PER_1M,
    VERSION,
)

# The figure columns of the scenario list's CSV export, in order.
EXPORT_FIGURES = (FITS, TTFT, TPOT, THROUGHPUT, USD_PER_HOUR, COST_PER_RUN, USD_PER_1M)

# The figures the CLI's ``estimate`` prints, section by section.
CLI_PERFORMANCE = (TTFT, TPOT, PER_SEQUENCE, THROUGHPUT, END_TO_END)
CLI_COST = (USD_PER_HOUR, COST_PER_RUN, USD_PER_1K, USD_PER_1M)

# By key, for the partials' labels: {{ figures.ttft.label }}.
FIGURES = {f.key: f for f in (*COMPARE_FIGURES, PER_SEQUENCE, MIN_GPUS)}


def differs(a: Any, b: Any) -> bool:
    """Whether two figures differ by more than display rounding."""
    numbers = (int, float)
    if isinstance(a, bool) or isinstance(b, bool):
        return a != b
    if isinstance(a, numbers) and isinstance(b, numbers):
        return not math.isclose(a, b, rel_tol=RELATIVE_TOLERANCE)
    return a != b


@dataclass(frozen=True)
class Row:
    label: str
    kind: str
    cells: list[Cell]
    key: str = ""

    @property
    def any_differs(self) -> bool:
        return any(cell.differs for cell in self.cells)


@dataclass(frozen=True)
class Cell:
    value: Any
    differs: bool  # from the first column's value


def row(label: str, kind: str, values: Sequence[Any], key: str = "") -> Row:
    first = values[0] if values else None
    return Row(
        label,
        kind,
        [Cell(value, i > 0 and differs(first, value)) for i, value in enumerate(values)],
        key,
    )


# Section: inputs as people read them

DTYPE_LABELS = dict(DTYPE_CHOICES)
PARALLELISM_LABELS = dict(PARALLELISM_CHOICES)
PRICING_LABELS = dict(OWNED_PRICING_CHOICES)
INPUT_FIELDS = (
    "model",
    "gpu",
    "gpus",
    "batch",
    "seq_len",
    "prompt",
    "completion",
    "provider",
    "pricing",
    "gpu_hourly_usd",
    "weights",
    "kv",
    "engine",
    "parallelism",
)


def input_label(field: str) -> str:
    return str(CalculatorForm.base_fields[field].label)


def input_display(field: str, inputs: dict, snapshot: dict) -> str:
    """One input as text: names instead of slugs, and what an empty value means."""
    value = inputs.get(field, "")
    if field in ("model", "gpu", "engine"):
        return snapshot.get(field, {}).get("name") or value
    if field in ("weights", "kv"):
        return DTYPE_LABELS.get(value, "Same as weights") if value else "Same as weights"
    if field == "parallelism":
        return PARALLELISM_LABELS.get(value, value)
    if field == "seq_len" and not value:
        return "Prompt + completion"
    if field == "gpu_hourly_usd":
        return f"{format_usd(value)} (entered)" if value else "Offer or catalog price"
    if field == "provider":
        return value or "Cheapest offer"
    if field == "pricing":
        return PRICING_LABELS.get(value or pricing.Pricing.ON_DEMAND, value)
    if field == "batch" and value == BATCH_MAX_KEYWORD:
        return "Largest that fits"
    return format_count(value) if value.isdigit() else value


def input_rows(columns: Sequence[tuple[dict, dict]]) -> list[Row]:
    """Rows of inputs for (inputs, snapshot) columns."""
    return [
        row(
            input_label(field),
            "text",
            [input_display(field, inputs, snapshot) for inputs, snapshot in columns],
            field,
        )
        for field in INPUT_FIELDS
    ]


def figure_rows(figures: Iterable[Figure], results: Sequence[dict]) -> list[Row]:
    return [row(f.label, f.kind, [f.of(r) for r in results], f.key) for f in figures]
