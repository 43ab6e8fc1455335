"""What goes to the audit log without a view asking: logins, lockouts, account, role and permission
changes from any path (the duties screens, the Django admin, the shell), and the admin's own actions."""

from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import m2m_changed, post_save, pre_save

from audit.models import EventType
from audit.services import record

# Fields whose change is a change of role or scope, and of Django's own permissions.
ROLE_FIELDS = ("role", "district_id", "organisation_id", "agency_id")
PERMISSION_FIELDS = ("is_staff", "is_superuser")


def on_login(sender, request, user, **kwargs):
    record(EventType.LOGIN, request=request, actor=user)


def on_login_failed(sender, credentials, request=None, **kwargs):
    # Django has already replaced the password in ``credentials`` by asterisks; only the name is kept.
    username = str(credentials.get("username") or credentials.get(get_user_model().USERNAME_FIELD) or "")
    record(EventType.LOGIN_FAILED, request=request, username=username, target=username, detail={"anonymous": True})


def on_logout(sender, request, user, **kwargs):
    if user is not None:
        record(EventType.LOGOUT, request=request, actor=user)


def on_locked_out(sender, request=None, username=None, ip_address=None, **kwargs):
    record(
        EventType.LOCKOUT,
        request=request,
        username=username or "",
        target=username or "",
        detail={"anonymous": True, "ip_address": ip_address or ""},
    )


def remember_previous(sender, instance, update_fields=None, **kwargs):
    instance._audit_previous = None
    if instance.pk is None or (update_fields is not None and set(update_fields) <= {"last_login", "password"}):
        return
    instance._audit_previous = (
        sender.objects.filter(pk=instance.pk).values(*ROLE_FIELDS, *PERMISSION_FIELDS, "is_active").first()
    )


def record_user_change(sender, instance, created, **kwargs):
    previous = getattr(instance, "_audit_previous", None)
    instance._audit_previous = None
    target = instance.get_username()
    if created:
        now = {f: getattr(instance, f) for f in (*ROLE_FIELDS, *PERMISSION_FIELDS)}
        record(EventType.ACCOUNT_CREATED, obj=instance, target=target, detail={"new": now})
        return
    if previous is None:
        return

    def changes(fields):
        return {
            f: {"old": previous[f], "new": getattr(instance, f)} for f in fields if previous[f] != getattr(instance, f)
        }

    if role := changes(ROLE_FIELDS):
        record(EventType.ROLE_CHANGE, obj=instance, target=target, detail={"changes": role})
    if permissions := changes(PERMISSION_FIELDS):
        record(EventType.PERMISSION_CHANGE, obj=instance, target=target, detail={"changes": permissions})
    if previous["is_active"] != instance.is_active:
        kind = EventType.ACCOUNT_ACTIVATED if instance.is_active else EventType.ACCOUNT_DEACTIVATED
        record(kind, obj=instance, target=target)


def record_m2m_permissions(sender, instance, action, pk_set=None, model=None, **kwargs):
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    users = (
        [instance]
        if isinstance(instance, get_user_model())
        else list(get_user_model().objects.filter(pk__in=pk_set or ()))
    )
    for user in users:
        record(
            EventType.PERMISSION_CHANGE,
            obj=user,
            target=user.get_username(),
            detail={"relation": sender._meta.label_lower, "action": action, "ids": sorted(pk_set or ())},
        )


def record_admin_action(sender, instance, created, **kwargs):
    if not created:
        return
    flags = {1: "addition", 2: "change", 3: "deletion"}
    record(
        EventType.ADMIN_ACTION,
        actor=instance.user,
        target=instance.object_repr,
        detail={
            "action": flags.get(instance.action_flag, str(instance.action_flag)),
            "model": f"{instance.content_type.app_label}.{instance.content_type.model}"
            if instance.content_type_id
            else "",
            "object_id": str(instance.object_id or ""),
            "message": instance.get_change_message(),
        },
    )


def record_bulk_admin_actions():
    """The admin logs several objects at once (its "delete selected" action) with ``bulk_create``, which
    sends no ``post_save``: wrap the manager's one method so those entries are recorded too."""
    from django.contrib.admin.models import LogEntryManager

    original = LogEntryManager.log_actions
    if getattr(original, "audited", False):
        return

    def log_actions(self, *args, **kwargs):
        result = original(self, *args, **kwargs)
        if isinstance(result, list) and len(result) > 1:
            for entry in result:
                record_admin_action(LogEntry, entry, created=True)
        return result

    log_actions.audited = True
    LogEntryManager.log_actions = log_actions


def connect():
    record_bulk_admin_actions()
    user_model = get_user_model()
    user_logged_in.connect(on_login, dispatch_uid="audit_login")
    user_login_failed.connect(on_login_failed, dispatch_uid="audit_login_failed")
    user_logged_out.connect(on_logout, dispatch_uid="audit_logout")
    pre_save.connect(remember_previous, sender=user_model, dispatch_uid="audit_user_pre")
    post_save.connect(record_user_change, sender=user_model, dispatch_uid="audit_user_post")
    m2m_changed.connect(record_m2m_permissions, sender=user_model.groups.through, dispatch_uid="audit_groups")
    m2m_changed.connect(
        record_m2m_permissions, sender=user_model.user_permissions.through, dispatch_uid="audit_permissions"
    )
    post_save.connect(record_admin_action, sender=LogEntry, dispatch_uid="audit_admin_action")
    from django.apps import apps

    if not apps.is_installed("axes"):  # django-axes: the login protection of issue 12
        return
    from axes.signals import user_locked_out

    user_locked_out.connect(on_locked_out, dispatch_uid="audit_lockout")
