"""A custom model in Debian's chromium: pick "custom", paste a config.json, read the
estimate, save it and open its permalink."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

CONFIG = (Path(__file__).parent.parent / "data" / "hf_configs" / "deepseek-v3.json").read_text()


def test_a_pasted_config_json_is_estimated_saved_and_shared(
    page: Page, live_server, console_errors
):
    page.goto(live_server.url + "/")
    box = page.locator("#id_model_config")
    expect(box).to_be_hidden()

    page.locator("#id_model").select_option("custom")
    expect(box).to_be_visible()
    expect(page.locator("#id_model_config_error")).to_contain_text("Paste a config.json")

    page.locator("#id_gpu").select_option("h100-sxm")
    page.locator("#id_gpus").fill("8")
    page.locator("#id_weights").select_option("fp8")
    box.fill(CONFIG)

    results = page.locator("#results")
    expect(results).to_contain_text("Custom model (config.json)")
    expect(results).to_contain_text("multi-token-prediction")  # the parser's warning
    expect(page.locator("#verdict")).to_be_visible()
    expect(page).to_have_url(re.compile(r"model=custom"))
    assert box.input_value() == CONFIG  # what was pasted stays as it was

    page.locator("#scenario-name").fill("DeepSeek-V3 from its config")
    page.get_by_role("button", name="Save scenario").click()
    permalink = page.locator("#scenario-permalink")
    expect(permalink).to_be_visible()
    page.goto(permalink.input_value())
    expect(page.locator("body")).to_contain_text("DeepSeek-V3 from its config")
    expect(page.locator("body")).to_contain_text("Custom model (config.json)")
    assert console_errors == []
