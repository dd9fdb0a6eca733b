"""The capacity of one replica: runs that end early, the fast search against the
reference bisection, and what is remembered."""

from __future__ import annotations

import dataclasses
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from calculator.estimator import Workload
from calculator.estimator import capacity as K
from calculator.estimator.arrivals import Arrivals
from calculator.estimator.limits import MIN_SERVE_RATE
from calculator.estimator.scheduler import run_replica
from calculator.estimator.serving import (
    POISSON,
    LengthSpread,
    Percentiles,
    ServingResult,
    Targets,
    draw_requests,
    misses_deciding,
    percentile,
    replica_saturation_rate,
    summarize,
)
from tests.estimator_fixtures import A100_80GB, H100_SXM, LLAMA_2_70B, LLAMA_3_8B, ROUND_ENGINE

W8 = Workload(num_gpus=1, prompt_tokens=1000, completion_tokens=200)
W70 = Workload(num_gpus=4, prompt_tokens=2000, completion_tokens=300)
TARGETS = Targets(ttft_s=1.0, tpot_s=0.05)


@pytest.fixture(autouse=True)
def cold():
    K.forget_loads()
    yield
    K.forget_loads()


def whole_run_verdict(load: K.ReplicaLoad, rate: float) -> tuple[bool, bool]:
    """The verdict of the run at ``rate`` played to the end (no stop rule)."""
    return load.targets.met_by(whole_run(load, rate))


