"""One place that turns a domain event into in-app notifications and emails."""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.models import Notification

log = logging.getLogger("greenfactory.notifications")


def notify(users, *, title, body="", url=""):
    """Put a notification in each user's inbox and email those who have an address."""
    users = list(users)
    Notification.objects.bulk_create([Notification(recipient=u, title=title[:200], body=body, url=url) for u in users])
    send_email([u.email for u in users if u.email], title, f"{body}\n\n{url}".strip())
    return len(users)


def send_email(addresses, subject, body):
    if not addresses:
        return
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, addresses)
    except OSError:
        # The inbox copy is already saved; a mail server outage must not undo the operation.
        log.exception("could not send mail for %r", subject)


def notify_transition(log_entry_id):
    """After a dossier transition commits: tell the applicant and the district, except the actor."""
    from accounts.scoping import users_to_notify
    from applications.models import TransitionLog

    entry = TransitionLog.objects.select_related("dossier__organisation").get(pk=log_entry_id)
    dossier = entry.dossier
    recipients = users_to_notify(dossier)
    if entry.actor_id:
        recipients = recipients.exclude(pk=entry.actor_id)
    title = _("%(organisation)s (%(year)s): %(action)s → %(state)s") % {
        "organisation": dossier.organisation.name,
        "year": dossier.cycle_year,
        "action": entry.transition_label,
        "state": entry.get_to_state_display(),
    }
    notify(recipients, title=title, body=entry.reason, url=reverse("dossier_detail", args=[dossier.pk]))


def notify_once(key, users, *, title, body="", url=""):
    """Like ``notify``, but a second call with the same ``key`` sends nothing (reminders of sweeps)."""
    from django.db import IntegrityError, transaction

    from accounts.models import SentReminder

    try:
        with transaction.atomic():
            SentReminder.objects.create(key=key)
    except IntegrityError:
        return 0
    users = list(users)
    transaction.on_commit(lambda: notify(users, title=title, body=body, url=url))
    return len(users)
