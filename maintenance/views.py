from __future__ import annotations

import json
import uuid

from django.http import HttpRequest, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.csrf import csrf_failure as default_csrf_failure
from django.views.decorators.http import require_GET, require_POST

from accounts.middleware import is_active_staff
from maintenance import bus
from maintenance.forms import ConfirmForm
from maintenance.models import Command
from transcription.models import TranscriptionJob


def client_ip(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


def refuse(request: HttpRequest, rejection: bus.CommandRejected, req=None) -> JsonResponse:
    bus.reject(
        req=req,
        actor=request.user.get_username(),
        source_ip=client_ip(request),
        rejection=rejection,
    )
    return JsonResponse(rejection.as_json(), status=rejection.status)


@require_POST
def run_command(request: HttpRequest) -> JsonResponse:
    """POST /commands/run with a CommandRequest: 202 for a new command, 200 for a repeat."""
    if not is_active_staff(request.user):
        return refuse(request, bus.CommandRejected(403, "forbidden", "Staff access is required."))
    try:
        payload = json.loads(request.body or b"")
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        return refuse(
            request, bus.CommandRejected(400, "malformed JSON", f"The body is not JSON: {exc}.")
        )
    try:
        req = bus.parse_request(payload)
    except bus.CommandRejected as rejection:
        return refuse(request, rejection)
    try:
        submission = bus.submit(
            req=req, actor=request.user.get_username(), source_ip=client_ip(request)
        )
    except bus.CommandRejected as rejection:  # already recorded by the bus
        return JsonResponse(rejection.as_json(), status=rejection.status)
    return JsonResponse(bus.as_json(submission.command), status=202 if submission.created else 200)


@require_GET
def command_detail(request: HttpRequest, command_id) -> JsonResponse:
    if not is_active_staff(request.user):
        return JsonResponse(
            {"error": "forbidden", "detail": "Staff access is required."}, status=403
        )
    return JsonResponse(bus.as_json(get_object_or_404(Command, pk=command_id)))


def csrf_failure(request: HttpRequest, reason: str = ""):
    """Commands answer a missing CSRF token in JSON, and the refusal is audited."""
    if not request.path.startswith("/commands/"):
        return default_csrf_failure(request, reason)
    rejection = bus.CommandRejected(
        403,
        "CSRF token missing or wrong",
        f"The request was refused before it was read ({reason}).",
        "Send the csrftoken cookie's value in the X-CSRFToken header, from the same session.",
    )
    if request.user.is_authenticated:
        return refuse(request, rejection)
    return JsonResponse(rejection.as_json(), status=403)


CONFIRM_TEMPLATES = {
    Command.Type.RETRY_JOB: "maintenance/confirm_retry_modal.html",
    Command.Type.DELETE_JOB: "maintenance/confirm_delete_modal.html",
}


def confirm_action(request: HttpRequest, job_id: str, action: str):
    """GET shows the confirmation (a modal for htmx, a page without JavaScript); POST acts."""
    job = get_object_or_404(TranscriptionJob, pk=job_id)
    template = CONFIRM_TEMPLATES[action]
    context = {"job": job, "command_id": uuid.uuid4(), "preview": bus.preview(action, job)}
    status = 200
    if request.method == "POST":
        form = ConfirmForm(request.POST)
        try:
            req = form.to_request(action=action, target=job.pk)
            submission = bus.submit(
                req=req, actor=request.user.get_username(), source_ip=client_ip(request)
            )
        except bus.CommandRejected as rejection:  # recorded by the bus, or by refuse() below
            if not form.is_valid():
                bus.reject(
                    req=None,
                    actor=request.user.get_username(),
                    source_ip=client_ip(request),
                    rejection=rejection,
                )
            context.update(error=rejection, command_id=form.data.get("command_id") or uuid.uuid4())
            status = rejection.status
        else:
            if not request.htmx:  # without JavaScript: a page that refreshes until done
                return redirect("maintenance:command-status", submission.command.pk)
            context["command"] = submission.command
    fragment = ("#modal-body" if request.method == "POST" else "#modal") if request.htmx else ""
    return render(request, template + fragment, context, status=status)


def command_status(request: HttpRequest, command_id):
    """A command's progress as a page, for browsers without JavaScript (it refreshes)."""
    command = get_object_or_404(Command, pk=command_id)
    return render(request, "maintenance/command_status.html", {"command": command})
