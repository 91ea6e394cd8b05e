"""The command bus: the only way maintenance actions happen.

Every action, from the dashboard, a script over HTTP or `manage.py retry_job`, goes through
`submit()` (validate, claim, enqueue) and `execute()` (run, phases, audit), so idempotency,
streaming, audit and error rules are the same everywhere.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEntry
from audit.services import audit_url, record
from live.channels import command_channel
from live.services import publish
from maintenance.contract import CommandRejected, Request, fingerprint, parse_request
from maintenance.handlers import HANDLERS, CommandFailed, Context
from maintenance.models import Command
from maintenance.timeouts import limited_transaction, timeout_for
from transcription.models import TranscriptionJob
from transcription.tasks import end_abandoned_runs

__all__ = [  # the contract is re-exported: callers need only the bus
    "CommandRejected",
    "Request",
    "Submission",
    "as_json",
    "events_url",
    "execute",
    "parse_request",
    "preview",
    "reject",
    "submit",
    "sweep_abandoned_commands",
]
logger = logging.getLogger(__name__)
Phase = Command.Phase
Outcome = AuditEntry.Outcome
NOT_BUILT = {Command.Type.PURGE_QUEUE, Command.Type.RESTART_SERVICE}
CONCURRENCY_LOCK_KEY = 0x636D6473  # "cmds"


@dataclass(frozen=True)
class Submission:
    command: Command
    created: bool


# Submitting --------------------------------------------------------------------------------


def submit(
    *, req: Request, actor: str, source_ip: str | None = None, enqueue: bool = True
) -> Submission:
    """Claim and queue a command, or return the one already claimed with this commandId.

    Raises CommandRejected (recorded in the audit trail) when it cannot be accepted.
    """
    existing = Command.objects.filter(pk=req.command_id).first()
    if existing is not None:
        return Submission(_same_or_conflict(existing, req, actor, source_ip), created=False)
    try:
        _validate(req)
    except CommandRejected as rejection:
        reject(req=req, actor=actor, source_ip=source_ip, rejection=rejection)
        raise
    try:
        with transaction.atomic():
            position = Command.objects.filter(phase=Phase.QUEUED).count() + 1
            queued = [f"Queued by {actor} (position {position})"]
            command = Command.objects.create(  # the claim: one insert against the primary key
                id=req.command_id,
                type=req.type,
                target=req.target,
                params=req.params,
                fingerprint=fingerprint(req),
                actor=actor,
                source_ip=source_ip,
                queue_position=position,
                logs=queued,
                lease_expires_at=None,
            )
            _announce(command, logs=queued)
            if enqueue:
                from maintenance.tasks import run_command

                transaction.on_commit(lambda: run_command.enqueue(command_id=str(command.pk)))
    except IntegrityError:
        existing = Command.objects.get(pk=req.command_id)  # lost the race to the same key
        return Submission(_same_or_conflict(existing, req, actor, source_ip), created=False)
    return Submission(command, created=True)


def _same_or_conflict(existing: Command, req: Request, actor: str, ip: str | None) -> Command:
    if existing.fingerprint == fingerprint(req) and existing.actor == actor:
        return existing
    rejection = CommandRejected(
        422,
        "commandId reused",
        f"commandId {req.command_id} was already used for a different command"
        + ("" if existing.actor == actor else " by another user")
        + ".",
        "Generate a new commandId (a fresh UUID) for a new command.",
    )
    reject(req=req, actor=actor, source_ip=ip, rejection=rejection)
    raise rejection


def _validate(req: Request) -> None:
    if req.type in NOT_BUILT:
        raise CommandRejected(
            501,
            "not implemented",
            f"{req.type} is part of the command contract but not available yet.",
            "Use retry-job or delete-job, or act on the queue or service from the host.",
        )
    job = TranscriptionJob.objects.filter(pk=req.target).first()
    if job is None:
        raise CommandRejected(
            404,
            "unknown target",
            f"No job with ID {req.target!r}.",
            "Check the job ID in the table; it may have been deleted.",
        )
    if req.type == Command.Type.RETRY_JOB and not job.is_retryable:
        raise CommandRejected(
            409,
            "job not failed",
            f"Job {job.pk} is {job.status}; only failed jobs can be retried.",
            _why_not_failed(job),
        )
    if req.type == Command.Type.DELETE_JOB and req.params.get("confirm") != job.pk:
        raise CommandRejected(
            400,
            "invalid params.confirm",
            f"Type the job ID to confirm: params.confirm must be exactly {job.pk} to delete it.",
        )


def _why_not_failed(job: TranscriptionJob) -> str:
    last = (
        AuditEntry.objects.filter(
            target=job.pk, action=Command.Type.RETRY_JOB, outcome=Outcome.SUCCESS
        )
        .order_by("-seq")
        .first()
    )
    if last:
        when = last.timestamp.strftime("%Y-%m-%d %H:%M:%S UTC")
        return f"{last.actor} retried it at {when}; wait for that attempt to finish."
    return "Wait until it finishes; retry it only if it fails."


def reject(*, req: Request | None, actor: str, source_ip: str | None, rejection: CommandRejected):
    """Record a refused request in the audit trail (denied: not allowed; rejected: invalid)."""
    record(
        actor=actor,
        action=req.type if req else "command",
        target=req.target if req else "",
        outcome=Outcome.DENIED if rejection.status in {401, 403} else Outcome.REJECTED,
        command_id=req.command_id if req else None,
        detail={
            "status": rejection.status,
            "reason": rejection.detail,
            "remediation": rejection.remediation,
            "ip": source_ip,
        },
    )


# Executing ---------------------------------------------------------------------------------


def execute(command_id: uuid.UUID | str, *, on_phase: Callable[[Command], None] | None = None):
    """Run a queued command to its end. Safe to call twice: only one caller claims it."""
    command = _claim_running(command_id)
    if command is None:
        return Command.objects.filter(pk=command_id).first()
    if on_phase:
        on_phase(command)
    ctx = Context(target=command.target, params=command.params)
    try:
        with limited_transaction(timeout_for(command.type), what=command.type):
            result = HANDLERS[command.type](ctx)
            command = _finish(command, Phase.SUCCESS, logs=ctx.logs, result=result)
    except CommandFailed as failure:
        command = _finish(
            command, Phase.ERROR, logs=[*ctx.logs, f"Failed: {failure}"],
            remediation=f"{failure} {failure.remediation}",
        )  # fmt: skip
    except Exception as exc:
        logger.exception("command %s failed unexpectedly", command.pk)
        command = _finish(
            command,
            Phase.ERROR,
            logs=[*ctx.logs, f"Failed: {type(exc).__name__}: {exc}"],
            remediation=(
                f"The command failed unexpectedly ({type(exc).__name__}). Nothing was changed. "
                "Check the command worker's log for this commandId, then retry with a new one."
            ),
        )
    if on_phase:
        on_phase(command)
    return command


def _claim_running(command_id) -> Command | None:
    """queued → running, if a slot is free: compare-and-set, under a lock on PostgreSQL."""
    now = timezone.now()
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CONCURRENCY_LOCK_KEY])
        running = Command.objects.filter(phase=Phase.RUNNING).count()
        if running >= settings.COMMANDS_MAX_RUNNING:
            return _requeue_later(command_id)
        command = Command.objects.filter(pk=command_id, phase=Phase.QUEUED).first()
        if command is None or not _advance(
            command,
            Phase.QUEUED,
            logs=["Running"],
            phase=Phase.RUNNING,
            started_at=now,
            lease_expires_at=now + timedelta(seconds=settings.COMMAND_LEASE_SECONDS),
            queue_position=0,
        ):
            return None
    return command


def _requeue_later(command_id) -> None:
    from maintenance.tasks import run_command

    run_after = timezone.now() + timedelta(seconds=0.5)
    transaction.on_commit(
        lambda: run_command.using(run_after=run_after).enqueue(command_id=str(command_id))
    )
    return None


def _finish(command: Command, phase: str, *, logs: list[str], result=None, remediation=""):
    with transaction.atomic():
        if not _advance(
            command,
            Phase.RUNNING,
            logs=logs,
            phase=phase,
            result=result,
            remediation=remediation,
            finished_at=timezone.now(),
            lease_expires_at=None,
        ):
            command.refresh_from_db()  # the sweeper ended it first; keep its verdict
            return command
        _audit_outcome(command)
    return command


def _advance(command: Command, expected: str, *, logs: list[str], **changes) -> bool:
    """Compare-and-set from `expected`, appending `logs`, then publish the phase event.

    Logs change only with a phase, and phases only move forward, so the logs read with
    `command` are still the stored ones whenever the compare-and-set succeeds.
    """
    changes["logs"] = [*command.logs, *logs]
    if not Command.objects.filter(pk=command.pk, phase=expected).update(**changes):
        return False
    for name, value in changes.items():
        setattr(command, name, value)
    _announce(command, logs=logs)
    return True


def _audit_outcome(command: Command) -> None:
    record(
        actor=command.actor,
        action=command.type,
        target=command.target,
        outcome=Outcome.SUCCESS if command.phase == Phase.SUCCESS else Outcome.ERROR,
        command_id=command.pk,
        detail={
            "result": command.result,
            "remediation": command.remediation,
            "ip": command.source_ip,
        },
    )


def _announce(command: Command, *, logs: list[str]) -> None:
    """Publish the command's CommandEvent with the log lines this change added."""
    event = {"commandId": str(command.pk), "phase": command.phase, "logs": logs}
    if command.phase == Phase.QUEUED:
        event["queuePosition"] = command.queue_position
    if command.phase == Phase.SUCCESS:
        event["result"] = command.result
    if command.phase == Phase.ERROR:
        event["remediation"] = command.remediation
    publish(command_channel(command.pk), event)


