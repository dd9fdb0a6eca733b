"""Time the capacity planner on a fixed set of planning questions, over every priced GPU.

Run from the repository root: `.venv/bin/python bench/planner.py [--check] [NAME ...]`.
It migrates a throw-away SQLite database (the seed catalog comes with the migrations),
then plans each question below through the planner page's form, as /plan/ and
/api/plan do: every active GPU with a price (a cloud offer or a catalog price, priced
by the offers' rule) unless the question names GPUs, each GPU's native 16- and 8-bit
precision unless it names others, 1 to 8 GPUs per replica, vLLM, p95 unless it says.

It prints the CPU seconds (process time) each plan takes with nothing remembered from
the questions before it, then the median, p95 and max over the set against the targets
(median <= 0.3 s, p95 <= 1 s), then the same questions planned again at another peak
rate (what a user changing the rate waits for, the capacities remembered). For each
plan, its work in scheduler steps (``PlanResult.steps``) against ``planning_work`` (the
estimate from its inputs), and overall the CPU a step takes.

`--check` also plans every question with the exhaustive reference search
(`plan(..., reference=True)`: every option searched in full, nothing pruned) and checks
that the fast search picks the same best option and that every option's capacity it
reports is within 2% of the reference's. It takes several minutes.
"""

from __future__ import annotations

import statistics
import sys
import time

from seeded import seeded_database

MEDIAN_TARGET_S = 0.3
P95_TARGET_S = 1.0
CAPACITY_TOLERANCE = 0.02  # the fast search's capacities against the reference's
ALL_PRECISIONS = "fp32,fp16,bf16,fp8,int8,int4,fp4"

