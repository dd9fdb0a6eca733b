"""The CPU of the widest requests the work budget accepts (issue 17 item 1).

Run from the repository root: `.venv/bin/python bench/budget.py`. In-process, on a
throw-away SQLite database with the seed catalog, through Django's test client (so the
form, the budget check, the estimator and the template all count), it sends for each
compute endpoint the most expensive requests it knows that are just within the budget
(`calculator/estimator/budget.py`: requests at the most the budget allows for thrashing
lengths, the most plan options), checks each is accepted, and prints the CPU seconds of
each and the largest per endpoint against the 3 s aim. It also prints the CPU per work
unit, which is what the limits are set from.

It is a measurement, not a test: the figures depend on the machine (and on the planner:
retune MAX_PLANNING_WORK when it gets faster).
"""

from __future__ import annotations

import time
from urllib.parse import urlencode

from seeded import seeded_database

AIM_S = 3.0
VLLM_BUDGET = 8192

# Shapes whose simulation thrashes (long prompts and outputs on a full KV cache: the
# most CPU per work unit measured), plus the API's most requests of short ones.
SERVE_SHAPES = [
    {
        "model": "llama-3.1-8b",
        "gpu": "h100-sxm",
        "gpus": "1",
        "prompt": 100_000,
        "completion": 20_000,
    },
    {
        "model": "llama-3.1-8b",
        "gpu": "h100-sxm",
        "gpus": "1",
        "prompt": 50_000,
        "completion": 50_000,
    },
    {"model": "llama-3.1-8b", "gpu": "h100-sxm", "gpus": "1", "prompt": 8_000, "completion": 8_000},
    {"model": "llama-3.2-1b", "gpu": "h100-sxm", "gpus": "1", "prompt": 100, "completion": 100_000},
    {"model": "llama-3.2-1b", "gpu": "h100-sxm", "gpus": "1", "prompt": 10, "completion": 10},
]
# Plans at the most options the budget allows: a small model (its rate searches simulate
# the most requests), every priced GPU, as many precisions as fit.
PLAN_SHAPES = [
    {"model": "llama-3.1-8b", "weights": "bf16,fp8"},
    {"model": "llama-3.1-8b", "weights": "bf16,fp8,int4", "max_gpus_per_replica": "4"},
    {"model": "llama-3.1-70b", "weights": ""},
    {"model": "llama-3.1-70b", "weights": "", "prompt": "14000"},
]
CALCULATOR_SHAPES = [
    # Under load at long lengths just within the budget (1,000 + 2,400 chart requests).
    {
        "model": "llama-3.1-8b",
        "gpu": "h100-sxm",
        "gpus": "1",
        "prompt": "20000",
        "completion": "2000",
    },
    {
        "model": "llama-3.1-70b",
        "gpu": "h100-sxm",
        "gpus": "4",
        "prompt": "2000",
        "completion": "300",
    },
    {"model": "llama-3.1-405b", "gpu": "h100-sxm", "gpus": "8", "weights": "fp8", "batch": "max"},
    {
        "model": "llama-3.2-1b",
        "gpu": "l4",
        "gpus": "1",
        "batch": "max",
        "prompt": "1",
        "completion": "1",
    },
]


def cpu_of(client, url: str, expect: int = 200, **headers) -> float:
    start = time.process_time()
    response = client.get(url, headers=headers)
    seconds = time.process_time() - start
    assert response.status_code == expect, (url, response.status_code, response.content[:300])
    return seconds


def main() -> None:
    with seeded_database():
        from django.test import Client

        from calculator.answers import capacity
        from calculator.answers.estimate import DEFAULTS
        from calculator.estimator import budget
        from calculator.models import Plan
        from calculator.plan_forms import PlanForm

        client = Client()
        rows: list[tuple[str, str, float, int]] = []

        for shape in SERVE_SHAPES:
            per = budget.request_work(shape["prompt"], shape["completion"], VLLM_BUDGET)
            requests = min(20_000, budget.MAX_SIMULATION_WORK // per)
            query = {**shape, "rate": "1000", "requests": requests, "engine": "vllm"}
            seconds = cpu_of(client, "/api/serve?" + urlencode(query))
            label = f"{shape['model']} {shape['prompt']:,}+{shape['completion']:,} x {requests:,}"
            rows.append(("/api/serve", label, seconds, requests * per))

        for shape in PLAN_SHAPES:
            data = {**capacity.DEFAULTS, "gpus": "", **shape}
            form = PlanForm(data)
            assert form.is_valid(), form.errors
            options = budget.plan_options(
                form.cleaned_data["model"].to_spec(),
                [
                    gpu.to_spec()
                    for gpu in capacity.considered_gpus(form.catalog, form.cleaned_data["gpus"])
                ],
                form.cleaned_data["weights"] or None,
                int(data["max_gpus_per_replica"]),
            )
            work = budget.planning_work(options, int(data["prompt"]), 300, VLLM_BUDGET)
            label = f"{data['model']} {options} options, weights {data['weights'] or 'native'}"
            seconds = cpu_of(client, "/api/plan?" + urlencode(data))
            rows.append(("/api/plan", label, seconds, work))
            seconds = cpu_of(client, "/plan/?" + urlencode(data), HX_REQUEST="true")
            rows.append(("/plan/ (htmx)", label, seconds, work))
            plan = Plan.objects.create(
                inputs=form.inputs(), results={"options": []}, snapshot={}, estimator_version=""
            )
            seconds = cpu_of(client, f"/p/{plan.public_id}/now")
            rows.append(("/p/<id>/now", label, seconds, work))

        for shape in CALCULATOR_SHAPES:
            query = urlencode({**{k: str(v) for k, v in DEFAULTS.items()}, **shape})
            for name in ("charts", "gpu-comparison", "apis", "trace"):
                seconds = cpu_of(client, f"/fragments/{name}?{query}")
                rows.append((f"/fragments/{name}", shape["model"], seconds, 0))
            under = {**{k: str(v) for k, v in DEFAULTS.items()}, **shape, "rate": ""}
            seconds = cpu_of(client, "/under-load/?" + urlencode(under))
            rows.append(
                ("/under-load/", f"{shape['model']} {shape.get('prompt', 1000)}", seconds, 0)
            )

        print("| endpoint | request | CPU s | work units | CPU per unit |")
        print("| --- | --- | ---: | ---: | ---: |")
        for endpoint, label, seconds, work in rows:
            per_unit = f"{seconds / work * 1e6:.2f} us" if work else ""
            print(f"| {endpoint} | {label} | {seconds:.2f} | {work:,} | {per_unit} |")
        print()
        worst: dict[str, float] = {}
        for endpoint, _, seconds, _ in rows:
            worst[endpoint] = max(worst.get(endpoint, 0.0), seconds)
        for endpoint, seconds in worst.items():
            verdict = "met" if seconds <= AIM_S else "MISSED"
            print(
                f"{endpoint}: widest accepted {seconds:.2f} s CPU (aim <= {AIM_S:.0f} s) {verdict}"
            )


if __name__ == "__main__":
    main()
