"""Access: API tokens for scripts, and the rate counters every worker shares."""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone

# Section: API tokens

# 32 random bytes (256 bits), URL-safe; the prefix tells a leaked token's origin
# (secret scanners look for such prefixes).
API_TOKEN_PREFIX = "calc_"
API_TOKEN_BYTES = 32
API_TOKEN_SHOWN_CHARS = 9  # of the token, kept in clear so its owner can recognise it
# last_used_at is written at most this often per token, not on every API request.
API_TOKEN_LAST_USED_RESOLUTION_S = 300


def hash_api_token(key: str) -> str:
    """SHA-256 of the token: it has 256 random bits, so a fast hash is enough (no
    dictionary to guess from), and the database never holds a usable token."""
    return hashlib.sha256(key.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def authenticate(self, key: str) -> ApiToken | None:
        """The token for this key, if it exists and its user is active."""
        if not key.startswith(API_TOKEN_PREFIX):
            return None
        token = (
            self.select_related("user")
            .filter(key_hash=hash_api_token(key), user__is_active=True)
            .first()
        )
        if token is not None:
            now = timezone.now()
            last = token.last_used_at
            if last is None or (now - last).total_seconds() > API_TOKEN_LAST_USED_RESOLUTION_S:
                type(token)._base_manager.filter(pk=token.pk).update(last_used_at=now)
                token.last_used_at = now
        return token


class ApiToken(models.Model):
    """A key for scripts: `Authorization: Bearer <key>` acts as its user on the API.

    Only the key's SHA-256 is stored; the key itself is shown once, when created.
    Revoking deletes the row.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100, help_text="What it is for, e.g. “nightly report”.")
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    shown = models.CharField(
        max_length=API_TOKEN_SHOWN_CHARS, editable=False, help_text="The token's first characters."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "API token"

    def __str__(self) -> str:
        return f"{self.name} ({self.shown}…)"

    def set_new_key(self) -> str:
        """Give the (unsaved) token a fresh key and return it: the only time the key
        exists in clear."""
        key = API_TOKEN_PREFIX + secrets.token_urlsafe(API_TOKEN_BYTES)
        self.key_hash = hash_api_token(key)
        self.shown = key[:API_TOKEN_SHOWN_CHARS]
        return key

    @classmethod
    def issue(cls, user, name: str) -> tuple[ApiToken, str]:
        """A new token for `user`, and its key."""
        token = cls(user=user, name=name)
        key = token.set_new_key()
        token.save()
        return token, key


# Section: rate limits


class RateCounter(models.Model):
    """How many times a client did something in one fixed window of time.

    Kept in the database, not in a worker's memory, so every gunicorn worker on every
    app server counts against the same limit (calculator/ratelimit.py).
    """

    exclude_from_backup = True  # transient: export_data leaves it out

    key = models.CharField(max_length=200, help_text="What was done, and by whom.")
    window_start = models.BigIntegerField(help_text="Seconds since the epoch.")
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["key", "window_start"], name="calculator_ratecounter_key_window"
            ),
        ]
        indexes = [models.Index(fields=["window_start"], name="calculator_ratecounter_window")]

    def __str__(self) -> str:
        return f"{self.key} @ {self.window_start}: {self.count}"
