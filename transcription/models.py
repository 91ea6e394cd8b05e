from __future__ import annotations

from django.db import models
from django.urls import reverse

from transcription.ids import new_job_id


def audio_upload_path(job: TranscriptionJob, filename: str) -> str:
    suffix = filename.rsplit(".", 1)[-1].lower()[:8] if "." in filename else "bin"
    return f"audio/{job.pk}.{suffix}"


class TranscriptionJob(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued"
        PROCESSING = "processing"
        COMPLETED = "completed"
        FAILED = "failed"

    id = models.CharField(primary_key=True, max_length=16, default=new_job_id, editable=False)
    status = models.CharField(max_length=12, choices=Status, default=Status.QUEUED)
    audio = models.FileField(upload_to=audio_upload_path, max_length=255)
    original_name = models.CharField(max_length=255)
    duration_seconds = models.FloatField(null=True, blank=True)
    language = models.CharField(max_length=16, default="en-US")
    engine = models.CharField(max_length=64, blank=True)
    transcript = models.TextField(blank=True)
    error_message = models.TextField(blank=True)
    attempts = models.PositiveIntegerField(default=1)
    progress = models.FloatField(default=0.0, help_text="Share of the audio processed, 0 to 1.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["status", "-id"], name="job_status_id_idx"),
            models.Index(fields=["original_name"], name="job_original_name_idx"),
        ]

    def __str__(self) -> str:
        return self.pk

    def get_absolute_url(self) -> str:
        return reverse("transcription:job-detail", args=[self.pk])

    @property
    def is_retryable(self) -> bool:
        return self.status == self.Status.FAILED

    @property
    def is_processing(self) -> bool:
        return self.status == self.Status.PROCESSING

    @property
    def is_finished(self) -> bool:
        return self.status in {self.Status.COMPLETED, self.Status.FAILED}

    @property
    def progress_percent(self) -> int:
        return round(self.progress * 100)


class JobAttempt(models.Model):
    """One run of a job. Kept after a retry, so that the reason a job failed is never lost."""

    class Outcome(models.TextChoices):
        RUNNING = "running"
        COMPLETED = "completed"
        FAILED = "failed"

    job = models.ForeignKey(
        TranscriptionJob, on_delete=models.CASCADE, related_name="attempt_history"
    )
    number = models.PositiveIntegerField()
    outcome = models.CharField(max_length=12, choices=Outcome, default=Outcome.RUNNING)
    engine = models.CharField(max_length=64, blank=True)
    error_message = models.TextField(blank=True)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["job", "number"]
        constraints = [
            models.UniqueConstraint(fields=["job", "number"], name="one_attempt_per_number")
        ]

    def __str__(self) -> str:
        return f"{self.job_id} attempt {self.number}"
