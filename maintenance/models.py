from __future__ import annotations

from django.db import models
from django.urls import reverse


class Command(models.Model):
    """One maintenance command. Its primary key is the client's idempotency key (commandId):
    the claim is the insert of this row, so a command exists, and runs, at most once."""

    class Type(models.TextChoices):
        RETRY_JOB = "retry-job"
        DELETE_JOB = "delete-job"
        PURGE_QUEUE = "purge-queue"
        RESTART_SERVICE = "restart-service"

    class Phase(models.TextChoices):
        QUEUED = "queued"
        RUNNING = "running"
        SUCCESS = "success"
        ERROR = "error"

    id = models.UUIDField(primary_key=True, editable=False)
    type = models.CharField(max_length=32, choices=Type)
    target = models.CharField(max_length=255)
    params = models.JSONField(default=dict, blank=True)
    fingerprint = models.CharField(max_length=64, help_text="SHA-256 of type, target, params.")
    actor = models.CharField(max_length=150)
    source_ip = models.GenericIPAddressField(null=True, blank=True)
    phase = models.CharField(max_length=12, choices=Phase, default=Phase.QUEUED)
    queue_position = models.PositiveIntegerField(default=0)
    logs = models.JSONField(default=list, blank=True)
    result = models.JSONField(null=True, blank=True)
    remediation = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    lease_expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["phase", "created_at"], name="command_phase_idx")]

    def __str__(self) -> str:
        return f"{self.type} {self.target} ({self.phase})"

    def get_absolute_url(self) -> str:
        return reverse("maintenance:command-detail", args=[self.pk])

    @property
    def is_finished(self) -> bool:
        return self.phase in {self.Phase.SUCCESS, self.Phase.ERROR}

    @property
    def is_queued(self) -> bool:
        return self.phase == self.Phase.QUEUED

    @property
    def channel(self) -> str:
        from live.channels import command_channel

        return command_channel(self.pk)

    @property
    def audit_url(self) -> str:
        from audit.services import audit_url

        return audit_url(command_id=self.pk)
