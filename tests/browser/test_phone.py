"""The calculator on a phone (390 px wide): the headline stays in view while editing,
and wide tables scroll sideways inside their section instead of widening the page."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.helpers import reveal

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PHONE = {"width": 390, "height": 844}


def test_on_a_phone_the_headline_stays_in_view_while_editing(browser: Browser, live_server):
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True)
    try:
        page = context.new_page()
        page.goto(live_server.url + "/")
        strip = page.locator("#compact-summary")
        expect(strip).to_be_visible()
        expect(strip).to_contain_text("Fits")
        before = strip.inner_text()

        # The last fields of the form are far below the top of the page.
        field = page.locator("#id_parallelism")
        field.scroll_into_view_if_needed()
        assert page.evaluate("window.scrollY") > PHONE["height"] / 2
        page.locator("#id_completion").fill("2000")

        expect(strip).not_to_have_text(before)  # it follows each change
        box = strip.bounding_box()
        assert box is not None and box["y"] >= 0 and box["y"] + box["height"] < 120
        for label in ("TTFT", "TPOT", "$/1M"):
            expect(strip).to_contain_text(label)
    finally:
        context.close()


def test_on_a_phone_tables_scroll_inside_their_section(browser: Browser, live_server):
    context = browser.new_context(viewport=PHONE, is_mobile=True)
    try:
        page = context.new_page()
        # The default model (Llama 3.1 70B): after the scroll, "Compare GPUs" once stayed
        # a placeholder, as htmx's "revealed" only looks on scroll events.
        page.goto(live_server.url + "/")
        reveal(page, "compare-gpus")
        table = page.locator("#gpu-comparison")
        expect(table).to_be_visible()
        scroller = page.locator("#compare-gpus .table-responsive")
        widths = scroller.evaluate("el => [el.scrollWidth, el.clientWidth]")
        assert widths[0] > widths[1]  # wider than the screen: it scrolls
        page_width = page.evaluate("document.documentElement.scrollWidth")
        assert page_width <= PHONE["width"]  # the page itself does not
        expect(page.locator("#compact-summary")).to_be_in_viewport()
    finally:
        context.close()
