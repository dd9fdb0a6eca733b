"""Cloud offers and API prices: the seed, the API, the page's price choice, the LiteLLM
import and the admin's bulk updates."""

from __future__ import annotations

import csv
import datetime
import importlib
import io
import json
import re
from decimal import Decimal
from html import unescape
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.urls import reverse

from calculator import litellm
from calculator.answers.estimate import DEFAULTS
from calculator.models import ApiOffering, CloudOffer, GpuType, LlmModel
from tests.seeded import seeded

pytestmark = pytest.mark.django_db

DATA = Path(settings.BASE_DIR) / "data"
OFFERS_CSV = DATA / "gpu_offers.csv"
PRICE_MAP = DATA / "api_prices_litellm.json"
SEED_PRICES = importlib.import_module("calculator.migrations.0010_seed_api_prices")
SEED_OFFERS = importlib.import_module("calculator.migrations.0009_seed_offers")


def estimate(client, **params):
    query = {
        "model": "llama-3.1-70b",
        "gpu": "h100-sxm",
        "gpus": "4",
        "batch": "8",
        "prompt": "1000",
        "completion": "500",
        **params,
    }
    return client.get("/api/estimate", query)


# Section: the seed


def test_every_row_of_the_offers_file_is_seeded_undated_with_its_source_and_notes():
    assert CloudOffer.objects.count() == len(SEED_OFFERS.OFFERS) == 221
    assert not CloudOffer.objects.exclude(as_of=None).exists()
    for offer in CloudOffer.objects.all():
        assert offer.source.startswith("skypilot-org/skypilot-catalog catalogs/v7/")
        assert offer.notes
        offer.full_clean()


def test_the_seeded_offers_match_the_csv():
    with open(OFFERS_CSV, newline="") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        offer = CloudOffer.objects.get(
            gpu__slug=row["gpu_slug"],
            provider=row["provider"],
            instance_name=row["instance_type"],
            region=row["region"],
        )
        assert offer.on_demand_usd_per_gpu_hour == Decimal(row["on_demand_usd_per_gpu_hour"])
        spot = row["spot_usd_per_gpu_hour"]
        assert offer.spot_usd_per_gpu_hour == (Decimal(spot) if spot else None)
        assert offer.notes == row["notes"]


def test_the_runpod_l40s_oddity_is_kept_in_its_notes():
    for offer in seeded(CloudOffer.objects.filter(gpu__slug="l40s", provider="runpod")):
        assert "ANOMALY" in offer.notes and "columns look swapped" in offer.notes
        assert offer.spot_usd_per_gpu_hour > offer.on_demand_usd_per_gpu_hour  # as published


def test_the_seeded_price_flags_match_the_csv_column():
    with open(OFFERS_CSV, newline="") as handle:
        rows = list(csv.DictReader(handle))
    flagged = {r["price_flag"] for r in rows} - {""}
    assert flagged == {"auction", "marketplace", "unverified"}
    for row in rows:
        offer = CloudOffer.objects.get(
            gpu__slug=row["gpu_slug"],
            provider=row["provider"],
            instance_name=row["instance_type"],
            region=row["region"],
        )
        assert offer.price_flag == row["price_flag"], row
    assert set(
        CloudOffer.objects.filter(provider="mithril").values_list("price_flag", flat=True)
    ) == {"auction"}
    runpod_l40s = seeded(CloudOffer.objects.filter(gpu__slug="l40s", provider="runpod"))
    assert {o.price_flag for o in runpod_l40s} == {"unverified"}


def test_the_default_a100_price_is_not_the_auction_floor(client):
    # Mithril's $0.50 auction floor was the cheapest A100 80GB SXM "offer".
    price = estimate(client, model="llama-3.1-8b", gpu="a100-80gb-sxm", gpus="1").json()["cost"][
        "offer"
    ]
    assert price["provider"] != "mithril"
    assert price["usd_per_gpu_hour"] > 0.5
    assert price["flag"] == ""


def test_a_flagged_offer_is_still_used_when_its_provider_is_picked(client):
    price = estimate(
        client, model="llama-3.1-8b", gpu="a100-80gb-sxm", gpus="1", provider="mithril"
    ).json()["cost"]["offer"]
    assert (price["provider"], price["flag"]) == ("mithril", "auction")
    assert price["usd_per_gpu_hour"] == 0.5


