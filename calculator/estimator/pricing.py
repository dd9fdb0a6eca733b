"""Which GPU price an estimate uses, and where it comes from.

One rule, in this order (issue 9):

1. a price the user typed;
2. else the offer the user picked (a provider, on-demand or spot);
3. else the cheapest offer with a list price (no ``PriceFlag``: not a floor, auction,
   marketplace or unverified price) for that GPU (on-demand unless spot was asked
   for) with at least the number of GPUs asked for;
4. else the GPU's own catalog price.

This is the only place a price falls back to another: the estimator bills exactly the
price it is given (``Workload.gpu_hourly_usd``, the effective price below), and callers
that hold specs only (no offers) ask ``catalog_price``, rule 4 alone.

Clouds rent GPUs by the instance, so 3 GPUs from 8-GPU instances pay for 8: the result
says how many GPUs are billed, and gives the effective price per GPU asked for that
makes the hour cost what the instances cost. Pure Python, like the rest of the estimator.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from .specs import GpuSpec

# A price older than this is shown with a warning: cloud list prices move within a
# year (AWS cut P4/P5 prices by up to 45% in June 2025). Two quarters is an assumption
# (issue 9 asks for 180 days).
STALE_AFTER_DAYS = 180


class Basis(StrEnum):
    TYPED = "typed"
    OFFER = "offer"
    CHEAPEST_OFFER = "cheapest_offer"
    CATALOG = "catalog"


class Pricing(StrEnum):
    ON_DEMAND = "on_demand"
    SPOT = "spot"


class PriceFlag(StrEnum):
    """Why an offer's price is not a list price one can rent at: such offers are never
    the default "cheapest" (rule 3), only used when their provider is picked (rule 2)."""

    NONE = ""  # a list price
    FLOOR = "floor"  # a reserve or minimum price, not a rate one is sure to get
    AUCTION = "auction"  # capacity sold by auction: the price moves with bids
    MARKETPLACE = "marketplace"  # hosts' listings (a median of them): availability varies
    UNVERIFIED = "unverified"  # the source's figures look wrong (e.g. spot above on-demand)


FLAG_MEANING = {
    PriceFlag.FLOOR: "a reserve or minimum price, not a rate you are sure to get.",
    PriceFlag.AUCTION: "capacity sold by auction; the price moves with the bids.",
    PriceFlag.MARKETPLACE: "hosts' listings; what is available, and at what price, varies.",
    PriceFlag.UNVERIFIED: "the source's figures look wrong; check the price.",
}


@dataclass(frozen=True)
class Offer:
    """One cloud's price for one instance shape of one GPU type."""

    provider: str
    instance_type: str
    region: str
    gpus_per_instance: int
    on_demand_usd_per_gpu_hour: float | None
    spot_usd_per_gpu_hour: float | None
    as_of: date | None  # None: the source did not say when (shown as "undated")
    source: str = ""
    notes: str = ""
    flag: PriceFlag = PriceFlag.NONE

    def usd_per_gpu_hour(self, pricing: Pricing) -> float | None:
        if pricing == Pricing.SPOT:
            return self.spot_usd_per_gpu_hour
        return self.on_demand_usd_per_gpu_hour


