"""`db_worker` on named queues, plus the sweeps that end work whose worker died."""

from __future__ import annotations

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connections

from maintenance.sweeper import run_sweeps, start_in_background


class Command(BaseCommand):
    help = "Run a task worker on the given queues, ending work abandoned by dead workers."

    def add_arguments(self, parser):
        parser.add_argument("--queue-name", default="transcription")
        parser.add_argument("--interval", type=float, default=0.5)
        parser.add_argument("--batch", action="store_true", help="Exit when the queue is empty.")

    def handle(self, *args, queue_name: str, interval: float, batch: bool, **options):
        keep_sqlite_connections_open()
        if ended := run_sweeps():
            self.stdout.write(f"ended {len(ended)} abandoned item(s): {', '.join(ended)}")
        if not batch:
            start_in_background()
        call_command(
            "db_worker",
            queue_name=queue_name,
            interval=interval,
            batch=batch,
            reload=False,
            startup_delay=False,
        )


def keep_sqlite_connections_open() -> None:
    """db_worker closes its connection after every task, as a request would (CONN_MAX_AGE=0).

    A worker is a plain process with one connection per thread, so on SQLite reopening it
    (connect, PRAGMAs, Django's SQL functions) is pure cost: about 15 % of the worker's CPU
    time per command, measured. Web processes keep CONN_MAX_AGE=0, which ASGI needs, and
    PostgreSQL connections come from the pool either way.
    """
    for connection in connections.all():
        if connection.vendor == "sqlite":
            connection.settings_dict["CONN_MAX_AGE"] = None