def test_seeded_offers_start_their_history():
    offer = CloudOffer.objects.first()
    assert "0009_seed_offers" in offer.history.get().history_change_reason


def test_the_2024_rows_the_price_map_lacks_are_kept_and_marked_deprecated():
    gpt35 = ApiOffering.objects.get(slug="openai-gpt-3.5-turbo")
    assert gpt35.is_active and gpt35.is_deprecated and gpt35.is_reference
    # A 2024 row whose model id the map has under its own key gives way to it.
    old = ApiOffering.objects.get(slug="openai-gpt-4o")
    assert not old.is_active
    new = ApiOffering.objects.get(slug="gpt-4o")
    assert new.is_active and new.is_reference and not new.is_deprecated


def test_imported_offerings_keep_the_upstream_key_as_slug():
    key = "fireworks_ai/accounts/fireworks/models/llama-v3p3-70b-instruct"
    offering = ApiOffering.objects.get(slug=key)
    assert offering.api_model_id == key
    assert offering.provider == "fireworks_ai"
    assert offering.llm_model.slug == "llama-3.3-70b"
    assert offering.price_as_of is None  # the file records no date
    assert "litellm 1.110.2" in offering.price_source


def test_llama_3_3_70b_has_at_least_ten_of_its_own_hosted_offerings():
    own = ApiOffering.objects.active().filter(
        llm_model__slug="llama-3.3-70b", price_source=SEED_PRICES.SOURCE
    )
    assert own.count() >= 10
    assert own.values("provider").distinct().count() >= 10


def test_other_models_and_derivatives_are_not_matched_to_catalog_models():
    for key in (
        "deepinfra/deepseek-ai/DeepSeek-R1-Distill-Llama-70B",
        "deepinfra/meta-llama/Llama-3.2-11B-Vision-Instruct",
        "nscale/Qwen/Qwen2.5-Coder-7B-Instruct",
        "fireworks_ai/accounts/fireworks/models/mixtral-8x22b-instruct",
    ):
        assert ApiOffering.objects.get(slug=key).llm_model is None, key


# Section: matching upstream keys


@pytest.mark.parametrize(
    ("key", "identity"),
    [
        ("deepinfra/meta-llama/Llama-3.3-70B-Instruct", "llama-3.3-70b"),
        ("fireworks_ai/accounts/fireworks/models/llama-v3p3-70b-instruct", "llama-3.3-70b"),
        ("ovhcloud/Meta-Llama-3_3-70B-Instruct", "llama-3.3-70b"),
        ("meta.llama3-3-70b-instruct-v1:0", "llama-3.3-70b"),
        ("lambda_ai/llama3.3-70b-instruct-fp8", "llama-3.3-70b"),
        ("cloudflare/@cf/meta/llama-3.3-70b-instruct-fp8-fast", "llama-3.3-70b"),
        ("groq/llama3-70b-8192", "llama-3-70b"),
        ("together_ai/meta-llama/Meta-Llama-3.1-8B-Instruct-Turbo", "llama-3.1-8b"),
        ("mistral.mistral-7b-instruct-v0:2", "mistral-7b"),
        ("fireworks_ai/accounts/fireworks/models/qwen2p5-72b-instruct", "qwen2.5-72b"),
        ("azure_ai/Llama-4-Scout-17B-16E-Instruct", "llama-4-scout"),
        ("Llama 3.1 405B", "llama-3.1-405b"),
        ("Qwen2.5 7B", "qwen2.5-7b"),
        ("nscale/Qwen/Qwen2.5-Coder-7B-Instruct", None),
        ("gmi/deepseek-ai/DeepSeek-R1-Distill-Llama-8B", None),
        ("together_ai/Qwen/Qwen2.5-7B-Instruct-1M", None),
        ("gpt-4o", None),
    ],
)
def test_a_key_is_matched_by_the_model_it_names_not_its_spelling(key, identity):
    assert litellm.identity(key) == identity


def test_closed_first_party_models_are_references_and_open_ones_are_not():
    assert litellm.is_reference("gpt-4o") and litellm.is_reference("claude-sonnet-5")
    assert litellm.is_reference("gemini/gemini-3.7-flash")
    assert not litellm.is_reference("fireworks_ai/accounts/fireworks/models/gpt-oss-120b")
    assert not litellm.is_reference("gemini/gemini-gemma-2-27b-it")


