"""CSV exports as an attacker would use them: text typed into a name, a note or the
catalog must reach a colleague's spreadsheet as text, never as a formula."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from calculator.exports import FORMULA_PREFIXES, cell
from calculator.models import Plan

# OWASP's list (owasp.org/www-community/attacks/CSV_Injection) and ASVS 5.0 1.2.10's NUL.
OWASP_PREFIXES = ["=", "+", "-", "@", "\t", "\r", "\n", "\0"]
# PostgreSQL's text and JSON cannot hold NUL, so only SQLite can store a name that
# starts with it; the guard itself is checked for NUL above the database tests.
STORABLE_PREFIXES = ["=", "+", "-", "@", "\t", "\r", "\n"]
PAYLOAD = 'cmd|" /C calc"!A0'


def read(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode())))


@pytest.mark.parametrize("prefix", OWASP_PREFIXES)
def test_every_owasp_formula_prefix_is_defused(prefix):
    assert prefix in FORMULA_PREFIXES
    assert cell(prefix + PAYLOAD) == "'" + prefix + PAYLOAD


@pytest.mark.parametrize("text", ["Plain", "1+1", "a=b", "'quoted", " =space", "", "0.5"])
def test_text_that_cannot_start_a_formula_is_left_alone(text):
    assert cell(text) == text


def test_none_is_an_empty_cell_and_numbers_are_their_text():
    assert (cell(None), cell(3), cell(0.25), cell(False)) == ("", "3", "0.25", "False")


@pytest.mark.django_db
@pytest.mark.parametrize("prefix", STORABLE_PREFIXES)
def test_a_scenario_named_as_a_formula_exports_as_text(client, make_scenario, prefix):
    name = prefix + "HYPERLINK(1)"
    notes = prefix + "notes"
    scenario = make_scenario(name=name, notes=notes)

    listed = read(client.get(reverse("calculator:scenario-list-csv")))
    single = dict(read(client.get(reverse("calculator:scenario-csv", args=[scenario.public_id]))))

    header, row = listed
    assert row[header.index("name")] == "'" + name
    assert row[header.index("notes")] == "'" + notes
    assert single["name"] == "'" + name
    assert single["notes"] == "'" + notes


@pytest.mark.django_db
@pytest.mark.parametrize("prefix", STORABLE_PREFIXES)
def test_a_plan_exports_catalog_text_through_the_same_guard(client, prefix):
    """The plan CSV carries GPU names and price sources from the catalog, which staff
    (or an import file) write: the same guard as the scenarios' exports applies."""
    option = {"gpu": prefix + "GPU", "price_source": "@source", "reasons": ["-a", "b"]}
    plan = Plan.objects.create(
        inputs={}, results={"options": [option]}, snapshot={}, estimator_version="x"
    )

    response = client.get(reverse("calculator:plan-csv", args=[plan.public_id]))

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert f'filename="plan-{plan.public_id}.csv"' in response["Content-Disposition"]
    header, row = read(response)
    assert row[header.index("gpu")] == "'" + prefix + "GPU"
    assert row[header.index("price_source")] == "'@source"
    assert row[header.index("reasons")] == "'-a b"
    assert row[header.index("replicas")] == ""  # missing figures are empty cells
