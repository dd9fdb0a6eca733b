"""The calibration report: computed by ``manage.py calibrate``, committed as a file, read
by the page, the API and the CLI. No request ever runs the calibration.

``run()`` maps every row of ``data/measured-calibration.csv`` against the catalog as the
database holds it and scores it in-sample (a second or two). ``build()`` adds the
hold-outs (engine constants refitted without each GPU family, engine and source in turn:
minutes, spread over processes), the error-band evidence and the bands' coverage.
``write()`` stores it at ``data/calibration-report.json``; ``load()`` reads it once per
process (again when the file changes).

The file records fingerprints of everything it was computed from: the csv, the
catalog's specs, the estimator's version, its in-sample prediction for every row, and
the fitting and band settings. ``check()`` recomputes those (fast) and names what
differs, so the committed file cannot silently go stale; ``check(full=True)`` reruns
everything and compares the whole file.
"""

from __future__ import annotations

import csv
import hashlib
import json
import math
import os
import statistics
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path

from django.conf import settings

from calculator.estimator import ESTIMATOR_VERSION, bands, fitting
from calculator.estimator import calibration as cal
from calculator.models import EngineProfile, GpuType, LlmModel

DEFAULT_CALIBRATION_PATH = Path(settings.BASE_DIR) / "data" / "measured-calibration.csv"
DEFAULT_REPORT_PATH = Path(settings.BASE_DIR) / "data" / "calibration-report.json"
# The report's lines of their own: GPU families the issue singles out, and MoE models.
FAMILY_LINES = ("MI300X", "MI325X", "B200", "H200")
# Processes the hold-out folds run in (the project's machines have two cores).
WORKERS = 2
# Significant digits kept in the file, so reruns compare equal across platforms.
DIGITS = 6


@dataclass
class Run:
    cases: list[cal.Case]
    skips: list[cal.Skip]
    outcomes: list[cal.Outcome]
    scores: dict[cal.Regime, cal.RegimeScore]
    roofline_scores: dict[cal.Regime, cal.RegimeScore]
    models: dict
    gpus: dict
    engines: dict
    csv_sha256: str


def _specs() -> tuple[dict, dict, dict]:
    return (
        {m.slug: m.to_spec() for m in LlmModel.objects.order_by("slug")},
        {g.slug: g.to_spec() for g in GpuType.objects.order_by("slug")},
        {e.slug: e.to_spec() for e in EngineProfile.objects.order_by("slug")},
    )


def run(path: Path = DEFAULT_CALIBRATION_PATH) -> Run:
    """Map every row of the calibration file, predict it with the catalog as it is in
    the database, and score the result per regime."""
    models, gpus, engines = _specs()
    raw = Path(path).read_bytes()
    cases, skips = [], []
    with open(path, newline="") as handle:
        for line, row in enumerate(csv.DictReader(handle), start=2):
            mapped = cal.map_row(row, line, models, gpus, engines)
            (cases if isinstance(mapped, cal.Case) else skips).append(mapped)
            # The same run's TTFT/ITL at a request rate, through the serving simulator.
            online = cal.map_online_row(row, line, models, gpus, engines)
            if online is not None:
                cases.append(online)
    outcomes = cal.evaluate(cases, models, gpus, engines)
    roofline = {slug: cal.plain_roofline_engine(e) for slug, e in engines.items()}
    plain_gpus = {slug: cal.plain_roofline_gpu(g) for slug, g in gpus.items()}
    return Run(
        cases=cases,
        skips=skips,
        outcomes=outcomes,
        scores=cal.score(outcomes),
        roofline_scores=cal.score(cal.evaluate(cases, models, plain_gpus, roofline)),
        models=models,
        gpus=gpus,
        engines=engines,
        csv_sha256=hashlib.sha256(raw).hexdigest(),
    )


# Hold-outs


def static_cases(r: Run) -> list[cal.Case]:
    """The cases the engine constants are fitted on and held out from: all but the online
    regime, which re-scores rows the others hold through the serving simulator (too slow
    to sit inside the optimiser)."""
    return [c for c in r.cases if c.regime is not cal.Regime.ONLINE]


def _static(outcomes: list[cal.Outcome]) -> list[cal.Outcome]:
    return [o for o in outcomes if o.case.regime is not cal.Regime.ONLINE]


