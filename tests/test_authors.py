"""Who saved what: authors, the "mine" filter, archiving and unlisted scenarios."""

from __future__ import annotations

import csv
import io

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from calculator.answers.estimate import DEFAULTS
from calculator.models import Scenario

pytestmark = pytest.mark.django_db

SAVE_URL = reverse("calculator:scenario-save")
LIST_URL = reverse("calculator:scenario-list")
HTMX = {"HX-Request": "true"}


def archive_url(scenario: Scenario) -> str:
    return reverse("calculator:scenario-archive", args=[scenario.public_id])


@pytest.fixture
def alice(db) -> User:
    return User.objects.create_user("alice")


@pytest.fixture
def bob(db) -> User:
    return User.objects.create_user("bob")


# Section: authors


def test_a_signed_in_save_records_its_author(client, alice):
    client.force_login(alice)
    client.post(SAVE_URL, {**DEFAULTS, "name": "Mine"})

    scenario = Scenario.objects.get()
    assert scenario.author == alice
    page = client.get(scenario.get_absolute_url())
    assert 'by <span id="scenario-author">alice</span>' in page.text


def test_an_anonymous_save_has_no_author(client):
    client.post(SAVE_URL, {**DEFAULTS, "name": "Nobody at all"})

    scenario = Scenario.objects.get()
    assert scenario.author is None
    assert 'id="scenario-author"' not in client.get(scenario.get_absolute_url()).text


def test_the_author_is_in_the_exports(client, make_scenario, alice):
    scenario = make_scenario(author=alice)

    data = client.get(reverse("calculator:scenario-json", args=[scenario.public_id])).json()
    rows = list(csv.DictReader(io.StringIO(client.get("/scenarios.csv").text)))

    assert data["author"] == "alice"
    assert data["visibility"] == "listed" and data["archived"] is False
    assert rows[0]["author"] == "alice"


def test_the_list_filters_to_mine(client, make_scenario, alice, bob):
    make_scenario(name="Plan of Alice", author=alice)
    make_scenario(name="Plan of Bob", author=bob)
    make_scenario(name="Anonymous plan")
    client.force_login(alice)

    everyone = client.get(LIST_URL)
    mine = client.get(LIST_URL, {"mine": "1"})

    assert all(name in everyone.text for name in ("Plan of Alice", "Plan of Bob", "Anonymous plan"))
    assert "by bob" in everyone.text
    assert "Plan of Alice" in mine.text
    assert "Plan of Bob" not in mine.text and "Anonymous plan" not in mine.text
    assert '<input type="hidden" name="mine" value="1">' in mine.text  # search keeps it


def test_mine_means_nothing_to_an_anonymous_visitor(client, make_scenario, alice):
    make_scenario(name="Plan of Alice", author=alice)

    response = client.get(LIST_URL, {"mine": "1"})

    assert "Plan of Alice" in response.text
    assert 'id="filter-mine"' not in response.text


# Section: archiving


def test_the_author_archives_a_scenario_out_of_the_list(client, make_scenario, alice):
    scenario = make_scenario(name="Old idea", author=alice)
    before = Scenario.objects.values().get(pk=scenario.pk)
    client.force_login(alice)

    response = client.post(archive_url(scenario))

    assert response.status_code == 302
    assert response["Location"] == scenario.get_absolute_url()
    scenario.refresh_from_db()
    assert scenario.is_archived and scenario.archived_by == alice
    after = Scenario.objects.values().get(pk=scenario.pk)
    changed = {key for key in before if before[key] != after[key]}
    assert changed == {"archived_at", "archived_by_id"}  # the saved figures stay as they were
    assert "Old idea" not in client.get(LIST_URL).text
    assert "Old idea" not in client.get("/scenarios.csv").text
    permalink = client.get(scenario.get_absolute_url())
    assert permalink.status_code == 200
    assert 'id="badge-archived"' in permalink.text
    assert "Restore to the list" in permalink.text
    # Still among the author's own, marked.
    mine = client.get(LIST_URL, {"mine": "1"})
    assert "Old idea" in mine.text and "Archived" in mine.text


