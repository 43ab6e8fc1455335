"""``record``: the one way an audit row is written."""

import logging

from django.db import DatabaseError, transaction

from audit.context import current_request
from audit.models import AuditEvent, EventType

log = logging.getLogger("greenfactory.audit")


def client_ip(request):
    from greenfactory.ratelimit import client_address

    address = client_address(request) if request is not None else ""
    return address or None


def record(event_type, *, request=None, actor=None, username="", target="", obj=None, detail=None, at=None):
    """Append one audit row. ``actor`` defaults to the request's user; ``obj`` names the object concerned."""
    if request is None:  # request=False: a sweep, never the request being served
        request = current_request.get()
    request = request or None
    if actor is None and request is not None:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            actor = user
    fields = {
        "event_type": event_type,
        "actor": actor if actor is not None and actor.pk else None,
        "actor_username": (actor.get_username() if actor is not None else username)[:150],
        "actor_role": (getattr(actor, "role", "") or ("superuser" if getattr(actor, "is_superuser", False) else ""))[
            :16
        ],
        "ip_address": client_ip(request),
        "target": str(target)[:300],
        "detail": detail or {},
    }
    if obj is not None:
        fields["object_type"] = obj._meta.label_lower
        fields["object_id"] = str(obj.pk)
        if not target:
            fields["target"] = str(obj)[:300]
    if at is not None:
        fields["at"] = at
    if request is not None:
        fields["detail"] = {"path": request.get_full_path()[:500], **fields["detail"]}
    try:
        # A savepoint: a failed audit write must not poison the caller's transaction.
        with transaction.atomic():
            return AuditEvent.objects.create(**fields)
    except (DatabaseError, ValueError):
        log.exception("audit row not written: %s", fields)
        raise


def record_identity_view(request, records):
    """One ``identity_view`` row per page that shows objectors' or reporters' identities, naming the records."""
    records = list(records)
    if not records:
        return None
    first = records[0]
    return record(
        EventType.IDENTITY_VIEW,
        request=request,
        obj=first if len(records) == 1 else None,
        target=", ".join(str(r.receipt_number or f"#{r.pk}") for r in records)[:300],
        detail={"model": first._meta.label_lower, "ids": [r.pk for r in records]},
    )
