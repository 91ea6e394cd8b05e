"""Scaled out: PostgreSQL and Redis, two daphne, two command and two transcription workers."""

from __future__ import annotations

import pytest
from django.db import connection

from audit.models import AuditEntry
from maintenance.models import Command
from tests import processes
from tests.factories import TranscriptionJobFactory, UserFactory
from tests.maintenance.conftest import command_request
from tests.maintenance.test_commands_end_to_end import command_stream
from tests.sse import Stream, post_json, session_cookie
from transcription.models import JobAttempt, TranscriptionJob

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.integration]
Status = TranscriptionJob.Status
BATCH = 6


def retry_batch(a: str, b: str, cookie: str) -> list[str]:
    """POST retries to daphne A; read each command's phases from daphne B."""
    jobs = [TranscriptionJobFactory(status=Status.FAILED) for _ in range(BATCH)]
    commands = []
    for job in jobs:
        status, command = post_json(a, "/commands/run", command_request(target=job.pk), cookie)
        assert status == 202, command
        commands.append(command)
    for command in commands:
        with command_stream(b, cookie, command["eventsUrl"]) as stream:
            phases = [e.json()["phase"] for e in stream.messages(3, timeout=30)]
        assert phases == ["queued", "running", "success"], phases
    return [job.pk for job in jobs]


def test_commands_posted_to_one_daphne_stream_from_another_with_redis_up_down_and_back(
    transactional_db,
):
    if connection.vendor != "postgresql":
        pytest.skip("the scaled-out mode is PostgreSQL + Redis; `make test` runs it there")
    cookie = session_cookie(UserFactory(is_staff=True))
    port = processes.free_port()
    env = {
        "REDIS_URL": f"redis://127.0.0.1:{port}/0",
        "LIVE_POLL_INTERVAL": "0.5",
        "SWEEP_INTERVAL": "1",
    }
    first_redis = processes.redis_server(port)
    first_redis.__enter__()
    try:
        with (
            processes.daphne(**env) as a,
            processes.daphne(**env) as b,
            processes.worker("commands", **env),
            processes.worker("commands", **env),
            processes.worker("transcription", **env),
            processes.worker("transcription", **env),
            Stream(b, cookie) as table,
        ):
            jobs = retry_batch(a, b, cookie)
            first_redis.__exit__(None, None, None)
            jobs += retry_batch(a, b, cookie)  # Redis down: latency rises, nothing is lost
            with processes.redis_server(port):
                jobs += retry_batch(a, b, cookie)  # Redis back
                processes.wait_until(
                    lambda: not TranscriptionJob.objects.exclude(status=Status.COMPLETED).exists(),
                    timeout=120,
                    message="retried jobs were not all transcribed",
                )
                events = table.messages(1)
                while more := table.quiet_for(1.0):
                    events += more
    finally:
        first_redis.__exit__(None, None, None)

    ids = [int(e.id.split(":")[1]) for e in events]
    assert ids == list(range(ids[0], ids[0] + len(ids))), "the table stream lost or repeated"
    assert Command.objects.filter(phase="success").count() == 3 * BATCH
    for job_id in jobs:  # every task ran exactly once
        assert AuditEntry.objects.filter(target=job_id, outcome="success").count() == 1
        assert JobAttempt.objects.filter(job_id=job_id).count() == 2
