"""Estimate one scenario from the command line: a readable summary, or --json.

Figures are written by the page's filters (calculator/templatetags/calc_format.py), so
the CLI and the page show the same text: memory in GB of 10^9 bytes.
"""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand

from calculator import figures
from calculator.answers import api_table, estimate
from calculator.answers.shared import FieldErrors
from calculator.estimator.pricing import source_label
from calculator.forms import CalculatorForm
from calculator.limits import MAX_GPUS_SEARCHED
from calculator.management.cli import invalid_input
from calculator.templatetags.calc_format import (
    format_bytes,
    format_count,
    format_figure,
    format_likely,
    format_ratio,
    format_usd,
)

# Label columns: the figures' values line up under each section's heading.
PERFORMANCE_WIDTH = 22
COST_WIDTH = 27


def _usd(value: float | None) -> str:
    return "n/a (no price)" if value is None else format_usd(value)


def _likely(band: dict | None, kind: str) -> str:
    """ "  (likely 15.0–22.0 ms; 12 measurements of vllm on H100, ...)", or ""."""
    bounds = format_likely(band, kind)
    return f"  (likely {bounds}; {band['basis']})" if bounds else ""


def _name(figure: figures.Figure) -> str:
    """The figure's label as the middle of a line: "time to first token"."""
    return figure.label[:1].lower() + figure.label[1:]


def _line(figure: figures.Figure, results: dict, width: int, note: str = "") -> str:
    """One figure's line: its name, its value formatted as the page does, its band."""
    value = figure.of(results)
    text = _usd(value) if figure.kind == "usd" else format_figure(value, figure.kind)
    return f"  {_name(figure):<{width}}{text}{note}" + _likely(figure.band_in(results), figure.kind)


class Command(BaseCommand):
    help = (
        "Estimate memory, latency, throughput and cost for one scenario. A model from its "
        'config.json: --model custom --model-config "$(cat config.json)".'
    )

    def add_arguments(self, parser):
        for field in CalculatorForm.base_fields:
            flag = "--" + field.replace("_", "-")
            default = estimate.DEFAULTS.get(field)
            parser.add_argument(
                flag,
                dest=field,
                default=None if default in (None, "") else str(default),
                help=f"default: {default}" if default not in (None, "") else None,
            )
        parser.add_argument("--json", action="store_true", help="Print the API's JSON.")

    def handle(self, *args, **options):
        data = {f: options[f] for f in CalculatorForm.base_fields if options[f] is not None}
        form = CalculatorForm(data)
        answered = estimate.answer(form, trace=True)
        if isinstance(answered, FieldErrors):
            raise invalid_input(form)
        if options["json"]:
            self.stdout.write(json.dumps(answered.as_json(), indent=2))
            return
        self._summary(answered)

    def _owned(self, owned: dict) -> None:
        """Owned hardware: its math, a month bought, rented and on the APIs, break-even."""
        out = self.stdout.write
        for step in owned["trace"]:
            out(f"  {step['label']}: {step['substituted']} = {step['value']:,.4g} {step['unit']}")
        out(f"  a month busy, bought: {_usd(owned['owned_usd_per_month'])}")
        if owned["rented_usd_per_month"] is not None:
            out(
                f"  a month busy, rented on demand ({owned['rented_source']}): "
                f"{_usd(owned['rented_usd_per_month'])}"
            )
        for api in owned["apis"][:3]:
            out(f"  a month of the same tokens on {api['name']}: {_usd(api['usd_per_month'])}")
        months = owned["break_even_months"]
        if months is not None:
            out(f"  buying breaks even after {months:,.1f} months")

    def _summary(self, answered: estimate.Estimated) -> None:
        result, price, results = answered.estimate, answered.price, answered.results()
        m = result.memory
        inputs = answered.data
        out = self.stdout.write
        out(
            f"{inputs['model'].name} on {inputs['gpus']} x {inputs['gpu'].name} "
            f"({inputs['engine'].name}, {inputs['weights']} weights, {inputs['parallelism']})"
        )
        out(f"  batch {format_count(result.batch)}, sequence length {format_count(result.seq_len)}")
        out("Memory per GPU (1 GB = 10^9 bytes)")
        out(f"  weights      {format_bytes(m.weights_bytes_per_gpu)}")
        out(f"  KV cache     {format_bytes(m.kv_cache_bytes_per_gpu)}")
        out(f"  activations  {format_bytes(m.activation_bytes_per_gpu)}")
        out(f"  runtime      {format_bytes(m.overhead_bytes_per_gpu)}")
        needs = m.min_gpus or f">{MAX_GPUS_SEARCHED}"
        out(
            f"  total        {format_bytes(m.total_bytes_per_gpu)} of "
            f"{format_bytes(m.capacity_bytes_per_gpu)} usable: "
            + ("fits" if m.fits else f"DOES NOT FIT (needs {needs} GPUs)")
        )
        out(f"  {_name(figures.MAX_BATCH)}: {format_count(m.max_batch)}")
        out("Performance")
        bounds = {figures.TTFT: result.prefill.bound, figures.TPOT: result.decode.bound}
        for figure in figures.CLI_PERFORMANCE:
            bound = f" ({bounds[figure]}-bound)" if figure in bounds else ""
            out(_line(figure, results, PERFORMANCE_WIDTH, bound))
        out("Cost")
        if price.usd_per_gpu_hour is not None:
            dated = price.as_of.isoformat() if price.as_of else "undated"
            if answered.owned is not None:
                dated = "bought"
            out(
                f"  {'price':<{COST_WIDTH}}{_usd(price.usd_per_gpu_hour)}/GPU-hour "
                f"({source_label(price.as_dict())}, {dated}), {price.gpus_billed} GPUs billed"
            )
        for figure in figures.CLI_COST:
            full_load = " at full load" if figure is figures.USD_PER_1M else ""
            out(_line(figure, results, COST_WIDTH, full_load))
        if answered.owned is not None:
            self._owned(answered.owned)
        # The calculator's table order (this model's offerings, then the closed
        # references), deprecated models left out.
        rows = api_table.answer(answered, all_apis=False)["api_rows"]
        for api in [row for row in rows if not row["deprecated"]][:5]:
            ratio = "n/a" if api["ratio"] is None else format_ratio(api["ratio"])
            out(
                f"  vs {api['title']}: {_usd(api['total_usd'])} per run, "
                f"self-hosted / API = {ratio}"
            )
        for warning in (*price.warnings, *result.warnings):
            out(self.style.WARNING(f"Warning: {warning}"))