def test_the_reader_keeps_chat_entries_with_both_prices_and_skips_the_rest():
    text = json.dumps(
        {
            "sample_spec": {"mode": "chat", "input_cost_per_token": "0"},
            "emb": {"mode": "embedding", "input_cost_per_token": 1e-7},
            "half": {"mode": "chat", "input_cost_per_token": 1e-7},
            "x/llama-3.3-70b": {
                "mode": "chat",
                "litellm_provider": "x",
                "input_cost_per_token": 2e-07,
                "output_cost_per_token": 1.0000000000000002e-06,
            },
        }
    )
    (entry,) = litellm.read_price_map(text)
    assert entry.key == "x/llama-3.3-70b"
    assert entry.input_usd_per_1m == Decimal("0.2")
    assert entry.output_usd_per_1m == Decimal("1")


# Section: import_api_prices


def run_import(*args):
    out = StringIO()
    call_command("import_api_prices", *args, stdout=out)
    return out.getvalue()


def test_importing_the_seed_file_again_changes_nothing():
    before = {o.slug: (o.input_usd_per_1m, o.llm_model_id) for o in ApiOffering.objects.all()}
    text = run_import(str(PRICE_MAP), "--as-of", "unknown", "--source", SEED_PRICES.SOURCE)
    assert "562 chat prices read: 0 new, 0 updated, 562 unchanged" in text
    after = {o.slug: (o.input_usd_per_1m, o.llm_model_id) for o in ApiOffering.objects.all()}
    assert after == before


def test_a_newer_copy_updates_prices_adds_entries_and_deprecates_what_it_lacks(tmp_path):
    data = json.loads(PRICE_MAP.read_text())
    key = "deepinfra/meta-llama/Llama-3.3-70B-Instruct"
    data[key]["input_cost_per_token"] = 9e-07
    dropped = "gpt-4o-mini"
    del data[dropped]
    data["newcloud/meta-llama/Llama-3.3-70B-Instruct"] = {
        "litellm_provider": "newcloud",
        "mode": "chat",
        "input_cost_per_token": 1e-07,
        "output_cost_per_token": 3e-07,
    }
    path = tmp_path / "model_prices_and_context_window.json"
    path.write_text(json.dumps(data))

    text = run_import(str(path), "--as-of", "2026-11-28")
    assert "1 new" in text

    updated = ApiOffering.objects.get(slug=key)
    assert updated.input_usd_per_1m == Decimal("0.9")
    assert updated.price_as_of == datetime.date(2026, 11, 28)
    assert "Imported from" in updated.history.first().history_change_reason
    added = ApiOffering.objects.get(slug="newcloud/meta-llama/Llama-3.3-70B-Instruct")
    assert added.llm_model == LlmModel.objects.get(slug="llama-3.3-70b")
    gone = ApiOffering.objects.get(slug=dropped)
    assert gone.is_deprecated and gone.is_active


def test_an_entry_past_its_deprecation_date_is_imported_deprecated(tmp_path):
    data = {
        "oldcloud/llama-3.1-8b-instruct": {
            "litellm_provider": "oldcloud",
            "mode": "chat",
            "input_cost_per_token": 1e-07,
            "output_cost_per_token": 2e-07,
            "deprecation_date": "2020-01-01",
        }
    }
    path = tmp_path / "prices.json"
    path.write_text(json.dumps(data))
    run_import(str(path))
    offering = ApiOffering.objects.get(slug="oldcloud/llama-3.1-8b-instruct")
    assert offering.is_deprecated
    assert offering.llm_model.slug == "llama-3.1-8b"


def test_a_dry_run_saves_nothing(tmp_path):
    data = json.loads(PRICE_MAP.read_text())
    data["gpt-4o"]["input_cost_per_token"] = 1e-05
    path = tmp_path / "prices.json"
    path.write_text(json.dumps(data))
    text = run_import(str(path), "--dry-run")
    assert "dry run" in text
    assert ApiOffering.objects.get(slug="gpt-4o").input_usd_per_1m == Decimal("2.5")


def test_a_file_that_is_not_a_price_map_is_refused(tmp_path):
    path = tmp_path / "list.json"
    path.write_text("[1, 2]")
    with pytest.raises(CommandError, match="JSON object"):
        run_import(str(path))


def test_a_bad_date_is_refused():
    with pytest.raises(CommandError, match="as-of"):
        run_import(str(PRICE_MAP), "--as-of", "last week")


# Section: the API


