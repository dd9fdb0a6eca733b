"""What every browser test shares: watching a page for errors."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from tests.browser.helpers import watch_errors


@pytest.fixture
def console_errors(page: Page) -> list[str]:
    """Errors the test's page reports while the test runs."""
    return watch_errors(page)
