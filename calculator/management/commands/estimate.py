"""Estimate one scenario from the command line: a readable summary, or --json.

Figures are written by the page's filters (calculator/templatetags/calc_format.py), so
the CLI and the page show the same text: memory in GB of 10^9 bytes.
"""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand

from calculator.answers import estimate
from calculator.answers.shared import FieldErrors
from calculator.estimator.pricing import source_label
from calculator.forms import CalculatorForm
from calculator.management.cli import invalid_input
from calculator.templatetags.calc_format import (
    format_bytes,
    format_count,
    format_duration,
    format_likely,
    format_ratio,
    format_tokens_per_second,
    format_usd,
)


def _usd(value: float | None) -> str:
    return "n/a (no price)" if value is None else format_usd(value)


def _likely(band: dict, kind: str) -> str:
    """ "  (likely 15.0–22.0 ms; 12 measurements of vllm on H100, ...)", or ""."""
    bounds = format_likely(band, kind)
    return f"  (likely {bounds}; {band['basis']})" if bounds else ""


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
        result, price, bands = answered.estimate, answered.price, answered.confidence
        m, p, d, c = result.memory, result.prefill, result.decode, result.cost
        inputs = form.cleaned_data
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
        out(
            f"  total        {format_bytes(m.total_bytes_per_gpu)} of "
            f"{format_bytes(m.capacity_bytes_per_gpu)} usable: "
            + ("fits" if m.fits else f"DOES NOT FIT (needs {m.min_gpus or '>64'} GPUs)")
        )
        out(f"  largest batch that fits: {format_count(m.max_batch)}")
        out("Performance")
        ttft, tpot = bands["time_to_first_token_seconds"], bands["seconds_per_output_token"]
        per_seq, total = bands["tokens_per_second_per_sequence"], bands["tokens_per_second"]
        out(
            f"  time to first token   {format_duration(p.seconds)} ({p.bound}-bound)"
            + _likely(ttft, "seconds")
        )
        out(
            f"  time per output token {format_duration(d.seconds_per_token)} ({d.bound}-bound)"
            + _likely(tpot, "seconds")
        )
        out(
            f"  per sequence          {format_tokens_per_second(d.tokens_per_second_per_sequence)}"
            + _likely(per_seq, "rate")
        )
        out(
            f"  in total              {format_tokens_per_second(d.tokens_per_second)}"
            + _likely(total, "rate")
        )
        out(f"  end to end            {format_duration(result.end_to_end_seconds)}")
        out("Cost")
        if price.usd_per_gpu_hour is not None:
            dated = price.as_of.isoformat() if price.as_of else "undated"
            out(
                f"  price                 {_usd(price.usd_per_gpu_hour)}/GPU-hour "
                f"({source_label(price.as_dict())}, {dated}), {price.gpus_billed} GPUs billed"
            )
        out(f"  per hour              {_usd(c.usd_per_hour)}")
        out(f"  per run               {_usd(c.total_usd)}")
        out(f"  per 1k tokens         {_usd(c.usd_per_1k_tokens)}")
        cost = bands["usd_per_1m_output_tokens"]
        out(
            f"  per 1M output tokens  {_usd(c.usd_per_1m_output_tokens)} at full load"
            + _likely(cost, "usd")
        )
        for api in result.api_comparison[:5]:
            ratio = "n/a" if api.ratio is None else format_ratio(api.ratio)
            out(f"  vs {api.name}: {_usd(api.total_usd)} per run, self-hosted / API = {ratio}")
        for warning in (*price.warnings, *result.warnings):
            out(self.style.WARNING(f"Warning: {warning}"))
