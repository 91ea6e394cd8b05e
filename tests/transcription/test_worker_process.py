"""The real worker process: `manage.py worker` running django-tasks-db's db_worker."""

from __future__ import annotations

import io
import signal
import time

import numpy as np
import pytest
import soundfile
from django.core.files.base import ContentFile
from django.tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from tests import processes
from tests.factories import AUDIO_DIR
from transcription.models import JobAttempt, TranscriptionJob
from transcription.services import Upload, create_jobs

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.integration]
Status = TranscriptionJob.Status


def long_speech(repeats: int) -> bytes:
    clip, rate = soundfile.read(AUDIO_DIR / "fox.wav", dtype="float32")
    buffer = io.BytesIO()
    soundfile.write(
        buffer, np.tile(np.concatenate([clip, np.zeros(4000)]), repeats), rate, format="WAV"
    )
    return buffer.getvalue()


def test_worker_process_transcribes_an_uploaded_job():
    [job] = create_jobs(
        uploads=[Upload("fox.wav", ContentFile((AUDIO_DIR / "fox.wav").read_bytes()))]
    )

    result = processes.manage("worker", "--batch")

    assert result.returncode == 0, result.stderr
    job.refresh_from_db()
    assert job.status == Status.COMPLETED
    assert "quick brown fox" in job.transcript


def test_job_of_a_killed_worker_becomes_failed_with_an_explanation():
    [job] = create_jobs(uploads=[Upload("long.wav", ContentFile(long_speech(40)))])

    with processes.worker() as proc:
        processes.wait_until(
            lambda: TranscriptionJob.objects.filter(pk=job.pk, status=Status.PROCESSING).exists(),
            message="the worker never started the job",
        )
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)

    job.refresh_from_db()
    assert job.status == Status.PROCESSING  # nobody is left to finish it...
    time.sleep(1.0)  # its last heartbeat is now older than the stale period below
    result = processes.manage("worker", "--batch", TRANSCRIPTION_STALE_AFTER="0.5")

    assert result.returncode == 0, result.stderr
    job.refresh_from_db()
    assert job.status == Status.FAILED, result.stderr  # ...until the next worker's sweep
    assert "The worker stopped while transcribing this job" in job.error_message
    assert job.attempt_history.get().outcome == JobAttempt.Outcome.FAILED
    task_row = DBTaskResult.objects.get(args_kwargs__kwargs__job_id=job.pk)
    assert task_row.status == TaskResultStatus.FAILED  # not "running" forever in the admin
    assert "The worker stopped while transcribing this job" in task_row.traceback


def test_progress_is_recorded_while_a_long_job_runs():
    [job] = create_jobs(uploads=[Upload("long.wav", ContentFile(long_speech(12)))])
    seen = set()

    with processes.worker():

        def finished():
            job.refresh_from_db()
            seen.add(job.progress)
            return job.status == Status.COMPLETED

        processes.wait_until(finished, timeout=60, interval=0.02)

    assert any(0 < p < 1 for p in seen), seen
    assert job.progress == 1.0


def test_job_deleted_while_transcribing_is_dropped_quietly_and_never_comes_back():
    from maintenance import bus
    from tests.maintenance.conftest import command_request

    [job] = create_jobs(uploads=[Upload("long.wav", ContentFile(long_speech(40)))])

    with processes.worker() as proc:
        processes.wait_until(
            lambda: TranscriptionJob.objects.filter(pk=job.pk, status=Status.PROCESSING).exists()
        )
        req = bus.parse_request(
            command_request(type="delete-job", target=job.pk, params={"confirm": job.pk})
        )
        command = bus.execute(bus.submit(req=req, actor="alice", enqueue=False).command.pk)
        processes.wait_until(lambda: "dropped" in processes.last_log(proc), timeout=60)

    assert command.phase == "success"
    assert not TranscriptionJob.objects.filter(pk=job.pk).exists()
    assert not JobAttempt.objects.filter(job_id=job.pk).exists()
    assert "Traceback" not in processes.last_log(proc)
