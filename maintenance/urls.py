from django.urls import path

from maintenance import views

app_name = "maintenance"

urlpatterns = [
    path("run", views.run_command, name="run"),
    path("<uuid:command_id>", views.command_detail, name="command-detail"),
]
