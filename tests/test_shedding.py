"""Load shedding and the compute rate limit (issue 17 item 2): a flood of heavy
requests is refused with 429/503 and Retry-After while cheap ones are answered."""

from __future__ import annotations

import threading
from urllib.parse import urlencode

import pytest
from django.contrib.auth.models import User

from calculator import shedding
from calculator.answers import capacity
from calculator.models import Plan, RateCounter

SERVE = (
    "/api/serve?model=llama-3.1-8b&gpu=h100-sxm&gpus=1&prompt=100&completion=10&rate=1&requests=20"
)
PLAN_QUERY = urlencode({**capacity.DEFAULTS, "gpus": "h100-sxm", "max_gpus_per_replica": "1"})
ESTIMATE = "/api/estimate?model=llama-3.1-8b&gpu=h100-sxm&gpus=1&batch=1&prompt=100&completion=10"


# Section: the gate


def test_a_gate_lets_in_its_slots_and_refuses_the_rest_at_once():
    gate = shedding.Gate(slots=2, queue=0)
    assert gate.enter(timeout=5) and gate.enter(timeout=5)
    assert not gate.enter(timeout=5)  # no queue: refused without waiting
    gate.leave()
    assert gate.enter(timeout=0)


def test_a_waiter_gets_the_slot_when_it_frees_and_the_queue_is_bounded():
    gate = shedding.Gate(slots=1, queue=1)
    assert gate.enter(timeout=0)
    got = []
    waiter = threading.Thread(target=lambda: got.append(gate.enter(timeout=10)))
    waiter.start()
    while gate._waiting == 0:  # the waiter has queued
        threading.Event().wait(0.01)
    assert not gate.enter(timeout=10)  # the queue (1) is full: refused at once
    gate.leave()
    waiter.join(timeout=10)
    assert got == [True]


# Section: shed requests, in the caller's language


@pytest.fixture
def busy(settings):
    """Every heavy slot of this process taken, nobody may wait."""
    settings.CALCULATOR_HEAVY_SLOTS = 1
    settings.CALCULATOR_HEAVY_QUEUE = 0
    gate = shedding.gate()
    assert gate.enter(timeout=0)
    yield
    gate.leave()


@pytest.mark.django_db
@pytest.mark.parametrize("url", [SERVE, f"/api/plan?{PLAN_QUERY}"])
def test_the_api_sheds_with_a_json_503_and_retry_after(client, busy, url):
    response = client.get(url)
    assert response.status_code == 503
    assert "busy" in response.json()["error"]
    assert response["Retry-After"] == str(shedding.BUSY_RETRY_AFTER_S)


@pytest.mark.django_db
def test_cheap_requests_are_answered_while_every_heavy_slot_is_taken(client, busy):
    assert client.get("/healthz").status_code == 200
    assert client.get(ESTIMATE).status_code == 200
    assert client.get("/plan/").status_code == 200  # the bare page plans nothing
    assert client.get("/").status_code == 200


@pytest.mark.django_db
def test_under_htmx_a_shed_plan_is_a_200_swapped_into_the_section_that_asked(client, busy):
    response = client.get(
        f"/plan/?{PLAN_QUERY}", headers={"HX-Request": "true", "HX-Target": "plan-results"}
    )
    assert response.status_code == 200  # htmx 2 swaps no 5xx
    assert response["HX-Retarget"] == "#plan-results"
    assert response["HX-Reswap"] == "innerHTML"
    assert response["Retry-After"] == str(shedding.BUSY_RETRY_AFTER_S)
    assert "busy" in response.text and "Try again" in response.text
    assert f'hx-get="/plan/?{PLAN_QUERY}"'.replace("&", "&amp;") in response.text


@pytest.mark.django_db
def test_without_htmx_a_shed_page_is_a_503_page(client, busy):
    response = client.get(f"/plan/?{PLAN_QUERY}")
    assert response.status_code == 503
    assert "<html" in response.text and "busy" in response.text
    assert response["Retry-After"] == str(shedding.BUSY_RETRY_AFTER_S)


