"""The calculator's "Against batch size" section: throughput, per-sequence speed and
cost from batch 1 to the largest that fits (``estimator.sweep_batches``)."""

from __future__ import annotations

from calculator import charts, estimator
from calculator.answers.estimate import Estimated
from calculator.answers.shared import specs, workload
from calculator.templatetags import calc_format

# Each chart: its slug, title, y axis, the figure it plots and how values and ticks read.
CHARTS = (
    (
        "throughput",
        "Total throughput",
        "output tokens/s, all sequences",
        lambda e: e.decode.tokens_per_second,
        calc_format.format_tokens_per_second,
        calc_format.compact,
    ),
    (
        "per-sequence",
        "Speed per sequence",
        "output tokens/s, each sequence",
        lambda e: e.decode.tokens_per_second_per_sequence,
        calc_format.format_tokens_per_second,
        calc_format.compact,
    ),
    (
        "cost",
        "Cost per 1M output tokens",
        "USD per 1M output tokens, full load",
        lambda e: e.cost.usd_per_1m_output_tokens,
        calc_format.format_usd,
        lambda value: f"${calc_format.compact(value)}",
    ),
    (
        "speculative",
        "Speculative decoding speedup",
        "time per token without / with (below 1: it slows decoding)",
        lambda e: e.speculative.speedup if e.speculative else None,
        calc_format.format_ratio,
        lambda value: f"{calc_format.compact(value)}×",
    ),
)


def answer(estimated: Estimated) -> list[charts.Chart]:
    """The charts, or none when not one sequence fits (no range of batches to chart)."""
    estimate = estimated.estimate
    if estimate.memory.max_batch < 1:
        return []
    # Billed as the estimate was; no API offerings: the charts compare none.
    priced = workload(estimated.data, estimated.price)
    top = min(estimate.memory.max_batch, estimator.MAX_BATCH)
    series = estimator.sweep_batches(
        *specs(estimated.data), priced, charts.batch_sizes(top, estimate.batch), known=estimate
    )
    common = {
        "x_label": "batch size (sequences)",
        "current_x": estimate.batch,
        "limit_x": estimate.memory.max_batch if estimate.batch > top else None,
    }
    drawn = []
    for slug, title, y_label, figure, y_format, y_tick_format in CHARTS:
        if figure(estimate) is None:
            continue  # no price: no cost to chart
        drawn.append(
            charts.line_chart(
                [(b, figure(e)) for b, e in series],
                slug=slug,
                title=title,
                y_label=y_label,
                y_format=y_format,
                y_tick_format=y_tick_format,
                **common,
            )
        )
    return drawn
