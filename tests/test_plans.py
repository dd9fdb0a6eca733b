"""GET /api/serve and /api/plan, the /plan/ page, saved plans, "Under load" and the CLI."""

from __future__ import annotations

import csv
import io
import json
import re
import secrets

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError
from django.urls import reverse

from calculator import catalog
from calculator.models import CloudOffer, GpuType, Plan

pytestmark = pytest.mark.django_db

SERVE = {
    "model": "llama-3.1-8b",
    "gpu": "h100-sxm",
    "gpus": "1",
    "prompt": "1000",
    "completion": "200",
    "weights": "bf16",
    "rate": "4",
    "requests": "200",
}
# The example on two GPUs, to keep the tests quick.
PLAN = {
    "model": "llama-3.1-70b",
    "rate": "3",
    "prompt": "2000",
    "completion": "300",
    "ttft_ms": "1000",
    "tpot_ms": "50",
    "gpus": "h100-sxm,a100-80gb-sxm",
}


def no_constants(name):
    raise AssertionError(f"{name} in JSON")


def get_json(client, name, params):
    response = client.get(reverse(name), params)
    return response, json.loads(response.content, parse_constant=no_constants)


# Section: /api/serve


def test_serve_answers_latencies_throughput_and_the_kv_cache(client):
    response, body = get_json(client, "calculator:api-serve", SERVE)
    assert response.status_code == 200
    for key in ("ttft_ms", "tpot_ms", "e2e_s"):
        assert set(body[key]) == {"mean", "p50", "p90", "p95", "p99"}
        assert 0 < body[key]["p50"] <= body[key]["p95"] <= body[key]["p99"]
    assert set(body["throughput"]) == {
        "requests_per_second",
        "output_tokens_per_second",
        "total_tokens_per_second",
    }
    assert body["throughput"]["requests_per_second"] == pytest.approx(4, rel=0.15)
    assert 0 < body["kv_cache_peak_fraction"] <= 1
    assert body["preemptions"] == 0
    assert body["estimator_version"]
    assert body["warnings"] == []


def test_serve_bands_every_latency_and_throughput_by_its_path(client):
    _, body = get_json(client, "calculator:api-serve", SERVE)
    confidence = body["confidence"]
    assert confidence["level"] == 0.8
    for stat in ("mean", "p50", "p90", "p95", "p99"):
        for figure in ("ttft_ms", "tpot_ms", "e2e_s"):
            band = confidence[f"{figure}.{stat}"]
            assert band["estimate"] == body[figure][stat]
            assert 0 < band["low"] < band["estimate"] < band["high"], (figure, stat)
            assert band["measurements"] > 0 and "measurements of" in band["basis"]
    for figure in body["throughput"]:
        band = confidence[f"throughput.{figure}"]
        assert band["low"] < body["throughput"][figure] < band["high"]
    # Time to first token, time per token and throughput each have their own evidence.
    assert confidence["ttft_ms.p95"]["basis"] != confidence["tpot_ms.p95"]["basis"] or (
        confidence["ttft_ms.p95"]["high"] / confidence["ttft_ms.p95"]["estimate"]
        != pytest.approx(confidence["tpot_ms.p95"]["high"] / confidence["tpot_ms.p95"]["estimate"])
    )


def test_serve_bands_a_figure_without_a_value_with_null_bounds(client):
    _, body = get_json(client, "calculator:api-serve", {**SERVE, "completion": "1"})
    assert body["tpot_ms"]["p95"] is None
    band = body["confidence"]["tpot_ms.p95"]
    assert band["estimate"] is None and band["low"] is None and band["high"] is None


@pytest.mark.parametrize(
    "change",
    [
        {"completion": "1"},  # no token after the first: no TPOT
        {"prompt": "10000000", "requests": "3"},  # longer than the KV cache: refused
    ],
)
def test_serve_answers_odd_runs_without_nan(client, change):
    response, body = get_json(client, "calculator:api-serve", {**SERVE, **change})
    assert response.status_code == 200
    assert body["tpot_ms"]["p50"] is None or body["tpot_ms"]["p50"] > 0


def test_plan_answers_a_one_token_completion_without_nan(client):
    params = {**PLAN, "completion": "1", "model": "llama-3.1-8b", "gpus": "h100-sxm"}
    response, body = get_json(client, "calculator:api-plan", params)
    assert response.status_code == 200
    assert body["best"]["tpot_ms"] is None


