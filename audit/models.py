from __future__ import annotations

from django.db import models


class AppendOnlyError(Exception):
    """Audit entries are never changed or removed once written."""


class AuditEntry(models.Model):
    """One maintenance action and its outcome, chained to the entry before it by SHA-256.

    Written only through `audit.services.record`. The database refuses UPDATE, DELETE, REPLACE
    and TRUNCATE (triggers in migrations); `audit_verify` detects edits made around them.
    """

    class Outcome(models.TextChoices):
        SUCCESS = "success"
        ERROR = "error"
        REJECTED = "rejected"
        DENIED = "denied"

    seq = models.BigIntegerField(primary_key=True, verbose_name="sequence")
    timestamp = models.DateTimeField(db_index=True)
    actor = models.CharField(max_length=150)
    action = models.CharField(max_length=64)
    target = models.CharField(max_length=255, blank=True)
    outcome = models.CharField(max_length=16, choices=Outcome)
    command_id = models.UUIDField(null=True, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["-seq"]
        verbose_name_plural = "audit entries"
        indexes = [
            models.Index(fields=["target", "-seq"], name="audit_target_idx"),
            models.Index(fields=["command_id"], name="audit_command_idx"),
            models.Index(fields=["action", "-seq"], name="audit_action_idx"),
            models.Index(fields=["outcome", "-seq"], name="audit_outcome_idx"),
            models.Index(fields=["actor", "-seq"], name="audit_actor_idx"),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.actor} {self.action} {self.target}: {self.outcome}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError(
                f"Audit entry #{self.seq} cannot be changed: the trail is append-only."
            )
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError(
            f"Audit entry #{self.seq} cannot be deleted: the trail is append-only."
        )
