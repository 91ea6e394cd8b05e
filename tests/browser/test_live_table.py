from __future__ import annotations

import pytest
from django.core.files.base import ContentFile

from tests import processes
from tests.factories import AUDIO_DIR
from transcription.services import Upload, create_jobs

pytestmark = [pytest.mark.browser, pytest.mark.integration]


def test_worker_status_change_appears_in_two_tabs_without_reload(page, server):
    second = page.context.new_page()
    [job] = create_jobs(
        uploads=[Upload("fox.wav", ContentFile((AUDIO_DIR / "fox.wav").read_bytes()))]
    )
    tabs = [page, second]
    for tab in tabs:
        tab.goto(f"{server}/jobs/")
        tab.wait_for_selector("[data-live-indicator][data-state=live]")
        assert tab.locator(f'tr[data-job-id="{job.pk}"]').get_attribute("data-status") == "queued"

    result = processes.manage("worker", "--batch")

    assert result.returncode == 0, result.stderr
    for tab in tabs:
        row = tab.locator(f'tr[data-job-id="{job.pk}"][data-status="completed"]')
        row.wait_for(timeout=5_000)
    assert page.evaluate("performance.getEntriesByType('navigation').length") == 1


def test_new_upload_in_another_process_is_added_to_the_open_table(page, server):
    page.goto(f"{server}/jobs/")
    page.wait_for_selector("[data-live-indicator][data-state=live]")

    result = processes.manage("transcribe", str(AUDIO_DIR / "hello.wav"))

    job_id = result.stdout.strip()
    page.locator(f'tr[data-job-id="{job_id}"]').wait_for(timeout=5_000)
    assert (
        page.locator("tbody#job-rows tr[data-job-id]").first.get_attribute("data-job-id") == job_id
    )


def test_job_page_follows_the_job_without_reload(page, server):
    [job] = create_jobs(
        uploads=[Upload("fox.wav", ContentFile((AUDIO_DIR / "fox.wav").read_bytes()))]
    )
    page.goto(f"{server}/jobs/{job.pk}/")
    page.wait_for_selector("[data-live-indicator][data-state=live]")
    assert "No transcript yet." in page.locator("#job-live").inner_text()

    result = processes.manage("worker", "--batch")

    assert result.returncode == 0, result.stderr
    page.locator("#job-summary[data-status=completed]").wait_for(timeout=5_000)
    assert "quick brown fox" in page.locator(".transcript").inner_text()
    assert page.locator('tr[data-attempt="1"]').is_visible()
