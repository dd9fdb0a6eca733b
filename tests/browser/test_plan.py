"""The planner page in Debian's chromium: the issue's example, planned as you type, the
answer in view on a desktop and a phone, a short table, GPUs picked by name, the deploy
recipe copied, saved and opened from its permalink."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.helpers import watch_errors

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PLAN_TIMEOUT_MS = 30_000  # a whole plan takes about a second; the machine may be busy
DESKTOP = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}
# The headline in a buyer's words: whom to rent what from, and its month.
HEADLINE = re.compile(r"Rent \d+ replicas? of \d+ × [^:]+: \$[\d,]+ a month")
SHORT_TABLE_MOST_ROWS = 10


def test_the_plan_page_plans_the_example_ranks_charts_and_saves_it(page: Page, live_server):
    errors = watch_errors(page)
    page.goto(live_server.url + "/plan/")
    # The example is filled in.
    expect(page.get_by_label("Model", exact=True)).to_have_value("llama-3.1-70b")
    expect(page.get_by_label("Peak requests per second")).to_have_value("3")
    expect(page.get_by_label("Mean prompt tokens")).to_have_value("2000")
    expect(page.get_by_label("Mean completion tokens")).to_have_value("300")
    expect(page.get_by_label("Time to first token target (ms)")).to_have_value("1000")
    expect(page.get_by_label("Time per output token target (ms)")).to_have_value("50")
    # Planned on load: the answer, a short table, all options behind a summary, the chart.
    best = page.locator("#plan-best")
    expect(best).to_contain_text(HEADLINE, timeout=PLAN_TIMEOUT_MS)
    rows = page.locator("#plan-options tbody tr")
    assert 1 <= rows.count() <= SHORT_TABLE_MOST_ROWS
    expect(rows.first).to_contain_text("Meets the targets")
    others = page.locator("#plan-other-options")
    expect(others).to_be_hidden()
    page.get_by_text(re.compile(r"Show all options \(\d+ more\)")).click()
    expect(others).to_contain_text("Does not fit")
    expect(others).to_contain_text("Misses TPOT")
    expect(page.locator("#chart-tradeoff svg circle").first).to_be_attached()

    # A stricter target, typed: planned again in place, no button pressed, no page load.
    page.evaluate("window.__marker = 1")
    page.get_by_label("Time per output token target (ms)").fill("20")
    expect(page).to_have_url(re.compile(r"tpot_ms=20"), timeout=PLAN_TIMEOUT_MS)
    expect(page.locator("#plan-results")).to_contain_text("Misses TPOT")
    assert page.evaluate("window.__marker") == 1

    # Saved: a permalink with the plan as saved, and saved vs now.
    page.get_by_label("Save this plan").fill("Chat at peak")
    page.get_by_role("button", name="Save plan").click()
    expect(page).to_have_url(re.compile(r"/p/[A-Za-z0-9_-]{11,16}/$"))
    expect(page.get_by_role("heading", name="Chat at peak")).to_be_visible()
    expect(page.locator("#saved-vs-now")).to_contain_text("Saved vs now", timeout=PLAN_TIMEOUT_MS)
    expect(page.get_by_role("link", name="CSV")).to_be_visible()
    assert errors == []


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1440px", "390px"])
def test_typing_a_new_rate_replans_with_the_answer_in_view(browser: Browser, live_server, viewport):
    phone = viewport is PHONE
    context = browser.new_context(viewport=viewport, is_mobile=phone)
    try:
        page = context.new_page()
        errors = watch_errors(page)
        page.goto(live_server.url + "/plan/")
        # On a phone the plan is below the form: the strip at the top carries the answer.
        headline = page.locator("#plan-compact" if phone else "#plan-headline")
        expect(headline).to_contain_text(HEADLINE, timeout=PLAN_TIMEOUT_MS)
        before = headline.inner_text()

        rate = page.get_by_label("Peak requests per second")
        rate.click()
        rate.press_sequentially("0")  # 3 -> 30 requests/s, as typed: no button pressed
        expect(headline).not_to_have_text(before, timeout=PLAN_TIMEOUT_MS)
        expect(headline).to_contain_text(HEADLINE)
        expect(headline).to_be_in_viewport()
        if not phone:
            expect(headline).to_contain_text("30.0 requests/s")

        # The default table is short, and on a phone keeps the price and the verdict.
        rows = page.locator("#plan-options tbody tr")
        assert 1 <= rows.count() <= SHORT_TABLE_MOST_ROWS
        for name in ("Per month", "Verdict"):
            header = page.locator("#plan-options thead th", has_text=name)
            expect(header).to_be_visible()
            box = header.bounding_box()
            assert box is not None and box["x"] + box["width"] <= viewport["width"]
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
        assert errors == []
    finally:
        context.close()


def test_gpus_are_picked_by_name_and_the_pickers_tick_all_or_none(page: Page, live_server):
    errors = watch_errors(page)
    page.goto(live_server.url + "/plan/")
    expect(page.locator("#plan-best")).to_contain_text(HEADLINE, timeout=PLAN_TIMEOUT_MS)
    page.get_by_text("GPUs and precisions").click()
    gpus = page.locator("#pick-gpus")
    expect(gpus).to_contain_text("priced from")

    gpus.get_by_role("checkbox", name=re.compile(r"NVIDIA H100 SXM5 80GB ·")).check()
    expect(page).to_have_url(re.compile(r"gpus=h100-sxm(&|$)"), timeout=PLAN_TIMEOUT_MS)
    rows = page.locator("#plan-options tbody tr")
    expect(rows.first).to_contain_text("H100 SXM5", timeout=PLAN_TIMEOUT_MS)
    expect(rows).to_have_count(1)  # one GPU type: its best option

    gpus.get_by_role("button", name="All priced").click()
    assert gpus.locator("input:checked").count() > 1
    expect(page).to_have_url(re.compile(r"gpus=.+&gpus="), timeout=PLAN_TIMEOUT_MS)
    gpus.get_by_role("button", name="None").click()
    expect(gpus.locator("input:checked")).to_have_count(0)
    expect(page).not_to_have_url(re.compile(r"gpus="), timeout=PLAN_TIMEOUT_MS)
    assert errors == []


def test_a_bad_input_shows_its_message_next_to_the_field(page: Page, live_server):
    page.goto(live_server.url + "/plan/")
    expect(page.locator("#plan-best")).to_contain_text(HEADLINE, timeout=PLAN_TIMEOUT_MS)
    page.get_by_label("Mean prompt tokens").fill("0")
    expect(page.locator("#id_prompt_error")).to_contain_text(
        "greater than or equal to 1", timeout=PLAN_TIMEOUT_MS
    )
    expect(page.locator("#plan-errors")).to_be_visible()


def test_the_deploy_recipe_is_copied_and_downloaded(browser: Browser, live_server):
    context = browser.new_context(
        viewport=DESKTOP, permissions=["clipboard-read", "clipboard-write"]
    )
    try:
        page = context.new_page()
        errors = watch_errors(page)
        page.goto(live_server.url + "/plan/")
        recipe = page.locator("#deploy-best")
        recipe.locator("summary").click(timeout=PLAN_TIMEOUT_MS)  # folded under the answer
        expect(recipe).to_contain_text("vllm serve")

        recipe.get_by_role("button", name="Copy command").click()
        expect(recipe.locator("[data-copy-status]")).to_have_text("Command copied.")
        copied = page.evaluate("navigator.clipboard.readText()")
        assert copied.startswith("vllm serve ")
        assert "--tensor-parallel-size" in copied
        assert copied == page.locator("#deploy-best-command").text_content()

        recipe.get_by_role("button", name="Copy YAML").click()
        expect(recipe.locator("[data-copy-status]")).to_have_text("Kubernetes YAML copied.")
        assert "kind: Deployment" in page.evaluate("navigator.clipboard.readText()")

        with page.expect_download(timeout=PLAN_TIMEOUT_MS) as download:
            recipe.get_by_role("link", name="Download YAML").click()
        assert download.value.suggested_filename.endswith(".yaml")
        with open(download.value.path(), encoding="utf-8") as file:
            assert file.read() == page.locator("#deploy-best-yaml").text_content()
        assert errors == []
    finally:
        context.close()


def test_a_preset_fills_the_hourly_table_and_the_day_is_planned(page: Page, live_server, tmp_path):
    from tests.browser.test_accessibility import serious_violations

    errors = watch_errors(page)
    page.set_viewport_size(DESKTOP)
    page.goto(live_server.url + "/plan/")
    expect(page.locator("#plan-headline")).to_contain_text(HEADLINE, timeout=PLAN_TIMEOUT_MS)
    page.locator("#plan-more > summary").click()
    table = page.locator("#hourly-table")
    expect(table).to_be_visible()
    # Office hours at the example's peak of 3 requests/s: busiest at 15:00, a ninth at 3:00.
    table.get_by_role("button", name="Office hours").click()
    expect(page.get_by_label("Hour 15", exact=True)).to_have_value("3")
    expect(page.get_by_label("Hour 3", exact=True)).to_have_value("0.33")
    rates = page.get_by_label("Hourly rates (requests/s, hour 0 to 23)")
    expect(rates).to_have_value(re.compile(r"^0\.57,0\.48,0\.39,(?:[\d.]+,){20}0\.72$"))
    expect(page.get_by_label("Peak requests per second")).to_have_value("")
    expect(page.locator("#plan-day")).to_be_visible(timeout=PLAN_TIMEOUT_MS)
    expect(page).to_have_url(re.compile(r"hourly_rates=0\.57"))
    assert serious_violations(page) == []

    # A cell typed in goes to the field, and the plan follows.
    page.get_by_label("Hour 15", exact=True).fill("6")
    expect(rates).to_have_value(re.compile(r",6,"))
    expect(page).to_have_url(re.compile(r"(,|%2C)6(,|%2C)"), timeout=PLAN_TIMEOUT_MS)
    expect(page.locator("#plan-day")).to_be_visible(timeout=PLAN_TIMEOUT_MS)

    # A request log planned with the page's inputs; a bad line named next to the upload.
    lines = ["timestamp"] + [str(1_715_000_000 + i * 20) for i in range(2_000)]
    good = tmp_path / "log.csv"
    good.write_text("\n".join(lines))
    page.get_by_label("Mean prompt tokens").fill("1000")
    page.get_by_label("Plan from a request log (CSV)").set_input_files(good)
    page.get_by_role("button", name="Plan this log").click()
    expect(page.locator("#plan-day")).to_contain_text("Over a day", timeout=PLAN_TIMEOUT_MS)
    bad = tmp_path / "bad.csv"
    bad.write_text("\n".join([*lines[:9], "soon", *lines[9:]]))
    page.get_by_label("Plan from a request log (CSV)").set_input_files(bad)
    page.get_by_role("button", name="Plan this log").click()
    expect(page.locator("#id_request_log_error")).to_contain_text(
        "Line 10", timeout=PLAN_TIMEOUT_MS
    )
    expect(page.locator("#plan-errors")).to_be_visible()
    assert errors == []


def test_eagle_chosen_in_the_levers_replans_says_why_and_passes_the_flag(page: Page, live_server):
    errors = watch_errors(page)
    page.set_viewport_size(DESKTOP)
    page.goto(live_server.url + "/plan/")
    expect(page.locator("#plan-headline")).to_contain_text(HEADLINE, timeout=PLAN_TIMEOUT_MS)
    expect(page.locator("#plan-speculative")).to_have_count(0)
    page.locator("#plan-levers > summary").click()
    page.get_by_label("Speculative decoding").select_option("eagle")
    expect(page).to_have_url(re.compile(r"speculative=eagle"), timeout=PLAN_TIMEOUT_MS)
    expect(page.locator("#plan-speculative")).to_contain_text(
        "EAGLE at acceptance 0.8", timeout=PLAN_TIMEOUT_MS
    )
    expect(page.locator("#deploy-best")).to_contain_text("--speculative-config")
    assert errors == []


def test_disaggregation_is_ticked_planned_and_saved_with_its_pools(page: Page, live_server):
    """Prompt-heavy traffic with a tight TPOT on H100s: ticking the checkbox replans with
    separate prefill and decode pools, and the saved plan keeps them."""
    errors = watch_errors(page)
    heavy = "model=llama-3.1-8b&rate=20&prompt=8000&completion=200&ttft_ms=2000&tpot_ms=20"
    page.goto(f"{live_server.url}/plan/?{heavy}&gpus=h100-sxm")
    expect(page.locator("#plan-best")).to_contain_text(HEADLINE, timeout=PLAN_TIMEOUT_MS)
    page.locator("#plan-more summary").click()
    page.get_by_label("Consider disaggregated prefill/decode").check()
    expect(page).to_have_url(re.compile(r"disaggregated=on"), timeout=PLAN_TIMEOUT_MS)
    expect(page.locator("#plan-disaggregation")).to_contain_text("Disaggregated prefill/decode")
    expect(page.locator("#plan-best")).to_contain_text("a prefill pool of")
    page.get_by_label("Save this plan").fill("Split pools")
    page.get_by_role("button", name="Save plan").click()
    expect(page).to_have_url(re.compile(r"/p/[A-Za-z0-9_-]{11,16}/$"))
    expect(page.locator("body")).to_contain_text("a decode pool of")
    assert errors == []