# Sweeping ----------------------------------------------------------------------------------


def sweep_abandoned_commands() -> list[str]:
    """End commands whose worker died (lease expired) or that no worker picked up in time."""
    from maintenance.tasks import run_command

    now = timezone.now()
    ended = []
    stale_queue = now - timedelta(seconds=settings.COMMAND_QUEUE_TIMEOUT)
    abandoned = Command.objects.filter(phase=Phase.RUNNING, lease_expires_at__lt=now)
    unclaimed = Command.objects.filter(phase=Phase.QUEUED, created_at__lt=stale_queue)
    for command, expected, why, fix in [
        *[(c, Phase.RUNNING, "abandoned: its worker stopped while running it", _ABANDONED)
          for c in abandoned],
        *[(c, Phase.QUEUED, "no command worker picked it up in time", _UNCLAIMED)
          for c in unclaimed],
    ]:  # fmt: skip
        with transaction.atomic():
            if not _advance(
                command,
                expected,
                logs=[f"Ended: {why}"],
                phase=Phase.ERROR,
                remediation=f"The command was {why}. {fix}",
                finished_at=now,
                lease_expires_at=None,
            ):
                continue
            if expected == Phase.RUNNING:
                end_abandoned_runs(run_command, reason=why, command_id=str(command.pk))
            _audit_outcome(command)
        ended.append(str(command.pk))
    return ended


