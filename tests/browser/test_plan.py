"""The planner page in Debian's chromium: the issue's example, planned, ranked, charted,
saved and opened from its permalink."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import watch_errors

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PLAN_TIMEOUT_MS = 30_000  # a whole plan takes about a second; the machine may be busy


def test_the_plan_page_plans_the_example_ranks_charts_and_saves_it(page: Page, live_server):
    errors = watch_errors(page)
    page.goto(live_server.url + "/plan/")
    # The example is filled in.
    expect(page.get_by_label("Model")).to_have_value("llama-3.1-70b")
    expect(page.get_by_label("Peak requests per second")).to_have_value("3")
    expect(page.get_by_label("Mean prompt tokens")).to_have_value("2000")
    expect(page.get_by_label("Mean completion tokens")).to_have_value("300")
    expect(page.get_by_label("Time to first token target (ms)")).to_have_value("1000")
    expect(page.get_by_label("Time per output token target (ms)")).to_have_value("50")
    # Planned on load, ranked, with reasons and the trade-off chart.
    best = page.locator("#plan-best")
    expect(best).to_contain_text("Best:", timeout=PLAN_TIMEOUT_MS)
    expect(best).to_contain_text("a month")
    rows = page.locator("#plan-options tbody tr")
    assert rows.count() > 10
    expect(rows.first).to_contain_text("Meets the targets")
    expect(page.locator("#plan-options")).to_contain_text("Does not fit")
    expect(page.locator("#plan-options")).to_contain_text("Misses TPOT")
    expect(page.locator("#chart-tradeoff svg circle").first).to_be_attached()

    # A stricter target: planned again in place, with the indicator while it works.
    page.evaluate("window.__marker = 1")
    page.get_by_label("Time per output token target (ms)").fill("20")
    page.get_by_role("button", name="Plan", exact=True).click()
    expect(page).to_have_url(re.compile(r"tpot_ms=20"), timeout=PLAN_TIMEOUT_MS)
    expect(page.locator("#plan-results")).to_contain_text("Misses TPOT")
    assert page.evaluate("window.__marker") == 1  # swapped, no page load

    # Saved: a permalink with the plan as saved, and saved vs now.
    page.get_by_label("Save this plan").fill("Chat at peak")
    page.get_by_role("button", name="Save plan").click()
    expect(page).to_have_url(re.compile(r"/p/[A-Za-z0-9_-]{11,16}/$"))
    expect(page.get_by_role("heading", name="Chat at peak")).to_be_visible()
    expect(page.locator("#saved-vs-now")).to_contain_text("Saved vs now", timeout=PLAN_TIMEOUT_MS)
    expect(page.get_by_role("link", name="CSV")).to_be_visible()
    assert errors == []
