"""Per-client rate limits, counted in the database.

The app keeps no state outside the database and runs as several gunicorn workers on
several servers, so a counter in a worker's memory would let each worker (and each
server) allow the whole limit again. Each limited action instead upserts one row per
client and fixed window (RateCounter) in a single statement, which SQLite and
PostgreSQL both make atomic. A fixed window lets a client reach at most twice the
limit across a window boundary; that is enough to stop a flood.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.conf import settings
from django.db import connection
from django.http import HttpRequest

from calculator.models import RateCounter

SECONDS_PER_UNIT = {"s": 1, "m": 60, "h": 3600, "d": 86400}
PER_UNIT = {"s": "a second", "m": "a minute", "h": "an hour", "d": "a day"}
# Longer addresses are cut: a key is at most 200 characters (RateCounter.key).
ADDRESS_MAX_LENGTH = 100


@dataclass(frozen=True)
class Rate:
    count: int
    unit: str

    @property
    def seconds(self) -> int:
        return SECONDS_PER_UNIT[self.unit]

    def __str__(self) -> str:
        return f"{self.count} {PER_UNIT[self.unit]}"


def parse_rate(text: str) -> Rate | None:
    """ "30/m" -> Rate(30, "m"); "off" -> None. settings.envrate has checked the form."""
    if text == "off":
        return None
    count, _, unit = text.partition("/")
    return Rate(int(count), unit)


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    rate: Rate | None
    retry_after_s: int = 0


def client_key(request: HttpRequest) -> str:
    """A signed-in user counts as one client wherever they connect from; anyone else
    by the address the outermost trusted proxy saw (client_address)."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    return f"ip:{client_address(request)[:ADDRESS_MAX_LENGTH]}"


def client_address(request: HttpRequest) -> str:
    """The address the request came from, as far as the deployment can vouch for it.

    A client can send any X-Forwarded-For it likes; each proxy appends the address it
    received the request from. Behind N trusted proxies (CALCULATOR_TRUSTED_PROXIES)
    the last N entries were written by them, so the Nth from the end is the client;
    anything before it is the client's own claim and is never read (Django removed
    SetRemoteAddrFromForwardedFor in 1.1 for this reason). With no proxies, or a header
    shorter than the chain (a request that did not come through it), the connection's
    own address."""
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = settings.CALCULATOR_TRUSTED_PROXIES
    if proxies == 0:
        return remote
    forwarded = request.headers.get("X-Forwarded-For", "").split(",")
    if len(forwarded) < proxies:
        return remote
    return forwarded[-proxies].strip() or remote


def _count(key: str, window_start: int) -> int:
    table = connection.ops.quote_name(RateCounter._meta.db_table)
    columns = [connection.ops.quote_name(name) for name in ("key", "window_start", "count")]
    key_column, window_column, count_column = columns
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({key_column}, {window_column}, {count_column}) "
            f"VALUES (%s, %s, 1) "
            f"ON CONFLICT ({key_column}, {window_column}) "
            f"DO UPDATE SET {count_column} = {table}.{count_column} + 1 "
            f"RETURNING {count_column}",
            [key, window_start],
        )
        return cursor.fetchone()[0]


def hit(action: str, request: HttpRequest, rate_setting: str) -> Verdict:
    """Count one `action` by this request's client; allowed while within the rate."""
    rate = parse_rate(rate_setting)
    if rate is None:
        return Verdict(allowed=True, rate=None)
    now = int(time.time())
    window_start = now - now % rate.seconds
    count = _count(f"{action}:{client_key(request)}"[:200], window_start)
    if count == 1:
        # A new window: forget windows that can no longer matter.
        RateCounter.objects.filter(window_start__lt=window_start - rate.seconds).delete()
    if count <= rate.count:
        return Verdict(allowed=True, rate=rate)
    return Verdict(allowed=False, rate=rate, retry_after_s=window_start + rate.seconds - now)
