"""What a command does when it runs: phases, job state, events, audit."""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from contextlib import ExitStack, contextmanager
from datetime import timedelta

import pytest
from django.db import connection
from django.tasks.base import TaskResultStatus
from django.utils import timezone
from django_eventstream.models import Event as StoredEvent
from django_tasks_db.models import DBTaskResult

from audit.models import AuditEntry
from maintenance import bus
from maintenance.models import Command
from tests import processes
from tests.factories import TranscriptionJobFactory
from tests.maintenance.conftest import command_request
from transcription.models import JobAttempt, TranscriptionJob

pytestmark = pytest.mark.django_db(transaction=True)
Status = TranscriptionJob.Status
Phase = Command.Phase


def submit(**kw) -> Command:
    return bus.submit(
        req=bus.parse_request(command_request(**kw)), actor="alice", enqueue=False
    ).command


def events(channel: str) -> list[dict]:
    rows = StoredEvent.objects.filter(channel=channel, eid__gt=0).order_by("eid")
    return [json.loads(json.loads(e.data)) for e in rows]


def test_retry_requeues_the_job_keeps_its_error_and_streams_every_phase():
    job = TranscriptionJobFactory(status=Status.FAILED)

    command = bus.execute(submit(target=job.pk).pk)

    assert command.phase == Phase.SUCCESS
    assert command.result == {"jobId": job.pk, "status": "queued", "attempts": 2}
    job.refresh_from_db()
    assert (job.status, job.attempts, job.error_message) == (Status.QUEUED, 2, "")
    assert JobAttempt.objects.get(job=job, number=1).error_message.startswith(
        "The recording is silent"
    )
    phases = [e["phase"] for e in events(f"command-{command.pk}")]
    assert phases == ["queued", "running", "success"]
    assert events("jobs")[-1]["status"] == "queued"
    entry = AuditEntry.objects.get(command_id=command.pk)
    assert (entry.actor, entry.action, entry.target, entry.outcome) == (
        "alice",
        "retry-job",
        job.pk,
        "success",
    )


def test_delete_removes_job_attempts_and_audio_and_the_row_everywhere():
    job = TranscriptionJobFactory(status=Status.FAILED)
    audio = job.audio.path

    command = bus.execute(submit(type="delete-job", target=job.pk, params={"confirm": job.pk}).pk)

    assert command.phase == Phase.SUCCESS
    assert not TranscriptionJob.objects.filter(pk=job.pk).exists()
    assert not JobAttempt.objects.filter(job_id=job.pk).exists()
    import os

    assert not os.path.exists(audio)
    assert events("jobs")[-1] == {"op": "delete", "jobId": job.pk}
    assert AuditEntry.objects.get(command_id=command.pk).outcome == "success"


def test_retry_of_a_job_that_changed_after_submission_ends_in_error_with_remediation():
    job = TranscriptionJobFactory(status=Status.FAILED)
    command = submit(target=job.pk)
    TranscriptionJob.objects.filter(pk=job.pk).update(status=Status.COMPLETED)

    command = bus.execute(command.pk)

    assert command.phase == Phase.ERROR
    assert "is completed, not failed" in command.remediation
    assert "Reload the table" in command.remediation
    assert events(f"command-{command.pk}")[-1]["remediation"] == command.remediation
    assert AuditEntry.objects.get(command_id=command.pk).outcome == "error"


def test_command_over_its_timeout_is_rolled_back_and_ends_in_error(settings):
    settings.COMMAND_TIMEOUTS = {**settings.COMMAND_TIMEOUTS, "retry-job": -1}
    job = TranscriptionJobFactory(status=Status.FAILED)

    command = bus.execute(submit(target=job.pk).pk)

    assert command.phase == Phase.ERROR
    assert "took longer than" in command.remediation
    job.refresh_from_db()
    assert (job.status, job.attempts) == (Status.FAILED, 1)


@contextmanager
def database_locked_by_another_process(job: TranscriptionJob):
    """Hold what a retry must wait for: the job's row (PostgreSQL) or the write lock (SQLite)."""
    if connection.vendor == "postgresql":
        import psycopg

        with psycopg.connect(processes.database_url()) as other:
            other.execute(
                "SELECT 1 FROM transcription_transcriptionjob WHERE id = %s FOR UPDATE", [job.pk]
            )
            yield
    else:
        other = sqlite3.connect(
            connection.settings_dict["NAME"], isolation_level=None, check_same_thread=False
        )
        other.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            other.rollback()
            other.close()


