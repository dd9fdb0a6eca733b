"""Back up and restore everything a team has built up, as one JSON file.

What goes in: every model of the calculator app (the catalog, its history, saved
scenarios, API tokens, and whatever models the app gains later), except those that say
``exclude_from_backup = True`` (rate-limit counters); and the users and groups those
rows refer to. Users travel by username (Django's natural keys), with their password
hashes, staff flags, groups and permissions; API tokens as their hashes, so scripts
keep working after a restore. Nothing in the file is a usable secret, but it is as
sensitive as the database itself: keep it like a database dump.

Catalog rows keep their primary keys (saved scenarios point at them). Timestamps keep
their microseconds, so a restored database equals the one exported, row for row, on
SQLite or PostgreSQL.
"""

from __future__ import annotations

import datetime
import decimal
import json
import uuid
from collections.abc import Iterable
from typing import IO, Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.sessions.models import Session
from django.core import serializers
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.core.management.color import no_style
from django.core.serializers.base import DeserializationError
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, models, transaction
from django.db.migrations.recorder import MigrationRecorder

from calculator import jsonbody

FORMAT = "llm-inference-calculator-backup"
VERSION = 1
APP_LABEL = "calculator"


class BackupError(Exception):
    """The file can't be imported here; the message says why and what to do."""


def backup_models() -> list[type[models.Model]]:
    """Users and groups first (other rows refer to them by name), then the app's
    models in the order the app defines them."""
    app_models = [
        model
        for model in apps.get_app_config(APP_LABEL).get_models()
        if not getattr(model, "exclude_from_backup", False)
    ]
    return [Group, get_user_model(), *app_models]


def _label(model: type[models.Model]) -> str:
    return model._meta.label_lower


def applied_migrations(using: str) -> list[str]:
    recorder = MigrationRecorder(connections[using])
    return sorted(name for app, name in recorder.applied_migrations() if app == APP_LABEL)


# Section: export


def _json_default(value: Any) -> Any:
    # Django's own JSON encoder drops microseconds; a restore must not.
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    raise TypeError(f"Can't write {type(value).__name__} to JSON")


def export_objects(using: str = DEFAULT_DB_ALIAS) -> dict[str, Any]:
    """The whole backup as a JSON-ready dict."""
    objects: list[dict] = []
    counts: dict[str, int] = {}
    for model in backup_models():
        rows = serializers.serialize(
            "python",
            model._base_manager.using(using).order_by("pk").iterator(),
            use_natural_foreign_keys=True,
            use_natural_primary_keys=True,
        )
        counts[_label(model)] = len(rows)
        objects.extend(rows)
    return {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": datetime.datetime.now(datetime.UTC),
        "migrations": applied_migrations(using),
        "counts": counts,
        "objects": objects,
    }


def write(stream: IO[str], using: str = DEFAULT_DB_ALIAS) -> dict[str, int]:
    data = export_objects(using)
    json.dump(data, stream, default=_json_default, ensure_ascii=False, indent=1)
    stream.write("\n")
    return data["counts"]


# Section: import


def _is_history(model: type[models.Model]) -> bool:
    """A django-simple-history table (HistoricalGpuType, ...)."""
    names = {field.name for field in model._meta.fields}
    return {"history_type", "history_user"} <= names


# How seed migrations sign the history records they write (0002_seed_catalog and later).
MIGRATION_REASON_PREFIX = "Seeded by migration"


def user_data(using: str = DEFAULT_DB_ALIAS) -> dict[str, int]:
    """What a freshly migrated database doesn't have: users, groups, and rows of every
    model in the backup except the catalog rows nobody has edited.

    Seed migrations write catalog rows (and their later corrections) with a history
    record that names no user and gives the migration as its reason ("Seeded by
    migration ..."); any edit since (admin, shell) adds a history record without that
    reason, or names its user. So a catalog model counts by its history only, and a
    history table counts its records other than the migrations' own."""
    found = {}
    for model in backup_models():
        rows = model._base_manager.using(using)
        if getattr(model._meta, "simple_history_manager_attribute", None):
            continue  # its changes show in its history model, counted below
        if _is_history(model):
            rows = rows.exclude(
                history_user__isnull=True,
                history_change_reason__startswith=MIGRATION_REASON_PREFIX,
            )
        count = rows.count()
        if count:
            found[str(model._meta.verbose_name_plural)] = count
    return found


