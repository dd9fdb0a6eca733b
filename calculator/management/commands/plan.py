"""Plan capacity for a traffic from the command line: the ranked options, or --json."""

from __future__ import annotations

import json

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand

from calculator.answers import capacity
from calculator.answers.shared import FieldErrors
from calculator.management.cli import invalid_input
from calculator.plan_forms import PlanLogForm
from calculator.templatetags.calc_format import format_usd


def _usd(value: float | None) -> str:
    return "-" if value is None else format_usd(value)


def _rented(o) -> str:
    """Whom an option rents from: "hyperbolic 2x-H100 (default), on-demand, undated"."""
    plain = o.as_dict()
    if not plain["provider"]:
        return o.price_source
    kind = "spot" if plain["price_kind"] == "spot" else "on-demand"
    flag = f", {plain['price_flag']} price" if plain["price_flag"] else ""
    return (
        f"{plain['provider']} {plain['instance_type']} ({plain['region'] or 'any region'}), "
        f"{kind}{flag}, {plain['price_as_of']}"
    )


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:,.0f} ms"


class Command(BaseCommand):
    help = "Rank GPU x replica size x precision for a traffic and latency targets."

    def add_arguments(self, parser):
        for field in PlanLogForm.base_fields:
            default = capacity.DEFAULTS.get(field)
            parser.add_argument(
                "--" + field.replace("_", "-"),
                dest=field,
                default=default,
                help=f"default: {default}" if default else None,
            )
        parser.add_argument("--json", action="store_true", help="Print the API's JSON.")

    def handle(self, *args, **options):
        data = {f: options[f] for f in PlanLogForm.base_fields if options[f] is not None}
        profile = options["hourly_rates"] or options["request_log"]  # request_log: a path
        if (options["requests_per_day"] or profile) and options["rate"] == capacity.DEFAULTS[
            "rate"
        ]:
            data.pop("rate")  # a daily volume or a profile given: the example's rate steps aside
        files = {}
        if options["request_log"]:  # a path to the CSV
            with open(options.pop("request_log"), "rb") as log:
                files["request_log"] = SimpleUploadedFile("log.csv", log.read())
            data.pop("request_log")
        form = PlanLogForm(data, files)
        planned = capacity.answer(form)
        if isinstance(planned, FieldErrors):
            raise invalid_input(form)
        if options["json"]:
            self.stdout.write(json.dumps(planned.as_json(), indent=2))
            return
        result = planned.result
        out = self.stdout.write
        t, g = result.traffic, result.targets
        out(
            f"{form.cleaned_data['model'].name} at {t.peak_rate:g} requests/s peak "
            f"({t.prompt_tokens:,} prompt / {t.completion_tokens:,} completion tokens), "
            f"TTFT <= {g.ttft_s * 1e3:g} ms and TPOT <= {g.tpot_s * 1e3:g} ms at {g.percentile}"
        )
        out(
            f"  {'replica':<44} {'req/s each':>10} {'replicas':>8} {'TTFT':>9} {'TPOT':>8} "
            f"{'per month':>12}  verdict"
        )
        for o in result.options:
            verdict = "meets the targets" if o.meets_targets else " ".join(o.reasons)
            rate = f"{o.max_rate_per_replica:,.2f}" if o.max_rate_per_replica else "-"
            ttft = None if o.ttft_s is None else o.ttft_s * 1e3
            tpot = None if o.tpot_s is None else o.tpot_s * 1e3
            out(
                f"  {o.label:<44} {rate:>10} {o.replicas or '-':>8} {_ms(ttft):>9} "
                f"{_ms(tpot):>8} {_usd(o.usd_per_month):>12}  {verdict}"
            )
        best = result.best
        if best:
            allowed = capacity.utilization_text(
                best.utilization, result.headroom.target_utilization
            )
            spare = ", one spare (N+1)" if result.headroom.n_plus_one else ""
            rent = best.label if best.disaggregated else f"{best.replicas} x {best.label}"
            out(
                f"Best: {rent}, {_usd(best.usd_per_month)} a month "
                f"({_usd(best.usd_per_1m_tokens)} per 1M tokens), {allowed}{spare}."
            )
            out(f"  rent from {_rented(best)}")
            if result.speculation is not None:
                out(f"  speculative decoding: {result.speculation.summary}")
            for title, other in (
                ("Runner-up", result.runner_up),
                ("On spot", result.cheapest_spot),
            ):
                if other is not None:
                    out(
                        f"{title}: {other.replicas} x {other.label}, "
                        f"{_usd(other.usd_per_month)} a month, from {_rented(other)}"
                    )
        else:
            out(f"No option meets the targets: {result.best_reason}")
        if result.disaggregation:
            out(result.disaggregation)
        for api in [a for a in result.api_comparison if not a.deprecated][:5]:
            out(
                f"  vs {api.name}: {_usd(api.usd_per_month)} a month "
                f"({_usd(api.usd_per_1m_output_tokens)} per 1M output tokens)"
            )
        if planned.day and planned.day["bill"]:
            self._day(planned.day)

    def _day(self, day: dict) -> None:
        out, bill = self.stdout.write, day["bill"]
        out(
            f"Over a day: autoscaled {_usd(bill['autoscaled_usd_per_month'])} a month "
            f"({bill['replica_hours_per_day']:,.1f} replica-hours a day), fixed "
            f"{_usd(bill['fixed_usd_per_month'])} ({bill['fixed_replicas']} replicas): "
            f"saves {_usd(bill['autoscaling_saves_usd_per_month'])} "
            f"({bill['autoscaling_saves_fraction']:.0%}); {bill['reserved_replicas']} reserved "
            f"+ burst {_usd(bill['reserved_plus_burst_usd_per_month'])}."
        )
        out(f"  {'hour':>4} {'req/s':>10} {'replicas':>9} {'within targets':>15}")
        for hour in day["schedule"]:
            attained = hour["slo_attainment"]
            shown = "-" if attained is None else f"{attained:.1%}"
            out(f"  {hour['hour']:>4} {hour['rate']:>10,.3g} {hour['replicas']:>9,.2f} {shown:>15}")
        for warning in day["autoscaling"]["warnings"]:
            out(f"  {warning}")
