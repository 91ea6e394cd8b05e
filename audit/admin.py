from __future__ import annotations

from django.contrib import admin
from django.core.paginator import Paginator
from django.utils.functional import cached_property

from audit.models import AuditEntry


class CappedCountPaginator(Paginator):
    """Counts at most CAP rows, so a million-row trail pages as fast as a small one."""

    CAP = 10_000

    @cached_property
    def count(self) -> int:
        return self.object_list.order_by().values("pk")[: self.CAP].count()


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["seq", "timestamp", "actor", "action", "target", "outcome", "command_id"]
    list_filter = ["action", "outcome", "actor", ("timestamp", admin.DateFieldListFilter)]
    search_fields = ["=target", "=command_id"]
    search_help_text = "Exact job ID, target name or command ID."
    ordering = ["-seq"]
    paginator = CappedCountPaginator
    show_full_result_count = False
    list_per_page = 50
    readonly_fields = [f.name for f in AuditEntry._meta.fields]

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_staff

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_staff

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
