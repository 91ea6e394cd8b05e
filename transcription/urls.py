from django.urls import path

from transcription import views

app_name = "transcription"

urlpatterns = [
    path("", views.job_list, name="job-list"),
    path("upload/", views.job_upload, name="job-upload"),
    path("<str:job_id>/", views.job_detail, name="job-detail"),
]
