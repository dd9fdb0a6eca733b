"""GET /healthz: 200 when the database answers, 503 when it doesn't."""

from __future__ import annotations

from unittest import mock

import pytest
from django.db import OperationalError
from django.urls import reverse

from calculator.views import health

pytestmark = pytest.mark.django_db

URL = "/healthz"


def test_it_lives_at_healthz():
    assert reverse("calculator:healthz") == URL


def test_it_answers_ok_when_the_database_answers(client):
    response = client.get(URL)
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_it_answers_503_when_the_database_does_not(client, caplog):
    with mock.patch.object(
        health.connection, "cursor", side_effect=OperationalError("connection refused")
    ):
        response = client.get(URL)
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable"}
    assert "the database did not answer" in caplog.text


def test_it_is_never_cached(client):
    response = client.get(URL)
    assert "no-cache" in response["Cache-Control"]
    assert "no-store" in response["Cache-Control"]


def test_it_answers_head_for_probes_that_only_read_the_status(client):
    assert client.head(URL).status_code == 200


def test_it_rejects_post(client):
    assert client.post(URL).status_code == 405


def test_it_answers_over_plain_http_when_other_pages_redirect(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    assert client.get(URL).status_code == 200
    assert client.get(reverse("calculator:api-gpus")).status_code == 301
