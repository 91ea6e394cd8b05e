"""Everything but login, the admin and static files is for active staff only."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.response import TemplateResponse

OPEN_PREFIXES = ("/accounts/", "/admin/", "/static/", "/favicon.ico")
STREAM_PREFIXES = ("/events/",)
# The command API answers non-staff itself, so that it can audit the refusal.
SELF_GUARDED_PREFIXES = ("/commands/",)


class StaffOnlyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith(OPEN_PREFIXES) or is_active_staff(request.user):
            return self.get_response(request)
        if request.path.startswith(SELF_GUARDED_PREFIXES):
            if request.user.is_authenticated:
                return self.get_response(request)
            return JsonResponse(
                {"error": "unauthenticated", "detail": "Log in first: session authentication."},
                status=401,
            )
        if request.path.startswith(STREAM_PREFIXES):
            # An EventSource cannot follow a login redirect: refuse plainly.
            return JsonResponse(
                {"error": "forbidden", "detail": "Only logged-in active staff may open a stream."},
                status=403,
            )
        if wants_json(request):
            status, message = (
                (403, "Staff access is required.")
                if request.user.is_authenticated
                else (401, "Log in first.")
            )
            return JsonResponse(
                {"error": "forbidden" if status == 403 else "unauthenticated", "detail": message},
                status=status,
            )
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
        response = TemplateResponse(request, "403.html", status=403)
        return response.render()


def is_active_staff(user) -> bool:
    return bool(user.is_authenticated and user.is_active and user.is_staff)


def wants_json(request: HttpRequest) -> bool:
    accept = request.headers.get("Accept", "")
    return request.content_type == "application/json" or (
        "application/json" in accept and "text/html" not in accept
    )
