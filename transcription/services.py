"""Everything that changes a transcription job happens here."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.files import File
from django.db import IntegrityError, models, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from live.channels import JOBS
from live.services import publish
from transcription import audio
from transcription.engines import get_engine
from transcription.models import JobAttempt, TranscriptionJob

logger = logging.getLogger(__name__)
Status = TranscriptionJob.Status


class JobVanished(Exception):
    """The job was deleted or changed by someone else while it was being transcribed."""


@dataclass(frozen=True)
class Upload:
    name: str
    file: File


def announce_job(job: TranscriptionJob) -> None:
    """Tell every open job table about this job's row, once the change commits."""
    html = render_to_string("transcription/job_list.html#job-row", {"job": job})
    publish(JOBS, {"op": "upsert", "jobId": job.pk, "status": job.status, "html": html})


def announce_job_removed(job_id: str) -> None:
    publish(JOBS, {"op": "delete", "jobId": job_id})


def _announce_pk(job_id: str) -> None:
    if job := TranscriptionJob.objects.filter(pk=job_id).first():
        announce_job(job)


def create_jobs(
    *, uploads: Iterable[Upload], language: str = "en-US", enqueue: bool = True
) -> list[TranscriptionJob]:
    """Store each file as a queued job and enqueue its transcription once the rows commit.

    `enqueue=False` leaves the transcription to the caller (the demo seed runs it in place).
    """
    from transcription.tasks import transcribe_job

    jobs = []
    for upload in uploads:
        for _ in range(5):  # a new ID on the rare cross-process collision
            job = TranscriptionJob(original_name=upload.name[:255], language=language)
            try:
                with transaction.atomic():
                    job.audio.save(upload.name, upload.file, save=False)
                    job.save(force_insert=True)
                break
            except IntegrityError:
                job.audio.delete(save=False)
        else:
            raise RuntimeError("could not allocate a unique job ID")
        if enqueue:
            transaction.on_commit(lambda pk=job.pk: transcribe_job.enqueue(job_id=pk))
        announce_job(job)
        jobs.append(job)
    return jobs


def run_transcription(*, job_id: str) -> TranscriptionJob | None:
    """Claim a queued job, transcribe it and record the outcome.

    Returns None when there is nothing to do: the job was deleted, or another worker has it.
    """
    engine = get_engine()  # loaded before the claim, so a claimed job always has its attempt
    now = timezone.now()
    with transaction.atomic():
        claimed = TranscriptionJob.objects.filter(pk=job_id, status=Status.QUEUED).update(
            status=Status.PROCESSING,
            started_at=now,
            finished_at=None,
            heartbeat_at=now,
            progress=0.0,
            error_message="",
            updated_at=now,
        )
        if not claimed:
            logger.info("job %s is no longer queued; nothing to do", job_id)
            return None
        job = TranscriptionJob.objects.get(pk=job_id)
        attempt = JobAttempt.objects.create(
            job=job, number=job.attempts, engine=engine.name, started_at=now
        )
        announce_job(job)
    try:
        clip = audio.load(job.audio.path, max_seconds=settings.TRANSCRIPTION_MAX_SECONDS)
        _update_running(job, duration_seconds=clip.duration, engine=engine.name)
        text = engine.transcribe(
            clip.samples, on_progress=lambda share: _update_running(job, progress=share)
        )
        if not text.strip():
            raise audio.AudioError(
                "No speech was recognised. The recording may be music, noise or a language "
                f"other than {job.language}; check it, then retry or upload a clearer one."
            )
    except JobVanished:
        logger.info("job %s was deleted or changed while transcribing; dropped", job_id)
        return None
    except audio.AudioError as exc:
        return _finish(job, attempt, error=str(exc))
    except Exception as exc:
        logger.exception("transcription of %s failed unexpectedly", job_id)
        return _finish(
            job,
            attempt,
            error=(
                f"The transcription engine failed ({type(exc).__name__}: {exc}). Retry the job; "
                "if it fails again, check the worker log for this job ID."
            ),
        )
    return _finish(job, attempt, transcript=text)


def _running(job: TranscriptionJob):
    return TranscriptionJob.objects.filter(
        pk=job.pk, status=Status.PROCESSING, attempts=job.attempts
    )


def _update_running(job: TranscriptionJob, **fields) -> None:
    now = timezone.now()
    with transaction.atomic():
        if not _running(job).update(heartbeat_at=now, updated_at=now, **fields):
            raise JobVanished(job.pk)
        _announce_pk(job.pk)


