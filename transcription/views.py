from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from live.channels import JOBS
from live.services import current_event_id
from transcription.forms import JobFilterForm, UploadForm
from transcription.models import TranscriptionJob
from transcription.services import Upload, create_jobs, list_jobs


def job_list(request, upload_form: UploadForm | None = None, status: int = 200):
    filters = JobFilterForm(request.GET)
    filters.is_valid()
    query = filters.cleaned_data
    live_last_id = current_event_id([JOBS])  # before the rows: nothing after them is missed
    page = list_jobs(
        status=query["status"],
        query=query["q"],
        before=query["before"],
        size=settings.JOBS_PAGE_SIZE,
    )
    template = "transcription/job_list.html"
    if request.htmx and request.htmx.target == "job-table":
        template += "#job-table"
    context = {
        "page": page,
        "live_last_id": live_last_id,
        "filters": filters,
        "upload_form": upload_form or UploadForm(),
    }
    return render(request, template, context, status=status)


@require_POST
def job_upload(request):
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return job_list(request, upload_form=form, status=400)
    jobs = create_jobs(uploads=[Upload(name=f.name, file=f) for f in form.cleaned_data["files"]])
    messages.success(request, f"Queued {len(jobs)} job(s): {', '.join(j.pk for j in jobs)}")
    return redirect("transcription:job-list")


def job_detail(request, job_id: str):
    live_last_id = current_event_id([JOBS])  # before the job: nothing after it is missed
    job = get_object_or_404(TranscriptionJob, pk=job_id)
    template = "transcription/job_detail.html" + ("#job-live" if request.htmx else "")
    context = {
        "job": job,
        "attempts": job.attempt_history.order_by("-number"),
        "live_last_id": live_last_id,
    }
    return render(request, template, context)
