"""The whole journey in Debian's chromium, under the production Content Security Policy.

Calculator -> change model, GPU and batch (results and charts update in place) -> a bad
value (its message next to the field, the input kept) -> save -> the permalink in a
fresh browser -> staff change the price of the cloud offer that GPU is priced from in the
admin -> the calculator shows the new price, the permalink the saved figures with the
"now differs" notice. No page logs
a JavaScript error or a CSP violation.
"""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import Permission, User
from playwright.sync_api import Browser, Page, expect

from calculator.models import CloudOffer, GpuType
from tests.browser.helpers import reveal, watch_errors

pytestmark = [
    pytest.mark.browser,
    # serialized_rollback: the transactional test would leave the catalog empty.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

GPU = "h100-sxm"
NEW_PRICE = "0.77"  # below every offer, so the same offer stays the cheapest
STAFF_PASSWORD = "a-long-staff-password-1"


@pytest.fixture
def staff_user(db) -> User:
    """Staff who may edit GPU and offer prices, and nothing more (not a superuser)."""
    user = User.objects.create_user("pricing", password=STAFF_PASSWORD, is_staff=True)
    user.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label="calculator",
            codename__in=["view_gputype", "change_gputype", "view_cloudoffer", "change_cloudoffer"],
        )
    )
    return user


def test_the_whole_journey(page: Page, browser: Browser, live_server, staff_user):
    errors: list[str] = []
    watch_errors(page, errors)
    gpu_name = GpuType.objects.get(slug=GPU).name

    # Open the calculator; change model, GPU and batch: results and charts follow in place.
    page.goto(live_server.url + "/")
    throughput = page.locator("#figure-throughput")
    expect(throughput).to_have_text(re.compile(r"tokens/s"))
    chart = page.locator("#chart-throughput .chart-svg")
    reveal(page, "batch-charts")  # the charts load when revealed
    expect(chart).to_be_visible()
    page.evaluate("window.__journey = 'no page load'")

    before = throughput.inner_text()
    page.locator("#id_model").select_option("llama-3.1-8b")
    expect(page.locator(".results-summary")).to_contain_text("Llama 3.1 8B")
    expect(throughput).not_to_have_text(before)

    before = throughput.inner_text()
    page.locator("#id_gpu").select_option(GPU)
    expect(page.locator(".results-summary")).to_contain_text(gpu_name)
    expect(throughput).not_to_have_text(before)
    catalog_price = page.locator("#price-source").inner_text()

    reveal(page, "batch-charts")
    expect(chart).to_be_visible()
    before, chart_before = throughput.inner_text(), chart.inner_html()
    page.locator("#id_batch").fill("4")
    expect(page.locator(".results-summary")).to_contain_text("batch 4")
    expect(throughput).not_to_have_text(before)
    reveal(page, "batch-charts")
    expect(page.locator("#chart-throughput .chart-current")).to_contain_text("batch 4:")
    assert chart.inner_html() != chart_before  # the ring moved to the new batch
    expect(page).to_have_url(re.compile(rf"model=llama-3.1-8b&gpu={GPU}&gpus=\d+&batch=4"))

    # A bad value: its message next to the field, what was typed kept.
    page.locator("#id_gpus").fill("0")
    expect(page.locator("#id_gpus_error")).to_contain_text("greater than or equal to 1")
    expect(page.locator("#input-errors")).to_be_visible()
    assert page.locator("#id_gpus").input_value() == "0"
    page.locator("#id_gpus").fill("1")
    expect(page.locator("#id_gpus_error")).to_be_empty()
    expect(throughput).to_have_text(re.compile(r"tokens/s"))
    assert page.evaluate("window.__journey") == "no page load"

    # Save the scenario.
    saved_throughput = throughput.inner_text().strip()
    page.get_by_label("Scenario name").fill("Journey <script>alert(1)</script>")
    page.get_by_role("button", name="Save scenario").click()
    permalink = page.locator("#scenario-permalink")
    expect(permalink).to_be_visible()
    url = permalink.input_value()
    assert url.startswith(live_server.url + "/s/")

    # Its permalink in a fresh browser context shows the same figures.
    fresh = browser.new_context()
    try:
        other = fresh.new_page()
        watch_errors(other, errors)
        other.goto(url)
        expect(other.locator("#scenario-name")).to_have_text("Journey <script>alert(1)</script>")
        expect(other.locator("#figure-throughput")).to_have_text(saved_throughput)
        expect(other.locator("#now-same")).to_be_visible()
        saved_cost = other.locator("#figure-usd_per_1m").inner_text()
    finally:
        fresh.close()

    # Staff log in through the admin's form and change the price of the offer used.
    provider, instance = page.locator("#price-offer").inner_text().split(" ", 1)
    offer = CloudOffer.objects.get(gpu__slug=GPU, provider=provider, instance_name=instance)
    admin = browser.new_context()
    try:
        staff = admin.new_page()
        watch_errors(staff, errors)
        staff.goto(live_server.url + "/admin/")
        staff.get_by_label("Username").fill("pricing")
        staff.get_by_label("Password").fill(STAFF_PASSWORD)
        staff.get_by_role("button", name="Log in").click()
        staff.get_by_role("link", name="Cloud offers").first.click()
        staff.goto(live_server.url + f"/admin/calculator/cloudoffer/{offer.pk}/change/")
        price = staff.get_by_label("On-demand USD per GPU-hour")
        price.fill(NEW_PRICE)
        staff.get_by_role("button", name="Save", exact=True).click()
        expect(staff.locator(".messagelist")).to_contain_text("was changed successfully")
    finally:
        admin.close()

    # The calculator now shows the new price ...
    page.goto(page.url)
    expect(page.locator("#price-source")).to_contain_text(f"${NEW_PRICE}")
    assert page.locator("#price-source").inner_text() != catalog_price

    # ... and the permalink the saved figures, with the "now differs" notice.
    page.goto(url)
    expect(page.locator("#figure-throughput")).to_have_text(saved_throughput)
    expect(page.locator("#figure-usd_per_1m")).to_have_text(saved_cost)
    expect(page.locator("#now-differs")).to_be_visible()
    expect(page.locator("#now-differs")).to_contain_text(NEW_PRICE)

    assert errors == []
