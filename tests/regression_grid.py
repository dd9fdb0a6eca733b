"""A change detector: a grid of scenarios over the seeded catalog, frozen with the
estimator's answers, bugs included. It says that a figure moved, never that a figure is
right; behaviour tests (hand-worked examples, laws, properties) say that. Where `make
mutate` finds the grid the only test to catch a mutant, a behaviour test goes beside it
(docs/testing.md); the mutation run leaves the grid out for that reason.

``tests/data/regression_grid.json`` holds the specs (as they were seeded, so a later
refit of the database does not move them) and each scenario's ``Estimate.as_dict()``
without the trace (its wording may change; its numbers are the figures' own). The test
in ``test_regression.py`` recomputes every scenario and compares, so a refactor that
changes any figure fails. When a formula changes on purpose, rewrite the file:

    .venv/bin/python -m tests.regression_grid --write
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import sys
from pathlib import Path

GOLDEN = Path(__file__).parent / "data" / "regression_grid.json"

MODELS = (
    "llama-3.1-8b",
    "llama-3.1-70b",
    "llama-3.1-405b",
    "mixtral-8x7b",
    "llama-4-maverick-17b-128e",
    "llama-3.2-1b",
    "qwen2.5-7b",
)
GPUS = ("h100-sxm", "a100-80gb-sxm", "l40s", "rtx-4090", "mi300x", "b200")
ENGINES = ("vllm", "llama.cpp", "tensorrt-llm")
WORKLOADS = (
    {"num_gpus": 1, "batch_size": 1, "prompt_tokens": 1000, "completion_tokens": 500},
    {"num_gpus": 8, "batch_size": None, "prompt_tokens": 2000, "completion_tokens": 300},
    {
        "num_gpus": 4,
        "batch_size": 32,
        "prompt_tokens": 128,
        "completion_tokens": 2048,
        "weights_dtype": "fp8",
    },
    {
        "num_gpus": 2,
        "batch_size": 8,
        "prompt_tokens": 4096,
        "completion_tokens": 256,
        "weights_dtype": "int4",
        "parallelism": "pipeline",
    },
    {
        "num_gpus": 16,
        "batch_size": 64,
        "prompt_tokens": 8000,
        "completion_tokens": 1000,
        "seq_len": 16000,
        "gpu_hourly_usd": 2.5,
    },
)


def _specs_from_db() -> dict:
    from calculator.models import EngineProfile, GpuType, LlmModel

    return {
        "models": {s: dataclasses.asdict(LlmModel.objects.get(slug=s).to_spec()) for s in MODELS},
        "gpus": {s: dataclasses.asdict(GpuType.objects.get(slug=s).to_spec()) for s in GPUS},
        "engines": {
            s: dataclasses.asdict(EngineProfile.objects.get(slug=s).to_spec()) for s in ENGINES
        },
    }


def build_specs(data: dict) -> tuple[dict, dict, dict]:
    from calculator.estimator import EngineSpec, GpuSpec, Interconnect, ModelSpec

    models = {s: ModelSpec(**d) for s, d in data["models"].items()}
    gpus = {
        s: GpuSpec(**{**d, "interconnect": Interconnect(d["interconnect"])})
        for s, d in data["gpus"].items()
    }
    engines = {s: EngineSpec(**d) for s, d in data["engines"].items()}
    return models, gpus, engines


def scenarios():
    return list(itertools.product(MODELS, GPUS, ENGINES, range(len(WORKLOADS))))


def run(models: dict, gpus: dict, engines: dict, model: str, gpu: str, engine: str, w: int):
    """The answer as a plain dict without the trace, or the input error's field."""
    from calculator.estimator import (
        ApiOffering,
        Dtype,
        EstimatorInputError,
        Parallelism,
        Workload,
        estimate,
    )
    from calculator.estimator.pricing import catalog_price

    fields = dict(WORKLOADS[w])
    # Priced as the app prices a GPU without offers: its catalog price (the estimator
    # bills only the price it is given).
    fields.setdefault(
        "gpu_hourly_usd", catalog_price(gpus[gpu], fields["num_gpus"]).effective_usd_per_gpu_hour
    )
    if "weights_dtype" in fields:
        fields["weights_dtype"] = Dtype(fields["weights_dtype"])
    if "parallelism" in fields:
        fields["parallelism"] = Parallelism(fields["parallelism"])
    apis = (ApiOffering("api-a", "API A", 0.2, 0.6), ApiOffering("api-b", "API B", 3.0, 15.0))
    workload = Workload(apis=apis, **fields)
    try:
        answer = estimate(models[model], gpus[gpu], engines[engine], workload).as_dict()
    except EstimatorInputError as error:
        return {"error": error.field}
    answer.pop("trace")
    return answer


def main() -> None:
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from django.core.management import call_command
    from django.db import connection

    if "--write" not in sys.argv:
        sys.exit("usage: python -m tests.regression_grid --write")
    # A throwaway in-memory database with the seed migrations applied.
    connection.settings_dict["NAME"] = ":memory:"
    call_command("migrate", verbosity=0)
    data = _specs_from_db()
    models, gpus, engines = build_specs(data)
    data["answers"] = [
        [m, g, e, w, run(models, gpus, engines, m, g, e, w)] for m, g, e, w in scenarios()
    ]
    GOLDEN.write_text(json.dumps(data, indent=0, sort_keys=True) + "\n")
    print(f"wrote {len(data['answers'])} scenarios to {GOLDEN}")


if __name__ == "__main__":
    main()
