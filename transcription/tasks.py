from __future__ import annotations

from django.tasks import task

from transcription import services


@task(queue_name="transcription")
def transcribe_job(*, job_id: str) -> None:
    services.run_transcription(job_id=job_id)
