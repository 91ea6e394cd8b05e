"""Retry and Delete from the table, in headless Chromium, against daphne and a command worker.

Screenshots of each modal state go to docs/screenshots/ for the README.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from audit.models import AuditEntry
from maintenance.models import Command
from tests import processes
from tests.factories import TranscriptionJobFactory
from transcription.models import TranscriptionJob

pytestmark = [pytest.mark.browser, pytest.mark.integration]
SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
Status = TranscriptionJob.Status


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"))


def open_table(page, server):
    page.goto(f"{server}/jobs/")
    page.wait_for_selector("[data-live-indicator][data-state=live]")


def row(page, job):
    return page.locator(f'tr[data-job-id="{job.pk}"]')


def test_retry_modal_confirms_and_updates_every_tab(page, server, transactional_db):
    job = TranscriptionJobFactory(status=Status.FAILED)
    other = page.context.new_page()
    for tab in (page, other):
        open_table(tab, server)

    with processes.worker("commands"):
        row(page, job).get_by_role("button", name="Retry").click()
        dialog = page.get_by_role("dialog")
        dialog.wait_for()
        assert page.evaluate("document.querySelector('dialog').matches(':modal')")
        assert job.pk in dialog.inner_text()
        assert "Kept in the attempt history" in dialog.inner_text()
        shot(page, "retry-modal")
        dialog.get_by_role("button", name="Confirm Retry").click()
        dialog.locator(".command-progress[data-phase=success]").wait_for()
        shot(page, "retry-success")

    log = dialog.locator("[data-log]").inner_text()
    assert "Queued attempt 2" in log
    for tab in (page, other):
        tab.locator(f'tr[data-job-id="{job.pk}"][data-status="queued"]').wait_for(timeout=5_000)
    command = Command.objects.get()
    audit = dialog.get_by_role("link", name="View Audit Log")
    assert audit.get_attribute("href") == f"/admin/audit/auditentry/?command_id={command.pk}"
    page.goto(f"{server}{audit.get_attribute('href')}")
    assert job.pk in page.locator("#result_list").inner_text()


def test_escape_and_cancel_close_the_modal_and_do_nothing(page, server, transactional_db):
    job = TranscriptionJobFactory(status=Status.FAILED)
    open_table(page, server)

    row(page, job).get_by_role("button", name="Retry").click()
    page.get_by_role("dialog").wait_for()
    page.keyboard.press("Escape")
    page.get_by_role("dialog").wait_for(state="detached")
    row(page, job).get_by_role("button", name="Delete").click()
    page.get_by_role("dialog").get_by_role("link", name="Cancel").click()
    page.get_by_role("dialog").wait_for(state="detached")

    assert not Command.objects.exists()
    assert TranscriptionJob.objects.get(pk=job.pk).status == Status.FAILED


def test_delete_needs_the_exact_job_id_and_removes_the_row(page, server, transactional_db):
    job = TranscriptionJobFactory(status=Status.COMPLETED)
    other = page.context.new_page()
    for tab in (page, other):
        open_table(tab, server)

    with processes.worker("commands"):
        row(page, job).get_by_role("button", name="Delete").click()
        dialog = page.get_by_role("dialog")
        assert "This action cannot be undone" in dialog.inner_text()
        confirm = dialog.get_by_role("button", name="Confirm Delete")
        field = dialog.get_by_label("Type the job ID")
        assert confirm.is_disabled()
        field.fill(job.pk[:-1])
        assert confirm.is_disabled()
        shot(page, "delete-modal")
        field.fill(job.pk)
        assert confirm.is_enabled()
        confirm.click()
        dialog.locator(".command-progress[data-phase=success]").wait_for()
        shot(page, "delete-success")

    for tab in (page, other):
        row(tab, job).wait_for(state="detached", timeout=5_000)
    assert not TranscriptionJob.objects.filter(pk=job.pk).exists()
    assert AuditEntry.objects.get(action="delete-job").outcome == "success"


def test_server_refuses_a_wrong_typed_id_even_if_the_button_is_forced(
    page, server, transactional_db
):
    job = TranscriptionJobFactory(status=Status.COMPLETED)
    open_table(page, server)

    row(page, job).get_by_role("button", name="Delete").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Type the job ID").fill("job_0000000000")
    page.evaluate("document.querySelector('[data-needs-match]').disabled = false")
    dialog.get_by_role("button", name="Confirm Delete").click()

    dialog.get_by_role("alert").wait_for()
    assert "Type the job ID to confirm" in dialog.get_by_role("alert").inner_text()
    assert TranscriptionJob.objects.filter(pk=job.pk).exists()


def test_progress_shows_queue_position_then_error_with_remediation(page, server, transactional_db):
    job = TranscriptionJobFactory(status=Status.FAILED)
    open_table(page, server)

    row(page, job).get_by_role("button", name="Retry").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_role("button", name="Confirm Retry").click()
    dialog.locator(".command-progress[data-phase=queued]").wait_for()
    assert "position 1 in the queue" in dialog.inner_text()
    shot(page, "retry-queued")
    TranscriptionJob.objects.filter(pk=job.pk).update(status=Status.COMPLETED)  # someone else
    with processes.worker("commands"):
        dialog.locator(".command-progress[data-phase=error]").wait_for()
    shot(page, "retry-error")

    remediation = dialog.locator("[data-remediation]").inner_text()
    assert "is completed, not failed" in remediation
    assert dialog.get_by_role("link", name="View Audit Log").is_visible()


def test_delete_modal_fits_a_narrow_window_and_works_from_the_keyboard(
    page, server, transactional_db
):
    job = TranscriptionJobFactory(status=Status.FAILED)
    page.set_viewport_size({"width": 390, "height": 800})
    open_table(page, server)

    row(page, job).get_by_role("button", name="Delete").focus()
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog")
    dialog.wait_for()
    box = dialog.bounding_box()
    shot(page, "delete-modal-narrow")

    assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    assert page.evaluate("document.activeElement.id") == "confirm-input"  # focus moved inside
    page.keyboard.type(job.pk)
    assert dialog.get_by_role("button", name="Confirm Delete").is_enabled()
