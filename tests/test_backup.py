"""Backup and restore: export_data writes one JSON file, import_data restores it,
row for row, on the same database engine and from SQLite to PostgreSQL and back."""

from __future__ import annotations

import copy
import datetime
import io
import json
import os
import re
import subprocess
import sys
import uuid
from decimal import Decimal
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.auth.models import Group, Permission, User
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from calculator import backup
from calculator.answers.estimate import DEFAULTS
from calculator.models import ApiOffering, ApiToken, GpuType, LlmModel, RateCounter, Scenario

BASE_DIR = Path(__file__).resolve().parent.parent
API_URL = "/api/estimate?model=llama-3.1-8b&gpu=h100-sxm&gpus=1&batch=1&prompt=100&completion=10"


@pytest.fixture
def populated(make_scenario):
    """A database a team has used: users and a group, price edits with their history,
    a new catalog row, scenarios of every kind, an API token."""
    pricing = Group.objects.create(name="pricing")
    pricing.permissions.set(Permission.objects.filter(codename__in=["change_gputype"]))
    alice = User.objects.create_user("alice", email="alice@example.com", password="pw-alice-123")
    alice.groups.add(pricing)
    alice.user_permissions.add(Permission.objects.get(codename="view_scenario"))
    bob = User.objects.create_user("bob", is_staff=True)
    User.objects.create_superuser("root", password="pw-root-123")

    gpu = GpuType.objects.get(slug="h100-sxm")
    gpu.hourly_price_usd = Decimal("3.1234")
    gpu.price_as_of = datetime.date(2026, 11, 1)
    gpu._history_user = alice
    gpu.save()
    offering = ApiOffering.objects.order_by("pk").first()
    offering.output_usd_per_1m = Decimal("0.6100")
    offering._history_user = bob
    offering.save()
    model = LlmModel.objects.get(slug="llama-3.1-8b")
    model.pk, model.slug, model.name = None, "llama-3.1-8b-copy", "Llama 3.1 8B (copy) ünï"
    model.save()

    make_scenario(name="Listed by alice", notes="Q3 ünïcødé", author=alice)
    make_scenario(name="Unlisted by bob", author=bob, visibility="unlisted", gpus="4")
    make_scenario(name="Anonymous", model="llama-3.1-8b", gpu="h100-sxm", batch="max")
    archived = make_scenario(name="Archived", author=alice, gpu_hourly_usd="2.5")
    archived.set_archived(True, bob)
    key = ApiToken.issue(alice, "nightly")[1]
    RateCounter.objects.create(key="save:ip:x", window_start=0, count=1)
    return {"alice": alice, "key": key}


def rows() -> dict[str, list[dict]]:
    """Every row of every backed-up model, users named rather than numbered (a restore
    gives them new ids), many-to-many links included."""
    usernames = dict(User.objects.values_list("pk", "username"))
    group_names = dict(Group.objects.values_list("pk", "name"))
    result = {}
    for model in backup.backup_models():
        user_fields = [
            f.attname
            for f in model._meta.concrete_fields
            if f.is_relation and f.related_model is User
        ]
        found = []
        for row in model._base_manager.order_by("pk").values():
            for name in user_fields:
                row[name] = usernames.get(row[name])
            if model in (User, Group):
                instance = model.objects.get(pk=row.pop("id"))
                perms = instance.permissions if model is Group else instance.user_permissions
                row["permissions"] = sorted(perms.values_list("codename", flat=True))
                if model is User:
                    row["groups"] = sorted(group_names[g.pk] for g in instance.groups.all())
            found.append(row)
        result[model._meta.label_lower] = found
    return result


