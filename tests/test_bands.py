"""Error bands from measurements like the query (pure estimator code)."""

from __future__ import annotations

import math

import pytest

from calculator.estimator import bands
from calculator.estimator.bands import Evidence, Features


def feats(gpu="H100", engine="vllm", moe=False, load="one", context="short", family="llama"):
    return Features(
        gpu_family=gpu, engine=engine, model_family=family, moe=moe, load=load, context=context
    )


def spread(n, centre=1.0, width=0.2, **kw):
    """n measurements whose ratios spread evenly over centre x (1 +- width)."""
    return [
        Evidence(
            "decode",
            f"source {i % 3}",
            feats(**kw),
            centre * (1 - width + 2 * width * i / (n - 1)),
        )
        for i in range(n)
    ]


def test_gpu_and_model_families_read_from_slugs():
    assert bands.gpu_family("h100-sxm") == "H100"
    assert bands.gpu_family("a100-80gb-pcie") == "A100"
    assert bands.gpu_family("rtx-4090") == "RTX 4090"
    assert bands.gpu_family("mi300x") == "MI300X"
    assert bands.model_family("llama-3.1-70b") == "llama"
    assert bands.model_family("gpt-oss-120b") == "gpt-oss"
    assert bands.model_family("qwen2.5-7b") == "qwen"
    assert bands.model_family("mixtral-8x7b") == "mixtral"


def test_load_and_context_buckets():
    assert [bands.load_bucket(b) for b in (1, 8, 16, 17, None)] == [
        "one",
        "light",
        "light",
        "heavy",
        "heavy",
    ]
    assert bands.context_bucket(8191) == "short"
    assert bands.context_bucket(32000) == "long"


def test_a_band_holds_most_similar_measurements_either_side_of_the_estimate():
    evidence = spread(21)  # measured / estimated from 0.80 to 1.20
    b = bands.band("decode", feats(), evidence)
    assert b.measured_like
    assert b.count == 21
    inside = [e for e in evidence if b.low <= e.ratio <= b.high]
    assert len(inside) == pytest.approx(bands.LEVEL * 21, abs=1)
    assert b.low * b.high == pytest.approx(1.0)
    assert "21 measurements of vllm on H100" in b.basis


def test_the_most_alike_measurements_win_when_there_are_enough():
    near = spread(8, centre=2.0, width=0.05, engine="sglang")
    far = spread(30, centre=1.0, width=0.4)
    b = bands.band("decode", feats(engine="sglang"), near + far)
    assert b.count == 8
    # Those measurements ran about twice the estimate: the band reaches that far.
    assert 2.0 < b.high < 2.2


def test_a_gpu_nothing_was_measured_on_gets_a_wide_band_that_says_so():
    evidence = spread(30, width=0.2)
    b = bands.band("decode", feats(gpu="B200"), evidence)
    measured = bands.band("decode", feats(), evidence)
    assert not b.measured_like
    assert "nothing like this was measured" in b.basis
    assert b.high / b.low > measured.high / measured.low


def test_too_few_alike_measurements_fall_back_to_a_broader_set():
    evidence = spread(3, engine="tensorrt-llm") + spread(10, engine="vllm")
    b = bands.band("decode", feats(engine="tensorrt-llm"), evidence)
    assert b.count == 13
    assert b.basis.endswith("measurements of setups on H100")


def test_no_band_is_narrower_than_the_floor():
    evidence = spread(10, width=0.0001)
    b = bands.band("decode", feats(), evidence)
    assert b.high / b.low >= (1 + bands.MIN_HALF_WIDTH) ** 2 - 1e-9


def test_the_inverse_band_turns_a_time_band_into_a_rate_band():
    b = bands.Band(0.8, 1.25, 10, "x", True)
    inverse = b.inverse()
    assert inverse.low == pytest.approx(0.8)
    assert inverse.high == pytest.approx(1.25)
    assert bands.Band(0.5, 1.5, 3, "x", True).inverse().around(10) == pytest.approx((10 / 1.5, 20))


def test_the_margin_reaches_the_level_on_held_out_sources():
    evidence = spread(30, width=0.3) + spread(30, centre=1.2, width=0.3, gpu="A100")
    margin = bands.calibrate_margin(evidence, "decode")
    share, count = bands.coverage(evidence, "decode", margin)
    assert count == 60
    assert share >= bands.LEVEL
    if margin > bands.MARGIN_STEPS[0]:
        narrower, _ = bands.coverage(evidence, "decode", round(margin - 0.025, 3))
        assert narrower < bands.LEVEL


