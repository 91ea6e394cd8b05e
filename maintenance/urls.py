from django.urls import path

from maintenance import views
from maintenance.models import Command

app_name = "maintenance"

urlpatterns = [
    path("run", views.run_command, name="run"),
    path("<uuid:command_id>", views.command_detail, name="command-detail"),
    path("<uuid:command_id>/status/", views.command_status, name="command-status"),
    path(
        "retry/<str:job_id>/",
        views.confirm_action,
        {"action": Command.Type.RETRY_JOB},
        name="confirm-retry",
    ),
    path(
        "delete/<str:job_id>/",
        views.confirm_action,
        {"action": Command.Type.DELETE_JOB},
        name="confirm-delete",
    ),
]
