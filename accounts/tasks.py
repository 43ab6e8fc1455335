"""Celery tasks of the accounts app."""

from celery import shared_task

from accounts import outbox


@shared_task(name="accounts.send_outbox", acks_late=True, ignore_result=True)
def send_outbox():
    """Send the outbox's due mail (after each commit that queues some, and every minute from the beat)."""
    return outbox.send_due()
