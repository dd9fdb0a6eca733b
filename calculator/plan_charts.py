"""Chart geometry for the planner and "Under load": numbers in, SVG coordinates out.

Presentation only, like ``calculator.charts`` (whose round ticks it reuses): linear axes
from zero, one or more series of points, optionally joined. The figures come from the
estimator; the templates draw the SVG (no inline styles: colours come from CSS classes).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from calculator.charts import Tick, nice_ceiling

WIDTH = 420
HEIGHT = 260
MARGIN_LEFT = 48
MARGIN_RIGHT = 12
MARGIN_TOP = 24
MARGIN_BOTTOM = 40


@dataclass(frozen=True)
class XYPoint:
    x: float
    y: float
    label: str
    highlight: bool = False  # the best option, or the rate asked for


@dataclass(frozen=True)
class Series:
    slug: str  # CSS class suffix
    name: str
    points: tuple[XYPoint, ...]
    path: str  # "" for a scatter


@dataclass(frozen=True)
class XYChart:
    slug: str
    title: str
    x_label: str
    y_label: str
    width: int
    height: int
    left: float
    right: float
    top: float
    bottom: float
    series: tuple[Series, ...]
    x_ticks: tuple[Tick, ...]
    y_ticks: tuple[Tick, ...]
    description: str


def xy_chart(
    series: Sequence[tuple[str, str, Sequence[tuple[float, float, str, bool]], bool]],
    *,
    slug: str,
    title: str,
    x_label: str,
    y_label: str,
    x_format: Callable[[float], str],
    y_format: Callable[[float], str],
) -> XYChart | None:
    """``series``: (slug, name, [(x, y, label, highlight)], joined) each. None when there
    is nothing to draw."""
    values = [(x, y) for _, _, points, _ in series for x, y, _, _ in points]
    if not values:
        return None
    left, right = MARGIN_LEFT, WIDTH - MARGIN_RIGHT
    top, bottom = MARGIN_TOP, HEIGHT - MARGIN_BOTTOM
    x_top, x_step = nice_ceiling(max(x for x, _ in values))
    y_top, y_step = nice_ceiling(max(y for _, y in values))

    def x_at(x: float) -> float:
        return round(left + x / x_top * (right - left), 1)

    def y_at(y: float) -> float:
        return round(bottom - y / y_top * (bottom - top), 1)

    drawn = []
    for key, name, points, joined in series:
        placed = tuple(XYPoint(x_at(x), y_at(y), label, hl) for x, y, label, hl in points)
        path = ""
        if joined and placed:
            ordered = sorted(placed, key=lambda p: p.x)
            path = " ".join(f"{'M' if i == 0 else 'L'}{p.x},{p.y}" for i, p in enumerate(ordered))
        drawn.append(Series(key, name, placed, path))
    return XYChart(
        slug=slug,
        title=title,
        x_label=x_label,
        y_label=y_label,
        width=WIDTH,
        height=HEIGHT,
        left=left,
        right=right,
        top=top,
        bottom=bottom,
        series=tuple(drawn),
        x_ticks=tuple(
            Tick(x_at(i * x_step), x_format(i * x_step)) for i in range(round(x_top / x_step) + 1)
        ),
        y_ticks=tuple(
            Tick(y_at(i * y_step), y_format(i * y_step)) for i in range(round(y_top / y_step) + 1)
        ),
        description="; ".join(
            f"{name}: " + ", ".join(label for _, _, label, _ in points)
            for _, name, points, _ in series
            if points
        )
        + ".",
    )


def tradeoff_chart(options: Sequence[dict], best_key: tuple | None) -> XYChart | None:
    """Output tokens/s per GPU against tokens/s per user, one point per option (from the
    plan's JSON), the Pareto front joined."""

    def key(o: dict) -> tuple:
        return (o["gpu"], o["gpus_per_replica"], o["weights"])

    def point(o: dict) -> tuple[float, float, str, bool]:
        label = (
            f"{o['gpus_per_replica']} x {o['gpu_name']} {o['weights']}: "
            f"{o['tokens_per_second_per_user']:,.0f} tok/s per user, "
            f"{o['tokens_per_second_per_gpu']:,.0f} tok/s per GPU"
        )
        return (
            o["tokens_per_second_per_user"],
            o["tokens_per_second_per_gpu"],
            label,
            key(o) == best_key,
        )

    placed = [o for o in options if o.get("tokens_per_second_per_gpu") is not None]
    front = [point(o) for o in placed if o.get("on_pareto_front")]
    others = [point(o) for o in placed if not o.get("on_pareto_front")]
    return xy_chart(
        [("front", "Pareto front", front, True), ("option", "Other options", others, False)],
        slug="tradeoff",
        title="Throughput per GPU against speed per user",
        x_label="output tokens/s per user (1 / median TPOT)",
        y_label="output tokens/s per GPU",
        x_format=lambda v: f"{v:,.0f}",
        y_format=lambda v: f"{v:,.0f}",
    )


def latency_chart(
    slug: str, title: str, rows: Sequence[tuple[float, float, float]], unit: str, current: float
) -> XYChart | None:
    """p50 and p95 latency against the request rate: rows of (rate, p50, p95). Rates
    with no latency to show (every request refused; one-token answers have no TPOT) are
    left out; None when none is left."""
    rows = [row for row in rows if all(math.isfinite(value) for value in row)]
    if not rows:
        return None

    def series(index: int) -> list[tuple[float, float, str, bool]]:
        return [
            (
                rate,
                row[index],
                f"{rate:,.2f} req/s: {row[index]:,.0f} {unit}",
                abs(rate - current) < 1e-9,
            )
            for rate, *rest in rows
            for row in [(rate, *rest)]
        ]

    return xy_chart(
        [("p50", "p50", series(1), True), ("p95", "p95", series(2), True)],
        slug=slug,
        title=title,
        x_label="requests per second",
        y_label=unit,
        x_format=lambda v: f"{v:,.2g}",
        y_format=lambda v: f"{v:,.0f}",
    )
