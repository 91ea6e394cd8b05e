from __future__ import annotations

from django.tasks import Task, task
from django.tasks.base import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from transcription import services


class WorkerLost(Exception):
    """The worker running this task stopped (killed, crashed or lost its machine)."""


@task(queue_name="transcription")
def transcribe_job(*, job_id: str) -> None:
    services.run_transcription(job_id=job_id)


def end_abandoned_runs(task_: Task, *, reason: str, **kwargs: str) -> int:
    """Mark `task_`'s RUNNING rows for these keyword arguments FAILED, saying why.

    django-tasks-db has no heartbeat: a killed worker leaves its row RUNNING forever. The
    sweeps that end our own abandoned work call this too, so that the task list in the admin
    tells the same story as the job or command. A worker that was only slow and finishes
    after all still records its real outcome over this one.
    """
    return DBTaskResult.objects.filter(
        status=TaskResultStatus.RUNNING,
        task_path=task_.module_path,
        **{f"args_kwargs__kwargs__{name}": value for name, value in kwargs.items()},
    ).update(
        status=TaskResultStatus.FAILED,
        finished_at=timezone.now(),
        exception_class_path=f"{WorkerLost.__module__}.{WorkerLost.__qualname__}",
        traceback=f"{WorkerLost.__qualname__}: {reason}",
    )
