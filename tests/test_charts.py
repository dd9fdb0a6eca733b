"""Chart geometry: which batches to plot, axes, ticks and the stacked memory bar."""

from __future__ import annotations

import dataclasses

import pytest

from calculator import charts
from calculator.estimator import Memory


def test_batch_sizes_run_from_one_to_the_largest_that_fits():
    assert charts.batch_sizes(16, 1) == [1, 2, 3, 4, 6, 8, 12, 16]


def test_batch_sizes_always_include_the_current_batch_and_the_maximum():
    sizes = charts.batch_sizes(100, 37)
    assert sizes[0] == 1 and sizes[-1] == 100
    assert 37 in sizes


def test_batch_sizes_beyond_what_fits_still_show_the_current_batch():
    assert charts.batch_sizes(0, 4) == [1, 4]


@pytest.mark.parametrize("max_batch", [1, 7, 256, 5000, 65_536])
def test_batch_sizes_stay_few_enough_to_label(max_batch):
    sizes = charts.batch_sizes(max_batch, 1)
    assert len(sizes) <= charts.MAX_POINTS + 2
    assert sizes == sorted(set(sizes))


def test_nice_ceiling_rounds_the_axis_up_to_a_round_step():
    assert charts.nice_ceiling(317) == (400.0, 100.0)
    assert charts.nice_ceiling(18.2) == (20.0, 5.0)
    assert charts.nice_ceiling(0) == (1.0, 0.25)


def make_chart(series, current_x=4, **kwargs):
    return charts.line_chart(
        series,
        slug="test",
        title="Test",
        x_label="batch",
        y_label="tokens/s",
        current_x=current_x,
        y_format=lambda y: f"{y:g} tokens/s",
        y_tick_format=lambda y: f"{y:g}",
        **kwargs,
    )


def test_a_line_chart_puts_points_inside_the_plot_area_with_batch_on_a_log_scale():
    chart = make_chart([(1, 10.0), (2, 20.0), (4, 35.0), (8, 50.0)])
    xs = [p.x for p in chart.series[0].points]
    assert xs[0] == chart.left and xs[-1] == chart.right
    # Log scale: doubling the batch moves the same distance.
    assert xs[1] - xs[0] == pytest.approx(xs[2] - xs[1], abs=0.2)
    assert all(chart.top <= p.y <= chart.bottom for p in chart.series[0].points)
    assert chart.series[0].path.startswith(
        f"M{chart.series[0].points[0].x},{chart.series[0].points[0].y}"
    )
    assert chart.series[0].path.count("L") == 3


def test_a_line_chart_marks_the_current_batch():
    chart = make_chart([(1, 10.0), (2, 20.0), (4, 35.0), (8, 50.0)])
    assert chart.current is not None
    assert chart.current.label == "batch 4: 35 tokens/s"
    assert [p.highlight for p in chart.series[0].points] == [False, False, True, False]


def test_a_line_chart_starts_its_y_axis_at_zero_with_round_ticks():
    chart = make_chart([(1, 10.0), (8, 317.0)])
    assert [t.label for t in chart.y_ticks] == ["0", "100", "200", "300", "400"]
    assert chart.y_ticks[0].position == chart.bottom
    assert chart.y_ticks[-1].position == chart.top


def test_a_line_chart_with_one_point_centres_it():
    chart = make_chart([(1, 10.0)], current_x=1)
    assert chart.series[0].points[0].x == (chart.left + chart.right) / 2
    assert chart.current is not None


def test_a_line_chart_marks_the_largest_batch_that_fits_when_the_current_one_is_beyond_it():
    chart = make_chart([(1, 10.0), (2, 20.0), (4, 35.0)], limit_x=2)
    assert chart.limit_x == chart.series[0].points[1].x
    assert make_chart([(1, 10.0), (2, 20.0)], current_x=2, limit_x=None).limit_x is None


def test_a_line_chart_describes_its_data_in_words():
    chart = make_chart([(1, 10.0), (4, 35.0)])
    assert chart.description == "batch 1: 10 tokens/s; batch 4: 35 tokens/s."


def test_every_chart_is_one_shape_with_its_highlights_ringed():
    line = make_chart([(1, 10.0), (4, 35.0)])
    latency = charts.latency_chart("load", "Latency", [(1.0, 10, 20), (2.0, 12, 30)], "ms", 2.0)
    assert type(line) is type(latency) is charts.Chart
    assert [s.slug for s in latency.series] == ["p50", "p95"]
    assert [[p.highlight for p in s.points] for s in latency.series] == [[False, True]] * 2
    assert latency.current is None and latency.limit_x is None
    assert latency.y_ticks[0].position == latency.bottom
    assert latency.series[1].points[1].y == latency.top  # 30 ms on a 0-30 axis


def test_the_tradeoff_chart_joins_the_pareto_front_and_rings_the_best():
    option = {"gpu": "h100", "gpus_per_replica": 1, "gpu_name": "H100", "weights": "fp8"}
    options = [
        {**option, "tokens_per_second_per_user": 50, "tokens_per_second_per_gpu": 900,
         "on_pareto_front": True},
        {**option, "weights": "bf16", "tokens_per_second_per_user": 40,
         "tokens_per_second_per_gpu": 500, "on_pareto_front": False},
    ]  # fmt: skip
    chart = charts.tradeoff_chart(options, ("h100", 1, "fp8"))
    front, others = chart.series
    assert front.path and not others.path
    assert [p.highlight for p in front.points] == [True]
    assert charts.tradeoff_chart([], None) is None


GB = 1e9
MEMORY = Memory(
    weights_bytes=138 * GB,
    kv_cache_bytes=2 * GB,
    activation_bytes=2 * GB,
    overhead_bytes=3 * GB,
    weights_bytes_per_gpu=69 * GB,
    kv_cache_bytes_per_gpu=1 * GB,
    activation_bytes_per_gpu=1 * GB,
    overhead_bytes_per_gpu=1.5 * GB,
    total_bytes_per_gpu=72.5 * GB,
    capacity_bytes_per_gpu=80 * GB,
    physical_bytes_per_gpu=85 * GB,
    kv_bytes_per_token_per_gpu=163_840,
    fits=True,
    max_batch=16,
    max_seq_len=4096,
    min_gpus=2,
)


def test_the_memory_bar_stacks_the_parts_and_the_free_space_across_the_capacity():
    bar = charts.memory_bar(MEMORY)
    assert [s.key for s in bar.segments] == ["weights", "kv", "activations", "overhead", "free"]
    assert bar.segments[0].x == 0
    for left, right in zip(bar.segments, bar.segments[1:], strict=False):
        assert right.x == pytest.approx(left.x + left.width, abs=0.02)
    assert sum(s.width for s in bar.segments) == pytest.approx(bar.width, abs=0.1)
    assert bar.segments[-1].bytes == pytest.approx(7.5 * GB)
    assert bar.segments[0].share == pytest.approx(69 / 80)
    assert not bar.overflows


def test_the_memory_bar_overflows_past_a_capacity_line_when_it_does_not_fit():
    memory = dataclasses.replace(MEMORY, weights_bytes_per_gpu=138 * GB, fits=False)
    bar = charts.memory_bar(memory)
    assert bar.overflows
    assert "free" not in [s.key for s in bar.segments]
    assert sum(s.width for s in bar.segments) == pytest.approx(bar.width, abs=0.1)
    assert 0 < bar.capacity_x < bar.width
    assert bar.used_share > 1
