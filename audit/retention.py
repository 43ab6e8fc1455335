"""Two retention sweeps (``sweep(now) -> [what changed]``, listed in greenfactory/sweeps.py).

``purge_audit_log``: audit rows older than ``AUDIT_RETENTION_DAYS`` (never fewer than 180, 网络安全法第二十一条)
are deleted. On PostgreSQL the append-only trigger lets a DELETE through only inside a transaction that set
``audit.purge = 'on'`` (``SET LOCAL``, so it ends with the transaction) and only for rows older than 180 days,
so not even this sweep, misconfigured, can shorten the legal minimum.

``erase_personal_data``: ``PERSONAL_DATA_RETENTION_DAYS`` after an objection or a report is decided, the
objector's or reporter's contact details (phone, contact, email, the duplicate fingerprint) are erased and
the name replaced by its masked form (个人信息保护法第十九条, 第四十七条), in the row and in its history.
"""

import datetime

from django.conf import settings
from django.db import connection, models, transaction
from django.db.models.functions import Now

from audit.models import AuditEvent, EventType
from audit.personal_data import mask
from audit.services import record

LEGAL_MINIMUM_DAYS = 180  # 网络安全法第二十一条: network logs kept no less than six months


def audit_retention_days():
    return max(LEGAL_MINIMUM_DAYS, int(getattr(settings, "AUDIT_RETENTION_DAYS", LEGAL_MINIMUM_DAYS)))


def purge_audit_log(now):
    cutoff = now - datetime.timedelta(days=audit_retention_days())
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL audit.purge = 'on'")
        # The plain QuerySet, not the append-only one: this sweep is the single path allowed to delete.
        old = models.QuerySet(AuditEvent).filter(at__lt=cutoff)
        if connection.vendor == "postgresql":
            # The trigger measures 180 days by the database's clock; a sweep run "as of" a later date
            # (manage.py run_deadlines --as-of) must not ask it for rows it will refuse.
            old = old.filter(at__lt=Now() - datetime.timedelta(days=LEGAL_MINIMUM_DAYS))
        count, _by_model = old.delete()
        if connection.vendor == "postgresql":  # within an outer transaction, SET LOCAL would outlive this block
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL audit.purge = 'off'")
    if count:
        record(
            EventType.RETENTION_PURGE,
            request=False,
            target=f"< {cutoff.isoformat(timespec='seconds')}",
            detail={"deleted": count, "retention_days": audit_retention_days()},
        )
        return [f"{count} audit rows older than {cutoff:%Y-%m-%d} deleted"]
    return []


def personal_data_retention_days():
    return int(getattr(settings, "PERSONAL_DATA_RETENTION_DAYS", 365))


def erase_personal_data(now):
    from registry.models import Report
    from reviews.models import Objection

    cutoff = now - datetime.timedelta(days=personal_data_retention_days())
    objections = Objection.objects.filter(
        status__in=[Objection.Status.UPHELD, Objection.Status.DISMISSED], decided_at__lt=cutoff
    )
    reports = Report.objects.filter(status=Report.Status.DECIDED, decided_at__lt=cutoff)
    return [
        *_erase(objections, contacts=("objector_phone", "contact_email"), name="objector_name", label="objection"),
        *_erase(reports, contacts=("reporter_contact", "reporter_email"), name="reporter_name", label="report"),
    ]


def _erase(decided, *, contacts, name, label):
    """Blank the contact fields and the duplicate fingerprint, mask the name, in the row and its history; one
    transaction and one audit event per case, so a crash loses nothing and a rerun finishes the rest."""
    model = decided.model
    blank = {field: "" for field in contacts} | {"fingerprint": ""}
    pending = decided.exclude(**blank)
    changes = []
    for pk in pending.values_list("pk", flat=True):
        with transaction.atomic():
            row = model.objects.select_for_update().filter(pk=pk).first()
            if row is None or not any(getattr(row, field) for field in blank):
                continue
            erased = blank | {name: mask(getattr(row, name))}
            model.objects.filter(pk=pk).update(**erased)
            model.history.filter(id=pk).update(**erased)
            record(EventType.PERSONAL_DATA_ERASED, request=False, obj=row, detail={"fields": sorted(erased)})
            changes.append(f"{label} {row.receipt_number or pk}: contact details erased")
    return changes
