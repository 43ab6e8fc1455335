from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from applications.admin_append_only import AppendOnlyAdminMixin
from reviews.models import (
    ConformityCheck,
    Criterion,
    ExpertAssignment,
    ExpertLink,
    Objection,
    PublicityBatch,
    RecommendationBatch,
    Review,
    Round,
)


class ReadOnlyAdmin(AppendOnlyAdminMixin, SimpleHistoryAdmin):
    """Records of decisions: visible, never added, edited, reverted or deleted here."""

    def has_add_permission(self, request, obj=None):
        return False


class CriterionInline(admin.TabularInline):
    model = Criterion
    extra = 1


@admin.register(Round)
class RoundAdmin(SimpleHistoryAdmin):
    list_display = ["year", "kind", "is_open", "third_party_required", "standard", "aggregation", "select_count"]
    list_filter = ["year", "kind", "standard"]
    inlines = [CriterionInline]


@admin.register(ExpertAssignment)
class ExpertAssignmentAdmin(SimpleHistoryAdmin):
    list_display = ["dossier", "expert", "assigned_at", "conflict_declared"]
    list_filter = ["conflict_declared", "dossier__cycle_year"]
    autocomplete_fields = ["dossier", "expert"]
    search_fields = ["dossier__organisation__name", "expert__username"]


@admin.register(ExpertLink)
class ExpertLinkAdmin(SimpleHistoryAdmin):
    list_display = ["expert", "organisation", "agency", "note"]
    autocomplete_fields = ["expert", "organisation", "agency"]


@admin.register(ConformityCheck)
class ConformityCheckAdmin(ReadOnlyAdmin):
    list_display = ["dossier", "passed", "checked_by", "checked_at"]
    list_filter = ["passed"]


@admin.register(Review)
class ReviewAdmin(ReadOnlyAdmin):
    list_display = ["assignment", "total", "submitted_at"]


@admin.register(RecommendationBatch)
class RecommendationBatchAdmin(ReadOnlyAdmin):
    list_display = ["district", "cycle_year", "submitted_by", "submitted_at"]
    list_filter = ["cycle_year", "district"]


@admin.register(PublicityBatch)
class PublicityBatchAdmin(ReadOnlyAdmin):
    list_display = ["title", "starts_on", "ends_on"]


@admin.register(Objection)
class ObjectionAdmin(ReadOnlyAdmin):
    list_display = ["dossier", "status", "submitted_at", "decided_at"]
    list_filter = ["status"]
    # 个人信息保护法: the objector's identity is shown, masked or in clear and audited, only on the screen
    # where staff decide objections (reviews.views.municipal), never in the admin.
    exclude = ["objector_name", "objector_phone", "contact_email"]
