"""`audit_verify` walks the hash chain and names the first entry that does not hold."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from audit.models import AuditEntry
from audit.services import entry_hash, record, verify
from audit.triggers import remove_sql

pytestmark = pytest.mark.django_db


def write_trail(n: int = 5) -> list[AuditEntry]:
    return [
        record(
            actor=f"actor-{i}",
            action="retry-job",
            target=f"job_{i:010d}",
            outcome=AuditEntry.Outcome.SUCCESS,
            detail={"reason": "demo", "n": i},
        )
        for i in range(1, n + 1)
    ]


def around_the_triggers(*statements: str) -> None:
    """What someone with direct write access to the database could do."""
    with connection.cursor() as cursor:
        for sql in [*remove_sql(connection.vendor), *statements]:
            cursor.execute(sql)


def audit_verify(*args: str) -> str:
    out = StringIO()
    call_command("audit_verify", *args, stdout=out)
    return out.getvalue()


def test_intact_chain_passes_and_prints_its_head():
    entries = write_trail()

    output = audit_verify()

    assert output.startswith("OK: 5 entries intact.")
    assert f"Head 5:{entries[-1].hash}" in output


def test_every_entry_links_to_the_one_before():
    entries = write_trail(3)

    assert entries[0].prev_hash == "0" * 64
    assert [e.prev_hash for e in entries[1:]] == [e.hash for e in entries[:-1]]


def test_update_made_after_dropping_the_triggers_is_detected():
    write_trail()
    around_the_triggers("UPDATE audit_auditentry SET outcome = 'error' WHERE seq = 3")

    with pytest.raises(CommandError, match=r"entry #3 was altered"):
        audit_verify()


def test_entry_removed_from_the_middle_is_detected():
    write_trail()
    around_the_triggers("DELETE FROM audit_auditentry WHERE seq = 2")

    with pytest.raises(CommandError, match=r"entry #2 is missing"):
        audit_verify()


def test_rehashed_forgery_still_breaks_the_link_to_the_next_entry():
    write_trail()
    forged = AuditEntry.objects.get(seq=3)
    forged.actor = "mallory"
    around_the_triggers(
        f"UPDATE audit_auditentry SET actor = 'mallory', hash = '{entry_hash(forged)}' "
        "WHERE seq = 3"
    )

    with pytest.raises(CommandError, match=r"entry #4 does not link to entry #3"):
        audit_verify()


def test_removed_tail_is_detected_with_the_head_kept_elsewhere():
    entries = write_trail()
    head = f"5:{entries[-1].hash}"
    around_the_triggers("DELETE FROM audit_auditentry WHERE seq >= 4")

    assert audit_verify().startswith("OK: 3 entries")  # the chain alone cannot tell...
    with pytest.raises(CommandError, match=r"ends at #3 but reached #5"):
        audit_verify("--expect-head", head)  # ...the head kept elsewhere can


def test_malformed_expected_head_is_explained():
    with pytest.raises(CommandError, match="expected SEQ:HASH"):
        audit_verify("--expect-head", "five")


@pytest.mark.django_db(transaction=True)
def test_byte_changed_in_the_database_file_is_detected():
    if connection.vendor != "sqlite":
        pytest.skip("edits the SQLite file itself")
    outcome = AuditEntry.Outcome.SUCCESS
    record(
        actor="alice", action="delete-job", target="x", outcome=outcome, detail={"ip": "10.1.1.1"}
    )
    record(actor="bob", action="retry-job", target="y", outcome=outcome, detail={"ip": "10.2.2.2"})
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()
    path = Path(connection.settings_dict["NAME"])
    data = path.read_bytes()
    assert data.count(b"10.1.1.1") == 1
    path.write_bytes(data.replace(b"10.1.1.1", b"10.1.1.9"))

    verdict = verify()

    assert not verdict.ok
    assert verdict.problem == "entry #1 was altered: its hash does not match"
