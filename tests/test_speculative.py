"""Speculative decoding (estimator/speculative.py): tokens per verification, draft and
verification through the step time, where it helps (batch 1) and where it hurts (a full
batch), and the inputs it refuses."""

from __future__ import annotations

import dataclasses

import pytest

from calculator.estimator import EstimatorInputError, Workload, estimate, simulate
from calculator.estimator import speculative as S
from calculator.estimator.step import make_context, step_time
from tests.estimator_fixtures import H100_SXM, LLAMA_2_7B, LLAMA_2_70B, LLAMA_3_8B, ROUND_ENGINE

ONE = Workload(num_gpus=1, batch_size=1, prompt_tokens=1000, completion_tokens=300)


def speculating(method: str = "eagle", base: Workload = ONE, **changes) -> Workload:
    return dataclasses.replace(base, speculative=method, **changes)


# Section: tokens per verification (Leviathan et al. 2023)


def test_tokens_per_verification_by_hand():
    # a = 0.8, k = 3: (1 - 0.8^4) / 0.2 = (1 - 0.4096) / 0.2 = 2.952
    assert S.tokens_per_step(0.8, 3) == pytest.approx(2.952)
    # a = 0.85, k = 1 (DeepSeek-V3's MTP): 1 + 0.85
    assert S.tokens_per_step(0.85, 1) == pytest.approx(1.85)
    assert S.tokens_per_step(0.0, 5) == 1.0
    assert S.tokens_per_step(1.0, 5) == 6.0


def test_each_method_has_its_cited_default():
    spec = S.of(LLAMA_3_8B, speculating("mtp"))
    assert (spec.tokens, spec.acceptance) == (1, 0.85)
    spec = S.of(LLAMA_3_8B, speculating("eagle"))
    assert (spec.tokens, spec.acceptance) == (3, 0.8)
    assert spec.drafter.num_layers == 1 and spec.drafter.hidden_size == LLAMA_3_8B.hidden_size


# Section: time


def test_a_cycle_is_the_drafts_and_one_verification_of_k_plus_one_tokens():
    ctx = make_context(LLAMA_3_8B, H100_SXM, ROUND_ENGINE, ONE)
    spec = S.of(LLAMA_3_8B, speculating("eagle"))
    drafter = make_context(spec.drafter, H100_SXM, ROUND_ENGINE, ONE)
    cycle = S.cycle(ctx, drafter, spec, 1, 1150)
    verify = step_time(ctx, decode_sequences=4, decode_context=4 * 1150, queries_per_sequence=4)
    plain = step_time(ctx, decode_sequences=1, decode_context=1150)
    # The verification reads the weights and the cache once, like a plain step: at batch 1
    # it costs about as much, for 2.952 tokens on average.
    assert verify.memory == pytest.approx(plain.memory)
    assert verify.compute == pytest.approx(4 * plain.compute)
    assert cycle.verify == pytest.approx(verify.total)
    # Three draft steps of the EAGLE head, each reading one Llama 3.1 8B layer (218M
    # parameters: attention 41.9M, MLP 176.2M) and the LM head (128,256 x 4,096 = 525M) in
    # 16-bit: 1.487 GB at 3,350 GB/s x 0.5 = 0.888 ms, so 2.66 ms (and a sliver of cache).
    assert cycle.draft == pytest.approx(3 * 1.487e9 / 1.675e12, rel=0.01)
    assert cycle.seconds_per_token == pytest.approx(cycle.seconds / 2.952)


@pytest.mark.parametrize(
    ("method", "extra"), [("eagle", {}), ("mtp", {}), ("draft", {"draft_model": LLAMA_2_7B})]
)
def test_acceptance_zero_is_slower_than_no_speculation(method, extra):
    base = dataclasses.replace(ONE, num_gpus=2)
    slow = estimate(
        LLAMA_2_70B, H100_SXM, ROUND_ENGINE, speculating(method, base, acceptance_rate=0.0, **extra)
    )
    plain = estimate(LLAMA_2_70B, H100_SXM, ROUND_ENGINE, base)
    assert slow.decode.seconds_per_token > plain.decode.seconds_per_token
    assert slow.speculative.speedup < 1


