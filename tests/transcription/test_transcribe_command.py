from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django_tasks_db.models import DBTaskResult

from tests.factories import AUDIO_DIR
from transcription.models import TranscriptionJob

pytestmark = pytest.mark.django_db


def test_transcribe_prints_the_new_job_ids():
    out = StringIO()

    call_command("transcribe", str(AUDIO_DIR / "hello.wav"), str(AUDIO_DIR / "fox.wav"), stdout=out)

    printed = out.getvalue().split()
    assert sorted(printed) == sorted(TranscriptionJob.objects.values_list("pk", flat=True))
    assert len(printed) == 2


def test_transcribe_with_a_missing_file_queues_nothing():
    with pytest.raises(CommandError, match="No such file: nope.wav"):
        call_command("transcribe", str(AUDIO_DIR / "hello.wav"), "nope.wav")

    assert not TranscriptionJob.objects.exists()


def test_seed_demo_creates_every_status_and_prints_a_staff_login():
    out = StringIO()

    call_command("seed_demo", stdout=out)

    statuses = set(TranscriptionJob.objects.values_list("status", flat=True))
    assert {"completed", "failed", "queued"} <= statuses
    assert "Staff login (shown once): staff / " in out.getvalue()
    failed = TranscriptionJob.objects.filter(status=TranscriptionJob.Status.FAILED)
    assert all(j.error_message for j in failed)


def test_seed_demo_enqueues_only_the_jobs_it_leaves_queued(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", stdout=StringIO())

    queued = TranscriptionJob.objects.filter(status=TranscriptionJob.Status.QUEUED)
    enqueued = DBTaskResult.objects.values_list("args_kwargs__kwargs__job_id", flat=True)
    assert sorted(enqueued) == sorted(queued.values_list("pk", flat=True))
    assert queued.count() == 2