def test_serve_takes_closed_loop_users_instead_of_a_rate(client):
    params = {**SERVE, "concurrency": "8"}
    del params["rate"]
    response, body = get_json(client, "calculator:api-serve", params)
    assert response.status_code == 200
    assert body["inputs"]["concurrency"] == "8"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"rate": ""}, "rate"),
        ({"concurrency": "4"}, "rate"),
        ({"rate": "-1"}, "rate"),
        ({"rate": "inf"}, "rate"),
        ({"requests": "0"}, "requests"),
        ({"length_spread": "pareto"}, "length_spread"),
        ({"gpu": "nope"}, "gpu"),
        ({"gpus": "1", "model": "llama-3.1-70b"}, "gpus"),
    ],
)
def test_serve_refuses_bad_input_with_a_400_naming_the_field(client, change, field):
    response, body = get_json(client, "calculator:api-serve", {**SERVE, **change})
    assert response.status_code == 400
    assert field in body["errors"]


def test_serve_refuses_the_batch_and_unknown_parameters(client):
    response, body = get_json(client, "calculator:api-serve", {**SERVE, "batch": "4", "x": "1"})
    assert response.status_code == 400
    assert "batch" in body["errors"]["__all__"][0]
    assert "x" in body["errors"]["__all__"][0]


# Section: /api/plan


@pytest.fixture(scope="module")
def plan_body(django_db_setup, django_db_blocker):
    from django.test import Client

    with django_db_blocker.unblock():
        response = Client().get(reverse("calculator:api-plan"), PLAN)
    assert response.status_code == 200
    return json.loads(response.content, parse_constant=no_constants)


def test_plan_ranks_the_options_cheapest_first_and_names_the_best(plan_body):
    options = plan_body["options"]
    meeting = [o for o in options if o["meets_targets"]]
    assert meeting
    assert plan_body["best"] == meeting[0]
    months = [o["usd_per_month"] for o in meeting]
    assert months == sorted(months)
    for key in (
        "gpu",
        "gpus_per_replica",
        "weights",
        "kv",
        "engine",
        "meets_targets",
        "reasons",
        "max_rate_per_replica",
        "replicas",
        "ttft_ms",
        "tpot_ms",
        "usd_per_hour",
        "usd_per_month",
        "usd_per_1m_tokens",
        "price_source",
    ):
        assert key in options[0]
    best = plan_body["best"]
    assert best["ttft_ms"] <= 1000
    assert best["tpot_ms"] <= 50
    assert best["usd_per_month"] == pytest.approx(best["usd_per_hour"] * 730)


def test_plan_bands_each_options_capacity_per_replica(plan_body):
    assert plan_body["confidence"] == "estimate" and plan_body["band_level"] == 0.8
    best = plan_body["best"]
    band = best["confidence"]["max_rate_per_replica"]
    assert band["estimate"] == best["max_rate_per_replica"]
    assert 0 < band["low"] < band["estimate"] < band["high"]
    assert best["planned_for"] == {"ttft_ms": 1000, "tpot_ms": 50}


def test_a_pessimistic_plan_sizes_replicas_on_the_bands_high_end(client, plan_body):
    response, body = get_json(client, "calculator:api-plan", {**PLAN, "confidence": "pessimistic"})
    assert response.status_code == 200
    assert body["confidence"] == "pessimistic"
    assert body["inputs"]["confidence"] == "pessimistic"
    best, plain = body["best"], plan_body["best"]
    ttft_high = best["confidence"]["ttft_ms"]["high"] / best["confidence"]["ttft_ms"]["estimate"]
    assert best["planned_for"]["ttft_ms"] == pytest.approx(1000 / ttft_high, rel=1e-6)
    assert best["planned_for"]["tpot_ms"] < 50
    assert best["usd_per_month"] >= plain["usd_per_month"]


def test_a_saved_plan_keeps_its_confidence_choice(client):
    response = client.post(
        reverse("calculator:plan-save"), {**PLAN, "confidence": "pessimistic", "name": "Sure"}
    )
    assert response.status_code == 302
    saved = Plan.objects.get(name="Sure")
    assert saved.inputs["confidence"] == "pessimistic"
    assert saved.results["confidence"] == "pessimistic"


def test_plan_says_why_the_others_fail(plan_body):
    failing = [o for o in plan_body["options"] if not o["meets_targets"]]
    assert failing
    assert all(o["reasons"] for o in failing)
    text = " ".join(r for o in failing for r in o["reasons"])
    assert "Does not fit" in text
    assert "Misses TPOT" in text


