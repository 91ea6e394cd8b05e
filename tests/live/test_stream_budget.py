"""Open streams hold neither a thread nor a database connection each.

Streams take turns on a few shared threads (LIVE_STREAM_THREADS) and borrow a PostgreSQL
connection only while they read, so one daphne holds hundreds of open tabs.
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from live.channels import JOBS
from live.services import publish
from tests import processes
from tests.factories import UserFactory
from tests.sse import Stream, session_cookie

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.integration]
BUDGET = 8
STREAMS = 300
APP = "jobdesk-budget-test"  # libpq's PGAPPNAME tags the daphne's connections


def connections_of_daphne() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE application_name = %s", [APP])
        return cursor.fetchone()[0]


def open_all(streams: list[Stream]) -> None:
    for stream in streams:
        stream.__enter__()


def test_300_open_streams_share_a_few_threads_and_all_receive_events():
    cookie = session_cookie(UserFactory(is_staff=True))
    with processes.daphne_process(LIVE_STREAM_THREADS="4") as (server, proc):
        streams = [Stream(server, cookie) for _ in range(STREAMS)]
        try:
            open_all(streams[:50])  # by now every shared thread and the relay exist
            threads_at_50 = processes.thread_count(proc)
            open_all(streams[50:])
            for n in range(3):
                publish(JOBS, {"n": n})
            for stream in streams:
                assert [e.json()["n"] for e in stream.messages(3, timeout=60)] == [0, 1, 2]
            threads_at_300 = processes.thread_count(proc)
        finally:
            for stream in streams:
                stream.close()

    grew = threads_at_300 - threads_at_50
    assert grew <= 2, f"{grew} more threads for 250 more streams ({threads_at_300} in all)"


def test_300_open_streams_stay_within_the_connection_budget():
    if connection.vendor != "postgresql":
        pytest.skip("counts PostgreSQL connections; `make test` runs it on PostgreSQL")
    cookie = session_cookie(UserFactory(is_staff=True))
    peak = [0]
    sampling = threading.Event()

    def sample():
        while not sampling.wait(0.02):
            peak[0] = max(peak[0], connections_of_daphne())
        connection.close()

    with processes.daphne(DB_POOL_MAX_SIZE=str(BUDGET), PGAPPNAME=APP) as server:
        streams = [Stream(server, cookie) for _ in range(STREAMS)]
        sampler = threading.Thread(target=sample)
        sampler.start()
        try:
            open_all(streams)
            for n in range(3):
                publish(JOBS, {"n": n})
            for stream in streams:
                assert [e.json()["n"] for e in stream.messages(3, timeout=60)] == [0, 1, 2]
            held = connections_of_daphne()
        finally:
            sampling.set()
            sampler.join()
            for stream in streams:
                stream.close()

    assert 0 < peak[0] <= BUDGET, f"{peak[0]} connections at the peak for {STREAMS} streams"
    assert held <= BUDGET
