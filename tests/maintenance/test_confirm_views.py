"""The confirmation modals, and the pages that do the same without JavaScript."""

from __future__ import annotations

import pytest

from audit.models import AuditEntry
from maintenance.models import Command
from tests.factories import TranscriptionJobFactory
from transcription.models import TranscriptionJob

pytestmark = pytest.mark.django_db
Status = TranscriptionJob.Status


def test_failed_rows_offer_retry_and_every_row_offers_delete(staff_client):
    failed = TranscriptionJobFactory(status=Status.FAILED)
    done = TranscriptionJobFactory(status=Status.COMPLETED)

    html = staff_client.get("/jobs/").content.decode()

    assert f'action="/commands/retry/{failed.pk}/"' in html
    assert f'action="/commands/retry/{done.pk}/"' not in html
    assert f'action="/commands/delete/{failed.pk}/"' in html
    assert f'action="/commands/delete/{done.pk}/"' in html


def test_retry_modal_shows_the_job_and_a_before_after_preview(staff_client):
    job = TranscriptionJobFactory(status=Status.FAILED)

    response = staff_client.get(f"/commands/retry/{job.pk}/", HTTP_HX_REQUEST="true")

    html = response.content.decode()
    assert html.lstrip().startswith('<dialog class="modal"')
    assert job.pk in html and "Confirm Retry" in html
    assert "Kept in the attempt history" in html
    assert ">1</td><td>2</td>" in html.replace("\n", "")
    assert not Command.objects.exists()


def test_delete_modal_warns_and_asks_for_the_typed_job_id(staff_client):
    job = TranscriptionJobFactory(status=Status.COMPLETED)

    html = staff_client.get(f"/commands/delete/{job.pk}/", HTTP_HX_REQUEST="true").content.decode()

    assert "This action cannot be undone" in html
    assert f'data-must-match="{job.pk}"' in html
    assert "Confirm Delete" in html
    assert job.original_name in html


def test_without_javascript_confirming_a_retry_leads_to_a_progress_page(staff_client):
    job = TranscriptionJobFactory(status=Status.FAILED)
    page = staff_client.get(f"/commands/retry/{job.pk}/")
    command_id = page.context["command_id"]

    response = staff_client.post(f"/commands/retry/{job.pk}/", {"command_id": command_id})

    assert response.status_code == 302
    assert response["Location"] == f"/commands/{command_id}/status/"
    status_page = staff_client.get(response["Location"]).content.decode()
    assert "Queued" in status_page and 'http-equiv="refresh"' in status_page


def test_without_javascript_a_wrong_typed_id_is_refused_and_nothing_is_deleted(staff_client):
    job = TranscriptionJobFactory(status=Status.COMPLETED)
    command_id = staff_client.get(f"/commands/delete/{job.pk}/").context["command_id"]

    response = staff_client.post(
        f"/commands/delete/{job.pk}/", {"command_id": command_id, "confirm": "job_wrong"}
    )

    assert response.status_code == 400
    assert "Type the job ID to confirm" in response.content.decode()
    assert TranscriptionJob.objects.filter(pk=job.pk).exists()
    assert AuditEntry.objects.get().outcome == "rejected"


def test_resubmitting_the_same_modal_is_the_same_command(staff_client):
    job = TranscriptionJobFactory(status=Status.FAILED)
    command_id = staff_client.get(f"/commands/retry/{job.pk}/").context["command_id"]

    for _ in range(2):
        staff_client.post(f"/commands/retry/{job.pk}/", {"command_id": command_id})

    assert Command.objects.count() == 1


def test_confirmation_for_an_unknown_job_is_404(staff_client):
    assert staff_client.get("/commands/retry/job_0000000000/").status_code == 404
