from __future__ import annotations

from pathlib import Path

import factory
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.utils import timezone

from transcription.models import JobAttempt, TranscriptionJob

AUDIO_DIR = Path(__file__).resolve().parent.parent / "transcription" / "demo_audio"
ERRORS = {
    TranscriptionJob.Status.FAILED: (
        "The recording is silent (3.0 s without sound above -60 dBFS). Check that the "
        "microphone was on and upload the right file."
    )
}


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.django.Password("correct horse battery")
    is_staff = False


class TranscriptionJobFactory(factory.django.DjangoModelFactory):
    """A valid job in any status; the audio is a real speech clip."""

    class Meta:
        model = TranscriptionJob
        skip_postgeneration_save = True

    status = TranscriptionJob.Status.QUEUED
    original_name = factory.Sequence(lambda n: f"recording-{n}.wav")
    audio = factory.LazyAttribute(
        lambda o: ContentFile((AUDIO_DIR / "hello.wav").read_bytes(), name=o.original_name)
    )
    duration_seconds = 1.8
    error_message = factory.LazyAttribute(lambda o: ERRORS.get(o.status, ""))
    transcript = factory.LazyAttribute(
        lambda o: (
            "hello world this is a test" if o.status == TranscriptionJob.Status.COMPLETED else ""
        )
    )
    started_at = factory.LazyAttribute(
        lambda o: None if o.status == TranscriptionJob.Status.QUEUED else timezone.now()
    )
    finished_at = factory.LazyAttribute(
        lambda o: (
            timezone.now()
            if o.status in {TranscriptionJob.Status.COMPLETED, TranscriptionJob.Status.FAILED}
            else None
        )
    )
    heartbeat_at = factory.LazyAttribute(
        lambda o: timezone.now() if o.status == TranscriptionJob.Status.PROCESSING else None
    )

    @factory.post_generation
    def history(obj, create, extracted, **kwargs):
        """Started jobs get the attempt row their status implies."""
        if not create or obj.status == TranscriptionJob.Status.QUEUED:
            return
        outcome = {
            TranscriptionJob.Status.PROCESSING: JobAttempt.Outcome.RUNNING,
            TranscriptionJob.Status.COMPLETED: JobAttempt.Outcome.COMPLETED,
            TranscriptionJob.Status.FAILED: JobAttempt.Outcome.FAILED,
        }[obj.status]
        JobAttempt.objects.create(
            job=obj,
            number=obj.attempts,
            outcome=outcome,
            error_message=obj.error_message,
            started_at=obj.started_at,
            finished_at=obj.finished_at,
        )
