"""`db_worker` on named queues, plus the sweep that fails jobs whose worker died."""

from __future__ import annotations

import logging
import threading

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import close_old_connections

from transcription.services import fail_abandoned_jobs

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Run a task worker on the given queues, failing jobs abandoned by dead workers."

    def add_arguments(self, parser):
        parser.add_argument("--queue-name", default="transcription")
        parser.add_argument("--interval", type=float, default=0.5)
        parser.add_argument("--batch", action="store_true", help="Exit when the queue is empty.")

    def handle(self, *args, queue_name: str, interval: float, batch: bool, **options):
        self.sweep()
        if not batch:
            threading.Thread(target=self.sweep_forever, name="job-sweeper", daemon=True).start()
        call_command(
            "db_worker",
            queue_name=queue_name,
            interval=interval,
            batch=batch,
            reload=False,
            startup_delay=False,
        )

    def sweep(self) -> None:
        try:
            if failed := fail_abandoned_jobs():
                self.stdout.write(f"failed {len(failed)} abandoned job(s): {', '.join(failed)}")
        except Exception:
            logger.exception("sweep for abandoned jobs failed; will try again")
        finally:
            close_old_connections()

    def sweep_forever(self) -> None:
        stop = threading.Event()
        while not stop.wait(settings.TRANSCRIPTION_SWEEP_INTERVAL):
            self.sweep()
