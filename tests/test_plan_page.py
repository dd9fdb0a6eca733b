"""The /plan/ page: the answer first, updates as you type, the short table, the pickers
and the deploy recipe's downloads (answers/capacity.py's page helpers and the views)."""

from __future__ import annotations

import pytest
from django.http import QueryDict
from django.urls import reverse

from calculator.answers import capacity
from calculator.answers.capacity import FOLD_PRICE_RATIO, SHORT_TABLE_ROWS, option_table
from calculator.plan_forms import PlanForm
from tests.test_plans import PLAN  # the example on two GPUs

# Section: the short table (pure: plain dicts as the plan's JSON has them)


def option(gpu, n=1, weights="bf16", month=None, meets=True, reasons=(), at_least=None, codes=()):
    return {
        "reason_codes": list(codes),
        "gpu": gpu,
        "gpu_name": gpu.upper(),
        "gpus_per_replica": n,
        "weights": weights,
        "meets_targets": meets,
        "reasons": list(reasons),
        "usd_per_month": month,
        "usd_per_month_at_least": at_least,
    }


def plan(*options):
    meeting = [o for o in options if o["meets_targets"]]
    return {"options": list(options), "best": meeting[0] if meeting else None}


def test_the_short_table_keeps_the_cheapest_meeting_option_of_each_gpu_type():
    table = option_table(
        plan(
            option("h100", 2, "fp8", 1000),
            option("a100", 4, "int8", 2000),
            option("h100", 2, "bf16", 2500),
            option("l40s", 1, "bf16", meets=False, reasons=["Does not fit: too big."]),
        )
    )
    assert [(r.option["gpu"], r.option["weights"]) for r in table.short] == [
        ("h100", "fp8"),
        ("a100", "int8"),
    ]
    assert [r.note for r in table.short] == ["", ""]
    assert [r.note for r in table.rest] == [
        "A cheaper H100 option is shown.",
        "Does not fit: too big.",
    ]
    assert table.best_key == "h100:2:fp8"
    assert table.more == 2


def test_a_gpu_type_not_searched_shows_the_least_it_would_cost_in_its_place():
    # Options the planner did not search because they cannot beat the best (costs_more)
    # could meet the targets: each GPU type's first such option is shown, by its least.
    costs_more = ["Costs more than the best: at least 2 replicas."]
    table = option_table(
        plan(
            option("h100", 2, "fp8", 1000),
            option("a100", 4, "int8", 3000),
            option("l40s", 2, meets=False, reasons=costs_more, at_least=2000, codes=["costs_more"]),
            option("l40s", 4, meets=False, reasons=costs_more, at_least=2500, codes=["costs_more"]),
            option("t4", 1, meets=False, reasons=["Does not fit."], codes=["does_not_fit"]),
        )
    )
    assert [(r.option["gpu"], r.note) for r in table.short] == [
        ("h100", ""),
        ("l40s", costs_more[0]),
        ("a100", ""),
    ]
    assert [(r.option["gpu"], r.note) for r in table.rest] == [
        ("l40s", costs_more[0]),
        ("t4", "Does not fit."),
    ]


def test_the_short_table_has_at_most_ten_rows():
    gpus = [f"gpu{i:02}" for i in range(SHORT_TABLE_ROWS + 3)]
    table = option_table(plan(*(option(g, month=1000 + i) for i, g in enumerate(gpus))))
    assert len(table.short) == SHORT_TABLE_ROWS
    assert [r.option["gpu"] for r in table.rest] == gpus[SHORT_TABLE_ROWS:]
    assert all("cheaper GPU types" in r.note for r in table.rest)


