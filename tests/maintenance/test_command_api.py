"""POST /commands/run and GET /commands/<id>: the contract other clients depend on."""

from __future__ import annotations

import uuid

import pytest
from django.tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from audit.models import AuditEntry
from maintenance.models import Command
from tests.factories import TranscriptionJobFactory
from tests.maintenance.conftest import command_request, post_command
from transcription.models import TranscriptionJob

pytestmark = pytest.mark.django_db
Status = TranscriptionJob.Status
FIELDS = {
    "commandId", "type", "target", "params", "phase", "logs", "result", "remediation",
    "queuePosition", "createdAt", "eventsUrl", "auditUrl",
}  # fmt: skip


@pytest.fixture
def failed_job():
    return TranscriptionJobFactory(status=Status.FAILED)


def command_tasks():
    return DBTaskResult.objects.filter(queue_name="commands", status=TaskResultStatus.READY)


def test_new_command_answers_202_with_the_command_and_queues_it(
    csrf_staff_client, failed_job, django_capture_on_commit_callbacks
):
    body = command_request(target=failed_job.pk)

    with django_capture_on_commit_callbacks(execute=True):
        response = post_command(csrf_staff_client, body)

    assert response.status_code == 202
    data = response.json()
    assert set(data) == FIELDS
    assert (data["commandId"], data["phase"], data["queuePosition"]) == (
        body["commandId"],
        "queued",
        1,
    )
    assert data["eventsUrl"] == (
        f"/events/?channel=command-{body['commandId']}&lastEventId=command-{body['commandId']}:0"
    )
    assert data["auditUrl"] == f"/admin/audit/auditentry/?command_id={body['commandId']}"
    assert command_tasks().count() == 1
    failed_job.refresh_from_db()
    assert failed_job.status == Status.FAILED  # nothing runs inside the request


def test_same_command_id_and_payload_answers_200_and_never_runs_twice(
    csrf_staff_client, failed_job, django_capture_on_commit_callbacks
):
    body = command_request(target=failed_job.pk)
    with django_capture_on_commit_callbacks(execute=True):
        first = post_command(csrf_staff_client, body)
        second = post_command(csrf_staff_client, body)

    assert (first.status_code, second.status_code) == (202, 200)
    assert second.json()["commandId"] == first.json()["commandId"]
    assert Command.objects.count() == 1
    assert command_tasks().count() == 1


def test_same_command_id_with_another_payload_answers_422(csrf_staff_client, failed_job):
    body = command_request(target=failed_job.pk)
    post_command(csrf_staff_client, body)

    response = post_command(csrf_staff_client, {**body, "type": "delete-job"})

    assert response.status_code == 422
    assert "already used for a different command" in response.json()["detail"]
    assert Command.objects.get().type == "retry-job"
    assert AuditEntry.objects.get(outcome="rejected").detail["status"] == 422


def body(**fields) -> dict:
    return {"commandId": str(uuid.uuid4()), "type": "retry-job", "target": "x", **fields}


BAD_REQUESTS = {
    "malformed JSON": (b"{not json", "malformed JSON", "not JSON"),
    "not an object": ("[1, 2]", "invalid body", "JSON object"),
    "commandId not a UUID": (body(commandId="abc"), "invalid commandId", "UUID"),
    "commandId missing": (body(commandId=None), "invalid commandId", "UUID"),
    "unknown type": (body(type="reboot"), "invalid type", "retry-job"),
    "target missing": (body(target=None), "invalid target", "target"),
    "params not an object": (body(params=[1]), "invalid params", "params"),
}


