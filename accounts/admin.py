from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _

from accounts.models import Notification, OutboundEmail, User

PRIVILEGE_FIELDS = ["is_superuser", "is_staff", "groups", "user_permissions"]


@admin.register(User)
class PortalUserAdmin(UserAdmin):
    list_display = ["username", "get_full_name", "role", "district", "organisation", "agency", "is_active"]
    list_filter = ["role", "district", "is_active", "is_staff"]
    autocomplete_fields = ["organisation", "agency"]
    fieldsets = (
        *UserAdmin.fieldsets,
        (_("Portal role"), {"fields": ["role", "district", "organisation", "agency", "phone"]}),
    )
    add_fieldsets = (
        *UserAdmin.add_fieldsets,
        (_("Portal role"), {"fields": ["role", "district", "organisation", "agency"]}),
    )

    def get_readonly_fields(self, request, obj=None):
        """Only a superuser grants privileges: staff cannot make anyone (themselves included) more powerful."""
        fields = list(super().get_readonly_fields(request, obj))
        return fields if request.user.is_superuser else fields + PRIVILEGE_FIELDS

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        return qs if request.user.is_superuser else qs.filter(is_superuser=False)

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["created_at", "recipient", "title", "read_at"]
    list_filter = ["read_at"]
    search_fields = ["title", "recipient__username"]
    readonly_fields = ["recipient", "title", "body", "url", "created_at", "read_at"]

    def has_add_permission(self, request):
        return False


@admin.register(OutboundEmail)
class OutboundEmailAdmin(admin.ModelAdmin):
    """The outbox, read-only (issue 14): what waits, what went out, what was given up and why.

    The status filter shows the count of each (facets), failed ones included.
    """

    list_display = ["created_at", "subject", "status", "attempts", "next_attempt_at", "sent_at", "failed_at"]
    list_filter = ["status"]
    show_facets = admin.ShowFacets.ALWAYS
    search_fields = ["subject"]
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in OutboundEmail._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