def _finish(
    job: TranscriptionJob, attempt: JobAttempt, *, transcript: str = "", error: str = ""
) -> TranscriptionJob | None:
    now = timezone.now()
    status = Status.FAILED if error else Status.COMPLETED
    with transaction.atomic():
        done = _running(job).update(
            status=status,
            transcript=transcript,
            error_message=error,
            progress=0.0 if error else 1.0,
            finished_at=now,
            heartbeat_at=None,
            updated_at=now,
        )
        if not done:
            return None
        attempt.outcome = JobAttempt.Outcome.FAILED if error else JobAttempt.Outcome.COMPLETED
        attempt.error_message = error
        attempt.finished_at = now
        attempt.save(update_fields=["outcome", "error_message", "finished_at"])
        job = TranscriptionJob.objects.get(pk=job.pk)
        announce_job(job)
    return job


class JobStateError(Exception):
    """The job is not in the state an action needs; says what state it is in."""

    def __init__(self, job: TranscriptionJob, message: str):
        super().__init__(message)
        self.job = job


def requeue_failed_job(*, job_id: str) -> TranscriptionJob:
    """Send a failed job back to the queue for another attempt.

    Guarded by the expected state in one conditional UPDATE, so two retries (or a retry racing
    a worker) cannot both succeed. The failed attempt stays in the history with its error.
    Raises TranscriptionJob.DoesNotExist or JobStateError.
    """
    from transcription.tasks import transcribe_job

    now = timezone.now()
    with transaction.atomic():
        requeued = TranscriptionJob.objects.filter(pk=job_id, status=Status.FAILED).update(
            status=Status.QUEUED,
            attempts=models.F("attempts") + 1,
            error_message="",
            transcript="",
            progress=0.0,
            started_at=None,
            finished_at=None,
            heartbeat_at=None,
            updated_at=now,
        )
        job = TranscriptionJob.objects.get(pk=job_id)
        if not requeued:
            raise JobStateError(job, f"job {job_id} is {job.status}, not failed")
        announce_job(job)
        transaction.on_commit(lambda: transcribe_job.enqueue(job_id=job_id))
    return job


def delete_job(*, job_id: str) -> dict:
    """Remove a job, its attempts and its audio, in any status.

    A worker transcribing it notices at its next progress report and drops it quietly.
    Raises TranscriptionJob.DoesNotExist.
    """
    with transaction.atomic():
        job = TranscriptionJob.objects.select_for_update().get(pk=job_id)
        summary = {
            "jobId": job.pk,
            "status": job.status,
            "file": job.original_name,
            "attempts": job.attempt_history.count(),
        }
        audio = job.audio.name
        job.delete()
        announce_job_removed(job_id)
        storage = job.audio.storage
        transaction.on_commit(lambda: storage.delete(audio) if audio else None)
    return summary


def fail_abandoned_jobs() -> list[str]:
    """Fail jobs whose worker stopped reporting (killed, crashed, machine lost)."""
    from transcription.tasks import end_abandoned_runs, transcribe_job

    stale_after = settings.TRANSCRIPTION_STALE_AFTER
    cutoff = timezone.now() - timedelta(seconds=stale_after)
    failed = []
    for job in TranscriptionJob.objects.filter(status=Status.PROCESSING, heartbeat_at__lt=cutoff):
        error = (
            f"The worker stopped while transcribing this job (no progress for "
            f"{stale_after:.0f} s: it was killed, crashed or lost its machine). "
            "Retry the job; if it happens again, check the worker log and its memory limit."
        )
        now = timezone.now()
        with transaction.atomic():
            if (
                not _running(job)
                .filter(heartbeat_at__lt=cutoff)
                .update(
                    status=Status.FAILED,
                    error_message=error,
                    finished_at=now,
                    heartbeat_at=None,
                    updated_at=now,
                )
            ):
                continue
            JobAttempt.objects.filter(
                job=job, number=job.attempts, outcome=JobAttempt.Outcome.RUNNING
            ).update(outcome=JobAttempt.Outcome.FAILED, error_message=error, finished_at=now)
            end_abandoned_runs(transcribe_job, reason=error, job_id=job.pk)
            _announce_pk(job.pk)
        logger.warning("job %s abandoned by its worker; marked failed", job.pk)
        failed.append(job.pk)
    return failed


@dataclass(frozen=True)
class JobPage:
    jobs: list[TranscriptionJob]
    next_before: str | None  # the cursor of the next (older) page, None on the last page


def list_jobs(*, status: str = "", query: str = "", before: str = "", size: int = 50) -> JobPage:
    """Newest first, by keyset on the primary key: no OFFSET and no COUNT, so the first page
    costs the same with a million rows as with ten."""
    jobs = TranscriptionJob.objects.defer("transcript")
    if status in Status.values:
        jobs = jobs.filter(status=status)
    query = query.strip()
    if query.lower().startswith("job_"):
        jobs = jobs.filter(pk__startswith=query.lower())
    elif query:
        jobs = jobs.filter(original_name__icontains=query)
    if before:
        jobs = jobs.filter(pk__lt=before)
    rows = list(jobs.order_by("-pk")[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    return JobPage(jobs=rows, next_before=rows[-1].pk if more else None)
