from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _

from accounts.models import Notification, User


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


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["created_at", "recipient", "title", "read_at"]
    list_filter = ["read_at"]
    search_fields = ["title", "recipient__username"]
    readonly_fields = ["recipient", "title", "body", "url", "created_at", "read_at"]

    def has_add_permission(self, request):
        return False