def test_options_over_ten_times_the_best_are_folded_with_why():
    table = option_table(
        plan(
            option("h100", month=1000),
            option("t4", 8, month=FOLD_PRICE_RATIO * 1000 + 1),
            option("a100", month=FOLD_PRICE_RATIO * 1000),  # at the fold: still shown
            option("b200", 8, meets=False, reasons=["Costs more."], at_least=50_000),
        )
    )
    assert [r.option["gpu"] for r in table.short] == ["h100", "a100"]
    assert [r.option["gpu"] for r in table.folded] == ["t4", "b200"]
    assert table.folded[0].note == "Over 10x the best’s price."
    assert table.folded[1].note == "Over 10x the best’s price. Costs more."


def test_when_nothing_meets_the_targets_each_gpu_types_first_option_says_why():
    table = option_table(
        plan(
            option("h100", 1, meets=False, reasons=["Misses TPOT: 60 ms."]),
            option("h100", 2, meets=False, reasons=["Misses TTFT."]),
            option("a100", 1, meets=False, reasons=[]),
        )
    )
    assert [(r.option["gpu"], r.note) for r in table.short] == [
        ("h100", "Misses TPOT: 60 ms."),
        ("a100", "Misses the targets."),
    ]
    assert [r.note for r in table.rest] == ["Misses TTFT."]
    assert table.best_key is None


# Section: the pickers


@pytest.mark.django_db
def test_gpus_come_ticked_as_repeated_parameters_or_as_a_comma_list():
    ticked = QueryDict(mutable=True)
    ticked.update(PLAN)
    ticked.setlist("gpus", ["h100-sxm", "a100-80gb-sxm"])
    for data in (ticked, PLAN):
        form = PlanForm(capacity.with_defaults(data))
        assert form.is_valid(), form.errors
        assert [g.slug for g in form.cleaned_data["gpus"]] == ["h100-sxm", "a100-80gb-sxm"]
        assert form.inputs()["gpus"] == "h100-sxm,a100-80gb-sxm"


@pytest.mark.django_db
def test_an_unknown_ticked_gpu_is_still_refused():
    form = PlanForm(capacity.with_defaults({**PLAN, "gpus": ["h100-sxm", "nope"]}))
    assert not form.is_valid()
    assert "nope" in form.errors["gpus"][0]


@pytest.mark.django_db
def test_the_pickers_name_each_gpu_with_its_memory_and_offers_and_tick_the_input():
    picks = capacity.pickers(PlanForm(capacity.with_defaults({**PLAN, "weights": "fp8"})))
    by_slug = {p.value: p for p in picks["gpus"]}
    h100 = by_slug["h100-sxm"]
    assert h100.checked and by_slug["a100-80gb-sxm"].checked
    assert h100.label == "NVIDIA H100 SXM5 80GB"
    assert h100.memory_gb == 80
    assert h100.offers > 0 and h100.priced
    assert sum(p.checked for p in picks["gpus"]) == 2
    assert [p.value for p in picks["weights"] if p.checked] == ["fp8"]


@pytest.mark.django_db
def test_the_page_offers_gpus_and_precisions_as_labelled_checkboxes(client):
    html = client.get(reverse("calculator:plan")).content.decode()
    assert 'type="checkbox"' in html
    assert 'id="pick-gpus-h100-sxm"' in html and 'value="h100-sxm"' in html
    assert "NVIDIA H100 SXM5 80GB" in html
    assert "priced from" in html
    assert 'id="pick-weights-fp8"' in html
    assert "All priced" in html and ">None<" in html


# Section: the page as you type


@pytest.mark.django_db
def test_the_form_plans_as_you_type_debounced_and_dims_the_old_answer(client):
    html = client.get(reverse("calculator:plan")).content.decode()
    assert 'hx-trigger="input delay:400ms, submit"' in html
    assert 'hx-indicator="#plan-indicator, #plan-results, #plan-compact"' in html
    assert 'id="plan-compact"' in html  # the phone's strip


