"""The calculator page: full page, htmx partial, errors, URL state, charts and tables."""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import urlencode

import pytest
from django.utils.html import escape

from calculator import calibration_report
from calculator.answers.capacity import DEFAULTS as PLAN_DEFAULTS
from calculator.answers.estimate import DEFAULTS, answer
from calculator.answers.shared import DEFAULT_MODEL
from calculator.forms import CalculatorForm
from calculator.models import ApiOffering, GpuType
from calculator.templatetags import calc_format as fmt

pytestmark = pytest.mark.django_db

URL = "/"
HTMX = {"HX-Request": "true"}


def inputs(**changes) -> dict[str, str]:
    """The default scenario as the page's form posts it, with some fields changed."""
    data = {key: str(value) for key, value in DEFAULTS.items()}
    data.update(gpu_hourly_usd="", price_gpu=data["gpu"], context_model=data["model"])
    data.update({key: str(value) for key, value in changes.items()})
    return data


def expected_price(**changes):
    form = CalculatorForm(inputs(**changes))
    assert form.is_valid(), form.errors
    return answer(form).price


def expected_estimate(**changes):
    form = CalculatorForm(inputs(**changes))
    assert form.is_valid(), form.errors
    return answer(form, trace=True).estimate


def key_figures(estimate) -> list[str]:
    return [
        fmt.format_duration(estimate.prefill.seconds),
        fmt.format_duration(estimate.decode.seconds_per_token),
        fmt.format_tokens_per_second(estimate.decode.tokens_per_second),
        fmt.format_duration(estimate.end_to_end_seconds),
        fmt.format_usd(estimate.cost.usd_per_1m_output_tokens),
    ]


# Section: full page and partial


def test_get_renders_the_full_page_with_the_default_scenario(client):
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" in html
    assert "<form" in html and 'id="calculator-form"' in html
    assert '<section id="results" aria-live="polite"' in html
    assert '<option value="llama-3.1-70b" selected>' in html
    assert "<strong>Llama 3.1 70B</strong> on 2 × NVIDIA A100 80GB SXM4" in html
    for figure in key_figures(expected_estimate()):
        assert figure in html
    assert "HX-Request" in response["Vary"]


def test_the_calculator_and_the_planner_open_on_the_same_model(client):
    assert DEFAULTS["model"] == PLAN_DEFAULTS["model"] == DEFAULT_MODEL == "llama-3.1-70b"
    plan = client.get("/plan/").content.decode()
    assert '<option value="llama-3.1-70b" selected>' in plan


def test_at_batch_max_the_ttft_reads_as_all_the_prompts_at_once(client):
    estimate = expected_estimate(batch="max")
    assert estimate.batch > 1
    html = client.get(f"{URL}?batch=max").content.decode()
    framing = f"all {fmt.format_count(estimate.batch)} prompts arriving at once"
    # In the headline tile and the performance card, each pointing at "Under load".
    tile = _element(html, 'id="figure-ttft"', "</dd>")
    assert framing in tile and 'href="#under-load">Under load</a>' in tile
    assert html.count(framing) == 2
    assert 'id="under-load"' in html
    # The figure itself is the answer's: every prompt of the batch prefilled at once.
    assert fmt.format_duration(estimate.prefill.seconds) in tile


def test_at_a_given_batch_the_ttft_has_no_framing(client):
    html = client.get(f"{URL}?batch=8").content.decode()
    assert "prompts arriving at once" not in html


def test_the_form_has_every_label_tied_to_its_input(client):
    html = client.get(URL).content.decode()
    for label, field in [
        ("Model", "model"),
        ("GPU", "gpu"),
        ("Number of GPUs", "gpus"),
        ("Batch size", "batch"),
        ("Sequence length", "seq_len"),
        ("Prompt tokens", "prompt"),
        ("Completion tokens", "completion"),
        ("Price", "provider"),
        ("Price basis", "pricing"),
        ("Purchase per server ($)", "purchase_usd"),
        ("GPUs per server", "gpus_per_server"),
        ("My own price per GPU-hour", "gpu_hourly_usd"),
        ("Weights precision", "weights"),
        ("KV-cache precision", "kv"),
        ("Engine", "engine"),
        ("Parallelism", "parallelism"),
    ]:
        assert f'<label for="id_{field}" class="form-label">{label}' in html
        assert f'id="id_{field}"' in html
        assert f'id="id_{field}_error"' in html
    assert "<legend>Advanced</legend>" in html
    assert "novalidate" in html and 'hx-swap="outerHTML"' in html


