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
    assert (inverse.count, inverse.basis, inverse.measured_like) == (10, "x", True)
    assert bands.Band(0.5, 2.0, 0, "y", False).inverse().measured_like is False
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


# Section: boundaries and each rule on its own (mutation testing, issue 24)


def test_a_bare_rtx_slug_and_a_slug_of_sizes_only_are_read_as_they_are():
    assert bands.gpu_family("rtx") == "RTX"
    assert bands.gpu_family("RTX-A6000") == "RTX A6000"
    assert bands.model_family("70b") == "70b"  # no family word before the size
    assert bands.model_family("Llama-3-8B") == "llama"


def test_the_buckets_boundaries_fall_where_documented():
    assert bands.load_bucket(0) == "light"  # only a batch of exactly one is "one"
    assert bands.load_bucket(bands.LIGHT_BATCH) == "light"
    assert bands.load_bucket(bands.LIGHT_BATCH + 1) == "heavy"
    assert bands.context_bucket(bands.LONG_CONTEXT_TOKENS) == "long"
    assert bands.context_bucket(bands.LONG_CONTEXT_TOKENS - 1) == "short"


def test_features_put_each_bucket_in_its_field():
    f = bands.features("h100-sxm", "vllm", "qwen3-30b-a3b", True, 8, 9000)
    assert f == Features("H100", "vllm", "qwen", True, "light", "long")


@pytest.mark.parametrize(
    ("values", "q", "expected"),
    [([1.0, 2.0, 3.0, 4.0, 5.0], 0.8, 4.2), ([2.0], 0.8, 2.0), ([1.0, 3.0], 0.5, 2.0)],
)
def test_the_quantile_interpolates_between_order_statistics(values, q, expected):
    """numpy.quantile([1, 2, 3, 4, 5], 0.8) == 4.2, by hand: position 3.2."""
    assert bands._quantile(values, q) == pytest.approx(expected)


def test_the_half_width_is_the_levels_log_error_widened_then_the_margin():
    """Ratios e^0.1 .. e^0.5 (and inverses): |log| sorted 0.1..0.5, the 80% quantile
    0.42; widened by 2 and moved out by 0.03: half-width 0.87."""
    ratios = [math.exp(x) for x in (0.1, -0.2, 0.3, -0.4, 0.5)]
    low, high = bands._from_ratios(ratios, 0.03, widen=2.0)
    assert math.log(high) == pytest.approx(2 * 0.42 + 0.03)
    assert math.log(low) == pytest.approx(-(2 * 0.42 + 0.03))


@pytest.mark.parametrize("differs", ["moe", "load", "context"])
def test_the_closest_tier_needs_every_feature_alike(differs):
    """Six measurements alike in all but one feature, six unlike in engine: the band
    falls to the second tier or further, never the first."""
    query = feats()
    other = {"moe": {"moe": True}, "load": {"load": "heavy"}, "context": {"context": "long"}}
    evidence = spread(6, **other[differs]) + spread(6, centre=3.0, engine="sglang")
    b = bands.band("decode", query, evidence)
    assert "light load" not in b.basis and "one stream" not in b.basis
    assert b.count in (6, 12)


def test_each_tier_names_what_its_measurements_have_in_common():
    q = feats(moe=True, load="heavy")
    first = bands.band("decode", q, spread(6, moe=True, load="heavy"))
    assert first.basis == "6 measurements of vllm on H100, mixture-of-experts models, heavy load"
    second = bands.band("decode", q, spread(6, moe=True, load="one"))
    assert second.basis == "6 measurements of vllm on H100, mixture-of-experts models"
    third = bands.band("decode", q, spread(6, moe=False))
    assert third.basis == "6 measurements of vllm on H100"
    fourth = bands.band("decode", q, spread(6, engine="sglang"))
    assert fourth.basis == "6 measurements of setups on H100"
    dense = bands.band("decode", feats(), spread(6))
    assert dense.basis == "6 measurements of vllm on H100, dense models, one stream"


def test_exactly_the_fewest_measurements_make_a_band_and_one_fewer_does_not():
    enough = bands.band("decode", feats(), spread(bands.MIN_EVIDENCE))
    assert enough.measured_like and enough.count == bands.MIN_EVIDENCE
    few = bands.band("decode", feats(gpu="B200"), spread(bands.MIN_EVIDENCE - 1, gpu="B200"))
    assert not few.measured_like
    assert few.count == bands.MIN_EVIDENCE - 1


def test_an_unmeasured_gpu_gets_the_whole_pools_spread_widened():
    evidence = spread(21) + spread(6, centre=1.5, width=0.0, engine="other", gpu="A100")
    b = bands.band("decode", feats(gpu="B200", engine="sglang"), evidence, margin=0.01)
    ratios = [e.ratio for e in evidence]
    assert (b.low, b.high) == pytest.approx(
        bands._from_ratios(ratios, 0.01, bands.UNMEASURED_WIDEN)
    )
    assert b.count == 27
    assert b.basis == (
        "nothing like this was measured (sglang on B200): a wide band from 27 "
        "measurements of other setups"
    )


