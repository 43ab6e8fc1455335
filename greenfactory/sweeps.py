"""Every deadline sweep, for the Celery tasks and for ``manage.py run_deadlines`` ("as of" a date).

A sweep is a function ``sweep(now) -> [lines of what changed]`` living in the app that owns its rule.
"""

import logging

from celery import shared_task
from django.db import InterfaceError, OperationalError
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from applications import deadlines as applications_deadlines
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
}


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
    """A thin Celery task for sweep ``name``: late ack, retried on transient database errors."""

    @shared_task(
        name=f"greenfactory.sweeps.{name}",
        acks_late=True,
        autoretry_for=(OperationalError, InterfaceError),
        retry_backoff=True,
        retry_kwargs={"max_retries": 5},
    )
    def task(as_of=None):
        return len(run_sweep(name, parse_as_of(as_of)))

    return task


TASKS = {name: sweep_task(name) for name in SWEEPS}
