"""Saving a scenario in Debian's chromium, and opening its permalink elsewhere."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.helpers import watch_errors

# serialized_rollback: a transactional test empties the database when it ends; this
# puts the seeded catalog back for the next one.
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

CALCULATOR_QUERY = "/?model=llama-3.1-8b&gpu=h100-sxm&gpus=1&batch=4"


def test_a_saved_scenario_opens_from_its_permalink_in_a_fresh_browser(
    page: Page, browser: Browser, live_server
):
    errors = watch_errors(page)
    page.goto(live_server.url + CALCULATOR_QUERY)
    throughput = page.locator("#figure-throughput").inner_text().strip()
    page.evaluate("window.__marker = 1")

    page.get_by_role("button", name="Save scenario").click()
    expect(page.locator("#scenario-name")).to_have_class(re.compile("is-invalid"))
    page.get_by_label("Scenario name").fill("Chat <b>bot</b>")
    page.get_by_label("Notes (optional)").fill("Four at a time.")
    page.get_by_role("button", name="Save scenario").click()

    permalink = page.locator("#scenario-permalink")
    expect(permalink).to_be_visible()
    url = permalink.input_value()
    assert re.fullmatch(re.escape(live_server.url) + r"/s/[A-Za-z0-9_-]{11,16}/", url)
    assert page.evaluate("window.__marker") == 1  # swapped in place, no page load
    page.get_by_role("button", name="Copy link").click()
    expect(page.locator("#save-scenario-saved [data-copy-status]")).not_to_be_empty()
    assert errors == []

    context = browser.new_context()  # no cookies, no history: someone else's browser
    try:
        other = context.new_page()
        other_errors = watch_errors(other)
        other.goto(url)
        expect(other.locator("#scenario-name")).to_have_text("Chat <b>bot</b>")
        expect(other.locator("#scenario-notes")).to_have_text("Four at a time.")
        expect(other.locator("#scenario-as-of")).to_contain_text("Prices and specs as of")
        expect(other.locator("#figure-throughput")).to_have_text(throughput)
        expect(other.locator("#now-same")).to_be_visible()
        assert other_errors == []
    finally:
        context.close()


def test_a_name_being_typed_survives_a_change_of_the_inputs(page: Page, live_server):
    page.goto(live_server.url + CALCULATOR_QUERY)
    page.get_by_label("Scenario name").fill("Half typed")
    before = page.locator("#figure-throughput").inner_text()
    page.locator("#id_batch").fill("8")
    expect(page.locator("#figure-throughput")).not_to_have_text(before)
    expect(page.get_by_label("Scenario name")).to_have_value("Half typed")
    expect(page.locator("#compare-saved a")).to_have_attribute("href", re.compile("batch=8"))

    # Once saved, the next change brings a blank form back, to save the new inputs.
    page.get_by_role("button", name="Save scenario").click()
    expect(page.locator("#scenario-permalink")).to_be_visible()
    page.locator("#id_batch").fill("4")
    expect(page.get_by_label("Scenario name")).to_have_value("")
    expect(page.get_by_role("button", name="Save scenario")).to_be_visible()


def test_saving_works_without_javascript(browser: Browser, live_server):
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(live_server.url + CALCULATOR_QUERY)
        page.get_by_label("Scenario name").fill("No script")
        page.get_by_role("button", name="Save scenario").click()

        expect(page).to_have_url(re.compile(r"/s/[A-Za-z0-9_-]{11,16}/$"))
        expect(page.locator("#scenario-name")).to_have_text("No script")
        expect(page.locator("#scenario-inputs")).to_contain_text("Llama 3.1 8B")
        expect(page.locator("#scenario-inputs")).to_contain_text("H100")
    finally:
        context.close()
