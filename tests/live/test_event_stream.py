"""The live stream against a real daphne: every change, from any process, nothing lost."""

from __future__ import annotations

import subprocess
import sys

import pytest
from django.db import transaction
from django_eventstream.models import Event as StoredEvent

from live.channels import JOBS
from live.services import current_event_id, publish
from tests import processes
from tests.factories import TranscriptionJobFactory, UserFactory
from tests.sse import Stream, session_cookie
from transcription.models import TranscriptionJob

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.integration]


@pytest.fixture
def cookie():
    return session_cookie(UserFactory(is_staff=True))


@pytest.fixture
def server():
    with processes.daphne() as url:
        yield url


PUBLISHER = """
from live.services import publish
for i in range({count}):
    publish("jobs", {{"op": "test", "publisher": {n}, "seq": i}})
"""


def shell(code: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "manage.py", "shell", "-v0", "-c", code],
        cwd=processes.ROOT,
        env=processes.process_env(),
        stderr=subprocess.PIPE,
        text=True,
    )


def test_status_change_in_another_process_reaches_a_client_on_daphne(server, cookie):
    job = TranscriptionJobFactory(status=TranscriptionJob.Status.QUEUED)
    with Stream(server, cookie) as stream:
        change = shell(
            "from transcription.models import TranscriptionJob as J\n"
            "from transcription.services import announce_job\n"
            f"J.objects.filter(pk='{job.pk}').update(status='failed')\n"
            f"announce_job(J.objects.get(pk='{job.pk}'))\n"
        )
        assert change.wait(60) == 0, change.stderr.read()

        [event] = stream.messages(1, timeout=10)

    data = event.json()
    assert (data["op"], data["jobId"], data["status"]) == ("upsert", job.pk, "failed")
    assert f'data-job-id="{job.pk}" data-status="failed"' in data["html"]
    assert event.id.startswith("jobs:")


def test_500_events_from_4_processes_reach_3_clients_complete_in_order(server, cookie):
    streams = [Stream(server, cookie).__enter__() for _ in range(3)]
    try:
        publishers = [shell(PUBLISHER.format(count=125, n=n)) for n in range(4)]
        assert [p.wait(120) for p in publishers] == [0, 0, 0, 0]

        for stream in streams:
            events = stream.messages(500, timeout=60)
            ids = [int(e.id.split(":")[1]) for e in events]
            assert ids == list(range(ids[0], ids[0] + 500)), "gap, duplicate or out of order"
            for n in range(4):
                mine = [e.json()["seq"] for e in events if e.json()["publisher"] == n]
                assert mine == list(range(125))
            assert stream.quiet_for(0.5) == []
    finally:
        for stream in streams:
            stream.close()


def test_disconnected_client_resumes_with_exactly_the_missed_events(server, cookie):
    with Stream(server, cookie) as stream:
        publish(JOBS, {"n": 0})
        [first] = stream.messages(1)
    for n in range(1, 6):  # published while nobody listens
        publish(JOBS, {"n": n})

    with Stream(server, cookie, last_event_id=first.id) as resumed:
        events = resumed.messages(5)
        assert [e.json()["n"] for e in events] == [1, 2, 3, 4, 5]
        assert resumed.quiet_for(0.5) == []


def test_client_resumes_after_daphne_restarts(cookie):
    with processes.daphne() as server, Stream(server, cookie) as stream:
        publish(JOBS, {"n": 0})
        [first] = stream.messages(1)
    publish(JOBS, {"n": 1})
    publish(JOBS, {"n": 2})

    with processes.daphne() as server, Stream(server, cookie, last_event_id=first.id) as stream:
        assert [e.json()["n"] for e in stream.messages(2)] == [1, 2]


def test_page_id_read_before_rows_misses_nothing_published_after(server, cookie):
    page_id = current_event_id([JOBS])
    publish(JOBS, {"n": "after the page rendered"})

    with Stream(server, cookie, last_event_id=page_id) as stream:
        [event] = stream.messages(1)
    assert event.json() == {"n": "after the page rendered"}


def test_event_of_a_rolled_back_transaction_is_never_delivered(server, cookie):
    with Stream(server, cookie) as stream:
        with pytest.raises(RuntimeError), transaction.atomic():
            publish(JOBS, {"n": "phantom"})
            raise RuntimeError("roll back")
        publish(JOBS, {"n": "real"})

        events = stream.messages(1)
        assert [e.json()["n"] for e in events] == ["real"]
        assert stream.quiet_for(0.5) == []
    assert not StoredEvent.objects.filter(data__contains="phantom").exists()


def test_too_old_id_gets_a_reset_event(server, cookie):
    for n in range(3):
        publish(JOBS, {"n": n})
    StoredEvent.objects.filter(channel=JOBS).delete()  # as the 24 h trim would

    with Stream(server, cookie, last_event_id="jobs:1") as stream:
        [event] = stream.messages(1)
    assert event.type == "stream-reset"


@pytest.mark.parametrize("who", ["anonymous", "non-staff"])
def test_only_staff_may_open_a_stream_and_opening_changes_nothing(server, who):
    cookie = "" if who == "anonymous" else session_cookie(UserFactory(is_staff=False))
    before = (StoredEvent.objects.count(), TranscriptionJob.objects.count())

    stream = Stream(server, cookie).open()

    assert stream.status == 403
    assert "staff" in stream.body
    assert (StoredEvent.objects.count(), TranscriptionJob.objects.count()) == before


def test_unknown_channel_is_refused(server, cookie):
    stream = Stream(server, cookie, channels=["secrets"]).open()

    assert stream.status == 404
    assert "No such channel: secrets" in stream.body


def test_events_are_never_compressed(server, cookie):
    with Stream(server, cookie) as stream:
        assert stream.headers["content-type"].startswith("text/event-stream")
        assert "content-encoding" not in stream.headers
