from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from registry.models import NationalRecommendation, PublishedList


@admin.register(PublishedList)
class PublishedListAdmin(SimpleHistoryAdmin):
    list_display = ["title", "year", "published_at", "published_by"]
    readonly_fields = ["publicity_batch", "published_by", "published_at"]

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(NationalRecommendation)
class NationalRecommendationAdmin(SimpleHistoryAdmin):
    list_display = ["dossier", "year", "recommended_by", "recommended_at"]
    list_filter = ["year"]

    def has_delete_permission(self, request, obj=None):
        return False
