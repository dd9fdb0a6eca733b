"""manage.py estimate and calibrate."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from calculator.calibration_report import DEFAULT_CALIBRATION_PATH

pytestmark = pytest.mark.django_db


def run(*args):
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_estimate_prints_a_readable_summary_of_the_seed_scenario():
    text = run("estimate")
    assert "Llama 3.1 70B on 2 x NVIDIA A100 80GB SXM4" in text  # the planner's model too
    assert "time to first token" in text
    assert "fits" in text


def test_estimate_prints_the_api_json():
    body = json.loads(
        run(
            "estimate",
            "--model",
            "llama-3.1-8b",
            "--gpu",
            "h100-sxm",
            "--gpus",
            "1",
            "--batch",
            "max",
            "--weights",
            "fp8",
            "--json",
        )
    )
    assert body["inputs"]["model"] == "llama-3.1-8b"
    assert body["batch"] > 1
    assert body["memory"]["fits"] is True


def test_estimate_reads_a_config_json():
    config = (Path(__file__).parent / "data" / "hf_configs" / "gpt-oss-120b.json").read_text()
    args = ("--gpu", "h100-sxm", "--gpus", "1", "--weights", "bf16", "--json")
    body = json.loads(run("estimate", "--model", "custom", "--model-config", config, *args))
    assert body["model"]["total_params"] == 116_829_156_672
    assert body["memory"]["fits"] is True  # MXFP4 experts: one 80 GB GPU holds it
    text = run("estimate", "--model", "custom", "--model-config", config, *args[:-1])
    assert "Custom model (config.json) on 1 x" in text


def test_estimate_says_which_option_is_wrong():
    with pytest.raises(CommandError, match="--gpus"):
        run("estimate", "--gpus", "0")


def test_estimate_warns_when_it_does_not_fit():
    text = run("estimate", "--gpus", "1")
    assert "DOES NOT FIT (needs 2 GPUs)" in text
    assert "Warning: Does not fit" in text


def small_calibration_file(tmp_path):
    """The first rows of each source kind, so the full run (with hold-outs) is quick."""
    lines = DEFAULT_CALIBRATION_PATH.read_text().splitlines(keepends=True)
    path = tmp_path / "calibration.csv"
    path.write_text("".join(lines[:3] + lines[120:123] + lines[135:140]))
    return path


def test_calibrate_prints_rows_skips_the_summary_and_writes_the_report(tmp_path):
    report = tmp_path / "report.json"
    text = run(
        "calibrate",
        str(small_calibration_file(tmp_path)),
        "--report",
        str(report),
        "--workers",
        "1",
    )
    assert "Predicted vs measured" in text
    assert "Rows skipped" in text
    assert "Throughput under load" in text
    assert "Error bands (80%)" in text
    written = json.loads(report.read_text())
    assert written["rows_mapped"] + written["rows_skipped"] == 10
    assert {"fingerprints", "regimes", "lines", "bands", "evidence"} <= set(written)
    assert "up to date" in run(
        "calibrate", str(small_calibration_file(tmp_path)), "--report", str(report), "--check"
    )


def test_calibrate_check_passes_on_the_committed_report():
    assert "up to date" in run("calibrate", "--check")


def test_calibrate_check_fails_when_the_data_changed(tmp_path):
    path = small_calibration_file(tmp_path)
    with pytest.raises(CommandError, match="calibration_csv_sha256 differs"):
        run("calibrate", str(path), "--check")


def test_calibrate_refuses_a_missing_file(tmp_path):
    with pytest.raises(CommandError, match="No calibration file"):
        run("calibrate", str(tmp_path / "missing.csv"))


def test_estimate_writes_figures_as_the_page_does():
    from calculator.answers.estimate import DEFAULTS, answer
    from calculator.forms import CalculatorForm
    from calculator.templatetags.calc_format import format_bytes, format_duration

    form = CalculatorForm(DEFAULTS)
    assert form.is_valid()
    result = answer(form).estimate
    text = run("estimate")
    # Decimal GB, as the page: filesizeformat's "GB" were GiB.
    assert f"weights      {format_bytes(result.memory.weights_bytes_per_gpu)}" in text
    assert format_bytes(result.memory.weights_bytes_per_gpu).endswith(" GB")
    assert f"time to first token   {format_duration(result.prefill.seconds)}" in text
