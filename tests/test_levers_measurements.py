"""data/levers-measurements.csv: published measurements of prefix caching, speculative
decoding, expert parallelism and disaggregated prefill/decode, each with the figure the
calculator predicts for it. The prediction is recomputed here, so the accuracy section
(docs/accuracy.md, "Prefix caching", "Speculative decoding", "Expert parallelism" and
"Disaggregated prefill and decode") cannot drift from the estimator."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from calculator.answers import capacity, estimate
from calculator.forms import CalculatorForm
from calculator.plan_forms import PlanForm

pytestmark = pytest.mark.django_db

ROWS = list(
    csv.DictReader(
        (Path(__file__).resolve().parent.parent / "data" / "levers-measurements.csv").open()
    )
)


def figure(query: dict, metric: str) -> float:
    """The calculator's figure for a row: the metric with the lever against without."""
    if metric == "goodput_per_gpu_ratio":
        return goodput_per_gpu_ratio(query["plan"])
    lever = {k: v for k, v in query.items() if k != "base"}
    base = {**estimate.DEFAULTS, "seq_len": "", **query["base"]}

    def run(data):
        result = estimate.answer(CalculatorForm(data), trace=False)
        assert isinstance(result, estimate.Estimated), result
        return result.estimate

    if metric == "decode_speedup":
        return run({**base, **lever}).speculative.speedup
    if metric == "decode_tokens_per_s_per_gpu":
        return run({**base, **lever}).decode.tokens_per_second / int(base["gpus"])
    plain, cached = run(base), run({**base, **lever})
    if metric == "ttft_speedup":
        return plain.prefill.seconds / cached.prefill.seconds
    assert metric == "latency_ratio", metric
    return cached.end_to_end_seconds / plain.end_to_end_seconds


def goodput_per_gpu_ratio(query: dict) -> float:
    """The plan asked to consider disaggregation, on one GPU type at one price: the
    cheapest aggregated option's month over the cheapest disaggregated one's (the GPUs
    each needs for the same rate within the targets, so the ratio of their per-GPU
    rates)."""
    planned = capacity.answer(PlanForm(capacity.with_defaults({**query, "disaggregated": "1"})))
    assert isinstance(planned, capacity.Planned), planned
    meeting = [o for o in planned.result.options if o.meets_targets]
    together = min(o.usd_per_month for o in meeting if not o.disaggregated)
    return together / min(o.usd_per_month for o in meeting if o.disaggregated)


def test_there_are_at_least_two_measurements_per_lever():
    levers = [row["lever"] for row in ROWS]
    assert levers.count("prefix_caching") >= 2 and levers.count("speculative") >= 2
    assert levers.count("disaggregated") >= 2
    assert levers.count("expert_parallelism") >= 2
    assert all(row["url"].startswith("https://") for row in ROWS)


@pytest.mark.parametrize("row", ROWS, ids=[row["id"] for row in ROWS])
def test_the_predicted_figure_and_its_error_are_todays(row):
    predicted = figure(json.loads(row["query"]), row["metric"])
    assert predicted == pytest.approx(float(row["predicted"]), rel=0.01)
    error = predicted / float(row["measured"]) - 1
    assert error == pytest.approx(float(row["error"]), abs=0.01)
