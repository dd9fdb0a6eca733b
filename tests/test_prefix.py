"""Prefix caching (estimator/prefix.py): cached prompt tokens skip their prefill, still
fill KV blocks (a shared prefix's once) and are attended to. Hand-worked examples,
monotonicity, and the planner's example with a shared system prompt."""

from __future__ import annotations

import dataclasses

import pytest

from calculator.estimator import EstimatorInputError, Workload, estimate, prefix, simulate
from calculator.estimator import capacity as K
from calculator.estimator import planner as P
from calculator.estimator.cost import api_request_usd
from calculator.estimator.memory import MemoryPlan
from calculator.estimator.specs import ApiOffering
from calculator.estimator.step import make_context, step_time
from calculator.estimator.timing import prefill
from tests.estimator_fixtures import A100_80GB, H100_SXM, LLAMA_3_8B, ROUND_ENGINE

CHAT = Workload(num_gpus=1, prompt_tokens=2000, completion_tokens=300)


def with_prefix(shared: int = 0, hit_rate: float = 0.0, **changes) -> Workload:
    return dataclasses.replace(
        CHAT, shared_prefix_tokens=shared, prefix_hit_rate=hit_rate, **changes
    )


# Section: what the cache gives a prompt


def test_only_whole_blocks_of_16_tokens_are_cached():
    # 1,500 // 16 = 93 blocks = 1,488 tokens; the prefill computes the other 512.
    use = prefix.use(2000, 1500)
    assert (use.shared, use.cached, use.computed) == (1488, 1488, 512)
    # Pairs of the 512 computed tokens: (2000^2 - 1488^2) / 2 = 892,928.
    assert use.attention_pairs == 892_928


def test_a_hit_rate_caches_a_share_of_each_prompt_but_shares_nothing():
    use = prefix.use(2000, 0, 0.5)  # 1,000 tokens: 62 blocks = 992
    assert (use.shared, use.cached) == (0, 992)


def test_with_both_the_larger_is_cached_and_only_the_prefix_is_shared():
    assert prefix.use(2000, 480, 0.9) == prefix.PrefixUse(2000, 480, 1792)
    assert prefix.use(2000, 1600, 0.25) == prefix.PrefixUse(2000, 1600, 1600)


def test_a_prompt_found_whole_still_computes_its_last_token():
    # 100 tokens: at most 99 cached, in whole blocks 96.
    assert prefix.use(100, 100).cached == 96
    assert prefix.use(100, 0, 1.0).cached == 96


def test_a_shared_prefix_longer_than_the_prompt_is_refused():
    with pytest.raises(EstimatorInputError) as error:
        estimate(LLAMA_3_8B, H100_SXM, ROUND_ENGINE, with_prefix(2001))
    assert error.value.field == "shared_prefix_tokens"
    assert "2,000" in error.value.message


@pytest.mark.parametrize("rate", [-0.1, 1.5])
def test_a_hit_rate_outside_0_to_1_is_refused(rate):
    with pytest.raises(EstimatorInputError) as error:
        estimate(LLAMA_3_8B, H100_SXM, ROUND_ENGINE, with_prefix(0, rate))
    assert error.value.field == "prefix_hit_rate"


# Section: memory, by hand


PLAN = MemoryPlan(
    weights=0, activations=0, overhead=0, kv_per_token=1000, capacity=1e6, physical=1e6
)


def test_a_shared_prefix_is_held_once_in_the_batchs_kv_cache():
    # 5 sequences of 100 tokens sharing 60: 5 x 40 own tokens + 60 once = 260 tokens.
    assert PLAN.kv_cache(100, 5, shared=60) == 260_000
    assert PLAN.kv_cache(100, 5) == 500_000


def test_a_shared_prefix_lets_more_sequences_fit():
    # (1,000,000 - 60,000) // 40,000 = 23 sequences, against 1,000,000 // 100,000 = 10.
    assert PLAN.max_batch(100, shared=60) == 23
    assert PLAN.max_batch(100) == 10


def test_the_estimate_holds_the_prefix_once_and_says_so():
    plain = estimate(LLAMA_3_8B, H100_SXM, ROUND_ENGINE, with_prefix(0, batch_size=8))
    cached = estimate(LLAMA_3_8B, H100_SXM, ROUND_ENGINE, with_prefix(1500, batch_size=8))
    # Llama 3.1 8B in 16-bit: 32 layers x 8 KV heads x 128 x 2 (K, V) x 2 B = 131,072 B
    # a token; 7 of the 8 sequences don't hold their 1,488 shared tokens.
    saved = 7 * 1488 * 131_072
    assert plain.memory.kv_cache_bytes - cached.memory.kv_cache_bytes == pytest.approx(saved)
    assert cached.memory.max_batch > plain.memory.max_batch
    step = next(s for s in cached.trace if s.label == "KV cache of the shared prefix held once")
    assert step.value == pytest.approx(saved)


# Section: time, by hand


def test_the_prefill_computes_the_uncached_tokens_attending_to_the_whole_prompt():
    ctx = make_context(LLAMA_3_8B, H100_SXM, ROUND_ENGINE, CHAT)
    cached = prefill(ctx, 1, 2000, cached=1488)
    alone = step_time(ctx, prefill_tokens=512, prefill_sequences=1, prefill_attention=892_928)
    assert cached.compute == pytest.approx(alone.compute)
    # Compute-bound prefill: 512 tokens at 2 x 7.5e9 FLOPs each, about a quarter of the
    # 2,000-token prompt's (which also pays 4x the attention pairs).
    whole = prefill(ctx, 1, 2000)
    assert 0.2 < cached.compute / whole.compute < 0.3
    # The weights are read once either way (one chunk).
    assert cached.memory == pytest.approx(whole.memory)


