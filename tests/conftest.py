"""Shared fixtures: the browser set-up for Playwright against Debian's chromium."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in the test thread; Django's ORM refuses
# to run inside one unless told it is safe (djangoproject.com's EndToEndTests do this).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


DATABASE_FIXTURES = {"db", "transactional_db", "django_db_setup", "client", "admin_client"}


def pytest_configure(config):
    """Under `make mutate` each mutant's tests run in a process forked from mutmut's,
    whose settings named the test database after mutmut's own pid: give each its own
    SQLite file, copied from the migrated template `make mutate` builds
    (CALCULATOR_MUTATION_DB), so mutants neither share a database nor migrate from
    scratch."""
    if not os.environ.get("MUTANT_UNDER_TEST"):
        return
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"] != "django.db.backends.sqlite3":
        return
    name = Path(tempfile.gettempdir()) / f"calculator-mutant-{os.getpid()}.sqlite3"
    database["TEST"]["NAME"] = str(name)
    template = os.environ.get("CALCULATOR_MUTATION_DB", "")
    if template and Path(template).exists():
        shutil.copyfile(template, name)
        config.option.reuse_db = True
    config.calculator_mutant_db = name


def pytest_unconfigure(config):
    name = getattr(config, "calculator_mutant_db", None)
    if name is not None:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{name}{suffix}").unlink(missing_ok=True)


def pytest_collection_modifyitems(config, items):
    """Without chromium, skip the browser tests and say why; in CI they must run.

    Under `make mutate`, a mutant of the (pure) estimator is judged by the tests that
    call the estimator directly: those that go through the database and pages are
    deselected (docs/testing.md)."""
    if os.environ.get("MUTANT_UNDER_TEST", "").startswith("calculator.estimator."):
        through_django = [
            item
            for item in items
            if "django_db" in item.keywords or DATABASE_FIXTURES & set(item.fixturenames)
        ]
        if through_django:
            config.hook.pytest_deselected(items=through_django)
            items[:] = [item for item in items if item not in through_django]
    if shutil.which("chromium") or os.environ.get("CI") == "true":
        return
    skip = pytest.mark.skip(reason="Debian's chromium is not installed (apt-get install chromium)")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def fresh_catalog():
    """Forget the catalog this process read (calculator.catalog): tests change rows
    with update(), which leaves updated_at alone, and roll back to earlier versions."""
    from calculator import catalog

    catalog.forget()
    yield
    catalog.forget()


@pytest.fixture(autouse=True)
def no_save_rate_limit(settings):
    """Tests save far more often than people do; tests of the limit turn it back on."""
    settings.CALCULATOR_SAVE_RATE = "off"


@pytest.fixture(scope="session", autouse=True)
def no_compute_limits():
    """Tests simulate and plan far more often than people do, some in module-scoped
    fixtures outside any test's transaction (a count there would be committed): the
    compute rate is off for the whole session, and the live server's threads may plan
    and simulate at once. Tests of the limits turn them back on (settings fixture)."""
    from django.test import override_settings

    with override_settings(CALCULATOR_COMPUTE_RATE="off", CALCULATOR_HEAVY_SLOTS=8):
        yield


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    # `playwright install` cannot download browsers here: use Debian's chromium.
    return {
        **browser_type_launch_args,
        "executable_path": shutil.which("chromium") or "/usr/bin/chromium",
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


# Section: saved scenarios


@pytest.fixture
def make_scenario(db):
    """Save a scenario the way the page does; keyword arguments override the inputs."""
    from calculator.answers.estimate import DEFAULTS, save
    from calculator.forms import CalculatorForm
    from calculator.models import Scenario

    def make(
        name: str = "Llama 2 70B on 2 × A100",
        notes: str = "",
        author=None,
        visibility: str = "listed",
        **inputs,
    ):
        form = CalculatorForm({**DEFAULTS, "model": "llama-2-70b", **inputs})
        assert form.is_valid(), form.errors
        scenario = save(form, name=name, notes=notes, author=author, visibility=visibility)
        assert isinstance(scenario, Scenario), form.errors
        return scenario

    return make


@pytest.fixture
def changelist_edit(admin_client):
    """Edit one row through the admin's list_editable columns, as staff do.

    Searches the changelist for `slug` (so the page holds a few rows, not hundreds),
    posts those rows unchanged except `slug`'s, which gets `changes` ({field: value as
    typed}); returns the response.
    """
    from django.contrib import admin
    from django.urls import reverse

    def edit(model, slug: str, key: str = "slug", **changes):
        """`key`: the field `slug` is a value of (cloud offers have no slug)."""
        model_admin = admin.site._registry[model]
        rows = list(model.objects.filter(**{f"{key}__icontains": slug}))
        data = {
            "form-TOTAL_FORMS": str(len(rows)),
            "form-INITIAL_FORMS": str(len(rows)),
            "_save": "Save",
        }
        for i, row in enumerate(rows):
            data[f"form-{i}-id"] = str(row.pk)
            for field in model_admin.list_editable:
                value = getattr(row, field)
                if getattr(row, key) == slug:
                    value = changes.get(field, value)
                if isinstance(value, bool):
                    if value:
                        data[f"form-{i}-{field}"] = "on"
                else:
                    data[f"form-{i}-{field}"] = "" if value is None else str(value)
        url = reverse(f"admin:calculator_{model._meta.model_name}_changelist")
        return admin_client.post(f"{url}?q={slug}", data)

    return edit


# Section: serialized rollback under Playwright
#
# serialized_rollback restores the seeded catalog from a copy Django keeps on the
# connection object. Once Playwright's sync API runs (session-scoped, so from the first
# browser test on), the test sees a different connection object without that copy, and
# Django silently skips the restore: a browser test that follows any transactional test
# finds an empty catalog. Keep the copy here and restore from it.
_SERIALIZED_CONTENTS: dict[str, str] = {}


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup):
    from django.db import connections

    for alias in connections:
        contents = getattr(connections[alias], "_test_serialized_contents", None)
        if contents is not None:
            _SERIALIZED_CONTENTS[alias] = contents


@pytest.fixture(autouse=True)
def _serialized_rollback_under_playwright(request):
    marker = request.node.get_closest_marker("django_db")
    if not (marker and marker.kwargs.get("serialized_rollback")):
        return
    request.getfixturevalue("transactional_db")  # after Django's own restore
    from django.db import connections

    for alias, contents in _SERIALIZED_CONTENTS.items():
        connection = connections[alias]
        if not hasattr(connection, "_test_serialized_contents"):
            connection._test_serialized_contents = contents  # for the flush afterwards
            connection.creation.deserialize_db_from_string(contents)


# Section: SQLite test database clean-up


@pytest.fixture(scope="session", autouse=True)
def _remove_sqlite_test_database_sidecars():
    """The SQLite test database is a file in WAL mode (config/settings.py); Django deletes
    the file when the session ends but not the -wal and -shm files beside it."""
    yield
    from pathlib import Path

    from django.conf import settings

    database = settings.DATABASES["default"]
    name = database.get("TEST", {}).get("NAME")
    if database["ENGINE"] == "django.db.backends.sqlite3" and name:
        for suffix in ("-wal", "-shm"):
            Path(f"{name}{suffix}").unlink(missing_ok=True)
