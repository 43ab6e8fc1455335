"""One place that turns a domain event into in-app notifications and emails.

Emails go through the outbox (``accounts.outbox``): a row written in the same transaction as the inbox
notification, sent by a Celery task after the commit and retried until the mail server takes it. No
request talks to the mail server.
"""

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts import outbox
from accounts.models import Notification


def notify(users, *, title, body="", url=""):
    """Put a notification in each user's inbox and queue an email to those who have an address."""
    users = list(users)
    with transaction.atomic(savepoint=False):
        Notification.objects.bulk_create(
            [Notification(recipient=u, title=title[:200], body=body, url=url) for u in users]
        )
        send_email([u.email for u in users if u.email], title, f"{body}\n\n{url}".strip())
    return len(users)


def send_email(addresses, subject, body):
    """Queue one email to ``addresses`` (in the current transaction; sent after it commits)."""
    if addresses:
        outbox.enqueue([(subject, body, addresses)])


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


def notify_each(items):
    """Many notifications at once, each ``(users, title, body, url)``: one insert, one outbox insert.

    For sweeps that tell each applicant about its own dossier (a chunk of lapses): the same messages
    ``notify`` would send one by one.
    """
    notes, mails = [], []
    for users, title, body, url in items:
        users = list(users)
        notes += [Notification(recipient=u, title=title[:200], body=body, url=url) for u in users]
        addresses = [u.email for u in users if u.email]
        if addresses:
            mails.append((title, f"{body}\n\n{url}".strip(), addresses))
    with transaction.atomic(savepoint=False):
        Notification.objects.bulk_create(notes, batch_size=1000)
        outbox.enqueue(mails)
    return len(notes)


class Digest:
    """News of one sweep run, collected per district over its chunks and sent once at the end.

    Each district's officers get one notification (and one email) listing their units (a single unit's
    line is the title itself); city staff get one with the count per district. ``title`` is a message
    with ``%(district)s`` and ``%(n)d``;
    ``city_title`` one with ``%(n)d``. Sent through ``on_commit``: a dry run that rolls back sends nothing.
    """

    def __init__(self, *, title, city_title=None, url=""):
        self.title, self.city_title, self.url = title, city_title, url
        self.lines = {}

    def add(self, district_id, line):
        self.lines.setdefault(district_id, []).append(str(line))

    def __len__(self):
        return sum(len(lines) for lines in self.lines.values())

    def send(self):
        """Schedule the digests; returns the number of notifications they make."""
        from django.db import transaction

        from accounts import scoping
        from applications.models import District

        if not self.lines:
            return 0
        names = {d.pk: d.name for d in District.objects.filter(pk__in=self.lines)}
        items, summary = [], []
        for district_id in sorted(self.lines, key=lambda pk: names.get(pk, "")):
            lines, name = self.lines[district_id], names.get(district_id, "")
            if len(lines) == 1:  # a digest of one is that one message
                title, body = lines[0], ""
            else:
                title, body = self.title % {"district": name, "n": len(lines)}, "\n".join(lines)
            items.append((scoping.district_officers(district_id), title, body, self.url))
            summary.append(_("%(district)s: %(n)d") % {"district": name, "n": len(lines)})
        if self.city_title:
            items.append((scoping.city_staff(), self.city_title % {"n": len(self)}, "\n".join(summary), self.url))
        items = [(list(users), title, body, url) for users, title, body, url in items]
        transaction.on_commit(lambda: notify_each(items))
        return sum(len(users) for users, *_rest in items)
