"""The one way into the audit trail, and the check that it was not rewritten."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC
from typing import Any
from urllib.parse import urlencode

from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEntry

GENESIS = "0" * 64
# Any constant: the PostgreSQL advisory lock that makes appends one at a time.
APPEND_LOCK_KEY = 0x61756469  # "audi"


def record(
    *,
    actor: str,
    action: str,
    target: str,
    outcome: AuditEntry.Outcome,
    command_id: uuid.UUID | str | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry, chained to the current head.

    Appends are serialised: SQLite's IMMEDIATE transactions hold the write lock from BEGIN,
    PostgreSQL takes a transaction-scoped advisory lock. So `seq` has no gaps and each entry's
    `prev_hash` is the hash of the entry just before it.
    """
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [APPEND_LOCK_KEY])
        head = AuditEntry.objects.order_by("-seq").values_list("seq", "hash").first()
        seq, prev_hash = (head[0] + 1, head[1]) if head else (1, GENESIS)
        entry = AuditEntry(
            seq=seq,
            timestamp=timezone.now().astimezone(UTC),
            actor=actor[:150],
            action=action,
            target=str(target)[:255],
            outcome=outcome,
            command_id=uuid.UUID(str(command_id)) if command_id else None,
            detail=json.loads(json.dumps(detail or {}, default=str)),
            prev_hash=prev_hash,
        )
        entry.hash = entry_hash(entry)
        entry.save(force_insert=True)
    return entry


HASHED_FIELDS = [
    "seq", "timestamp", "actor", "action", "target", "outcome", "command_id", "detail", "prev_hash"
]  # fmt: skip


def canonical(values: dict[str, Any]) -> bytes:
    """The bytes a hash covers: every field but the hash, in a fixed order and form."""
    fields = {
        **values,
        "timestamp": values["timestamp"].astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "command_id": str(values["command_id"]) if values["command_id"] else "",
    }
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def entry_hash(entry: AuditEntry) -> str:
    return hashlib.sha256(canonical({f: getattr(entry, f) for f in HASHED_FIELDS})).hexdigest()


@dataclass(frozen=True)
class Verdict:
    ok: bool
    entries: int
    head_seq: int
    head_hash: str
    problem: str = ""


def verify(*, expect_head: tuple[int, str] | None = None) -> Verdict:
    """Walk the chain from the first entry; stop at the first entry that does not hold."""
    expected_seq, prev_hash, count = 1, GENESIS, 0
    head = (0, GENESIS)
    for values, stored_hash in _walk():
        seq = values["seq"]
        if seq != expected_seq:
            return _bad(count, head, f"entry #{expected_seq} is missing (next is #{seq}): removed")
        if values["prev_hash"] != prev_hash:
            return _bad(count, head, f"entry #{seq} does not link to entry #{seq - 1}")
        if hashlib.sha256(canonical(values)).hexdigest() != stored_hash:
            return _bad(count, head, f"entry #{seq} was altered: its hash does not match")
        prev_hash, expected_seq, count = stored_hash, seq + 1, count + 1
        head = (seq, stored_hash)
        if expect_head and seq == expect_head[0] and stored_hash != expect_head[1]:
            return _bad(count, head, f"entry #{seq} is not the head recorded earlier")
    if expect_head and head[0] < expect_head[0]:
        return _bad(
            count,
            head,
            f"the trail ends at #{head[0]} but reached #{expect_head[0]} before: "
            "entries were removed from the end",
        )
    return Verdict(ok=True, entries=count, head_seq=head[0], head_hash=head[1])


def _bad(count: int, head: tuple[int, str], problem: str) -> Verdict:
    return Verdict(ok=False, entries=count, head_seq=head[0], head_hash=head[1], problem=problem)


def _walk() -> Iterator[tuple[dict[str, Any], str]]:
    rows = AuditEntry.objects.order_by("seq").values_list(*HASHED_FIELDS, "hash")
    for row in rows.iterator(chunk_size=5000):
        yield dict(zip(HASHED_FIELDS, row[:-1], strict=True)), row[-1]


def audit_url(*, command_id: uuid.UUID | str | None = None, target: str = "") -> str:
    """Deep link into the admin's audit list for one command or one target."""
    query = {"command_id": str(command_id)} if command_id else {"target": target}
    return f"{reverse('admin:audit_auditentry_changelist')}?{urlencode(query)}"


def parse_head(text: str) -> tuple[int, str]:
    seq, _, digest = text.partition(":")
    if not seq.isdigit() or len(digest) != 64:
        raise ValueError("expected SEQ:HASH, as printed by audit_verify")
    return int(seq), digest.lower()