def test_the_backup_covers_every_model_of_the_app_but_the_transient_ones():
    labels = {m._meta.label_lower for m in backup.backup_models()}
    app = {m._meta.label_lower for m in apps.get_app_config("calculator").get_models()}

    assert labels == app - {"calculator.ratecounter"} | {"auth.user", "auth.group"}
    assert "calculator.historicalgputype" in labels  # price history
    assert "calculator.apitoken" in labels


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_export_flush_import_restores_every_row(populated, tmp_path, client, settings):
    path = tmp_path / "backup.json"
    before = rows()
    call_command("export_data", str(path), stderr=io.StringIO())

    call_command("flush", interactive=False)
    assert not Scenario.objects.exists() and not GpuType.objects.exists()
    out = io.StringIO()
    call_command("import_data", str(path), stdout=out)

    assert rows() == before
    assert "Imported" in out.getvalue()
    assert len(before["calculator.scenario"]) == 4
    assert any(row["history_user_id"] == "alice" for row in before["calculator.historicalgputype"])
    assert not RateCounter.objects.exists()  # transient: not in the backup
    # The restored database works: passwords, tokens, and new rows get fresh ids.
    assert client.login(username="root", password="pw-root-123")
    settings.CALCULATOR_ACCESS = "login"
    client.logout()
    response = client.get(API_URL, headers={"Authorization": f"Bearer {populated['key']}"})
    assert response.status_code == 200
    highest = Scenario.objects.order_by("-pk").first().pk
    client.login(username="root", password="pw-root-123")
    client.post(reverse("calculator:scenario-save"), {**DEFAULTS, "name": "After restore"})
    assert Scenario.objects.get(name="After restore").pk > highest
    gpu = GpuType(slug="new-gpu", name="New", vendor="nvidia", memory_gb=1, usable_memory_gib=1)
    gpu.save()


@pytest.mark.django_db
def test_a_freshly_migrated_database_counts_as_empty():
    assert backup.user_data() == {}


@pytest.mark.django_db
def test_import_refuses_a_database_that_holds_data_and_changes_nothing(populated, tmp_path):
    path = tmp_path / "backup.json"
    call_command("export_data", str(path), stderr=io.StringIO())
    Scenario.objects.filter(name="Anonymous").delete()
    before = rows()

    with pytest.raises(CommandError, match=r"The database is not empty: it holds .*3 scenarios"):
        call_command("import_data", str(path))

    assert rows() == before


@pytest.mark.django_db
def test_import_replace_puts_back_what_was_exported(populated, tmp_path):
    path = tmp_path / "backup.json"
    call_command("export_data", str(path), stderr=io.StringIO())
    expected = rows()
    Scenario.objects.filter(name="Anonymous").delete()
    User.objects.create_user("mallory")
    GpuType.objects.filter(slug="h100-sxm").update(hourly_price_usd=Decimal("99"))

    call_command("import_data", str(path), "--replace", stdout=io.StringIO())

    assert rows() == expected


@pytest.mark.django_db
def test_a_failed_import_changes_nothing(populated, tmp_path):
    path = tmp_path / "backup.json"
    call_command("export_data", str(path), stderr=io.StringIO())
    data = json.loads(path.read_text())
    data["objects"][-1]["fields"]["no_such_field"] = 1
    path.write_text(json.dumps(data))
    before = rows()

    with pytest.raises(Exception, match="no_such_field"):
        call_command("import_data", str(path), "--replace", stdout=io.StringIO())

    assert rows() == before


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("not json", "Not a JSON file"),
        ("[]", "Not a backup written by export_data"),
        (json.dumps({"format": backup.FORMAT, "version": 99}), "format version 99"),
    ],
)
def test_import_refuses_a_file_it_did_not_write(tmp_path, content, message):
    path = tmp_path / "file.json"
    path.write_text(content)
    with pytest.raises(CommandError, match=message):
        call_command("import_data", str(path))


@pytest.mark.django_db
def test_the_file_keeps_microseconds_decimals_and_users_by_name(populated):
    stream = io.StringIO()
    backup.write(stream)
    data = json.loads(stream.getvalue())

    scenario = next(o for o in data["objects"] if o["model"] == "calculator.scenario")
    token = next(o for o in data["objects"] if o["model"] == "calculator.apitoken")
    assert scenario["fields"]["author"] == ["alice"]
    assert datetime.datetime.fromisoformat(scenario["fields"]["created_at"]).microsecond == (
        Scenario.objects.get(pk=scenario["pk"]).created_at.microsecond
    )
    assert token["fields"]["user"] == ["alice"]
    assert populated["key"] not in stream.getvalue()  # only its hash
    assert data["counts"]["calculator.scenario"] == 4


# Section: from one database engine to the other


