"""Chart geometry: numbers in, SVG coordinates out, for every chart the app draws.

Presentation only. The figures come from the estimator; this module picks which batch
sizes to plot, scales values onto axes (log2 batch sizes, or linear from zero), chooses
round tick values and lays out the stacked memory bar. templates/calculator/_chart.html
draws any Chart (no inline styles: the CSP forbids them, so colours come from CSS
classes).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from calculator.estimator import Memory

# Batch sizes to plot: powers of two and the halfway points between them, thinned to
# powers of two when that gives more points than a small chart can label.
MAX_POINTS = 16

# Chart sizes, in SVG user units (the SVG scales to its container): the batch sweeps'
# small line charts, and the planner's and "Under load"'s larger ones.
LINE_CHART_WIDTH = 280
LINE_CHART_HEIGHT = 190
LINE_MARGIN_LEFT = 38
MARGIN_RIGHT = 10
MARGIN_TOP = 24
LINE_MARGIN_BOTTOM = 36
XY_WIDTH = 420
XY_HEIGHT = 260
XY_MARGIN_LEFT = 48
XY_MARGIN_RIGHT = 12
XY_MARGIN_BOTTOM = 40
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


# Charts: one shape for every chart (the batch sweeps, the planner's trade-off, "Under
# load"), drawn by templates/calculator/_chart.html.


@dataclass(frozen=True)
class Tick:
    position: float  # SVG user units along the axis
    label: str


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    label: str  # for the chart's text description and the point's tooltip
    highlight: bool = False  # ringed: the batch used, the best option, the rate asked for


@dataclass(frozen=True)
class Series:
    slug: str  # CSS class suffix
    name: str
    points: tuple[Point, ...]
    path: str  # SVG path data through the points; "" for a scatter


@dataclass(frozen=True)
class Frame:
    """A chart's size and the plot area inside it, in SVG user units."""

    width: int
    height: int
    left: float
    right: float
    top: float
    bottom: float

    @classmethod
    def of(cls, width: int, height: int, margins: tuple[int, int, int, int]) -> Frame:
        left, right, top, bottom = margins
        return cls(width, height, left, width - right, top, height - bottom)

    def y_at(self, y: float, y_top: float) -> float:
        return round(self.bottom - y / y_top * (self.bottom - self.top), 1)


@dataclass(frozen=True)
class Chart(Frame):
    """Any chart: its frame, its series, ticks and a text description."""

    slug: str = ""
    title: str = ""
    x_label: str = ""
    y_label: str = ""
    series: tuple[Series, ...] = ()
    x_ticks: tuple[Tick, ...] = ()
    y_ticks: tuple[Tick, ...] = ()
    description: str = ""
    # A line chart of batch sizes: the batch used (also a highlighted point), with a
    # dashed line through it, and where "the largest batch that fits" is when it is
    # inside the chart.
    current: Point | None = None
    limit_x: float | None = None

    @classmethod
    def framed(cls, frame: Frame, **fields) -> Chart:
        return cls(**vars(frame), **fields)


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


def _path(points: Sequence[Point]) -> str:
    return " ".join(f"{'M' if i == 0 else 'L'}{p.x},{p.y}" for i, p in enumerate(points))


def _ticks(top: float, step: float, at: Callable[[float], float], label) -> tuple[Tick, ...]:
    return tuple(Tick(at(i * step), label(i * step)) for i in range(round(top / step) + 1))


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
) -> Chart:
    """A line over batch sizes (log-scaled x axis, y from zero), the current batch marked."""
    frame = Frame.of(
        LINE_CHART_WIDTH,
        LINE_CHART_HEIGHT,
        (LINE_MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, LINE_MARGIN_BOTTOM),
    )
    xs = [x for x, _ in series]
    x_max = max(xs)
    log_max = math.log2(x_max) if x_max > 1 else 1.0

    def x_at(x: float) -> float:
        if x_max <= 1:
            return (frame.left + frame.right) / 2
        return frame.left + math.log2(x) / log_max * (frame.right - frame.left)

    y_top, y_step = nice_ceiling(max(y for _, y in series))
    points = tuple(
        Point(
            x=round(x_at(x), 1),
            y=frame.y_at(y, y_top),
            label=f"batch {x:,}: {y_format(y)}",
            highlight=x == current_x,
        )
        for x, y in series
    )
    # Label powers of two only, and fewer of them when they would crowd.
    powers = [x for x in xs if x & (x - 1) == 0]
    stride = 1 if len(powers) <= 7 else 2
    return Chart.framed(
        frame,
        slug=slug,
        title=title,
        x_label=x_label,
        y_label=y_label,
        series=(Series("batch", title, points, _path(points)),),
        x_ticks=tuple(Tick(round(x_at(x), 1), f"{x:,}") for x in powers[::stride]),
        y_ticks=_ticks(y_top, y_step, lambda y: frame.y_at(y, y_top), y_tick_format),
        description="; ".join(p.label for p in points) + ".",
        current=next((p for p in points if p.highlight), None),
        limit_x=round(x_at(limit_x), 1) if limit_x and 1 <= limit_x < x_max else None,
    )