def test_ttft_of_the_estimate_falls_by_the_compute_skipped():
    plain = estimate(LLAMA_3_8B, A100_80GB, ROUND_ENGINE, CHAT)
    cached = estimate(LLAMA_3_8B, A100_80GB, ROUND_ENGINE, with_prefix(1500))
    assert cached.prefill.seconds < 0.5 * plain.prefill.seconds
    # Decode reads the whole context either way.
    assert cached.decode.seconds_per_token == pytest.approx(plain.decode.seconds_per_token)


@pytest.mark.parametrize("gpu", [A100_80GB, H100_SXM])
def test_more_prefix_hits_never_raise_ttft(gpu):
    ttfts = [
        estimate(LLAMA_3_8B, gpu, ROUND_ENGINE, with_prefix(0, r / 20)).prefill.seconds
        for r in range(21)
    ]
    assert all(b <= a for a, b in zip(ttfts, ttfts[1:], strict=False))
    assert ttfts[-1] < ttfts[0]
    shared = [
        estimate(LLAMA_3_8B, gpu, ROUND_ENGINE, with_prefix(s)).prefill.seconds
        for s in range(0, 2001, 100)
    ]
    assert all(b <= a for a, b in zip(shared, shared[1:], strict=False))


def test_more_prefix_hits_never_raise_ttft_under_load():
    ttfts = [
        simulate(
            LLAMA_3_8B, H100_SXM, ROUND_ENGINE, with_prefix(s), rate=8.0, requests=200
        ).ttft_s.p50
        for s in (0, 500, 1000, 1500, 1984)
    ]
    assert all(b <= a for a, b in zip(ttfts, ttfts[1:], strict=False))
    assert ttfts[-1] < 0.5 * ttfts[0]


def test_the_cache_raises_throughput_and_lowers_the_cost():
    priced = dataclasses.replace(CHAT, batch_size=None, gpu_hourly_usd=2.0)
    plain = estimate(LLAMA_3_8B, H100_SXM, ROUND_ENGINE, priced)
    cached = estimate(
        LLAMA_3_8B, H100_SXM, ROUND_ENGINE, dataclasses.replace(priced, shared_prefix_tokens=1500)
    )
    assert cached.cost.saturated_output_tokens_per_second > (
        plain.cost.saturated_output_tokens_per_second
    )
    assert cached.cost.usd_per_1m_output_tokens < plain.cost.usd_per_1m_output_tokens


def test_the_simulator_holds_the_shared_prefix_once():
    # A replica's pool loses the prefix's blocks once; each request then holds only its
    # own tokens, so more requests run at once.
    plain = simulate(LLAMA_3_8B, H100_SXM, ROUND_ENGINE, CHAT, rate=1.0, requests=5)
    cached = simulate(LLAMA_3_8B, H100_SXM, ROUND_ENGINE, with_prefix(1500), rate=1.0, requests=5)
    assert plain.kv_cache_blocks - cached.kv_cache_blocks == 1488 // 16


# Section: the price of cached input at an API


def test_an_api_bills_cached_input_at_its_cache_read_price():
    api = ApiOffering(
        "x", "X", input_usd_per_1m=3.0, output_usd_per_1m=15.0, cached_input_usd_per_1m=0.3
    )
    # 512 x 3 + 1,488 x 0.3 + 300 x 15 = 6,482.4 USD per 1M requests.
    assert api_request_usd(api, 2000, 300, 1488) == pytest.approx(6482.4e-6)
    no_cache_price = dataclasses.replace(api, cached_input_usd_per_1m=None)
    assert api_request_usd(no_cache_price, 2000, 300, 1488) == pytest.approx(
        api_request_usd(api, 2000, 300)
    )


# Section: the planner


def test_a_shared_system_prompt_makes_the_plan_cheaper():
    """1,500 of each 2,000-token prompt shared: cheaper than without (the example's
    lengths on the test engine)."""
    traffic = P.Traffic.at_peak(3.0, 2000, 300)
    targets = P.Targets(ttft_s=1.0, tpot_s=0.05)
    K.forget_loads()
    plain = P.plan(LLAMA_3_8B, [H100_SXM, A100_80GB], ROUND_ENGINE, traffic, targets)
    shared = dataclasses.replace(traffic, shared_prefix_tokens=1500)
    cached = P.plan(LLAMA_3_8B, [H100_SXM, A100_80GB], ROUND_ENGINE, shared, targets)
    assert cached.best.max_rate_per_replica > plain.best.max_rate_per_replica
    assert cached.best.usd_per_month <= plain.best.usd_per_month


def test_the_planner_refuses_a_shared_prefix_longer_than_the_prompt():
    traffic = dataclasses.replace(P.Traffic.at_peak(3.0, 2000, 300), shared_prefix_tokens=2500)
    with pytest.raises(EstimatorInputError) as error:
        P.plan(LLAMA_3_8B, [H100_SXM], ROUND_ENGINE, traffic, P.Targets(1.0, 0.05))
    assert error.value.field == "shared_prefix_tokens"


def test_the_plan_says_why_a_prefix_cache_makes_it_cheaper():
    traffic = dataclasses.replace(P.Traffic.at_peak(3.0, 2000, 300), shared_prefix_tokens=1500)
    result = P.plan(LLAMA_3_8B, [H100_SXM], ROUND_ENGINE, traffic, P.Targets(1.0, 0.05))
    (why,) = [w for w in result.warnings if w.startswith("Prefix cache")]
    assert "1,488 of each 2,000-token prompt" in why and "512 tokens (26%)" in why
