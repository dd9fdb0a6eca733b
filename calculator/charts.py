"""Chart geometry for the calculator page: numbers in, SVG coordinates out.

Presentation only. The figures come from the estimator; this module picks which batch
sizes to plot, scales values onto axes, chooses round tick values and lays out the
stacked memory bar. The templates draw the SVG from what it returns (no inline styles:
the CSP forbids them, so colours come from CSS classes).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from calculator.estimator import Memory

# Batch sizes to plot: powers of two and the halfway points between them, thinned to
# powers of two when that gives more points than a small chart can label.
MAX_POINTS = 16

# Line charts, in SVG user units (the SVG scales to its container).
CHART_WIDTH = 280
CHART_HEIGHT = 190
MARGIN_LEFT = 38
MARGIN_RIGHT = 10
MARGIN_TOP = 24
MARGIN_BOTTOM = 36
Y_TICKS_WANTED = 4
NICE_STEPS = (1, 2, 2.5, 5, 10)

# The memory bar, in SVG user units (stretched to the container's width).
BAR_WIDTH = 1000
BAR_HEIGHT = 36


def batch_sizes(max_batch: int, current: int, limit: int = MAX_POINTS) -> list[int]:
    """Batch sizes from 1 to the largest that fits, always with the current one.

    >>> batch_sizes(16, 1)
    [1, 2, 3, 4, 6, 8, 12, 16]
    """
    top = max(max_batch, 1)
    powers = {2**i for i in range(int(math.log2(top)) + 1)}
    halves = {3 * 2**i for i in range(int(math.log2(top)) + 1) if 3 * 2**i <= top}
    sizes = powers | halves | {1, top, current}
    if len(sizes) > limit:
        sizes = powers | {1, top, current}
    if len(sizes) > limit:  # very large batches: every other power of two
        sizes = {p for p in powers if int(math.log2(p)) % 2 == 0} | {1, top, current}
    return sorted(sizes)


# Line charts


@dataclass(frozen=True)
class Tick:
    position: float  # SVG user units along the axis
    label: str


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    label: str  # for the chart's text description and the point's tooltip
    current: bool


@dataclass(frozen=True)
class LineChart:
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
    path: str  # SVG path data through every point
    points: tuple[Point, ...]
    x_ticks: tuple[Tick, ...]
    y_ticks: tuple[Tick, ...]
    current: Point | None
    limit_x: float | None  # where "the largest batch that fits" is, if inside the chart
    description: str


def nice_ceiling(value: float, ticks: int = Y_TICKS_WANTED) -> tuple[float, float]:
    """A round axis maximum at or above `value` and its tick step.

    >>> nice_ceiling(317)
    (400.0, 100.0)
    """
    if value <= 0:
        return 1.0, 1.0 / ticks
    raw_step = value / ticks
    magnitude = 10 ** math.floor(math.log10(raw_step))
    step = next(s * magnitude for s in NICE_STEPS if s * magnitude >= raw_step)
    return math.ceil(value / step - 1e-9) * step, float(step)


def line_chart(
    series: Sequence[tuple[int, float]],
    *,
    slug: str,
    title: str,
    x_label: str,
    y_label: str,
    current_x: int,
    y_format: Callable[[float], str],
    y_tick_format: Callable[[float], str],
    limit_x: int | None = None,
) -> LineChart:
    """A line over batch sizes (log-scaled x axis, y from zero), the current batch marked."""
    left, right = MARGIN_LEFT, CHART_WIDTH - MARGIN_RIGHT
    top, bottom = MARGIN_TOP, CHART_HEIGHT - MARGIN_BOTTOM
    xs = [x for x, _ in series]
    x_max = max(xs)
    log_max = math.log2(x_max) if x_max > 1 else 1.0

    def x_at(x: float) -> float:
        if x_max <= 1:
            return (left + right) / 2
        return left + math.log2(x) / log_max * (right - left)

    y_top, y_step = nice_ceiling(max(y for _, y in series))

    def y_at(y: float) -> float:
        return bottom - y / y_top * (bottom - top)

    points = tuple(
        Point(
            x=round(x_at(x), 1),
            y=round(y_at(y), 1),
            label=f"batch {x:,}: {y_format(y)}",
            current=x == current_x,
        )
        for x, y in series
    )
    path = " ".join(f"{'M' if i == 0 else 'L'}{p.x},{p.y}" for i, p in enumerate(points))
    # Label powers of two only, and fewer of them when they would crowd.
    powers = [x for x in xs if x & (x - 1) == 0]
    stride = 1 if len(powers) <= 7 else 2
    x_ticks = tuple(Tick(round(x_at(x), 1), f"{x:,}") for x in powers[::stride])
    y_ticks = tuple(
        Tick(round(y_at(i * y_step), 1), y_tick_format(i * y_step))
        for i in range(round(y_top / y_step) + 1)
    )
    current = next((p for p in points if p.current), None)
    return LineChart(
        slug=slug,
        title=title,
        x_label=x_label,
        y_label=y_label,
        width=CHART_WIDTH,
        height=CHART_HEIGHT,
        left=left,
        right=right,
        top=top,
        bottom=bottom,
        path=path,
        points=points,
        x_ticks=x_ticks,
        y_ticks=y_ticks,
        current=current,
        limit_x=round(x_at(limit_x), 1) if limit_x and 1 <= limit_x < x_max else None,
        description="; ".join(p.label for p in points) + ".",
    )


# The stacked memory bar


@dataclass(frozen=True)
class Segment:
    key: str  # CSS class suffix
    label: str
    bytes: float
    x: float
    width: float
    share: float  # of the capacity


@dataclass(frozen=True)
class MemoryBar:
    width: int
    height: int
    segments: tuple[Segment, ...]  # drawn left to right, "free" last when there is room
    capacity_x: float  # where the capacity ends (the right edge unless it overflows)
    used_share: float  # used / capacity
    overflows: bool


def memory_bar(memory: Memory | Mapping, width: int = BAR_WIDTH) -> MemoryBar:
    """Per-GPU memory as segments of a bar whose full width is the larger of the
    capacity and what is needed. `memory` is the estimate's Memory or its as_dict()
    form (what a saved scenario keeps)."""
    if not isinstance(memory, Mapping):
        memory = vars(memory)
    capacity = memory["capacity_bytes_per_gpu"]
    parts = [
        ("weights", "Weights", memory["weights_bytes_per_gpu"]),
        ("kv", "KV cache", memory["kv_cache_bytes_per_gpu"]),
        ("activations", "Activations", memory["activation_bytes_per_gpu"]),
        ("overhead", "Runtime overhead", memory["overhead_bytes_per_gpu"]),
    ]
    used = sum(size for _, _, size in parts)
    if used < capacity:
        parts.append(("free", "Free", capacity - used))
    scale = width / max(used, capacity)
    segments, x = [], 0.0
    for key, label, size in parts:
        segments.append(
            Segment(
                key=key,
                label=label,
                bytes=size,
                x=round(x, 2),
                width=round(size * scale, 2),
                share=size / capacity if capacity else 0.0,
            )
        )
        x += size * scale
    return MemoryBar(
        width=width,
        height=BAR_HEIGHT,
        segments=tuple(segments),
        capacity_x=round(capacity * scale, 2),
        used_share=used / capacity if capacity else 0.0,
        overflows=used > capacity,
    )
