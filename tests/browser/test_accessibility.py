"""Every page a user reaches, checked by axe-core in Debian's chromium: no serious or
critical violation. The calculator is checked with its lazy sections loaded and "show
the math" open, so the fragments are checked too."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from tests.browser.helpers import reveal

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

FAILING_IMPACTS = ("serious", "critical")


def serious_violations(page: Page) -> list[str]:
    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at "
        + ", ".join(" ".join(node["target"]) for node in v["nodes"][:3])
        for v in results.response["violations"]
        if v["impact"] in FAILING_IMPACTS
    ]


def open_lazy_sections(page: Page) -> None:
    for section, loaded in (
        ("apis", "#api-comparison"),
        ("batch-charts", "#chart-throughput"),
        ("compare-gpus", "#gpu-comparison"),
    ):
        reveal(page, section)
        expect(page.locator(loaded)).to_be_visible()
    page.locator("#show-the-math summary").click()
    expect(page.locator("#show-the-math .math-steps").first).to_be_visible()


def test_the_calculator_has_no_serious_accessibility_violation(page: Page, live_server):
    page.goto(live_server.url + "/")
    open_lazy_sections(page)
    assert serious_violations(page) == []


def test_the_calculator_with_an_error_has_no_serious_accessibility_violation(
    page: Page, live_server
):
    page.goto(live_server.url + "/?prompt=0")
    expect(page.locator("#input-errors")).to_be_visible()
    assert serious_violations(page) == []


def test_the_scenario_pages_have_no_serious_accessibility_violation(
    page: Page, live_server, make_scenario
):
    first = make_scenario(name="First")
    second = make_scenario(name="Second", gpus="4", batch="8")

    page.goto(live_server.url + "/scenarios/")
    assert serious_violations(page) == []

    page.goto(live_server.url + first.get_absolute_url())
    reveal(page, "apis")
    expect(page.locator("#api-comparison")).to_be_visible()
    page.locator("#show-the-math summary").click()
    expect(page.locator("#show-the-math .math-steps").first).to_be_visible()
    assert serious_violations(page) == []

    page.goto(f"{live_server.url}/compare/?s={first.public_id}&s={second.public_id}")
    expect(page.locator("#comparison")).to_be_visible()
    assert serious_violations(page) == []
