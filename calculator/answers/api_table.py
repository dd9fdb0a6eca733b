"""The calculator's "Versus commercial APIs" section: the estimate's API comparison,
with what the table says of each offering. The comparison itself is the estimator's
(each offering's bill for the same tokens); this orders and labels it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from calculator import snapshots
from calculator.answers.estimate import Estimated
from calculator.answers.shared import same_model


def api_rows(result: Mapping, offerings: Iterable[Mapping]) -> list[dict]:
    """The estimate's API comparison with what the table says of each offering: this
    model's hosted offerings first, then the closed reference models, then the rest,
    each group cheapest first (deprecated ones after).

    `offerings`: dicts with slug, title, provider, price_as_of, same_model, reference and
    deprecated (offering_dicts() for the catalog, snapshots.saved_offerings() for a
    saved scenario).
    """
    by_slug = {offering["slug"]: offering for offering in offerings}
    rows = []
    for comparison in result["api_comparison"]:
        offering = by_slug.get(comparison["slug"], {})
        rows.append(
            {
                **comparison,
                "title": offering.get("title", comparison["name"]),
                "provider": offering.get("provider", ""),
                "price_as_of": snapshots.as_date(offering.get("price_as_of")),
                "same_model": offering.get("same_model", False),
                "reference": offering.get("reference", False),
                "deprecated": offering.get("deprecated", False),
            }
        )

    def order(row: dict) -> tuple:
        group = 0 if row["same_model"] else 1 if row["reference"] else 2
        return (group, row["deprecated"], row["total_usd"], row["slug"])

    return sorted(rows, key=order)


def offering_dicts(offerings, model) -> list[dict]:
    """Catalog ApiOffering rows in the shape api_rows() reads, for an estimate of
    `model`."""
    return [
        {
            "slug": offering.slug,
            "title": offering.name,
            "provider": offering.provider,
            "price_as_of": offering.price_as_of,
            "same_model": same_model(offering, model),
            "reference": offering.is_reference,
            "deprecated": offering.is_deprecated,
        }
        for offering in offerings
    ]


def answer(estimated: Estimated, *, all_apis: bool) -> dict:
    """The table's rows for an estimate, and how many active offerings it leaves out
    unless every one was asked for."""
    rows = api_rows(
        estimated.estimate.as_dict(),
        offering_dicts(estimated.offerings, estimated.data["model"]),
    )
    hidden = 0 if all_apis else len(estimated.form.catalog.offerings) - len(rows)
    return {"api_rows": rows, "api_rows_hidden": hidden}
