from django.contrib import admin

from applications.admin_append_only import AppendOnlyAdminMixin
from operations.models import SweepRun


@admin.register(SweepRun)
class SweepRunAdmin(AppendOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("name", "as_of", "started_at", "finished_at", "changes", "ok")
    list_filter = ("ok", "name")
    search_fields = ("name", "error")
    date_hierarchy = "finished_at"

    def has_add_permission(self, request):
        return False
