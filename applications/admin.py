from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from accounts import scoping
from applications.admin_append_only import AppendOnlyAdminMixin
from applications.models import (
    Agency,
    AnnualReport,
    District,
    Dossier,
    EligibilityDeclaration,
    EvaluationSnapshot,
    EvaluationTemplate,
    ExclusionDeclaration,
    ExclusionSource,
    Indicator,
    IndicatorSet,
    Organisation,
    ReportVersion,
    TemplateArea,
    TemplateItem,
    TransitionLog,
)


class ScopedAdmin(SimpleHistoryAdmin):
    """Admin querysets go through accounts.scoping like every view."""

    scope = None  # a function of accounts.scoping

    def get_queryset(self, request):
        return type(self).scope(request.user) if self.scope else super().get_queryset(request)


@admin.register(District)
class DistrictAdmin(SimpleHistoryAdmin):
    list_display = ["name", "bureau_name", "code", "sort_order"]
    list_editable = ["bureau_name"]
    readonly_fields = ["code", "name"]

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Organisation)
class OrganisationAdmin(ScopedAdmin):
    scope = staticmethod(scoping.organisations_for)
    list_display = ["name", "credit_code", "district", "contact_name", "contact_phone"]
    list_filter = ["district"]
    search_fields = ["name", "credit_code"]

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ExclusionDeclaration)
class ExclusionDeclarationAdmin(AppendOnlyAdminMixin, SimpleHistoryAdmin):
    list_display = ["organisation", "condition", "applies", "valid_until", "automatic", "declared_at"]
    list_filter = ["condition", "applies", "automatic", "organisation__district"]
    search_fields = ["organisation__name", "organisation__credit_code"]
    autocomplete_fields = ["organisation"]
    readonly_fields = ["automatic", "source", "declared_by", "lifted_at", "lifted_by", "lift_reason"]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(organisation__in=scoping.organisations_for(request.user))

    def save_model(self, request, obj, form, change):
        # 第十二条: what staff record here is a staff record; only city staff lift it (organisation page).
        obj.declared_by, obj.source = request.user, ExclusionSource.STAFF
        super().save_model(request, obj, form, change)


@admin.register(EligibilityDeclaration)
class EligibilityDeclarationAdmin(AppendOnlyAdminMixin, SimpleHistoryAdmin):
    list_display = ["organisation", "kind", "criterion", "satisfied", "declared_at"]
    list_filter = ["kind", "criterion", "satisfied", "organisation__district"]
    search_fields = ["organisation__name", "organisation__credit_code"]
    autocomplete_fields = ["organisation"]
    readonly_fields = ["declared_by"]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(organisation__in=scoping.organisations_for(request.user))

    def save_model(self, request, obj, form, change):
        obj.declared_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(Agency)
class AgencyAdmin(ScopedAdmin):
    scope = staticmethod(scoping.agencies_for)
    list_display = ["name", "credit_code", "barred_until", "contact_name"]
    list_filter = ["barred_until"]
    search_fields = ["name", "credit_code"]

    def has_delete_permission(self, request, obj=None):
        return False


class TransitionLogInline(admin.TabularInline):
    model = TransitionLog
    fields = ["at", "transition", "from_state", "to_state", "actor", "reason"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Dossier)
class DossierAdmin(ScopedAdmin):
    scope = staticmethod(scoping.dossiers_for)
    list_display = ["organisation", "kind", "cycle_year", "state", "district", "level", "rank"]
    list_filter = ["organisation__district", "kind", "state", "cycle_year", "level"]
    search_fields = ["organisation__name", "organisation__credit_code"]
    autocomplete_fields = ["organisation", "agency"]
    inlines = [TransitionLogInline]
    # The state and every field a rule reads (agency, report, checks, list and rank) move only through
    # applications.services and its guards; the admin edits notes and the national platform's status.
    editable_fields = ("cultivation_notes", "platform_status", "platform_reference")

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in Dossier._meta.concrete_fields if f.name not in (*self.editable_fields, "id")]

    def get_queryset(self, request):
        # "district" is the dossier's copy of its organisation's district (``Dossier.district``), read with the
        # rows; the changelist's ``list_select_related`` is ignored once the scope has selected related rows.
        return super().get_queryset(request).select_related("district")

    def has_add_permission(self, request):
        return False  # dossiers are created by pooling (applications.services.pool)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(TransitionLog)
class TransitionLogAdmin(AppendOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["at", "dossier", "transition", "from_state", "to_state", "actor", "reason"]
    list_filter = ["transition", "to_state", "dossier__organisation__district", "dossier__kind", "dossier__cycle_year"]
    search_fields = ["dossier__organisation__name", "reason"]
    list_select_related = ["dossier__organisation", "actor"]

    def get_queryset(self, request):
        return scoping.log_entries_for(request.user).select_related("dossier__organisation", "actor")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class IndicatorInline(admin.TabularInline):
    model = Indicator
    extra = 1


@admin.register(IndicatorSet)
class IndicatorSetAdmin(SimpleHistoryAdmin):
    """第十九条: staff define each year's indicators, their units, which are required and the worsening threshold."""

    list_display = ["year", "note"]
    inlines = [IndicatorInline]

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AnnualReport)
class AnnualReportAdmin(SimpleHistoryAdmin):
    list_display = ["dossier", "year", "status", "due_on", "overdue_at"]
    list_filter = ["year", "status", "dossier__organisation__district"]
    search_fields = ["dossier__organisation__name"]
    readonly_fields = ["dossier", "year", "values", "compliance", "flags", "submitted_at", "submitted_by", "overdue_at"]

    def get_queryset(self, request):
        return scoping.annual_reports_for(request.user)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class TemplateItemInline(admin.TabularInline):
    model = TemplateItem
    extra = 0
    fields = ["code", "text", "kind", "points", "unit", "direction", "baseline", "leading", "evidence_required"]

    # ``obj`` is the parent area: its items change only while its template is a draft.
    def has_change_permission(self, request, obj=None):
        return obj is None or not obj.template.is_frozen

    def has_add_permission(self, request, obj=None):
        return self.has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self.has_add_permission(request, obj)


@admin.register(EvaluationTemplate)
class EvaluationTemplateAdmin(SimpleHistoryAdmin):
    """The portal's own screens (/standards/) are where staff edit templates; here a frozen one is read-only."""

    list_display = ["name", "kind", "standard", "version", "frozen_at"]
    list_filter = ["kind", "standard"]
    readonly_fields = ["frozen_at", "previous", "created_by", "created_at"]

    def has_change_permission(self, request, obj=None):
        return (obj is None or not obj.is_frozen) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(TemplateArea)
class TemplateAreaAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "template"]
    list_filter = ["template"]
    inlines = [TemplateItemInline]

    def has_change_permission(self, request, obj=None):
        return (obj is None or not obj.template.is_frozen) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(EvaluationSnapshot)
class EvaluationSnapshotAdmin(AppendOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["dossier", "template", "total", "pass_mark", "submitted_at"]

    def has_add_permission(self, request):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).filter(dossier__in=scoping.dossiers_for(request.user))


@admin.register(ReportVersion)
class ReportVersionAdmin(AppendOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["dossier", "source", "agency", "uploaded_by", "uploaded_at", "sha256"]

    def has_add_permission(self, request):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).filter(dossier__in=scoping.dossiers_for(request.user))
