"""Saved scenarios: save, permalink, list, compare and export."""

from __future__ import annotations

import csv
import datetime
import io
import json
import re
from decimal import Decimal

import pytest
from django.db.models import Q
from django.urls import reverse
from django.utils.html import escape

from calculator import estimator, snapshots
from calculator.answers.estimate import DEFAULTS, answer
from calculator.figures import differs
from calculator.forms import CalculatorForm
from calculator.models import ApiOffering, CloudOffer, GpuType, LlmModel, Scenario
from calculator.templatetags.calc_format import format_duration, format_usd
from calculator.views.scenarios import _calculator_url

pytestmark = pytest.mark.django_db

SAVE_URL = reverse("calculator:scenario-save")
HTMX = {"HX-Request": "true"}
NASTY = '<script>alert("x")</script>'
ESCAPED = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"


def save_data(**overrides) -> dict:
    return {
        **DEFAULTS,
        "model": "llama-2-70b",
        "name": "Llama 2 70B on 2 × A100",
        "notes": "",
        **overrides,
    }


def detail_url(scenario: Scenario) -> str:
    return reverse("calculator:scenario-detail", args=[scenario.public_id])


# Section: saving


def test_saving_creates_one_scenario_with_its_inputs_results_and_snapshot(client):
    response = client.post(SAVE_URL, save_data(notes="For the Q3 budget"))

    scenario = Scenario.objects.get()
    assert response.status_code == 302
    assert scenario.name == "Llama 2 70B on 2 × A100"
    assert scenario.notes == "For the Q3 budget"
    form = CalculatorForm({**DEFAULTS, "model": "llama-2-70b"})
    assert form.is_valid()
    assert scenario.inputs == form.inputs()
    assert scenario.estimator_version == estimator.ESTIMATOR_VERSION
    assert scenario.results["estimator_version"] == estimator.ESTIMATOR_VERSION
    assert scenario.results["decode"]["tokens_per_second"] > 0
    a100 = GpuType.objects.get(slug="a100-80gb-sxm")
    assert scenario.snapshot["estimator_version"] == estimator.ESTIMATOR_VERSION
    assert scenario.snapshot["gpu"]["slug"] == "a100-80gb-sxm"
    assert scenario.snapshot["gpu"]["hourly_usd"] == float(a100.hourly_price_usd)
    assert scenario.snapshot["gpu"]["price_as_of"] == a100.price_as_of.isoformat()
    assert scenario.snapshot["gpu"]["memory_bandwidth_gb_s"] == a100.memory_bandwidth_gb_s
    assert scenario.snapshot["model"]["num_layers"] == 80
    assert scenario.snapshot["engine"]["slug"] == "vllm"
    # The model's own hosted offerings and the closed reference models, as the page shows.
    compared = ApiOffering.objects.active().filter(
        Q(llm_model__slug="llama-2-70b") | Q(is_reference=True)
    )
    assert len(scenario.snapshot["apis"]) == compared.count()
    assert all("price_as_of" in api for api in scenario.snapshot["apis"])  # None: undated
    price = scenario.snapshot["price"]
    assert price["basis"] == "cheapest_offer"
    assert price["provider"] and price["instance_type"]
    assert scenario.results["cost"]["offer"] == price
    assert scenario.gpu == a100
    assert scenario.llm_model == LlmModel.objects.get(slug="llama-2-70b")


def test_the_public_id_is_random_url_safe_and_not_the_primary_key(make_scenario):
    first, second = make_scenario(), make_scenario()

    assert first.public_id != second.public_id
    for scenario in (first, second):
        assert re.fullmatch(r"[A-Za-z0-9_-]{11,16}", scenario.public_id)
        assert scenario.public_id != str(scenario.pk)
        assert scenario.get_absolute_url() == f"/s/{scenario.public_id}/"


def test_a_public_id_collision_is_retried(make_scenario, monkeypatch):
    taken = make_scenario().public_id
    ids = iter([taken, "fresh-id-1234"])
    monkeypatch.setattr(snapshots, "make_public_id", lambda: next(ids))

    scenario = make_scenario()

    assert scenario.public_id == "fresh-id-1234"
    assert Scenario.objects.count() == 2


def test_saving_without_javascript_redirects_to_the_permalink(client):
    response = client.post(SAVE_URL, save_data())

    scenario = Scenario.objects.get()
    assert response.status_code == 302
    assert response["Location"] == scenario.get_absolute_url()
    assert response["Location"] == f"/s/{scenario.public_id}/"


