"""Who is locked out now (django-axes' attempts), and the security administrator's unlock."""

from axes.conf import settings as axes_settings
from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from axes.utils import reset
from django.db.models import Max, Sum
from django.utils import timezone


def _recent():
    attempts = AccessAttempt.objects.all()
    cool_off = get_cool_off()
    if cool_off:
        attempts = attempts.filter(attempt_time__gte=timezone.now() - cool_off)
    return attempts


def _locked(field):
    limit = axes_settings.AXES_FAILURE_LIMIT
    cool_off = get_cool_off()
    rows = (
        _recent()
        .filter(**{f"{field}__isnull": False})
        .values(field)
        .annotate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
        .filter(failures__gte=limit)
        .order_by("-last")
    )
    return [
        {
            "value": row[field],
            "failures": row["failures"],
            "last": row["last"],
            "until": row["last"] + cool_off if cool_off else None,
        }
        for row in rows
        if row[field]
    ]


def locked_accounts():
    return _locked("username")


def locked_addresses():
    return _locked("ip_address")


def unlock_account(username):
    """Every unlock path (the locks screen, the roles screen) goes through here and is audited."""
    from django.contrib.auth import get_user_model

    from audit.models import EventType
    from audit.services import record

    count = reset(username=username)
    account = get_user_model().objects.filter(username=username).first()
    record(EventType.UNLOCK, obj=account, target=username, detail={"username": username})
    return count


def unlock_address(address):
    from audit.models import EventType
    from audit.services import record

    count = reset(ip=address)
    record(EventType.UNLOCK, target=address, detail={"ip_address": address})
    return count