def test_api_gpus_prices_at_least_15_of_the_20_gpus_from_offers(client):
    gpus = client.get("/api/gpus").json()["gpus"]
    assert len(gpus) == 20
    priced = [gpu for gpu in gpus if any(o["on_demand_usd_per_gpu_hour"] for o in gpu["offers"])]
    assert len(priced) >= 15
    h100 = next(gpu for gpu in gpus if gpu["slug"] == "h100-sxm")
    providers = {offer["provider"] for offer in h100["offers"]}
    assert {"aws", "gcp", "lambda", "runpod"} <= providers
    first = h100["offers"][0]
    assert set(first) >= {
        "provider",
        "instance_type",
        "region",
        "gpus_per_instance",
        "on_demand_usd_per_gpu_hour",
        "spot_usd_per_gpu_hour",
        "on_demand_usd_per_instance_hour",
        "as_of",
        "source",
        "notes",
    }
    assert first["as_of"] is None
    prices = [o["on_demand_usd_per_gpu_hour"] for o in h100["offers"]]
    assert prices == sorted(prices)


def test_api_offers_lists_all_and_filters_by_gpu_and_provider(client):
    everything = client.get("/api/offers").json()["offers"]
    assert len(everything) == CloudOffer.objects.active().count()
    some = client.get("/api/offers", {"gpu": "h100-sxm", "provider": "aws"}).json()["offers"]
    assert some and all(o["gpu"] == "h100-sxm" and o["provider"] == "aws" for o in some)
    two = client.get("/api/offers?provider=aws&provider=gcp&gpu=l4").json()["offers"]
    assert {o["provider"] for o in two} == {"aws", "gcp"}


def test_api_offers_refuses_unknown_parameters(client):
    response = client.get("/api/offers", {"cloud": "aws"})
    assert response.status_code == 400
    assert "cloud" in response.json()["errors"]["__all__"][0]


def test_the_estimate_without_a_provider_uses_the_cheapest_offer_and_says_so(client):
    body = estimate(client).json()
    offer = body["cost"]["offer"]
    assert offer["basis"] == "cheapest_offer"
    cheapest = min(
        o.on_demand_usd_per_gpu_hour
        for o in CloudOffer.objects.filter(gpu__slug="h100-sxm", gpus_per_instance__gte=4)
        if o.on_demand_usd_per_gpu_hour
    )
    # The cheapest bill for 4 GPUs, which is at most the cheapest per GPU among shapes
    # holding 4 (a 4-GPU instance can beat a cheaper 8-GPU one).
    assert offer["usd_per_hour"] <= float(cheapest) * 8
    assert body["cost"]["usd_per_hour"] == pytest.approx(offer["usd_per_hour"])
    assert body["inputs"]["provider"] == "" and body["inputs"]["pricing"] == "on_demand"


def test_the_estimate_with_a_provider_uses_that_providers_price_and_says_so(client):
    body = estimate(client, provider="aws", gpus="8").json()
    offer = body["cost"]["offer"]
    assert (offer["basis"], offer["provider"], offer["instance_type"]) == (
        "offer",
        "aws",
        "p5.48xlarge",
    )
    assert offer["usd_per_gpu_hour"] == 12.29
    assert body["cost"]["usd_per_hour"] == pytest.approx(8 * 12.29)
    assert offer["as_of"] is None
    assert any("undated" in warning for warning in offer["warnings"])


def test_three_gpus_from_an_eight_gpu_instance_cost_eight(client):
    body = estimate(client, provider="aws", gpus="3").json()
    offer = body["cost"]["offer"]
    assert (offer["num_gpus"], offer["gpus_billed"]) == (3, 8)
    assert body["cost"]["usd_per_hour"] == pytest.approx(8 * 12.29)


def test_spot_pricing_uses_the_spot_price(client):
    body = estimate(client, provider="aws", pricing="spot", gpus="8").json()
    offer = body["cost"]["offer"]
    assert offer["spot"] and offer["usd_per_gpu_hour"] == 2.6242


def test_an_unknown_provider_is_a_400(client):
    response = estimate(client, provider="azure")
    assert response.status_code == 400
    assert "provider" in response.json()["errors"]


def test_an_unknown_pricing_is_a_400(client):
    response = estimate(client, pricing="reserved")
    assert response.status_code == 400
    assert "pricing" in response.json()["errors"]


