"""The calculator's "Under load" section: how this configuration serves a stream of
requests at a rate (by default a share of its capacity), with latency against the rate
up to the capacity. The serving simulator answers (``calculator.estimator.serving``)."""

from __future__ import annotations

from dataclasses import dataclass

from calculator import charts, estimator
from calculator.answers.serve import check_simulation_budget
from calculator.answers.shared import FieldErrors, objection, specs, validated, workload
from calculator.estimator import serving
from calculator.plan_forms import ServeForm

# The default rate is this share of the analytic capacity (the 70%: busy, short
# of the knee), and the chart runs up to the capacity in this many rates.
DEFAULT_LOAD_SHARE = 0.7
CHART_RATES = 8
CHART_REQUESTS = 300  # requests per point of the latency-vs-rate chart
# The calculator's form is posted along (hx-include); the simulator's own inputs it
# lacks are empty: the rate is this section's, and no rate means the default share.
SIMULATOR_FIELDS = ("rate", "concurrency", "requests", "length_spread")


def form(query) -> ServeForm:
    """The simulator's form over the calculator's query and this section's rate."""
    data = query.copy()
    for field in SIMULATOR_FIELDS:
        data.setdefault(field, "")
    return ServeForm(data, traffic_required=False)


@dataclass(frozen=True)
class UnderLoad:
    result: estimator.ServingResult  # at `rate`
    rate: float  # requests/s simulated
    capacity: float  # requests/s, analytic
    charts: list[charts.Chart]  # p50 and p95 latency against the rate


def answer(form: ServeForm) -> UnderLoad | FieldErrors:
    """The simulation at the rate asked for (default: DEFAULT_LOAD_SHARE of the
    capacity) and the latency-vs-rate charts, or why there is none."""
    if errors := validated(form):
        return errors
    data = form.cleaned_data
    configuration = (*specs(data), workload(data))
    try:
        # The run shown and the chart's runs, all in the budget.
        check_simulation_budget(data, serving.DEFAULT_REQUESTS + CHART_RATES * CHART_REQUESTS)
        capacity = estimator.saturation_rate(*configuration)
    except estimator.EstimatorInputError as error:
        return objection(form, error)
    rate = data.get("rate") or round(capacity * DEFAULT_LOAD_SHARE, 3)
    result = estimator.simulate(*configuration, rate=rate, requests=serving.DEFAULT_REQUESTS)
    rows_ttft, rows_tpot = [], []
    for r in sorted({*serving.rate_grid(capacity, CHART_RATES), rate}):
        # The rate asked for is charted from the run the table shows.
        run = result
        if r != rate:
            run = estimator.simulate(*configuration, rate=r, requests=CHART_REQUESTS)
        rows_ttft.append((r, run.ttft_s.p50 * 1e3, run.ttft_s.p95 * 1e3))
        rows_tpot.append((r, run.tpot_s.p50 * 1e3, run.tpot_s.p95 * 1e3))
    drawn = [
        charts.latency_chart("load-ttft", "Time to first token", rows_ttft, "ms", rate),
        charts.latency_chart("load-tpot", "Time per output token", rows_tpot, "ms", rate),
    ]
    return UnderLoad(result, rate, capacity, [chart for chart in drawn if chart is not None])
