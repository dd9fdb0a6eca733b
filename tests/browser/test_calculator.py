"""The calculator page in Debian's chromium: live results without a page load."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from calculator.answers.estimate import DEFAULTS, answer
from calculator.forms import CalculatorForm

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_changing_the_batch_size_updates_the_results_in_place(
    page: Page, live_server, console_errors
):
    page.goto(live_server.url + "/")
    throughput = page.locator("#figure-throughput")
    expect(throughput).to_have_text(re.compile(r"tokens/s"))
    before = throughput.inner_text()
    page.evaluate("window.__marker = 1")

    page.locator("#id_batch").fill("8")

    expect(throughput).not_to_have_text(before)
    expect(page.locator("#results")).to_have_count(1)
    expect(page).to_have_url(re.compile(r"batch=8"))
    assert page.evaluate("window.__marker") == 1  # no full page load
    assert page.locator("#id_batch").input_value() == "8"
    assert console_errors == []


def test_a_bad_value_shows_its_message_next_to_the_field(page: Page, live_server, console_errors):
    page.goto(live_server.url + "/")
    page.locator("#id_prompt").fill("-1")

    expect(page.locator("#id_prompt_error")).to_contain_text("greater than or equal to 1")
    expect(page.locator("#input-errors")).to_be_visible()
    assert page.locator("#id_prompt").input_value() == "-1"
    assert console_errors == []


def test_picking_another_gpu_shows_its_offer_price(page: Page, live_server, console_errors):
    form = CalculatorForm({**DEFAULTS, "gpu": "h100-sxm"})
    assert form.is_valid()
    used = answer(form).price
    price = f"{used.usd_per_gpu_hour:.2f}"
    page.goto(live_server.url + "/")
    page.locator("#id_gpu_hourly_usd").fill("2.5")
    expect(page.locator("#price-source")).to_contain_text("$2.50")

    page.locator("#id_gpu").select_option("h100-sxm")

    price_input = page.locator("#id_gpu_hourly_usd")
    expect(price_input).to_have_attribute("placeholder", f"{price} ({used.provider})")
    expect(price_input).to_have_value("")
    expect(page.locator("#price-source")).to_contain_text(f"${price}")

    # The swapped-in field still drives the results, and keeps what is typed.
    price_input.fill("4")
    expect(page.locator("#price-source")).to_contain_text("$4.00")
    assert price_input.input_value() == "4"
    expect(page.locator("#div_id_gpu_hourly_usd")).to_have_count(1)
    assert console_errors == []


def test_picking_another_model_shows_its_context_on_the_sequence_length(
    page: Page, live_server, console_errors
):
    page.goto(live_server.url + "/?model=llama-2-70b")  # a 4,096-token context
    seq_len = page.locator("#id_seq_len")
    expect(seq_len).to_have_attribute("max", "4096")

    page.locator("#id_model").select_option("llama-3.1-8b")

    expect(seq_len).to_have_attribute("max", "131072")
    expect(page.locator("#id_seq_len_helptext")).to_contain_text("131,072")
    assert seq_len.input_value() == ""  # prompt + completion, as the API
    assert console_errors == []


def test_the_price_choice_updates_the_price_used_in_place(page: Page, live_server, console_errors):
    page.goto(live_server.url + "/?gpu=h100-sxm&gpus=8&model=llama-3.1-8b")
    page.evaluate("window.__marker = 1")
    page.locator("#id_provider").select_option("aws")
    expect(page.locator("#price-offer")).to_have_text("aws p5.48xlarge")
    expect(page.locator("#price-source")).to_contain_text("on-demand $12.29/GPU-hour")

    page.locator("#id_pricing").select_option("spot")
    expect(page.locator("#price-source")).to_contain_text("spot $2.62/GPU-hour")
    expect(page).to_have_url(re.compile(r"provider=aws&pricing=spot"))
    expect(page.locator("#price-warnings")).to_contain_text("undated")
    assert page.evaluate("window.__marker") == 1  # no full page load
    assert console_errors == []
