"""Owned hardware: a purchase as a price per GPU-hour, and when it beats renting."""

from __future__ import annotations

import math

import pytest

from calculator.estimator import EstimatorInputError
from calculator.estimator import owned as O
from calculator.estimator.results import ApiComparison

# A hand-worked server: $262,800 over 3 years is $10 an hour (262,800 / 26,280); 10 kW
# at a PUE of 1.5 and $0.10 per kWh is $1.50 an hour; $730 a month of hosting is $1 an
# hour (730 x 12 / 8,760). $12.50 a server-hour over 8 GPUs: $1.5625 per GPU-hour.
SERVER = O.OwnedHardware(
    purchase_usd=262_800,
    gpus_per_server=8,
    years=3,
    power_kw=10,
    pue=1.5,
    usd_per_kwh=0.10,
    hosting_usd_per_month=730,
)


def test_the_owned_price_by_hand():
    price = O.owned_price(SERVER)
    assert price.amortization_usd_per_hour == pytest.approx(10.0)
    assert price.power_usd_per_hour == pytest.approx(1.5)
    assert price.hosting_usd_per_hour == pytest.approx(1.0)
    assert price.usd_per_server_hour == pytest.approx(12.5)
    assert price.usd_per_gpu_hour == pytest.approx(1.5625)


def test_the_math_shows_the_formula_with_its_numbers():
    price = O.owned_price(SERVER)
    steps = price.trace()
    assert [s.label for s in steps] == [
        "Purchase, per server-hour",
        "Power, per server-hour",
        "Hosting, per server-hour",
        "Owned price per GPU-hour",
    ]
    assert steps[0].substituted == "$262,800 / (3 x 8,760)"
    assert steps[1].substituted == "10 kW x 1.5 x $0.1"
    assert steps[2].substituted == "$730 x 12 / 8,760"
    assert steps[3].substituted == "($10.0000 + $1.5000 + $1.0000) / 8"
    assert [s.value for s in steps] == pytest.approx([10.0, 1.5, 1.0, 1.5625])
    assert {s.section for s in steps} == {"cost"}


def test_a_price_per_gpu_is_the_same_server():
    assert (
        O.OwnedHardware.bought_per_gpu(
            32_850, 8, years=3, power_kw=10, pue=1.5, usd_per_kwh=0.10, hosting_usd_per_month=730
        )
        == SERVER
    )


def test_the_pue_defaults_to_the_surveyed_average():
    server = O.OwnedHardware(purchase_usd=100_000, gpus_per_server=4, years=4, power_kw=5)
    assert server.pue == O.DEFAULT_PUE == 1.58
    assert O.owned_price(server).power_usd_per_hour == 0.0  # no electricity price given


def test_more_years_cost_less_and_more_power_costs_more():
    base = O.owned_price(SERVER).usd_per_gpu_hour
    longer = O.OwnedHardware(**{**SERVER.__dict__, "years": 5})
    hungrier = O.OwnedHardware(**{**SERVER.__dict__, "pue": 2.0})
    assert O.owned_price(longer).usd_per_gpu_hour < base < O.owned_price(hungrier).usd_per_gpu_hour


def test_buying_breaks_even_with_renting_by_hand():
    # Renting 8 GPUs at $2.50 all month: 2.5 x 8 x 730 = $14,600. The owned server's
    # power and hosting: (1.5 + 1.0) x 730 = $1,825. 262,800 / (14,600 - 1,825) = 20.57.
    even = O.break_even(SERVER, 2.50)
    assert even.rented_usd_per_month == pytest.approx(14_600)
    assert even.owned_running_usd_per_month == pytest.approx(1_825)
    assert even.months == pytest.approx(262_800 / 12_775)
    step = even.trace(SERVER)
    assert step.substituted == "$262,800 / ($14,600 - $1,825)"
    assert step.value == pytest.approx(20.571, abs=1e-3)


def test_renting_only_the_hours_used_breaks_even_later_or_never():
    # Half the month rented: $7,300; 262,800 / (7,300 - 1,825) = 48 months.
    assert O.break_even(SERVER, 2.50, rented_hours_per_month=365).months == pytest.approx(48.0)
    # Renting for less than the owned server's power and hosting: never.
    never = O.break_even(SERVER, 0.30)
    assert never.months is None
    assert never.trace(SERVER) is None


