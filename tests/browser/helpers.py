"""Helpers for the browser tests."""

from __future__ import annotations

from playwright.sync_api import Page


def watch_errors(page: Page, errors: list[str] | None = None) -> list[str]:
    """Collect the page's console errors (CSP violations are reported there) and
    uncaught exceptions, each prefixed with the page's URL, into `errors`."""
    errors = [] if errors is None else errors

    def on_console(message) -> None:
        # Chromium may ask for /favicon.ico on its own, whatever the page links.
        if message.type == "error" and not message.location["url"].endswith("/favicon.ico"):
            errors.append(f"{page.url}: {message.text}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: errors.append(f"{page.url}: {error}"))
    return errors


LAZY_LOAD_TIMEOUT_MS = 20_000


def reveal(page: Page, section_id: str) -> None:
    """Scroll a section of the results into view, so that a lazy one loads itself, and
    wait until it has.

    In one step in the page: a section that loads swaps itself out, which a
    Playwright scroll action waiting on the old element would trip over."""
    # At once, not smoothly (Bootstrap's scroll-behavior): a smooth scroll passes the
    # lazy sections above, which load and grow while it runs, and ends short of this one.
    page.evaluate(
        "id => document.getElementById(id).scrollIntoView({behavior: 'instant'})", section_id
    )
    # On a machine busy with other work (CI runs two suites on 2 cores) the fragment
    # can take longer than an assertion's default 5 s.
    busy = page.locator(f"#{section_id}[aria-busy='true']")
    busy.wait_for(state="detached", timeout=LAZY_LOAD_TIMEOUT_MS)