@pytest.mark.parametrize("case", BAD_REQUESTS, ids=list(BAD_REQUESTS))
def test_bad_request_answers_400_naming_the_field_and_changes_nothing(
    csrf_staff_client, failed_job, case
):
    payload, error, words = BAD_REQUESTS[case]

    response = post_command(csrf_staff_client, payload)

    assert response.status_code == 400
    assert response.json()["error"] == error
    assert words in response.json()["detail"]
    assert not Command.objects.exists()
    failed_job.refresh_from_db()
    assert failed_job.status == Status.FAILED
    entry = AuditEntry.objects.get()
    assert (entry.actor, entry.outcome, entry.detail["status"]) == ("alice", "rejected", 400)


def test_unknown_target_answers_404(csrf_staff_client):
    response = post_command(csrf_staff_client, command_request(target="job_0000000000"))

    assert response.status_code == 404
    assert "No job with ID 'job_0000000000'" in response.json()["detail"]
    assert not Command.objects.exists()
    assert AuditEntry.objects.get().outcome == "rejected"


def test_retry_of_a_job_that_is_not_failed_answers_409_saying_who_retried_it(
    csrf_staff_client, failed_job
):
    from maintenance import bus

    first = bus.submit(
        req=bus.parse_request(command_request(target=failed_job.pk)), actor="bob", enqueue=False
    )
    bus.execute(first.command.pk)

    response = post_command(csrf_staff_client, command_request(target=failed_job.pk))

    assert response.status_code == 409
    assert (
        response.json()["detail"]
        == f"Job {failed_job.pk} is queued; only failed jobs can be retried."
    )
    assert response.json()["remediation"].startswith("bob retried it at ")
    failed_job.refresh_from_db()
    assert failed_job.attempts == 2


@pytest.mark.parametrize("confirm", [None, "", "JOB", "wrong"])
def test_delete_without_the_typed_job_id_answers_400(csrf_staff_client, confirm):
    job = TranscriptionJobFactory(status=Status.COMPLETED)
    params = {} if confirm is None else {"confirm": job.pk.upper() if confirm == "JOB" else confirm}

    response = post_command(
        csrf_staff_client, command_request(type="delete-job", target=job.pk, params=params)
    )

    assert response.status_code == 400
    assert "Type the job ID to confirm" in response.json()["detail"]
    assert TranscriptionJob.objects.filter(pk=job.pk).exists()


@pytest.mark.parametrize("kind", ["purge-queue", "restart-service"])
def test_commands_not_built_yet_answer_501(csrf_staff_client, failed_job, kind):
    response = post_command(csrf_staff_client, command_request(type=kind, target="transcription"))

    assert response.status_code == 501
    assert "not available yet" in response.json()["detail"]
    assert not Command.objects.exists()


def test_anonymous_caller_gets_401(client, failed_job):
    response = post_command(client, command_request(target=failed_job.pk))

    assert response.status_code == 401
    assert not Command.objects.exists()


def test_non_staff_user_gets_403_and_the_refusal_is_audited(plain_client, failed_job):
    response = post_command(plain_client, command_request(target=failed_job.pk))

    assert response.status_code == 403
    assert not Command.objects.exists()
    assert AuditEntry.objects.get().outcome == "denied"


def test_missing_csrf_token_gets_403_and_the_refusal_is_audited(csrf_staff_client, failed_job):
    del csrf_staff_client.defaults["HTTP_X_CSRFTOKEN"]

    response = post_command(csrf_staff_client, command_request(target=failed_job.pk))

    assert response.status_code == 403
    assert "X-CSRFToken" in response.json()["remediation"]
    assert not Command.objects.exists()
    entry = AuditEntry.objects.get()
    assert (entry.actor, entry.outcome) == ("alice", "denied")


def test_get_command_answers_the_same_json(csrf_staff_client, failed_job):
    created = post_command(csrf_staff_client, command_request(target=failed_job.pk)).json()

    response = csrf_staff_client.get(f"/commands/{created['commandId']}")

    assert response.status_code == 200
    assert response.json() == created


def test_get_unknown_command_is_404(csrf_staff_client):
    assert csrf_staff_client.get(f"/commands/{uuid.uuid4()}").status_code == 404
