"""Abuse: saving is rate-limited per client, counted in the database; oversized input
and floods of compare ids are refused with a clear message."""

from __future__ import annotations

import threading
import time

import pytest
from django.contrib.auth.models import AnonymousUser, User
from django.db import connection
from django.test import RequestFactory
from django.urls import reverse

from calculator import ratelimit
from calculator.answers.estimate import DEFAULTS
from calculator.models import RateCounter, Scenario
from tests.test_settings import manage

pytestmark = pytest.mark.django_db

SAVE_URL = reverse("calculator:scenario-save")
HTMX = {"HX-Request": "true"}


def save(client, name: str = "Saved", **kwargs):
    return client.post(SAVE_URL, {**DEFAULTS, "name": name}, **kwargs)


@pytest.fixture
def limit(settings):
    def set_limit(rate: str) -> None:
        settings.CALCULATOR_SAVE_RATE = rate

    return set_limit


# Section: the limit


def test_saves_beyond_the_limit_answer_429_with_a_clear_message(client, limit):
    limit("3/m")
    for n in range(3):
        assert save(client, f"Save {n}").status_code == 302

    response = save(client, "One too many")

    assert response.status_code == 429
    assert b"<html" in response.content
    assert "Too many saves: at most 3 a minute from one address." in response.text
    assert "Nothing was saved" in response.text
    assert 0 < int(response["Retry-After"]) <= 60
    assert Scenario.objects.count() == 3


def test_under_htmx_the_message_shows_in_the_save_box(client, limit):
    # htmx 2 does not swap 4xx responses: the fragment comes back as a 200.
    limit("1/m")
    save(client, headers=HTMX)

    response = save(client, "Kept name", headers=HTMX)

    assert response.status_code == 200
    assert b"<html" not in response.content
    assert 'id="save-rate-limited"' in response.text
    assert "at most 1 a minute" in response.text
    assert 'value="Kept name"' in response.text  # what was typed stays
    assert response["Retry-After"]
    assert Scenario.objects.count() == 1


def test_the_count_lives_in_the_database_so_every_server_shares_it(client, limit):
    # Another worker or server has already counted this client's saves this minute.
    limit("5/m")
    now = int(time.time())
    RateCounter.objects.create(key="save:ip:127.0.0.1", window_start=now - now % 60, count=5)

    assert save(client).status_code == 429


def test_a_signed_in_user_is_counted_as_themselves(client, limit):
    limit("1/m")
    alice = User.objects.create_user("alice")
    client.force_login(alice)
    assert save(client).status_code == 302
    assert save(client).status_code == 429
    client.logout()  # the same address, but another client
    assert save(client).status_code == 302
    assert RateCounter.objects.filter(key=f"save:user:{alice.pk}").exists()


def test_clients_behind_a_proxy_are_counted_by_the_forwarded_address(client, limit, settings):
    limit("1/m")
    settings.CALCULATOR_CLIENT_IP_HEADER = "X-Forwarded-For"

    first = {"X-Forwarded-For": "198.51.100.7, 10.0.0.1"}
    second = {"X-Forwarded-For": "10.0.0.2"}
    assert save(client, headers=first).status_code == 302
    assert save(client, headers=first).status_code == 429
    assert save(client, headers=second).status_code == 302


def test_the_forwarded_address_is_ignored_unless_configured(client, limit):
    limit("1/m")
    assert save(client, headers={"X-Forwarded-For": "10.0.0.1"}).status_code == 302
    assert save(client, headers={"X-Forwarded-For": "10.0.0.2"}).status_code == 429


def test_the_limit_can_be_turned_off(client, limit):
    limit("off")
    for n in range(5):
        assert save(client, f"Save {n}").status_code == 302
    assert not RateCounter.objects.exists()


def test_old_windows_are_forgotten(limit):
    RateCounter.objects.create(key="save:ip:old", window_start=0, count=9)
    request = RequestFactory().post("/")
    request.user = AnonymousUser()

    ratelimit.hit("save", request, "5/m")

    assert not RateCounter.objects.filter(window_start=0).exists()


@pytest.mark.parametrize(
    ("text", "count", "seconds", "words"),
    [
        ("30/m", 30, 60, "30 a minute"),
        ("1/s", 1, 1, "1 a second"),
        ("2/h", 2, 3600, "2 an hour"),
        ("500/d", 500, 86400, "500 a day"),
    ],
)
def test_rates_are_read_as_count_per_unit(text, count, seconds, words):
    rate = ratelimit.parse_rate(text)
    assert (rate.count, rate.seconds, str(rate)) == (count, seconds, words)


def test_a_rate_it_cannot_read_stops_start_up():
    result = manage("check", CALCULATOR_SAVE_RATE="30 per minute")
    assert result.returncode != 0
    assert "CALCULATOR_SAVE_RATE must be a count per unit such as 30/m" in result.stderr


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_hits_are_counted_exactly():
    """Eight threads (eight database connections, as workers have) hit at once: the
    counter is one atomic upsert, so exactly the limit gets through."""
    threads_n, hits, allowed = 8, 10, 50
    request = RequestFactory().post("/", REMOTE_ADDR="192.0.2.1")
    request.user = AnonymousUser()
    start = threading.Barrier(threads_n)
    verdicts: list[bool] = []
    lock = threading.Lock()

    def worker() -> None:
        try:
            start.wait()
            for _ in range(hits):
                verdict = ratelimit.hit("save", request, f"{allowed}/h")
                with lock:
                    verdicts.append(verdict.allowed)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(threads_n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(verdicts) == threads_n * hits
    assert sum(verdicts) == allowed
    assert RateCounter.objects.get().count == threads_n * hits


# Section: oversized input


def test_a_name_beyond_its_limit_is_refused(client):
    response = save(client, "n" * 201, headers=HTMX)
    assert "Ensure this value has at most 200 characters (it has 201)." in response.text
    assert not Scenario.objects.exists()


def test_a_request_body_beyond_djangos_limit_is_refused(client):
    response = client.post(SAVE_URL, {**DEFAULTS, "name": "x", "notes": "n" * 3_000_000})
    assert response.status_code == 400
    assert not Scenario.objects.exists()


def test_a_flood_of_compare_ids_is_refused_with_a_clear_error(client, make_scenario):
    ids = [f"id{n:08d}" for n in range(51)]

    response = client.get(reverse("calculator:scenario-compare"), {"s": ids})

    assert response.status_code == 400
    assert "asks for 51 scenarios; a comparison takes at most 50 ids" in response.text


def test_a_few_more_ids_than_columns_are_still_compared(client, make_scenario):
    saved = [make_scenario(name=f"S{n}").public_id for n in range(2)]
    response = client.get(reverse("calculator:scenario-compare"), {"s": [*saved, *saved]})
    assert response.status_code == 200
