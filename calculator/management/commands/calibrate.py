"""Score the estimator against published measurements and write the calibration report."""

from __future__ import annotations

import json
import math
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from calculator import calibration_report as reports
from calculator.estimator import calibration, fitting


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.1%}"


class Command(BaseCommand):
    help = (
        "Compare the estimator with published measurements (per row, per regime, held "
        "out by GPU family, engine and source) and write data/calibration-report.json."
    )

    # The switches, each a yes-or-no flag.
    FLAGS = {
        "--check": "Write nothing; fail if the committed report is out of date (compares its "
        "fingerprints and in-sample figures; with --full, reruns everything).",
        "--full": "With --check: rerun it all.",
        "--fit": "Also print each engine's constants fitted on every row (copy them into "
        "a data migration to adopt them); changes nothing in the database.",
        "--quiet": "Only the summary.",
        "--markdown": "Print the committed report's tables for docs/accuracy.md and stop.",
    }

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", default=str(reports.DEFAULT_CALIBRATION_PATH))
        parser.add_argument("--report", default=str(reports.DEFAULT_REPORT_PATH))
        for flag, text in self.FLAGS.items():
            parser.add_argument(flag, action="store_true", help=text)
        parser.add_argument(
            "--workers", type=int, default=reports.WORKERS, help="Processes for the hold-outs."
        )

    def handle(self, *args, **options):
        path = Path(options["path"])
        if not path.exists():
            raise CommandError(f"No calibration file at {path}")
        if options["markdown"]:
            self.stdout.write(reports.markdown(json.loads(Path(options["report"]).read_text())))
            return
        run = reports.run(path)
        if options["check"]:
            problems = reports.check(run, Path(options["report"]), full=options["full"])
            if problems:
                raise CommandError(
                    "The calibration report is out of date (run `manage.py calibrate`): "
                    + "; ".join(problems)
                )
            self.stdout.write("The calibration report is up to date.")
            return
        if not options["quiet"]:
            self._rows(run)
        report = reports.build(run, workers=options["workers"])
        reports.write(report, Path(options["report"]))
        self._summary(report)
        self.stdout.write(f"\nWrote {options['report']}")
        if options["fit"]:
            self._fit(run)

    def _rows(self, run: reports.Run) -> None:
        out = self.stdout.write
        out("Predicted vs measured, per row (error = predicted / measured - 1):")
        for o in sorted(run.outcomes, key=lambda o: (o.case.regime, o.case.row)):
            c = o.case
            note = f"  [{c.assumptions}]" if c.assumptions else ""
            out(
                f"  row {c.row:>3} {c.regime:<10} {c.label:<78} {c.metric:<32} "
                f"measured {c.measured:>10.4g}  predicted {o.predicted:>10.4g}  "
                f"{o.error:+7.1%}{note}"
            )
        out(f"\nRows skipped ({len(run.skips)}):")
        for s in run.skips:
            out(f"  row {s.row:>3} {s.description[:70]:<70} -- {s.reason}")

    def _summary(self, report: dict) -> None:
        out = self.stdout.write
        out(f"\nSummary ({report['rows_mapped']} rows mapped, {report['rows_skipped']} skipped):")
        out(
            f"  {'regime':<42} {'rows':>4} {'median':>7} {'mean':>7} {'roofline':>9}"
            f" {'no GPU':>7} {'no eng.':>7} {'no src':>7}"
        )
        for r in report["regimes"]:
            out(
                f"  {r['title']:<42} {r['rows']:>4} {_pct(r['median_ape']):>7} "
                f"{_pct(r['mean_ape']):>7} {_pct(r['roofline_median_ape']):>9}"
                f" {_pct(r['gpu_holdout_median_ape']):>7}"
                f" {_pct(r['engine_holdout_median_ape']):>7}"
                f" {_pct(r['source_holdout_median_ape']):>7}"
            )
        out(f"  (plain roofline: {calibration.PLAIN_ROOFLINE_NOTE})")
        out("  (no GPU / engine / source: median error with that GPU family, engine or source")
        out("   held out of the fit)")
        out("\nLines of their own:")
        for line in report["lines"]:
            out(
                f"  {line['label']:<28} {line['regime']:<11} {line['rows']:>4} rows, median "
                f"{_pct(line['median_ape'])}, held out by source "
                f"{_pct(line['source_holdout_median_ape'])}, by GPU "
                f"{_pct(line['gpu_holdout_median_ape'])}"
            )
        bands = report["bands"]
        out(f"\nError bands ({bands['level']:.0%}), share of measurements inside their band")
        out("with their own source left out of the evidence:")
        for regime, c in bands["coverage"].items():
            out(
                f"  {regime:<11} {_pct(c['share'])} of {c['rows']} "
                f"(margin x{math.exp(bands['margin'][regime]):.2f} either side)"
            )

    def _fit(self, run: reports.Run) -> None:
        out = self.stdout.write
        # The online regime re-scores rows the others hold, through the simulator, which
        # is too slow to sit inside the optimiser: the fit uses the static regimes.
        cases = reports.static_cases(run)
        fitted = fitting.fit(run.engines, cases, run.models, run.gpus)
        out("\nFitted engine constants (copy into a data migration to adopt them):")
        for slug, engine in fitted.items():
            values = ", ".join(f"{name}={getattr(engine, name):.4g}" for name in fitting.FIT_BOUNDS)
            out(f"  {slug}: {values}")
        scores = calibration.score(calibration.evaluate(cases, run.models, run.gpus, fitted))
        out("\nIn-sample with the fitted constants:")
        for regime, s in scores.items():
            out(f"  {calibration.REGIME_TITLES[regime]:<42} median {_pct(s.median_ape)}")