def whole_run(load: K.ReplicaLoad, rate: float) -> ServingResult:
    """The run at ``rate`` played to the end (no stop rule), summarised by hand: the
    requests of RUN_LIFETIMES lifetimes (within the bounds), the first left out."""
    warmup = math.ceil(rate * load.lifetime_s)
    requests = min(
        max(K.SEARCH_MIN_REQUESTS, math.ceil(rate * load.lifetime_s * K.RUN_LIFETIMES)),
        K.SEARCH_MAX_REQUESTS,
    )
    warmup = min(warmup, requests // 2)
    drawn = draw_requests(
        load.workload,
        rate=rate,
        requests=requests,
        spread=LengthSpread.FIXED,
        seed=K.SEARCH_SEED,
        arrivals=load.arrivals,
        pairs=load.pairs,
    )
    run = run_replica(load.replica, drawn, None)
    return summarize(load.replica, drawn, run, [], warmup)


@pytest.mark.parametrize(
    ("model", "gpu", "workload", "targets"),
    [
        (LLAMA_3_8B, A100_80GB, W8, TARGETS),
        (LLAMA_2_70B, H100_SXM, W70, Targets(ttft_s=0.8, tpot_s=0.06, percentile="p99")),
        (LLAMA_3_8B, H100_SXM, W8, Targets(ttft_s=0.3, tpot_s=0.02, percentile="p50")),
    ],
)
def test_a_run_that_ends_early_gives_the_whole_runs_verdict(model, gpu, workload, targets):
    load = K.replica_load(model, gpu, ROUND_ENGINE, workload, targets)
    stopped = 0
    for share in (0.2, 0.5, 0.8, 0.95, 1.0, 1.05, 1.2, 1.6, 3.0):
        rate = load.bound * share
        trial = load.trial(rate)
        ttft_ok, tpot_ok = whole_run_verdict(load, rate)
        assert trial.ok == (ttft_ok and tpot_ok), rate
        if trial.result is None:  # ended early: the target it named is missed
            stopped += 1
            assert not (ttft_ok if not trial.ttft_ok else tpot_ok)
    assert stopped  # some rates are far enough past capacity to end early


@given(
    values=st.lists(st.floats(0, 10, allow_nan=False), min_size=1, max_size=60),
    limit=st.floats(0, 10, allow_nan=False),
    q=st.sampled_from([50, 90, 95, 99]),
)
def test_the_misses_that_decide_a_percentile_put_it_past_the_limit(values, limit, q):
    misses = sum(v > limit for v in values)
    if misses >= misses_deciding(len(values), q):
        assert percentile(sorted(values), q) > limit


def test_no_values_never_decide_a_percentile():
    assert misses_deciding(0, 95) > 0
    assert math.isnan(Percentiles.of([]).p95)


@pytest.mark.parametrize(
    ("model", "gpu", "workload"),
    [(LLAMA_3_8B, A100_80GB, W8), (LLAMA_2_70B, H100_SXM, W70)],
)
def test_the_fast_search_lands_within_its_tolerance_of_the_reference(model, gpu, workload):
    fast = K.replica_load(model, gpu, ROUND_ENGINE, workload, TARGETS)
    found = fast.capacity()
    runs = fast.simulated
    K.forget_loads()
    slow = K.replica_load(model, gpu, ROUND_ENGINE, workload, TARGETS)
    reference = slow.capacity(K.REFERENCE_TOLERANCE)
    assert found.missed - found.rate <= K.SEARCH_TOLERANCE * found.rate
    assert found.rate == pytest.approx(reference.rate, rel=K.SEARCH_TOLERANCE * 1.5)
    assert found.at_rate.ok
    assert runs < slow.simulated


def test_a_search_that_finds_no_rate_within_the_targets_gives_up_at_the_floor():
    # TTFT barely above one request's own: any queueing misses it.
    load = K.replica_load(LLAMA_2_70B, H100_SXM, ROUND_ENGINE, W70, TARGETS)
    alone = load.alone().ttft_s.mean
    strict = Targets(ttft_s=alone * 1.0001, tpot_s=1.0)
    load = K.replica_load(LLAMA_2_70B, H100_SXM, ROUND_ENGINE, W70, strict)
    found = load.capacity()
    assert not found.meets_at_some_load
    assert found.missed <= load.bound * K.LOWEST_SHARE_OF_BOUND


def test_each_rate_is_simulated_once_and_each_load_made_once():
    load = K.replica_load(LLAMA_3_8B, A100_80GB, ROUND_ENGINE, W8, TARGETS)
    first = load.trial(3.0)
    assert load.trial(3.0) is first
    assert load.simulated == 1
    # The same configuration at another catalog price is the same load.
    repriced = dataclasses.replace(A100_80GB, hourly_usd=99.0)
    assert K.replica_load(LLAMA_3_8B, repriced, ROUND_ENGINE, W8, TARGETS) is load
    # Other targets are another.
    assert K.replica_load(LLAMA_3_8B, A100_80GB, ROUND_ENGINE, W8, Targets(2.0, 0.05)) is not load


def test_the_memo_forgets_the_least_recently_used(monkeypatch):
    monkeypatch.setattr(K, "MEMO_LOADS", 2)
    first = K.replica_load(LLAMA_3_8B, A100_80GB, ROUND_ENGINE, W8, TARGETS)
    K.replica_load(LLAMA_3_8B, A100_80GB, ROUND_ENGINE, W8, Targets(2.0, 0.05))
    K.replica_load(LLAMA_3_8B, A100_80GB, ROUND_ENGINE, W8, Targets(3.0, 0.05))
    assert K.replica_load(LLAMA_3_8B, A100_80GB, ROUND_ENGINE, W8, TARGETS) is not first


# The work budget: what is left, what is spent, and the limit itself allowed.


def test_a_work_budget_counts_down_what_is_spent_and_allows_the_limit_exactly():
    assert K.Work().allowance() is None  # no limit
    K.Work().spend(10**9)  # no limit: never raises
    work = K.Work(100)
    assert work.allowance() == 100
    work.spend(30)
    work.spend(30)
    assert (work.spent, work.allowance()) == (60, 40)
    work.spend(40)  # exactly the limit is allowed
    assert work.allowance() == 0
    with pytest.raises(K.WorkLimitExceeded) as raised:
        work.spend(1)
    assert raised.value.field == "steps"
    assert raised.value.message == "More than 100 simulation steps."
    assert work.allowance() == 0  # overspent: none left, never negative


# The TPOT bound: a stand-in replica whose decode step is a known line in the batch and
# the context, so the largest batch within the target is worked by hand.


@dataclasses.dataclass
class LineReplica:
    """A decode step of base + per_seq x batch + per_token x context seconds."""

    max_seqs: int
    base: float = 0.010
    per_seq: float = 0.001
    per_token: float = 0.0
    contexts: list = dataclasses.field(default_factory=list)

    def seconds_per_token(self, batch: int, context: float) -> float:
        self.contexts.append(context)
        return self.base + self.per_seq * batch + self.per_token * context


@pytest.mark.parametrize("max_seqs", [20, 37, 64, 256])
@pytest.mark.parametrize("largest", [1, 2, 3, 7, 19, 20])
def test_the_tpot_bound_is_the_largest_batch_exactly_at_the_target(max_seqs, largest):
    # step(b) = 10 ms + 1 ms x b: the target set to step(largest) exactly, so `largest`
    # fits and `largest + 1` does not (binary fractions avoided: integers of microseconds).
    replica = LineReplica(max_seqs, base=0.010, per_seq=0.001)
    target = replica.seconds_per_token(largest, 0)
    batch, step = K.tpot_bound_batch(replica, 100, 1000, target)
    assert batch == min(largest, max_seqs)
    assert step == replica.seconds_per_token(batch, 0)
    assert step <= target
    if batch < max_seqs:
        assert replica.seconds_per_token(batch + 1, 0) > target
    # A hair under the target: the batch one smaller (none when one sequence misses).
    below = K.tpot_bound_batch(replica, 100, 1000, math.nextafter(target, 0))
    assert below[0] == min(largest, max_seqs + 1) - 1
    if below[0] == 0:
        assert below[1] == math.inf


def test_the_tpot_bound_takes_the_whole_replica_when_every_batch_fits():
    replica = LineReplica(48, base=0.010, per_seq=0.001)
    assert K.tpot_bound_batch(replica, 100, 1000, replica.seconds_per_token(48, 0)) == (
        48,
        replica.seconds_per_token(48, 0),
    )


def test_the_tpot_bound_steps_at_the_completions_mean_context():
    replica = LineReplica(8, per_token=1e-6)
    K.tpot_bound_batch(replica, completion=300, prompt=2000, tpot_s=1.0)
    assert set(replica.contexts) == {2000 + 300 / 2}


def test_the_tpot_bound_rate_is_littles_law_and_zero_when_one_sequence_misses():
    replica = LineReplica(64, base=0.010, per_seq=0.001)
    # Batch 15 fits 25 ms: 15 sequences in flight for 200 tokens x 25 ms = 5 s each.
    rate = K.tpot_bound_rate(replica, 200, 1000, 0.025)
    assert rate == pytest.approx(15 / (200 * 0.025))
    assert K.tpot_bound_rate(replica, 200, 1000, 0.005) == 0.0


# A load: its bound, its runs, and what it remembers.


def test_a_loads_bound_is_its_analytic_capacity_with_the_margin():
    load = K.replica_load(LLAMA_3_8B, A100_80GB, ROUND_ENGINE, W8, TARGETS)
    # A request that just meets the targets lives TTFT + 199 x TPOT.
    assert load.lifetime_s == pytest.approx(1.0 + 199 * 0.05)
    analytic = min(
        replica_saturation_rate(load.replica, W8),
        K.tpot_bound_rate(load.replica, 200, 1000, TARGETS.tpot_s),
    )
    assert load.bound == pytest.approx(analytic * K.CAPACITY_MARGIN)
    assert load.capacity().bound == load.bound


def test_only_a_one_token_answer_has_no_tpot_bound():
    hopeless = Targets(ttft_s=1.0, tpot_s=1e-9)  # no decode step is that fast
    one = Workload(num_gpus=1, prompt_tokens=1000, completion_tokens=1)
    load = K.replica_load(LLAMA_3_8B, A100_80GB, ROUND_ENGINE, one, hopeless)
    saturated = replica_saturation_rate(load.replica, one)
    assert load.bound == pytest.approx(saturated * K.CAPACITY_MARGIN)
    two = dataclasses.replace(one, completion_tokens=2)
    assert K.replica_load(LLAMA_3_8B, A100_80GB, ROUND_ENGINE, two, hopeless).bound == (
        MIN_SERVE_RATE
    )


def test_one_request_alone_is_simulated_once_and_its_steps_spent():
    load = K.replica_load(LLAMA_3_8B, A100_80GB, ROUND_ENGINE, W8, TARGETS)
    work = K.Work()
    alone = load.alone(work)
    assert alone.completed == 1
    assert work.spent == alone.steps > 0
    assert load.alone(work) is alone
    assert work.spent == alone.steps  # remembered: no more spent


PAIRS = ((500, 100), (1500, 300))


@pytest.mark.parametrize(
    ("targets", "arrivals", "pairs", "rate"),
    [
        (TARGETS, POISSON, (), 1.0),  # the least requests
        (TARGETS, POISSON, (), 5.0),  # six lifetimes' worth, over the least
        # A long lifetime (100 s to the first token): the most requests, and a warm-up
        # of 440 requests, over a third of them but under half.
        (Targets(ttft_s=100.0, tpot_s=0.05), POISSON, (), 4.0),
        (TARGETS, Arrivals("gamma", 3.0), (), 1.0),
        (TARGETS, Arrivals("gamma", 3.0), (), 2.5),
        (TARGETS, POISSON, PAIRS, 1.0),
        (TARGETS, POISSON, PAIRS, 2.5),
    ],
)
def test_a_run_that_meets_the_targets_is_the_whole_run_less_its_warmup(
    targets, arrivals, pairs, rate
):
    load = K.replica_load(LLAMA_3_8B, A100_80GB, ROUND_ENGINE, W8, targets, arrivals, pairs)
    assert (load.arrivals, load.pairs) == (arrivals, pairs)
    trial = load.trial(rate)
    assert trial.rate == rate
    assert trial.result == whole_run(load, rate)  # every field but the timeline and steps
    assert trial.result.timeline == K.Timeline((), (), ())  # remembered without it


def test_a_run_that_ends_early_is_remembered_at_its_rate():
    load = K.replica_load(LLAMA_3_8B, A100_80GB, ROUND_ENGINE, W8, TARGETS)
    trial = load.trial(load.bound)
    assert trial.result is None  # ended early: sure to miss
    assert not trial.ok
    assert trial.rate == load.bound


def test_a_run_over_its_allowance_stops_there():
    load = K.replica_load(LLAMA_3_8B, A100_80GB, ROUND_ENGINE, W8, TARGETS)
    whole = load.trial(4.0).result.steps
    K.forget_loads()
    load = K.replica_load(LLAMA_3_8B, A100_80GB, ROUND_ENGINE, W8, TARGETS)
    work = K.Work(50)
    with pytest.raises(K.WorkLimitExceeded):
        load.trial(4.0, work)
    assert 50 < work.spent <= 52 < whole  # stopped at the allowance, not played out
    assert load.trials == {}  # nothing remembered


def test_a_search_spends_from_the_work_given_and_is_remembered():
    load = K.replica_load(LLAMA_3_8B, A100_80GB, ROUND_ENGINE, W8, TARGETS)
    with pytest.raises(K.WorkLimitExceeded):
        load.capacity(work=K.Work(100))
    K.forget_loads()
    load = K.replica_load(LLAMA_3_8B, A100_80GB, ROUND_ENGINE, W8, TARGETS)
    work = K.Work()
    found = load.capacity(work=work)
    assert work.spent >= sum(t.result.steps for t in load.trials.values() if t.result) > 0
    assert load.capacity() is found
    # The search stops as soon as it is within its tolerance: one halving fewer would not
    # be (the interval halves each run, and the rate moves by less than the tolerance).
    width = found.missed - found.rate
    assert K.SEARCH_TOLERANCE * found.rate / 4 < width <= K.SEARCH_TOLERANCE * found.rate


def test_a_load_is_made_once_and_the_memo_holds_as_many_as_it_may(monkeypatch):
    made = []
    real = K.make_replica
    monkeypatch.setattr(K, "make_replica", lambda *a: made.append(a) or real(*a))
    monkeypatch.setattr(K, "MEMO_LOADS", 2)
    first = K.replica_load(LLAMA_3_8B, A100_80GB, ROUND_ENGINE, W8, TARGETS)
    second = K.replica_load(LLAMA_3_8B, A100_80GB, ROUND_ENGINE, W8, Targets(2.0, 0.05))
    assert K.replica_load(LLAMA_3_8B, A100_80GB, ROUND_ENGINE, W8, TARGETS) is first
    assert K.replica_load(LLAMA_3_8B, A100_80GB, ROUND_ENGINE, W8, Targets(2.0, 0.05)) is second
    assert len(made) == 2


def test_a_replica_that_meets_the_targets_only_below_one_request_a_second_is_searched():
    # 8,000-token prompts and 2,000-token answers: a capacity of a fraction of a request/s.
    long = Workload(num_gpus=1, prompt_tokens=8000, completion_tokens=2000)
    load = K.replica_load(LLAMA_3_8B, A100_80GB, ROUND_ENGINE, long, Targets(5.0, 0.05))
    found = load.capacity()
    assert 0 < found.rate < 1
    assert found.missed - found.rate <= K.SEARCH_TOLERANCE * found.rate
