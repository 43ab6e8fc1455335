"""The three administrators' screens (三员分立, GB/T 22239-2019 8.1.4.2) and the superuser's explanation.

The system administrator creates and deactivates accounts; the security administrator grants roles and
scope, unlocks accounts and resets second factors; the audit administrator reads, searches and exports the
audit log. None of them sees a dossier (accounts/scoping.py gives them nothing).
"""

import datetime
import functools

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import Role, User
from applications.spreadsheets import CHUNK_ROWS, xlsx_response
from audit.forms import AuditSearchForm, NewAccountForm, RoleForm, UserSearchForm
from audit.models import AuditEvent, EventType

PAGE_SIZE = 50
EXPORT_LIMIT = 20000


def duty(role):
    def decorator(view):
        @functools.wraps(view)
        @login_required
        def wrapper(request, *args, **kwargs):
            if request.user.role != role:
                raise PermissionDenied(_("This screen belongs to another administrator."))
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


HOMES = {Role.SYSADMIN: "duties_users", Role.SECADMIN: "duties_roles", Role.AUDITADMIN: "audit_log"}


@login_required
def home(request):
    if request.user.role not in HOMES:
        raise PermissionDenied(_("This screen belongs to the administrators."))
    return redirect(HOMES[request.user.role])


def superuser_refused(request):
    return render(request, "audit/superuser_refused.html")


def searched_users(request):
    form = UserSearchForm(request.GET)
    users = User.objects.filter(is_superuser=False).order_by("username")
    if form.is_valid() and (q := form.cleaned_data["q"]):
        users = users.filter(Q(username__icontains=q) | Q(first_name__icontains=q) | Q(last_name__icontains=q))
    return form, Paginator(users, PAGE_SIZE).get_page(request.GET.get("page"))


@duty(Role.SYSADMIN)
def users(request):
    form = NewAccountForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        account = form.save()
        messages.success(
            request,
            _("Account %(name)s created; the security administrator grants its role.") % {"name": account.username},
        )
        return redirect("duties_users")
    search, page = searched_users(request)
    return render(request, "audit/users.html", {"form": form, "search": search, "page": page})


@duty(Role.SYSADMIN)
@require_POST
def set_active(request, pk, active):
    account = get_object_or_404(User, pk=pk, is_superuser=False)
    if account == request.user:
        messages.error(request, _("You cannot deactivate your own account."))
    else:
        account.is_active = bool(active)
        account.save(update_fields=["is_active"])  # the audit row comes from the user's post_save
        messages.success(request, _("Account activated.") if active else _("Account deactivated."))
    return redirect("duties_users")


@duty(Role.SECADMIN)
def roles(request):
    search, page = searched_users(request)
    return render(request, "audit/roles.html", {"search": search, "page": page})


@duty(Role.SECADMIN)
def grant(request, pk):
    account = get_object_or_404(User, pk=pk, is_superuser=False)
    if account == request.user:
        raise PermissionDenied(_("No one grants their own role."))
    form = RoleForm(request.POST or None, instance=account)
    if request.method == "POST" and form.is_valid():
        form.save()  # the role_change row comes from the user's pre_save/post_save, whatever the path
        messages.success(request, _("Role saved."))
        return redirect("duties_roles")
    return render(
        request, "audit/grant.html", {"account": account, "form": form, "second_factor": second_factor_devices(account)}
    )


def second_factor_devices(account):
    from django.apps import apps

    if not apps.is_installed("django_otp"):
        return None
    from django_otp import devices_for_user

    return list(devices_for_user(account, confirmed=None))


@duty(Role.SECADMIN)
@require_POST
def reset_second_factor(request, pk):
    from security.two_factor import reset_two_factor

    account = get_object_or_404(User, pk=pk, is_superuser=False)
    reset_two_factor(account)  # audited there, as on the locks screen
    messages.success(request, _("Second factor reset: the user enrols again at the next login."))
    return redirect("duties_grant", pk=pk)


@duty(Role.SECADMIN)
@require_POST
def unlock(request, pk):
    from security.lockouts import unlock_account

    account = get_object_or_404(User, pk=pk, is_superuser=False)
    unlock_account(account.username)  # audited there, as on the locks screen
    messages.success(request, _("Account unlocked."))
    return redirect("duties_grant", pk=pk)


def searched_events(form):
    events = AuditEvent.objects.all()
    if not form.is_valid():
        return events.none()
    data = form.cleaned_data
    zone = timezone.get_current_timezone()
    if data["start"]:
        events = events.filter(at__gte=datetime.datetime.combine(data["start"], datetime.time.min, zone))
    if data["end"]:
        events = events.filter(
            at__lt=datetime.datetime.combine(data["end"] + datetime.timedelta(days=1), datetime.time.min, zone)
        )
    if data["actor"]:
        events = events.filter(actor_username__icontains=data["actor"])
    if data["event_type"]:
        events = events.filter(event_type=data["event_type"])
    if q := data["q"]:
        events = events.filter(
            Q(target__icontains=q) | Q(actor_username__icontains=q) | Q(object_id=q) | Q(detail__icontains=q)
        )
    return events


@duty(Role.AUDITADMIN)
def audit_log(request):
    form = AuditSearchForm(request.GET)
    events = searched_events(form)
    if request.GET.get("format") == "xlsx":  # the export is itself recorded (audit.middleware)
        return audit_xlsx(events[:EXPORT_LIMIT])
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "audit/log.html", {"form": form, "page": page, "query": query.urlencode()})


def audit_xlsx(events):
    """The searched audit rows as plain values (``values_list`` read in chunks), written in write-only mode."""
    labels = dict(EventType.choices)
    headers = [_("Time"), _("User name"), _("Role"), _("IP address"), _("Event"), _("Target"), _("Object"), _("Detail")]
    fields = ["at", "actor_username", "actor_role", "ip_address", "event_type", "target", "object_type", "object_id"]
    rows = (
        [
            timezone.localtime(at).strftime("%Y-%m-%d %H:%M:%S"),
            username,
            role,
            ip or "",
            labels.get(event_type, event_type),
            target,
            f"{object_type} {object_id}".strip(),
            detail,
        ]
        for at, username, role, ip, event_type, target, object_type, object_id, detail in events.values_list(
            *fields, "detail"
        ).iterator(chunk_size=CHUNK_ROWS)
    )
    return xlsx_response("audit-log", headers, rows, title=_("Audit log"))
