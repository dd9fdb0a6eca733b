"""The change detector: every figure of a grid of scenarios is what the estimator
answered when the grid was frozen (see tests/regression_grid.py), so a refactor cannot
move a number unnoticed. It is not a statement of what is right: a grid update says in
its commit which behaviour changed and why."""

from __future__ import annotations

import json
import math

import pytest

from tests import regression_grid as grid

# Figures changed on purpose since the grid was frozen go here until it is rewritten.
# (Rewritten for estimator 1.1.0: Llama 4's chunked attention; that also froze issue 8's
# "fewest GPUs that fit", which this set used to exempt.)
CHANGED_ON_PURPOSE: set[tuple[str, ...]] = set()

DATA = json.loads(grid.GOLDEN.read_text())
MODELS, GPUS, ENGINES = grid.build_specs(DATA)


def _differences(expected, actual, path=()):
    if path in CHANGED_ON_PURPOSE:
        return
    if isinstance(expected, dict):
        assert isinstance(actual, dict) and expected.keys() <= actual.keys(), path
        for key in expected:
            yield from _differences(expected[key], actual[key], (*path, key))
    elif isinstance(expected, list):
        assert isinstance(actual, list) and len(actual) == len(expected), path
        for i, (e, a) in enumerate(zip(expected, actual, strict=True)):
            yield from _differences(e, a, (*path, i))
    elif isinstance(expected, float) and isinstance(actual, float):
        if not math.isclose(expected, actual, rel_tol=1e-9, abs_tol=1e-12):
            yield path, expected, actual
    elif expected != actual:
        yield path, expected, actual


@pytest.mark.parametrize("model", grid.MODELS)
def test_every_figure_of_the_grid_is_unchanged(model):
    answers = [row for row in DATA["answers"] if row[0] == model]
    assert len(answers) == len(grid.GPUS) * len(grid.ENGINES) * len(grid.WORKLOADS)
    for _, gpu, engine, w, expected in answers:
        actual = grid.run(MODELS, GPUS, ENGINES, model, gpu, engine, w)
        differences = list(_differences(expected, actual))
        assert not differences, (gpu, engine, grid.WORKLOADS[w], differences[:5])


def test_the_grid_covers_fits_misfits_and_each_bound():
    answers = [row[4] for row in DATA["answers"]]
    fits = {a["memory"]["fits"] for a in answers}
    bounds = {a["decode"]["bound"] for a in answers} | {a["prefill"]["bound"] for a in answers}
    assert fits == {True, False}
    assert bounds == {"memory", "compute", "overhead"}
