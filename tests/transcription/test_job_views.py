from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.tasks.base import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from tests.factories import AUDIO_DIR, TranscriptionJobFactory
from transcription.models import TranscriptionJob

pytestmark = pytest.mark.django_db
Status = TranscriptionJob.Status


def test_root_redirects_to_job_table(staff_client):
    response = staff_client.get("/")

    assert response.status_code == 302
    assert response["Location"] == "/jobs/"


def test_favicon_is_served_to_anyone(client):
    response = client.get("/favicon.ico", follow=True)

    assert response.status_code == 200
    assert response.redirect_chain[0][0].endswith("/static/favicon.svg")
    assert b"<svg" in b"".join(response.streaming_content)


def test_anonymous_user_is_sent_to_login(client):
    response = client.get("/jobs/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/jobs/")


def test_non_staff_user_gets_403_with_explanation(plain_client):
    response = plain_client.get("/jobs/")

    assert response.status_code == 403
    assert b"not a staff account" in response.content


def test_inactive_staff_user_cannot_see_jobs(client, staff_user):
    staff_user.is_active = False
    staff_user.save()
    client.force_login(staff_user)

    assert client.get("/jobs/").status_code in {302, 403}


def test_table_rows_carry_job_id_and_status(staff_client):
    failed = TranscriptionJobFactory(status=Status.FAILED)
    done = TranscriptionJobFactory(status=Status.COMPLETED)

    html = staff_client.get("/jobs/").content.decode()

    assert f'data-job-id="{failed.pk}" data-status="failed"' in html
    assert f'data-job-id="{done.pk}" data-status="completed"' in html
    assert html.index(done.pk) < html.index(failed.pk), "newest first"
    assert "The recording is silent" in html


def test_updated_column_says_how_long_ago_in_words(staff_client):
    fresh = TranscriptionJobFactory()
    older = TranscriptionJobFactory()
    TranscriptionJob.objects.filter(pk=older.pk).update(
        updated_at=timezone.now() - timedelta(hours=2)
    )

    html = staff_client.get("/jobs/").content.decode()

    def updated(job) -> str:
        row = re.search(rf'<tr id="job-row-{job.pk}".*?</tr>', html, re.S).group()
        return re.search(r"<time [^>]*>(.*?)</time>", row).group(1)

    assert updated(fresh) == "now"
    assert updated(older) == "2\xa0hours ago"


def test_status_filter_shows_only_that_status(staff_client):
    failed = TranscriptionJobFactory(status=Status.FAILED)
    queued = TranscriptionJobFactory(status=Status.QUEUED)

    html = staff_client.get("/jobs/", {"status": "failed"}).content.decode()

    assert failed.pk in html
    assert queued.pk not in html


@pytest.mark.parametrize("field", ["pk", "original_name"])
def test_search_finds_job_by_id_or_file_name(staff_client, field):
    wanted = TranscriptionJobFactory(original_name="board-meeting.wav")
    other = TranscriptionJobFactory(original_name="standup.wav")
    term = wanted.pk if field == "pk" else "BOARD"

    html = staff_client.get("/jobs/", {"q": term}).content.decode()

    assert wanted.pk in html
    assert other.pk not in html


def test_htmx_filter_request_gets_only_the_table_fragment(staff_client):
    TranscriptionJobFactory()

    response = staff_client.get("/jobs/", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="job-table")

    html = response.content.decode()
    assert html.lstrip().startswith('<div id="job-table"')
    assert "<html" not in html


def test_pages_walk_from_newest_to_oldest_without_overlap(staff_client, settings):
    settings.JOBS_PAGE_SIZE = 3
    jobs = [TranscriptionJobFactory() for _ in range(7)]

    seen, before = [], ""
    for _ in range(3):
        page = staff_client.get("/jobs/", {"before": before}).context["page"]
        seen += [j.pk for j in page.jobs]
        before = page.next_before
    assert seen == [j.pk for j in reversed(jobs)]
    assert before is None


def test_job_page_shows_transcript_and_every_attempt(staff_client):
    job = TranscriptionJobFactory(status=Status.FAILED, attempts=2)
    job.attempt_history.create(
        number=1, outcome="failed", error_message="first failure", started_at=job.started_at
    )

    html = staff_client.get(f"/jobs/{job.pk}/").content.decode()

    assert "first failure" in html
    assert "The recording is silent" in html
    assert 'data-attempt="1"' in html and 'data-attempt="2"' in html


def test_unknown_job_page_is_404(staff_client):
    assert staff_client.get("/jobs/job_0000000000/").status_code == 404


def test_upload_queues_one_job_per_file_and_enqueues_transcription(
    staff_client, django_capture_on_commit_callbacks
):
    files = [
        SimpleUploadedFile(n, (AUDIO_DIR / n).read_bytes(), "audio/wav")
        for n in ("hello.wav", "fox.wav")
    ]

    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post("/jobs/upload/", {"files": files}, follow=True)

    assert response.status_code == 200
    jobs = TranscriptionJob.objects.all()
    assert sorted(j.original_name for j in jobs) == ["fox.wav", "hello.wav"]
    assert {j.status for j in jobs} == {Status.QUEUED}
    tasks = DBTaskResult.objects.filter(queue_name="transcription", status=TaskResultStatus.READY)
    assert sorted(t.args_kwargs["kwargs"]["job_id"] for t in tasks) == sorted(j.pk for j in jobs)
    assert "Queued 2 job(s)" in response.content.decode()


def test_upload_of_an_empty_file_is_refused_and_creates_nothing(staff_client):
    empty = SimpleUploadedFile("blank.wav", b"", "audio/wav")

    response = staff_client.post("/jobs/upload/", {"files": [empty]})

    assert response.status_code == 400
    assert "is empty" in response.content.decode()
    assert not TranscriptionJob.objects.exists()


def test_upload_without_a_file_says_what_to_do(staff_client):
    response = staff_client.post("/jobs/upload/", {})

    assert response.status_code == 400
    assert "Choose at least one audio file." in response.content.decode()


def test_upload_without_csrf_token_is_refused(staff_user):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(staff_user)
    audio = SimpleUploadedFile("hello.wav", (AUDIO_DIR / "hello.wav").read_bytes())

    response = client.post("/jobs/upload/", {"files": [audio]})

    assert response.status_code == 403
    assert not TranscriptionJob.objects.exists()
