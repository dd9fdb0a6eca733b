"""Glue between a valid CalculatorForm and the estimator: catalog rows in, Estimate out.

No formulas here: this gathers the specs the estimator needs and turns its input errors
into form errors, so the page, the API and the CLI take the same path.
"""

from __future__ import annotations

import csv
import dataclasses
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from calculator import catalog, estimator
from calculator.estimator import calibration as cal
from calculator.forms import CalculatorForm, CustomModel
from calculator.models import EngineProfile, GpuType, LlmModel

# Workload field -> form field, for errors the estimator finds.
FORM_FIELDS = {
    "num_gpus": "gpus",
    "batch_size": "batch",
    "prompt_tokens": "prompt",
    "completion_tokens": "completion",
    "seq_len": "seq_len",
    "gpu_hourly_usd": "gpu_hourly_usd",
    "gpu": "gpu",
    "model": "model",
}


def estimate_form(
    form: CalculatorForm,
    apis: tuple[estimator.ApiOffering, ...] | None = None,
    *,
    trace: bool = True,
) -> estimator.Estimate | None:
    """The estimate for a valid form, or None with the estimator's objection added to
    the form as a field error. `trace=False` skips "show the math" (the page's keystroke
    shows it only on request)."""
    data = form.cleaned_data
    model = data["model"]
    custom = isinstance(model, CustomModel)
    try:
        result = estimator.estimate(
            model.to_spec(),
            data["gpu"].to_spec(),
            data["engine"].to_spec(),
            form.workload(form.catalog.offering_specs if apis is None else apis),
            trace=trace,
        )
    except estimator.EstimatorInputError as error:
        field = FORM_FIELDS.get(error.field)
        form.add_error("model_config" if custom and field == "model" else field, error.message)
        return None
    if custom and model.warnings:
        # What the config left out or the estimate leaves out comes first.
        result = dataclasses.replace(result, warnings=(*model.warnings, *result.warnings))
    return result


def model_summary(model, result: estimator.Estimate) -> dict:
    """The model's figures the JSON API adds to an estimate."""
    return {
        "slug": model.slug,
        "name": model.name,
        "total_params": result.total_params,
        "active_params": result.active_params,
        "kv_bytes_per_token": result.kv_bytes_per_token,
    }


# Calibration


DEFAULT_CALIBRATION_PATH = Path(settings.BASE_DIR) / "data" / "measured-calibration.csv"


@dataclass
class Report:
    cases: list[cal.Case]
    skips: list[cal.Skip]
    outcomes: list[cal.Outcome]
    scores: dict[cal.Regime, cal.RegimeScore]
    roofline_scores: dict[cal.Regime, cal.RegimeScore]
    models: dict
    gpus: dict
    engines: dict


def run_calibration(path: Path = DEFAULT_CALIBRATION_PATH) -> Report:
    """Map every row of the calibration file, predict it with the catalog as it is in
    the database, and score the result per regime."""
    models = {m.slug: m.to_spec() for m in LlmModel.objects.all()}
    gpus = {g.slug: g.to_spec() for g in GpuType.objects.all()}
    engines = {e.slug: e.to_spec() for e in EngineProfile.objects.all()}
    cases, skips = [], []
    with open(path, newline="") as handle:
        for line, row in enumerate(csv.DictReader(handle), start=2):
            mapped = cal.map_row(row, line, models, gpus, engines)
            (cases if isinstance(mapped, cal.Case) else skips).append(mapped)
            online = cal.map_online_row(row, line, models, gpus, engines)
            if online is not None:
                cases.append(online)
    outcomes = cal.evaluate(cases, models, gpus, engines)
    roofline = {slug: cal.plain_roofline_engine(e) for slug, e in engines.items()}
    plain_gpus = {slug: cal.plain_roofline_gpu(g) for slug, g in gpus.items()}
    return Report(
        cases=cases,
        skips=skips,
        outcomes=outcomes,
        scores=cal.score(outcomes),
        roofline_scores=cal.score(cal.evaluate(cases, models, plain_gpus, roofline)),
        models=models,
        gpus=gpus,
        engines=engines,
    )


_accuracy_cache: dict[tuple, dict] = {}


def accuracy_summary(version: tuple | None = None) -> dict:
    """Rows and median error per regime for the page's accuracy statement.

    Computed from the catalog as it is now and kept per process until the catalog
    changes (see calculator.catalog), so an admin edit shows up on the next request of
    every worker. Pass the catalog version when the caller has it already.
    """
    key = version if version is not None else catalog.catalog_version()
    if key not in _accuracy_cache:
        report = run_calibration()
        _accuracy_cache.clear()
        _accuracy_cache[key] = {
            "rows": len({case.row for case in report.cases}),  # a row may count in two regimes
            "regimes": [
                {
                    "title": cal.REGIME_TITLES[regime],
                    "rows": s.count,
                    "median_ape": s.median_ape,
                    "roofline_median_ape": report.roofline_scores[regime].median_ape,
                }
                for regime, s in report.scores.items()
            ],
            # The worst regime's median; None when nothing could be mapped (empty catalog).
            "median_ape": max((s.median_ape for s in report.scores.values()), default=None),
        }
    return _accuracy_cache[key]
