from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from reviews.models import ExpertAssignment


@admin.register(ExpertAssignment)
class ExpertAssignmentAdmin(SimpleHistoryAdmin):
    list_display = ["dossier", "expert", "assigned_at", "conflict_declared"]
    list_filter = ["conflict_declared", "dossier__cycle_year"]
    autocomplete_fields = ["dossier", "expert"]
    search_fields = ["dossier__organisation__name", "expert__username"]
