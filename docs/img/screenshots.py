"""Take the README's screenshots with Playwright and Debian's chromium, at 1440 px.

Start a server on a migrated database first, then point this at it:

    .venv/bin/python manage.py runserver 127.0.0.1:8142 &
    .venv/bin/python docs/img/screenshots.py http://127.0.0.1:8142
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

HERE = Path(__file__).parent
WIDTH, HEIGHT = 1440, 900  # px: a common laptop screen
PLAN_TIMEOUT_MS = 60_000  # the planner simulates every option on load


def main(base_url: str) -> None:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=shutil.which("chromium"), args=["--no-sandbox", "--disable-gpu"]
        )
        page = browser.new_page(viewport={"width": WIDTH, "height": HEIGHT})

        page.goto(base_url + "/")
        page.locator("#results").wait_for()
        page.wait_for_load_state("networkidle")
        page.screenshot(path=HERE / "calculator.png")

        page.goto(base_url + "/plan/")
        page.locator("#plan-headline").wait_for(timeout=PLAN_TIMEOUT_MS)
        page.wait_for_load_state("networkidle")
        page.screenshot(path=HERE / "planner.png")
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1].rstrip("/"))
