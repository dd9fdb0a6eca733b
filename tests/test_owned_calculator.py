"""Owned hardware on the calculator (issue 21): pricing=owned on /api/estimate, the page
and saved scenarios, by the one formula (estimator/owned.py) and compared a month with
renting the same GPUs and with the APIs."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from calculator.answers import estimate
from calculator.models import Scenario

pytestmark = pytest.mark.django_db

SEED = {
    "model": "llama-2-70b",
    "gpu": "a100-80gb-sxm",
    "gpus": "2",
    "batch": "1",
    "prompt": "1000",
    "completion": "500",
}
# A hand-worked server: $262,800 over 3 years is $10 an hour (262,800 / 26,280); 10 kW
# at a PUE of 1.5 and $0.10 per kWh is $1.50 an hour; $730 a month of hosting is $1 an
# hour (730 x 12 / 8,760). $12.50 a server-hour over 8 GPUs: $1.5625 per GPU-hour.
OWNED = {
    "pricing": "owned",
    "purchase_usd": "262800",
    "gpus_per_server": "8",
    "years": "3",
    "power_kw": "10",
    "pue": "1.5",
    "usd_per_kwh": "0.10",
    "hosting_usd_per_month": "730",
}
HOURS_PER_MONTH = 730


def _estimate(client, **params):
    return client.get(reverse("calculator:api-estimate"), {**SEED, **params})


def test_the_api_prices_owned_hardware_by_the_hand_worked_formula(client):
    response = _estimate(client, **OWNED)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["cost"]["usd_per_gpu_hour"] == pytest.approx(1.5625)
    assert body["cost"]["usd_per_hour"] == pytest.approx(2 * 1.5625)
    assert body["cost"]["offer"]["basis"] == "owned"
    owned = body["owned"]
    assert owned["usd_per_gpu_hour"] == pytest.approx(1.5625)
    assert owned["amortization_usd_per_hour"] == pytest.approx(10.0)
    # Bought: 2 x $1.5625 x 730 = $2,281.25 a month.
    assert owned["owned_usd_per_month"] == pytest.approx(2_281.25)
    # Rented: the same two A100s at the cheapest on-demand price, all month.
    rented = owned["rented_usd_per_gpu_hour"]
    assert rented > 0 and owned["rented_source"]
    assert owned["rented_usd_per_month"] == pytest.approx(rented * 2 * HOURS_PER_MONTH)
    # Break-even: the purchase over a server's worth rented less its power and hosting.
    assert owned["break_even_months"] == pytest.approx(
        262_800 / (rented * 8 * HOURS_PER_MONTH - 2.5 * HOURS_PER_MONTH)
    )
    # The APIs: the same output tokens a month at full load, at their price per 1M.
    tokens = body["cost"]["saturated_output_tokens_per_second"] * 3600 * HOURS_PER_MONTH
    assert owned["output_tokens_per_month"] == pytest.approx(tokens)
    per_1m = {a["slug"]: a["usd_per_1m_output_tokens"] for a in body["api_comparison"]}
    assert owned["apis"]
    for api in owned["apis"]:
        assert api["usd_per_month"] == pytest.approx(per_1m[api["slug"]] * tokens / 1e6)
    months = [api["usd_per_month"] for api in owned["apis"]]
    assert months == sorted(months)
    assert body["inputs"]["purchase_usd"] == "262800"
    assert body["inputs"]["usd_per_kwh"] == "0.1"


def test_an_estimate_rented_has_no_owned_section(client):
    body = _estimate(client).json()
    assert body["owned"] is None
    assert "purchase_usd" not in body["inputs"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"pricing": "owned"}, "purchase_usd"),
        ({**OWNED, "power_kw": ""}, "power_kw"),
        ({**OWNED, "gpus_per_server": "73"}, "gpus_per_server"),
        ({**OWNED, "pue": "0.9"}, "pue"),
        ({**OWNED, "years": "0"}, "years"),
        ({**OWNED, "usd_per_kwh": "3"}, "usd_per_kwh"),
        ({**OWNED, "gpu_hourly_usd": "2"}, "gpu_hourly_usd"),
        ({"purchase_usd": "1000"}, "purchase_usd"),  # without pricing=owned
    ],
)
def test_bad_owned_input_is_a_400_naming_the_field(client, params, field):
    response = _estimate(client, **params)
    assert response.status_code == 400
    assert field in response.json()["errors"]


def test_the_page_shows_owned_against_renting_and_the_apis(client):
    response = client.post(
        reverse("calculator:calculator"),
        {**estimate.DEFAULTS, **SEED, **OWNED},
        HTTP_HX_REQUEST="true",
    )
    text = response.content.decode()
    assert 'id="cost-owned"' in text
    assert "Owned hardware: $1.56 per GPU-hour" in text
    assert "hardware you own" in text  # where the price comes from
    assert "purchase / (years x 8,760 hours)" in text  # the formula, with its numbers
    assert "$262,800 / (3 x 8,760)" in text
    assert 'id="owned-month"' in text and "Rented on demand" in text and "(API)" in text
    assert "buying breaks even after" in text


def test_owned_hardware_chosen_before_its_fields_asks_for_them(client):
    # The page posts each change: the basis comes before the server's figures.
    response = client.post(
        reverse("calculator:calculator"),
        {**estimate.DEFAULTS, **SEED, "pricing": "owned"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert "Required for owned hardware" in response.content.decode()


def test_the_math_fragment_shows_the_owned_formula(client):
    query = {**estimate.DEFAULTS, **SEED, **OWNED}
    response = client.get(reverse("calculator:fragment-trace"), query)
    text = response.content.decode()
    assert "(purchase + power + hosting per server-hour) / GPUs per server" in text
    assert "Break-even against renting" in text


def test_the_owned_fields_are_collapsed_unless_chosen(client):
    text = client.get(reverse("calculator:calculator")).content.decode()
    assert 'class="calc-owned"' in text
    assert 'id="id_purchase_usd"' in text
    assert '<option value="owned">Owned hardware</option>' in text


def test_a_saved_scenario_keeps_owned_hardware(client):
    data = {**estimate.DEFAULTS, **SEED, **OWNED, "name": "Bought A100s", "notes": ""}
    response = client.post(reverse("calculator:scenario-save"), data)
    assert response.status_code == 302, response.content
    saved = Scenario.objects.get()
    assert saved.inputs["pricing"] == "owned"
    assert saved.inputs["purchase_usd"] == "262800"
    assert saved.results["owned"]["usd_per_gpu_hour"] == pytest.approx(1.5625)
    page = client.get(reverse("calculator:scenario-detail", args=[saved.public_id]))
    assert b'id="cost-owned"' in page.content
    # Today's answer replays the same inputs: the owned price again.
    again = estimate.now(saved)
    assert not again.get("problems")
    assert not again["differs"]


def test_the_cli_prices_owned_hardware_and_compares_the_month(client):
    out = io.StringIO()
    flags = [f"--{key.replace('_', '-')}={value}" for key, value in {**SEED, **OWNED}.items()]
    call_command("estimate", *flags, stdout=out)
    text = out.getvalue()
    assert "$1.56/GPU-hour (owned hardware, bought)" in text
    assert "Owned price per GPU-hour: ($10.0000 + $1.5000 + $1.0000) / 8" in text
    assert "a month busy, bought: $2,281" in text  # 2 x $1.5625 x 730
    assert "a month busy, rented on demand" in text
    assert "buying breaks even after" in text
