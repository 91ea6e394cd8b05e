"""What an audited insert costs, and how fast audit_verify walks the chain."""

from __future__ import annotations

import statistics
import time
import uuid

from django.db import connection, transaction

from audit.models import AuditEntry
from audit.services import record, verify
from transcription.models import JobAttempt, TranscriptionJob

N_INSERTS = 2_000
N_VERIFY = 100_000


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
        ]
    )
    return "Audit trail: insert cost and verification speed", table