@dataclass(frozen=True)
class PriceUsed:
    """The price an estimate used, its origin, and what it bills."""

    usd_per_gpu_hour: float | None  # the list price per GPU-hour; None: no price at all
    basis: Basis | None
    num_gpus: int  # GPUs asked for
    gpus_billed: int  # instances x GPUs per instance (num_gpus when not from an offer)
    instances: int  # 0 when not from an offer
    # What the estimator multiplies by num_gpus: usd_per_gpu_hour x gpus_billed / num_gpus.
    effective_usd_per_gpu_hour: float | None
    usd_per_hour: float | None  # all billed GPUs
    provider: str = ""
    instance_type: str = ""
    region: str = ""
    gpus_per_instance: int = 0
    spot: bool = False
    as_of: date | None = None
    source: str = ""
    notes: str = ""
    flag: PriceFlag = PriceFlag.NONE  # the offer's (rule 2 only: rule 3 skips flagged)
    stale: bool = False  # older than STALE_AFTER_DAYS, or undated
    warnings: tuple[str, ...] = ()

    def as_dict(self) -> dict:
        return {
            "usd_per_gpu_hour": self.usd_per_gpu_hour,
            "effective_usd_per_gpu_hour": self.effective_usd_per_gpu_hour,
            "usd_per_hour": self.usd_per_hour,
            "basis": None if self.basis is None else str(self.basis),
            "provider": self.provider,
            "instance_type": self.instance_type,
            "region": self.region,
            "gpus_per_instance": self.gpus_per_instance,
            "num_gpus": self.num_gpus,
            "gpus_billed": self.gpus_billed,
            "instances": self.instances,
            "spot": self.spot,
            "as_of": self.as_of.isoformat() if self.as_of else None,
            "source": self.source,
            "notes": self.notes,
            "flag": str(self.flag),
            "stale": self.stale,
            "warnings": list(self.warnings),
        }

    @property
    def label(self) -> str:
        """Where the price comes from, dated when it is an offer: "aws p5.48xlarge
        on-demand (2025-06-01)", "catalog", "entered", "no price"."""
        label = source_label(self.as_dict())
        if self.provider:
            label += f" ({self.as_of.isoformat() if self.as_of else 'undated'})"
        return label


# The price of one GPU-hour of this GPU when renting `count` of them: what the GPU
# comparison and the planner ask for each GPU and count they consider.
PriceFunction = Callable[[GpuSpec, int], PriceUsed]


def source_label(price: Mapping | None) -> str:
    """Where a price (a PriceUsed.as_dict(), as saved) came from, as people read it:
    "aws p5.48xlarge spot"."""
    if not price or price.get("basis") is None:
        return "no price"
    if price["basis"] == Basis.TYPED:
        return "entered"
    if price["basis"] == Basis.CATALOG:
        return "catalog"
    rate = "spot" if price.get("spot") else "on-demand"
    return f"{price['provider']} {price['instance_type']} {rate}"


def typed_price(usd: float, num_gpus: int) -> PriceUsed:
    """Rule 1: a price the user typed, per GPU asked for."""
    return PriceUsed(
        usd_per_gpu_hour=usd,
        basis=Basis.TYPED,
        num_gpus=num_gpus,
        gpus_billed=num_gpus,
        instances=0,
        effective_usd_per_gpu_hour=usd,
        usd_per_hour=usd * num_gpus,
    )


def catalog_price(gpu: GpuSpec, num_gpus: int) -> PriceUsed:
    """Rule 4 alone: the GPU's catalog price (no offers, nothing typed), for callers
    that hold specs only."""
    return _catalog(gpu.hourly_usd, num_gpus)


def _catalog(
    usd: float | None,
    num_gpus: int,
    *,
    as_of: date | None = None,
    source: str = "",
    stale: bool = False,
    warnings: tuple[str, ...] = (),
) -> PriceUsed:
    return PriceUsed(
        usd_per_gpu_hour=usd,
        basis=Basis.CATALOG if usd is not None else None,
        num_gpus=num_gpus,
        gpus_billed=num_gpus,
        instances=0,
        effective_usd_per_gpu_hour=usd,
        usd_per_hour=None if usd is None else usd * num_gpus,
        as_of=as_of if usd is not None else None,
        source=source if usd is not None else "",
        stale=stale,
        warnings=warnings,
    )


@dataclass(frozen=True)
class _Pick:
    offer: Offer
    usd: float  # per GPU-hour
    instances: int
    one_instance: bool  # one instance holds every GPU asked for

    @property
    def gpus_billed(self) -> int:
        return self.instances * self.offer.gpus_per_instance

    @property
    def usd_per_hour(self) -> float:
        return self.gpus_billed * self.usd