def test_only_the_regime_asked_is_evidence():
    evidence = spread(10) + [Evidence("ttft", "s", feats(), 5.0) for _ in range(bands.MIN_EVIDENCE)]
    assert bands.band("decode", feats(), evidence).count == 10
    assert bands.band("ttft", feats(), evidence).high > 4.9


def test_coverage_leaves_out_each_measurements_own_source():
    """Two sources, one measuring 1x the estimate and one 3x: with its own source left
    out, a 3x measurement's band (from the 1x source, the floor's +-5%) misses it, while
    a 1x one's (from the 3x source, 1/3 to 3 around the estimate) holds it."""
    a = [Evidence("decode", "a", feats(), 1.0 + i * 0.001) for i in range(6)]
    b = [Evidence("decode", "b", feats(), 3.0 + i * 0.001) for i in range(6)]
    assert bands.coverage(a + b, "decode", 0.0) == (0.5, 12)
    # One source alone: each band has no evidence left, the factor of two holds it.
    assert bands.coverage(a, "decode", 0.0) == (1.0, 6)


def test_the_margin_is_the_first_step_that_reaches_the_level():
    """Source a measures 1x, source b e^0.29 x. Held out, a's rows sit in any band
    from b's (centred on the estimate, e^+-0.29 wide); b's need a's band (the +-5% floor
    plus the margin) to reach e^0.29: margin 0.29, the first step past it is 0.3."""
    a = [Evidence("decode", "a", feats(), 1.0) for _ in range(6)]
    b = [Evidence("decode", "b", feats(), math.exp(0.29)) for _ in range(6)]
    assert bands.calibrate_margin(a + b, "decode") == pytest.approx(0.3)
    assert bands.calibrate_margin([], "decode") == 0.0
    assert bands.MARGIN_STEPS[:3] == (0.0, 0.025, 0.05)
    assert len(bands.MARGIN_STEPS) == 81


def test_a_coverage_of_exactly_the_level_is_enough():
    """Eight rows of ten held at no margin: 80%, the level, so no margin is added."""
    a = [Evidence("decode", "a", feats(), 1.0) for _ in range(8)]
    b = [Evidence("decode", "b", feats(), math.exp(0.29)) for _ in range(2)]
    assert bands.coverage(a + b, "decode", 0.0) == (0.8, 10)
    assert bands.calibrate_margin(a + b, "decode") == 0.0


def test_a_margin_no_step_reaches_is_the_largest():
    a = [Evidence("decode", "a", feats(), 1.0) for _ in range(6)]
    b = [Evidence("decode", "b", feats(), 100.0) for _ in range(6)]
    assert bands.calibrate_margin(a + b, "decode") == bands.MARGIN_STEPS[-1] == 2.0


def test_confidence_gives_each_figure_its_regimes_band_the_right_way_up():
    evidence = (
        spread(10)
        + [Evidence("ttft", "s", feats(), r) for r in (0.5, 0.6, 0.7, 0.8, 0.9, 1.0)]
        + [Evidence("saturation", "s", feats(), r) for r in (1.0, 1.1, 1.2, 1.3, 1.4, 1.5)]
    )
    margins = {"decode": 0.01, "ttft": 0.02}
    figures = {
        "time_to_first_token_seconds": 2.0,
        "seconds_per_output_token": 0.02,
        "tokens_per_second_per_sequence": 50.0,
        "tokens_per_second": 400.0,
        "saturated_output_tokens_per_second": 1000.0,
        "usd_per_1m_output_tokens": None,
    }
    answer = bands.confidence(feats(), figures, evidence, margins)
    assert answer["level"] == bands.LEVEL
    decode = bands.band("decode", feats(), evidence, 0.01)
    ttft = bands.band("ttft", feats(), evidence, 0.02)
    saturation = bands.band("saturation", feats(), evidence, 0.0)
    assert answer["time_to_first_token_seconds"] == {
        "estimate": 2.0,
        "low": 2.0 * ttft.low,
        "high": 2.0 * ttft.high,
        "measurements": 6,
        "basis": ttft.basis,
        "measured_like": True,
    }
    assert (
        answer["seconds_per_output_token"]["low"],
        answer["seconds_per_output_token"]["high"],
    ) == (
        0.02 * decode.low,
        0.02 * decode.high,
    )
    per_seq = answer["tokens_per_second_per_sequence"]
    assert (per_seq["low"], per_seq["high"]) == pytest.approx((50 / decode.high, 50 / decode.low))
    tps = answer["tokens_per_second"]
    assert (tps["low"], tps["high"]) == pytest.approx((400 / decode.high, 400 / decode.low))
    sat = answer["saturated_output_tokens_per_second"]
    assert (sat["low"], sat["high"]) == (1000 * saturation.low, 1000 * saturation.high)
    assert sat["measurements"] == 6 and sat["measured_like"]
    cost = answer["usd_per_1m_output_tokens"]
    assert cost["estimate"] is cost["low"] is cost["high"] is None
    assert cost["measurements"] == 6
