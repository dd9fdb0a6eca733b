"""Saved work: scenarios and plans, their public ids, who saved them and who sees them.

Saved rows are immutable: a permalink renders from what was saved, never from today's
catalog.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from calculator.models.catalog import EngineProfile, GpuType, LlmModel

# Section: public ids (scenarios and plans)

# 8 random bytes = 64 bits, 11 URL-safe characters: too many to guess or enumerate.
PUBLIC_ID_BYTES = 8
PUBLIC_ID_MAX_LENGTH = 16


def make_public_id() -> str:
    return secrets.token_urlsafe(PUBLIC_ID_BYTES)


# Section: who saved what (shared by every saved thing: scenarios, plans)


class Visibility(models.TextChoices):
    LISTED = "listed", "Listed: in the scenario list and its search"
    UNLISTED = "unlisted", "Unlisted: only people with the link"


class AuthoredQuerySet(models.QuerySet):
    def listed(self) -> AuthoredQuerySet:
        """What the public list shows: listed and not archived."""
        return self.filter(visibility=Visibility.LISTED, archived_at__isnull=True)

    def by(self, user) -> AuthoredQuerySet:
        """Everything this user saved, unlisted and archived included."""
        return self.filter(author=user) if user.is_authenticated else self.none()


def _who(**options) -> models.ForeignKey:
    """A link to the account that did something; it outlives the account (then None)
    and no form edits it."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        **options,
    )


class Authored(models.Model):
    """Who saved a row, whether lists show it, and whether it is archived.

    Saved things stay immutable: archiving hides a row from lists without changing
    what it says, and only its author or staff may archive or restore it. Add this to
    any saved model (with a manager built on AuthoredQuerySet) to get the same rules.
    """

    author = _who(related_name="%(class)ss", help_text="Who saved it, when someone was signed in.")
    visibility = models.CharField(
        max_length=10, choices=Visibility.choices, default=Visibility.LISTED
    )
    archived_at = models.DateTimeField(null=True, blank=True, editable=False)
    archived_by = _who(related_name="+")

    class Meta:
        abstract = True

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None

    @property
    def is_unlisted(self) -> bool:
        return self.visibility == Visibility.UNLISTED

    def can_archive(self, user) -> bool:
        """The author or staff, signed in and active."""
        if not (user.is_authenticated and user.is_active):
            return False
        return user.is_staff or (self.author_id is not None and self.author_id == user.pk)

    def set_archived(self, archived: bool, user) -> None:
        """Archive (or restore) without saving anything else about the row."""
        self.archived_at = timezone.now() if archived else None
        self.archived_by = user if archived else None
        type(self)._base_manager.filter(pk=self.pk).update(
            archived_at=self.archived_at, archived_by=self.archived_by
        )


# Section: saved scenarios


class ScenarioQuerySet(AuthoredQuerySet):
    def search(self, query: str) -> ScenarioQuerySet:
        query = query.strip()
        return self.filter(name__icontains=query) if query else self


class Scenario(Authored):
    """A saved calculation: its inputs, its results and what they were computed from.

    Immutable once saved. The permalink renders from ``snapshot`` and ``results`` only,
    so later catalog edits or deletions never change it; the foreign keys are
    conveniences for the admin and become NULL when a catalog row is deleted.
    """

    public_id = models.CharField(
        max_length=PUBLIC_ID_MAX_LENGTH, unique=True, editable=False, default=make_public_id
    )
    name = models.CharField(max_length=200)
    notes = models.TextField(blank=True)
    inputs = models.JSONField(help_text="The calculator's query parameters, as strings.")
    snapshot = models.JSONField(help_text="The GPU, model, engine and API figures and prices used.")
    results = models.JSONField(help_text="The estimate, as the JSON API gives it.")
    estimator_version = models.CharField(max_length=20)
    created_at = models.DateTimeField(auto_now_add=True)

    gpu = models.ForeignKey(
        GpuType, on_delete=models.SET_NULL, null=True, blank=True, related_name="scenarios"
    )
    llm_model = models.ForeignKey(
        LlmModel, on_delete=models.SET_NULL, null=True, blank=True, related_name="scenarios"
    )
    engine = models.ForeignKey(
        EngineProfile, on_delete=models.SET_NULL, null=True, blank=True, related_name="scenarios"
    )

    objects = ScenarioQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["author", "-created_at"], name="calculator_scenario_author")
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("calculator:scenario-detail", args=[self.public_id])

    @property
    def model_name(self) -> str:
        return self.snapshot["model"]["name"]

    @property
    def gpu_name(self) -> str:
        return self.snapshot["gpu"]["name"]

    @property
    def num_gpus(self) -> int:
        return int(self.inputs["gpus"])


# Section: saved plans


class Plan(Authored):
    """A saved capacity plan: its inputs, the plan as the API gave it, and the prices
    and specs it was computed from. Immutable once saved, like a Scenario: the permalink
    renders from ``results`` and ``snapshot`` only."""

    public_id = models.CharField(
        max_length=PUBLIC_ID_MAX_LENGTH, unique=True, editable=False, default=make_public_id
    )
    name = models.CharField(max_length=200, blank=True)
    inputs = models.JSONField(help_text="The planner's query parameters, as strings.")
    results = models.JSONField(help_text="The plan, as GET /api/plan gives it.")
    snapshot = models.JSONField(help_text="The model, engine and GPU prices used.")
    traffic = models.JSONField(
        default=dict,
        blank=True,
        help_text="The traffic profile planned for: hourly rates (weekday, weekend), where "
        "they came from, a request log's summary. Empty for one rate.",
    )
    estimator_version = models.CharField(max_length=20)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AuthoredQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.name or f"Plan {self.public_id}"

    def get_absolute_url(self) -> str:
        return reverse("calculator:plan-detail", args=[self.public_id])