def _delete_all(backup: list[type[models.Model]], using: str) -> None:
    # The app's own rows first, without signals (a deleted catalog row would add
    # history) or cascades (each table is emptied anyway); then users and groups
    # through the ORM, so their permissions, group memberships and admin log go too.
    User = get_user_model()
    for model in reversed(backup):
        if model not in (User, Group):
            model._base_manager.using(using).all()._raw_delete(using)
    User._base_manager.using(using).all().delete()
    Group._base_manager.using(using).all().delete()
    # Restored users get new ids: nobody's old session may point at someone else's.
    Session.objects.using(using).all().delete()


def _reset_sequences(backup: Iterable[type[models.Model]], using: str) -> None:
    """PostgreSQL hands out ids from sequences that explicit ids don't move."""
    connection = connections[using]
    statements = connection.ops.sequence_reset_sql(no_style(), list(backup))
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


# Nesting a backup holds: objects -> a row -> its fields -> a JSON field (a scenario's
# results nest a few levels more). Deeper is not a backup, and would exhaust the stack.
MAX_DEPTH = 64


def read(stream: IO[str]) -> dict[str, Any]:
    text = stream.read()
    if jsonbody.depth(text) > MAX_DEPTH:
        raise BackupError(f"Not a backup: nested more than {MAX_DEPTH} levels deep.")
    try:
        data = json.loads(text)
    except ValueError as error:  # JSONDecodeError, or an integer of thousands of digits
        raise BackupError(f"Not a JSON file: {_one_line(error)}") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise BackupError(f"Not a backup written by export_data (no {FORMAT!r} format tag).")
    if data.get("version") != VERSION:
        raise BackupError(
            f"Backup format version {_shown(data.get('version'))}; this code reads {VERSION}."
        )
    check(data)
    return data


def _one_line(error: object) -> str:
    return " ".join(str(error).split())


def _shown(value: Any) -> str:
    """A value from the file for a message: one line, cut short."""
    text = _one_line(repr(value))
    return text if len(text) <= 80 else text[:79] + "…"


# Section: checking a file before anything is written


def excluded_labels() -> set[str]:
    """Tables a backup leaves out on purpose: they must not come back in either."""
    app = apps.get_app_config(APP_LABEL).get_models()
    left_out = {_label(m) for m in app if getattr(m, "exclude_from_backup", False)}
    return left_out | {_label(Session)}


def _row_key(label: str, row: dict) -> tuple[str, Any] | None:
    """What names a row: its primary key, else (users and groups) its natural key."""
    if "pk" in row:
        return ("pk", row["pk"])
    fields = row.get("fields", {})
    if label == _label(get_user_model()):
        return ("username", fields.get("username"))
    if label == _label(Group):
        return ("name", fields.get("name"))
    return None


def _check_fields(model: type[models.Model], label: str, number: int, fields: dict) -> None:
    """Every field is one of the table's, and every plain value reads as its type."""
    for name, value in fields.items():
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            raise BackupError(f"Row {number} ({label}) has no field {_shown(name)}.") from None
        if field.is_relation or value is None:
            continue
        try:
            field.to_python(value)
        except ValidationError as error:
            problem = _one_line(" ".join(error.messages))
            raise BackupError(f"Row {number} ({label}) is not valid: {name}: {problem}") from None