def test_the_margin_moves_both_ends_out_by_the_same_factor():
    evidence = spread(20)
    tight = bands.band("decode", feats(), evidence)
    wide = bands.band("decode", feats(), evidence, margin=0.2)
    assert wide.low == pytest.approx(tight.low / math.exp(0.2))
    assert wide.high == pytest.approx(tight.high * math.exp(0.2))


def test_no_measurements_in_a_regime_give_a_factor_of_two():
    b = bands.band("ttft", feats(), spread(10))
    assert (b.low, b.high, b.count) == (0.5, 2.0, 0)
    assert math.isnan(bands.coverage(spread(10), "ttft", 0.0)[0])


def test_figures_are_banded_by_their_path_in_the_answer():
    evidence = [
        Evidence(regime, f"s{i % 3}", feats(load="heavy"), 1.25 if i % 2 else 0.8)
        for regime in ("ttft", "decode", "saturation")
        for i in range(6)
    ]
    answer = {"ttft_ms": {"p95": 200.0, "p99": None}, "throughput": {"requests_per_second": 4.0}}
    wanted = ["ttft_ms.p95", "ttft_ms.p99", "throughput.requests_per_second", "e2e_s.p50"]
    found = bands.paths(answer, wanted)
    assert found == {
        "ttft_ms.p95": 200.0,
        "ttft_ms.p99": None,
        "throughput.requests_per_second": 4.0,
    }
    got = bands.confidence(feats(load="heavy"), found, evidence, {}, bands.SERVING_FIGURE_BANDS)
    assert got["level"] == bands.LEVEL
    assert (got["ttft_ms.p95"]["low"], got["ttft_ms.p95"]["high"]) == pytest.approx((160, 250))
    assert got["ttft_ms.p99"]["low"] is None and got["ttft_ms.p99"]["estimate"] is None
    assert got["throughput.requests_per_second"]["high"] == pytest.approx(5.0)
    assert "e2e_s.p50" not in got  # not in the answer: left out


def test_a_simulation_is_banded_at_its_concurrency_or_the_load_in_flight():
    assert bands.serving_batch(64, 10.0, 2.0) == 64
    # Little's law: 3 requests/s, each 4 s in the system: 12 in flight.
    assert bands.serving_batch(None, 3.0, 4.0) == 12
    assert bands.serving_batch(None, 0.01, 5.0) == 1
    assert bands.serving_batch(None, 0.0, math.nan) == 1


def test_the_median_width_is_high_over_low_of_the_held_out_bands():
    # Three sources whose measurements all miss by 1.25x either way: every held-out
    # band is (0.8, 1.25), 1.5625 wide from end to end; a margin of 0.1 widens both
    # ends by e^0.1.
    evidence = [Evidence("decode", f"s{i % 3}", feats(), 1.25 if i % 2 else 0.8) for i in range(18)]
    assert bands.median_width(evidence, "decode", 0.0) == pytest.approx(1.5625)
    assert bands.median_width(evidence, "decode", 0.1) == pytest.approx(1.5625 * math.exp(0.2))
    assert math.isnan(bands.median_width(evidence, "ttft", 0.0))


def test_the_served_width_uses_every_source():
    # Sources a and b miss by 1.1x (6 rows each), c by 2x (3 rows). Held out, a's and
    # b's rows get bands from 6 rows at 1.1x and 3 at 2x: the 80% point is 2x, 4x wide;
    # c's from a and b alone, 1.21x. Median of 12 x 4 and 3 x 1.21: 4. Served, all 15
    # rows: the 80% point lies at 11.2 of 14, 0.8 ln 1.1 + 0.2 ln 2 either way.
    evidence = [
        Evidence("decode", source, feats(), 1.1 if i % 2 else 1 / 1.1)
        for source in ("a", "b")
        for i in range(6)
    ] + [Evidence("decode", "c", feats(), r) for r in (2.0, 0.5, 2.0)]
    assert bands.median_width(evidence, "decode", 0.0) == pytest.approx(4.0)
    served = bands.median_width(evidence, "decode", 0.0, held_out=False)
    assert served == pytest.approx(1.1**1.6 * 2**0.4)
