"""Every page a user reaches, checked by axe-core in Debian's chromium: no serious or
critical violation. The calculator and a permalink are checked with their lazy sections
loaded and "show the math" open, so the fragments are checked too. A new page gets a
test here."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect

from tests.browser.helpers import reveal

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

FAILING_IMPACTS = ("serious", "critical")
PLAN_TIMEOUT_MS = 30_000  # a whole plan takes about a second; the machine may be busy


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
    reveal(page, "under-load")  # the serving simulator's section
    expect(page.locator("#under-load")).not_to_contain_text(
        "Simulating this configuration", timeout=PLAN_TIMEOUT_MS
    )
    page.locator("#show-the-math summary").click()
    expect(page.locator("#show-the-math .math-steps").first).to_be_visible()


def test_the_calculator_has_no_serious_accessibility_violation(page: Page, live_server):
    page.goto(live_server.url + "/")
    open_lazy_sections(page)
    assert serious_violations(page) == []


@pytest.mark.parametrize(
    ("query", "shown"),
    [
        ("?gpus=1", "#fits-instead"),  # does not fit: what would fit instead
        ("?batch=max", ".ttft-framing"),  # the TTFT of all the prompts at once
    ],
)
def test_the_calculator_s_fit_and_batch_max_states_have_no_serious_violation(
    page: Page, live_server, query, shown
):
    page.goto(live_server.url + "/" + query)
    expect(page.locator(shown).first).to_be_visible()
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


def test_the_planner_and_a_saved_plan_have_no_serious_accessibility_violation(
    page: Page, live_server
):
    page.goto(live_server.url + "/plan/")
    expect(page.locator("#plan-results")).to_contain_text("Rent ", timeout=PLAN_TIMEOUT_MS)
    assert serious_violations(page) == []
    # Every fold open: the form's options and pickers, all options, the price fold, the
    # deprecated APIs, the recipe (copied).
    folds = ("#plan-more", "#plan-levers", "#plan-pickers", "#deploy-best", "#plan-all-options")
    for fold in (*folds, "#plan-folded-options"):
        page.locator(f"{fold} > summary").click()
    if page.locator("#plan-deprecated-apis").count():
        page.locator("#plan-deprecated-apis > summary").click()
    page.locator("#deploy-best").get_by_role("button", name="Copy command").click()
    expect(page.locator("#deploy-best [data-copy-status]")).not_to_be_empty()
    assert serious_violations(page) == []
    # A field's message next to it, and the errors in place of the plan.
    page.get_by_label("Mean prompt tokens").fill("0")
    expect(page.locator("#plan-errors")).to_be_visible(timeout=PLAN_TIMEOUT_MS)
    assert serious_violations(page) == []
    page.get_by_label("Mean prompt tokens").fill("2000")
    expect(page.locator("#plan-results")).to_contain_text("Rent ", timeout=PLAN_TIMEOUT_MS)

    page.get_by_label("Save this plan").fill("Accessible plan")
    page.get_by_role("button", name="Save plan").click()
    expect(page.locator("#saved-vs-now")).to_contain_text("Saved vs now", timeout=PLAN_TIMEOUT_MS)
    assert serious_violations(page) == []


def test_the_planner_on_a_phone_has_no_serious_accessibility_violation(
    browser: Browser, live_server
):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    try:
        page = context.new_page()
        page.goto(live_server.url + "/plan/")
        expect(page.locator("#plan-compact")).to_contain_text("Rent ", timeout=PLAN_TIMEOUT_MS)
        assert serious_violations(page) == []
    finally:
        context.close()


def test_the_sign_in_page_has_no_serious_accessibility_violation(page: Page, live_server):
    page.goto(live_server.url + "/accounts/login/")
    assert serious_violations(page) == []
