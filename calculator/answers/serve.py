"""/api/serve's question: how does one replica of this configuration serve a stream of
requests? The serving simulator answers (``calculator.estimator.serving``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property

from calculator import calibration_report, estimator
from calculator.answers import day
from calculator.answers.shared import FieldErrors, objection, specs, validated, workload
from calculator.estimator import bands, budget, serving
from calculator.plan_forms import ServeForm


def check_simulation_budget(data: Mapping, requests: int) -> None:
    """Refuse simulating `requests` requests of a valid form's lengths over the work
    budget (estimator/budget.py): a WorkBudgetError naming the input to lower."""
    budget.check_simulation(
        requests, data["prompt"], data["completion"], data["engine"].max_batched_tokens
    )


@dataclass(frozen=True)
class Served:
    form: ServeForm
    result: estimator.ServingResult

    @cached_property
    def figures(self) -> dict:
        return self.result.as_dict()

    @cached_property
    def confidence(self) -> dict:
        """Error bands on the latencies and throughput, keyed by their path in the JSON
        ("ttft_ms.p95"), from the calibration report's measurements most like this
        configuration at the load it ran at (calculator.estimator.bands)."""
        data, result = self.form.cleaned_data, self.result
        model = data["model"].to_spec()
        batch = bands.serving_batch(
            data.get("concurrency"), result.requests_per_second, result.e2e_s.mean
        )
        query = bands.features(
            data["gpu"].slug,
            data["engine"].slug,
            model.slug,
            model.num_experts > 0,
            batch,
            data["prompt"],
        )
        evidence, margin = calibration_report.evidence()
        wanted = [name for name, _, _ in bands.SERVING_FIGURE_BANDS]
        return bands.confidence(
            query,
            bands.paths(self.figures, wanted),
            evidence,
            margin,
            bands.SERVING_FIGURE_BANDS,
        )

    def as_json(self) -> dict:
        return {"inputs": self.form.inputs(), **self.figures, "confidence": self.confidence}


def answer(form: ServeForm) -> Served | FieldErrors:
    """The simulation for a bound form, or why there is none."""
    if errors := validated(form):
        return errors
    data = form.cleaned_data
    requests = data.get("requests") or serving.DEFAULT_REQUESTS
    try:
        check_simulation_budget(data, requests)
        result = estimator.simulate(
            *specs(data),
            workload(data),
            rate=data.get("rate"),
            concurrency=data.get("concurrency"),
            requests=requests,
            length_spread=data.get("length_spread") or serving.LengthSpread.FIXED,
            arrivals=day.arrivals(data),
        )
    except estimator.EstimatorInputError as error:
        return objection(form, error)
    return Served(form, result)
