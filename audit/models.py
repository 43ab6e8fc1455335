"""The security audit log (GB/T 22239-2019 8.1.4.3 安全审计; 网络安全法第二十一条: kept at least six months).

Rows are appended, never changed: the model refuses it on every Django path (``AppendOnlyModel``), and on
PostgreSQL a trigger refuses UPDATE and DELETE from any client (migration 0002). The one exception is the
retention sweep (``audit.retention.purge_audit_log``), which deletes rows older than the retention period.
"""

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from applications.models.append_only import AppendOnlyModel


class EventType(models.TextChoices):
    LOGIN = "login", _("Login")
    LOGIN_FAILED = "login_failed", _("Failed login")
    LOGOUT = "logout", _("Logout")
    LOCKOUT = "lockout", _("Account locked out")
    UNLOCK = "unlock", _("Account unlocked")
    SECOND_FACTOR_RESET = "second_factor_reset", _("Second factor reset")
    ACCOUNT_CREATED = "account_created", _("Account created")
    ACCOUNT_DEACTIVATED = "account_deactivated", _("Account deactivated")
    ACCOUNT_ACTIVATED = "account_activated", _("Account activated")
    ROLE_CHANGE = "role_change", _("Role or scope changed")
    PERMISSION_CHANGE = "permission_change", _("Permissions changed")
    EXPORT = "export", _("Export of a list")
    IDENTITY_VIEW = "identity_view", _("View of an objector's or reporter's identity")
    ADMIN_ACTION = "admin_action", _("Administration site action")
    SUPERUSER_REFUSED = "superuser_refused", _("Superuser refused in the workspace")
    PERSONAL_DATA_ERASED = "personal_data_erased", _("Personal data erased")
    RETENTION_PURGE = "retention_purge", _("Audit log retention purge")
    INTEGRITY_ALERT = "integrity_alert", _("Integrity check found a problem")


class AuditEvent(AppendOnlyModel):
    # Its own trigger (migration 0002) lets the retention sweep purge rows past the legal minimum.
    append_only_trigger = False

    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    # No database constraint: an account is deactivated, not deleted, and the row keeps the name anyway.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_username = models.CharField(_("user name"), max_length=150, blank=True, db_index=True)
    actor_role = models.CharField(_("role"), max_length=16, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    event_type = models.CharField(_("event"), max_length=32, choices=EventType.choices, db_index=True)
    target = models.CharField(_("target"), max_length=300, blank=True)
    object_type = models.CharField(_("object type"), max_length=100, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True, encoder=DjangoJSONEncoder)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor_username or '-'} {self.event_type} {self.target}"
