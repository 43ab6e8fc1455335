"""Every deadline sweep, for the Celery tasks and for ``manage.py run_deadlines`` ("as of" a date).

A sweep is a function ``sweep(now) -> [lines of what changed]`` living in the app that owns its rule.
"""

import logging

from celery import shared_task
from django.db import InterfaceError, OperationalError
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from kombu.exceptions import OperationalError as BrokerError

from applications import deadlines as applications_deadlines
from audit import integrity as audit_integrity
from audit import retention as audit_retention
from exports import services as exports_services
from operations.records import sweep_recorded
from registry import deadlines as registry_deadlines
from reviews import deadlines as reviews_deadlines
from reviews import reminders as reviews_reminders

log = logging.getLogger("greenfactory.deadlines")

SWEEPS = {
    "lapse_unrecommended": applications_deadlines.lapse_unrecommended,
    "recommendation_reminders": applications_deadlines.recommendation_reminders,
    "clear_ended_publicity": reviews_deadlines.clear_ended_publicity,
    "annual_form_reminders": applications_deadlines.annual_form_reminders,
    "mark_overdue_annual_forms": applications_deadlines.mark_overdue_annual_forms,
    "open_due_rechecks": registry_deadlines.open_due_rechecks,
    "lift_expired_bars": applications_deadlines.lift_expired_bars,
    "rectification_due": registry_deadlines.rectification_due,
    "scoring_reminders": reviews_reminders.scoring_reminders,
    "purge_audit_log": audit_retention.purge_audit_log,
    "erase_personal_data": audit_retention.erase_personal_data,
    "expire_exports": exports_services.expire_exports,
    "verify_audit": audit_integrity.verify_audit_trail,
}


def _transient_errors():
    """What a sweep task retries: the database or the broker (or the Redis cache) down or unreachable.

    Django wraps the driver's errors in its own; psycopg's and redis-py's are added for the few paths that use
    the driver directly (``COPY`` in applications/bulk.py, the cache).
    """
    errors = [OperationalError, InterfaceError, BrokerError]
    try:
        import psycopg

        errors += [psycopg.OperationalError, psycopg.InterfaceError]
    except ImportError:  # pragma: no cover - SQLite-only installs
        pass
    try:
        import redis

        errors += [redis.exceptions.ConnectionError, redis.exceptions.TimeoutError]
    except ImportError:  # pragma: no cover
        pass
    return tuple(errors)


TRANSIENT_ERRORS = _transient_errors()
# Retries over minutes, not seconds (issue 14): 5, 10, 20, 40, 80, 160 s, then every 300 s; 12 retries wait
# 35 min in all (RETRY_WAIT_SECONDS), plus the time each attempt takes to fail. No jitter: a dozen sweeps make
# no herd, and full jitter would halve the expected wait and make the 30-minute floor a matter of chance.
# RETRY_BACKOFF_MAX must stay below CELERY_VISIBILITY_TIMEOUT: a retry waits on a worker unacknowledged,
# and one waiting longer than the visibility timeout would be delivered twice.
RETRY_BACKOFF = 5
RETRY_BACKOFF_MAX = 300
MAX_RETRIES = 12
RETRY_WAIT_SECONDS = sum(min(RETRY_BACKOFF_MAX, RETRY_BACKOFF * 2**n) for n in range(MAX_RETRIES))


def parse_as_of(as_of):
    """An ISO date-time (naive means Asia/Shanghai) or None for now."""
    if not as_of:
        return timezone.now()
    moment = parse_datetime(as_of) if "T" in as_of or " " in as_of else parse_datetime(as_of + "T00:00")
    if moment is None:
        raise ValueError(f"not a date-time: {as_of!r}")
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


def run_sweep(name, now):
    # Each run (success or error) is kept as an operations.SweepRun row: /metrics reports the last ones.
    with sweep_recorded(name, now) as outcome:
        changes = SWEEPS[name](now)
        outcome.changes = len(changes)
    for line in changes:
        log.info("%s: %s", name, line)
    log.info("%s as of %s: %d changes", name, now.isoformat(), len(changes))
    return changes


def sweep_task(name):
    """A thin Celery task for sweep ``name``.

    Acknowledged only when it has run (a worker killed mid-sweep leaves it to another worker after the
    broker's visibility timeout, and the rerun finishes what the first left: chunks already committed are no
    longer candidates); retried with backoff for about half an hour when the database or the broker is down.
    """

    @shared_task(
        name=f"greenfactory.sweeps.{name}",
        acks_late=True,
        reject_on_worker_lost=True,
        autoretry_for=TRANSIENT_ERRORS,
        retry_backoff=RETRY_BACKOFF,
        retry_backoff_max=RETRY_BACKOFF_MAX,
        retry_jitter=False,
        max_retries=MAX_RETRIES,
    )
    def task(as_of=None):
        return len(run_sweep(name, parse_as_of(as_of)))

    return task


TASKS = {name: sweep_task(name) for name in SWEEPS}
