"""One function per command type. Each runs inside the bus's transaction and returns the
command's result, or raises CommandFailed with what went wrong and what to do next."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from maintenance.models import Command
from transcription import services as jobs
from transcription.models import TranscriptionJob


class CommandFailed(Exception):
    def __init__(self, message: str, remediation: str):
        super().__init__(message)
        self.remediation = remediation


@dataclass
class Context:
    target: str
    params: dict[str, Any]
    logs: list[str] = field(default_factory=list)

    def log(self, line: str) -> None:
        self.logs.append(line)


def retry_job(ctx: Context) -> dict[str, Any]:
    ctx.log(f"Checking that {ctx.target} is still failed")
    try:
        job = jobs.requeue_failed_job(job_id=ctx.target)
    except TranscriptionJob.DoesNotExist as exc:
        raise CommandFailed(
            f"Job {ctx.target} no longer exists.",
            "It was deleted meanwhile; nothing to retry. Upload the recording again if needed.",
        ) from exc
    except jobs.JobStateError as exc:
        raise CommandFailed(
            f"Job {ctx.target} is {exc.job.status}, not failed, so it was not retried.",
            "Someone or something changed it first. Reload the table; retry only if it "
            "fails again.",
        ) from exc
    ctx.log(f"Queued attempt {job.attempts}; the previous error is kept in the job's history")
    return {"jobId": job.pk, "status": job.status, "attempts": job.attempts}


def delete_job(ctx: Context) -> dict[str, Any]:
    ctx.log(f"Deleting {ctx.target}, its attempts and its audio")
    try:
        removed = jobs.delete_job(job_id=ctx.target)
    except TranscriptionJob.DoesNotExist as exc:
        raise CommandFailed(
            f"Job {ctx.target} no longer exists.",
            "It was already deleted; there is nothing left to do.",
        ) from exc
    ctx.log(f"Deleted {removed['file']} ({removed['attempts']} attempt(s) removed)")
    return {"deleted": True, **removed}


HANDLERS: dict[str, Callable[[Context], dict[str, Any]]] = {
    Command.Type.RETRY_JOB: retry_job,
    Command.Type.DELETE_JOB: delete_job,
}
