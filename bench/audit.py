"""What an audited insert costs, how fast audit_verify walks the chain, and how fast staff
browse a trail of a million entries in the admin."""

from __future__ import annotations

import random
import statistics
import time
import uuid

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.test import Client
from django.utils import timezone

from audit.models import AuditEntry
from audit.services import entry_hash, record, verify
from bench.table import REPEATS, bulk_insert, server_ms
from transcription.models import JobAttempt, TranscriptionJob

N_INSERTS = 2_000
N_VERIFY = 100_000
N_BROWSE = 1_000_000
OUTCOMES = [AuditEntry.Outcome.SUCCESS] * 8 + [
    AuditEntry.Outcome.ERROR,
    AuditEntry.Outcome.REJECTED,
]


def timed(fn, n: int) -> list[float]:
    samples = []
    for i in range(n):
        start = time.perf_counter()
        fn(i)
        samples.append(time.perf_counter() - start)
    return samples


def row(label: str, samples: list[float]) -> str:
    ms = sorted(s * 1000 for s in samples)
    p = lambda q: ms[min(len(ms) - 1, int(q * len(ms)))]  # noqa: E731
    return (
        f"| {label} | {len(ms):,} | {statistics.mean(ms):.3f} | {p(0.5):.3f} | {p(0.99):.3f} "
        f"| {len(ms) / (sum(ms) / 1000):,.0f} |"
    )


def fill_chain_to(n: int) -> None:
    """Append entries up to `n` with a valid chain, in bulk (the browse test needs volume)."""
    seq, prev_hash = AuditEntry.objects.order_by("-seq").values_list("seq", "hash").first()
    rng, now = random.Random(n), timezone.now()

    def entries():
        nonlocal seq, prev_hash
        while seq < n:
            seq += 1
            entry = AuditEntry(
                seq=seq,
                timestamp=now,
                actor=f"staff-{rng.randrange(20)}",
                action=rng.choice(["retry-job", "delete-job"]),
                target=f"job_{seq:010d}",
                outcome=rng.choice(OUTCOMES),
                command_id=uuid.UUID(int=rng.getrandbits(128)),
                detail={"ip": "127.0.0.1"},
                prev_hash=prev_hash,
            )
            entry.hash = prev_hash = entry_hash(entry)
            yield entry

    bulk_insert(AuditEntry, entries())


def browse_rows() -> list[str]:
    fill_chain_to(N_BROWSE)
    user, _ = get_user_model().objects.get_or_create(
        username="bench-audit", defaults={"is_staff": True}
    )
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    some = AuditEntry.objects.get(seq=N_BROWSE // 3)
    base = "/admin/audit/auditentry/"
    pages = [
        ("newest first", base),
        ("outcome = error", f"{base}?outcome__exact=error"),
        ("one actor", f"{base}?actor=staff-7"),
        ("search by job ID", f"{base}?q={some.target}"),
        ("one command (deep link)", f"{base}?command_id={some.command_id}"),
        ("one job (deep link)", f"{base}?target={some.target}"),
    ]
    return [f"| {label} | {server_ms(client, url):.1f} |" for label, url in pages]


def run() -> tuple[str, str]:
    job = TranscriptionJob.objects.create(original_name="bench.wav", audio="bench.wav")

    def plain(i):
        with transaction.atomic():
            JobAttempt.objects.create(
                job=job, number=i + 1, error_message="x" * 80, started_at=job.created_at
            )

    def audited(i):
        record(
            actor="bench",
            action="retry-job",
            target=f"job_{i:010d}",
            outcome=AuditEntry.Outcome.SUCCESS,
            command_id=uuid.uuid4(),
            detail={"ip": "127.0.0.1", "status": 202},
        )

    plain_samples = timed(plain, N_INSERTS)
    audited_samples = timed(audited, N_INSERTS)
    extra = statistics.mean(audited_samples) - statistics.mean(plain_samples)

    # Fill to N_VERIFY entries through the real insert path, then time the walk.
    with transaction.atomic():
        for i in range(N_VERIFY - AuditEntry.objects.count()):
            audited(i)
    start = time.perf_counter()
    verdict = verify()
    elapsed = time.perf_counter() - start
    assert verdict.ok and verdict.entries == N_VERIFY, verdict
    browsing = browse_rows()

    table = "\n".join(
        [
            f"Database: {connection.vendor}.",
            "",
            "| insert (one transaction each) | n | mean ms | p50 ms | p99 ms | per s |",
            "|---|---:|---:|---:|---:|---:|",
            row("plain row (JobAttempt)", plain_samples),
            row("audited entry (record())", audited_samples),
            "",
            f"An audited insert adds {extra * 1000:.3f} ms over a plain one (reading the head, "
            "hashing, and on PostgreSQL an advisory lock).",
            "",
            "| audit_verify | entries | seconds | entries/s |",
            "|---|---:|---:|---:|",
            f"| full chain walk | {verdict.entries:,} | {elapsed:.2f} | "
            f"{verdict.entries / elapsed:,.0f} |",
            "",
            f"Browsing {N_BROWSE:,} entries in the admin (`/admin/audit/auditentry/`), median of "
            f"{REPEATS} requests in-process, 50 rows a page:",
            "",
            "| page | server ms |",
            "|---|---:|",
            *browsing,
        ]
    )
    return "Audit trail: insert cost and verification speed", table