def whole(value: float) -> str:
    return f"{value:,.0f}"


@dataclass(frozen=True)
class Axes:
    """What an xy chart is called and how its axes read (ticks as whole numbers unless
    told otherwise); one value a chart, so the charts share xy_chart's drawing."""

    slug: str
    title: str
    x_label: str
    y_label: str
    x_format: Callable[[float], str] = whole
    y_format: Callable[[float], str] = whole


TRADEOFF_AXES = Axes(
    "tradeoff",
    "Throughput per GPU against speed per user",
    "output tokens/s per user (1 / median TPOT)",
    "output tokens/s per GPU",
)
DAY_AXES = Axes(
    "day",
    "The day: requests and the autoscaled replicas",
    "hour of the day",
    "requests per second",
    y_format=lambda v: f"{v:,.3g}",
)


def xy_chart(
    series: Sequence[tuple[str, str, Sequence[tuple[float, float, str, bool]], bool]],
    axes: Axes,
) -> Chart | None:
    """Linear axes from zero: ``series`` are (slug, name, [(x, y, label, highlight)],
    joined) each. None when there is nothing to draw."""
    values = [(x, y) for _, _, points, _ in series for x, y, _, _ in points]
    if not values:
        return None
    frame = Frame.of(
        XY_WIDTH, XY_HEIGHT, (XY_MARGIN_LEFT, XY_MARGIN_RIGHT, MARGIN_TOP, XY_MARGIN_BOTTOM)
    )
    x_top, x_step = nice_ceiling(max(x for x, _ in values))
    y_top, y_step = nice_ceiling(max(y for _, y in values))

    def x_at(x: float) -> float:
        return round(frame.left + x / x_top * (frame.right - frame.left), 1)

    drawn = []
    for key, name, points, joined in series:
        placed = tuple(
            Point(x_at(x), frame.y_at(y, y_top), label, hl) for x, y, label, hl in points
        )
        path = _path(sorted(placed, key=lambda p: p.x)) if joined and placed else ""
        drawn.append(Series(key, name, placed, path))
    return Chart.framed(
        frame,
        slug=axes.slug,
        title=axes.title,
        x_label=axes.x_label,
        y_label=axes.y_label,
        series=tuple(drawn),
        x_ticks=_ticks(x_top, x_step, x_at, axes.x_format),
        y_ticks=_ticks(y_top, y_step, lambda y: frame.y_at(y, y_top), axes.y_format),
        description="; ".join(
            f"{name}: " + ", ".join(label for _, _, label, _ in points)
            for _, name, points, _ in series
            if points
        )
        + ".",
    )


def tradeoff_chart(options: Sequence[dict], best_key: tuple | None) -> Chart | None:
    """The planner's output tokens/s per GPU against tokens/s per user, one point per
    option (from the plan's JSON), the Pareto front joined."""

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
        TRADEOFF_AXES,
    )


def day_chart(schedule: Sequence[dict], capacity_per_replica: float) -> Chart | None:
    """A planned day (the plan's ``schedule``): each hour's mean request rate, and what
    the replicas billed that hour serve within the targets (replicas x one replica's
    capacity), in the same unit so the gap between them is the headroom."""
    demand = [
        (h["hour"] + 0.5, h["rate"], f"{h['hour']}:00 {h['rate']:,.3g} req/s", False)
        for h in schedule
    ]
    fleet = [
        (
            h["hour"] + 0.5,
            h["replicas"] * capacity_per_replica,
            f"{h['hour']}:00 {h['replicas']:,.2f} replicas",
            False,
        )
        for h in schedule
    ]
    return xy_chart(
        [("rate", "Requests/s", demand, True), ("fleet", "Replicas x capacity", fleet, True)],
        DAY_AXES,
    )


def latency_chart(
    slug: str, title: str, rows: Sequence[tuple[float, float, float]], unit: str, current: float
) -> Chart | None:
    """The p50 and p95 latency of "Under load" against the request rate, from rows of
    (rate, p50, p95); the rate asked for highlighted. Rates with no latency to show
    (every request refused; one-token answers have no TPOT) are left out; None when none
    is left."""
    rows = [row for row in rows if all(math.isfinite(value) for value in row)]
    if not rows:
        return None

    def series(index: int) -> list[tuple[float, float, str, bool]]:
        return [
            (
                row[0],
                row[index],
                f"{row[0]:,.2f} req/s: {row[index]:,.0f} {unit}",
                abs(row[0] - current) < 1e-9,
            )
            for row in rows
        ]

    axes = Axes(slug, title, "requests per second", unit, x_format=lambda v: f"{v:,.2g}")
    return xy_chart([("p50", "p50", series(1), True), ("p95", "p95", series(2), True)], axes)


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
