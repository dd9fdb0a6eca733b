"""Time the serving simulator: 1,000 requests on one configuration.

Run from the repository root: `.venv/bin/python bench/serving.py [N]`. It migrates a
throw-away SQLite database (the seed catalog comes with the migrations), then simulates
1,000 Poisson requests of Llama 3.1 70B on 4 x H100 SXM with vLLM, 2,000 prompt and 300
completion tokens, at 3 requests/s and at twice the analytic capacity (a queue that
keeps growing, preemptions), N times each, and prints the best and median CPU time per
run (process time: other work on the machine does not count). The target: under 50 ms.

It also prints the run's work in scheduler steps (``ServingResult.steps``) against
``serving.simulation_work`` (the steps its inputs allow, preemptions aside) and the CPU
one step takes: the figure that turns a work limit into seconds.
"""

from __future__ import annotations

import statistics
import sys
import time

from seeded import seeded_database

RUNS = 20
REQUESTS = 1000
BUDGET_MS = 50


def main(runs: int = RUNS) -> None:
    with seeded_database():
        from calculator.estimator import Workload, saturation_rate, simulate
        from calculator.estimator.serving import simulation_work
        from calculator.models import EngineProfile, GpuType, LlmModel

        model = LlmModel.objects.get(slug="llama-3.1-70b").to_spec()
        gpu = GpuType.objects.get(slug="h100-sxm").to_spec()
        engine = EngineProfile.objects.get(slug="vllm").to_spec()
        workload = Workload(num_gpus=4, prompt_tokens=2000, completion_tokens=300)
        capacity = saturation_rate(model, gpu, engine, workload)
        estimate = simulation_work(engine, workload, REQUESTS)
        for label, rate in (("3 req/s", 3.0), ("2 x capacity", 2 * capacity)):
            times = []
            for _ in range(runs):
                start = time.process_time()
                result = simulate(model, gpu, engine, workload, rate=rate, requests=REQUESTS)
                times.append((time.process_time() - start) * 1e3)
            best = min(times)
            print(
                f"{label:>13} ({rate:.2f} req/s): best {best:.1f} ms, median "
                f"{statistics.median(times):.1f} ms of CPU per {REQUESTS:,} requests "
                f"(target < {BUDGET_MS} ms); TTFT p95 {result.ttft_s.p95 * 1e3:,.0f} ms, "
                f"TPOT p95 {result.tpot_s.p95 * 1e3:.1f} ms, {result.preemptions} preemptions"
            )
            print(
                f"{'':>13} work: {result.steps:,} steps (simulation_work: {estimate:,.0f}), "
                f"{best * 1e3 / result.steps:.1f} us of CPU a step"
            )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else RUNS)
