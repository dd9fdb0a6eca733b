"""Calibration against published measurements: the regression gate and the mapping."""

from __future__ import annotations

import csv
import math
import statistics

import pytest

from calculator.estimates import DEFAULT_CALIBRATION_PATH, run_calibration
from calculator.estimator import Dtype, Parallelism
from calculator.estimator import calibration as cal
from calculator.models import EngineProfile

# The gate: no regime's median absolute error on the calibration set may rise above the
# 20% target (19.9% for time to first token when this was written: it is the closest to
# the line). Lower it when the estimator improves; never raise it to make a change pass.
MEDIAN_APE_GATE = dict.fromkeys(cal.Regime, cal.TARGET_MEDIAN_APE)


@pytest.fixture
def report(db):
    return run_calibration()


def test_no_regime_gets_worse_than_its_gate(report):
    for regime, score in report.scores.items():
        assert score.median_ape <= MEDIAN_APE_GATE[regime], (regime, score)


def test_every_regime_has_enough_rows_to_mean_something(report):
    assert {r: s.count for r, s in report.scores.items()} == {
        cal.Regime.DECODE: 26,
        cal.Regime.SATURATION: 56,
        cal.Regime.TTFT: 16,
        cal.Regime.ONLINE: 23,
    }


def test_it_beats_a_plain_roofline_in_every_regime(report):
    for regime, score in report.scores.items():
        assert score.median_ape < report.roofline_scores[regime].median_ape


def test_every_row_is_either_mapped_or_skipped_with_a_reason(report):
    with open(DEFAULT_CALIBRATION_PATH, newline="") as handle:
        rows = sum(1 for _ in csv.DictReader(handle))
    static = [c for c in report.cases if c.regime is not cal.Regime.ONLINE]
    assert len(static) + len(report.skips) == rows
    assert all(skip.reason for skip in report.skips)
    assert all(math.isfinite(o.predicted) and o.predicted > 0 for o in report.outcomes)


@pytest.mark.django_db
def test_seeded_engine_constants_stay_in_their_physical_range():
    for engine in EngineProfile.objects.all():
        for name in (
            "bandwidth_utilization",
            "prefill_compute_utilization",
            "decode_compute_utilization",
            "memory_fraction",
        ):
            assert 0 < getattr(engine, name) <= 1, (engine.slug, name)
        assert 0 <= engine.step_overhead_s < 0.05
        assert 0 <= engine.request_overhead_s < 0.5


CATALOG = {"models": {"llama-3.1-70b"}, "gpus": {"h100-sxm"}, "engines": {"tensorrt-llm"}}


def row(**overrides):
    base = {
        "source_url_or_repo_path": "NVIDIA/TensorRT-LLM docs/source/performance/perf-overview.md",
        "framework": "tensorrt-llm",
        "model": "llama-3.1-70b",
        "weight_dtype": "fp8",
        "kv_dtype": "fp8",
        "gpu": "h100-sxm",
        "n_gpus": "4",
        "tp": "4",
        "pp": "1",
        "batch_size_or_concurrency": "max (IFB, auto)",
        "input_tokens": "128",
        "output_tokens": "128",
        "metric": "output_throughput_tok_s_total",
        "value": "11127.53",
    }
    return {**base, **overrides}


def map_one(**overrides):
    return cal.map_row(row(**overrides), 2, CATALOG["models"], CATALOG["gpus"], CATALOG["engines"])


def test_a_max_throughput_row_maps_to_saturation_at_the_largest_batch():
    case = map_one()
    assert case.regime is cal.Regime.SATURATION
    assert case.workload.batch_size is None
    assert case.workload.num_gpus == 4
    assert case.workload.weights_dtype is Dtype.FP8
    assert case.workload.parallelism is Parallelism.TENSOR


def test_a_layer_split_row_maps_to_pipeline_parallelism():
    case = map_one(
        framework="tensorrt-llm",
        tp="1",
        pp="4",
        metric="tokens_per_s_per_user (decode)",
        batch_size_or_concurrency="1",
        value="20",
    )
    assert case.workload.parallelism is Parallelism.PIPELINE


def test_latency_rows_convert_milliseconds_to_seconds_and_keep_the_rate():
    case = map_one(batch_size_or_concurrency="request_rate=2", metric="ttft_ms_mean", value="62")
    assert case.regime is cal.Regime.TTFT
    assert case.measured == pytest.approx(0.062)
    assert case.request_rate == 2


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"gpu": "rtx-a6000"}, "not in the catalog"),
        ({"framework": "other (MLC LLM)"}, "no engine profile"),
        ({"batch_size_or_concurrency": "request_rate=INF", "metric": "ttft_ms_mean"}, "queueing"),
        ({"batch_size_or_concurrency": "request_rate=2"}, "arrival rate"),
        (
            {"metric": "total_throughput_tok_s", "batch_size_or_concurrency": "request_rate=2"},
            "duplicates",
        ),
    ],
)
def test_rows_it_cannot_model_are_skipped_with_the_reason(overrides, reason):
    skip = map_one(**overrides)
    assert isinstance(skip, cal.Skip)
    assert reason in skip.reason


def test_online_rows_are_reproduced_through_the_serving_simulator(report):
    """The online regime: TTFT and ITL of runs at a rate, per metric within the target,
    and time to first token with every request sent at once no longer far too low."""
    online = [o for o in report.outcomes if o.case.regime is cal.Regime.ONLINE]
    ttft = [o.ape for o in online if o.case.metric.startswith("ttft")]
    itl = [o.ape for o in online if not o.case.metric.startswith("ttft")]
    assert statistics.median(ttft) <= cal.TARGET_MEDIAN_APE
    assert statistics.median(itl) <= cal.TARGET_MEDIAN_APE
    flat_out = [
        o for o in online if o.case.request_rate == math.inf and o.case.metric.startswith("ttft")
    ]
    assert flat_out
    assert all(abs(o.error) < 0.25 for o in flat_out)


def test_an_online_row_maps_to_a_simulated_run_with_the_sources_request_count():
    row = {
        "source_url_or_repo_path": "NVIDIA/TensorRT-LLM docs/source/performance/perf-overview.md",
        "framework": "tensorrt-llm",
        "model": "llama-3.1-8b",
        "weight_dtype": "bf16",
        "kv_dtype": "bf16",
        "gpu": "h100-sxm",
        "n_gpus": "1",
        "pp": "1",
        "batch_size_or_concurrency": "request_rate=INF",
        "input_tokens": "467",
        "output_tokens": "256",
        "metric": "ttft_ms_mean",
        "value": "3335",
        "notes": "Triton tensorrtllm_backend online serving, 500 requests",
    }
    case = cal.map_online_row(row, 63, ["llama-3.1-8b"], ["h100-sxm"], ["tensorrt-llm"])
    assert case.regime is cal.Regime.ONLINE
    assert case.request_rate == math.inf
    assert case.requests == 500
    assert case.measured == pytest.approx(3.335)
    assert case.workload.prompt_tokens == 467
