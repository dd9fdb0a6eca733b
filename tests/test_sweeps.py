"""What-ifs around one estimate: batch sweeps and the GPU comparison, as estimator
functions with their own rules."""

from __future__ import annotations

import dataclasses

from calculator.estimator import Workload, compare_gpus, estimate, pricing, sweep_batches
from tests.estimator_fixtures import A100_80GB, H100_SXM, L4, LLAMA_2_70B, LLAMA_3_8B, ROUND_ENGINE

UNPRICED = dataclasses.replace(L4, slug="l4-unpriced", hourly_usd=None)


def test_a_batch_sweep_reuses_the_estimate_it_was_given_and_grows_throughput():
    workload = Workload(batch_size=4)
    known = estimate(LLAMA_3_8B, H100_SXM, ROUND_ENGINE, workload)
    series = sweep_batches(LLAMA_3_8B, H100_SXM, ROUND_ENGINE, workload, [1, 4, 16], known)
    assert [b for b, _ in series] == [1, 4, 16]
    assert series[1][1] is known
    speeds = [e.decode.tokens_per_second for _, e in series]
    assert speeds == sorted(speeds)
    assert series[0][1].batch == 1 and not series[0][1].trace


def test_gpus_are_compared_on_the_fewest_that_hold_the_workload_cheapest_first():
    workload = Workload(num_gpus=8, batch_size=1, prompt_tokens=1000, completion_tokens=500)
    options = compare_gpus(
        LLAMA_2_70B,
        [L4, UNPRICED, H100_SXM, A100_80GB],
        ROUND_ENGINE,
        workload,
        batch=1,
        seq_len=1500,
        chosen=H100_SXM.slug,
    )
    by_slug = {o.gpu.slug: o for o in options}
    assert by_slug["h100-sxm"].current and by_slug["h100-sxm"].num_gpus == 2
    assert by_slug["l4"].num_gpus == 8
    priced = [o.usd_per_1m_output_tokens for o in options if o.usd_per_1m_output_tokens]
    assert priced == sorted(priced)
    assert options[-1].gpu.slug == "l4-unpriced"  # no price sorts after every priced GPU


def test_each_gpu_is_priced_by_the_price_function_for_the_count_that_holds_it():
    asked = []

    def price(gpu, count):
        asked.append((gpu.slug, count))
        if gpu.slug == A100_80GB.slug:
            return pricing.typed_price(99.0, count)
        return pricing.catalog_price(gpu, count)

    workload = Workload(batch_size=1, gpu_hourly_usd=1234.0)  # not used: the function prices
    options = compare_gpus(
        LLAMA_3_8B, [H100_SXM, A100_80GB], ROUND_ENGINE, workload,
        batch=1, seq_len=1500, chosen=A100_80GB.slug, price=price,
    )  # fmt: skip
    by_slug = {o.gpu.slug: o for o in options}
    assert asked == [("h100-sxm", 1), ("a100-80gb-sxm", 1)]
    assert by_slug["a100-80gb-sxm"].price.usd_per_gpu_hour == 99.0
    assert by_slug["h100-sxm"].price.usd_per_gpu_hour == H100_SXM.hourly_usd
    assert by_slug["h100-sxm"].estimate.cost.usd_per_gpu_hour == H100_SXM.hourly_usd
    assert options[0].gpu.slug == "h100-sxm"


def test_a_gpu_on_which_nothing_fits_comes_last_without_an_estimate():
    huge = dataclasses.replace(LLAMA_2_70B, slug="huge", num_layers=80 * 40)
    options = compare_gpus(
        huge, [L4, H100_SXM], ROUND_ENGINE, Workload(), batch=1, seq_len=1500, chosen="l4"
    )
    assert all(o.estimate is None and o.num_gpus is None for o in options)
