from __future__ import annotations

import pytest

from tests.factories import TranscriptionJobFactory
from transcription.models import TranscriptionJob

pytestmark = [pytest.mark.browser, pytest.mark.integration]


@pytest.fixture
def jobs(transactional_db):
    return [
        TranscriptionJobFactory(status=TranscriptionJob.Status.FAILED),
        TranscriptionJobFactory(status=TranscriptionJob.Status.COMPLETED),
    ]


def test_staff_logs_in_and_sees_the_job_table(jobs, page, server):
    page.goto(f"{server}/jobs/")

    failed = page.locator(f'tr[data-job-id="{jobs[0].pk}"]')
    assert failed.get_attribute("data-status") == "failed"
    assert "The recording is silent" in failed.inner_text()
    assert page.locator("tbody#job-rows tr[data-job-id]").count() == 2
    assert page.get_by_role("heading", name="Transcription jobs").is_visible()


def test_status_filter_narrows_the_table_in_place(jobs, page, server):
    page.goto(f"{server}/jobs/")

    page.locator("label.chip", has_text="Failed").click()
    page.wait_for_url("**/jobs/?status=failed*")

    rows = page.locator("tbody#job-rows tr[data-job-id]")
    rows.first.wait_for()
    assert rows.count() == 1
    assert rows.first.get_attribute("data-job-id") == jobs[0].pk