def test_a_provider_without_that_gpu_falls_back_and_warns(client):
    body = estimate(client, gpu="l4", gpus="1", provider="mithril").json()
    offer = body["cost"]["offer"]
    assert offer["basis"] == "cheapest_offer"
    assert any("mithril" in warning for warning in offer["warnings"])


def test_a_typed_price_still_wins(client):
    body = estimate(client, provider="aws", gpu_hourly_usd="1.5").json()
    assert body["cost"]["offer"]["basis"] == "typed"
    assert body["cost"]["usd_per_hour"] == pytest.approx(4 * 1.5)


def test_a_gpu_without_offers_uses_its_catalog_price_or_none(client):
    body = estimate(client, gpu="mi300x", gpus="4").json()
    assert body["cost"]["offer"]["basis"] in ("catalog", None)


def test_api_comparison_items_name_their_provider_and_same_model(client):
    body = estimate(client, model="llama-3.3-70b").json()
    items = body["api_comparison"]
    assert all({"provider", "same_model"} <= set(item) for item in items)
    same = [item for item in items if item["same_model"]]
    assert len({item["provider"] for item in same}) >= 10
    assert any(item["slug"] == "gpt-4o" and not item["same_model"] for item in items)


# Section: the page


def test_the_api_compares_every_offering_when_asked(client):
    some = estimate(client, model="llama-3.3-70b").json()["api_comparison"]
    assert all(item["same_model"] or item["reference"] for item in some)
    everything = estimate(client, model="llama-3.3-70b", apis="all").json()["api_comparison"]
    assert len(everything) == ApiOffering.objects.active().count() > len(some)
    assert estimate(client, apis="some").status_code == 400


def page(client, **changes):
    return client.get("/", {**DEFAULTS, **changes})


def test_the_page_offers_the_price_choice_next_to_the_gpu(client):
    html = page(client).content.decode()
    assert '<select name="provider"' in html and '<option value="aws">aws</option>' in html
    assert '<select name="pricing"' in html
    assert html.index('name="gpu"') < html.index('name="provider"') < html.index('name="gpus"')


def test_picking_a_provider_without_javascript_shows_its_offer(client):
    html = page(client, gpu="h100-sxm", gpus="8", provider="aws").content.decode()
    assert re.search(r'id="price-offer">aws p5\.48xlarge<', html)
    assert "$12.29/GPU-hour" in html
    assert "undated" in html
    assert 'id="price-warnings"' in html


def test_spot_on_the_page(client):
    html = page(client, gpu="h100-sxm", gpus="8", provider="aws", pricing="spot").text
    assert "spot $2.62/GPU-hour" in html


def test_billing_whole_instances_is_said_on_the_page(client):
    html = page(client, gpu="h100-sxm", gpus="3", provider="aws", model="llama-3.1-8b").text
    assert "3 GPUs billed as 8" in html


def section(client, section_id: str, **changes):
    """One of the page's lazy sections, fetched from the URL the page gives it."""
    html = page(client, **changes).content.decode()
    match = re.search(rf'id="{section_id}"\s+hx-get="([^"]+)"', html)
    assert match, f"no lazy #{section_id}"
    return client.get(unescape(match.group(1)))


def test_the_gpu_comparison_has_a_provider_for_every_gpu_with_an_offer(client):
    response = section(client, "compare-gpus", model="llama-3.1-8b", gpus="1")
    rows = response.context["gpu_options"]
    offered = set(CloudOffer.objects.values_list("gpu__slug", flat=True))
    for row in rows:
        if row.estimate is not None and row.gpu.slug in offered:
            assert row.price.provider, row.gpu.slug
    assert 'class="gpu-provider"' in response.text


def test_the_api_table_lists_the_same_model_cheapest_first_then_references(client):
    response = section(client, "apis", model="llama-3.3-70b", gpu="h100-sxm", gpus="4")
    rows = response.context["api_rows"]
    assert all(row["same_model"] or row["reference"] for row in rows)
    groups = [0 if row["same_model"] else 1 for row in rows]
    assert groups == sorted(groups)
    same = [row for row in rows if row["same_model"] and not row["deprecated"]]
    assert len(same) >= 10
    costs = [row["total_usd"] for row in same]
    assert costs == sorted(costs)
    html = response.text
    assert "same model" in html and "closed reference" in html
    assert 'id="api-show-all"' in html and "apis=all" in html
    assert response.context["api_rows_hidden"] > 100