def _cheapest(offers: tuple[Offer, ...] | list[Offer], pricing: Pricing, num_gpus: int):
    """The offer whose instances cost least for num_gpus, preferring shapes where one
    instance holds them all (tensor parallelism within a server); None if no offer has
    a price of that kind."""
    picks = []
    for offer in offers:
        if offer.gpus_per_instance < 1:
            raise ValueError(f"{offer.provider} {offer.instance_type}: no GPUs per instance.")
        usd = offer.usd_per_gpu_hour(pricing)
        if usd is None:
            continue
        instances = math.ceil(num_gpus / offer.gpus_per_instance)
        picks.append(_Pick(offer, usd, instances, instances == 1))
    if not picks:
        return None
    return min(
        picks,
        key=lambda p: (
            not p.one_instance,
            p.usd_per_hour,
            p.usd,
            p.offer.provider,
            p.offer.instance_type,
            p.offer.region,
        ),
    )


def listed(offers: tuple[Offer, ...] | list[Offer]) -> list[Offer]:
    """The offers rule 3 may pick: those with a list price (no PriceFlag)."""
    return [o for o in offers if not o.flag]


def _freshness(as_of: date | None, today: date, what: str) -> tuple[bool, list[str]]:
    if as_of is None:
        return True, [f"The {what} is undated: check it is still current."]
    age = (today - as_of).days
    if age > STALE_AFTER_DAYS:
        return True, [
            f"The {what} is {age:,} days old (as of {as_of.isoformat()}): check it is "
            "still current."
        ]
    return False, []


def resolve_price(
    *,
    typed: float | None,
    offers: tuple[Offer, ...] | list[Offer],
    provider: str | None,
    pricing: Pricing | str,
    num_gpus: int,
    catalog_usd: float | None,
    catalog_as_of: date | None,
    today: date,
    catalog_source: str = "",
) -> PriceUsed:
    """The price per GPU-hour that applies, by the order in the module docstring."""
    pricing = Pricing(pricing)
    if typed is not None:
        return typed_price(typed, num_gpus)
    kind = "spot" if pricing == Pricing.SPOT else "on-demand"
    warnings: list[str] = []
    pick = None
    basis = Basis.OFFER
    if provider:
        pick = _cheapest([o for o in offers if o.provider == provider], pricing, num_gpus)
        if pick is None:
            warnings.append(f"{provider} has no {kind} offer for this GPU; using the cheapest.")
    if pick is None:
        basis = Basis.CHEAPEST_OFFER
        pick = _cheapest(listed(offers), pricing, num_gpus)
    if pick is None:
        if pricing == Pricing.SPOT:
            warnings.append("No spot offer for this GPU; using the catalog's on-demand price.")
        stale, notes = (
            _freshness(catalog_as_of, today, "catalog price")
            if catalog_usd is not None
            else (False, [])
        )
        return _catalog(
            catalog_usd,
            num_gpus,
            as_of=catalog_as_of,
            source=catalog_source,
            stale=stale,
            warnings=(*warnings, *notes),
        )
    offer = pick.offer
    if pick.gpus_billed > num_gpus:
        warnings.append(
            f"{offer.provider} rents this GPU {offer.gpus_per_instance} to an instance "
            f"({offer.instance_type}): {num_gpus} GPU{'s' if num_gpus != 1 else ''} are "
            f"billed as {pick.gpus_billed}."
        )
    if not pick.one_instance:
        warnings.append(
            f"{num_gpus} GPUs take {pick.instances} {offer.instance_type} instances: "
            "the estimate assumes they talk as if in one server."
        )
    if offer.flag:
        warnings.append(
            f"{offer.provider}'s price is flagged {offer.flag}: {FLAG_MEANING[offer.flag]}"
        )
    stale, notes = _freshness(offer.as_of, today, f"{offer.provider} price")
    return PriceUsed(
        usd_per_gpu_hour=pick.usd,
        basis=basis,
        num_gpus=num_gpus,
        gpus_billed=pick.gpus_billed,
        instances=pick.instances,
        effective_usd_per_gpu_hour=pick.usd_per_hour / num_gpus,
        usd_per_hour=pick.usd_per_hour,
        provider=offer.provider,
        instance_type=offer.instance_type,
        region=offer.region,
        gpus_per_instance=offer.gpus_per_instance,
        spot=pricing == Pricing.SPOT,
        as_of=offer.as_of,
        source=offer.source,
        notes=offer.notes,
        flag=offer.flag,
        stale=stale,
        warnings=(*warnings, *notes),
    )
