"""Data safety: many clients saving at once lose nothing, and a save is all or nothing.

Runs on whichever database the settings point at: SQLite (a file in WAL mode, with
IMMEDIATE transactions and a busy timeout, see config/settings.py) or PostgreSQL with
DATABASE_URL. The tests commit for real (transaction=True), as production requests do;
serialized_rollback puts the seeded catalog back for the tests that follow.
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections
from django.db.models.signals import post_save
from django.test import Client
from django.urls import reverse

from calculator.answers.estimate import DEFAULTS, save
from calculator.forms import CalculatorForm
from calculator.models import Scenario

pytestmark = pytest.mark.slow  # subprocesses or real concurrency: `make test-fast` leaves it out

WRITERS = 8
SAVES = 200
SAVE_URL = reverse("calculator:scenario-save")


def save_data(writer: int, n: int) -> dict[str, str]:
    """Inputs that tell every save apart: its name, and a batch and GPU count of its own."""
    return {
        **{key: str(value) for key, value in DEFAULTS.items()},
        "gpus": str(2 ** (n % 3 + 1)),
        "batch": str(writer * 100 + n + 1),
        "name": f"Writer {writer} save {n} <b>&</b> ünïcødé",
        "notes": f"Saved concurrently by writer {writer}.",
    }


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_eight_concurrent_writers_lose_none_of_200_saves():
    per_writer = SAVES // WRITERS
    start = threading.Barrier(WRITERS)
    locations: dict[tuple[int, int], str] = {}
    failures: list[str] = []
    lock = threading.Lock()

    def writer(number: int) -> None:
        client = Client(raise_request_exception=False)
        try:
            start.wait()
            for n in range(per_writer):
                response = client.post(SAVE_URL, save_data(number, n))
                with lock:
                    if response.status_code == 302:
                        locations[number, n] = response["Location"]
                    else:
                        failures.append(f"writer {number} save {n}: {response.status_code}")
        finally:
            connection.close()  # this thread's own connection

    threads = [threading.Thread(target=writer, args=(w,)) for w in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert failures == []
    assert Scenario.objects.count() == SAVES
    assert len(set(locations.values())) == SAVES
    scenarios = {s.name: s for s in Scenario.objects.all()}
    client = Client()
    for (number, n), location in locations.items():
        data = save_data(number, n)
        scenario = scenarios[data["name"]]
        assert location == scenario.get_absolute_url()
        assert scenario.inputs["batch"] == data["batch"]
        assert scenario.inputs["gpus"] == data["gpus"]
        response = client.get(location)
        assert response.status_code == 200
        assert f"Writer {number} save {n} &lt;b&gt;&amp;&lt;/b&gt; ünïcødé" in response.text
    assert len({s.results["batch"] for s in scenarios.values()}) == SAVES


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_crash_in_the_middle_of_a_save_leaves_no_scenario():
    def crash(sender, instance, created, **kwargs):
        raise RuntimeError("the worker died after the INSERT, before COMMIT")

    post_save.connect(crash, sender=Scenario)
    try:
        response = Client(raise_request_exception=False).post(SAVE_URL, save_data(0, 0))
        form = CalculatorForm(DEFAULTS)
        assert form.is_valid()
        with pytest.raises(RuntimeError):
            save(form, name="Half written", notes="")
    finally:
        post_save.disconnect(crash, sender=Scenario)
    assert response.status_code == 500
    assert Scenario.objects.count() == 0
    # The connection is usable afterwards: no transaction was left open.
    assert not connections["default"].in_atomic_block
    response = Client().post(SAVE_URL, save_data(0, 1))
    assert response.status_code == 302
    assert Scenario.objects.count() == 1