def test_saving_with_htmx_answers_the_permalink_fragment(client):
    response = client.post(SAVE_URL, save_data(), headers=HTMX)

    scenario = Scenario.objects.get()
    assert response.status_code == 200
    assert b"<html" not in response.content
    assert f'value="http://testserver/s/{scenario.public_id}/"' in response.text
    assert "Copy link" in response.text
    assert "HX-Request" in response["Vary"]


def test_saving_without_a_name_shows_the_error_and_saves_nothing(client):
    response = client.post(SAVE_URL, save_data(name="  "), headers=HTMX)

    assert response.status_code == 200
    assert "This field is required." in response.text
    assert Scenario.objects.count() == 0


def test_saving_with_invalid_calculator_inputs_shows_the_errors_and_saves_nothing(client):
    response = client.post(SAVE_URL, save_data(gpus="0", gpu="no-such-gpu"), headers=HTMX)

    assert response.status_code == 200
    assert "can’t be saved" in response.text
    assert "Number of GPUs: Ensure this value is greater than or equal to 1." in response.text
    assert "GPU: Select a valid choice." in response.text
    assert Scenario.objects.count() == 0


def test_saving_input_the_estimator_rejects_shows_its_reason_and_saves_nothing(client):
    # Pipeline parallel splits layers across GPUs: Llama 3.2 1B has 16 layers.
    data = save_data(model="llama-3.2-1b", gpus="32", parallelism="pipeline")

    response = client.post(SAVE_URL, data, headers=HTMX)

    assert response.status_code == 200
    assert "can’t be saved" in response.text
    assert Scenario.objects.count() == 0


def test_invalid_input_without_javascript_shows_a_page_with_the_errors(client):
    response = client.post(SAVE_URL, save_data(name=""))

    assert response.status_code == 200
    assert b"<html" in response.content
    assert "This field is required." in response.text
    assert Scenario.objects.count() == 0


def test_notes_beyond_the_limit_are_refused(client):
    response = client.post(SAVE_URL, save_data(notes="x" * 5001), headers=HTMX)

    assert "Ensure this value has at most 5000 characters" in response.text
    assert Scenario.objects.count() == 0


def test_saving_is_post_only(client):
    assert client.get(SAVE_URL).status_code == 405


def test_the_calculator_page_offers_the_save_form(client):
    response = client.get(reverse("calculator:calculator"))

    assert 'id="save-scenario"' in response.text
    assert f'hx-post="{SAVE_URL}"' in response.text
    assert 'hx-include="#calculator-form"' in response.text
    assert '<input type="hidden" name="gpu" value="a100-80gb-sxm">' in response.text


def test_a_blank_save_form_comes_back_for_the_current_inputs(client):
    response = client.get("/scenarios/save-form", {**DEFAULTS, "batch": "8"})
    assert response.status_code == 200
    assert '<section id="save-scenario"' in response.text
    assert 'id="scenario-name"' in response.text
    assert "batch=8" in response.text  # the compare link follows the inputs


def test_a_saved_scenario_answers_under_another_id(client):
    response = client.post(SAVE_URL, save_data(), headers={"HX-Request": "true"})
    assert '<section id="save-scenario-saved"' in response.text


# Section: permalink


def test_the_permalink_shows_the_scenario_as_saved(client, make_scenario):
    scenario = make_scenario(notes="Budget line 4")

    response = client.get(detail_url(scenario))

    assert response.status_code == 200
    assert scenario.name in response.text
    assert "Budget line 4" in response.text
    created = scenario.created_at.strftime("%-d %B %Y")
    assert f"Prices and specs as of {created}" in response.text
    assert format_duration(scenario.results["prefill"]["seconds"]) in response.text
    assert format_usd(scenario.results["cost"]["total_usd"]) in response.text
    assert scenario.snapshot["gpu"]["price_as_of"] in response.text
    assert "Today’s catalog and estimator give the same figures." in response.text
    assert "Today’s catalog gives different numbers" not in response.text
    assert response["X-Robots-Tag"] == "noindex"


def _section(html: str, start: str) -> str:
    """The HTML from `start` to the end of the element it opens (no nesting of its tag)."""
    tag = start[1 : start.index(" ")]
    begin = html.index(start)
    return html[begin : html.index(f"</{tag}>", begin)]