# name: the form's inputs beyond its defaults (Llama 3.1 70B, 3 requests/s, 2,000/300
# tokens, TTFT p95 1 s, TPOT p95 50 ms, vLLM, every priced GPU). From 1B to 405B and
# MoE, 128- to 16,000-token prompts, 0.1 to 100 requests/s, tight and loose targets at
# each percentile, one GPU type and all of them, every precision.
QUESTIONS: dict[str, dict[str, str]] = {
    "example-70b": {},
    # The example with EAGLE heads (issue 23): every step drafts and verifies.
    "example-70b-eagle": {"speculative": "eagle"},
    # The example asked to consider disaggregated prefill/decode (analytic pools on top).
    "example-70b-disaggregated": {"disaggregated": "true"},
    "8b-chat-20rps": {
        "model": "llama-3.1-8b",
        "rate": "20",
        "prompt": "512",
        "completion": "256",
        "ttft_ms": "300",
        "tpot_ms": "30",
    },
    "qwen3-32b-16k-prompts": {"model": "qwen3-32b", "rate": "0.5", "prompt": "16000"},
    "405b-1rps": {
        "model": "llama-3.1-405b",
        "rate": "1",
        "ttft_ms": "2000",
        "tpot_ms": "60",
    },
    "405b-16k-int4-fp8": {
        "model": "llama-3.1-405b",
        "rate": "0.2",
        "prompt": "16000",
        "completion": "1000",
        "ttft_ms": "5000",
        "tpot_ms": "100",
        "weights": "fp8,int4",
        # Every priced GPU at two precisions with 16k-token prompts is over the work
        # budget (384 units of 250): the data-centre GPUs a 405B model is put on.
        "gpus": "h100-sxm,a100-80gb-sxm,h200,b200",
    },
    "qwen3-30b-a3b-moe-10rps": {
        "model": "qwen3-30b-a3b",
        "rate": "10",
        "prompt": "1000",
        "completion": "200",
        "ttft_ms": "500",
        "tpot_ms": "30",
    },
    "deepseek-v3-moe": {
        "model": "deepseek-v3",
        "rate": "2",
        "ttft_ms": "2000",
        "tpot_ms": "80",
    },
    "qwen3-235b-moe-p99": {
        "model": "qwen3-235b-a22b",
        "rate": "1",
        "completion": "500",
        "ttft_ms": "2000",
        "tpot_ms": "60",
        "percentile": "p99",
    },
    "mixtral-5rps": {"model": "mixtral-8x7b", "rate": "5", "prompt": "1000"},
    "llama4-scout-moe": {"model": "llama-4-scout-17b-16e", "rate": "3"},
    "gpt-oss-120b-fp4": {
        "model": "gpt-oss-120b",
        "rate": "5",
        "prompt": "1000",
        "completion": "500",
        "tpot_ms": "30",
        "weights": "fp4,fp8,bf16",
    },
    "8b-0.1rps": {"model": "llama-3.1-8b", "rate": "0.1", "prompt": "1000", "completion": "200"},
    "8b-100rps": {"model": "llama-3.1-8b", "rate": "100", "prompt": "500", "completion": "200"},
    "70b-30rps": {"model": "llama-3.3-70b", "rate": "30", "prompt": "1000", "completion": "200"},
    "8b-16k-prompts": {
        "model": "llama-3.1-8b",
        "rate": "2",
        "prompt": "16000",
        "completion": "200",
        "ttft_ms": "2000",
        "tpot_ms": "40",
    },
    "8b-tight": {
        "model": "llama-3.1-8b",
        "rate": "10",
        "prompt": "1000",
        "completion": "100",
        "ttft_ms": "150",
        "tpot_ms": "15",
    },
    "70b-loose-p50": {
        "model": "llama-3.1-70b",
        "rate": "5",
        "completion": "500",
        "ttft_ms": "10000",
        "tpot_ms": "200",
        "percentile": "p50",
    },
    "70b-one-gpu-type": {"model": "llama-3.1-70b", "rate": "10", "gpus": "h100-sxm"},
    "8b-one-gpu-every-precision": {
        "model": "llama-3.1-8b",
        "rate": "20",
        "prompt": "1000",
        "completion": "200",
        "gpus": "a100-80gb-sxm",
        "weights": ALL_PRECISIONS,
    },
    # Every precision on every priced GPU is over the work budget (448 units of 250).
    "72b-every-precision": {
        "model": "qwen2.5-72b",
        "rate": "2",
        "weights": ALL_PRECISIONS,
        "gpus": "h100-sxm,a100-80gb-sxm,h200,b200",
    },
    "72b-every-precision-disaggregated": {
        "model": "qwen2.5-72b",
        "rate": "2",
        "weights": ALL_PRECISIONS,
        "gpus": "h100-sxm,a100-80gb-sxm,h200,b200",
        "disaggregated": "true",
    },
    "mistral-per-day": {
        "model": "mistral-7b",
        "rate": "",
        "requests_per_day": "200000",
        "peak_factor": "3",
        "prompt": "800",
        "completion": "200",
    },
    "gemma3-27b-p90": {
        "model": "gemma-3-27b",
        "rate": "4",
        "prompt": "4000",
        "completion": "400",
        "ttft_ms": "2000",
        "tpot_ms": "60",
        "percentile": "p90",
    },
    "1b-50rps-short": {
        "model": "llama-3.2-1b",
        "rate": "50",
        "prompt": "128",
        "completion": "128",
        "ttft_ms": "200",
        "tpot_ms": "10",
    },
    "70b-16k-p99": {
        "model": "llama-3.1-70b",
        "rate": "1",
        "prompt": "16000",
        "ttft_ms": "3000",
        "percentile": "p99",
    },
}
# A re-plan: the same question at another peak rate (or traffic), as a user typing it.
REPLAN_FACTOR = 1.5