def check(data: dict[str, Any]) -> None:
    """Refuse a file whose shape, tables, counts or keys are wrong (BackupError naming
    the first problem), before the database is touched."""
    objects, counts = data.get("objects"), data.get("counts")
    if not isinstance(objects, list):
        raise BackupError('Not a backup: "objects" is not a list of rows.')
    if not isinstance(counts, dict) or not all(
        isinstance(n, int) and not isinstance(n, bool) for n in counts.values()
    ):
        raise BackupError('Not a backup: "counts" is not a table of row counts.')
    if not isinstance(data.get("migrations"), list):
        raise BackupError('Not a backup: "migrations" is not a list.')
    known = {_label(model) for model in backup_models()}
    left_out = excluded_labels()
    found: dict[str, int] = {}
    seen: set[tuple] = set()
    users = _label(get_user_model())
    for number, row in enumerate(objects, start=1):
        if not isinstance(row, dict) or not isinstance(row.get("fields"), dict):
            raise BackupError(f"Row {number} is not a row: an object with its fields.")
        label = row.get("model")
        if label in left_out:
            raise BackupError(
                f"Row {number} is of {label}, a table backups leave out: "
                "this file was not written by export_data."
            )
        if label not in known:
            raise BackupError(f"Row {number} is of {_shown(label)}, not a table a backup holds.")
        found[label] = found.get(label, 0) + 1
        _check_fields(apps.get_model(label), label, number, row["fields"])
        key = _row_key(label, row)
        if key is None:
            raise BackupError(f"Row {number} ({label}) has no primary key.")
        if (label, *key) in seen:
            raise BackupError(
                f"Row {number} ({label}) names {key[0]} {_shown(key[1])} a second time: "
                "one row would overwrite another."
            )
        seen.add((label, *key))
        if label == users and ("username", row["fields"].get("username")) != key:
            username = ("username", row["fields"].get("username"))
            if (label, *username) in seen:
                raise BackupError(
                    f"Row {number} ({label}) names username "
                    f"{_shown(username[1])} a second time: one user would overwrite another."
                )
            seen.add((label, *username))
    for label in sorted(set(found) | set(counts)):
        if found.get(label, 0) != counts.get(label, 0):
            raise BackupError(
                f"The counts header says {counts.get(label, 0)} rows of {_shown(label)}, "
                f"the file holds {found.get(label, 0)}: it was edited or cut short."
            )


def _validate(item: serializers.base.DeserializedObject, number: int, using: str) -> None:
    """The row's field validation, as the admin would run it (full_clean: types, limits,
    choices, uniqueness against the rows restored so far)."""
    row = item.object
    # Links to rows later in the file are filled in at the end (handle_forward_references).
    exclude = [field.name for field in (item.deferred_fields or {})]
    # An empty value the column allows (a history record no user made) is the database's
    # own state, even where a form would want one.
    exclude += [f.name for f in row._meta.fields if f.null and getattr(row, f.attname) is None]
    try:
        row.full_clean(exclude=exclude)
    except ValidationError as error:
        problems = "; ".join(
            f"{field}: {' '.join(messages)}" for field, messages in error.message_dict.items()
        )
        label = _label(type(row))
        raise BackupError(
            f"Row {number} ({label} {_shown(row.pk)}) is not valid: {_one_line(problems)[:300]}"
        ) from None


def import_objects(
    data: dict[str, Any], *, replace: bool = False, using: str = DEFAULT_DB_ALIAS
) -> dict[str, int]:
    """Replace the database's rows of every backed-up model with the file's, all or
    nothing. Refuses a database that holds anything people made unless `replace`."""
    backup = backup_models()
    connection = connections[using]
    with transaction.atomic(using=using):
        existing = user_data(using)
        if existing and not replace:
            found = ", ".join(f"{count} {name}" for name, count in existing.items())
            raise BackupError(
                f"The database is not empty: it holds {found}. Import into a freshly "
                "migrated database, or pass --replace to delete all of it first."
            )
        _delete_all(backup, using)
        counts: dict[str, int] = {}
        deferred = []
        number = 0
        try:
            with connection.constraint_checks_disabled():
                for number, item in enumerate(
                    serializers.deserialize(
                        "python", data["objects"], using=using, handle_forward_references=True
                    ),
                    start=1,
                ):
                    _validate(item, number, using)
                    # An insert, never an update: no row of the file overwrites another.
                    item.save(using=using, force_insert=True)
                    if item.deferred_fields:
                        deferred.append(item)
                    label = _label(type(item.object))
                    counts[label] = counts.get(label, 0) + 1
                number = 0
                for item in deferred:
                    item.save_deferred_fields(using=using)
            connection.check_constraints(table_names=[model._meta.db_table for model in backup])
        except BackupError:
            raise
        except (
            DeserializationError,
            DatabaseError,
            FieldDoesNotExist,
            ValidationError,
            ValueError,
            TypeError,
            LookupError,
        ) as error:
            where = f"Row {number}" if number else "The file's rows"
            raise BackupError(f"{where} can't be restored: {_one_line(error)[:300]}") from None
        _reset_sequences(backup, using)
    from calculator import catalog

    catalog.forget()  # this process's copy; other servers: restart them
    return counts