def test_command_stuck_waiting_on_the_database_ends_at_its_timeout(settings):
    settings.COMMAND_TIMEOUTS = {**settings.COMMAND_TIMEOUTS, "retry-job": 0.5}
    job = TranscriptionJobFactory(status=Status.FAILED)
    command = submit(target=job.pk)
    # PostgreSQL records the outcome while the job row stays locked; SQLite needs the one
    # write lock back for that, so the other process lets go after a while.
    hold = 15.0 if connection.vendor == "postgresql" else 2.0
    locks = ExitStack()
    release = threading.Timer(hold, locks.close)

    def hold_lock_once_running(c: Command) -> None:
        if c.phase == Phase.RUNNING:
            locks.enter_context(database_locked_by_another_process(job))
            release.start()

    started = time.monotonic()
    command = bus.execute(command.pk, on_phase=hold_lock_once_running)
    elapsed = time.monotonic() - started
    release.cancel()
    locks.close()

    assert elapsed < 10, "it waited for the lock, not for its timeout"
    assert command.phase == Phase.ERROR
    assert "took longer than 0.5 s and was rolled back" in command.remediation
    assert "busy or locked" in command.remediation
    assert not any("Queued attempt" in line for line in command.logs), command.logs
    job.refresh_from_db()
    assert (job.status, job.attempts) == (Status.FAILED, 1)
    assert AuditEntry.objects.get(command_id=command.pk).outcome == "error"


def test_command_waits_while_the_running_limit_is_reached(settings):
    settings.COMMANDS_MAX_RUNNING = 0
    job = TranscriptionJobFactory(status=Status.FAILED)
    command = submit(target=job.pk)

    bus.execute(command.pk)

    command.refresh_from_db()
    assert command.phase == Phase.QUEUED
    assert command.queue_position == 1


def test_executing_twice_runs_once():
    job = TranscriptionJobFactory(status=Status.FAILED)
    command = submit(target=job.pk)

    bus.execute(command.pk)
    again = bus.execute(command.pk)

    assert again.phase == Phase.SUCCESS
    job.refresh_from_db()
    assert job.attempts == 2
    assert AuditEntry.objects.filter(command_id=command.pk).count() == 1


def test_sweeper_ends_a_command_whose_lease_expired_as_abandoned():
    job = TranscriptionJobFactory(status=Status.FAILED)
    command = submit(target=job.pk)
    Command.objects.filter(pk=command.pk).update(
        phase=Phase.RUNNING, lease_expires_at=timezone.now() - timedelta(seconds=1)
    )

    assert bus.sweep_abandoned_commands() == [str(command.pk)]

    command.refresh_from_db()
    assert command.phase == Phase.ERROR
    assert command.remediation.startswith("The command was abandoned")
    assert events(f"command-{command.pk}")[-1]["phase"] == "error"
    assert AuditEntry.objects.get(command_id=command.pk).outcome == "error"


def test_sweeper_also_fails_the_task_row_its_dead_worker_left_running():
    job, other_job = TranscriptionJobFactory.create_batch(2, status=Status.FAILED)
    command = bus.submit(
        req=bus.parse_request(command_request(target=job.pk)), actor="alice"
    ).command
    other = bus.submit(
        req=bus.parse_request(command_request(target=other_job.pk)), actor="alice"
    ).command
    for row in DBTaskResult.objects.all():
        row.claim("worker-that-dies")  # as db_worker does before it runs a task
    Command.objects.filter(pk=command.pk).update(
        phase=Phase.RUNNING, lease_expires_at=timezone.now() - timedelta(seconds=1)
    )

    bus.sweep_abandoned_commands()

    def task_row(c: Command) -> DBTaskResult:
        return DBTaskResult.objects.get(args_kwargs__kwargs__command_id=str(c.pk))

    assert task_row(command).status == TaskResultStatus.FAILED
    assert task_row(command).exception_class_path == "transcription.tasks.WorkerLost"
    assert "abandoned" in task_row(command).traceback
    assert task_row(other).status == TaskResultStatus.RUNNING  # its worker may be alive


def test_sweeper_ends_a_command_no_worker_picked_up(settings):
    settings.COMMAND_QUEUE_TIMEOUT = 0
    job = TranscriptionJobFactory(status=Status.FAILED)
    command = submit(target=job.pk)

    bus.sweep_abandoned_commands()

    command.refresh_from_db()
    assert command.phase == Phase.ERROR
    assert "Start the command worker" in command.remediation