def test_an_htmx_post_returns_only_the_results_fragment(client):
    response = client.post(URL, inputs(batch=4), headers=HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="results" aria-live="polite"')
    assert "<html" not in html
    assert 'id="calculator-form"' not in html  # the form is never re-rendered
    assert "HX-Request" in response["Vary"]
    for figure in key_figures(expected_estimate(batch=4)):
        assert figure in html


def test_an_htmx_post_pushes_the_inputs_as_a_get_url(client):
    response = client.post(URL, inputs(batch=4, gpu_hourly_usd="2.5"), headers=HTMX)
    form = CalculatorForm(inputs(batch=4, gpu_hourly_usd="2.5"))
    assert form.is_valid()
    assert response["HX-Push-Url"] == f"/?{urlencode(form.inputs())}"
    assert "batch=4" in response["HX-Push-Url"]
    assert "price_gpu" not in response["HX-Push-Url"]


def test_a_post_without_htmx_renders_the_whole_page(client):
    response = client.post(URL, inputs(batch=4))
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" in html and 'id="calculator-form"' in html
    assert 'name="batch" value="4"' in html
    assert "HX-Push-Url" not in response
    assert "hx-swap-oob" not in html


def test_a_history_restore_request_gets_the_whole_page(client):
    headers = {**HTMX, "HX-History-Restore-Request": "true"}
    response = client.get(f"{URL}?{urlencode(inputs(batch=2))}", headers=headers)
    assert "<html" in response.content.decode()
    assert "HX-History-Restore-Request" in response["Vary"]


# Section: invalid input


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"prompt": "-1"}, "prompt", "Ensure this value is greater than or equal to 1."),
        (
            {"seq_len": "1200"},
            "seq_len",
            "Must be at least prompt + completion (1,500 tokens).",
        ),
        ({"batch": "abc"}, "batch", 'Enter a whole number or "max".'),
        ({"gpus": "0"}, "gpus", "Ensure this value is greater than or equal to 1."),
        ({"gpu_hourly_usd": "-2"}, "gpu_hourly_usd", "greater than or equal to 0"),
    ],
)
def test_invalid_input_answers_200_with_the_message_in_the_fragment(
    client, changes, field, message
):
    response = client.post(URL, inputs(**changes), headers=HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="results"')
    assert 'id="input-errors"' in html
    assert escape(message) in html
    # Next to the field, out of band; the form's inputs are not sent back.
    error = f'<div id="id_{field}_error" class="field-error invalid-feedback d-block has-error"'
    assert error in html
    assert "<input" not in html.split("</section>")[1]
    assert "HX-Push-Url" not in response


def test_invalid_input_without_htmx_keeps_everything_the_user_typed(client):
    response = client.post(URL, inputs(prompt="-1", completion="700", batch="3"))
    html = response.content.decode()
    assert 'name="prompt" value="-1"' in html
    assert 'name="completion" value="700"' in html
    assert 'name="batch" value="3"' in html
    assert "greater than or equal to 1" in html
    assert 'aria-invalid="true"' in html


def test_a_valid_response_clears_every_field_message(client):
    html = client.post(URL, inputs(), headers=HTMX).content.decode()
    cleared = '<div id="id_prompt_error" class="field-error invalid-feedback d-block"'
    assert f'{cleared} hx-swap-oob="true"></div>' in html


# Section: the GET query string is the state


def test_a_get_query_string_round_trips(client):
    pushed = client.post(
        URL, inputs(model="llama-3.1-8b", gpu="h100-sxm", gpus=1, batch=8), headers=HTMX
    )["HX-Push-Url"]
    response = client.get(pushed)
    html = response.content.decode()
    assert 'name="batch" value="8"' in html
    assert '<option value="llama-3.1-8b" selected>' in html
    assert '<option value="h100-sxm" selected>' in html
    estimate = expected_estimate(model="llama-3.1-8b", gpu="h100-sxm", gpus=1, batch=8)
    for figure in key_figures(estimate):
        assert figure in html


def test_a_short_query_string_takes_the_other_inputs_from_the_defaults(client):
    html = client.get(f"{URL}?model=llama-3-8b&gpus=1").content.decode()
    assert '<option value="llama-3-8b" selected>' in html
    assert 'name="prompt" value="1000"' in html
    for figure in key_figures(expected_estimate(model="llama-3-8b", gpus=1)):
        assert figure in html


# FP8: at FP16, 405B does not fit on 8 x H100 and the page shows no speed or cost.
API_QUERY = "model=llama-3.1-405b&gpu=h100-sxm&gpus=8&prompt=2000&completion=300&weights=fp8"


def test_an_api_query_string_opens_on_the_same_estimate_as_the_api(client):
    # The API asks for a batch; the page's default is 1.
    api = client.get(f"/api/estimate?{API_QUERY}&batch=1").json()
    response = client.get(f"{URL}?{API_QUERY}")
    html = response.content.decode()
    assert 'id="input-errors"' not in html
    assert 'name="seq_len" value=""' in html  # empty: prompt + completion
    assert api["seq_len"] == 2300  # prompt + completion
    figures = [
        fmt.format_duration(api["prefill"]["seconds"]),
        fmt.format_duration(api["decode"]["seconds_per_token"]),
        fmt.format_tokens_per_second(api["decode"]["tokens_per_second"]),
        fmt.format_usd(api["cost"]["usd_per_1m_output_tokens"]),
        f"sequence length {fmt.format_count(api['seq_len'])} tokens",
    ]
    for figure in figures:
        assert figure in html


def test_an_empty_sequence_length_stays_empty_in_the_pushed_url(client):
    response = client.post(URL, inputs(seq_len=""), headers=HTMX)
    assert "seq_len=&" in response["HX-Push-Url"]


def test_a_bad_query_string_shows_the_errors_and_the_values(client):
    response = client.get(f"{URL}?{urlencode(inputs(prompt='abc'))}")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'name="prompt" value="abc"' in html
    assert "Enter a whole number." in html


# Section: linked fields (the GPU's price, the model's context)


def test_the_price_field_shows_the_offer_price_that_applies(client):
    price = expected_price()
    assert price.basis == "cheapest_offer"
    html = client.get(URL).content.decode()
    assert f'placeholder="{price.usd_per_gpu_hour:.2f} ({price.provider})"' in html
    assert (
        'id="price-source"' in html and f"{fmt.format_usd(price.usd_per_gpu_hour)}/GPU-hour" in html
    )
    assert f"{price.provider} {price.instance_type}" in html


def test_picking_another_gpu_clears_the_price_typed_for_the_old_one(client):
    data = inputs(gpu="h100-sxm", gpu_hourly_usd="2.5", price_gpu="a100-80gb-sxm")
    html = client.post(URL, data, headers=HTMX).content.decode()
    assert '<div id="div_id_gpu_hourly_usd" class="mb-3 calc-field" hx-swap-oob="true">' in html
    price = expected_price(gpu="h100-sxm")
    assert f'placeholder="{price.usd_per_gpu_hour:.2f} ({price.provider})"' in html
    assert 'type="number" name="gpu_hourly_usd" min="0"' in html  # no value: cleared
    hidden = '<input type="hidden" id="price_gpu" name="price_gpu" value="h100-sxm"'
    assert f'{hidden} hx-swap-oob="true">' in html
    assert f"{fmt.format_usd(price.usd_per_gpu_hour)}/GPU-hour" in html


def test_a_typed_price_for_the_same_gpu_is_used_and_never_sent_back(client):
    html = client.post(URL, inputs(gpu_hourly_usd="2.5"), headers=HTMX).content.decode()
    assert "div_id_gpu_hourly_usd" not in html
    assert "$2.50/GPU-hour" in html and "as entered" in html


def test_picking_another_model_updates_the_sequence_length_limit(client):
    data = inputs(model="llama-3.1-8b", context_model="llama-2-70b", seq_len="3000")
    html = client.post(URL, data, headers=HTMX).content.decode()
    assert '<div id="div_id_seq_len" class="mb-3 calc-field" hx-swap-oob="true">' in html
    assert 'name="seq_len" value="3000"' in html
    assert 'max="131072"' in html and "up to 131,072" in html
    assert "div_id_gpu_hourly_usd" not in html
    same_model = client.post(URL, inputs(), headers=HTMX).content.decode()
    assert "div_id_seq_len" not in same_model


# Section: the results


def test_the_results_show_memory_fit_performance_and_cost(client):
    estimate = expected_estimate()
    html = client.get(URL).content.decode()
    assert "✓ Fits" in html
    assert f"{estimate.memory.max_batch} sequences" in html
    assert '<svg class="memory-bar"' in html
    for label in ["Weights", "KV cache", "Activations", "Runtime overhead", "Free"]:
        assert f"{label} <strong>" in html
    assert fmt.format_bytes(estimate.memory.weights_bytes_per_gpu) in html
    assert f"{estimate.prefill.bound}-bound" in html
    assert f"{estimate.decode.bound}-bound" in html
    for value in [
        estimate.cost.total_usd,
        estimate.cost.usd_per_1k_tokens,
        estimate.cost.usd_per_hour,
    ]:
        assert fmt.format_usd(value) in html


def _element(html: str, marker: str, end: str) -> str:
    """The HTML from `marker` to the first `end` after it."""
    begin = html.index(marker)
    return html[begin : html.index(end, begin)]


def _fits_instead(**changes) -> dict | None:
    form = CalculatorForm(inputs(**changes))
    assert form.is_valid(), form.errors
    return answer(form).fits_instead


def test_a_workload_that_does_not_fit_says_what_would_fit_and_shows_no_speed_or_cost(client):
    # Llama 3.1 70B at FP16 (~141 GB) on one A100 80GB: 2 of them, or 8-bit on one
    # (the A100 has no FP8 maths: INT8).
    estimate = expected_estimate(gpus=1)
    assert not estimate.memory.fits
    assert _fits_instead(gpus=1) == {"gpus": 2, "weights": "int8"}
    html = client.get(f"{URL}?gpus=1").content.decode()
    assert "✗ Does not fit" in html
    instead = _element(html, 'id="fits-instead"', "</p>")
    assert "<strong>2 × NVIDIA A100 80GB SXM4</strong> at FP16" in instead
    assert (
        "or <strong>1 × NVIDIA A100 80GB SXM4</strong> at <strong>INT8</strong> weights" in instead
    )
    assert "Over capacity" in html
    assert 'class="capacity-line"' in html
    # No speed or cost: no key figures, no performance or cost card, no API comparison.
    for absent in ('id="key-figures"', 'id="performance-title"', 'id="cost-title"', 'id="apis"'):
        assert absent not in html
    for figure in key_figures(estimate):
        assert figure not in html
    # The phone's strip says it does not fit and shows no figures either.
    strip = _element(html, 'id="compact-summary"', "</div>")
    assert "No fit" in strip and "TTFT" not in strip


def test_a_misfit_with_no_narrower_precision_says_so(client):
    # Already at 4 bits: only more GPUs would do (Llama 3.1 405B on one A100).
    assert _fits_instead(model="llama-3.1-405b", gpus=1, weights="int4") == {
        "gpus": 4,
        "weights": None,
    }
    html = client.get(f"{URL}?model=llama-3.1-405b&gpus=1&weights=int4").content.decode()
    assert "<strong>4 × NVIDIA A100 80GB SXM4</strong> at INT4." in html
    assert "No narrower precision fits on 1 × NVIDIA A100 80GB SXM4." in html
    assert 'id="key-figures"' not in html


def test_a_configuration_that_fits_has_no_fits_instead(client):
    assert _fits_instead() is None
    html = client.get(URL).content.decode()
    assert 'id="fits-instead"' not in html
    assert 'id="key-figures"' in html and 'id="cost-title"' in html


def test_warnings_are_shown(client):
    # Llama 2 70B's context is 4,096 tokens: a longer sequence is a warning.
    estimate = expected_estimate(model="llama-2-70b", seq_len=8192)
    assert estimate.warnings
    html = client.get(f"{URL}?model=llama-2-70b&seq_len=8192").content.decode()
    assert 'id="warnings"' in html
    for warning in estimate.warnings:
        assert escape(warning) in html


def fragment_url(html: str, section_id: str) -> str:
    """The URL a lazy section of the results loads from."""
    match = re.search(rf'id="{section_id}"\s+hx-get="([^"]+)"', html)
    assert match, f"no lazy #{section_id}"
    return unescape(match.group(1))


def fragment(client, section_id: str, **changes):
    """Answer a keystroke, then fetch one of its lazy sections as the browser would."""
    html = client.post(URL, inputs(**changes), headers=HTMX).content.decode()
    return client.get(fragment_url(html, section_id), headers=HTMX)


def test_a_keystroke_renders_the_headline_and_leaves_the_rest_to_fragments(client):
    html = client.post(URL, inputs(), headers=HTMX).content.decode()
    assert 'id="key-figures"' in html and 'id="memory-title"' in html
    assert 'id="performance-title"' in html and 'id="cost-title"' in html
    # The costly sections are placeholders that load themselves when scrolled into view.
    for section in ("apis", "batch-charts", "compare-gpus"):
        assert fragment_url(html, section).startswith("/fragments/")
    assert '<svg class="chart-svg"' not in html
    assert 'id="gpu-comparison"' not in html and 'id="api-comparison"' not in html
    assert "math-steps" not in html  # the trace loads when "Show the math" is opened


def test_a_keystroke_keeps_the_save_form_and_refreshes_its_compare_link(client):
    html = client.post(URL, inputs(batch=4), headers=HTMX).content.decode()
    stub = re.search(r'<section id="save-scenario"[^>]*>', html).group(0)
    assert 'hx-preserve="true"' in stub and 'hx-get="/scenarios/save-form"' in stub
    assert 'id="scenario-name"' not in html  # what the user typed there stays
    assert '<span id="compare-saved" hx-swap-oob="true">' in html
    assert "batch=4" in html[html.index('id="compare-saved"') :]


def test_a_fragment_is_cacheable_and_keyed_by_the_query_string(client):
    html = client.post(URL, inputs(batch=4), headers=HTMX).content.decode()
    url = fragment_url(html, "batch-charts")
    assert url.startswith("/fragments/charts?") and "batch=4" in url and "cv=" in url
    response = client.get(url)
    assert response.status_code == 200
    assert "public" in response["Cache-Control"] and "max-age=86400" in response["Cache-Control"]
    assert "<html" not in response.content.decode()


def test_a_fragment_url_changes_with_the_catalog(client):
    before = fragment_url(client.get(URL).content.decode(), "compare-gpus")
    gpu = GpuType.objects.get(slug="h100-sxm")
    gpu.hourly_price_usd = 9
    gpu.save()
    after = fragment_url(client.get(URL).content.decode(), "compare-gpus")
    assert before != after


def test_a_fragment_for_another_catalog_version_is_not_cached(client):
    response = client.get("/fragments/charts?" + urlencode(inputs(cv="stale")))
    assert response.status_code == 200 and "chart-throughput" in response.content.decode()
    assert response["Cache-Control"] == "no-cache"


def test_a_fragment_with_invalid_inputs_answers_200_with_the_reason(client):
    response = client.get("/fragments/charts?" + urlencode(inputs(prompt="0")))
    assert response.status_code == 200
    assert "greater than or equal to 1" in response.content.decode()


def test_fragments_are_get_only(client):
    assert client.post("/fragments/charts", inputs()).status_code == 405


def test_the_api_table_lists_every_active_offering_when_asked(client):
    page = client.get(URL, {**DEFAULTS, "apis": "all"}).content.decode()
    url = fragment_url(page, "apis")
    assert "apis=all" in url
    response = client.get(url)
    html = response.content.decode()
    assert "Versus commercial APIs" in html
    assert len(response.context["api_rows"]) == ApiOffering.objects.active().count()
    for row in response.context["api_rows"]:
        assert escape(row["title"]) in html
    assert "GPT-3.5 Turbo" in html
    assert response.context["api_rows"][0]["same_model"]  # hosted Llama 2 70B first
    assert response.context["api_rows_hidden"] == 0
    # A scrolling region a keyboard can reach.
    assert 'class="table-responsive api-table" tabindex="0" role="region"' in html


def test_the_api_table_lists_the_models_own_offerings_and_the_references(client):
    response = fragment(client, "apis")
    estimate = expected_estimate()
    rows = response.context["api_rows"]
    assert len(rows) == len(estimate.api_comparison)
    assert all(row["same_model"] or row["reference"] for row in rows)
    hidden = ApiOffering.objects.active().count() - len(rows)
    assert response.context["api_rows_hidden"] == hidden
    html = response.content.decode()
    assert f"Show all ({hidden:,} more" in html
    assert 'hx-get="/fragments/apis?' in html and "apis=all" in html


def test_the_gpu_comparison_lists_active_gpus_sorted_by_cost(client):
    response = fragment(client, "compare-gpus")
    rows = response.context["gpu_options"]
    active = set(GpuType.objects.active().values_list("slug", flat=True))
    assert {row.gpu.slug for row in rows} == active
    costs = [
        row.estimate.cost.usd_per_1m_output_tokens
        for row in rows
        if row.estimate and row.estimate.cost.usd_per_1m_output_tokens is not None
    ]
    assert costs == sorted(costs) and len(costs) >= 2
    priced = [bool(row.estimate and row.estimate.cost.usd_per_1m_output_tokens) for row in rows]
    assert priced == sorted(priced, reverse=True)  # no price last
    current = [row for row in rows if row.current]
    assert [row.gpu.slug for row in current] == ["a100-80gb-sxm"]
    assert current[0].num_gpus == 2
    html = response.content.decode()
    assert 'class="current-row" aria-current="true"' in html
    assert "your choice" in html


def test_the_charts_render_svg_with_the_current_batch_marked(client):
    response = fragment(client, "batch-charts", batch=4)
    html = response.content.decode()
    charts = response.context["charts"]
    assert [chart.slug for chart in charts] == ["throughput", "per-sequence", "cost"]
    for chart in charts:
        assert chart.current is not None and chart.current.label.startswith("batch 4:")
        assert f'id="chart-{chart.slug}"' in html
    assert html.count('<svg class="chart-svg"') == 3
    assert html.count('class="current-point"') == 3
    assert '<title id="chart-throughput-title">Total throughput against batch size</title>' in html
    assert "Yours: batch 4:" in html


def test_show_the_math_lists_the_trace_formula_by_formula(client):
    estimate = expected_estimate()
    page = client.get(URL).content.decode()
    assert "<summary" in page and "Show the math" in page
    html = client.get(fragment_url(page, "show-the-math")).content.decode()
    assert estimate.trace
    for step in estimate.trace:
        assert escape(step.formula) in html
        assert escape(step.substituted) in html


def test_the_accuracy_statement_is_shown(client):
    html = client.get(URL).content.decode()
    rows = calibration_report.accuracy_summary()["rows"]
    assert f"Calibrated on {rows} published measurements" in html
    assert "Time to first token: " in html
    assert 'id="accuracy"' in html


def test_each_headline_figure_says_how_far_off_it_is_likely_to_be(client):
    html = client.get(URL).content.decode()
    tile = html[html.index('id="figure-tpot"') :]
    tile = tile[: tile.index("</dd>")]
    assert "likely " in tile and "–" in tile
    assert "measurements like this" in tile or "nothing like this was measured" in tile
    # End to end has no band of its own.
    tile = html[html.index('id="figure-end_to_end"') :]
    assert "likely" not in tile[: tile.index("</dd>")]


def test_the_accuracy_statement_says_how_often_the_bands_held(client):
    html = client.get(URL).content.decode()
    coverage = calibration_report.accuracy_summary()["band_coverage"]
    statement = html[html.index('id="band-coverage"') :]
    for c in coverage.values():
        assert f"of {c['rows']}" in statement