@pytest.mark.django_db
def test_saved_vs_now_and_under_load_are_shed_too(client, busy):
    plan = Plan.objects.create(
        inputs=capacity.DEFAULTS, results={}, snapshot={}, estimator_version=""
    )
    for url in (f"/p/{plan.public_id}/now", "/under-load/?model=llama-3.1-8b"):
        response = client.get(url, headers={"HX-Request": "true"})
        assert response.status_code == 200 and "busy" in response.text, url
        assert "HX-Retarget" not in response  # no target id sent: swapped where it asked


@pytest.mark.django_db
def test_a_slot_is_given_back_when_the_view_fails(client, settings):
    settings.CALCULATOR_HEAVY_SLOTS = 1
    settings.CALCULATOR_HEAVY_QUEUE = 0
    for _ in range(3):  # a refused (400) and a served (200) request each release
        assert client.get("/api/serve?model=nope").status_code == 400
        assert client.get(SERVE).status_code == 200


# Section: the per-client compute rate, in the database


@pytest.fixture
def frozen_clock(time_machine):
    """30 s into a minute (time.time() == 1_800_000_030), and it stays there."""
    time_machine.move_to(1_800_000_030.0, tick=False)
    return time_machine


@pytest.mark.django_db
def test_a_client_over_the_compute_rate_gets_a_429_with_retry_after(client, settings, frozen_clock):
    settings.CALCULATOR_COMPUTE_RATE = "2/m"
    assert client.get(SERVE).status_code == 200
    assert client.get(f"/api/plan?{PLAN_QUERY}").status_code == 200
    response = client.get(SERVE)

    assert response.status_code == 429
    assert "at most 2 a minute" in response.json()["error"]
    assert response["Retry-After"] == "30"  # the window ends 30 s after the frozen now
    assert RateCounter.objects.get(key__startswith="compute:").count == 3
    # Cheap requests are not counted.
    assert client.get(ESTIMATE).status_code == 200


@pytest.mark.django_db
def test_the_compute_rate_counts_each_client_apart(client, settings, frozen_clock):
    settings.CALCULATOR_COMPUTE_RATE = "1/m"
    assert client.get(SERVE).status_code == 200
    assert client.get(SERVE).status_code == 429
    client.force_login(User.objects.create_user("alice"))
    assert client.get(SERVE).status_code == 200  # a signed-in user is a client of their own


@pytest.mark.django_db
def test_a_rate_limited_keystroke_section_says_so_in_a_200(client, settings, frozen_clock):
    settings.CALCULATOR_COMPUTE_RATE = "1/m"
    url = "/under-load/?model=llama-3.1-8b"
    client.get(url, headers={"HX-Request": "true"})
    response = client.get(url, headers={"HX-Request": "true", "HX-Target": "under-load"})
    assert response.status_code == 200
    assert "Too many computations" in response.text
    assert response["Retry-After"] == "30"


def test_the_compute_rate_setting_is_checked_at_start_up():
    from tests.test_settings import manage

    result = manage("check", CALCULATOR_COMPUTE_RATE="lots")
    assert result.returncode != 0
    assert "CALCULATOR_COMPUTE_RATE must be a count per unit" in result.stderr
    result = manage("check", CALCULATOR_HEAVY_SLOTS="0")
    assert result.returncode != 0
    assert "CALCULATOR_HEAVY_SLOTS must be at least 1" in result.stderr


def test_make_serve_runs_gthread_workers_that_never_time_out_on_a_computation():
    from config import gunicorn

    assert gunicorn.worker_class == "gthread"
    assert gunicorn.threads > 1
    assert gunicorn.timeout >= 30
    from pathlib import Path

    makefile = (Path(__file__).resolve().parent.parent / "Makefile").read_text()
    assert "--config config/gunicorn.py" in makefile
