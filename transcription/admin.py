from django.contrib import admin

from transcription.models import JobAttempt, TranscriptionJob


class JobAttemptInline(admin.TabularInline):
    model = JobAttempt
    extra = 0
    can_delete = False
    readonly_fields = ["number", "outcome", "engine", "error_message", "started_at", "finished_at"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(TranscriptionJob)
class TranscriptionJobAdmin(admin.ModelAdmin):
    list_display = ["id", "original_name", "status", "attempts", "updated_at"]
    list_filter = ["status"]
    search_fields = ["=id", "original_name"]
    show_full_result_count = False
    inlines = [JobAttemptInline]
    readonly_fields = [f.name for f in TranscriptionJob._meta.fields]