SHARED_SECTIONS = (
    '<dl class="stat-tiles" id="key-figures">',
    '<p class="verdict',
    '<section class="results-block" aria-labelledby="memory-title">',
    '<section class="results-block" aria-labelledby="performance-title">',
    '<section class="results-block" aria-labelledby="cost-title">',
)
SHOWN_WHEN_IT_DOES_NOT_FIT = SHARED_SECTIONS[1:3]


@pytest.mark.parametrize(
    "inputs",
    [
        {},
        {"gpus": "1"},  # does not fit
        {"model": "llama-3.1-8b", "gpu": "h100-sxm", "gpus": "1", "batch": "max"},
        {"gpu_hourly_usd": "2.5", "seq_len": "4096", "weights": "fp8"},
    ],
)
def test_the_permalink_draws_the_results_as_the_calculator_does(client, make_scenario, inputs):
    scenario = make_scenario(**inputs)
    page = client.get(_calculator_url(scenario.inputs)).content.decode()
    permalink = client.get(detail_url(scenario)).content.decode()
    # At batch "max", the TTFT points at "Under load": the page's own section, or the
    # calculator's for these inputs from the permalink (which has none).
    under_load = re.escape(escape(_calculator_url(scenario.inputs))) + "#under-load"
    assert ("prompts arriving at once" in permalink) == (inputs.get("batch") == "max")
    permalink = re.sub(f'href="{under_load}"', 'href="#under-load"', permalink)
    # A configuration that does not fit has only its verdict and memory, on both.
    fits = scenario.results["memory"]["fits"]
    for start in SHARED_SECTIONS:
        shown = fits or start in SHOWN_WHEN_IT_DOES_NOT_FIT
        assert (start in page) is shown and (start in permalink) is shown
        if shown:
            assert _section(page, start) == _section(permalink, start)


def _lazy_url(html: str, section_id: str) -> str:
    match = re.search(rf'id="{section_id}"\s+hx-get="([^"]+)"', html)
    assert match, f"no lazy #{section_id}"
    return match.group(1)


def test_the_permalink_shows_the_saved_trace_and_api_table(client, make_scenario):
    scenario = make_scenario()
    html = client.get(detail_url(scenario)).text
    assert "Prompt processing" in html and "Prefill throughput" not in html
    # The saved trace, when "show the math" is opened.
    trace = client.get(_lazy_url(html, "show-the-math"))
    assert scenario.results["trace"]
    for step in scenario.results["trace"]:
        assert escape(step["formula"]) in trace.text
    # The saved API table, when it scrolls into view.
    apis = client.get(_lazy_url(html, "apis"))
    assert 'id="api-comparison"' in apis.text
    assert "same model" in apis.text  # the snapshot says which offering serves this model
    assert "max-age=604800" in apis["Cache-Control"]
    assert "<html" not in apis.text


def test_a_permalink_section_that_does_not_exist_is_a_404(client, make_scenario):
    scenario = make_scenario()
    assert client.get(f"{detail_url(scenario)}fragments/nope").status_code == 404
    assert client.get("/s/no-such-id1/fragments/apis").status_code == 404


def test_an_unknown_id_is_a_404(client, make_scenario):
    scenario = make_scenario()

    assert client.get("/s/no-such-id1/").status_code == 404
    assert client.get(f"/s/{scenario.pk}/").status_code == 404


def test_a_catalog_price_change_in_the_admin_leaves_the_saved_figures_and_shows_both(
    client, make_scenario, changelist_edit
):
    CloudOffer.objects.filter(gpu__slug="a100-80gb-sxm").delete()  # the catalog price applies
    scenario = make_scenario()
    saved_results = scenario.results
    saved_cost = format_usd(saved_results["cost"]["usd_per_1m_output_tokens"])

    response = changelist_edit(
        GpuType, "a100-80gb-sxm", hourly_price_usd="2.9", price_as_of="2026-06-01"
    )
    assert response.status_code == 302
    assert GpuType.objects.get(slug="a100-80gb-sxm").hourly_price_usd == Decimal("2.9")

    page = client.get(detail_url(scenario)).text
    scenario.refresh_from_db()
    now = CalculatorForm(scenario.inputs)
    assert now.is_valid()
    now_cost = format_usd(answer(now).estimate.cost.usd_per_1m_output_tokens)
    assert scenario.results == saved_results
    assert "Today’s catalog gives different numbers" in page
    assert saved_cost in page
    assert now_cost in page
    assert saved_cost != now_cost
    assert "Price per GPU-hour (USD): $1.79 → $2.90" in page
    assert "Price as of: 2025-01-01 → 2026-06-01" in page