def test_show_all_lists_every_offering_after_them(client):
    response = section(client, "apis", model="llama-3.3-70b", gpu="h100-sxm", gpus="4", apis="all")
    rows = response.context["api_rows"]
    assert len(rows) == ApiOffering.objects.active().count()
    groups = [0 if r["same_model"] else 1 if r["reference"] else 2 for r in rows]
    assert groups == sorted(groups)
    rest = [
        (row["deprecated"], row["total_usd"])
        for row in rows
        if not (row["same_model"] or row["reference"])
    ]
    assert rest == sorted(rest)
    assert 'id="api-show-all"' not in response.text


def test_an_undated_api_price_says_undated(client):
    html = section(client, "apis", model="llama-3.3-70b").text
    assert "undated" in html


# Section: the admin


def test_the_offer_list_filters_stale_prices(admin_client):
    url = reverse("admin:calculator_cloudoffer_changelist")
    offer = CloudOffer.objects.get(gpu__slug="h100-sxm", provider="aws")
    offer.as_of = datetime.date.today()
    offer.save()
    fresh = admin_client.get(url, {"freshness": "fresh"})
    assert fresh.context["cl"].result_count == 1
    stale = admin_client.get(url, {"freshness": "stale"})
    assert stale.context["cl"].result_count == CloudOffer.objects.count() - 1


def test_the_api_offering_list_filters_stale_prices(admin_client):
    url = reverse("admin:calculator_apioffering_changelist")
    response = admin_client.get(url, {"freshness": "undated"})
    assert (
        response.context["cl"].result_count == ApiOffering.objects.filter(price_as_of=None).count()
    )


def offers_csv(rows: list[dict]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def aws_h100_row(**changes) -> dict:
    row = {
        "gpu_slug": "h100-sxm",
        "provider": "aws",
        "instance_type": "p5.48xlarge",
        "gpus_per_instance": "8",
        "region": "us-east-1",
        "on_demand_usd_per_gpu_hour": "6.88",
        "spot_usd_per_gpu_hour": "2.50",
        "instance_on_demand_usd_per_hour": "55.04",
        "as_of": "2026-11-20",
        "source": "AWS price list, read 2026-11-20",
        "notes": "After the June 2025 price cut.",
        "is_active": "1",
    }
    row.update(changes)
    return row


def upload(admin_client, name: str, content: bytes, format_index: str = "0"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return admin_client.post(
        reverse("admin:calculator_cloudoffer_import"),
        {
            "import_file": SimpleUploadedFile(name, content, content_type="text/csv"),
            "format": format_index,
        },
    )


def confirm(admin_client, preview):
    html = preview.content.decode()
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', html))
    fields.pop("csrfmiddlewaretoken", None)
    return admin_client.post(reverse("admin:calculator_cloudoffer_process_import"), fields)


def test_an_admin_csv_import_previews_then_changes_prices_with_history(admin_client, admin_user):
    offer = CloudOffer.objects.get(gpu__slug="h100-sxm", provider="aws")
    preview = upload(admin_client, "offers.csv", offers_csv([aws_h100_row()]))
    assert preview.status_code == 200
    html = preview.content.decode()
    assert "Update" in html and "6.88" in html
    offer.refresh_from_db()
    assert offer.on_demand_usd_per_gpu_hour == Decimal("12.2900")  # nothing saved yet

    done = confirm(admin_client, preview)
    assert done.status_code == 302
    offer.refresh_from_db()
    assert offer.on_demand_usd_per_gpu_hour == Decimal("6.88")
    assert offer.as_of == datetime.date(2026, 11, 20)
    record = offer.history.first()
    assert record.history_user == admin_user
    assert "Imported" in record.history_change_reason
    assert record.prev_record.on_demand_usd_per_gpu_hour == Decimal("12.2900")


def test_an_admin_import_reads_a_spreadsheet_too(admin_client):
    import openpyxl

    row = aws_h100_row(on_demand_usd_per_gpu_hour="7.5")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(list(row))
    sheet.append(list(row.values()))
    buffer = io.BytesIO()
    book.save(buffer)
    preview = upload(admin_client, "offers.xlsx", buffer.getvalue(), format_index="1")
    assert "7.5" in preview.content.decode()
    assert confirm(admin_client, preview).status_code == 302
    offer = CloudOffer.objects.get(gpu__slug="h100-sxm", provider="aws")
    assert offer.on_demand_usd_per_gpu_hour == Decimal("7.5")


def test_the_upload_travels_signed_and_an_altered_one_is_refused(admin_client):
    preview = upload(admin_client, "offers.csv", offers_csv([aws_h100_row()]))
    html = preview.content.decode()
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', html))
    fields.pop("csrfmiddlewaretoken", None)
    name = fields["import_file_name"]
    fields["import_file_name"] = name[:10] + ("A" if name[10] != "A" else "B") + name[11:]
    response = admin_client.post(reverse("admin:calculator_cloudoffer_process_import"), fields)
    assert response.status_code == 400
    offer = CloudOffer.objects.get(gpu__slug="h100-sxm", provider="aws")
    assert offer.on_demand_usd_per_gpu_hour == Decimal("12.2900")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"on_demand_usd_per_gpu_hour": "-1"}, "greater than zero"),
        ({"gpu_slug": "h999"}, "Unknown GPU"),
        ({"as_of": "unknown"}, "A date is needed"),
        ({"as_of": ""}, "A date is needed"),
    ],
)
def test_an_admin_import_validates_every_row(admin_client, changes, message):
    preview = upload(admin_client, "offers.csv", offers_csv([aws_h100_row(**changes)]))
    html = preview.content.decode()
    assert message in html
    assert 'name="import_file_name"' not in html  # nothing to confirm
    offer = CloudOffer.objects.get(gpu__slug="h100-sxm", provider="aws")
    assert offer.on_demand_usd_per_gpu_hour == Decimal("12.2900")


