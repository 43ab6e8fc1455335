"""The outbox (issue 14): email leaves through a table and a retrying Celery task, never from a request.

``enqueue`` writes ``OutboundEmail`` rows in the caller's transaction (the one that writes the inbox
notification) and, once it commits, asks a worker to send (``kick``: task ``accounts.send_outbox``); the beat
runs the same task every minute, so mail queued while the broker was down, or due for another attempt, goes
out too. ``send_due`` claims due rows with ``SELECT … FOR UPDATE SKIP LOCKED`` (``greenfactory.chunks.claim``)
and, in the claiming transaction, counts the attempt and pushes the row's due time ahead by a lease: a second
worker neither waits for nor sees it. It then sends the batch over one connection (``EMAIL_TIMEOUT`` bounds
every socket operation) and marks each row sent as soon as the server took it. A row that fails waits
``OUTBOX_RETRY_BASE_SECONDS`` · 2^(attempts−1) (at most ``OUTBOX_RETRY_MAX_SECONDS``) and is given up —
status failed, the system administrators told — after ``OUTBOX_MAX_ATTEMPTS`` attempts or
``OUTBOX_MAX_AGE_HOURS``. A worker killed mid-batch leaves its rows leased: they are due again when the
lease ends (the mail may then go out twice; it is never lost).
"""

import datetime
import logging
import smtplib
import time

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import Count, F, Min, Q
from django.utils import timezone

from accounts.models import OutboundEmail
from greenfactory.chunks import claim

log = logging.getLogger("greenfactory.outbox")
Status = OutboundEmail.Status


def enqueue(messages):
    """Queue ``messages``, each ``(subject, body, addresses)``, in the current transaction; returns the rows made.

    The worker is asked to send them once the transaction commits (nothing is sent if it rolls back).
    """
    now = timezone.now()
    rows = [
        OutboundEmail(
            recipients=list(addresses),
            from_email=settings.DEFAULT_FROM_EMAIL,
            subject=subject,
            body=body,
            next_attempt_at=now,
        )
        for subject, body, addresses in messages
        if addresses
    ]
    if not rows:
        return 0
    OutboundEmail.objects.bulk_create(rows, batch_size=500)
    transaction.on_commit(kick, robust=True)
    return len(rows)


def kick():
    """Ask a worker to send what is due. A broker outage only delays the mail: the beat entry sends it later."""
    from accounts.tasks import send_outbox

    try:
        if settings.OUTBOX_SEND_IN_PROCESS:  # tests: the task runs here, into django's locmem mail.outbox
            send_outbox.apply()
        else:
            send_outbox.apply_async(retry=False)
    except Exception:
        log.warning("could not queue the outbox task; the periodic run will send the mail", exc_info=True)


def send_due(*, now=None):
    """Send every due row, ``OUTBOX_BATCH_SIZE`` at a time over one connection each; returns the counts."""
    done = {"sent": 0, "retry": 0, "failed": 0}
    for _batch in range(settings.OUTBOX_BATCHES_PER_RUN):
        rows = _claim(now or timezone.now())
        if not rows:
            break
        counts = _send_batch(rows, now=now)
        for key, value in counts.items():
            done[key] += value
        if counts["retry"] or counts["failed"]:
            break  # the mail server is unwell: the rest waits for the next run
    if done["failed"]:
        _tell_sysadmins(done["failed"])
    if any(done.values()):
        log.info("outbox: %(sent)d sent, %(retry)d to retry, %(failed)d given up", done)
    return done


def _claim(now):
    with transaction.atomic():
        due = OutboundEmail.objects.filter(status=Status.QUEUED, next_attempt_at__lte=now).order_by(
            "next_attempt_at", "pk"
        )
        rows = list(claim(due)[: settings.OUTBOX_BATCH_SIZE])
        if rows:
            lease = now + datetime.timedelta(seconds=settings.OUTBOX_LEASE_SECONDS)
            OutboundEmail.objects.filter(pk__in=[row.pk for row in rows]).update(
                attempts=F("attempts") + 1, next_attempt_at=lease
            )
            for row in rows:
                row.attempts += 1
    return rows


