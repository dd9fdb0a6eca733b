"""The journey with sign-in required (CALCULATOR_ACCESS=login), in Debian's chromium:
sign in -> calculator -> save -> permalink (author, archive) -> "mine"; a fresh browser
is sent to the sign-in page and the API answers 401. And the save rate limit's
message, shown in place under htmx."""

from __future__ import annotations

import re
import time

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Browser, Page, expect

from calculator.models import RateCounter, Scenario
from tests.browser.helpers import watch_errors

pytestmark = [
    pytest.mark.browser,
    # serialized_rollback: the transactional test would leave the catalog empty.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PASSWORD = "a-long-user-password-1"
CALCULATOR_QUERY = "/?model=llama-3.1-8b&gpu=h100-sxm&gpus=1&batch=4"


def test_the_journey_with_sign_in_required(page: Page, browser: Browser, live_server, settings):
    settings.CALCULATOR_ACCESS = "login"
    User.objects.create_user("alice", password=PASSWORD)
    errors = watch_errors(page)

    # Not signed in: the sign-in page, which brings us back where we were going.
    page.goto(live_server.url + CALCULATOR_QUERY)
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next="))
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(re.escape(CALCULATOR_QUERY) + "$"))
    expect(page.locator("#signed-in-as")).to_have_text("alice")

    # The calculator works as ever: a change updates the results in place.
    throughput = page.locator("#figure-throughput")
    expect(throughput).to_have_text(re.compile(r"tokens/s"))
    before = throughput.inner_text()
    page.locator("#id_batch").fill("8")
    expect(page.locator(".results-summary")).to_contain_text("batch 8")
    expect(throughput).not_to_have_text(before)

    # Save, listed (the default); the permalink names the author.
    saved_throughput = throughput.inner_text().strip()
    page.get_by_label("Scenario name").fill("Signed-in journey")
    page.get_by_role("button", name="Save scenario").click()
    permalink = page.locator("#scenario-permalink")
    expect(permalink).to_be_visible()
    url = permalink.input_value()
    page.goto(url)
    expect(page.locator("#scenario-author")).to_have_text("alice")
    expect(page.locator("#figure-throughput")).to_have_text(saved_throughput)

    # The author archives it: out of the list, still at its link, marked.
    page.locator("#archive").click()
    expect(page.locator("#badge-archived")).to_be_visible()
    assert Scenario.objects.get().archived_by.username == "alice"
    page.goto(live_server.url + "/scenarios/")
    expect(page.get_by_text("Signed-in journey")).to_have_count(0)
    page.get_by_role("link", name="Mine").click()
    expect(page.get_by_role("link", name="Signed-in journey")).to_be_visible()

    # Someone who hasn't signed in gets the sign-in page, and the API a 401.
    fresh = browser.new_context()
    try:
        other = fresh.new_page()
        watch_errors(other, errors)
        other.goto(url)
        expect(other).to_have_url(re.compile(r"/accounts/login/\?next=/s/"))
        api = fresh.request.get(live_server.url + "/api/gpus")
        assert api.status == 401
        assert "Bearer" in api.json()["error"]
    finally:
        fresh.close()

    assert errors == []


def test_the_save_limit_shows_its_message_in_place(page: Page, live_server, settings):
    settings.CALCULATOR_SAVE_RATE = "2/h"
    now = int(time.time())
    RateCounter.objects.create(key="save:ip:127.0.0.1", window_start=now - now % 3600, count=2)
    errors = watch_errors(page)
    page.goto(live_server.url + CALCULATOR_QUERY)
    page.evaluate("window.__marker = 1")

    page.get_by_label("Scenario name").fill("One too many")
    page.get_by_role("button", name="Save scenario").click()

    message = page.locator("#save-rate-limited")
    expect(message).to_be_visible()
    expect(message).to_contain_text("at most 2 an hour")
    expect(page.get_by_label("Scenario name")).to_have_value("One too many")
    assert page.evaluate("window.__marker") == 1  # swapped in place
    assert not Scenario.objects.exists()
    assert errors == []


def test_behind_the_sign_in_proxy_the_header_names_the_author(
    browser: Browser, live_server, settings
):
    settings.CALCULATOR_ACCESS = "proxy"
    context = browser.new_context(extra_http_headers={"X-Forwarded-User": "carol@example.com"})
    try:
        page = context.new_page()
        errors = watch_errors(page)
        page.goto(live_server.url + CALCULATOR_QUERY)
        expect(page.locator("#signed-in-as")).to_have_text("carol@example.com")
        expect(page.get_by_role("button", name="Sign out")).to_have_count(0)  # the proxy's job
        page.get_by_label("Scenario name").fill("Via the proxy")
        page.get_by_label("Unlisted: only people with the link").check()
        page.get_by_role("button", name="Save scenario").click()
        expect(page.locator("#scenario-permalink")).to_be_visible()
        assert errors == []
    finally:
        context.close()
    scenario = Scenario.objects.get()
    assert scenario.author.username == "carol@example.com"
    assert scenario.visibility == "unlisted"
