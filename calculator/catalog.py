"""The active catalog, read once per process and again whenever the database changes.

Every request asks the database one cheap question, "has the catalog changed?" (each
table's row count, active row count and newest updated_at, in one query), and reuses
what this process read last time when it hasn't. So an admin's price edit shows on the
next request of every worker, and nothing but the database holds state: several app
servers can share it. A change that bypasses save() (a queryset update() or raw SQL)
is noticed only when it changes a count, or once any saved change follows it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection

from calculator import estimator
from calculator.estimator import pricing
from calculator.models import ApiOffering, CloudOffer, EngineProfile, GpuType, LlmModel

CATALOG_MODELS = (GpuType, LlmModel, EngineProfile, ApiOffering, CloudOffer)


@dataclass(frozen=True)
class Catalog:
    version: tuple
    # Active rows, each in its model's ordering. Shared by every request of this
    # process until the catalog changes: read them, never save them.
    gpus: tuple[GpuType, ...]
    models: tuple[LlmModel, ...]
    engines: tuple[EngineProfile, ...]
    offerings: tuple[ApiOffering, ...]
    offering_specs: tuple[estimator.ApiOffering, ...]
    # Active cloud offers per GPU slug, and every provider that has one.
    offers: dict[str, tuple[pricing.Offer, ...]]
    providers: tuple[str, ...]
    # What requests derive from these rows (a form's choices, the offerings a model is
    # compared with), made once per catalog version: see derived().
    _derived: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    def offers_for(self, gpu: GpuType) -> tuple[pricing.Offer, ...]:
        return self.offers.get(gpu.slug, ())

    def derived(self, key: Hashable, build: Callable[[], Any]) -> Any:
        """``build()``, made once for this catalog version and kept with it (so a
        catalog change starts afresh). What it returns is shared by every request of
        this process: read it, never change it. Two threads may both build the first
        time; either result is kept."""
        try:
            return self._derived[key]
        except KeyError:
            return self._derived.setdefault(key, build())


_lock = threading.Lock()
_cached: dict[str, Any] = {}
_version_queries: dict[str, str] = {}  # per database vendor


def _version_query() -> str:
    columns = ", ".join(
        f"(SELECT COUNT(*) FROM {table}), (SELECT COUNT(*) FROM {table} WHERE is_active), "
        f"(SELECT MAX(updated_at) FROM {table})"
        for table in (connection.ops.quote_name(m._meta.db_table) for m in CATALOG_MODELS)
    )
    return f"SELECT {columns}"  # noqa: S608 - table names from our models


def catalog_version() -> tuple:
    # The query per database vendor, written once (every request asks it; indexes on
    # is_active and updated_at keep it from reading the tables).
    query = _version_queries.get(connection.vendor)
    if query is None:
        query = _version_queries[connection.vendor] = _version_query()
    with connection.cursor() as cursor:
        cursor.execute(query)
        return tuple(str(value) for value in cursor.fetchone())


def current() -> Catalog:
    version = catalog_version()
    catalog = _cached.get("catalog")
    if catalog is not None and catalog.version == version:
        return catalog
    offerings = tuple(ApiOffering.objects.active().select_related("llm_model"))
    offers: dict[str, list[pricing.Offer]] = {}
    for offer in CloudOffer.objects.active().select_related("gpu"):
        offers.setdefault(offer.gpu.slug, []).append(offer.to_spec())
    catalog = Catalog(
        version=version,
        gpus=tuple(GpuType.objects.active()),
        models=tuple(LlmModel.objects.active()),
        engines=tuple(EngineProfile.objects.active()),
        offerings=offerings,
        offering_specs=tuple(offering.to_spec() for offering in offerings),
        offers={slug: tuple(rows) for slug, rows in offers.items()},
        providers=tuple(sorted({o.provider for rows in offers.values() for o in rows})),
    )
    with _lock:
        _cached["catalog"] = catalog
    return catalog


def forget() -> None:
    """Drop what this process read, so the next request reads the catalog again."""
    with _lock:
        _cached.clear()