def test_the_author_restores_an_archived_scenario(client, make_scenario, alice):
    scenario = make_scenario(name="Back again", author=alice)
    scenario.set_archived(True, alice)
    client.force_login(alice)

    client.post(archive_url(scenario), {"archived": "0"})

    scenario.refresh_from_db()
    assert not scenario.is_archived and scenario.archived_by is None
    assert "Back again" in client.get(LIST_URL).text


def test_staff_archive_anyones_scenario(client, make_scenario, alice):
    scenario = make_scenario(author=alice)
    staff = User.objects.create_user("staff", is_staff=True)
    client.force_login(staff)

    assert "Archive" in client.get(scenario.get_absolute_url()).text
    client.post(archive_url(scenario))

    scenario.refresh_from_db()
    assert scenario.archived_by == staff


@pytest.mark.parametrize("who", ["anonymous", "someone else"])
def test_nobody_else_may_archive(client, make_scenario, alice, bob, who):
    scenario = make_scenario(author=alice)
    anonymous = make_scenario(name="No author")
    if who == "someone else":
        client.force_login(bob)

    assert 'id="archive"' not in client.get(scenario.get_absolute_url()).text
    assert client.post(archive_url(scenario)).status_code == 403
    assert client.post(archive_url(anonymous)).status_code == 403
    assert not Scenario.objects.filter(archived_at__isnull=False).exists()


def test_archiving_is_a_post(client, make_scenario, alice):
    scenario = make_scenario(author=alice)
    client.force_login(alice)
    assert client.get(archive_url(scenario)).status_code == 405


def test_there_is_no_way_to_delete_a_scenario_from_the_pages(client, make_scenario, alice):
    scenario = make_scenario(author=alice)
    client.force_login(alice)
    text = client.get(scenario.get_absolute_url()).text
    assert "Delete" not in text and "delete" not in text


# Section: visibility


def test_the_save_form_offers_listed_or_unlisted_listed_by_default(client):
    response = client.get("/")
    assert 'name="visibility" value="listed"' in response.text
    assert 'name="visibility" value="unlisted"' in response.text
    field = response.text.split('value="listed"', 1)[1].split(">", 1)[0]
    assert "checked" in field


def test_an_unlisted_scenario_is_reachable_by_its_link_only(client, make_scenario, alice):
    client.force_login(alice)
    response = client.post(
        SAVE_URL, {**DEFAULTS, "name": "Secret sizing", "visibility": "unlisted"}, headers=HTMX
    )
    scenario = Scenario.objects.get()
    listed = make_scenario(name="Public sizing")

    assert scenario.visibility == "unlisted"
    assert "it is unlisted" in response.text
    assert "Secret sizing" not in client.get(LIST_URL).text
    assert "Secret sizing" not in client.get(LIST_URL, {"q": "secret"}).text
    assert "Secret sizing" not in client.get("/scenarios.csv").text
    assert "Public sizing" in client.get(LIST_URL).text
    permalink = client.get(scenario.get_absolute_url())
    assert permalink.status_code == 200 and 'id="badge-unlisted"' in permalink.text
    compare = client.get(
        reverse("calculator:scenario-compare"), {"s": [scenario.public_id, listed.public_id]}
    )
    assert compare.status_code == 200
    assert "Secret sizing" in client.get(LIST_URL, {"mine": "1"}).text


def test_a_save_that_does_not_say_is_listed(client):
    client.post(SAVE_URL, {**DEFAULTS, "name": "Default"})
    assert Scenario.objects.get().visibility == "listed"


def test_a_visibility_it_does_not_know_is_an_error(client):
    response = client.post(
        SAVE_URL, {**DEFAULTS, "name": "x", "visibility": "secret"}, headers=HTMX
    )
    assert "Select a valid choice" in response.text
    assert not Scenario.objects.exists()


# Section: the admin


def test_the_admin_shows_author_visibility_and_archived(admin_client, make_scenario, alice):
    scenario = make_scenario(name="Shown", author=alice, visibility="unlisted")
    scenario.set_archived(True, alice)

    listing = admin_client.get(reverse("admin:calculator_scenario_changelist"))
    detail = admin_client.get(reverse("admin:calculator_scenario_change", args=[scenario.pk]))

    assert "alice" in listing.content.decode()
    assert "Unlisted" in listing.content.decode()
    assert "Archived by" in detail.content.decode()