_ABANDONED = (
    "Its effect may or may not have been applied: check the job in the table, then retry with "
    "a new commandId if needed, and check why the command worker died (its log, memory limit)."
)
_UNCLAIMED = (
    "Nothing was changed. Start the command worker (the `commands` process: "
    "python manage.py worker --queue-name commands), then retry with a new commandId."
)


def preview(action: str, job: TranscriptionJob) -> dict[str, Any]:
    """What a confirmation shows before anything happens: the job now, and after."""
    if action == Command.Type.RETRY_JOB:
        return {
            "status_before": job.status,
            "status_after": TranscriptionJob.Status.QUEUED,
            "attempt_before": job.attempts,
            "attempt_after": job.attempts + 1,
            "error": job.error_message,
        }
    return {
        "file": job.original_name,
        "attempts": job.attempt_history.count(),
        "has_transcript": bool(job.transcript),
    }


def as_json(command: Command) -> dict[str, Any]:
    """The command as the HTTP API shows it."""
    return {
        "commandId": str(command.pk),
        "type": command.type,
        "target": command.target,
        "params": command.params,
        "phase": command.phase,
        "logs": command.logs,
        "result": command.result,
        "remediation": command.remediation or None,
        "queuePosition": command.queue_position if command.phase == Phase.QUEUED else None,
        "createdAt": command.created_at.isoformat(),
        "eventsUrl": events_url(command.pk),
        "auditUrl": audit_url(command_id=command.pk),
    }


def events_url(command_id) -> str:
    """The command's stream, from its first event, so that a late subscriber misses nothing."""
    channel = command_channel(command_id)
    return f"{reverse('live:events')}?channel={channel}&lastEventId={channel}:0"
