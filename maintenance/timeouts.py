"""Per-command time limits that hold even when a handler is stuck waiting on the database.

A handler mostly waits on locks: a row another transaction holds (PostgreSQL) or the one
write lock (SQLite). Checking the clock after the handler returns would never fire while it
waits, so the limit is handed to the database: PostgreSQL cancels the statement
(`statement_timeout`, local to the command's transaction), and SQLite stops waiting for the
write lock (`busy_timeout`, restored afterwards). Either raises OperationalError, which
becomes the command's failure, with remediation.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.db import OperationalError, connection, transaction

from maintenance.handlers import CommandFailed


def timeout_for(kind: str) -> float:
    return settings.COMMAND_TIMEOUTS.get(kind, settings.COMMAND_TIMEOUTS["default"])


@contextmanager
def limited_transaction(seconds: float, *, what: str) -> Iterator[None]:
    """An atomic block whose database waits and whole run end after `seconds`.

    Raises CommandFailed for `what` (after rolling back) when the limit is reached.
    """
    timed_out = CommandFailed(
        f"{what} took longer than {seconds:g} s and was rolled back.",
        "Nothing was changed. The database was busy or locked by another process: check the "
        "command worker's log and long-running transactions, then retry with a new commandId.",
    )
    deadline = time.monotonic() + seconds
    millis = max(1, int(seconds * 1000))
    sqlite = connection.vendor == "sqlite"
    if sqlite:
        _sqlite_busy_timeout(millis)
    try:
        with transaction.atomic():
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute(
                        "SELECT set_config('statement_timeout', %s, true)", [str(millis)]
                    )
            yield
            if time.monotonic() > deadline:
                raise timed_out
    except OperationalError as exc:
        if time.monotonic() >= deadline - 0.05:
            raise timed_out from exc
        raise
    finally:
        if sqlite:
            _sqlite_busy_timeout(int(connection.settings_dict["OPTIONS"]["timeout"] * 1000))


def _sqlite_busy_timeout(millis: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"PRAGMA busy_timeout = {int(millis)}")
