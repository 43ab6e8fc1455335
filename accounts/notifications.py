"""One place that turns a domain event into in-app notifications and emails.

Emails go through the outbox (``accounts.outbox``): a row written in the same transaction as the inbox
notification, sent by a Celery task after the commit and retried until the mail server takes it. No
request talks to the mail server.
"""

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts import outbox
from accounts.models import Notification, Role, User
from applications.models import State

# Which roles must act when a dossier enters a state (the inbox's "needs action"; every other note is news).
# One row per state where someone's next step is due, citing the article that gives it to them.
NEEDS_ACTION = {
    # 第十四条: the pooled unit (or its agency) completes the evaluation and submits the report.
    State.POOLED: {Role.APPLICANT, Role.AGENCY},
    # 第十五条: the district checks what was submitted and recommends it to the city by 30 May.
    State.SUBMITTED: {Role.DISTRICT},
    # 第十四条, 第十五条: returned with reasons: the applicant revises and resubmits before 30 May.
    State.RETURNED: {Role.APPLICANT, Role.AGENCY},
    # 第十六条: the city's conformity check of what the district recommended.
    State.RECOMMENDED: {Role.MUNICIPAL, Role.STAFF},
    # 第十七条: the city opens the expert review of the project library.
    State.IN_LIBRARY: {Role.MUNICIPAL, Role.STAFF},
    # 第十七条: the assigned experts score.
    State.IN_REVIEW: {Role.EXPERT},
    # 第二十一条: the district records the recheck's findings and proposal.
    State.RECHECKING: {Role.DISTRICT},
}


def notify(users, *, title, body="", url="", dossier=None, needs_action=False):
    """Put a notification in each user's inbox and email those who have an address, as each prefers.

    ``dossier`` (or its pk) files the news under that dossier (the inbox filter); ``needs_action`` is True, or a
    set of roles whose recipients must act (the others read it as news). Users who chose the daily digest get
    their email from ``send_digests``; users who chose no email get the inbox alone.
    """
    users = list(users)
    with transaction.atomic(savepoint=False):
        notes, mails = _build(users, title, body, url, dossier, needs_action)
        Notification.objects.bulk_create(notes)
        outbox.enqueue(mails)
    from accounts import todo

    # their badge counts again on the next page (news for them usually means work for them too)
    transaction.on_commit(lambda: todo.forget([user.pk for user in users]))
    return len(users)


def _build(users, title, body, url, dossier=None, needs_action=False):
    """The notifications for ``users`` and the one immediate email (to those who want each at once)."""
    dossier_id = getattr(dossier, "pk", dossier)
    Preference = User.EmailPreference
    notes, immediate = [], []
    for user in users:
        preference = getattr(user, "email_preference", Preference.IMMEDIATE)
        acts = needs_action if isinstance(needs_action, bool) else user.role in needs_action
        digest = Notification.Digest.PENDING if user.email and preference == Preference.DIGEST else ""
        notes.append(
            Notification(
                recipient=user,
                title=title[:200],
                body=body,
                url=url,
                dossier_id=dossier_id,
                needs_action=acts,
                digest=digest,
            )
        )
        if user.email and preference == Preference.IMMEDIATE:
            immediate.append(user.email)
    mails = [(title, f"{body}\n\n{url}".strip(), immediate)] if immediate else []
    return notes, mails


def send_email(addresses, subject, body):
    """Queue one email to ``addresses`` (in the current transaction; sent after it commits)."""
    if addresses:
        outbox.enqueue([(subject, body, addresses)])


def notify_transition(log_entry_id):
    """After a dossier transition commits: tell the applicant and the district, except the actor.

    The note is filed under the dossier and "needs action" for the recipients whose role acts next
    (``NEEDS_ACTION``)."""
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
    notify(
        recipients,
        title=title,
        body=entry.reason,
        url=reverse("dossier_detail", args=[dossier.pk]),
        dossier=dossier.pk,
        needs_action=NEEDS_ACTION.get(entry.to_state, set()),
    )


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
    """Many notifications at once, each ``(users, title, body, url)`` or ``(users, title, body, url, extra)``
    (``extra``: ``notify``'s ``dossier`` and ``needs_action``): one insert, one outbox insert.

    For sweeps that tell each applicant about its own dossier (a chunk of lapses): the same messages
    ``notify`` would send one by one.
    """
    notes, mails = [], []
    for users, title, body, url, *extra in items:
        more, batch = _build(list(users), title, body, url, **(extra[0] if extra else {}))
        notes += more
        mails += batch
    with transaction.atomic(savepoint=False):
        Notification.objects.bulk_create(notes, batch_size=1000)
        outbox.enqueue(mails)
    from accounts import todo

    recipients = {note.recipient_id for note in notes}
    transaction.on_commit(lambda: todo.forget(recipients))
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


DIGEST_MAX_LINES = 200  # a longer day is in the inbox; the email says how many more


def send_digests(now=None):
    """The daily digest: one email per user who chose it, listing the notifications waiting for it.

    Each notification is mailed once: the task marks what it included (``Notification.digest`` = sent) in the
    transaction that queues the email through the outbox, so a second run, or a second worker, sends nothing.
    Works ``SWEEP_CHUNK_SIZE`` users at a time, each chunk in its own transaction, their notes claimed with
    ``SELECT … FOR UPDATE SKIP LOCKED`` where the database has it. Returns the number of emails queued.
    """
    from django.conf import settings
    from django.utils import timezone
    from django.utils.translation import ngettext

    from greenfactory.chunks import chunk_size, claim

    now = now or timezone.now()
    sent = 0
    while True:
        with transaction.atomic():
            pending = Notification.objects.filter(digest=Notification.Digest.PENDING, created_at__lte=now)
            users = list(pending.order_by().values_list("recipient_id", flat=True).distinct()[: chunk_size()])
            if not users:
                break
            keys = list(claim(pending.filter(recipient_id__in=users).order_by("pk")).values_list("pk", flat=True))
            if not keys:
                break  # another worker holds them
            notes = (
                Notification.objects.filter(pk__in=keys)
                .select_related("recipient")
                .order_by("recipient_id", "created_at", "pk")
            )
            by_user = {}
            for note in notes:
                by_user.setdefault(note.recipient_id, (note.recipient, []))[1].append(note)
            mails = [_digest_mail(user, items, settings, timezone, ngettext) for user, items in by_user.values()]
            sent += outbox.enqueue([mail for mail in mails if mail])
            Notification.objects.filter(pk__in=keys).update(digest=Notification.Digest.SENT, digested_at=now)
    return sent


def _digest_mail(user, items, settings, timezone, ngettext):
    if not user.email or not user.is_active:
        return None  # the inbox has them; nobody to mail
    subject = ngettext(
        "%(portal)s: %(n)d notification",
        "%(portal)s: %(n)d notifications",
        len(items),
    ) % {"portal": settings.PORTAL_NAME, "n": len(items)}
    lines = []
    for note in items[:DIGEST_MAX_LINES]:
        when = timezone.localtime(note.created_at).strftime("%Y-%m-%d %H:%M")
        mark = _("[needs action] ") if note.needs_action else ""
        lines.append(f"{when}  {mark}{note.title}")
        if note.body:
            lines.append(f"    {note.body}")
        if note.url:
            lines.append(f"    {note.url}")
    if len(items) > DIGEST_MAX_LINES:
        lines.append(_("… and %(n)d more in your inbox.") % {"n": len(items) - DIGEST_MAX_LINES})
    lines += ["", _("Your inbox: %(url)s") % {"url": reverse("inbox")}]
    return (subject, "\n".join(lines), [user.email])
