"""Owned hardware in Debian's chromium: the server's fields stay folded until "Owned
hardware" is the price basis, then the cost section prices the GPUs by the formula."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.test_owned_calculator import OWNED

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_owned_hardware_opens_its_fields_and_prices_the_gpus(
    page: Page, live_server, console_errors
):
    page.goto(live_server.url + "/")
    purchase = page.locator("#id_purchase_usd")
    expect(purchase).to_be_hidden()

    page.locator("#id_pricing").select_option("owned")
    expect(purchase).to_be_visible()
    expect(page.locator("#id_purchase_usd_error")).to_contain_text("Required for owned")

    # $262,800 over 3 years, 8 GPUs, 10 kW at PUE 1.5 and $0.10/kWh, $730 a month of
    # hosting: $12.50 a server-hour, $1.5625 per GPU-hour.
    for field, value in OWNED.items():
        if field != "pricing":
            page.locator(f"#id_{field}").fill(value)

    owned = page.locator("#cost-owned")
    expect(owned).to_contain_text("Owned hardware: $1.56 per GPU-hour")
    expect(owned).to_contain_text("$262,800 / (3 x 8,760)")
    expect(owned).to_contain_text("buying breaks even after")
    expect(page).to_have_url(re.compile(r"pricing=owned.*purchase_usd=262800"))
    page.locator("#id_pricing").select_option("on_demand")
    expect(purchase).to_be_hidden()
    assert console_errors == []
