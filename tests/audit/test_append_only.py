"""The database itself refuses to change or remove audit entries (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from audit.models import AppendOnlyError, AuditEntry
from audit.services import record

pytestmark = pytest.mark.django_db


@pytest.fixture
def entry():
    record(actor="alice", action="retry-job", target="job_a", outcome=AuditEntry.Outcome.SUCCESS)
    return record(
        actor="bob", action="delete-job", target="job_b", outcome=AuditEntry.Outcome.ERROR
    )


def refused(sql: str, params=()) -> bool:
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, params)
    except DatabaseError as exc:
        return "append-only" in str(exc)
    return False


def snapshot():
    return list(AuditEntry.objects.order_by("seq").values())


def test_update_is_refused_by_the_database(entry):
    before = snapshot()

    assert refused("UPDATE audit_auditentry SET outcome = 'success' WHERE seq = %s", [entry.seq])
    assert refused("UPDATE audit_auditentry SET actor = 'mallory'")
    assert snapshot() == before


def test_delete_is_refused_by_the_database(entry):
    before = snapshot()

    assert refused("DELETE FROM audit_auditentry WHERE seq = %s", [entry.seq])
    assert refused("DELETE FROM audit_auditentry")
    assert snapshot() == before


COPY_WITH_NEW_ACTOR = (
    "SELECT seq, timestamp, 'mallory', action, target, 'success', command_id, detail, "
    "prev_hash, hash FROM audit_auditentry WHERE seq = {seq}"
)


@pytest.mark.parametrize("verb", ["INSERT OR REPLACE", "REPLACE"])
def test_sqlite_replace_over_an_existing_entry_is_refused(entry, verb):
    if connection.vendor != "sqlite":
        pytest.skip("REPLACE is SQLite syntax; PostgreSQL has no such statement")
    before = snapshot()

    assert refused(f"{verb} INTO audit_auditentry {COPY_WITH_NEW_ACTOR.format(seq=entry.seq)}")
    assert snapshot() == before


def test_upsert_over_an_existing_entry_is_refused(entry):
    before = snapshot()

    sql = (
        f"INSERT INTO audit_auditentry {COPY_WITH_NEW_ACTOR.format(seq=entry.seq)} "
        "ON CONFLICT (seq) DO UPDATE SET actor = excluded.actor"
    )
    assert refused(sql)
    assert snapshot() == before


def test_truncate_is_refused_on_postgresql(entry):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has no TRUNCATE; its DELETE without WHERE is refused above")
    before = snapshot()

    assert refused("TRUNCATE audit_auditentry")
    assert snapshot() == before


def test_model_refuses_to_save_an_existing_entry(entry):
    entry.outcome = AuditEntry.Outcome.SUCCESS

    with pytest.raises(AppendOnlyError, match="cannot be changed"):
        entry.save()
    assert AuditEntry.objects.get(seq=entry.seq).outcome == AuditEntry.Outcome.ERROR


def test_model_refuses_to_delete_an_entry(entry):
    with pytest.raises(AppendOnlyError, match="cannot be deleted"):
        entry.delete()
    assert AuditEntry.objects.filter(seq=entry.seq).exists()


def test_queryset_update_and_delete_are_refused(entry):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEntry.objects.update(actor="mallory")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEntry.objects.all().delete()
    assert AuditEntry.objects.count() == 2