def _fold(args) -> list[cal.Outcome]:
    engines, train, test, models, gpus = args
    return fitting.holdout_fold(engines, train, test, models, gpus)


def holdouts(r: Run, workers: int = WORKERS) -> dict[str, list[cal.Outcome]]:
    """Each hold-out's predictions of every row, fitted without the row's group."""
    jobs, names = [], []
    for name, key in fitting.HOLDOUT_KEYS.items():
        for _, train, test in fitting.folds(static_cases(r), key):
            jobs.append((r.engines, train, test, r.models, r.gpus))
            names.append(name)
    if workers > 1:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            results = list(pool.map(_fold, jobs))
    else:
        results = [_fold(job) for job in jobs]
    out: dict[str, list[cal.Outcome]] = {name: [] for name in fitting.HOLDOUT_KEYS}
    for name, outcomes in zip(names, results, strict=True):
        out[name].extend(outcomes)
    for outcomes in out.values():
        outcomes.sort(key=lambda o: o.case.row)
    return out


# The file


def _round(value: float, digits: int = DIGITS) -> float:
    if value == 0 or not math.isfinite(value):
        return value
    return round(value, digits - 1 - math.floor(math.log10(abs(value))))


def _sha(value) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode()).hexdigest()


def _settings() -> dict:
    """Everything besides the data that decides the hold-outs and the bands."""
    return {
        "fit_bounds": fitting.FIT_BOUNDS,
        "priors": fitting.PRIORS,
        "prior_weight": fitting.PRIOR_WEIGHT,
        "prior_scale_s": fitting.PRIOR_SCALE_S,
        "golden_iterations": fitting.GOLDEN_ITERATIONS,
        "rounds": fitting.ROUNDS,
        "fit_groups": fitting.FIT_GROUPS,
        "holdouts": sorted(fitting.HOLDOUT_KEYS),
        "band_level": bands.LEVEL,
        "min_evidence": bands.MIN_EVIDENCE,
        "min_half_width": bands.MIN_HALF_WIDTH,
        "unmeasured_widen": bands.UNMEASURED_WIDEN,
        "long_context_tokens": bands.LONG_CONTEXT_TOKENS,
        "light_batch": bands.LIGHT_BATCH,
        "margin_steps": bands.MARGIN_STEPS,
    }


def fingerprints(r: Run) -> dict:
    catalog = {
        kind: {slug: asdict(spec) for slug, spec in specs.items()}
        for kind, specs in (("models", r.models), ("gpus", r.gpus), ("engines", r.engines))
    }
    in_sample = [[o.case.row, o.case.regime.value, _round(o.predicted)] for o in r.outcomes]
    return {
        "calibration_csv_sha256": r.csv_sha256,
        "catalog_sha256": _sha(catalog),
        "estimator_version": ESTIMATOR_VERSION,
        "in_sample_predictions_sha256": _sha(in_sample),
        "settings_sha256": _sha(_settings()),
    }


def _median_ape(outcomes) -> float | None:
    apes = [o.ape for o in outcomes]
    return _round(statistics.median(apes), 4) if apes else None


def _summary(r: Run) -> dict:
    return {
        "rows_mapped": len({c.row for c in r.cases}),  # a row may count in two regimes
        "rows_skipped": len(r.skips),
        "regimes": [
            {
                "regime": regime.value,
                "title": cal.REGIME_TITLES[regime],
                "rows": s.count,
                "median_ape": _round(s.median_ape, 4),
                "mean_ape": _round(s.mean_ape, 4),
                "roofline_median_ape": _round(r.roofline_scores[regime].median_ape, 4),
            }
            for regime, s in r.scores.items()
        ],
        "skipped_because": _skip_counts(r.skips),
    }


