"""The calculator's "Against batch size" section: throughput, per-sequence speed and
cost from batch 1 to the largest that fits (``estimator.sweep_batches``)."""

from __future__ import annotations

from calculator import charts, estimator
from calculator.answers.estimate import Estimated
from calculator.answers.shared import specs, workload
from calculator.templatetags import calc_format


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
    result = [
        charts.line_chart(
            [(b, e.decode.tokens_per_second) for b, e in series],
            slug="throughput",
            title="Total throughput",
            y_label="output tokens/s, all sequences",
            y_format=calc_format.format_tokens_per_second,
            y_tick_format=calc_format.compact,
            **common,
        ),
        charts.line_chart(
            [(b, e.decode.tokens_per_second_per_sequence) for b, e in series],
            slug="per-sequence",
            title="Speed per sequence",
            y_label="output tokens/s, each sequence",
            y_format=calc_format.format_tokens_per_second,
            y_tick_format=calc_format.compact,
            **common,
        ),
    ]
    if estimate.cost.usd_per_1m_output_tokens is not None:
        result.append(
            charts.line_chart(
                [(b, e.cost.usd_per_1m_output_tokens) for b, e in series],
                slug="cost",
                title="Cost per 1M output tokens",
                y_label="USD per 1M output tokens, full load",
                y_format=calc_format.format_usd,
                y_tick_format=lambda value: f"${calc_format.compact(value)}",
                **common,
            )
        )
    return result
