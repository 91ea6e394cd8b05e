"""Commands over HTTP against a real daphne and a real command worker."""

from __future__ import annotations

import json
import subprocess
import sys
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from audit.models import AuditEntry
from maintenance.models import Command
from tests import processes
from tests.factories import TranscriptionJobFactory, UserFactory
from tests.maintenance.conftest import command_request
from tests.sse import Stream, post_json, session_cookie
from transcription.models import JobAttempt, TranscriptionJob

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.integration]
Status = TranscriptionJob.Status


@pytest.fixture
def cookie():
    return session_cookie(UserFactory(is_staff=True, username="alice"))


@pytest.fixture
def server():
    with processes.daphne() as url, processes.worker("commands"):
        yield url


def command_stream(server: str, cookie: str, events_url: str) -> Stream:
    query = parse_qs(urlsplit(events_url).query)
    return Stream(server, cookie, channels=query["channel"], last_event_id=query["lastEventId"][0])


def test_retry_over_http_streams_phases_updates_the_table_and_audits(server, cookie):
    job = TranscriptionJobFactory(status=Status.FAILED)
    with Stream(server, cookie) as table:
        status, command = post_json(server, "/commands/run", command_request(target=job.pk), cookie)
        assert status == 202, command

        with command_stream(server, cookie, command["eventsUrl"]) as stream:  # subscribes late
            phases = [e.json() for e in stream.messages(3)]
        [row] = [e.json() for e in table.messages(1)]

    assert [p["phase"] for p in phases] == ["queued", "running", "success"]
    assert phases[0]["queuePosition"] == 1
    assert phases[-1]["result"] == {"jobId": job.pk, "status": "queued", "attempts": 2}
    assert all(p["commandId"] == command["commandId"] for p in phases)
    assert (row["jobId"], row["status"]) == (job.pk, "queued")
    job.refresh_from_db()
    assert (job.status, job.attempts) == (Status.QUEUED, 2)
    entry = AuditEntry.objects.get(command_id=command["commandId"])
    assert (entry.actor, entry.action, entry.outcome) == ("alice", "retry-job", "success")


def test_delete_over_http_removes_the_row_and_audits(server, cookie):
    job = TranscriptionJobFactory(status=Status.COMPLETED)
    with Stream(server, cookie) as table:
        body = command_request(type="delete-job", target=job.pk, params={"confirm": job.pk})
        status, command = post_json(server, "/commands/run", body, cookie)
        assert status == 202, command
        with command_stream(server, cookie, command["eventsUrl"]) as stream:
            phases = [e.json()["phase"] for e in stream.messages(3)]
        [row] = [e.json() for e in table.messages(1)]

    assert phases == ["queued", "running", "success"]
    assert row == {"op": "delete", "jobId": job.pk}
    assert not TranscriptionJob.objects.filter(pk=job.pk).exists()
    assert AuditEntry.objects.get(command_id=command["commandId"]).outcome == "success"


POSTER = """
import json, sys, threading
sys.path.insert(0, ".")
from tests.sse import post_json
server, cookie, body = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
results = []
def go():
    try:
        status, data = post_json(server, "/commands/run", body, cookie)
        results.append([status, data.get("commandId") if isinstance(data, dict) else str(data)])
    except Exception as exc:
        results.append([0, repr(exc)])
threads = [threading.Thread(target=go) for _ in range(10)]
[t.start() for t in threads]
[t.join() for t in threads]
print(json.dumps(results))
"""


def test_50_concurrent_posts_of_one_command_id_run_it_exactly_once(server, cookie):
    job = TranscriptionJobFactory(status=Status.FAILED)
    body = json.dumps(command_request(target=job.pk))
    posters = [
        subprocess.Popen(
            [sys.executable, "-c", POSTER, server, cookie, body],
            cwd=processes.ROOT,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(5)
    ]
    results = [r for p in posters for r in json.loads(p.communicate(timeout=120)[0])]
    command_id = json.loads(body)["commandId"]

    assert len(results) == 50
    assert sorted({status for status, _ in results}) == [200, 202], results
    assert [status for status, _ in results].count(202) == 1
    assert {cid for _, cid in results} == {command_id}
    processes.wait_until(lambda: Command.objects.get(pk=command_id).is_finished)
    job.refresh_from_db()
    assert job.attempts == 2
    assert AuditEntry.objects.filter(command_id=command_id, outcome="success").count() == 1
    assert JobAttempt.objects.filter(job=job).count() == 1


def test_killed_command_worker_leaves_the_command_in_error_as_abandoned(cookie):
    """kill -9 while the command runs: its handler is held on a row lock, so it is mid-way."""
    if connection.vendor != "postgresql":
        pytest.skip(
            "needs a row lock to hold the command mid-way; `make test` runs it on PostgreSQL"
        )
    import psycopg

    job = TranscriptionJobFactory(status=Status.FAILED)
    env = {"COMMAND_LEASE_SECONDS": "2", "SWEEP_INTERVAL": "0.5"}
    with processes.daphne(**env) as server, psycopg.connect(processes.database_url()) as locker:
        locker.execute(
            "SELECT 1 FROM transcription_transcriptionjob WHERE id = %s FOR UPDATE", [job.pk]
        )
        status, command = post_json(server, "/commands/run", command_request(target=job.pk), cookie)
        assert status == 202, command
        with processes.worker("commands", **env) as worker:
            processes.wait_until(
                lambda: Command.objects.get(pk=command["commandId"]).phase == "running"
            )
            worker.kill()
            worker.wait(10)
        locker.rollback()
        with command_stream(server, cookie, command["eventsUrl"]) as stream:
            events = [e.json() for e in stream.messages(3, timeout=15)]

    assert [e["phase"] for e in events] == ["queued", "running", "error"]
    assert "abandoned" in events[-1]["remediation"]
    job.refresh_from_db()
    assert (job.status, job.attempts) == (Status.FAILED, 1)
    assert AuditEntry.objects.get(command_id=command["commandId"]).outcome == "error"
    task_row = DBTaskResult.objects.get(args_kwargs__kwargs__command_id=command["commandId"])
    assert task_row.status == TaskResultStatus.FAILED  # not "running" forever in the admin


def test_missing_csrf_token_over_http_is_refused(server, cookie):
    job = TranscriptionJobFactory(status=Status.FAILED)

    status, body = post_json(
        server, "/commands/run", command_request(target=job.pk), cookie, csrf=False
    )

    assert status == 403
    assert "X-CSRFToken" in body["remediation"]
    assert not Command.objects.exists()