def test_the_answer_reads_back_as_json():
    data = O.owned_price(SERVER).as_dict()
    assert data["usd_per_gpu_hour"] == pytest.approx(1.5625)
    assert data["purchase_usd"] == 262_800
    assert data["pue"] == 1.5


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"purchase_usd": 0}, "purchase_usd", "Must be above 0 and at most 10,000,000."),
        ({"purchase_usd": 2e7}, "purchase_usd", "Must be above 0 and at most 10,000,000."),
        ({"purchase_usd": math.nan}, "purchase_usd", "Must be a number."),
        ({"gpus_per_server": 0}, "gpus_per_server", "Must be from 1 to 72."),
        ({"gpus_per_server": 73}, "gpus_per_server", "Must be from 1 to 72."),
        ({"gpus_per_server": 8.0}, "gpus_per_server", "Must be a whole number."),
        ({"gpus_per_server": True}, "gpus_per_server", "Must be a whole number."),
        ({"years": 0}, "years", "Must be above 0 and at most 10."),
        ({"years": 11}, "years", "Must be above 0 and at most 10."),
        ({"power_kw": -1}, "power_kw", "Must be at least 0 and at most 200."),
        ({"pue": 0.9}, "pue", "Must be at least 1 and at most 3."),
        ({"usd_per_kwh": math.inf}, "usd_per_kwh", "Must be a number."),
        ({"usd_per_kwh": 3}, "usd_per_kwh", "Must be at least 0 and at most 2."),
        ({"hosting_usd_per_month": -5}, "hosting_usd_per_month", "Must be at least 0"),
    ],
)
def test_each_input_has_a_limit_and_a_message(change, field, message):
    with pytest.raises(EstimatorInputError) as error:
        O.OwnedHardware(**{**SERVER.__dict__, **change})
    assert error.value.field == field
    assert error.value.message.startswith(message)


def test_a_rented_price_must_be_a_price():
    with pytest.raises(EstimatorInputError, match="Must be a number"):
        O.break_even(SERVER, math.nan)
    with pytest.raises(EstimatorInputError, match="at most 730"):
        O.break_even(SERVER, 2.0, rented_hours_per_month=800)


# A configuration busy all month: bought, rented, or its tokens bought from an API


def _api(slug: str, usd_per_1m: float | None) -> ApiComparison:
    return ApiComparison(slug, slug.upper(), 0.0, None, None, usd_per_1m_output_tokens=usd_per_1m)


def test_buy_rent_and_api_a_month_by_hand():
    # Two of SERVER's GPUs at $1.5625: 2 x 1.5625 x 730 = $2,281.25 a month. Renting
    # them at $4: 2 x 4 x 730 = $5,840. At 1,000 output tokens/s all month, 1,000 x
    # 3,600 x 730 = 2.628 billion tokens: $26,280 at $10 per 1M, $5,256 at $2.
    # Break-even: 262,800 / (4 x 8 x 730 - (1.5 + 1) x 730) = 262,800 / 21,535.
    month = O.month_compared(
        O.owned_price(SERVER),
        2,
        rented_usd_per_gpu_hour=4.0,
        output_tokens_per_second=1_000,
        apis=[_api("dear", 10.0), _api("cheap", 2.0), _api("unpriced", None)],
    )
    assert month.owned_usd_per_month == pytest.approx(2_281.25)
    assert month.rented_usd_per_month == pytest.approx(5_840)
    assert month.output_tokens_per_month == pytest.approx(2.628e9)
    assert [(a.slug, a.usd_per_month) for a in month.apis] == [
        ("cheap", pytest.approx(5_256)),
        ("dear", pytest.approx(26_280)),
    ]
    assert month.break_even.months == pytest.approx(262_800 / 21_535)
    assert month.break_even.months == pytest.approx(12.2034, abs=1e-4)
    shown = month.as_dict()
    assert shown["break_even_months"] == pytest.approx(12.2034, abs=1e-4)
    assert shown["apis"][0]["usd_per_month"] == pytest.approx(5_256)
    step = month.trace(O.owned_price(SERVER).hardware)
    assert [s.label for s in step] == ["Owned, a month busy", "Break-even against renting"]


def test_without_a_rented_price_there_is_no_break_even():
    month = O.month_compared(
        O.owned_price(SERVER), 8, rented_usd_per_gpu_hour=None, output_tokens_per_second=10
    )
    assert month.rented_usd_per_month is None and month.break_even is None
    assert month.as_dict()["break_even_months"] is None
    assert month.owned_usd_per_month == pytest.approx(12.5 * 730)
