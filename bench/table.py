"""Job table server time at 10k, 100k and 1M jobs, against the Django admin changelist of the
same table (the baseline staff compare with)."""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.utils import timezone

from transcription.ids import PREFIX, encode
from transcription.models import TranscriptionJob

SIZES = [10_000, 100_000, 1_000_000]
REPEATS = 15
Status = TranscriptionJob.Status
MIX = [Status.COMPLETED] * 7 + [Status.FAILED, Status.QUEUED, Status.PROCESSING]


def bulk_insert(model, rows: Iterable) -> None:
    """Insert many rows 10,000 at a time, then refresh SQLite's planner statistics."""
    batch = []
    for obj in rows:
        batch.append(obj)
        if len(batch) == 10_000:
            model.objects.bulk_create(batch)
            batch = []
    model.objects.bulk_create(batch)
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def fill_to(n: int, start: int) -> None:
    now = timezone.now()
    rng = random.Random(n)

    def jobs():
        for i in range(start, n):
            status = rng.choice(MIX)
            yield TranscriptionJob(
                id=PREFIX + encode(i + 1),
                status=status,
                audio=f"audio/bench-{i}.wav",
                original_name=f"meeting-{i}.wav",
                error_message="The recording is silent." if status == Status.FAILED else "",
                created_at=now,
                updated_at=now,
            )

    bulk_insert(TranscriptionJob, jobs())


def server_ms(client: Client, url: str) -> float:
    client.get(url)  # warm
    samples = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        response = client.get(url)
        samples.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return statistics.median(samples)


def run() -> tuple[str, str]:
    user, _ = get_user_model().objects.get_or_create(
        username="bench-table", defaults={"is_staff": True, "is_superuser": True}
    )
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    admin = "/admin/transcription/transcriptionjob/"
    pages = [
        ("first page", "/jobs/", admin),
        ("failed only", "/jobs/?status=failed", f"{admin}?status__exact=failed"),
        ("search file name", "/jobs/?q=meeting-4242.wav", f"{admin}?q=meeting-4242.wav"),
    ]
    rows, have = [], TranscriptionJob.objects.count()
    for size in SIZES:
        fill_to(size, have)
        have = size
        for label, ours, baseline in pages:
            mine, theirs = server_ms(client, ours), server_ms(client, baseline)
            rows.append(
                f"| {size:,} | {label} | {mine:.1f} | {theirs:.1f} | {theirs / mine:.1f}× |"
            )
        print(rows[-3:], flush=True)
    table = "\n".join(
        [
            f"Database: {connection.vendor}. Median of {REPEATS} requests, in-process (the full "
            "Django stack: middleware, session, query, template), 50 rows a page.",
            "",
            "| jobs | page | /jobs/ ms | admin changelist ms | admin ÷ ours |",
            "|---:|---|---:|---:|---:|",
            *rows,
        ]
    )
    return "Job table: server time against the Django admin", table
