"""Disaggregated prefill and decode (estimator/disaggregated.py): the KV transfer and the
pools by hand, and the planner choosing between it and aggregated serving."""

from __future__ import annotations

import dataclasses
import math

import pytest

from calculator.estimator import Dtype, Workload, timing
from calculator.estimator import disaggregated as D
from calculator.estimator import planner as P
from calculator.estimator.capacity import tpot_bound_batch
from calculator.estimator.scheduler import make_replica
from tests.estimator_fixtures import A100_80GB, H100_SXM, L4, LLAMA_3_8B, ROUND_ENGINE

GPUS = [A100_80GB, H100_SXM, L4]
# Llama 3.1 8B, 16-bit KV: 2 (K and V) x 32 layers x 8 KV heads x 128 x 2 bytes.
KV_BYTES_PER_TOKEN = 2 * 32 * 8 * 128 * 2  # 131,072


def phase(gpu, n=1, dtype=Dtype.BF16, prompt=1000, completion=200) -> D.Phase:
    workload = Workload(
        num_gpus=n, prompt_tokens=prompt, completion_tokens=completion, weights_dtype=dtype
    )
    return D.Phase(gpu, n, make_replica(LLAMA_3_8B, gpu, ROUND_ENGINE, workload), 2.0)


def test_the_kv_transfer_by_hand_over_nvlink_and_the_network():
    nvlink = D.link(H100_SXM, 1, H100_SXM, 1)
    assert (nvlink.name, nvlink.gb_s) == ("nvlink", 450)  # 900 GB/s both ways, per GPU
    moved = D.transfer(LLAMA_3_8B, Dtype.BF16, 1000, nvlink, 1)
    assert moved.bytes == 1000 * KV_BYTES_PER_TOKEN  # 131 MB
    # 131.072e6 B / (450e9 B/s x 0.8) = 0.364 ms, plus 1 ms
    assert moved.seconds == pytest.approx(1e-3 + 131.072e6 / 360e9)
    network = D.transfer(LLAMA_3_8B, Dtype.BF16, 1000, D.Link("network", 50), 2)
    # two GPUs each send half over 400 Gb/s: 131.072e6 / (2 x 50e9 x 0.8) = 1.638 ms
    assert network.seconds == pytest.approx(1e-3 + 1.6384e-3)
    assert D.transfer(LLAMA_3_8B, Dtype.FP8, 1000, nvlink, 1).bytes == moved.bytes / 2


def test_the_link_is_nvlink_only_when_a_replica_of_each_pool_fits_one_node():
    assert D.link(H100_SXM, 4, H100_SXM, 4).name == "nvlink"
    assert D.link(H100_SXM, 4, H100_SXM, 8).name == "network"  # 12 GPUs: two nodes
    assert D.link(H100_SXM, 1, A100_80GB, 1).name == "network"  # two GPU types
    assert D.link(L4, 1, L4, 1).name == "network"  # PCIe cards: no NVLink


def test_the_prefill_queue_waits_by_hand():
    # rho 0.8, S 0.1 s, p95, Poisson: waiting ones wait 0.1 / (2 x 0.2) = 0.25 s on
    # average, and ln(0.8 / 0.05) = 2.77 of that at the 95th percentile: 0.693 s.
    assert D.wait_at(0.8, 0.1, 0.95, 1.0) == pytest.approx(0.25 * math.log(16))
    assert D.wait_at(0.04, 0.1, 0.95, 1.0) == 0  # fewer than 5% wait at all
    assert D.wait_at(0.8, 0.1, 0.95, 2.0) == pytest.approx(4 * 0.25 * math.log(16))  # bursts
    assert D.wait_at(1.0, 0.1, 0.95, 1.0) == math.inf
    waits = [D.wait_at(u / 10, 0.1, 0.95, 1.0) for u in range(1, 10)]
    assert waits == sorted(waits)


def test_the_prefill_pool_is_the_peak_over_a_replicas_rate_at_the_utilization():
    pre = phase(H100_SXM)
    service = timing.prefill_gpu_seconds_per_request(pre.replica.ctx, 1000)
    targets = P.Targets(ttft_s=10.0, tpot_s=0.05)  # loose: the utilization decides
    pool = D.prefill_pool(pre, 100.0, 1000, targets, 10.0, 0.8, 0, P.POISSON)
    assert pool.max_rate_per_replica == pytest.approx(1 / service)
    assert pool.replicas == math.ceil(100.0 * service / 0.8)
    spare = D.prefill_pool(pre, 100.0, 1000, targets, 10.0, 0.8, 1, P.POISSON)
    assert spare.replicas == pool.replicas + 1
    # A tight TTFT budget runs the replicas less busy: more of them, never fewer.
    alone = timing.prefill(pre.replica.ctx, 1, 1000).total
    tight = D.prefill_pool(pre, 100.0, 1000, targets, alone * 1.5, 0.8, 0, P.POISSON)
    assert tight.replicas > pool.replicas
    assert tight.latency_s <= alone * 1.5
    assert D.prefill_pool(pre, 100.0, 1000, targets, alone * 0.9, 0.8, 0, P.POISSON) is None


