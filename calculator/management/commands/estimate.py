"""Estimate one scenario from the command line: a readable summary, or --json."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError
from django.template.defaultfilters import filesizeformat

from calculator.estimates import answer, confidence, estimate_form, form_price, model_summary
from calculator.forms import DEFAULTS, CalculatorForm
from calculator.snapshots import price_label


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:,.1f} ms" if seconds < 1 else f"{seconds:,.2f} s"


def _usd(value: float | None) -> str:
    return "n/a (no price)" if value is None else f"${value:,.4f}"


def _n(value: float) -> str:
    return f"{value:,.1f}"


def _likely(band: dict, fmt) -> str:
    """ "  (likely 15.0 ms-22.0 ms; 12 measurements of vllm on H100)"."""
    return f"  (likely {fmt(band['low'])}-{fmt(band['high'])}; {band['basis']})"


class Command(BaseCommand):
    help = (
        "Estimate memory, latency, throughput and cost for one scenario. A model from its "
        'config.json: --model custom --model-config "$(cat config.json)".'
    )

    def add_arguments(self, parser):
        for field in CalculatorForm.base_fields:
            flag = "--" + field.replace("_", "-")
            default = DEFAULTS.get(field)
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
        price = form_price(form) if form.is_valid() else None
        result = estimate_form(form, price=price) if price is not None else None
        if result is None:
            lines = [
                f"  --{field.replace('_', '-')}: {' '.join(messages)}"
                for field, messages in form.errors.items()
            ]
            raise CommandError("Invalid input:\n" + "\n".join(lines))
        if options["json"]:
            model = model_summary(form.cleaned_data["model"], result)
            body = {"inputs": form.inputs(), "model": model, **answer(form, result, price)}
            self.stdout.write(json.dumps(body, indent=2))
            return
        bands = confidence(form, result)
        m, p, d, c = result.memory, result.prefill, result.decode, result.cost
        inputs = form.cleaned_data
        out = self.stdout.write
        out(
            f"{inputs['model'].name} on {inputs['gpus']} x {inputs['gpu'].name} "
            f"({inputs['engine'].name}, {inputs['weights']} weights, {inputs['parallelism']})"
        )
        out(f"  batch {result.batch}, sequence length {result.seq_len:,}")
        out("Memory per GPU")
        out(f"  weights      {filesizeformat(m.weights_bytes_per_gpu)}")
        out(f"  KV cache     {filesizeformat(m.kv_cache_bytes_per_gpu)}")
        out(f"  activations  {filesizeformat(m.activation_bytes_per_gpu)}")
        out(f"  runtime      {filesizeformat(m.overhead_bytes_per_gpu)}")
        out(
            f"  total        {filesizeformat(m.total_bytes_per_gpu)} of "
            f"{filesizeformat(m.capacity_bytes_per_gpu)} usable: "
            + ("fits" if m.fits else f"DOES NOT FIT (needs {m.min_gpus or '>64'} GPUs)")
        )
        out(f"  largest batch that fits: {m.max_batch:,}")
        out("Performance")
        ttft, tpot = bands["time_to_first_token_seconds"], bands["seconds_per_output_token"]
        per_seq, total = bands["tokens_per_second_per_sequence"], bands["tokens_per_second"]
        out(f"  time to first token   {_ms(p.seconds)} ({p.bound}-bound){_likely(ttft, _ms)}")
        out(
            f"  time per output token {_ms(d.seconds_per_token)} ({d.bound}-bound)"
            + _likely(tpot, _ms)
        )
        out(
            f"  tokens/s per sequence {d.tokens_per_second_per_sequence:,.1f}{_likely(per_seq, _n)}"
        )
        out(f"  tokens/s in total     {d.tokens_per_second:,.1f}{_likely(total, _n)}")
        out(f"  end to end            {_ms(result.end_to_end_seconds)}")
        out("Cost")
        if price.usd_per_gpu_hour is not None:
            dated = price.as_of.isoformat() if price.as_of else "undated"
            out(
                f"  price                 {_usd(price.usd_per_gpu_hour)}/GPU-hour "
                f"({price_label(price.as_dict())}, {dated}), {price.gpus_billed} GPUs billed"
            )
        out(f"  per hour              {_usd(c.usd_per_hour)}")
        out(f"  per run               {_usd(c.total_usd)}")
        out(f"  per 1k tokens         {_usd(c.usd_per_1k_tokens)}")
        cost = bands["usd_per_1m_output_tokens"]
        out(
            f"  per 1M output tokens  {_usd(c.usd_per_1m_output_tokens)} at full load"
            + (_likely(cost, _usd) if c.usd_per_1m_output_tokens is not None else "")
        )
        for api in result.api_comparison[:5]:
            ratio = "n/a" if api.ratio is None else f"{api.ratio:,.2f}x"
            out(f"  vs {api.name}: {_usd(api.total_usd)} per run, self-hosted / API = {ratio}")
        for warning in (*price.warnings, *result.warnings):
            out(self.style.WARNING(f"Warning: {warning}"))