def test_the_admin_exports_offers_as_csv_in_the_import_columns(admin_client):
    names = [
        "gpu",
        "provider",
        "instance_type",
        "gpus_per_instance",
        "region",
        "on_demand_usd_per_gpu_hour",
        "spot_usd_per_gpu_hour",
        "instance_on_demand_usd_per_hour",
        "as_of",
        "source",
        "notes",
        "is_active",
    ]
    data = {"format": "0", "resource": "0"}
    data.update({f"cloudofferresource_{name}": "on" for name in names})
    response = admin_client.post(reverse("admin:calculator_cloudoffer_export"), data)
    assert response["Content-Type"].startswith("text/csv")
    body = response.content.decode()
    assert body.startswith("gpu_slug,provider,instance_type,gpus_per_instance,region")
    assert ",unknown," in body  # undated rows say so, and import again once dated
    assert body.count("\n") == CloudOffer.objects.count() + 1


def test_the_admin_imports_a_litellm_price_map_with_preview(admin_client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = {
        "newcloud/meta-llama/Llama-3.3-70B-Instruct": {
            "litellm_provider": "newcloud",
            "mode": "chat",
            "input_cost_per_token": 1e-07,
            "output_cost_per_token": 3e-07,
        },
        "sample_spec": {"mode": "chat"},
    }
    preview = admin_client.post(
        reverse("admin:calculator_apioffering_import"),
        {
            "import_file": SimpleUploadedFile(
                "model_prices_and_context_window.json", json.dumps(data).encode()
            ),
            "format": "0",
        },
    )
    assert preview.status_code == 200
    assert "newcloud/meta-llama/Llama-3.3-70B-Instruct" in preview.content.decode()
    assert not ApiOffering.objects.filter(slug__startswith="newcloud/").exists()
    html = preview.content.decode()
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', html))
    fields.pop("csrfmiddlewaretoken", None)
    done = admin_client.post(reverse("admin:calculator_apioffering_process_import"), fields)
    assert done.status_code == 302
    added = ApiOffering.objects.get(slug="newcloud/meta-llama/Llama-3.3-70B-Instruct")
    assert added.llm_model.slug == "llama-3.3-70b"
    assert added.price_as_of is not None
    # One provider's file leaves the other providers' rows alone.
    assert not ApiOffering.objects.get(slug="gpt-4o").is_deprecated


def test_gpu_types_keep_their_catalog_price_as_the_last_resort():
    assert GpuType.objects.get(slug="a100-80gb-sxm").hourly_price_usd == Decimal("1.79")


def test_staff_who_may_only_view_offers_cannot_import(client):
    from django.contrib.auth.models import Permission, User

    user = User.objects.create_user("viewer", password="pw-viewer-123456", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename="view_cloudoffer"))
    client.force_login(user)
    assert client.get(reverse("admin:calculator_cloudoffer_changelist")).status_code == 200
    assert client.get(reverse("admin:calculator_cloudoffer_import")).status_code == 403