def test_a_new_estimator_version_counts_as_different(client, make_scenario):
    scenario = make_scenario()
    Scenario.objects.filter(pk=scenario.pk).update(estimator_version="0.9.0")
    results = {**scenario.results, "estimator_version": "0.9.0"}
    Scenario.objects.filter(pk=scenario.pk).update(results=results)

    page = client.get(detail_url(scenario)).text

    assert "Today’s catalog gives different numbers" in page
    assert "0.9.0" in page


def test_deleting_the_gpu_and_model_keeps_the_permalink_working(client, make_scenario):
    scenario = make_scenario()
    tokens_per_second = scenario.results["decode"]["tokens_per_second"]

    GpuType.objects.get(slug="a100-80gb-sxm").delete()
    LlmModel.objects.get(slug="llama-2-70b").delete()

    response = client.get(detail_url(scenario))
    scenario.refresh_from_db()
    assert response.status_code == 200
    assert scenario.gpu is None and scenario.llm_model is None
    assert scenario.results["decode"]["tokens_per_second"] == tokens_per_second
    assert "NVIDIA A100 80GB SXM4" in response.text
    assert "Llama 2 70B" in response.text
    assert "is no longer offered in the calculator" in response.text
    assert client.get(reverse("calculator:scenario-list")).status_code == 200
    assert client.get(f"/s/{scenario.public_id}.json").status_code == 200


def test_a_deactivated_gpu_is_named_in_the_notice(client, make_scenario):
    scenario = make_scenario()
    GpuType.objects.filter(slug="a100-80gb-sxm").update(is_active=False)

    page = client.get(detail_url(scenario)).text

    assert "GPU “NVIDIA A100 80GB SXM4” is no longer offered in the calculator" in page


def test_recalculate_drops_the_typed_price_and_duplicate_keeps_it(client, make_scenario):
    scenario = make_scenario(gpu_hourly_usd="2.5")

    response = client.get(detail_url(scenario))

    recalculate = response.context["recalculate_url"]
    duplicate = response.context["duplicate_url"]
    assert recalculate.startswith(reverse("calculator:calculator") + "?")
    assert "gpu_hourly_usd=&" in recalculate
    assert "gpu_hourly_usd=2.5" in duplicate
    assert "model=llama-2-70b" in duplicate and "gpus=2" in duplicate
    assert client.get(duplicate).status_code == 200
    assert "it drops the $2.50/h you entered" in response.text


def test_names_and_notes_are_escaped_everywhere(client, make_scenario):
    scenario = make_scenario(name=NASTY, notes=NASTY)
    other = make_scenario(name="plain")
    pages = [
        client.get(detail_url(scenario)),
        client.get(reverse("calculator:scenario-list")),
        client.get(
            reverse("calculator:scenario-compare"),
            {"s": [scenario.public_id, other.public_id]},
        ),
        client.post(SAVE_URL, save_data(name=NASTY), headers=HTMX),
    ]
    for response in pages:
        assert NASTY not in response.text
        assert ESCAPED in response.text


# Section: list


def test_the_list_shows_scenarios_newest_first_with_headline_figures(client, make_scenario):
    older = make_scenario(name="Older")
    newer = make_scenario(name="Newer", model="llama-3.1-8b", gpu="h100-sxm", gpus="1")

    response = client.get(reverse("calculator:scenario-list"))

    text = response.text
    assert text.index("Newer") < text.index("Older")
    assert "1 × NVIDIA H100" in text
    assert "Llama 3.1 8B" in text
    assert format_usd(newer.results["cost"]["usd_per_1m_output_tokens"]) in text
    assert format_usd(older.results["cost"]["usd_per_1m_output_tokens"]) in text
    assert f'value="{newer.public_id}"' in text


def test_the_list_searches_by_name(client, make_scenario):
    make_scenario(name="Chatbot on A100")
    make_scenario(name="Batch summaries")

    response = client.get(reverse("calculator:scenario-list"), {"q": "chatBOT"})

    assert "Chatbot on A100" in response.text
    assert "Batch summaries" not in response.text


def test_the_list_is_paginated(client, make_scenario):
    first = make_scenario(name="Scenario 0")
    Scenario.objects.bulk_create(
        Scenario(
            name=f"Scenario {i}",
            inputs=first.inputs,
            snapshot=first.snapshot,
            results=first.results,
            estimator_version=first.estimator_version,
        )
        for i in range(1, 27)
    )

    page_one = client.get(reverse("calculator:scenario-list"))
    page_two = client.get(reverse("calculator:scenario-list"), {"page": 2})

    assert len(page_one.context["page"].object_list) == 25
    assert len(page_two.context["page"].object_list) == 2
    assert "Page 2 of 2" in page_two.text


