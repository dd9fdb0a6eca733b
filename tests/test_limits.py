"""Limits live in one place, relate to each other as their comments say, and are the
ones the forms, the estimator's messages, the templates and docs/api.md use."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest
from django.conf import settings

from calculator import limits
from calculator.estimator import EstimatorInputError, Workload, estimate
from calculator.forms import CalculatorForm
from calculator.plan_forms import PlanForm, ServeForm
from tests.estimator_fixtures import A100_80GB, LLAMA_2_7B, ROUND_ENGINE

API_DOC = Path(__file__).resolve().parent.parent / "docs" / "api.md"


def test_the_limits_relate_as_their_comments_say():
    assert limits.DEFAULT_MAX_GPUS_PER_REPLICA == limits.GPUS_PER_SERVER
    assert limits.MAX_GPUS_PER_REPLICA == 8 * limits.GPUS_PER_SERVER
    assert limits.MAX_GPUS_SEARCHED == limits.MAX_GPUS_PER_REPLICA
    assert limits.MAX_GPUS == 16 * limits.MAX_GPUS_PER_REPLICA
    assert limits.MAX_SEQ_LEN == 2 * limits.MAX_TOKENS
    assert limits.MAX_EFFECTIVE_HOURLY_USD >= limits.MAX_HOURLY_USD
    assert limits.MAX_CONCURRENCY > limits.MAX_BATCH
    assert limits.MAX_PLAN_RATE <= limits.MAX_SERVE_RATE
    assert limits.MAX_BODY_BYTES == 2 * limits.MAX_CONFIG_CHARS


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("form", "field", "limit"),
    [
        (CalculatorForm, "gpus", limits.MAX_GPUS),
        (CalculatorForm, "prompt", limits.MAX_TOKENS),
        (CalculatorForm, "completion", limits.MAX_TOKENS),
        (CalculatorForm, "seq_len", limits.MAX_SEQ_LEN),
        (CalculatorForm, "gpu_hourly_usd", limits.MAX_HOURLY_USD),
        (ServeForm, "rate", limits.MAX_SERVE_RATE),
        (ServeForm, "concurrency", limits.MAX_CONCURRENCY),
        (ServeForm, "requests", limits.MAX_REQUESTS),
        (PlanForm, "rate", limits.MAX_PLAN_RATE),
        (PlanForm, "requests_per_day", limits.MAX_REQUESTS_PER_DAY),
        (PlanForm, "peak_factor", limits.MAX_PEAK_FACTOR),
        (PlanForm, "ttft_ms", limits.MAX_TARGET_MS),
        (PlanForm, "max_gpus_per_replica", limits.MAX_GPUS_PER_REPLICA),
    ],
)
def test_each_form_field_takes_its_limit_from_the_one_module(form, field, limit):
    assert form.base_fields[field].max_value == limit


def test_the_estimators_message_states_the_limit_it_checks():
    with pytest.raises(EstimatorInputError) as caught:
        estimate(LLAMA_2_7B, A100_80GB, ROUND_ENGINE, Workload(num_gpus=limits.MAX_GPUS + 1))
    assert caught.value.field == "num_gpus"
    assert str(limits.MAX_GPUS) in caught.value.message


@pytest.mark.django_db
def test_the_pages_say_the_search_limit_they_were_given():
    from calculator.context_processors import NAMED_VALUES

    assert NAMED_VALUES["limits"]["MAX_GPUS_SEARCHED"] == limits.MAX_GPUS_SEARCHED
    templates = Path(__file__).resolve().parent.parent / "templates"
    hard_coded = [
        path.name
        for path in templates.rglob("*.html")
        if re.search(rf"\b{limits.MAX_GPUS_SEARCHED} GPUs|than {limits.MAX_GPUS_SEARCHED}\b",
                     path.read_text())
    ]  # fmt: skip
    assert hard_coded == []


def _rows() -> list[tuple[str, str]]:
    """(constant, module path) for each limits-table row that names one: "(same)" is
    the row above's module."""
    rows, module = [], ""
    for line in API_DOC.read_text().splitlines():
        cells = line.split("|")
        if not line.startswith("| ") or len(cells) < 5:
            continue
        cell = cells[3]
        where = re.search(r"\(`(calculator/[\w/]+)\.py`\)|\((same)\)", cell)
        if not where:
            continue
        module = where.group(1) or module
        rows += [(name, module) for name in re.findall(r"`([A-Z][A-Z_]+)`", cell)]
    return rows


def test_every_constant_in_the_limits_table_lives_where_it_says():
    rows = _rows()
    assert len(rows) >= 22
    for name, module in rows:
        # CALCULATOR_* are settings (docs/operations.md), read where the table says.
        home = settings if name.startswith("CALCULATOR_") else None
        home = home or importlib.import_module(module.replace("/", "."))
        assert hasattr(home, name), (name, module)
    documented = {name for name, _ in rows}
    app_limits = {name for name in limits.__all__ if name.startswith("MAX_")}
    assert app_limits - {"MAX_GPUS_SEARCHED"} <= documented | {"MAX_EFFECTIVE_HOURLY_USD"}