def test_plan_compares_the_same_models_apis_not_other_open_models(plan_body):
    slugs = [api["slug"] for api in plan_body["api_comparison"]]
    # The LiteLLM seed's key (it retired the 2024 row "deepinfra-llama-3.1-70b").
    assert "deepinfra/meta-llama/Meta-Llama-3.1-70B-Instruct" in slugs
    assert "deepinfra/meta-llama/Meta-Llama-3.1-8B-Instruct" not in slugs
    assert "gpt-4o" in slugs  # a closed reference model
    assert not any("deepseek" in slug for slug in slugs)  # another open model
    # Current offerings first, the same model's before the closed references, each
    # group cheapest first (issue 20: a comparison that compares).
    keys = [
        (api["deprecated"], not api["same_model"], api["usd_per_month"])
        for api in plan_body["api_comparison"]
    ]
    assert keys == sorted(keys)


def test_plan_defaults_to_every_priced_gpu(client):
    # Priced: a catalog price or a cloud offer. Leave one GPU with each.
    GpuType.objects.exclude(slug="h100-sxm").update(hourly_price_usd=None)
    CloudOffer.objects.exclude(gpu__slug="l40s").delete()
    catalog.forget()
    response, body = get_json(
        client, "calculator:api-plan", {**PLAN, "gpus": "", "model": "llama-3.1-8b"}
    )
    assert response.status_code == 200
    assert {o["gpu"] for o in body["options"]} == {"h100-sxm", "l40s"}
    l40s = next(o for o in body["options"] if o["gpu"] == "l40s")
    assert "on-demand" in l40s["price_source"]


def test_plan_takes_requests_per_day_with_a_peak_factor(client):
    params = {**PLAN, "rate": "", "requests_per_day": "86400", "peak_factor": "3"}
    params.update(model="llama-3.1-8b", gpus="h100-sxm", weights="fp8")
    response, body = get_json(client, "calculator:api-plan", params)
    assert response.status_code == 200
    assert body["traffic"]["peak_requests_per_second"] == pytest.approx(3)
    assert body["traffic"]["average_requests_per_second"] == pytest.approx(1)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"rate": ""}, "rate"),
        ({"requests_per_day": "1000"}, "rate"),
        ({"ttft_ms": "0"}, "ttft_ms"),
        ({"tpot_ms": "nan"}, "tpot_ms"),
        ({"percentile": "p42"}, "percentile"),
        ({"confidence": "optimistic"}, "confidence"),
        ({"gpus": "h100-sxm,nope"}, "gpus"),
        ({"weights": "fp7"}, "weights"),
        ({"max_gpus_per_replica": "100"}, "max_gpus_per_replica"),
        ({"model": "gpt-9"}, "model"),
    ],
)
def test_plan_refuses_bad_input_with_a_400_naming_the_field(client, change, field):
    response, body = get_json(client, "calculator:api-plan", {**PLAN, **change})
    assert response.status_code == 400
    assert field in body["errors"]


def test_plan_refuses_unknown_parameters(client):
    response, body = get_json(client, "calculator:api-plan", {**PLAN, "batch": "1"})
    assert response.status_code == 400
    assert "batch" in body["errors"]["__all__"][0]


# Section: the page


