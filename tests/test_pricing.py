"""Which price an estimate uses: typed > the offer picked > the cheapest offer > catalog."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta

import pytest

from calculator.estimator import pricing
from calculator.estimator.pricing import Offer, resolve_price
from tests.estimator_fixtures import H100_SXM

TODAY = date(2026, 11, 29)
FRESH = TODAY - timedelta(days=30)

AWS_P5 = Offer(
    provider="aws",
    instance_type="p5.48xlarge",
    region="us-east-1",
    gpus_per_instance=8,
    on_demand_usd_per_gpu_hour=12.29,
    spot_usd_per_gpu_hour=2.6242,
    as_of=FRESH,
    source="skypilot aws",
)
LAMBDA_1X = Offer(
    provider="lambda",
    instance_type="gpu_1x_h100_sxm5",
    region="us-east-1",
    gpus_per_instance=1,
    on_demand_usd_per_gpu_hour=3.29,
    spot_usd_per_gpu_hour=None,
    as_of=FRESH,
    source="skypilot lambda",
)
LAMBDA_8X = dataclasses.replace(
    LAMBDA_1X,
    instance_type="gpu_8x_h100_sxm5",
    gpus_per_instance=8,
    on_demand_usd_per_gpu_hour=2.99,
)
RUNPOD_2X = Offer(
    provider="runpod",
    instance_type="2x_H100_SECURE",
    region="CA",
    gpus_per_instance=2,
    on_demand_usd_per_gpu_hour=2.69,
    spot_usd_per_gpu_hour=1.99,
    as_of=FRESH,
    source="skypilot runpod",
)
OFFERS = (AWS_P5, LAMBDA_1X, LAMBDA_8X, RUNPOD_2X)


def resolve(**kwargs):
    kwargs.setdefault("typed", None)
    kwargs.setdefault("offers", OFFERS)
    kwargs.setdefault("provider", None)
    kwargs.setdefault("pricing", "on_demand")
    kwargs.setdefault("num_gpus", 1)
    kwargs.setdefault("catalog_usd", 2.49)
    kwargs.setdefault("catalog_as_of", FRESH)
    kwargs.setdefault("today", TODAY)
    return resolve_price(**kwargs)


# The order


def test_a_typed_price_wins_over_every_offer():
    price = resolve(typed=1.5, provider="aws", num_gpus=3)
    assert price.basis == "typed"
    assert price.usd_per_gpu_hour == 1.5
    assert price.gpus_billed == 3  # no instance rounding for a price the user typed
    assert price.effective_usd_per_gpu_hour == 1.5
    assert price.provider == ""
    assert price.warnings == ()


def test_a_typed_price_of_zero_is_still_typed():
    price = resolve(typed=0.0)
    assert price.basis == "typed"
    assert price.usd_per_gpu_hour == 0.0


def test_the_picked_provider_is_used_over_a_cheaper_one():
    price = resolve(provider="aws", num_gpus=8)
    assert price.basis == "offer"
    assert (price.provider, price.instance_type) == ("aws", "p5.48xlarge")
    assert price.usd_per_gpu_hour == 12.29
    assert price.region == "us-east-1"
    assert price.source == "skypilot aws"


def test_without_a_provider_the_cheapest_on_demand_offer_is_used():
    price = resolve(num_gpus=1)
    assert price.basis == "cheapest_offer"
    assert (price.provider, price.instance_type) == ("lambda", "gpu_1x_h100_sxm5")
    assert price.usd_per_gpu_hour == 3.29
    assert not price.spot


def test_the_cheapest_offer_holds_at_least_the_gpus_asked_for():
    # Lambda's 8x is cheapest per GPU, but for 2 GPUs RunPod's 2x instance costs less
    # than a whole 8x instance (2 x 2.69 < 8 x 2.99).
    price = resolve(num_gpus=2)
    assert (price.provider, price.gpus_per_instance) == ("runpod", 2)
    assert price.gpus_billed == 2


def test_three_gpus_from_eight_gpu_instances_pay_for_eight():
    price = resolve(provider="aws", num_gpus=3)
    assert price.gpus_billed == 8
    assert price.instances == 1
    assert price.usd_per_hour == pytest.approx(8 * 12.29)
    # What the estimator multiplies by the GPUs asked for, so the hour costs 8 GPUs.
    assert price.effective_usd_per_gpu_hour == pytest.approx(8 * 12.29 / 3)
    assert any("billed" in warning and "8" in warning for warning in price.warnings)


def test_more_gpus_than_any_instance_holds_take_several_instances():
    price = resolve(num_gpus=12)
    # Lambda 8x: 2 instances, 16 GPUs x 2.99 = 47.84; RunPod 2x: 6 x 2 x 2.69 = 32.28.
    assert (price.provider, price.instances, price.gpus_billed) == ("runpod", 6, 12)
    assert any("instances" in warning for warning in price.warnings)


def test_spot_uses_the_spot_price_of_the_picked_provider():
    price = resolve(provider="aws", pricing="spot", num_gpus=8)
    assert price.spot
    assert price.usd_per_gpu_hour == 2.6242
    assert price.basis == "offer"


def test_spot_without_a_provider_takes_the_cheapest_spot_offer():
    price = resolve(pricing="spot", num_gpus=1)
    assert price.spot
    assert (price.provider, price.usd_per_gpu_hour) == ("runpod", 1.99)


def test_a_provider_without_an_offer_falls_back_to_the_cheapest_and_says_so():
    price = resolve(provider="gcp", num_gpus=1)
    assert price.basis == "cheapest_offer"
    assert price.provider == "lambda"
    assert any("gcp" in warning for warning in price.warnings)


def test_a_provider_without_spot_falls_back_to_the_cheapest_spot_offer():
    price = resolve(provider="lambda", pricing="spot", num_gpus=1)
    assert price.provider == "runpod"
    assert price.spot
    assert any("lambda" in warning for warning in price.warnings)


def test_without_offers_the_catalog_price_is_used():
    price = resolve(offers=(), catalog_usd=2.49)
    assert price.basis == "catalog"
    assert price.usd_per_gpu_hour == 2.49
    assert price.gpus_billed == 1
    assert price.as_of == FRESH


def test_spot_without_any_spot_offer_uses_the_catalog_and_says_so():
    price = resolve(offers=(LAMBDA_1X,), pricing="spot")
    assert price.basis == "catalog"
    assert not price.spot
    assert any("spot" in warning for warning in price.warnings)


def test_without_offers_or_catalog_price_there_is_no_price():
    price = resolve(offers=(), catalog_usd=None, catalog_as_of=None)
    assert price.basis is None
    assert price.usd_per_gpu_hour is None
    assert price.effective_usd_per_gpu_hour is None
    assert price.usd_per_hour is None


def test_offers_without_an_on_demand_price_are_skipped():
    spot_only = dataclasses.replace(AWS_P5, on_demand_usd_per_gpu_hour=None)
    price = resolve(offers=(spot_only,), provider="aws", num_gpus=8)
    assert price.basis == "catalog"


def test_ties_are_broken_the_same_way_every_time():
    a = dataclasses.replace(LAMBDA_1X, provider="zeta")
    b = dataclasses.replace(LAMBDA_1X, provider="alpha")
    assert resolve(offers=(a, b)).provider == resolve(offers=(b, a)).provider == "alpha"


# Freshness


# Flagged offers (floor, auction, marketplace, unverified prices)

AUCTION_1X = dataclasses.replace(
    LAMBDA_1X,
    provider="mithril",
    instance_type="h100-80gb.sxm.1x",
    on_demand_usd_per_gpu_hour=1.00,
    spot_usd_per_gpu_hour=1.00,
    flag=pricing.PriceFlag.AUCTION,
)


def test_a_flagged_offer_is_never_the_default_cheapest():
    price = resolve(offers=(*OFFERS, AUCTION_1X), num_gpus=1)
    assert (price.provider, price.usd_per_gpu_hour) == ("lambda", 3.29)
    assert price.flag == ""


def test_a_flagged_offer_is_not_the_cheapest_spot_either():
    price = resolve(offers=(*OFFERS, AUCTION_1X), pricing="spot", num_gpus=2)
    assert (price.provider, price.usd_per_gpu_hour) == ("runpod", 1.99)


def test_a_flagged_offer_stays_selectable_by_its_provider_and_says_what_it_is():
    price = resolve(offers=(*OFFERS, AUCTION_1X), provider="mithril", num_gpus=1)
    assert (price.provider, price.usd_per_gpu_hour, price.flag) == ("mithril", 1.0, "auction")
    assert price.as_dict()["flag"] == "auction"
    assert any("flagged auction" in warning for warning in price.warnings)


def test_only_flagged_offers_leave_the_catalog_price():
    price = resolve(offers=(AUCTION_1X,), num_gpus=1)
    assert (price.basis, price.usd_per_gpu_hour) == ("catalog", 2.49)


def test_a_price_older_than_the_limit_is_stale():
    old = dataclasses.replace(LAMBDA_1X, as_of=TODAY - timedelta(days=pricing.STALE_AFTER_DAYS + 1))
    price = resolve(offers=(old,))
    assert price.stale
    assert any("days old" in warning for warning in price.warnings)


def test_a_price_at_the_limit_is_not_stale():
    edge = dataclasses.replace(LAMBDA_1X, as_of=TODAY - timedelta(days=pricing.STALE_AFTER_DAYS))
    assert not resolve(offers=(edge,)).stale


def test_an_undated_offer_is_stale_and_called_undated():
    undated = dataclasses.replace(LAMBDA_1X, as_of=None)
    price = resolve(offers=(undated,))
    assert price.stale
    assert price.as_of is None
    assert any("undated" in warning for warning in price.warnings)


def test_an_old_catalog_price_is_stale_too():
    price = resolve(offers=(), catalog_as_of=date(2025, 1, 1))
    assert price.stale


def test_a_typed_price_is_never_stale():
    assert not resolve(typed=2.0).stale


def test_the_stale_limit_is_named():
    assert pricing.STALE_AFTER_DAYS == 180


# Shape


def test_the_price_used_is_plain_json_with_every_field():
    plain = resolve(provider="aws", num_gpus=3).as_dict()
    assert plain == {
        "usd_per_gpu_hour": 12.29,
        "effective_usd_per_gpu_hour": pytest.approx(8 * 12.29 / 3),
        "usd_per_hour": pytest.approx(8 * 12.29),
        "basis": "offer",
        "provider": "aws",
        "instance_type": "p5.48xlarge",
        "region": "us-east-1",
        "gpus_per_instance": 8,
        "num_gpus": 3,
        "gpus_billed": 8,
        "instances": 1,
        "spot": False,
        "as_of": FRESH.isoformat(),
        "source": "skypilot aws",
        "notes": "",
        "flag": "",
        "stale": False,
        "warnings": ["aws rents this GPU 8 to an instance (p5.48xlarge): 3 GPUs are billed as 8."],
    }


def test_no_price_at_all_is_plain_data_too():
    plain = resolve(offers=(), catalog_usd=None).as_dict()
    assert (plain["basis"], plain["as_of"], plain["usd_per_hour"]) == (None, None, None)
    assert (plain["gpus_billed"], plain["instances"], plain["warnings"]) == (1, 0, [])


def test_offers_of_zero_gpus_are_rejected():
    with pytest.raises(ValueError):
        resolve(offers=(dataclasses.replace(LAMBDA_1X, gpus_per_instance=0),))


# The whole answer, path by path (what the page and the API show)


def test_a_typed_price_is_the_whole_answer():
    assert resolve(typed=2.0, num_gpus=3) == pricing.PriceUsed(
        usd_per_gpu_hour=2.0,
        basis=pricing.Basis.TYPED,
        num_gpus=3,
        gpus_billed=3,
        instances=0,
        effective_usd_per_gpu_hour=2.0,
        usd_per_hour=6.0,
    )


def test_the_catalog_price_is_the_whole_answer():
    price = resolve(offers=(), num_gpus=3, catalog_source="the catalog")
    assert price == pricing.PriceUsed(
        usd_per_gpu_hour=2.49,
        basis=pricing.Basis.CATALOG,
        num_gpus=3,
        gpus_billed=3,
        instances=0,
        effective_usd_per_gpu_hour=2.49,
        usd_per_hour=pytest.approx(3 * 2.49),
        as_of=FRESH,
        source="the catalog",
    )


def test_no_price_has_no_date_source_or_staleness():
    price = resolve(offers=(), catalog_usd=None, catalog_as_of=None, catalog_source="x")
    assert (price.basis, price.as_of, price.source, price.stale) == (None, None, "", False)
    assert (price.num_gpus, price.gpus_billed, price.instances) == (1, 1, 0)
    assert price.effective_usd_per_gpu_hour is None


def test_spot_without_any_spot_offer_says_so_in_full():
    price = resolve(offers=(LAMBDA_1X,), pricing="spot", num_gpus=2)
    assert price.warnings == ("No spot offer for this GPU; using the catalog's on-demand price.",)
    assert price.basis == pricing.Basis.CATALOG


@pytest.mark.parametrize(
    ("kind", "wording"), [("on_demand", "on-demand"), ("spot", "spot")], ids=["od", "spot"]
)
def test_a_provider_without_that_kind_of_offer_is_named_in_the_warning(kind, wording):
    offers = (dataclasses.replace(LAMBDA_1X, on_demand_usd_per_gpu_hour=None), RUNPOD_2X)
    price = resolve(offers=offers, provider="lambda", pricing=kind)
    assert price.warnings[0] == f"lambda has no {wording} offer for this GPU; using the cheapest."


def test_one_gpu_of_an_eight_gpu_instance_is_billed_as_eight_in_the_singular():
    price = resolve(offers=(AWS_P5,), num_gpus=1)
    assert price.warnings == (
        "aws rents this GPU 8 to an instance (p5.48xlarge): 1 GPU are billed as 8.",
    )
    assert (price.instances, price.gpus_billed, price.basis) == (
        1,
        8,
        pricing.Basis.CHEAPEST_OFFER,
    )


def test_an_instance_that_holds_exactly_the_gpus_asked_says_nothing():
    price = resolve(offers=(AWS_P5,), num_gpus=8)
    assert price.warnings == ()
    assert price.effective_usd_per_gpu_hour == pytest.approx(12.29)


def test_several_instances_say_they_are_assumed_to_talk_as_one_server():
    price = resolve(offers=(LAMBDA_1X,), num_gpus=3)
    assert price.warnings == (
        "3 GPUs take 3 gpu_1x_h100_sxm5 instances: the estimate assumes they talk as if in "
        "one server.",
    )


def test_an_instance_that_holds_them_all_beats_cheaper_ones_that_do_not():
    """Tensor parallelism wants one server: 8 GPUs in one 8-GPU instance over eight
    1-GPU instances, even at a higher price per GPU."""
    cheap_singles = dataclasses.replace(LAMBDA_1X, on_demand_usd_per_gpu_hour=1.0)
    price = resolve(offers=(cheap_singles, LAMBDA_8X), num_gpus=8)
    assert (price.instance_type, price.instances) == ("gpu_8x_h100_sxm5", 1)


def test_a_stale_catalog_price_says_how_old_it_is():
    old = TODAY - timedelta(days=400)
    price = resolve(offers=(), catalog_as_of=old)
    assert price.warnings == (
        f"The catalog price is 400 days old (as of {old.isoformat()}): check it is still current.",
    )


def test_offers_of_zero_gpus_are_rejected_by_name():
    with pytest.raises(ValueError, match="^lambda gpu_1x_h100_sxm5: no GPUs per instance.$"):
        resolve(offers=(dataclasses.replace(LAMBDA_1X, gpus_per_instance=0),))


def test_a_catalog_price_given_no_source_has_an_empty_one():
    assert resolve(offers=()).source == ""


def test_an_old_offer_names_its_provider_and_age():
    old = dataclasses.replace(LAMBDA_1X, as_of=TODAY - timedelta(days=200))
    assert resolve(offers=(old,)).warnings == (
        f"The lambda price is 200 days old (as of {old.as_of.isoformat()}): check it is "
        "still current.",
    )


# Callers with specs only


def test_the_catalog_price_of_a_spec_is_rule_four_alone():
    gpu = H100_SXM  # catalog price 3.29
    used = pricing.catalog_price(gpu, 3)
    assert used.basis == pricing.Basis.CATALOG
    assert used.effective_usd_per_gpu_hour == used.usd_per_gpu_hour == 3.29
    assert used.usd_per_hour == pytest.approx(3 * 3.29)
    unpriced = pricing.catalog_price(dataclasses.replace(gpu, hourly_usd=None), 3)
    assert unpriced.basis is None and unpriced.effective_usd_per_gpu_hour is None


def test_a_price_says_where_it_comes_from():
    assert resolve(typed=2.0).label == "entered"
    assert pricing.catalog_price(H100_SXM, 1).label == "catalog"
    assert resolve(provider="aws").label == f"aws p5.48xlarge on-demand ({FRESH.isoformat()})"
    assert resolve(provider="aws", pricing="spot").label.startswith("aws p5.48xlarge spot")
    assert pricing.source_label(None) == "no price"
