from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from applications.admin_append_only import AppendOnlyAdminMixin
from registry.models import NationalListing, NationalRecommendation, PublishedList, Recheck, Removal, Report


class AppendOnlyAdmin(AppendOnlyAdminMixin, SimpleHistoryAdmin):
    """Published lists, recommendations to MIIT and removals are made by the portal's services, kept as written."""

    def has_add_permission(self, request):
        return False


@admin.register(PublishedList)
class PublishedListAdmin(AppendOnlyAdmin):
    list_display = ["title", "year", "published_at", "published_by"]


@admin.register(NationalRecommendation)
class NationalRecommendationAdmin(AppendOnlyAdmin):
    list_display = ["dossier", "year", "recommended_by", "recommended_at"]
    list_filter = ["year"]


class RecordAdmin(SimpleHistoryAdmin):
    """Decisions are recorded through the portal's screens; here they are read, never deleted."""

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Recheck)
class RecheckAdmin(RecordAdmin):
    list_display = ["dossier", "year", "proposal", "decision", "decided_at"]
    list_filter = ["year", "proposal", "decision"]


@admin.register(Removal)
class RemovalAdmin(AppendOnlyAdmin):
    list_display = ["dossier", "ground", "decided_on", "reported_to_miit"]
    list_filter = ["ground", "reported_to_miit"]
    editable_fields = ("reported_to_miit",)  # the decision itself is kept as written


@admin.register(Report)
class ReportAdmin(RecordAdmin):
    list_display = ["received_at", "organisation", "agency", "district", "status", "district_proposal", "decision"]
    list_filter = ["status", "district_proposal", "decision"]
    # 个人信息保护法: the reporter's identity is shown, masked or in clear and audited, only on the screens of
    # the staff handling the report (registry.views.city / district), never in the admin.
    exclude = ["reporter_name", "reporter_contact", "reporter_email"]
    # 第二十五条: routing, the district's verification and the sharing of the identity are recorded with
    # who and when by their screens (registry.reports), never edited here.
    readonly_fields = [
        "district",
        "identity_shared",
        "identity_shared_by",
        "identity_shared_at",
        "district_findings",
        "district_proposal",
        "district_proposed_by",
        "district_proposed_at",
    ]

    def get_queryset(self, request):
        from accounts import scoping

        return scoping.reports_for(request.user)


@admin.register(NationalListing)
class NationalListingAdmin(SimpleHistoryAdmin):
    list_display = ["organisation", "year", "kind", "green_code_grade", "green_code_year"]
    list_filter = ["year", "kind", "green_code_grade"]
    search_fields = ["organisation__name", "name_in_list"]

    def has_delete_permission(self, request, obj=None):
        return False
