"""Celery tasks of the accounts app."""

from celery import shared_task

from accounts import outbox


@shared_task(name="accounts.send_outbox", acks_late=True, ignore_result=True)
def send_outbox():
    """Send the outbox's due mail (after each commit that queues some, and every minute from the beat)."""
    return outbox.send_due()


@shared_task(name="accounts.send_digests", acks_late=True, ignore_result=True)
def send_digests():
    """The daily email digest of the users who chose it (``accounts.notifications.send_digests``)."""
    from accounts.notifications import send_digests as send

    return send()
