"""Score the estimator against published measurements (and, with --fit, refit)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from calculator.estimates import DEFAULT_CALIBRATION_PATH, Report, run_calibration
from calculator.estimator import calibration as cal
from calculator.estimator import fitting


def _pct(value: float) -> str:
    return f"{value:.1%}"


class Command(BaseCommand):
    help = "Compare the estimator with published measurements, per row and per regime."

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", default=str(DEFAULT_CALIBRATION_PATH))
        parser.add_argument(
            "--fit",
            action="store_true",
            help="Refit each engine's constants and report hold-out errors (by GPU, by "
            "source). Prints the fitted values; it changes nothing in the database.",
        )
        parser.add_argument("--quiet", action="store_true", help="Only the summary.")

    def handle(self, *args, **options):
        path = Path(options["path"])
        if not path.exists():
            raise CommandError(f"No calibration file at {path}")
        report = run_calibration(path)
        out = self.stdout.write
        if not options["quiet"]:
            out("Predicted vs measured, per row (error = predicted / measured - 1):")
            for o in sorted(report.outcomes, key=lambda o: (o.case.regime, o.case.row)):
                c = o.case
                note = f"  [{c.assumptions}]" if c.assumptions else ""
                out(
                    f"  row {c.row:>3} {c.regime:<10} {c.label:<78} {c.metric:<32} "
                    f"measured {c.measured:>10.4g}  predicted {o.predicted:>10.4g}  "
                    f"{o.error:+7.1%}{note}"
                )
            out(f"\nRows skipped ({len(report.skips)}):")
            for s in report.skips:
                out(f"  row {s.row:>3} {s.description[:70]:<70} -- {s.reason}")
        out(f"\nSummary ({len(report.cases)} rows mapped, {len(report.skips)} skipped):")
        out(f"  {'regime':<36} {'rows':>4} {'median':>8} {'mean':>8}   plain roofline median")
        for regime, s in report.scores.items():
            plain = report.roofline_scores[regime]
            out(
                f"  {cal.REGIME_TITLES[regime]:<36} {s.count:>4} {_pct(s.median_ape):>8} "
                f"{_pct(s.mean_ape):>8}   {_pct(plain.median_ape):>8}"
            )
        out(f"  (plain roofline: {cal.PLAIN_ROOFLINE_NOTE})")
        if options["fit"]:
            self._fit(report)

    def _fit(self, report: Report) -> None:
        out = self.stdout.write
        # The online regime re-scores rows the others hold, through the simulator, which
        # is too slow to sit inside the optimiser: the fit uses the static regimes.
        cases = [c for c in report.cases if c.regime is not cal.Regime.ONLINE]
        fitted = fitting.fit(report.engines, cases, report.models, report.gpus)
        out("\nFitted engine constants (copy into a data migration to adopt them):")
        for slug, engine in fitted.items():
            values = ", ".join(f"{name}={getattr(engine, name):.4g}" for name in fitting.FIT_BOUNDS)
            out(f"  {slug}: {values}")
        scores = cal.score(cal.evaluate(cases, report.models, report.gpus, fitted))
        out("\nIn-sample with the fitted constants:")
        for regime, s in scores.items():
            out(f"  {cal.REGIME_TITLES[regime]:<36} median {_pct(s.median_ape)}")
        for name, key in (("GPU", lambda c: c.gpu), ("source", lambda c: c.source)):
            held = fitting.cross_validate(report.engines, cases, report.models, report.gpus, key)
            out(f"\nHeld out by {name} (fit on the rest, predict the held-out rows):")
            for regime, s in cal.score(held).items():
                out(
                    f"  {cal.REGIME_TITLES[regime]:<36} {s.count:>4} median "
                    f"{_pct(s.median_ape)} mean {_pct(s.mean_ape)}"
                )