def test_the_decode_pool_runs_the_largest_batch_within_tpot_and_the_kv_cache():
    dec = phase(H100_SXM)
    targets = P.Targets(ttft_s=1.0, tpot_s=0.02)
    batch, step = tpot_bound_batch(dec.replica, 200, 1000, 0.02)
    assert step <= 0.02 and batch > 1
    pool = D.decode_pool(dec, 50.0, 1000, 200, targets, 0.8, 0)
    # Little's law: batch sequences in flight, each for 200 steps.
    assert pool.max_rate_per_replica == pytest.approx(batch / (200 * step))
    assert pool.replicas == math.ceil(50.0 / (pool.max_rate_per_replica * 0.8))
    assert pool.latency_s <= 0.02
    looser = D.decode_pool(dec, 50.0, 1000, 200, P.Targets(1.0, 0.05), 0.8, 0)
    assert looser.replicas <= pool.replicas
    # Long sequences: the KV cache, not the engine's max_num_seqs, bounds the batch.
    long = phase(A100_80GB, prompt=30000, completion=2000)
    held = long.replica.kv_blocks // math.ceil(32000 / 16)
    assert 1 <= held < long.replica.max_seqs
    capped = D.decode_pool(long, 1.0, 30000, 2000, P.Targets(10.0, 1.0), 0.8, 0)
    batch, step = tpot_bound_batch(long.replica, 2000, 30000, 1.0)
    assert batch > held  # the step alone would allow more
    assert capped.max_rate_per_replica < batch / (2000 * step)
    bounded = dataclasses.replace(long.replica, max_seqs=held)
    assert capped.max_rate_per_replica == pytest.approx(
        held / (2000 * tpot_bound_batch(bounded, 2000, 30000, 1.0)[1])
    )


def test_one_sequence_missing_tpot_alone_has_no_decode_pool():
    assert D.decode_pool(phase(L4), 1.0, 1000, 200, P.Targets(1.0, 1e-4), 0.8, 0) is None


def test_a_prompt_heavy_workload_with_a_tight_tpot_is_cheaper_disaggregated():
    traffic = P.Traffic.at_peak(20.0, 8000, 200)
    result = P.plan(
        LLAMA_3_8B, GPUS, ROUND_ENGINE, traffic, P.Targets(2.0, 0.02), disaggregated=True
    )
    best = result.best
    assert best.disaggregated and best.meets_targets
    together = next(o for o in result.options if o.meets_targets and not o.disaggregated)
    assert best.usd_per_month < together.usd_per_month
    assert best.ttft_s <= 2.0 and best.tpot_s <= 0.02
    pools = best.pools
    assert best.usd_per_hour == pytest.approx(
        pools.prefill.replicas * pools.prefill.gpus_per_replica * pools.prefill.usd_per_gpu_hour
        + pools.decode.replicas * pools.decode.gpus_per_replica * pools.decode.usd_per_gpu_hour
    )
    assert result.disaggregation.startswith("Disaggregated prefill/decode wins")
    plain = best.as_dict()
    assert plain["disaggregated"] is True
    assert set(plain["prefill"]) >= {"gpu", "gpus_per_replica", "replicas", "precision"}
    assert plain["kv_transfer"]["ms"] > 0
    assert result.runner_up is None or not result.runner_up.disaggregated


def test_a_tiny_workload_is_cheaper_aggregated():
    traffic = P.Traffic.at_peak(0.05, 500, 200)
    targets = P.Targets(1.0, 0.05)
    result = P.plan(LLAMA_3_8B, GPUS, ROUND_ENGINE, traffic, targets, disaggregated=True)
    assert not result.best.disaggregated
    assert any(o.disaggregated for o in result.options)  # considered, and dearer
    assert result.disaggregation.startswith("Aggregated serving wins")
    without = P.plan(LLAMA_3_8B, GPUS, ROUND_ENGINE, traffic, targets)
    assert not any(o.disaggregated for o in without.options)
    assert without.disaggregation == "" and without.as_dict()["disaggregation"] is None
    assert without.best.as_dict()["prefill"] is None