@pytest.mark.django_db
def test_an_htmx_plan_answers_the_headline_the_short_table_and_the_strip(client):
    response = client.get(reverse("calculator:plan"), PLAN, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert "<html" not in html
    best = response.context["plan"]["best"]
    assert best["provider"] and best["instance_type"]
    headline = html.split('id="plan-headline"', 1)[1].split("</p>", 1)[0]
    replicas = f"{best['replicas']} replica{'s' if best['replicas'] > 1 else ''}"
    assert f"Rent {replicas} of {best['gpus_per_replica']} × {best['gpu_name']}" in headline
    assert f"from {best['provider']} ({best['instance_type']}, {best['region']})" in headline
    assert f"${best['usd_per_month']:,.0f} a month" in headline
    assert best["utilization_text"] in headline  # "using 57% of their capacity, 80% allowed"
    dated = best["price_as_of"]
    assert ("undated: check it" if dated == "undated" else f"dated {dated}") in headline
    plan = response.context["plan"]
    for line, other in (("plan-runner-up", "runner_up"), ("plan-cheapest-spot", "cheapest_spot")):
        assert (f'id="{line}"' in html) == (plan[other] is not None)
        if plan[other]:
            assert f"from {plan[other]['provider']}" in html.split(f'id="{line}"', 1)[1]
    assert 'id="plan-compact"' in html and 'hx-swap-oob="true"' in html
    assert "Show all options" in html
    assert 'id="id_rate_error"' in html  # each field's message slot, out of band


@pytest.mark.django_db
def test_an_htmx_plan_puts_a_fields_error_next_to_it(client):
    response = client.get(
        reverse("calculator:plan"), {**PLAN, "rate": "-1"}, headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert 'id="plan-errors"' in html
    error = html.split('id="id_rate_error"', 1)[1].split("</div>", 1)[0]
    assert "has-error" in error
    assert "greater than or equal to 0" in error


# Section: the deploy recipe as a file


class FakePlanned:
    def __init__(self, options):
        self.results = {"options": options}


def test_a_recipe_downloads_as_a_script_or_yaml_named_after_its_option():
    recipe = {"command": "vllm serve x \\\n  --tensor-parallel-size 2", "kubernetes_yaml": "a: 1\n"}
    planned = FakePlanned([{**option("h100-sxm", 2, "fp8", 1000), "deploy": recipe}])
    script = capacity.deploy_file(planned, "h100-sxm:2:fp8", "command")
    assert script.filename == "h100-sxm-2-fp8.sh"
    assert script.text.startswith("#!/bin/sh\nvllm serve x")
    yaml = capacity.deploy_file(planned, "h100-sxm:2:fp8", "yaml")
    assert (yaml.filename, yaml.content_type, yaml.text) == (
        "h100-sxm-2-fp8.yaml",
        "application/yaml",
        "a: 1\n",
    )
    assert capacity.deploy_file(planned, "h100-sxm:1:fp8", "yaml") is None
    assert capacity.deploy_file(planned, "h100-sxm:2:fp8", "exe") is None


@pytest.mark.django_db
def test_the_deploy_download_refuses_an_unknown_option_with_a_404(client):
    response = client.get(reverse("calculator:plan-deploy"), {**PLAN, "option": "x", "as": "yaml"})
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/plain")


@pytest.mark.django_db
def test_the_best_options_recipe_downloads_as_yaml_and_as_a_script(client):
    import yaml

    page = client.get(reverse("calculator:plan"), PLAN, headers={"HX-Request": "true"})
    key = page.context["table"].best_key
    best = page.context["plan"]["best"]
    url = reverse("calculator:plan-deploy")
    response = client.get(url, {**PLAN, "option": key, "as": "yaml"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/yaml"
    assert response["Content-Disposition"] == f'attachment; filename="{key.replace(":", "-")}.yaml"'
    deployment = next(yaml.safe_load_all(response.content))
    assert deployment["spec"]["replicas"] == best["replicas"]
    script = client.get(url, {**PLAN, "option": key, "as": "command"})
    assert script.content.decode() == f"#!/bin/sh\n{best['deploy']['command']}\n"
    assert f"--tensor-parallel-size {best['gpus_per_replica']}" in script.content.decode()
