"""The outbox (issue 14): mail to a black-hole or refusing server neither blocks the request nor is lost.

Real sockets throughout: a TCP server that accepts and never answers, a port nobody listens on, and a real SMTP
server (aiosmtpd) started later on the same port. The send task's function runs in this process (that is real
SMTP); ``test_a_real_worker_sends_the_outbox`` takes the same path through Redis and the CI worker.
"""

import datetime
import socket
import threading
import time

import pytest
from aiosmtpd.controller import Controller
from django.contrib.admin.sites import site
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from accounts import outbox
from accounts.models import Notification, OutboundEmail, Role
from applications.models import State
from tests.conftest import make_dossier
from tests.factories import UserFactory

Status = OutboundEmail.Status


class BlackHole:
    """A TCP server that accepts every connection and never says a word."""

    def __init__(self):
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(16)
        self.listener.settimeout(0.1)
        self.port = self.listener.getsockname()[1]
        self.held, self.stopped = [], threading.Event()
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self):
        while not self.stopped.is_set():
            try:
                self.held.append(self.listener.accept()[0])
            except TimeoutError:
                continue

    def close(self):
        self.stopped.set()
        self.thread.join()
        for conn in [*self.held, self.listener]:
            conn.close()


class Inbox:
    """aiosmtpd handler: keeps every message the server accepted."""

    def __init__(self):
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server():
    """Start a real SMTP server on a given port; stopped after the test."""
    started = []

    def start(port):
        inbox = Inbox()
        controller = Controller(inbox, hostname="127.0.0.1", port=port)
        controller.start()
        started.append(controller)
        return inbox

    yield start
    for controller in started:
        controller.stop()


def free_port():
    """A port nobody listens on: connecting to it is refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_settings(settings, monkeypatch):
    """The real SMTP backend with a short timeout; the request's kick of the worker is recorded, not sent."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_TIMEOUT = 2
    settings.OUTBOX_SEND_IN_PROCESS = False
    kicks = []
    monkeypatch.setattr(outbox, "kick", lambda: kicks.append(1))
    return kicks


def later(minutes):
    return timezone.now() + datetime.timedelta(minutes=minutes)


def return_for_revision(client, world, django_capture_on_commit_callbacks):
    """The district returns a dossier over HTTP: the applicant (a@example.com) is notified. Returns the seconds."""
    dossier = make_dossier(world.org_a, State.SUBMITTED)
    OutboundEmail.objects.update(status=Status.SENT)  # make_dossier's own notifications are not this test's
    client.force_login(world.officer_nanshan)
    url = reverse("dossier_transition", args=[dossier.pk, "return_for_revision"])
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):  # the commit and everything that follows it
        response = client.post(url, {"reason": "补"})
    elapsed = time.monotonic() - started
    assert response.status_code == 302
    assert world.applicant_a.notifications.filter(title__contains="退回修改").count() == 1
    return elapsed


@pytest.mark.django_db
def test_a_black_hole_mail_server_neither_blocks_the_request_nor_loses_the_mail(
    client, world, settings, smtp_settings, smtp_server, django_capture_on_commit_callbacks
):
    hole = BlackHole()
    settings.EMAIL_PORT = hole.port
    try:
        elapsed = return_for_revision(client, world, django_capture_on_commit_callbacks)
        assert elapsed < settings.EMAIL_TIMEOUT  # the request never waits on the mail server …
        assert hole.held == []  # … and never even connects to it
        assert smtp_settings == [1]  # the worker was asked to send, after the commit
        row = OutboundEmail.objects.get(status=Status.QUEUED)
        assert (row.recipients, row.attempts) == (["a@example.com"], 0)

        started = time.monotonic()
        assert outbox.send_due() == {"sent": 0, "retry": 1, "failed": 0}
        waited = time.monotonic() - started
        assert settings.EMAIL_TIMEOUT * 0.9 <= waited < settings.EMAIL_TIMEOUT + 5  # EMAIL_TIMEOUT, not forever
        assert len(hole.held) == 1
        row.refresh_from_db()
        assert (row.status, row.attempts) == (Status.QUEUED, 1)
        assert "timed out" in row.last_error
        assert row.next_attempt_at > timezone.now() + datetime.timedelta(seconds=50)  # backoff: 60 s
    finally:
        hole.close()

    received = smtp_server(hole.port)  # the mail server comes back on the same port
    assert outbox.send_due() == {"sent": 0, "retry": 0, "failed": 0}  # not due yet
    assert outbox.send_due(now=later(2)) == {"sent": 1, "retry": 0, "failed": 0}
    assert outbox.send_due(now=later(60)) == {"sent": 0, "retry": 0, "failed": 0}
    row.refresh_from_db()
    assert (row.status, row.attempts, row.last_error, row.body) == (Status.SENT, 2, "", "")
    assert row.sent_at is not None
    assert len(received.envelopes) == 1  # exactly once
    envelope = received.envelopes[0]
    assert envelope.rcpt_tos == ["a@example.com"]
    assert "/dossiers/" in envelope.content.decode()