def test_the_list_carries_the_current_inputs_to_compare(client, make_scenario):
    make_scenario()
    response = client.get(reverse("calculator:scenario-list"), {**DEFAULTS, "current": "1"})

    assert "compare with your current calculator inputs" in response.text
    assert '<input type="hidden" name="current" value="1">' in response.text
    assert '<input type="hidden" name="gpu" value="a100-80gb-sxm">' in response.text


# Section: compare


def test_compare_shows_scenarios_side_by_side_with_differences_marked(client, make_scenario):
    one = make_scenario(name="Two A100")
    two = make_scenario(name="Four A100", gpus="4")

    response = client.get(
        reverse("calculator:scenario-compare"), {"s": [one.public_id, two.public_id]}
    )

    assert response.status_code == 200
    assert "Two A100" in response.text and "Four A100" in response.text
    rows = {row.label: row for row in response.context["input_rows"]}
    assert rows["Number of GPUs"].cells[1].differs
    assert not rows["Model"].cells[1].differs
    assert "≠" in response.text
    assert "table-warning" in response.text
    assert f"s={one.public_id}&amp;s={two.public_id}" in response.text  # its own URL


def test_compare_can_include_the_current_form(client, make_scenario):
    saved = make_scenario()

    response = client.get(
        reverse("calculator:scenario-compare"),
        {"s": saved.public_id, "current": "1", **DEFAULTS, "gpus": "4"},
    )

    columns = response.context["columns"]
    assert [c.label for c in columns] == [saved.name, "Current form"]
    assert columns[1].inputs["gpus"] == "4"
    assert "today’s prices" in response.text


def test_compare_with_an_unknown_id_is_a_404(client, make_scenario):
    saved = make_scenario()

    response = client.get(
        reverse("calculator:scenario-compare"), {"s": [saved.public_id, "nope-nope-no"]}
    )

    assert response.status_code == 404


def test_compare_with_one_column_asks_for_another(client, make_scenario):
    saved = make_scenario()

    response = client.get(reverse("calculator:scenario-compare"), {"s": saved.public_id})

    assert response.status_code == 200
    assert 'id="compare-too-few"' in response.text


def test_compare_shows_at_most_eight_columns(client, make_scenario):
    ids = [make_scenario(name=f"Scenario {i}", gpus=str(i + 1)).public_id for i in range(9)]

    response = client.get(reverse("calculator:scenario-compare"), {"s": ids})

    assert len(response.context["columns"]) == 8
    assert "Only the first 8 columns are shown." in response.text


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        (100.0, 100.4, False),  # within display rounding
        (100.0, 101.0, True),
        (True, False, True),
        (None, 1.0, True),
        ("1.0.0", "1.0.1", True),
        (0, 0.0, False),
    ],
)
def test_differs_ignores_rounding_noise(a, b, expected):
    assert differs(a, b) is expected


# Section: export


def test_the_json_export_round_trips_the_inputs(client, make_scenario):
    scenario = make_scenario(gpu_hourly_usd="2.5", batch="max")

    response = client.get(reverse("calculator:scenario-json", args=[scenario.public_id]))

    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        f'attachment; filename="scenario-{scenario.public_id}.json"'
    )
    data = json.loads(response.content)
    assert data["permalink"] == f"http://testserver/s/{scenario.public_id}/"
    assert data["snapshot"] == scenario.snapshot
    assert data["results"] == scenario.results
    form = CalculatorForm(data["inputs"])
    assert form.is_valid()
    assert form.inputs() == data["inputs"] == scenario.inputs


def test_the_csv_export_has_one_key_value_row_per_figure(client, make_scenario):
    scenario = make_scenario()

    response = client.get(reverse("calculator:scenario-csv", args=[scenario.public_id]))

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    rows = dict(csv.reader(io.StringIO(response.text)))
    assert rows["name"] == scenario.name
    assert rows["inputs.gpu"] == "a100-80gb-sxm"
    assert float(rows["results.decode.tokens_per_second"]) == pytest.approx(
        scenario.results["decode"]["tokens_per_second"]
    )
    assert rows["snapshot.gpu.price_as_of"] == scenario.snapshot["gpu"]["price_as_of"]


