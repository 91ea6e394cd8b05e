from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

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