@pytest.mark.django_db
def test_a_refusing_mail_server_loses_nothing(
    client, world, settings, smtp_settings, smtp_server, django_capture_on_commit_callbacks
):
    settings.EMAIL_PORT = free_port()
    return_for_revision(client, world, django_capture_on_commit_callbacks)
    assert outbox.send_due() == {"sent": 0, "retry": 1, "failed": 0}
    row = OutboundEmail.objects.get(status=Status.QUEUED)
    assert row.attempts == 1 and "ConnectionRefused" in row.last_error

    received = smtp_server(settings.EMAIL_PORT)
    assert outbox.send_due(now=later(2)) == {"sent": 1, "retry": 0, "failed": 0}
    row.refresh_from_db()
    assert row.status == Status.SENT
    assert [e.rcpt_tos for e in received.envelopes] == [["a@example.com"]]


@pytest.mark.django_db
def test_attempts_back_off_then_the_mail_is_given_up_and_the_sysadmin_sees_it(
    world, settings, smtp_settings, admin_client
):
    settings.EMAIL_PORT = free_port()
    settings.OUTBOX_MAX_ATTEMPTS = 4
    sysadmin = UserFactory(username="sys1", role=Role.SYSADMIN)
    outbox.enqueue([("主题", "正文", ["x@example.com"])])
    row = OutboundEmail.objects.get()
    now, waits = timezone.now(), []
    for _attempt in range(3):
        assert outbox.send_due(now=now)["retry"] == 1
        row.refresh_from_db()
        waits.append((row.next_attempt_at - now).total_seconds())
        assert outbox.send_due(now=row.next_attempt_at - datetime.timedelta(seconds=1))["retry"] == 0  # not before
        now = row.next_attempt_at
    assert waits == [60, 120, 240]
    assert outbox.send_due(now=now) == {"sent": 0, "retry": 0, "failed": 1}
    row.refresh_from_db()
    assert (row.status, row.attempts, row.body) == (Status.FAILED, 4, "正文")  # kept, never deleted
    assert outbox.send_due(now=now + datetime.timedelta(days=9))["failed"] == 0  # given up: not tried again
    assert outbox.counts()["failed"] == 1
    note = Notification.objects.get(recipient=sysadmin)
    assert "1" in note.title and "x@example.com" not in note.title + note.body
    with pytest.raises(PermissionError):
        row.delete()
    with pytest.raises(PermissionError):
        OutboundEmail.objects.all().delete()
    # The Django admin lists it read-only, with the count per status.
    page = admin_client.get(reverse("admin:accounts_outboundemail_changelist"))
    assert page.status_code == 200 and "主题" in page.content.decode()
    model_admin = site._registry[OutboundEmail]
    assert not model_admin.has_change_permission(page.wsgi_request, row)
    assert not model_admin.has_delete_permission(page.wsgi_request, row)


@pytest.mark.django_db
def test_mail_older_than_the_age_limit_is_given_up(settings, smtp_settings):
    settings.EMAIL_PORT = free_port()
    outbox.enqueue([("旧", "正文", ["x@example.com"])])
    assert outbox.send_due(now=later(settings.OUTBOX_MAX_AGE_HOURS * 60 + 1))["failed"] == 1


@pytest.mark.django_db
def test_nothing_is_queued_or_sent_when_the_transaction_rolls_back(settings, smtp_settings):
    from django.db import transaction

    with pytest.raises(RuntimeError), transaction.atomic():
        outbox.enqueue([("主题", "正文", ["x@example.com"])])
        raise RuntimeError
    assert not OutboundEmail.objects.exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_send_each_email_exactly_once(settings, smtp_settings, smtp_server):
    """Two senders at once on PostgreSQL: SKIP LOCKED and the lease split the rows; no message goes twice."""
    settings.EMAIL_PORT = free_port()
    settings.OUTBOX_BATCH_SIZE = 3
    received = smtp_server(settings.EMAIL_PORT)
    outbox.enqueue([(f"邮件 {n}", "正文", [f"u{n}@example.com"]) for n in range(24)])
    results, barrier = [], threading.Barrier(2)

    def worker():
        try:
            barrier.wait()
            results.append(outbox.send_due())
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(r["sent"] for r in results) == 24
    assert sorted(e.rcpt_tos[0] for e in received.envelopes) == sorted(f"u{n}@example.com" for n in range(24))
    assert set(OutboundEmail.objects.values_list("status", "attempts")) == {(Status.SENT, 1)}


@pytest.mark.celery_worker
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_sends_the_outbox(client, world, settings):
    """The request's commit kicks the task through Redis; the CI worker claims the row and sends it (its own
    mail backend: the console)."""
    settings.OUTBOX_SEND_IN_PROCESS = False
    dossier = make_dossier(world.org_a, State.SUBMITTED)
    client.force_login(world.officer_nanshan)
    started = time.monotonic()
    client.post(reverse("dossier_transition", args=[dossier.pk, "return_for_revision"]), {"reason": "补"})
    assert time.monotonic() - started < settings.EMAIL_TIMEOUT
    row = OutboundEmail.objects.filter(recipients=["a@example.com"]).latest("pk")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        row.refresh_from_db()
        if row.status == Status.SENT:
            break
        time.sleep(0.5)
    assert (row.status, row.attempts) == (Status.SENT, 1)
