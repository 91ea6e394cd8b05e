from __future__ import annotations

import getpass
import uuid

from django.core.management.base import BaseCommand, CommandError

from maintenance import bus
from maintenance.models import Command as BusCommand


class Command(BaseCommand):
    help = "Retry a failed job through the command bus, printing each phase as it happens."

    def add_arguments(self, parser):
        parser.add_argument("job_id")
        parser.add_argument("--actor", help="Who is acting (default: cli:<os user>).")
        parser.add_argument(
            "--command-id", type=uuid.UUID, help="Idempotency key (default: a new UUID)."
        )

    def handle(self, *args, job_id: str, actor: str | None, command_id, **options):
        actor = actor or f"cli:{getpass.getuser()}"
        req = bus.Request(
            command_id=command_id or uuid.uuid4(),
            type=BusCommand.Type.RETRY_JOB,
            target=job_id,
            params={},
        )
        try:
            submission = bus.submit(req=req, actor=actor, enqueue=False)
        except bus.CommandRejected as rejection:
            raise CommandError(f"{rejection.detail} {rejection.remediation}".strip()) from None
        command = submission.command
        self.stdout.write(f"command {command.pk}: {command.phase}")
        if command.phase == BusCommand.Phase.QUEUED:
            command = bus.execute(command.pk, on_phase=self.print_phase)
        if command.phase != BusCommand.Phase.SUCCESS:
            raise CommandError(command.remediation or f"command is {command.phase}")
        self.stdout.write(
            f"job {job_id}: {command.result['status']}, attempt {command.result['attempts']}"
        )

    def print_phase(self, command) -> None:
        self.stdout.write(f"command {command.pk}: {command.phase}")