def _send_batch(rows, *, now=None):
    counts = {"sent": 0, "retry": 0, "failed": 0}
    started = time.monotonic()
    mailer = get_connection(fail_silently=False)  # the SMTP backend reads EMAIL_TIMEOUT
    try:
        mailer.open()
    except Exception as exc:  # refused, timed out, TLS or login failed: nothing of the batch went out
        for row in rows:
            counts[_failed_attempt(row, exc, now)] += 1
        return counts
    try:
        for index, row in enumerate(rows):
            if time.monotonic() - started > settings.OUTBOX_LEASE_SECONDS / 2:
                _release(rows[index:], now)  # never outlive the lease: another worker would send them too
                break
            try:
                EmailMessage(row.subject, row.body, row.from_email, row.recipients, connection=mailer).send()
            except (smtplib.SMTPResponseException, smtplib.SMTPRecipientsRefused) as exc:
                counts[_failed_attempt(row, exc, now)] += 1  # the server answered about this message alone
                continue
            except Exception as exc:  # the connection is gone: this row and the rest wait
                counts[_failed_attempt(row, exc, now)] += 1
                _release(rows[index + 1 :], now)
                break
            OutboundEmail.objects.filter(pk=row.pk, status=Status.QUEUED).update(
                status=Status.SENT, sent_at=now or timezone.now(), body="", last_error=""
            )
            counts["sent"] += 1
    finally:
        try:
            mailer.close()
        except Exception:
            log.debug("closing the mail connection failed", exc_info=True)
    return counts


def _failed_attempt(row, exc, now=None):
    """Record a failed attempt: wait and retry, or give up. Returns "retry" or "failed"."""
    now = now or timezone.now()
    error = f"{type(exc).__name__}: {exc}"[:2000]
    too_old = now - row.created_at >= datetime.timedelta(hours=settings.OUTBOX_MAX_AGE_HOURS)
    mine = OutboundEmail.objects.filter(pk=row.pk, status=Status.QUEUED)
    if row.attempts >= settings.OUTBOX_MAX_ATTEMPTS or too_old:
        mine.update(status=Status.FAILED, failed_at=now, last_error=error)
        log.error("outbox: gave up email %s after %d attempts: %s", row.pk, row.attempts, error)
        return "failed"
    wait = min(settings.OUTBOX_RETRY_BASE_SECONDS * 2 ** (row.attempts - 1), settings.OUTBOX_RETRY_MAX_SECONDS)
    mine.update(next_attempt_at=now + datetime.timedelta(seconds=wait), last_error=error)
    log.warning("outbox: email %s attempt %d failed, next in %ds: %s", row.pk, row.attempts, wait, error)
    return "retry"


def _release(rows, now=None):
    """Rows claimed but not tried: due again at once, the attempt not counted."""
    if rows:
        OutboundEmail.objects.filter(pk__in=[row.pk for row in rows], status=Status.QUEUED).update(
            attempts=F("attempts") - 1, next_attempt_at=now or timezone.now()
        )


def _tell_sysadmins(given_up):
    """The city's system administrators get an inbox note (no addresses, no content: 三员分立)."""
    from django.utils.translation import gettext as _
    from django.utils.translation import ngettext

    from accounts.models import Role, User
    from accounts.notifications import notify

    failed = OutboundEmail.objects.filter(status=Status.FAILED).count()
    title = ngettext(
        "%(n)d email could not be delivered and was given up",
        "%(n)d emails could not be delivered and were given up",
        given_up,
    ) % {"n": given_up}
    body = _("Undelivered emails in all: %(n)d. See the outbound emails in the administration site.") % {"n": failed}
    notify(User.objects.filter(role=Role.SYSADMIN, is_active=True), title=title, body=body)


def counts(now=None):
    """For health and metrics: rows queued, due now, given up, and the oldest queued row's creation time."""
    now = now or timezone.now()
    return OutboundEmail.objects.aggregate(
        queued=Count("pk", filter=Q(status=Status.QUEUED)),
        due=Count("pk", filter=Q(status=Status.QUEUED, next_attempt_at__lte=now)),
        failed=Count("pk", filter=Q(status=Status.FAILED)),
        oldest_queued=Min("created_at", filter=Q(status=Status.QUEUED)),
    )