def test_it_helps_at_batch_1_and_hurts_at_a_full_batch():
    short = Workload(num_gpus=1, prompt_tokens=100, completion_tokens=100)
    alone = estimate(LLAMA_3_8B, H100_SXM, ROUND_ENGINE, speculating("eagle", short, batch_size=1))
    full = estimate(LLAMA_3_8B, H100_SXM, ROUND_ENGINE, speculating("eagle", short, batch_size=512))
    assert alone.speculative.speedup > 2
    assert full.speculative.speedup < 1
    assert full.decode.bound == "compute"


def test_the_speedup_falls_once_the_batch_turns_compute_bound():
    """Flat (about 2.33x) while the verification is memory-bound, up to batch ~100 here;
    then it computes k + 1 tokens a sequence and the speedup falls below 1."""
    short = Workload(num_gpus=1, prompt_tokens=100, completion_tokens=100)
    speedups = [
        estimate(
            LLAMA_3_8B, H100_SXM, ROUND_ENGINE, speculating("eagle", short, batch_size=b)
        ).speculative.speedup
        for b in (128, 192, 256, 384, 512)
    ]
    assert speedups == sorted(speedups, reverse=True)
    assert speedups[-1] < 1


def test_more_acceptance_never_slows_decoding():
    times = [
        estimate(
            LLAMA_3_8B, H100_SXM, ROUND_ENGINE, speculating("eagle", acceptance_rate=a / 10)
        ).decode.seconds_per_token
        for a in range(11)
    ]
    assert all(b <= a for a, b in zip(times, times[1:], strict=False))


def test_the_drafter_takes_memory():
    plain = estimate(LLAMA_3_8B, H100_SXM, ROUND_ENGINE, ONE)
    eagle = estimate(LLAMA_3_8B, H100_SXM, ROUND_ENGINE, speculating("eagle"))
    # One Llama 3.1 8B layer in 16-bit: 4 x 4096^2 x (1 + 2 x 8/32) / 2 ... about 0.44 GB
    # (its embedding and head are the model's own).
    extra = eagle.memory.weights_bytes - plain.memory.weights_bytes
    assert 0.3e9 < extra < 0.6e9
    assert eagle.memory.max_batch < plain.memory.max_batch


def test_the_simulator_speculates_too():
    plain = simulate(LLAMA_3_8B, H100_SXM, ROUND_ENGINE, ONE, concurrency=1, requests=3)
    eagle = simulate(
        LLAMA_3_8B, H100_SXM, ROUND_ENGINE, speculating("eagle"), concurrency=1, requests=3
    )
    assert eagle.tpot_s.p50 < 0.5 * plain.tpot_s.p50
    assert eagle.output_tokens_per_second > plain.output_tokens_per_second


# Section: what it refuses


def test_a_draft_larger_than_the_model_is_refused():
    with pytest.raises(EstimatorInputError) as error:
        estimate(LLAMA_3_8B, H100_SXM, ROUND_ENGINE, speculating("draft", draft_model=LLAMA_2_70B))
    assert error.value.field == "draft_model"
    assert "must be smaller than Llama 3.1 8B" in error.value.message


def test_a_draft_with_another_vocabulary_is_refused():
    with pytest.raises(EstimatorInputError) as error:
        estimate(
            LLAMA_2_70B,
            H100_SXM,
            ROUND_ENGINE,
            speculating("draft", dataclasses.replace(ONE, num_gpus=2), draft_model=LLAMA_3_8B),
        )
    assert error.value.field == "draft_model" and "vocabulary" in error.value.message


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"speculative": "draft"}, "draft_model"),
        ({"speculative": "medusa"}, "speculative"),
        ({"speculative": "eagle", "num_speculative_tokens": 0}, "num_speculative_tokens"),
        ({"speculative": "eagle", "num_speculative_tokens": 17}, "num_speculative_tokens"),
        ({"speculative": "eagle", "acceptance_rate": 1.5}, "acceptance_rate"),
        ({"speculative": "eagle", "draft_model": LLAMA_3_8B}, "draft_model"),
        ({"acceptance_rate": 0.5}, "acceptance_rate"),  # only with a method
    ],
)
def test_bad_combinations_are_refused_naming_the_field(changes, field):
    with pytest.raises(EstimatorInputError) as error:
        estimate(LLAMA_3_8B, H100_SXM, ROUND_ENGINE, dataclasses.replace(ONE, **changes))
    assert error.value.field == field
