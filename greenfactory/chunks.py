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
from django.db import connection, transaction


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
