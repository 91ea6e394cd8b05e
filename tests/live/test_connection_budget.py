"""Open streams borrow a PostgreSQL connection only while they read."""

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
            for stream in streams:
                stream.__enter__()
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