def main(argv: list[str]) -> None:
    check = "--check" in argv
    names = [a for a in argv if not a.startswith("--")] or list(QUESTIONS)
    with seeded_database():
        from calculator.answers import capacity as capacity_answer
        from calculator.estimator import capacity, planner
        from calculator.estimator.serving import percentile
        from calculator.plan_forms import PlanForm

        original = planner.plan
        asked: list[tuple[tuple, dict]] = []

        def recording(*args, **kwargs):
            asked.append((args, kwargs))
            return original(*args, **kwargs)

        planner.plan = recording
        cold, warm, failures, deviations, steps = [], [], [], [], []
        for name in names:
            inputs = {**capacity_answer.DEFAULTS, **QUESTIONS[name]}
            form = PlanForm(inputs)
            assert form.is_valid(), (name, form.errors)
            capacity.forget_loads()
            asked.clear()
            start = time.process_time()
            answered = capacity_answer.answer(form)
            seconds = time.process_time() - start
            if not hasattr(answered, "result"):
                raise SystemExit(f"{name}: {answered.errors}")
            result = answered.result
            cold.append(seconds)
            again = PlanForm(_replanned(inputs))
            assert again.is_valid(), (name, again.errors)
            start = time.process_time()
            capacity_answer.answer(again)
            warm.append(time.process_time() - start)
            searched = sum(1 for o in result.options if o.meets_targets or o.replicas)
            best = result.best
            args, kwargs = asked[0]
            estimate = planner.planning_work(
                *args[:4],
                weights=kwargs.get("weights"),
                max_gpus_per_replica=kwargs["max_gpus_per_replica"],
            )
            steps.append(result.steps)
            print(
                f"{name:28} {seconds:6.3f} s  {len(result.options):3} options, "
                f"{searched:2} searched, {result.steps:7,} steps "
                f"({result.steps / estimate:4.0%} of planning_work); best: "
                + (
                    f"{best.replicas} x {best.label}, ${best.usd_per_month:,.0f}/month"
                    if best
                    else result.best_reason
                ),
                flush=True,
            )
            if check:
                reference = original(*args, **kwargs, reference=True)
                failures += [f"{name}: {problem}" for problem in compare(result, reference)]
                deviations += capacity_deviations(result, reference)
        planner.plan = original
        ordered = sorted(cold)
        print(
            f"\nCPU per plan over {len(cold)} questions: median {statistics.median(cold):.3f} s "
            f"(target <= {MEDIAN_TARGET_S} s), p95 {percentile(ordered, 95):.3f} s "
            f"(target <= {P95_TARGET_S} s), max {max(cold):.3f} s"
        )
        print(f"CPU a step, over the set: {sum(cold) / sum(steps) * 1e6:.1f} us")
        print(
            f"Planned again at {REPLAN_FACTOR} x the rate, capacities remembered: median "
            f"{statistics.median(warm):.3f} s, p95 {percentile(sorted(warm), 95):.3f} s, "
            f"max {max(warm):.3f} s"
        )
        if check:
            worst = max(deviations, default=0.0)
            print(
                f"\nAgainst the exhaustive reference: {len(deviations)} capacities compared, "
                f"the largest {worst:.2%} apart (tolerance {CAPACITY_TOLERANCE:.0%}); "
                + ("the same best on every question" if not failures else "differences:")
            )
            for failure in failures:
                print("  " + failure)
            if failures:
                sys.exit(1)


def _replanned(inputs: dict[str, str]) -> dict[str, str]:
    changed = dict(inputs)
    key = "rate" if inputs.get("rate") else "requests_per_day"
    changed[key] = str(float(inputs[key]) * REPLAN_FACTOR)
    return changed


def _key(option) -> tuple:
    return (option.gpu, option.gpus_per_replica, option.weights)


def capacity_deviations(fast, reference) -> list[float]:
    """How far each capacity the fast plan reports is from the reference's, relative."""
    theirs = {_key(o): o for o in reference.options}
    return [
        abs(o.max_rate_per_replica / theirs[_key(o)].max_rate_per_replica - 1)
        for o in fast.options
        if o.max_rate_per_replica and theirs[_key(o)].max_rate_per_replica
    ]


def compare(fast, reference) -> list[str]:
    """What differs between a fast plan and the reference: the best option, a capacity
    off by more than the tolerance, or a bound the reference breaks."""
    problems = []

    def key(option):
        return (option.gpu, option.gpus_per_replica, option.weights)

    def best(plan):
        return plan.best and (
            *key(plan.best),
            plan.best.replicas,
            round(plan.best.usd_per_month, 2),
        )

    if best(fast) != best(reference):
        problems.append(f"best {best(fast)} != reference {best(reference)}")
    theirs = {_key(o): o for o in reference.options}
    for option in fast.options:
        other = theirs[_key(option)]
        label = f"{option.label}"
        if option.usd_per_month_at_least is not None:
            if other.meets_targets and other.usd_per_month < option.usd_per_month_at_least * 0.999:
                problems.append(
                    f"{label}: at least ${option.usd_per_month_at_least:,.0f}, but the "
                    f"reference costs ${other.usd_per_month:,.0f}"
                )
            continue
        if option.meets_targets != other.meets_targets or option.reason_codes != other.reason_codes:
            problems.append(f"{label}: {option.reason_codes} != reference {other.reason_codes}")
            continue
        if option.max_rate_per_replica or other.max_rate_per_replica:
            off = option.max_rate_per_replica / other.max_rate_per_replica - 1
            if abs(off) > CAPACITY_TOLERANCE:
                problems.append(
                    f"{label}: capacity {option.max_rate_per_replica:.4g} vs reference "
                    f"{other.max_rate_per_replica:.4g} ({off:+.1%})"
                )
        if option.replicas != other.replicas:
            problems.append(f"{label}: {option.replicas} replicas != reference {other.replicas}")
    return problems


if __name__ == "__main__":
    main(sys.argv[1:])
