"""Event storage for open streams that does not pin a database connection per stream.

Each stream reads storage in a thread of its own; without this, every open stream would keep
a PostgreSQL connection for its whole life. Here a stream's read gives its connection back
(to the pool, when DB_POOL_MAX_SIZE configures one) as soon as it is done, so the number of
connections is bounded by reads in flight, not by streams held.
"""

from __future__ import annotations

from django.db import connection
from django_eventstream.storage import DjangoModelStorage


def release_connection() -> None:
    # SQLite connections are cheap file handles; reopening them costs more than it saves.
    if connection.vendor != "sqlite" and not connection.in_atomic_block:
        connection.close()


class StreamStorage(DjangoModelStorage):
    def get_events(self, channel, last_id, limit=100):
        try:
            return super().get_events(channel, last_id, limit=limit)
        finally:
            release_connection()

    def get_current_id(self, channel):
        try:
            return super().get_current_id(channel)
        finally:
            release_connection()
