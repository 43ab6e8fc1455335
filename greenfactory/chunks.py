"""Work on many rows a chunk at a time, each chunk in its own transaction (issue 13).

A deadline sweep lists the primary keys of its candidates once, then claims and acts on them
``SWEEP_CHUNK_SIZE`` at a time: a crash loses at most the chunk in progress, and a rerun (every sweep
re-checks each row's state under its lock) finishes it. Rows are claimed with ``SELECT … FOR UPDATE
SKIP LOCKED`` where the database has it (PostgreSQL), so two workers share the work and never wait for
each other; SQLite has no row locks and runs one writer at a time anyway.

Called inside an outer transaction (``manage.py run_deadlines`` without ``--apply``), each chunk is a
savepoint of it, so the dry run still rolls everything back.
"""

from django.conf import settings
from django.db import IntegrityError, connection, transaction


def chunk_size():
    return max(1, settings.SWEEP_CHUNK_SIZE)


def claim(queryset, **kwargs):
    """``queryset`` locked for update, skipping rows another worker holds where the database can."""
    if connection.features.has_select_for_update_skip_locked:
        return queryset.select_for_update(skip_locked=True, **kwargs)
    return queryset.select_for_update(**kwargs)


def in_chunks(pks, work, *, size=None):
    """Call ``work(chunk_of_pks)`` for consecutive chunks of ``pks``, each in its own transaction.

    ``work`` returns a list (what it changed); the lists are joined. A chunk that raises rolls back alone:
    the chunks before it stay committed, and the exception goes up (the Celery task retries, or a
    person reruns the sweep).
    """
    pks = list(pks)
    size = size or chunk_size()
    done = []
    for start in range(0, len(pks), size):
        with transaction.atomic():
            done.extend(work(pks[start : start + size]))
    return done


def claim_keys(keys):
    """The reminder keys (``SentReminder``) this call is the one to send, out of ``keys``: each key once ever.

    ``notify_once``'s claim for a whole chunk: one read of the keys already sent and one insert of the rest.
    Should another worker insert one of them meanwhile, the unique key refuses the insert (rolled back to a
    savepoint) and the keys are claimed one by one as ``notify_once`` does, so no reminder goes out twice.
    """
    from accounts.models import SentReminder

    keys = list(dict.fromkeys(keys))
    if not keys:
        return set()
    sent = set(SentReminder.objects.filter(key__in=keys).values_list("key", flat=True))
    fresh = [key for key in keys if key not in sent]
    if not fresh:
        return set()
    try:
        with transaction.atomic():
            SentReminder.objects.bulk_create([SentReminder(key=key) for key in fresh], batch_size=500)
    except IntegrityError:
        return {key for key in fresh if _claim_one(key)}
    return set(fresh)


def _claim_one(key):
    from accounts.models import SentReminder

    try:
        with transaction.atomic():
            SentReminder.objects.create(key=key)
    except IntegrityError:
        return False
    return True
