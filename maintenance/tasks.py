from __future__ import annotations

from django.tasks import task

from maintenance import bus


@task(queue_name="commands")
def run_command(*, command_id: str) -> None:
    bus.execute(command_id)