def test_the_plan_page_opens_with_the_example_and_plans_it_lazily(client):
    response = client.get(reverse("calculator:plan"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" in html
    assert 'value="llama-3.1-70b"' in html or "llama-3.1-70b" in html
    assert 'hx-trigger="load"' in html
    assert 'id="plan-indicator"' in html


def test_an_htmx_plan_request_answers_only_the_results(client):
    response = client.get(reverse("calculator:plan"), PLAN, headers={"HX-Request": "true"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html
    assert 'id="plan-results"' in html
    assert "Rent " in html
    assert 'id="chart-tradeoff"' in html
    assert "Does not fit" in html
    assert "HX-Request" in response["Vary"]


def test_without_javascript_the_plan_renders_in_the_page(client):
    response = client.get(reverse("calculator:plan"), PLAN)
    html = response.content.decode()
    assert "<html" in html
    assert "Rent " in html
    assert 'hx-trigger="load"' not in html


def test_bad_plan_input_shows_the_errors_in_the_results(client):
    response = client.get(
        reverse("calculator:plan"), {**PLAN, "ttft_ms": "-5"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert 'id="plan-errors"' in response.content.decode()


# Section: saved plans


@pytest.fixture
def saved(client):
    response = client.post(reverse("calculator:plan-save"), {**PLAN, "name": "Peak chat"})
    assert response.status_code == 302
    return Plan.objects.get()


def test_a_plan_public_id_collision_is_retried(client, saved, monkeypatch):
    ids = iter([saved.public_id, "fresh-plan-id1"])
    monkeypatch.setattr(secrets, "token_urlsafe", lambda nbytes: next(ids))

    response = client.post(reverse("calculator:plan-save"), {**PLAN, "name": "Second"})

    assert response.status_code == 302
    assert Plan.objects.get(name="Second").public_id == "fresh-plan-id1"


def test_a_public_id_that_keeps_colliding_fails_after_three_tries(client, saved, monkeypatch):
    tries = []
    monkeypatch.setattr(secrets, "token_urlsafe", lambda nbytes: tries.append(1) or saved.public_id)

    with pytest.raises(IntegrityError):
        client.post(reverse("calculator:plan-save"), {**PLAN, "name": "Second"})

    assert len(tries) == 3
    assert Plan.objects.count() == 1


def test_saving_a_plan_redirects_to_its_permalink(client, saved):
    assert saved.name == "Peak chat"
    assert saved.results["best"] is not None
    assert saved.inputs["gpus"] == PLAN["gpus"]
    response = client.get(saved.get_absolute_url())
    assert response.status_code == 200
    assert "Peak chat" in response.content.decode()
    assert response["X-Robots-Tag"] == "noindex"


def test_a_signed_in_save_records_its_author_and_an_anonymous_one_none(client, saved):
    from django.contrib.auth.models import User

    assert saved.author is None
    alice = User.objects.create_user("alice", password="pw")
    client.force_login(alice)
    client.post(reverse("calculator:plan-save"), {**PLAN, "name": "Mine"})
    assert Plan.objects.get(name="Mine").author == alice


def test_plans_count_against_the_save_limit(client, settings, time_machine):
    # A frozen clock: on the real one the minute can roll over between the two saves.
    time_machine.move_to("2026-03-02T12:00:30Z", tick=False)
    settings.CALCULATOR_SAVE_RATE = "1/m"
    assert client.post(reverse("calculator:plan-save"), PLAN).status_code == 302
    refused = client.post(reverse("calculator:plan-save"), PLAN)
    assert refused.status_code == 429
    assert "Too many saves" in refused.content.decode()
    assert Plan.objects.count() == 1


def test_a_saved_plan_does_not_change_when_prices_do(client, saved):
    def section(html: str) -> str:
        return html[html.index('id="plan-results"') :]

    before = client.get(saved.get_absolute_url()).content.decode()
    GpuType.objects.update(hourly_price_usd=99)
    catalog.forget()
    after = client.get(saved.get_absolute_url()).content.decode()
    assert section(before) == section(after)
    assert "$99" not in section(after)


def test_saved_vs_now_plans_again_with_todays_prices(client, saved):
    # The H100 gets expensive everywhere: its catalog price and every cloud offer.
    GpuType.objects.filter(slug="h100-sxm").update(hourly_price_usd=99)
    CloudOffer.objects.filter(gpu__slug="h100-sxm").delete()
    catalog.forget()  # update() leaves updated_at alone
    response = client.get(reverse("calculator:plan-now", args=[saved.public_id]))
    html = response.content.decode()
    assert 'id="saved-vs-now"' in html
    assert "A100" in html  # the best is now an A100


def test_a_saved_plan_exports_as_json_and_csv(client, saved):
    body = client.get(reverse("calculator:plan-json", args=[saved.public_id])).json()
    assert body["public_id"] == saved.public_id
    assert body["best"] == saved.results["best"]
    response = client.get(reverse("calculator:plan-csv", args=[saved.public_id]))
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert len(rows) == len(saved.results["options"])
    assert rows[0]["gpu"] == saved.results["options"][0]["gpu"]


def test_an_unknown_plan_is_a_404(client):
    assert client.get(reverse("calculator:plan-detail", args=["nope"])).status_code == 404


def test_saving_bad_input_saves_nothing(client):
    response = client.post(reverse("calculator:plan-save"), {**PLAN, "rate": "-1"})
    assert response.status_code == 200
    assert Plan.objects.count() == 0


# Section: "Under load" on the calculator page


def test_the_calculator_page_hooks_the_under_load_section():
    from django.test import Client

    html = Client().get(reverse("calculator:calculator")).content.decode()
    assert 'hx-get="/under-load/"' in html
    assert 'hx-trigger="intersect once"' in html


def _form_including_gets(html: str) -> list[str]:
    """The opening tags that GET with the calculator form's fields (hx-include)."""
    tags = re.findall(r"<[a-z]+\s[^>]*>", html)
    return [t for t in tags if "hx-get=" in t and 'hx-include="#calculator-form"' in t]


def test_gets_with_the_calculator_form_leave_its_csrf_token_out(client):
    # The form posts keystrokes, so it holds the CSRF token; a GET URL must not carry it.
    page = client.get(reverse("calculator:calculator")).content.decode()
    assert "csrfmiddlewaretoken" in page
    params = {k: v for k, v in SERVE.items() if k not in ("rate", "requests")}
    params.update(engine="vllm", parallelism="tensor", batch="1", seq_len="")
    under_load = client.get(reverse("calculator:under-load"), params).content.decode()
    keystroke = client.post(
        reverse("calculator:calculator"), params, headers={"HX-Request": "true"}
    ).content.decode()
    tags = [t for html in (page, under_load, keystroke) for t in _form_including_gets(html)]
    assert len(tags) >= 3  # the Under load hook and its rate form, the save form's GET
    for tag in tags:
        assert 'hx-params="not csrfmiddlewaretoken"' in tag, tag


def test_under_load_defaults_to_70_percent_of_capacity_and_charts_latency(client):
    params = {k: v for k, v in SERVE.items() if k not in ("rate", "requests")}
    params.update(engine="vllm", parallelism="tensor", batch="1", seq_len="")
    response = client.get(reverse("calculator:under-load"), params)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="under-load-latencies"' in html
    assert 'id="chart-load-ttft"' in html
    assert 'id="chart-load-tpot"' in html
    assert "capacity is about" in html


def test_under_load_simulates_the_rate_typed(client):
    params = {**SERVE, "engine": "vllm", "parallelism": "tensor", "rate": "2.5"}
    html = client.get(reverse("calculator:under-load"), params).content.decode()
    assert 'value="2.5"' in html
    assert "2.50 requests/s" in html


# Section: manage.py plan


def test_the_plan_command_prints_the_ranked_table():
    out = io.StringIO()
    call_command("plan", "--gpus", "h100-sxm", "--model", "llama-3.1-8b", stdout=out)
    text = out.getvalue()
    assert "meets the targets" in text
    assert "Best:" in text


def test_the_plan_command_prints_the_apis_json():
    out = io.StringIO()
    call_command("plan", "--gpus", "h100-sxm", "--model", "llama-3.1-8b", "--json", stdout=out)
    body = json.loads(out.getvalue())
    assert body["best"]["gpu"] == "h100-sxm"


def test_the_plan_command_refuses_bad_input():
    with pytest.raises(CommandError, match="--ttft-ms"):
        call_command("plan", "--ttft-ms", "-1", stdout=io.StringIO())


def test_the_admin_lists_saved_plans_read_only(admin_client, saved):
    response = admin_client.get(reverse("admin:calculator_plan_changelist"))
    assert response.status_code == 200
    assert saved.public_id in response.content.decode()
    change = admin_client.get(reverse("admin:calculator_plan_change", args=[saved.pk]))
    assert change.status_code == 200
    assert 'name="name"' not in change.content.decode()  # nothing editable


def test_the_plan_prices_each_option_by_the_offer_rule(client):
    response, body = get_json(
        client,
        "calculator:api-plan",
        {**PLAN, "gpus": "h100-sxm", "provider": "aws", "model": "llama-3.1-8b"},
    )
    assert response.status_code == 200
    options = body["options"]
    assert options and all(o["price_source"].startswith("aws p5") for o in options)
    # An 8-GPU instance is billed whole: one GPU of it costs the whole instance.
    one = next(o for o in options if o["gpus_per_replica"] == 1)
    eight = next(o for o in options if o["gpus_per_replica"] == 8)
    assert one["usd_per_hour"] == pytest.approx(eight["usd_per_hour"])


def test_the_plan_refuses_an_unknown_provider(client):
    response, body = get_json(client, "calculator:api-plan", {**PLAN, "provider": "nope"})
    assert response.status_code == 400
    assert "provider" in body["errors"]
