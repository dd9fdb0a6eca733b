"""Bulk price updates in Debian's chromium: staff upload a CSV of cloud offers, see a
preview of what changes, confirm, and the change is in the offer's history under their
name; a bad row is refused before anything is saved."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page, expect

from calculator.models import CloudOffer

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PASSWORD = "a-long-admin-password-1"
HEADER = (
    "gpu_slug,provider,instance_type,gpus_per_instance,region,on_demand_usd_per_gpu_hour,"
    "spot_usd_per_gpu_hour,instance_on_demand_usd_per_hour,as_of,source,notes,is_active"
)
ROW = (
    "h100-sxm,aws,p5.48xlarge,8,us-east-1,{price},2.5000,55.04,2026-11-20,"
    "AWS price list read 2026-11-20,After the June 2025 price cut.,1"
)


@pytest.fixture
def admin_page(page: Page, live_server, console_errors, db) -> Page:
    User.objects.create_superuser("prices", "prices@example.com", PASSWORD)
    page.goto(live_server.url + "/admin/")
    page.get_by_label("Username").fill("prices")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    return page


def upload(page: Page, live_server, csv_text: str) -> None:
    page.goto(live_server.url + "/admin/calculator/cloudoffer/")
    page.get_by_role("link", name="Import").click()
    page.locator("input[type=file]").set_input_files(
        {"name": "offers.csv", "mimeType": "text/csv", "buffer": csv_text.encode()}
    )
    page.get_by_label("Format").select_option(label="csv")
    page.get_by_role("button", name="Submit").click()


def test_a_csv_import_shows_a_preview_then_changes_the_price_with_history(
    admin_page: Page, live_server, console_errors
):
    offer = CloudOffer.objects.get(gpu__slug="h100-sxm", provider="aws")
    upload(admin_page, live_server, f"{HEADER}\n{ROW.format(price='6.8800')}\n")

    # The preview: what would change, and nothing saved yet.
    preview = admin_page.locator("table.import-preview")
    expect(preview).to_contain_text("Update")
    expect(preview).to_contain_text("6.88")
    offer.refresh_from_db()
    assert offer.on_demand_usd_per_gpu_hour == Decimal("12.2900")

    admin_page.get_by_role("button", name="Confirm import").click()
    expect(admin_page.locator(".messagelist")).to_contain_text(re.compile("1 update", re.I))
    offer.refresh_from_db()
    assert offer.on_demand_usd_per_gpu_hour == Decimal("6.8800")
    assert str(offer.as_of) == "2026-11-20"

    assert console_errors == []  # the preview's diff needs no inline styles (CSP)

    # Its history names who changed it, from what to what. (django-simple-history's
    # history page has one inline style, "border-top: 0", which the CSP blocks: harmless.)
    admin_page.goto(live_server.url + f"/admin/calculator/cloudoffer/{offer.pk}/history/")
    history = admin_page.locator("#change-history")
    expect(history).to_contain_text("prices")
    expect(history).to_contain_text("Imported")
    record = offer.history.first()
    assert record.history_user.username == "prices"
    assert record.prev_record.on_demand_usd_per_gpu_hour == Decimal("12.2900")

    # The calculator prices AWS's H100s at the imported price.
    admin_page.goto(live_server.url + "/?gpu=h100-sxm&gpus=8&provider=aws&model=llama-3.1-8b")
    expect(admin_page.locator("#price-source")).to_contain_text("$6.88/GPU-hour")
    expect(admin_page.locator("#price-source")).to_contain_text("20 Nov 2026")


def test_a_bad_row_is_shown_and_nothing_is_imported(admin_page: Page, live_server, console_errors):
    bad = ROW.format(price="-1").replace("2026-11-20", "unknown")
    upload(admin_page, live_server, f"{HEADER}\n{bad}\n")

    errors = admin_page.locator("body")
    expect(errors).to_contain_text("A date is needed")
    expect(errors).to_contain_text("Must be greater than zero")
    expect(admin_page.get_by_role("button", name="Confirm import")).to_have_count(0)
    offer = CloudOffer.objects.get(gpu__slug="h100-sxm", provider="aws")
    assert offer.on_demand_usd_per_gpu_hour == Decimal("12.2900")
    assert console_errors == []
