"""Fitting engine constants to the calibration set, and checking that the fit holds on
data it did not see.

Each engine's five efficiency constants are fitted on that engine's rows by coordinate
descent (golden-section search on each constant in turn) of the summed absolute log
error, which treats "2x too slow" and "2x too fast" alike and is robust to outliers like
a median. Every constant stays inside a physical range, and a small pull towards the
prior keeps constants the data says nothing about where they started.

vLLM and SGLang are fitted together: the same kernel families (FlashAttention /
FlashInfer, CUDA graphs, paged KV) and, in the one source that measured both, throughput
within 4% of each other; one source alone is too little for either.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace

from .bands import gpu_family
from .calibration import Case, Outcome, evaluate
from .specs import EngineSpec, GpuSpec, ModelSpec

# Physical ranges: utilisations in (0, 1]; fixed costs from nothing to clearly too much.
FIT_BOUNDS = {
    "bandwidth_utilization": (0.3, 1.0),
    "prefill_compute_utilization": (0.05, 1.0),
    "decode_compute_utilization": (0.05, 1.0),
    "step_overhead_s": (0.0, 0.02),
    "request_overhead_s": (0.0, 0.25),
}
# Weight of the pull towards the prior, per unit of |log(value / prior)|, against one
# row's |log error|. Small: a few rows' worth of evidence overrides it.
PRIOR_WEIGHT = 0.05
# Fixed costs can be zero, so their pull is on the absolute difference, in seconds.
PRIOR_SCALE_S = 0.005
GOLDEN_ITERATIONS = 18
ROUNDS = 3

# Where each fit starts and what it is pulled towards: the values assumed before any
# fitting (round figures from engine documentation and common experience), so a refit
# does not depend on what the database holds now. Engines not listed start from their
# current values.
PRIORS = {
    "vllm": {
        "bandwidth_utilization": 0.75,
        "prefill_compute_utilization": 0.55,
        "decode_compute_utilization": 0.5,
        "step_overhead_s": 0.0015,
        "request_overhead_s": 0.015,
    },
    "sglang": {
        "bandwidth_utilization": 0.78,
        "prefill_compute_utilization": 0.6,
        "decode_compute_utilization": 0.55,
        "step_overhead_s": 0.0012,
        "request_overhead_s": 0.012,
    },
    "tensorrt-llm": {
        "bandwidth_utilization": 0.8,
        "prefill_compute_utilization": 0.65,
        "decode_compute_utilization": 0.6,
        "step_overhead_s": 0.001,
        "request_overhead_s": 0.01,
    },
    "llama.cpp": {
        "bandwidth_utilization": 0.6,
        "prefill_compute_utilization": 0.15,
        "decode_compute_utilization": 0.3,
        "step_overhead_s": 0.002,
        "request_overhead_s": 0.0,
    },
}

FIT_GROUPS = {
    "vllm": ("vllm", "sglang"),
    "sglang": ("vllm", "sglang"),
}


# A row's |log error| counts up to this much: a measurement off by more than this factor
# (a setup the estimator does not model, such as queueing behind a benchmark's own
# client) says the model is missing something, not which way to move the constants.
# Without the cap, a held-out fit on one engine's few remaining rows follows them by
# a factor of six (fitting.py's leave-one-source-out; data/calibration-report.json).
LOSS_CAP = math.log(2.5)


def log_loss(outcomes: Iterable[Outcome]) -> float:
    return sum(min(abs(math.log(o.predicted / o.case.measured)), LOSS_CAP) for o in outcomes)


def _prior_penalty(engine: EngineSpec, prior: EngineSpec) -> float:
    total = 0.0
    for name in FIT_BOUNDS:
        value, start = getattr(engine, name), getattr(prior, name)
        if name.endswith("_s"):
            total += abs(value - start) / PRIOR_SCALE_S
        else:
            total += abs(math.log(value / start))
    return PRIOR_WEIGHT * total


def _golden(f: Callable[[float], float], low: float, high: float) -> float:
    ratio = (math.sqrt(5) - 1) / 2
    a, b = low, high
    c, d = b - ratio * (b - a), a + ratio * (b - a)
    fc, fd = f(c), f(d)
    for _ in range(GOLDEN_ITERATIONS):
        if fc < fd:
            b, d, fd = d, c, fc
            c = b - ratio * (b - a)
            fc = f(c)
        else:
            a, c, fc = c, d, fd
            d = a + ratio * (b - a)
            fd = f(d)
    return (a + b) / 2


def fit_engine(
    engine: EngineSpec,
    cases: list[Case],
    models: Mapping[str, ModelSpec],
    gpus: Mapping[str, GpuSpec],
) -> EngineSpec:
    """The engine with its constants fitted to `cases` (run as this engine)."""
    engine = replace(engine, **PRIORS.get(engine.slug, {}))
    if not cases:
        return engine
    prior = engine
    runs = [replace(c, engine=engine.slug) for c in cases]

    def objective(candidate: EngineSpec) -> float:
        outcomes = evaluate(runs, models, gpus, {engine.slug: candidate})
        return log_loss(outcomes) + _prior_penalty(candidate, prior)

    current, best = engine, objective(engine)
    for _ in range(ROUNDS):
        for name, (low, high) in FIT_BOUNDS.items():
            value = _golden(
                lambda v, n=name, base=current: objective(replace(base, **{n: v})), low, high
            )
            candidate = replace(current, **{name: value})
            loss = objective(candidate)
            if loss < best:
                current, best = candidate, loss
    return current


def fit(
    engines: Mapping[str, EngineSpec],
    cases: list[Case],
    models: Mapping[str, ModelSpec],
    gpus: Mapping[str, GpuSpec],
) -> dict[str, EngineSpec]:
    """Every engine with its constants fitted on its own rows (or its group's: the
    group's first engine is fitted and the others take its five constants)."""
    fitted: dict[str, EngineSpec] = {}
    for slug, engine in engines.items():
        group = FIT_GROUPS.get(slug, (slug,))
        leader = next((s for s in group if s in fitted), None)
        if leader is not None:
            shared = {name: getattr(fitted[leader], name) for name in FIT_BOUNDS}
            fitted[slug] = replace(engine, **shared)
            continue
        own = [c for c in cases if c.engine in group]
        fitted[slug] = fit_engine(engine, own, models, gpus)
    return fitted


def holdout_fold(
    engines: Mapping[str, EngineSpec],
    train: list[Case],
    test: list[Case],
    models: Mapping[str, ModelSpec],
    gpus: Mapping[str, GpuSpec],
) -> list[Outcome]:
    """Predict `test` with engine constants fitted on `train` alone.

    Only the engines the test rows run on (and their fit groups) are fitted: the others
    don't take part in the prediction. An engine with no training rows keeps its prior.
    """
    needed = {s for c in test for s in FIT_GROUPS.get(c.engine, (c.engine,))}
    fitted = fit({s: e for s, e in engines.items() if s in needed}, train, models, gpus)
    return evaluate(test, models, gpus, fitted)


def folds(cases: list[Case], key: Callable[[Case], str]) -> list[tuple[str, list, list]]:
    """(held-out group, training cases, test cases) for each value of `key`."""
    return [
        (group, [c for c in cases if key(c) != group], [c for c in cases if key(c) == group])
        for group in sorted({key(c) for c in cases})
    ]


def cross_validate(
    engines: Mapping[str, EngineSpec],
    cases: list[Case],
    models: Mapping[str, ModelSpec],
    gpus: Mapping[str, GpuSpec],
    key: Callable[[Case], str],
) -> list[Outcome]:
    """Hold out each group of cases in turn (by `key`), fit on the rest, predict it."""
    held_out: list[Outcome] = []
    for _, train, test in folds(cases, key):
        held_out.extend(holdout_fold(engines, train, test, models, gpus))
    return held_out


# The hold-outs the report runs: a case's GPU family, its engine, its source.
HOLDOUT_KEYS: dict[str, Callable[[Case], str]] = {
    "gpu": lambda c: gpu_family(c.gpu),
    "engine": lambda c: c.engine,
    "source": lambda c: c.source,
}