def _manage(database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(DATABASE_URL=database_url, DJANGO_SETTINGS_MODULE="config.settings")
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def _postgres_server() -> str | None:
    """A PostgreSQL server URL to create a scratch database on, or None."""
    import dj_database_url
    import psycopg

    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        url = "postgres://postgres:postgres@127.0.0.1:5432/postgres"
    config = dj_database_url.parse(url)
    try:
        psycopg.connect(
            dbname="postgres",
            user=config["USER"],
            password=config["PASSWORD"],
            host=config["HOST"],
            port=config["PORT"] or 5432,
            connect_timeout=3,
        ).close()
    except psycopg.OperationalError:
        return None
    return url.rsplit("/", 1)[0]


def _objects(path: Path) -> list[dict]:
    """The file's rows in a stable order (users have no id: by username)."""
    data = json.loads(path.read_text())
    return sorted(
        data["objects"],
        key=lambda o: (
            o["model"],
            str(o.get("pk", o["fields"].get("username", o["fields"].get("name")))),
        ),
    )


@pytest.mark.django_db
def test_a_backup_moves_from_sqlite_to_postgresql_and_back_unchanged(populated, tmp_path):
    server = _postgres_server()
    if server is None:
        if os.environ.get("CI") == "true":
            pytest.fail("PostgreSQL does not answer at 127.0.0.1:5432")
        pytest.skip("PostgreSQL does not answer at 127.0.0.1:5432")
    import psycopg

    original = tmp_path / "original.json"
    call_command("export_data", str(original), stderr=io.StringIO())
    name = f"calc_backup_{uuid.uuid4().hex[:12]}"
    admin_url = f"{server}/postgres"
    with psycopg.connect(admin_url.replace("postgres://", "postgresql://"), autocommit=True) as pg:
        pg.execute(f'CREATE DATABASE "{name}"')
    try:
        sqlite_one = f"sqlite:///{tmp_path / 'one.sqlite3'}"
        sqlite_two = f"sqlite:///{tmp_path / 'two.sqlite3'}"
        postgres = f"{server}/{name}"
        hops = [("sqlite", sqlite_one), ("postgresql", postgres), ("sqlite again", sqlite_two)]
        source = original
        for label, url in hops:
            _manage(url, "migrate", "--noinput", "-v0")
            _manage(url, "import_data", str(source))
            target = tmp_path / f"{label.replace(' ', '-')}.json"
            _manage(url, "export_data", str(target))
            assert _objects(target) == _objects(original), f"{label} changed the data"
            source = target
    finally:
        with psycopg.connect(
            admin_url.replace("postgres://", "postgresql://"), autocommit=True
        ) as pg:
            pg.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# Section: hostile files (issue 17: a file crafted to overwrite the admin, smuggle rows
# in or crash the command). Each is refused with a one-line CommandError, nothing
# written, even with --replace (which would otherwise delete everything first).


def _first(data: dict, label: str) -> dict:
    return next(o for o in data["objects"] if o["model"] == label)


def _add(data: dict, row: dict) -> None:
    data["objects"].append(row)
    data["counts"][row["model"]] = data["counts"].get(row["model"], 0) + 1


def _second_admin(data):
    root = next(o for o in data["objects"] if o["fields"].get("username") == "root")
    _add(data, {**root, "fields": {**root["fields"], "password": "x", "is_superuser": False}})


def _duplicate_pk(data):
    scenario = _first(data, "calculator.scenario")
    copy = {**scenario, "fields": {**scenario["fields"], "public_id": "other-id"}}
    _add(data, copy)


def _field(label, **changes):
    def edit(data):
        row = _first(data, label)
        row["fields"].update(changes)

    return edit


def _rows_of(label, fields=None, pk=999_999):
    def edit(data):
        _add(data, {"model": label, "pk": pk, "fields": fields or {}})

    return edit


def _set(key, value):
    def edit(data):
        data[key] = value

    return edit


HOSTILE_FILES = {
    "not JSON": ("{not json", "Not a JSON file"),
    "a list": ("[]", "Not a backup written by export_data"),
    "another format": ('{"format": "other", "version": 1}', "Not a backup written"),
    "another version": (lambda d: d.update(version=99), "format version 99"),
    "5,000 levels deep": ("[" * 5000 + "]" * 5000, "nested more than 64 levels"),
    "an integer of 5,000 digits": (
        '{"format": "llm-inference-calculator-backup", "version": ' + "9" * 5000 + "}",
        "Not a JSON file",
    ),
    "objects not a list": (_set("objects", {"a": 1}), '"objects" is not a list'),
    "counts not a table": (_set("counts", [1]), '"counts" is not a table'),
    "a row that is a string": (lambda d: d["objects"].append("row"), "Row .* is not a row"),
    "an unknown table": (_rows_of("calculator.nosuch"), "not a table a backup holds"),
    "rate counters": (
        _rows_of("calculator.ratecounter", {"key": "x", "window_start": 0, "count": 1}),
        "a table backups leave out",
    ),
    "sessions": (
        _rows_of("sessions.session", {"session_data": "x", "expire_date": "2030-01-01"}),
        "a table backups leave out",
    ),
    "permissions": (_rows_of("auth.permission", {"name": "x"}), "not a table a backup holds"),
    "a counts header one short": (
        lambda d: d["counts"].update({"calculator.scenario": 3}),
        "counts header says 3 rows of 'calculator.scenario', the file holds 4",
    ),
    "a counts header without a table": (
        lambda d: d["counts"].pop("calculator.scenario"),
        "says 0 rows of 'calculator.scenario'",
    ),
    "a second root user": (_second_admin, "names username 'root' a second time"),
    "a duplicate primary key": (_duplicate_pk, "names pk .* a second time"),
    "negative GPU memory": (
        _field("calculator.gputype", memory_gb=-5),
        r"calculator.gputype .* not valid: memory_gb",
    ),
    "a 5,000-character name": (
        _field("calculator.scenario", name="x" * 5000),
        r"not valid: name: Ensure this value has at most 200 characters",
    ),
    "visibility public": (
        _field("calculator.scenario", visibility="public"),
        r"not valid: visibility: Value 'public' is not a valid choice",
    ),
    "text for a number": (_field("calculator.gputype", memory_gb="lots"), "memory_gb"),
    "an unknown field": (_field("calculator.scenario", no_such_field=1), "no_such_field"),
    "a link to a missing model": (
        _field("calculator.scenario", llm_model=999_999),
        "can't be restored|not valid",
    ),
    "an author nobody has": (
        _field("calculator.scenario", author=["ghost"]),
        "can't be restored|not valid",
    ),
}


@pytest.fixture
def exported(populated, tmp_path) -> dict:
    path = tmp_path / "backup.json"
    call_command("export_data", str(path), stderr=io.StringIO())
    return json.loads(path.read_text())


def _hostile_text(kind: str, exported: dict) -> str:
    content = HOSTILE_FILES[kind][0]
    if callable(content):
        data = copy.deepcopy(exported)
        content(data)
        content = json.dumps(data)
    return content


@pytest.mark.django_db
def test_every_hostile_file_is_refused_in_one_line_and_nothing_is_written(exported, tmp_path):
    """One populated database for all the kinds (each import runs in a transaction that
    the refusal rolls back): every kind in turn, then every row compared."""
    before = rows()
    problems = []
    for kind, (_, message) in HOSTILE_FILES.items():
        path = tmp_path / "hostile.json"
        path.write_text(_hostile_text(kind, exported))
        try:
            call_command("import_data", str(path), "--replace", stdout=io.StringIO())
        except CommandError as refused:
            text = str(refused)
            if "\n" in text or len(text) > 500 or not re.search(message, text):
                problems.append(f"{kind}: {text!r}")
        else:
            problems.append(f"{kind}: imported")
        if Scenario.objects.count() != 4 or not User.objects.filter(username="root").exists():
            problems.append(f"{kind}: the database changed")
    assert problems == []
    assert rows() == before


def test_there_are_at_least_the_issues_21_hostile_file_kinds():
    assert len(HOSTILE_FILES) >= 21


@pytest.mark.django_db
def test_a_file_that_passes_the_checks_still_restores(exported, tmp_path):
    """The checks refuse the hostile, not the honest: the export itself imports."""
    path = tmp_path / "honest.json"
    path.write_text(json.dumps(exported))
    call_command("import_data", str(path), "--replace", stdout=io.StringIO())
    assert Scenario.objects.count() == 4


def test_a_value_in_a_message_is_cut_after_80_characters():
    _shown = backup._shown
    whole = "x" * 78  # its repr, quotes and all, is 80 characters: shown whole
    assert _shown(whole) == repr(whole)
    longer = "x" * 79  # 81: cut to 79 and an ellipsis, 80 in all
    assert _shown(longer) == repr(longer)[:79] + "…"
    assert len(_shown("x" * 10_000)) == 80
