"""The app's models by domain, re-exported so ``from calculator.models import X`` works.

- ``catalog``: GPUs, open models, engines, hosted APIs and cloud offers, with history;
- ``saved``: scenarios and plans, their public ids, authors and visibility;
- ``access``: API tokens and rate counters.

Migrations name ``calculator.models.make_public_id``: keep it importable from here.
"""

from __future__ import annotations

# isort: off
# The catalog first, then saved work, then access: Django lists the app's models in
# the order they are defined, and backups (calculator/backup.py) follow that order.
from calculator.models.catalog import (
    INTERCONNECT_CHOICES,
    PARALLELISM_CHOICES,
    SLUG_MAX_LENGTH,
    UPSTREAM_KEY_MAX_LENGTH,
    ActiveQuerySet,
    ApiOffering,
    CloudOffer,
    EngineProfile,
    GpuType,
    LlmModel,
    slug_field,
    validate_catalog_slug,
    validate_upstream_key,
)
from calculator.models.saved import (
    PUBLIC_ID_BYTES,
    PUBLIC_ID_MAX_LENGTH,
    Authored,
    AuthoredQuerySet,
    Plan,
    Scenario,
    ScenarioQuerySet,
    Visibility,
    make_public_id,
)
from calculator.models.access import (
    API_TOKEN_BYTES,
    API_TOKEN_LAST_USED_RESOLUTION_S,
    API_TOKEN_PREFIX,
    API_TOKEN_SHOWN_CHARS,
    ApiToken,
    ApiTokenQuerySet,
    RateCounter,
    hash_api_token,
)
# isort: on

__all__ = [
    "API_TOKEN_BYTES",
    "API_TOKEN_LAST_USED_RESOLUTION_S",
    "API_TOKEN_PREFIX",
    "API_TOKEN_SHOWN_CHARS",
    "INTERCONNECT_CHOICES",
    "PARALLELISM_CHOICES",
    "PUBLIC_ID_BYTES",
    "PUBLIC_ID_MAX_LENGTH",
    "SLUG_MAX_LENGTH",
    "UPSTREAM_KEY_MAX_LENGTH",
    "ActiveQuerySet",
    "ApiOffering",
    "ApiToken",
    "ApiTokenQuerySet",
    "Authored",
    "AuthoredQuerySet",
    "CloudOffer",
    "EngineProfile",
    "GpuType",
    "LlmModel",
    "Plan",
    "RateCounter",
    "Scenario",
    "ScenarioQuerySet",
    "Visibility",
    "hash_api_token",
    "make_public_id",
    "slug_field",
    "validate_catalog_slug",
    "validate_upstream_key",
]
