"""Fast inserts for the large imports (issue 13): what ``bulk_create`` sends, without its cost.

``bulk_create`` spends most of an import's time building its INSERTs (every value through every field's
generic preparation, one multi-row statement per batch). ``insert`` sends the same values as one
``executemany`` per batch (``COPY`` on PostgreSQL), with one converter per field chosen once — the way
``manage.py seed_scale`` writes its rows. No signals are sent and no primary key comes back: the caller
reads the keys of the rows it needs by their natural key (one query per chunk), as the imports do.

``history`` writes the django-simple-history rows of saved instances exactly as ``bulk_history_create``
does (the tracked fields, the user, the change reason, the type), through ``insert``.
"""

from functools import partial

from django.db import connection
from django.db.models import Model
from django.db.models.fields.files import FieldFile
from django.utils import timezone

MISSING = object()


def _converter(field):
    ops = connection.ops
    internal = field.get_internal_type()
    if internal == "DateTimeField":
        return ops.adapt_datetimefield_value
    if internal == "DateField":
        return ops.adapt_datefield_value
    if internal in ("JSONField", "DecimalField", "FileField", "UUIDField"):
        return partial(field.get_db_prep_save, connection=connection)
    if internal in ("CharField", "TextField"):
        return _text
    return None


def _text(value):
    if isinstance(value, FieldFile):  # a historical copy of a file field keeps its name
        return value.name or ""
    return value


def insert(model, rows, *, now=None, batch_size=1000):
    """Insert ``rows`` of ``model``: unsaved instances, or dicts {attname: value} (a missing field takes its
    default). The primary key is left to the database unless every row gives it. ``auto_now(_add)`` fields
    take ``now`` (also set on the instances, as ``save`` would). Returns the number of rows."""
    rows = list(rows)
    if not rows:
        return 0
    now = now or timezone.now()
    first = rows[0].__dict__ if isinstance(rows[0], Model) else rows[0]
    if model._meta.label == "applications.TransitionLog" and "row_hash" in {f.name for f in model._meta.fields}:
        # the log is a hash chain (``applications.transition_chain``): the caller links its rows first
        assert all((r.__dict__ if isinstance(r, Model) else r).get("row_hash") for r in rows), "unlinked log rows"
    if model._meta.label == "applications.Dossier":
        # the dossier's copies of its organisation's name and district (``Dossier.organisation_name``)
        from applications.models.dossiers import copy_organisation

        copy_organisation([r for r in rows if isinstance(r, Model) and not r.organisation_name])
        assert all((r.__dict__ if isinstance(r, Model) else r).get("district_id") for r in rows), "no district"
    if model._meta.label == "applications.AnnualReport":
        # the form's copy of its organisation's name (``AnnualReport.organisation_name``)
        from applications.models.annual import copy_dossier_name

        copy_dossier_name([r for r in rows if isinstance(r, Model) and not r.organisation_name])
    with_pk = first.get(model._meta.pk.attname) is not None
    fields = [f for f in model._meta.concrete_fields if with_pk or not f.primary_key]
    plan = []
    for field in fields:
        stamped = getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
        plan.append((field, field.attname, stamped, _converter(field)))
    params = []
    for row in rows:
        values_of = row.__dict__ if isinstance(row, Model) else row
        values = []
        for field, attname, stamped, convert in plan:
            if stamped:
                value = values_of[attname] = now
            else:
                value = values_of.get(attname, MISSING)
                if value is MISSING:
                    value = field.get_default()
            if convert is not None and value is not None:
                value = convert(value)
            values.append(value)
        params.append(values)
    qn = connection.ops.quote_name
    table, columns = qn(model._meta.db_table), ", ".join(qn(f.column) for f in fields)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # COPY is several times faster than INSERT; psycopg adapts each value as it would for INSERT.
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for values in params:
                    copy.write_row(values)
        else:
            sql = f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(fields))})"
            for start in range(0, len(params), batch_size):
                cursor.executemany(sql, params[start : start + batch_size])
    return len(rows)


def history(model, instances, *, by, reason="", update=False, now=None):
    """The history rows of ``instances`` (saved, with their keys) as ``model.history.bulk_history_create``
    writes them: each instance's ``_history_user`` / ``_change_reason`` if set, else ``by`` / ``reason``."""
    historical = model.history.model
    tracked = [f.attname for f in historical.tracked_fields]
    now = now or timezone.now()
    rows = []
    for instance in instances:
        values = instance.__dict__
        user = getattr(instance, "_history_user", by)
        row = {name: values.get(name) for name in tracked}
        row.update(
            history_date=now,
            history_user_id=user.pk if user is not None else None,
            history_change_reason=getattr(instance, "_change_reason", None) or reason,
            history_type="~" if update else "+",
        )
        rows.append(row)
    return insert(historical, rows, now=now)


def create_dossiers(dossiers, *, kind, year, transition, by, reason, now):
    """Save new ``dossiers`` (all of ``kind`` and ``year``, one per organisation) with their history and the first
    row of each one's log (from nothing to its state), as ``services._create_with_log`` does row by row. The keys
    are read back by organisation; the log rows start each dossier's hash chain (``transition_chain``)."""
    from applications import transition_chain
    from applications.models import Dossier, TransitionLog

    if not dossiers:
        return dossiers
    insert(Dossier, dossiers, now=now)
    keys = dict(
        Dossier.objects.filter(
            organisation_id__in=[d.organisation_id for d in dossiers], kind=kind, cycle_year=year
        ).values_list("organisation_id", "pk")
    )
    for dossier in dossiers:
        dossier.pk = keys[dossier.organisation_id]
        dossier._state.adding, dossier._state.db = False, "default"
    history(Dossier, dossiers, by=by, reason=transition, now=now)
    actor = by.pk if by is not None else None
    entries = [
        {
            "dossier_id": d.pk,
            "transition": transition,
            "from_state": "",
            "to_state": d.state,
            "actor_id": actor,
            "reason": reason,
            "at": now,
        }
        for d in dossiers
    ]
    transition_chain.link(entries, known_heads={})  # new dossiers: every chain starts here
    insert(TransitionLog, entries, now=now)
    return dossiers
