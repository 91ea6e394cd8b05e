from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from audit.models import AuditEntry
from tests import processes
from tests.factories import TranscriptionJobFactory
from transcription.models import TranscriptionJob

pytestmark = pytest.mark.django_db(transaction=True)
Status = TranscriptionJob.Status


def test_retry_job_runs_a_failed_job_through_the_bus_and_prints_each_phase():
    job = TranscriptionJobFactory(status=Status.FAILED)
    out = StringIO()

    call_command("retry_job", job.pk, "--actor", "ops-script", stdout=out)

    lines = out.getvalue().splitlines()
    assert [line.rsplit(": ", 1)[1] for line in lines[:3]] == ["queued", "running", "success"]
    assert lines[-1] == f"job {job.pk}: queued, attempt 2"
    entry = AuditEntry.objects.get(action="retry-job")
    assert (entry.actor, entry.outcome) == ("ops-script", "success")


def test_retry_job_of_a_job_that_is_not_failed_exits_non_zero_with_remediation():
    job = TranscriptionJobFactory(status=Status.COMPLETED)

    with pytest.raises(CommandError, match="is completed; only failed jobs can be retried"):
        call_command("retry_job", job.pk)
    assert AuditEntry.objects.get().outcome == "rejected"


def test_retry_job_process_exit_codes_and_default_actor():
    failed = TranscriptionJobFactory(status=Status.FAILED)
    ok = processes.manage("retry_job", failed.pk)
    missing = processes.manage("retry_job", "job_0000000000")

    assert ok.returncode == 0, ok.stderr
    assert missing.returncode == 1
    assert "No job with ID 'job_0000000000'" in missing.stderr
    assert "Check the job ID" in missing.stderr
    actors = set(AuditEntry.objects.values_list("actor", flat=True))
    assert all(a.startswith("cli:") for a in actors)


def test_retry_job_with_the_same_command_id_does_not_run_twice():
    job = TranscriptionJobFactory(status=Status.FAILED)
    key = "6f1c3a52-3a3e-4f0e-9a52-1d2b3c4d5e6f"

    call_command("retry_job", job.pk, "--command-id", key, stdout=StringIO())
    out = StringIO()
    call_command("retry_job", job.pk, "--command-id", key, stdout=out)

    job.refresh_from_db()
    assert job.attempts == 2
    assert "success" in out.getvalue()