def _skip_counts(skips: list[cal.Skip]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for s in skips:
        counts[s.reason] = counts.get(s.reason, 0) + 1
    return dict(sorted(counts.items()))


def _evidence(r: Run, loso: list[cal.Outcome]) -> list[bands.Evidence]:
    return [
        bands.Evidence(
            regime=o.case.regime.value,
            source=o.case.source,
            features=cal.case_features(o.case, r.models[o.case.model]),
            ratio=o.ratio,
        )
        for o in loso
    ]


def _lines(r: Run, held: dict[str, list[cal.Outcome]]) -> list[dict]:
    """Per-regime medians for the GPU families and model kinds that get a line."""
    groups = [
        (f"{family} GPUs", lambda c, f=family: bands.gpu_family(c.gpu) == f)
        for family in FAMILY_LINES
    ]
    groups.append(("Mixture-of-experts models", lambda c: r.models[c.model].num_experts > 0))
    lines = []
    for label, member in groups:
        for regime in cal.Regime:
            if regime is cal.Regime.ONLINE:
                continue
            inside = [o for o in r.outcomes if o.case.regime is regime and member(o.case)]
            if not inside:
                continue
            line = {"label": label, "regime": regime.value, "rows": len(inside)}
            line["median_ape"] = _median_ape(inside)
            for name, outcomes in held.items():
                line[f"{name}_holdout_median_ape"] = _median_ape(
                    [o for o in outcomes if o.case.regime is regime and member(o.case)]
                )
            lines.append(line)
    return lines


def build(r: Run, workers: int = WORKERS) -> dict:
    """The whole report: the in-sample summary, hold-outs, lines, bands and evidence."""
    held = holdouts(r, workers)
    evidence = _evidence(r, held["source"])
    margin, coverage = {}, {}
    for regime in cal.Regime:
        if regime is cal.Regime.ONLINE:
            continue
        margin[regime.value] = bands.calibrate_margin(evidence, regime.value)
        share, count = bands.coverage(evidence, regime.value, margin[regime.value])
        width = bands.median_width(evidence, regime.value, margin[regime.value])
        served = bands.median_width(evidence, regime.value, margin[regime.value], False)
        coverage[regime.value] = {
            "share": _round(share, 4),
            "rows": count,
            "median_width": _round(width, 4),
            "median_width_served": _round(served, 4),
        }
    report = {
        "about": (
            "Written by `manage.py calibrate` from data/measured-calibration.csv and the "
            "seeded catalog; read by the page, the API and the CLI. Errors are estimate / "
            "measurement - 1. Hold-outs refit the engine constants without the held-out "
            "group. Band ratios are measured / estimated (a time for decode and TTFT, a "
            "rate for throughput) from the leave-one-source-out estimates."
        ),
        "fingerprints": fingerprints(r),
        **_summary(r),
    }
    for entry in report["regimes"]:
        regime = cal.Regime(entry["regime"])
        for name, outcomes in held.items():
            entry[f"{name}_holdout_median_ape"] = _median_ape(
                [o for o in outcomes if o.case.regime is regime]
            )
    report["lines"] = _lines(r, held)
    report["bands"] = {"level": bands.LEVEL, "margin": margin, "coverage": coverage}
    by_row = {name: {o.case.row: o for o in outcomes} for name, outcomes in held.items()}
    report["evidence"] = [
        {
            "row": o.case.row,
            "source": o.case.source,
            "regime": o.case.regime.value,
            "metric": o.case.metric,
            "label": o.case.label,
            **asdict(cal.case_features(o.case, r.models[o.case.model])),
            "measured": _round(o.case.measured),
            "predicted": _round(o.predicted),
            **{
                f"{name}_holdout_predicted": _round(by_row[name][o.case.row].predicted)
                for name in held
            },
            "loso_ratio": _round(by_row["source"][o.case.row].ratio),
        }
        for o in _static(r.outcomes)
    ]
    return report


def _times(value: float | None) -> str:
    return "-" if value is None else f"x{value:.2f}"


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{value:.1%}"


def markdown(report: dict) -> str:
    """docs/accuracy.md's tables, from the report (a test keeps the page in step)."""
    lines = [
        "| regime | rows | median error | mean error | plain roofline | no GPU | no engine "
        "| no source |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    order = [regime.value for regime in cal.Regime]
    for r in sorted(report["regimes"], key=lambda r: order.index(r["regime"])):
        lines.append(
            f"| {r['title']} | {r['rows']} | **{_percent(r['median_ape'])}** | "
            f"{_percent(r['mean_ape'])} | {_percent(r['roofline_median_ape'])} | "
            f"{_percent(r['gpu_holdout_median_ape'])} | "
            f"{_percent(r['engine_holdout_median_ape'])} | "
            f"{_percent(r['source_holdout_median_ape'])} |"
        )
    lines += [
        "",
        "| line | regime | rows | median error | no source | no GPU |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for line in report["lines"]:
        lines.append(
            f"| {line['label']} | {line['regime']} | {line['rows']} | "
            f"{_percent(line['median_ape'])} | {_percent(line['source_holdout_median_ape'])} | "
            f"{_percent(line['gpu_holdout_median_ape'])} |"
        )
    b = report["bands"]
    lines += [
        "",
        f"| regime | measurements inside their {b['level']:.0%} band | margin either side "
        "| median width, held out (high / low) | median width, as served |",
        "| --- | --- | --- | --- | --- |",
    ]
    for regime, c in b["coverage"].items():
        lines.append(
            f"| {regime} | {_percent(c['share'])} of {c['rows']} | "
            f"x{math.exp(b['margin'][regime]):.2f} | {_times(c.get('median_width'))} | "
            f"{_times(c.get('median_width_served'))} |"
        )
    return "\n".join(lines) + "\n"


def dumps(report: dict) -> str:
    return json.dumps(report, indent=1, sort_keys=False) + "\n"


def write(report: dict, path: Path = DEFAULT_REPORT_PATH) -> None:
    Path(path).write_text(dumps(report))


def check(r: Run, path: Path = DEFAULT_REPORT_PATH, full: bool = False) -> list[str]:
    """What differs between the committed report and a fresh run (empty: up to date)."""
    try:
        committed = json.loads(Path(path).read_text())
    except FileNotFoundError:
        return [f"no report at {path}"]
    if full:
        fresh = json.loads(dumps(build(r)))
        return [
            f"{key} differs"
            for key in sorted(set(fresh) | set(committed))
            if fresh.get(key) != committed.get(key)
        ]
    problems = [
        f"{key} differs"
        for key, value in fingerprints(r).items()
        if committed.get("fingerprints", {}).get(key) != value
    ]
    fresh = json.loads(json.dumps(_summary(r)))
    for key, value in fresh.items():
        mine = committed.get(key)
        if key == "regimes" and mine:
            mine = [{k: v for k, v in e.items() if k in value[0]} for e in mine]
        if mine != value:
            problems.append(f"{key} differs")
    return problems


# Reading it back (the page, the API, the CLI)


_loaded: dict[tuple, dict] = {}


def load(path: Path = DEFAULT_REPORT_PATH) -> dict | None:
    """The committed report, read once per process and again when the file changes;
    None when there is no report."""
    try:
        stamp = (str(path), os.stat(path).st_mtime_ns)
    except FileNotFoundError:
        return None
    if stamp not in _loaded:
        report = json.loads(Path(path).read_text())
        _loaded.clear()
        _loaded[stamp] = {
            "report": report,
            "evidence": tuple(
                bands.Evidence(
                    regime=e["regime"],
                    source=e["source"],
                    features=bands.Features(
                        gpu_family=e["gpu_family"],
                        engine=e["engine"],
                        model_family=e["model_family"],
                        moe=e["moe"],
                        load=e["load"],
                        context=e["context"],
                    ),
                    ratio=e["loso_ratio"],
                )
                for e in report.get("evidence", ())
            ),
        }
    return _loaded[stamp]


def accuracy_summary(path: Path = DEFAULT_REPORT_PATH) -> dict:
    """Rows and median error per regime for the page's accuracy statement."""
    loaded = load(path)
    if loaded is None:
        return {"rows": 0, "regimes": [], "median_ape": None}
    report = loaded["report"]
    regimes = report["regimes"]
    return {
        "rows": report["rows_mapped"],
        "regimes": regimes,
        "median_ape": max((r["median_ape"] for r in regimes), default=None),
        "band_coverage": report.get("bands", {}).get("coverage", {}),
    }


def evidence(path: Path = DEFAULT_REPORT_PATH) -> tuple[tuple[bands.Evidence, ...], dict]:
    """The band evidence and each regime's margin, from the committed report."""
    loaded = load(path)
    if loaded is None:
        return (), {}
    return loaded["evidence"], loaded["report"].get("bands", {}).get("margin", {})


def kept(path: Path = DEFAULT_REPORT_PATH) -> dict | None:
    """A dict kept with the loaded report (new when the report changes), for what the
    answers compute once per report; None without a report."""
    loaded = load(path)
    return None if loaded is None else loaded.setdefault("kept", {})
