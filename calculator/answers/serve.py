"""/api/serve's question: how does one replica of this configuration serve a stream of
requests? The serving simulator answers (``calculator.estimator.serving``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from calculator import estimator
from calculator.answers import day
from calculator.answers.shared import FieldErrors, objection, specs, validated, workload
from calculator.estimator import budget, serving
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

    def as_json(self) -> dict:
        return {"inputs": self.form.inputs(), **self.result.as_dict()}


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