def test_the_list_csv_has_a_row_per_scenario_and_defuses_formulas(client, make_scenario):
    make_scenario(name='=HYPERLINK("http://evil")')
    make_scenario(name="Plain")

    response = client.get(reverse("calculator:scenario-list-csv"))

    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [row["name"] for row in rows] == ["Plain", '\'=HYPERLINK("http://evil")']
    assert rows[0]["model"] == "Llama 2 70B"
    assert rows[0]["permalink"].startswith("http://testserver/s/")
    assert float(rows[0]["usd_per_1m_output_tokens"]) > 0


def test_the_list_csv_follows_the_search(client, make_scenario):
    make_scenario(name="Chatbot")
    make_scenario(name="Summaries")

    response = client.get(reverse("calculator:scenario-list-csv"), {"q": "chat"})

    assert [row["name"] for row in csv.DictReader(io.StringIO(response.text))] == ["Chatbot"]


def test_exports_of_an_unknown_id_are_404s(client):
    assert client.get("/s/unknown-id12.json").status_code == 404
    assert client.get("/s/unknown-id12.csv").status_code == 404


def test_snapshot_dates_come_from_the_catalog(make_scenario):
    GpuType.objects.filter(slug="a100-80gb-sxm").update(price_as_of=datetime.date(2026, 3, 1))

    scenario = make_scenario()

    assert scenario.snapshot["gpu"]["price_as_of"] == "2026-03-01"


def test_an_offer_price_change_in_the_admin_is_named_by_provider_on_the_permalink(
    client, make_scenario, changelist_edit
):
    scenario = make_scenario()
    used = scenario.snapshot["price"]
    offer = CloudOffer.objects.get(
        gpu__slug="a100-80gb-sxm",
        provider=used["provider"],
        instance_name=used["instance_type"],
        region=used["region"],
    )
    response = changelist_edit(
        CloudOffer,
        offer.instance_name,
        key="instance_name",
        on_demand_usd_per_gpu_hour="9.99",
        as_of="2026-11-01",
    )
    assert response.status_code == 302
    offer.refresh_from_db()
    assert offer.on_demand_usd_per_gpu_hour == Decimal("9.99")

    page = client.get(detail_url(scenario)).text
    assert "Today’s catalog gives different numbers" in page
    old = format_usd(used["usd_per_gpu_hour"])
    # The cheapest offer may now be another provider's; either way the change is named.
    assert f"price · {used['provider']} {used['instance_type']}".lower() in page.lower()
    assert old in page


def test_the_permalink_names_the_offer_it_was_priced_from(client, make_scenario):
    scenario = make_scenario()
    price = scenario.snapshot["price"]
    page = client.get(detail_url(scenario)).text
    assert 'id="saved-price-offer"' in page
    assert f"{price['provider']} {price['instance_type']}" in page


def test_a_scenario_saved_before_error_bands_shows_its_figures_without_them(client, make_scenario):
    scenario = make_scenario()
    assert "confidence" in scenario.results
    scenario.results.pop("confidence")
    scenario.save()
    html = client.get(detail_url(scenario)).text
    assert 'id="figure-tpot"' in html
    assert 'class="likely' not in html


def test_the_list_csv_columns_keep_their_names_and_order(client, make_scenario):
    make_scenario()
    response = client.get(reverse("calculator:scenario-list-csv"))
    header = next(csv.reader(io.StringIO(response.text)))
    assert header == [
        *("public_id", "name", "created_at", "author", "model", "gpu", "gpus", "batch"),
        *("prompt_tokens", "completion_tokens", "weights", "engine", "fits", "ttft_s"),
        *("time_per_output_token_s", "output_tokens_per_s", "usd_per_hour", "cost_per_run_usd"),
        *("usd_per_1m_output_tokens", "gpu_price_as_of", "price_basis", "price_provider"),
        *("price_instance_type", "price_usd_per_gpu_hour", "price_as_of", "estimator_version"),
        *("notes", "permalink"),
    ]


def test_without_a_typed_price_one_link_recalculates_and_edits(client, make_scenario):
    # Recalculate and Duplicate would open the same URL: one link, not two.
    response = client.get(detail_url(make_scenario()))
    assert 'id="recalculate"' in response.text
    assert 'id="duplicate"' not in response.text
    with_price = client.get(detail_url(make_scenario(gpu_hourly_usd="2.5")))
    assert 'id="duplicate"' in with_price.text
    assert with_price.context["recalculate_url"] != with_price.context["duplicate_url"]
