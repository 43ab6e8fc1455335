from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from workdays.models import DayOverride, ScheduleYear


@admin.register(DayOverride)
class DayOverrideAdmin(SimpleHistoryAdmin):
    list_display = ["date", "working", "name"]
    list_filter = ["working", "date"]
    date_hierarchy = "date"
    search_fields = ["name"]


@admin.register(ScheduleYear)
class ScheduleYearAdmin(SimpleHistoryAdmin):
    list_display = ["year", "source", "loaded_at"]
