"""The calculator's "Compare GPUs" section: the same workload on every GPU, on the
fewest of each that hold it, at the price the user's choice gives for that many
(``estimator.compare_gpus``)."""

from __future__ import annotations

from calculator import estimator
from calculator.answers.estimate import Estimated
from calculator.answers.shared import PriceChoice, specs, workload


def answer(estimated: Estimated) -> list[estimator.GpuOption]:
    """Every active GPU the estimator can model, cheapest per 1M output tokens first;
    the price typed, if any, is for the GPU picked only."""
    catalog = estimated.form.catalog
    gpus = []
    for gpu in catalog.gpus:
        try:
            gpus.append(gpu.to_spec())
        except ValueError:  # no bandwidth figure: it cannot be estimated
            continue
    model, chosen, engine = specs(estimated.data)
    return estimator.compare_gpus(
        model,
        gpus,
        engine,
        workload(estimated.data),
        batch=estimated.estimate.batch,
        seq_len=estimated.estimate.seq_len,
        chosen=chosen.slug,
        price=PriceChoice.of(estimated.data).function(catalog, catalog.gpus, typed_for=chosen.slug),
    )
